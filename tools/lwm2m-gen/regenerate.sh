#!/usr/bin/env bash
# Regenerates the shipped object schemas (include/lwm2m/model/objects/*.hpp) from the OMA
# object definition XML files and compares them with the shipped ones.
#
# Usage: tools/lwm2m-gen/regenerate.sh [--gen LWM2M_GEN] [--update] [REGISTRY_DIR]
#   REGISTRY_DIR  the XML files (default: tools/lwm2m-gen/registry, the copies in this repo;
#                 ../shared/lwm2m-registry next to the repository has the same files)
#   --gen PATH    the lwm2m-gen binary (default: $LWM2M_GEN, else built here with ${CXX:-g++})
#   --update      write the regenerated headers into include/lwm2m/model/objects/ instead of
#                 only comparing (use after changing the generator or the file list below)
# Exits 1 when the regenerated headers differ from the shipped ones (diff on stdout), or when
# a file is missing or the generator fails.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
shipped="$root/include/lwm2m/model/objects"

gen="${LWM2M_GEN:-}"
update=0
registry="$here/registry"
while [ $# -gt 0 ]; do
    case "$1" in
    --gen) gen="$2"; shift 2 ;;
    --update) update=1; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) echo "regenerate.sh: unknown option $1" >&2; exit 2 ;;
    *) registry="$1"; shift ;;
    esac
done

# What is shipped: current versions (listed in all.hpp), the LwM2M 1.0 versions whose
# resources differ from the current ones (suffix _v1_0), and the LwM2M 1.1 Security object
# (suffix _v1_1: the one a 1.1 client's bootstrap takes, current being 1.2). Objects 2, 6 and 7 have no 1.0
# variant: 6 and 7 never changed, 2-1_0.xml differs only by the ACL range text "16-bit".
current=(0 1 2 3 4 5 6 7 3303 3306 3308 3311 3312 3316 3328 3331 3341)
v1_0=(0 1 3 4 5)
v1_1=(0)

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if [ -z "$gen" ]; then
    gen="$tmp/lwm2m-gen"
    "${CXX:-g++}" -std=c++20 -O2 -Wall -Wextra -Wpedantic -Werror "$here/main.cpp" -o "$gen"
fi

inputs=()
for id in "${current[@]}"; do inputs+=("$registry/$id.xml"); done
old_inputs=()
for id in "${v1_0[@]}"; do old_inputs+=("$registry/$id-1_0.xml"); done
v1_1_inputs=()
for id in "${v1_1[@]}"; do v1_1_inputs+=("$registry/$id-1_1.xml"); done
for f in "${inputs[@]}" "${old_inputs[@]}" "${v1_1_inputs[@]}"; do
    [ -f "$f" ] || { echo "regenerate.sh: missing $f" >&2; exit 1; }
done

out="$tmp/objects"
"$gen" --registry-header all.hpp -o "$out" "${inputs[@]}"
"$gen" --suffix _v1_0 -o "$out" "${old_inputs[@]}"
"$gen" --suffix _v1_1 -o "$out" "${v1_1_inputs[@]}"

if [ "$update" -eq 1 ]; then
    mkdir -p "$shipped"
    rm -f "$shipped"/*.hpp
    cp "$out"/*.hpp "$shipped"/
    echo "regenerate.sh: wrote $(ls "$out" | wc -l) headers to ${shipped#"$root"/}"
    exit 0
fi

if ! diff -ru "$shipped" "$out"; then
    echo "regenerate.sh: include/lwm2m/model/objects/ differs from what tools/lwm2m-gen generates from $registry" >&2
    echo "regenerate.sh: run tools/lwm2m-gen/regenerate.sh --update (and list new headers in cmake/lists/headers.txt)" >&2
    exit 1
fi
echo "regenerate.sh: $(ls "$out" | wc -l) headers match"
