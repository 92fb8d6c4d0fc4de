#!/usr/bin/env node
// Assembles the static site into dist/: the web/ sources, vega / vega-lite / vega-embed
// from node_modules (served by the site itself, no CDN), the wasm bundles, the demo data
// made by the trainer's demo-data (hourly.csv and leads.csv), the demo models
// (demo_forecast.fcm, demo_leads.fcm), and the service worker's precache list with a
// content hash.
//
//   node scripts/assemble.mjs --cli build/native/funnelcast --wasm build/wasm/wasm --out dist [--models models]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const out = resolve(root, arg('out', 'dist'));
const wasmDir = resolve(root, arg('wasm', 'build/wasm/wasm'));
const cli = resolve(root, arg('cli', process.env.FC_CLI || 'build/native/funnelcast'));
// The inference bundle every visitor downloads: at most 875 KiB raw (its size is printed
// below and by tests/wasm/bundle.test.mjs). The training bundle loads only to train.
// (800 KiB until the Holt-Winters, Theta and combination forecasters, which the page must
// read, and the unity build took it to 834 KB; 820 KiB until the seasonal detector's log
// view of level columns, which the page must run as the CLI does, took it to 841,872 bytes;
// 824 KiB until the page had to read a forecast model's zone and refuse it rather than
// forecast in UTC, which took it from 843,746 to 844,359 bytes; 825 KiB until the
// smoothers' seasons became parameters (Holt-Winters and Theta on daily series) and
// seasonal's spread learnt to leave holidays out, 845,306 bytes; 844,946 at 571d686; 826 KiB
// until the gbdt forecaster learnt to read its target from the local level (gbdt_level), which
// the page must forecast with as the CLI does: 846,149 bytes; 827 KiB until by-channel models
// (each channel from one model, the total their sum: reading the channels, forecasting each,
// their CSV and columns), which the page must forecast with as the CLI does: 859,614 bytes;
// 840 KiB until weekly series (their seasons, refusing daily rows for a weekly model), the
// flattened tree walk (a call per categorical node less) and the recursive forecast's
// window, shared with cross-validation's batched backtests: 860,257 bytes; 841 KiB until the
// anomaly detectors were compiled for speed with the native build's shortcuts (shared fits,
// the calibrator's bin edges, Newton before the bisection, the flat-feature check): the
// ensemble on the demo's two years of hours 30% faster in node, 860,054 -> 894,509 bytes.)
const maxWasmBytes = 875 * 1024;
const maxTrainWasmBytes = 1536 * 1024;

function fail(message) {
  console.error(`assemble: ${message}`);
  process.exit(1);
}

// Guard against wiping anything but a build output folder.
if (out === root || !out.startsWith(root + sep) || ['web', 'wasm', 'core', 'models', 'scripts', 'tests'].includes(relative(root, out))) {
  fail(`refusing to write the site into ${out}`);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// 1. The page sources.
cpSync(join(root, 'web'), out, { recursive: true });

// 1b. <link rel="modulepreload"> for app.js and every module it imports, statically and
// transitively (the panels and what they share), so the browser fetches them all at once
// instead of discovering them one import level at a time. New modules need no edit here.
{
  const seen = [];
  const visit = (rel) => {
    if (seen.includes(rel)) return;
    seen.push(rel);
    const code = readFileSync(join(out, rel), 'utf8');
    for (const m of code.matchAll(/^\s*(?:import|export)\s[^'";]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]|^\s*import\s*['"](\.{1,2}\/[^'"]+)['"]/gm)) {
      const target = posix.normalize(posix.join(posix.dirname(rel), m[1] || m[2]));
      if (target.startsWith('..')) fail(`${rel} imports ${m[1] || m[2]}, outside the site`);
      if (!existsSync(join(out, target))) fail(`${rel} imports ${target}, which is missing`);
      visit(target);
    }
  };
  visit('app.js');
  const indexPath = join(out, 'index.html');
  const marker = /[ \t]*<!-- @modulepreload[^>]*-->\n/;
  const html = readFileSync(indexPath, 'utf8');
  if (!marker.test(html)) fail('web/index.html lacks the <!-- @modulepreload --> line');
  // With the page's modules bundled into app.js (5c), app.js is all there is to preload.
  writeFileSync(indexPath, html.replace(marker, (process.argv.includes('--no-bundle') ? seen : ['app.js']).map((f) => `  <link rel="modulepreload" href="${f}">\n`).join('')));
}

// 2. Vendored libraries: the prebuilt UMD bundles. vega-embed's bundle carries vega's
// expression interpreter, which the page uses (ast: true) instead of eval.
const vendor = join(out, 'vendor');
mkdirSync(vendor, { recursive: true });
const licenses = [];
for (const [pkg, file] of [
  ['vega', 'build/vega.min.js'],
  ['vega-lite', 'build/vega-lite.min.js'],
  ['vega-embed', 'build/vega-embed.min.js'],
]) {
  const src = join(root, 'node_modules', pkg, file);
  if (!existsSync(src)) fail(`${src} is missing: run npm ci`);
  let text = readFileSync(src, 'utf8');
  text = text.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  writeFileSync(join(vendor, file.split('/').pop()), text);
  licenses.push(pkg);
}
{
  let notice = 'Third-party libraries served from this folder, with their licenses.\n';
  for (const pkg of licenses) {
    const dir = join(root, 'node_modules', pkg);
    const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const lic = readdirSync(dir).find((f) => /^licen[sc]e/i.test(f));
    notice += `\n==== ${pkg} ${meta.version} (${meta.license})\n\n`;
    if (lic) notice += readFileSync(join(dir, lic), 'utf8');
  }
  writeFileSync(join(vendor, 'LICENSES.txt'), notice);
}

// 3. The wasm bundles: inference (funnelcast.*, what the dashboard's worker loads) and
// training (funnelcast-train.*, loaded only by train-worker.js when the page trains a
// model). Both are precached by the service worker, so training works offline too.
const wasmOut = join(out, 'wasm');
mkdirSync(wasmOut, { recursive: true });
for (const f of ['funnelcast.mjs', 'funnelcast.wasm', 'funnelcast-train.mjs', 'funnelcast-train.wasm']) {
  const src = join(wasmDir, f);
  if (!existsSync(src)) fail(`${src} is missing: build the wasm targets first`);
  cpSync(src, join(wasmOut, f));
}
cpSync(join(root, 'wasm', 'funnelcast.d.ts'), join(wasmOut, 'funnelcast.d.mts'));
const wasmBytes = statSync(join(wasmOut, 'funnelcast.wasm')).size;
if (wasmBytes > maxWasmBytes) fail(`funnelcast.wasm is ${wasmBytes} bytes, over the ${maxWasmBytes} byte budget`);
const trainWasmBytes = statSync(join(wasmOut, 'funnelcast-train.wasm')).size;
if (trainWasmBytes > maxTrainWasmBytes) fail(`funnelcast-train.wasm is ${trainWasmBytes} bytes, over the ${maxTrainWasmBytes} byte budget`);

// 3b. The dashboard's worker (worker.js) as one file: its modules (worker-io.js,
// worker-panels.js, the wasm bundle's funnelcast.mjs) inlined, so the worker starts
// after one request instead of waiting for its imports behind the page's own modules (a
// browser opens at most 6 connections to an HTTP/1.1 server). Only the import and export
// forms these modules use are understood, and the modules' top-level names must not
// clash; anything else fails the build. The other workers load their modules as before.
function inlineModules(entry) {
  const done = new Map(); // module -> its default export's name
  const owner = new Map(); // top-level name -> module
  const parts = [];
  const visit = (rel) => {
    if (done.has(rel)) return done.get(rel);
    done.set(rel, null);
    let code = readFileSync(join(out, rel), 'utf8');
    const aliases = [];
    code = code.replace(/^import\s+(?:([\w$]+)|\{([^}]*)\})\s+from\s+'(\.{1,2}\/[^']+)';[ \t]*\n/gm, (_, def, named, spec) => {
      const dep = posix.normalize(posix.join(posix.dirname(rel), spec));
      if (!existsSync(join(out, dep))) fail(`${rel} imports ${dep}, which is missing`);
      const depDefault = visit(dep);
      if (def) {
        if (!depDefault) fail(`${rel} imports the default export of ${dep}, which has none`);
        if (def !== depDefault) aliases.push(`const ${def} = ${depDefault};`);
      }
      for (const item of (named || '').split(',').map((x) => x.trim()).filter(Boolean)) {
        const m = /^([\w$]+)(?:\s+as\s+([\w$]+))?$/.exec(item);
        if (!m) fail(`${rel}: cannot inline the import '${item}'`);
        if (m[2] && m[2] !== m[1]) aliases.push(`const ${m[2]} = ${m[1]};`);
      }
      return '';
    });
    if (/^\s*(import|export)\s*[{*'"]/m.test(code) || /^\s*import\s/m.test(code) || /\bimport\(/.test(code)) fail(`${rel}: an import or export form that cannot be inlined`);
    let defaultName = null;
    code = code.replace(/^export\s+default\s+([\w$]+);[ \t]*\n?/m, (_, name) => {
      defaultName = name;
      return '';
    });
    code = code.replace(/^export\s+(?=(?:async\s+)?function\b|const\b|let\b|class\b)/gm, '');
    if (/^\s*export\b/m.test(code)) fail(`${rel}: an export form that cannot be inlined`);
    for (const m of code.matchAll(/^(?:async\s+)?(?:function\*?|const|let|var|class)\s+([\w$]+)/gm)) {
      if (owner.has(m[1]) && owner.get(m[1]) !== rel) fail(`${rel} and ${owner.get(m[1])} both declare '${m[1]}': rename one, or inline no more`);
      owner.set(m[1], rel);
    }
    parts.push(`// --- ${rel}\n${code}${aliases.length ? `\n${aliases.join('\n')}\n` : ''}`);
    done.set(rel, defaultName);
    return defaultName;
  };
  visit(entry);
  writeFileSync(join(out, entry), `// ${entry} and its modules in one file (scripts/assemble.mjs, 3b).\n${parts.join('\n')}`);
  return done.size;
}
console.log(`assemble: worker.js inlines its ${inlineModules('worker.js') - 1} modules`);

// 4. Demo data, made by the trainer exactly as the demo models' training data was
// (scripts/make_demo_model.sh): hourly.csv for the dashboard, leads.csv (20,000 leads with
// their outcome) for lead scoring.
if (!existsSync(cli)) fail(`${cli} is missing: build the native trainer first (or set FC_CLI)`);
execFileSync(cli, ['demo-data', '--out', join(out, 'demo'), '--seed', '1', '--days', '730'], { stdio: 'inherit' });
for (const f of ['hourly.csv', 'leads.csv']) if (!existsSync(join(out, 'demo', f))) fail(`demo-data did not write demo/${f}`);

// 5. Models.
const models = join(out, 'models');
mkdirSync(models, { recursive: true });
const modelSrc = resolve(root, arg('models', 'models'));
const modelFiles = existsSync(modelSrc) ? readdirSync(modelSrc).filter((f) => f.endsWith('.fcm')) : [];
for (const f of modelFiles) cpSync(join(modelSrc, f), join(models, f));
if (!modelFiles.includes('demo_forecast.fcm')) {
  console.warn('assemble: models/demo_forecast.fcm is missing; the page opens without a forecast model');
}
if (!modelFiles.includes('demo_leads.fcm')) {
  console.warn('assemble: models/demo_leads.fcm is missing; lead scoring opens without a scoring model');
}

// 5b. The first view's charts compiled from Vega-Lite to Vega (the page then loads
// Vega-Lite only for other charts): needs the pages' modules and the wasm registry above.
{
  const { compileCharts } = await import('./compile-charts.mjs');
  const n = await compileCharts(out);
  console.log(`assemble: ${n} charts compiled to Vega (charts/)`);
}

// 5c. The page's modules bundled into app.js, each in a block of its own (its names stay
// its own) in the order the browser would run them, imports read from the module's export
// object: one request instead of 30 (a browser opens at most 6 connections to an HTTP/1.1
// server, and the worker's and the data's downloads share them). The module files stay
// beside it (the workers and the charts' compile use them). Only the import and export
// forms the page uses are understood (import.meta.url becomes the module's own URL), and
// an import cycle fails the build. A dynamic import (`import('./scoring-tab.js')`) may
// only name one of LAZY: each is bundled too, into its own file, with the modules app.js
// already has taken from app.js (its export __fc_modules), so each module still runs
// once and has one state; the rest of its modules are inlined. --no-bundle
// leaves app.js as it is.
const LAZY = ['scoring-tab.js'];
function bundlePage(entry, shared = null) {
  const ids = new Map(); // module -> its index, once run
  const exported = new Map(); // module -> its exported names
  const visiting = new Set();
  const parts = [];
  // The expression of a module's export object: its block's, or app.js's (shared).
  const visit = (rel, from) => {
    if (shared && shared.exported.has(rel)) {
      exported.set(rel, shared.exported.get(rel));
      return `__fc_modules[${JSON.stringify(rel)}]`;
    }
    if (ids.has(rel)) return `__fc_module_${ids.get(rel)}`;
    if (visiting.has(rel)) fail(`${from} imports ${rel}, which imports it back: an import cycle cannot be bundled`);
    visiting.add(rel);
    let code = readFileSync(join(out, rel), 'utf8');
    if (code.includes('__fc_module')) fail(`${rel} uses the bundle's reserved name __fc_module`);
    const head = [];
    code = code.replace(/^import\s+(?:([\w$]+)|\{([^}]*)\}|\*\s+as\s+([\w$]+))\s+from\s+'(\.{1,2}\/[^']+)';[ \t]*\n/gm, (_, def, named, star, spec) => {
      const dep = posix.normalize(posix.join(posix.dirname(rel), spec));
      if (!existsSync(join(out, dep))) fail(`${rel} imports ${dep}, which is missing`);
      const ns = visit(dep, rel);
      const names = exported.get(dep);
      if (def) {
        if (!names.includes('default')) fail(`${rel} imports the default export of ${dep}, which has none`);
        head.push(`const ${def} = ${ns}.default;`);
      }
      if (star) head.push(`const ${star} = ${ns};`);
      if (named) {
        const items = named.split(',').map((x) => x.trim()).filter(Boolean).map((item) => {
          const m = /^([\w$]+)(?:\s+as\s+([\w$]+))?$/.exec(item);
          if (!m) fail(`${rel}: cannot bundle the import '${item}'`);
          if (!names.includes(m[1])) fail(`${rel} imports '${m[1]}' from ${dep}, which does not export it`);
          return m[2] ? `${m[1]}: ${m[2]}` : m[1];
        });
        head.push(`const { ${items.join(', ')} } = ${ns};`);
      }
      return '';
    });
    // import('./x.js') of a lazily loaded bundle: its path from the site's root, where
    // every bundle is. (Types in comments, import('./types').Name, have no .js.)
    code = code.replace(/\bimport\('(\.{1,2}\/[^']+\.js)'\)/g, (_, spec) => {
      const dep = posix.normalize(posix.join(posix.dirname(rel), spec));
      if (!LAZY.includes(dep)) fail(`${rel} imports ${dep} on demand, which is not one of the bundles loaded on demand (${LAZY.join(', ')})`);
      return `import(${JSON.stringify(`./${dep}`)})`;
    });
    const codeOnly = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
    if (/^\s*import\b/m.test(codeOnly) || /\bimport\s*\((?!"\.\/)/.test(codeOnly)) fail(`${rel}: an import form that cannot be bundled`);
    // import.meta.url: the module's own URL, as before (URLs made from it stay the same).
    if (rel !== entry) code = code.replace(/\bimport\.meta\.url\b/g, `new URL(${JSON.stringify(rel)}, import.meta.url).href`);
    if (/\bimport\.meta\b(?!\.url)/.test(codeOnly)) fail(`${rel} reads import.meta other than its url`);
    const names = [];
    code = code.replace(/^export\s+default\s+(?=\{)/m, () => {
      names.push('default');
      return 'const __fc_module_default = ';
    });
    code = code.replace(/^((?:\/\*[^\n]*?\*\/\s*)?)export\s+((?:async\s+)?function\*?|const|class)\s+([\w$]+)/gm, (_, note, kind, name) => {
      names.push(name);
      return `${note}${kind} ${name}`;
    });
    if (/^\s*export\b/m.test(code.replace(/\/\*[\s\S]*?\*\//g, ''))) fail(`${rel}: an export form that cannot be bundled`);
    const id = ids.size;
    const ns = `__fc_module_${id}`;
    const exportsOf = names.map((n) => `${ns}${n === 'default' ? '.default = __fc_module_default' : `.${n} = ${n}`};`);
    parts.push(`// --- ${rel}\nconst ${ns} = {};\n{\n${head.join('\n')}${head.length ? '\n' : ''}${code}\n${exportsOf.join('\n')}\n}\n`);
    visiting.delete(rel);
    ids.set(rel, id);
    exported.set(rel, names);
    return ns;
  };
  if (entry.includes('/')) fail(`${entry}: a bundle is written at the site's root`);
  visit(entry, entry);
  const top = `${shared ? `import { __fc_modules } from './${shared.entry}';\n` : ''}`;
  const bottom = shared ? `export const { ${exported.get(entry).join(', ')} } = __fc_module_${ids.get(entry)};\n` : `export const __fc_modules = { ${[...ids].map(([rel, id]) => `${JSON.stringify(rel)}: __fc_module_${id}`).join(', ')} };\n`;
  if (shared && exported.get(entry).includes('default')) fail(`${entry}: a bundle loaded on demand exports names, not a default`);
  writeFileSync(join(out, entry), `// ${entry} and the modules it imports in one file (scripts/assemble.mjs, 5c).\n${top}${parts.join('\n')}\n${bottom}`);
  return { entry, count: ids.size, exported };
}
if (!process.argv.includes('--no-bundle')) {
  const app = bundlePage('app.js');
  console.log(`assemble: app.js bundles ${app.count} modules`);
  for (const lazy of LAZY) {
    const b = bundlePage(lazy, app);
    console.log(`assemble: ${lazy} (loaded on demand) bundles ${b.count} modules and takes ${new Set([...b.exported.keys()].filter((k) => app.exported.has(k))).size} from app.js`);
  }
}

// 6. Build manifest and the service worker's precache list (every file but the worker).
function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}
const files = walk(out)
  .map((p) => relative(out, p).split(sep).join('/'))
  .filter((p) => p !== 'sw.js' && !p.endsWith('.d.mts') && p !== 'vendor/LICENSES.txt')
  .sort();
const hash = createHash('sha256');
const sizes = {};
for (const f of files) {
  const bytes = readFileSync(join(out, f));
  hash.update(f).update('\0').update(bytes);
  sizes[f] = bytes.length;
}
const version = hash.digest('hex').slice(0, 16);
const precache = ['./', ...files];
const swPath = join(out, 'sw.js');
const sw = readFileSync(swPath, 'utf8');
const marker = /\/\* @build \*\/[^\n]*\n/;
if (!marker.test(sw)) fail('web/sw.js lacks the /* @build */ line');
writeFileSync(swPath, sw.replace(marker, `/* @build */ const BUILD = ${JSON.stringify({ version, files: precache })};\n`));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
writeFileSync(
  join(out, 'build.json'),
  JSON.stringify({ name: pkg.name, version: pkg.version, build: version, wasmBytes, trainWasmBytes, files: sizes }, null, 2) + '\n',
);

console.log(`assemble: ${out} (${files.length + 1} files, build ${version}, funnelcast.wasm ${(wasmBytes / 1024).toFixed(1)} KiB)`);
