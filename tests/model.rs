//! The viewer's compact store, its queries and chart data, on generated exports: rows say what the
//! events say, batches survive the trip from the worker, and `select`, `account_bars` and
//! `activity` agree with naive reference implementations.
#![cfg(not(target_arch = "wasm32"))]

use keytrail::decoder::view::{is_key_event, Outcome, View};
use keytrail::decoder::{decode_all, find_event_start, Decoder, Event, Item};
use keytrail::generator::{self, Encoding, Format, Spec};
use keytrail::model::chart::{account_bars, activity, activity_all, TimeSpan, NICE_BUCKETS, WEEK};
use keytrail::model::query::{cell, event_text, select, Column, Filter, Sort};
use keytrail::model::session::{SessionIndex, SessionParts};
use keytrail::model::store::{Batch, BatchBuilder, BatchErrorKind, Joiner, Row, Store, Sym};
use proptest::prelude::*;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::OnceLock;

fn events(seed: u64, n: usize) -> Vec<Event> {
    let spec = Spec { seed, events: n };
    let bytes = generator::export(&spec, Format::Wevtutil, Encoding::Utf8);
    let (events, problems, _) = decode_all(&bytes);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(events.len(), n);
    events
}

/// Two files: 4,000 events of one seed (file 0), 1,500 of another (file 1).
fn files() -> &'static [(u16, Vec<Event>)] {
    static FILES: OnceLock<Vec<(u16, Vec<Event>)>> = OnceLock::new();
    FILES.get_or_init(|| vec![(0, events(5059, 4000)), (1, events(7, 1500))])
}

fn store() -> &'static Store {
    static STORE: OnceLock<Store> = OnceLock::new();
    STORE.get_or_init(|| {
        let mut s = Store::new();
        for (file, evs) in files() {
            for ev in evs {
                s.push_event(*file, ev);
            }
        }
        s
    })
}

/// The same rows in a scrambled order (not file/number order), so ties need the real tie-break.
fn scrambled() -> Store {
    let mut s = store().clone();
    let n = s.rows.len();
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for i in (1..n).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.rows.swap(i, (x % (i as u64 + 1)) as usize);
    }
    s
}

#[test]
fn rows_say_what_events_say() {
    let store = store();
    let evs = files()
        .iter()
        .flat_map(|(f, e)| e.iter().map(move |e| (*f, e)));
    let mut key_events = 0;
    let mut exports = 0;
    for ((file, ev), row) in evs.zip(&store.rows) {
        assert_eq!(row.file, file);
        assert_eq!(row.number, ev.number);
        assert_eq!((row.byte_start, row.byte_end), ev.byte_range);
        assert_eq!(row.time(), ev.time().map(|t| t.nanos()));
        assert_eq!(row.event_id, ev.event_id());
        assert_eq!(row.record_id(), ev.record_id());
        assert_eq!(row.outcome.get(), ev.outcome());
        let a = ev.account();
        assert_eq!(store.str(row.account), a.display());
        assert_eq!(store.str(row.sid), a.sid);
        assert_eq!(store.str(row.logon_id), a.logon_id);
        assert_eq!(store.str(row.computer), ev.computer());
        match ev.view() {
            View::KeyMigration(k) | View::KeyFile(k) | View::Cryptographic(k) => {
                key_events += 1;
                assert_eq!(store.str(row.provider), k.provider);
                assert_eq!(store.str(row.algorithm), k.algorithm_text());
                assert_eq!(store.str(row.key_name), k.key_name);
                assert_eq!(store.str(row.key_type), k.key_type_text());
                assert_eq!(store.str(row.operation), k.operation_text());
                assert_eq!(store.str(row.return_code), k.return_code);
                assert!(!store.str(row.operation).starts_with("%%"));
                exports += usize::from(k.is_export());
            }
            _ => {
                assert_eq!(store.str(row.provider), ev.provider());
                assert_eq!(row.operation, Sym(0));
            }
        }
    }
    assert_eq!(store.len(), 5500);
    assert!(key_events > 100 && exports > 10, "{key_events} {exports}");
    let export = store
        .strings
        .find("Export of persistent cryptographic key.");
    assert!(export.is_some());
    assert_eq!(store.str(Sym(0)), "");
}

#[test]
fn batches_rebuild_the_store_exactly() {
    let mut builder = BatchBuilder::new();
    let mut ui = Store::new();
    let mut batches = 0;
    for (file, evs) in files() {
        for ev in evs {
            builder.push(*file, ev);
            if builder.len() == 700 {
                let batch = builder.take();
                assert!(builder.is_empty());
                let bytes = batch.encode();
                let back = Batch::decode(&bytes).unwrap();
                assert_eq!(back, batch);
                ui.apply(back).unwrap();
                batches += 1;
            }
        }
    }
    ui.apply(Batch::decode(&builder.take().encode()).unwrap())
        .unwrap();
    assert!(batches > 5);
    let direct = store();
    assert_eq!(ui.rows, direct.rows);
    assert_eq!(ui.strings.len(), direct.strings.len());
    assert!(ui.strings.iter().eq(direct.strings.iter()));
    // An empty take is an empty batch, whose strings would start after the last one sent.
    let empty = builder.take();
    assert!(empty.new_strings.is_empty() && empty.rows.is_empty());
    assert_eq!(empty.first_string as usize, direct.strings.len());
    // A lost batch is noticed: the one after it does not follow.
    let mut from_scratch = Store::new();
    let mut b = BatchBuilder::new();
    for ev in &files()[0].1[..20] {
        b.push(0, ev);
    }
    let first = b.take();
    for ev in &files()[0].1[20..40] {
        b.push(0, ev);
    }
    let second = b.take();
    assert!(
        from_scratch.apply(second.clone()).is_err(),
        "the second batch alone"
    );
    from_scratch.apply(first).unwrap();
    from_scratch.apply(second).unwrap();
    assert_eq!(from_scratch.rows.len(), 40);
    // Serde works too (the web side may post rows as JS values).
    let batch = Batch {
        first_string: 1,
        new_strings: vec!["x".into()],
        rows: direct.rows[..3].to_vec(),
    };
    let json = serde_json::to_string(&batch).unwrap();
    assert_eq!(serde_json::from_str::<Batch>(&json).unwrap(), batch);
}

/// Rows and sessions of `bytes` decoded by one decoder, or by two joined at the `<Event` found
/// at or after `mid` (as the viewer's two workers do); batches of `batch_rows` go through
/// encoding as between the workers and the page.
fn rows_and_sessions(bytes: &[u8], mid: Option<usize>, batch_rows: usize) -> (Store, SessionIndex) {
    fn decode(
        d: &mut Decoder,
        bytes: &[u8],
        rows: &mut BatchBuilder,
        sessions: &mut SessionIndex,
        out: &mut Vec<Batch>,
        batch_rows: usize,
    ) {
        let mut items = Vec::new();
        for chunk in bytes.chunks(4096) {
            d.push(chunk, &mut items);
            for item in items.drain(..) {
                if let Item::Event(e) = item {
                    rows.push(3, &e);
                    sessions.add(&e);
                    if rows.len() == batch_rows {
                        out.push(Batch::decode(&rows.take().encode()).unwrap());
                    }
                }
            }
        }
    }
    let mut rows = BatchBuilder::new();
    let mut sessions = SessionIndex::new();
    let mut batches = Vec::new();
    let mut first = Decoder::new();
    let split = mid.map(|mid| {
        let mid = mid & !1; // an even offset: the UTF-16 exports have a BOM
        first.push(&bytes[..64], &mut Vec::new());
        let encoding = first.stats().encoding.unwrap();
        mid + find_event_start(&bytes[mid..], encoding).unwrap()
    });
    let head = if split.is_some() { 64 } else { 0 };
    let end = split.unwrap_or(bytes.len());
    decode(
        &mut first,
        &bytes[head..end],
        &mut rows,
        &mut sessions,
        &mut batches,
        batch_rows,
    );
    if let Some(split) = split {
        let boundary = first.boundary().expect("a clean boundary between events");
        // The second worker: its own decoder, builder and index.
        let mut rest = Decoder::new();
        let mut rest_rows = BatchBuilder::new();
        let mut rest_sessions = SessionIndex::new();
        let mut rest_batches = Vec::new();
        decode(
            &mut rest,
            &bytes[split..],
            &mut rest_rows,
            &mut rest_sessions,
            &mut rest_batches,
            batch_rows,
        );
        rest_batches.push(rest_rows.take());
        batches.push(rows.take());
        let mut joiner = Joiner::new(3, boundary);
        for batch in rest_batches {
            joiner.join(Batch::decode(&batch.encode()).unwrap(), &mut rows);
            batches.push(rows.take());
        }
        let parts: SessionParts =
            serde_json::from_str(&serde_json::to_string(&rest_sessions.into_parts()).unwrap())
                .unwrap();
        sessions.join(parts);
    }
    batches.push(rows.take());
    let mut store = Store::new();
    for batch in batches {
        store.apply(batch).unwrap();
    }
    (store, sessions)
}

#[test]
fn a_file_decoded_in_two_halves_gives_the_rows_and_sessions_of_one() {
    let spec = Spec {
        seed: 4624,
        events: 3000,
    };
    let bytes = generator::export(&spec, Format::EventViewer, Encoding::Utf16Le);
    let (whole, mut whole_sessions) = rows_and_sessions(&bytes, None, 500);
    assert_eq!(whole.rows.len(), 3000);
    assert!(
        whole_sessions.len() > 100,
        "{} sessions",
        whole_sessions.len()
    );
    for mid in [bytes.len() / 2, bytes.len() / 3, 200, bytes.len() - 20_000] {
        let (two, mut two_sessions) = rows_and_sessions(&bytes, Some(mid), 500);
        assert_eq!(two.rows, whole.rows, "split after {mid}");
        assert!(
            two.strings.iter().eq(whole.strings.iter()),
            "split after {mid}"
        );
        for (_, sid) in whole
            .strings
            .iter()
            .filter(|(_, s)| s.starts_with("S-1-5-21"))
        {
            assert_eq!(
                two_sessions.timeline(sid),
                whole_sessions.timeline(sid),
                "{sid}"
            );
        }
        for r in &whole.rows {
            let (computer, logon) = (whole.str(r.computer), whole.str(r.logon_id));
            assert_eq!(
                two_sessions.link(computer, logon, r.time()),
                whole_sessions.link(computer, logon, r.time()),
                "row {}",
                r.number
            );
        }
    }
}

#[test]
fn every_truncation_of_a_batch_is_an_error() {
    let batch = Batch {
        first_string: 1,
        new_strings: vec![
            "CORP\\alice".into(),
            "Microsoft Software Key Storage Provider".into(),
        ],
        rows: store().rows[..4].to_vec(),
    };
    let bytes = batch.encode();
    for cut in 0..bytes.len() {
        assert!(Batch::decode(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(Batch::decode(&longer).is_err());
    // A huge string count with few bytes must not allocate its way into trouble.
    let mut huge = Batch::MAGIC.to_vec();
    huge.extend_from_slice(&1u32.to_le_bytes());
    huge.extend_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(
        Batch::decode(&huge).unwrap_err().kind,
        BatchErrorKind::Truncated { .. }
    ));
    let mut rows = Batch::MAGIC.to_vec();
    rows.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0]);
    rows.extend_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(
        Batch::decode(&rows).unwrap_err().kind,
        BatchErrorKind::Truncated { .. }
    ));
}

proptest! {
    #[test]
    fn decode_never_panics_on_garbage(tail in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = Batch::decode(&tail);
        let mut with_magic = Batch::MAGIC.to_vec();
        with_magic.extend_from_slice(&tail);
        let _ = Batch::decode(&with_magic);
    }

    #[test]
    fn decode_of_a_mutated_batch_is_err_or_re_encodes_the_same(
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let batch = Batch {
            first_string: 1,
            new_strings: vec!["ab".into(), "ключ".into()],
            rows: store().rows[..2].to_vec(),
        };
        let mut bytes = batch.encode();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        let keep = bytes.len() - cut.index(8);
        bytes.truncate(keep);
        if let Ok(b) = Batch::decode(&bytes) {
            prop_assert_eq!(b.encode(), bytes);
        }
    }
}

/// The filter, spelled out from the cell texts.
fn reference_filter(store: &Store, f: &Filter) -> Vec<u32> {
    let needle = f.text.trim().to_lowercase();
    let mut out = Vec::new();
    for (i, r) in store.rows.iter().enumerate() {
        let text_ok = needle.is_empty()
            || r.syms()
                .iter()
                .any(|&s| store.str(s).to_lowercase().contains(&needle))
            || event_text(r.event_id).to_lowercase().contains(&needle);
        let time_ok = match (f.from, f.to) {
            (None, None) => true,
            (from, to) => r
                .time()
                .is_some_and(|t| from.is_none_or(|x| t >= x) && to.is_none_or(|x| t <= x)),
        };
        if text_ok
            && time_ok
            && (f.event_ids.is_empty() || f.event_ids.contains(&r.event_id))
            && (f.accounts.is_empty() || f.accounts.contains(&r.account))
            && (f.operations.is_empty() || f.operations.contains(&r.operation))
            && f.outcome.is_none_or(|o| Some(o) == r.outcome.get())
        {
            out.push(i as u32);
        }
    }
    out
}

/// The most frequent values of one string column.
fn top(store: &Store, column: Column, n: usize) -> Vec<Sym> {
    let mut counts: HashMap<Sym, usize> = HashMap::new();
    for r in &store.rows {
        *counts.entry(column.sym(r).unwrap()).or_default() += 1;
    }
    let mut v: Vec<(usize, Sym)> = counts.into_iter().map(|(s, c)| (c, s)).collect();
    v.sort_by(|a, b| b.cmp(a));
    v.into_iter()
        .map(|(_, s)| s)
        .filter(|&s| s != Sym(0))
        .take(n)
        .collect()
}

fn filters(store: &Store) -> Vec<Filter> {
    let accounts = top(store, Column::Account, 3);
    let operations = top(store, Column::Operation, 2);
    let times: Vec<i64> = store.rows.iter().filter_map(Row::time).collect();
    let (lo, hi) = (*times.iter().min().unwrap(), *times.iter().max().unwrap());
    let mid = lo + (hi - lo) / 2;
    let some_account = store.str(accounts[1]);
    let piece = &some_account[some_account.len() / 2..];
    let computer = store.str(top(store, Column::Computer, 1)[0]).to_uppercase();
    let mut v: Vec<Filter> = [
        "",
        "   ",
        "MIGRATION",
        "5059",
        "505",
        "0x0",
        "key",
        "logged",
        "Export of persistent",
        "no such thing anywhere",
        " S-1-5-",
        piece,
        &computer,
    ]
    .iter()
    .map(|t| Filter {
        text: t.to_string(),
        ..Filter::default()
    })
    .collect();
    v.extend([
        Filter {
            event_ids: vec![5059],
            ..Filter::default()
        },
        Filter {
            event_ids: vec![4624, 4672, 1],
            ..Filter::default()
        },
        Filter {
            accounts: accounts[..2].to_vec(),
            ..Filter::default()
        },
        Filter {
            accounts: vec![Sym(u32::MAX)],
            ..Filter::default()
        },
        Filter {
            operations: operations.clone(),
            ..Filter::default()
        },
        Filter {
            from: Some(mid),
            ..Filter::default()
        },
        Filter {
            to: Some(mid),
            ..Filter::default()
        },
        Filter {
            from: Some(times[10]),
            to: Some(times[10]),
            ..Filter::default()
        },
        Filter {
            text: "key".into(),
            event_ids: vec![5059, 5061],
            accounts: accounts.clone(),
            outcome: Some(Outcome::Success),
            from: Some(lo),
            to: Some(mid),
            ..Filter::default()
        },
    ]);
    for o in [Outcome::Success, Outcome::Failure] {
        v.push(Filter {
            outcome: Some(o),
            ..Filter::default()
        });
    }
    v
}

#[test]
fn filters_agree_with_the_reference() {
    for store in [store(), &scrambled()] {
        for f in filters(store) {
            let got = select(store, &f, None);
            assert_eq!(got, reference_filter(store, &f), "{f:?}");
        }
    }
    // Not vacuous: most filters keep some rows and drop others.
    let store = store();
    let partial = filters(store)
        .iter()
        .filter(|f| {
            let n = select(store, f, None).len();
            n > 0 && n < store.len()
        })
        .count();
    assert!(partial >= 15, "{partial}");
}

/// The sort order, spelled out: by numbers for numeric columns, by cell text otherwise
/// (case-insensitively, then by bytes); ties in file/number order.
fn reference_sort(store: &Store, rows: &[u32], sort: Sort) -> Vec<u32> {
    let mut v = rows.to_vec();
    v.sort_by_key(|&i| {
        let r = &store.rows[i as usize];
        (r.file, r.number)
    });
    let cmp = |a: &Row, b: &Row| -> Ordering {
        match sort.column {
            Column::Time => a.time.cmp(&b.time),
            Column::Event => a.event_id.cmp(&b.event_id),
            Column::RecordId => a.record_id.cmp(&b.record_id),
            Column::File => a.file.cmp(&b.file),
            c => {
                let (x, y) = (cell(store, a, c), cell(store, b, c));
                (x.to_lowercase(), &x).cmp(&(y.to_lowercase(), &y))
            }
        }
    };
    v.sort_by(|&i, &j| {
        let o = cmp(&store.rows[i as usize], &store.rows[j as usize]);
        if sort.descending {
            o.reverse()
        } else {
            o
        }
    });
    v
}

#[test]
fn sorts_agree_with_the_reference() {
    let scrambled = scrambled();
    for store in [store(), &scrambled] {
        let some = Filter {
            text: "a".into(),
            ..Filter::default()
        };
        for f in [Filter::default(), some] {
            let rows = select(store, &f, None);
            for column in Column::ALL {
                for descending in [false, true] {
                    let sort = Sort { column, descending };
                    let got = select(store, &f, Some(sort));
                    assert_eq!(got, reference_sort(store, &rows, sort), "{sort:?}");
                }
            }
        }
    }
}

#[test]
fn cells_read_as_text() {
    let store = store();
    let r = store
        .rows
        .iter()
        .find(|r| r.event_id == 5059 && r.outcome.get() == Some(Outcome::Success))
        .unwrap();
    assert_eq!(
        cell(store, r, Column::Event),
        "5059 Key migration operation"
    );
    assert_eq!(cell(store, r, Column::Outcome), "success");
    let t = cell(store, r, Column::Time);
    assert!(t.ends_with('Z') && t.len() >= 20, "{t}");
    assert_eq!(cell(store, r, Column::RecordId), r.record_id.to_string());
    assert_eq!(cell(store, r, Column::File), "0");
    assert_eq!(cell(store, r, Column::KeyName), store.str(r.key_name));
    let blank = Row::EMPTY;
    assert_eq!(cell(store, &blank, Column::Time), "");
    assert_eq!(cell(store, &blank, Column::RecordId), "");
    assert_eq!(cell(store, &blank, Column::Outcome), "");
    assert_eq!(cell(store, &blank, Column::Event), "0");
}

#[test]
fn account_bars_count_key_events() {
    let store = store();
    for f in filters(store) {
        let rows = select(store, &f, None);
        let mut want: HashMap<Sym, u64> = HashMap::new();
        for &i in &rows {
            let r = &store.rows[i as usize];
            if is_key_event(r.event_id) {
                *want.entry(r.account).or_default() += 1;
            }
        }
        let bars = account_bars(store, &rows, usize::MAX);
        assert_eq!(bars.len(), want.len());
        for b in &bars {
            assert_eq!(b.total, want[&b.account]);
            assert_eq!(b.segments.iter().map(|s| s.count).sum::<u64>(), b.total);
        }
        assert!(bars.windows(2).all(|w| w[0].total >= w[1].total));
        let limited = account_bars(store, &rows, 2);
        assert_eq!(limited[..], bars[..bars.len().min(2)]);
    }
    let all: Vec<u32> = (0..store.len() as u32).collect();
    let bars = account_bars(store, &all, 5);
    let keys = store
        .rows
        .iter()
        .filter(|r| is_key_event(r.event_id))
        .count() as u64;
    assert!(bars.len() > 1 && bars[0].total > 0 && keys > bars[0].total);
}

#[test]
fn activity_counts_every_timed_row_of_the_accounts() {
    let store = store();
    let accounts = top(store, Column::Account, 4);
    for f in filters(store) {
        let rows = select(store, &f, None);
        for buckets in [1, 7, 60, 500] {
            let a = activity(store, &rows, &accounts, buckets);
            assert!(a.bucket_ns > 0);
            assert!(NICE_BUCKETS.contains(&a.bucket_ns) || a.bucket_ns % WEEK == 0);
            assert_eq!(a.series.len(), accounts.len());
            for (account, counts) in &a.series {
                assert!(counts.len() <= buckets);
                let want = rows
                    .iter()
                    .map(|&i| &store.rows[i as usize])
                    .filter(|r| r.account == *account && r.time().is_some())
                    .count() as u64;
                assert_eq!(counts.iter().sum::<u64>(), want, "{f:?} {buckets}");
            }
        }
    }
    // Asking twice for one account gives the same series twice.
    let all: Vec<u32> = (0..store.len() as u32).collect();
    let twice = activity(store, &all, &[accounts[0], accounts[0]], 30);
    assert_eq!(twice.series[0], twice.series[1]);
    assert!(twice.series[0].1.iter().sum::<u64>() > 0);
    // The page's chart of every row, its time span counted batch by batch as a load grows,
    // is the chart of all rows at every point of the load.
    let mut grown = Store::default();
    let mut span = TimeSpan::default();
    for batch in store.rows.chunks(997) {
        let start = grown.rows.len();
        grown.rows.extend_from_slice(batch);
        span.add(&grown.rows[start..]);
        let so_far: Vec<u32> = (0..grown.rows.len() as u32).collect();
        assert_eq!(
            activity_all(&grown, span, &accounts, 60),
            activity(&grown, &so_far, &accounts, 60)
        );
    }
}

#[test]
fn findings_marked_on_rows_agree_with_events_and_filter_the_table() {
    use keytrail::model::rules::{mark, presets, tally, Hours, Pattern, RuleSet};
    let mut list = presets();
    // Name a sensitive key, and move business hours, so every preset has work to do.
    for r in &mut list {
        if r.id == "sensitive-key-export" {
            r.key_names = Some(vec![Pattern::Glob("*-CA".into())]);
        }
        if r.outside_hours.is_some() {
            r.outside_hours = Some(Hours {
                start: 9,
                end: 17,
                utc_offset_minutes: 9 * 60,
                ..Hours::default()
            });
        }
    }
    let rules = RuleSet::compile(list).unwrap();
    let mut s = store().clone();
    // Marked in two steps, as batches arrive.
    let half = s.rows.len() / 2;
    let rows = std::mem::take(&mut s.rows);
    s.rows = rows[..half].to_vec();
    mark(&rules, &mut s, 0);
    s.rows = rows;
    mark(&rules, &mut s, half);
    assert_eq!(s.findings.len(), s.rows.len());

    let evs: Vec<&Event> = files().iter().flat_map(|(_, e)| e).collect();
    let mut totals = vec![0u64; rules.len()];
    for (i, ev) in evs.iter().enumerate() {
        let want = rules
            .matches(*ev)
            .iter()
            .fold(0u32, |m, x| m | 1 << x.index);
        assert_eq!(s.findings[i], want, "event {i}: {:?}", ev.event_id());
        for (b, t) in totals.iter_mut().enumerate() {
            *t += u64::from(want >> b & 1);
        }
    }
    let tallies = tally(rules.len(), &s);
    for (t, want) in tallies.iter().zip(&totals) {
        assert_eq!(t.total, *want);
        // What needs a look is counted per account, what is routine per pattern.
        assert_eq!(t.accounts.iter().map(|a| a.1).sum::<u64>(), t.needs_look());
        assert_eq!(t.patterns.iter().map(|p| p.1).sum::<u64>(), t.routine);
    }
    // Marked in one step, the rows are the same routine as in two.
    let mut whole = s.clone();
    mark(&rules, &mut whole, 0);
    assert_eq!(whole.routine, s.routine);
    assert_eq!(whole.pairs, s.pairs);
    assert!(
        s.routine.iter().any(|&c| c != 0),
        "the export holds routine activity"
    );
    assert!(
        totals.iter().all(|&t| t > 0),
        "every preset fires on the export: {totals:?}"
    );
    // Filtering on one rule gives exactly its rows.
    for (b, &total) in totals.iter().enumerate() {
        let filter = Filter {
            findings: 1 << b,
            ..Filter::default()
        };
        let shown = select(&s, &filter, None);
        assert_eq!(shown.len() as u64, total);
        assert!(shown.iter().all(|&i| s.findings[i as usize] >> b & 1 == 1));
    }
}
