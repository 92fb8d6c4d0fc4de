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
    // Start downloading the data and model the page will ask for (see app.js: boot).
    var query = new URLSearchParams(location.search);
    var model = query.get('model');
    worker.postMessage({
      type: 'prefetch',
      urls: [query.get('data') || 'demo/hourly.csv', model === 'none' ? null : model || 'models/demo_forecast.fcm']
        .filter(Boolean)
        .map(function (u) { return new URL(u, location.href).href; }),
    });
  } catch (e) {
    window.fcWorker = null;
  }
})();
