#!/usr/bin/env bash
# The shipped schema headers must equal a fresh generation from the OMA XML
# (tools/lwm2m-gen/regenerate.sh fails on any difference). Arguments are passed through.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
exec bash tools/lwm2m-gen/regenerate.sh "$@"
