// The state the panels share, and its events. Panels read the fields and listen with
// store.on(event, fn):
//   'registry' the core's roles and metrics arrived (once, at start-up): registry
//   'data'     a table was accepted: schema, dataVersion, dataOrigin
//   'model'    a model was loaded or dropped: header, modelName, modelOrigin
//   'channel'  the channel shown changed: channel
// Events only tell panels to update their own views. Whoever changes the state asks the
// shell to recompute (ctx.refresh), so one user action never sends two computes.

export function createStore() {
  const events = new EventTarget();
  const store = {
    registry: null, // fc.registry(): {roles: [...], metrics: [...]}, the one list of both
    schema: null, // schema of the table the dashboard shows
    dataVersion: 0, // +1 per accepted table: charts re-embed (and reset their zoom) on a new one
    dataOrigin: null, // 'demo' (the bundled demo data) | 'user' (a file, a drop, another ?data=)
    header: null, // the model's header
    modelName: null,
    modelOrigin: null, // 'demo' (the bundled model) | 'user' (a file, a drop, another ?model=) | 'trained' (here)
    training: null, // the training panel's run for this data: {state: 'running' | 'done' | 'failed' | 'cancelled'}
    channel: '', // '' = all channels
    rendered: false, // the first dashboard was drawn (start-up is over)

    on(type, fn) {
      events.addEventListener(type, () => fn(store));
    },
    emit(type) {
      events.dispatchEvent(new Event(type));
    },
    setRegistry(registry) {
      store.registry = registry;
      store.emit('registry');
    },
    setData(schema, origin) {
      store.schema = schema;
      store.dataOrigin = origin;
      store.dataVersion += 1;
      store.emit('data');
    },
    setModel(header, name, origin) {
      store.header = header;
      store.modelName = name;
      store.modelOrigin = header ? origin : null;
      store.emit('model');
    },
    setChannel(channel) {
      if (channel === store.channel) return;
      store.channel = channel;
      store.emit('channel');
    },
  };
  return store;
}
