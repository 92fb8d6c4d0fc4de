// @ts-check
// Starts the computation engine (worker.js, which compiles the wasm core) before the rest
// of the page loads, so the compile overlaps with loading the page's own scripts. A
// classic script because module scripts only run once the whole document is parsed.
(function () {
  'use strict';
  if (window.performance && performance.mark) performance.mark('fc-boot');
  try {
    var worker = new Worker('worker.js', { type: 'module', name: 'funnelcast' });
    worker.addEventListener('error', function (e) {
      window.fcWorkerError = e.message || 'the worker script failed to load';
    });
    window.fcWorker = worker;
    // Start downloading the data and model the page will ask for (see panels/data.js:
    // start): the demo model only goes with the demo data.
    var query = new URLSearchParams(location.search);
    var data = query.get('data') || 'demo/hourly.csv';
    var model = query.get('model');
    var demoData = new URL(data, location.href).pathname === new URL('demo/hourly.csv', location.href).pathname;
    // The worker parses the data as soon as it and the wasm are in (worker.js: preparse).
    worker.postMessage({
      type: 'prefetch',
      urls: /** @type {string[]} */ ([data, model === 'none' ? null : model || (demoData ? 'models/demo_forecast.fcm' : null)].filter(Boolean))
        .map(function (u) { return new URL(u, location.href).href; }),
      parse: new URL(data, location.href).href,
    });
  } catch (e) {
    window.fcWorker = null;
  }
})();
