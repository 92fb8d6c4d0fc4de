// @ts-check
// The decision threshold and what the scoring model is worth, from its header (nothing is
// computed in a worker): a slider over the model's out-of-fold threshold curve (and the
// model's own threshold) with the precision, recall, F1, share contacted and lift stored
// for it; the cross-validation metrics beside the logistic baseline; ROC, precision–recall,
// calibration and gain charts with the threshold's point. Moving the slider sets the
// store's threshold: the lead table's decisions and the export follow.
import { ChartSlot, vegaLoaded } from '../charts.js';
import { $, $input, $table, el, showError } from '../dom.js';
import * as F from '../format.js';
import { atRows, calibrationSpec, gainSpec, prSpec, rocSpec } from '../score-charts.js';

/** @type {Array<[keyof FC.CurvePoint, string, string]>} */
const METRICS = [
  ['precision', 'Precision', 'Of the leads contacted, the share that convert'],
  ['recall', 'Recall', 'Of the leads that convert, the share contacted'],
  ['f1', 'F1', 'The harmonic mean of precision and recall'],
  ['share', 'Leads contacted', 'The share of leads at or above the threshold'],
  ['lift', 'Lift', 'Precision over the conversion rate: how much better than contacting at random'],
];
/** @type {Array<[string, string, (score: FC.ScoreSection, stop: Stop) => object]>} */
const CHARTS = [
  ['roc', 'ROC', rocSpec],
  ['pr', 'Precision–recall', prSpec],
  ['calibration', 'Calibration', calibrationSpec],
  ['gain', 'Gain and lift', gainSpec],
];
/** @type {Array<[FC.ScoreMetricName, string]>} */
const TABLE_METRICS = [
  ['roc_auc', 'ROC-AUC'],
  ['pr_auc', 'PR-AUC'],
  ['logloss', 'Log-loss'],
  ['brier', 'Brier'],
  ['accuracy', 'Accuracy'],
];

/** @type {import('../types').Shell} */
let ctx = /** @type {any} */ (null);
/** @import * as FC from '../../wasm/funnelcast' */
/** @typedef {Omit<FC.CurvePoint, 'share'> & {share: number | null, model: boolean}} Stop a position of the slider (share: null when unknown); model: the model's own threshold */
/** @type {Stop[]} */
let stops = []; // the slider's positions, lowest threshold first
/** @type {Record<string, ChartSlot>} */
let slots = {};
let epoch = 0;

// The curve's points and the model's own threshold (its out-of-fold precision, recall and
// F1; the share it contacts follows from them: recall·π / precision).
/** @param {FC.ScoreSection} score @returns {Stop[]} */
export function thresholdStops(score) {
  const pi = score.positive_rate; // null when unknown (a model imported from XGBoost)
  /** @type {Stop[]} */
  const list = score.curve.map((p) => ({ ...p, model: false }));
  const o = score.out_of_fold;
  const own = list.find((p) => p.threshold === score.threshold);
  if (own) {
    own.model = true;
  } else {
    const share = F.isNum(pi) && F.isNum(o.precision) && o.precision > 0 && F.isNum(o.recall) ? (o.recall * pi) / o.precision : null;
    const lift = F.isNum(pi) && pi > 0 && F.isNum(o.precision) ? o.precision / pi : null;
    list.push({ threshold: score.threshold, share, precision: o.precision, recall: o.recall, f1: o.f1, lift, model: true });
  }
  return list.sort((a, b) => a.threshold - b.threshold);
}

const RULES = { f1: 'the best F1', precision: 'the lowest reaching the precision asked', top_share: 'a contact budget', fixed: 'fixed' };

function build() {
  const tiles = METRICS.map(([key, label, help]) =>
    el('div', { class: 'tile small', title: help, id: `threshold-${key}`, dataset: { metric: key } }, el('h3', { class: 'tile-label', text: label }), el('p', { class: 'tile-value', id: `threshold-${key}-value`, text: '–' })),
  );
  const charts = CHARTS.map(([key, title]) => el('figure', { class: 'small-chart' }, el('figcaption', { text: title }), el('div', { class: 'chart', id: `${key}-chart`, role: 'img', 'aria-label': `${title} chart` })));
  $('sc-threshold').append(
    el(
      'section',
      { class: 'panel', id: 'threshold-panel', 'aria-labelledby': 'threshold-title', hidden: true },
      el('div', { class: 'panel-head' }, el('h2', { id: 'threshold-title', text: 'Who to contact' }), el('span', { class: 'badge', id: 'threshold-model' })),
      el('p', { class: 'caption', id: 'threshold-caption' }),
      el(
        'div',
        { class: 'controls' },
        el(
          'label',
          { class: 'slider wide' },
          el('span', {}, 'Contact leads scoring at least ', el('output', { id: 'threshold-value', for: 'threshold-slider', text: '–' })),
          el('input', { type: 'range', id: 'threshold-slider', min: 0, max: 0, step: 1, value: 0 }),
        ),
        el('button', { type: 'button', class: 'secondary small', id: 'threshold-reset', text: 'The model’s threshold' }),
      ),
      el('div', { class: 'tiles' }, ...tiles),
      el('p', { class: 'note', id: 'threshold-note' }),
      el('div', { class: 'small-charts' }, ...charts),
      el(
        'div',
        { class: 'score-tables' },
        el('div', {}, el('h3', { text: 'Cross-validation' }), el('div', { class: 'table-wrap' }, el('table', { class: 'data-table', id: 'threshold-cv' }, el('thead'), el('tbody')))),
        el('div', {}, el('h3', { text: 'Inputs that matter most' }), el('ol', { class: 'importance', id: 'threshold-importance' })),
      ),
      el('ul', { class: 'notices warnings', id: 'threshold-warnings', hidden: true }),
      el('p', { class: 'error', id: 'threshold-error', role: 'alert', hidden: true }),
    ),
  );
  for (const [key] of CHARTS) slots[key] = new ChartSlot($(`${key}-chart`), ctx.tooltip);
  const slider = $input('threshold-slider');
  slider.addEventListener('input', () => select(Number(slider.value)));
  $('threshold-reset').addEventListener('click', () => select(stops.findIndex((s) => s.model)));
}

// The slider at position i: the stored figures, the charts' point, the store's threshold.
/** @param {number} i */
function select(i) {
  const stop = stops[i];
  const h = ctx.store.scoreHeader;
  if (!stop || !h) return;
  $input('threshold-slider').value = String(i);
  const s = h.score;
  $('threshold-value').textContent = `${stop.threshold.toFixed(3)}${stop.model ? ` (the model’s: ${RULES[s.threshold_rule] || s.threshold_rule})` : ''}`;
  const panel = $('threshold-panel');
  panel.dataset.threshold = String(stop.threshold);
  panel.dataset.model = String(stop.model);
  for (const [key] of METRICS) {
    const v = stop[key];
    const node = $(`threshold-${key}-value`);
    node.dataset.value = F.isNum(v) ? String(v) : '';
    node.textContent = key === 'lift' ? (F.isNum(v) ? `×${v.toFixed(2)}` : '–') : key === 'f1' ? (F.isNum(v) ? v.toFixed(3) : '–') : F.fmtPercent(v);
  }
  const reached = F.isNum(stop.recall) ? F.fmtPercent(stop.recall) : '–';
  $('threshold-note').textContent = `Contacting the ${F.fmtPercent(stop.share)} of leads scoring at least ${stop.threshold.toFixed(3)} reaches ${reached} of the conversions, and ${F.fmtPercent(stop.precision)} of those contacted convert (${s.positive_rate ? F.fmtPercent(s.positive_rate) : '–'} at random). Out-of-fold figures from the model's cross-validation on ${F.fmtCount(h.data.rows_used)} leads.`;
  const at = atRows(stop, s);
  for (const [key] of CHARTS) if (slots[key].view && key !== 'calibration') slots[key].view.data('at', at).runAsync();
  ctx.store.setThreshold(stop.threshold);
}

/** @type {(m: FC.MetricSummary | undefined) => string} */
const meanStd = (m) => (m && F.isNum(m.mean) ? `${m.mean.toFixed(3)} ± ${(F.isNum(m.std) ? m.std : 0).toFixed(3)}` : 'n/a');
/** @type {(x: number | null | undefined) => string} */
const fixed3 = (x) => (F.isNum(x) ? x.toFixed(3) : 'n/a');

/** @param {FC.ScoreModelHeader} h */
function renderTables(h) {
  const s = h.score;
  const others = s.comparison.filter((c) => c.name !== 'gbdt');
  const table = $table('threshold-cv');
  table.tHead.replaceChildren(
    el('tr', {}, el('th', { scope: 'col', text: 'Metric' }), el('th', { scope: 'col', class: 'num', text: s.folds ? `Trees, ${s.folds} folds (mean ± std)` : 'Trees' }), el('th', { scope: 'col', class: 'num', text: 'Trees, out of fold' }), ...others.map((c) => el('th', { scope: 'col', class: 'num', text: `${c.name}, out of fold` }))),
  );
  table.tBodies[0].replaceChildren(
    ...TABLE_METRICS.map(([k, label]) => el('tr', { dataset: { metric: k } }, el('th', { scope: 'row', text: label }), el('td', { class: 'num', text: meanStd(s.cv[k]) }), el('td', { class: 'num', text: fixed3(s.out_of_fold[k]) }), ...others.map((c) => el('td', { class: 'num', text: fixed3(c[k]) })))),
  );
  $('threshold-importance').replaceChildren(...s.importance.slice(0, 8).map((x) => el('li', { text: `${x.feature} · mean |SHAP| ${x.mean_abs_shap.toFixed(3)}` })));
  $('threshold-warnings').replaceChildren(...s.warnings.map((w) => el('li', { text: w })));
  $('threshold-warnings').hidden = !s.warnings.length;
}

// While lead scoring's first page of leads is on its way (the view's state 'loading'),
// the charts wait for it: drawing them holds the page's main thread for most of a second,
// which held up the worker's answers (the leads read, the scores, the rows) behind them.
function tableFirst() {
  const view = $('scoring-view');
  if (view.dataset.state !== 'loading') return Promise.resolve();
  return new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (view.dataset.state === 'loading') return;
      observer.disconnect();
      resolve(null);
    });
    observer.observe(view, { attributes: true, attributeFilter: ['data-state'] });
  });
}

/** @param {import('../types').StoreState} state */
async function render({ scoreHeader: h, scoreModelName: name }) {
  const panel = $('threshold-panel');
  panel.hidden = !h;
  if (!h) return;
  const s = h.score;
  epoch += 1;
  stops = thresholdStops(s);
  const slider = $input('threshold-slider');
  slider.max = String(stops.length - 1);
  const at = stops.findIndex((p) => p.model);
  $('threshold-model').textContent = name;
  const auc = s.cv.roc_auc;
  const cv = auc && F.isNum(auc.mean) ? `; ROC-AUC ${meanStd(auc)} over ${s.folds} folds` : '';
  $('threshold-caption').textContent = `${name} predicts ${s.target} = ${s.positive}, trained on ${h.data.source} (${F.fmtCount(h.data.rows_used)} leads, ${F.fmtPercent(s.positive_rate)} ${s.positive}${cv}).`;
  renderTables(h);
  showError('threshold-error', '');
  select(at);
  try {
    const mine = epoch;
    await tableFirst();
    await vegaLoaded();
    for (const [key, , spec] of CHARTS) {
      if (mine !== epoch) return;
      const view = await slots[key].render(spec(s, stops[Number(slider.value)]), epoch);
      $(`${key}-chart`).dataset.points = String(view.data(key === 'calibration' ? 'bins' : 'curve').length);
    }
  } catch (e) {
    showError('threshold-error', `The charts could not be drawn: ${e.message}`);
  }
}

/** @type {import('../types').Panel} */
export default {
  name: 'threshold',
  /** @param {import('../types').Shell} shell */
  setup(shell) {
    ctx = shell;
    build();
    ctx.store.on('scoreModel', render);
  },
};
