// Vega-Lite spec builders for the forecast and anomaly charts, and a small wrapper that
// embeds a spec with vega-embed under a strict CSP: `ast: true` makes Vega evaluate its
// expressions with the interpreter bundled in vega-embed (no eval / new Function), and
// the tooltip is our own DOM-built element (text only, no HTML from the data).
import { fmtHour, fmtNumber, isNum, METRICS } from './format.js';

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
export const COLORS = {
  actual: '#1e293b',
  forecast: '#2563eb',
  band80: '#60a5fa',
  band95: '#bfdbfe',
  now: '#64748b',
  value: '#334155',
  expected: '#d97706',
  spike: '#dc2626',
  drop: '#7c3aed',
};

const CONFIG = {
  font: FONT,
  background: null,
  view: { stroke: null },
  axis: {
    labelColor: '#475569',
    titleColor: '#334155',
    gridColor: '#e2e8f0',
    domainColor: '#cbd5e1',
    tickColor: '#cbd5e1',
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 500,
  },
  legend: { disable: true },
};

const nullable = (x) => (isNum(x) ? x : null);
const HOUR = 3600 * 1000;

const xTime = {
  field: 't',
  type: 'temporal',
  scale: { type: 'utc' },
  title: null,
  axis: { format: '%b %d', labelOverlap: true, tickCount: 10, grid: false },
};

// One transparent column per hour (t to t2) that lights up under the pointer and shows
// the hour's tooltip: cheaper than a nearest-point (voronoi) selection and easy to hit.
// The tooltip encoding is a constant marker; the handler reads the rows' `tip` (text
// prepared here in JS), so Vega evaluates no per-row tooltip expressions.
export const TIP = 'fc-tip';

function hoverLayer(name) {
  return {
    data: { name },
    params: [{ name: 'hover', select: { type: 'point', on: 'pointerover', clear: 'pointerout' } }],
    mark: { type: 'rect', color: '#94a3b8' },
    encoding: {
      x: xTime,
      x2: { field: 't2' },
      opacity: { condition: { param: 'hover', empty: false, value: 0.22 }, value: 0 },
      tooltip: { value: TIP },
    },
  };
}

const range = (lo, hi, digits) => (isNum(lo) && isNum(hi) ? `${fmtNumber(lo, digits)} – ${fmtNumber(hi, digits)}` : '–');

// Rows for the forecast chart: the observed history and the forecast, one row per hour.
export function forecastData(result) {
  const actual = [];
  const { history } = result;
  for (let i = 0; i < history.time.length; ++i) {
    const t = history.time[i];
    actual.push({ t: t * 1000, label: `${fmtHour(t)} UTC`, actual: nullable(history.value[i]) });
  }
  const forecast = [];
  for (let i = 0; i < result.time.length; ++i) {
    const t = result.time[i];
    forecast.push({
      t: t * 1000,
      label: `${fmtHour(t)} UTC`,
      mean: result.mean[i],
      lo80: result.lower80[i],
      hi80: result.upper80[i],
      lo95: result.lower95[i],
      hi95: result.upper95[i],
      range80: range(result.lower80[i], result.upper80[i], 1),
      range95: range(result.lower95[i], result.upper95[i], 1),
    });
  }
  const hover = [
    ...actual.map((r) => ({
      t: r.t,
      t2: r.t + HOUR,
      tip: [['Hour', r.label], ['Actual', isNum(r.actual) ? fmtNumber(r.actual, 1).replace(/\.0$/, '') : '–']],
    })),
    ...forecast.map((r) => ({
      t: r.t,
      t2: r.t + HOUR,
      tip: [['Hour', r.label], ['Forecast', fmtNumber(r.mean, 1)], ['80% interval', r.range80], ['95% interval', r.range95]],
    })),
  ];
  const now = forecast.length ? [{ t: forecast[0].t - 1800 * 1000, text: 'forecast →' }] : [];
  return { actual, forecast, hover, now };
}

// What both charts share: full width, fixed height, named datasets, x-only zoom and pan.
const zoom = () => ({ name: 'zoom', select: { type: 'interval', encodings: ['x'] }, bind: 'scales' });
function frame(data, height) {
  return { width: 'container', height, autosize: { type: 'fit-x', contains: 'padding' }, config: CONFIG, datasets: data };
}

export function forecastSpec(data, { target = 'leads', height = 320 } = {}) {
  const title = `${(METRICS[target] || METRICS.leads).label} per hour`;
  return {
    ...frame(data, height),
    layer: [
      {
        data: { name: 'forecast' },
        params: [zoom()],
        mark: { type: 'area', color: COLORS.band95, opacity: 0.6 },
        encoding: {
          x: xTime,
          y: { field: 'lo95', type: 'quantitative', title, axis: { tickCount: 6 } },
          y2: { field: 'hi95' },
        },
      },
      {
        data: { name: 'forecast' },
        mark: { type: 'area', color: COLORS.band80, opacity: 0.45 },
        encoding: { x: xTime, y: { field: 'lo80', type: 'quantitative' }, y2: { field: 'hi80' } },
      },
      {
        data: { name: 'actual' },
        mark: { type: 'line', color: COLORS.actual, strokeWidth: 1.4, interpolate: 'linear' },
        encoding: { x: xTime, y: { field: 'actual', type: 'quantitative' } },
      },
      {
        data: { name: 'forecast' },
        mark: { type: 'line', color: COLORS.forecast, strokeWidth: 2 },
        encoding: { x: xTime, y: { field: 'mean', type: 'quantitative' } },
      },
      {
        data: { name: 'now' },
        mark: { type: 'rule', color: COLORS.now, strokeDash: [4, 4] },
        encoding: { x: xTime },
      },
      {
        data: { name: 'now' },
        mark: { type: 'text', color: COLORS.now, align: 'left', baseline: 'top', dx: 4, y: 4, fontSize: 11 },
        encoding: { x: xTime, text: { field: 'text' } },
      },
      hoverLayer('hover'),
    ],
  };
}

// Rows for the anomaly chart: the metric per hour with its baseline and z-score.
export function anomalyData(a) {
  const { format, label } = METRICS[a.metric] || METRICS.cpl;
  const series = [];
  const flagged = [];
  for (let i = 0; i < a.time.length; ++i) {
    const t = a.time[i];
    const row = {
      t: t * 1000,
      t2: t * 1000 + HOUR,
      value: nullable(a.value[i]),
      expected: nullable(a.expected[i]),
      tip: [
        ['Hour', `${fmtHour(t)} UTC`],
        [label, format(a.value[i])],
        ['Baseline', format(a.expected[i])],
        ['z-score', isNum(a.score[i]) ? a.score[i].toFixed(2) : 'not scored'],
      ],
    };
    series.push(row);
    if (a.flagged[i]) flagged.push({ t: row.t, value: row.value, tip: row.tip, kind: a.score[i] > 0 ? 'spike' : 'drop' });
  }
  return { series, flagged };
}

export function anomalySpec(data, { metric = 'cpl', height = 280 } = {}) {
  const m = METRICS[metric] || METRICS.cpl;
  return {
    ...frame(data, height),
    layer: [
      {
        data: { name: 'series' },
        params: [zoom()],
        mark: { type: 'line', color: COLORS.value, strokeWidth: 1.3 },
        encoding: {
          x: xTime,
          y: { field: 'value', type: 'quantitative', title: `${m.label} (${m.unit})`, scale: { zero: false, padding: 8 } },
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
export function standInForecast() {
  const t0 = Date.UTC(2024, 0, 1) / 1000;
  const n = 48;
  const history = { time: Float64Array.from({ length: n }, (_, i) => t0 + i * 3600), value: Float64Array.from({ length: n }, (_, i) => i % 7) };
  const time = Float64Array.from({ length: 24 }, (_, i) => t0 + (n + i) * 3600);
  const mean = Float64Array.from({ length: 24 }, (_, i) => 3 + (i % 5));
  const shift = (d) => mean.map((x) => x + d);
  return forecastData({ history, time, mean, lower80: shift(-1), upper80: shift(1), lower95: shift(-2), upper95: shift(2) });
}

export function standInAnomalies(metric) {
  const t0 = Date.UTC(2024, 0, 1) / 1000;
  const n = 48;
  const time = Float64Array.from({ length: n }, (_, i) => t0 + i * 3600);
  const value = Float64Array.from({ length: n }, (_, i) => 40 + (i % 9));
  return anomalyData({
    metric,
    time,
    value,
    expected: value.map(() => 44),
    score: value.map((v) => (v - 44) / 3),
    flagged: Uint8Array.from({ length: n }, (_, i) => (i === 20 ? 1 : 0)),
  });
}

// --- tooltip: text nodes only --------------------------------------------------------

export function createTooltip(el) {
  return function tooltipHandler(_handler, event, item, value) {
    if (value === TIP) value = item && item.datum && item.datum.tip ? Object.fromEntries(item.datum.tip) : null;
    if (value == null || value === '') {
      el.hidden = true;
      return;
    }
    el.replaceChildren();
    if (typeof value === 'object') {
      const table = document.createElement('table');
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined || v === null || v === '' || (typeof v === 'number' && !Number.isFinite(v))) continue;
        const tr = table.insertRow();
        const th = document.createElement('th');
        th.scope = 'row';
        th.textContent = k;
        const td = tr.insertCell();
        td.textContent = typeof v === 'object' ? JSON.stringify(v) : String(v);
        tr.prepend(th);
      }
      el.append(table);
    } else {
      el.textContent = String(value);
    }
    el.hidden = false;
    const pad = 12;
    const { innerWidth: w, innerHeight: h } = window;
    const r = el.getBoundingClientRect();
    let x = event.clientX + pad;
    let y = event.clientY + pad;
    if (x + r.width > w - 4) x = Math.max(4, event.clientX - r.width - pad);
    if (y + r.height > h - 4) y = Math.max(4, event.clientY - r.height - pad);
    el.style.left = `${x}px`;
    el.style.top = `${y}px`;
  };
}

// --- embedding -----------------------------------------------------------------------

// One chart slot: embeds a spec, or swaps the datasets of the view already there when
// the spec's shape (everything but its data) and the epoch are unchanged, which is much
// faster than embedding again. A new epoch (new data loaded) re-embeds, resetting zoom.
export class ChartSlot {
  constructor(el, tooltip) {
    this.el = el;
    this.tooltip = tooltip;
    this.result = null;
    this.key = null;
  }

  get view() {
    return this.result ? this.result.view : null;
  }

  static key(spec, epoch) {
    return `${epoch}|${JSON.stringify({ ...spec, datasets: Object.keys(spec.datasets || {}) })}`;
  }

  async render(spec, epoch, { standIn = false } = {}) {
    const key = ChartSlot.key(spec, epoch);
    if (this.result && key === this.key) {
      const view = this.result.view;
      for (const [name, values] of Object.entries(spec.datasets)) view.data(name, values);
      await view.runAsync();
      this.el.classList.remove('preparing');
      return view;
    }
    this.clear();
    this.result = await window.vegaEmbed(this.el, spec, {
      mode: 'vega-lite',
      renderer: 'svg',
      actions: false,
      ast: true,
      defaultStyle: false,
      tooltip: this.tooltip,
      logLevel: 0,
    });
    this.key = key;
    if (!standIn) this.el.classList.remove('preparing');
    return this.result.view;
  }

  // Embeds the chart with empty data while the data is still on its way: Vega-Lite's
  // compile and Vega's parse are done (and their code warmed up) by the time it arrives.
  // The chart stays hidden until real data replaces the stand-in rows, which exist only
  // to run (and so warm up) the code paths that draw marks, scales and axes.
  async prepare(spec, epoch) {
    this.el.classList.add('preparing');
    return this.render(spec, epoch, { standIn: true });
  }

  clear() {
    if (this.result) this.result.finalize();
    this.result = null;
    this.key = null;
    this.el.replaceChildren();
  }

  async image(type) {
    if (!this.view) throw new Error('the chart is not rendered yet');
    return this.view.toImageURL(type, type === 'png' ? 2 : 1);
  }
}
