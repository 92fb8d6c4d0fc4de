// @ts-check
// One lead at a time: a form built from the scoring model's inputs (numbers with their
// training range as a hint, categories as the levels the model knows, dates as text) that
// scores the lead as a field changes (fc.scoreRecord in the lead scoring worker: one
// request in flight, the latest values win): its probability, the decision at the
// threshold shown and a SHAP waterfall from the average lead (the expected value) to this
// lead's score. It opens on the table's top lead, or the lead picked with "Explain".
import { ChartSlot, vegaLoaded } from '../charts.js';
import { $, el, pageWords, latestWins, showError } from '../dom.js';
import * as F from '../format.js';
import { waterfallRows, waterfallSpec } from '../score-charts.js';

/** @import * as FC from '../../wasm/funnelcast' */
/** @import { LeadCalls, Shell, StoreState } from '../types' */
/**
 * A field of the form: a column the model reads, and the input that holds its value (set by control()).
 * @typedef {ReturnType<typeof fieldsOf>[number] & {input?: HTMLInputElement | HTMLSelectElement}} Field
 */
/** @type {Shell} */
let ctx = /** @type {any} */ (null);
/** @type {ChartSlot} */
let slot = /** @type {any} */ (null);
/** @type {Field[]} */
let fields = []; // [{column, kind, levels, min, max, features, input}]
/** @type {string | null} */
let idColumn = null;
let leadId = 'lead';
/** @type {LeadCalls['scoreRecord'] | null} */
let last = null; // the last result, for the decision when the threshold moves

// The form's fields: one per column the model reads (a date column feeds several inputs).
/** @param {FC.ScoreSection} score */
export function fieldsOf(score) {
  /** @type {Map<string, {column: string, first: FC.ScoreFeature, features: string[]}>} */
  const byColumn = new Map();
  for (const f of score.features) {
    if (!byColumn.has(f.column)) byColumn.set(f.column, { column: f.column, first: f, features: [] });
    /** @type {{features: string[]}} */ (byColumn.get(f.column)).features.push(f.name);
  }
  return [...byColumn.values()].map(({ column, first: f, features }) => ({
    column,
    kind: /** @type {'number' | 'category' | 'date'} */ (f.kind === 'number' || f.kind === 'category' ? f.kind : 'date'),
    levels: f.levels || [],
    min: f.min,
    max: f.max,
    median: f.median,
    features,
  }));
}

// The form's starting lead: each category's most common value (the dictionary is most
// frequent first) and each number's training median (models before medians were stored:
// the middle of its training range).
/** @param {Field} f */
function typical(f) {
  if (f.kind === 'category') return f.levels[0] || '';
  if (f.kind === 'number' && F.isNum(f.median)) return String(Number(/** @type {number} */ (f.median).toPrecision(10)));
  if (f.kind === 'number' && F.isNum(f.min) && F.isNum(f.max)) return String(Math.round((f.min + f.max) / 2));
  return '';
}

/** @param {Field} f @param {number} i */
function control(f, i) {
  const id = `lead-field-${i}`;
  let input;
  let hint;
  if (f.kind === 'category') {
    input = el('select', { id }, el('option', { value: '', text: '(empty)' }), ...f.levels.map((l) => el('option', { value: l, text: l })));
    hint = `${F.fmtCount(f.levels.length)} values seen in training`;
  } else {
    const range = F.isNum(f.min) && F.isNum(f.max) ? `${F.fmtNumber(f.min, 2).replace(/\.00$/, '')} – ${F.fmtNumber(f.max, 2).replace(/\.00$/, '')}` : null;
    input = el('input', { type: 'text', id, inputMode: f.kind === 'number' ? 'decimal' : 'text', autocomplete: 'off', placeholder: f.kind === 'date' ? 'YYYY-MM-DD HH:MM' : range || '' });
    hint = f.kind === 'date' ? `a date and time: read as ${f.features.join(', ')}` : range ? `training range ${range}` : 'never seen in training';
  }
  input.dataset.column = f.column;
  input.addEventListener(f.kind === 'category' ? 'change' : 'input', () => {
    $('lead-origin').textContent = `${leadId === 'lead' ? 'A lead of your own' : `Lead ${leadId}`}, edited`;
    rescore();
  });
  f.input = input;
  return el('label', { class: 'field', for: id }, el('span', { class: 'field-name', text: f.column }), input, el('span', { class: 'field-hint', text: hint }));
}

// Puts a value in a field; a category the model never saw is added to its choices.
/** @param {Field} f @param {string | null | undefined} value */
function setValue(f, value) {
  const v = value == null ? '' : String(value);
  const input = /** @type {HTMLInputElement | HTMLSelectElement} */ (f.input);
  if (f.kind === 'category' && v !== '' && ![.../** @type {HTMLSelectElement} */ (input).options].some((o) => o.value === v)) {
    input.append(el('option', { value: v, text: `${v} (not seen in training)` }));
  }
  input.value = v;
}

export function record() {
  /** @type {Record<string, string>} */
  const r = Object.fromEntries(fields.map((f) => [f.column, /** @type {HTMLInputElement | HTMLSelectElement} */ (f.input).value]));
  if (idColumn && !(idColumn in r)) r[idColumn] = leadId;
  return r;
}

function build() {
  $('sc-lead').append(
    el(
      'section',
      { class: 'panel', id: 'lead-panel', 'aria-labelledby': 'lead-title', hidden: true },
      el('div', { class: 'panel-head' }, el('h2', { id: 'lead-title', text: 'One lead' }), el('span', { class: 'muted', id: 'lead-origin' })),
      el('p', { class: 'muted', text: 'Change a field and the score follows: the probability, the decision and each input’s contribution, from the average lead to this one. “Explain” in the table opens a lead here.' }),
      el(
        'div',
        { class: 'lead-grid' },
        el('form', { class: 'lead-form', id: 'lead-form' }),
        el(
          'div',
          { class: 'lead-result', id: 'lead-result', 'aria-live': 'polite' },
          el('p', { class: 'lead-probability' }, el('strong', { id: 'lead-probability', text: '–' }), el('span', { class: 'badge', id: 'lead-decision' })),
          el('p', { class: 'muted', id: 'lead-margin' }),
          el('div', { class: 'chart', id: 'waterfall-chart', role: 'img', 'aria-label': 'How each input moves the score' }),
          el('ul', { class: 'notices', id: 'lead-notices', hidden: true }),
          el('p', { class: 'error', id: 'lead-error', role: 'alert', hidden: true }),
        ),
      ),
    ),
  );
  $('lead-form').addEventListener('submit', (e) => e.preventDefault());
  slot = new ChartSlot($('waterfall-chart'), ctx.tooltip);
}

/** @param {StoreState} store */
function renderForm({ scoreHeader: h }) {
  $('lead-panel').hidden = !h;
  last = null;
  // Nothing of the previous model stays on screen: its probability, decision and waterfall.
  const box = $('lead-result');
  for (const k of ['origin', 'probability', 'margin', 'expected', 'contributions']) delete box.dataset[k];
  $('lead-probability').textContent = '–';
  $('lead-decision').textContent = '';
  $('lead-margin').textContent = '';
  slot.clear();
  delete $('lead-panel').dataset.state;
  if (!h) return;
  $('lead-panel').dataset.features = String(h.score.features.length);
  fields = fieldsOf(h.score);
  idColumn = h.score.id_column;
  leadId = 'lead';
  $('lead-form').replaceChildren(...fields.map(control));
  for (const f of fields) setValue(f, typical(f));
  $('lead-origin').textContent = 'A typical lead';
  if (!ctx.store.scores) rescore();
}

// A scored row of the table, with its values as written in the file.
/** @param {number | null} row */
async function openRow(row) {
  try {
    const r = await ctx.leadWorker().call('lead', { row });
    leadId = r.id;
    for (const f of fields) {
      // A row the worker does not have (record null) throws here: shown as the panel's error.
      const key = Object.keys(/** @type {Record<string, string>} */ (r.record)).find((c) => c.trim().toLowerCase() === f.column.trim().toLowerCase());
      setValue(f, key == null ? '' : /** @type {Record<string, string>} */ (r.record)[key]);
    }
    $('lead-origin').textContent = `Lead ${r.id} of ${ctx.store.scores ? ctx.store.scores.source : 'the table'}`;
    $('lead-panel').dataset.row = String(row);
    showError('lead-error', '');
  } catch (e) {
    showError('lead-error', e.message);
  }
  await rescore();
}

const update = latestWins((stale) => score(stale));
// The panel's state is 'scoring' from the moment the form changes until the result for
// its latest values is shown ('scored'), so nothing reads a result of earlier values.
function rescore() {
  $('lead-panel').dataset.state = 'scoring';
  return update();
}

/** @param {() => boolean} stale */
async function score(stale) {
  if (!fields.length) return;
  const values = record();
  const origin = $('lead-origin').textContent;
  /** @type {LeadCalls['scoreRecord']} */
  let r;
  try {
    r = await ctx.leadWorker().call('scoreRecord', { record: values });
  } catch (e) {
    if (!stale()) {
      showError('lead-error', e.message);
      $('lead-panel').dataset.state = 'error';
    }
    return;
  }
  if (stale()) return;
  showError('lead-error', '');
  last = r;
  const labels = r.featureNames.map((name) => {
    const f = fields.find((x) => x.features.includes(name));
    const v = f ? /** @type {HTMLInputElement | HTMLSelectElement} */ (f.input).value : '';
    return f && f.kind === 'date' ? `${name} (${v || 'empty'})` : `${name} = ${v === '' ? '(empty)' : v}`;
  });
  const rows = waterfallRows(r, labels);
  const box = $('lead-result');
  box.dataset.origin = origin;
  box.dataset.probability = String(r.probability);
  box.dataset.margin = String(r.margin);
  box.dataset.expected = String(r.expectedValue);
  box.dataset.contributions = JSON.stringify(Array.from(r.contributions));
  $('lead-probability').textContent = F.fmtPercent(r.probability);
  decision();
  $('lead-margin').textContent = `Log-odds ${r.margin.toFixed(3)} = the average lead's ${/** @type {number} */ (r.expectedValue).toFixed(3)} + the ${r.featureNames.length} inputs' contributions below.`;
  $('lead-notices').replaceChildren(...r.notices.filter((n) => !/ignored/.test(n)).map((n) => el('li', { text: pageWords(n) })));
  $('lead-notices').hidden = !$('lead-notices').children.length;
  try {
    await vegaLoaded();
    await slot.render(waterfallSpec(rows), 1);
  } catch (e) {
    showError('lead-error', `The chart could not be drawn: ${e.message}`);
  }
  if (!stale()) $('lead-panel').dataset.state = 'scored';
}

function decision() {
  if (!last) return;
  const t = ctx.store.threshold != null ? ctx.store.threshold : last.threshold;
  const contact = last.probability >= t;
  const badge = $('lead-decision');
  badge.textContent = contact ? `Contact (≥ ${t.toFixed(3)})` : `Below ${t.toFixed(3)}`;
  badge.dataset.decision = contact ? '1' : '0';
}

// New scores: the table's top lead, unless one was picked.
/** @param {StoreState} store */
async function onScores({ scores, threshold }) {
  if (!scores || !fields.length) return;
  try {
    const top = await ctx.leadWorker().call('view', { sort: 'probability', dir: 'desc', offset: 0, limit: 1, threshold: threshold ?? scores.threshold });
    if (top.rows.length && ctx.store.scores === scores) await openRow(top.rows[0].row);
  } catch (e) {
    showError('lead-error', e.message);
  }
}

/** @type {import('../types').Panel} */
export default {
  name: 'lead',
  /** @param {Shell} shell */
  setup(shell) {
    ctx = shell;
    build();
    ctx.store.on('scoreModel', renderForm);
    ctx.store.on('scores', onScores);
    ctx.store.on('threshold', decision);
    ctx.store.on('explain', ({ explaining }) => {
      openRow(explaining);
      $('lead-panel').scrollIntoView({ behavior: 'smooth', block: 'start' });
    });
  },
};
