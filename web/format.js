// Number, time and CSV formatting shared by the panels, and the metrics they chart.
// All times are UTC, as in the data.

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const one = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const two = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const three = new Intl.NumberFormat('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 });

export const isNum = (x) => typeof x === 'number' && Number.isFinite(x);

export function fmtCount(x) {
  if (!isNum(x)) return '–';
  return Number.isInteger(x) ? int.format(x) : one.format(x);
}
export function fmtMoney(x) {
  return isNum(x) ? two.format(x) : '–';
}
export function fmtNumber(x, digits = 2) {
  if (!isNum(x)) return '–';
  if (digits === 1) return one.format(x);
  if (digits === 3) return three.format(x);
  return two.format(x);
}
export function fmtPercent(x, digits = 1) {
  if (!isNum(x)) return '–';
  return `${(x * 100).toFixed(digits)}%`;
}
export function fmtChange(x) {
  if (!isNum(x)) return 'n/a';
  const p = x * 100;
  const s = Math.abs(p) >= 1000 ? Math.round(p).toLocaleString('en-US') : p.toFixed(1);
  return `${p > 0 ? '+' : p < 0 ? '−' : '±'}${s.replace('-', '')}%`;
}
export function fmtBytes(n) {
  if (!isNum(n)) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

const pad = (n) => String(n).padStart(2, '0');

// "2024-12-30 14:00" (UTC) from epoch seconds.
export function fmtHour(seconds) {
  if (!isNum(seconds)) return '–';
  const d = new Date(seconds * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:00`;
}
// "2024-12-30" (UTC).
export function fmtDay(seconds) {
  if (!isNum(seconds)) return '–';
  const d = new Date(seconds * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}
// "2024-12-30 14:00:00", the core's timestamp format for CSV output.
export function csvTimestamp(seconds) {
  const d = new Date(seconds * 1000);
  return `${fmtDay(seconds)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

// A CSV field: quoted when it holds a delimiter, quote or line break.
export function csvField(v) {
  const s = v == null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
export function csvNumber(x, digits) {
  if (!isNum(x)) return '';
  return digits == null ? String(x) : x.toFixed(digits);
}

export const METRICS = {
  leads: { label: 'Leads', unit: 'leads per hour', format: (x) => fmtNumber(x, 1) },
  spend: { label: 'Spend', unit: 'spend per hour', format: fmtMoney },
  revenue: { label: 'Revenue', unit: 'revenue per hour', format: fmtMoney },
  cpl: { label: 'CPL', unit: 'cost per lead', format: fmtMoney },
  roi: { label: 'ROI', unit: 'return on spend', format: (x) => fmtPercent(x, 1) },
};
