//! Decoding one `<Event>…</Event>` span with quick-xml into an [`Event`].
//!
//! Elements are matched by local name, so a missing or wrong namespace does not matter. Text
//! around elements is ignored, except that `- ` list markers (documentation pages, old browser XML
//! views) switch on the repair of markdown escapes in values.

use super::event::{BodyKind, Event, Str, SysField};
use super::problem::ProblemKind;
use super::value::{self, parse_number, parse_time};
use super::Limits;
use quick_xml::events::{BytesRef, BytesStart, Event as Xml};
use quick_xml::Reader;

/// A problem found while decoding one span: its byte offset in the span and what it is.
pub(crate) type SpanProblem = (usize, ProblemKind);

/// What one span decoded to: the event (or the reason it was skipped) and the repairs made.
pub(crate) struct Parsed {
    pub event: Result<Event, SpanProblem>,
    pub repairs: Vec<SpanProblem>,
}

/// Working memory reused from one event to the next.
#[derive(Default)]
pub(crate) struct Scratch {
    stack: Vec<Frame>,
    /// Events given back once read ([`Scratch::recycle`]): the next events are built in their
    /// buffers instead of new ones.
    spare: Vec<Event>,
    /// The memory the spare events' buffers hold, bytes.
    spare_bytes: usize,
}

/// The most memory spare events hold together: a feed's worth of events (the decoders emit a
/// piece's events before they are read), never more than this.
const SPARE_BYTES: usize = 4 << 20;

/// The memory `ev`'s buffers hold, bytes.
fn held(ev: &Event) -> usize {
    let pair = std::mem::size_of::<(super::event::Str, super::event::Str)>();
    ev.text.capacity() + (ev.fields.capacity() + ev.rendering.capacity()) * pair
}

impl Scratch {
    /// Keeps `ev`'s buffers for a later event (up to [`SPARE_BYTES`] in all).
    pub(crate) fn recycle(&mut self, ev: Event) {
        let bytes = held(&ev);
        if self.spare_bytes + bytes <= SPARE_BYTES {
            self.spare_bytes += bytes;
            self.spare.push(ev);
        }
    }

    /// An empty event with room for `capacity` bytes of text: a spare one's buffers if there
    /// is one.
    fn event(&mut self, capacity: usize) -> Event {
        match self.spare.pop() {
            Some(old) => {
                self.spare_bytes -= held(&old);
                let mut ev = old.emptied();
                ev.text.reserve(capacity);
                ev
            }
            None => Event {
                text: String::with_capacity(capacity),
                fields: Vec::with_capacity(16),
                ..Event::default()
            },
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// The `<Event>` root.
    Root,
    System,
    /// A System child whose text is a value.
    SysText(SysField),
    EventData,
    /// A leaf whose text becomes the value of body field `idx`.
    Leaf {
        idx: usize,
    },
    /// An element of UserData (or of another free-form body): a field if it turns out to be a
    /// leaf; `path` is its name below the body's root element.
    Tree {
        path: Str,
        text: Str,
        had_child: bool,
    },
    /// The UserData (or BinaryEventData…) element itself.
    Body,
    Rendering,
    /// A RenderingInfo child whose text is kept (`Keywords` is a container of `Keyword`).
    RenderText {
        idx: usize,
    },
    RenderContainer,
    /// Anything else: ignored with its content.
    Ignored,
}

struct State<'a> {
    ev: Event,
    stack: &'a mut Vec<Frame>,
    limits: &'a Limits,
    repairs: Vec<SpanProblem>,
    list_markers: bool,
}

/// Decodes one span that starts with `<Event` and ends with its `</Event>`.
///
/// A `<Event` start tag inside the event (the event was never closed) ends decoding with
/// [`ProblemKind::UnclosedEvent`] at that tag's offset, so the caller can resume there.
pub(crate) fn parse_event(span: &str, limits: &Limits, scratch: &mut Scratch) -> Parsed {
    let mut st = State::new(span.len() / 2, limits, scratch);
    let event = match feed(span, &mut st, true) {
        Ok(_) => finish(st.ev, st.list_markers, &mut st.repairs),
        Err(p) => Err(p),
    };
    Parsed {
        event,
        repairs: st.repairs,
    }
}

impl<'a> State<'a> {
    fn new(capacity: usize, limits: &'a Limits, scratch: &'a mut Scratch) -> Self {
        scratch.stack.clear();
        State {
            ev: scratch.event(capacity),
            stack: &mut scratch.stack,
            limits,
            repairs: Vec::new(),
            list_markers: false,
        }
    }

    /// An element opens (`Start`, or `Empty` when `empty`); `Ok(true)` once the root is closed.
    fn start(
        &mut self,
        name: &str,
        local: &str,
        attrs: AttrSrc<'_>,
        empty: bool,
        at: usize,
    ) -> Result<bool, SpanProblem> {
        let frame = open(self, name, local, attrs, at)?;
        if empty {
            close(self, frame);
            return Ok(self.stack.is_empty());
        }
        if self.stack.len() >= self.limits.max_depth {
            return Err((
                at,
                ProblemKind::TooDeep {
                    limit: self.limits.max_depth,
                },
            ));
        }
        self.stack.push(frame);
        Ok(false)
    }

    /// An element closes; `true` once the root is closed.
    fn end(&mut self) -> bool {
        if let Some(frame) = self.stack.pop() {
            close(self, frame);
        }
        self.stack.is_empty()
    }

    /// `&name;` in text: resolved, or kept as written and reported.
    fn reference(&mut self, name: &str, at: usize) -> Result<(), SpanProblem> {
        let mut buf = [0u8; 4];
        match resolve(&BytesRef::new(name)) {
            Some(c) => text(self, c.encode_utf8(&mut buf), at),
            None => {
                self.repairs.push((
                    at,
                    ProblemKind::UndefinedEntity {
                        name: name.chars().take(64).collect(),
                    },
                ));
                self.ev.repaired = true;
                let literal = format!("&{name};");
                text(self, &literal, at)
            }
        }
    }
}

/// Runs quick-xml over `xml`: a whole span (`whole`, which ends with its root element), or a
/// fragment of elements inside the current one. `Ok(true)` once the root element is closed.
fn feed(xml: &str, st: &mut State<'_>, whole: bool) -> Result<bool, SpanProblem> {
    let mut reader = Reader::from_str(xml);
    {
        let cfg = reader.config_mut();
        cfg.allow_dangling_amp = true;
        cfg.check_end_names = true;
    }
    loop {
        let before = reader.buffer_position() as usize;
        let ev = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => return Err((reader.error_position() as usize, xml_problem(e))),
        };
        let closed = match ev {
            Xml::Start(e) => start_tag(st, &e, false, before)?,
            Xml::Empty(e) => start_tag(st, &e, true, before)?,
            Xml::End(_) => st.end(),
            Xml::Text(t) => {
                let raw: &str = &t;
                if raw.contains('&') {
                    st.repairs.push((before, ProblemKind::LoneAmpersand));
                    st.ev.repaired = true;
                }
                text(st, raw, before)?;
                false
            }
            Xml::CData(t) => {
                text(st, &t, before)?;
                false
            }
            Xml::GeneralRef(r) => {
                st.reference(&r, before)?;
                false
            }
            Xml::Eof if whole => return Err((xml.len(), ProblemKind::TruncatedEvent)),
            Xml::Eof => return Ok(false),
            Xml::Comment(_) | Xml::Decl(_) | Xml::PI(_) => false,
            Xml::DocType(_) => {
                st.repairs.push((before, ProblemKind::DtdIgnored));
                false
            }
        };
        if closed {
            return Ok(true);
        }
    }
}

fn start_tag(
    st: &mut State<'_>,
    e: &BytesStart<'_>,
    empty: bool,
    at: usize,
) -> Result<bool, SpanProblem> {
    let local = e.local_name();
    let name = e.name();
    st.start(
        name.as_ref(),
        local.as_ref(),
        AttrSrc::Raw(e.attributes_raw()),
        empty,
        at,
    )
}

/// Where an element's attributes come from: the raw text of a start tag (references still to
/// resolve), or values as they are (an event built from another shape).
#[derive(Clone, Copy)]
enum AttrSrc<'a> {
    Raw(&'a str),
    Plain(&'a [(&'a str, &'a str)]),
}

/// The pairs of an [`AttrSrc`].
enum AttrIter<'a> {
    Raw(Attrs<'a>),
    Plain(std::slice::Iter<'a, (&'a str, &'a str)>),
}

impl<'a> Iterator for AttrIter<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            AttrIter::Raw(a) => a.next(),
            AttrIter::Plain(p) => p.next().copied(),
        }
    }
}

impl<'a> AttrSrc<'a> {
    fn iter(self) -> AttrIter<'a> {
        match self {
            AttrSrc::Raw(r) => AttrIter::Raw(Attrs::new(r)),
            AttrSrc::Plain(p) => AttrIter::Plain(p.iter()),
        }
    }

    /// More attributes than the limit, in a start tag long enough to be worth counting.
    fn too_many(self, limit: usize) -> bool {
        match self {
            AttrSrc::Raw(r) => r.len() > 4096 && Attrs::new(r).count() > limit,
            AttrSrc::Plain(p) => {
                p.len() > limit
                    && p.iter()
                        .map(|(k, v)| {
                            let mut o = String::new();
                            escape_xml(&mut o, v, true);
                            k.len() + o.len() + 4
                        })
                        .sum::<usize>()
                        > 4096
            }
        }
    }

    /// Stores one value of these attributes.
    fn push(self, st: &mut State<'_>, value: &str, at: usize) -> Str {
        match self {
            AttrSrc::Raw(_) => push_attr(st, value, at),
            // As the XML of the value would come back: control characters are references,
            // which resolve to themselves except NUL.
            AttrSrc::Plain(_) if memchr::memchr(0, value.as_bytes()).is_some() => {
                let mut o = String::with_capacity(value.len() + 8);
                escape_xml(&mut o, value, true);
                push_attr(st, &o, at)
            }
            AttrSrc::Plain(_) => st.ev.push_str(value),
        }
    }
}

/// What builds an event element by element: the XML of a shape that is not XML is written
/// through this, either as text ([`EventParser::parse`](super::EventParser::parse) reads it
/// later) or straight into the event ([`Builder`]), with the same result.
pub(crate) trait Elements {
    /// `<name a="v"…>`; attribute values as they are (not escaped).
    fn start(&mut self, name: &str, attrs: &[(&str, &str)]);
    /// `<name a="v"…/>`.
    fn empty(&mut self, name: &str, attrs: &[(&str, &str)]);
    /// Text, as it is.
    fn text(&mut self, text: &str);
    /// `</name>`.
    fn end(&mut self, name: &str);
    /// Elements already written as XML, inside the current element.
    fn fragment(&mut self, xml: &str);
}

/// Writes a value as XML text (`quote`: in an attribute): markup escaped, and control
/// characters (a `\r` of a message included) as character references so that they come back as
/// they were.
pub(crate) fn escape_xml(o: &mut String, value: &str, quote: bool) {
    let bytes = value.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let replacement = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' if quote => "&quot;",
            b'\n' | b'\t' if !quote => continue,
            0..=0x1F => "",
            _ => continue,
        };
        // Runs between special bytes are whole characters: every special byte is ASCII.
        o.push_str(&value[run..i]);
        if replacement.is_empty() {
            o.push_str("&#");
            o.push_str(&b.to_string());
            o.push(';');
        } else {
            o.push_str(replacement);
        }
        run = i + 1;
    }
    o.push_str(&value[run..]);
}

/// An event built from elements given one by one ([`Elements`]), by the same steps as the XML
/// parser takes for the XML of those elements: the same event, the same repairs, without
/// writing and reading the XML.
pub(crate) struct Builder<'a> {
    st: State<'a>,
    error: Option<SpanProblem>,
    /// The root element is closed: what follows is ignored, as after `</Event>`.
    closed: bool,
}

impl<'a> Builder<'a> {
    pub(crate) fn new(capacity: usize, limits: &'a Limits, scratch: &'a mut Scratch) -> Self {
        Self {
            st: State::new(capacity, limits, scratch),
            error: None,
            closed: false,
        }
    }

    pub(crate) fn finish(self) -> Parsed {
        let mut st = self.st;
        let event = match self.error {
            Some(p) => Err(p),
            None if !self.closed => Err((0, ProblemKind::TruncatedEvent)),
            None => finish(st.ev, st.list_markers, &mut st.repairs),
        };
        Parsed {
            event,
            repairs: st.repairs,
        }
    }

    fn live(&self) -> bool {
        self.error.is_none() && !self.closed
    }

    /// The event so far, for a writer that sets its parts itself, in the order and the way
    /// these steps would (`ingest::plan`).
    pub(crate) fn event_mut(&mut self) -> &mut Event {
        &mut self.st.ev
    }

    pub(crate) fn limits(&self) -> &Limits {
        self.st.limits
    }

    /// The root element has closed.
    pub(crate) fn close_root(&mut self) {
        self.closed = true;
    }

    fn opened(&mut self, name: &str, attrs: &[(&str, &str)], empty: bool) {
        if self.live() {
            match self.st.start(name, name, AttrSrc::Plain(attrs), empty, 0) {
                Ok(closed) => self.closed = closed,
                Err(p) => self.error = Some(p),
            }
        }
    }
}

impl Elements for Builder<'_> {
    fn start(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.opened(name, attrs, false);
    }

    fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.opened(name, attrs, true);
    }

    fn text(&mut self, s: &str) {
        if !self.live() || s.is_empty() {
            return;
        }
        // Control characters are written as references, which come back as the character
        // itself, except NUL (XML has none): that one goes through the same resolution.
        let mut result = Ok(());
        let mut rest = s;
        while let Some(nul) = memchr::memchr(0, rest.as_bytes()) {
            result = result
                .and_then(|()| match &rest[..nul] {
                    "" => Ok(()),
                    part => text(&mut self.st, part, 0),
                })
                .and_then(|()| self.st.reference("#0", 0));
            rest = &rest[nul + 1..];
        }
        if !rest.is_empty() {
            result = result.and_then(|()| text(&mut self.st, rest, 0));
        }
        if let Err(p) = result {
            self.error = Some(p);
        }
    }

    fn end(&mut self, _name: &str) {
        if self.live() {
            self.closed = self.st.end();
        }
    }

    fn fragment(&mut self, xml: &str) {
        if self.live() {
            match feed(xml, &mut self.st, false) {
                Ok(closed) => self.closed = closed,
                Err(p) => self.error = Some(p),
            }
        }
    }
}

fn resolve(r: &BytesRef<'_>) -> Option<char> {
    if r.is_char_ref() {
        return r.resolve_char_ref().ok().flatten();
    }
    let name: &str = r;
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => return None,
    })
}

fn xml_problem(e: quick_xml::Error) -> ProblemKind {
    use quick_xml::errors::IllFormedError;
    match e {
        quick_xml::Error::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
            ProblemKind::MismatchedEndTag { expected, found }
        }
        other => ProblemKind::MalformedXml {
            reason: other.to_string(),
        },
    }
}

/// Whether a System child of this name has attributes that are System fields.
pub(crate) fn has_system_attrs(element: &str) -> bool {
    matches!(
        element,
        "EventID" | "Provider" | "TimeCreated" | "Correlation" | "Execution" | "Security"
    )
}

/// The System field an attribute of a System child holds.
pub(crate) fn system_attr(element: &str, attr: &str) -> Option<SysField> {
    Some(match (element, attr) {
        ("EventID", "Qualifiers") => SysField::Qualifiers,
        ("Provider", "Name") => SysField::ProviderName,
        ("Provider", "Guid") => SysField::ProviderGuid,
        ("Provider", "EventSourceName") => SysField::EventSourceName,
        ("TimeCreated", "SystemTime") => SysField::TimeCreated,
        ("Correlation", "ActivityID") => SysField::ActivityId,
        ("Correlation", "RelatedActivityID") => SysField::RelatedActivityId,
        ("Execution", "ProcessID") => SysField::ProcessId,
        ("Execution", "ThreadID") => SysField::ThreadId,
        ("Security", "UserID") => SysField::UserId,
        _ => return None,
    })
}

/// The System field a System child of this name holds as its text.
pub(crate) fn sys_field(name: &str) -> Option<SysField> {
    Some(match name {
        "EventID" => SysField::EventId,
        "Version" => SysField::Version,
        "Level" => SysField::Level,
        "Task" => SysField::Task,
        "Opcode" => SysField::Opcode,
        "Keywords" => SysField::Keywords,
        "EventRecordID" => SysField::EventRecordId,
        "Channel" => SysField::Channel,
        "Computer" => SysField::Computer,
        _ => return None,
    })
}

/// Decides what an opening element is, reads the attributes it needs, and returns its frame.
fn open(
    st: &mut State<'_>,
    full_name: &str,
    name: &str,
    attrs: AttrSrc<'_>,
    at: usize,
) -> Result<Frame, SpanProblem> {
    let parent = match st.stack.last() {
        Some(&f) => f,
        None => return Ok(Frame::Root),
    };
    if full_name == "Event" {
        return Err((at, ProblemKind::UnclosedEvent));
    }
    if attrs.too_many(st.limits.max_attributes) {
        return Err((
            at,
            ProblemKind::TooManyAttributes {
                limit: st.limits.max_attributes,
            },
        ));
    }
    Ok(match parent {
        Frame::Root => match name {
            "System" => Frame::System,
            "EventData" => {
                st.ev.body = BodyKind::EventData;
                Frame::EventData
            }
            "UserData" => {
                st.ev.body = BodyKind::UserData;
                Frame::Body
            }
            "BinaryEventData" | "ProcessingErrorData" | "DebugData" => {
                st.ev.body = BodyKind::Other;
                st.ev.body_root = st.ev.push_str(name);
                Frame::Tree {
                    path: st.ev.body_root,
                    text: Str::default(),
                    had_child: false,
                }
            }
            "RenderingInfo" => {
                for (k, v) in attrs.iter() {
                    if k == "Culture" {
                        st.ev.culture = attrs.push(st, v, at);
                    }
                }
                Frame::Rendering
            }
            _ => Frame::Ignored,
        },
        Frame::System => {
            if has_system_attrs(name) {
                for (k, v) in attrs.iter() {
                    if let Some(f) = system_attr(name, k) {
                        st.ev.sys[f as usize] = attrs.push(st, v, at);
                    }
                }
            }
            sys_field(name).map_or(Frame::Ignored, Frame::SysText)
        }
        Frame::EventData => {
            let field_name = match name {
                "Data" => {
                    let mut n = Str::default();
                    for (k, v) in attrs.iter() {
                        if k == "Name" {
                            n = attrs.push(st, v, at);
                        }
                    }
                    n
                }
                "Binary" => st.ev.push_str("Binary"),
                _ => return Ok(Frame::Ignored),
            };
            st.ev.fields.push((field_name, Str::default()));
            Frame::Leaf {
                idx: st.ev.fields.len() - 1,
            }
        }
        Frame::Body => {
            st.ev.body_root = st.ev.push_str(name);
            Frame::Tree {
                path: Str::default(),
                text: Str::default(),
                had_child: false,
            }
        }
        Frame::Tree { path, .. } => {
            if let Some(Frame::Tree { had_child, .. }) = st.stack.last_mut() {
                *had_child = true;
            }
            let path = if path.is_empty() {
                st.ev.push_str(name)
            } else {
                let joined = format!("{}/{}", st.ev.str(path), name);
                st.ev.push_str(&joined)
            };
            Frame::Tree {
                path,
                text: Str::default(),
                had_child: false,
            }
        }
        Frame::Rendering => match name {
            "Keywords" => Frame::RenderContainer,
            _ => render_leaf(st, name),
        },
        Frame::RenderContainer => render_leaf(st, name),
        Frame::SysText(_) | Frame::Leaf { .. } | Frame::RenderText { .. } | Frame::Ignored => {
            Frame::Ignored
        }
    })
}

fn render_leaf(st: &mut State<'_>, name: &str) -> Frame {
    let n = st.ev.push_str(name);
    st.ev.rendering.push((n, Str::default()));
    Frame::RenderText {
        idx: st.ev.rendering.len() - 1,
    }
}

/// Stores an attribute value, resolving references.
fn push_attr(st: &mut State<'_>, raw: &str, at: usize) -> Str {
    if !raw.contains('&') {
        return st.ev.push_str(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest[1..]
            .find(|c: char| c == ';' || c == '&' || c.is_whitespace())
            .map(|j| j + 1);
        match end.filter(|&j| rest.as_bytes()[j] == b';') {
            Some(j) => {
                let name = &rest[1..j];
                match resolve(&BytesRef::new(name)) {
                    Some(c) => out.push(c),
                    None => {
                        st.repairs.push((
                            at,
                            ProblemKind::UndefinedEntity {
                                name: name.chars().take(64).collect(),
                            },
                        ));
                        st.ev.repaired = true;
                        out.push_str(&rest[..=j]);
                    }
                }
                rest = &rest[j + 1..];
            }
            None => {
                st.repairs.push((at, ProblemKind::LoneAmpersand));
                st.ev.repaired = true;
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    st.ev.push_str(&out)
}

/// Appends text to the value the innermost element collects, if it collects one.
fn text(st: &mut State<'_>, s: &str, at: usize) -> Result<(), SpanProblem> {
    let limit = st.limits.max_value_bytes;
    let target: &mut Str = match st.stack.last_mut() {
        Some(Frame::SysText(f)) => &mut st.ev.sys[*f as usize],
        Some(Frame::Leaf { idx }) => &mut st.ev.fields[*idx].1,
        Some(Frame::RenderText { idx }) => &mut st.ev.rendering[*idx].1,
        Some(Frame::Tree {
            text,
            had_child: false,
            ..
        }) => text,
        Some(Frame::Tree { .. } | Frame::Ignored) | None => return Ok(()),
        Some(Frame::Root | Frame::System | Frame::EventData | Frame::Body)
        | Some(Frame::Rendering | Frame::RenderContainer) => {
            let t = s.trim();
            if t == "-" {
                st.list_markers = true;
            }
            return Ok(());
        }
    };
    let cur = *target;
    if cur.len as usize + s.len() > limit {
        return Err((at, ProblemKind::ValueTooLarge { limit }));
    }
    // Values are appended at the end of the text; a value interrupted by another string
    // (never the case for leaves) is copied forward.
    let joined = st.ev.append(cur, s);
    match st.stack.last_mut() {
        Some(Frame::SysText(f)) => st.ev.sys[*f as usize] = joined,
        Some(Frame::Leaf { idx }) => st.ev.fields[*idx].1 = joined,
        Some(Frame::RenderText { idx }) => st.ev.rendering[*idx].1 = joined,
        Some(Frame::Tree { text, .. }) => *text = joined,
        _ => {}
    }
    Ok(())
}

/// Ends an element: a UserData leaf becomes a field.
fn close(st: &mut State<'_>, frame: Frame) {
    if let Frame::Tree {
        path,
        text,
        had_child,
    } = frame
    {
        if !had_child && !path.is_empty() {
            st.ev.fields.push((path, text));
        }
    }
}

/// Parses the System values and applies documentation repairs.
fn finish(
    mut ev: Event,
    list_markers: bool,
    repairs: &mut Vec<SpanProblem>,
) -> Result<Event, SpanProblem> {
    if list_markers {
        ev = unescape_markdown(ev);
        ev.repaired = true;
        repairs.push((0, ProblemKind::DocumentationMarkup));
    }
    let id = value::trim(ev.system(SysField::EventId));
    ev.event_id = match id.parse::<u32>() {
        Ok(v) if !id.is_empty() => v,
        _ => return Err((0, ProblemKind::MissingEventId)),
    };
    ev.record_id = parse_number(ev.system(SysField::EventRecordId));
    ev.keywords = parse_number(ev.system(SysField::Keywords));
    let raw = value::trim(ev.system(SysField::TimeCreated));
    let time = parse_time(raw);
    if time.is_none() && !raw.is_empty() {
        let value = raw.to_string();
        repairs.push((0, ProblemKind::BadTime { value }));
    }
    ev.time = time.map(super::event::Timestamp);
    Ok(ev)
}

/// Removes markdown backslash escapes (`ECDH\_P521`, `C:\\Users`) from every value.
fn unescape_markdown(ev: Event) -> Event {
    let mut out = Event {
        text: String::with_capacity(ev.text.len()),
        fields: Vec::with_capacity(ev.fields.len()),
        rendering: Vec::with_capacity(ev.rendering.len()),
        ..ev.clone()
    };
    let mut copy = |s: Str| -> Str {
        let v = ev.str(s);
        if !v.contains('\\') {
            return out.push_str(v);
        }
        let mut u = String::with_capacity(v.len());
        let mut chars = v.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, chars.peek()) {
                ('\\', Some(&n)) if n.is_ascii_punctuation() => {
                    u.push(n);
                    chars.next();
                }
                _ => u.push(c),
            }
        }
        out.push_str(&u)
    };
    let sys = ev.sys.map(&mut copy);
    let fields: Vec<_> = ev.fields.iter().map(|&(n, v)| (copy(n), copy(v))).collect();
    let rendering: Vec<_> = ev
        .rendering
        .iter()
        .map(|&(n, v)| (copy(n), copy(v)))
        .collect();
    let (body_root, culture) = (copy(ev.body_root), copy(ev.culture));
    out.sys = sys;
    out.fields = fields;
    out.rendering = rendering;
    out.body_root = body_root;
    out.culture = culture;
    out
}

/// Iterates `name="value"` / `name='value'` pairs of a start tag's raw attribute text, giving
/// local names and raw (still escaped) values. Stops at the first malformed pair.
pub(crate) struct Attrs<'a> {
    rest: &'a str,
}

impl<'a> Attrs<'a> {
    pub(crate) fn new(raw: &'a str) -> Self {
        Self { rest: raw }
    }
}

impl<'a> Iterator for Attrs<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let s = self.rest;
        let bytes = s.as_bytes();
        let eq = memchr::memchr(b'=', bytes)?;
        let mut name_start = 0;
        while name_start < eq && bytes[name_start].is_ascii_whitespace() {
            name_start += 1;
        }
        let mut name_end = eq;
        while name_end > name_start && bytes[name_end - 1].is_ascii_whitespace() {
            name_end -= 1;
        }
        let mut q = eq + 1;
        while q < bytes.len() && bytes[q].is_ascii_whitespace() {
            q += 1;
        }
        let quote = match bytes.get(q) {
            Some(&c @ (b'"' | b'\'')) => c,
            _ => {
                self.rest = "";
                return None;
            }
        };
        let Some(len) = memchr::memchr(quote, &bytes[q + 1..]) else {
            self.rest = "";
            return None;
        };
        let close = q + 1 + len;
        // All split points are ASCII, so they are character boundaries.
        let name = s.get(name_start..name_end)?;
        let value = s.get(q + 1..close)?;
        self.rest = s.get(close + 1..).unwrap_or("");
        let local = match memchr::memrchr(b':', name.as_bytes()) {
            Some(i) => name.get(i + 1..).unwrap_or(name),
            None => name,
        };
        Some((local, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Parsed {
        parse_event(s, &Limits::default(), &mut Scratch::default())
    }

    #[test]
    fn attributes_in_both_quote_styles_with_prefixes() {
        let got: Vec<_> = Attrs::new(r#" Name='a "b"' x:Guid = "{1}" bad"#).collect();
        assert_eq!(got, [("Name", r#"a "b""#), ("Guid", "{1}")]);
    }

    #[test]
    fn named_and_unnamed_data_keep_document_order() {
        let p = parse(
            "<Event><System><EventID Qualifiers='16384'>7036</EventID></System>\
             <EventData><Data>first</Data><Data Name='b'>x &amp; y</Data><Binary>0A0B</Binary></EventData></Event>",
        );
        let ev = p.event.unwrap();
        let fields: Vec<_> = ev.fields().map(|f| (f.name, f.value)).collect();
        assert_eq!(fields, [("", "first"), ("b", "x & y"), ("Binary", "0A0B")]);
        assert_eq!(ev.system(SysField::Qualifiers), "16384");
        assert!(!ev.repaired);
    }

    #[test]
    fn user_data_leaves_become_fields_with_paths() {
        let p = parse(
            "<Event><System><EventID>1102</EventID></System><UserData>\
             <LogFileCleared xmlns='http://manifests.microsoft.com/win/2004/08/windows/eventlog'>\
             <SubjectUserSid>S-1-5-18</SubjectUserSid><Inner><Leaf>v</Leaf></Inner><Empty/>\
             </LogFileCleared></UserData></Event>",
        );
        let ev = p.event.unwrap();
        assert_eq!(ev.body_root(), "LogFileCleared");
        let fields: Vec<_> = ev.fields().map(|f| (f.name, f.value)).collect();
        assert_eq!(
            fields,
            [
                ("SubjectUserSid", "S-1-5-18"),
                ("Inner/Leaf", "v"),
                ("Empty", "")
            ]
        );
    }

    #[test]
    fn lone_ampersand_and_unknown_entity_are_kept_and_reported() {
        let p = parse(
            "<Event><System><EventID>1</EventID></System><EventData>\
             <Data Name='k'>R&D</Data><Data Name='e'>&lol9;</Data></EventData></Event>",
        );
        let ev = p.event.unwrap();
        assert_eq!(ev.data("k"), Some("R&D"));
        assert_eq!(ev.data("e"), Some("&lol9;"));
        let codes: Vec<_> = p.repairs.iter().map(|r| r.1.code()).collect();
        assert_eq!(codes, ["lone_ampersand", "undefined_entity"]);
    }

    #[test]
    fn depth_and_value_limits_are_problems() {
        let limits = Limits {
            max_depth: 8,
            max_value_bytes: 10,
            ..Limits::default()
        };
        let deep = format!(
            "<Event><UserData>{}{}</UserData></Event>",
            "<a>".repeat(20),
            "</a>".repeat(20)
        );
        let p = parse_event(&deep, &limits, &mut Scratch::default());
        assert!(matches!(
            p.event,
            Err((_, ProblemKind::TooDeep { limit: 8 }))
        ));
        let big = "<Event><System><EventID>1</EventID></System><EventData><Data>12345678901</Data></EventData></Event>";
        let p = parse_event(big, &limits, &mut Scratch::default());
        assert!(matches!(
            p.event,
            Err((_, ProblemKind::ValueTooLarge { limit: 10 }))
        ));
    }

    #[test]
    fn mismatched_end_tag_names_both_tags() {
        let p = parse("<Event><System><EventID>1</EventId></System></Event>");
        match p.event {
            Err((at, ProblemKind::MismatchedEndTag { expected, found })) => {
                assert_eq!((expected.as_str(), found.as_str()), ("EventID", "EventId"));
                assert!(at > 20, "{at}");
            }
            other => panic!("{:?}", other.map(|e| e.event_id())),
        }
    }

    #[test]
    fn an_event_built_in_a_given_back_one_keeps_nothing_of_it() {
        // Every part an event can have: System fields, a UserData body with its root, and the
        // rendered message and culture.
        let full = "<Event><System><EventID>1102</EventID><TimeCreated SystemTime='2026-01-02T03:04:05.1234567Z'/>\
             <EventRecordID>7</EventRecordID><Keywords>0x8020000000000000</Keywords><Computer>DC01</Computer></System>\
             <UserData><LogFileCleared><SubjectUserSid>S-1-5-18</SubjectUserSid></LogFileCleared></UserData>\
             <RenderingInfo Culture='en-US'><Message>The audit log was cleared.</Message></RenderingInfo></Event>";
        let small = "<Event><System><EventID>5059</EventID></System>\
             <EventData><Data Name='KeyName'>k</Data></EventData></Event>";
        let (limits, mut scratch) = (Limits::default(), Scratch::default());
        let first = parse_event(full, &limits, &mut scratch).event.unwrap();
        assert_eq!(first.body_root(), "LogFileCleared");
        assert!(first.keywords.is_some() && first.record_id.is_some() && first.time.is_some());
        scratch.recycle(first);
        let reused = parse_event(small, &limits, &mut scratch).event.unwrap();
        assert!(scratch.spare.is_empty(), "the given-back event was used");
        let fresh = parse(small).event.unwrap();
        assert_eq!(reused, fresh);
        assert_eq!(reused.system(SysField::Computer), "");
        assert_eq!(reused.body_root(), "");
        assert_eq!(reused.fields().count(), 1);
    }

    #[test]
    fn given_back_events_are_kept_within_their_allowance() {
        let mut scratch = Scratch::default();
        let big = || Event {
            text: String::with_capacity(SPARE_BYTES / 2 + 1),
            ..Event::default()
        };
        scratch.recycle(big());
        scratch.recycle(big());
        assert_eq!(scratch.spare.len(), 1, "a second would pass the allowance");
        let _ = scratch.event(10);
        assert_eq!((scratch.spare.len(), scratch.spare_bytes), (0, 0));
    }
}
