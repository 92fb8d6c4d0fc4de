// The panel structure: a new panel is one module under panels/, one entry in app.js's
// PANELS and one handler in worker-panels.js (docs/web-app.md, "Adding a panel"). This
// file adds one to a copy of the site exactly that way and checks it computes in the
// worker, renders, reads its own query key and follows the channel, and that each panel
// keeps its own error: a failing part (the forecast without a model, the new panel's
// handler) never hides the others.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { anomalyCount, assertTilesEqualCli, cliJson, openApp, startSuite, T, tileValues, waitForLeads } from './helpers.mjs';

// The new panel: its own section (built with text only), a query key, a worker request
// and its rendering.
const ECHO_PANEL = `
import { $, el, showError } from '../dom.js';
import { text } from '../query.js';

let word = 'hello';

export default {
  name: 'echo',
  query: { echo: { parse: text(), apply: (v) => (word = v) } },
  setup({ store }) {
    $('dashboard').append(
      el('section', { class: 'panel', id: 'echo-panel' }, el('h2', { text: 'Echo' }), el('p', { id: 'echo-out' }), el('p', { class: 'error', id: 'echo-error', hidden: true })),
    );
    store.on('data', ({ dataVersion }) => ($('echo-panel').dataset.dataVersion = String(dataVersion)));
  },
  request: () => ({ word }),
  render({ value, error }) {
    showError('echo-error', error ? \`Echo: \${error}\` : '');
    $('echo-out').textContent = value ? \`\${value.word} · \${value.rows} rows · channel \${value.channel || 'all'}\` : '';
  },
};
`;

// Its worker handler.
const ECHO_HANDLER = `
  echo({ table, channel }, { word }) {
    if (channel === 'social') throw new Error('failed on purpose');
    return { word, rows: table.schema().rows, channel };
  },
`;

// The built site bundles the page's modules into app.js and inlines worker-panels.js into
// worker.js (scripts/assemble.mjs): the registry line and the handler table are edited
// where the build put them, and the new module is imported at the top of app.js (the
// bundle keeps each module in a block, where an import cannot go).
function addPanel(site) {
  writeFileSync(site.path('panels/echo.js'), ECHO_PANEL);
  const app = readFileSync(site.path('app.js'), 'utf8');
  const registry = app.match(/^const PANELS = \[[^\]\n]*\];$/m);
  assert.ok(registry, 'app.js has the registry line this test edits');
  writeFileSync(site.path('app.js'), `import echo from './panels/echo.js';\n${app.replace(registry[0], registry[0].replace('];', ', echo];'))}`);
  const inlined = readFileSync(site.path('worker.js'), 'utf8').includes('\nconst PANEL_HANDLERS = {');
  const file = inlined ? 'worker.js' : 'worker-panels.js';
  const worker = readFileSync(site.path(file), 'utf8');
  const table = inlined ? '\nconst PANEL_HANDLERS = {' : 'export const PANEL_HANDLERS = {';
  assert.ok(worker.includes(table), `${file} has the handler table this test edits`);
  writeFileSync(site.path(file), worker.replace(table, `${table}${ECHO_HANDLER}`));
}

let suite;
before(async () => {
  suite = await startSuite();
  addPanel(suite.site);
});
after(() => suite && suite.close());

test('a panel added as one module, one registry entry and one worker handler computes, renders, reads its query key, and keeps its own error', T, async (t) => {
  // No model: the forecast fails, and the other panels must show regardless.
  const app = await openApp(t, suite, '?model=none&echo=bonjour');
  const { page } = app;
  assert.equal(await page.getAttribute('body', 'data-state'), 'ready');
  const rows = (await page.textContent('#data-meta')).match(/^([\d,]+) rows/)[1].replaceAll(',', '');
  assert.equal(await page.textContent('#echo-out'), `bonjour · ${rows} rows · channel all`);
  assert.equal(await page.getAttribute('#echo-panel', 'data-data-version'), '1');
  assert.equal(await page.isVisible('#echo-error'), false);
  assert.match(await page.textContent('#forecast-error'), /^Forecast: No model loaded/);
  assert.equal(await page.getAttribute('#forecast-chart', 'data-forecast-points'), '0');
  assert.equal(await page.isVisible('#model-body'), false);
  const k = cliJson(['kpi', '--data', suite.demoCsv(), '--json']);
  assertTilesEqualCli(await tileValues(page), k, 'total');
  assert.equal(await page.isVisible('#kpi-error'), false);
  assert.equal(await anomalyCount(page), cliJson(['anomalies', '--data', suite.demoCsv(), '--json']).count);
  assert.equal(await page.isVisible('#anomaly-error'), false);

  // The channel selector recomputes every panel, the new one too; on 'social' its handler
  // throws: its error shows in its panel alone, and the others show the channel.
  await page.selectOption('#channel', 'email');
  await page.waitForFunction(() => /channel email$/.test(document.getElementById('echo-out').textContent), null, { timeout: 20_000 });
  await page.selectOption('#channel', 'social');
  await page.waitForSelector('#echo-error:not([hidden])', { timeout: 20_000 });
  assert.equal(await page.textContent('#echo-error'), 'Echo: failed on purpose');
  assert.equal(await page.textContent('#echo-out'), '');
  const social = cliJson(['kpi', '--data', suite.demoCsv(), '--channel', 'social', '--json']);
  await waitForLeads(page, social.current.leads);
  await page.waitForSelector('#dashboard[aria-busy="false"]');
  assertTilesEqualCli(await tileValues(page), social, 'social');
  assert.equal(await page.isVisible('#kpi-error'), false);
  assert.equal(await anomalyCount(page), cliJson(['anomalies', '--data', suite.demoCsv(), '--channel', 'social', '--json']).count);
  assert.equal(await page.isVisible('#anomaly-error'), false);
  await app.finish();
});
