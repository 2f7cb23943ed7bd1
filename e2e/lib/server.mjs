// A tiny static server for the built page. It logs every request it gets, so that the tests have
// a record of the page's requests that does not depend on the browser's own reporting.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { dist as defaultDist } from './paths.mjs';

export const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.xml': 'text/xml; charset=utf-8',
};

/**
 * Serves `dist` (KEYTRAIL_DIST or <repo>/dist) on 127.0.0.1 at a free port; `log` receives every
 * request path (decoded, without the query). `extra` maps a path to `{ type, body }` for pages
 * that are not part of the build (the benchmark's baseline page); `onRequest(req, path)` is
 * called for every request as well; `delayMs(path)` holds a response back that long (a slow
 * network, for the early-drop test).
 */
export async function serveDist(log, { dist = defaultDist, extra = {}, onRequest, delayMs } = {}) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    log.push(path);
    onRequest?.(req, path);
    const wait = delayMs?.(path) ?? 0;
    if (wait > 0) await new Promise((ok) => setTimeout(ok, wait));
    if (Object.hasOwn(extra, path)) {
      const { type, body } = extra[path];
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
      return;
    }
    const file = normalize(join(dist, path === '/' ? 'index.html' : path));
    if (!file.startsWith(dist + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return server;
}

/** `http://127.0.0.1:PORT` of a listening server. */
export const originOf = (server) => `http://127.0.0.1:${server.address().port}`;

/** Closes a server (if any) and its idle keep-alive connections. */
export function closeServer(server) {
  if (!server) return Promise.resolve();
  return new Promise((ok) => {
    server.close(() => ok());
    server.closeAllConnections?.();
  });
}
