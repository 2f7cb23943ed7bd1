// The worker's decoding path as WebAssembly, timed in Node's V8 (issue 12): the same code the
// page's workers run on a file (`ingest::chain::feed` over a `FileDecoder`: the reader, rows,
// sessions and batch encoding), built with the worker's profile and `wasm-opt -O3` as Trunk
// builds the worker, without the page, the messages or the other threads. A change to the
// decoder can be weighed here in a few seconds, run against run, where the tab's figures move by
// ±10 % from one load to the next.
//
//   node bench/wasm-feed.bench.mjs FILE [ROUNDS]       (from e2e/; ROUNDS default 7)
//   KEYTRAIL_WASM_FEED=path/to/wasmfeed.wasm          time a build made elsewhere (an A/B)
//   KEYTRAIL_WASM_FEED_NAMES=1                         keep the functions' names, for a profile:
//       node --cpu-prof --cpu-prof-dir=/tmp/prof bench/wasm-feed.bench.mjs FILE
//   KEYTRAIL_WASM_FEED_BROWSER=1                       run it in a Web Worker of the headless
//                                                      Chromium instead, as the page's workers do
//   KEYTRAIL_WASM_FEED_BUSY=N                          (in Chromium) with N more workers spinning
//                                                      meanwhile, as the page's thread, the other
//                                                      decoding worker and V8's compiler threads
//                                                      compete with a worker for the cores in a load
//
// Prints each round and the median: ms, MB/s and events/s.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { root } from '../lib/paths.mjs';

const [file, roundsArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/wasm-feed.bench.mjs FILE [ROUNDS]');
  process.exit(2);
}
const rounds = Number(roundsArg ?? 7);

let wasm = process.env.KEYTRAIL_WASM_FEED;
if (!wasm) {
  execFileSync(
    'cargo',
    ['build', '--example', 'wasmfeed', '--target', 'wasm32-unknown-unknown', '--profile', 'wasm-fast', '--no-default-features'],
    { cwd: root, stdio: 'inherit' },
  );
  wasm = join(root, 'target', 'wasm32-unknown-unknown', 'wasm-fast', 'examples', 'wasmfeed.wasm');
}
const out = mkdtempSync(join(tmpdir(), 'wasm-feed-'));
const names = Boolean(process.env.KEYTRAIL_WASM_FEED_NAMES);
const browser = Boolean(process.env.KEYTRAIL_WASM_FEED_BROWSER);
execFileSync('wasm-bindgen', ['--target', browser ? 'web' : 'nodejs', ...(names ? ['--keep-debug'] : []), '--out-dir', out, wasm], { stdio: 'inherit' });
// wasm-bindgen names its output after the input file.
const stem = basename(wasm, '.wasm');
const bg = join(out, `${stem}_bg.wasm`);
execFileSync('wasm-opt', ['-O3', ...(names ? ['-g'] : []), '--enable-simd', '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext', '--enable-reference-types', '--enable-multivalue', '-o', bg, bg], { stdio: 'inherit' });
const bytes = readFileSync(file);
const { times, events } = browser ? await inChromium() : inNode();

/** The rounds run here, in Node's V8. */
function inNode() {
  // The glue keeps the module's own exports to itself: hand them out.
  appendFileSync(join(out, `${stem}.js`), '\nmodule.exports.__raw = wasm;\n');
  writeFileSync(join(out, 'package.json'), '{"type":"commonjs"}');
  const { __raw: exports } = createRequire(import.meta.url)(join(out, `${stem}.js`));
  const ptr = exports.alloc(bytes.length);
  new Uint8Array(exports.memory.buffer, ptr, bytes.length).set(bytes);
  const times = [];
  let events = 0;
  // One round first to warm the code up (V8 tiers hot functions up as they run).
  for (let r = -1; r < rounds; r++) {
    const t = performance.now();
    const result = exports.feed(ptr, bytes.length);
    const ms = performance.now() - t;
    events = Number(result >> 32n);
    if (r >= 0) {
      times.push(ms);
      console.log(`round ${r + 1}: ${ms.toFixed(0)} ms`);
    }
  }
  return { times, events };
}

/** The same rounds in a Web Worker of the headless Chromium (the file fetched from a local
 * server into the worker, then copied into the module's memory), beside `BUSY` spinning ones. */
async function inChromium() {
  const busy = Math.max(0, Number(process.env.KEYTRAIL_WASM_FEED_BUSY ?? 0));
  const worker = `import init from './${stem}.js';
const w = await init();
const bytes = new Uint8Array(await (await fetch('/file')).arrayBuffer());
const ptr = w.alloc(bytes.length);
new Uint8Array(w.memory.buffer, ptr, bytes.length).set(bytes);
postMessage('ready');
await new Promise((go) => { onmessage = go; });
const times = [];
let events = 0;
for (let r = -1; r < ${rounds}; r++) {
  const t = performance.now();
  const result = w.feed(ptr, bytes.length);
  if (r >= 0) times.push(performance.now() - t);
  events = Number(result >> 32n);
}
postMessage({ times, events });`;
  const page = `<!doctype html><meta charset=utf-8><script type=module>
const feeder = new Worker('/feeder.js', { type: 'module' });
feeder.onmessage = (e) => {
  if (e.data !== 'ready') { window.__result = e.data; return; }
  // The spinning workers start once the file is in, and spin until the page is closed.
  for (let i = 0; i < ${busy}; i++) new Worker(URL.createObjectURL(new Blob(['for (;;) {}'])));
  setTimeout(() => feeder.postMessage('go'), 200);
};
</script>`;
  const { launchChromium } = await import('../lib/browser.mjs');
  const { serveDist, originOf, closeServer } = await import('../lib/server.mjs');
  const server = await serveDist([], {
    dist: out,
    extra: {
      '/': { type: 'text/html; charset=utf-8', body: page },
      '/feeder.js': { type: 'text/javascript; charset=utf-8', body: worker },
      '/file': { type: 'application/octet-stream', body: bytes },
    },
  });
  const chromium = await launchChromium();
  try {
    const tab = await (await chromium.newContext()).newPage();
    await tab.goto(`${originOf(server)}/`);
    await tab.waitForFunction(() => window.__result, null, { timeout: 600_000, polling: 200 });
    const result = await tab.evaluate(() => window.__result);
    result.times.forEach((ms, r) => console.log(`round ${r + 1}: ${ms.toFixed(0)} ms`));
    console.log(`in a Chromium worker, ${busy} more worker(s) spinning`);
    return result;
  } finally {
    await chromium.close();
    await closeServer(server);
  }
}

times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(
  `${file}: ${events} events, median ${median.toFixed(0)} ms (${times[0].toFixed(0)}–${times[times.length - 1].toFixed(0)}), ` +
    `${(bytes.length / 1e6 / (median / 1000)).toFixed(1)} MB/s, ${Math.round(events / (median / 1000))} events/s`,
);
