// @ts-check
// The page's side of a worker that owns a wasm instance (worker.js for the dashboard,
// lead-worker.js for lead scoring): call(type, payload) posts {id, type, ...payload} and
// resolves with the worker's result (or rejects with its error message); progress
// reports for that id go to onProgress.

//
// M maps each request type to what the worker answers (web/types.d.ts: DashboardCalls for
// worker.js, LeadCalls for lead-worker.js).
/** @template {object} M */
export class Engine {
  // adopt: the worker boot.js normally started already while the page was still loading
  // ('dashboard': window.fcWorker, 'leads': window.fcLeadWorker; true means 'dashboard').
  // after: the worker starts only once this resolves (the dashboard's, while the lead
  // scoring view the page opened on loads first); calls made before wait, in order.
  /** @param {URL} url @param {{name?: string, adopt?: boolean | 'dashboard' | 'leads', after?: Promise<unknown> | null}} [options] */
  constructor(url, { name = 'funnelcast', adopt = false, after = null } = {}) {
    this.next = 1;
    /** @type {Map<number, {resolve: (value: any) => void, reject: (error: Error) => void, onProgress?: (p: import('./types').Progress) => void}>} */
    this.pending = new Map();
    /** @type {Worker | null} */
    this.worker = null;
    /** @type {string | null} */
    this.startError = null;
    const start = () => this.start(url, name, adopt === true ? 'dashboard' : adopt);
    /** @type {Promise<void> | null} */
    this.starting = after ? after.then(start, start) : null;
    if (!after) start();
  }

  /** @param {URL} url @param {string} name @param {false | 'dashboard' | 'leads'} adopt */
  start(url, name, adopt) {
    const early = adopt === 'dashboard' ? window.fcWorker : adopt === 'leads' ? window.fcLeadWorker : null;
    const worker = early || new Worker(url, { type: 'module', name });
    this.startError = (early && (adopt === 'dashboard' ? window.fcWorkerError : window.fcLeadWorkerError)) || null;
    worker.onmessage = (e) => this.onMessage(e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      this.startError = e.message || 'the worker failed';
      this.failAll(`The computation engine could not start: ${this.startError}.`);
    };
    worker.onmessageerror = () => this.failAll('The computation engine sent an unreadable message.');
    this.worker = worker;
    this.starting = null;
  }

  /** @param {string} message */
  failAll(message) {
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
  }

  /** @param {{id: number, ok?: boolean, result?: unknown, error?: string, progress?: import('./types').Progress}} msg */
  onMessage(msg) {
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.progress) {
      if (p.onProgress) p.onProgress(msg.progress);
      return;
    }
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(msg.error));
  }

  /**
   * @template {keyof M & string} K
   * @param {K} type
   * @param {object} [payload]
   * @param {{onProgress?: (p: import('./types').Progress) => void, transfer?: Transferable[]}} [options]
   * @returns {Promise<M[K]>}
   */
  call(type, payload = {}, options = {}) {
    const worker = this.worker;
    if (!worker) {
      if (!this.starting) return Promise.reject(new Error('The worker was stopped.'));
      return this.starting.then(() => this.call(type, payload, options));
    }
    const { onProgress, transfer = [] } = options;
    const id = this.next++;
    if (this.startError) return Promise.reject(new Error(`The computation engine could not start: ${this.startError}`));
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      worker.postMessage({ id, type, ...payload }, transfer);
    });
  }

  // Stops the worker (a helper done with its work): calls still waiting are refused.
  terminate() {
    if (this.worker) this.worker.terminate();
    this.worker = null;
    this.startError = 'the worker was stopped';
    this.failAll('The worker was stopped.');
  }
}
