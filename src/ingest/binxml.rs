//! Events straight from a record's BinXML, without XML text in between.
//!
//! Nearly every record of a log is one template instance: a template definition (the event's
//! elements, stored once in the chunk) and the record's substitution values. This walks the
//! definition (MS-EVEN6 2.2) and gives the event parser the elements the `evtx` crate would
//! render as XML, with the values as the crate writes them ([`Elements`]), so the event is the
//! one the XML path decodes. A value that is itself one template instance (how Windows stores
//! EventData and UserData) is followed into its own template. What it does not know for sure it
//! leaves to that path: CDATA, references, processing instructions, other nested BinXML, arrays,
//! ANSI strings, floating-point numbers and SYSTEMTIMEs (none in Security logs), templates that
//! use a value twice or nest deeper than [`MAX_DEPTH`], prefixed element names, records of any
//! other shape; and what the crate refuses (strings of an odd size, unknown value types).
//!
//! What it mirrors of the crate's XML (without indentation):
//! - an element whose DependencyId names a NULL value is left out, except the root;
//! - an attribute whose value is empty is left out;
//! - an element closed as empty is `<X/>`, any other `<X>…</X>`, even with nothing inside;
//! - C0 controls other than tab, LF and CR, U+FFFE, U+FFFF and lone surrogates become `_`;
//! - text between two elements is one XML text node, whose escaped `&`, `<` and `>` the parser
//!   reads as references, each on its own.

use crate::decoder::{value, Elements, SysField};
use crate::model::store::FoldMap;
use std::cell::OnceCell;
use std::rc::Rc;

/// At most this many attributes on an element.
const MAX_ATTRS: usize = 8;

/// Elements nested deeper than the event parser follows (its `max_depth`), and records whose
/// XML could be longer than this (counted as the crate could write it at most: every name
/// twice, every character escaped; the crate's own limit per record is 16 MiB): left to the XML
/// path, so that the crate's limits, not this module, decide what happens to such a record.
pub(super) const MAX_DEPTH: usize = 64;
pub(super) const MAX_TEXT: usize = 4 << 20;

/// The most the template definitions of one chunk may hold here (ops and text): a real chunk's
/// are a few KiB; a crafted one could point thousands of overlapping definitions at one long
/// name. Past it, a chunk's further templates are left to the XML path.
const MAX_CHUNK_TEMPLATES: usize = 4 << 20;

/// What rendering a record could cost the crate at most, for the chunk's budgets
/// ([`crate::ingest::evtx`] keeps the sum): bytes of XML, and nodes built and visited.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Spend {
    /// Bytes of XML: each element's name twice and its brackets, each attribute's name and its
    /// quotes, each character of text or value six times (`&quot;`).
    pub out: usize,
    /// Twice the template steps taken (an element, an attribute, a text, a value, an end).
    pub nodes: usize,
}

impl Spend {
    /// An element given, named `name` (its start and end tags).
    #[inline]
    pub(super) fn element(&mut self, name: Span) {
        self.out += 2 * name.len() + 5;
    }

    /// An attribute given, named `name`, with `value` bytes of value.
    #[inline]
    pub(super) fn attribute(&mut self, name: Span, value: usize) {
        self.out += name.len() + 4 + 6 * value;
    }

    /// A text node of `len` bytes.
    #[inline]
    pub(super) fn text(&mut self, len: usize) {
        self.out += 6 * len;
    }

    /// Whether it is past the allowance `(out, nodes)`.
    pub(crate) fn beyond(&self, (out, nodes): (usize, usize)) -> bool {
        self.out > out || self.nodes > nodes
    }
}

impl std::ops::AddAssign for Spend {
    fn add_assign(&mut self, other: Spend) {
        self.out += other.out;
        self.nodes += other.nodes;
    }
}

/// A slice of [`Template::text`].
#[derive(Clone, Copy, Debug)]
pub(super) struct Span(u32, u32);

impl Span {
    /// The length of its text, in bytes.
    pub(super) fn len(self) -> usize {
        (self.1 - self.0) as usize
    }
}

#[derive(Clone, Copy, Debug)]
pub(super) enum Op {
    /// An element: `attrs` [`Op::Attr`] follow; `next` is the op after it (to leave it out).
    Open {
        name: Span,
        dependency: Option<u16>,
        attrs: u8,
        empty: bool,
        next: u32,
    },
    /// An attribute of the element just opened, whose value is the `parts` ops that follow.
    Attr { name: Span, parts: u16 },
    /// Literal text, as the XML holds it once unescaped.
    Text(Span),
    /// A substitution value.
    Sub(u16),
    /// The end of an element.
    End(Span),
}

/// A template definition, parsed once (and again only for a chunk whose definition differs,
/// [`Kept`]) and replayed for each of its records.
#[derive(Debug, Default)]
pub(crate) struct Template {
    pub(super) ops: Vec<Op>,
    text: String,
    /// The names read so far, by where they are in the chunk (and whether for an attribute),
    /// with the first of [`Template::refs`] to it:
    /// each is kept once, however many elements use it. Hashed by multiplication, not SipHash:
    /// a chunk's offsets are fewer than 65,536, so no choice of them piles many into one bucket.
    names: FoldMap<(u32, bool), (Span, u32)>,
    /// Where it refers to its names, in the order read (for [`Kept`]).
    refs: Vec<NameRef>,
    /// How many bytes from the definition's first its parse read (for [`Kept`]).
    reach: usize,
    /// What its elements are to the event, worked out on first use for each place an instance
    /// of it can stand ([`plan`](super::plan)).
    pub(super) plans: Plans,
}

impl Template {
    #[inline]
    pub(super) fn str(&self, s: Span) -> &str {
        &self.text[s.0 as usize..s.1 as usize]
    }

    /// The memory it holds, for [`MAX_CHUNK_TEMPLATES`].
    fn size(&self) -> usize {
        self.ops.len() * std::mem::size_of::<Op>() + self.text.len()
    }

    fn push(&mut self, s: &str) -> Span {
        let start = self.text.len() as u32;
        self.text.push_str(s);
        Span(start, self.text.len() as u32)
    }

    /// [`Template::push`] for text given as UTF-16LE units that are all ASCII.
    fn push_units(&mut self, units: &[u8]) -> Span {
        let start = self.text.len() as u32;
        self.text
            .extend(units.iter().step_by(2).map(|&b| char::from(b)));
        Span(start, self.text.len() as u32)
    }

    /// The definition at `offset` of the chunk `data`, if every token of it is one this module
    /// follows.
    pub(crate) fn parse(data: &[u8], offset: u32) -> Option<Template> {
        let start = (offset as usize).checked_add(24)?;
        let size = read_u32(data, start - 4)? as usize;
        let end = start.checked_add(size)?;
        // The crate takes the definition's bytes whole first (this matters for a definition no
        // record holds inline, as only a crafted chunk has: the inline one is skipped whole).
        data.get(start..end)?;
        let mut t = Template::default();
        let mut r = Reader { data, pos: start };
        // Open elements (their Open ops), the one whose start tag is being read, its attribute.
        let mut stack: Vec<usize> = Vec::new();
        let mut open: Option<usize> = None;
        let mut attr: Option<usize> = None;
        let mut roots = 0;
        let mut used: Vec<u16> = Vec::new();
        while r.pos < end {
            let token = r.u8()?;
            let part = match token {
                0x00 => break,
                0x0f => {
                    r.skip(3)?;
                    continue;
                }
                0x01 | 0x41 => {
                    if open.is_some() || (stack.is_empty() && roots > 0) {
                        return None;
                    }
                    let dependency = Some(r.u16()?).filter(|&d| d != 0xffff);
                    r.skip(4)?;
                    let name = r.name(&mut t, false)?;
                    if token & 0x40 != 0 {
                        r.skip(4)?;
                    }
                    open = Some(t.ops.len());
                    t.ops.push(Op::Open {
                        name,
                        dependency,
                        attrs: 0,
                        empty: false,
                        next: 0,
                    });
                    continue;
                }
                0x06 | 0x46 => {
                    let name = r.name(&mut t, true)?;
                    match t.ops.get_mut(open?) {
                        Some(Op::Open { attrs, .. }) if usize::from(*attrs) < MAX_ATTRS => {
                            *attrs += 1
                        }
                        _ => return None,
                    }
                    attr = Some(t.ops.len());
                    t.ops.push(Op::Attr { name, parts: 0 });
                    continue;
                }
                0x05 | 0x45 => {
                    // Only UTF-16 text: a literal of another type would be an array or a number.
                    if r.u8()? != 0x01 {
                        return None;
                    }
                    let count = usize::from(r.u16()?);
                    let bytes = r.take(count * 2)?;
                    let mut s = String::new();
                    push_utf16(&mut s, until_nul(bytes));
                    Op::Text(t.push(&s))
                }
                0x0d | 0x0e => {
                    let index = r.u16()?;
                    // A type the crate does not know makes it refuse the template.
                    if !known_type(r.u8()?) {
                        return None;
                    }
                    // A value placed twice renders twice: the crate's budgets see to that case.
                    if used.contains(&index) {
                        return None;
                    }
                    used.push(index);
                    Op::Sub(index)
                }
                0x02 => {
                    // Deeper than `write` opens (the crate refuses from 512 on; skipped elements
                    // are not opened, so `write` alone would not see them).
                    if stack.len() >= MAX_DEPTH {
                        return None;
                    }
                    stack.push(open.take()?);
                    attr = None;
                    continue;
                }
                0x03 => {
                    let at = open.take()?;
                    attr = None;
                    let next = t.ops.len() as u32;
                    if let Op::Open { empty, next: n, .. } = &mut t.ops[at] {
                        (*empty, *n) = (true, next);
                    }
                    roots += usize::from(stack.is_empty());
                    continue;
                }
                0x04 => {
                    if open.is_some() {
                        return None;
                    }
                    let at = stack.pop()?;
                    let Op::Open { name, .. } = t.ops[at] else {
                        return None;
                    };
                    t.ops.push(Op::End(name));
                    let next = t.ops.len() as u32;
                    if let Op::Open { next: n, .. } = &mut t.ops[at] {
                        *n = next;
                    }
                    roots += usize::from(stack.is_empty());
                    continue;
                }
                _ => return None,
            };
            // A value in an attribute, or in an element's content.
            match (open, attr) {
                (Some(_), Some(a)) => match &mut t.ops[a] {
                    Op::Attr { parts, .. } if *parts < u16::MAX => *parts += 1,
                    _ => return None,
                },
                (None, _) if !stack.is_empty() => {}
                _ => return None,
            }
            t.ops.push(part);
        }
        if !(open.is_none() && stack.is_empty() && roots == 1) {
            return None;
        }
        // Where the names are referred to, from the definition's first byte; the rest of what
        // was kept for reading only goes.
        for r in &mut t.refs {
            r.at -= start as u32;
        }
        t.names = FoldMap::default();
        t.reach = r.pos.max(end) - start;
        t.ops.shrink_to_fit();
        t.refs.shrink_to_fit();
        t.text.shrink_to_fit();
        Some(t)
    }
}

/// A name reference of a template: where its offset stands (from the definition's first byte;
/// while parsing, from the chunk's), whether the name follows there (its offset is the place
/// after it) or stands elsewhere in the chunk, whether it names an attribute, and the first
/// reference of the template to the same name at the same place (itself if none before): the
/// parse keeps a name once per place, so which references share a place shapes its text.
#[derive(Clone, Copy, Debug)]
struct NameRef {
    at: u32,
    inline: bool,
    attribute: bool,
    first: u32,
}

/// A template definition parsed in an earlier chunk: the bytes its parse read and the text of
/// each name it referred to.
#[derive(Debug)]
struct KeptTemplate {
    size: u32,
    bytes: Box<[u8]>,
    names: Vec<(NameRef, Box<[u8]>)>,
    template: Rc<Template>,
    /// The memory it holds, for [`MAX_KEPT`].
    cost: usize,
}

impl KeptTemplate {
    /// What to keep of `template`, just parsed from the definition whose bytes start at
    /// `start` of the chunk `data`.
    fn new(data: &[u8], start: usize, template: &Rc<Template>) -> Option<KeptTemplate> {
        let names = template
            .refs
            .iter()
            .map(|&r| {
                let name = read_u32(data, start + r.at as usize)? as usize;
                Some((r, name_units(data, name)?.into()))
            })
            .collect::<Option<Vec<(NameRef, Box<[u8]>)>>>()?;
        let bytes: Box<[u8]> = data.get(start..start + template.reach)?.into();
        // Its bytes, names and template, the plans it may be given, and what holding it costs
        // the map besides.
        let cost = bytes.len()
            + names
                .iter()
                .map(|n| n.1.len() + std::mem::size_of::<(NameRef, Box<[u8]>)>())
                .sum::<usize>()
            + template.size()
            + std::mem::size_of::<Template>()
            + 3 * template.ops.len() * std::mem::size_of::<Act>()
            + 2 * std::mem::size_of::<KeptTemplate>()
            + 64;
        Some(KeptTemplate {
            size: read_u32(data, start - 4)?,
            bytes,
            names,
            template: Rc::clone(template),
            cost,
        })
    }

    /// Whether the definition whose bytes start at `start` of the chunk `data` parses to this
    /// template: its size, and every byte its parse reads, are the same, but for its names'
    /// offsets (and the link after an inline name's), which only say where in the chunk the name
    /// is; each name is inline where it was, has the same text wherever it is, and shares its
    /// place with the same earlier references.
    fn matches(&self, data: &[u8], start: usize) -> bool {
        let Some(bytes) = data.get(start..start + self.bytes.len()) else {
            return false;
        };
        if read_u32(data, start - 4) != Some(self.size) {
            return false;
        }
        // Where the reference at `at` points in this chunk (read only once `at` is known to be
        // inside the compared bytes).
        let offset = |at: u32| read_u32(bytes, at as usize);
        let mut from = 0;
        // The places of the names met so far, each once.
        let mut places: Vec<(u32, bool)> = Vec::with_capacity(self.names.len());
        for (i, (r, units)) in self.names.iter().enumerate() {
            let at = r.at as usize;
            if at < from || bytes.get(from..at) != self.bytes.get(from..at) {
                return false;
            }
            let Some(here) = offset(r.at) else {
                return false;
            };
            let name = here as usize;
            if (name == start + at + 4) != r.inline || name_units(data, name) != Some(units) {
                return false;
            }
            // The same names shared: a reference that shared its place with an earlier one
            // still does; one that did not shares it with none of the places before it.
            let same_sharing = if r.first as usize == i {
                let unshared = !places.contains(&(here, r.attribute));
                places.push((here, r.attribute));
                unshared
            } else {
                let first = self.names.get(r.first as usize);
                first.is_some_and(|(e, _)| e.attribute == r.attribute && offset(e.at) == Some(here))
            };
            if !same_sharing {
                return false;
            }
            from = (at + if r.inline { 8 } else { 4 }).min(bytes.len());
        }
        bytes[from..] == self.bytes[from..]
    }
}

/// Template definitions parsed in earlier chunks, for the chunks after: each chunk defines
/// again the few dozen templates a log uses, at offsets of its own, and parsing them was an
/// eighth of reading a Security log. Found by GUID, taken when [`KeptTemplate::matches`].
#[derive(Debug, Default)]
pub(crate) struct Kept {
    by_guid: FoldMap<u128, Vec<KeptTemplate>>,
    /// Bytes held, up to [`MAX_KEPT`].
    held: usize,
}

/// The most [`Kept`] holds (a log's templates are a few hundred KiB at most), and the most
/// definitions it keeps under one GUID.
const MAX_KEPT: usize = 4 << 20;
const MAX_KEPT_PER_GUID: usize = 4;

/// The most GUIDs [`Kept`] keeps templates under: a log has a few hundred templates at most,
/// and a crafted file's GUIDs could be chosen to fall into one bucket of the map, whose hash
/// has no key (every lookup would then walk them all).
const MAX_KEPT_GUIDS: usize = 1024;

impl Kept {
    /// The template defined at `offset` of the chunk `data`: one kept from an earlier chunk if
    /// its definition is the same, else parsed (and kept while there is room).
    fn parse(&mut self, data: &[u8], offset: u32) -> Option<Rc<Template>> {
        let start = (offset as usize).checked_add(24)?;
        let guid = u128::from_le_bytes(data.get(start - 20..start - 4)?.try_into().ok()?);
        let same = self.by_guid.get(&guid).into_iter().flatten();
        if let Some(kept) = same.into_iter().find(|k| k.matches(data, start)) {
            return Some(Rc::clone(&kept.template));
        }
        let template = Rc::new(Template::parse(data, offset)?);
        // (No entry is made for a GUID whose template is not kept: a crafted file's many
        // GUIDs would otherwise fill the map past the bound.)
        if let Some(kept) =
            KeptTemplate::new(data, start, &template).filter(|k| self.held + k.cost <= MAX_KEPT)
        {
            let room = self.by_guid.len() < MAX_KEPT_GUIDS;
            let list = match self.by_guid.get_mut(&guid) {
                Some(list) => list,
                None if room => self.by_guid.entry(guid).or_default(),
                None => return Some(template),
            };
            if list.len() < MAX_KEPT_PER_GUID {
                self.held += kept.cost;
                list.push(kept);
            }
        }
        Some(template)
    }
}

// What each op of a template is to the event parser, as `ingest::plan` works it out.

/// A template's plans, one for each place an instance of it can stand: the record's own
/// (nothing open yet), the root element, `EventData`. `None` in a cell: no plan there.
pub(crate) type Plans = [OnceCell<Option<Vec<Act>>>; 3];

/// What an element is to the event parser: the frame its content goes into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// The root element.
    Root,
    System,
    /// A System child whose text is a System field.
    Sys(SysField),
    EventData,
    /// A `Data` or `Binary` element: its text is the value of body field `.0` (set when the
    /// element opens; 0 in a plan).
    Leaf(u32),
    /// Ignored with its content.
    Ignored,
}

/// What opening an element does besides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Opens {
    Nothing,
    /// The body is EventData.
    EventData,
    /// A body field named by its `Name` attribute (unnamed without one).
    Data,
    /// A body field named `Binary`.
    Binary,
}

/// Where an attribute's value goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AttrTo {
    Nowhere,
    Sys(SysField),
    DataName,
}

/// The decision for one op of a template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Act {
    Open(Place, Opens),
    /// An element that holds one value and nothing else, `<Computer>%1</Computer>` or
    /// `<Data Name="TargetUserName">%5</Data>` (`true`: a constant `Name` comes first): its
    /// value goes to System field `Sys` or to a new body field (`Leaf`), in one step.
    Value(Place, bool),
    Attr(AttrTo),
    /// Text, a value, an end: nothing to decide in advance.
    Other,
}

/// How deep the crate follows template instances in values (its `MAX_BINXML_NESTING`).
const MAX_NESTING: usize = 64;

/// The chunk's template definitions, by offset (`None`: left to the XML path), and those of
/// the chunks before.
#[derive(Debug, Default)]
pub(crate) struct Templates {
    chunk: Vec<(u32, Option<Rc<Template>>)>,
    kept: Kept,
}

impl Templates {
    /// A new chunk: its definitions are its own.
    pub(crate) fn clear(&mut self) {
        self.chunk.clear();
    }

    /// How many definitions the chunk has had parsed.
    pub(crate) fn len(&self) -> usize {
        self.chunk.len()
    }

    /// Forgets the chunk's definitions after the first `len`.
    pub(crate) fn truncate(&mut self, len: usize) {
        self.chunk.truncate(len);
    }

    /// The chunk's `index`th definition, if it is one this module follows.
    pub(super) fn get(&self, index: usize) -> Option<&Template> {
        self.chunk.get(index)?.1.as_deref()
    }
}

/// One substitution value.
#[derive(Clone, Copy, Debug)]
pub(super) enum Val {
    /// NULL: nothing, and the elements that depend on it are left out.
    Null,
    /// Text, a slice of [`Values::text`] (empty for an empty string).
    Text(u32, u32),
    /// A value that is itself one template instance (an [`Values::instances`] index).
    Nested(u32),
}

/// A record's template instances (the record's own first, then those in its values) and their
/// substitution values, as the crate's XML would hold them once unescaped.
#[derive(Debug, Default)]
pub(crate) struct Values {
    text: String,
    vals: Vec<Val>,
    /// Each instance: its template (an index into the chunk's templates), its values' range.
    pub(super) instances: Vec<(usize, u32, u32)>,
}

impl Values {
    /// Reads the record whose BinXML is `binxml`, at `start` of the chunk `data`, if it is one
    /// template instance that the crate reads as such and all of it is handled here. Templates
    /// are parsed into `templates` once per chunk.
    pub(crate) fn read(
        &mut self,
        data: &[u8],
        start: usize,
        binxml: &[u8],
        templates: &mut Templates,
    ) -> Option<()> {
        self.text.clear();
        self.vals.clear();
        self.instances.clear();
        self.single(data, start, binxml, templates, 0).map(|_| ())
    }

    /// A stream of one instance (`[fragment header] instance [EOF]`) at `start` of `data`, as
    /// the crate's `read_single_instance_stream` takes it; the instance's index.
    fn single(
        &mut self,
        data: &[u8],
        start: usize,
        stream: &[u8],
        templates: &mut Templates,
        depth: usize,
    ) -> Option<u32> {
        let token = start
            + match stream {
                [0x0f, _, _, _, 0x0c, _, ..] => 4,
                [0x0c, ..] => 0,
                _ => return None,
            };
        let (index, end) = self.instance(data, token, templates, depth)?;
        // Nothing but the end of the stream after the instance (or it read past the stream).
        match stream.get(end - start) {
            Some(0) | None => Some(index),
            Some(_) => None,
        }
    }

    /// The instance whose token is at `token` of `data`: its index and where it ends.
    fn instance(
        &mut self,
        data: &[u8],
        token: usize,
        templates: &mut Templates,
        depth: usize,
    ) -> Option<(u32, usize)> {
        let mut r = Reader {
            data,
            pos: token.checked_add(1)?,
        };
        r.skip(5)?;
        let definition = r.u32()?;
        if definition as usize == r.pos {
            let size = read_u32(data, r.pos + 20)? as usize;
            r.skip(24usize.checked_add(size)?)?;
        }
        let chunk = &mut templates.chunk;
        let template = match chunk.iter().position(|(o, _)| *o == definition) {
            Some(at) => at,
            None => {
                // Past the chunk's allowance, its further templates go the XML path's way.
                let held: usize = chunk.iter().flat_map(|t| &t.1).map(|t| t.size()).sum();
                let parsed = templates
                    .kept
                    .parse(data, definition)
                    .filter(|t| held.saturating_add(t.size()) <= MAX_CHUNK_TEMPLATES);
                let chunk = &mut templates.chunk;
                chunk.push((definition, parsed));
                chunk.len() - 1
            }
        };
        templates.chunk[template].1.as_ref()?;
        let count = r.u32()? as usize;
        let descriptors = r.take(count.checked_mul(4)?)?;
        let first = self.vals.len();
        self.vals.resize(first + count, Val::Null);
        let index = self.instances.len() as u32;
        self.instances.push((template, first as u32, count as u32));
        for (i, d) in descriptors.chunks_exact(4).enumerate() {
            let size = usize::from(u16::from_le_bytes([d[0], d[1]]));
            let at = r.pos;
            let bytes = r.take(size)?;
            self.vals[first + i] = self.value(data, at, d[2], bytes, templates, depth)?;
        }
        Some((index, r.pos))
    }

    /// One value of type `ty` whose `bytes` start at `at` of `data`, as the crate decodes and
    /// writes it; `None` for what is left to the XML path, and for a value that the crate reads
    /// past its size.
    fn value(
        &mut self,
        data: &[u8],
        at: usize,
        ty: u8,
        bytes: &[u8],
        templates: &mut Templates,
        depth: usize,
    ) -> Option<Val> {
        fn le<const N: usize>(bytes: &[u8]) -> Option<[u8; N]> {
            bytes.get(..N)?.try_into().ok()
        }
        let start = self.text.len() as u32;
        let out = &mut self.text;
        match ty {
            0x00 => return Some(Val::Null),
            // The crate refuses a string of an odd number of bytes.
            0x01 if bytes.len() % 2 != 0 => return None,
            0x01 => push_utf16(out, until_nul(bytes)),
            0x03 => push_signed(out, i8::from_le_bytes(le(bytes)?).into()),
            0x04 => push_dec(out, u8::from_le_bytes(le(bytes)?).into()),
            0x05 => push_signed(out, i16::from_le_bytes(le(bytes)?).into()),
            0x06 => push_dec(out, u16::from_le_bytes(le(bytes)?).into()),
            0x07 => push_signed(out, i32::from_le_bytes(le(bytes)?).into()),
            0x08 => push_dec(out, u32::from_le_bytes(le(bytes)?).into()),
            0x09 => push_signed(out, i64::from_le_bytes(le(bytes)?)),
            0x0a => push_dec(out, u64::from_le_bytes(le(bytes)?)),
            // Windows writes bitmasks into some bool slots: those stay numbers.
            0x0d => match i32::from_le_bytes(le(bytes)?) {
                0 => out.push_str("false"),
                1 => out.push_str("true"),
                v => push_signed(out, v.into()),
            },
            0x0e => bytes
                .iter()
                .for_each(|&b| push_hex(out, b.into(), 2, HEX_UPPER)),
            0x0f => {
                let g: [u8; 16] = le(bytes)?;
                let d1 = u32::from_le_bytes([g[0], g[1], g[2], g[3]]);
                let d2 = u16::from_le_bytes([g[4], g[5]]);
                let d3 = u16::from_le_bytes([g[6], g[7]]);
                out.push('{');
                push_hex(out, d1.into(), 8, HEX_LOWER);
                out.push('-');
                push_hex(out, d2.into(), 4, HEX_LOWER);
                out.push('-');
                push_hex(out, d3.into(), 4, HEX_LOWER);
                out.push('-');
                for (i, &b) in g[8..].iter().enumerate() {
                    if i == 2 {
                        out.push('-');
                    }
                    push_hex(out, b.into(), 2, HEX_LOWER);
                }
                out.push('}');
            }
            // A SizeT is a HexInt of its width.
            0x10 if bytes.len() == 4 => push_0x(out, u32::from_le_bytes(le(bytes)?).into()),
            0x10 if bytes.len() == 8 => push_0x(out, u64::from_le_bytes(le(bytes)?)),
            0x11 => write_filetime(out, u64::from_le_bytes(le(bytes)?)),
            0x13 => {
                let head: [u8; 8] = le(bytes)?;
                let sid = bytes.get(..8 + 4 * usize::from(head[1]))?;
                let mut authority = [0; 8];
                authority[2..].copy_from_slice(&head[2..]);
                out.push_str("S-");
                push_dec(out, head[0].into());
                out.push('-');
                push_dec(out, u64::from_be_bytes(authority));
                for s in sid[8..].chunks_exact(4) {
                    out.push('-');
                    push_dec(out, u32::from_le_bytes([s[0], s[1], s[2], s[3]]).into());
                }
            }
            0x14 => push_0x(out, u32::from_le_bytes(le(bytes)?).into()),
            0x15 => push_0x(out, u64::from_le_bytes(le(bytes)?)),
            // An empty fragment is NULL to the crate; one template instance is an element.
            0x21 if bytes.is_empty() => return Some(Val::Null),
            0x21 if depth < MAX_NESTING => {
                return self
                    .single(data, at, bytes, templates, depth + 1)
                    .map(Val::Nested)
            }
            _ => return None,
        }
        Some(Val::Text(start, self.text.len() as u32))
    }

    /// Value `index` of `instance` (out of range: nothing).
    /// Whether an element whose DependencyId is `dependency`, `depth` elements deep in
    /// `instance`, is left out (its value is NULL); the instance's root never is.
    #[inline]
    pub(super) fn leaves_out(&self, instance: u32, depth: usize, dependency: Option<u16>) -> bool {
        depth > 0 && dependency.is_some_and(|d| matches!(self.get(instance, d), Val::Null))
    }

    /// Appends to `out` the value of an attribute of `instance` made of `parts` of `template`;
    /// `None` when a part is not text (a template instance, or not a value at all).
    #[inline]
    pub(super) fn attribute(
        &self,
        template: &Template,
        instance: u32,
        parts: &[Op],
        out: &mut String,
    ) -> Option<()> {
        for op in parts {
            match *op {
                Op::Text(s) => out.push_str(template.str(s)),
                Op::Sub(v) => match self.get(instance, v) {
                    Val::Text(a, b) => out.push_str(self.str(a, b)),
                    Val::Null => {}
                    Val::Nested(_) => return None,
                },
                _ => return None,
            }
        }
        Some(())
    }

    #[inline]
    pub(super) fn get(&self, instance: u32, index: u16) -> Val {
        let (_, first, count) = self.instances[instance as usize];
        if u32::from(index) < count {
            self.vals[(first + u32::from(index)) as usize]
        } else {
            Val::Text(0, 0)
        }
    }

    #[inline]
    pub(super) fn str(&self, start: u32, end: u32) -> &str {
        &self.text[start as usize..end as usize]
    }
}

/// A FILETIME as the crate writes it: the UTC date and time with the seven digits of its
/// 100 ns ticks, the year's last four digits, all zeros past `i64::MAX`.
fn write_filetime(out: &mut String, filetime: u64) {
    const TICKS_PER_DAY: u64 = 864_000_000_000;
    /// Days from 1601-01-01, where FILETIMEs count from, to 1970-01-01.
    const DAYS_TO_1970: i64 = 134_774;
    let mut buf = *b"0000-00-00T00:00:00.0000000Z";
    if filetime <= i64::MAX as u64 {
        let (days, ticks) = (filetime / TICKS_PER_DAY, filetime % TICKS_PER_DAY);
        value::put_date_time(&mut buf, days as i64 - DAYS_TO_1970, ticks / 10_000_000);
        value::put_digits(&mut buf[20..27], ticks % 10_000_000);
    }
    out.push_str(value::ascii(&buf));
}

const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// `n` in decimal, as `{}` writes it.
fn push_dec(out: &mut String, n: u64) {
    value::push_decimal(out, n, 1);
}

/// `n` in decimal, as `{}` writes it.
fn push_signed(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    push_dec(out, n.unsigned_abs());
}

/// `n` in hexadecimal with at least `width` digits (`{:0width$x}`, or `X` with [`HEX_UPPER`]).
fn push_hex(out: &mut String, mut n: u64, width: usize, digits: &[u8; 16]) {
    let mut buf = [b'0'; 16];
    let mut i = buf.len();
    while n > 0 {
        i -= 1;
        buf[i] = digits[(n & 0xf) as usize];
        n >>= 4;
    }
    value::push_ascii(out, &buf[i.min(buf.len() - width.min(16))..]);
}

/// `0x` and `n` in lower-case hexadecimal, as `0x{:x}` writes it.
fn push_0x(out: &mut String, n: u64) {
    out.push_str("0x");
    push_hex(out, n, 1, HEX_LOWER);
}

/// A character as the crate's XML holds it: those XML does not allow become `_`.
fn xml_char(c: char) -> char {
    match c {
        '\t' | '\n' | '\r' => c,
        '\0'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => '_',
        _ => c,
    }
}

/// A value type the crate reads (MS-EVEN6 2.2.18: the scalars, BinXML, and their arrays).
fn known_type(ty: u8) -> bool {
    matches!(ty, 0x00..=0x15 | 0x20 | 0x21 | 0x23 | 0x81..=0x95)
}

fn until_nul(bytes: &[u8]) -> &[u8] {
    let units = bytes.len() / 2;
    let n = (0..units)
        .find(|&i| bytes[2 * i] == 0 && bytes[2 * i + 1] == 0)
        .unwrap_or(units);
    &bytes[..2 * n]
}

/// UTF-16LE as the crate's XML holds it: a lone surrogate is `_` too.
fn push_utf16(out: &mut String, bytes: &[u8]) {
    /// Each 16-bit unit below 0x80 (its high byte and the low byte's top bit clear)...
    const HIGH: u64 = 0xff80_ff80_ff80_ff80;
    /// ...and at least 0x20 (adding 0x60 sets the low byte's top bit, and carries no further).
    const LOW: u64 = 0x0060_0060_0060_0060;
    const TOP: u64 = 0x0080_0080_0080_0080;
    let units = bytes.len() / 2;
    let unit = |i: usize| u16::from_le_bytes([bytes[2 * i], bytes[2 * i + 1]]);
    out.reserve(units);
    // Most text is printable ASCII, which needs no decoding (and starts no surrogate pair): four
    // units at a time while it is, gathered and appended a batch at a time. Any other unit is
    // decoded on its own (with its pair's second half), and the four-at-a-time path goes on
    // after it: a line break or an accented letter does not slow the rest of the value.
    let mut at = 0;
    let mut batch = [0u8; 64];
    while at < units {
        let mut n = 0;
        while let Some(word) = bytes.get(2 * at..2 * at + 8) {
            let w = u64::from_le_bytes(word.try_into().unwrap_or_default());
            if w & HIGH != 0 || (w + LOW) & TOP != TOP {
                break;
            }
            // The low byte of each unit, packed.
            let w = (w | w >> 8) & 0x0000_ffff_0000_ffff;
            let w = (w | w >> 16) as u32;
            batch[n..n + 4].copy_from_slice(&w.to_le_bytes());
            n += 4;
            at += 4;
            if n == batch.len() {
                out.push_str(value::ascii(&batch));
                n = 0;
            }
        }
        value::push_ascii(out, &batch[..n]);
        if at >= units {
            break;
        }
        let u = unit(at);
        at += 1;
        let c = match u {
            0x20..0x80 => char::from(u as u8),
            0xd800..0xdc00 if at < units && (0xdc00..0xe000).contains(&unit(at)) => {
                let low = unit(at);
                at += 1;
                let code = 0x10000 + ((u32::from(u) - 0xd800) << 10) + (u32::from(low) - 0xdc00);
                char::from_u32(code).map_or('_', xml_char)
            }
            _ => char::from_u32(u32::from(u)).map_or('_', xml_char),
        };
        out.push(c);
    }
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

fn read_u32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let bytes = self.data.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(bytes)
    }

    fn skip(&mut self, n: usize) -> Option<()> {
        self.take(n).map(|_| ())
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u16(&mut self) -> Option<u16> {
        let b = self.take(2)?;
        Some(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Option<u32> {
        let v = read_u32(self.data, self.pos)?;
        self.pos += 4;
        Some(v)
    }

    /// A name reference: the name (a plain XML name), stored inline or elsewhere in the chunk.
    /// An attribute's may have a prefix, which the parser drops: so does this.
    fn name(&mut self, t: &mut Template, attribute: bool) -> Option<Span> {
        let offset = self.u32()?;
        let at = offset as usize;
        let index = t.refs.len() as u32;
        let first = t.names.get(&(offset, attribute)).map_or(index, |n| n.1);
        t.refs.push(NameRef {
            at: (self.pos - 4) as u32,
            inline: at == self.pos,
            attribute,
            first,
        });
        let data = self.data;
        let count = usize::from(u16::from_le_bytes(
            data.get(at.checked_add(6)?..at.checked_add(8)?)?
                .try_into()
                .ok()?,
        ));
        if at == self.pos {
            self.skip(2 * count + 10)?;
        }
        if let Some(&(span, _)) = t.names.get(&(offset, attribute)) {
            return Some(span);
        }
        let units = until_nul(name_units(data, at)?);
        let span = match ascii_local_name(units, attribute) {
            Some(local) => t.push_units(local?),
            None => t.push(&decoded_local_name(units, attribute)?),
        };
        t.names.insert((offset, attribute), (span, index));
        Some(span)
    }
}

/// The UTF-16LE units of the name stored at `at` of the chunk `data` (their count at `at + 6`,
/// the units from `at + 8`), when the NUL after them, which the crate reads, is there too.
fn name_units(data: &[u8], at: usize) -> Option<&[u8]> {
    let count = data.get(at.checked_add(6)?..at.checked_add(8)?)?;
    let text = at.checked_add(8)?;
    let end = text.checked_add(2 * usize::from(u16::from_le_bytes([count[0], count[1]])))?;
    data.get(end..end.checked_add(2)?)?;
    data.get(text..end)
}

/// Whether `c` may stand in a name (`:` only in an attribute's, before its local part).
fn name_char(c: char, attribute: bool) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.') || (attribute && c == ':')
}

/// A name's local part (after any prefix) from its UTF-16LE `units`, when every unit is ASCII
/// (nearly every name is): the units of it, or `Some(None)` when it is not a name; `None` when
/// a unit is not ASCII, for [`decoded_local_name`].
fn ascii_local_name(units: &[u8], attribute: bool) -> Option<Option<&[u8]>> {
    let mut from = 0;
    for (i, u) in units.chunks_exact(2).enumerate() {
        if u[1] != 0 || !u[0].is_ascii() {
            return None;
        }
        if !name_char(char::from(u[0]), attribute) {
            return Some(None);
        }
        if u[0] == b':' {
            from = 2 * (i + 1);
        }
    }
    Some((from < units.len()).then(|| &units[from..]))
}

/// A name's local part (after any prefix), decoded from its UTF-16LE `units`; `None` when it is
/// not a name.
fn decoded_local_name(units: &[u8], attribute: bool) -> Option<String> {
    let units = units
        .chunks_exact(2)
        .map(|u| u16::from_le_bytes([u[0], u[1]]));
    let mut name = String::new();
    for c in char::decode_utf16(units) {
        let c = c.ok()?;
        if !name_char(c, attribute) {
            return None;
        }
        name.push(c);
    }
    let local = match name.rfind(':') {
        Some(at) => name.split_off(at + 1),
        None => name,
    };
    (!local.is_empty()).then_some(local)
}

/// Gives `out` the elements of the record that `values` read, from the chunk's `templates`,
/// and what the crate could have spent rendering it; `None` if a value is where the crate places
/// no element, or its XML could be longer than [`MAX_TEXT`] (then the XML path decides).
pub(crate) fn write(
    templates: &Templates,
    values: &Values,
    scratch: &mut Scratch,
    out: &mut impl Elements,
) -> Option<Spend> {
    let mut w = Writer {
        templates,
        values,
        s: scratch,
        depth: 0,
        spend: Spend::default(),
    };
    w.s.pending.clear();
    let ok = w.instance(0, out);
    w.flush(out);
    (ok && w.spend.out <= MAX_TEXT).then_some(w.spend)
}

/// Working memory of [`write()`], kept from one record to the next.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    /// The text of the current XML text node.
    pending: String,
    /// The values of the current element's attributes.
    attr_text: String,
    /// Its attributes left in: name, and value in `attr_text`.
    spans: Vec<(Span, usize, usize)>,
}

struct Writer<'a> {
    templates: &'a Templates,
    values: &'a Values,
    s: &'a mut Scratch,
    /// Elements open, nested instances' included.
    depth: usize,
    /// What the crate could have spent on what was given so far.
    spend: Spend,
}

impl Writer<'_> {
    /// The elements of instance `index`: its template's, with its values.
    fn instance(&mut self, index: u32, out: &mut impl Elements) -> bool {
        let (t, _, _) = self.values.instances[index as usize];
        let Some(template) = self.templates.get(t) else {
            return false;
        };
        let values = self.values;
        let ops = &template.ops;
        let mut depth = 0usize;
        let mut i = 0;
        while i < ops.len() {
            self.spend.nodes += 2;
            match ops[i] {
                Op::Open {
                    name,
                    dependency,
                    attrs,
                    empty,
                    next,
                } => {
                    if values.leaves_out(index, depth, dependency) {
                        i = next as usize;
                        continue;
                    }
                    self.flush(out);
                    i += 1;
                    self.s.attr_text.clear();
                    self.s.spans.clear();
                    for _ in 0..attrs {
                        let Op::Attr { name, parts } = ops[i] else {
                            return false;
                        };
                        i += 1;
                        let parts = usize::from(parts);
                        self.spend.nodes += 2 * (1 + parts);
                        let start = self.s.attr_text.len();
                        let text = &mut self.s.attr_text;
                        if values
                            .attribute(template, index, &ops[i..i + parts], text)
                            .is_none()
                        {
                            return false;
                        }
                        i += parts;
                        // An attribute with an empty value is left out.
                        if self.s.attr_text.len() > start {
                            self.s.spans.push((name, start, self.s.attr_text.len()));
                            self.spend.attribute(name, self.s.attr_text.len() - start);
                        }
                    }
                    self.spend.element(name);
                    let name = template.str(name);
                    if self.spend.out > MAX_TEXT || (!empty && self.depth >= MAX_DEPTH) {
                        return false;
                    }
                    let s = &*self.s;
                    let pair = |k: usize| {
                        let (name, start, end) = s.spans[k];
                        (template.str(name), &s.attr_text[start..end])
                    };
                    // The pairs on the stack, without filling room for the most there can be.
                    let mut open = |attrs: &[(&str, &str)]| match empty {
                        true => out.empty(name, attrs),
                        false => out.start(name, attrs),
                    };
                    match s.spans.len() {
                        0 => open(&[]),
                        1 => open(&[pair(0)]),
                        2 => open(&[pair(0), pair(1)]),
                        3 => open(&[pair(0), pair(1), pair(2)]),
                        n => open(&(0..n).map(pair).collect::<Vec<_>>()),
                    }
                    if !empty {
                        depth += 1;
                        self.depth += 1;
                    }
                }
                Op::Text(s) => {
                    self.s.pending.push_str(template.str(s));
                    i += 1;
                }
                Op::Sub(v) => {
                    match values.get(index, v) {
                        Val::Text(a, b) => self.s.pending.push_str(values.str(a, b)),
                        Val::Null => {}
                        Val::Nested(inner) => {
                            self.flush(out);
                            if !self.instance(inner, out) {
                                return false;
                            }
                        }
                    }
                    i += 1;
                }
                Op::End(name) => {
                    self.flush(out);
                    out.end(template.str(name));
                    depth = depth.saturating_sub(1);
                    self.depth = self.depth.saturating_sub(1);
                    i += 1;
                }
                Op::Attr { .. } => return false,
            }
        }
        true
    }

    /// Gives `out` the current XML text node.
    fn flush(&mut self, out: &mut impl Elements) {
        self.spend.text(self.s.pending.len());
        text_node(&self.s.pending, out);
        self.s.pending.clear();
    }
}

/// Gives `out` one XML text node as the parser reads the crate's XML of it: the runs between the
/// characters the XML escapes, and each of those on its own (a reference).
fn text_node(text: &str, out: &mut impl Elements) {
    let mut rest = text;
    while let Some(at) = memchr::memchr3(b'&', b'<', b'>', rest.as_bytes()) {
        if at > 0 {
            out.text(&rest[..at]);
        }
        out.text(&rest[at..at + 1]);
        rest = &rest[at + 1..];
    }
    if !rest.is_empty() {
        out.text(rest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decoder::EventParser;

    /// Text as the crate's XML writes it.
    fn escaped(text: &str) -> String {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    }

    const NAME_AT: usize = 64;
    const TEMPLATE_AT: u32 = 9000;

    /// A chunk with one element name, `name`, and one template definition whose body is a
    /// fragment header, what `elements` writes (given the bytes of a start of element by that
    /// name, from its token), and the end of the fragment.
    fn chunk_with_template(
        name: &str,
        elements: impl Fn(&mut Vec<u8>, &dyn Fn(u8) -> Vec<u8>),
    ) -> Vec<u8> {
        let name: Vec<u16> = name.encode_utf16().collect();
        let mut data = vec![0u8; 65536];
        // next string, hash, length, the characters, NUL
        data[NAME_AT + 6..NAME_AT + 8].copy_from_slice(&(name.len() as u16).to_le_bytes());
        for (i, u) in name.iter().enumerate() {
            data[NAME_AT + 8 + 2 * i..NAME_AT + 10 + 2 * i].copy_from_slice(&u.to_le_bytes());
        }
        let element = |token: u8| {
            let mut e = vec![token, 0xff, 0xff, 0, 0, 0, 0];
            e.extend_from_slice(&(NAME_AT as u32).to_le_bytes());
            e
        };
        let mut body = vec![0x0f, 1, 1, 0];
        elements(&mut body, &element);
        body.push(0x00);
        let at = TEMPLATE_AT as usize;
        data[at + 20..at + 24].copy_from_slice(&(body.len() as u32).to_le_bytes());
        data[at + 24..at + 24 + body.len()].copy_from_slice(&body);
        data
    }

    /// A name that thousands of elements use (a crafted template) is held once: the template's
    /// memory is bounded by the chunk's bytes, not by how often a name is used.
    #[test]
    fn a_name_used_by_many_elements_is_held_once() {
        let name = "長い名前".repeat(1000);
        let uses = 4000;
        let data = chunk_with_template(&name, |body, element| {
            body.extend(element(0x01));
            body.push(0x02);
            for _ in 0..uses {
                body.extend(element(0x01));
                body.push(0x03);
            }
            body.push(0x04);
        });
        let t = Template::parse(&data, TEMPLATE_AT).expect("a template of elements");
        let one = name.len();
        assert_eq!(t.text.len(), one, "the name once, not {uses} times");
        assert_eq!(t.ops.len(), uses + 2);
        assert!(t.size() < 2 * data.len(), "{} bytes", t.size());
    }

    /// An ASCII name is taken unit by unit, and gives what decoding it gives: its local part,
    /// or nothing when it is not a name; a name with other characters is decoded.
    #[test]
    fn ascii_names_read_as_their_decoded_text() {
        let units = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
        for name in [
            "EventID",
            "Data",
            "xmlns",
            "auto-ns2:Name",
            "a.b_c-1",
            ":x",
            "x:",
            "a:b:c",
            "",
            ":",
            "bad name",
            "a<b",
            "x\u{7f}",
            "Bäcker",
            "長い名前",
            "p:名前",
        ] {
            for attribute in [false, true] {
                let u = units(name);
                let decoded = decoded_local_name(&u, attribute);
                match ascii_local_name(&u, attribute) {
                    // Not a name as soon as an ASCII unit says so, whatever follows.
                    Some(local) => {
                        let local =
                            local.map(|l| l.iter().step_by(2).map(|&b| char::from(b)).collect());
                        assert_eq!(local, decoded, "{name:?}, attribute {attribute}");
                    }
                    None => assert!(!name.is_ascii(), "{name:?}"),
                }
            }
        }
        assert_eq!(
            decoded_local_name(&units("auto-ns2:Name"), true).as_deref(),
            Some("Name")
        );
        assert_eq!(decoded_local_name(&units("auto-ns2:Name"), false), None);
    }

    /// A template nested deeper than the event parser follows is left to the XML path whole,
    /// however many of its elements a record would leave out (the crate refuses the deepest).
    #[test]
    fn a_template_nested_too_deep_is_left_to_the_xml_path() {
        let nested = |depth: usize| {
            chunk_with_template("A", move |body, element| {
                for _ in 0..depth {
                    body.extend(element(0x01));
                    body.push(0x02);
                }
                body.extend(std::iter::repeat_n(0x04, depth));
            })
        };
        assert!(Template::parse(&nested(MAX_DEPTH), TEMPLATE_AT).is_some());
        assert!(Template::parse(&nested(MAX_DEPTH + 1), TEMPLATE_AT).is_none());
        assert!(Template::parse(&nested(600), TEMPLATE_AT).is_none());
    }

    /// UTF-16 text is the text of its characters, whatever unit sits where: the four-at-a-time
    /// path for printable ASCII gives way to decoding at the first unit it does not take.
    #[test]
    fn utf16_text_is_decoded_whatever_stands_where() {
        let specials: [u16; 10] = [
            0x09, 0x1f, 0x20, 0x7e, 0x7f, 0x80, 0xe9, 0xd800, 0xdc00, 0xfffe,
        ];
        let expected = |units: &[u16]| -> String {
            char::decode_utf16(units.iter().copied())
                .map(|c| c.map_or('_', xml_char))
                .collect()
        };
        let mut ours = String::new();
        for len in 0..140 {
            let base: Vec<u16> = (0..len)
                .map(|i| u16::from(b'a') + (i % 26) as u16)
                .collect();
            let mut cases = vec![base.clone()];
            for at in 0..len {
                for &sp in &specials {
                    let mut units = base.clone();
                    units[at] = sp;
                    cases.push(units);
                }
            }
            // A surrogate pair at every place.
            for at in 0..len.saturating_sub(1) {
                let mut units = base.clone();
                units[at..at + 2].copy_from_slice(&[0xd83d, 0xde00]);
                cases.push(units);
            }
            // Two units decoded one by one, at every distance: the fast path starts again
            // between and after them.
            for at in 0..len {
                for then in at + 1..len.min(at + 12) {
                    for (first, second) in [(0xe9, 0x0a), (0xd800, 0xdc00), (0xdbff, 0x41)] {
                        let mut units = base.clone();
                        units[at] = first;
                        units[then] = second;
                        cases.push(units);
                    }
                }
            }
            for units in cases {
                let bytes: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
                ours.clear();
                push_utf16(&mut ours, &bytes);
                assert_eq!(ours, expected(&units), "{units:x?}");
            }
        }
    }

    /// FILETIMEs are written as the crate writes them, over its whole range.
    #[test]
    fn filetimes_are_the_crate_text_of_them() {
        use evtx::binxml::value_variant::{BinXmlValue, FileTime};
        let step = 1_000_000_000_000_037u64;
        let times = (0..u64::MAX - step).step_by(step as usize).chain([
            0,
            1,
            131_116_874_743_460_000,
            i64::MAX as u64,
            i64::MAX as u64 + 1,
            u64::MAX,
        ]);
        for t in times {
            let mut ours = String::new();
            write_filetime(&mut ours, t);
            assert_eq!(
                ours,
                BinXmlValue::FileTimeType(FileTime(t)).to_string(),
                "{t}"
            );
        }
    }

    /// Numbers are written as `format!` writes them, over the whole range of each width.
    #[test]
    fn numbers_are_written_as_format_writes_them() {
        let step = 0x0123_4567_89ab_cdefu64;
        let edges = [
            0,
            1,
            9,
            10,
            15,
            16,
            99,
            100,
            255,
            256,
            65_535,
            65_536,
            u32::MAX as u64,
        ];
        let values = (0..u64::MAX - step)
            .step_by(step as usize / 3)
            .chain(edges)
            .chain(edges.map(|e| u64::MAX - e));
        let mut ours = String::new();
        for n in values {
            let signed = n as i64;
            type Push = fn(&mut String, u64);
            let cases: [(Push, String); 7] = [
                (|o, n| push_dec(o, n), format!("{n}")),
                (|o, n| push_signed(o, n as i64), format!("{signed}")),
                (
                    |o, n| value::push_decimal(o, n % 10_000, 4),
                    format!("{:04}", n % 10_000),
                ),
                (
                    |o, n| value::push_decimal(o, n % 10_000_000, 7),
                    format!("{:07}", n % 10_000_000),
                ),
                (|o, n| push_0x(o, n), format!("0x{n:x}")),
                (
                    |o, n| push_hex(o, n & 0xff, 2, HEX_UPPER),
                    format!("{:02X}", n & 0xff),
                ),
                (
                    |o, n| push_hex(o, n & 0xffff_ffff, 8, HEX_LOWER),
                    format!("{:08x}", n & 0xffff_ffff),
                ),
            ];
            for (i, (push, expected)) in cases.into_iter().enumerate() {
                ours.clear();
                push(&mut ours, n);
                assert_eq!(ours, expected, "case {i}, {n}");
            }
        }
    }

    /// Text nodes the XML escapes parts of, in every kind of place an event holds text (list
    /// markers at the root included), give the same event from the XML and from the elements.
    #[test]
    fn text_nodes_decode_as_the_xml_of_them() {
        let texts = [
            "a&b", "&&", "<>", " - ", "-", "-&", "&-", "x&amp;", "a\tb\r\n", "]]>", "",
        ];
        for text in texts {
            let x = escaped(text);
            let xml = format!(
                "<Event>{x}<System>{x}<EventID>4624</EventID><Computer>{x}</Computer>{x}</System>\
                 <EventData>{x}<Data Name='a'>{x}</Data><Data>{x}x{x}</Data>{x}</EventData>{x}\
                 <UserData><Root>{x}<Leaf>{x}</Leaf>{x}<Mixed>{x}<Inner/>{x}</Mixed></Root>\
                 </UserData></Event>"
            );
            let mut parser = EventParser::default();
            let via_xml = parser.parse(&xml);
            let built = parser.build(64, |b| {
                b.start("Event", &[]);
                text_node(text, b);
                b.start("System", &[]);
                text_node(text, b);
                b.start("EventID", &[]);
                text_node("4624", b);
                b.end("EventID");
                b.start("Computer", &[]);
                text_node(text, b);
                b.end("Computer");
                text_node(text, b);
                b.end("System");
                b.start("EventData", &[]);
                text_node(text, b);
                b.start("Data", &[("Name", "a")]);
                text_node(text, b);
                b.end("Data");
                b.start("Data", &[]);
                text_node(&format!("{text}x{text}"), b);
                b.end("Data");
                text_node(text, b);
                b.end("EventData");
                text_node(text, b);
                b.start("UserData", &[]);
                b.start("Root", &[]);
                text_node(text, b);
                b.start("Leaf", &[]);
                text_node(text, b);
                b.end("Leaf");
                text_node(text, b);
                b.start("Mixed", &[]);
                text_node(text, b);
                b.empty("Inner", &[]);
                text_node(text, b);
                b.end("Mixed");
                b.end("Root");
                b.end("UserData");
                b.end("Event");
            });
            assert_eq!(via_xml, built, "{text:?}");
        }
    }

    /// The template definitions of the chunk `data`: those its table of hash buckets points
    /// at, and those each definition links to.
    fn definitions(data: &[u8]) -> Vec<u32> {
        let mut found = Vec::new();
        for bucket in 0..32 {
            let mut at = read_u32(data, 384 + 4 * bucket).unwrap_or(0);
            while at != 0 && !found.contains(&at) && found.len() < 1000 {
                found.push(at);
                at = read_u32(data, at as usize).unwrap_or(0);
            }
        }
        found
    }

    /// Whether two parses gave the same template: its steps and its text.
    fn same(a: Option<&Template>, b: Option<&Template>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => {
                format!("{:?}", a.ops) == format!("{:?}", b.ops) && a.text == b.text
            }
            (None, None) => true,
            _ => false,
        }
    }

    fn kept_count(kept: &Kept) -> usize {
        kept.by_guid.values().map(Vec::len).sum()
    }

    fn security_chunks() -> Vec<Vec<u8>> {
        let file = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/evtx/security.evtx"
        ))
        .expect("the sample");
        file[4096..]
            .chunks_exact(65536)
            .map(<[u8]>::to_vec)
            .collect()
    }

    /// A real log's chunks define the same templates again, each at its own offsets and with
    /// its own names' offsets: most are taken from the first chunk that parsed them, and each is
    /// what parsing its own chunk gives.
    #[test]
    fn templates_defined_again_in_later_chunks_are_the_ones_parsed_before() {
        let mut kept = Kept::default();
        let (mut taken, mut total) = (0, 0);
        for (number, chunk) in security_chunks().iter().enumerate() {
            for at in definitions(chunk) {
                let before = kept_count(&kept);
                let got = kept.parse(chunk, at);
                assert!(
                    same(got.as_deref(), Template::parse(chunk, at).as_ref()),
                    "chunk {number}, definition at {at}"
                );
                if number > 0 && got.is_some() {
                    total += 1;
                    taken += usize::from(kept_count(&kept) == before);
                }
            }
        }
        assert!(total > 100, "{total} definitions after the first chunk");
        assert!(
            taken * 4 > total * 3,
            "{taken} of {total} taken from earlier chunks"
        );
    }

    /// Every byte of a later chunk's definitions, and of the names they refer to, changed in
    /// turn: what the kept templates give is always what parsing the changed chunk gives (a
    /// changed name, a name now inline or now elsewhere, a changed size, token or value type).
    #[test]
    fn a_kept_template_is_taken_only_for_the_same_definition() {
        let chunks = security_chunks();
        let mut kept = Kept::default();
        for at in definitions(&chunks[0]) {
            kept.parse(&chunks[0], at);
        }
        let mut chunk = chunks[1].clone();
        let mut changed = 0;
        for at in definitions(&chunks[1]).into_iter().take(3) {
            let t = Template::parse(&chunk, at).expect("a template of the sample");
            let start = at as usize + 24;
            let mut places: Vec<usize> = (at as usize..start + t.reach).collect();
            for r in &t.refs {
                let name = read_u32(&chunk, start + r.at as usize).unwrap() as usize;
                let count = usize::from(u16::from_le_bytes([chunk[name + 6], chunk[name + 7]]));
                places.extend(name..name + 10 + 2 * count);
            }
            for place in places {
                for flip in [0x01, 0x80] {
                    chunk[place] ^= flip;
                    let fresh = Template::parse(&chunk, at);
                    assert!(
                        same(kept.parse(&chunk, at).as_deref(), fresh.as_ref()),
                        "definition at {at}, byte {place} ^ {flip:#x}"
                    );
                    chunk[place] ^= flip;
                    changed += 1;
                }
            }
        }
        assert!(changed > 1000, "{changed} changes");
    }

    /// A crafted file whose chunks define template after template under new GUIDs: what is
    /// kept stays within its bound, and a GUID whose template was not kept leaves nothing behind.
    #[test]
    fn kept_templates_stay_within_their_bound() {
        let mut data = chunk_with_template("Event", |body, element| {
            body.extend(element(0x01));
            body.push(0x02);
            body.push(0x04);
        });
        let mut kept = Kept::default();
        let at = TEMPLATE_AT as usize;
        let many = 100_000u32;
        for guid in 0..many {
            data[at + 4..at + 8].copy_from_slice(&guid.to_le_bytes());
            assert!(kept.parse(&data, TEMPLATE_AT).is_some());
        }
        assert!(kept.held <= MAX_KEPT, "{} bytes held", kept.held);
        let count = kept_count(&kept);
        assert!(count > 1000 && count < many as usize, "{count} kept");
        assert_eq!(kept.by_guid.len(), count, "one entry per template kept");
        assert!(count <= MAX_KEPT_GUIDS);
        // The first GUID's template is still taken from what was kept.
        data[at + 4..at + 8].copy_from_slice(&0u32.to_le_bytes());
        kept.parse(&data, TEMPLATE_AT);
        assert_eq!(kept_count(&kept), count);
    }

    /// Two elements named by one name in the first chunk, and by two copies of it in the next:
    /// the same text, but the parse keeps a name once per place, so the second chunk's template
    /// is not the first's.
    #[test]
    fn a_kept_template_shares_its_names_as_the_definition_does() {
        let first = chunk_with_template("Event", |body, element| {
            body.extend(element(0x01));
            body.push(0x02);
            body.extend(element(0x01));
            body.push(0x03);
            body.push(0x04);
        });
        let mut kept = Kept::default();
        kept.parse(&first, TEMPLATE_AT);
        let mut next = first.clone();
        // The child's name offset (after the fragment header, the root's 11 bytes and its
        // close of the start tag, at byte 7 of the child) points at a copy of the name.
        let copy = NAME_AT + 512;
        next.copy_within(NAME_AT..NAME_AT + 32, copy);
        let field = TEMPLATE_AT as usize + 24 + 4 + 11 + 1 + 7;
        assert_eq!(read_u32(&next, field), Some(NAME_AT as u32));
        next[field..field + 4].copy_from_slice(&(copy as u32).to_le_bytes());
        let fresh = Template::parse(&next, TEMPLATE_AT).expect("a template of two elements");
        assert_eq!(fresh.text, "EventEvent");
        assert!(same(
            kept.parse(&next, TEMPLATE_AT).as_deref(),
            Some(&fresh)
        ));
        // And the first chunk's template is still taken for a chunk like the first.
        let before = kept_count(&kept);
        assert!(same(
            kept.parse(&first, TEMPLATE_AT).as_deref(),
            Template::parse(&first, TEMPLATE_AT).as_ref()
        ));
        assert_eq!(kept_count(&kept), before);
    }
}
