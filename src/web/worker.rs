//! The decoding worker: reads files in slices and streams progress back to the page.

use futures::{Sink, SinkExt, StreamExt};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use yew_agent::reactor::{reactor, ReactorScope};

use super::protocol::{ProblemLine, Progress, Report, Request, SourceFile, MAX_PROBLEMS_PER_FILE};
use crate::decoder::{Decoder, Item};

/// How much of a file is read at once: large enough that the per-slice cost (a promise, a copy
/// into wasm memory, a progress message) is small, small enough to keep memory flat.
pub const SLICE_BYTES: u64 = 4 * 1024 * 1024;

/// The reactor the page bridges to: it decodes every file of every [`Request::Open`], one after
/// the other, each with its own [`Decoder`], and answers with [`Report`]s.
#[reactor]
pub async fn DecodeReactor(mut scope: ReactorScope<Request, Report>) {
    if scope.send(Report::Ready).await.is_err() {
        return;
    }
    while let Some(request) = scope.next().await {
        match request {
            Request::Open { first_id, files } => {
                for (id, SourceFile(file)) in (first_id..).zip(files) {
                    match decode_blob(id, &file, SLICE_BYTES, &mut scope).await {
                        Ok(()) => {}
                        Err(ReadError::Browser(reason)) => {
                            let report = Report::ReadFailed { file: id, reason };
                            if scope.send(report).await.is_err() {
                                return;
                            }
                        }
                        // The page went away: nobody is listening any more.
                        Err(ReadError::Closed) => return,
                    }
                }
            }
        }
    }
}

/// Why a file stopped being read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// The browser refused to read a slice.
    Browser(String),
    /// The page closed the bridge.
    Closed,
}

/// Reads `file` in slices of `slice_bytes` into a [`FileDecoder`] (reported as file `id`), and
/// sends a [`Report::Progress`] after each slice and a final one with `done` set.
pub async fn decode_blob<S>(
    id: u32,
    file: &web_sys::Blob,
    slice_bytes: u64,
    sink: &mut S,
) -> Result<(), ReadError>
where
    S: Sink<Report> + Unpin,
{
    #[allow(clippy::cast_precision_loss)] // slice sizes are far below 2^53
    let step = slice_bytes.max(1) as f64;
    // `Blob.size` is a double holding an integer; sizes beyond 2^53 bytes do not occur.
    let size = file.size();
    let mut decoder = FileDecoder::new(id);
    let mut chunk = Vec::new();
    let mut offset = 0.0_f64;
    while offset < size {
        let end = (offset + step).min(size);
        let slice = file
            .slice_with_f64_and_f64(offset, end)
            .map_err(|err| ReadError::Browser(describe(&err)))?;
        let buffer = JsFuture::from(slice.array_buffer())
            .await
            .map_err(|err| ReadError::Browser(describe(&err)))?;
        let array = js_sys::Uint8Array::new(&buffer);
        chunk.resize(array.length() as usize, 0);
        array.copy_to(&mut chunk);
        let progress = decoder.push(&chunk);
        sink.send(Report::Progress(progress))
            .await
            .map_err(|_| ReadError::Closed)?;
        offset = end;
    }
    sink.send(Report::Progress(decoder.finish()))
        .await
        .map_err(|_| ReadError::Closed)
}

/// The text of a JavaScript error value.
fn describe(err: &JsValue) -> String {
    if let Some(error) = err.dyn_ref::<js_sys::Error>() {
        String::from(error.message())
    } else {
        err.as_string().unwrap_or_else(|| format!("{err:?}"))
    }
}

/// One file's decoding, without any browser API: bytes in, [`Progress`] out.
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
            progress: Progress {
                file,
                bytes: 0,
                events: 0,
                new_problems: Vec::new(),
                problems: 0,
                skipped: 0,
                done: false,
            },
        }
    }

    /// Decodes the next `chunk` of the file and tells what happened since the previous call.
    pub fn push(&mut self, chunk: &[u8]) -> Progress {
        self.decoder.push(chunk, &mut self.items);
        self.progress.bytes += chunk.len() as u64;
        self.take()
    }

    /// Ends the file (a truncated last event becomes a problem) and gives the final report.
    pub fn finish(&mut self) -> Progress {
        self.decoder.finish(&mut self.items);
        self.progress.done = true;
        self.take()
    }

    /// Counts the items decoded since the last report and returns the report.
    fn take(&mut self) -> Progress {
        for item in self.items.drain(..) {
            match item {
                Item::Event(_) => self.progress.events += 1,
                Item::Problem(problem) => {
                    if self.progress.problems < MAX_PROBLEMS_PER_FILE {
                        self.progress.new_problems.push(ProblemLine {
                            text: problem.to_string(),
                            skip: problem.is_skip(),
                        });
                    }
                    self.progress.problems += 1;
                    if problem.is_skip() {
                        self.progress.skipped += 1;
                    }
                }
            }
        }
        let report = self.progress.clone();
        self.progress.new_problems.clear();
        report
    }
}
