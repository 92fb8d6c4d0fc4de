// The TypeScript declarations (wasm/funnelcast.d.ts) and the module agree: every
// declared function and method exists, and the module exports nothing undeclared.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { bytes, demoData, demoModel, loadModule, ROOT } from './helpers.mjs';

const dts = readFileSync(join(ROOT, 'wasm', 'funnelcast.d.ts'), 'utf8');

// Member names declared as methods inside `export interface NAME { ... }`.
function methods(name) {
  const m = dts.match(new RegExp(`export interface ${name}\\b[^{]*\\{([\\s\\S]*?)\\n\\}`));
  assert.ok(m, `interface ${name} in funnelcast.d.ts`);
  return [...m[1].matchAll(/^\s{2}(\w+)\(/gm)].map((x) => x[1]);
}

test('the TypeScript declarations cover the module API', async () => {
  const fc = await loadModule();
  const declared = methods('FunnelcastModule');
  for (const name of declared) assert.equal(typeof fc[name], 'function', `${name} is declared and exists`);
  const publicApi = ['loadTable', 'loadModel', 'forecast', 'kpis', 'anomalies', 'version', 'memoryStats'];
  for (const name of publicApi) assert.ok(declared.includes(name), `${name} is declared`);

  const table = fc.loadTable(bytes(demoData()), 'hourly.csv');
  const model = fc.loadModel(bytes(demoModel()), 'demo_forecast.fcm');
  try {
    for (const name of methods('Table')) assert.equal(typeof table[name], 'function', `Table.${name}`);
    for (const name of methods('Model')) assert.equal(typeof model[name], 'function', `Model.${name}`);
    // The declared result fields are there.
    const schemaFields = [...dts.match(/export interface Schema \{([\s\S]*?)\n\}/)[1].matchAll(/^\s{2}(\w+)\??:/gm)].map((x) => x[1]);
    const schema = table.schema();
    for (const f of schemaFields) assert.ok(f in schema, `Schema.${f}`);
    const forecastFields = [...dts.match(/export interface ForecastResult \{([\s\S]*?)\n\}/)[1].matchAll(/^\s{2}(\w+)\??:/gm)].map((x) => x[1]);
    const f = fc.forecast(table, model, { horizon: 24 });
    assert.deepEqual(Object.keys(f).sort(), forecastFields.sort());
    const anomalyFields = [...dts.match(/export interface AnomalyResult \{([\s\S]*?)\n\}/)[1].matchAll(/^\s{2}(\w+)\??:/gm)].map((x) => x[1]);
    assert.deepEqual(Object.keys(fc.anomalies(table, {})).sort(), anomalyFields.sort());
    const kpiFields = [...dts.match(/export interface KpiSummary \{([\s\S]*?)\n\}/)[1].matchAll(/^\s{2}(\w+)\??:/gm)].map((x) => x[1]);
    assert.deepEqual(Object.keys(fc.kpis(table, {})).sort(), kpiFields.sort());
  } finally {
    table.delete();
    model.delete();
  }
});
