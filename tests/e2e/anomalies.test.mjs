// The anomaly panel in headless Chromium: every method and the seasonal method's parameter
// recompute in the worker and give the CLI's count; the chart draws the expected band;
// CPL anomalies say why (spend or leads); and an opt-in notification fires when new data
// (a reload, as auto refresh does) brings a newer anomaly, and only then.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { anomalyCount, cliJson, cycleCsv, drawn, openApp, startSuite, T } from './helpers.mjs';

let suite;
before(async () => {
  suite = await startSuite();
});
after(() => suite && suite.close());

// Waits for the panel to show `method`'s result, then returns its count.
async function shown(page, method) {
  await page.waitForFunction((m) => document.getElementById('anomaly-summary').textContent.includes(`(${m}:`), method, { timeout: 20_000 });
  await page.waitForSelector('#dashboard[aria-busy="false"]');
  return anomalyCount(page);
}

test('method selector and parameters recompute in the worker; band and causes are shown', T, async (t) => {
  const app = await openApp(t, suite);
  const { page } = app;
  const demo = suite.demoCsv();
  // The default is the ensemble, as in the CLI.
  assert.equal(await page.inputValue('#an-method'), 'ensemble');
  assert.equal(await shown(page, 'ensemble'), cliJson(['anomalies', '--data', demo, '--json']).count);
  assert.equal(await page.textContent('#an-threshold-out'), 'default');

  // The expected band: drawn where scored, lower <= expected <= upper.
  const rows = await drawn(page, 'anomaly-chart', 'series');
  const banded = rows.filter((r) => r.lower !== null && r.upper !== null && r.expected !== null);
  assert.ok(banded.length > rows.length / 2, `${banded.length} of ${rows.length} rows have a band`);
  for (const r of banded) assert.ok(r.lower <= r.expected + 1e-9 && r.expected <= r.upper + 1e-9, JSON.stringify(r));

  // CPL is a ratio: each flagged hour says which part moved, with the CLI's cause.
  const c = cliJson(['anomalies', '--data', demo, '--json']);
  assert.ok(c.count > 0);
  assert.equal(await page.isVisible('#an-col-cause'), true);
  const newest = c.anomalies[c.anomalies.length - 1];
  const why = await page.textContent('#anomaly-table tbody tr:first-child td:nth-child(6)');
  if (newest.cause === 'mix') assert.match(why, /neither part alone/);
  else for (const part of newest.cause === 'both' ? ['spend', 'leads'] : [newest.cause]) assert.match(why, new RegExp(`${part} .*\\(expected `));

  // Every method, and the seasonal method's periods, give the CLI's count.
  for (const method of ['zscore', 'robust', 'seasonal', 'iforest']) {
    await page.selectOption('#an-method', method);
    assert.equal(await shown(page, method), cliJson(['anomalies', '--data', demo, '--json', '--method', method]).count, method);
  }
  assert.equal(await page.isVisible('#an-seasons-label'), false);
  await page.selectOption('#an-method', 'seasonal');
  assert.equal(await page.isVisible('#an-seasons-label'), true);
  await page.locator('#an-seasons').fill('6');
  const s6 = cliJson(['anomalies', '--data', demo, '--json', '--method', 'seasonal', '--seasons', '6']).count;
  await page.waitForFunction((n) => Number(document.getElementById('anomaly-count').dataset.count) === n, s6, { timeout: 20_000 });
  assert.equal(await page.textContent('#an-seasons-out'), '6 periods');
  await app.finish();
});

// Five weeks of hourly leads and spend with a daily cycle; `spike` multiplies the spend of
// the last hour (a runaway bid: CPL jumps, leads do not move).
const liveCsv = (hours, spike = 1) =>
  cycleCsv('timestamp,leads,spend', hours, (time, level, rnd) => {
    const leads = Math.max(0, Math.round(3 * level + 2 * (rnd() - 0.5)));
    const spend = (60 * level + 20 * rnd()) * (time === Date.UTC(2024, 0, 1) / 1000 + (hours - 1) * 3600 ? spike : 1);
    return `${leads},${spend.toFixed(2)}`;
  });

// Records notifications instead of showing them (a headless browser shows none).
const recorder = () => {
  window.__notes = [];
  class Recorded {
    constructor(title, options) {
      window.__notes.push({ title, body: options && options.body });
    }
    static get permission() {
      return 'granted';
    }
    static requestPermission() {
      return Promise.resolve('granted');
    }
  }
  window.Notification = Recorded;
};

test('an opt-in notification when reloaded data brings a newer anomaly', T, async (t) => {
  const url = suite.site.fixture('notify.csv', liveCsv(5 * 7 * 24));
  const app = await openApp(t, suite, `?data=${encodeURIComponent(url)}`, { initScript: recorder });
  const { page } = app;
  await shown(page, 'ensemble');
  await page.check('#an-notify');
  const notes = () => page.evaluate(() => window.__notes);
  // The same data again: nothing new, no notification. Checked once the reloaded data's
  // anomalies are shown: the page decides on a notification as it shows a result (the
  // summary, then at once the notification), so one would be recorded by then.
  await page.evaluate(() => {
    window.__anomaliesShown = 0;
    new MutationObserver(() => (window.__anomaliesShown += 1)).observe(document.getElementById('anomaly-summary'), { childList: true, characterData: true, subtree: true });
  });
  await page.click('#reload-data');
  await page.waitForFunction(() => window.__anomaliesShown > 0, null, { timeout: 20_000 });
  await page.waitForSelector('#dashboard[aria-busy="false"]');
  assert.deepEqual(await notes(), []);
  // A day more, its last hour with 8 times the spend: one notification, naming the cause.
  writeFileSync(suite.site.path(url), liveCsv(5 * 7 * 24 + 24, 8));
  const c = cliJson(['anomalies', '--data', suite.site.path(url), '--json']);
  const last = c.anomalies[c.anomalies.length - 1];
  assert.equal(last.time, Date.UTC(2024, 0, 1) / 1000 + (5 * 7 * 24 + 23) * 3600, 'the CLI flags the spiked hour');
  await page.click('#reload-data');
  await page.waitForFunction(() => window.__notes.length > 0, null, { timeout: 20_000 });
  const [note] = await notes();
  assert.match(note.title, /^funnelcast: CPL spike$/);
  assert.match(note.body, /spend .*\(expected /);
  // Changing a setting is not news: no second notification (once robust's result is
  // shown, as above).
  await page.selectOption('#an-method', 'robust');
  await shown(page, 'robust');
  assert.equal((await notes()).length, 1);
  await app.finish();
});
