// @ts-check
// Incidents: the funnel monitor (the core's api::monitor, `funnelcast monitor`): every KPI
// of the total and of each channel checked at once, the flagged intervals gathered into
// incidents, each listed once with when it started and ended, where (channels), the
// likely cause (spend, leads, tracking lost, data missing) and what moved against what was
// expected; data that stopped before the end of the file is said above the table. It runs
// by itself whenever the shown data changes (once the dashboard is first drawn, and while
// the dashboard is the tab shown: else when it is shown), in a worker of its own
// (monitor-worker.js):
// judging every KPI of every channel is seconds of work on a long file, and the
// dashboard's worker stays free for the charts meanwhile. Newer data stops a run for older
// data (the worker is terminated). Check now runs it again. The CSV download is the
// core's (`monitor --out`).
import { $, $button, download, el, showError, slug } from '../dom.js';
import { Engine } from '../engine.js';
import * as F from '../format.js';

/** @import * as FC from '../../wasm/funnelcast' */
/** @import { PanelResult, Shell } from '../types' */

const LIMIT = 200; // rows shown; the CSV has them all
let doneVersion = -1; // the data version the table shows
let runVersion = -1; // the data version being checked (-1: none)
/** @type {Engine<{monitor: FC.MonitorResult}> | null} */
let monitorEngine = null;
/** @type {FC.MonitorResult | null} */
let shown = null;
/** @type {FC.Registry | null} */
let registry = null;

/** @type {(channel: string) => string} */
const where = (channel) => channel || 'total';

/** @param {FC.MonitorIncident['kpis'][number]} k */
function movedText(k) {
  const m = registry && registry.metrics.find((x) => x.name === k.metric);
  const fmt = (/** @type {number | null} */ v) => (v == null ? '–' : m ? F.fmtMetric(m.unit, v) : F.fmtNumber(v));
  const ratio = k.ratio != null && k.ratio > 0 ? ` (${k.ratio >= 10 ? k.ratio.toFixed(0) : k.ratio.toFixed(1)}×)` : '';
  return `${k.label}${k.channel ? ` · ${k.channel}` : ''} ${fmt(k.value)} vs ${fmt(k.expected)} expected${ratio}`;
}

/** @param {PanelResult<FC.MonitorResult>} result */
function render({ value: m, error }) {
  showError('incident-error', error ? `Incidents: ${error}` : '');
  if (!m) {
    $('incident-summary').textContent = '';
    return;
  }
  shown = m;
  $button('dl-incidents-csv').disabled = !m.csv;
  const step = m.interval_seconds;
  const silent = m.silent.map((s) => `no data ${s.channel ? `from ${s.channel} ` : ''}since ${F.fmtTime(s.since, step)} UTC`);
  $('incident-silent').textContent = silent.length ? `Data stopped: ${silent.join('; ')}.` : '';
  $('incident-silent').hidden = !silent.length;
  const n = m.incidents.length;
  const count = $('incident-count');
  count.textContent = String(n);
  count.dataset.count = String(n);
  const scopes = m.channels.length > 1 ? `the total and ${m.channels.length - 1} channels` : where(m.channels[0]);
  $('incident-summary').textContent = `${n === 1 ? 'incident' : 'incidents'} since ${F.fmtTime(m.checked_from, step)} UTC in ${m.metrics.length} KPIs of ${scopes}${m.notices.length ? ` (${m.notices.join(' ')})` : ''}.`;
  const rows = m.incidents.slice().reverse().slice(0, LIMIT).map((inc) =>
    el(
      'tr',
      { class: inc.ongoing ? 'ongoing' : '', dataset: { start: String(inc.start), cause: inc.cause } },
      el('td', { text: F.fmtTime(inc.start, step) }),
      el('td', { text: inc.ongoing ? 'ongoing' : F.fmtTime(inc.end, step) }),
      el('td', { text: inc.channels.map(where).join(', ') }),
      el('td', { class: 'cause', text: inc.cause || '–' }),
      el('td', { text: inc.kpis.length ? inc.kpis.map(movedText).join('; ') : inc.summary }),
    ),
  );
  $('incident-table').querySelector('tbody')?.replaceChildren(...rows);
}

function stopRun() {
  if (!monitorEngine) return;
  monitorEngine.worker?.terminate();
  monitorEngine.failAll('stopped: newer data');
  monitorEngine = null;
}

function clear() {
  shown = null;
  $button('dl-incidents-csv').disabled = true;
  $('incident-count').textContent = '–';
  $('incident-count').dataset.count = '';
  $('incident-silent').hidden = true;
  $('incident-table').querySelector('tbody')?.replaceChildren();
}

// The monitor on the shown data, unless it is shown or being checked already (again:
// Check now, even then).
/** @param {Shell} ctx @param {boolean} [again] */
async function check(ctx, again = false) {
  const version = ctx.store.dataVersion;
  if (!ctx.store.schema || (!again && (version === doneVersion || version === runVersion))) return;
  stopRun(); // a run for older data (or the same, asked again) is stale
  runVersion = version;
  const current = () => runVersion === version && ctx.store.dataVersion === version;
  clear();
  showError('incident-error', '');
  $('incident-summary').textContent = 'Checking every KPI and channel…';
  try {
    const input = await ctx.engine.call('trainingInput');
    if (!current()) return;
    const engine = (monitorEngine ||= new Engine(new URL('../monitor-worker.js', import.meta.url), { name: 'funnelcast-monitor' }));
    const m = await engine.call('monitor', { input, options: {} }, { transfer: [input.bytes.buffer] });
    if (!current()) return;
    doneVersion = version;
    runVersion = -1;
    render({ value: m, error: null });
  } catch (e) {
    if (!current()) return;
    runVersion = -1;
    render({ value: null, error: e.message || String(e) });
  }
}

/** @type {import('../types').Panel} */
export default {
  name: 'incidents',
  /** @param {Shell} ctx */
  setup(ctx) {
    registry = ctx.store.registry;
    ctx.store.on('registry', (/** @type {{registry: FC.Registry | null}} */ s) => (registry = s.registry));
    $button('incident-run').addEventListener('click', () => check(ctx, true));
    // Not before the dashboard is first drawn (its charts come first on a 2-core laptop),
    // and only while the dashboard is the tab shown: a page opened on lead scoring checks
    // when the dashboard is first shown (seconds of work a visitor of lead scoring alone
    // never asked for).
    const checkShown = () =>
      ctx.started.then(() => {
        if (ctx.store.view === 'dashboard') return check(ctx);
        // Hidden: a run for older data stops now instead of finishing behind lead scoring.
        if (runVersion !== -1 && runVersion !== ctx.store.dataVersion) stopRun();
        return undefined;
      });
    ctx.store.on('data', checkShown);
    ctx.store.on('view', checkShown);
    $button('dl-incidents-csv').addEventListener('click', () => {
      if (shown && shown.csv) download(`funnelcast-incidents-${slug(shown.source)}.csv`, new Blob([shown.csv], { type: 'text/csv' }));
    });
  },
};
