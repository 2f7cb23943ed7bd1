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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Events counted.
    pub events: u64,
    /// One entry per account, ordered by account then SID.
    pub accounts: BTreeMap<(String, String), AccountSummary>,
}

impl Summary {
    /// Counts one event.
    pub fn add(&mut self, ev: &Event) {
        self.events += 1;
        let a = ev.account();
        let key = (a.display(), a.sid.to_string());
        let entry = self
            .accounts
            .entry(key)
            .or_insert_with_key(|(account, sid)| AccountSummary {
                account: account.clone(),
                sid: sid.clone(),
                ..AccountSummary::default()
            });
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
        for (key, theirs) in other.accounts {
            let Some(ours) = self.accounts.get_mut(&key) else {
                self.accounts.insert(key, theirs);
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

    /// A plain-text table per account.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} events, {} accounts",
            self.events,
            self.accounts.len()
        );
        for a in self.accounts.values() {
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
            accounts: self.accounts.values().collect(),
        })
        .unwrap_or_default()
    }
}
