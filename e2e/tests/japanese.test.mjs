// The Japanese page shows no English sentence (issue 16): with the sample and files that have
// problems loaded, the findings panel, the detail pane of each rule's first match, the problem
// list and the charts are read text node by text node (tooltips included), and none may hold
// three English words in a row. Windows' own values are the exception: what is shown as logged
// (the raw value, Windows' rendering, the raw XML, field names), what the decoder's tables give
// in Windows' words beside a raw value (task, level, return code texts; a `%%NNNN` value must be
// translated, its English shown in brackets beside), what a parser reported about a damaged file
// (quoted in 「」 or backticks), and the names below that the data itself carries.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loaded, usePage } from '../lib/harness.mjs';
import { fixtures, root } from '../lib/paths.mjs';

const SAMPLE = join(root, 'www', 'sample', 'keytrail-sample.xml');
// Files with problems of several kinds: a broken event, an ignored DTD, XML of another kind, an
// .evtx file with a damaged chunk.
const WITH_PROBLEMS = [
  'broken-middle.xml',
  'hostile-xxe.xml',
  'other-xml.xml',
  'hostile-markup.xml',
  'evtx/sample_with_a_bad_chunk_magic.evtx',
].map((f) => join(fixtures, f));

// Windows' own values that the loaded data carries (provider, key, account and file names).
const WINDOWS_VALUES = [
  /Microsoft [A-Za-z ]*(Key Storage|Crypto|Cryptographic) Provider/g,
  /Microsoft (Software|Smart Card) KSP/g,
  /Microsoft-Windows-[A-Za-z-]+/g,
  /Connected Devices Platform/g,
  /NT AUTHORITY\\[A-Z ]+/g,
  /[\w.-]+\.(xml|evtx)\b/g,
];

// Three English words in a row.
const SENTENCE = /\b[A-Za-z]{3,}(\s+[A-Za-z]{2,}){2,}/;

/** Every text node under `selector` not shown as logged, with Windows' values taken out. */
async function englishIn(page, selector) {
  const texts = await page.$$eval(selector, (roots) => {
    const asLogged = 'code.raw, pre.xml, dl.rendering, th.name, .file, .decoded';
    const out = [];
    for (const root of roots) {
      const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        const el = n.parentElement;
        if (!el || el.closest(asLogged)) continue;
        // What a parser reported, quoted.
        out.push(n.textContent.replace(/「[^」]*」/g, ' ').replace(/`[^`]*`/g, ' '));
      }
    }
    return out;
  });
  // A `%%NNNN` value is translated, Windows' English in brackets beside it.
  const codes = await page.$$eval(`${selector} tr[data-field]`, (rows) =>
    rows
      .filter((r) => /^\s*%%\d+/.test(r.querySelector('code.raw')?.textContent ?? ''))
      .map((r) => r.querySelector('.decoded')?.textContent ?? ''),
  );
  const found = codes.filter((d) => !/^[^(]*[^\x00-\x7f][^(]* \(.+\)$/.test(d));
  for (let text of texts) {
    for (const value of WINDOWS_VALUES) text = text.replace(value, ' ');
    if (SENTENCE.test(text)) found.push(text.trim());
  }
  return found;
}

const env = usePage();

describe('Japanese page', () => {
  test('findings, detail, problems and charts hold no English sentence', async (t) => {
    const context = await env.browser.newContext({ locale: 'ja-JP', timezoneId: 'UTC', viewport: { width: 1280, height: 900 } });
    t.after(() => context.close());
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(String(err)));
    await page.goto(env.origin + '/');
    await page.waitForSelector('[data-testid=drop-zone][data-ready=true]');
    await page.setInputFiles('[data-testid=file-input]', [SAMPLE, ...WITH_PROBLEMS]);
    assert.ok((await loaded(page)) > 700);
    await page.waitForSelector('[data-testid=findings]');
    assert.ok(Number(await page.textContent('[data-testid=problem-count]')) > 5);

    const english = {};
    const look = async (where, selector) => {
      const found = await englishIn(page, selector);
      if (found.length) english[where] = [...(english[where] ?? []), ...found];
    };
    await look('findings', '[data-testid=findings]');
    await look('problems', '[data-testid=problems]');
    await look('charts', '[data-testid=account-chart], [data-testid=activity-chart]');

    // Each rule that matched: its matches in the table, the first one's detail.
    const rules = await page.$$eval('[data-testid=findings] .chip[data-rule]', (chips) =>
      chips.filter((c) => Number(c.dataset.count) > 0).map((c) => c.dataset.rule),
    );
    assert.ok(rules.length >= 3, `rules with matches: ${rules}`);
    for (const rule of rules) {
      await page.click(`[data-testid=findings] .chip[data-rule="${rule}"]`);
      await page.click('tr.row >> nth=0');
      await page.waitForSelector(`[data-testid=detail-findings] li[data-rule="${rule}"]`);
      await page.waitForSelector('[data-testid=detail-fields]');
      await look(`detail of ${rule}`, '[data-testid=event-detail]');
      await look(`findings with ${rule} shown`, '[data-testid=findings]');
      await page.click(`[data-testid=findings] .chip[data-rule="${rule}"]`);
    }
    for (const list of Object.values(english)) list.splice(0, list.length, ...new Set(list));
    assert.deepEqual(english, {});
    assert.deepEqual(errors, []);
  });
});
