#!/usr/bin/env node
// Lead scoring as the page does it, through the wasm bundles in node (one thread, the same
// calls the page's workers make), beside the native CLI on one thread, runs interleaved:
// the time from the bytes of ../shared/data/uci_bank_marketing.csv (45,211 leads) to a
// trained scoring model (read the table, 5-fold CV and the final fit, with the page's
// default options), and the time to score 100,000 leads without reasons and with their
// top-3 reasons (the same model file on both sides). The reasons' own cost (TreeSHAP) is
// the time with reasons less the time without. Printed, not asserted.
//
// On a shared machine wall times swing with the load (printed at the start and the end), so
// each figure is also taken as CPU time (user + system): of the node process for wasm
// (V8's compiler threads included), of the CLI through /usr/bin/time for native.
//
//   npm run build && node bench/score_page.mjs [--runs 3] [--rows 100000] [--json FILE]
//
// Skips (exit 0) when ../shared/data/uci_bank_marketing.csv is absent.
// FC_WASM_DIR overrides the bundle's folder (default build/wasm/wasm); FC_CLI the native
// CLI (default build/native/native_trainer/funnelcast; without it only wasm is timed).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { CLI_TRAIN, OPTIONS } from './bank_training.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = resolve(ROOT, '..', 'shared', 'data', 'uci_bank_marketing.csv');
const WASM_DIR = resolve(ROOT, process.env.FC_WASM_DIR || 'build/wasm/wasm');
const CLI = resolve(ROOT, process.env.FC_CLI || 'build/native/native_trainer/funnelcast');
const arg = (name, fallback) => {
  const k = process.argv.indexOf(name);
  return k > 0 ? process.argv[k + 1] : fallback;
};
const runs = Math.max(1, Number(arg('--runs', 3)) || 3);
const leadRows = Math.max(1, Number(arg('--rows', 100_000)) || 100_000);
const jsonFile = arg('--json', null);
const native = existsSync(CLI);

if (!existsSync(DATA)) {
  console.log(`skipped: ${DATA} is absent`);
  process.exit(0);
}
for (const f of ['funnelcast.mjs', 'funnelcast-train.mjs']) {
  if (!existsSync(join(WASM_DIR, f))) {
    console.error(`${join(WASM_DIR, f)} not found: run npm run build first (or set FC_WASM_DIR)`);
    process.exit(2);
  }
}

async function load(name) {
  const { default: create } = await import(pathToFileURL(join(WASM_DIR, `${name}.mjs`)).href);
  return create({ wasmBinary: readFileSync(join(WASM_DIR, `${name}.wasm`)) });
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => `${Math.round(x).toLocaleString('en-US')} ms`;
const tmp = mkdtempSync(join(tmpdir(), 'fc-score-page-'));

const TIME = '/usr/bin/time';
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const cpuTimes = { train: { wasm: [], native: [] }, 0: { wasm: [], native: [] }, 3: { wasm: [], native: [] } };

// The CLI's wall time; its CPU time (ms, null without /usr/bin/time) goes to cpu.
function runCli(args, cpu) {
  const timed = existsSync(TIME);
  const timeFile = join(tmp, 'time.txt');
  const t0 = performance.now();
  const r = timed
    ? spawnSync(TIME, ['-f', '%U %S', '-o', timeFile, CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 })
    : spawnSync(CLI, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const t = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${CLI} ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  if (timed) {
    const [user, sys] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
    cpu.push((user + sys) * 1000);
  } else {
    cpu.push(null);
  }
  return t;
}
const loadBefore = loadavg();

const bytes = new Uint8Array(readFileSync(DATA));
const train = await load('funnelcast-train');
const fc = await load('funnelcast');

console.log(`training on ${DATA} (${(bytes.length / 1e6).toFixed(1)} MB), ${JSON.stringify(OPTIONS)}; wasm in node beside ${native ? `${CLI} --threads 1` : 'nothing (no native CLI)'}`);
const trainTimes = { wasm: [], native: [] };
let model = null;
let report = null;
for (let r = 0; r < runs; ++r) {
  const c0 = cpuNow();
  const t0 = performance.now();
  const table = train.loadTable(bytes, 'uci_bank_marketing.csv');
  const t1 = performance.now();
  let out;
  try {
    out = train.trainScore(table, OPTIONS);
  } finally {
    table.delete();
  }
  const t2 = performance.now();
  trainTimes.wasm.push(t2 - t0);
  cpuTimes.train.wasm.push(cpuNow() - c0);
  model = out.model;
  report = out.report;
  let line = `  run ${r + 1}: wasm read ${ms(t1 - t0)}, trained ${ms(t2 - t1)}, total ${ms(t2 - t0)} (${report.trees} trees, CV ROC-AUC ${report.cv.roc_auc.mean.toFixed(4)})`;
  if (native) {
    const rep = join(tmp, 'native.json');
    trainTimes.native.push(runCli([...CLI_TRAIN, '--data', DATA, '--out', join(tmp, 'native.fcm'), '--report', rep], cpuTimes.train.native));
    const nr = JSON.parse(readFileSync(rep, 'utf8'));
    line += `; native ${ms(trainTimes.native.at(-1))} (${nr.trees} trees, CV ROC-AUC ${nr.cv.roc_auc.mean.toFixed(4)})`;
  }
  console.log(line);
}

// --rows leads (100,000 by default): the bank table's rows repeated (its header once).
const text = new TextDecoder().decode(bytes).trimEnd().split('\n');
const header = text[0];
const body = text.slice(1);
const rows = [];
for (let k = 0; rows.length < leadRows; ++k) rows.push(body[k % body.length]);
const big = new TextEncoder().encode(`${header}\n${rows.join('\n')}\n`);
const bigFile = join(tmp, 'leads.csv');
const modelFile = join(tmp, 'bank.fcm');
writeFileSync(bigFile, big);
writeFileSync(modelFile, model);
const m = fc.loadModel(model, 'bank.fcm');
const scoreTimes = { wasm: { 0: [], 3: [] }, native: { 0: [], 3: [] } };
{
  // Warm-up (not timed): the first calls pay for the engine's tiering up.
  const table = fc.loadTable(`${header}\n${rows.slice(0, 2000).join('\n')}\n`, 'warm-up.csv');
  fc.score(table, m, { explain: 3 });
  table.delete();
}
const n = leadRows.toLocaleString('en-US');
try {
  for (let r = 0; r < runs; ++r) {
    for (const explain of [0, 3]) {
      const c0 = cpuNow();
      const t0 = performance.now();
      const table = fc.loadTable(big, 'leads.csv');
      const t1 = performance.now();
      let s;
      try {
        s = fc.score(table, m, { explain });
      } finally {
        table.delete();
      }
      const t2 = performance.now();
      scoreTimes.wasm[explain].push(t2 - t0);
      cpuTimes[explain].wasm.push(cpuNow() - c0);
      if (s.rows !== leadRows || s.explained !== explain) throw new Error(`scored ${s.rows} rows with ${s.explained} reasons`);
      let line = `  run ${r + 1}, ${explain ? 'top-3 reasons' : 'no reasons'}: wasm read ${n} leads ${ms(t1 - t0)}, scored ${ms(t2 - t1)}, total ${ms(t2 - t0)}`;
      if (native) {
        scoreTimes.native[explain].push(
          runCli(['score', '--model', modelFile, '--data', bigFile, '--explain', String(explain), '--threads', '1', '--out', join(tmp, 'scores.csv')], cpuTimes[explain].native),
        );
        line += `; native (CSV written) ${ms(scoreTimes.native[explain].at(-1))}`;
      }
      console.log(line);
    }
  }
} finally {
  m.delete();
  rmSync(tmp, { recursive: true, force: true });
}
const med = (xs) => (xs.length ? median(xs) : null);
const result = {
  runs,
  rows: leadRows,
  trees: report.trees,
  train_ms: { wasm: med(trainTimes.wasm), native: med(trainTimes.native) },
  score_ms: { wasm: med(scoreTimes.wasm[0]), native: med(scoreTimes.native[0]) },
  score_reasons_ms: { wasm: med(scoreTimes.wasm[3]), native: med(scoreTimes.native[3]) },
};
// TreeSHAP alone: per run, with reasons less without, then the median.
const shap = (side) => scoreTimes[side][3].map((t, k) => t - scoreTimes[side][0][k]);
result.treeshap_ms = { wasm: median(shap('wasm')), native: native ? median(shap('native')) : null };
const ratio = (x) => (x.native ? x.native / x.wasm : null);
result.ratio_wasm_to_native = {
  train: ratio(result.train_ms),
  score: ratio(result.score_ms),
  score_reasons: ratio(result.score_reasons_ms),
  treeshap: ratio(result.treeshap_ms),
};
const pr = (what, x) =>
  console.log(`  ${what.padEnd(34)} wasm ${ms(x.wasm).padStart(10)}${x.native ? `   native 1 thread ${ms(x.native).padStart(10)}   wasm speed ${(x.native / x.wasm).toFixed(2)}x native` : ''}`);
console.log(`median over ${runs} interleaved runs:`);
pr('bank marketing CSV -> model', result.train_ms);
pr(`${n} leads scored, no reasons`, result.score_ms);
pr(`${n} leads with top-3 reasons`, result.score_reasons_ms);
pr('  of which the reasons (TreeSHAP)', result.treeshap_ms);
// The same medians in CPU time (null where a side has none).
const cpuMed = (xs) => (xs.length && xs.every((x) => x != null) ? median(xs) : null);
const cpuShap = (side) => cpuTimes[3][side].map((t, k) => (t == null || cpuTimes[0][side][k] == null ? null : t - cpuTimes[0][side][k]));
result.cpu_ms = {
  train: { wasm: cpuMed(cpuTimes.train.wasm), native: cpuMed(cpuTimes.train.native) },
  score: { wasm: cpuMed(cpuTimes[0].wasm), native: cpuMed(cpuTimes[0].native) },
  score_reasons: { wasm: cpuMed(cpuTimes[3].wasm), native: cpuMed(cpuTimes[3].native) },
  treeshap: { wasm: cpuMed(cpuShap('wasm')), native: cpuMed(cpuShap('native')) },
};
result.cpu_ratio_wasm_to_native = Object.fromEntries(Object.entries(result.cpu_ms).map(([k, x]) => [k, ratio(x)]));
result.load_average = { before: loadBefore, after: loadavg() };
console.log('the same in CPU time (user + system):');
pr('bank marketing CSV -> model', result.cpu_ms.train);
pr(`${n} leads scored, no reasons`, result.cpu_ms.score);
pr(`${n} leads with top-3 reasons`, result.cpu_ms.score_reasons);
pr('  of which the reasons (TreeSHAP)', result.cpu_ms.treeshap);
const la = (x) => x.map((v) => v.toFixed(2)).join(' ');
console.log(`load average (1, 5, 15 min): ${la(result.load_average.before)} before, ${la(result.load_average.after)} after`);
if (jsonFile) writeFileSync(jsonFile, `${JSON.stringify(result, null, 2)}\n`);
