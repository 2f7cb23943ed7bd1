// End-to-end tests of the built page (dist/, from `trunk build --release --offline`) in the
// system Chromium. Every wait is on a page state (a selector or a function), never a timer.
//
// Privacy checks: a tiny static server in this file serves dist/ and logs every request it gets;
// the browser context records every request the page or its worker makes. No request may go to
// another origin, and none at all may happen once a file has been opened.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '..', '..');
const dist = join(root, 'dist');
const fixtures = join(root, 'tests', 'fixtures');
const artifacts = join(root, 'e2e', 'artifacts');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Serves dist/ on 127.0.0.1 (a free port); `log` receives every request path. */
async function serveDist(log) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    log.push(path);
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

// --- input files -----------------------------------------------------------------------------

/** One `wevtutil qe Security /f:xml` 5059 event with record number `n`. */
function event5059(n) {
  return (
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>" +
    "<Provider Name='Microsoft-Windows-Security-Auditing' Guid='{54849625-5478-4994-a5ba-3e3b0328c30d}'/>" +
    '<EventID>5059</EventID><Version>1</Version><Level>0</Level><Task>12292</Task><Opcode>0</Opcode>' +
    "<Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime='2025-03-04T09:15:22.4421007Z'/>" +
    `<EventRecordID>${4700 + n}</EventRecordID><Correlation/><Execution ProcessID='712' ThreadID='1288'/>` +
    '<Channel>Security</Channel><Computer>WS01.corp.example</Computer><Security/></System><EventData>' +
    "<Data Name='SubjectUserSid'>S-1-5-18</Data><Data Name='SubjectUserName'>WS01$</Data>" +
    "<Data Name='SubjectDomainName'>CORP</Data><Data Name='SubjectLogonId'>0x3e7</Data>" +
    "<Data Name='ProviderName'>Microsoft Software Key Storage Provider</Data>" +
    "<Data Name='AlgorithmName'>RSA</Data><Data Name='KeyName'>le-1f2e</Data>" +
    "<Data Name='KeyType'>%%2499</Data><Data Name='Operation'>%%2464</Data>" +
    "<Data Name='ReturnCode'>0x0</Data></EventData></Event>\r\n"
  );
}

const events = (n) => Array.from({ length: n }, (_, i) => event5059(i)).join('');
const utf8 = (text) => Buffer.from(text, 'utf8');
const utf16le = (text) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);

/** A file for `setInputFiles`. */
const upload = (name, buffer) => ({ name, mimeType: 'text/xml', buffer });

/** A fixture from tests/fixtures, or null when it does not exist (yet). */
async function fixture(name) {
  const path = join(fixtures, name);
  return existsSync(path) ? upload(name, await readFile(path)) : null;
}

// --- the browser -----------------------------------------------------------------------------

let server;
let browser;
let origin;
const served = [];

before(async () => {
  if (!existsSync(join(dist, 'index.html'))) {
    throw new Error('dist/index.html is missing: run `trunk build --release --offline` first');
  }
  await mkdir(artifacts, { recursive: true });
  server = await serveDist(served);
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((ok) => (server ? server.close(ok) : ok()));
});

/**
 * Opens the page in a fresh context and waits until the worker is ready. Returns the page, its
 * request log, the console errors and a function that marks "a file is being opened now".
 */
async function openPage(t, colorScheme = 'light') {
  const context = await browser.newContext({ colorScheme, viewport: { width: 1100, height: 700 } });
  t.after(() => context.close());
  const requests = [];
  let phase = 'load';
  // Anything not on our origin is refused before it leaves, and recorded.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    return url.startsWith(origin + '/') ? route.continue() : route.abort();
  });
  context.on('request', (req) => requests.push({ url: req.url(), phase }));
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(origin + '/', { waitUntil: 'load' });
  await page.waitForSelector('[data-testid=drop-zone][data-ready=true]');
  const servedAtReady = served.length;
  return {
    page,
    requests,
    errors,
    opening: () => {
      phase = 'opened';
      return servedAtReady;
    },
  };
}

/** Waits until the page shows `n` events and no file is still being decoded. */
async function waitForEvents(page, n) {
  await page.waitForFunction(
    (n) => {
      const count = document.querySelector('[data-testid=event-count]')?.textContent;
      const progress = document.querySelector('[data-testid=progress]');
      return count === String(n) && progress?.dataset.busy === 'false';
    },
    n,
  );
}

const eventCount = (page) => page.textContent('[data-testid=event-count]');

/** The privacy checks every test ends with. */
function assertPrivate({ requests, errors }, servedBefore) {
  const foreign = requests.filter((r) => !r.url.startsWith(origin + '/'));
  assert.deepEqual(foreign, [], 'requests to another origin');
  const late = requests.filter((r) => r.phase === 'opened');
  assert.deepEqual(late, [], 'requests after a file was opened');
  assert.equal(served.length, servedBefore, `server saw requests after opening: ${served.slice(servedBefore)}`);
  assert.deepEqual(errors, [], 'console errors (CSP violations show up here)');
}

// --- tests -----------------------------------------------------------------------------------

describe('keytrail page', () => {
  test('starts empty, under its Content-Security-Policy', async (t) => {
    const session = await openPage(t);
    const { page, requests } = session;
    assert.equal(await eventCount(page), '0');
    const csp = await page.getAttribute('meta[http-equiv=Content-Security-Policy]', 'content');
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(await page.locator('script:not([src])').count(), 0, 'no inline scripts');
    // The worker and its wasm were loaded before any file.
    assert.ok(requests.some((r) => r.url.endsWith('/worker_bg.wasm')), 'worker wasm loaded');
    await page.screenshot({ path: join(artifacts, '01-ready-light.png') });
    assertPrivate(session, served.length);
  });

  test('dark colour scheme', async (t) => {
    const { page } = await openPage(t, 'dark');
    await page.screenshot({ path: join(artifacts, '02-ready-dark.png') });
  });

  test('opens the documentation sample: 1 event', async (t) => {
    const file = await fixture('docs-5059-seed.txt');
    if (!file) return t.skip('tests/fixtures/docs-5059-seed.txt not there yet');
    const session = await openPage(t);
    const before = session.opening();
    await session.page.setInputFiles('[data-testid=file-input]', file);
    await waitForEvents(session.page, 1);
    await session.page.screenshot({ path: join(artifacts, '03-docs-sample.png') });
    assertPrivate(session, before);
  });

  test('opens a PowerShell UTF-16LE export', async (t) => {
    const file = await fixture('powershell-utf16le.xml');
    if (!file) return t.skip('tests/fixtures/powershell-utf16le.xml not there yet');
    const expected = (file.buffer.toString('utf16le').match(/<Event[\s>]/g) ?? []).length;
    const session = await openPage(t);
    const before = session.opening();
    await session.page.setInputFiles('[data-testid=file-input]', file);
    await waitForEvents(session.page, expected);
    assert.equal(await session.page.textContent('[data-testid=problems] .quiet'), 'No problems found.');
    assertPrivate(session, before);
  });

  test('several files in UTF-8 and UTF-16LE: counts add up', async (t) => {
    const session = await openPage(t);
    const { page } = session;
    const before = session.opening();
    await page.setInputFiles('[data-testid=file-input]', [
      upload('wevtutil-utf8.xml', utf8(events(3))),
      upload('powershell-utf16le.xml', utf16le(events(4))),
    ]);
    await waitForEvents(page, 7);
    // Opening more files later adds to the count.
    await page.setInputFiles('[data-testid=file-input]', upload('more.xml', utf8(events(2))));
    await waitForEvents(page, 9);
    assert.equal(await page.locator('table.files tr').count(), 3);
    await page.screenshot({ path: join(artifacts, '04-several-files.png') });
    assertPrivate(session, before);
  });

  test('a broken event is listed as a problem and counted as skipped', async (t) => {
    const session = await openPage(t);
    const { page } = session;
    const before = session.opening();
    const text = events(2) + '<Event><System><EventID>5059</EventID></Oops></Event>\r\n' + events(1);
    await page.setInputFiles('[data-testid=file-input]', upload('broken.xml', utf8(text)));
    await waitForEvents(page, 3);
    const problems = page.locator('[data-testid=problems] li');
    assert.ok((await problems.count()) >= 1);
    // Where (line and column, event number) and why, as the decoder words it.
    assert.match(await problems.first().textContent(), /^(line \d+, column \d+|\d+:\d+): event \d+: \S/);
    assert.ok(Number(await page.textContent('[data-testid=skipped-count]')) >= 1);
    await page.screenshot({ path: join(artifacts, '05-problems.png') });
    assertPrivate(session, before);
  });

  test('files dropped on the page are decoded', async (t) => {
    const session = await openPage(t, 'dark');
    const { page } = session;
    const before = session.opening();
    const zone = page.locator('[data-testid=drop-zone]');
    const dataTransfer = await page.evaluateHandle(
      ([a, b]) => {
        const dt = new DataTransfer();
        dt.items.add(new File([a], 'dropped-utf8.xml', { type: 'text/xml' }));
        dt.items.add(new File([new Uint8Array(b)], 'dropped-utf16le.xml', { type: 'text/xml' }));
        return dt;
      },
      [events(2), [...utf16le(events(3))]],
    );
    await zone.dispatchEvent('dragenter', { dataTransfer });
    await zone.dispatchEvent('dragover', { dataTransfer });
    await page.waitForSelector('.drop-zone.dragging .drop-overlay');
    await page.screenshot({ path: join(artifacts, '06-dragging.png') });
    await zone.dispatchEvent('drop', { dataTransfer });
    await waitForEvents(page, 5);
    assert.equal(await page.locator('.drop-zone.dragging').count(), 0);
    await page.screenshot({ path: join(artifacts, '07-dropped.png') });
    assertPrivate(session, before);
  });
});
