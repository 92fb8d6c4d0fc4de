// The funnel monitor's incident list in headless Chromium, against `funnelcast monitor
// --json` on the same file: the demo's incidents (start, end, channels, cause, KPIs moved)
// and its CSV download (the CLI's --out bytes); a file whose channel stops before the end
// shows "Data stopped" and an ongoing "data missing" incident.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { cli, cliJson, openApp, recordWorkers, startSuite, T } from './helpers.mjs';

let suite;
before(async () => {
  suite = await startSuite();
});
after(() => suite && suite.close());

// The rows of the incident table (newest first), once the monitor has run: by itself when
// the data arrives (again: Check again, asked).
async function incidentRows(page, again = false) {
  if (again) await page.click('#incident-run');
  await page.waitForFunction(() => document.getElementById('incident-count').dataset.count !== '', null, { timeout: 60_000 });
  return page.$$eval('#incident-table tbody tr', (trs) =>
    trs.map((tr) => ({ start: Number(tr.dataset.start), cause: tr.dataset.cause, cells: [...tr.querySelectorAll('td')].map((td) => td.textContent) })),
  );
}

function assertSameIncidents(rows, doc) {
  const want = doc.incidents.slice().reverse();
  assert.equal(rows.length, want.length, 'one row per incident');
  for (let i = 0; i < rows.length; ++i) {
    const w = want[i];
    assert.equal(rows[i].start, w.start, `incident ${i} start`);
    assert.equal(rows[i].cause, w.cause, `incident ${i} cause`);
    assert.equal(rows[i].cells[1] === 'ongoing', w.ongoing, `incident ${i} ongoing`);
    assert.equal(rows[i].cells[2], w.channels.map((c) => c || 'total').join(', '), `incident ${i} channels`);
    for (const k of w.kpis) assert.ok(rows[i].cells[4].includes(k.label), `incident ${i} names ${k.label}`);
  }
}

test('the demo: the incident list equals funnelcast monitor --json, and its CSV the CLI --out file', T, async (t) => {
  const app = await openApp(t, suite, '', { initScript: recordWorkers });
  const { page } = app;
  const rows = await incidentRows(page);
  const demo = suite.demoCsv();
  const doc = cliJson(['monitor', '--data', demo, '--json']);
  assert.ok(doc.incidents.length > 0, 'the demo has incidents in its last 14 days');
  assertSameIncidents(rows, doc);
  assert.equal(Number(await page.getAttribute('#incident-count', 'data-count')), doc.incidents.length);
  assert.equal(await page.isVisible('#incident-silent'), false);
  // It ran without being asked, in a worker of its own (the dashboard's stays free).
  const monitors = await page.evaluate(() => window.__workers.filter((w) => /monitor-worker\.js$/.test(w.url)));
  assert.deepEqual(monitors, [{ url: `${suite.url}monitor-worker.js`, name: 'funnelcast-monitor', terminated: false }]);
  // Check again gives the same list.
  assertSameIncidents(await incidentRows(page, true), doc);

  const dir = mkdtempSync(join(tmpdir(), 'funnelcast-incidents-'));
  cli(['monitor', '--data', demo, '--out', join(dir, 'incidents.csv')]);
  const [d] = await Promise.all([page.waitForEvent('download'), page.click('#dl-incidents-csv')]);
  assert.equal(readFileSync(await d.path(), 'utf8'), readFileSync(join(dir, 'incidents.csv'), 'utf8'));
  await app.finish();
});

test('a channel that stops before the end: "Data stopped" and an ongoing data-missing incident, as the CLI says', T, async (t) => {
  // Two channels, 21 days of hours; channel b sends no rows for the last 6 hours.
  const start = Date.UTC(2024, 2, 1) / 1000;
  const pad = (n) => String(n).padStart(2, '0');
  const ts = (s) => {
    const d = new Date(s * 1000);
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:00:00`;
  };
  const hours = 21 * 24;
  const lines = ['timestamp,channel,leads,spend'];
  for (let h = 0; h < hours; ++h) {
    lines.push(`${ts(start + h * 3600)},a,${10 + ((h * 7) % 5)},100`);
    if (h < hours - 6) lines.push(`${ts(start + h * 3600)},b,${12 + ((h * 3) % 4)},120`);
  }
  const text = `${lines.join('\n')}\n`;
  const url = suite.site.fixture('stopped.csv', text);
  const app = await openApp(t, suite, `?data=${url}&model=none`);
  const { page } = app;
  const rows = await incidentRows(page);
  const doc = cliJson(['monitor', '--data', suite.site.path(url), '--json']);
  assert.equal(doc.silent.length, 1);
  assertSameIncidents(rows, doc);
  assert.equal(rows[0].cause, 'data missing');
  assert.equal(rows[0].cells[1], 'ongoing');
  assert.equal(await page.isVisible('#incident-silent'), true);
  assert.match(await page.textContent('#incident-silent'), new RegExp(`no data from b since ${doc.silent[0].timestamp.slice(0, 16)}`));
  await app.finish();
});
