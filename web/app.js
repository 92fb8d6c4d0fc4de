// The funnelcast page: file handling, the roles editor, KPI tiles, the forecast and
// anomaly charts and the model card. All computation happens in worker.js (which owns
// the wasm instance); this module only moves messages and draws. Text that comes from a
// CSV or a model file is only ever set with textContent, never parsed as HTML.
import { anomalyData, anomalySpec, ChartSlot, createTooltip, forecastData, forecastSpec, standInAnomalies, standInForecast } from './charts.js';
import * as F from './format.js';

const $ = (id) => document.getElementById(id);

// --- the worker ----------------------------------------------------------------------

class Engine {
  constructor(url) {
    this.next = 1;
    this.pending = new Map();
    // boot.js normally started the worker already, while the page was still loading.
    this.worker = window.fcWorker || new Worker(url, { type: 'module', name: 'funnelcast' });
    this.startError = window.fcWorkerError || null;
    this.worker.onmessage = (e) => this.onMessage(e.data);
    this.worker.onerror = (e) => {
      e.preventDefault();
      this.startError = e.message || 'the worker failed';
      this.failAll(`The computation engine could not start: ${this.startError}.`);
    };
    this.worker.onmessageerror = () => this.failAll('The computation engine sent an unreadable message.');
  }

  failAll(message) {
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
  }

  onMessage(msg) {
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.progress) {
      if (p.onProgress) p.onProgress(msg.progress);
      return;
    }
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(msg.error));
  }

  call(type, payload = {}, { onProgress, transfer = [] } = {}) {
    const id = this.next++;
    if (this.startError) return Promise.reject(new Error(`The computation engine could not start: ${this.startError}`));
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ id, type, ...payload }, transfer);
    });
  }
}

const engine = new Engine(new URL('./worker.js', import.meta.url));

// --- state ---------------------------------------------------------------------------

const ROLE_LABELS = {
  time: 'Time',
  leads: 'Leads',
  spend: 'Spend',
  revenue: 'Revenue',
  cpl: 'CPL',
  roi: 'ROI',
  channel: 'Channel',
  clicks: 'Clicks',
};

const state = {
  dataSource: null, // {kind: 'url', url, label} | {kind: 'file', file, handle}
  modelSource: null,
  schema: null, // schema of the table the dashboard shows
  editing: null, // schema shown in the roles editor (the pending table's when a load needs roles)
  header: null,
  modelName: null,
  channel: '',
  dataVersion: 0,
  forecast: null,
  anomalies: null,
  refreshTimer: null,
  rendered: false,
};

const slots = {};

// --- small DOM helpers -----------------------------------------------------------------

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v == null) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k in node) node[k] = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c != null) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function showError(id, message) {
  const node = $(id);
  node.textContent = message || '';
  node.hidden = !message;
}

function setStatus(text) {
  $('status').textContent = text || '';
}

function showProgress(kind, p) {
  const box = $(`${kind}-progress`);
  if (!p) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const bar = $(`${kind}-progress-bar`);
  if (p.fraction == null) bar.removeAttribute('value');
  else bar.value = p.fraction;
  $(`${kind}-progress-text`).textContent =
    p.fraction == null ? `${p.stage}…` : `${p.stage}… ${Math.round(p.fraction * 100)}%`;
}

function download(name, blobOrUrl) {
  const url = typeof blobOrUrl === 'string' ? blobOrUrl : URL.createObjectURL(blobOrUrl);
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  if (url.startsWith('blob:')) setTimeout(() => URL.revokeObjectURL(url), 10000);
}

const slug = (s) => (s || 'all').replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 40) || 'all';

// --- sources ---------------------------------------------------------------------------

// A URL from the query string, resolved against the page; only this site's own files.
function urlSource(value, label) {
  const url = new URL(value, location.href);
  if (url.origin !== location.origin) {
    throw new Error(`${value}: only files from this site can be loaded by URL; use the file picker for others`);
  }
  return { kind: 'url', url: url.href, label: label || decodeURIComponent(url.pathname.replace(/^\//, '')) };
}

function workerSource(source, fresh) {
  if (source.kind === 'url') return { kind: 'url', url: source.url, fresh: !!fresh };
  return { kind: 'file', file: source.file };
}

async function readLocalAgain(source) {
  if (source.handle) {
    try {
      source.file = await source.handle.getFile();
    } catch {
      /* fall back to the File we have */
    }
  }
  return source;
}

function sourceLabel(source) {
  return source.kind === 'url' ? source.label : source.file.name;
}

// Loads a CSV. On success the dashboard switches to it; on failure the previous
// dashboard stays and the error is shown beside the file.
async function openData(source, { fresh = false, quiet = false } = {}) {
  if (!quiet) showError('data-error', '');
  if (source.kind === 'file') await readLocalAgain(source);
  let r;
  try {
    r = await engine.call('openTable', { source: workerSource(source, fresh) }, { onProgress: (p) => showProgress('data', p) });
  } catch (e) {
    showError('data-error', e.message);
    return false;
  } finally {
    showProgress('data', null);
  }
  if (!r.accepted) {
    const still = state.schema ? ` The dashboard still shows ${state.schema.source}.` : '';
    const end = /[.!?]$/.test(r.schema.error) ? '' : '.';
    showError('data-error', `${r.schema.error}${end} Fix the column roles below, or choose another file.${still}`);
    state.editing = { schema: r.schema, pending: true, source };
    renderSchema();
    $('schema-panel').open = true;
    return false;
  }
  if (r.schema.timing && !state.rendered) {
    const t = r.schema.timing;
    for (const [name, at] of [['fc-data-requested', t.requestedAt], ['fc-data-read', t.readAt], ['fc-data-parse-start', t.parseStartAt], ['fc-data-parsed', t.parsedAt]]) {
      if (at) performance.mark(name, { startTime: at - performance.timeOrigin });
    }
  }
  acceptData(source, r.schema);
  return true;
}

function acceptData(source, schema) {
  showError('data-error', '');
  showError('roles-error', '');
  state.dataSource = source;
  state.schema = schema;
  state.editing = { schema, pending: false, source };
  state.dataVersion += 1;
  $('data-name').textContent = sourceLabel(source);
  const parsed = F.isNum(schema.parseMs) ? ` · read in ${F.fmtCount(Math.max(1, Math.round(schema.parseMs)))} ms` : '';
  $('data-meta').textContent = `${F.fmtCount(schema.rows)} rows · ${F.fmtCount(schema.hours)} hours${parsed}`;
  $('last-updated').textContent = `Updated ${new Date().toLocaleTimeString()}`;
  $('data-span').textContent = `${F.fmtHour(schema.start)} → ${F.fmtHour(schema.end - 3600)} UTC`;
  renderChannels(schema.channels);
  renderMetricChoices(schema);
  renderSchema();
  updateRefreshControls();
}

async function openModel(source) {
  showError('model-error', '');
  if (source.kind === 'file') await readLocalAgain(source);
  let r;
  try {
    r = await engine.call('openModel', { source: workerSource(source) }, { onProgress: (p) => showProgress('model', p) });
  } catch (e) {
    showError('model-error', e.message);
    return false;
  } finally {
    showProgress('model', null);
  }
  state.modelSource = source;
  state.header = r.header;
  state.modelName = sourceLabel(source);
  $('model-name').textContent = state.modelName;
  $('model-meta').textContent = [r.header.kind, r.header.selected || (r.header.predictor && r.header.predictor.type)]
    .filter(Boolean)
    .join(' · ');
  renderModelCard();
  return true;
}

// --- computing and drawing ---------------------------------------------------------------

function anomalyOptions() {
  return {
    metric: $('an-metric').value,
    method: $('an-method').value,
    threshold: Number($('an-threshold').value),
    lookback: Number($('an-lookback').value) * 24,
    baseline: Number($('an-baseline').value) * 24,
  };
}

function computeRequest() {
  return engine.call('compute', {
    channel: state.channel,
    window: 24,
    horizon: 168,
    history: 14 * 24,
    anomaly: anomalyOptions(),
  });
}

let computeSeq = 0;
// `request`: a compute already sent (at start-up it is queued right behind the loads).
async function refreshDashboard(request = null) {
  if (!state.schema) return;
  const seq = ++computeSeq;
  setStatus('Computing…');
  $('dashboard').setAttribute('aria-busy', 'true');
  let r;
  try {
    r = await (request || computeRequest());
  } catch (e) {
    setStatus('');
    showError('kpi-error', e.message);
    return;
  }
  if (seq !== computeSeq) return;
  performance.mark('fc-computed', { detail: r.timings });
  renderKpis(r.kpis);
  await Promise.all([renderForecast(r.forecast), renderAnomalies(r.anomalies)]);
  if (seq !== computeSeq) return;
  setStatus('');
  $('dashboard').setAttribute('aria-busy', 'false');
  if (state.rendered) document.body.dataset.state = 'ready';
}

// Slider changes: at most one request in flight, and the latest settings always win.
let anomalyBusy = false;
let anomalyDirty = false;
async function refreshAnomalies() {
  updateSliderLabels();
  if (!state.schema) return;
  if (anomalyBusy) {
    anomalyDirty = true;
    return;
  }
  anomalyBusy = true;
  try {
    do {
      anomalyDirty = false;
      let result;
      try {
        result = { value: await engine.call('anomalies', { channel: state.channel, anomaly: anomalyOptions() }), error: null };
      } catch (e) {
        result = { value: null, error: e.message };
      }
      if (!anomalyDirty) await renderAnomalies(result);
    } while (anomalyDirty);
  } finally {
    anomalyBusy = false;
  }
}

const KPI_TILES = [
  { key: 'leads', label: 'Leads', format: F.fmtCount, better: 'up' },
  { key: 'spend', label: 'Spend', format: F.fmtMoney, better: null, needs: 'hasSpend' },
  { key: 'revenue', label: 'Revenue', format: F.fmtMoney, better: 'up', needs: 'hasRevenue' },
  { key: 'cpl', label: 'CPL', hint: 'cost per lead', format: F.fmtMoney, better: 'down', needs: 'hasSpend' },
  { key: 'roi', label: 'ROI', hint: '(revenue − spend) / spend', format: (x) => F.fmtPercent(x, 1), better: 'up', needs: 'hasRevenue' },
  { key: 'conversion', label: 'Conversion rate', hint: 'leads / clicks', format: (x) => F.fmtPercent(x, 2), better: 'up', needs: 'hasClicks', optional: true },
];

function buildTiles() {
  const box = $('kpi-tiles');
  for (const t of KPI_TILES) {
    const id = `kpi-${t.key}`;
    box.append(
      el(
        'article',
        { class: 'tile', id, dataset: { kpi: t.key }, 'aria-labelledby': `${id}-label`, hidden: !!t.optional },
        el('h3', { class: 'tile-label', id: `${id}-label` }, t.label, t.hint ? el('span', { class: 'tile-hint', text: t.hint }) : null),
        el('p', { class: 'tile-value', id: `${id}-value`, text: '–' }),
        el('p', { class: 'tile-change', id: `${id}-change` }),
      ),
    );
  }
}

function renderKpis({ value: k, error }) {
  showError('kpi-error', error ? `KPIs: ${error}` : '');
  if (!k) return;
  $('kpi-window').textContent = `${F.fmtHour(k.current.start)} – ${F.fmtHour(k.current.end)} UTC, against the ${k.windowHours} hours before`;
  for (const t of KPI_TILES) {
    const tile = $(`kpi-${t.key}`);
    const cur = k.current[t.key];
    if (t.optional) {
      // Shown only when the data has the column it needs (a traffic column for the rate).
      tile.hidden = t.needs ? !k.current[t.needs] : !F.isNum(cur);
      if (tile.hidden) continue;
    }
    const available = !t.needs || k.current[t.needs];
    const valueEl = $(`kpi-${t.key}-value`);
    valueEl.textContent = available ? t.format(cur) : '–';
    valueEl.dataset.value = available && F.isNum(cur) ? String(cur) : '';
    const change = k.change[t.key];
    const changeEl = $(`kpi-${t.key}-change`);
    changeEl.replaceChildren();
    changeEl.className = 'tile-change';
    changeEl.dataset.value = F.isNum(change) ? String(change) : '';
    if (!available) {
      changeEl.append(el('span', { class: 'muted', text: `no ${t.key === 'cpl' || t.key === 'spend' ? 'spend' : 'revenue'} column` }));
      continue;
    }
    if (F.isNum(change)) {
      const dir = change > 0 ? 'up' : change < 0 ? 'down' : 'flat';
      const tone = !t.better || dir === 'flat' ? 'neutral' : dir === t.better ? 'good' : 'bad';
      changeEl.classList.add(tone);
      changeEl.append(
        el('span', { class: 'arrow', 'aria-hidden': 'true', text: dir === 'up' ? '▲' : dir === 'down' ? '▼' : '■' }),
        ` ${F.fmtChange(change)} `,
      );
    } else {
      changeEl.append('n/a ');
    }
    changeEl.append(el('span', { class: 'muted', text: `vs ${t.format(k.previous[t.key])} the 24 h before` }));
  }
}

async function renderForecast({ value: f, error }) {
  const chart = $('forecast-chart');
  state.forecast = f;
  showError('forecast-error', error ? `Forecast: ${error}` : '');
  $('dl-forecast-csv').disabled = !f;
  for (const b of document.querySelectorAll('[data-chart="forecast"]')) b.disabled = !f;
  if (!f) {
    slots.forecast.clear();
    chart.dataset.forecastPoints = '0';
    $('forecast-note').hidden = true;
    return;
  }
  const data = forecastData(f);
  const target = f.target || 'leads';
  $('forecast-title').textContent = `${(F.METRICS[target] || F.METRICS.leads).label} forecast · next ${Math.round(f.horizon / 24)} days`;
  try {
    const view = await slots.forecast.render(forecastSpec(data, { target }), state.dataVersion);
    chart.dataset.forecastPoints = String(view.data('forecast').length);
    chart.dataset.actualPoints = String(view.data('actual').length);
  } catch (e) {
    showError('forecast-error', `The forecast chart could not be drawn: ${e.message}`);
    return;
  }
  let total = 0;
  for (const x of f.mean) total += x;
  const note = [`≈ ${F.fmtCount(Math.round(total))} ${target} expected over the next ${f.horizon} hours (${F.fmtHour(f.time[0])} → ${F.fmtHour(f.time[f.time.length - 1])} UTC).`];
  if (state.channel) note.push(`Channel “${state.channel}” forecast with a model trained on ${state.header?.data?.channel ? `“${state.header.data.channel}”` : 'all channels together'}: treat it as indicative.`);
  $('forecast-note').textContent = note.join(' ');
  $('forecast-note').hidden = false;
  chart.setAttribute('aria-label', `Forecast chart: ${note[0]}`);
}

async function renderAnomalies({ value: a, error }) {
  state.anomalies = a;
  showError('anomaly-error', error ? `Anomalies: ${error}` : '');
  $('dl-anomalies-csv').disabled = !a;
  for (const b of document.querySelectorAll('[data-chart="anomaly"]')) b.disabled = !a;
  const countEl = $('anomaly-count');
  const tbody = $('anomaly-table').tBodies[0];
  if (!a) {
    slots.anomaly.clear();
    countEl.textContent = '–';
    countEl.dataset.count = '';
    $('anomaly-summary').textContent = '';
    tbody.replaceChildren();
    return;
  }
  const m = F.METRICS[a.metric] || F.METRICS.cpl;
  countEl.textContent = String(a.count);
  countEl.dataset.count = String(a.count);
  const span = a.lookback > 0 ? `in the last ${F.fmtCount(a.lookback / 24)} days` : 'in the whole series';
  $('anomaly-summary').textContent = `anomalous ${a.count === 1 ? 'hour' : 'hours'} of ${m.label} ${span} (|z| > ${a.threshold}, ${a.method === 'robust' ? 'median and MAD' : 'mean and standard deviation'} of the ${F.fmtCount(a.baseline / 24)}-day baseline before each hour)`;
  $('legend-metric').textContent = m.label;
  $('an-col-value').textContent = m.label;

  const rows = [...a.anomalies].reverse();
  const limit = 500;
  tbody.replaceChildren(
    ...rows.slice(0, limit).map((x) => {
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
  if (rows.length > limit) tbody.append(el('tr', {}, el('td', { colSpan: 5, class: 'muted', text: `and ${rows.length - limit} more (download the CSV for all)` })));
  if (!rows.length) tbody.append(el('tr', {}, el('td', { colSpan: 5, class: 'muted', text: 'No anomalies with these settings.' })));

  try {
    await slots.anomaly.render(anomalySpec(anomalyData(a), { metric: a.metric }), `${state.dataVersion}:${a.lookback}`);
  } catch (e) {
    showError('anomaly-error', `The anomaly chart could not be drawn: ${e.message}`);
  }
  $('anomaly-chart').setAttribute('aria-label', `${m.label} per hour ${span} with ${a.count} anomalies marked`);
}

// --- model card ----------------------------------------------------------------------------

const num = (x, d = 3) => (F.isNum(x) ? (Math.abs(x) >= 1000 ? F.fmtCount(Math.round(x)) : x.toPrecision(d > 0 ? Math.max(d, 1) : 3).replace(/\.?0+$/, (s) => (s.includes('.') ? '' : s))) : '–');
const meanStd = (v) => {
  if (v == null) return '–';
  if (typeof v === 'number') return num(v, 4);
  if (typeof v === 'object' && 'mean' in v) return `${num(v.mean, 4)} ± ${num(v.std, 2)}`;
  return '–';
};

function renderModelCard() {
  const h = state.header;
  $('model-empty').hidden = !!h;
  $('model-body').hidden = !h;
  $('model-kind').textContent = h ? h.kind || '' : '';
  if (!h) return;
  $('model-title').textContent = `Model · ${state.modelName}`;

  const facts = $('model-facts');
  facts.replaceChildren();
  const fact = (label, value) => {
    if (value == null || value === '') return;
    facts.append(el('div', { class: 'fact' }, el('dt', { text: label }), el('dd', { text: String(value) })));
  };
  const names = (h.features && Array.isArray(h.features.names) && h.features.names) || [];
  const predictor = h.predictor && typeof h.predictor === 'object' ? h.predictor.type : h.predictor;
  fact('Kind', h.kind);
  fact('Target', h.target);
  fact('Predictor', [h.selected, predictor && predictor !== h.selected ? `(${predictor})` : ''].filter(Boolean).join(' ') || predictor);
  fact('Features', names.length ? `${names.length}` : null);
  const cov = h.interval_coverage || {};
  if (cov.p80 != null || cov.p95 != null) fact('Interval coverage (CV)', `80%: ${F.fmtPercent(cov.p80)} · 95%: ${F.fmtPercent(cov.p95)}`);
  const d = h.data || {};
  // data.end is the end of the last hour (exclusive), as in the schema.
  if (d.start != null && d.end != null) fact('Trained on', `${F.fmtDay(d.start)} → ${F.fmtDay(d.end - 3600)}${d.hours ? ` (${F.fmtCount(d.hours)} hours)` : ''}`);
  else if (d.hours) fact('Trained on', `${F.fmtCount(d.hours)} hours`);
  const importance = h.feature_importance && typeof h.feature_importance === 'object' ? Object.entries(h.feature_importance) : [];
  if (importance.length) {
    importance.sort((a, b) => b[1] - a[1]);
    fact('Most important features', importance.slice(0, 4).map(([k]) => k).join(', '));
  }
  fact('Created', h.created_at || '–');
  fact('Created by', h.created_by);

  // Cross-validation: one row per metric, one-step and recursive columns.
  const cv = h.cv || {};
  const folds = Array.isArray(cv.folds) ? cv.folds.length : cv.folds;
  const horizon = cv.horizon ? `, recursive over ${cv.horizon} h` : '';
  $('cv-folds').textContent = folds ? `(${folds} time-series folds${horizon}; mean ± std)` : '(mean ± std)';
  const oneStep = cv.one_step || {};
  const recursive = cv.recursive || {};
  const metrics = [...new Set([...Object.keys(oneStep), ...Object.keys(recursive)])].filter((k) => k !== 'folds');
  $('cv-table').tBodies[0].replaceChildren(
    ...metrics.map((k) => el('tr', {}, el('th', { scope: 'row', text: k.toUpperCase() }), el('td', { class: 'num', text: meanStd(oneStep[k]) }), el('td', { class: 'num', text: meanStd(recursive[k]) }))),
  );

  // The comparison of candidates: their one-step and recursive metrics.
  const comp = Array.isArray(h.comparison) ? h.comparison : [];
  const compMetrics = [];
  for (const c of comp) {
    for (const part of ['one_step', 'recursive']) {
      if (c[part] && typeof c[part] === 'object') for (const k of Object.keys(c[part])) if (k !== 'folds' && !compMetrics.includes(k)) compMetrics.push(k);
    }
  }
  const shown = ['rmse', 'mae', 'smape', 'mase'].filter((k) => compMetrics.includes(k)).slice(0, 2);
  const cols = shown.length ? shown : compMetrics.slice(0, 2);
  const thead = $('comparison-table').tHead;
  thead.replaceChildren(
    el('tr', {}, el('th', { scope: 'col', text: 'Candidate' }), ...cols.flatMap((k) => [el('th', { scope: 'col', text: `${k.toUpperCase()} one-step` }), el('th', { scope: 'col', text: `${k.toUpperCase()} recursive` })])),
  );
  $('comparison-table').tBodies[0].replaceChildren(
    ...comp.map((c) => {
      const selected = c.name === h.selected;
      return el(
        'tr',
        { class: selected ? 'selected' : '' },
        el('th', { scope: 'row' }, c.name || '?', selected ? el('span', { class: 'badge small', text: 'selected' }) : null),
        ...cols.flatMap((k) => [el('td', { class: 'num', text: meanStd(c.one_step && c.one_step[k]) }), el('td', { class: 'num', text: meanStd(c.recursive && c.recursive[k]) })]),
      );
    }),
  );

  $('feature-count').textContent = names.length ? `(${names.length})` : '';
  $('feature-list').replaceChildren(...names.map((n) => el('li', { text: n })));
}

// --- schema and roles ----------------------------------------------------------------------

function renderSchema() {
  const edit = state.editing;
  const s = edit && edit.schema;
  if (!s) return;
  const summary = [`${s.source}`, `${F.fmtCount(s.rows)} rows`, `${s.columns.length} columns`];
  if (s.ok) {
    summary.push(`${F.fmtCount(s.hours)} hours (${F.fmtDay(s.start)} → ${F.fmtDay(s.end - 3600)})`);
    if (s.channels.length) summary.push(`${s.channels.length} channels`);
    if (s.eventLevel) summary.push('event rows summed per hour');
    if (s.spendDerived) summary.push('spend = CPL × leads');
    if (s.revenueDerived) summary.push('revenue = spend × (1 + ROI)');
    if (s.emptyHours) summary.push(`${F.fmtCount(s.emptyHours)} hours without rows`);
  } else {
    summary.push('roles need fixing');
  }
  $('schema-summary').textContent = `· ${summary.join(' · ')}`;

  const grid = $('roles-grid');
  grid.replaceChildren(
    ...Object.entries(ROLE_LABELS).map(([role, label]) => {
      const select = el('select', { id: `role-${role}`, name: role });
      select.append(el('option', { value: '', text: '— none —' }));
      s.columns.forEach((c, i) => select.append(el('option', { value: String(i), text: `${c.name} (${c.type})` })));
      const current = s.roles[role];
      const idx = s.columns.findIndex((c) => c.name === current);
      select.value = idx >= 0 ? String(idx) : '';
      return el('label', { class: 'role' }, el('span', { text: label }), select);
    }),
  );

  const roleOf = new Map();
  for (const [role, col] of Object.entries(s.roles)) if (col) roleOf.set(col, [...(roleOf.get(col) || []), ROLE_LABELS[role]]);
  $('schema-table').tBodies[0].replaceChildren(
    ...s.columns.map((c) =>
      el(
        'tr',
        {},
        el('td', { text: c.name }),
        el('td', { text: c.type + (c.levels ? ` (${F.fmtCount(c.levels)} values)` : '') }),
        el('td', { class: 'num', text: F.fmtCount(c.missing) }),
        el('td', { text: (roleOf.get(c.name) || []).join(', ') || '–' }),
      ),
    ),
  );
}

async function applyRoles(roles) {
  showError('roles-error', '');
  const edit = state.editing;
  if (!edit) return;
  let r;
  try {
    r = await engine.call('setRoles', { roles });
  } catch (e) {
    showError('roles-error', e.message);
    return;
  }
  if (!r.accepted) {
    state.editing = { ...edit, schema: r.schema };
    renderSchema();
    showError('roles-error', r.schema.error);
    return;
  }
  acceptData(edit.source, r.schema);
  await refreshDashboard();
}

function rolesFromForm() {
  const s = state.editing.schema;
  const roles = {};
  for (const role of Object.keys(ROLE_LABELS)) {
    const v = $(`role-${role}`).value;
    roles[role] = v === '' ? null : s.columns[Number(v)].name;
  }
  return roles;
}

// --- controls --------------------------------------------------------------------------------

function renderChannels(channels) {
  const select = $('channel');
  const keep = channels.includes(state.channel) ? state.channel : '';
  select.replaceChildren(el('option', { value: '', text: 'All channels' }), ...channels.map((c) => el('option', { value: c, text: c })));
  select.value = keep;
  state.channel = keep;
  $('channel-picker').hidden = channels.length === 0;
}

function renderMetricChoices(schema) {
  const has = schema.has || {};
  const select = $('an-metric');
  for (const o of select.options) {
    o.disabled = o.value !== 'leads' && !has[o.value];
  }
  if (select.selectedOptions[0] && select.selectedOptions[0].disabled) select.value = 'leads';
}

function updateSliderLabels() {
  $('an-threshold-out').textContent = Number($('an-threshold').value).toFixed(1);
  const lb = Number($('an-lookback').value);
  const bl = Number($('an-baseline').value);
  $('an-lookback-out').textContent = `${lb} ${lb === 1 ? 'day' : 'days'}`;
  $('an-baseline-out').textContent = `${bl} ${bl === 1 ? 'day' : 'days'}`;
}

function updateRefreshControls() {
  const isUrl = state.dataSource && state.dataSource.kind === 'url';
  $('refresh-label').hidden = !isUrl;
  $('reload-data').title = isUrl ? 'Download the data again' : 'Read the file again';
  scheduleRefresh();
}

function scheduleRefresh() {
  if (state.refreshTimer) clearInterval(state.refreshTimer);
  state.refreshTimer = null;
  const minutes = Number($('refresh-minutes').value);
  if (!state.dataSource || state.dataSource.kind !== 'url' || !(minutes > 0)) return;
  state.refreshTimer = setInterval(() => reloadAll({ quiet: true }), minutes * 60 * 1000);
}

async function reloadAll({ quiet = false } = {}) {
  if (!state.dataSource) return;
  const reloads = [openData(state.dataSource, { fresh: true, quiet })];
  if (state.modelSource && state.modelSource.kind === 'url') reloads.push(openModel(state.modelSource));
  const [ok] = await Promise.all(reloads);
  if (ok) await refreshDashboard();
}

async function handleFile(file, handle) {
  if (!file) return;
  const isModel = /\.fcm$/i.test(file.name);
  if (isModel) {
    if (await openModel({ kind: 'file', file, handle })) await refreshDashboard();
  } else if (await openData({ kind: 'file', file, handle })) {
    await refreshDashboard();
  }
}

function setupDrop() {
  let depth = 0;
  const overlay = $('drop-overlay');
  const hasFiles = (e) => e.dataTransfer && [...e.dataTransfer.types].includes('Files');
  window.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth += 1;
    overlay.hidden = false;
  });
  window.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (!depth) overlay.hidden = true;
  });
  window.addEventListener('dragover', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  });
  window.addEventListener('drop', async (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth = 0;
    overlay.hidden = true;
    const items = [...e.dataTransfer.items].filter((i) => i.kind === 'file');
    // Handles (where the browser has them) let "Reload" read the file's newest content.
    const entries = await Promise.all(
      items.map(async (i) => {
        const file = i.getAsFile();
        let handle = null;
        if (typeof i.getAsFileSystemHandle === 'function') {
          try {
            handle = await i.getAsFileSystemHandle();
          } catch {
            handle = null;
          }
        }
        return { file, handle };
      }),
    );
    const target = e.target instanceof Element ? e.target.closest('.dropzone') : null;
    for (const { file, handle } of entries) {
      if (target && target.dataset.kind === 'model') {
        if (await openModel({ kind: 'file', file, handle })) await refreshDashboard();
      } else if (target && target.dataset.kind === 'data') {
        if (await openData({ kind: 'file', file, handle })) await refreshDashboard();
      } else {
        await handleFile(file, handle);
      }
    }
  });
}

function setupControls() {
  $('data-file').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    e.target.value = '';
    if (file && (await openData({ kind: 'file', file }))) await refreshDashboard();
  });
  $('model-file').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    e.target.value = '';
    if (file && (await openModel({ kind: 'file', file }))) await refreshDashboard();
  });
  $('reload-data').addEventListener('click', () => reloadAll());
  $('refresh-minutes').addEventListener('change', scheduleRefresh);
  $('channel').addEventListener('change', (e) => {
    state.channel = e.target.value;
    refreshDashboard();
  });
  for (const id of ['an-threshold', 'an-lookback', 'an-baseline']) $(id).addEventListener('input', refreshAnomalies);
  for (const id of ['an-metric', 'an-method']) $(id).addEventListener('change', refreshAnomalies);
  $('anomaly-controls').addEventListener('submit', (e) => e.preventDefault());
  $('roles-form').addEventListener('submit', (e) => {
    e.preventDefault();
    applyRoles(rolesFromForm());
  });
  $('reset-roles').addEventListener('click', () => applyRoles({}));

  $('dl-forecast-csv').addEventListener('click', () => {
    if (!state.forecast) return;
    download(`funnelcast-forecast-${slug(state.channel)}.csv`, new Blob([F.forecastCsv(state.forecast)], { type: 'text/csv' }));
  });
  $('dl-anomalies-csv').addEventListener('click', () => {
    if (!state.anomalies) return;
    download(`funnelcast-anomalies-${state.anomalies.metric}-${slug(state.channel)}.csv`, new Blob([F.anomaliesCsv(state.anomalies)], { type: 'text/csv' }));
  });
  for (const b of document.querySelectorAll('[data-chart]')) {
    b.addEventListener('click', async () => {
      const slot = slots[b.dataset.chart];
      try {
        download(`funnelcast-${b.dataset.chart}-${slug(state.channel)}.${b.dataset.type}`, await slot.image(b.dataset.type));
      } catch (e) {
        showError(`${b.dataset.chart}-error`, `Download failed: ${e.message}`);
      }
    });
  }
}

function applyQueryDefaults(params) {
  const num = (name, min, max) => {
    const v = Number(params.get(name));
    return params.has(name) && Number.isFinite(v) && v >= min && v <= max ? v : null;
  };
  const refresh = num('refresh', 0, 1440);
  if (refresh != null) $('refresh-minutes').value = String(refresh);
  const threshold = num('threshold', 1, 6);
  if (threshold != null) $('an-threshold').value = String(threshold);
  const lookback = num('lookback', 1, 90);
  if (lookback != null) $('an-lookback').value = String(lookback);
  const baseline = num('baseline', 1, 28);
  if (baseline != null) $('an-baseline').value = String(baseline);
  if (['cpl', 'leads', 'spend', 'revenue', 'roi'].includes(params.get('metric'))) $('an-metric').value = params.get('metric');
  if (['zscore', 'robust'].includes(params.get('method'))) $('an-method').value = params.get('method');
  updateSliderLabels();
}

function vegaLoaded() {
  if (window.vegaEmbed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const check = () => (window.vegaEmbed ? resolve() : reject(new Error('the chart library did not load')));
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', check, { once: true });
    else window.addEventListener('load', check, { once: true });
  });
}

function registerServiceWorker() {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register('sw.js').catch((e) => console.warn('funnelcast: offline cache unavailable:', e.message));
}

// --- boot --------------------------------------------------------------------------------------

async function boot() {
  const params = new URLSearchParams(location.search);
  applyQueryDefaults(params);
  buildTiles();
  setupControls();
  setupDrop();
  const tooltip = createTooltip($('tooltip'));
  slots.forecast = new ChartSlot($('forecast-chart'), tooltip);
  slots.anomaly = new ChartSlot($('anomaly-chart'), tooltip);

  engine.call('init').then(
    (r) => {
      // The worker's start-up steps on the page's clock.
      const at = (t) => ({ startTime: t - performance.timeOrigin });
      if (r.startup.workerStart) performance.mark('fc-worker-start', at(r.startup.workerStart));
      if (r.startup.wasmReady) performance.mark('fc-wasm-ready', at(r.startup.wasmReady));
      if (r.startup.warmedUp) performance.mark('fc-engine-ready', at(r.startup.warmedUp));
      $('core-version').textContent = `core ${r.version}`;
    },
    () => {},
  );

  let dataSource = null;
  let modelSource = null;
  try {
    dataSource = urlSource(params.get('data') || 'demo/hourly.csv', params.get('data') ? null : 'demo/hourly.csv (demo data)');
  } catch (e) {
    showError('data-error', e.message);
  }
  const modelParam = params.get('model');
  if (modelParam !== 'none') {
    try {
      modelSource = urlSource(modelParam || 'models/demo_forecast.fcm', modelParam ? null : 'demo_forecast.fcm (demo model)');
    } catch (e) {
      showError('model-error', e.message);
    }
  }
  // Both downloads start at once, while vega is still loading.
  const marked = (name) => (v) => {
    performance.mark(name);
    return v;
  };
  const loads = [
    dataSource ? openData(dataSource).then(marked('fc-data-loaded')) : Promise.resolve(false),
    modelSource ? openModel(modelSource).then(marked('fc-model-loaded')) : Promise.resolve(false),
  ];
  // The worker handles messages in order: this compute runs as soon as both are loaded,
  // without waiting for the page to hear back. Used only if the data was accepted.
  const early = dataSource ? computeRequest() : null;
  if (early) early.catch(() => {});
  try {
    await vegaLoaded();
    performance.mark('fc-vega-loaded');
    // While the engine parses the data: charts embedded empty, for the first data version.
    const epoch = Math.max(1, state.dataVersion);
    const metric = $('an-metric').value;
    await Promise.all([
      slots.forecast.prepare(forecastSpec(standInForecast(), { target: 'leads' }), epoch),
      slots.anomaly.prepare(anomalySpec(standInAnomalies(metric), { metric }), `${epoch}:${Number($('an-lookback').value) * 24}`),
    ]);
    performance.mark('fc-charts-prepared');
  } catch (e) {
    showError('forecast-error', e.message);
  }
  const [dataOk] = await Promise.all(loads);
  if (dataOk) await refreshDashboard(early);
  performance.mark('fc-dashboard-rendered');
  document.body.dataset.state = dataOk ? 'ready' : 'error';
  state.rendered = true;
  registerServiceWorker();
}

boot().catch((e) => {
  document.body.dataset.state = 'error';
  showError('data-error', `Unexpected error: ${e.message}`);
  console.error(e);
});
