// @ts-check
// The lead scoring workflow's Web Worker: its own instance of the inference bundle, so
// scoring 100,000 leads with their reasons never holds up the dashboard's worker (and the
// other way round). It keeps the lead table, the scoring model, the last scores (the page
// asks for one page of rows at a time, sorted here) and the two tables the drift view
// compares. Messages as in worker.js ({id, type, ...args} → {id, ok, result | error});
// see worker-io.js.
// @ts-ignore: the bundle is built into wasm/ next to the page (scripts/assemble.mjs); its API is wasm/funnelcast.d.ts (fcReady below)
import createFunnelcast from './wasm/funnelcast.mjs';
import { CsvRecords } from './csv-records.js';
import { clock, progress, serve } from './worker-io.js';

/** @import * as FC from '../wasm/funnelcast' */
/** @import { Read } from './worker-io.js' */
/** @type {FC.FunnelcastModule} */
let fc = /** @type {any} */ (null); // set once fcReady resolves, before any handler runs (serve's ready)
/** @type {Promise<FC.FunnelcastModule>} */
const fcReady = createFunnelcast();

/** @typedef {{table: FC.Table, bytes: Uint8Array, name: string, records: CsvRecords | null}} Leads */
/** @typedef {{m: FC.Model, name: string, header: FC.ScoreModelHeader, bytes: Uint8Array}} ScoreModel */
/** @typedef {{result: FC.ScoreResult, explain: number, reasons: Map<number, Reason[]>, orders: Map<string, Uint32Array>, model: string, source: string, ms: number, table: FC.Table, m: FC.Model}} Scored */
/** @typedef {{feature: string, text: string, value: number}} Reason */
/** @typedef {{table: FC.Table, name: string, bytes: Uint8Array}} DriftTable */
/** @type {Leads | null} */
let leads = null; // {table, bytes, name, rows, columns, records (made on demand)}
/** @type {ScoreModel | null} */
let model = null; // {m, name, header}
/** @type {Scored | null} */
let scored = null; // {result (no reasons), explain, reasons: row → its reasons, orders: Map, model, source, ms}
/** @type {Record<'reference' | 'current', DriftTable | null>} */
const drift = { reference: null, current: null }; // {table, name, bytes}
// Bumped whenever the leads or the scoring model change: the parts of one export all come
// from the same leads and model (exportRows refuses a part asked for an older version).
let version = 0;
// An export helper's own copy of the leads and model (exportLoad): its exportRows read these.
/** @type {{table: FC.Table, m: FC.Model} | null} */
let exporting = null;

/** @type {(a: string, b: string) => boolean} */
const same = (a, b) => a.trim().toLowerCase() === b.trim().toLowerCase();
/** @type {(n: number, word: string) => string} */
const plural = (n, word) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

// The columns a scoring model reads (its features' source columns, once each, in order).
/** @param {FC.ScoreModelHeader} header */
function modelColumns(header) {
  return [...new Set(header.score.features.map((f) => f.column))];
}

// The core's refusal when `table` lacks columns the model needs (every one in one
// message), else null. Matched as the core matches (exact, else trimmed and ignoring
// case); the core words the message (it throws before any scoring work).
/** @param {FC.Table} table @param {ScoreModel} m @returns {string | null} */
function misfit(table, m) {
  const have = table.schema().columns.map((c) => c.name);
  const absent = modelColumns(m.header).filter((c) => !have.some((h) => h === c || same(h, c)));
  if (!absent.length) return null;
  try {
    fc.score(table, m.m, { explain: 0 });
  } catch (e) {
    return e.message;
  }
  return `${table.schema().source} lacks columns that ${m.name} needs: ${absent.join(', ')}`;
}

/** @param {FC.Table} t */
function summary(t) {
  const s = t.schema();
  return { source: s.source, rows: s.rows, columns: s.columns.map((c) => ({ name: c.name, type: c.type, missing: c.missing, levels: c.levels ?? null })) };
}

/** @param {Leads | null} next */
function setLeads(next) {
  if (leads && leads.table !== next?.table) leads.table.delete();
  leads = next;
  scored = null;
  version += 1;
}

// Rows sorted by `sort` ('probability' | 'id'), descending or not, cached per key.
/** @param {string} sort @param {string} dir */
function order(sort, dir) {
  const s = /** @type {Scored} */ (scored); // called only when scored (view)
  const key = `${sort}:${dir}`;
  let o = s.orders.get(key);
  if (o) return o;
  const r = s.result;
  o = Uint32Array.from({ length: r.rows }, (_, i) => i);
  const sign = dir === 'asc' ? 1 : -1;
  if (sort === 'id') {
    const collator = new Intl.Collator('en', { numeric: true });
    o.sort((a, b) => sign * collator.compare(r.ids[a], r.ids[b]) || a - b);
  } else {
    const p = r.probability;
    o.sort((a, b) => sign * (p[a] - p[b]) || a - b);
  }
  s.orders.set(key, o);
  return o;
}

// Leads at or above `threshold`.
/** @param {number} threshold */
function contacted(threshold) {
  let n = 0;
  for (const p of /** @type {Scored} */ (scored).result.probability) if (p >= threshold) n += 1;
  return n;
}

/** @param {FC.ScoreResult} r @param {number} row */
function reasonsOf(r, row) {
  const k = r.explained;
  /** @type {Reason[]} */
  const out = [];
  for (let j = 0; j < k; ++j) {
    const at = row * k + j;
    out.push({ feature: r.feature_names[r.reason_feature[at]], text: r.reason_text[at], value: r.reason_value[at] });
  }
  return out;
}

// Scores every lead with the model, without reasons (probabilities, decisions, ids): the
// `score` handler's work, kept in `scored`.
/** @param {number} explain */
function scoreAll(explain) {
  const l = /** @type {Leads} */ (leads), m = /** @type {ScoreModel} */ (model);
  const t0 = performance.now();
  const result = fc.score(l.table, m.m, { explain: 0 });
  const ms = performance.now() - t0;
  const explained = Math.min(explain, result.feature_names.length);
  scored = { result, explain: explained, reasons: new Map(), orders: new Map(), model: m.name, source: l.name, ms, table: l.table, m: m.m };
  return scored;
}

// The reasons of `rows` (scored rows) not worked out yet, exactly as a whole-table run gives them.
/** @param {Scored} s @param {number[]} rows */
function explainRows(s, rows) {
  const missing = s.explain ? rows.filter((row) => !s.reasons.has(row)) : [];
  if (!missing.length) return;
  const l = /** @type {Leads} */ (leads), m = /** @type {ScoreModel} */ (model);
  const e = fc.score(l.table, m.m, { explain: s.explain, rows: missing });
  missing.forEach((row, i) => {
    if (e.ids[i] !== s.result.ids[row]) throw new Error(`lead ${s.result.ids[row]}: its reasons came back for ${e.ids[i]}`);
    s.reasons.set(row, reasonsOf(e, i));
  });
}

// Scoring ahead: once the page said lead scoring is shown (ahead: true with the leads or
// the model) and both are in and fit, the leads are scored and the first page of the
// default order (probability, highest first) explained as soon as the worker is free,
// without waiting for the page to ask (its main thread may be busy drawing): the `score`
// and `view` calls that follow find the work done. The same values either way.
const FIRST_PAGE = 100; // view's default limit, the page's PAGE (panels/leads.js)
const REASONS = 3; // score's default explain, the page's REASONS (panels/scoring.js)
let aheadAsked = false;
function scoreAhead() {
  aheadAsked = false;
  if (!leads || !model || (scored && scored.table === leads.table && scored.m === model.m)) return;
  if (misfit(leads.table, model)) return;
  const s = scoreAll(REASONS);
  explainRows(s, Array.from(order('probability', 'desc').subarray(0, FIRST_PAGE)));
}
/** @param {{ahead?: boolean}} args */
function askAhead(args) {
  if (!args.ahead || aheadAsked) return;
  aheadAsked = true;
  // After the reply is posted (serve posts it when the handler returns), before or after
  // the page's next message: either way the work is done once.
  setTimeout(() => {
    try {
      scoreAhead();
    } catch {
      scored = null; // the `score` call reports it
    }
  }, 0);
}

const handlers = {
  async init() {
    return { version: fc.version(), startup: { readyAt: clock() } };
  },

  // -> {summary}. A table that lacks columns the scoring model needs is refused with the
  // core's message, and the one shown stays.
  /** @param {number} id @param {unknown} args @param {Promise<Read> | null} read the file (serve: the args' source) */
  async openLeads(id, args, read) {
    const { bytes, name } = await /** @type {Promise<Read>} */ (read);
    progress(id, 'Parsing the CSV', null);
    const t0 = performance.now();
    // Read as the model reads it: its categories stay text (zip codes 02139, 007), as the CLI's score.
    const t = fc.loadTable(bytes, name, model ? { model: model.m } : undefined);
    const parseMs = performance.now() - t0;
    const refusal = model ? misfit(t, model) : null;
    if (refusal) {
      t.delete();
      throw new Error(refusal);
    }
    setLeads({ table: t, bytes, name, records: null });
    askAhead(/** @type {{ahead?: boolean}} */ (args));
    return { summary: { ...summary(t), parseMs, bytes: bytes.length } };
  },

  // -> {kind, header, name, leadsError}. A forecast model is not kept (kind 'forecast': the
  // page hands it to the dashboard). leadsError: the lead table shown cannot be scored
  // with this model (the core's message).
  /** @param {number} id @param {unknown} args @param {Promise<Read> | null} read the file (serve: the args' source) */
  async openModel(id, args, read) {
    const { bytes, name } = await /** @type {Promise<Read>} */ (read);
    progress(id, 'Checking the model', null);
    const m = fc.loadModel(bytes, name);
    const header = m.header();
    if (header.kind !== 'score') {
      m.delete();
      return { kind: header.kind, name, header: null, leadsError: null };
    }
    if (model) model.m.delete();
    model = { m, name, header, bytes };
    scored = null;
    version += 1;
    // The lead table shown is read again with this model's column types (its categories as
    // text), the way `funnelcast score` reads a batch for a model.
    if (leads) {
      progress(id, 'Reading the leads for the model', null);
      setLeads({ ...leads, table: fc.loadTable(leads.bytes, leads.name, { model: m }), records: leads.records });
    }
    for (const d of Object.values(drift)) {
      if (!d) continue;
      const t = fc.loadTable(d.bytes, d.name, { model: m });
      d.table.delete();
      d.table = t;
    }
    askAhead(/** @type {{ahead?: boolean}} */ (args));
    return { kind: 'score', name, header, leadsError: leads ? misfit(leads.table, model) : null };
  },

  async dropModel() {
    if (model) model.m.delete();
    model = null;
    scored = null;
    version += 1;
    return null;
  },

  // Scores every lead of the table with the model: probabilities and decisions at once; the
  // `explain` strongest reasons per lead are worked out for the rows shown (view) and for
  // the export, not for the whole table up front (TreeSHAP is most of the cost).
  // -> {rows, threshold, explained, notices, model, source, ms}
  /** @param {number} id @param {{explain?: number}} args */
  async score(id, { explain = 3 }) {
    if (!leads) throw new Error('no leads loaded');
    if (!model) throw new Error('no scoring model loaded');
    // Scored ahead (the same leads and model): that scoring, its first page explained.
    const ahead = scored && scored.table === leads.table && scored.m === model.m && scored.explain === Math.min(explain, scored.result.feature_names.length);
    if (!ahead) progress(id, `Scoring ${plural(leads.table.schema().rows, 'lead')}`, null);
    const { result, explain: explained, ms } = ahead ? /** @type {Scored} */ (scored) : scoreAll(explain);
    return { rows: result.rows, threshold: result.threshold, explained, notices: result.notices, model: model.name, source: leads.name, ms };
  },

  // One page of scored leads with their reasons (worked out now for the rows not seen
  // before, exactly as a whole-table run gives them):
  // {rows: [{row, position, id, probability, reasons}], total, offset, contacted, maxAbs}
  // (maxAbs: the page's largest |reason|, the scale of its bars).
  /** @param {number} id @param {{sort?: string, dir?: string, offset?: number, limit?: number, threshold: number}} args */
  async view(id, { sort = 'probability', dir = 'desc', offset = 0, limit = 100, threshold }) {
    if (!scored || !leads || !model) throw new Error('nothing scored yet');
    const s = scored;
    const o = order(sort, dir);
    const r = s.result;
    const page = Array.from(o.subarray(offset, Math.min(o.length, offset + limit)));
    explainRows(s, page);
    let maxAbs = 0;
    const rows = page.map((row, i) => {
      const reasons = s.reasons.get(row) || [];
      for (const x of reasons) maxAbs = Math.max(maxAbs, Math.abs(x.value));
      return { row, position: offset + i, id: r.ids[row], probability: r.probability[row], reasons };
    });
    return { rows, total: r.rows, offset, contacted: contacted(threshold), maxAbs };
  },

  // Every input's contribution for a sample of the scored leads (`size` rows evenly spread
  // over the table, in table order), for the SHAP summary and dependence plots: the values
  // `funnelcast score --explain all` gives those leads, and each cell's text as the core
  // words it in reasons. -> {ids, features, kinds, contributions (rows x features), texts
  // (per feature, per row), rows, total}
  /** @param {number} id @param {{size?: number}} args */
  async shapSample(id, { size = 500 }) {
    if (!scored || !leads || !model) throw new Error('nothing scored yet');
    const total = scored.result.rows;
    const n = Math.min(Math.max(1, Math.floor(size)), total);
    const rows = Array.from({ length: n }, (_, i) => Math.floor((i * total) / n));
    progress(id, `Explaining ${plural(n, 'lead')} for the summary`, null);
    const width = scored.result.feature_names.length;
    // Every input as a reason (K = all of them): contributions with their cells' texts.
    const e = fc.score(leads.table, model.m, { explain: width, rows });
    const contributions = new Float64Array(n * width);
    /** @type {string[][]} */
    const texts = Array.from({ length: width }, () => new Array(n).fill(''));
    for (let i = 0; i < n; ++i) {
      for (let k = 0; k < e.explained; ++k) {
        const f = e.reason_feature[i * e.explained + k];
        contributions[i * width + f] = e.reason_value[i * e.explained + k];
        texts[f][i] = e.reason_text[i * e.explained + k];
      }
    }
    const kinds = model.header.score.features.map((f) => f.kind);
    return { ids: e.ids, features: e.feature_names, kinds, contributions, texts, rows: n, total, expected: e.expected_value };
  },

  // The export of the scores as `funnelcast score --explain K --threshold T` writes them
  // (the core's own writer and decision rule), in parts of rows the page shares among
  // workers (panels/leads.js): this worker and helpers, each another instance of this
  // script with its own copy of the leads and model (exportLoad).
  // -> {rows, explain, version, bytes}: what every part is asked with, and the size of the
  // file each helper would read a copy of.
  async exportPlan() {
    if (!scored || !leads || !model) throw new Error('nothing scored yet');
    return { rows: scored.result.rows, explain: scored.explain, version, bytes: leads.bytes.length };
  },

  // Copies of the leads and model as this worker read them, for helpers. -> {bytes, name, model, modelName}
  async exportSource() {
    if (!leads || !model) throw new Error('nothing scored yet');
    return { bytes: leads.bytes.slice(), name: leads.name, model: model.bytes.slice(), modelName: model.name };
  },

  // A helper's copy, read as openLeads and openModel read them. -> {rows}
  /** @param {number} id @param {{bytes: Uint8Array, name: string, model: Uint8Array, modelName: string}} args */
  async exportLoad(id, { bytes, name, model: modelBytes, modelName }) {
    const m = fc.loadModel(modelBytes, modelName);
    const table = fc.loadTable(bytes, name, { model: m });
    if (exporting) {
      exporting.table.delete();
      exporting.m.delete();
    }
    exporting = { table, m };
    return { rows: table.schema().rows };
  },

  // Rows [from, to) of the scores CSV: its header line, and the rows' lines as a
  // whole-table run writes them. `version`: the plan's (this worker's own leads and model).
  // -> {header, body}
  /** @param {number} id @param {{from: number, to: number, explain: number, threshold?: number, version: number}} args */
  async exportRows(id, { from, to, explain, threshold, version: asked }) {
    const own = exporting || (leads && model && asked === version ? { table: leads.table, m: model.m } : null);
    if (!own) throw new Error('the leads or the scoring model changed during the export: export again');
    const rows = Array.from({ length: to - from }, (_, i) => from + i);
    const csv = /** @type {string} */ (fc.score(own.table, own.m, { explain, threshold, csv: true, rows }).csv);
    const cut = csv.indexOf('\n') + 1;
    return { header: csv.slice(0, cut), body: new TextEncoder().encode(csv.slice(cut)) };
  },

  // The cells of scored row `row` as written in the file ({column: text}), checked against
  // the core's id for the row. -> {record, id}
  /** @param {number} id @param {{row: number}} args */
  async lead(id, { row }) {
    if (!scored || !leads) throw new Error('nothing scored yet');
    if (!leads.records) leads.records = new CsvRecords(leads.bytes);
    const rec = leads.records.row(row);
    const want = scored.result.ids[row];
    const idColumn = model && model.header.score.id_column;
    const key = rec && idColumn ? Object.keys(rec).find((c) => same(c, idColumn)) : null;
    const got = rec ? (key ? rec[key] : String(leads.records.line(row))) : null;
    if (got !== want) throw new Error(`lead ${want}: its values could not be read back from ${leads.name}; type them in the form`);
    return { record: rec, id: want };
  },

  // One lead ({column: text}) with every input's contribution.
  /** @param {number} id @param {{record: Record<string, string | number | null>}} args */
  async scoreRecord(id, { record }) {
    if (!model) throw new Error('no scoring model loaded');
    const r = fc.scoreRecord(model.m, record);
    return {
      probability: r.probability[0],
      margin: r.margin[0],
      expectedValue: r.expected_value,
      threshold: r.threshold,
      featureNames: r.feature_names,
      contributions: r.reason_value,
      notices: r.notices,
    };
  },

  // A table for the drift view: which = 'reference' | 'current'. -> {summary}
  /** @param {number} id @param {{which: 'reference' | 'current'}} args @param {Promise<Read> | null} read the file (serve: the args' source) */
  async openDrift(id, { which }, read) {
    if (!Object.hasOwn(drift, which)) throw new Error(`unknown drift table '${which}'`);
    const { bytes, name } = await /** @type {Promise<Read>} */ (read);
    progress(id, 'Parsing the CSV', null);
    const t = fc.loadTable(bytes, name, model ? { model: model.m } : undefined); // as `funnelcast drift --model` reads it
    if (drift[which]) drift[which].table.delete();
    drift[which] = { table: t, name, bytes };
    return { summary: summary(t) };
  },

  // Drift of the current table (or, without one, the lead table shown) against the
  // reference, over the scoring model's inputs when one is loaded; the model's ROC-AUC on
  // the current table when it has the outcome. -> DriftResult + {reference, current}
  /** @param {number} id */
  async drift(id) {
    const ref = drift.reference;
    const cur = drift.current || (leads ? { table: leads.table, name: leads.name } : null);
    if (!ref || !cur) throw new Error('a reference and a current table are needed');
    progress(id, 'Comparing the tables', null);
    const r = fc.drift(ref.table, cur.table, model ? model.m : null);
    return { ...r, reference: ref.name, current: cur.name, model: model ? model.name : null };
  },
};

serve(handlers, async () => {
  if (!fc) fc = await fcReady;
});
