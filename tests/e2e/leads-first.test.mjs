// The page opened on lead scoring (?view=scoring): lead scoring goes first. boot.js starts
// lead scoring's worker and its downloads instead of the dashboard's; the dashboard's
// worker, downloads and charts start once the first page of leads is drawn (or lead
// scoring settled without one), and the dashboard then loads as usual. The worker scores
// the leads and explains their first page as soon as it has both, before the page asks:
// the rows, reasons, decisions and the export are still the CLI's. Opened on the
// dashboard, lead scoring loads nothing until it is shown (on demand).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { cli, openApp, parseCsv, scoringReady, startSuite, T, tileValues } from './helpers.mjs';

let suite;
let leadsPath;
let modelPath;
before(async () => {
  suite = await startSuite();
  leadsPath = suite.site.path('demo/leads.csv');
  modelPath = suite.site.path('models/demo_leads.fcm');
});
after(() => suite && suite.close());

const close = (a, b, tol, what) => assert.ok(Math.abs(a - b) <= tol, `${what}: page ${a} vs CLI ${b}`);
/** The page's fc-* marks: {name: startTime of the first}. */
const marks = (page) => page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('fc-')).reverse().map((m) => [m.name, m.startTime])));

test('leads first rows: opened on lead scoring, its rows are drawn before the dashboard starts, and are the CLI’s', { timeout: 240_000 }, async (t) => {
  const app = await openApp(t, suite, '?view=scoring');
  const { page } = app;
  await scoringReady(page);
  // The dashboard's worker started after the first rows were drawn: its start-up mark, and
  // the shell's mark of the moment it let the dashboard go, come after the rows'.
  await page.waitForFunction(() => performance.getEntriesByName('fc-worker-start').length > 0, null, { timeout: 60_000 });
  const m = await marks(page);
  assert.ok('fc-leads-drawn' in m && 'fc-dashboard-start' in m, JSON.stringify(m));
  assert.ok(m['fc-dashboard-start'] >= m['fc-leads-drawn'], `the dashboard started after the leads were drawn: ${JSON.stringify(m)}`);
  assert.ok(m['fc-worker-start'] >= m['fc-leads-drawn'], `the dashboard's worker started after the leads were drawn: ${JSON.stringify(m)}`);
  assert.ok(m['fc-data-requested'] >= m['fc-leads-drawn'], `the dashboard's data was asked for after the leads were drawn: ${JSON.stringify(m)}`);

  // The first page (scored ahead, its reasons worked out before the page asked): the
  // CLI's top 100 leads, their probabilities, decisions and three reasons.
  const [, ...want] = parseCsv(cli(['score', '--model', modelPath, '--data', leadsPath, '--explain', '3']));
  const byId = new Map(want.map((r) => [r[0], r]));
  const top = want.map((r, i) => ({ id: r[0], p: Number(r[1]), i })).sort((a, b) => b.p - a.p || a.i - b.i);
  const rows = await page.$$eval('#leads-table tbody tr', (trs) =>
    trs.map((tr) => ({ id: tr.dataset.id, p: Number(tr.dataset.probability), decision: tr.dataset.decision, reasons: [...tr.querySelectorAll('.reasons li')].map((li) => [li.dataset.feature, Number(li.dataset.value)]) })),
  );
  assert.equal(rows.length, 100);
  for (let i = 0; i < rows.length; ++i) {
    const c = byId.get(rows[i].id);
    close(rows[i].p, top[i].p, 1e-6, `row ${i + 1}: the CLI's ${i + 1}th probability`);
    close(rows[i].p, Number(c[1]), 1e-6, `${rows[i].id} probability`);
    assert.equal(rows[i].decision, c[2], `${rows[i].id} decision`);
    assert.equal(rows[i].reasons.length, 3, `${rows[i].id}: three reasons`);
    rows[i].reasons.forEach(([feature, value], k) => {
      assert.equal(feature, c[3 + 3 * k], `${rows[i].id} reason ${k + 1}`);
      close(value, Number(c[5 + 3 * k]), 1e-6, `${rows[i].id} contribution ${k + 1}`);
    });
  }
  assert.equal(Number(await page.getAttribute('#leads-summary', 'data-contacted')), want.filter((r) => r[2] === '1').length);

  // The next page is worked out on demand, as before.
  await page.click('#leads-next');
  await page.waitForFunction(() => document.getElementById('leads-range').textContent.startsWith('101–200'), null, { timeout: 30_000 });
  const second = await page.$$eval('#leads-table tbody tr', (trs) => trs.map((tr) => ({ id: tr.dataset.id, p: Number(tr.dataset.probability), reasons: [...tr.querySelectorAll('.reasons li')].map((li) => li.dataset.feature) })));
  assert.equal(second.length, 100);
  second.forEach((r, i) => {
    close(r.p, top[100 + i].p, 1e-6, `row ${101 + i}: the CLI's ${101 + i}th probability`);
    assert.deepEqual(r.reasons, [3, 6, 9].map((k) => byId.get(r.id)[k]), `${r.id} reasons`);
  });

  // The export of the leads scored ahead: the CLI's output, byte for byte.
  const [d] = await Promise.all([page.waitForEvent('download'), page.click('#leads-export')]);
  assert.equal(readFileSync(await d.path(), 'utf8'), cli(['score', '--model', modelPath, '--data', leadsPath, '--explain', '3']));

  // The dashboard loaded behind it: its KPI tiles are there when it is shown.
  await page.click('#tab-dashboard');
  const tiles = await tileValues(page);
  assert.ok(Object.keys(tiles).length > 0 && Object.values(tiles).some((x) => x.value != null), JSON.stringify(tiles));
  await app.finish();
});

test('leads first rows: lead scoring with no leads to score (?leads=none) lets the dashboard load', T, async (t) => {
  const app = await openApp(t, suite, '?view=scoring&leads=none');
  const { page } = app;
  await page.waitForSelector('#scoring-view[data-state="partial"]', { timeout: 60_000 });
  assert.equal(await page.getAttribute('body', 'data-state'), 'ready');
  const m = await marks(page);
  assert.ok('fc-dashboard-start' in m && 'fc-dashboard-rendered' in m, JSON.stringify(m));
  assert.ok(!('fc-leads-drawn' in m), 'no leads drawn');
  await page.click('#tab-dashboard');
  const tiles = await tileValues(page);
  assert.ok(Object.values(tiles).some((x) => x.value != null), JSON.stringify(tiles));
  await app.finish();
});

test('leads first rows: opened on the dashboard, lead scoring loads nothing until shown, then loads and scores', T, async (t) => {
  const app = await openApp(t, suite, '');
  const { page } = app;
  // The dashboard went first: nothing waited for lead scoring, which is loaded on demand
  // (tests/e2e/lazy-scoring.test.mjs: none of its files are requested before).
  const m = await marks(page);
  assert.ok(!('fc-dashboard-start' in m), 'the dashboard did not wait');
  assert.ok(!('fc-lead-code-requested' in m) && !('fc-scoring-start' in m) && !('fc-leads-loaded' in m), `lead scoring not loaded while the dashboard is shown: ${JSON.stringify(m)}`);
  assert.equal(await page.getAttribute('#scoring-view', 'data-state'), 'idle');
  await page.click('#tab-scoring');
  await scoringReady(page);
  const [, ...want] = parseCsv(cli(['score', '--model', modelPath, '--data', leadsPath]));
  const best = want.reduce((a, r) => (Number(r[1]) > Number(a[1]) ? r : a));
  assert.equal(await page.getAttribute('#leads-table tbody tr', 'data-id'), best[0]);
  assert.equal(await page.locator('#leads-table tbody tr:first-child .reasons li').count(), 3);
  await app.finish();
});
