// What drives the scores: the SHAP summary's dots are `funnelcast score --explain all`'s
// contributions for the same leads (an even sample of the demo leads), its inputs the
// sample's largest mean |contribution| first, numbers coloured by their rank; the
// dependence plot follows the chosen input; both charts download as PNG and SVG.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { cli, openApp, parseCsv, scoringReady, startSuite } from './helpers.mjs';

let suite;
before(async () => {
  suite = await startSuite();
});
after(() => suite && suite.close());

test('the SHAP summary: the CLI’s contributions for an even sample of the leads, the top inputs by mean |contribution|, and the dependence plot of a chosen input', { timeout: 240_000 }, async (t) => {
  const app = await openApp(t, suite, '?view=scoring');
  const { page } = app;
  await scoringReady(page);
  await page.waitForSelector('#shap-panel[data-state="ready"]', { timeout: 120_000 });
  const leadsPath = suite.site.path('demo/leads.csv');
  const [header, ...rows] = parseCsv(cli(['score', '--model', suite.site.path('models/demo_leads.fcm'), '--data', leadsPath, '--explain', 'all']));
  const inputs = header.slice(header.indexOf('expected_value') + 1);
  // The sample: 500 of the 20,000 leads, every 40th from the first.
  const want = new Map();
  for (let i = 0; i < 500; ++i) {
    const row = rows[Math.floor((i * rows.length) / 500)];
    want.set(row[0], row);
  }
  const dots = await page.evaluate(() => document.getElementById('shap-summary-chart').fcView.data('dots').map((d) => ({ id: d.id, feature: d.feature, shap: d.shap, order: d.order, tone: d.tone })));
  // The ten inputs with the largest mean |contribution| over the sample, in that order.
  const means = inputs.map((name, k) => [name, [...want.values()].reduce((s, r) => s + Math.abs(Number(r[header.indexOf('expected_value') + 1 + k])), 0) / want.size]);
  const top = means.sort((a, b) => b[1] - a[1]).slice(0, 10).map(([name]) => name);
  const shown = [...new Set(dots.sort((a, b) => a.order - b.order).map((d) => d.feature))];
  assert.deepEqual(shown, top);
  assert.equal(dots.length, 500 * top.length);
  for (const d of dots) {
    const row = want.get(d.id);
    assert.ok(row, `lead ${d.id} is in the sample`);
    const cliValue = Number(row[header.indexOf(d.feature)]);
    assert.ok(Math.abs(d.shap - cliValue) < 1e-6, `${d.id} ${d.feature}: page ${d.shap} vs CLI ${cliValue}`);
  }
  // A number input is coloured by rank: its lowest value 0, its highest 1.
  const numeric = dots.filter((d) => d.feature === top.find((f) => dots.some((x) => x.feature === f && x.tone != null)));
  assert.ok(numeric.length > 0, 'a number input among the top ones');
  assert.equal(Math.min(...numeric.filter((d) => d.tone != null).map((d) => d.tone)), 0);
  assert.equal(Math.max(...numeric.filter((d) => d.tone != null).map((d) => d.tone)), 1);

  // The dependence plot: the top input first, then the one chosen.
  assert.equal(await page.getAttribute('#shap-dependence-chart', 'data-input'), top[0]);
  const second = await page.$eval('#shap-input', (s) => s.options[1].value);
  await page.selectOption('#shap-input', second);
  await page.waitForFunction((name) => document.getElementById('shap-dependence-chart').dataset.input === name, top[1]);
  const points = await page.evaluate(() => document.getElementById('shap-dependence-chart').fcView.data('points').map((p) => ({ id: p.id, shap: p.shap })));
  assert.ok(points.length > 0);
  for (const p of points) assert.ok(Math.abs(p.shap - Number(want.get(p.id)[header.indexOf(top[1])])) < 1e-6, `${p.id} ${top[1]}`);

  const [png] = await Promise.all([page.waitForEvent('download'), page.click('#shap-summary-png')]);
  assert.equal(png.suggestedFilename(), 'funnelcast-shap-summary.png');
  const [svg] = await Promise.all([page.waitForEvent('download'), page.click('#shap-dependence-svg')]);
  assert.equal(svg.suggestedFilename(), 'funnelcast-shap-dependence.svg');
  await app.finish();
});
