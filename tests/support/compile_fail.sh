#!/usr/bin/env bash
# Runs the compile-fail snippets of one folder (tests/<layer>/compile_fail/run.sh call this).
# Each *.cpp there must NOT compile, and must fail for the intended reason: the compiler's
# diagnostics must contain the text after "// EXPECT:" in the snippet. Each snippet's
# -DLWM2M_COMPILE_FAIL_CONTROL branch is the valid twin and MUST compile, which proves the
# failure comes from the one line that differs.
# Usage: tests/support/compile_fail.sh DIR    (CXX=clang++ to pick the compiler; default g++)
# Exits 1 if any snippet compiles, fails for another reason, or its control does not compile.
set -u
here="$(cd "${1:?the folder of the snippets}" && pwd)"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cxx="${CXX:-g++}"
flags=(-std=c++20 -Wall -Wextra -Wpedantic -Werror -I "$root/include" -fsyntax-only)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
for src in "$here"/*.cpp; do
    name="$(basename "$src" .cpp)"
    expect="$(sed -n 's|^// EXPECT: *||p' "$src" | head -n 1)"
    if [ -z "$expect" ]; then
        echo "FAIL $name: no '// EXPECT:' line"
        failed=$((failed + 1))
        continue
    fi
    if ! "$cxx" "${flags[@]}" -DLWM2M_COMPILE_FAIL_CONTROL "$src" >"$tmp/$name.control.log" 2>&1; then
        echo "FAIL $name: the control (-DLWM2M_COMPILE_FAIL_CONTROL) does not compile:"
        sed 's/^/    /' "$tmp/$name.control.log" | head -n 20
        failed=$((failed + 1))
        continue
    fi
    if "$cxx" "${flags[@]}" "$src" >"$tmp/$name.log" 2>&1; then
        echo "FAIL $name: compiled, but must not"
        failed=$((failed + 1))
        continue
    fi
    if ! grep -qF -- "$expect" "$tmp/$name.log"; then
        echo "FAIL $name: did not compile, but the diagnostics do not mention '$expect':"
        sed 's/^/    /' "$tmp/$name.log" | head -n 20
        failed=$((failed + 1))
        continue
    fi
    echo "ok   $name (fails with '$expect')"
    passed=$((passed + 1))
done
echo "compile_fail ($cxx):"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
