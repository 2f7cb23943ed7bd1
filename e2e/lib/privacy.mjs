// What the privacy suites share (tests/privacy.test.mjs on the served page, and
// tests/single-file.test.mjs on dist/keytrail.html): what counts as a network request, where a
// page could keep data, and a tour of the viewer that touches every feature once a file is open.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';

/**
 * An HTTP proxy on 127.0.0.1 that refuses everything and records it in `log` (`METHOD URL`,
 * `CONNECT host:port`): a browser context sent through it shows anything that would go out.
 */
export async function recordingProxy(log) {
  const proxy = createServer((req, res) => {
    log.push(`${req.method} ${req.url}`);
    res.writeHead(403).end();
  });
  proxy.on('connect', (req, socket) => {
    log.push(`CONNECT ${req.url}`);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise((ok) => proxy.listen(0, '127.0.0.1', ok));
  return proxy;
}

/**
 * Object URLs made in the tab (the CSV/JSON downloads) and data: URLs (Chromium's own icons for
 * the date inputs, from its user-agent style sheet) are not network requests. A data: image
 * made by the page would be refused by the CSP (img-src 'self') and fail the console check.
 */
export const network = (url) => !url.startsWith('blob:') && !url.startsWith('data:');

/** What the user's data could be recognised by: names from the files' XML, and file names. */
export function needlesOf(names, texts) {
  const found = new Set(names);
  const re = /<(?:Data Name=['"](?:SubjectUserName|TargetUserName|SubjectDomainName|TargetDomainName|KeyName|SubjectUserSid|TargetUserSid|KeyFilePath|ProcessName|IpAddress)['"]|Computer)>([^<]+)</g;
  for (const text of texts) for (const [, v] of text.matchAll(re)) found.add(v.trim());
  // Too short or too common to mean anything on their own ("-", "SYSTEM", "0x0"…).
  return [...found].filter((v) => (v.length >= 4 || /[^\x00-\x7f]/.test(v)) && !/^(?:SYSTEM|NT AUTHORITY|LOCAL SERVICE|NETWORK SERVICE|-|0x[0-9a-f]+)$/i.test(v));
}

// Kept as JSON (gloo's storage): a string setting is a quoted string.
const SETTINGS = { 'keytrail.lang': ['"en"', '"ja"'], 'keytrail.theme': ['"system"', '"light"', '"dark"'] };

/**
 * Every place a page can keep data: only the two settings may be there, and no data. With
 * `opaqueOrigin` (a file:// page), a store the browser refuses to open (a SecurityError: no
 * origin to keep it for) holds nothing; any other failure still fails.
 */
export async function assertNothingStored({ context, page }, needles, { opaqueOrigin = false } = {}) {
  assert.deepEqual(await context.cookies(), [], 'cookies');
  const stored = await page.evaluate(async (opaqueOrigin) => {
    const read = async (what, empty) => {
      try {
        return await what();
      } catch (e) {
        if (opaqueOrigin && e?.name === 'SecurityError') return empty;
        return `unreadable: ${e}`;
      }
    };
    const opfs = await read(async () => {
      const names = [];
      for await (const name of (await navigator.storage.getDirectory()).keys()) names.push(name);
      return names;
    }, []);
    return {
      cookie: await read(() => document.cookie, ''),
      local: await read(() => Object.entries(localStorage), []),
      session: await read(() => Object.entries(sessionStorage), []),
      indexedDB: await read(async () => (await indexedDB.databases()).map((d) => d.name), []),
      caches: await read(() => caches.keys(), []),
      opfs,
      serviceWorkers: await read(async () => (await navigator.serviceWorker.getRegistrations()).length, 0),
    };
  }, opaqueOrigin);
  assert.deepEqual(
    { ...stored, local: [] },
    { cookie: '', local: [], session: [], indexedDB: [], caches: [], opfs: [], serviceWorkers: 0 },
    'storage',
  );
  for (const [key, value] of stored.local) {
    assert.ok(Object.hasOwn(SETTINGS, key), `localStorage holds ${key}`);
    assert.ok(SETTINGS[key].includes(value), `localStorage ${key} = ${JSON.stringify(value).slice(0, 200)}`);
  }
  assert.ok(needles.length > 0);
  const everything = JSON.stringify(stored);
  assert.deepEqual(needles.filter((n) => everything.includes(n)), [], 'names from the files found in storage');
}

/** Uses the viewer over what is loaded: sort, search, filters, detail, languages, theme, exports. */
export async function useEverything(page, search) {
  const total = Number(await page.textContent('[data-testid=row-count]'));
  await page.click('th[data-column=time] button');
  await page.waitForSelector('th[data-column=time][aria-sort=ascending]');
  await page.fill('[data-testid=search]', search);
  await page.waitForFunction((total) => Number(document.querySelector('[data-testid=row-count]').textContent) < total, total);
  await page.fill('[data-testid=search]', '');
  await page.waitForFunction((total) => Number(document.querySelector('[data-testid=row-count]').textContent) === total, total);
  await page.locator('[data-testid=events-table] tbody tr.row').first().click();
  await page.waitForSelector('[data-testid=event-detail] [data-testid=detail-xml]');
  await page.selectOption('[data-testid=lang]', 'ja');
  await page.waitForFunction(() => /サンプル/.test(document.querySelector('[data-testid=load-sample]').textContent));
  await page.selectOption('[data-testid=theme]', 'dark');
  await page.waitForSelector('.theme-dark');
  await page.selectOption('[data-testid=lang]', 'en');
  await page.waitForFunction(() => /Load sample data/.test(document.querySelector('[data-testid=load-sample]').textContent));
  for (const button of ['export-csv', 'export-json']) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=${button}]`)]);
    assert.ok((await readFile(await download.path())).length > 0);
  }
}

