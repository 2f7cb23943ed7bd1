//! Arbitrary bytes, cut into arbitrary chunks: the decoder must not panic, must keep its memory
//! bounded (libFuzzer's -rss_limit_mb), and must give the same items however the input is cut.
#![no_main]

use keytrail::decoder::{Decoder, Item};
use libfuzzer_sys::fuzz_target;

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
});
