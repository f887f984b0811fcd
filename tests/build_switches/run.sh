#!/usr/bin/env bash
# Builds tests/build_switches/left_out.cpp twice, with what config.hpp lets firmware leave out
# at its defaults and then all left out (LWM2M_CBOR_INDEFINITE_STRINGS=0,
# LWM2M_JSON_ESCAPED_VALUES=0, LWM2M_FLOAT_VALUES=0, LWM2M_BASE64_VALUES=0, LWM2M_SCHEMA_NAMES=0),
# and runs both: each build must do what its setting promises.
# Usage: tests/build_switches/run.sh    (CXX picks the compiler; default g++)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
CXX=${CXX:-g++}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
flags=(-std=c++20 -O1 -Wall -Wextra -Wpedantic -Werror -Iinclude -Itests)
for setting in default left_out; do
    defs=()
    [ "$setting" = left_out ] && defs=(-DLWM2M_CBOR_INDEFINITE_STRINGS=0 -DLWM2M_JSON_ESCAPED_VALUES=0 -DLWM2M_FLOAT_VALUES=0 -DLWM2M_BASE64_VALUES=0 -DLWM2M_SCHEMA_NAMES=0)
    nice "$CXX" "${flags[@]}" "${defs[@]}" tests/main.cpp tests/build_switches/left_out.cpp -o "$out/$setting"
    echo "build_switches: $setting"
    "$out/$setting"
done
