#!/usr/bin/env bash
# The anomaly report in one command (figures for docs/anomalies.md):
#   1. every method's event precision / recall / F1 / mean delay and window score on
#      `funnelcast demo-data --seed 1` against its anomalies_truth.csv (bench/anomaly_eval.mjs);
#   2. the NAB-style window score of every method summed over the labelled series in
#      ../shared/data/nab/ at the defaults (skipped with a message when that folder is absent);
#   3. the native time of every method on a two-year hourly series (bench/anomaly_bench.cpp,
#      built here against build/native/libfc_core.a). Timings are printed, never asserted.
# Needs the native build (cmake --build build/native). Extra arguments go to anomaly_eval.mjs
# (--files: the window score per NAB file; --nab DIR: another folder of NAB-layout series).
set -euo pipefail
cd "$(dirname "$0")/.."
LIB=build/native/libfc_core.a
CLI=build/native/native_trainer/funnelcast
[ -f "$LIB" ] && [ -x "$CLI" ] || { echo "no $LIB or $CLI: run the native build first" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "== accuracy (bench/anomaly_eval.mjs)"
node bench/anomaly_eval.mjs --cli "$CLI" "$@"
echo
echo "== native time, two years of hourly data (bench/anomaly_bench.cpp)"
g++ -std=c++17 -O2 -DNDEBUG -Icore/include -isystem /usr/include/eigen3 bench/anomaly_bench.cpp "$LIB" -lpthread -o "$out/anomaly_bench"
"$out/anomaly_bench"
