//! Splunk search results saved as CSV whose `_raw` column holds the `XmlWinEventLog` XML of each
//! event (`renderXml = true` inputs): each record is found by its line end outside quotes, its
//! `_raw` field unquoted (`""` is `"`) and decoded by the event parser. An event's byte range is
//! the quoted field alone: read again, it is a CSV of one field without a header, which this
//! reader takes as the `_raw` XML.

use super::emit::{Emitter, Tally};
use super::text::TextStream;
use crate::decoder::{InputKind, Item, Position, ProblemKind, Severity, Stats};

/// Reads one CSV input fed in pieces of any size; see the [module documentation](self).
pub struct CsvReader {
    text: TextStream,
    scan: usize,
    record_start: usize,
    in_quotes: bool,
    /// The `_raw` column, once the header is read (`None` inside: no header yet).
    raw_column: Option<Option<usize>>,
    skipping: bool,
    emitter: Emitter,
    others: Tally,
}

impl Default for CsvReader {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for CsvReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvReader")
            .field("stats", &self.emitter.stats)
            .finish_non_exhaustive()
    }
}

impl CsvReader {
    /// A reader at the start of an input.
    pub fn new() -> Self {
        Self {
            text: TextStream::new(),
            scan: 0,
            record_start: 0,
            in_quotes: false,
            raw_column: None,
            skipping: false,
            emitter: Emitter::default(),
            others: Tally::default(),
        }
    }

    /// The running totals.
    pub fn stats(&self) -> Stats {
        self.text.stats(&self.emitter.stats)
    }

    /// Decodes the next piece of the input.
    pub fn push(&mut self, bytes: &[u8], out: &mut Vec<Item>) {
        self.text.push(bytes);
        self.run(out, false);
    }

    /// Gives back an event this reader emitted, once read: see
    /// [`EventParser::recycle`](crate::decoder::EventParser::recycle).
    pub(crate) fn recycle(&mut self, event: crate::decoder::Event) {
        self.emitter.recycle(event);
    }

    /// Ends the input: the last record (with or without its line end) is read.
    pub fn finish(&mut self, out: &mut Vec<Item>) {
        self.text.finish();
        self.run(out, true);
        self.others.report(&mut self.emitter, out, |count| {
            ProblemKind::NotWindowsEvents { count }
        });
        let s = &self.emitter.stats;
        if s.events == 0 && s.problems == 0 {
            let start = Position {
                byte: 0,
                line: 1,
                column: 1,
            };
            self.emitter.problem(
                out,
                start,
                None,
                Severity::Rejected,
                ProblemKind::NotEventXml {
                    looks_like: InputKind::Text,
                },
            );
        }
    }

    fn run(&mut self, out: &mut Vec<Item>, end: bool) {
        loop {
            let buf = &self.text.buf;
            match memchr::memchr2(b'"', b'\n', &buf[self.scan..]) {
                Some(rel) => {
                    let at = self.scan + rel;
                    self.scan = at + 1;
                    if buf[at] == b'"' {
                        self.in_quotes = !self.in_quotes;
                        continue;
                    }
                    if self.in_quotes {
                        continue;
                    }
                    let start = self.record_start;
                    self.record_start = at + 1;
                    if !std::mem::take(&mut self.skipping) {
                        self.record(start, at, out);
                    }
                }
                None => {
                    self.scan = buf.len();
                    if end && self.record_start < buf.len() {
                        let start = self.record_start;
                        self.record_start = buf.len();
                        if self.skipping {
                            // Already said: too large.
                        } else if self.in_quotes {
                            let at = self.text.locate(start);
                            self.emitter
                                .bad_document(out, at, ProblemKind::TruncatedEvent);
                        } else {
                            self.record(start, buf.len(), out);
                        }
                    } else if self.scan - self.record_start > self.emitter.limit && !self.skipping {
                        let at = self.text.locate(self.record_start);
                        self.emitter.too_large(out, at);
                        self.skipping = true;
                    }
                    break;
                }
            }
        }
        let keep = if self.skipping {
            self.scan
        } else {
            self.record_start
        };
        let dropped = self.text.consume(keep);
        self.scan -= dropped;
        // A record being skipped may start before what was dropped.
        self.record_start = self.record_start.saturating_sub(dropped);
    }

    fn record(&mut self, start: usize, end: usize, out: &mut Vec<Item>) {
        // A record read whole in one piece is held to the limit as one that grows piece by piece.
        if end - start > self.emitter.limit {
            let at = self.text.locate(start);
            return self.emitter.too_large(out, at);
        }
        let fields = fields(&self.text.buf[start..end]);
        let Some(column) = self.raw_column else {
            // One `_raw` field read again on its own (the detail pane, the export).
            if let [(s, e)] = fields[..] {
                if unquote(&self.text.buf[start + s..start + e]).starts_with("<Event") {
                    self.raw_column = Some(Some(0));
                    return self.record(start, end, out);
                }
            }
            let column = fields
                .iter()
                .position(|&(s, e)| unquote(&self.text.buf[start + s..start + e]) == "_raw");
            self.raw_column = Some(column);
            return;
        };
        if fields.iter().all(|&(s, e)| e == s) {
            return;
        }
        let Some(&(s, e)) = column.and_then(|c| fields.get(c)) else {
            let at = self.text.locate(start);
            self.others.add(at);
            return;
        };
        let field = &self.text.buf[start + s..start + e];
        let repaired = match simdutf8::basic::from_utf8(field) {
            Err(_) => Some(ProblemKind::InvalidUtf8),
            // Bad UTF-16 anywhere in the record (its other columns too) is said with its event.
            Ok(_) => self.text.bad_utf16_in(start..end),
        };
        let xml = unquote(field);
        let at = self.text.locate(start + s);
        let end_at = self.text.locate(start + e);
        if !xml.trim_start().starts_with("<Event") {
            self.others.add(at);
            return;
        }
        self.emitter
            .event(&xml, at, (at.byte, end_at.byte), repaired, out);
    }
}

/// The fields of one record, as offsets into it (quotes included).
fn fields(record: &[u8]) -> Vec<(usize, usize)> {
    let record = record.strip_suffix(b"\r").unwrap_or(record);
    let mut out = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (i, &b) in record.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => {
                out.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push((start, record.len()));
    out
}

/// A field's text: without its quotes, `""` as `"`.
fn unquote(field: &[u8]) -> String {
    let text = String::from_utf8_lossy(field);
    let t = text.trim();
    match t.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record whose `_raw` is 50 MB, fed in 64 KiB pieces: the text held never grows much past
    /// the 16 MiB limit, the record is said once, and the next one is read.
    #[test]
    fn a_fifty_megabyte_raw_is_not_held() {
        let event = "<Event><System><EventID>4624</EventID></System></Event>";
        let mut input =
            format!("\"_time\",\"_raw\"\r\n\"t\",\"{event}\"\r\n\"t\",\"<Event>").into_bytes();
        input.resize(input.len() + (50 << 20), b'a');
        input.extend_from_slice(format!("</Event>\"\r\n\"t\",\"{event}\"\r\n").as_bytes());
        let mut reader = CsvReader::new();
        let mut out = Vec::new();
        let mut held = 0;
        for piece in input.chunks(64 << 10) {
            reader.push(piece, &mut out);
            held = held.max(reader.text.buf.len());
        }
        reader.finish(&mut out);
        assert!(held < reader.emitter.limit + (2 << 20), "{held} bytes held");
        let (events, problems) = crate::decoder::split_items(out);
        assert_eq!(events.len(), 2);
        let kinds: Vec<_> = problems
            .iter()
            .map(|p| (&p.kind, p.position.line))
            .collect();
        assert_eq!(
            kinds,
            [(
                &ProblemKind::EventTooLarge {
                    limit: reader.emitter.limit
                },
                3
            )]
        );
    }

    /// A quoted field never closed, over the limit: said once, not also as cut short.
    #[test]
    fn a_field_never_closed_is_said_once() {
        let mut input = b"\"_time\",\"_raw\"\r\n\"t\",\"<Event>".to_vec();
        input.resize(input.len() + (17 << 20), b'a');
        let mut reader = CsvReader::new();
        let mut out = Vec::new();
        for piece in input.chunks(1 << 20) {
            reader.push(piece, &mut out);
        }
        reader.finish(&mut out);
        let (events, problems) = crate::decoder::split_items(out);
        assert!(events.is_empty());
        let kinds: Vec<_> = problems.iter().map(|p| &p.kind).collect();
        assert_eq!(
            kinds,
            [&ProblemKind::EventTooLarge {
                limit: reader.emitter.limit
            }]
        );
    }
}
