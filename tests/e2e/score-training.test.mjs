// Training a scoring model in the page against the native CLI: a labelled table chosen
// in lead scoring, trained in the training worker with a progress bar, gives the same
// model bytes and the same cross-validation report as `funnelcast train score
// --threads 1` with the same options; a run can be cancelled and the next one still
// trains; the model trained lands in lead scoring. No request leaves the page's origin.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { chooseFile, cli, openApp, scoringReady, startSuite } from './helpers.mjs';

let suite;
let leadsText;
before(async () => {
  suite = await startSuite();
  leadsText = readFileSync(suite.site.path('demo/leads.csv'), 'utf8');
});
after(() => suite && suite.close());

const TT = { timeout: 300_000 };

// Sets the training form's options (the inputs the panel reads).
async function setOptions(page, o) {
  await page.selectOption('#train-score-target', o.target);
  await page.waitForSelector('#score-train-panel[data-state="ready"]', { timeout: 60_000 });
  for (const [k, v] of Object.entries({ folds: o.folds, iterations: o.iterations, learningRate: o.learningRate, numLeaves: o.numLeaves, seed: o.seed })) {
    await page.fill(`#train-score-${k}`, String(v));
  }
}

// The page shares the folds among as many workers as the browser reports cores: told 3 (the
// 3 folds on 3 workers, one each), then 1 (one worker runs them all), whatever this machine has.
const CORES = () => Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { configurable: true, get: () => window.fcCores ?? 3 });

test('a model trained in the page is the CLI’s, byte for byte, with the CLI’s cross-validation report, on 3 workers and on 1; the download; it scores its table', TT, async (t) => {
  const app = await openApp(t, suite, '?view=scoring', { initScript: CORES });
  const { page } = app;
  await scoringReady(page);
  const csv = `${leadsText.trim().split('\n').slice(0, 3001).join('\n')}\n`;
  const path = suite.site.path(suite.site.fixture('past-leads.csv', csv));
  await chooseFile(page, 'past-leads.csv', csv, { kind: 'train-table' });
  await page.waitForSelector('#score-train-panel[data-state="ready"]', { timeout: 60_000 });
  // The table as the core reads it: the outcome, the id, the inputs.
  const uses = Object.fromEntries(await page.$$eval('#train-score-columns tbody tr', (trs) => trs.map((tr) => [tr.dataset.column, tr.dataset.use])));
  assert.equal(uses.converted, 'target');
  assert.equal(uses.lead_id, 'id');
  assert.equal(uses.time_on_site, 'feature');

  const o = { target: 'converted', folds: 3, iterations: 40, learningRate: 0.1, numLeaves: 15, seed: 5 };
  await setOptions(page, o);
  const command = await page.textContent('#train-score-command');
  assert.match(command, /funnelcast train score --data past-leads\.csv --target converted .*--threads 1 --folds 3 --param num_iterations=40 --param learning_rate=0.1 --param num_leaves=15 --param seed=5/);

  // Progress reports reach the bar while it trains.
  await page.evaluate(() => {
    window.fcProgressSeen = [];
    new MutationObserver(() => {
      const bar = document.getElementById('train-score-progress-bar');
      if (!document.getElementById('train-score-progress').hidden) window.fcProgressSeen.push(bar.value);
    }).observe(document.getElementById('train-score-progress'), { attributes: true, subtree: true, childList: true, characterData: true });
  });
  await page.click('#train-score-start');
  await page.waitForSelector('#score-train-panel[data-state="done"]', { timeout: 240_000 });
  assert.ok((await page.evaluate(() => window.fcProgressSeen.length)) > 0, 'the progress bar was shown');
  assert.equal(await page.isVisible('#train-score-progress'), false, 'the bar is gone when done');

  const out = suite.site.path('fixtures/cli-past-leads.fcm');
  const reportPath = suite.site.path('fixtures/cli-past-leads.json');
  cli(['train', 'score', '--quiet', '--no-log', '--threads', '1', '--data', path, '--target', 'converted', '--folds', '3',
    '--param', 'num_iterations=40', '--param', 'learning_rate=0.1', '--param', 'num_leaves=15', '--param', 'seed=5', '--out', out, '--report', reportPath]);
  const [d] = await Promise.all([page.waitForEvent('download'), page.click('#train-score-download')]);
  assert.equal(d.suggestedFilename(), 'past-leads-score.fcm');
  assert.ok(readFileSync(await d.path()).equals(readFileSync(out)), 'the downloaded model has the CLI’s bytes');

  // The cross-validation table: the report's means and standard deviations.
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  const cv = Object.fromEntries(await page.$$eval('#train-score-cv tbody tr', (trs) => trs.map((tr) => [tr.dataset.metric, { ...tr.querySelector('td').dataset }])));
  for (const k of ['roc_auc', 'pr_auc', 'logloss', 'brier']) {
    assert.ok(Math.abs(Number(cv[k].mean) - report.cv[k].mean) < 1e-12, `${k} mean: page ${cv[k].mean}, CLI ${report.cv[k].mean}`);
    assert.ok(Math.abs(Number(cv[k].std) - report.cv[k].std) < 1e-12, `${k} std`);
  }
  assert.match(await page.textContent('#train-score-status'), new RegExp(`${report.trees} trees, threshold ${report.threshold.toFixed(3)} \\(f1\\), 3 folds on 3,000 leads, the folds shared among 3 workers\\.$`));

  // The model now scores the table it learned from in lead scoring.
  await page.waitForFunction(() => /past-leads-score\.fcm/.test(document.getElementById('score-model-name').textContent), null, { timeout: 60_000 });
  await page.waitForFunction(() => document.getElementById('leads-range').textContent === '1–100 of 3,000', null, { timeout: 60_000 });
  const top = await page.getAttribute('#leads-table tbody tr', 'data-probability');
  const scores = cli(['score', '--model', out, '--data', path]).trim().split('\n').slice(1).map((l) => Number(l.split(',')[1]));
  assert.ok(Math.abs(Number(top) - Math.max(...scores)) < 1e-6, `the top lead: page ${top}, CLI ${Math.max(...scores)}`);

  // Once more on one worker: the same bytes.
  await page.evaluate(() => {
    window.fcCores = 1;
  });
  await page.click('#train-score-start');
  await page.waitForFunction(() => document.getElementById('score-train-panel').dataset.state === 'done' && !/workers/.test(document.getElementById('train-score-status').textContent), null, { timeout: 240_000 });
  assert.match(await page.textContent('#train-score-status'), /3 folds on 3,000 leads\.$/);
  const [again] = await Promise.all([page.waitForEvent('download'), page.click('#train-score-download')]);
  assert.ok(readFileSync(await again.path()).equals(readFileSync(out)), 'trained on one worker, the model has the CLI’s bytes too');
  await app.finish();
});

test('training can be cancelled; the next run trains', TT, async (t) => {
  const app = await openApp(t, suite, '?view=scoring');
  const { page } = app;
  await scoringReady(page);
  const csv = `${leadsText.trim().split('\n').slice(0, 1501).join('\n')}\n`;
  await chooseFile(page, 'cancel-me.csv', csv, { kind: 'train-table' });
  await page.waitForSelector('#score-train-panel[data-state="ready"]', { timeout: 60_000 });
  // Many small trees on 5 folds: long enough to cancel mid-run.
  await setOptions(page, { target: 'converted', folds: 10, iterations: 5000, learningRate: 0.001, numLeaves: 31, seed: 1 });
  await page.click('#train-score-start');
  await page.waitForSelector('#train-score-progress:not([hidden])', { timeout: 30_000 });
  assert.equal(await page.getAttribute('#score-train-panel', 'data-state'), 'running');
  await page.click('#train-score-cancel');
  assert.equal(await page.getAttribute('#score-train-panel', 'data-state'), 'cancelled');
  assert.equal(await page.textContent('#train-score-status'), 'Training cancelled.');
  assert.equal(await page.isVisible('#train-score-progress'), false);
  assert.equal(await page.isVisible('#train-score-result'), false, 'no model from a cancelled run');
  // A page that stays responsive: a second, short run trains.
  await setOptions(page, { target: 'converted', folds: 2, iterations: 10, learningRate: 0.1, numLeaves: 7, seed: 1 });
  await page.click('#train-score-start');
  await page.waitForSelector('#score-train-panel[data-state="done"]', { timeout: 120_000 });
  assert.equal(await page.isVisible('#train-score-result'), true);
  await app.finish();
});

test('a table too large to train on in a tab is refused with a message pointing to the CLI, and the page stays usable', TT, async (t) => {
  const app = await openApp(t, suite, '?view=scoring');
  const { page } = app;
  await scoringReady(page);
  // 190,000 rows × 16 columns: 3.04 million cells, over the tab's 3 million.
  const cols = Array.from({ length: 15 }, (_, j) => `x${j}`);
  const out = [`${cols.join(',')},converted`];
  for (let i = 0; i < 190_000; ++i) out.push(`${cols.map((_, j) => (i * (j + 3)) % 97).join(',')},${i % 7 === 0 ? 'yes' : 'no'}`);
  await chooseFile(page, 'huge.csv', `${out.join('\n')}\n`, { kind: 'train-table' });
  await page.waitForSelector('#score-train-panel[data-state="failed"]', { timeout: 120_000 });
  assert.equal(
    await page.textContent('#train-score-error'),
    'huge.csv has 190,000 rows × 16 columns (3.0 million cells): too much to train in a browser tab, which trains on at most 3,000,000 cells. Train it with the CLI (funnelcast train score) and load the model here, or train on fewer rows.',
  );
  assert.equal(await page.isVisible('#train-score-setup'), false, 'nothing to train');
  // The page still answers: the leads table pages on.
  await page.click('#leads-next');
  await page.waitForFunction(() => document.getElementById('leads-range').textContent === '101–200 of 20,000', null, { timeout: 20_000 });
  await app.finish();
});
