// The forecast: the last 14 days of actuals and the next 168 hours from the loaded model
// with 80% and 95% intervals; its chart, its note, and its CSV / PNG / SVG downloads.
import { ChartSlot, frame, HOUR, hoverLayer, nullable, range, vegaLoaded, xTime, zoom } from '../charts.js';
import { $, download, showError, slug } from '../dom.js';
import * as F from '../format.js';

const HORIZON = 168;
const HISTORY = 14 * 24;
const COLORS = { actual: '#1e293b', forecast: '#2563eb', band80: '#60a5fa', band95: '#bfdbfe', now: '#64748b' };

let slot = null;
let shown = null; // the forecast on screen, for the CSV download

// Rows for the chart: the observed history and the forecast, one row per hour.
export function forecastData(result) {
  const actual = [];
  const { history } = result;
  for (let i = 0; i < history.time.length; ++i) {
    const t = history.time[i];
    actual.push({ t: t * 1000, label: `${F.fmtHour(t)} UTC`, actual: nullable(history.value[i]) });
  }
  const forecast = [];
  for (let i = 0; i < result.time.length; ++i) {
    const t = result.time[i];
    forecast.push({
      t: t * 1000,
      label: `${F.fmtHour(t)} UTC`,
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
      tip: [['Hour', r.label], ['Actual', F.isNum(r.actual) ? F.fmtNumber(r.actual, 1).replace(/\.0$/, '') : '–']],
    })),
    ...forecast.map((r) => ({
      t: r.t,
      t2: r.t + HOUR,
      tip: [['Hour', r.label], ['Forecast', F.fmtNumber(r.mean, 1)], ['80% interval', r.range80], ['95% interval', r.range95]],
    })),
  ];
  const now = forecast.length ? [{ t: forecast[0].t - 1800 * 1000, text: 'forecast →' }] : [];
  return { actual, forecast, hover, now };
}

export function forecastSpec(data, { target = 'leads', height = 320 } = {}) {
  const title = `${(F.METRICS[target] || F.METRICS.leads).label} per hour`;
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
  const history = { time: Float64Array.from({ length: n }, (_, i) => t0 + i * 3600), value: Float64Array.from({ length: n }, (_, i) => i % 7) };
  const time = Float64Array.from({ length: 24 }, (_, i) => t0 + (n + i) * 3600);
  const mean = Float64Array.from({ length: 24 }, (_, i) => 3 + (i % 5));
  const shift = (d) => mean.map((x) => x + d);
  return forecastData({ history, time, mean, lower80: shift(-1), upper80: shift(1), lower95: shift(-2), upper95: shift(2) });
}

// The forecast as the CLI writes it (funnelcast forecast --out): same columns, 4 decimals.
export function forecastCsv(f) {
  const lines = ['timestamp,forecast,lower_80,upper_80,lower_95,upper_95'];
  for (let i = 0; i < f.time.length; ++i) {
    lines.push(
      [F.csvTimestamp(f.time[i]), f.mean[i], f.lower80[i], f.upper80[i], f.lower95[i], f.upper95[i]]
        .map((v, j) => (j === 0 ? v : F.csvNumber(v, 4)))
        .join(','),
    );
  }
  return lines.join('\n') + '\n';
}

function setup({ store, tooltip }) {
  slot = new ChartSlot($('forecast-chart'), tooltip);
  $('dl-forecast-csv').addEventListener('click', () => {
    if (!shown) return;
    download(`funnelcast-forecast-${slug(store.channel)}.csv`, new Blob([forecastCsv(shown)], { type: 'text/csv' }));
  });
  for (const b of document.querySelectorAll('[data-chart="forecast"]')) {
    b.addEventListener('click', async () => {
      try {
        download(`funnelcast-forecast-${slug(store.channel)}.${b.dataset.type}`, await slot.image(b.dataset.type));
      } catch (e) {
        showError('forecast-error', `Download failed: ${e.message}`);
      }
    });
  }
}

// While the engine parses the data: the chart embedded hidden, for the first data version.
async function prepare({ store }) {
  try {
    await vegaLoaded();
    await slot.prepare(forecastSpec(standIn(), { target: 'leads' }), Math.max(1, store.dataVersion));
  } catch (e) {
    showError('forecast-error', e.message);
  }
}

async function render({ value: f, error }, { store }) {
  const chart = $('forecast-chart');
  shown = f;
  showError('forecast-error', error ? `Forecast: ${error}` : '');
  $('dl-forecast-csv').disabled = !f;
  for (const b of document.querySelectorAll('[data-chart="forecast"]')) b.disabled = !f;
  if (!f) {
    slot.clear();
    chart.dataset.forecastPoints = '0';
    $('forecast-note').hidden = true;
    return;
  }
  const data = forecastData(f);
  const target = f.target || 'leads';
  $('forecast-title').textContent = `${(F.METRICS[target] || F.METRICS.leads).label} forecast · next ${Math.round(f.horizon / 24)} days`;
  try {
    const view = await slot.render(forecastSpec(data, { target }), store.dataVersion);
    chart.dataset.forecastPoints = String(view.data('forecast').length);
    chart.dataset.actualPoints = String(view.data('actual').length);
  } catch (e) {
    showError('forecast-error', `The forecast chart could not be drawn: ${e.message}`);
    return;
  }
  let total = 0;
  for (const x of f.mean) total += x;
  const note = [`≈ ${F.fmtCount(Math.round(total))} ${target} expected over the next ${f.horizon} hours (${F.fmtHour(f.time[0])} → ${F.fmtHour(f.time[f.time.length - 1])} UTC).`];
  const trainedOn = store.header?.data?.channel;
  if (store.channel) note.push(`Channel “${store.channel}” forecast with a model trained on ${trainedOn ? `“${trainedOn}”` : 'all channels together'}: treat it as indicative.`);
  $('forecast-note').textContent = note.join(' ');
  $('forecast-note').hidden = false;
  chart.setAttribute('aria-label', `Forecast chart: ${note[0]}`);
}

export default {
  name: 'forecast',
  setup,
  prepare,
  request: () => ({ horizon: HORIZON, history: HISTORY }),
  render,
};
