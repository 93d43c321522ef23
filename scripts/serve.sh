#!/usr/bin/env bash
# Builds everything and serves the playground (www/) on http://localhost:8080.
# PORT=... and HOST=... (e.g. HOST=0.0.0.0 inside a container) override.
set -euo pipefail
here="$(dirname "${BASH_SOURCE[0]}")"
"$here/build.sh"
cd "$here/.."
exec node scripts/static-server.mjs www "${PORT:-8080}"
