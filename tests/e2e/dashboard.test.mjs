// The demo dashboard in headless Chromium: every panel renders, its numbers equal the
// native CLI's on the same data (KPI tiles, forecast points, anomaly count and table),
// its downloads hold the CLI's numbers too, and the anomaly controls and the channel
// selector recompute in the browser.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { anomalyCount, assertTilesEqualCli, cli, cliJson, openApp, readCsvRows, startSuite, T, tileValues, waitForAnomalyCount, waitForLeads } from './helpers.mjs';

let suite;
before(async () => {
  suite = await startSuite();
});
after(() => suite && suite.close());

// One page, read only: each subtest checks one panel of the same demo dashboard.
test('the demo dashboard', T, async (t) => {
  const app = await openApp(t, suite);
  const { page } = app;

  await t.test('renders: KPI tiles, forecast and anomaly charts, anomaly table, model card', async () => {
    assert.equal(await page.getAttribute('body', 'data-state'), 'ready');
    assert.ok(await page.locator('#forecast-chart svg').count());
    assert.ok(await page.locator('#anomaly-chart svg').count());
    assert.equal(await page.locator('#kpi-tiles .tile:not([hidden])').count(), 5);
    assert.match(await page.textContent('#model-kind'), /forecast/);
    assert.match(await page.textContent('#data-name'), /hourly\.csv/);
    assert.ok((await page.locator('#cv-table tbody tr').count()) >= 3);
    assert.ok((await page.locator('#comparison-table tbody tr').count()) >= 2);
    assert.match(await page.textContent('#core-version'), /core \d+\.\d+\.\d+/);
    assert.equal(await page.isVisible('#data-error'), false);
  });

  await t.test('KPI tile values equal funnelcast kpi --json on the same data', async () => {
    const k = cliJson(['kpi', '--data', suite.demoCsv(), '--json']);
    const tiles = await tileValues(page);
    assertTilesEqualCli(tiles, k, 'total');
    // What the marketer reads is the same number, formatted.
    assert.equal(tiles.leads.text, new Intl.NumberFormat('en-US').format(k.current.leads));
    assert.equal(tiles.spend.text, new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(k.current.spend));
    assert.equal(tiles.roi.text, `${(k.current.roi * 100).toFixed(1)}%`);
  });

  await t.test('the forecast chart holds 168 forecast points after 14 days of actuals', async () => {
    const chart = page.locator('#forecast-chart');
    assert.equal(await chart.getAttribute('data-forecast-points'), '168');
    assert.equal(await chart.getAttribute('data-actual-points'), '336');
    assert.match(await page.textContent('#forecast-note'), /next 168 hours/);
  });

  await t.test('the anomaly count shown equals the CLI count, and the table lists each flagged hour', async () => {
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
  });

  await t.test('download buttons give the forecast CSV, the anomalies CSV and each chart as PNG and SVG', async () => {
    const grab = async (selector) => {
      const [d] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
      return { name: d.suggestedFilename(), bytes: readFileSync(await d.path()) };
    };
    const f = await grab('#dl-forecast-csv');
    assert.equal(f.name, 'funnelcast-forecast-all.csv');
    const cliCsv = cli(['forecast', '--model', suite.site.path('models/demo_forecast.fcm'), '--data', suite.demoCsv()]).trim().split('\n');
    const pageCsv = f.bytes.toString('utf8').trim().split('\n');
    assert.equal(pageCsv[0], cliCsv[0], 'same columns as the CLI');
    assert.equal(pageCsv.length, 169);
    for (let i = 1; i < cliCsv.length; ++i) {
      const a = pageCsv[i].split(',');
      const b = cliCsv[i].split(',');
      assert.equal(a[0], b[0]);
      for (let j = 1; j < b.length; ++j) assert.ok(Math.abs(Number(a[j]) - Number(b[j])) <= 1.5e-4, `row ${i} col ${j}: ${a[j]} vs ${b[j]}`);
    }
    const a = await grab('#dl-anomalies-csv');
    assert.equal(a.name, 'funnelcast-anomalies-cpl-all.csv');
    // The core's one CSV writer: the page's download is the CLI's default output, byte for byte.
    const c = cliJson(['anomalies', '--data', suite.demoCsv(), '--json']);
    const lines = a.bytes.toString('utf8').trim().split('\n');
    assert.equal(lines[0], 'timestamp,value,expected,lower,upper,score,flag,direction,spend,spend_expected,leads,leads_expected,cause');
    assert.equal(lines.length - 1, c.count);
    assert.equal(a.bytes.toString('utf8'), cli(['anomalies', '--data', suite.demoCsv()]));
    for (const chart of ['forecast', 'anomaly']) {
      const png = await grab(`[data-chart="${chart}"][data-type="png"]`);
      assert.equal(png.name, `funnelcast-${chart}-all.png`);
      assert.deepEqual([...png.bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], `${chart} PNG`);
      const svg = await grab(`[data-chart="${chart}"][data-type="svg"]`);
      assert.match(svg.bytes.toString('utf8').slice(0, 200), /<svg/);
    }
  });

  await app.finish();
});

test('threshold and window sliders recompute the anomalies in the browser', T, async (t) => {
  const app = await openApp(t, suite);
  const { page } = app;
  // Once the service worker has precached the site, nothing else is due to be fetched.
  await page.evaluate(() => navigator.serviceWorker.ready);
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
  assert.deepEqual(app.requests.slice(before), [], 'recomputed without any request');
  // Back to the default windows: 14-day lookback, 7-day baseline, here with |z| > 4.5.
  await page.locator('#an-threshold').fill('4.5');
  await page.locator('#an-lookback').fill('14');
  await page.locator('#an-baseline').fill('7');
  const c = cliJson(['anomalies', '--data', suite.demoCsv(), '--json', '--threshold', '4.5']);
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
