//! The next worker of the chain, as this one sees it: starting it, handing it the part of a large
//! file after this worker's share, hearing its reports while reading, and joining its part (or
//! giving it up); and, as the next worker, decoding a part handed on. Where a file is split and
//! how a part is joined are [`chain`](crate::ingest::chain)'s; this is the messages and the
//! waiting.

use futures::future::{self, Either};
use futures::{Sink, SinkExt, Stream, StreamExt};

use super::source::{start_read, PendingRead, Source};
use super::{
    decode_source, hear, now_ms, send, send_progress, send_rows, sleep, take_request, Closed,
    Ended, Heard, PageChannel, PartChannel, ReadError, Session,
};
use crate::ingest::chain::{Part, PartReport, Split, SplitWindow};
use crate::ingest::file::{Collected, FileDecoder};
use crate::ingest::{self, Reader};
use crate::model::session::SessionParts;
use crate::web::protocol::{Bytes, Report, Request, SourceBlob};

/// The second worker, as the first sees it: a channel and the number of the next part.
pub(super) struct Helper<H> {
    pub(super) channel: H,
    next_job: u32,
}

impl<H> Helper<H> {
    /// A next worker that said it is ready.
    pub(super) fn new(channel: H) -> Self {
        Helper {
            channel,
            next_job: 0,
        }
    }
}

/// The helper, once it said it is ready; if it does not within `start_ms`, its channel (it may
/// still start: [`Session::take_started_helper`](super::Session)), or `None` if it ended or said
/// something else.
pub(super) async fn started<H>(mut channel: H, start_ms: u32) -> Result<Helper<H>, Option<H>>
where
    H: Stream<Item = Report> + Unpin,
{
    let ready = match future::select(channel.next(), Box::pin(sleep(start_ms))).await {
        Either::Left((said, _)) => Some(matches!(said, Some(Report::Ready))),
        Either::Right(_) => None,
    };
    match ready {
        Some(true) => Ok(Helper::new(channel)),
        Some(false) => Err(None),
        None => Err(Some(channel)),
    }
}

/// The second worker's side of a split file: decodes the part as a file of its own (numbered
/// `job`), then sends its sessions and whether it got to the end.
pub(super) async fn decode_part<C, H>(
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
    // No SHA-256 while loading (the page asks for it after the load, for the report).
    let reader = evtx.map_or_else(Reader::unhashed, Reader::evtx_part);
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
    send(channel, Report::part_end(job, complete, &sessions)).await
}

/// Keeps one report of the second worker about `part` ([`Part::collect`]); says whether it was
/// progress.
pub(super) fn collect(part: &mut Part<Bytes>, report: Report) -> bool {
    let report = match report {
        Report::Rows { generation, batch } => PartReport::Rows { generation, batch },
        Report::Progress(p) => PartReport::Progress(p),
        Report::ReadFailed { file, .. } => PartReport::ReadFailed { file },
        // An older part's end (a cancelled one) is not read at all.
        Report::PartEnd { job, .. } if job != part.job => return false,
        Report::PartEnd {
            job,
            complete,
            sessions,
        } => match Report::part_sessions(&sessions) {
            Some(sessions) => PartReport::End {
                job,
                complete,
                sessions,
            },
            // Refused: this worker decodes the part itself.
            None => PartReport::End {
                job,
                complete: false,
                sessions: SessionParts::default(),
            },
        },
        _ => return false,
    };
    part.collect(report)
}

/// Starts reading the window where bytes `range` of `source` would be split ([`SplitWindow`]),
/// if there is a next worker to share them with.
pub(super) fn split_window<H>(
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
pub(super) async fn send_part<H>(
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
        session.lose_helper();
        return None;
    }
    Some(Part::new(job, split.at))
}

/// Tells the second worker to stop its part (this worker stopped or goes on alone).
pub(super) async fn stop_part<H>(session: &mut Session<H>)
where
    H: Sink<Request> + Unpin,
{
    if let Some(helper) = session.helper.as_mut() {
        if helper.channel.send(Request::Cancel).await.is_err() {
            session.lose_helper();
        }
    }
}

/// How joining the second worker's part ended.
pub(super) enum Joined {
    /// Its rows, problems and sessions are joined; the file is done.
    Done,
    /// The user cancelled or cleared meanwhile.
    Cancelled,
    /// The part could not be joined: the file must be decoded on from `at` here.
    Refused { at: u64 },
}

/// Waits for the second worker's part (answering the page meanwhile) and joins it, if this
/// worker's decoder stopped cleanly where the part starts.
pub(super) async fn join_part<C, H>(
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
    // The second worker's silence counts from its last word, not from the page's last request.
    let mut heard = now_ms();
    while !part.ended() {
        let Some(helper) = session.helper.as_mut() else {
            return Ok(refused);
        };
        let silence = session.part_silence_ms;
        match hear(&mut helper.channel, Some(&mut *channel), heard, silence).await {
            // Nothing from the second worker for that long: it is taken as gone.
            Heard::Silent => {
                stop_part(session).await;
                session.lose_helper();
                return Ok(refused);
            }
            // The page hears of the second worker's progress, not of each of its batches.
            Heard::Helper(Some(report)) => {
                heard = now_ms();
                if collect(&mut part, report) {
                    send_progress(channel, part.progress(decoder)).await?;
                }
            }
            // The second worker is gone.
            Heard::Helper(None) => {
                session.lose_helper();
                return Ok(refused);
            }
            Heard::Page(Some(request)) => {
                if take_request(request, session, channel).await? {
                    stop_part(session).await;
                    send_progress(channel, decoder.cancelled()).await?;
                    return Ok(Joined::Cancelled);
                }
            }
            Heard::Page(None) => return Err(ReadError::Closed),
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
