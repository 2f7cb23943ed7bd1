//! Logon-session correlation: a key event's `SubjectLogonId` leads to the 4624 that opened the
//! session on the same computer, its 4672 (special privileges) and its 4634/4647 (logoff).
//!
//! Logon IDs are only unique per computer and per boot, so a link needs the same computer and a
//! logon at or before the event, not yet logged off; when an ID was reused, the latest logon
//! before the event wins. SYSTEM (`0x3e7`) and the other well-known sessions are named, never
//! linked. Events may come in any order (`wevtutil /rd:true` writes newest first).

use crate::decoder::table;
use crate::decoder::value::parse_number;
use crate::decoder::view::View;
use crate::decoder::Event;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One logon session seen in the export.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The computer, as logged.
    pub computer: String,
    /// The logon ID.
    pub logon_id: u64,
    /// `DOMAIN\user` of the account that logged on.
    pub account: String,
    /// Its SID.
    pub sid: String,
    /// `LogonType` (2 interactive, 3 network, 5 service, 10 remote interactive…).
    pub logon_type: Option<u64>,
    /// The logon type's name.
    pub logon_type_name: Option<String>,
    /// `WorkstationName`.
    pub workstation: String,
    /// `IpAddress`.
    pub ip_address: String,
    /// `AuthenticationPackageName`.
    pub authentication_package: String,
    /// `LogonProcessName`.
    pub logon_process: String,
    /// When the 4624 was logged (ns since epoch).
    pub logon_time: Option<i64>,
    /// When the 4634/4647 was logged.
    pub logoff_time: Option<i64>,
    /// Privileges from the 4672, if any.
    pub privileges: Vec<String>,
    /// Record ID of the 4624.
    pub logon_record: Option<u64>,
}

impl Session {
    /// Whether an event logged at `time` with this session's logon ID, on its computer, ran in
    /// it: logged on at or before the event and not logged off before it (an unknown time rules
    /// nothing out).
    pub fn covers(&self, time: Option<i64>) -> bool {
        before_or_same(self.logon_time, time)
            && match (self.logoff_time, time) {
                (Some(off), Some(t)) => off >= t,
                _ => true,
            }
    }
}

/// A key event on an account's session timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tick {
    /// The session it ran in (an index into the timeline's sessions).
    pub session: usize,
    /// When it was logged (ns since the Unix epoch).
    pub time: i64,
    /// Whether it failed.
    pub failed: bool,
}

/// Where events fall on a session timeline (`sessions` oldest first, as
/// [`SessionIndex::timeline`] gives them): each event (computer, logon ID as logged, time,
/// failed) goes to the session [`SessionIndex::link`] would link it to, the latest logon with that
/// ID on that computer that covers it. Events without a time or outside every session are left
/// out.
pub fn ticks<'a>(
    sessions: &[Session],
    events: impl IntoIterator<Item = (&'a str, &'a str, Option<i64>, bool)>,
) -> Vec<Tick> {
    let mut by_id: HashMap<(String, u64), Vec<usize>> = HashMap::new();
    for (i, s) in sessions.iter().enumerate() {
        by_id
            .entry((s.computer.trim().to_lowercase(), s.logon_id))
            .or_default()
            .push(i);
    }
    events
        .into_iter()
        .filter_map(|(computer, logon_id, time, failed)| {
            let time = time?;
            let id = parse_number(logon_id)?;
            let list = by_id.get(&(computer.trim().to_lowercase(), id))?;
            let session = list
                .iter()
                .rev()
                .copied()
                .find(|&i| sessions[i].covers(Some(time)))?;
            Some(Tick {
                session,
                time,
                failed,
            })
        })
        .collect()
}

/// Where a key event's logon ID leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Link<'a> {
    /// A well-known session such as SYSTEM's (`0x3e7`): named, never linked to a 4624.
    WellKnown(&'static str),
    /// The session the event ran in.
    Session(&'a Session),
    /// No 4624 for this logon ID on this computer before the event: "session not in this export".
    NotInExport,
}

#[derive(Default)]
struct Pending {
    at: Option<i64>,
    /// The list of privileges, as its place in [`SessionIndex::privilege_lists`].
    privileges: u32,
}

/// All sessions of an export, built from 4624, 4672, 4634 and 4647 events in any order.
#[derive(Default)]
pub struct SessionIndex {
    /// Computer names as logged → host number (one per name, ignoring case).
    hosts: HashMap<Box<str>, u32>,
    /// Lowercased computer names → host number.
    host_ids: HashMap<String, u32>,
    sessions: HashMap<(u32, u64), Vec<Session>>,
    logoffs: Vec<(u32, u64, Option<i64>)>,
    privileges: Vec<(u32, u64, Pending)>,
    /// The distinct lists of privileges that 4672s gave (a few, each logged thousands of times).
    privilege_lists: Vec<Vec<String>>,
    /// Each list of [`SessionIndex::privilege_lists`] → its place.
    privilege_ids: HashMap<Vec<String>, u32>,
    resolved: bool,
}

impl SessionIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// The host number of a computer name (names differing only in case are one host).
    fn host(&mut self, computer: &str) -> u32 {
        if let Some(&id) = self.hosts.get(computer) {
            return id;
        }
        let next = u32::try_from(self.host_ids.len()).unwrap_or(u32::MAX);
        let id = *self
            .host_ids
            .entry(computer.trim().to_lowercase())
            .or_insert(next);
        self.hosts.insert(computer.into(), id);
        id
    }

    /// The host number of a computer name already seen.
    fn find_host(&self, computer: &str) -> Option<u32> {
        self.hosts
            .get(computer)
            .or_else(|| self.host_ids.get(&computer.trim().to_lowercase()))
            .copied()
    }

    /// The place of a list of privileges in [`SessionIndex::privilege_lists`], added when new.
    fn privilege_list(&mut self, list: Vec<String>) -> u32 {
        if let Some(&id) = self.privilege_ids.get(&list) {
            return id;
        }
        let id = u32::try_from(self.privilege_lists.len()).unwrap_or(u32::MAX);
        self.privilege_lists.push(list.clone());
        self.privilege_ids.insert(list, id);
        id
    }

    /// Whether [`SessionIndex::add`] keeps anything of `ev` (a logon, a logoff, special
    /// privileges): other events may be left out.
    pub fn takes(ev: &Event) -> bool {
        matches!(ev.event_id(), 4624 | 4634 | 4647 | 4672)
    }

    /// Takes what it needs from one event (other events are ignored).
    pub fn add(&mut self, ev: &Event) {
        if !Self::takes(ev) {
            return;
        }
        let host = self.host(ev.computer());
        let time = ev.time().map(|t| t.nanos());
        match ev.view() {
            View::Logon(l) => {
                let Some(id) = parse_number(l.target.logon_id) else {
                    return;
                };
                let s = Session {
                    computer: ev.computer().to_string(),
                    logon_id: id,
                    account: l.target.display(),
                    sid: l.target.sid.to_string(),
                    logon_type: l.logon_type,
                    logon_type_name: l
                        .logon_type
                        .and_then(table::logon_type_name)
                        .map(str::to_string),
                    workstation: l.workstation.trim().to_string(),
                    ip_address: l.ip_address.trim().to_string(),
                    authentication_package: l.authentication_package.trim().to_string(),
                    logon_process: l.logon_process.trim().to_string(),
                    logon_time: time,
                    logon_record: ev.record_id(),
                    ..Session::default()
                };
                // Most logon IDs are logged on once: a list of one, not of four (`or_default`
                // then `push` would reserve room for four sessions, most of the index).
                self.sessions
                    .entry((host, id))
                    .or_insert_with(|| Vec::with_capacity(1))
                    .push(s);
            }
            View::Logoff(l) => {
                if let Some(id) = parse_number(l.account.logon_id) {
                    self.logoffs.push((host, id, time));
                }
            }
            View::SpecialLogon(p) => {
                if let Some(id) = parse_number(p.account.logon_id) {
                    let privileges =
                        self.privilege_list(p.privileges.iter().map(|s| s.to_string()).collect());
                    self.privileges.push((
                        host,
                        id,
                        Pending {
                            at: time,
                            privileges,
                        },
                    ));
                }
            }
            _ => return,
        }
        self.resolved = false;
    }

    /// Attaches logoffs and privileges to their sessions. Called by [`SessionIndex::link`] when
    /// needed; call it once after the last event to do the work up front.
    pub fn resolve(&mut self) {
        if self.resolved {
            return;
        }
        for list in self.sessions.values_mut() {
            list.sort_by_key(|s| s.logon_time);
            for s in list.iter_mut() {
                s.logoff_time = None;
                s.privileges.clear();
            }
        }
        let mut logoffs = std::mem::take(&mut self.logoffs);
        logoffs.sort_by_key(|l| l.2);
        for (host, id, at) in &logoffs {
            if let Some(list) = self.sessions.get_mut(&(*host, *id)) {
                // The latest session that began before the logoff and is still open.
                if let Some(s) = list
                    .iter_mut()
                    .rev()
                    .find(|s| s.logoff_time.is_none() && before_or_same(s.logon_time, *at))
                {
                    s.logoff_time = *at;
                }
            }
        }
        self.logoffs = logoffs;
        for (host, id, p) in &self.privileges {
            if let Some(list) = self.sessions.get_mut(&(*host, *id)) {
                if let Some(s) = list
                    .iter_mut()
                    .rev()
                    .find(|s| before_or_same(s.logon_time, p.at))
                {
                    if let Some(list) = self.privilege_lists.get(p.privileges as usize) {
                        s.privileges.clone_from(list);
                    }
                }
            }
        }
        self.resolved = true;
    }

    /// The session that `logon_id` on `computer` refers to at `time`.
    pub fn link(&mut self, computer: &str, logon_id: &str, time: Option<i64>) -> Link<'_> {
        if let Some(name) = table::logon_session_name(logon_id) {
            return Link::WellKnown(name);
        }
        let Some(id) = parse_number(logon_id) else {
            return Link::NotInExport;
        };
        self.resolve();
        let Some(list) = self
            .find_host(computer)
            .and_then(|host| self.sessions.get(&(host, id)))
        else {
            return Link::NotInExport;
        };
        list.iter()
            .rev()
            .find(|s| s.covers(time))
            .map_or(Link::NotInExport, Link::Session)
    }

    /// The session of a key event (its `SubjectLogonId`).
    pub fn link_event(&mut self, ev: &Event) -> Link<'_> {
        let a = ev.account();
        self.link(ev.computer(), a.logon_id, ev.time().map(|t| t.nanos()))
    }

    /// Every session of an account (by SID), oldest first: the account's session timeline.
    pub fn timeline(&mut self, sid: &str) -> Vec<&Session> {
        self.resolve();
        let mut v: Vec<&Session> = self
            .sessions
            .values()
            .flatten()
            .filter(|s| s.sid.eq_ignore_ascii_case(sid))
            .collect();
        v.sort_by_key(|s| (s.logon_time, s.computer.clone()));
        v
    }

    /// Everything the index gathered, to be joined to another index (the viewer's second
    /// worker sends its index to the first this way).
    pub fn into_parts(self) -> SessionParts {
        let mut hosts = vec![String::new(); self.host_ids.len()];
        for (name, id) in self.host_ids {
            if let Some(slot) = hosts.get_mut(id as usize) {
                *slot = name;
            }
        }
        SessionParts {
            hosts,
            sessions: self
                .sessions
                .into_iter()
                .flat_map(|((host, _), list)| list.into_iter().map(move |s| (host, s)))
                .collect(),
            logoffs: self.logoffs,
            privileges: self
                .privileges
                .into_iter()
                .map(|(host, id, p)| {
                    let list = self.privilege_lists.get(p.privileges as usize);
                    (host, id, p.at, list.cloned().unwrap_or_default())
                })
                .collect(),
        }
    }

    /// Adds what another index gathered: the result is the index of both sets of events.
    pub fn join(&mut self, parts: SessionParts) {
        let hosts: Vec<u32> = parts.hosts.iter().map(|name| self.host(name)).collect();
        let host = |h: u32| hosts.get(h as usize).copied().unwrap_or(u32::MAX);
        for (h, s) in parts.sessions {
            self.sessions
                .entry((host(h), s.logon_id))
                .or_default()
                .push(s);
        }
        self.logoffs.extend(
            parts
                .logoffs
                .into_iter()
                .map(|(h, id, at)| (host(h), id, at)),
        );
        for (h, id, at, privileges) in parts.privileges {
            let privileges = self.privilege_list(privileges);
            self.privileges
                .push((host(h), id, Pending { at, privileges }));
        }
        self.resolved = false;
    }

    /// Number of sessions.
    pub fn len(&self) -> usize {
        self.sessions.values().map(Vec::len).sum()
    }

    /// True when no 4624 was seen.
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }
}

/// What a [`SessionIndex`] gathered, as plain data ([`SessionIndex::into_parts`],
/// [`SessionIndex::join`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionParts {
    /// Host numbers' names (lowercased), by number.
    pub hosts: Vec<String>,
    /// Every 4624's session, with its host number.
    pub sessions: Vec<(u32, Session)>,
    /// Every 4634/4647: host number, logon ID, time.
    pub logoffs: Vec<(u32, u64, Option<i64>)>,
    /// Every 4672: host number, logon ID, time, privileges.
    pub privileges: Vec<(u32, u64, Option<i64>, Vec<String>)>,
}

impl SessionParts {
    /// The parts as compact bytes, for one worker to hand another ([`SessionParts::decode`]):
    /// little-endian numbers, strings as a length and UTF-8, a 0/1 byte before an optional value.
    /// Passed as JS objects instead, half a 100 MB log's sessions took the two workers ~250 ms
    /// after the decoding (`npm run bench:trace`), and JSON would add ~15 KB to the worker.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Wire(Vec::new());
        w.len(self.hosts.len());
        for host in &self.hosts {
            w.str(host);
        }
        w.len(self.sessions.len());
        for (host, s) in &self.sessions {
            w.u32(*host);
            w.str(&s.computer);
            w.u64(s.logon_id);
            w.str(&s.account);
            w.str(&s.sid);
            w.opt(s.logon_type, Wire::u64);
            w.opt(s.logon_type_name.as_deref(), Wire::str);
            w.str(&s.workstation);
            w.str(&s.ip_address);
            w.str(&s.authentication_package);
            w.str(&s.logon_process);
            w.opt(s.logon_time, Wire::i64);
            w.opt(s.logoff_time, Wire::i64);
            w.strs(&s.privileges);
            w.opt(s.logon_record, Wire::u64);
        }
        w.len(self.logoffs.len());
        for &(host, id, at) in &self.logoffs {
            w.u32(host);
            w.u64(id);
            w.opt(at, Wire::i64);
        }
        w.len(self.privileges.len());
        for (host, id, at, privileges) in &self.privileges {
            w.u32(*host);
            w.u64(*id);
            w.opt(*at, Wire::i64);
            w.strs(privileges);
        }
        w.0
    }

    /// The parts [`SessionParts::encode`] wrote; `None` if `bytes` are not such parts, whole.
    pub fn decode(bytes: &[u8]) -> Option<SessionParts> {
        let mut r = Unwire(bytes);
        let hosts = r.many(Unwire::string)?;
        let sessions = r.many(|r| {
            let host = r.u32()?;
            let session = Session {
                computer: r.string()?,
                logon_id: r.u64()?,
                account: r.string()?,
                sid: r.string()?,
                logon_type: r.opt(Unwire::u64)?,
                logon_type_name: r.opt(Unwire::string)?,
                workstation: r.string()?,
                ip_address: r.string()?,
                authentication_package: r.string()?,
                logon_process: r.string()?,
                logon_time: r.opt(Unwire::i64)?,
                logoff_time: r.opt(Unwire::i64)?,
                privileges: r.many(Unwire::string)?,
                logon_record: r.opt(Unwire::u64)?,
            };
            Some((host, session))
        })?;
        let logoffs = r.many(|r| Some((r.u32()?, r.u64()?, r.opt(Unwire::i64)?)))?;
        let privileges = r.many(|r| {
            Some((
                r.u32()?,
                r.u64()?,
                r.opt(Unwire::i64)?,
                r.many(Unwire::string)?,
            ))
        })?;
        r.0.is_empty().then_some(SessionParts {
            hosts,
            sessions,
            logoffs,
            privileges,
        })
    }
}

/// The writer of [`SessionParts::encode`].
struct Wire(Vec<u8>);

impl Wire {
    fn u32(&mut self, n: u32) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }
    fn u64(&mut self, n: u64) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }
    fn i64(&mut self, n: i64) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }
    /// A count or a string's length: below 4 GiB, as everything a wasm32 worker holds is.
    fn len(&mut self, n: usize) {
        debug_assert!(u32::try_from(n).is_ok(), "{n} does not fit the wire's u32");
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }
    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }
    fn strs(&mut self, list: &[String]) {
        self.len(list.len());
        for s in list {
            self.str(s);
        }
    }
    fn opt<T>(&mut self, value: Option<T>, put: fn(&mut Self, T)) {
        match value {
            Some(v) => {
                self.0.push(1);
                put(self, v);
            }
            None => self.0.push(0),
        }
    }
}

/// The reader of [`SessionParts::decode`]: the bytes not read yet.
struct Unwire<'a>(&'a [u8]);

impl Unwire<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*head)
    }
    fn u32(&mut self) -> Option<u32> {
        self.take().map(u32::from_le_bytes)
    }
    fn u64(&mut self) -> Option<u64> {
        self.take().map(u64::from_le_bytes)
    }
    fn i64(&mut self) -> Option<i64> {
        self.take().map(i64::from_le_bytes)
    }
    fn string(&mut self) -> Option<String> {
        let n = usize::try_from(self.u32()?).ok()?;
        if n > self.0.len() {
            return None;
        }
        let (text, rest) = self.0.split_at(n);
        self.0 = rest;
        std::str::from_utf8(text).ok().map(str::to_owned)
    }
    fn opt<T>(&mut self, get: fn(&mut Self) -> Option<T>) -> Option<Option<T>> {
        match self.take::<1>()? {
            [0] => Some(None),
            [1] => get(self).map(Some),
            _ => None,
        }
    }
    /// A count, then that many items. The count sizes no allocation: the list grows with the
    /// items actually read (a damaged count cannot ask for more memory than the bytes hold).
    fn many<T>(&mut self, mut get: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let n = usize::try_from(self.u32()?).ok()?;
        let mut items = Vec::new();
        for _ in 0..n {
            items.push(get(self)?);
        }
        Some(items)
    }
}

/// `a <= b`, where an unknown time never rules a session out.
fn before_or_same(a: Option<i64>, b: Option<i64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a <= b,
        _ => true,
    }
}

impl Link<'_> {
    /// One line for a report.
    pub fn describe(&self) -> String {
        match self {
            Link::WellKnown(name) => format!("{name} (well-known, no logon event)"),
            Link::NotInExport => "session not in this export".to_string(),
            Link::Session(s) => {
                let mut d = format!(
                    "logon {} {}",
                    s.logon_type
                        .map(|t| format!("type {t}"))
                        .unwrap_or_default(),
                    s.logon_type_name.as_deref().unwrap_or("")
                );
                if !s.ip_address.is_empty() && s.ip_address != "-" {
                    d.push_str(&format!(" from {}", s.ip_address));
                }
                if !s.workstation.is_empty() && s.workstation != "-" {
                    d.push_str(&format!(" ({})", s.workstation));
                }
                if !s.authentication_package.is_empty() {
                    d.push_str(&format!(" via {}", s.authentication_package));
                }
                if !s.privileges.is_empty() {
                    d.push_str(&format!(", {} special privileges", s.privileges.len()));
                }
                d
            }
        }
    }
}

/// How an account's session timeline is drawn ([`timeline_layout`]): the sessions holding key
/// events first, each on a lane of its own, then the others, as lanes while they are few and
/// else folded into one line per logon type.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TimelineLayout {
    /// The sessions drawn as lanes, top to bottom.
    pub lanes: Vec<Lane>,
    /// The sessions folded by logon type, largest group last.
    pub folds: Vec<Fold>,
}

/// One session on a lane of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lane {
    /// The session (an index into the timeline's sessions).
    pub session: usize,
    /// How many key events ran in it.
    pub key_events: usize,
    /// Whether the export has no logoff for it: it runs on past the last event.
    pub open: bool,
}

/// The sessions of one logon type that are not drawn as lanes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fold {
    /// Their logon type (`None` when the 4624 gave none).
    pub logon_type: Option<u64>,
    /// The logon type's name, when known.
    pub logon_type_name: Option<String>,
    /// The sessions, oldest first (indices into the timeline's sessions).
    pub sessions: Vec<usize>,
    /// How many of them have no logoff in the export.
    pub open: usize,
    /// How many of them hold key events (only when there were more such sessions than lanes).
    pub key_sessions: usize,
}

/// Lays out an account's session timeline in at most `max_lanes` lanes. `sessions` are oldest
/// first and `ticks` are its key events (as [`ticks`] gives them). The sessions holding key events
/// come first, oldest first; the others are grouped by logon type and whole groups, smallest
/// first, take the lanes left; the rest fold, one [`Fold`] per logon type. So a computer
/// account's two interactive sessions that used a key are not lost among 220 service logons that
/// never end: they take the first two lanes and the service logons fold into one line.
pub fn timeline_layout(sessions: &[Session], ticks: &[Tick], max_lanes: usize) -> TimelineLayout {
    let mut keys = vec![0usize; sessions.len()];
    for t in ticks {
        if let Some(n) = keys.get_mut(t.session) {
            *n += 1;
        }
    }
    let lane = |i: usize| Lane {
        session: i,
        key_events: keys[i],
        open: sessions[i].logoff_time.is_none(),
    };
    let (with_keys, rest): (Vec<usize>, Vec<usize>) =
        (0..sessions.len()).partition(|&i| keys[i] > 0);
    let mut lanes: Vec<Lane> = with_keys.iter().take(max_lanes).map(|&i| lane(i)).collect();
    // The rest (and key sessions beyond the lanes) by logon type, in order of the type.
    let mut groups: Vec<(Option<u64>, Vec<usize>)> = Vec::new();
    for i in with_keys.into_iter().skip(max_lanes).chain(rest) {
        let ty = sessions[i].logon_type;
        match groups.iter_mut().find(|(t, _)| *t == ty) {
            Some((_, list)) => list.push(i),
            None => groups.push((ty, vec![i])),
        }
    }
    for (_, list) in &mut groups {
        list.sort_unstable();
    }
    groups.sort_by_key(|(ty, list)| (list.len(), *ty));
    let mut folds = Vec::new();
    let mut others = Vec::new();
    for (ty, list) in groups {
        let holds_keys = list.iter().any(|&i| keys[i] > 0);
        if !holds_keys && lanes.len() + others.len() + list.len() <= max_lanes {
            others.extend(list);
            continue;
        }
        let first = list.first().map(|&i| &sessions[i]);
        folds.push(Fold {
            logon_type: ty,
            logon_type_name: first.and_then(|s| s.logon_type_name.clone()),
            open: list
                .iter()
                .filter(|&&i| sessions[i].logoff_time.is_none())
                .count(),
            key_sessions: list.iter().filter(|&&i| keys[i] > 0).count(),
            sessions: list,
        });
    }
    others.sort_unstable();
    lanes.extend(others.into_iter().map(lane));
    TimelineLayout { lanes, folds }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60_000_000_000;

    fn session(logon_type: u64, name: &str, logon: i64, logoff: Option<i64>) -> Session {
        Session {
            computer: "WS01".into(),
            logon_id: u64::try_from(logon).unwrap_or(0),
            logon_type: Some(logon_type),
            logon_type_name: Some(name.into()),
            logon_time: Some(logon * MINUTE),
            logoff_time: logoff.map(|t| t * MINUTE),
            ..Session::default()
        }
    }

    fn tick(session: usize, minute: i64) -> Tick {
        Tick {
            session,
            time: minute * MINUTE,
            failed: false,
        }
    }

    #[test]
    fn key_sessions_come_first_and_service_logons_fold() {
        // A computer account: 220 service logons that never end, with two interactive
        // sessions among them (at 50 and 180) that used a key.
        let mut sessions: Vec<Session> = (0..222).map(|i| session(5, "Service", i, None)).collect();
        sessions[50] = session(2, "Interactive", 50, Some(60));
        sessions[180] = session(2, "Interactive", 180, Some(200));
        let ticks = [tick(50, 55), tick(180, 190), tick(180, 191)];
        let layout = timeline_layout(&sessions, &ticks, 24);
        let lanes: Vec<(usize, usize, bool)> = layout
            .lanes
            .iter()
            .map(|l| (l.session, l.key_events, l.open))
            .collect();
        assert_eq!(lanes, [(50, 1, false), (180, 2, false)]);
        assert_eq!(layout.folds.len(), 1);
        let fold = &layout.folds[0];
        assert_eq!(fold.logon_type, Some(5));
        assert_eq!(fold.logon_type_name.as_deref(), Some("Service"));
        assert_eq!(fold.sessions.len(), 220);
        assert_eq!(fold.open, 220);
        assert_eq!(fold.key_sessions, 0);
        assert!(
            fold.sessions.windows(2).all(|w| w[0] < w[1]),
            "oldest first"
        );
    }

    #[test]
    fn few_sessions_all_get_lanes() {
        let sessions = [
            session(5, "Service", 0, None),
            session(3, "Network", 1, Some(2)),
            session(2, "Interactive", 3, Some(9)),
        ];
        let layout = timeline_layout(&sessions, &[tick(2, 4)], 24);
        let order: Vec<usize> = layout.lanes.iter().map(|l| l.session).collect();
        assert_eq!(order, [2, 0, 1]);
        assert!(layout.lanes[1].open && !layout.lanes[2].open);
        assert!(layout.folds.is_empty());
    }

    #[test]
    fn small_groups_take_the_lanes_left_and_large_ones_fold() {
        // 3 network logons and 30 batch logons in 10 lanes: the network ones get lanes.
        let mut sessions: Vec<Session> = (0..30).map(|i| session(4, "Batch", i, Some(i))).collect();
        sessions.extend((30..33).map(|i| session(3, "Network", i, Some(i))));
        let layout = timeline_layout(&sessions, &[], 10);
        let order: Vec<usize> = layout.lanes.iter().map(|l| l.session).collect();
        assert_eq!(order, [30, 31, 32]);
        assert_eq!(layout.folds.len(), 1);
        assert_eq!(
            (layout.folds[0].logon_type, layout.folds[0].sessions.len()),
            (Some(4), 30)
        );
        assert_eq!(layout.folds[0].open, 0);
    }

    #[test]
    fn key_sessions_beyond_the_lanes_are_folded_and_counted() {
        let sessions: Vec<Session> = (0..5)
            .map(|i| session(10, "RemoteInteractive", i, None))
            .collect();
        let ticks: Vec<Tick> = (0..5)
            .map(|i| tick(i, i64::try_from(i).unwrap_or(0)))
            .collect();
        let layout = timeline_layout(&sessions, &ticks, 3);
        assert_eq!(layout.lanes.len(), 3);
        assert_eq!(layout.folds.len(), 1);
        assert_eq!(layout.folds[0].sessions, [3, 4]);
        assert_eq!(layout.folds[0].key_sessions, 2);
        assert!(timeline_layout(&[], &[], 24) == TimelineLayout::default());
    }
}
