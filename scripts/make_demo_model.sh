#!/usr/bin/env bash
# Rebuilds models/demo_forecast.fcm from the demo data: the one trainer command the
# committed demo model comes from (a core test checks the bytes are reproduced).
set -euo pipefail
cd "$(dirname "$0")/.."
CLI=${FC_CLI:-build/native/native_trainer/funnelcast}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$CLI" demo-data --out "$tmp" --seed 1 --days 730
"$CLI" train forecast --data "$tmp/hourly.csv" --out models/demo_forecast.fcm --report models/demo_forecast.report.json
