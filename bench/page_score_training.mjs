#!/usr/bin/env node
// Lead-scoring training in the page, on one worker and with the folds shared among workers:
// bank marketing (../shared/data/uci_bank_marketing.csv, 45,211 leads) trained in the
// scoring tab with the tab's default options and the outcome `subscription`, the time from
// the Train click to the trained model (the page's own clock), the browser told it has 1
// core and then N (the machine's, or --cores N), interleaved run by run, each in a fresh
// browser. Every run's model must have the same bytes, or the run stops.
//
//   npm run build && node bench/page_score_training.mjs [--runs 3] [--cores N] [--json FILE]
//
// Skips (exit 0) when ../shared/data/uci_bank_marketing.csv is absent. FC_DIST and
// FC_CHROMIUM override the site and browser paths, as in the e2e tests.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { DIST, launch, startServer } from '../tests/e2e/helpers.mjs';
import { oneAndMany, oneAndManyArgs, scoringOn } from './one_and_many.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = resolve(ROOT, '..', 'shared', 'data', 'uci_bank_marketing.csv');
const { runs, cores, jsonFile } = oneAndManyArgs();
if (!existsSync(DATA)) {
  console.log(`skipped: ${DATA} is absent`);
  process.exit(0);
}
const csv = readFileSync(DATA);

// One training in a fresh browser told it has `n` cores: ms from the click to the model.
async function train(server, n) {
  const browser = await launch();
  try {
    const page = await scoringOn(browser, server, n);
    await page.setInputFiles('#train-table-file', { name: 'uci_bank_marketing.csv', mimeType: 'text/csv', buffer: csv });
    await page.waitForSelector('#score-train-panel[data-state="ready"]', { timeout: 120_000 });
    if ((await page.inputValue('#train-score-target')) !== 'subscription') {
      await page.selectOption('#train-score-target', 'subscription');
      await page.waitForFunction(() => document.getElementById('score-train-panel').dataset.state === 'ready' && !/choose/.test(document.getElementById('train-score-command').textContent), null, { timeout: 120_000 });
    }
    const ms = await page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const panel = /** @type {HTMLElement} */ (document.getElementById('score-train-panel'));
          const t0 = performance.now();
          new MutationObserver((_, o) => {
            if (panel.dataset.state === 'done') {
              o.disconnect();
              resolve(performance.now() - t0);
            } else if (panel.dataset.state === 'failed') reject(new Error(document.getElementById('train-score-error')?.textContent || 'training failed'));
          }).observe(panel, { attributes: true, attributeFilter: ['data-state'] });
          /** @type {HTMLButtonElement} */ (document.getElementById('train-score-start')).click();
        }),
    );
    const status = await page.textContent('#train-score-status');
    const [d] = await Promise.all([page.waitForEvent('download'), page.click('#train-score-download')]);
    const hash = createHash('sha256').update(readFileSync(await d.path())).digest('hex').slice(0, 16);
    return { ms: Math.round(ms), hash, status };
  } finally {
    await browser.close();
  }
}

const server = await startServer({ root: DIST, port: 0 });
let result;
try {
  result = await oneAndMany({
    runs,
    cores,
    what: 'a model',
    once: async (n) => {
      const x = await train(server, n);
      return { ...x, note: x.status };
    },
  });
} finally {
  await server.close();
}
const { times, one, many, hash } = result;
console.log(`bank marketing trained in the scoring tab (5-fold CV + final fit), median of ${runs}: ${(one / 1000).toFixed(2)} s on 1 worker, ${(many / 1000).toFixed(2)} s with the folds on ${cores} workers (${(one / many).toFixed(2)}x); every model the same bytes (${hash})`);
if (jsonFile) writeFileSync(jsonFile, `${JSON.stringify({ cores, runs: times, median_ms: { one, many }, speedup: one / many, model_sha256_16: hash }, null, 2)}\n`);
