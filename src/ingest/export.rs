//! The page's export: the events of the rows the user chose, read again from their files and
//! written as the CLI's `export` writes them, in the order the rows were chosen: the same
//! [`Record`]s (every raw field, the decoded values, the rules each matches) as CSV or a JSON
//! array, or the same ECS documents ([`ecs`](crate::model::export::ecs)) as NDJSON.
//!
//! The reads are planned here, without any browser API: rows are grouped by file, sorted by
//! place, and covered by windows of at most [`WINDOW_BYTES`] (whole chunks in an `.evtx` file,
//! whose records are rendered from their chunk's tables), so that a large export reads each
//! part of a file once. The worker only reads the windows [`Exporter::next_read`] asks for and
//! hands each back to [`Exporter::take`].
//!
//! ```
//! use keytrail::ingest::export::{ExportRow, ExportShape, Exporter};
//! use keytrail::model::session::SessionIndex;
//!
//! let xml = b"<Event><System><EventID>5059</EventID></System></Event>";
//! let rows = vec![ExportRow { file: 0, start: 0, end: xml.len() as u64, findings: vec![] }];
//! let names = vec![(5059, "Key migration operation".to_string())];
//! let mut exporter = Exporter::new(rows, vec!["a.xml".into()], names, ExportShape::Json);
//! while let Some((file, range)) = exporter.next_read() {
//!     assert_eq!(file, 0);
//!     // The logon sessions of everything loaded (here: none).
//!     exporter.take(&xml[range.start as usize..range.end as usize], &mut SessionIndex::default());
//! }
//! let (text, lost) = exporter.finish();
//! assert_eq!(lost, 0);
//! assert!(text.starts_with("[\n{\"file\":\"a.xml\",\"event_id\":5059"));
//! ```

use super::{evtx_chunk_of, is_evtx_record, records_xml, Reader};
use crate::decoder::{Event, Item};
use crate::model::export::ecs::EcsExport;
use crate::model::export::{csv_header, Record};
use crate::model::session::SessionIndex;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// The most bytes read at once (one event or one `.evtx` chunk larger than that is read whole).
pub const WINDOW_BYTES: u64 = 16 * 1024 * 1024;

/// One row to export: where its event is in which file, and the ids of the rules it matches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportRow {
    /// The file's number (the page's numbering).
    pub file: u32,
    /// Where the event starts in the file.
    pub start: u64,
    /// Where it ends.
    pub end: u64,
    /// The rules it matches.
    pub findings: Vec<String>,
}

impl ExportRow {
    /// The row of a decoded `event` of file `file`, matching `findings`.
    pub fn of(file: u32, event: &Event, findings: Vec<String>) -> Self {
        Self {
            file,
            start: event.byte_range.0,
            end: event.byte_range.1,
            findings,
        }
    }
}

/// What an export is written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportShape {
    /// A JSON array of [`Record`]s, one a line.
    Json,
    /// [`Record`]s as CSV, with a header and CRLF line ends.
    Csv,
    /// One ECS document a line (NDJSON), as `keytrail export --format ecs` writes them.
    Ecs,
}

impl ExportShape {
    /// The downloaded file's name and media type.
    pub fn file(self) -> (&'static str, &'static str) {
        match self {
            Self::Json => ("keytrail-events.json", "application/json"),
            Self::Csv => ("keytrail-events.csv", "text/csv;charset=utf-8"),
            Self::Ecs => ("keytrail-events-ecs.ndjson", "application/x-ndjson"),
        }
    }
}

/// Reads planned and records written, for one export.
pub struct Exporter {
    rows: Vec<ExportRow>,
    names: Vec<String>,
    event_names: Vec<(u32, String)>,
    shape: ExportShape,
    /// Row indexes in read order (by file, then place).
    order: Vec<usize>,
    /// The next of `order` not yet read.
    next: usize,
    /// The window asked for and not yet taken: its rows (a run of `order`) and its start.
    pending: Option<(Range<usize>, u64)>,
    /// Each row's record, once written.
    records: Vec<Option<String>>,
}

impl Exporter {
    /// An export of `rows` (in the order they are to be written) from the files named `names`
    /// (indexed by [`ExportRow::file`]), as `shape`; `event_names` names the event IDs (the
    /// caller's table: the page's worker carries none).
    pub fn new(
        rows: Vec<ExportRow>,
        names: Vec<String>,
        event_names: Vec<(u32, String)>,
        shape: ExportShape,
    ) -> Self {
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by_key(|&i| (rows[i].file, rows[i].start));
        let records = vec![None; rows.len()];
        Self {
            rows,
            names,
            event_names,
            shape,
            order,
            next: 0,
            pending: None,
            records,
        }
    }

    /// The next bytes to read: a file's number and a byte range of it; `None` when every row
    /// has been read.
    pub fn next_read(&mut self) -> Option<(u32, Range<u64>)> {
        let first = &self.rows[*self.order.get(self.next)?];
        let file = first.file;
        let start = span(first).start;
        let mut end = span(first).end;
        let mut last = self.next + 1;
        while let Some(row) = self.order.get(last).map(|&i| &self.rows[i]) {
            let range = span(row);
            if row.file != file || range.end.max(end) - start > WINDOW_BYTES {
                break;
            }
            end = end.max(range.end);
            last += 1;
        }
        self.pending = Some((self.next..last, start));
        self.next = last;
        Some((file, start..end))
    }

    /// Writes the records of the rows in the window [`Exporter::next_read`] asked for, from its
    /// `bytes` (fewer than asked when the file ended sooner: the rows beyond are lost).
    /// `sessions` holds the logon sessions of every event loaded, for ECS documents'
    /// `keytrail.session` (the rows exported may not include their logons).
    pub fn take(&mut self, bytes: &[u8], sessions: &mut SessionIndex) {
        let Some((run, at)) = self.pending.take() else {
            return;
        };
        let rows: Vec<usize> = self.order[run].to_vec();
        let slice = |range: Range<u64>| {
            let (s, e) = (range.start.saturating_sub(at), range.end.saturating_sub(at));
            bytes.get(s as usize..e as usize)
        };
        // `.evtx` records, grouped by chunk so that each chunk is parsed once.
        let mut chunks: Vec<(Range<u64>, Vec<usize>)> = Vec::new();
        for i in rows {
            let row = &self.rows[i];
            let Some(raw) = slice(row.start..row.end) else {
                continue;
            };
            if !is_evtx_record(raw) {
                self.records[i] = self.write(i, raw, sessions);
                continue;
            }
            let chunk = evtx_chunk_of(row.start);
            match chunks.last_mut() {
                Some((c, members)) if *c == chunk => members.push(i),
                _ => chunks.push((chunk, vec![i])),
            }
        }
        for (chunk, members) in chunks {
            let Some(chunk_bytes) = slice(chunk.clone()) else {
                continue;
            };
            let offsets: Vec<u64> = members
                .iter()
                .map(|&i| self.rows[i].start - chunk.start)
                .collect();
            let xml = records_xml(chunk_bytes, &offsets, false);
            for (i, xml) in members.into_iter().zip(xml) {
                if let Some(xml) = xml {
                    self.records[i] = self.write(i, xml.as_bytes(), sessions);
                }
            }
        }
    }

    /// The record of row `i`, from its event's bytes (XML, UTF-8 or UTF-16).
    fn write(&mut self, i: usize, bytes: &[u8], sessions: &mut SessionIndex) -> Option<String> {
        let row = &self.rows[i];
        let event = decode_one(bytes)?;
        let findings: Vec<&str> = row.findings.iter().map(String::as_str).collect();
        let mut line = String::new();
        let event_name = self
            .event_names
            .iter()
            .find(|(id, _)| *id == event.event_id())
            .map(|(_, n)| n.as_str());
        if self.shape == ExportShape::Ecs {
            let link = sessions.link_event(&event);
            EcsExport::write_linked(&event, event_name, &findings, &link, &mut line);
            return Some(line);
        }
        let name = self.names.get(row.file as usize).map_or("", String::as_str);
        let record = Record::named(name, &event, findings, event_name);
        if self.shape == ExportShape::Csv {
            record.write_csv(&mut line);
        } else {
            record.write_json(&mut line);
        }
        Some(line)
    }

    /// The whole export (CSV with its header and CRLF line ends, a JSON array with one record
    /// a line, or NDJSON), in the rows' order, and how many rows could not be read again.
    pub fn finish(self) -> (String, usize) {
        let lost = self.records.iter().filter(|r| r.is_none()).count();
        let mut out = String::new();
        let end = match self.shape {
            ExportShape::Json => {
                let records: Vec<&str> =
                    self.records.iter().flatten().map(String::as_str).collect();
                out.push_str("[\n");
                out.push_str(&records.join(",\n"));
                out.push_str("\n]\n");
                return (out, lost);
            }
            ExportShape::Csv => {
                out.push_str(&csv_header());
                out.push_str("\r\n");
                "\r\n"
            }
            ExportShape::Ecs => "\n",
        };
        for record in self.records.iter().flatten() {
            out.push_str(record);
            out.push_str(end);
        }
        (out, lost)
    }
}

/// What must be read for a row: its event and, in case it is an `.evtx` record (which the row
/// does not say), the whole chunk that would hold it. An `.evtx` record never starts before the
/// first chunk; an XML event that does is read alone. Reading the chunk around an XML event
/// costs a few more bytes, never a second read.
fn span(row: &ExportRow) -> Range<u64> {
    if row.start < crate::decoder::EVTX_HEADER_BYTES {
        return row.start..row.end;
    }
    let chunk = evtx_chunk_of(row.start);
    chunk.start.min(row.start)..chunk.end.max(row.end)
}

/// The one event in `bytes`.
fn decode_one(bytes: &[u8]) -> Option<Event> {
    // A slice read again: no hash to take.
    let mut reader = Reader::unhashed();
    let mut items = Vec::new();
    reader.push(bytes, &mut items);
    reader.finish(&mut items);
    items.into_iter().find_map(|item| match item {
        Item::Event(event) => Some(event),
        Item::Problem(_) => None,
    })
}
