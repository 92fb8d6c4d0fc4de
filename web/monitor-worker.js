// @ts-check
// The funnel monitor's worker (panels/incidents.js): every KPI of the total and of each
// channel judged at once takes seconds on two years of hours, so it runs here, beside the
// dashboard's worker, on its own wasm instance of the same inference bundle, and never holds
// the dashboard up. The page hands it a copy of the shown table's bytes with the roles and
// reading options pinned on it (the dashboard worker's trainingInput), so the monitor reads
// the same series the dashboard shows. The page terminates it when newer data makes a run
// stale. Messages as worker.js: {id, type: 'monitor', input, options} → {id, ok, result}.
// @ts-ignore: the bundle is built into wasm/ next to the page (scripts/assemble.mjs); its API is wasm/funnelcast.d.ts
import createFunnelcast from './wasm/funnelcast.mjs';
import { progress, serve } from './worker-io.js';

/** @import * as FC from '../wasm/funnelcast' */
/** @type {FC.FunnelcastModule} */
let fc = /** @type {any} */ (null); // set before any handler runs (serve's ready)

const handlers = {
  /** @param {number} id @param {{input: {bytes: Uint8Array, name: string, roles: FC.RoleChoice, events: boolean, gaps: 'missing' | 'zero'}, options?: FC.MonitorOptions}} args */
  async monitor(id, { input, options = {} }) {
    progress(id, 'Reading the CSV', null);
    const table = fc.loadTable(input.bytes, input.name);
    try {
      const roles = { ...input.roles };
      if (input.events) delete roles.leads; // rows counted as leads have no leads column
      const schema = table.setRoles(roles, { events: input.events, gaps: input.gaps });
      if (!schema.ok) throw new Error(/** @type {string} */ (schema.error));
      progress(id, 'Checking every KPI and channel', null);
      return fc.monitor(table, { ...options, csv: true });
    } finally {
      table.delete();
    }
  },
};

serve(handlers, async () => {
  if (!fc) fc = await createFunnelcast();
});
