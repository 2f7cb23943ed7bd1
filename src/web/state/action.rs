//! The changes the views ask of the state.

use super::super::protocol::Report;
use crate::decoder::view::Outcome;
use crate::model::query::Column;
use crate::model::rules::RuleFile;
use crate::model::store::Sym;

/// A change to [`AppState`](super::AppState).
#[derive(Debug, Clone)]
pub enum Action {
    /// The worker reported something.
    Report(Report),
    /// The user opened files: `(name, size)` each, numbered from `first_id`.
    Opened {
        /// The number of the first file.
        first_id: u32,
        /// Name and size of each file.
        files: Vec<(String, u64)>,
    },
    /// The bridge to the worker closed.
    WorkerStopped,
    /// Cancel the reading.
    Cancel,
    /// Forget everything.
    Clear,
    /// Sort by a column: ascending first, then descending, then load order.
    SortBy(Column),
    /// Replace the free-text search.
    SetText(String),
    /// Show only these event IDs (all when empty).
    SetEventIds(Vec<u32>),
    /// Show only these accounts (all when empty).
    SetAccounts(Vec<Sym>),
    /// Add the account to the account filter, or take it out.
    ToggleAccount(Sym),
    /// Show only these operations (all when empty).
    SetOperations(Vec<Sym>),
    /// Show only one outcome (all when `None`).
    SetOutcome(Option<Outcome>),
    /// Show only rows from this time on (ns since the epoch, UTC).
    SetFrom(Option<i64>),
    /// Show only rows up to this time.
    SetTo(Option<i64>),
    /// Remove every filter.
    ResetFilter,
    /// Select the row at this position of the view (and show its detail when `open`).
    SelectAt {
        /// Position in [`TableState::view`](super::TableState::view).
        position: usize,
        /// Open the detail pane.
        open: bool,
    },
    /// Move the selection by this many rows (clamped).
    MoveSelection(isize),
    /// Select the first row.
    SelectFirst,
    /// Select the last row.
    SelectLast,
    /// Open the selected row's detail.
    OpenDetail,
    /// Close the detail pane.
    CloseDetail,
    /// Select row `i` of the store (a link from another row's detail) and open its detail.
    SelectRow(u32),
    /// Use these rules and routine patterns (from the editor, an imported file or kept
    /// settings).
    SetRules(RuleFile),
    /// Show only the matches of rule `i` that need a look, or everything again if that is what
    /// is shown.
    FilterRule(usize),
    /// Export the rows of the table (as filtered and sorted) as CSV, JSON or ECS documents.
    Export(crate::ingest::export::ExportShape),
    /// Show only the rows of routine class `class` (see
    /// [`Store::routine`](crate::model::store::Store::routine)) that match any rule, or
    /// everything again if that is what is shown.
    FilterRoutine(u8),
}
