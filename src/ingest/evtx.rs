//! Binary `.evtx` logs, read chunk by chunk as the bytes arrive.
//!
//! A file is a 4 KiB header and then 64 KiB chunks, each with its own string and template tables,
//! so each chunk decodes on its own (which is what lets several workers share a file). The
//! `evtx` crate parses a chunk; each record that is one template instance (nearly all) becomes
//! its event straight from its BinXML ([`binxml`]: the elements the crate would render, with the
//! values as it writes them), any other is rendered to XML by the crate (times with all 7
//! fraction digits of the FILETIME, SIDs, `%%` codes and hex values as Windows wrote them) and
//! goes through the same event parser as an XML file. Both give the same events
//! (`tests/evtx_direct.rs`; [`EvtxReader::xml_only`] takes the XML path for every record).
//! Of the records taken from their BinXML, those of the usual shapes (System and EventData)
//! are set straight into their event by a plan of their template, worked out once per chunk
//! ([`plan`]; [`EvtxReader::unplanned`] builds every one element by element instead).
//! A chunk whose records all go straight from their BinXML is walked here, without the crate
//! building each record's content (`EvtxReader::walk_direct`); any other chunk is read again
//! record by record through the crate.
//!
//! Damage is reported, never fatal:
//! - a header that declares fewer chunks than the file holds (a dirty log, copied while in use):
//!   every chunk present is read, and a notice says so;
//! - a chunk whose signature or header cannot be read: one problem, and the next chunk;
//! - a chunk whose CRC32 does not match: a notice, and its records are read anyway;
//! - a record that does not parse: one problem with its record ID, and the next record;
//! - a file cut short inside a chunk: every complete record before the cut is kept.

use super::binxml::{self, Scratch, Spend, Templates, Values};
use super::plan;
use crate::decoder::{
    Boundary, EventParser, Item, Position, Problem, ProblemKind, Severity, Stats, EVTX_CHUNK_BYTES,
    EVTX_HEADER_BYTES,
};
use evtx::err::{ChunkError, EvtxError};
use evtx::{
    ChunkFlags, EvtxChunk, EvtxChunkData, EvtxChunkHeader, EvtxFileHeader, EvtxRecordHeader,
    ParserSettings,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

const HEADER: usize = EVTX_HEADER_BYTES as usize;
const CHUNK: usize = EVTX_CHUNK_BYTES as usize;
/// A chunk's header, with its string and template tables; its records follow.
const HEADER_OF_CHUNK: usize = 512;
/// A record's header (magic, size, ID, FILETIME) before its BinXML, and the size copy after it.
const RECORD_HEADER: u64 = 24;
const RECORD_TRAILER: u64 = 4;

/// The `evtx` crate's budgets (0.15, `binxml::compiled`): one record may render 16 MiB of XML
/// and build and visit 2^18 nodes; a chunk's records 4 times that, a record being admitted only
/// while a whole record's allowance is left. So every record is admitted while the records
/// before it spent at most what these say.
const RECORD_OUT: usize = 16 << 20;
const RECORD_NODES: usize = 1 << 18;
const CHUNK_OUT_ADMITS: usize = 3 * RECORD_OUT;
const CHUNK_NODES_ADMITS: usize = 3 * RECORD_NODES;

/// The chunks from one on, of a file whose header another reader read: what a second worker
/// needs to decode the rest of a large `.evtx` file on its own ([`EvtxReader::part`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvtxPart {
    /// The number of the part's first chunk.
    pub first_chunk: u64,
    /// Chunks the file header declares, when it could be read.
    pub declared: Option<u64>,
}

impl EvtxPart {
    /// Where the part starts in the file.
    pub fn start(&self) -> u64 {
        EVTX_HEADER_BYTES + self.first_chunk * EVTX_CHUNK_BYTES
    }
}

/// What [`EvtxReader::mark`] keeps: the items emitted, the counts and the chunk's templates
/// before a chunk's reading.
struct Mark {
    items: usize,
    stats: Stats,
    records: u64,
    direct_records: u64,
    planned_records: u64,
    templates: usize,
}

/// Reads one `.evtx` file fed in pieces of any size. See the [module documentation](self).
pub struct EvtxReader {
    /// Where the bytes fed start in the file: 0, or a part's first chunk.
    base: u64,
    /// Bytes not yet decoded: the file header, then at most one chunk.
    buf: Vec<u8>,
    /// Whether the file header was read.
    header_read: bool,
    /// Chunks the header declares, when it could be read.
    declared: Option<u64>,
    /// The next chunk's number.
    chunk: u64,
    /// Records seen, decoded or not (the events' ordinals).
    records: u64,
    /// Past the declared chunks, the chunks that could not be read since the last good one:
    /// the unused end of the log file if no good chunk follows them (one notice at the end),
    /// damaged chunks of a dirty log if one does (each reported then, in place).
    trailing: Vec<(u64, String)>,
    settings: Arc<ParserSettings>,
    parser: EventParser,
    stats: Stats,
    /// Whether records are decoded from their BinXML when they can be ([`binxml`]).
    direct: bool,
    /// Records decoded so.
    direct_records: u64,
    /// Chunks read by [`EvtxReader::walk_direct`] whole.
    walked_chunks: u64,
    /// What a chunk's records may have spent of the crate's budgets before the chunk is read
    /// again the XML path's way alone: bytes, nodes (the crate's admissions; lower in tests).
    admits: (usize, usize),
    /// The current chunk's template definitions, and those kept from the chunks before.
    templates: Templates,
    values: Values,
    scratch: Scratch,
    /// Whether a record decoded from its BinXML is built by its template's plan when it can
    /// be ([`plan`]).
    planned: bool,
    /// Records built so.
    planned_records: u64,
    plan: plan::Scratch,
}

impl Default for EvtxReader {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for EvtxReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvtxReader")
            .field("chunk", &self.chunk)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// How the `evtx` crate renders records: one line each (the parser reads the XML, nobody
/// else), checksums checked here rather than by refusing the chunk.
fn settings(indent: bool) -> Arc<ParserSettings> {
    Arc::new(
        ParserSettings::new()
            .num_threads(1)
            .validate_checksums(false)
            .indent(indent),
    )
}

impl EvtxReader {
    /// A reader at the start of a file.
    pub fn new() -> Self {
        Self {
            base: 0,
            buf: Vec::with_capacity(HEADER),
            header_read: false,
            declared: None,
            chunk: 0,
            records: 0,
            trailing: Vec::new(),
            settings: settings(false),
            parser: EventParser::default(),
            stats: Stats::default(),
            direct: true,
            direct_records: 0,
            walked_chunks: 0,
            admits: (CHUNK_OUT_ADMITS, CHUNK_NODES_ADMITS),
            templates: Templates::default(),
            values: Values::default(),
            scratch: Scratch::default(),
            planned: true,
            planned_records: 0,
            plan: plan::Scratch::default(),
        }
    }

    /// This reader, building the records it decodes from their BinXML element by element,
    /// without the templates' plans (which gives the same events, only slower): what the tests
    /// and benchmarks compare with.
    pub fn unplanned(mut self) -> Self {
        self.planned = false;
        self
    }

    /// Records built by their template's plan.
    pub fn planned_records(&self) -> u64 {
        self.planned_records
    }

    /// This reader, decoding every record through its XML as the `evtx` crate renders it
    /// (which gives the same events, only slower): what the tests compare with.
    pub fn xml_only(mut self) -> Self {
        self.direct = false;
        self
    }

    /// This reader, reading a chunk again the XML path's way alone once its records could have
    /// spent `out` bytes or `nodes` nodes of the crate's budgets (instead of what the crate
    /// admits): how the tests reach that case with real files.
    #[doc(hidden)]
    pub fn with_chunk_allowance(mut self, out: usize, nodes: usize) -> Self {
        self.admits = (out, nodes);
        self
    }

    /// The records decoded straight from their BinXML, without XML text.
    pub fn direct_records(&self) -> u64 {
        self.direct_records
    }

    /// The chunks whose records were all walked here straight from their BinXML, without the
    /// crate building each record first (for the tests).
    #[doc(hidden)]
    pub fn walked_chunks(&self) -> u64 {
        self.walked_chunks
    }

    /// A reader of `part`, fed the file's bytes from the part's start: its events and problems
    /// have their places in the whole file, its events are numbered from 1 (see
    /// [`EvtxReader::boundary`]).
    pub fn part(part: EvtxPart) -> Self {
        Self {
            base: part.start(),
            header_read: true,
            declared: part.declared,
            buf: Vec::with_capacity(CHUNK),
            chunk: part.first_chunk,
            ..Self::new()
        }
    }

    /// Where the rest of what this reader is given (`size` bytes from its start: the whole file,
    /// or its part) may be handed to a reader of its own, when `ways` readers share what is left
    /// (this one included): the chunk boundary after the first `1/ways` of it, once the header
    /// is read and if at least two chunks are left after what was fed. The part must be fed
    /// from its start, and this reader fed up to it. A part's reader splits again the same way,
    /// so a chain of readers shares a file evenly.
    pub fn split(&self, size: u64, ways: u64) -> Option<EvtxPart> {
        if ways < 2 {
            return None;
        }
        let next = self.base + self.stats.bytes;
        let end = self.base + size;
        self.part_at(next + end.saturating_sub(next) / ways, end)
    }

    /// The part that starts at the first chunk at or after byte `at` of the file (and after
    /// what this reader was fed), of a file that ends at `end`: once the header is read and if
    /// at least two chunks are left after what was fed. What [`EvtxReader::split`] cuts at; the
    /// CLI cuts a file into parts at every few MiB with it.
    pub fn part_at(&self, at: u64, end: u64) -> Option<EvtxPart> {
        if !self.header_read || !self.trailing.is_empty() {
            return None;
        }
        let next = self.base + self.stats.bytes;
        if end.saturating_sub(next) / EVTX_CHUNK_BYTES < 2 {
            return None;
        }
        let first_chunk = at
            .max(next)
            .saturating_sub(EVTX_HEADER_BYTES)
            .div_ceil(EVTX_CHUNK_BYTES);
        Some(EvtxPart {
            first_chunk,
            declared: self.declared,
        })
    }

    /// Where the bytes this reader is fed start in the file: 0, or its part's first chunk.
    pub fn base(&self) -> u64 {
        self.base
    }

    /// Where this reader stands, if what it was fed ends at a chunk boundary: a reader of the
    /// rest ([`EvtxReader::part`]) can then be joined to it, its events numbered after this
    /// one's records. Places are already the whole file's, so the boundary moves none.
    pub fn boundary(&self) -> Option<Boundary> {
        (self.header_read && self.buf.is_empty() && self.trailing.is_empty()).then_some(Boundary {
            position: Position {
                byte: 0,
                line: 1,
                column: 1,
            },
            events: self.records,
            dtd_seen: false,
        })
    }

    /// The running totals.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Decodes the next piece of the file.
    pub fn push(&mut self, mut bytes: &[u8], out: &mut Vec<Item>) {
        self.stats.bytes += bytes.len() as u64;
        if !self.header_read {
            if !fill(&mut self.buf, &mut bytes, HEADER) {
                return;
            }
            let header = std::mem::take(&mut self.buf);
            self.header(&header, out);
        }
        // Complete chunks straight from `bytes`, once the one begun in `buf` is complete.
        if !self.buf.is_empty() {
            if !fill(&mut self.buf, &mut bytes, CHUNK) {
                return;
            }
            let chunk = std::mem::take(&mut self.buf);
            self.read_chunk(&chunk, out);
            self.buf = chunk;
            self.buf.clear();
        }
        let mut whole = bytes.chunks_exact(CHUNK);
        for chunk in &mut whole {
            self.read_chunk(chunk, out);
        }
        self.buf.extend_from_slice(whole.remainder());
    }

    /// Gives back an event this reader emitted, once it has been read: see
    /// [`EventParser::recycle`].
    pub fn recycle(&mut self, event: crate::decoder::Event) {
        self.parser.recycle(event);
    }

    /// Ends the file: a cut-short header or chunk is reported, the records before the cut kept.
    pub fn finish(&mut self, out: &mut Vec<Item>) {
        if !self.header_read {
            let header = std::mem::take(&mut self.buf);
            self.header(&header, out);
        }
        let rest = std::mem::take(&mut self.buf);
        if rest.iter().any(|&b| b != 0) {
            let at = self.chunk_start(self.chunk);
            self.problem(
                out,
                at,
                None,
                Severity::Notice,
                ProblemKind::EvtxTruncated {
                    bytes: rest.len() as u64,
                },
            );
            let mut padded = rest;
            padded.resize(CHUNK, 0);
            self.read_chunk(&padded, out);
        }
        if let Some(&(at, _)) = self.trailing.first() {
            let bytes = (self.base + self.stats.bytes).saturating_sub(at);
            self.problem(
                out,
                at,
                None,
                Severity::Notice,
                ProblemKind::EvtxTrailing { bytes },
            );
        }
        if self.records == 0 && self.base == 0 {
            self.problem(out, 0, None, Severity::Rejected, ProblemKind::EvtxEmpty);
        }
    }

    fn header(&mut self, bytes: &[u8], out: &mut Vec<Item>) {
        self.header_read = true;
        match EvtxFileHeader::from_bytes(bytes) {
            Ok(header) => {
                self.declared = Some(u64::from(header.chunk_count));
                if !header.validate_checksum() {
                    self.problem(
                        out,
                        0,
                        None,
                        Severity::Notice,
                        ProblemKind::EvtxChecksum {
                            expected: header.checksum,
                            found: header.computed_checksum,
                        },
                    );
                }
            }
            Err(err) => {
                self.problem(
                    out,
                    0,
                    None,
                    Severity::Notice,
                    ProblemKind::EvtxHeader {
                        reason: err.to_string(),
                    },
                );
            }
        }
    }

    fn chunk_start(&self, number: u64) -> u64 {
        EVTX_HEADER_BYTES + number * EVTX_CHUNK_BYTES
    }

    /// Decodes one chunk (exactly [`EVTX_CHUNK_BYTES`]).
    fn read_chunk(&mut self, data: &[u8], out: &mut Vec<Item>) {
        let number = self.chunk;
        self.chunk += 1;
        let base = self.chunk_start(number);
        // Chunks never written to, as in a new or a dirty log.
        if data.iter().all(|&b| b == 0) {
            return;
        }
        // The chunk is read where it lies (`EvtxChunkData` would take a copy): the same header
        // check, the same errors.
        let header = match EvtxChunkHeader::from_bytes(data).map_err(ChunkError::from) {
            Ok(header) => {
                // What could not be read before it was damaged chunks, not the end's slack.
                for (at, reason) in std::mem::take(&mut self.trailing) {
                    self.bad_chunk(out, at, reason);
                }
                if self.declared == Some(number) {
                    // Said at the first chunk past the declared ones, by whichever reader reads
                    // it: readers of parts of a file need not know of each other.
                    self.problem(
                        out,
                        base,
                        None,
                        Severity::Notice,
                        ProblemKind::EvtxDirty { declared: number },
                    );
                }
                header
            }
            Err(err) if self.declared.is_some_and(|declared| number >= declared) => {
                self.trailing.push((base, error_text(&err)));
                return;
            }
            Err(err) => {
                let reason = error_text(&err);
                self.bad_chunk(out, base, reason);
                return;
            }
        };
        if let Some((expected, found)) = checksum_mismatch(&header, data) {
            self.problem(
                out,
                base,
                None,
                Severity::Notice,
                ProblemKind::EvtxChecksum { expected, found },
            );
        }
        let ids = header.first_event_record_id..=header.last_event_record_id;
        self.templates.clear();
        let before = self.records;
        let settings = Arc::clone(&self.settings);
        let mut parsed = match EvtxChunk::new(data, &header, settings) {
            Ok(parsed) => parsed,
            Err(err) => {
                let reason = error_text(&err);
                self.bad_chunk(out, base, reason);
                return;
            }
        };
        if self.direct && self.walk_direct(&parsed, base, out).is_some() {
            self.short_chunk(out, base, ids, before);
            return;
        }
        // The crate renders a chunk's records within budgets of the whole chunk (bytes of XML,
        // nodes built and visited), which a record taken from its BinXML here does not spend.
        // While what the records could have spent stays where the crate admits every next record
        // anyway, both paths give the same; past it, the chunk is read again the XML path's way
        // alone, as the crate would have read it (only crafted chunks come near: real ones spend
        // a few hundred KB).
        let mark = self.mark(out);
        let mut direct = self.direct;
        'pass: loop {
            let mut spent = Spend::default();
            let mut went_direct = false;
            for record in parsed.iter() {
                if direct && spent.beyond(self.admits) {
                    direct = false;
                    if went_direct {
                        self.rewind(out, &mark);
                        continue 'pass;
                    }
                }
                self.records += 1;
                let number = self.records;
                match record {
                    Ok(record) => {
                        let start = base + record.binxml_offset - RECORD_HEADER;
                        let end = base
                            + record.binxml_offset
                            + u64::from(record.binxml_size)
                            + RECORD_TRAILER;
                        let id = record.event_record_id;
                        let taken = if direct {
                            self.event_from_binxml(
                                record.chunk.data,
                                record.binxml_offset,
                                record.binxml_size,
                            )
                        } else {
                            None
                        };
                        match taken {
                            Some((parsed, spend)) => {
                                self.direct_records += 1;
                                went_direct = true;
                                spent += spend;
                                self.outcome(out, parsed, number, (start, end), id);
                            }
                            None => {
                                // At most what the crate lets one record spend.
                                spent.nodes += RECORD_NODES;
                                match record.into_xml_bytes() {
                                    Ok(xml) => {
                                        spent.out += xml.data.len();
                                        self.event(out, &xml.data, number, (start, end), id);
                                    }
                                    Err(err) => {
                                        spent.out += RECORD_OUT;
                                        self.bad_record(out, start, Some(id), &err);
                                    }
                                }
                            }
                        }
                    }
                    Err(err) => {
                        // Building its content may have spent up to a record's nodes.
                        spent.nodes += RECORD_NODES;
                        let (at, id) = match &err {
                            EvtxError::FailedToReadRecordAt { offset, .. } => (base + offset, None),
                            EvtxError::FailedToParseRecord { record_id, .. } => {
                                (base, Some(*record_id))
                            }
                            _ => (base, None),
                        };
                        self.bad_record(out, at, id, &err);
                    }
                }
            }
            break;
        }
        self.short_chunk(out, base, ids, before);
    }

    /// The walk ends at the record that carries the header's last ID: records the header counts
    /// (`ids`) but the walk never reached are said to be lost, not dropped in silence.
    fn short_chunk(
        &mut self,
        out: &mut Vec<Item>,
        base: u64,
        ids: std::ops::RangeInclusive<u64>,
        before: u64,
    ) {
        let declared = ids.end().saturating_sub(*ids.start()).saturating_add(1);
        let read = self.records - before;
        if !ids.is_empty() && read < declared {
            self.problem(
                out,
                base,
                None,
                Severity::Skipped,
                ProblemKind::EvtxShortChunk { declared, read },
            );
        }
    }

    /// Where a chunk's reading starts, to go back to ([`EvtxReader::rewind`]).
    fn mark(&self, out: &[Item]) -> Mark {
        Mark {
            items: out.len(),
            stats: self.stats.clone(),
            records: self.records,
            direct_records: self.direct_records,
            planned_records: self.planned_records,
            templates: self.templates.len(),
        }
    }

    /// Forgets what was read of the chunk since `mark`, to read it again another way.
    fn rewind(&mut self, out: &mut Vec<Item>, mark: &Mark) {
        out.truncate(mark.items);
        self.stats = mark.stats.clone();
        (self.records, self.direct_records) = (mark.records, mark.direct_records);
        self.planned_records = mark.planned_records;
        // Read again, the chunk parses only the templates of the records it takes that way.
        self.templates.truncate(mark.templates);
    }

    /// Every record of the chunk decoded straight from its BinXML, found as the crate's walk
    /// finds them (from the chunk header, one after another, to the free space or the record
    /// with the header's last ID) but without the crate building each record's content first:
    /// that build is a seventh of the instructions of reading a Security log, and is of use only
    /// to the XML path.
    /// `None`, with nothing emitted or counted, as soon as anything is not plain: a record header
    /// the crate would report or resync past, a record the walker leaves to the XML path, or
    /// records that could have spent past the crate's admissions. The chunk is then read the
    /// usual way, so what this gives is always what that would.
    fn walk_direct(&mut self, chunk: &EvtxChunk<'_>, base: u64, out: &mut Vec<Item>) -> Option<()> {
        let mark = self.mark(out);
        let walked = self.walk_records(chunk, base, out);
        match walked {
            Some(()) => self.walked_chunks += 1,
            None => self.rewind(out, &mark),
        }
        walked
    }

    fn walk_records(
        &mut self,
        chunk: &EvtxChunk<'_>,
        base: u64,
        out: &mut Vec<Item>,
    ) -> Option<()> {
        let data = chunk.data;
        let live_end = u64::from(chunk.header.free_space_offset).min(data.len() as u64);
        let mut at = HEADER_OF_CHUNK as u64;
        let mut spent = Spend::default();
        while at < live_end {
            if spent.beyond(self.admits) {
                return None;
            }
            let header = EvtxRecordHeader::from_bytes_at(data, usize::try_from(at).ok()?).ok()?;
            let size = header.record_data_size().ok()?;
            let binxml = at + RECORD_HEADER;
            let binxml_end = binxml.checked_add(u64::from(size))?;
            if binxml_end > data.len() as u64 {
                return None;
            }
            let (parsed, spend) = self.event_from_binxml(data, binxml, size)?;
            spent += spend;
            self.records += 1;
            self.direct_records += 1;
            let range = (base + at, base + binxml_end + RECORD_TRAILER);
            let (number, id) = (self.records, header.event_record_id);
            self.outcome(out, parsed, number, range, id);
            if id == chunk.header.last_event_record_id {
                break;
            }
            at += u64::from(header.data_size);
        }
        Some(())
    }

    /// Decodes the XML of one record into an event.
    fn event(&mut self, out: &mut Vec<Item>, xml: &[u8], number: u64, range: (u64, u64), id: u64) {
        // The crate writes UTF-8; checked with SIMD, repaired only if it ever were not.
        let text = match simdutf8::basic::from_utf8(xml) {
            Ok(text) => std::borrow::Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(xml),
        };
        let parsed = self.parser.parse(&text);
        self.outcome(out, parsed, number, range, id);
    }

    /// The event of a record that is one template instance, built from the template's BinXML
    /// and the record's values, as [`EvtxReader::event`] decodes the XML of them; `None` when
    /// the record is left to that path.
    fn event_from_binxml(
        &mut self,
        data: &[u8],
        binxml_offset: u64,
        binxml_size: u32,
    ) -> Option<(Parsed, Spend)> {
        let start = usize::try_from(binxml_offset).ok()?;
        let bytes = data.get(start..start.checked_add(binxml_size as usize)?)?;
        self.values.read(data, start, bytes, &mut self.templates)?;
        let (templates, values) = (&self.templates, &self.values);
        let capacity = bytes.len() * 2;
        if self.planned {
            let plan = &mut self.plan;
            let planned = self
                .parser
                .try_build(capacity, |b| plan::write(templates, values, plan, b));
            if let Some(planned) = planned {
                #[cfg(debug_assertions)]
                {
                    // Every test that reads a .evtx holds the plan to the element-by-element
                    // build: the same event, the same spend.
                    let scratch = &mut self.scratch;
                    let mut spend = None;
                    let built = self.parser.build(capacity, |b| {
                        spend = binxml::write(templates, values, scratch, b);
                    });
                    assert_eq!((&planned.0, Some(planned.1)), (&built, spend));
                }
                self.planned_records += 1;
                return Some(planned);
            }
        }
        let scratch = &mut self.scratch;
        let mut spend = None;
        let parsed = self.parser.build(capacity, |b| {
            spend = binxml::write(templates, values, scratch, b);
        });
        Some((parsed, spend?))
    }

    /// Emits the event of a record, or the problem that it does not decode.
    fn outcome(
        &mut self,
        out: &mut Vec<Item>,
        parsed: Parsed,
        number: u64,
        range: (u64, u64),
        id: u64,
    ) {
        match parsed {
            Ok((mut event, repairs)) => {
                event.number = number;
                event.position = Position::binary(range.0);
                event.byte_range = range;
                for kind in repairs {
                    self.problem(out, range.0, Some(number), Severity::Repaired, kind);
                }
                self.stats.events += 1;
                if event.repaired {
                    self.stats.repaired += 1;
                }
                out.push(Item::Event(event));
            }
            Err(kind) => {
                let reason = format!("its XML does not decode: {kind}");
                self.problem(
                    out,
                    range.0,
                    None,
                    Severity::Skipped,
                    ProblemKind::EvtxBadRecord {
                        record: Some(id),
                        reason,
                    },
                );
            }
        }
    }

    fn bad_chunk(&mut self, out: &mut Vec<Item>, at: u64, reason: String) {
        self.problem(
            out,
            at,
            None,
            Severity::Skipped,
            ProblemKind::EvtxBadChunk { reason },
        );
    }

    fn bad_record(&mut self, out: &mut Vec<Item>, at: u64, record: Option<u64>, err: &EvtxError) {
        self.problem(
            out,
            at,
            None,
            Severity::Skipped,
            ProblemKind::EvtxBadRecord {
                record,
                reason: error_text(err),
            },
        );
    }

    fn problem(
        &mut self,
        out: &mut Vec<Item>,
        byte: u64,
        event: Option<u64>,
        severity: Severity,
        kind: ProblemKind,
    ) {
        self.stats.push_problem(
            Problem {
                position: Position::binary(byte),
                event,
                severity,
                kind,
            },
            out,
        );
    }
}

/// What the event parser makes of one record.
type Parsed = crate::decoder::Built;

/// The declared and computed CRC32 of a chunk whose header or records do not match theirs.
/// Moves the front of `bytes` into `buf` until it holds `size` bytes; says whether it does.
fn fill(buf: &mut Vec<u8>, bytes: &mut &[u8], size: usize) -> bool {
    let take = size.saturating_sub(buf.len()).min(bytes.len());
    buf.extend_from_slice(&bytes[..take]);
    *bytes = &bytes[take..];
    buf.len() >= size
}

/// Each CRC32 is computed once: the header's (bytes 0–120 and 128–512), then the records'.
fn checksum_mismatch(header: &EvtxChunkHeader, data: &[u8]) -> Option<(u32, u32)> {
    if header.flags.contains(ChunkFlags::NO_CRC32) {
        return None;
    }
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&data[..120]);
    hasher.update(&data[128..HEADER_OF_CHUNK]);
    let found = hasher.finalize();
    if found != header.header_chunk_checksum {
        return Some((header.header_chunk_checksum, found));
    }
    let end = (header.free_space_offset as usize).clamp(HEADER_OF_CHUNK, data.len());
    let found = evtx::checksum_ieee(&data[HEADER_OF_CHUNK..end]);
    (found != header.events_checksum).then_some((header.events_checksum, found))
}

/// An error of the `evtx` crate with its causes, on one line.
fn error_text(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

/// The XML of the record that starts `offset` bytes into `chunk` (one whole chunk of an `.evtx`
/// file), indented for reading: what the detail pane shows and copies for an `.evtx` event.
pub fn record_xml(chunk: &[u8], offset: u64) -> Option<String> {
    records_xml(chunk, &[offset], true).pop().flatten()
}

/// The XML of the records that start at each of `offsets` in `chunk`, in the order of
/// `offsets` (`None` for one that does not parse), the chunk parsed once for all of them: what an
/// export of many events of one chunk reads.
pub fn records_xml(chunk: &[u8], offsets: &[u64], indent: bool) -> Vec<Option<String>> {
    let mut out = vec![None; offsets.len()];
    let Ok(mut data) = EvtxChunkData::new(chunk.to_vec(), false) else {
        return out;
    };
    let Ok(mut parsed) = data.parse(settings(indent)) else {
        return out;
    };
    for record in parsed.iter().filter_map(Result::ok) {
        let at = record.binxml_offset.saturating_sub(RECORD_HEADER);
        let Some(i) = offsets.iter().position(|&o| o == at) else {
            continue;
        };
        if let Ok(xml) = record.into_xml() {
            out[i] = Some(xml.data.trim().to_string());
        }
    }
    out
}
