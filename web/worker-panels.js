// The worker side of the dashboard's panels: one handler per panel that computes
// something, keyed by the panel's name (web/panels/<name>.js asks for it with the options
// its request() returns). A handler gets {fc, table, model, channel} and the options and
// returns plain values and typed arrays (transferred to the page, not copied); what it
// throws becomes that panel's error alone.

// The last values of a column from `from` on, copied so the transfer detaches nothing shared.
function tail(arr, from) {
  return arr ? arr.slice(from) : null;
}

export const PANEL_HANDLERS = {
  kpis({ fc, table, channel }, { window = 24 }) {
    return fc.kpis(table, { window, channel });
  },

  // The flagged hours, and the series from the start of the look-back (or the last 90
  // days when the whole series is checked) for the chart.
  anomalies({ fc, table, channel }, options) {
    const r = fc.anomalies(table, { ...options, channel });
    const from = options.lookback > 0 ? r.checkedFrom : Math.max(0, r.time.length - 24 * 90);
    return {
      channel: r.channel,
      metric: r.metric,
      method: r.method,
      threshold: r.threshold,
      lookback: r.lookback,
      baseline: r.baseline,
      count: r.count,
      checkedFrom: r.checkedFrom,
      shownFrom: from,
      time: tail(r.time, from),
      value: tail(r.value, from),
      expected: tail(r.expected, from),
      score: tail(r.score, from),
      flagged: tail(r.flagged, from),
      anomalies: r.anomalies,
    };
  },

  // The forecast and the last `history` hours of its target, for the chart.
  forecast({ fc, table, model, channel }, { horizon = 168, history = 336 }) {
    if (!model) throw new Error('No model loaded: drop a model file (.fcm) built by `funnelcast train forecast`.');
    const f = fc.forecast(table, model, { horizon, channel });
    const s = table.series(channel);
    const column = s[f.target] || s.leads;
    const from = Math.max(0, s.time.length - history);
    return { ...f, history: { time: tail(s.time, from), value: tail(column, from) } };
  },
};
