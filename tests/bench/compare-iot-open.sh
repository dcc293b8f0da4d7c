#!/usr/bin/env bash
# The cost of IoT Core mode: the same load (../shared/bench/mqttload) through an IoT Core listener,
# as the clients of an IoT Core broker entity (password checked at CONNECT, the topic policy asked
# on every PUBLISH and SUBSCRIBE, topics routed in the broker's own space), and through the open
# listener of the same process, alternately. Prints msg/s and broker CPU s per million for each.
#
#   tests/bench/compare-iot-open.sh [REPS]
#
# mqttload gives every client the same username template with {i} = 0..N-1, so it cannot act as
# per-device identities with the service's 20-character ids; the broker model is what it can drive.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BINARY=${BUILD_DIR:-$ROOT/build}/app/iotcore-studio
BENCH_DIR=${BENCH_DIR:-$ROOT/../shared/bench}
REPS=${1:-3}
LOAD=$(mktemp -d)/mqttload
cc -O2 -o "$LOAD" "$BENCH_DIR/mqttload.c" -lmosquitto -lpthread
WORK=$(mktemp -d)
PASSWORD='Bench-Passw0rd!x'
BROKER_ID=$("$BINARY" iot broker create -w "$WORK/bench.iotcore" --name bench --password "$PASSWORD" \
    --format json | sed -n 's/.*"id": "\([^"]*\)".*/\1/p')
"$BINARY" serve -w "$WORK/bench.iotcore" --mqtt 127.0.0.1:0 --open-mqtt 127.0.0.1:0 \
    --message-rate-limit off --log-level warning > "$WORK/ready" 2>/dev/null &
PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do [ "$(wc -l < "$WORK/ready")" -ge 2 ] && break; sleep 0.1; done
IOT_PORT=$(sed -n 's/^ready mqtt .*:\([0-9]*\)$/\1/p' "$WORK/ready")
OPEN_PORT=$(sed -n 's/^ready open-mqtt .*:\([0-9]*\)$/\1/p' "$WORK/ready")
for rep in $(seq "$REPS"); do
    for mode in open iot; do
        if [ $mode = open ]; then args=(-p "$OPEN_PORT"); else args=(-p "$IOT_PORT" --username "$BROKER_ID" --password "$PASSWORD"); fi
        for row in "fanin --clients 50 --qos 1" "pairs --clients 100 --qos 1" "fanout --clients 100 --qos 0"; do
            result=$("$LOAD" $row "${args[@]}" --duration 3 --warmup 1 --broker-pid $PID 2>/dev/null | grep '^RESULT')
            printf '%s %-28s %s\n' "$mode" "$row" \
                "$(grep -o 'msg_per_s=[0-9]*\|lost=[0-9]*\|cpu_s_per_M=[0-9.]*' <<<"$result" | tr '\n' ' ')"
        done
    done
done
