#!/usr/bin/env bash
# The fleet simulator's benchmark (issue 5), on demand, never from CTest. Three rows:
#
#   1. 10,000 IoT Core devices at 1 message/s each (QoS 0) against the embedded broker, in one
#      process: the CPU the simulator and the broker use between them (target: under one core).
#   2. 100,000 anonymous devices at one message per 10 s against the embedded broker, headless,
#      in one process: connected devices, message rate, CPU and memory.
#   3. 1,000 devices over TCP at 10 messages/s each (QoS 1) against Debian's mosquitto and against
#      our broker's open listener, in the same run, with mosquitto_sub counting what arrives:
#      sustained, and nothing lost.
#
# Usage: tests/bench/sim-bench.sh [BUILD_DIR]     (default: build/)
# Environment: DURATION=S (each row, default 60), ROWS="1 2 3" (which rows).
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=${1:-$ROOT/build}
EXE=$BUILD_DIR/app/iotcore-studio
DURATION=${DURATION:-60}
ROWS=${ROWS:-"1 2 3"}
[[ -x $EXE ]] || { echo "sim-bench: $EXE is not built (cmake --build $BUILD_DIR --target iotcore-studio)" >&2; exit 1; }
MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)

WORK=$(mktemp -d /tmp/sim-bench.XXXXXX)
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Runs `simulate ARGS…` under /usr/bin/time; prints "cores rss_mb sent acked connected".
measure() {
    local out=$WORK/simulate.out err=$WORK/simulate.err timing=$WORK/time.out
    /usr/bin/time -f '%e %U %S %M' -o "$timing" "$EXE" simulate "$@" --progress 0 >"$out" 2>"$err" || {
        echo "sim-bench: simulate $* failed:" >&2; cat "$err" >&2; exit 1; }
    local wall user sys rss
    read -r wall user sys rss <"$timing"
    local sent acked connected
    sent=$(sed -n 's/^messages sent \([0-9]*\).*/\1/p' "$out")
    acked=$(sed -n 's/.*acknowledged \([0-9]*\).*/\1/p' "$out")
    connected=$(sed -n 's/.*connected at the end \([0-9]*\).*/\1/p' "$out")
    printf '%s %s %s %s %s\n' \
        "$(awk -v u="$user" -v s="$sys" -v w="$wall" 'BEGIN { printf "%.2f", (u + s) / w }')" \
        "$((rss / 1024))" "$sent" "$acked" "$connected"
}

row() { printf '| %s | %s |\n' "$1" "$2"; }

printf '\nsim-bench: %s, %s s per row, %s cores\n\n' "$(date -u +%Y-%m-%d)" "$DURATION" "$(nproc)"
printf '| row | result |\n|---|---|\n'

if [[ " $ROWS " == *" 1 "* ]]; then
    ws=$WORK/iot10k.iotcore
    "$EXE" sim fleet create -w "$ws" --name meters --template energy-meter --count 10000 \
        --registry-name bench --period 1 >/dev/null 2>&1
    # Period 1 s with jitter sometimes brings two messages closer than the service's 1 message/s
    # per device: the limit is off so that the row measures the work, not the warnings.
    read -r cores rss sent _ connected < <(measure -w "$ws" --duration "$DURATION" --connect-rate 5000 \
        --message-rate-limit off)
    row "10,000 IoT Core devices × 1 msg/s, embedded broker" \
        "$connected connected, $((sent / DURATION)) msg/s, **$cores cores** (simulator + broker), RSS $rss MB"
fi

if [[ " $ROWS " == *" 2 "* ]]; then
    ws=$WORK/open100k.iotcore
    "$EXE" sim fleet create -w "$ws" --name sensors --template thermostat --count 100000 --period 10 >/dev/null 2>&1
    read -r cores rss sent _ connected < <(measure -w "$ws" --duration "$DURATION" --connect-rate 10000)
    row "100,000 devices × 1 msg/10 s, embedded broker, one process" \
        "$connected connected, $((sent / DURATION)) msg/s, $cores cores, RSS $rss MB"
fi

if [[ " $ROWS " == *" 3 "* ]]; then
    ws=$WORK/tcp1k.iotcore
    "$EXE" sim fleet create -w "$ws" --name meters --template energy-meter --count 1000 --period 100ms \
        --qos 1 >/dev/null 2>&1
    for broker in mosquitto iotcore; do
        port=$(free_port)
        if [[ $broker == mosquitto ]]; then
            # No queue limit: the row measures whether the devices' messages arrive, not how
            # many a slow counting subscriber may have waiting (mosquitto's default drops them).
            printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\n' "$port" >"$WORK/mosquitto.conf"
            "$MOSQUITTO" -c "$WORK/mosquitto.conf" >/dev/null 2>&1 &
        else
            "$EXE" serve --open-mqtt "127.0.0.1:$port" --log-level error >/dev/null &
        fi
        PIDS+=($!)
        broker_pid=$!
        for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
        mosquitto_sub -h 127.0.0.1 -p "$port" -q 1 -t 'devices/#' >"$WORK/received" &
        sub_pid=$!
        sleep 0.5
        read -r cores rss sent acked connected < <(measure -w "$ws" --broker "mqtt://127.0.0.1:$port" \
            --duration "$DURATION" --connect-rate 2000)
        # The counting subscriber may lag behind: wait until it has stopped receiving.
        previous=-1
        for _ in $(seq 60); do
            received=$(wc -l <"$WORK/received")
            [[ $received -eq $previous ]] && break
            previous=$received
            sleep 1
        done
        kill "$sub_pid" 2>/dev/null || true
        wait "$sub_pid" 2>/dev/null || true
        received=$(wc -l <"$WORK/received")
        broker_cpu=$(awk '{ printf "%.1f", ($14 + $15) / 100 }' "/proc/$broker_pid/stat" 2>/dev/null || echo "?")
        kill "$broker_pid" 2>/dev/null || true
        wait "$broker_pid" 2>/dev/null || true
        lost=$((sent - received))
        row "1,000 devices × 10 msg/s QoS 1 over TCP → $broker" \
            "$connected connected, $((sent / DURATION)) msg/s sent, $acked acknowledged, $received received, **lost $lost**; simulator $cores cores, broker CPU ${broker_cpu} s"
    done
fi
echo
