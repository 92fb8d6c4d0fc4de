#!/usr/bin/env bash
# `npm run screenshots`: renders the README screenshots on purpose. Runs the screenshot
# tests against dist/ (build first: npm run build), which check what the pictures must
# show and save them to build/e2e/ (screenshot.png: the dashboard, screenshot-scoring.png:
# lead scoring), then copies them to docs/.
# Nothing else writes to docs/: the test suite leaves tracked files alone.
set -euo pipefail
cd "$(dirname "$0")/.."
node --test tests/e2e/screenshot.test.mjs
cp build/e2e/screenshot.png docs/screenshot.png
cp build/e2e/screenshot-scoring.png docs/screenshot-scoring.png
echo "screenshots: docs/screenshot.png and docs/screenshot-scoring.png updated (review them and commit them)"
