// @ts-check
// The state the panels share, and its events. Panels read the fields and listen with
// store.on(event, fn):
//   'registry' the core's roles and metrics arrived (once, at start-up): registry
//   'data'     a table was accepted: schema, dataVersion, dataOrigin
//   'model'    a model was loaded or dropped: header, modelName, modelOrigin
//   'channel'  the channel shown changed: channel
//   'view'     the workflow shown changed (the tabs): view
// and for lead scoring (its own worker, lead-worker.js):
//   'leads'       a lead table was accepted: leads, leadsOrigin
//   'scoreModel'  a scoring model was loaded or dropped: scoreHeader, scoreModelName, scoreModelOrigin
//   'scores'      the leads were scored (or the scores dropped): scores
//   'threshold'      the decision threshold moved (the slider): threshold
//   'explain'     a lead of the table was picked for the one-lead form: explaining (its row)
// Events only tell panels to update their own views. Whoever changes the state asks the
// shell to recompute (ctx.refresh), so one user action never sends two computes.

/** @import * as FC from '../wasm/funnelcast' */
/** @import { AcceptedSchema, LeadTableSummary, Origin, Scores, StoreState, TrainingRun, View } from './types' */
/**
 * @typedef {'registry' | 'data' | 'model' | 'channel' | 'view' | 'leads' | 'scoreModel' | 'scores' | 'threshold' | 'explain'} StoreEvent
 * @typedef {ReturnType<typeof createStore>} Store
 */

export function createStore() {
  const events = new EventTarget();
  const store = {
    registry: /** @type {FC.Registry | null} */ (null), // fc.registry(): {roles: [...], metrics: [...]}, the one list of both
    schema: /** @type {AcceptedSchema | null} */ (null), // schema of the table the dashboard shows
    dataVersion: 0, // +1 per accepted table: charts re-embed (and reset their zoom) on a new one
    dataOrigin: /** @type {Origin | null} */ (null), // 'demo' (the bundled demo data) | 'user' (a file, a drop, another ?data=)
    header: /** @type {FC.ForecastModelHeader | null} */ (null), // the model's header
    modelName: /** @type {string | null} */ (null),
    modelOrigin: /** @type {Origin | null} */ (null), // 'demo' (the bundled model) | 'user' (a file, a drop, another ?model=) | 'trained' (here)
    training: /** @type {TrainingRun | null} */ (null), // the training panel's run for this data: {state: 'running' | 'done' | 'failed' | 'cancelled'}
    channel: '', // '' = all channels
    rendered: false, // the first dashboard was drawn (start-up is over)
    view: /** @type {View} */ ('dashboard'), // the workflow shown: 'dashboard' | 'scoring'

    leads: /** @type {LeadTableSummary | null} */ (null), // the lead table scored: {source, rows, columns: [{name, type, missing, levels}]}
    leadsOrigin: /** @type {Origin | null} */ (null), // 'demo' | 'user' | 'trained' (the table a model was trained on here)
    scoreHeader: /** @type {FC.ScoreModelHeader | null} */ (null), // the scoring model's header (ScoreModelHeader)
    scoreModelName: /** @type {string | null} */ (null),
    scoreModelOrigin: /** @type {Origin | null} */ (null), // 'demo' | 'user' | 'trained'
    scores: /** @type {Scores | null} */ (null), // the last scoring: {rows, threshold, explained, notices, model, source, ms}
    threshold: /** @type {number | null} */ (null), // the decision threshold shown (the model's until the slider moves)
    explaining: /** @type {number | null} */ (null), // the scored row shown in the one-lead form

    /** @param {StoreEvent} type @param {(store: StoreState) => unknown} fn */
    on(type, fn) {
      events.addEventListener(type, () => fn(store));
    },
    /** @param {StoreEvent} type */
    emit(type) {
      events.dispatchEvent(new Event(type));
    },
    /** @param {FC.Registry} registry */
    setRegistry(registry) {
      store.registry = registry;
      store.emit('registry');
    },
    /** @param {AcceptedSchema} schema @param {Origin} origin */
    setData(schema, origin) {
      store.schema = schema;
      store.dataOrigin = origin;
      store.dataVersion += 1;
      store.emit('data');
    },
    /** @param {FC.ForecastModelHeader | null} header @param {string | null} name @param {Origin | null} origin */
    setModel(header, name, origin) {
      store.header = header;
      store.modelName = name;
      store.modelOrigin = header ? origin : null;
      store.emit('model');
    },
    /** @param {View} view */
    setView(view) {
      if (view === store.view) return;
      store.view = view;
      store.emit('view');
    },
    /** @param {LeadTableSummary | null} leads @param {Origin} origin */
    // Scores belong to one lead table and one model: a new table or model clears them
    // first (panels that show scores hide, the one-lead form scores on its own) until the
    // pair is scored again, so no panel shows one model's figures beside another's.
    setLeads(leads, origin) {
      const stale = store.scores != null;
      store.scores = null;
      store.leads = leads;
      store.leadsOrigin = leads ? origin : null;
      if (stale) store.emit('scores');
      store.emit('leads');
    },
    /** @param {FC.ScoreModelHeader | null} header @param {string | null} name @param {Origin | null} origin */
    setScoreModel(header, name, origin) {
      const stale = store.scores != null;
      store.scores = null;
      store.scoreHeader = header;
      store.scoreModelName = header ? name : null;
      store.scoreModelOrigin = header ? origin : null;
      if (stale) store.emit('scores');
      store.emit('scoreModel');
    },
    /** @param {Scores | null} scores */
    setScores(scores) {
      store.scores = scores;
      store.emit('scores');
    },
    /** @param {number | null} threshold */
    setThreshold(threshold) {
      if (threshold === store.threshold) return;
      store.threshold = threshold;
      store.emit('threshold');
    },
    /** @param {number | null} row */
    explainLead(row) {
      store.explaining = row;
      store.emit('explain');
    },
    /** @param {string} channel */
    setChannel(channel) {
      if (channel === store.channel) return;
      store.channel = channel;
      store.emit('channel');
    },
  };
  return store;
}
