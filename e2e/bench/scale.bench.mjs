// Scale benchmark (issues 6 and 12): 100 MB and 1 GB exports opened in the built page in headless
// Chromium, against, on the same 100 MB file in the same run: a plain-JavaScript DOMParser page in
// the same browser, saxes (the streaming JavaScript parser) in Node.js, and the native
// single-thread `keytrail summary`. Not part of `npm test`; run with `npm run bench:scale` in e2e/.
//
//   KEYTRAIL_DIST          the built page (default <repo>/dist)
//   KEYTRAIL_BIN           the CLI that generates the exports and reads them natively (default
//                          <repo>/target/release/keytrail)
//   KEYTRAIL_BENCH_SIZES   which exports, comma-separated (default "100MB,1GB")
//   KEYTRAIL_BENCH_FORMATS the generator's formats, comma-separated (default
//                          "event-viewer,wevtutil"): event-viewer (declaration, <Events> root, about
//                          1.9 KB per event), wevtutil (`wevtutil qe /f:xml`: events one after the
//                          other with no root, about 1.1 KB per event), evtx (a binary log: no
//                          DOMParser or saxes baseline then, the browser has no parser for it)
//   KEYTRAIL_BENCH_FORMAT  one format (the older name of the above)
//   KEYTRAIL_BENCH_DIR     where the generated exports are cached (default /tmp; reused if present)
//   KEYTRAIL_BENCH_ROUNDS  how many times each side opens the first export, taking turns (default
//                          3); the median of each is compared
//   KEYTRAIL_BENCH_SETTLE_MS how long after the page is ready each file is opened (default 0: at
//                          once; a person takes seconds, while the browser goes on optimising)
//
// DOMParser needs one root element: for a wevtutil export the baseline page wraps the text in
// <Events>…</Events> (what a user would have to do), and saxes reads it as a fragment.
//
// Each export is read once before it is measured, so that every run finds it in the operating
// system's cache (a cold first read would otherwise slow whichever side opens it first). The
// first export is opened KEYTRAIL_BENCH_ROUNDS times by keytrail and by the baseline, taking
// turns; the table shows keytrail's median run, and the ratio is median against median (each
// round's own ratio is printed as well). Larger exports are opened once.
//
// For each keytrail run (the file is opened with the file picker, a fresh browser context):
//   - time to first rows and to all events: window.__keytrail.firstRowsMs / doneMs (the page's
//     performance.now() from the file being handed over to the first rows shown / all decoded);
//     MB/s (10^6 bytes) and events/s from doneMs;
//   - peak tab memory, two ways:
//       * RSS of the Chromium renderer process hosting the page: processes of this browser whose
//         command line has --type=renderer are sampled from /proc every 100 ms (VmRSS), and each
//         one's kernel high-water mark (VmHWM, reset through /proc/PID/clear_refs before the
//         file is opened) is read at the end. The page and its Web Worker live in that one
//         process, so this is everything the tab costs: both JS heaps, the worker's wasm linear
//         memory (the decoder and its buffers), the page's wasm memory (the rows, as columns),
//         the DOM and the engine itself. It is the figure to compare with the 1.5 GB target.
//       * the main thread's V8 heap (CDP Performance.getMetrics JSHeapUsedSize/TotalSize, every
//         250 ms). It excludes the worker and every wasm memory (an ArrayBuffer outside the V8
//         heap), so it only shows that the page's JS objects stay small.
//   - long tasks on the main thread while decoding: a PerformanceObserver('longtask') registered
//     by addInitScript before the page's scripts; count and longest between the file being opened
//     and the end of the task that marked it decoded;
//   - sort and filter latency over all rows: window.__keytrail.selectMs after clicking
//     th[data-column=time] (ascending) and after typing into [data-testid=search]; the wall time
//     from the click/typing to the page showing the result is printed as well.
// The saxes baseline (bench/saxes.mjs) streams the same file from disk in Node.js and keeps the
// same fields; the native baseline is `keytrail summary FILE` (one thread, output discarded),
// timed as a whole process. Their events/s are compared with keytrail's in the tab.
// The DOMParser baseline page is served by this script's own server on the same origin: it reads
// the picked file with File.text(), parses it with DOMParser('text/xml') and extracts the same
// fields (EventID, time, record id, computer, SubjectUserName/Domain/Sid/LogonId, ProviderName,
// AlgorithmName, KeyName, KeyType, Operation, ReturnCode) into one array per field, on the main
// thread, as the page a user would otherwise write. Its memory is measured the same way.
// A crashed tab is reported as a result, not hidden.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { launchChromium, CHROMIUM } from '../lib/browser.mjs';
import { warmCache } from '../lib/files.mjs';
import { dist, keytrailBin } from '../lib/paths.mjs';
import { closeServer, originOf, serveDist } from '../lib/server.mjs';
import { saxesBaseline } from './saxes.mjs';

const SIZES = (process.env.KEYTRAIL_BENCH_SIZES ?? '100MB,1GB').split(',').map((s) => s.trim()).filter(Boolean);
const CACHE = process.env.KEYTRAIL_BENCH_DIR ?? '/tmp';
const ROUNDS = Math.max(1, Number(process.env.KEYTRAIL_BENCH_ROUNDS ?? 3));
const FORMATS = (process.env.KEYTRAIL_BENCH_FORMATS ?? process.env.KEYTRAIL_BENCH_FORMAT ?? 'event-viewer,wevtutil')
  .split(',').map((s) => s.trim()).filter(Boolean);
const extOf = (format) => (format === 'evtx' ? 'evtx' : 'xml');
const TIMEOUT = 45 * 60_000;
// How long after the page is ready the file is opened (ms; default 0: at once). A person takes
// seconds to choose a file, during which the browser finishes optimising the warmed-up code.
const SETTLE_MS = Math.max(0, Number(process.env.KEYTRAIL_BENCH_SETTLE_MS ?? 0));

const mb = (bytes) => bytes / 1e6;
const mib = (bytes) => bytes / 2 ** 20;
const fmt = (x, digits = 0) => (x == null || Number.isNaN(x) ? 'n/a' : x.toFixed(digits));
const log = (...a) => console.log(...a);

// --- the exports ------------------------------------------------------------------------------

function exportFile(size, format) {
  const path = join(CACHE, `keytrail-bench-${size}-${format}.${extOf(format)}`);
  if (!existsSync(path)) {
    if (!existsSync(keytrailBin)) throw new Error(`no CLI at ${keytrailBin}: cargo build --release, or set KEYTRAIL_BIN`);
    log(`generating ${path} …`);
    const t = Date.now();
    execFileSync(keytrailBin, ['generate', '--size', size, '--format', format, '-o', path], { stdio: 'inherit' });
    log(`  ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  return { path, bytes: statSync(path).size, format };
}

/** The native single-thread `keytrail summary` on `file`: the whole process, ms. */
function nativeSummary(file) {
  const t = process.hrtime.bigint();
  execFileSync(keytrailBin, ['summary', '--jobs', '1', file.path], { stdio: 'ignore', maxBuffer: 1 << 28 });
  return { label: 'native keytrail summary', totalMs: Number(process.hrtime.bigint() - t) / 1e6, bytes: file.bytes };
}

/** The run with the median `key` (the lower middle one of an even count). */
function median(runs, key) {
  const ok = runs.filter((r) => !r.error);
  if (ok.length === 0) return runs[0];
  return [...ok].sort((a, b) => key(a) - key(b))[(ok.length - 1) >> 1];
}

// --- the renderer processes -------------------------------------------------------------------

/** Every process below this one: pid → { ppid, cmd }. */
function processTree() {
  const all = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      all.set(Number(name), { ppid });
    } catch {
      // gone
    }
  }
  const mine = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, { ppid }] of all) {
      if (!mine.has(pid) && mine.has(ppid)) {
        mine.add(pid);
        grew = true;
      }
    }
  }
  mine.delete(process.pid);
  return mine;
}

/** This browser's renderer processes (their command line has --type=renderer). */
function renderers() {
  const out = [];
  for (const pid of processTree()) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes('--type=renderer')) out.push(pid);
    } catch {
      // gone
    }
  }
  return out;
}

/** VmRSS and VmHWM of a process in bytes, or null when it is gone. */
function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** Resets the kernel's peak-RSS mark of a process (Linux: write 5 to clear_refs). */
function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Samples the renderers' RSS every 100 ms and the main thread's JS heap every 250 ms until
 * stopped; returns the peaks.
 */
function startSampling(cdp) {
  const pids = renderers();
  const resettable = pids.every(resetPeak);
  const peak = { rssMax: 0, rssSum: 0, perPid: new Map(), heapUsed: 0, heapTotal: 0, samples: 0 };
  // Finding the renderers walks /proc: done every 2 s only, so that sampling stays cheap (a few
  // reads of /proc/PID/status every 100 ms) next to the 2 cores the browser needs.
  let current = pids;
  const tick = () => {
    if (peak.samples % 20 === 19) current = renderers();
    let sum = 0;
    for (const pid of current) {
      const m = memoryOf(pid);
      if (!m) continue;
      sum += m.rss;
      peak.rssMax = Math.max(peak.rssMax, m.rss);
      peak.perPid.set(pid, Math.max(peak.perPid.get(pid) ?? 0, m.rss));
    }
    peak.rssSum = Math.max(peak.rssSum, sum);
    peak.samples++;
  };
  tick();
  const rssTimer = setInterval(tick, 100);
  let heapBusy = false;
  const heapTimer = setInterval(async () => {
    if (heapBusy) return;
    heapBusy = true;
    try {
      const { metrics } = await cdp.send('Performance.getMetrics');
      const get = (name) => metrics.find((m) => m.name === name)?.value ?? 0;
      peak.heapUsed = Math.max(peak.heapUsed, get('JSHeapUsedSize'));
      peak.heapTotal = Math.max(peak.heapTotal, get('JSHeapTotalSize'));
    } catch {
      // the page is gone (crashed)
    }
    heapBusy = false;
  }, 250);
  return () => {
    clearInterval(rssTimer);
    clearInterval(heapTimer);
    tick();
    // The kernel's high-water marks, exact, for the processes that were reset.
    let hwm = 0;
    for (const pid of renderers()) hwm = Math.max(hwm, memoryOf(pid)?.hwm ?? 0);
    return { ...peak, hwm: resettable ? hwm : null, renderers: pids.length };
  };
}

// --- the pages ---------------------------------------------------------------------------------

function watchLongTasks() {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, ms: e.duration });
  }).observe({ type: 'longtask', buffered: true });
}

const BASELINE_HTML = `<!doctype html><meta charset=utf-8><title>DOMParser baseline</title>
<input type=file id=file><p id=status>ready</p><script src="/__baseline.js"></script>`;

// The page a user would write without keytrail: read, parse, walk the DOM, keep the fields.
const BASELINE_JS = `
const FIELDS = ['SubjectUserName', 'SubjectDomainName', 'SubjectUserSid', 'SubjectLogonId', 'ProviderName',
  'AlgorithmName', 'KeyName', 'KeyType', 'Operation', 'ReturnCode'];
document.getElementById('file').addEventListener('change', async (e) => {
  const file = e.target.files[0];
  const t0 = performance.now();
  try {
    let text = await file.text();
    // A wevtutil export has no root element: wrap it in one, as a user would have to.
    if (!text.slice(0, 4096).includes('<Events')) text = '<Events>' + text + '</Events>';
    const t1 = performance.now();
    const doc = new DOMParser().parseFromString(text, 'text/xml');
    const t2 = performance.now();
    const error = doc.getElementsByTagName('parsererror')[0];
    if (error) throw new Error('parsererror: ' + error.textContent.slice(0, 200));
    const cols = { eventId: [], time: [], recordId: [], computer: [] };
    for (const f of FIELDS) cols[f] = [];
    const child = (el, name) => { for (let c = el.firstElementChild; c; c = c.nextElementSibling) if (c.localName === name) return c; return null; };
    for (const ev of doc.getElementsByTagName('Event')) {
      const sys = child(ev, 'System');
      cols.eventId.push(Number(child(sys, 'EventID')?.textContent));
      cols.time.push(child(sys, 'TimeCreated')?.getAttribute('SystemTime') ?? null);
      cols.recordId.push(Number(child(sys, 'EventRecordID')?.textContent));
      cols.computer.push(child(sys, 'Computer')?.textContent ?? null);
      const data = {};
      const ed = child(ev, 'EventData');
      if (ed) for (const d of ed.getElementsByTagName('Data')) data[d.getAttribute('Name')] = d.textContent;
      for (const f of FIELDS) cols[f].push(data[f] ?? null);
    }
    const t3 = performance.now();
    window.__baseline = { done: true, events: cols.eventId.length, readMs: t1 - t0, parseMs: t2 - t1, extractMs: t3 - t2, totalMs: t3 - t0,
      with5059: cols.eventId.filter((id) => id === 5059).length, keyNames: cols.KeyName.filter((k) => k != null).length };
  } catch (err) {
    window.__baseline = { done: true, error: String(err), totalMs: performance.now() - t0 };
  }
  document.getElementById('status').textContent = 'done';
});
`;

/** Opens `file` in keytrail in a fresh context and measures everything. */
async function runKeytrail(browser, origin, file, label) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(watchLongTasks);
  const page = await context.newPage();
  let crashed = false;
  page.on('crash', () => (crashed = true));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(origin + '/');
  await page.waitForSelector('[data-testid=drop-zone][data-ready=true]');
  if (SETTLE_MS > 0) await page.waitForTimeout(SETTLE_MS);
  const openedAt = await page.evaluate(() => performance.now());
  const stop = startSampling(cdp);
  const wall = Date.now();
  const result = { label, bytes: file.bytes };
  try {
    await page.setInputFiles('[data-testid=file-input]', file.path);
    await page.waitForFunction(() => window.__keytrail?.doneMs != null, null, { timeout: TIMEOUT, polling: 500 });
  } catch (err) {
    result.error = crashed ? 'the tab crashed' : String(err).split('\n')[0];
  }
  result.memory = stop();
  result.wallMs = Date.now() - wall;
  if (result.error) {
    result.crashed = crashed;
    await context.close().catch(() => {});
    return result;
  }
  Object.assign(result, await page.evaluate(() => ({ ...window.__keytrail })));
  result.events = Number(await page.textContent('[data-testid=event-count]'));
  result.problems = await page.$$eval('[data-testid=problem-count]', (e) => (e[0] ? Number(e[0].textContent) : 0));
  const tasks = await page.evaluate(() => window.__longTasks);
  const decoding = tasks.filter((t) => t.start >= openedAt && t.start <= openedAt + result.doneMs);
  result.longTasks = { count: decoding.length, longest: Math.max(0, ...decoding.map((t) => t.ms)), over100: decoding.filter((t) => t.ms > 100).length };

  // Sort by time, then search, over everything loaded.
  const before = tasks.length;
  let t = Date.now();
  await page.click('th[data-column=time] button');
  await page.waitForSelector('th[data-column=time][aria-sort=ascending]', { timeout: TIMEOUT });
  result.sort = { selectMs: await page.evaluate(() => window.__keytrail.selectMs), wallMs: Date.now() - t };
  const total = Number(await page.textContent('[data-testid=row-count]'));
  t = Date.now();
  await page.fill('[data-testid=search]', 'svc-backup');
  await page.waitForFunction((total) => {
    const n = Number(document.querySelector('[data-testid=row-count]').textContent);
    return n > 0 && n < total;
  }, total, { timeout: TIMEOUT });
  result.filter = {
    selectMs: await page.evaluate(() => window.__keytrail.selectMs),
    wallMs: Date.now() - t,
    rows: Number(await page.textContent('[data-testid=row-count]')),
  };
  const after = (await page.evaluate(() => window.__longTasks)).slice(before);
  result.interactionLongest = Math.max(0, ...after.map((t) => t.ms));
  await context.close();
  return result;
}

/** The DOMParser baseline on `file`, in a fresh context of the same browser. */
async function runBaseline(browser, origin, file) {
  const context = await browser.newContext();
  const page = await context.newPage();
  let crashed = false;
  page.on('crash', () => (crashed = true));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(origin + '/__baseline.html');
  const stop = startSampling(cdp);
  const result = { label: 'DOMParser baseline', bytes: file.bytes };
  try {
    await page.setInputFiles('#file', file.path);
    await page.waitForFunction(() => window.__baseline?.done, null, { timeout: TIMEOUT, polling: 500 });
    Object.assign(result, await page.evaluate(() => window.__baseline));
  } catch (err) {
    result.error = crashed ? 'the tab crashed' : String(err).split('\n')[0];
  }
  result.memory = stop();
  await context.close().catch(() => {});
  return result;
}

// --- the run ----------------------------------------------------------------------------------

if (!existsSync(join(dist, 'index.html'))) throw new Error(`${dist}/index.html is missing: trunk build --release --offline`);
const served = [];
const server = await serveDist(served, {
  extra: {
    '/__baseline.html': { type: 'text/html; charset=utf-8', body: BASELINE_HTML },
    '/__baseline.js': { type: 'text/javascript; charset=utf-8', body: BASELINE_JS },
  },
});
const origin = originOf(server);
const browser = await launchChromium();
const load = [loadavg()[0]];
/** Per format: keytrail's results per size, and the baselines' runs on the first size. */
const byFormat = [];
const dump = (r) => JSON.stringify({ ...r, memory: r.memory && { ...r.memory, perPid: Object.fromEntries(r.memory.perPid) } });
try {
  for (const format of FORMATS) {
    const files = Object.fromEntries(SIZES.map((size) => [size, exportFile(size, format)]));
    const results = [];
    const baselines = { dom: [], saxes: [], native: [] };
    for (const size of SIZES) {
      const file = files[size];
      warmCache(file.path);
      const compared = size === SIZES[0];
      const xml = format !== 'evtx';
      const runs = [];
      for (let round = 0; round < (compared ? ROUNDS : 1); round++) {
        log(`${format}: keytrail, ${size} (${fmt(mb(file.bytes), 1)} MB), run ${round + 1} …`);
        runs.push(await runKeytrail(browser, origin, file, size));
        log(dump(runs.at(-1)));
        if (!compared) continue;
        log(`${format}: native summary, run ${round + 1} …`);
        baselines.native.push(nativeSummary(file));
        log(JSON.stringify(baselines.native.at(-1)));
        if (!xml) continue;
        log(`${format}: DOMParser baseline, run ${round + 1} …`);
        baselines.dom.push(await runBaseline(browser, origin, file));
        log(dump(baselines.dom.at(-1)));
        log(`${format}: saxes in Node.js, run ${round + 1} …`);
        baselines.saxes.push({ label: 'saxes', bytes: file.bytes, ...(await saxesBaseline(file.path, { fragment: format === 'wevtutil' })) });
        log(JSON.stringify(baselines.saxes.at(-1)));
      }
      results.push({ ...median(runs, (r) => r.doneMs), runs });
    }
    byFormat.push({ format, results, baselines });
  }
} finally {
  await browser.close();
  await closeServer(server);
}
load.push(loadavg()[0]);

// --- the summary ------------------------------------------------------------------------------

const version = (() => {
  try {
    return execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'chromium';
  }
})();
const memLine = (m) =>
  `${fmt(mib(m.rssMax))} MiB RSS (sampled)` + (m.hwm != null ? `, ${fmt(mib(m.hwm))} MiB VmHWM` : '') +
  `; main-thread JS heap ≤ ${fmt(mib(m.heapUsed), 1)} MiB used / ${fmt(mib(m.heapTotal), 1)} MiB total`;
const lines = [];
lines.push(`### Browser scale run — ${new Date().toISOString().slice(0, 10)}`);
lines.push('');
lines.push(`Machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, ${fmt(totalmem() / 2 ** 30, 1)} GiB RAM; ${version}, headless; ` +
  `load average ${fmt(load[0], 2)} → ${fmt(load[1], 2)}. Command: \`cd e2e && npm run bench:scale\` (${SIZES.join(', ')}; ${FORMATS.join(', ')}).`);
lines.push('');
lines.push('| format | file | events | first rows | all events | MB/s | events/s | peak tab RSS (renderer) | main JS heap | long tasks (decoding) | longest | sort by time | search |');
lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const { format, results } of byFormat) {
  for (const r of results) {
    if (r.error) {
      lines.push(`| ${format} | ${r.label} (${fmt(mb(r.bytes))} MB) | **${r.error}** after ${fmt(r.wallMs / 1000, 1)} s | | | | | ${fmt(mib(r.memory.rssMax))} MiB at the end | | | | | |`);
      continue;
    }
    const secs = r.doneMs / 1000;
    lines.push(
      `| ${format} | ${r.label} (${fmt(mb(r.bytes))} MB) | ${r.events.toLocaleString('en-US')} | ${fmt(r.firstRowsMs)} ms | ${fmt(secs, 2)} s | ` +
        `${fmt(mb(r.bytes) / secs, 1)} | ${fmt(r.events / secs)} | ${fmt(mib(Math.max(r.memory.rssMax, r.memory.hwm ?? 0)))} MiB | ` +
        `${fmt(mib(r.memory.heapUsed), 1)} MiB | ${r.longTasks.count} (${r.longTasks.over100} > 100 ms) | ${fmt(r.longTasks.longest)} ms | ` +
        `${fmt(r.sort.selectMs)} ms | ${fmt(r.filter.selectMs)} ms |`,
    );
  }
}
lines.push('');
lines.push(`On the first size, each side's median of ${ROUNDS} rounds (taking turns), events/s, and keytrail in the tab against it (targets: ≥ 1× native summary, ≥ 12× DOMParser, ≥ 2× saxes):`);
lines.push('');
lines.push('| format | keytrail in the tab | native `keytrail summary` (1 thread) | DOMParser (same browser) | saxes (Node.js) |');
lines.push('|---|---|---|---|---|');
const rateOf = (events, ms) => events / (ms / 1000);
for (const { format, results, baselines } of byFormat) {
  const first = results[0];
  if (!first || first.error) continue;
  const k = rateOf(first.events, first.doneMs);
  const cell = (runs, key) => {
    const ok = runs.filter((r) => !r.error);
    if (runs.length === 0) return '—';
    if (ok.length === 0) return `**${runs[0].error}**`;
    const m = median(ok, key);
    const rate = rateOf(first.events, key(m));
    const rounds = first.runs.map((r, i) => [r, runs[i]]).filter(([r, b]) => r && b && !r.error && !b.error)
      .map(([r, b]) => fmt(rateOf(first.events, r.doneMs) / rateOf(first.events, key(b)), 2) + '×').join(', ');
    const events = m.events != null && m.events !== first.events ? ` (counted ${m.events.toLocaleString('en-US')} events)` : '';
    return `${fmt(rate)} in ${fmt(key(m) / 1000, 2)} s → **${fmt(k / rate, 2)}×** (rounds ${rounds})${events}`;
  };
  lines.push(`| ${format} | ${fmt(k)} in ${fmt(first.doneMs / 1000, 2)} s | ${cell(baselines.native, (r) => r.totalMs)} | ` +
    `${cell(baselines.dom, (r) => r.totalMs)} | ${cell(baselines.saxes, (r) => r.totalMs)} |`);
}
lines.push('');
for (const { format, results, baselines } of byFormat) {
  for (const r of results) {
    if (r.error) continue;
    lines.push(`- ${format} ${r.label}: memory ${memLine(r.memory)}; ${r.problems} problems; sort wall ${r.sort.wallMs} ms, search wall ${r.filter.wallMs} ms ` +
      `(${r.filter.rows.toLocaleString('en-US')} rows), longest task while sorting/searching ${fmt(r.interactionLongest)} ms.`);
  }
  const dom = baselines.dom.filter((b) => !b.error);
  if (dom.length) {
    const b = median(dom, (x) => x.totalMs);
    lines.push(`- ${format} DOMParser median: File.text() ${fmt(b.readMs)} ms, DOMParser ${fmt(b.parseMs)} ms, field extraction ${fmt(b.extractMs)} ms; ` +
      `peak renderer RSS ${fmt(mib(Math.max(b.memory.rssMax, b.memory.hwm ?? 0)))} MiB.`);
  }
}
log('\n----- BENCHMARKS.md -----\n' + lines.join('\n') + '\n-------------------------');
