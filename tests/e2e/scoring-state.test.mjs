// One state in lead scoring: scores belong to one lead table and one model. A second
// scoring model never shows beside the first model's figures: while it is loaded and the
// leads scored again, the table (when shown) names the model the threshold panel shows,
// and the one-lead result (when there is one) has one contribution per input of the model
// whose form is shown; in the end every panel is the new model's, as the CLI scores it.
// The one-lead form scores with no lead table at all, from the model alone (its training
// medians and most common values; a blank date is missing).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { chooseFile, cli, openApp, parseCsv, scoringReady, startSuite, T } from './helpers.mjs';

let suite;
before(async () => {
  suite = await startSuite();
});
after(() => suite && suite.close());

// Records, at every change of lead scoring's DOM, what the user could see together.
function watch() {
  window.__seen = [];
  const view = document.getElementById('scoring-view');
  new MutationObserver(() => {
    const leads = document.getElementById('leads-panel');
    const summary = document.getElementById('leads-summary').textContent;
    const scoredBy = leads && !leads.hidden ? (summary.match(/Scored by (\S+) in/) || [])[1] || null : null;
    const result = document.getElementById('lead-result').dataset.contributions;
    window.__seen.push({
      thresholdModel: document.getElementById('threshold-model').textContent,
      scoredBy,
      contributions: result ? JSON.parse(result).length : null,
      features: Number(document.getElementById('lead-panel').dataset.features),
    });
  }).observe(view, { subtree: true, childList: true, characterData: true, attributes: true });
}

test('a second scoring model never shows beside the first model’s figures, and ends with the CLI’s scores', { timeout: 240_000 }, async (t) => {
  const leadsPath = suite.site.path('demo/leads.csv');
  const second = suite.site.path('fixtures/second.fcm');
  cli(['train', 'score', '--quiet', '--no-log', '--data', leadsPath, '--target', 'converted', '--drop', 'time_on_site,page_views', '--folds', '0', '--iterations', '30', '--threshold', '0.3', '--out', second]);
  const app = await openApp(t, suite, '?view=scoring');
  const { page } = app;
  await scoringReady(page);
  assert.equal(await page.textContent('#threshold-model'), 'demo_leads.fcm');
  await page.evaluate(watch);
  await chooseFile(page, 'second.fcm', readFileSync(second), { kind: 'score-model' });
  await page.waitForFunction(() => /Scored by second\.fcm in/.test(document.getElementById('leads-summary').textContent) && document.getElementById('scoring-view').dataset.state === 'ready', null, { timeout: 60_000 });
  await page.waitForSelector('#lead-panel[data-state="scored"]', { timeout: 20_000 });
  const seen = await page.evaluate(() => window.__seen);
  assert.ok(seen.length > 5, 'changes were recorded');
  for (const s of seen) {
    if (s.scoredBy) assert.equal(s.scoredBy, s.thresholdModel, `the table scored by ${s.scoredBy} under ${s.thresholdModel}'s threshold`);
    if (s.contributions != null) assert.equal(s.contributions, s.features, 'the one-lead result has the shown model’s inputs');
  }
  // The end state: the second model's inputs, threshold and scores.
  assert.equal(await page.textContent('#threshold-model'), 'second.fcm');
  assert.equal(await page.locator('#lead-form [data-column="time_on_site"]').count(), 0, 'the form is the second model’s');
  const [header, ...rows] = parseCsv(cli(['score', '--model', second, '--data', leadsPath]));
  const top = [...rows].sort((a, b) => Number(b[1]) - Number(a[1]))[0];
  const shown = await page.$eval('#leads-table tbody tr', (tr) => ({ id: tr.dataset.id, p: Number(tr.dataset.probability) }));
  assert.ok(Math.abs(shown.p - Number(top[1])) < 1e-6, `top lead: page ${shown.p}, CLI ${top[1]}`);
  assert.equal(header[2], 'decision');
  assert.equal(Number(await page.getAttribute('#leads-summary', 'data-contacted')), rows.filter((r) => Number(r[1]) >= 0.3).length);
  await app.finish();
});

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
