#!/usr/bin/env bash
# One command from a fresh clone to the dashboard: installs the prerequisites,
# builds the native trainer and the WebAssembly bundle, assembles the site with
# the demo data and model, and serves it on http://localhost:${PORT:-8080}.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
npm run build
echo
echo "funnelcast is ready. Trainer: build/native/funnelcast --help"
exec npm run serve
