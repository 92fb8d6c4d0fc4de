// @ts-check
// The worker side of the dashboard's panels: one handler per panel that computes
// something, keyed by the panel's name (web/panels/<name>.js asks for it with the options
// its request() returns). A handler gets {fc, table, model, modelName, channel} and the
// options and returns plain values and typed arrays (transferred to the page, not
// copied); what it throws becomes that panel's error alone.

/** @import * as FC from '../wasm/funnelcast' */
/**
 * What a panel's handler gets (worker.js: compute).
 * @typedef {{fc: FC.FunnelcastModule, table: FC.Table, model: FC.Model | null, modelName: string | null, channel: string}} PanelContext
 */
/**
 * A flagged interval as the anomaly panel gets it: null values are NaN, direction -1 a drop
 * and 1 a spike; ratios add the cause and each part's value and expected value.
 * @typedef {{time: FC.EpochSeconds, value: number, expected: number, lower: number, upper: number, score: number, direction: number,
 *   cause?: string, parts?: Array<{name: string, value: number, expected: number}>}} PageAnomaly
 */

// The last values of a column from `from` on, copied so the transfer detaches nothing shared.
/** @template {Float64Array | Uint8Array} T @param {T | null | undefined} arr @param {number} from @returns {T | null} */
function tail(arr, from) {
  return arr ? /** @type {T} */ (arr.slice(from)) : null;
}

// The metric the anomaly panel shows when the page has not chosen one the data has: the
// core's default (AnomalyOptions.metric) when the data can compute it, else the first of
// the registry's metrics the data has.
export const DEFAULT_ANOMALY_METRIC = 'cpl';

export const PANEL_HANDLERS = {
  // The window is the core's default (24 hours, or one interval of coarser data) unless asked.
  /** @param {PanelContext} ctx @param {{window?: number}} options */
  kpis({ fc, table, channel }, { window }) {
    return fc.kpis(table, window ? { window, channel } : { channel });
  },

  // Every interval from the start of the look-back (or the last 90 days when the whole
  // series is checked) with its expected value, band, score and flag, for the chart; the
  // flagged ones with their direction and, for ratios (CPL), the cause: which part moved
  // (spend, leads, both) with that part's value and expected value.
  // metric: one the page offers (from the data's metrics), or null before it knows the
  // data: then `prefer` (the query string's) if the data has it, else the default.
  /** @param {PanelContext} ctx @param {{metric?: string | null, prefer?: string | null} & FC.AnomalyOptions} options */
  anomalies({ fc, table, channel }, { metric, prefer, ...options }) {
    if (!metric) {
      const available = table.schema().metrics;
      metric = [prefer, DEFAULT_ANOMALY_METRIC].find((m) => available.includes(/** @type {FC.MetricName} */ (m))) || available[0];
    }
    const r = fc.anomalies(table, { ...options, metric, channel, csv: true });
    const step = r.interval_seconds;
    const checkedFrom = Math.round((r.checked_from - r.start) / step);
    const from = /** @type {any} */ (options.lookback) > 0 ? checkedFrom : Math.max(0, r.size - Math.ceil((90 * 86400) / step));
    // The core's list of flagged intervals; null (an open side, no value) is NaN on the charts.
    /** @type {(v: number | null | undefined) => number} */
    const num = (v) => (v == null ? NaN : v);
    const anomalies = r.anomalies.map((x) => {
      /** @type {PageAnomaly} */
      const a = { time: x.time, value: num(x.value), expected: num(x.expected), lower: num(x.lower), upper: num(x.upper), score: num(x.score), direction: x.direction === 'drop' ? -1 : 1 };
      if (x.cause !== undefined && r.parts) {
        a.cause = x.cause;
        a.parts = r.parts.map((p) => ({ name: p.name, value: num(/** @type {FC.AnomalyPartValue} */ (x[p.name]).value), expected: num(/** @type {FC.AnomalyPartValue} */ (x[p.name]).expected) }));
      }
      return a;
    });
    return {
      channel: r.channel,
      metric: r.metric,
      label: r.label,
      kind: r.kind,
      method: r.method,
      threshold: r.threshold,
      lookback: r.lookback_steps,
      baseline: r.baseline_steps,
      lookbackText: r.lookback,
      baselineText: r.baseline,
      step,
      count: r.count,
      checkedFrom,
      shownFrom: from,
      time: tail(r.time, from),
      value: tail(r.value, from),
      expected: tail(r.expected, from),
      lower: tail(r.lower, from),
      upper: tail(r.upper, from),
      score: tail(r.score, from),
      flagged: tail(r.flagged, from),
      direction: tail(r.direction, from),
      cause: r.cause ? tail(r.cause, from) : null,
      causeNames: r.cause_names,
      csv: r.csv,
      anomalies,
    };
  },

  // The forecast (the model's validated horizon) and the last `history` intervals of the
  // series the model read (its target column, its channel), for the chart. A model whose
  // data schema does not match the table is refused with the reason, never applied.
  /** @param {PanelContext} ctx @param {{history?: number}} options */
  forecast({ fc, table, model, channel }, { history = 336 }) {
    if (!model) throw new Error('No model loaded: drop a model file (.fcm) built by `funnelcast train forecast`.');
    // No channel chosen: the model's own (or the total).
    const options = channel ? { channel } : {};
    const fit = fc.modelFits(table, model, options);
    if (!fit.ok) throw new Error(/** @type {string} */ (fit.reason));
    const f = fc.forecast(table, model, { ...options, csv: true });
    const from = Math.max(0, f.history.length - history);
    const { history_time: _t, channels: all, ...rest } = f;
    // A by-channel model: each channel's forecast beside the total's (their histories stay here).
    const channels = all && all.map(({ history: _h, ...c }) => c);
    return { ...rest, channels, step: f.interval_seconds, historyTime: tail(f.history_time, from), history: tail(f.history, from) };
  },
};
