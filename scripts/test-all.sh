#!/usr/bin/env bash
# The one test command (README and .ci/run call exactly this).
#
# Stages, each timed and reported PASS/FAIL:
#   lists   scripts/check-lists.sh (cmake/lists/*.txt match the tree)
#   dev     CMake preset ci (the dev preset, g++ Debug, without debug information): configure,
#           build, ctest (every test)
#   meson   Meson with clang++ and ASan+UBSan in build/meson-asan: every header compiled alone
#           (without exceptions/RTTI), tests and examples built and run, so the interop
#           tests drive sanitized example programs. Skips `footprint` (the same arm-none-eabi
#           build as in dev) and the corpus replays (-Dfuzz_replay=false: the fuzz stage runs
#           every corpus under the same sanitizers; dev replays them with g++). The large
#           random tests run a fraction of their cases here (tests/support/sanitized.hpp).
#   fuzz    CMake preset fuzz (libFuzzer): build, then run every fuzzer of fuzzers.txt for
#           LWM2M_FUZZ_SECONDS (default 6) on a copy of its corpus, two at a time (a smoke run
#           that replays the corpus and explores briefly; longer campaigns are run by hand)
# (the consumer tests run inside ctest: test `consumers`). The CMake presets `asan` and
# `clang` are there for local use; CI covers clang and the sanitizers through Meson.
#
# Environment:
#   LWM2M_QUICK=1          skip meson and fuzz (fast local iteration)
#   LWM2M_FUZZ_SECONDS=N   seconds per fuzzer (default 6)
#   LWM2M_JOBS=N           parallel jobs for meson and the fuzzers (default 2; presets use 2)
#   LWM2M_STAGES=a,b       run only these stages (e.g. LWM2M_STAGES=meson,fuzz)
# Build directories under build/ are reused (incremental). Logs: build/test-all/<stage>.log
# Last line: "test-all: N passed, M failed" (stages); exit status non-zero if any failed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

QUICK=${LWM2M_QUICK:-0}
FUZZ_SECONDS=${LWM2M_FUZZ_SECONDS:-6}
JOBS=${LWM2M_JOBS:-2}
STAGES=${LWM2M_STAGES:-}
LOG_DIR=build/test-all

# Debian packages the build and the tests need (installed when missing and running as root).
DEBIAN_PACKAGES="g++ clang libclang-rt-14-dev cmake ninja-build meson pkg-config doctest-dev \
libbenchmark-dev libcoap3-dev libcoap3-bin tshark python3 binutils gcc-arm-none-eabi \
libstdc++-arm-none-eabi-newlib nodejs npm libssl-dev"

# ---- packages ---------------------------------------------------------------------------
package_present() {
    local status
    status=$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)
    [[ $status == installed ]] && return 0
    # A nodejs from another repository bundles npm (and conflicts with Debian's npm package).
    [[ $1 == npm ]] && command -v npm >/dev/null && return 0
    return 1
}

ensure_packages() {
    if ! command -v dpkg-query >/dev/null; then
        echo "test-all: not a Debian system: not checking packages"
        return 0
    fi
    local missing=() p
    for p in $DEBIAN_PACKAGES; do
        package_present "$p" || missing+=("$p")
    done
    ((${#missing[@]} == 0)) && return 0
    if [[ $(id -u) -ne 0 ]]; then
        echo "test-all: missing packages (run as root to install them): ${missing[*]}"
        return 0
    fi
    echo "test-all: installing ${missing[*]}"
    echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

# npm packages used by interop tests (tests/**/package-lock.json): `npm ci` when node_modules
# is missing or older than the lock file. Without npm those tests skip themselves.
# --ignore-scripts: the packages are pure JavaScript or used only for the sources they carry
# (node-red-contrib-lwm2m's install script would fetch or node-gyp-build an addon we never load).
ensure_node_modules() {
    local lock dir
    while IFS= read -r lock; do
        dir=$(dirname "$lock")
        [[ -d $dir/node_modules && $dir/node_modules -nt $lock ]] && continue
        if ! command -v npm >/dev/null; then
            echo "test-all: npm not found: not installing $dir/node_modules"
            continue
        fi
        echo "test-all: npm ci in $dir"
        (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) ||
            echo "test-all: warning: npm ci failed in $dir (tests that need it will skip)"
        touch "$dir/node_modules" 2>/dev/null || true
    done < <(find tests -name package-lock.json -not -path '*/node_modules/*' 2>/dev/null)
}

# ---- stages -----------------------------------------------------------------------------
# Each stage function runs in a subshell with `set -e`: the first failing command fails it.

cmake_stage() { # <preset>
    cmake --preset "$1"
    cmake --build --preset "$1"
    ctest --preset "$1"
}

stage_lists() { ./scripts/check-lists.sh; }
stage_dev() { cmake_stage ci; }

stage_meson() {
    local dir=build/meson-asan
    if [[ ! -f $dir/meson-private/coredata.dat ]]; then
        rm -rf "$dir"
        # clang++ when present (dev covers g++). b_lundef=false: clang's sanitizer runtimes
        # are linked only into executables.
        # Line tables only (-Ddebug=false drops -g): sanitizer reports keep file:line, the
        # compiles take a seventh less time.
        local cxx=c++ lines=-g1
        command -v clang++ >/dev/null && cxx=clang++ lines=-gline-tables-only
        CXX=$cxx CXXFLAGS="-fno-omit-frame-pointer -fno-sanitize-recover=all $lines" \
            meson setup "$dir" -Db_sanitize=address,undefined -Db_lundef=false -Dheader_checks=true \
                -Dfuzz_replay=false -Ddebug=false -Doptimization=0
    fi
    meson compile -C "$dir" -j "$JOBS"
    ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        meson test -C "$dir" --num-processes "$JOBS" --print-errorlogs --no-suite footprint
}

# Fuzzer names (basename of each source in fuzzers.txt).
fuzzer_names() {
    sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' cmake/lists/fuzzers.txt |
        grep -v -e '^#' -e '^$' | xargs -r -n 1 basename -s .cpp
}

# run_fuzzer <name>: fuzz on a copy of the corpus; writes build/fuzz/run/<name>/{log,rc}.
run_fuzzer() {
    local name=$1 dir=build/fuzz/run/$1 rc=0
    local bin=build/fuzz/fuzz/fuzz_$name
    rm -rf "$dir"
    mkdir -p "$dir/corpus" "$dir/artifacts"
    cp -R "fuzz/corpus/$name/." "$dir/corpus/"
    local dict=()
    [[ -f fuzz/$name.dict ]] && dict=("-dict=fuzz/$name.dict")
    "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "${dict[@]}" \
        "$dir/corpus" >"$dir/log" 2>&1 || rc=$?
    echo "$rc" >"$dir/rc"
}

stage_fuzz() {
    cmake --preset fuzz
    cmake --build --preset fuzz
    local names=() name failed=0
    mapfile -t names < <(fuzzer_names)
    if ((${#names[@]} == 0)); then
        echo "no fuzzers listed in cmake/lists/fuzzers.txt"
        return 0
    fi
    echo "fuzzing ${#names[@]} target(s) for ${FUZZ_SECONDS}s each, $JOBS at a time"
    for name in "${names[@]}"; do
        while (($(jobs -rp | wc -l) >= JOBS)); do wait -n || true; done
        run_fuzzer "$name" &
    done
    wait
    for name in "${names[@]}"; do
        local dir=build/fuzz/run/$name rc
        rc=$(cat "$dir/rc" 2>/dev/null || echo missing)
        if [[ $rc == 0 ]]; then
            echo "fuzz $name: OK ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$dir/log" | grep -o '[0-9]*$' || echo '?') runs)"
        else
            failed=1
            echo "fuzz $name: FAILED (exit $rc); log $dir/log, artifacts:"
            ls -1 "$dir/artifacts" | sed "s|^|  $dir/artifacts/|"
            tail -n 60 "$dir/log"
        fi
    done
    return "$failed"
}

# ---- driver -----------------------------------------------------------------------------
passed=0
failed=0
skipped=0
summary=()

run_stage() { # <name>
    local name=$1 start rc
    local log="$LOG_DIR/$name.log"
    printf '\n===== test-all: stage %s =====\n' "$name"
    start=$SECONDS
    set +e
    (
        set -euo pipefail
        "stage_$name"
    ) 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    set -e
    local took=$((SECONDS - start))
    if ((rc == 0)); then
        passed=$((passed + 1))
        summary+=("$(printf '%-6s PASS %5ss' "$name" "$took")")
    else
        failed=$((failed + 1))
        summary+=("$(printf '%-6s FAIL %5ss  (exit %s, log %s)' "$name" "$took" "$rc" "$log")")
    fi
    printf '===== test-all: stage %s: %s in %ss =====\n' "$name" "$([[ $rc == 0 ]] && echo PASS || echo FAIL)" "$took"
}

skip_stage() { # <name> <why>
    skipped=$((skipped + 1))
    summary+=("$(printf '%-6s SKIP         (%s)' "$1" "$2")")
}

total_start=$SECONDS
ensure_packages
ensure_node_modules
mkdir -p "$LOG_DIR"

for stage in lists dev meson fuzz; do
    if [[ -n $STAGES && ",$STAGES," != *",$stage,"* ]]; then
        skip_stage "$stage" "not in LWM2M_STAGES"
    elif [[ $QUICK == 1 && $stage =~ ^(meson|fuzz)$ ]]; then
        skip_stage "$stage" "LWM2M_QUICK=1"
    else
        run_stage "$stage"
    fi
done

printf '\n===== test-all: summary (%ss) =====\n' "$((SECONDS - total_start))"
printf '  %s\n' "${summary[@]}"
((skipped == 0)) || echo "  ($skipped stage(s) skipped)"
echo "test-all: $passed passed, $failed failed"
((failed == 0))
