// A weekly file (one row per week, on Mondays; issue 16): a model is trained for it in the
// tab at the weekly horizon (13 weeks), the CLI's byte for byte with the command the page
// states, and the forecast drawn is the CLI's, week by week, after two years of actuals.
// The browser is told it has one core: the training runs in one worker, not shared (the
// forecast training test shares it among 3).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { chooseFile, cli, cliJson, drawn, openApp, startSuite, T } from './helpers.mjs';

let suite;
before(async () => {
  suite = await startSuite();
});
after(() => suite && suite.close());

test('a weekly file: a model trained in the tab at 13 weeks (the CLI’s bytes) and the CLI’s weekly forecast drawn', T, async (t) => {
  // 130 weeks from Monday 2024-01-01: a trend and a yearly cycle.
  const lines = ['week,leads'];
  for (let w = 0; w < 130; ++w) {
    const day = new Date(Date.UTC(2024, 0, 1) + w * 7 * 86400e3).toISOString().slice(0, 10);
    lines.push(`${day},${Math.round(300 + w + 40 * Math.sin((2 * Math.PI * (w % 52)) / 52) + ((w * 13) % 7))}`);
  }
  const csv = `${lines.join('\n')}\n`;
  const file = suite.site.fixture('weekly.csv', csv);
  const app = await openApp(t, suite, '', { initScript: () => Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { configurable: true, get: () => 1 }) });
  const { page } = app;
  await chooseFile(page, 'weekly.csv', csv);
  await page.waitForSelector('#train-box[data-state="done"], #train-box[data-state="failed"], #train-box[data-state="unsupported"]', { timeout: 120_000 });
  assert.equal(await page.getAttribute('#train-box', 'data-state'), 'done', (await page.textContent('#train-error')) + (await page.textContent('#train-status')));
  const settings = await page.textContent('#train-settings');
  assert.match(settings, /a 13-week horizon/);
  const command = settings.slice(settings.indexOf('funnelcast train forecast')).trim().split(/\s+/).slice(3);
  assert.deepEqual(command.slice(0, 6), ['--data', 'weekly.csv', '--out', 'weekly-forecast.fcm', '--threads', '1']);
  assert.ok(command.join(' ').includes('--horizon 13'), command.join(' '));
  const [d] = await Promise.all([page.waitForEvent('download'), page.click('#train-download')]);
  const out = suite.site.path('fixtures/cli-weekly.fcm');
  cli(['train', 'forecast', ...command.slice(6), '--data', suite.site.path(file), '--out', out, '--threads', '1', '--quiet']);
  assert.deepEqual(readFileSync(await d.path()), readFileSync(out), 'the page’s model is the CLI’s');
  const header = JSON.parse(cli(['inspect', '--model', out]));
  assert.equal(header.data.interval, 604800, 'the model records weekly data');

  await page.waitForFunction(() => document.getElementById('forecast-chart').dataset.forecastPoints === '13', null, { timeout: 20_000 });
  const want = cliJson(['forecast', '--model', out, '--data', suite.site.path(file), '--json']);
  const got = await drawn(page, 'forecast-chart', 'forecast');
  assert.equal(got.length, 13);
  got.forEach((r, i) => {
    assert.equal(r.t, want.time[i] * 1000, `week ${i}`);
    assert.ok(Math.abs(r.mean - want.mean[i]) <= 1e-6, `mean[${i}]: page ${r.mean} vs CLI ${want.mean[i]}`);
  });
  // Week 130 is Monday 2026-06-29; two years of actuals, a week apart, and the words in weeks.
  assert.equal(got[0].t, Date.UTC(2026, 5, 29));
  const actual = await drawn(page, 'forecast-chart', 'actual');
  assert.equal(actual.length, 104);
  assert.equal(actual[1].t - actual[0].t, 7 * 86400e3);
  assert.match(await page.textContent('#forecast-title'), /next 13 weeks/);
  assert.match(await page.textContent('#forecast-note'), /over the next 13 weeks \(2026-06-29 → 2026-09-21\)/);
  assert.equal(await page.isVisible('#forecast-error'), false);
  await app.finish();
});
