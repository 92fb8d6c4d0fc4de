// @ts-check
// What the page's workers share (worker.js, the dashboard's, and lead-worker.js, lead
// scoring's; each owns its own wasm instance): reading a File or a same-origin URL into
// bytes with progress reports, and the message loop: {id, type, ...args} in, one handler
// per type run in message order, {id, ok, result | error} out (typed arrays transferred),
// {id, progress: {stage, fraction}} while a file is read or a long call runs.

// Absolute times (ms since the epoch), for the page's timing marks.
export const clock = () => performance.timeOrigin + performance.now();

// Progress reports, at most one per percent and per 50 ms for a stage.
let lastProgress = { id: 0, stage: '', percent: -1, at: 0 };
/** @param {number} id @param {string} stage @param {number | null} [fraction] */
export function progress(id, stage, fraction = null) {
  const percent = fraction == null ? -1 : Math.floor(fraction * 100);
  const now = performance.now();
  const same = lastProgress.id === id && lastProgress.stage === stage;
  if (same && (percent === lastProgress.percent || (now - lastProgress.at < 50 && percent < 100))) return;
  lastProgress = { id, stage, percent, at: now };
  self.postMessage({ id, progress: { stage, fraction } });
}

// Downloads boot.js asked for before the page's own requests could be sent, by URL.
/** @type {Map<string, Promise<Uint8Array>>} */
const prefetched = new Map();
// Those boot.js downloads itself (fromPage): settled by its 'prefetched' messages.
/** @type {Map<string, {resolve: (bytes: Uint8Array) => void, reject: (e: Error) => void}>} */
const fromPage = new Map();

/** @param {string[]} urls @param {boolean} [byPage] the page sends the bytes ('prefetched') */
export function prefetch(urls, byPage = false) {
  for (const u of urls) {
    const url = new URL(u, self.location.href);
    if (url.origin !== self.location.origin || prefetched.has(url.href)) continue;
    const p = byPage
      ? new Promise((resolve, reject) => fromPage.set(url.href, { resolve, reject }))
      : fetch(url, { credentials: 'same-origin' }).then(async (res) => {
          if (!res.ok) throw new Error(`${url.pathname}: the server answered ${res.status} ${res.statusText}`.trim());
          return new Uint8Array(await res.arrayBuffer());
        });
    p.catch(() => {});
    prefetched.set(url.href, p);
  }
}

/** @param {{url?: string, bytes?: ArrayBuffer, error?: string}} args */
function settlePrefetch({ url, bytes, error }) {
  const waiting = url && fromPage.get(url);
  if (!waiting) return;
  fromPage.delete(/** @type {string} */ (url));
  if (bytes) waiting.resolve(new Uint8Array(bytes));
  else waiting.reject(new Error(error || 'the download failed'));
}

// The download of a prefetched URL, if there is one not yet taken by readSource.
/** @param {string} href @returns {Promise<Uint8Array> | null} */
export const prefetchedBytes = (href) => prefetched.get(href) || null;

// The name a URL's file is known by (its last path segment).
/** @param {URL} url */
export const urlName = (url) => decodeURIComponent(url.pathname.split('/').pop() || url.pathname);

// Reads a File or a same-origin URL into bytes, reporting progress as it goes.
/**
 * @typedef {{kind: 'file', file: File} | {kind: 'url', url: string, fresh?: boolean} | {kind: 'bytes', bytes: ArrayBuffer | Uint8Array, name?: string}} WorkerSource
 * @typedef {{bytes: Uint8Array, name: string, readAt: number}} Read
 */
/** @param {number} id @param {WorkerSource} source @param {string} what @returns {Promise<Read>} */
export async function readSource(id, source, what) {
  if (source.kind === 'file') {
    const file = source.file;
    const total = file.size;
    const bytes = new Uint8Array(total);
    let done = 0;
    const reader = file.stream().getReader();
    try {
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        if (done + value.length > total) throw new Error('the file grew while it was read');
        bytes.set(value, done);
        done += value.length;
        progress(id, `Reading ${what}`, total ? done / total : null);
      }
    } catch (e) {
      throw new Error(`${file.name}: the browser could not read the file (${e.message}). If it changed on disk, choose it again.`);
    }
    return { bytes: done === total ? bytes : bytes.subarray(0, done), name: file.name, readAt: clock() };
  }
  if (source.kind === 'url') {
    const url = new URL(source.url, self.location.href);
    if (url.origin !== self.location.origin) {
      throw new Error(`${source.url}: only files from this site can be loaded by URL; use the file picker for others`);
    }
    const early = !source.fresh && prefetched.get(url.href);
    if (early) {
      prefetched.delete(url.href);
      progress(id, `Downloading ${what}`, null);
      const name = urlName(url);
      try {
        return { bytes: await early, name, readAt: clock() };
      } catch {
        // fall through to a fresh download, which reports the error itself
      }
    }
    progress(id, `Downloading ${what}`, 0);
    let res;
    try {
      res = await fetch(url, { cache: source.fresh ? 'no-cache' : 'default', credentials: 'same-origin' });
    } catch (e) {
      throw new Error(`${url.pathname}: could not be downloaded (${e.message})`);
    }
    if (!res.ok) throw new Error(`${url.pathname}: the server answered ${res.status} ${res.statusText}`.trim());
    const total = Number(res.headers.get('content-length')) || 0;
    const name = urlName(url);
    if (!res.body || !total) return { bytes: new Uint8Array(await res.arrayBuffer()), name, readAt: clock() };
    const chunks = [];
    let done = 0;
    const reader = res.body.getReader();
    for (;;) {
      const { value, done: end } = await reader.read();
      if (end) break;
      chunks.push(value);
      done += value.length;
      progress(id, `Downloading ${what}`, Math.min(1, done / total));
    }
    const bytes = new Uint8Array(done);
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.length;
    }
    return { bytes, name, readAt: clock() };
  }
  if (source.kind === 'bytes') return { bytes: new Uint8Array(source.bytes), name: source.name || 'input', readAt: clock() };
  throw new Error(`unknown source kind '${/** @type {{kind: unknown}} */ (source).kind}'`);
}

// Transfer the typed arrays of a result instead of copying them again.
/** @param {unknown} value @param {Transferable[]} [out] @param {number} [depth] @returns {Transferable[]} */
export function transferables(value, out = [], depth = 0) {
  if (!value || typeof value !== 'object' || depth > 6) return out;
  if (ArrayBuffer.isView(value)) {
    if (!out.includes(value.buffer)) out.push(value.buffer);
    return out;
  }
  for (const v of Array.isArray(value) ? value : Object.values(value)) transferables(v, out, depth + 1);
  return out;
}

// The message loop. One message at a time, in order: wasm calls are synchronous anyway, and
// ordering keeps "load, then compute" sequences simple for the page. Downloads and file
// reads start at once and run in parallel (with the wasm compile too); the wasm work
// itself runs in message order. `ready()` resolves before the first handler runs (the
// wasm instance); a handler is (id, args, read) with read the source's bytes, if any.
/**
 * @param {Record<string, (id: number, args: any, read: Promise<Read> | null) => unknown>} handlers
 * @param {() => Promise<unknown>} ready
 * @param {{what?: (type: string) => string, onPrefetch?: (args: {urls?: string[], parse?: string}) => void}} [options]
 */
export function serve(handlers, ready, { what = (type) => (/model/i.test(type) ? 'the model' : 'the CSV'), onPrefetch } = {}) {
  let queue = Promise.resolve();
  self.onmessage = (event) => {
    const { id, type, ...args } = event.data || {};
    if (type === 'prefetch') {
      prefetch(args.urls || [], !!args.fromPage);
      if (onPrefetch) onPrefetch(args);
      return;
    }
    if (type === 'prefetched') {
      settlePrefetch(args);
      return;
    }
    args.requestedAt = clock();
    const read = args.source ? readSource(id, args.source, what(type)) : null;
    if (read) read.catch(() => {});
    queue = queue.then(async () => {
      try {
        await ready();
        const handler = Object.hasOwn(handlers, type) ? handlers[type] : null;
        if (!handler) throw new Error(`unknown request '${type}'`);
        const result = await handler(id, args, read);
        self.postMessage({ id, ok: true, result }, transferables(result));
      } catch (e) {
        self.postMessage({ id, ok: false, error: (e && e.message) || String(e) });
      }
    });
  };
}
