//! Arbitrary bytes, cut into arbitrary chunks: the reader of every text format (event XML, and
//! the JSON, CSV and Export-Clixml of SIEMs and PowerShell, told apart by content as for a real
//! file) must not panic, must keep its memory bounded (libFuzzer's -rss_limit_mb), and must give
//! the same items however the input is cut. Every decoded event then goes down the viewer's and
//! the CLI's path ([`common::exercise`]). Seeds from `tests/fixtures/` (`*.xml`, `*.json*`,
//! `*.ndjson`, `*.csv`, `*.clixml`) reach every reader.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    // The first byte seeds the chunking; the rest is the document.
    let Some((&seed, data)) = input.split_first() else {
        return;
    };
    let whole = common::read(data, &[]);
    let pieces = common::read(data, &common::cuts(seed, data.len()));
    assert_eq!(
        whole, pieces,
        "cutting the input, or building events in given-back ones, changed the result"
    );
    common::exercise(&whole);
});
