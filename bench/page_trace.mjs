#!/usr/bin/env node
// Where a first visit's time goes, thread by thread: one visit to the demo dashboard in a
// fresh profile, traced by Chromium (devtools.timeline and v8 categories) from navigation
// until the dashboard is drawn, then the busiest trace events of the page's main thread
// (CrRendererMain), its workers (DedicatedWorker thread: the dashboard's wasm compute) and
// the browser's helper threads, in ms summed over the visit, and the page's fc-* marks.
// Events nest (RunTask holds v8.callFunction, which may hold Layout), so a thread's lines
// do not add up; RunTask is the thread's busy time.
//
//   npm run build && node bench/page_trace.mjs [--top 12]
//
// FC_DIST and FC_CHROMIUM override the site and browser paths, as in the e2e tests.
import { DIST, launch, startServer } from '../tests/e2e/helpers.mjs';

const t = process.argv.indexOf('--top');
const top = t > 0 ? Math.max(1, Number(process.argv[t + 1]) || 12) : 12;

const server = await startServer({ root: DIST, port: 0 });
const browser = await launch();
try {
  const page = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(page);
  const events = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
  const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,v8,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
  await page.goto(server.url);
  await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 60_000 });
  await cdp.send('Tracing.end');
  await complete;
  const marks = await page.evaluate(() =>
    performance
      .getEntriesByType('mark')
      .filter((m) => m.name.startsWith('fc-'))
      .map((m) => `${m.name.slice(3)} ${Math.round(m.startTime)}`)
      .join(' · '),
  );
  const threads = new Map();
  for (const e of events) if (e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args.name);
  const groups = { 'main thread (CrRendererMain)': /^CrRendererMain$/, 'workers (DedicatedWorker thread)': /^DedicatedWorker/, 'helper threads (ThreadPool, compositor)': /^(ThreadPool|Compositor)/ };
  console.log(`first visit to the demo dashboard, ${new Date().toISOString()}`);
  console.log(`marks (ms after navigation): ${marks}`);
  for (const [label, re] of Object.entries(groups)) {
    const totals = new Map();
    for (const e of events) {
      if (e.ph !== 'X' || !e.dur || !re.test(threads.get(`${e.pid}:${e.tid}`) || '')) continue;
      totals.set(e.name, (totals.get(e.name) || 0) + e.dur / 1000);
    }
    console.log(`${label}, ms:`);
    for (const [name, ms] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${ms.toFixed(0).padStart(6)}  ${name}`);
  }
} finally {
  await browser.close();
  await server.close();
}
