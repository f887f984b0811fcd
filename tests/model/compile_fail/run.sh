#!/usr/bin/env bash
# Compile-fail tests of the model layer (make_object schema checks, compile-time resource lookup,
# the typed API of model/typed.hpp): every *.cpp here must not compile, for the
# reason its "// EXPECT:" line names (tests/support/compile_fail.sh has the rules).
# Usage: tests/model/compile_fail/run.sh    (CXX=clang++ to pick the compiler; default g++)
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec bash "$here/../../support/compile_fail.sh" "$here"
