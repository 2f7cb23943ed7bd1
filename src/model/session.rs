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
    privileges: Vec<String>,
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

    /// Takes what it needs from one event (other events are ignored).
    pub fn add(&mut self, ev: &Event) {
        if !matches!(ev.event_id(), 4624 | 4634 | 4647 | 4672) {
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
                    workstation: l.workstation.to_string(),
                    ip_address: l.ip_address.to_string(),
                    authentication_package: l.authentication_package.trim().to_string(),
                    logon_process: l.logon_process.trim().to_string(),
                    logon_time: time,
                    logon_record: ev.record_id(),
                    ..Session::default()
                };
                self.sessions.entry((host, id)).or_default().push(s);
            }
            View::Logoff(l) => {
                if let Some(id) = parse_number(l.account.logon_id) {
                    self.logoffs.push((host, id, time));
                }
            }
            View::SpecialLogon(p) => {
                if let Some(id) = parse_number(p.account.logon_id) {
                    let privileges = p.privileges.iter().map(|s| s.to_string()).collect();
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
                    s.privileges.clone_from(&p.privileges);
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
                .map(|(host, id, p)| (host, id, p.at, p.privileges))
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
        self.privileges.extend(
            parts
                .privileges
                .into_iter()
                .map(|(h, id, at, privileges)| (host(h), id, Pending { at, privileges })),
        );
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
