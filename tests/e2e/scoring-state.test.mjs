// The one-lead form scores with no lead table at all, from the model alone (its training
// medians and most common values; a blank date is missing).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { openApp, startSuite, T } from './helpers.mjs';

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
  assert.equal(await page.isVisible('#lead-error'), false);
  await app.finish();
});
