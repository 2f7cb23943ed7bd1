//! Data for the per-account charts; the UI draws SVG from it.
//!
//! [`account_bars`]: one stacked bar per account, its key events split by operation and outcome.
//! [`activity`]: events per time bucket for chosen accounts, the bucket a "nice" unit.
//!
//! ```
//! use keytrail::decoder::decode_all;
//! use keytrail::model::chart::{account_bars, activity, MINUTE};
//! use keytrail::model::store::Store;
//!
//! let xml = "<Event><System><EventID>5059</EventID>\
//!            <TimeCreated SystemTime='2024-05-01T10:00:00Z'/></System>\
//!            <EventData><Data Name='SubjectUserName'>alice</Data></EventData></Event>\
//!            <Event><System><EventID>4624</EventID>\
//!            <TimeCreated SystemTime='2024-05-01T10:03:00Z'/></System>\
//!            <EventData><Data Name='TargetUserName'>alice</Data></EventData></Event>";
//! let mut store = Store::new();
//! for ev in decode_all(xml.as_bytes()).0 {
//!     store.push_event(0, &ev);
//! }
//! let all: Vec<u32> = (0..store.len() as u32).collect();
//! let bars = account_bars(&store, &all, 10);
//! assert_eq!(store.str(bars[0].account), "alice");
//! assert_eq!(bars[0].total, 1); // only key events count
//!
//! let a = activity(&store, &all, &[bars[0].account], 10);
//! assert_eq!(a.bucket_ns, MINUTE);
//! assert_eq!(a.series[0].1, [1, 0, 0, 1]);
//! ```

use super::query::compare_text;
use super::store::{Row, Store, Sym};
use crate::decoder::view::{is_key_event, Outcome};
use crate::model::store::FoldMap;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The most buckets [`activity`] makes, whatever it is asked.
pub const MAX_BUCKETS: usize = 100_000;

/// One minute in nanoseconds.
pub const MINUTE: i64 = 60_000_000_000;
/// One hour in nanoseconds.
pub const HOUR: i64 = 60 * MINUTE;
/// One day in nanoseconds.
pub const DAY: i64 = 24 * HOUR;
/// One week in nanoseconds.
pub const WEEK: i64 = 7 * DAY;

/// The bucket sizes [`activity`] chooses from, smallest first (beyond a week: whole weeks).
pub const NICE_BUCKETS: [i64; 7] = [MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, 6 * HOUR, DAY, WEEK];

/// One account's stacked bar.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountBars {
    /// The account ([`super::store::Row::account`]).
    pub account: Sym,
    /// Its key events (the sum of the segments).
    pub total: u64,
    /// Its key events per operation and outcome, by operation text then outcome.
    pub segments: Vec<Segment>,
}

/// A part of a bar: key events of one operation and outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// The operation in words ([`super::store::Row::operation`]).
    pub operation: Sym,
    /// Success, failure, or neither.
    pub outcome: Option<Outcome>,
    /// How many key events.
    pub count: u64,
}

/// The width of `label` in ems of a sans-serif face, estimated on the wide side (capitals and
/// digits as wide as `W` nearly, CJK a full em), so a label measured to fit does fit.
pub fn label_ems(label: &str) -> f64 {
    label.chars().map(char_ems).sum()
}

fn char_ems(c: char) -> f64 {
    match c {
        'W' | 'M' | 'm' | 'w' | '@' | '%' => 0.95,
        'i' | 'j' | 'l' | 'I' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' => 0.32,
        'f' | 't' | 'r' | '\\' | '/' | '-' | '(' | ')' | '[' | ']' => 0.42,
        'A'..='Z' | '0'..='9' | '$' | '#' | '&' | '_' => 0.75,
        c if c.is_ascii() => 0.6,
        // Full-width scripts (kana, kanji, hangul) and anything unknown: a whole em.
        _ => 1.0,
    }
}

/// `label` as it fits in `max_ems` (see [`label_ems`]): whole when it fits, else its start and its
/// end around a `…`, so `WORKGROUP\DESKTOP-K3M9Q2LT7$` keeps both `WORKGROUP` and the `$`. The
/// page shows the whole name on hover and to screen readers.
pub fn fit_label(label: &str, max_ems: f64) -> std::borrow::Cow<'_, str> {
    if label_ems(label) <= max_ems {
        return std::borrow::Cow::Borrowed(label);
    }
    let chars: Vec<char> = label.chars().collect();
    let room = (max_ems - char_ems('…')).max(0.0);
    // Two thirds of the room for the start (the domain and the name's beginning), the rest for
    // the end (the name's last characters and a computer account's `$`).
    let mut head = 0;
    let mut used = 0.0;
    while head < chars.len() && used + char_ems(chars[head]) <= room * 2.0 / 3.0 {
        used += char_ems(chars[head]);
        head += 1;
    }
    // However little the room, the label's first character stays.
    if head == 0 && !chars.is_empty() {
        used = char_ems(chars[0]);
        head = 1;
    }
    let mut tail = chars.len();
    while tail > head + 1 && used + char_ems(chars[tail - 1]) <= room {
        used += char_ems(chars[tail - 1]);
        tail -= 1;
    }
    let mut out: String = chars[..head].iter().collect();
    out.push('…');
    out.extend(&chars[tail..]);
    std::borrow::Cow::Owned(out)
}

/// One bar per account that has key events (5058, 5059, 5061) among `rows` (indices into
/// `store.rows`), largest total first (ties by account name), at most `limit` bars. Other events
/// do not count.
pub fn account_bars(store: &Store, rows: &[u32], limit: usize) -> Vec<AccountBars> {
    let mut counts = BarCounts::default();
    counts.add(rows.iter().filter_map(|&i| store.rows.get(i as usize)));
    counts.bars(store, limit)
}

/// The counts behind [`account_bars`], kept up to date row by row so that a growing load is
/// counted once, not again at every refresh.
#[derive(Clone, Debug, Default)]
pub struct BarCounts {
    counts: FoldMap<(Sym, Sym, Option<Outcome>), u64>,
}

impl BarCounts {
    /// Counts the key events among `rows`.
    pub fn add<'r>(&mut self, rows: impl IntoIterator<Item = &'r Row>) {
        for r in rows {
            if is_key_event(r.event_id) {
                *self
                    .counts
                    .entry((r.account, r.operation, r.outcome.get()))
                    .or_default() += 1;
            }
        }
    }

    /// The `limit` busiest accounts, as [`account_bars`] gives them.
    pub fn bars(&self, store: &Store, limit: usize) -> Vec<AccountBars> {
        let counts = self.counts.iter().map(|(&k, &v)| (k, v));
        let mut by_account: HashMap<Sym, AccountBars> = HashMap::new();
        for ((account, operation, outcome), count) in counts {
            let bar = by_account.entry(account).or_insert_with(|| AccountBars {
                account,
                total: 0,
                segments: Vec::new(),
            });
            bar.total += count;
            bar.segments.push(Segment {
                operation,
                outcome,
                count,
            });
        }
        let mut bars: Vec<AccountBars> = by_account.into_values().collect();
        bars.sort_by(|a, b| {
            b.total
                .cmp(&a.total)
                .then_with(|| compare_text(store.str(a.account), store.str(b.account)))
                .then(a.account.cmp(&b.account))
        });
        bars.truncate(limit);
        for bar in &mut bars {
            bar.segments.sort_by(|a, b| {
                compare_text(store.str(a.operation), store.str(b.operation))
                    .then(a.operation.cmp(&b.operation))
                    .then(a.outcome.cmp(&b.outcome))
            });
        }
        bars
    }
}

/// Events per time bucket for some accounts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// Start of the first bucket, ns since the Unix epoch (a multiple of the bucket size; weeks
    /// start on Monday 00:00 UTC).
    pub start: i64,
    /// Bucket size, ns: one of [`NICE_BUCKETS`] or a whole number of weeks.
    pub bucket_ns: i64,
    /// Per account, in the order asked: events per bucket (every series has the same length).
    pub series: Vec<(Sym, Vec<u64>)>,
}

/// Counts the events of each of `accounts` among `rows` (indices into `store.rows`) per time
/// bucket. The buckets cover the time range of all `rows` (so the axis matches the table), with
/// the smallest nice size that needs at most `buckets` of them (1 to [`MAX_BUCKETS`]). Rows without a time are left out.
/// With no timed row, every series is empty.
pub fn activity(store: &Store, rows: &[u32], accounts: &[Sym], buckets: usize) -> Activity {
    activity_of(store, rows.iter().copied(), None, accounts, buckets)
}

/// [`activity`] of every row of `store` (what the page charts while a file loads), whose times
/// `span` has counted as they came: one pass over the rows.
pub fn activity_all(store: &Store, span: TimeSpan, accounts: &[Sym], buckets: usize) -> Activity {
    activity_of(
        store,
        0..store.rows.len() as u32,
        Some(span),
        accounts,
        buckets,
    )
}

/// The earliest and latest time of the rows given so far (rows without a time left out), kept
/// up to date as a load grows, as [`BarCounts`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeSpan {
    lo: i64,
    hi: i64,
}

impl Default for TimeSpan {
    fn default() -> Self {
        Self {
            lo: i64::MAX,
            hi: i64::MIN,
        }
    }
}

impl TimeSpan {
    /// Takes in the times of `rows`.
    pub fn add<'r>(&mut self, rows: impl IntoIterator<Item = &'r Row>) {
        for r in rows.into_iter().filter(|r| r.time != i64::MIN) {
            self.lo = self.lo.min(r.time);
            self.hi = self.hi.max(r.time);
        }
    }
}

/// [`activity`] of `rows` (whose time span is `span`, if known): per row neither a hash nor a
/// division wider than 64 bits (this runs over every row loaded on the page, about every second
/// of a load).
fn activity_of(
    store: &Store,
    rows: impl Iterator<Item = u32> + Clone,
    span: Option<TimeSpan>,
    accounts: &[Sym],
    buckets: usize,
) -> Activity {
    let timed = || {
        rows.clone()
            .filter_map(|i| store.rows.get(i as usize))
            .filter(|r| r.time != i64::MIN)
    };
    let TimeSpan { lo, hi } = span.unwrap_or_else(|| {
        let mut span = TimeSpan::default();
        span.add(timed());
        span
    });
    let empty = |bucket_ns| Activity {
        start: 0,
        bucket_ns,
        series: accounts.iter().map(|&a| (a, Vec::new())).collect(),
    };
    if lo > hi {
        return empty(MINUTE);
    }
    let max = buckets.clamp(1, MAX_BUCKETS) as i128;
    let (start, size) = choose_buckets(lo, hi, max);
    let n = ((i128::from(hi) - i128::from(start)) / i128::from(size) + 1) as usize;
    // Each asked account's series: the first place it is asked at (accounts asked twice share
    // one count). A handful of accounts: looked for in order.
    let first: Vec<usize> = (0..accounts.len())
        .map(|k| accounts.iter().position(|&a| a == accounts[k]).unwrap_or(k))
        .collect();
    let mut series: Vec<(Sym, Vec<u64>)> = accounts.iter().map(|&a| (a, vec![0; n])).collect();
    // Every time is at or after `start`, so its distance from it fits 64 unsigned bits.
    let size = size.unsigned_abs();
    for r in timed() {
        if let Some(k) = accounts.iter().position(|&a| a == r.account) {
            let b = (r.time.wrapping_sub(start) as u64 / size) as usize;
            if let Some(c) = series[k].1.get_mut(b) {
                *c += 1;
            }
        }
    }
    for (k, &f) in first.iter().enumerate() {
        if f != k {
            series[k].1 = series[f].1.clone();
        }
    }
    Activity {
        start,
        bucket_ns: size as i64,
        series,
    }
}

/// The first bucket's start and the bucket size for times `lo..=hi` in at most `max` buckets.
fn choose_buckets(lo: i64, hi: i64, max: i128) -> (i64, i64) {
    // Weeks are aligned on Monday 1970-01-05 00:00 UTC; smaller units on the epoch.
    let align = |size: i64| -> (i64, i128) {
        let offset = if size % WEEK == 0 { 4 * DAY } else { 0 };
        let start = (i128::from(lo) - i128::from(offset)).div_euclid(i128::from(size))
            * i128::from(size)
            + i128::from(offset);
        let n = (i128::from(hi) - start) / i128::from(size) + 1;
        (
            start.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64,
            n,
        )
    };
    for size in NICE_BUCKETS {
        let (start, n) = align(size);
        if n <= max {
            return (start, size);
        }
    }
    let span = i128::from(hi) - i128::from(lo);
    let mut weeks = (span / (i128::from(WEEK) * max) + 1).clamp(1, i128::from(i64::MAX / WEEK));
    loop {
        let size = (weeks * i128::from(WEEK)) as i64;
        let (start, n) = align(size);
        if n <= max || size > i64::MAX - WEEK {
            return (start, size);
        }
        weeks += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_bucket_sizes() {
        let t0 = 1_714_557_600_000_000_000; // 2024-05-01T10:00:00Z, a Wednesday
        let cases = [
            (0, 1, MINUTE),
            (59 * MINUTE, 60, MINUTE),
            (60 * MINUTE, 60, 5 * MINUTE),
            (3 * HOUR, 20, 15 * MINUTE),
            (3 * HOUR, 4, HOUR),
            (2 * DAY, 10, 6 * HOUR),
            (20 * DAY, 30, DAY),
            (20 * DAY, 5, WEEK),
            (400 * DAY, 10, 6 * WEEK),
        ];
        for (span, max, want) in cases {
            let (start, size) = choose_buckets(t0, t0 + span, max);
            assert_eq!(size, want, "span {span} in {max}");
            assert!(start <= t0 && start % MINUTE == 0);
            let n = (t0 + span - start) / size + 1;
            assert!(n as i128 <= max, "span {span} in {max}: {n} buckets");
        }
        // A week bucket starts on a Monday: 2024-04-29.
        let (start, _) = choose_buckets(t0, t0 + 20 * DAY, 5);
        assert_eq!(start, 1_714_348_800_000_000_000);
    }

    #[test]
    fn extreme_times_do_not_overflow() {
        let (start, size) = choose_buckets(i64::MIN + 1, i64::MAX, 100);
        assert!(size > 0 && start <= i64::MIN + 1 + size);
    }

    #[test]
    fn long_account_labels_keep_their_start_and_end() {
        let name = "WORKGROUP\\DESKTOP-K3M9Q2LT7$";
        let fitted = fit_label(name, 16.0);
        assert!(fitted.starts_with("WORKGROUP\\"), "{fitted}");
        assert!(fitted.ends_with("LT7$"), "{fitted}");
        assert!(fitted.contains('…'), "{fitted}");
        assert!(label_ems(&fitted) <= 16.0, "{fitted}");
        // What fits is left alone; the first character stays however little the room.
        assert_eq!(fit_label("CORP\\alice", 16.0), "CORP\\alice");
        assert!(fit_label(name, 3.0).starts_with('W'));
        assert!(fit_label(name, 0.5).starts_with("W…"));
        assert_eq!(fit_label("", 0.0), "");
        // Japanese names are measured as full-width.
        let ja = "営業部\\山田太郎ＡＢＣＤＥＦＧＨＩＪＫＬＭＮ";
        let fitted = fit_label(ja, 12.0);
        assert!(
            fitted.starts_with("営業部") && label_ems(&fitted) <= 12.0,
            "{fitted}"
        );
    }
}
