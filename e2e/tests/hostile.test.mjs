// Hostile input in the browser (issue 4): every hostile fixture of tests/fixtures/README.md and
// four cases built here at test time (100,000-level nesting, one 50 MB value, 10,000 attributes
// on one element, 1,000,000 tiny events), each opened with the file picker in the built page.
//
// For each case the test asserts the exact number of events that survive, the exact problems the
// problems panel lists (file, line and column, event number, reason, in English and again after
// switching to Japanese), that no dialog opened, that no element was injected into the page
// (recorded from page start by a MutationObserver and checked again in the final DOM), that no
// Content-Security-Policy violation happened (an injected inline handler would be blocked by CSP
// and show up there even though no dialog opened), that nothing was fetched after the file was
// opened, and that the tab did not crash. Every wait is on a page state; every test has a timeout
// so that a hang fails instead of blocking the run.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deepNesting, hugeValue, manyAttributes, tinyEvents } from '../lib/files.mjs';
import { fixtures } from '../lib/paths.mjs';
import { loaded, usePage } from '../lib/harness.mjs';

const env = usePage();
let scratch;

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'keytrail-hostile-'));
});

after(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/**
 * Runs in the page before any of its own scripts: records every element added to the document
 * whose tag or attributes could run or load something, every CSP violation, every long task.
 */
function watchPage() {
  const probe = { added: [], violations: [], longTasks: [], beats: { last: 0, maxGap: 0, on: false } };
  window.__probe = probe;
  // Tags no keytrail view renders (the page's own <svg> charts and table spacers are fine; an
  // injected <svg onload=…> is caught by its handler attribute).
  const DANGEROUS = new Set(['SCRIPT', 'IMG', 'IFRAME', 'FRAME', 'OBJECT', 'EMBED', 'B', 'A', 'LINK', 'META', 'BASE', 'FORM', 'STYLE', 'VIDEO', 'AUDIO', 'SOURCE', 'FOREIGNOBJECT']);
  const look = (el) => {
    // What the HTML parser puts there from index.html is the page itself, not data.
    if (!(el instanceof Element) || document.readyState === 'loading') return;
    const handler = [...el.attributes].find((a) => a.name.startsWith('on') || /^\s*javascript:/i.test(a.value));
    const tag = el.tagName.toUpperCase();
    if (DANGEROUS.has(tag) || handler) {
      probe.added.push({ tag, html: el.outerHTML.slice(0, 200), handler: handler?.name ?? null });
    }
    for (const child of el.children) look(child);
  };
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) look(n);
  }).observe(document, { childList: true, subtree: true });
  document.addEventListener('securitypolicyviolation', (e) =>
    probe.violations.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample }),
  );
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) probe.longTasks.push({ start: e.startTime, ms: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  // A heartbeat: the longest gap between two ticks is how long the page could not react.
  setInterval(() => {
    const now = performance.now();
    if (probe.beats.on && probe.beats.last) probe.beats.maxGap = Math.max(probe.beats.maxGap, now - probe.beats.last);
    probe.beats.last = now;
  }, 20);
}

/** A fresh page, ready for files, with everything recorded. */
async function openPage(t) {
  const context = await env.browser.newContext({ locale: 'en-US', viewport: { width: 1600, height: 900 } });
  t.after(() => context.close());
  const requests = [];
  let opened = false;
  context.on('request', (r) => requests.push({ url: r.url(), afterOpen: opened }));
  await context.addInitScript(watchPage);
  const page = await context.newPage();
  const dialogs = [];
  const errors = [];
  let crashed = false;
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('crash', () => (crashed = true));
  await page.goto(env.origin + '/', { waitUntil: 'load' });
  await page.waitForSelector('[data-testid=drop-zone][data-ready=true]');
  const servedAtReady = env.served.length;
  return {
    page,
    /** Opens `files` (paths or uploads) with the file picker. */
    async open(files) {
      opened = true;
      await page.setInputFiles('[data-testid=file-input]', files);
    },
    /** Everything a hostile file must not have caused. */
    async assertUnharmed() {
      assert.equal(crashed, false, 'the tab crashed');
      assert.deepEqual(dialogs, [], 'a dialog opened');
      const probe = await page.evaluate(() => window.__probe);
      assert.deepEqual(probe.added, [], 'elements injected into the page');
      assert.deepEqual(probe.violations, [], 'Content-Security-Policy violations');
      // The final DOM: the page's only script is boot.js; no image, frame, object, link, form,
      // and no element anywhere with an inline event handler or a javascript: URL.
      const dom = await page.evaluate(() => ({
        scripts: [...document.scripts].map((s) => s.getAttribute('src')),
        foreign: document.querySelectorAll('img, iframe, frame, object, embed, form, a[href], base, video, audio').length,
        handlers: [...document.querySelectorAll('*')].filter((el) =>
          [...el.attributes].some((a) => a.name.startsWith('on') || /^\s*javascript:/i.test(a.value)),
        ).length,
        boldInData: document.querySelectorAll('[data-testid=events-table] b, [data-testid=event-detail] b').length,
      }));
      assert.deepEqual(dom, { scripts: ['/boot.js'], foreign: 0, handlers: 0, boldInData: 0 });
      assert.deepEqual(errors, [], 'console errors');
      assert.deepEqual(requests.filter((r) => r.afterOpen), [], 'requests after the file was opened');
      assert.equal(env.served.length, servedAtReady, `server saw requests after opening: ${env.served.slice(servedAtReady)}`);
    },
  };
}


/** The problems panel: the summary counts and each listed problem. */
async function problems(page) {
  return page.evaluate(() => {
    const panel = document.querySelector('[data-testid=problems]');
    if (!panel) return null;
    return {
      count: Number(panel.querySelector('[data-testid=problem-count]')?.textContent ?? 0),
      skipped: Number(panel.querySelector('[data-testid=skipped-count]')?.textContent ?? 0),
      listed: [...panel.querySelectorAll('li')].map((li) => ({
        code: li.dataset.code,
        file: li.querySelector('.file').textContent,
        where: li.querySelector('.where').textContent,
      })),
    };
  });
}

/** Switches the page language and waits until the switch shows. */
async function language(page, lang) {
  await page.selectOption('[data-testid=lang]', lang);
  await page.waitForFunction(
    (lang) => (lang === 'ja' ? /サンプル/ : /Load sample data/).test(document.querySelector('[data-testid=load-sample]').textContent),
    lang,
  );
}

// Latin words that are not words of a Japanese sentence: a Japanese message must not fall back to
// an English phrase (names, codes and quoted markup such as `<Data>` or `&xxe;` are fine).
const ENGLISH_PHRASE = /\b(?:the|an?|of|is|was|with|input|looks|like|file|event|events|image|archive|export|contains|kind|root|element|no|not|found|first|or|bytes?|replaced|limit|larger|than|levels?|attributes?)\b/i;

/**
 * The problem list must be exactly `expected` (file, English text, code). Then the language is
 * switched to Japanese and back; returns what is wrong with the Japanese list (asserted by the
 * caller after its other checks, so that one failure does not hide another): same number of
 * lines, each starting with `行 L、列 C: ` (and `イベント N: ` when there is an event), the reason
 * in Japanese with no English phrase left, the skip note in Japanese.
 */
async function assertProblems(page, { file, count, skipped, listed }) {
  const en = await problems(page);
  assert.ok(en, 'the problems panel is shown');
  assert.deepEqual(
    en,
    { count, skipped, listed: listed.map(([code, where]) => ({ code, file, where })) },
    'problems (English)',
  );
  await language(page, 'ja');
  const ja = await problems(page);
  const wrong = [];
  if (ja.listed.length !== listed.length) wrong.push(`${ja.listed.length} Japanese problems, expected ${listed.length}`);
  for (const [i, [code, where]] of listed.entries()) {
    // Lines and columns in text; in an .evtx file, the chunk (or the file header) and the offset.
    const [, line, column, event] = where.match(/^(\d+):(\d+): (?:event (\d+): )?/) ?? [];
    const [, chunk, offset] = where.match(/^(?:chunk (\d+)|file header), offset (0x[0-9a-f]+): /) ?? [];
    const text = ja.listed[i]?.where ?? '';
    const prefix = offset
      ? (chunk ? `チャンク ${chunk}、` : 'ファイル ヘッダー、') + `オフセット ${offset}: `
      : `行 ${line}、列 ${column}: ` + (event ? `イベント ${event}: ` : '');
    const reason = text.slice(prefix.length).replace(/`[^`]*`/g, '');
    if (!text.startsWith(prefix)) wrong.push(`${code}: does not start with "${prefix}": ${text}`);
    else if (!/[\u3040-\u30ff\u4e00-\u9fff]/.test(reason)) wrong.push(`${code}: not in Japanese: ${text}`);
    else if (ENGLISH_PHRASE.test(reason)) wrong.push(`${code}: English left in the Japanese text: ${text}`);
    if (where.endsWith(' (event skipped)') && !text.endsWith(' (イベントをスキップ)')) wrong.push(`${code}: skip note not in Japanese: ${text}`);
  }
  await language(page, 'en');
  assert.deepEqual(await problems(page), en, 'problems (back in English)');
  return wrong;
}

/** Record numbers of the rows the table shows (all of them for small files). */
const records = (page) =>
  page.$$eval('[data-testid=events-table] tbody tr.row td.record_id', (cells) => cells.map((c) => c.textContent));

// --- the fixtures ----------------------------------------------------------------------------

// name, events, problems [code, English text] in order, skipped, records of the surviving events
const FIXTURES = [
  ['hostile-markup.xml', 3, [], 0, ['228201', '228202', '228203']],
  ['hostile-billion-laughs.xml', 2, [
    ['dtd_ignored', '2:1: a document type declaration (`<!DOCTYPE`) was ignored: entities are never expanded and nothing is fetched'],
    ['undefined_entity', '15:904: event 1: entity `&lol9;` is not expanded; kept as written'],
  ], 0],
  ['hostile-xxe.xml', 2, [
    ['dtd_ignored', '2:1: a document type declaration (`<!DOCTYPE`) was ignored: entities are never expanded and nothing is fetched'],
    ['undefined_entity', '9:904: event 1: entity `&xxe;` is not expanded; kept as written'],
    ['undefined_entity', '10:669: event 2: entity `&remote;` is not expanded; kept as written'],
  ], 0],
  ['hostile-deep-nesting.xml', 2, [
    ['too_deep', '2:735: event 2: elements nest deeper than 64 levels (event skipped)'],
  ], 1, ['228113', '228115']],
  ['hostile-many-attributes.xml', 2, [
    ['too_many_attributes', '2:549: event 2: an element has more than 256 attributes (event skipped)'],
  ], 1, ['228113', '228115']],
  ['hostile-invalid-utf8.xml', 3, [
    ['invalid_utf8', '2:908: event 2: invalid UTF-8 bytes replaced with U+FFFD'],
  ], 0],
  ['hostile-utf16-unpaired-surrogate.xml', 3, [
    ['invalid_utf16', '2:908: event 2: unpaired UTF-16 surrogate or odd byte replaced with U+FFFD'],
  ], 0],
  ['hostile-nul-bytes.xml', 3, [], 0],
  ['hostile-truncated.xml', 3, [
    ['truncated_event', '4:1: event 4: input ends inside this event (file cut short?) (event skipped)'],
  ], 1],
  ['broken-middle.xml', 4, [
    ['mismatched_end_tag', '3:919: event 3: end tag `</Dta>` does not match `<Data>` (event skipped)'],
  ], 1, ['228901', '228902', '228904', '228905']],
  ['not-xml.png', 0, [['not_event_xml', '1:1: no Windows event XML found: the input looks like a PNG image']], 0],
  ['not-xml.zip', 0, [['not_event_xml', '1:1: no Windows event XML found: the input looks like a zip archive']], 0],
  ['not-xml.evtx', 0, [
    ['evtx_checksum', 'file header, offset 0x0: checksum does not match (declared 0x00000000, computed 0xa0bf681d); what it covers was read anyway'],
    ['evtx_empty', 'file header, offset 0x0: this .evtx file holds no event record'],
  ], 0],
  ['empty.xml', 0, [['not_event_xml', '1:1: no Windows event XML found: the input looks like an empty file']], 0],
  ['no-events.xml', 0, [['not_event_xml', '1:1: no Windows event XML found: the input looks like an event log export that contains no events']], 0],
  ['other-xml.xml', 0, [['not_event_xml', '1:1: no Windows event XML found: the input looks like XML of another kind (root element `<project>`)']], 0],
];

describe('hostile fixtures', () => {
  for (const [name, n, listed, skipped, expectRecords] of FIXTURES) {
    test(`${name}: ${n} events, ${listed.length} problems`, { timeout: 60_000 }, async (t) => {
      const session = await openPage(t);
      const { page } = session;
      // The binary files are opened renamed to .xml, as a user would get them: the content
      // decides, not the name.
      const binary = /\.(png|zip|evtx)$/.exec(name);
      const shownAs = binary ? `renamed-${binary[1]}.xml` : name;
      await session.open(
        binary ? { name: shownAs, mimeType: 'text/xml', buffer: await readFile(join(fixtures, name)) } : join(fixtures, name),
      );
      assert.equal(await loaded(page), n, 'events');
      assert.equal(await page.locator('[data-testid=events-table] tbody tr.row').count(), n, 'rows in the table');
      if (expectRecords) assert.deepEqual(await records(page), expectRecords, 'the events that survive');
      let japanese = [];
      if (listed.length === 0) {
        assert.equal(await page.textContent('[data-testid=problems] .quiet'), 'No problems found.');
      } else {
        japanese = await assertProblems(page, { file: shownAs, count: listed.length, skipped, listed });
      }
      await session.assertUnharmed();
      assert.deepEqual(japanese, [], 'the problems in Japanese');
    });
  }

  test('hostile-markup.xml: markup is text in the table and the detail pane', { timeout: 60_000 }, async (t) => {
    const session = await openPage(t);
    const { page } = session;
    await session.open(join(fixtures, 'hostile-markup.xml'));
    assert.equal(await loaded(page), 3);
    const cells = await page.$$eval('[data-testid=events-table] tbody tr.row', (rows) =>
      rows.map((r) => ({
        account: r.querySelector('td.account').textContent,
        algorithm: r.querySelector('td.algorithm').textContent,
        key: r.querySelector('td.key_name').textContent,
        // The findings flag (span.flag) is the page's own; nothing else may be an element.
        elements: r.querySelectorAll('td *:not(span.flag)').length,
      })),
    );
    assert.deepEqual(cells, [
      { account: 'CONTOSO\\svc-backup', algorithm: 'RSA', key: '<img src=x onerror=alert(1)>', elements: 0 },
      { account: 'CONTOSO\\javascript:alert(document.domain)', algorithm: 'RSA', key: '</script><script>alert(1)</script>', elements: 0 },
      // The bidi control is shown as a visible mark (see the next test); exports keep it raw.
      { account: 'CONTOSO\\svc-backup', algorithm: '<b>RSA</b>', key: 'invoice-⟨U+202E⟩fdp.exe', elements: 0 },
    ]);

    // Each event's detail pane: the raw values literally, the Message of event 1 with its link
    // and script as text, the raw XML as written (still escaped).
    const detail = async (record) => {
      await page.locator('[data-testid=events-table] tbody tr.row', { hasText: record }).click();
      await page.waitForFunction(
        (record) => document.querySelector('[data-testid=event-detail] [data-field=EventRecordID] code')?.textContent === record,
        record,
      );
      return page.evaluate(() => {
        const pane = document.querySelector('[data-testid=event-detail]');
        const raw = (name) => pane.querySelector(`[data-field="${name}"] code.raw`)?.textContent;
        return {
          user: raw('SubjectUserName'),
          algorithm: raw('AlgorithmName'),
          key: raw('KeyName'),
          message: [...pane.querySelectorAll('dl.rendering dt')].find((dt) => dt.textContent === 'Message')?.nextElementSibling.textContent ?? null,
          xml: pane.querySelector('[data-testid=detail-xml]').textContent,
          elementsInValues: pane.querySelectorAll('code.raw *, dl.rendering dd *, [data-testid=detail-xml] *').length,
        };
      });
    };
    const one = await detail('228201');
    assert.equal(one.key, '<img src=x onerror=alert(1)>');
    assert.equal(one.message?.replace(/\r\n/g, '\n'), 'Key migration operation.\n\tSee <a href="javascript:alert(1)">details</a> </script><script>alert(2)</script>');
    assert.ok(one.xml.includes("<Data Name='KeyName'>&lt;img src=x onerror=alert(1)&gt;</Data>"), 'raw XML shown as written');
    assert.equal(one.elementsInValues, 0);
    const two = await detail('228202');
    assert.equal(two.user, 'javascript:alert(document.domain)');
    assert.equal(two.key, '</script><script>alert(1)</script>');
    assert.equal(two.message, null);
    assert.equal(two.elementsInValues, 0);
    const three = await detail('228203');
    assert.equal(three.algorithm, '<b>RSA</b>');
    assert.equal(three.key, 'invoice-⟨U+202E⟩fdp.exe');
    assert.equal(three.elementsInValues, 0);
    await session.assertUnharmed();
  });

  // U+202E (RIGHT-TO-LEFT OVERRIDE) makes `invoice-‮fdp.exe` read `invoice-exe.pdf`. Shown
  // safely means that what the user sees, left to right, is the value's real order: the test
  // measures where each character of `fdp.exe` is drawn (one Range per character) in the table
  // cell and in the detail pane, and requires them from left to right. (Making the control
  // character visible, or neutralising it, both pass; rendering it raw does not.)
  test('hostile-markup.xml: an RTL override cannot reverse what the user reads', { timeout: 60_000 }, async (t) => {
    const session = await openPage(t);
    const { page } = session;
    await session.open(join(fixtures, 'hostile-markup.xml'));
    assert.equal(await loaded(page), 3);
    await page.locator('[data-testid=events-table] tbody tr.row', { hasText: '228203' }).click();
    await page.waitForSelector('[data-testid=event-detail] [data-field=KeyName] code.raw');
    const order = await page.evaluate(() => {
      const drawn = (el) => {
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const at = node.data.indexOf('fdp.exe');
          if (at < 0) continue;
          return [...'fdp.exe'].map((c, i) => {
            const range = document.createRange();
            range.setStart(node, at + i);
            range.setEnd(node, at + i + 1);
            return { c, x: Math.round(range.getBoundingClientRect().left) };
          });
        }
        return null;
      };
      const cell = [...document.querySelectorAll('[data-testid=events-table] td.key_name')].find((td) => td.textContent.includes('fdp.exe'));
      return {
        table: drawn(cell),
        detail: drawn(document.querySelector('[data-testid=event-detail] [data-field=KeyName] code.raw')),
      };
    });
    await session.assertUnharmed();
    const seen = Object.fromEntries(
      Object.entries(order).map(([where, chars]) => [where, chars && [...chars].sort((a, b) => a.x - b.x).map((p) => p.c).join('')]),
    );
    // Read left to right, the key name must end in `fdp.exe` (as stored), not `exe.pdf`.
    assert.deepEqual(seen, { table: 'fdp.exe', detail: 'fdp.exe' }, 'U+202E reorders the key name on screen');
  });
});

// --- built at test time ----------------------------------------------------------------------

/** Writes `parts` to a file in the scratch directory and returns its path. */
async function scratchFile(name, parts) {
  const path = join(scratch, name);
  await writeFile(path, parts);
  return path;
}

// Each is 2 good events, the hostile event (event 3 of the file, line 3), 3 good events: 5 events
// must survive, records 4700-4704, with one problem at the hostile event.
const GOOD = ['4700', '4701', '4702', '4703', '4704'];
const GENERATED = [
  ['deep-nesting-100000.xml', () => deepNesting(100_000), 'too_deep', '3:813: event 3: elements nest deeper than 64 levels (event skipped)'],
  ['value-50MB.xml', () => hugeValue(50_000_000), 'event_too_large', '3:1: event 3: event is larger than the 16 MiB limit (event skipped)'],
  ['attributes-10000.xml', () => manyAttributes(10_000), 'too_many_attributes', '3:546: event 3: an element has more than 256 attributes (event skipped)'],
];

describe('hostile inputs built at test time', () => {
  for (const [name, build, code, where] of GENERATED) {
    test(`${name}: the 5 good events around it, 1 problem`, { timeout: 120_000 }, async (t) => {
      const path = await scratchFile(name, build());
      const session = await openPage(t);
      const { page } = session;
      await session.open(path);
      assert.equal(await loaded(page, 90_000), 5, 'events');
      assert.deepEqual(await records(page), GOOD, 'the good events around the hostile one');
      const japanese = await assertProblems(page, { file: name, count: 1, skipped: 1, listed: [[code, where]] });
      await session.assertUnharmed();
      assert.deepEqual(japanese, [], 'the problem in Japanese');
    });
  }

  // 1,000,000 events of 52 bytes (52 MB) between 2 + 3 good 5059s. The tab must not hang while
  // it decodes: the longest main-thread task (PerformanceObserver 'longtask') and the longest gap
  // between two ticks of a 20 ms heartbeat must both stay under 2 s. Issue 6's target (no task
  // over 100 ms) is measured and reported by bench/scale.bench.mjs; the figures seen here are
  // printed as a diagnostic. (On 2 busy cores they vary from run to run: 60-330 ms seen.)
  test('1,000,000 tiny events: exact count, tab responsive', { timeout: 240_000 }, async (t) => {
    const path = await scratchFile('tiny-1000000.xml', tinyEvents(1_000_000));
    const session = await openPage(t);
    const { page } = session;
    await page.evaluate(() => {
      window.__probe.longTasks.length = 0;
      window.__probe.beats.on = true;
    });
    await session.open(path);
    // While it decodes, the page must answer and show progress.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=event-count]').textContent) > 0, null, { timeout: 30_000 });
    assert.equal(await loaded(page, 200_000), 1_000_005, 'events');
    const options = await page.$$eval('[data-testid=filter-event] option', (os) => os.map((o) => o.textContent));
    assert.ok(options.some((o) => o.endsWith(' (1000000)')), `1,000,000 events with ID 1: ${options}`);
    assert.ok(options.some((o) => o.startsWith('5059') && o.endsWith(' (5)')), `5 good 5059s: ${options}`);
    assert.equal(await page.textContent('[data-testid=problems] .quiet'), 'No problems found.');
    const { longTasks, beats } = await page.evaluate(() => window.__probe);
    const longest = Math.max(0, ...longTasks.map((l) => l.ms));
    t.diagnostic(`long tasks: ${longTasks.length}, longest ${longest.toFixed(0)} ms; longest heartbeat gap ${beats.maxGap.toFixed(0)} ms`);
    // A hang detector, not a speed target (those are in e2e/bench with their figures): the page
    // must never stop answering for seconds, even on a busy CI machine.
    assert.ok(longest < 2000, `longest main-thread task ${longest.toFixed(0)} ms`);
    assert.ok(beats.maxGap < 2000, `page did not react for ${beats.maxGap.toFixed(0)} ms`);
    // Still usable afterwards: filtering to the good events answers.
    await page.selectOption('[data-testid=filter-event]', '5059');
    await page.waitForFunction(() => document.querySelector('[data-testid=row-count]').textContent === '5');
    assert.deepEqual(await records(page), GOOD);
    await session.assertUnharmed();
  });
});
