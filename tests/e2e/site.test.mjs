// The site as a whole: the Content-Security-Policy (no eval, no inline scripts or
// styles) and offline use through the service worker (training included: the training
// bundle is precached with the rest).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { chooseFile, cycleCsv, openApp, startSuite, tileValues } from './helpers.mjs';

let suite;
before(async () => {
  suite = await startSuite();
});
after(() => suite && suite.close());

// One page: the policy it was served with, then the same page offline.
test('the site', { timeout: 240_000 }, async (t) => {
  // Every request the server answers, to show the offline reload reached none. Not
  // counted: the browser's own update check of the service worker script (sw.js, with a
  // `Service-Worker: script` header), which Chromium schedules after a navigation and which
  // Playwright's offline mode does not cut; offline it simply fails, and the page is not
  // what asks for it.
  let served = 0;
  const count = (req) => {
    if (!(req.headers['service-worker'] === 'script' && new URL(req.url, 'http://x').pathname === '/sw.js')) served += 1;
  };
  suite.server.server.on('request', count);
  t.after(() => suite.server.server.off('request', count));

  const app = await openApp(t, suite);
  const { page, response, context } = app;

  await t.test('the page is served with a strict Content-Security-Policy (no unsafe-eval, no inline scripts)', async () => {
    const header = response.headers()['content-security-policy'];
    assert.ok(header, 'CSP header');
    const meta = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    for (const policy of [header, meta]) {
      const scriptSrc = policy.split(';').map((s) => s.trim()).find((s) => s.startsWith('script-src'));
      assert.equal(scriptSrc, "script-src 'self' 'wasm-unsafe-eval'");
      assert.doesNotMatch(policy, /'unsafe-eval'|'unsafe-inline'/);
      assert.match(policy, /connect-src 'self'/);
    }
    assert.equal(await page.locator('script:not([src])').count(), 0, 'no inline scripts');
    const html = await response.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline scripts in the markup');
    assert.doesNotMatch(html, /\sstyle=|<style/, 'no inline styles in the markup');
    assert.doesNotMatch(html, /\son[a-z]+=/, 'no inline event handlers');
    const wasm = await page.request.get(`${suite.url}wasm/funnelcast.wasm`);
    assert.equal(wasm.headers()['content-type'], 'application/wasm');
  });

  await t.test('the page works with the network cut after the first load (service worker), training included', async () => {
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 20_000 });
    const tiles = await tileValues(page);
    const points = await page.getAttribute('#forecast-chart', 'data-forecast-points');
    assert.equal(points, '168');
    await context.setOffline(true);
    const servedBefore = served;
    await page.reload();
    await page.waitForSelector('body[data-state="ready"]', { timeout: 60_000 });
    assert.equal(served, servedBefore, 'the offline reload reached the server');
    // Everything came from the service worker's cache: the page, its modules (the shell
    // and every panel), vega, the wasm, the demo data and model.
    assert.deepEqual(await tileValues(page), tiles);
    assert.equal(await page.getAttribute('#forecast-chart', 'data-forecast-points'), '168');
    assert.ok(Number(await page.getAttribute('#anomaly-chart', 'data-series-points')) > 0);
    assert.match(await page.textContent('#model-kind'), /forecast/);
    assert.equal(await page.isVisible('#data-error'), false);
    // Training is precached too: a file of the user's own gets its model offline.
    assert.ok(await page.evaluate(() => caches.match('wasm/funnelcast-train.wasm').then(Boolean)), 'the training bundle is precached');
    const csv = cycleCsv('timestamp,leads', 24 * 45, (time, level, rnd) => String(Math.round(level + 3 * rnd())));
    await chooseFile(page, 'offline.csv', csv);
    await page.waitForSelector('#train-box[data-state="done"]', { timeout: 110_000 });
    await page.waitForFunction(() => document.getElementById('forecast-chart').dataset.forecastPoints === '168', null, { timeout: 20_000 });
    assert.equal(served, servedBefore, 'nothing reached the server');
    await context.setOffline(false);
  });

  await app.finish();
});
