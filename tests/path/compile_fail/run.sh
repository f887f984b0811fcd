#!/usr/bin/env bash
# Compile-fail tests of the path layer: every *.cpp here must not compile, for the
# reason its "// EXPECT:" line names (tests/support/compile_fail.sh has the rules).
# Usage: tests/path/compile_fail/run.sh    (CXX=clang++ to pick the compiler; default g++)
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec bash "$here/../../support/compile_fail.sh" "$here"
