// The TypeScript declarations (wasm/funnelcast.d.ts) describe exactly what the module
// returns and what model files hold: real results and real model headers of every kind
// are written out as TypeScript object literals typed with the declared interfaces, and
// the TypeScript compiler checks them (a field written but not declared, or declared but
// not written, or of another type, is a compile error). A deliberately wrong literal must
// fail the same check, so the check itself can fail.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { bytes, cli, demoData, demoModel, loadModule, loadTrainModule, ROOT, scratchDir, writeScratch } from './helpers.mjs';

const dts = readFileSync(join(ROOT, 'wasm', 'funnelcast.d.ts'), 'utf8');

// Member names declared as methods inside `export interface NAME { ... }`.
function methods(name) {
  const m = dts.match(new RegExp(`export interface ${name}\\b[^{]*\\{([\\s\\S]*?)\\n\\}`));
  assert.ok(m, `interface ${name} in funnelcast.d.ts`);
  return [...m[1].matchAll(/^\s{2}(\w+)\??\(/gm)].map((x) => x[1]);
}

// A JS value as a TypeScript expression: typed arrays become constructor calls (their
// contents do not matter to the types), NaN stays a number.
function ts(v, indent = '') {
  if (v === null) return 'null';
  if (v instanceof Float64Array) return 'new Float64Array(0)';
  if (v instanceof Uint8Array) return 'new Uint8Array(0)';
  if (v instanceof Int32Array) return 'new Int32Array(0)';
  if (v instanceof Uint32Array) return 'new Uint32Array(0)';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : Number.isFinite(v) ? String(v) : v > 0 ? 'Infinity' : '-Infinity';
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.slice(0, 3).map((x) => ts(x, indent)).join(', ')}]`;
  const inner = indent + '  ';
  return `{\n${Object.entries(v).map(([k, x]) => `${inner}${JSON.stringify(k)}: ${ts(x, inner)}`).join(',\n')}\n${indent}}`;
}

function typecheck(name, declarations) {
  const dir = join(scratchDir(), `tsc-${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'funnelcast.d.ts'), dts);
  const body = declarations.map(([type, value], i) => `export const v${i}: ${type} = ${ts(value)};`).join('\n\n');
  writeFileSync(join(dir, 'check.ts'), `import type * as F from './funnelcast';\n\n${body}\n`);
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--exactOptionalPropertyTypes', '--target', 'es2022',
    '--lib', 'es2022,esnext.disposable', '--module', 'es2022', '--moduleResolution', 'bundler', join(dir, 'check.ts')], { encoding: 'utf8' });
  return { ok: r.status === 0, output: (r.stdout || '') + (r.stderr || '') };
}

test('the declarations cover the module API', async () => {
  const fc = await loadModule();
  const declared = methods('FunnelcastModule');
  const publicApi = ['loadTable', 'loadModel', 'forecast', 'modelFits', 'kpis', 'anomalies', 'score', 'scoreRecord', 'drift', 'registry', 'version', 'memoryStats'];
  for (const name of publicApi) {
    assert.ok(declared.includes(name), `${name} is declared`);
    assert.equal(typeof fc[name], 'function', `${name} exists`);
  }
  assert.equal(fc.trainForecast, undefined, 'the inference bundle does not train');
  assert.equal(fc.trainScore, undefined, 'the inference bundle does not train');
  assert.equal(typeof (await loadTrainModule()).trainForecast, 'function', 'the training bundle does');
  assert.equal(typeof (await loadTrainModule()).trainScore, 'function', 'the training bundle does');
  assert.equal(fc.trainScoreFold, undefined, 'the inference bundle runs no folds');
  assert.equal(typeof (await loadTrainModule()).trainScoreFold, 'function', 'the training bundle runs folds apart');
  assert.equal(fc.guessOutcome, undefined, 'the outcome guess is the training bundle\'s');
  assert.equal(typeof (await loadTrainModule()).guessOutcome, 'function', 'the training bundle guesses the outcome');
  const table = fc.loadTable(bytes(demoData()), 'hourly.csv');
  const model = fc.loadModel(bytes(demoModel()), 'demo_forecast.fcm');
  try {
    for (const name of methods('Table')) assert.equal(typeof table[name], 'function', `Table.${name}`);
    for (const name of methods('Model')) assert.equal(typeof model[name], 'function', `Model.${name}`);
  } finally {
    table.delete();
    model.delete();
  }
});

test('real results and model headers of every kind type-check against the declarations', async () => {
  const fc = await loadModule();
  const train = await loadTrainModule();
  const values = [];
  const table = fc.loadTable(bytes(demoData()), 'hourly.csv');
  const model = fc.loadModel(bytes(demoModel()), 'demo_forecast.fcm');
  // A table that cannot be built (no time column) and one counted as events.
  const broken = fc.loadTable('campaign,leads\nA,1\nB,2\n', 'broken.csv');
  const events = fc.loadTable('created_at,email\n2024-03-01 10:05:00,a@x\n2024-03-01 12:15:00,c@x\n', 'events.csv');
  try {
    values.push(['F.Schema', table.schema()], ['F.Schema', broken.schema()], ['F.Schema', events.schema()]);
    values.push(['F.SeriesData', table.series()], ['F.SeriesData', events.series()]);
    values.push(['F.KpiSummary', fc.kpis(table, {})]);
    values.push(['F.AnomalyResult', fc.anomalies(table, {})]);
    values.push(['F.AnomalyResult', fc.anomalies(table, { metric: 'leads', method: 'seasonal', csv: true })]);
    values.push(['F.ForecastResult', fc.forecast(table, model, { horizon: 24 })]);
    values.push(['F.ForecastResult', fc.forecast(table, model, { horizon: 3, csv: true })]);
    values.push(['F.ModelFit', fc.modelFits(table, model)], ['F.ModelFit', fc.modelFits(broken, model)]);
    values.push(['F.Registry', fc.registry()]);
    values.push(['F.MemoryStats', fc.memoryStats()]);
    // Model headers: the demo model (gbdt), and models trained here with other predictors,
    // a channel, events, a zone and a creation time.
    values.push(['F.ModelHeader', model.header()]);
    const lines = ['timestamp,channel,leads'];
    for (let h = 0; h < 24 * 30; ++h) {
      const t = new Date(Date.UTC(2024, 0, 1) + h * 3600e3).toISOString().slice(0, 19).replace('T', ' ');
      lines.push(`${t},a,${10 + Math.round(8 * Math.sin((h % 24) / 24 * 6.283))}`, `${t},b,${(h * 7) % 5}`);
    }
    const small = train.loadTable(lines.join('\n') + '\n', 'small.csv');
    try {
      const trained = train.trainForecast(small, { horizon: 24, folds: 2, iterations: 20, channel: 'a' });
      values.push(['F.TrainForecastResult', trained]);
      const m = fc.loadModel(trained.model, 'small.fcm');
      values.push(['F.ModelHeader', m.header()]);
      m.delete();
    } finally {
      small.delete();
    }
    const ridgePath = join(scratchDir(), 'ridge.fcm');
    // Lead events: (h * 7) % 4 of them in hour h, at 10 minutes past.
    const stamps = [];
    for (let h = 0; h < 24 * 30; ++h)
      for (let k = 0; k < (h * 7) % 4; ++k) stamps.push(new Date(Date.UTC(2024, 0, 1) + h * 3600e3 + 600e3 + k * 1000).toISOString().slice(0, 19).replace('T', ' '));
    const csvPath = writeScratch('events-for-model.csv', 'created_at\n' + stamps.join('\n') + '\n');
    process.env.SOURCE_DATE_EPOCH = '1700000000';
    // Read in a zone: the header's optional data.zone is declared too.
    cli(['train', 'forecast', '--data', csvPath, '--events', '--horizon', '24', '--folds', '2', '--out', ridgePath, '--quiet',
      '--param', 'num_iterations=10', '--tz', 'Europe/Berlin']);
    delete process.env.SOURCE_DATE_EPOCH;
    const events_model = fc.loadModel(bytes(ridgePath), 'ridge.fcm');
    values.push(['F.ModelHeader', events_model.header()]);
    // Scoring: the demo scoring model, a model trained here (no folds), scores, drift.
    const leadsModel = fc.loadModel(bytes(join(ROOT, 'models', 'demo_leads.fcm')), 'demo_leads.fcm');
    const leadsDir = join(scratchDir(), 'decl-leads');
    cli(['demo-data', '--out', leadsDir, '--days', '14', '--leads', '600']);
    const leadsText = readFileSync(join(leadsDir, 'leads.csv'), 'utf8');
    const leads = fc.loadTable(leadsText, 'leads.csv');
    const trainLeads = train.loadTable(leadsText, 'leads.csv');
    try {
      values.push(['F.ModelHeader', leadsModel.header()]);
      values.push(['F.ScoreResult', fc.score(leads, leadsModel, { explain: 3 })]);
      values.push(['F.ScoreResult', fc.score(leads, leadsModel, { explain: 0, threshold: 0.3, csv: true })]);
      values.push(['F.DriftResult', fc.drift(leads, leads, leadsModel)]);
      values.push(['F.DriftResult', fc.drift(leads, leads, null)]);
      // The outcome guess: certain on the demo leads (converted), and not with two outcome names.
      const guess = train.guessOutcome(trainLeads);
      assert.equal(guess.column, 'converted');
      assert.equal(guess.certain, true);
      values.push(['F.OutcomeGuess', guess]);
      const unsure = train.loadTable('plan,won,converted\nbasic,1,no\npro,0,yes\nbasic,0,yes\nbasic,0,no\n', 'unsure.csv');
      try {
        const g = train.guessOutcome(unsure);
        assert.deepEqual({ column: g.column, certain: g.certain }, { column: null, certain: false });
        // converted: yes on 2 of 4 rows; won: 1 on 1 of 4; plan: basic/pro, no known yes.
        assert.deepEqual(g.candidates.map((c) => [c.name, c.rank, c.positive, c.positive_rate]),
          [['converted', 1, 'yes', 0.5], ['won', 1, '1', 0.25], ['plan', 3, null, null]]);
        values.push(['F.OutcomeGuess', g]);
      } finally {
        unsure.delete();
      }
      const once = train.trainScore(trainLeads, { target: 'converted', folds: 0, iterations: 5 });
      values.push(['F.TrainScoreResult', once]);
      values.push(['F.TrainScoreFold', train.trainScoreFold(trainLeads, { target: 'converted', folds: 2, iterations: 5 }, 1)]);
      const m2 = fc.loadModel(once.model, 'once.fcm');
      values.push(['F.ModelHeader', m2.header()]);
      m2.delete();
    } finally {
      leadsModel.delete();
      leads.delete();
      trainLeads.delete();
    }
    assert.equal(events_model.header().data.rows, 'events');
    assert.equal(events_model.header().created_at, 1700000000);
    assert.equal(events_model.header().data.zone, 'Europe/Berlin');
    events_model.delete();
  } finally {
    table.delete();
    model.delete();
    broken.delete();
    events.delete();
  }
  const r = typecheck('real', values);
  assert.ok(r.ok, r.output);

  // The check can fail: an undeclared field, a missing one, a wrong type.
  const header = fc.loadModel(bytes(demoModel()), 'demo.fcm');
  const h = header.header();
  header.delete();
  const extra = typecheck('extra', [['F.ModelHeader', { ...h, surprise: 1 }]]);
  assert.ok(!extra.ok && /surprise/.test(extra.output), extra.output);
  const { data, ...noData } = h;
  const missing = typecheck('missing', [['F.ModelHeader', noData]]);
  assert.ok(!missing.ok && /data/.test(missing.output), missing.output);
  const wrong = typecheck('wrong', [['F.ModelHeader', { ...h, data: { ...data, rows: 'sometimes' } }]]);
  assert.ok(!wrong.ok && /sometimes/.test(wrong.output), wrong.output);
});

// Each command's options interface against the core's field list for it (the list the CLI
// reads its flags from): a literal with every listed option, typed as the interface with
// every key required, fails to compile when the list and the declarations differ in a
// name (missing or extra) or a type.
const OPTION_INTERFACES = {
  kpi: 'KpiOptions', anomalies: 'AnomalyOptions', score: 'ScoreOptions', forecast: 'ForecastOptions', monitor: 'MonitorOptions',
  train_forecast: 'TrainForecastOptions', train_score: 'TrainScoreOptions',
};

function sampleValue(o) {
  switch (o.type) {
    case 'text': return 'x';
    case 'number': case 'integer': return o.min ?? 1;
    case 'flag': return true;
    case 'span': return '14d';
    case 'choice': return o.choices[0];
    case 'score': return '3z';
    case 'columns': return { mean: new Float64Array(0), lower: new Float64Array(0), upper: new Float64Array(0) };
    case 'indexes': return [0, 2];
    default: throw new Error(`option type ${o.type}`);
  }
}

test('every command\'s options interface matches the core field list, name for name and type for type', async () => {
  const fc = await loadModule();
  // The training bundle lists every command; the page's bundle all but the trainers (it
  // neither trains nor carries their field lists).
  const { commands } = (await loadTrainModule()).registry();
  assert.deepEqual(Object.keys(commands).sort(), Object.keys(OPTION_INTERFACES).sort(), 'every command with a field list has an interface here');
  assert.deepEqual(Object.keys(fc.registry().commands).sort(), Object.keys(OPTION_INTERFACES).filter((c) => !c.startsWith('train_')).sort());
  const values = Object.entries(commands).map(([name, fields]) =>
    [`Required<F.${OPTION_INTERFACES[name]}>`, Object.fromEntries(fields.map((o) => [o.name, sampleValue(o)]))]);
  const r = typecheck('options', values);
  assert.ok(r.ok, r.output);
  // The check can fail: an option the list lacks, one the interface lacks, a wrong type.
  const [type, value] = values.find(([t]) => t.includes('AnomalyOptions'));
  const { seasons, ...fewer } = value;
  assert.ok(!typecheck('options-missing', [[type, fewer]]).ok);
  assert.ok(!typecheck('options-extra', [[type, { ...value, surprise: 1 }]]).ok);
  assert.ok(!typecheck('options-type', [[type, { ...value, seasons: 'four' }]]).ok);
  // The registry's methods are the anomaly method union.
  assert.deepEqual(fc.registry().methods.map((m) => m.name), commands.anomalies.find((o) => o.name === 'method').choices);
});
