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
  // adopt: the dashboard's worker, which boot.js normally started already while the page
  // was still loading.
  /** @param {URL} url @param {{name?: string, adopt?: boolean}} [options] */
  constructor(url, { name = 'funnelcast', adopt = false } = {}) {
    this.next = 1;
    /** @type {Map<number, {resolve: (value: any) => void, reject: (error: Error) => void, onProgress?: (p: import('./types').Progress) => void}>} */
    this.pending = new Map();
    this.worker = (adopt && window.fcWorker) || new Worker(url, { type: 'module', name });
    this.startError = (adopt && window.fcWorkerError) || null;
    this.worker.onmessage = (e) => this.onMessage(e.data);
    this.worker.onerror = (e) => {
      e.preventDefault();
      this.startError = e.message || 'the worker failed';
      this.failAll(`The computation engine could not start: ${this.startError}.`);
    };
    this.worker.onmessageerror = () => this.failAll('The computation engine sent an unreadable message.');
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
  call(type, payload = {}, { onProgress, transfer = [] } = {}) {
    const id = this.next++;
    if (this.startError) return Promise.reject(new Error(`The computation engine could not start: ${this.startError}`));
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ id, type, ...payload }, transfer);
    });
  }
}
