// The built bundle itself: its size budget, its format and the absence of eval.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { test } from 'node:test';

import { cli, loadModule, MODULE_FILE, WASM_FILE } from './helpers.mjs';

test('the inference .wasm file is at most 875 KiB (the page downloads it on every first visit; scripts/assemble.mjs has the same budget)', () => {
  const size = statSync(WASM_FILE).size;
  console.log(`# funnelcast.wasm: ${size} bytes (${(size / 1024).toFixed(1)} KiB)`);
  assert.ok(size <= 875 * 1024, `${size} bytes`);
});

test('the JS glue is an ES module with no eval or new Function (CSP without unsafe-eval)', () => {
  const js = readFileSync(MODULE_FILE, 'utf8');
  assert.match(js, /export default createFunnelcast/);
  assert.doesNotMatch(js, /\beval\s*\(/);
  assert.doesNotMatch(js, /new Function\s*\(/);
  assert.doesNotMatch(js, /require\(["']fs["']\)/, 'built for web and worker only');
});

test('version() is the core version the CLI reports', async () => {
  const fc = await loadModule();
  assert.match(fc.version(), /^\d+\.\d+\.\d+/);
  assert.equal(cli(['--version']).stdout.trim(), `funnelcast ${fc.version()}`);
});
