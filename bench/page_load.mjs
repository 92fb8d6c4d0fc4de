#!/usr/bin/env node
// Page load: time from navigation to a fully rendered demo dashboard, on first visits
// (a fresh browser profile each) and on a repeat visit served by the service worker.
// Prints the page's `fc-*` performance marks (boot.js, the worker's start-up, the data
// and model loads, the charts, the compute) for each run and the medians.
//
//   npm run build && node bench/page_load.mjs [--runs 5]
//   node bench/page_load.mjs --train [--runs 3]
//
// --train: the demo data under another name (so the page trains a model for it, as for
// any data of the user's own without a model): the time from the training worker's start
// to the trained model (fc-train-done) and to its forecast drawn (fc-train-drawn).
//
// FC_DIST and FC_CHROMIUM override the site and browser paths, as in the e2e tests.
import { copyFileSync } from 'node:fs';

import { DIST, launch, makeSite, startServer } from '../tests/e2e/helpers.mjs';

const i = process.argv.indexOf('--runs');
const runs = i > 0 ? Math.max(1, Number(process.argv[i + 1]) || 3) : 3;
const train = process.argv.includes('--train');

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

async function trainRuns() {
  const site = makeSite();
  copyFileSync(site.path('demo/hourly.csv'), site.path('fixtures/my-hourly.csv'));
  const server = await startServer({ root: site.dir, port: 0 });
  try {
    const times = [];
    for (let r = 0; r < runs; ++r) {
      const browser = await launch();
      try {
        const page = await browser.context.newPage();
        await page.goto(`${server.url}?data=fixtures/my-hourly.csv`);
        await page.waitForSelector('#train-box[data-state="done"], #train-box[data-state="failed"]', { timeout: 600_000 });
        await page.waitForFunction(() => performance.getEntriesByName('fc-train-drawn').length > 0, null, { timeout: 60_000 });
        const m = await marks(page);
        times.push({ trained: m['train-done'] - m['train-start'], drawn: m['train-drawn'] - m['train-start'] });
        console.log(`  run ${r + 1}: trained in ${times.at(-1).trained} ms, forecast drawn after ${times.at(-1).drawn} ms`);
      } finally {
        await browser.close();
      }
    }
    console.log(`training a model for the demo data (17,520 hours) in the page, median: ${median(times.map((x) => x.trained))} ms to the model, ${median(times.map((x) => x.drawn))} ms to its forecast`);
  } finally {
    await server.close();
    site.remove();
  }
}
if (train) {
  await trainRuns();
  process.exit(0);
}

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
