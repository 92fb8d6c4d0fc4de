// @ts-check
// Lead scoring's sources and scoring: the lead table and the scoring model (drop, picker,
// ?leads=…&scoring=…, or the demo's: demo/leads.csv and models/demo_leads.fcm), loaded into
// the lead scoring worker (lead-worker.js, started after the dashboard is drawn or as soon
// as lead scoring is shown), and every lead scored with its three strongest reasons
// whenever either changes while lead scoring is shown (the start-up's sources are loaded
// behind the dashboard, but scored only once lead scoring is opened: seconds of work for
// 20,000 leads that a visitor of the dashboard alone never asked for). A table that lacks
// columns the model needs is refused with the core's message, which names them all, beside
// the file, and the table shown stays. The other lead scoring panels draw what is in the
// store: 'leads', 'scoreModel', 'scores'.
import { $, el, showError } from '../dom.js';
import { open, opener } from '../files.js';
import * as F from '../format.js';
import { text } from '../query.js';
import { CSV_TYPES, isAt, MODEL_TYPES, showFile, showNotices, showProgress, sourceBox, sourceLabel, urlSource, workerSource } from '../sources.js';

export const DEMO_LEADS = 'demo/leads.csv';
export const DEMO_SCORE_MODEL = 'models/demo_leads.fcm';
// Reasons per lead in the table and the export (funnelcast score --explain 3).
export const REASONS = 3;

/** @type {import('../types').Shell} */
let ctx = /** @type {any} */ (null);
let begun = false;
let scoreSeq = 0;
let scoreOnShow = false; // the start-up's sources are loaded, to be scored when shown
/** @import { LeadCalls, Progress, Shell, Source, Store } from '../types' */
/** @typedef {'demo' | 'user' | 'trained'} Origin */
/** @type {{leads: string | null, scoring: string | null}} */
const query = { leads: null, scoring: null }; // ?leads= and ?scoring= (a path, or none)

/** @type {(state: string) => unknown} */
const setState = (state) => ($('scoring-view').dataset.state = state);
/**
 * @template {keyof LeadCalls & string} K
 * @param {K} type @param {object} payload @param {{onProgress?: (p: Progress) => void}} [options]
 * @returns {Promise<LeadCalls[K]>}
 */
const call = (type, payload, options) => ctx.leadWorker().call(type, payload, options);

// --- loading -------------------------------------------------------------------------

// Lead scoring is shown: the worker scores the leads (and explains their first page) as
// soon as it has both the leads and a model that fits, before the page asks (lead-worker.js:
// scoreAhead). Loaded behind the dashboard, they are scored only once lead scoring is shown.
const ahead = () => ctx.store.view === 'scoring';

// Loads a lead table. Refused (the core's message beside the file): the table shown stays.
/** @param {Source} source @param {Origin} origin */
async function openLeads(source, origin) {
  showError('leads-error', '');
  /** @type {import('../types').LeadCalls['openLeads']} */ let r;
  try {
    r = await call('openLeads', { source: workerSource(source), ahead: ahead() }, { onProgress: (p) => showProgress('leads', p) });
  } catch (e) {
    // The table stays only when it is on screen (scored); else say what to load.
    const shown = ctx.store.scores ? ctx.store.leads : null;
    const next = ctx.store.scoreHeader ? ` Load a table with the columns ${ctx.store.scoreModelName} reads.` : '';
    showError('leads-error', `${e.message}${/[.!?]$/.test(e.message) ? '' : '.'}${shown ? ` The table below still shows ${shown.source}.` : next}`);
    if (!shown) setState('error');
    return false;
  } finally {
    showProgress('leads', null);
  }
  const s = r.summary;
  const read = F.isNum(s.parseMs) ? ` · read in ${F.fmtCount(Math.max(1, Math.round(s.parseMs)))} ms` : '';
  showFile('leads', sourceLabel(source), `${F.fmtCount(s.rows)} leads · ${s.columns.length} columns${read}`);
  performance.mark('fc-leads-loaded', { detail: { rows: s.rows, parseMs: s.parseMs } });
  ctx.store.setLeads(s, origin);
  return true;
}

// Loads a scoring model; a forecast model is handed to the dashboard. quiet: a lead table
// that does not fit is about to be replaced (a model trained here, with its table).
/** @param {Source} source @param {Origin} origin @param {{quiet?: boolean}} [options] */
async function openModel(source, origin, { quiet = false } = {}) {
  showError('score-model-error', '');
  /** @type {import('../types').LeadCalls['openModel']} */ let r;
  try {
    r = await call('openModel', { source: workerSource(source), ahead: ahead() }, { onProgress: (p) => showProgress('score-model', p) });
  } catch (e) {
    showError('score-model-error', e.message);
    return false;
  } finally {
    showProgress('score-model', null);
  }
  if (r.kind !== 'score') {
    showError('score-model-error', `${r.name} is a ${r.kind} model: it is loaded into the dashboard.`);
    open('model', source).catch(() => {});
    return false;
  }
  const s = r.header.score;
  showFile('score-model', `${r.name}${origin === 'trained' ? ' (trained here)' : origin === 'demo' ? ' (demo model)' : ''}`, `predicts ${s.target} = ${s.positive} · ${s.features.length} inputs · threshold ${s.threshold.toFixed(3)}`);
  showNotices('score-model', r.header.score.warnings);
  ctx.store.setScoreModel(r.header, r.name, origin);
  if (r.leadsError && !quiet) {
    // The leads shown cannot be scored with this model: no scores until a table that fits.
    showError('leads-error', r.leadsError);
    ctx.store.setScores(null);
    setState('error');
  }
  return !r.leadsError || quiet;
}

// Scores the lead table with the model (the latest call wins).
async function rescore() {
  const { store } = ctx;
  const seq = ++scoreSeq;
  scoreOnShow = false;
  if (!store.leads || !store.scoreHeader) {
    store.setScores(null);
    setState(store.leads || store.scoreHeader ? 'partial' : 'empty');
    return;
  }
  setState('loading');
  performance.mark('fc-score-start');
  /** @type {import('../types').LeadCalls['score']} */ let r;
  try {
    r = await call('score', { explain: REASONS }, { onProgress: (p) => seq === scoreSeq && showProgress('leads', p) });
  } catch (e) {
    if (seq !== scoreSeq) return;
    showError('leads-error', e.message);
    store.setScores(null);
    setState('error');
    return;
  } finally {
    if (seq === scoreSeq) showProgress('leads', null);
  }
  if (seq !== scoreSeq) return;
  performance.mark('fc-scored', { detail: { ms: r.ms, rows: r.rows } });
  showNotices('leads', r.notices);
  store.setScores(r);
}

// A file or URL for lead scoring (files.js routes drops and hand-overs here).
/** @param {'leads' | 'score-model'} kind @param {Source} source */
async function openSource(kind, source) {
  ctx.showView('scoring');
  begin({ skipDemo: true });
  const ok = kind === 'score-model' ? await openModel(source, 'user') : await openLeads(source, 'user');
  if (ok) await rescore();
}

// A model trained in the page, with the table it was trained on: both shown, scored.
/** @param {{model: Uint8Array, name: string, table: Source}} trained */
async function openTrained({ model, name, table }) {
  begin({ skipDemo: true });
  const ok = await openModel({ kind: 'bytes', bytes: model, name }, 'trained', { quiet: true });
  if (ok && (await openLeads(table, 'trained'))) await rescore();
}

// Start-up: the leads and model from the query string, or the demo's (the demo model goes
// with the demo leads only). Once; skipDemo: a file of the user's came first.
function begin({ skipDemo = false } = {}) {
  if (begun) return;
  begun = true;
  performance.mark('fc-scoring-start');
  if (skipDemo) return;
  let leads = null;
  let model = null;
  try {
    leads = query.leads === 'none' ? null : urlSource(query.leads || DEMO_LEADS, query.leads ? null : `${DEMO_LEADS} (demo leads)`);
  } catch (e) {
    showError('leads-error', e.message);
  }
  const demoLeads = leads && isAt(leads, DEMO_LEADS);
  if (query.scoring !== 'none' && (query.scoring || demoLeads || !leads)) {
    try {
      model = urlSource(query.scoring || DEMO_SCORE_MODEL, query.scoring ? null : 'demo_leads.fcm (demo model)');
    } catch (e) {
      showError('score-model-error', e.message);
    }
  }
  /** @type {(source: Source, demo: string) => Origin} */
  const origin = (source, demo) => (isAt(source, demo) ? 'demo' : 'user');
  setState('loading');
  // The model first: a table that lacks its columns is refused at once.
  const loads = [model ? openModel(model, origin(model, DEMO_SCORE_MODEL)) : null, leads ? openLeads(leads, origin(leads, DEMO_LEADS)) : null];
  Promise.all(loads).then(() => {
    if (ctx.store.view === 'scoring') rescore();
    else scoreOnShow = true;
  });
}

/** @param {Shell} shell */
function setup(shell) {
  ctx = shell;
  const help = el(
    'p',
    { class: 'muted' },
    'Score a table of leads (a CRM export, one row per lead) with a model from ',
    el('code', { text: 'funnelcast train score' }),
    ' or one trained below: each lead’s probability of converting, the decision at the threshold and its three strongest reasons. Computed in this tab; nothing is uploaded.',
  );
  $('sc-sources').append(
    el(
      'section',
      { class: 'panel sources', 'aria-labelledby': 'scoring-title' },
      el('div', { class: 'panel-head' }, el('h2', { id: 'scoring-title', text: 'Lead scoring' })),
      help,
      el(
        'div',
        { class: 'sources-grid' },
        sourceBox({ kind: 'leads', title: 'Leads', hint: 'a CSV with one row per lead (the columns the model was trained on)', button: 'Choose CSV…', accept: CSV_TYPES, onFile: (file) => openSource('leads', { kind: 'file', file }) }),
        sourceBox({ kind: 'score-model', title: 'Scoring model', hint: 'a .fcm file from funnelcast train score', button: 'Choose model…', accept: MODEL_TYPES, onFile: (file) => openSource('score-model', { kind: 'file', file }) }),
      ),
    ),
  );
  opener('leads', (source) => openSource('leads', source));
  opener('score-model', (source) => openSource('score-model', source));
  opener('trained-score-model', openTrained);
  ctx.store.on('view', ({ view }) => {
    if (view !== 'scoring') return;
    begin();
    if (scoreOnShow) rescore();
  });
}

// Lead scoring loads once the dashboard is drawn (it never delays it), or at once when it
// is the tab shown.
/** @param {Shell} shell */
function start({ store, started }) {
  if (store.view === 'scoring') begin();
  else started.then(() => begin());
  return null;
}

/** @type {import('../types').Panel} */
export default {
  name: 'scoring',
  query: {
    leads: { parse: text(), apply: (v) => (query.leads = v) },
    scoring: { parse: text(), apply: (v) => (query.scoring = v) },
  },
  setup,
  start,
};
