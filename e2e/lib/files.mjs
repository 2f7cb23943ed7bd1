// Input files for the tests: events built in JavaScript, encodings, fixtures.
import { readFile } from 'node:fs/promises';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { fixtures } from './paths.mjs';

/** One `wevtutil qe Security /f:xml` 5059 event with record number `4700 + n`. */
export function event5059(n) {
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

/** `n` events (records 4700 … 4700+n-1). */
export const events = (n) => Array.from({ length: n }, (_, i) => event5059(i)).join('');
export const utf8 = (text) => Buffer.from(text, 'utf8');
export const utf16le = (text) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);

/** A file for `setInputFiles`. */
export const upload = (name, buffer) => ({ name, mimeType: 'text/xml', buffer });

/** A fixture from tests/fixtures, or null when it does not exist (yet). */
export async function fixture(name) {
  const path = join(fixtures, name);
  // A missing fixture fails the test that needs it, never skips it.
  if (!existsSync(path)) throw new Error(`tests/fixtures/${name} is missing`);
  return upload(name, await readFile(path));
}

// --- hostile inputs built at test time ---------------------------------------------------------
// Each is `before` good events, the hostile part, then `after` good events (wevtutil format, no
// root element), so that a test can assert that exactly the good events survive around it.

const HEAD_1102 =
  "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>" +
  "<Provider Name='Microsoft-Windows-Eventlog' Guid='{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}'/>" +
  '<EventID>1102</EventID><Version>0</Version><Level>4</Level><Task>104</Task><Opcode>0</Opcode>' +
  "<Keywords>0x4020000000000000</Keywords><TimeCreated SystemTime='2025-03-04T09:16:00.0000000Z'/>" +
  "<EventRecordID>9999</EventRecordID><Correlation/><Execution ProcessID='1120' ThreadID='3000'/>" +
  '<Channel>Security</Channel><Computer>WS01.corp.example</Computer><Security/></System>';

/** Good events `0 … before-1`, `middle`, good events `before … before+after-1`, as parts. */
function around(middle, before, after) {
  return [events(before), ...middle, Array.from({ length: after }, (_, i) => event5059(before + i)).join('')];
}

/** An event whose UserData nests `levels` `<a>` elements. */
export function deepNesting(levels, { before = 2, after = 3 } = {}) {
  return around(
    [HEAD_1102 + "<UserData><LogFileCleared xmlns='http://manifests.microsoft.com/win/2004/08/windows/eventlog'>", '<a>'.repeat(levels), '</a>'.repeat(levels), '</LogFileCleared></UserData></Event>\r\n'],
    before,
    after,
  );
}

/** A 5059 whose `KeyName` is one value of `bytes` bytes. */
export function hugeValue(bytes, { before = 2, after = 3 } = {}) {
  const [head, tail] = event5059(900).split('le-1f2e');
  return around([head, 'K'.repeat(bytes), tail], before, after);
}

/** An event whose `LogFileCleared` element carries `count` distinct attributes. */
export function manyAttributes(count, { before = 2, after = 3 } = {}) {
  const attributes = Array.from({ length: count }, (_, i) => ` a${i}='${i}'`).join('');
  return around([HEAD_1102 + `<UserData><LogFileCleared${attributes}><SubjectUserName>x</SubjectUserName></LogFileCleared></UserData></Event>\r\n`], before, after);
}

/** The smallest event there is, repeated `count` times. */
export const TINY_EVENT = '<Event><System><EventID>1</EventID></System></Event>';
export function tinyEvents(count, { before = 2, after = 3 } = {}) {
  const block = TINY_EVENT.repeat(10_000);
  const parts = [];
  for (let left = count; left > 0; left -= 10_000) parts.push(left >= 10_000 ? block : TINY_EVENT.repeat(left));
  return around(parts, before, after);
}

/** Reads a whole file once (8 MiB at a time), so that it is in the operating system's cache when
 * a benchmark opens it (a cold first read would slow whichever run comes first). */
export function warmCache(path) {
  const fd = openSync(path, 'r');
  const buffer = Buffer.allocUnsafe(8 << 20);
  try {
    while (readSync(fd, buffer, 0, buffer.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}
