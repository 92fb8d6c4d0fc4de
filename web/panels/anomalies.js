// @ts-check
// Anomalies: a metric per interval against what the chosen detector expected (the core's
// fc::anomaly, docs/anomalies.md), its expected band on the chart, the flagged intervals
// with their direction and, for ratios such as CPL, the cause (spend or leads moved); the
// controls (metric, method, threshold, look-back, baseline, seasons), recomputed in the
// worker as a slider moves; an opt-in browser notification when new data (auto refresh)
// brings a newer anomaly; the CSV / PNG / SVG downloads. The metrics offered are the core's
// registry's (label, unit) that the data can compute.
import { ChartSlot, frame, hoverLayer, nullable, TIP, vegaLoaded, xTime, zoom } from '../charts.js';
import { $, $button, $input, $select, $table, download, el, showError, slug } from '../dom.js';
import * as F from '../format.js';
import { number, text } from '../query.js';
import { DEFAULT_ANOMALY_METRIC } from '../worker-panels.js';

const COLORS = { value: '#334155', expected: '#d97706', band: '#fbbf24', spike: '#dc2626', drop: '#7c3aed' };
let wantedMethod = ''; // ?method=, checked against the core's list once it is known
// How each method judges an interval, for the summary line (docs/anomalies.md).
// A method's one line of help, from the core's list of detectors (registry().methods).
/** @type {(name: string) => string} */
const methodText = (name) => (registry && registry.methods.find((m) => m.name === name)?.help) || name;
const TABLE_LIMIT = 500;

/** @import * as FC from '../../wasm/funnelcast' */
/** @import { AcceptedSchema, PageAnomalies, PageAnomaly, PanelResult, Shell, Store } from '../types' */
/** @typedef {{name: string, label: string, unit: FC.MetricInfo['unit'] | 'number', help: string}} Metric a metric's registry entry, or a plain one for a column */
/** @type {ChartSlot} */
let slot = /** @type {any} */ (null);
/** @type {PageAnomalies | null} */
let shown = null; // the anomalies on screen, for the CSV download
/** @type {FC.Registry | null} */
let registry = null; // the core's roles and metrics
/** @type {string | null} */
let preferred = null; // the metric asked for (?metric=, or the user's last choice)
let thresholdSet = false; // the threshold slider was moved (or given): else each method's default
// Notifications: what the last drawn result was, to tell new data with a newer anomaly
// apart from a setting that changed.
/** @type {{key: string, version: number, newest: number | null} | null} */
let lastSeen = null; // {key, version, newest}

// A metric's registry entry; an unknown name gets a plain one.
/** @type {(name: string) => Metric} */
const metricInfo = (name) => (registry && registry.metrics.find((m) => m.name === name)) || { name, label: name, unit: 'number', help: '' };

function options() {
  return {
    metric: $select('an-metric').value || null,
    prefer: preferred,
    method: $select('an-method').value,
    // null: the method's default (zscore |z| > 2.5, the others p <= 5e-5); a z >= 1 otherwise.
    threshold: thresholdSet ? Number($input('an-threshold').value) : null,
    lookback: Number($input('an-lookback').value) * 24,
    baseline: Number($input('an-baseline').value) * 24,
    seasons: Number($input('an-seasons').value),
  };
}

function updateSliderLabels() {
  $('an-threshold-out').textContent = thresholdSet ? Number($input('an-threshold').value).toFixed(1) : 'default';
  $('an-seasons-out').textContent = `${$input('an-seasons').value} periods`;
  const method = $select('an-method').value;
  $('an-seasons-label').hidden = !(method === 'seasonal' || method === 'ensemble');
  const lb = Number($input('an-lookback').value);
  const bl = Number($input('an-baseline').value);
  $('an-lookback-out').textContent = `${lb} ${lb === 1 ? 'day' : 'days'}`;
  $('an-baseline-out').textContent = `${bl} ${bl === 1 ? 'day' : 'days'}`;
}

/** @type {(id: string) => (v: number) => void} */
const setControl = (id) => (v) => {
  $input(id).value = String(v);
  updateSliderLabels();
};

// The registry's metrics the data can compute, in the registry's order, then every other
// numeric column of the file (judged in its own units on its own grid, as `funnelcast
// anomalies --metric COLUMN`). The choice stays when the new data has it; else the worker
// picks (the preferred or the default metric) and render() shows its pick.
/** @param {AcceptedSchema | null} schema */
function renderMetricChoices(schema) {
  if (!registry) return;
  const s = /** @type {AcceptedSchema} */ (schema);
  const select = $select('an-metric');
  const keep = select.value || preferred;
  const offered = registry.metrics.filter((m) => s.metrics.includes(m.name));
  // Columns that are a role's are read through their metric; a column named like a
  // metric would be read as that metric, so it is not offered under its own name.
  const roleColumns = new Set([...Object.values(s.detectedRoles || {}), ...Object.values(s.pinnedRoles || {})]);
  const metricNames = new Set(registry.metrics.map((m) => m.name.toLowerCase()));
  const columns = s.columns
    .filter((c) => c.type === 'number' && !roleColumns.has(c.name) && !metricNames.has(c.name.toLowerCase()))
    .map((c) => c.name);
  const option = (/** @type {Metric} */ m) => el('option', { value: m.name, text: m.label, title: m.help });
  select.replaceChildren(
    ...(columns.length ? [el('optgroup', { label: 'Metrics' }, ...offered.map(option))] : offered.map(option)),
    ...(columns.length ? [el('optgroup', { label: 'Other columns' }, ...columns.map((c) => el('option', { value: c, text: c, title: `the column ${c}, in its own units` })))] : []),
  );
  select.value = offered.some((m) => m.name === keep) || columns.includes(/** @type {string} */ (keep)) ? /** @type {string} */ (keep) : '';
}

// "Hour", "Day", "15-minute interval".
/** @type {(step: number) => string} */
const timeWord = (step) => F.intervalName(step).replace(/^./, (c) => c.toUpperCase());

// "CPL up: leads 3 (expected 21)": why a ratio moved, from its parts.
/** @param {PageAnomaly} x @param {Metric} m */
export function causeText(x, m) {
  if (!x.cause || !x.parts) return '';
  /** @param {{name: string, value: number, expected: number}} p */
  const part = (p) => {
    const unit = metricInfo(p.name).unit;
    return `${p.name} ${F.fmtMetric(unit, p.value)} (expected ${F.fmtMetric(unit, p.expected)})`;
  };
  const moved = x.cause === 'both' ? x.parts : x.parts.filter((p) => p.name === x.cause);
  if (!moved.length) return `${m.label} moved, neither part alone`;
  return moved.map(part).join(' and ');
}

// Rows for the chart: the metric per interval with what was expected, its band and score.
/**
 * @param {Pick<PageAnomalies, 'metric' | 'time' | 'value' | 'expected' | 'lower' | 'upper' | 'score' | 'flagged'> & Partial<Pick<PageAnomalies, 'step' | 'cause' | 'anomalies' | 'direction'>>} a
 */
export function anomalyData(a) {
  const m = metricInfo(a.metric);
  const time = /** @type {Float64Array} */ (a.time);
  const value = /** @type {Float64Array} */ (a.value);
  const expected = /** @type {Float64Array} */ (a.expected);
  const lower = /** @type {Float64Array} */ (a.lower);
  const upper = /** @type {Float64Array} */ (a.upper);
  const score = /** @type {Float64Array} */ (a.score);
  const flaggedAt = /** @type {Uint8Array} */ (a.flagged);
  /** @type {(x: number) => string} */
  const format = (x) => F.fmtMetric(m.unit, x);
  const step = a.step || 3600;
  /** @typedef {{t: number, t2: number, value: number | null, expected: number | null, lower: number | null, upper: number | null, tip: string[][], closedLower?: number | null, closedUpper?: number | null, openLower?: number | null, openUpper?: number | null}} SeriesRow */
  /** @type {SeriesRow[]} */
  const series = [];
  /** @type {Array<{t: number, value: number | null, tip: string[][], kind: 'drop' | 'spike'}>} */
  const flagged = [];
  // The band is drawn within the range of the values and expected values shown: a side the
  // detector leaves open (a quiet night hour's CPL may rise without limit unflagged) or far
  // away is drawn to the chart's edge, so the band never squashes the series.
  let lo = Infinity;
  let hi = -Infinity;
  for (const arr of [value, expected]) {
    for (const x of arr) {
      if (!F.isNum(x)) continue;
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
  }
  const pad = (hi - lo) * 0.05;
  /** @type {(x: number, open: number) => number} */
  const edge = (x, open) => (F.isNum(x) ? Math.min(hi + pad, Math.max(lo - pad, x)) : open);
  for (let i = 0; i < time.length; ++i) {
    const banded = a.lower && F.isNum(expected[i]) && (F.isNum(lower[i]) || F.isNum(upper[i]));
    const t = time[i];
    /** @type {SeriesRow} */
    const row = {
      t: t * 1000,
      t2: (t + step) * 1000,
      value: nullable(value[i]),
      expected: nullable(expected[i]),
      lower: banded ? edge(lower[i], lo - pad) : null,
      upper: banded ? edge(upper[i], hi + pad) : null,
      tip: [
        [timeWord(step), `${F.fmtTime(t, step)} UTC`],
        [m.label, format(value[i])],
        ['Expected', format(expected[i])],
        ['Band', !banded ? '–' : !F.isNum(upper[i]) ? `${format(lower[i])} and above` : !F.isNum(lower[i]) ? `up to ${format(upper[i])}` : `${format(lower[i])} to ${format(upper[i])}`],
        ['Score', F.isNum(score[i]) ? score[i].toFixed(5) : 'not scored'],
      ],
    };
    if (a.cause && flaggedAt[i]) {
      const x = (a.anomalies || []).find((y) => y.time === t);
      if (x) row.tip.push(['Why', causeText(x, m)]);
    }
    // Closed and open stretches of the band in fields of their own (null breaks an area).
    const open = banded && !(F.isNum(lower[i]) && F.isNum(upper[i]));
    row.closedLower = open ? null : row.lower;
    row.closedUpper = open ? null : row.upper;
    row.openLower = open ? row.lower : null;
    row.openUpper = open ? row.upper : null;
    series.push(row);
    const down = a.direction ? a.direction[i] < 0 : score[i] < 0;
    if (flaggedAt[i]) flagged.push({ t: row.t, value: row.value, tip: row.tip, kind: down ? 'drop' : 'spike' });
  }
  return { series, flagged };
}

/** @param {ReturnType<typeof anomalyData>} data @param {{metric?: string, height?: number}} [options] */
export function anomalySpec(data, { metric, height = 280 } = {}) {
  const m = metricInfo(/** @type {string} */ (metric));
  // "CPL (cost per lead)": the label and the first clause of the registry's help.
  const help = (m.help || '').split(';')[0];
  const title = help ? `${m.label} (${help})` : m.label;
  return {
    ...frame(data, height),
    layer: [
      {
        // The band of values the detector would not have flagged; fainter where one side
        // is open (drawn to the chart's edge).
        data: { name: 'series' },
        mark: { type: 'area', color: COLORS.band, opacity: 0.4 },
        encoding: { x: xTime, y: { field: 'closedLower', type: 'quantitative' }, y2: { field: 'closedUpper' } },
      },
      {
        data: { name: 'series' },
        mark: { type: 'area', color: COLORS.band, opacity: 0.12 },
        encoding: { x: xTime, y: { field: 'openLower', type: 'quantitative' }, y2: { field: 'openUpper' } },
      },
      {
        data: { name: 'series' },
        params: [zoom()],
        mark: { type: 'line', color: COLORS.value, strokeWidth: 1.3 },
        encoding: {
          x: xTime,
          y: { field: 'value', type: 'quantitative', title, scale: { zero: false, padding: 8 } },
        },
      },
      {
        data: { name: 'series' },
        mark: { type: 'line', color: COLORS.expected, strokeWidth: 1.5, strokeDash: [5, 3] },
        encoding: { x: xTime, y: { field: 'expected', type: 'quantitative' } },
      },
      hoverLayer('series'),
      {
        data: { name: 'flagged' },
        mark: { type: 'point', filled: true, size: 90, stroke: '#ffffff', strokeWidth: 1.5, opacity: 1 },
        encoding: {
          x: xTime,
          y: { field: 'value', type: 'quantitative' },
          color: {
            field: 'kind',
            type: 'nominal',
            scale: { domain: ['spike', 'drop'], range: [COLORS.spike, COLORS.drop] },
            legend: null,
          },
          tooltip: { value: TIP },
        },
      },
    ],
  };
}

// Stand-in rows with the real shape, for ChartSlot.prepare().
/** @param {string} metric */
function standIn(metric) {
  const t0 = Date.UTC(2024, 0, 1) / 1000;
  const n = 48;
  const time = Float64Array.from({ length: n }, (_, i) => t0 + i * 3600);
  const value = Float64Array.from({ length: n }, (_, i) => 40 + (i % 9));
  return anomalyData({
    metric,
    time,
    value,
    expected: value.map(() => 44),
    lower: value.map(() => 38),
    upper: value.map(() => 50),
    score: value.map(() => 0.5),
    flagged: Uint8Array.from({ length: n }, (_, i) => (i === 20 ? 1 : 0)),
  });
}

// The charts compiled to Vega at build time (scripts/compile-charts.mjs): one per metric of
// the core's registry. A chart of another column is compiled in the page.
/** @param {FC.Registry} r */
export function chartsToCompile(r) {
  const keep = registry;
  registry = r;
  try {
    return r.metrics.map((m) => anomalySpec(standIn(m.name), { metric: m.name }));
  } finally {
    registry = keep;
  }
}

// The flagged intervals as the CLI writes them (funnelcast anomalies, its default output):
// the core's own writer, returned with the result.
/** @param {PageAnomalies} a */
export function anomaliesCsv(a) {
  return a.csv;
}

// The method selector follows the core's list of detectors; the methods that need one-step
// forecasts (residual) are left out: the page makes none.
function renderMethodChoices() {
  const select = $select('an-method');
  const current = wantedMethod || select.value || 'ensemble';
  wantedMethod = '';
  const methods = /** @type {FC.Registry} */ (registry).methods.filter((m) => !m.needs_forecasts);
  /** @type {(m: FC.MethodInfo) => number} */
  const order = (m) => (m.name === 'ensemble' ? 0 : 1);
  select.replaceChildren(...methods.sort((a, b) => order(a) - order(b)).map((m) => el('option', { value: m.name, text: `${m.name} (${m.label})` })));
  select.value = methods.some((m) => m.name === current) ? current : 'ensemble';
}

/** @param {Shell} ctx */
function setup(ctx) {
  const { store, tooltip } = ctx;
  slot = new ChartSlot($('anomaly-chart'), tooltip);
  store.on('registry', (s) => {
    registry = s.registry;
    renderMethodChoices();
  });
  store.on('data', ({ schema }) => renderMetricChoices(schema));
  // Slider changes recompute this panel alone (ctx.refreshPanel: latest settings win).
  const changed = () => {
    updateSliderLabels();
    ctx.refreshPanel('anomalies');
  };
  $input('an-threshold').addEventListener('input', () => (thresholdSet = true));
  for (const id of ['an-threshold', 'an-lookback', 'an-baseline', 'an-seasons']) $(id).addEventListener('input', changed);
  for (const id of ['an-metric', 'an-method']) $(id).addEventListener('change', changed);
  $select('an-metric').addEventListener('change', () => (preferred = $select('an-metric').value));
  $('anomaly-controls').addEventListener('submit', (e) => e.preventDefault());
  $input('an-notify').addEventListener('change', async () => {
    const box = $input('an-notify');
    showError('anomaly-error', '');
    if (!box.checked) return;
    if (!('Notification' in window)) {
      box.checked = false;
      showError('anomaly-error', 'This browser cannot show notifications.');
      return;
    }
    const permission = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
    if (permission !== 'granted') {
      box.checked = false;
      showError('anomaly-error', 'Notifications are blocked for this page: allow them in the browser settings to be told of new anomalies.');
    }
  });
  $button('dl-anomalies-csv').addEventListener('click', () => {
    if (!shown) return;
    download(`funnelcast-anomalies-${shown.metric}-${slug(store.channel)}.csv`, new Blob([/** @type {string} */ (anomaliesCsv(shown))], { type: 'text/csv' }));
  });
  for (const b of /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll('[data-chart="anomaly"]'))) {
    b.addEventListener('click', async () => {
      try {
        download(`funnelcast-anomaly-${slug(store.channel)}.${b.dataset.type}`, await slot.image(/** @type {'png' | 'svg'} */ (b.dataset.type)));
      } catch (e) {
        showError('anomaly-error', `Download failed: ${e.message}`);
      }
    });
  }
  updateSliderLabels();
}

// The metric of the first chart is the worker's pick: the preferred one or the default.
/** @param {Shell} ctx */
function prepare({ store, ready, painted }) {
  return slot.prepareWith(async () => {
    try {
      await vegaLoaded();
      await ready.catch(() => {}); // the registry, for the chart's title
      await painted; // the KPI tiles first: an embed holds the main thread a while
      const metric = $select('an-metric').value || preferred || DEFAULT_ANOMALY_METRIC;
      const epoch = `${Math.max(1, store.dataVersion)}:${Number($input('an-lookback').value) * 24}`;
      // The epoch is a string here (data version and look-back): ChartSlot only compares it.
      await slot.prepare(anomalySpec(standIn(metric), { metric }), /** @type {any} */ (epoch));
    } catch (e) {
      showError('anomaly-error', e.message);
    }
  });
}

/** @param {PageAnomalies} a @param {Metric} m */
function renderTable(a, m) {
  /** @type {(x: number) => string} */
  const format = (x) => F.fmtMetric(m.unit, x);
  const tbody = $table('anomaly-table').tBodies[0];
  const rows = [...a.anomalies].reverse();
  const ratio = rows.some((x) => x.cause !== undefined);
  $('an-col-cause').hidden = !ratio;
  const cols = ratio ? 6 : 5;
  tbody.replaceChildren(
    ...rows.slice(0, TABLE_LIMIT).map((x) => {
      const dev = F.isNum(x.expected) && x.expected !== 0 ? (x.value - x.expected) / Math.abs(x.expected) : NaN;
      const cells = [
        el('td', { text: F.fmtTime(x.time, a.step) }),
        el('td', { class: 'num', text: format(x.value) }),
        el('td', { class: 'num', text: format(x.expected) }),
        el('td', { class: 'num', text: F.isNum(x.score) ? x.score.toFixed(5) : '–' }),
        el('td', { class: 'num', text: F.fmtChange(dev) }),
      ];
      if (ratio) cells.push(el('td', { class: 'cause', text: causeText(x, m) }));
      return el('tr', { class: x.direction < 0 ? 'drop' : 'spike' }, ...cells);
    }),
  );
  if (rows.length > TABLE_LIMIT) tbody.append(el('tr', {}, el('td', { colSpan: cols, class: 'muted', text: `and ${rows.length - TABLE_LIMIT} more (download the CSV for all)` })));
  if (!rows.length) tbody.append(el('tr', {}, el('td', { colSpan: cols, class: 'muted', text: 'No anomalies with these settings.' })));
}

// A browser notification when the data changed under the same settings (auto refresh, a
// reload) and brought an anomaly newer than any drawn before. Opt-in (#an-notify).
/** @param {PageAnomalies} a @param {Metric} m @param {Store} store */
function notifyIfNew(a, m, store) {
  const key = [a.metric, a.method, a.threshold, a.lookbackText, a.baselineText, store.channel].join('|');
  const last = a.anomalies[a.anomalies.length - 1];
  const newest = last ? last.time : null;
  const before = lastSeen;
  lastSeen = { key, version: store.dataVersion, newest };
  if (!$input('an-notify').checked || !('Notification' in window) || Notification.permission !== 'granted') return;
  if (!before || before.key !== key || before.version === store.dataVersion || newest === null) return;
  if (before.newest !== null && newest <= before.newest) return;
  const why = causeText(last, m);
  const body = `${F.fmtTime(last.time, a.step)} UTC: ${F.fmtMetric(m.unit, last.value)}, expected ${F.fmtMetric(m.unit, last.expected)}${why ? ` (${why})` : ''}`;
  const n = new Notification(`funnelcast: ${m.label} ${last.direction < 0 ? 'drop' : 'spike'}`, { body, tag: 'funnelcast-anomaly' });
  $('anomaly-panel').dataset.notified = String(Number($('anomaly-panel').dataset.notified || 0) + 1);
  n.onclick = () => {
    window.focus();
    $('anomaly-panel').scrollIntoView();
  };
}

/** @param {PanelResult<PageAnomalies>} result @param {Shell} ctx */
async function render({ value: a, error }, { store }) {
  shown = a;
  // No anomalies: the stand-in chart still being drawn (hidden) is removed before the reason shows.
  if (!a) await slot.prepared;
  showError('anomaly-error', error ? `Anomalies: ${error}` : '');
  $button('dl-anomalies-csv').disabled = !a;
  for (const b of /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll('[data-chart="anomaly"]'))) b.disabled = !a;
  const chart = $('anomaly-chart');
  const countEl = $('anomaly-count');
  if (!a) {
    slot.clear();
    chart.dataset.seriesPoints = '0';
    chart.dataset.flaggedPoints = '0';
    countEl.textContent = '–';
    countEl.dataset.count = '';
    $('anomaly-summary').textContent = '';
    $table('anomaly-table').tBodies[0].replaceChildren();
    return;
  }
  const m = metricInfo(a.metric);
  if ([...$select('an-metric').options].some((o) => o.value === a.metric)) $select('an-metric').value = a.metric;
  countEl.textContent = String(a.count);
  countEl.dataset.count = String(a.count);
  const span = a.lookback > 0 ? `in the last ${a.lookbackText}` : 'in the whole series';
  const one = F.intervalName(a.step);
  $('anomaly-summary').textContent = `anomalous ${F.intervalName(a.step, a.count)} of ${m.label} ${span} (${a.method}: ${methodText(a.method)}; score ≥ ${a.threshold.toFixed(5)}, judged on the data before each ${one}; baseline ${a.baselineText})`;
  $('legend-metric').textContent = m.label;
  $('an-col-value').textContent = m.label;
  $('an-col-time').textContent = `${timeWord(a.step)} (UTC)`;
  $('an-caption').textContent = `Flagged ${F.intervalName(a.step, 2)}, newest first`;
  renderTable(a, m);
  notifyIfNew(a, m, store);
  try {
    const view = await slot.render(anomalySpec(anomalyData(a), { metric: a.metric }), /** @type {any} */ (`${store.dataVersion}:${a.lookback}`));
    chart.dataset.seriesPoints = String(view.data('series').length);
    chart.dataset.flaggedPoints = String(view.data('flagged').length);
  } catch (e) {
    showError('anomaly-error', `The anomaly chart could not be drawn: ${e.message}`);
  }
  chart.setAttribute('aria-label', `${m.label} per ${one} ${span} with ${a.count} anomalies marked`);
}

/** @type {import('../types').Panel} */
export default {
  name: 'anomalies',
  query: {
    // Checked against the data's metrics once the data is known.
    metric: { parse: text(), apply: (/** @type {string} */ v) => (preferred = v) },
    method: {
      parse: text(),
      apply: (/** @type {string} */ v) => {
        wantedMethod = v;
        if (registry) renderMethodChoices();
      },
    },
    threshold: {
      parse: number(1, 6),
      apply: (/** @type {number} */ v) => {
        thresholdSet = true;
        setControl('an-threshold')(v);
      },
    },
    seasons: { parse: number(2, 8), apply: setControl('an-seasons') },
    lookback: { parse: number(1, 90), apply: setControl('an-lookback') },
    baseline: { parse: number(1, 28), apply: setControl('an-baseline') },
  },
  setup,
  prepare,
  request: () => options(),
  slow: true,
  render,
};
