#!/usr/bin/env bash
# IoT Core Studio on a fresh Debian 12 / Ubuntu 24.04 machine: install what is missing, build, and
# run the application or every test.
#
#   installer/dev-setup.sh run [ARGS...]   build (Release) and start iotcore-studio with ARGS
#                                          (no ARGS: DEFAULT_RUN_ARGS, below)
#   installer/dev-setup.sh test            build (Release) and run every test with CTest, then an
#                                          ASan/UBSan Debug build of the engine tests and
#                                          of the broker, run against the interop tests
#
# Environment:
#   BUILD_DIR=DIR        the Release build (default: build/ in the repository)
#   ASAN_BUILD_DIR=DIR   the sanitizer build (default: build-asan/ in the repository)
#   SKIP_ASAN=1          test: skip the sanitizer build
#   SKIP_PACKAGES=1      do not check or install Debian packages (you provide the dependencies)
#   JOBS=N               parallel build jobs (default: nproc)
set -Eeuo pipefail

# What `run` starts when given no arguments: the registry console on the demo workspace (a
# registry "demo" with a few devices and a simulated fleet sending), served on 127.0.0.1:1883 (IoT Core), 8883 (IoT Core over
# TLS) and 1884 (open mode); a port in use is replaced by a free one, shown in the status bar.
DEFAULT_RUN_ARGS=(--demo)

BUILD_PACKAGES=(
    build-essential cmake ninja-build pkg-config
    qt6-base-dev qt6-websockets-dev qt6-charts-dev qt6-httpserver-dev libqt6sql6-sqlite
    qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libgl-dev libssl-dev
    libqt6opengl6-dev qt6-qpa-plugins
)
# (apt-get runs with --no-install-recommends; the last two are recommendations that matter:
# Qt Charts' CMake package needs Qt6OpenGL, and the GUI needs the xcb/wayland platform plugins.)
TEST_PACKAGES=(
    mosquitto mosquitto-clients libmosquitto-dev python3-paho-mqtt python3-websocket openssl
)

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
absolute() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }
BUILD_DIR=$(absolute "${BUILD_DIR:-$ROOT/build}")
ASAN_BUILD_DIR=$(absolute "${ASAN_BUILD_DIR:-$ROOT/build-asan}")
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

step() { printf '\n==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die() { printf '\ndev-setup: error: %s\n' "$*" >&2; exit 1; }
trap 'die "command failed (line $LINENO): $BASH_COMMAND"' ERR

usage() {
    sed -n '2,/^set -E/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
    printf '\nDEFAULT_RUN_ARGS: %s\n' "${DEFAULT_RUN_ARGS[*]}"
    exit "${1:-0}"
}

# --- packages -----------------------------------------------------------------------------------

SUDO=()
as_root() {
    if [[ $EUID -ne 0 && ${#SUDO[@]} -eq 0 ]]; then
        command -v sudo >/dev/null || die "not running as root and sudo is not installed: run this as root, or install sudo"
        SUDO=(sudo)
    fi
    "${SUDO[@]}" "$@"
}

is_installed() {
    [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]
}

# Debian's mosquitto package enables and starts a system broker on port 1883. Tests start their
# own brokers on free ports and `run` wants 1883, so a broker this script brought in is stopped
# and disabled again.
stop_packaged_mosquitto() {
    step "Stopping the system mosquitto service the package just started (tests run their own)"
    if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
        as_root systemctl disable --now mosquitto.service >/dev/null 2>&1 || true
    else
        as_root service mosquitto stop >/dev/null 2>&1 || true
        as_root update-rc.d mosquitto disable >/dev/null 2>&1 || true
    fi
    info "to have it back: sudo systemctl enable --now mosquitto"
}

install_packages() {
    local wanted=("$@") missing=() p
    if [[ ${SKIP_PACKAGES:-0} == 1 ]]; then
        step "Skipping the package check (SKIP_PACKAGES=1)"
        return
    fi
    step "Checking Debian packages (${#wanted[@]})"
    { command -v dpkg-query && command -v apt-get; } >/dev/null ||
        die "this is not a Debian or Ubuntu system (no dpkg/apt-get). Install the equivalents of: ${wanted[*]}; then run again with SKIP_PACKAGES=1"
    for p in "${wanted[@]}"; do
        is_installed "$p" || missing+=("$p")
    done
    if [[ ${#missing[@]} -eq 0 ]]; then
        info "all installed"
        return
    fi
    info "missing: ${missing[*]}"
    step "Installing ${#missing[@]} package(s) with apt-get$([[ $EUID -ne 0 ]] && echo ' (through sudo)')"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q ||
        die "apt-get update failed (network? sources.list?)"
    local unavailable=()
    for p in "${missing[@]}"; do
        apt-cache show "$p" >/dev/null 2>&1 || unavailable+=("$p")
    done
    [[ ${#unavailable[@]} -eq 0 ]] ||
        die "not available from your apt sources: ${unavailable[*]} (Debian 12 and Ubuntu 24.04 have them; Qt 6.4 or newer is needed)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null ||
        die "apt-get install failed for: ${missing[*]}"
    if printf '%s\n' "${missing[@]}" | grep -qx mosquitto; then
        stop_packaged_mosquitto
    fi
}

# --- build --------------------------------------------------------------------------------------

configure() {
    local dir=$1 what=$2
    shift 2
    if [[ -f $dir/CMakeCache.txt ]]; then
        local generator
        generator=$(sed -n 's/^CMAKE_GENERATOR:INTERNAL=//p' "$dir/CMakeCache.txt")
        [[ $generator == Ninja ]] ||
            die "$dir was configured with '$generator', not Ninja: remove it or choose another directory (BUILD_DIR / ASAN_BUILD_DIR)"
    fi
    step "Configuring the $what build in $dir"
    cmake -S "$ROOT" -B "$dir" -G Ninja "$@" || die "CMake could not configure the $what build (see above)"
}

build() {
    local dir=$1 what=$2
    shift 2
    step "Building the $what build with $JOBS job(s)${*:+ (targets: $*)}"
    local targets=()
    [[ $# -gt 0 ]] && targets=(--target "$@")
    cmake --build "$dir" -j "$JOBS" "${targets[@]}" || die "the $what build failed (see the compiler output above)"
}

release_build() {
    configure "$BUILD_DIR" Release -DCMAKE_BUILD_TYPE=Release "$@"
}

# --- commands -----------------------------------------------------------------------------------

cmd_run() {
    install_packages "${BUILD_PACKAGES[@]}"
    release_build
    build "$BUILD_DIR" Release iotcore-studio
    local exe=$BUILD_DIR/app/iotcore-studio args=("$@")
    [[ -x $exe ]] || die "$exe was not built"
    if [[ ${#args[@]} -eq 0 ]]; then
        args=("${DEFAULT_RUN_ARGS[@]}")
        if [[ -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} ]]; then
            die "no display to open the console on (DISPLAY and WAYLAND_DISPLAY are unset). Headless, run the broker and the simulator instead: installer/dev-setup.sh run serve --open-mqtt 127.0.0.1:1883"
        fi
        step "Starting the console on the demo workspace (a registry, its devices and a simulated fleet sending)"
        info "the embedded broker listens on 127.0.0.1:1883 (IoT Core), 8883 (IoT Core over TLS) and 1884 (open mode)"
    else
        step "Starting iotcore-studio ${args[*]}"
    fi
    trap - ERR
    exec "$exe" "${args[@]}"
}

cmd_test() {
    [[ $# -eq 0 ]] || die "test takes no arguments (got: $*)"
    local started=$SECONDS
    install_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    release_build -DIOTCORE_BUILD_TESTS=ON
    build "$BUILD_DIR" Release
    step "Running every test (ctest -j2) in $BUILD_DIR"
    ctest --test-dir "$BUILD_DIR" --output-on-failure -j2 || die "tests failed in $BUILD_DIR (see above)"

    if [[ ${SKIP_ASAN:-0} == 1 ]]; then
        step "Skipping the ASan/UBSan build (SKIP_ASAN=1)"
    else
        configure "$ASAN_BUILD_DIR" "ASan/UBSan" -DCMAKE_BUILD_TYPE=Debug -DIOTCORE_SANITIZE=ON -DIOTCORE_BUILD_TESTS=ON -DIOTCORE_BUILD_GUI=OFF
        # Only what the engine tests need, not the whole application.
        local engine_tests=() all_targets t
        mapfile -t engine_tests < <(ctest --test-dir "$ASAN_BUILD_DIR" -N -L engine | sed -n 's/^ *Test *#[0-9]*: *//p')
        [[ ${#engine_tests[@]} -gt 0 ]] || die "no tests carry the label 'engine' in $ASAN_BUILD_DIR"
        all_targets=$(ninja -C "$ASAN_BUILD_DIR" -t targets all 2>/dev/null | sed 's/:.*//' || true)
        for t in "${engine_tests[@]}"; do
            grep -qx -- "$t" <<<"$all_targets" || { engine_tests=(); break; }
        done
        [[ ${#engine_tests[@]} -gt 0 ]] && engine_tests+=(iotcore-studio)
        build "$ASAN_BUILD_DIR" "ASan/UBSan" "${engine_tests[@]}"
        step "Running the engine tests under ASan/UBSan in $ASAN_BUILD_DIR"
        ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:check_initialization_order=1:strict_init_order=1} \
        UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
            ctest --test-dir "$ASAN_BUILD_DIR" --output-on-failure -j2 -L engine ||
            die "engine tests failed under ASan/UBSan in $ASAN_BUILD_DIR (see above)"
        # The broker itself under the sanitizers, driven by the third-party clients: whatever they
        # send must not make it misbehave. (Leak checks are for the engine tests above: Qt's
        # process-lifetime allocations would be reported at every exit.)
        step "Running the interop tests against the ASan/UBSan broker"
        ASAN_OPTIONS=detect_leaks=0 \
        UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
            ctest --test-dir "$ASAN_BUILD_DIR" --output-on-failure -j2 -L interop ||
            die "interop tests failed against the ASan/UBSan broker in $ASAN_BUILD_DIR (see above)"
    fi
    step "All tests passed ($((SECONDS - started)) s)"
}

case ${1:-} in
    run) shift; cmd_run "$@" ;;
    test) shift; cmd_test "$@" ;;
    -h|--help|help) usage 0 ;;
    *) printf 'usage: installer/dev-setup.sh run [ARGS...] | test\n\n' >&2; usage 2 >&2 ;;
esac
