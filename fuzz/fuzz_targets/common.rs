//! What both targets share: a chunking drawn from a seed byte, and the viewer's and the CLI's
//! path that every decoded event goes down (typed views, the compact row, the session index and
//! the monitoring rules), which must not panic on whatever the event holds.

use keytrail::decoder::Item;
use keytrail::model::rules::{self, presets, RowSubject, RuleSet};
use keytrail::model::session::SessionIndex;
use keytrail::model::store::Store;
use std::sync::OnceLock;

/// Where to cut an input of `len` bytes, drawn from `seed`.
pub fn cuts(seed: u8, len: usize) -> Vec<usize> {
    let mut cuts = Vec::new();
    let mut at = 0usize;
    let mut step = usize::from(seed % 31) + 1;
    while at < len {
        at += step;
        cuts.push(at);
        step = (step * 7 + usize::from(seed)) % 97 + 1;
    }
    cuts
}

/// Feeds `data` to `push` cut at `cuts`, then `finish`.
pub fn feed(
    data: &[u8],
    cuts: &[usize],
    mut push: impl FnMut(&[u8], &mut Vec<Item>),
    finish: impl FnOnce(&mut Vec<Item>),
) -> Vec<Item> {
    let mut out = Vec::new();
    let mut at = 0;
    for &c in cuts {
        let c = c.clamp(at, data.len());
        push(&data[at..c], &mut out);
        at = c;
    }
    push(&data[at..], &mut out);
    finish(&mut out);
    out
}

/// Every decoded event down the viewer's and the CLI's path.
pub fn exercise(items: &[Item]) {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    let rules = RULES.get_or_init(|| RuleSet::compile(presets()).expect("the presets compile"));
    let mut store = Store::new();
    let mut sessions = SessionIndex::new();
    for item in items {
        if let Item::Event(ev) = item {
            let _ = ev.view();
            let _ = ev.outcome();
            let _ = ev.decoded_fields();
            store.push_event(0, ev);
            sessions.add(ev);
            let on_event = rules.mask(ev);
            let row = store.rows.last().expect("just pushed");
            let on_row = rules.mask(&RowSubject { row, store: &store });
            assert_eq!(on_event, on_row, "rules disagree on the event and its row");
            // Routine patterns see the event and its row alike too.
            let routine = rules.routine();
            assert_eq!(
                routine.classify(ev),
                routine.classify(&RowSubject { row, store: &store }),
                "routine patterns disagree on the event and its row"
            );
        }
    }
    // Marked whole, then again in two batches (a probe and its create may fall on either
    // side): the same classes and pairs, and the tallies count every match once.
    let mut whole = store.clone();
    rules::mark(rules, &mut whole, 0);
    let half = store.rows.len() / 2;
    let rows = std::mem::take(&mut store.rows);
    store.rows = rows[..half].to_vec();
    rules::mark(rules, &mut store, 0);
    store.rows = rows;
    rules::mark(rules, &mut store, half);
    assert_eq!(
        whole.routine, store.routine,
        "routine classes depend on the batches"
    );
    assert_eq!(whole.pairs, store.pairs, "pairs depend on the batches");
    let tallies = rules::tally(rules.len(), &whole);
    for t in &tallies {
        assert_eq!(t.needs_look() + t.routine, t.total);
    }
    for item in items {
        if let Item::Event(ev) = item {
            let _ = sessions.link_event(ev).describe();
            let sid = ev.account().sid.to_string();
            let _ = sessions.timeline(&sid);
        }
    }
}

/// Pushes `bytes` to `reader`, keeping a copy of each event it gives and giving the event
/// itself back ([`Reader::recycle`], as the worker's `FileDecoder` does): the next events are
/// built in its buffers, and must come out as if built new.
pub fn push_recycling(reader: &mut keytrail::ingest::Reader, bytes: &[u8], out: &mut Vec<Item>) {
    let mut fresh = Vec::new();
    reader.push(bytes, &mut fresh);
    for item in fresh {
        match item {
            Item::Event(event) => {
                out.push(Item::Event(event.clone()));
                reader.recycle(event);
            }
            problem => out.push(problem),
        }
    }
}

/// Reads `data` through a new [`Reader`](keytrail::ingest::Reader) whole (no `cuts`) or cut at
/// `cuts`; cut, each event is given back as it comes ([`push_recycling`]), so the two reads
/// also hold events built in given-back buffers to those built new.
pub fn read(data: &[u8], cuts: &[usize]) -> Vec<Item> {
    let mut reader = keytrail::ingest::Reader::new();
    let recycle = !cuts.is_empty();
    let mut out = feed(
        data,
        cuts,
        |b, out| {
            if recycle {
                push_recycling(&mut reader, b, out)
            } else {
                reader.push(b, out)
            }
        },
        |_| {},
    );
    reader.finish(&mut out);
    out
}
