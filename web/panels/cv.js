// @ts-check
// The comparison of forecast candidates as `funnelcast train forecast` prints it: one row
// per candidate (seasonal naive, ridge, GBDT...), recursive RMSE / MAE / sMAPE over the
// whole horizon and one-step RMSE / R², each mean ± std over the folds, the selected one
// marked; and the prediction intervals' coverage on the folds. Used by the model card
// (from a model's header) and the training panel (from the training report).
import { el } from '../dom.js';

/** @import * as FC from '../../wasm/funnelcast' */
/** @type {Array<['recursive' | 'one_step', FC.RegressionMetric, string]>} */
export const COLUMNS = [
  ['recursive', 'rmse', 'Recursive RMSE'],
  ['recursive', 'mae', 'Recursive MAE'],
  ['recursive', 'smape', 'Recursive sMAPE'],
  ['one_step', 'rmse', 'One-step RMSE'],
  ['one_step', 'r2', 'One-step R²'],
];

// "3.884 ± 0.060", as the CLI prints it; "n/a" when no fold defines the metric.
/** @param {FC.MetricSummary | null | undefined} v */
export function meanStd(v) {
  if (!v || typeof v.mean !== 'number' || !Number.isFinite(v.mean)) return 'n/a';
  const std = typeof v.std === 'number' && Number.isFinite(v.std) ? v.std : 0;
  return `${v.mean.toFixed(3)} ± ${std.toFixed(3)}`;
}

// Fills `table` (a .data-table with an empty thead and tbody).
/**
 * @param {HTMLTableElement & {tHead: HTMLTableSectionElement}} table
 * @param {FC.CandidateResult[] | null | undefined} comparison
 * @param {string} selected
 */
export function renderComparison(table, comparison, selected) {
  table.tHead.replaceChildren(el('tr', {}, el('th', { scope: 'col', text: 'Candidate' }), ...COLUMNS.map(([, , label]) => el('th', { scope: 'col', class: 'num', text: label }))));
  table.tBodies[0].replaceChildren(
    ...(comparison || []).map((c) => {
      const chosen = c.name === selected;
      return el(
        'tr',
        { class: chosen ? 'selected' : '', dataset: { candidate: c.name } },
        el('th', { scope: 'row' }, c.name, chosen ? el('span', { class: 'badge small', text: 'selected' }) : null),
        ...COLUMNS.map(([part, key]) => el('td', { class: 'num', text: meanStd(c[part] && c[part][key]) })),
      );
    }),
  );
}

// "Interval coverage on the folds: 80% band 80.0%, 95% band 94.8%" (ideally 80% and 95%).
/** @param {{p80: number | null, p95: number | null} | null | undefined} coverage */
export function coverageText(coverage) {
  if (!coverage || typeof coverage.p80 !== 'number' || typeof coverage.p95 !== 'number') return '';
  return `Interval coverage on the folds: 80% band ${(coverage.p80 * 100).toFixed(1)}%, 95% band ${(coverage.p95 * 100).toFixed(1)}%.`;
}
