#!/usr/bin/env node
// `npm run serve`: a tiny static server for the built site (dist/) on 127.0.0.1.
// Port from PORT (default 8080). Sends the page's Content-Security-Policy as a header
// (it is also in the page's <meta> tag, for hosts that cannot set headers), the right
// MIME types (application/wasm, text/javascript for .mjs) and revalidating caching.
//
// Also importable: `startServer({ root, port, host })` resolves to { server, url, close }.
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  // 'wasm-unsafe-eval' allows compiling WebAssembly only; JS eval stays forbidden.
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.fcm': 'application/octet-stream',
  '.map': 'application/json; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.mts': 'text/plain; charset=utf-8',
};

function securityHeaders() {
  return {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=()',
  };
}

function send(res, status, text, extra = {}) {
  res.writeHead(status, {
    ...securityHeaders(),
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(text);
}

export function handler(root, { log = false } = {}) {
  const base = resolve(root);
  return (req, res) => {
    const started = Date.now();
    if (log) res.on('finish', () => console.log(`${res.statusCode} ${req.method} ${req.url} ${Date.now() - started}ms`));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
      send(res, 400, 'bad request\n');
      return;
    }
    if (path.includes('\0')) {
      send(res, 400, 'bad request\n');
      return;
    }
    let file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) {
      send(res, 403, 'forbidden\n');
      return;
    }
    let st;
    try {
      st = statSync(file);
      if (st.isDirectory()) {
        if (!path.endsWith('/')) {
          res.writeHead(301, { ...securityHeaders(), Location: `${path}/`, 'Cache-Control': 'no-store' });
          res.end();
          return;
        }
        file = join(file, 'index.html');
        st = statSync(file);
      }
    } catch {
      send(res, 404, 'not found\n');
      return;
    }
    const etag = `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
    const headers = {
      ...securityHeaders(),
      'Content-Type': MIME[extname(file).toLowerCase()] || 'application/octet-stream',
      // Revalidate every time (cheap 304s on localhost); the service worker does the offline caching.
      'Cache-Control': 'no-cache',
      ETag: etag,
      'Last-Modified': new Date(st.mtimeMs).toUTCString(),
    };
    if (file.endsWith(`${sep}sw.js`)) headers['Service-Worker-Allowed'] = '/';
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    headers['Content-Length'] = st.size;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(file, { highWaterMark: 1 << 20 });
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };
}

export function startServer({ root = join(here, '..', 'dist'), port = 8080, host = '127.0.0.1', log = false } = {}) {
  return new Promise((resolvePromise, reject) => {
    const server = createServer(handler(root, { log }));
    server.keepAliveTimeout = 1000;
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      const url = `http://${host === '127.0.0.1' ? '127.0.0.1' : host}:${actual}/`;
      const close = () =>
        new Promise((r) => {
          server.close(() => r());
          server.closeAllConnections();
        });
      resolvePromise({ server, url, port: actual, close });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] || process.env.FC_DIST || join(here, '..', 'dist'));
  try {
    statSync(join(root, 'index.html'));
  } catch {
    console.error(`serve: ${root}/index.html not found; run \`npm run build\` first`);
    process.exit(1);
  }
  const port = Number(process.env.PORT || 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve: PORT must be a port number, found '${process.env.PORT}'`);
    process.exit(1);
  }
  const { url, close } = await startServer({ root, port, log: !!process.env.FC_SERVE_LOG });
  console.log(`funnelcast: serving ${root} on ${url.replace('127.0.0.1', 'localhost')} (Ctrl+C to stop)`);
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => close().then(() => process.exit(0)));
}
