// The conversion rate (leads / clicks) crosses the boundary like the other KPIs, with a
// traffic column detected by name or pinned with setRoles, and NaN without one.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { cliJson, loadModule, writeScratch } from './helpers.mjs';

const fc = await loadModule();

// 40 sessions an hour; 1 lead an hour the first day, 2 the second:
// previous 24 / 960 = 0.025, current 48 / 960 = 0.05, change +100%.
function csv(trafficName) {
  const lines = [`timestamp,leads,${trafficName}`];
  for (let h = 0; h < 48; ++h) {
    const day = String(1 + Math.floor(h / 24)).padStart(2, '0');
    lines.push(`2024-03-${day} ${String(h % 24).padStart(2, '0')}:00:00,${h < 24 ? 1 : 2},40`);
  }
  return lines.join('\n') + '\n';
}

test('kpis() returns clicks and the conversion rate worked out by hand', () => {
  const text = csv('Sessions');
  const table = fc.loadTable(new TextEncoder().encode(text), 'conv.csv');
  try {
    assert.equal(table.schema().roles.clicks, 'Sessions');
    const k = fc.kpis(table, { window: 24 });
    assert.ok(k.metrics.includes('clicks') && k.metrics.includes('conversion'));
    assert.equal(k.current.clicks, 960);
    assert.equal(k.current.conversion, 0.05);
    assert.equal(k.previous.conversion, 0.025);
    assert.equal(k.change.conversion, 1);
    // Same numbers as the CLI on the same file.
    const c = cliJson(['kpi', '--json', '--data', writeScratch('conv.csv', text)]);
    assert.equal(k.current.conversion, c.current.conversion);
    assert.equal(k.change.conversion, c.change.conversion);

    // Pinned to "not in the data": no rate.
    assert.equal(table.setRoles({ clicks: null }).roles.clicks, null);
    const none = fc.kpis(table, { window: 24 });
    assert.equal(none.metrics.includes('conversion'), false);
    assert.equal(none.current.conversion, null);
    assert.equal(none.change.conversion, null);
  } finally {
    table.delete();
  }
});

test('a column with another name can be pinned as clicks', () => {
  const table = fc.loadTable(new TextEncoder().encode(csv('hits')), 'hits.csv');
  try {
    assert.equal(table.schema().roles.clicks, null);
    assert.equal(fc.kpis(table, {}).current.conversion, null);
    table.setRoles({ clicks: 'hits' });
    assert.equal(fc.kpis(table, {}).current.conversion, 0.05);
  } finally {
    table.delete();
  }
});
