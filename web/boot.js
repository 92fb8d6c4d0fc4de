// @ts-check
// Starts the computation engine (worker.js, which compiles the wasm core as soon as it
// runs) before the rest of the page loads, and the downloads of the data and model the
// page will ask for. These are fetched here, not by the worker, because the worker runs
// only once its script is in: started here they overlap with loading it and the page's
// scripts. The bytes are handed to the worker. A classic script because module scripts
// only run once the whole document is parsed.
(function () {
  'use strict';
  if (window.performance && performance.mark) performance.mark('fc-boot');
  try {
    var worker = new Worker('worker.js', { type: 'module', name: 'funnelcast' });
    worker.addEventListener('error', function (e) {
      window.fcWorkerError = e.message || 'the worker script failed to load';
    });
    window.fcWorker = worker;
    // The data and model the page will ask for (see panels/data.js: start): the demo model
    // only goes with the demo data.
    var query = new URLSearchParams(location.search);
    var data = query.get('data') || 'demo/hourly.csv';
    var model = query.get('model');
    var demoData = new URL(data, location.href).pathname === new URL('demo/hourly.csv', location.href).pathname;
    var dataHref = new URL(data, location.href).href;
    var urls = /** @type {string[]} */ ([data, model === 'none' ? null : model || (demoData ? 'models/demo_forecast.fcm' : null)].filter(Boolean))
      .map(function (u) { return new URL(u, location.href).href; })
      .filter(function (u) { return new URL(u).origin === location.origin; });
    // fromPage: the bytes of these URLs come in 'prefetched' messages. The worker parses
    // the data as soon as it and the wasm are in (worker.js: preparse).
    worker.postMessage({ type: 'prefetch', urls: urls, parse: dataHref, fromPage: true });
    var mark = function (/** @type {string} */ name) {
      if (window.performance && performance.mark) performance.mark(name);
    };
    urls.forEach(function (url) {
      fetch(url, { credentials: 'same-origin' })
        .then(function (res) {
          if (!res.ok) throw new Error(new URL(url).pathname + ': the server answered ' + res.status);
          return res.arrayBuffer();
        })
        .then(
          function (bytes) {
            if (url === dataHref) mark('fc-data-fetched');
            worker.postMessage({ type: 'prefetched', url: url, bytes: bytes }, [bytes]);
          },
          function (e) {
            // The worker's request for it downloads it again and reports the error.
            worker.postMessage({ type: 'prefetched', url: url, error: String((e && e.message) || e) });
          },
        );
    });
  } catch (e) {
    window.fcWorker = null;
  }
})();
