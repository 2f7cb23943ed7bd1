#![cfg(target_arch = "wasm32")]
//! Browser tests (headless Chromium): the decoder, the worker's slice reader, the page state and
//! a component, all inside a real browser. Run with `scripts/test-web.sh` or
//! `cargo test --target wasm32-unknown-unknown --no-default-features --features web --test web`.

use std::cell::{Cell, RefCell};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures::channel::mpsc::{self, UnboundedReceiver, UnboundedSender};
use futures::future::{self, Either};
use futures::{Future, Sink, SinkExt, Stream, StreamExt};
use keytrail::decoder::view::Outcome;
use keytrail::decoder::{find_event_start, Decoder, Item, TextEncoding};
use keytrail::generator::{self, Encoding, Format};
use keytrail::ingest::export::{ExportRow, ExportShape};
use keytrail::model::chart::{AccountBars, Segment};
use keytrail::model::query::{compare_text, Column};
use keytrail::model::session::{Session, SessionParts, Tick};
use keytrail::model::store::{Batch, BatchBuilder, Interner, Row, Store, Sym};
use keytrail::text::explain;
use keytrail::text::{event_label, value_in, visible, Lang, EN, JA};
use keytrail::web::codec::JsCodec;
use keytrail::web::now_ms;
use keytrail::web::protocol::{
    Detail, Progress, Report, Request, SessionLink, SourceBlob, SourceFile,
};
use keytrail::web::state::{parse_time, Action, AppState, DetailState, Parts, TimelineState};
use keytrail::web::view::{
    bucket_label, AccountChart, ChartProps, Filters, FiltersProps, FindingsProps, SessionTimeline,
    Shared, StatusBar, StatusBarProps,
};
use keytrail::web::worker::{
    detail_of, problem_line, serve_chain, serve_chain_respawning, slice_text, FileDecoder, Respawn,
    Waits, RESPAWNS,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::console_log;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use yew_agent::Codec;

wasm_bindgen_test_configure!(run_in_browser);

/// One 5059 event as `wevtutil qe Security /f:xml` writes it.
const EVENT_5059: &str = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>\
<System><Provider Name='Microsoft-Windows-Security-Auditing' \
Guid='{54849625-5478-4994-a5ba-3e3b0328c30d}'/><EventID>5059</EventID><Version>1</Version>\
<Level>0</Level><Task>12292</Task><Opcode>0</Opcode><Keywords>0x8020000000000000</Keywords>\
<TimeCreated SystemTime='2025-03-04T09:15:22.4421007Z'/><EventRecordID>4711</EventRecordID>\
<Correlation/><Execution ProcessID='712' ThreadID='1288'/><Channel>Security</Channel>\
<Computer>WS01.corp.example</Computer><Security/></System><EventData>\
<Data Name='SubjectUserSid'>S-1-5-18</Data><Data Name='SubjectUserName'>WS01$</Data>\
<Data Name='SubjectDomainName'>CORP</Data><Data Name='SubjectLogonId'>0x3e7</Data>\
<Data Name='ProviderName'>Microsoft Software Key Storage Provider</Data>\
<Data Name='AlgorithmName'>RSA</Data><Data Name='KeyName'>le-1f2e</Data>\
<Data Name='KeyType'>%%2499</Data><Data Name='Operation'>%%2464</Data>\
<Data Name='ReturnCode'>0x0</Data></EventData></Event>\r\n";

/// `n` events, as UTF-8 (no BOM).
fn utf8_events(n: usize) -> Vec<u8> {
    EVENT_5059.repeat(n).into_bytes()
}

/// `n` events, as UTF-16 LE with a BOM (PowerShell 5.1 `> file.xml`).
fn utf16le_events(n: usize) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for unit in EVENT_5059.repeat(n).encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}

/// Decodes `input` cut into chunks of `size` bytes: (event IDs, problems).
fn decode_in_chunks(input: &[u8], size: usize) -> (Vec<u32>, Vec<String>) {
    let mut decoder = Decoder::new();
    let mut out = Vec::new();
    for chunk in input.chunks(size) {
        decoder.push(chunk, &mut out);
    }
    decoder.finish(&mut out);
    let mut ids = Vec::new();
    let mut problems = Vec::new();
    for item in out {
        match item {
            Item::Event(event) => ids.push(event.event_id()),
            Item::Problem(problem) => problems.push(problem.to_string()),
        }
    }
    (ids, problems)
}

const CHUNK_SIZES: [usize; 7] = [1, 2, 3, 7, 64, 4096, usize::MAX];

#[wasm_bindgen_test]
fn decoder_counts_utf8_events_in_any_chunking() {
    let input = utf8_events(3);
    for size in CHUNK_SIZES {
        let (ids, problems) = decode_in_chunks(&input, size);
        assert_eq!(ids, [5059, 5059, 5059], "chunk size {size}");
        assert!(problems.is_empty(), "chunk size {size}: {problems:?}");
    }
}

#[wasm_bindgen_test]
fn decoder_counts_utf16le_events_in_any_chunking() {
    let input = utf16le_events(4);
    for size in CHUNK_SIZES {
        let (ids, problems) = decode_in_chunks(&input, size);
        assert_eq!(ids, [5059; 4], "chunk size {size}");
        assert!(problems.is_empty(), "chunk size {size}: {problems:?}");
    }
}

#[wasm_bindgen_test]
fn file_decoder_reports_counts_and_skips() {
    let mut input = utf8_events(2);
    // A broken event between two good ones: reported, skipped, decoding goes on.
    input.extend_from_slice(b"<Event><System><EventID>5059</Event>\r\n");
    input.extend_from_slice(&utf8_events(1));
    let mut file = FileDecoder::new(7);
    let mut rows = BatchBuilder::new();
    let mut problems = Vec::new();
    for chunk in input.chunks(13) {
        file.push(chunk, &mut rows);
        let progress = file.take();
        assert!(!progress.done);
        problems.extend(progress.new_problems.clone());
    }
    let done = file.finish(&mut rows);
    problems.extend(done.new_problems.clone());
    assert_eq!(done.file, 7);
    assert!(done.done);
    assert_eq!(done.bytes, input.len() as u64);
    assert_eq!(done.events, 3);
    assert!(done.skipped >= 1, "{done:?}");
    assert_eq!(done.problems, problems.len() as u64);
    // Problems carry their code and position for translation.
    assert!(problems
        .iter()
        .all(|p| !p.kind.code().is_empty() && p.line >= 1));
    // The rows went to the builder, file number included.
    let batch = rows.take();
    assert_eq!(batch.rows.len(), 3);
    assert!(batch.rows.iter().all(|r| r.file == 7 && r.event_id == 5059));
}

/// A `File` made in the page, like the ones the file picker gives.
fn file(name: &str, bytes: &[u8]) -> web_sys::File {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    web_sys::File::new_with_u8_array_sequence(&parts, name).unwrap()
}

/// One end of a channel pair in one value, as the reactor scope (`In` = [`Request`], `Out` =
/// [`Report`]) and the bridge to the second worker (the other way round) are.
struct Duplex<In, Out> {
    out: UnboundedSender<Out>,
    input: UnboundedReceiver<In>,
}

/// Two connected ends.
fn duplex<A, B>() -> (Duplex<A, B>, Duplex<B, A>) {
    let (a_tx, a_rx) = mpsc::unbounded();
    let (b_tx, b_rx) = mpsc::unbounded();
    (
        Duplex {
            out: b_tx,
            input: a_rx,
        },
        Duplex {
            out: a_tx,
            input: b_rx,
        },
    )
}

impl<In, Out> Stream for Duplex<In, Out> {
    type Item = In;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<In>> {
        Pin::new(&mut self.get_mut().input).poll_next(cx)
    }
}

impl<In, Out> Sink<Out> for Duplex<In, Out> {
    type Error = mpsc::SendError;
    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Pin::new(&mut self.get_mut().out).poll_ready(cx)
    }
    fn start_send(self: Pin<&mut Self>, item: Out) -> Result<(), Self::Error> {
        Pin::new(&mut self.get_mut().out).start_send(item)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Pin::new(&mut self.get_mut().out).poll_flush(cx)
    }
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Pin::new(&mut self.get_mut().out).poll_close(cx)
    }
}

/// The worker's side of the page and of its second worker.
type Scope = Duplex<Request, Report>;
type SecondWorker = Duplex<Report, Request>;

/// Which second worker a test's worker gets.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Second {
    /// None: the worker decodes everything itself.
    None,
    /// The same loop, also in the page.
    Working,
    /// One that says it is ready, then never answers (as a crashed worker would not).
    Mute,
    /// [`Second::Mute`], and once it is given up, a working one started in its place.
    MuteThenWorking,
    /// [`Second::Mute`], and a mute one again each time one is given up; counts how many were
    /// started in place of others.
    AlwaysMute(Rc<Cell<u32>>),
    /// A chain of this many workers after the first, each the same loop in the page, each
    /// handing the next the part after its share (as `navigator.hardwareConcurrency` allows).
    Chain(u32),
}

/// What the workers of a test handed on to the next ones.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Handed {
    /// Parts of large files ([`Request::Part`]).
    parts: u32,
    /// Hashes for the report ([`Request::DigestInputs`]).
    digests: u32,
}

/// A second worker's end of the bridge whose requests are counted on their way in `handed`.
/// Gives the bridge as the worker before sees it, and the second worker's own end (its report
/// sender, its counted requests).
fn counted_bridge(
    handed: &Rc<RefCell<Handed>>,
) -> (
    SecondWorker,
    UnboundedSender<Report>,
    UnboundedReceiver<Request>,
) {
    let (worker_end, helper_end) = duplex::<Report, Request>();
    let (counted_tx, counted_rx) = mpsc::unbounded();
    let Duplex { out, input } = helper_end;
    let seen = handed.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let mut input = input;
        while let Some(request) = input.next().await {
            match request {
                Request::Part { .. } => seen.borrow_mut().parts += 1,
                Request::DigestInputs { .. } => seen.borrow_mut().digests += 1,
                _ => {}
            }
            if counted_tx.unbounded_send(request).is_err() {
                return;
            }
        }
    });
    (worker_end, out, counted_rx)
}

/// A chain of `links` working workers in the page, the first of which is returned as the bridge
/// its predecessor sees; everything handed along the chain is counted in `handed`.
fn chain_of(links: u32, handed: &Rc<RefCell<Handed>>) -> Option<SecondWorker> {
    if links == 0 {
        return None;
    }
    let (worker_end, out, counted_rx) = counted_bridge(handed);
    let next = chain_of(links - 1, handed);
    wasm_bindgen_futures::spawn_local(serve_chain(
        Duplex {
            out,
            input: counted_rx,
        },
        next,
        links,
        TEST_SILENCE_MS,
    ));
    Some(worker_end)
}

/// How long a test's worker waits for a silent second worker.
const TEST_SILENCE_MS: u32 = 300;

/// A second worker that says it is ready, then never answers (what it is handed is counted).
fn mute_worker(handed: &Rc<RefCell<Handed>>) -> SecondWorker {
    let (worker_end, out, counted_rx) = counted_bridge(handed);
    wasm_bindgen_futures::spawn_local(async move {
        let _ = out.unbounded_send(Report::Ready);
        let mut swallowed = counted_rx;
        while swallowed.next().await.is_some() {}
        drop(out);
    });
    worker_end
}

/// Starts the worker's loop in the page with a `second` worker; returns its request sender and
/// report stream, and what the second worker was handed.
fn start_worker_with(
    second: Second,
) -> (
    UnboundedSender<Request>,
    UnboundedReceiver<Report>,
    Rc<RefCell<Handed>>,
) {
    let (requests, request_rx) = mpsc::unbounded();
    let (report_tx, reports) = mpsc::unbounded();
    let handed = Rc::new(RefCell::new(Handed::default()));
    if let Second::Chain(links) = second {
        wasm_bindgen_futures::spawn_local(serve_chain(
            Scope {
                out: report_tx,
                input: request_rx,
            },
            chain_of(links, &handed),
            links + 1,
            TEST_SILENCE_MS,
        ));
        return (requests, reports, handed);
    }
    let helper = match second {
        Second::None | Second::Chain(_) => None,
        Second::Working => chain_of(1, &handed),
        Second::Mute | Second::MuteThenWorking | Second::AlwaysMute(_) => {
            Some(mute_worker(&handed))
        }
    };
    let respawn: Respawn<SecondWorker> = match second {
        Second::MuteThenWorking => {
            let handed = handed.clone();
            Box::new(move || chain_of(1, &handed))
        }
        Second::AlwaysMute(started) => {
            let handed = handed.clone();
            Box::new(move || {
                started.set(started.get() + 1);
                Some(mute_worker(&handed))
            })
        }
        _ => Box::new(|| None),
    };
    let chain = if helper.is_some() { 2 } else { 1 };
    wasm_bindgen_futures::spawn_local(serve_chain_respawning(
        Scope {
            out: report_tx,
            input: request_rx,
        },
        helper,
        respawn,
        chain,
        Waits {
            silence_ms: TEST_SILENCE_MS,
            ..Waits::default()
        },
    ));
    (requests, reports, handed)
}

/// [`start_worker_with`] a second worker.
fn start_worker() -> (UnboundedSender<Request>, UnboundedReceiver<Report>) {
    let (requests, reports, _) = start_worker_with(Second::Working);
    (requests, reports)
}

/// Feeds reports into `state` until `until` holds.
async fn pump(
    state: &mut AppState,
    reports: &mut UnboundedReceiver<Report>,
    until: impl Fn(&AppState) -> bool,
) {
    while !until(state) {
        let report = reports.next().await.expect("worker ended");
        // As between the worker and the page: through the codec (times are 64-bit).
        let report = JsCodec::decode::<Report>(JsCodec::encode(report));
        state.apply(Action::Report(report), 0.0);
    }
}

/// Selects the row at `position` with the detail pane open and waits for the worker's answer.
async fn open_detail(
    state: &mut AppState,
    requests: &mut UnboundedSender<Request>,
    reports: &mut UnboundedReceiver<Report>,
    position: usize,
) -> Box<Detail> {
    for request in state.apply(
        Action::SelectAt {
            position,
            open: true,
        },
        0.0,
    ) {
        requests.send(request).await.unwrap();
    }
    pump(state, reports, |s| {
        matches!(s.detail.content, Some(DetailState::Ready(_)))
    })
    .await;
    match &state.detail.content {
        Some(DetailState::Ready(detail)) => detail.clone(),
        _ => unreachable!(),
    }
}

#[wasm_bindgen_test]
async fn worker_streams_rows_and_answers_details() {
    let (mut requests, mut reports) = start_worker();
    let mut state = AppState::new();
    pump(&mut state, &mut reports, |s| s.load.ready).await;
    state.apply(
        Action::Opened {
            first_id: 0,
            files: vec![("a.xml".into(), 0), ("b.xml".into(), 0)],
        },
        0.0,
    );
    let a = utf16le_events(3);
    let b = utf8_events(2);
    requests
        .send(Request::Open {
            first_id: 0,
            files: vec![SourceFile(file("a.xml", &a)), SourceFile(file("b.xml", &b))],
        })
        .await
        .unwrap();
    pump(&mut state, &mut reports, |s| !s.load.busy()).await;
    assert_eq!(state.store.len(), 5);
    assert_eq!(state.table.view.len(), 5);
    // For the report, each file's SHA-256, read again once the load is done.
    requests
        .send(Request::Digest { files: vec![0, 1] })
        .await
        .unwrap();
    for (id, bytes) in [(0, &a), (1, &b)] {
        let answer = loop {
            match reports.next().await.expect("worker ended") {
                Report::Digested {
                    file,
                    sha256,
                    stopped,
                } => break (file, sha256, stopped),
                _ => continue,
            }
        };
        assert_eq!(answer, (id, Some(sha256_hex(bytes)), false));
    }
    assert_eq!(state.load.events(), 5);
    assert!(state.several_files());
    assert_eq!(state.cell(0, Column::File), "a.xml");
    assert_eq!(state.cell(4, Column::File), "b.xml");
    assert_eq!(
        state.cell(0, Column::Operation),
        "Export of persistent cryptographic key."
    );
    assert_eq!(state.cell(0, Column::KeyType), "Machine key.");
    // The detail of a UTF-16 event is decoded again from its bytes in the file.
    let detail = open_detail(&mut state, &mut requests, &mut reports, 1).await;
    assert_eq!(detail.event_id, 5059);
    assert!(detail.xml.starts_with("<Event"), "{}", detail.xml);
    let field = |name: &str| detail.fields.iter().find(|f| f.name == name).unwrap();
    assert_eq!(field("KeyType").raw, "%%2499");
    assert_eq!(field("KeyType").decoded.as_deref(), Some("Machine key."));
    assert_eq!(field("SubjectUserName").raw, "WS01$");
    assert!(detail
        .system
        .iter()
        .any(|f| f.name == "EventRecordID" && f.raw == "4711"));
    // Pasted text is an input like a file.
    state.apply(
        Action::Opened {
            first_id: 2,
            files: vec![("pasted".into(), 0)],
        },
        0.0,
    );
    requests
        .send(Request::Paste {
            id: 2,
            text: EVENT_5059.to_string(),
        })
        .await
        .unwrap();
    pump(&mut state, &mut reports, |s| !s.load.busy()).await;
    assert_eq!(state.store.len(), 6);
    // Clear all: the worker forgets, the page starts a new generation.
    for request in state.apply(Action::Clear, 0.0) {
        requests.send(request).await.unwrap();
    }
    assert!(state.store.is_empty() && state.load.files.is_empty() && state.load.ready);
}

#[wasm_bindgen_test]
async fn worker_cancel_stops_reading() {
    let (mut requests, mut reports) = start_worker();
    let mut state = AppState::new();
    pump(&mut state, &mut reports, |s| s.load.ready).await;
    // Large enough for several slices.
    let one = utf8_events(1).len() as u64;
    let n = usize::try_from(3 * keytrail::web::worker::SLICE_BYTES / one).unwrap();
    let big = utf8_events(n);
    state.apply(
        Action::Opened {
            first_id: 0,
            files: vec![
                ("big.xml".into(), big.len() as u64),
                ("next.xml".into(), 10),
            ],
        },
        0.0,
    );
    requests
        .send(Request::Open {
            first_id: 0,
            files: vec![
                SourceFile(file("big.xml", &big)),
                SourceFile(file("next.xml", &utf8_events(1))),
            ],
        })
        .await
        .unwrap();
    pump(&mut state, &mut reports, |s| !s.store.is_empty()).await;
    for request in state.apply(Action::Cancel, 0.0) {
        requests.send(request).await.unwrap();
    }
    pump(&mut state, &mut reports, |s| !s.load.busy()).await;
    assert!(state.load.cancelled());
    assert!(state.load.files.iter().all(|f| f.done && f.cancelled));
    assert!(state.load.events() < n as u64, "{}", state.load.events());
}

/// A wevtutil export of about `bytes`, with a broken event at a third and at two thirds (one in
/// each half of a split).
fn large_export(bytes: u64) -> Vec<u8> {
    let mut out = Vec::new();
    generator::write_to_size(4624, bytes, Format::Wevtutil, Encoding::Utf8, &mut out).unwrap();
    for third in [2, 1] {
        let at = out.len() * third / 3;
        let at = at + find_event_start(&out[at..], TextEncoding::Utf8).unwrap();
        let broken = b"<Event><System><EventID>5059</EventID></Sys></Event>\r\n";
        out.splice(at..at, broken.iter().copied());
    }
    out
}

/// Opens `bytes` as file `first_id`, `large.xml`, and takes the worker's reports until the load
/// is over.
async fn open_large(
    state: &mut AppState,
    requests: &mut UnboundedSender<Request>,
    reports: &mut UnboundedReceiver<Report>,
    first_id: u32,
    bytes: &[u8],
) {
    state.apply(
        Action::Opened {
            first_id,
            files: vec![("large.xml".into(), bytes.len() as u64)],
        },
        0.0,
    );
    requests
        .send(Request::Open {
            first_id,
            files: vec![SourceFile(file("large.xml", bytes))],
        })
        .await
        .unwrap();
    pump(state, reports, |s| !s.load.busy()).await;
}

/// Opens `bytes` as one file in a new worker (with or without a second worker) and opens the
/// detail of the last key event run in a logon session; gives the page state, how many parts
/// went to the second worker, and that detail.
async fn load_large(second: Second, bytes: &[u8]) -> (AppState, u32, Box<Detail>) {
    load_large_picking(second, bytes, 5059).await
}

/// [`load_large`], opening the detail of the last event `event_id` run in a logon session.
async fn load_large_picking(
    second: Second,
    bytes: &[u8],
    event_id: u32,
) -> (AppState, u32, Box<Detail>) {
    let (mut requests, mut reports, parts) = start_worker_with(second);
    let mut state = AppState::new();
    pump(&mut state, &mut reports, |s| s.load.ready).await;
    open_large(&mut state, &mut requests, &mut reports, 0, bytes).await;
    state.refresh(0.0, true);
    let position = (0..state.table.view.len())
        .rev()
        .find(|&p| {
            let row = state.store.rows[state.table.view[p] as usize];
            row.event_id == event_id && state.store.str(row.logon_id) != "0x3e7"
        })
        .expect("a key event in a logon session");
    let detail = open_detail(&mut state, &mut requests, &mut reports, position).await;
    let parts = parts.borrow().parts;
    (state, parts, detail)
}

#[wasm_bindgen_test]
async fn a_large_file_is_decoded_by_two_workers_as_by_one() {
    let bytes = large_export(keytrail::web::worker::SPLIT_BYTES + (1 << 20));
    let (two, parts, two_detail) = load_large(Second::Working, &bytes).await;
    let (one, alone, one_detail) = load_large(Second::None, &bytes).await;
    assert_eq!((parts, alone), (1, 0), "the file was split once");
    assert_eq!(two.store.rows, one.store.rows);
    assert!(two.store.strings.iter().eq(one.store.strings.iter()));
    // Counts, problems with their lines, columns and event numbers, all the same.
    assert_eq!(two.load, one.load);
    assert_eq!(one.load.skipped(), 2);
    assert_eq!(one.load.files[0].bytes, bytes.len() as u64);
    // The detail of an event near the end links to its session, found by either worker.
    assert_eq!(two_detail, one_detail);
    assert!(
        matches!(one_detail.session, Some(SessionLink::Session(_))),
        "{:?}",
        one_detail.session
    );
}

/// A real Security log's chunks three times over (about 5 MB, its header declaring the first
/// 26 chunks), with a damaged chunk signature in each half.
fn large_evtx() -> Vec<u8> {
    large_evtx_of(3)
}

/// A real Security log's chunks `times` over, with a damaged chunk signature at a fifth and at
/// four fifths.
fn large_evtx_of(times: usize) -> Vec<u8> {
    let log: &[u8] = include_bytes!("fixtures/evtx/security.evtx");
    let chunks = &log[4096..4096 + 26 * 65536];
    let mut out = log[..4096].to_vec();
    for _ in 0..times {
        out.extend_from_slice(chunks);
    }
    let n = 26 * times;
    for chunk in [n / 5, n * 4 / 5] {
        out[4096 + chunk * 65536] = b'X';
    }
    out
}

#[wasm_bindgen_test]
async fn a_large_evtx_file_is_decoded_by_two_workers_as_by_one() {
    let bytes = large_evtx();
    assert!(bytes.len() as u64 > keytrail::web::worker::SPLIT_BYTES + (128 << 10));
    let (two, parts, two_detail) = load_large_picking(Second::Working, &bytes, 4672).await;
    let (one, alone, one_detail) = load_large_picking(Second::None, &bytes, 4672).await;
    assert_eq!((parts, alone), (1, 0), "the file was split once");
    assert_eq!(two.store.rows, one.store.rows);
    assert!(two.store.strings.iter().eq(one.store.strings.iter()));
    // Counts, and problems with their chunks and offsets, all the same.
    assert_eq!(two.load, one.load);
    assert_eq!(one.load.skipped(), 2, "one chunk lost in each half");
    // And what the CLI's reader counts.
    let (_, events, problems, _) = keytrail::ingest::read_all(&bytes);
    assert_eq!(one.load.events(), events.len() as u64);
    assert_eq!(one.load.problem_count(), problems.len() as u64);
    assert_eq!(one.load.files[0].bytes, bytes.len() as u64);
    // The detail of an event near the end is its record, rendered again from its chunk.
    assert_eq!(two_detail, one_detail);
    assert!(
        one_detail.xml.contains("<EventID>4672</EventID>"),
        "{}",
        one_detail.xml
    );
}

#[wasm_bindgen_test]
async fn a_chain_of_four_workers_decodes_a_large_file_as_one() {
    // Each worker keeps its share and hands the rest on while it is at least SPLIT_BYTES: the
    // third worker's half of the rest must be, so the file is a little over twice that.
    let bytes = large_export(keytrail::web::worker::SPLIT_BYTES * 2 + (1 << 20));
    let (four, parts, four_detail) = load_large(Second::Chain(3), &bytes).await;
    let (one, alone, one_detail) = load_large(Second::None, &bytes).await;
    assert_eq!(
        (parts, alone),
        (3, 0),
        "each of the first three handed a part on"
    );
    assert_eq!(four.store.rows, one.store.rows);
    assert!(four.store.strings.iter().eq(one.store.strings.iter()));
    assert_eq!(four.load, one.load);
    assert_eq!(one.load.skipped(), 2);
    assert_eq!(four_detail, one_detail);
}

#[wasm_bindgen_test]
async fn a_chain_of_three_workers_decodes_a_large_evtx_file_as_one() {
    // 104 chunks (6.8 MB): the second worker's two thirds are still over SPLIT_BYTES.
    let bytes = large_evtx_of(4);
    let (three, parts, three_detail) = load_large_picking(Second::Chain(2), &bytes, 4672).await;
    let (one, alone, one_detail) = load_large_picking(Second::None, &bytes, 4672).await;
    assert_eq!((parts, alone), (2, 0), "the first two handed a part on");
    assert_eq!(three.store.rows, one.store.rows);
    assert!(three.store.strings.iter().eq(one.store.strings.iter()));
    assert_eq!(three.load, one.load);
    assert_eq!(
        one.load.skipped(),
        2,
        "one chunk lost in each damaged place"
    );
    assert_eq!(three_detail, one_detail);
}

#[wasm_bindgen_test]
async fn a_second_worker_that_falls_silent_is_given_up_and_the_first_decodes_the_rest() {
    let bytes = large_export(keytrail::web::worker::SPLIT_BYTES + (1 << 20));
    let (mute, parts, mute_detail) = load_large(Second::Mute, &bytes).await;
    let (one, _, one_detail) = load_large(Second::None, &bytes).await;
    assert_eq!(parts, 1, "the part was handed over, and never answered");
    assert_eq!(mute.store.rows, one.store.rows);
    assert_eq!(mute.load, one.load);
    assert_eq!(mute_detail, one_detail);
}

/// A second worker that falls silent during its part is given up after a silence measured from
/// its last word, however often the page asks other things meanwhile (details): the first
/// worker decodes the rest and the load ends.
#[wasm_bindgen_test]
async fn a_second_worker_silent_during_a_part_is_given_up_however_often_the_page_asks() {
    let bytes = large_export(keytrail::web::worker::SPLIT_BYTES + (1 << 20));
    let (mut requests, mut reports, handed) = start_worker_with(Second::Mute);
    let mut state = AppState::new();
    pump(&mut state, &mut reports, |s| s.load.ready).await;
    state.apply(
        Action::Opened {
            first_id: 0,
            files: vec![("large.xml".into(), bytes.len() as u64)],
        },
        0.0,
    );
    requests
        .send(Request::Open {
            first_id: 0,
            files: vec![SourceFile(file("large.xml", &bytes))],
        })
        .await
        .unwrap();
    let started = now_ms();
    let mut token = 1000;
    while state.load.busy() {
        assert!(
            now_ms() - started < 20_000.0,
            "the silent second worker was never given up"
        );
        let Some(report) = within(100, reports.next()).await else {
            token += 1;
            let detail = Request::Detail {
                token,
                file: 0,
                start: 0,
                end: 100,
            };
            requests.send(detail).await.unwrap();
            continue;
        };
        let report = report.expect("worker ended");
        if !matches!(report, Report::Detail(_)) {
            state.apply(Action::Report(report), 0.0);
        }
    }
    assert_eq!(handed.borrow().parts, 1, "the part was handed over");
    let status = &state.load.files[0];
    assert!(status.done && !status.cancelled && status.failed.is_none());
}

/// A part's sessions reach the worker before exactly as the second worker had them: names in
/// any script, logon IDs and times over 2^53; sessions that do not read back whole are told
/// apart from none.
#[wasm_bindgen_test]
fn a_parts_sessions_cross_between_workers_unchanged() {
    let session = Session {
        computer: "CA01.contoso.local".into(),
        logon_id: u64::MAX - 1,
        account: "CONTOSO\\山田".into(),
        sid: "S-1-5-21-3457937927-2839227994-823803824-1104".into(),
        logon_type: Some(10),
        logon_type_name: Some("RemoteInteractive".into()),
        workstation: "WS-\"07\"".into(),
        ip_address: "fe80::1%3".into(),
        authentication_package: "Negotiate".into(),
        logon_process: "User32 ".into(),
        logon_time: Some(i64::MAX - 7),
        logoff_time: None,
        privileges: vec!["SeBackupPrivilege".into(), "SeDebugPrivilege".into()],
        logon_record: Some(9_007_199_254_740_993),
    };
    let parts = SessionParts {
        hosts: vec!["ca01.contoso.local".into(), "山田-pc".into()],
        sessions: vec![(0, session.clone()), (1, session)],
        logoffs: vec![(1, u64::MAX, Some(i64::MIN))],
        privileges: vec![(0, 0x3e7, None, vec!["SeTcbPrivilege".into()])],
    };
    let Report::PartEnd {
        job,
        complete,
        sessions,
    } = Report::part_end(7, true, &parts)
    else {
        panic!("not a PartEnd");
    };
    assert_eq!((job, complete), (7, true));
    assert_eq!(Report::part_sessions(&sessions), Some(parts));
    let garbled = keytrail::web::protocol::Bytes::from_slice(b"{\"hosts\":[\"a\"");
    assert_eq!(Report::part_sessions(&garbled), None);
}

/// The SHA-256 of `bytes`, as the worker writes it (64 lowercase hex digits).
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    let hash = sha2::Sha256::digest(bytes);
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// Loads `large` and a pasted event in a worker with a `second` worker, then, as soon as the
/// page asks for their SHA-256s, asks for an export of the pasted event (a user exporting right
/// after a load). Gives the answers in the order they came (`exported`, `digested N`), what the
/// second worker was handed, and the page state with the hashes taken in.
async fn export_while_hashing(second: Second, large: &[u8]) -> (Vec<String>, Handed, AppState) {
    let (mut requests, mut reports, handed) = start_worker_with(second);
    let mut state = AppState::new();
    pump(&mut state, &mut reports, |s| s.load.ready).await;
    state.apply(
        Action::Opened {
            first_id: 0,
            files: vec![
                ("large.xml".into(), large.len() as u64),
                ("pasted".into(), EVENT_5059.len() as u64),
            ],
        },
        0.0,
    );
    requests
        .send(Request::Open {
            first_id: 0,
            files: vec![SourceFile(file("large.xml", large))],
        })
        .await
        .unwrap();
    requests
        .send(Request::Paste {
            id: 1,
            text: EVENT_5059.to_string(),
        })
        .await
        .unwrap();
    let digest = loop {
        let report = reports.next().await.expect("worker ended");
        let asked = state.apply(Action::Report(report), 0.0);
        if let Some(digest) = asked
            .into_iter()
            .find(|r| matches!(r, Request::Digest { .. }))
        {
            break digest;
        }
    };
    assert!(
        matches!(&digest, Request::Digest { files } if files == &[0, 1]),
        "{digest:?}"
    );
    let pasted = state.store.rows.iter().find(|r| r.file == 1).unwrap();
    let export = Request::Export {
        token: 1,
        shape: ExportShape::Csv,
        rows: vec![ExportRow {
            file: 1,
            start: pasted.byte_start,
            end: pasted.byte_end,
            findings: Vec::new(),
        }],
        names: vec!["large.xml".into(), "pasted".into()],
        event_names: Vec::new(),
    };
    requests.send(digest).await.unwrap();
    requests.send(export).await.unwrap();
    let mut order = Vec::new();
    while order.len() < 3 {
        match reports.next().await.expect("worker ended") {
            Report::Exported { text, lost, .. } => {
                assert_eq!(lost, 0);
                assert!(text.contains("5059"), "{text}");
                order.push("exported".to_string());
            }
            report @ Report::Digested { file, .. } => {
                order.push(format!("digested {file}"));
                assert!(state.apply(Action::Report(report), 0.0).is_empty());
            }
            _ => {}
        }
    }
    let handed = *handed.borrow();
    (order, handed, state)
}

/// After a load, the report's SHA-256s are taken by the second worker (idle once the load is
/// done), so that an export asked of the first meanwhile is answered at once, not after the
/// hashes (seconds for a 1 GB file).
#[wasm_bindgen_test]
async fn the_second_worker_hashes_for_the_report_and_an_export_meanwhile_does_not_wait() {
    let large = large_export(keytrail::web::worker::SPLIT_BYTES + (1 << 20));
    let (order, handed, state) = export_while_hashing(Second::Working, &large).await;
    assert_eq!(order, ["exported", "digested 0", "digested 1"]);
    assert_eq!(
        handed,
        Handed {
            parts: 1,
            digests: 1
        },
        "the load was split once, and the hashes handed on once"
    );
    assert!(!state.load.hashing(), "the report's button is enabled");
    assert_eq!(state.load.files[0].sha256, Some(sha256_hex(&large)));
    let pasted = sha256_hex(EVENT_5059.as_bytes());
    assert_eq!(state.load.files[1].sha256, Some(pasted));
}

/// A worker alone takes the report's SHA-256s itself, as before: an export asked meanwhile
/// waits for them.
#[wasm_bindgen_test]
async fn a_worker_alone_hashes_for_the_report_itself_and_an_export_waits_for_it() {
    let large = large_export(keytrail::web::worker::SPLIT_BYTES + (1 << 20));
    let (order, handed, state) = export_while_hashing(Second::None, &large).await;
    assert_eq!(handed, Handed::default());
    assert_eq!(order, ["digested 0", "digested 1", "exported"]);
    assert!(!state.load.hashing());
    assert_eq!(state.load.files[0].sha256, Some(sha256_hex(&large)));
}

/// Files opened while the report's SHA-256s are taken come first, with a second worker hashing
/// as with the first: the hash stops, the file not hashed is answered `stopped` before the new
/// file is read, and asked again it is hashed in full.
#[wasm_bindgen_test]
async fn files_opened_while_hashing_come_first_whichever_worker_hashes() {
    for second in [Second::Working, Second::None] {
        let (mut requests, mut reports, handed) = start_worker_with(second.clone());
        let mut state = AppState::new();
        pump(&mut state, &mut reports, |s| s.load.ready).await;
        // More than one slice, so that the hash looks at requests before its end; read no
        // further than its first slice (cancelled), it is kept all the same.
        let big = vec![b' '; usize::try_from(keytrail::web::worker::SLICE_BYTES).unwrap() + 1];
        requests
            .send(Request::Open {
                first_id: 0,
                files: vec![SourceFile(file("big.xml", &big))],
            })
            .await
            .unwrap();
        requests.send(Request::Cancel).await.unwrap();
        loop {
            match reports.next().await.expect("worker ended") {
                Report::Progress(p) if p.done => break,
                _ => continue,
            }
        }
        requests
            .send(Request::Digest { files: vec![0] })
            .await
            .unwrap();
        requests
            .send(Request::Paste {
                id: 1,
                text: EVENT_5059.to_string(),
            })
            .await
            .unwrap();
        let mut order = Vec::new();
        while order.last().map(String::as_str) != Some("1 read") {
            match reports.next().await.expect("worker ended") {
                Report::Digested {
                    file,
                    sha256,
                    stopped,
                } => {
                    order.push(format!("{file} {sha256:?} {stopped}"));
                }
                Report::Progress(p) if p.done => order.push(format!("{} read", p.file)),
                _ => {}
            }
        }
        assert_eq!(order, ["0 None true", "1 read"], "{second:?}");
        requests
            .send(Request::Digest { files: vec![0, 1] })
            .await
            .unwrap();
        let mut hashes = Vec::new();
        while hashes.len() < 2 {
            if let Report::Digested {
                file,
                sha256,
                stopped,
            } = reports.next().await.expect("worker ended")
            {
                hashes.push((file, sha256, stopped));
            }
        }
        let pasted = sha256_hex(EVENT_5059.as_bytes());
        assert_eq!(
            hashes,
            [(0, Some(sha256_hex(&big)), false), (1, Some(pasted), false)],
            "{second:?}"
        );
        let handed = handed.borrow().digests;
        let expected = if second == Second::Working { 2 } else { 0 };
        assert_eq!(handed, expected, "{second:?}");
    }
}

/// Files of one slice each are not stopped inside, but between them: text pasted while a
/// worker alone hashes many small files is read after the file being hashed, not after all.
#[wasm_bindgen_test]
async fn small_files_being_hashed_give_way_to_text_pasted_meanwhile() {
    let (mut requests, mut reports, _) = start_worker_with(Second::None);
    let mut state = AppState::new();
    pump(&mut state, &mut reports, |s| s.load.ready).await;
    let files = (0..3)
        .map(|n| SourceFile(file(&format!("{n}.xml"), EVENT_5059.as_bytes())))
        .collect();
    requests
        .send(Request::Open { first_id: 0, files })
        .await
        .unwrap();
    let mut done = 0;
    while done < 3 {
        if let Report::Progress(p) = reports.next().await.expect("worker ended") {
            done += usize::from(p.done);
        }
    }
    requests
        .send(Request::Digest {
            files: vec![0, 1, 2],
        })
        .await
        .unwrap();
    requests
        .send(Request::Paste {
            id: 3,
            text: EVENT_5059.to_string(),
        })
        .await
        .unwrap();
    let mut order = Vec::new();
    while order.last().map(String::as_str) != Some("3 read") {
        match reports.next().await.expect("worker ended") {
            Report::Digested { file, stopped, .. } => order.push(format!("{file} {stopped}")),
            Report::Progress(p) if p.done => order.push(format!("{} read", p.file)),
            _ => {}
        }
    }
    assert_eq!(order, ["0 false", "1 true", "2 true", "3 read"]);
}

/// A page whose worker's second worker never answers, with a 5059 pasted as file 0: its
/// request sender, report stream, what the second worker was handed, and the page's state.
async fn paste_with_a_mute_second_worker() -> (
    UnboundedSender<Request>,
    UnboundedReceiver<Report>,
    Rc<RefCell<Handed>>,
    AppState,
) {
    paste_with(Second::Mute).await
}

/// Passes the worker's reports to the page and its requests back until the first file's SHA-256
/// is known; how many times the page heard that hashing stopped meanwhile.
async fn until_hashed(
    state: &mut AppState,
    requests: &mut UnboundedSender<Request>,
    reports: &mut UnboundedReceiver<Report>,
) -> u32 {
    let mut stopped = 0;
    while state.load.files[0].sha256.is_none() {
        let report = reports.next().await.expect("worker ended");
        if matches!(report, Report::Digested { stopped: true, .. }) {
            stopped += 1;
        }
        for request in state.apply(Action::Report(report), 0.0) {
            requests.send(request).await.unwrap();
        }
    }
    stopped
}

/// A page whose worker has the `second` worker, with a 5059 pasted as file 0: its request
/// sender, report stream, what the second worker was handed, and the page's state.
async fn paste_with(
    second: Second,
) -> (
    UnboundedSender<Request>,
    UnboundedReceiver<Report>,
    Rc<RefCell<Handed>>,
    AppState,
) {
    let (mut requests, mut reports, handed) = start_worker_with(second);
    let mut state = AppState::new();
    pump(&mut state, &mut reports, |s| s.load.ready).await;
    state.apply(
        Action::Opened {
            first_id: 0,
            files: vec![("pasted".into(), EVENT_5059.len() as u64)],
        },
        0.0,
    );
    requests
        .send(Request::Paste {
            id: 0,
            text: EVENT_5059.to_string(),
        })
        .await
        .unwrap();
    (requests, reports, handed, state)
}

/// A second worker that never answers the SHA-256s handed to it is given up after a silence:
/// the page hears they stopped, asks again, and the first worker takes them itself; the
/// report's button does not wait for ever.
#[wasm_bindgen_test]
async fn hashes_a_silent_second_worker_never_answers_are_taken_by_the_first() {
    let (mut requests, mut reports, handed, mut state) = paste_with_a_mute_second_worker().await;
    let stopped = until_hashed(&mut state, &mut requests, &mut reports).await;
    assert_eq!(handed.borrow().digests, 1, "handed on once, never answered");
    assert_eq!(
        stopped, 1,
        "answered stopped once the second worker was given up"
    );
    let pasted = sha256_hex(EVENT_5059.as_bytes());
    assert_eq!(state.load.files[0].sha256, Some(pasted));
    assert!(!state.load.hashing());
}

/// A second worker given up for its silence is replaced by a new one: a large file opened later
/// is shared with it again, not decoded by the first worker alone for the rest of the session,
/// and reads as from one decoder.
#[wasm_bindgen_test]
async fn a_second_worker_given_up_is_replaced_and_later_large_files_are_shared_again() {
    let (mut requests, mut reports, handed, mut state) = paste_with(Second::MuteThenWorking).await;
    // The pasted event's hash goes to the mute worker, which is given up after its silence.
    until_hashed(&mut state, &mut requests, &mut reports).await;
    assert_eq!(handed.borrow().parts, 0);

    let bytes = large_export(keytrail::web::worker::SPLIT_BYTES + (1 << 20));
    open_large(&mut state, &mut requests, &mut reports, 1, &bytes).await;
    assert_eq!(
        handed.borrow().parts,
        1,
        "the large file was shared with the new second worker"
    );
    let (one, alone, _) = load_large(Second::None, &bytes).await;
    assert_eq!(alone, 0);
    let large = &state.load.files[1];
    assert!(large.done && !large.cancelled && large.failed.is_none());
    assert_eq!(large.events, one.load.files[0].events);
    assert_eq!(state.load.skipped(), one.load.skipped());
    assert_eq!(state.store.rows.len(), one.store.rows.len() + 1);
}

/// Second workers that keep going silent are replaced only [`RESPAWNS`] times: then the first
/// worker takes the hash itself, and the report's hash still comes.
#[wasm_bindgen_test]
async fn second_workers_that_keep_going_silent_are_replaced_only_so_often() {
    let started = Rc::new(Cell::new(0));
    let (mut requests, mut reports, handed, mut state) =
        paste_with(Second::AlwaysMute(started.clone())).await;
    let stopped = until_hashed(&mut state, &mut requests, &mut reports).await;
    assert_eq!(started.get(), RESPAWNS, "replaced, but only so often");
    assert_eq!(
        handed.borrow().digests,
        RESPAWNS + 1,
        "each mute one was handed the hash"
    );
    assert_eq!(stopped, RESPAWNS + 1);
    assert_eq!(
        state.load.files[0].sha256,
        Some(sha256_hex(EVENT_5059.as_bytes()))
    );
}

/// A second worker slow to start (a cold cache, a busy machine) is not given up: the first says
/// it is ready without it after its wait, and shares the next large file with it once it is
/// ready, which decodes as by one worker.
#[wasm_bindgen_test]
async fn a_second_worker_slow_to_start_is_taken_once_it_is_ready() {
    let handed = Rc::new(RefCell::new(Handed::default()));
    let (worker_end, out, counted_rx) = counted_bridge(&handed);
    // Its loop, and so its word that it is ready, starts only when the test says so.
    let (go, wait) = futures::channel::oneshot::channel::<()>();
    let began = Rc::new(Cell::new(false));
    let begun = began.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let _ = wait.await;
        begun.set(true);
        let scope = Duplex {
            out,
            input: counted_rx,
        };
        serve_chain(scope, None::<SecondWorker>, 1, TEST_SILENCE_MS).await;
    });
    let (mut requests, request_rx) = mpsc::unbounded();
    let (report_tx, mut reports) = mpsc::unbounded();
    let waits = Waits {
        start_ms: 100,
        silence_ms: TEST_SILENCE_MS,
    };
    let scope = Scope {
        out: report_tx,
        input: request_rx,
    };
    wasm_bindgen_futures::spawn_local(serve_chain_respawning(
        scope,
        Some(worker_end),
        Box::new(|| None),
        2,
        waits,
    ));
    let mut state = AppState::new();
    pump(&mut state, &mut reports, |s| s.load.ready).await;
    assert!(!began.get(), "ready without waiting for it");
    go.send(()).unwrap();
    // Its loop warms up and says it is ready in one go, once it runs.
    while !began.get() {
        sleep_ms(50).await;
    }
    sleep_ms(50).await;

    let bytes = large_export(keytrail::web::worker::SPLIT_BYTES + (1 << 20));
    open_large(&mut state, &mut requests, &mut reports, 0, &bytes).await;
    assert_eq!(
        handed.borrow().parts,
        1,
        "shared with the late second worker"
    );
    let (one, _, _) = load_large(Second::None, &bytes).await;
    assert_eq!(state.store.rows, one.store.rows);
    assert_eq!(state.load, one.load);
}

/// Resolves after `ms` milliseconds.
async fn sleep_ms(ms: u32) {
    yew::platform::time::sleep(std::time::Duration::from_millis(u64::from(ms))).await;
}

/// `future`'s output, or `None` if it takes more than `ms` milliseconds.
async fn within<T>(ms: u32, future: impl Future<Output = T>) -> Option<T> {
    match future::select(Box::pin(future), Box::pin(sleep_ms(ms))).await {
        Either::Left((out, _)) => Some(out),
        Either::Right(_) => None,
    }
}

/// A second worker alone, the test playing the worker before it: its requests and reports,
/// once it said it is ready.
async fn second_worker_alone() -> (UnboundedSender<Request>, UnboundedReceiver<Report>) {
    let (requests, request_rx) = mpsc::unbounded();
    let (report_tx, mut reports) = mpsc::unbounded();
    wasm_bindgen_futures::spawn_local(serve_chain(
        Scope {
            out: report_tx,
            input: request_rx,
        },
        None::<SecondWorker>,
        1,
        TEST_SILENCE_MS,
    ));
    assert!(matches!(reports.next().await, Some(Report::Ready)));
    (requests, reports)
}

/// Hands the second worker a part of several slices and waits until it has decoded its first.
async fn part_under_way(
    requests: &UnboundedSender<Request>,
    reports: &mut UnboundedReceiver<Report>,
    job: u32,
    part: &web_sys::Blob,
) {
    requests
        .unbounded_send(Request::Part {
            job,
            blob: SourceBlob(part.clone()),
            evtx: None,
        })
        .unwrap();
    loop {
        match reports.next().await.expect("worker ended") {
            Report::Progress(p) if p.file == job => {
                assert!(!p.done, "the part must be under way");
                return;
            }
            _ => {}
        }
    }
}

/// The second worker's next answer about a hash, with the end of its part if it comes first;
/// `None` if it does not come within a few silences (the worker before would give it up).
async fn next_digested(
    reports: &mut UnboundedReceiver<Report>,
    part_ended: &mut Option<bool>,
) -> Option<(u32, Option<String>, bool)> {
    within(10 * TEST_SILENCE_MS, async {
        loop {
            match reports.next().await.expect("worker ended") {
                Report::Digested {
                    file,
                    sha256,
                    stopped,
                } => return (file, sha256, stopped),
                Report::PartEnd { complete, .. } => *part_ended = Some(complete),
                _ => {}
            }
        }
    })
    .await
}

/// The hashes for the report can be handed to the second worker while it still decodes a part
/// the worker before has just cancelled: the hash request is not lost with the part. Asked
/// behind the part's cancel, it is answered once the part stops; called back too (a cancel
/// after it, as when files are opened at once), it is answered `stopped` at once, not left for
/// the worker before to give the second worker up after a silence.
#[wasm_bindgen_test]
async fn a_hash_handed_on_while_the_second_worker_stops_a_part_is_still_answered() {
    let (requests, mut reports) = second_worker_alone().await;
    let part: web_sys::Blob = file("part.xml", &large_export(12 << 20)).into();
    let pasted: web_sys::Blob = file("pasted", EVENT_5059.as_bytes()).into();
    let inputs = || Request::DigestInputs {
        files: vec![(3, Some(SourceBlob(pasted.clone()))), (4, None)],
    };
    let hash = sha256_hex(EVENT_5059.as_bytes());

    // The part's cancel, then the hash: answered once the part stopped.
    part_under_way(&requests, &mut reports, 0, &part).await;
    requests.unbounded_send(Request::Cancel).unwrap();
    requests.unbounded_send(inputs()).unwrap();
    let mut ended = None;
    let first = next_digested(&mut reports, &mut ended).await;
    let second = next_digested(&mut reports, &mut ended).await;
    assert_eq!(ended, Some(false), "the part stopped first");
    assert_eq!(first, Some((3, Some(hash.clone()), false)));
    assert_eq!(second, Some((4, None, false)));

    // The part's cancel, the hash, and the hash called back: answered stopped at once.
    part_under_way(&requests, &mut reports, 1, &part).await;
    requests.unbounded_send(Request::Cancel).unwrap();
    requests.unbounded_send(inputs()).unwrap();
    requests.unbounded_send(Request::Cancel).unwrap();
    let mut ended = None;
    let first = next_digested(&mut reports, &mut ended).await;
    let second = next_digested(&mut reports, &mut ended).await;
    assert_eq!(
        first,
        Some((3, None, true)),
        "the hash called back is answered"
    );
    assert_eq!(second, Some((4, None, true)));

    // The second worker is still there, and hashes when asked again.
    requests.unbounded_send(inputs()).unwrap();
    let mut ended = None;
    let first = next_digested(&mut reports, &mut ended).await;
    assert_eq!(first, Some((3, Some(hash), false)));
}

/// An export asked while files load is answered even if the load is then cancelled: the
/// cancel drops the files still to read, not the export (whose buttons wait for its answer).
#[wasm_bindgen_test]
async fn an_export_asked_during_a_load_is_answered_after_a_cancel() {
    let (mut requests, mut reports, _) = start_worker_with(Second::None);
    pump(&mut AppState::new(), &mut reports, |s| s.load.ready).await;
    let large = large_export(12 << 20);
    requests
        .send(Request::Open {
            first_id: 0,
            files: vec![SourceFile(file("large.xml", &large))],
        })
        .await
        .unwrap();
    let row = loop {
        if let Report::Rows { batch, .. } = reports.next().await.expect("worker ended") {
            let batch = Batch::decode(&batch.to_vec()).unwrap();
            break batch.rows[0];
        }
    };
    let export = Request::Export {
        token: 7,
        shape: ExportShape::Csv,
        rows: vec![ExportRow {
            file: 0,
            start: row.byte_start,
            end: row.byte_end,
            findings: Vec::new(),
        }],
        names: vec!["large.xml".into()],
        event_names: Vec::new(),
    };
    requests.unbounded_send(export).unwrap();
    requests.unbounded_send(Request::Cancel).unwrap();
    let answered = within(10 * TEST_SILENCE_MS, async {
        let mut cancelled = false;
        loop {
            match reports.next().await.expect("worker ended") {
                Report::Progress(p) if p.done => cancelled = p.cancelled,
                Report::Exported {
                    token, text, lost, ..
                } => return (cancelled, token, lost, !text.is_empty()),
                _ => {}
            }
        }
    })
    .await;
    assert_eq!(
        answered,
        Some((true, 7, 0, true)),
        "answered after the cancelled load, with the row"
    );
}

/// A second worker that falls silent while hashing is given up after a silence measured from
/// its last word, however often the page asks other things meanwhile (moving through rows asks
/// for details): the page hears the hash stopped, asks again, and the first worker takes it.
#[wasm_bindgen_test]
async fn a_second_worker_silent_while_hashing_is_given_up_however_often_the_page_asks() {
    let (mut requests, mut reports, handed, mut state) = paste_with_a_mute_second_worker().await;
    let started = now_ms();
    let mut token = 1000;
    let mut stopped = 0;
    while state.load.files[0].sha256.is_none() {
        assert!(
            now_ms() - started < f64::from(10 * TEST_SILENCE_MS),
            "the silent second worker was never given up"
        );
        let Some(report) = within(100, reports.next()).await else {
            // A user moving through the rows.
            token += 1;
            let detail = Request::Detail {
                token,
                file: 0,
                start: 0,
                end: EVENT_5059.len() as u64,
            };
            requests.send(detail).await.unwrap();
            let timeline = Request::Timeline {
                token,
                sid: "S-1-5-18".into(),
            };
            requests.send(timeline).await.unwrap();
            continue;
        };
        let report = report.expect("worker ended");
        if matches!(report, Report::Detail(_) | Report::Timeline { .. }) {
            continue;
        }
        if matches!(report, Report::Digested { stopped: true, .. }) {
            stopped += 1;
        }
        for request in state.apply(Action::Report(report), 0.0) {
            requests.send(request).await.unwrap();
        }
    }
    assert_eq!(handed.borrow().digests, 1, "handed on once, never answered");
    assert_eq!(stopped, 1, "answered stopped once given up");
    let pasted = sha256_hex(EVENT_5059.as_bytes());
    assert_eq!(state.load.files[0].sha256, Some(pasted));
    assert!(!state.load.hashing());
}

#[wasm_bindgen_test]
fn detail_of_reads_utf16_slices() {
    let bytes: Vec<u8> = EVENT_5059
        .trim_end()
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    assert!(slice_text(&bytes).starts_with("<Event xmlns="));
    let mut detail = Detail::empty(1);
    detail_of(&bytes, &mut detail);
    assert_eq!(detail.event_id, 5059);
    assert_eq!(detail.fields.len(), 10);
    assert!(detail.error.is_none());
}

#[wasm_bindgen_test]
fn codec_carries_a_file_handle() {
    let request = Request::Open {
        first_id: 2,
        files: vec![SourceFile(file("a.xml", b"<Event/>"))],
    };
    let encoded = JsCodec::encode(request);
    // What postMessage would clone: a plain object holding the File itself.
    assert!(encoded.is_object());
    let Request::Open { first_id, files } = JsCodec::decode::<Request>(encoded) else {
        panic!("not an open request");
    };
    assert_eq!(first_id, 2);
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].0.name(), "a.xml");
    assert_eq!(files[0].0.size(), 8.0);
}

#[wasm_bindgen_test]
fn codec_carries_rows_as_one_buffer() {
    let (events, _, _) = keytrail::decoder::decode_all(&utf8_events(3));
    let mut builder = BatchBuilder::new();
    for ev in &events {
        builder.push(0, ev);
    }
    let bytes = builder.take().encode();
    let report = Report::Rows {
        generation: 0,
        batch: keytrail::web::protocol::Bytes::from_slice(&bytes),
    };
    let encoded = JsCodec::encode(report);
    let Report::Rows { batch, .. } = JsCodec::decode::<Report>(encoded) else {
        panic!("not rows");
    };
    assert_eq!(Batch::decode(&batch.to_vec()).unwrap().rows.len(), 3);
}

fn progress(file: u32, bytes: u64, events: u64, done: bool) -> Action {
    Action::Report(Report::Progress(Progress {
        file,
        bytes,
        events,
        new_problems: Vec::new(),
        problems: 0,
        skipped: 0,
        repaired: 0,
        done,
        cancelled: false,
        format: None,
    }))
}

#[wasm_bindgen_test]
fn state_adds_up_several_files() {
    let mut state = AppState::new();
    state.apply(Action::Report(Report::Ready), 0.0);
    state.apply(
        Action::Opened {
            first_id: 0,
            files: vec![("a.xml".into(), 100), ("b.xml".into(), 50)],
        },
        0.0,
    );
    let load = |s: &AppState| s.load.clone();
    assert!(load(&state).ready && load(&state).busy());
    state.apply(progress(1, 50, 4, true), 0.0);
    state.apply(progress(0, 60, 2, false), 0.0);
    let l = load(&state);
    assert_eq!((l.events(), l.bytes_read(), l.bytes_total()), (6, 110, 150));
    state.apply(progress(0, 100, 3, true), 0.0);
    assert_eq!(state.load.events(), 7);
    assert!(!state.load.busy());
    // A report for a file the page does not know is ignored.
    state.apply(progress(9, 1, 1, true), 0.0);
    assert_eq!(state.load.events(), 7);
}

#[wasm_bindgen_test]
fn the_report_holds_what_the_page_loaded_with_the_hashes_taken_after_the_load() {
    let mut state = synthetic(300);
    state.apply(
        Action::Opened {
            first_id: 0,
            files: vec![("a<b>.xml".into(), 100), ("c.evtx".into(), 40)],
        },
        0.0,
    );
    let Action::Report(Report::Progress(mut done)) = progress(0, 100, 300, true) else {
        unreachable!()
    };
    done.format = Some(keytrail::ingest::Format::Evtx);
    // While a file is still being read, nothing is hashed: hashing would slow the load.
    let asked = state.apply(Action::Report(Report::Progress(done)), 0.0);
    assert!(!asked.iter().any(|r| matches!(r, Request::Digest { .. })));
    // Nor does the report wait meanwhile: it may be opened while files load.
    assert!(!state.load.hashing());
    // Once the load is done, the worker is asked for every file's SHA-256, and the report's
    // button waits for them.
    let asked = state.apply(progress(1, 40, 0, true), 0.0);
    let digest: Vec<_> = asked
        .iter()
        .filter_map(|r| match r {
            Request::Digest { files } => Some(files.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(digest, [vec![0, 1]]);
    assert!(state.load.hashing());
    let digested = |file, sha256: Option<String>, stopped| {
        Action::Report(Report::Digested {
            file,
            sha256,
            stopped,
        })
    };
    // An answer nobody asked for (a load before a clear) is ignored.
    state.apply(digested(7, Some("cd".repeat(32)), false), 0.0);
    state.apply(digested(0, Some("ab".repeat(32)), false), 0.0);
    assert!(state.load.hashing());
    // Hashing stopped by new files: asked again once the page is idle.
    let again = state.apply(digested(1, None, true), 0.0);
    assert!(matches!(&again[..], [Request::Digest { files }] if files == &[1]));
    let none = state.apply(digested(1, None, false), 0.0);
    assert!(
        none.is_empty(),
        "a file the browser cannot read again is not asked for again"
    );
    assert!(!state.load.hashing());
    let html = state.report_html(keytrail::text::Lang::Ja, Some(0));
    assert!(html.contains(&format!("data-sha256>{}<", "ab".repeat(32))));
    assert!(!html.contains(&"cd".repeat(32)));
    assert!(html.contains("<td>a&lt;b&gt;.xml</td>") && html.contains("<td>.evtx</td>"));
    assert!(html.contains("<h2>検出結果</h2>") && !html.contains("<script"));
    assert!(html.contains("<tr data-total><th colspan=\"2\">合計</th><th class=\"n\">300</th>"));
}

/// A load that ends with a file the browser refused still asks for the other files' SHA-256,
/// and the report's button is drawn again when it starts and stops waiting; a worker that stops
/// leaves no file waiting for a hash.
#[wasm_bindgen_test]
fn a_load_ended_by_a_refused_file_hashes_the_others_and_a_stopped_worker_hashes_none() {
    let mut state = synthetic(10);
    state.apply(
        Action::Opened {
            first_id: 0,
            files: vec![("a.xml".into(), 100), ("b.xml".into(), 50)],
        },
        0.0,
    );
    state.apply(progress(0, 100, 10, true), 0.0);
    let before = state.versions();
    let asked = state.apply(
        Action::Report(Report::ReadFailed {
            file: 1,
            reason: "NotReadableError".into(),
        }),
        0.0,
    );
    assert!(matches!(&asked[..], [Request::Digest { files }] if files == &[0]));
    assert!(state.load.hashing());
    assert!(
        state
            .versions()
            .changed_since(before)
            .contains(Parts::TABLE),
        "the report's button is drawn waiting"
    );
    let before = state.versions();
    state.apply(Action::WorkerStopped, 0.0);
    assert!(!state.load.hashing(), "nothing is left to wait for");
    assert!(state
        .versions()
        .changed_since(before)
        .contains(Parts::TABLE));
    let html = state.report_html(keytrail::text::Lang::En, Some(0));
    assert!(!html.contains("data-sha256>"));
}

/// A state holding `n` synthetic rows: 4 accounts, events 5059/4624, times a minute apart.
fn synthetic(n: usize) -> AppState {
    let mut strings = Interner::new();
    let accounts: Vec<Sym> = [
        "CORP\\alice",
        "CORP\\bob",
        "CORP\\svc-backup",
        "CORP\\WS01$",
    ]
    .iter()
    .map(|a| strings.intern(a))
    .collect();
    let export = strings.intern("Export of persistent cryptographic key.");
    let keys: Vec<Sym> = (0..1000)
        .map(|i| strings.intern(&format!("le-key-{i:04}")))
        .collect();
    let rows = (0..n)
        .map(|i| Row {
            number: i as u64 + 1,
            time: 1_700_000_000_000_000_000 + (i as i64 * 7919 % n as i64) * 60_000_000_000,
            event_id: if i % 3 == 0 { 4624 } else { 5059 },
            record_id: i as u64,
            outcome: Some(if i % 17 == 0 {
                Outcome::Failure
            } else {
                Outcome::Success
            })
            .into(),
            account: accounts[i % 4],
            operation: if i % 3 == 0 { Sym::EMPTY } else { export },
            key_name: keys[i % 1000],
            ..Row::EMPTY
        })
        .collect();
    let mut state = AppState::new();
    state.store = Store {
        strings,
        rows,
        ..Store::default()
    };
    state.refresh_view(0.0);
    state
}

#[wasm_bindgen_test]
fn state_sorts_filters_selects_and_exports() {
    let mut state = synthetic(400);
    assert_eq!(state.table.view.len(), 400);
    state.apply(Action::SortBy(Column::Time), 0.0);
    let times: Vec<i64> = state
        .table
        .view
        .iter()
        .map(|&i| state.store.rows[i as usize].time)
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    state.apply(Action::SortBy(Column::Time), 0.0);
    assert!(state.table.sort.unwrap().descending);
    state.apply(Action::SortBy(Column::Time), 0.0);
    assert!(state.table.sort.is_none());
    let bob = state.store.strings.find("CORP\\bob").unwrap();
    state.apply(Action::ToggleAccount(bob), 0.0);
    assert_eq!(state.table.view.len(), 100);
    state.apply(Action::SetEventIds(vec![4624]), 0.0);
    assert!(state
        .table
        .view
        .iter()
        .all(|&i| state.store.rows[i as usize].event_id == 4624));
    state.apply(Action::SetText("le-key-0009".into()), 0.0);
    assert!(!state.table.view.is_empty());
    // Every filter still holds, the text in one of each row's columns.
    assert!(state.table.view.iter().all(|&i| {
        let r = &state.store.rows[i as usize];
        r.event_id == 4624
            && r.account == bob
            && r.syms()
                .into_iter()
                .any(|s| state.store.str(s).to_lowercase().contains("le-key-0009"))
    }));
    state.apply(Action::ResetFilter, 0.0);
    assert_eq!(state.table.view.len(), 400);
    state.apply(Action::SetOutcome(Some(Outcome::Failure)), 0.0);
    assert_eq!(state.table.view.len(), 400usize.div_ceil(17));
    // From the middle failure on, to the minute, as the filter's field gives it.
    let mut failures: Vec<i64> = state
        .table
        .view
        .iter()
        .map(|&i| state.store.rows[i as usize].time)
        .collect();
    failures.sort_unstable();
    let middle = failures[failures.len() / 2];
    let from = parse_time(&keytrail::web::state::format_minutes(middle)).unwrap();
    state.apply(Action::SetFrom(Some(from)), 0.0);
    let want = state
        .store
        .rows
        .iter()
        .filter(|r| {
            r.outcome.get() == Some(Outcome::Failure) && r.time != i64::MIN && r.time >= from
        })
        .count();
    assert!(want > 0 && want < 400usize.div_ceil(17), "{want}");
    assert_eq!(state.table.view.len(), want);
    assert!(state
        .table
        .view
        .iter()
        .all(|&i| state.store.rows[i as usize].time >= from));
    // Keyboard selection stays inside the view.
    state.apply(Action::SelectFirst, 0.0);
    state.apply(Action::MoveSelection(-5), 0.0);
    assert_eq!(state.selected_position(), Some(0));
    state.apply(Action::SelectLast, 0.0);
    state.apply(Action::MoveSelection(3), 0.0);
    assert_eq!(state.selected_position(), Some(state.table.view.len() - 1));
    // Opening the detail asks the worker for the row's bytes.
    let asked = state.apply(Action::OpenDetail, 0.0);
    assert!(matches!(asked.as_slice(), [Request::Detail { .. }]));
    // An export asks the worker for exactly the filtered rows, in the table's order, each with
    // the rules it matches; a second click waits for the first export.
    state.apply(Action::ResetFilter, 0.0);
    state.apply(Action::ToggleAccount(bob), 0.0);
    // The synthetic store was put in place without marking: mark it with the built-in rules.
    state.apply(
        Action::SetRules(keytrail::model::rules::RuleFile::new(
            keytrail::model::rules::presets(),
        )),
        0.0,
    );
    let asked = state.apply(Action::Export(ExportShape::Csv), 0.0);
    let [Request::Export {
        token, shape, rows, ..
    }] = asked.as_slice()
    else {
        panic!("{asked:?}");
    };
    assert_eq!(*shape, ExportShape::Csv);
    assert_eq!(rows.len(), 100);
    let view: Vec<(u64, u64)> = state
        .table
        .view
        .iter()
        .map(|&i| {
            let r = &state.store.rows[i as usize];
            (r.byte_start, r.byte_end)
        })
        .collect();
    let asked_rows: Vec<(u64, u64)> = rows.iter().map(|r| (r.start, r.end)).collect();
    assert_eq!(asked_rows, view);
    for (row, &i) in rows.iter().zip(&state.table.view) {
        let want: Vec<String> = state.rules_matched(i).map(|r| r.id.clone()).collect();
        assert_eq!(row.findings, want);
    }
    assert!(rows
        .iter()
        .any(|r| r.findings.iter().any(|f| f == "export-any")));
    assert!(state
        .apply(Action::Export(ExportShape::Ecs), 0.0)
        .is_empty());
    // The worker's answer is offered as a download once.
    let token = *token;
    state.apply(
        Action::Report(Report::Exported {
            token,
            shape: ExportShape::Csv,
            text: "file,event_id\r\n".into(),
            lost: 2,
        }),
        0.0,
    );
    let ready = state.table.export.ready.take().unwrap();
    assert_eq!(ready.name, "keytrail-events.csv");
    assert_eq!(state.table.export.lost, 2);
    assert!(state.table.export.waiting.is_none());
}

#[wasm_bindgen_test]
fn state_drops_rows_of_a_cleared_load() {
    let mut state = AppState::new();
    let (events, _, _) = keytrail::decoder::decode_all(&utf8_events(2));
    let mut builder = BatchBuilder::new();
    for ev in &events {
        builder.push(0, ev);
    }
    let batch = keytrail::web::protocol::Bytes::from_slice(&builder.take().encode());
    state.apply(Action::Clear, 0.0);
    // A batch sent before the worker saw the clear carries the old generation.
    state.apply(
        Action::Report(Report::Rows {
            generation: 0,
            batch: batch.clone(),
        }),
        0.0,
    );
    assert!(state.store.is_empty());
    state.apply(
        Action::Report(Report::Rows {
            generation: state.generation,
            batch,
        }),
        0.0,
    );
    assert_eq!(state.store.len(), 2);
}

/// Sort and filter over 1,000,000 rows in the browser: each gives the right rows. The times are
/// printed for BENCHMARKS.md (figures, not assertions: a test must not fail on a busy machine).
#[wasm_bindgen_test]
fn sort_and_filter_a_million_rows() {
    let mut state = synthetic(1_000_000);
    let store = state.store.clone();
    let mut time = |label: &str, action: Action| {
        let start = now_ms();
        state.apply(action, 0.0);
        let ms = now_ms() - start;
        console_log!(
            "{label}: {ms:.1} ms ({} rows shown)",
            state.table.view.len()
        );
        state.table.view.clone()
    };
    let by_time = time("sort by time", Action::SortBy(Column::Time));
    assert_eq!(by_time.len(), 1_000_000);
    let rows = |v: &[u32]| v.iter().map(|&i| i as usize).collect::<Vec<_>>();
    let store_rows = &store.rows;
    assert!(rows(&by_time)
        .windows(2)
        .all(|w| store_rows[w[0]].time <= store_rows[w[1]].time));
    let by_account = time("sort by account", Action::SortBy(Column::Account));
    assert_eq!(by_account.len(), 1_000_000);
    assert!(rows(&by_account).windows(2).all(|w| compare_text(
        store.str(store_rows[w[0]].account),
        store.str(store_rows[w[1]].account)
    )
    .is_le()));
    // 1,000 key names in turn: one row in a thousand has this one.
    let found = time(
        "search 'le-key-0042'",
        Action::SetText("le-key-0042".into()),
    );
    assert_eq!(found.len(), 1_000);
    assert!(found.iter().all(|&i| i % 1000 == 42));
    assert_eq!(
        time("clear search", Action::SetText(String::new())).len(),
        1_000_000
    );
    // Every third row is a 4624.
    let logons = time("filter event 4624", Action::SetEventIds(vec![4624]));
    assert_eq!(logons.len(), 333_334);
}

#[wasm_bindgen_test]
fn every_key_event_field_is_explained_in_both_languages() {
    let fields = [
        "SubjectUserSid",
        "SubjectUserName",
        "SubjectDomainName",
        "SubjectLogonId",
        "ProviderName",
        "AlgorithmName",
        "KeyName",
        "KeyType",
        "Operation",
        "ReturnCode",
        "KeyFilePath",
        "ProcessId",
        "ProcessCreationTime",
        "TargetUserSid",
        "TargetUserName",
        "TargetDomainName",
        "TargetLogonId",
        "LogonType",
        "WorkstationName",
        "IpAddress",
        "IpPort",
        "AuthenticationPackageName",
        "LogonProcessName",
        "ElevatedToken",
        "PrivilegeList",
    ];
    for name in fields
        .into_iter()
        .chain(keytrail::decoder::SysField::ALL.iter().map(|f| f.name()))
    {
        let note = explain::field(name).unwrap_or_else(|| panic!("{name} is not explained"));
        assert!(!note.get(Lang::En).is_empty() && !note.get(Lang::Ja).is_empty());
    }
    let algorithm = explain::field("AlgorithmName").unwrap();
    for needle in ["UNKNOWN", "521", "512"] {
        assert!(algorithm.en.contains(needle) && algorithm.ja.contains(needle));
    }
    assert!(explain::field("KeyName")
        .unwrap()
        .en
        .contains("certutil -store -user my"));
    for id in [5058, 5059, 5061, 4624, 4634, 4647, 4672] {
        let note = explain::event(id).unwrap();
        assert!(!note.advice.is_empty());
        assert!(keytrail::text::event_name(Lang::Ja, id).is_some());
    }
}

#[wasm_bindgen_test]
fn problems_are_translated_by_kind() {
    use keytrail::decoder::ProblemKind;
    let ja_of =
        |line: &keytrail::web::protocol::ProblemLine| Lang::Ja.catalogue().problem(&line.kind);
    let ja = Lang::Ja
        .catalogue()
        .problem(&ProblemKind::UndefinedEntity { name: "xxe".into() });
    assert!(ja.contains("&xxe;"), "{ja}");
    // An impossible date in TimeCreated: said in Japanese with the value as logged.
    let (_, problems, _) = keytrail::decoder::decode_all(
        b"<Event><System><EventID>1</EventID><TimeCreated SystemTime='2025-02-31T10:00:00Z'/></System></Event>",
    );
    let line = problem_line(&problems[0]);
    let ja = ja_of(&line);
    assert!(
        ja.contains("`2025-02-31T10:00:00Z` は日時として読めません"),
        "{ja}"
    );
    assert_eq!(Lang::from_tag("ja-JP"), Lang::Ja);
    assert_eq!(Lang::from_tag("en-GB"), Lang::En);
    assert_ne!(EN.load_sample, JA.load_sample);
    // Inputs that hold no event are described in Japanese from the problem's own values.
    let mut d = Decoder::new();
    let mut items = Vec::new();
    d.push(
        b"<project><modelVersion>4.0.0</modelVersion></project>",
        &mut items,
    );
    d.finish(&mut items);
    let Some(Item::Problem(p)) = items.first() else {
        panic!("no problem for other XML")
    };
    let line = problem_line(p);
    let ja = ja_of(&line);
    assert!(
        ja.contains("別の種類の XML") && ja.contains("<project>"),
        "{ja}"
    );
    assert!(!ja.contains("another kind"), "{ja}");
    for (bytes, word) in [
        (&b""[..], "空のファイル"),
        (&b"\x89PNG\r\n\x1a\n"[..], "PNG 画像"),
    ] {
        let mut items = Vec::new();
        let mut d = Decoder::new();
        d.push(bytes, &mut items);
        d.finish(&mut items);
        let Some(Item::Problem(p)) = items.first() else {
            panic!("no problem")
        };
        let line = problem_line(p);
        assert!(ja_of(&line).contains(word));
    }
}

/// The page's English problem text is the CLI's, place and skip note included; the Japanese one
/// says the same in Japanese; a refused batch is a typed problem with a code of its own.
#[wasm_bindgen_test]
fn the_page_words_problems_as_the_cli_in_english() {
    use keytrail::web::state::ShownProblem;
    use keytrail::web::view::problem_text;
    let (_, problems, _) = keytrail::decoder::decode_all(
        b"<Event><System><EventID>1</EventID></System><EventData><Data>a &xxe; b</Data></Event>\
          <Event><System><EventID>2</EventID></System></Event><Event><System>",
    );
    assert!(problems.len() >= 2, "{problems:?}");
    for problem in &problems {
        let shown = ShownProblem::File {
            file: 0,
            line: problem_line(problem),
        };
        assert_eq!(problem_text(&EN, &shown), problem.to_string());
        assert_eq!(shown.code(), problem.kind.code());
        let ja = problem_text(&JA, &shown);
        assert!(ja.starts_with("行 "), "{ja}");
        if problem.is_skip() {
            assert!(ja.ends_with(" (イベントをスキップ)"), "{ja}");
        }
    }
    let refused = keytrail::model::store::Batch::decode(b"nope").unwrap_err();
    let shown = ShownProblem::Batch(refused.clone());
    assert_eq!(shown.code(), "batch");
    assert_eq!(shown.file(), None);
    assert_eq!(problem_text(&EN, &shown), refused.to_string());
    // Both name the header the batches carry today.
    assert!(refused.to_string().contains("`KTB3`"));
    assert!(problem_text(&JA, &shown).contains("`KTB3`"));
}

#[wasm_bindgen_test]
fn decoded_values_have_japanese_words_of_our_own() {
    // The activity chart's bucket sizes too.
    let minute = 60_000_000_000_i64;
    assert_eq!(bucket_label(&EN, 5 * minute), "5 min");
    assert_eq!(bucket_label(&JA, 5 * minute), "5 分");
    assert_eq!(bucket_label(&JA, 60 * minute), "1 時間");
    assert_eq!(bucket_label(&EN, 24 * 60 * minute), "1 d");
    assert_eq!(bucket_label(&JA, 14 * 24 * 60 * minute), "2 週");
    let op = "Export of persistent cryptographic key.";
    assert_eq!(value_in(Lang::En, op), op);
    assert_eq!(value_in(Lang::Ja, op), "永続的な暗号キーのエクスポート");
    assert_eq!(value_in(Lang::Ja, "User key."), "ユーザー キー");
    // Every operation and key type of the key events has one.
    for code in (2456..=2459)
        .chain([2464, 2465, 2499, 2500, 2501])
        .chain(2480..=2486)
    {
        let english = keytrail::decoder::table::insertion_string(&format!("%%{code}")).unwrap();
        assert_ne!(value_in(Lang::Ja, english), english, "%%{code}");
    }
    assert_eq!(value_in(Lang::Ja, "RSA"), "RSA");
}

#[wasm_bindgen_test]
fn bidi_controls_are_shown_not_obeyed() {
    assert_eq!(
        visible("invoice-\u{202E}fdp.exe"),
        "invoice-⟨U+202E⟩fdp.exe"
    );
    assert_eq!(visible("\u{2067}x\u{2069}"), "⟨U+2067⟩x⟨U+2069⟩");
    assert!(matches!(
        visible("山田-署名"),
        std::borrow::Cow::Borrowed("山田-署名")
    ));
}

/// Waits until `done` holds: microtask by microtask, then letting the browser run other tasks
/// (a zero-delay timeout) in between, as a component may render after the current task. Never
/// waits for a fixed time.
async fn rendered(done: impl Fn() -> bool) -> bool {
    for _ in 0..100 {
        for _ in 0..100 {
            if done() {
                return true;
            }
            let tick = js_sys::Promise::resolve(&JsValue::NULL);
            wasm_bindgen_futures::JsFuture::from(tick).await.unwrap();
        }
        let next_task = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window()
                .unwrap()
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
                .unwrap();
        });
        wasm_bindgen_futures::JsFuture::from(next_task)
            .await
            .unwrap();
    }
    done()
}

#[wasm_bindgen_test]
async fn status_bar_shows_the_event_count() {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let mut state = AppState::new();
    state.apply(
        Action::Opened {
            first_id: 0,
            files: vec![("a.xml".into(), 2048)],
        },
        0.0,
    );
    state.apply(progress(0, 1024, 42, false), 0.0);
    let props = StatusBarProps {
        text: &EN,
        state: Shared::new(Rc::new(RefCell::new(state)), Parts::ALL),
    };
    let app = yew::Renderer::<StatusBar>::with_root_and_props(root.clone(), props).render();
    let count = || {
        root.query_selector("[data-testid=event-count]")
            .unwrap()
            .and_then(|e| e.text_content())
    };
    assert!(rendered(|| count().is_some()).await);
    assert_eq!(count().as_deref(), Some("42"));
    let bytes = root
        .query_selector("[data-testid=bytes-read]")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert_eq!(bytes, "read 1.0 KiB of 2.0 KiB");
    let progress = root.query_selector("progress").unwrap().unwrap();
    assert_eq!(progress.get_attribute("value").as_deref(), Some("1024"));
    app.destroy();
}

/// A computer account's long `DOMAIN\\name$` in the per-account chart: its label starts with the
/// domain (it was cut to `ORKGROUP\\…` on the left) and the full name is in its tooltip and its
/// accessible name.
#[wasm_bindgen_test]
async fn account_chart_labels_keep_the_start_of_long_names() {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let name = "WORKGROUP\\DESKTOP-K3M9Q2LT7$";
    let mut state = AppState::new();
    let account = state.store.strings.intern(name);
    let export = state
        .store
        .strings
        .intern("Export of persistent cryptographic key.");
    state.charts.bars = vec![AccountBars {
        account,
        total: 3,
        segments: vec![Segment {
            operation: export,
            outcome: Some(Outcome::Success),
            count: 3,
        }],
    }];
    let props = ChartProps {
        text: &EN,
        state: Shared::new(Rc::new(RefCell::new(state)), Parts::ALL),
        on_action: yew::Callback::noop(),
    };
    let app = yew::Renderer::<AccountChart>::with_root_and_props(root.clone(), props).render();
    let find = |sel: &str| root.query_selector(sel).unwrap();
    assert!(rendered(|| find("g.bar text.label").is_some()).await);
    let label = find("g.bar text.label").unwrap();
    let shown = label.first_child().unwrap().text_content().unwrap();
    assert!(
        shown == name || (shown.starts_with("WORKGROUP") && shown.contains('…')),
        "label shows {shown:?}"
    );
    let title = find("g.bar text.label title")
        .unwrap()
        .text_content()
        .unwrap();
    assert!(title.starts_with(name), "tooltip {title:?}");
    let bar = find("g.bar").unwrap();
    assert!(bar
        .get_attribute("aria-label")
        .is_some_and(|a| a.starts_with(name)));
    // Drawn rightwards from inside the left edge, so its start cannot fall outside the chart.
    assert_eq!(label.get_attribute("text-anchor").as_deref(), Some("start"));
    let x: f64 = label.get_attribute("x").unwrap().parse().unwrap();
    assert!(x >= 0.0);
    app.destroy();
}

/// A computer account's timeline (issue 17): 220 service logons that never end and two
/// interactive sessions that used a key. The two come first; the service logons fold into one
/// counted line; sessions with no logoff say so.
#[wasm_bindgen_test]
async fn session_timeline_puts_key_sessions_first_and_folds_service_logons() {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    const MINUTE: i64 = 60_000_000_000;
    let session = |ty: u64, name: &str, i: i64, logoff: Option<i64>| Session {
        computer: "DESKTOP-K3M9Q2LT7".into(),
        logon_id: 0x1000 + i as u64,
        logon_type: Some(ty),
        logon_type_name: Some(name.into()),
        logon_time: Some(i * MINUTE),
        logoff_time: logoff.map(|t| t * MINUTE),
        ..Session::default()
    };
    let mut sessions: Vec<Session> = (0..222).map(|i| session(5, "Service", i, None)).collect();
    sessions[40] = session(2, "Interactive", 40, Some(45));
    sessions[200] = session(2, "Interactive", 200, None);
    let tick = |session: usize, minute: i64| Tick {
        session,
        time: minute * MINUTE,
        failed: false,
    };
    let mut state = AppState::new();
    let account = state.store.strings.intern("WORKGROUP\\DESKTOP-K3M9Q2LT7$");
    state.charts.timeline = Some(TimelineState {
        account,
        token: 1,
        sessions: Some(sessions),
        ticks: vec![tick(40, 42), tick(200, 210)],
    });
    let props = FindingsProps {
        text: &EN,
        state: Shared::new(Rc::new(RefCell::new(state)), Parts::ALL),
        on_action: yew::Callback::noop(),
    };
    let app = yew::Renderer::<SessionTimeline>::with_root_and_props(root.clone(), props).render();
    let all = |sel: &str| {
        let list = root.query_selector_all(sel).unwrap();
        (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|n| n.dyn_into::<web_sys::Element>().ok())
            .collect::<Vec<_>>()
    };
    assert!(rendered(|| !all("[data-testid=session-lane]").is_empty()).await);
    // Only the two key sessions get lanes of their own, oldest first.
    let lanes = all("figure > .timeline-svg > [data-testid=session-lane]");
    let labels: Vec<String> = lanes
        .iter()
        .map(|l| {
            l.query_selector("title")
                .unwrap()
                .unwrap()
                .text_content()
                .unwrap()
        })
        .collect();
    assert_eq!(
        labels,
        [
            "DESKTOP-K3M9Q2LT7 · 2 Interactive",
            "DESKTOP-K3M9Q2LT7 · 2 Interactive"
        ]
    );
    assert_eq!(all("figure > .timeline-svg > .key-tick").len(), 2);
    // The second has no logoff: it says so and runs to the right edge with an arrow.
    assert_eq!(lanes[1].get_attribute("data-open").as_deref(), Some("true"));
    let note = lanes[1].query_selector(".open-note").unwrap().unwrap();
    assert_eq!(
        note.text_content().as_deref(),
        Some("no logoff in this export")
    );
    assert!(lanes[1].query_selector(".open-end").unwrap().is_some());
    assert!(lanes[0].query_selector(".open-note").unwrap().is_none());
    // One counted line for the service logons, closed until opened.
    let folds = all("[data-testid=session-fold]");
    assert_eq!(folds.len(), 1);
    assert_eq!(
        folds[0].get_attribute("data-sessions").as_deref(),
        Some("220")
    );
    assert!(!folds[0].has_attribute("open"));
    let summary = folds[0].query_selector("summary").unwrap().unwrap();
    assert_eq!(
        summary.text_content().as_deref(),
        Some("Service (5): 220 sessions · 220 with no logoff in this export")
    );
    assert_eq!(
        folds[0]
            .query_selector_all("[data-testid=session-lane]")
            .unwrap()
            .length(),
        220
    );
    app.destroy();
}

/// Events keytrail has no name for (4799, 5379, 4728…) show as their bare ID in the table and in
/// the event filter list, in both languages: no empty label, no stray separator.
#[wasm_bindgen_test]
async fn events_without_a_name_show_their_bare_id() {
    // IDs of other logs (7045, the Service Control Manager's) and the few Security IDs with no
    // published title (see facts_security_events.tsv) stay bare numbers.
    for lang in [Lang::En, Lang::Ja] {
        for id in [7045, 4797, 6417] {
            assert_eq!(event_label(lang, id), id.to_string());
        }
    }
    // The Security events the table once showed bare now have their names, in both languages.
    assert_eq!(
        event_label(Lang::En, 4728),
        "4728 A member was added to a security-enabled global group"
    );
    assert_eq!(
        event_label(Lang::Ja, 5379),
        "5379 資格情報マネージャーの資格情報が読み取られました"
    );
    assert_eq!(event_label(Lang::En, 5059), "5059 Key migration operation");
    for (text, known) in [
        (&EN, "5059 Key migration operation (1)"),
        (&JA, "5059 キー移行操作 (1)"),
    ] {
        let document = web_sys::window().unwrap().document().unwrap();
        let root = document.create_element("div").unwrap();
        document.body().unwrap().append_child(&root).unwrap();
        let mut state = AppState::new();
        state.charts.facets.event_ids = vec![(4797, 2), (5059, 1), (6417, 3), (7045, 5)];
        let props = FiltersProps {
            text,
            state: Shared::new(Rc::new(RefCell::new(state)), Parts::ALL),
            on_action: yew::Callback::noop(),
        };
        let app = yew::Renderer::<Filters>::with_root_and_props(root.clone(), props).render();
        let options = || {
            let list = root
                .query_selector_all("[data-testid=filter-event] option")
                .unwrap();
            (1..list.length())
                .filter_map(|i| list.item(i)?.text_content())
                .collect::<Vec<_>>()
        };
        let ok = rendered(|| options().len() == 4).await;
        assert!(ok, "options {:?}", options());
        assert_eq!(options(), ["4797 (2)", known, "6417 (3)", "7045 (5)"]);
        app.destroy();
    }
}

/// A 4624 (service logon of svc-backup, logon ID 0x5a1f3c on CA01), then two 5059 machine-key
/// exports: one by svc-backup in that session, one by SYSTEM.
fn session_export() -> Vec<u8> {
    let key = |user: &str, sid: &str, logon: &str, rec: u32| {
        format!(
            "<Event><System><EventID>5059</EventID><EventRecordID>{rec}</EventRecordID>\
             <Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime='2026-03-02T08:01:09Z'/>\
             <Computer>CA01.contoso.local</Computer></System><EventData>\
             <Data Name='SubjectUserSid'>{sid}</Data><Data Name='SubjectUserName'>{user}</Data>\
             <Data Name='SubjectDomainName'>CONTOSO</Data><Data Name='SubjectLogonId'>{logon}</Data>\
             <Data Name='ProviderName'>Microsoft Software Key Storage Provider</Data>\
             <Data Name='AlgorithmName'>RSA</Data><Data Name='KeyName'>CONTOSO-CA01-CA</Data>\
             <Data Name='KeyType'>%%2499</Data><Data Name='Operation'>%%2464</Data>\
             <Data Name='ReturnCode'>0x0</Data></EventData></Event>\n"
        )
    };
    let logon = "<Event><System><EventID>4624</EventID><EventRecordID>1</EventRecordID>\
         <TimeCreated SystemTime='2026-03-02T08:01:08.4421007Z'/><Computer>CA01.contoso.local</Computer></System>\
         <EventData><Data Name='SubjectUserSid'>S-1-5-18</Data><Data Name='SubjectLogonId'>0x3e7</Data>\
         <Data Name='TargetUserSid'>S-1-5-21-1-2-3-1121</Data><Data Name='TargetUserName'>svc-backup</Data>\
         <Data Name='TargetDomainName'>CONTOSO</Data><Data Name='TargetLogonId'>0x5a1f3c</Data>\
         <Data Name='LogonType'>5</Data><Data Name='LogonProcessName'>Advapi  </Data>\
         <Data Name='AuthenticationPackageName'>Negotiate</Data><Data Name='WorkstationName'>-</Data>\
         <Data Name='IpAddress'>-</Data></EventData></Event>\n";
    let mut text = logon.to_string();
    text += &key("svc-backup", "S-1-5-21-1-2-3-1121", "0x5a1f3c", 2);
    text += &key("CA01$", "S-1-5-18", "0x3e7", 3);
    text.into_bytes()
}

#[wasm_bindgen_test]
async fn findings_mark_rows_and_details_link_sessions() {
    let (mut requests, mut reports) = start_worker();
    let mut state = AppState::new();
    pump(&mut state, &mut reports, |s| s.load.ready).await;
    state.apply(
        Action::Opened {
            first_id: 0,
            files: vec![("ca.xml".into(), 0)],
        },
        0.0,
    );
    let bytes = session_export();
    requests
        .send(Request::Open {
            first_id: 0,
            files: vec![SourceFile(file("ca.xml", &bytes))],
        })
        .await
        .unwrap();
    pump(&mut state, &mut reports, |s| !s.load.busy()).await;
    assert_eq!(state.store.len(), 3);
    let rule = |id: &str| {
        state
            .rules
            .set
            .rules()
            .iter()
            .position(|r| r.id == id)
            .unwrap()
    };
    let machine = rule("machine-key-export-not-system");
    let exports = rule("export-any");
    // Both exports are exports; only svc-backup's is a machine-key export by a non-system account.
    assert_eq!(state.rules.tallies[exports].total, 2);
    assert_eq!(state.rules.tallies[machine].total, 1);
    state.apply(Action::FilterRule(machine), 0.0);
    assert_eq!(state.table.view, [1]);

    // Its detail links to the 4624 of its session; SYSTEM's is named.
    let detail = open_detail(&mut state, &mut requests, &mut reports, 0).await;
    let Some(SessionLink::Session(session)) = &detail.session else {
        panic!("not linked: {:?}", detail.session)
    };
    assert_eq!(session.logon_type, Some(5));
    assert_eq!(session.logon_type_name.as_deref(), Some("Service"));
    assert_eq!(session.authentication_package, "Negotiate");
    assert!(
        session.logon_time == keytrail::decoder::value::parse_time("2026-03-02T08:01:08.4421007Z"),
        "nanoseconds survive the codec"
    );

    state.apply(Action::FilterRule(machine), 0.0);
    let detail = open_detail(&mut state, &mut requests, &mut reports, 2).await;
    assert_eq!(
        detail.session,
        Some(SessionLink::WellKnown("SYSTEM session".into()))
    );

    // One account: its session timeline.
    let account = state.store.rows[1].account;
    for request in state.apply(Action::SetAccounts(vec![account]), 0.0) {
        requests.send(request).await.unwrap();
    }
    pump(&mut state, &mut reports, |s| {
        s.charts
            .timeline
            .as_ref()
            .is_some_and(|t| t.sessions.is_some())
    })
    .await;
    let sessions = state
        .charts
        .timeline
        .as_ref()
        .unwrap()
        .sessions
        .as_ref()
        .unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].account, "CONTOSO\\svc-backup");

    // New rules mark every row again; a broken rule changes nothing and says why.
    let only_system = keytrail::model::rules::RuleFile::from_json(
        r#"[{"id":"sys","accounts_deny":[{"exact":"S-1-5-18"}]}]"#,
    )
    .unwrap();
    state.apply(Action::SetRules(only_system), 0.0);
    assert_eq!(state.rules.tallies.len(), 1);
    // A 4624's account is the one that logged on (svc-backup), not the SYSTEM that reported it.
    assert_eq!(state.rules.tallies[0].total, 1);
    assert_eq!(state.store.findings, [0, 0, 1]);
    let broken =
        keytrail::model::rules::RuleFile::from_json(r#"[{"id":"x","key_names":[{"regex":"("}]}]"#)
            .unwrap();
    state.apply(Action::SetRules(broken), 0.0);
    let error = state.rules.error.clone().unwrap();
    assert_eq!(error.rule, "x");
    assert!(matches!(
        error.reason,
        keytrail::model::rules::RuleProblem::Regex { .. }
    ));
    // Worded by each language's catalogue: the CLI's English, and Japanese of its own around the
    // parser's words.
    assert!(Lang::En
        .catalogue()
        .rule_error(&error)
        .starts_with("rule `x`: "));
    let ja = Lang::Ja.catalogue().rule_error(&error);
    assert!(
        ja.starts_with("ルール `x`: 正規表現を使えません: 「"),
        "{ja}"
    );
    assert_eq!(state.rules.set.rules()[0].id, "sys");

    // Clear all keeps the rules in use (with nothing counted) and the worker, and nothing else.
    assert!(!state.table.filter.is_empty() && state.rules.error.is_some());
    let generation = state.generation;
    let asked = state.apply(Action::Clear, 0.0);
    assert!(matches!(asked[..], [Request::Clear { generation: g }] if g == generation + 1));
    assert_eq!(state.generation, generation + 1);
    assert_eq!(state.rules.set.rules()[0].id, "sys");
    assert_eq!(state.rules.tallies.len(), 1);
    assert_eq!(state.rules.tallies[0].total, 0);
    assert!(state.rules.error.is_none());
    assert!(state.load.ready && state.load.files.is_empty() && state.load.problems.is_empty());
    assert!(state.store.is_empty() && state.table.view.is_empty());
    assert!(state.table.filter.is_empty() && state.charts.timeline.is_none());
    assert!(state.charts.bars.is_empty() && state.detail.content.is_none());
}

/// Business hours in the browser: the zone's offsets come from the browser's own time zone
/// database (Intl), with the same answers the native build gets from jiff's.
#[wasm_bindgen_test]
fn time_zones_come_from_the_browser_with_daylight_saving_time() {
    use keytrail::model::zone::{local_zone, Zone};
    let t = |s: &str| keytrail::decoder::value::parse_time(s).unwrap() / 1_000_000_000;
    let ny = Zone::get("America/New_York").expect("the browser knows New York");
    assert_eq!(ny.offset_minutes(t("2026-03-08T06:59:59Z")), -300);
    assert_eq!(ny.offset_minutes(t("2026-03-08T07:00:00Z")), -240);
    assert_eq!(ny.offset_minutes(t("2026-11-01T06:00:00Z")), -300);
    // Every quarter hour of 2026, read through the per-day cache: EDT exactly from 8 March
    // 07:00 UTC to 1 November 06:00 UTC, whichever day was asked first.
    let (spring, autumn) = (t("2026-03-08T07:00:00Z"), t("2026-11-01T06:00:00Z"));
    let fresh = Zone::get("America/New_York").unwrap();
    let (first, quarters) = (t("2026-01-01T00:00:00Z"), 365 * 96);
    // Latest first, so that days are first asked at their end.
    for at in (0..quarters).rev().map(|q| first + q * 900) {
        let expected = if (spring..autumn).contains(&at) {
            -240
        } else {
            -300
        };
        assert_eq!(fresh.offset_minutes(at), expected, "at {at}");
        assert_eq!(fresh.offset_minutes(at + 899), expected, "at {}", at + 899);
    }
    let tokyo = Zone::get("Asia/Tokyo").unwrap();
    assert_eq!(tokyo.offset_minutes(t("2026-07-01T00:00:00Z")), 540);
    let adelaide = Zone::get("Australia/Adelaide").unwrap();
    assert_eq!(adelaide.offset_minutes(t("2026-01-15T00:00:00Z")), 630);
    assert!(Zone::get("Mars/Olympus_Mons").is_none());
    assert!(local_zone().is_some_and(|z| Zone::get(&z).is_some()));
    // The page's rules use them: 12:30 UTC on 9 March 2026 is 08:30 in New York, inside 8–18.
    let hours = keytrail::model::rules::Hours {
        time_zone: Some("America/New_York".into()),
        ..Default::default()
    };
    let set = keytrail::model::rules::RuleSet::compile(keytrail::model::rules::with_settings(
        keytrail::model::rules::presets(),
        "",
        &hours,
    ))
    .unwrap();
    let event = |time: &str| {
        let xml = format!(
            "<Event><System><EventID>5059</EventID><TimeCreated SystemTime='{time}'/><Computer>WS01</Computer>\
             </System><EventData><Data Name='SubjectUserSid'>S-1-5-21-1-2-3-1104</Data>\
             <Data Name='SubjectUserName'>alice</Data><Data Name='Operation'>%%2464</Data>\
             <Data Name='ReturnCode'>0x0</Data></EventData></Event>"
        );
        keytrail::decoder::decode_all(xml.as_bytes()).0.remove(0)
    };
    let off = |time: &str| {
        set.matches(&event(time))
            .iter()
            .any(|m| m.rule.id == "key-operations-off-hours")
    };
    assert!(!off("2026-03-09T12:30:00Z"));
    assert!(off("2026-03-02T12:30:00Z"), "07:30 EST, a week earlier");
}

/// Why a rule matched, on the Japanese page: Windows' values as logged, no English sentence.
#[wasm_bindgen_test]
fn rule_reasons_are_worded_in_japanese() {
    use keytrail::model::rules::{presets, Hours, RuleSet};
    use keytrail::text::reason_in;
    let xml = "<Event><System><EventID>5059</EventID><TimeCreated SystemTime='2026-03-07T23:15:00Z'/>\
               <Keywords>0x8010000000000000</Keywords><Computer>CA01</Computer></System><EventData>\
               <Data Name='SubjectUserSid'>S-1-5-21-1-2-3-1112</Data><Data Name='SubjectUserName'>svc-backup</Data>\
               <Data Name='SubjectDomainName'>CONTOSO</Data><Data Name='KeyName'>CONTOSO-CA01-CA</Data>\
               <Data Name='KeyType'>%%2499</Data><Data Name='Operation'>%%2464</Data>\
               <Data Name='ReturnCode'>0x80090010</Data></EventData></Event>";
    let event = keytrail::decoder::decode_all(xml.as_bytes()).0.remove(0);
    let list =
        keytrail::model::rules::with_settings(presets(), "CONTOSO-CA01-*", &Hours::default());
    let set = RuleSet::compile(list).unwrap();
    let matches = set.matches(&event);
    let ja: Vec<String> = matches
        .iter()
        .map(|m| reason_in(Lang::Ja, &m.reason))
        .collect();
    let en: Vec<String> = matches.iter().map(|m| m.reason.to_string()).collect();
    assert!(
        ja.iter()
            .any(|r| r.contains("永続的な暗号キーのエクスポート、マシン キー")),
        "{ja:?}"
    );
    assert!(
        ja.iter().any(|r| r.contains("失敗 (0x80090010 NTE_PERM)")),
        "{ja:?}"
    );
    assert!(
        ja.iter()
            .any(|r| r.contains("土曜 23 時台 (業務時間 08:00〜18:00 の外)")),
        "{ja:?}"
    );
    assert!(
        ja.iter().any(|r| r.contains("鍵 `CONTOSO-CA01-CA`")),
        "{ja:?}"
    );
    for r in &ja {
        for english in [
            "Export of",
            "failed",
            "outside",
            "machine key",
            "Access denied",
            " on Sat",
        ] {
            assert!(!r.contains(english), "{r}");
        }
        assert!(r.starts_with("5059 CONTOSO\\svc-backup: "), "{r}");
    }
    // English stays as the CLI words it.
    assert!(
        en.iter()
            .any(|r| r.ends_with("failed: 0x80090010 NTE_PERM: Access denied.")),
        "{en:?}"
    );
    // The page's English catalogue words reasons as the CLI does.
    let page: Vec<String> = matches
        .iter()
        .map(|m| reason_in(Lang::En, &m.reason))
        .collect();
    assert_eq!(page, en);
}

/// The built-in rules are worded by the catalogue, keyed by their ID; a user's own rule keeps its
/// words.
#[wasm_bindgen_test]
fn preset_rules_are_worded_by_the_catalogue() {
    use keytrail::model::rules::{presets, Preset, Rule};
    use keytrail::text::{rule_explanation, rule_title};
    for (rule, preset) in presets().iter().zip(Preset::ALL) {
        assert_eq!(rule_title(rule, Lang::En), preset.title());
        assert_eq!(
            rule.title,
            preset.title(),
            "the CLI prints the model's title"
        );
        let ja = rule_title(rule, Lang::Ja);
        assert!(!ja.is_empty() && !ja.is_ascii(), "{ja}");
        assert!(!rule_explanation(rule, Lang::En).is_empty());
        assert!(!rule_explanation(rule, Lang::Ja).is_ascii());
    }
    assert_eq!(
        rule_title(&presets()[0], Lang::Ja),
        "永続キーのエクスポート"
    );
    let own = Rule {
        id: "export-any".into(),
        title: "Our exports".into(),
        explanation: "Ours.".into(),
        ..Rule::default()
    };
    assert_eq!(rule_title(&own, Lang::Ja), "Our exports");
    assert_eq!(rule_explanation(&own, Lang::Ja), "Ours.");
    let own_ja = Rule {
        title_ja: "当社のエクスポート".into(),
        ..own
    };
    assert_eq!(rule_title(&own_ja, Lang::Ja), "当社のエクスポート");
}

/// The state times `query::select` with the clock it is given, never the browser's.
#[wasm_bindgen_test]
fn the_select_is_timed_with_the_clock_passed_in() {
    use keytrail::web::state::Clock;
    use std::sync::atomic::{AtomicU32, Ordering};
    static TICKS: AtomicU32 = AtomicU32::new(0);
    // Every reading is 7 ms after the one before.
    fn clock() -> f64 {
        f64::from(TICKS.fetch_add(7, Ordering::Relaxed))
    }
    let mut state = AppState::with_clock(Clock(clock));
    state.apply(Action::SetText("x".into()), 0.0);
    assert_eq!(state.table.last_select_ms, Some(7.0));
    // The default clock stands still.
    let mut state = AppState::new();
    state.apply(Action::SetText("x".into()), 0.0);
    assert_eq!(state.table.last_select_ms, Some(0.0));
}

/// While loading, the charts (worked out from every row) are refreshed less often the longer
/// that takes: a refresh that took 100 ms is not repeated within 1 s, one of 10 ms still every
/// 800 ms; the end of the load refreshes them whatever the time.
#[wasm_bindgen_test]
fn slow_chart_refreshes_are_spaced_by_what_they_cost() {
    use keytrail::web::state::{Clock, REFRESH_MS, REFRESH_SHARE};
    use std::sync::atomic::{AtomicU32, Ordering};
    static TICK: AtomicU32 = AtomicU32::new(0);
    static STEP: AtomicU32 = AtomicU32::new(0);
    // Every reading is STEP ms after the one before: each piece of work timed costs STEP.
    fn clock() -> f64 {
        f64::from(TICK.fetch_add(STEP.load(Ordering::Relaxed), Ordering::Relaxed))
    }
    let refreshes = |step: u32, every: f64| {
        STEP.store(step, Ordering::Relaxed);
        let mut state = AppState::with_clock(Clock(clock));
        let alice = Sym(1);
        let mut at = Vec::new();
        for n in 0..40u32 {
            let now = f64::from(n) * every;
            let batch = Batch {
                first_string: if n == 0 { 1 } else { 2 },
                new_strings: if n == 0 {
                    vec!["CORP\\alice".into()]
                } else {
                    Vec::new()
                },
                rows: vec![
                    Row {
                        number: u64::from(n) + 1,
                        event_id: 5059,
                        account: alice,
                        ..Row::EMPTY
                    };
                    10
                ],
            };
            let before = state.versions();
            state.add_rows(batch, now).unwrap();
            if state
                .versions()
                .changed_since(before)
                .contains(Parts::CHARTS)
            {
                at.push(now);
            }
        }
        at
    };
    // Cheap: every 2 × REFRESH_MS (the first batch at once).
    let cheap = refreshes(10, 100.0);
    assert!(
        cheap.windows(2).all(|w| w[1] - w[0] >= REFRESH_MS * 2.0),
        "{cheap:?}"
    );
    assert!(
        cheap
            .windows(2)
            .any(|w| w[1] - w[0] < REFRESH_MS * 2.0 + 100.0),
        "{cheap:?}"
    );
    // Costly: each refresh of 200 ms is followed by at least 2 s without one.
    let costly = refreshes(200, 100.0);
    assert!(
        costly
            .windows(2)
            .all(|w| w[1] - w[0] >= 200.0 * REFRESH_SHARE),
        "{costly:?}"
    );
    assert!(costly.len() < cheap.len(), "{costly:?} against {cheap:?}");
}

/// Each action changes only the parts of the state it is about, so that a view showing other
/// parts is not drawn again: moving the selection or opening a detail leaves the charts and the
/// findings alone.
#[wasm_bindgen_test]
fn actions_change_only_their_parts() {
    let mut state = synthetic(400);
    let bob = state.store.strings.find("CORP\\bob").unwrap();
    let changed = |state: &mut AppState, action: Action| {
        let before = state.versions();
        state.apply(action, 0.0);
        state.versions().changed_since(before)
    };
    // Selection and detail: the table and the detail pane only.
    assert_eq!(changed(&mut state, Action::SelectFirst), Parts::TABLE);
    assert_eq!(changed(&mut state, Action::MoveSelection(3)), Parts::TABLE);
    // A file's SHA-256 nobody asked for (a load before a clear) draws nothing.
    let digested = Action::Report(Report::Digested {
        file: 0,
        sha256: None,
        stopped: true,
    });
    assert_eq!(changed(&mut state, digested), Parts::NONE);
    assert_eq!(changed(&mut state, Action::OpenDetail), Parts::DETAIL);
    assert_eq!(
        changed(&mut state, Action::MoveSelection(1)),
        Parts::TABLE | Parts::DETAIL
    );
    assert_eq!(
        changed(
            &mut state,
            Action::SelectAt {
                position: 7,
                open: true
            }
        ),
        Parts::TABLE | Parts::DETAIL
    );
    assert_eq!(changed(&mut state, Action::CloseDetail), Parts::DETAIL);
    assert_eq!(
        changed(&mut state, Action::SortBy(Column::Time)),
        Parts::TABLE
    );
    // A filter: its rows; the charts too when it is about accounts.
    assert_eq!(
        changed(&mut state, Action::SetText("le-key".into())),
        Parts::FILTER | Parts::TABLE
    );
    assert_eq!(
        changed(&mut state, Action::ToggleAccount(bob)),
        Parts::FILTER | Parts::TABLE | Parts::CHARTS
    );
    assert_eq!(
        changed(&mut state, Action::FilterRule(0)),
        Parts::FILTER | Parts::TABLE
    );
    // New rules mark the rows again (their flags are in the table).
    let file = state.rules.set.file();
    assert_eq!(
        changed(&mut state, Action::SetRules(file)),
        Parts::RULES | Parts::FILTER | Parts::TABLE
    );
    assert_eq!(changed(&mut state, Action::Cancel), Parts::NONE);
    assert_eq!(
        changed(&mut state, Action::Report(Report::Ready)),
        Parts::LOAD
    );
    assert_eq!(changed(&mut state, Action::Clear), Parts::ALL);
}

/// A component's handle on the state compares equal until a part it shows changes.
#[wasm_bindgen_test]
fn shared_handles_differ_only_when_their_parts_change() {
    let state = Rc::new(RefCell::new(synthetic(50)));
    let charts = || Shared::new(state.clone(), Parts::CHARTS | Parts::FILTER);
    let table = || Shared::new(state.clone(), Parts::TABLE);
    let (charts_before, table_before) = (charts(), table());
    state.borrow_mut().apply(Action::MoveSelection(2), 0.0);
    assert!(charts() == charts_before);
    assert!(table() != table_before);
    state.borrow_mut().apply(Action::SetText("x".into()), 0.0);
    assert!(charts() != charts_before);
}

/// Every key algorithm the decoder knows is described in each language: Japanese of keytrail's
/// own (with the key length the name fixes), English as the decoder and the exports word it.
#[wasm_bindgen_test]
fn every_key_algorithm_is_described_in_each_language() {
    for a in keytrail::decoder::table::algorithms() {
        let en = Lang::En.catalogue().algorithm(a.name).unwrap();
        assert_eq!(
            Some(en),
            keytrail::decoder::table::decode("AlgorithmName", a.name)
        );
        let ja = Lang::Ja.catalogue().algorithm(a.name).unwrap_or_default();
        assert!(!ja.is_empty() && !ja.is_ascii(), "{}: {ja}", a.name);
        if let Some(bits) = a.key_bits {
            assert!(ja.ends_with(&format!("({bits} ビット鍵)")), "{ja}");
        }
    }
    assert_eq!(Lang::Ja.catalogue().algorithm("SHA256"), None);
}

/// Why the detail pane cannot show an event travels as a value and is worded by each language.
#[wasm_bindgen_test]
fn detail_errors_are_worded_in_each_language() {
    use keytrail::web::protocol::DetailError;
    for error in [
        DetailError::FileGone,
        DetailError::NotDecoded,
        DetailError::Browser("NotReadableError".into()),
        DetailError::Closed,
    ] {
        let en = Lang::En.catalogue().detail_error(&error);
        let ja = Lang::Ja.catalogue().detail_error(&error);
        assert!(en.is_ascii() && !ja.is_ascii(), "{en} / {ja}");
    }
    let browser = DetailError::Browser("NotReadableError".into());
    assert!(Lang::Ja
        .catalogue()
        .detail_error(&browser)
        .contains("「NotReadableError」"));
}
