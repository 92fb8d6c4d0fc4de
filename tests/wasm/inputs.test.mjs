// The inputs that once gave silent wrong answers, through the wasm bundle: the same
// refusals as the CLI with the same messages, and the model's schema as the authority
// when a table is forecast without pinned roles.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { bytes, cli, cliJson, demoModel, loadModule, loadTrainModule, scratchDir, writeScratch } from './helpers.mjs';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';

const fc = await loadModule();

// An hourly CSV of `hours` rows from 2024-03-01 00:00 UTC; row(h) gives the fields after the time.
function hourly(header, hours, row) {
  const lines = [header];
  for (let h = 0; h < hours; ++h) {
    const t = new Date(Date.UTC(2024, 2, 1) + h * 3600e3).toISOString().slice(0, 19).replace('T', ' ');
    lines.push(`${t},${row(h)}`);
  }
  return lines.join('\n') + '\n';
}
const shape = (h) => 20 + Math.round(15 * Math.sin(((h % 24) - 6) / 24 * 2 * Math.PI)) + ((h * 7919) % 5);

// The message the CLI prints after "error: " for a command that must fail.
function cliError(args) {
  const r = cli(args, { allowFailure: true });
  assert.equal(r.status, 2, `the CLI refuses: ${args.join(' ')}\n${r.stderr}`);
  return r.stderr.match(/error: (.*)\n?$/s)[1].trim();
}

function wasmError(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof Error);
    return e.message;
  }
  assert.fail('expected an error');
}

const CASES = {
  'no-leads.csv': hourly('timestamp,foo,spend', 48, (h) => `${shape(h)},10`),
  'negative-spend.csv': hourly('timestamp,leads,spend', 48, (h) => (h === 5 ? '3,-12.5' : '3,10')),
  'huge.csv': hourly('timestamp,leads,spend', 48, (h) => (h === 9 ? '1e308,10' : '3,10')),
  'blank-end.csv': hourly('timestamp,leads', 96, (h) => (h >= 72 ? '' : String(shape(h)))),
};

// Files that are not CSV text: refused by the reader itself, with the CLI's message.
const BINARY = {
  'nul.csv': Buffer.from('timestamp,leads\n2024-01-01 00:00:00,1\n2024-01-01 01:00:00,2\0\n', 'latin1'),
  'u16.csv': Buffer.from([0xff, 0xfe, 0x74, 0x00, 0x73, 0x00, 0x0a, 0x00]),
  'nohdr.csv': Buffer.from('2024-01-01 00:00:00,3\n2024-01-01 01:00:00,2\n'),
};

test('files that are not CSV text are refused with the CLI\'s message', () => {
  for (const [name, data] of Object.entries(BINARY)) {
    const path = writeScratch(name, data);
    const expected = cliError(['kpi', '--json', '--data', path]);
    assert.equal(wasmError(() => fc.loadTable(new Uint8Array(data), name)), expected, name);
  }
  const model = readFileSync(demoModel());
  const path = writeScratch('demo.fcm', model);
  assert.equal(wasmError(() => fc.loadTable(new Uint8Array(model), 'demo.fcm')), cliError(['kpi', '--data', path]));
});

test('bad inputs give the CLI\'s message as a JS Error', () => {
  for (const [name, text] of Object.entries(CASES)) {
    const path = writeScratch(name, text);
    const expected = cliError(['kpi', '--json', '--data', path]);
    const t = fc.loadTable(text, name);
    try {
      const s = t.schema();
      const got = s.ok ? wasmError(() => fc.kpis(t, {})) : s.error;
      assert.equal(got, expected, name);
      if (!s.ok) assert.equal(wasmError(() => fc.kpis(t, {})), expected, `${name}: kpis throws it too`);
    } finally {
      t.delete();
    }
  }
});

test('a model trained on another target column forecasts it without pinned roles, like the CLI', () => {
  const text = hourly('timestamp,value', 24 * 40, (h) => String(shape(h)));
  const path = writeScratch('value.csv', text);
  const modelPath = join(scratchDir(), 'value.fcm');
  cli(['train', 'forecast', '--data', path, '--target', 'value', '--out', modelPath, '--quiet', '--folds', '3', '--horizon', '48',
    '--param', 'num_iterations=40', '--param', 'learning_rate=0.1']);
  const expected = cliJson(['forecast', '--model', modelPath, '--data', path, '--json']);
  const t = fc.loadTable(text, 'value.csv');
  const m = fc.loadModel(bytes(modelPath), 'value.fcm');
  try {
    // Detection alone does not know "value" is the target: the table cannot be built.
    assert.equal(t.schema().ok, false);
    assert.match(t.schema().error, /which column holds the leads\?.*value/);
    // The model knows.
    assert.equal(fc.modelFits(t, m).ok, true);
    const f = fc.forecast(t, m);
    assert.deepEqual(Array.from(f.mean), expected.mean);
    assert.equal(f.target, 'value');
    assert.equal(f.history.length, 24 * 40);
    // A table without that column: the model and the column are named.
    const other = fc.loadTable(hourly('timestamp,amount', 24 * 40, (h) => String(shape(h))), 'other.csv');
    try {
      const fit = fc.modelFits(other, m);
      assert.equal(fit.ok, false);
      assert.match(fit.reason, /other\.csv has no column 'value', which value\.fcm needs \(its leads column in training\)/);
      assert.throws(() => fc.forecast(other, m), (e) => e.message === fit.reason);
    } finally {
      other.delete();
    }
  } finally {
    t.delete();
    m.delete();
  }
});

test('the demo model does not fit a daily file, and says why', () => {
  const lines = ['Date,Sales,Marketing_Spend,Leads'];
  for (let d = 0; d < 60; ++d) lines.push(`${new Date(Date.UTC(2024, 0, 1) + d * 86400e3).toISOString().slice(0, 10)},1000,200,40`);
  const t = fc.loadTable(lines.join('\n') + '\n', 'daily.csv');
  const m = fc.loadModel(bytes(demoModel()), 'demo_forecast.fcm');
  try {
    assert.equal(t.schema().step, 86400);
    const fit = fc.modelFits(t, m);
    assert.equal(fit.ok, false);
    assert.match(fit.reason, /daily\.csv has no column 'timestamp', which demo_forecast\.fcm needs \(its time column in training\)/);
    t.setRoles({ time: 'Date' });
    assert.match(fc.modelFits(t, m).reason, /daily\.csv is daily data \(one row per day\), but demo_forecast\.fcm forecasts hourly data/);
  } finally {
    t.delete();
    m.delete();
  }
});

test('an export every 2 hours is read on its own grid: its last 24 hours are 12 rows, and the demo model refuses it by name', () => {
  const lines = ['timestamp,leads,spend'];
  for (let i = 0; i < 360; ++i) lines.push(`${new Date(Date.UTC(2024, 0, 1) + i * 7200e3).toISOString().slice(0, 19).replace('T', ' ')},${(i % 5) + 1},10`);
  const t = fc.loadTable(lines.join('\n') + '\n', 'twohour.csv');
  const m = fc.loadModel(bytes(demoModel()), 'demo_forecast.fcm');
  try {
    const s = t.schema();
    assert.equal(s.step, 7200);
    assert.ok(s.notices.includes('twohour.csv: data every 2 hours (one row per 2 hours)'), s.notices.join('\n'));
    // Rows 348..359 are the last 24 hours: (i % 5) + 1 leads each.
    let want = 0;
    for (let i = 348; i < 360; ++i) want += (i % 5) + 1;
    const k = fc.kpis(t, {});
    assert.equal(k.interval_seconds, 7200);
    assert.equal(k.current.intervals, 12);
    assert.equal(k.current.leads, want);
    assert.match(fc.modelFits(t, m).reason, /twohour\.csv is data every 2 hours \(one row per 2 hours\), but demo_forecast\.fcm forecasts hourly data/);
  } finally {
    t.delete();
    m.delete();
  }
});

test('trainForecast gives the bytes the CLI gives with one thread', async () => {
  const train = await loadTrainModule();
  const text = hourly('timestamp,channel,leads', 24 * 35, (h) => `a,${shape(h)}`);
  const path = writeScratch('train.csv', text);
  const cliModel = join(scratchDir(), 'cli-train.fcm');
  cli(['train', 'forecast', '--data', path, '--out', cliModel, '--quiet', '--threads', '1', '--folds', '3', '--horizon', '48',
    '--param', 'num_iterations=50', '--param', 'learning_rate=0.1', '--param', 'seed=7']);
  const t = train.loadTable(text, 'train.csv');
  try {
    const stages = [];
    const r = train.trainForecast(t, { folds: 3, horizon: 48, iterations: 50, learning_rate: 0.1, seed: 7 }, (stage, f) => stages.push(f));
    assert.deepEqual(Buffer.from(r.model), readFileSync(cliModel));
    assert.ok(stages.length > 5 && stages.at(-1) === 1, 'progress reported up to 1');
    for (let i = 1; i < stages.length; ++i) assert.ok(stages[i] >= stages[i - 1], 'progress never goes back');
    assert.equal(r.report.cv.folds, 3);
    assert.equal(r.report.data.source, 'train.csv');
  } finally {
    t.delete();
  }
});
