#!/usr/bin/env bash
# The demo (README quick start, command 1).
# Builds the example programs lwm2m-server, lwm2m-client and lwm2m-cli, then runs the
# streetlight scenario on loopback (scripts/demo_scenario.py): three clients register, the
# server reads them, switches them off as a group, observes a dimmer, triggers an Update,
# disables one client for 10 s, and everyone de-registers. Ends with the reference datagrams
# of bench/data/ decoded by lwm2m-cli, one line each.
# Extra arguments go to demo_scenario.py (e.g. --verbose, --clients 5).
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
echo "building lwm2m-server, lwm2m-client and lwm2m-cli in $build ..."
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLWM2M_BUILD_TESTS=OFF \
    -DLWM2M_BUILD_BENCH=OFF -DLWM2M_BUILD_FUZZ=OFF -DLWM2M_BUILD_EXAMPLES=ON >/dev/null
cmake --build "$build" --target lwm2m-server lwm2m-client lwm2m-cli >/dev/null

program() { # <name>: path of a built example program
    local p=$build/examples/$1
    [[ -x $p ]] || p=$(find "$build" -name "$1" -type f -perm -u+x | head -n 1)
    [[ -n $p ]] || { echo "demo: $1 was not built" >&2; exit 1; }
    echo "$p"
}
server=$(program lwm2m-server)
client=$(program lwm2m-client)
cli=$(program lwm2m-cli)

echo
status=0
python3 scripts/demo_scenario.py "$server" "$client" "$@" || status=$?

# The reference datagrams (bench/data/), one line each: what the messages above look like.
echo
echo "Reference datagrams (bench/data/*.hex, decoded by lwm2m-cli):"
line() { # <title> <hex file> [payload format] [payload path]
    local title=$1 file=$2 format=${3:-} path=${4:-} message records=""
    message=$("$cli" coap decode - <"$file")
    if [[ -n $format ]]; then
        records=$("$cli" decode --format "$format" --path "$path" \
            "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["payload"])' "$message")")
    fi
    python3 - "$title" "$message" "$records" <<'PY'
import json, sys
title, m, records = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
opts = {}
for o in m["options"]:
    opts.setdefault(o.get("name", str(o["number"])), []).append(o.get("value", o["hex"]))
uri = "/" + "/".join(opts.get("Uri-Path", [])) if "Uri-Path" in opts else ""
if "Uri-Query" in opts:
    uri += "?" + "&".join(opts["Uri-Query"])
obs = f" Observe={opts['Observe'][0]}" if "Observe" in opts else ""
payload = bytes.fromhex(m["payload"])
if records:
    body = ", ".join(f"{r['n']}={next((r[k] for k in ('v', 'vs', 'vb', 'vd', 'vlo') if k in r), '')}"
                     for r in json.loads(records))
elif payload and all(32 <= b < 127 for b in payload):
    body = payload.decode()
else:
    body = f"{len(payload)} bytes" if payload else ""
head = " ".join(x for x in (m["type"], m["code"] + obs, uri) if x)
text = f"  {title:<24} {head}  {body}".rstrip()
print(text if len(text) <= 160 else text[:157] + "...")
PY
}
line "Register" bench/data/coap-register.hex
line "Read /3/0 response (TLV)" bench/data/coap-response.hex tlv /3/0
line "Notification (TLV)" bench/data/coap-notify.hex tlv /3303/0
exit $status
