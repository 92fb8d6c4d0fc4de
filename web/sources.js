// @ts-check
// Where a file comes from, for the lead scoring workflow's sources (the leads, the scoring
// model, the table to train on, the drift view's two tables): a drop zone with a file
// picker, the file's name and facts, what the core said about it (notices), a progress
// bar and its error, built like the dashboard's (index.html) with text only. Element ids
// start with the source's kind: `${kind}-file`, `${kind}-name`, `${kind}-error`...
import { $, el, pageWords, throttled } from './dom.js';

/** @import { Progress, Source } from './types' */

export const CSV_TYPES = '.csv,.tsv,.txt,text/csv,text/tab-separated-values,text/plain';
export const MODEL_TYPES = '.fcm,application/octet-stream';

// {kind, title, hint, button, accept, onFile(file)} -> the element.
/** @param {{kind: string, title: string, hint: string, button: string, accept: string, onFile: (file: File) => unknown}} options */
export function sourceBox({ kind, title, hint, button, accept, onFile }) {
  const input = el('input', { type: 'file', id: `${kind}-file`, class: 'visually-hidden', accept, 'aria-describedby': `${kind}-status` });
  input.addEventListener('change', () => {
    const file = /** @type {FileList} */ (input.files)[0];
    input.value = '';
    if (file) onFile(file);
  });
  return el(
    'div',
    { class: 'source', id: `${kind}-source` },
    el(
      'div',
      { class: 'dropzone', id: `${kind}-drop`, dataset: { kind } },
      el('div', { class: 'drop-text' }, el('strong', { text: title }), ` · ${hint}`, el('span', { class: 'drop-hint', text: 'Drop a file here or' })),
      el('label', { class: 'button', for: `${kind}-file`, text: button }),
      input,
    ),
    el('div', { class: 'source-status', id: `${kind}-status`, 'aria-live': 'polite' }, el('span', { class: 'file-name', id: `${kind}-name`, text: '–' }), el('span', { class: 'file-meta', id: `${kind}-meta` })),
    el('ul', { class: 'notices', id: `${kind}-notices`, hidden: true }),
    el(
      'div',
      { class: 'progress', id: `${kind}-progress`, hidden: true },
      el('progress', { id: `${kind}-progress-bar`, max: 1, 'aria-label': `Loading: ${title}` }),
      el('span', { id: `${kind}-progress-text` }),
    ),
    el('p', { class: 'error', id: `${kind}-error`, role: 'alert', hidden: true }),
  );
}

// A progress report {stage, fraction} (null: hide the bar).
/** @param {string} kind @param {Progress | null} p */
export function showProgress(kind, p) {
  const box = $(`${kind}-progress`);
  if (!box) return;
  let draw = progressDrawers.get(kind);
  if (!draw) progressDrawers.set(kind, (draw = throttled((/** @type {Progress} */ q) => drawProgress(kind, q))));
  if (!p) {
    draw.cancel();
    box.hidden = true;
    return;
  }
  draw(p);
}

// Each kind's bar redrawn at most 4 times a second (dom.js throttled), hidden at once.
/** @type {Map<string, ((p: Progress) => void) & {cancel: () => void}>} */
const progressDrawers = new Map();

/** @param {string} kind @param {Progress} p */
function drawProgress(kind, p) {
  const box = $(`${kind}-progress`);
  box.hidden = false;
  const bar = /** @type {HTMLProgressElement} */ ($(`${kind}-progress-bar`));
  if (p.fraction == null) bar.removeAttribute('value');
  else bar.value = p.fraction;
  $(`${kind}-progress-text`).textContent = p.fraction == null ? `${p.stage}…` : `${p.stage}… ${Math.round(p.fraction * 100)}%`;
}

/** @param {string} kind @param {string | null} name @param {string} [meta] */
export function showFile(kind, name, meta = '') {
  $(`${kind}-name`).textContent = name || '–';
  $(`${kind}-meta`).textContent = meta;
}

/** @param {string} kind @param {string[] | null | undefined} notices */
export function showNotices(kind, notices) {
  const list = $(`${kind}-notices`);
  list.replaceChildren(...(notices || []).map((n) => el('li', { text: pageWords(n) })));
  list.hidden = !list.children.length;
}

// A same-origin URL from the query string (other origins are refused: the CSP allows no
// other connection), as a worker source with a label.
/** @param {string} value @param {string | null} [label] @returns {Extract<Source, {kind: 'url'}>} */
export function urlSource(value, label) {
  const url = new URL(value, location.href);
  if (url.origin !== location.origin) {
    throw new Error(`${value}: only files from this site can be loaded by URL; use the file picker for others`);
  }
  return { kind: 'url', url: url.href, label: label || decodeURIComponent(url.pathname.replace(/^\//, '')) };
}

/** @type {(source: Source, path: string) => boolean} */
export const isAt = (source, path) => source.kind === 'url' && new URL(source.url).pathname === new URL(path, location.href).pathname;
/** @type {(source: Source) => string} */
export const sourceLabel = (source) => (source.kind === 'url' ? source.label : source.kind === 'file' ? source.file.name : source.name);
// What a worker is sent: a URL, a File, or bytes (copied, so the page keeps its own).
/** @param {Source} source */
export function workerSource(source) {
  if (source.kind === 'url') return { kind: 'url', url: source.url };
  if (source.kind === 'file') return { kind: 'file', file: source.file };
  return { kind: 'bytes', bytes: source.bytes.slice(), name: source.name };
}
