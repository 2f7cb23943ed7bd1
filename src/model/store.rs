//! The compact store the viewer keeps instead of events: one fixed-size [`Row`] per event, every
//! string interned once in an [`Interner`].
//!
//! A row is numbers and [`Sym`]s only — no raw XML, no field list — so a million events cost
//! `size_of::<Row>()` = 96 bytes each (96 MB), plus each distinct string once (twice, counting
//! the interner's index). The raw XML of an event can be read back from the original file with
//! [`Row::byte_start`]..[`Row::byte_end`].
//!
//! In the browser the decoder runs in a worker: a [`BatchBuilder`] there turns events into rows
//! with its own interner and hands out [`Batch`]es (the strings interned since the previous batch
//! plus the rows), sent as bytes ([`Batch::encode`]); the UI thread decodes them
//! ([`Batch::decode`]) and appends them with [`Store::apply`], which gives every string the same
//! [`Sym`] it has in the worker. Natively, [`Store::push_event`] does both steps at once. Both use
//! one conversion, [`Row::from_event`].
//!
//! ```
//! use keytrail::decoder::decode_all;
//! use keytrail::model::store::{Batch, BatchBuilder, Store};
//!
//! let xml = "<Event><System><EventID>5059</EventID><Computer>WS1</Computer></System>\
//!            <EventData><Data Name='SubjectUserName'>alice</Data>\
//!            <Data Name='SubjectDomainName'>CORP</Data>\
//!            <Data Name='Operation'>%%2464</Data></EventData></Event>";
//! let (events, _, _) = decode_all(xml.as_bytes());
//!
//! // Worker side.
//! let mut builder = BatchBuilder::new();
//! for ev in &events {
//!     builder.push(0, ev);
//! }
//! let bytes = builder.take().encode();
//!
//! // UI side.
//! let mut store = Store::new();
//! store.apply(Batch::decode(&bytes).unwrap()).unwrap();
//! let row = store.rows[0];
//! assert_eq!(row.event_id, 5059);
//! assert_eq!(store.str(row.account), "CORP\\alice");
//! assert_eq!(store.str(row.operation), "Export of persistent cryptographic key.");
//! assert_eq!(store.str(row.computer), "WS1");
//! ```

use crate::decoder::view::{Outcome, View};
use crate::decoder::{Boundary, Event};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use zerocopy::{Immutable, IntoBytes, KnownLayout, TryFromBytes};

/// An interned string id.
#[repr(transparent)]
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    Default,
    IntoBytes,
    TryFromBytes,
    KnownLayout,
    Immutable,
)]
pub struct Sym(pub u32);

impl Sym {
    /// The empty string, interned in every [`Interner`] from the start.
    pub const EMPTY: Sym = Sym(0);

    /// The id as an index into the interner's strings.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Distinct strings, each stored once and named by a [`Sym`] in order of first appearance.
/// `Sym(0)` is always `""`.
#[derive(Clone, Debug)]
pub struct Interner {
    ids: HashMap<Box<str>, u32>,
    strings: Vec<Box<str>>,
    scratch: String,
    /// The ids of strings interned lately, each in the slot [`recent_slot`] gives it (0: none):
    /// most of a row's strings are those of the rows before (the computer, the provider, the
    /// operation...), and comparing one string costs a fraction of hashing it.
    recent: [u32; RECENT],
}

/// How many recently interned strings an [`Interner`] remembers.
const RECENT: usize = 64;

/// The slot of `s` among the recent strings: from its length and its first and last 8 bytes.
/// Strings that share a slot only push each other out (the map is asked then), so a file made
/// to collide costs nothing more than the map's own keyed hash.
fn recent_slot(s: &[u8]) -> usize {
    let n = s.len();
    let word = |bytes: &[u8]| {
        let mut w = [0u8; 8];
        let take = bytes.len().min(8);
        w[..take].copy_from_slice(&bytes[..take]);
        u64::from_le_bytes(w)
    };
    let (head, tail) = (word(s), word(&s[n.saturating_sub(8)..]));
    let h = (head ^ tail.rotate_left(29) ^ n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (h >> (64 - RECENT.trailing_zeros())) as usize
}

impl Default for Interner {
    fn default() -> Self {
        Self::new()
    }
}

impl Interner {
    /// An interner holding only `""` (as `Sym(0)`).
    pub fn new() -> Self {
        let mut ids = HashMap::with_capacity(1024);
        ids.insert(Box::from(""), 0);
        Self {
            ids,
            strings: vec![Box::from("")],
            scratch: String::new(),
            recent: [0; RECENT],
        }
    }

    /// The id of `s`, adding it when new.
    pub fn intern(&mut self, s: &str) -> Sym {
        if s.is_empty() {
            return Sym::EMPTY;
        }
        let slot = recent_slot(s.as_bytes());
        let recent = self.recent[slot];
        if recent != 0 && self.strings.get(recent as usize).is_some_and(|r| **r == *s) {
            return Sym(recent);
        }
        let id = match self.ids.get(s) {
            Some(&id) => id,
            None => {
                let id = self.strings.len() as u32;
                self.ids.insert(Box::from(s), id);
                self.strings.push(Box::from(s));
                id
            }
        };
        self.recent[slot] = id;
        Sym(id)
    }

    /// The id of the text `write` puts in a reused buffer, adding it when new: interning a
    /// string built from parts without allocating one each time.
    pub fn intern_with(&mut self, write: impl FnOnce(&mut String)) -> Sym {
        let mut buf = std::mem::take(&mut self.scratch);
        buf.clear();
        write(&mut buf);
        let sym = self.intern(&buf);
        self.scratch = buf;
        sym
    }

    /// Appends `s` as the next id whether or not it is already known, so that ids follow another
    /// interner's exactly.
    fn append(&mut self, s: String) {
        // Not indexed: a store fed by batches never interns by text (see [`Interner::find`]).
        self.strings.push(s.into_boxed_str());
    }

    /// The id of `s`, when interned (the first id, for a string appended twice). Strings that
    /// came by batch are not indexed: they are searched one by one.
    pub fn find(&self, s: &str) -> Option<Sym> {
        self.ids.get(s).map(|&id| Sym(id)).or_else(|| {
            self.strings
                .iter()
                .position(|x| &**x == s)
                .and_then(|i| u32::try_from(i).ok())
                .map(Sym)
        })
    }

    /// The string of `sym`; `""` for an id this interner never gave out.
    pub fn get(&self, sym: Sym) -> &str {
        self.strings.get(sym.index()).map_or("", |s| s)
    }

    /// How many strings, counting `""`.
    pub fn len(&self) -> usize {
        self.strings.len()
    }

    /// Always false: `""` is always there.
    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }

    /// Every string with its id, in id order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (Sym, &str)> + '_ {
        self.strings
            .iter()
            .enumerate()
            .map(|(i, s)| (Sym(i as u32), &**s))
    }

    /// The strings from id `from` on, in id order.
    fn strings_from(&self, from: usize) -> &[Box<str>] {
        self.strings.get(from..).unwrap_or(&[])
    }
}

/// [`Row::outcome`]: success, failure or neither, as the one checked byte a row holds (a batch
/// byte of any other value is refused when the batch is read).
#[repr(u8)]
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    IntoBytes,
    TryFromBytes,
    KnownLayout,
    Immutable,
)]
pub enum RowOutcome {
    /// Neither (the event says nothing of success or failure).
    #[default]
    Neither = 0,
    /// [`Outcome::Success`].
    Success = 1,
    /// [`Outcome::Failure`].
    Failure = 2,
}

impl RowOutcome {
    /// The outcome it stands for.
    pub fn get(self) -> Option<Outcome> {
        match self {
            Self::Neither => None,
            Self::Success => Some(Outcome::Success),
            Self::Failure => Some(Outcome::Failure),
        }
    }
}

impl From<Option<Outcome>> for RowOutcome {
    fn from(outcome: Option<Outcome>) -> Self {
        match outcome {
            None => Self::Neither,
            Some(Outcome::Success) => Self::Success,
            Some(Outcome::Failure) => Self::Failure,
        }
    }
}

/// One event, compact: numbers and interned strings only (no raw XML, no field list).
///
/// Plain old data: a batch carries rows as their bytes ([`Batch::encode`]), cast back with the
/// layout checked by `zerocopy` (the field order puts the 8-byte fields first, so there is no
/// hidden padding; `reserved` fills the tail). `size_of::<Row>()` is 96 bytes.
#[repr(C)]
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    IntoBytes,
    TryFromBytes,
    KnownLayout,
    Immutable,
)]
pub struct Row {
    /// Event ordinal in its file (1-based, as [`Event::number`]).
    pub number: u64,
    /// Start of the raw XML in the original file.
    pub byte_start: u64,
    /// End of the raw XML in the original file.
    pub byte_end: u64,
    /// `TimeCreated/@SystemTime` in ns since the Unix epoch; `i64::MIN` when absent.
    pub time: i64,
    /// `System/EventRecordID`; `u64::MAX` when absent.
    pub record_id: u64,
    /// `System/EventID`.
    pub event_id: u32,
    /// The account that acted, `DOMAIN\user` (see [`Event::account`]).
    pub account: Sym,
    /// That account's user name alone (what rules compare with the computer's own account).
    pub user: Sym,
    /// That account's SID.
    pub sid: Sym,
    /// That account's logon session (hex LUID as logged).
    pub logon_id: Sym,
    /// Key events: `ProviderName` (the key storage provider); others: `System/Provider/@Name`.
    pub provider: Sym,
    /// Key events: `AlgorithmName` (a `%%NNNN` value such as `%%2432` in words).
    pub algorithm: Sym,
    /// Key events: `KeyName`.
    pub key_name: Sym,
    /// Key events: `KeyType` in words ("User key.").
    pub key_type: Sym,
    /// Key events: `Operation` in words ("Export of persistent cryptographic key.").
    pub operation: Sym,
    /// Key events: `ReturnCode` as logged ("0x0").
    pub return_code: Sym,
    /// `System/Computer`.
    pub computer: Sym,
    /// Which input file (the UI's numbering).
    pub file: u16,
    /// Success, failure, or neither (see [`Event::outcome`]).
    pub outcome: RowOutcome,
    /// Always zero: the row's size rounded up to its 8-byte alignment, spelled out.
    pub reserved: [u8; 5],
}

impl Row {
    /// A row of nothing (every number 0, every string `""`).
    pub const EMPTY: Row = Row {
        file: 0,
        number: 0,
        byte_start: 0,
        byte_end: 0,
        time: i64::MIN,
        event_id: 0,
        record_id: u64::MAX,
        outcome: RowOutcome::Neither,
        account: Sym::EMPTY,
        user: Sym::EMPTY,
        sid: Sym::EMPTY,
        logon_id: Sym::EMPTY,
        provider: Sym::EMPTY,
        algorithm: Sym::EMPTY,
        key_name: Sym::EMPTY,
        key_type: Sym::EMPTY,
        operation: Sym::EMPTY,
        return_code: Sym::EMPTY,
        computer: Sym::EMPTY,
        reserved: [0; 5],
    };

    /// The row of `ev` read from input `file`, its strings interned in `strings`. The one
    /// conversion behind [`Store::push_event`] and [`BatchBuilder::push`].
    pub fn from_event(file: u16, ev: &Event, strings: &mut Interner) -> Row {
        let account = ev.account();
        let mut row = Row {
            file,
            number: ev.number,
            byte_start: ev.byte_range.0,
            byte_end: ev.byte_range.1,
            time: ev.time().map_or(i64::MIN, |t| t.nanos()),
            event_id: ev.event_id(),
            record_id: ev.record_id().unwrap_or(u64::MAX),
            outcome: ev.outcome().into(),
            account: strings.intern_with(|buf| account.write_display(buf)),
            user: strings.intern(account.user),
            sid: strings.intern(account.sid),
            logon_id: strings.intern(account.logon_id),
            provider: Sym::EMPTY,
            algorithm: Sym::EMPTY,
            key_name: Sym::EMPTY,
            key_type: Sym::EMPTY,
            operation: Sym::EMPTY,
            return_code: Sym::EMPTY,
            computer: strings.intern(ev.computer()),
            reserved: [0; 5],
        };
        match ev.view() {
            View::KeyMigration(k) | View::KeyFile(k) | View::Cryptographic(k) => {
                row.provider = strings.intern(k.provider);
                row.algorithm = strings.intern(k.algorithm_text());
                row.key_name = strings.intern(k.key_name);
                row.key_type = strings.intern(k.key_type_text());
                row.operation = strings.intern(k.operation_text());
                row.return_code = strings.intern(k.return_code);
            }
            _ => row.provider = strings.intern(ev.provider()),
        }
        row
    }

    /// The row's time, when present.
    pub fn time(&self) -> Option<i64> {
        (self.time != i64::MIN).then_some(self.time)
    }

    /// The row's record ID, when present.
    pub fn record_id(&self) -> Option<u64> {
        (self.record_id != u64::MAX).then_some(self.record_id)
    }

    /// Replaces each string column's id by `f` of it (moving a row to another interner).
    pub fn map_syms(&mut self, mut f: impl FnMut(Sym) -> Sym) {
        for sym in [
            &mut self.account,
            &mut self.user,
            &mut self.sid,
            &mut self.logon_id,
            &mut self.provider,
            &mut self.algorithm,
            &mut self.key_name,
            &mut self.key_type,
            &mut self.operation,
            &mut self.return_code,
            &mut self.computer,
        ] {
            *sym = f(*sym);
        }
    }

    /// The string columns, in [`Row`] field order.
    pub fn syms(&self) -> [Sym; 11] {
        [
            self.account,
            self.user,
            self.sid,
            self.logon_id,
            self.provider,
            self.algorithm,
            self.key_name,
            self.key_type,
            self.operation,
            self.return_code,
            self.computer,
        ]
    }
}

/// The first steps and follow-ups of routine sequence patterns (see
/// [`classify_rows`](super::routine::classify_rows)) seen so far, waiting for their other half
/// (rows may come in either time order: exports are oldest-first or newest-first).
#[derive(Clone, Debug, Default)]
pub struct Sequences {
    /// (pattern, account, key) → rows of first steps not yet paired.
    pub(crate) firsts: HashMap<(usize, Sym, Sym), Vec<u32>>,
    /// (pattern, account, key) → rows of follow-ups not yet paired.
    pub(crate) follows: HashMap<(usize, Sym, Sym), Vec<u32>>,
}

/// All rows loaded so far, with their strings.
#[derive(Clone, Debug, Default)]
pub struct Store {
    /// The strings the rows refer to.
    pub strings: Interner,
    /// One row per event, in load order.
    pub rows: Vec<Row>,
    /// Which monitoring rules each row matches, one bit per rule (see
    /// [`RuleSet::mask`](super::rules::RuleSet::mask)); rows past its end match none.
    pub findings: Vec<u32>,
    /// Which routine pattern each row is, as its place plus one (0: not routine; see
    /// [`classify_rows`](super::routine::classify_rows)); rows past its end are not routine.
    pub routine: Vec<u8>,
    /// Rows paired by a sequence pattern (a key probed for, then created), both ways.
    pub pairs: HashMap<u32, u32>,
    /// Halves of sequences still waiting for their other half.
    pub sequences: Sequences,
    /// What the rules made of rows alike, kept for the next batch's rows.
    pub judgements: Judgements,
}

/// Everything of a row that rules and routine patterns judge, its time aside: two rows alike in
/// all of it match the same rules and patterns (time-of-day conditions and sequence windows
/// aside), so marking judges each distinct one once and looks the rest up. A load of a million
/// rows has a few thousand distinct ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Likeness([u32; 12]);

impl std::hash::Hash for Likeness {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Word by word: the slice path would hash the bytes with a length first.
        for &word in &self.0 {
            state.write_u32(word);
        }
    }
}

impl Likeness {
    /// The likeness of `row`: every field a [`RowSubject`](super::criteria::RowSubject) shows
    /// but the time.
    pub(crate) fn of(row: &Row) -> Self {
        Self([
            row.event_id,
            row.account.0,
            row.user.0,
            row.sid.0,
            row.provider.0,
            row.algorithm.0,
            row.key_name.0,
            row.key_type.0,
            row.operation.0,
            row.return_code.0,
            row.computer.0,
            u32::from(row.outcome as u8),
        ])
    }
}

/// A map keyed by [`Likeness`], hashed with a few multiplications (the keys are this crate's own
/// small numbers, not input an attacker chooses): in the browser SipHash would cost more than
/// the judging it saves.
pub(crate) type LikenessMap<V> = FoldMap<Likeness, V>;

/// A hash map of this crate's own small keys (interned string ids, classes, likenesses) for the
/// counts kept per row: [`FoldHasher`] instead of SipHash, which the keys do not need (no
/// attacker picks them) and which costs more than the counting in wasm.
pub type FoldMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FoldHasher>>;

/// The hasher of [`FoldMap`]: each 32-bit word folded in by multiply and rotate.
#[derive(Default)]
pub struct FoldHasher(u64);

impl std::hash::Hasher for FoldHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(4) {
            let mut word = [0u8; 4];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u32(u32::from_le_bytes(word));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(n)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u32(n as u32);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// What marking ([`mark_findings`](super::rules::mark_findings)) and routine classes
/// ([`classify_rows`](super::routine::classify_rows)) made of rows alike but for their time
/// (`Likeness`), kept from one call to the next: a load's batches
/// (20,000 rows each) share most of their distinct rows, which were judged again in every batch.
/// Each half is for one compiled set of rules or patterns, and starts again for another; a store
/// whose strings are made again ([`Store::clear`], [`Store::retain_rows`]) forgets it, since its
/// rows' symbols change. At most `MAX_JUDGEMENTS` of each are kept.
#[derive(Clone, Debug, Default)]
pub struct Judgements {
    /// The rule set the marks are of (its `id`).
    rules: u64,
    /// The untimed mask of rules each likeness matches.
    marks: LikenessMap<u32>,
    /// The routine patterns the classes are of.
    routine: u64,
    /// How each likeness is judged by the routine patterns.
    classes: LikenessMap<Judged>,
}

/// How a row is judged by the routine patterns, its time aside (see
/// [`classify_rows`](super::routine::classify_rows)).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Judged {
    /// Its class by the patterns that need no follow-up.
    pub(crate) class: u8,
    /// Bit `n`: it is a first step of the `n`-th sequence pattern.
    pub(crate) firsts: u64,
    /// Bit `n`: it is a follow-up of the `n`-th sequence pattern.
    pub(crate) follows: u64,
}

/// How many likenesses [`Judgements`] keeps of each kind before it starts again (about 4 MB at
/// most for both, in the page's memory, which never shrinks): a 100 MB load has about 5,000.
const MAX_JUDGEMENTS: usize = 1 << 14;

impl Judgements {
    /// The marks, for rules `id`: those kept if they are of the same rules, else none.
    pub(crate) fn take_marks(&mut self, id: u64) -> LikenessMap<u32> {
        take_for(&mut self.marks, &mut self.rules, id)
    }

    /// Gives back what [`Judgements::take_marks`] took, with what was added to it.
    pub(crate) fn keep_marks(&mut self, marks: LikenessMap<u32>) {
        self.marks = marks;
    }

    /// The routine classes, for patterns `id`, as [`Judgements::take_marks`].
    pub(crate) fn take_classes(&mut self, id: u64) -> LikenessMap<Judged> {
        take_for(&mut self.classes, &mut self.routine, id)
    }

    /// Gives back what [`Judgements::take_classes`] took, with what was added to it.
    pub(crate) fn keep_classes(&mut self, classes: LikenessMap<Judged>) {
        self.classes = classes;
    }
}

/// What `memo` holds for `row`'s likeness, judged by `judge` the first time; a full memo
/// ([`MAX_JUDGEMENTS`]) starts again.
pub(crate) fn judged<V: Copy>(
    memo: &mut LikenessMap<V>,
    row: &Row,
    judge: impl FnOnce() -> V,
) -> V {
    if memo.len() >= MAX_JUDGEMENTS {
        memo.clear();
    }
    *memo.entry(Likeness::of(row)).or_insert_with(judge)
}

/// `memo`, taken out for the compiled set `id`: as kept if it is of that set (`of`), else empty
/// and from now on of it.
fn take_for<V>(memo: &mut LikenessMap<V>, of: &mut u64, id: u64) -> LikenessMap<V> {
    let mut taken = std::mem::take(memo);
    if *of != id {
        taken.clear();
        *of = id;
    }
    taken
}

/// The rows a file of `size` bytes will give in all, told from the `rows` it has given so far,
/// which reach `reached` bytes into it (`done`: it has given all). Rows come in file order, so
/// rows per byte so far stand for the rest (a file shared between workers gives its first
/// part's rows first, and the others' when they are joined to it). 0 before any row.
pub fn rows_expected(rows: u64, reached: u64, size: u64, done: bool) -> u64 {
    match reached {
        0 => 0,
        _ if done => rows,
        reached => (u128::from(rows) * u128::from(size.max(reached)) / u128::from(reached))
            .try_into()
            .unwrap_or(u64::MAX),
    }
}

impl Store {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Forgets every row and string (a new load starts from here, with a new [`BatchBuilder`]).
    pub fn clear(&mut self) {
        self.judgements = Judgements::default();
        self.strings = Interner::new();
        self.rows = Vec::new();
        self.findings = Vec::new();
        self.routine = Vec::new();
        self.pairs = HashMap::new();
        self.sequences = Sequences::default();
    }

    /// Row `i`'s routine class (0: not routine).
    pub fn routine_of(&self, i: usize) -> u8 {
        self.routine.get(i).copied().unwrap_or(0)
    }

    /// The row paired with row `i` by a sequence pattern.
    pub fn pair_of(&self, i: usize) -> Option<usize> {
        let i = u32::try_from(i).ok()?;
        self.pairs.get(&i).map(|&p| p as usize)
    }

    /// The rules row `i` matches, as bits.
    pub fn findings_of(&self, i: usize) -> u32 {
        self.findings.get(i).copied().unwrap_or(0)
    }

    /// Converts `ev` (from input `file`) to a row, interning its strings here.
    pub fn push_event(&mut self, file: u16, ev: &Event) {
        let row = Row::from_event(file, ev, &mut self.strings);
        self.rows.push(row);
    }

    /// The string of `s` (`""` for an unknown id).
    pub fn str(&self, s: Sym) -> &str {
        self.strings.get(s)
    }

    /// Appends a batch from the worker: its new strings first, in order, so that ids match the
    /// worker's [`BatchBuilder`], then its rows. Feed a store either batches from one builder
    /// (since the last [`Store::clear`]) or events with [`Store::push_event`], not both.
    /// Ids the store does not know read as `""`. A batch whose strings do not start where the
    /// store's end (one lost or repeated on the way) is refused and changes nothing: its strings
    /// would give every later row the wrong text.
    pub fn apply(&mut self, batch: Batch) -> Result<(), BatchError> {
        if batch.first_string as usize != self.strings.len() {
            return Err(BatchError {
                offset: 4,
                kind: BatchErrorKind::OutOfStep {
                    expected: self.strings.len(),
                    found: batch.first_string,
                },
            });
        }
        for s in batch.new_strings {
            self.strings.append(s);
        }
        if self.rows.is_empty() {
            self.rows = batch.rows;
        } else {
            self.rows.extend_from_slice(&batch.rows);
        }
        Ok(())
    }

    /// Makes room for `expected` rows in all (a load's estimate), so that a large load's rows
    /// are not copied again at every doubling of their vector: on the page each such copy of a
    /// million rows is a task of 50–130 ms. Room is made once the estimate is past what there
    /// is, with an eighth to spare (or half again what there is, if more), so a low estimate
    /// costs a few copies of a growing vector, as doubling does. Room that cannot be had is
    /// not made (the rows then grow as they would have).
    pub fn reserve_rows(&mut self, expected: usize) {
        let capacity = self.rows.capacity();
        if expected > capacity {
            let room = expected
                .saturating_add(expected / 8)
                .max(capacity.saturating_add(capacity / 2));
            let _ = self
                .rows
                .try_reserve_exact(room.saturating_sub(self.rows.len()));
        }
    }

    /// The rows that are a half of a sequence still waiting for its other half (their routine
    /// class and pair may still change as rows are added), as a mask over the rows.
    pub fn waiting(&self) -> Vec<bool> {
        let mut mask = vec![false; self.rows.len()];
        let seq = &self.sequences;
        for &r in seq.firsts.values().chain(seq.follows.values()).flatten() {
            if let Some(m) = mask.get_mut(r as usize) {
                *m = true;
            }
        }
        mask
    }

    /// Keeps only the rows `keep` holds (`keep[i]` for row `i`, in order) and only the strings
    /// they use: what a reader that writes rows out once they are settled holds on to. Their
    /// rule marks, routine classes and waiting sequence halves go with them, so that
    /// [`mark`](super::rules::mark) goes on from the new length as if nothing had gone; a pair
    /// whose other row goes is forgotten (read it before), and a waiting half must be kept (it
    /// stops waiting otherwise). Returns the new index of each old row that stays.
    pub fn retain_rows(&mut self, keep: &[bool]) -> Vec<Option<u32>> {
        let mut strings = Interner::new();
        let mut syms: HashMap<Sym, Sym> = HashMap::new();
        let mut at = vec![None; self.rows.len()];
        let (mut rows, mut findings, mut routine) = (Vec::new(), Vec::new(), Vec::new());
        for (i, row) in self.rows.iter().enumerate() {
            if !keep.get(i).copied().unwrap_or(false) {
                continue;
            }
            at[i] = u32::try_from(rows.len()).ok();
            let mut row = *row;
            row.map_syms(|sym| {
                *syms
                    .entry(sym)
                    .or_insert_with(|| strings.intern(self.strings.get(sym)))
            });
            rows.push(row);
            if i < self.findings.len() {
                findings.push(self.findings[i]);
            }
            if i < self.routine.len() {
                routine.push(self.routine[i]);
            }
        }
        let moved = |r: &u32| at.get(*r as usize).copied().flatten();
        let halves = |map: &mut HashMap<(usize, Sym, Sym), Vec<u32>>| {
            std::mem::take(map)
                .into_iter()
                .filter_map(|((p, account, key), rows)| {
                    let rows: Vec<u32> = rows.iter().filter_map(moved).collect();
                    let key = (p, *syms.get(&account)?, *syms.get(&key)?);
                    (!rows.is_empty()).then_some((key, rows))
                })
                .collect()
        };
        self.sequences.firsts = halves(&mut self.sequences.firsts);
        self.sequences.follows = halves(&mut self.sequences.follows);
        self.pairs = self
            .pairs
            .iter()
            .filter_map(|(a, b)| Some((moved(a)?, moved(b)?)))
            .collect();
        self.judgements = Judgements::default();
        self.strings = strings;
        self.rows = rows;
        self.findings = findings;
        self.routine = routine;
        at
    }
}

/// What the worker sends: the strings it interned since the previous batch, and rows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    /// The id of the first of `new_strings`: the number of strings sent before, counting the
    /// implicit `""` (so the receiver can tell that no batch was lost on the way).
    pub first_string: u32,
    /// Strings interned since the previous batch, in id order.
    pub new_strings: Vec<String>,
    /// The rows.
    pub rows: Vec<Row>,
}

/// Why bytes are not a [`Batch`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BatchErrorKind {
    /// The bytes do not start with [`Batch::MAGIC`].
    BadMagic,
    /// The bytes end inside a length, string or row.
    Truncated {
        /// Bytes needed from the error's offset.
        needed: u64,
        /// Bytes left from there.
        available: usize,
    },
    /// A string is not UTF-8.
    InvalidUtf8 {
        /// Which string (0-based).
        string: usize,
    },
    /// A row's outcome byte is not 0, 1 or 2.
    InvalidOutcome {
        /// Which row (0-based).
        row: usize,
        /// The byte found.
        found: u8,
    },
    /// Bytes follow the last row.
    TrailingBytes {
        /// How many.
        count: usize,
    },
    /// The batch's strings do not follow the ones received before ([`Store::apply`]).
    OutOfStep {
        /// The id the next string should have.
        expected: usize,
        /// The id the batch's first string has.
        found: u32,
    },
}

/// Bytes that [`Batch::decode`] refused, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchError {
    /// Byte offset in the encoded batch.
    pub offset: usize,
    /// What is wrong there.
    pub kind: BatchErrorKind,
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "batch byte {}: ", self.offset)?;
        match &self.kind {
            BatchErrorKind::BadMagic => write!(f, "missing `KTB3` header"),
            BatchErrorKind::Truncated { needed, available } => {
                write!(f, "truncated: needs {needed} bytes, {available} left")
            }
            BatchErrorKind::InvalidUtf8 { string } => write!(f, "string {string} is not UTF-8"),
            BatchErrorKind::InvalidOutcome { row, found } => {
                write!(f, "row {row} has outcome {found}, expected 0, 1 or 2")
            }
            BatchErrorKind::TrailingBytes { count } => {
                write!(f, "{count} bytes after the last row")
            }
            BatchErrorKind::OutOfStep { expected, found } => write!(
                f,
                "its strings start at id {found}, not {expected}: a batch was lost or repeated"
            ),
        }
    }
}

impl std::error::Error for BatchError {}

/// Reads the encoded form, keeping its position for errors.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: u64) -> Result<&'a [u8], BatchError> {
        let available = self.bytes.len() - self.pos;
        if n > available as u64 {
            return Err(BatchError {
                offset: self.pos,
                kind: BatchErrorKind::Truncated {
                    needed: n,
                    available,
                },
            });
        }
        let s = &self.bytes[self.pos..self.pos + n as usize];
        self.pos += n as usize;
        Ok(s)
    }

    fn u32(&mut self) -> Result<u32, BatchError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

impl Batch {
    /// The first four bytes of an encoded batch.
    pub const MAGIC: [u8; 4] = *b"KTB3";
    /// Bytes per encoded row: a [`Row`] as it is in memory.
    pub const ROW_BYTES: usize = std::mem::size_of::<Row>();

    /// The batch as compact bytes: [`Batch::MAGIC`], the first string's id (u32), the string
    /// count (u32) and each string as a u32 byte length and its UTF-8, then the row count (u32)
    /// and the rows' own bytes ([`Batch::ROW_BYTES`] each). Numbers are little-endian (the
    /// byte order of wasm32 and of every native target keytrail builds for; batches only ever
    /// travel between a worker and its page).
    pub fn encode(&self) -> Vec<u8> {
        let strings: usize = self.new_strings.iter().map(|s| 4 + s.len()).sum();
        let mut out = Vec::with_capacity(16 + strings + self.rows.len() * Self::ROW_BYTES);
        out.extend_from_slice(&Self::MAGIC);
        out.extend_from_slice(&self.first_string.to_le_bytes());
        out.extend_from_slice(&(self.new_strings.len() as u32).to_le_bytes());
        for s in &self.new_strings {
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
        out.extend_from_slice(&(self.rows.len() as u32).to_le_bytes());
        out.extend_from_slice(self.rows.as_bytes());
        out
    }

    /// Reads bytes written by [`Batch::encode`]. Any other bytes give an error (never a panic).
    pub fn decode(bytes: &[u8]) -> Result<Batch, BatchError> {
        let mut r = Reader { bytes, pos: 0 };
        if bytes.get(..4) != Some(&Self::MAGIC[..]) {
            return Err(BatchError {
                offset: 0,
                kind: BatchErrorKind::BadMagic,
            });
        }
        r.pos = 4;
        let first_string = r.u32()?;
        let count = r.u32()? as usize;
        // Each string takes at least its 4-byte length: never reserve more than the bytes allow.
        let mut new_strings = Vec::with_capacity(count.min((bytes.len() - r.pos) / 4));
        for string in 0..count {
            let len = r.u32()?;
            let start = r.pos;
            let raw = r.take(u64::from(len))?;
            let s = std::str::from_utf8(raw).map_err(|_| BatchError {
                offset: start,
                kind: BatchErrorKind::InvalidUtf8 { string },
            })?;
            new_strings.push(s.to_owned());
        }
        let count = r.u32()? as usize;
        let start = r.pos;
        let body = r.take(count as u64 * Self::ROW_BYTES as u64)?;
        if r.pos != bytes.len() {
            return Err(BatchError {
                offset: r.pos,
                kind: BatchErrorKind::TrailingBytes {
                    count: bytes.len() - r.pos,
                },
            });
        }
        let mut rows = Vec::with_capacity(count);
        for (i, rec) in body.chunks_exact(Self::ROW_BYTES).enumerate() {
            // Only the outcome byte can be invalid: every other field takes any bytes.
            let row = Row::try_read_from_bytes(rec).map_err(|_| {
                let at = std::mem::offset_of!(Row, outcome);
                BatchError {
                    offset: start + i * Self::ROW_BYTES + at,
                    kind: BatchErrorKind::InvalidOutcome {
                        row: i,
                        found: rec.get(at).copied().unwrap_or(0),
                    },
                }
            })?;
            rows.push(row);
        }
        Ok(Batch {
            first_string,
            new_strings,
            rows,
        })
    }
}

/// Worker side: converts events to rows with its own interner and hands out batches.
#[derive(Clone, Debug)]
pub struct BatchBuilder {
    strings: Interner,
    sent: usize,
    rows: Vec<Row>,
}

impl Default for BatchBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl BatchBuilder {
    /// A builder for a new load (pairs with an empty or just cleared [`Store`]).
    pub fn new() -> Self {
        Self {
            strings: Interner::new(),
            sent: 1,
            rows: Vec::new(),
        }
    }

    /// Converts `ev` (from input `file`) to a row for the next batch.
    pub fn push(&mut self, file: u16, ev: &Event) {
        let row = Row::from_event(file, ev, &mut self.strings);
        self.rows.push(row);
    }

    /// Rows waiting for the next [`BatchBuilder::take`].
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when no row waits.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The rows pushed since the last take, with the strings interned since then.
    pub fn take(&mut self) -> Batch {
        let new_strings = self
            .strings
            .strings_from(self.sent)
            .iter()
            .map(|s| String::from(&**s))
            .collect();
        let first_string = self.sent as u32;
        self.sent = self.strings.len();
        Batch {
            first_string,
            new_strings,
            rows: std::mem::take(&mut self.rows),
        }
    }
}

/// Joins the batches of a second builder (the viewer's second worker, which decoded the rest of
/// a file from a [`Boundary`]) into a [`BatchBuilder`]: its string ids become this builder's,
/// its event numbers and byte offsets the whole file's.
#[derive(Clone, Debug)]
pub struct Joiner {
    /// The other builder's string ids (the index) as this builder's.
    ids: Vec<Sym>,
    boundary: Boundary,
    file: u16,
}

impl Joiner {
    /// Joins the batches of a builder that started at `boundary` of input `file`; give it every
    /// batch of that builder, in order.
    pub fn new(file: u16, boundary: Boundary) -> Self {
        Self {
            ids: vec![Sym::EMPTY],
            boundary,
            file,
        }
    }

    /// Adds the rows of `batch` to `rows`, as if it had decoded them itself.
    pub fn join(&mut self, batch: Batch, rows: &mut BatchBuilder) {
        for s in &batch.new_strings {
            self.ids.push(rows.strings.intern(s));
        }
        let id = |sym: Sym| self.ids.get(sym.index()).copied().unwrap_or(Sym::EMPTY);
        rows.rows.reserve(batch.rows.len());
        for r in batch.rows {
            rows.rows.push(Row {
                file: self.file,
                number: self.boundary.event(r.number),
                byte_start: self.boundary.byte(r.byte_start),
                byte_end: self.boundary.byte(r.byte_end),
                account: id(r.account),
                user: id(r.user),
                sid: id(r.sid),
                logon_id: id(r.logon_id),
                provider: id(r.provider),
                algorithm: id(r.algorithm),
                key_name: id(r.key_name),
                key_type: id(r.key_type),
                operation: id(r.operation),
                return_code: id(r.return_code),
                computer: id(r.computer),
                ..r
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(account: u32) -> Row {
        Row {
            file: 1,
            number: 2,
            byte_start: 3,
            byte_end: 4,
            time: -5,
            event_id: 5059,
            record_id: u64::MAX,
            outcome: RowOutcome::Failure,
            account: Sym(account),
            user: Sym(8),
            sid: Sym(0),
            logon_id: Sym(1),
            provider: Sym(2),
            algorithm: Sym(3),
            key_name: Sym(4),
            key_type: Sym(5),
            operation: Sym(6),
            return_code: Sym(7),
            computer: Sym(u32::MAX),
            reserved: [0; 5],
        }
    }

    #[test]
    fn the_rows_expected_are_told_from_rows_per_byte_so_far() {
        // A quarter of a file read, 1,000 rows: 4,000 in all.
        assert_eq!(rows_expected(1_000, 25_000, 100_000, false), 4_000);
        // Done: what it gave. Nothing yet: nothing told.
        assert_eq!(rows_expected(3_999, 100_000, 100_000, true), 3_999);
        assert_eq!(rows_expected(0, 0, 100_000, false), 0);
        // Rows past the size said (a file that grew) count as they are.
        assert_eq!(rows_expected(10, 2_000, 1_000, false), 10);
        assert_eq!(rows_expected(u64::MAX, 1, u64::MAX, false), u64::MAX);
    }

    /// A load whose estimate holds grows its rows in one place; a low estimate still grows by
    /// half at least, never row by row.
    #[test]
    fn room_for_the_expected_rows_is_made_once() {
        let mut store = Store {
            rows: vec![row(1); 20_000],
            ..Store::default()
        };
        store.reserve_rows(1_000_000);
        let at = store.rows.as_ptr();
        for _ in 0..49 {
            store.rows.extend_from_slice(&[row(2); 20_000]);
            store.reserve_rows(1_000_000);
        }
        assert_eq!(store.rows.len(), 1_000_000);
        assert_eq!(store.rows.as_ptr(), at, "the rows were copied");
        // An estimate below what there is changes nothing; one just above it grows by half.
        let capacity = store.rows.capacity();
        store.reserve_rows(10);
        assert_eq!(store.rows.capacity(), capacity);
        store.reserve_rows(capacity + 1);
        assert!(store.rows.capacity() >= capacity + capacity / 2);
        // Room beyond what can be had is not made, and nothing breaks.
        store.reserve_rows(usize::MAX / 2);
        assert_eq!(store.rows.len(), 1_000_000);
    }

    #[test]
    fn row_is_96_bytes() {
        assert_eq!(std::mem::size_of::<Row>(), 96);
    }

    #[test]
    fn interner_starts_with_empty_string() {
        let mut i = Interner::new();
        assert_eq!(i.len(), 1);
        assert_eq!(i.intern(""), Sym(0));
        assert_eq!(i.intern("a"), Sym(1));
        assert_eq!(i.intern("b"), Sym(2));
        assert_eq!(i.intern("a"), Sym(1));
        assert_eq!(i.get(Sym(2)), "b");
        assert_eq!(i.get(Sym(9)), "");
        assert_eq!(i.find("b"), Some(Sym(2)));
    }

    #[test]
    fn strings_that_share_a_recent_slot_keep_their_own_ids() {
        // Strings of one length that begin alike and end nearly alike (as SIDs do), many more
        // than there are recent slots, asked for again in another order.
        let words: Vec<String> = (0..1000)
            .map(|n| format!("S-1-5-21-{:04}-1000", n * 7919 % 10_000))
            .collect();
        let mut i = Interner::new();
        let ids: Vec<Sym> = words.iter().map(|w| i.intern(w)).collect();
        for (n, w) in words.iter().enumerate().rev().step_by(3) {
            assert_eq!(i.intern(w), ids[n], "{w}");
            assert_eq!(i.get(ids[n]), w);
        }
        let again: Vec<Sym> = words.iter().map(|w| i.intern(w)).collect();
        assert_eq!(again, ids);
        assert_eq!(i.len(), 1001);
        // Strings nearly alike are told apart by their text.
        let (a, b) = (i.intern("x-a-y"), i.intern("x-b-y"));
        assert_ne!(a, b);
        assert_eq!((i.intern("x-a-y"), i.intern("x-b-y")), (a, b));
    }

    #[test]
    fn encode_decode_round_trip() {
        let b = Batch {
            first_string: 7,
            new_strings: vec!["CORP\\alice".into(), "".into(), "ключ".into()],
            rows: vec![row(1), row(3)],
        };
        let bytes = b.encode();
        assert_eq!(
            bytes.len(),
            4 + 4 + 4 + 4 * 3 + 10 + 8 + 4 + 2 * Batch::ROW_BYTES
        );
        assert_eq!(Batch::decode(&bytes), Ok(b));
    }

    #[test]
    fn decode_errors_say_where() {
        let good = Batch {
            first_string: 1,
            new_strings: vec!["ab".into()],
            rows: vec![row(1)],
        }
        .encode();
        let cases: &[(&[u8], usize, BatchErrorKind)] = &[
            (b"", 0, BatchErrorKind::BadMagic),
            (b"KTB1\0\0\0\0", 0, BatchErrorKind::BadMagic),
            (
                b"KTB3\0\0\0\0\x01\0\0\0\x05\0\0\0ab",
                16,
                BatchErrorKind::Truncated {
                    needed: 5,
                    available: 2,
                },
            ),
            (
                b"KTB3\0\0\0\0\x01\0\0\0\x01\0\0\0\xff\0\0\0\0",
                16,
                BatchErrorKind::InvalidUtf8 { string: 0 },
            ),
            (
                &good[..good.len() - 1],
                22,
                BatchErrorKind::Truncated {
                    needed: Batch::ROW_BYTES as u64,
                    available: Batch::ROW_BYTES - 1,
                },
            ),
            (
                b"KTB3\0\0\0\0\0\0\0\0\0\0\0\0x",
                16,
                BatchErrorKind::TrailingBytes { count: 1 },
            ),
        ];
        for (bytes, offset, kind) in cases {
            let e = Batch::decode(bytes).unwrap_err();
            assert_eq!((e.offset, &e.kind), (*offset, kind), "{bytes:?}");
        }
        let mut bad = good.clone();
        // The outcome is the row's byte 90 (after five u64, twelve u32 and the u16 file).
        bad[22 + 90] = 3;
        let e = Batch::decode(&bad).unwrap_err();
        assert_eq!(e.kind, BatchErrorKind::InvalidOutcome { row: 0, found: 3 });
        assert_eq!(e.offset, 22 + 90);
        assert!(e
            .to_string()
            .starts_with("batch byte 112: row 0 has outcome 3"));
    }

    #[test]
    fn apply_keeps_sender_ids_even_for_duplicates() {
        let mut s = Store::new();
        s.apply(Batch {
            first_string: 1,
            new_strings: vec!["a".into(), "a".into(), "b".into()],
            rows: vec![row(3)],
        })
        .unwrap();
        assert_eq!(s.str(Sym(3)), "b");
        assert_eq!(s.strings.find("a"), Some(Sym(1)));
        assert_eq!(s.len(), 1);
        // A batch that does not follow (one lost on the way) is refused and changes nothing.
        let lost = Batch {
            first_string: 9,
            new_strings: vec!["c".into()],
            rows: vec![row(4)],
        };
        let e = s.apply(lost).unwrap_err();
        assert_eq!(
            e.kind,
            BatchErrorKind::OutOfStep {
                expected: 4,
                found: 9
            }
        );
        assert!(
            e.to_string().contains("a batch was lost or repeated"),
            "{e}"
        );
        assert_eq!((s.len(), s.strings.len()), (1, 4));
        s.clear();
        assert!(s.is_empty());
        assert_eq!(s.strings.len(), 1);
    }
}
