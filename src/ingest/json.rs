//! JSON exports of Windows events, read one document at a time as the bytes arrive: JSON Lines
//! (NXLog, winlogbeat, `evtx_dump -o jsonl`, Splunk's `output_mode=json` export, a `_bulk` body),
//! pretty documents one after the other (`evtx_dump -o json`, with its `Record N` lines), a
//! top-level array (`ConvertTo-Json`), and the arrays of a search response (`hits.hits` of
//! Elasticsearch or OpenSearch, `results` of Splunk's REST API).
//!
//! A whole file is never parsed at once: a small scanner that knows strings and brackets finds
//! where each document starts and ends, and only that document is handed to `serde_json`. Once
//! the first document shows the file holds one document a line, every line is one document:
//! a broken line costs only itself. Each document is read as the event XML it stands for
//! ([`shape::json_doc`]), built by the event parser's steps without writing that XML; its byte
//! range is kept, so that the
//! detail pane and the export read it again. Memory is bounded by the largest document
//! ([`Limits::max_event_bytes`](crate::decoder::Limits)).

use super::emit::{Emitter, Tally};
use super::shape::{self, Doc};
use super::text::TextStream;
use crate::decoder::{Item, Position, ProblemKind, Severity, Stats};

/// How the file lays out its documents, once the first one is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    Unknown,
    /// One document a line.
    Lines,
    /// Documents over several lines, or inside an array.
    Pretty,
}

/// A document being scanned.
#[derive(Clone, Copy, Debug)]
struct Open {
    start: usize,
    /// The nesting depth outside it.
    depth: usize,
    at: Position,
}

/// Reads one JSON input fed in pieces of any size; see the [module documentation](self).
pub struct JsonReader {
    text: TextStream,
    /// The next byte of `text.buf` to scan.
    scan: usize,
    layout: Layout,
    depth: usize,
    /// Open containers (`{` or `[`) of the first levels, and the key each is the value of.
    stack: Vec<u8>,
    keys: Vec<Option<String>>,
    /// The last string closed at a shallow depth (a key once `:` follows).
    last_string: Option<(usize, usize)>,
    string_start: usize,
    in_string: bool,
    escaped: bool,
    /// The depth at which each `{` is a document (inside a top-level array or a search
    /// response's array of hits).
    element_depth: Option<usize>,
    open: Option<Open>,
    /// An oversized document being skipped, until the depth falls back to this.
    skipping: Option<usize>,
    /// Text between documents that is not JSON (`Record N` of evtx_dump is expected).
    junk: Option<(usize, Position)>,
    emitter: Emitter,
    others: Tally,
    lost: Tally,
}

impl Default for JsonReader {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for JsonReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonReader")
            .field("layout", &self.layout)
            .field("stats", &self.emitter.stats)
            .finish_non_exhaustive()
    }
}

/// Containers deeper than this are counted, not remembered: documents and wrappers are found
/// in the first levels only.
const TRACKED_DEPTH: usize = 4;

impl JsonReader {
    /// A reader at the start of an input.
    pub fn new() -> Self {
        Self {
            text: TextStream::new(),
            scan: 0,
            layout: Layout::Unknown,
            depth: 0,
            stack: Vec::new(),
            keys: Vec::new(),
            last_string: None,
            string_start: 0,
            in_string: false,
            escaped: false,
            element_depth: None,
            open: None,
            skipping: None,
            junk: None,
            emitter: Emitter::default(),
            others: Tally::default(),
            lost: Tally::default(),
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

    /// Ends the input: a document left open is reported; so are, once each, the documents that
    /// were not Windows events and the events whose values `ConvertTo-Json` lost.
    pub fn finish(&mut self, out: &mut Vec<Item>) {
        self.text.finish();
        self.run(out, true);
        if let Some(open) = self.open.take() {
            // Cut short: `serde_json` says where.
            let end = self.text.buf.len();
            self.document(open, end, out);
        }
        if let Some((start, at)) = self.junk.take() {
            if !is_record_line(&self.text.buf[start..]) {
                self.junk_line(at, out);
            }
        }
        self.others.report(&mut self.emitter, out, |count| {
            ProblemKind::NotWindowsEvents { count }
        });
        self.lost.report(&mut self.emitter, out, |count| {
            ProblemKind::PropertiesLost { count }
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
                    looks_like: crate::decoder::InputKind::Text,
                },
            );
        }
    }

    fn run(&mut self, out: &mut Vec<Item>, end: bool) {
        if self.layout == Layout::Lines {
            self.lines(out, end);
        } else {
            self.brackets(out, end);
            if self.layout == Layout::Lines {
                self.lines(out, end);
            }
        }
        self.compact();
    }

    /// Drops the text nothing needs any more.
    fn compact(&mut self) {
        let keep = match (self.open, self.junk) {
            (Some(open), _) => open.start,
            (None, Some((start, _))) => start,
            (None, None) => self.scan,
        };
        let dropped = self.text.consume(keep);
        if dropped > 0 {
            self.scan -= dropped;
            if let Some(open) = &mut self.open {
                open.start -= dropped;
            }
            if let Some((start, _)) = &mut self.junk {
                *start -= dropped;
            }
            self.string_start = self.string_start.saturating_sub(dropped);
            self.last_string = None;
        }
    }

    /// One document a line: each complete line is parsed on its own.
    fn lines(&mut self, out: &mut Vec<Item>, end: bool) {
        loop {
            let rest = &self.text.buf[self.scan..];
            let (line_end, next) = match memchr::memchr(b'\n', rest) {
                Some(nl) => (self.scan + nl, self.scan + nl + 1),
                None if end => (self.text.buf.len(), self.text.buf.len()),
                None => {
                    if rest.len() > self.emitter.limit && self.skipping.is_none() {
                        let at = self.text.locate(self.scan);
                        self.emitter.too_large(out, at);
                        self.skipping = Some(0);
                    }
                    if self.skipping.is_some() {
                        self.scan = self.text.buf.len();
                    }
                    return;
                }
            };
            if self.skipping.take().is_some() {
                self.scan = next;
                continue;
            }
            let start = self.scan;
            if line_end - start > self.emitter.limit {
                let at = self.text.locate(start);
                self.emitter.too_large(out, at);
                self.scan = next;
                continue;
            }
            let line = &self.text.buf[start..line_end];
            let first = line.iter().position(|b| !b.is_ascii_whitespace());
            let record = first.is_some_and(|f| is_record_line(&line[f..]));
            self.scan = next;
            if let Some(first) = first {
                let c = self.text.buf[start + first];
                let at = self.text.locate(start + first);
                match c {
                    b'{' | b'[' => {
                        let open = Open {
                            start: start + first,
                            depth: 0,
                            at,
                        };
                        self.document(open, line_end, out);
                    }
                    _ if record => {}
                    _ => self.junk_line(at, out),
                }
            }
            if next >= self.text.buf.len() {
                return;
            }
        }
    }

    fn junk_line(&mut self, at: Position, out: &mut Vec<Item>) {
        self.emitter.bad_document(
            out,
            at,
            ProblemKind::InvalidJson {
                reason: "text that is not JSON between documents".into(),
            },
        );
    }

    /// Documents found by their brackets; `end`: no more input comes.
    fn brackets(&mut self, out: &mut Vec<Item>, end: bool) {
        let mut i = self.scan;
        while i < self.text.buf.len() {
            if self.layout == Layout::Lines {
                break;
            }
            if let Some((start, at)) = self.junk {
                // A line between documents: `Record N`, or text that is reported.
                match memchr::memchr(b'\n', &self.text.buf[i..]) {
                    Some(nl) => {
                        if !is_record_line(&self.text.buf[start..i + nl]) {
                            self.junk_line(at, out);
                        }
                        self.junk = None;
                        i += nl + 1;
                        continue;
                    }
                    None => {
                        i = self.text.buf.len();
                        break;
                    }
                }
            }
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                    i += 1;
                    continue;
                }
                match memchr::memchr3(b'"', b'\\', b'\n', &self.text.buf[i..]) {
                    None => {
                        i = self.text.buf.len();
                        break;
                    }
                    Some(rel) => {
                        let at = i + rel;
                        match self.text.buf[at] {
                            b'\\' => {
                                self.escaped = true;
                                i = at + 1;
                            }
                            b'"' => {
                                self.in_string = false;
                                if self.depth <= TRACKED_DEPTH {
                                    self.last_string = Some((self.string_start, at));
                                }
                                i = at + 1;
                            }
                            // A line break inside a string: not JSON; the document is broken
                            // here.
                            _ => i = self.broken(at, out),
                        }
                    }
                }
                continue;
            }
            let c = self.text.buf[i];
            match c {
                b'"' => {
                    self.in_string = true;
                    self.string_start = i + 1;
                }
                b'{' | b'[' => self.open_container(c, i),
                b'}' | b']' => {
                    if self.depth == 0 {
                        let at = self.text.locate(i);
                        self.emitter.bad_document(
                            out,
                            at,
                            ProblemKind::InvalidJson {
                                reason: format!("`{}` closes nothing", c as char),
                            },
                        );
                    } else {
                        self.depth -= 1;
                        if self.depth < TRACKED_DEPTH {
                            self.stack.truncate(self.depth);
                            self.keys.truncate(self.depth + 1);
                        }
                        if self.element_depth.is_some_and(|d| self.depth < d) {
                            self.element_depth = None;
                        }
                        if self.skipping == Some(self.depth) {
                            self.skipping = None;
                        }
                        if let Some(open) = self.open.filter(|o| o.depth == self.depth) {
                            self.open = None;
                            self.document(open, i + 1, out);
                            if open.depth == 0 && self.layout == Layout::Unknown {
                                let one_line =
                                    memchr::memchr(b'\n', &self.text.buf[open.start..i]).is_none();
                                self.layout = if one_line {
                                    Layout::Lines
                                } else {
                                    Layout::Pretty
                                };
                                if self.layout == Layout::Lines {
                                    self.scan = i + 1;
                                    return;
                                }
                            }
                        }
                    }
                }
                b':' if self.depth <= TRACKED_DEPTH => {
                    let key = self
                        .last_string
                        .take()
                        .and_then(|(s, e)| std::str::from_utf8(&self.text.buf[s..e]).ok())
                        .map(str::to_string);
                    self.set_key(key);
                }
                b',' if self.depth <= TRACKED_DEPTH => self.set_key(None),
                // A line break at the end of what has come, in a document of a pretty file: the
                // next byte decides (below), so it waits for it.
                b'\n'
                    if self.open.is_some_and(|o| o.depth == 0)
                        && self.layout == Layout::Pretty
                        && i + 1 == self.text.buf.len()
                        && !end =>
                {
                    break;
                }
                // A document of a pretty file whose brackets do not balance: a line that starts
                // a new document at its first column ends it.
                b'\n'
                    if self.open.is_some_and(|o| o.depth == 0)
                        && self.layout == Layout::Pretty
                        && matches!(self.text.buf.get(i + 1), Some(b'{') | Some(b'R')) =>
                {
                    i = self.broken(i, out);
                    continue;
                }
                b' ' | b'\t' | b'\r' | b'\n' => {}
                _ if self.depth == 0 && self.open.is_none() => {
                    let at = self.text.locate(i);
                    self.junk = Some((i, at));
                }
                _ => {}
            }
            i += 1;
            if let Some(open) = self.open {
                if i - open.start > self.emitter.limit {
                    self.open = None;
                    self.skipping = Some(open.depth);
                    self.emitter.too_large(out, open.at);
                }
            }
        }
        self.scan = i;
    }

    fn set_key(&mut self, key: Option<String>) {
        let d = self.depth;
        if self.keys.len() <= d {
            self.keys.resize(d + 1, None);
        }
        self.keys[d] = key;
    }

    fn key(&self, depth: usize) -> Option<&str> {
        self.keys.get(depth).and_then(|k| k.as_deref())
    }

    fn open_container(&mut self, c: u8, i: usize) {
        let d = self.depth;
        if self.open.is_none() && self.skipping.is_none() {
            if d == 0 && c == b'[' {
                self.element_depth = Some(1);
                self.layout = Layout::Pretty;
            } else if c == b'{' && (d == 0 || Some(d) == self.element_depth) {
                let at = self.text.locate(i);
                self.open = Some(Open {
                    start: i,
                    depth: d,
                    at,
                });
            }
        }
        // A search response: its documents are the elements of `results` (Splunk) or
        // `hits.hits` (Elasticsearch, OpenSearch), not the response itself.
        if c == b'[' && self.stack.first() == Some(&b'{') {
            let results = d == 1 && self.key(1) == Some("results");
            let hits = d == 2 && self.key(1) == Some("hits") && self.key(2) == Some("hits");
            if results || hits {
                if self.open.is_some_and(|o| o.depth == 0) {
                    self.open = None;
                }
                self.element_depth = Some(d + 1);
                self.layout = Layout::Pretty;
            }
        }
        self.depth += 1;
        if d < TRACKED_DEPTH {
            self.stack.truncate(d);
            self.stack.push(c);
        }
        self.set_key(None);
    }

    /// A document that breaks at `at` (a line break where none may be): reported, and scanning
    /// starts again at the next line. Gives where to go on.
    fn broken(&mut self, at: usize, out: &mut Vec<Item>) -> usize {
        if let Some(open) = self.open.take() {
            let end = at;
            self.document(open, end, out);
        }
        self.in_string = false;
        self.escaped = false;
        self.depth = 0;
        self.stack.clear();
        self.keys.clear();
        self.element_depth = None;
        self.skipping = None;
        at + 1
    }

    /// Parses the document in `buf[open.start..end]` and decodes the event it holds.
    fn document(&mut self, open: Open, end: usize, out: &mut Vec<Item>) {
        let at = open.at;
        let end_at = self.text.locate(end);
        let range = (at.byte, end_at.byte);
        let (text, repaired) = self.text.document(open.start..end);
        let parsed = super::node::parse(text.trim_end());
        match parsed {
            Ok(value) => match shape::json_doc(&value) {
                Doc::Event(rec) => self.emitter.record(&rec, at, range, repaired, out),
                Doc::Lost(rec) => {
                    self.lost.add(at);
                    self.emitter.record(&rec, at, range, repaired, out);
                }
                Doc::Skip => {}
                Doc::Other => self.others.add(at),
            },
            Err(err) => {
                let place = error_place(at, &err);
                let mut reason = err.to_string();
                if let Some(cut) = reason.find(" at line ") {
                    reason.truncate(cut);
                }
                let kind = if err.is_eof() {
                    ProblemKind::TruncatedEvent
                } else {
                    ProblemKind::InvalidJson { reason }
                };
                self.emitter.bad_document(out, place, kind);
            }
        }
    }
}

/// `Record 12` (evtx_dump's line before each record).
fn is_record_line(line: &[u8]) -> bool {
    let line = line.trim_ascii();
    line.strip_prefix(b"Record ")
        .is_some_and(|n| !n.is_empty() && n.iter().all(u8::is_ascii_digit))
}

/// Where in the input a `serde_json` error of a document that starts at `at` is.
fn error_place(at: Position, err: &serde_json::Error) -> Position {
    let (line, column) = (err.line() as u64, err.column() as u64);
    if line <= 1 {
        Position {
            column: at.column + column.saturating_sub(1),
            ..at
        }
    } else {
        Position {
            byte: at.byte,
            line: at.line + line - 1,
            column: column.max(1),
        }
    }
}
