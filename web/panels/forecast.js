// @ts-check
// The forecast: the last 14 days of the series the model read (its target column, its
// channel; 8 weeks of a daily series, 2 years of a weekly one) and the hours (days, weeks)
// it was validated for (168
// hours for the demo model) with 80% and 95%
// intervals; which model drew it and on what it was trained, the notices, the chart, and
// its CSV / PNG / SVG downloads. A model whose data schema does not match the data is
// refused with the reason (worker-panels.js: modelFits), and no chart is drawn.
import { ChartSlot, frame, hoverLayer, nullable, range, vegaLoaded, xTime, zoom } from '../charts.js';
import { $, $button, download, el, pageWords, showError, slug } from '../dom.js';
import * as F from '../format.js';

const HISTORY = 14 * 24;
const COLORS = { actual: '#1e293b', forecast: '#2563eb', band80: '#60a5fa', band95: '#bfdbfe', now: '#64748b' };

/** @import * as FC from '../../wasm/funnelcast' */
/** @import { PageForecast, PanelResult, Shell } from '../types' */
/** @typedef {Pick<PageForecast, 'historyTime' | 'history' | 'step' | 'time' | 'mean' | 'lower80' | 'upper80' | 'lower95' | 'upper95'>} ForecastSeries */
/** @type {ChartSlot} */
let slot = /** @type {any} */ (null);
/** @type {PageForecast | null} */
let shown = null; // the forecast on screen, for the CSV download

// Rows for the chart: the history the model read and the forecast, one row per interval.
/** @param {ForecastSeries} result */
export function forecastData(result) {
  const actual = [];
  const historyTime = /** @type {Float64Array} */ (result.historyTime);
  const history = /** @type {Float64Array} */ (result.history);
  const step = (result.step || 3600) * 1000;
  // An hour in UTC, or a date (daily data).
  const when = (/** @type {number} */ t) => (step >= 86400e3 ? F.fmtTime(t, 86400) : `${F.fmtHour(t)} UTC`);
  const unit = step >= 604800e3 ? 'Week' : step >= 86400e3 ? 'Day' : 'Hour';
  for (let i = 0; i < historyTime.length; ++i) {
    const t = historyTime[i];
    actual.push({ t: t * 1000, label: when(t), actual: nullable(history[i]) });
  }
  const forecast = [];
  for (let i = 0; i < result.time.length; ++i) {
    const t = result.time[i];
    forecast.push({
      t: t * 1000,
      label: when(t),
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
      t2: r.t + step,
      tip: [[unit, r.label], ['Actual', F.isNum(r.actual) ? F.fmtNumber(r.actual, 1).replace(/\.0$/, '') : '–']],
    })),
    ...forecast.map((r) => ({
      t: r.t,
      t2: r.t + step,
      tip: [[unit, r.label], ['Forecast', F.fmtNumber(r.mean, 1)], ['80% interval', r.range80], ['95% interval', r.range95]],
    })),
  ];
  const now = forecast.length ? [{ t: forecast[0].t - step / 2, text: 'forecast →' }] : [];
  return { actual, forecast, hover, now };
}

// "Leads" for the leads column, else the model's target column ("value").
/** @type {(target: string | null | undefined, registry: FC.Registry | null) => string} */
const targetLabel = (target, registry) => {
  const leads = registry && registry.roles.find((r) => r.name === 'leads');
  return !target || target === 'leads' ? (leads ? leads.label : 'leads') : target;
};

/** @param {ReturnType<typeof forecastData>} data @param {{label?: string, height?: number, unit?: string}} [options] */
export function forecastSpec(data, { label = 'Leads', height = 320, unit = 'hour' } = {}) {
  const title = `${label} per ${unit}`;
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

// Stand-in rows with the real shape, for ChartSlot.prepare().
function standIn() {
  const t0 = Date.UTC(2024, 0, 1) / 1000;
  const n = 48;
  const historyTime = Float64Array.from({ length: n }, (_, i) => t0 + i * 3600);
  const history = Float64Array.from({ length: n }, (_, i) => i % 7);
  const time = Float64Array.from({ length: 24 }, (_, i) => t0 + (n + i) * 3600);
  const mean = Float64Array.from({ length: 24 }, (_, i) => 3 + (i % 5));
  /** @param {number} d */
  const shift = (d) => mean.map((x) => x + d);
  return forecastData({ historyTime, history, step: 3600, time, mean, lower80: shift(-1), upper80: shift(1), lower95: shift(-2), upper95: shift(2) });
}

// The chart the first view draws, compiled to Vega at build time (scripts/compile-charts.mjs):
// the demo's target, leads, under the registry's label. Other targets are compiled in the page.
/** @param {FC.Registry} registry */
export const chartsToCompile = (registry) => [forecastSpec(standIn(), { label: targetLabel('leads', registry) })];

// The forecast as the CLI writes it (funnelcast forecast --out): the core's own writer,
// returned with the forecast.
/** @param {PageForecast} f */
export function forecastCsv(f) {
  return f.csv;
}

/** @param {Shell} ctx */
function setup({ store, tooltip }) {
  slot = new ChartSlot($('forecast-chart'), tooltip);
  $('dl-forecast-csv').addEventListener('click', () => {
    if (!shown) return;
    download(`funnelcast-forecast-${slug(store.channel)}.csv`, new Blob([/** @type {string} */ (forecastCsv(shown))], { type: 'text/csv' }));
  });
  for (const b of /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll('[data-chart="forecast"]'))) {
    b.addEventListener('click', async () => {
      try {
        download(`funnelcast-forecast-${slug(store.channel)}.${b.dataset.type}`, await slot.image(/** @type {'png' | 'svg'} */ (b.dataset.type)));
      } catch (e) {
        showError('forecast-error', `Download failed: ${e.message}`);
      }
    });
  }
}

// While the engine parses the data: the chart embedded hidden, for the first data version.
/** @param {Shell} ctx */
function prepare({ store, ready, painted }) {
  return slot.prepareWith(async () => {
    try {
      await vegaLoaded();
      await ready.catch(() => {}); // the registry, for the chart's title
      await painted; // the KPI tiles first: an embed holds the main thread a while
      await slot.prepare(forecastSpec(standIn(), { label: targetLabel('leads', store.registry) }), Math.max(1, store.dataVersion));
    } catch (e) {
      showError('forecast-error', e.message);
    }
  });
}

// "Forecast by demo_forecast.fcm — gbdt_poisson trained on hourly.csv, 2023-01-01 →
// 2024-12-30 (730 days), all channels": the model and its training data, from its header.
/** @param {string} name @param {FC.ForecastModelHeader | null} h */
export function caption(name, h) {
  if (!h || !h.data || !h.forecast) return `Forecast by ${name}`;
  const d = h.data;
  const days = (d.end - d.start) / 86400;
  const span = days >= 2 ? `${F.fmtCount(Math.round(days * 10) / 10)} days` : `${F.fmtCount(d.intervals)} ${F.intervalName(d.interval, d.intervals)}`;
  const each = h.forecast.channels;
  const channel = each ? `each of ${each.length} channels (one model; the total is their sum)` : d.channel == null ? 'all channels' : `channel “${d.channel}”`;
  const rows = d.rows === 'events' ? ', each row one lead' : '';
  return `Forecast by ${name} — ${h.forecast.selected} trained on ${d.source}, ${F.fmtDay(d.start)} → ${F.fmtDay(d.end - d.interval)} (${span}), ${channel}${rows}`;
}

/** @param {HTMLElement} chart */
function clear(chart) {
  slot.clear();
  chart.dataset.forecastPoints = '0';
  chart.dataset.actualPoints = '0';
  for (const id of ['forecast-note', 'forecast-caption', 'forecast-notices', 'forecast-channels-wrap']) $(id).hidden = true;
}

// A by-channel model's forecast: each channel's expected total over the horizon, its share
// and its busiest step, then the total (their sum), as text cells.
/** @param {PageForecast} f @param {number} total @param {boolean} daily */
function renderChannels(f, total, daily) {
  const wrap = $('forecast-channels-wrap');
  wrap.hidden = !f.channels;
  if (!f.channels) return;
  /** @param {string} name @param {ArrayLike<number>} mean @param {boolean} [isTotal] */
  const row = (name, mean, isTotal = false) => {
    let sum = 0;
    let peak = 0; // the busiest step
    for (let i = 0; i < mean.length; ++i) {
      sum += mean[i];
      if (mean[i] > mean[peak]) peak = i;
    }
    const share = total > 0 ? `${((100 * sum) / total).toFixed(1)}%` : '–';
    const when = mean.length ? F.fmtTime(f.time[peak], f.step) + (daily ? '' : ' UTC') : '–';
    return el('tr', { class: isTotal ? 'total' : null }, el(isTotal ? 'th' : 'td', { text: name }), el('td', { text: F.fmtCount(Math.round(sum)) }), el('td', { text: share }), el('td', { text: when }));
  };
  $('forecast-channels').querySelector('tbody')?.replaceChildren(...f.channels.map((c) => row(c.channel, c.mean)), row('Total', f.mean, true));
}

/** @param {PanelResult<PageForecast>} result @param {Shell} ctx */
async function render({ value: f, error }, { store }) {
  const chart = $('forecast-chart');
  shown = f;
  // No model while one is trained for this data: the training box says what is going on.
  const training = !f && !store.header && store.training;
  // No forecast: the stand-in chart still being drawn (hidden) is removed before the reason shows.
  if (!f) await slot.prepared;
  showError('forecast-error', error && !training ? `Forecast: ${error}` : '');
  $button('dl-forecast-csv').disabled = !f;
  for (const b of /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll('[data-chart="forecast"]'))) b.disabled = !f;
  if (!f) {
    clear(chart);
    return;
  }
  const data = forecastData(f);
  const label = targetLabel(f.target, store.registry);
  const weekly = f.step === 604800;
  const days = (f.horizon * f.step) / 86400;
  const ahead = weekly ? `${f.horizon} ${f.horizon === 1 ? 'week' : 'weeks'}` : Number.isInteger(days) ? `${days} ${days === 1 ? 'day' : 'days'}` : `${f.horizon} hours`;
  $('forecast-title').textContent = `${label} forecast · next ${ahead}`;
  const daily = f.step === 86400 || weekly; // dates, not UTC hours
  const steps = weekly ? 'weeks' : daily ? 'days' : 'hours';
  $('forecast-help').textContent = `The last ${weekly ? '2 years' : daily ? '8 weeks' : '14 days'} of actuals and the next ${f.horizon} ${steps} with 80% and 95% prediction intervals. Scroll to zoom, drag to pan, double-click to reset.`;
  $('forecast-caption').textContent = caption(f.model, store.header);
  $('forecast-caption').hidden = false;
  $('forecast-notices').replaceChildren(...f.notices.map((n) => el('li', { text: pageWords(n) })));
  $('forecast-notices').hidden = !f.notices.length;
  try {
    const view = await slot.render(forecastSpec(data, { label, unit: weekly ? 'week' : daily ? 'day' : 'hour' }), store.dataVersion);
    chart.dataset.forecastPoints = String(view.data('forecast').length);
    chart.dataset.actualPoints = String(view.data('actual').length);
  } catch (e) {
    showError('forecast-error', `The forecast chart could not be drawn: ${e.message}`);
    return;
  }
  let total = 0;
  for (const x of f.mean) total += x;
  const note = [`≈ ${F.fmtCount(Math.round(total))} ${f.target} expected over the next ${f.horizon} ${steps} (${F.fmtTime(f.time[0], f.step)} → ${F.fmtTime(f.time[f.time.length - 1], f.step)}${daily ? '' : ' UTC'}).`];
  const trainedOn = store.header?.data?.channel;
  const byChannel = store.header?.forecast?.channels?.map((c) => c.name) || [];
  if (store.channel && store.channel !== trainedOn && !byChannel.includes(store.channel)) note.push(`Channel “${store.channel}” forecast with a model trained on ${trainedOn ? `“${trainedOn}”` : 'all channels together'}: treat it as indicative.`);
  $('forecast-note').textContent = note.join(' ');
  $('forecast-note').hidden = false;
  renderChannels(f, total, daily);
  chart.setAttribute('aria-label', `Forecast chart: ${note[0]}`);
}

/** @type {import('../types').Panel} */
export default {
  name: 'forecast',
  setup,
  prepare,
  // The last 14 days of hourly data, the last 8 weeks of daily data, 2 years of weekly data.
  request: ({ store }) => ({ history: store.schema && store.schema.step === 604800 ? 104 : store.schema && store.schema.step === 86400 ? 8 * 7 : HISTORY }),
  render,
};
