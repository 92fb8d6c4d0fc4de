// The page offers exactly the core's roles and metrics: its selectors and tiles are built
// from fc.registry() (fetched once from the worker), never from a list of its own. With a
// file that has a column for every summed role (time, leads, spend, revenue, clicks,
// channel), the KPI tiles and the anomaly metric selector are the registry's metrics in its
// order, which are the metrics `funnelcast kpi --json` reports; the roles editor offers the
// registry's roles with their labels. The registry comes from the built wasm module run in
// node (helpers.mjs: coreRegistry), so this test lists no role or metric either.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertTilesEqualCli, chooseFile, cliJson, coreRegistry, cycleCsv, openApp, startSuite, T, tileValues, visibleTiles, waitForLeads } from './helpers.mjs';

let suite;
before(async () => {
  suite = await startSuite();
});
after(() => suite && suite.close());

test('the KPI tiles, the anomaly metric selector and the roles editor are the core registry’s, in its order', T, async (t) => {
  const registry = await coreRegistry();
  const metrics = registry.metrics.map((m) => m.name);
  assert.ok(metrics.length >= 5, 'the registry lists the metrics');

  // Every summed role has a column: every metric is computable.
  const channels = ['search', 'social'];
  const csv = cycleCsv('timestamp,channel,leads,spend,revenue,clicks', 24 * 30 * channels.length, (time, level, rnd) => {
    const i = Math.round(time / 3600);
    const leads = Math.round(level + 3 * rnd());
    return `${channels[i % 2]},${leads},${(20 + 10 * rnd()).toFixed(2)},${(leads * (25 + 10 * rnd())).toFixed(2)},${40 + Math.round(30 * rnd())}`;
  });
  const file = suite.site.fixture('every-role.csv', csv);
  const k = cliJson(['kpi', '--data', suite.site.path(file), '--json']);
  assert.deepEqual(Object.keys(k.change).sort(), [...metrics].sort(), 'the CLI reports the registry’s metrics');
  assert.ok(Object.values(k.current).every((v) => v !== null), 'the file has every metric');

  const app = await openApp(t, suite);
  const { page } = app;
  await chooseFile(page, 'every-role.csv', csv);
  await page.waitForFunction(() => /every-role\.csv/.test(document.getElementById('data-name').textContent), null, { timeout: 20_000 });
  await waitForLeads(page, k.current.leads);
  await page.waitForSelector('#dashboard[aria-busy="false"]');

  assert.deepEqual(await visibleTiles(page), metrics, 'one KPI tile per registry metric, in its order');
  const labels = await page.$$eval('#kpi-tiles .tile:not([hidden]) .tile-label', (h) => h.map((x) => x.firstChild.textContent));
  assert.deepEqual(labels, registry.metrics.map((m) => m.label), 'the tiles carry the registry’s labels');
  assertTilesEqualCli(await tileValues(page), k, 'every role');
  // Change colours follow the registry's good direction.
  for (const m of registry.metrics) {
    const change = k.change[m.name];
    if (!Number.isFinite(change) || change === 0) continue;
    const good = (change > 0) === (m.good === 'higher');
    assert.match(await page.getAttribute(`#kpi-${m.name}-change`, 'class'), good ? /\bgood\b/ : /\bbad\b/, `${m.name} change colour`);
  }

  const options = await page.$$eval('#an-metric option', (o) => o.map((x) => [x.value, x.textContent]));
  assert.deepEqual(options.map(([v]) => v), metrics, 'the anomaly selector offers the registry’s metrics, in its order');
  assert.deepEqual(options.map(([, label]) => label), registry.metrics.map((m) => m.label));

  const roles = await page.$$eval('#roles-grid .role', (r) => r.map((x) => [x.querySelector('select').name, x.querySelector('span').textContent]));
  assert.deepEqual(roles, registry.roles.map((r) => [r.name, r.label]), 'the roles editor offers the registry’s roles');

  // Every metric the selector offers is one the core computes on this data.
  for (const m of metrics.slice(-2)) {
    await page.selectOption('#an-metric', m);
    await page.waitForFunction((name) => document.getElementById('anomaly-chart').dataset.seriesPoints > 0 && document.getElementById('legend-metric').textContent === name, registry.metrics.find((x) => x.name === m).label, { timeout: 20_000 });
    assert.equal(await page.isVisible('#anomaly-error'), false, `anomalies of ${m}`);
  }
  await app.finish();
});

test('data without spend or revenue offers only the metrics it has', T, async (t) => {
  const registry = await coreRegistry();
  const csv = cycleCsv('timestamp,leads,sessions', 24 * 30, (time, level, rnd) => `${Math.round(level + 3 * rnd())},${40 + Math.round(20 * rnd())}`);
  const file = suite.site.fixture('traffic-only.csv', csv);
  const k = cliJson(['kpi', '--data', suite.site.path(file), '--json']);
  const want = registry.metrics.map((m) => m.name).filter((m) => k.current[m] !== null);
  assert.ok(want.length >= 2 && want.length < registry.metrics.length);
  const app = await openApp(t, suite);
  const { page } = app;
  await chooseFile(page, 'traffic-only.csv', csv);
  await waitForLeads(page, k.current.leads);
  await page.waitForSelector('#dashboard[aria-busy="false"]');
  assert.deepEqual(await visibleTiles(page), want);
  assert.deepEqual(await page.$$eval('#an-metric option', (o) => o.map((x) => x.value)), want);
  assertTilesEqualCli(await tileValues(page), k, 'traffic only');
  await app.finish();
});
