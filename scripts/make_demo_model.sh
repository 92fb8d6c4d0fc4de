#!/usr/bin/env bash
# Rebuilds the demo models from the demo data: the trainer commands the committed models
# come from (a core test checks the bytes are reproduced).
#   models/demo_forecast.fcm  hourly leads forecast (demo-data --seed 1, hourly.csv)
#   models/demo_leads.fcm     lead scoring (demo-data --seed 1, leads.csv)
set -euo pipefail
cd "$(dirname "$0")/.."
CLI=${FC_CLI:-build/native/native_trainer/funnelcast}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$CLI" demo-data --out "$tmp" --seed 1 --days 730
"$CLI" train forecast --no-log --data "$tmp/hourly.csv" --out models/demo_forecast.fcm --report models/demo_forecast.report.json
"$CLI" train score --no-log --data "$tmp/leads.csv" --target converted --out models/demo_leads.fcm --report models/demo_leads.report.json
