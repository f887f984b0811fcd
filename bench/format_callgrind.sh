#!/usr/bin/env bash
# Instructions per encode / decode of the Device object instance /3/0 (bench/data/device-3-0.senml.json)
# in each content format, under valgrind's callgrind, next to the Eclipse Wakaama anchors of
# /work/shared/bench-data/README.md (same 12 resources; instruction counts are stable where time is not).
#
#   bench/format_callgrind.sh                       build the driver, measure, print a markdown table
#   bench/format_callgrind.sh profile OP FORMAT     self instructions per operation of each function
#   bench/format_callgrind.sh annotate OP FORMAT    callgrind_annotate (per source line) of N=1001 runs
#   bench/format_callgrind.sh measure OP FORMAT     instructions per operation of one operation only
#                                                   (OP encode|decode|read, FORMAT as in `format_callgrind_driver --list`,
#                                                   or api-floor with decode or read: the API with no parsing)
#
# Two decode figures: `decode`, the pull API (the format's reader, `next()` one record at a time),
# and `read`, the bulk API (format::read_records into a span of 64 records: TLV's own loop,
# tlv::read_records; the other formats the generic loop over any_reader). Eclipse Wakaama's
# decode anchors are of its bulk parse into an array, so the ratios are taken on `read`.
# The decode target of TLV applies to `read`; those of the SenML formats (set before the bulk
# API was measured) to `decode`.
#
# Per-operation instructions = (I(N=1001) - I(N=1)) / 1000, N = iterations of the one operation
# inside bench/format_callgrind_driver.cpp, so start-up, data loading and first-call costs cancel out.
# Exit status: 0 when every target is met, 1 when one is missed, 2 on a setup error.
#
# Environment: CXX (default g++), CXXFLAGS_EXTRA, BUILD_DIR (default ${TMPDIR:-/tmp}/lwm2m-format-callgrind),
# LWM2M_INCLUDE (default <repo>/include: point it at a copy of the headers to try a change).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CXX="${CXX:-g++}"
BUILD_DIR="${BUILD_DIR:-${TMPDIR:-/tmp}/lwm2m-format-callgrind}"
INCLUDE="${LWM2M_INCLUDE:-$ROOT/include}"
DRIVER="$BUILD_DIR/format_callgrind_driver"
N_LOW=1
N_HIGH=1001

command -v valgrind >/dev/null || { echo "format_callgrind.sh: valgrind not found" >&2; exit 2; }
mkdir -p "$BUILD_DIR"

# ---- build --------------------------------------------------------------------------------------
# -g only adds line tables for callgrind_annotate (DWARF 4: valgrind 3.19 does not read clang 14's DWARF 5); it does not change the generated code.
"$CXX" -std=c++20 -O2 -g -gdwarf-4 -DNDEBUG -Wall -Wextra -Wpedantic -Werror ${CXXFLAGS_EXTRA:-} \
    -I"$INCLUDE" -DLWM2M_BENCH_DATA_DIR="\"$ROOT/bench/data\"" \
    "$ROOT/bench/format_callgrind_driver.cpp" -o "$DRIVER"

# ---- measure ------------------------------------------------------------------------------------
total_instructions() {  # op format n -> total Ir of the whole run
    local out="$BUILD_DIR/callgrind.$1.$2.$3.out"
    valgrind -q --tool=callgrind --callgrind-out-file="$out" "$DRIVER" "$1" "$2" "$3" >/dev/null
    awk '/^(summary|totals):/ { print $2; exit }' "$out"
}
per_op() {  # op format -> instructions per operation
    local lo hi
    lo="$(total_instructions "$1" "$2" "$N_LOW")"
    hi="$(total_instructions "$1" "$2" "$N_HIGH")"
    awk -v lo="$lo" -v hi="$hi" -v n=$((N_HIGH - N_LOW)) 'BEGIN { printf "%.0f", (hi - lo) / n }'
}

if [[ "${1:-}" == profile ]]; then
    # Self instructions per operation of each function: the N=1 profile subtracted from N=1001.
    op="${2:?operation}"; fmt="${3:?format}"
    for n in "$N_LOW" "$N_HIGH"; do
        valgrind -q --tool=callgrind --callgrind-out-file="$BUILD_DIR/callgrind.$op.$fmt.$n.out" "$DRIVER" "$op" "$fmt" "$n" >/dev/null
        callgrind_annotate --inclusive=no --auto=no --threshold=100 "$BUILD_DIR/callgrind.$op.$fmt.$n.out" 2>/dev/null \
            | awk '/file:function/ { on = 1; next }
                   on && match($0, /^ *[0-9][0-9,]*/) { n = substr($0, RSTART, RLENGTH); gsub(/[ ,]/, "", n);
                       rest = substr($0, RSTART + RLENGTH); sub(/^ +(\( *[0-9.]+%\) +)?/, "", rest); print n "\t" rest }' \
            >"$BUILD_DIR/profile.$op.$fmt.$n.tsv"
    done
    echo "Self instructions per operation, $op $fmt (functions with >= 0.5 per op):"
    awk -F'\t' -v n=$((N_HIGH - N_LOW)) 'NR == FNR { lo[$2] += $1; next }
        { d = ($1 - lo[$2]) / n; if (d >= 0.5) printf "%8.1f  %s\n", d, $2 }' \
        "$BUILD_DIR/profile.$op.$fmt.$N_LOW.tsv" "$BUILD_DIR/profile.$op.$fmt.$N_HIGH.tsv" | sort -rn
    exit 0
fi

if [[ "${1:-}" == annotate ]]; then
    op="${2:?operation}"; fmt="${3:?format}"
    out="$BUILD_DIR/callgrind.$op.$fmt.annotate.out"
    valgrind -q --tool=callgrind --dump-instr=yes --callgrind-out-file="$out" "$DRIVER" "$op" "$fmt" "$N_HIGH" >/dev/null
    callgrind_annotate --inclusive=yes --auto=yes --show-percs=no "$out" 2>/dev/null \
        || callgrind_annotate --inclusive=yes --auto=yes "$out"
    exit 0
fi

if [[ "${1:-}" == measure ]]; then
    op="${2:?operation}"; fmt="${3:?format}"
    echo "$op $fmt: $(per_op "$op" "$fmt") instructions per operation"
    exit 0
fi

declare -A I SIZE
mapfile -t FORMATS < <("$DRIVER" --list)
while read -r fmt size; do SIZE[$fmt]="$size"; done < <("$DRIVER" --sizes)
for fmt in "${FORMATS[@]}"; do
    for op in encode decode read; do
        I[$op.$fmt]="$(per_op "$op" "$fmt")"
    done
done

# Eclipse Wakaama on the same Device instance (README of the shared bench data): encode / decode.
declare -A ANCHOR=([tlv]="3275 / 8215" [senml-json]="6145 / 40496" [senml-cbor]="8370 / 23435")
declare -A ANCHOR_SIZE=([tlv]=112 [senml-json]=344 [senml-cbor]=177)
# Targets (instructions per operation): encode decode.
declare -A TARGET=([tlv]="600 800" [senml-json]="1500 4000" [senml-cbor]="1200 2000")
# Which decode figure the decode target applies to (see the header).
declare -A TARGET_DECODE_OP=([tlv]=read [senml-json]=decode [senml-cbor]=decode)

status=0
wak=()
echo "Instructions per operation on Device /3/0, 14 records (valgrind callgrind, $("$CXX" --version | head -1),"
echo "-O2 -DNDEBUG; (I(N=$N_HIGH) - I(N=$N_LOW)) / $((N_HIGH - N_LOW))). Pull decode = the format's reader with the"
echo "schema registry, next() one record at a time, every record consumed whole; bulk read = read_records"
echo "with the registry into a span of 64 records, then every record consumed whole; encode = write_records"
echo "into a 1 KiB buffer. Targets: encode, and decode on the figure marked *."
echo
echo "| format | encoded size | encode instr/op | pull decode instr/op | bulk read instr/op | Wakaama anchor encode / decode | target encode / decode | met? |"
echo "|---|---:|---:|---:|---:|---:|---:|---|"
for fmt in "${FORMATS[@]}"; do
    enc="${I[encode.$fmt]}"; pull="${I[decode.$fmt]}"; bulk="${I[read.$fmt]}"
    dec="$pull"
    [[ "${TARGET_DECODE_OP[$fmt]:-}" == read ]] && dec="$bulk"
    pull_cell="$pull"; bulk_cell="$bulk"
    if [[ -n "${TARGET_DECODE_OP[$fmt]:-}" ]]; then
        if [[ "${TARGET_DECODE_OP[$fmt]}" == read ]]; then bulk_cell="$bulk *"; else pull_cell="$pull *"; fi
    fi
    size="${SIZE[$fmt]} B"
    [[ -n "${ANCHOR_SIZE[$fmt]:-}" ]] && size="$size (Wakaama ${ANCHOR_SIZE[$fmt]} B)"
    anchor="${ANCHOR[$fmt]:-n/a}"
    target="n/a"; met="n/a (no target)"
    if [[ -n "${TARGET[$fmt]:-}" ]]; then
        read -r te td <<<"${TARGET[$fmt]}"
        target="≤ $te / ≤ $td"
        met=""
        if (( enc <= te )); then met+="encode yes"; else met+="encode **NO** ($(awk -v v="$enc" -v t="$te" 'BEGIN { printf "%.1fx", v / t }') the target)"; status=1; fi
        if (( dec <= td )); then met+=", decode yes"; else met+=", decode **NO** ($(awk -v v="$dec" -v t="$td" 'BEGIN { printf "%.1fx", v / t }') the target)"; status=1; fi
        wak+=("$fmt $(awk -v a="${ANCHOR[$fmt]%% *}" -v o="$enc" 'BEGIN { printf "%.2f", a / o }') / $(awk -v a="${ANCHOR[$fmt]##* }" -v o="$bulk" 'BEGIN { printf "%.2f", a / o }')")
    fi
    echo "| $fmt | $size | $enc | $pull_cell | $bulk_cell | $anchor | $target | $met |"
done
echo
echo "Wakaama instructions / ours (above 1: we execute fewer), encode / bulk read: $(IFS=';'; echo "${wak[*]}" | sed 's/;/; /g')."
echo "Reference: the pull API alone, \`result<optional<record>> next()\` handing out the 14 ready records"
echo "with no parsing, consumed by the same loop (no reader can decode for less): $(per_op decode api-floor) instr/op;"
echo "the bulk API alone, the 14 ready records copied into the span and consumed: $(per_op read api-floor) instr/op."
exit $status
