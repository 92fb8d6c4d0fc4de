// @ts-check
// Training a forecast model for the user's own data. When the data shown is not the
// bundled demo data and the user has not loaded a model of their own (the demo model does
// not count), a model is trained for it in a dedicated worker (train-worker.js, which
// loads the training bundle), with progress and a Cancel button (cancelling terminates
// that worker; the dashboard's worker never trains). When it is done: the candidates'
// cross-validation as the CLI prints it, a download of the .fcm, and the model loaded
// into the dashboard's worker through the normal model path (its schema checked by
// modelFits before every forecast). Errors (daily data, too little history, too large a
// file) are shown here, in the forecast panel.
import { $, $input, $table, download, el, pageWords, showError, throttled } from '../dom.js';
import { intervalName } from '../format.js';
import { coverageText, renderComparison } from './cv.js';

// Lighter than the CLI's defaults (5 folds, 600 trees, learning rate 0.05), so two years of
// hourly data train in about 15 s in a tab (docs/web-app.md); the same options give the
// same bytes as `funnelcast train forecast --threads 1`. The horizon is the CLI's default
// for the interval: a week of hourly data, 14 days of daily data, 13 weeks of weekly data.
/** @typedef {Required<Pick<import('../../wasm/funnelcast').TrainForecastOptions, 'folds' | 'horizon' | 'iterations' | 'learning_rate' | 'seed'>> & Pick<import('../../wasm/funnelcast').TrainForecastOptions, 'by'>} Training */
/** @type {Training} */
export const TRAINING = { folds: 3, horizon: 168, iterations: 300, learning_rate: 0.1, seed: 0 };
const DAY = 86400;
const WEEK = 604800;
/** @param {number} step @returns {Training} */
const trainingFor = (step) => {
  const t = step === WEEK ? { ...TRAINING, horizon: 13 } : step === DAY ? { ...TRAINING, horizon: 14 } : TRAINING;
  // Every channel from one model (`--by channel`): asked for with the box, on hourly, daily
  // or weekly data with channels.
  return byChannelOffered() && $input('train-by-channel').checked ? { ...t, by: /** @type {'channel'} */ ('channel') } : t;
};
// The box is offered where a by-channel model can be trained: two channels or more.
const byChannelOffered = () => {
  const s = ctx && ctx.store.schema;
  return !!s && s.channels.length >= 2;
};
/** @param {number} step */
const stepUnit = (step) => (step === WEEK ? 'week' : step === DAY ? 'day' : 'hour');

/** @type {import('../types').Shell} */
let ctx = /** @type {any} */ (null);
/** @import { AcceptedSchema, DashboardCalls, Progress, StoreState, TrainForecastReply, TrainingRun } from '../types' */
/** @type {TrainingRun | null} */
let run = null; // the current run: {key, source, state, worker}
/** @type {string | null} */
let trainedFor = null; // the data key the loaded trained model was made for
/** @type {{bytes: Uint8Array<ArrayBuffer>, name: string} | null} */
let result = null; // {bytes, name}: the trained model, for the download

// The data a model is trained for: the file and how it is read.
/** @type {(s: AcceptedSchema) => string} */
const dataKey = (s) => JSON.stringify([s.source, s.pinnedRoles, s.events, s.gaps, trainingFor(s.step).by || null]);
/** @type {(source: string) => string} */
const modelFile = (source) => `${source.replace(/\.[^.]*$/, '') || 'data'}-forecast.fcm`;

// The CLI command that trains the same model (roles pinned in the page as flags).
/** @param {string} source @param {DashboardCalls['trainingInput'] | null} input @param {Training} t */
function command(source, input, t) {
  const args = ['funnelcast train forecast', `--data ${source}`, `--out ${modelFile(source)}`, '--threads 1'];
  args.push(`--folds ${t.folds}`, `--horizon ${t.horizon}`);
  if (t.by) args.push(`--by ${t.by}`);
  for (const [role, column] of Object.entries((input && input.roles) || {})) {
    if (role === 'leads' && input && input.events) continue;
    args.push(`--${role === 'channel' ? 'channel-column' : role} ${column == null ? '-' : column}`);
  }
  if (input && input.events) args.push('--events');
  if (input && input.gaps === 'zero') args.push('--gaps zero');
  args.push(`--param num_iterations=${t.iterations}`, `--param learning_rate=${t.learning_rate}`, `--param seed=${t.seed}`);
  return args.join(' ');
}

/**
 * @param {TrainingRun['state'] | null} state
 * @param {{status?: string, error?: string, progress?: Progress | null, retry?: boolean}} [options]
 */
function show(state, { status = '', error = '', progress = null, retry = false } = {}) {
  const box = $('train-box');
  box.hidden = state == null;
  box.dataset.state = state || '';
  $('train-status').textContent = status;
  showError('train-error', error);
  $('train-progress').hidden = state !== 'running';
  // Training is deterministic: "Train again" only where another run can end otherwise
  // (after Cancel, or a worker that stopped), never after the data was refused.
  $('train-again').hidden = !(state === 'cancelled' || (state === 'failed' && retry));
  $('train-result').hidden = state !== 'done';
  $('train-by-channel-label').hidden = state == null || state === 'unsupported' || !byChannelOffered();
  if (progress) {
    const bar = /** @type {HTMLProgressElement} */ ($('train-progress-bar'));
    if (progress.fraction == null) bar.removeAttribute('value');
    else bar.value = progress.fraction;
    const pct = progress.fraction == null ? '' : ` ${Math.round(progress.fraction * 100)}%`;
    $('train-progress-text').textContent = `${progress.stage}…${pct}`;
  }
}

/** @param {string} source @param {DashboardCalls['trainingInput'] | null} input @param {number} step */
function settings(source, input, step) {
  const t = trainingFor(step);
  $('train-title').textContent = t.by ? `A forecast model of every channel of ${source}` : `A forecast model for ${source}`;
  $('train-settings').textContent =
    `Trained in this tab with lighter settings than the CLI's defaults (5 folds, 600 trees, learning rate 0.05): ${t.folds} folds, ` +
    `at most ${t.iterations} trees, learning rate ${t.learning_rate}, a ${t.horizon}-${stepUnit(step)} horizon, seed ${t.seed}. ` +
    `The same model from the CLI: ${command(source, input, t)}`;
}

// The model loaded was not made for this data (the demo model, or one trained here for
// other data): it is not applied to it.
function dropBorrowedModel() {
  if (!ctx.store.modelOrigin) return;
  ctx.store.setModel(null, null, null);
  ctx.engine.call('dropModel').catch(() => {});
}

function stop() {
  if (run) for (const w of run.workers) w.terminate();
  if (run) run.workers = [];
}

function cancel() {
  if (!run || run.state !== 'running') return;
  stop();
  run.state = 'cancelled';
  show('cancelled', { status: 'Training cancelled. No forecast is drawn for this data until a model is trained or loaded.' });
}

/** @param {TrainingRun} r @param {string} message @param {boolean} [retry] another run might succeed */
function fail(r, message, retry = false) {
  if (r !== run) return;
  stop();
  r.state = 'failed';
  show('failed', { error: `Training failed: ${pageWords(message)}`, retry });
}

// Starts a run for the data shown: the dashboard's worker hands over a copy of the CSV
// bytes and the roles and reading options pinned on the table; the training worker reads
// and trains.
async function start() {
  const { store, engine } = ctx;
  const schema = store.schema;
  if (!schema) return; // never: a run starts for the data shown
  stop();
  /** @type {TrainingRun} */
  const r = { key: dataKey(schema), source: schema.source, state: 'running', workers: [] };
  run = r;
  store.training = r;
  result = null;
  const step = schema.step;
  settings(r.source, null, step);
  show('running', { status: 'Training a forecast model for this data…', progress: { stage: 'Preparing', fraction: null } });
  dropBorrowedModel();
  /** @type {import('../types').DashboardCalls['trainingInput']} */ let input;
  try {
    input = await engine.call('trainingInput');
  } catch (e) {
    fail(r, e.message);
    return;
  }
  if (r !== run || r.state !== 'running') return;
  settings(r.source, input, step);
  performance.mark('fc-train-start'); // bench/page_load.mjs --train reads the fc-train-* marks
  // The bar redrawn at most 4 times a second (each redraw is a frame the training wants).
  const told = throttled((/** @type {Progress} */ p) => {
    if (r === run && r.state === 'running') show('running', { status: 'Training a forecast model for this data…', progress: p });
  });
  /** @type {TrainForecastReply} */ let reply;
  try {
    reply = await trainShared(r, input, trainingFor(step), navigator.hardwareConcurrency || 1, told);
  } catch (e) {
    told.cancel();
    if (r !== run || r.state !== 'running') return;
    fail(r, /** @type {Error} */ (e).message, !!(/** @type {any} */ (e).retry));
    return;
  }
  told.cancel();
  if (r !== run || r.state !== 'running') return;
  finish(r, reply);
}

// At most this many workers share a run's forecasters (each its own wasm instance and copy
// of the data).
const MAX_WORKERS = 4;

// A training worker of run `r` answering one message at a time.
/** @param {TrainingRun} r @param {string} name @param {(p: Progress & {fold?: number}) => void} told */
function trainWorker(r, name, told) {
  const w = new Worker(new URL('../train-worker.js', import.meta.url), { type: 'module', name });
  r.workers.push(w);
  /** @type {{resolve: (msg: any) => void, reject: (e: Error) => void} | null} */
  let pending = null;
  /** @param {any} msg */
  const settle = (msg) => {
    const p = pending;
    pending = null;
    if (p) msg instanceof Error ? p.reject(msg) : msg.ok ? p.resolve(msg) : p.reject(new Error(msg.error));
  };
  w.onmessage = (e) => (e.data.progress ? told(e.data.progress) : settle(e.data));
  w.onerror = (e) => {
    e.preventDefault();
    settle(Object.assign(new Error(`the training worker stopped (${e.message || 'out of memory?'}). The data may be too large to train in this tab: train it with the CLI and load the model.`), { retry: true }));
  };
  /** @param {object} message @param {Transferable[]} [transfer] */
  return (message, transfer = []) =>
    new Promise((resolve, reject) => {
      pending = { resolve, reject };
      w.postMessage(message, transfer);
    });
}

// Trains run r's model. On one worker when the browser reports one core or a model of every
// channel is trained (its forecasters cross-validate together); else the forecasters are
// shared among min(cores, 4, forecasters) workers: the run's worker and helpers that each
// read their own copy of the data, every worker taking the next forecaster when it is free
// (the tree ensembles first: they take the longest); then the run's worker finishes the
// model from every forecaster's results. The model has the bytes one worker gives,
// whichever worker ran which forecaster (the C++, wasm and e2e tests hold it).
/** @param {TrainingRun} r @param {DashboardCalls['trainingInput']} input @param {Training} options @param {number} cores @param {(p: Progress) => void} told @returns {Promise<TrainForecastReply>} */
async function trainShared(r, input, options, cores, told) {
  const n = Math.min(cores, MAX_WORKERS);
  if (n < 2 || options.by) {
    const send = trainWorker(r, 'funnelcast-train', told);
    return send({ input, options }, [input.bytes.buffer]);
  }
  /** @type {Float64Array} */ let done = new Float64Array(0);
  let names = /** @type {string[]} */ ([]);
  let workers = 1;
  /** @param {Progress & {fold?: number}} p */
  const shared = (p) => {
    if (typeof p.fold !== 'number') return told(p); // the run's worker reading the data, finishing
    if (!(p.fold >= 0 && p.fold < done.length)) return;
    done[p.fold] = Number(p.fraction) || 0;
    const finished = done.filter((f) => f >= 1).length;
    told({ stage: `cross-validation on ${workers} workers: ${finished} of ${names.length} forecasters done`, fraction: done.reduce((a, b) => a + b, 0) / (names.length + 1) });
  };
  const copy = () => ({ ...input, bytes: input.bytes.slice() });
  const main = trainWorker(r, 'funnelcast-train', shared);
  const first = copy();
  const plan = await main({ type: 'plan', input: first, options }, [first.bytes.buffer]);
  names = plan.names;
  done = new Float64Array(names.length);
  workers = Math.max(1, Math.min(n, names.length));
  // The tree ensembles first (the longest), the others after, each in the plan's order.
  const queue = names.map((_, k) => k).sort((a, b) => Number(names[b].startsWith('gbdt')) - Number(names[a].startsWith('gbdt')) || a - b);
  /** @type {import('../../wasm/funnelcast').TrainForecastCandidate[]} */
  const results = [];
  let failed = false; // once a forecaster failed, no worker takes another
  /** @param {(message: object, transfer?: Transferable[]) => Promise<any>} send @param {boolean} helper */
  const drain = async (send, helper) => {
    let fresh = helper;
    while (queue.length && !failed) {
      const k = /** @type {number} */ (queue.shift());
      const input1 = fresh ? copy() : undefined;
      fresh = false;
      const reply = await send({ type: 'candidates', input: input1, options, candidates: [k] }, input1 ? [input1.bytes.buffer] : []);
      results.push(...reply.results);
    }
  };
  try {
    const runs = [drain(main, false)];
    for (let w = 1; w < workers; ++w) runs.push(drain(trainWorker(r, 'funnelcast-train-candidates', shared), true));
    await Promise.all(runs);
  } catch (e) {
    failed = true;
    throw e;
  }
  // The helpers are done: their memory back before the final fit.
  for (const w of r.workers.slice(1)) w.terminate();
  r.workers.splice(1);
  return main({ type: 'forecast', options, candidates: results });
}

// The trained model: its cross-validation, its download, and loaded into the dashboard.
/** @param {TrainingRun} r @param {TrainForecastReply} msg */
async function finish(r, msg) {
  performance.mark('fc-train-done');
  stop();
  r.state = 'done';
  const name = modelFile(r.source);
  result = { bytes: msg.model.slice(), name };
  const report = msg.report;
  renderComparison($table('train-table'), report.comparison, report.selected);
  $('train-coverage').textContent = coverageText(report.coverage);
  const notices = [...new Set([...(msg.notices || []), ...(report.notices || [])])];
  $('train-notices').replaceChildren(...notices.map((n) => el('li', { text: pageWords(n) })));
  $('train-notices').hidden = !notices.length;
  const b = report.backtest;
  const how = b && b.selected_by === 'mase' ? `lowest MASE over ${b.origins} backtests of ${b.horizon} ${stepUnit(ctx.store.schema ? ctx.store.schema.step : 3600)}s` : `lowest recursive RMSE over ${report.cv.folds} folds`;
  show('done', { status: `Trained ${name}: ${report.selected} was selected (${how}).` });
  /** @type {import('../types').DashboardCalls['openModel']} */ let loaded;
  try {
    loaded = await ctx.engine.call('openModel', { source: { kind: 'bytes', bytes: msg.model, name }, adopt: false }, { transfer: [msg.model.buffer] });
  } catch (e) {
    fail(r, `the trained model could not be loaded: ${e.message}`);
    return;
  }
  if (r !== run) return;
  trainedFor = r.key;
  ctx.store.setModel(loaded.header, name, 'trained');
  await ctx.refreshPanel('forecast');
  performance.mark('fc-train-drawn');
}

// The user's data without a model of the user's own: a model is trained for it.
/** @param {StoreState} store */
const trainingWanted = (store) => store.dataOrigin === 'user' && store.modelOrigin !== 'user';

// A new table: train when it is the user's data without a model of the user's own, unless
// the model loaded was trained here for this very data (a reload of the same file).
/** @param {StoreState} store */
function onData(store) {
  if (!trainingWanted(store)) {
    stop();
    run = null;
    store.training = null;
    show(null);
    return;
  }
  const schema = /** @type {AcceptedSchema} */ (store.schema); // set: this follows 'data'
  if (schema.step > 3600 && schema.step !== DAY && schema.step !== WEEK) {
    // Forecasting works on hourly, daily and weekly data: a 2-hourly file is not trained
    // for at all, and says so once, without a button that could only fail again.
    stop();
    run = { key: dataKey(schema), source: schema.source, state: 'unsupported', workers: [] };
    store.training = run;
    dropBorrowedModel();
    show('unsupported', {
      status: `No forecast for ${schema.source}: forecasts are made from hourly rows (or finer ones, summed to hours), daily or weekly rows, and this file has one row per ${intervalName(schema.step)}. Its KPIs and anomalies are shown above.`,
    });
    return;
  }
  const key = dataKey(schema);
  if (run && run.key === key && (run.state === 'running' || (run.state === 'done' && store.modelOrigin === 'trained' && trainedFor === key))) return;
  start();
}

// The user loaded a model of their own: it is used (or refused with the reason), not trained over.
/** @param {StoreState} store */
function onModel(store) {
  if (store.modelOrigin !== 'user' || !run) return;
  stop();
  run = null;
  store.training = null;
  show(null);
}

/** @param {import('../types').Shell} shell */
function setup(shell) {
  ctx = shell;
  ctx.store.on('data', onData);
  ctx.store.on('model', onModel);
  $('train-cancel').addEventListener('click', async () => {
    cancel();
    await ctx.refreshPanel('forecast');
  });
  $('train-again').addEventListener('click', () => start());
  // Another kind of model asked for: trained at once (a run in progress is replaced).
  $input('train-by-channel').addEventListener('change', () => {
    if (trainingWanted(ctx.store) && byChannelOffered()) start();
  });
  $('train-download').addEventListener('click', () => {
    if (result) download(result.name, new Blob([result.bytes], { type: 'application/octet-stream' }));
  });
}

/** @type {import('../types').Panel} */
export default { name: 'training', setup };
