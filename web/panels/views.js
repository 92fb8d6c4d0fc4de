// @ts-check
// The page's two workflows as tabs: the marketing dashboard (hourly data: KPIs, forecast,
// anomalies) and lead scoring (a lead table and a scoring model: scores, threshold, one
// lead, drift, training). Each has its own sources; both load on the demo page. ?view=
// picks the tab shown first (lead scoring's keys without ?data= open lead scoring); the
// tab shown is kept in the URL (replaceState), so a link opens where it was.
import { $ } from '../dom.js';
import { oneOf } from '../query.js';

/** @import { Shell, Store, View } from '../types' */
/** @type {View[]} */
const VIEWS = ['dashboard', 'scoring'];
/** @type {View | null} */
let asked = null;

/** @param {Store} store @param {View} view */
function show(store, view) {
  for (const v of VIEWS) {
    const on = v === view;
    $(`${v}-view`).hidden = !on;
    const tab = $(`tab-${v}`);
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
  }
  store.setView(view);
  const params = new URLSearchParams(location.search);
  if ((params.get('view') || 'dashboard') !== view) {
    if (view === 'dashboard') params.delete('view');
    else params.set('view', view);
    const q = params.toString();
    history.replaceState(history.state, '', `${location.pathname}${q ? `?${q}` : ''}${location.hash}`);
  }
}

/** @param {Shell} ctx */
function setup(ctx) {
  ctx.showView = (view) => show(ctx.store, view);
  for (const v of VIEWS) {
    const tab = $(`tab-${v}`);
    tab.addEventListener('click', () => ctx.showView(v));
    // Arrow keys move between the tabs (the WAI-ARIA tabs pattern).
    tab.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
      e.preventDefault();
      const next = VIEWS[(VIEWS.indexOf(v) + (e.key === 'ArrowRight' ? 1 : VIEWS.length - 1)) % VIEWS.length];
      ctx.showView(next);
      $(`tab-${next}`).focus();
    });
  }
}

// After the query was read (applyQuery), before the other panels start: the tab to show.
/** @param {Shell} ctx */
function start(ctx) {
  const params = new URLSearchParams(location.search);
  const leadsOnly = ['leads', 'scoring', 'reference', 'current'].some((k) => params.has(k)) && !params.has('data');
  ctx.showView(asked || (leadsOnly ? 'scoring' : 'dashboard'));
  return null;
}

/** @type {import('../types').Panel} */
export default {
  name: 'views',
  query: { view: { parse: oneOf(VIEWS), apply: (v) => (asked = v) } },
  setup,
  start,
};
