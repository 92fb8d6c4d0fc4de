// @ts-check
// The service worker: keeps the app (page, scripts, styles, wasm, vega, demo data and
// model) in a versioned cache so the page opens offline after the first visit. Every file
// of the site is kept, those the page loads only on demand too (lead scoring's code,
// scoring-tab.js, its worker, the demo leads and scoring model), so lead scoring opens
// offline even if it was never opened online.
// scripts/assemble.mjs writes the file list and a content hash into the next line.
/* @build */ const BUILD = { version: 'dev', files: [] };

/** @type {ServiceWorkerGlobalScope} */
const sw = /** @type {any} */ (self);

const CACHE = `funnelcast-${BUILD.version}`;
const RUNTIME = 'funnelcast-runtime';
const scope = new URL(sw.registration.scope);
const precached = new Set(BUILD.files.map((f) => new URL(f, scope).href));

sw.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(BUILD.files.map((f) => new Request(new URL(f, scope), { cache: 'reload' }))))
      .then(() => sw.skipWaiting()),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('funnelcast-') && k !== CACHE && k !== RUNTIME).map((k) => caches.delete(k))))
      .then(() => sw.clients.claim()),
  );
});

// The app's own files: from the cache (they change only with a new build, which brings a
// new worker). Anything else of this origin (a data file named in the query string, say):
// the network first, so auto refresh sees new data, and the last copy when offline.
sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== scope.origin) return;
  if (request.mode === 'navigate') {
    event.respondWith(fromCache(new URL('./', scope).href, request, { ignoreSearch: true }));
    return;
  }
  const key = url.origin + url.pathname;
  if (precached.has(key) && !url.search) {
    event.respondWith(fromCache(key, request));
    return;
  }
  event.respondWith(networkFirst(request));
});

/** @param {string} key @param {Request} request @param {CacheQueryOptions} [options] */
async function fromCache(key, request, options = {}) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key, options);
  if (hit) return hit;
  return fetch(request);
}

/** @param {Request} request */
async function networkFirst(request) {
  const cache = await caches.open(RUNTIME);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === 'basic') await cache.put(request, response.clone());
    return response;
  } catch (e) {
    const hit = await cache.match(request);
    if (hit) return hit;
    throw e;
  }
}
