#!/usr/bin/env node
// Packs the built page (dist/, from `trunk build --release --offline`) into ONE self-contained
// file, dist/keytrail.html, that works when opened by double-click (file://): no server, no
// network. Trunk cannot make such a file, so this step does, with nothing but Node's own modules.
//
// What the file holds (README, "Layout"):
//   - the page's stylesheet, as an inline <style>;
//   - four data blocks (<script type="application/octet-stream">, never run), each gzip + base64:
//     the page's wasm, the worker's JS glue, the worker's wasm and the bundled sample;
//   - one inline module script: the page's wasm-bindgen glue with its exports taken off, then
//     the boot code (BOOT below), which unpacks the data blocks with the browser's own
//     DecompressionStream, starts the page's wasm from bytes, and makes the worker's script a
//     Blob URL that the page's code finds in `__keytrail_worker_url` (src/web/mod.rs).
// Its Content-Security-Policy allows the one inline script and the one inline style by their
// SHA-256 hashes, wasm compilation ('wasm-unsafe-eval') and workers from blob: URLs; everything
// else (fetches, images, fonts, frames, other scripts) is refused: default-src 'none'.
//
// Usage: node scripts/pack.mjs [DIST]   (writes DIST/keytrail.html). Trunk runs it after every
// build (Trunk.toml, a post_build hook) on its staging directory, TRUNK_STAGING_DIR; by hand,
// DIST defaults to <repo>/dist.

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** The single file's name, next to index.html. */
export const SINGLE_FILE = 'keytrail.html';

/** The ids of the data blocks, as the boot code and src/web read them. */
export const BLOCKS = {
  appWasm: 'keytrail-app-wasm',
  workerJs: 'keytrail-worker-js',
  workerWasm: 'keytrail-worker-wasm',
  sample: 'keytrail-sample',
};

// What the page's boot code and each worker's share (one source, written into both scripts):
// unpacking a data block (base64 of gzip) with the browser's own DecompressionStream, as a
// `Response` built in place (no network), and the worker's script as a Blob URL of this scope's
// own making. A worker can start the next one of a chain only from such a URL (in a file://
// page, each worker's origin is a new opaque one); the worker's code finds it in
// `__keytrail_worker_url` (src/web/mod.rs).
const SHARED = `
const __keytrail_unpack = (text) => {
  const binary = atob(text.trim());
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip')));
};
// parts: the worker's glue, the lines that start it (WORKER_START), its wasm block.
const __keytrail_worker_script = (parts) => URL.createObjectURL(new Blob(
  ['const __keytrail_worker = ' + JSON.stringify(parts) + ';\\n', parts[0], parts[1]],
  { type: 'text/javascript' },
));
`;

// Starts a worker (after its glue, in the worker's script; see BOOT).
const WORKER_START = `${SHARED}
;(async () => {
  self.__keytrail_worker_url = __keytrail_worker_script(__keytrail_worker);
  const wasm = await __keytrail_unpack(__keytrail_worker[2]).arrayBuffer();
  wasm_bindgen({ module_or_path: wasm });
})();
`;

// Runs after the page's glue, in the same module script. `__keytrail_init` is the glue's default
// export (wasm-bindgen's init), renamed by `stripExports`. The page's own code unpacks the
// sample with `__keytrail_unpack` too (src/web/view, `fetch_sample`).
const BOOT = `${SHARED}
globalThis.__keytrail_unpack = __keytrail_unpack;
const __keytrail_block = (id) => __keytrail_unpack(document.getElementById(id).textContent);
globalThis.__keytrail_worker_url = __keytrail_worker_script([
  await __keytrail_block('${BLOCKS.workerJs}').text(),
  ${JSON.stringify(WORKER_START)},
  document.getElementById('${BLOCKS.workerWasm}').textContent,
]);
await __keytrail_init({ module_or_path: await __keytrail_block('${BLOCKS.appWasm}').arrayBuffer() });
`;

/** The glue with its `export` statement replaced: the default export becomes `__keytrail_init`. */
export function stripExports(glue) {
  const re = /^export \{([^}]*)\};?\s*$/m;
  const m = glue.match(re);
  if (!m) throw new Error('pack: the page glue has no `export { … }` statement');
  const init = m[1]
    .split(',')
    .map((s) => s.trim())
    .find((s) => /\bas default$/.test(s));
  if (!init) throw new Error('pack: the page glue exports no default (wasm-bindgen init)');
  const name = init.replace(/\s+as default$/, '');
  if (/^\s*export\b/m.test(glue.replace(re, ''))) {
    throw new Error('pack: the page glue has more than one export statement');
  }
  return glue.replace(re, `const __keytrail_init = ${name};`);
}

/** SHA-256 of `text` (UTF-8) as a CSP source. */
export const cspHash = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** gzip (level 9) + base64. */
const packed = (bytes) => gzipSync(bytes, { level: 9 }).toString('base64');

/** Text safe inside a <script> or <style> element: no closing tag, no comment opener. */
export function inert(text, what) {
  if (/<\/(script|style)|<!--/i.test(text)) {
    throw new Error(`pack: ${what} holds a closing tag or "<!--" and cannot be inlined`);
  }
  return text;
}

/** The attribute `name` of the first tag in `html` matching `tag`, or throws. */
function attr(html, tag, name, what) {
  const t = html.match(tag);
  const v = t && t[0].match(new RegExp(`\\b${name}=("([^"]*)"|([^\\s>]*))`));
  if (!v) throw new Error(`pack: dist/index.html has no ${what}`);
  return v[2] ?? v[3];
}

/**
 * Reads what Trunk built into `dist` and returns the single file's text. Every name is taken
 * from dist/index.html (hashed file names change with each build).
 */
export function pack(dist) {
  const index = readFileSync(join(dist, 'index.html'), 'utf8');
  const file = (href) => readFileSync(join(dist, basename(href)));
  const css = file(attr(index, /<link[^>]*rel=("?)stylesheet\1[^>]*>/, 'href', 'stylesheet')).toString('utf8');
  const boot = /<script[^>]*data-js=[^>]*>/;
  const appJs = file(attr(index, boot, 'data-js', 'page script')).toString('utf8');
  const appWasm = file(attr(index, boot, 'data-wasm', 'page wasm'));
  const loader = readFileSync(join(dist, 'worker_loader.js'), 'utf8');
  const workerJsName = loader.match(/importScripts\('\.\/([^']+)'\)/)?.[1];
  const workerWasmName = loader.match(/module_or_path: '\.\/([^']+)'/)?.[1];
  if (!workerJsName || !workerWasmName) throw new Error('pack: worker_loader.js names no worker files');
  const workerJs = file(workerJsName);
  const workerWasm = file(workerWasmName);
  const sample = readFileSync(join(dist, 'sample', 'keytrail-sample.xml'));
  const csp = index.match(/<meta[^>]*http-equiv=("?)Content-Security-Policy\1[^>]*>/i);
  if (!csp) throw new Error('pack: dist/index.html has no Content-Security-Policy');
  // The styles the served page allows by hash (the report's, which a report opened from this
  // page inherits the page's policy for) are allowed here too.
  const servedStyles = (attr(csp[0], /.*/s, 'content', 'CSP content').match(/style-src ([^;]*)/)?.[1] ?? '')
    .split(/\s+/)
    .filter((s) => /^'sha(256|384|512)-/.test(s));

  const style = inert(css, 'the stylesheet');
  const script = inert(stripExports(appJs) + BOOT, 'the page glue');
  const policy = [
    "default-src 'none'",
    `script-src ${cspHash(script)} 'wasm-unsafe-eval'`,
    `style-src ${[cspHash(style), ...servedStyles].join(' ')}`,
    'worker-src blob:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const block = (id, bytes) =>
    `<script type="application/octet-stream" id="${id}">${packed(bytes)}</script>\n`;
  return (
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<meta http-equiv="Content-Security-Policy" content="${policy}">\n` +
    '<meta name="referrer" content="no-referrer">\n<meta name="color-scheme" content="light dark">\n' +
    '<title>keytrail</title>\n' +
    `<style>${style}</style>\n` +
    block(BLOCKS.appWasm, appWasm) +
    block(BLOCKS.workerJs, workerJs) +
    block(BLOCKS.workerWasm, workerWasm) +
    block(BLOCKS.sample, sample) +
    `<script type="module">${script}</script>\n` +
    '</head>\n<body>\n<noscript>keytrail decodes event logs with WebAssembly: please enable JavaScript.</noscript>\n' +
    '</body>\n</html>\n'
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
  const dist = resolve(process.argv[2] ?? process.env.TRUNK_STAGING_DIR ?? join(root, 'dist'));
  const html = pack(dist);
  writeFileSync(join(dist, SINGLE_FILE), html);
  const gz = gzipSync(html, { level: 9 }).length;
  console.log(`keytrail: wrote ${join(dist, SINGLE_FILE)} (${html.length} bytes, ${gz} gzipped)`);
}
