// @ts-check
// Query-string options. Each panel declares the keys it reads:
//   query: { threshold: { parse: number(1, 6), apply: (v) => ... } }
// and applyQuery() calls apply(value) for every declared key present with a valid value.
// Unknown keys are ignored; a key declared by two panels is a programming error.

/** @type {(min: number, max: number) => (raw: string | null) => number | null} */
export const number = (min, max) => (raw) => {
  const v = Number(raw);
  return Number.isFinite(v) && v >= min && v <= max ? v : null;
};
/** @type {(values: readonly (string | null)[]) => (raw: string | null) => string | null} */
export const oneOf = (values) => (raw) => (values.includes(raw) ? raw : null);
/** @type {() => (raw: string | null) => string | null} */
export const text = () => (raw) => raw;

// `loaded`: panels whose keys were applied before (lead scoring's panels are loaded on
// demand, after the dashboard's): their keys are checked against, not applied again.
/** @param {import('./types').Panel[]} panels @param {URLSearchParams} params @param {import('./types').Panel[]} [loaded] */
export function applyQuery(panels, params, loaded = []) {
  const owner = new Map();
  for (const panel of loaded) for (const key of Object.keys(panel.query || {})) owner.set(key, panel.name);
  for (const panel of panels) {
    for (const [key, { parse, apply }] of Object.entries(panel.query || {})) {
      if (owner.has(key)) throw new Error(`query key '${key}' is declared by both the ${owner.get(key)} and the ${panel.name} panel`);
      owner.set(key, panel.name);
      if (!params.has(key)) continue;
      const value = parse(params.get(key));
      if (value != null) apply(value);
    }
  }
}
