// Anomalies: a metric per hour against its rolling baseline, hours with |z| over the
// threshold flagged; the controls (metric, method, threshold, look-back, baseline), the
// chart, the table of flagged hours and the CSV / PNG / SVG downloads.
import { ChartSlot, frame, HOUR, hoverLayer, nullable, TIP, vegaLoaded, xTime, zoom } from '../charts.js';
import { $, download, el, showError, slug } from '../dom.js';
import * as F from '../format.js';
import { number, oneOf } from '../query.js';

const COLORS = { value: '#334155', expected: '#d97706', spike: '#dc2626', drop: '#7c3aed' };
const TABLE_LIMIT = 500;

let slot = null;
let shown = null; // the anomalies on screen, for the CSV download

function options() {
  return {
    metric: $('an-metric').value,
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

// Metrics the data cannot give (no spend column: no CPL) are disabled.
function renderMetricChoices(schema) {
  const has = schema.has || {};
  const select = $('an-metric');
  for (const o of select.options) {
    o.disabled = o.value !== 'leads' && !has[o.value];
  }
  if (select.selectedOptions[0] && select.selectedOptions[0].disabled) select.value = 'leads';
}

// Rows for the chart: the metric per hour with its baseline and z-score.
export function anomalyData(a) {
  const { format, label } = F.METRICS[a.metric] || F.METRICS.cpl;
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
        ['Hour', `${F.fmtHour(t)} UTC`],
        [label, format(a.value[i])],
        ['Baseline', format(a.expected[i])],
        ['z-score', F.isNum(a.score[i]) ? a.score[i].toFixed(2) : 'not scored'],
      ],
    };
    series.push(row);
    if (a.flagged[i]) flagged.push({ t: row.t, value: row.value, tip: row.tip, kind: a.score[i] > 0 ? 'spike' : 'drop' });
  }
  return { series, flagged };
}

export function anomalySpec(data, { metric = 'cpl', height = 280 } = {}) {
  const m = F.METRICS[metric] || F.METRICS.cpl;
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
  store.on('data', ({ schema }) => renderMetricChoices(schema));
  // Slider changes recompute this panel alone (ctx.refreshPanel: latest settings win).
  const changed = () => {
    updateSliderLabels();
    ctx.refreshPanel('anomalies');
  };
  for (const id of ['an-threshold', 'an-lookback', 'an-baseline']) $(id).addEventListener('input', changed);
  for (const id of ['an-metric', 'an-method']) $(id).addEventListener('change', changed);
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

async function prepare({ store }) {
  try {
    await vegaLoaded();
    const metric = $('an-metric').value;
    const epoch = `${Math.max(1, store.dataVersion)}:${Number($('an-lookback').value) * 24}`;
    await slot.prepare(anomalySpec(standIn(metric), { metric }), epoch);
  } catch (e) {
    showError('anomaly-error', e.message);
  }
}

function renderTable(a, m) {
  const tbody = $('anomaly-table').tBodies[0];
  const rows = [...a.anomalies].reverse();
  tbody.replaceChildren(
    ...rows.slice(0, TABLE_LIMIT).map((x) => {
      const dev = F.isNum(x.expected) && x.expected !== 0 ? (x.value - x.expected) / Math.abs(x.expected) : NaN;
      return el(
        'tr',
        { class: x.score > 0 ? 'spike' : 'drop' },
        el('td', { text: F.fmtHour(x.time) }),
        el('td', { class: 'num', text: m.format(x.value) }),
        el('td', { class: 'num', text: m.format(x.expected) }),
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
  const m = F.METRICS[a.metric] || F.METRICS.cpl;
  countEl.textContent = String(a.count);
  countEl.dataset.count = String(a.count);
  const span = a.lookback > 0 ? `in the last ${F.fmtCount(a.lookback / 24)} days` : 'in the whole series';
  $('anomaly-summary').textContent = `anomalous ${a.count === 1 ? 'hour' : 'hours'} of ${m.label} ${span} (|z| > ${a.threshold}, ${a.method === 'robust' ? 'median and MAD' : 'mean and standard deviation'} of the ${F.fmtCount(a.baseline / 24)}-day baseline before each hour)`;
  $('legend-metric').textContent = m.label;
  $('an-col-value').textContent = m.label;
  renderTable(a, m);
  try {
    const view = await slot.render(anomalySpec(anomalyData(a), { metric: a.metric }), `${store.dataVersion}:${a.lookback}`);
    chart.dataset.seriesPoints = String(view.data('series').length);
    chart.dataset.flaggedPoints = String(view.data('flagged').length);
  } catch (e) {
    showError('anomaly-error', `The anomaly chart could not be drawn: ${e.message}`);
  }
  chart.setAttribute('aria-label', `${m.label} per hour ${span} with ${a.count} anomalies marked`);
}

export default {
  name: 'anomalies',
  query: {
    metric: { parse: oneOf(['cpl', 'leads', 'spend', 'revenue', 'roi']), apply: setControl('an-metric') },
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
