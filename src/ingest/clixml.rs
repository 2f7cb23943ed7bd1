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

/// Reads one Export-Clixml input fed in pieces of any size; see the [module documentation](self).
pub struct ClixmlReader {
    text: TextStream,
    limit: usize,
    scan: usize,
    /// `<Obj>` nesting.
    depth: usize,
    /// The top-level `<Obj>` being read: where it starts, and its place.
    open: Option<(usize, Position)>,
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
            limit: Limits::default().max_event_bytes,
            scan: 0,
            depth: 0,
            open: None,
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
            let buf = &self.text.buf;
            let Some(rel) = memchr::memchr(b'<', &buf[self.scan..]) else {
                self.scan = buf.len();
                break;
            };
            let lt = self.scan + rel;
            let Some(len) = memchr::memchr(b'>', &buf[lt..]) else {
                self.scan = lt;
                break;
            };
            let gt = lt + len;
            let tag = &buf[lt..=gt];
            self.scan = gt + 1;
            let obj_open = tag.starts_with(b"<Obj")
                && matches!(tag.get(4), Some(b' ' | b'>' | b'/' | b'\t' | b'\r' | b'\n'));
            if obj_open && !tag.ends_with(b"/>") {
                if self.depth == 0 {
                    let at = self.text.locate(lt);
                    self.open = Some((lt, at));
                }
                self.depth += 1;
            } else if tag.starts_with(b"</Obj>") {
                self.depth = self.depth.saturating_sub(1);
                if self.depth == 0 {
                    if let Some((start, at)) = self.open.take() {
                        if !std::mem::take(&mut self.skipping) {
                            self.record(start, gt + 1, at, out);
                        }
                    }
                }
            }
            if let Some((start, at)) = self.open {
                if !self.skipping && self.scan - start > self.limit {
                    self.skipping = true;
                    self.emitter.bad_document(
                        out,
                        at,
                        ProblemKind::EventTooLarge { limit: self.limit },
                    );
                }
            }
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

    fn record(&mut self, start: usize, end: usize, at: Position, out: &mut Vec<Item>) {
        let bytes = &self.text.buf[start..end];
        let text = String::from_utf8_lossy(bytes).into_owned();
        let end_at = self.text.locate(end);
        let range = (at.byte, end_at.byte);
        match record(&text) {
            Ok(Doc::Event(rec) | Doc::Lost(rec)) => self.emitter.record(&rec, at, range, None, out),
            Ok(Doc::Skip | Doc::Other) => self.others.add(at),
            Err(reason) => self
                .emitter
                .bad_document(out, at, ProblemKind::MalformedXml { reason }),
        }
    }
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

/// Parses one top-level `<Obj>…</Obj>` into a tree.
fn tree(text: &str) -> Result<Node, String> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Node> = vec![Node::default()];
    loop {
        let event = reader.read_event().map_err(|e| e.to_string())?;
        match event {
            XmlEvent::Start(e) | XmlEvent::Empty(e) if stack.len() > 64 => {
                let _ = e;
                return Err("objects nest deeper than 64 levels".into());
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
                let node = stack.pop().ok_or("an end tag closes nothing")?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => return Err("an end tag closes nothing".into()),
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
        return Err("the object is not closed".into());
    }
    root.children
        .pop()
        .filter(|n| n.tag == "Obj")
        .ok_or_else(|| "no `<Obj>` element".to_string())
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

/// What a CliXml value element holds (`refs`: the objects seen so far, by `RefId`).
fn value(node: &Node, refs: &[(String, PsValue)]) -> PsValue {
    let kind = match node.tag.as_str() {
        "Nil" => return PsValue::new(PsKind::Null, ""),
        "I32" | "I64" | "U32" | "U64" | "I16" | "U16" | "By" | "SB" => PsKind::Int,
        "B" => PsKind::Bool,
        "DT" => PsKind::Time,
        "G" => PsKind::Guid,
        "Ref" => {
            return node
                .ref_id
                .as_ref()
                .and_then(|id| refs.iter().find(|(r, _)| r == id))
                .map_or_else(|| PsValue::new(PsKind::Null, ""), |(_, v)| v.clone());
        }
        "Obj" => {
            // A SecurityIdentifier and its kin: their text is their `ToString`; a list, its items.
            if let Some(s) = node.child("ToString") {
                return PsValue::new(PsKind::Str, decode_escapes(&s.text));
            }
            if let Some(list) = node.child("LST").or_else(|| node.child("IE")) {
                let items: Vec<String> =
                    list.children.iter().map(|c| value(c, refs).text).collect();
                return PsValue::new(PsKind::Str, items.join(", "));
            }
            return PsValue::new(PsKind::Null, "");
        }
        _ => PsKind::Str,
    };
    let text = if kind == PsKind::Str {
        decode_escapes(&node.text)
    } else {
        node.text.trim().to_string()
    };
    PsValue::new(kind, text)
}

/// Collects the `RefId`s of the objects in `node`, with their values.
fn collect_refs(node: &Node, refs: &mut Vec<(String, PsValue)>) {
    for child in &node.children {
        collect_refs(child, refs);
    }
    if node.tag == "Obj" {
        if let Some(id) = &node.ref_id {
            let v = value(node, refs);
            refs.push((id.clone(), v));
        }
    }
}

/// One top-level `<Obj>` of an Export-Clixml file: an event record as its XML, or something
/// else.
pub(crate) fn record(text: &str) -> Result<Doc<'static>, String> {
    let obj = tree(text)?;
    let mut refs = Vec::new();
    collect_refs(&obj, &mut refs);
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
                        .map_or_else(|| PsValue::new(PsKind::Null, ""), |v| value(v, &refs))
                };
                r.properties.push(prop);
            }
            continue;
        }
        let v = value(member, &refs);
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
