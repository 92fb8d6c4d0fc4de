#!/usr/bin/env bash
# Every test: core (GoogleTest through CTest, including the CLI), the same core and CLI
# tests again under AddressSanitizer + UndefinedBehaviorSanitizer with 30 s of each
# libFuzzer target (scripts/sanitize.sh; FC_SANITIZERS=0 leaves them out of a quick local
# run), the wasm bundle (node's test runner) and the page in headless Chromium. Installs
# and builds what it needs first. Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
# Every step prints when it started (seconds since this run began): where CI time goes.
export FC_T0=$(date +%s)
at() { echo "(at $(( $(date +%s) - FC_T0 )) s)"; }
bash scripts/deps.sh
npm run build

echo "== README and docs figures against their sources $(at)"
python3 scripts/readme_figures.py --check

echo "== type check (tsc) $(at)"
npm run test:types

echo "== core tests (ctest) $(at)"
# deps.sh installed python3-xgboost: the comparisons with XGBoost fail rather than skip.
export FC_REQUIRE_XGBOOST=1
ctest --test-dir build/native --output-on-failure -j2

if [ "${FC_SANITIZERS:-1}" = 1 ]; then
  echo "== core and CLI tests under ASan + UBSan, and the fuzzers $(at)"
  bash scripts/sanitize.sh "${FC_FUZZ_SECONDS:-30}"
else
  echo "== sanitizers and fuzzers left out (FC_SANITIZERS=0) $(at)"
fi

if [ -d tests/wasm ] && ls tests/wasm/*.test.mjs >/dev/null 2>&1; then
  echo "== wasm tests (node --test) $(at)"
  npm run test:wasm
fi
if [ -d tests/e2e ] && ls tests/e2e/*.test.mjs >/dev/null 2>&1; then
  echo "== browser tests (headless Chromium) $(at)"
  npm run test:e2e
fi
echo "== all tests passed $(at)"
