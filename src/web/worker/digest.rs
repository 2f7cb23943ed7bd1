//! The SHA-256 of each input, for the report ([`Request::Digest`]), taken once a load is done,
//! reading each input again; files to open, a cancel or a clear stop it between slices.

use super::source::{start_read, Source};
use super::{
    interrupted, send, yield_to_event_loop, Closed, PageChannel, PartChannel, ReadError, Session,
};
use crate::ingest::chain;
use crate::ingest::Digest;
use crate::web::protocol::{Report, Request};
use crate::web::trace::Span;

/// Takes the SHA-256 of the inputs `ids` in order, for the report ([`Request::Digest`]),
/// answering [`Report::Digested`] for each. A cancel, a clear or new files to open stop it: the
/// files not reached are answered `stopped`, and the page asks again once it is idle.
pub(super) async fn digest_all<C, H>(
    ids: &[u32],
    session: &mut Session<H>,
    channel: &mut C,
) -> Result<(), Closed>
where
    C: PageChannel,
    H: PartChannel,
{
    let mut stopped = false;
    for &id in ids {
        let sha256 = match session.sources.get(&id).cloned() {
            Some(source) if !stopped => match digest_source(&source, session, channel).await {
                Ok(Some(hash)) => Some(hash),
                Ok(None) => {
                    stopped = true;
                    None
                }
                Err(ReadError::Browser(_)) => None,
                Err(ReadError::Closed) => return Err(Closed),
            },
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

/// Reads `source` in slices ([`chain::slices`], the next one read while this one is hashed)
/// into its SHA-256; `None` if a request that must come first arrived meanwhile.
async fn digest_source<C, H>(
    source: &Source,
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
    while let Some(pending) = next.take() {
        let slice = pending.finish().await?;
        next = slices.next().map(|s| start_read(source, s.start, s.end));
        for piece in slice.chunks(chain::PAUSE_BYTES) {
            {
                let _span = Span::new("hash");
                digest.update(piece);
            }
            // The next slice is read only while this thread is free (see chain::feed_part).
            yield_to_event_loop().await;
        }
        // Files to open come first: they stop the hash (the page asks again once idle). An
        // export asked meanwhile waits for it.
        if next.is_some() && (interrupted(session, channel).await? || opens_queued(session)) {
            return Ok(None);
        }
    }
    Ok(Some(digest.finish()))
}

/// Whether files to open (or text to decode) wait in the queue.
fn opens_queued<H>(session: &Session<H>) -> bool {
    session
        .queue
        .iter()
        .any(|r| matches!(r, Request::Open { .. } | Request::Paste { .. }))
}
