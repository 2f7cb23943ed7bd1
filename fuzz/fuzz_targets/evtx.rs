//! Arbitrary chunks behind a real `.evtx` file header: the `.evtx` reader (the evtx crate and
//! keytrail's chunk walk) must not panic, must keep its memory bounded (libFuzzer's
//! -rss_limit_mb: corrupt size fields must not turn into huge allocations), and must give the
//! same items however the file arrives, and the same whether records are built from their BinXML
//! or from the crate's XML of them (`EvtxReader::xml_only`), and whether by their templates'
//! plans or element by element (`EvtxReader::unplanned`). Every decoded event then goes down
//! the viewer's and the CLI's path ([`common::exercise`]).
#![no_main]

#[path = "common.rs"]
mod common;

use keytrail::ingest::EvtxReader;
use libfuzzer_sys::fuzz_target;

/// The file header of tests/fixtures/evtx/security.evtx.
static HEADER: &[u8; 4096] = include_bytes!("../headers/security.evtx.header");

fuzz_target!(|input: &[u8]| {
    // The first byte seeds how the file arrives; the rest are its chunks.
    let Some((&seed, chunks)) = input.split_first() else {
        return;
    };
    let data = [&HEADER[..], chunks].concat();
    let whole = common::read(&data, &[]);
    // Pieces of up to 97 bytes are too many for a 64 KiB chunk: scale them up.
    let cuts: Vec<usize> = common::cuts(seed, data.len() / 64)
        .into_iter()
        .map(|c| c * 64)
        .collect();
    let pieces = common::read(&data, &cuts);
    assert_eq!(
        whole, pieces,
        "cutting the input, or building events in given-back ones, changed the result"
    );
    // Events built straight from BinXML are those of the crate's XML, damaged or not.
    let items = |mut r: EvtxReader| {
        let mut out = Vec::new();
        r.push(&data, &mut out);
        r.finish(&mut out);
        (out, r.stats().clone())
    };
    let direct = items(EvtxReader::new());
    assert!(
        direct == items(EvtxReader::new().xml_only()),
        "the BinXML path and the XML path differ"
    );
    // Records built by their template's plan are those built element by element.
    assert!(
        direct == items(EvtxReader::new().unplanned()),
        "the planned and the element-by-element builds differ"
    );
    common::exercise(&whole);
});
