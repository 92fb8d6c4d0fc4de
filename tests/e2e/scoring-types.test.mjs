// A column's type at scoring comes from the model, in the page as in the CLI: a model that
// learned zip codes as categories (02139, 007 beside SW1A) scores a batch whose zips hold
// no letters with the probabilities `funnelcast score` gives for the same file and model
// (read as numbers, 02139 would become 2139, never seen in training). Both orders: the
// leads opened after the model, and leads shown when the model arrives (read again).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { chooseFile, cli, cliJson, openApp, random, scoringReady, startSuite } from './helpers.mjs';

let suite;
let modelPath;
let batchPath;
let batchText;
before(async () => {
  suite = await startSuite();
  // Training: zip codes, some with letters; the outcome depends on the zip.
  const rate = { '02139': 0.8, '007': 0.1, SW1A: 0.5, 10001: 0.3, '0042': 0.7, EC2A: 0.2 };
  const zips = Object.keys(rate);
  const rnd = random(7);
  const rows = ['lead_id,zip,visits,converted'];
  for (let i = 0; i < 600; ++i) {
    const z = zips[i % zips.length];
    rows.push(`T${i},${z},${i % 7},${rnd() < rate[z] ? 'yes' : 'no'}`);
  }
  const trainPath = suite.site.path(suite.site.fixture('zip-train.csv', `${rows.join('\n')}\n`));
  modelPath = suite.site.path('fixtures/zip.fcm');
  cli(['train', 'score', '--quiet', '--no-log', '--folds', '0', '--param', 'num_iterations=30', '--data', trainPath, '--target', 'converted', '--out', modelPath]);
  // A batch of zips without a letter, leading zeros kept.
  const batch = ['lead_id,zip,visits'];
  const digits = ['02139', '007', '0042', '10001'];
  for (let i = 0; i < 40; ++i) batch.push(`B${i},${digits[i % digits.length]},${(i * 3) % 7}`);
  batchText = `${batch.join('\n')}\n`;
  batchPath = suite.site.path(suite.site.fixture('zip-batch.csv', batchText));
});
after(() => suite && suite.close());

const TT = { timeout: 180_000 };

// The page's scored rows: {id: probability}, every row (the table pages by 100; 40 here).
async function pageScores(page) {
  await page.waitForFunction(() => document.getElementById('leads-range').textContent === '1–40 of 40', null, { timeout: 60_000 });
  return Object.fromEntries(await page.$$eval('#leads-table tbody tr', (trs) => trs.map((tr) => [tr.dataset.id, Number(tr.dataset.probability)])));
}

function assertCliScores(got, what) {
  const want = cliJson(['score', '--json', '--model', modelPath, '--data', batchPath]);
  assert.equal(Object.keys(got).length, 40, what);
  want.ids.forEach((id, i) => assert.ok(Math.abs(got[id] - want.probability[i]) <= 1e-6, `${what}: ${id} page ${got[id]} vs CLI ${want.probability[i]}`));
  // 02139 (80% converted in training) above 007 (10%): the levels were kept.
  assert.ok(got.B0 > got.B1, `${what}: 02139 ranks above 007`);
}

test('a batch of zip codes without letters, opened after the model: the CLI’s probabilities, no value called unseen', TT, async (t) => {
  const app = await openApp(t, suite, '?view=scoring');
  const { page } = app;
  await scoringReady(page);
  await chooseFile(page, 'zip.fcm', readFileSync(modelPath), { kind: 'score-model' });
  await page.waitForFunction(() => /zip\.fcm/.test(document.getElementById('score-model-name').textContent), null, { timeout: 30_000 });
  await chooseFile(page, 'zip-batch.csv', batchText, { kind: 'leads' });
  assertCliScores(await pageScores(page), 'leads after the model');
  const notices = await page.$$eval('#leads-notices li', (li) => li.map((x) => x.textContent));
  assert.ok(!notices.some((n) => /never seen/.test(n)), notices.join(' | '));
  await app.finish();
});

test('leads shown when the model arrives are read again with the model’s types: the CLI’s probabilities', TT, async (t) => {
  const app = await openApp(t, suite, '?view=scoring');
  const { page } = app;
  await scoringReady(page);
  // The demo leads' first 40 rows with the zip and visits columns: the demo model scores them, then the
  // zip model arrives while they are shown.
  const demo = readFileSync(suite.site.path('demo/leads.csv'), 'utf8').trim().split('\n');
  const extra = batchText.trim().split('\n').map((l) => l.split(',').slice(1).join(','));
  const text = `${demo.slice(0, 41).map((l, i) => `${l},${extra[i]}`).join('\n')}\n`;
  const path = suite.site.path(suite.site.fixture('demo-with-zip.csv', text));
  await chooseFile(page, 'demo-with-zip.csv', text, { kind: 'leads' });
  await page.waitForFunction(() => document.getElementById('leads-range').textContent === '1–40 of 40', null, { timeout: 60_000 });
  await chooseFile(page, 'zip.fcm', readFileSync(modelPath), { kind: 'score-model' });
  const want = cliJson(['score', '--json', '--model', modelPath, '--data', path]);
  const expected = Object.fromEntries(want.ids.map((id, i) => [id, want.probability[i]]));
  // The table is scored again with the zip model: every row the CLI's.
  await page.waitForFunction(
    (e) => {
      const trs = [...document.querySelectorAll('#leads-table tbody tr')];
      return trs.length === 40 && trs.every((tr) => Math.abs(Number(tr.dataset.probability) - e[tr.dataset.id]) <= 1e-6);
    },
    expected,
    { timeout: 60_000 },
  );
  const got = Object.fromEntries(await page.$$eval('#leads-table tbody tr', (trs) => trs.map((tr) => [tr.dataset.id, Number(tr.dataset.probability)])));
  // Rows 0 and 1 hold 02139 and 007: the levels were kept.
  assert.ok(got[want.ids[0]] > got[want.ids[1]], '02139 ranks above 007');
  await app.finish();
});
