#!/usr/bin/env node
// The scores export in the page, on one worker and with its rows shared among workers: the
// demo's 20,000 leads scored by the demo model (both bundled with the site) and exported
// with their top 3 reasons (`funnelcast score --explain 3`'s file), the time from the Export
// click to the file, the browser told it has 1 core and then N (the machine's, or
// --cores N), interleaved run by run, each in a fresh browser. Every file must have the
// same bytes, or the run stops.
//
//   npm run build && node bench/page_export.mjs [--runs 3] [--cores N] [--json FILE]
//
// FC_DIST and FC_CHROMIUM override the site and browser paths, as in the e2e tests.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

import { DIST, launch, startServer } from '../tests/e2e/helpers.mjs';
import { oneAndMany, oneAndManyArgs, scoringOn } from './one_and_many.mjs';

const { runs, cores, jsonFile } = oneAndManyArgs();

// One export in a fresh browser told it has `n` cores: ms from the click to the file.
async function exportOnce(server, n) {
  const browser = await launch();
  try {
    const page = await scoringOn(browser, server, n);
    const t0 = Date.now();
    const [d] = await Promise.all([page.waitForEvent('download', { timeout: 300_000 }), page.click('#leads-export')]);
    const path = await d.path();
    const ms = Date.now() - t0;
    const bytes = readFileSync(path);
    return { ms, hash: createHash('sha256').update(bytes).digest('hex').slice(0, 16), lines: bytes.toString('utf8').trim().split('\n').length - 1 };
  } finally {
    await browser.close();
  }
}

const server = await startServer({ root: DIST, port: 0 });
let lines = 0;
let result;
try {
  result = await oneAndMany({
    runs,
    cores,
    what: 'a file',
    once: async (n) => {
      const x = await exportOnce(server, n);
      lines = x.lines;
      return x;
    },
  });
} finally {
  await server.close();
}
const { times, one, many, hash } = result;
console.log(`the demo's ${lines.toLocaleString('en-US')} leads exported with their top 3 reasons, median of ${runs}: ${(one / 1000).toFixed(2)} s on 1 worker, ${(many / 1000).toFixed(2)} s with the rows on ${cores} workers (${(one / many).toFixed(2)}x); every file the same bytes (${hash})`);
if (jsonFile) writeFileSync(jsonFile, `${JSON.stringify({ cores, leads: lines, runs: times, median_ms: { one, many }, speedup: one / many, file_sha256_16: hash }, null, 2)}\n`);
