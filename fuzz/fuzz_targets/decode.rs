//! Arbitrary bytes, cut into arbitrary chunks: the decoder must not panic, must keep its memory
//! bounded (libFuzzer's -rss_limit_mb), and must give the same items however the input is cut.
//! Every decoded event then goes down the viewer's and the CLI's path: typed views, the compact
//! row, the session index (link and timeline) and the monitoring rules, which must not panic on
//! whatever the event holds either.
#![no_main]

use keytrail::decoder::{Decoder, Item};
use keytrail::model::rules::{presets, RowSubject, RuleSet};
use keytrail::model::session::SessionIndex;
use keytrail::model::store::Store;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn decode(data: &[u8], cuts: &[usize]) -> Vec<Item> {
    let mut d = Decoder::new();
    let mut out = Vec::new();
    let mut at = 0;
    for &c in cuts {
        let c = c.clamp(at, data.len());
        d.push(&data[at..c], &mut out);
        at = c;
    }
    d.push(&data[at..], &mut out);
    d.finish(&mut out);
    out
}

fuzz_target!(|input: &[u8]| {
    // The first byte seeds the chunking; the rest is the document.
    let Some((&seed, data)) = input.split_first() else {
        return;
    };
    let mut cuts = Vec::new();
    let mut at = 0usize;
    let mut step = usize::from(seed % 31) + 1;
    while at < data.len() {
        at += step;
        cuts.push(at);
        step = (step * 7 + usize::from(seed)) % 97 + 1;
    }
    let whole = decode(data, &[]);
    let pieces = decode(data, &cuts);
    assert_eq!(whole, pieces, "cutting the input changed the result");

    static RULES: OnceLock<RuleSet> = OnceLock::new();
    let rules = RULES.get_or_init(|| RuleSet::compile(presets()).expect("the presets compile"));
    let mut store = Store::new();
    let mut sessions = SessionIndex::new();
    for item in &whole {
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
        }
    }
    for item in &whole {
        if let Item::Event(ev) = item {
            let _ = sessions.link_event(ev).describe();
            let sid = ev.account().sid.to_string();
            let _ = sessions.timeline(&sid);
        }
    }
});
