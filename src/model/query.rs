//! Filtering and sorting the [`Store`] for the table: [`select`] gives the indices of the rows to
//! show, in order; [`cell`] gives the text of one cell.
//!
//! Both stay fast on millions of rows because they never touch a row's strings: work that depends
//! on a string is done once per distinct string ([`Sym`]) per query — a text match, a rank in
//! sort order — and rows are then tested and compared through table look-ups and integers.
//!
//! ```
//! use keytrail::decoder::decode_all;
//! use keytrail::model::query::{cell, select, Column, Filter, Sort};
//! use keytrail::model::store::Store;
//!
//! let xml = "<Event><System><EventID>4624</EventID><EventRecordID>2</EventRecordID></System>\
//!            <EventData><Data Name='TargetUserName'>bob</Data></EventData></Event>\
//!            <Event><System><EventID>5059</EventID><EventRecordID>1</EventRecordID></System>\
//!            <EventData><Data Name='SubjectUserName'>alice</Data></EventData></Event>";
//! let mut store = Store::new();
//! for ev in decode_all(xml.as_bytes()).0 {
//!     store.push_event(0, &ev);
//! }
//! let by_record = Sort { column: Column::RecordId, descending: false };
//! assert_eq!(select(&store, &Filter::default(), Some(by_record)), [1, 0]);
//!
//! let filter = Filter { text: "MIGRATION".into(), ..Filter::default() };
//! let rows = select(&store, &filter, None);
//! assert_eq!(rows, [1]);
//! let row = &store.rows[rows[0] as usize];
//! assert_eq!(cell(&store, row, Column::Event), "5059 Key migration operation");
//! assert_eq!(cell(&store, row, Column::Account), "alice");
//! ```

use super::store::{Row, Store, Sym};
use crate::decoder::view::event_name;
use crate::decoder::view::Outcome;
use crate::decoder::Timestamp;
use memchr::memmem;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::cmp::Ordering;

/// A column of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Column {
    /// [`Row::time`], shown as RFC 3339 UTC.
    Time,
    /// [`Row::event_id`] with the event's name.
    Event,
    /// [`Row::outcome`]: `success`, `failure` or nothing.
    Outcome,
    /// [`Row::account`].
    Account,
    /// [`Row::logon_id`].
    LogonId,
    /// [`Row::provider`].
    Provider,
    /// [`Row::algorithm`].
    Algorithm,
    /// [`Row::key_name`].
    KeyName,
    /// [`Row::key_type`].
    KeyType,
    /// [`Row::operation`].
    Operation,
    /// [`Row::return_code`].
    ReturnCode,
    /// [`Row::computer`].
    Computer,
    /// [`Row::record_id`].
    RecordId,
    /// [`Row::file`].
    File,
}

/// What a column holds, and so how it reads, sorts and exports.
#[derive(Clone, Copy)]
pub enum Cell {
    /// [`Row::time`]: RFC 3339 UTC, sorted by time.
    Time,
    /// [`Row::event_id`] with the event's name, sorted by ID.
    Event,
    /// [`Row::outcome`]: `success`, `failure` or nothing; sorted nothing, failure, success.
    Outcome,
    /// A number of the row (`None` when absent), sorted by value.
    Number(fn(&Row) -> Option<u64>),
    /// An interned string of the row, sorted as text ([`compare_text`]).
    Text(fn(&Row) -> Sym),
}

/// One column of the table: the one place that says what it is called in files and URLs and
/// what it holds. Cells, sorting, the filter's text search and both exports read this table;
/// each language's headings are keyed by [`Column`].
#[derive(Clone, Copy)]
pub struct ColumnSpec {
    /// The column.
    pub column: Column,
    /// Its stable lowercase key (`"time"`, `"logon_id"`…), for URLs, settings, CSS and exports.
    pub key: &'static str,
    /// What it holds.
    pub cell: Cell,
}

/// Every column, in the table's default order (the order of [`Column::ALL`]).
pub const COLUMNS: [ColumnSpec; 14] = {
    use Cell::{Number, Text};
    const fn spec(column: Column, key: &'static str, cell: Cell) -> ColumnSpec {
        ColumnSpec { column, key, cell }
    }
    [
        spec(Column::Time, "time", Cell::Time),
        spec(Column::Event, "event", Cell::Event),
        spec(Column::Outcome, "outcome", Cell::Outcome),
        spec(Column::Account, "account", Text(|r| r.account)),
        spec(Column::LogonId, "logon_id", Text(|r| r.logon_id)),
        spec(Column::Provider, "provider", Text(|r| r.provider)),
        spec(Column::Algorithm, "algorithm", Text(|r| r.algorithm)),
        spec(Column::KeyName, "key_name", Text(|r| r.key_name)),
        spec(Column::KeyType, "key_type", Text(|r| r.key_type)),
        spec(Column::Operation, "operation", Text(|r| r.operation)),
        spec(Column::ReturnCode, "return_code", Text(|r| r.return_code)),
        spec(Column::Computer, "computer", Text(|r| r.computer)),
        spec(Column::RecordId, "record_id", Number(Row::record_id)),
        spec(Column::File, "file", Number(|r| Some(u64::from(r.file)))),
    ]
};

impl Column {
    /// Every column, in the table's default order.
    pub const ALL: [Column; 14] = {
        let mut all = [Column::Time; 14];
        let mut i = 0;
        while i < COLUMNS.len() {
            all[i] = COLUMNS[i].column;
            i += 1;
        }
        all
    };

    /// The column's entry in [`COLUMNS`].
    pub fn spec(self) -> &'static ColumnSpec {
        // `COLUMNS` lists the variants in declaration order (checked by a test).
        &COLUMNS[self as usize]
    }

    /// A stable lowercase key (`"time"`, `"event"`, `"logon_id"`…), for URLs, settings and CSS.
    pub fn key(self) -> &'static str {
        self.spec().key
    }

    /// The column with this [`Column::key`].
    pub fn from_key(key: &str) -> Option<Column> {
        COLUMNS.iter().find(|c| c.key == key).map(|c| c.column)
    }

    /// True for the columns that show an interned string ([`Column::sym`] is `Some`).
    pub fn is_text(self) -> bool {
        matches!(self.spec().cell, Cell::Text(_))
    }

    /// The string column's [`Sym`] in `row`; `None` for the other columns.
    pub fn sym(self, row: &Row) -> Option<Sym> {
        match self.spec().cell {
            Cell::Text(sym) => Some(sym(row)),
            _ => None,
        }
    }
}

/// Which rows to show. Every criterion that is set must hold.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Filter {
    /// Case-insensitive substring (surrounding whitespace ignored) of any string column
    /// ([`Row::syms`], the SID included) or of the event cell (`"5059 Key migration operation"`:
    /// the ID's digits and the event's name). Empty = any.
    pub text: String,
    /// Event IDs; empty = any.
    pub event_ids: Vec<u32>,
    /// Accounts; empty = any.
    pub accounts: Vec<Sym>,
    /// Operations; empty = any.
    pub operations: Vec<Sym>,
    /// Only successes or only failures; `None` = any.
    pub outcome: Option<Outcome>,
    /// Earliest time, ns, inclusive. Rows without a time fail when either bound is set.
    pub from: Option<i64>,
    /// Latest time, ns, inclusive.
    pub to: Option<i64>,
    /// Rows that match one of these monitoring rules (bits as [`Store::findings`]); 0 = any.
    pub findings: u32,
    /// Rows of this routine class ([`Store::routine`]): `Some(0)` those that need a look,
    /// `Some(c)` those of routine pattern `c`; `None` = any.
    pub routine: Option<u8>,
}

impl Filter {
    /// True when the filter lets every row through.
    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
            && self.event_ids.is_empty()
            && self.accounts.is_empty()
            && self.operations.is_empty()
            && self.outcome.is_none()
            && self.from.is_none()
            && self.to.is_none()
            && self.findings == 0
            && self.routine.is_none()
    }
}

/// A sort order for the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sort {
    /// The column to sort by.
    pub column: Column,
    /// Largest first.
    pub descending: bool,
}

/// The event cell's text: `"5059 Key migration operation"`, or the bare ID for unknown events.
pub fn event_text(event_id: u32) -> String {
    match event_name(event_id) {
        Some(name) => format!("{event_id} {name}"),
        None => event_id.to_string(),
    }
}

/// The outcome cell's text: `"success"`, `"failure"` or `""`.
pub fn outcome_text(outcome: Option<Outcome>) -> &'static str {
    outcome.map_or("", Outcome::as_str)
}

/// Cell text for display: time as RFC 3339 UTC, event as `"5059 Key migration operation"`,
/// outcome as `"success"`, `"failure"` or `""`; absent time or record ID as `""`.
pub fn cell<'a>(store: &'a Store, row: &Row, column: Column) -> Cow<'a, str> {
    match column.spec().cell {
        Cell::Time => match row.time() {
            Some(t) => Timestamp(t).to_string().into(),
            None => "".into(),
        },
        Cell::Event => event_text(row.event_id).into(),
        Cell::Outcome => outcome_text(row.outcome.get()).into(),
        Cell::Number(number) => number(row)
            .map_or_else(String::new, |n| n.to_string())
            .into(),
        Cell::Text(sym) => store.str(sym(row)).into(),
    }
}

/// The order of strings in sorted columns: case-insensitive first, then by bytes.
pub fn compare_text(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        let (x, y) = (a.as_bytes(), b.as_bytes());
        let folded = x
            .iter()
            .map(u8::to_ascii_lowercase)
            .cmp(y.iter().map(u8::to_ascii_lowercase));
        folded.then_with(|| x.cmp(y))
    } else {
        fold(a).cmp(&fold(b)).then_with(|| a.cmp(b))
    }
}

/// The case-folded form [`compare_text`] compares first (each char lowercased).
fn fold(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        if s.bytes().any(|b| b.is_ascii_uppercase()) {
            s.to_ascii_lowercase().into()
        } else {
            s.into()
        }
    } else {
        s.chars()
            .flat_map(char::to_lowercase)
            .collect::<String>()
            .into()
    }
}

/// A set of ids as a bit table, for membership tests by look-up.
struct Set(Vec<bool>);

impl Set {
    fn of_syms(syms: &[Sym], len: usize) -> Set {
        let mut t = vec![false; len];
        for s in syms {
            if let Some(b) = t.get_mut(s.index()) {
                *b = true;
            }
        }
        Set(t)
    }

    #[inline]
    fn has(&self, s: Sym) -> bool {
        self.0.get(s.index()).copied().unwrap_or(false)
    }
}

/// Does the event cell of an ID contain the needle? Cached per ID: logs hold few distinct IDs.
struct EventMatch<'n> {
    needle: &'n memmem::Finder<'n>,
    small: Vec<u8>, // 0 unknown, 1 no, 2 yes, for IDs below its length
    buf: String,
}

impl EventMatch<'_> {
    fn test(&mut self, event_id: u32) -> bool {
        let i = event_id as usize;
        if let Some(&known) = self.small.get(i) {
            if known != 0 {
                return known == 2;
            }
        }
        self.buf.clear();
        self.buf.push_str(&event_text(event_id));
        lowercase_in_place(&mut self.buf);
        let yes = self.needle.find(self.buf.as_bytes()).is_some();
        if let Some(slot) = self.small.get_mut(i) {
            *slot = if yes { 2 } else { 1 };
        }
        yes
    }
}

fn lowercase_in_place(s: &mut String) {
    if s.is_ascii() {
        s.make_ascii_lowercase();
    } else {
        *s = s.to_lowercase();
    }
}

/// Which strings contain `needle` (already lowercase), case-insensitively: one entry per [`Sym`].
fn text_matches(store: &Store, needle: &memmem::Finder<'_>) -> Set {
    let mut buf = String::new();
    let t = store
        .strings
        .iter()
        .map(|(_, s)| {
            if s.is_ascii() {
                buf.clear();
                buf.push_str(s);
                buf.make_ascii_lowercase();
                needle.find(buf.as_bytes()).is_some()
            } else {
                needle.find(s.to_lowercase().as_bytes()).is_some()
            }
        })
        .collect();
    Set(t)
}

/// Row indices (into `store.rows`) that pass the filter, in the given order (stable; ties keep
/// file/number order). With no sort, rows stay in store order.
///
/// Strings sort case-insensitively ([`compare_text`]), outcomes by their text (none, failure,
/// success), events by ID, times and record IDs as numbers (absent times first, absent record
/// IDs last in ascending order).
pub fn select(store: &Store, filter: &Filter, sort: Option<Sort>) -> Vec<u32> {
    let mut out = filter_rows(store, filter);
    if let Some(sort) = sort {
        sort_rows(store, &mut out, sort);
    }
    out
}

fn filter_rows(store: &Store, filter: &Filter) -> Vec<u32> {
    let n = store.rows.len().min(u32::MAX as usize);
    if filter.is_empty() {
        return (0..n as u32).collect();
    }
    let len = store.strings.len();
    let accounts = (!filter.accounts.is_empty()).then(|| Set::of_syms(&filter.accounts, len));
    let operations = (!filter.operations.is_empty()).then(|| Set::of_syms(&filter.operations, len));
    let needle_text = filter.text.trim().to_lowercase();
    let finder = memmem::Finder::new(needle_text.as_bytes());
    let text = (!needle_text.is_empty()).then(|| text_matches(store, &finder));
    let mut events = EventMatch {
        needle: &finder,
        small: vec![0; 1 << 16],
        buf: String::new(),
    };
    let timed = filter.from.is_some() || filter.to.is_some();
    let from = filter.from.unwrap_or(i64::MIN);
    let to = filter.to.unwrap_or(i64::MAX);
    let ids = &filter.event_ids;

    let mut out = Vec::new();
    for (i, r) in store.rows[..n].iter().enumerate() {
        if !ids.is_empty() && !ids.contains(&r.event_id) {
            continue;
        }
        if filter.outcome.is_some_and(|o| Some(o) != r.outcome.get()) {
            continue;
        }
        if timed && (r.time == i64::MIN || r.time < from || r.time > to) {
            continue;
        }
        if accounts.as_ref().is_some_and(|s| !s.has(r.account)) {
            continue;
        }
        if operations.as_ref().is_some_and(|s| !s.has(r.operation)) {
            continue;
        }
        if filter.findings != 0 && store.findings_of(i) & filter.findings == 0 {
            continue;
        }
        if filter.routine.is_some_and(|c| c != store.routine_of(i)) {
            continue;
        }
        if let Some(t) = &text {
            if !r.syms().into_iter().any(|s| t.has(s)) && !events.test(r.event_id) {
                continue;
            }
        }
        out.push(i as u32);
    }
    out
}

/// The rank in [`compare_text`] order of every string that `column` shows in the rows `idx`
/// (equal strings, equal ranks; strings not shown rank 0). Only those strings are sorted.
fn sym_ranks(store: &Store, column: Column, idx: &[u32]) -> Vec<u32> {
    let mut used = vec![false; store.strings.len()];
    for r in idx.iter().filter_map(|&i| store.rows.get(i as usize)) {
        if let Some(u) = column.sym(r).and_then(|s| used.get_mut(s.index())) {
            *u = true;
        }
    }
    let mut order: Vec<(Cow<'_, str>, &str, Sym)> = store
        .strings
        .iter()
        .filter(|&(sym, _)| used.get(sym.index()).copied().unwrap_or(false))
        .map(|(sym, s)| (fold(s), s, sym))
        .collect();
    order.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    let mut rank = vec![0u32; used.len()];
    let mut r = 0u32;
    let mut prev: Option<&str> = None;
    for (_, s, sym) in &order {
        if prev.is_some_and(|p| p != *s) {
            r += 1;
        }
        prev = Some(s);
        if let Some(slot) = rank.get_mut(sym.index()) {
            *slot = r;
        }
    }
    rank
}

/// Sorts `v` by key, stably (equal keys keep their order): LSD radix sort, 11 bits a pass,
/// skipping the digits every key shares; nothing to do when already sorted.
fn radix_sort(v: &mut Vec<(u64, u32)>) {
    const BITS: u32 = 11;
    const BUCKETS: usize = 1 << BITS;
    const DIGITS: u32 = 64_u32.div_ceil(BITS);
    let n = v.len();
    if v.windows(2).all(|w| w[0].0 <= w[1].0) {
        return;
    }
    if n < 512 {
        v.sort_by_key(|e| e.0);
        return;
    }
    let mut hist = vec![[0usize; BUCKETS]; DIGITS as usize];
    for &(k, _) in v.iter() {
        for (d, h) in hist.iter_mut().enumerate() {
            h[((k >> (d as u32 * BITS)) as usize) & (BUCKETS - 1)] += 1;
        }
    }
    let mut buf = vec![(0u64, 0u32); n];
    for (d, h) in hist.iter_mut().enumerate() {
        if h.contains(&n) {
            continue; // every key has the same digit here
        }
        let mut sum = 0;
        for c in h.iter_mut() {
            let x = *c;
            *c = sum;
            sum += x;
        }
        let shift = d as u32 * BITS;
        for &e in v.iter() {
            let b = ((e.0 >> shift) as usize) & (BUCKETS - 1);
            buf[h[b]] = e;
            h[b] += 1;
        }
        std::mem::swap(v, &mut buf);
    }
}

/// Sorts `idx` (indices into `store.rows`) by `sort`, ties in file/number order.
fn sort_rows(store: &Store, idx: &mut [u32], sort: Sort) {
    let rows = &store.rows;
    let row = |i: u32| rows.get(i as usize).unwrap_or(&Row::EMPTY);
    // The sort below is stable, so put `idx` in file/number order first. Stores are usually
    // loaded in that order, and `idx` from the filter is ascending: nothing to do then.
    let in_order = rows
        .windows(2)
        .all(|w| (w[0].file, w[0].number) <= (w[1].file, w[1].number));
    if !in_order || idx.windows(2).any(|w| w[0] > w[1]) {
        let mut by_pos: Vec<u32> = (0..rows.len() as u32).collect();
        by_pos.sort_by_key(|&i| (row(i).file, row(i).number));
        let mut pos = vec![0u32; rows.len()];
        for (p, &i) in by_pos.iter().enumerate() {
            pos[i as usize] = p as u32;
        }
        let mut keyed: Vec<(u64, u32)> = idx
            .iter()
            .map(|&i| (u64::from(pos.get(i as usize).copied().unwrap_or(0)), i))
            .collect();
        radix_sort(&mut keyed);
        for (slot, (_, i)) in idx.iter_mut().zip(keyed) {
            *slot = i;
        }
    }
    let ranks = sort
        .column
        .is_text()
        .then(|| sym_ranks(store, sort.column, idx));
    let key = |r: &Row| -> u64 {
        match sort.column.spec().cell {
            Cell::Time => (r.time as u64) ^ (1 << 63),
            Cell::Event => u64::from(r.event_id),
            Cell::Outcome => match r.outcome.get() {
                None => 0,
                Some(Outcome::Failure) => 1,
                Some(Outcome::Success) => 2,
            },
            // Absent numbers (`u64::MAX` record IDs) sort last, as their raw value did.
            Cell::Number(number) => number(r).unwrap_or(u64::MAX),
            Cell::Text(sym) => {
                let rank = ranks.as_ref().and_then(|t| t.get(sym(r).index()).copied());
                u64::from(rank.unwrap_or(0))
            }
        }
    };
    let flip = if sort.descending { u64::MAX } else { 0 };
    let mut keyed: Vec<(u64, u32)> = idx.iter().map(|&i| (key(row(i)) ^ flip, i)).collect();
    radix_sort(&mut keyed);
    for (slot, (_, i)) in idx.iter_mut().zip(keyed) {
        *slot = i;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_keys_round_trip() {
        for c in Column::ALL {
            assert_eq!(Column::from_key(c.key()), Some(c));
        }
    }

    #[test]
    fn the_column_table_lists_every_column_once_in_declaration_order() {
        for (i, spec) in COLUMNS.iter().enumerate() {
            assert_eq!(spec.column as usize, i, "{}", spec.key);
            assert_eq!(spec.column.spec().key, spec.key);
        }
        assert_eq!(Column::ALL.len(), COLUMNS.len());
    }

    #[test]
    fn text_order_folds_case_then_bytes() {
        let mut v = ["b", "B", "a", "Ä", "ä", "", "A"];
        v.sort_by(|a, b| compare_text(a, b));
        assert_eq!(v, ["", "A", "a", "B", "b", "Ä", "ä"]);
    }

    #[test]
    fn radix_sort_is_stable_and_matches_std() {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        for (n, mask) in [
            (0, 0),
            (3, 7),
            (600, 3),
            (5000, u64::MAX),
            (5000, 0xFFFF_0000_0FFF),
        ] {
            let mut v: Vec<(u64, u32)> = (0..n)
                .map(|i| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x & mask, i)
                })
                .collect();
            let mut want = v.clone();
            want.sort_by_key(|e| e.0);
            radix_sort(&mut v);
            assert_eq!(v, want, "{n} {mask:x}");
        }
    }

    #[test]
    fn ties_keep_file_number_order() {
        let mut store = Store::new();
        for (file, number) in [(1, 2), (0, 5), (1, 1), (0, 1)] {
            store.rows.push(Row {
                file,
                number,
                ..Row::EMPTY
            });
        }
        for descending in [false, true] {
            let sort = Sort {
                column: Column::Account,
                descending,
            };
            assert_eq!(select(&store, &Filter::default(), Some(sort)), [3, 1, 2, 0]);
        }
    }
}
