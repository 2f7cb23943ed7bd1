// Findings and logon sessions in the built page: the rule chips count what the CLI counts,
// a click filters the table to one rule's matches, flagged rows say which rules they match, the
// detail pane shows the reasons and the logon session, an account gets a session timeline, and
// rules are edited, kept (only when asked), exported and imported.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loaded, usePage } from '../lib/harness.mjs';
import { artifacts, keytrailBin, root } from '../lib/paths.mjs';
import { cliCounts, cliFindings, keytrail } from '../lib/cli.mjs';

const SAMPLE = join(root, 'www', 'sample', 'keytrail-sample.xml');

const env = usePage();

/** A fresh page with the bundled sample loaded (kept settings survive within `context`). */
async function openSample(t, { context, locale = 'en-US', timezoneId = 'UTC', width = 1280, height = 900 } = {}) {
  if (!context) {
    // Business hours are the browser's time zone's: UTC here, as the CLI counts by default.
    context = await env.browser.newContext({ locale, timezoneId, viewport: { width, height }, acceptDownloads: true });
    t.after(() => context.close());
  }
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  await page.goto(env.origin + '/');
  await page.waitForSelector('[data-testid=drop-zone][data-ready=true]');
  await page.click('[data-testid=load-sample]');
  await page.waitForSelector('[data-testid=progress][data-busy=false]');
  // The page shows a load's parts in steps (findings, then the table, then the charts): the
  // tests read the table, so they wait for the last step.
  await page.waitForSelector('[data-testid=charts]');
  await page.waitForSelector('[data-testid=findings]');
  return { page, context, errors };
}

const chip = (page, id) => page.locator(`[data-testid=findings] .chip[data-rule="${id}"]`);
const chipCount = async (page, id) => Number(await chip(page, id).getAttribute('data-count'));
const rowCount = async (page) => Number(await page.textContent('[data-testid=row-count]'));


describe('findings', () => {
  test('chips count what the CLI finds; a click filters the table to the rule', async (t) => {
    const { page, errors } = await openSample(t);
    const cli = cliCounts(SAMPLE);
    for (const id of ['export-any', 'machine-key-export-not-system', 'failed-key-operations', 'key-operations-off-hours']) {
      assert.equal(await chipCount(page, id), cli[id] ?? 0, `${id}: page and CLI agree`);
    }
    // The user has not named sensitive keys yet: that rule stays quiet.
    assert.equal(await chipCount(page, 'sensitive-key-export'), 0);
    const machine = await chipCount(page, 'machine-key-export-not-system');
    assert.ok(machine >= 1, 'the sample holds a machine-key export by a non-SYSTEM account');

    await chip(page, 'machine-key-export-not-system').click();
    await page.waitForFunction((n) => document.querySelector('[data-testid=row-count]').textContent === String(n), machine);
    assert.equal(await chip(page, 'machine-key-export-not-system').getAttribute('aria-pressed'), 'true');
    const rows = page.locator('[data-testid=events-table] tr.row');
    const shown = await rows.count();
    assert.ok(shown >= 1);
    for (let i = 0; i < shown; i++) {
      assert.match(await rows.nth(i).getAttribute('data-findings'), /\bmachine-key-export-not-system\b/);
      assert.match(await rows.nth(i).textContent(), /5059/);
      assert.doesNotMatch(await rows.nth(i).textContent(), /NT AUTHORITY\\SYSTEM/);
    }
    assert.match(await rows.first().textContent(), /svc-backup/);
    await page.screenshot({ path: join(artifacts, '20-findings-filter.png') });
    // The export of a rule's matches: the CLI's records of those events (every raw field, the
    // decoded values), each saying which rules it matches, in CSV and in JSON.
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-csv]')]);
    const table = parseCsv(await readFile(await csv.path(), 'utf8'));
    const cliHeader = execFileSync(keytrailBin, ['export', SAMPLE, '--format', 'csv']).toString().split('\r\n')[0].split('\n')[0];
    assert.equal(table[0].join(','), cliHeader, 'the page and the CLI write the same columns');
    assert.equal(table.length, machine + 1);
    const findingsAt = table[0].indexOf('findings');
    const dataAt = table[0].indexOf('data');
    assert.ok(table.slice(1).every((r) => /\bmachine-key-export-not-system\b/.test(r[findingsAt])));
    assert.ok(table.slice(1).every((r) => JSON.parse(r[dataAt]).Operation === '%%2464'));
    const [json] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-json]')]);
    const exported = JSON.parse(await readFile(await json.path(), 'utf8'));
    assert.equal(exported.length, machine);
    assert.ok(exported.every((r) => r.findings.includes('machine-key-export-not-system') && r.findings.includes('export-any')));
    // Record for record what the CLI writes for the same events (found by record ID); only the
    // file's name differs, and the findings, which follow the page's rules (business hours in
    // the browser's time zone).
    const cliRecords = new Map(execFileSync(keytrailBin, ['export', SAMPLE], { maxBuffer: 1 << 28 }).toString()
      .trim().split('\n').map((l) => JSON.parse(l)).map((r) => [r.record_id, r]));
    for (const r of exported) {
      const want = cliRecords.get(r.record_id);
      assert.deepEqual({ ...r, file: '', findings: [] }, { ...want, file: '', findings: [] }, `record ${r.record_id}`);
    }
    // ECS documents (NDJSON) of the same rows: what `keytrail export --format ecs` writes for
    // those events, but for the logon session (the page's export follows sessions through the
    // rows it exports, the CLI's through the whole file) and the rules (the page's).
    const [ecsDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-ecs]')]);
    assert.equal(ecsDownload.suggestedFilename(), 'keytrail-events-ecs.ndjson');
    const ecs = (await readFile(await ecsDownload.path(), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(ecs.length, machine);
    const cliEcs = keytrail(['export', SAMPLE, '--format', 'ecs']);
    const cliDocs = new Map(cliEcs.toString().trim().split('\n').map((l) => JSON.parse(l)).map((d) => [d.winlog.record_id, d]));
    const bare = (d) => ({ ...d, keytrail: { ...d.keytrail, session: null, rules: null } });
    for (const d of ecs) {
      assert.equal(d.event.code, '5059');
      assert.ok(d.keytrail.rules.includes('machine-key-export-not-system'), `record ${d.winlog.record_id}: rules`);
      assert.deepEqual(bare(d), bare(cliDocs.get(d.winlog.record_id)), `ECS document of record ${d.winlog.record_id}`);
    }

    // Clicking the chip again shows everything.
    await chip(page, 'machine-key-export-not-system').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=row-count]').textContent === '700');
    assert.deepEqual(errors, []);
  });

  test('routine activity is set apart: page and CLI agree on both counts; a routine line filters and a probe links to its create', async (t) => {
    const { page, errors } = await openSample(t);
    const findings = cliFindings(SAMPLE);
    // Routine events (each once, whatever rules it matches) per pattern, as the CLI lists them.
    const routineEvents = {};
    for (const f of findings.filter((f) => f.routine)) {
      (routineEvents[f.pattern] ??= new Set()).add(`${f.file} ${f.event}`);
    }
    for (const id of ['export-any', 'machine-key-export-not-system', 'failed-key-operations', 'key-operations-off-hours']) {
      const mine = findings.filter((f) => f.rule === id);
      const needs = mine.filter((f) => !f.routine).length;
      assert.equal(Number(await chip(page, id).getAttribute('data-needs')), needs, `${id}: needs a look`);
      assert.equal(Number(await chip(page, id).getAttribute('data-routine')), mine.length - needs, `${id}: routine`);
    }
    // The chip's number is what needs a look.
    const exportChip = await chip(page, 'export-any').locator('.count').textContent();
    assert.equal(Number(exportChip), Number(await chip(page, 'export-any').getAttribute('data-needs')));
    // One folded line per pattern, with the CLI's count of its events.
    const lines = page.locator('[data-testid=routine-lines] li');
    assert.equal(await lines.count(), Object.keys(routineEvents).length);
    for (let i = 0; i < (await lines.count()); i++) {
      const pattern = await lines.nth(i).getAttribute('data-pattern');
      assert.equal(Number(await lines.nth(i).getAttribute('data-count')), routineEvents[pattern].size, pattern);
    }
    // A click on the CDP line shows exactly those rows, each a routine key event.
    const cdp = page.locator('[data-testid=routine-lines] li[data-pattern=cdp-device-certificate]');
    const n = Number(await cdp.getAttribute('data-count'));
    assert.ok(n > 0);
    assert.match(await cdp.textContent(), /Connected Devices Platform/);
    await cdp.locator('button').click();
    await page.waitForFunction((n) => document.querySelector('[data-testid=row-count]').textContent === String(n), n);
    const rows = page.locator('[data-testid=events-table] tr.row');
    for (let i = 0; i < Math.min(n, 5); i++) {
      assert.match(await rows.nth(i).textContent(), /Microsoft Connected Devices Platform device certificate/);
    }
    await rows.first().click();
    const routine = page.locator('[data-testid=detail-routine]');
    await routine.waitFor();
    assert.equal(await routine.getAttribute('data-pattern'), 'cdp-device-certificate');
    await page.screenshot({ path: join(artifacts, '21-routine-line.png') });

    // A probe, then its create: the detail links one to the other.
    const probe = findings.find((f) => f.pattern === 'probe-then-create');
    assert.ok(probe, 'the sample holds a probe then create');
    await page.locator('[data-testid=routine-lines] li[data-pattern=probe-then-create] button').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=row-count]').textContent !== '0');
    await page.locator('[data-testid=events-table] tr.row').first().click();
    const pair = page.locator('[data-testid=detail-pair] button');
    await pair.waitFor();
    assert.match(await pair.textContent(), /create of this key/);
    await pair.click();
    await page.waitForFunction(() => /the failed probe before this create/.test(document.querySelector('[data-testid=detail-pair]')?.textContent ?? ''));
    assert.match(await page.textContent('[data-testid=detail-event]'), /5061/);
    assert.deepEqual(errors, []);
  });

  test('a reviewer adds a routine pattern of their own; it is kept with the rules and the CLI agrees', async (t) => {
    const { page } = await openSample(t);
    const needs = async (id) => Number(await chip(page, id).getAttribute('data-needs'));
    const before = await needs('machine-key-export-not-system');
    // The "by account" list separates its accounts.
    const accounts = await page.textContent('[data-testid=findings] li[data-rule=export-any] [data-testid=rule-accounts]');
    assert.match(accounts, /\(\d+\), \S/, accounts);
    await page.click('[data-testid=edit-rules]');
    await page.fill('[data-testid=routine-account]', 'CONTOSO\\svc-backup');
    await page.fill('[data-testid=routine-note]', 'our backup service');
    await page.click('[data-testid=add-routine]');
    await page.waitForFunction(
      (n) => Number(document.querySelector('.chip[data-rule="machine-key-export-not-system"]').dataset.needs) < n,
      before,
    );
    assert.equal(await page.locator('[data-testid=routine-editor] li[data-routine]').count(), 1);
    assert.match(
      await page.textContent('[data-testid=routine-lines]'),
      /our backup service/,
    );
    // In the exported rule file, and the CLI counts the same with it.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-rules]')]);
    const exported = await readFile(await download.path(), 'utf8');
    assert.equal(JSON.parse(exported).routine[0].title, 'our backup service');
    const rulesFile = join(tmpdir(), `keytrail-e2e-routine-${process.pid}.json`);
    await writeFile(rulesFile, exported);
    t.after(() => rm(rulesFile, { force: true }));
    const cli = cliFindings(SAMPLE, rulesFile).filter((f) => f.rule === 'machine-key-export-not-system');
    assert.equal(await needs('machine-key-export-not-system'), cli.filter((f) => !f.routine).length);
    assert.ok(cli.some((f) => f.pattern_title === 'our backup service'));
    // Switching the built-in patterns off leaves only one's own.
    await page.uncheck('[data-testid=builtin-routine]');
    await page.waitForFunction(() => !document.querySelector('[data-testid=routine-lines] li[data-pattern=cdp-device-certificate]'));
    const left = await page.locator('[data-testid=routine-lines] li').evaluateAll((l) => l.map((e) => e.dataset.pattern));
    assert.deepEqual(left, ['own-1'], 'only one\'s own pattern is left');
  });

  test("business hours are the browser's time zone's, daylight saving time included; the CLI agrees with it named", async (t) => {
    const { page } = await openSample(t, { timezoneId: 'America/New_York' });
    await page.click('[data-testid=edit-rules]');
    assert.equal(await page.inputValue('[data-testid=time-zone]'), 'America/New_York');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-rules]')]);
    const exported = await readFile(await download.path(), 'utf8');
    assert.match(exported, /"time_zone": "America\/New_York"/);
    const rulesFile = join(tmpdir(), `keytrail-e2e-zone-${process.pid}.json`);
    await writeFile(rulesFile, exported);
    t.after(() => rm(rulesFile, { force: true }));
    const inNewYork = cliCounts(SAMPLE, rulesFile)['key-operations-off-hours'] ?? 0;
    const inUtc = cliCounts(SAMPLE)['key-operations-off-hours'] ?? 0;
    assert.equal(await chipCount(page, 'key-operations-off-hours'), inNewYork);
    assert.notEqual(inNewYork, inUtc, 'New York hours are not UTC hours');
  });

  test('the detail pane gives the reasons and the logon session', async (t) => {
    const { page } = await openSample(t);
    await chip(page, 'machine-key-export-not-system').click();
    await page.locator('[data-testid=events-table] tr.row').first().click();
    const findings = page.locator('[data-testid=detail-findings]');
    await findings.waitFor();
    assert.match(await findings.textContent(), /Machine key exported by a person or service account/);
    assert.match(await findings.textContent(), /svc-backup: Export of persistent cryptographic key\., machine key/);
    const session = page.locator('[data-testid=detail-session]');
    await session.waitFor();
    const fields = await page.textContent('[data-testid=session-fields]');
    assert.match(fields, /Logon type\s*5 Service/);
    assert.match(fields, /Authentication package/);
    assert.match(fields, /Logged on\s*2026-/);
    await page.screenshot({ path: join(artifacts, '21-detail-session.png') });

    // A SYSTEM event's session is named, not linked.
    await chip(page, 'machine-key-export-not-system').click();
    await page.fill('[data-testid=search]', 'NT AUTHORITY\\SYSTEM');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=row-count]').textContent) > 0);
    await page.locator('[data-testid=events-table] tr.row').first().click();
    await page.waitForSelector('[data-testid=session-well-known]');
    assert.match(await page.textContent('[data-testid=session-well-known]'), /SYSTEM session/);
  });

  test('one account gets a session timeline', async (t) => {
    const { page } = await openSample(t);
    assert.match(await page.textContent('[data-testid=session-timeline]'), /Filter the table to one account/);
    await page.locator('[data-testid=account-chart] [data-account="CONTOSO\\\\svc-backup"]').first().click();
    await page.waitForSelector('[data-testid=session-timeline] [data-testid=session-lane]');
    const timeline = page.locator('[data-testid=session-timeline]');
    assert.equal(await timeline.getAttribute('data-account'), 'CONTOSO\\svc-backup');
    assert.ok((await timeline.locator('[data-testid=session-lane]').count()) >= 1);
    assert.ok((await timeline.locator('.key-tick').count()) >= 1, 'key events sit on their sessions');
    await timeline.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifacts, '22-timeline.png'), fullPage: true });
  });

  test('rules are edited, kept only when asked, exported and imported', async (t) => {
    const { page, context } = await openSample(t);
    await page.click('[data-testid=edit-rules]');
    await page.fill('[data-testid=sensitive-keys]', 'CONTOSO-CA01-*');
    await page.click('[data-testid=apply-settings]');
    await page.waitForFunction(
      () => Number(document.querySelector('.chip[data-rule="sensitive-key-export"]').dataset.count) > 0,
    );
    // Same count as the CLI with the same rules.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-rules]')]);
    const exported = await readFile(await download.path(), 'utf8');
    assert.match(exported, /CONTOSO-CA01-\*/);
    const rulesFile = join(tmpdir(), `keytrail-e2e-rules-${process.pid}.json`);
    await writeFile(rulesFile, exported);
    t.after(() => rm(rulesFile, { force: true }));
    assert.equal(await chipCount(page, 'sensitive-key-export'), cliCounts(SAMPLE, rulesFile)['sensitive-key-export']);
    await page.screenshot({ path: join(artifacts, '23-rule-editor.png'), fullPage: true });

    // Not kept unless asked.
    assert.equal(await page.evaluate(() => localStorage.getItem('keytrail.rules')), null);
    await page.check('[data-testid=keep-rules]');
    const kept = await page.evaluate(() => localStorage.getItem('keytrail.rules'));
    assert.match(kept, /CONTOSO-CA01-\*/);
    // Only the rules: no event data in what is kept.
    assert.doesNotMatch(kept, /svc-backup|0x5a1f3c|S-1-5-21/);
    const again = await openSample(t, { context });
    assert.ok((await chipCount(again.page, 'sensitive-key-export')) > 0, 'kept rules come back');
    await again.page.click('[data-testid=edit-rules]');
    await again.page.uncheck('[data-testid=keep-rules]');
    assert.equal(await again.page.evaluate(() => localStorage.getItem('keytrail.rules')), null);

    // A broken rule is refused with its name; the rules in use stay.
    await again.page.fill('[data-testid=rules-json]', '[{"id":"bad","key_names":[{"regex":"("}]}]');
    await again.page.click('[data-testid=apply-json]');
    await again.page.waitForSelector('[data-testid=rules-error]');
    assert.match(await again.page.textContent('[data-testid=rules-error]'), /rule `bad`/);
    assert.ok((await chipCount(again.page, 'sensitive-key-export')) > 0);

    // Importing a rules file replaces the rules.
    const onlyImports = join(tmpdir(), `keytrail-e2e-imports-${process.pid}.json`);
    t.after(() => rm(onlyImports, { force: true }));
    await writeFile(onlyImports, JSON.stringify({ rules: [{ id: 'imports', title: 'Imports', event_ids: [5059], operations: ['import'] }] }));
    await again.page.setInputFiles('[data-testid=import-rules]', onlyImports);
    await again.page.waitForSelector('.chip[data-rule="imports"]');
    assert.equal(await again.page.locator('[data-testid=findings] .chip').count(), 1);
    assert.equal(await chipCount(again.page, 'imports'), cliCounts(SAMPLE, onlyImports).imports);
  });

  for (const [what, ext, args] of [
    ['export', 'xml', ['--size', '24MB', '--format', 'event-viewer', '--encoding', 'utf16le']],
    ['.evtx log', 'evtx', ['--size', '12MB', '--format', 'evtx']],
  ])
  test(`a large ${what}, decoded by two workers at once, counts what the CLI counts`, { timeout: 120_000 }, async (t) => {
    // Large enough to be split between the decoding worker and its second worker.
    const file = join(tmpdir(), `keytrail-e2e-large-${process.pid}.${ext}`);
    execFileSync(keytrailBin, ['generate', ...args, '-o', file], { stdio: 'ignore' });
    t.after(() => rm(file, { force: true }));
    const summary = JSON.parse(execFileSync(keytrailBin, ['summary', file, '--format', 'json'], { maxBuffer: 1 << 28 }));
    const context = await env.browser.newContext();
    t.after(() => context.close());
    const page = await context.newPage();
    await page.goto(env.origin + '/');
    await page.waitForSelector('[data-testid=drop-zone][data-ready=true]');
    await page.setInputFiles('[data-testid=file-input]', file);
    assert.equal(await loaded(page), summary.events, 'every event, once');
    assert.equal(await page.locator('[data-testid=problem-count]').count(), 0, 'no problem');
    const cli = cliCounts(file);
    for (const id of ['export-any', 'machine-key-export-not-system', 'failed-key-operations', 'key-operations-off-hours']) {
      assert.equal(await chipCount(page, id), cli[id] ?? 0, `${id}: page and CLI agree`);
    }
    // The latest key export (decoded by the second worker) is decoded again from its bytes in
    // the file, and its logon session is found.
    await chip(page, 'export-any').click();
    await page.click('th[data-column=time] button');
    await page.click('th[data-column=time] button');
    await page.waitForSelector('th[data-column=time][aria-sort=descending]');
    const row = page.locator('[data-testid=events-table] tr.row').first();
    const record = (await row.locator('td.record_id').textContent()).trim();
    await row.click();
    await page.waitForSelector('[data-testid=detail-session], [data-testid=session-well-known]');
    assert.match(await page.textContent('[data-testid=detail-event]'), /5059/);
    const xml = await page.textContent('[data-testid=detail-xml]');
    assert.match(xml, /^(<\?xml[^>]*>\s*)?<Event/);
    assert.ok(xml.includes(`<EventRecordID>${record}</EventRecordID>`), `the detail is event ${record}`);
  });

  test('findings speak Japanese', async (t) => {
    const { page } = await openSample(t, { locale: 'ja-JP' });
    assert.match(await page.textContent('[data-testid=findings] h2'), /検出結果/);
    assert.match(await chip(page, 'machine-key-export-not-system').textContent(), /SYSTEM 以外によるマシン キーのエクスポート/);
    // Routine lines say which Windows component does it, in Japanese.
    const cdp = page.locator('[data-testid=routine-lines] li[data-pattern=cdp-device-certificate]').first();
    assert.match(await cdp.textContent(), /Connected Devices Platform のデバイス証明書/);
    assert.match(await cdp.textContent(), /サインインのたびに/);
    // Decoded values have Japanese words too (Windows' English stays in exports and beside them).
    await chip(page, 'machine-key-export-not-system').click();
    const first = page.locator('[data-testid=events-table] tr.row').first();
    assert.match(await first.textContent(), /永続的な暗号キーのエクスポート/);
    assert.match(await first.textContent(), /マシン キー/);
    await first.click();
    // The reasons in Japanese too: Windows' values as logged, no English sentence.
    const reasons = page.locator('[data-testid=detail-findings] .reason');
    await reasons.first().waitFor();
    const reasonText = (await reasons.allTextContents()).join('\n');
    assert.match(reasonText, /永続的な暗号キーのエクスポート、マシン キー/);
    assert.doesNotMatch(reasonText, /Export of persistent|machine key\./);
    await page.waitForSelector('[data-testid=event-detail] [data-field=Operation] .decoded');
    assert.equal(
      await page.textContent('[data-testid=event-detail] [data-field=Operation] .decoded'),
      '永続的な暗号キーのエクスポート (Export of persistent cryptographic key.)',
    );
    await page.click('[data-testid=edit-rules]');
    assert.match(await page.textContent('[data-testid=rule-editor]'), /重要な鍵の名前/);
    // Hours that are not a range within a day are refused, in Japanese too.
    await page.fill('[data-testid=hours-from]', '18');
    await page.fill('[data-testid=hours-to]', '8');
    await page.click('[data-testid=apply-settings]');
    await page.waitForSelector('[data-testid=rule-editor-error]');
    assert.match(await page.textContent('[data-testid=rule-editor-error]'), /業務時間は 0〜24 の整数/);
    await page.screenshot({ path: join(artifacts, '24-findings-ja.png') });
  });
});

/** The rows of a CSV text (RFC 4180: quoted fields may hold commas, quotes and line ends). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
    else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}
