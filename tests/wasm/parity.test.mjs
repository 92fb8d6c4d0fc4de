// The wasm bundle against the native CLI on the demo data and model: the same core,
// compiled twice, must give the same forecast (within 1e-6), KPIs and anomalies.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { readFileSync } from 'node:fs';

import { assertArrayClose, bytes, cliJson, close, demoData, demoModel, loadModule, writeScratch } from './helpers.mjs';

const fc = await loadModule();
const dataPath = demoData();
const modelPath = demoModel();
const table = fc.loadTable(bytes(dataPath), 'hourly.csv');
const model = fc.loadModel(bytes(modelPath), 'demo_forecast.fcm');

// One channel's rows of the demo CSV as a file of their own: the CLI's total of that file
// is, independently, what the wasm series of that channel must be (every channel has
// every hour in the demo data, so both grids are the same).
const channelFiles = {};
function channelFile(channel) {
  if (!channelFiles[channel]) {
    const lines = readFileSync(dataPath, 'utf8').trim().split('\n');
    const rows = lines.slice(1).filter((l) => l.split(',')[1] === channel);
    channelFiles[channel] = writeScratch(`hourly-${channel}.csv`, [lines[0], ...rows].join('\n') + '\n');
  }
  return channelFiles[channel];
}

test('wasm forecast equals the native CLI forecast within 1e-6 (demo model and data)', () => {
  const cliF = cliJson(['forecast', '--model', modelPath, '--data', dataPath, '--json']);
  const f = fc.forecast(table, model, { horizon: 168 });
  assert.equal(f.time.length, 168);
  assert.deepEqual(Array.from(f.time), cliF.time, 'forecast hours');
  for (const k of ['mean', 'lower80', 'upper80', 'lower95', 'upper95']) {
    assertArrayClose(assert, f[k], cliF[k], 1e-6, k);
  }
  // The intervals are ordered around the mean.
  for (let i = 0; i < 168; ++i) {
    assert.ok(f.lower95[i] <= f.lower80[i] && f.lower80[i] <= f.mean[i] + 1e-9 && f.mean[i] <= f.upper80[i] + 1e-9 && f.upper80[i] <= f.upper95[i]);
  }
});

test('wasm forecast of one channel equals the CLI on that channel alone, and other horizons too', () => {
  const cliF = cliJson(['forecast', '--model', modelPath, '--data', channelFile('search'), '--json', '--horizon', '48']);
  const f = fc.forecast(table, model, { horizon: 48, channel: 'search' });
  assert.deepEqual(Array.from(f.time), cliF.time);
  for (const k of ['mean', 'lower80', 'upper80', 'lower95', 'upper95']) assertArrayClose(assert, f[k], cliF[k], 1e-6, k);
});

function assertKpisEqual(k, c) {
  assert.equal(k.windowHours, c.window_hours);
  for (const w of ['current', 'previous']) {
    assert.equal(k[w].start, c[w].start, `${w}.start`);
    assert.equal(k[w].end, c[w].end, `${w}.end`);
    for (const m of ['leads', 'spend', 'revenue', 'cpl', 'roi']) {
      assert.ok(close(k[w][m], c[w][m], 1e-9 * Math.max(1, Math.abs(c[w][m] ?? 0))), `${w}.${m}: wasm ${k[w][m]} vs CLI ${c[w][m]}`);
    }
  }
  for (const m of ['leads', 'spend', 'revenue', 'cpl', 'roi']) {
    assert.ok(close(k.change[m], c.change[m], 1e-12), `change.${m}: wasm ${k.change[m]} vs CLI ${c.change[m]}`);
  }
}

test('wasm KPIs equal funnelcast kpi --json (total, a channel, a 7-day window)', () => {
  assertKpisEqual(fc.kpis(table, {}), cliJson(['kpi', '--data', dataPath, '--json']));
  assertKpisEqual(fc.kpis(table, { channel: 'email' }), cliJson(['kpi', '--data', channelFile('email'), '--json']));
  assertKpisEqual(fc.kpis(table, { window: 168 }), cliJson(['kpi', '--data', dataPath, '--json', '--window', '168']));
});

function assertAnomaliesEqual(a, c) {
  assert.equal(a.metric, c.metric);
  assert.equal(a.method, c.method);
  assert.equal(a.count, c.count, 'count');
  assert.equal(a.anomalies.length, c.anomalies.length);
  a.anomalies.forEach((x, i) => {
    const y = c.anomalies[i];
    assert.equal(x.time, y.time);
    for (const k of ['value', 'expected', 'score']) assert.ok(close(x[k], y[k], 1e-9 * Math.max(1, Math.abs(y[k]))), `${k} at ${x.time}`);
  });
}

test('wasm anomalies equal funnelcast anomalies --json with the defaults (CPL, |z| > 2.5, 14-day lookback, 7-day baseline)', () => {
  const c = cliJson(['anomalies', '--data', dataPath, '--json']);
  const a = fc.anomalies(table, {});
  assert.ok(c.count > 0, 'the demo data has anomalies to find');
  assertAnomaliesEqual(a, c);
  assert.equal(a.lookback, 336);
  assert.equal(a.baseline, 168);
  assert.equal(a.threshold, 2.5);
  // The full columns agree with the list.
  let flagged = 0;
  for (let i = 0; i < a.flagged.length; ++i) flagged += a.flagged[i];
  assert.equal(flagged, a.count);
  assert.equal(a.time.length, a.value.length);
  assert.ok(a.checkedFrom === a.time.length - 336);
});

test('wasm anomalies equal the CLI for other metrics, methods and windows', () => {
  const cases = [
    [{ metric: 'leads', method: 'robust', threshold: 3, lookback: 720, baseline: 336 }, ['--metric', 'leads', '--method', 'robust', '--threshold', '3', '--lookback', '720', '--baseline', '336']],
    [{ metric: 'roi', threshold: 2, channel: 'social' }, ['--metric', 'roi', '--threshold', '2'], channelFile('social')],
    [{ metric: 'cpl', lookback: 0 }, ['--lookback', '0']],
  ];
  for (const [opts, args, file] of cases) {
    assertAnomaliesEqual(fc.anomalies(table, opts), cliJson(['anomalies', '--data', file || dataPath, '--json', ...args]));
  }
});

test('the model header equals funnelcast inspect', () => {
  const h = model.header();
  const inspected = cliJson(['inspect', modelPath]);
  delete inspected.file; // inspect adds the file's own facts (size, trees) to the header
  assert.deepEqual(h, inspected);
  assert.equal(h.kind, 'forecast');
  assert.ok(Array.isArray(h.forecast.features.names) && h.forecast.features.names.length > 0);
  assert.equal(h.data.roles.leads, 'leads');
});
