// Trace benchmark (issue 12): where the time of a load goes, thread by thread and stage by stage.
// Opens one file in the built page while Chromium records a trace (the DevTools protocol's
// Tracing domain, the same recording as DevTools' Performance panel), then attributes the
// processor time of the page's thread and of each decoding worker:
//   - the stages keytrail marks itself (`console.timeStamp` spans, src/web/trace.rs): in a worker
//     "wait for slice" (the Blob read, waited for), "decode" (decoder, rows, sessions and batch
//     encoding, in wasm) and "send rows" (the message to the page); on the page "take rows" (a
//     batch decoded into the store: rows, strings, facets, rule marks, chart counts), "take report"
//     (progress and the rest) and "draw" (Yew's diff and the DOM);
//   - the browser's own work on the same threads, by trace event (message serialisation and
//     deserialisation, garbage collection, style, layout, paint), self time.
// Not part of `npm test`; run with `npm run bench:trace` in e2e/.
//
//   KEYTRAIL_BENCH_FORMATS  generator formats, comma-separated (default "wevtutil,event-viewer,evtx")
//   KEYTRAIL_BENCH_SIZE     size of each file (default 100MB)
//   KEYTRAIL_BENCH_DIR      where the generated files are cached (default /tmp)
//   KEYTRAIL_TRACE_OUT      a directory to keep the raw traces in (open them in DevTools)
//   KEYTRAIL_BENCH_SETTLE_MS how long after the page is ready the file is opened (default 0)
//   KEYTRAIL_TRACE_WASM     also record V8's WebAssembly compiling in detail (each function's
//                           baseline compile, each optimising compile's phases)
//   KEYTRAIL_TRACE_CPU      also run V8's sampling profiler, and print each thread's functions
//                           by self time (wall time sampled: a thread waiting for a core counts;
//                           wasm functions are named only in a build that keeps their names)
//   KEYTRAIL_BENCH_QUERY    the page's query, e.g. `?workers=1` (default none)
//
// Recording costs time of its own (about 5-15 %), so the totals here are a little above those of
// `npm run bench:scale`; the shares are what this measures.

import { execFileSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../lib/browser.mjs';
import { warmCache } from '../lib/files.mjs';
import { dist, keytrailBin } from '../lib/paths.mjs';
import { closeServer, originOf, serveDist } from '../lib/server.mjs';

const FORMATS = (process.env.KEYTRAIL_BENCH_FORMATS ?? 'wevtutil,event-viewer,evtx').split(',').map((s) => s.trim());
const SIZE = process.env.KEYTRAIL_BENCH_SIZE ?? '100MB';
const CACHE = process.env.KEYTRAIL_BENCH_DIR ?? '/tmp';
const OUT = process.env.KEYTRAIL_TRACE_OUT;
const TIMEOUT = 600_000;
// How long after the page is ready the file is opened (ms; default 0), as in bench:scale.
const SETTLE_MS = Math.max(0, Number(process.env.KEYTRAIL_BENCH_SETTLE_MS ?? 0));
const QUERY = process.env.KEYTRAIL_BENCH_QUERY ?? '';
const CATEGORIES = [
  '-*',
  'toplevel',
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'v8',
  'v8.wasm',
  ...(process.env.KEYTRAIL_TRACE_WASM ? ['disabled-by-default-v8.wasm.detailed', 'disabled-by-default-v8.wasm.turbofan'] : []),
  'blink',
  '__metadata',
  // KEYTRAIL_TRACE_CPU=1: the sampling profiler too (function names need a build with them:
  // `data-keep-debug` on the rust link in index.html).
  ...(process.env.KEYTRAIL_TRACE_CPU ? ['disabled-by-default-v8.cpu_profiler'] : []),
];

const log = (s) => process.stderr.write(s + '\n');
const fmt = (x, d = 0) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

function file(format) {
  const ext = format === 'evtx' ? 'evtx' : 'xml';
  const path = join(CACHE, `keytrail-bench-trace-${format}-${SIZE}.${ext}`);
  if (!existsSync(path)) {
    log(`generating ${path} …`);
    execFileSync(keytrailBin, ['generate', '--size', SIZE, '--format', format, '-o', path], { stdio: 'ignore' });
  }
  return { path, bytes: statSync(path).size };
}

/** Opens `f` in the page while recording; the trace's events and the page's own timings. */
async function record(browser, origin, f, format) {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(`${origin}/${QUERY}`);
    await page.waitForSelector('[data-testid=drop-zone][data-ready=true]', { timeout: 60_000 });
    if (SETTLE_MS > 0) await page.waitForTimeout(SETTLE_MS);
    await browser.startTracing(page, { categories: CATEGORIES });
    await page.setInputFiles('[data-testid=file-input]', f.path);
    await page.waitForFunction(() => window.__keytrail?.doneMs != null, null, { timeout: TIMEOUT, polling: 200 });
    // The last drawing after the end.
    await page.waitForTimeout(300);
    const raw = await browser.stopTracing();
    if (OUT) writeFileSync(join(OUT, `trace-${format}.json`), raw);
    const timing = await page.evaluate(() => window.__keytrail);
    const events = Number(await page.textContent('[data-testid=event-count]'));
    return { trace: JSON.parse(raw.toString()), doneMs: timing.doneMs, events };
  } finally {
    await context.close();
  }
}

/** Per thread of the renderer: busy time, keytrail's stages, the browser's work by event. */
function attribute(trace) {
  const events = trace.traceEvents ?? trace;
  const names = new Map();
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args.name);
  }
  // Keytrail's spans tell which process is the page's renderer.
  const stamps = events.filter((e) => e.name === 'TimeStamp' && e.args?.data?.message);
  const pid = stamps[0]?.pid;
  const threads = new Map();
  const thread = (key) => {
    if (!threads.has(key)) threads.set(key, { name: names.get(key) ?? key, busy: 0, stages: new Map(), self: new Map() });
    return threads.get(key);
  };
  // Busy: the top-level tasks each thread ran.
  const byThread = new Map();
  for (const e of events) {
    if (e.pid !== pid || e.ph !== "X" || e.dur == null) continue;
    // Processor time where the trace has it (a thread waiting for a core is not busy).
    e.cpu = e.tdur ?? e.dur;
    const key = `${e.pid}:${e.tid}`;
    if (!byThread.has(key)) byThread.set(key, []);
    byThread.get(key).push(e);
  }
  for (const [key, list] of byThread) {
    const t = thread(key);
    list.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    // Self time by nesting: a stack of open events.
    const stack = [];
    for (const e of list) {
      while (stack.length && stack.at(-1).ts + stack.at(-1).dur <= e.ts) stack.pop();
      if (stack.length === 0) t.busy += e.cpu;
      else stack.at(-1).child = (stack.at(-1).child ?? 0) + e.cpu;
      stack.push(e);
    }
    for (const e of list) {
      const self = Math.max(0, e.cpu - (e.child ?? 0));
      t.self.set(e.name, (t.self.get(e.name) ?? 0) + self);
    }
  }
  for (const e of stamps) {
    if (e.pid !== pid) continue;
    // Start and end are on the trace's clock (µs) already.
    const { message, start, end } = e.args.data;
    const us = typeof start === 'number' && typeof end === 'number' ? end - start : 0;
    const t = thread(`${e.pid}:${e.tid}`);
    t.stages.set(message, (t.stages.get(message) ?? 0) + us);
  }
  return [...threads.values()].filter((t) => t.busy > 0 || t.stages.size > 0);
}

/** The sampling profiler's samples (`ProfileChunk` events), per thread of the renderer: each
 * function's self time, most first. */
function sampled(trace) {
  const events = trace.traceEvents ?? trace;
  const names = new Map();
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args.name);
  }
  const profiles = new Map();
  for (const e of events) {
    if (e.name === 'Profile') profiles.set(e.id, { thread: names.get(`${e.pid}:${e.tid}`) ?? '?', nodes: new Map(), samples: [], deltas: [] });
    if (e.name !== 'ProfileChunk' || !profiles.has(e.id)) continue;
    const p = profiles.get(e.id);
    const data = e.args.data;
    for (const n of data.cpuProfile?.nodes ?? []) p.nodes.set(n.id, n);
    p.samples.push(...(data.cpuProfile?.samples ?? []));
    p.deltas.push(...(data.timeDeltas ?? []));
  }
  return [...profiles.values()].map((p) => {
    const self = new Map();
    let total = 0;
    p.samples.forEach((id, i) => {
      const frame = p.nodes.get(id)?.callFrame;
      const name = frame?.functionName || `(anonymous ${frame?.url ?? ''})`;
      if (name === '(idle)') return;
      const us = p.deltas[i] ?? 0;
      self.set(name, (self.get(name) ?? 0) + us);
      total += us;
    });
    return { thread: p.thread, total, top: [...self].sort((a, b) => b[1] - a[1]) };
  });
}

if (!existsSync(join(dist, 'index.html'))) throw new Error(`${dist}/index.html is missing: trunk build --release --offline`);
const server = await serveDist([]);
const origin = originOf(server);
const browser = await launchChromium();
const out = [`Machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}; one ${SIZE} file per format, recorded once.`, ''];
try {
  for (const format of FORMATS) {
    const f = file(format);
    warmCache(f.path);
    log(`${format} …`);
    const { trace, doneMs, events } = await record(browser, origin, f, format);
    const threads = attribute(trace);
    const perEvent = (us) => fmt((us * 1000) / events, 0);
    out.push(`#### ${format}, ${fmt(f.bytes / 1e6)} MB, ${fmt(events)} events, all events in ${fmt(doneMs / 1000, 2)} s (recording)`, '');
    out.push('| thread | stage | ms | ns per event |', '|---|---|---|---|');
    for (const t of threads) {
      out.push(`| ${t.name} | **busy (all tasks)** | ${fmt(t.busy / 1000)} | ${perEvent(t.busy)} |`);
      for (const [stage, us] of [...t.stages].sort((a, b) => b[1] - a[1])) {
        out.push(`| | keytrail: ${stage} | ${fmt(us / 1000)} | ${perEvent(us)} |`);
      }
      const top = [...t.self].sort((a, b) => b[1] - a[1]).slice(0, 8);
      for (const [name, us] of top) {
        if (us < 5000) continue;
        out.push(`| | self: ${name} | ${fmt(us / 1000)} | ${perEvent(us)} |`);
      }
    }
    out.push('');
    if (process.env.KEYTRAIL_TRACE_CPU) {
      for (const p of sampled(trace)) {
        if (p.total < 50_000) continue;
        out.push(`Sampled on ${p.thread}: ${fmt(p.total / 1000)} ms`, '', '| function | self ms | share |', '|---|---|---|');
        for (const [name, us] of p.top.slice(0, 25)) {
          out.push(`| \`${name.slice(0, 100)}\` | ${fmt(us / 1000, 1)} | ${fmt((100 * us) / p.total, 1)} % |`);
        }
        out.push('');
      }
    }
  }
} finally {
  await browser.close();
  await closeServer(server);
}
console.log(out.join('\n'));
