// @ts-check
// KPI tiles: one per metric of the core's registry (fc.registry(): name, label, unit,
// which direction is good news, formula) that the data can compute (k.metrics), for the
// last window (24 hours, or one interval of coarser data) against the window before.
// Nothing here lists metrics: a metric added to the core gets its tile.
import { $, el, showError } from '../dom.js';
import * as F from '../format.js';

/** @import * as FC from '../../wasm/funnelcast' */
/** @type {FC.MetricInfo[]} */
let metrics = []; // the registry's, in its order

// One tile per registry metric, hidden until the data has the metric.
/** @param {{registry: FC.Registry | null}} store */
function build({ registry }) {
  if (!registry || metrics.length) return;
  metrics = registry.metrics;
  $('kpi-tiles').replaceChildren(
    ...metrics.map((m) => {
      const id = `kpi-${m.name}`;
      const hint = m.formula && m.formula !== m.name ? el('span', { class: 'tile-hint', text: m.formula }) : null;
      return el(
        'article',
        { class: 'tile', id, title: m.help, dataset: { kpi: m.name }, 'aria-labelledby': `${id}-label`, hidden: true },
        el('h3', { class: 'tile-label', id: `${id}-label` }, m.label, hint),
        el('p', { class: 'tile-value', id: `${id}-value`, text: '–' }),
        el('p', { class: 'tile-change', id: `${id}-change` }),
      );
    }),
  );
}

// "24 h", "day", "7 days": the window, for "the … before".
/** @param {FC.KpiSummary} k */
function windowName(k) {
  if (k.window_hours === 24 && k.interval_seconds <= 3600) return '24 h';
  const seconds = k.window_hours * 3600;
  if (seconds === k.interval_seconds) return F.intervalName(k.interval_seconds);
  return seconds % 86400 === 0 ? `${seconds / 86400} days` : `${F.fmtCount(k.window_hours)} h`;
}

/** @param {import('../types').PanelResult<FC.KpiSummary>} result */
function render({ value: k, error }) {
  showError('kpi-error', error ? `KPIs: ${error}` : '');
  if (!k) return;
  const span = windowName(k);
  $('kpi-heading').textContent = span === '24 h' ? 'Last 24 hours' : `Last ${span}`;
  const to = k.interval_seconds >= 86400 ? k.current.end - k.interval_seconds : k.current.end;
  $('kpi-window').textContent = `${F.fmtTime(k.current.start, k.interval_seconds)} – ${F.fmtTime(to, k.interval_seconds)} UTC, against the ${span === '24 h' ? '24 hours' : span} before`;
  for (const m of metrics) {
    const tile = $(`kpi-${m.name}`);
    const available = k.metrics.includes(m.name);
    tile.hidden = !available;
    const cur = available ? k.current[m.name] : null;
    const valueEl = $(`kpi-${m.name}-value`);
    valueEl.textContent = F.fmtMetric(m.unit, cur);
    valueEl.dataset.value = F.isNum(cur) ? String(cur) : '';
    const change = available ? k.change[m.name] : null;
    const changeEl = $(`kpi-${m.name}-change`);
    changeEl.replaceChildren();
    changeEl.className = 'tile-change';
    changeEl.dataset.value = F.isNum(change) ? String(change) : '';
    if (!available) continue;
    // Rates (ROI, conversion) move in percentage points, money and counts in %.
    const prev = k.previous[m.name];
    const points = m.unit === 'ratio' && F.isNum(cur) && F.isNum(prev) ? cur - prev : null;
    changeEl.dataset.points = F.isNum(points) ? String(points) : '';
    const delta = m.unit === 'ratio' ? points : change;
    if (F.isNum(delta)) {
      const dir = delta > 0 ? 'up' : delta < 0 ? 'down' : 'flat';
      const good = m.good === 'lower' ? 'down' : 'up';
      changeEl.classList.add(dir === 'flat' ? 'neutral' : dir === good ? 'good' : 'bad');
      changeEl.append(
        el('span', { class: 'arrow', 'aria-hidden': 'true', text: dir === 'up' ? '▲' : dir === 'down' ? '▼' : '■' }),
        ` ${m.unit === 'ratio' ? F.fmtPoints(delta) : F.fmtChange(delta)} `,
      );
    } else {
      changeEl.append('n/a ');
    }
    changeEl.append(el('span', { class: 'muted', text: `vs ${F.fmtMetric(m.unit, k.previous[m.name])} the ${span} before` }));
  }
}

/** @type {import('../types').Panel} */
export default {
  name: 'kpis',
  /** @param {import('../types').Shell} shell */
  setup({ store }) {
    build(store);
    store.on('registry', build);
  },
  request: () => ({}),
  first: true,
  render,
};
