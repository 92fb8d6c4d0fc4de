// Core errors arrive in JS as Error objects carrying the core's own message: the same
// text the native CLI prints after "error: ".
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { bytes, cli, demoData, demoModel, loadModule, writeScratch } from './helpers.mjs';

const fc = await loadModule();
const enc = (s) => new TextEncoder().encode(s);

// The message the CLI prints for this file: "funnelcast kpi: error: MESSAGE".
function cliMessage(path, command = ['kpi', '--json', '--data', path]) {
  const r = cli(command, { allowFailure: true });
  assert.equal(r.status, 2, `the CLI refuses ${path}`);
  const m = r.stderr.match(/error: (.*)\n?$/s);
  assert.ok(m, `CLI error line in: ${r.stderr}`);
  return m[1].trim();
}

const BAD_CSVS = {
  'ragged.csv': 'timestamp,leads,spend\n2024-01-01 00:00:00,1,2\n2024-01-01 01:00:00,3\n',
  'unterminated.csv': 'timestamp,leads\n2024-01-01 00:00:00,"5\n2024-01-01 01:00:00,3\n',
  'empty.csv': '',
  'header-only.csv': 'timestamp,leads,spend\n',
  'duplicate-header.csv': 'timestamp,leads,leads\n2024-01-01 00:00:00,1,2\n',
};

test('errors from bad CSVs arrive as JS Errors with the core message', () => {
  for (const [name, text] of Object.entries(BAD_CSVS)) {
    const path = writeScratch(name, text);
    const expected = cliMessage(path);
    let caught = null;
    try {
      fc.loadTable(enc(text), name).delete();
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof Error, `${name}: a JS Error, got ${caught}`);
    assert.equal(caught.message, expected, `${name}: the core's message`);
    assert.ok(caught.message.includes(name), `${name}: the message names the file`);
  }
});

test('a CSV whose hourly series cannot be built loads with the error in its schema, and calls throw it', () => {
  const text = 'timestamp,leads,spend\n2024-01-01 00:00:00,1,2\n2024-01-01 00:00:00,3,4\n2024-01-01 02:00:00,5,6\n';
  const path = writeScratch('dup-hour.csv', text);
  const expected = cliMessage(path);
  const t = fc.loadTable(enc(text), 'dup-hour.csv');
  try {
    const s = t.schema();
    assert.equal(s.ok, false);
    assert.equal(s.error, expected);
    assert.throws(() => fc.kpis(t, {}), (e) => e instanceof Error && e.message === expected);
    assert.throws(() => t.series(), (e) => e instanceof Error && e.message === expected);
  } finally {
    t.delete();
  }
});

test('a non-numeric value in a role column is reported with its line and column', () => {
  const text = 'timestamp,leads,spend\n2024-01-01 00:00:00,1,2\n2024-01-01 01:00:00,lots,4\n';
  const path = writeScratch('text-leads.csv', text);
  const expected = cliMessage(path);
  const t = fc.loadTable(enc(text), 'text-leads.csv');
  try {
    assert.equal(t.schema().ok, false);
    assert.equal(t.schema().error, expected);
    assert.match(expected, /leads/);
  } finally {
    t.delete();
  }
});

test('a damaged model file is refused with the core message', () => {
  const good = bytes(demoModel());
  const damaged = good.slice();
  damaged[Math.floor(damaged.length / 2)] ^= 0xff;
  const path = writeScratch('damaged.fcm', damaged);
  const expected = cliMessage(path, ['inspect', path]);
  assert.throws(() => fc.loadModel(damaged, 'damaged.fcm'), (e) => e instanceof Error && e.message === expected);
  assert.throws(() => fc.loadModel(enc('not a model'), 'text.fcm'), (e) => e instanceof Error && /text\.fcm/.test(e.message));
  assert.throws(() => fc.loadModel(good.subarray(0, 100), 'cut.fcm'), (e) => e instanceof Error && /cut\.fcm/.test(e.message));
});

test('bad options and unknown channels are JS Errors naming the problem', () => {
  const t = fc.loadTable(bytes(demoData()), 'hourly.csv');
  const m = fc.loadModel(bytes(demoModel()), 'demo_forecast.fcm');
  try {
    assert.throws(() => fc.forecast(t, m, { horizon: -1 }), /horizon/);
    assert.throws(() => fc.forecast(t, m, { horizon: 200 }), /demo_forecast\.fcm was validated for 168 hours ahead; forecasting 200 hours/);
    assert.throws(() => fc.forecast(t, m, { horizon: 'x' }), /horizon/);
    assert.throws(() => fc.kpis(t, { channel: 'tv' }), (e) => e instanceof Error && /tv/.test(e.message) && /search/.test(e.message));
    assert.throws(() => fc.anomalies(t, { metric: 'clicks' }), (e) => e instanceof Error && /clicks/.test(e.message));
    assert.throws(() => fc.anomalies(t, { method: 'magic' }), (e) => e instanceof Error && /magic/.test(e.message));
    assert.throws(() => fc.loadTable(42, 'x.csv'), TypeError);
  } finally {
    t.delete();
    m.delete();
  }
});

test('a deleted table or model cannot be used (JS Error, no crash)', () => {
  const t = fc.loadTable(bytes(demoData()), 'hourly.csv');
  const m = fc.loadModel(bytes(demoModel()), 'demo_forecast.fcm');
  t.delete();
  t.delete(); // twice is fine
  m.delete();
  assert.equal(t.deleted, true);
  assert.throws(() => t.schema(), /deleted/);
  assert.throws(() => fc.kpis(t, {}), /deleted/);
  assert.throws(() => m.header(), /deleted/);
});

test('a model trained with --tz loads and shows its zone, and the page refuses to forecast with it', () => {
  // Berlin wall-clock hours, 2026-09-01 to 2026-10-24 (54 days), busy 09:00-17:00.
  let text = 'timestamp,leads\n';
  for (let day = 0; day < 54; ++day) {
    const date = day < 30 ? `2026-09-${String(day + 1).padStart(2, '0')}` : `2026-10-${String(day - 29).padStart(2, '0')}`;
    for (let hour = 0; hour < 24; ++hour)
      text += `${date} ${String(hour).padStart(2, '0')}:00:00,${hour >= 9 && hour < 18 ? 20 + (day % 3) : 2 + (hour % 2)}\n`;
  }
  const data = writeScratch('berlin.csv', text);
  const out = writeScratch('berlin.fcm', '');
  cli(['train', 'forecast', '--tz', 'Europe/Berlin', '--data', data, '--out', out, '--folds', '3', '--horizon', '48',
    '--quiet', '--no-log', '--param', 'num_iterations=20']);
  const m = fc.loadModel(bytes(out), 'berlin.fcm');
  const t = fc.loadTable(enc(text), 'berlin.csv');
  try {
    assert.equal(m.header().data.zone, 'Europe/Berlin');
    const expected = 'berlin.fcm reads times in Europe/Berlin; time zones need the command line: ' +
      'funnelcast forecast --model berlin.fcm --data FILE';
    assert.throws(() => fc.forecast(t, m, {}), (e) => e instanceof Error && e.message === expected);
    const fit = fc.modelFits(t, m);
    assert.equal(fit.ok, false);
    assert.equal(fit.reason, expected);
  } finally {
    t.delete();
    m.delete();
  }
});
