//! What the page knows about the files being decoded, and how reports change it.
//!
//! Views only dispatch [`Action`]s; [`LoadState::apply`] is the one place that changes state, a
//! plain function tested without a browser page.

use std::rc::Rc;

use yew::Reducible;

use super::protocol::{Progress, Report};

/// A file the user opened, as the page tracks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStatus {
    /// The number given to it when opened (see [`Request::Open`](super::protocol::Request)).
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
    /// Whether decoding finished.
    pub done: bool,
    /// Why the browser could not read it, if it could not.
    pub failed: Option<String>,
}

/// One problem, with the file it was found in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownProblem {
    /// The file's number.
    pub file: u32,
    /// Where (line, column, event number) and why, as the decoder's `Display` words it.
    pub text: String,
    /// Whether an event was lost.
    pub skip: bool,
}

/// Everything the viewer shows about loading.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadState {
    /// Whether the worker has started and files can be opened.
    pub ready: bool,
    /// Whether the worker stopped answering.
    pub worker_stopped: bool,
    /// The files opened, in the order they were opened.
    pub files: Vec<FileStatus>,
    /// The problems listed, in the order they were reported.
    pub problems: Vec<ShownProblem>,
}

/// A change to [`LoadState`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// The worker reported something.
    Report(Report),
    /// The user opened files: `(name, size)` each, numbered from `first_id`.
    Opened {
        /// The number of the first file.
        first_id: u32,
        /// Name and size of each file.
        files: Vec<(String, u64)>,
    },
    /// The bridge to the worker closed.
    WorkerStopped,
}

impl LoadState {
    /// Applies one action.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Opened { first_id, files } => {
                for (id, (name, size)) in (first_id..).zip(files) {
                    self.files.push(FileStatus {
                        id,
                        name,
                        size,
                        bytes: 0,
                        events: 0,
                        problems: 0,
                        skipped: 0,
                        done: false,
                        failed: None,
                    });
                }
            }
            Action::Report(Report::Ready) => self.ready = true,
            Action::Report(Report::Progress(progress)) => self.progress(progress),
            Action::Report(Report::ReadFailed { file, reason }) => {
                if let Some(status) = self.file_mut(file) {
                    status.failed = Some(reason);
                    status.done = true;
                }
            }
            Action::WorkerStopped => {
                self.ready = false;
                self.worker_stopped = true;
            }
        }
    }

    fn progress(&mut self, progress: Progress) {
        let Progress {
            file,
            bytes,
            events,
            new_problems,
            problems,
            skipped,
            done,
        } = progress;
        let Some(status) = self.file_mut(file) else {
            return;
        };
        status.bytes = bytes;
        status.events = events;
        status.problems = problems;
        status.skipped = skipped;
        status.done = done;
        self.problems
            .extend(new_problems.into_iter().map(|p| ShownProblem {
                file,
                text: p.text,
                skip: p.skip,
            }));
    }

    fn file_mut(&mut self, id: u32) -> Option<&mut FileStatus> {
        self.files.iter_mut().find(|f| f.id == id)
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

    /// Whether some file is still being decoded.
    pub fn busy(&self) -> bool {
        self.files.iter().any(|f| !f.done)
    }
}

impl Reducible for LoadState {
    type Action = Action;

    fn reduce(mut self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::make_mut(&mut self).apply(action);
        self
    }
}
