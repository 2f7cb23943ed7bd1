//! One file's decoding as the browser's worker does it, without any browser API: bytes in, compact
//! rows and logon sessions out, with [`Progress`] reports and [`ProblemLine`]s as the page shows
//! them; and one event decoded again for the detail pane ([`detail_of`]). The worker only moves
//! the bytes (slices of a `File`) and the messages; everything here is tested natively.

use super::Reader;
use crate::decoder::{
    problem_wire, Boundary, Event, Item, Problem, ProblemKind, Severity, SysField, TextEncoding,
};
use crate::model::session::{Link, Session, SessionIndex};
use crate::model::store::BatchBuilder;
use serde::{Deserialize, Serialize};

/// A problem found in one file, as sent to the page: typed, so that the page words it in its
/// language (the CLI's English is [`ProblemLine::text`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemLine {
    /// What it did to the event.
    pub severity: Severity,
    /// Why, with its values (it travels as its code and values: [`problem_wire`]).
    #[serde(with = "problem_wire")]
    pub kind: ProblemKind,
    /// Byte offset in the file (what says where in a binary `.evtx` file).
    pub byte: u64,
    /// Line (1-based; 0 in a binary `.evtx` file).
    pub line: u64,
    /// Column (1-based, characters).
    pub column: u64,
    /// The event's ordinal in its file, when the problem concerns one.
    pub event: Option<u64>,
}

impl ProblemLine {
    /// The problem as the decoder gave it.
    pub fn problem(&self) -> Problem {
        Problem {
            position: self.position(),
            event: self.event,
            severity: self.severity,
            kind: self.kind.clone(),
        }
    }

    /// The whole English text: `LINE:COLUMN: event N: reason`, as the CLI writes it (in an
    /// `.evtx` file, `chunk C, offset 0xB: …`).
    pub fn text(&self) -> String {
        self.problem().to_string()
    }

    /// Where in its file.
    pub fn position(&self) -> crate::decoder::Position {
        crate::decoder::Position {
            byte: self.byte,
            line: self.line,
            column: self.column,
        }
    }

    /// Whether an event was lost because of it.
    pub fn skip(&self) -> bool {
        self.severity == Severity::Skipped
    }

    /// Whether its text ends with "(event skipped)": a lost event whose message does not say
    /// itself what was lost ([`ProblemKind::says_its_loss`]).
    pub fn skip_note(&self) -> bool {
        self.skip() && !self.kind.says_its_loss()
    }

    /// Whether the event was decoded after repairing the input.
    pub fn repaired(&self) -> bool {
        self.severity == Severity::Repaired
    }
}

/// What the worker has done so far for one file; sent after every slice and once at the end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Which file (see [`Request::Open`]).
    pub file: u32,
    /// Bytes of the file read and decoded so far.
    pub bytes: u64,
    /// Events decoded so far in this file.
    pub events: u64,
    /// Problems found since the previous report of this file (only the first
    /// [`MAX_PROBLEMS_PER_FILE`] are sent; the counts below include all of them).
    pub new_problems: Vec<ProblemLine>,
    /// Problems found so far in this file.
    pub problems: u64,
    /// Events lost so far in this file.
    pub skipped: u64,
    /// Events decoded after a repair of the input, so far.
    pub repaired: u64,
    /// Whether the file is finished.
    pub done: bool,
    /// Whether it finished because the user cancelled.
    pub cancelled: bool,
    /// The file's format, in the report that ends it (once its first bytes told it).
    #[serde(default)]
    pub format: Option<super::Format>,
}

impl Progress {
    /// Nothing done yet for file `file`.
    pub fn new(file: u32) -> Self {
        Self {
            file,
            bytes: 0,
            events: 0,
            new_problems: Vec::new(),
            problems: 0,
            skipped: 0,
            repaired: 0,
            done: false,
            cancelled: false,
            format: None,
        }
    }
}

/// One field of an event, as written and as keytrail decodes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldLine {
    /// The field's name (`Name` attribute, System element name, or UserData path).
    pub name: String,
    /// The value as written.
    pub raw: String,
    /// The decoded value, when a table decodes it.
    pub decoded: Option<String>,
}

/// Why an event could not be shown again in the detail pane: a value, worded by the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DetailError {
    /// Its file is no longer open (cleared since).
    FileGone,
    /// Its bytes were read again but hold no event.
    NotDecoded,
    /// The browser refused to read them; its own words.
    Browser(String),
    /// The page closed the worker meanwhile.
    Closed,
}

/// One event decoded again for the detail pane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detail {
    /// The request's token.
    pub token: u32,
    /// The event ID (0 when the slice did not decode).
    pub event_id: u32,
    /// Every System field.
    pub system: Vec<FieldLine>,
    /// Every body field, in document order.
    pub fields: Vec<FieldLine>,
    /// `RenderingInfo/@Culture` ("" without RenderingInfo).
    pub culture: String,
    /// RenderingInfo children, as Windows rendered them.
    pub rendering: Vec<(String, String)>,
    /// The raw XML, as text.
    pub xml: String,
    /// Why the event could not be decoded again, if it could not.
    pub error: Option<DetailError>,
    /// The logon session the event ran in, for events that name one (`SubjectLogonId`).
    pub session: Option<SessionLink>,
}

impl Detail {
    /// An answer to request `token` with nothing in it yet.
    pub fn empty(token: u32) -> Self {
        Self {
            token,
            event_id: 0,
            system: Vec::new(),
            fields: Vec::new(),
            culture: String::new(),
            rendering: Vec::new(),
            xml: String::new(),
            error: None,
            session: None,
        }
    }
}

/// Where an event's logon ID leads (see [`Link`](crate::model::session::Link)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionLink {
    /// A well-known session such as SYSTEM's (`0x3e7`), by name.
    WellKnown(String),
    /// No logon event for it on this computer before the event.
    NotInExport,
    /// The session, with its logon, privileges and logoff.
    Session(Box<Session>),
}

/// The most problem texts kept per file; a broken multi-gigabyte file must not flood the page.
pub const MAX_PROBLEMS_PER_FILE: u64 = 500;

/// The most decoding workers a tab uses: each worker of the chain joins the rows of those after
/// it, so a longer chain copies the last parts' rows more often.
pub const MAX_DECODING_WORKERS: u32 = 6;

/// How many decoding workers a tab uses on a machine with `cores` logical processors
/// (`navigator.hardwareConcurrency`). The page's own thread applies every batch of rows (the
/// store, the facets, the rule marks, the charts), which takes about a core while a large file
/// loads: with three cores or more it keeps one and the workers get the rest. With two, two
/// workers still beat one (the page's work comes in bursts between batches; see
/// BENCHMARKS.md); with one, a second worker only takes turns with the first.
pub fn decoding_workers(cores: u32) -> u32 {
    match cores {
        0 | 1 => 1,
        2 => 2,
        n => (n - 1).min(MAX_DECODING_WORKERS),
    }
}

/// Where decoded events go: each becomes a row; logon, logoff and privilege events also feed
/// the session index.
pub trait Collect {
    /// Takes one event of input `file`.
    fn event(&mut self, file: u16, event: &Event);
}

impl Collect for BatchBuilder {
    fn event(&mut self, file: u16, event: &Event) {
        self.push(file, event);
    }
}

/// The rows waiting to be sent, and the logon sessions of everything loaded.
#[derive(Default)]
pub struct Collected {
    /// Rows not sent yet.
    pub rows: BatchBuilder,
    /// Sessions of every file of the load.
    pub sessions: SessionIndex,
}

impl Collect for Collected {
    fn event(&mut self, file: u16, event: &Event) {
        self.rows.push(file, event);
        self.sessions.add(event);
    }
}

/// Where the event's logon ID leads, for events that name one.
pub fn session_link(sessions: &mut SessionIndex, event: &Event) -> Option<SessionLink> {
    if event.account().logon_id.trim().is_empty() {
        return None;
    }
    Some(match sessions.link_event(event) {
        Link::WellKnown(name) => SessionLink::WellKnown(name.to_string()),
        Link::NotInExport => SessionLink::NotInExport,
        Link::Session(s) => SessionLink::Session(Box::new(s.clone())),
    })
}

/// Fills `out` from the raw bytes of one event (UTF-8 or UTF-16 without BOM); gives the event.
pub fn detail_of(bytes: &[u8], out: &mut Detail) -> Option<Event> {
    // A JSON document or an Export-Clixml record is shown as the event XML it stands for.
    out.xml = super::document_xml(bytes).unwrap_or_else(|| slice_text(bytes));
    // A slice read again: no hash to take.
    let mut decoder = Reader::unhashed();
    let mut items = Vec::new();
    decoder.push(bytes, &mut items);
    decoder.finish(&mut items);
    let event = items.into_iter().find_map(|item| match item {
        Item::Event(event) => Some(event),
        Item::Problem(_) => None,
    });
    let Some(event) = event else {
        out.error = Some(DetailError::NotDecoded);
        return None;
    };
    out.event_id = event.event_id();
    out.system = SysField::ALL
        .iter()
        .map(|&field| FieldLine {
            name: field.name().to_string(),
            raw: event.system(field).to_string(),
            decoded: event.decoded_system(field),
        })
        .collect();
    out.fields = event
        .fields()
        .map(|f| FieldLine {
            name: f.name.to_string(),
            raw: f.value.to_string(),
            decoded: event.decoded(f.name, f.value),
        })
        .collect();
    out.culture = event.culture().to_string();
    out.rendering = event
        .rendering()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    Some(event)
}

/// The text of an event's bytes: UTF-16 (LE or BE, recognised by its first ASCII character,
/// `<` or `{`, next to a zero byte) or UTF-8 (invalid bytes replaced).
pub fn slice_text(bytes: &[u8]) -> String {
    match bytes {
        [a, 0, ..] if a.is_ascii() && *a != 0 => utf16(bytes, u16::from_le_bytes),
        [0, b, ..] if b.is_ascii() && *b != 0 => utf16(bytes, u16::from_be_bytes),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units: Vec<u16> = bytes.chunks_exact(2).map(|p| unit([p[0], p[1]])).collect();
    String::from_utf16_lossy(&units)
}

/// A problem as sent to the page.
pub fn problem_line(problem: &Problem) -> ProblemLine {
    ProblemLine {
        severity: problem.severity,
        kind: problem.kind.clone(),
        byte: problem.position.byte,
        line: problem.position.line,
        column: problem.position.column,
        event: problem.event,
    }
}

/// One file's decoding, without any browser API: bytes in, rows (into a [`BatchBuilder`]) and
/// [`Progress`] out.
///
/// The worker uses it with slices of a `File`; tests use it with byte strings.
pub struct FileDecoder {
    decoder: Reader,
    items: Vec<Item>,
    progress: Progress,
}

impl std::fmt::Debug for FileDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileDecoder")
            .field("progress", &self.progress)
            .finish_non_exhaustive()
    }
}

impl FileDecoder {
    /// A decoder for the file numbered `file`.
    pub fn new(file: u32) -> Self {
        Self::with_reader(file, Reader::unhashed())
    }

    /// A decoder for the file (or the part of a file) numbered `file`, read by `reader`.
    pub fn with_reader(file: u32, reader: Reader) -> Self {
        Self {
            decoder: reader,
            items: Vec::new(),
            progress: Progress::new(file),
        }
    }

    /// Decodes the next `chunk` of the file, its events into `rows`.
    pub fn push(&mut self, chunk: &[u8], rows: &mut impl Collect) {
        self.decoder.push(chunk, &mut self.items);
        self.progress.bytes += chunk.len() as u64;
        self.drain(rows);
    }

    /// Ends the file (a truncated last event becomes a problem) and gives the final report.
    pub fn finish(&mut self, rows: &mut impl Collect) -> Progress {
        self.decoder.finish(&mut self.items);
        self.drain(rows);
        self.progress.done = true;
        self.progress.format = self.decoder.format();
        self.take()
    }

    /// The number of the file it decodes.
    pub fn file(&self) -> u32 {
        self.progress.file
    }

    /// Where the rest of an `.evtx` file of `size` bytes may go to a reader of its own (see
    /// [`Reader::split`]).
    pub fn split(&self, size: u64, ways: u64) -> Option<super::EvtxPart> {
        self.decoder.split(size, ways)
    }

    /// Where the bytes this decoder is fed start in the file (see [`Reader::base`]).
    pub fn base(&self) -> u64 {
        self.decoder.base()
    }

    /// The file's encoding, once its first bytes are decoded.
    pub fn encoding(&self) -> Option<TextEncoding> {
        self.decoder.encoding()
    }

    /// Where the decoder stands, if the bytes pushed so far end cleanly before a `<Event`
    /// (see [`Decoder::boundary`]).
    pub fn boundary(&self) -> Option<Boundary> {
        self.decoder.boundary()
    }

    /// Ends the file with the rest of it decoded by another `FileDecoder` from `boundary`: adds
    /// that one's last report `rest` and its problem `lines` (as it sent them), moved to this
    /// file; gives the final report. Used instead of [`FileDecoder::finish`].
    pub fn join(
        &mut self,
        rest: &Progress,
        lines: Vec<ProblemLine>,
        boundary: &Boundary,
    ) -> Progress {
        let mut problems = rest.problems;
        for line in lines {
            problems = problems.saturating_sub(1);
            if boundary.repeats(line.kind.code(), line.event) {
                continue;
            }
            if self.progress.problems < MAX_PROBLEMS_PER_FILE {
                let at = boundary.position(line.position());
                self.progress.new_problems.push(ProblemLine {
                    byte: at.byte,
                    line: at.line,
                    column: at.column,
                    event: line.event.map(|n| boundary.event(n)),
                    ..line
                });
            }
            self.progress.problems += 1;
        }
        // Problems beyond the lines sent.
        self.progress.problems += problems;
        self.progress.bytes += rest.bytes;
        self.progress.events += rest.events;
        self.progress.skipped += rest.skipped;
        self.progress.repaired += rest.repaired;
        self.progress.done = true;
        self.progress.format = self.decoder.format();
        self.take()
    }

    /// The last report of a file the user stopped reading.
    pub fn cancelled(&mut self) -> Progress {
        self.progress.done = true;
        self.progress.cancelled = true;
        self.take()
    }

    /// What happened since the previous report.
    pub fn take(&mut self) -> Progress {
        let new_problems = std::mem::take(&mut self.progress.new_problems);
        Progress {
            new_problems,
            ..self.progress.clone()
        }
    }

    fn drain(&mut self, rows: &mut impl Collect) {
        let file = u16::try_from(self.progress.file).unwrap_or(u16::MAX);
        for item in self.items.drain(..) {
            match item {
                Item::Event(event) => {
                    self.progress.events += 1;
                    if event.repaired {
                        self.progress.repaired += 1;
                    }
                    rows.event(file, &event);
                    self.decoder.recycle(event);
                }
                Item::Problem(problem) => {
                    if self.progress.problems < MAX_PROBLEMS_PER_FILE {
                        self.progress.new_problems.push(problem_line(&problem));
                    }
                    self.progress.problems += 1;
                    if problem.is_skip() {
                        self.progress.skipped += 1;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_keeps_a_core_once_there_are_three() {
        let counts: Vec<u32> = [0, 1, 2, 3, 4, 8, 16].map(decoding_workers).to_vec();
        assert_eq!(counts, [1, 1, 2, 2, 3, 6, 6]);
    }
}
