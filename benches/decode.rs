//! Decoder throughput against plain quick-xml tokenization of the same bytes, in the same run.
//!
//! `cargo bench --bench decode` (set `KEYTRAIL_BENCH_MB` to change the input size, default 32).
//! The SIEM shapes of issue 13 (NXLog and winlogbeat JSON lines) are measured against
//! `serde_json` parsing the same lines into `serde_json::Value`, in the same run.
//! Besides criterion's own report, it prints one table with MB/s, events/s and the ratio of
//! decoding to tokenization for UTF-8 and UTF-16 inputs (see BENCHMARKS.md).

use criterion::{black_box, criterion_group, Criterion, Throughput};
use keytrail::decoder::{Decoder, Item};
use keytrail::generator::{self, Encoding, Format};
use quick_xml::events::Event as Xml;
use quick_xml::Reader;
use std::time::{Duration, Instant};

const CHUNK: usize = 1 << 20;

struct Input {
    name: &'static str,
    bytes: Vec<u8>,
    events: u64,
}

fn inputs() -> Vec<Input> {
    let mb: u64 = std::env::var("KEYTRAIL_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if benchmarking() { 32 } else { 2 });
    [
        ("wevtutil-utf8", Format::Wevtutil, Encoding::Utf8),
        (
            "event-viewer-utf16le",
            Format::EventViewer,
            Encoding::Utf16Le,
        ),
    ]
    .into_iter()
    .map(|(name, format, encoding)| {
        let mut bytes = Vec::with_capacity((mb << 20) as usize + (1 << 20));
        let (events, _) = generator::write_to_size(5059, mb << 20, format, encoding, &mut bytes)
            .expect("generate in memory");
        Input {
            name,
            bytes,
            events,
        }
    })
    .collect()
}

/// Plain quick-xml tokenization: every token read, nothing kept. UTF-16 is first transcoded with
/// the standard library, as a page or tool without its own decoder would have to.
fn tokenize(bytes: &[u8]) -> u64 {
    let owned;
    let text: &str = if bytes.starts_with(&[0xFF, 0xFE]) {
        let units = bytes[2..]
            .chunks_exact(2)
            .map(|p| u16::from_le_bytes([p[0], p[1]]));
        owned = char::decode_utf16(units)
            .map(|c| c.unwrap_or('\u{FFFD}'))
            .collect::<String>();
        &owned
    } else {
        std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).unwrap_or("")
    };
    let mut reader = Reader::from_str(text);
    let mut starts = 0u64;
    loop {
        match reader.read_event() {
            Ok(Xml::Start(e)) if e.local_name().as_ref() == "Event" => starts += 1,
            Ok(Xml::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    starts
}

/// The decoder, fed in 1 MiB chunks as the CLI and the browser worker do.
fn decode(bytes: &[u8]) -> u64 {
    let mut d = Decoder::new();
    let mut out = Vec::with_capacity(4096);
    let mut events = 0u64;
    let mut count = |out: &mut Vec<Item>| {
        for item in out.drain(..) {
            if let Item::Event(e) = item {
                events += 1;
                black_box(&e);
            }
        }
    };
    for chunk in bytes.chunks(CHUNK) {
        d.push(chunk, &mut out);
        count(&mut out);
    }
    d.finish(&mut out);
    count(&mut out);
    events
}

/// True under `cargo bench`; `cargo test` runs each benchmark once on a small input.
fn benchmarking() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn best_of(runs: usize, f: impl Fn() -> u64) -> (Duration, u64) {
    let mut best = Duration::MAX;
    let mut n = 0;
    for _ in 0..runs {
        let t = Instant::now();
        n = f();
        best = best.min(t.elapsed());
    }
    (best, n)
}

fn bench(c: &mut Criterion) {
    let inputs = inputs();
    for input in &inputs {
        let mut g = c.benchmark_group(input.name);
        g.sample_size(10);
        g.throughput(Throughput::Bytes(input.bytes.len() as u64));
        g.bench_function("quick-xml tokenize", |b| {
            b.iter(|| tokenize(black_box(&input.bytes)))
        });
        g.bench_function("keytrail decode", |b| {
            b.iter(|| decode(black_box(&input.bytes)))
        });
        g.finish();
        let mut g = c.benchmark_group(format!("{} events", input.name));
        g.sample_size(10);
        g.throughput(Throughput::Elements(input.events));
        g.bench_function("keytrail decode", |b| {
            b.iter(|| decode(black_box(&input.bytes)))
        });
        g.finish();
    }
    // One table for BENCHMARKS.md, from the same inputs in the same process.
    let runs = if benchmarking() { 7 } else { 1 };
    println!(
        "\n{:<22} {:>9} {:>12} {:>12} {:>13} {:>8}",
        "input", "MiB", "tokenize MB/s", "decode MB/s", "decode ev/s", "ratio"
    );
    for input in &inputs {
        let (tt, tok_events) = best_of(runs, || tokenize(&input.bytes));
        let (dt, dec_events) = best_of(runs, || decode(&input.bytes));
        assert_eq!(tok_events, dec_events, "both count the same events");
        assert_eq!(dec_events, input.events);
        let mb = input.bytes.len() as f64 / 1e6;
        println!(
            "{:<22} {:>9.1} {:>12.0} {:>12.0} {:>13.0} {:>7.0}%",
            input.name,
            input.bytes.len() as f64 / (1 << 20) as f64,
            mb / tt.as_secs_f64(),
            mb / dt.as_secs_f64(),
            dec_events as f64 / dt.as_secs_f64(),
            100.0 * tt.as_secs_f64() / dt.as_secs_f64()
        );
    }
}

/// `serde_json` alone: every line of a JSON Lines file parsed into a `Value`, nothing else.
fn value_lines(bytes: &[u8]) -> u64 {
    let mut n = 0;
    for line in bytes.split(|&b| b == b'\n') {
        if line.is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_slice(line).expect("valid JSON");
        n += u64::from(v.is_object());
    }
    n
}

/// keytrail's reader of every format: framed, parsed, turned into event XML and decoded.
fn read(bytes: &[u8]) -> u64 {
    let mut r = keytrail::ingest::Reader::new();
    let mut out = Vec::new();
    let mut events = 0;
    for piece in bytes.chunks(CHUNK) {
        r.push(piece, &mut out);
        events += out.iter().filter(|i| matches!(i, Item::Event(_))).count() as u64;
        out.clear();
    }
    r.finish(&mut out);
    events + out.iter().filter(|i| matches!(i, Item::Event(_))).count() as u64
}

fn bench_siem(c: &mut Criterion) {
    let mb: u64 = std::env::var("KEYTRAIL_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if benchmarking() { 16 } else { 1 });
    let inputs: Vec<Input> = [
        ("nxlog-jsonl", Format::NxLog),
        ("evtx-dump-jsonl", Format::EvtxDumpJsonl),
    ]
    .into_iter()
    .map(|(name, format)| {
        let mut bytes = Vec::new();
        let (events, _) =
            generator::write_to_size(5059, mb << 20, format, Encoding::Utf8, &mut bytes)
                .expect("generate in memory");
        Input {
            name,
            bytes,
            events,
        }
    })
    .collect();
    for input in &inputs {
        let mut g = c.benchmark_group(input.name);
        g.sample_size(10);
        g.throughput(Throughput::Bytes(input.bytes.len() as u64));
        g.bench_function("serde_json Value", |b| {
            b.iter(|| value_lines(black_box(&input.bytes)))
        });
        g.bench_function("keytrail read", |b| {
            b.iter(|| read(black_box(&input.bytes)))
        });
        g.finish();
    }
    let runs = if benchmarking() { 5 } else { 1 };
    println!(
        "\n{:<22} {:>9} {:>12} {:>12} {:>13} {:>8}",
        "input", "MiB", "Value MB/s", "read MB/s", "read ev/s", "ratio"
    );
    for input in &inputs {
        let (vt, lines) = best_of(runs, || value_lines(&input.bytes));
        let (rt, events) = best_of(runs, || read(&input.bytes));
        assert_eq!(events, input.events);
        assert_eq!(lines, input.events);
        let mb = input.bytes.len() as f64 / 1e6;
        println!(
            "{:<22} {:>9.1} {:>12.0} {:>12.0} {:>13.0} {:>7.0}%",
            input.name,
            input.bytes.len() as f64 / (1 << 20) as f64,
            mb / vt.as_secs_f64(),
            mb / rt.as_secs_f64(),
            events as f64 / rt.as_secs_f64(),
            100.0 * vt.as_secs_f64() / rt.as_secs_f64()
        );
    }
}

criterion_group!(benches, bench, bench_siem);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
