// @ts-check
// Training a scoring model in the page. A table of past leads with their outcome (a drop,
// the picker, or the demo leads) goes to a training worker of its own (train-worker.js,
// the training bundle), which first reads it as the core will train on it: every column's
// use (outcome, id, input, left out and why) and the outcome's two labels, by a one-tree
// fit. The user picks the outcome, its positive label, the id and the columns to leave
// out; the options show the CLI command that gives the same bytes (one thread). Training
// reports progress and can be cancelled (the workers are terminated); the cross-validation's
// folds are shared among as many workers as the browser reports cores (the table's worker
// and helpers that read the table from its bytes), and the table's worker finishes the
// model from every fold's result, with the bytes one worker gives. Then the
// cross-validation report (the numbers `--report` writes), the .fcm to download, and the
// model loaded into lead scoring with the table it was trained on.
import { $, $button, $input, $select, $table, download, el, pageWords, showError } from '../dom.js';
import { open, opener } from '../files.js';
import * as F from '../format.js';
import { CSV_TYPES, showFile, showProgress, sourceBox, sourceLabel, urlSource } from '../sources.js';
import { DEMO_LEADS } from './scoring.js';

// Lighter than the CLI's defaults (1,000 trees, learning rate 0.05), so a table like the
// bank marketing one (45,211 leads) trains in a tab in well under a minute.
export const DEFAULTS = { folds: 5, iterations: 300, learning_rate: 0.1, num_leaves: 31, seed: 0 };
/** @import * as FC from '../../wasm/funnelcast' */
/** @import { FoldsReply, InspectReply, Progress, Shell, Source, TrainScoreReply } from '../types' */
/** @typedef {'folds' | 'iterations' | 'learning_rate' | 'num_leaves' | 'seed'} NumberOption */
// [option, the input's id after "train-score-", label, min, max, step]
/** @type {Array<[NumberOption, string, string, number, number, number]>} */
const NUMBERS = [
  ['folds', 'folds', 'Folds', 0, 20, 1],
  ['iterations', 'iterations', 'Trees at most', 1, 5000, 1],
  ['learning_rate', 'learningRate', 'Learning rate', 0.001, 1, 0.001],
  ['num_leaves', 'numLeaves', 'Leaves per tree', 2, 1024, 1],
  ['seed', 'seed', 'Seed', 0, 2 ** 31 - 1, 1],
];

/** @type {import('../types').Shell} */
let ctx = /** @type {any} */ (null);
/** @type {{source: Source, bytes: Uint8Array, name: string} | null} */
let table = null; // {source, bytes (the page's copy), name}
/** @type {Worker | null} */
let worker = null;
/** @type {InspectReply | null} */
let inspected = null; // the last 'inspect' answer
/** @type {{bytes: Uint8Array<ArrayBuffer>, name: string} | null} */
let result = null; // {bytes, name}

/** @type {(state: string) => unknown} */
const setState = (state) => ($('score-train-panel').dataset.state = state);
/** @type {(name: string) => string} */
const modelFile = (name) => `${name.replace(/\.[^.]*$/, '') || 'leads'}-score.fcm`;
/** @type {(s: string) => string} */
const quote = (s) => (/^[\w.,/@%+=:-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** @returns {FC.TrainScoreOptions} */
function options() {
  /** @type {FC.TrainScoreOptions} */
  const o = { target: $select('train-score-target').value };
  if ($select('train-score-positive').value) o.positive = $select('train-score-positive').value;
  if ($select('train-score-id').value) o.id = $select('train-score-id').value;
  const drop = [.../** @type {NodeListOf<HTMLInputElement>} */ (document.querySelectorAll('#train-score-columns input[type="checkbox"]:checked'))].map((c) => /** @type {string} */ (c.dataset.column));
  if (drop.length) o.drop = drop;
  for (const [key, id] of NUMBERS) o[key] = Number($input(`train-score-${id}`).value);
  return o;
}

// The CLI command that trains the same bytes.
/** @param {string} name @param {FC.TrainScoreOptions} o */
export function command(name, o) {
  const args = ['funnelcast train score', `--data ${quote(name)}`, `--target ${quote(o.target)}`];
  if (o.positive) args.push(`--positive ${quote(o.positive)}`);
  if (o.id) args.push(`--id ${quote(o.id)}`);
  if (o.drop) args.push(`--drop ${quote(Array.isArray(o.drop) ? o.drop.join(',') : o.drop)}`);
  args.push(`--out ${quote(modelFile(name))}`, '--threads 1', `--folds ${o.folds}`);
  args.push(`--param num_iterations=${o.iterations}`, `--param learning_rate=${o.learning_rate}`, `--param num_leaves=${o.num_leaves}`, `--param seed=${o.seed}`);
  return args.join(' ');
}

function showCommand() {
  if (!table || !inspected) return;
  const o = options();
  $('train-score-command').textContent = o.target ? `The same model from the CLI: ${command(table.name, o)}` : '';
}

// The request waiting for the worker's answer: rejected when the worker is stopped, so a
// cancelled run ends (and the Train button comes back) instead of waiting forever.
/** @type {((error: Error) => void) | null} */
let waiting = null;

// Workers that run some of the folds beside the table's worker (trainShared).
/** @type {Worker[]} */
let helpers = [];
// The folds are shared among this many workers at most (memory: each holds the table).
const MAX_WORKERS = 4;

function stop() {
  if (worker) worker.terminate();
  worker = null;
  for (const h of helpers) h.terminate();
  helpers = [];
  if (waiting) waiting(Object.assign(new Error('the training worker was stopped'), { stopped: true }));
  waiting = null;
}

/** @param {Progress | null} p */
function progress(p) {
  showProgress('train-score', p);
  $('train-score-progress').hidden = !p;
}

// The training worker for the table; sends it the table the first time.
/**
 * @template {'inspect' | 'score' | 'folds'} T
 * @param {{type: T, options: Partial<FC.TrainScoreOptions>, folds?: number[] | FC.TrainScoreFold[]}} message
 * @param {(p: Progress & {fold?: number}) => void} [told] its progress reports (default: the bar)
 * @returns {Promise<T extends 'inspect' ? InspectReply : T extends 'folds' ? FoldsReply : TrainScoreReply>}
 */
function post(message, told = progress) {
  return new Promise((resolve, reject) => {
    let fresh = false;
    if (!worker) {
      worker = new Worker(new URL('../train-worker.js', import.meta.url), { type: 'module', name: 'funnelcast-train' });
      fresh = true;
    }
    const w = worker;
    waiting = reject;
    w.onmessage = (e) => {
      if (w !== worker) return;
      const msg = e.data;
      if (msg.progress) return told(msg.progress);
      waiting = null;
      if (msg.ok) resolve(msg);
      else reject(new Error(msg.error));
    };
    w.onerror = (e) => {
      e.preventDefault();
      if (w !== worker) return;
      waiting = null;
      stop();
      reject(new Error(`the training worker stopped (${e.message || 'out of memory?'}). The table may be too large to train on in this tab: train it with the CLI and load the model.`));
    };
    const t = /** @type {NonNullable<typeof table>} */ (table); // set: the callers return without one
    const input = fresh && message.type === 'inspect' ? { bytes: t.bytes.slice(), name: t.name } : undefined;
    w.postMessage({ ...message, input }, input ? [input.bytes.buffer] : []);
  });
}

// A helper worker for the folds: its first run sends it a copy of the table, which it keeps.
/** @param {NonNullable<typeof table>} t @param {FC.TrainScoreOptions} o @param {(p: Progress & {fold?: number}) => void} told @returns {(folds: number[]) => Promise<FoldsReply>} */
function helper(t, o, told) {
  const w = new Worker(new URL('../train-worker.js', import.meta.url), { type: 'module', name: 'funnelcast-train-folds' });
  helpers.push(w);
  /** @type {{resolve: (r: FoldsReply) => void, reject: (e: Error) => void} | null} */
  let pending = null;
  const settle = (/** @type {FoldsReply | Error} */ r) => {
    const p = pending;
    pending = null;
    if (p) r instanceof Error ? p.reject(r) : p.resolve(r);
  };
  w.onmessage = (e) => {
    const msg = e.data;
    if (msg.progress) return told(msg.progress);
    settle(msg.ok ? msg : new Error(msg.error));
  };
  w.onerror = (e) => {
    e.preventDefault();
    settle(new Error(`a training worker stopped (${e.message || 'out of memory?'}). The table may be too large to train on in this tab: train it with the CLI and load the model.`));
  };
  let first = true;
  return (folds) =>
    new Promise((resolve, reject) => {
      pending = { resolve, reject };
      const input = first ? { bytes: t.bytes.slice(), name: t.name } : undefined;
      first = false;
      w.postMessage({ type: 'folds', input, options: o, folds }, input ? [input.bytes.buffer] : []);
    });
}

// Trains with the cross-validation's folds shared among `n` workers (the table's and n - 1
// helpers): each takes the next fold as soon as it is free, so a slower core (or one the
// machine's other work holds) runs fewer; then the table's worker finishes the model from
// every fold's result. The bytes are the one-worker run's whichever worker ran which fold
// (the wasm and e2e tests hold it). Fewer than 2 workers or folds: the table's worker
// trains alone.
/** @param {FC.TrainScoreOptions} o @param {number} n @returns {Promise<{reply: TrainScoreReply, workers: number}>} */
async function trainShared(o, n) {
  const count = Number(o.folds);
  const workers = Number.isInteger(count) && count >= 2 ? Math.max(1, Math.min(n, MAX_WORKERS, count)) : 1;
  if (workers === 1) return { reply: await post({ type: 'score', options: o }), workers };
  const t = /** @type {NonNullable<typeof table>} */ (table);
  const done = new Float64Array(count);
  /** @param {Progress & {fold?: number}} p */
  const told = (p) => {
    if (typeof p.fold !== 'number' || !(p.fold >= 0 && p.fold < count)) return;
    done[p.fold] = Number(p.fraction) || 0;
    const finished = done.filter((f) => f >= 1).length;
    progress({ stage: `cross-validation on ${workers} workers: ${finished} of ${count} folds done`, fraction: done.reduce((a, b) => a + b, 0) / (count + 2) });
  };
  const queue = Array.from({ length: count }, (_, k) => k);
  /** @type {FC.TrainScoreFold[]} */
  const results = [];
  let failed = false; // once a fold failed (or the run was cancelled), no worker takes another
  /** @param {(folds: number[]) => Promise<FoldsReply>} run */
  const drain = async (run) => {
    while (queue.length && !failed) results.push(...(await run([/** @type {number} */ (queue.shift())])).results);
  };
  try {
    const runs = [drain((folds) => post({ type: 'folds', options: o, folds }, told))];
    for (let w = 1; w < workers; ++w) runs.push(drain(helper(t, o, told)));
    await Promise.all(runs);
  } catch (e) {
    failed = true;
    if (!(/** @type {any} */ (e).stopped)) stop(); // a fold failed: every worker stops
    throw e;
  } finally {
    for (const h of helpers) h.terminate();
    helpers = [];
  }
  return { reply: await post({ type: 'score', options: o, folds: results }), workers };
}

/** @param {string} message */
function fail(message) {
  setState('failed');
  progress(null);
  showError('train-score-error', message);
}

// Reads the table as the core will train on it (again when the outcome or columns change).
async function inspect() {
  if (!table) return;
  setState('inspecting');
  showError('train-score-error', '');
  $('train-score-result').hidden = true;
  /** @type {Partial<FC.TrainScoreOptions>} */
  const o = inspected ? options() : {};
  const fresh = !worker;
  try {
    if (fresh) inspected = null;
    const r = await post({ type: 'inspect', options: { target: o.target, positive: o.positive, id: o.id, drop: o.drop } });
    inspected = r;
    renderSetup(r, o);
    if (r.error) fail(r.error);
    else setState(r.report ? 'ready' : 'choosing');
    performance.mark('fc-train-table-read');
  } catch (e) {
    if (e.stopped) return; // another table was chosen meanwhile
    if (fresh || !inspected) $('train-score-setup').hidden = true;
    fail(e.message);
  } finally {
    progress(null);
  }
}

// A candidate's share of positives as the selector and the note say it: "20.0% are 1".
/** @param {FC.OutcomeCandidate} c */
const rateText = (c) => (c.positive_rate == null ? 'neither label is a known yes' : `${F.fmtPercent(c.positive_rate)} are ${c.positive}`);

// The Outcome selector: the core's candidates first (why, share of positives), then every
// other column; nothing chosen ("choose") when the guess is not certain and none was asked.
/** @param {InspectReply} r */
function renderTarget(r) {
  const target = $select('train-score-target');
  const candidates = new Map(r.guess.candidates.map((c) => [c.name, c]));
  /** @type {(c: InspectReply['columns'][number]) => HTMLOptionElement} */
  const option = (c) => {
    const k = candidates.get(c.name);
    const what = k ? `${k.reason}; ${rateText(k)}` : `${c.type}${c.levels ? `, ${F.fmtCount(c.levels)} values` : ''}`;
    return el('option', { value: c.name, text: `${c.name} (${what})` });
  };
  const byName = new Map(r.columns.map((c) => [c.name, c]));
  const likely = r.guess.candidates.map((k) => byName.get(k.name)).filter((c) => !!c);
  const others = r.columns.filter((c) => !candidates.has(c.name));
  target.replaceChildren(
    ...(r.target ? [] : [el('option', { value: '', text: '— choose the outcome —' })]),
    ...(likely.length ? [el('optgroup', { label: 'Likely outcomes' }, ...likely.map(option))] : []),
    ...(others.length ? [el('optgroup', { label: likely.length ? 'Other columns' : 'Columns' }, ...others.map(option))] : []),
  );
  target.value = r.target || '';
  const guessed = r.target && r.guess.certain && r.target === r.guess.column ? candidates.get(r.target) : null;
  let note = '';
  if (!r.target) {
    note = r.guess.candidates.length
      ? `Which column is the outcome? The guess is not certain: the likely ones are listed first with their share of positives. Choose one to train.`
      : 'Which column is the outcome? None has two values or a name like converted, status or response: choose it.';
  } else if (guessed && !$select('train-score-target').dataset.chosen) {
    note = `Outcome guessed: ${guessed.name} (${guessed.reason}; ${rateText(guessed)}). Choose another column if this is not the outcome.`;
  }
  $('train-score-target-note').textContent = note;
  $('train-score-target-note').hidden = !note;
}

/** @param {InspectReply} r @param {Partial<FC.TrainScoreOptions>} asked */
function renderSetup(r, asked) {
  renderTarget(r);
  const t = r.report ? r.report.target : null;
  const positive = $select('train-score-positive');
  positive.replaceChildren(...(t ? [t.positive, t.negative] : []).map((l) => el('option', { value: l, text: l })));
  if (t) positive.value = asked.positive && [t.positive, t.negative].includes(asked.positive) ? asked.positive : t.positive;
  const id = $select('train-score-id');
  const detected = r.report ? r.report.data.columns.find((c) => c.use === 'id') : null;
  id.replaceChildren(el('option', { value: '', text: detected ? `detected: ${detected.name}` : 'none (line numbers)' }), ...r.columns.filter((c) => c.name !== r.target).map((c) => el('option', { value: c.name, text: c.name })));
  id.value = asked.id || '';
  const asks = new Set(asked.drop || []);
  const uses = new Map(r.report ? r.report.data.columns.map((c) => [c.name, c]) : []);
  $table('train-score-columns').tBodies[0].replaceChildren(
    ...r.columns.map((c) => {
      // Without a report (no outcome yet, or one that cannot be trained for) no use is known.
      const u = uses.get(c.name) || { use: r.report ? 'dropped' : 'unknown', reason: null };
      const box = el('input', { type: 'checkbox', checked: asks.has(c.name), disabled: u.use === 'target' || u.use === 'id', dataset: { column: c.name }, 'aria-label': `Leave ${c.name} out` });
      box.addEventListener('change', inspect);
      return el(
        'tr',
        { class: `use-${u.use}`, dataset: { column: c.name, use: u.use } },
        el('th', { scope: 'row', text: c.name }),
        el('td', { text: c.type + (c.levels ? ` (${F.fmtCount(c.levels)} values)` : '') }),
        el('td', { class: 'num', text: F.fmtCount(c.missing) }),
        el('td', { text: u.use === 'target' && t ? `outcome: ${t.positive} (${F.fmtPercent(t.positive_rate)}) vs ${t.negative}` : u.use === 'unknown' ? '–' : u.use }),
        el('td', { text: u.reason || '' }),
        el('td', {}, box),
      );
    }),
  );
  const notes = [...((r.report && r.report.warnings) || []), ...(r.notices || [])];
  $('train-score-warnings').replaceChildren(...notes.map((n) => el('li', { text: pageWords(n) })));
  $('train-score-warnings').hidden = !notes.length;
  $('train-score-setup').hidden = false;
  // Train only for an outcome the core has read (a certain guess, or the user's choice).
  $button('train-score-start').disabled = !r.report;
  showCommand();
}

async function train() {
  if (!table || !inspected || !inspected.report) return;
  const o = options();
  setState('running');
  showError('train-score-error', '');
  $('train-score-result').hidden = true;
  $button('train-score-start').disabled = true;
  performance.mark('fc-score-train-start');
  try {
    if (!worker) await post({ type: 'inspect', options: { target: o.target, positive: o.positive, id: o.id, drop: o.drop } });
    // The folds shared among as many workers as the browser says it has cores.
    const { reply: r, workers } = await trainShared(o, navigator.hardwareConcurrency || 1);
    performance.mark('fc-score-train-done');
    finish(r, o, workers);
  } catch (e) {
    if (e.stopped || $('score-train-panel').dataset.state === 'cancelled') return;
    fail(`Training failed: ${e.message}`);
  } finally {
    progress(null);
    $button('train-score-start').disabled = false;
  }
}

function cancel() {
  if ($('score-train-panel').dataset.state !== 'running') return;
  setState('cancelled');
  stop();
  progress(null);
  $('train-score-status').textContent = 'Training cancelled.';
}

/** @type {(m: FC.MetricSummary | undefined) => string} */
const meanStd = (m) => (m && F.isNum(m.mean) ? `${m.mean.toFixed(3)} ± ${(F.isNum(m.std) ? m.std : 0).toFixed(3)}` : 'n/a');
/** @type {(x: number | null | undefined) => string} */
const fixed3 = (x) => (F.isNum(x) ? x.toFixed(3) : 'n/a');

// The report as the CLI prints it, the download, and the model into lead scoring.
/** @param {TrainScoreReply} r @param {FC.TrainScoreOptions} o @param {number} workers */
function finish(r, o, workers) {
  const t = /** @type {NonNullable<typeof table>} */ (table); // set: a run trains the table shown
  const rep = r.report;
  const name = modelFile(t.name);
  result = { bytes: r.model.slice(), name };
  setState('done');
  /** @type {FC.ScoreMetricName[]} */
  const keys = ['roc_auc', 'pr_auc', 'logloss', 'brier', 'accuracy', 'precision', 'recall', 'f1'];
  const models = rep.comparison || [];
  $table('train-score-cv').tHead.replaceChildren(el('tr', {}, el('th', { scope: 'col', text: 'Metric' }), el('th', { scope: 'col', class: 'num', text: 'CV mean ± std' }), ...models.map((m) => el('th', { scope: 'col', class: 'num', text: `${m.name}, out of fold` }))));
  $table('train-score-cv').tBodies[0].replaceChildren(
    ...keys.map((k) => el('tr', { dataset: { metric: k } }, el('th', { scope: 'row', text: k }), el('td', { class: 'num', text: meanStd(rep.cv && rep.cv[k]), dataset: { mean: String(rep.cv && rep.cv[k] ? rep.cv[k].mean : ''), std: String(rep.cv && rep.cv[k] ? rep.cv[k].std : '') } }), ...models.map((m) => el('td', { class: 'num', text: fixed3(m[k]) })))),
  );
  $('train-score-status').textContent = `Trained ${name}: ${rep.trees} trees, threshold ${Number(rep.threshold).toFixed(3)} (${rep.threshold_rule}), ${rep.folds} folds on ${F.fmtCount(rep.data.rows_used)} leads${workers > 1 ? `, the folds shared among ${workers} workers` : ''}.`;
  const notes = [...new Set([...(rep.warnings || []), ...(r.notices || []), ...(rep.notices || [])])];
  $('train-score-notices').replaceChildren(...notes.map((n) => el('li', { text: pageWords(n) })));
  $('train-score-notices').hidden = !notes.length;
  $('train-score-result').hidden = false;
  open('trained-score-model', { model: r.model, name, table: t.source }).then(() => performance.mark('fc-score-train-drawn'));
}

// A labelled table: read in the page (a copy goes to the worker), then inspected.
/** @param {Extract<Source, {kind: 'file' | 'url'}>} source */
async function openTable(source) {
  performance.mark('fc-train-table-opened');
  ctx.showView('scoring');
  stop();
  showError('train-table-error', '');
  showError('train-score-error', '');
  $('train-score-setup').hidden = true;
  $('train-score-result').hidden = true;
  $('train-score-status').textContent = '';
  delete $select('train-score-target').dataset.chosen;
  inspected = null;
  /** @type {Uint8Array} */ let bytes;
  try {
    if (source.kind === 'file') bytes = new Uint8Array(await source.file.arrayBuffer());
    else {
      const res = await fetch(source.url);
      if (!res.ok) throw new Error(`${source.label}: the server answered ${res.status}`);
      bytes = new Uint8Array(await res.arrayBuffer());
    }
  } catch (e) {
    showError('train-table-error', e.message);
    return;
  }
  table = { source, bytes, name: /** @type {string} */ (sourceLabel(source).replace(/ \(.*\)$/, '').split('/').pop()) };
  showFile('train-table', sourceLabel(source), F.fmtBytes(bytes.length));
  await inspect();
}

function build() {
  const numbers = NUMBERS.map(([key, id, label, min, max, step]) => el('label', {}, label, el('input', { type: 'number', id: `train-score-${id}`, min, max, step, value: String(DEFAULTS[key]) })));
  /** @type {(id: string, label: string) => HTMLLabelElement} */
  const select = (id, label) => el('label', {}, label, el('select', { id }));
  const head = ['Column', 'Type', 'Empty cells', 'Use', 'Why', 'Leave out'].map((h) => el('th', { scope: 'col', text: h }));
  $('sc-train').append(
    el(
      'section',
      { class: 'panel', id: 'score-train-panel', 'aria-labelledby': 'score-train-title', dataset: { state: 'idle' } },
      el('div', { class: 'panel-head' }, el('h2', { id: 'score-train-title', text: 'Train a scoring model' })),
      el('p', { class: 'muted', text: 'A table of past leads with their outcome (a yes/no column) is enough: funnelcast learns which leads convert, in a worker of this tab, and measures it by stratified cross-validation. The model is the one funnelcast train score --threads 1 makes with the same options, byte for byte.' }),
      el('div', { class: 'sources-grid' }, sourceBox({ kind: 'train-table', title: 'Past leads', hint: 'a CSV with the outcome column', button: 'Choose CSV…', accept: CSV_TYPES, onFile: (file) => openTable({ kind: 'file', file }) })),
      el('button', { type: 'button', class: 'secondary small', id: 'train-score-demo', text: 'Try it on the demo leads' }),
      el(
        'div',
        { id: 'train-score-setup', hidden: true },
        el('form', { class: 'controls', id: 'train-score-form' }, select('train-score-target', 'Outcome'), select('train-score-positive', 'Counts as converted'), select('train-score-id', 'Id column'), ...numbers),
        el('p', { class: 'note', id: 'train-score-target-note', 'aria-live': 'polite', hidden: true }),
        el('div', { class: 'table-wrap' }, el('table', { class: 'data-table', id: 'train-score-columns' }, el('caption', { text: 'The columns as the core reads them for training' }), el('thead', {}, el('tr', {}, ...head)), el('tbody'))),
        el('ul', { class: 'notices warnings', id: 'train-score-warnings', hidden: true }),
        el('p', { class: 'muted command', id: 'train-score-command' }),
        el('button', { type: 'button', id: 'train-score-start', text: 'Train' }),
      ),
      el(
        'div',
        { class: 'progress', id: 'train-score-progress', hidden: true },
        el('progress', { id: 'train-score-progress-bar', max: 1, 'aria-label': 'Training' }),
        el('span', { id: 'train-score-progress-text' }),
        el('button', { type: 'button', class: 'secondary small', id: 'train-score-cancel', text: 'Cancel' }),
      ),
      el('p', { class: 'note', id: 'train-score-status', 'aria-live': 'polite' }),
      el('p', { class: 'error', id: 'train-score-error', role: 'alert', hidden: true }),
      el(
        'div',
        { id: 'train-score-result', hidden: true },
        el('div', { class: 'table-wrap' }, el('table', { class: 'data-table', id: 'train-score-cv' }, el('caption', { text: 'Cross-validation (the report funnelcast train score --report writes)' }), el('thead'), el('tbody'))),
        el('ul', { class: 'notices', id: 'train-score-notices', hidden: true }),
        el('p', { class: 'note', text: 'The model now scores its table in lead scoring above.' }),
        el('button', { type: 'button', id: 'train-score-download', text: 'Download model (.fcm)' }),
      ),
    ),
  );
  // Another outcome has other labels: its positive one is detected again.
  $('train-score-target').addEventListener('change', () => {
    $select('train-score-target').dataset.chosen = 'true'; // the user's choice: no longer "guessed"
    $('train-score-positive').replaceChildren();
    inspect();
  });
  for (const id of ['train-score-positive', 'train-score-id']) $(id).addEventListener('change', inspect);
  $('train-score-form').addEventListener('input', showCommand);
  $('train-score-form').addEventListener('submit', (e) => e.preventDefault());
  $('train-score-start').addEventListener('click', train);
  $('train-score-cancel').addEventListener('click', cancel);
  $('train-score-demo').addEventListener('click', () => openTable(urlSource(DEMO_LEADS, `${DEMO_LEADS} (demo leads)`)));
  $('train-score-download').addEventListener('click', () => result && download(result.name, new Blob([result.bytes], { type: 'application/octet-stream' })));
}

/** @type {import('../types').Panel} */
export default {
  name: 'score-training',
  /** @param {Shell} shell */
  setup(shell) {
    ctx = shell;
    build();
    opener('train-table', openTable);
  },
};
