// The single file, dist/keytrail.html (issue 15): the whole viewer in one HTML file, opened by
// double-click (file://) with no server and no network.
//
// Its packing (scripts/pack.mjs) is checked without a browser: a Content-Security-Policy with no
// 'unsafe-inline' whose hashes are those of its one inline script and one inline style, no
// reference to any other file, data blocks that unpack to the very files Trunk built, and a size
// within 1.4x the gzipped total of the served assets.
//
// In headless Chromium, from a copy in a folder whose name has spaces and non-ASCII characters,
// with a recording proxy for anything that would go out: the privacy suite where ZERO requests
// are allowed (the one exception being the browser's own load of the document itself, and the
// workers' scripts, which come from Blob URLs the page makes in memory), the sample, a generated
// XML export by the picker, an .evtx by drop, pasted text, the viewer's features, the findings
// flow and its export, all with every worker started.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { launchChromium } from '../lib/browser.mjs';
import { dist, fixtures, keytrailBin } from '../lib/paths.mjs';
import { closeServer, originOf } from '../lib/server.mjs';
import { loaded } from '../lib/harness.mjs';
import { assertNothingStored, needlesOf, network, recordingProxy, useEverything } from '../lib/privacy.mjs';
import { cliCounts } from '../lib/cli.mjs';
import { BLOCKS, SINGLE_FILE, cspHash, inert, stripExports } from '../../scripts/pack.mjs';

const single = join(dist, SINGLE_FILE);
let html;
let scratch;
let fileUrl;
let proxy;
const proxied = [];
let browser;

before(async () => {
  if (!existsSync(single)) {
    throw new Error(`${single} is missing: \`trunk build --release --offline\` makes it (Trunk.toml, post_build hook)`);
  }
  html = await readFile(single, 'utf8');
  scratch = await mkdtemp(join(tmpdir(), 'keytrail-single-'));
  // A folder name as users have them: spaces, Japanese, an em dash, parentheses.
  const folder = join(scratch, 'ログ レビュー — keytrail (copy)');
  await mkdir(folder);
  await copyFile(single, join(folder, SINGLE_FILE));
  fileUrl = pathToFileURL(join(folder, SINGLE_FILE)).href;
  proxy = await recordingProxy(proxied);
  browser = await launchChromium({ args: ['--disable-features=AutofillServerCommunication'] });
});

after(async () => {
  await browser?.close();
  await closeServer(proxy);
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** The CSP meta tag's directives: name → sources. */
function policy(text) {
  const content = text.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/)?.[1];
  assert.ok(content, 'the single file has a CSP meta tag');
  return Object.fromEntries(content.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
}


/** A data block's bytes, unpacked. */
function block(id) {
  const b64 = html.match(new RegExp(`<script type="application/octet-stream" id="${id}">([^<]*)</script>`))?.[1];
  assert.ok(b64, `data block ${id}`);
  return gunzipSync(Buffer.from(b64, 'base64'));
}

/**
 * A fresh context and page on the single file, every request recorded (by the context: page
 * and workers; by a CDP session: the page's own; by the proxy: anything that would go out), ready
 * when the drop zone says every worker is.
 */
async function openSingle(t, { locale = 'en-US' } = {}) {
  const context = await browser.newContext({ locale, acceptDownloads: true, proxy: { server: originOf(proxy) } });
  t.after(() => context.close());
  const log = { phase: 'load', requests: [], cdp: [] };
  context.on('request', (r) => log.requests.push({ phase: log.phase, url: r.url() }));
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  cdp.on('Network.requestWillBeSent', (e) => log.cdp.push({ phase: log.phase, url: e.request.url }));
  await cdp.send('Network.enable');
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const proxiedBefore = proxied.length;
  await page.goto(fileUrl, { waitUntil: 'load' });
  await page.waitForSelector('[data-testid=drop-zone][data-ready=true]');
  log.phase = 'ready';
  return {
    context,
    page,
    log,
    errors,
    mark(phase) {
      log.phase = phase;
    },
    /**
     * Zero requests: the document's own load is the only one; everything else the browser
     * lists is in memory: the workers' scripts and the downloads (Blob URLs made in the tab),
     * and Chromium's own date-input icons (data: URLs of its user-agent style sheet).
     */
    assertNoRequests() {
      const all = [...log.requests, ...log.cdp];
      const doc = (r) => r.phase === 'load' && r.url === fileUrl;
      assert.deepEqual(all.filter((r) => !doc(r) && network(r.url)).map((r) => `${r.phase} ${r.url}`), [], 'requests');
      assert.equal(log.requests.filter(doc).length, 1, 'the document itself, once');
      assert.deepEqual(proxied.slice(proxiedBefore), [], 'requests went out through the proxy');
      assert.deepEqual(errors, [], 'console errors (CSP violations show up here)');
    },
  };
}

describe('single file', () => {
  test('the packing step refuses what it cannot inline safely', () => {
    const glue = 'function __wbg_init() {}\nfunction initSync() {}\nexport { initSync, __wbg_init as default };\n';
    assert.equal(stripExports(glue), 'function __wbg_init() {}\nfunction initSync() {}\nconst __keytrail_init = __wbg_init;');
    assert.throws(() => stripExports('function f() {}\n'), /no `export/);
    assert.throws(() => stripExports('export { f };\n'), /no default/);
    assert.throws(() => stripExports('export { f as default };\nexport const x = 1;\n'), /more than one export/);
    assert.throws(() => inert('a = "</script>"', 'x'), /closing tag/);
    assert.throws(() => inert('b { } /* <!-- */', 'x'), /closing tag/);
    assert.equal(inert('a < b && c > d', 'x'), 'a < b && c > d');
  });

  test('packing: a strict CSP by hashes, no other file named, the very bytes Trunk built, within 1.4x', async () => {
    const csp = policy(html);
    const index = await readFile(join(dist, 'index.html'), 'utf8');
    const servedStyleHash = index.match(/style-src 'self' ('sha256-[^']+')/)?.[1];
    assert.ok(servedStyleHash, 'the served page allows the report\'s stylesheet by hash');
    const inlineScripts = [...html.matchAll(/<script(?![^>]*type="application\/octet-stream")[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
    assert.equal(inlineScripts.length, 1, 'one inline script');
    assert.equal(styles.length, 1, 'one inline style');
    assert.deepEqual(csp, {
      'default-src': ["'none'"],
      'script-src': [cspHash(inlineScripts[0]), "'wasm-unsafe-eval'"],
      // The page's stylesheet, and the report's (a report opened from the page inherits its
      // policy), as in the served page's policy.
      'style-src': [cspHash(styles[0]), servedStyleHash],
      'worker-src': ['blob:'],
      'base-uri': ["'none'"],
      'form-action': ["'none'"],
    });
    assert.doesNotMatch(html, /'unsafe-inline'|'unsafe-eval'|'unsafe-hashes'/);
    assert.doesNotMatch(html, /\s(src|href)=/, 'no attribute names another file');
    // Addresses only in the glue's comments (wasm-bindgen links to documentation).
    const addressed = html.split('\n').filter((line) => /https?:\/\//.test(line) && !/^\s*\/\/ /.test(line));
    assert.deepEqual(addressed, [], 'no address of any site outside a comment');

    // The data blocks hold what Trunk built, byte for byte (names from dist/index.html).
    const appWasm = index.match(/data-wasm=\/?([^\s>]+)/)[1];
    assert.ok(block(BLOCKS.appWasm).equals(await readFile(join(dist, appWasm))), 'page wasm');
    assert.ok(block(BLOCKS.workerWasm).equals(await readFile(join(dist, 'worker_bg.wasm'))), 'worker wasm');
    assert.ok(block(BLOCKS.workerJs).equals(await readFile(join(dist, 'worker.js'))), 'worker glue');
    assert.ok(block(BLOCKS.sample).equals(await readFile(join(dist, 'sample', 'keytrail-sample.xml'))), 'sample');

    // Size: the served assets (every file Trunk wrote but the single file), each gzipped.
    const served = [];
    for (const entry of await readdir(dist, { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name !== SINGLE_FILE) served.push(join(entry.parentPath ?? entry.path, entry.name));
    }
    let servedGz = 0;
    for (const path of served) servedGz += gzipSync(await readFile(path), { level: 9 }).length;
    const singleGz = gzipSync(html, { level: 9 }).length;
    console.log(`# single file ${singleGz} B gzipped, served assets ${servedGz} B gzipped (${served.length} files): ${(singleGz / servedGz).toFixed(3)}x`);
    assert.ok(singleGz <= 1.4 * servedGz, `${singleGz} > 1.4 x ${servedGz}`);
  });

  test('the sample, every feature, nothing stored: zero requests', { timeout: 120_000 }, async (t) => {
    const session = await openSingle(t);
    const { page } = session;
    // Every decoding worker is up before the input is accepted (a chain of at least two here).
    assert.ok(page.workers().length >= 2, `${page.workers().length} workers`);
    assert.ok(page.workers().every((w) => w.url().startsWith('blob:')), 'workers from Blob URLs');
    session.mark('sample');
    await page.click('[data-testid=load-sample]');
    assert.equal(await loaded(page), 700);
    await useEverything(page, 'svc-backup');
    session.assertNoRequests();
    await assertNothingStored(session, needlesOf(['keytrail-sample.xml'], [block(BLOCKS.sample).toString('utf8')]), { opaqueOrigin: true });
  });

  test('a generated XML export by the picker, an .evtx by drop, pasted text: zero requests', { timeout: 180_000 }, async (t) => {
    assert.ok(existsSync(keytrailBin), `no keytrail CLI at ${keytrailBin} (cargo build --release, or set KEYTRAIL_BIN)`);
    const xml = join(scratch, 'generated-wevtutil.xml');
    // Large enough to be split between workers (ingest::chain::SPLIT_BYTES is 4 MiB).
    execFileSync(keytrailBin, ['generate', '--events', '8000', '--format', 'wevtutil', '-o', xml], { stdio: 'ignore' });
    const xmlText = await readFile(xml, 'utf8');
    assert.ok(xmlText.length > 5 * 1024 * 1024, 'the export is split between workers');
    const evtxName = 'Security_short_selected.evtx';
    const evtx = await readFile(join(fixtures, 'evtx', evtxName));
    const pasted = await readFile(join(fixtures, 'docs-5059-seed.txt'), 'utf8');

    const session = await openSingle(t);
    const { page } = session;
    session.mark('picked');
    await page.setInputFiles('[data-testid=file-input]', xml);
    assert.equal(await loaded(page), 8000);
    // What the CLI decodes from the same .evtx file, to the event.
    const want = JSON.parse(execFileSync(keytrailBin, ['summary', join(fixtures, 'evtx', evtxName), '--format', 'json'])).events;
    session.mark('dropped');
    const dataTransfer = await page.evaluateHandle(([name, b64]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name));
      return dt;
    }, [evtxName, evtx.toString('base64')]);
    await page.locator('[data-testid=drop-zone]').dispatchEvent('drop', { dataTransfer });
    assert.equal(await loaded(page), 8000 + want);
    assert.equal(await page.locator('table.files tr').count(), 2);
    session.mark('pasted');
    await page.click('[data-testid=paste-toggle]');
    await page.fill('[data-testid=paste-box]', pasted);
    await page.click('[data-testid=paste-decode]');
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=event-count]')?.textContent) > n, 8000 + want);
    await loaded(page);
    await useEverything(page, 'svc-backup');
    session.assertNoRequests();
    await assertNothingStored(session, needlesOf(['generated-wevtutil.xml', evtxName], [xmlText, pasted]), { opaqueOrigin: true });
  });

  test('the findings flow: chips as the CLI counts, a click filters, the export follows', { timeout: 120_000 }, async (t) => {
    const session = await openSingle(t);
    const { page } = session;
    await page.click('[data-testid=load-sample]');
    assert.equal(await loaded(page), 700);
    await page.waitForSelector('[data-testid=findings]');
    const sample = join(scratch, 'sample.xml');
    await writeFile(sample, block(BLOCKS.sample));
    const counts = cliCounts(sample);
    const chip = (id) => page.locator(`[data-testid=findings] .chip[data-rule="${id}"]`);
    for (const id of ['export-any', 'machine-key-export-not-system', 'failed-key-operations']) {
      assert.equal(Number(await chip(id).getAttribute('data-count')), counts[id] ?? 0, id);
    }
    const machine = counts['machine-key-export-not-system'];
    assert.ok(machine >= 1);
    await chip('machine-key-export-not-system').click();
    await page.waitForFunction((n) => document.querySelector('[data-testid=row-count]').textContent === String(n), machine);
    const [json] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-json]')]);
    const exported = JSON.parse(await readFile(await json.path(), 'utf8'));
    assert.equal(exported.length, machine);
    assert.ok(exported.every((r) => r.findings.includes('machine-key-export-not-system')));
    // The report opens from the single file as from the served page: in a tab of its own
    // (a Blob URL), styled (its stylesheet allowed by hash), the sample's SHA-256 in it.
    const [tab] = await Promise.all([session.context.waitForEvent('page'), page.click('[data-testid=report]')]);
    const tabErrors = [];
    tab.on('console', (m) => m.type() === 'error' && tabErrors.push(m.text()));
    await tab.waitForLoadState('load');
    assert.match(tab.url(), /^blob:/);
    const hash = createHash('sha256').update(block(BLOCKS.sample)).digest('hex');
    assert.equal(await tab.textContent('[data-sha256]'), hash);
    const styled = await tab.evaluate(() => getComputedStyle(document.querySelector('table')).borderCollapse);
    assert.equal(styled, 'collapse', 'the report\'s stylesheet applies');
    assert.deepEqual(tabErrors, [], 'no CSP violation in the report');
    session.assertNoRequests();
  });
});
