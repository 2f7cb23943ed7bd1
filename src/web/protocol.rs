//! The messages between the page and the decoding worker.
//!
//! Rows travel as [`Batch::encode`](crate::model::store::Batch::encode) bytes inside a
//! `Uint8Array` ([`Bytes`]), never as one JavaScript object per row, so a million events cost a
//! few hundred structured clones of plain buffers.

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
    /// Stop reading: the file being decoded ends where it is, files still queued are not read.
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

/// A problem found in one file, as shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemLine {
    /// Why, and what it did to the event, as the decoder words it
    /// ([`Problem::reason`](crate::decoder::Problem::reason)).
    pub reason: String,
    /// Whether an event was lost because of it.
    pub skip: bool,
    /// Whether the event was decoded after repairing the input.
    pub repaired: bool,
    /// The kind, as [`ProblemKind::code`](crate::decoder::ProblemKind::code) names it.
    pub code: String,
    /// The kind's own values (reason, tag names, limit, entity name…), in declaration order.
    pub params: Vec<String>,
    /// Byte offset in the file (what says where in a binary `.evtx` file).
    pub byte: u64,
    /// Line (1-based; 0 in a binary `.evtx` file).
    pub line: u64,
    /// Column (1-based, characters).
    pub column: u64,
    /// The event's ordinal in its file, when the problem concerns one.
    pub event: Option<u64>,
}

impl ProblemLine {
    /// The whole English text: `LINE:COLUMN: event N: reason`, as the CLI writes it (in an
    /// `.evtx` file, `chunk C, offset 0xB: …`); a problem of no place in a file (a batch lost
    /// between the worker and the page) is its reason alone.
    pub fn text(&self) -> String {
        if self.code == BATCH_PROBLEM {
            return self.reason.clone();
        }
        crate::decoder::place(self.position(), self.event) + &self.reason
    }

    /// Where in its file.
    pub fn position(&self) -> crate::decoder::Position {
        crate::decoder::Position {
            byte: self.byte,
            line: self.line,
            column: self.column,
        }
    }
}

/// The code of the problem shown when a batch of rows is refused (lost or repeated between the
/// worker and the page).
pub const BATCH_PROBLEM: &str = "batch";

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
    /// Events decoded after a repair of the input, so far.
    pub repaired: u64,
    /// Whether the file is finished.
    pub done: bool,
    /// Whether it finished because the user cancelled.
    pub cancelled: bool,
}

impl Progress {
    /// Nothing done yet for file `file`.
    pub fn new(file: u32) -> Self {
        Self {
            file,
            bytes: 0,
            events: 0,
            new_problems: Vec::new(),
            problems: 0,
            skipped: 0,
            repaired: 0,
            done: false,
            cancelled: false,
        }
    }
}

/// One field of an event, as written and as keytrail decodes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldLine {
    /// The field's name (`Name` attribute, System element name, or UserData path).
    pub name: String,
    /// The value as written.
    pub raw: String,
    /// The decoded value, when a table decodes it.
    pub decoded: Option<String>,
}

/// One event decoded again for the detail pane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detail {
    /// The request's token.
    pub token: u32,
    /// The event ID (0 when the slice did not decode).
    pub event_id: u32,
    /// Every System field.
    pub system: Vec<FieldLine>,
    /// Every body field, in document order.
    pub fields: Vec<FieldLine>,
    /// `RenderingInfo/@Culture` ("" without RenderingInfo).
    pub culture: String,
    /// RenderingInfo children, as Windows rendered them.
    pub rendering: Vec<(String, String)>,
    /// The raw XML, as text.
    pub xml: String,
    /// Why the event could not be decoded again, if it could not.
    pub error: Option<String>,
    /// The logon session the event ran in, for events that name one (`SubjectLogonId`).
    pub session: Option<SessionLink>,
}

impl Detail {
    /// An answer to request `token` with nothing in it yet.
    pub fn empty(token: u32) -> Self {
        Self {
            token,
            event_id: 0,
            system: Vec::new(),
            fields: Vec::new(),
            culture: String::new(),
            rendering: Vec::new(),
            xml: String::new(),
            error: None,
            session: None,
        }
    }
}

/// Where an event's logon ID leads (see [`Link`](crate::model::session::Link)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionLink {
    /// A well-known session such as SYSTEM's (`0x3e7`), by name.
    WellKnown(String),
    /// No logon event for it on this computer before the event.
    NotInExport,
    /// The session, with its logon, privileges and logoff.
    Session(Box<Session>),
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
    /// Between workers: the last report of a [`Request::Part`], with the logon sessions of its
    /// events (the rows and progress came before).
    PartEnd {
        /// The part's `job`.
        job: u32,
        /// Whether every byte of the part was decoded (not cancelled, not refused by the browser).
        complete: bool,
        /// The sessions of its events.
        sessions: SessionParts,
    },
}

/// The most problem texts kept per file; a broken multi-gigabyte file must not flood the page.
pub const MAX_PROBLEMS_PER_FILE: u64 = 500;
