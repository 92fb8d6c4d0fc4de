#!/usr/bin/env node
// Page load: time from navigation to a fully rendered demo dashboard, on first visits
// (a fresh browser profile each) and on a repeat visit served by the service worker.
// Prints the page's `fc-*` performance marks (boot.js, the worker's start-up, the data
// and model loads, the charts, the compute) for each run and the medians.
//
//   npm run build && node bench/page_load.mjs [--runs 5]
//
// FC_DIST and FC_CHROMIUM override the site and browser paths, as in the e2e tests.
import { DIST, launch, startServer } from '../tests/e2e/helpers.mjs';

const i = process.argv.indexOf('--runs');
const runs = i > 0 ? Math.max(1, Number(process.argv[i + 1]) || 3) : 3;

async function marks(page) {
  return page.evaluate(() =>
    Object.fromEntries(
      performance
        .getEntriesByType('mark')
        .filter((m) => m.name.startsWith('fc-'))
        .sort((a, b) => a.startTime - b.startTime)
        .map((m) => [m.name.slice(3), Math.round(m.startTime)]),
    ),
  );
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : Math.round((s[s.length / 2 - 1] + s[s.length / 2]) / 2);
};
const line = (m) => Object.entries(m).map(([k, v]) => `${k} ${v}`).join(' · ');

const server = await startServer({ root: DIST, port: 0 });
try {
  const first = [];
  let repeat = null;
  for (let r = 0; r < runs; ++r) {
    const browser = await launch();
    try {
      const page = await browser.context.newPage();
      await page.goto(server.url);
      await page.waitForSelector('body[data-state="ready"]', { timeout: 60_000 });
      first.push(await marks(page));
      if (r === 0) {
        // The same profile again, once the service worker controls the page.
        await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 20_000 });
        await page.reload();
        await page.waitForSelector('body[data-state="ready"]', { timeout: 60_000 });
        repeat = await marks(page);
      }
    } finally {
      await browser.close();
    }
  }
  console.log(`navigation → rendered demo dashboard, first visit, fresh profile (${runs} runs)`);
  for (const m of first) console.log(`  ${line(m)}`);
  const keys = Object.keys(first[0]);
  console.log(`  median: ${keys.map((k) => `${k} ${median(first.map((m) => m[k]).filter(Number.isFinite))}`).join(' · ')}`);
  console.log(`first visit, median: ${median(first.map((m) => m['dashboard-rendered']))} ms (target < 1500 ms)`);
  console.log(`repeat visit (service worker): ${repeat['dashboard-rendered']} ms`);
  console.log(`  ${line(repeat)}`);
} finally {
  await server.close();
}
