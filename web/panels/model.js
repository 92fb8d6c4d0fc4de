// @ts-check
// The model card: what the loaded model is, what data it was trained on (its data
// schema: source, span, channel, roles), its cross-validation metrics and the candidates
// it was chosen from. It computes nothing in the worker: it draws the model's header
// (ModelHeader in wasm/funnelcast.d.ts) whenever a model is loaded or dropped.
import { $, $table, el } from '../dom.js';
import * as F from '../format.js';
import { coverageText, meanStd, renderComparison } from './cv.js';

/** @import * as FC from '../../wasm/funnelcast' */

/** @param {FC.ForecastModelHeader} h @param {string[]} names */
function renderFacts(h, names) {
  const facts = $('model-facts');
  facts.replaceChildren();
  /** @type {(label: string, value: string | number | null | undefined) => void} */
  const fact = (label, value) => {
    if (value == null || value === '') return;
    facts.append(el('div', { class: 'fact' }, el('dt', { text: label }), el('dd', { text: String(value) })));
  };
  const d = h.data;
  const fc = h.forecast;
  fact('Kind', h.kind);
  fact('Target', d.roles.leads || (d.rows === 'events' ? 'rows counted as leads' : 'leads'));
  fact('Predictor', [fc.selected, fc.predictor && fc.predictor !== fc.selected ? `(${fc.predictor})` : ''].filter(Boolean).join(' '));
  fact('Features', names.length ? `${names.length}` : null);
  fact('Interval coverage (CV)', fc.coverage && fc.coverage.p80 != null ? `80%: ${F.fmtPercent(fc.coverage.p80)} · 95%: ${F.fmtPercent(fc.coverage.p95)}` : null);
  // data.end is the end of the last interval (exclusive), as in the schema.
  fact('Trained on', `${d.source}: ${F.fmtDay(d.start)} → ${F.fmtDay(d.end - d.interval)} (${F.fmtCount(d.intervals)} ${F.intervalName(d.interval, d.intervals)})`);
  fact('Channel', d.channel == null ? `all channels${d.channel_count > 1 ? ` (${d.channel_count}, summed)` : ''}` : d.channel);
  fact('Time zone', d.zone ? `${d.zone} (times without an offset; forecasts with this model need the command line)` : null);
  fact('Horizon', `${fc.horizon} ${F.intervalName(d.interval, fc.horizon)}`);
  const importance = Object.entries(fc.feature_importance || {});
  if (importance.length) {
    importance.sort((a, b) => b[1] - a[1]);
    fact('Most important features', importance.slice(0, 4).map(([k]) => k).join(', '));
  }
  fact('Created', F.isNum(h.created_at) ? `${F.fmtHour(h.created_at)} UTC` : '–');
  fact('Created by', h.created_by);
}

// Cross-validation of the selected candidate: one row per metric, one-step and recursive.
/** @param {FC.ForecastModelHeader} h */
function renderCv(h) {
  const cv = h.forecast.cv;
  $('cv-folds').textContent = `(${cv.folds} time-series folds, recursive over ${cv.horizon} h; mean ± std)`;
  const metrics = /** @type {FC.RegressionMetric[]} */ (Object.keys(cv.one_step));
  $table('cv-table').tBodies[0].replaceChildren(
    ...metrics.map((k) => el('tr', {}, el('th', { scope: 'row', text: k.toUpperCase() }), el('td', { class: 'num', text: meanStd(cv.one_step[k]) }), el('td', { class: 'num', text: meanStd(cv.recursive[k]) }))),
  );
}

/** @param {import('../types').StoreState} state */
function render({ header: h, modelName }) {
  const ok = !!(h && h.data && h.forecast);
  $('model-empty').hidden = ok;
  $('model-body').hidden = !ok;
  $('model-kind').textContent = ok ? h.kind : '';
  $('model-title').textContent = ok ? `Model · ${modelName}` : 'Model';
  if (!ok) return;
  const names = h.forecast.features.names || [];
  renderFacts(h, names);
  renderCv(h);
  renderComparison($table('comparison-table'), h.forecast.comparison, h.forecast.selected);
  $('model-coverage').textContent = coverageText(h.forecast.coverage);
  $('feature-count').textContent = names.length ? `(${names.length})` : '';
  $('feature-list').replaceChildren(...names.map((n) => el('li', { text: n })));
}

/** @type {import('../types').Panel} */
export default {
  name: 'model',
  /** @param {import('../types').Shell} shell */
  setup({ store }) {
    store.on('model', render);
  },
};
