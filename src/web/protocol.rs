//! The messages between the page and the decoding worker.

use serde::{Deserialize, Serialize};

/// A file chosen by the user, passed to the worker as a handle (see [`JsCodec`](super::codec)).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceFile(#[serde(with = "serde_wasm_bindgen::preserve")] pub web_sys::File);

/// What the page asks the worker to do.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Request {
    /// Decode these files, each with its own decoder. `first_id` numbers them: the `n`-th file
    /// is reported as `first_id + n`.
    Open {
        /// The number of the first file of this batch.
        first_id: u32,
        /// The files, in the order the user gave them.
        files: Vec<SourceFile>,
    },
}

/// A problem found in one file, as shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemLine {
    /// Where (line, column, event number) and why, as the decoder's `Display` words it.
    pub text: String,
    /// Whether an event was lost because of it.
    pub skip: bool,
}

/// What the worker has done so far for one file; sent after every slice and once at the end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Which file (see [`Request::Open`]).
    pub file: u32,
    /// Bytes of the file read and decoded so far.
    pub bytes: u64,
    /// Events decoded so far in this file.
    pub events: u64,
    /// Problems found since the previous report of this file (only the first
    /// [`MAX_PROBLEMS_PER_FILE`] are sent; the counts below include all of them).
    pub new_problems: Vec<ProblemLine>,
    /// Problems found so far in this file.
    pub problems: u64,
    /// Events lost so far in this file.
    pub skipped: u64,
    /// Whether the file is finished.
    pub done: bool,
}

/// What the worker tells the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Report {
    /// The worker has started; sent once per bridge, before anything else.
    Ready,
    /// Decoding progressed (or finished) for one file.
    Progress(Progress),
    /// A file could not be read at all (the browser refused a slice).
    ReadFailed {
        /// Which file.
        file: u32,
        /// The browser's reason.
        reason: String,
    },
}

/// The most problem texts kept per file; a broken multi-gigabyte file must not flood the page.
pub const MAX_PROBLEMS_PER_FILE: u64 = 500;
