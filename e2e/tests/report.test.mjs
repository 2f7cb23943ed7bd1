// The report (issue 15): the page's "Report" button opens it in a new tab from a blob: URL; it is
// printed to PDF by headless Chromium on A4 and on Letter, read back with pdftotext (file hashes,
// counts, finding rows, Japanese headings) and looked at as images with pdftoppm (nothing cut off
// at the margins, the table headers repeated on every page of findings). The CLI's report of the
// same files holds the same findings and counts, and the CLI's report of every hostile fixture,
// opened in Chromium, runs nothing, injects nothing and requests nothing.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loaded, usePage } from '../lib/harness.mjs';
import { fixtures, keytrailBin } from '../lib/paths.mjs';

const env = usePage();
let scratch;

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'keytrail-report-'));
});

after(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const FILES = ['event-viewer.xml', 'broken-middle.xml', 'hostile-markup.xml'];
const sha256 = async (name) => createHash('sha256').update(await readFile(join(fixtures, name))).digest('hex');

/** `keytrail report NAMES -o OUT` run in tests/fixtures (so that file names match the page's). */
function cliReport(names, out, ...args) {
  try {
    execFileSync(keytrailBin, ['report', ...names, '-o', out, ...args], { cwd: fixtures, stdio: 'pipe' });
  } catch (e) {
    // Status 3: an event was lost (broken-middle.xml); the report is written all the same.
    if (e.status !== 3) throw e;
  }
  return out;
}

/**
 * The page with `names` loaded, in `locale`; clicks "Report" and gives the report's tab, with
 * every request made from the click on, and every console message and dialog of the tab.
 */
async function pageReport(t, names, locale = 'en-US', query = '') {
  const context = await env.browser.newContext({ locale, timezoneId: 'UTC', viewport: { width: 1280, height: 900 } });
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(env.origin + '/' + query);
  await page.waitForSelector('[data-testid=drop-zone][data-ready=true]');
  await page.setInputFiles('[data-testid=file-input]', names.map((n) => (n.startsWith('/') ? n : join(fixtures, n))));
  await loaded(page);
  const requests = [];
  context.on('request', (r) => requests.push(r.url()));
  const [tab] = await Promise.all([context.waitForEvent('page'), page.click('[data-testid=report]')]);
  const messages = [];
  tab.on('console', (m) => messages.push(m.text()));
  tab.on('dialog', (d) => {
    messages.push(`dialog: ${d.message()}`);
    d.dismiss();
  });
  await tab.waitForLoadState('load');
  return { page, tab, requests, messages };
}

/** The PDF's text, one string per page (pdftotext in the order it was drawn: a table cell's
 * lines stay together, so that a hash wrapped in its cell reads whole once spaces are taken out). */
function pdfPages(pdf) {
  const text = execFileSync('pdftotext', ['-raw', pdf, '-'], { maxBuffer: 1 << 26 }).toString();
  return text.split('\f').filter((p, i, all) => i < all.length - 1 || p.trim() !== '');
}

/** The pages of `pdf` as greyscale images at 50 dpi: `[{ width, height, pixels }]` (pdftoppm, PGM). */
async function pdfImages(pdf, prefix) {
  execFileSync('pdftoppm', ['-r', '50', '-gray', pdf, prefix]);
  const dir = join(prefix, '..');
  const base = prefix.split('/').pop();
  const names = (await readdir(dir)).filter((n) => n.startsWith(base + '-') && n.endsWith('.pgm')).sort();
  const images = [];
  for (const name of names) {
    const bytes = await readFile(join(dir, name));
    // "P5\n<width> <height>\n255\n" then one byte per pixel.
    const header = bytes.subarray(0, 64).toString('latin1').match(/^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/);
    const [, width, height] = header.map(Number);
    images.push({ width, height, pixels: bytes.subarray(header[0].length) });
  }
  return images;
}

/** Whether columns `from … to-1` of an image are blank (near white) from top to bottom. */
function blankColumns({ width, height, pixels }, from, to) {
  for (let y = 0; y < height; y++) {
    for (let x = from; x < to; x++) if (pixels[y * width + x] < 240) return false;
  }
  return true;
}

/** What the report holds, read from its DOM: the numbers and rows the CLI and the page must share. */
function reportFacts() {
  const all = (sel, f) => [...document.querySelectorAll(sel)].map(f);
  const text = (el) => el.textContent;
  return {
    files: all('tr[data-file]', (tr) => [...tr.cells].map(text)),
    range: document.querySelector('#range').textContent,
    events: all('tr[data-event-id], tr[data-total]', (tr) => [...tr.cells].map(text)),
    problems: all('tr[data-problem]', (tr) => [...tr.cells].map(text)),
    rules: all('h3[data-rule]', (h) => [h.dataset.rule, h.dataset.needs, h.dataset.routine]),
    findings: all('tr[data-finding]', (tr) => [...tr.cells].map(text)),
    chart: all('tr[data-account]', (tr) => [...tr.cells].map(text)),
    rulesJson: document.querySelector('[data-rules]').textContent,
  };
}

describe('report', () => {
  test('the page prints its report on A4 and Letter: hashes, counts, findings, nothing cut off', { timeout: 120_000 }, async (t) => {
    const { tab, requests, messages } = await pageReport(t, FILES);
    assert.match(tab.url(), /^blob:/);
    assert.deepEqual(requests.filter((u) => !u.startsWith('blob:')), [], 'no request from the click on');
    assert.deepEqual(messages, [], 'no console message (no policy violation), no dialog');
    // Its stylesheet applies (allowed by its hash under the page's policy, which a blob: keeps).
    assert.equal(await tab.evaluate(() => getComputedStyle(document.querySelector('h1')).fontSize), '21.3333px');
    const facts = await tab.evaluate(reportFacts);
    assert.deepEqual(
      facts.files.map((row) => [row[0], row[4], row[5], row[6]]),
      [['event-viewer.xml', '16', '0', '0'], ['broken-middle.xml', '4', '1', '1'], ['hostile-markup.xml', '3', '0', '0']],
    );
    const hashes = await Promise.all(FILES.map(sha256));
    assert.deepEqual(facts.files.map((row) => row[2]), hashes, 'SHA-256 taken after the load');

    // Laid out for print at the content width of each page (A4 182 mm, Letter 188 mm, at 96
    // px per inch), no cell's content is wider than its cell: nothing overlaps its neighbour.
    await tab.emulateMedia({ media: 'print' });
    for (const width of [688, 710]) {
      await tab.setViewportSize({ width, height: 1000 });
      const overflowing = await tab.evaluate(() =>
        [...document.querySelectorAll('td, th, pre, h1, h2, h3, p')]
          .filter((el) => el.scrollWidth > el.clientWidth + 1)
          .map((el) => el.outerHTML.slice(0, 120)),
      );
      assert.deepEqual(overflowing, [], `${width}px: content wider than its box`);
    }

    for (const format of ['A4', 'Letter']) {
      const pdf = join(scratch, `page-${format}.pdf`);
      await tab.pdf({ path: pdf, format, printBackground: true });
      const pages = pdfPages(pdf);
      assert.ok(pages.length >= 5, `${format}: a page per section (${pages.length})`);
      const flat = pages.join('\n').replace(/\s+/g, '');
      for (const hash of hashes) assert.ok(flat.includes(hash), `${format}: ${hash}`);
      for (const heading of ['Files reviewed', 'Events per ID', 'Problems in the input', 'Findings', 'Key events per account', 'Rules in force', 'Reviewed by']) {
        assert.ok(flat.includes(heading.replace(/\s+/g, '')), `${format}: ${heading}`);
      }
      assert.ok(flat.includes('5059Keymigrationoperation11'), `${format}: events per ID`);
      assert.ok(flat.includes('Total23'), `${format}: total`);
      assert.ok(flat.includes('CONTOSO-CA01-CA') && flat.includes('0x5a1f3c@CA01.contoso.local'), `${format}: a finding row`);
      assert.ok(flat.includes('&lt;img') === false && flat.includes('<imgsrc=xonerror=alert(1)>'), `${format}: the hostile key name as text`);
      // Page numbers: "N / total" on every page.
      pages.forEach((p, i) => assert.match(p, new RegExp(`\\b${i + 1} / ${pages.length}\\b`), `${format}: page ${i + 1}`));
      // Every page of findings repeats the table's header: the pages from the findings' heading
      // to the chart's with a finding's date on them.
      const from = pages.findIndex((p) => p.includes('Each rule in force'));
      const to = pages.findIndex((p) => p.includes('Key events per account'));
      assert.ok(from > 0 && to > from, `${format}: findings on pages ${from + 1} to ${to}`);
      for (const p of pages.slice(from, to).filter((p) => /\d{4}-\d\d-\d\d/.test(p))) {
        assert.match(p, /Time \(UTC\)[\s\S]*Logon/, `${format}: header repeated`);
      }
      // Nothing reaches into the right or left margin (14 mm, ~27 px at 50 dpi): every page's
      // outer 8 mm columns are blank; content is there, inside them.
      const images = await pdfImages(pdf, join(scratch, `page-${format}`));
      assert.equal(images.length, pages.length);
      for (const [i, image] of images.entries()) {
        const margin = Math.round((8 / 25.4) * 50);
        assert.ok(blankColumns(image, image.width - margin, image.width), `${format}: page ${i + 1}, right margin blank`);
        assert.ok(blankColumns(image, 0, margin), `${format}: page ${i + 1}, left margin blank`);
        assert.ok(!blankColumns(image, margin, image.width - margin), `${format}: page ${i + 1} has content`);
      }
      const expected = format === 'A4' ? [413, 585] : [425, 550];
      for (const [i, size] of [images[0].width, images[0].height].entries()) {
        assert.ok(Math.abs(size - expected[i]) <= 1, `${format}: page size ${images[0].width}×${images[0].height}`);
      }
    }
  });

  test('in Japanese, the report follows the page', { timeout: 120_000 }, async (t) => {
    const { tab, messages } = await pageReport(t, ['rendered-xml-ja.xml', 'event-viewer.xml'], 'ja-JP');
    assert.deepEqual(messages, []);
    assert.equal(await tab.evaluate(() => document.documentElement.lang), 'ja');
    const pdf = join(scratch, 'ja.pdf');
    await tab.pdf({ path: pdf, format: 'A4', printBackground: true });
    const flat = pdfPages(pdf).join('\n').replace(/\s+/g, '');
    for (const heading of ['keytrailレビュー報告書', 'レビューしたファイル', 'イベントID別の件数', '入力の問題', '検出結果', 'アカウント別のキーイベント', '適用したルール', 'レビュー担当者']) {
      assert.ok(flat.includes(heading), heading);
    }
    assert.ok(flat.includes('要確認'));
    assert.ok(flat.includes(await sha256('rendered-xml-ja.xml')));
  });

  test('the CLI and the page write the same findings and counts', { timeout: 120_000 }, async (t) => {
    for (const lang of ['en', 'ja']) {
      const { tab } = await pageReport(t, FILES, lang === 'ja' ? 'ja-JP' : 'en-US');
      const fromPage = await tab.evaluate(reportFacts);
      // The review repeated from the report: the page's rules (business hours in the browser's
      // time zone) given to the CLI.
      const rules = join(scratch, `rules-${lang}.json`);
      await writeFile(rules, fromPage.rulesJson);
      const out = cliReport(FILES, join(scratch, `cli-${lang}.html`), '--lang', lang, '--rules', rules);
      const cli = await tab.context().newPage();
      await cli.goto(pathToFileURL(out).href);
      const fromCli = await cli.evaluate(reportFacts);
      assert.ok(fromCli.findings.length > 10, 'findings listed');
      assert.deepEqual(fromPage, fromCli, lang);
    }
  });

  test('a file shared between decoding workers has the SHA-256 of the whole file', { timeout: 300_000 }, async (t) => {
    // Larger than a worker keeps for itself (ingest::chain::SPLIT_BYTES after the first slice):
    // the next workers decode parts of it at once; after the load, the first one reads the whole
    // file again for the hash.
    for (const [format, workers] of [['event-viewer', 2], ['evtx', 3]]) {
      const path = join(scratch, `shared.${format === 'evtx' ? 'evtx' : 'xml'}`);
      execFileSync(keytrailBin, ['generate', '--size', '12MB', '--format', format, '-o', path], { stdio: 'ignore' });
      const expected = createHash('sha256').update(await readFile(path)).digest('hex');
      const { tab } = await pageReport(t, [path], 'en-US', `?workers=${workers}`);
      const facts = await tab.evaluate(reportFacts);
      assert.equal(facts.files[0][2], expected, `${format}, ${workers} workers`);
    }
  });

  test('the CLI report of every hostile fixture is inert in the browser', { timeout: 120_000 }, async (t) => {
    const names = (await readdir(fixtures)).filter((n) => n.startsWith('hostile-') || n.startsWith('not-xml'));
    assert.ok(names.length >= 10);
    const context = await env.browser.newContext();
    t.after(() => context.close());
    const OWN = new Set(['HTML', 'HEAD', 'META', 'TITLE', 'STYLE', 'BODY', 'HEADER', 'H1', 'H2', 'H3', 'P', 'SECTION', 'TABLE', 'COLGROUP', 'COL', 'THEAD', 'TBODY', 'TR', 'TH', 'TD', 'SPAN', 'STRONG', 'PRE', 'DIV', 'SVG', 'RECT']);
    for (const name of names) {
      const out = cliReport([name], join(scratch, `${name}.html`));
      const page = await context.newPage();
      const requests = [];
      const messages = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('console', (m) => messages.push(m.text()));
      page.on('dialog', (d) => {
        messages.push(`dialog: ${d.message()}`);
        d.dismiss();
      });
      await page.goto(pathToFileURL(out).href);
      const dom = await page.evaluate(() => {
        const elements = [...document.querySelectorAll('*')];
        return {
          tags: [...new Set(elements.map((e) => e.tagName.toUpperCase()))],
          handlers: elements.flatMap((e) => [...e.attributes].filter((a) => a.name.startsWith('on') || /javascript:/i.test(a.value)).map((a) => a.name)),
          scripts: document.scripts.length,
          csp: document.querySelector('meta[http-equiv=Content-Security-Policy]')?.content,
        };
      });
      assert.deepEqual(dom.tags.filter((tag) => !OWN.has(tag)), [], `${name}: no element but the report's`);
      assert.deepEqual(dom.handlers, [], `${name}: no handler`);
      assert.equal(dom.scripts, 0, name);
      assert.match(dom.csp, /^default-src 'none'; style-src 'sha256-/, name);
      assert.deepEqual(requests, [pathToFileURL(out).href], `${name}: nothing requested but the report`);
      assert.deepEqual(messages, [], `${name}: no console message, no dialog`);
      await page.close();
    }
  });
});
