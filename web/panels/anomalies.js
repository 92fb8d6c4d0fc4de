// Anomalies: a metric per interval against its rolling baseline, intervals with |z| over
// the threshold flagged; the controls (metric, method, threshold, look-back, baseline), the
// chart, the table of flagged intervals and the CSV / PNG / SVG downloads. The metrics
// offered are the core's registry's (label, unit) that the data can compute.
import { ChartSlot, frame, hoverLayer, nullable, TIP, vegaLoaded, xTime, zoom } from '../charts.js';
import { $, download, el, showError, slug } from '../dom.js';
import * as F from '../format.js';
import { number, oneOf, text } from '../query.js';
import { DEFAULT_ANOMALY_METRIC } from '../worker-panels.js';

const COLORS = { value: '#334155', expected: '#d97706', spike: '#dc2626', drop: '#7c3aed' };
const TABLE_LIMIT = 500;

let slot = null;
let shown = null; // the anomalies on screen, for the CSV download
let registry = null; // the core's roles and metrics
let preferred = null; // the metric asked for (?metric=, or the user's last choice)

// A metric's registry entry; an unknown name gets a plain one.
const metricInfo = (name) => (registry && registry.metrics.find((m) => m.name === name)) || { name, label: name, unit: 'count', help: '' };

function options() {
  return {
    metric: $('an-metric').value || null,
    prefer: preferred,
    method: $('an-method').value,
    threshold: Number($('an-threshold').value),
    lookback: Number($('an-lookback').value) * 24,
    baseline: Number($('an-baseline').value) * 24,
  };
}

function updateSliderLabels() {
  $('an-threshold-out').textContent = Number($('an-threshold').value).toFixed(1);
  const lb = Number($('an-lookback').value);
  const bl = Number($('an-baseline').value);
  $('an-lookback-out').textContent = `${lb} ${lb === 1 ? 'day' : 'days'}`;
  $('an-baseline-out').textContent = `${bl} ${bl === 1 ? 'day' : 'days'}`;
}

const setControl = (id) => (v) => {
  $(id).value = String(v);
  updateSliderLabels();
};

// The registry's metrics the data can compute, in the registry's order. The choice stays
// when the new data has it; else the worker picks (the preferred or the default metric)
// and render() shows its pick.
function renderMetricChoices(schema) {
  if (!registry) return;
  const select = $('an-metric');
  const keep = select.value || preferred;
  const offered = registry.metrics.filter((m) => schema.metrics.includes(m.name));
  select.replaceChildren(...offered.map((m) => el('option', { value: m.name, text: m.label, title: m.help })));
  select.value = offered.some((m) => m.name === keep) ? keep : '';
}

// "Hour", "Day", "15-minute interval".
const timeWord = (step) => F.intervalName(step).replace(/^./, (c) => c.toUpperCase());

// Rows for the chart: the metric per interval with its baseline and z-score.
export function anomalyData(a) {
  const m = metricInfo(a.metric);
  const format = (x) => F.fmtMetric(m.unit, x);
  const step = a.step || 3600;
  const series = [];
  const flagged = [];
  for (let i = 0; i < a.time.length; ++i) {
    const t = a.time[i];
    const row = {
      t: t * 1000,
      t2: (t + step) * 1000,
      value: nullable(a.value[i]),
      expected: nullable(a.expected[i]),
      tip: [
        [timeWord(step), `${F.fmtTime(t, step)} UTC`],
        [m.label, format(a.value[i])],
        ['Baseline', format(a.expected[i])],
        ['z-score', F.isNum(a.score[i]) ? a.score[i].toFixed(2) : 'not scored'],
      ],
    };
    series.push(row);
    if (a.flagged[i]) flagged.push({ t: row.t, value: row.value, tip: row.tip, kind: a.score[i] > 0 ? 'spike' : 'drop' });
  }
  return { series, flagged };
}

export function anomalySpec(data, { metric, height = 280 } = {}) {
  const m = metricInfo(metric);
  // "CPL (cost per lead)": the label and the first clause of the registry's help.
  const help = (m.help || '').split(';')[0];
  const title = help ? `${m.label} (${help})` : m.label;
  return {
    ...frame(data, height),
    layer: [
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
    score: value.map((v) => (v - 44) / 3),
    flagged: Uint8Array.from({ length: n }, (_, i) => (i === 20 ? 1 : 0)),
  });
}

// The flagged hours with full-precision numbers.
export function anomaliesCsv(a) {
  const lines = [`timestamp,${F.csvField(a.metric)},expected,score`];
  for (const x of a.anomalies) {
    lines.push([F.csvTimestamp(x.time), F.csvNumber(x.value), F.csvNumber(x.expected), F.csvNumber(x.score)].join(','));
  }
  return lines.join('\n') + '\n';
}

function setup(ctx) {
  const { store, tooltip } = ctx;
  slot = new ChartSlot($('anomaly-chart'), tooltip);
  store.on('registry', (s) => (registry = s.registry));
  store.on('data', ({ schema }) => renderMetricChoices(schema));
  // Slider changes recompute this panel alone (ctx.refreshPanel: latest settings win).
  const changed = () => {
    updateSliderLabels();
    ctx.refreshPanel('anomalies');
  };
  for (const id of ['an-threshold', 'an-lookback', 'an-baseline']) $(id).addEventListener('input', changed);
  for (const id of ['an-metric', 'an-method']) $(id).addEventListener('change', changed);
  $('an-metric').addEventListener('change', () => (preferred = $('an-metric').value));
  $('anomaly-controls').addEventListener('submit', (e) => e.preventDefault());
  $('dl-anomalies-csv').addEventListener('click', () => {
    if (!shown) return;
    download(`funnelcast-anomalies-${shown.metric}-${slug(store.channel)}.csv`, new Blob([anomaliesCsv(shown)], { type: 'text/csv' }));
  });
  for (const b of document.querySelectorAll('[data-chart="anomaly"]')) {
    b.addEventListener('click', async () => {
      try {
        download(`funnelcast-anomaly-${slug(store.channel)}.${b.dataset.type}`, await slot.image(b.dataset.type));
      } catch (e) {
        showError('anomaly-error', `Download failed: ${e.message}`);
      }
    });
  }
  updateSliderLabels();
}

// The metric of the first chart is the worker's pick: the preferred one or the default.
async function prepare({ store, ready }) {
  try {
    await vegaLoaded();
    await ready.catch(() => {}); // the registry, for the chart's title
    const metric = $('an-metric').value || preferred || DEFAULT_ANOMALY_METRIC;
    const epoch = `${Math.max(1, store.dataVersion)}:${Number($('an-lookback').value) * 24}`;
    await slot.prepare(anomalySpec(standIn(metric), { metric }), epoch);
  } catch (e) {
    showError('anomaly-error', e.message);
  }
}

function renderTable(a, m) {
  const format = (x) => F.fmtMetric(m.unit, x);
  const tbody = $('anomaly-table').tBodies[0];
  const rows = [...a.anomalies].reverse();
  tbody.replaceChildren(
    ...rows.slice(0, TABLE_LIMIT).map((x) => {
      const dev = F.isNum(x.expected) && x.expected !== 0 ? (x.value - x.expected) / Math.abs(x.expected) : NaN;
      return el(
        'tr',
        { class: x.score > 0 ? 'spike' : 'drop' },
        el('td', { text: F.fmtTime(x.time, a.step) }),
        el('td', { class: 'num', text: format(x.value) }),
        el('td', { class: 'num', text: format(x.expected) }),
        el('td', { class: 'num', text: F.isNum(x.score) ? x.score.toFixed(2) : '–' }),
        el('td', { class: 'num', text: F.fmtChange(dev) }),
      );
    }),
  );
  if (rows.length > TABLE_LIMIT) tbody.append(el('tr', {}, el('td', { colSpan: 5, class: 'muted', text: `and ${rows.length - TABLE_LIMIT} more (download the CSV for all)` })));
  if (!rows.length) tbody.append(el('tr', {}, el('td', { colSpan: 5, class: 'muted', text: 'No anomalies with these settings.' })));
}

async function render({ value: a, error }, { store }) {
  shown = a;
  showError('anomaly-error', error ? `Anomalies: ${error}` : '');
  $('dl-anomalies-csv').disabled = !a;
  for (const b of document.querySelectorAll('[data-chart="anomaly"]')) b.disabled = !a;
  const chart = $('anomaly-chart');
  const countEl = $('anomaly-count');
  if (!a) {
    slot.clear();
    chart.dataset.seriesPoints = '0';
    chart.dataset.flaggedPoints = '0';
    countEl.textContent = '–';
    countEl.dataset.count = '';
    $('anomaly-summary').textContent = '';
    $('anomaly-table').tBodies[0].replaceChildren();
    return;
  }
  const m = metricInfo(a.metric);
  if ([...$('an-metric').options].some((o) => o.value === a.metric)) $('an-metric').value = a.metric;
  countEl.textContent = String(a.count);
  countEl.dataset.count = String(a.count);
  const span = a.lookback > 0 ? `in the last ${F.fmtCount(a.lookback / 24)} days` : 'in the whole series';
  const one = F.intervalName(a.step);
  $('anomaly-summary').textContent = `anomalous ${F.intervalName(a.step, a.count)} of ${m.label} ${span} (|z| > ${a.threshold}, ${a.method === 'robust' ? 'median and MAD' : 'mean and standard deviation'} of the ${F.fmtCount(a.baseline / 24)}-day baseline before each ${one})`;
  $('legend-metric').textContent = m.label;
  $('an-col-value').textContent = m.label;
  $('an-col-time').textContent = `${timeWord(a.step)} (UTC)`;
  $('an-caption').textContent = `Flagged ${F.intervalName(a.step, 2)}, newest first`;
  renderTable(a, m);
  try {
    const view = await slot.render(anomalySpec(anomalyData(a), { metric: a.metric }), `${store.dataVersion}:${a.lookback}`);
    chart.dataset.seriesPoints = String(view.data('series').length);
    chart.dataset.flaggedPoints = String(view.data('flagged').length);
  } catch (e) {
    showError('anomaly-error', `The anomaly chart could not be drawn: ${e.message}`);
  }
  chart.setAttribute('aria-label', `${m.label} per ${one} ${span} with ${a.count} anomalies marked`);
}

export default {
  name: 'anomalies',
  query: {
    // Checked against the data's metrics once the data is known.
    metric: { parse: text(), apply: (v) => (preferred = v) },
    method: { parse: oneOf(['zscore', 'robust']), apply: setControl('an-method') },
    threshold: { parse: number(1, 6), apply: setControl('an-threshold') },
    lookback: { parse: number(1, 90), apply: setControl('an-lookback') },
    baseline: { parse: number(1, 28), apply: setControl('an-baseline') },
  },
  setup,
  prepare,
  request: () => options(),
  render,
};
