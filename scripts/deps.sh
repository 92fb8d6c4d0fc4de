#!/usr/bin/env bash
# Installs what funnelcast needs on a Debian machine (bookworm): the C++ toolchain
# and libraries, clang with its sanitizer and fuzzer runtimes (the tests run again under
# ASan + UBSan), Emscripten, Chromium for the browser tests, XGBoost (the tests compare
# imported models with its own predictions), and the pinned npm packages. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake make libgtest-dev nlohmann-json3-dev libeigen3-dev libfast-float-dev clang libclang-rt-dev
          emscripten chromium python3 python3-xgboost python3-dask python3-distributed python3-pandas
          tzdata)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node may come from elsewhere than Debian (its npm bundled): only add Debian's when absent.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi
