//! The load part: the files opened, how far each one is decoded, the problems found, and the
//! timings of the load for the figures.

use super::super::protocol::{ProblemLine, Progress, Request};
use crate::model::store::{rows_expected, BatchError, Row};

/// A file the user opened, as the page tracks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStatus {
    /// The number given to it when opened (see [`Request::Open`]).
    pub id: u32,
    /// Its name, as the browser gave it.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Bytes decoded so far.
    pub bytes: u64,
    /// Events decoded so far.
    pub events: u64,
    /// Problems found so far.
    pub problems: u64,
    /// Events lost so far.
    pub skipped: u64,
    /// Rows of it in the table so far, and the furthest byte they reach into it: what
    /// [`LoadState::expected_rows`] tells the rows it will give from.
    pub rows: u64,
    /// See `rows`.
    pub reached: u64,
    /// Events decoded after repairing the input.
    pub repaired: u64,
    /// Whether decoding finished.
    pub done: bool,
    /// Whether the user cancelled it.
    pub cancelled: bool,
    /// Why the browser could not read it, if it could not.
    pub failed: Option<String>,
    /// Its SHA-256, for the report: taken by the worker once the load is done (reading the file
    /// again), so that hashing never slows a load ([`LoadState::ask_digest`]).
    pub sha256: Option<String>,
    /// Whether the browser could not read it again for its SHA-256.
    pub unhashable: bool,
    /// Its format, once read.
    pub format: Option<crate::ingest::Format>,
}

/// One problem the page lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShownProblem {
    /// A problem of an input, as the worker sent it.
    File {
        /// The file's number.
        file: u32,
        /// The problem.
        line: ProblemLine,
    },
    /// A batch of rows the page refused (lost or repeated between the worker and the page).
    Batch(BatchError),
}

impl ShownProblem {
    /// The file it was found in, if any.
    pub fn file(&self) -> Option<u32> {
        match self {
            Self::File { file, .. } => Some(*file),
            Self::Batch(_) => None,
        }
    }

    /// A stable name for its kind ([`ProblemKind::code`](crate::decoder::ProblemKind::code);
    /// `batch` for a refused batch), the list's `data-code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::File { line, .. } => line.kind.code(),
            Self::Batch(_) => "batch",
        }
    }

    /// Whether an event was lost because of it.
    pub fn skip(&self) -> bool {
        matches!(self, Self::File { line, .. } if line.skip())
    }

    /// Whether the event was decoded after repairing the input.
    pub fn repaired(&self) -> bool {
        matches!(self, Self::File { line, .. } if line.repaired())
    }
}

/// Everything the viewer shows about loading.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadState {
    /// Whether the worker has started and files can be opened.
    pub ready: bool,
    /// Whether the worker stopped answering.
    pub worker_stopped: bool,
    /// The files opened, in the order they were opened.
    pub files: Vec<FileStatus>,
    /// The problems listed, in the order they were reported.
    pub problems: Vec<ShownProblem>,
    /// Timings for the figures.
    pub timing: Timing,
    /// Files whose SHA-256 the worker is taking ([`LoadState::ask_digest`]).
    pub digesting: Vec<u32>,
}

impl LoadState {
    pub(super) fn opened(&mut self, first_id: u32, files: Vec<(String, u64)>) {
        for (id, (name, size)) in (first_id..).zip(files) {
            self.files.push(FileStatus {
                id,
                name,
                size,
                bytes: 0,
                events: 0,
                rows: 0,
                reached: 0,
                problems: 0,
                skipped: 0,
                repaired: 0,
                done: false,
                cancelled: false,
                failed: None,
                sha256: None,
                unhashable: false,
                format: None,
            });
        }
    }

    /// Takes in which files `rows` (new in the table) come from, and how far into them.
    pub(super) fn took_rows(&mut self, rows: &[Row]) {
        for run in rows.chunk_by(|a, b| a.file == b.file) {
            if let Some(f) = self.file_mut(u32::from(run[0].file)) {
                f.rows += run.len() as u64;
                f.reached = run.iter().fold(f.reached, |at, r| at.max(r.byte_end));
            }
        }
    }

    /// The rows the files opened will give in all, as far as the rows so far tell: each file's
    /// rows per byte they reach into it, over its size. (A file shared between workers gives its
    /// first part's rows first, in file order, and the others' when they are joined to it: the
    /// rows per byte of the first part stand for all.)
    pub(super) fn expected_rows(&self) -> u64 {
        self.files
            .iter()
            .map(|f| rows_expected(f.rows, f.reached, f.size, f.done))
            .fold(0, u64::saturating_add)
    }

    pub(super) fn progress(&mut self, progress: Progress) {
        let Some(status) = self.file_mut(progress.file) else {
            return;
        };
        status.bytes = progress.bytes;
        status.events = progress.events;
        status.problems = progress.problems;
        status.skipped = progress.skipped;
        status.repaired = progress.repaired;
        status.done = progress.done;
        status.cancelled = progress.cancelled;
        if progress.done {
            status.format = progress.format;
        }
        let file = progress.file;
        self.problems.extend(
            progress
                .new_problems
                .into_iter()
                .map(|line| ShownProblem::File { file, line }),
        );
    }

    /// The files the report still needs a SHA-256 of, read to their end and not being hashed.
    fn unhashed(&self) -> impl Iterator<Item = &FileStatus> {
        self.files.iter().filter(|f| {
            f.done
                && !f.cancelled
                && f.failed.is_none()
                && f.sha256.is_none()
                && !f.unhashable
                && !self.digesting.contains(&f.id)
        })
    }

    /// The request for the SHA-256 of every file read to its end that has none yet, when the
    /// load is done and no other is being taken; `None` otherwise.
    pub(super) fn ask_digest(&mut self) -> Option<Request> {
        if self.busy() || !self.digesting.is_empty() {
            return None;
        }
        let files: Vec<u32> = self.unhashed().map(|f| f.id).collect();
        if files.is_empty() {
            return None;
        }
        self.digesting.clone_from(&files);
        Some(Request::Digest { files })
    }

    /// Takes in the SHA-256 of `file` (see [`Report::Digested`](super::super::protocol::Report)).
    /// One not asked for (by the load before a clear) is ignored.
    pub(super) fn digested(&mut self, file: u32, sha256: Option<String>, stopped: bool) {
        let Some(i) = self.digesting.iter().position(|&f| f == file) else {
            return;
        };
        self.digesting.remove(i);
        if let Some(status) = self.file_mut(file) {
            status.unhashable = sha256.is_none() && !stopped;
            status.sha256 = sha256;
        }
    }

    /// Whether the report waits for a file's SHA-256 (files still loading do not count: the
    /// report may be opened while they load, as before any hash).
    pub fn hashing(&self) -> bool {
        !self.digesting.is_empty() || (!self.busy() && self.unhashed().next().is_some())
    }

    /// The worker stopped: the files it was hashing, or would have, will have no SHA-256.
    pub(super) fn no_more_hashes(&mut self) {
        self.digesting.clear();
        for f in &mut self.files {
            if f.done && f.sha256.is_none() {
                f.unhashable = true;
            }
        }
    }

    pub(super) fn file_mut(&mut self, id: u32) -> Option<&mut FileStatus> {
        self.files.iter_mut().find(|f| f.id == id)
    }

    /// The part after a clear: no files, no problems; whether the worker is there is kept.
    pub(super) fn cleared(&self) -> Self {
        Self {
            ready: self.ready,
            worker_stopped: self.worker_stopped,
            ..Self::default()
        }
    }

    /// The file numbered `id`.
    pub fn file(&self, id: u32) -> Option<&FileStatus> {
        self.files.iter().find(|f| f.id == id)
    }

    /// Events decoded in all files.
    pub fn events(&self) -> u64 {
        self.files.iter().map(|f| f.events).sum()
    }

    /// Bytes decoded in all files.
    pub fn bytes_read(&self) -> u64 {
        self.files.iter().map(|f| f.bytes).sum()
    }

    /// Size of all files.
    pub fn bytes_total(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }

    /// Problems found in all files (including those not listed).
    pub fn problem_count(&self) -> u64 {
        self.files.iter().map(|f| f.problems).sum()
    }

    /// Events lost in all files.
    pub fn skipped(&self) -> u64 {
        self.files.iter().map(|f| f.skipped).sum()
    }

    /// Events decoded after a repair, in all files.
    pub fn repaired(&self) -> u64 {
        self.files.iter().map(|f| f.repaired).sum()
    }

    /// Whether some file is still being decoded.
    pub fn busy(&self) -> bool {
        self.files.iter().any(|f| !f.done)
    }

    /// Whether some file was cancelled.
    pub fn cancelled(&self) -> bool {
        self.files.iter().any(|f| f.cancelled)
    }
}

/// Timings for the figures (ms since page load, `performance.now()`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timing {
    /// When the current files were opened.
    pub opened: Option<f64>,
    /// When their first rows arrived.
    pub first_rows: Option<f64>,
    /// When every file was done.
    pub done: Option<f64>,
}
