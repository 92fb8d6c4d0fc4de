#!/usr/bin/env bash
# `npm run build`: the native trainer CLI, the WebAssembly bundle (same CMakeLists,
# Emscripten through emcmake) and the static site assembled into dist/.
# Outputs: build/native/, build/wasm/, dist/ (all gitignored).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
JOBS=${JOBS:-$(nproc)}

# Each step says when it started: seconds since the test run began (FC_T0, set by
# scripts/test.sh) or since this build began.
FC_T0=${FC_T0:-$(date +%s)}
step() { printf '\n== %s (at %d s)\n' "$*" "$(( $(date +%s) - FC_T0 ))"; }

step "native build (build/native)"
# FC_UNITY (the default): sources compiled in batches of 8 (CMakeLists.txt): a clean build takes about
# half the CPU time natively (680 -> 315 CPU-seconds) and 15% less for the wasm bundles.
# Everything by default (the trainer, and the core tests that scripts/test.sh runs with
# ctest); FC_NATIVE_TARGET=funnelcast builds the trainer alone.
cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release -DFC_UNITY=ON
if [ -n "${FC_NATIVE_TARGET:-}" ]; then
  cmake --build build/native -j "$JOBS" --target "$FC_NATIVE_TARGET"
else
  cmake --build build/native -j "$JOBS"
fi

step "WebAssembly bundle (build/wasm)"
# Debian's emscripten needs Debian's acorn for its JS optimizer.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release -DFC_UNITY=ON
cmake --build build/wasm -j "$JOBS"

step "site (dist/)"
if [ ! -f node_modules/vega/package.json ] || [ ! -f node_modules/vega-embed/package.json ]; then
  npm ci --no-audit --no-fund
fi
CLI=build/native/funnelcast
[ -x "$CLI" ] || CLI=build/native/native_trainer/funnelcast
node scripts/assemble.mjs --cli "$CLI" --wasm build/wasm/wasm --out dist
