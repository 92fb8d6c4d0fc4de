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

test("the training worker's SIMD probe (web/simd.js) is a valid module that only a SIMD engine accepts", async () => {
  const { SIMD_PROBE, simdSupported, simdOrRefuse } = await import('../../web/simd.js');
  assert.equal(WebAssembly.validate(SIMD_PROBE), true);
  assert.equal(simdSupported(), true);
  await simdOrRefuse(); // resolves here
  // The same bytes with the SIMD instruction's opcode (0xfd 0x0c, v128.const) made one this
  // engine has no SIMD instruction for: refused, so the probe's verdict rests on SIMD alone.
  const k = SIMD_PROBE.indexOf(0xfd);
  assert.equal(SIMD_PROBE[k + 1], 0x0c);
  const broken = SIMD_PROBE.slice();
  broken[k + 1] = 0x7f; // no such SIMD opcode
  assert.equal(WebAssembly.validate(broken), false);
  // And with an i32 in place of the v128 (result type i32; i32.const 0 and 16 nops in
  // place of v128.const's 18 bytes), the module is valid: the probe is well formed around
  // its one SIMD instruction.
  const plain = SIMD_PROBE.slice();
  assert.equal(plain[14], 0x7b);
  plain[14] = 0x7f;
  plain.set([0x41, 0x00, ...new Array(16).fill(0x01)], k);
  assert.equal(WebAssembly.validate(plain), true);
});
