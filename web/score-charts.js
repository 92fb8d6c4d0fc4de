// @ts-check
// The lead scoring charts' Vega-Lite specs and rows: ROC, precision–recall, calibration
// and gain (with lift) from a scoring model's header (its out-of-fold threshold curve,
// calibration bins and lift table), the one-lead SHAP waterfall, and the drift view's
// side-by-side histograms. Fixed sizes (charts.js: fixedFrame), so they draw while their
// tab is hidden. Each chart with a threshold has an `at` dataset: the point the slider
// shows, swapped in without re-embedding.
import { fixedFrame } from './charts.js';
import * as F from './format.js';

const COLORS = { line: '#2563eb', chance: '#94a3b8', at: '#dc2626', up: '#15803d', down: '#b91c1c', reference: '#94a3b8', current: '#2563eb' };
const SIZE = { width: 230, height: 190 };
/** @import * as FC from '../wasm/funnelcast' */
/** @import { LeadCalls } from './types' */
/** @typedef {Pick<FC.CurvePoint, 'threshold' | 'recall' | 'precision'> & {share: number | null}} CurveStop a threshold's point (the threshold panel's slider: share null when unknown) */
/** @type {(title: string) => object} */
const unit = (title) => ({ type: 'quantitative', scale: { domain: [0, 1] }, axis: { format: '.0%', tickCount: 5 }, title });

// A curve point's rates: ROC's false positive rate follows from its share contacted,
// recall and the positive rate π: FPR = (share − recall·π) / (1 − π).
/** @param {FC.ScoreSection} score */
export function curveRows(score) {
  const pi = /** @type {number} */ (score.positive_rate);
  return score.curve
    .filter((p) => F.isNum(p.recall))
    .map((p) => ({ threshold: p.threshold, share: p.share, recall: p.recall, precision: p.precision, fpr: Math.min(1, Math.max(0, (p.share - /** @type {number} */ (p.recall) * pi) / (1 - pi))), lift: p.lift }));
}

// The threshold's point on every chart.
/** @param {CurveStop | null | undefined} stop @param {FC.ScoreSection} score */
export function atRows(stop, score) {
  const pi = /** @type {number} */ (score.positive_rate);
  if (!stop || !F.isNum(stop.recall)) return [];
  return [{ threshold: stop.threshold, share: stop.share, recall: stop.recall, precision: stop.precision, fpr: Math.min(1, Math.max(0, (/** @type {number} */ (stop.share) - stop.recall * pi) / (1 - pi))) }];
}

/** @type {(x: string, y: string) => object} */
const atLayer = (x, y) => ({
  data: { name: 'at' },
  mark: { type: 'point', filled: true, size: 70, color: COLORS.at },
  encoding: { x: { field: x, type: 'quantitative' }, y: { field: y, type: 'quantitative' } },
});
/** @type {(fields: Array<[string, string, string]>) => object[]} */
const tip = (fields) => fields.map(([field, title, format]) => ({ field, title, type: 'quantitative', format }));

/** @param {FC.ScoreSection} score @param {CurveStop | null | undefined} stop */
export function rocSpec(score, stop) {
  const rows = [{ fpr: 0, recall: 0, threshold: 1 }, ...curveRows(score).sort((a, b) => a.fpr - b.fpr || /** @type {number} */ (a.recall) - /** @type {number} */ (b.recall))];
  return {
    ...fixedFrame({ curve: rows, chance: [{ x: 0, y: 0 }, { x: 1, y: 1 }], at: atRows(stop, score) }, SIZE.width, SIZE.height),
    layer: [
      { data: { name: 'chance' }, mark: { type: 'line', color: COLORS.chance, strokeDash: [4, 4] }, encoding: { x: { field: 'x', ...unit('False positive rate') }, y: { field: 'y', ...unit('True positive rate (recall)') } } },
      {
        data: { name: 'curve' },
        mark: { type: 'line', color: COLORS.line, point: { size: 12, opacity: 0 } },
        encoding: { x: { field: 'fpr', type: 'quantitative' }, y: { field: 'recall', type: 'quantitative' }, order: { field: 'fpr' }, tooltip: tip([['threshold', 'Threshold', '.3f'], ['fpr', 'FPR', '.1%'], ['recall', 'Recall', '.1%']]) },
      },
      atLayer('fpr', 'recall'),
    ],
  };
}

/** @param {FC.ScoreSection} score @param {CurveStop | null | undefined} stop */
export function prSpec(score, stop) {
  const rows = curveRows(score).filter((r) => F.isNum(r.precision));
  return {
    ...fixedFrame({ curve: rows, base: [{ y: score.positive_rate }], at: atRows(stop, score) }, SIZE.width, SIZE.height),
    layer: [
      { data: { name: 'base' }, mark: { type: 'rule', color: COLORS.chance, strokeDash: [4, 4] }, encoding: { y: { field: 'y', ...unit('Precision') } } },
      {
        data: { name: 'curve' },
        mark: { type: 'line', color: COLORS.line, point: { size: 12, opacity: 0 } },
        encoding: { x: { field: 'recall', ...unit('Recall') }, y: { field: 'precision', type: 'quantitative' }, order: { field: 'recall' }, tooltip: tip([['threshold', 'Threshold', '.3f'], ['recall', 'Recall', '.1%'], ['precision', 'Precision', '.1%']]) },
      },
      atLayer('recall', 'precision'),
    ],
  };
}

/** @param {FC.ScoreSection} score */
export function calibrationSpec(score) {
  const rows = score.calibration.filter((b) => b.count > 0 && F.isNum(b.mean_predicted) && F.isNum(b.observed_rate));
  return {
    ...fixedFrame({ bins: rows, ideal: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }, SIZE.width, SIZE.height),
    layer: [
      { data: { name: 'ideal' }, mark: { type: 'line', color: COLORS.chance, strokeDash: [4, 4] }, encoding: { x: { field: 'x', ...unit('Predicted probability') }, y: { field: 'y', ...unit('Observed rate') } } },
      { data: { name: 'bins' }, mark: { type: 'line', color: COLORS.line }, encoding: { x: { field: 'mean_predicted', type: 'quantitative' }, y: { field: 'observed_rate', type: 'quantitative' } } },
      {
        data: { name: 'bins' },
        mark: { type: 'point', filled: true, color: COLORS.line },
        encoding: {
          x: { field: 'mean_predicted', type: 'quantitative' },
          y: { field: 'observed_rate', type: 'quantitative' },
          size: { field: 'count', type: 'quantitative', legend: null, scale: { range: [15, 160] } },
          tooltip: [...tip([['lower', 'From', '.1f'], ['upper', 'To', '.1f'], ['mean_predicted', 'Predicted', '.1%'], ['observed_rate', 'Observed', '.1%']]), { field: 'count', title: 'Leads', type: 'quantitative', format: ',d' }],
        },
      },
    ],
  };
}

// Cumulative gain: the share of conversions reached when contacting the top share of
// leads (the curve), the lift table's points labelled with their lift.
/** @param {FC.ScoreSection} score @param {CurveStop | null | undefined} stop */
export function gainSpec(score, stop) {
  const rows = [{ share: 0, recall: 0, threshold: 1 }, ...curveRows(score).sort((a, b) => a.share - b.share)];
  const lift = score.lift.filter((l) => F.isNum(l.gain)).map((l) => ({ ...l, label: F.isNum(l.lift) ? `×${l.lift.toFixed(1)}` : '' }));
  const top = lift.filter((l) => [0.1, 0.2, 0.3, 0.5].some((s) => Math.abs(l.share - s) < 1e-9));
  return {
    ...fixedFrame({ curve: rows, lift, top, chance: [{ x: 0, y: 0 }, { x: 1, y: 1 }], at: atRows(stop, score) }, SIZE.width, SIZE.height),
    layer: [
      { data: { name: 'chance' }, mark: { type: 'line', color: COLORS.chance, strokeDash: [4, 4] }, encoding: { x: { field: 'x', ...unit('Leads contacted (top share)') }, y: { field: 'y', ...unit('Conversions reached (gain)') } } },
      { data: { name: 'curve' }, mark: { type: 'line', color: COLORS.line }, encoding: { x: { field: 'share', type: 'quantitative' }, y: { field: 'recall', type: 'quantitative' }, order: { field: 'share' } } },
      {
        data: { name: 'lift' },
        mark: { type: 'point', filled: true, color: COLORS.line, size: 30 },
        encoding: { x: { field: 'share', type: 'quantitative' }, y: { field: 'gain', type: 'quantitative' }, tooltip: tip([['share', 'Top', '.0%'], ['gain', 'Gain', '.1%'], ['lift', 'Lift', '.2f'], ['precision', 'Precision', '.1%']]) },
      },
      { data: { name: 'top' }, mark: { type: 'text', dy: -9, dx: -4, fontSize: 10, color: '#334155' }, encoding: { x: { field: 'share', type: 'quantitative' }, y: { field: 'gain', type: 'quantitative' }, text: { field: 'label' } } },
      atLayer('share', 'recall'),
    ],
  };
}

/** @type {(x: number) => number} */
const sigmoid = (x) => 1 / (1 + Math.exp(-x));

// The SHAP waterfall of one lead: from the expected value (the average lead, log-odds)
// through each input's contribution, strongest first, to the lead's margin. At most
// `shown` inputs; the rest are one step. Returns {steps, expected, margin} (the rows
// drawn add up: expected + Σ value = margin).
/** @param {Pick<LeadCalls['scoreRecord'], 'featureNames' | 'contributions' | 'expectedValue' | 'margin'>} r @param {string[]} labels @param {number} [shown] */
export function waterfallRows(r, labels, shown = 12) {
  const items = r.featureNames.map((name, i) => ({ name, value: r.contributions[i], label: labels[i] || name }));
  items.sort((a, b) => Math.abs(b.value) - Math.abs(a.value) || 0);
  const head = items.slice(0, shown);
  const rest = items.slice(shown);
  if (rest.length) head.push({ name: 'other', value: rest.reduce((s, x) => s + x.value, 0), label: `${rest.length} other inputs` });
  let at = /** @type {number} */ (r.expectedValue);
  const steps = head.map((x, i) => {
    const start = at;
    at += x.value;
    return { order: i, label: x.label, feature: x.name, value: x.value, start, end: at, sign: x.value >= 0 ? 'up' : 'down', pStart: sigmoid(start), pEnd: sigmoid(at) };
  });
  return { steps, expected: r.expectedValue, margin: r.margin };
}

/** @param {ReturnType<typeof waterfallRows>} rows */
export function waterfallSpec(rows) {
  const { steps } = rows;
  const expected = /** @type {number} */ (rows.expected);
  const margin = rows.margin;
  // Each label on the side of its line away from the other (two datasets, so the spec
  // stays the same and a new lead only swaps the rows).
  const right = margin >= expected;
  const expectedMark = { x: expected, text: `average lead ${F.fmtPercent(sigmoid(expected))}` };
  const leadMark = { x: margin, text: `this lead ${F.fmtPercent(sigmoid(margin))}` };
  const marks = [expectedMark, leadMark];
  const toRight = right ? [expectedMark] : [leadMark];
  const toLeft = right ? [leadMark] : [expectedMark];
  /** @type {(name: string, align: string, dx: number) => object} */
  const label = (name, align, dx) => ({ data: { name }, mark: { type: 'text', align, dx, baseline: 'top', y: -14, fontSize: 10, color: '#334155' }, encoding: { x: { field: 'x', type: 'quantitative' }, text: { field: 'text' } } });
  // The labels' room in the config, not on the axis, so a chart narrowed to a phone's width
  // can give them less (charts.js: fitted).
  const y = { field: 'label', type: 'nominal', sort: { field: 'order' }, title: null };
  const frame = fixedFrame({ steps, marks, toRight, toLeft }, 420, Math.max(120, 22 * steps.length));
  return {
    ...frame,
    config: { ...frame.config, axisY: { labelLimit: 260 } },
    layer: [
      {
        data: { name: 'steps' },
        mark: { type: 'bar', height: 14, cornerRadius: 2 },
        encoding: {
          y,
          x: { field: 'start', type: 'quantitative', title: 'Log-odds of converting (0 = 50%)', scale: { zero: false, nice: true } },
          x2: { field: 'end' },
          color: { field: 'sign', type: 'nominal', scale: { domain: ['up', 'down'], range: [COLORS.up, COLORS.down] }, legend: null },
          tooltip: [{ field: 'label', title: 'Input' }, ...tip([['value', 'Contribution', '+.3f'], ['pStart', 'From', '.1%'], ['pEnd', 'To', '.1%']])],
        },
      },
      { data: { name: 'marks' }, mark: { type: 'rule', strokeDash: [4, 3], color: '#334155' }, encoding: { x: { field: 'x', type: 'quantitative' } } },
      label('toRight', 'left', 3),
      label('toLeft', 'right', -3),
    ],
  };
}

// One drifting column: its PSI bins, reference and current shares side by side.
/** @param {FC.DriftColumn} column */
export function driftRows(column) {
  return column.bins.flatMap((b, i) => [
    { order: i, label: b.label, side: 'reference', share: b.reference_share },
    { order: i, label: b.label, side: 'current', share: b.current_share },
  ]);
}

/** @param {FC.DriftColumn} column */
export function driftSpec(column) {
  return {
    ...fixedFrame({ bins: driftRows(column) }, 300, 150),
    title: { text: column.column, fontSize: 12, anchor: 'start' },
    layer: [
      {
        data: { name: 'bins' },
        mark: { type: 'bar' },
        encoding: {
          x: { field: 'label', type: 'nominal', sort: { field: 'order' }, title: null, axis: { labelAngle: -40, labelLimit: 90 } },
          xOffset: { field: 'side', sort: ['reference', 'current'] },
          y: { field: 'share', type: 'quantitative', axis: { format: '.0%', tickCount: 4 }, title: 'Share of rows' },
          color: { field: 'side', type: 'nominal', scale: { domain: ['reference', 'current'], range: [COLORS.reference, COLORS.current] }, legend: null },
          tooltip: [{ field: 'label', title: 'Bin' }, { field: 'side', title: 'Table' }, ...tip([['share', 'Share', '.1%']])],
        },
      },
    ],
  };
}

// --- the SHAP summary and dependence plots (lead scoring's "What drives the scores") ---

const TOP_INPUTS = 10; // the summary's rows: the inputs with the largest mean |contribution|
const SHAP_TITLE = 'Contribution to the log-odds of converting';
/** @typedef {import('./types').LeadCalls['shapSample']} ShapSample */

// Numbers coloured by their rank among the sample's values of that input (0 lowest, 1
// highest: robust to outliers), other inputs (categories, date parts) left grey.
/** @param {ShapSample} s @param {number} f @returns {Array<number | null>} */
function tones(s, f) {
  if (s.kinds[f] !== 'number') return new Array(s.rows).fill(null);
  const x = s.texts[f].map((t) => (t === '' ? NaN : Number(t)));
  const order = x.map((v, i) => [v, i]).filter(([v]) => Number.isFinite(v)).sort((a, b) => a[0] - b[0]);
  /** @type {Array<number | null>} */
  const out = new Array(s.rows).fill(null);
  const m = order.length;
  // Ties share their mean rank, so equal values get one colour.
  for (let a = 0; a < m; ) {
    let b = a;
    while (b + 1 < m && order[b + 1][0] === order[a][0]) b += 1;
    const tone = m > 1 ? (a + b) / 2 / (m - 1) : 0.5;
    for (let k = a; k <= b; ++k) out[order[k][1]] = tone;
    a = b + 1;
  }
  return out;
}

// The inputs by mean |contribution| over the sample, largest first: [{feature, index, mean}].
/** @param {ShapSample} s */
export function shapRanking(s) {
  const width = s.features.length;
  return s.features
    .map((feature, f) => {
      let sum = 0;
      for (let i = 0; i < s.rows; ++i) sum += Math.abs(s.contributions[i * width + f]);
      return { feature, index: f, mean: s.rows ? sum / s.rows : 0 };
    })
    .sort((a, b) => b.mean - a.mean || a.index - b.index);
}

// One dot per lead per input (the top inputs), spread vertically by a fixed jitter.
/** @param {ShapSample} s */
export function shapSummaryRows(s) {
  const width = s.features.length;
  return shapRanking(s)
    .slice(0, TOP_INPUTS)
    .flatMap(({ feature, index: f }, order) => {
      const tone = tones(s, f);
      return s.ids.map((id, i) => ({
        id,
        feature,
        order,
        shap: s.contributions[i * width + f],
        text: s.texts[f][i] === '' ? '(empty)' : s.texts[f][i],
        tone: tone[i],
        // A low-discrepancy spread in [-1, 1) (golden ratio), the same on every draw.
        jitter: ((i * 0.6180339887498949) % 1) * 2 - 1,
      }));
    });
}

/** @param {ReturnType<typeof shapSummaryRows>} rows */
export function shapSummarySpec(rows) {
  const inputs = new Set(rows.map((r) => r.feature)).size;
  const y = { field: 'feature', type: 'nominal', sort: { field: 'order' }, title: null };
  const tooltip = [{ field: 'id', title: 'Lead' }, { field: 'feature', title: 'Input' }, { field: 'text', title: 'Value' }, ...tip([['shap', 'Contribution', '+.3f']])];
  const dots = (/** @type {string} */ filter, /** @type {object} */ color) => ({
    transform: [{ filter }],
    mark: { type: 'circle', size: 14, opacity: 0.75 },
    encoding: { y, yOffset: { field: 'jitter', type: 'quantitative', scale: { domain: [-1.6, 1.6] } }, x: { field: 'shap', type: 'quantitative', title: SHAP_TITLE }, color, tooltip },
  });
  const frame = fixedFrame({ dots: rows }, 440, Math.max(120, 30 * inputs));
  return {
    ...frame,
    config: { ...frame.config, axisY: { labelLimit: 200 } },
    data: { name: 'dots' },
    layer: [
      { mark: { type: 'rule', color: '#94a3b8' }, encoding: { x: { datum: 0 } } },
      dots('datum.tone == null', { value: '#94a3b8' }),
      dots('datum.tone != null', { field: 'tone', type: 'quantitative', scale: { domain: [0, 1], range: [COLORS.line, COLORS.at] }, legend: { title: 'Value (rank)', format: '.0%', gradientLength: 80 } }),
    ],
  };
}

// One input: its value (numbers on an axis, other inputs as their texts) against its
// contribution, one dot per lead of the sample.
/** @param {ShapSample} s @param {number} f */
export function shapDependenceRows(s, f) {
  const width = s.features.length;
  const numeric = s.kinds[f] === 'number';
  return s.ids
    .map((id, i) => {
      const text = s.texts[f][i];
      const value = numeric && text !== '' ? Number(text) : null;
      return { id, shap: s.contributions[i * width + f], text: text === '' ? '(empty)' : text, value: Number.isFinite(value) ? value : null, jitter: ((i * 0.6180339887498949) % 1) * 2 - 1 };
    })
    .filter((r) => !numeric || r.value != null);
}

/** @param {ReturnType<typeof shapDependenceRows>} rows @param {string} feature @param {boolean} numeric */
export function shapDependenceSpec(rows, feature, numeric) {
  const x = numeric ? { field: 'value', type: 'quantitative', title: feature, scale: { zero: false } } : { field: 'text', type: 'nominal', title: feature, sort: '-y', axis: { labelLimit: 90, labelAngle: -40 } };
  return {
    ...fixedFrame({ points: rows }, 440, 220),
    data: { name: 'points' },
    layer: [
      { mark: { type: 'rule', color: '#94a3b8' }, encoding: { y: { datum: 0 } } },
      {
        mark: { type: 'circle', size: 16, opacity: 0.6, color: COLORS.line },
        encoding: { x, ...(numeric ? {} : { xOffset: { field: 'jitter', type: 'quantitative', scale: { domain: [-1.6, 1.6] } } }), y: { field: 'shap', type: 'quantitative', title: SHAP_TITLE }, tooltip: [{ field: 'id', title: 'Lead' }, { field: 'text', title: feature }, ...tip([['shap', 'Contribution', '+.3f']])] },
      },
    ],
  };
}
