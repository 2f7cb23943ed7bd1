//! The chain of decoding workers, without any browser API: which bytes of a file are read next
//! (the slice plan), where a large file is split between a worker and the next one, and how the
//! next worker's part is joined back as if one decoder had read the whole file.
//!
//! A worker reads a file in slices ([`first_slice`], then [`slices`]) and feeds each to its
//! [`FileDecoder`] ([`feed`]), sending each batch of rows it gives. With a next worker, a large
//! file is cut: while its first slice is read, this worker reads a [`SplitWindow`] near the end
//! of its own share; once the format is known, the window says where the next worker's part
//! starts ([`SplitWindow::evtx`], [`SplitWindow::xml`]). The next worker decodes the part as a
//! file of its own and reports on it ([`PartReport`]); this worker collects those reports
//! ([`Part::collect`]), and once its own share is decoded, joins them ([`Part::join`],
//! [`Joining`]), or, if its decoder did not stop cleanly where the part starts, decodes the rest
//! itself. The worker (`web::worker`) only reads the slices, moves the messages and keeps time.

use std::ops::Range;

use super::file::{Collected, FileDecoder, ProblemLine, Progress, MAX_DECODING_WORKERS};
use super::EvtxPart;
use crate::decoder::{find_event_start, Boundary, TextEncoding};
use crate::model::session::SessionParts;
use crate::model::store::{Batch, Joiner};

/// How much of a file is read at once: large enough that the per-slice cost (a promise, a copy
/// into wasm memory, a progress message) is small, small enough to keep memory flat.
pub const SLICE_BYTES: u64 = 16 * 1024 * 1024;

/// The first slice of a file is small, so that its first rows show at once.
pub const FIRST_SLICE_BYTES: u64 = 128 * 1024;

/// Rows are sent once this many are waiting (and at the end of every slice).
pub const BATCH_ROWS: usize = 20_000;

/// The decoder is fed this much at a time, so batches stay near [`BATCH_ROWS`].
const FEED_BYTES: usize = 256 * 1024;

/// Files with at least this much after their first slice are shared with the next worker of the
/// chain: this one decodes up to an `<Event` (or, in an `.evtx` file, a chunk) near the end of its
/// share, the next one from there.
pub const SPLIT_BYTES: u64 = 4 * 1024 * 1024;

/// How far after the end of a worker's share the next part's first `<Event` is looked for.
const SPLIT_WINDOW: u64 = 1024 * 1024;

/// How much of a file of `size` bytes is read first ([`FIRST_SLICE_BYTES`], or all of a
/// smaller file); the rest follows in [`slices`].
pub fn first_slice(size: u64) -> u64 {
    FIRST_SLICE_BYTES.min(size)
}

/// The slices bytes `range` of a file are read in, in order: the first [`RAMP_BYTES`], each next
/// one twice the one before up to [`SLICE_BYTES`], the last one shorter; none for an empty
/// range. A worker reads the next slice while it decodes one, but the browser moves its bytes in
/// only when the worker's thread is free: small slices first keep the first wait short.
///
/// ```
/// use keytrail::ingest::chain::{slices, RAMP_BYTES, SLICE_BYTES};
///
/// let size = 7 * RAMP_BYTES + 2 * SLICE_BYTES + 5;
/// let s: Vec<_> = slices(0..size).map(|s| s.end - s.start).collect();
/// assert_eq!(s, [RAMP_BYTES, 2 * RAMP_BYTES, 4 * RAMP_BYTES, SLICE_BYTES, SLICE_BYTES, 5]);
/// assert_eq!(slices(5..5).count(), 0);
/// ```
pub fn slices(range: Range<u64>) -> impl Iterator<Item = Range<u64>> {
    let end = range.end;
    let first = range.start..range.start.saturating_add(RAMP_BYTES).min(end);
    std::iter::successors((range.start < end).then_some(first), move |slice| {
        let size = (2 * (slice.end - slice.start)).clamp(RAMP_BYTES, SLICE_BYTES);
        (slice.end < end).then(|| slice.end..slice.end.saturating_add(size).min(end))
    })
}

/// The first slice of a range (after [`FIRST_SLICE_BYTES`]) is this large; see [`slices`].
pub const RAMP_BYTES: u64 = 2 * 1024 * 1024;

/// Feeds one `slice` of a file to `decoder`, 256 KiB at a time, its events into
/// `collected`; gives the batches of rows to send, in order, as they fill: each encoded
/// ([`Batch::encode`]) once [`BATCH_ROWS`] rows wait, and the rows left at the end of the slice.
pub fn feed<'a>(
    decoder: &'a mut FileDecoder,
    slice: &'a [u8],
    collected: &'a mut Collected,
) -> Feed<'a> {
    Feed {
        decoder,
        pieces: slice.chunks(FEED_BYTES),
        collected,
        flush: true,
    }
}

/// Like [`feed`], for a part of a slice: gives only full batches, and leaves the rows that do
/// not fill one for the next part (or [`take_batch`] at the end of the slice). The worker feeds
/// a slice [`PAUSE_BYTES`] at a time and lets its event loop run in between: the browser moves
/// the next slice's bytes into the worker's memory only when its thread is free to take them.
pub fn feed_part<'a>(
    decoder: &'a mut FileDecoder,
    part: &'a [u8],
    collected: &'a mut Collected,
) -> Feed<'a> {
    Feed {
        decoder,
        pieces: part.chunks(FEED_BYTES),
        collected,
        flush: false,
    }
}

/// How much of a slice the worker decodes between two turns of its event loop (see
/// [`feed_part`]).
pub const PAUSE_BYTES: usize = 1024 * 1024;

/// The batches of one slice, decoded as they are asked for: see [`feed`].
pub struct Feed<'a> {
    decoder: &'a mut FileDecoder,
    pieces: std::slice::Chunks<'a, u8>,
    collected: &'a mut Collected,
    /// Whether the rows left at the end are a batch too.
    flush: bool,
}

impl Iterator for Feed<'_> {
    type Item = Vec<u8>;

    fn next(&mut self) -> Option<Vec<u8>> {
        for piece in self.pieces.by_ref() {
            self.decoder.push(piece, self.collected);
            if self.collected.rows.len() >= BATCH_ROWS {
                return Some(self.collected.rows.take().encode());
            }
        }
        if self.flush {
            take_batch(self.collected)
        } else {
            None
        }
    }
}

/// The rows waiting in `collected`, encoded to be sent ([`Batch::encode`]); `None` if there are
/// none.
pub fn take_batch(collected: &mut Collected) -> Option<Vec<u8>> {
    (!collected.rows.is_empty()).then(|| collected.rows.take().encode())
}

/// The report that ends file `file` when the user cancelled before it was read.
pub fn cancelled_progress(file: u32) -> Progress {
    let mut progress = Progress::new(file);
    progress.done = true;
    progress.cancelled = true;
    progress
}

/// What [`warm_up`] decodes, each 64 times: a realistic Event Viewer export (16 events of every
/// common kind) and the generator's `.evtx` (tests/fixtures/README.md).
const WARM_UP: [&[u8]; 2] = [
    include_bytes!("../../tests/fixtures/event-viewer.xml"),
    include_bytes!("../../tests/fixtures/generated.evtx"),
];

/// Runs the decoding paths on small generated logs before the first file arrives.
///
/// Browsers first compile WebAssembly with a quick baseline compiler and optimise a function only
/// once it has run enough, on another thread; without this, the first megabytes of the user's
/// first file would be decoded by unoptimised code while that compiling took a processor from
/// the decoding (on a 100 MB `.evtx` opened at once, 0.85 s of it: `npm run bench:trace`).
/// Both paths: an XML export (about 2 MB) and a `.evtx` log (80 events in one chunk, the
/// BinXML templates and the evtx crate), a few tens of milliseconds while the page loads.
pub fn warm_up() {
    let mut collected = Collected::default();
    for sample in WARM_UP {
        for _ in 0..64 {
            let mut file = FileDecoder::new(0);
            file.push(sample, &mut collected);
            file.finish(&mut collected);
            let _ = collected.rows.take().encode();
        }
    }
}

/// A worker's place in the chain (0 for the page's own worker) and how many workers the chain
/// has, from its address's query `search` (`?part=N&workers=M`, or `#part=N&workers=M` after a
/// Blob URL, as the single file starts its workers), the machine's `cores`
/// (`navigator.hardwareConcurrency`) and whether the browser can start a worker from this one.
///
/// The chain has `workers=M` workers when the address gives that many (1 to
/// [`MAX_DECODING_WORKERS`]; the page passes its own `?workers=M` on, for the benchmark), else
/// [`decoding_workers`](super::file::decoding_workers) of `cores`; 1 when no worker can be
/// started; and always more than this worker's place.
///
/// ```
/// use keytrail::ingest::chain::chain_place;
///
/// assert_eq!(chain_place("?part=1&workers=3", 8, true), (1, 3));
/// assert_eq!(chain_place("", 4, true), (0, 3));
/// assert_eq!(chain_place("?workers=3", 4, false), (0, 1));
/// assert_eq!(chain_place("#part=2&workers=4", 2, true), (2, 4));
/// ```
pub fn chain_place(search: &str, cores: u32, can_start: bool) -> (u32, u32) {
    let param = |name: &str| -> Option<u32> {
        search
            .split(['?', '#', '&'])
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))?
            .parse()
            .ok()
    };
    let place = param("part").unwrap_or(0);
    let asked = param("workers").filter(|n| (1..=MAX_DECODING_WORKERS).contains(n));
    let workers = if can_start {
        asked.unwrap_or_else(|| super::file::decoding_workers(cores))
    } else {
        1
    };
    (place, workers.max(place + 1))
}

/// The bytes near the end of a worker's share of a large file, where the file may be split:
/// the next worker's part starts at the first `<Event` in them (an XML file), or at a chunk
/// (an `.evtx` file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitWindow {
    /// Where the window starts (an even offset: UTF-16 characters start at even offsets, the
    /// BOM being two bytes).
    middle: u64,
    /// The end of the file.
    end: u64,
    /// Workers sharing what is left, this one included.
    ways: u32,
}

/// Where a file is split: the next worker decodes bytes `at..end` as a part of its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    /// Where the part starts in the file (a `<Event`, or an `.evtx` chunk).
    pub at: u64,
    /// The end of the file.
    pub end: u64,
    /// For an `.evtx` file, the chunks of the part (see [`Reader::evtx_part`](super::Reader)).
    pub evtx: Option<EvtxPart>,
}

impl SplitWindow {
    /// Where bytes `range` of a file (what is left after the first slice) would be split when
    /// `ways` workers share them (at least 2: this one and the chain after it): after this
    /// worker's share, `1/ways` of it. `None` if the range is too short to be worth sharing
    /// ([`SPLIT_BYTES`]).
    pub fn new(range: Range<u64>, ways: u32) -> Option<Self> {
        let len = range.end.checked_sub(range.start)?;
        if len < SPLIT_BYTES {
            return None;
        }
        let share = len / u64::from(ways.max(2));
        Some(Self {
            middle: (range.start + share) & !1,
            end: range.end,
            ways,
        })
    }

    /// The window at byte `at` of a file that ends at `end`, for a cut at a chosen place rather
    /// than a share of what is left (the CLI's parts of a few MiB each). Its [`SplitWindow::xml`]
    /// is the first `<Event` from `at` on.
    pub fn after(at: u64, end: u64) -> Self {
        Self {
            middle: at & !1,
            end,
            // Not a share: `evtx` is not asked of such a window.
            ways: 2,
        }
    }

    /// The bytes of the file to read: where an XML file's part may start.
    pub fn bytes(&self) -> Range<u64> {
        self.middle..(self.middle + SPLIT_WINDOW).min(self.end)
    }

    /// Where an `.evtx` file is split, at a chunk, once `decoder` has read its first slice (see
    /// [`Reader::split`](super::Reader::split)); `None` for an XML file, or an `.evtx` file too
    /// short to share.
    pub fn evtx(&self, decoder: &FileDecoder) -> Option<Split> {
        let part = decoder.split(self.end, u64::from(self.ways))?;
        Some(Split {
            // An .evtx part's reader counts in the whole file's bytes: its blob starts at its
            // `base`.
            at: part.start().saturating_sub(decoder.base()),
            end: self.end,
            evtx: Some(part),
        })
    }

    /// Where an XML file is split: at the first `<Event` in the window's `bytes`, in the file's
    /// `encoding` (known once its first slice was read: [`FileDecoder::encoding`]); `None` if
    /// there is none.
    pub fn xml(&self, encoding: Option<TextEncoding>, bytes: &[u8]) -> Option<Split> {
        let encoding = encoding?;
        Some(Split {
            at: self.middle + find_event_start(bytes, encoding)? as u64,
            end: self.end,
            evtx: None,
        })
    }
}

/// What the next worker reports about its part, as [`Part::collect`] takes it; `B` is how a
/// batch of rows travels (a `Uint8Array` between workers, bytes in tests).
#[derive(Clone, Debug)]
pub enum PartReport<B> {
    /// Rows of part `generation` (its `job`).
    Rows {
        /// The part the rows belong to.
        generation: u32,
        /// The [`Batch::encode`] bytes.
        batch: B,
    },
    /// Progress of the part (`file` is its `job`).
    Progress(Progress),
    /// The browser refused to read part `file`.
    ReadFailed {
        /// The part's `job`.
        file: u32,
    },
    /// The part's last report: whether every byte was decoded, and its sessions.
    End {
        /// The part's number.
        job: u32,
        /// Whether every byte of the part was decoded.
        complete: bool,
        /// The logon sessions of its events.
        sessions: SessionParts,
    },
}

/// A file's part being decoded by the next worker, as this worker collects it.
#[derive(Debug)]
pub struct Part<B> {
    /// The part's number.
    pub job: u32,
    /// Where it starts in the file (a `<Event`, or an `.evtx` chunk).
    pub at: u64,
    /// Bytes it has decoded so far.
    pub bytes: u64,
    /// Its batches of rows so far, as they came.
    batches: Vec<B>,
    /// Its problem lines so far, as it sent them.
    lines: Vec<ProblemLine>,
    /// Its last progress (without its problem lines, which are in `lines`).
    last: Progress,
    /// How it ended ([`PartReport::End`], or the browser refusing to read it): whether every
    /// byte was decoded, and its sessions.
    end: Option<(bool, SessionParts)>,
}

impl<B> Part<B> {
    /// Part `job`, handed to the next worker from byte `at` of the file, nothing heard yet.
    pub fn new(job: u32, at: u64) -> Self {
        Self {
            job,
            at,
            bytes: 0,
            batches: Vec::new(),
            lines: Vec::new(),
            last: Progress::new(job),
            end: None,
        }
    }

    /// Keeps one report of the next worker (those of earlier parts are stale and dropped); says
    /// whether it was progress (more bytes decoded).
    pub fn collect(&mut self, report: PartReport<B>) -> bool {
        match report {
            PartReport::Rows { generation, batch } if generation == self.job => {
                self.batches.push(batch);
            }
            PartReport::Progress(mut p) if p.file == self.job => {
                self.bytes = p.bytes;
                self.lines.append(&mut p.new_problems);
                self.last = p;
                return true;
            }
            PartReport::ReadFailed { file } if file == self.job => {
                self.end = Some((false, SessionParts::default()));
            }
            PartReport::End {
                job,
                complete,
                sessions,
            } if job == self.job && self.end.is_none() => {
                self.end = Some((complete, sessions));
            }
            _ => {}
        }
        false
    }

    /// Whether the part has ended (decoded to its end, stopped, or refused by the browser).
    pub fn ended(&self) -> bool {
        self.end.is_some()
    }

    /// What `decoder` has done since its previous report, with the bytes the part has decoded
    /// counted in: the page hears of the part's progress, not of each of its batches.
    pub fn progress(&self, decoder: &mut FileDecoder) -> Progress {
        let mut progress = decoder.take();
        progress.bytes += self.bytes;
        progress
    }

    /// Starts joining the part to the file `decoder` decodes, once `decoder` has read everything
    /// before the part; `bytes` gives a batch's [`Batch::encode`] bytes. `None` if the part
    /// cannot be joined: `decoder` did not stop cleanly where the part starts (an event was left
    /// open, see [`FileDecoder::boundary`]), or the part did not end, or not complete, or one of
    /// its batches does not decode (every batch is read before any is joined, so a bad one
    /// refuses the whole part). `decoder` must then decode the file on from [`Part::at`] itself.
    pub fn join(self, decoder: &FileDecoder, bytes: impl Fn(&B) -> Vec<u8>) -> Option<Joining> {
        let boundary = decoder.boundary()?;
        let Some((true, sessions)) = self.end else {
            return None;
        };
        let batches = self
            .batches
            .iter()
            .map(|batch| Batch::decode(&bytes(batch)).ok())
            .collect::<Option<Vec<_>>>()?;
        let file = u16::try_from(decoder.file()).unwrap_or(u16::MAX);
        Some(Joining {
            joiner: Joiner::new(file, boundary),
            batches: batches.into_iter(),
            sessions,
            rest: self.last,
            lines: self.lines,
            boundary,
        })
    }
}

/// A part being joined to the file it came from, as if this worker had decoded it itself: its
/// rows ([`Joining::next_batch`]), then its sessions and progress ([`Joining::finish`]).
pub struct Joining {
    joiner: Joiner,
    batches: std::vec::IntoIter<Batch>,
    sessions: SessionParts,
    rest: Progress,
    lines: Vec<ProblemLine>,
    boundary: Boundary,
}

impl Joining {
    /// Joins the part's rows into `collected` and gives the next batch to send, as
    /// [`feed`] does: once [`BATCH_ROWS`] rows wait, and the rows left after the last; `None`
    /// once every row is sent.
    pub fn next_batch(&mut self, collected: &mut Collected) -> Option<Vec<u8>> {
        for batch in self.batches.by_ref() {
            self.joiner.join(batch, &mut collected.rows);
            if collected.rows.len() >= BATCH_ROWS {
                return Some(collected.rows.take().encode());
            }
        }
        take_batch(collected)
    }

    /// Ends the file: the part's sessions join `collected`'s, and its problems (renumbered and
    /// moved to their place in the whole file) and counts join `decoder`'s; gives the file's
    /// final report. Call it once [`Joining::next_batch`] gave `None`.
    pub fn finish(self, decoder: &mut FileDecoder, collected: &mut Collected) -> Progress {
        collected.sessions.join(self.sessions);
        decoder.join(&self.rest, self.lines, &self.boundary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warm_up_decodes_both_formats_whole() {
        let mut formats = Vec::new();
        for sample in WARM_UP {
            let mut collected = Collected::default();
            let mut file = FileDecoder::new(0);
            file.push(sample, &mut collected);
            let progress = file.finish(&mut collected);
            formats.push(progress.format);
            assert_eq!(progress.problems, 0, "{:?}", progress.format);
            assert!(progress.events >= 16, "{:?}", progress.format);
            assert_eq!(collected.rows.len() as u64, progress.events);
        }
        assert_eq!(
            formats,
            [
                Some(super::super::Format::Xml),
                Some(super::super::Format::Evtx)
            ]
        );
    }

    #[test]
    fn a_file_is_read_in_slices_after_a_small_first_one() {
        assert_eq!(first_slice(1000), 1000);
        assert_eq!(first_slice(100 << 20), FIRST_SLICE_BYTES);
        let start = FIRST_SLICE_BYTES;
        let size = start + 7 * RAMP_BYTES + 2 * SLICE_BYTES + 5;
        let plan: Vec<_> = slices(start..size).collect();
        let ramp = [RAMP_BYTES, 2 * RAMP_BYTES, 4 * RAMP_BYTES];
        let mut at = start;
        let mut expected = Vec::new();
        for len in ramp.into_iter().chain([SLICE_BYTES, SLICE_BYTES, 5]) {
            expected.push(at..at + len);
            at += len;
        }
        assert_eq!(plan, expected);
        assert_eq!(plan.last().unwrap().end, size);
        let one: Vec<_> = slices(0..RAMP_BYTES).map(|s| (s.start, s.end)).collect();
        assert_eq!(one, [(0, RAMP_BYTES)]);
        assert_eq!(slices(SLICE_BYTES..SLICE_BYTES).count(), 0);
    }

    #[test]
    fn a_file_is_split_near_the_end_of_this_workers_share() {
        let range = FIRST_SLICE_BYTES..FIRST_SLICE_BYTES + SPLIT_BYTES - 1;
        assert_eq!(SplitWindow::new(range, 2), None, "too short to share");
        let size = 40 << 20;
        let halves = SplitWindow::new(FIRST_SLICE_BYTES..size, 2).unwrap();
        let middle = FIRST_SLICE_BYTES + (size - FIRST_SLICE_BYTES) / 2;
        assert_eq!(halves.bytes(), middle..middle + SPLIT_WINDOW);
        let thirds = SplitWindow::new(FIRST_SLICE_BYTES..size, 3).unwrap();
        let third = (FIRST_SLICE_BYTES + (size - FIRST_SLICE_BYTES) / 3) & !1;
        assert_eq!(thirds.bytes().start, third);
        assert_eq!(third % 2, 0, "a UTF-16 character boundary");
        let shortest = SplitWindow::new(0..SPLIT_BYTES, 2).unwrap();
        assert_eq!(shortest.bytes(), 2 << 20..3 << 20);
    }

    #[test]
    fn a_cancelled_file_is_done() {
        let p = cancelled_progress(4);
        assert_eq!((p.file, p.done, p.cancelled, p.bytes), (4, true, true, 0));
    }

    #[test]
    fn the_chain_is_read_from_the_address() {
        assert_eq!(chain_place("?part=2&workers=4", 2, true), (2, 4));
        assert_eq!(
            chain_place("?workers=9", 2, true),
            (0, 2),
            "beyond the most"
        );
        assert_eq!(chain_place("?workers=0", 8, true), (0, 6));
        assert_eq!(chain_place("?part=3&workers=2", 2, true), (3, 4));
        assert_eq!(chain_place("?part=x", 1, true), (0, 1));
        assert_eq!(chain_place("", 16, false), (0, 1));
    }
}
