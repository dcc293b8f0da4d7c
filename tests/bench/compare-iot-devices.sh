#!/usr/bin/env bash
# The cost of IoT Core identities per device (issue 4's benchmark): N devices, each connecting
# with its own 20-character id and password and publishing to $devices/<id>/events, into their
# registry subscribed to $devices/# (iotload, beside this script), through `serve -w WS --mqtt`
# (IoT Core mode: every password checked at CONNECT, the topic policy asked on every PUBLISH,
# $devices/# narrowed to the registry's devices), and the same clients, client ids and topics,
# anonymous, through `serve --open-mqtt` (open mode). Each repetition starts both brokers afresh,
# open then IoT Core, so the first run's connects are first connects (IoT Core: a PBKDF2 hash per
# device) and the second run's are reconnects (IoT Core: the remembered verification). Prints
# every run, then the medians and the IoT/open ratio of each row. Not part of CTest.
#
#   tests/bench/compare-iot-devices.sh [--devices N] [--reps N] [--duration S]
#
# Environment: BUILD_DIR (default build; its app/iotcore-studio, and its tests/bench/iotload when
# built, else iotload.c is compiled here with cc and libmosquitto-dev).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
BINARY=$BUILD_DIR/app/iotcore-studio
DEVICES=1000; REPS=3; DURATION=4; WARMUP=1
while [ $# -gt 0 ]; do
    case $1 in
        --devices) DEVICES=$2; shift ;;
        --reps) REPS=$2; shift ;;
        --duration) DURATION=$2; shift ;;
        *) echo "unknown option $1 (see the head of $0)" >&2; exit 2 ;;
    esac
    shift
done
[[ $DEVICES =~ ^[1-9][0-9]{0,4}$ ]] || { echo "--devices $DEVICES: give 1 to 99999" >&2; exit 2; }
[ -x "$BINARY" ] || { echo "no $BINARY: build the iotcore-studio target or set BUILD_DIR" >&2; exit 2; }
# About 4,096 messages on their way in all, whatever N (mqttload's fan-in: 50 x 64): the figure
# is what the broker sustains, not a backlog the generator built in front of the subscriber.
WINDOW=$(((4096 + DEVICES - 1) / DEVICES))

WORK=$(mktemp -d)
BROKER_PID=""
stop_broker() {
    [ -n "$BROKER_PID" ] || return 0
    kill "$BROKER_PID" 2>/dev/null || true
    wait "$BROKER_PID" 2>/dev/null || true
    BROKER_PID=""
}
trap 'stop_broker; rm -rf "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

LOAD=$BUILD_DIR/tests/bench/iotload
if [ ! -x "$LOAD" ]; then
    LOAD=$WORK/iotload
    cc -O2 -o "$LOAD" "$HERE/iotload.c" -lmosquitto -lpthread \
        || { echo "cannot build iotload (apt-get install libmosquitto-dev build-essential)" >&2; exit 2; }
fi

# One registry and N devices, imported as `yc iot registry|device list --format json` prints
# them: the importer gives each its own generated password, hashed as `iot device create
# --password` hashes it (PBKDF2, the workspace's iterations), and prints "<id> <password>" lines.
# Ids are the service's form: "are" and 17 characters of [0-9a-v].
REGISTRY=arebenchreg000000000
WORKSPACE=$WORK/bench.iotcore
printf '{"id": "%s", "name": "bench", "status": "ACTIVE", "created_at": "2026-11-25T00:00:00Z"}\n' \
    "$REGISTRY" > "$WORK/registry.json"
{
    printf '['
    for ((i = 0; i < DEVICES; i++)); do
        [ $i -eq 0 ] || printf ','
        printf '{"id": "are%017d", "registry_id": "%s", "name": "device-%d", "created_at": "2026-11-25T00:00:00Z"}\n' \
            $i "$REGISTRY" $i
    done
    printf ']\n'
} > "$WORK/devices.json"
started_ms=$(($(date +%s%N) / 1000000))
"$BINARY" import yc -w "$WORKSPACE" "$WORK/registry.json" "$WORK/devices.json" > "$WORK/passwords"
echo "provisioned 1 registry and $DEVICES devices with passwords in $(($(date +%s%N) / 1000000 - started_ms)) ms" >&2
REGISTRY_PASSWORD=$(sed -n "s/^$REGISTRY //p" "$WORK/passwords")
grep -v "^$REGISTRY " "$WORK/passwords" > "$WORK/device-passwords"

start_broker() { # MODE: sets BROKER_PID and PORT
    local args listener
    if [ "$1" = iot ]; then
        args=(-w "$WORKSPACE" --mqtt 127.0.0.1:0 --message-rate-limit off); listener=mqtt
    else
        args=(--open-mqtt 127.0.0.1:0); listener=open-mqtt
    fi
    : > "$WORK/ready"
    "$BINARY" serve "${args[@]}" --log-level warning > "$WORK/ready" 2>"$WORK/broker-$1.log" &
    BROKER_PID=$!
    for _ in $(seq 100); do grep -q '^ready ' "$WORK/ready" && break; sleep 0.1; done
    PORT=$(sed -n "s/^ready $listener .*:\([0-9]*\)\$/\1/p" "$WORK/ready")
    [ -n "$PORT" ] || { echo "serve ($1) did not start: $(tail -2 "$WORK/broker-$1.log")" >&2; exit 1; }
}

echo "IoT Core mode runs with --message-rate-limit off (its default, warn, logs every device past 1 msg/s)"
: > "$WORK/results"
for rep in $(seq "$REPS"); do
    for mode in open iot; do
        start_broker $mode
        if [ $mode = iot ]; then
            identity=(--registry "$REGISTRY" --registry-password "$REGISTRY_PASSWORD")
        else
            identity=(--anonymous)
        fi
        for run in "q0 connect-first" "q1 connect-again"; do
            read -r qos connect_row <<<"$run"
            result=$("$LOAD" -p "$PORT" --devices "$WORK/device-passwords" "${identity[@]}" --qos "${qos#q}" \
                --window "$WINDOW" --duration "$DURATION" --warmup "$WARMUP" --broker-pid "$BROKER_PID" 2>"$WORK/load.err" \
                | grep '^RESULT' || true)
            [ -n "$result" ] || result="RESULT failed=1 $(head -c 200 "$WORK/load.err" | tr '\n' ' ')"
            echo "$mode $rep events-$qos $result" >> "$WORK/results"
            echo "$mode $rep $connect_row $result" >> "$WORK/results"
            printf '%s %-12s %s\n' "$mode" "events-$qos" \
                "$(grep -o 'msg_per_s=[0-9]*\|lost=[0-9]*\|failed=[0-9]*\|connect_per_s=[0-9]*\|cpu_s_per_M=[0-9.]*' <<<"$result" | tr '\n' ' ')"
            kill -0 "$BROKER_PID" 2>/dev/null || { echo "serve ($mode) died: $(tail -2 "$WORK/broker-$mode.log")" >&2; exit 1; }
        done
        stop_broker
    done
done

/usr/bin/python3 - "$WORK/results" "$DEVICES" <<'EOF'
import statistics, sys
path, devices = sys.argv[1], sys.argv[2]
# row | metric | better
rows = [("events-q0", "msg_per_s", "hi"), ("events-q1", "msg_per_s", "hi"),
        ("connect-first", "connect_per_s", "hi"), ("connect-again", "connect_per_s", "hi"),
        ("events-q0", "cpu_s_per_M", "lo"), ("events-q1", "cpu_s_per_M", "lo")]
vals = {}
for line in open(path):
    mode, _, row, *fields = line.split()
    kv = dict(f.split("=", 1) for f in fields if "=" in f)
    bad = kv.get("failed", "1") != "0" or (kv.get("qos") == "1" and kv.get("lost", "0") != "0")
    for name, metric, _ in rows:
        if name == row:
            vals.setdefault((row, metric, mode), []).append(None if bad else float(kv[metric]))
def med(xs):
    xs = [x for x in xs or [] if x is not None]
    return statistics.median(xs) if xs else None
def fmt(v):
    return "fail" if v is None else (f"{v:,.0f}" if v >= 100 else f"{v:.1f}")
print(f"\n{devices} devices, each with its own password, on $devices/<id>/events; one registry on $devices/#")
hdr = f"{'row':<22}{'metric':<15}{'open':>14}{'iot':>14}{'iot/open':>10}  better"
print(hdr); print("-" * len(hdr))
for row, metric, better in rows:
    vo, vi = med(vals.get((row, metric, "open"))), med(vals.get((row, metric, "iot")))
    ratio = vi / vo if vo and vi is not None else None
    print(f"{row:<22}{metric:<15}{fmt(vo):>14}{fmt(vi):>14}{(f'{ratio:.2f}' if ratio is not None else '-'):>10}"
          f"  {'higher' if better == 'hi' else 'lower'}")
EOF
