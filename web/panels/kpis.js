// KPI tiles: leads, spend, revenue, CPL, ROI (and the conversion rate when the data has
// a traffic column) for the last 24 hours, each against the 24 hours before.
import { $, el, showError } from '../dom.js';
import * as F from '../format.js';

const WINDOW_HOURS = 24;

const TILES = [
  { key: 'leads', label: 'Leads', format: F.fmtCount, better: 'up' },
  { key: 'spend', label: 'Spend', format: F.fmtMoney, better: null, needs: 'hasSpend' },
  { key: 'revenue', label: 'Revenue', format: F.fmtMoney, better: 'up', needs: 'hasRevenue' },
  { key: 'cpl', label: 'CPL', hint: 'cost per lead', format: F.fmtMoney, better: 'down', needs: 'hasSpend' },
  { key: 'roi', label: 'ROI', hint: '(revenue − spend) / spend', format: (x) => F.fmtPercent(x, 1), better: 'up', needs: 'hasRevenue' },
  { key: 'conversion', label: 'Conversion rate', hint: 'leads / clicks', format: (x) => F.fmtPercent(x, 2), better: 'up', needs: 'hasClicks', optional: true },
];

function setup() {
  const box = $('kpi-tiles');
  for (const t of TILES) {
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

function render({ value: k, error }) {
  showError('kpi-error', error ? `KPIs: ${error}` : '');
  if (!k) return;
  $('kpi-window').textContent = `${F.fmtHour(k.current.start)} – ${F.fmtHour(k.current.end)} UTC, against the ${k.windowHours} hours before`;
  for (const t of TILES) {
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

export default {
  name: 'kpis',
  setup,
  request: () => ({ window: WINDOW_HOURS }),
  render,
};
