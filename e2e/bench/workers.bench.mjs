// Worker-count benchmark (issue 11): how the tab's rate scales with the number of decoding
// workers. The same 100 MB file is opened in the built page with `?workers=N` (the page passes
// N down the worker chain instead of taking navigator.hardwareConcurrency) for each N, taking
// turns, and the native `keytrail summary` reads it in the same run. Not part of `npm test`; run
// with `npm run bench:workers` in e2e/.
//
//   KEYTRAIL_BENCH_FORMATS  generator formats, comma-separated (default "evtx,event-viewer")
//   KEYTRAIL_BENCH_SIZE     size of each file (default 100MB)
//   KEYTRAIL_BENCH_WORKERS  worker counts, comma-separated (default "1,2,3,4")
//   KEYTRAIL_BENCH_ROUNDS   rounds (default 2); the median per count is shown
//   KEYTRAIL_BENCH_DIR      where the generated files are cached (default /tmp)

import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../lib/browser.mjs';
import { warmCache } from '../lib/files.mjs';
import { dist, keytrailBin } from '../lib/paths.mjs';
import { closeServer, originOf, serveDist } from '../lib/server.mjs';

const FORMATS = (process.env.KEYTRAIL_BENCH_FORMATS ?? 'evtx,event-viewer').split(',').map((s) => s.trim());
const SIZE = process.env.KEYTRAIL_BENCH_SIZE ?? '100MB';
const COUNTS = (process.env.KEYTRAIL_BENCH_WORKERS ?? '1,2,3,4').split(',').map(Number);
const ROUNDS = Math.max(1, Number(process.env.KEYTRAIL_BENCH_ROUNDS ?? 2));
const CACHE = process.env.KEYTRAIL_BENCH_DIR ?? '/tmp';
const TIMEOUT = 600_000;

const log = (s) => process.stderr.write(s + '\n');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const fmt = (x, d = 0) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

function file(format) {
  const ext = format === 'evtx' ? 'evtx' : 'xml';
  const path = join(CACHE, `keytrail-bench-workers-${format}-${SIZE}.${ext}`);
  if (!existsSync(path)) {
    log(`generating ${path} …`);
    execFileSync(keytrailBin, ['generate', '--size', SIZE, '--format', format, '-o', path], { stdio: 'ignore' });
  }
  return { path, bytes: statSync(path).size };
}

/** Opens `f` with `workers` decoding workers; the page's own timings. */
async function open(browser, origin, f, workers) {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(`${origin}/?workers=${workers}`);
    await page.waitForSelector('[data-testid=drop-zone][data-ready=true]', { timeout: 60_000 });
    await page.setInputFiles('[data-testid=file-input]', f.path);
    await page.waitForFunction(() => window.__keytrail?.doneMs != null, null, { timeout: TIMEOUT, polling: 200 });
    const { doneMs, firstRowsMs } = await page.evaluate(() => window.__keytrail);
    const events = Number(await page.textContent('[data-testid=event-count]'));
    return { doneMs, firstRowsMs, events };
  } finally {
    await context.close();
  }
}

/** The native single-thread `keytrail summary` on `f`, in ms. */
function native(f) {
  const t = process.hrtime.bigint();
  execFileSync(keytrailBin, ['summary', '--jobs', '1', f.path], { stdio: 'ignore', maxBuffer: 1 << 28 });
  return Number(process.hrtime.bigint() - t) / 1e6;
}

if (!existsSync(join(dist, 'index.html'))) throw new Error(`${dist}/index.html is missing: trunk build --release --offline`);
const files = Object.fromEntries(FORMATS.map((f) => [f, file(f)]));
const server = await serveDist([]);
const origin = originOf(server);
const browser = await launchChromium();
const lines = [
  `Machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}; one ${SIZE} file per format; median of ${ROUNDS} rounds, counts taking turns.`,
  '',
  '| file | workers | all events | events/s | first rows | vs native summary |',
  '|---|---|---|---|---|---|',
];
try {
  for (const [format, f] of Object.entries(files)) {
    warmCache(f.path);
    const runs = Object.fromEntries(COUNTS.map((n) => [n, []]));
    const nativeMs = [];
    let events = 0;
    for (let round = 0; round < ROUNDS; round++) {
      nativeMs.push(native(f));
      for (const n of COUNTS) {
        log(`${format}, ${n} worker(s), round ${round + 1} …`);
        const r = await open(browser, origin, f, n);
        events = r.events;
        runs[n].push(r);
      }
    }
    const nativeRate = events / (median(nativeMs) / 1000);
    lines.push(`| ${format} ${fmt(f.bytes / 1e6)} MB, native summary | 1 thread | ${fmt(median(nativeMs) / 1000, 2)} s | ${fmt(nativeRate)} | | 1.00× |`);
    for (const n of COUNTS) {
      const done = median(runs[n].map((r) => r.doneMs));
      const first = median(runs[n].map((r) => r.firstRowsMs));
      const rate = events / (done / 1000);
      lines.push(`| ${format} ${fmt(f.bytes / 1e6)} MB | ${n} | ${fmt(done / 1000, 2)} s | ${fmt(rate)} | ${fmt(first)} ms | ${fmt(rate / nativeRate, 2)}× |`);
    }
  }
} finally {
  await browser.close();
  await closeServer(server);
}
console.log(lines.join('\n'));
