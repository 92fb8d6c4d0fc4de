// Plumbing for the browser tests: a copy of the built site with test fixtures beside it,
// served from localhost by scripts/serve.mjs, and headless Chromium driven by playwright-core.
//
// Each test file starts one site, one server and one browser in before() and closes them
// in after(); each test opens its own browser context (fresh cache, storage and service
// worker) with openApp(), so no test depends on another's state or order.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { chromium } from 'playwright-core';

import { startServer } from '../../scripts/serve.mjs';

export { startServer };

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST = resolve(ROOT, process.env.FC_DIST || 'dist');
// Everything the browser tests write outside their temporary folders (gitignored).
export const OUT = join(ROOT, 'build', 'e2e');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];
const CHROMIUM = process.env.FC_CHROMIUM || '/usr/bin/chromium';

// A timeout for each test.
export const T = { timeout: 120_000 };

export function cliPath() {
  const candidates = [process.env.FC_CLI, 'build/native/funnelcast', 'build/native/native_trainer/funnelcast']
    .filter(Boolean)
    .map((p) => resolve(ROOT, p));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`native CLI not found (tried ${candidates.join(', ')}); run npm run build or set FC_CLI`);
  return found;
}

export function cli(args) {
  const r = spawnSync(cliPath(), args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`funnelcast ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

export const cliJson = (args) => JSON.parse(cli(args));

// The built site copied to a scratch folder with a fixtures/ folder beside it, so tests
// can serve their own CSVs by URL without touching dist/.
export function makeSite() {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error(`${DIST}/index.html not found; run npm run build (or set FC_DIST)`);
  const dir = mkdtempSync(join(tmpdir(), 'funnelcast-e2e-site-'));
  cpSync(DIST, dir, { recursive: true });
  mkdirSync(join(dir, 'fixtures'), { recursive: true });
  return {
    dir,
    fixture(name, text) {
      writeFileSync(join(dir, 'fixtures', name), text);
      return `fixtures/${name}`;
    },
    path: (rel) => join(dir, rel),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

// What a test file shares: a scratch site, its server and one browser. Call in before();
// close() in after().
export async function startSuite() {
  const site = makeSite();
  const server = await startServer({ root: site.dir, port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  return {
    site,
    server,
    browser,
    url: server.url,
    origin: new URL(server.url).origin,
    demoCsv: () => site.path('demo/hourly.csv'),
    async close() {
      await browser.close();
      await server.close();
      site.remove();
    },
  };
}

// A browser with its own profile (for benchmarks: a first visit in a fresh browser).
export async function launch() {
  const userDataDir = mkdtempSync(join(tmpdir(), 'funnelcast-e2e-profile-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    serviceWorkers: 'allow',
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

// Opens `path` (relative to the suite's site) in a new browser context and waits until the
// page says it is ready (or failed). The context records every request (the page's, its
// worker's and the service worker's) and every console error; finish() asserts there were no console errors and no request to another origin,
// then closes it. The context is closed after the test in any case.
// `viewport` sets the window's size (default 1280x900, the desktop layout the screenshots use).
export async function openApp(t, suite, path = '', { initScript, viewport = { width: 1280, height: 900 } } = {}) {
  const context = await suite.browser.newContext({ viewport, acceptDownloads: true, serviceWorkers: 'allow' });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await context.close();
  };
  t.after(close);
  const requests = [];
  const consoleErrors = [];
  context.on('request', (r) => requests.push(r.url()));
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
  const response = await page.goto(new URL(path, suite.url).href);
  await page.waitForSelector('body[data-state="ready"], body[data-state="error"]', { timeout: 60_000 });
  return {
    context,
    page,
    response,
    requests,
    consoleErrors,
    close,
    async finish() {
      assert.deepEqual(consoleErrors, [], 'no console errors');
      assert.ok(requests.length > 5, 'requests were recorded');
      const foreign = requests.filter((u) => !u.startsWith(`${suite.origin}/`) && !u.startsWith('data:') && !u.startsWith('blob:'));
      assert.deepEqual(foreign, [], 'no request to another origin');
      await close();
    },
  };
}

export function readCsvRows(path) {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  return { header: lines[0], rows: lines.slice(1) };
}

// An hourly CSV: `hours` rows from 2024-03-01 00:00 UTC, leads/spend made up but fixed.
export function hourlyCsv(hours, { header = 'timestamp,leads,spend,revenue', row } = {}) {
  const start = Date.UTC(2024, 2, 1) / 1000;
  const pad = (n) => String(n).padStart(2, '0');
  const ts = (s) => {
    const d = new Date(s * 1000);
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:00:00`;
  };
  const lines = [header];
  for (let i = 0; i < hours; ++i) {
    const leads = (i * 7) % 11;
    const spend = 20 + ((i * 13) % 17);
    const revenue = leads * 30;
    lines.push(row ? row(ts(start + i * 3600), i) : `${ts(start + i * 3600)},${leads},${spend},${revenue}`);
  }
  return `${lines.join('\n')}\n`;
}

// --- reading the dashboard ---------------------------------------------------------------

export async function tileValues(page) {
  return page.evaluate(() => {
    const out = {};
    for (const tile of document.querySelectorAll('.tile[data-kpi]')) {
      const v = tile.querySelector('.tile-value');
      const c = tile.querySelector('.tile-change');
      out[tile.dataset.kpi] = {
        value: v.dataset.value === '' || v.dataset.value === undefined ? null : Number(v.dataset.value),
        text: v.textContent,
        change: c.dataset.value === '' || c.dataset.value === undefined ? null : Number(c.dataset.value),
        points: c.dataset.points === '' || c.dataset.points === undefined ? null : Number(c.dataset.points),
        changeText: c.textContent,
        hidden: tile.hidden,
      };
    }
    return out;
  });
}

// Every metric the CLI reports (null: the data cannot compute it, and the page shows no value).
export function assertTilesEqualCli(tiles, k, what) {
  for (const key of Object.keys(k.change)) {
    const want = k.current[key];
    const got = tiles[key].value;
    if (want === null) {
      assert.equal(got, null, `${what} ${key}`);
    } else {
      assert.ok(Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want)), `${what} ${key}: page ${got} vs CLI ${want}`);
    }
    const wantChange = k.change[key];
    const gotChange = tiles[key].change;
    if (wantChange === null) assert.equal(gotChange, null, `${what} change.${key}`);
    else assert.ok(Math.abs(gotChange - wantChange) <= 1e-12, `${what} change.${key}: page ${gotChange} vs CLI ${wantChange}`);
    // Rates (ROI, conversion) move in percentage points on the tile, the others in %.
    const rate = key === 'roi' || key === 'conversion';
    const prev = k.previous[key];
    if (rate && want !== null && prev !== null) {
      assert.ok(Math.abs(tiles[key].points - (want - prev)) <= 1e-12, `${what} ${key} points`);
      assert.match(tiles[key].changeText, /^[▲▼■] [+−±][\d,.]+ pp /, `${what} ${key} change in points`);
    } else if (!rate && wantChange !== null) {
      assert.equal(tiles[key].points, null, `${what} ${key} has no points`);
      assert.match(tiles[key].changeText, /^[▲▼■] [+−±][\d,.]+% /, `${what} ${key} change in percent`);
    }
  }
}

export const anomalyCount = (page) => page.evaluate(() => Number(document.getElementById('anomaly-count').dataset.count));

// Waits until the KPI leads tile shows `leads` (after a recompute).
export const waitForLeads = (page, leads) =>
  page.waitForFunction((v) => Number(document.querySelector('#kpi-leads-value').dataset.value) === v, leads, { timeout: 20_000 });

export async function waitForAnomalyCount(page, n) {
  await page.waitForFunction((v) => Number(document.getElementById('anomaly-count').dataset.count) === v, n, { timeout: 20_000 });
}

// Sets a file on one of the page's pickers (`#${kind}-file`: data, model, leads,
// score-model, train-table, reference, current), as a user choosing it would.
export async function chooseFile(page, name, content, { kind = 'data' } = {}) {
  await page.setInputFiles(`#${kind}-file`, { name, mimeType: /\.fcm$/i.test(name) ? 'application/octet-stream' : 'text/csv', buffer: Buffer.from(content) });
}

// --- lead scoring --------------------------------------------------------------------------

// Waits until lead scoring shows scored leads (its worker starts after the dashboard).
export async function scoringReady(page, { timeout = 120_000 } = {}) {
  await page.waitForSelector('#scoring-view[data-state="ready"]', { timeout });
}

// A CSV's rows as arrays of cells (quotes and doubled quotes; no line breaks in cells).
export function parseCsv(text) {
  const rows = [];
  for (const line of text.trim().split(/\r?\n/)) {
    const cells = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < line.length; ++i) {
      const c = line[i];
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') {
          cur += '"';
          i += 1;
        } else if (c === '"') quoted = false;
        else cur += c;
      } else if (c === '"') quoted = true;
      else if (c === ',') {
        cells.push(cur);
        cur = '';
      } else cur += c;
    }
    cells.push(cur);
    rows.push(cells);
  }
  return rows;
}

// --- the core's registry and generated data ----------------------------------------------

// The core's registry of roles and metrics, from the built inference bundle run in node
// (the same module the page's worker loads), so no test lists roles or metrics itself.
let registryPromise = null;
export function coreRegistry() {
  if (!registryPromise) {
    const dir = join(DIST, 'wasm');
    registryPromise = import(pathToFileURL(join(dir, 'funnelcast.mjs')).href)
      .then(({ default: create }) => create({ wasmBinary: readFileSync(join(dir, 'funnelcast.wasm')) }))
      .then((fc) => fc.registry());
  }
  return registryPromise;
}

// A deterministic pseudo-random stream in [0, 1) (a linear congruential generator).
export function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

// "2024-01-01 00:00:00" for epoch seconds.
export const stamp = (seconds) => new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');

// An hourly CSV of `hours` rows from `start` (epoch seconds) with a daily cycle and noise:
// row(time, level, rnd) gives the cells after the time; level is the hour's expected count.
export function cycleCsv(header, hours, row, { start = Date.UTC(2024, 0, 1) / 1000, seed = 1 } = {}) {
  const rnd = random(seed);
  const lines = [header];
  for (let i = 0; i < hours; ++i) {
    const t = start + i * 3600;
    const hour = (t / 3600) % 24;
    const level = 6 + 4 * Math.sin(((hour - 6) / 24) * 2 * Math.PI) + ((Math.floor(t / 86400) + 3) % 7 < 2 ? -2 : 0);
    lines.push(`${stamp(t)},${row(t, level, rnd)}`);
  }
  return `${lines.join('\n')}\n`;
}

// The rows a chart drew: the Vega view's dataset `name` (charts.js puts the view on the chart element).
export const drawn = (page, chart, name) => page.evaluate(([c, n]) => document.getElementById(c).fcView.data(n), [chart, name]);

// The visible KPI tiles' metric names, in page order.
export const visibleTiles = (page) => page.$$eval('#kpi-tiles .tile:not([hidden])', (tiles) => tiles.map((t) => t.dataset.kpi));

// An init script (openApp's initScript): records in window.__workers every Worker the page
// makes ({url, name, terminated}).
export function recordWorkers() {
  const made = [];
  window.__workers = made;
  const Base = window.Worker;
  window.Worker = class extends Base {
    constructor(url, options) {
      super(url, options);
      this.__info = { url: String(url), name: options && options.name, terminated: false };
      made.push(this.__info);
    }
    terminate() {
      this.__info.terminated = true;
      return super.terminate();
    }
  };
}
