//! What the page knows, and every way it changes.
//!
//! Views only dispatch [`Action`]s; [`AppState::apply`] is the one place that changes state, a
//! plain function tested without a browser page. It returns the [`Request`]s the worker must
//! receive as a result (a detail to decode, a load to forget), so the Yew layer only forwards.
//!
//! The state is made of parts, each in its own module: [`LoadState`] (files, progress,
//! problems), [`TableState`] (filter, sort, the rows shown, the selection, the export),
//! [`DetailPaneState`], [`ChartsState`] (with the filter lists' facets and the session timeline)
//! and [`RulesState`] (rules and their tallies).
//!
//! The rows live in a [`Store`] here, on the page's thread: the worker sends them in encoded
//! [`Batch`]es. Sorting and filtering run [`query::select`] over the store; while files are still
//! streaming in, a sorted or filtered view is refreshed at most every [`REFRESH_MS`] (an unsorted,
//! unfiltered view just grows).

mod action;
mod charts;
mod clock;
mod detail;
mod load;
mod parts;
mod rules;
mod table;

pub use action::Action;

pub use charts::{ChartsState, Facets, TimelineState};
pub use clock::Clock;
pub use detail::{DetailPaneState, DetailState};
pub use load::{FileStatus, LoadState, ShownProblem, Timing};
pub use parts::{Parts, Versions};
pub use rules::RulesState;
pub use table::{Download, ExportState, TableState};

use std::borrow::Cow;

use super::protocol::{Report, Request};
use super::trace::{timed, Span};
use crate::decoder::view::is_key_event;
use crate::decoder::view::Outcome;
use crate::decoder::{value, Timestamp};
use crate::ingest::export::{ExportRow, ExportShape};
use crate::model::chart::activity_all;
use crate::model::query::{self, cell, Column, Filter, Sort};
use crate::model::rules::{classify, mark_findings, Rule, RuleFile};
use crate::model::session;
use crate::model::store::{Batch, BatchError, Store, Sym};

/// While loading, a sorted or filtered view (and the charts) are recomputed at most this often.
pub const REFRESH_MS: f64 = 400.0;

/// While loading, a refresh that took `t` ms is followed by the next one no sooner than
/// `REFRESH_SHARE × t` ms later (see [`AppState::refresh`]).
pub const REFRESH_SHARE: f64 = 10.0;

/// The most accounts the chart shows.
pub const CHART_ACCOUNTS: usize = 12;

/// Rows loaded before the store makes room for the rows a load is expected to give
/// ([`Store::reserve_rows`]).
const ROOM_AFTER_ROWS: usize = 20_000;

/// Time buckets of the activity chart.
pub const ACTIVITY_BUCKETS: usize = 48;

/// Everything the page shows.
#[derive(Debug, Default)]
pub struct AppState {
    /// Every row received, with its strings.
    pub store: Store,
    /// The load generation (see [`Request::Clear`]): batches of older ones are dropped.
    pub generation: u32,
    /// Loading progress and problems.
    pub load: LoadState,
    /// The table: filter, sort, rows shown, selection, export.
    pub table: TableState,
    /// The detail pane.
    pub detail: DetailPaneState,
    /// The charts and the filter lists' facets.
    pub charts: ChartsState,
    /// The monitoring rules and their tallies.
    pub rules: RulesState,
    /// A version per part, bumped when the part changes; views compare the versions of the
    /// parts they show instead of the state.
    versions: Versions,
    next_token: u32,
    clock: Clock,
}

impl AppState {
    /// A fresh state.
    pub fn new() -> Self {
        let mut state = Self::default();
        state.use_rules(RuleFile::new(crate::model::rules::presets()));
        state
    }

    /// A fresh state that times its work with `clock` (ms).
    pub fn with_clock(clock: Clock) -> Self {
        Self {
            clock,
            ..Self::new()
        }
    }

    /// The state after a clear: a fresh one for the next load generation, which keeps only what
    /// does not come from the files: the rules (with nothing counted), whether the worker is
    /// there, and the counters that must keep growing (generation, request tokens, versions; every
    /// part changed).
    #[must_use]
    pub fn cleared(self) -> Self {
        Self {
            generation: self.generation.wrapping_add(1),
            load: self.load.cleared(),
            rules: self.rules.cleared(),
            versions: {
                let mut versions = self.versions;
                versions.bump(Parts::ALL);
                versions
            },
            next_token: self.next_token,
            clock: self.clock,
            ..Self::default()
        }
    }

    /// Compiles and uses `file`, marking every row again; a file that cannot be used leaves
    /// the rules as they were and says why in [`RulesState::error`].
    fn use_rules(&mut self, file: RuleFile) {
        if self.rules.use_file(file, &mut self.store) {
            // The rows' flags (in the table and the detail) change with the rules.
            self.touch(Parts::RULES | Parts::TABLE);
        } else {
            self.touch(Parts::RULES);
        }
    }

    /// Marks `parts` as changed: bumps their versions.
    fn touch(&mut self, parts: Parts) {
        self.versions.bump(parts);
    }

    /// The version of each part.
    pub fn versions(&self) -> Versions {
        self.versions
    }

    /// Applies `action` at time `now` (ms, any monotonic clock) and returns what the worker must
    /// be told.
    pub fn apply(&mut self, action: Action, now: f64) -> Vec<Request> {
        // The parts every action of its kind changes; the helpers below add those they change
        // only sometimes (the view, the charts, the detail asked for).
        self.touch(match &action {
            Action::Opened { .. } | Action::WorkerStopped => Parts::LOAD,
            Action::SortBy(_)
            | Action::SelectAt { .. }
            | Action::MoveSelection(_)
            | Action::SelectFirst
            | Action::SelectLast => Parts::TABLE,
            Action::SetText(_)
            | Action::SetEventIds(_)
            | Action::SetAccounts(_)
            | Action::ToggleAccount(_)
            | Action::SetOperations(_)
            | Action::SetOutcome(_)
            | Action::SetFrom(_)
            | Action::SetTo(_)
            | Action::ResetFilter
            | Action::FilterRule(_)
            | Action::FilterRoutine(_) => Parts::FILTER,
            Action::OpenDetail | Action::CloseDetail => Parts::DETAIL,
            Action::SelectRow(_) => Parts::TABLE | Parts::DETAIL,
            Action::Report(_)
            | Action::Export(_)
            | Action::Cancel
            | Action::Clear
            | Action::SetRules(_) => Parts::NONE,
        });
        let mut out = Vec::new();
        match action {
            Action::Report(report) => self.report(report, now, &mut out),
            Action::Export(shape) => out.extend(self.ask_export(shape)),
            Action::Opened { first_id, files } => {
                if !self.load.busy() {
                    self.load.timing = Timing {
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
                // Nobody is left to take the files' SHA-256: the report says so.
                if self.load.hashing() {
                    self.touch(Parts::TABLE);
                }
                self.load.no_more_hashes();
            }
            Action::Cancel => {
                if self.load.busy() {
                    out.push(Request::Cancel);
                }
            }
            Action::Clear => {
                *self = std::mem::take(self).cleared();
                out.push(Request::Clear {
                    generation: self.generation,
                });
            }
            Action::SortBy(column) => {
                self.table.sort = match self.table.sort {
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
                self.table.filter.text = text;
                self.refresh_view(now);
            }
            Action::SetEventIds(ids) => {
                self.table.filter.event_ids = ids;
                self.refresh_view(now);
            }
            Action::SetAccounts(accounts) => {
                self.table.filter.accounts = accounts;
                self.refresh_view(now);
                self.refresh_activity();
                out.extend(self.ask_timeline());
            }
            Action::ToggleAccount(account) => {
                if let Some(i) = self
                    .table
                    .filter
                    .accounts
                    .iter()
                    .position(|&a| a == account)
                {
                    self.table.filter.accounts.remove(i);
                } else {
                    self.table.filter.accounts.push(account);
                }
                self.refresh_view(now);
                self.refresh_activity();
                out.extend(self.ask_timeline());
            }
            Action::SetOperations(operations) => {
                self.table.filter.operations = operations;
                self.refresh_view(now);
            }
            Action::SetOutcome(outcome) => {
                self.table.filter.outcome = outcome;
                self.refresh_view(now);
            }
            Action::SetFrom(from) => {
                self.table.filter.from = from;
                self.refresh_view(now);
            }
            Action::SetTo(to) => {
                self.table.filter.to = to;
                self.refresh_view(now);
            }
            Action::ResetFilter => {
                self.table.filter = Filter::default();
                self.refresh_view(now);
                self.refresh_activity();
                self.charts.timeline = None;
            }
            Action::SelectAt { position, open } => {
                self.table.selected = self.table.view.get(position).copied();
                if open {
                    self.detail.open = true;
                }
                out.extend(self.ask_detail());
            }
            Action::MoveSelection(delta) => {
                let last = self.table.view.len().saturating_sub(1);
                let position = match self.selected_position() {
                    Some(p) => p.saturating_add_signed(delta).min(last),
                    None => 0,
                };
                self.table.selected = self.table.view.get(position).copied();
                out.extend(self.ask_detail());
            }
            Action::SelectFirst => {
                self.table.selected = self.table.view.first().copied();
                out.extend(self.ask_detail());
            }
            Action::SelectLast => {
                self.table.selected = self.table.view.last().copied();
                out.extend(self.ask_detail());
            }
            Action::OpenDetail => {
                if self.table.selected.is_some() {
                    self.detail.open = true;
                    out.extend(self.ask_detail());
                }
            }
            Action::SelectRow(i) => {
                if (i as usize) < self.store.rows.len() {
                    self.table.selected = Some(i);
                    self.detail.open = true;
                    out.extend(self.ask_detail());
                }
            }
            Action::CloseDetail => {
                self.detail.open = false;
                self.detail.content = None;
            }
            Action::SetRules(file) => {
                let filtered =
                    self.table.filter.findings != 0 || self.table.filter.routine.is_some();
                self.use_rules(file);
                if filtered && self.rules.error.is_none() {
                    self.table.filter.findings = 0;
                    self.table.filter.routine = None;
                    self.touch(Parts::FILTER);
                    self.refresh_view(now);
                }
            }
            Action::FilterRule(i) => self.filter_findings(i, 0, now),
            Action::FilterRoutine(class) => {
                let any = u32::MAX >> (32 - self.rules.set.len().clamp(1, 32));
                if self.table.filter.findings == any && self.table.filter.routine == Some(class) {
                    self.table.filter.findings = 0;
                    self.table.filter.routine = None;
                } else {
                    self.table.filter.findings = any;
                    self.table.filter.routine = Some(class);
                }
                self.refresh_view(now);
            }
        }
        out
    }

    /// Asks the worker for the session timeline of the one account the table is filtered to.
    fn ask_timeline(&mut self) -> Option<Request> {
        self.touch(Parts::CHARTS);
        let [account] = self.table.filter.accounts[..] else {
            self.charts.timeline = None;
            return None;
        };
        self.next_token = self.next_token.wrapping_add(1);
        let token = self.next_token;
        let sid = self.charts.facet_counts.sid(account);
        self.charts.timeline = Some(TimelineState {
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
    fn ask_export(&mut self, shape: ExportShape) -> Option<Request> {
        if self.table.export.waiting.is_some() {
            return None;
        }
        self.refresh_view(0.0);
        let rows = self
            .table
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
        let mut ids: Vec<u32> = self
            .table
            .view
            .iter()
            .filter_map(|&i| Some(self.store.rows.get(i as usize)?.event_id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let event_names = ids
            .into_iter()
            .filter_map(|id| Some((id, crate::decoder::view::event_name(id)?.to_string())))
            .collect();
        self.next_token += 1;
        let token = self.next_token;
        self.table.export.waiting = Some(token);
        self.touch(Parts::TABLE);
        self.table.export.lost = 0;
        Some(Request::Export {
            token,
            shape,
            rows,
            names,
            event_names,
        })
    }

    /// Takes in a report; asks again for what the report made out of date.
    fn report(&mut self, report: Report, now: f64, out: &mut Vec<Request>) {
        let hashing = self.load.hashing();
        self.take_report(report, now, out);
        if self.load.hashing() != hashing {
            // Only the report's button shows it, with the table's buttons.
            self.touch(Parts::TABLE);
        }
    }

    /// What follows the end of a load (the last file read, or refused): the last refresh, the
    /// timeline again, and the files' SHA-256 for the report.
    fn load_ended(&mut self, now: f64, out: &mut Vec<Request>) {
        if self.load.timing.done.is_none() && self.load.timing.opened.is_some() {
            self.load.timing.done = Some(now);
        }
        self.refresh(now, true);
        // Sessions (and the account's SID) read since the timeline was asked for.
        if self.table.filter.accounts.len() == 1 {
            out.extend(self.ask_timeline());
        }
        out.extend(self.load.ask_digest());
    }

    fn take_report(&mut self, report: Report, now: f64, out: &mut Vec<Request>) {
        match report {
            Report::Ready => {
                self.load.ready = true;
                self.touch(Parts::LOAD);
            }
            Report::Progress(progress) => {
                self.load.progress(progress);
                self.touch(Parts::LOAD);
                if !self.load.busy() {
                    self.load_ended(now, out);
                }
            }
            Report::Digested {
                file,
                sha256,
                stopped,
            } => {
                self.load.digested(file, sha256, stopped);
                if !self.load.busy() {
                    out.extend(self.load.ask_digest());
                }
            }
            Report::ReadFailed { file, reason } => {
                if let Some(status) = self.load.file_mut(file) {
                    status.failed = Some(reason);
                    status.done = true;
                }
                self.touch(Parts::LOAD);
                if !self.load.busy() {
                    self.load_ended(now, out);
                }
            }
            Report::Rows { generation, batch } => {
                if generation != self.generation {
                    return;
                }
                let batch = timed("batch decode", || Batch::decode(&batch.to_vec()));
                let added = batch.and_then(|b| self.add_rows(b, now));
                if let Err(err) = added {
                    self.load.problems.push(ShownProblem::Batch(err));
                    self.touch(Parts::LOAD);
                }
            }
            Report::Exported {
                token,
                shape,
                text,
                lost,
            } => {
                if self.table.export.waiting == Some(token) {
                    self.touch(Parts::TABLE);
                    self.table.export.waiting = None;
                    self.table.export.lost = lost;
                    let (name, mime) = shape.file();
                    self.table.export.ready = Some(Download { name, mime, text });
                }
            }
            Report::Detail(detail) => {
                if matches!(self.detail.content, Some(DetailState::Loading { token }) if token == detail.token)
                {
                    self.detail.content = Some(DetailState::Ready(detail));
                    self.touch(Parts::DETAIL);
                }
            }
            Report::Timeline {
                token, sessions, ..
            } => {
                if let Some(t) = self.charts.timeline.as_mut().filter(|t| t.token == token) {
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
                    self.versions.bump(Parts::CHARTS);
                }
            }
            // Between the worker and its second worker only.
            Report::PartEnd { .. } | Report::Hashing { .. } => {}
        }
    }

    /// Shows the matches of rule `rule` of routine class `class` (0: those that need a look), or
    /// every row again when that is what is shown.
    fn filter_findings(&mut self, rule: usize, class: u8, now: f64) {
        let bit = 1u32
            .checked_shl(u32::try_from(rule).unwrap_or(u32::MAX))
            .unwrap_or(0);
        if self.table.filter.findings == bit && self.table.filter.routine == Some(class) {
            self.table.filter.findings = 0;
            self.table.filter.routine = None;
        } else {
            self.table.filter.findings = bit;
            self.table.filter.routine = Some(class);
        }
        self.refresh_view(now);
    }

    /// Appends a batch of rows (as decoded from a [`Report::Rows`]); one that does not follow the
    /// batches before is refused (see [`Store::apply`]).
    pub fn add_rows(&mut self, batch: Batch, now: f64) -> Result<(), BatchError> {
        let start = self.store.rows.len();
        timed("store", || self.store.apply(batch))?;
        self.load.took_rows(&self.store.rows[start..]);
        // Once the rows are enough to tell rows per byte (an estimate made on the first batch
        // is rough), room for all of them, so the vector is not copied late in the load.
        let rows = self.store.rows.len();
        if rows >= ROOM_AFTER_ROWS {
            let expected = usize::try_from(self.load.expected_rows()).unwrap_or(usize::MAX);
            timed("store room", || {
                self.store
                    .reserve_rows(expected.min(rows.saturating_mul(64)))
            });
        }
        // The table shows the store's rows (and their flags), whether or not the view grows now.
        self.touch(Parts::TABLE);
        let (set, store) = (&self.rules.set, &mut self.store);
        timed("rule marks", || mark_findings(set, store, start));
        let moved = timed("routine classes", || classify(set, store, start));
        let end = self.store.rows.len();
        let span = Span::new("counts");
        let new = &self.store.rows[start..end];
        self.charts.bar_counts.add(new);
        self.charts.span.add(new);
        self.charts.facet_counts.add(new);
        self.rules.counts.add(
            new,
            self.store.findings.get(start..end).unwrap_or(&[]),
            self.store.routine.get(start..end).unwrap_or(&[]),
        );
        for &(row, before) in &moved {
            let after = self.store.routine_of(row);
            let bits = self.store.findings_of(row);
            self.rules
                .counts
                .reclass(&self.store.rows[row], bits, before, after);
        }
        drop(span);
        if !moved.is_empty() {
            // Earlier rows changed routine class: the detail may show one of them.
            self.touch(Parts::DETAIL);
            if self.table.filter.routine.is_some() {
                self.table.view_stale = true;
            }
        }
        if end > start && self.load.timing.first_rows.is_none() && self.load.timing.opened.is_some()
        {
            self.load.timing.first_rows = Some(now);
            self.touch(Parts::LOAD);
        }
        if self.table.filter.is_empty() && self.table.sort.is_none() && !self.table.view_stale {
            self.table.view.extend(index_range(start, end));
        } else {
            self.table.view_stale = true;
        }
        self.refresh(now, false);
        Ok(())
    }

    /// Recomputes what is stale: always when `force`, else at most every [`REFRESH_MS`] (the
    /// view) and twice that (the charts), and never more often than keeps each at a tenth of the
    /// page's time ([`REFRESH_SHARE`]): both are worked out from every row loaded, so on a large
    /// load each time costs more, and refreshing at a fixed pace would cost the page (and the
    /// workers it shares the processors with) time that grows with the square of the rows.
    pub fn refresh(&mut self, now: f64, force: bool) {
        let view_every = REFRESH_MS.max(self.table.last_select_ms.unwrap_or(0.0) * REFRESH_SHARE);
        if self.table.view_stale && (force || now - self.table.view_at >= view_every) {
            let _span = Span::new("refresh view");
            self.refresh_view(now);
        }
        let charts_every = (REFRESH_MS * 2.0).max(self.charts.cost * REFRESH_SHARE);
        if self.charts.len != self.store.rows.len()
            && (force || self.charts.len == 0 || now - self.charts.at >= charts_every)
        {
            self.charts.at = now;
            let _span = Span::new("refresh charts");
            let started = self.clock.now();
            self.refresh_charts();
            self.charts.cost = self.clock.now() - started;
        }
    }

    /// Recomputes the view from the filter and sort.
    pub fn refresh_view(&mut self, now: f64) {
        let started = self.clock.now();
        self.table.view = query::select(&self.store, &self.table.filter, self.table.sort);
        self.table.last_select_ms = Some(self.clock.now() - started);
        self.table.view_stale = false;
        self.table.view_at = now;
        self.touch(Parts::TABLE);
    }

    fn refresh_charts(&mut self) {
        self.charts.len = self.store.rows.len();
        self.charts.bars = self.charts.bar_counts.bars(&self.store, CHART_ACCOUNTS);
        self.charts.facets = self.charts.facet_counts.facets(&self.store);
        self.rules.publish();
        self.touch(Parts::CHARTS | Parts::RULES);
        self.refresh_activity();
    }

    fn refresh_activity(&mut self) {
        self.touch(Parts::CHARTS);
        if self.store.rows.is_empty() {
            self.charts.activity = None;
            return;
        }
        let accounts = self.chart_accounts();
        self.charts.activity = Some(activity_all(
            &self.store,
            self.charts.span,
            &accounts,
            ACTIVITY_BUCKETS,
        ));
    }

    /// The accounts the activity chart follows: the filtered ones, else the three busiest.
    pub fn chart_accounts(&self) -> Vec<Sym> {
        if self.table.filter.accounts.is_empty() {
            self.charts.bars.iter().take(3).map(|b| b.account).collect()
        } else {
            self.table.filter.accounts.clone()
        }
    }

    /// Where the selected row is in the view.
    pub fn selected_position(&self) -> Option<usize> {
        let selected = self.table.selected?;
        self.table.view.iter().position(|&r| r == selected)
    }

    fn ask_detail(&mut self) -> Option<Request> {
        if !self.detail.open {
            return None;
        }
        self.touch(Parts::DETAIL);
        let row = *self.store.rows.get(self.table.selected? as usize)?;
        self.next_token = self.next_token.wrapping_add(1);
        let token = self.next_token;
        self.detail.content = Some(DetailState::Loading { token });
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
        self.rules.set.matched(self.store.findings_of(row as usize))
    }
}

fn index_range(start: usize, end: usize) -> impl Iterator<Item = u32> {
    (start..end).filter_map(|i| u32::try_from(i).ok())
}

impl AppState {
    /// The report of what is loaded (`crate::report`), in `lang`, written at `written` (ns since
    /// the Unix epoch): the same document `keytrail report` writes for the same files.
    pub fn report_html(&self, lang: crate::text::Lang, written: Option<i64>) -> String {
        use crate::report::{FileEntry, ProblemEntry, Review};
        let files: Vec<FileEntry> = self
            .load
            .files
            .iter()
            .map(|f| FileEntry {
                name: f.name.clone(),
                size: f.size,
                sha256: f.sha256.clone(),
                format: f.format,
                events: f.events,
                problems: f.problems,
                skipped: f.skipped,
            })
            .collect();
        let problems: Vec<ProblemEntry> = self
            .load
            .problems
            .iter()
            .filter_map(|p| match p {
                ShownProblem::File { file, line } => Some(ProblemEntry {
                    file: self.load.files.iter().position(|f| f.id == *file)?,
                    line: line.clone(),
                }),
                ShownProblem::Batch(_) => None,
            })
            .collect();
        crate::report::html(&Review {
            lang,
            written,
            files: &files,
            problems: &problems,
            store: &self.store,
            rules: &self.rules.set,
        })
    }
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
