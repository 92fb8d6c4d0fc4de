// The state the panels share, and its events. Panels read the fields and listen with
// store.on(event, fn):
//   'data'     a table was accepted: schema, dataVersion
//   'model'    a model was loaded: header, modelName
//   'channel'  the channel shown changed: channel
// Events only tell panels to update their own views. Whoever changes the state asks the
// shell to recompute (ctx.refresh), so one user action never sends two computes.

export function createStore() {
  const events = new EventTarget();
  const store = {
    schema: null, // schema of the table the dashboard shows
    dataVersion: 0, // +1 per accepted table: charts re-embed (and reset their zoom) on a new one
    header: null, // the model's header
    modelName: null,
    channel: '', // '' = all channels
    rendered: false, // the first dashboard was drawn (start-up is over)

    on(type, fn) {
      events.addEventListener(type, () => fn(store));
    },
    emit(type) {
      events.dispatchEvent(new Event(type));
    },
    setData(schema) {
      store.schema = schema;
      store.dataVersion += 1;
      store.emit('data');
    },
    setModel(header, name) {
      store.header = header;
      store.modelName = name;
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
