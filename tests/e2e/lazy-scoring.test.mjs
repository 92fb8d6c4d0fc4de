// Lead scoring on demand: the dashboard's first view loads none of lead scoring's code,
// worker or files (app.js loads scoring-tab.js when its tab is shown, pointed at or
// focused, or a file for it arrives). Opening the tab then loads them and scores the demo
// leads as the CLI does; the service worker keeps them too, so the tab opens offline.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { cli, parseCsv, scoringReady, startSuite } from './helpers.mjs';

let suite;
before(async () => {
  suite = await startSuite();
});
after(() => suite && suite.close());

// What only lead scoring uses: its panels' bundle (and, unbundled, its modules), its
// worker and that worker's own module, the demo leads and the demo scoring model.
const LEAD_FILES = ['/scoring-tab.js', '/panels/scoring.js', '/panels/leads.js', '/score-charts.js', '/lead-worker.js', '/csv-records.js', '/demo/leads.csv', '/models/demo_leads.fcm'];
// Those the built site's lead scoring tab loads (its modules are bundled into scoring-tab.js).
const LOADED = ['/scoring-tab.js', '/lead-worker.js', '/csv-records.js', '/demo/leads.csv', '/models/demo_leads.fcm'];
const leadFiles = (paths) => paths.filter((p) => LEAD_FILES.includes(p));

test('lazy lead scoring: the first dashboard view requests none of its code, worker or files; its tab then loads and scores, online and offline', { timeout: 240_000 }, async (t) => {
  const context = await suite.browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'allow' });
  t.after(() => context.close());
  // The page's and its workers' requests (paths); the service worker's own fetches (its
  // precache of every file, for offline use) are kept apart.
  const asked = [];
  const precached = [];
  const foreign = [];
  context.on('request', (r) => {
    const url = new URL(r.url());
    if (url.origin !== suite.origin && url.protocol !== 'data:' && url.protocol !== 'blob:') foreign.push(r.url());
    (r.serviceWorker() ? precached : asked).push(url.pathname);
  });
  const errors = [];
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));

  await page.goto(suite.url);
  await page.waitForSelector('body[data-state="ready"]', { timeout: 60_000 });
  // Settled: the service worker installed (its precache fetched) and the page's work after
  // the dashboard (the incidents' worker) done, with nothing in flight for half a second.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 30_000 });
  await page.waitForLoadState('networkidle');

  await t.test('the dashboard is drawn and nothing of lead scoring was requested', async () => {
    assert.ok(Number(await page.getAttribute('#forecast-chart', 'data-forecast-points')) > 0, 'the forecast is drawn');
    assert.ok(asked.includes('/app.js') && asked.includes('/demo/hourly.csv'), `the dashboard's files were recorded: ${asked.join(' ')}`);
    assert.deepEqual(leadFiles(asked), [], 'no lead scoring file requested by the page or its workers');
    const marks = await page.evaluate(() => performance.getEntriesByType('mark').map((m) => m.name));
    assert.ok(!marks.includes('fc-lead-code-requested') && !marks.includes('fc-scoring-start'), marks.join(' '));
    assert.equal(await page.getAttribute('#scoring-view', 'data-state'), 'idle');
    // The service worker keeps them all the same, for lead scoring offline.
    for (const f of LOADED) assert.ok(await page.evaluate((path) => caches.match(path.slice(1)).then(Boolean), f), `${f} is precached`);
  });

  // The CLI's scores of the demo leads: the best lead first in the table.
  const leadsPath = suite.site.path('demo/leads.csv');
  const modelPath = suite.site.path('models/demo_leads.fcm');
  const [, ...want] = parseCsv(cli(['score', '--model', modelPath, '--data', leadsPath, '--explain', '3']));
  const best = want.reduce((a, r) => (Number(r[1]) > Number(a[1]) ? r : a));
  const firstRow = async () => ({
    id: await page.getAttribute('#leads-table tbody tr', 'data-id'),
    reasons: await page.locator('#leads-table tbody tr:first-child .reasons li').evaluateAll((lis) => lis.map((li) => li.dataset.feature)),
    rows: await page.locator('#leads-table tbody tr').count(),
  });

  await t.test('opening the lead scoring tab loads its code, worker and files, and shows the CLI’s scores', async () => {
    await page.click('#tab-scoring');
    await scoringReady(page);
    for (const f of LOADED) assert.ok(asked.includes(f), `${f} requested once the tab was opened: ${leadFiles(asked).join(' ')}`);
    const row = await firstRow();
    assert.equal(row.id, best[0]);
    assert.equal(row.rows, 100);
    assert.deepEqual(row.reasons, [best[3], best[6], best[9]]);
  });

  await t.test('offline, a reload draws the dashboard and the lead scoring tab still opens and scores (precached)', async () => {
    await page.click('#tab-dashboard');
    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector('body[data-state="ready"]', { timeout: 60_000 });
    assert.equal(await page.isVisible('#data-error'), false);
    await page.click('#tab-scoring');
    await scoringReady(page);
    const row = await firstRow();
    assert.equal(row.id, best[0]);
    assert.deepEqual(row.reasons, [best[3], best[6], best[9]]);
    await context.setOffline(false);
  });

  assert.deepEqual(errors, [], 'no console errors');
  assert.deepEqual(foreign, [], 'no request to another origin');
});
