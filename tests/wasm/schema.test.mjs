// loadTable's schema and the hourly series, checked against an independent reading of
// the CSV in plain JS.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { bytes, demoData, loadModule } from './helpers.mjs';

const fc = await loadModule();
const enc = (s) => new TextEncoder().encode(s);

// The demo CSV by hand: timestamp,channel,leads,spend,revenue with no quoting.
function parseDemo(path) {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const rows = lines.slice(1).map((l) => l.split(','));
  const t = (s) => Date.parse(`${s.replace(' ', 'T')}Z`) / 1000;
  return { header, rows, t };
}

test('schema reports column names, inferred types, detected roles, row count and time span', () => {
  const { header, rows, t } = parseDemo(demoData());
  const table = fc.loadTable(bytes(demoData()), 'hourly.csv');
  try {
    const s = table.schema();
    assert.equal(s.source, 'hourly.csv');
    assert.equal(s.rows, rows.length);
    assert.deepEqual(s.columns.map((c) => c.name), header);
    assert.deepEqual(s.columns.map((c) => c.type), ['timestamp', 'category', 'number', 'number', 'number']);
    assert.deepEqual(s.detectedRoles, { time: 'timestamp', leads: 'leads', spend: 'spend', revenue: 'revenue', cpl: null, roi: null, channel: 'channel', clicks: null });
    assert.deepEqual(s.roles, s.detectedRoles);
    assert.equal(s.ok, true);
    assert.equal(s.error, null);
    const times = rows.map((r) => t(r[0]));
    const start = Math.min(...times);
    const end = Math.max(...times) + 3600;
    assert.equal(s.start, start);
    assert.equal(s.end, end);
    assert.equal(s.step, 3600);
    assert.equal(s.intervals, (end - start) / 3600);
    assert.deepEqual(s.metrics, ['leads', 'spend', 'revenue', 'cpl', 'roi']);
    assert.deepEqual(s.notices, []);
    assert.deepEqual(s.channels, [...new Set(rows.map((r) => r[1]))].sort());
    assert.equal(s.inputRows, rows.length);
  } finally {
    table.delete();
  }
});

test('series returns whole columns as typed arrays that sum to the CSV totals', () => {
  const { rows, t } = parseDemo(demoData());
  const table = fc.loadTable(bytes(demoData()), 'hourly.csv');
  try {
    const total = table.series();
    assert.ok(total.time instanceof Float64Array && total.leads instanceof Float64Array && total.observed instanceof Uint8Array);
    const sum = (a) => a.reduce((x, y) => x + y, 0);
    const csvSum = (col, channel) => rows.filter((r) => !channel || r[1] === channel).reduce((x, r) => x + Number(r[col]), 0);
    assert.equal(sum(total.leads), csvSum(2));
    assert.ok(Math.abs(sum(total.spend) - csvSum(3)) < 1e-6);
    assert.ok(Math.abs(sum(total.revenue) - csvSum(4)) < 1e-6);
    assert.equal(total.time[0], Math.min(...rows.map((r) => t(r[0]))));
    assert.equal(total.time[1] - total.time[0], 3600);
    const email = table.series('email');
    assert.equal(email.channel, 'email');
    assert.equal(sum(email.leads), csvSum(2, 'email'));
    // One hour picked by hand.
    const hour = rows.filter((r) => r[0] === '2024-06-03 12:00:00');
    const i = (t('2024-06-03 12:00:00') - total.start) / 3600;
    assert.equal(total.leads[i], hour.reduce((x, r) => x + Number(r[2]), 0));
    const cpl = hour.reduce((x, r) => x + Number(r[3]), 0) / total.leads[i];
    assert.ok(Math.abs(total.cpl[i] - cpl) < 1e-9);
  } finally {
    table.delete();
  }
});

test('setRoles pins columns, null removes a role, and a wrong column is refused keeping the old roles', () => {
  const csv = 'when,conversions,cost,source\n2024-01-01 00:00:00,2,10,a\n2024-01-01 01:00:00,4,10,b\n2024-01-01 02:00:00,5,20,a\n2024-01-01 03:00:00,1,5,b\n';
  const table = fc.loadTable(enc(csv), 'renamed.csv');
  try {
    let s = table.schema();
    assert.equal(s.ok, true, s.error);
    assert.equal(s.roles.leads, 'conversions');
    assert.equal(s.roles.spend, 'cost');
    assert.equal(s.roles.channel, 'source');
    // "source" is not really a channel here.
    s = table.setRoles({ channel: null });
    assert.equal(s.roles.channel, null);
    assert.deepEqual(s.channels, []);
    assert.deepEqual(table.channels(), []);
    assert.equal(table.series().leads.reduce((a, b) => a + b, 0), 12);
    // Spend as the target: pinned explicitly.
    s = table.setRoles({ leads: 'cost', spend: null, channel: null });
    assert.equal(s.roles.leads, 'cost');
    assert.equal(s.metrics.includes('spend'), false);
    assert.equal(table.series().leads.reduce((a, b) => a + b, 0), 45);
    assert.throws(() => table.setRoles({ leads: 'clicks' }), (e) => e instanceof Error && /clicks/.test(e.message));
    assert.equal(table.schema().roles.leads, 'cost', 'the old roles stay');
    s = table.setRoles({});
    assert.equal(s.roles.leads, 'conversions');
    assert.deepEqual(s.channels, ['a', 'b']);
  } finally {
    table.delete();
  }
});

test('a table with a wrongly detected time column can be fixed with setRoles', () => {
  // "date" is the report's date (a timestamp, the same on every row) and wins detection by
  // its name; the hours are in "hour_start". The guess is wrong first, then fixed.
  const csv = 'date,hour_start,leads\n2024-01-02,2024-01-01 00:00:00,1\n2024-01-02,2024-01-01 01:00:00,2\n';
  const table = fc.loadTable(enc(csv), 'fixme.csv');
  try {
    const first = table.schema();
    assert.equal(first.roles.time, 'date');
    assert.equal(first.ok, false);
    assert.match(first.error, /fixme\.csv: line 3: duplicate timestamp 2024-01-02 00:00:00 \(first at line 2\)/);
    const s = table.setRoles({ time: 'hour_start' });
    assert.equal(s.ok, true, s.error);
    assert.equal(s.roles.time, 'hour_start');
    assert.equal(s.intervals, 2);
    assert.deepEqual([...table.series().leads], [1, 2]);
  } finally {
    table.delete();
  }
});

test('loadTable accepts Uint8Array, ArrayBuffer and string input', () => {
  const csv = 'timestamp,leads\n2024-01-01 00:00:00,1\n2024-01-01 01:00:00,2\n';
  for (const input of [enc(csv), enc(csv).buffer, csv, new DataView(enc(csv).buffer)]) {
    const t = fc.loadTable(input, 'x.csv');
    assert.equal(t.schema().intervals, 2);
    t.delete();
  }
});
