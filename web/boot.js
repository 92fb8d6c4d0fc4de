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
  var query = new URLSearchParams(location.search);
  /** @param {string[]} urls @returns {string[]} */
  var sameOrigin = function (urls) {
    return urls
      .map(function (u) { return new URL(u, location.href).href; })
      .filter(function (u) { return new URL(u).origin === location.origin; });
  };
  /** @param {Worker} worker @param {string[]} urls @param {string} [parse] */
  var prefetch = function (worker, urls, parse) {
    var mark = function (/** @type {string} */ name) {
      if (window.performance && performance.mark) performance.mark(name);
    };
    // fromPage: the bytes of these URLs come in 'prefetched' messages.
    worker.postMessage({ type: 'prefetch', urls: urls, parse: parse, fromPage: true });
    urls.forEach(function (url) {
      fetch(url, { credentials: 'same-origin' })
        .then(function (res) {
          if (!res.ok) throw new Error(new URL(url).pathname + ': the server answered ' + res.status);
          return res.arrayBuffer();
        })
        .then(
          function (bytes) {
            if (url === parse) mark('fc-data-fetched');
            worker.postMessage({ type: 'prefetched', url: url, bytes: bytes }, [bytes]);
          },
          function (e) {
            // The worker's request for it downloads it again and reports the error.
            worker.postMessage({ type: 'prefetched', url: url, error: String((e && e.message) || e) });
          },
        );
    });
  };
  // The page opens on lead scoring (?view=scoring, or lead scoring's keys without ?data=,
  // as panels/views.js decides): its worker and its leads and model first, the dashboard's
  // once they are drawn (app.js). The leads and model as panels/scoring.js picks them: the
  // demo model goes with the demo leads, or with no leads.
  var view = query.get('view');
  var leadsOnly = ['leads', 'scoring', 'reference', 'current'].some(function (k) { return query.has(k); }) && !query.has('data');
  if (view === 'scoring' || (view !== 'dashboard' && leadsOnly)) {
    window.fcFirstView = 'scoring';
    // Lead scoring's panels (app.js loads them on demand): fetched now, beside app.js.
    var preload = document.createElement('link');
    preload.rel = 'modulepreload';
    preload.href = 'scoring-tab.js';
    document.head.appendChild(preload);
    try {
      var leadWorker = new Worker('lead-worker.js', { type: 'module', name: 'funnelcast-leads' });
      leadWorker.addEventListener('error', function (e) {
        window.fcLeadWorkerError = e.message || 'the worker script failed to load';
      });
      window.fcLeadWorker = leadWorker;
      var leads = query.get('leads') === 'none' ? null : query.get('leads') || 'demo/leads.csv';
      var demoLeads = !!leads && new URL(leads, location.href).pathname === new URL('demo/leads.csv', location.href).pathname;
      var scoring = query.get('scoring');
      var scoreModel = scoring === 'none' ? null : scoring || (demoLeads || !leads ? 'models/demo_leads.fcm' : null);
      prefetch(leadWorker, sameOrigin(/** @type {string[]} */ ([scoreModel, leads].filter(Boolean))));
    } catch (e) {
      window.fcLeadWorker = null;
    }
    return;
  }
  try {
    var worker = new Worker('worker.js', { type: 'module', name: 'funnelcast' });
    worker.addEventListener('error', function (e) {
      window.fcWorkerError = e.message || 'the worker script failed to load';
    });
    window.fcWorker = worker;
    // The data and model the page will ask for (see panels/data.js: start): the demo model
    // only goes with the demo data. The worker parses the data as soon as it and the wasm
    // are in (worker.js: preparse).
    var data = query.get('data') || 'demo/hourly.csv';
    var model = query.get('model');
    var demoData = new URL(data, location.href).pathname === new URL('demo/hourly.csv', location.href).pathname;
    prefetch(worker, sameOrigin(/** @type {string[]} */ ([data, model === 'none' ? null : model || (demoData ? 'models/demo_forecast.fcm' : null)].filter(Boolean))), new URL(data, location.href).href);
  } catch (e) {
    window.fcWorker = null;
  }
})();
