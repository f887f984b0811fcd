#!/usr/bin/env bash
# Instruction counts per CoAP operation on the reference datagrams, ours vs libcoap, measured
# under valgrind's callgrind in the same run (instruction counts are stable where time is not).
#
#   bench/callgrind.sh                  build the driver, measure, print a markdown table
#   bench/callgrind.sh profile OP MSG   self instructions per operation of each function
#   bench/callgrind.sh annotate OP MSG  callgrind_annotate (per source line) of N=1001 runs
#                                       (OP as in `callgrind_driver --list`, MSG register|response|notify)
#
# Per-operation instructions = (I(N=1001) - I(N=1)) / 1000, N = iterations of the one operation
# inside bench/callgrind_driver.cpp, so start-up, data loading and first-call costs cancel out.
#
# Environment: CXX (default g++), CXXFLAGS_EXTRA, BUILD_DIR (default ${TMPDIR:-/tmp}/lwm2m-callgrind),
# LWM2M_NO_LIBCOAP=1 to measure ours only, LWM2M_INCLUDE (default <repo>/include: a copy of the headers to try a change). Needs valgrind; libcoap via pkg-config libcoap-3-notls.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CXX="${CXX:-g++}"
BUILD_DIR="${BUILD_DIR:-${TMPDIR:-/tmp}/lwm2m-callgrind}"
DRIVER="$BUILD_DIR/callgrind_driver"
MESSAGES=(register response notify)
N_LOW=1
N_HIGH=1001

command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind not found" >&2; exit 2; }
mkdir -p "$BUILD_DIR"

# ---- build --------------------------------------------------------------------------------------
coap_flags=()
coap_libs=()
if [[ "${LWM2M_NO_LIBCOAP:-0}" != 1 ]] && pkg-config --exists libcoap-3-notls 2>/dev/null; then
    coap_flags=(-DLWM2M_HAVE_LIBCOAP=1 $(pkg-config --cflags libcoap-3-notls))
    coap_libs=($(pkg-config --libs libcoap-3-notls))
    HAVE_LIBCOAP=1
else
    HAVE_LIBCOAP=0
fi
# -g only adds line tables for callgrind_annotate (DWARF 4: valgrind 3.19 does not read clang 14's DWARF 5); it does not change the generated code.
"$CXX" -std=c++20 -O2 -g -gdwarf-4 -DNDEBUG -Wall -Wextra -Wpedantic -Werror ${CXXFLAGS_EXTRA:-} \
    -I"${LWM2M_INCLUDE:-$ROOT/include}" -DLWM2M_BENCH_DATA_DIR="\"$ROOT/bench/data\"" "${coap_flags[@]}" \
    "$ROOT/bench/callgrind_driver.cpp" -o "$DRIVER" "${coap_libs[@]}"

# ---- measure ------------------------------------------------------------------------------------
total_instructions() {  # op msg n -> total Ir of the whole run
    local out="$BUILD_DIR/callgrind.$1.$2.$3.out"
    valgrind -q --tool=callgrind --callgrind-out-file="$out" "$DRIVER" "$1" "$2" "$3" >/dev/null
    awk '/^(summary|totals):/ { print $2; exit }' "$out"
}
per_op() {  # op msg -> instructions per operation
    local lo hi
    lo="$(total_instructions "$1" "$2" "$N_LOW")"
    hi="$(total_instructions "$1" "$2" "$N_HIGH")"
    awk -v lo="$lo" -v hi="$hi" -v n=$((N_HIGH - N_LOW)) 'BEGIN { printf "%.0f", (hi - lo) / n }'
}

if [[ "${1:-}" == profile ]]; then
    # Self instructions per operation of each function: the N=1 profile subtracted from N=1001.
    op="${2:?operation}"; msg="${3:?message}"
    for n in "$N_LOW" "$N_HIGH"; do
        valgrind -q --tool=callgrind --callgrind-out-file="$BUILD_DIR/callgrind.$op.$msg.$n.out" "$DRIVER" "$op" "$msg" "$n" >/dev/null
        callgrind_annotate --inclusive=no --auto=no --threshold=100 "$BUILD_DIR/callgrind.$op.$msg.$n.out" 2>/dev/null \
            | awk '/file:function/ { on = 1; next }
                   on && match($0, /^ *[0-9][0-9,]*/) { n = substr($0, RSTART, RLENGTH); gsub(/[ ,]/, "", n);
                       rest = substr($0, RSTART + RLENGTH); sub(/^ +(\( *[0-9.]+%\) +)?/, "", rest); print n "\t" rest }' \
            >"$BUILD_DIR/profile.$op.$msg.$n.tsv"
    done
    echo "Self instructions per operation, $op on $msg (functions with >= 0.5 per op):"
    awk -F'\t' -v n=$((N_HIGH - N_LOW)) 'NR == FNR { lo[$2] += $1; next }
        { d = ($1 - lo[$2]) / n; if (d >= 0.5) printf "%8.1f  %s\n", d, $2 }' \
        "$BUILD_DIR/profile.$op.$msg.$N_LOW.tsv" "$BUILD_DIR/profile.$op.$msg.$N_HIGH.tsv" | sort -rn
    exit 0
fi

if [[ "${1:-}" == annotate ]]; then
    op="${2:?operation}"; msg="${3:?message}"
    out="$BUILD_DIR/callgrind.$op.$msg.annotate.out"
    valgrind -q --tool=callgrind --dump-instr=yes --callgrind-out-file="$out" "$DRIVER" "$op" "$msg" "$N_HIGH" >/dev/null
    callgrind_annotate --inclusive=yes --auto=yes --show-percs=no "$out" 2>/dev/null \
        || callgrind_annotate --inclusive=yes --auto=yes "$out"
    exit 0
fi

declare -A I
ops=(ours-parse-walk ours-build-builder ours-build-writer floor-parse-walk)
[[ $HAVE_LIBCOAP == 1 ]] && ops+=(libcoap-parse-walk libcoap-parse-walk-alloc libcoap-build)
for op in "${ops[@]}"; do
    for msg in "${MESSAGES[@]}"; do
        I[$op.$msg]="$(per_op "$op" "$msg")"
    done
done

triple() { echo "${I[$1.register]} / ${I[$1.response]} / ${I[$1.notify]}"; }
ratios() {  # theirs ours
    local r=()
    for msg in "${MESSAGES[@]}"; do
        r+=("$(awk -v t="${I[$1.$msg]}" -v o="${I[$2.$msg]}" 'BEGIN { printf "%.2fx", t / o }')")
    done
    echo "${r[0]} / ${r[1]} / ${r[2]}"
}
row() {  # label ours-op libcoap-op
    local lib="n/a" ratio="n/a"
    if [[ $HAVE_LIBCOAP == 1 ]]; then lib="$(triple "$3")"; ratio="$(ratios "$3" "$2")"; fi
    echo "| $1 | ${I[$2.register]} | ${I[$2.response]} | ${I[$2.notify]} | $lib | $ratio |"
}

echo "Instructions per operation (valgrind callgrind, $("$CXX" --version | head -1), -O2 -DNDEBUG;"
echo "(I(N=$N_HIGH) - I(N=$N_LOW)) / $((N_HIGH - N_LOW))). libcoap and ratio columns: register / response / notify."
echo
echo "| operation | register | response | notify | libcoap | ratio libcoap/ours |"
echo "|---|---:|---:|---:|---:|---:|"
row "parse + walk (coap::parse)" ours-parse-walk libcoap-parse-walk
row "build into the caller buffer (message_writer)" ours-build-writer libcoap-build
row "build from stored options (message_builder<>)" ours-build-builder libcoap-build
echo
echo "Reference: a minimal one-pass zero-copy walker (bounds checks only; the README's practical floor): $(triple floor-parse-walk)"
if [[ $HAVE_LIBCOAP == 1 ]]; then
    echo "libcoap parse + walk with the PDU allocated and freed per message (coap_pdu_init/coap_delete_pdu): $(triple libcoap-parse-walk-alloc)"
fi

# ---- targets ------------------------------------------------------------------------------------
echo
status=0
check() {  # label value op limit
    if awk -v v="$2" -v l="$4" "BEGIN { exit !(v $3 l) }"; then echo "- PASS $1: $2 $3 $4"
    else echo "- MISS $1: $2 (target $3 $4)"; status=1; fi
}
limits=(460 130 200)
for i in 0 1 2; do
    msg="${MESSAGES[$i]}"
    check "parse+walk $msg" "${I[ours-parse-walk.$msg]}" "<=" "${limits[$i]}"
    if [[ $HAVE_LIBCOAP == 1 ]]; then
        check "parse+walk $msg vs libcoap (x fewer)" "$(awk -v t="${I[libcoap-parse-walk.$msg]}" -v o="${I[ours-parse-walk.$msg]}" 'BEGIN { printf "%.2f", t / o }')" ">=" 4
        check "build (message_writer) $msg vs libcoap (x fewer)" "$(awk -v t="${I[libcoap-build.$msg]}" -v o="${I[ours-build-writer.$msg]}" 'BEGIN { printf "%.2f", t / o }')" ">=" 4
        # For information: the builder that stores options and serializes later costs a second pass.
        echo "- INFO build (message_builder) $msg vs libcoap (x fewer): $(awk -v t="${I[libcoap-build.$msg]}" -v o="${I[ours-build-builder.$msg]}" 'BEGIN { printf "%.2f", t / o }')"
    fi
done
exit $status
