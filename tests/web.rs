#![cfg(target_arch = "wasm32")]
//! Browser tests (headless Chromium): the decoder, the worker's slice reader, the page state and
//! a component, all inside a real browser. Run with `scripts/test-web.sh` or
//! `cargo test --target wasm32-unknown-unknown --no-default-features --features web --test web`.

use std::rc::Rc;

use futures::channel::mpsc;
use futures::StreamExt;
use keytrail::decoder::{Decoder, Item};
use keytrail::web::codec::JsCodec;
use keytrail::web::protocol::{Progress, Report, Request, SourceFile};
use keytrail::web::state::{Action, LoadState};
use keytrail::web::text::EN;
use keytrail::web::view::{StatusBar, StatusBarProps};
use keytrail::web::worker::{decode_blob, FileDecoder};
use wasm_bindgen::JsValue;
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
    let mut last = None;
    let mut problems = Vec::new();
    for chunk in input.chunks(13) {
        let progress = file.push(chunk);
        problems.extend(progress.new_problems.clone());
        last = Some(progress);
    }
    let done = file.finish();
    problems.extend(done.new_problems.clone());
    assert!(last.is_some_and(|p| !p.done));
    assert_eq!(done.file, 7);
    assert!(done.done);
    assert_eq!(done.bytes, input.len() as u64);
    assert_eq!(done.events, 3);
    assert!(done.skipped >= 1, "{done:?}");
    assert_eq!(done.problems, problems.len() as u64);
}

/// A `File` made in the page, like the ones the file picker gives.
fn file(name: &str, bytes: &[u8]) -> web_sys::File {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    web_sys::File::new_with_u8_array_sequence(&parts, name).unwrap()
}

/// Runs the worker's slice reader on `bytes` in the page; returns every report.
async fn read_in_slices(bytes: &[u8], slice: u64) -> Vec<Progress> {
    let (mut tx, rx) = mpsc::unbounded();
    decode_blob(3, &file("t.xml", bytes), slice, &mut tx)
        .await
        .unwrap();
    drop(tx);
    rx.map(|report| match report {
        Report::Progress(p) => p,
        other => panic!("unexpected report {other:?}"),
    })
    .collect()
    .await
}

#[wasm_bindgen_test]
async fn blob_reader_decodes_utf16le_in_slices() {
    let input = utf16le_events(5);
    for slice in [1, 5, 1000, 4 * 1024 * 1024] {
        let reports = read_in_slices(&input, slice).await;
        let last = reports.last().unwrap();
        assert!(last.done);
        assert_eq!(last.events, 5, "slice {slice}");
        assert_eq!(last.bytes, input.len() as u64);
        assert_eq!(last.problems, 0);
        // One report per slice and a final one.
        let slices = (input.len() as u64).div_ceil(slice);
        assert_eq!(reports.len() as u64, slices + 1, "slice {slice}");
        assert!(reports.windows(2).all(|w| w[0].bytes <= w[1].bytes));
    }
}

#[wasm_bindgen_test]
async fn blob_reader_handles_an_empty_file() {
    let reports = read_in_slices(b"", 1024).await;
    assert_eq!(reports.len(), 1);
    assert!(reports[0].done);
    assert_eq!(reports[0].events, 0);
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
    let Request::Open { first_id, files } = JsCodec::decode::<Request>(encoded);
    assert_eq!(first_id, 2);
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].0.name(), "a.xml");
    assert_eq!(files[0].0.size(), 8.0);
}

fn progress(file: u32, bytes: u64, events: u64, done: bool) -> Action {
    Action::Report(Report::Progress(Progress {
        file,
        bytes,
        events,
        new_problems: Vec::new(),
        problems: 0,
        skipped: 0,
        done,
    }))
}

#[wasm_bindgen_test]
fn state_adds_up_several_files() {
    let mut state = LoadState::default();
    state.apply(Action::Report(Report::Ready));
    state.apply(Action::Opened {
        first_id: 0,
        files: vec![("a.xml".into(), 100), ("b.xml".into(), 50)],
    });
    assert!(state.ready && state.busy());
    state.apply(progress(1, 50, 4, true));
    state.apply(progress(0, 60, 2, false));
    assert_eq!(
        (state.events(), state.bytes_read(), state.bytes_total()),
        (6, 110, 150)
    );
    state.apply(progress(0, 100, 3, true));
    assert_eq!(state.events(), 7);
    assert!(!state.busy());
    // A report for a file the page does not know is ignored.
    state.apply(progress(9, 1, 1, true));
    assert_eq!(state.events(), 7);
}

/// Waits for the Yew scheduler to render: resolves pending microtasks until `done` holds.
async fn rendered(done: impl Fn() -> bool) -> bool {
    for _ in 0..1000 {
        if done() {
            return true;
        }
        let tick = js_sys::Promise::resolve(&JsValue::NULL);
        wasm_bindgen_futures::JsFuture::from(tick).await.unwrap();
    }
    done()
}

#[wasm_bindgen_test]
async fn status_bar_shows_the_event_count() {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let mut state = LoadState::default();
    state.apply(Action::Opened {
        first_id: 0,
        files: vec![("a.xml".into(), 2048)],
    });
    state.apply(progress(0, 1024, 42, false));
    let props = StatusBarProps {
        text: Rc::new(EN),
        state: Rc::new(state),
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
