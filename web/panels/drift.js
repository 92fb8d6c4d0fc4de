// @ts-check
// Drift: a reference table (the one the model learned from, or an earlier period) against
// a current one (a file, or without one the leads shown above), column by column as
// `funnelcast drift` compares them: PSI and the Kolmogorov–Smirnov test with the core's
// flags, the flagged columns' histograms side by side, and the scoring model's ROC-AUC on
// the current table when it has the outcome (against its cross-validated ROC-AUC). Only
// the model's inputs are compared when a scoring model is loaded. ?reference= and
// ?current= load tables from this site.
import { ChartSlot, vegaLoaded } from '../charts.js';
import { $, $table, el, showError } from '../dom.js';
import { opener } from '../files.js';
import * as F from '../format.js';
import { text } from '../query.js';
import { driftSpec } from '../score-charts.js';
import { CSV_TYPES, showFile, showProgress, sourceBox, sourceLabel, urlSource, workerSource } from '../sources.js';

const MAX_CHARTS = 6;
/** @type {import('../types').Shell} */
let ctx = /** @type {any} */ (null);
/** @import { LeadCalls, Shell, Source } from '../types' */
/** @typedef {'reference' | 'current'} Which */
/** @type {Record<Which, string | null>} */
const loaded = { reference: null, current: null }; // file names
/** @type {Record<Which, string | null>} */
const query = { reference: null, current: null };
/** @type {ChartSlot[]} */
let slots = [];
let seq = 0;

/** @param {Which} which @param {Source} source @param {{show?: boolean}} [options] */
async function openTable(which, source, { show = true } = {}) {
  if (show) ctx.showView('scoring');
  showError(`${which}-error`, '');
  try {
    const r = await ctx.leadWorker().call('openDrift', { which, source: workerSource(source) }, { onProgress: (p) => showProgress(which, p) });
    loaded[which] = r.summary.source;
    showFile(which, sourceLabel(source), `${F.fmtCount(r.summary.rows)} rows · ${r.summary.columns.length} columns`);
  } catch (e) {
    showError(`${which}-error`, e.message);
    return;
  } finally {
    showProgress(which, null);
  }
  await compare();
}

/** @type {(x: number | null | undefined, digits?: number) => string} */
const fmt = (x, digits = 3) => (F.isNum(x) ? x.toFixed(digits) : '–');
/** @type {(p: number | null | undefined) => string} */
const pValue = (p) => (!F.isNum(p) ? '–' : p < 0.001 ? '< 0.001' : p.toFixed(3));

/** @param {LeadCalls['drift']} r */
function modelLine(r) {
  const m = r.model_check;
  if (!m && r.model && r.model_check_skipped) return `${r.model} on ${r.current}: no ROC-AUC (${r.model_check_skipped}).`;
  if (!m) return r.model ? `${r.current} has no ${ctx.store.scoreHeader ? ctx.store.scoreHeader.score.target : 'outcome'} column: the model's ROC-AUC on it cannot be measured.` : 'Load a scoring model to measure its ROC-AUC on the current table (when that table has the outcome).';
  const judgedRows = m.in_sample ? m.new_rows : m.rows;
  const verdict = m.degraded ? 'degraded (more than 0.05 below its cross-validation): retrain it' : judgedRows < r.min_rows ? `too few ${m.in_sample ? 'new ' : ''}leads to judge (fewer than ${r.min_rows})` : 'holding up';
  // Leads the reference holds too: in-sample when the model was trained on it.
  const shared = m.in_sample
    ? ` ${F.fmtCount(m.shared_rows)} of them are also in ${r.reference}: if the model was trained on it, that ROC-AUC is in-sample and reads high. On the ${F.fmtCount(m.new_rows)} others: ROC-AUC ${fmt(m.new_roc_auc)}, against ${fmt(m.cv_roc_auc)} in cross-validation: ${verdict}.`
    : '';
  const rates = F.isNum(m.outcome_rate) && F.isNum(m.reference_outcome_rate) ? ` The outcome rate is ${F.fmtPercent(m.outcome_rate)} here, ${F.fmtPercent(m.reference_outcome_rate)} in ${r.reference}.` : '';
  if (m.in_sample) return `${r.model} on ${r.current}: ROC-AUC ${fmt(m.roc_auc)} on ${F.fmtCount(m.rows)} leads with an outcome.${shared}${rates}`;
  return `${r.model} on ${r.current}: ROC-AUC ${fmt(m.roc_auc)} on ${F.fmtCount(m.rows)} leads with an outcome, against ${fmt(m.cv_roc_auc)} in cross-validation: ${verdict}.${rates}`;
}

// What to do, from the drift and the model check together (never "retrain" beside a model
// that still ranks these leads as well as it did in cross-validation).
/** @param {LeadCalls['drift']} r */
function advice(r) {
  const m = r.model_check;
  if (m && m.degraded) return ' Time to retrain.';
  if (!r.major) return '';
  if (m && (m.in_sample ? m.new_rows : m.rows) >= r.min_rows) return ' The inputs moved, yet the model still ranks these leads as well as in cross-validation: keep an eye on it.';
  return ' The inputs moved: measure the model on leads with a known outcome, or retrain it.';
}

async function compare() {
  const mine = ++seq;
  const panel = $('drift-panel');
  if (!loaded.reference || (!loaded.current && !ctx.store.leads)) {
    panel.dataset.state = 'waiting';
    $('drift-result').hidden = true;
    return;
  }
  showError('drift-error', '');
  panel.dataset.state = 'computing';
  /** @type {import('../types').LeadCalls['drift']} */ let r;
  try {
    r = await ctx.leadWorker().call('drift', {});
  } catch (e) {
    if (mine !== seq) return;
    showError('drift-error', e.message);
    $('drift-result').hidden = true;
    panel.dataset.state = 'error';
    return;
  }
  if (mine !== seq) return;
  $('drift-result').hidden = false;
  const summary = $('drift-summary');
  summary.dataset.alert = String(r.alert);
  summary.dataset.verdict = r.verdict;
  summary.textContent = r.verdict === 'too few rows' ? `${r.current} against ${r.reference}: ${r.note}.` : `${r.current} against ${r.reference}${r.model ? ` (the inputs of ${r.model})` : ''}: ${r.major} ${r.major === 1 ? 'column drifts' : 'columns drift'} majorly, ${r.moderate} moderately, of ${r.columns.length}.${advice(r)}`;
  $('drift-model').textContent = modelLine(r);
  $('drift-model').dataset.rocAuc = r.model_check && F.isNum(r.model_check.roc_auc) ? String(r.model_check.roc_auc) : '';
  $table('drift-table').tBodies[0].replaceChildren(
    ...r.columns.map((c) =>
      el(
        'tr',
        { class: `severity-${c.severity}`, dataset: { column: c.column, severity: c.severity } },
        el('th', { scope: 'row', text: c.column }),
        el('td', { text: c.type || '–' }),
        el('td', { class: 'num', text: fmt(c.psi) }),
        el('td', { class: 'num', text: fmt(c.ks) }),
        el('td', { class: 'num', text: pValue(c.ks_p_value) }),
        el('td', {}, el('span', { class: `flag ${c.severity}`, text: c.severity === 'none' ? 'stable' : c.severity })),
        el('td', { text: c.reason }),
      ),
    ),
  );
  const flagged = r.columns.filter((c) => c.severity !== 'none' && c.bins.length).slice(0, MAX_CHARTS);
  for (const s of slots) s.clear();
  const box = $('drift-charts');
  const nodes = flagged.map((c) => el('div', { class: 'chart drift-chart', dataset: { column: c.column }, role: 'img', 'aria-label': `${c.column}: reference and current shares per bin` }));
  box.replaceChildren(...nodes);
  slots = nodes.map((n) => new ChartSlot(n, ctx.tooltip));
  $('drift-charts-note').textContent = flagged.length ? `The flagged columns, reference (grey) and current (blue) shares per bin:` : 'No column drifts: nothing to draw.';
  try {
    await vegaLoaded();
    for (let i = 0; i < flagged.length; ++i) if (mine === seq) await slots[i].render(driftSpec(flagged[i]), seq);
  } catch (e) {
    showError('drift-error', `The histograms could not be drawn: ${e.message}`);
  }
  if (mine === seq) panel.dataset.state = 'ready';
}

function build() {
  const head = ['Column', 'Type', 'PSI', 'KS', 'KS p-value', 'Flag', 'Why'].map((h) => el('th', { scope: 'col', text: h }));
  $('sc-drift').append(
    el(
      'section',
      { class: 'panel', id: 'drift-panel', 'aria-labelledby': 'drift-title', dataset: { state: 'waiting' } },
      el('div', { class: 'panel-head' }, el('h2', { id: 'drift-title', text: 'Drift' })),
      el('p', { class: 'muted', text: 'Have the leads changed since the model learned? Compare a reference table (the training table, or an earlier period) with a current one, as funnelcast drift does: PSI > 0.1 or a KS p-value < 0.01 is moderate drift, PSI > 0.2 major. Without a current file, the leads shown above are compared.' }),
      el(
        'div',
        { class: 'sources-grid' },
        sourceBox({ kind: 'reference', title: 'Reference', hint: 'the table the model learned from', button: 'Choose CSV…', accept: CSV_TYPES, onFile: (file) => openTable('reference', { kind: 'file', file }) }),
        sourceBox({ kind: 'current', title: 'Current', hint: 'new leads (default: the leads shown above)', button: 'Choose CSV…', accept: CSV_TYPES, onFile: (file) => openTable('current', { kind: 'file', file }) }),
      ),
      el(
        'div',
        { id: 'drift-result', hidden: true },
        el('p', { class: 'summary', id: 'drift-summary' }),
        el('p', { class: 'note', id: 'drift-model' }),
        el('div', { class: 'table-wrap' }, el('table', { class: 'data-table', id: 'drift-table' }, el('thead', {}, el('tr', {}, ...head)), el('tbody'))),
        el('p', { class: 'note', id: 'drift-charts-note' }),
        el('div', { class: 'small-charts', id: 'drift-charts' }),
      ),
      el('p', { class: 'error', id: 'drift-error', role: 'alert', hidden: true }),
    ),
  );
}

/** @type {import('../types').Panel} */
export default {
  name: 'drift',
  query: {
    reference: { parse: text(), apply: (v) => (query.reference = v) },
    current: { parse: text(), apply: (v) => (query.current = v) },
  },
  /** @param {Shell} shell */
  setup(shell) {
    ctx = shell;
    build();
    opener('reference', (source) => openTable('reference', source));
    opener('current', (source) => openTable('current', source));
    // The leads shown are the current table when no file was given; a model changes
    // which columns are compared and adds its ROC-AUC.
    ctx.store.on('leads', () => loaded.reference && !loaded.current && compare());
    ctx.store.on('scoreModel', () => loaded.reference && compare());
  },
  /** @param {Shell} shell */
  start({ store, started }) {
    const load = () => {
      for (const which of /** @type {const} */ (['reference', 'current'])) {
        if (!query[which]) continue;
        try {
          openTable(which, urlSource(query[which]), { show: false });
        } catch (e) {
          showError(`${which}-error`, e.message);
        }
      }
    };
    if (store.view === 'scoring') load();
    else started.then(load);
    return null;
  },
};
