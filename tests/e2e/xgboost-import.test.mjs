// A model trained on a cluster loads in the page like any scoring model (issue 19): XGBoost
// on a Dask LocalCluster (bench/xgboost_dask.py --quick: 2 worker processes, 3 categorical
// and 5 numeric inputs, missing cells, early stopping), imported by the CLI with
// --threshold 0.35. The page scores held-out leads (some with categories unseen in
// training) with XGBoost's probabilities, decides at the imported threshold, names the
// categories in the reasons as `funnelcast score --explain 3` does, and its one-lead form
// offers each categorical input's training categories (in pandas' code order) and scores
// an unseen one as the CLI does. Skipped, saying why, only where Python, XGBoost or Dask
// cannot start (the script exits 77); FC_REQUIRE_XGBOOST=1 makes that a failure.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { cli, cliPath, openApp, parseCsv, ROOT, scoringReady, startSuite } from './helpers.mjs';

const python = process.env.FC_PYTHON || '/usr/bin/python3';
const THRESHOLD = 0.35;
const CATEGORIES = ['source', 'region', 'industry'];
const NUMBERS = ['visits', 'pages', 'days_since_first', 'email_opens', 'company_size'];

let suite;
let work;
let skipWhy = '';
let modelPath;
let leadsPath;
before(async () => {
  work = mkdtempSync(join(tmpdir(), 'funnelcast-e2e-xgb-'));
  const run = existsSync(python)
    ? spawnSync(python, [join(ROOT, 'bench', 'xgboost_dask.py'), '--quick', '--funnelcast', cliPath(), '--dir', work], {
        encoding: 'utf8',
        env: { ...process.env, OMP_NUM_THREADS: '1' },
      })
    : { status: 77, stdout: `SKIP: no ${python}`, stderr: '' };
  if (run.status === 77) {
    skipWhy = run.stdout.trim();
    return;
  }
  assert.equal(run.status, 0, run.stdout + run.stderr);
  suite = await startSuite();
  modelPath = suite.site.path('fixtures/cluster.fcm');
  cli(['import', '--xgboost', join(work, 'model.json'), '--data', join(work, 'train.csv'), '--target', 'converted',
    '--id', 'lead_id', '--threshold', String(THRESHOLD), '--out', modelPath]);
  leadsPath = suite.site.path('fixtures/held_out.csv');
  copyFileSync(join(work, 'held_out.csv'), leadsPath);
});
after(async () => {
  if (suite) await suite.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

const close = (a, b, tol, what) => assert.ok(Math.abs(a - b) <= tol, `${what}: page ${a} vs ${b}`);

test('a Dask-trained categorical XGBoost model in the page: XGBoost’s probabilities, the imported threshold, reasons naming categories, the form’s categories', { timeout: 240_000 }, async (t) => {
  if (skipWhy) {
    assert.ok(!process.env.FC_REQUIRE_XGBOOST, `FC_REQUIRE_XGBOOST is set: ${skipWhy}`);
    t.skip(skipWhy);
    return;
  }
  // XGBoost's own probabilities (predict at best_iteration), in held_out.csv's row order.
  const leads = parseCsv(readFileSync(leadsPath, 'utf8'));
  const xgb = parseCsv(readFileSync(join(work, 'xgboost_scores.csv'), 'utf8'));
  const xgbById = new Map(leads.slice(1).map((r, i) => [r[0], Number(xgb[i + 1][0])]));
  const [, ...cliRows] = parseCsv(cli(['score', '--model', modelPath, '--data', leadsPath, '--explain', '3']));
  const cliById = new Map(cliRows.map((r) => [r[0], r]));

  const app = await openApp(t, suite, '?leads=fixtures/held_out.csv&scoring=fixtures/cluster.fcm');
  const { page } = app;
  await scoringReady(page);
  assert.equal(await page.textContent('#leads-range'), '1–100 of 1,000');
  assert.equal(Number(await page.getAttribute('#threshold-panel', 'data-threshold')), THRESHOLD, 'the threshold given at import');
  const rows = await page.$$eval('#leads-table tbody tr', (trs) =>
    trs.map((tr) => ({
      id: tr.dataset.id,
      p: Number(tr.dataset.probability),
      decision: tr.dataset.decision,
      reasons: [...tr.querySelectorAll('.reasons li')].map((li) => ({ feature: li.dataset.feature, value: Number(li.dataset.value), name: li.querySelector('.rname').textContent })),
    })),
  );
  assert.equal(rows.length, 100);
  let categoryReasons = 0;
  for (const r of rows) {
    close(r.p, xgbById.get(r.id), 1e-6, `${r.id}: XGBoost's probability`);
    assert.equal(r.decision, r.p >= THRESHOLD ? '1' : '0', `${r.id}: decided at ${THRESHOLD}`);
    const c = cliById.get(r.id);
    assert.equal(r.decision, c[2], `${r.id}: the CLI's decision`);
    assert.equal(r.reasons.length, 3);
    r.reasons.forEach((x, k) => {
      assert.equal(x.feature, c[3 + 3 * k], `${r.id} reason ${k + 1}`);
      close(x.value, Number(c[5 + 3 * k]), 1e-6, `${r.id} reason ${k + 1}'s contribution`);
      const text = c[4 + 3 * k];
      assert.equal(x.name, text ? `${x.feature} = ${text}` : `${x.feature} (empty)`, `${r.id} reason ${k + 1} named`);
      if (CATEGORIES.includes(x.feature) && text) ++categoryReasons;
    });
  }
  assert.ok(categoryReasons > 0, 'some reasons name a category');

  // The form: each categorical input a choice of the training categories, sorted as pandas
  // codes them (what import read from train.csv), each number an input.
  const train = parseCsv(readFileSync(join(work, 'train.csv'), 'utf8'));
  for (const name of CATEGORIES) {
    const col = train[0].indexOf(name);
    const levels = [...new Set(train.slice(1).map((r) => r[col]).filter((v) => v !== ''))].sort();
    const options = await page.$$eval(`#lead-form select[data-column="${name}"] option`, (os) => os.map((o) => o.value));
    assert.deepEqual(options.filter((v) => v !== ''), levels, `${name}: the training categories`);
  }
  for (const name of NUMBERS) assert.equal(await page.locator(`#lead-form input[data-column="${name}"]`).count(), 1, `${name}: a number input`);

  // A lead with a category never seen in training, through its Explain button: the form
  // shows it as unseen and scores it as the CLI does.
  const header = leads[0];
  const unseen = rows.findIndex((r) => {
    const lead = leads.find((l) => l[0] === r.id);
    return lead[header.indexOf('source')] === 'podcast' || lead[header.indexOf('source')] === 'tv';
  });
  assert.ok(unseen >= 0, 'a lead from an unseen source on the first page');
  const id = rows[unseen].id;
  await page.locator('#leads-table tbody tr').nth(unseen).locator('button').click();
  await page.waitForFunction((v) => document.getElementById('lead-panel').dataset.state === 'scored' && document.getElementById('lead-result').dataset.origin.includes(v), id, { timeout: 30_000 });
  const source = leads.find((l) => l[0] === id)[header.indexOf('source')];
  const chosen = await page.$eval('#lead-form select[data-column="source"]', (s) => /** @type {HTMLSelectElement} */ (s).selectedOptions[0].textContent);
  assert.equal(chosen, `${source} (not seen in training)`);
  close(Number(await page.getAttribute('#lead-result', 'data-probability')), xgbById.get(id), 1e-6, `${id} in the form`);
  assert.equal(await page.getAttribute('#lead-decision', 'data-decision'), cliById.get(id)[2], `${id}: the form's decision`);
  await app.finish();
});
