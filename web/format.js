// @ts-check
// Number, time and CSV formatting shared by the panels: numbers by the unit the core's
// registry gives a metric (count, money, ratio), times by the data's interval. All times
// are UTC, as in the data.

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const one = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const two = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const three = new Intl.NumberFormat('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 });

/** @type {(x: unknown) => x is number} */
export const isNum = (x) => typeof x === 'number' && Number.isFinite(x);

/** @typedef {number | null | undefined} MaybeNumber a number, or nothing to show ('–') */

/** @param {MaybeNumber} x */
export function fmtCount(x) {
  if (!isNum(x)) return '–';
  return Number.isInteger(x) ? int.format(x) : one.format(x);
}
/** @param {MaybeNumber} x */
export function fmtMoney(x) {
  return isNum(x) ? two.format(x) : '–';
}
/** @param {MaybeNumber} x @param {number} [digits] 1, 2 or 3 */
export function fmtNumber(x, digits = 2) {
  if (!isNum(x)) return '–';
  if (digits === 1) return one.format(x);
  if (digits === 3) return three.format(x);
  return two.format(x);
}
/** @param {MaybeNumber} x @param {number} [digits] */
export function fmtPercent(x, digits = 1) {
  if (!isNum(x)) return '–';
  return `${(x * 100).toFixed(digits)}%`;
}
// A ratio as a percentage: two decimals below 10% (a conversion rate), one above (an ROI).
/** @param {MaybeNumber} x */
export function fmtRatio(x) {
  if (!isNum(x)) return '–';
  const p = x * 100;
  return `${p.toFixed(Math.abs(p) < 10 ? 2 : 1)}%`;
}
// A metric's value by the unit the registry gives it.
// 'number': a column in its own units (any numeric column judged for anomalies).
/** @param {import('../wasm/funnelcast').MetricInfo['unit'] | 'number'} unit @param {MaybeNumber} x */
export function fmtMetric(unit, x) {
  if (unit === 'money') return fmtMoney(x);
  if (unit === 'ratio') return fmtRatio(x);
  if (unit === 'number') return fmtNumber(x);
  return fmtCount(x);
}
/** @param {MaybeNumber} x */
export function fmtChange(x) {
  if (!isNum(x)) return 'n/a';
  const p = x * 100;
  const s = Math.abs(p) >= 1000 ? Math.round(p).toLocaleString('en-US') : p.toFixed(1);
  return `${p > 0 ? '+' : p < 0 ? '−' : '±'}${s.replace('-', '')}%`;
}
// A change of a rate (ROI, conversion) in percentage points: 0.301 -> 0.317 is "+1.6 pp".
/** @param {MaybeNumber} x the difference of the two rates */
export function fmtPoints(x) {
  if (!isNum(x)) return 'n/a';
  const p = x * 100;
  const s = Math.abs(p) >= 1000 ? Math.round(p).toLocaleString('en-US') : p.toFixed(1);
  return `${p > 0 ? '+' : p < 0 ? '−' : '±'}${s.replace('-', '')} pp`;
}
/** @param {MaybeNumber} n */
export function fmtBytes(n) {
  if (!isNum(n)) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** @param {number} n */
const pad = (n) => String(n).padStart(2, '0');

// "2024-12-30 14:00" (UTC) from epoch seconds.
/** @param {MaybeNumber} seconds */
export function fmtHour(seconds) {
  if (!isNum(seconds)) return '–';
  const d = new Date(seconds * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}
// "2024-12-30" (UTC).
/** @param {MaybeNumber} seconds */
export function fmtDay(seconds) {
  if (!isNum(seconds)) return '–';
  const d = new Date(seconds * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}
// A time on a grid of `step` seconds: the day for daily or coarser data, else the minute.
/** @type {(seconds: MaybeNumber, step: number) => string} */
export const fmtTime = (seconds, step) => (step >= 86400 ? fmtDay(seconds) : fmtHour(seconds));

// The name of one interval of `step` seconds: "hour", "day", "15-minute interval"; plural
// when n is not 1.
/**
 * @param {number} step
 * @param {number} [n]
 * @returns {string}
 */
export function intervalName(step, n = 1) {
  const many = n !== 1;
  for (const [seconds, word] of /** @type {Array<[number, string]>} */ ([[604800, 'week'], [86400, 'day'], [3600, 'hour']])) {
    if (step === seconds) return many ? `${word}s` : word;
  }
  const unit = step % 86400 === 0 ? [step / 86400, 'day'] : step % 3600 === 0 ? [step / 3600, 'hour'] : step % 60 === 0 ? [step / 60, 'minute'] : [step, 'second'];
  return `${unit[0]}-${unit[1]} interval${many ? 's' : ''}`;
}

// "2024-12-30 14:00:00", the core's timestamp format for CSV output.
/** @param {number} seconds */
export function csvTimestamp(seconds) {
  const d = new Date(seconds * 1000);
  return `${fmtDay(seconds)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

// A CSV field: quoted when it holds a delimiter, quote or line break.
/** @param {unknown} v */
export function csvField(v) {
  const s = v == null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
/** @param {MaybeNumber} x @param {number} [digits] */
export function csvNumber(x, digits) {
  if (!isNum(x)) return '';
  return digits == null ? String(x) : x.toFixed(digits);
}
