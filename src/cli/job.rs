//! Files decoded in parallel, their results taken in order.
//!
//! The work is cut into pieces: a file is one piece, or, when there is more than one job and the
//! file is large enough (an XML or `.evtx` file of at least twice [`PART_BYTES`]), parts of
//! about [`PART_BYTES`] each (8 MiB), cut as the page's chain of workers cuts a file (`ingest::chain`):
//! at an `.evtx` chunk, or where an `<Event` starts in an XML file. A decoding thread takes the
//! next piece, decodes it with one [`Reader`] (a part's reader starts at the part, as the next
//! worker of the chain does) and hands what it makes — output, a summary, batches of events,
//! its problems — through a bounded channel of that piece's own. The thread that writes takes
//! the pieces' channels in order and moves what a part made to its place in the whole file (its
//! events' numbers and positions, its problems: [`Boundary`]), so what comes out is the same
//! bytes whatever the number of threads. A part whose reader did not stop cleanly at its end (an
//! event left open) reads on to the end of the file, as one reader would, and the file's later
//! parts are dropped.
//!
//! Memory stays bounded: a piece's channel holds at most [`FileJob::BOUND`] messages, and a
//! decoding thread starts a piece only while it is fewer than `jobs + 1` pieces ahead of the one
//! being written. A thread whose channel is full writes the rest of its piece's output to a
//! temporary file when the job can ([`FileJob::spill`]: `export`), read back when the writer
//! comes to that piece, or else waits.

use super::input::{Input, Source};
use super::progress::{Every, Progress};
use anyhow::{anyhow, Result};
use keytrail::decoder::{Boundary, Event, Item, Problem, Severity};
use keytrail::ingest::chain::SplitWindow;
use keytrail::ingest::{EvtxPart, Format, Reader};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// Messages a piece's channel holds before its decoding thread waits (or spills).
pub const CHANNEL_BOUND: usize = 4;

/// How much input is read at a time.
const READ_BYTES: usize = 1 << 20;

/// The size of a part of a large file ([`KEYTRAIL_PART_BYTES`](PART_BYTES_VAR) overrides it: the
/// tests cut small files). Parts of 4 MiB cost ~12 % more CPU than parts of 16 MiB, for reasons
/// not yet found; 8 MiB keeps the last part short.
pub const PART_BYTES: u64 = 8 << 20;

/// The environment variable that sets the size of parts (bytes), for tests.
pub const PART_BYTES_VAR: &str = "KEYTRAIL_PART_BYTES";

/// The environment variable that sets how many messages a piece's channel holds (instead of
/// [`FileJob::BOUND`]), for tests: 1 has pieces ahead wait in temporary files.
pub const CHANNEL_BOUND_VAR: &str = "KEYTRAIL_CHANNEL_BOUND";

/// The positive number environment variable `name` holds, if it holds one (the tests' and the
/// benchmarks' overrides: anything else leaves the default).
fn positive_var<N: std::str::FromStr + PartialOrd + Default>(name: &str) -> Option<N> {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > N::default())
}

/// The environment variable that, set to 1, has each part named on standard error as it is
/// planned (`keytrail: part FILE START..END`), for tests.
pub const PARTS_TRACE_VAR: &str = "KEYTRAIL_TRACE_PARTS";

/// Where a job's piece lies in its file.
#[derive(Clone, Copy, Debug)]
pub struct Place {
    /// It starts at the start of the file.
    pub first: bool,
    /// It ends at the end of the file.
    pub last: bool,
}

/// What a job makes of one piece's events, on a decoding thread.
pub trait FileJob {
    /// What it hands to the thread that writes.
    type Out: Send;

    /// Whether it reads each file whole with one reader that takes the file's SHA-256 (see
    /// [`FileJob::read`]): its files are never cut into parts.
    const WHOLE: bool = false;

    /// Messages a piece's channel holds (see [`CHANNEL_BOUND`]).
    const BOUND: usize = CHANNEL_BOUND;

    /// One event of the piece, in file order; `emit` hands something over. The events of a
    /// part are numbered and placed from the part's start: see [`FileJob::place`].
    fn event(&mut self, ev: Event, emit: &mut dyn FnMut(Self::Out));

    /// A problem of the file, in file order with its events (its line goes to standard error
    /// whatever the job does). Only for [`FileJob::WHOLE`] jobs, whose places are the file's.
    fn problem(&mut self, _problem: &Problem, _emit: &mut dyn FnMut(Self::Out)) {}

    /// The file is read to its end: its reader, with the file's SHA-256, format and size
    /// (`report`: [`FileJob::WHOLE`]). Called before [`FileJob::end`].
    fn read(&mut self, _reader: &Reader, _emit: &mut dyn FnMut(Self::Out)) {}

    /// The piece has ended.
    fn end(self, emit: &mut dyn FnMut(Self::Out));

    /// What a part made, moved to the whole file (`at`: where the part starts): event numbers
    /// and positions. Output that has none stays as it is (the default).
    fn place(out: Self::Out, _at: &Boundary) -> Self::Out {
        out
    }

    /// Appends `out` as bytes to `to`, if it may wait in a temporary file while the writer is
    /// busy with earlier pieces (`export`); false (the default): the decoding thread waits
    /// instead.
    fn spill(_out: &Self::Out, _to: &mut Vec<u8>) -> bool {
        false
    }

    /// `out` again from the bytes [`FileJob::spill`] wrote.
    fn unspill(_from: Vec<u8>) -> Option<Self::Out> {
        None
    }
}

/// One piece of work: bytes `range` of file `file`.
#[derive(Clone, Debug)]
struct Piece {
    file: usize,
    range: Range<u64>,
    place: Place,
    /// A part of an `.evtx` file after the first: its chunks.
    evtx: Option<EvtxPart>,
}

/// A piece not yet taken: where its bytes come from, the sending end of its channel.
type Slot<T> = Mutex<Option<(Source, SyncSender<Msg<T>>)>>;

enum Msg<T> {
    Out(T),
    /// The rest of the piece's output, written to a temporary file when the channel was full
    /// ([`FileJob::spill`], each behind its length), and the problems found meanwhile.
    Spilled(File, Vec<Problem>),
    Problem(Problem),
    /// The piece has ended: whether any event was skipped (or it was not an event log), and
    /// where the next part starts from this one's start (a part that stopped cleanly), or that
    /// it read on to the end of the file.
    Done {
        skipped: bool,
        next: Option<Boundary>,
        to_end: bool,
    },
    /// It could not be read.
    Failed(anyhow::Error),
}

/// The pieces handed out in order, never more than `ahead` past the one being written.
struct Turns {
    state: Mutex<(usize, usize)>,
    moved: Condvar,
    ahead: usize,
    stop: AtomicBool,
}

impl Turns {
    /// The next piece to decode, once it is near enough; `None` when all are taken or the
    /// writer stopped.
    fn take(&self, pieces: usize) -> Option<usize> {
        let mut state = self.state.lock().ok()?;
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return None;
            }
            let (next, writing) = *state;
            if next >= pieces {
                return None;
            }
            if next < writing + self.ahead {
                state.0 += 1;
                return Some(next);
            }
            state = self.moved.wait(state).ok()?;
        }
    }

    /// The writer has moved on to piece `n`.
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

/// Decodes `inputs` on `jobs` threads, a [`FileJob`] from `make(file number, name, place)` per
/// piece, and gives what they make to `take(file number, out)` on this thread, in file order.
/// Problems go to standard error (above the progress bar, drawn on a terminal until every
/// piece is written), in order with the rest. Returns
/// whether any event was skipped or any input was not an event log; an input that cannot be
/// read, or an error from `take`, stops everything.
pub fn run<J, M, T>(inputs: Vec<Input>, jobs: usize, make: M, take: T) -> Result<bool>
where
    J: FileJob,
    M: Fn(usize, &str, Place) -> J + Sync,
    T: FnMut(usize, J::Out) -> Result<()>,
{
    let bytes = inputs.iter().map(|i| i.size).sum::<Option<u64>>();
    let progress = Progress::new(inputs.len(), bytes);
    let result = run_with(inputs, jobs, &progress, make, take);
    if std::env::var(PARTS_TRACE_VAR).is_ok_and(|v| v == "1") {
        let spills = SPILLS.load(Ordering::Relaxed);
        progress.say(&format!(
            "keytrail: {spills} pieces waited in a temporary file"
        ));
    }
    progress.finish();
    result
}

fn run_with<J, M, T>(
    inputs: Vec<Input>,
    jobs: usize,
    progress: &Progress,
    make: M,
    mut take: T,
) -> Result<bool>
where
    J: FileJob,
    M: Fn(usize, &str, Place) -> J + Sync,
    T: FnMut(usize, J::Out) -> Result<()>,
{
    let jobs = jobs.max(1);
    let part_bytes = positive_var(PART_BYTES_VAR).unwrap_or(PART_BYTES);
    let trace = std::env::var(PARTS_TRACE_VAR).is_ok_and(|v| v == "1");
    let mut names = Vec::with_capacity(inputs.len());
    let mut pieces = Vec::with_capacity(inputs.len());
    let mut sources = Vec::with_capacity(inputs.len());
    for (file, input) in inputs.into_iter().enumerate() {
        let parts = match (&input.source, input.size) {
            (Source::Opened(_) | Source::Found(_), Some(size))
                if jobs > 1 && !J::WHOLE && size >= 2 * part_bytes =>
            {
                let path = path_of(&input);
                cuts(&path, size, part_bytes).map(|cuts| (path, size, cuts))
            }
            _ => None,
        };
        match parts {
            Some((path, size, cuts)) => {
                let mut starts: Vec<(u64, Option<EvtxPart>)> = vec![(0, None)];
                starts.extend(cuts);
                for (i, &(start, evtx)) in starts.iter().enumerate() {
                    let end = starts.get(i + 1).map_or(size, |c| c.0);
                    let last = i + 1 == starts.len();
                    if trace {
                        progress.say(&format!("keytrail: part {} {start}..{end}", input.name));
                    }
                    pieces.push(Piece {
                        file,
                        // The last part reads on to the end, whatever the size was.
                        range: start..if last { u64::MAX } else { end },
                        place: Place {
                            first: i == 0,
                            last,
                        },
                        evtx,
                    });
                }
                sources.push(Some(input.source));
                sources.extend((1..starts.len()).map(|_| Some(Source::Found(path.clone()))));
            }
            None => {
                pieces.push(Piece {
                    file,
                    range: 0..u64::MAX,
                    place: Place {
                        first: true,
                        last: true,
                    },
                    evtx: None,
                });
                sources.push(Some(input.source));
            }
        }
        names.push(input.name);
    }
    let count = pieces.len();
    let threads = jobs.min(count.max(1));
    let mut receivers: Vec<Receiver<Msg<J::Out>>> = Vec::with_capacity(count);
    let mut slots: Vec<Slot<J::Out>> = Vec::with_capacity(count);
    let bound = positive_var(CHANNEL_BOUND_VAR).unwrap_or(J::BOUND);
    for source in sources {
        let (tx, rx) = sync_channel(bound);
        receivers.push(rx);
        slots.push(Mutex::new(source.map(|s| (s, tx))));
    }
    // A file that a part read to its end: its later parts are not decoded.
    let covered: Vec<AtomicBool> = names.iter().map(|_| AtomicBool::new(false)).collect();
    let turns = Turns {
        state: Mutex::new((0, 0)),
        moved: Condvar::new(),
        ahead: threads + 1,
        stop: AtomicBool::new(false),
    };
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                // One buffer for every piece the thread reads (not faulted in again for each).
                let mut buf = vec![0u8; READ_BYTES];
                while let Some(n) = turns.take(count) {
                    let Some((source, tx)) = slots[n].lock().ok().and_then(|mut s| s.take()) else {
                        return;
                    };
                    let piece = &pieces[n];
                    let name = &names[piece.file];
                    let ok = if covered[piece.file].load(Ordering::Relaxed) {
                        tx.send(Msg::Done {
                            skipped: false,
                            next: None,
                            to_end: false,
                        })
                        .is_ok()
                    } else {
                        let job = make(piece.file, name, piece.place);
                        decode(source, name, piece, job, &tx, progress, &mut buf)
                    };
                    if !ok {
                        return;
                    }
                }
            });
        }
        let result = write_in_order::<J, T>(
            &receivers, &pieces, &names, &covered, &turns, progress, &mut take,
        );
        // Whatever happened, the decoding threads end: those waiting for a turn see the stop,
        // those sending see their channel closed.
        turns.halt();
        drop(receivers);
        result
    })
}

/// The path to open an input again at a part of it.
fn path_of(input: &Input) -> PathBuf {
    match &input.source {
        Source::Found(p) => p.clone(),
        _ => PathBuf::from(&input.name),
    }
}

/// Where a file of `size` bytes at `path` is cut into parts of about `part_bytes`: each later
/// part's start (and, in an `.evtx` file, its chunks); `None` for a file that is not cut (not
/// XML nor `.evtx`, or too short). The cuts are the tab's ([`SplitWindow`]): an `.evtx` file at
/// the first chunk after each `part_bytes`, an XML file at the first `<Event` after them.
fn cuts(path: &PathBuf, size: u64, part_bytes: u64) -> Option<Vec<(u64, Option<EvtxPart>)>> {
    let mut file = File::open(path).ok()?;
    let mut head = Vec::new();
    (&mut file).take(64 << 10).read_to_end(&mut head).ok()?;
    let mut reader = Reader::unhashed();
    let mut items = Vec::new();
    reader.push(&head, &mut items);
    let format = reader.format()?;
    if !matches!(format, Format::Evtx | Format::Xml) {
        return None;
    }
    let mut cuts = Vec::new();
    let mut window = Vec::new();
    let mut at = part_bytes;
    // The last part has at least half a part.
    while at + part_bytes / 2 <= size {
        let cut = match format {
            Format::Evtx => reader
                .evtx_part_at(at, size)
                .map(|part| (part.start(), Some(part))),
            _ => {
                // The window's first 64 KiB hold an event's start but for events that large;
                // read further only then (a cut per 8 MiB of a file is planned before decoding).
                let place = SplitWindow::after(at, size);
                let bytes = place.bytes();
                file.seek(SeekFrom::Start(bytes.start)).ok()?;
                window.clear();
                let mut found = None;
                for upto in [64 << 10, bytes.end - bytes.start] {
                    let more = upto.saturating_sub(window.len() as u64);
                    (&mut file).take(more).read_to_end(&mut window).ok()?;
                    found = place.xml(reader.encoding(), &window).map(|s| (s.at, None));
                    if found.is_some() {
                        break;
                    }
                }
                found
            }
        };
        let Some((start, part)) = cut else {
            at += part_bytes;
            continue;
        };
        if start + part_bytes / 2 > size {
            break;
        }
        cuts.push((start, part));
        at = start + part_bytes;
    }
    (!cuts.is_empty()).then_some(cuts)
}

/// Where the part after the next starts, from the start of the file: `at` (where the next
/// starts, `None` for the first part) and `next` (where the one after starts, from the next's
/// start).
fn compose(at: Option<Boundary>, next: Boundary) -> Boundary {
    match at {
        None => next,
        Some(at) => Boundary {
            position: at.position(next.position),
            events: at.event(next.events),
            dtd_seen: at.dtd_seen || next.dtd_seen,
        },
    }
}

fn write_in_order<J, T>(
    receivers: &[Receiver<Msg<J::Out>>],
    pieces: &[Piece],
    names: &[String],
    covered: &[AtomicBool],
    turns: &Turns,
    progress: &Progress,
    take: &mut T,
) -> Result<bool>
where
    J: FileJob,
    T: FnMut(usize, J::Out) -> Result<()>,
{
    let mut skipped = false;
    let mut refresh = Every::new(Duration::from_millis(100));
    // Where the piece being written starts in its file (`None`: at its start). Whether a part
    // before it read the file to its end is `covered[file]`.
    let mut at: Option<Boundary> = None;
    for (n, rx) in receivers.iter().enumerate() {
        let piece = &pieces[n];
        let file = piece.file;
        let name = &names[file];
        if piece.place.first {
            at = None;
        }
        turns.writing(n);
        let say = |p: Problem, at: &Option<Boundary>| {
            let p = match at {
                Some(b) => b.problem(p),
                None => Some(p),
            };
            if let Some(p) = p {
                progress.say(&format!("{name}:{p}"));
            }
        };
        loop {
            let msg = rx
                .recv()
                .map_err(|_| anyhow!("a decoding thread ended early"))?;
            if covered[file].load(Ordering::Relaxed) {
                if matches!(msg, Msg::Done { .. } | Msg::Failed(_)) {
                    break;
                }
                continue;
            }
            let place = |out: J::Out| match &at {
                Some(b) => J::place(out, b),
                None => out,
            };
            match msg {
                Msg::Out(out) => take(file, place(out))?,
                Msg::Spilled(spill, problems) => {
                    let mut spill = io::BufReader::with_capacity(READ_BYTES, spill);
                    spill.rewind()?;
                    let mut len = [0u8; 8];
                    loop {
                        match spill.read_exact(&mut len) {
                            Ok(()) => {}
                            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
                            Err(e) => return Err(e.into()),
                        }
                        let mut bytes = vec![0u8; u64::from_le_bytes(len) as usize];
                        spill.read_exact(&mut bytes)?;
                        let out = J::unspill(bytes)
                            .ok_or_else(|| anyhow!("a temporary file was not read back"))?;
                        take(file, place(out))?;
                    }
                    for p in problems {
                        say(p, &at);
                    }
                }
                Msg::Problem(p) => say(p, &at),
                Msg::Done {
                    skipped: s,
                    next,
                    to_end,
                } => {
                    skipped |= s;
                    if to_end {
                        covered[file].store(true, Ordering::Relaxed);
                    } else if let Some(next) = next {
                        at = Some(compose(at, next));
                    }
                    break;
                }
                Msg::Failed(e) => return Err(e),
            }
            if refresh.due() {
                progress.show(file as u64);
            }
        }
        if piece.place.last {
            progress.show(file as u64 + 1);
        }
    }
    Ok(skipped)
}

/// How many pieces had their output wait in a temporary file (named with
/// [`PARTS_TRACE_VAR`]).
static SPILLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Where a decoding thread sends what it makes: the piece's channel, or once that was full
/// (and the job's output can wait as bytes), a temporary file until the piece ends.
struct Route<'a, T> {
    tx: &'a SyncSender<Msg<T>>,
    spill: Option<(io::BufWriter<File>, Vec<Problem>)>,
    /// One output as bytes ([`FileJob::spill`]).
    bytes: Vec<u8>,
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
            let out = match self.tx.try_send(Msg::Out(out)) {
                Ok(()) => return,
                Err(TrySendError::Disconnected(_)) => {
                    self.gone = true;
                    return;
                }
                Err(TrySendError::Full(Msg::Out(out))) => out,
                Err(TrySendError::Full(_)) => return,
            };
            self.bytes.clear();
            if !J::spill(&out, &mut self.bytes) {
                self.gone |= self.tx.send(Msg::Out(out)).is_err();
                return;
            }
            SPILLS.fetch_add(1, Ordering::Relaxed);
            match tempfile::tempfile() {
                Ok(f) => self.spill = Some((io::BufWriter::with_capacity(1 << 20, f), Vec::new())),
                Err(e) => {
                    self.failed = Some(anyhow!("cannot create a temporary file: {e}"));
                    return;
                }
            }
        } else {
            self.bytes.clear();
            if !J::spill(&out, &mut self.bytes) {
                // It cannot wait in the file: what waits there goes first.
                self.flush();
                self.gone |= self.tx.send(Msg::Out(out)).is_err();
                return;
            }
        }
        if let Some((file, _)) = &mut self.spill {
            let len = (self.bytes.len() as u64).to_le_bytes();
            if let Err(e) = file
                .write_all(&len)
                .and_then(|()| file.write_all(&self.bytes))
            {
                self.failed = Some(anyhow!("cannot write a temporary file: {e}"));
            }
        }
    }

    fn problem(&mut self, p: Problem) {
        match &mut self.spill {
            Some((_, problems)) => problems.push(p),
            None => self.gone |= self.tx.send(Msg::Problem(p)).is_err(),
        }
    }

    /// Hands the temporary file over, if there is one.
    fn flush(&mut self) {
        if let Some((file, problems)) = self.spill.take() {
            match file.into_inner() {
                Ok(file) => self.gone |= self.tx.send(Msg::Spilled(file, problems)).is_err(),
                Err(e) => {
                    self.failed = Some(anyhow!("cannot write a temporary file: {}", e.error()))
                }
            }
        }
    }

    /// The piece has ended; returns false when the writer has gone.
    fn done(mut self, skipped: bool, next: Option<Boundary>, to_end: bool) -> bool {
        self.flush();
        if let Some(e) = self.failed {
            return self.tx.send(Msg::Failed(e)).is_ok();
        }
        !self.gone
            && self
                .tx
                .send(Msg::Done {
                    skipped,
                    next,
                    to_end,
                })
                .is_ok()
    }
}

/// One piece on a decoding thread. Returns false when the writer has gone.
fn decode<J: FileJob>(
    source: Source,
    name: &str,
    piece: &Piece,
    mut job: J,
    tx: &SyncSender<Msg<J::Out>>,
    progress: &Progress,
    buf: &mut [u8],
) -> bool {
    let opened = if piece.range.start == 0 {
        source.open(name)
    } else {
        let path = match source {
            Source::Found(p) => p,
            _ => PathBuf::from(name),
        };
        File::open(&path)
            .and_then(|mut f| f.seek(SeekFrom::Start(piece.range.start)).map(|_| f))
            .map(|f| Box::new(f) as Box<dyn Read + Send>)
            .map_err(|e| anyhow!("cannot open `{name}`: {e}"))
    };
    let mut input = match opened {
        Ok(r) => r,
        Err(e) => return tx.send(Msg::Failed(e)).is_ok(),
    };
    let mut route = Route {
        tx,
        spill: None,
        bytes: Vec::new(),
        gone: false,
        failed: None,
    };
    let mut reader = if !piece.place.first {
        piece.evtx.map_or_else(Reader::unhashed, Reader::evtx_part)
    } else if J::WHOLE {
        Reader::new()
    } else {
        // Only a whole file's reader has a SHA-256 to give, and only `read` asks for it.
        Reader::unhashed()
    };
    let mut items = Vec::with_capacity(1024);
    let mut skipped = false;
    let mut left = piece.range.end - piece.range.start;
    let mut to_end = false;
    loop {
        let want = (buf.len() as u64).min(left) as usize;
        if want == 0 {
            // The end of a part: the next part joins here if this reader stopped cleanly;
            // else this one reads on to the end of the file, as one reader would.
            if let Some(next) = reader.boundary() {
                job.end(&mut |out| route.out::<J>(out));
                return route.done(skipped, Some(next), false);
            }
            left = u64::MAX;
            to_end = true;
            continue;
        }
        let n = match input.read(&mut buf[..want]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return tx
                    .send(Msg::Failed(anyhow!("cannot read `{name}`: {e}")))
                    .is_ok()
            }
        };
        left -= n as u64;
        reader.push(&buf[..n], &mut items);
        let events = hand_over(&mut items, &mut job, &mut route, &mut skipped);
        progress.read(n as u64, events);
        if route.gone {
            return false;
        }
    }
    // The end of the file (before a part's end, if the file shrank: it ended here).
    reader.finish(&mut items);
    let events = hand_over(&mut items, &mut job, &mut route, &mut skipped);
    progress.read(0, events);
    job.read(&reader, &mut |out| route.out::<J>(out));
    job.end(&mut |out| route.out::<J>(out));
    route.done(skipped, None, to_end || !piece.place.last)
}

/// Gives `items` to the job (events) or the writer (problems); returns how many events.
fn hand_over<J: FileJob>(
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
                route.problem(p);
            }
        }
    }
    events
}
