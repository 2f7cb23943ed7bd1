//! The progress bar on standard error: files done, events, bytes and MB/s. Drawn only when
//! standard error is a terminal; otherwise nothing is drawn and nothing is written.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Shared by the decoding threads (bytes, events) and the thread that writes (files, problems).
pub struct Progress {
    bar: Option<ProgressBar>,
    files: u64,
    events: AtomicU64,
}

impl Progress {
    /// A bar over `files` files of `bytes` bytes in all (`None`: some sizes are unknown, such as
    /// standard input's), drawn only when standard error is a terminal.
    pub fn new(files: usize, bytes: Option<u64>) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(bytes, ProgressDrawTarget::stderr());
            let template = if bytes.is_some() {
                "{bar:30} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} {msg} ({eta})"
            } else {
                "{spinner} {binary_bytes} {binary_bytes_per_sec} {msg}"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        let progress = Self {
            bar,
            files: files as u64,
            events: AtomicU64::new(0),
        };
        progress.show(0);
        progress
    }

    /// A decoding thread read `bytes` more bytes and decoded `events` more events.
    pub fn read(&self, bytes: u64, events: u64) {
        if let Some(bar) = &self.bar {
            self.events.fetch_add(events, Ordering::Relaxed);
            bar.inc(bytes);
        }
    }

    /// `done` files are written: the message is brought up to date.
    pub fn show(&self, done: u64) {
        if let Some(bar) = &self.bar {
            let events = self.events.load(Ordering::Relaxed);
            bar.set_message(format!("files {done}/{}, {events} events", self.files));
        }
    }

    /// Writes `line` to standard error, above the bar when there is one.
    pub fn say(&self, line: &str) {
        let write = || {
            let _ = writeln!(std::io::stderr().lock(), "{line}");
        };
        match &self.bar {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    /// Takes the bar away (the last line of standard error is the command's own again).
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Refreshes a message at most every `every`.
pub struct Every {
    last: Instant,
    every: Duration,
}

impl Every {
    /// A refresh every `every`.
    pub fn new(every: Duration) -> Self {
        Self {
            last: Instant::now(),
            every,
        }
    }

    /// Whether it is time again.
    pub fn due(&mut self) -> bool {
        let now = Instant::now();
        if now.duration_since(self.last) >= self.every {
            self.last = now;
            true
        } else {
            false
        }
    }
}
