//! One ECS document per event, shaped as Elastic's `system.security` data stream writes it
//! (Elastic Agent's `winlog` input, then the integration's ingest pipeline), so that dashboards
//! and detection rules written for that data stream work on keytrail's export; and, under
//! `keytrail.*`, what that integration leaves out.
//!
//! # What matches the integration
//! - `@timestamp` (milliseconds, as the agent writes it), `event.{code,kind,provider,outcome,
//!   action,category,type,module,dataset}`, `host.name`, `log.level`;
//! - `winlog.{channel,computer_name,event_id,record_id,provider_name,provider_guid,version,
//!   opcode,task,keywords,activity_id,process.pid,process.thread.id,logon.id,logon.type}`;
//! - `winlog.event_data.*`: every `<Data>` as the agent renders it (`%%2500` → `"User key."`,
//!   FILETIME values in the agent's `2025-03-19 05:33:45.9196243 +0000 UTC`, unnamed data as
//!   `paramN`), without the empty, `-` and all-zero-GUID values the pipeline drops, and with
//!   the fields the pipeline moves elsewhere (`IpAddress` → `source.ip`…) moved;
//!   `ReturnCodeOutcome` for 5058/5059/5061, `PrivilegeList` split into a list;
//! - `user.*`, `user.target.*`, `user.effective.*`, `related.user`, `related.ip`, `source.*`,
//!   `process.*` as the pipeline's scripts copy them for the event IDs it lists.
//!
//! `event.outcome` comes from the Keywords only, as in the integration: a 5061 logged as Audit
//! Success with `ReturnCode` `0x1` is `success` there (`ReturnCodeOutcome` says `Failure`), and
//! keytrail's own reading is `keytrail.outcome`.
//!
//! # Beyond the integration: `keytrail.*`
//! - `keytrail.event_data_codes`: for each `winlog.event_data` value rendered from an insertion
//!   string, the code Windows logged (`{"KeyType": "%%2500"}`);
//! - `keytrail.outcome`: `success`/`failure` by keytrail's rule (a key event's non-zero
//!   `ReturnCode` is a failure);
//! - `keytrail.session`: the logon session the event ran in (`logon_id`, `logon_type`,
//!   `logon_type_name`, `source_ip`, `source_workstation`, `authentication_package`,
//!   `privileges`, `logon_record_id`), or `well_known` for SYSTEM's and the other fixed
//!   sessions. The CLI's export streams ([`EcsExport::write`]): a session is known once its
//!   4624 has been written (and its privileges once its 4672 has), and forgotten at its
//!   4634/4647, so an event logged before its logon in the file (newest-first exports) carries
//!   none. The page links each event through the worker's index of everything loaded
//!   ([`EcsExport::write_linked`]), whichever rows are exported;
//! - `keytrail.rules`: the ids of the monitoring rules the event matches;
//! - `keytrail.event_name`: the event's title.
//!
//! `message` is keytrail's one-line summary, not Windows' message text.
//!
//! # Document ids
//! [`document_id`] is the `_id` the bulk writer gives each document, so that loading the same
//! export twice adds nothing.

use super::ser;
use crate::decoder::value::parse_number;
use crate::decoder::{table, BodyKind, Event, SysField};
use crate::model::session::{Link, Session};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

const CATEGORIES: &str = include_str!("facts/ecs_security_categories.tsv");

/// How the integration categorises one event ID.
struct Category {
    id: u32,
    category: Vec<&'static str>,
    kind: Vec<&'static str>,
    action: &'static str,
}

fn categories() -> &'static [Category] {
    static T: OnceLock<Vec<Category>> = OnceLock::new();
    T.get_or_init(|| {
        let mut v: Vec<Category> = CATEGORIES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .skip(1)
            .filter_map(|l| {
                let mut cells = l.split('\t');
                Some(Category {
                    id: cells.next()?.parse().ok()?,
                    category: cells.next()?.split(',').collect(),
                    kind: cells.next()?.split(',').collect(),
                    action: cells.next()?,
                })
            })
            .collect();
        v.sort_unstable_by_key(|c| c.id);
        v
    })
}

fn category(id: u32) -> Option<&'static Category> {
    let t = categories();
    t.binary_search_by_key(&id, |c| c.id).ok().map(|i| &t[i])
}

/// A JSON value of a document.
#[derive(Clone, Debug)]
enum Node<'e> {
    Str(Cow<'e, str>),
    Num(u64),
    List(Vec<Node<'e>>),
    Obj(Obj<'e>),
}

/// A JSON object, its keys in insertion order.
#[derive(Clone, Debug, Default)]
struct Obj<'e>(Vec<(Cow<'e, str>, Node<'e>)>);

impl<'e> Obj<'e> {
    /// The object under `key`, made when missing (a value of another kind is replaced).
    fn child(&mut self, key: Cow<'e, str>) -> &mut Obj<'e> {
        let i = match self.0.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                self.0.push((key, Node::Obj(Obj::default())));
                self.0.len() - 1
            }
        };
        if !matches!(self.0[i].1, Node::Obj(_)) {
            self.0[i].1 = Node::Obj(Obj::default());
        }
        match &mut self.0[i].1 {
            Node::Obj(o) => o,
            _ => unreachable!("made an object above"),
        }
    }

    /// Sets `key` (one level) to `value`, replacing what was there.
    fn set(&mut self, key: Cow<'e, str>, value: Node<'e>) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    /// Sets the dotted `path` to `value`.
    fn put(&mut self, path: &'static str, value: Node<'e>) {
        let (parents, last) = match path.rsplit_once('.') {
            Some((p, l)) => (Some(p), l),
            None => (None, path),
        };
        let mut o = self;
        for part in parents.into_iter().flat_map(|p| p.split('.')) {
            o = o.child(Cow::Borrowed(part));
        }
        o.set(Cow::Borrowed(last), value);
    }

    /// Sets the dotted `path` to a string.
    fn put_str(&mut self, path: &'static str, value: impl Into<Cow<'e, str>>) {
        self.put(path, Node::Str(value.into()));
    }

    /// The value at the dotted `path`.
    fn get(&self, path: &str) -> Option<&Node<'e>> {
        let mut node: Option<&Node<'e>> = None;
        let mut o = self;
        for part in path.split('.') {
            let found = &o.0.iter().find(|(k, _)| k == part)?.1;
            node = Some(found);
            if let Node::Obj(inner) = found {
                o = inner;
            }
        }
        node
    }

    /// The string at the dotted `path`.
    fn str(&self, path: &str) -> Option<&str> {
        match self.get(path)? {
            Node::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Appends `value` to the list at `path` unless it is there already.
    fn push_unique(&mut self, path: &'static str, value: Cow<'e, str>) {
        let (parent, last) = path.rsplit_once('.').unwrap_or(("", path));
        let mut o = self;
        for part in parent.split('.').filter(|p| !p.is_empty()) {
            o = o.child(Cow::Borrowed(part));
        }
        match o.0.iter_mut().find(|(k, _)| k == last) {
            Some((_, Node::List(items))) => {
                if !items
                    .iter()
                    .any(|n| matches!(n, Node::Str(s) if *s == value))
                {
                    items.push(Node::Str(value));
                }
            }
            Some(slot) => slot.1 = Node::List(vec![Node::Str(value)]),
            None => {
                o.0.push((Cow::Borrowed(last), Node::List(vec![Node::Str(value)])))
            }
        }
    }

    /// Removes `key` (one level), returning its value.
    fn take(&mut self, key: &str) -> Option<Node<'e>> {
        let i = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(i).1)
    }
}

impl Serialize for Node<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Str(v) => s.serialize_str(v),
            Node::Num(n) => s.serialize_u64(*n),
            Node::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Node::Obj(o) => o.serialize(s),
        }
    }
}

impl Serialize for Obj<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k.as_ref(), v)?;
        }
        map.end()
    }
}

/// A logon session as the stream has shown it so far.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SessionNote {
    logon_type: Option<u64>,
    ip: String,
    workstation: String,
    package: String,
    privileges: Vec<String>,
    record_id: Option<u64>,
}

impl From<&Session> for SessionNote {
    fn from(s: &Session) -> Self {
        Self {
            logon_type: s.logon_type,
            ip: s.ip_address.trim().to_string(),
            workstation: s.workstation.trim().to_string(),
            package: s.authentication_package.trim().to_string(),
            privileges: s.privileges.clone(),
            record_id: s.logon_record,
        }
    }
}

/// Writes ECS documents for a stream of events, remembering the logon sessions seen so far
/// (see the [module documentation](self)).
///
/// ```
/// use keytrail::model::export::ecs::EcsExport;
/// let xml = "<Event><System><EventID>5059</EventID><Channel>Security</Channel>\
///            <Computer>WS1</Computer><EventRecordID>7</EventRecordID></System><EventData>\
///            <Data Name='KeyType'>%%2500</Data></EventData></Event>";
/// let (events, _, _) = keytrail::decoder::decode_all(xml.as_bytes());
/// let mut line = String::new();
/// EcsExport::new().write(&events[0], Some("Key migration operation"), &[], &mut line);
/// assert!(line.contains(r#""KeyType":"User key.""#));
/// assert!(line.contains(r#""event_data_codes":{"KeyType":"%%2500"}"#));
/// assert!(line.contains(r#""event_name":"Key migration operation""#));
/// ```
#[derive(Default)]
pub struct EcsExport {
    /// Sessions by (computer in lower case, logon ID): open ones, and in a part those it
    /// closed or gave privileges to.
    sessions: HashMap<SessionKey, Known>,
    /// Whether this writer starts inside a file ([`EcsExport::part`]): a session it has not
    /// seen may have been opened before it.
    part: bool,
}

/// A logon session's key: the computer in lower case, the logon ID.
pub type SessionKey = (String, u64);

/// What a writer knows of a session.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Known {
    /// Opened (a 4624) and not closed since.
    Open(SessionNote),
    /// Closed (a 4634/4647) and not opened again since: in a part only (elsewhere a closed
    /// session is forgotten).
    Closed,
    /// In a part, a session it did not see opened, given these privileges by a 4672.
    Privileges(Vec<String>),
}

/// A document a part's writer could not finish ([`EcsExport::write_part`]): its event ran in a
/// session the part did not see opened, which an earlier part of the file may have. The
/// writer of the file's earlier parts finishes it ([`EcsSessions::finish`]).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Hole {
    key: SessionKey,
    /// Privileges a 4672 of the part gave the session before the event.
    privileges: Option<Vec<String>>,
    /// The logon ID as logged (trimmed).
    logon_id: String,
    /// The text before the `keytrail.session` object, and after it.
    before: String,
    after: String,
    /// The whole text if the session is not open.
    without: String,
}

impl Hole {
    /// Puts `head` before the document and `tail` after it (a `_bulk` action line, the line
    /// end), whichever way it is finished.
    pub fn wrap(&mut self, head: &str, tail: &str) {
        self.before.insert_str(0, head);
        self.without.insert_str(0, head);
        self.after.push_str(tail);
        self.without.push_str(tail);
    }
}

/// The sessions open at a place in a file, from the changes of its parts before that place
/// ([`EcsExport::changes`]): what finishes the [`Hole`]s of the next part.
#[derive(Default)]
pub struct EcsSessions(HashMap<SessionKey, SessionNote>);

impl EcsSessions {
    /// Applies the changes of the next part, once every document of it is written.
    pub fn apply(&mut self, changes: Vec<(SessionKey, Known)>) {
        for (key, known) in changes {
            match known {
                Known::Open(note) => {
                    self.0.insert(key, note);
                }
                Known::Closed => {
                    self.0.remove(&key);
                }
                Known::Privileges(p) => {
                    if let Some(note) = self.0.get_mut(&key) {
                        note.privileges = p;
                    }
                }
            }
        }
    }

    /// Appends the document of `hole` as the writer of the whole file would have written it.
    pub fn finish(&self, hole: &Hole, out: &mut String) {
        let Some(note) = self.0.get(&hole.key) else {
            out.push_str(&hole.without);
            return;
        };
        let mut note = Cow::Borrowed(note);
        if let Some(p) = &hole.privileges {
            note.to_mut().privileges.clone_from(p);
        }
        let mut d = Obj::default();
        session_fields(&hole.logon_id, &note, &mut d);
        out.push_str(&hole.before);
        if let Some(session) = d.get("keytrail.session") {
            let _ = session.serialize(ser::Json(out));
        }
        out.push_str(&hole.after);
    }
}

/// `keytrail.session.*` of an open session.
fn session_fields<'e>(logon_id: &'e str, s: &SessionNote, d: &mut Obj<'e>) {
    d.put_str("keytrail.session.logon_id", logon_id);
    if let Some(t) = s.logon_type {
        d.put("keytrail.session.logon_type", Node::Num(t));
        if let Some(n) = table::logon_type_name(t) {
            d.put_str("keytrail.session.logon_type_name", n);
        }
    }
    let mut text = |path, v: &str| {
        if !dropped(v) {
            d.put_str(path, v.to_string());
        }
    };
    text("keytrail.session.source_ip", source_ip(&s.ip));
    text("keytrail.session.source_workstation", &s.workstation);
    text("keytrail.session.authentication_package", &s.package);
    if !s.privileges.is_empty() {
        d.put(
            "keytrail.session.privileges",
            Node::List(
                s.privileges
                    .iter()
                    .map(|p| Node::Str(p.clone().into()))
                    .collect(),
            ),
        );
    }
    if let Some(r) = s.record_id {
        d.put_str("keytrail.session.logon_record_id", r.to_string());
    }
}

/// Body fields the integration's pipeline moves out of `winlog.event_data` ("Rename Common Auth
/// Fields"), for the event IDs it lists.
const COMMON_AUTH: &[u32] = &[
    1100, 1102, 1104, 1105, 1108, 4624, 4648, 4625, 4670, 4673, 4674, 4689, 4697, 4719, 4720, 4722,
    4723, 4724, 4725, 4726, 4727, 4728, 4729, 4730, 4731, 4732, 4733, 4734, 4735, 4737, 4738, 4740,
    4741, 4742, 4743, 4744, 4745, 4746, 4747, 4748, 4749, 4750, 4751, 4752, 4753, 4754, 4755, 4756,
    4757, 4758, 4759, 4760, 4761, 4762, 4763, 4764, 4767, 4768, 4769, 4770, 4771, 4798, 4799, 4817,
    4904, 4905, 4907, 4912, 5140, 5145,
];

/// Events whose Target account is the document's user ("Copy Target User").
const TARGET_USER: &[u32] = &[
    4624, 4625, 4634, 4647, 4648, 4768, 4769, 4770, 4771, 4776, 4964,
];

/// Events whose Subject account is the document's user ("Copy Subject User from Event Data";
/// 5058, 5059 and 5061 as the data stream's tests of them show).
const SUBJECT_USER: &[u32] = &[
    4657, 4670, 4672, 4673, 4674, 4688, 4689, 4697, 4698, 4699, 4700, 4701, 4702, 4706, 4707, 4713,
    4716, 4717, 4718, 4719, 4720, 4722, 4723, 4724, 4725, 4726, 4727, 4728, 4729, 4730, 4731, 4732,
    4733, 4734, 4735, 4737, 4738, 4739, 4740, 4741, 4742, 4743, 4744, 4745, 4746, 4747, 4748, 4749,
    4750, 4751, 4752, 4753, 4754, 4755, 4756, 4757, 4758, 4759, 4760, 4761, 4762, 4763, 4764, 4767,
    4781, 4798, 4799, 4817, 4904, 4905, 4907, 4912, 4648, 5140, 5145, 5058, 5059, 5061,
];

/// Where [`EcsExport::copy_accounts`] puts an account: the document's user, its target, its
/// effective user (SID, name, domain).
const USER: [&str; 3] = ["user.id", "user.name", "user.domain"];
const USER_TARGET: [&str; 3] = ["user.target.id", "user.target.name", "user.target.domain"];
const USER_EFFECTIVE: [&str; 3] = [
    "user.effective.id",
    "user.effective.name",
    "user.effective.domain",
];

/// Events whose Target account is `user.target` ("Copy Target User to Target").
const TARGET_TO_TARGET: &[u32] = &[
    4670, 4720, 4722, 4723, 4724, 4725, 4726, 4738, 4740, 4767, 4798, 4817, 4907,
];

/// Events whose `PrivilegeList` the pipeline splits into a list.
const PRIVILEGE_LISTS: &[u32] = &[4672, 4673, 4674, 4741, 4742, 4743];

/// The integration's names of logon types: the decoder's names, of 2 to 11 only (it names no
/// others).
fn logon_type(raw: &str) -> Option<&'static str> {
    parse_number(raw)
        .filter(|t| (2..=11).contains(t))
        .and_then(table::logon_type_name)
}

/// `log.level` as the agent writes it: the Level's name in lower case (Security events log
/// Level 0, which Windows shows as Information).
fn level(raw: &str) -> Option<&'static str> {
    Some(match parse_number(raw)? {
        0 | 4 => "information",
        1 => "critical",
        2 => "error",
        3 => "warning",
        5 => "verbose",
        _ => return None,
    })
}

/// A time as `@timestamp`: RFC 3339 UTC with milliseconds, as the agent writes it.
fn millis(nanos: i64) -> String {
    let mut s = String::with_capacity(30);
    let _ = crate::decoder::value::write_rfc3339(&mut s, nanos);
    // `…:SS.fffffff[ff]Z` → `…:SS.fffZ`.
    match s.find('.') {
        Some(dot) if s.len() >= dot + 4 => {
            s.truncate(dot + 4);
            s.push('Z');
        }
        _ => {}
    }
    s
}

/// A FILETIME value as the agent renders it (Go's time format: `2025-03-19 05:33:45.9196243
/// +0000 UTC`, trailing zeros of the fraction dropped); the value as logged when it is not a
/// time.
fn agent_time(raw: &str) -> Cow<'_, str> {
    let Some(nanos) = crate::decoder::value::parse_time(raw) else {
        return Cow::Borrowed(raw);
    };
    let mut s = String::with_capacity(40);
    let _ = crate::decoder::value::write_rfc3339(&mut s, nanos);
    let (date_time, fraction) = match s.split_once('.') {
        Some((dt, f)) => (
            dt.to_string(),
            f.trim_end_matches('Z').trim_end_matches('0'),
        ),
        None => (s.trim_end_matches('Z').to_string(), ""),
    };
    let mut out = date_time.replacen('T', " ", 1);
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    out.push_str(" +0000 UTC");
    Cow::Owned(out)
}

/// A command line split as the pipeline splits it: at white space outside double quotes,
/// quotes kept.
fn args(command_line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in command_line.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c.is_whitespace() && !quoted {
            out.push(&command_line[start..i]);
            start = i + c.len_utf8();
        }
    }
    out.push(&command_line[start..]);
    out.into_iter()
        .filter(|a| !a.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// The last part of a Windows path.
fn file_name(path: &str) -> &str {
    path.rsplit('\\').next().unwrap_or(path)
}

/// Whether the pipeline drops a body value (`system_security_default`: null, empty, `-` and the
/// all-zero GUID).
fn dropped(value: &str) -> bool {
    value.trim().is_empty() || value == "-" || value == "{00000000-0000-0000-0000-000000000000}"
}

/// The stable `_id` of an event's document: 32 hex digits of a 128-bit FNV-1a hash of the
/// computer name (lower case), the channel (lower case) and the record ID in decimal, each
/// followed by a NUL byte. The same on every run and platform (no random seed, no
/// platform-dependent hashing). An event without a record ID hashes its time, event ID and body
/// values in their place, so that distinct events still get distinct ids.
///
/// ```
/// use keytrail::model::export::ecs::document_id;
/// let xml = "<Event><System><EventID>4624</EventID><EventRecordID>42</EventRecordID>\
///            <Channel>Security</Channel><Computer>WS1</Computer></System></Event>";
/// let (events, _, _) = keytrail::decoder::decode_all(xml.as_bytes());
/// assert_eq!(document_id(&events[0]).len(), 32);
/// assert_eq!(document_id(&events[0]), "7625e0d2e8d5e52df0b615c554d33f0e");
/// ```
pub fn document_id(ev: &Event) -> String {
    let mut h = Fnv128::default();
    h.write_lower(ev.computer().trim());
    h.write_lower(ev.channel().trim());
    match ev.record_id() {
        Some(r) => h.write(r.to_string().as_bytes()),
        None => {
            h.write(b"no record");
            if let Some(t) = ev.time() {
                h.write(t.nanos().to_string().as_bytes());
            }
            h.write(ev.event_id().to_string().as_bytes());
            for f in ev.fields() {
                h.write(f.name.as_bytes());
                h.write(f.value.as_bytes());
            }
        }
    }
    format!("{:032x}", h.0)
}

/// 128-bit FNV-1a, each written part followed by a NUL byte.
struct Fnv128(u128);

impl Default for Fnv128 {
    fn default() -> Self {
        Fnv128(0x6c62272e07bb014262b821756295c58d)
    }
}

impl Fnv128 {
    const PRIME: u128 = 0x0000000001000000000000000000013B;

    fn byte(&mut self, b: u8) {
        self.0 ^= u128::from(b);
        self.0 = self.0.wrapping_mul(Self::PRIME);
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.byte(b);
        }
        self.byte(0);
    }

    fn write_lower(&mut self, s: &str) {
        for c in s.chars().flat_map(char::to_lowercase) {
            let mut buf = [0u8; 4];
            for &b in c.encode_utf8(&mut buf).as_bytes() {
                self.byte(b);
            }
        }
        self.byte(0);
    }
}

impl EcsExport {
    /// An export that has seen no event yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A writer of a file's events from somewhere inside it (a part of a large file that a
    /// decoding thread of its own reads): a session it has not seen opened may have been opened
    /// before, so the documents of its events are left as [`Hole`]s for the writer of the
    /// earlier parts ([`EcsExport::write_part`]).
    pub fn part() -> Self {
        Self {
            part: true,
            ..Self::default()
        }
    }

    /// Appends `ev`'s document as one JSON object (no newline): `name` is its event ID's
    /// title (`decoder::view::event_name`; the page's worker has no table of names and is
    /// given them), `rules` the ids of the monitoring rules it matches. Call it for the events
    /// in file order: it also notes the logon sessions they open and close. (For a writer of
    /// a [part](EcsExport::part), see [`EcsExport::write_part`].)
    pub fn write(&mut self, ev: &Event, name: Option<&str>, rules: &[&str], out: &mut String) {
        let _ = self.write_part(ev, name, rules, out);
    }

    /// [`EcsExport::write`], or if the event ran in a session this part has not seen opened
    /// (nor closed), nothing written and the document as a [`Hole`] (a writer made with
    /// [`EcsExport::new`] never leaves one).
    pub fn write_part(
        &mut self,
        ev: &Event,
        name: Option<&str>,
        rules: &[&str],
        out: &mut String,
    ) -> Option<Box<Hole>> {
        self.note(ev);
        let (mut doc, hole) = self.document(ev, name, rules);
        // Every node is text, an unsigned number, a list or an object: shapes `ser::Json`
        // takes, so this cannot fail.
        let Some((key, privileges)) = hole else {
            let _ = doc.serialize(ser::Json(out));
            return None;
        };
        // The document with the session's logon ID alone, cut around its object, and without it.
        let logon_id = ev.account().logon_id.trim().to_string();
        let mut with = String::new();
        let _ = doc.serialize(ser::Json(&mut with));
        let mut placeholder = String::from("\"session\":");
        if let Some(session) = doc.get("keytrail.session") {
            let _ = session.serialize(ser::Json(&mut placeholder));
        }
        // The last one: what follows `keytrail` is `message`, a string (its quotes escaped).
        let at = with.rfind(&placeholder)? + "\"session\":".len();
        let end = at + placeholder.len() - "\"session\":".len();
        if let Some(Node::Obj(k)) = doc
            .0
            .iter_mut()
            .find(|(k, _)| k == "keytrail")
            .map(|e| &mut e.1)
        {
            k.take("session");
        }
        doc.0
            .retain(|(k, v)| !(k == "keytrail" && matches!(v, Node::Obj(o) if o.0.is_empty())));
        let mut without = String::new();
        let _ = doc.serialize(ser::Json(&mut without));
        Some(Box::new(Hole {
            key,
            privileges,
            logon_id,
            before: with[..at].to_string(),
            after: with[end..].to_string(),
            without,
        }))
    }

    /// Appends `ev`'s document as [`EcsExport::write`] does, with `keytrail.session` from
    /// `link` (the caller's [`SessionIndex`](crate::model::session::SessionIndex) of every event
    /// loaded: the page exports a choice of rows, whose logons may not be among them).
    pub fn write_linked(
        ev: &Event,
        name: Option<&str>,
        rules: &[&str],
        link: &Link<'_>,
        out: &mut String,
    ) {
        let mut one = Self::new();
        if let (Link::Session(s), Some(id)) = (link, parse_number(ev.account().logon_id)) {
            let key = (ev.computer().trim().to_lowercase(), id);
            one.sessions.insert(key, Known::Open(SessionNote::from(*s)));
        }
        // Every node is text, an unsigned number, a list or an object (see `write_part`).
        let _ = one.document(ev, name, rules).0.serialize(ser::Json(out));
    }

    /// What this writer learnt of the sessions, for the writer of the next part
    /// ([`EcsSessions::apply`]).
    pub fn changes(self) -> Vec<(SessionKey, Known)> {
        let mut changes: Vec<_> = self.sessions.into_iter().collect();
        // The same bytes whatever the hash map's order (they may wait in a temporary file).
        changes.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        changes
    }

    /// Notes the session a 4624 opens, the privileges a 4672 gives it and the end a 4634/4647
    /// puts to it.
    fn note(&mut self, ev: &Event) {
        let key =
            |id: &str| parse_number(ev.data(id)?).map(|n| (ev.computer().trim().to_lowercase(), n));
        match ev.event_id() {
            4624 => {
                if let Some(k) = key("TargetLogonId") {
                    let text = |name| ev.data(name).unwrap_or("").trim().to_string();
                    self.sessions.insert(
                        k,
                        Known::Open(SessionNote {
                            logon_type: ev.data("LogonType").and_then(parse_number),
                            ip: text("IpAddress"),
                            workstation: text("WorkstationName"),
                            package: text("AuthenticationPackageName"),
                            privileges: Vec::new(),
                            record_id: ev.record_id(),
                        }),
                    );
                }
            }
            4672 => {
                let Some(k) = key("SubjectLogonId") else {
                    return;
                };
                let list = || {
                    ev.data("PrivilegeList")
                        .unwrap_or("")
                        .split_whitespace()
                        .map(str::to_string)
                        .collect()
                };
                match self.sessions.get_mut(&k) {
                    Some(Known::Open(s)) => s.privileges = list(),
                    Some(Known::Privileges(p)) => *p = list(),
                    Some(Known::Closed) => {}
                    None if self.part => {
                        self.sessions.insert(k, Known::Privileges(list()));
                    }
                    None => {}
                }
            }
            _ => {}
        }
    }

    /// Forgets the session a 4634/4647 ends (after its own document is written).
    fn forget(&mut self, ev: &Event) {
        if matches!(ev.event_id(), 4634 | 4647) {
            if let Some(id) = ev.data("TargetLogonId").and_then(parse_number) {
                let key = (ev.computer().trim().to_lowercase(), id);
                if self.part {
                    self.sessions.insert(key, Known::Closed);
                } else {
                    self.sessions.remove(&key);
                }
            }
        }
    }

    /// The document, and the session it waits for if it is a [`Hole`] (with the privileges
    /// given it so far in this part).
    #[allow(clippy::type_complexity)]
    fn document<'e>(
        &mut self,
        ev: &'e Event,
        name: Option<&'e str>,
        rules: &[&'e str],
    ) -> (Obj<'e>, Option<(SessionKey, Option<Vec<String>>)>) {
        let id = ev.event_id();
        let code = id.to_string();
        let mut d = Obj::default();
        if let Some(t) = ev.time() {
            d.put_str("@timestamp", millis(t.nanos()));
        }

        // event.*
        d.put_str("event.code", code.clone());
        d.put_str("event.kind", "event");
        d.put_str("event.module", "system");
        d.put_str("event.dataset", "system.security");
        if !ev.provider().is_empty() {
            d.put_str("event.provider", ev.provider());
        }
        let keywords = ev.keywords().unwrap_or(0);
        if keywords & table::AUDIT_FAILURE != 0 {
            d.put_str("event.outcome", "failure");
        } else if keywords & table::AUDIT_SUCCESS != 0 {
            d.put_str("event.outcome", "success");
        }
        let task_name = parse_number(ev.system(SysField::Task)).and_then(table::task_name);
        match category(id) {
            Some(c) => {
                d.put_str("event.action", c.action);
                let list = |v: &[&'static str]| {
                    Node::List(v.iter().map(|s| Node::Str(Cow::Borrowed(*s))).collect())
                };
                d.put("event.category", list(&c.category));
                d.put("event.type", list(&c.kind));
            }
            // The agent's own action: the task's name.
            None => {
                if let Some(t) = task_name {
                    d.put_str("event.action", t);
                }
            }
        }
        if !ev.computer().is_empty() {
            d.put_str("host.name", ev.computer());
        }
        if let Some(l) = level(ev.system(SysField::Level)) {
            d.put_str("log.level", l);
        }

        // winlog.*
        let w = |d: &mut Obj<'e>, path: &'static str, value: &'e str| {
            if !value.is_empty() {
                d.put_str(path, value);
            }
        };
        w(&mut d, "winlog.channel", ev.channel());
        w(&mut d, "winlog.computer_name", ev.computer());
        d.put_str("winlog.event_id", code);
        if let Some(r) = ev.record_id() {
            d.put_str("winlog.record_id", r.to_string());
        }
        w(&mut d, "winlog.provider_name", ev.provider());
        w(
            &mut d,
            "winlog.provider_guid",
            ev.system(SysField::ProviderGuid),
        );
        w(
            &mut d,
            "winlog.activity_id",
            ev.system(SysField::ActivityId),
        );
        if let Some(v) = parse_number(ev.system(SysField::Version)).filter(|&v| v != 0) {
            d.put("winlog.version", Node::Num(v));
        }
        if let Some(op) = parse_number(ev.system(SysField::Opcode)).and_then(table::opcode_name) {
            d.put_str("winlog.opcode", op);
        }
        if let Some(t) = task_name {
            d.put_str("winlog.task", t);
        }
        let names = table::keyword_names(keywords);
        if !names.is_empty() {
            d.put(
                "winlog.keywords",
                Node::List(names.into_iter().map(|n| Node::Str(n.into())).collect()),
            );
        }
        if let Some(pid) = parse_number(ev.system(SysField::ProcessId)) {
            d.put("winlog.process.pid", Node::Num(pid));
        }
        if let Some(tid) = parse_number(ev.system(SysField::ThreadId)) {
            d.put("winlog.process.thread.id", Node::Num(tid));
        }

        self.body(ev, &mut d);
        self.copy_accounts(ev, &mut d);
        let hole = self.beyond(ev, name, rules, &mut d);
        self.forget(ev);
        (d, hole)
    }

    /// `winlog.event_data` (or `winlog.user_data`), rendered, and what the pipeline takes from
    /// it.
    fn body<'e>(&self, ev: &'e Event, d: &mut Obj<'e>) {
        let id = ev.event_id();
        let version = parse_number(ev.system(SysField::Version)).unwrap_or(0);
        let template = table::template(id, u8::try_from(version).unwrap_or(u8::MAX));
        let keys = super::field_keys(ev);
        let mut data = Obj::default();
        let mut codes = Obj::default();
        for (f, key) in ev.fields().zip(keys) {
            let key: Cow<'e, str> = if f.name.is_empty() {
                format!("param{}", f.index + 1).into()
            } else if ev.body_kind() == BodyKind::UserData {
                f.name.rsplit('/').next().unwrap_or(f.name).into()
            } else {
                key
            };
            if dropped(f.value) {
                continue;
            }
            let filetime = template
                .and_then(|t| t.iter().find(|s| s.name == f.name))
                .is_some_and(|s| s.ty == "FILETIME");
            let value: Cow<'e, str> = if let Some(words) = table::insertion_string(f.value) {
                codes.set(key.clone(), Node::Str(f.value.trim().into()));
                words.into()
            } else if filetime {
                agent_time(f.value)
            } else {
                f.value.into()
            };
            data.set(key, Node::Str(value));
        }
        if ev.body_kind() == BodyKind::UserData {
            if !data.0.is_empty() || !ev.body_root().is_empty() {
                data.0
                    .insert(0, ("xml_name".into(), Node::Str(ev.body_root().into())));
                d.put("winlog.user_data", Node::Obj(data));
            }
        } else {
            self.move_fields(id, &mut data, d);
            if !data.0.is_empty() {
                d.put("winlog.event_data", Node::Obj(data));
            }
        }
        if !codes.0.is_empty() {
            d.put("keytrail.event_data_codes", Node::Obj(codes));
        }
    }

    /// What the pipeline derives from `event_data` or moves out of it, for event `id`.
    fn move_fields<'e>(&self, id: u32, data: &mut Obj<'e>, d: &mut Obj<'e>) {
        let text = |data: &Obj<'e>, k: &str| data.str(k).map(|s| s.to_string());
        if let Some(t) = data.str("LogonType").and_then(logon_type) {
            d.put_str("winlog.logon.type", t);
        }
        if matches!(id, 5058 | 5059 | 5061) {
            if let Some(p) = text(data, "ProviderName") {
                d.put_str("event.provider", p);
            }
            if let Some(rc) = data.str("ReturnCode").and_then(parse_number) {
                let outcome = if rc == 0 { "Success" } else { "Failure" };
                data.set("ReturnCodeOutcome".into(), Node::Str(outcome.into()));
            }
        }
        if PRIVILEGE_LISTS.contains(&id) {
            if let Some(Node::Str(list)) = data.take("PrivilegeList") {
                let items: Vec<Node<'e>> = list
                    .split_whitespace()
                    .map(|p| Node::Str(p.to_string().into()))
                    .collect();
                data.set("PrivilegeList".into(), Node::List(items));
            }
        }
        // A number or a program's path moved out of `event_data` to its ECS fields.
        let number = |d: &mut Obj<'e>, data: &mut Obj<'e>, from: &str, to: &'static str| {
            if let Some(Node::Str(v)) = data.take(from) {
                if let Some(n) = parse_number(&v) {
                    d.put(to, Node::Num(n));
                }
            }
        };
        let program = |d: &mut Obj<'e>, data: &mut Obj<'e>, from: &str, to: [&'static str; 2]| {
            if let Some(Node::Str(exe)) = data.take(from) {
                d.put_str(to[0], exe.clone());
                d.put_str(to[1], file_name(&exe).to_string());
            }
        };
        const PROCESS: [&str; 2] = ["process.executable", "process.name"];
        const PARENT: [&str; 2] = ["process.parent.executable", "process.parent.name"];
        if COMMON_AUTH.contains(&id) {
            number(d, data, "ProcessId", "process.pid");
            program(d, data, "ProcessName", PROCESS);
            if let Some(Node::Str(ip)) = data.take("IpAddress") {
                d.put_str("source.ip", source_ip(&ip).to_string());
            }
            number(d, data, "IpPort", "source.port");
            if let Some(Node::Str(ws)) = data.take("WorkstationName") {
                d.put_str("source.domain", ws);
            }
            if let Some(Node::Str(ip)) = data.take("ClientAddress") {
                d.push_unique("related.ip", ip);
            }
        }
        if id == 4688 {
            number(d, data, "NewProcessId", "process.pid");
            program(d, data, "NewProcessName", PROCESS);
            program(d, data, "ParentProcessName", PARENT);
            if let Some(n) = data.str("ProcessId").and_then(parse_number) {
                d.put("process.parent.pid", Node::Num(n));
            }
            if let Some(cl) = text(data, "CommandLine") {
                let list = args(&cl).into_iter().map(|a| Node::Str(a.into())).collect();
                d.put("process.args", Node::List(list));
                d.put_str("process.command_line", cl);
            }
        }
        if let Some(ip) = d.str("source.ip").map(str::to_string) {
            d.push_unique("related.ip", ip.into());
        }
    }

    /// `user.*` and `related.user`, copied from the Subject or the Target as the pipeline does
    /// for event `id`, and `winlog.logon.id`.
    fn copy_accounts<'e>(&self, ev: &'e Event, d: &mut Obj<'e>) {
        let id = ev.event_id();
        let data = |name: &str| ev.data(name).map(str::trim).filter(|v| !dropped(v));
        let before_at = |name: &'e str| name.split('@').next().unwrap_or(name);
        // One account (SID, name, domain) to the three fields of a place, its name to
        // `related.user` too; a Target's name is taken before any `@` (a UPN), a Subject's as
        // it is.
        let account = |d: &mut Obj<'e>,
                       sid: Option<&'e str>,
                       name_field: &str,
                       domain_field: &str,
                       to: [&'static str; 3]| {
            if let Some(sid) = sid {
                d.put_str(to[0], sid);
            }
            if let Some(name) = data(name_field) {
                let name = if name_field.starts_with("Subject") {
                    name
                } else {
                    before_at(name)
                };
                d.put_str(to[1], name);
                d.push_unique("related.user", name.into());
            }
            if let Some(domain) = data(domain_field) {
                d.put_str(to[2], domain);
            }
        };
        if TARGET_USER.contains(&id) {
            let sid = data("TargetUserSid").or_else(|| data("TargetSid"));
            account(d, sid, "TargetUserName", "TargetDomainName", USER);
        }
        if matches!(id, 4634 | 4647 | 4964) {
            if let Some(l) = data("TargetLogonId") {
                d.put_str("winlog.logon.id", l);
            }
        }
        if SUBJECT_USER.contains(&id) {
            let sid = data("SubjectUserSid");
            account(d, sid, "SubjectUserName", "SubjectDomainName", USER);
        }
        if TARGET_TO_TARGET.contains(&id) {
            let sid = data("TargetSid");
            account(d, sid, "TargetUserName", "TargetDomainName", USER_TARGET);
        }
        if matches!(id, 4648 | 4688) {
            let sid = data("TargetUserSid");
            account(d, sid, "TargetUserName", "TargetDomainName", USER_EFFECTIVE);
        }
        if let Some(l) = data("SubjectLogonId") {
            d.put_str("winlog.logon.id", l);
        }
        if matches!(id, 4624 | 4648) {
            if let Some(name) = data("SubjectUserName") {
                d.push_unique("related.user", name.into());
            }
        }
        if id == 4688 {
            if let Some(name) = data("TargetUserName") {
                d.push_unique("related.user", name.into());
            }
        }
        if matches!(
            id,
            4720 | 4722 | 4723 | 4724 | 4725 | 4726 | 4738 | 4740 | 4767 | 4798
        ) {
            if let Some(name) = data("TargetUserName") {
                d.push_unique("related.user", name.into());
            }
        }
        if id == 1102 {
            if let Some(sid) = data("LogFileCleared/SubjectUserSid") {
                d.put_str("user.id", sid);
            }
            if let Some(name) = data("LogFileCleared/SubjectUserName") {
                d.put_str("user.name", name);
                d.push_unique("related.user", name.into());
            }
            if let Some(domain) = data("LogFileCleared/SubjectDomainName") {
                d.put_str("user.domain", domain);
            }
            if let Some(l) = data("LogFileCleared/SubjectLogonId") {
                d.put_str("winlog.logon.id", l);
            }
        }
    }

    /// `keytrail.*` and `message`.
    #[allow(clippy::type_complexity)]
    fn beyond<'e>(
        &self,
        ev: &'e Event,
        name: Option<&'e str>,
        rules: &[&'e str],
        d: &mut Obj<'e>,
    ) -> Option<(SessionKey, Option<Vec<String>>)> {
        if let Some(n) = name {
            d.put_str("keytrail.event_name", n);
        }
        if let Some(o) = ev.outcome() {
            d.put_str("keytrail.outcome", o.as_str());
        }
        let account = ev.account();
        let mut hole = None;
        if let Some(well_known) = table::logon_session_name(account.logon_id) {
            d.put_str("keytrail.session.logon_id", account.logon_id.trim());
            d.put_str("keytrail.session.well_known", well_known);
        } else if let Some(id) = parse_number(account.logon_id) {
            let key = (ev.computer().trim().to_lowercase(), id);
            match self.sessions.get(&key) {
                Some(Known::Open(s)) => session_fields(account.logon_id.trim(), s, d),
                Some(Known::Closed) => {}
                Some(Known::Privileges(p)) => {
                    d.put_str("keytrail.session.logon_id", account.logon_id.trim());
                    hole = Some((key, Some(p.clone())));
                }
                None if self.part => {
                    d.put_str("keytrail.session.logon_id", account.logon_id.trim());
                    hole = Some((key, None));
                }
                None => {}
            }
        }
        if !rules.is_empty() {
            d.put(
                "keytrail.rules",
                Node::List(rules.iter().map(|r| Node::Str((*r).into())).collect()),
            );
        }
        d.put_str("message", summary(ev, name));
        hole
    }
}

/// `IpAddress` as `source.ip`: an IPv4-mapped IPv6 address as the IPv4 address.
fn source_ip(ip: &str) -> &str {
    let ip = ip.trim();
    ip.strip_prefix("::ffff:").unwrap_or(ip)
}

/// keytrail's one-line summary of an event: what happened, to or by whom, where.
fn summary(ev: &Event, name: Option<&str>) -> String {
    let mut s = match name {
        Some(n) => format!("{n} ({})", ev.event_id()),
        None => format!("Event {}", ev.event_id()),
    };
    let account = ev.account().display();
    if !account.trim_matches(['\\', '-', ' ']).is_empty() {
        s.push_str(": ");
        s.push_str(&account);
    }
    if let Some(t) = ev.data("LogonType").and_then(parse_number) {
        if let Some(n) = table::logon_type_name(t) {
            s.push_str(", ");
            s.push_str(n);
            s.push_str(" logon");
        }
    }
    if matches!(ev.event_id(), 5058 | 5059 | 5061) {
        let words = |f: &str| table::in_words(ev.data(f).unwrap_or("")).trim_end_matches('.');
        let key = ev.data("KeyName").unwrap_or("").trim();
        s.push_str(", ");
        s.push_str(words("Operation"));
        if !key.is_empty() {
            s.push_str(" of ");
            s.push_str(key);
        }
        let kind = words("KeyType");
        if !kind.is_empty() {
            s.push_str(" (");
            s.push_str(&kind.to_lowercase());
            s.push(')');
        }
        if let Some(rc) = ev.data("ReturnCode").and_then(parse_number) {
            if rc != 0 {
                s.push_str(", failed ");
                s.push_str(ev.data("ReturnCode").unwrap_or("").trim());
                if let Some(r) = table::return_code(ev.data("ReturnCode").unwrap_or("")) {
                    s.push(' ');
                    s.push_str(r.name);
                }
            }
        }
    }
    if !ev.computer().is_empty() {
        s.push_str(" on ");
        s.push_str(ev.computer());
    }
    // One line, whatever the values hold.
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_as_the_agent_writes_them() {
        let t = crate::decoder::value::parse_time("2025-03-19T05:33:45.9196243Z").unwrap();
        assert_eq!(millis(t), "2025-03-19T05:33:45.919Z");
        assert_eq!(
            agent_time("2025-03-19T05:33:45.9196243Z"),
            "2025-03-19 05:33:45.9196243 +0000 UTC"
        );
        assert_eq!(
            agent_time("2025-03-19T05:33:45.5000000Z"),
            "2025-03-19 05:33:45.5 +0000 UTC"
        );
        assert_eq!(agent_time("not a time"), "not a time");
    }

    #[test]
    fn command_lines_split_outside_quotes() {
        let a = args("\"C:\\a b\\w.exe\"  cl Security");
        assert_eq!(a, ["\"C:\\a b\\w.exe\"", "cl", "Security"]);
    }

    #[test]
    fn every_categorised_event_has_a_category_type_and_action() {
        assert!(categories().len() > 100);
        for c in categories() {
            assert!(!c.category.is_empty() && !c.kind.is_empty() && !c.action.is_empty());
        }
        assert_eq!(
            category(5059).map(|c| c.action),
            Some("key-migration-operation")
        );
    }
}
