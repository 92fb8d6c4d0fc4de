#!/usr/bin/env node
// Training bundles of two or more builds against each other and the native CLI, interleaved:
// the page's lead-scoring training (bank marketing, 5-fold CV + final fit, the tab's default
// options, as bench/score_page.mjs trains it) through each folder's funnelcast-train.wasm in
// turn, then the CLI on one thread, every round; prints CPU-time medians (user + system, of
// this node process for wasm, of the CLI through /usr/bin/time) and wasm speed / native.
// Every bundle must give the same model bytes, or the run stops.
//
//   node bench/wasm_train_ab.mjs [--runs 5] DIR [DIR...]
//
// A folder is a build's build/wasm/wasm (or a copy of its funnelcast-train.{mjs,wasm}): for
// a commit X, `git worktree add /tmp/x X && cd /tmp/x && bash scripts/build.sh`, or copy the
// two files aside before rebuilding. FC_CLI overrides the native CLI. Skips (exit 0) when
// ../shared/data/uci_bank_marketing.csv is absent.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { CLI_TRAIN, OPTIONS } from './bank_training.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = resolve(ROOT, '..', 'shared', 'data', 'uci_bank_marketing.csv');
const CLI = resolve(ROOT, process.env.FC_CLI || 'build/native/native_trainer/funnelcast');
const args = process.argv.slice(2);
let runs = 5;
const dirs = [];
for (let k = 0; k < args.length; ++k) {
  if (args[k] === '--runs') runs = Math.max(1, Number(args[++k]) || 5);
  else dirs.push(resolve(args[k]));
}
if (!existsSync(DATA)) {
  console.log(`skipped: ${DATA} is absent`);
  process.exit(0);
}
if (!dirs.length || !existsSync(CLI) || !existsSync('/usr/bin/time')) {
  console.error('usage: node bench/wasm_train_ab.mjs [--runs 5] DIR [DIR...] (needs the native CLI and /usr/bin/time)');
  process.exit(2);
}
const bytes = new Uint8Array(readFileSync(DATA));
const modules = [];
for (const d of dirs) {
  const { default: create } = await import(`${pathToFileURL(join(d, 'funnelcast-train.mjs')).href}?${modules.length}`);
  modules.push(await create({ wasmBinary: readFileSync(join(d, 'funnelcast-train.wasm')) }));
}
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const tmp = mkdtempSync(join(tmpdir(), 'fc-wasm-ab-'));
const wasm = dirs.map(() => []);
const native = [];
let first = null;
const load0 = loadavg()[0];
try {
  for (let r = 0; r < runs; ++r) {
    modules.forEach((fc, k) => {
      const c0 = cpuNow();
      const table = fc.loadTable(bytes, 'uci_bank_marketing.csv');
      let out;
      try {
        out = fc.trainScore(table, OPTIONS);
      } finally {
        table.delete();
      }
      wasm[k].push(cpuNow() - c0);
      first ??= Buffer.from(out.model);
      if (!first.equals(Buffer.from(out.model))) throw new Error(`${dirs[k]} trained other model bytes than ${dirs[0]}`);
    });
    const timeFile = join(tmp, 'time.txt');
    const res = spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', timeFile, CLI, ...CLI_TRAIN, '--data', DATA, '--out', join(tmp, 'm.fcm')]);
    if (res.status !== 0) throw new Error(`${CLI}: exit ${res.status}\n${res.stderr}`);
    const [user, sys] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
    native.push((user + sys) * 1000);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const s = (ms) => (ms / 1000).toFixed(2);
console.log(`bank marketing, 5-fold CV + final fit; ${runs} interleaved runs, CPU-time medians; load ${load0.toFixed(2)} -> ${loadavg()[0].toFixed(2)}`);
console.log(`  native CLI, 1 thread   ${s(median(native))} s   (${native.map(s).join(' ')})`);
dirs.forEach((d, k) => {
  console.log(`  ${d}   ${s(median(wasm[k]))} s, ${(median(native) / median(wasm[k])).toFixed(2)}x native   (${wasm[k].map(s).join(' ')})`);
});
