// @ts-check
// The training worker: one per training run, started by the page and terminated when the
// run ends or is cancelled (terminating it is the cancel: training is one long synchronous
// wasm call). It loads the training bundle (funnelcast-train.mjs, which the page's other
// workers never load) and trains as the CLI would with one thread.
//
// A forecast model (panels/training.js): one message
//   {input: {bytes, name, roles, events, gaps}, options: TrainForecastOptions}
//   → {progress}... then {ok: true, model, report, notices} or {ok: false, error}
// or, with its forecasters shared among workers (one per core), the series read once and
// kept for the run's next messages:
//   {type: 'plan', input, options} → {ok, type, names}: the forecasters compared
//   {type: 'candidates', input?, options, candidates: [k...]}
//     → {progress: {stage, fraction, fold: k}}... then {ok, type, results: [TrainForecastCandidate]}
//     (a helper gets `input` with its first message)
//   {type: 'forecast', options, candidates: [every TrainForecastCandidate]} → the model,
//     finished from them without running them again: the same bytes.
// A scoring model (panels/score-training.js): the worker stays for the run's messages
//   {type: 'inspect', input: {bytes, name}, options: {target?, positive?, id?, drop?}}
//     → {ok, type, columns, target, guess, report, error}: the core's outcome guess, and
//       the table as the core reads it for training (every column's use, and why a column
//       is left out) by a one-tree fit; no target (an uncertain guess, none asked) or one
//       that cannot be the outcome (error) gives no report
//   {type: 'score', options: TrainScoreOptions, folds?: TrainScoreFold[]}
//     → {progress}... then {ok, type, model, report, notices}
//   with `folds` (every fold's result), the model is finished from them without running
//   the folds again: the same bytes.
// The cross-validation's folds can be shared among workers (panels/score-training.js starts
// one per core): each runs its folds with
//   {type: 'folds', input?: {bytes, name}, options, folds: [k...]}
//     → {progress: {stage, fraction, fold}}... then {ok, type, results: [TrainScoreFold]}
// on the table of `input` (a helper reads it in its own wasm instance and keeps it for its
// next folds) or, without, on the table read before (by 'inspect' in the table's worker).
// @ts-ignore: the bundle is built into wasm/ next to the page (scripts/assemble.mjs); its API is wasm/funnelcast.d.ts (fcPromise below)
import createFunnelcast from './wasm/funnelcast-train.mjs';
import { simdOrRefuse } from './simd.js';

// Hours of data trained on at most (about 5 years): beyond that a tab would need minutes
// and a lot of memory; the CLI trains any size.
const MAX_HOURS = 24 * 1827;
// Cells (rows × columns) of a lead table trained on at most: the bank marketing table
// (45,211 × 17, 0.77 million) trains in a tab in well under a minute; 3 million cells
// would take minutes and hundreds of MB.
const MAX_CELLS = 3_000_000;
// Bytes of such a table read at most (parsing a larger file could exhaust the tab's memory).
const MAX_BYTES = 150 * 1024 * 1024;

/** @type {{stage: string, percent: number, fold: number | undefined}} */
let last = { stage: '', percent: -1, fold: undefined };
// A message when the stage or its percent moves, not at each of the trainer's reports (the
// page redraws its bar for each). `fold`: the cross-validation fold ('folds') or the
// forecaster ('candidates') it is about.
/** @param {string} stage @param {number | null} fraction @param {number} [fold] */
function progress(stage, fraction, fold) {
  const percent = fraction == null ? -1 : Math.floor(fraction * 100);
  if (stage === last.stage && percent === last.percent && fold === last.fold) return;
  last = { stage, percent, fold };
  self.postMessage({ progress: fold === undefined ? { stage, fraction } : { stage, fraction, fold } });
}

/** @import * as FC from '../wasm/funnelcast' */
/** @typedef {Required<FC.FunnelcastModule>} TrainModule the training bundle: the API with both trainers */
/** @type {Promise<TrainModule> | null} */
let fcPromise = null;
/** @returns {Promise<TrainModule>} */
const module = () => (fcPromise ||= simdOrRefuse().then(() => createFunnelcast()));

/** @typedef {{bytes: Uint8Array, name: string, roles: FC.RoleChoice, events: boolean, gaps: 'missing' | 'zero'}} SeriesInput */
// The series of this worker's forecast training, read from the first message's input and
// kept for the next ones (the run's plan, candidates and finish; a helper's candidates).
/** @type {FC.Table | null} */
let series = null;

/** @param {TrainModule} fc @param {SeriesInput | undefined} input @returns {FC.Table} */
function seriesOf(fc, input) {
  if (!input) {
    if (!series) throw new Error('no data to train on');
    return series;
  }
  progress('Reading the CSV', null);
  if (series) series.delete();
  series = null;
  const table = fc.loadTable(input.bytes, input.name);
  try {
    const roles = { ...input.roles };
    if (input.events) delete roles.leads; // rows counted as leads have no leads column
    const schema = table.setRoles(roles, { events: input.events, gaps: input.gaps });
    if (!schema.ok) throw new Error(/** @type {string} */ (schema.error));
    const grid = /** @type {{start: number, end: number, step: number}} */ (schema); // ok: the grid is known
    const hours = (grid.end - grid.start) / 3600;
    if (grid.step <= 3600 && hours > MAX_HOURS) {
      throw new Error(
        `${input.name} spans ${Math.round(hours).toLocaleString('en-US')} hours (${(hours / 8766).toFixed(1)} years): too much to train in a browser tab, which trains on at most ${MAX_HOURS.toLocaleString('en-US')} hours (5 years). Train it with the CLI (funnelcast train forecast) and load the model here, or load fewer years.`,
      );
    }
  } catch (e) {
    table.delete();
    throw e;
  }
  series = table;
  return table;
}

// The forecast model; candidates (optional): every candidate's results, from this worker
// and helpers ('candidates'), so none runs again.
/** @param {{input?: SeriesInput, options: FC.TrainForecastOptions, candidates?: FC.TrainForecastCandidate[]}} msg */
async function trainForecast({ input, options, candidates }) {
  progress('Starting the trainer', null);
  const fc = await module();
  const r = fc.trainForecast(seriesOf(fc, input), options, progress, candidates);
  return { ok: true, type: 'forecast', model: r.model, report: r.report, notices: r.notices };
}

// The forecasters the training compares (the page shares them among workers).
/** @param {{input?: SeriesInput, options: FC.TrainForecastOptions}} msg */
async function forecastPlan({ input, options }) {
  progress('Starting the trainer', null);
  const fc = await module();
  return { ok: true, type: /** @type {const} */ ('plan'), names: fc.forecastCandidates(seriesOf(fc, input), options) };
}

// Candidates `candidates` (indexes of the plan's names) through the cross-validation, each
// one's progress with its index.
/** @param {{input?: SeriesInput, options: FC.TrainForecastOptions, candidates: number[]}} msg */
async function forecastCandidates({ input, options, candidates }) {
  const fc = await module();
  const table = seriesOf(fc, input);
  const results = [];
  for (const k of candidates) {
    /** @param {string} stage @param {number} fraction */
    const told = (stage, fraction) => progress(stage, fraction, k);
    told('cross-validation', 0);
    results.push(fc.trainForecastCandidate(table, options, k, told));
  }
  return { ok: true, type: /** @type {const} */ ('candidates'), results };
}

// The lead table of this run, read once by 'inspect' and trained on by 'score', with the
// core's outcome guess (the one `funnelcast train score` makes without --target).
/** @type {{table: FC.Table, name: string, schema: FC.Schema, guess: FC.OutcomeGuess} | null} */
let leads = null; // {table, name, schema, guess}

// input: the table's bytes the first time; without, the table read before.
/** @param {{input?: {bytes: Uint8Array, name: string}, options: Partial<FC.TrainScoreOptions>}} msg */
async function inspect({ input, options }) {
  progress('Starting the trainer', null);
  const fc = await module();
  if (input) {
    if (input.bytes.length > MAX_BYTES) {
      throw new Error(`${input.name} is ${(input.bytes.length / 1048576).toFixed(0)} MB: too large to train on in a browser tab (at most ${MAX_BYTES / 1048576} MB, ${MAX_CELLS.toLocaleString('en-US')} cells). Train it with the CLI (funnelcast train score) and load the model here.`);
    }
    progress('Reading the CSV', null);
    if (leads) leads.table.delete();
    leads = null;
    const table = fc.loadTable(input.bytes, input.name);
    leads = { table, name: input.name, schema: table.schema(), guess: fc.guessOutcome(table) };
  }
  if (!leads) throw new Error('no table to train on');
  const { table, schema, name, guess } = leads;
  const cells = schema.rows * schema.columns.length;
  if (cells > MAX_CELLS) {
    /** @param {number} n */
    const f = (n) => n.toLocaleString('en-US');
    throw new Error(
      `${name} has ${f(schema.rows)} rows × ${f(schema.columns.length)} columns (${(cells / 1e6).toFixed(1)} million cells): too much to train in a browser tab, which trains on at most ${f(MAX_CELLS)} cells. Train it with the CLI (funnelcast train score) and load the model here, or train on fewer rows.`,
    );
  }
  // The outcome asked for, else the guess when it is certain; else none: the page asks.
  const target = options.target || guess.column;
  const columns = schema.columns.map((c) => ({ name: c.name, type: c.type, missing: c.missing, levels: c.levels ?? null }));
  const reply = { ok: /** @type {const} */ (true), type: /** @type {const} */ ('inspect'), target, guess, rows: schema.rows, columns };
  if (!target) return { ...reply, report: null, notices: [], error: null };
  progress('Reading the columns', null);
  // What the core makes of the table for this target: a fit of one tree, no folds. A
  // column that cannot be the outcome is said beside the selector, which stays usable.
  let dry;
  try {
    dry = fc.trainScore(table, { ...options, target, folds: 0, iterations: 1 });
  } catch (e) {
    return { ...reply, report: null, notices: [], error: /** @type {Error} */ (e).message };
  }
  // What the core says about the table (its notices name it); not what it says about a
  // fit without folds.
  const notices = dry.notices.filter((n) => n.startsWith(`${name}:`));
  return { ...reply, report: { data: dry.report.data, target: dry.report.target, dropped_columns: dry.report.dropped_columns, warnings: dry.report.warnings }, notices, error: null };
}

/** @param {{options: FC.TrainScoreOptions, folds?: FC.TrainScoreFold[]}} msg */
async function trainScore({ options, folds }) {
  if (!leads) throw new Error('no table to train on');
  const fc = await module();
  const r = fc.trainScore(leads.table, options, progress, folds);
  return { ok: true, type: 'score', model: r.model, report: r.report, notices: r.notices };
}

// A helper's copy of the table (the first 'folds' message's input), kept for its next folds.
/** @type {FC.Table | null} */
let foldTable = null;

/** @param {{input?: {bytes: Uint8Array, name: string}, options: FC.TrainScoreOptions, folds: number[]}} msg */
async function runFolds({ input, options, folds }) {
  const fc = await module();
  if (input) {
    if (foldTable) foldTable.delete();
    foldTable = null;
    foldTable = fc.loadTable(input.bytes, input.name);
  }
  const table = foldTable || (leads && leads.table);
  if (!table) throw new Error('no table to train on');
  const results = [];
  for (const k of folds) {
    /** @param {string} stage @param {number} fraction */
    const told = (stage, fraction) => progress(stage, fraction, k);
    told(`fold ${k + 1}`, 0);
    results.push(fc.trainScoreFold(table, options, k, told));
  }
  return { ok: true, type: /** @type {const} */ ('folds'), results };
}

self.onmessage = async (event) => {
  const msg = event.data || {};
  try {
    const result =
      msg.type === 'inspect'
        ? await inspect(msg)
        : msg.type === 'score'
          ? await trainScore(msg)
          : msg.type === 'folds'
            ? await runFolds(msg)
            : msg.type === 'plan'
              ? await forecastPlan(msg)
              : msg.type === 'candidates'
                ? await forecastCandidates(msg)
                : await trainForecast(msg);
    /** @type {Transferable[]} */
    const moved =
      'model' in result
        ? [result.model.buffer]
        : result.type === 'candidates'
          ? result.results.map((c) => c.bytes.buffer)
          : result.type === 'folds'
            ? result.results.flatMap((f) => [f.rows.buffer, f.oof.buffer, f.oofLogistic.buffer])
            : [];
    self.postMessage(result, moved);
  } catch (e) {
    self.postMessage({ ok: false, type: msg.type, error: (e && e.message) || String(e) });
  }
};
