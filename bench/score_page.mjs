#!/usr/bin/env node
// Lead scoring as the page does it, through the wasm bundles in node (one thread, the same
// calls the page's workers make): the time from the bytes of ../shared/data/
// uci_bank_marketing.csv (45,211 leads) to a trained scoring model (read the table,
// 5-fold CV and the final fit, with the page's default options), and the time to score
// 100,000 leads with their top-3 reasons. Printed, not asserted.
//
//   npm run build && node bench/score_page.mjs [--runs 3]
//
// Skips (exit 0) when ../shared/data/uci_bank_marketing.csv is absent.
// FC_WASM_DIR overrides the bundle's folder (default build/wasm/wasm).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = resolve(ROOT, '..', 'shared', 'data', 'uci_bank_marketing.csv');
const WASM_DIR = resolve(ROOT, process.env.FC_WASM_DIR || 'build/wasm/wasm');
const i = process.argv.indexOf('--runs');
const runs = i > 0 ? Math.max(1, Number(process.argv[i + 1]) || 3) : 3;

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
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const ms = (x) => `${Math.round(x).toLocaleString('en-US')} ms`;

// The options panels/score-training.js trains with by default.
const OPTIONS = { target: 'subscription', folds: 5, iterations: 300, learningRate: 0.1, numLeaves: 31, seed: 0 };

const bytes = new Uint8Array(readFileSync(DATA));
const train = await load('funnelcast-train');
const fc = await load('funnelcast');

console.log(`training on ${DATA} (${(bytes.length / 1e6).toFixed(1)} MB), ${JSON.stringify(OPTIONS)}`);
const trainTimes = [];
let model = null;
let report = null;
for (let r = 0; r < runs; ++r) {
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
  trainTimes.push(t2 - t0);
  model = out.model;
  report = out.report;
  console.log(`  run ${r + 1}: read ${ms(t1 - t0)}, trained ${ms(t2 - t1)}, total ${ms(t2 - t0)} (${report.trees} trees, CV ROC-AUC ${report.cv.roc_auc.mean.toFixed(4)})`);
}

// 100,000 leads: the bank table's rows repeated (its header once).
const text = new TextDecoder().decode(bytes).trimEnd().split('\n');
const header = text[0];
const body = text.slice(1);
const rows = [];
for (let k = 0; rows.length < 100_000; ++k) rows.push(body[k % body.length]);
const big = new TextEncoder().encode(`${header}\n${rows.join('\n')}\n`);
const m = fc.loadModel(model, 'bank.fcm');
const scoreTimes = [];
try {
  for (let r = 0; r < runs; ++r) {
    const t0 = performance.now();
    const table = fc.loadTable(big, 'leads-100k.csv');
    const t1 = performance.now();
    let s;
    try {
      s = fc.score(table, m, { explain: 3 });
    } finally {
      table.delete();
    }
    const t2 = performance.now();
    scoreTimes.push(t2 - t0);
    if (s.rows !== 100_000 || s.explained !== 3) throw new Error(`scored ${s.rows} rows with ${s.explained} reasons`);
    console.log(`  run ${r + 1}: read 100,000 leads ${ms(t1 - t0)}, scored with top-3 reasons ${ms(t2 - t1)}, total ${ms(t2 - t0)}`);
  }
} finally {
  m.delete();
}
console.log(`median over ${runs} runs: bank marketing CSV bytes → trained model ${ms(median(trainTimes))}; 100,000 leads scored with top-3 reasons (read included) ${ms(median(scoreTimes))}`);
