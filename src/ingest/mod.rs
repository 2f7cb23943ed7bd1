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

pub mod chain;
mod evtx;
pub mod export;
pub mod file;

pub use evtx::{record_xml, records_xml, EvtxPart, EvtxReader};

use crate::decoder::{Boundary, Decoder, Item, Stats};
use serde::Serialize;

/// The formats keytrail reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Event XML, in any of the shapes the [`Decoder`] knows.
    Xml,
    /// A binary Windows event log.
    Evtx,
}

/// Bytes needed to tell the formats apart.
pub const SNIFF_BYTES: usize = 8;

/// The format of an input that starts with `head`; `None` while `head` is too short to tell.
///
/// ```
/// use keytrail::ingest::{detect, Format};
///
/// assert_eq!(detect(b"ElfFile\0\x01\x02"), Some(Format::Evtx));
/// assert_eq!(detect(b"<?xml version"), Some(Format::Xml));
/// assert_eq!(detect(b"Elf"), None);
/// ```
pub fn detect(head: &[u8]) -> Option<Format> {
    const MAGICS: [&[u8; 8]; 2] = [b"ElfFile\0", b"ElfChnk\0"];
    let n = head.len().min(SNIFF_BYTES);
    let could_be_evtx = MAGICS.iter().any(|m| m[..n] == head[..n]);
    match (could_be_evtx, n == SNIFF_BYTES) {
        (true, true) => Some(Format::Evtx),
        (true, false) => None,
        (false, _) => Some(Format::Xml),
    }
}

/// Decodes one input of any format, fed in pieces of any size. See the
/// [module documentation](self).
pub struct Reader {
    inner: Inner,
}

// One reader per file: the size of the larger variant does not matter.
#[allow(clippy::large_enum_variant)]
enum Inner {
    /// The first bytes, until the format is known.
    Sniffing(Vec<u8>),
    Xml(Decoder),
    Evtx(EvtxReader),
}

impl Default for Reader {
    fn default() -> Self {
        Self::new()
    }
}

impl Reader {
    /// A reader that has seen nothing yet.
    pub fn new() -> Self {
        Self {
            inner: Inner::Sniffing(Vec::with_capacity(SNIFF_BYTES)),
        }
    }

    /// A reader of a known format (the rest of a file whose start another reader took).
    pub fn of(format: Format) -> Self {
        let inner = match format {
            Format::Xml => Inner::Xml(Decoder::new()),
            Format::Evtx => Inner::Evtx(EvtxReader::new()),
        };
        Self { inner }
    }

    /// A reader of the rest of an `.evtx` file, from `part` on (see [`Reader::split`]).
    pub fn evtx_part(part: EvtxPart) -> Self {
        Self {
            inner: Inner::Evtx(EvtxReader::part(part)),
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

    /// Where the bytes this reader is fed start in the file: 0, or an `.evtx` part's first
    /// chunk ([`Reader::evtx_part`]).
    pub fn base(&self) -> u64 {
        match &self.inner {
            Inner::Evtx(r) => r.base(),
            _ => 0,
        }
    }

    /// Where this reader stands, if a reader of the rest of the input can be joined to it
    /// there (see [`Decoder::boundary`] and [`EvtxReader::boundary`]).
    pub fn boundary(&self) -> Option<Boundary> {
        match &self.inner {
            Inner::Sniffing(_) => None,
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
        }
    }

    /// The text encoding of an XML input, once its first bytes are decoded.
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
        }
    }

    /// Decodes the next piece of the input.
    pub fn push(&mut self, bytes: &[u8], out: &mut Vec<Item>) {
        if let Inner::Sniffing(head) = &mut self.inner {
            let take = (SNIFF_BYTES - head.len()).min(bytes.len());
            head.extend_from_slice(&bytes[..take]);
            let Some(format) = detect(head) else {
                return;
            };
            let head = std::mem::take(head);
            *self = Self::of(format);
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
        }
    }

    /// Ends the input: whatever was left unfinished becomes a problem.
    pub fn finish(&mut self, out: &mut Vec<Item>) {
        if let Inner::Sniffing(head) = &mut self.inner {
            // Shorter than any magic: text.
            let head = std::mem::take(head);
            *self = Self::of(Format::Xml);
            self.push_known(&head, out);
        }
        match &mut self.inner {
            Inner::Sniffing(_) => {}
            Inner::Xml(d) => d.finish(out),
            Inner::Evtx(r) => r.finish(out),
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
    let mut reader = Reader::new();
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
