//! What the page knows, and every way it changes.
//!
//! Views only dispatch [`Action`]s; [`AppState::apply`] is the one place that changes state, a
//! plain function tested without a browser page. It returns the [`Request`]s the worker must
//! receive as a result (a detail to decode, a load to forget), so the Yew layer only forwards.
//!
//! The rows live in a [`Store`] here, on the page's thread: the worker sends them in encoded
//! [`Batch`]es. Sorting and filtering run [`query::select`] over the store; while files are still
//! streaming in, a sorted or filtered view is refreshed at most every [`REFRESH_MS`] (an unsorted,
//! unfiltered view just grows).

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::protocol::{Detail, ProblemLine, Progress, Report, Request};
use crate::decoder::view::is_key_event;
use crate::decoder::view::Outcome;
use crate::decoder::{value, Timestamp};
use crate::ingest::export::ExportRow;
use crate::model::chart::{activity, AccountBars, Activity, BarCounts};
use crate::model::query::{self, cell, Column, Filter, Sort};
use crate::model::rules::{self, Rule, RuleFile, RuleSet, Tally, TallyCounts};
use crate::model::session::{self, Session, Tick};
use crate::model::store::{Batch, BatchError, Store, Sym};

/// While loading, a sorted or filtered view (and the charts) are recomputed at most this often.
pub const REFRESH_MS: f64 = 400.0;

/// The most accounts the chart shows.
pub const CHART_ACCOUNTS: usize = 12;

/// Time buckets of the activity chart.
pub const ACTIVITY_BUCKETS: usize = 48;

/// A file the user opened, as the page tracks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStatus {
    /// The number given to it when opened (see [`Request::Open`]).
    pub id: u32,
    /// Its name, as the browser gave it.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Bytes decoded so far.
    pub bytes: u64,
    /// Events decoded so far.
    pub events: u64,
    /// Problems found so far.
    pub problems: u64,
    /// Events lost so far.
    pub skipped: u64,
    /// Events decoded after repairing the input.
    pub repaired: u64,
    /// Whether decoding finished.
    pub done: bool,
    /// Whether the user cancelled it.
    pub cancelled: bool,
    /// Why the browser could not read it, if it could not.
    pub failed: Option<String>,
}

/// One problem the page lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShownProblem {
    /// A problem of an input, as the worker sent it.
    File {
        /// The file's number.
        file: u32,
        /// The problem.
        line: ProblemLine,
    },
    /// A batch of rows the page refused (lost or repeated between the worker and the page).
    Batch(BatchError),
}

impl ShownProblem {
    /// The file it was found in, if any.
    pub fn file(&self) -> Option<u32> {
        match self {
            Self::File { file, .. } => Some(*file),
            Self::Batch(_) => None,
        }
    }

    /// A stable name for its kind ([`ProblemKind::code`](crate::decoder::ProblemKind::code);
    /// `batch` for a refused batch), the list's `data-code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::File { line, .. } => line.kind.code(),
            Self::Batch(_) => "batch",
        }
    }

    /// Whether an event was lost because of it.
    pub fn skip(&self) -> bool {
        matches!(self, Self::File { line, .. } if line.skip())
    }

    /// Whether the event was decoded after repairing the input.
    pub fn repaired(&self) -> bool {
        matches!(self, Self::File { line, .. } if line.repaired())
    }
}

/// Everything the viewer shows about loading.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadState {
    /// Whether the worker has started and files can be opened.
    pub ready: bool,
    /// Whether the worker stopped answering.
    pub worker_stopped: bool,
    /// The files opened, in the order they were opened.
    pub files: Vec<FileStatus>,
    /// The problems listed, in the order they were reported.
    pub problems: Vec<ShownProblem>,
}

impl LoadState {
    fn opened(&mut self, first_id: u32, files: Vec<(String, u64)>) {
        for (id, (name, size)) in (first_id..).zip(files) {
            self.files.push(FileStatus {
                id,
                name,
                size,
                bytes: 0,
                events: 0,
                problems: 0,
                skipped: 0,
                repaired: 0,
                done: false,
                cancelled: false,
                failed: None,
            });
        }
    }

    fn progress(&mut self, progress: Progress) {
        let Some(status) = self.file_mut(progress.file) else {
            return;
        };
        status.bytes = progress.bytes;
        status.events = progress.events;
        status.problems = progress.problems;
        status.skipped = progress.skipped;
        status.repaired = progress.repaired;
        status.done = progress.done;
        status.cancelled = progress.cancelled;
        let file = progress.file;
        self.problems.extend(
            progress
                .new_problems
                .into_iter()
                .map(|line| ShownProblem::File { file, line }),
        );
    }

    fn file_mut(&mut self, id: u32) -> Option<&mut FileStatus> {
        self.files.iter_mut().find(|f| f.id == id)
    }

    /// The file numbered `id`.
    pub fn file(&self, id: u32) -> Option<&FileStatus> {
        self.files.iter().find(|f| f.id == id)
    }

    /// Events decoded in all files.
    pub fn events(&self) -> u64 {
        self.files.iter().map(|f| f.events).sum()
    }

    /// Bytes decoded in all files.
    pub fn bytes_read(&self) -> u64 {
        self.files.iter().map(|f| f.bytes).sum()
    }

    /// Size of all files.
    pub fn bytes_total(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }

    /// Problems found in all files (including those not listed).
    pub fn problem_count(&self) -> u64 {
        self.files.iter().map(|f| f.problems).sum()
    }

    /// Events lost in all files.
    pub fn skipped(&self) -> u64 {
        self.files.iter().map(|f| f.skipped).sum()
    }

    /// Events decoded after a repair, in all files.
    pub fn repaired(&self) -> u64 {
        self.files.iter().map(|f| f.repaired).sum()
    }

    /// Whether some file is still being decoded.
    pub fn busy(&self) -> bool {
        self.files.iter().any(|f| !f.done)
    }

    /// Whether some file was cancelled.
    pub fn cancelled(&self) -> bool {
        self.files.iter().any(|f| f.cancelled)
    }
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

/// The event whose detail is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DetailState {
    /// Asked the worker; the answer is on its way.
    Loading {
        /// The request's token.
        token: u32,
    },
    /// Decoded again.
    Ready(Box<Detail>),
}

/// Timings for the figures (ms since page load, `performance.now()`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timing {
    /// When the current files were opened.
    pub opened: Option<f64>,
    /// When their first rows arrived.
    pub first_rows: Option<f64>,
    /// When every file was done.
    pub done: Option<f64>,
}

/// Everything the page shows.
#[derive(Debug, Default)]
pub struct AppState {
    /// Loading progress and problems.
    pub load: LoadState,
    /// Every row received, with its strings.
    pub store: Store,
    /// The load generation (see [`Request::Clear`]): batches of older ones are dropped.
    pub generation: u32,
    /// The table's filter.
    pub filter: Filter,
    /// The table's sort (load order when `None`).
    pub sort: Option<Sort>,
    /// The rows the table shows, as indices into `store.rows`, in display order.
    pub view: Vec<u32>,
    /// Whether `view` must be recomputed (new rows arrived under a sort or filter).
    pub view_stale: bool,
    /// The selected row (index into `store.rows`).
    pub selected: Option<u32>,
    /// Whether the detail pane is open.
    pub detail_open: bool,
    /// The detail pane's content.
    pub detail: Option<DetailState>,
    /// Charts: one bar per account (all rows loaded).
    pub bars: Vec<AccountBars>,
    /// Charts: activity over time of the chosen accounts.
    pub activity: Option<Activity>,
    /// Distinct values for the filter lists.
    pub facets: Facets,
    /// Timings for the figures.
    pub timing: Timing,
    /// The duration of the last [`query::select`], ms.
    pub last_select_ms: Option<f64>,
    /// Bumped by every change; views compare it instead of the state.
    pub version: u64,
    /// The monitoring rules in use (`rules.rules()` as the user sees and edits them); rows are
    /// marked with them ([`Store::findings`]).
    pub rules: RuleSet,
    /// Why the last rules the user gave could not be used.
    pub rules_error: Option<String>,
    /// Matches per rule and per account, in rule order.
    pub tallies: Vec<Tally>,
    /// Rows matching any rule per routine pattern, most first ([`TallyCounts::routine_rows`]).
    pub routine_rows: Vec<(u8, u64)>,
    /// The session timeline of the one account the table is filtered to.
    pub timeline: Option<TimelineState>,
    /// The export asked of the worker, and the last one it wrote.
    pub export: ExportState,
    /// Running counts behind the account bars, the facets and the tallies: each row is counted
    /// once, when it arrives, so refreshing them does not grow with the load. (The activity
    /// chart still goes over every row at a refresh: its time buckets depend on the whole range.)
    counts: Counts,
    next_token: u32,
    charts_len: usize,
    charts_at: f64,
    view_at: f64,
}

/// An export of the table's rows ([`Action::Export`]): asked of the worker, which reads the
/// events again and writes the CLI's records for them.
#[derive(Debug, Default)]
pub struct ExportState {
    /// The token of the export the worker is writing (the buttons wait meanwhile).
    pub waiting: Option<u32>,
    /// A finished export, for the page to offer as a download (taken once offered).
    pub ready: Option<Download>,
    /// Rows the last export could not read again.
    pub lost: u32,
}

/// A file for the page to offer as a download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// Its name.
    pub name: &'static str,
    /// Its media type.
    pub mime: &'static str,
    /// Its content.
    pub text: String,
}

/// A change to [`AppState`].
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
        /// Position in [`AppState::view`].
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
    /// Export the rows of the table (as filtered and sorted) as CSV or as JSON.
    Export {
        /// CSV rather than JSON.
        csv: bool,
    },
    /// Show only the rows of routine class `class` (see
    /// [`Store::routine`](crate::model::store::Store::routine)) that match any rule, or
    /// everything again if that is what is shown.
    FilterRoutine(u8),
}

/// The running counts of [`AppState`].
#[derive(Debug, Default)]
struct Counts {
    bars: BarCounts,
    facets: FacetCounts,
    tallies: TallyCounts,
}

/// Row counts per event ID, account and operation. Accounts and operations are interned ids,
/// dense from 1: their counts are indexed by id rather than hashed (every row is counted).
#[derive(Debug, Clone, Default)]
struct FacetCounts {
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
    fn sid(&self, account: Sym) -> Option<Sym> {
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

impl AppState {
    /// A fresh state.
    pub fn new() -> Self {
        let mut state = Self::default();
        state.use_rules(RuleFile::new(rules::presets()));
        state
    }

    /// Compiles and uses `file`, marking every row again; a file that cannot be used leaves
    /// the rules as they were and says why in [`AppState::rules_error`].
    fn use_rules(&mut self, file: RuleFile) {
        match RuleSet::compile_file(file) {
            Ok(set) => {
                self.rules = set;
                self.rules_error = None;
                rules::mark(&self.rules, &mut self.store, 0);
                self.counts.tallies = TallyCounts::new(self.rules.len());
                self.counts.tallies.add(
                    &self.store.rows,
                    &self.store.findings,
                    &self.store.routine,
                );
                self.tallies = self.counts.tallies.tallies();
                self.routine_rows = self.counts.tallies.routine_rows();
            }
            Err(e) => self.rules_error = Some(e.to_string()),
        }
    }

    /// Applies `action` at time `now` (ms, any monotonic clock) and returns what the worker must
    /// be told.
    pub fn apply(&mut self, action: Action, now: f64) -> Vec<Request> {
        self.version += 1;
        let mut out = Vec::new();
        match action {
            Action::Report(report) => out.extend(self.report(report, now)),
            Action::Export { csv } => out.extend(self.ask_export(csv)),
            Action::Opened { first_id, files } => {
                if !self.load.busy() {
                    self.timing = Timing {
                        opened: Some(now),
                        first_rows: None,
                        done: None,
                    };
                }
                self.load.opened(first_id, files);
            }
            Action::WorkerStopped => {
                self.load.ready = false;
                self.load.worker_stopped = true;
            }
            Action::Cancel => {
                if self.load.busy() {
                    out.push(Request::Cancel);
                }
            }
            Action::Clear => {
                self.generation = self.generation.wrapping_add(1);
                out.push(Request::Clear {
                    generation: self.generation,
                });
                let ready = self.load.ready;
                let stopped = self.load.worker_stopped;
                let generation = self.generation;
                let next_token = self.next_token;
                let version = self.version;
                let rules = std::mem::take(&mut self.rules);
                *self = Self::default();
                self.rules = rules;
                self.counts.tallies = TallyCounts::new(self.rules.len());
                self.tallies = self.counts.tallies.tallies();
                self.routine_rows = self.counts.tallies.routine_rows();
                self.load.ready = ready;
                self.load.worker_stopped = stopped;
                self.generation = generation;
                self.next_token = next_token;
                self.version = version;
            }
            Action::SortBy(column) => {
                self.sort = match self.sort {
                    Some(s) if s.column == column && !s.descending => Some(Sort {
                        column,
                        descending: true,
                    }),
                    Some(s) if s.column == column => None,
                    _ => Some(Sort {
                        column,
                        descending: false,
                    }),
                };
                self.refresh_view(now);
            }
            Action::SetText(text) => {
                self.filter.text = text;
                self.refresh_view(now);
            }
            Action::SetEventIds(ids) => {
                self.filter.event_ids = ids;
                self.refresh_view(now);
            }
            Action::SetAccounts(accounts) => {
                self.filter.accounts = accounts;
                self.refresh_view(now);
                self.refresh_activity();
                out.extend(self.ask_timeline());
            }
            Action::ToggleAccount(account) => {
                if let Some(i) = self.filter.accounts.iter().position(|&a| a == account) {
                    self.filter.accounts.remove(i);
                } else {
                    self.filter.accounts.push(account);
                }
                self.refresh_view(now);
                self.refresh_activity();
                out.extend(self.ask_timeline());
            }
            Action::SetOperations(operations) => {
                self.filter.operations = operations;
                self.refresh_view(now);
            }
            Action::SetOutcome(outcome) => {
                self.filter.outcome = outcome;
                self.refresh_view(now);
            }
            Action::SetFrom(from) => {
                self.filter.from = from;
                self.refresh_view(now);
            }
            Action::SetTo(to) => {
                self.filter.to = to;
                self.refresh_view(now);
            }
            Action::ResetFilter => {
                self.filter = Filter::default();
                self.refresh_view(now);
                self.refresh_activity();
                self.timeline = None;
            }
            Action::SelectAt { position, open } => {
                self.selected = self.view.get(position).copied();
                if open {
                    self.detail_open = true;
                }
                out.extend(self.ask_detail());
            }
            Action::MoveSelection(delta) => {
                let last = self.view.len().saturating_sub(1);
                let position = match self.selected_position() {
                    Some(p) => p.saturating_add_signed(delta).min(last),
                    None => 0,
                };
                self.selected = self.view.get(position).copied();
                out.extend(self.ask_detail());
            }
            Action::SelectFirst => {
                self.selected = self.view.first().copied();
                out.extend(self.ask_detail());
            }
            Action::SelectLast => {
                self.selected = self.view.last().copied();
                out.extend(self.ask_detail());
            }
            Action::OpenDetail => {
                if self.selected.is_some() {
                    self.detail_open = true;
                    out.extend(self.ask_detail());
                }
            }
            Action::SelectRow(i) => {
                if (i as usize) < self.store.rows.len() {
                    self.selected = Some(i);
                    self.detail_open = true;
                    out.extend(self.ask_detail());
                }
            }
            Action::CloseDetail => {
                self.detail_open = false;
                self.detail = None;
            }
            Action::SetRules(file) => {
                let filtered = self.filter.findings != 0 || self.filter.routine.is_some();
                self.use_rules(file);
                if filtered && self.rules_error.is_none() {
                    self.filter.findings = 0;
                    self.filter.routine = None;
                    self.refresh_view(now);
                }
            }
            Action::FilterRule(i) => self.filter_findings(i, 0, now),
            Action::FilterRoutine(class) => {
                let any = u32::MAX >> (32 - self.rules.len().clamp(1, 32));
                if self.filter.findings == any && self.filter.routine == Some(class) {
                    self.filter.findings = 0;
                    self.filter.routine = None;
                } else {
                    self.filter.findings = any;
                    self.filter.routine = Some(class);
                }
                self.refresh_view(now);
            }
        }
        out
    }

    /// Asks the worker for the session timeline of the one account the table is filtered to.
    fn ask_timeline(&mut self) -> Option<Request> {
        let [account] = self.filter.accounts[..] else {
            self.timeline = None;
            return None;
        };
        self.next_token = self.next_token.wrapping_add(1);
        let token = self.next_token;
        let sid = self.counts.facets.sid(account);
        self.timeline = Some(TimelineState {
            account,
            token,
            // An account without a SID has no session to look up.
            sessions: sid.is_none().then(Vec::new),
            ticks: Vec::new(),
        });
        let sid = self.store.str(sid?).to_string();
        Some(Request::Timeline { token, sid })
    }

    /// The request for an export of the view's rows, each with the rules it matches; `None`
    /// while another export is being written.
    fn ask_export(&mut self, csv: bool) -> Option<Request> {
        if self.export.waiting.is_some() {
            return None;
        }
        self.refresh_view(0.0);
        let rows = self
            .view
            .iter()
            .filter_map(|&i| {
                let r = self.store.rows.get(i as usize)?;
                Some(ExportRow {
                    file: u32::from(r.file),
                    start: r.byte_start,
                    end: r.byte_end,
                    findings: self.rules_matched(i).map(|rule| rule.id.clone()).collect(),
                })
            })
            .collect();
        let count = self.load.files.iter().map(|f| f.id + 1).max().unwrap_or(0);
        let mut names = vec![String::new(); count as usize];
        for f in &self.load.files {
            names[f.id as usize] = f.name.clone();
        }
        self.next_token += 1;
        let token = self.next_token;
        self.export.waiting = Some(token);
        self.export.lost = 0;
        Some(Request::Export {
            token,
            csv,
            rows,
            names,
        })
    }

    /// Takes in a report; asks again for what the report made out of date.
    fn report(&mut self, report: Report, now: f64) -> Option<Request> {
        match report {
            Report::Ready => self.load.ready = true,
            Report::Progress(progress) => {
                self.load.progress(progress);
                if !self.load.busy() {
                    if self.timing.done.is_none() && self.timing.opened.is_some() {
                        self.timing.done = Some(now);
                    }
                    self.refresh(now, true);
                    // Sessions (and the account's SID) read since the timeline was asked for.
                    if self.filter.accounts.len() == 1 {
                        return self.ask_timeline();
                    }
                }
            }
            Report::ReadFailed { file, reason } => {
                if let Some(status) = self.load.file_mut(file) {
                    status.failed = Some(reason);
                    status.done = true;
                }
                if !self.load.busy() {
                    self.refresh(now, true);
                }
            }
            Report::Rows { generation, batch } => {
                if generation != self.generation {
                    return None;
                }
                let added = Batch::decode(&batch.to_vec()).and_then(|b| self.add_rows(b, now));
                if let Err(err) = added {
                    self.load.problems.push(ShownProblem::Batch(err));
                }
            }
            Report::Exported {
                token,
                csv,
                text,
                lost,
            } => {
                if self.export.waiting == Some(token) {
                    self.export.waiting = None;
                    self.export.lost = lost;
                    self.export.ready = Some(if csv {
                        Download {
                            name: "keytrail-events.csv",
                            mime: "text/csv;charset=utf-8",
                            text,
                        }
                    } else {
                        Download {
                            name: "keytrail-events.json",
                            mime: "application/json",
                            text,
                        }
                    });
                }
            }
            Report::Detail(detail) => {
                if matches!(self.detail, Some(DetailState::Loading { token }) if token == detail.token)
                {
                    self.detail = Some(DetailState::Ready(detail));
                }
            }
            Report::Timeline {
                token, sessions, ..
            } => {
                if let Some(t) = self.timeline.as_mut().filter(|t| t.token == token) {
                    let store = &self.store;
                    let events = store
                        .rows
                        .iter()
                        .filter(|r| r.account == t.account && is_key_event(r.event_id))
                        .map(|r| {
                            let failed = r.outcome.get() == Some(Outcome::Failure);
                            (
                                store.str(r.computer),
                                store.str(r.logon_id),
                                r.time(),
                                failed,
                            )
                        });
                    t.ticks = session::ticks(&sessions, events);
                    t.sessions = Some(sessions);
                }
            }
            // Between the worker and its second worker only.
            Report::PartEnd { .. } => {}
        }
        None
    }

    /// Shows the matches of rule `rule` of routine class `class` (0: those that need a look), or
    /// every row again when that is what is shown.
    fn filter_findings(&mut self, rule: usize, class: u8, now: f64) {
        let bit = 1u32
            .checked_shl(u32::try_from(rule).unwrap_or(u32::MAX))
            .unwrap_or(0);
        if self.filter.findings == bit && self.filter.routine == Some(class) {
            self.filter.findings = 0;
            self.filter.routine = None;
        } else {
            self.filter.findings = bit;
            self.filter.routine = Some(class);
        }
        self.refresh_view(now);
    }

    /// Appends a batch of rows (as decoded from a [`Report::Rows`]); one that does not follow the
    /// batches before is refused (see [`Store::apply`]).
    pub fn add_rows(&mut self, batch: Batch, now: f64) -> Result<(), BatchError> {
        let start = self.store.rows.len();
        self.store.apply(batch)?;
        let moved = rules::mark(&self.rules, &mut self.store, start);
        let end = self.store.rows.len();
        let new = &self.store.rows[start..end];
        self.counts.bars.add(new);
        self.counts.facets.add(new);
        self.counts.tallies.add(
            new,
            self.store.findings.get(start..end).unwrap_or(&[]),
            self.store.routine.get(start..end).unwrap_or(&[]),
        );
        for &(row, before) in &moved {
            let after = self.store.routine_of(row);
            let bits = self.store.findings_of(row);
            self.counts
                .tallies
                .reclass(&self.store.rows[row], bits, before, after);
        }
        if !moved.is_empty() && self.filter.routine.is_some() {
            self.view_stale = true;
        }
        if end > start && self.timing.first_rows.is_none() && self.timing.opened.is_some() {
            self.timing.first_rows = Some(now);
        }
        if self.filter.is_empty() && self.sort.is_none() && !self.view_stale {
            self.view.extend(index_range(start, end));
        } else {
            self.view_stale = true;
        }
        self.refresh(now, false);
        Ok(())
    }

    /// Recomputes what is stale: always when `force`, else at most every [`REFRESH_MS`].
    pub fn refresh(&mut self, now: f64, force: bool) {
        if self.view_stale && (force || now - self.view_at >= REFRESH_MS) {
            self.refresh_view(now);
        }
        if self.charts_len != self.store.rows.len()
            && (force || self.charts_len == 0 || now - self.charts_at >= REFRESH_MS * 2.0)
        {
            self.charts_at = now;
            self.refresh_charts();
        }
    }

    /// Recomputes the view from the filter and sort.
    pub fn refresh_view(&mut self, now: f64) {
        let started = now_ms();
        self.view = query::select(&self.store, &self.filter, self.sort);
        self.last_select_ms = Some(now_ms() - started);
        self.view_stale = false;
        self.view_at = now;
    }

    fn refresh_charts(&mut self) {
        self.charts_len = self.store.rows.len();
        self.bars = self.counts.bars.bars(&self.store, CHART_ACCOUNTS);
        self.facets = self.counts.facets.facets(&self.store);
        self.tallies = self.counts.tallies.tallies();
        self.routine_rows = self.counts.tallies.routine_rows();
        self.refresh_activity();
    }

    fn refresh_activity(&mut self) {
        if self.store.rows.is_empty() {
            self.activity = None;
            return;
        }
        let accounts = self.chart_accounts();
        let all: Vec<u32> = index_range(0, self.store.rows.len()).collect();
        self.activity = Some(activity(&self.store, &all, &accounts, ACTIVITY_BUCKETS));
    }

    /// The accounts the activity chart follows: the filtered ones, else the three busiest.
    pub fn chart_accounts(&self) -> Vec<Sym> {
        if self.filter.accounts.is_empty() {
            self.bars.iter().take(3).map(|b| b.account).collect()
        } else {
            self.filter.accounts.clone()
        }
    }

    /// Where the selected row is in the view.
    pub fn selected_position(&self) -> Option<usize> {
        let selected = self.selected?;
        self.view.iter().position(|&r| r == selected)
    }

    fn ask_detail(&mut self) -> Option<Request> {
        if !self.detail_open {
            return None;
        }
        let row = *self.store.rows.get(self.selected? as usize)?;
        self.next_token = self.next_token.wrapping_add(1);
        let token = self.next_token;
        self.detail = Some(DetailState::Loading { token });
        Some(Request::Detail {
            token,
            file: u32::from(row.file),
            start: row.byte_start,
            end: row.byte_end,
        })
    }

    /// Whether several files are loaded (the table then shows a file column).
    pub fn several_files(&self) -> bool {
        self.load.files.len() > 1
    }

    /// The name of file `id`.
    pub fn file_name(&self, id: u32) -> &str {
        self.load.file(id).map_or("", |f| f.name.as_str())
    }

    /// The text of one cell (the file column as the file's name).
    pub fn cell(&self, row: u32, column: Column) -> Cow<'_, str> {
        let Some(r) = self.store.rows.get(row as usize) else {
            return Cow::Borrowed("");
        };
        match column {
            Column::File => Cow::Borrowed(self.file_name(u32::from(r.file))),
            _ => cell(&self.store, r, column),
        }
    }

    /// The rules row `row` matches, in rule order.
    pub fn rules_matched(&self, row: u32) -> impl Iterator<Item = &Rule> {
        self.rules.matched(self.store.findings_of(row as usize))
    }
}

fn index_range(start: usize, end: usize) -> impl Iterator<Item = u32> {
    (start..end).filter_map(|i| u32::try_from(i).ok())
}

/// `performance.now()` where there is one (0 elsewhere).
pub fn now_ms() -> f64 {
    let global = js_sys::global();
    js_sys::Reflect::get(&global, &"performance".into())
        .ok()
        .filter(|p| !p.is_undefined())
        .and_then(|p| {
            let now = js_sys::Reflect::get(&p, &"now".into()).ok()?;
            let now: js_sys::Function = wasm_bindgen::JsCast::dyn_into(now).ok()?;
            now.call0(&p).ok()?.as_f64()
        })
        .unwrap_or(0.0)
}

/// Reads `YYYY-MM-DD[THH:MM[:SS]]` (an `<input type="datetime-local">` value) as UTC, in ns
/// since the epoch, with the decoder's own time reader. `None` for an empty or unreadable value.
pub fn parse_time(value: &str) -> Option<i64> {
    let value = value.trim();
    match value.len() {
        10 => value::parse_time(&format!("{value}T00:00:00")),
        16 => value::parse_time(&format!("{value}:00")),
        _ => value::parse_time(value),
    }
}

/// Formats ns since the epoch as `YYYY-MM-DDTHH:MM` (for a `datetime-local` input, UTC).
pub fn format_minutes(ns: i64) -> String {
    let mut full = Timestamp(ns).to_string();
    full.truncate(16);
    full
}
