// @ts-check
// The funnelcast page shell. The page is a list of panels (PANELS below), one ES module
// each under panels/, that own their controls, their part of the worker's compute, their
// rendering, their downloads and the query-string keys they read. Two workflows, as tabs
// (panels/views.js): the dashboard (hourly data) and lead scoring. The shell wires them
// together: the workers (engine.js), the shared state and its events (store.js), the
// query string (query.js), files to panels (files.js), the toolbar (channel, data span,
// status), start-up and the dashboard's recomputes. All computation happens in workers
// that own a wasm instance each: worker.js for the dashboard, lead-worker.js for lead
// scoring; text from a CSV or a model file only ever reaches the page as textContent.
// Lead scoring's panels (scoring-tab.js), its worker and its files load on demand: when
// its tab is shown, pointed at or focused, when a file for it arrives, or at once when
// the page opens on it. The dashboard's first view loads none of them.
import { createTooltip, vegaLoaded } from './charts.js';
import { $, $select, el, latestWins } from './dom.js';
import { Engine } from './engine.js';
import { deferOpeners, setupDrop } from './files.js';
import * as F from './format.js';
import { applyQuery } from './query.js';
import { createStore } from './store.js';
import anomalies from './panels/anomalies.js';
import data from './panels/data.js';
import forecast from './panels/forecast.js';
import incidents from './panels/incidents.js';
import kpis from './panels/kpis.js';
import model from './panels/model.js';
import training from './panels/training.js';
import views from './panels/views.js';

// The panel registry. A panel module's default export is an object with:
//   name                 its key in compute requests and in worker-panels.js
//   query                optional {key: {parse, apply}}: the query-string keys it reads
//   setup(ctx)           optional: wire its controls, listen to the store (once, first)
//   start(ctx)           optional: begin loading at start-up; a Promise, or null
//   prepare(ctx)         optional, async: embed its charts while the data loads
//   request(ctx)         optional: the options for its worker handler (null: not now)
//   render(result, ctx)  with request: draw the handler's {value, error} (may be async)
// A new panel is one module under panels/, one entry here and one handler in
// worker-panels.js (docs/web-app.md, "Adding a panel").
// Lead scoring's panels are not in this list: scoring-tab.js lists them, loaded on demand.
/** @import { DashboardCalls, LeadCalls, Panel, PanelResult, Shell } from './types' */
/** @type {Panel[]} */
const PANELS = [views, data, kpis, forecast, anomalies, incidents, model, training];

// The page opened on lead scoring (boot.js saw it in the query string and started lead
// scoring's worker and downloads instead of the dashboard's): the dashboard's worker,
// downloads and charts wait until lead scoring has drawn its first page of leads (or
// settled without one: an error, a source missing), or until the dashboard is shown, so
// the two never share the machine's cores and the page's main thread while the tab opened
// first loads. Without a first view to wait for, the dashboard starts at once.
/** @type {() => void} */
let firstViewDone = () => {};
/** @type {Promise<void> | null} */
const firstView = window.fcFirstView === 'scoring' ? new Promise((resolve) => (firstViewDone = resolve)) : null;
/** @type {Engine<DashboardCalls>} */
const engine = new Engine(new URL('./worker.js', import.meta.url), { adopt: true, after: firstView });
const store = createStore();
// ready: resolves once the engine answered 'init' and the store holds the core's registry
// of roles and metrics (the data panel waits for it before showing a table).
const ready = engine.call('init').then((r) => {
  store.setRegistry(r.registry);
  return r;
});
// The lead scoring workflow's worker, started when it is first needed.
/** @type {Engine<LeadCalls> | null} */
let leadEngine = null;
const leadWorker = () => (leadEngine ||= new Engine(new URL('./lead-worker.js', import.meta.url), { name: 'funnelcast-leads', adopt: 'leads' }));
// started: resolves once the dashboard's start-up is over (drawn, or failed).
/** @type {() => void} */
let startedDone;
/** @type {Promise<void>} */
const started = new Promise((resolve) => (startedDone = resolve));
// painted: resolves once the start-up's first figures (the KPI tiles) are drawn, or the
// start-up data could not be shown. The charts' stand-in embeds wait for it: they take
// the main thread for a while, and the tiles come first.
/** @type {() => void} */
let paintedDone;
/** @type {Promise<void>} */
const painted = new Promise((resolve) => (paintedDone = resolve));
/** @type {Shell} */
const ctx = { engine, store, ready, started, painted, leadWorker, refresh, refreshPanel, showView: () => {}, tooltip: createTooltip($('tooltip')) };

// --- lead scoring, on demand ------------------------------------------------------------

// The kinds of file lead scoring's panels open (files.js): opening one loads them first.
const LEAD_KINDS = ['leads', 'score-model', 'trained-score-model', 'train-table', 'reference', 'current'];
/** @type {Promise<Panel[]> | null} */
let leadPanels = null;
// Loads lead scoring's panels (once) and sets them up as boot() does the dashboard's: set
// up, their query-string keys read, started (scoring.js: its sources load at once when
// its tab is shown, else once the dashboard's start-up is over).
function loadLeadScoring() {
  if (!leadPanels) {
    performance.mark('fc-lead-code-requested');
    const loading = import('./scoring-tab.js');
    // Not loaded (offline before the service worker kept it, say): the next attempt tries again.
    loading.catch(() => (leadPanels = null));
    leadPanels = loading.then(({ LEAD_PANELS }) => {
      performance.mark('fc-lead-code-loaded');
      document.getElementById('lead-code-error')?.remove();
      for (const p of LEAD_PANELS) if (p.setup) p.setup(ctx);
      applyQuery(LEAD_PANELS, new URLSearchParams(location.search), PANELS);
      for (const p of LEAD_PANELS) if (p.start) p.start(ctx);
      return LEAD_PANELS;
    });
  }
  return leadPanels;
}

/** @param {string} text */
function setStatus(text) {
  $('status').textContent = text || '';
}

// --- computing ---------------------------------------------------------------------------

// One compute message for the named panels (default: all that compute). The worker runs
// each panel's handler and returns {panels: {name: {value, error}}, timings}.
/** @param {string[] | null} [names] */
function sendCompute(names = null) {
  /** @type {Record<string, object>} */
  const panels = {};
  for (const p of PANELS) {
    if (!p.request || (names && !names.includes(p.name))) continue;
    const options = p.request(ctx);
    if (options != null) panels[p.name] = options;
  }
  return engine.call('compute', { channel: store.channel, panels });
}

/** @param {Record<string, PanelResult>} results @param {string[] | null} [only] */
async function renderResults(results, only = null) {
  await Promise.all(PANELS.filter((p) => p.render && p.name in results && (!only || only.includes(p.name))).map((p) => p.render?.(results[p.name], ctx)));
}

let computeSeq = 0;
// The panels in three computes, each drawn as soon as it is back: the ones that need only
// the data (`first`: the KPI tiles), the other quick ones (the forecast), then the slow
// ones (anomalies judge the whole history). The worker takes messages in order, so they
// are sent at once; at start-up the model's load is sent between the first and the rest
// (`which`: 'first', 'rest' or 'all').
/** @typedef {Array<{names: string[], result: Promise<DashboardCalls['compute']>}>} Computes */
/** @param {'first' | 'rest' | 'all'} [which] @returns {Computes} */
function sendComputes(which = 'all') {
  const computing = PANELS.filter((p) => p.request);
  const groups = [computing.filter((p) => p.first), computing.filter((p) => !p.first && !p.slow), computing.filter((p) => !p.first && p.slow)];
  return (which === 'first' ? groups.slice(0, 1) : which === 'rest' ? groups.slice(1) : groups)
    .filter((group) => group.length)
    .map((group) => {
      const names = group.map((p) => p.name);
      const result = sendCompute(names);
      result.catch(() => {}); // handled in refresh (unless a newer refresh took over)
      return { names, result };
    });
}

// Recomputes and redraws every panel; the latest call wins. `requests`: computes already
// sent (at start-up they are queued right behind the loads).
/** @param {Computes | null} [requests] */
async function refresh(requests = null) {
  if (!store.schema) return;
  const seq = ++computeSeq;
  setStatus('Computing…');
  $('dashboard').setAttribute('aria-busy', 'true');
  const sent = requests || sendComputes();
  for (const [i, { names, result }] of sent.entries()) {
    /** @type {DashboardCalls['compute']} */ let r;
    try {
      r = await result;
    } catch (e) {
      if (seq !== computeSeq) return;
      await renderResults(Object.fromEntries(names.map((name) => [name, { value: null, error: e.message }])));
      paintedDone();
      continue;
    }
    if (seq !== computeSeq) return;
    const last = i === sent.length - 1;
    performance.mark(i === 0 ? 'fc-computed' : last ? 'fc-computed-rest' : 'fc-computed-quick', { detail: r.timings });
    const drawing = renderResults(r.panels);
    // The KPI tiles are filled in synchronously (no chart): the first figures on screen.
    if ('kpis' in r.panels) performance.mark('fc-tiles-drawn');
    if (i === 0) paintedDone();
    await drawing;
    if (seq !== computeSeq) return;
    if ('forecast' in r.panels) performance.mark('fc-first-drawn');
  }
  setStatus('');
  $('dashboard').setAttribute('aria-busy', 'false');
  if (store.rendered) document.body.dataset.state = 'ready';
}

// Recomputes one panel (a slider moved): at most one request in flight per panel, and
// the latest settings always win.
const panelRuns = new Map();
/** @param {string} name @returns {Promise<void> | undefined} */
function refreshPanel(name) {
  if (!store.schema) return undefined;
  if (!panelRuns.has(name)) {
    panelRuns.set(name, latestWins(async (stale) => {
      /** @type {Record<string, PanelResult>} */ let results;
      try {
        results = (await sendCompute([name])).panels;
      } catch (e) {
        results = { [name]: { value: null, error: e.message } };
      }
      if (!stale()) await renderResults(results, [name]);
    }));
  }
  return panelRuns.get(name)();
}

// --- the toolbar: channel, data span, status ---------------------------------------------

function setupToolbar() {
  store.on('data', ({ schema }) => {
    if (!schema) return; // never: 'data' follows setData(schema)
    $('data-span').textContent = `${F.fmtTime(schema.start, schema.step)} → ${F.fmtTime(schema.end - schema.step, schema.step)} UTC`;
    const channels = schema.channels;
    const select = $select('channel');
    const keep = channels.includes(store.channel) ? store.channel : '';
    select.replaceChildren(el('option', { value: '', text: 'All channels' }), ...channels.map((c) => el('option', { value: c, text: c })));
    select.value = keep;
    store.setChannel(keep);
    $('channel-picker').hidden = channels.length === 0;
  });
  $('channel').addEventListener('change', (e) => {
    store.setChannel(/** @type {HTMLSelectElement} */ (e.target).value);
    refresh();
  });
}

// Lead scoring's code could not be loaded: said at the top of its tab.
/** @param {Error} e */
function leadCodeFailed(e) {
  const view = $('scoring-view');
  view.dataset.state = 'error';
  document.getElementById('lead-code-error')?.remove();
  view.prepend(el('p', { class: 'error', id: 'lead-code-error', role: 'alert', text: `Lead scoring could not be loaded: ${e.message}` }));
}

function registerServiceWorker() {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register('sw.js').catch((e) => console.warn('funnelcast: offline cache unavailable:', e.message));
}

// --- start-up ----------------------------------------------------------------------------

// The page opened on lead scoring: the dashboard goes on once lead scoring's view has
// settled (its first leads drawn, or an error, or a source missing: any state but
// loading), or the dashboard is shown, or after a minute whatever happens.
function waitForScoring() {
  const view = $('scoring-view');
  const settled = () => !['idle', 'loading'].includes(view.dataset.state || 'idle');
  let gone = false;
  const go = () => {
    if (gone) return;
    gone = true;
    observer.disconnect();
    clearTimeout(timer);
    performance.mark('fc-dashboard-start');
    firstViewDone();
  };
  const observer = new MutationObserver(() => settled() && go());
  observer.observe(view, { attributes: true, attributeFilter: ['data-state'] });
  const timer = setTimeout(go, 60_000);
  store.on('view', () => store.view === 'dashboard' && go());
}

async function boot() {
  // The page's script is in and run (its modules' top levels): the shell starts.
  performance.mark('fc-app-start');
  for (const p of PANELS) if (p.setup) p.setup(ctx);
  setupToolbar();
  setupDrop(store, $('drop-overlay'));
  applyQuery(PANELS, new URLSearchParams(location.search));
  // Lead scoring on demand: its tab shown (views.js, also at start-up), or about to be
  // (pointed at, focused), or a file of its kinds opened.
  deferOpeners(LEAD_KINDS, loadLeadScoring);
  store.on('view', () => store.view === 'scoring' && loadLeadScoring().catch(leadCodeFailed));
  for (const type of ['pointerenter', 'focus']) $('tab-scoring').addEventListener(type, () => loadLeadScoring().catch(leadCodeFailed), { once: true });
  if (firstView) waitForScoring();

  ready.then(
    (r) => {
      // The worker's start-up steps on the page's clock.
      /** @type {(t: number) => PerformanceMarkOptions} */
      const at = (t) => ({ startTime: t - performance.timeOrigin });
      if (r.startup.workerStart) performance.mark('fc-worker-start', at(r.startup.workerStart));
      if (r.startup.wasmReady) performance.mark('fc-wasm-ready', at(r.startup.wasmReady));
      $('core-version').textContent = `core ${r.version}`;
    },
    () => {},
  );

  // The loads start at once, while vega is still loading. The worker handles messages in
  // order: the data is read, the KPI tiles are computed, then the model is read and the
  // rest computed, without waiting for the page to hear back (the tiles need no model;
  // a file only the model can read is read its way when the model arrives: the tiles are
  // then asked for again). The computes are used only if the data was accepted.
  const loads = PANELS.map((p) => p.start && p.start(ctx)).filter(Boolean);
  const early = loads.length ? sendComputes('first') : null;
  const secondLoads = PANELS.map((p) => p.startSecond && p.startSecond(ctx)).filter(Boolean);
  if (early) early.push(...sendComputes('rest'));
  vegaLoaded().then(
    () => performance.mark('fc-vega-loaded'),
    () => {}, // each chart panel reports it in prepare()
  );
  // While the engine parses the data: charts embedded with stand-in rows. Their real data
  // waits for this (ChartSlot.prepareWith); the KPI tiles do not.
  const preparing = (firstView || Promise.resolve())
    .then(() => Promise.all(PANELS.map((p) => p.prepare && p.prepare(ctx))))
    .then(() => performance.mark('fc-charts-prepared'));
  // The tiles are drawn as soon as the data is in, while the model is still being read.
  const firstOk = (await Promise.all(loads)).every((v) => v !== false);
  let drawing = firstOk && store.schema ? refresh(early) : null;
  await Promise.all(secondLoads);
  const dataOk = !!store.schema;
  if (dataOk && !drawing) {
    // Read the model's way (it was pending when the first compute ran): the tiles again.
    const first = early ? sendComputes('first') : [];
    if (early) early.splice(0, first.length, ...first);
    drawing = refresh(early);
  }
  await drawing;
  paintedDone();
  await preparing;
  performance.mark('fc-dashboard-rendered');
  document.body.dataset.state = dataOk ? 'ready' : 'error';
  store.rendered = true;
  startedDone();
  registerServiceWorker();
}

boot().catch((e) => {
  startedDone();
  paintedDone();
  document.body.dataset.state = 'error';
  const box = $('data-error');
  box.textContent = `Unexpected error: ${e.message}`;
  box.hidden = false;
  console.error(e);
});
