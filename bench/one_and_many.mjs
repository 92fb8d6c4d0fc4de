// What the page benches that compare one worker with N share (page_score_training.mjs,
// page_export.mjs): the scoring page opened on n cores, medians, and runs on 1 core and on N interleaved run by run, each run's
// output the same bytes (its hash) or the bench stops.
import { availableParallelism, loadavg } from 'node:os';

// The options they share: --runs N (3), --cores N (the machine's, at least 2), --json FILE.
export function oneAndManyArgs() {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  return {
    runs: Math.max(1, Number(arg('--runs', 3)) || 3),
    cores: Math.max(2, Number(arg('--cores', availableParallelism())) || 2),
    jsonFile: arg('--json', null),
  };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// once(n): one run with the browser told it has n cores -> {ms, hash, note?}. `what` names
// the output in the error ("a model", "a file"). -> {times: {1: [ms], N: [ms]}, loads,
// hash, one, many} (one, many: the medians).
export async function oneAndMany({ runs, cores, once, what }) {
  const times = { 1: [], [cores]: [] };
  const loads = [loadavg()[0].toFixed(1)];
  let hash = null;
  for (let r = 0; r < runs; ++r) {
    for (const n of [1, cores]) {
      const x = await once(n);
      if (hash && x.hash !== hash) throw new Error(`run ${r + 1}, ${n} cores: ${what} of other bytes (${x.hash}, before ${hash})`);
      hash = x.hash;
      times[n].push(x.ms);
      console.log(`  run ${r + 1}, ${n} core${n > 1 ? 's' : ''}: ${x.ms} ms${x.note ? ` (${x.note})` : ''}`);
    }
    loads.push(loadavg()[0].toFixed(1));
  }
  console.log(`load average (1 min) during the runs: ${loads.join(', ')}`);
  return { times, loads, hash, one: median(times[1]), many: median(times[cores]) };
}

// A page of `browser` on lead scoring (?view=scoring), the browser told it has n cores,
// once lead scoring and the dashboard behind it are drawn (the dashboard's worker's compute
// would otherwise share the cores with what is timed).
export async function scoringOn(browser, server, n) {
  const page = await browser.context.newPage();
  await page.addInitScript((k) => Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { configurable: true, get: () => k }), n);
  await page.goto(`${server.url}?view=scoring`);
  await page.waitForSelector('#scoring-view[data-state="ready"]', { timeout: 120_000 });
  await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 120_000 });
  return page;
}
