// @ts-check
// What drives the scores: a SHAP summary (one dot per lead per input, for the inputs with
// the largest mean |contribution|, coloured by the lead's value of a number input) and a
// dependence plot (one input's value against its contribution), drawn from every input's
// TreeSHAP contribution for a sample of the scored leads, worked out in the lead scoring
// worker (shapSample: what `funnelcast score --explain all` gives those leads). Both charts
// download as PNG and SVG.
import { ChartSlot, vegaLoaded } from '../charts.js';
import { $, $button, $select, download, el, latestWins, showError } from '../dom.js';
import * as F from '../format.js';
import { shapDependenceRows, shapDependenceSpec, shapRanking, shapSummaryRows, shapSummarySpec } from '../score-charts.js';

/** @import { LeadCalls, Shell } from '../types' */
export const SAMPLE = 500; // leads explained for the plots
/** @type {Shell} */
let ctx = /** @type {any} */ (null);
/** @type {Record<'summary' | 'dependence', ChartSlot>} */
let slots = /** @type {any} */ (null);
/** @type {LeadCalls['shapSample'] | null} */
let sample = null;
let epoch = 0;

function build() {
  /** @type {(key: string, title: string, label: string) => HTMLElement} */
  const figure = (key, title, label) =>
    el(
      'figure',
      { class: 'shap-chart' },
      el('figcaption', {}, title, el('span', { class: 'chart-actions' }, ...['png', 'svg'].map((type) => el('button', { type: 'button', class: 'secondary small', id: `shap-${key}-${type}`, text: type.toUpperCase(), 'aria-label': `Download the ${label} as ${type.toUpperCase()}` })))),
      el('div', { class: 'chart', id: `shap-${key}-chart`, role: 'img', 'aria-label': label }),
    );
  $('sc-shap').append(
    el(
      'section',
      { class: 'panel', id: 'shap-panel', 'aria-labelledby': 'shap-title', hidden: true },
      el('div', { class: 'panel-head' }, el('h2', { id: 'shap-title', text: 'What drives the scores' })),
      el('p', { class: 'caption', id: 'shap-caption' }),
      el(
        'div',
        { class: 'shap-charts' },
        figure('summary', 'Each input’s contribution, one dot per lead', 'SHAP summary: each input’s contribution to each lead’s score'),
        el(
          'div',
          {},
          el('label', { class: 'field inline' }, el('span', { text: 'Input ' }), el('select', { id: 'shap-input' })),
          figure('dependence', 'One input: its value against its contribution', 'SHAP dependence: one input’s value against its contribution'),
        ),
      ),
      el('p', { class: 'error', id: 'shap-error', role: 'alert', hidden: true }),
    ),
  );
  // Thousands of dots each: drawn on a canvas (ChartSlot).
  slots = { summary: new ChartSlot($('shap-summary-chart'), ctx.tooltip, { renderer: 'canvas' }), dependence: new ChartSlot($('shap-dependence-chart'), ctx.tooltip, { renderer: 'canvas' }) };
  for (const key of /** @type {const} */ (['summary', 'dependence'])) {
    for (const type of /** @type {const} */ (['png', 'svg'])) {
      $button(`shap-${key}-${type}`).addEventListener('click', async () => {
        try {
          download(`funnelcast-shap-${key}.${type}`, await slots[key].image(type));
        } catch (e) {
          showError('shap-error', `Download failed: ${e.message}`);
        }
      });
    }
  }
  $select('shap-input').addEventListener('change', () => drawDependence(epoch));
}

/** @param {number} mine */
async function drawDependence(mine) {
  if (!sample) return;
  const f = Number($select('shap-input').value);
  const numeric = sample.kinds[f] === 'number';
  const view = await slots.dependence.render(shapDependenceSpec(shapDependenceRows(sample, f), sample.features[f], numeric), mine);
  $('shap-dependence-chart').dataset.points = String(view.data('points').length);
  $('shap-dependence-chart').dataset.input = sample.features[f];
}

// A new scoring (new leads or model): a new sample, both charts drawn again.
const update = latestWins(async (stale) => {
  const s = ctx.store.scores;
  const panel = $('shap-panel');
  if (!s) {
    panel.hidden = true;
    return;
  }
  const mine = ++epoch;
  showError('shap-error', '');
  /** @type {LeadCalls['shapSample']} */ let r;
  try {
    r = await ctx.leadWorker().call('shapSample', { size: SAMPLE });
  } catch (e) {
    if (!stale()) showError('shap-error', `The contributions could not be worked out: ${e.message}`);
    return;
  }
  if (stale() || s !== ctx.store.scores) return;
  sample = r;
  const ranking = shapRanking(r);
  const select = $select('shap-input');
  select.replaceChildren(...ranking.map((x) => el('option', { value: String(x.index), text: x.feature })));
  $('shap-caption').textContent = `Every input’s contribution (TreeSHAP, in log-odds: right raises the score, left lowers it) for ${r.rows === r.total ? `all ${F.fmtCount(r.total)} leads` : `${F.fmtCount(r.rows)} of the ${F.fmtCount(r.total)} leads, evenly spread over ${s.source}`}. Numbers are coloured by their value among these leads (blue low, red high); categories and dates are grey.`;
  try {
    await vegaLoaded();
    const view = await slots.summary.render(shapSummarySpec(shapSummaryRows(r)), mine);
    $('shap-summary-chart').dataset.points = String(view.data('dots').length);
    await drawDependence(mine);
    panel.hidden = false;
    $('shap-panel').dataset.state = 'ready';
  } catch (e) {
    showError('shap-error', `The charts could not be drawn: ${e.message}`);
  }
});

/** @type {import('../types').Panel} */
export default {
  name: 'shap',
  /** @param {Shell} shell */
  setup(shell) {
    ctx = shell;
    build();
    ctx.store.on('scores', () => {
      $('shap-panel').dataset.state = 'loading';
      if (!ctx.store.scores) $('shap-panel').hidden = true; // at once, even with a sample on its way
      update();
    });
  },
};
