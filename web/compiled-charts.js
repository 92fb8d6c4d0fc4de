// @ts-check
// The charts compiled from Vega-Lite to Vega at build time: the hash of a spec's shape
// (charts.js: shapeOf, hashText) to its compiled file under charts/. Written into dist/
// by scripts/compile-charts.mjs (run by scripts/assemble.mjs); empty in the sources, where
// every chart is compiled in the page.
/* @build */ export const COMPILED = /** @type {Record<string, string>} */ ({});
