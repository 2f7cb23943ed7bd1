//! Every string the viewer shows, in one place (a later issue adds Japanese beside [`EN`]).

/// The viewer's user-visible strings in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    /// The page heading.
    pub title: &'static str,
    /// The promise made to the user under the heading.
    pub privacy: &'static str,
    /// The label of the file picker.
    pub choose_files: &'static str,
    /// The hint beside the picker.
    pub drop_hint: &'static str,
    /// The hint while files are dragged over the page.
    pub drop_now: &'static str,
    /// Shown until the worker has started.
    pub starting: &'static str,
    /// After an event count: singular, plural (see [`Text::events`]).
    pub events_word: [&'static str; 2],
    /// Before the bytes read: "read 3 MiB of 10 MiB".
    pub read: &'static str,
    /// Between bytes read and total.
    pub of: &'static str,
    /// The heading of the problems list.
    pub problems: &'static str,
    /// Before the number of problems.
    pub problems_found: &'static str,
    /// Before the number of events lost.
    pub events_skipped: &'static str,
    /// When a file has no problems at all.
    pub no_problems: &'static str,
    /// When more problems were found than are listed.
    pub more_problems: &'static str,
    /// When the browser could not read a file.
    pub read_failed: &'static str,
    /// When the worker stopped answering.
    pub worker_stopped: &'static str,
    /// The heading of the file list.
    pub files: &'static str,
    /// A file still being decoded.
    pub decoding: &'static str,
    /// A file fully decoded.
    pub done: &'static str,
}

/// English.
pub const EN: Text = Text {
    title: "keytrail",
    privacy: "Windows Security event logs (XML), decoded in this tab. Nothing is uploaded.",
    choose_files: "Open files…",
    drop_hint: "or drop exported XML files anywhere on this page.",
    drop_now: "Drop to decode",
    starting: "Starting the decoder…",
    events_word: ["event", "events"],
    read: "read",
    of: "of",
    problems: "Problems",
    problems_found: "Problems found",
    events_skipped: "events skipped",
    no_problems: "No problems found.",
    more_problems: "more not listed",
    read_failed: "could not be read",
    worker_stopped: "The decoder stopped unexpectedly. Reload the page to try again.",
    files: "Files",
    decoding: "decoding",
    done: "done",
};

impl Text {
    /// The word after an event count of `n`.
    pub fn events(&self, n: u64) -> &'static str {
        self.events_word[usize::from(n != 1)]
    }
}

/// A byte count for people: `812 B`, `3.4 KiB`, `1.2 GiB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    #[allow(clippy::cast_precision_loss)] // one decimal is shown
    let mut value = n as f64 / 1024.0;
    let mut unit = UNITS[0];
    for next in &UNITS[1..] {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = next;
    }
    format!("{value:.1} {unit}")
}
