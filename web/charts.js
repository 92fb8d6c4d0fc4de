// @ts-check
// What the dashboard's charts share: the Vega-Lite look (config, time axis, zoom, the
// hover layer), a tooltip built from text nodes, and ChartSlot, which embeds a spec with
// vega-embed under a strict CSP: `ast: true` makes Vega evaluate its expressions with the
// interpreter bundled in vega-embed (no eval / new Function). Each panel builds its own
// spec and rows (see panels/forecast.js, panels/anomalies.js).
//
// The page loads Vega and vega-embed only. A Vega-Lite spec is turned into Vega by
// vegaSpec(): the first view's charts were compiled at build time
// (scripts/compile-charts.mjs, listed in compiled-charts.js) and get their rows bound into
// the compiled spec; any other chart (lead scoring's, a forecast of another target) loads
// Vega-Lite on demand and is compiled in the page, as vega-embed would.
import { COMPILED } from './compiled-charts.js';
import { fmtNumber, isNum } from './format.js';

/** @import { Result as EmbedResult, VisualizationSpec } from 'vega-embed' */
/** @import { TooltipHandler } from './types' */
/** @typedef {EmbedResult['view']} View */

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

const CONFIG = {
  font: FONT,
  background: null,
  view: { stroke: null },
  axis: {
    labelColor: '#475569',
    titleColor: '#334155',
    gridColor: '#e2e8f0',
    domainColor: '#cbd5e1',
    tickColor: '#cbd5e1',
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 500,
  },
  legend: { disable: true },
};

/** @type {(x: unknown) => number | null} */
export const nullable = (x) => (isNum(x) ? x : null);
export const HOUR = 3600 * 1000;

export const xTime = {
  field: 't',
  type: 'temporal',
  scale: { type: 'utc' },
  title: null,
  axis: { format: '%b %d', labelOverlap: true, tickCount: 10, grid: false },
};

// One transparent column per hour (t to t2) that lights up under the pointer and shows
// the hour's tooltip: cheaper than a nearest-point (voronoi) selection and easy to hit.
// The tooltip encoding is a constant marker; the handler reads the rows' `tip` (text
// prepared here in JS), so Vega evaluates no per-row tooltip expressions.
export const TIP = 'fc-tip';

/** @param {string} name */
export function hoverLayer(name) {
  return {
    data: { name },
    params: [{ name: 'hover', select: { type: 'point', on: 'pointerover', clear: 'pointerout' } }],
    mark: { type: 'rect', color: '#94a3b8' },
    encoding: {
      x: xTime,
      x2: { field: 't2' },
      opacity: { condition: { param: 'hover', empty: false, value: 0.22 }, value: 0 },
      tooltip: { value: TIP },
    },
  };
}

/** @type {(lo: number | null | undefined, hi: number | null | undefined, digits?: number) => string} */
export const range = (lo, hi, digits) => (isNum(lo) && isNum(hi) ? `${fmtNumber(lo, digits)} – ${fmtNumber(hi, digits)}` : '–');

// What every chart shares: full width, fixed height, named datasets, x-only zoom and pan.
export const zoom = () => ({ name: 'zoom', select: { type: 'interval', encodings: ['x'] }, bind: 'scales' });
/** @param {Record<string, object[]>} data @param {number} height */
export function frame(data, height) {
  return { width: 'container', height, autosize: { type: 'fit-x', contains: 'padding' }, config: CONFIG, datasets: data };
}
// A chart of a fixed size: small multiples, and charts drawn while their tab is hidden
// (a container's width is 0 there).
/** @param {Record<string, object[]>} data @param {number} width @param {number} height */
export function fixedFrame(data, width, height) {
  return { width, height, config: CONFIG, datasets: data };
}

// Resolves once vega-embed (a deferred classic script) has run.
/** @returns {Promise<void>} */
export function vegaLoaded() {
  if (window.vegaEmbed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const check = () => (window.vegaEmbed ? resolve() : reject(new Error('the chart library did not load')));
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', check, { once: true });
    else window.addEventListener('load', check, { once: true });
  });
}

// --- Vega-Lite to Vega ----------------------------------------------------------------

// A spec without its rows: what decides the compiled Vega spec (Vega-Lite's compile does
// not look at inline rows; tests/e2e/charts-compiled.test.mjs checks it for these charts).
/** @param {Record<string, any>} spec */
export function shapeOf(spec) {
  return JSON.stringify({ ...spec, datasets: Object.keys(spec.datasets || {}) });
}

// cyrb53: a 53-bit string hash, the compiled specs' file names (the same in node and here).
/** @param {string} text */
export function hashText(text) {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; ++i) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

// A compiled Vega spec with the Vega-Lite spec's rows put into its datasets of those names
// (Vega-Lite compiles `datasets: {name: rows}` to `data: [{name, values: rows}]`).
/** @param {Record<string, any>} vg @param {Record<string, object[]>} datasets */
export function bindData(vg, datasets) {
  return { ...vg, data: (vg.data || []).map((/** @type {Record<string, any>} */ d) => (d.name in datasets && Array.isArray(d.values) ? { ...d, values: datasets[d.name] } : d)) };
}

/** @type {Map<string, Promise<{shape: string, vega: Record<string, any>} | null>>} */
const compiledFiles = new Map();
/** @type {Promise<void> | null} */
let vegaLiteLoading = null;

// Vega-Lite, loaded on demand (a classic script of the site's own).
function loadVegaLite() {
  if (window.vegaLite) return Promise.resolve();
  return (vegaLiteLoading ||= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = new URL('./vendor/vega-lite.min.js', import.meta.url).href;
    script.onload = () => resolve();
    script.onerror = () => {
      vegaLiteLoading = null;
      reject(new Error('the chart library did not load'));
    };
    document.head.append(script);
  }));
}

// The Vega spec of a Vega-Lite spec with its rows: compiled at build time when its shape
// is one of the first view's, else by Vega-Lite in the page.
/** @param {Record<string, any>} spec @returns {Promise<Record<string, any>>} */
export async function vegaSpec(spec) {
  const shape = shapeOf(spec);
  const hash = hashText(shape);
  const file = COMPILED[hash];
  if (file) {
    if (!compiledFiles.has(hash)) {
      const url = new URL(file, import.meta.url);
      compiledFiles.set(hash, fetch(url).then((r) => (r.ok ? r.json() : null)).catch(() => null));
    }
    const compiled = await compiledFiles.get(hash);
    if (compiled && compiled.shape === shape) return bindData(compiled.vega, spec.datasets || {});
  }
  await loadVegaLite();
  const vl = /** @type {NonNullable<typeof window.vegaLite>} */ (window.vegaLite);
  const vega = /** @type {NonNullable<typeof window.vega>} */ (window.vega);
  // vega-embed's own call in its vega-lite mode (no config, its logger: silent).
  return vl.compile(/** @type {any} */ (spec), { config: undefined, logger: vega.logger(vega.None) }).spec;
}

// --- tooltip: text nodes only --------------------------------------------------------

/** @param {HTMLElement} el @returns {TooltipHandler} */
export function createTooltip(el) {
  return function tooltipHandler(_handler, event, item, value) {
    if (value === TIP) value = item && item.datum && item.datum.tip ? Object.fromEntries(item.datum.tip) : null;
    if (value == null || value === '') {
      el.hidden = true;
      return;
    }
    el.replaceChildren();
    if (typeof value === 'object') {
      const table = document.createElement('table');
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined || v === null || v === '' || (typeof v === 'number' && !Number.isFinite(v))) continue;
        const tr = table.insertRow();
        const th = document.createElement('th');
        th.scope = 'row';
        th.textContent = k;
        const td = tr.insertCell();
        td.textContent = typeof v === 'object' ? JSON.stringify(v) : String(v);
        tr.prepend(th);
      }
      el.append(table);
    } else {
      el.textContent = String(value);
    }
    el.hidden = false;
    const pad = 12;
    const { innerWidth: w, innerHeight: h } = window;
    const r = el.getBoundingClientRect();
    let x = event.clientX + pad;
    let y = event.clientY + pad;
    if (x + r.width > w - 4) x = Math.max(4, event.clientX - r.width - pad);
    if (y + r.height > h - 4) y = Math.max(4, event.clientY - r.height - pad);
    el.style.left = `${x}px`;
    el.style.top = `${y}px`;
  };
}

// --- embedding -----------------------------------------------------------------------

// A fixed-size chart narrowed to `width` px in all (axes and labels included): Vega-Lite's
// fit-x autosize makes the plot what is left once the axes are laid out, and labels of a
// y axis (a waterfall's input names) take at most 40% of the width.
/** @param {Record<string, any>} spec @param {number} width */
export function fitted(spec, width) {
  const config = spec.config || {};
  const limit = Math.min(config.axisY && typeof config.axisY.labelLimit === 'number' ? config.axisY.labelLimit : 180, Math.round(width * 0.4));
  return { ...spec, width, autosize: { type: 'fit-x', contains: 'padding' }, config: { ...config, axisY: { ...config.axisY, labelLimit: limit } } };
}

// How far a fixed-size chart may reach past its slot, into the gap or padding beside it,
// before it is narrowed: the desktop's four small charts (300 px in 286 px columns at
// 1280 px) stay as they are drawn.
const OVERHANG = 16;

// The width a drawn chart takes (its svg's width attribute, or its canvas's CSS width: known
// even while its tab is hidden).
/** @param {HTMLElement} el */
function drawnWidth(el) {
  const svg = el.querySelector('svg');
  const canvas = svg ? null : el.querySelector('canvas');
  const w = svg ? Number(svg.getAttribute('width')) : canvas ? parseFloat(canvas.style.width) : NaN;
  return Number.isFinite(w) ? w : 0;
}

// One chart slot: embeds a spec, or swaps the datasets of the view already there when
// the spec's shape (everything but its data) and the epoch are unchanged, which is much
// faster than embedding again. A new epoch (new data loaded) re-embeds, resetting zoom.
//
// A chart of a fixed size (a number as its width) that is wider than its slot (a phone,
// a narrow window) by more than OVERHANG is embedded again fitted to the slot's width
// (fitted above), and drawn at its own size again once the slot is wide enough: the slot's size is watched, so a
// chart drawn in a hidden tab fits when the tab is shown. Charts as wide as their
// container ('container' width) follow the window themselves.
// The stand-in embeds (ChartSlot.prepare), one after another.
/** @type {Promise<unknown>} */
let standIns = Promise.resolve();

export class ChartSlot {
  // renderer 'canvas' for a chart of thousands of marks (the SHAP beeswarm's 5,000 dots):
  // one element instead of an SVG node per mark, which every frame of the page composited
  // (a progress bar moving cost the scoring view 25 ms of layerizing per frame with them).
  // Downloads render the view again as SVG or PNG either way.
  /** @param {HTMLElement} el @param {TooltipHandler} tooltip @param {{renderer?: 'svg' | 'canvas'}} [options] */
  constructor(el, tooltip, { renderer = 'svg' } = {}) {
    this.el = el;
    this.tooltip = tooltip;
    this.renderer = renderer;
    /** @type {EmbedResult | null} */
    this.result = null;
    /** @type {string | null} */
    this.key = null;
    /** @type {Record<string, any> | null} the spec as given (its datasets the last ones given) */
    this.spec = null;
    /** the width the spec draws at its own size (0: not known) */
    this.natural = 0;
    /** the width the chart is fitted to (0: drawn at its own size) */
    this.fit = 0;
    /** @type {Promise<unknown>} */
    this.refitting = Promise.resolve();
    /** @type {Promise<unknown>} the chart's preparation (prepareWith): real data waits for it */
    this.prepared = Promise.resolve();
    /** how many times clear() was called: a stand-in still being drawn when it is is removed */
    this.clears = 0;
    if (typeof ResizeObserver === 'function') new ResizeObserver(() => this.onResize()).observe(el);
  }

  // The slot's width (0 while hidden).
  get room() {
    return Math.floor(this.el.clientWidth);
  }

  // The width the current spec should be drawn at: 0 for its own size.
  /** @returns {number} */
  wanted() {
    const room = this.room;
    if (!this.spec || typeof this.spec.width !== 'number' || room <= 0) return this.fit;
    if (this.natural > 0 && this.natural <= room + OVERHANG) return 0;
    if (this.natural > room + OVERHANG || this.fit > 0) return room;
    return 0;
  }

  onResize() {
    if (!this.result || !this.spec || this.el.classList.contains('preparing')) return;
    const want = this.wanted();
    if (want === this.fit) return;
    // The rows drawn now (a panel may have swapped a dataset in itself), without Vega's ids.
    const view = this.result.view;
    /** @type {Record<string, object[]>} */
    const datasets = {};
    for (const name of Object.keys(this.spec.datasets || {})) datasets[name] = view.data(name).map((/** @type {object} */ d) => Object.fromEntries(Object.entries(d)));
    this.spec = { ...this.spec, datasets };
    const epochKey = this.key;
    this.refitting = this.refitting.then(() => (this.key === epochKey ? this.embed(this.spec || {}, /** @type {string} */ (epochKey), false) : null)).catch(() => {});
  }

  /** @returns {View | null} */
  get view() {
    return this.result ? this.result.view : null;
  }

  /** @param {Record<string, any>} spec @param {number} epoch */
  static key(spec, epoch) {
    return `${epoch}|${JSON.stringify({ ...spec, datasets: Object.keys(spec.datasets || {}) })}`;
  }

  /**
   * @param {Record<string, any>} spec a Vega-Lite spec with named `datasets`
   * @param {number} epoch
   * @param {{standIn?: boolean}} [options]
   * @returns {Promise<View>}
   */
  async render(spec, epoch, { standIn = false } = {}) {
    if (!standIn) await this.prepared; // the stand-in chart (and Vega itself) first
    await this.refitting; // a chart being fitted to a new width is drawn first
    const key = ChartSlot.key(spec, epoch);
    if (this.result && key === this.key) {
      const view = this.result.view;
      for (const [name, values] of Object.entries(spec.datasets)) view.data(name, values);
      // New rows may need more room for their labels (a waterfall's longer input names):
      // without resize() Vega keeps the first layout's padding and clips them.
      view.resize();
      await view.runAsync();
      this.spec = spec;
      if (typeof spec.width === 'number' && !this.fit) {
        // Drawn at its own size: grown past its slot, it is fitted as a new chart would be.
        this.natural = drawnWidth(this.el);
        const room = this.room;
        if (room > 0 && this.natural > room + OVERHANG) return this.embed(spec, key, false);
      }
      this.el.classList.remove('preparing');
      return view;
    }
    this.natural = 0;
    this.fit = 0;
    return this.embed(spec, key, standIn);
  }

  // Embeds `spec` at its own size, or fitted to the slot when it is wider than the slot.
  /** @param {Record<string, any>} spec @param {string} key @param {boolean} standIn @returns {Promise<View>} */
  async embed(spec, key, standIn) {
    this.spec = spec;
    const fixed = typeof spec.width === 'number';
    let fit = fixed ? this.wanted() : 0;
    let view = await this.draw(fit ? fitted(spec, fit) : spec, key);
    if (fixed && !fit) {
      this.natural = drawnWidth(this.el);
      const room = this.room;
      if (room > 0 && this.natural > room + OVERHANG) {
        fit = room;
        view = await this.draw(fitted(spec, fit), key);
      }
    }
    this.fit = fit;
    if (!standIn) this.el.classList.remove('preparing');
    return view;
  }

  /** @param {Record<string, any>} spec @param {string} key @returns {Promise<View>} */
  async draw(spec, key) {
    const embed = /** @type {NonNullable<typeof window.vegaEmbed>} */ (window.vegaEmbed); // the callers await vegaLoaded()
    const vg = await vegaSpec(spec);
    this.clearView();
    // What vega-embed does with a Vega-Lite spec, given the Vega spec: Vega parses it with
    // an empty config, and no hover encoding is added (vega mode's default is to add it).
    this.result = await embed(this.el, /** @type {VisualizationSpec} */ (vg), {
      mode: 'vega',
      config: {},
      hover: false,
      renderer: this.renderer,
      actions: false,
      ast: true,
      defaultStyle: false,
      tooltip: this.tooltip,
      logLevel: 0,
    });
    this.key = key;
    // The view on its element (a property, not markup): the e2e tests read the rows drawn.
    this.el.fcView = this.result.view;
    return this.result.view;
  }

  // Embeds the chart with empty data while the data is still on its way: Vega-Lite's
  // compile and Vega's parse are done (and their code warmed up) by the time it arrives.
  // The chart stays hidden until real data replaces the stand-in rows, which exist only
  // to run (and so warm up) the code paths that draw marks, scales and axes.
  /** @param {Record<string, any>} spec @param {number} epoch */
  async prepare(spec, epoch) {
    const clears = this.clears;
    this.el.classList.add('preparing');
    // One stand-in at a time, in the order asked (the forecast's before the anomalies'):
    // the first chart is ready for its rows sooner than if both shared the main thread.
    const turn = standIns.then(() => this.render(spec, epoch, { standIn: true }));
    standIns = turn.catch(() => {});
    const view = await turn;
    // Cleared while it was being drawn (the panel has no chart to show, e.g. the model was
    // refused): the stand-in does not stay behind.
    if (this.clears !== clears) this.clearView();
    return view;
  }

  // Runs a panel's preparation (waiting for Vega, then prepare()) and holds real data back
  // until it is done: the page draws what needs no chart (the KPI tiles) while Vega loads,
  // and a chart's real rows never land before its stand-in.
  /** @param {() => Promise<unknown>} preparation @returns {Promise<unknown>} */
  prepareWith(preparation) {
    const p = preparation();
    this.prepared = p.catch(() => {});
    return p;
  }

  clearView() {
    if (this.result) this.result.finalize();
    this.result = null;
    this.key = null;
    this.el.fcView = null;
    this.el.replaceChildren();
  }

  clear() {
    this.clears += 1;
    this.clearView();
    this.spec = null;
    this.natural = 0;
    this.fit = 0;
  }

  /** @param {'png' | 'svg'} type */
  async image(type) {
    if (!this.view) throw new Error('the chart is not rendered yet');
    return this.view.toImageURL(type, type === 'png' ? 2 : 1);
  }
}
