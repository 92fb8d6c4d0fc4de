// Small DOM helpers shared by the shell and the panels. Text from a CSV or a model file
// goes into the page only through el()'s `text` (textContent) or text children, never
// as HTML.

export const $ = (id) => document.getElementById(id);

export function el(tag, props = {}, ...children) {
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

// Shows (or, with no message, hides) an error paragraph.
export function showError(id, message) {
  const node = $(id);
  node.textContent = message || '';
  node.hidden = !message;
}

export function download(name, blobOrUrl) {
  const url = typeof blobOrUrl === 'string' ? blobOrUrl : URL.createObjectURL(blobOrUrl);
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  if (url.startsWith('blob:')) setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// A file-name-safe piece of text (a channel name, say).
export const slug = (s) => (s || 'all').replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 40) || 'all';

// One run of `work` at a time, and the latest call always wins: a call while one runs marks
// it stale and returns; the running one then goes again. work(stale) can ask stale() to
// skip drawing results that a newer call is already replacing.
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
