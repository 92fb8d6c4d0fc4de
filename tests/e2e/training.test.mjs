// A file the page has never seen, without a model of the user's own, gets a forecast model
// trained for it in a worker of its own (train-worker.js with the training bundle): the
// progress is shown, Cancel stops it, training again finishes, the candidates'
// cross-validation is shown as the CLI prints it, the forecast is drawn by the new model
// (named in the caption), the dashboard stays responsive meanwhile, and the .fcm the page
// offers is byte for byte the CLI's with the settings the page states. A file too large
// to train in a tab fails with a message and the page keeps working.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { anomalyCount, chooseFile, cli, cliJson, cycleCsv, drawn, hourlyCsv, openApp, recordWorkers, startSuite, T } from './helpers.mjs';

let suite;
before(async () => {
  suite = await startSuite();
});
after(() => suite && suite.close());

const state = (page) => page.getAttribute('#train-box', 'data-state');

const trainWorkers = (page) => page.evaluate(() => window.__workers.filter((w) => /train-worker\.js$/.test(w.url)));
// The page shares a training's forecasters among as many workers as the browser reports
// cores (at most 4): told 3, whatever this machine has (window.fcCores changes it).
const recordOn3Cores = {
  content: `(${recordWorkers})(); Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { configurable: true, get: () => window.fcCores ?? 3 });`,
};

test('a new file is trained for in a worker: progress, cancel, train again, the CV table, the forecast and the CLI’s bytes', { timeout: 300_000 }, async (t) => {
  // Another shape and other column names than the demo's: 300 days from a Wednesday in
  // June, conversions and cost, no channel (long enough that training is still running
  // while the dashboard recomputes below).
  const csv = cycleCsv('datetime,conversions,cost', 24 * 300, (time, level, rnd) => `${Math.max(0, Math.round(level * 1.5 + 5 * rnd() - 2))},${(30 + 20 * rnd()).toFixed(2)}`, {
    start: Date.UTC(2023, 5, 7) / 1000,
    seed: 7,
  });
  const file = suite.site.fixture('fresh-export.csv', csv);
  const app = await openApp(t, suite, '', { initScript: recordOn3Cores });
  const { page } = app;
  assert.equal(await page.isVisible('#train-box'), false, 'the demo data has its model');
  assert.deepEqual(await trainWorkers(page), [], 'nothing is trained for the demo');

  await chooseFile(page, 'fresh-export.csv', csv);
  await page.waitForSelector('#train-box[data-state="running"]', { timeout: 20_000 });
  assert.match(await page.textContent('#train-title'), /fresh-export\.csv/);
  const settings = await page.textContent('#train-settings');
  assert.match(settings, /lighter settings than the CLI/);
  // The demo model is not applied to this data: no forecast until the new model is there.
  assert.equal(await page.textContent('#model-name'), '–');
  await page.waitForFunction(() => /^cross-validation on 3 workers: \d of \d+ forecasters done… \d+%/.test(document.getElementById('train-progress-text').textContent), null, { timeout: 60_000 });
  // In workers of its own (train-worker.js loads the training bundle): the run's and two
  // helpers sharing its forecasters; the dashboard's worker is another.
  const worker = (name) => ({ url: `${suite.url}train-worker.js`, name, terminated: false });
  assert.deepEqual(await trainWorkers(page), [worker('funnelcast-train'), worker('funnelcast-train-candidates'), worker('funnelcast-train-candidates')]);
  assert.ok(await page.evaluate(() => window.__workers.some((w) => w.name === 'funnelcast' && !w.terminated)));
  assert.equal(await page.getAttribute('#forecast-chart', 'data-forecast-points'), '0');
  assert.equal(await page.isVisible('#forecast-error'), false, 'no "no model" error while training');

  // The dashboard's worker answers while the training worker works.
  const before = await anomalyCount(page);
  await page.locator('#an-threshold').fill('1.5');
  const c = cliJson(['anomalies', '--data', suite.site.path(file), '--json', '--threshold', '1.5']);
  assert.notEqual(c.count, before);
  await page.waitForFunction((v) => Number(document.getElementById('anomaly-count').dataset.count) === v, c.count, { timeout: 10_000 });
  assert.equal(await state(page), 'running', 'recomputed while the model was still training');

  // Cancel: the run stops for good.
  await page.click('#train-cancel');
  assert.equal(await state(page), 'cancelled');
  assert.deepEqual((await trainWorkers(page)).map((w) => w.terminated), [true, true, true], 'cancelling terminates every training worker');
  assert.equal(await page.isVisible('#train-progress'), false);
  const stopped = await page.textContent('#train-progress-text');
  await page.waitForTimeout(1500);
  assert.equal(await page.textContent('#train-progress-text'), stopped, 'no progress after cancelling');
  assert.equal(await state(page), 'cancelled');
  assert.equal(await page.getAttribute('#forecast-chart', 'data-forecast-points'), '0');

  // Again, to the end.
  await page.click('#train-again');
  await page.waitForSelector('#train-box[data-state="done"]', { timeout: 240_000 });
  assert.deepEqual((await trainWorkers(page)).map((w) => w.terminated), [true, true, true, true, true, true], 'the training workers of each run, ended with it');
  const rows = await page.$$eval('#train-table tbody tr', (trs) => trs.map((tr) => [tr.dataset.candidate, tr.classList.contains('selected'), [...tr.querySelectorAll('td')].map((td) => td.textContent)]));
  assert.ok(rows.length >= 3, 'the candidates compared');
  assert.equal(rows.filter(([, selected]) => selected).length, 1, 'one selected');
  for (const [, , cells] of rows) for (const cell of cells) assert.match(cell, /^(-?\d+\.\d{3} ± \d+\.\d{3}|n\/a)$/);
  const header = await page.$$eval('#train-table thead th', (th) => th.map((x) => x.textContent));
  assert.deepEqual(header, ['Candidate', 'Recursive RMSE', 'Recursive MAE', 'Recursive sMAPE', 'One-step RMSE', 'One-step R²']);
  assert.match(await page.textContent('#train-coverage'), /80% band \d+\.\d%, 95% band \d+\.\d%/);

  // The forecast is the new model's, through the normal model path.
  await page.waitForFunction(() => document.getElementById('forecast-chart').dataset.forecastPoints === '168', null, { timeout: 20_000 });
  const selected = rows.find(([, s]) => s)[0];
  assert.equal(await page.textContent('#forecast-caption'), `Forecast by fresh-export-forecast.fcm — ${selected} trained on fresh-export.csv, 2023-06-07 → 2024-04-01 (300 days), all channels`);
  assert.match(await page.textContent('#model-name'), /fresh-export-forecast\.fcm \(trained here\)/);
  assert.match(await page.textContent('#model-title'), /fresh-export-forecast\.fcm/);

  // The download is the CLI's model, byte for byte, with the settings the page states.
  const [d] = await Promise.all([page.waitForEvent('download'), page.click('#train-download')]);
  assert.equal(d.suggestedFilename(), 'fresh-export-forecast.fcm');
  const pageModel = readFileSync(await d.path());
  const command = settings.slice(settings.indexOf('funnelcast train forecast')).trim().split(/\s+/).slice(3);
  assert.deepEqual(command.slice(0, 6), ['--data', 'fresh-export.csv', '--out', 'fresh-export-forecast.fcm', '--threads', '1']);
  const out = suite.site.path('fixtures/cli-fresh.fcm');
  cli(['train', 'forecast', ...command.slice(6), '--data', suite.site.path(file), '--out', out, '--threads', '1', '--quiet']);
  assert.ok(command.includes('--folds') && command.includes('--horizon'), command.join(' '));
  assert.deepEqual(pageModel, readFileSync(out), 'the page’s model is the CLI’s');
  // ...and the forecast drawn is that model's, as the CLI computes it.
  const want = cliJson(['forecast', '--model', out, '--data', suite.site.path(file), '--json']);
  const got = await drawn(page, 'forecast-chart', 'forecast');
  got.forEach((r, i) => assert.ok(Math.abs(r.mean - want.mean[i]) <= 1e-6, `mean[${i}]`));

  // Reloading the same file keeps the model made for it (no second training).
  await page.evaluate(() => {
    window.__reloaded = false;
    new MutationObserver(() => (window.__reloaded = true)).observe(document.getElementById('data-name'), { childList: true, characterData: true, subtree: true });
  });
  await page.click('#reload-data');
  await page.waitForFunction(() => window.__reloaded, null, { timeout: 20_000 });
  await page.waitForSelector('#dashboard[aria-busy="false"]');
  assert.equal(await state(page), 'done');
  assert.match(await page.textContent('#model-name'), /fresh-export-forecast\.fcm/);
  assert.equal(await page.getAttribute('#forecast-chart', 'data-forecast-points'), '168');
  await app.finish();
});

test('a file too large to train in a tab fails with a message, and the page keeps working', T, async (t) => {
  const hours = 24 * 365 * 6; // six years of hours
  const csv = hourlyCsv(hours, { header: 'timestamp,leads', row: (ts, i) => `${ts},${(i * 7) % 11}` });
  const app = await openApp(t, suite);
  const { page } = app;
  await chooseFile(page, 'six-years.csv', csv);
  await page.waitForSelector('#train-box[data-state="failed"]', { timeout: 60_000 });
  assert.match(await page.textContent('#train-error'), /^Training failed: six-years\.csv spans 52,560 hours \(6\.0 years\): too much to train in a browser tab.*CLI/);
  assert.equal(await page.isVisible('#train-again'), false, 'the same data would be refused again');
  assert.equal(await page.getAttribute('body', 'data-state'), 'ready');
  assert.match(await page.textContent('#data-meta'), /52,560 rows/);
  await app.finish();
});
