//! Arbitrary bytes, cut into arbitrary chunks: the XML decoder must not panic, must keep its
//! memory bounded (libFuzzer's -rss_limit_mb), and must give the same items however the input is
//! cut. Every decoded event then goes down the viewer's and the CLI's path ([`common::exercise`]).
#![no_main]

#[path = "common.rs"]
mod common;

use keytrail::decoder::Decoder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    // The first byte seeds the chunking; the rest is the document.
    let Some((&seed, data)) = input.split_first() else {
        return;
    };
    let decode = |cuts: &[usize]| {
        let mut d = Decoder::new();
        let out = common::feed(data, cuts, |b, out| d.push(b, out), |_| {});
        let mut rest = Vec::new();
        d.finish(&mut rest);
        [out, rest].concat()
    };
    let whole = decode(&[]);
    let pieces = decode(&common::cuts(seed, data.len()));
    assert_eq!(whole, pieces, "cutting the input changed the result");
    common::exercise(&whole);
});
