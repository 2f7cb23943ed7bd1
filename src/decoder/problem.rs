//! Problems found in the input: where they are, why, and what happened to the event.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A place in the input.
///
/// `byte` counts bytes of the original input (before any transcoding, BOM included); `line` and
/// `column` are 1-based and count characters, as an editor shows them. A place in a binary
/// `.evtx` file has no line: `line` and `column` are 0 there, and `byte` alone says where (its
/// chunk follows from it, see [`Position::evtx_chunk`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Position {
    /// Offset in bytes from the start of the original input.
    pub byte: u64,
    /// Line number, starting at 1.
    pub line: u64,
    /// Column in characters, starting at 1.
    pub column: u64,
}

/// Bytes of an `.evtx` file header: the first chunk starts after them.
pub const EVTX_HEADER_BYTES: u64 = 4096;
/// Bytes of one `.evtx` chunk.
pub const EVTX_CHUNK_BYTES: u64 = 65536;

impl Position {
    /// A place in a binary `.evtx` file, `byte` bytes from its start.
    pub fn binary(byte: u64) -> Self {
        Self {
            byte,
            line: 0,
            column: 0,
        }
    }

    /// True for a place in a binary file (no line or column).
    pub fn is_binary(&self) -> bool {
        self.line == 0
    }

    /// For a place in a binary `.evtx` file, the number (from 0) of the chunk it falls in;
    /// `None` in its file header or in a text input.
    pub fn evtx_chunk(&self) -> Option<u64> {
        (self.is_binary() && self.byte >= EVTX_HEADER_BYTES)
            .then(|| (self.byte - EVTX_HEADER_BYTES) / EVTX_CHUNK_BYTES)
    }
}

/// What a problem did to the decoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// An `<Event>` could not be decoded and was skipped.
    Skipped,
    /// The event was decoded after the input was repaired (the repair is described).
    Repaired,
    /// Something about the whole input, no event lost (e.g. an ignored DTD).
    Notice,
    /// The input is not event XML at all; nothing was decoded from it.
    Rejected,
}

/// What kind of input a file that holds no events seems to be.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    /// Zero bytes.
    Empty,
    /// Only white space.
    Blank,
    /// A PNG image.
    Png,
    /// A JPEG image.
    Jpeg,
    /// A GIF image.
    Gif,
    /// A PDF document.
    Pdf,
    /// A zip archive (also .docx, .xlsx, .zip exports).
    Zip,
    /// A gzip stream.
    Gzip,
    /// A binary Windows event log (`.evtx`, `ElfFile` header).
    Evtx,
    /// Other binary data.
    Binary,
    /// Well-formed looking XML whose root element is not about events.
    OtherXml {
        /// The root element's name.
        root: String,
    },
    /// An event-log XML document with no `<Event>` in it (`<Events/>`).
    EmptyEventLog,
    /// Text that is not XML.
    Text,
}

impl InputKind {
    /// A stable name for the kind (`png`, `evtx`, `other_xml`…), for translations.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::Blank => "blank",
            Self::Png => "png",
            Self::Jpeg => "jpeg",
            Self::Gif => "gif",
            Self::Pdf => "pdf",
            Self::Zip => "zip",
            Self::Gzip => "gzip",
            Self::Evtx => "evtx",
            Self::Binary => "binary",
            Self::OtherXml { .. } => "other_xml",
            Self::EmptyEventLog => "empty_event_log",
            Self::Text => "text",
        }
    }
}

impl InputKind {
    /// The kind of [`InputKind::code`] `code` (`root`: the root element of other XML).
    pub fn from_code(code: &str, root: Option<&str>) -> Option<Self> {
        Some(match code {
            "empty" => Self::Empty,
            "blank" => Self::Blank,
            "png" => Self::Png,
            "jpeg" => Self::Jpeg,
            "gif" => Self::Gif,
            "pdf" => Self::Pdf,
            "zip" => Self::Zip,
            "gzip" => Self::Gzip,
            "evtx" => Self::Evtx,
            "binary" => Self::Binary,
            "other_xml" => Self::OtherXml {
                root: root?.to_string(),
            },
            "empty_event_log" => Self::EmptyEventLog,
            "text" => Self::Text,
            _ => return None,
        })
    }
}

impl fmt::Display for InputKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("an empty file"),
            Self::Blank => f.write_str("a file with only white space"),
            Self::Png => f.write_str("a PNG image"),
            Self::Jpeg => f.write_str("a JPEG image"),
            Self::Gif => f.write_str("a GIF image"),
            Self::Pdf => f.write_str("a PDF document"),
            Self::Zip => f.write_str("a zip archive"),
            Self::Gzip => f.write_str("a gzip-compressed file"),
            Self::Evtx => f.write_str("a binary Windows event log (.evtx)"),
            Self::Binary => f.write_str("binary data"),
            Self::OtherXml { root } => write!(f, "XML of another kind (root element `<{root}>`)"),
            Self::EmptyEventLog => f.write_str("an event log export that contains no events"),
            Self::Text => f.write_str("text that contains no event XML"),
        }
    }
}

/// Why something went wrong, with the details a user needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProblemKind {
    /// The XML of one event is not well formed.
    MalformedXml {
        /// What the XML reader reported.
        reason: String,
    },
    /// An end tag does not match the open element.
    MismatchedEndTag {
        /// The element that is open.
        expected: String,
        /// The end tag found.
        found: String,
    },
    /// A new `<Event` started before the previous one was closed.
    UnclosedEvent,
    /// The input ended inside an event.
    TruncatedEvent,
    /// One event is larger than the limit.
    EventTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// Elements nest deeper than the limit.
    TooDeep {
        /// The limit in levels.
        limit: usize,
    },
    /// One element carries more attributes than the limit.
    TooManyAttributes {
        /// The limit.
        limit: usize,
    },
    /// One value is larger than the limit.
    ValueTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The event has no `System/EventID`, or it is not a number.
    MissingEventId,
    /// A `<!DOCTYPE>` was found; it is never processed and entities are never expanded.
    DtdIgnored,
    /// An entity reference that is not one of XML's five was kept as written.
    UndefinedEntity {
        /// The entity's name.
        name: String,
    },
    /// Bytes that are not valid UTF-8 were replaced with U+FFFD.
    InvalidUtf8,
    /// Unpaired UTF-16 surrogates (or an odd trailing byte) were replaced with U+FFFD.
    InvalidUtf16,
    /// A `&` that starts no reference was kept as a literal `&`.
    LoneAmpersand,
    /// Text copied from a documentation page or a browser's XML view was cleaned up
    /// (`- ` list markers before elements, markdown escapes such as `\_`).
    DocumentationMarkup,
    /// `TimeCreated` holds something that is not a date and time (an impossible date such as
    /// `2025-02-31`, or no time at all): the event is kept without a time.
    BadTime {
        /// The value as logged.
        value: String,
    },
    /// The input is not event XML.
    NotEventXml {
        /// What it looks like.
        looks_like: InputKind,
    },
    /// An `.evtx` file header that is damaged (bad signature or checksum): the chunks after it
    /// are read all the same.
    EvtxHeader {
        /// What is wrong with it.
        reason: String,
    },
    /// An `.evtx` file whose header declares fewer chunks than it holds, as in a log copied
    /// while Windows was writing it (marked dirty): said at the first chunk past the declared
    /// ones; every chunk present is read.
    EvtxDirty {
        /// Chunks the header declares.
        declared: u64,
    },
    /// An `.evtx` chunk that cannot be read (bad signature, damaged header or string table):
    /// its records are lost, decoding goes on with the next chunk.
    EvtxBadChunk {
        /// What the parser reported.
        reason: String,
    },
    /// An `.evtx` file header or chunk whose CRC32 does not match its content (the position
    /// says which): what it covers was read anyway, and each record that does not parse is
    /// reported on its own.
    EvtxChecksum {
        /// The checksum the chunk declares.
        expected: u32,
        /// The checksum of its bytes.
        found: u32,
    },
    /// An `.evtx` record that cannot be decoded; decoding goes on with the next record.
    EvtxBadRecord {
        /// Its `EventRecordID`, when its header could be read.
        record: Option<u64>,
        /// What the parser reported.
        reason: String,
    },
    /// Past the chunks its header declares, an `.evtx` file holds bytes that are no chunk (the
    /// unused end of the log file): they are ignored.
    EvtxTrailing {
        /// Bytes from there to the end of the file.
        bytes: u64,
    },
    /// An `.evtx` chunk whose header counts more records than could be walked to (the walk
    /// ends at the record that carries the header's last record ID): the others are lost.
    EvtxShortChunk {
        /// Records the chunk header counts (its first to last record ID).
        declared: u64,
        /// Records found.
        read: u64,
    },
    /// An `.evtx` file with no event record in it.
    EvtxEmpty,
    /// The `.evtx` file ends inside a chunk: the complete records before the cut were read.
    EvtxTruncated {
        /// Bytes of the last chunk present (of 65,536).
        bytes: u64,
    },
    /// One document of a JSON, JSON Lines or CSV export is not well formed (or is cut short):
    /// it is skipped, the documents around it are read.
    InvalidJson {
        /// What the JSON (or CSV) reader reported.
        reason: String,
    },
    /// Documents of a JSON export, or objects of an Export-Clixml file, that are valid but hold no
    /// Windows event (another log type): counted and said once per file, at the first of them.
    NotWindowsEvents {
        /// How many there are in the file.
        count: u64,
    },
    /// `Get-WinEvent | ConvertTo-Json` at its default depth of 2 wrote each event's property
    /// values as the text `System.Diagnostics.Eventing.Reader.EventProperty`: the events are
    /// shown with their ID, time, provider and message, without their fields. Said once per file.
    PropertiesLost {
        /// How many events lost their values.
        count: u64,
    },
}

impl ProblemKind {
    /// The kind's own values as text (reason, tag names, limit, entity name, what the input
    /// looks like and the root element of other XML…), in declaration order: with
    /// [`ProblemKind::code`], what a message between threads carries ([`problem_wire`]).
    pub fn values(&self) -> Vec<String> {
        match self {
            Self::MalformedXml { reason }
            | Self::EvtxHeader { reason }
            | Self::EvtxBadChunk { reason }
            | Self::EvtxBadRecord {
                record: None,
                reason,
            } => vec![reason.clone()],
            Self::MismatchedEndTag { expected, found } => vec![expected.clone(), found.clone()],
            Self::EventTooLarge { limit }
            | Self::TooDeep { limit }
            | Self::TooManyAttributes { limit }
            | Self::ValueTooLarge { limit } => vec![limit.to_string()],
            Self::UndefinedEntity { name } => vec![name.clone()],
            Self::BadTime { value } => vec![value.clone()],
            Self::NotEventXml { looks_like } => {
                let mut values = vec![looks_like.code().to_string()];
                if let InputKind::OtherXml { root } = looks_like {
                    values.push(root.clone());
                }
                values
            }
            Self::EvtxBadRecord {
                record: Some(record),
                reason,
            } => vec![reason.clone(), record.to_string()],
            Self::EvtxDirty { declared } => vec![declared.to_string()],
            Self::EvtxShortChunk { declared, read } => vec![declared.to_string(), read.to_string()],
            Self::EvtxChecksum { expected, found } => vec![expected.to_string(), found.to_string()],
            Self::EvtxTruncated { bytes } | Self::EvtxTrailing { bytes } => {
                vec![bytes.to_string()]
            }
            Self::InvalidJson { reason } => vec![reason.clone()],
            Self::NotWindowsEvents { count } | Self::PropertiesLost { count } => {
                vec![count.to_string()]
            }
            Self::EvtxEmpty
            | Self::UnclosedEvent
            | Self::TruncatedEvent
            | Self::MissingEventId
            | Self::DtdIgnored
            | Self::InvalidUtf8
            | Self::InvalidUtf16
            | Self::LoneAmpersand
            | Self::DocumentationMarkup => Vec::new(),
        }
    }

    /// The kind back from its [`ProblemKind::code`] and [`ProblemKind::values`]; `None` when
    /// they are not a kind's.
    pub fn from_values(code: &str, values: &[String]) -> Option<Self> {
        let text = |i: usize| values.get(i).cloned();
        let number = |i: usize| values.get(i)?.parse::<u64>().ok();
        let limit = || values.first()?.parse::<usize>().ok();
        Some(match code {
            "malformed_xml" => Self::MalformedXml { reason: text(0)? },
            "mismatched_end_tag" => Self::MismatchedEndTag {
                expected: text(0)?,
                found: text(1)?,
            },
            "unclosed_event" => Self::UnclosedEvent,
            "truncated_event" => Self::TruncatedEvent,
            "event_too_large" => Self::EventTooLarge { limit: limit()? },
            "too_deep" => Self::TooDeep { limit: limit()? },
            "too_many_attributes" => Self::TooManyAttributes { limit: limit()? },
            "value_too_large" => Self::ValueTooLarge { limit: limit()? },
            "missing_event_id" => Self::MissingEventId,
            "dtd_ignored" => Self::DtdIgnored,
            "undefined_entity" => Self::UndefinedEntity { name: text(0)? },
            "invalid_utf8" => Self::InvalidUtf8,
            "invalid_utf16" => Self::InvalidUtf16,
            "lone_ampersand" => Self::LoneAmpersand,
            "documentation_markup" => Self::DocumentationMarkup,
            "bad_time" => Self::BadTime { value: text(0)? },
            "not_event_xml" => Self::NotEventXml {
                looks_like: InputKind::from_code(
                    values.first()?,
                    values.get(1).map(String::as_str),
                )?,
            },
            "evtx_header" => Self::EvtxHeader { reason: text(0)? },
            "evtx_dirty" => Self::EvtxDirty {
                declared: number(0)?,
            },
            "evtx_bad_chunk" => Self::EvtxBadChunk { reason: text(0)? },
            "evtx_checksum" => Self::EvtxChecksum {
                expected: u32::try_from(number(0)?).ok()?,
                found: u32::try_from(number(1)?).ok()?,
            },
            "evtx_bad_record" => Self::EvtxBadRecord {
                record: match values.get(1) {
                    Some(_) => Some(number(1)?),
                    None => None,
                },
                reason: text(0)?,
            },
            "evtx_truncated" => Self::EvtxTruncated { bytes: number(0)? },
            "evtx_trailing" => Self::EvtxTrailing { bytes: number(0)? },
            "evtx_empty" => Self::EvtxEmpty,
            "evtx_short_chunk" => Self::EvtxShortChunk {
                declared: number(0)?,
                read: number(1)?,
            },
            "invalid_json" => Self::InvalidJson { reason: text(0)? },
            "not_windows_events" => Self::NotWindowsEvents { count: number(0)? },
            "properties_lost" => Self::PropertiesLost { count: number(0)? },
            _ => return None,
        })
    }

    /// Whether the message itself says what was lost (a chunk's records), so that no
    /// "(event skipped)" follows it.
    pub fn says_its_loss(&self) -> bool {
        matches!(
            self,
            Self::EvtxBadChunk { .. } | Self::EvtxShortChunk { .. }
        )
    }

    /// A stable code for the kind (used for translations and JSON).
    pub fn code(&self) -> &'static str {
        match self {
            Self::MalformedXml { .. } => "malformed_xml",
            Self::MismatchedEndTag { .. } => "mismatched_end_tag",
            Self::UnclosedEvent => "unclosed_event",
            Self::TruncatedEvent => "truncated_event",
            Self::EventTooLarge { .. } => "event_too_large",
            Self::TooDeep { .. } => "too_deep",
            Self::TooManyAttributes { .. } => "too_many_attributes",
            Self::ValueTooLarge { .. } => "value_too_large",
            Self::MissingEventId => "missing_event_id",
            Self::DtdIgnored => "dtd_ignored",
            Self::UndefinedEntity { .. } => "undefined_entity",
            Self::InvalidUtf8 => "invalid_utf8",
            Self::InvalidUtf16 => "invalid_utf16",
            Self::LoneAmpersand => "lone_ampersand",
            Self::DocumentationMarkup => "documentation_markup",
            Self::BadTime { .. } => "bad_time",
            Self::NotEventXml { .. } => "not_event_xml",
            Self::EvtxHeader { .. } => "evtx_header",
            Self::EvtxDirty { .. } => "evtx_dirty",
            Self::EvtxBadChunk { .. } => "evtx_bad_chunk",
            Self::EvtxChecksum { .. } => "evtx_checksum",
            Self::EvtxBadRecord { .. } => "evtx_bad_record",
            Self::EvtxTruncated { .. } => "evtx_truncated",
            Self::EvtxTrailing { .. } => "evtx_trailing",
            Self::EvtxEmpty => "evtx_empty",
            Self::EvtxShortChunk { .. } => "evtx_short_chunk",
            Self::InvalidJson { .. } => "invalid_json",
            Self::NotWindowsEvents { .. } => "not_windows_events",
            Self::PropertiesLost { .. } => "properties_lost",
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MalformedXml { reason } => write!(f, "malformed XML: {reason}"),
            Self::MismatchedEndTag { expected, found } => {
                write!(f, "end tag `</{found}>` does not match `<{expected}>`")
            }
            Self::UnclosedEvent => {
                f.write_str("event is not closed before the next `<Event` begins")
            }
            Self::TruncatedEvent => f.write_str("input ends inside this event (file cut short?)"),
            Self::EventTooLarge { limit } => {
                write!(f, "event is larger than the {} MiB limit", limit >> 20)
            }
            Self::TooDeep { limit } => write!(f, "elements nest deeper than {limit} levels"),
            Self::TooManyAttributes { limit } => {
                write!(f, "an element has more than {limit} attributes")
            }
            Self::ValueTooLarge { limit } => {
                write!(f, "a value is larger than the {} KiB limit", limit >> 10)
            }
            Self::MissingEventId => f.write_str("event has no numeric `System/EventID`"),
            Self::DtdIgnored => f.write_str(
                "a document type declaration (`<!DOCTYPE`) was ignored: entities are never expanded and nothing is fetched",
            ),
            Self::UndefinedEntity { name } => {
                write!(f, "entity `&{name};` is not expanded; kept as written")
            }
            Self::InvalidUtf8 => f.write_str("invalid UTF-8 bytes replaced with U+FFFD"),
            Self::InvalidUtf16 => {
                f.write_str("unpaired UTF-16 surrogate or odd byte replaced with U+FFFD")
            }
            Self::LoneAmpersand => f.write_str("a lone `&` was kept as a literal character"),
            Self::DocumentationMarkup => f.write_str(
                "input was repaired: documentation markup removed (`- ` before elements, markdown escapes like `\\_`)",
            ),
            Self::NotEventXml { looks_like } => {
                write!(f, "no Windows event XML found: the input looks like {looks_like}")
            }
            Self::BadTime { value } => write!(
                f,
                "TimeCreated `{value}` is not a date and time; the event is kept without a time"
            ),
            Self::EvtxHeader { reason } => {
                write!(f, "damaged .evtx file header ({reason}); its chunks were read all the same")
            }
            Self::EvtxDirty { declared } => write!(
                f,
                "the file header declares {declared} chunks; this one and those after it lie beyond them (a log copied while in use) and are read all the same"
            ),
            Self::EvtxBadChunk { reason } => {
                write!(f, "chunk cannot be read ({reason}); its records are lost")
            }
            Self::EvtxChecksum { expected, found } => write!(
                f,
                "checksum does not match (declared {expected:#010x}, computed {found:#010x}); what it covers was read anyway"
            ),
            Self::EvtxBadRecord {
                record: Some(record),
                reason,
            } => write!(f, "record {record} cannot be decoded: {reason}"),
            Self::EvtxBadRecord { record: None, reason } => {
                write!(f, "a record cannot be decoded: {reason}")
            }
            Self::EvtxEmpty => f.write_str("this .evtx file holds no event record"),
            Self::EvtxShortChunk { declared, read } => write!(
                f,
                "the chunk header counts {declared} records but only {read} could be reached; the others are lost"
            ),
            Self::EvtxTrailing { bytes } => write!(
                f,
                "the {bytes} bytes from here to the end hold no chunk (unused space after the declared chunks); ignored"
            ),
            Self::EvtxTruncated { bytes } => write!(
                f,
                "the file ends inside this chunk ({bytes} of 65536 bytes); the complete records before the cut were read"
            ),
            Self::InvalidJson { reason } => write!(f, "not a well-formed document: {reason}"),
            Self::NotWindowsEvents { count } => write!(
                f,
                "{count} documents from here on are valid but hold no Windows event (another log type); they were skipped"
            ),
            Self::PropertiesLost { count } => write!(
                f,
                "{count} events were written by `ConvertTo-Json` at its default depth of 2, which replaces every field value with `System.Diagnostics.Eventing.Reader.EventProperty`: their ID, time, provider and message are shown, their fields are lost. Export them again with `ConvertTo-Json -Depth 4` (or `Export-Clixml`)"
            ),
        }
    }
}

/// One problem: where, in which event, why, and its effect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Where in the input.
    pub position: Position,
    /// The ordinal (1-based) of the `<Event>` it concerns, counting every event start seen.
    pub event: Option<u64>,
    /// What happened to the event.
    pub severity: Severity,
    /// Why.
    #[serde(flatten)]
    pub kind: ProblemKind,
}

impl Problem {
    /// True when an event was lost because of this problem.
    pub fn is_skip(&self) -> bool {
        self.severity == Severity::Skipped
    }
}

impl Problem {
    /// Why, and what it did to the event: the problem's text after its [`place`].
    pub fn reason(&self) -> String {
        match self.severity {
            Severity::Skipped if !self.kind.says_its_loss() => {
                format!("{} (event skipped)", self.kind)
            }
            _ => self.kind.to_string(),
        }
    }
}

/// `LINE:COLUMN: ` (in an `.evtx` file `chunk C, offset 0xB: `, or `file header: `) and, for a
/// problem of one event, `event N: `: how every problem text begins.
pub fn place(at: Position, event: Option<u64>) -> String {
    let mut out = if !at.is_binary() {
        format!("{}:{}: ", at.line, at.column)
    } else if let Some(chunk) = at.evtx_chunk() {
        format!("chunk {chunk}, offset {:#x}: ", at.byte)
    } else {
        format!("file header, offset {:#x}: ", at.byte)
    };
    if let Some(n) = event {
        out.push_str(&format!("event {n}: "));
    }
    out
}

impl fmt::Display for Problem {
    /// `LINE:COLUMN: event N: reason` (the CLI prefixes `FILE:`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", place(self.position, self.event), self.reason())
    }
}

/// A [`ProblemKind`] in a message between threads (`#[serde(with = "problem_wire")]`): its
/// [`code`](ProblemKind::code) then its [`values`](ProblemKind::values), one list of strings,
/// read back by [`ProblemKind::from_values`]. A derived `Deserialize` of the tagged enum costs
/// about 20 KB of gzipped wasm in each of the page and the worker.
pub mod problem_wire {
    use super::ProblemKind;
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Writes `kind` as `[code, values…]`.
    pub fn serialize<S: Serializer>(kind: &ProblemKind, to: S) -> Result<S::Ok, S::Error> {
        let mut list = vec![kind.code().to_string()];
        list.extend(kind.values());
        list.serialize(to)
    }

    /// Reads a kind written by [`serialize`].
    pub fn deserialize<'de, D: Deserializer<'de>>(from: D) -> Result<ProblemKind, D::Error> {
        let list = Vec::<String>::deserialize(from)?;
        list.split_first()
            .and_then(|(code, values)| ProblemKind::from_values(code, values))
            .ok_or_else(|| D::Error::custom("not a problem kind"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One of each kind; the match below makes a new kind fail to compile until it has one.
    fn every_kind() -> Vec<ProblemKind> {
        let s = |t: &str| t.to_string();
        let all = vec![
            ProblemKind::MalformedXml { reason: s("r") },
            ProblemKind::MismatchedEndTag {
                expected: s("a"),
                found: s("b"),
            },
            ProblemKind::UnclosedEvent,
            ProblemKind::TruncatedEvent,
            ProblemKind::EventTooLarge { limit: 1 << 20 },
            ProblemKind::TooDeep { limit: 64 },
            ProblemKind::TooManyAttributes { limit: 256 },
            ProblemKind::ValueTooLarge { limit: 1 << 16 },
            ProblemKind::MissingEventId,
            ProblemKind::DtdIgnored,
            ProblemKind::UndefinedEntity { name: s("xxe") },
            ProblemKind::InvalidUtf8,
            ProblemKind::InvalidUtf16,
            ProblemKind::LoneAmpersand,
            ProblemKind::DocumentationMarkup,
            ProblemKind::BadTime {
                value: s("2025-02-31"),
            },
            ProblemKind::NotEventXml {
                looks_like: InputKind::OtherXml { root: s("project") },
            },
            ProblemKind::NotEventXml {
                looks_like: InputKind::Png,
            },
            ProblemKind::EvtxHeader { reason: s("r") },
            ProblemKind::EvtxDirty { declared: 3 },
            ProblemKind::EvtxBadChunk { reason: s("r") },
            ProblemKind::EvtxChecksum {
                expected: u32::MAX,
                found: 7,
            },
            ProblemKind::EvtxBadRecord {
                record: Some(9),
                reason: s("r"),
            },
            ProblemKind::EvtxBadRecord {
                record: None,
                reason: s("r"),
            },
            ProblemKind::EvtxTrailing { bytes: 5 },
            ProblemKind::EvtxShortChunk {
                declared: 4,
                read: 2,
            },
            ProblemKind::EvtxEmpty,
            ProblemKind::EvtxTruncated { bytes: 100 },
            ProblemKind::InvalidJson { reason: s("r") },
            ProblemKind::NotWindowsEvents { count: 3 },
            ProblemKind::PropertiesLost { count: 2 },
        ];
        for kind in &all {
            match kind {
                ProblemKind::MalformedXml { .. }
                | ProblemKind::MismatchedEndTag { .. }
                | ProblemKind::UnclosedEvent
                | ProblemKind::TruncatedEvent
                | ProblemKind::EventTooLarge { .. }
                | ProblemKind::TooDeep { .. }
                | ProblemKind::TooManyAttributes { .. }
                | ProblemKind::ValueTooLarge { .. }
                | ProblemKind::MissingEventId
                | ProblemKind::DtdIgnored
                | ProblemKind::UndefinedEntity { .. }
                | ProblemKind::InvalidUtf8
                | ProblemKind::InvalidUtf16
                | ProblemKind::LoneAmpersand
                | ProblemKind::DocumentationMarkup
                | ProblemKind::BadTime { .. }
                | ProblemKind::NotEventXml { .. }
                | ProblemKind::EvtxHeader { .. }
                | ProblemKind::EvtxDirty { .. }
                | ProblemKind::EvtxBadChunk { .. }
                | ProblemKind::EvtxChecksum { .. }
                | ProblemKind::EvtxBadRecord { .. }
                | ProblemKind::EvtxTrailing { .. }
                | ProblemKind::EvtxShortChunk { .. }
                | ProblemKind::EvtxEmpty
                | ProblemKind::EvtxTruncated { .. }
                | ProblemKind::InvalidJson { .. }
                | ProblemKind::NotWindowsEvents { .. }
                | ProblemKind::PropertiesLost { .. } => {}
            }
        }
        all
    }

    #[test]
    fn every_kind_comes_back_from_its_code_and_values() {
        for kind in every_kind() {
            let back = ProblemKind::from_values(kind.code(), &kind.values());
            assert_eq!(back.as_ref(), Some(&kind));
        }
        let kinds = [
            "empty", "blank", "png", "jpeg", "gif", "pdf", "zip", "gzip", "evtx",
        ];
        for code in kinds
            .into_iter()
            .chain(["binary", "empty_event_log", "text"])
        {
            assert_eq!(
                InputKind::from_code(code, None).map(|k| k.code()),
                Some(code)
            );
        }
        assert_eq!(
            ProblemKind::from_values("malformed_xm", &["r".into()]),
            None
        );
        assert_eq!(ProblemKind::from_values("too_deep", &["many".into()]), None);
    }
}
