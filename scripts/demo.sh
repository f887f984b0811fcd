#!/usr/bin/env bash
# The demo (README quick start, command 1).
# Builds lwm2m-cli and decodes the reference LwM2M datagrams in bench/data/ — a Register
# request, a Read response carrying the Device object in TLV, and an Observe notification —
# then prints each message and its payload readably.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

need=()
for p in g++ cmake ninja-build python3; do
    dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -q '^installed$' || need+=("$p")
done
if ((${#need[@]})) && [[ $(id -u) -eq 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

build=build/demo
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLWM2M_BUILD_TESTS=OFF \
    -DLWM2M_BUILD_BENCH=OFF -DLWM2M_BUILD_FUZZ=OFF -DLWM2M_BUILD_EXAMPLES=ON >/dev/null
cmake --build "$build" --target lwm2m-cli >/dev/null
cli=$build/examples/lwm2m-cli
[[ -x $cli ]] || cli=$(find "$build" -name lwm2m-cli -type f -perm -u+x | head -n 1)

show() { # <title> <hex file> [payload format] [payload path]
    local title=$1 file=$2 format=${3:-} path=${4:-}
    printf '\n== %s (%s)\n' "$title" "$file"
    local json
    json=$("$cli" coap decode - <"$file")
    python3 - "$json" <<'PY'
import json, sys
m = json.loads(sys.argv[1])
print(f"  {m['type']} {m['code']}  mid={m['mid']}  token={m['token'] or '-'}")
for o in m['options']:
    name = o.get('name', f"option {o['number']}")
    value = o.get('value', '0x' + o['hex'] if o['hex'] else '(empty)')
    print(f"  {name:>15}: {value}")
p = bytes.fromhex(m['payload'])
if p:
    text = p.decode('utf-8', 'replace') if all(32 <= b < 127 for b in p) else None
    print(f"  {'payload':>15}: {len(p)} bytes" + (f": {text}" if text else ""))
PY
    if [[ -n $format ]] && "$cli" --help 2>&1 | grep -q -- '--format'; then
        local payload
        payload=$("$cli" coap decode - <"$file" | python3 -c 'import json,sys; print(json.load(sys.stdin)["payload"])')
        echo "  decoded $format payload at $path:"
        "$cli" decode --format "$format" --path "$path" "$payload" | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    v = next((r[k] for k in ("v", "vs", "vb", "vd", "vlo") if k in r), None)
    n = r["n"]
    print(f"    {n:<14} {v}")'
    fi
}

show "Register (client -> server)" bench/data/coap-register.hex
show "Read /3/0 response (client -> server)" bench/data/coap-response.hex tlv /3/0
show "Observe notification (client -> server)" bench/data/coap-notify.hex tlv /3303/0
