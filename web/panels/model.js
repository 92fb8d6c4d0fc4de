// The model card: what the loaded model is, what it was trained on, its cross-validation
// metrics and the candidates it was chosen from. It computes nothing in the worker: it
// draws the model header whenever a model is loaded.
import { $, el } from '../dom.js';
import * as F from '../format.js';

const num = (x, d = 3) => (F.isNum(x) ? (Math.abs(x) >= 1000 ? F.fmtCount(Math.round(x)) : x.toPrecision(d > 0 ? Math.max(d, 1) : 3).replace(/\.?0+$/, (s) => (s.includes('.') ? '' : s))) : '–');
const meanStd = (v) => {
  if (v == null) return '–';
  if (typeof v === 'number') return num(v, 4);
  if (typeof v === 'object' && 'mean' in v) return `${num(v.mean, 4)} ± ${num(v.std, 2)}`;
  return '–';
};

function renderFacts(h, names) {
  const facts = $('model-facts');
  facts.replaceChildren();
  const fact = (label, value) => {
    if (value == null || value === '') return;
    facts.append(el('div', { class: 'fact' }, el('dt', { text: label }), el('dd', { text: String(value) })));
  };
  const predictor = h.predictor && typeof h.predictor === 'object' ? h.predictor.type : h.predictor;
  fact('Kind', h.kind);
  fact('Target', h.target);
  fact('Predictor', [h.selected, predictor && predictor !== h.selected ? `(${predictor})` : ''].filter(Boolean).join(' ') || predictor);
  fact('Features', names.length ? `${names.length}` : null);
  const cov = h.interval_coverage || {};
  if (cov.p80 != null || cov.p95 != null) fact('Interval coverage (CV)', `80%: ${F.fmtPercent(cov.p80)} · 95%: ${F.fmtPercent(cov.p95)}`);
  const d = h.data || {};
  // data.end is the end of the last hour (exclusive), as in the schema.
  if (d.start != null && d.end != null) fact('Trained on', `${F.fmtDay(d.start)} → ${F.fmtDay(d.end - 3600)}${d.hours ? ` (${F.fmtCount(d.hours)} hours)` : ''}`);
  else if (d.hours) fact('Trained on', `${F.fmtCount(d.hours)} hours`);
  const importance = h.feature_importance && typeof h.feature_importance === 'object' ? Object.entries(h.feature_importance) : [];
  if (importance.length) {
    importance.sort((a, b) => b[1] - a[1]);
    fact('Most important features', importance.slice(0, 4).map(([k]) => k).join(', '));
  }
  fact('Created', h.created_at || '–');
  fact('Created by', h.created_by);
}

// Cross-validation: one row per metric, one-step and recursive columns.
function renderCv(h) {
  const cv = h.cv || {};
  const folds = Array.isArray(cv.folds) ? cv.folds.length : cv.folds;
  const horizon = cv.horizon ? `, recursive over ${cv.horizon} h` : '';
  $('cv-folds').textContent = folds ? `(${folds} time-series folds${horizon}; mean ± std)` : '(mean ± std)';
  const oneStep = cv.one_step || {};
  const recursive = cv.recursive || {};
  const metrics = [...new Set([...Object.keys(oneStep), ...Object.keys(recursive)])].filter((k) => k !== 'folds');
  $('cv-table').tBodies[0].replaceChildren(
    ...metrics.map((k) => el('tr', {}, el('th', { scope: 'row', text: k.toUpperCase() }), el('td', { class: 'num', text: meanStd(oneStep[k]) }), el('td', { class: 'num', text: meanStd(recursive[k]) }))),
  );
}

// The comparison of candidates: their one-step and recursive metrics.
function renderComparison(h) {
  const comp = Array.isArray(h.comparison) ? h.comparison : [];
  const compMetrics = [];
  for (const c of comp) {
    for (const part of ['one_step', 'recursive']) {
      if (c[part] && typeof c[part] === 'object') for (const k of Object.keys(c[part])) if (k !== 'folds' && !compMetrics.includes(k)) compMetrics.push(k);
    }
  }
  const shown = ['rmse', 'mae', 'smape', 'mase'].filter((k) => compMetrics.includes(k)).slice(0, 2);
  const cols = shown.length ? shown : compMetrics.slice(0, 2);
  const thead = $('comparison-table').tHead;
  thead.replaceChildren(
    el('tr', {}, el('th', { scope: 'col', text: 'Candidate' }), ...cols.flatMap((k) => [el('th', { scope: 'col', text: `${k.toUpperCase()} one-step` }), el('th', { scope: 'col', text: `${k.toUpperCase()} recursive` })])),
  );
  $('comparison-table').tBodies[0].replaceChildren(
    ...comp.map((c) => {
      const selected = c.name === h.selected;
      return el(
        'tr',
        { class: selected ? 'selected' : '' },
        el('th', { scope: 'row' }, c.name || '?', selected ? el('span', { class: 'badge small', text: 'selected' }) : null),
        ...cols.flatMap((k) => [el('td', { class: 'num', text: meanStd(c.one_step && c.one_step[k]) }), el('td', { class: 'num', text: meanStd(c.recursive && c.recursive[k]) })]),
      );
    }),
  );
}

function render({ header: h, modelName }) {
  $('model-empty').hidden = !!h;
  $('model-body').hidden = !h;
  $('model-kind').textContent = h ? h.kind || '' : '';
  if (!h) return;
  $('model-title').textContent = `Model · ${modelName}`;
  const names = (h.features && Array.isArray(h.features.names) && h.features.names) || [];
  renderFacts(h, names);
  renderCv(h);
  renderComparison(h);
  $('feature-count').textContent = names.length ? `(${names.length})` : '';
  $('feature-list').replaceChildren(...names.map((n) => el('li', { text: n })));
}

export default {
  name: 'model',
  setup({ store }) {
    store.on('model', render);
  },
};
