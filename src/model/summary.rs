//! Per-account counts: by event ID, by operation and by outcome. Memory grows with the number of
//! accounts, not of events.

use crate::decoder::view::{Outcome, View};
use crate::decoder::Event;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The counts of one account.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AccountSummary {
    /// `DOMAIN\user` as logged.
    pub account: String,
    /// The SID as logged.
    pub sid: String,
    /// Events in all.
    pub events: u64,
    /// Events per event ID.
    pub by_event_id: BTreeMap<u32, u64>,
    /// Key events per operation, in words ("Export of persistent cryptographic key.").
    pub by_operation: BTreeMap<String, u64>,
    /// Events that succeeded.
    pub success: u64,
    /// Events that failed.
    pub failure: u64,
    /// Events that say neither.
    pub unknown: u64,
}

/// Counts per account over any number of events.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// Events counted.
    pub events: u64,
    /// One entry per account, by account (`DOMAIN\user`) then SID.
    pub accounts: BTreeMap<String, BTreeMap<String, AccountSummary>>,
    /// The account of the event being counted, written here so that counting allocates only
    /// for an account or SID not seen before.
    #[serde(skip)]
    key: String,
}

impl PartialEq for Summary {
    fn eq(&self, other: &Self) -> bool {
        self.events == other.events && self.accounts == other.accounts
    }
}

impl Eq for Summary {}

impl Summary {
    /// Counts one event.
    pub fn add(&mut self, ev: &Event) {
        self.events += 1;
        let a = ev.account();
        self.key.clear();
        a.write_display(&mut self.key);
        if !self.accounts.contains_key(self.key.as_str()) {
            self.accounts.insert(self.key.clone(), BTreeMap::new());
        }
        let Some(by_sid) = self.accounts.get_mut(self.key.as_str()) else {
            return;
        };
        if !by_sid.contains_key(a.sid) {
            let summary = AccountSummary {
                account: self.key.clone(),
                sid: a.sid.to_string(),
                ..AccountSummary::default()
            };
            by_sid.insert(a.sid.to_string(), summary);
        }
        let Some(entry) = by_sid.get_mut(a.sid) else {
            return;
        };
        entry.events += 1;
        *entry.by_event_id.entry(ev.event_id()).or_default() += 1;
        if let View::KeyMigration(k) | View::KeyFile(k) | View::Cryptographic(k) = ev.view() {
            let op = k.operation_text();
            if let Some(n) = entry.by_operation.get_mut(op) {
                *n += 1;
            } else {
                entry.by_operation.insert(op.to_string(), 1);
            }
        }
        match ev.outcome() {
            Some(Outcome::Success) => entry.success += 1,
            Some(Outcome::Failure) => entry.failure += 1,
            None => entry.unknown += 1,
        }
    }

    /// Adds the counts of `other` (another file's, say): the same as if its events had been
    /// counted here.
    pub fn merge(&mut self, other: Summary) {
        self.events += other.events;
        for (account, by_sid) in other.accounts {
            let ours_by_sid = self.accounts.entry(account).or_default();
            for (sid, theirs) in by_sid {
                let Some(ours) = ours_by_sid.get_mut(&sid) else {
                    ours_by_sid.insert(sid, theirs);
                    continue;
                };
                ours.events += theirs.events;
                for (id, n) in theirs.by_event_id {
                    *ours.by_event_id.entry(id).or_default() += n;
                }
                for (op, n) in theirs.by_operation {
                    *ours.by_operation.entry(op).or_default() += n;
                }
                ours.success += theirs.success;
                ours.failure += theirs.failure;
                ours.unknown += theirs.unknown;
            }
        }
    }

    /// Every account's counts, ordered by account then SID.
    pub fn each(&self) -> impl Iterator<Item = &AccountSummary> {
        self.accounts.values().flat_map(BTreeMap::values)
    }

    /// A plain-text table per account.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} events, {} accounts",
            self.events,
            self.each().count()
        );
        for a in self.each() {
            let _ = writeln!(s, "\n{}  {}", a.account, a.sid);
            let _ = writeln!(
                s,
                "  events {:>8}   success {:>8}   failure {:>8}   unknown {:>8}",
                a.events, a.success, a.failure, a.unknown
            );
            for (id, n) in &a.by_event_id {
                let name = crate::decoder::view::event_name(*id).unwrap_or("");
                let _ = writeln!(s, "  {id:>6}  {n:>8}  {name}");
            }
            for (op, n) in &a.by_operation {
                let _ = writeln!(s, "  {:>6}  {n:>8}  {op}", "op");
            }
        }
        s
    }

    /// The same as one JSON document.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Doc<'a> {
            events: u64,
            accounts: Vec<&'a AccountSummary>,
        }
        serde_json::to_string_pretty(&Doc {
            events: self.events,
            accounts: self.each().collect(),
        })
        .unwrap_or_default()
    }
}
