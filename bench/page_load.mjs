#!/usr/bin/env node
// Page load: time from navigation to a fully rendered demo dashboard, on first visits
// (a fresh browser profile each) and on a repeat visit served by the service worker.
// Prints the page's `fc-*` performance marks (boot.js, the worker's start-up, the data
// and model loads, the charts, the compute) for each run and the medians.
//
//   npm run build && node bench/page_load.mjs [--runs 5]
//   node bench/page_load.mjs --train [--runs 3] [--cores N]
//   node bench/page_load.mjs --leads [--runs 3]
//
// --train: the demo data under another name (so the page trains a model for it, as for
// any data of the user's own without a model): the time from the training's start to the
// trained model (fc-train-done) and to its forecast drawn (fc-train-drawn), the browser
// told it has 1 core (one worker) and N (the machine's, or --cores N: the forecasters
// shared among N workers), interleaved run by run; every run's model must have the same
// bytes, or the run stops.
//
// --leads: lead scoring opened first (?view=scoring) on the demo's 20,000 leads: the time
// to the first page of leads drawn with their reasons, from the leads read
// (fc-leads-loaded → fc-leads-drawn) and from lead scoring's start (fc-scoring-start).
//
// --json FILE: also write the runs and the medians there (bench/run.sh reads it).
//
// --compare OTHER_DIST: page loads (or, with --leads, lead scoring's first rows) of another
// build (the one before a change) interleaved with this one's, run by run, with the load
// average; --json then holds both
// (scripts/readme_figures.py writes docs/web-app.md's page figures from it).
//
// FC_DIST and FC_CHROMIUM override the site and browser paths, as in the e2e tests.
import { copyFileSync, writeFileSync } from 'node:fs';

import { DIST, launch, makeSite, startServer } from '../tests/e2e/helpers.mjs';

const i = process.argv.indexOf('--runs');
const runs = i > 0 ? Math.max(1, Number(process.argv[i + 1]) || 3) : 3;
const train = process.argv.includes('--train');
const j = process.argv.indexOf('--json');
const jsonFile = j > 0 ? process.argv[j + 1] : null;
const saveJson = (value) => {
  if (jsonFile) writeFileSync(jsonFile, `${JSON.stringify(value, null, 2)}\n`);
};

// Waits for the page to say it is ready, from a small function run in the page, not
// with a selector: Playwright's selector engine is a large script injected into the page
// on first use, whose parse and run (100-400 ms here) took the page's main thread just as
// the first figures came in, in every site measured.
async function waitReady(page) {
  await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const until = Date.now() + 60_000;
        const check = () => {
          if (document.body && document.body.dataset.state === 'ready') resolve(null);
          else if (Date.now() > until) reject(new Error('the page was not ready within 60 s'));
          else setTimeout(check, 50);
        };
        check();
      }),
  );
}

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
  const { createHash } = await import('node:crypto');
  const { availableParallelism, loadavg } = await import('node:os');
  const { readFileSync } = await import('node:fs');
  const ci = process.argv.indexOf('--cores');
  const cores = Math.max(2, Number(ci > 0 ? process.argv[ci + 1] : availableParallelism()) || 2);
  const site = makeSite();
  copyFileSync(site.path('demo/hourly.csv'), site.path('fixtures/my-hourly.csv'));
  const server = await startServer({ root: site.dir, port: 0 });
  const loads = [loadavg()[0].toFixed(1)];
  try {
    const times = { 1: [], [cores]: [] };
    let hash = null;
    for (let r = 0; r < runs; ++r) {
      for (const n of [1, cores]) {
        const browser = await launch();
        try {
          const page = await browser.context.newPage();
          await page.addInitScript((k) => Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { configurable: true, get: () => k }), n);
          await page.goto(`${server.url}?data=fixtures/my-hourly.csv`);
          await page.waitForSelector('#train-box[data-state="done"], #train-box[data-state="failed"]', { timeout: 600_000 });
          await page.waitForFunction(() => performance.getEntriesByName('fc-train-drawn').length > 0, null, { timeout: 60_000 });
          const m = await marks(page);
          const [d] = await Promise.all([page.waitForEvent('download'), page.click('#train-download')]);
          const h = createHash('sha256').update(readFileSync(await d.path())).digest('hex').slice(0, 16);
          if (hash && h !== hash) throw new Error(`run ${r + 1}, ${n} cores: a model of other bytes (${h}, before ${hash})`);
          hash = h;
          times[n].push({ trained: m['train-done'] - m['train-start'], drawn: m['train-drawn'] - m['train-start'] });
          console.log(`  run ${r + 1}, ${n} core${n > 1 ? 's' : ''}: trained in ${times[n].at(-1).trained} ms, forecast drawn after ${times[n].at(-1).drawn} ms`);
        } finally {
          await browser.close();
        }
      }
      loads.push(loadavg()[0].toFixed(1));
    }
    const med = (n, k) => median(times[n].map((x) => x[k]));
    console.log(`load average (1 min) during the runs: ${loads.join(', ')}`);
    console.log(`training a model for the demo data (17,520 hours) in the page, median of ${runs}: on 1 worker ${med(1, 'trained')} ms to the model (${med(1, 'drawn')} ms to its forecast); the forecasters on ${cores} workers ${med(cores, 'trained')} ms (${med(cores, 'drawn')} ms), ${(med(1, 'trained') / med(cores, 'trained')).toFixed(2)}x; every model the same bytes (${hash})`);
    saveJson({ mode: 'train', cores, runs: times, median_ms: { trained: med(cores, 'trained'), drawn: med(cores, 'drawn'), one_worker: { trained: med(1, 'trained'), drawn: med(1, 'drawn') } }, model_sha256_16: hash });
  } finally {
    await server.close();
    site.remove();
  }
}
if (train) {
  await trainRuns();
  process.exit(0);
}

async function leadRuns() {
  // --compare OTHER_DIST: that build's runs interleaved with this one's, run by run.
  const ci = process.argv.indexOf('--compare');
  const sites = [...(ci > 0 ? [{ name: 'before', root: process.argv[ci + 1] }] : []), { name: ci > 0 ? 'after' : 'site', root: DIST }];
  const { loadavg } = await import('node:os');
  const loads = [loadavg()[0].toFixed(1)];
  const servers = [];
  try {
    for (const s of sites) servers.push(await startServer({ root: s.root, port: 0 }));
    const times = sites.map(() => []);
    for (let r = 0; r < runs; ++r) {
      for (let k = 0; k < sites.length; ++k) {
        const browser = await launch();
        try {
          const page = await browser.context.newPage();
          await page.goto(`${servers[k].url}?view=scoring`);
          await page.waitForFunction(() => performance.getEntriesByName('fc-leads-drawn').length > 0, null, { timeout: 120_000 });
          const rows = await page.$$eval('#leads-table tbody tr', (trs) => trs.filter((tr) => tr.querySelectorAll('.reasons li').length === 3).length);
          const first = (name) => page.evaluate((n) => performance.getEntriesByName(n)[0].startTime, name);
          const start = await first('fc-scoring-start');
          times[k].push({ drawn: Math.round((await first('fc-leads-drawn')) - start), loaded: Math.round((await first('fc-leads-loaded')) - start), rows });
          const x = times[k].at(-1);
          console.log(`  ${sites.length > 1 ? `[${sites[k].name}] ` : ''}run ${r + 1}: leads read ${x.loaded} ms after lead scoring started, first ${rows} rows with 3 reasons drawn ${x.drawn} ms after it: ${x.drawn - x.loaded} ms after the leads were read`);
        } finally {
          await browser.close();
        }
      }
      loads.push(loadavg()[0].toFixed(1));
    }
    console.log(`load average (1 min) during the runs: ${loads.join(', ')}`);
    const summary = (ts) => ({ after_read: median(ts.map((x) => x.drawn - x.loaded)), after_start: median(ts.map((x) => x.drawn)), read: median(ts.map((x) => x.loaded)) });
    sites.forEach((s, k) => {
      const m = summary(times[k]);
      console.log(`${sites.length > 1 ? `[${s.name}: ${s.root}] ` : ''}20,000 demo leads, lead scoring shown first, median: first rows with reasons ${m.after_read} ms after the leads were read (target < 500 ms), ${m.after_start} ms after lead scoring started (leads read after ${m.read} ms)`);
    });
    const mine = times.at(-1);
    saveJson({
      mode: 'leads',
      runs: mine,
      median_ms: { after_read: median(mine.map((x) => x.drawn - x.loaded)), after_start: median(mine.map((x) => x.drawn)) },
      rows_with_reasons: Math.min(...mine.map((x) => x.rows)),
      load_average: loads.map(Number),
      ...(sites.length > 1 ? { compare: Object.fromEntries(sites.map((s, k) => [s.name, { dist: s.root, runs: times[k], median_ms: summary(times[k]) }])) } : {}),
    });
  } finally {
    for (const s of servers) await s.close();
  }
}
if (process.argv.includes('--leads')) {
  await leadRuns();
  process.exit(0);
}

// One first visit (fresh profile) and one repeat visit (the same profile, served by the
// service worker): their fc-* marks.
async function visit(server) {
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    // The page's main-thread time (Chromium's TaskDuration / ScriptDuration): CPU the page
    // itself spends, less sensitive to the machine's load than the times to each mark.
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(server.url);
    await waitReady(page);
    const first = await marks(page);
    const metrics = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    first['main-thread-task'] = Math.round(metrics.TaskDuration * 1000);
    first['main-thread-script'] = Math.round(metrics.ScriptDuration * 1000);
    // What the page itself fetched before its dashboard was drawn (the worker's data,
    // model and wasm are not in the page's resource timing): its scripts, styles, charts.
    const kb = await page.evaluate(() => {
      const drawn = performance.getEntriesByName('fc-dashboard-rendered')[0].startTime;
      const bytes = performance.getEntriesByType('resource').filter((e) => e.startTime < drawn).reduce((n, e) => n + (e.decodedBodySize || 0), 0);
      return Math.round(bytes / 1024);
    });
    await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 20_000 });
    await page.reload();
    await waitReady(page);
    return { first, repeat: await marks(page), kb };
  } finally {
    await browser.close();
  }
}

const at = (ms, k) => median(ms.map((m) => m[k]).filter(Number.isFinite));
const medians = (ms) => Object.fromEntries(Object.keys(ms[0]).map((k) => [k, at(ms, k)]));
const { loadavg } = await import('node:os');
const load = () => loadavg()[0].toFixed(1);

function report(label, first, repeats) {
  console.log(`${label}navigation → rendered demo dashboard, first visit, fresh profile (${first.length} runs)`);
  for (const m of first) console.log(`  ${line(m)}`);
  const keys = Object.keys(first[0]);
  console.log(`  median: ${keys.map((k) => `${k} ${at(first, k)}`).join(' · ')}`);
  console.log(`first visit, median: KPI tiles ${at(first, 'tiles-drawn')} ms (first paint, target < 1000 ms), tiles and forecast chart ${at(first, 'first-drawn')} ms, whole dashboard with anomalies ${at(first, 'dashboard-rendered')} ms (target < 1500 ms)`);
  console.log(`repeat visit (service worker), median: KPI tiles ${at(repeats, 'tiles-drawn')} ms, tiles and forecast ${at(repeats, 'first-drawn')} ms, whole dashboard ${at(repeats, 'dashboard-rendered')} ms (target < 600 ms)`);
  for (const m of repeats) console.log(`  ${line(m)}`);
}

// --compare OTHER_DIST: that site (say, the build before a change) and this one, visited
// in turn in each run, so both see the same load on a shared machine.
const c = process.argv.indexOf('--compare');
const other = c > 0 ? process.argv[c + 1] : null;
const sites = [...(other ? [{ name: 'before', root: other }] : []), { name: other ? 'after' : 'site', root: DIST }];
const servers = [];
try {
  for (const s of sites) servers.push(await startServer({ root: s.root, port: 0 }));
  const results = sites.map(() => ({ first: [], repeat: [], kb: [] }));
  const loads = [load()];
  for (let r = 0; r < runs; ++r) {
    for (let k = 0; k < sites.length; ++k) {
      const v = await visit(servers[k]);
      results[k].first.push(v.first);
      results[k].repeat.push(v.repeat);
      results[k].kb.push(v.kb);
    }
    loads.push(load());
  }
  console.log(`load average (1 min) during the runs: ${loads.join(', ')}`);
  const out = { mode: 'page', runs, load_average: loads.map(Number), sites: {} };
  sites.forEach((s, k) => {
    report(sites.length > 1 ? `[${s.name}: ${s.root}] ` : '', results[k].first, results[k].repeat);
    console.log(`  the page's own fetches before the dashboard was drawn (first visit, median): ${median(results[k].kb)} KiB`);
    out.sites[s.name] = { dist: s.root, page_kib: median(results[k].kb), first_visit: { runs: results[k].first, median_ms: medians(results[k].first) }, repeat_visit: { runs: results[k].repeat, median_ms: medians(results[k].repeat) } };
  });
  // bench/run.sh reads first_visit / repeat_visit of this site.
  const mine = out.sites[sites.at(-1).name];
  saveJson({ ...out, first_visit: mine.first_visit, repeat_visit: mine.repeat_visit });
} finally {
  for (const s of servers) await s.close();
}
