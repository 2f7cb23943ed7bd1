//! The decoding worker: reads files in slices, turns events into compact rows and streams them
//! back to the page, with progress and problems; keeps every input so that one event can be
//! decoded again for the detail pane.

use std::collections::{HashMap, VecDeque};

use futures::future::{self, Either};
use futures::{FutureExt, Sink, SinkExt, Stream, StreamExt};
use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use yew_agent::reactor::{reactor, ReactorBridge, ReactorScope, ReactorSpawner};

use super::codec::JsCodec;
use super::protocol::{Bytes, Detail, Progress, Report, Request, SourceBlob, SourceFile};
use super::{blob_len, WORKER_PATH};
use crate::ingest::chain::{self, Part, PartReport, Split, SplitWindow};
pub use crate::ingest::chain::{BATCH_ROWS, FIRST_SLICE_BYTES, SLICE_BYTES, SPLIT_BYTES};
use crate::ingest::export::{ExportRow, Exporter};
pub use crate::ingest::file::{
    decoding_workers, detail_of, problem_line, session_link, slice_text, Collect, Collected,
    FileDecoder, MAX_DECODING_WORKERS,
};
use crate::ingest::{self, Reader};
use crate::model::session::SessionIndex;

/// How long the worker waits for its second worker to start before going on alone.
const HELPER_START_MS: u32 = 10_000;

/// How long the second worker may say nothing about its part (it reports after every slice, a
/// few times a second) before it is taken as gone (crashed, out of memory) and the first worker
/// decodes the rest itself.
pub const PART_SILENCE_MS: u32 = 30_000;

/// The reactor the page bridges to: see [`serve`]. The page's worker is the first of a chain of
/// [`decoding_workers`] workers: each starts the next (with `?part=N` in its address, `N` its
/// place in the chain) and hands it the part of a large file after its own share.
#[reactor]
pub async fn DecodeReactor(scope: ReactorScope<Request, Report>) {
    let (place, workers) = chain_place();
    let next = (place + 1 < workers)
        .then(|| spawn_worker(place + 1, workers))
        .flatten();
    serve_chain(scope, next, workers - place, PART_SILENCE_MS).await;
}

/// This worker's place in the chain (0 for the page's own worker) and how many workers the chain
/// has ([`chain::chain_place`]), from its address, `navigator.hardwareConcurrency` and whether
/// the browser can start workers from a worker.
fn chain_place() -> (u32, u32) {
    let global = js_sys::global();
    let get = |object: &JsValue, key: &str| Reflect::get(object, &JsValue::from_str(key)).ok();
    let search = get(&global, "location")
        .and_then(|location| get(&location, "search"))
        .and_then(|search| search.as_string())
        .unwrap_or_default();
    let cores = get(&global, "navigator")
        .and_then(|navigator| get(&navigator, "hardwareConcurrency"))
        .and_then(|n| n.as_f64())
        .unwrap_or(1.0);
    let can_start = get(&global, "Worker").is_some_and(|w| w.is_function());
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // a small count
    chain::chain_place(&search, cores as u32, can_start)
}

/// Starts the decoding worker at `place` in a chain of `workers`.
fn spawn_worker(place: u32, workers: u32) -> Option<ReactorBridge<DecodeReactor>> {
    Some(
        ReactorSpawner::<DecodeReactor>::new()
            .encoding::<JsCodec>()
            .with_loader(true)
            .as_module(false)
            .spawn(&format!("{WORKER_PATH}?part={place}&workers={workers}")),
    )
}

/// The page's end of the bridge as the worker sees it: the reactor scope, or a test's channel.
pub trait PageChannel: Sink<Report> + Stream<Item = Request> + Unpin {}
impl<T: Sink<Report> + Stream<Item = Request> + Unpin> PageChannel for T {}

/// The next worker's bridge as this one sees it.
pub trait PartChannel: Sink<Request> + Stream<Item = Report> + Unpin {}
impl<T: Sink<Request> + Stream<Item = Report> + Unpin> PartChannel for T {}

/// An input the worker keeps until the page clears everything.
#[derive(Debug, Clone)]
enum Source {
    /// A file (or the bundled sample) read in slices.
    Blob(web_sys::Blob),
    /// Pasted text, as UTF-8.
    Text(Vec<u8>),
}

/// The worker's memory: the inputs by file number, what the current load collected, and the
/// second worker if there is one.
struct Session<H> {
    sources: HashMap<u32, Source>,
    collected: Collected,
    generation: u32,
    queue: VecDeque<Request>,
    helper: Option<Helper<H>>,
    /// Workers in the chain from this one on, itself included: a large file keeps `1/chain` of
    /// what is left here and hands the rest on (see [`SplitWindow`]).
    chain: u32,
    /// See [`PART_SILENCE_MS`].
    part_silence_ms: u32,
}

/// The second worker, as the first sees it: a channel and the number of the next part.
struct Helper<H> {
    channel: H,
    next_job: u32,
}

/// How reading one input ended.
enum Ended {
    /// Every byte was decoded.
    Complete,
    /// The user cancelled (or cleared): stop the rest of the request too.
    Cancelled,
}

/// The page closed the bridge: nobody listens any more.
#[derive(Debug)]
struct Closed;

/// Answers `channel`'s requests until it closes: sends [`Report::Ready`], then decodes every
/// file of every [`Request::Open`] (and every [`Request::Paste`]) one after the other, each with
/// its own [`Decoder`], streaming [`Report::Rows`] and [`Report::Progress`]. Between slices it
/// looks at new requests: [`Request::Cancel`] and [`Request::Clear`] stop the reading,
/// [`Request::Detail`] is answered at once, others wait their turn.
///
/// With a `helper` (a second worker serving [`Request::Part`]), a large file is decoded in two
/// halves at once: this worker reads up to an `<Event` near the middle while the helper decodes
/// the rest on its own; then, if nothing before that `<Event` was left open
/// ([`FileDecoder::boundary`]), the helper's rows, problems and sessions are joined to this
/// worker's as if it had decoded them itself ([`Part::join`]). If not, or if the helper fails,
/// this worker decodes the rest itself. Either way the page gets the same reports as from one
/// decoder. Where the file is split, and the joining, are [`chain`]'s; this is only the reading
/// and the messages.
pub async fn serve<C, H>(channel: C, helper: Option<H>)
where
    C: PageChannel,
    H: PartChannel,
{
    serve_with(channel, helper, PART_SILENCE_MS).await;
}

/// [`serve`], with how long the second worker may stay silent (see [`PART_SILENCE_MS`]).
pub async fn serve_with<C, H>(channel: C, helper: Option<H>, part_silence_ms: u32)
where
    C: PageChannel,
    H: PartChannel,
{
    let chain = if helper.is_some() { 2 } else { 1 };
    serve_chain(channel, helper, chain, part_silence_ms).await;
}

/// [`serve_with`] in a chain of `chain` workers from this one on (itself included): a large
/// file keeps `1/chain` of what is left here and the `helper` (the next worker, itself a chain
/// of `chain - 1`) gets the rest, so that the chain shares the file evenly. Each worker joins
/// the part of the next as if it had decoded it itself, so the page sees one decoder.
pub async fn serve_chain<C, H>(mut channel: C, helper: Option<H>, chain: u32, part_silence_ms: u32)
where
    C: PageChannel,
    H: PartChannel,
{
    chain::warm_up();
    let helper = match helper {
        Some(helper) => started(helper).await,
        None => None,
    };
    if channel.send(Report::Ready).await.is_err() {
        return;
    }
    let mut session = Session {
        sources: HashMap::new(),
        collected: Collected::default(),
        generation: 0,
        queue: VecDeque::new(),
        chain: if helper.is_some() { chain.max(2) } else { 1 },
        helper,
        part_silence_ms,
    };
    loop {
        let request = match session.queue.pop_front() {
            Some(request) => request,
            None => match channel.next().await {
                Some(request) => request,
                None => return,
            },
        };
        if handle(request, &mut session, &mut channel).await.is_err() {
            return;
        }
    }
}

/// The helper, once it said it is ready; `None` if it does not within [`HELPER_START_MS`].
async fn started<H>(mut channel: H) -> Option<Helper<H>>
where
    H: Stream<Item = Report> + Unpin,
{
    match future::select(channel.next(), Box::pin(sleep(HELPER_START_MS))).await {
        Either::Left((Some(Report::Ready), _)) => Some(Helper {
            channel,
            next_job: 0,
        }),
        _ => None,
    }
}

/// Resolves after `ms` milliseconds (`setTimeout`, in a worker or a page).
async fn sleep(ms: u32) {
    yew::platform::time::sleep(std::time::Duration::from_millis(u64::from(ms))).await;
}

async fn handle<C, H>(
    request: Request,
    session: &mut Session<H>,
    channel: &mut C,
) -> Result<(), Closed>
where
    C: PageChannel,
    H: PartChannel,
{
    match request {
        Request::Open { first_id, files } => {
            let ids: Vec<u32> = (first_id..).take(files.len()).collect();
            for (&id, SourceFile(file)) in ids.iter().zip(files) {
                session.sources.insert(id, Source::Blob(file.into()));
            }
            decode_all(&ids, session, channel).await
        }
        Request::Paste { id, text } => {
            session.sources.insert(id, Source::Text(text.into_bytes()));
            decode_all(&[id], session, channel).await
        }
        Request::Part {
            job,
            blob: SourceBlob(blob),
            evtx,
        } => decode_part(job, blob, evtx, session, channel).await,
        Request::Cancel => Ok(()),
        Request::Clear { generation } => {
            clear(session, generation);
            Ok(())
        }
        request @ (Request::Detail { .. } | Request::Timeline { .. }) => {
            match answer(request, session).await {
                Some(report) => send(channel, report).await,
                None => Ok(()),
            }
        }
        Request::Export {
            token,
            csv,
            rows,
            names,
        } => {
            let report = export(&session.sources, token, csv, rows, names).await;
            send(channel, report).await
        }
    }
}

/// Answers [`Request::Export`]: reads the windows [`Exporter`] plans, one after the other (a
/// file that is gone or refused gives no bytes: its rows are counted as lost).
async fn export(
    sources: &HashMap<u32, Source>,
    token: u32,
    csv: bool,
    rows: Vec<ExportRow>,
    names: Vec<String>,
) -> Report {
    let mut exporter = Exporter::new(rows, names, csv);
    while let Some((file, range)) = exporter.next_read() {
        let bytes = match sources.get(&file) {
            Some(source) => read(source, range.start, range.end)
                .await
                .unwrap_or_default(),
            None => Vec::new(),
        };
        exporter.take(&bytes);
    }
    let (text, lost) = exporter.finish();
    Report::Exported {
        token,
        csv,
        text,
        lost: u32::try_from(lost).unwrap_or(u32::MAX),
    }
}

/// The second worker's side of a split file: decodes the part as a file of its own (numbered
/// `job`), then sends its sessions and whether it got to the end.
async fn decode_part<C, H>(
    job: u32,
    blob: web_sys::Blob,
    evtx: Option<ingest::EvtxPart>,
    session: &mut Session<H>,
    channel: &mut C,
) -> Result<(), Closed>
where
    C: PageChannel,
    H: PartChannel,
{
    let source = Source::Blob(blob);
    session.collected = Collected::default();
    session.generation = job;
    let reader = evtx.map_or_else(Reader::new, Reader::evtx_part);
    let complete = match decode_source(job, &source, reader, session, channel).await {
        Ok(Ended::Complete) => true,
        Ok(Ended::Cancelled) => false,
        Err(ReadError::Browser(reason)) => {
            send(channel, Report::ReadFailed { file: job, reason }).await?;
            false
        }
        Err(ReadError::Closed) => return Err(Closed),
    };
    let sessions = std::mem::take(&mut session.collected.sessions).into_parts();
    session.collected = Collected::default();
    send(
        channel,
        Report::PartEnd {
            job,
            complete,
            sessions,
        },
    )
    .await
}

/// Answers a question about what is loaded ([`Request::Detail`], [`Request::Timeline`]);
/// other requests are not questions.
async fn answer<H>(request: Request, session: &mut Session<H>) -> Option<Report> {
    Some(match request {
        Request::Timeline { token, sid } => {
            let sessions = session
                .collected
                .sessions
                .timeline(&sid)
                .into_iter()
                .cloned()
                .collect();
            Report::Timeline {
                token,
                sid,
                sessions,
            }
        }
        Request::Detail {
            token,
            file,
            start,
            end,
        } => {
            let source = session.sources.get(&file);
            let detail = detail(source, token, start, end, &mut session.collected.sessions).await;
            Report::Detail(Box::new(detail))
        }
        _ => return None,
    })
}

fn clear<H>(session: &mut Session<H>, generation: u32) {
    session.sources.clear();
    session.collected = Collected::default();
    session.generation = generation;
    session
        .queue
        .retain(|r| !matches!(r, Request::Open { .. } | Request::Paste { .. }));
}

async fn send<C>(channel: &mut C, report: Report) -> Result<(), Closed>
where
    C: Sink<Report> + Unpin,
{
    channel.send(report).await.map_err(|_| Closed)
}

/// Decodes the inputs `ids` in order; after a cancel, the rest are reported cancelled.
async fn decode_all<C, H>(
    ids: &[u32],
    session: &mut Session<H>,
    channel: &mut C,
) -> Result<(), Closed>
where
    C: PageChannel,
    H: PartChannel,
{
    let mut cancelled = false;
    for (n, &id) in ids.iter().enumerate() {
        // Between files too, a cancel or a clear sent meanwhile is seen.
        if n > 0 && !cancelled {
            yield_to_event_loop().await;
            cancelled = match interrupted(session, channel).await {
                Ok(stop) => stop,
                Err(_) => return Err(Closed),
            };
        }
        if cancelled {
            send(channel, Report::Progress(chain::cancelled_progress(id))).await?;
            continue;
        }
        let Some(source) = session.sources.get(&id).cloned() else {
            continue;
        };
        match decode_source(id, &source, Reader::new(), session, channel).await {
            Ok(Ended::Complete) => {}
            Ok(Ended::Cancelled) => cancelled = true,
            Err(ReadError::Browser(reason)) => {
                send(channel, Report::ReadFailed { file: id, reason }).await?;
            }
            Err(ReadError::Closed) => return Err(Closed),
        }
    }
    Ok(())
}

/// Why a file stopped being read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// The browser refused to read a slice.
    Browser(String),
    /// The page closed the bridge.
    Closed,
}

/// Reads one input in slices, sending rows and progress, and watching for new requests; a
/// large file is split with the second worker (see [`serve`]).
async fn decode_source<C, H>(
    id: u32,
    source: &Source,
    reader: Reader,
    session: &mut Session<H>,
    channel: &mut C,
) -> Result<Ended, ReadError>
where
    C: PageChannel,
    H: PartChannel,
{
    let mut decoder = FileDecoder::with_reader(id, reader);
    let size = match source {
        Source::Blob(blob) => blob_len(blob),
        Source::Text(bytes) => bytes.len() as u64,
    };
    let first = chain::first_slice(size);
    let mut from = 0;
    let mut part = None;
    if first < size {
        // Where a large file splits is read while its first slice is.
        let window = split_window(source, first..size, session);
        if let Ended::Cancelled =
            read_range(&mut decoder, source, 0..first, session, channel, None).await?
        {
            return Ok(Ended::Cancelled);
        }
        from = first;
        // An .evtx file splits at a chunk; XML at an `<Event` found in the window.
        if let Some((window, bytes)) = window {
            let split = match window.evtx(&decoder) {
                Some(split) => Some(split),
                None => bytes
                    .finish()
                    .await
                    .ok()
                    .and_then(|b| window.xml(&decoder, &b)),
            };
            if let Some(split) = split {
                part = send_part(source, split, session).await;
            }
        }
    }
    if let Some(mut part) = part {
        let read = read_range(
            &mut decoder,
            source,
            from..part.at,
            session,
            channel,
            Some(&mut part),
        )
        .await;
        if !matches!(read, Ok(Ended::Complete)) {
            stop_part(session).await;
            return read;
        }
        match join_part(&mut decoder, part, session, channel).await? {
            Joined::Done => return Ok(Ended::Complete),
            Joined::Cancelled => return Ok(Ended::Cancelled),
            // Decode the rest here.
            Joined::Refused { at } => from = at,
        }
    }
    if let Ended::Cancelled =
        read_range(&mut decoder, source, from..size, session, channel, None).await?
    {
        return Ok(Ended::Cancelled);
    }
    let generation = session.generation;
    let progress = decoder.finish(&mut session.collected);
    flush(session, generation, channel).await?;
    send_progress(channel, progress).await?;
    Ok(Ended::Complete)
}

async fn send_progress<C>(channel: &mut C, progress: Progress) -> Result<(), ReadError>
where
    C: Sink<Report> + Unpin,
{
    channel
        .send(Report::Progress(progress))
        .await
        .map_err(|_| ReadError::Closed)
}

/// Decodes bytes `range` of `source` in slices ([`chain::slices`], the next one read while this
/// one is decoded), sending rows and progress after each; between slices, gives the event loop a
/// turn and looks at new requests (a cancel ends the file, reported cancelled). With a `part`
/// under way in the second worker, its reports are collected and its bytes counted in the
/// progress.
async fn read_range<C, H>(
    decoder: &mut FileDecoder,
    source: &Source,
    range: std::ops::Range<u64>,
    session: &mut Session<H>,
    channel: &mut C,
    mut part: Option<&mut Part<Bytes>>,
) -> Result<Ended, ReadError>
where
    C: PageChannel,
    H: PartChannel,
{
    let mut slices = chain::slices(range);
    let mut next = slices.next().map(|s| start_read(source, s.start, s.end));
    while let Some(pending) = next.take() {
        let slice = pending.finish().await?;
        next = slices.next().map(|s| start_read(source, s.start, s.end));
        let generation = session.generation;
        for batch in chain::feed(decoder, &slice, &mut session.collected) {
            send_rows(channel, generation, &batch).await?;
        }
        if let (Some(part), Some(helper)) = (part.as_deref_mut(), session.helper.as_mut()) {
            while let Some(Some(report)) = helper.channel.next().now_or_never() {
                collect(part, report);
            }
        }
        let progress = match part.as_deref() {
            Some(part) => part.progress(decoder),
            None => decoder.take(),
        };
        send_progress(channel, progress).await?;
        if next.is_some() {
            // With the next slice already read, nothing above gave the event loop a turn:
            // without one, a cancel or a detail request sent meanwhile would wait for the end.
            yield_to_event_loop().await;
            if interrupted(session, channel).await? {
                send_progress(channel, decoder.cancelled()).await?;
                return Ok(Ended::Cancelled);
            }
        }
    }
    Ok(Ended::Complete)
}

/// Keeps one report of the second worker about `part` ([`Part::collect`]); says whether it was
/// progress.
fn collect(part: &mut Part<Bytes>, report: Report) -> bool {
    let report = match report {
        Report::Rows { generation, batch } => PartReport::Rows { generation, batch },
        Report::Progress(p) => PartReport::Progress(p),
        Report::ReadFailed { file, .. } => PartReport::ReadFailed { file },
        Report::PartEnd {
            job,
            complete,
            sessions,
        } => PartReport::End {
            job,
            complete,
            sessions,
        },
        _ => return false,
    };
    part.collect(report)
}

/// Starts reading the window where bytes `range` of `source` would be split ([`SplitWindow`]),
/// if there is a next worker to share them with.
fn split_window<H>(
    source: &Source,
    range: std::ops::Range<u64>,
    session: &Session<H>,
) -> Option<(SplitWindow, PendingRead)> {
    if !matches!(source, Source::Blob(_)) || session.helper.is_none() {
        return None;
    }
    let window = SplitWindow::new(range, session.chain)?;
    let bytes = window.bytes();
    Some((window, start_read(source, bytes.start, bytes.end)))
}

/// Hands bytes `split.at..split.end` of `source` on to the second worker (for an `.evtx` file,
/// with the chunks of `split.evtx`).
async fn send_part<H>(
    source: &Source,
    split: Split,
    session: &mut Session<H>,
) -> Option<Part<Bytes>>
where
    H: Sink<Request> + Unpin,
{
    let Source::Blob(blob) = source else {
        return None;
    };
    #[allow(clippy::cast_precision_loss)] // offsets are far below 2^53
    let rest = blob
        .slice_with_f64_and_f64(split.at as f64, split.end as f64)
        .ok()?;
    let helper = session.helper.as_mut()?;
    let job = helper.next_job;
    helper.next_job = helper.next_job.wrapping_add(1);
    let request = Request::Part {
        job,
        blob: SourceBlob(rest),
        evtx: split.evtx,
    };
    if helper.channel.send(request).await.is_err() {
        session.helper = None;
        return None;
    }
    Some(Part::new(job, split.at))
}

/// Tells the second worker to stop its part (this worker stopped or goes on alone).
async fn stop_part<H>(session: &mut Session<H>)
where
    H: Sink<Request> + Unpin,
{
    if let Some(helper) = session.helper.as_mut() {
        if helper.channel.send(Request::Cancel).await.is_err() {
            session.helper = None;
        }
    }
}

/// How joining the second worker's part ended.
enum Joined {
    /// Its rows, problems and sessions are joined; the file is done.
    Done,
    /// The user cancelled or cleared meanwhile.
    Cancelled,
    /// The part could not be joined: the file must be decoded on from `at` here.
    Refused { at: u64 },
}

/// Waits for the second worker's part (answering the page meanwhile) and joins it, if this
/// worker's decoder stopped cleanly where the part starts.
async fn join_part<C, H>(
    decoder: &mut FileDecoder,
    mut part: Part<Bytes>,
    session: &mut Session<H>,
    channel: &mut C,
) -> Result<Joined, ReadError>
where
    C: PageChannel,
    H: PartChannel,
{
    let refused = Joined::Refused { at: part.at };
    if decoder.boundary().is_none() {
        // The part cannot be joined ([`Part::join`]): no use waiting for it.
        stop_part(session).await;
        return Ok(refused);
    }
    while !part.ended() {
        let Some(helper) = session.helper.as_mut() else {
            return Ok(refused);
        };
        let silence = Box::pin(sleep(session.part_silence_ms));
        let either = future::select(helper.channel.next(), channel.next());
        let next = match future::select(either, silence).await {
            Either::Left((Either::Left((report, _)), _)) => Either::Left(report),
            Either::Left((Either::Right((request, _)), _)) => Either::Right(request),
            // Nothing from the second worker for that long: it is taken as gone.
            Either::Right(_) => {
                stop_part(session).await;
                session.helper = None;
                return Ok(refused);
            }
        };
        match next {
            // The page hears of the second worker's progress, not of each of its batches.
            Either::Left(Some(report)) => {
                if collect(&mut part, report) {
                    send_progress(channel, part.progress(decoder)).await?;
                }
            }
            // The second worker is gone.
            Either::Left(None) => {
                session.helper = None;
                return Ok(refused);
            }
            Either::Right(Some(request)) => {
                if take_request(request, session, channel).await? {
                    stop_part(session).await;
                    send_progress(channel, decoder.cancelled()).await?;
                    return Ok(Joined::Cancelled);
                }
            }
            Either::Right(None) => return Err(ReadError::Closed),
        }
    }
    let Some(mut joining) = part.join(decoder, Bytes::to_vec) else {
        return Ok(refused);
    };
    let generation = session.generation;
    while let Some(batch) = joining.next_batch(&mut session.collected) {
        send_rows(channel, generation, &batch).await?;
    }
    let progress = joining.finish(decoder, &mut session.collected);
    send_progress(channel, progress).await?;
    Ok(Joined::Done)
}

/// Lets the worker's event loop run one task, so that messages from the page are delivered;
/// awaiting a promise that has already settled only runs microtasks. A `MessageChannel` message
/// is a task without `setTimeout`'s clamping.
async fn yield_to_event_loop() {
    let Ok(pipe) = web_sys::MessageChannel::new() else {
        return;
    };
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        pipe.port1().set_onmessage(Some(resolve.unchecked_ref()));
        if pipe.port2().post_message(&JsValue::NULL).is_err() {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
    pipe.port1().set_onmessage(None);
}

/// Sends the rows waiting in the builder (if any).
async fn flush<C, H>(
    session: &mut Session<H>,
    generation: u32,
    channel: &mut C,
) -> Result<(), ReadError>
where
    C: Sink<Report> + Unpin,
{
    match chain::take_batch(&mut session.collected) {
        Some(batch) => send_rows(channel, generation, &batch).await,
        None => Ok(()),
    }
}

/// Sends one batch of rows of load `generation`.
async fn send_rows<C>(channel: &mut C, generation: u32, batch: &[u8]) -> Result<(), ReadError>
where
    C: Sink<Report> + Unpin,
{
    channel
        .send(Report::Rows {
            generation,
            batch: Bytes::from_slice(batch),
        })
        .await
        .map_err(|_| ReadError::Closed)
}

/// Takes the requests that arrived while reading (see [`take_request`]); says whether reading
/// must stop.
async fn interrupted<C, H>(session: &mut Session<H>, channel: &mut C) -> Result<bool, ReadError>
where
    C: PageChannel,
{
    let mut stop = false;
    while let Some(next) = channel.next().now_or_never() {
        let Some(request) = next else {
            return Err(ReadError::Closed);
        };
        stop |= take_request(request, session, channel).await?;
    }
    Ok(stop)
}

/// Takes one request that arrived while reading: answers details, queues opens and pastes,
/// and says whether reading must stop (cancel or clear).
async fn take_request<C, H>(
    request: Request,
    session: &mut Session<H>,
    channel: &mut C,
) -> Result<bool, ReadError>
where
    C: Sink<Report> + Unpin,
{
    match request {
        Request::Cancel => {
            // Everything asked before the cancel is cancelled too.
            let queued: Vec<u32> = session
                .queue
                .drain(..)
                .flat_map(|r| match r {
                    Request::Open { first_id, files } => {
                        (first_id..).take(files.len()).collect::<Vec<_>>()
                    }
                    Request::Paste { id, .. } => vec![id],
                    _ => Vec::new(),
                })
                .collect();
            for id in queued {
                send_progress(channel, chain::cancelled_progress(id)).await?;
            }
            Ok(true)
        }
        Request::Clear { generation } => {
            clear(session, generation);
            Ok(true)
        }
        request @ (Request::Detail { .. } | Request::Timeline { .. }) => {
            if let Some(report) = answer(request, session).await {
                channel.send(report).await.map_err(|_| ReadError::Closed)?;
            }
            Ok(false)
        }
        other => {
            session.queue.push_back(other);
            Ok(false)
        }
    }
}

/// Bytes `start..end` of an input.
async fn read(source: &Source, start: u64, end: u64) -> Result<Vec<u8>, ReadError> {
    start_read(source, start, end).finish().await
}

/// A slice being read: the browser starts reading a `Blob` slice as soon as it is asked.
enum PendingRead {
    /// Already here (pasted text, or the browser refused at once).
    Done(Result<Vec<u8>, ReadError>),
    /// The browser's `arrayBuffer()` promise.
    Blob(JsFuture),
}

impl PendingRead {
    async fn finish(self) -> Result<Vec<u8>, ReadError> {
        match self {
            Self::Done(r) => r,
            Self::Blob(future) => {
                let buffer = future
                    .await
                    .map_err(|err| ReadError::Browser(describe(&err)))?;
                Ok(js_sys::Uint8Array::new(&buffer).to_vec())
            }
        }
    }
}

/// Starts reading bytes `start..end` of `source`.
fn start_read(source: &Source, start: u64, end: u64) -> PendingRead {
    match source {
        Source::Text(bytes) => {
            let (s, e) = (to_usize(start), to_usize(end));
            PendingRead::Done(Ok(bytes.get(s..e.min(bytes.len())).unwrap_or(&[]).to_vec()))
        }
        Source::Blob(blob) => start_blob(blob, start, end),
    }
}

fn start_blob(blob: &web_sys::Blob, start: u64, end: u64) -> PendingRead {
    #[allow(clippy::cast_precision_loss)] // offsets are far below 2^53
    let (s, e) = (start as f64, end as f64);
    match blob.slice_with_f64_and_f64(s, e) {
        Ok(slice) => PendingRead::Blob(JsFuture::from(slice.array_buffer())),
        Err(err) => PendingRead::Done(Err(ReadError::Browser(describe(&err)))),
    }
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// The text of a JavaScript error value.
fn describe(err: &JsValue) -> String {
    if let Some(error) = err.dyn_ref::<js_sys::Error>() {
        String::from(error.message())
    } else {
        err.as_string().unwrap_or_else(|| format!("{err:?}"))
    }
}

/// Decodes bytes `start..end` of `source` on their own, for the detail pane, and links the
/// event to its logon session.
async fn detail(
    source: Option<&Source>,
    token: u32,
    start: u64,
    end: u64,
    sessions: &mut SessionIndex,
) -> Detail {
    let mut out = Detail::empty(token);
    let Some(source) = source else {
        out.error = Some("the file is no longer open".into());
        return out;
    };
    match event_bytes(source, start, end).await {
        Ok(Some(bytes)) => {
            if let Some(event) = detail_of(&bytes, &mut out) {
                out.session = session_link(sessions, &event);
            }
        }
        Ok(None) => out.error = Some("the event could not be decoded again".into()),
        Err(ReadError::Browser(reason)) => out.error = Some(reason),
        Err(ReadError::Closed) => out.error = Some("closed".into()),
    }
    out
}

/// The XML of the event at bytes `start..end` of `source`: those bytes in an XML file; in an
/// `.evtx` file, its record rendered again from the chunk that holds it.
async fn event_bytes(source: &Source, start: u64, end: u64) -> Result<Option<Vec<u8>>, ReadError> {
    let bytes = read(source, start, end).await?;
    if !ingest::is_evtx_record(&bytes) {
        return Ok(Some(bytes));
    }
    let chunk = ingest::evtx_chunk_of(start);
    let offset = start - chunk.start;
    let bytes = read(source, chunk.start, chunk.end).await?;
    Ok(ingest::record_xml(&bytes, offset).map(String::into_bytes))
}
