// The demo dashboard in headless Chromium: every panel renders, and its numbers equal the
// native CLI's on the same data (KPI tiles, forecast points, anomaly count and table);
// the anomaly controls and the channel selector recompute in the browser.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { anomalyCount, assertTilesEqualCli, cliJson, openApp, readCsvRows, startSuite, T, tileValues, waitForAnomalyCount, waitForLeads } from './helpers.mjs';

let suite;
before(async () => {
  suite = await startSuite();
});
after(() => suite && suite.close());

test('the demo dashboard renders: KPI tiles, forecast and anomaly charts, anomaly table, model card', T, async (t) => {
  const app = await openApp(t, suite);
  const { page } = app;
  assert.equal(await page.getAttribute('body', 'data-state'), 'ready');
  // Every part is there: tiles, both charts, the anomaly table and the model card.
  assert.ok(await page.locator('#forecast-chart svg').count());
  assert.ok(await page.locator('#anomaly-chart svg').count());
  assert.equal(await page.locator('#kpi-tiles .tile:not([hidden])').count(), 5);
  assert.match(await page.textContent('#model-kind'), /forecast/);
  assert.match(await page.textContent('#data-name'), /hourly\.csv/);
  assert.ok((await page.locator('#cv-table tbody tr').count()) >= 3);
  assert.ok((await page.locator('#comparison-table tbody tr').count()) >= 2);
  assert.match(await page.textContent('#core-version'), /core \d+\.\d+\.\d+/);
  assert.equal(await page.isVisible('#data-error'), false);
  await app.finish();
});

test('KPI tile values equal funnelcast kpi --json on the same data', T, async (t) => {
  const app = await openApp(t, suite);
  const k = cliJson(['kpi', '--data', suite.demoCsv(), '--json']);
  const tiles = await tileValues(app.page);
  assertTilesEqualCli(tiles, k, 'total');
  // What the marketer reads is the same number, formatted.
  assert.equal(tiles.leads.text, new Intl.NumberFormat('en-US').format(k.current.leads));
  assert.equal(tiles.spend.text, new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(k.current.spend));
  assert.equal(tiles.roi.text, `${(k.current.roi * 100).toFixed(1)}%`);
  await app.finish();
});

test('the forecast chart holds 168 forecast points after 14 days of actuals', T, async (t) => {
  const app = await openApp(t, suite);
  const chart = app.page.locator('#forecast-chart');
  assert.equal(await chart.getAttribute('data-forecast-points'), '168');
  assert.equal(await chart.getAttribute('data-actual-points'), '336');
  assert.match(await app.page.textContent('#forecast-note'), /next 168 hours/);
  await app.finish();
});

test('the anomaly count shown equals the CLI count, and the table lists each flagged hour', T, async (t) => {
  const app = await openApp(t, suite);
  const { page } = app;
  const c = cliJson(['anomalies', '--data', suite.demoCsv(), '--json']);
  assert.ok(c.count > 0, 'the demo data has anomalies in the last 14 days');
  assert.equal(await anomalyCount(page), c.count);
  assert.equal(await page.textContent('#anomaly-count'), String(c.count));
  assert.equal(await page.locator('#anomaly-table tbody tr').count(), c.count);
  assert.equal(await page.getAttribute('#anomaly-chart', 'data-flagged-points'), String(c.count));
  const newest = c.anomalies[c.anomalies.length - 1];
  const d = new Date(newest.time * 1000).toISOString().replace('T', ' ').slice(0, 16);
  assert.equal(await page.textContent('#anomaly-table tbody tr:first-child td:first-child'), d);
  const z = Number(await page.textContent('#anomaly-table tbody tr:first-child td:nth-child(4)'));
  assert.ok(Math.abs(z - newest.score) < 0.005);
  await app.finish();
});

test('threshold and window sliders recompute the anomalies in the browser', T, async (t) => {
  const app = await openApp(t, suite);
  const { page } = app;
  const before = app.requests.length;
  await page.locator('#an-threshold').fill('2');
  const c2 = cliJson(['anomalies', '--data', suite.demoCsv(), '--json', '--threshold', '2']);
  await waitForAnomalyCount(page, c2.count);
  await page.locator('#an-lookback').fill('30');
  await page.locator('#an-baseline').fill('14');
  const c3 = cliJson(['anomalies', '--data', suite.demoCsv(), '--json', '--threshold', '2', '--lookback', '720', '--baseline', '336']);
  await waitForAnomalyCount(page, c3.count);
  assert.equal(await page.textContent('#an-lookback-out'), '30 days');
  assert.equal(await page.textContent('#an-baseline-out'), '14 days');
  assert.equal(await page.textContent('#an-threshold-out'), '2.0');
  assert.equal(app.requests.length, before, 'recomputed without any request');
  // Back to the defaults: 14-day lookback, 7-day baseline, |z| > 2.5.
  await page.locator('#an-threshold').fill('2.5');
  await page.locator('#an-lookback').fill('14');
  await page.locator('#an-baseline').fill('7');
  const c = cliJson(['anomalies', '--data', suite.demoCsv(), '--json']);
  await waitForAnomalyCount(page, c.count);
  await app.finish();
});

test('the channel selector switches the dashboard to one channel', T, async (t) => {
  const app = await openApp(t, suite);
  const { page } = app;
  const options = await page.locator('#channel option').allTextContents();
  assert.deepEqual(options, ['All channels', 'email', 'search', 'social']);
  await page.selectOption('#channel', 'search');
  const { header, rows } = readCsvRows(suite.demoCsv());
  const file = suite.site.path('fixtures/search-only.csv');
  writeFileSync(file, `${header}\n${rows.filter((r) => r.split(',')[1] === 'search').join('\n')}\n`);
  const k = cliJson(['kpi', '--data', file, '--json']);
  await waitForLeads(page, k.current.leads);
  await page.waitForSelector('#dashboard[aria-busy="false"]');
  assertTilesEqualCli(await tileValues(page), k, 'search');
  const c = cliJson(['anomalies', '--data', file, '--json']);
  assert.equal(await anomalyCount(page), c.count);
  assert.equal(await page.locator('#forecast-chart').getAttribute('data-forecast-points'), '168');
  await page.selectOption('#channel', '');
  const total = cliJson(['kpi', '--data', suite.demoCsv(), '--json']);
  await waitForLeads(page, total.current.leads);
  await app.finish();
});
