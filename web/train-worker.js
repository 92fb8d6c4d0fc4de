// The training worker: one per training run, started by panels/training.js and
// terminated when the run ends or is cancelled (terminating it is the cancel: training is
// one long synchronous wasm call). It loads the training bundle (funnelcast-train.mjs,
// which the dashboard's worker never loads), reads the CSV bytes it is sent the way the
// dashboard reads them (the roles and reading options pinned there), and trains as
// `funnelcast train forecast --threads 1` would with the same options.
//
// In:  {input: {bytes, name, roles, events, gaps}, options: TrainForecastOptions}
// Out: {progress: {stage, fraction}}... then {ok: true, model, report, notices} or {ok: false, error}
import createFunnelcast from './wasm/funnelcast-train.mjs';

// Hours of data trained on at most (about 5 years): beyond that a tab would need minutes
// and a lot of memory; the CLI trains any size.
const MAX_HOURS = 24 * 1827;

let last = { stage: '', percent: -1 };
function progress(stage, fraction) {
  const percent = fraction == null ? -1 : Math.floor(fraction * 100);
  if (stage === last.stage && percent === last.percent) return;
  last = { stage, percent };
  self.postMessage({ progress: { stage, fraction } });
}

async function train({ input, options }) {
  progress('Starting the trainer', null);
  const fc = await createFunnelcast();
  progress('Reading the CSV', null);
  const table = fc.loadTable(input.bytes, input.name);
  try {
    const roles = { ...input.roles };
    if (input.events) delete roles.leads; // rows counted as leads have no leads column
    const schema = table.setRoles(roles, { events: input.events, gaps: input.gaps });
    if (!schema.ok) throw new Error(schema.error);
    const hours = (schema.end - schema.start) / 3600;
    if (schema.step <= 3600 && hours > MAX_HOURS) {
      throw new Error(
        `${input.name} spans ${Math.round(hours).toLocaleString('en-US')} hours (${(hours / 8766).toFixed(1)} years): too much to train in a browser tab, which trains on at most ${MAX_HOURS.toLocaleString('en-US')} hours (5 years). Train it with the CLI (funnelcast train forecast) and load the model here, or load fewer years.`,
      );
    }
    const r = fc.trainForecast(table, options, progress);
    return { ok: true, model: r.model, report: r.report, notices: r.notices };
  } finally {
    table.delete();
  }
}

self.onmessage = async (event) => {
  try {
    const result = await train(event.data);
    self.postMessage(result, [result.model.buffer]);
  } catch (e) {
    self.postMessage({ ok: false, error: (e && e.message) || String(e) });
  }
};
