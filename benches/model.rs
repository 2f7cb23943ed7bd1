//! The viewer's store on a million rows: filtering and sorting with `select`, the chart data, and
//! the worker → UI batch path.
//!
//! `cargo bench --bench model` (set `KEYTRAIL_BENCH_ROWS` to change the row count, default
//! 1,000,000; under `cargo test` 20,000). The rows come from the generator (seed 5059, wevtutil
//! UTF-8), streamed through the decoder and a `BatchBuilder` in 10,000-row batches that are
//! encoded, decoded and applied as in the browser. Besides criterion's own report, it prints one
//! table "operation, ms" (best of 7) for BENCHMARKS.md.

use criterion::{black_box, criterion_group, Criterion};
use keytrail::decoder::view::Outcome;
use keytrail::decoder::{Decoder, Item};
use keytrail::generator::{self, Encoding, Format, Spec};
use keytrail::model::chart::{account_bars, activity, activity_all, TimeSpan};
use keytrail::model::query::{select, Column, Filter, Sort};
use keytrail::model::rules::{mark, presets, RuleSet};
use keytrail::model::store::{Batch, BatchBuilder, Store, Sym};
use std::cell::RefCell;
use std::io::{self, Write};
use std::time::{Duration, Instant};

const BATCH_ROWS: usize = 10_000;

/// True under `cargo bench`; `cargo test` runs each benchmark once on a small input.
fn benchmarking() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// Time spent on each step of the batch path, over the whole load.
#[derive(Default)]
struct LoadTimes {
    push: Duration,
    encode: Duration,
    decode: Duration,
    apply: Duration,
    bytes: usize,
}

/// Generator output goes straight into the decoder; events into the builder; batches into the
/// store. Nothing but the store grows.
struct Feed {
    decoder: Decoder,
    out: Vec<Item>,
    builder: BatchBuilder,
    store: Store,
    times: LoadTimes,
}

impl Feed {
    fn drain(&mut self) {
        let t = Instant::now();
        for item in self.out.drain(..) {
            if let Item::Event(e) = item {
                self.builder.push(0, &e);
            }
        }
        self.times.push += t.elapsed();
        if self.builder.len() >= BATCH_ROWS {
            self.send();
        }
    }

    fn send(&mut self) {
        let batch = self.builder.take();
        let t = Instant::now();
        let bytes = batch.encode();
        self.times.encode += t.elapsed();
        self.times.bytes += bytes.len();
        let t = Instant::now();
        let batch = Batch::decode(&bytes).expect("own encoding decodes");
        self.times.decode += t.elapsed();
        let t = Instant::now();
        self.store.apply(batch).expect("batches in order");
        self.times.apply += t.elapsed();
    }
}

impl Write for Feed {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.decoder.push(buf, &mut self.out);
        self.drain();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn load(rows: usize) -> (Store, LoadTimes, Duration) {
    let t = Instant::now();
    let mut feed = Feed {
        decoder: Decoder::new(),
        out: Vec::new(),
        builder: BatchBuilder::new(),
        store: Store::new(),
        times: LoadTimes::default(),
    };
    let spec = Spec {
        seed: 5059,
        events: rows,
    };
    generator::write(
        generator::events(&spec),
        Format::Wevtutil,
        Encoding::Utf8,
        &mut feed,
    )
    .expect("generate in memory");
    feed.decoder.finish(&mut feed.out);
    feed.drain();
    feed.send();
    assert_eq!(feed.store.len(), rows);
    (feed.store, feed.times, t.elapsed())
}

/// The most frequent accounts.
fn top_accounts(store: &Store, n: usize) -> Vec<Sym> {
    let mut counts = vec![0u64; store.strings.len()];
    for r in &store.rows {
        counts[r.account.index()] += 1;
    }
    let mut v: Vec<(u64, u32)> = counts
        .iter()
        .enumerate()
        .map(|(i, &c)| (c, i as u32))
        .collect();
    v.sort_unstable_by(|a, b| b.cmp(a));
    v.into_iter().take(n).map(|(_, i)| Sym(i)).collect()
}

type Op<'a> = (&'static str, Box<dyn Fn() -> usize + 'a>);

fn operations<'a>(store: &'a Store, all: &'a [u32], accounts: &'a [Sym]) -> Vec<Op<'a>> {
    let sorted = |column| {
        move || {
            select(
                store,
                &Filter::default(),
                Some(Sort {
                    column,
                    descending: false,
                }),
            )
            .len()
        }
    };
    vec![
        (
            "select text \"export\"",
            Box::new(move || {
                let f = Filter {
                    text: "export".into(),
                    ..Filter::default()
                };
                select(store, &f, None).len()
            }),
        ),
        (
            "select text \"admin\" + sort time desc",
            Box::new(move || {
                let f = Filter {
                    text: "admin".into(),
                    ..Filter::default()
                };
                let sort = Sort {
                    column: Column::Time,
                    descending: true,
                };
                select(store, &f, Some(sort)).len()
            }),
        ),
        (
            "select event 5059 + failure",
            Box::new(move || {
                let f = Filter {
                    event_ids: vec![5059],
                    outcome: Some(Outcome::Failure),
                    ..Filter::default()
                };
                select(store, &f, None).len()
            }),
        ),
        ("sort all by time", Box::new(sorted(Column::Time))),
        (
            "sort all by time desc",
            Box::new(move || {
                let sort = Sort {
                    column: Column::Time,
                    descending: true,
                };
                select(store, &Filter::default(), Some(sort)).len()
            }),
        ),
        ("sort all by account", Box::new(sorted(Column::Account))),
        ("sort all by key name", Box::new(sorted(Column::KeyName))),
        (
            "account_bars (all rows, top 20)",
            Box::new(move || account_bars(store, all, 20).len()),
        ),
        (
            "activity (all rows, 5 accounts, 200 buckets)",
            Box::new(move || activity(store, all, accounts, 200).series.len()),
        ),
        {
            let mut span = TimeSpan::default();
            span.add(&store.rows);
            (
                "activity_all (the page's chart, time span known)",
                Box::new(move || activity_all(store, span, accounts, 200).series.len()),
            )
        },
        {
            let marked = RefCell::new(store.clone());
            (
                "mark findings (5 presets, every row)",
                Box::new(move || {
                    // Compiled each time, so that nothing judged in a run before is looked up.
                    let rules = RuleSet::compile(presets()).unwrap();
                    let mut s = marked.borrow_mut();
                    mark(&rules, &mut s, 0);
                    s.findings.iter().filter(|&&f| f != 0).count()
                }),
            )
        },
        {
            // As the page marks a load: batch by batch as the rows arrive, what was judged kept
            // from one batch to the next.
            let marked = RefCell::new(store.clone());
            let all = store.rows.clone();
            (
                "mark findings in the page's batches of 20,000 rows",
                Box::new(move || {
                    let rules = RuleSet::compile(presets()).unwrap();
                    let mut s = marked.borrow_mut();
                    s.rows.clear();
                    let mut from = 0;
                    while from < all.len() {
                        let end = (from + 20_000).min(all.len());
                        s.rows.extend_from_slice(&all[from..end]);
                        mark(&rules, &mut s, from);
                        from = end;
                    }
                    s.findings.iter().filter(|&&f| f != 0).count()
                }),
            )
        },
    ]
}

fn best_of(runs: usize, f: &dyn Fn() -> usize) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut n = 0;
    for _ in 0..runs {
        let t = Instant::now();
        n = black_box(f());
        best = best.min(t.elapsed());
    }
    (best, n)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn bench(c: &mut Criterion) {
    let rows: usize = std::env::var("KEYTRAIL_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if benchmarking() { 1_000_000 } else { 20_000 });
    let (store, times, total) = load(rows);
    let all: Vec<u32> = (0..store.len() as u32).collect();
    let accounts = top_accounts(&store, 5);
    let ops = operations(&store, &all, &accounts);

    let mut g = c.benchmark_group(format!("model {rows} rows"));
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(2));
    for (name, f) in &ops {
        g.bench_function(*name, |b| b.iter(f));
    }
    g.finish();

    // One table for BENCHMARKS.md, from the same store in the same process.
    let runs = if benchmarking() { 7 } else { 1 };
    println!(
        "\n{rows} rows, {} distinct strings, {} bytes per row ({:.0} MB of rows)",
        store.strings.len(),
        std::mem::size_of_val(&store.rows[0]),
        (std::mem::size_of_val(&store.rows[0]) * store.len()) as f64 / 1e6
    );
    println!("{:<46} {:>10} {:>10}", "operation", "ms", "result");
    for (name, f) in &ops {
        let (t, n) = best_of(runs, f.as_ref());
        println!("{name:<46} {:>10.1} {n:>10}", ms(t));
    }
    println!(
        "{:<46} {:>10.1} {:>10}",
        "load: generate + decode + push (whole)",
        ms(total),
        rows
    );
    println!(
        "{:<46} {:>10.1}",
        "load: BatchBuilder::push",
        ms(times.push)
    );
    println!(
        "{:<46} {:>10.1} {:>10}",
        "load: Batch::encode (bytes)",
        ms(times.encode),
        times.bytes
    );
    println!("{:<46} {:>10.1}", "load: Batch::decode", ms(times.decode));
    println!("{:<46} {:>10.1}", "load: Store::apply", ms(times.apply));
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
