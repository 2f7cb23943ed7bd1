//! The SHA-256 of each input, for the report ([`Request::Digest`]), taken once a load is done.
//!
//! With a next worker, the first hands the hashing on to it ([`Request::DigestInputs`], with the
//! inputs themselves: the next worker keeps none) and passes its answers to the page while it
//! goes on serving the page itself, so that an export asked meanwhile does not wait for a hash.
//! Whatever must come before a hash (files to open, a cancel, a clear) first calls it back
//! ([`recall`]). Alone, the worker hashes itself, and such a request stops it between slices.

use futures::SinkExt;

use super::source::{start_read, Source};
use super::{
    hear, interrupted, now_ms, send, yield_to_event_loop, Closed, Heard, PageChannel, PartChannel,
    ReadError, Session,
};
use crate::ingest::chain;
use crate::ingest::Digest;
use crate::web::protocol::{Report, Request, SourceBlob};
use crate::web::trace::Span;

/// Answers the page's [`Request::Digest`]: hands it on to the next worker if there is one,
/// hashes here otherwise.
pub(super) async fn digest<C, H>(
    ids: Vec<u32>,
    session: &mut Session<H>,
    channel: &mut C,
) -> Result<(), Closed>
where
    C: PageChannel,
    H: PartChannel,
{
    recall(session, channel).await?;
    let inputs: Vec<(u32, Option<Source>)> = ids
        .iter()
        .map(|id| (*id, session.sources.get(id).cloned()))
        .collect();
    if hand_on(&inputs, session).await {
        session.handed = ids;
        session.heard = now_ms();
        return Ok(());
    }
    digest_all(inputs, false, session, channel).await
}

/// Sends the next worker the inputs to hash; `false` if there is none, or it is gone.
async fn hand_on<H>(inputs: &[(u32, Option<Source>)], session: &mut Session<H>) -> bool
where
    H: PartChannel,
{
    let Some(helper) = session.helper.as_mut() else {
        return false;
    };
    let mut files = Vec::with_capacity(inputs.len());
    for (id, source) in inputs {
        let blob = match source {
            Some(source) => match blob_of(source) {
                Some(blob) => Some(SourceBlob(blob)),
                None => return false,
            },
            None => None,
        };
        files.push((*id, blob));
    }
    if helper
        .channel
        .send(Request::DigestInputs { files })
        .await
        .is_err()
    {
        session.lose_helper();
        return false;
    }
    true
}

/// An input as a `Blob` the next worker can read (pasted text is made one).
fn blob_of(source: &Source) -> Option<web_sys::Blob> {
    match source {
        Source::Blob(blob) => Some(blob.clone()),
        Source::Text(bytes) => {
            let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
            web_sys::Blob::new_with_u8_array_sequence(&parts).ok()
        }
    }
}

/// Passes one report of the next worker on to the page, if it answers a hash handed on and not
/// yet answered (others, such as [`Report::Hashing`] or those of a part given up, only say it
/// is there); `None` (the next worker is gone) gives it up.
pub(super) async fn relay<C, H>(
    report: Option<Report>,
    session: &mut Session<H>,
    channel: &mut C,
) -> Result<(), Closed>
where
    C: PageChannel,
    H: PartChannel,
{
    if report.is_some() {
        session.heard = now_ms();
    }
    match report {
        Some(report @ Report::Digested { file, .. }) => {
            let Some(i) = session.handed.iter().position(|&f| f == file) else {
                return Ok(());
            };
            session.handed.remove(i);
            send(channel, report).await
        }
        Some(_) => Ok(()),
        None => give_up(session, channel).await,
    }
}

/// Gives up the next worker (gone, or silent for [`PART_SILENCE_MS`](super::PART_SILENCE_MS)):
/// the files it had not answered are answered `stopped`, so that the page asks again and this
/// worker hashes them itself.
pub(super) async fn give_up<C, H>(session: &mut Session<H>, channel: &mut C) -> Result<(), Closed>
where
    C: PageChannel,
    H: PartChannel,
{
    if let Some(helper) = session.helper.as_mut() {
        let _ = helper.channel.send(Request::Cancel).await;
    }
    session.lose_helper();
    for file in std::mem::take(&mut session.handed) {
        send(channel, stopped(file)).await?;
    }
    Ok(())
}

/// The answer for `file` whose hash stopped before it was taken: the page asks again once idle.
pub(super) fn stopped(file: u32) -> Report {
    Report::Digested {
        file,
        sha256: None,
        stopped: true,
    }
}

/// Calls back the hashing handed on, before what must come first (files to open, a cancel, a
/// clear): the next worker stops between slices and answers the files not reached `stopped`,
/// which are passed on to the page (which asks again once it is idle).
pub(super) async fn recall<C, H>(session: &mut Session<H>, channel: &mut C) -> Result<(), Closed>
where
    C: PageChannel,
    H: PartChannel,
{
    if session.handed.is_empty() {
        return Ok(());
    }
    let Some(helper) = session.helper.as_mut() else {
        return give_up(session, channel).await;
    };
    if helper.channel.send(Request::Cancel).await.is_err() {
        return give_up(session, channel).await;
    }
    while !session.handed.is_empty() {
        let Some(helper) = session.helper.as_mut() else {
            break;
        };
        let (heard, silence) = (session.heard, session.part_silence_ms);
        match hear(&mut helper.channel, None::<&mut C>, heard, silence).await {
            Heard::Helper(report) => relay(report, session, channel).await?,
            // Not asked for: the page is not listened to here.
            Heard::Page(_) => {}
            Heard::Silent => give_up(session, channel).await?,
        }
    }
    Ok(())
}

/// Takes the SHA-256 of `inputs` in order (`None`: an input this worker no longer has),
/// answering [`Report::Digested`] for each (and, for the worker before, `hashing` after every
/// piece). A cancel, a clear or new files to open stop it: the files not reached are answered
/// `stopped`, and the page asks again once it is idle.
pub(super) async fn digest_all<C, H>(
    inputs: Vec<(u32, Option<Source>)>,
    hashing: bool,
    session: &mut Session<H>,
    channel: &mut C,
) -> Result<(), Closed>
where
    C: PageChannel,
    H: PartChannel,
{
    let mut stopped = false;
    for (n, (id, source)) in inputs.into_iter().enumerate() {
        // Between files too (a file of one slice is never stopped inside), files to open come
        // first.
        if n > 0 && !stopped {
            yield_to_event_loop().await;
            stopped = must_stop(session, channel).await.map_err(|_| Closed)?;
        }
        let sha256 = match source {
            Some(source) if !stopped => {
                match digest_source(id, &source, hashing, session, channel).await {
                    Ok(Some(hash)) => Some(hash),
                    Ok(None) => {
                        stopped = true;
                        None
                    }
                    Err(ReadError::Browser(_)) => None,
                    Err(ReadError::Closed) => return Err(Closed),
                }
            }
            _ => None,
        };
        send(
            channel,
            Report::Digested {
                file: id,
                sha256,
                stopped,
            },
        )
        .await?;
    }
    Ok(())
}

/// Reads input `id` in slices ([`chain::slices`], the next one read while this one is hashed)
/// into its SHA-256, sending [`Report::Hashing`] after every piece if `hashing`; `None` if a
/// request that must come first arrived meanwhile.
async fn digest_source<C, H>(
    id: u32,
    source: &Source,
    hashing: bool,
    session: &mut Session<H>,
    channel: &mut C,
) -> Result<Option<String>, ReadError>
where
    C: PageChannel,
    H: PartChannel,
{
    let mut digest = Digest::new();
    let mut slices = chain::slices(0..source.len());
    let mut next = slices.next().map(|s| start_read(source, s.start, s.end));
    let mut bytes = 0;
    while let Some(pending) = next.take() {
        let slice = pending.finish().await?;
        next = slices.next().map(|s| start_read(source, s.start, s.end));
        for piece in slice.chunks(chain::PAUSE_BYTES) {
            {
                let _span = Span::new("hash");
                digest.update(piece);
            }
            bytes += piece.len() as u64;
            if hashing {
                let report = Report::Hashing { file: id, bytes };
                send(channel, report).await.map_err(|_| ReadError::Closed)?;
            }
            // The next slice is read only while this thread is free (see chain::feed_part).
            yield_to_event_loop().await;
        }
        // Files to open come first: they stop the hash (the page asks again once idle). An
        // export asked meanwhile of a worker hashing for itself waits for it.
        if next.is_some() && must_stop(session, channel).await? {
            return Ok(None);
        }
    }
    Ok(Some(digest.finish()))
}

/// Whether a hash must stop here: a cancel or a clear arrived, or files to open wait.
async fn must_stop<C, H>(session: &mut Session<H>, channel: &mut C) -> Result<bool, ReadError>
where
    C: PageChannel,
{
    Ok(interrupted(session, channel).await? || opens_queued(session))
}

/// Whether files to open (or text to decode) wait in the queue.
fn opens_queued<H>(session: &Session<H>) -> bool {
    session
        .queue
        .iter()
        .any(|r| matches!(r, Request::Open { .. } | Request::Paste { .. }))
}
