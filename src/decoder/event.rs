//! One decoded `<Event>`: its System fields (raw and parsed), its body fields in document order
//! and, when present, the RenderingInfo that Windows added.
//!
//! All text of one event lives in a single string; fields refer to it by [`Str`] handles, so an
//! event costs a handful of allocations however many fields it has.

use super::problem::Position;
use super::value;
use std::fmt;

/// A slice of an event's text, by offset and length.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Str {
    pub(crate) start: u32,
    pub(crate) len: u32,
}

impl Str {
    /// True for a field that was absent or empty.
    pub fn is_empty(self) -> bool {
        self.len == 0
    }
}

/// The System fields, in the order Windows writes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SysField {
    /// `Provider/@Name`.
    ProviderName,
    /// `Provider/@Guid`.
    ProviderGuid,
    /// `Provider/@EventSourceName` (classic providers).
    EventSourceName,
    /// `EventID`.
    EventId,
    /// `EventID/@Qualifiers`.
    Qualifiers,
    /// `Version`.
    Version,
    /// `Level`.
    Level,
    /// `Task`.
    Task,
    /// `Opcode`.
    Opcode,
    /// `Keywords`.
    Keywords,
    /// `TimeCreated/@SystemTime`.
    TimeCreated,
    /// `EventRecordID`.
    EventRecordId,
    /// `Correlation/@ActivityID`.
    ActivityId,
    /// `Correlation/@RelatedActivityID`.
    RelatedActivityId,
    /// `Execution/@ProcessID`.
    ProcessId,
    /// `Execution/@ThreadID`.
    ThreadId,
    /// `Channel`.
    Channel,
    /// `Computer`.
    Computer,
    /// `Security/@UserID`.
    UserId,
}

impl SysField {
    /// Every System field, in order.
    pub const ALL: [SysField; 19] = [
        Self::ProviderName,
        Self::ProviderGuid,
        Self::EventSourceName,
        Self::EventId,
        Self::Qualifiers,
        Self::Version,
        Self::Level,
        Self::Task,
        Self::Opcode,
        Self::Keywords,
        Self::TimeCreated,
        Self::EventRecordId,
        Self::ActivityId,
        Self::RelatedActivityId,
        Self::ProcessId,
        Self::ThreadId,
        Self::Channel,
        Self::Computer,
        Self::UserId,
    ];

    /// The name as an XPath-like path below `System`.
    pub fn name(self) -> &'static str {
        match self {
            Self::ProviderName => "Provider/@Name",
            Self::ProviderGuid => "Provider/@Guid",
            Self::EventSourceName => "Provider/@EventSourceName",
            Self::EventId => "EventID",
            Self::Qualifiers => "EventID/@Qualifiers",
            Self::Version => "Version",
            Self::Level => "Level",
            Self::Task => "Task",
            Self::Opcode => "Opcode",
            Self::Keywords => "Keywords",
            Self::TimeCreated => "TimeCreated/@SystemTime",
            Self::EventRecordId => "EventRecordID",
            Self::ActivityId => "Correlation/@ActivityID",
            Self::RelatedActivityId => "Correlation/@RelatedActivityID",
            Self::ProcessId => "Execution/@ProcessID",
            Self::ThreadId => "Execution/@ThreadID",
            Self::Channel => "Channel",
            Self::Computer => "Computer",
            Self::UserId => "Security/@UserID",
        }
    }
}

/// An instant in UTC, in nanoseconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Nanoseconds since the Unix epoch.
    pub fn nanos(self) -> i64 {
        self.0
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC: 7 fraction digits (Windows' 100 ns precision), 9 when finer.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        value::write_rfc3339(f, self.0)
    }
}

/// Which element held the event's body fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BodyKind {
    /// No body.
    #[default]
    None,
    /// `<EventData>` with `<Data>` (named or not) and `<Binary>`.
    EventData,
    /// `<UserData>` with one provider-defined element.
    UserData,
    /// `<BinaryEventData>`, `<ProcessingErrorData>` or `<DebugData>`.
    Other,
}

/// One body field: a `<Data>` of EventData, or a leaf of UserData.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field<'a> {
    /// The `Name` attribute, or the path below the UserData element (`Parent/Child`);
    /// empty for an unnamed `<Data>`.
    pub name: &'a str,
    /// The value as written (entities resolved).
    pub value: &'a str,
    /// Position among the body fields, from 0.
    pub index: usize,
}

/// A decoded `<Event>`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Event {
    /// Ordinal of this `<Event>` in its input (1-based), counting skipped ones.
    pub number: u64,
    /// Where its `<Event` starts.
    pub position: Position,
    /// Its byte range in the original input (the raw XML can be read back from there).
    pub byte_range: (u64, u64),
    /// True when the input was repaired to decode it (see the problems emitted with it).
    pub repaired: bool,
    pub(crate) text: String,
    pub(crate) sys: [Str; 19],
    pub(crate) event_id: u32,
    pub(crate) time: Option<Timestamp>,
    pub(crate) keywords: Option<u64>,
    pub(crate) record_id: Option<u64>,
    pub(crate) body: BodyKind,
    pub(crate) body_root: Str,
    pub(crate) fields: Vec<(Str, Str)>,
    pub(crate) culture: Str,
    pub(crate) rendering: Vec<(Str, Str)>,
}

impl Event {
    /// A default event that keeps this one's buffers (their contents cleared), to be built
    /// again.
    pub(crate) fn emptied(self) -> Event {
        let (mut text, mut fields, mut rendering) = (self.text, self.fields, self.rendering);
        text.clear();
        fields.clear();
        rendering.clear();
        Event {
            text,
            fields,
            rendering,
            ..Event::default()
        }
    }

    pub(crate) fn str(&self, s: Str) -> &str {
        let start = s.start as usize;
        self.text.get(start..start + s.len as usize).unwrap_or("")
    }

    #[inline]
    pub(crate) fn push_str(&mut self, value: &str) -> Str {
        let start = self.text.len() as u32;
        self.text.push_str(value);
        Str {
            start,
            len: value.len() as u32,
        }
    }

    #[inline]
    pub(crate) fn extend_last(&mut self, s: Str, value: &str) -> Str {
        debug_assert_eq!((s.start + s.len) as usize, self.text.len());
        self.text.push_str(value);
        Str {
            start: s.start,
            len: s.len + value.len() as u32,
        }
    }

    /// The value `cur` with `value` appended, as text arrives in pieces: at the end of the
    /// text when `cur` is empty or already last, else copied forward first.
    #[inline]
    pub(crate) fn append(&mut self, cur: Str, value: &str) -> Str {
        if cur.is_empty() {
            self.push_str(value)
        } else if (cur.start + cur.len) as usize == self.text.len() {
            self.extend_last(cur, value)
        } else {
            let mut owned = self.str(cur).to_owned();
            owned.push_str(value);
            self.push_str(&owned)
        }
    }

    /// `System/EventID`.
    pub fn event_id(&self) -> u32 {
        self.event_id
    }

    /// `System/EventRecordID`, when present and numeric.
    pub fn record_id(&self) -> Option<u64> {
        self.record_id
    }

    /// `System/TimeCreated/@SystemTime`, when present and readable.
    pub fn time(&self) -> Option<Timestamp> {
        self.time
    }

    /// `System/Keywords` as a number, when present.
    pub fn keywords(&self) -> Option<u64> {
        self.keywords
    }

    /// A System field as written in the input ("" when absent).
    pub fn system(&self, field: SysField) -> &str {
        self.str(self.sys[field as usize])
    }

    /// `System/Computer`.
    pub fn computer(&self) -> &str {
        self.system(SysField::Computer)
    }

    /// `System/Channel`.
    pub fn channel(&self) -> &str {
        self.system(SysField::Channel)
    }

    /// `System/Provider/@Name`.
    pub fn provider(&self) -> &str {
        self.system(SysField::ProviderName)
    }

    /// Which element held the body.
    pub fn body_kind(&self) -> BodyKind {
        self.body
    }

    /// The UserData element's name (e.g. `LogFileCleared`), "" otherwise.
    pub fn body_root(&self) -> &str {
        self.str(self.body_root)
    }

    /// The body fields in document order.
    pub fn fields(&self) -> impl ExactSizeIterator<Item = Field<'_>> + '_ {
        self.fields
            .iter()
            .enumerate()
            .map(move |(index, &(n, v))| Field {
                name: self.str(n),
                value: self.str(v),
                index,
            })
    }

    /// A field name's bytes, for comparing (no character boundaries to check).
    #[inline]
    fn name_bytes(&self, n: Str) -> &[u8] {
        let start = n.start as usize;
        self.text
            .as_bytes()
            .get(start..start + n.len as usize)
            .unwrap_or(&[])
    }

    /// The value of the first body field with this name.
    pub fn data(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|&&(n, _)| self.name_bytes(n) == name.as_bytes())
            .map(|&(_, v)| self.str(v))
    }

    /// What [`Event::data`] gives for each of several names, in one pass over the body: `slot`
    /// numbers the names wanted (below `N`), and the pass ends once each has its value.
    pub(crate) fn first_found<const N: usize>(
        &self,
        slot: impl Fn(&[u8]) -> Option<usize>,
    ) -> [Option<&str>; N] {
        let mut found = [None; N];
        let mut missing = N;
        for &(n, v) in &self.fields {
            let Some(place) = slot(self.name_bytes(n)).and_then(|i| found.get_mut(i)) else {
                continue;
            };
            if place.is_none() {
                *place = Some(self.str(v));
                missing -= 1;
                if missing == 0 {
                    break;
                }
            }
        }
        found
    }

    /// `RenderingInfo/@Culture`, "" when the event has no RenderingInfo.
    pub fn culture(&self) -> &str {
        self.str(self.culture)
    }

    /// RenderingInfo children (Message, Level, Task, Opcode, Channel, Provider, Keyword…) as
    /// Windows rendered them in the exporting machine's language.
    pub fn rendering(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.rendering
            .iter()
            .map(move |&(n, v)| (self.str(n), self.str(v)))
    }

    /// The rendered message, when the export carried one.
    pub fn message(&self) -> Option<&str> {
        self.rendering()
            .find(|(n, _)| *n == "Message")
            .map(|(_, v)| v)
    }
}
