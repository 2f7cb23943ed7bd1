//! What the readers of converted shapes (JSON, CSV, Export-Clixml) share: each event's XML goes
//! through the one [`EventParser`] and comes out with its number, place and byte range, every
//! problem is counted once.

use super::shape::Rec;
use crate::decoder::{EventParser, Item, Limits, Position, Problem, ProblemKind, Severity, Stats};

/// Events and problems of one input, numbered and counted.
pub(crate) struct Emitter {
    parser: EventParser,
    pub stats: Stats,
    /// Documents taken for events so far (the events' ordinals).
    pub number: u64,
    /// The most bytes one document may span: the parser's limit on one event.
    pub limit: usize,
}

impl Default for Emitter {
    fn default() -> Self {
        Self {
            parser: EventParser::default(),
            stats: Stats::default(),
            number: 0,
            limit: Limits::default().max_event_bytes,
        }
    }
}

impl Emitter {
    /// Gives back an event emitted here, once read: see [`EventParser::recycle`].
    pub fn recycle(&mut self, event: crate::decoder::Event) {
        self.parser.recycle(event);
    }

    /// A document found at `at` that spans more than [`Emitter::limit`] bytes: skipped, said
    /// once, with its own ordinal.
    pub fn too_large(&mut self, out: &mut Vec<Item>, at: Position) {
        let limit = self.limit;
        self.bad_document(out, at, ProblemKind::EventTooLarge { limit });
    }

    /// Decodes the XML of the next event, found at `at`, whose document spans `range` of the
    /// input; `repaired` says the text was repaired before (invalid UTF-8 replaced).
    pub fn event(
        &mut self,
        xml: &str,
        at: Position,
        range: (u64, u64),
        repaired: Option<ProblemKind>,
        out: &mut Vec<Item>,
    ) {
        let parsed = self.parser.parse(xml);
        self.emit(parsed, at, range, repaired, out);
    }

    /// Decodes the next event of a converted shape: built straight from its elements, the event
    /// the parser gives for its XML ([`Rec::to_xml`]).
    pub fn record(
        &mut self,
        rec: &Rec<'_>,
        at: Position,
        range: (u64, u64),
        repaired: Option<ProblemKind>,
        out: &mut Vec<Item>,
    ) {
        let parsed = match rec {
            Rec::Xml(xml) => self.parser.parse(xml),
            // The event's text is about as long as the document's values: a little less than
            // the document.
            _ => self
                .parser
                .build(range.1.saturating_sub(range.0) as usize * 3 / 4, |b| {
                    rec.write(b)
                }),
        };
        self.emit(parsed, at, range, repaired, out);
    }

    fn emit(
        &mut self,
        parsed: crate::decoder::Built,
        at: Position,
        range: (u64, u64),
        repaired: Option<ProblemKind>,
        out: &mut Vec<Item>,
    ) {
        self.number += 1;
        let number = self.number;
        match parsed {
            Ok((mut event, repairs)) => {
                event.number = number;
                event.position = at;
                event.byte_range = range;
                for kind in repaired.into_iter().chain(repairs) {
                    event.repaired = true;
                    self.problem(out, at, Some(number), Severity::Repaired, kind);
                }
                self.stats.events += 1;
                if event.repaired {
                    self.stats.repaired += 1;
                }
                out.push(Item::Event(event));
            }
            Err(kind) => self.problem(out, at, Some(number), Severity::Skipped, kind),
        }
    }

    /// A document that could not be read: skipped, with its own ordinal.
    pub fn bad_document(&mut self, out: &mut Vec<Item>, at: Position, kind: ProblemKind) {
        self.number += 1;
        let number = self.number;
        self.problem(out, at, Some(number), Severity::Skipped, kind);
    }

    pub fn problem(
        &mut self,
        out: &mut Vec<Item>,
        position: Position,
        event: Option<u64>,
        severity: Severity,
        kind: ProblemKind,
    ) {
        self.stats.push_problem(
            Problem {
                position,
                event,
                severity,
                kind,
            },
            out,
        );
    }
}

/// Counts documents of one kind to say once per file (`NotWindowsEvents`, `PropertiesLost`), at
/// the first.
#[derive(Default, Debug)]
pub(crate) struct Tally {
    pub count: u64,
    pub first: Option<Position>,
}

impl Tally {
    pub fn add(&mut self, at: Position) {
        self.count += 1;
        self.first.get_or_insert(at);
    }

    /// The one notice, if there is anything to say.
    pub fn report(
        &self,
        emitter: &mut Emitter,
        out: &mut Vec<Item>,
        kind: impl FnOnce(u64) -> ProblemKind,
    ) {
        if let Some(at) = self.first {
            emitter.problem(out, at, None, Severity::Notice, kind(self.count));
        }
    }
}
