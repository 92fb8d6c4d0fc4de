// The outcome of a scoring model trained in the page, on tables the issue met: the core's
// guess (Module.guessOutcome, the rule of `funnelcast train score` without --target) picks
// a 0/1 `status` over a rarer yes/no column at the end and says it guessed; an uncertain
// guess picks nothing, lists the likely columns first with their share of positives, and
// Train waits for a choice; a column that cannot be the outcome (5 values) is refused
// beside a selector that stays usable. Every column is always offered.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { chooseFile, cli, openApp, scoringReady, startSuite } from './helpers.mjs';

let suite;
before(async () => {
  suite = await startSuite();
});
after(() => suite && suite.close());

const TT = { timeout: 180_000 };

const csv = (header, rows, row) => `${[header, ...Array.from({ length: rows }, (_, i) => row(i))].join('\n')}\n`;

// The Outcome selector as the user sees it: its value, its options (value, text, group).
const selector = (page) =>
  page.$eval('#train-score-target', (s) => ({
    value: s.value,
    visible: !!(s.offsetWidth || s.offsetHeight),
    options: [...s.options].map((o) => ({ value: o.value, text: o.textContent, group: o.parentElement.tagName === 'OPTGROUP' ? o.parentElement.label : '' })),
  }));
const note = (page) => page.$eval('#train-score-target-note', (p) => (p.hidden ? '' : p.textContent));
const trainEnabled = (page) => page.$eval('#train-score-start', (b) => !b.disabled && !!(b.offsetWidth || b.offsetHeight));
const state = (page) => page.getAttribute('#score-train-panel', 'data-state');

test('a 0/1 status beside a rarer yes/no column: status is guessed, said, and trained for as the CLI guesses it', TT, async (t) => {
  const app = await openApp(t, suite, '?view=scoring');
  const { page } = app;
  await scoringReady(page);
  // status: 1 on every 5th row (20.0%); referral, the last two-valued column: yes on 2%.
  const text = csv('lead_id,age,visits,status,referral', 500, (i) => `L${i},${20 + (i % 40)},${(i * 7) % 11},${i % 5 === 0 ? 1 : 0},${i % 50 === 0 ? 'yes' : 'no'}`);
  await chooseFile(page, 'status.csv', text, { kind: 'train-table' });
  await page.waitForSelector('#score-train-panel[data-state="ready"]', { timeout: 60_000 });
  const s = await selector(page);
  assert.equal(s.value, 'status');
  assert.deepEqual(s.options.filter((o) => o.group === 'Likely outcomes').map((o) => o.value), ['status', 'referral'], 'the candidates first, best first');
  assert.deepEqual(s.options.map((o) => o.value).sort(), ['age', 'lead_id', 'referral', 'status', 'visits'], 'every column is offered');
  assert.equal(s.options.find((o) => o.value === 'referral').text, 'referral (two values, yes/no-like; 2.0% are yes)');
  assert.equal(await note(page), 'Outcome guessed: status (named like an outcome, two values; 20.0% are 1). Choose another column if this is not the outcome.');
  assert.equal(await trainEnabled(page), true);
  const uses = Object.fromEntries(await page.$$eval('#train-score-columns tbody tr', (trs) => trs.map((tr) => [tr.dataset.column, tr.dataset.use])));
  assert.equal(uses.status, 'target');
  assert.equal(uses.referral, 'feature', 'the rare yes/no column is an input');
  assert.match(await page.textContent('#train-score-command'), /--target status /);
  // The CLI, given no --target, makes the same guess and says so.
  const path = suite.site.path(suite.site.fixture('status.csv', text));
  const out = JSON.parse(cli(['train', 'score', '--json', '--quiet', '--no-log', '--folds', '0', '--param', 'num_iterations=2', '--data', path, '--out', suite.site.path('fixtures/status.fcm')]));
  assert.equal(out.report.target.column, 'status');
  await app.finish();
});

test('an uncertain guess picks nothing: the likely columns first with their rates, Train waits for a choice', TT, async (t) => {
  const app = await openApp(t, suite, '?view=scoring');
  const { page } = app;
  await scoringReady(page);
  // Two yes/no columns, neither named like an outcome: newsletter yes on 10%, referral on 25%.
  const text = csv('age,plan,newsletter,referral', 400, (i) => `${20 + (i % 40)},${['basic', 'pro', 'team'][i % 3]},${i % 10 === 0 ? 'yes' : 'no'},${i % 4 === 0 ? 'yes' : 'no'}`);
  await chooseFile(page, 'unsure.csv', text, { kind: 'train-table' });
  await page.waitForSelector('#score-train-panel[data-state="choosing"]', { timeout: 60_000 });
  let s = await selector(page);
  assert.equal(s.visible, true);
  assert.equal(s.value, '', 'nothing preselected');
  assert.equal(s.options[0].text, '— choose the outcome —');
  assert.deepEqual(s.options.filter((o) => o.group === 'Likely outcomes').map((o) => o.text), [
    'referral (two values, yes/no-like; 25.0% are yes)',
    'newsletter (two values, yes/no-like; 10.0% are yes)',
  ]);
  assert.deepEqual(s.options.filter((o) => o.group === 'Other columns').map((o) => o.value), ['age', 'plan']);
  assert.match(await note(page), /^Which column is the outcome\? The guess is not certain/);
  assert.equal(await trainEnabled(page), false, 'Train waits for the outcome');
  assert.equal(await page.textContent('#train-score-command'), '');
  // The user chooses: the columns are read for it and Train is offered.
  await page.selectOption('#train-score-target', 'newsletter');
  await page.waitForSelector('#score-train-panel[data-state="ready"]', { timeout: 60_000 });
  s = await selector(page);
  assert.equal(s.value, 'newsletter');
  assert.equal(await note(page), '', 'a chosen outcome is not called a guess');
  assert.equal(await trainEnabled(page), true);
  assert.match(await page.textContent('#train-score-command'), /--target newsletter /);
  await page.fill('#train-score-iterations', '5');
  await page.fill('#train-score-folds', '2');
  await page.click('#train-score-start');
  await page.waitForSelector('#score-train-panel[data-state="done"]', { timeout: 120_000 });
  await app.finish();
});

test('a 5-valued last column never hides the outcome: Response is guessed, and choosing the 5-valued one is refused beside a usable selector', TT, async (t) => {
  const app = await openApp(t, suite, '?view=scoring');
  const { page } = app;
  await scoringReady(page);
  const marital = ['Single', 'Married', 'Divorced', 'Widow', 'Together'];
  // Response: 1 on every 7th of 280 rows (14.3%).
  const text = csv('Income,Recency,Response,Marital_Status', 280, (i) => `${30000 + i * 10},${i % 99},${i % 7 === 0 ? 1 : 0},${marital[i % 5]}`);
  await chooseFile(page, 'customers.csv', text, { kind: 'train-table' });
  await page.waitForSelector('#score-train-panel[data-state="ready"]', { timeout: 60_000 });
  assert.equal((await selector(page)).value, 'Response');
  assert.match(await note(page), /^Outcome guessed: Response \(named like an outcome, two values; 14\.3% are 1\)/);
  // The last column as the outcome: the core's refusal, the selector stays with every column.
  await page.selectOption('#train-score-target', 'Marital_Status');
  await page.waitForSelector('#score-train-panel[data-state="failed"]', { timeout: 60_000 });
  assert.match(await page.textContent('#train-score-error'), /Marital_Status/);
  const s = await selector(page);
  assert.equal(s.visible, true, 'the Outcome selector is never hidden after a refusal');
  assert.equal(s.value, 'Marital_Status');
  assert.deepEqual(s.options.map((o) => o.value).sort(), ['Income', 'Marital_Status', 'Recency', 'Response']);
  assert.equal(await trainEnabled(page), false);
  // And back: Response trains.
  await page.selectOption('#train-score-target', 'Response');
  await page.waitForSelector('#score-train-panel[data-state="ready"]', { timeout: 60_000 });
  assert.equal(await page.isVisible('#train-score-error'), false);
  assert.equal(await trainEnabled(page), true);
  await app.finish();
});
