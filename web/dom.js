// @ts-check
// Small DOM helpers shared by the shell and the panels. Text from a CSV or a model file
// goes into the page only through el()'s `text` (textContent) or text children, never
// as HTML.

// Typed as never null: the ids are the page's own (index.html, or built by a panel's
// setup); the few callers that look up an id that may be absent check for null.
/** @type {(id: string) => HTMLElement} */
export const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
// The same lookup for an id that names an <input>, a <select>, a <button> or a <table>
// (for the checker: their own properties, value, checked, tBodies...; the page's tables
// all have a thead).
/** @type {(id: string) => HTMLInputElement} */
export const $input = /** @type {any} */ ($);
/** @type {(id: string) => HTMLSelectElement} */
export const $select = /** @type {any} */ ($);
/** @type {(id: string) => HTMLButtonElement} */
export const $button = /** @type {any} */ ($);
/** @type {(id: string) => HTMLTableElement & {tHead: HTMLTableSectionElement}} */
export const $table = /** @type {any} */ ($);

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, any>} [props] text (textContent), class, dataset, properties of the element, else attributes
 * @param {...(Node | string | number | null | undefined)} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v == null) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k in node) /** @type {any} */ (node)[k] = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c != null) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

// Shows (or, with no message, hides) an error paragraph.
/** @param {string} id @param {string | null | undefined} message */
export function showError(id, message) {
  const node = $(id);
  node.textContent = pageWords(message || '');
  node.hidden = !message;
}

// The core's messages serve the CLI and the page: a command-line flag is only ever named
// inside "(CLI: …)", which the page drops, since it offers its own controls (the roles
// editor, its ticks) beside the message.
/** @param {string} message */
export function pageWords(message) {
  return message.replace(/\s*\(CLI: [^)]*\)/g, '');
}

/** @param {string} name @param {Blob | string} blobOrUrl */
export function download(name, blobOrUrl) {
  const url = typeof blobOrUrl === 'string' ? blobOrUrl : URL.createObjectURL(blobOrUrl);
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  if (url.startsWith('blob:')) setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// A file-name-safe piece of text (a channel name, say).
/** @type {(s: string | null | undefined) => string} */
export const slug = (s) => (s || 'all').replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 40) || 'all';

// One run of `work` at a time, and the latest call always wins: a call while one runs marks
// it stale and returns; the running one then goes again. work(stale) can ask stale() to
// skip drawing results that a newer call is already replacing.
/**
 * @param {(stale: () => boolean) => Promise<void>} work
 * @returns {() => Promise<void>}
 */
export function latestWins(work) {
  let busy = false;
  let dirty = false;
  return async () => {
    if (busy) {
      dirty = true;
      return;
    }
    busy = true;
    try {
      do {
        dirty = false;
        await work(() => dirty);
      } while (dirty);
    } finally {
      busy = false;
    }
  };
}

// draw(value) at most once per `ms` with the latest value: the first at once, the rest when
// the interval is up. Progress reports come far faster than anyone reads them, and on a page
// of charts each redraw costs a frame of compositing (25-40 ms on the scoring view) that the
// training's workers want on a 2-core machine. cancel() drops one still waiting.
/**
 * @template T
 * @param {(value: T) => void} draw
 * @param {number} [ms]
 * @returns {((value: T) => void) & {cancel: () => void}}
 */
export function throttled(draw, ms = 250) {
  let last = -Infinity;
  let timer = 0;
  /** @type {T} */
  let pending;
  const fire = () => {
    timer = 0;
    last = performance.now();
    draw(pending);
  };
  const call = (/** @type {T} */ value) => {
    pending = value;
    if (timer) return;
    const wait = last + ms - performance.now();
    if (wait <= 0) fire();
    else timer = /** @type {any} */ (setTimeout(fire, wait));
  };
  call.cancel = () => {
    clearTimeout(timer);
    timer = 0;
  };
  return call;
}
