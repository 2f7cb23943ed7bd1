//! One way in for every file: the format is told from the content (never the name), and the
//! bytes go to the reader of that format. Every reader yields the same [`Item`]s — decoded
//! [`Event`](crate::decoder::Event)s and [`Problem`](crate::decoder::Problem)s — so nothing
//! downstream knows which format a file came in.
//!
//! - Event XML in any of its shapes (wevtutil, Event Viewer, PowerShell, converters, pasted
//!   text): the streaming [`Decoder`].
//! - Binary `.evtx` logs (`ElfFile\0` header, or a lone `ElfChnk\0` chunk): [`EvtxReader`],
//!   chunk by chunk, each record's BinXML rendered to XML by the `evtx` crate and decoded by
//!   the same event parser as XML files.
//! - JSON as SIEMs and converters write it (`{` or `[` first, or evtx_dump's `Record N` line):
//!   [`JsonReader`] — NXLog `im_msvistalog`, Elastic Agent / winlogbeat documents (lines,
//!   `_bulk` bodies, `_search` hits), `evtx_dump -o json/jsonl`, Splunk `XmlWinEventLog` results,
//!   `Get-WinEvent | ConvertTo-Json`.
//! - Splunk results as CSV (a header line naming `_raw`): [`CsvReader`].
//! - PowerShell `Export-Clixml` of `Get-WinEvent` (an `<Objs>` root): [`ClixmlReader`].
//!
//! The readers of JSON, CSV and Clixml turn each document back into the event's XML
//! ([`document_xml`]) and decode it with the same event parser, so that rows, sessions, rules,
//! the detail pane and the exports are the same whatever the shape. When a file is read, a
//! converted event is built straight from its elements by the parser's own steps, not written as
//! XML and parsed again: the same event (`shape.rs`, `decoder::Elements`).
//!
//! The CLI feeds it a file's bytes as it reads them, the browser's worker the slices it reads
//! from a `File`: no reader ever needs the whole file. [`file`] is one file's decoding as the
//! worker does it (rows, sessions, progress, problem lines), [`chain`] how the worker reads a file
//! in slices and shares a large one with the next worker of its chain.
//!
//! ```
//! use keytrail::ingest::{Format, Reader};
//! use keytrail::decoder::Item;
//!
//! let mut reader = Reader::new();
//! let mut out = Vec::new();
//! reader.push(b"<Event><System><EventID>5059</EventID></System></Event>", &mut out);
//! reader.finish(&mut out);
//! assert_eq!(reader.format(), Some(Format::Xml));
//! assert!(matches!(&out[..], [Item::Event(e)] if e.event_id() == 5059));
//! ```

mod binxml;
pub mod chain;
mod clixml;
mod csv;
mod digest;
mod emit;
mod evtx;
pub mod export;
pub mod file;
mod json;
mod node;
mod plan;
mod shape;
mod text;

pub use clixml::ClixmlReader;
pub use csv::CsvReader;
pub use digest::Digest;
pub use evtx::{record_xml, records_xml, EvtxPart, EvtxReader};
pub use json::JsonReader;

use crate::decoder::{Boundary, Decoder, Event, Item, Stats};
use serde::{Deserialize, Serialize};

/// The formats keytrail reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Event XML, in any of the shapes the [`Decoder`] knows.
    Xml,
    /// A binary Windows event log.
    Evtx,
    /// JSON or JSON Lines from a SIEM, a converter or PowerShell (see [`JsonReader`]).
    Json,
    /// Splunk results as CSV with a `_raw` column (see [`CsvReader`]).
    Csv,
    /// PowerShell `Export-Clixml` of `Get-WinEvent` output (see [`ClixmlReader`]).
    Clixml,
}

impl Format {
    /// Its name for people: `XML`, `.evtx`, `JSON`, `CSV`, `Clixml`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Xml => "XML",
            Self::Evtx => ".evtx",
            Self::Json => "JSON",
            Self::Csv => "CSV",
            Self::Clixml => "Clixml",
        }
    }
}

/// The most bytes looked at to tell the formats apart (an XML declaration before `<Objs`, a CSV
/// header line); an input not told apart by then is XML.
pub const SNIFF_BYTES: usize = 1024;

/// The format of an input that starts with `head`, told by its content; `None` while `head` is
/// too short to tell. The text may be UTF-8 or UTF-16 (with or without a byte-order mark).
///
/// ```
/// use keytrail::ingest::{detect, Format};
///
/// assert_eq!(detect(b"ElfFile\0\x01\x02"), Some(Format::Evtx));
/// assert_eq!(detect(b"<?xml version=\"1.0\"?><Events>"), Some(Format::Xml));
/// assert_eq!(detect(b"{\"EventID\":4624"), Some(Format::Json));
/// assert_eq!(detect(b"Record 1\n{"), Some(Format::Json));
/// assert_eq!(detect(b"<Objs Version=\"1.1.0.1\""), Some(Format::Clixml));
/// assert_eq!(detect(b"\"_time\",\"_raw\"\n"), Some(Format::Csv));
/// assert_eq!(detect(b"Elf"), None);
/// assert_eq!(detect(b"<?xml version"), None);
/// ```
pub fn detect(head: &[u8]) -> Option<Format> {
    const MAGICS: [&[u8; 8]; 2] = [b"ElfFile\0", b"ElfChnk\0"];
    let n = head.len().min(8);
    if MAGICS.iter().any(|m| m[..n] == head[..n]) {
        return (n == 8).then_some(Format::Evtx);
    }
    let full = head.len() >= SNIFF_BYTES;
    let text = ascii_of(head);
    let t = text.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let undecided = |f: Format| if full { Some(f) } else { None };
    if t.is_empty() {
        return undecided(Format::Xml);
    }
    if t.starts_with('{') || t.starts_with('[') {
        return Some(Format::Json);
    }
    if let Some(rest) = t.strip_prefix("Record ") {
        let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
        let next = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
        return match next.chars().next() {
            Some('{') => Some(Format::Json),
            Some(_) => Some(Format::Xml),
            None => undecided(Format::Xml),
        };
    }
    if t.starts_with('<') {
        let mut rest = t;
        // Past the declaration and comments.
        loop {
            if rest.starts_with("<?") || rest.starts_with("<!--") {
                let close = if rest.starts_with("<?") { "?>" } else { "-->" };
                match rest.find(close) {
                    Some(i) => {
                        rest = rest[i + close.len()..]
                            .trim_start_matches(|c: char| c.is_ascii_whitespace());
                    }
                    None => return undecided(Format::Xml),
                }
            } else {
                break;
            }
        }
        if rest.len() < 5 {
            return undecided(Format::Xml);
        }
        let clixml =
            rest.starts_with("<Objs") || rest.starts_with("<Obj ") || rest.starts_with("<Obj>");
        return Some(if clixml { Format::Clixml } else { Format::Xml });
    }
    // A CSV header line that names `_raw` (Splunk), or one `_raw` field read again.
    if t.starts_with("\"<Event") {
        return Some(Format::Csv);
    }
    match t.find('\n') {
        Some(nl) => {
            let header = &t[..nl];
            let csv = header
                .split(',')
                .any(|f| f.trim().trim_matches('"') == "_raw");
            Some(if csv { Format::Csv } else { Format::Xml })
        }
        None => undecided(Format::Xml),
    }
}

/// The ASCII characters of the first bytes of a text in UTF-8 or UTF-16 (BOM or not); other
/// characters as `?`.
fn ascii_of(head: &[u8]) -> String {
    let (body, step, at) = match head {
        [0xEF, 0xBB, 0xBF, rest @ ..] => (rest, 1, 0),
        [0xFF, 0xFE, rest @ ..] => (rest, 2, 0),
        [0xFE, 0xFF, rest @ ..] => (rest, 2, 1),
        [a, 0, ..] if *a != 0 => (head, 2, 0),
        [0, b, ..] if *b != 0 => (head, 2, 1),
        _ => (head, 1, 0),
    };
    body.chunks(step)
        .filter_map(|unit| unit.get(at).copied())
        .map(|b| if b.is_ascii() { b as char } else { '?' })
        .collect()
}

/// The event XML a document of a converted shape stands for: a JSON document (or a line of
/// one), an Export-Clixml `<Obj>`; `None` for other bytes (XML, `.evtx`), which are their own XML.
/// What the detail pane shows and copies for an event of such a file.
pub fn document_xml(bytes: &[u8]) -> Option<String> {
    let text = file::slice_text(bytes);
    let text = text.trim_start_matches('\u{FEFF}').trim();
    match detect(bytes).or(Some(Format::Xml))? {
        Format::Json => {
            let value = node::parse(text).ok()?;
            match shape::json_doc(&value) {
                shape::Doc::Event(rec) | shape::Doc::Lost(rec) => Some(rec.to_xml()),
                shape::Doc::Skip | shape::Doc::Other => None,
            }
        }
        Format::Clixml => match clixml::record(text).ok()? {
            shape::Doc::Event(rec) | shape::Doc::Lost(rec) => Some(rec.to_xml()),
            shape::Doc::Skip | shape::Doc::Other => None,
        },
        Format::Csv => {
            let inner = text.strip_prefix('"')?.strip_suffix('"')?;
            Some(inner.replace("\"\"", "\""))
        }
        Format::Xml | Format::Evtx => None,
    }
}

/// Decodes one input of any format, fed in pieces of any size. See the
/// [module documentation](self).
///
/// A reader made with [`Reader::new`] also takes the input's SHA-256 from the bytes it is fed
/// ([`Reader::sha256`]); the readers of a part of a file do not.
pub struct Reader {
    inner: Inner,
    /// The SHA-256 of the input, for a reader that starts at its start.
    digest: Option<Digest>,
    /// Bytes fed so far.
    fed: u64,
}

// One reader per file: the size of the larger variant does not matter.
#[allow(clippy::large_enum_variant)]
enum Inner {
    /// The first bytes, until the format is known.
    Sniffing(Vec<u8>),
    Xml(Decoder),
    Evtx(EvtxReader),
    Json(JsonReader),
    Csv(CsvReader),
    Clixml(ClixmlReader),
}

impl Default for Reader {
    fn default() -> Self {
        Self::new()
    }
}

impl Reader {
    /// A reader that has seen nothing yet, and takes the input's SHA-256.
    pub fn new() -> Self {
        Self {
            digest: Some(Digest::new()),
            ..Self::unhashed()
        }
    }

    /// A reader that has seen nothing yet and takes no SHA-256 (the browser's workers, the
    /// CLI's commands but `report`).
    pub fn unhashed() -> Self {
        Self {
            inner: Inner::Sniffing(Vec::with_capacity(SNIFF_BYTES)),
            digest: None,
            fed: 0,
        }
    }

    /// A reader of a known format (the rest of a file whose start another reader took).
    pub fn of(format: Format) -> Self {
        let inner = match format {
            Format::Xml => Inner::Xml(Decoder::new()),
            Format::Evtx => Inner::Evtx(EvtxReader::new()),
            Format::Json => Inner::Json(JsonReader::new()),
            Format::Csv => Inner::Csv(CsvReader::new()),
            Format::Clixml => Inner::Clixml(ClixmlReader::new()),
        };
        Self {
            inner,
            digest: None,
            fed: 0,
        }
    }

    /// A reader of the rest of an `.evtx` file, from `part` on (see [`Reader::split`]).
    pub fn evtx_part(part: EvtxPart) -> Self {
        Self {
            inner: Inner::Evtx(EvtxReader::part(part)),
            digest: None,
            fed: 0,
        }
    }

    /// Where the rest of an `.evtx` input (`size` bytes from where this reader starts) may be
    /// handed to a reader of its own ([`Reader::evtx_part`]) when `ways` readers share what is
    /// left, decoded at the same time and joined at [`Reader::boundary`] (see
    /// [`EvtxReader::split`]). XML files are split where an `<Event` starts instead (see
    /// [`find_event_start`](crate::decoder::find_event_start)).
    pub fn split(&self, size: u64, ways: u64) -> Option<EvtxPart> {
        match &self.inner {
            Inner::Evtx(r) => r.split(size, ways),
            _ => None,
        }
    }

    /// The `.evtx` part from the first chunk at or after byte `at` of a file that ends at `end`
    /// (see [`EvtxReader::part_at`]); `None` for other inputs.
    pub fn evtx_part_at(&self, at: u64, end: u64) -> Option<EvtxPart> {
        match &self.inner {
            Inner::Evtx(r) => r.part_at(at, end),
            _ => None,
        }
    }

    /// Where the bytes this reader is fed start in the file: 0, or an `.evtx` part's first
    /// chunk ([`Reader::evtx_part`]).
    pub fn base(&self) -> u64 {
        match &self.inner {
            Inner::Evtx(r) => r.base(),
            _ => 0,
        }
    }

    /// Where this reader stands, if a reader of the rest of the input can be joined to it
    /// there (see [`Decoder::boundary`] and [`EvtxReader::boundary`]). JSON, CSV and Clixml
    /// inputs are read by one reader from start to end: never.
    pub fn boundary(&self) -> Option<Boundary> {
        match &self.inner {
            Inner::Sniffing(_) | Inner::Json(_) | Inner::Csv(_) | Inner::Clixml(_) => None,
            Inner::Xml(d) => d.boundary(),
            Inner::Evtx(r) => r.boundary(),
        }
    }

    /// The input's format, once its first bytes are known.
    pub fn format(&self) -> Option<Format> {
        match self.inner {
            Inner::Sniffing(_) => None,
            Inner::Xml(_) => Some(Format::Xml),
            Inner::Evtx(_) => Some(Format::Evtx),
            Inner::Json(_) => Some(Format::Json),
            Inner::Csv(_) => Some(Format::Csv),
            Inner::Clixml(_) => Some(Format::Clixml),
        }
    }

    /// The text encoding of an XML input, once its first bytes are decoded: what tells a
    /// decoding worker where it may hand the rest of the file to the next one. `None` for the
    /// other formats, which are never split (see [`SplitWindow::xml`](chain::SplitWindow::xml)).
    pub fn encoding(&self) -> Option<crate::decoder::TextEncoding> {
        match &self.inner {
            Inner::Xml(d) => d.stats().encoding,
            _ => None,
        }
    }

    /// The running totals.
    pub fn stats(&self) -> Stats {
        match &self.inner {
            Inner::Sniffing(head) => Stats {
                bytes: head.len() as u64,
                ..Stats::default()
            },
            Inner::Xml(d) => d.stats().clone(),
            Inner::Evtx(r) => r.stats().clone(),
            Inner::Json(r) => r.stats(),
            Inner::Csv(r) => r.stats(),
            Inner::Clixml(r) => r.stats(),
        }
    }

    /// The SHA-256 of the input (64 lowercase hex digits), once every byte of it was fed;
    /// `None` for a reader that takes none.
    pub fn sha256(&self) -> Option<String> {
        self.digest.as_ref().map(Digest::finish)
    }

    /// How many bytes it was fed.
    pub fn fed(&self) -> u64 {
        self.fed
    }

    /// Decodes the next piece of the input.
    pub fn push(&mut self, bytes: &[u8], out: &mut Vec<Item>) {
        if let Some(digest) = &mut self.digest {
            digest.update(bytes);
        }
        self.fed += bytes.len() as u64;
        if let Inner::Sniffing(head) = &mut self.inner {
            let take = (SNIFF_BYTES - head.len()).min(bytes.len());
            head.extend_from_slice(&bytes[..take]);
            let Some(format) = detect(head) else {
                return;
            };
            let head = std::mem::take(head);
            self.inner = Self::of(format).inner;
            self.push_known(&head, out);
            self.push_known(&bytes[take..], out);
            return;
        }
        self.push_known(bytes, out);
    }

    fn push_known(&mut self, bytes: &[u8], out: &mut Vec<Item>) {
        match &mut self.inner {
            // Not reached: `push` leaves sniffing before it calls this.
            Inner::Sniffing(_) => {}
            Inner::Xml(d) => d.push(bytes, out),
            Inner::Evtx(r) => r.push(bytes, out),
            Inner::Json(r) => r.push(bytes, out),
            Inner::Csv(r) => r.push(bytes, out),
            Inner::Clixml(r) => r.push(bytes, out),
        }
    }

    /// Gives back an event this reader emitted, once it has been read: the next events are
    /// built in its buffers instead of new ones (a few MB of them at most are kept).
    pub fn recycle(&mut self, event: Event) {
        match &mut self.inner {
            Inner::Sniffing(_) => {}
            Inner::Xml(d) => d.recycle(event),
            Inner::Evtx(r) => r.recycle(event),
            Inner::Json(r) => r.recycle(event),
            Inner::Csv(r) => r.recycle(event),
            Inner::Clixml(r) => r.recycle(event),
        }
    }

    /// Ends the input: whatever was left unfinished becomes a problem.
    pub fn finish(&mut self, out: &mut Vec<Item>) {
        if let Inner::Sniffing(head) = &mut self.inner {
            // Too short to tell by the first bytes alone: what they are, padded as if the
            // input went on; text that is none of the others is XML.
            let head = std::mem::take(head);
            let mut padded = head.clone();
            padded.resize(SNIFF_BYTES, b' ');
            let format = match detect(&padded) {
                Some(Format::Evtx) | None => Format::Xml,
                Some(format) => format,
            };
            self.inner = Self::of(format).inner;
            self.push_known(&head, out);
        }
        match &mut self.inner {
            Inner::Sniffing(_) => {}
            Inner::Xml(d) => d.finish(out),
            Inner::Evtx(r) => r.finish(out),
            Inner::Json(r) => r.finish(out),
            Inner::Csv(r) => r.finish(out),
            Inner::Clixml(r) => r.finish(out),
        }
    }
}

/// Decodes a whole input of any format at once: its format, events, problems and totals.
pub fn read_all(
    input: &[u8],
) -> (
    Option<Format>,
    Vec<crate::decoder::Event>,
    Vec<crate::decoder::Problem>,
    Stats,
) {
    let mut reader = Reader::unhashed();
    let mut out = Vec::new();
    reader.push(input, &mut out);
    reader.finish(&mut out);
    let (events, problems) = crate::decoder::split_items(out);
    (reader.format(), events, problems, reader.stats())
}

/// Whether `bytes`, read again from an event's byte range, are an `.evtx` record (its magic
/// `**\0\0`) rather than the XML of an event.
pub fn is_evtx_record(bytes: &[u8]) -> bool {
    bytes.starts_with(b"**\0\0")
}

/// The bytes of the `.evtx` chunk that holds the record starting at `record_start` in its file:
/// what must be read again to render the record (its chunk's string and template tables).
pub fn evtx_chunk_of(record_start: u64) -> std::ops::Range<u64> {
    use crate::decoder::{EVTX_CHUNK_BYTES, EVTX_HEADER_BYTES};
    let chunk = record_start.saturating_sub(EVTX_HEADER_BYTES) / EVTX_CHUNK_BYTES;
    let start = EVTX_HEADER_BYTES + chunk * EVTX_CHUNK_BYTES;
    start..start + EVTX_CHUNK_BYTES
}
