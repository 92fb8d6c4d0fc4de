// The data and roles panel: files chosen in the page, CSVs the core refuses, the roles
// editor, traffic columns, a large file parsed in the worker (never on the main thread),
// CSV text kept out of the HTML, and same-origin URLs from the query string.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { anomalyCount, chooseFile, cliJson, hourlyCsv, openApp, readCsvRows, startSuite, T, tileValues, waitForLeads } from './helpers.mjs';

let suite;
let start; // a small CSV to open the page on, for tests that load their own data anyway
before(async () => {
  suite = await startSuite();
  start = `?data=${suite.site.fixture('start.csv', hourlyCsv(24 * 20))}`;
});
after(() => suite && suite.close());

test('loading a malformed CSV shows a readable error beside the file and keeps the previous dashboard', T, async (t) => {
  const app = await openApp(t, suite);
  const { page } = app;
  const tilesBefore = await tileValues(page);
  const countBefore = await anomalyCount(page);
  await chooseFile(page, 'broken.csv', 'timestamp,leads,spend\n2024-01-01 00:00:00,1,2\n2024-01-01 01:00:00,3,4,5\n');
  await page.waitForSelector('#data-error:not([hidden])');
  const message = await page.textContent('#data-error');
  assert.match(message, /broken\.csv/);
  assert.match(message, /line 3/);
  // The error sits in the data panel, next to the file controls.
  assert.equal(await page.locator('#data-source #data-error').count(), 1);
  assert.deepEqual(await tileValues(page), tilesBefore);
  assert.equal(await anomalyCount(page), countBefore);
  assert.match(await page.textContent('#data-name'), /hourly\.csv/);
  assert.equal(await page.locator('#forecast-chart').getAttribute('data-forecast-points'), '168');
  assert.equal(await page.getAttribute('body', 'data-state'), 'ready');
  await app.finish();
});

test('a CSV whose roles were detected wrongly can be fixed in the roles editor', T, async (t) => {
  const app = await openApp(t, suite, start);
  const { page } = app;
  // Two timestamp columns and no usual names: the time column cannot be guessed.
  const csv = hourlyCsv(24 * 20, {
    header: 'created,updated,signups,cost',
    row: (ts, i) => `${ts},${ts},${(i * 7) % 11},${20 + ((i * 13) % 17)}`,
  });
  await chooseFile(page, 'export.csv', csv);
  await page.waitForSelector('#data-error:not([hidden])');
  assert.match(await page.textContent('#data-error'), /roles/i);
  assert.equal(await page.getAttribute('#schema-panel', 'open'), '');
  // The editor lists the new file's columns; pick the time column and apply.
  const timeOptions = await page.locator('#role-time option').allTextContents();
  assert.ok(timeOptions.some((x) => x.startsWith('created')));
  await page.selectOption('#role-time', { label: 'created (timestamp)' });
  await page.selectOption('#role-leads', { label: 'signups (number)' });
  await page.selectOption('#role-spend', { label: 'cost (number)' });
  await page.click('#apply-roles');
  await page.waitForSelector('#data-error', { state: 'hidden' });
  const file = suite.site.fixture('export.csv', csv);
  const k = cliJson(['kpi', '--data', suite.site.path(file), '--json', '--time', 'created', '--leads', 'signups', '--spend', 'cost']);
  await waitForLeads(page, k.current.leads);
  const tiles = await tileValues(page);
  assert.ok(Math.abs(tiles.cpl.value - k.current.cpl) < 1e-9);
  assert.match(await page.textContent('#data-name'), /export\.csv/);
  await app.finish();
});

test('a CSV with a sessions column shows the conversion-rate tile', T, async (t) => {
  const app = await openApp(t, suite, start);
  const { page } = app;
  // 40 sessions an hour; 1 lead an hour, 2 in the last day: 48 / 960 = 5.00% against 2.50%.
  const hours = 24 * 20;
  const csv = hourlyCsv(hours, {
    header: 'timestamp,leads,spend,sessions',
    row: (ts, i) => `${ts},${i >= hours - 24 ? 2 : 1},10,40`,
  });
  assert.equal(await page.isVisible('#kpi-conversion'), false);
  await chooseFile(page, 'traffic.csv', csv);
  await page.waitForSelector('#kpi-conversion:not([hidden])', { timeout: 20_000 });
  await page.waitForSelector('#dashboard[aria-busy="false"]');
  const k = cliJson(['kpi', '--data', suite.site.path(suite.site.fixture('traffic.csv', csv)), '--json']);
  assert.equal(k.current.conversion, 0.05);
  const tiles = await tileValues(page);
  assert.equal(tiles.conversion.hidden, false);
  assert.equal(tiles.conversion.value, 0.05);
  assert.equal(tiles.conversion.text, '5.00%');
  assert.equal(tiles.conversion.change, k.change.conversion);
  // A rate moves in percentage points: 2.50% -> 5.00% is +2.5 pp (a relative +100%).
  assert.match(await page.textContent('#kpi-conversion-change'), /\+2\.5 pp /);
  assert.ok((await page.locator('#role-clicks option').allTextContents()).includes('sessions (number)'));
  await app.finish();
});

// Runs in the page (main thread) before any of its scripts: records every way of
// compiling or instantiating WebAssembly. The worker has its own globals, untouched.
function recordMainThreadWasm() {
  const calls = [];
  window.__wasmOnMainThread = calls;
  const W = WebAssembly;
  for (const name of ['compile', 'compileStreaming', 'instantiate', 'instantiateStreaming', 'validate']) {
    const original = W[name];
    if (typeof original !== 'function') continue;
    W[name] = function (...args) {
      calls.push(name);
      return original.apply(this, args);
    };
  }
  for (const name of ['Module', 'Instance']) {
    W[name] = new Proxy(W[name], {
      construct(target, args, newTarget) {
        calls.push(`new ${name}`);
        return Reflect.construct(target, args, newTarget);
      },
    });
  }
}

test('a large CSV is parsed in the worker, with progress, and never on the main thread', T, async (t) => {
  // 8 copies of the demo data under different channel names: 420,480 rows, ~18 MB.
  const { header, rows } = readCsvRows(suite.demoCsv());
  const parts = [header];
  for (let copy = 1; copy <= 8; ++copy) {
    for (const r of rows) {
      const cells = r.split(',');
      cells[1] = `${cells[1]}-${copy}`;
      parts.push(cells.join(','));
    }
  }
  const bigPath = suite.site.path('fixtures/big.csv');
  writeFileSync(bigPath, `${parts.join('\n')}\n`);
  const app = await openApp(t, suite, start, { initScript: recordMainThreadWasm });
  const { page } = app;
  await page.evaluate(() => {
    // What the progress line said, until the new file is shown.
    const probe = { stages: [], done: false };
    window.__probe = probe;
    const text = document.getElementById('data-progress-text');
    new MutationObserver(() => {
      if (text.textContent && !probe.stages.includes(text.textContent)) probe.stages.push(text.textContent);
    }).observe(text, { childList: true, characterData: true, subtree: true });
    new MutationObserver(() => {
      if (/big\.csv/.test(document.getElementById('data-name').textContent)) probe.done = true;
    }).observe(document.getElementById('data-name'), { childList: true, characterData: true, subtree: true });
  });
  await page.setInputFiles('#data-file', bigPath);
  await page.waitForFunction(() => window.__probe.done, null, { timeout: 60_000 });
  const probe = await page.evaluate(() => window.__probe);
  assert.ok(probe.stages.some((s) => /Reading the CSV/.test(s)), `the worker reported reading (${probe.stages.join(' | ')})`);
  assert.ok(probe.stages.some((s) => /Parsing/.test(s)), `the worker reported parsing (${probe.stages.join(' | ')})`);
  assert.match(await page.textContent('#data-meta'), /420,480 rows/);
  await page.waitForSelector('#dashboard[aria-busy="false"]');
  assert.equal(await page.locator('#channel option').count(), 25);
  // The core ran somewhere (the rows were counted), and it was not on the main thread:
  // the page never compiled or instantiated WebAssembly, nor fetched the wasm bundle.
  assert.deepEqual(await page.evaluate(() => window.__wasmOnMainThread), [], 'no WebAssembly on the main thread');
  // (Chromium lists a module worker's imports, funnelcast.mjs among them, with the page's
  // resources, but not what the worker fetches itself.)
  const fetched = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
  assert.ok(fetched.some((u) => u.endsWith('/app.js')), 'the main thread records its own fetches');
  assert.deepEqual(fetched.filter((u) => /\.wasm$/.test(u)), [], 'the main thread never fetched funnelcast.wasm');
  await app.finish();
});

test('CSV text is never injected as HTML', T, async (t) => {
  const app = await openApp(t, suite, start);
  const { page } = app;
  const evil = '<img src=x onerror=window.__pwned=1>';
  const csv = hourlyCsv(24 * 10, {
    header: 'timestamp,channel,leads,spend,<b id=boom>note</b>',
    row: (ts, i) => `${ts},"${evil}",${i % 5},${10 + (i % 3)},x`,
  });
  await chooseFile(page, '<i>evil</i>.csv', csv);
  await page.waitForFunction(() => document.querySelector('#channel-picker') && !document.querySelector('#channel-picker').hidden, null, { timeout: 20_000 });
  assert.equal(await page.locator('img[src="x"]').count(), 0);
  assert.equal(await page.locator('#boom').count(), 0);
  assert.equal(await page.locator('i').count(), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  const options = await page.locator('#channel option').allTextContents();
  assert.ok(options.includes(evil), 'the channel name is shown as text');
  const columns = await page.locator('#schema-table tbody td:first-child').allTextContents();
  assert.ok(columns.includes('<b id=boom>note</b>'));
  assert.equal(await page.textContent('#data-name'), '<i>evil</i>.csv');
  await app.finish();
});

test('data and model load from same-origin URLs given in the query string, with auto refresh', T, async (t) => {
  const dataUrl = suite.site.fixture('live.csv', hourlyCsv(24 * 10));
  // The user's own model (a copy of the demo model elsewhere on the site: the bundled demo
  // model itself is not applied to other data).
  const modelUrl = suite.site.fixture('mine.fcm', readFileSync(suite.site.path('models/demo_forecast.fcm')));
  const app = await openApp(t, suite, `?data=${encodeURIComponent(dataUrl)}&model=${encodeURIComponent(modelUrl)}&refresh=0.05`);
  const { page } = app;
  assert.equal(await page.getAttribute('body', 'data-state'), 'ready');
  assert.match(await page.textContent('#data-name'), /fixtures\/live\.csv/);
  assert.match(await page.textContent('#data-meta'), /240 hours/);
  assert.match(await page.textContent('#model-name'), /fixtures\/mine\.fcm/);
  // A model of the user's own is used as it is (never trained over), here refused with the reason.
  assert.equal(await page.isVisible('#train-box'), false);
  assert.match(await page.textContent('#forecast-error'), /^Forecast: .*mine\.fcm/);
  assert.equal(await page.isVisible('#refresh-label'), true);
  const k = cliJson(['kpi', '--data', suite.site.path(dataUrl), '--json']);
  assert.equal(Number(await page.getAttribute('#kpi-leads-value', 'data-value')), k.current.leads);
  // The file grows on the server: auto refresh (every 3 s here) picks it up.
  writeFileSync(suite.site.path(dataUrl), hourlyCsv(24 * 12));
  await page.waitForFunction(() => /288 hours/.test(document.getElementById('data-meta').textContent), null, { timeout: 20_000 });
  const k2 = cliJson(['kpi', '--data', suite.site.path(dataUrl), '--json']);
  await waitForLeads(page, k2.current.leads);
  await app.finish();
});

test('a URL to another origin is refused with a message and never requested', T, async (t) => {
  const app = await openApp(t, suite, `?data=${encodeURIComponent('https://example.com/leads.csv')}`);
  assert.match(await app.page.textContent('#data-error'), /only files from this site/);
  assert.equal(await app.page.getAttribute('body', 'data-state'), 'error');
  assert.ok(!app.requests.some((u) => new URL(u).hostname === 'example.com'));
  await app.finish();
});

test('reading choices: each row one lead and empty hours as 0, with the core’s notices under the file name', T, async (t) => {
  const app = await openApp(t, suite, start);
  const { page } = app;
  // A CRM export: one row per lead at irregular times, an amount, no leads column; no
  // lead at all on some hours.
  const base = Date.UTC(2024, 2, 1) / 1000;
  const lines = ['created_at,amount'];
  for (let h = 0; h < 24 * 21; ++h) {
    for (let k = 0; k < (h * 7) % 4; ++k) lines.push(`${new Date((base + h * 3600 + 600 + k * 60) * 1000).toISOString().slice(0, 19).replace('T', ' ')},${10 + k}`);
  }
  const csv = `${lines.join('\n')}\n`;
  const file = suite.site.fixture('crm.csv', csv);
  await chooseFile(page, 'crm.csv', csv);
  await page.waitForSelector('#data-error:not([hidden])');
  assert.match(await page.textContent('#data-error'), /amount/);
  assert.equal(await page.getAttribute('#schema-panel', 'open'), '');
  await page.check('#read-events');
  assert.equal(await page.isDisabled('#role-leads'), true, 'rows counted as leads have no leads column');
  await page.check('#read-gaps');
  await page.click('#apply-roles');
  await page.waitForSelector('#data-error', { state: 'hidden' });
  const k = cliJson(['kpi', '--data', suite.site.path(file), '--events', '--gaps', 'zero', '--json']);
  await waitForLeads(page, k.current.leads);
  const notices = await page.$$eval('#data-notices li', (li) => li.map((x) => x.textContent));
  assert.ok(notices.some((n) => /each row counted as one lead/.test(n)), notices.join(' | '));
  assert.equal(await page.isChecked('#read-events'), true);
  assert.equal(await page.isChecked('#read-gaps'), true);
  assert.match(await page.textContent('#schema-summary'), /each row counted as one lead/);
  await app.finish();
});

test('a daily summary table is never read as one lead a row unasked: the page’s own words, and a warning when rows are counted', T, async (t) => {
  const app = await openApp(t, suite, start);
  const { page } = app;
  // One row per date with sales, traffic and spend: a KPI export, not a table of leads.
  const lines = ['Date,Sales,Website_Traffic,Marketing_Spend,Profit'];
  for (let d = 0; d < 60; ++d) lines.push(`${new Date(Date.UTC(2024, 0, 1 + d)).toISOString().slice(0, 10)},${5000 + ((d * 37) % 500)},${11000 + ((d * 53) % 900)},${900 + ((d * 11) % 90)},${1000 + ((d * 29) % 400)}`);
  const csv = `${lines.join('\n')}\n`;
  await chooseFile(page, 'kpi_daily.csv', csv);
  await page.waitForSelector('#data-error:not([hidden])');
  const error = await page.textContent('#data-error');
  assert.match(error, /which column holds the leads\?/);
  assert.match(error, /Pick the leads column under “Columns and roles” below, or tick “Each row is one lead”\./);
  assert.doesNotMatch(error, /CLI|--/, 'no command-line flags in the page');
  // Counting each row as one lead anyway: read, with a warning that names the columns.
  await page.check('#read-events');
  await page.click('#apply-roles');
  await page.waitForSelector('#data-error', { state: 'hidden' });
  const notices = await page.$$eval('#data-notices li', (li) => li.map((x) => x.textContent));
  const warning = notices.find((n) => /summary table/.test(n));
  assert.equal(warning, 'kpi_daily.csv: warning: each row is counted as one lead, but every row has a day of its own (60 rows, one per day) and the file has numeric columns: Sales, Website_Traffic, Marketing_Spend, Profit. This looks like a summary table, not one row per lead: choose the column that counts leads instead', notices.join(' | '));
  assert.ok(notices.every((n) => !/CLI|--/.test(n)), notices.join(' | '));
  await app.finish();
});
