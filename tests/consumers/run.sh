#!/usr/bin/env bash
# Consumer tests: the ways a project can use lwm2m.
#   1. cmake --install to a temporary prefix, then find_package(lwm2m) + lwm2m::lwm2m
#   2. add_subdirectory(<repo>)
#   3. pkg-config --cflags lwm2m against the installed lwm2m.pc
#   4. a meson project with subprojects/lwm2m -> the repository (dependency('lwm2m'))
# Each builds tests/consumers/main.cpp and runs it. Exits non-zero on any failure.
#
# Usage: tests/consumers/run.sh [work-dir] [c++-compiler]
# (registered as the ctest test `consumers`)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=${1:-$(mktemp -d)}
cxx=${2:-${CXX:-c++}}

generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi

rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
prefix="$work/prefix"

step() { printf '\n=== consumers: %s\n' "$*"; }

step "install lwm2m to $prefix"
cmake -S "$repo" -B "$work/lwm2m-build" "${generator[@]}" \
    -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DLWM2M_BUILD_TESTS=OFF -DLWM2M_BUILD_EXAMPLES=OFF -DLWM2M_BUILD_BENCH=OFF
cmake --build "$work/lwm2m-build"
cmake --install "$work/lwm2m-build"
for f in include/lwm2m/result.hpp include/lwm2m/bytes.hpp \
         share/cmake/lwm2m/lwm2mConfig.cmake share/cmake/lwm2m/lwm2mConfigVersion.cmake \
         share/cmake/lwm2m/lwm2mTargets.cmake share/pkgconfig/lwm2m.pc; do
    [[ -f "$prefix/$f" ]] || { echo "consumers: $f was not installed" >&2; exit 1; }
done
# Every header of the list is installed.
while read -r header; do
    [[ -f "$prefix/$header" ]] || { echo "consumers: $header was not installed" >&2; exit 1; }
done < <(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$repo/cmake/lists/headers.txt")

step "find_package"
cmake -S "$here/find_package" -B "$work/find_package" "${generator[@]}" \
    -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$prefix"
cmake --build "$work/find_package"
"$work/find_package/consumer"

step "add_subdirectory"
cmake -S "$here/add_subdirectory" -B "$work/add_subdirectory" "${generator[@]}" \
    -DCMAKE_CXX_COMPILER="$cxx" -DLWM2M_SOURCE_DIR="$repo"
cmake --build "$work/add_subdirectory"
"$work/add_subdirectory/consumer"

if command -v pkg-config >/dev/null; then
    step "pkg-config"
    cflags=$(PKG_CONFIG_PATH="$prefix/share/pkgconfig" pkg-config --cflags lwm2m)
    version=$(PKG_CONFIG_PATH="$prefix/share/pkgconfig" pkg-config --modversion lwm2m)
    echo "lwm2m.pc: version $version, cflags $cflags"
    # shellcheck disable=SC2086 # cflags is a list of flags
    "$cxx" -std=c++20 $cflags "$here/main.cpp" -o "$work/pkg-config-consumer"
    "$work/pkg-config-consumer"
else
    echo "consumers: pkg-config not installed: pkg-config consumer SKIPPED"
fi

if command -v meson >/dev/null; then
    step "meson subproject"
    src="$work/meson-src"
    mkdir -p "$src/subprojects"
    cp "$here/meson_subproject/meson.build" "$here/main.cpp" "$src/"
    ln -s "$repo" "$src/subprojects/lwm2m"
    CXX="$cxx" meson setup "$work/meson-build" "$src" --force-fallback-for=lwm2m
    meson compile -C "$work/meson-build"
    meson test -C "$work/meson-build" --print-errorlogs
else
    echo "consumers: meson not installed: meson subproject consumer SKIPPED"
fi

step "all consumers passed"
