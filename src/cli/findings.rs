//! `keytrail findings` in bounded memory: each finding is written to a temporary file as soon
//! as it is settled, and only what can still change stays in memory.
//!
//! A key event's finding is settled once its routine class and its pair can no longer change:
//! when it is not a half of a routine sequence waiting for its other half (a probe waiting for
//! its create), or when the input has ended. Its session cannot be settled before the end
//! (sessions may be logged after the key events that use them: newest-first exports), so a
//! settled finding keeps the session's key (computer, logon ID, time) and the session is looked
//! up when the findings are written, once every file is read.
//!
//! The output order is the one the whole input in memory gave: the findings that need a look,
//! then the routine ones, each in file order. Findings settled when their rows arrive are
//! written to one temporary file per group, already in that order; the few that waited (a
//! sequence's half kept past a settle) go to a third file, and are merged back by their place.

use anyhow::{Context, Result};
use keytrail::decoder::view::is_key_event;
use keytrail::decoder::{Boundary, Event, Timestamp};
use keytrail::model::rules::{self, RowSubject, RuleSet};
use keytrail::model::session::SessionIndex;
use keytrail::model::store::Store;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};

use crate::cli::job::FileJob;

/// Events a decoding thread hands over at a time.
const EVENT_BATCH: usize = 256;

/// Rows taken in between two settles (or as many as the sequence halves kept waiting, when
/// more): how many settled key events wait in memory at most.
const SETTLE_ROWS: usize = 16_384;

/// One piece's events, filtered on its decoding thread and handed over in batches: those that
/// make a row (a key event, or one a rule matches) and those that open, end or give privileges to
/// a logon session; [`Findings`] keeps the sessions and rows on the writing thread, in file order,
/// as one reader would.
pub struct FindingsJob<'r> {
    rules: &'r RuleSet,
    events: Vec<(Event, bool)>,
}

impl<'r> FindingsJob<'r> {
    /// A job with no events yet.
    pub fn new(rules: &'r RuleSet) -> Self {
        Self {
            rules,
            events: Vec::with_capacity(EVENT_BATCH),
        }
    }
}

impl FileJob for FindingsJob<'_> {
    /// Events, each with whether it makes a row (else it is one [`SessionIndex::add`] keeps).
    type Out = Vec<(Event, bool)>;

    fn event(&mut self, ev: Event, emit: &mut dyn FnMut(Self::Out)) {
        let row = is_key_event(ev.event_id()) || self.rules.mask(&ev) != 0;
        if !row && !SessionIndex::takes(&ev) {
            return;
        }
        self.events.push((ev, row));
        if self.events.len() >= EVENT_BATCH {
            emit(std::mem::replace(
                &mut self.events,
                Vec::with_capacity(EVENT_BATCH),
            ));
        }
    }

    fn end(self, emit: &mut dyn FnMut(Self::Out)) {
        if !self.events.is_empty() {
            emit(self.events);
        }
    }

    fn place(events: Self::Out, at: &Boundary) -> Self::Out {
        events
            .into_iter()
            .map(|(ev, row)| (at.event_of(ev), row))
            .collect()
    }
}

/// A settled finding: one key event and every rule it matched, with its reasons worded, and
/// the key of its session (looked up at the end).
#[derive(Serialize, Deserialize)]
struct Settled {
    /// The row's place in the whole input (0, 1, 2… in file order).
    place: u64,
    file: u16,
    number: u64,
    event_id: u32,
    record_id: Option<u64>,
    time: Option<i64>,
    computer: String,
    account: String,
    sid: String,
    logon_id: String,
    /// Its routine class (0: needs a look).
    class: u8,
    /// The event number of the row a sequence paired it with.
    paired: Option<u64>,
    /// The rules it matched (their place in the set) and why.
    matches: Vec<(usize, String)>,
}

/// Findings written one per line to an anonymous temporary file.
struct Spill {
    out: BufWriter<File>,
    written: u64,
}

impl Spill {
    fn new() -> Result<Self> {
        let file = tempfile::tempfile().context("cannot create a temporary file")?;
        Ok(Self {
            out: BufWriter::with_capacity(1 << 16, file),
            written: 0,
        })
    }

    /// Writes `s`; returns where its line starts and how long it is.
    fn push(&mut self, s: &Settled) -> Result<(u64, u64)> {
        let line = serde_json::to_vec(s)?;
        self.out.write_all(&line)?;
        self.out.write_all(b"\n")?;
        let at = self.written;
        self.written += line.len() as u64 + 1;
        Ok((at, line.len() as u64))
    }

    /// The file, to be read from its start.
    fn into_file(self) -> Result<File> {
        let mut file = self
            .out
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        file.seek(SeekFrom::Start(0))?;
        Ok(file)
    }
}

/// A finding that waited past a settle: where it is in the late file.
struct Late {
    routine: bool,
    place: u64,
    at: u64,
    len: u64,
}

/// How many findings were written: those that need a look, and the routine ones.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Findings that need a look.
    pub needs: usize,
    /// Routine findings.
    pub routine: usize,
}

/// The state of `findings` while files are read: the sessions, the key events not yet settled,
/// and the temporary files of the settled findings.
pub struct Findings<'r> {
    rules: &'r RuleSet,
    sessions: SessionIndex,
    /// The rows not yet settled: those since the last settle, then the halves still waiting.
    rows: Store,
    /// Each row's place in the whole input.
    places: Vec<u64>,
    /// Rows before this one were kept at a settle (they were waiting).
    carried: usize,
    /// Rows before this one are marked with their rules and routine classes.
    marked: usize,
    /// The next row's place.
    next: u64,
    /// The event number of the row each waiting row (by place) was paired with, when that row
    /// was written out first.
    partners: HashMap<u64, u64>,
    needs: Spill,
    routine: Spill,
    late: Spill,
    late_index: Vec<Late>,
}

impl<'r> Findings<'r> {
    /// Nothing read yet.
    pub fn new(rules: &'r RuleSet) -> Result<Self> {
        Ok(Self {
            rules,
            sessions: SessionIndex::new(),
            rows: Store::new(),
            places: Vec::new(),
            carried: 0,
            marked: 0,
            next: 0,
            partners: HashMap::new(),
            needs: Spill::new()?,
            routine: Spill::new()?,
            late: Spill::new()?,
            late_index: Vec::new(),
        })
    }

    /// Takes the next events of file `file` (files in order, each file's events in order) that
    /// [`FindingsJob`] kept, each with whether it makes a row.
    pub fn add(&mut self, file: usize, events: &[(Event, bool)]) -> Result<()> {
        let file = u16::try_from(file).unwrap_or(u16::MAX);
        for (ev, row) in events {
            self.sessions.add(ev);
            if *row {
                self.rows.push_event(file, ev);
                self.places.push(self.next);
                self.next += 1;
            }
        }
        // As many new rows as were kept, at least: each settle copies the waiting rows, so
        // copying them costs each row taken a constant share however many wait.
        if self.rows.len() - self.carried >= SETTLE_ROWS.max(self.carried) {
            self.settle(false)?;
        }
        Ok(())
    }

    /// Marks the rows not yet marked, writes out every finding that is settled (every one,
    /// when `all`: the input has ended) and forgets its row.
    fn settle(&mut self, all: bool) -> Result<()> {
        rules::mark(self.rules, &mut self.rows, self.marked);
        let waiting = if all {
            vec![false; self.rows.len()]
        } else {
            self.rows.waiting()
        };
        for (i, &waits) in waiting.iter().enumerate() {
            let place = self.places[i];
            if waits {
                // Its pair's row may go now: keep that row's number.
                if let Some(p) = self.rows.pair_of(i).filter(|&p| !waiting[p]) {
                    self.partners.insert(place, self.rows.rows[p].number);
                }
                continue;
            }
            let partner = self.partners.remove(&place);
            if self.rows.findings_of(i) == 0 {
                continue;
            }
            let settled = self.settled(i, place, partner);
            let routine = settled.class != 0;
            if i < self.carried {
                let (at, len) = self.late.push(&settled)?;
                self.late_index.push(Late {
                    routine,
                    place,
                    at,
                    len,
                });
            } else if routine {
                self.routine.push(&settled)?;
            } else {
                self.needs.push(&settled)?;
            }
        }
        let moved = self.rows.retain_rows(&waiting);
        let mut places = Vec::new();
        for (i, at) in moved.iter().enumerate() {
            if at.is_some() {
                places.push(self.places[i]);
            }
        }
        self.places = places;
        self.carried = self.rows.len();
        self.marked = self.rows.len();
        Ok(())
    }

    /// Row `i` as a settled finding, its reasons worded from the row as the viewer does.
    fn settled(&self, i: usize, place: u64, partner: Option<u64>) -> Settled {
        let store = &self.rows;
        let row = &store.rows[i];
        let text = |sym| store.str(sym).to_string();
        let subject = RowSubject { row, store };
        Settled {
            place,
            file: row.file,
            number: row.number,
            event_id: row.event_id,
            record_id: row.record_id(),
            time: row.time(),
            computer: text(row.computer),
            account: text(row.account),
            sid: text(row.sid),
            logon_id: text(row.logon_id),
            class: store.routine_of(i),
            paired: store.pair_of(i).map(|p| store.rows[p].number).or(partner),
            matches: self
                .rules
                .matches(&subject)
                .into_iter()
                .map(|m| (m.index, m.reason.to_string()))
                .collect(),
        }
    }

    /// Writes every finding to `out` (text, or one JSON document), what needs a look first,
    /// then what is routine, each in file order; `files` names the files by number.
    pub fn write(mut self, files: &[String], json: bool, out: &mut impl Write) -> Result<Counts> {
        self.settle(true)?;
        let Findings {
            rules,
            mut sessions,
            needs,
            routine,
            late,
            mut late_index,
            ..
        } = self;
        sessions.resolve();
        late_index.sort_by_key(|l| (l.routine, l.place));
        let split = late_index.partition_point(|l| !l.routine);
        let mut late = late.into_file()?;
        let mut writer = Writer {
            rules,
            sessions,
            files,
            json,
            counts: Counts::default(),
        };
        if json {
            write!(out, "{{\"findings\":[")?;
        }
        for (spill, late_index) in [
            (needs, &late_index[..split]),
            (routine, &late_index[split..]),
        ] {
            let mut lines = BufReader::with_capacity(1 << 16, spill.into_file()?).lines();
            let mut next = lines.next().transpose()?;
            let mut waited = late_index.iter().peekable();
            loop {
                let settled: Settled = match (&next, waited.peek()) {
                    (None, None) => break,
                    (Some(line), w) => {
                        let s: Settled = serde_json::from_str(line)?;
                        if let Some(w) = w.filter(|w| w.place < s.place) {
                            let w = read_late(&mut late, w)?;
                            waited.next();
                            w
                        } else {
                            next = lines.next().transpose()?;
                            s
                        }
                    }
                    (None, Some(w)) => {
                        let w = read_late(&mut late, w)?;
                        waited.next();
                        w
                    }
                };
                writer.write(&settled, out)?;
            }
        }
        let Counts { needs, routine } = writer.counts;
        if json {
            writeln!(out, "\n],\"needs_look\":{needs},\"routine\":{routine}}}")?;
        } else {
            writeln!(
                out,
                "{} findings: {needs} need a look, {routine} routine",
                needs + routine
            )?;
        }
        Ok(writer.counts)
    }
}

/// The finding `l` of the late file.
fn read_late(late: &mut File, l: &Late) -> Result<Settled> {
    late.seek(SeekFrom::Start(l.at))?;
    let mut line = vec![0; usize::try_from(l.len)?];
    late.read_exact(&mut line)?;
    Ok(serde_json::from_slice(&line)?)
}

/// Words settled findings, their sessions looked up in the whole input's index.
struct Writer<'a, 'r> {
    rules: &'r RuleSet,
    sessions: SessionIndex,
    files: &'a [String],
    json: bool,
    counts: Counts,
}

impl Writer<'_, '_> {
    /// One line (one JSON object) per rule the finding matched.
    fn write(&mut self, s: &Settled, out: &mut impl Write) -> Result<()> {
        let rules = self.rules;
        let session = self
            .sessions
            .link(&s.computer, &s.logon_id, s.time)
            .describe();
        let time = s.time.map(|t| Timestamp(t).to_string());
        let pattern = rules.routine().pattern(s.class);
        let file = self
            .files
            .get(usize::from(s.file))
            .map_or("", String::as_str);
        for (index, reason) in &s.matches {
            let Some(rule) = rules.rules().get(*index) else {
                continue;
            };
            let (id, title) = (&rule.id, &rule.title);
            if self.json {
                let v = serde_json::json!({
                    "rule": id,
                    "title": title,
                    "routine": pattern.is_some(),
                    "pattern": pattern.map(|p| &p.id),
                    "pattern_title": pattern.map(|p| &p.title),
                    "paired_event": s.paired,
                    "file": file,
                    "event": s.number,
                    "event_id": s.event_id,
                    "record_id": s.record_id,
                    "time": time,
                    "computer": s.computer,
                    "account": s.account,
                    "sid": s.sid,
                    "logon_id": s.logon_id,
                    "session": session,
                    "reason": reason,
                });
                let sep = if self.counts.needs + self.counts.routine == 0 {
                    "\n"
                } else {
                    ",\n"
                };
                write!(out, "{sep}{v}")?;
            } else {
                let class = pattern.map_or_else(
                    || "needs-a-look".to_string(),
                    |p| format!("routine:{}", p.id),
                );
                writeln!(
                    out,
                    "{id}\t{class}\t{file}\tevent {}\t{}\t{}\t{}\t{reason}\t{session}",
                    s.number,
                    time.as_deref().unwrap_or(""),
                    s.computer,
                    s.account,
                )?;
            }
            if pattern.is_some() {
                self.counts.routine += 1;
            } else {
                self.counts.needs += 1;
            }
        }
        Ok(())
    }
}
