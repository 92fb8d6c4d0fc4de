// @ts-check
// The scored leads: a table sorted by probability (or by lead), 100 rows a page (the
// rows live in the lead scoring worker, which sorts them and sends one page at a time, so
// 100,000 leads never become 100,000 table rows), each with its decision at the threshold
// shown and its three strongest reasons as small signed bars (worked out by the worker for
// the page shown, so the first rows appear before the whole file is explained); the export of every lead's
// score as `funnelcast score --explain 3` writes it (the decision at the threshold shown),
// its rows shared among as many workers as the browser has cores, with its progress.
// "Explain" opens a lead in the one-lead form.
import { $, $button, $table, download, el, latestWins, showError } from '../dom.js';
import { Engine } from '../engine.js';
import * as F from '../format.js';
import { showProgress } from '../sources.js';
import { thresholdStops } from './threshold.js';

const PAGE = 100;
const BAR_PX = 56; // the page's strongest reason's bar

/** @type {import('../types').Shell} */
let ctx = /** @type {any} */ (null);
/** @import { LeadRow, Reason } from '../types' */
/** @type {{sort: 'probability' | 'id', dir: 'asc' | 'desc', offset: number}} */
const state = { sort: 'probability', dir: 'desc', offset: 0 };

const threshold = () => (ctx.store.threshold != null ? ctx.store.threshold : ctx.store.scores ? ctx.store.scores.threshold : 0.5);

function build() {
  /** @type {(key: string, label: string) => HTMLButtonElement} */
  const sortButton = (key, label) => el('button', { type: 'button', class: 'sort', dataset: { sort: key }, text: label });
  const head = el(
    'tr',
    {},
    el('th', { scope: 'col', class: 'num', text: '#' }),
    el('th', { scope: 'col', id: 'leads-col-id' }, sortButton('id', 'Lead')),
    el('th', { scope: 'col', class: 'num', id: 'leads-col-probability' }, sortButton('probability', 'Probability')),
    el('th', { scope: 'col', text: 'Decision' }),
    el('th', { scope: 'col', text: 'Strongest reasons (log-odds)' }),
    el('th', { scope: 'col' }, el('span', { class: 'visually-hidden', text: 'Explain' })),
  );
  const pager = el(
    'div',
    { class: 'pager' },
    el('button', { type: 'button', class: 'secondary small', id: 'leads-prev', text: '← Previous' }),
    el('span', { id: 'leads-range', 'aria-live': 'polite' }),
    el('button', { type: 'button', class: 'secondary small', id: 'leads-next', text: 'Next →' }),
  );
  $('sc-leads').append(
    el(
      'section',
      { class: 'panel', id: 'leads-panel', 'aria-labelledby': 'leads-title', hidden: true },
      el(
        'div',
        { class: 'panel-head' },
        el('h2', { id: 'leads-title', text: 'Scored leads' }),
        el('div', { class: 'actions' }, el('button', { type: 'button', class: 'secondary small', id: 'leads-export', text: 'Export scores (CSV)' })),
      ),
      el('p', { class: 'summary', id: 'leads-summary' }),
      el('div', { class: 'table-wrap leads-wrap' }, el('table', { class: 'data-table leads-table', id: 'leads-table' }, el('caption', { class: 'visually-hidden', text: 'Scored leads' }), el('thead', {}, head), el('tbody'))),
      pager,
      el(
        'div',
        { class: 'progress', id: 'leads-export-progress', hidden: true },
        el('progress', { id: 'leads-export-progress-bar', max: 1, 'aria-label': 'Exporting the scores' }),
        el('span', { id: 'leads-export-progress-text' }),
      ),
      el('p', { class: 'error', id: 'leads-table-error', role: 'alert', hidden: true }),
    ),
  );
  for (const b of /** @type {NodeListOf<HTMLButtonElement>} */ ($table('leads-table').tHead.querySelectorAll('button.sort'))) {
    b.addEventListener('click', () => {
      const key = /** @type {'probability' | 'id'} */ (b.dataset.sort);
      state.dir = state.sort === key ? (state.dir === 'desc' ? 'asc' : 'desc') : key === 'id' ? 'asc' : 'desc';
      state.sort = key;
      state.offset = 0;
      update();
    });
  }
  $('leads-prev').addEventListener('click', () => {
    state.offset = Math.max(0, state.offset - PAGE);
    update();
  });
  $('leads-next').addEventListener('click', () => {
    if (ctx.store.scores && state.offset + PAGE < ctx.store.scores.rows) state.offset += PAGE;
    update();
  });
  $('leads-export').addEventListener('click', exportCsv);
}

// A reason as a small bar, green when it raises the score, red when it lowers it.
/** @param {Reason} x @param {number} maxAbs */
function reason(x, maxAbs) {
  const bar = el('span', { class: `rbar ${x.value >= 0 ? 'up' : 'down'}`, 'aria-hidden': 'true' });
  bar.style.width = `${Math.max(2, Math.round((Math.abs(x.value) / (maxAbs || 1)) * BAR_PX))}px`;
  const sign = x.value >= 0 ? '+' : '−';
  return el(
    'li',
    { dataset: { feature: x.feature, value: String(x.value) }, title: `${x.feature} = ${x.text || '(empty)'}: ${sign}${Math.abs(x.value).toFixed(3)} log-odds` },
    el('span', { class: 'rname', text: x.text ? `${x.feature} = ${x.text}` : `${x.feature} (empty)` }),
    el('span', { class: 'rtrack' }, bar),
    el('span', { class: 'rval', text: `${sign}${Math.abs(x.value).toFixed(2)}` }),
  );
}

/** @param {LeadRow} r @param {number} t @param {number} maxAbs */
function row(r, t, maxAbs) {
  const contact = r.probability >= t;
  const bar = el('span', { class: 'pbar', 'aria-hidden': 'true' });
  bar.style.width = `${Math.round(r.probability * 100)}%`;
  const explain = el('button', { type: 'button', class: 'secondary small', text: 'Explain', title: `Open lead ${r.id} in the one-lead form` });
  explain.addEventListener('click', () => ctx.store.explainLead(r.row));
  return el(
    'tr',
    { class: contact ? 'contact' : '', dataset: { row: String(r.row), id: r.id, probability: String(r.probability), decision: contact ? '1' : '0' } },
    el('td', { class: 'num muted', text: F.fmtCount(r.position + 1) }),
    el('th', { scope: 'row', text: r.id }),
    el('td', { class: 'num prob' }, el('span', { text: F.fmtPercent(r.probability) }), el('span', { class: 'ptrack' }, bar)),
    el('td', { text: contact ? 'Contact' : '–' }),
    el('td', {}, el('ul', { class: 'reasons' }, ...r.reasons.map((x) => reason(x, maxAbs)))),
    el('td', {}, explain),
  );
}

// Asks the worker for the page shown (one request in flight; the latest settings win).
const update = latestWins((stale) => draw(stale));

/** @param {() => boolean} stale */
async function draw(stale) {
  const { store } = ctx;
  const s = store.scores;
  if (!s) {
    $('leads-panel').hidden = true;
    return;
  }
  const t = threshold();
  /** @type {import('../types').LeadCalls['view']} */ let v;
  try {
    v = await ctx.leadWorker().call('view', { ...state, limit: PAGE, threshold: t });
  } catch (e) {
    showError('leads-table-error', e.message);
    return;
  }
  if (stale() || s !== store.scores) return;
  showError('leads-table-error', '');
  $table('leads-table').tBodies[0].replaceChildren(...v.rows.map((r) => row(r, t, v.maxAbs)));
  for (const key of ['id', 'probability']) {
    $(`leads-col-${key}`).setAttribute('aria-sort', state.sort === key ? (state.dir === 'asc' ? 'ascending' : 'descending') : 'none');
  }
  const end = Math.min(v.total, v.offset + v.rows.length);
  $('leads-range').textContent = `${F.fmtCount(v.total ? v.offset + 1 : 0)}–${F.fmtCount(end)} of ${F.fmtCount(v.total)}`;
  $button('leads-prev').disabled = v.offset === 0;
  $button('leads-next').disabled = end >= v.total;
  const summary = $('leads-summary');
  summary.dataset.contacted = String(v.contacted);
  summary.replaceChildren(
    el('strong', { text: F.fmtCount(v.contacted) }),
    ` of ${F.fmtCount(v.total)} leads in ${s.source} (${F.fmtPercent(v.total ? v.contacted / v.total : 0)}) score at least ${t.toFixed(3)}: contact them. ${beside(v.total ? v.contacted / v.total : 0, t)}Scored by ${s.model} in ${F.fmtCount(Math.round(s.ms))} ms.`,
  );
  $('leads-panel').hidden = false; // shown once its rows and summary are these scores'
  $('scoring-view').dataset.state = 'ready';
  performance.mark('fc-leads-drawn');
}

// This file beside the training leads: the share the model's cross-validation contacted
// at the same threshold, and a word when this file's leads score far from it (its
// precision and recall then need not be the stored ones).
/** @param {number} share this file's share at or above t @param {number} t */
export function beside(share, t) {
  const h = ctx.store.scoreHeader;
  if (!h) return '';
  const stop = thresholdStops(h.score).find((p) => p.threshold === t);
  if (!stop || !F.isNum(stop.share)) return '';
  const trained = stop.share;
  const far = Math.abs(share - trained) >= 0.05 && (share > 1.5 * trained || share < trained / 1.5);
  const note = `In the model’s cross-validation, ${F.fmtPercent(trained)} of the training leads scored at least ${t.toFixed(3)}`;
  if (!far) return `${note}. `;
  return `${note}: this file’s leads score ${share > trained ? 'higher' : 'lower'} than the training leads did, so the precision and recall above may not hold for it (the drift view below compares the two). `;
}

// The export's parts: rows [from, to) of the table, EXPORT_PART_ROWS or more each, about
// 8 per worker so that a worker held up by the machine's other work runs fewer.
const MAX_EXPORT_WORKERS = 4;
const EXPORT_PART_ROWS = 500;
// Each helper holds a copy of the file and its parsed table: helpers are left out while their
// copies would pass this many bytes of file (a 100 MB file gets one helper, 200 MB none).
const EXPORT_COPY_BYTES = 192 * 1024 * 1024;

// The scores CSV of every lead, its rows shared among `cores` workers (at most 4): the
// lead scoring worker and helpers (other instances of lead-worker.js, each reading its own
// copy of the leads and model), each taking the next part of rows when it is free. The
// parts are joined in row order, so the file is the one-worker (and the CLI's) byte for
// byte, whichever worker wrote which part (tests/e2e/scoring.test.mjs). TreeSHAP is most
// of the time: 20,000 demo leads with 3 reasons take 6-7 s on one worker here.
/** @param {number | undefined} t the decision threshold @param {number} cores @param {(done: number, rows: number, workers: number) => void} told */
async function exportShared(t, cores, told) {
  const main = ctx.leadWorker();
  const { rows, explain, version, bytes: size0 } = await main.call('exportPlan');
  const copies = Math.floor(EXPORT_COPY_BYTES / Math.max(1, size0));
  const workers = Math.max(1, Math.min(cores, MAX_EXPORT_WORKERS, Math.floor(rows / EXPORT_PART_ROWS), 1 + copies));
  const size = Math.max(EXPORT_PART_ROWS, Math.ceil(rows / (workers * 8)));
  // At least one part: a table without rows still gets the CSV's header line.
  const parts = Array.from({ length: Math.max(1, Math.ceil(rows / size)) }, (_, i) => ({ from: i * size, to: Math.min(rows, (i + 1) * size) }));
  /** @type {Uint8Array<ArrayBuffer>[]} */
  const bodies = new Array(parts.length);
  /** @type {string | null} */
  let header = null;
  let done = 0;
  let failed = false; // once a part failed, no worker takes another
  const queue = parts.map((_, i) => i);
  /** @type {Engine<import('../types').LeadCalls>[]} */
  const helpers = [];
  /** @param {(part: {from: number, to: number}) => Promise<import('../types').LeadCalls['exportRows']>} run */
  const drain = async (run) => {
    while (queue.length && !failed) {
      const i = /** @type {number} */ (queue.shift());
      const r = await run(parts[i]);
      if (header == null) header = r.header;
      else if (r.header !== header) throw new Error(`the export's parts do not match: a header ${JSON.stringify(r.header.trim())} beside ${JSON.stringify(header.trim())}`);
      bodies[i] = r.body;
      done += parts[i].to - parts[i].from;
      told(done, rows, workers);
    }
  };
  told(0, rows, workers);
  try {
    const runs = [drain((p) => main.call('exportRows', { ...p, explain, threshold: t, version }))];
    if (workers > 1) {
      const source = await main.call('exportSource');
      for (let w = 1; w < workers; ++w) {
        /** @type {Engine<import('../types').LeadCalls>} */
        const h = new Engine(new URL('../lead-worker.js', import.meta.url), { name: 'funnelcast-leads-export' });
        helpers.push(h);
        const bytes = source.bytes.slice(), model = source.model.slice();
        const loaded = h.call('exportLoad', { bytes, name: source.name, model, modelName: source.modelName }, { transfer: [bytes.buffer, model.buffer] }).then((r) => {
          if (r.rows !== rows) throw new Error(`an export worker read ${r.rows} rows of ${source.name}, not ${rows}`);
        });
        runs.push(loaded.then(() => drain((p) => h.call('exportRows', { ...p, explain, threshold: t, version }))));
      }
    }
    await Promise.all(runs);
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    for (const h of helpers) h.terminate();
  }
  return { blob: new Blob([header || '', ...bodies], { type: 'text/csv' }), workers };
}

async function exportCsv() {
  const s = ctx.store.scores;
  if (!s) return;
  const button = $button('leads-export');
  button.disabled = true;
  showError('leads-table-error', '');
  try {
    const { blob } = await exportShared(threshold(), navigator.hardwareConcurrency || 1, (done, rows, workers) =>
      showProgress('leads-export', { stage: `Writing ${F.fmtCount(rows)} leads’ scores${s.explained ? ` with their top ${s.explained} reasons` : ''}${workers > 1 ? ` on ${workers} workers` : ''}`, fraction: rows ? done / rows : 1 }),
    );
    download(`${s.source.replace(/\.[^.]*$/, '') || 'leads'}-scores.csv`, blob);
  } catch (e) {
    showError('leads-table-error', `Export failed: ${/** @type {Error} */ (e).message}`);
  } finally {
    showProgress('leads-export', null);
    button.disabled = false;
  }
}

/** @type {import('../types').Panel} */
export default {
  name: 'leads',
  /** @param {import('../types').Shell} shell */
  setup(shell) {
    ctx = shell;
    build();
    ctx.store.on('scores', () => {
      state.offset = 0;
      if (!ctx.store.scores) $('leads-panel').hidden = true; // at once, even with a page being drawn
      update();
    });
    ctx.store.on('threshold', () => update());
  },
};
