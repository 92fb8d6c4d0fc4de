// Objects that hold wasm memory are freed by delete(), results are copies, and repeated
// calls do not grow the heap: the wasm memory size, the bytes malloc hands out and
// embind's live JS-value handles all return to where they were.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { bytes, demoData, demoModel, loadModule } from './helpers.mjs';

const fc = await loadModule();
const csv = bytes(demoData());
const modelBytes = bytes(demoModel());

function snapshot() {
  const m = fc.memoryStats();
  return { heapBytes: m.heapBytes, allocatedBytes: m.allocatedBytes, handles: fc.count_emval_handles() };
}

test('repeated forecast calls leave the wasm heap size unchanged', () => {
  const table = fc.loadTable(csv, 'hourly.csv');
  const model = fc.loadModel(modelBytes, 'demo_forecast.fcm');
  try {
    fc.forecast(table, model, { horizon: 168 }); // warm-up: lazily sized buffers settle
    const before = snapshot();
    let last = null;
    for (let i = 0; i < 200; ++i) last = fc.forecast(table, model, { horizon: 168 });
    const after = snapshot();
    assert.equal(last.mean.length, 168);
    assert.deepEqual(after, before);
  } finally {
    table.delete();
    model.delete();
  }
});

test('repeated KPI, anomaly and series calls leave the heap unchanged', () => {
  const table = fc.loadTable(csv, 'hourly.csv');
  try {
    fc.kpis(table, {});
    fc.anomalies(table, {});
    table.series('search');
    table.schema();
    const before = snapshot();
    // allocatedBytes counts every byte malloc hands out, so one leaked call shows: a few
    // rounds (each threshold twice) are enough, and each is an ensemble over two years.
    for (let i = 0; i < 20; ++i) {
      fc.kpis(table, { channel: 'email' });
      fc.anomalies(table, { threshold: 2 + (i % 10) / 10 });
      table.series(i % 2 ? 'search' : '');
      table.schema();
    }
    assert.deepEqual(snapshot(), before);
  } finally {
    table.delete();
  }
});

test('delete() frees the memory of tables and models', () => {
  // Warm up once so one-time allocations (type registries, caches) are out of the way.
  fc.loadTable(csv, 'hourly.csv').delete();
  fc.loadModel(modelBytes, 'demo_forecast.fcm').delete();
  const before = snapshot();
  for (let i = 0; i < 5; ++i) {
    const t = fc.loadTable(csv, 'hourly.csv');
    const m = fc.loadModel(modelBytes, 'demo_forecast.fcm');
    assert.ok(fc.memoryStats().allocatedBytes > before.allocatedBytes + csv.length / 4, 'a loaded table holds memory');
    fc.forecast(t, m, {});
    t.delete();
    m.delete();
  }
  const after = snapshot();
  assert.equal(after.allocatedBytes, before.allocatedBytes);
  assert.equal(after.handles, before.handles);
});

test('errors leak nothing (failed loads, failed calls)', () => {
  const bad = new TextEncoder().encode('timestamp,leads\n2024-01-01 00:00:00,1,2,3\n');
  const table = fc.loadTable(csv, 'hourly.csv');
  try {
    for (let i = 0; i < 3; ++i) {
      assert.throws(() => fc.loadTable(bad, 'bad.csv'));
      assert.throws(() => fc.loadModel(bad, 'bad.fcm'));
      assert.throws(() => fc.kpis(table, { channel: 'nope' }));
      assert.throws(() => table.setRoles({ leads: 'no such column' }));
    }
    const before = snapshot();
    for (let i = 0; i < 100; ++i) {
      assert.throws(() => fc.loadTable(bad, 'bad.csv'));
      assert.throws(() => fc.loadModel(bad, 'bad.fcm'));
      assert.throws(() => fc.kpis(table, { channel: 'nope' }));
      assert.throws(() => table.setRoles({ leads: 'no such column' }));
    }
    assert.deepEqual(snapshot(), before);
  } finally {
    table.delete();
  }
});

test('results are copies that stay valid after the table is deleted', () => {
  const table = fc.loadTable(csv, 'hourly.csv');
  const s = table.series('');
  const k = fc.kpis(table, {});
  const sum = s.leads.reduce((a, b) => a + b, 0);
  table.delete();
  // Churn the heap so any view into wasm memory would now read garbage.
  fc.loadTable(csv, 'again.csv').delete();
  assert.ok(!(s.leads.buffer instanceof SharedArrayBuffer));
  assert.equal(s.leads.reduce((a, b) => a + b, 0), sum);
  assert.ok(k.current.leads > 0);
  assert.equal(s.leads.byteOffset, 0);
  assert.equal(s.leads.buffer.byteLength, s.leads.length * 8, 'a column owns its own buffer');
});
