// Every anomaly method at its defaults, through the CLI as a user runs it:
//   1. event-level precision / recall / F1 / mean delay (and the window score) on the demo
//      data (`funnelcast demo-data --seed 1`, CPL, whole series) against its truth file;
//   2. the NAB-style window score over the labelled series in ../shared/data/nab/ (skipped
//      with a message when absent): raw scores summed over the files, and the benchmark's
//      normalisation 100 (sum raw - sum null) / (sum perfect - sum null).
// The residual method needs a forecast model of the metric: it runs on the demo's leads
// with models/demo_forecast.fcm (the demo model forecasts leads), beside the ensemble on
// leads with and without that model.
//
// usage: node bench/anomaly_eval.mjs [--cli build/native/native_trainer/funnelcast] [--nab DIR] [--files]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const CLI = resolve(opt('cli', join(ROOT, 'build/native/native_trainer/funnelcast')));
const NAB = resolve(opt('nab', join(ROOT, '..', 'shared', 'data', 'nab')));
const perFile = args.includes('--files');
const METHODS = (opt('methods', 'zscore,robust,seasonal,iforest,ensemble')).split(',');
// Extra options for every run (exploring, e.g. --extra '--threshold 0.999'); the report uses none.
const EXTRA = (opt('extra', '') || '').split(' ').filter(Boolean);
const skipDemo = args.includes('--no-demo');

if (!existsSync(CLI)) {
  console.error(`no CLI at ${CLI}: build it first (cmake --build build/native --target funnelcast)`);
  process.exit(2);
}

function run(argv) {
  const r = spawnSync(CLI, [...argv, ...EXTRA], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`funnelcast ${argv.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

const fmt = (x, d = 3) => (x === null || x === undefined || Number.isNaN(x) ? '   -  ' : x.toFixed(d).padStart(6));

const tmp = mkdtempSync(join(tmpdir(), 'fc-anomaly-eval-'));
try {
  // ---- demo data ----
  if (!skipDemo) {
  const demo = join(tmp, 'demo');
  const g = spawnSync(CLI, ['demo-data', '--out', demo, '--seed', '1'], { encoding: 'utf8' });
  if (g.status !== 0) throw new Error(g.stderr);
  const data = join(demo, 'hourly.csv'), truth = join(demo, 'anomalies_truth.csv');
  console.log('demo data (seed 1, 730 days hourly, CPL of all channels, whole series, defaults)');
  console.log('method      precision recall    F1   delay(h) alerts window');
  const demoRow = (label, extra) => {
    const t0 = process.hrtime.bigint();
    const j = run(['anomalies', '--data', data, '--truth', truth, '--json', ...extra]);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const e = j.evaluation;
    console.log(`${label.padEnd(11)} ${fmt(e.precision)}   ${fmt(e.recall)} ${fmt(e.f1)}  ${fmt(e.delay, 2)}  ${String(e.alerts).padStart(5)}  ${fmt(e.window_score, 1)}   (${ms.toFixed(0)} ms incl. CSV)`);
  };
  for (const m of METHODS) demoRow(m, ['--method', m]);
  const model = join(ROOT, 'models', 'demo_forecast.fcm');
  if (existsSync(model)) {
    console.log('\ndemo data, leads (the demo model forecasts leads)');
    for (const m of METHODS) demoRow(m, ['--metric', 'leads', '--method', m]);
    demoRow('residual', ['--metric', 'leads', '--method', 'residual', '--model', model]);
    demoRow('ens+model', ['--metric', 'leads', '--method', 'ensemble', '--model', model]);
  }

  }
  // ---- NAB ----
  const windowsPath = join(NAB, 'windows.json');
  if (!existsSync(windowsPath)) {
    console.log(`\n${windowsPath} not found: the NAB part is skipped (it needs ../shared/data/nab/)`);
  } else {
    const files = Object.keys(JSON.parse(readFileSync(windowsPath, 'utf8'))).filter((f) => existsSync(join(NAB, f)));
    console.log(`\nNAB window score (standard profile) over ${files.length} files of ${NAB}, defaults, whole series`);
    console.log('(residual needs a forecast model of each series: not run here)');
    console.log('method      sum raw   sum null  sum perfect  score(0-100)  false positives');
    for (const m of METHODS) {
      let raw = 0, nul = 0, perfect = 0, fps = 0;
      const rows = [];
      for (const f of files) {
        const j = run(['anomalies', '--data', join(NAB, f), '--metric', 'value', '--method', m, '--truth', windowsPath, '--json']);
        const e = j.evaluation;
        raw += e.window_raw;
        nul += e.window_null;
        perfect += e.window_perfect;
        fps += e.window_false_positives;
        rows.push(`    ${f.padEnd(52)} ${fmt(e.window_raw, 2)} ${fmt(e.window_score, 1)} fp ${e.window_false_positives}`);
      }
      const score = (100 * (raw - nul)) / (perfect - nul);
      console.log(`${m.padEnd(11)} ${fmt(raw, 2)}   ${fmt(nul, 1)}   ${fmt(perfect, 1)}      ${fmt(score, 1)}        ${fps}`);
      if (perFile) console.log(rows.join('\n'));
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
