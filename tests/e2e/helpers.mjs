// Plumbing for the browser tests: a copy of the built site with test fixtures beside it,
// served from localhost by scripts/serve.mjs, and headless Chromium driven by playwright-core.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { startServer } from '../../scripts/serve.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST = resolve(ROOT, process.env.FC_DIST || 'dist');
export const OUT = join(ROOT, 'tests', 'e2e', 'out');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export function cliPath() {
  const candidates = [process.env.FC_CLI, 'build/native/funnelcast', 'build/native/native_trainer/funnelcast']
    .filter(Boolean)
    .map((p) => resolve(ROOT, p));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`native CLI not found (tried ${candidates.join(', ')}); run npm run build or set FC_CLI`);
  return found;
}

export function cliJson(args) {
  const r = spawnSync(cliPath(), args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`funnelcast ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

export function cli(args) {
  const r = spawnSync(cliPath(), args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`funnelcast ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

// The built site copied to a scratch folder with a fixtures/ folder beside it, so tests
// can serve their own CSVs by URL without touching dist/.
export function makeSite() {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error(`${DIST}/index.html not found; run npm run build (or set FC_DIST)`);
  const dir = mkdtempSync(join(tmpdir(), 'funnelcast-e2e-site-'));
  cpSync(DIST, dir, { recursive: true });
  mkdirSync(join(dir, 'fixtures'), { recursive: true });
  return {
    dir,
    fixture(name, text) {
      const p = join(dir, 'fixtures', name);
      writeFileSync(p, text);
      return `fixtures/${name}`;
    },
    path: (rel) => join(dir, rel),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function launch() {
  const userDataDir = mkdtempSync(join(tmpdir(), 'funnelcast-e2e-profile-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.FC_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    serviceWorkers: 'allow',
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export { startServer };

export function readCsvRows(path) {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  return { header: lines[0], rows: lines.slice(1) };
}

// An hourly CSV: `hours` rows from 2024-03-01 00:00 UTC, leads/spend made up but fixed.
export function hourlyCsv(hours, { header = 'timestamp,leads,spend,revenue', row } = {}) {
  const start = Date.UTC(2024, 2, 1) / 1000;
  const pad = (n) => String(n).padStart(2, '0');
  const ts = (s) => {
    const d = new Date(s * 1000);
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:00:00`;
  };
  const lines = [header];
  for (let i = 0; i < hours; ++i) {
    const leads = (i * 7) % 11;
    const spend = 20 + ((i * 13) % 17);
    const revenue = leads * 30;
    lines.push(row ? row(ts(start + i * 3600), i) : `${ts(start + i * 3600)},${leads},${spend},${revenue}`);
  }
  return `${lines.join('\n')}\n`;
}
