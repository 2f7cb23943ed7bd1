//! The streaming decoder: bytes in (chunks of any size), [`Event`]s and [`Problem`]s out.
//!
//! It accepts every export format keytrail knows, detected by content: the encoding from the BOM
//! and the first bytes (UTF-8 with or without BOM, UTF-16 LE or BE), then each `<Event` start tag
//! wherever it stands — under an `<Events>` root or none, after banners, declarations, `Record N`
//! lines, text headers or prose. Each event is decoded on its own, so one broken event costs only
//! itself: decoding resumes at the next `<Event`. The result never depends on where the input is
//! cut into chunks, and memory beyond the decoded events stays bounded by [`Limits`].
//!
//! ```
//! use keytrail::decoder::{Decoder, Item};
//!
//! let input = "<Events><Event><System><EventID>4624</EventID></System></Event>\
//!              <Event><System><EventID>5059</EventID></System></Event></Events>";
//! let mut decoder = Decoder::new();
//! let mut out = Vec::new();
//! for chunk in input.as_bytes().chunks(7) {
//!     decoder.push(chunk, &mut out);
//! }
//! decoder.finish(&mut out);
//! let ids: Vec<u32> = out
//!     .iter()
//!     .filter_map(|i| match i {
//!         Item::Event(e) => Some(e.event_id()),
//!         Item::Problem(_) => None,
//!     })
//!     .collect();
//! assert_eq!(ids, [4624, 5059]);
//! assert_eq!(decoder.stats().skipped, 0);
//! ```

mod event;
mod parse;
pub(crate) use parse::{escape_xml, has_system_attrs, sys_field, system_attr, Builder, Elements};
mod problem;
pub mod table;
pub mod value;
pub mod view;

pub use event::{BodyKind, Event, Field, SysField, Timestamp};
pub use problem::{
    place, problem_wire, InputKind, Position, Problem, ProblemKind, Severity, EVTX_CHUNK_BYTES,
    EVTX_HEADER_BYTES,
};

use memchr::memmem;
use serde::Serialize;

/// Caps that keep hostile input from exhausting memory or time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest `<Event>…</Event>` in bytes (UTF-8).
    pub max_event_bytes: usize,
    /// Deepest element nesting inside an event.
    pub max_depth: usize,
    /// Most attributes on one element.
    pub max_attributes: usize,
    /// Largest single value in bytes.
    pub max_value_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_event_bytes: 16 << 20,
            max_depth: 64,
            max_attributes: 256,
            max_value_bytes: 1 << 20,
        }
    }
}

/// The text encoding detected from the first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextEncoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark.
    Utf8Bom,
    /// UTF-16 little endian (with or without BOM).
    Utf16Le,
    /// UTF-16 big endian (with or without BOM).
    Utf16Be,
}

/// One output of the decoder.
// Events are the common case; boxing them would cost an allocation each.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// A decoded event.
    Event(Event),
    /// A problem: a skipped event, a repair, or a note about the whole input.
    Problem(Problem),
}

/// Running totals of one input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Bytes of input received.
    pub bytes: u64,
    /// Events decoded.
    pub events: u64,
    /// Events skipped because of a problem.
    pub skipped: u64,
    /// Events decoded after a repair.
    pub repaired: u64,
    /// Problems of any severity.
    pub problems: u64,
    /// The encoding, once known.
    pub encoding: Option<TextEncoding>,
}

impl Stats {
    /// Counts `problem` (and the event it lost, if it lost one) and hands it on.
    pub(crate) fn push_problem(&mut self, problem: Problem, out: &mut Vec<Item>) {
        self.problems += 1;
        if problem.severity == Severity::Skipped {
            self.skipped += 1;
        }
        out.push(Item::Problem(problem));
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scan {
    /// Looking for the next `<Event` start tag.
    Seeking,
    /// Inside an event that starts at `pos`.
    InEvent,
    /// Discarding an event that exceeded the size limit.
    Oversized,
    /// The input is not text (an image, an archive…): everything is ignored.
    Rejected,
}

const START: &[u8] = b"<Event";
const END: &[u8] = b"</Event";
/// Bytes kept unconsumed while seeking, so a tag split across chunks is still found.
const KEEP: usize = 16;
/// Bytes sniffed before deciding the encoding and whether the input is binary.
const SNIFF: usize = 8;
/// Bytes of text kept to describe an input that holds no events.
const HEAD: usize = 1024;

/// The streaming decoder. See the [module documentation](self).
pub struct Decoder {
    limits: Limits,
    stats: Stats,
    sniff: Vec<u8>,
    encoding: Option<TextEncoding>,
    bom_len: u64,
    /// UTF-16: a byte waiting for its pair, and a high surrogate waiting for its low half.
    odd_byte: Option<u8>,
    high_surrogate: Option<u16>,
    /// Text offsets (UTF-8 stream) where U+FFFD replaced bad UTF-16.
    bad_utf16: Vec<u64>,
    /// UTF-8 text not yet consumed starts at `buf[pos]`.
    buf: Vec<u8>,
    pos: usize,
    /// Where `buf[pos]` is: offset in the UTF-8 stream, and its position in the original input.
    text_off: u64,
    at: Position,
    scan: Scan,
    /// Absolute UTF-8 stream offsets where the next searches resume.
    end_from: u64,
    start_from: u64,
    event_no: u64,
    head: Vec<u8>,
    doctype_seen: bool,
    start_finder: memmem::Finder<'static>,
    end_finder: memmem::Finder<'static>,
    doctype_finder: memmem::Finder<'static>,
    scratch: parse::Scratch,
}

/// How decoding a span ended: at its end tag (with the position there), or at a `<Event` inside
/// it where decoding resumes.
enum SpanEnd {
    Done(Position),
    Resume(usize),
}

impl Default for Decoder {
    fn default() -> Self {
        Self::with_limits(Limits::default())
    }
}

impl Decoder {
    /// A decoder with the default [`Limits`].
    pub fn new() -> Self {
        Self::default()
    }

    /// A decoder with other limits.
    pub fn with_limits(limits: Limits) -> Self {
        Self {
            limits,
            stats: Stats::default(),
            sniff: Vec::with_capacity(SNIFF),
            encoding: None,
            bom_len: 0,
            odd_byte: None,
            high_surrogate: None,
            bad_utf16: Vec::new(),
            buf: Vec::new(),
            pos: 0,
            text_off: 0,
            at: Position {
                byte: 0,
                line: 1,
                column: 1,
            },
            scan: Scan::Seeking,
            end_from: 0,
            start_from: 0,
            event_no: 0,
            head: Vec::new(),
            doctype_seen: false,
            start_finder: memmem::Finder::new(START).into_owned(),
            end_finder: memmem::Finder::new(END).into_owned(),
            doctype_finder: memmem::Finder::new(b"<!DOCTYPE").into_owned(),
            scratch: parse::Scratch::default(),
        }
    }

    /// Totals so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Where this decoder stands after being fed the input up to a `<Event` found with
    /// [`find_event_start`] (and no further): `Some` when nothing before that point is still
    /// open, so the input from there on decodes the same on its own; `None` when an event (or
    /// the sniffing of the encoding) is not finished, and the rest must be fed to this decoder.
    pub fn boundary(&self) -> Option<Boundary> {
        if self.scan != Scan::Seeking
            || self.encoding.is_none()
            || self.odd_byte.is_some()
            || self.high_surrogate.is_some()
        {
            return None;
        }
        Some(Boundary {
            position: self.locate(self.buf.len()),
            events: self.event_no,
            dtd_seen: self.doctype_seen,
        })
    }

    /// Feeds the next chunk of input; every event completed by it is appended to `out`.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<Item>) {
        self.stats.bytes += chunk.len() as u64;
        if self.scan == Scan::Rejected {
            return;
        }
        let mut chunk = chunk;
        if self.encoding.is_none() {
            let take = (SNIFF - self.sniff.len()).min(chunk.len());
            self.sniff.extend_from_slice(&chunk[..take]);
            chunk = &chunk[take..];
            if self.sniff.len() < SNIFF {
                return;
            }
            if !self.decide(out) {
                return;
            }
            let sniffed = std::mem::take(&mut self.sniff);
            let body = &sniffed[self.bom_len as usize..];
            self.append(body);
        }
        self.compact();
        self.append(chunk);
        self.pump(out);
    }

    /// Gives back an event this decoder emitted, once it has been read: see
    /// [`EventParser::recycle`].
    pub fn recycle(&mut self, event: Event) {
        self.scratch.recycle(event);
    }

    /// Ends the input: reports an event left open and describes an input without events.
    pub fn finish(&mut self, out: &mut Vec<Item>) {
        if self.encoding.is_none() && self.scan != Scan::Rejected && self.decide(out) {
            let sniffed = std::mem::take(&mut self.sniff);
            self.append(&sniffed[self.bom_len as usize..]);
        }
        if self.odd_byte.take().is_some() || self.high_surrogate.take().is_some() {
            self.bad_utf16
                .push(self.text_off + (self.buf.len() - self.pos) as u64);
            self.buf.extend_from_slice("\u{FFFD}".as_bytes());
        }
        self.pump(out);
        match self.scan {
            Scan::InEvent => {
                // The input ends inside an event. Events that began after it was left open are
                // reported one by one; the last is the truncated one.
                loop {
                    let next = self.find_start(self.pos + 1, self.buf.len()).ok().flatten();
                    let kind = match next {
                        Some(_) => ProblemKind::UnclosedEvent,
                        None => ProblemKind::TruncatedEvent,
                    };
                    self.problem(out, self.at, Some(self.event_no), Severity::Skipped, kind);
                    match next {
                        Some(n) => {
                            self.advance_to(n);
                            self.event_no += 1;
                        }
                        None => break,
                    }
                }
                self.scan = Scan::Seeking;
            }
            Scan::Seeking if self.event_no == 0 => {
                let end = self.buf.len();
                self.advance_to(end);
                let looks_like = classify(&self.head);
                self.problem(
                    out,
                    Position {
                        byte: 0,
                        line: 1,
                        column: 1,
                    },
                    None,
                    Severity::Rejected,
                    ProblemKind::NotEventXml { looks_like },
                );
            }
            _ => {}
        }
        let end = self.buf.len();
        self.advance_to(end);
    }

    /// Decides the encoding (and rejects binary input) from the sniffed bytes.
    fn decide(&mut self, out: &mut Vec<Item>) -> bool {
        let s = &self.sniff[..];
        if let Some(kind) = magic(s) {
            self.scan = Scan::Rejected;
            self.problem(
                out,
                Position {
                    byte: 0,
                    line: 1,
                    column: 1,
                },
                None,
                Severity::Rejected,
                ProblemKind::NotEventXml { looks_like: kind },
            );
            return false;
        }
        let (enc, bom) = match s {
            [0xEF, 0xBB, 0xBF, ..] => (TextEncoding::Utf8Bom, 3),
            [0xFF, 0xFE, ..] => (TextEncoding::Utf16Le, 2),
            [0xFE, 0xFF, ..] => (TextEncoding::Utf16Be, 2),
            [a, 0, ..] if *a != 0 => (TextEncoding::Utf16Le, 0),
            [0, b, ..] if *b != 0 => (TextEncoding::Utf16Be, 0),
            _ => (TextEncoding::Utf8, 0),
        };
        self.encoding = Some(enc);
        self.stats.encoding = Some(enc);
        self.bom_len = bom;
        self.at.byte = bom;
        true
    }

    fn utf16(&self) -> Option<bool> {
        match self.encoding {
            Some(TextEncoding::Utf16Le) => Some(true),
            Some(TextEncoding::Utf16Be) => Some(false),
            _ => None,
        }
    }

    /// Appends input bytes to the UTF-8 text buffer, transcoding UTF-16.
    fn append(&mut self, bytes: &[u8]) {
        let Some(le) = self.utf16() else {
            self.buf.extend_from_slice(bytes);
            return;
        };
        let mut bytes = bytes;
        if let Some(b0) = self.odd_byte.take() {
            let Some((&b1, rest)) = bytes.split_first() else {
                self.odd_byte = Some(b0);
                return;
            };
            self.unit(if le { [b0, b1] } else { [b1, b0] });
            bytes = rest;
        }
        self.buf.reserve(bytes.len() / 2 + 4);
        let mut pairs = bytes.chunks_exact(2);
        for p in &mut pairs {
            let (lo, hi) = if le { (p[0], p[1]) } else { (p[1], p[0]) };
            if hi == 0 && lo < 0x80 && self.high_surrogate.is_none() {
                self.buf.push(lo);
            } else {
                self.unit([lo, hi]);
            }
        }
        if let [b] = pairs.remainder() {
            self.odd_byte = Some(*b);
        }
    }

    /// Transcodes one UTF-16 code unit given as `[low byte, high byte]`.
    fn unit(&mut self, pair: [u8; 2]) {
        let u = u16::from_le_bytes(pair);
        if let Some(h) = self.high_surrogate.take() {
            if (0xDC00..0xE000).contains(&u) {
                let c = 0x10000 + ((u32::from(h) - 0xD800) << 10) + (u32::from(u) - 0xDC00);
                let ch = char::from_u32(c).unwrap_or('\u{FFFD}');
                let mut tmp = [0u8; 4];
                self.buf
                    .extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
                return;
            }
            self.replacement();
        }
        match u {
            0xD800..=0xDBFF => self.high_surrogate = Some(u),
            0xDC00..=0xDFFF => self.replacement(),
            _ => {
                let ch = char::from_u32(u32::from(u)).unwrap_or('\u{FFFD}');
                let mut tmp = [0u8; 4];
                self.buf
                    .extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
            }
        }
    }

    fn replacement(&mut self) {
        self.bad_utf16
            .push(self.text_off + (self.buf.len() - self.pos) as u64);
        self.buf.extend_from_slice("\u{FFFD}".as_bytes());
    }

    /// Drops consumed text from the front of the buffer.
    fn compact(&mut self) {
        if self.pos > 0 && (self.pos >= self.buf.len() / 2 || self.pos > 1 << 20) {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
    }

    fn idx(&self, abs: u64) -> usize {
        self.pos + (abs.saturating_sub(self.text_off)) as usize
    }

    fn abs(&self, idx: usize) -> u64 {
        self.text_off + (idx - self.pos) as u64
    }

    /// The position of `buf[idx]` (at or after `pos`).
    fn locate(&self, idx: usize) -> Position {
        advance_position(self.at, &self.buf[self.pos..idx], self.utf16().is_some())
    }

    /// Consumes text up to `buf[idx]`, keeping positions exact.
    fn advance_to(&mut self, idx: usize) {
        if idx > self.pos {
            let at = self.locate(idx);
            self.advance_known(idx, at);
        }
    }

    /// Consumes text up to `buf[idx]` whose position `at` is already known.
    fn advance_known(&mut self, idx: usize, at: Position) {
        if idx <= self.pos {
            return;
        }
        if self.head.len() < HEAD {
            let take = (HEAD - self.head.len()).min(idx - self.pos);
            self.head
                .extend_from_slice(&self.buf[self.pos..self.pos + take]);
        }
        self.at = at;
        self.text_off += (idx - self.pos) as u64;
        self.pos = idx;
        let off = self.text_off;
        self.bad_utf16.retain(|&b| b >= off);
    }

    /// Finds the next `<Event` start tag at or after `from`, before `to`. `Err(i)` means a
    /// candidate at `i` needs more input to be judged.
    fn find_start(&self, from: usize, to: usize) -> Result<Option<usize>, usize> {
        let mut i = from;
        while i < to {
            let Some(rel) = self.start_finder.find(&self.buf[i..to]) else {
                return Ok(None);
            };
            let at = i + rel;
            match self.buf.get(at + START.len()) {
                None => return Err(at),
                Some(b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/') => return Ok(Some(at)),
                Some(_) => i = at + 1,
            }
        }
        Ok(None)
    }

    /// Finds the end of the `</Event>` tag at or after `from`; `Err(i)` means more input is
    /// needed to judge a candidate at `i`.
    fn find_end(&self, from: usize) -> Result<Option<usize>, usize> {
        let mut i = from;
        loop {
            let Some(rel) = self.end_finder.find(&self.buf[i..]) else {
                return Ok(None);
            };
            let at = i + rel;
            let mut k = at + END.len();
            while matches!(self.buf.get(k), Some(b' ' | b'\t' | b'\r' | b'\n')) {
                k += 1;
            }
            match self.buf.get(k) {
                None => return Err(at),
                Some(b'>') => return Ok(Some(k + 1)),
                Some(_) => i = at + 1,
            }
        }
    }

    fn pump(&mut self, out: &mut Vec<Item>) {
        loop {
            match self.scan {
                Scan::Rejected => return,
                Scan::Seeking => {
                    let from = self.idx(self.start_from).max(self.pos);
                    match self.find_start(from, self.buf.len()) {
                        Ok(Some(i)) => {
                            self.note_doctype(i, out);
                            self.advance_to(i);
                            self.event_no += 1;
                            self.scan = Scan::InEvent;
                            self.end_from = self.abs(i);
                            self.start_from = self.abs(i + 1);
                        }
                        Ok(None) | Err(_) => {
                            // A `<!DOCTYPE` cut at the end is found again in the kept bytes.
                            self.note_doctype(self.buf.len(), out);
                            let keep = self.buf.len().saturating_sub(KEEP).max(self.pos);
                            self.advance_to(keep);
                            self.start_from = self.abs(keep);
                            return;
                        }
                    }
                }
                Scan::InEvent => {
                    let (end, pending_end) = match self.find_end(self.idx(self.end_from)) {
                        Ok(e) => (e, None),
                        Err(at) => (None, Some(at)),
                    };
                    match end {
                        Some(e) => {
                            match self.decode_span(e, out) {
                                SpanEnd::Done(at) => self.advance_known(e, at),
                                SpanEnd::Resume(n) => self.advance_to(n),
                            }
                            self.start_from = self.text_off;
                            self.scan = Scan::Seeking;
                        }
                        None => {
                            if self.buf.len() - self.pos > self.limits.max_event_bytes {
                                self.problem(
                                    out,
                                    self.at,
                                    Some(self.event_no),
                                    Severity::Skipped,
                                    ProblemKind::EventTooLarge {
                                        limit: self.limits.max_event_bytes,
                                    },
                                );
                                self.scan = Scan::Oversized;
                                self.end_from = self.abs(self.pos + 1);
                                continue;
                            }
                            let resume = self.buf.len().saturating_sub(KEEP).max(self.pos);
                            self.end_from = self.abs(pending_end.unwrap_or(resume));
                            return;
                        }
                    }
                }
                Scan::Oversized => {
                    let from = self.idx(self.end_from).max(self.pos);
                    let (end, pending_end) = match self.find_end(from) {
                        Ok(e) => (e, None),
                        Err(at) => (None, Some(at)),
                    };
                    let limit = end.unwrap_or(self.buf.len());
                    let next = self.find_start(from, limit).ok().flatten();
                    match (next, end) {
                        (Some(n), _) => {
                            self.advance_to(n);
                            self.start_from = self.abs(n);
                            self.scan = Scan::Seeking;
                        }
                        (None, Some(e)) => {
                            self.advance_to(e);
                            self.start_from = self.abs(e);
                            self.scan = Scan::Seeking;
                        }
                        (None, None) => {
                            let keep = self.buf.len().saturating_sub(KEEP).max(self.pos);
                            let keep = pending_end.map_or(keep, |at| at.min(keep));
                            self.advance_to(keep);
                            self.end_from = self.abs(keep);
                            return;
                        }
                    }
                }
            }
        }
    }

    /// Reports a `<!DOCTYPE` in the text between events once.
    fn note_doctype(&mut self, to: usize, out: &mut Vec<Item>) {
        if self.doctype_seen || to <= self.pos {
            return;
        }
        if let Some(rel) = self.doctype_finder.find(&self.buf[self.pos..to]) {
            self.doctype_seen = true;
            let at = self.locate(self.pos + rel);
            self.problem(out, at, None, Severity::Notice, ProblemKind::DtdIgnored);
        }
    }

    /// Decodes the event in `buf[pos..end]`.
    fn decode_span(&mut self, end: usize, out: &mut Vec<Item>) -> SpanEnd {
        let bytes = &self.buf[self.pos..end];
        let start_abs = self.text_off;
        let end_abs = self.abs(end);
        let mut pre: Vec<(usize, ProblemKind)> = Vec::new();
        let lossy;
        let text: &str = match simdutf8::basic::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                let valid = std::str::from_utf8(bytes)
                    .err()
                    .map_or(0, |e| e.valid_up_to());
                pre.push((valid, ProblemKind::InvalidUtf8));
                lossy = String::from_utf8_lossy(bytes);
                &lossy
            }
        };
        if self
            .bad_utf16
            .iter()
            .any(|&b| b >= start_abs && b < end_abs)
        {
            let first = self.bad_utf16.iter().find(|&&b| b >= start_abs).copied();
            pre.push((
                first.map_or(0, |b| (b - start_abs) as usize),
                ProblemKind::InvalidUtf16,
            ));
        }
        let parsed = parse::parse_event(text, &self.limits, &mut self.scratch);
        let utf16 = self.utf16().is_some();
        let start = self.at;
        let number = self.event_no;
        let lossy_text = text.len() != bytes.len();
        let locate = |offset: usize| -> Position {
            // Offsets in a lossily repaired text are close enough to the original.
            let prefix = if lossy_text {
                &bytes[..offset.min(bytes.len())]
            } else {
                &text.as_bytes()[..offset.min(text.len())]
            };
            advance_position(start, prefix, utf16)
        };
        let mut items: Vec<Item> = Vec::new();
        let mut repaired = !pre.is_empty();
        for (offset, kind) in pre.into_iter().chain(parsed.repairs) {
            let severity = match kind {
                ProblemKind::DtdIgnored => Severity::Notice,
                _ => {
                    repaired = true;
                    Severity::Repaired
                }
            };
            items.push(Item::Problem(Problem {
                position: locate(offset),
                event: Some(number),
                severity,
                kind,
            }));
        }
        match parsed.event {
            Ok(mut ev) => {
                ev.number = number;
                ev.position = start;
                ev.repaired |= repaired;
                let end_at = locate(end - self.pos);
                ev.byte_range = (start.byte, end_at.byte);
                self.stats.events += 1;
                if ev.repaired {
                    self.stats.repaired += 1;
                }
                for item in items {
                    if let Item::Problem(p) = item {
                        self.stats.problems += 1;
                        out.push(Item::Problem(p));
                    }
                }
                out.push(Item::Event(ev));
                SpanEnd::Done(end_at)
            }
            Err((offset, ProblemKind::UnclosedEvent)) => {
                for item in items {
                    if let Item::Problem(p) = item {
                        self.stats.problems += 1;
                        out.push(Item::Problem(p));
                    }
                }
                self.problem(
                    out,
                    start,
                    Some(number),
                    Severity::Skipped,
                    ProblemKind::UnclosedEvent,
                );
                let resume = if lossy_text {
                    self.find_start(self.pos + 1, end).ok().flatten()
                } else {
                    Some(self.pos + offset)
                };
                SpanEnd::Resume(resume.unwrap_or(end))
            }
            Err((offset, kind)) => {
                for item in items {
                    if let Item::Problem(p) = item {
                        self.stats.problems += 1;
                        out.push(Item::Problem(p));
                    }
                }
                let at = locate(offset);
                let done = locate(end - self.pos);
                self.problem(out, at, Some(number), Severity::Skipped, kind);
                SpanEnd::Done(done)
            }
        }
    }

    fn problem(
        &mut self,
        out: &mut Vec<Item>,
        position: Position,
        event: Option<u64>,
        severity: Severity,
        kind: ProblemKind,
    ) {
        self.stats.push_problem(
            Problem {
                position,
                event,
                severity,
                kind,
            },
            out,
        );
    }
}

/// Moves a position over UTF-8 `text`: lines, columns in characters, and original bytes (UTF-16
/// counts two bytes per code unit, four for characters beyond the BMP).
pub(crate) fn advance_position(mut at: Position, text: &[u8], utf16: bool) -> Position {
    let lines = memchr::memchr_iter(b'\n', text).count() as u64;
    let tail = match memchr::memrchr(b'\n', text) {
        Some(nl) => {
            at.line += lines;
            at.column = 1;
            &text[nl + 1..]
        }
        None => text,
    };
    at.column += count_chars(tail);
    at.byte += if utf16 {
        let units: u64 = text
            .iter()
            .map(|&b| u64::from((b & 0xC0) != 0x80) + u64::from(b >= 0xF0))
            .sum();
        units * 2
    } else {
        text.len() as u64
    };
    at
}

/// Characters in UTF-8 text: bytes that are not continuation bytes (`10xxxxxx`), eight at a time.
fn count_chars(text: &[u8]) -> u64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut words = text.chunks_exact(8);
    let mut continuation = 0u64;
    for w in &mut words {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        let v = u64::from_ne_bytes(b);
        // High bit set and next-to-high bit clear.
        continuation += u64::from((v & HIGH & !(v << 1)).count_ones());
    }
    continuation += words
        .remainder()
        .iter()
        .filter(|&&b| (b & 0xC0) == 0x80)
        .count() as u64;
    text.len() as u64 - continuation
}

/// Recognises binary formats by their first bytes.
fn magic(s: &[u8]) -> Option<InputKind> {
    Some(match s {
        [] => return None,
        [0x89, b'P', b'N', b'G', ..] => InputKind::Png,
        [0xFF, 0xD8, 0xFF, ..] => InputKind::Jpeg,
        [b'G', b'I', b'F', b'8', ..] => InputKind::Gif,
        [b'%', b'P', b'D', b'F', ..] => InputKind::Pdf,
        [b'P', b'K', 3 | 5 | 7, 4 | 6 | 8, ..] => InputKind::Zip,
        [0x1F, 0x8B, ..] => InputKind::Gzip,
        [b'E', b'l', b'f', b'F', b'i', b'l', b'e', 0, ..] => InputKind::Evtx,
        [b'E', b'l', b'f', b'C', b'h', b'n', b'k', ..] => InputKind::Evtx,
        _ => return None,
    })
}

/// Describes text that held no `<Event>`.
fn classify(head: &[u8]) -> InputKind {
    if head.is_empty() {
        return InputKind::Empty;
    }
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
        .count();
    if controls * 10 > head.len() || head.contains(&0) {
        return InputKind::Binary;
    }
    let text = String::from_utf8_lossy(head);
    let trimmed = text.trim_start_matches('\u{FEFF}').trim();
    if trimmed.is_empty() {
        return InputKind::Blank;
    }
    // The first element that is not a declaration, comment or DTD.
    let mut rest = trimmed;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if rest.starts_with('?') || rest.starts_with('!') {
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
            .take(64)
            .collect();
        if name.is_empty() {
            break;
        }
        let local = name.rsplit(':').next().unwrap_or(&name).to_string();
        return if local == "Events" {
            InputKind::EmptyEventLog
        } else {
            InputKind::OtherXml { root: name }
        };
    }
    InputKind::Text
}

/// Where one decoder stopped cleanly, so that a second decoder that read the rest of the input on
/// its own (from [`find_event_start`]) can be joined to it: see [`Decoder::boundary`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Boundary {
    /// The position of the first byte not fed (the rest's `<Event`).
    pub position: Position,
    /// Event starts seen before it (the rest's event numbers follow them).
    pub events: u64,
    /// Whether a `<!DOCTYPE` was already reported (the input reports one only once).
    pub dtd_seen: bool,
}

impl Boundary {
    /// Moves a position of the rest (counted from its own start, line 1, column 1, byte 0) to
    /// the whole input.
    pub fn position(&self, at: Position) -> Position {
        Position {
            byte: self.byte(at.byte),
            line: self.position.line + at.line - 1,
            column: if at.line <= 1 {
                self.position.column + at.column - 1
            } else {
                at.column
            },
        }
    }

    /// Moves a byte offset of the rest to the whole input.
    pub fn byte(&self, offset: u64) -> u64 {
        self.position.byte + offset
    }

    /// Whether a problem of the rest (its [`ProblemKind::code`] and event) repeats a notice the
    /// whole input gives only once: the `<!DOCTYPE` between events, when one came before.
    pub fn repeats(&self, code: &str, event: Option<u64>) -> bool {
        self.dtd_seen && event.is_none() && code == ProblemKind::DtdIgnored.code()
    }

    /// Moves an event number of the rest to the whole input.
    pub fn event(&self, number: u64) -> u64 {
        self.events + number
    }

    /// A problem of the rest as the decoder of the whole input reports it; `None` for the
    /// `<!DOCTYPE` notice already given before the boundary.
    pub fn problem(&self, problem: Problem) -> Option<Problem> {
        if self.repeats(problem.kind.code(), problem.event) {
            return None;
        }
        Some(Problem {
            position: self.position(problem.position),
            event: problem.event.map(|n| self.event(n)),
            ..problem
        })
    }

    /// An event of the rest as the decoder of the whole input gives it.
    pub fn event_of(&self, mut event: Event) -> Event {
        event.number = self.event(event.number);
        event.position = self.position(event.position);
        event.byte_range = (self.byte(event.byte_range.0), self.byte(event.byte_range.1));
        event
    }
}

/// The first `<Event` start tag at or after `bytes[0]`, in an input of `encoding`, as an offset
/// into `bytes`; `bytes` must start at a character boundary (an even offset of a UTF-16 input).
///
/// Decoding can start there on its own: [`Decoder::boundary`] then says whether the decoder of
/// everything before it ended cleanly, and how to join the two.
pub fn find_event_start(bytes: &[u8], encoding: TextEncoding) -> Option<usize> {
    let delimiter = |c: u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/');
    // UTF-16: each ASCII character is one unit, its other byte zero.
    let (pattern, width): (Vec<u8>, usize) = match encoding {
        TextEncoding::Utf8 | TextEncoding::Utf8Bom => (START.to_vec(), 1),
        TextEncoding::Utf16Le => (START.iter().flat_map(|&c| [c, 0]).collect(), 2),
        TextEncoding::Utf16Be => (START.iter().flat_map(|&c| [0, c]).collect(), 2),
    };
    let ascii = |unit: &[u8]| -> Option<u8> {
        match (encoding, unit) {
            (TextEncoding::Utf16Le, &[c, 0]) | (TextEncoding::Utf16Be, &[0, c]) => Some(c),
            (TextEncoding::Utf8 | TextEncoding::Utf8Bom, &[c]) => Some(c),
            _ => None,
        }
    };
    let finder = memmem::Finder::new(&pattern);
    let mut from = 0;
    while let Some(rel) = finder.find(&bytes[from..]) {
        let at = from + rel;
        let next = at + pattern.len();
        if at % width == 0
            && bytes
                .get(next..next + width)
                .and_then(ascii)
                .is_some_and(delimiter)
        {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// What [`EventParser`] gives for one event: the event and the repairs it needed, or why it
/// could not be decoded.
pub(crate) type Built = Result<(Event, Vec<ProblemKind>), ProblemKind>;

/// Decodes the XML of one event on its own: a record that another reader (the `.evtx` one) has
/// already turned into XML. The same code as every `<Event>` of an XML input goes through.
///
/// ```
/// use keytrail::decoder::EventParser;
///
/// let mut parser = EventParser::default();
/// let (event, repairs) = parser
///     .parse("<Event><System><EventID>5061</EventID></System></Event>")
///     .unwrap();
/// assert_eq!((event.event_id(), repairs.len()), (5061, 0));
/// ```
#[derive(Default)]
pub struct EventParser {
    limits: Limits,
    scratch: parse::Scratch,
}

impl EventParser {
    /// Decodes `xml`, one `<Event>…</Event>`: the event and the repairs it needed, or why it
    /// could not be decoded.
    pub fn parse(&mut self, xml: &str) -> Result<(Event, Vec<ProblemKind>), ProblemKind> {
        let parsed = parse::parse_event(xml, &self.limits, &mut self.scratch);
        Self::outcome(parsed)
    }

    /// Builds the event that `write` gives element by element, as [`parse`](Self::parse) would
    /// decode the XML of those elements (the same event, the same repairs), without the XML.
    /// `capacity`: how much text the event is expected to hold.
    pub(crate) fn build(
        &mut self,
        capacity: usize,
        write: impl FnOnce(&mut parse::Builder<'_>),
    ) -> Built {
        let mut builder = parse::Builder::new(capacity, &self.limits, &mut self.scratch);
        write(&mut builder);
        Self::outcome(builder.finish())
    }

    /// As [`build`](Self::build), when `write` can give the event; `None` (and nothing built)
    /// when it gives up part way.
    pub(crate) fn try_build<T>(
        &mut self,
        capacity: usize,
        write: impl FnOnce(&mut parse::Builder<'_>) -> Option<T>,
    ) -> Option<(Built, T)> {
        let mut builder = parse::Builder::new(capacity, &self.limits, &mut self.scratch);
        let written = write(&mut builder)?;
        Some((Self::outcome(builder.finish()), written))
    }

    /// Gives back an event this parser built, once it has been read: the next events are built
    /// in its buffers (a few MB of them at most are kept) instead of new ones.
    pub fn recycle(&mut self, event: Event) {
        self.scratch.recycle(event);
    }

    fn outcome(parsed: parse::Parsed) -> Built {
        let repairs: Vec<ProblemKind> = parsed.repairs.into_iter().map(|(_, k)| k).collect();
        match parsed.event {
            Ok(mut event) => {
                event.repaired = !repairs.is_empty();
                Ok((event, repairs))
            }
            Err((_, kind)) => Err(kind),
        }
    }
}

/// Decodes a whole input at once: the events, the problems and the totals.
pub fn decode_all(input: &[u8]) -> (Vec<Event>, Vec<Problem>, Stats) {
    let mut decoder = Decoder::new();
    let mut out = Vec::new();
    decoder.push(input, &mut out);
    decoder.finish(&mut out);
    let (events, problems) = split_items(out);
    (events, problems, decoder.stats().clone())
}

/// Items sorted into the events and the problems, each in input order.
pub fn split_items(items: Vec<Item>) -> (Vec<Event>, Vec<Problem>) {
    let mut events = Vec::new();
    let mut problems = Vec::new();
    for item in items {
        match item {
            Item::Event(e) => events.push(e),
            Item::Problem(p) => problems.push(p),
        }
    }
    (events, problems)
}
