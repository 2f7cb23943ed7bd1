//! The decoding worker: reads files in slices, turns events into compact rows and streams them
//! back to the page, with progress and problems; keeps every input so that one event can be
//! decoded again for the detail pane.

use std::collections::{HashMap, VecDeque};

use futures::{FutureExt, Sink, SinkExt, Stream, StreamExt};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use yew_agent::reactor::{reactor, ReactorScope};

use super::protocol::{
    Bytes, Detail, FieldLine, ProblemLine, Progress, Report, Request, SessionLink, SourceFile,
    MAX_PROBLEMS_PER_FILE,
};
use crate::decoder::{Decoder, Event, Item, Problem, Severity, SysField};
use crate::model::session::{Link, SessionIndex};
use crate::model::store::BatchBuilder;

/// How much of a file is read at once: large enough that the per-slice cost (a promise, a copy
/// into wasm memory, a progress message) is small, small enough to keep memory flat.
pub const SLICE_BYTES: u64 = 16 * 1024 * 1024;

/// The first slice of a file is small, so that its first rows show at once.
pub const FIRST_SLICE_BYTES: u64 = 128 * 1024;

/// Rows are sent once this many are waiting (and at the end of every slice).
pub const BATCH_ROWS: usize = 20_000;

/// The decoder is fed this much at a time, so batches stay near [`BATCH_ROWS`].
const FEED_BYTES: usize = 256 * 1024;

/// The reactor the page bridges to: see [`serve`].
#[reactor]
pub async fn DecodeReactor(scope: ReactorScope<Request, Report>) {
    serve(scope).await;
}

/// An input the worker keeps until the page clears everything.
#[derive(Debug, Clone)]
enum Source {
    /// A file (or the bundled sample) read in slices.
    Blob(web_sys::Blob),
    /// Pasted text, as UTF-8.
    Text(Vec<u8>),
}

/// Where decoded events go: each becomes a row; logon, logoff and privilege events also feed
/// the session index.
pub trait Collect {
    /// Takes one event of input `file`.
    fn event(&mut self, file: u16, event: &Event);
}

impl Collect for BatchBuilder {
    fn event(&mut self, file: u16, event: &Event) {
        self.push(file, event);
    }
}

/// The rows waiting to be sent, and the logon sessions of everything loaded.
#[derive(Default)]
pub struct Collected {
    /// Rows not sent yet.
    pub rows: BatchBuilder,
    /// Sessions of every file of the load.
    pub sessions: SessionIndex,
}

impl Collect for Collected {
    fn event(&mut self, file: u16, event: &Event) {
        self.rows.push(file, event);
        self.sessions.add(event);
    }
}

/// The worker's memory: the inputs by file number, and what the current load collected.
#[derive(Default)]
struct Session {
    sources: HashMap<u32, Source>,
    collected: Collected,
    generation: u32,
    queue: VecDeque<Request>,
}

/// Runs the decoding path on a small generated export before the first file arrives.
///
/// Browsers first compile WebAssembly with a quick baseline compiler and optimise a function only
/// once it has run enough; without this the first megabytes of the user's first file would be
/// decoded by unoptimised code. About 2 MB, a few tens of milliseconds, while the page loads.
fn warm_up() {
    // A realistic Event Viewer export (16 events of every common kind), decoded 64 times.
    const SAMPLE: &[u8] = include_bytes!("../../tests/fixtures/event-viewer.xml");
    let mut collected = Collected::default();
    for _ in 0..64 {
        let mut file = FileDecoder::new(0);
        file.push(SAMPLE, &mut collected);
        file.finish(&mut collected);
        let _ = collected.rows.take().encode();
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
pub async fn serve<C>(mut channel: C)
where
    C: Sink<Report> + Stream<Item = Request> + Unpin,
{
    warm_up();
    if channel.send(Report::Ready).await.is_err() {
        return;
    }
    let mut session = Session::default();
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

async fn handle<C>(request: Request, session: &mut Session, channel: &mut C) -> Result<(), Closed>
where
    C: Sink<Report> + Stream<Item = Request> + Unpin,
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
    }
}

/// Answers a question about what is loaded ([`Request::Detail`], [`Request::Timeline`]);
/// other requests are not questions.
async fn answer(request: Request, session: &mut Session) -> Option<Report> {
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

fn clear(session: &mut Session, generation: u32) {
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
async fn decode_all<C>(ids: &[u32], session: &mut Session, channel: &mut C) -> Result<(), Closed>
where
    C: Sink<Report> + Stream<Item = Request> + Unpin,
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
            send(channel, Report::Progress(cancelled_progress(id))).await?;
            continue;
        }
        let Some(source) = session.sources.get(&id).cloned() else {
            continue;
        };
        match decode_source(id, &source, session, channel).await {
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

fn cancelled_progress(file: u32) -> Progress {
    let mut progress = Progress::new(file);
    progress.done = true;
    progress.cancelled = true;
    progress
}

/// Why a file stopped being read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// The browser refused to read a slice.
    Browser(String),
    /// The page closed the bridge.
    Closed,
}

/// Reads one input in slices, sending rows and progress, and watching for new requests.
async fn decode_source<C>(
    id: u32,
    source: &Source,
    session: &mut Session,
    channel: &mut C,
) -> Result<Ended, ReadError>
where
    C: Sink<Report> + Stream<Item = Request> + Unpin,
{
    let mut decoder = FileDecoder::new(id);
    let size = match source {
        Source::Blob(blob) => blob_len(blob),
        Source::Text(bytes) => bytes.len() as u64,
    };
    let mut offset = 0_u64;
    let mut end = FIRST_SLICE_BYTES.min(size);
    // The next slice is already being read (by the browser, off this thread) while this one is
    // decoded: reading and decoding overlap.
    let mut next = (offset < size).then(|| start_read(source, offset, end));
    while let Some(pending) = next.take() {
        let chunk = pending.finish().await?;
        let following = end.saturating_add(SLICE_BYTES).min(size);
        if following > end {
            next = Some(start_read(source, end, following));
        }
        let generation = session.generation;
        for part in chunk.chunks(FEED_BYTES) {
            decoder.push(part, &mut session.collected);
            if session.collected.rows.len() >= BATCH_ROWS {
                flush(session, generation, channel).await?;
            }
        }
        flush(session, generation, channel).await?;
        let progress = decoder.take();
        channel
            .send(Report::Progress(progress))
            .await
            .map_err(|_| ReadError::Closed)?;
        offset = end;
        end = following;
        if offset < size {
            // With the next slice already read, nothing above gave the event loop a turn:
            // without one, a cancel or a detail request sent meanwhile would wait for the end.
            yield_to_event_loop().await;
        }
        if offset < size && interrupted(session, channel).await? {
            let mut progress = decoder.take();
            progress.done = true;
            progress.cancelled = true;
            channel
                .send(Report::Progress(progress))
                .await
                .map_err(|_| ReadError::Closed)?;
            return Ok(Ended::Cancelled);
        }
    }
    let generation = session.generation;
    let progress = decoder.finish(&mut session.collected);
    flush(session, generation, channel).await?;
    channel
        .send(Report::Progress(progress))
        .await
        .map_err(|_| ReadError::Closed)?;
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
async fn flush<C>(session: &mut Session, generation: u32, channel: &mut C) -> Result<(), ReadError>
where
    C: Sink<Report> + Unpin,
{
    if session.collected.rows.is_empty() {
        return Ok(());
    }
    let batch = session.collected.rows.take().encode();
    channel
        .send(Report::Rows {
            generation,
            batch: Bytes::from_slice(&batch),
        })
        .await
        .map_err(|_| ReadError::Closed)
}

/// Takes the requests that arrived while reading: answers details, queues opens and pastes,
/// and says whether reading must stop (cancel or clear).
async fn interrupted<C>(session: &mut Session, channel: &mut C) -> Result<bool, ReadError>
where
    C: Sink<Report> + Stream<Item = Request> + Unpin,
{
    let mut stop = false;
    while let Some(next) = channel.next().now_or_never() {
        let Some(request) = next else {
            return Err(ReadError::Closed);
        };
        match request {
            Request::Cancel => {
                stop = true;
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
                    channel
                        .send(Report::Progress(cancelled_progress(id)))
                        .await
                        .map_err(|_| ReadError::Closed)?;
                }
            }
            Request::Clear { generation } => {
                stop = true;
                clear(session, generation);
            }
            request @ (Request::Detail { .. } | Request::Timeline { .. }) => {
                if let Some(report) = answer(request, session).await {
                    channel.send(report).await.map_err(|_| ReadError::Closed)?;
                }
            }
            other => session.queue.push_back(other),
        }
    }
    Ok(stop)
}

/// `blob.size` as a byte count.
fn blob_len(blob: &web_sys::Blob) -> u64 {
    let size = blob.size();
    if size.is_finite() && size > 0.0 {
        // Sizes are integral doubles far below 2^53.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let n = size as u64;
        n
    } else {
        0
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
    match read(source, start, end).await {
        Ok(bytes) => {
            if let Some(event) = detail_of(&bytes, &mut out) {
                out.session = session_link(sessions, &event);
            }
        }
        Err(ReadError::Browser(reason)) => out.error = Some(reason),
        Err(ReadError::Closed) => out.error = Some("closed".into()),
    }
    out
}

/// Where the event's logon ID leads, for events that name one.
pub fn session_link(sessions: &mut SessionIndex, event: &Event) -> Option<SessionLink> {
    if event.account().logon_id.trim().is_empty() {
        return None;
    }
    Some(match sessions.link_event(event) {
        Link::WellKnown(name) => SessionLink::WellKnown(name.to_string()),
        Link::NotInExport => SessionLink::NotInExport,
        Link::Session(s) => SessionLink::Session(Box::new(s.clone())),
    })
}

/// Fills `out` from the raw bytes of one event (UTF-8 or UTF-16 without BOM); gives the event.
pub fn detail_of(bytes: &[u8], out: &mut Detail) -> Option<Event> {
    out.xml = slice_text(bytes);
    let mut decoder = Decoder::new();
    let mut items = Vec::new();
    decoder.push(bytes, &mut items);
    decoder.finish(&mut items);
    let event = items.into_iter().find_map(|item| match item {
        Item::Event(event) => Some(event),
        Item::Problem(_) => None,
    });
    let Some(event) = event else {
        out.error = Some("the event could not be decoded again".into());
        return None;
    };
    out.event_id = event.event_id();
    out.system = SysField::ALL
        .iter()
        .map(|&field| FieldLine {
            name: field.name().to_string(),
            raw: event.system(field).to_string(),
            decoded: event.decoded_system(field),
        })
        .collect();
    out.fields = event
        .fields()
        .map(|f| FieldLine {
            name: f.name.to_string(),
            raw: f.value.to_string(),
            decoded: event.decoded(f.name, f.value),
        })
        .collect();
    out.culture = event.culture().to_string();
    out.rendering = event
        .rendering()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    Some(event)
}

/// The text of an event's bytes: UTF-16 (LE or BE, recognised by `<` next to a zero byte) or
/// UTF-8 (invalid bytes replaced).
pub fn slice_text(bytes: &[u8]) -> String {
    match bytes {
        [b'<', 0, ..] => utf16(bytes, u16::from_le_bytes),
        [0, b'<', ..] => utf16(bytes, u16::from_be_bytes),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units: Vec<u16> = bytes.chunks_exact(2).map(|p| unit([p[0], p[1]])).collect();
    String::from_utf16_lossy(&units)
}

/// A problem as sent to the page.
pub fn problem_line(problem: &Problem) -> ProblemLine {
    ProblemLine {
        reason: problem.reason(),
        skip: problem.is_skip(),
        repaired: problem.severity == Severity::Repaired,
        code: problem.kind.code().to_string(),
        params: problem.kind.params(),
        line: problem.position.line,
        column: problem.position.column,
        event: problem.event,
    }
}

/// One file's decoding, without any browser API: bytes in, rows (into a [`BatchBuilder`]) and
/// [`Progress`] out.
///
/// The worker uses it with slices of a `File`; tests use it with byte strings.
pub struct FileDecoder {
    decoder: Decoder,
    items: Vec<Item>,
    progress: Progress,
}

impl std::fmt::Debug for FileDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileDecoder")
            .field("progress", &self.progress)
            .finish_non_exhaustive()
    }
}

impl FileDecoder {
    /// A decoder for the file numbered `file`.
    pub fn new(file: u32) -> Self {
        Self {
            decoder: Decoder::new(),
            items: Vec::new(),
            progress: Progress::new(file),
        }
    }

    /// Decodes the next `chunk` of the file, its events into `rows`.
    pub fn push(&mut self, chunk: &[u8], rows: &mut impl Collect) {
        self.decoder.push(chunk, &mut self.items);
        self.progress.bytes += chunk.len() as u64;
        self.drain(rows);
    }

    /// Ends the file (a truncated last event becomes a problem) and gives the final report.
    pub fn finish(&mut self, rows: &mut impl Collect) -> Progress {
        self.decoder.finish(&mut self.items);
        self.drain(rows);
        self.progress.done = true;
        self.take()
    }

    /// What happened since the previous report.
    pub fn take(&mut self) -> Progress {
        let new_problems = std::mem::take(&mut self.progress.new_problems);
        Progress {
            new_problems,
            ..self.progress.clone()
        }
    }

    fn drain(&mut self, rows: &mut impl Collect) {
        let file = u16::try_from(self.progress.file).unwrap_or(u16::MAX);
        for item in self.items.drain(..) {
            match item {
                Item::Event(event) => {
                    self.progress.events += 1;
                    if event.repaired {
                        self.progress.repaired += 1;
                    }
                    rows.event(file, &event);
                }
                Item::Problem(problem) => {
                    if self.progress.problems < MAX_PROBLEMS_PER_FILE {
                        self.progress.new_problems.push(problem_line(&problem));
                    }
                    self.progress.problems += 1;
                    if problem.is_skip() {
                        self.progress.skipped += 1;
                    }
                }
            }
        }
    }
}
