// The streaming JavaScript baseline of `npm run bench:scale`: saxes (the fastest maintained
// streaming XML parser for JavaScript, non-validating, namespace-aware off) reading an export
// from disk in 1 MiB pieces and keeping the same fields as the DOMParser page and keytrail's
// table. It runs in Node.js (the same V8 engine as the browser), not in the page: saxes is a
// CommonJS package that the page could only load through a bundler, which this project does not
// use. Reading in Node.js costs less than a Blob read in a tab, so the comparison favours saxes.

import { createReadStream } from 'node:fs';
import saxesModule from 'saxes';

const { SaxesParser } = saxesModule;

const FIELDS = new Set(['SubjectUserName', 'SubjectDomainName', 'SubjectUserSid', 'SubjectLogonId', 'ProviderName',
  'AlgorithmName', 'KeyName', 'KeyType', 'Operation', 'ReturnCode']);

/**
 * Parses the export at `path` (a wevtutil export has no root element: it is read as a
 * fragment) and returns the events found and the time taken, ms.
 */
export async function saxesBaseline(path, { fragment }) {
  const t0 = performance.now();
  const parser = new SaxesParser({ fragment, xmlns: false, position: false });
  const cols = { eventId: [], time: [], recordId: [], computer: [] };
  for (const f of FIELDS) cols[f] = [];
  let text = '';
  let dataName = null;
  let row = null;
  parser.on('opentag', (tag) => {
    text = '';
    switch (tag.name) {
      case 'Event':
        row = { data: {} };
        break;
      case 'TimeCreated':
        if (row) row.time = tag.attributes.SystemTime ?? null;
        break;
      case 'Data':
        dataName = tag.attributes.Name ?? null;
        break;
      default:
    }
  });
  parser.on('text', (t) => {
    text += t;
  });
  parser.on('closetag', (tag) => {
    if (!row) return;
    switch (tag.name) {
      case 'EventID':
        row.eventId = Number(text);
        break;
      case 'EventRecordID':
        row.recordId = Number(text);
        break;
      case 'Computer':
        row.computer = text;
        break;
      case 'Data':
        if (dataName != null && FIELDS.has(dataName)) row.data[dataName] = text;
        dataName = null;
        break;
      case 'Event':
        cols.eventId.push(row.eventId);
        cols.time.push(row.time ?? null);
        cols.recordId.push(row.recordId);
        cols.computer.push(row.computer ?? null);
        for (const f of FIELDS) cols[f].push(row.data[f] ?? null);
        row = null;
        break;
      default:
    }
    text = '';
  });
  let error = null;
  parser.on('error', (e) => {
    error ??= String(e);
  });
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  for await (const chunk of stream) {
    // A BOM or the declaration's encoding are the parser's business; the text is UTF-8.
    parser.write(chunk);
    if (error) break;
  }
  if (!error) parser.close();
  return { events: cols.eventId.length, totalMs: performance.now() - t0, error };
}
