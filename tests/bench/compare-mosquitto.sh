#!/usr/bin/env bash
# Runs the shared load matrix (../shared/bench/compare.sh) against Debian's mosquitto and our
# broker in open mode, alternately, in one run, and prints medians and ratios (ours/mosquitto).
# Not part of CTest: benchmarks run on demand, on a quiet machine.
#
#   tests/bench/compare-mosquitto.sh [--quick] [--reps N] [--rows 'fanin-q1 pairs-q1']
#
# Environment: BUILD_DIR (default build), BENCH_DIR (default ../shared/bench beside the repo).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
BENCH_DIR=${BENCH_DIR:-$ROOT/../shared/bench}
BINARY=$BUILD_DIR/app/iotcore-studio

[ -x "$BENCH_DIR/compare.sh" ] || { echo "no load generator at $BENCH_DIR (set BENCH_DIR)" >&2; exit 2; }
if [ ! -x "$BINARY" ]; then
    echo "building $BINARY (Release)" >&2
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$BUILD_DIR" -j"$(nproc)" --target iotcore-studio >/dev/null
fi
exec "$BENCH_DIR/compare.sh" \
    --b "exec $BINARY serve --open-mqtt 127.0.0.1:{port}" --b-name iotcore "$@"
