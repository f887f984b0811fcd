#!/usr/bin/env bash
# Checks that the shared file lists in cmake/lists/ match the tree, so that CMake and Meson
# (which both read them) build everything that exists and nothing that does not:
#   headers.txt       == find include -name '*.hpp'
#   tests.txt         + interop-tests.txt sources == tests/**/*_test.cpp, plus in tests.txt
#                     support sources (tests/**/*.cpp not named *_test.cpp) that must exist
#   fuzzers.txt       == fuzz/*.cpp except replay_main.cpp, each with a non-empty fuzz/corpus/<name>/
#   benchmarks.txt    sources == bench/**/*.cpp
#   examples.txt      sources exist, names unique
#   script-tests.txt  scripts == tests/**/*.sh except tests/consumers/ and tests/support/ (helpers)
#   slow-tests.txt    names of tests that exist
# (npm packages installed under tests/, in node_modules/, are not part of the tree)
# Also: no entry listed twice. Exits non-zero with a list of problems.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export LC_ALL=C

lists=cmake/lists
problems=0
problem() { echo "check-lists: $*" >&2; problems=$((problems + 1)); }

# Entries of a list: whole-line comments and blank lines dropped, blanks trimmed.
entries() {
    sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$lists/$1" | grep -v -e '^#' -e '^$' || true
}
# Source tokens of entries; $2 = number of leading tokens to drop (1 for "<name> <src>...").
source_tokens() {
    entries "$1" | awk -v skip="$2" '{ for (i = skip + 1; i <= NF; ++i) if ($i != "coap" && $i != "openssl" && $i != "standalone" && $i !~ /=@exe:/) print $i }'
}
# Fails on duplicate lines in stdin; $1 = what they are. (Never call it at the end of a
# pipeline: it would run in a subshell and the problem count would be lost.)
check_unique() {
    local dups
    dups=$(sort | uniq -d)
    [[ -z "$dups" ]] || problem "$1 listed more than once: $(echo $dups)"
}
# compare <list-name> <listed-file> <found-file>
compare() {
    local name=$1 listed=$2 found=$3 f
    while read -r f; do
        [[ -n "$f" ]] && problem "$name lists $f, which does not exist"
    done < <(comm -23 <(sort -u "$listed") <(sort -u "$found"))
    while read -r f; do
        [[ -n "$f" ]] && problem "$f exists but is not listed in $lists/$name"
    done < <(comm -13 <(sort -u "$listed") <(sort -u "$found"))
}
# missing <list-name> <listed-file>: entries that are not files
missing() {
    local f
    while read -r f; do
        [[ -f "$f" ]] || problem "$1 lists $f, which does not exist"
    done <"$2"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# headers
entries headers.txt >"$tmp/headers"
check_unique "headers" <"$tmp/headers"
find include -name '*.hpp' -type f >"$tmp/headers.found"
compare headers.txt "$tmp/headers" "$tmp/headers.found"

# tests (doctest unit tests and interop tests together cover tests/**/*_test.cpp)
entries tests.txt >"$tmp/tests"
source_tokens interop-tests.txt 1 >"$tmp/interop"
check_unique "interop test names" < <(entries interop-tests.txt | awk '{ print $1 }')
check_unique "test sources" < <(cat "$tmp/tests" "$tmp/interop")
find tests -name '*_test.cpp' -type f ! -path '*/node_modules/*' >"$tmp/tests.found"
# Support sources linked into lwm2m_tests (e.g. one explicit instantiation of a shared engine).
grep -v '_test\.cpp$' "$tmp/tests" >"$tmp/tests.support" || true
while read -r f; do [[ -f $f ]] || problem "tests.txt lists $f, which does not exist"; done <"$tmp/tests.support"
cat "$tmp/tests" "$tmp/interop" | grep '_test\.cpp$' >"$tmp/tests.all" || true
compare "tests.txt (or interop-tests.txt)" "$tmp/tests.all" "$tmp/tests.found"

# fuzzers
entries fuzzers.txt >"$tmp/fuzzers"
check_unique "fuzzers" <"$tmp/fuzzers"
find fuzz -maxdepth 1 -name '*.cpp' -type f ! -name replay_main.cpp >"$tmp/fuzzers.found"
compare fuzzers.txt "$tmp/fuzzers" "$tmp/fuzzers.found"
while read -r f; do
    name=$(basename "$f" .cpp)
    if [[ -z "$(find "fuzz/corpus/$name" -type f 2>/dev/null | head -n 1)" ]]; then
        problem "fuzzer $f has no seed corpus: add at least one file to fuzz/corpus/$name/"
    fi
done <"$tmp/fuzzers"

# benchmarks
source_tokens benchmarks.txt 0 >"$tmp/bench"
check_unique "benchmark sources" <"$tmp/bench"
find bench -name '*.cpp' -type f >"$tmp/bench.found"
compare benchmarks.txt "$tmp/bench" "$tmp/bench.found"

# script tests (every tests/**/*.sh but the consumer driver and the shared helpers of tests/support/)
entries script-tests.txt | awk '{ print $2 }' >"$tmp/scripts"
check_unique "script test names" < <(entries script-tests.txt | awk '{ print $1 }')
missing script-tests.txt "$tmp/scripts"
find tests -name '*.sh' -type f ! -path 'tests/consumers/*' ! -path 'tests/support/*' ! -path '*/node_modules/*' >"$tmp/scripts.found"
# Listed scripts outside tests/ (e.g. bench/footprint.sh) need only exist (checked above).
grep '^tests/' "$tmp/scripts" >"$tmp/scripts.in-tests" || true
compare script-tests.txt "$tmp/scripts.in-tests" "$tmp/scripts.found"

# slow tests: names of tests that exist (lwm2m_tests, script and interop tests)
entries slow-tests.txt >"$tmp/slow"
check_unique "slow tests" <"$tmp/slow"
while read -r t; do
    [[ $t == lwm2m_tests ]] && continue
    { entries script-tests.txt; entries interop-tests.txt; } | awk '{ print $1 }' | grep -qx -- "$t" ||
        problem "slow-tests.txt lists $t, which is not a test (lwm2m_tests, script-tests.txt, interop-tests.txt)"
done <"$tmp/slow"

# examples
check_unique "example names" < <(entries examples.txt | awk '{ print $1 }')
source_tokens examples.txt 1 >"$tmp/examples"
missing examples.txt "$tmp/examples"

if ((problems)); then
    echo "check-lists: $problems problem(s); edit the files in $lists/" >&2
    exit 1
fi
printf 'check-lists: OK (%d headers, %d tests, %d interop tests, %d script tests, %d fuzzers, %d benchmarks, %d examples)\n' \
    "$(wc -l <"$tmp/headers")" "$(wc -l <"$tmp/tests")" "$(entries interop-tests.txt | wc -l)" "$(wc -l <"$tmp/scripts")" \
    "$(wc -l <"$tmp/fuzzers")" "$(entries benchmarks.txt | wc -l)" "$(entries examples.txt | wc -l)"
