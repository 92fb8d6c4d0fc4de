// @ts-check
// Files to workflows. Each panel that takes files registers an opener per kind of file
// (`data` and `model` for the dashboard; `leads`, `score-model`, `train-table`,
// `reference`, `current` for lead scoring) and anything that has a file for a kind calls
// open(kind, source). A drop lands on its drop zone's kind; elsewhere on the page, a .fcm
// is a model and anything else data, for the workflow shown. A model file of the other
// workflow's kind is handed over by the opener that finds out (a scoring model dropped on
// the dashboard lands in lead scoring, and the other way round).
// source: {kind: 'file', file, handle} | {kind: 'url', url, label} | {kind: 'bytes', bytes, name}

/** @import { Source, Store } from './types' */

/** @type {Map<string, (source: any) => Promise<unknown>>} */
const openers = new Map();

/** @param {string} kind @param {(source: any) => Promise<unknown>} fn */
export function opener(kind, fn) {
  openers.set(kind, fn);
}

// Kinds whose panels are not loaded yet (lead scoring's, loaded on demand): open() loads
// them first (`load` sets their openers up), then hands the file over.
/** @type {Map<string, () => Promise<unknown>>} */
const deferred = new Map();

/** @param {string[]} kinds @param {() => Promise<unknown>} load */
export function deferOpeners(kinds, load) {
  for (const kind of kinds) deferred.set(kind, load);
}

/** @param {string} kind @param {object} source a Source, or what that kind's opener takes */
export async function open(kind, source) {
  const load = deferred.get(kind);
  if (!openers.has(kind) && load) await load();
  const fn = openers.get(kind);
  if (!fn) throw new Error(`no panel opens '${kind}' files`);
  return fn(source);
}

// The kind of a file dropped outside a drop zone, for the workflow shown.
/** @type {(name: string, view: Store['view']) => string} */
const defaultKind = (name, view) => (/\.fcm$/i.test(name) ? (view === 'scoring' ? 'score-model' : 'model') : view === 'scoring' ? 'leads' : 'data');

/** @param {Store} store @param {HTMLElement} overlay */
export function setupDrop(store, overlay) {
  let depth = 0;
  /** @type {(e: DragEvent) => e is DragEvent & {dataTransfer: DataTransfer}} */
  const hasFiles = (e) => !!e.dataTransfer && [...e.dataTransfer.types].includes('Files');
  window.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth += 1;
    overlay.hidden = false;
  });
  window.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (!depth) overlay.hidden = true;
  });
  window.addEventListener('dragover', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  });
  window.addEventListener('drop', async (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth = 0;
    overlay.hidden = true;
    const items = [...e.dataTransfer.items].filter((i) => i.kind === 'file');
    // Handles (where the browser has them) let "Reload" read the file's newest content.
    const entries = await Promise.all(
      items.map(async (i) => {
        const file = i.getAsFile();
        let handle = null;
        if (typeof i.getAsFileSystemHandle === 'function') {
          try {
            handle = await i.getAsFileSystemHandle();
          } catch {
            handle = null;
          }
        }
        return { file, handle };
      }),
    );
    const target = e.target instanceof Element ? /** @type {HTMLElement | null} */ (e.target.closest('.dropzone')) : null;
    for (const { file, handle } of entries) {
      if (!file) continue;
      const kind = target ? /** @type {string} */ (target.dataset.kind) : defaultKind(file.name, store.view);
      try {
        await open(kind, { kind: 'file', file, handle });
      } catch (err) {
        console.warn('funnelcast:', err.message);
      }
    }
  });
}
