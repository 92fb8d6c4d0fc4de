// @ts-check
// Data and roles: where the CSV and the model come from (file picker, drag and drop, a
// same-origin URL from the query string, reload and auto refresh), their progress,
// errors and notices, and the schema / roles editor. It loads data and models into the
// worker, tells the other panels through the store ('data', 'model', with where each came
// from: the bundled demo or the user) and asks the shell to recompute.
import { $, $input, el, pageWords, showError } from '../dom.js';
import * as F from '../format.js';
import { open, opener } from '../files.js';
import { number, text } from '../query.js';
import { readingFromForm, renderSchema, roleLabel, rolesFromForm, syncEvents } from './roles.js';

const DEMO_DATA = 'demo/hourly.csv';
const DEMO_MODEL = 'models/demo_forecast.fcm';

/** @type {import('../types').Shell} */
let ctx = /** @type {any} */ (null); // the shell's context, from setup()
/** @import * as FC from '../../wasm/funnelcast' */
/** @import { AcceptedSchema, PageSchema, Progress, Source } from '../types' */
/** @typedef {Extract<Source, {kind: 'url' | 'file'}>} DataSource */
/** @type {DataSource | null} */
let dataSource = null; // {kind: 'url', url, label} | {kind: 'file', file, handle}: the shown data
/** @type {DataSource | null} */
let modelSource = null;
/** @type {{schema: PageSchema, pending: boolean, source: DataSource} | null} */
let editing = null; // {schema, pending, source}: what the roles editor shows
/** @type {ReturnType<typeof setInterval> | null} */
let refreshTimer = null;
/** @type {{data: string | null, model: string | null}} */
const query = { data: null, model: null }; // ?data= and ?model=, when given

// --- sources -------------------------------------------------------------------------

// A URL from the query string, resolved against the page; only this site's own files.
/** @param {string} value @param {string | null} label @returns {DataSource} */
function urlSource(value, label) {
  const url = new URL(value, location.href);
  if (url.origin !== location.origin) {
    throw new Error(`${value}: only files from this site can be loaded by URL; use the file picker for others`);
  }
  return { kind: 'url', url: url.href, label: label || decodeURIComponent(url.pathname.replace(/^\//, '')) };
}

// 'demo' for the bundled demo data or model (by URL), 'user' for anything else.
/** @type {(source: DataSource, path: string) => boolean} */
const isAt = (source, path) => source.kind === 'url' && new URL(source.url).pathname === new URL(path, location.href).pathname;
/** @type {(source: DataSource, demoPath: string) => 'demo' | 'user'} */
const originOf = (source, demoPath) => (isAt(source, demoPath) ? 'demo' : 'user');

/** @param {DataSource} source @param {boolean} [fresh] */
function workerSource(source, fresh) {
  if (source.kind === 'url') return { kind: 'url', url: source.url, fresh: !!fresh };
  return { kind: 'file', file: source.file };
}

/** @param {Extract<Source, {kind: 'file'}>} source */
async function readLocalAgain(source) {
  if (source.handle) {
    try {
      source.file = await source.handle.getFile();
    } catch {
      /* fall back to the File we have */
    }
  }
  return source;
}

/** @type {(source: DataSource) => string} */
const sourceLabel = (source) => (source.kind === 'url' ? source.label : source.file.name);

/** @param {string} kind @param {Progress | null} p */
function showProgress(kind, p) {
  const box = $(`${kind}-progress`);
  if (!p) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const bar = /** @type {HTMLProgressElement} */ ($(`${kind}-progress-bar`));
  if (p.fraction == null) bar.removeAttribute('value');
  else bar.value = p.fraction;
  $(`${kind}-progress-text`).textContent = p.fraction == null ? `${p.stage}…` : `${p.stage}… ${Math.round(p.fraction * 100)}%`;
}

// --- loading -------------------------------------------------------------------------

// Loads a CSV. On success the dashboard switches to it; on failure the previous
// dashboard stays and the error is shown beside the file.
/** @param {DataSource} source @param {{fresh?: boolean, quiet?: boolean}} [options] */
async function openData(source, { fresh = false, quiet = false } = {}) {
  if (!quiet) showError('data-error', '');
  if (source.kind === 'file') await readLocalAgain(source);
  /** @type {import('../types').DashboardCalls['openTable']} */ let r;
  try {
    r = await ctx.engine.call('openTable', { source: workerSource(source, fresh) }, { onProgress: (p) => showProgress('data', p) });
    await ctx.ready;
  } catch (e) {
    showError('data-error', e.message);
    return false;
  } finally {
    showProgress('data', null);
  }
  if (!r.accepted) {
    showPending(source, r.schema);
    return false;
  }
  if (r.schema.timing && !ctx.store.rendered) {
    const t = r.schema.timing;
    for (const [name, at] of /** @type {Array<[string, number]>} */ ([['fc-data-requested', t.requestedAt], ['fc-data-read', t.readAt], ['fc-data-parse-start', t.parseStartAt], ['fc-data-parsed', t.parsedAt]])) {
      if (at) performance.mark(name, { startTime: at - performance.timeOrigin });
    }
  }
  acceptData(source, r.schema);
  return true;
}

// A readable CSV whose series cannot be built with the detected roles: the core's reason
// beside the file, what there is to pick, and the roles editor open on it.
/** @param {DataSource} source @param {PageSchema} schema */
function showPending(source, schema) {
  const shown = ctx.store.schema;
  const still = shown ? ` The dashboard still shows ${shown.source}.` : '';
  const end = /[.!?]$/.test(String(schema.error)) ? '' : '.';
  let pick = ' Fix the column roles below, or choose another file.';
  if (!schema.roles.leads) {
    const numeric = schema.columns.filter((c) => c.type === 'number').map((c) => {
      const role = /** @type {FC.RoleName[]} */ (Object.keys(schema.roles)).find((r) => schema.roles[r] === c.name);
      return role ? `${c.name} (read as ${roleLabel(ctx.store.registry, role)})` : c.name;
    });
    const columns = numeric.length ? ` Numeric columns in this file: ${numeric.join(', ')}.` : '';
    pick = `${columns} Pick the leads column under “Columns and roles” below, or tick “Each row is one lead”.`;
  }
  showError('data-error', `${schema.error}${end}${pick}${still}`);
  editing = { schema, pending: true, source };
  renderSchema(editing.schema, ctx.store.registry);
  /** @type {HTMLDetailsElement} */ ($('schema-panel')).open = true;
}

// What the core did to the rows (gaps, blank cells, rows counted as leads...), and whether
// the table is read the way a model reads its data, under the file name: text only.
/** @param {PageSchema} schema */
function renderNotices(schema) {
  const notes = [...schema.notices];
  if (schema.readAs) {
    const roles = Object.entries(schema.pinnedRoles).filter(([, c]) => c).map(([r, c]) => `${roleLabel(ctx.store.registry, r)}: ${c}`);
    notes.unshift(`Read the way ${schema.readAs.model} read its training data (${schema.readAs.source}): ${roles.join(', ')}.`);
  }
  $('data-notices').replaceChildren(...notes.map((n) => el('li', { text: pageWords(n) })));
  $('data-notices').hidden = !notes.length;
}

/** @param {DataSource} source @param {AcceptedSchema} schema */
function acceptData(source, schema) {
  showError('data-error', '');
  showError('roles-error', '');
  dataSource = source;
  editing = { schema, pending: false, source };
  $('data-name').textContent = sourceLabel(source);
  const parsed = F.isNum(schema.parseMs) ? ` · read in ${F.fmtCount(Math.max(1, Math.round(schema.parseMs)))} ms` : '';
  $('data-meta').textContent = `${F.fmtCount(schema.rows)} rows · ${F.fmtCount(schema.intervals)} ${F.intervalName(schema.step, schema.intervals)}${parsed}`;
  $('last-updated').textContent = `Updated ${new Date().toLocaleTimeString()}`;
  renderNotices(schema);
  renderSchema(schema, ctx.store.registry);
  updateRefreshControls();
  ctx.store.setData(schema, originOf(source, DEMO_DATA));
}

/** @param {DataSource} source */
async function openModel(source) {
  showError('model-error', '');
  if (source.kind === 'file') await readLocalAgain(source);
  /** @type {import('../types').DashboardCalls['openModel']} */ let r;
  try {
    r = await ctx.engine.call('openModel', { source: workerSource(source) }, { onProgress: (p) => showProgress('model', p) });
    await ctx.ready;
  } catch (e) {
    showError('model-error', e.message);
    return false;
  } finally {
    showProgress('model', null);
  }
  if (r.kind === 'score') {
    // A lead scoring model: the scoring workflow's (this worker did not keep it).
    open('score-model', source).catch(() => {});
    return false;
  }
  modelSource = source;
  ctx.store.setModel(r.header, sourceLabel(source), originOf(source, DEMO_MODEL));
  // A file waiting for its roles that this model can read: shown, read the model's way.
  if (r.table && editing && editing.pending) acceptData(editing.source, r.table.schema);
  return true;
}

// The model line of the sources panel, whatever loaded the model (a file, a URL, training).
// A model dropped or trained here is not reloaded from where the previous one came from.
/** @param {import('../types').StoreState} state */
function renderModelSource({ header: h, modelName, modelOrigin }) {
  if (!h || modelOrigin === 'trained') modelSource = null;
  $('model-name').textContent = h ? `${modelName}${modelOrigin === 'trained' ? ' (trained here)' : ''}` : '–';
  $('model-meta').textContent = h ? [h.kind, h.forecast && h.forecast.selected].filter(Boolean).join(' · ') : '';
}

// --- roles ---------------------------------------------------------------------------

/** @param {import('../../wasm/funnelcast').RoleChoice} roles @param {import('../../wasm/funnelcast').ReadOptions} options */
async function applyRoles(roles, options) {
  showError('roles-error', '');
  const edit = editing;
  if (!edit) return;
  /** @type {import('../types').DashboardCalls['setRoles']} */ let r;
  try {
    r = await ctx.engine.call('setRoles', { roles, options });
  } catch (e) {
    showError('roles-error', e.message);
    return;
  }
  if (!r.accepted) {
    editing = { ...edit, schema: r.schema };
    renderSchema(editing.schema, ctx.store.registry);
    showError('roles-error', r.schema.error);
    return;
  }
  acceptData(edit.source, r.schema);
  await ctx.refresh();
}

// --- reload and auto refresh ---------------------------------------------------------

function updateRefreshControls() {
  const isUrl = dataSource && dataSource.kind === 'url';
  $('refresh-label').hidden = !isUrl;
  $('reload-data').title = isUrl ? 'Download the data again' : 'Read the file again';
  scheduleRefresh();
}

function scheduleRefresh() {
  if (refreshTimer) clearInterval(refreshTimer);
  refreshTimer = null;
  const minutes = Number($input('refresh-minutes').value);
  if (!dataSource || dataSource.kind !== 'url' || !(minutes > 0)) return;
  refreshTimer = setInterval(() => reloadAll({ quiet: true }), minutes * 60 * 1000);
}

async function reloadAll({ quiet = false } = {}) {
  if (!dataSource) return;
  const reloads = [openData(dataSource, { fresh: true, quiet })];
  if (modelSource && modelSource.kind === 'url') reloads.push(openModel(modelSource));
  const [ok] = await Promise.all(reloads);
  if (ok) await ctx.refresh();
}

// --- files: pickers and drag and drop -------------------------------------------------

// A file or URL for the dashboard (files.js routes drops and hand-overs here).
/** @param {'data' | 'model'} kind @param {DataSource} source */
async function openSource(kind, source) {
  ctx.showView('dashboard');
  const ok = kind === 'model' ? await openModel(source) : await openData(source);
  if (ok) await ctx.refresh();
}

/** @param {import('../types').Shell} shell */
function setup(shell) {
  ctx = shell;
  for (const kind of /** @type {const} */ (['data', 'model'])) {
    const input = $input(`${kind}-file`);
    input.addEventListener('change', async () => {
      const file = /** @type {FileList} */ (input.files)[0];
      input.value = '';
      if (file) await openSource(kind, { kind: 'file', file });
    });
    opener(kind, (source) => openSource(kind, source));
  }
  $('reload-data').addEventListener('click', () => reloadAll());
  $('refresh-minutes').addEventListener('change', scheduleRefresh);
  $('roles-form').addEventListener('submit', (e) => {
    e.preventDefault();
    if (editing) applyRoles(rolesFromForm(editing.schema, ctx.store.registry), readingFromForm());
  });
  $('reset-roles').addEventListener('click', () => applyRoles({}, readingFromForm()));
  $('read-events').addEventListener('change', syncEvents);
  ctx.store.on('model', renderModelSource);
}

// Start-up: the data and the model from the query string (or the demo ones). The data
// is read first (start) and the model next (startSecond), so the KPI tiles, which need
// no model, are computed between the two. The demo model goes with the demo data only:
// other data without a model of its own gets one trained for it (panels/training.js).
// A file only the model can read waits as pending until the model arrives, which then
// reads it its way (openModel). Each resolves when its load is done (true: accepted).
/** @type {DataSource | null} */
let startData = null;
/** @type {(name: string) => (v: boolean) => boolean} */
const marked = (name) => (v) => {
  performance.mark(name);
  return v;
};

function start() {
  startData = null;
  try {
    startData = urlSource(query.data || DEMO_DATA, query.data ? null : `${DEMO_DATA} (demo data)`);
  } catch (e) {
    showError('data-error', e.message);
    return null;
  }
  return openData(startData).then(marked('fc-data-loaded'));
}

function startSecond() {
  const demoData = !query.data || (startData && isAt(startData, DEMO_DATA));
  if (query.model === 'none' || !(query.model || demoData)) return null;
  try {
    const model = urlSource(query.model || DEMO_MODEL, query.model ? null : 'demo_forecast.fcm (demo model)');
    return openModel(model).then(marked('fc-model-loaded'));
  } catch (e) {
    showError('model-error', e.message);
    return null;
  }
}

/** @type {import('../types').Panel} */
export default {
  name: 'data',
  query: {
    data: { parse: text(), apply: (v) => (query.data = v) },
    model: { parse: text(), apply: (v) => (query.model = v) },
    refresh: { parse: number(0, 1440), apply: (v) => ($input('refresh-minutes').value = String(v)) },
  },
  setup,
  start,
  startSecond,
};
