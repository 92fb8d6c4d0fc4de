// @ts-check
// The Web Worker that owns the funnelcast wasm instance. The page never touches wasm:
// it sends messages {id, type, ...} and gets {id, ok, result | error}, plus
// {id, progress: {stage, fraction}} while files are read and parsed. Heavy work
// (reading a 100 MB CSV, parsing, forecasting) happens here, so the page stays responsive.
// @ts-ignore: the bundle is built into wasm/ next to the page (scripts/assemble.mjs); its API is wasm/funnelcast.d.ts (fcReady below)
import createFunnelcast from './wasm/funnelcast.mjs';
import { PANEL_HANDLERS } from './worker-panels.js';
import { clock, prefetchedBytes, progress, serve, urlName } from './worker-io.js';

// The start-up steps' times, for the page's timing marks.
/** @import * as FC from '../wasm/funnelcast' */
/** @import { Read } from './worker-io.js' */
/** @import { PanelContext } from './worker-panels.js' */
/** @type {{workerStart: number, wasmReady?: number}} */
const startup = { workerStart: clock() };
// The wasm bundle's files are under wasm/ (scripts/assemble.mjs inlines the bundle's module
// into this file, whose URL is then not the bundle's).
/** @type {Promise<FC.FunnelcastModule>} */
const fcReady = createFunnelcast({ locateFile: (/** @type {string} */ path) => new URL(`./wasm/${path}`, import.meta.url).href }).then((/** @type {FC.FunnelcastModule} */ m) => {
  startup.wasmReady = clock();
  return m;
});
/** @type {FC.FunnelcastModule} */
let fc = /** @type {any} */ (null); // set once fcReady resolves, before any handler runs (serve's ready)

// The start-up data (boot.js names it in its prefetch), parsed as soon as it and the wasm
// are in, while the page is still loading its own scripts: the page's openTable for the
// same download then finds it read. Taken (or dropped) by the first openTable.
/** @typedef {{bytes: Uint8Array, table: FC.Table, parseMs: number, parseStartAt: number, parsedAt: number}} Preparsed */
/** @type {Promise<Preparsed | null> | null} */
let preparsing = null;
/** @param {{parse?: string}} args */
function preparse({ parse }) {
  const bytes = parse ? prefetchedBytes(parse) : null;
  if (!parse || !bytes || preparsing) return;
  const name = urlName(new URL(parse));
  preparsing = Promise.all([fcReady, bytes]).then(
    ([m, b]) => {
      const t0 = performance.now();
      const parseStartAt = clock();
      try {
        return { bytes: b, table: m.loadTable(b, name), parseMs: performance.now() - t0, parseStartAt, parsedAt: clock() };
      } catch {
        return null; // openTable reads it again and reports the error
      }
    },
    () => null,
  );
}

// The table the dashboard shows, a newly loaded table whose roles still need fixing,
// and the model. Each is deleted when replaced, so wasm memory is freed. The CSV bytes of
// both tables are kept ({bytes, name}) so a training worker can be given a copy.
/** @typedef {{bytes: Uint8Array, name: string}} Input */
/** @type {FC.Table | null} */
let table = null;
/** @type {Input | null} */
let tableInput = null;
/** @type {FC.Table | null} */
let pending = null;
/** @type {Input | null} */
let pendingInput = null;
/** @type {FC.Model | null} */
let model = null;
/** @type {string | null} */
let modelName = null;

function dropPending() {
  if (pending) pending.delete();
  pending = null;
  pendingInput = null;
}

// Shows `t` (read from `input`, or the pending table) on the dashboard.
/** @param {FC.Table} t @param {Input | null} [input] */
function promote(t, input = null) {
  if (table && table !== t) table.delete();
  table = t;
  tableInput = input;
  if (pending === t) {
    tableInput = pendingInput;
    pending = null;
    pendingInput = null;
  }
}

// A table the core cannot read with the roles it detects (no column named like leads,
// say) that the loaded model can: it is read the way the model read its training data
// (the model's roles, row meaning and gaps), as forecast() would read it, so the KPIs and
// anomalies show the same series as the forecast. Only when the user pinned nothing on
// it. Returns the new schema (with readAs: the model's name), or null.
/** @param {FC.Table} t */
function readAsModel(t) {
  if (!model) return null;
  const s = t.schema();
  if (s.ok || Object.keys(s.pinnedRoles).length || s.events || s.gaps !== 'missing') return null;
  if (!fc.modelFits(t, model).ok) return null;
  const d = /** @type {FC.ForecastModelHeader} */ (model.header()).data; // the model kept is a forecast model (openModel)
  const roles = Object.fromEntries(Object.entries(d.roles).filter(([, column]) => column != null));
  try {
    const next = t.setRoles(roles, { events: d.rows === 'events', gaps: d.gaps });
    if (next.ok) return { ...next, readAs: { model: modelName, source: d.source } };
    t.setRoles({}, { events: false, gaps: 'missing' });
  } catch {
    // the model's reading does not apply after all: the table stays as detected
  }
  return null;
}

/** @param {() => unknown} fn */
function settle(fn) {
  try {
    return { value: fn(), error: null };
  } catch (e) {
    return { value: null, error: e.message || String(e) };
  }
}

const handlers = {
  async init() {
    return { version: fc.version(), registry: fc.registry(), startup };
  },

  // -> {schema, accepted}. A CSV the core cannot read throws (the shown table stays).
  // A readable CSV whose hourly series cannot be built with the detected roles is kept
  // aside as `pending` (accepted: false) so the user can fix its roles.
  /** @param {number} id @param {{requestedAt: number}} args @param {Promise<Read> | null} read the file (serve: the args' source) */
  async openTable(id, args, read) {
    const { bytes, name, readAt } = await /** @type {Promise<Read>} */ (read);
    const early = preparsing && (await preparsing);
    preparsing = null;
    // The prefetched demo, parsed while the page loaded, when it is this file.
    const pre = early && early.bytes === bytes ? early : null;
    if (early && !pre) early.table.delete();
    progress(id, 'Parsing the CSV', null);
    const t0 = performance.now();
    const startedAt = clock();
    const t = pre ? pre.table : fc.loadTable(bytes, name);
    /** @type {FC.Schema & {parseMs?: number, bytes?: number, timing?: object}} */
    const schema = t.schema();
    schema.parseMs = pre ? pre.parseMs : performance.now() - t0;
    schema.bytes = bytes.length;
    schema.timing = pre
      ? { requestedAt: args.requestedAt, readAt: Math.min(readAt, pre.parseStartAt), parseStartAt: pre.parseStartAt, parsedAt: pre.parsedAt }
      : { requestedAt: args.requestedAt, readAt, parseStartAt: startedAt, parsedAt: clock() };
    const input = { bytes, name };
    dropPending();
    const adopted = schema.ok ? null : readAsModel(t);
    if (schema.ok || adopted) {
      promote(t, input);
      return { schema: adopted ? { ...schema, ...adopted } : schema, accepted: true };
    }
    pending = t;
    pendingInput = input;
    return { schema, accepted: false };
  },

  // Roles and reading options ({events, gaps}) for the pending table when there is one,
  // else the shown one.
  /** @param {number} id @param {{roles: FC.RoleChoice, options?: FC.ReadOptions}} args */
  async setRoles(id, { roles, options }) {
    const t = pending || table;
    if (!t) throw new Error('no data loaded');
    const schema = t.setRoles(roles, options);
    if (schema.ok && t === pending) promote(t);
    return { schema, accepted: schema.ok };
  },

  async discardPending() {
    dropPending();
    return table ? table.schema() : null;
  },

  // -> {kind, header, name, table}. kind 'score': a lead scoring model, not kept. table: {schema, accepted: true} when a pending table could
  // be read the way this model reads its data (readAsModel), else null. adopt: false
  // leaves a pending table alone (a model trained here for the data shown).
  /** @param {number} id @param {{adopt?: boolean}} args @param {Promise<Read> | null} read the file (serve: the args' source) */
  async openModel(id, args, read) {
    const { bytes, name } = await /** @type {Promise<Read>} */ (read);
    progress(id, 'Checking the model', null);
    const m = fc.loadModel(bytes, name);
    const header = m.header();
    if (header.kind !== 'forecast') {
      // A lead scoring model: the page hands it to lead-worker.js; the dashboard's stays.
      m.delete();
      return { kind: header.kind, header: null, name, table: null };
    }
    if (model) model.delete();
    model = m;
    modelName = name;
    const adopted = pending && args.adopt !== false ? readAsModel(pending) : null;
    if (adopted) promote(/** @type {FC.Table} */ (pending));
    return { kind: header.kind, header, name, table: adopted ? { schema: adopted, accepted: true } : null };
  },

  async dropModel() {
    if (model) model.delete();
    model = null;
    modelName = null;
    return null;
  },

  // What a training worker needs to read the shown table as the dashboard does: a copy of
  // its CSV bytes (transferred) and the roles and reading options pinned on it.
  async trainingInput() {
    if (!table || !tableInput) throw new Error('no data loaded');
    const s = table.schema();
    return { bytes: tableInput.bytes.slice(), name: tableInput.name, roles: s.pinnedRoles, events: s.events, gaps: s.gaps };
  },

  // What the dashboard's panels show: {channel, panels: {name: options}} runs each named
  // panel's handler (worker-panels.js) and returns {panels: {name: {value, error}},
  // timings}. Each part keeps its own error: a failing forecast does not hide the KPIs.
  /** @param {number} id @param {{channel?: string, panels?: Record<string, object | null>}} args */
  async compute(id, { channel = '', panels = {} }) {
    if (!table) throw new Error('no data loaded');
    progress(id, 'Computing', null);
    /** @type {Record<string, {value: unknown, error: string | null}>} */
    const results = {};
    /** @type {Record<string, number>} */
    const timings = {};
    const all = /** @type {Record<string, (ctx: PanelContext, options: any) => unknown>} */ (PANEL_HANDLERS);
    for (const [name, options] of Object.entries(panels)) {
      const handler = Object.hasOwn(all, name) ? all[name] : null;
      const t0 = performance.now();
      results[name] = handler ? settle(() => handler({ fc, table: /** @type {FC.Table} */ (table), model, modelName, channel }, options || {})) : { value: null, error: `no panel '${name}' in the worker` };
      timings[name] = performance.now() - t0;
    }
    return { panels: results, timings };
  },
};

serve(
  handlers,
  async () => {
    if (!fc) fc = await fcReady;
  },
  { onPrefetch: preparse },
);
