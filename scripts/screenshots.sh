#!/usr/bin/env bash
# `npm run screenshots`: renders the README screenshots on purpose. Runs the screenshot
# tests against dist/ (build first: npm run build), which check what the pictures must
# show and save them to build/e2e/ (screenshot.png: the dashboard, screenshot-scoring.png:
# lead scoring, screenshot-shap.png: its SHAP summary, screenshot-phone.png: the dashboard
# at 390x844), then copies them to docs/.
# Nothing else writes to docs/: the test suite leaves tracked files alone.
set -euo pipefail
cd "$(dirname "$0")/.."
node --test tests/e2e/screenshot.test.mjs
cp build/e2e/screenshot.png docs/screenshot.png
cp build/e2e/screenshot-scoring.png docs/screenshot-scoring.png
cp build/e2e/screenshot-shap.png docs/screenshot-shap.png
cp build/e2e/screenshot-phone.png docs/screenshot-phone.png
echo "screenshots: docs/screenshot.png, docs/screenshot-scoring.png, docs/screenshot-shap.png and docs/screenshot-phone.png updated (review them and commit them)"
