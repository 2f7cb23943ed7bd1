//! Writes generated events as a binary `.evtx` file, laid out as Windows writes one: a 4 KiB
//! file header, then 64 KiB chunks, each with its own string table (element and attribute
//! names, written once per chunk and hashed into 64 buckets) and template table (one BinXML
//! template per event shape, defined inline at its first use in the chunk and referenced after),
//! records that instantiate a template with typed substitution values (SIDs, hex integers,
//! FILETIMEs, GUIDs, strings), and the CRC32s of the file header, each chunk header and each
//! chunk's records.
//!
//! Values are typed as the Security auditing manifest types them (a `%%` code or a key name is a
//! string, a logon ID a 64-bit hex integer, a SID a SID), but only where the evtx crate's
//! rendering of the typed value gives back exactly the generated text; otherwise the value is
//! written as a string, so that reading the file gives the generated events exactly.

use super::sim::{PROVIDER_GUID, PROVIDER_NAME};
use super::GenEvent;
use std::collections::HashMap;
use std::io::{self, Seek, SeekFrom, Write};

const FILE_HEADER: usize = 4096;
const CHUNK: usize = 65536;
const CHUNK_HEADER: usize = 512;
const XMLNS: &str = "http://schemas.microsoft.com/win/2004/08/events/event";
/// FILETIME of the Unix epoch, in 100 ns ticks since 1601.
const EPOCH_TICKS: i64 = 116_444_736_000_000_000;

/// BinXML value types (MS-EVEN6 2.2.3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Kind {
    String = 0x01,
    UInt8 = 0x04,
    UInt16 = 0x06,
    UInt32 = 0x08,
    UInt64 = 0x0A,
    Guid = 0x0F,
    FileTime = 0x11,
    Sid = 0x13,
    HexInt32 = 0x14,
    HexInt64 = 0x15,
}

/// One substitution value, encoded.
struct Value {
    kind: Kind,
    bytes: Vec<u8>,
}

impl Value {
    fn string(s: &str) -> Self {
        Self {
            kind: Kind::String,
            bytes: utf16(s),
        }
    }

    fn of(kind: Kind, bytes: &[u8]) -> Self {
        Self {
            kind,
            bytes: bytes.to_vec(),
        }
    }
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// The typed value of Data field `name`, when the evtx crate renders it back as `value`.
fn data_value(name: &str, value: &str) -> Value {
    let hex = |v: &str| {
        v.strip_prefix("0x")
            .and_then(|d| u64::from_str_radix(d, 16).ok())
    };
    let typed = match name {
        "SubjectLogonId" | "TargetLogonId" | "TargetLinkedLogonId" | "LogonId" => hex(value)
            .filter(|v| format!("{v:#x}") == value)
            .map(|v| Value::of(Kind::HexInt64, &v.to_le_bytes())),
        "ReturnCode" | "Status" | "SubStatus" => hex(value)
            .and_then(|v| u32::try_from(v).ok())
            .filter(|v| format!("{v:#x}") == value)
            .map(|v| Value::of(Kind::HexInt32, &v.to_le_bytes())),
        _ if name.ends_with("Sid") => sid(value).map(|b| Value::of(Kind::Sid, &b)),
        _ if name.ends_with("Guid") => guid(value)
            .filter(|_| value == value.to_ascii_lowercase())
            .map(|b| Value::of(Kind::Guid, &b)),
        _ => None,
    };
    typed.unwrap_or_else(|| Value::string(value))
}

/// A SID in its binary form, if `s` is one written canonically (`S-1-5-21-…`).
fn sid(s: &str) -> Option<Vec<u8>> {
    let mut parts = s.strip_prefix("S-")?.split('-');
    let revision: u8 = parts.next()?.parse().ok()?;
    let authority: u64 = parts.next()?.parse().ok()?;
    let subs: Vec<u32> = parts.map(str::parse).collect::<Result<_, _>>().ok()?;
    if revision != 1 || authority >= 1 << 32 || subs.is_empty() || subs.len() > 15 {
        return None;
    }
    let mut out = vec![revision, subs.len() as u8];
    out.extend_from_slice(&authority.to_be_bytes()[2..]);
    for sub in &subs {
        out.extend_from_slice(&sub.to_le_bytes());
    }
    // Only if it reads back as written (no leading zeros, no `+`).
    let back = format!(
        "S-1-{authority}-{}",
        subs.iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join("-")
    );
    (back == s).then_some(out)
}

/// A GUID `{d1-d2-d3-d4-d5}` in its binary form (first three groups little endian).
fn guid(s: &str) -> Option<[u8; 16]> {
    let hex: String = s
        .trim_start_matches('{')
        .trim_end_matches('}')
        .replace('-', "");
    if hex.len() != 32 || s.len() != 38 {
        return None;
    }
    let mut b = [0u8; 16];
    for (i, byte) in b.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    b[0..4].reverse();
    b[4..6].reverse();
    b[6..8].reverse();
    Some(b)
}

/// A name's 16-bit hash as the string table keeps it.
fn name_hash(name: &str) -> u16 {
    let mut hash: u32 = 0;
    for unit in name.encode_utf16() {
        hash = hash.wrapping_mul(65599).wrapping_add(u32::from(unit));
    }
    hash as u16
}

/// What makes two events share a template: their ID, version and Data names and types.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Shape {
    event_id: u32,
    version: u8,
    fields: Vec<(String, Kind)>,
}

impl Shape {
    fn id(&self) -> u32 {
        // FNV-1a over the shape: a stable template ID and GUID.
        let mut h: u32 = 0x811c_9dc5;
        let mut eat = |bytes: &[u8]| {
            for &b in bytes {
                h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
            }
        };
        eat(&self.event_id.to_le_bytes());
        eat(&[self.version]);
        for (n, k) in &self.fields {
            eat(n.as_bytes());
            eat(&[*k as u8]);
        }
        h
    }
}

/// One chunk being filled.
struct Chunk {
    data: Vec<u8>,
    names: HashMap<String, u32>,
    templates: HashMap<Shape, u32>,
    strings: [u32; 64],
    template_table: [u32; 32],
    first_id: u64,
    last_id: u64,
    last_record: u32,
    records: u64,
}

/// What writing one record added to the chunk, to take back if it does not fit.
#[derive(Default)]
struct Undo {
    names: Vec<(String, usize, u32)>,
    template: Option<(Shape, usize, u32)>,
}

impl Chunk {
    fn new() -> Self {
        let mut data = Vec::with_capacity(CHUNK);
        data.resize(CHUNK_HEADER, 0);
        Self {
            data,
            names: HashMap::new(),
            templates: HashMap::new(),
            strings: [0; 64],
            template_table: [0; 32],
            first_id: 0,
            last_id: 0,
            last_record: 0,
            records: 0,
        }
    }

    fn pos(&self) -> u32 {
        self.data.len() as u32
    }

    fn u8(&mut self, v: u8) {
        self.data.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.data.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.data.extend_from_slice(&v.to_le_bytes());
    }
    /// A u32 to fill in later: its offset.
    fn placeholder(&mut self) -> usize {
        let at = self.data.len();
        self.u32(0);
        at
    }
    /// Fills the placeholder at `at` with the bytes written after it.
    fn patch_size(&mut self, at: usize) {
        let size = (self.data.len() - at - 4) as u32;
        self.data[at..at + 4].copy_from_slice(&size.to_le_bytes());
    }

    /// A reference to `name`, written inline (and added to the string table) the first time.
    fn name(&mut self, name: &str, undo: &mut Undo) {
        if let Some(&at) = self.names.get(name) {
            self.u32(at);
            return;
        }
        let at = self.pos() + 4;
        self.u32(at);
        let hash = name_hash(name);
        let bucket = usize::from(hash) % 64;
        undo.names
            .push((name.to_string(), bucket, self.strings[bucket]));
        self.u32(self.strings[bucket]);
        self.strings[bucket] = at;
        self.u16(hash);
        let units = utf16(name);
        self.u16((units.len() / 2) as u16);
        self.data.extend_from_slice(&units);
        self.u16(0);
        self.names.insert(name.to_string(), at);
    }

    /// An element start in a template: attributes `attrs` (name, literal value or
    /// substitution), then either `>` or `/>`. Returns the element's size placeholder.
    fn open(&mut self, name: &str, attrs: &[(&str, Attr<'_>)], undo: &mut Undo) -> usize {
        self.u8(if attrs.is_empty() { 0x01 } else { 0x41 });
        self.u16(0xFFFF);
        let size = self.placeholder();
        self.name(name, undo);
        if !attrs.is_empty() {
            let list = self.placeholder();
            for (i, (attr, value)) in attrs.iter().enumerate() {
                self.u8(if i + 1 < attrs.len() { 0x46 } else { 0x06 });
                self.name(attr, undo);
                self.content(value);
            }
            self.patch_size(list);
        }
        size
    }

    fn content(&mut self, value: &Attr<'_>) {
        match *value {
            Attr::Text(text) => {
                self.u8(0x05);
                self.u8(Kind::String as u8);
                let units = utf16(text);
                self.u16((units.len() / 2) as u16);
                self.data.extend_from_slice(&units);
            }
            Attr::Sub(index, kind) => {
                self.u8(0x0D);
                self.u16(index);
                self.u8(kind as u8);
            }
        }
    }

    /// `<name attrs/>`.
    fn empty(&mut self, name: &str, attrs: &[(&str, Attr<'_>)], undo: &mut Undo) {
        let size = self.open(name, attrs, undo);
        self.u8(0x03);
        self.patch_size(size);
    }

    /// `<name attrs>content</name>`.
    fn leaf(&mut self, name: &str, attrs: &[(&str, Attr<'_>)], content: Attr<'_>, undo: &mut Undo) {
        let size = self.open(name, attrs, undo);
        self.u8(0x02);
        self.content(&content);
        self.u8(0x04);
        self.patch_size(size);
    }

    /// The template of `shape`: the System part every Security event shares, then its Data.
    fn template(&mut self, shape: &Shape, undo: &mut Undo) {
        use Attr::{Sub, Text};
        // Fragment header.
        self.data.extend_from_slice(&[0x0F, 0x01, 0x01, 0x00]);
        let event = self.open("Event", &[("xmlns", Text(XMLNS))], undo);
        self.u8(0x02);
        let system = self.open("System", &[], undo);
        self.u8(0x02);
        self.empty(
            "Provider",
            &[("Name", Text(PROVIDER_NAME)), ("Guid", Text(PROVIDER_GUID))],
            undo,
        );
        self.leaf("EventID", &[], Sub(0, Kind::UInt16), undo);
        self.leaf("Version", &[], Sub(1, Kind::UInt8), undo);
        self.leaf("Level", &[], Sub(2, Kind::UInt8), undo);
        self.leaf("Task", &[], Sub(3, Kind::UInt16), undo);
        self.leaf("Opcode", &[], Sub(4, Kind::UInt8), undo);
        self.leaf("Keywords", &[], Sub(5, Kind::HexInt64), undo);
        self.empty(
            "TimeCreated",
            &[("SystemTime", Sub(6, Kind::FileTime))],
            undo,
        );
        self.leaf("EventRecordID", &[], Sub(7, Kind::UInt64), undo);
        self.empty("Correlation", &[], undo);
        self.empty(
            "Execution",
            &[
                ("ProcessID", Sub(8, Kind::UInt32)),
                ("ThreadID", Sub(9, Kind::UInt32)),
            ],
            undo,
        );
        self.leaf("Channel", &[], Text("Security"), undo);
        self.leaf("Computer", &[], Sub(10, Kind::String), undo);
        self.empty("Security", &[], undo);
        self.u8(0x04);
        self.patch_size(system);
        let data = self.open("EventData", &[], undo);
        self.u8(0x02);
        for (i, (name, kind)) in shape.fields.iter().enumerate() {
            self.leaf(
                "Data",
                &[("Name", Text(name))],
                Sub(11 + i as u16, *kind),
                undo,
            );
        }
        self.u8(0x04);
        self.patch_size(data);
        self.u8(0x04);
        self.patch_size(event);
        self.u8(0x00);
    }

    /// Appends the record of `e` as record `id`; false (and the chunk as it was) when it does
    /// not fit.
    fn record(&mut self, e: &GenEvent, id: u64) -> bool {
        let start = self.data.len();
        let mut undo = Undo::default();
        let ticks = e.time_nanos.div_euclid(100) + EPOCH_TICKS;
        let mut values = vec![
            Value::of(Kind::UInt16, &(e.event_id as u16).to_le_bytes()),
            Value::of(Kind::UInt8, &[e.version]),
            Value::of(Kind::UInt8, &[e.level]),
            Value::of(Kind::UInt16, &e.task.to_le_bytes()),
            Value::of(Kind::UInt8, &[e.opcode]),
            Value::of(Kind::HexInt64, &e.keywords.to_le_bytes()),
            Value::of(Kind::FileTime, &ticks.to_le_bytes()),
            Value::of(Kind::UInt64, &id.to_le_bytes()),
            Value::of(Kind::UInt32, &e.process_id.to_le_bytes()),
            Value::of(Kind::UInt32, &e.thread_id.to_le_bytes()),
            Value::string(&e.computer),
        ];
        values.extend(e.data.iter().map(|(n, v)| data_value(n, v)));
        let shape = Shape {
            event_id: e.event_id,
            version: e.version,
            fields: e
                .data
                .iter()
                .zip(&values[11..])
                .map(|((n, _), v)| (n.clone(), v.kind))
                .collect(),
        };
        // Record header: magic, size, ID, FILETIME.
        self.data.extend_from_slice(b"**\0\0");
        let size_at = self.placeholder();
        self.data.extend_from_slice(&id.to_le_bytes());
        self.data.extend_from_slice(&ticks.to_le_bytes());
        // BinXML: a fragment with one template instance.
        self.data
            .extend_from_slice(&[0x0F, 0x01, 0x01, 0x00, 0x0C, 0x01]);
        let template = shape.id();
        self.u32(template);
        match self.templates.get(&shape) {
            Some(&at) => self.u32(at),
            None => {
                let at = self.pos() + 4;
                self.u32(at);
                let bucket = template as usize % 32;
                undo.template = Some((shape.clone(), bucket, self.template_table[bucket]));
                self.u32(self.template_table[bucket]);
                self.template_table[bucket] = at;
                let mut guid = [0u8; 16];
                guid[..4].copy_from_slice(&template.to_le_bytes());
                guid[4..8].copy_from_slice(&e.event_id.to_le_bytes());
                self.data.extend_from_slice(&guid);
                let size = self.placeholder();
                self.template(&shape, &mut undo);
                self.patch_size(size);
                self.templates.insert(shape, at);
            }
        }
        self.u32(values.len() as u32);
        for v in &values {
            self.u16(v.bytes.len() as u16);
            self.u8(v.kind as u8);
            self.u8(0);
        }
        for v in &values {
            self.data.extend_from_slice(&v.bytes);
        }
        self.u8(0x00);
        let size = (self.data.len() - start + 4) as u32;
        self.data[size_at..size_at + 4].copy_from_slice(&size.to_le_bytes());
        self.u32(size);
        if self.data.len() > CHUNK {
            self.data.truncate(start);
            for (name, bucket, head) in undo.names.into_iter().rev() {
                self.names.remove(&name);
                self.strings[bucket] = head;
            }
            if let Some((shape, bucket, head)) = undo.template {
                self.templates.remove(&shape);
                self.template_table[bucket] = head;
            }
            return false;
        }
        if self.records == 0 {
            self.first_id = id;
        }
        self.last_id = id;
        self.last_record = start as u32;
        self.records += 1;
        true
    }

    /// The whole chunk: header, tables and checksums filled in, padded to 64 KiB.
    fn finish(mut self) -> Vec<u8> {
        let free = self.data.len() as u32;
        let d = &mut self.data;
        d[0..8].copy_from_slice(b"ElfChnk\0");
        d[8..16].copy_from_slice(&self.first_id.to_le_bytes());
        d[16..24].copy_from_slice(&self.last_id.to_le_bytes());
        d[24..32].copy_from_slice(&self.first_id.to_le_bytes());
        d[32..40].copy_from_slice(&self.last_id.to_le_bytes());
        d[40..44].copy_from_slice(&128u32.to_le_bytes());
        d[44..48].copy_from_slice(&self.last_record.to_le_bytes());
        d[48..52].copy_from_slice(&free.to_le_bytes());
        for (i, &o) in self.strings.iter().enumerate() {
            d[128 + i * 4..132 + i * 4].copy_from_slice(&o.to_le_bytes());
        }
        for (i, &o) in self.template_table.iter().enumerate() {
            d[384 + i * 4..388 + i * 4].copy_from_slice(&o.to_le_bytes());
        }
        let records = crc32(&[&d[CHUNK_HEADER..]]);
        d[52..56].copy_from_slice(&records.to_le_bytes());
        let header = crc32(&[&d[..120], &d[128..CHUNK_HEADER]]);
        d[124..128].copy_from_slice(&header.to_le_bytes());
        self.data.resize(CHUNK, 0);
        self.data
    }
}

#[derive(Clone, Copy)]
enum Attr<'a> {
    Text(&'a str),
    Sub(u16, Kind),
}

fn crc32(parts: &[&[u8]]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    for p in parts {
        h.update(p);
    }
    h.finalize()
}

/// What [`write`] wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Written {
    /// Events (records).
    pub events: u64,
    /// Chunks.
    pub chunks: u64,
    /// Bytes of the file.
    pub bytes: u64,
}

/// Writes `events` as an `.evtx` file, stopping after the chunk in which `until_bytes` is
/// reached (`u64::MAX`: all of them). The file header is written last, once the chunks are
/// counted, hence `Seek`.
///
/// Record IDs are the log's own, 1, 2, 3… in the file, as in any log Windows writes (the
/// generated IDs count per computer, and a log holds one sequence): the evtx crate ends a
/// chunk at the record that carries the chunk's last ID.
pub fn write<W: Write + Seek>(
    events: impl IntoIterator<Item = GenEvent>,
    until_bytes: u64,
    mut out: W,
) -> io::Result<Written> {
    out.write_all(&[0u8; FILE_HEADER])?;
    let mut written = Written {
        events: 0,
        chunks: 0,
        bytes: FILE_HEADER as u64,
    };
    let mut chunk = Chunk::new();
    let mut last_id = 0;
    for e in events {
        if written.bytes >= until_bytes {
            break;
        }
        let id = last_id + 1;
        if !chunk.record(&e, id) {
            out.write_all(&std::mem::replace(&mut chunk, Chunk::new()).finish())?;
            written.chunks += 1;
            written.bytes += CHUNK as u64;
            if !chunk.record(&e, id) {
                return Err(io::Error::other("an event larger than a chunk"));
            }
        }
        last_id = id;
        written.events += 1;
    }
    if chunk.records > 0 {
        out.write_all(&chunk.finish())?;
        written.chunks += 1;
        written.bytes += CHUNK as u64;
    }
    let mut header = [0u8; FILE_HEADER];
    header[0..8].copy_from_slice(b"ElfFile\0");
    header[16..24].copy_from_slice(&written.chunks.saturating_sub(1).to_le_bytes());
    header[24..32].copy_from_slice(&(last_id + 1).to_le_bytes());
    header[32..36].copy_from_slice(&128u32.to_le_bytes());
    header[36..38].copy_from_slice(&1u16.to_le_bytes());
    header[38..40].copy_from_slice(&3u16.to_le_bytes());
    header[40..42].copy_from_slice(&(FILE_HEADER as u16).to_le_bytes());
    let count = u16::try_from(written.chunks).unwrap_or(u16::MAX);
    header[42..44].copy_from_slice(&count.to_le_bytes());
    let crc = crc32(&[&header[..120]]);
    header[124..128].copy_from_slice(&crc.to_le_bytes());
    out.seek(SeekFrom::Start(0))?;
    out.write_all(&header)?;
    out.seek(SeekFrom::End(0))?;
    out.flush()?;
    Ok(written)
}
