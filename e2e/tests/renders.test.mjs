// Which components a gesture draws again (window.__keytrail.renders, counted by the page): a
// table scroll, a keyboard selection or a detail click must not draw the charts or the findings
// again, only the table and the detail pane. Every wait is on a page state, never a timer.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loaded, usePage } from '../lib/harness.mjs';

const env = usePage();

/** The drawings per component so far, once the page has drawn what it was asked to. */
async function renders(page) {
  // Two animation frames: Yew draws in a task after the state changed.
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  return page.evaluate(() => ({ ...window.__keytrail.renders }));
}

const QUIET = ['AccountChart', 'ActivityChart', 'SessionTimeline', 'FindingsPanel', 'RuleEditor', 'StatusBar', 'ProblemList'];

test('scrolling, selecting and opening a detail draw only the table and the detail', async (t) => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 720 } });
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(env.origin + '/', { waitUntil: 'load' });
  await page.waitForSelector('[data-testid=drop-zone][data-ready=true]');
  await page.click('[data-testid=load-sample]');
  assert.equal(await loaded(page), 700);
  await page.waitForSelector('[data-testid=account-chart] svg');
  const before = await renders(page);
  for (const name of ['AccountChart', 'ActivityChart', 'FindingsPanel', 'EventTable']) {
    assert.ok(before[name] > 0, `${name} was drawn`);
  }

  // Scroll the table: rows further down are drawn.
  await page.$eval('[data-testid=table-scroll]', (el) => { el.scrollTop = 3000; });
  await page.waitForFunction(() => Number(document.querySelector('tr.row')?.getAttribute('aria-rowindex')) > 50);
  const scrolled = await renders(page);
  // Move the selection with the keyboard.
  await page.focus('[data-testid=table-scroll]');
  await page.keyboard.press('Home');
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => document.querySelector('tr.row.selected')?.getAttribute('aria-rowindex') === '7');
  const selected = await renders(page);
  // Click a row: its detail opens and is decoded again by the worker.
  await page.locator('tr.row').nth(3).click();
  await page.waitForSelector('[data-testid=event-detail] [data-testid=detail-fields]');
  const detailed = await renders(page);

  const figures = Object.fromEntries(
    Object.keys(detailed).map((k) => [k, [before[k] ?? 0, scrolled[k] ?? 0, selected[k] ?? 0, detailed[k] ?? 0]]),
  );
  t.diagnostic(`renders (after load, scroll, keyboard, detail click): ${JSON.stringify(figures)}`);
  for (const name of QUIET) {
    assert.equal(detailed[name], before[name], `${name} was drawn again: ${JSON.stringify(figures[name])}`);
  }
  assert.ok(scrolled.EventTable > before.EventTable, 'the scroll draws the table');
  assert.ok(selected.EventTable > scrolled.EventTable, 'the selection draws the table');
  assert.ok(detailed.DetailPane > 0, 'the detail pane is drawn');
});
