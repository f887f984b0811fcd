#!/usr/bin/env bash
# The example server with 100 example clients over UDP on loopback (script test
# server_end_to_end): runs tests/examples/server_end_to_end.py, which holds the checks.
# usage: server_end_to_end.sh SERVER_BINARY CLIENT_BINARY [--clients N] [--verbose]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LWM2M_SOURCE_DIR=${LWM2M_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
exec timeout 120 python3 "$here/server_end_to_end.py" "$@"
