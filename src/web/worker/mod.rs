//! The decoding worker: reads files in slices, turns events into compact rows and streams them
//! back to the page, with progress and problems; keeps every input so that one event can be
//! decoded again for the detail pane.
//!
//! It holds only the browser's side: the requests and reports, the timers, the reading of
//! inputs (`source`), the next worker of the chain (`part`) and the SHA-256s for the report,
//! taken by the next worker when there is one (`digest`). What to read next, where a large
//! file is split and how the next worker's part is joined are [`chain`]'s, tested natively.

mod digest;
mod part;
mod source;

use std::collections::{HashMap, VecDeque};

use futures::future::{self, Either};
use futures::{FutureExt, Sink, SinkExt, Stream, StreamExt};
use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use yew_agent::reactor::{reactor, ReactorBridge, ReactorScope, ReactorSpawner};

use super::codec::JsCodec;
use super::protocol::{Bytes, Progress, Report, Request, SourceBlob, SourceFile};
use super::trace::Span;
use super::{now_ms, worker_url};
use crate::ingest::chain::{self, Part};
pub use crate::ingest::chain::{BATCH_ROWS, FIRST_SLICE_BYTES, SLICE_BYTES, SPLIT_BYTES};
use crate::ingest::export::Exporter;
pub use crate::ingest::file::{
    decoding_workers, detail_of, problem_line, session_link, slice_text, Collect, Collected,
    FileDecoder, MAX_DECODING_WORKERS,
};
use crate::ingest::Reader;
use part::{
    collect, decode_part, join_part, send_part, split_window, started, stop_part, Helper, Joined,
};
use source::{detail, export, start_read, Source};

/// How long the worker waits for its second worker to start before saying it is ready without
/// it (it takes it on once it is ready).
pub const HELPER_START_MS: u32 = 10_000;

/// How long the second worker may say nothing about its part (it reports after every slice, a
/// few times a second) before it is taken as gone (crashed, out of memory) and the first worker
/// decodes the rest itself.
pub const PART_SILENCE_MS: u32 = 30_000;

/// How long a worker waits on its next worker, in ms: tests shorten both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Waits {
    /// For it to say it is ready ([`HELPER_START_MS`]).
    pub start_ms: u32,
    /// For its next word while it has work ([`PART_SILENCE_MS`]).
    pub silence_ms: u32,
}

impl Default for Waits {
    fn default() -> Self {
        Waits {
            start_ms: HELPER_START_MS,
            silence_ms: PART_SILENCE_MS,
        }
    }
}

/// The reactor the page bridges to: see [`serve_chain`]. The page's worker is the first of a chain of
/// [`decoding_workers`] workers: each starts the next (with `?part=N` in its address, `N` its
/// place in the chain) and hands it the part of a large file after its own share.
#[reactor]
pub async fn DecodeReactor(scope: ReactorScope<Request, Report>) {
    let (place, workers) = chain_place();
    // The next worker, and any started later in its place, the same way.
    let mut respawn: Respawn<_> = Box::new(move || {
        (place + 1 < workers)
            .then(|| spawn_worker(place + 1, workers))
            .flatten()
    });
    let next = respawn();
    serve_chain_respawning(scope, next, respawn, workers - place, Waits::default()).await;
}

/// This worker's place in the chain (0 for the page's own worker) and how many workers the chain
/// has ([`chain::chain_place`]), from its address, `navigator.hardwareConcurrency` and whether
/// the browser can start workers from a worker.
fn chain_place() -> (u32, u32) {
    let global = js_sys::global();
    let get = |object: &JsValue, key: &str| Reflect::get(object, &JsValue::from_str(key)).ok();
    let search = super::worker_query();
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
            .spawn(&worker_url(&format!("part={place}&workers={workers}"))),
    )
}

/// The page's end of the bridge as the worker sees it: the reactor scope, or a test's channel.
pub trait PageChannel: Sink<Report> + Stream<Item = Request> + Unpin {}
impl<T: Sink<Report> + Stream<Item = Request> + Unpin> PageChannel for T {}

/// The next worker's bridge as this one sees it.
pub trait PartChannel: Sink<Request> + Stream<Item = Report> + Unpin {}
impl<T: Sink<Request> + Stream<Item = Report> + Unpin> PartChannel for T {}

/// Starts a new next worker in place of one given up ([`Session::lose_helper`]): the same
/// place in the chain, a fresh worker.
pub type Respawn<H> = Box<dyn FnMut() -> Option<H>>;

/// How many times in its life a worker starts a new next worker in place of one given up: one
/// that keeps going silent (out of memory on every large file) is not started for ever.
///
/// A worker given up is only let go (its bridge dropped, which asks it to close): the browser
/// gives a worker no way to stop another that no longer reads its messages (gloo's bridge keeps
/// the `Worker` to itself), so one that is stuck, not crashed, keeps its thread until the page
/// closes. Hence few replacements, not one per silence.
pub const RESPAWNS: u32 = 2;

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
    /// The files whose SHA-256 the next worker takes for the page ([`digest`]) and has not
    /// answered yet.
    handed: Vec<u32>,
    /// When ([`now_ms`]) the next worker last said anything while it hashes for the page, or
    /// was handed the hashes: its silence counts from then, not from the page's last request.
    heard: f64,
    /// A next worker started but not yet ready: slow to start, or started in place of one given
    /// up. It becomes the helper once it says it is ready ([`Session::take_started_helper`]).
    starting: Option<H>,
    /// See [`Respawn`].
    respawn: Respawn<H>,
    /// How many more times `respawn` is called ([`RESPAWNS`]).
    respawns_left: u32,
}

impl<H> Session<H> {
    /// Gives up the next worker (gone, or silent too long) and starts a new one in its place,
    /// unless [`RESPAWNS`] were started already: later large files are shared again once it is
    /// ready, instead of being decoded here alone for the rest of the session.
    fn lose_helper(&mut self) {
        self.helper = None;
        if self.starting.is_none() && self.respawns_left > 0 {
            self.respawns_left -= 1;
            self.starting = (self.respawn)();
        }
    }
}

impl<H: Stream<Item = Report> + Unpin> Session<H> {
    /// Makes a started next worker the helper if it has said it is ready (without waiting);
    /// forgets it if it ended instead.
    fn take_started_helper(&mut self) {
        if self.helper.is_some() {
            return;
        }
        let Some(starting) = self.starting.as_mut() else {
            return;
        };
        match starting.next().now_or_never() {
            // Not yet.
            None => {}
            Some(Some(Report::Ready)) => {
                self.helper = self.starting.take().map(Helper::new);
                self.chain = self.chain.max(2);
            }
            // It ended (or said something else first): another, if any are left.
            Some(_) => {
                self.starting = None;
                self.lose_helper();
            }
        }
    }
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
///
/// `chain` is the number of workers from this one on (itself included): a large file keeps
/// `1/chain` of what is left here and the `helper` (the next worker, itself a chain of
/// `chain - 1`) gets the rest, so that the chain shares the file evenly. Each worker joins
/// the part of the next as if it had decoded it itself, so the page sees one decoder.
pub async fn serve_chain<C, H>(channel: C, helper: Option<H>, chain: u32, part_silence_ms: u32)
where
    C: PageChannel,
    H: PartChannel + 'static,
{
    let waits = Waits {
        silence_ms: part_silence_ms,
        ..Waits::default()
    };
    serve_chain_respawning(channel, helper, Box::new(|| None), chain, waits).await;
}

/// [`serve_chain`], starting a new next worker with `respawn` in place of one given up (at most
/// [`RESPAWNS`] times), and waiting on the next worker as `waits` says. A next worker slow to
/// start is not given up: it is waited for `waits.start_ms`, then taken whenever it says it is
/// ready.
pub async fn serve_chain_respawning<C, H>(
    mut channel: C,
    helper: Option<H>,
    respawn: Respawn<H>,
    chain: u32,
    waits: Waits,
) where
    C: PageChannel,
    H: PartChannel,
{
    chain::warm_up();
    // A next worker that ended or said something else than ready is replaced at once.
    let (helper, starting, failed) = match helper {
        Some(helper) => match started(helper, waits.start_ms).await {
            Ok(helper) => (Some(helper), None, false),
            Err(starting) => {
                let failed = starting.is_none();
                (None, starting, failed)
            }
        },
        None => (None, None, false),
    };
    if channel.send(Report::Ready).await.is_err() {
        return;
    }
    let mut session = Session {
        sources: HashMap::new(),
        collected: Collected::default(),
        generation: 0,
        queue: VecDeque::new(),
        chain: if helper.is_some() || starting.is_some() {
            chain.max(2)
        } else {
            1
        },
        helper,
        part_silence_ms: waits.silence_ms,
        handed: Vec::new(),
        heard: 0.0,
        starting,
        respawn,
        respawns_left: RESPAWNS,
    };
    if failed {
        session.lose_helper();
    }
    loop {
        let request = match session.queue.pop_front() {
            Some(request) => request,
            None => match next_request(&mut session, &mut channel).await {
                Ok(Some(request)) => request,
                Ok(None) | Err(Closed) => return,
            },
        };
        if handle(request, &mut session, &mut channel).await.is_err() {
            return;
        }
    }
}

/// How long a next worker last heard at `heard` ([`now_ms`]) may still stay silent, of
/// `silence_ms`.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // within 0..=silence_ms
fn silence_left(heard: f64, silence_ms: u32) -> u32 {
    let left = f64::from(silence_ms) - (now_ms() - heard);
    left.clamp(0.0, f64::from(silence_ms)) as u32
}

/// Resolves after `ms` milliseconds (`setTimeout`, in a worker or a page).
async fn sleep(ms: u32) {
    yew::platform::time::sleep(std::time::Duration::from_millis(u64::from(ms))).await;
}

/// What came first while waiting on the next worker: a report of its (`None`: it is gone), a
/// request of the page's (`None`: it closed the bridge), or the end of the next worker's
/// allowed silence.
enum Heard {
    Helper(Option<Report>),
    Page(Option<Request>),
    Silent,
}

/// Waits for the next worker's report and, given the `page`, the page's request, for at most
/// what is left of `silence_ms` since the next worker was last `heard` ([`now_ms`]): the one
/// wait behind every silence rule ([`PART_SILENCE_MS`]).
async fn hear<C, H>(helper: &mut H, page: Option<&mut C>, heard: f64, silence_ms: u32) -> Heard
where
    C: PageChannel,
    H: PartChannel,
{
    let silence = Box::pin(sleep(silence_left(heard, silence_ms)));
    let page = match page {
        Some(page) => Either::Left(page.next()),
        None => Either::Right(future::pending()),
    };
    match future::select(future::select(helper.next(), page), silence).await {
        Either::Left((Either::Left((report, _)), _)) => Heard::Helper(report),
        Either::Left((Either::Right((request, _)), _)) => Heard::Page(request),
        Either::Right(_) => Heard::Silent,
    }
}

/// The page's next request (`None` once it closed the bridge). While the next worker hashes for
/// the page, its answers are passed on meanwhile ([`digest::relay`]); silent for
/// [`PART_SILENCE_MS`] since it last said anything, however often the page asks meanwhile, it
/// is given up ([`digest::give_up`]).
async fn next_request<C, H>(
    session: &mut Session<H>,
    channel: &mut C,
) -> Result<Option<Request>, Closed>
where
    C: PageChannel,
    H: PartChannel,
{
    loop {
        let helper = match session.helper.as_mut() {
            Some(helper) if !session.handed.is_empty() => helper,
            _ => return Ok(channel.next().await),
        };
        let (heard, silence) = (session.heard, session.part_silence_ms);
        match hear(&mut helper.channel, Some(&mut *channel), heard, silence).await {
            Heard::Helper(report) => digest::relay(report, session, channel).await?,
            Heard::Page(request) => return Ok(request),
            // Nothing from the next worker for that long: it is taken as gone.
            Heard::Silent => digest::give_up(session, channel).await?,
        }
    }
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
    session.take_started_helper();
    if matches!(
        request,
        Request::Open { .. } | Request::Paste { .. } | Request::Cancel | Request::Clear { .. }
    ) {
        // These come before a hash handed on, as before a hash taken here.
        digest::recall(session, channel).await?;
    }
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
        Request::Digest { files } => digest::digest(files, session, channel).await,
        Request::DigestInputs { files } => {
            let inputs = files
                .into_iter()
                .map(|(id, blob)| (id, blob.map(|SourceBlob(blob)| Source::Blob(blob))))
                .collect();
            digest::digest_all(inputs, true, session, channel).await
        }
        Request::Export {
            token,
            shape,
            rows,
            names,
            event_names,
        } => {
            let exporter = Exporter::new(rows, names, event_names, shape);
            let report = export(
                &session.sources,
                &mut session.collected.sessions,
                token,
                shape,
                exporter,
            )
            .await;
            send(channel, report).await
        }
    }
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
        // No SHA-256 while loading: it is taken after the load, for the report ([`digest`]).
        match decode_source(id, &source, Reader::unhashed(), session, channel).await {
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
/// large file is split with the second worker (see [`serve_chain`]).
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
    let size = source.len();
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
                    .and_then(|b| window.xml(decoder.encoding(), &b)),
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
        let slice = {
            let _span = Span::new("wait for slice");
            pending.finish().await?
        };
        next = slices.next().map(|s| start_read(source, s.start, s.end));
        let generation = session.generation;
        for (n, part) in slice.chunks(chain::PAUSE_BYTES).enumerate() {
            if n > 0 {
                // The next slice is read only while this thread is free (see chain::feed_part).
                yield_to_event_loop().await;
            }
            let mut batches = chain::feed_part(decoder, part, &mut session.collected);
            loop {
                let batch = {
                    let _span = Span::new("decode");
                    batches.next()
                };
                let Some(batch) = batch else { break };
                let _span = Span::new("send rows");
                send_rows(channel, generation, &batch).await?;
            }
        }
        if let Some(batch) = chain::take_batch(&mut session.collected) {
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

/// Takes one request that arrived while reading: answers details, queues the others (see
/// [`cancel_queued`] for what a cancel does with them), and says whether reading must stop
/// (cancel or clear).
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
            cancel_queued(session, channel).await?;
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

/// A cancel that arrived while reading: everything asked before it is cancelled too. Files to
/// open are answered cancelled and hashes `stopped` (the page, or the worker before, asks again
/// once idle), so that nobody waits for an answer that will not come; a part is dropped (the
/// worker before stopped it). An export is not reading: it stays queued, answered after.
async fn cancel_queued<C, H>(session: &mut Session<H>, channel: &mut C) -> Result<(), ReadError>
where
    C: Sink<Report> + Unpin,
{
    let mut answers = Vec::new();
    for request in std::mem::take(&mut session.queue) {
        match request {
            Request::Open { first_id, files } => answers.extend(
                (first_id..)
                    .take(files.len())
                    .map(|id| Report::Progress(chain::cancelled_progress(id))),
            ),
            Request::Paste { id, .. } => {
                answers.push(Report::Progress(chain::cancelled_progress(id)));
            }
            Request::Digest { files } => answers.extend(files.into_iter().map(digest::stopped)),
            Request::DigestInputs { files } => {
                answers.extend(files.into_iter().map(|(id, _)| digest::stopped(id)));
            }
            Request::Part { .. } => {}
            kept => session.queue.push_back(kept),
        }
    }
    for report in answers {
        channel.send(report).await.map_err(|_| ReadError::Closed)?;
    }
    Ok(())
}
