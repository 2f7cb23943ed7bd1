//! The charts part: one bar per account, the activity over time, the session timeline of the
//! one account filtered to, and the distinct values the filter lists offer, with the running
//! counts behind them.

use std::collections::BTreeMap;

use crate::model::chart::{AccountBars, Activity, BarCounts, TimeSpan};
use crate::model::query;
use crate::model::session::{Session, Tick};
use crate::model::store::{Store, Sym};

/// What the charts (and the filter lists) show.
#[derive(Debug, Default)]
pub struct ChartsState {
    /// One bar per account (all rows loaded).
    pub bars: Vec<AccountBars>,
    /// Activity over time of the chosen accounts.
    pub activity: Option<Activity>,
    /// Distinct values for the filter lists.
    pub facets: Facets,
    /// The session timeline of the one account the table is filtered to.
    pub timeline: Option<TimelineState>,
    /// Running counts behind the bars: each row is counted once, when it arrives.
    pub(super) bar_counts: BarCounts,
    /// The time span of the rows, behind the activity chart.
    pub(super) span: TimeSpan,
    /// Running counts behind the facets.
    pub(super) facet_counts: FacetCounts,
    /// How many rows the charts were last worked out from.
    pub(super) len: usize,
    /// When they were last worked out.
    pub(super) at: f64,
    /// How long that took (ms, the state's clock).
    pub(super) cost: f64,
}

/// Distinct values of a column with their row counts, most frequent first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facets {
    /// Event IDs.
    pub event_ids: Vec<(u32, u64)>,
    /// Accounts.
    pub accounts: Vec<(Sym, u64)>,
    /// Operations (key events only; `Sym::EMPTY` left out).
    pub operations: Vec<(Sym, u64)>,
}

/// Row counts per event ID, account and operation. Accounts and operations are interned ids,
/// dense from 1: their counts are indexed by id rather than hashed (every row is counted).
#[derive(Debug, Clone, Default)]
pub(super) struct FacetCounts {
    ids: BTreeMap<u32, u64>,
    /// By account id.
    accounts: Vec<u64>,
    /// By operation id.
    operations: Vec<u64>,
    /// Each account's SID (the first one logged), by account id.
    sids: Vec<Sym>,
}

/// Adds one to `counts[sym]`, growing the list as needed.
fn bump(counts: &mut Vec<u64>, sym: Sym) {
    let i = sym.index();
    if i >= counts.len() {
        counts.resize(i + 1, 0);
    }
    counts[i] += 1;
}

impl FacetCounts {
    /// Counts `rows`.
    pub fn add(&mut self, rows: &[crate::model::store::Row]) {
        for row in rows {
            *self.ids.entry(row.event_id).or_default() += 1;
            bump(&mut self.accounts, row.account);
            if row.sid != Sym::EMPTY {
                let i = row.account.index();
                if i >= self.sids.len() {
                    self.sids.resize(i + 1, Sym::EMPTY);
                }
                if self.sids[i] == Sym::EMPTY {
                    self.sids[i] = row.sid;
                }
            }
            if row.operation != Sym::EMPTY {
                bump(&mut self.operations, row.operation);
            }
        }
    }

    /// The SID first logged for `account`.
    pub(super) fn sid(&self, account: Sym) -> Option<Sym> {
        self.sids
            .get(account.index())
            .copied()
            .filter(|&s| s != Sym::EMPTY)
    }

    /// The facets: IDs in order, accounts and operations by name.
    pub fn facets(&self, store: &Store) -> Facets {
        let event_ids: Vec<(u32, u64)> = self.ids.iter().map(|(&k, &v)| (k, v)).collect();
        let by_name = |counts: &[u64]| {
            let mut v: Vec<(Sym, u64)> = counts
                .iter()
                .enumerate()
                .filter(|&(_, &n)| n > 0)
                .filter_map(|(i, &n)| Some((Sym(u32::try_from(i).ok()?), n)))
                .collect();
            v.sort_by(|a, b| {
                query::compare_text(store.str(a.0), store.str(b.0)).then(a.0.cmp(&b.0))
            });
            v
        };
        Facets {
            event_ids,
            accounts: by_name(&self.accounts),
            operations: by_name(&self.operations),
        }
    }
}

/// An account's session timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineState {
    /// The account it is for.
    pub account: Sym,
    /// The token of the request for it.
    pub token: u32,
    /// Its sessions, oldest first; `None` while the worker is asked.
    pub sessions: Option<Vec<Session>>,
    /// Its key events, each on the session it ran in (worked out when the sessions arrive).
    pub ticks: Vec<Tick>,
}
