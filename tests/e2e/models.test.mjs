// A model is applied to data only when its data schema and the data match, read the way
// the model read its training data, and the page says which model drew the forecast:
// a model trained with `--target value` forecasts a file whose target column is `value`
// (no leads column, no role pinned by the user) exactly as the CLI does, its actuals are
// the `value` series and nothing calls `value` revenue; a model whose schema does not fit
// is refused with the reason instead of a chart; a daily file without a leads column is
// explained beside the file, gets daily KPIs once a leads column is chosen, and a daily
// model trained for it in the tab (14 days ahead), the CLI's byte for byte.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { assertTilesEqualCli, chooseFile, cli, cliJson, coreRegistry, cycleCsv, drawn, openApp, startSuite, T, tileValues, visibleTiles } from './helpers.mjs';

let suite;
let value; // {csv, values, data, model}: the `value` file, its series and the fixtures' URLs
before(async () => {
  suite = await startSuite();
  const values = [];
  const csv = cycleCsv('timestamp,value', 24 * 120, (time, level, rnd) => {
    const v = Math.max(0, Math.round(level + 4 * rnd() - 2));
    values.push(v);
    return String(v);
  });
  const data = suite.site.fixture('value.csv', csv);
  const model = 'fixtures/value.fcm';
  cli(['train', 'forecast', '--data', suite.site.path(data), '--target', 'value', '--out', suite.site.path(model), '--quiet', '--folds', '3', '--param', 'num_iterations=60']);
  value = { csv, values, data, model };
});
after(() => suite && suite.close());

test('a model trained on a `value` column forecasts that file as the CLI does, read the model’s way', T, async (t) => {
  const app = await openApp(t, suite, `?data=${value.data}&model=${value.model}`);
  const { page } = app;
  assert.equal(await page.getAttribute('body', 'data-state'), 'ready');
  await page.waitForSelector('#dashboard[aria-busy="false"]');
  assert.equal(await page.isVisible('#data-error'), false, 'the file is accepted');
  assert.match(await page.textContent('#data-notices'), /Read the way value\.fcm read its training data \(value\.csv\): .*Leads: value/);
  assert.equal(await page.isVisible('#train-box'), false, 'a model of the user’s own: nothing is trained');

  // The forecast drawn is the CLI's, point for point.
  const want = cliJson(['forecast', '--model', suite.site.path(value.model), '--data', suite.site.path(value.data), '--json']);
  const forecast = await drawn(page, 'forecast-chart', 'forecast');
  assert.equal(forecast.length, want.time.length);
  forecast.forEach((r, i) => {
    assert.equal(r.t, want.time[i] * 1000);
    for (const [field, key] of [['mean', 'mean'], ['lo80', 'lower80'], ['hi80', 'upper80'], ['lo95', 'lower95'], ['hi95', 'upper95']]) {
      assert.ok(Math.abs(r[field] - want[key][i]) <= 1e-6, `${key}[${i}]: page ${r[field]} vs CLI ${want[key][i]}`);
    }
  });
  // The actuals drawn are the `value` column (not one per row): its last 14 days.
  const actual = await drawn(page, 'forecast-chart', 'actual');
  assert.deepEqual(actual.map((r) => r.actual), value.values.slice(-336));
  assert.match(await page.textContent('#forecast-caption'), /^Forecast by value\.fcm — \S+ trained on value\.csv, 2024-01-01 → 2024-04-29 \(120 days\), all channels$/);
  assert.match(await page.textContent('#forecast-title'), /^value forecast/);

  // `value` is the leads the model forecasts: no revenue (nor anything else) made of it.
  assert.deepEqual(await visibleTiles(page), ['leads']);
  assert.deepEqual(await page.$$eval('#an-metric option', (o) => o.map((x) => x.value)), ['leads']);
  const k = cliJson(['kpi', '--data', suite.site.path(value.data), '--leads', 'value', '--json']);
  assertTilesEqualCli(await tileValues(page), k, 'value as leads');
  await app.finish();
});

test('a model whose data schema does not match the data is refused with the reason, and no chart is drawn', T, async (t) => {
  // The demo data with the `value` model: no `value` column there.
  const app = await openApp(t, suite, `?model=${value.model}`);
  const { page } = app;
  await page.waitForSelector('#forecast-error:not([hidden])', { timeout: 20_000 });
  const reason = await page.textContent('#forecast-error');
  assert.match(reason, /^Forecast: .*'value'.*value\.fcm/);
  assert.equal(await page.getAttribute('#forecast-chart', 'data-forecast-points'), '0');
  assert.equal(await page.locator('#forecast-chart svg').count(), 0);
  assert.equal(await page.isVisible('#forecast-caption'), false);
  // The rest of the dashboard is the demo's, as usual.
  assert.deepEqual(await visibleTiles(page), ['leads', 'spend', 'revenue', 'cpl', 'roi']);
  assert.equal(await page.isVisible('#train-box'), false);
  await app.finish();
});

test('a daily file without a leads column: the columns to pick, daily KPIs once picked, and a daily model trained for it (the CLI’s bytes and forecast)', T, async (t) => {
  const lines = ['Date,Sales,Website_Traffic,Marketing_Spend,Profit'];
  for (let d = 0; d < 400; ++d) {
    const day = new Date(Date.UTC(2023, 0, 1) + d * 86400e3).toISOString().slice(0, 10);
    lines.push(`${day},${120 + ((d * 37) % 41)},${2000 + ((d * 53) % 300)},${300 + ((d * 17) % 90)}.50,${d === 396 ? 400 : 40 + ((d * 7) % 13)}`);
  }
  const csv = `${lines.join('\n')}\n`;
  const file = suite.site.fixture('daily.csv', csv);
  const app = await openApp(t, suite);
  const { page } = app;
  await chooseFile(page, 'daily.csv', csv);
  await page.waitForSelector('#data-error:not([hidden])');
  const error = await page.textContent('#data-error');
  for (const column of ['Sales', 'Website_Traffic', 'Marketing_Spend', 'Profit']) assert.match(error, new RegExp(column), `the error names ${column}`);
  assert.match(error, /leads/);
  assert.equal(await page.getAttribute('#schema-panel', 'open'), '', 'the roles editor opens');
  assert.match(await page.textContent('#data-name'), /hourly\.csv/, 'the demo stays shown meanwhile');

  await page.selectOption('#role-leads', { label: 'Sales (number)' });
  await page.click('#apply-roles');
  await page.waitForSelector('#data-error', { state: 'hidden' });
  const k = cliJson(['kpi', '--data', suite.site.path(file), '--leads', 'Sales', '--json']);
  await page.waitForFunction((v) => Number(document.querySelector('#kpi-leads-value').dataset.value) === v, k.current.leads, { timeout: 20_000 });
  await page.waitForSelector('#dashboard[aria-busy="false"]');
  assertTilesEqualCli(await tileValues(page), k, 'daily');
  const registry = await coreRegistry();
  assert.deepEqual(await visibleTiles(page), registry.metrics.map((m) => m.name).filter((m) => k.current[m] !== null), 'the daily file’s metrics');
  assert.equal(await page.textContent('#kpi-heading'), 'Last day');
  assert.match(await page.textContent('#data-notices'), /daily data/);

  // Anomalies of the daily file: the CLI's, day by day.
  const a = cliJson(['anomalies', '--data', suite.site.path(file), '--leads', 'Sales', '--json']);
  await page.waitForFunction((v) => Number(document.getElementById('anomaly-count').dataset.count) === v, a.count, { timeout: 20_000 });

  // Any other numeric column can be the anomaly metric: Profit, in its own units, as the
  // CLI's --metric Profit judges it (its spike on day 397 flagged).
  const groups = await page.$$eval('#an-metric optgroup', (gs) => gs.map((g) => [g.label, [...g.querySelectorAll('option')].map((o) => o.value)]));
  assert.deepEqual(groups.map(([label]) => label), ['Metrics', 'Other columns']);
  assert.ok(groups[1][1].includes('Profit') && !groups[1][1].includes('Sales'), JSON.stringify(groups));
  const profit = cliJson(['anomalies', '--data', suite.site.path(file), '--leads', 'Sales', '--metric', 'Profit', '--json']);
  assert.ok(profit.count > 0, 'the spike is flagged by the CLI');
  await page.selectOption('#an-metric', 'Profit');
  // The count and the legend change before the chart is redrawn (panels/anomalies.js awaits
  // the render, then labels the chart): wait for the chart's own label too.
  await page.waitForFunction(
    (v) =>
      Number(document.getElementById('anomaly-count').dataset.count) === v &&
      document.getElementById('legend-metric').textContent === 'Profit' &&
      (document.getElementById('anomaly-chart').getAttribute('aria-label') || '').startsWith('Profit per '),
    profit.count,
    { timeout: 20_000 },
  );
  const series = await drawn(page, 'anomaly-chart', 'series');
  const spike = profit.anomalies[profit.anomalies.length - 1];
  const row = series.find((r) => r.t === spike.time * 1000);
  assert.ok(row, `the flagged day ${spike.timestamp} is drawn`);
  assert.equal(row.value, 400);
  assert.ok(Math.abs(row.expected - spike.expected) <= 1e-6 * Math.abs(spike.expected), `${row.expected} vs ${spike.expected}`);

  // A model is trained for it in the tab, at the daily defaults (a 14-day horizon): the
  // CLI's bytes with the settings the page states, and the CLI's forecast drawn.
  await page.waitForSelector('#train-box[data-state="done"], #train-box[data-state="failed"]', { timeout: 120_000 });
  assert.equal(await page.getAttribute('#train-box', 'data-state'), 'done', await page.textContent('#train-error'));
  const settings = await page.textContent('#train-settings');
  assert.match(settings, /a 14-day horizon/);
  const command = settings.slice(settings.indexOf('funnelcast train forecast')).trim().split(/\s+/).slice(3);
  assert.deepEqual(command.slice(0, 6), ['--data', 'daily.csv', '--out', 'daily-forecast.fcm', '--threads', '1']);
  assert.ok(command.includes('--leads') && command.includes('Sales') && command.join(' ').includes('--horizon 14'), command.join(' '));
  const [d] = await Promise.all([page.waitForEvent('download'), page.click('#train-download')]);
  const out = suite.site.path('fixtures/cli-daily.fcm');
  cli(['train', 'forecast', ...command.slice(6), '--data', suite.site.path(file), '--out', out, '--threads', '1', '--quiet']);
  assert.deepEqual(readFileSync(await d.path()), readFileSync(out), 'the page’s model is the CLI’s');
  await page.waitForFunction(() => document.getElementById('forecast-chart').dataset.forecastPoints === '14', null, { timeout: 20_000 });
  const want = cliJson(['forecast', '--model', out, '--data', suite.site.path(file), '--json']);
  const got = await drawn(page, 'forecast-chart', 'forecast');
  assert.equal(got.length, 14);
  got.forEach((r, i) => {
    assert.equal(r.t, want.time[i] * 1000, `day ${i}`);
    assert.ok(Math.abs(r.mean - want.mean[i]) <= 1e-6, `mean[${i}]: page ${r.mean} vs CLI ${want.mean[i]}`);
  });
  // Eight weeks of actuals, day by day, and the words in days.
  const actual = await drawn(page, 'forecast-chart', 'actual');
  assert.equal(actual.length, 56);
  assert.equal(actual[1].t - actual[0].t, 86400e3);
  assert.match(await page.textContent('#forecast-title'), /next 14 days/);
  assert.match(await page.textContent('#forecast-note'), /over the next 14 days \(2024-02-05 → 2024-02-18\)/);
  assert.equal(await page.isVisible('#forecast-error'), false);
  await app.finish();
});
