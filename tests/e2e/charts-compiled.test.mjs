// The first view's charts are compiled from Vega-Lite to Vega at build time
// (scripts/compile-charts.mjs) and the page binds the rows into them (web/charts.js:
// vegaSpec). Checked here: every compiled file is Vega-Lite's compile of the spec its panel
// builds now (the build is not stale, and nothing was written by hand); binding rows into
// a compiled spec gives exactly the Vega spec Vega-Lite compiles from the spec with those
// rows (so the page draws the same view as before); and the dashboard draws without
// loading Vega-Lite, which lead scoring's charts then load on demand.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';

import { compileVegaLite, siteRegistry, specsToCompile } from '../../scripts/compile-charts.mjs';
import { DIST, openApp, startSuite, T } from './helpers.mjs';

// As JSON (the files are JSON; the compile leaves some keys undefined, which JSON drops).
const json = (x) => JSON.parse(JSON.stringify(x));
const rowless = (spec) => ({ ...spec, datasets: Object.fromEntries(Object.keys(spec.datasets).map((k) => [k, []])) });

test('the compiled charts are Vega-Lite’s compile of the panels’ specs, and rows bound into them give Vega-Lite’s compile with the rows', async () => {
  const registry = await siteRegistry(DIST);
  const { specs, shapeOf, hashText, bindData } = await specsToCompile(DIST, registry);
  assert.equal(specs.length, 1 + registry.metrics.length, 'the forecast and one anomaly chart per registry metric');
  const { COMPILED } = await import(pathToFileURL(join(DIST, 'compiled-charts.js')).href);
  const files = readdirSync(join(DIST, 'charts')).sort();
  assert.deepEqual(Object.values(COMPILED).map((f) => f.replace('charts/', '')).sort(), files, 'every compiled file is listed, and only those');
  for (const spec of specs) {
    const hash = hashText(shapeOf(spec));
    assert.ok(COMPILED[hash], `a compiled file for the spec titled ${JSON.stringify(spec.layer.find((l) => l.encoding?.y?.title)?.encoding.y.title)}`);
    const file = JSON.parse(readFileSync(join(DIST, COMPILED[hash]), 'utf8'));
    assert.equal(file.shape, shapeOf(spec));
    assert.deepEqual(file.vega, json(compileVegaLite(rowless(spec))), 'the file is Vega-Lite’s compile of the spec');
    // The rows are not looked at by the compile: the stand-in rows, and rows with gaps.
    assert.deepEqual(json(bindData(file.vega, spec.datasets)), json(compileVegaLite(spec)), 'rows bound = compiled with the rows');
    const gappy = Object.fromEntries(Object.entries(spec.datasets).map(([k, rows]) => [k, rows.map((r, i) => (i % 3 ? r : Object.fromEntries(Object.entries(r).map(([f, v]) => [f, f === 't' || f === 't2' ? v : null]))))]));
    assert.deepEqual(json(bindData(file.vega, gappy)), json(compileVegaLite({ ...spec, datasets: gappy })));
  }
});

let suite;
before(async () => {
  suite = await startSuite();
});
after(async () => {
  await suite.close();
});

test('the dashboard draws its charts without Vega-Lite; lead scoring loads it for its own charts', T, async (t) => {
  const app = await openApp(t, suite);
  const { page, requests } = app;
  await page.waitForFunction(() => Number(document.getElementById('forecast-chart').dataset.forecastPoints) > 0 && Number(document.getElementById('anomaly-chart').dataset.seriesPoints) > 0, null, { timeout: 60_000 });
  // The page asks for Vega-Lite only once the dashboard is drawn (lead scoring's charts,
  // drawn behind it; the service worker's precache fetches it too, outside the page).
  const timing = await page.evaluate(() => ({
    rendered: performance.getEntriesByName('fc-dashboard-rendered')[0].startTime,
    vegaLite: performance.getEntriesByType('resource').filter((e) => e.name.includes('vega-lite')).map((e) => e.startTime),
  }));
  assert.ok(timing.vegaLite.every((t) => t > timing.rendered), `Vega-Lite requested at ${timing.vegaLite} ms, before the dashboard was drawn at ${timing.rendered} ms`);
  assert.ok(requests.some((u) => /\/charts\/\w+\.json$/.test(u)), 'the compiled charts were fetched');
  // The charts are Vega views with their rows, tooltips and downloads as before.
  const svg = await page.evaluate(() => document.getElementById('forecast-chart').fcView.toSVG());
  assert.match(svg, /^<svg/);
  await app.finish();
});
