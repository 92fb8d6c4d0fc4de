#!/usr/bin/env bash
# `npm run screenshots`: renders the README screenshot on purpose. Runs the screenshot
# test against dist/ (build first: npm run build), which checks what the picture must
# show and saves it to build/e2e/screenshot.png, then copies it to docs/screenshot.png.
# Nothing else writes to docs/: the test suite leaves tracked files alone.
set -euo pipefail
cd "$(dirname "$0")/.."
node --test tests/e2e/screenshot.test.mjs
cp build/e2e/screenshot.png docs/screenshot.png
echo "screenshots: docs/screenshot.png updated (review it and commit it)"
