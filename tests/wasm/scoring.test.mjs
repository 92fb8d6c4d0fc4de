// Lead scoring through the wasm bundles against the native CLI: the same probabilities and
// reasons, the same model bytes from training, the same drift figures; one lead at a time
// equals its row in a table; repeated scoring leaves the heap as it was.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { assertSameDocument, bytes, cli, cliJson, loadModule, loadTrainModule, ROOT, scratchDir, writeScratch } from './helpers.mjs';

const fc = await loadModule();
const demoDir = join(scratchDir(), 'leads-demo');
cli(['demo-data', '--out', demoDir, '--days', '14', '--leads', '3000', '--seed', '2']);
const leadsPath = join(demoDir, 'leads.csv');
const leadsText = readFileSync(leadsPath, 'utf8');
const modelPath = join(ROOT, 'models', 'demo_leads.fcm');

function parseCsv(text) {
  const rows = [];
  for (const line of text.trim().split('\n')) {
    const cells = [];
    let cur = '', quoted = false;
    for (let i = 0; i < line.length; ++i) {
      const c = line[i];
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') { cur += '"'; ++i; } else if (c === '"') quoted = false; else cur += c;
      } else if (c === '"') quoted = true;
      else if (c === ',') { cells.push(cur); cur = ''; } else cur += c;
    }
    cells.push(cur);
    rows.push(cells);
  }
  return rows;
}

test('score() equals funnelcast score --explain 3: probabilities, decisions and reasons', () => {
  const cliRows = parseCsv(cli(['score', '--model', modelPath, '--data', leadsPath, '--explain', '3']).stdout);
  const table = fc.loadTable(leadsText, 'leads.csv');
  const model = fc.loadModel(bytes(modelPath), 'demo_leads.fcm');
  try {
    const s = fc.score(table, model, { explain: 3 });
    assert.equal(s.rows, cliRows.length - 1);
    assert.equal(s.explained, 3);
    for (let r = 0; r < s.rows; ++r) {
      const row = cliRows[r + 1];
      assert.equal(s.ids[r], row[0]);
      assert.ok(Math.abs(s.probability[r] - Number(row[1])) < 1e-6, `row ${r}`);
      assert.equal(s.decision[r], Number(row[2]));
      for (let k = 0; k < 3; ++k) {
        assert.equal(s.feature_names[s.reason_feature[r * 3 + k]], row[3 + 3 * k], `row ${r} reason ${k}`);
        assert.equal(s.reason_text[r * 3 + k], row[4 + 3 * k]);
        assert.ok(Math.abs(s.reason_value[r * 3 + k] - Number(row[5 + 3 * k])) < 1e-6);
      }
    }
  } finally {
    table.delete();
    model.delete();
  }
});

// The page scores every lead without reasons, then explains the rows in view (rows).
test('score() with rows: the asked rows\' ids, probabilities and reasons as funnelcast score --explain 3 gives them', () => {
  const cliRows = parseCsv(cli(['score', '--model', modelPath, '--data', leadsPath, '--explain', '3']).stdout).slice(1);
  const table = fc.loadTable(leadsText, 'leads.csv');
  const model = fc.loadModel(bytes(modelPath), 'demo_leads.fcm');
  try {
    const rows = [cliRows.length - 1, 0, 41, 41, 7];
    const s = fc.score(table, model, { explain: 3, rows });
    assert.equal(s.rows, rows.length);
    rows.forEach((r, i) => {
      const row = cliRows[r];
      assert.equal(s.ids[i], row[0]);
      assert.ok(Math.abs(s.probability[i] - Number(row[1])) < 1e-6, `row ${r}`);
      for (let k = 0; k < 3; ++k) {
        assert.equal(s.feature_names[s.reason_feature[i * 3 + k]], row[3 + 3 * k], `row ${r} reason ${k}`);
        assert.equal(s.reason_text[i * 3 + k], row[4 + 3 * k]);
        assert.ok(Math.abs(s.reason_value[i * 3 + k] - Number(row[5 + 3 * k])) < 1e-6);
      }
    });
    assert.throws(() => fc.score(table, model, { rows: [cliRows.length] }), new RegExp(`row ${cliRows.length} was asked for, but the table has ${cliRows.length} rows`));
    assert.throws(() => fc.score(table, model, { rows: [-1] }), /option 'rows': expected a list of row numbers \(whole numbers from 0\), found -1/);
    assert.throws(() => fc.score(table, model, { rows: 3 }), /option 'rows': expected a list of row numbers/);
  } finally {
    table.delete();
    model.delete();
  }
});

test('scoreRecord() scores one lead like its row, and its contributions add up to the margin', () => {
  const table = fc.loadTable(leadsText, 'leads.csv');
  const model = fc.loadModel(bytes(modelPath), 'demo_leads.fcm');
  try {
    const all = fc.score(table, model, { explain: -1 });
    const [header, ...rows] = parseCsv(leadsText);
    for (const r of [0, 7, 99]) {
      const record = Object.fromEntries(header.map((h, i) => [h, rows[r][i]]));
      const one = fc.scoreRecord(model, record);
      assert.ok(Math.abs(one.probability[0] - all.probability[r]) < 1e-12);
      const sum = one.reason_value.reduce((a, b) => a + b, one.expected_value);
      assert.ok(Math.abs(sum - one.margin[0]) < 1e-6, `${sum} vs ${one.margin[0]}`);
      assert.equal(one.reason_value.length, one.feature_names.length);
    }
  } finally {
    table.delete();
    model.delete();
  }
});

test('trainScore() gives the bytes funnelcast train score --threads 1 gives', async () => {
  const train = await loadTrainModule();
  const out = join(scratchDir(), 'cli-leads.fcm');
  cli(['train', 'score', '--quiet', '--no-log', '--threads', '1', '--data', leadsPath, '--target', 'converted', '--folds', '3',
    '--param', 'num_iterations=40', '--param', 'learning_rate=0.1', '--param', 'seed=5', '--out', out]);
  const table = train.loadTable(leadsText, 'leads.csv');
  try {
    const progress = [];
    const r = train.trainScore(table, { target: 'converted', folds: 3, iterations: 40, learning_rate: 0.1, seed: 5 }, (s, f) => progress.push(f));
    assert.deepEqual(Buffer.from(r.model), readFileSync(out));
    assert.equal(progress.at(-1), 1);
    assert.equal(r.report.threshold_rule, 'f1');
  } finally {
    table.delete();
  }
});

// The page shares the folds among workers: each runs trainScoreFold in its own module (the
// table read again from the same bytes), and one finishes with every fold's result, passed
// through a structured clone as postMessage passes them. The CLI's bytes still.
test('trainScoreFold() in separate modules, then trainScore() with the folds: the CLI’s bytes; foreign or broken folds are refused', async () => {
  const out = join(scratchDir(), 'cli-leads.fcm');
  cli(['train', 'score', '--quiet', '--no-log', '--threads', '1', '--data', leadsPath, '--target', 'converted', '--folds', '3',
    '--param', 'num_iterations=40', '--param', 'learning_rate=0.1', '--param', 'seed=5', '--out', out]);
  const options = { target: 'converted', folds: 3, iterations: 40, learning_rate: 0.1, seed: 5 };
  const modules = [await loadTrainModule(), await loadTrainModule({ fresh: true })];
  const folds = [];
  for (const k of [2, 0, 1]) {
    const m = modules[k % 2];
    const t = m.loadTable(leadsText, 'leads.csv');
    try {
      const progress = [];
      folds.push(structuredClone(m.trainScoreFold(t, options, k, (s, f) => progress.push([s, f]))));
      assert.equal(progress.at(-1)[1], 1);
      assert.ok(progress.some(([s]) => s === `fold ${k + 1}/3`), JSON.stringify(progress.slice(0, 3)));
    } finally {
      t.delete();
    }
  }
  const train = modules[0];
  const table = train.loadTable(leadsText, 'leads.csv');
  try {
    const progress = [];
    const r = train.trainScore(table, options, (s, f) => progress.push(f), folds);
    assert.deepEqual(Buffer.from(r.model), readFileSync(out));
    assert.ok(progress[0] >= 0.6, `progress starts at the final fit: ${progress[0]}`);
    // Another seed's folds hold other rows; a fold left out; the wrong types.
    const theirs = [0, 1, 2].map((k) => train.trainScoreFold(table, { ...options, seed: 6 }, k));
    assert.throws(() => train.trainScore(table, options, null, theirs), /do not fit this table and options: fold 1: /);
    assert.throws(() => train.trainScore(table, options, null, folds.slice(1)), /2 folds given, 3 expected/);
    assert.throws(() => train.trainScore(table, options, null, [...folds.slice(1), { ...folds[0], rows: Array.from(folds[0].rows) }]), /folds\[2\]\.rows must be a Uint32Array/);
    assert.throws(() => train.trainScore(table, options, null, 'folds'), /folds must be an array/);
    assert.throws(() => train.trainScoreFold(table, options, 3), /fold 3 does not exist: the folds are 0 to 2/);
    assert.throws(() => train.trainScoreFold(table, { ...options, folds: 0 }, 0), /no folds/);
  } finally {
    table.delete();
  }
});

test('drift() equals funnelcast drift --json', () => {
  const lines = leadsText.trim().split('\n');
  const half = Math.floor(lines.length / 2);
  const refText = lines.slice(0, half).join('\n') + '\n';
  const curText = [lines[0], ...lines.slice(half).map((l) => l.replace(',google_ads,', ',facebook,'))].join('\n') + '\n';
  const refPath = writeScratch('ref.csv', refText), curPath = writeScratch('cur.csv', curText);
  const r = cli(['drift', '--json', '--reference', refPath, '--current', curPath, '--model', modelPath], { allowFailure: true });
  const expected = JSON.parse(r.stdout);
  const ref = fc.loadTable(refText, 'ref.csv'), cur = fc.loadTable(curText, 'cur.csv');
  const model = fc.loadModel(bytes(modelPath), 'demo_leads.fcm');
  try {
    const m = fc.drift(ref, cur, model);
    assert.equal(m.alert, r.status === 3);
    // Field by field: api::drift_json writes both.
    assertSameDocument(assert, m, expected, 1e-12);
    assert.equal(m.major, expected.major);
    assert.equal(m.columns.length, expected.columns.length);
    for (let i = 0; i < m.columns.length; ++i) {
      assert.equal(m.columns[i].column, expected.columns[i].column);
      assert.equal(m.columns[i].severity, expected.columns[i].severity);
      if (expected.columns[i].psi != null) assert.ok(Math.abs(m.columns[i].psi - expected.columns[i].psi) < 1e-12);
    }
    assert.ok(Math.abs(m.model_check.roc_auc - expected.model_check.roc_auc) < 1e-12);
  } finally {
    ref.delete();
    cur.delete();
    model.delete();
  }
});

test('a forecast model given to score() is a JS Error naming it', () => {
  const table = fc.loadTable(leadsText, 'leads.csv');
  const model = fc.loadModel(bytes(join(ROOT, 'models', 'demo_forecast.fcm')), 'demo_forecast.fcm');
  try {
    assert.throws(() => fc.score(table, model), /demo_forecast\.fcm is a forecast model, not a scoring model/);
  } finally {
    table.delete();
    model.delete();
  }
});

// A one-tree XGBoost regression (reg:squarederror): x < 0.5 ? 1.5 : 2.5, base_score 0.
const regressionJson = JSON.stringify({
  learner: {
    feature_names: ['x'], feature_types: ['float'],
    gradient_booster: { name: 'gbtree', model: { tree_info: [0], trees: [{
      left_children: [1, -1, -1], right_children: [2, -1, -1], split_indices: [0, 0, 0],
      split_conditions: [0.5, 1.5, 2.5], default_left: [0, 0, 0], split_type: [0, 0, 0],
      sum_hessian: [4, 2, 2], tree_param: { num_nodes: '3' } }] } },
    learner_model_param: { base_score: '0', num_feature: '1', num_class: '0', num_target: '1' },
    objective: { name: 'reg:squarederror' },
  },
  version: [2, 0, 0],
});

test('an imported XGBoost regression is scored by the CLI and refused by the page, never shown as a probability', () => {
  const json = writeScratch('regression.json', regressionJson);
  const fcm = join(scratchDir(), 'regression.fcm');
  cli(['import', '--xgboost', json, '--out', fcm]);
  const csv = writeScratch('regression.csv', 'x\n0\n1\n');
  assert.equal(cli(['score', '--model', fcm, '--data', csv]).stdout, 'id,prediction\n2,1.5\n3,2.5\n');
  const table = fc.loadTable('x\n0\n1\n', 'regression.csv');
  const model = fc.loadModel(bytes(fcm), 'regression.fcm');
  try {
    assert.equal(model.header().score.output, 'value');
    assert.throws(() => fc.score(table, model), /regression\.fcm predicts a number .* use funnelcast score/);
  } finally {
    table.delete();
    model.delete();
  }
});

test('score/dispose cycles leave the heap as it was', () => {
  const model = fc.loadModel(bytes(modelPath), 'demo_leads.fcm');
  const small = leadsText.trim().split('\n').slice(0, 41).join('\n') + '\n';
  const cycle = () => {
    const t = fc.loadTable(small, 'small.csv');
    try {
      return fc.score(t, model, { explain: 3 });
    } finally {
      t.delete();
    }
  };
  try {
    cycle();
    const before = { ...fc.memoryStats(), handles: fc.count_emval_handles() };
    let last;
    for (let i = 0; i < 200; ++i) last = cycle();
    assert.equal(last.rows, 40);
    assert.deepEqual({ ...fc.memoryStats(), handles: fc.count_emval_handles() }, before);
  } finally {
    model.delete();
  }
});

test('the page’s other lead calls leave the heap as it was: model load/scoreRecord/dispose cycles and drift comparisons', () => {
  const modelBytes = bytes(modelPath);
  const [header, ...rows] = parseCsv(leadsText);
  const record = Object.fromEntries(header.map((h, i) => [h, rows[3][i]]));
  const lines = leadsText.trim().split('\n');
  const ref = fc.loadTable(lines.slice(0, 201).join('\n') + '\n', 'ref.csv');
  const cur = fc.loadTable([lines[0], ...lines.slice(201, 401)].join('\n') + '\n', 'cur.csv');
  const oneLead = () => {
    const m = fc.loadModel(modelBytes, 'demo_leads.fcm');
    try {
      return fc.scoreRecord(m, record);
    } finally {
      m.delete();
    }
  };
  const drift = () => {
    const m = fc.loadModel(modelBytes, 'demo_leads.fcm');
    try {
      return fc.drift(ref, cur, m);
    } finally {
      m.delete();
    }
  };
  try {
    const first = oneLead();
    drift();
    const before = { ...fc.memoryStats(), handles: fc.count_emval_handles() };
    let last;
    for (let i = 0; i < 200; ++i) last = oneLead();
    assert.equal(last.probability[0], first.probability[0]);
    let d;
    for (let i = 0; i < 50; ++i) d = drift();
    assert.ok(d.columns.length > 0 && d.model_check.rows === 200);
    assert.deepEqual({ ...fc.memoryStats(), handles: fc.count_emval_handles() }, before);
  } finally {
    ref.delete();
    cur.delete();
  }
});

test('score() equals funnelcast score --json field by field, and its CSV is the CLI output byte for byte', () => {
  const table = fc.loadTable(leadsText, 'leads.csv');
  const model = fc.loadModel(bytes(modelPath), 'demo_leads.fcm');
  try {
    for (const [opts, args] of [[{ explain: 3 }, ['--explain', '3']], [{ explain: 'all', threshold: 0.25 }, ['--explain', 'all', '--threshold', '0.25']]]) {
      const s = fc.score(table, model, { ...opts, csv: true });
      const c = cliJson(['score', '--model', modelPath, '--data', leadsPath, '--json', ...args]);
      const { csv, ...doc } = s;
      // The columns as arrays, as the CLI's JSON holds them.
      const plain = { ...doc };
      for (const k of ['probability', 'decision', 'margin', 'reason_feature', 'reason_value']) plain[k] = Array.from(s[k]);
      assertSameDocument(assert, plain, c, 1e-12);
      assert.equal(csv, cli(['score', '--model', modelPath, '--data', leadsPath, ...args]).stdout);
    }
    // The decision at a threshold is the core's rule: probability >= threshold.
    const s = fc.score(table, model, { threshold: 0.25 });
    assert.equal(s.threshold, 0.25);
    s.probability.forEach((p, i) => assert.equal(s.decision[i], p >= 0.25 ? 1 : 0));
  } finally {
    table.delete();
    model.delete();
  }
});
