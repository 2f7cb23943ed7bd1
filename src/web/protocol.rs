//! The messages between the page and the decoding worker.
//!
//! Rows travel as [`Batch::encode`](crate::model::store::Batch::encode) bytes inside a
//! `Uint8Array` ([`Bytes`]), never as one JavaScript object per row, so a million events cost a
//! few hundred structured clones of plain buffers.

pub use crate::ingest::file::{
    Detail, DetailError, FieldLine, ProblemLine, Progress, SessionLink, MAX_PROBLEMS_PER_FILE,
};
use crate::model::session::{Session, SessionParts};
use serde::{Deserialize, Serialize};

/// A file chosen by the user, passed to the worker as a handle (see [`JsCodec`](super::codec)).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceFile(#[serde(with = "serde_wasm_bindgen::preserve")] pub web_sys::File);

/// A part of an input, passed from the decoding worker to its second worker as a handle.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceBlob(#[serde(with = "serde_wasm_bindgen::preserve")] pub web_sys::Blob);

/// Bytes passed as a `Uint8Array` (one structured clone, not an array of numbers).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Bytes(#[serde(with = "serde_wasm_bindgen::preserve")] pub js_sys::Uint8Array);

impl Bytes {
    /// Copies `bytes` into a new `Uint8Array`.
    pub fn from_slice(bytes: &[u8]) -> Self {
        Self(js_sys::Uint8Array::from(bytes))
    }

    /// Copies the bytes back out.
    pub fn to_vec(&self) -> Vec<u8> {
        self.0.to_vec()
    }
}

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
    /// Decode pasted text as file number `id` (kept by the worker as UTF-8 bytes).
    Paste {
        /// The number given to the pasted text.
        id: u32,
        /// The text.
        text: String,
    },
    /// Stop reading: the file being decoded ends where it is, files still queued are not read
    /// (each reported cancelled). SHA-256s asked before it and not yet taken are answered
    /// `stopped`; an export asked before it is still answered.
    Cancel,
    /// Forget every file and start a new load: rows of later batches are numbered from scratch
    /// and carry `generation`.
    Clear {
        /// The page's new load generation.
        generation: u32,
    },
    /// Decode one event again, from its bytes in the original input, for the detail pane.
    Detail {
        /// Echoed in the answer, so the page can ignore stale answers.
        token: u32,
        /// Which file.
        file: u32,
        /// Where the event starts in the file.
        start: u64,
        /// Where it ends.
        end: u64,
    },
    /// Every logon session of one account (by SID), for its session timeline.
    Timeline {
        /// Echoed in the answer.
        token: u32,
        /// The account's SID.
        sid: String,
    },
    /// Export the events of these rows (in this order) as the CLI's records (CSV, or a JSON
    /// array) or ECS documents. The worker reads them again from their files
    /// ([`crate::ingest::export`]).
    Export {
        /// Says which request a [`Report::Exported`] answers.
        token: u32,
        /// What it is written as.
        shape: crate::ingest::export::ExportShape,
        /// The rows.
        rows: Vec<crate::ingest::export::ExportRow>,
        /// The files' names, indexed by file number.
        names: Vec<String>,
        /// The names of the rows' event IDs (the worker has no table of names).
        event_names: Vec<(u32, String)>,
    },
    /// Take the SHA-256 of these inputs (for the report), reading each again: asked once a load
    /// is done, so that hashing never slows the load. Answered by one [`Report::Digested`] per
    /// file, in order. With a next worker, the page's worker hands the hashing on to it
    /// ([`Request::DigestInputs`]) and goes on answering meanwhile (an export does not wait).
    Digest {
        /// The files' numbers.
        files: Vec<u32>,
    },
    /// Between workers: [`Request::Digest`] handed on by the first worker, which goes on serving
    /// the page meanwhile, with the inputs themselves (the next worker keeps none). Answered the
    /// same way, one [`Report::Digested`] per file, in order; a [`Request::Cancel`] stops it.
    DigestInputs {
        /// Each input's number and its bytes (`None` for one the first worker no longer has).
        files: Vec<(u32, Option<SourceBlob>)>,
    },
    /// Between workers: decode the rest of a large file, which starts at a `<Event`, on its
    /// own. The second worker answers with [`Report::Rows`] (`generation` = `job`),
    /// [`Report::Progress`] (`file` = `job`) and, last, [`Report::PartEnd`]. A
    /// [`Request::Cancel`] stops it.
    Part {
        /// Numbers this part's reports.
        job: u32,
        /// The bytes from the `<Event` (or, in an `.evtx` file, the chunk) to the end of the
        /// file.
        blob: SourceBlob,
        /// For an `.evtx` file, which chunk the part starts with (and what the header declared).
        evtx: Option<crate::ingest::EvtxPart>,
    },
}

/// What the worker tells the page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Report {
    /// The worker has started; sent once per bridge, before anything else.
    Ready,
    /// Decoding progressed (or finished) for one file.
    Progress(Progress),
    /// Rows decoded since the previous batch: [`Batch::encode`](crate::model::store::Batch)
    /// bytes, for the load `generation` (see [`Request::Clear`]).
    Rows {
        /// The load generation the rows belong to.
        generation: u32,
        /// The encoded batch.
        batch: Bytes,
    },
    /// A file could not be read at all (the browser refused a slice).
    ReadFailed {
        /// Which file.
        file: u32,
        /// The browser's reason.
        reason: String,
    },
    /// The answer to [`Request::Detail`].
    Detail(Box<Detail>),
    /// The answer to [`Request::Timeline`]: the sessions, oldest first.
    Timeline {
        /// The request's token.
        token: u32,
        /// The account's SID.
        sid: String,
        /// Its sessions.
        sessions: Vec<Session>,
    },
    /// The answer to [`Request::Export`].
    Exported {
        /// The request's token.
        token: u32,
        /// What it is written as.
        shape: crate::ingest::export::ExportShape,
        /// The whole export.
        text: String,
        /// Rows whose event could not be read again (the file changed or is gone).
        lost: u32,
    },
    /// The answer to [`Request::Digest`] for one file.
    Digested {
        /// Which file.
        file: u32,
        /// Its SHA-256 (64 lowercase hex digits); `None` if the browser could not read it all,
        /// or if hashing stopped.
        sha256: Option<String>,
        /// Whether hashing stopped before this file because a cancel, a clear or new files
        /// came: the page asks again once it is idle.
        stopped: bool,
    },
    /// Between workers: how far the hash of a [`Request::DigestInputs`] input has got, after
    /// every piece: the first worker takes the next worker as gone after
    /// [`PART_SILENCE_MS`](super::worker::PART_SILENCE_MS) without a word, and a large file takes
    /// seconds to hash.
    Hashing {
        /// Which file.
        file: u32,
        /// Bytes hashed so far.
        bytes: u64,
    },
    /// Between workers: the last report of a [`Request::Part`], with the logon sessions of its
    /// events (the rows and progress came before).
    PartEnd {
        /// The part's `job`.
        job: u32,
        /// Whether every byte of the part was decoded (not cancelled, not refused by the browser).
        complete: bool,
        /// The sessions of its events: [`SessionParts::encode`] in one `Uint8Array`
        /// ([`Report::part_end`], [`Report::part_sessions`]).
        sessions: Bytes,
    },
}

impl Report {
    /// The [`Report::PartEnd`] of part `job`.
    pub fn part_end(job: u32, complete: bool, sessions: &SessionParts) -> Report {
        Report::PartEnd {
            job,
            complete,
            sessions: Bytes::from_slice(&sessions.encode()),
        }
    }

    /// The sessions a [`Report::PartEnd`] carries; `None` if they do not read back (then the
    /// part is not joined: the worker before decodes it again itself).
    pub fn part_sessions(sessions: &Bytes) -> Option<SessionParts> {
        SessionParts::decode(&sessions.to_vec())
    }
}
