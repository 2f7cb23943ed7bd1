//! The worker's file pipeline, natively (`ingest::file`): bytes in, rows, sessions, progress and
//! problem lines out, and a file split between two decoders joined back as one. The browser
//! worker adds only the reading of `File` slices and the messages.

use keytrail::decoder::{find_event_start, TextEncoding};
use keytrail::generator::{self, Encoding, Format, Spec};
use keytrail::ingest::file::{detail_of, Collected, Detail, FileDecoder, Progress};
use keytrail::ingest::Reader;
use keytrail::model::store::{Batch, Joiner};

fn sample(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// What one decoder gives for `bytes` fed in 1 MiB slices: its final report (with every problem
/// line) and its rows.
fn one(bytes: &[u8]) -> (Progress, Vec<Batch>) {
    let mut file = FileDecoder::new(3);
    let mut collected = Collected::default();
    let mut lines = Vec::new();
    for slice in bytes.chunks(1 << 20) {
        file.push(slice, &mut collected);
        lines.append(&mut file.take().new_problems);
    }
    let mut last = file.finish(&mut collected);
    lines.append(&mut last.new_problems);
    last.new_problems = lines;
    (last, vec![collected.rows.take()])
}

/// The same, split at `at`: a second decoder (`rest`) reads from there, and is joined to the
/// first at its boundary, as the worker joins its second worker.
fn two(bytes: &[u8], at: usize, rest: Reader) -> (Progress, Vec<Batch>) {
    let mut head = FileDecoder::new(3);
    let mut collected = Collected::default();
    let mut lines = Vec::new();
    head.push(&bytes[..at], &mut collected);
    lines.append(&mut head.take().new_problems);
    let boundary = head.boundary().expect("a clean boundary");
    let mut tail = FileDecoder::with_reader(9, rest);
    let mut tail_rows = Collected::default();
    let mut tail_lines = Vec::new();
    tail.push(&bytes[at..], &mut tail_rows);
    tail_lines.append(&mut tail.take().new_problems);
    let mut tail_last = tail.finish(&mut tail_rows);
    tail_lines.append(&mut tail_last.new_problems);
    let mut joiner = Joiner::new(3, boundary);
    joiner.join(tail_rows.rows.take(), &mut collected.rows);
    let mut last = head.join(&tail_last, tail_lines, &boundary);
    lines.append(&mut last.new_problems);
    last.new_problems = lines;
    (last, vec![collected.rows.take()])
}

#[test]
fn an_evtx_file_split_between_two_decoders_is_joined_as_one() {
    let bytes = sample("evtx/sample_with_a_bad_chunk_magic.evtx");
    let (whole, rows) = one(&bytes);
    assert_eq!((whole.events, whole.problems, whole.skipped), (301, 9, 6));
    assert!(whole.done);
    let first = &whole.new_problems[2];
    assert_eq!(
        (first.kind.code(), first.byte, first.line),
        ("evtx_bad_chunk", 0x61000, 0)
    );
    assert!(first
        .text()
        .starts_with("chunk 6, offset 0x61000: chunk cannot be read"));
    // The chunk count the file header declares (bytes 42–43).
    let declared = u64::from(u16::from_le_bytes([bytes[42], bytes[43]]));
    let chunks = (bytes.len() as u64 - 4096) / 65536;
    for chunk in 1..chunks {
        let part = keytrail::ingest::EvtxPart {
            first_chunk: chunk,
            declared: Some(declared),
        };
        let (joined, joined_rows) = two(&bytes, part.start() as usize, Reader::evtx_part(part));
        assert_eq!(joined, whole, "split at chunk {chunk}");
        assert_eq!(joined_rows[0].rows, rows[0].rows, "split at chunk {chunk}");
    }
}

#[test]
fn an_xml_file_split_between_two_decoders_is_joined_as_one() {
    let mut bytes = generator::export(
        &Spec {
            seed: 7,
            events: 400,
        },
        Format::Wevtutil,
        Encoding::Utf8,
    );
    // A broken event in the second half.
    let at = bytes.len() * 3 / 4;
    let at = at + find_event_start(&bytes[at..], TextEncoding::Utf8).unwrap();
    bytes.splice(at..at, b"<Event><System></Sys></Event>".iter().copied());
    let (whole, rows) = one(&bytes);
    assert_eq!((whole.events, whole.skipped), (400, 1));
    let middle = bytes.len() / 2;
    let at = middle + find_event_start(&bytes[middle..], TextEncoding::Utf8).unwrap();
    let (joined, joined_rows) = two(&bytes, at, Reader::new());
    assert_eq!(joined, whole);
    assert_eq!(joined_rows[0].rows, rows[0].rows);
}

#[test]
fn the_detail_of_an_evtx_record_is_its_xml_decoded_again() {
    let bytes = sample("evtx/security.evtx");
    let (_, events, _, _) = keytrail::ingest::read_all(&bytes);
    let e = events.iter().find(|e| e.event_id() == 5058).unwrap();
    let chunk = keytrail::ingest::evtx_chunk_of(e.byte_range.0);
    let xml = keytrail::ingest::record_xml(
        &bytes[chunk.start as usize..chunk.end as usize],
        e.byte_range.0 - chunk.start,
    )
    .unwrap();
    let mut detail = Detail::empty(1);
    let again = detail_of(xml.as_bytes(), &mut detail).unwrap();
    assert_eq!(detail.event_id, 5058);
    assert_eq!(again.record_id(), e.record_id());
    let algorithm = detail
        .fields
        .iter()
        .find(|f| f.name == "AlgorithmName")
        .unwrap();
    assert_eq!(algorithm.raw, "%%2432");
    assert!(algorithm.decoded.is_some(), "the %% code is decoded");
    assert_eq!(detail.xml, xml);
}
