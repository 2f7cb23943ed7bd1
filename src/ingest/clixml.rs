//! PowerShell's `Export-Clixml` of `Get-WinEvent` output, read one record at a time: an `<Objs>`
//! root (UTF-16 LE with a BOM from Windows PowerShell 5.1, UTF-8 from PowerShell 7) whose
//! `<Obj>` children are `EventLogRecord`s. Each top-level `<Obj>` is found by its tags, parsed on
//! its own ([`record`]) and turned into event XML: the typed properties (`<I32 N="Id">`,
//! `<DT N="TimeCreated">` in local time with its offset, `<I64 N="Keywords">` signed), and the
//! positional values of `Properties`, named by the event's template. Text escapes of CliXml
//! (`_x000D__x000A_`) are decoded. Objects that are not event records are counted and said once.

use super::emit::{Emitter, Tally};
use super::shape::{Doc, PsKind, PsRecord, PsValue, Rec};
use super::text::TextStream;
use crate::decoder::{Item, Limits, Position, ProblemKind, Severity, Stats};
use quick_xml::events::Event as XmlEvent;
use std::collections::HashMap;

/// Reads one Export-Clixml input fed in pieces of any size; see the [module documentation](self).
pub struct ClixmlReader {
    text: TextStream,
    scan: usize,
    /// `<Obj>` nesting.
    depth: usize,
    /// The top-level `<Obj>` being read: where it starts, and its place.
    open: Option<(usize, Position)>,
    /// A tag whose `<` is read and whose `>` is not yet.
    pending: Option<Tag>,
    skipping: bool,
    emitter: Emitter,
    others: Tally,
}

impl Default for ClixmlReader {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for ClixmlReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClixmlReader")
            .field("stats", &self.emitter.stats)
            .finish_non_exhaustive()
    }
}

impl ClixmlReader {
    /// A reader at the start of an input.
    pub fn new() -> Self {
        Self {
            text: TextStream::new(),
            scan: 0,
            depth: 0,
            open: None,
            pending: None,
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
        self.run(out);
    }

    /// Gives back an event this reader emitted, once read: see
    /// [`EventParser::recycle`](crate::decoder::EventParser::recycle).
    pub(crate) fn recycle(&mut self, event: crate::decoder::Event) {
        self.emitter.recycle(event);
    }

    /// Ends the input: a record cut short is reported, and the objects that are no event.
    pub fn finish(&mut self, out: &mut Vec<Item>) {
        self.text.finish();
        self.run(out);
        if let Some((_, at)) = self.open.take() {
            self.emitter
                .bad_document(out, at, ProblemKind::TruncatedEvent);
        }
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
                    looks_like: crate::decoder::InputKind::EmptyEventLog,
                },
            );
        }
    }

    fn run(&mut self, out: &mut Vec<Item>) {
        loop {
            let (tag, from) = match self.pending {
                Some(tag) => (tag, self.scan),
                None => {
                    let buf = &self.text.buf;
                    let Some(rel) = memchr::memchr(b'<', &buf[self.scan..]) else {
                        self.scan = buf.len();
                        self.check_size(self.scan, out);
                        break;
                    };
                    let lt = self.scan + rel;
                    // `<Obj` and its delimiter, or `</Obj>`: six bytes tell which tag it is.
                    let Some(head) = buf.get(lt..lt + 6) else {
                        self.scan = lt;
                        break;
                    };
                    let tag = if head == b"</Obj>" {
                        Tag::ObjClose
                    } else if head.starts_with(b"<Obj")
                        && matches!(head[4], b' ' | b'>' | b'/' | b'\t' | b'\r' | b'\n')
                    {
                        Tag::ObjOpen
                    } else {
                        Tag::Other
                    };
                    if tag == Tag::ObjOpen && self.depth == 0 {
                        let at = self.text.locate(lt);
                        self.open = Some((lt, at));
                    }
                    (tag, lt + 1)
                }
            };
            let buf = &self.text.buf;
            let Some(len) = memchr::memchr(b'>', &buf[from..]) else {
                // The tag goes on in the next piece: its kind is known, and of its text only the
                // last byte is kept (a `/` before the `>`), however long it grows.
                self.pending = Some(tag);
                self.scan = buf.len().saturating_sub(1).max(from);
                self.check_size(buf.len(), out);
                break;
            };
            let gt = from + len;
            let self_closing = buf[gt - 1] == b'/';
            self.pending = None;
            self.scan = gt + 1;
            match tag {
                Tag::ObjOpen if !self_closing => self.depth += 1,
                Tag::ObjOpen if self.depth == 0 => self.open = None,
                Tag::ObjClose => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 0 {
                        if let Some((start, at)) = self.open.take() {
                            if !std::mem::take(&mut self.skipping) {
                                self.record(start, gt + 1, at, out);
                            }
                        }
                    }
                }
                _ => {}
            }
            self.check_size(self.scan, out);
        }
        let keep = match self.open {
            Some((start, _)) if !self.skipping => start,
            _ => self.scan,
        };
        let dropped = self.text.consume(keep);
        self.scan -= dropped;
        if let Some((start, _)) = &mut self.open {
            *start = start.saturating_sub(dropped);
        }
    }

    /// Skips the open object, said once, when it has grown past the limit by `end`: its text is
    /// then no longer kept.
    fn check_size(&mut self, end: usize, out: &mut Vec<Item>) {
        if let Some((start, at)) = self.open {
            if !self.skipping && end - start > self.emitter.limit {
                self.skipping = true;
                self.emitter.too_large(out, at);
            }
        }
    }

    fn record(&mut self, start: usize, end: usize, at: Position, out: &mut Vec<Item>) {
        // An object read whole in one piece is held to the limit as one that grows piece by piece.
        if end - start > self.emitter.limit {
            return self.emitter.too_large(out, at);
        }
        let (text, repaired) = self.text.document(start..end);
        let parsed = record(&text);
        let end_at = self.text.locate(end);
        let range = (at.byte, end_at.byte);
        match parsed {
            Ok(Doc::Event(rec) | Doc::Lost(rec)) => {
                self.emitter.record(&rec, at, range, repaired, out)
            }
            Ok(Doc::Skip | Doc::Other) => self.others.add(at),
            Err(kind) => self.emitter.bad_document(out, at, kind),
        }
    }
}

/// What a tag is, as far as finding the top-level objects goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tag {
    ObjOpen,
    ObjClose,
    Other,
}

/// One element of a CliXml object, as a small tree.
#[derive(Debug, Default)]
struct Node {
    tag: String,
    name: Option<String>,
    ref_id: Option<String>,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn child(&self, tag: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.tag == tag)
    }
}

fn malformed(reason: impl Into<String>) -> ProblemKind {
    ProblemKind::MalformedXml {
        reason: reason.into(),
    }
}

/// Parses one top-level `<Obj>…</Obj>` into a tree, no deeper than the XML path's limit.
fn tree(text: &str) -> Result<Node, ProblemKind> {
    let limit = Limits::default().max_depth;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Node> = vec![Node::default()];
    loop {
        let event = reader.read_event().map_err(|e| malformed(e.to_string()))?;
        match event {
            XmlEvent::Start(_) | XmlEvent::Empty(_) if stack.len() > limit => {
                return Err(ProblemKind::TooDeep { limit });
            }
            XmlEvent::Start(ref e) | XmlEvent::Empty(ref e) => {
                let mut node = Node {
                    tag: e.local_name().as_ref().to_string(),
                    ..Node::default()
                };
                for a in e.attributes().flatten() {
                    let value = a
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map(|v| v.into_owned())
                        .unwrap_or_default();
                    match a.key.local_name().as_ref() {
                        "N" => node.name = Some(decode_escapes(&value)),
                        "RefId" => node.ref_id = Some(value),
                        _ => {}
                    }
                }
                if matches!(event, XmlEvent::Start(_)) {
                    stack.push(node);
                } else if let Some(parent) = stack.last_mut() {
                    parent.children.push(node);
                }
            }
            XmlEvent::End(_) => {
                let node = stack
                    .pop()
                    .ok_or_else(|| malformed("an end tag closes nothing"))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => return Err(malformed("an end tag closes nothing")),
                }
            }
            XmlEvent::Text(t) => {
                if let Some(node) = stack.last_mut() {
                    node.text.push_str(&t.xml10_content());
                }
            }
            XmlEvent::GeneralRef(r) => {
                if let Some(node) = stack.last_mut() {
                    let name = r.as_ref().to_string();
                    node.text.push_str(&resolve_entity(&name));
                }
            }
            XmlEvent::CData(t) => {
                if let Some(node) = stack.last_mut() {
                    node.text.push_str(&t.xml10_content());
                }
            }
            XmlEvent::Eof => break,
            _ => {}
        }
    }
    let mut root = stack.pop().unwrap_or_default();
    if !stack.is_empty() {
        return Err(malformed("the object is not closed"));
    }
    root.children
        .pop()
        .filter(|n| n.tag == "Obj")
        .ok_or_else(|| malformed("no `<Obj>` element"))
}

/// `lt`, `#13`, `#x0D`… as their character.
fn resolve_entity(name: &str) -> String {
    let code = |digits: &str, radix| u32::from_str_radix(digits, radix).ok();
    let c = match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => name
            .strip_prefix("#x")
            .and_then(|h| code(h, 16))
            .or_else(|| name.strip_prefix('#').and_then(|d| code(d, 10)))
            .and_then(char::from_u32),
    };
    c.map_or_else(|| format!("&{name};"), String::from)
}

/// CliXml's escapes of characters XML cannot carry: `_x000D__x000A_` is `\r\n`.
pub(crate) fn decode_escapes(s: &str) -> String {
    if !s.contains("_x") {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut high: Option<u16> = None;
    while let Some(i) = rest.find("_x") {
        let candidate = rest.get(i + 2..i + 7);
        let unit = candidate
            .filter(|c| c.ends_with('_'))
            .and_then(|c| u16::from_str_radix(&c[..4], 16).ok());
        match unit {
            Some(u) => {
                out.push_str(&rest[..i]);
                match (high.take(), u) {
                    (None, 0xD800..=0xDBFF) => high = Some(u),
                    (Some(h), 0xDC00..=0xDFFF) => {
                        let c = 0x10000 + ((u32::from(h) - 0xD800) << 10) + (u32::from(u) - 0xDC00);
                        out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                    }
                    (h, u) => {
                        if h.is_some() {
                            out.push('\u{FFFD}');
                        }
                        out.push(char::from_u32(u32::from(u)).unwrap_or('\u{FFFD}'));
                    }
                }
                rest = &rest[i + 7..];
            }
            None => {
                out.push_str(&rest[..i + 2]);
                rest = &rest[i + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The objects of one record seen so far, by `RefId`, and how much text their values may still
/// take: a `<Ref>` copies the value it names, so references to lists of references could double
/// a value at each step (CliXml's billion laughs). Each value is held to the XML path's limit on
/// one value, and all the copies of a record to its limit on one event.
struct Refs {
    by_id: HashMap<String, PsValue>,
    budget: usize,
}

impl Refs {
    fn new() -> Self {
        Self {
            by_id: HashMap::new(),
            budget: Limits::default().max_event_bytes,
        }
    }

    /// Counts `text`, made of copies, against the limits.
    fn charge(&mut self, text: &str) -> Result<(), ProblemKind> {
        let limits = Limits::default();
        if text.len() > limits.max_value_bytes {
            return Err(ProblemKind::ValueTooLarge {
                limit: limits.max_value_bytes,
            });
        }
        self.budget = self
            .budget
            .checked_sub(text.len())
            .ok_or(ProblemKind::EventTooLarge {
                limit: limits.max_event_bytes,
            })?;
        Ok(())
    }
}

/// What a CliXml value element holds (`refs`: the objects seen so far).
fn value(node: &Node, refs: &mut Refs) -> Result<PsValue, ProblemKind> {
    let kind = match node.tag.as_str() {
        "Nil" => return Ok(PsValue::new(PsKind::Null, "")),
        "I32" | "I64" | "U32" | "U64" | "I16" | "U16" | "By" | "SB" => PsKind::Int,
        "B" => PsKind::Bool,
        "DT" => PsKind::Time,
        "G" => PsKind::Guid,
        "Ref" => {
            // A RefId no object before it has (itself included): no value.
            let Some(v) = node.ref_id.as_ref().and_then(|id| refs.by_id.get(id)) else {
                return Ok(PsValue::new(PsKind::Null, ""));
            };
            let v = v.clone();
            refs.charge(&v.text)?;
            return Ok(v);
        }
        "Obj" => {
            // A SecurityIdentifier and its kin: their text is their `ToString`; a list, its items.
            if let Some(s) = node.child("ToString") {
                return Ok(PsValue::new(PsKind::Str, decode_escapes(&s.text)));
            }
            if let Some(list) = node.child("LST").or_else(|| node.child("IE")) {
                let mut items = String::new();
                for (i, c) in list.children.iter().enumerate() {
                    if i > 0 {
                        items.push_str(", ");
                    }
                    items.push_str(&value(c, refs)?.text);
                    if items.len() > Limits::default().max_value_bytes {
                        break;
                    }
                }
                refs.charge(&items)?;
                return Ok(PsValue::new(PsKind::Str, items));
            }
            return Ok(PsValue::new(PsKind::Null, ""));
        }
        _ => PsKind::Str,
    };
    let text = if kind == PsKind::Str {
        decode_escapes(&node.text)
    } else {
        node.text.trim().to_string()
    };
    Ok(PsValue::new(kind, text))
}

/// Collects the `RefId`s of the objects in `node`, with their values.
fn collect_refs(node: &Node, refs: &mut Refs) -> Result<(), ProblemKind> {
    for child in &node.children {
        collect_refs(child, refs)?;
    }
    if node.tag == "Obj" {
        if let Some(id) = &node.ref_id {
            let v = value(node, refs)?;
            refs.by_id.insert(id.clone(), v);
        }
    }
    Ok(())
}

/// One top-level `<Obj>` of an Export-Clixml file: an event record as its XML, or something
/// else.
pub(crate) fn record(text: &str) -> Result<Doc<'static>, ProblemKind> {
    let obj = tree(text)?;
    let mut refs = Refs::new();
    collect_refs(&obj, &mut refs)?;
    let mut r = PsRecord::default();
    let members = obj
        .children
        .iter()
        .filter(|c| c.tag == "Props" || c.tag == "MS")
        .flat_map(|c| c.children.iter());
    for member in members {
        let Some(name) = member.name.clone() else {
            continue;
        };
        if name == "Properties" {
            let list = member.child("LST").or_else(|| member.child("IE"));
            for item in list.map(|l| l.children.as_slice()).unwrap_or(&[]) {
                let prop = if item.tag == "Ref" {
                    PsValue::new(PsKind::Null, "")
                } else {
                    item.children
                        .iter()
                        .filter(|c| c.tag == "Props" || c.tag == "MS")
                        .flat_map(|c| c.children.iter())
                        .find(|c| c.name.as_deref() == Some("Value"))
                        .map_or_else(
                            || Ok(PsValue::new(PsKind::Null, "")),
                            |v| value(v, &mut refs),
                        )?
                };
                r.properties.push(prop);
            }
            continue;
        }
        let v = value(member, &mut refs)?;
        if name == "TimeCreated" {
            r.local_time = v.text.clone();
        }
        r.props.push((name, v));
    }
    let has = |n: &str| r.props.iter().any(|(k, _)| k == n);
    if !(has("Id") && has("ProviderName")) {
        return Ok(Doc::Other);
    }
    Ok(Doc::Event(Rec::Fields(r.event())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(record: u32) -> String {
        format!(
            "<Obj><Props><I32 N=\"Id\">4624</I32><I64 N=\"RecordId\">{record}</I64>\
             <S N=\"ProviderName\">Microsoft-Windows-Security-Auditing</S>\
             <DT N=\"TimeCreated\">2024-03-04T10:15:22.4421007+01:00</DT></Props></Obj>\n"
        )
    }

    /// Reads `input` in pieces of `size`: the items, and the most text held at once.
    fn read(input: &[u8], size: usize) -> (Vec<Item>, usize) {
        let mut reader = ClixmlReader::new();
        let mut out = Vec::new();
        let mut held = 0;
        for piece in input.chunks(size) {
            reader.push(piece, &mut out);
            held = held.max(reader.text.buf.len());
        }
        reader.finish(&mut out);
        (out, held)
    }

    /// A 50 MB string, and a 50 MB tag never closed, fed in 64 KiB pieces: the text held never
    /// grows much past the 16 MiB limit (it had held the whole string until its end tag), the
    /// object is said once, and the next one is read.
    #[test]
    fn fifty_megabytes_without_a_tag_are_not_held() {
        for filler in [&b"<S N=\"Message\">"[..], b"<S N=\"Message"] {
            let mut input = format!("<Objs>\n{}<Obj><Props>", event(1)).into_bytes();
            input.extend_from_slice(filler);
            input.resize(input.len() + (50 << 20), b'a');
            input.extend_from_slice(
                format!("\">x</S></Props></Obj>\n{}</Objs>", event(2)).as_bytes(),
            );
            let (items, held) = read(&input, 64 << 10);
            assert!(held < (16 << 20) + (2 << 20), "{held} bytes held");
            let (events, problems) = crate::decoder::split_items(items);
            let records: Vec<_> = events.iter().map(|e| e.record_id()).collect();
            assert_eq!(records, [Some(1), Some(2)]);
            let kinds: Vec<_> = problems
                .iter()
                .map(|p| (&p.kind, p.position.line))
                .collect();
            assert_eq!(
                kinds,
                [(&ProblemKind::EventTooLarge { limit: 16 << 20 }, 3)]
            );
        }
    }

    /// References that double a value at each step stop at the value limit, in time.
    #[test]
    fn references_cannot_multiply_a_value() {
        let mut obj = String::from("<Obj><Props><I32 N=\"Id\">1</I32><S N=\"ProviderName\">p</S>");
        obj.push_str("<Obj N=\"L0\" RefId=\"0\"><LST><S>ha</S></LST></Obj>");
        for i in 1..64 {
            obj.push_str(&format!(
                "<Obj N=\"L{i}\" RefId=\"{i}\"><LST><Ref RefId=\"{0}\" /><Ref RefId=\"{0}\" /></LST></Obj>",
                i - 1
            ));
        }
        obj.push_str("</Props></Obj>");
        let limit = Limits::default().max_value_bytes;
        assert_eq!(
            record(&obj).err(),
            Some(ProblemKind::ValueTooLarge { limit })
        );
        // Many references to one large value: held to the event's limit in all.
        let mut obj = String::from("<Obj><Props><I32 N=\"Id\">1</I32><S N=\"ProviderName\">p</S>");
        obj.push_str(&format!(
            "<Obj RefId=\"x\"><ToString>{}</ToString></Obj>",
            "a".repeat(limit - 8)
        ));
        for i in 0..100 {
            obj.push_str(&format!("<Ref N=\"r{i}\" RefId=\"x\" />"));
        }
        obj.push_str("</Props></Obj>");
        assert_eq!(
            record(&obj).err(),
            Some(ProblemKind::EventTooLarge {
                limit: Limits::default().max_event_bytes
            })
        );
    }
}
