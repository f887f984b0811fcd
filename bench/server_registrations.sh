#!/usr/bin/env bash
# Registration scale of the server engine, measured with bench/server_registrations.cpp
# (sans-I/O: real Register/Update datagrams fed to engine.on_datagram, no sockets).
#
#   bench/server_registrations.sh                 N = 100000 and 1000000, default slot
#   COUNTS="100000" SLOT=compact bench/server_registrations.sh
#
# Builds the program with -O2 into BUILD_DIR, runs it once per N (each N in its own process, so
# VmRSS/VmHWM are per run) and prints a markdown table: bytes per registration (sizeof the slot,
# slot + index storage, measured resident memory) and operations per second of engine time.
# N that needs more memory than MemAvailable (estimated at 1 KiB per registration) is skipped.
#
# Environment:
#   CXX (default g++)        BUILD_DIR (default ${TMPDIR:-/tmp}/lwm2m-server-registrations)
#   COUNTS ("100000 1000000") registrations per run      MODE (all)  all | steady | expiry
#   SLOT (default)           default (MaxLinks 64) | compact (MaxLinks 8)
#   STORAGE (vector)         vector | mmap | mmap-huge (MADV_HUGEPAGE)
# The machine is shared and small: rates are indicative; the memory figures are exact.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CXX="${CXX:-g++}"
BUILD_DIR="${BUILD_DIR:-${TMPDIR:-/tmp}/lwm2m-server-registrations}"
COUNTS="${COUNTS:-100000 1000000}"
MODE="${MODE:-all}"
SLOT="${SLOT:-default}"
STORAGE="${STORAGE:-vector}"
BIN="$BUILD_DIR/server_registrations"

mkdir -p "$BUILD_DIR"
if [[ ! -x "$BIN" || "$ROOT/bench/server_registrations.cpp" -nt "$BIN" ||
      -n "$(find "$ROOT/include/lwm2m" -name '*.hpp' -newer "$BIN" -print -quit)" ]]; then
    echo "== building $BIN" >&2
    nice "$CXX" -std=c++20 -O2 -Wall -Wextra -Wpedantic -Werror -I"$ROOT/include" -o "$BIN" \
        "$ROOT/bench/server_registrations.cpp"
fi

avail_kib="$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)"
ROWS=()
status=0
for n in $COUNTS; do
    if (( n > avail_kib )); then  # ~1 KiB per registration at most
        echo "== N=$n skipped: MemAvailable is ${avail_kib} KiB" >&2
        ROWS+=("| $n | skipped (MemAvailable ${avail_kib} KiB) | | | | | | | | | |")
        continue
    fi
    echo "== $BIN --count $n --mode $MODE --slot $SLOT --storage $STORAGE" >&2
    out="$(nice "$BIN" --count "$n" --mode "$MODE" --slot "$SLOT" --storage "$STORAGE")" || status=1
    echo "$out" | grep -v '^RESULT' | sed 's/^/    /' >&2
    line="$(grep '^RESULT' <<<"$out" | tail -1 || true)"
    get() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
    if [[ -z "$line" ]]; then
        ROWS+=("| $n | failed | | | | | | | | | |")
        continue
    fi
    ROWS+=("| $n | $(get slot_bytes) | $(get storage_bytes_per_reg) | $(get rss_bytes_per_reg) | $(( $(get hwm_end_kib) / 1024 )) | $(get register_per_s) | $(get update_per_s) | $(get by_name_per_s) | $(get by_loc_per_s) | $(get by_peer_per_s) | $(get expiry_per_s) |")
done

echo
echo "server::engine, slot $SLOT, storage $STORAGE, mode $MODE, $(nproc) CPUs; rates are per second of engine time"
echo "(on_datagram + poll_transmit; lookups; one on_timeout expiring all). Empty cells: phase not run."
echo
echo "| N | slot B | storage B/reg | RSS B/reg | VmHWM MiB | register/s | update/s | find name/s | find location/s | find peer/s | expire/s |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for r in "${ROWS[@]}"; do echo "$r"; done
exit "$status"
