#!/usr/bin/env bash
# Server throughput over loopback UDP, measured with bench/server_loadgen.cpp (a closed-loop
# CoAP load generator: N Confirmable requests in flight, recvmmsg/sendmmsg).
#
#   bench/server_throughput.sh            libcoap's coap-server-notls (GET /), and the example
#                                         lwm2m-server (Register, then Update) if it is built
#
# For each server it starts the server on 127.0.0.1 and a free port, runs the generator for
# SECONDS at each in-flight count of INFLIGHT, stops the server and prints a markdown table of
# requests/s, latency p50/p99 and timeouts.
#
# Environment:
#   CXX (default g++)       compiles the generator into BUILD_DIR (default ${TMPDIR:-/tmp}/lwm2m-loadgen)
#   SECONDS_PER_RUN (3)     seconds per measurement        INFLIGHT ("1 16 64")  in-flight counts
#   COAP_SERVER             coap-server-notls (default: from PATH; Debian package libcoap3-bin)
#   COAP_PATH (/)           resource the GET mode asks for
#   LWM2M_SERVER            the lwm2m-server binary (default: the newest build/**/lwm2m-server)
#   LWM2M_SERVER_ARGS       its arguments; @PORT@ is replaced by the port
#                           (default "--address 127.0.0.1 --port @PORT@")
#   LWM2M_CLIENTS (100)     endpoints the generator registers and updates round-robin
# The machine is shared and small: figures are for comparing servers in the same run, not absolutes.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CXX="${CXX:-g++}"
BUILD_DIR="${BUILD_DIR:-${TMPDIR:-/tmp}/lwm2m-loadgen}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-3}"
INFLIGHT="${INFLIGHT:-1 16 64}"
COAP_PATH="${COAP_PATH:-/}"
LWM2M_CLIENTS="${LWM2M_CLIENTS:-100}"
LWM2M_SERVER_ARGS="${LWM2M_SERVER_ARGS:---address 127.0.0.1 --port @PORT@}"
GEN="$BUILD_DIR/server_loadgen"

mkdir -p "$BUILD_DIR"
if [[ ! -x "$GEN" || "$ROOT/bench/server_loadgen.cpp" -nt "$GEN" ]]; then
    nice "$CXX" -std=c++20 -O2 -Wall -Wextra -o "$GEN" "$ROOT/bench/server_loadgen.cpp"
fi

free_port() {
    python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until something answers a CoAP ping (an empty CON; RFC 7252 §4.3) on the port.
wait_ready() {
    local port=$1
    for _ in $(seq 1 50); do
        if python3 - "$port" <<'EOF' 2>/dev/null; then return 0; fi
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.1)
s.sendto(bytes([0x40, 0, 0x12, 0x34]), ("127.0.0.1", int(sys.argv[1])))
d = s.recv(64); sys.exit(0 if len(d) >= 4 and d[2:4] == bytes([0x12, 0x34]) else 1)
EOF
        sleep 0.1
    done
    return 1
}

SERVER_PID=""
STDIN_FD=""
FIFO="$BUILD_DIR/stdin.fifo"
stop_server() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
    if [[ -n "$STDIN_FD" ]]; then
        exec {STDIN_FD}>&-
        STDIN_FD=""
    fi
}
trap stop_server EXIT

# start_server LOG CMD ARGS...: stdin stays open (an lwm2m-server reads commands from it).
start_server() {
    local log=$1
    shift
    rm -f "$FIFO"
    mkfifo "$FIFO"
    exec {STDIN_FD}<>"$FIFO"
    "$@" <&"$STDIN_FD" >"$log" 2>&1 &
    SERVER_PID=$!
}

ROWS=()
# measure NAME MODE PORT EXTRA-ARGS...
measure() {
    local name=$1 mode=$2 port=$3
    shift 3
    for n in $INFLIGHT; do
        local out line
        out="$("$GEN" --host 127.0.0.1 --port "$port" --inflight "$n" --seconds "$SECONDS_PER_RUN" --mode "$mode" "$@" || true)"
        line="$(grep '^RESULT' <<<"$out" | tail -1)"
        echo "$out" | sed 's/^/    /' >&2
        get() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
        if [[ -z "$(get rps)" ]]; then
            ROWS+=("| $name | $mode | $n | failed | | | |")
        else
            ROWS+=("| $name | $mode | $n | $(get rps) | $(get p50_us) | $(get p99_us) | $(get timeouts) |")
        fi
    done
}

# ---- libcoap ------------------------------------------------------------------------------------
COAP_SERVER="${COAP_SERVER:-$(command -v coap-server-notls || true)}"
if [[ -n "$COAP_SERVER" ]]; then
    port="$(free_port)"
    echo "== $COAP_SERVER -A 127.0.0.1 -p $port (GET $COAP_PATH)" >&2
    start_server "$BUILD_DIR/coap-server.log" "$COAP_SERVER" -A 127.0.0.1 -p "$port" -v 0
    if wait_ready "$port"; then
        measure "libcoap coap-server-notls $(dpkg-query -W -f='${Version}' libcoap3-bin 2>/dev/null || true)" get "$port" --path "$COAP_PATH"
    else
        echo "coap-server-notls did not answer on port $port" >&2
    fi
    stop_server
else
    echo "coap-server-notls not found (Debian package libcoap3-bin): libcoap not measured" >&2
fi

# ---- the example lwm2m-server -------------------------------------------------------------------
LWM2M_SERVER="${LWM2M_SERVER:-$(find "$ROOT/build" -type f -name lwm2m-server -perm -u+x -printf '%T@ %p\n' 2>/dev/null | sort -rn | head -1 | cut -d' ' -f2- || true)}"
if [[ -n "$LWM2M_SERVER" && -x "$LWM2M_SERVER" ]]; then
    port="$(free_port)"
    read -r -a args <<<"${LWM2M_SERVER_ARGS//@PORT@/$port}"
    echo "== $LWM2M_SERVER ${args[*]} (Register $LWM2M_CLIENTS endpoints, then Update)" >&2
    start_server "$BUILD_DIR/lwm2m-server.log" "$LWM2M_SERVER" "${args[@]}"
    if wait_ready "$port"; then
        measure "lwm2m-server" lwm2m-update "$port" --clients "$LWM2M_CLIENTS"
    else
        echo "lwm2m-server did not answer on port $port (log: $BUILD_DIR/lwm2m-server.log)" >&2
    fi
    stop_server
else
    echo "lwm2m-server is not built (no build/**/lwm2m-server; set LWM2M_SERVER): not measured" >&2
fi

echo
echo "UDP over loopback, $SECONDS_PER_RUN s per row, $(nproc) CPUs, closed loop (a new request as soon as one completes)."
echo
echo "| server | mode | in flight | requests/s | p50 µs | p99 µs | timeouts |"
echo "|---|---|---:|---:|---:|---:|---:|"
for r in "${ROWS[@]}"; do echo "$r"; done
