//! The rules part: the monitoring rules in use, why the last ones given could not be used, and
//! the matches per rule with the running counts behind them.

use crate::model::rules::{self, RuleError, RuleFile, RuleSet, Tally, TallyCounts};
use crate::model::store::Store;

/// The monitoring rules and what they found.
#[derive(Debug, Default)]
pub struct RulesState {
    /// The rules in use (`set.rules()` as the user sees and edits them); rows are marked with
    /// them ([`Store::findings`]).
    pub set: RuleSet,
    /// Why the last rules the user gave could not be used.
    pub error: Option<RuleError>,
    /// Matches per rule and per account, in rule order.
    pub tallies: Vec<Tally>,
    /// Rows matching any rule per routine pattern, most first ([`TallyCounts::routine_rows`]).
    pub routine_rows: Vec<(u8, u64)>,
    /// Running counts behind the tallies: each row is counted once, when it arrives.
    pub(super) counts: TallyCounts,
}

impl RulesState {
    /// Compiles and uses `file`, marking every row of `store` again; a file that cannot be used
    /// leaves the rules as they were and says why in [`RulesState::error`]. Whether it was used.
    pub(super) fn use_file(&mut self, file: RuleFile, store: &mut Store) -> bool {
        match RuleSet::compile_file(file) {
            Ok(set) => {
                self.set = set;
                self.error = None;
                rules::mark(&self.set, store, 0);
                self.counts = TallyCounts::new(self.set.len());
                self.counts
                    .add(&store.rows, &store.findings, &store.routine);
                self.publish();
                true
            }
            Err(e) => {
                self.error = Some(e);
                false
            }
        }
    }

    /// The same rules, with nothing counted (the part after a clear).
    pub(super) fn cleared(self) -> Self {
        let mut cleared = Self {
            counts: TallyCounts::new(self.set.len()),
            set: self.set,
            ..Self::default()
        };
        cleared.publish();
        cleared
    }

    /// Copies the running counts into what the findings panel shows.
    pub(super) fn publish(&mut self) {
        self.tallies = self.counts.tallies();
        self.routine_rows = self.counts.routine_rows();
    }
}
