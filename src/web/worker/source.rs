//! The inputs the worker keeps, and reading them: slices of a `Blob` through its
//! `arrayBuffer()` promise, or of pasted text; and events read again, one for the detail pane or
//! the rows chosen for an export.

use std::collections::HashMap;

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::ReadError;
use crate::ingest;
use crate::ingest::export::{ExportShape, Exporter};
use crate::ingest::file::{detail_of, session_link, DetailError};
use crate::model::session::SessionIndex;
use crate::web::protocol::{Detail, Report};

/// An input the worker keeps until the page clears everything.
#[derive(Debug, Clone)]
pub(super) enum Source {
    /// A file (or the bundled sample) read in slices.
    Blob(web_sys::Blob),
    /// Pasted text, as UTF-8.
    Text(Vec<u8>),
}

impl Source {
    /// Its size in bytes.
    pub(super) fn len(&self) -> u64 {
        match self {
            Self::Blob(blob) => crate::web::blob_len(blob),
            Self::Text(bytes) => bytes.len() as u64,
        }
    }
}

/// Bytes `start..end` of an input.
async fn read(source: &Source, start: u64, end: u64) -> Result<Vec<u8>, ReadError> {
    start_read(source, start, end).finish().await
}

/// A slice being read: the browser starts reading a `Blob` slice as soon as it is asked.
pub(super) enum PendingRead {
    /// Already here (pasted text, or the browser refused at once).
    Done(Result<Vec<u8>, ReadError>),
    /// The browser's `arrayBuffer()` promise.
    Blob(JsFuture),
}

impl PendingRead {
    /// The bytes, once read.
    pub(super) async fn finish(self) -> Result<Vec<u8>, ReadError> {
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
pub(super) fn start_read(source: &Source, start: u64, end: u64) -> PendingRead {
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
pub(super) async fn detail(
    source: Option<&Source>,
    token: u32,
    start: u64,
    end: u64,
    sessions: &mut SessionIndex,
) -> Detail {
    let mut out = Detail::empty(token);
    let Some(source) = source else {
        out.error = Some(DetailError::FileGone);
        return out;
    };
    match event_bytes(source, start, end).await {
        Ok(Some(bytes)) => {
            if let Some(event) = detail_of(&bytes, &mut out) {
                out.session = session_link(sessions, &event);
            }
        }
        Ok(None) => out.error = Some(DetailError::NotDecoded),
        Err(ReadError::Browser(reason)) => out.error = Some(DetailError::Browser(reason)),
        Err(ReadError::Closed) => out.error = Some(DetailError::Closed),
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

/// Answers [`Request::Export`](crate::web::protocol::Request::Export): reads the windows
/// [`Exporter`] plans, one after the other (a file that is gone or refused gives no bytes: its
/// rows are counted as lost).
pub(super) async fn export(
    sources: &HashMap<u32, Source>,
    sessions: &mut SessionIndex,
    token: u32,
    shape: ExportShape,
    mut exporter: Exporter,
) -> Report {
    while let Some((file, range)) = exporter.next_read() {
        let bytes = match sources.get(&file) {
            Some(source) => read(source, range.start, range.end)
                .await
                .unwrap_or_default(),
            None => Vec::new(),
        };
        exporter.take(&bytes, sessions);
    }
    let (text, lost) = exporter.finish();
    Report::Exported {
        token,
        shape,
        text,
        lost: u32::try_from(lost).unwrap_or(u32::MAX),
    }
}
