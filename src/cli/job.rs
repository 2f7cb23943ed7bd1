//! Files decoded in parallel, their results taken in order.
//!
//! One job is one file: a decoding thread takes the next file, decodes it from start to end
//! with one [`Reader`] (exactly as a single-threaded run reads it) and hands what it makes —
//! output chunks, a summary, batches of events, and its problem lines — through a bounded
//! channel of that file's own. The thread that writes takes the files' channels in order, so
//! what comes out is the same bytes whatever the number of threads.
//!
//! Memory stays bounded: a file's channel holds at most [`CHANNEL_BOUND`] messages, and a
//! decoding thread starts a file only while it is fewer than `jobs + 1` files ahead of the one
//! being written. A thread whose channel is full writes the rest of its file's output to a
//! temporary file (output that is bytes: `export`), read back when the writer comes to that
//! file — so that a later large file is decoded while an earlier one is written, not after —
//! or else waits (`summary` hands over one small value per file, `findings` batches of events).

use super::input::Input;
use super::progress::{Every, Progress};
use anyhow::{anyhow, Result};
use keytrail::decoder::{Event, Item, Problem, Severity};
use keytrail::ingest::Reader;
use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// Messages a file's channel holds before its decoding thread waits.
pub const CHANNEL_BOUND: usize = 4;

/// How much input is read at a time.
const READ_BYTES: usize = 1 << 20;

/// What a job makes of one file's events, on a decoding thread.
pub trait FileJob {
    /// What it hands to the thread that writes.
    type Out: Send;
    /// One event of the file, in file order; `emit` hands something over.
    fn event(&mut self, ev: Event, emit: &mut dyn FnMut(Self::Out));
    /// A problem of the file, in file order with its events (its line goes to standard error
    /// whatever the job does).
    fn problem(&mut self, _problem: &Problem, _emit: &mut dyn FnMut(Self::Out)) {}

    /// The file is read to its end: its reader, with the file's SHA-256, format and size
    /// (`report`). Called before [`FileJob::end`].
    fn read(&mut self, _reader: &Reader, _emit: &mut dyn FnMut(Self::Out)) {}

    /// The file has ended.
    fn end(self, emit: &mut dyn FnMut(Self::Out));
    /// `out` as bytes, if it may wait in a temporary file while the writer is busy with earlier
    /// files (`export`'s lines); `None` (the default): the decoding thread waits instead.
    fn bytes(_out: &Self::Out) -> Option<&[u8]> {
        None
    }
}

/// What the writer is given, in file order.
pub enum Got<T> {
    /// What a job made.
    Out(T),
    /// Bytes of what a job made ([`FileJob::bytes`]), read back from the temporary file it
    /// waited in; a piece may end inside a document.
    Bytes(Vec<u8>),
}

/// A file not yet taken, and the sending end of its channel.
type Slot<T> = Mutex<Option<(Input, SyncSender<Msg<T>>)>>;

enum Msg<T> {
    Out(T),
    /// The rest of the file's output, written to a temporary file when the channel was full,
    /// and the problems found meanwhile.
    Spilled(File, Vec<String>),
    Problem(String),
    /// The file has ended: whether any event was skipped (or it was not an event log).
    Done(bool),
    /// It could not be read.
    Failed(anyhow::Error),
}

/// The files handed out in order, never more than `ahead` past the one being written.
struct Turns {
    state: Mutex<(usize, usize)>,
    moved: Condvar,
    ahead: usize,
    stop: AtomicBool,
}

impl Turns {
    /// The next file to decode, once it is near enough; `None` when all are taken or the
    /// writer stopped.
    fn take(&self, files: usize) -> Option<usize> {
        let mut state = self.state.lock().ok()?;
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return None;
            }
            let (next, writing) = *state;
            if next >= files {
                return None;
            }
            if next < writing + self.ahead {
                state.0 += 1;
                return Some(next);
            }
            state = self.moved.wait(state).ok()?;
        }
    }

    /// The writer has moved on to file `n`.
    fn writing(&self, n: usize) {
        if let Ok(mut state) = self.state.lock() {
            state.1 = n;
        }
        self.moved.notify_all();
    }

    fn halt(&self) {
        self.stop.store(true, Ordering::Relaxed);
        self.moved.notify_all();
    }
}

/// Decodes `inputs` on `jobs` threads, a [`FileJob`] from `make(file number, name)` per file,
/// and gives what they make to `take(file number, out)` on this thread, in file order. Problems
/// go to standard error (above the progress bar), in order with the rest. Returns whether any
/// event was skipped or any input was not an event log; an input that cannot be read, or an
/// error from `take`, stops everything.
pub fn run<J, M, T>(
    inputs: Vec<Input>,
    jobs: usize,
    progress: &Progress,
    make: M,
    mut take: T,
) -> Result<bool>
where
    J: FileJob,
    M: Fn(usize, &str) -> J + Sync,
    T: FnMut(usize, Got<J::Out>) -> Result<()>,
{
    let files = inputs.len();
    let jobs = jobs.clamp(1, files.max(1));
    let mut receivers: Vec<Receiver<Msg<J::Out>>> = Vec::with_capacity(files);
    let mut slots: Vec<Slot<J::Out>> = Vec::with_capacity(files);
    for input in inputs {
        let (tx, rx) = sync_channel(CHANNEL_BOUND);
        receivers.push(rx);
        slots.push(Mutex::new(Some((input, tx))));
    }
    let turns = Turns {
        state: Mutex::new((0, 0)),
        moved: Condvar::new(),
        ahead: jobs + 1,
        stop: AtomicBool::new(false),
    };
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                while let Some(n) = turns.take(files) {
                    let Some((input, tx)) = slots[n].lock().ok().and_then(|mut s| s.take()) else {
                        return;
                    };
                    let job = make(n, &input.name);
                    if !decode(input, job, &tx, progress) {
                        return;
                    }
                }
            });
        }
        let result = write_in_order(&receivers, &turns, progress, &mut take);
        // Whatever happened, the decoding threads end: those waiting for a turn see the stop,
        // those sending see their channel closed.
        turns.halt();
        drop(receivers);
        result
    })
}

fn write_in_order<O, T>(
    receivers: &[Receiver<Msg<O>>],
    turns: &Turns,
    progress: &Progress,
    take: &mut T,
) -> Result<bool>
where
    T: FnMut(usize, Got<O>) -> Result<()>,
{
    let mut skipped = false;
    let mut refresh = Every::new(Duration::from_millis(100));
    for (n, rx) in receivers.iter().enumerate() {
        turns.writing(n);
        loop {
            let msg = rx
                .recv()
                .map_err(|_| anyhow!("a decoding thread ended early"))?;
            match msg {
                Msg::Out(out) => take(n, Got::Out(out))?,
                Msg::Spilled(file, problems) => {
                    let mut file = io::BufReader::new(file);
                    file.rewind()?;
                    loop {
                        let mut piece = vec![0u8; READ_BYTES];
                        let got = file.read(&mut piece)?;
                        if got == 0 {
                            break;
                        }
                        piece.truncate(got);
                        take(n, Got::Bytes(piece))?;
                    }
                    for line in problems {
                        progress.say(&line);
                    }
                }
                Msg::Problem(line) => progress.say(&line),
                Msg::Done(s) => {
                    skipped |= s;
                    break;
                }
                Msg::Failed(e) => return Err(e),
            }
            if refresh.due() {
                progress.show(n as u64);
            }
        }
        progress.show(n as u64 + 1);
    }
    Ok(skipped)
}

/// Where a decoding thread sends what it makes: the file's channel, or once that was full
/// (and the job's output can be bytes), a temporary file until the file ends.
struct Route<'a, T> {
    tx: &'a SyncSender<Msg<T>>,
    spill: Option<(io::BufWriter<File>, Vec<String>)>,
    /// The writer has gone (an error): stop.
    gone: bool,
    /// A temporary file could not be written.
    failed: Option<anyhow::Error>,
}

impl<T: Send> Route<'_, T> {
    fn out<J: FileJob<Out = T>>(&mut self, out: T) {
        if self.gone || self.failed.is_some() {
            return;
        }
        if self.spill.is_none() {
            let msg = match self.tx.try_send(Msg::Out(out)) {
                Ok(()) => return,
                Err(TrySendError::Disconnected(_)) => {
                    self.gone = true;
                    return;
                }
                Err(TrySendError::Full(msg)) => msg,
            };
            let Msg::Out(out) = msg else { return };
            if J::bytes(&out).is_none() {
                self.gone |= self.tx.send(Msg::Out(out)).is_err();
                return;
            }
            match tempfile::tempfile() {
                Ok(f) => self.spill = Some((io::BufWriter::with_capacity(1 << 20, f), Vec::new())),
                Err(e) => {
                    self.failed = Some(anyhow!("cannot create a temporary file: {e}"));
                    return;
                }
            }
            self.out::<J>(out);
            return;
        }
        if let (Some((file, _)), Some(bytes)) = (&mut self.spill, J::bytes(&out)) {
            if let Err(e) = file.write_all(bytes) {
                self.failed = Some(anyhow!("cannot write a temporary file: {e}"));
            }
        }
    }

    fn problem(&mut self, line: String) {
        match &mut self.spill {
            Some((_, problems)) => problems.push(line),
            None => self.gone |= self.tx.send(Msg::Problem(line)).is_err(),
        }
    }

    /// The file has ended; returns false when the writer has gone.
    fn done(mut self, skipped: bool) -> bool {
        if let Some((file, problems)) = self.spill.take() {
            match file.into_inner() {
                Ok(file) => self.gone |= self.tx.send(Msg::Spilled(file, problems)).is_err(),
                Err(e) => {
                    self.failed = Some(anyhow!("cannot write a temporary file: {}", e.error()))
                }
            }
        }
        if let Some(e) = self.failed {
            return self.tx.send(Msg::Failed(e)).is_ok();
        }
        !self.gone && self.tx.send(Msg::Done(skipped)).is_ok()
    }
}

/// One file, start to end, on a decoding thread. Returns false when the writer has gone.
fn decode<J: FileJob>(
    input: Input,
    mut job: J,
    tx: &SyncSender<Msg<J::Out>>,
    progress: &Progress,
) -> bool {
    let name = input.name;
    let mut reader = match input.source.open(&name) {
        Ok(r) => r,
        Err(e) => return tx.send(Msg::Failed(e)).is_ok(),
    };
    let mut route = Route {
        tx,
        spill: None,
        gone: false,
        failed: None,
    };
    let mut decoder = Reader::new();
    let mut buf = vec![0u8; READ_BYTES];
    let mut items = Vec::with_capacity(1024);
    let mut skipped = false;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return tx
                    .send(Msg::Failed(anyhow!("cannot read `{name}`: {e}")))
                    .is_ok()
            }
        };
        decoder.push(&buf[..n], &mut items);
        let events = hand_over(&name, &mut items, &mut job, &mut route, &mut skipped);
        progress.read(n as u64, events);
        if route.gone {
            return false;
        }
    }
    decoder.finish(&mut items);
    let events = hand_over(&name, &mut items, &mut job, &mut route, &mut skipped);
    progress.read(0, events);
    job.read(&decoder, &mut |out| route.out::<J>(out));
    job.end(&mut |out| route.out::<J>(out));
    route.done(skipped)
}

/// Gives `items` to the job (events) or the writer (problems); returns how many events.
fn hand_over<J: FileJob>(
    name: &str,
    items: &mut Vec<Item>,
    job: &mut J,
    route: &mut Route<'_, J::Out>,
    skipped: &mut bool,
) -> u64 {
    let mut events = 0;
    for item in items.drain(..) {
        match item {
            Item::Event(ev) => {
                events += 1;
                job.event(ev, &mut |out| route.out::<J>(out));
            }
            Item::Problem(p) => {
                if matches!(p.severity, Severity::Skipped | Severity::Rejected) {
                    *skipped = true;
                }
                job.problem(&p, &mut |out| route.out::<J>(out));
                route.problem(format!("{name}:{p}"));
            }
        }
    }
    events
}
