// A model trained with `--by channel` on the demo data: the page draws the total (the
// channels' sum) as the CLI forecasts it, lists each channel's expected leads and share
// beside the total's, and with a channel chosen draws that channel's own forecast from the
// same model (the CLI's --channel), without calling it indicative.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { cli, cliJson, drawn, openApp, startSuite, T } from './helpers.mjs';

let suite;
const model = 'fixtures/by-channel.fcm';
before(async () => {
  suite = await startSuite();
  cli(['train', 'forecast', '--data', suite.demoCsv(), '--by', 'channel', '--out', suite.site.path(model), '--quiet', '--no-log', '--folds', '3', '--param', 'num_iterations=60']);
});
after(() => suite && suite.close());

/** @param {number[]} a */
const sum = (a) => a.reduce((s, x) => s + x, 0);

test('a by-channel model: the total drawn as the CLI forecasts it, and each channel listed beside it', T, async (t) => {
  const app = await openApp(t, suite, `?model=${model}`);
  const { page } = app;
  await page.waitForSelector('#dashboard[aria-busy="false"]');
  const want = cliJson(['forecast', '--model', suite.site.path(model), '--data', suite.demoCsv(), '--json']);
  assert.deepEqual(want.channels.map((c) => c.channel), ['email', 'search', 'social']);
  const forecast = await drawn(page, 'forecast-chart', 'forecast');
  assert.equal(forecast.length, want.time.length);
  forecast.forEach((r, i) => {
    assert.ok(Math.abs(r.mean - want.mean[i]) <= 1e-6, `mean[${i}]: page ${r.mean} vs CLI ${want.mean[i]}`);
    // The total is the channels' sum at every step.
    const channels = sum(want.channels.map((c) => c.mean[i]));
    assert.ok(Math.abs(r.mean - channels) <= 1e-6 * Math.max(1, channels), `step ${i}: total ${r.mean} vs channels ${channels}`);
  });
  assert.match(await page.textContent('#forecast-caption'), /each of 3 channels \(one model; the total is their sum\)$/);

  assert.equal(await page.isVisible('#forecast-channels'), true);
  const rows = await page.$$eval('#forecast-channels tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  assert.deepEqual(rows.map((r) => r[0]), ['email', 'search', 'social', 'Total']);
  const total = sum(want.mean);
  const count = (/** @type {number} */ x) => Math.round(x).toLocaleString('en-US');
  want.channels.forEach((c, i) => {
    assert.equal(rows[i][1], count(sum(c.mean)), `${c.channel}: expected`);
    assert.equal(rows[i][2], `${((100 * sum(c.mean)) / total).toFixed(1)}%`, `${c.channel}: share`);
  });
  assert.equal(rows[3][1], count(total));
  assert.equal(rows[3][2], '100.0%');

  // One channel: its own forecast from the same model, as the CLI's --channel.
  await page.selectOption('#channel', 'search');
  const search = cliJson(['forecast', '--model', suite.site.path(model), '--data', suite.demoCsv(), '--json', '--channel', 'search']);
  // The chart shows search's forecast once its first step is search's.
  await page.waitForFunction((first) => {
    const view = /** @type {any} */ (document.getElementById('forecast-chart')).fcView;
    const rows = view && view.data('forecast');
    return rows && rows.length > 0 && Math.abs(rows[0].mean - first) <= 1e-6;
  }, search.mean[0], { timeout: 30_000 });
  await page.waitForSelector('#dashboard[aria-busy="false"]');
  const one = await drawn(page, 'forecast-chart', 'forecast');
  assert.equal(one.length, search.time.length);
  one.forEach((r, i) => assert.ok(Math.abs(r.mean - search.mean[i]) <= 1e-6, `search mean[${i}]: page ${r.mean} vs CLI ${search.mean[i]}`));
  assert.equal(await page.isVisible('#forecast-channels'), false, 'one channel: no per-channel table');
  assert.doesNotMatch(await page.textContent('#forecast-note'), /indicative/);
  await app.finish();
});
