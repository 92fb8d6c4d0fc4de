// The wasm bundle against the native CLI on the demo data and model: the same core,
// compiled twice, must give the same forecast (within 1e-6), KPIs and anomalies.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { assertArrayClose, assertSameDocument, bytes, cli, cliJson, cliPath, close, demoData, demoModel, loadModule, loadTrainModule, scratchDir, writeScratch } from './helpers.mjs';

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
  // Field by field: api::forecast_json writes both; the page also gets the history.
  const plain = { ...f };
  for (const k of ['time', 'mean', 'lower80', 'upper80', 'lower95', 'upper95']) plain[k] = Array.from(f[k]);
  delete plain.history_time;
  delete plain.history;
  assertSameDocument(assert, plain, cliF, 1e-6);
  assert.equal(f.history.length, f.history_time.length);
  assert.equal(f.history_time[f.history_time.length - 1] + f.interval_seconds, f.time[0], 'the forecast continues the history');
  // Its CSV is the CLI's, byte for byte.
  assert.equal(fc.forecast(table, model, { csv: true }).csv, execFileSync(cliPath(), ['forecast', '--model', modelPath, '--data', dataPath], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
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

// Field by field: one writer in the core makes both (api::kpi); the channel is the one
// asked for, so a channel's own file (read by the CLI as a total) says "".
function assertKpisEqual(k, c) {
  assertSameDocument(assert, { ...k, channel: '' }, c, 1e-9);
}

test('wasm KPIs equal funnelcast kpi --json (total, a channel, a 7-day window)', () => {
  assertKpisEqual(fc.kpis(table, {}), cliJson(['kpi', '--data', dataPath, '--json']));
  assertKpisEqual(fc.kpis(table, { channel: 'email' }), cliJson(['kpi', '--data', channelFile('email'), '--json']));
  assertKpisEqual(fc.kpis(table, { window: 168 }), cliJson(['kpi', '--data', dataPath, '--json', '--window', '168']));
});

// Field by field (api::anomalies_json writes both), less the typed-array columns the CLI
// writes with --out and the channel (a channel's own file is a total for the CLI).
function assertAnomaliesEqual(a, c) {
  assertSameDocument(assert, { ...a, channel: '' }, { ...c, channel: '' }, 1e-9, '', ['parts', 'member_scores']);
  assert.deepEqual((a.parts || []).map((p) => p.name), (c.parts || []).map((p) => p.name));
}

test('wasm anomalies equal funnelcast anomalies --json with the defaults (ensemble on CPL, 14-day lookback)', () => {
  const c = cliJson(['anomalies', '--data', dataPath, '--json']);
  const a = fc.anomalies(table, {});
  assert.ok(c.count > 0, 'the demo data has incidents in its last 14 days');
  assertAnomaliesEqual(a, c);
  assert.equal(a.method, 'ensemble');
  assert.equal(a.kind, 'ratio');
  assert.equal(a.lookback_steps, 336);
  assert.equal(a.baseline_steps, 168);
  assert.equal(a.lookback, '14 days');
  assert.equal(a.threshold, 0.99995);
  // The full columns agree with the list, and every score is in [0, 1].
  const checkedFrom = (a.checked_from - a.start) / a.interval_seconds;
  let flagged = 0;
  for (let i = 0; i < a.flagged.length; ++i) {
    flagged += a.flagged[i];
    if (!Number.isNaN(a.score[i])) assert.ok(a.score[i] >= 0 && a.score[i] <= 1);
    if (a.flagged[i]) assert.ok(i >= checkedFrom && a.score[i] >= a.threshold && a.direction[i] !== 0);
  }
  assert.equal(flagged, a.count);
  assert.equal(a.time.length, a.value.length);
  assert.equal(checkedFrom, a.time.length - 336);
  assert.equal(a.size, a.time.length);
  // CPL: its parts and why it moved; the ensemble's members.
  assert.deepEqual(a.parts.map((p) => p.name), ['spend', 'leads']);
  assert.deepEqual(a.cause_names, ['', 'spend', 'leads', 'both', 'mix']);
  const members = fc.registry().methods.filter((m) => m.ensemble_member && !m.needs_forecasts).map((m) => m.name);
  assert.ok(a.members.length >= 3 && a.members.every((m) => members.includes(m)), `members ${a.members}`);
  assert.deepEqual(Object.keys(a.member_scores), a.members);
  a.anomalies.forEach((x) => {
    const y = c.anomalies.find((q) => q.time === x.time);
    const i = (x.time - a.start) / a.interval_seconds;
    assert.equal(a.cause_names[a.cause[i]], y.cause);
    assert.equal(a.direction[i] > 0 ? 'spike' : 'drop', y.direction);
  });
});

test('wasm anomalies equal the CLI interval by interval (--out), band and score included', () => {
  const out = writeScratch('anomalies-out.csv', '');
  execFileSync(cliPath(), ['anomalies', '--data', dataPath, '--lookback', '3d', '--out', out], { stdio: 'ignore' });
  const rows = readFileSync(out, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const a = fc.anomalies(table, { lookback: '3d' });
  assert.equal(rows.length, 72);
  rows.forEach((f, k) => {
    const i = (a.checked_from - a.start) / a.interval_seconds + k;
    const num = (s) => (s === '' ? null : Number(s));
    for (const [col, key, tol] of [[1, 'value', 1e-5], [2, 'expected', 1e-5], [3, 'lower', 1e-5], [4, 'upper', 1e-5], [5, 'score', 1e-8]]) {
      const x = a[key][i], y = num(f[col]);
      assert.ok(close(x, y, tol * Math.max(1, Math.abs(y))), `${key} at row ${k}: wasm ${x} vs CLI ${y}`);
    }
    assert.equal(String(a.flagged[i]), f[6]);
  });
});

test('wasm anomalies equal the CLI for other metrics, methods and windows', () => {
  const cases = [
    [{ metric: 'leads', method: 'robust', threshold: 3, lookback: '720', baseline: '336' }, ['--metric', 'leads', '--method', 'robust', '--threshold', '3', '--lookback', '720', '--baseline', '336']],
    [{ metric: 'roi', method: 'seasonal', channel: 'social' }, ['--metric', 'roi', '--method', 'seasonal'], channelFile('social')],
    [{ metric: 'cpl', method: 'zscore', lookback: 0 }, ['--method', 'zscore', '--lookback', '0']],
    [{ metric: 'spend', method: 'iforest', lookback: '4w', seed: 3 }, ['--metric', 'spend', '--method', 'iforest', '--lookback', '4w', '--seed', '3']],
  ];
  for (const [opts, args, file] of cases) {
    assertAnomaliesEqual(fc.anomalies(table, opts), cliJson(['anomalies', '--data', file || dataPath, '--json', ...args]));
  }
});

test('wasm anomalies of any numeric column equal the CLI, in both bundles', async () => {
  const lines = ['time,latency'];
  for (let i = 0; i < 6 * 288; ++i) {
    const t = new Date(Date.UTC(2024, 0, 1) + i * 300e3 + ((i * 37) % 50) * 1e3).toISOString().slice(0, 19).replace('T', ' ');
    lines.push(`${t},${(50 + 5 * Math.sin(i / 288 * 6.283) + ((i * 7919) % 11) * 0.3 + (i === 6 * 288 - 9 ? 300 : 0)).toFixed(3)}`);
  }
  const path = writeScratch('latency.csv', lines.join('\n') + '\n');
  const full = await loadTrainModule();
  const t = full.loadTable(bytes(path), 'latency.csv');
  try {
    const a = full.anomalies(t, { metric: 'latency', lookback: '1d' });
    assertAnomaliesEqual(a, cliJson(['anomalies', '--data', path, '--metric', 'latency', '--lookback', '1d', '--json']));
    assert.equal(a.interval_seconds, 300);
    assert.equal(a.kind, 'level');
    assert.equal(a.parts, null);
    assert.ok(a.anomalies.some((x) => x.time === a.start + (6 * 288 - 9) * 300), 'the spike is flagged');
  } finally {
    t.delete();
  }
  const page = fc.loadTable(bytes(path), 'latency.csv');
  try {
    // The page's bundle too, on a table with no leads column (no series of metrics).
    assertAnomaliesEqual(fc.anomalies(page, { metric: 'latency', lookback: '1d' }),
      cliJson(['anomalies', '--data', path, '--metric', 'latency', '--lookback', '1d', '--json']));
    assert.throws(() => fc.anomalies(page, { metric: 'cpl' }), /which column holds the leads/);
  } finally {
    page.delete();
  }
});

test('the model header equals funnelcast inspect --json (a forecast and a scoring model)', () => {
  const h = model.header();
  const inspected = cliJson(['inspect', '--json', modelPath]);
  // Field by field; inspect adds the file's own facts (size, trees) as "file".
  assertSameDocument(assert, h, inspected, 0, '', ['file']);
  assert.deepEqual(Object.keys(inspected.file).sort(), ['bytes', 'format_version', 'internal_nodes', 'leaves', 'trees']);
  assert.equal(inspected.file.bytes, readFileSync(modelPath).length);
  assert.deepEqual(cliJson(['inspect', '--model', modelPath]), inspected, 'the file as --model or as the argument');
  const leadsPath = new URL('../../models/demo_leads.fcm', import.meta.url);
  const leads = fc.loadModel(readFileSync(leadsPath), 'demo_leads.fcm');
  try {
    assertSameDocument(assert, leads.header(), cliJson(['inspect', '--json', leadsPath.pathname]), 0, '', ['file']);
  } finally {
    leads.delete();
  }
  assert.equal(h.kind, 'forecast');
  assert.ok(Array.isArray(h.forecast.features.names) && h.forecast.features.names.length > 0);
  assert.equal(h.data.roles.leads, 'leads');
});

test('the anomalies CSV comes from the core: the page gets the CLI output byte for byte', () => {
  const a = fc.anomalies(table, { csv: true, lookback: '4w' });
  const stdout = execFileSync(cliPath(), ['anomalies', '--data', dataPath, '--lookback', '4w'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  assert.equal(a.csv, stdout);
  assert.equal(a.csv.trim().split('\n').length - 1, a.count);
});

test('options are read by the command field lists: both edges refuse the same mistakes', () => {
  // An unknown option is named, with the options the command has; the CLI refuses its flag.
  assert.throws(() => fc.kpis(table, { windw: 24 }), /unknown option 'windw' \(options: window, channel\)/);
  assert.throws(() => fc.anomalies(table, { method: 'prophet' }), /option 'method': unknown method 'prophet'; choose one of zscore/);
  const bad = spawnCli(['anomalies', '--data', dataPath, '--method', 'prophet']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--method: unknown method 'prophet'; choose one of zscore/);
  assert.throws(() => fc.anomalies(table, { seasons: 1 }), /option 'seasons': expected a whole number from 2 to 52, found 1/);
  assert.match(spawnCli(['anomalies', '--data', dataPath, '--seasons', '1']).stderr, /--seasons: expected a whole number from 2 to 52, found 1/);
  assert.throws(() => fc.kpis(table, { window: NaN }), /option 'window' must be a finite number/);
  assert.throws(() => fc.anomalies(table, { out: 'x.csv' }), /unknown option 'out'/, 'CLI-only options are not options of the JS API');
  // A z threshold reads the same on both edges.
  const z = fc.anomalies(table, { threshold: '3z', method: 'robust' });
  assert.equal(z.threshold, cliJson(['anomalies', '--data', dataPath, '--json', '--threshold', '3z', '--method', 'robust']).threshold);
});

function spawnCli(args) {
  return spawnSync(cliPath(), args, { encoding: 'utf8' });
}

// Training: the same options through the CLI (--threads 1, --json) and through the training
// bundle give the same model bytes and the same {report, notices}, field by field. Both read
// the options through the core's field lists (api::train_forecast_fields, train_score_fields).
test('trainForecast equals funnelcast train forecast --json: the same bytes, the same report', async () => {
  const train = await loadTrainModule();
  const lines = ['timestamp,channel,leads,spend'];
  for (let h = 0; h < 24 * 40; ++h) {
    const t = new Date(Date.UTC(2024, 0, 1) + h * 3600e3).toISOString().slice(0, 19).replace('T', ' ');
    const a = 12 + Math.round(9 * Math.sin(((h % 24) - 6) / 24 * 6.283)) + ((h * 7919) % 5);
    lines.push(`${t},a,${a},${(40 + (h % 24)).toFixed(2)}`, `${t},b,${(h * 7) % 5},${(10 + (h % 7)).toFixed(2)}`);
  }
  const path = writeScratch('parity-train.csv', lines.join('\n') + '\n');
  const out = writeScratch('parity-train.fcm', '');
  const options = { channel: 'a', folds: 3, horizon: 48, iterations: 40, learning_rate: 0.1, num_leaves: 15, seed: 3, lags: '1-24,48,168', windows: '24' };
  const c = cliJson(['train', 'forecast', '--data', path, '--out', out, '--json', '--quiet', '--no-log', '--threads', '1',
    '--channel', 'a', '--folds', '3', '--horizon', '48', '--iterations', '40', '--learning-rate', '0.1', '--num-leaves', '15',
    '--seed', '3', '--lags', '1-24,48,168', '--windows', '24']);
  const t = train.loadTable(readFileSync(path), 'parity-train.csv');
  try {
    const r = train.trainForecast(t, options);
    assert.ok(Buffer.from(r.model).equals(readFileSync(out)), 'the model bytes are the CLI\'s');
    assertSameDocument(assert, r, c, 1e-12);
    assert.deepEqual(Object.keys(c).sort(), ['notices', 'report']);
    assert.equal(r.report.cv.folds, 3);
    // The old camelCase names are refused, naming the options there are.
    assert.throws(() => train.trainForecast(t, { learningRate: 0.1 }), /unknown option 'learningRate' \(options: channel, by, horizon, folds/);
    assert.throws(() => train.trainForecast(t, { lags: '1-x' }), /option 'lags': expected numbers like 1-24,48,168, found '1-x'/);
    assert.throws(() => train.trainForecast(t, { threads: 2 }), /unknown option 'threads'/, 'the page trains on one thread');
  } finally {
    t.delete();
  }
});

// The page shares a forecast training's forecasters among workers: each candidate run in
// one of two separate modules (another worker's instance), passed through structuredClone
// as postMessage passes it, then finished in one: the CLI's bytes.
test('trainForecastCandidate() in separate modules, then trainForecast() with the candidates: the CLI\u2019s bytes; foreign or broken ones are refused', async () => {
  const modules = [await loadTrainModule(), await loadTrainModule({ fresh: true })];
  const lines = ['timestamp,leads'];
  for (let h = 0; h < 24 * 40; ++h) {
    const t = new Date(Date.UTC(2024, 0, 1) + h * 3600e3).toISOString().slice(0, 19).replace('T', ' ');
    lines.push(`${t},${10 + Math.round(8 * Math.sin(((h % 24) - 6) / 24 * 6.283)) + ((h * 7919) % 4)}`);
  }
  const text = lines.join('\n') + '\n';
  const path = writeScratch('candidates-train.csv', text);
  const out = writeScratch('candidates-train.fcm', '');
  cli(['train', 'forecast', '--data', path, '--out', out, '--quiet', '--no-log', '--threads', '1', '--folds', '3', '--horizon', '48',
    '--iterations', '40', '--learning-rate', '0.1', '--seed', '3']);
  const options = { folds: 3, horizon: 48, iterations: 40, learning_rate: 0.1, seed: 3 };
  const tables = modules.map((m) => m.loadTable(text, 'candidates-train.csv'));
  try {
    const names = modules[1].forecastCandidates(tables[1], options);
    assert.deepEqual(names, modules[0].forecastCandidates(tables[0], options));
    assert.ok(names.includes('gbdt_poisson') && names.includes('seasonal_naive'), names.join(', '));
    const candidates = [];
    for (let k = names.length - 1; k >= 0; --k) {
      const progress = [];
      const c = modules[k % 2].trainForecastCandidate(tables[k % 2], options, k, (s, f) => progress.push(f));
      assert.equal(c.candidate, k);
      assert.equal(c.name, names[k]);
      assert.ok(c.bytes instanceof Uint8Array && c.bytes.length > 0);
      assert.equal(progress.at(-1), 1);
      candidates.push(structuredClone(c));
    }
    const progress = [];
    const r = modules[0].trainForecast(tables[0], options, (s, f) => progress.push(f), candidates);
    assert.ok(Buffer.from(r.model).equals(readFileSync(out)), 'the model bytes are the CLI\'s');
    assert.ok(progress[0] >= names.length / (names.length + 1) - 1e-9, `progress starts at the final fit: ${progress[0]}`);
    // Another seed's candidates, one left out, one twice, damaged bytes, the wrong types.
    const theirs = names.map((_, k) => modules[1].trainForecastCandidate(tables[1], { ...options, seed: 4 }, k));
    assert.throws(() => modules[0].trainForecast(tables[0], options, null, theirs), /candidate results do not fit this data and options: \w+'s results were made from other data, folds or options/);
    assert.throws(() => modules[0].trainForecast(tables[0], options, null, candidates.slice(1)), new RegExp(`${names.length - 1} given, this training compares ${names.length} forecasters`));
    assert.throws(() => modules[0].trainForecast(tables[0], options, null, [candidates[0], ...candidates.slice(0, -1)]), / is given twice/);
    const cut = candidates.map((c, i) => (i === 2 ? { ...c, bytes: c.bytes.slice(0, c.bytes.length - 3) } : c));
    assert.throws(() => modules[0].trainForecast(tables[0], options, null, cut), /candidate result 2: damaged/);
    assert.throws(() => modules[0].trainForecast(tables[0], options, null, [{ ...candidates[0], bytes: Array.from(candidates[0].bytes) }]), /candidates\[0\] must be a candidate result/);
    assert.throws(() => modules[0].trainForecast(tables[0], options, null, 'all'), /candidates must be an array/);
    assert.throws(() => modules[0].trainForecastCandidate(tables[0], options, names.length), new RegExp(`candidate ${names.length}: this training compares ${names.length} forecasters`));
    assert.throws(() => modules[0].trainForecastCandidate(tables[0], options, -1), /candidate must be an integer from 0/);
  } finally {
    for (const t of tables) t.delete();
  }
});

test('trainScore equals funnelcast train score --json: the same bytes, the same report (a list to drop, a contact budget)', async () => {
  const train = await loadTrainModule();
  const dir = join(scratchDir(), 'parity-leads');
  cli(['demo-data', '--out', dir, '--days', '14', '--leads', '800', '--seed', '2']);
  const path = join(dir, 'leads.csv');
  const out = join(dir, 'parity-leads.fcm');
  const c = cliJson(['train', 'score', '--data', path, '--out', out, '--json', '--quiet', '--no-log', '--threads', '1',
    '--target', 'converted', '--folds', '3', '--iterations', '30', '--learning-rate', '0.1', '--num-leaves', '15', '--seed', '5',
    '--drop', 'device', '--drop', 'country', '--top', '20%']);
  const t = train.loadTable(readFileSync(path), 'leads.csv');
  try {
    const r = train.trainScore(t, { target: 'converted', folds: 3, iterations: 30, learning_rate: 0.1, num_leaves: 15, seed: 5, drop: ['device', 'country'], top: 0.2 });
    assert.ok(Buffer.from(r.model).equals(readFileSync(out)), 'the model bytes are the CLI\'s');
    assertSameDocument(assert, r, c, 1e-12);
    assert.equal(r.report.threshold_rule, 'top_share');
    assert.ok(r.report.dropped_columns.some((d) => d.column === 'device'), JSON.stringify(r.report.dropped_columns));
    // The CLI's comma-separated text reads the same.
    const same = train.trainScore(t, { target: 'converted', folds: 0, iterations: 5, drop: 'device,country' });
    const list = train.trainScore(t, { target: 'converted', folds: 0, iterations: 5, drop: ['device', 'country'] });
    assert.ok(Buffer.from(same.model).equals(Buffer.from(list.model)));
    assert.throws(() => train.trainScore(t, { target: 'converted', top: 0.2, precision: 0.5 }), /give one of option 'threshold', option 'precision' and option 'top'/);
    assert.throws(() => train.trainScore(t, { target: 'converted', folds: 1 }), /option 'folds': 1 fold cannot cross-validate/);
    // No target: the certain guess, said first among the notices (as the CLI without --target);
    // an uncertain one lists the candidates and trains nothing.
    const guessed = train.trainScore(t, { folds: 0, iterations: 5 });
    assert.equal(guessed.report.target.column, 'converted');
    assert.match(guessed.notices[0], /^outcome: 'converted', guessed \(named like an outcome, two values; [\d.]+% are 'yes'\); to train for another column, give option 'target'$/);
    const unsure = train.loadTable('won,converted,visits\n1,no,3\n0,yes,4\n0,yes,5\n1,no,6\n', 'unsure.csv');
    try {
      assert.throws(() => train.trainScore(unsure, { folds: 0 }), /^Error: which column is the outcome\? The guess is not certain[^]*\n {2}converted: [^]*\n {2}won: [^]*give the outcome with option 'target'/);
    } finally {
      unsure.delete();
    }
  } finally {
    t.delete();
  }
});
