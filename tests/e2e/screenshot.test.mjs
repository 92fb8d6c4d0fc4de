// The README screenshots, each checked for what the picture must show: the demo dashboard
// as a first visit shows it (build/e2e/screenshot.png), lead scoring on the demo leads
// (build/e2e/screenshot-scoring.png), its SHAP summary (build/e2e/screenshot-shap.png)
// and the dashboard on a phone, 390x844
// (build/e2e/screenshot-phone.png), all gitignored. `npm run screenshots`
// (scripts/screenshots.sh) runs this and copies them to docs/.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { cliJson, openApp, OUT, scoringReady, startSuite, T, tileValues } from './helpers.mjs';

let suite;
before(async () => {
  suite = await startSuite();
});
after(() => suite && suite.close());

test('the README screenshot shows the ready demo dashboard: KPI values, the 168-hour forecast, the anomalies', T, async (t) => {
  const app = await openApp(t, suite);
  const { page } = app;
  assert.equal(await page.getAttribute('body', 'data-state'), 'ready');
  await page.waitForSelector('#dashboard[aria-busy="false"]');
  // KPI tiles: the five the demo data has, each with a number and its change.
  const tiles = await tileValues(page);
  for (const key of ['leads', 'spend', 'revenue', 'cpl', 'roi']) {
    assert.equal(tiles[key].hidden, false, `${key} tile shown`);
    assert.ok(Number.isFinite(tiles[key].value), `${key} tile has a value`);
    assert.notEqual(tiles[key].text, '–', `${key} tile shows its value`);
    assert.ok(Number.isFinite(tiles[key].change), `${key} tile has a change`);
  }
  assert.equal(tiles.conversion.hidden, true, 'no traffic column in the demo: no conversion tile');
  // The forecast chart: drawn (not the hidden stand-in), 168 forecast hours after 336 actual ones.
  const forecast = page.locator('#forecast-chart');
  assert.equal(await forecast.getAttribute('data-forecast-points'), '168');
  assert.equal(await forecast.getAttribute('data-actual-points'), '336');
  assert.equal(await page.locator('#forecast-chart.preparing').count(), 0);
  assert.ok(await page.locator('#forecast-chart svg path').count(), 'forecast marks drawn');
  assert.equal(await page.isVisible('#forecast-error'), false);
  // The anomaly chart: the 14-day CPL series with the CLI's flagged hours marked.
  const c = cliJson(['anomalies', '--data', suite.demoCsv(), '--json']);
  const anomaly = page.locator('#anomaly-chart');
  assert.equal(await anomaly.getAttribute('data-series-points'), '336');
  assert.equal(await anomaly.getAttribute('data-flagged-points'), String(c.count));
  assert.equal(await page.locator('#anomaly-chart.preparing').count(), 0);
  assert.ok(await page.locator('#anomaly-chart svg path').count(), 'anomaly marks drawn');
  assert.equal(await page.isVisible('#anomaly-error'), false);
  assert.equal(await page.isVisible('#model-body'), true, 'model card filled in');

  await page.mouse.move(10, 10); // no tooltip in the picture
  const png = await page.screenshot({ fullPage: true });
  assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  assert.ok(png.readUInt32BE(16) >= 1280 && png.readUInt32BE(20) > 900, 'a full-page picture');
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'screenshot.png'), png);
  await app.finish();
});

// One page, read only: the lead scoring screenshot, then its SHAP panel's.
test('the README’s lead scoring screenshots', T, async (t) => {
  const app = await openApp(t, suite, '?view=scoring');
  const { page } = app;
  await scoringReady(page);

  await t.test('the lead scoring screenshot shows the demo leads scored: the table with reasons, the threshold figures, the charts', async () => {
    assert.equal(await page.isVisible('#scoring-view'), true);
    assert.equal(await page.isVisible('#dashboard-view'), false);
    assert.equal(await page.locator('#leads-table tbody tr').count(), 100);
    assert.equal(await page.locator('#leads-table tbody tr:first-child .reasons li').count(), 3, 'three reasons on the top lead');
    for (const k of ['precision', 'recall', 'f1', 'share', 'lift']) {
      assert.ok(Number.isFinite(Number(await page.getAttribute(`#threshold-${k}-value`, 'data-value'))), `${k} figure shown`);
    }
    for (const id of ['roc-chart', 'calibration-chart']) assert.ok(await page.locator(`#${id} svg path`).count(), `${id} drawn`);
    await page.mouse.move(10, 10);
    const png = await page.screenshot({ clip: { x: 0, y: 0, width: 1280, height: 1500 }, fullPage: true });
    assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, 'screenshot-scoring.png'), png);
  });

  await t.test('the SHAP screenshot shows what drives the demo scores: the summary of the top inputs and a dependence plot', async () => {
    await page.waitForSelector('#shap-panel[data-state="ready"]', { timeout: 120_000 });
    assert.equal(Number(await page.getAttribute('#shap-summary-chart', 'data-points')), 500 * 10, '500 leads x the 10 top inputs');
    assert.ok(Number(await page.getAttribute('#shap-dependence-chart', 'data-points')) > 0, 'the dependence plot drawn');
    // Thousands of dots: drawn on a canvas, one element (web/charts.js ChartSlot).
    for (const id of ['shap-summary-chart', 'shap-dependence-chart']) assert.equal(await page.locator(`#${id} canvas`).count(), 1, `${id} drawn`);
    await page.mouse.move(10, 10);
    const png = await page.locator('#shap-panel').screenshot();
    assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, 'screenshot-shap.png'), png);
  });

  await app.finish();
});

test('the README’s phone screenshot shows the demo dashboard at 390x844: one column of KPI tiles and the forecast within the window', T, async (t) => {
  const phone = { width: 390, height: 844 };
  const app = await openApp(t, suite, '', { viewport: phone });
  const { page } = app;
  await page.waitForSelector('#dashboard[aria-busy="false"]');
  await page.waitForSelector('#forecast-chart svg path');
  await page.waitForFunction(() => !document.querySelector('.chart.preparing'));
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= phone.width, 'no sideways scroll');
  const tiles = await tileValues(page);
  for (const key of ['leads', 'spend', 'revenue', 'cpl', 'roi']) assert.ok(Number.isFinite(tiles[key].value), `${key} tile has a value`);
  const svg = await page.$eval('#forecast-chart svg', (s) => s.getBoundingClientRect().toJSON());
  assert.ok(svg.width > 200 && svg.right <= phone.width, `the forecast (${svg.width} px) within the window`);
  // The picture: from the channel picker to the end of the forecast chart (the tiles and the forecast).
  const top = await page.$eval('#dashboard', (d) => d.getBoundingClientRect().top + window.scrollY);
  const bottom = await page.$eval('#forecast-chart', (c) => c.getBoundingClientRect().bottom + window.scrollY);
  assert.ok(bottom - top > 600, 'tiles and forecast in the picture');
  await page.mouse.move(1, 1);
  const png = await page.screenshot({ clip: { x: 0, y: Math.max(0, top - 8), width: phone.width, height: bottom - top + 24 }, fullPage: true });
  assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  assert.equal(png.readUInt32BE(16), phone.width, 'a picture as wide as the phone');
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'screenshot-phone.png'), png);
  await app.finish();
});
