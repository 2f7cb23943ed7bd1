// "Nothing leaves the tab" (issue 4), proven in headless Chromium against the built page.
//
// Every request is recorded by four independent witnesses:
//   1. the browser context (`context.on('request')`): the page, its frames and its Web Workers
//      (the workers' own loads, worker.js and worker_bg.wasm, must show up there: asserted);
//   2. a CDP Network session on the page (`Network.requestWillBeSent`). It sees the page's own
//      requests but not the worker's, which tells them apart: the two worker loads must be in
//      witness 1 and not in 2, and the sample's fetch must be in both (made by the page);
//   3. the static server's own log (everything that reached the page's origin);
//   4. for anything else: every context goes through a recording HTTP proxy (any host but
//      127.0.0.1), and a "foreign" server listens on 127.0.0.1 at another port — a different
//      origin that the tests also use as the target of the XXE fixture's external entities.
//      The proxy sees the browser's own traffic too, not only the page's: Chromium's autofill
//      field-type queries (CONNECT content-autofill.googleapis.com, sent by the browser when the
//      filter form with its search and date inputs appears, i.e. after a file is opened; form
//      signatures, no field values) are switched off with
//      --disable-features=AutofillServerCommunication so that anything else is caught.
//
// Files are opened by drop, by the file picker and by paste: the bundled sample ("Load sample
// data"), an export made by the project's generator and every hostile fixture. The assertions:
//   - no request ever goes to another origin (witnesses 1-4);
//   - no request at all once a file is opened. The one exception is the sample: "Load sample
//     data" fetches the page's own static file sample/keytrail-sample.xml, and that fetch IS how
//     the sample gets opened. So from the click to the end of the test exactly one request may
//     happen, a GET of that URL (made by the page, not the worker), and the server must see
//     exactly that one path; everything after it (decoding, sorting, searching, the detail pane,
//     language and theme switches, CSV/JSON export) makes none;
//   - no event data is stored: no cookie, nothing in sessionStorage, IndexedDB
//     (indexedDB.databases()), the Cache API (caches.keys()), the origin-private file system or
//     a service worker; localStorage holds at most the two settings (keytrail.lang with en/ja,
//     keytrail.theme with system/light/dark), and no stored key or value contains any account
//     name, key name, computer name or file name of the files opened.
// And the Content-Security-Policy: the meta tag is there with its directives, and a deliberate
// fetch, image and beacon to another origin from the page's own context are blocked by it
// (securitypolicyviolation events; the foreign server and the proxy see nothing).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../lib/browser.mjs';
import { dist, fixtures, keytrailBin } from '../lib/paths.mjs';
import { closeServer, originOf, serveDist } from '../lib/server.mjs';
import { loaded } from '../lib/harness.mjs';
import { assertNothingStored, needlesOf, network, recordingProxy, useEverything } from '../lib/privacy.mjs';

let server;
let foreign;
let proxy;
let browser;
let origin;
let foreignOrigin;
let scratch;
const served = [];
const foreignHits = [];
const proxied = [];

before(async () => {
  if (!existsSync(join(dist, 'index.html'))) {
    throw new Error(`${dist}/index.html is missing: run \`trunk build --release --offline\` first`);
  }
  scratch = await mkdtemp(join(tmpdir(), 'keytrail-privacy-'));
  server = await serveDist(served);
  origin = originOf(server);
  foreign = createServer((req, res) => {
    foreignHits.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'access-control-allow-origin': '*' }).end('x');
  });
  await new Promise((ok) => foreign.listen(0, '127.0.0.1', ok));
  foreignOrigin = originOf(foreign);
  proxy = await recordingProxy(proxied);
  browser = await launchChromium({ args: ['--disable-features=AutofillServerCommunication'] });
});

after(async () => {
  await browser?.close();
  await Promise.all([closeServer(server), closeServer(foreign), closeServer(proxy)]);
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** A fresh context and page with every witness attached; waits until the worker is ready. */
async function openPage(t, { locale = 'en-US' } = {}) {
  const context = await browser.newContext({
    locale,
    acceptDownloads: true,
    // Everything not for 127.0.0.1 goes to the recording proxy (which refuses it).
    proxy: { server: originOf(proxy), bypass: '127.0.0.1' },
  });
  t.after(() => context.close());
  const log = { phase: 'load', requests: [], cdp: [], websockets: [], workers: [] };
  const entries = new Map();
  context.on('request', (r) => {
    if (!network(r.url())) return;
    const entry = { phase: log.phase, method: r.method(), url: r.url(), type: r.resourceType() };
    entries.set(r, entry);
    log.requests.push(entry);
  });
  context.on('requestfailed', (r) => {
    if (entries.has(r)) entries.get(r).failed = r.failure()?.errorText;
  });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  cdp.on('Network.requestWillBeSent', (e) => network(e.request.url) && log.cdp.push({ phase: log.phase, url: e.request.url }));
  cdp.on('Network.webSocketCreated', (e) => log.websockets.push(e.url));
  await cdp.send('Network.enable');
  page.on('websocket', (ws) => log.websockets.push(ws.url()));
  page.on('worker', (w) => log.workers.push(w.url()));
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const hitsBefore = { foreign: foreignHits.length, proxied: proxied.length };
  const servedAtBegin = served.length;
  await page.goto(origin + '/', { waitUntil: 'load' });
  await page.waitForSelector('[data-testid=drop-zone][data-ready=true]');
  log.phase = 'ready';
  const servedAtReady = served.length;
  return {
    context,
    page,
    log,
    errors,
    /** Marks the moment a file is opened (or the sample asked for). */
    mark(phase) {
      log.phase = phase;
      return served.length;
    },
    /** Witnesses 1-4: nothing ever left for another origin. */
    assertSameOrigin() {
      const all = [...log.requests.map((r) => r.url), ...log.cdp.map((r) => r.url), ...log.websockets];
      assert.deepEqual(all.filter((u) => !u.startsWith(origin + '/')), [], 'requests to another origin');
      assert.deepEqual(foreignHits.slice(hitsBefore.foreign), [], 'the foreign origin was contacted');
      assert.deepEqual(proxied.slice(hitsBefore.proxied), [], 'requests went out through the proxy');
      // The workers' own loads are recorded by the context (witness 1) and, being the workers',
      // not by the page's CDP session (witness 2): so witness 1 covers the workers. There are
      // two, the decoding worker and the second one it starts for large files, and each loads
      // its script and its wasm once, before the page is ready.
      const path = (list) => list.filter((r) => r.phase === 'load').map((r) => new URL(r.url).pathname).sort();
      const byWorker = path(log.requests).filter((p) => !path(log.cdp).includes(p));
      assert.deepEqual(byWorker, ['/worker.js', '/worker.js', '/worker_bg.wasm', '/worker_bg.wasm'], 'the workers\' own loads');
      assert.deepEqual(path(log.requests), served.slice(servedAtBegin, servedAtReady).sort(), 'server and browser saw the same loads');
      assert.deepEqual(errors, [], 'console errors (CSP violations show up here)');
    },
    /** Nothing at all since `since` (from `mark`), in any witness, after phase `phase`. */
    assertSilentSince(phase, servedBefore) {
      const late = (list) => list.filter((r) => r.phase === phase).map((r) => r.url);
      assert.deepEqual(late(log.requests), [], `requests after ${phase}`);
      assert.deepEqual(late(log.cdp), [], `requests after ${phase} (CDP)`);
      assert.deepEqual(served.slice(servedBefore), [], `server saw requests after ${phase}`);
    },
  };
}


describe('privacy', () => {
  test('the Content-Security-Policy is there and blocks other origins', { timeout: 60_000 }, async (t) => {
    const session = await openPage(t);
    const { page, log } = session;
    const csp = await page.getAttribute('meta[http-equiv=Content-Security-Policy]', 'content');
    const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v.join(' ')]));
    assert.deepEqual(
      {
        'default-src': directives['default-src'],
        'script-src': directives['script-src'],
        'connect-src': directives['connect-src'],
        'img-src': directives['img-src'],
        'worker-src': directives['worker-src'],
        'object-src': directives['object-src'],
        'base-uri': directives['base-uri'],
        'form-action': directives['form-action'],
      },
      {
        'default-src': "'none'",
        'script-src': "'self' 'wasm-unsafe-eval'",
        'connect-src': "'self'",
        'img-src': "'self'",
        'worker-src': "'self'",
        'object-src': "'none'",
        'base-uri': "'none'",
        'form-action': "'none'",
      },
      `CSP: ${csp}`,
    );
    // Styles: the page's own file, and one inline stylesheet by its hash: the report's, which
    // opens from a blob: URL that keeps this policy (tests/report.rs checks it is that one).
    assert.match(directives['style-src'], /^'self' 'sha256-[A-Za-z0-9+/]{43}='$/, `CSP: ${csp}`);
    const sources = Object.values(directives).join(' ').split(/\s+/);
    assert.deepEqual(
      sources.filter((s) => ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", '*'].includes(s) || /:/.test(s)),
      [],
      'no inline, eval, wildcard or scheme/host source',
    );
    assert.equal(await page.getAttribute('meta[name=referrer]', 'content'), 'no-referrer');
    assert.equal(await page.locator('script:not([src])').count(), 0, 'no inline scripts');
    session.assertSameOrigin();

    // Now try to leak from the page's own context: each attempt must be refused by the policy
    // before it becomes a request.
    log.phase = 'attempts';
    const servedBefore = served.length;
    const outcome = await page.evaluate(async (target) => {
      const violations = [];
      const seen = (n) =>
        new Promise((ok) => {
          const check = () => (violations.length >= n ? ok() : setTimeout(check, 10));
          check();
        });
      document.addEventListener('securitypolicyviolation', (e) =>
        violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI }),
      );
      let fetched;
      try {
        await fetch(`${target}/leak?event=5059`, { mode: 'no-cors' });
        fetched = 'sent';
      } catch (e) {
        fetched = e.name;
      }
      const img = new Image();
      const imageLoaded = new Promise((ok) => {
        img.onload = () => ok('loaded');
        img.onerror = () => ok('error');
      });
      img.src = `${target}/pixel.png?event=5059`;
      document.body.append(img);
      const image = await imageLoaded;
      img.remove();
      let beacon;
      try {
        beacon = navigator.sendBeacon(`${target}/beacon`, 'event=5059');
      } catch (e) {
        beacon = e.name;
      }
      let remote;
      try {
        await fetch('https://example.com/collect', { mode: 'no-cors' });
        remote = 'sent';
      } catch (e) {
        remote = e.name;
      }
      await seen(4);
      return { fetched, image, beacon, remote, violations };
    }, foreignOrigin);
    assert.equal(outcome.fetched, 'TypeError', 'fetch to another origin fails');
    assert.equal(outcome.image, 'error', 'image from another origin does not load');
    assert.equal(outcome.remote, 'TypeError', 'fetch to a remote site fails');
    assert.deepEqual(
      outcome.violations.map((v) => `${v.directive} ${v.blocked}`).sort(),
      [
        `connect-src ${foreignOrigin}/beacon`,
        `connect-src ${foreignOrigin}/leak?event=5059`,
        'connect-src https://example.com/collect',
        `img-src ${foreignOrigin}/pixel.png?event=5059`,
      ].sort(),
    );
    t.diagnostic(`sendBeacon returned ${outcome.beacon}`);
    // Blocked before leaving: neither the foreign server nor the proxy saw anything. (Chromium
    // announces the image before its CSP check refuses it, so the context lists it, failed with
    // the reason "csp"; the fetches and the beacon are refused before that.)
    assert.deepEqual(foreignHits, [], 'the foreign origin was contacted');
    assert.deepEqual(proxied, [], 'requests went out through the proxy');
    assert.deepEqual(served.slice(servedBefore), []);
    assert.deepEqual(
      log.requests.filter((r) => r.phase === 'attempts' && r.failed !== 'csp'),
      [],
      'the attempts made no request that was not blocked by the CSP',
    );
    // The blocked attempts are console errors (that is how page.test.mjs catches CSP violations).
    assert.ok(session.errors.length >= 4 && session.errors.every((e) => /Content Security Policy/.test(e)), session.errors.join('\n'));
  });

  test('the bundled sample: one request for its own file, then none', { timeout: 120_000 }, async (t) => {
    const session = await openPage(t);
    const { page, log } = session;
    const before = session.mark('sample');
    await page.click('[data-testid=load-sample]');
    assert.equal(await loaded(page), 700);
    await useEverything(page, 'svc-backup');
    session.assertSameOrigin();
    const asked = log.requests.filter((r) => r.phase === 'sample');
    assert.deepEqual(
      asked.map((r) => `${r.type} ${r.method} ${r.url}`),
      [`fetch GET ${origin}/sample/keytrail-sample.xml`],
      'after "Load sample data": exactly one request, its own file',
    );
    // Made by the page (the page's CDP session saw it), not by the worker.
    assert.deepEqual(log.cdp.filter((r) => r.phase === 'sample').map((r) => r.url), [`${origin}/sample/keytrail-sample.xml`]);
    assert.deepEqual(served.slice(before), ['/sample/keytrail-sample.xml']);
    const sample = await readFile(join(dist, 'sample', 'keytrail-sample.xml'), 'utf8');
    await assertNothingStored(session, needlesOf(['keytrail-sample.xml'], [sample]));
  });

  test('a generated export by the file picker: no request after opening', { timeout: 180_000 }, async (t) => {
    // The test command builds the CLI first: without it this fails rather than skips.
    const bin = keytrailBin;
    assert.ok(existsSync(bin), `no keytrail CLI at ${bin} (cargo build --release, or set KEYTRAIL_BIN)`);
    const path = join(scratch, 'generated-event-viewer-utf16le.xml');
    execFileSync(bin, ['generate', '--events', '3000', '--format', 'event-viewer', '--encoding', 'utf16le', '-o', path], { stdio: 'ignore' });
    const text = (await readFile(path)).subarray(2).toString('utf16le');
    const session = await openPage(t);
    const { page } = session;
    const before = session.mark('opened');
    await page.setInputFiles('[data-testid=file-input]', path);
    assert.equal(await loaded(page), 3000);
    await useEverything(page, 'svc-backup');
    session.assertSameOrigin();
    session.assertSilentSince('opened', before);
    await assertNothingStored(session, needlesOf(['generated-event-viewer-utf16le.xml'], [text]));
  });

  test('every hostile fixture dropped at once: no request after dropping', { timeout: 120_000 }, async (t) => {
    const names = [
      'hostile-markup.xml', 'hostile-billion-laughs.xml', 'hostile-xxe.xml', 'hostile-deep-nesting.xml',
      'hostile-many-attributes.xml', 'hostile-invalid-utf8.xml', 'hostile-utf16-unpaired-surrogate.xml',
      'hostile-nul-bytes.xml', 'hostile-truncated.xml', 'broken-middle.xml', 'not-xml.png', 'not-xml.zip',
      'not-xml.evtx', 'empty.xml', 'no-events.xml', 'other-xml.xml',
    ];
    const files = [];
    for (const name of names) {
      let bytes = await readFile(join(fixtures, name));
      // The XXE fixture's external entities point at a closed port; point them at the foreign
      // origin instead, so that a resolver that tried would be seen there.
      if (name === 'hostile-xxe.xml') bytes = Buffer.from(bytes.toString('utf8').replaceAll('http://127.0.0.1:9/', `${foreignOrigin}/`));
      files.push([name, bytes.toString('base64')]);
    }
    const xxe = Buffer.from(files.find(([n]) => n === 'hostile-xxe.xml')[1], 'base64').toString('utf8');
    assert.ok(xxe.includes(`${foreignOrigin}/`) && !xxe.includes('http://127.0.0.1:9/'), 'the XXE entities point at the foreign origin');
    const session = await openPage(t);
    const { page } = session;
    const dataTransfer = await page.evaluateHandle((files) => {
      const dt = new DataTransfer();
      for (const [name, b64] of files) {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        dt.items.add(new File([bytes], name, { type: 'text/xml' }));
      }
      return dt;
    }, files);
    const before = session.mark('opened');
    await page.locator('[data-testid=drop-zone]').dispatchEvent('drop', { dataTransfer });
    // 3+2+2+2+2+3+3+3+3+4 events in the XML fixtures, none in the 6 that are not event XML.
    assert.equal(await loaded(page), 27);
    assert.equal(await page.locator('table.files tr').count(), names.length);
    await useEverything(page, 'svc-backup');
    session.assertSameOrigin();
    session.assertSilentSince('opened', before);
    const texts = await Promise.all(names.filter((n) => n.endsWith('.xml')).map((n) => readFile(join(fixtures, n), 'utf8')));
    await assertNothingStored(session, needlesOf(names, texts));
  });

  test('pasted text: no request after pasting', { timeout: 60_000 }, async (t) => {
    const markup = await readFile(join(fixtures, 'hostile-markup.xml'), 'utf8');
    const docs = await readFile(join(fixtures, 'docs-5059-seed.txt'), 'utf8');
    const session = await openPage(t, { locale: 'ja-JP' });
    const { page } = session;
    const before = session.mark('opened');
    for (const [text, total] of [[markup, 3], [docs, 4]]) {
      await page.click('[data-testid=paste-toggle]');
      await page.fill('[data-testid=paste-box]', text);
      await page.click('[data-testid=paste-decode]');
      await page.waitForFunction((n) => document.querySelector('[data-testid=event-count]')?.textContent === String(n), total);
    }
    assert.equal(await loaded(page), 4);
    await useEverything(page, 'dadmin');
    session.assertSameOrigin();
    session.assertSilentSince('opened', before);
    await assertNothingStored(session, needlesOf([], [markup, docs]));
  });

  test('a file picked the moment the input shows waits for every worker: no request after it is opened', { timeout: 120_000 }, async (t) => {
    // The workers' wasm comes slowly, so that the page is surely still loading when the file is
    // picked; the first worker starts the second only once it has its own code, so both loads
    // are late.
    const log = [];
    const slow = await serveDist([], { delayMs: (path) => (path === '/worker_bg.wasm' ? 700 : 0) });
    t.after(() => closeServer(slow));
    const context = await browser.newContext({ proxy: { server: originOf(proxy), bypass: '127.0.0.1' } });
    t.after(() => context.close());
    context.on('requestfinished', (r) => network(r.url()) && log.push({ url: r.url(), start: r.timing().startTime }));
    context.on('requestfailed', (r) => network(r.url()) && log.push({ url: r.url(), start: r.timing().startTime, failed: true }));
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(originOf(slow) + '/', { waitUntil: 'commit' });
    await page.waitForSelector('[data-testid=file-input]', { state: 'attached' });
    await page.setInputFiles('[data-testid=file-input]', join(fixtures, 'wevtutil.xml'));
    assert.equal(await page.getAttribute('[data-testid=drop-zone]', 'data-ready'), 'false', 'the file came before the workers');
    const expected = (await readFile(join(fixtures, 'wevtutil.xml'), 'utf8')).split('<Event xmlns').length - 1;
    // Held, not lost: it is read once the workers are there.
    assert.equal(await loaded(page), expected);
    const handedOver = await page.evaluate(() => performance.timeOrigin + window.__keytrail.openedAt);
    const workerLoads = log.filter((r) => /worker(_bg\.wasm|\.js)$/.test(new URL(r.url).pathname));
    assert.equal(workerLoads.length, 4, 'both workers loaded their script and wasm');
    assert.deepEqual(log.filter((r) => r.start >= handedOver).map((r) => r.url), [], 'requests after the file was opened');
    assert.deepEqual(errors, []);
  });
});
