// Shared plumbing for the wasm tests: the built bundle, the native CLI (the reference
// the wasm results are held against) and the demo data and model.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WASM_DIR = resolve(ROOT, process.env.FC_WASM_DIR || 'build/wasm/wasm');
export const WASM_FILE = join(WASM_DIR, 'funnelcast.wasm');
export const MODULE_FILE = join(WASM_DIR, 'funnelcast.mjs');

export function cliPath() {
  const candidates = [process.env.FC_CLI, 'build/native/funnelcast', 'build/native/native_trainer/funnelcast']
    .filter(Boolean)
    .map((p) => resolve(ROOT, p));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`native CLI not found (tried ${candidates.join(', ')}); run npm run build or set FC_CLI`);
  return found;
}

export function cli(args, { allowFailure = false } = {}) {
  const r = spawnSync(cliPath(), args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0 && !allowFailure) {
    throw new Error(`funnelcast ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

export function cliJson(args) {
  return JSON.parse(cli(args).stdout);
}

let modulePromise = null;
export function loadModule() {
  if (!modulePromise) {
    if (!existsSync(MODULE_FILE)) throw new Error(`${MODULE_FILE} not found; run npm run build (or set FC_WASM_DIR)`);
    modulePromise = import(pathToFileURL(MODULE_FILE).href).then(({ default: createFunnelcast }) =>
      createFunnelcast({ wasmBinary: readFileSync(WASM_FILE) }),
    );
  }
  return modulePromise;
}

// The training bundle (funnelcast-train.mjs): the same API plus trainForecast.
let trainPromise = null;
// fresh: a new instance of its own (another worker's, with its own memory), not the shared one.
export function loadTrainModule({ fresh = false } = {}) {
  const file = join(WASM_DIR, 'funnelcast-train.mjs');
  const create = () => {
    if (!existsSync(file)) throw new Error(`${file} not found; run npm run build (or set FC_WASM_DIR)`);
    return import(pathToFileURL(file).href).then(({ default: createFunnelcast }) =>
      createFunnelcast({ wasmBinary: readFileSync(join(WASM_DIR, 'funnelcast-train.wasm')) }),
    );
  };
  if (fresh) return create();
  if (!trainPromise) trainPromise = create();
  return trainPromise;
}

let scratch = null;
export function scratchDir() {
  if (!scratch) scratch = mkdtempSync(join(tmpdir(), 'funnelcast-wasm-test-'));
  return scratch;
}

export function writeScratch(name, text) {
  const p = join(scratchDir(), name);
  writeFileSync(p, text);
  return p;
}

// The demo data exactly as the site ships it: `funnelcast demo-data --seed 1 --days 730`.
let demo = null;
export function demoData() {
  if (!demo) {
    const dir = join(scratchDir(), 'demo');
    mkdirSync(dir, { recursive: true });
    cli(['demo-data', '--out', dir, '--seed', '1', '--days', '730']);
    demo = join(dir, 'hourly.csv');
  }
  return demo;
}

// The committed demo model; when it is not there yet, one trained the same way.
let model = null;
export function demoModel() {
  if (!model) {
    const committed = resolve(ROOT, process.env.FC_DEMO_MODEL || 'models/demo_forecast.fcm');
    if (existsSync(committed)) {
      model = committed;
    } else {
      model = join(scratchDir(), 'demo_forecast.fcm');
      console.warn(`# ${committed} is missing: training a stand-in (funnelcast train forecast)`);
      execFileSync(cliPath(), ['train', 'forecast', '--data', demoData(), '--out', model], { stdio: 'ignore' });
    }
  }
  return model;
}

export function bytes(path) {
  return new Uint8Array(readFileSync(path));
}

// |a - b| <= tol, with null (the CLI's NaN) matching NaN.
export function close(a, b, tol) {
  if (b === null || b === undefined) return Number.isNaN(a) || a === null;
  if (Number.isNaN(a)) return false;
  return Math.abs(a - b) <= tol;
}

export function assertArrayClose(assert, actual, expected, tol, what) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; ++i) {
    if (!close(actual[i], expected[i], tol)) {
      assert.fail(`${what}[${i}]: wasm ${actual[i]} vs CLI ${expected[i]} (tolerance ${tol})`);
    }
  }
}

// A command's result through wasm against the CLI's --json, field by field: the same keys at
// every level (typed-array columns and the keys in `skip` aside, which the CLI writes
// elsewhere), the same strings and flags, numbers within a relative `tol`.
export function assertSameDocument(assert, js, cli, tol = 1e-9, path = '', skip = []) {
  if (ArrayBuffer.isView(js)) return;
  if (cli === null || typeof cli !== 'object') {
    if (typeof cli === 'number' || typeof js === 'number') {
      assert.ok(close(js, cli, tol * Math.max(1, Math.abs(cli ?? 0))), `${path || '(root)'}: wasm ${js} vs CLI ${cli}`);
    } else {
      assert.equal(js, cli, `${path || '(root)'}`);
    }
    return;
  }
  assert.ok(js !== null && typeof js === 'object', `${path}: wasm gave ${js}, the CLI an object`);
  if (Array.isArray(cli)) {
    assert.equal(js.length, cli.length, `${path}: length`);
    cli.forEach((x, i) => assertSameDocument(assert, js[i], x, tol, `${path}[${i}]`, skip));
    return;
  }
  const mine = Object.keys(js).filter((k) => !ArrayBuffer.isView(js[k]) && !skip.includes(path ? `${path}.${k}` : k));
  const theirs = Object.keys(cli).filter((k) => !skip.includes(path ? `${path}.${k}` : k));
  assert.deepEqual(mine.sort(), theirs.sort(), `${path || '(root)'}: the same fields`);
  for (const k of theirs) assertSameDocument(assert, js[k], cli[k], tol, path ? `${path}.${k}` : k, skip);
}
