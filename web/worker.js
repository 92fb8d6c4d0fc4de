// The Web Worker that owns the funnelcast wasm instance. The page never touches wasm:
// it sends messages {id, type, ...} and gets {id, ok, result | error}, plus
// {id, progress: {stage, fraction}} while files are read and parsed. Heavy work
// (reading a 100 MB CSV, parsing, forecasting) happens here, so the page stays responsive.
import createFunnelcast from './wasm/funnelcast.mjs';
import { PANEL_HANDLERS } from './worker-panels.js';

// Absolute times (ms since the epoch) of the start-up steps, for the page's timing marks.
const clock = () => performance.timeOrigin + performance.now();
const startup = { workerStart: clock() };
const fcReady = createFunnelcast().then((m) => {
  startup.wasmReady = clock();
  try {
    warmUp(m);
  } catch (e) {
    console.warn('funnelcast: warm-up failed:', e.message); // only an optimization
  }
  startup.warmedUp = clock();
  return m;
});
let fc = null;

// A cold wasm function runs in V8's baseline tier, several times slower than optimized
// code, and a long call (parsing a whole CSV) stays there to its end. Running the hot
// paths once on a small synthetic file starts their optimized compile in the background
// while the real file is still downloading.
function warmUp(m) {
  const start = Date.UTC(2024, 0, 1) / 1000;
  const lines = ['timestamp,channel,leads,spend,revenue'];
  for (let h = 0; h < 24 * 21; ++h) {
    const d = new Date((start + h * 3600) * 1000).toISOString().slice(0, 19).replace('T', ' ');
    for (const c of ['a', 'b', 'c']) lines.push(`${d},${c},${(h * 7) % 13},${(10 + (h % 17) * 1.25).toFixed(2)},${((h * 31) % 97) * 1.5}`);
  }
  const bytes = new TextEncoder().encode(lines.join('\n'));
  for (let i = 0; i < 2; ++i) {
    const t = m.loadTable(bytes, 'warm-up.csv');
    try {
      m.kpis(t, {});
      m.anomalies(t, {});
    } finally {
      t.delete();
    }
  }
}

// The table the dashboard shows, a newly loaded table whose roles still need fixing,
// and the model. Each is deleted when replaced, so wasm memory is freed. The CSV bytes of
// both tables are kept ({bytes, name}) so a training worker can be given a copy.
let table = null;
let tableInput = null;
let pending = null;
let pendingInput = null;
let model = null;
let modelName = null;

// Progress reports, at most one per percent and per 50 ms for a stage.
let lastProgress = { id: 0, stage: '', percent: -1, at: 0 };
function progress(id, stage, fraction = null) {
  const percent = fraction == null ? -1 : Math.floor(fraction * 100);
  const now = performance.now();
  const same = lastProgress.id === id && lastProgress.stage === stage;
  if (same && (percent === lastProgress.percent || (now - lastProgress.at < 50 && percent < 100))) return;
  lastProgress = { id, stage, percent, at: now };
  self.postMessage({ id, progress: { stage, fraction } });
}

// Downloads boot.js asked for before the page's own requests could be sent, by URL.
const prefetched = new Map();

function prefetch(urls) {
  for (const u of urls) {
    const url = new URL(u, self.location.href);
    if (url.origin !== self.location.origin || prefetched.has(url.href)) continue;
    const p = fetch(url, { credentials: 'same-origin' }).then(async (res) => {
      if (!res.ok) throw new Error(`${url.pathname}: the server answered ${res.status} ${res.statusText}`.trim());
      return new Uint8Array(await res.arrayBuffer());
    });
    p.catch(() => {});
    prefetched.set(url.href, p);
  }
}

// Reads a File or a same-origin URL into bytes, reporting progress as it goes.
async function readSource(id, source, what) {
  if (source.kind === 'file') {
    const file = source.file;
    const total = file.size;
    const bytes = new Uint8Array(total);
    let done = 0;
    const reader = file.stream().getReader();
    try {
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        if (done + value.length > total) throw new Error('the file grew while it was read');
        bytes.set(value, done);
        done += value.length;
        progress(id, `Reading ${what}`, total ? done / total : null);
      }
    } catch (e) {
      throw new Error(`${file.name}: the browser could not read the file (${e.message}). If it changed on disk, choose it again.`);
    }
    return { bytes: done === total ? bytes : bytes.subarray(0, done), name: file.name, readAt: clock() };
  }
  if (source.kind === 'url') {
    const url = new URL(source.url, self.location.href);
    if (url.origin !== self.location.origin) {
      throw new Error(`${source.url}: only files from this site can be loaded by URL; use the file picker for others`);
    }
    const early = !source.fresh && prefetched.get(url.href);
    if (early) {
      prefetched.delete(url.href);
      progress(id, `Downloading ${what}`, null);
      const name = decodeURIComponent(url.pathname.split('/').pop() || url.pathname);
      try {
        return { bytes: await early, name, readAt: clock() };
      } catch {
        // fall through to a fresh download, which reports the error itself
      }
    }
    progress(id, `Downloading ${what}`, 0);
    let res;
    try {
      res = await fetch(url, { cache: source.fresh ? 'no-cache' : 'default', credentials: 'same-origin' });
    } catch (e) {
      throw new Error(`${url.pathname}: could not be downloaded (${e.message})`);
    }
    if (!res.ok) throw new Error(`${url.pathname}: the server answered ${res.status} ${res.statusText}`.trim());
    const total = Number(res.headers.get('content-length')) || 0;
    const name = decodeURIComponent(url.pathname.split('/').pop() || url.pathname);
    if (!res.body || !total) return { bytes: new Uint8Array(await res.arrayBuffer()), name, readAt: clock() };
    const chunks = [];
    let done = 0;
    const reader = res.body.getReader();
    for (;;) {
      const { value, done: end } = await reader.read();
      if (end) break;
      chunks.push(value);
      done += value.length;
      progress(id, `Downloading ${what}`, Math.min(1, done / total));
    }
    const bytes = new Uint8Array(done);
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.length;
    }
    return { bytes, name, readAt: clock() };
  }
  if (source.kind === 'bytes') return { bytes: new Uint8Array(source.bytes), name: source.name || 'input', readAt: clock() };
  throw new Error(`unknown source kind '${source.kind}'`);
}

function dropPending() {
  if (pending) pending.delete();
  pending = null;
  pendingInput = null;
}

// Shows `t` (read from `input`, or the pending table) on the dashboard.
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
function readAsModel(t) {
  if (!model) return null;
  const s = t.schema();
  if (s.ok || Object.keys(s.pinnedRoles).length || s.events || s.gaps !== 'missing') return null;
  if (!fc.modelFits(t, model).ok) return null;
  const d = model.header().data;
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
  async openTable(id, args, read) {
    const { bytes, name, readAt } = await read;
    progress(id, 'Parsing the CSV', null);
    const t0 = performance.now();
    const startedAt = clock();
    const t = fc.loadTable(bytes, name);
    const schema = t.schema();
    schema.parseMs = performance.now() - t0;
    schema.bytes = bytes.length;
    schema.timing = { requestedAt: args.requestedAt, readAt, parseStartAt: startedAt, parsedAt: clock() };
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

  // -> {header, name, table}. table: {schema, accepted: true} when a pending table could
  // be read the way this model reads its data (readAsModel), else null. adopt: false
  // leaves a pending table alone (a model trained here for the data shown).
  async openModel(id, args, read) {
    const { bytes, name } = await read;
    progress(id, 'Checking the model', null);
    const m = fc.loadModel(bytes, name);
    if (model) model.delete();
    model = m;
    modelName = name;
    const adopted = pending && args.adopt !== false ? readAsModel(pending) : null;
    if (adopted) promote(pending);
    return { header: m.header(), name, table: adopted ? { schema: adopted, accepted: true } : null };
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
  async compute(id, { channel = '', panels = {} }) {
    if (!table) throw new Error('no data loaded');
    progress(id, 'Computing', null);
    const results = {};
    const timings = {};
    for (const [name, options] of Object.entries(panels)) {
      const handler = Object.hasOwn(PANEL_HANDLERS, name) ? PANEL_HANDLERS[name] : null;
      const t0 = performance.now();
      results[name] = handler ? settle(() => handler({ fc, table, model, modelName, channel }, options || {})) : { value: null, error: `no panel '${name}' in the worker` };
      timings[name] = performance.now() - t0;
    }
    return { panels: results, timings };
  },
};

// Transfer the typed arrays of a result instead of copying them again.
function transferables(value, out = [], depth = 0) {
  if (!value || typeof value !== 'object' || depth > 6) return out;
  if (ArrayBuffer.isView(value)) {
    if (!out.includes(value.buffer)) out.push(value.buffer);
    return out;
  }
  for (const v of Array.isArray(value) ? value : Object.values(value)) transferables(v, out, depth + 1);
  return out;
}

// One message at a time, in order: wasm calls are synchronous anyway, and ordering keeps
// "load, then compute" sequences simple for the page.
let queue = Promise.resolve();
self.onmessage = (event) => {
  const { id, type, ...args } = event.data || {};
  if (type === 'prefetch') {
    prefetch(args.urls || []);
    return;
  }
  args.requestedAt = clock();
  // Downloads and file reads start at once and run in parallel (with the wasm compile
  // too); the wasm work itself runs in message order.
  const read = args.source ? readSource(id, args.source, type === 'openModel' ? 'the model' : 'the CSV') : null;
  if (read) read.catch(() => {});
  queue = queue.then(async () => {
    try {
      if (!fc) fc = await fcReady;
      const handler = handlers[type];
      if (!handler) throw new Error(`unknown request '${type}'`);
      const result = await handler(id, args, read);
      self.postMessage({ id, ok: true, result }, transferables(result));
    } catch (e) {
      self.postMessage({ id, ok: false, error: (e && e.message) || String(e) });
    }
  });
};
