// The one-lead form scores with no lead table at all, from the model alone (its training
// medians and most common values; a blank date is missing).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { cli, openApp, parseCsv, startSuite, T } from './helpers.mjs';

let suite;
before(async () => {
  suite = await startSuite();
});
after(() => suite && suite.close());

test('the one-lead form scores from the model alone, with no lead table', T, async (t) => {
  const app = await openApp(t, suite, '?view=scoring&leads=none');
  const { page } = app;
  await page.waitForSelector('#lead-panel[data-state="scored"]', { timeout: 120_000 });
  const r = await page.evaluate(() => ({ ...document.getElementById('lead-result').dataset }));
  assert.ok(Number(r.probability) > 0 && Number(r.probability) < 1, `a probability: ${r.probability}`);
  assert.equal(JSON.parse(r.contributions).length, Number(await page.getAttribute('#lead-panel', 'data-features')));
  assert.equal(await page.isVisible('#leads-panel'), false);
  // It starts from the model's typical lead: each number's training median, each category's
  // most common value (first in the model's dictionary), the date blank, and scores it as
  // `funnelcast score` scores that lead.
  const modelPath = suite.site.path('models/demo_leads.fcm');
  const header = JSON.parse(cli(['inspect', '--model', modelPath]));
  const values = await page.$$eval('#lead-form [data-column]', (els) => Object.fromEntries(els.map((e) => [e.dataset.column, e.value])));
  for (const f of header.score.features) {
    if (f.kind === 'number') assert.equal(Number(values[f.column]), f.median, `${f.column} starts at its training median`);
    else if (f.kind === 'category') assert.equal(values[f.column], f.levels[0], `${f.column} starts at its most common value`);
    else assert.equal(values[f.column], '', `${f.column} starts blank`);
  }
  assert.equal(values.time_on_site, '124', 'the demo model’s median time on site, not the middle of 3–4963');
  const columns = Object.keys(values);
  const lead = suite.site.fixture('typical-lead.csv', `${columns.join(',')}\n${columns.map((c) => values[c]).join(',')}\n`);
  const [h, row] = parseCsv(cli(['score', '--model', modelPath, '--data', suite.site.path(lead), '--explain', 'all']));
  assert.ok(Math.abs(Number(r.probability) - Number(row[h.indexOf('probability')])) < 1e-6, `page ${r.probability} vs CLI ${row[h.indexOf('probability')]}`);
  assert.equal(await page.isVisible('#lead-error'), false);
  await app.finish();
});
