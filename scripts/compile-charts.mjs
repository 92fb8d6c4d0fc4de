#!/usr/bin/env node
// Compiles the first view's charts (the forecast, the anomalies of each registry metric)
// from Vega-Lite to Vega at build time, so the page loads Vega alone and skips Vega-Lite's
// compile (web/charts.js: vegaSpec). Each panel says which specs it wants compiled
// (chartsToCompile(registry), built with stand-in rows); a spec is compiled without its
// rows, which the page binds into the compiled spec's datasets. Written into the site:
// charts/<hash>.json ({shape, vega}) and the list in compiled-charts.js. Run by
// scripts/assemble.mjs; tests/e2e/charts-compiled.test.mjs checks the files against
// Vega-Lite's compile.
//
//   node scripts/compile-charts.mjs --site dist
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import * as vl from 'vega-lite';

// Vega-Lite's warnings are not the build's business (the page silences them too).
const quiet = { level() { return this; }, error() { return this; }, warn() { return this; }, info() { return this; }, debug() { return this; } };

// Vega-Lite's compile as vega-embed calls it (no config).
/** @param {object} spec */
export const compileVegaLite = (spec) => vl.compile(/** @type {any} */ (spec), { config: undefined, logger: /** @type {any} */ (quiet) }).spec;

// The core's registry, from the site's inference bundle run in node.
/** @param {string} site */
export async function siteRegistry(site) {
  const dir = join(site, 'wasm');
  const { default: create } = await import(pathToFileURL(join(dir, 'funnelcast.mjs')).href);
  const fc = await create({ wasmBinary: readFileSync(join(dir, 'funnelcast.wasm')) });
  return fc.registry();
}

// The specs the site's panels ask to be compiled, with their stand-in rows.
/** @param {string} site @param {object} registry */
export async function specsToCompile(site, registry) {
  const specs = [];
  for (const panel of ['panels/forecast.js', 'panels/anomalies.js']) {
    const mod = await import(pathToFileURL(join(site, panel)).href);
    specs.push(...mod.chartsToCompile(registry));
  }
  const charts = await import(pathToFileURL(join(site, 'charts.js')).href);
  return { specs, shapeOf: charts.shapeOf, hashText: charts.hashText, bindData: charts.bindData };
}

/** @param {string} site */
export async function compileCharts(site) {
  const registry = await siteRegistry(site);
  const { specs, shapeOf, hashText } = await specsToCompile(site, registry);
  const dir = join(site, 'charts');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  /** @type {Record<string, string>} */
  const index = {};
  for (const spec of specs) {
    const shape = shapeOf(spec);
    const hash = hashText(shape);
    if (index[hash]) continue;
    const rowless = { ...spec, datasets: Object.fromEntries(Object.keys(spec.datasets || {}).map((k) => [k, []])) };
    writeFileSync(join(dir, `${hash}.json`), JSON.stringify({ shape, vega: compileVegaLite(rowless) }));
    index[hash] = `charts/${hash}.json`;
  }
  const path = join(site, 'compiled-charts.js');
  const marker = /\/\* @build \*\/[^\n]*\n/;
  const text = readFileSync(path, 'utf8');
  if (!marker.test(text)) throw new Error('compiled-charts.js lacks the /* @build */ line');
  writeFileSync(path, text.replace(marker, `/* @build */ export const COMPILED = /** @type {Record<string, string>} */ (${JSON.stringify(index)});\n`));
  return Object.keys(index).length;
}

if (import.meta.url === pathToFileURL(process.argv[1] || '').href) {
  const i = process.argv.indexOf('--site');
  const site = resolve(i > 0 ? process.argv[i + 1] : 'dist');
  console.log(`compile-charts: ${await compileCharts(site)} charts compiled to Vega in ${site}/charts`);
}
