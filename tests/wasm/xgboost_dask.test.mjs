// An XGBoost model trained on a Dask LocalCluster (bench/xgboost_dask.py --quick: 2 worker
// processes, 3 categorical and 5 numeric inputs, missing cells, early stopping), imported
// by the native CLI, scores in the wasm bundle as in XGBoost: probabilities and every
// input's contribution within 1e-6 of predict / pred_contribs on held-out leads (some with
// categories unseen in training). Skipped, saying why, only where Python, XGBoost or Dask
// cannot start (the script exits 77); FC_REQUIRE_XGBOOST=1 makes that a failure.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { bytes, cliPath, loadModule, ROOT, scratchDir } from './helpers.mjs';

const python = process.env.FC_PYTHON || '/usr/bin/python3';

function numbersCsv(text) {
  const [head, ...lines] = text.trim().split('\n');
  return { names: head.split(','), rows: lines.map((l) => l.split(',').map(Number)) };
}

test('a Dask-trained categorical, early-stopped XGBoost model scores in the bundle as in XGBoost', (t) => {
  const dir = join(scratchDir(), 'xgboost-dask');
  const run = existsSync(python)
    ? spawnSync(python, [join(ROOT, 'bench', 'xgboost_dask.py'), '--quick', '--funnelcast', cliPath(), '--dir', dir], {
        encoding: 'utf8',
        env: { ...process.env, OMP_NUM_THREADS: '1' },
      })
    : { status: 77, stdout: `SKIP: no ${python}`, stderr: '' };
  if (run.status === 77) {
    assert.ok(!process.env.FC_REQUIRE_XGBOOST, `FC_REQUIRE_XGBOOST is set: ${run.stdout}`);
    t.skip(run.stdout.trim());
    return;
  }
  assert.equal(run.status, 0, run.stdout + run.stderr);

  return loadModule().then((fc) => {
    const expected = numbersCsv(readFileSync(join(dir, 'xgboost_scores.csv'), 'utf8'));
    const model = fc.loadModel(bytes(join(dir, 'model.fcm')), 'model.fcm');
    const table = fc.loadTable(readFileSync(join(dir, 'held_out.csv'), 'utf8'), 'held_out.csv', { model });
    try {
      const s = fc.score(table, model, { explain: 'all' });
      assert.equal(s.rows, expected.rows.length);
      const k = s.feature_names.length;
      assert.deepEqual(s.feature_names, expected.names.slice(1, 1 + k));
      let dp = 0, dphi = 0;
      for (let r = 0; r < s.rows; ++r) {
        dp = Math.max(dp, Math.abs(s.probability[r] - expected.rows[r][0]));
        for (let f = 0; f < k; ++f) dphi = Math.max(dphi, Math.abs(s.reason_value[r * k + f] - expected.rows[r][1 + f]));
      }
      assert.ok(dp < 1e-6, `probability differs by ${dp}`);
      assert.ok(dphi < 1e-6, `contribution differs by ${dphi}`);
      t.diagnostic(`${s.rows} leads: max |p diff| ${dp.toExponential(2)}, max |contribution diff| ${dphi.toExponential(2)}`);
    } finally {
      table.delete();
      model.delete();
    }
  });
});
