//! The worker's file pipeline, natively (`ingest::file`): bytes in, rows, sessions, progress and
//! problem lines out, and a file split between two decoders joined back as one. The browser
//! worker adds only the reading of `File` slices and the messages.

use keytrail::decoder::{find_event_start, TextEncoding};
use keytrail::generator::{self, Encoding, Format, Spec};
use keytrail::ingest::export::{ExportRow, Exporter};
use keytrail::ingest::file::{detail_of, Collected, Detail, FileDecoder, Progress};
use keytrail::ingest::Reader;
use keytrail::model::export::Record;
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

/// Runs an export of `rows` of the file `bytes` as the worker does, reading only the windows
/// the exporter asks for; gives the JSON array's records and how many rows were lost.
fn export_rows(bytes: &[u8], rows: Vec<ExportRow>, csv: bool) -> (String, usize, usize) {
    let mut exporter = Exporter::new(rows, vec!["Security.evtx".into()], csv);
    let mut reads = 0;
    while let Some((file, range)) = exporter.next_read() {
        assert_eq!(file, 0);
        reads += 1;
        let end = (range.end as usize).min(bytes.len());
        exporter.take(&bytes[range.start as usize..end]);
    }
    let (text, lost) = exporter.finish();
    (text, lost, reads)
}

/// The page's export reads the chosen events again and writes the CLI's records for them, in
/// the order chosen, from XML (UTF-16 too) and from `.evtx` chunks alike.
#[test]
fn the_page_export_writes_the_cli_records_of_the_chosen_rows_in_their_order() {
    for name in [
        "evtx/security.evtx",
        "event-viewer-utf16le-bom.xml",
        "wevtutil.xml",
    ] {
        let bytes = sample(name);
        let (_, events, _, _) = keytrail::ingest::read_all(&bytes);
        assert!(events.len() > 2, "{name}");
        // Every third event, newest first, the first two marked as matching a rule.
        let chosen: Vec<usize> = (0..events.len()).step_by(3).rev().collect();
        let rows = chosen
            .iter()
            .enumerate()
            .map(|(n, &i)| ExportRow {
                file: 0,
                start: events[i].byte_range.0,
                end: events[i].byte_range.1,
                findings: if n < 2 {
                    vec!["export-any".into()]
                } else {
                    vec![]
                },
            })
            .collect();
        let (text, lost, reads) = export_rows(&bytes, rows, false);
        assert_eq!(lost, 0, "{name}");
        let got: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
        assert_eq!(got.len(), chosen.len(), "{name}");
        for (n, (record, &i)) in got.iter().zip(&chosen).enumerate() {
            let findings = if n < 2 { vec!["export-any"] } else { vec![] };
            let mut want = String::new();
            Record::new("Security.evtx", &events[i], findings).write_json(&mut want);
            let want: serde_json::Value = serde_json::from_str(&want).unwrap();
            assert_eq!(record, &want, "{name}, record {n}");
        }
        // A small file is one window, read once.
        assert_eq!(reads, 1, "{name}");
        // CSV: the header, then one row per record.
        let rows = vec![ExportRow {
            file: 0,
            start: events[1].byte_range.0,
            end: events[1].byte_range.1,
            findings: vec![],
        }];
        let (csv, _, _) = export_rows(&bytes, rows, true);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], keytrail::model::export::csv_header());
        assert!(lines[1].starts_with("Security.evtx,"), "{}", lines[1]);
    }
}

/// Rows whose bytes are gone (a file cut short since it was opened) are counted, not dropped
/// silently, and the other rows are still written.
#[test]
fn the_page_export_counts_rows_it_cannot_read_again() {
    let bytes = sample("wevtutil.xml");
    let (_, events, _, _) = keytrail::ingest::read_all(&bytes);
    let last = events.last().unwrap().byte_range;
    let rows = vec![
        ExportRow {
            file: 0,
            start: events[0].byte_range.0,
            end: events[0].byte_range.1,
            findings: vec![],
        },
        ExportRow {
            file: 0,
            start: last.0,
            end: last.1,
            findings: vec![],
        },
    ];
    let (text, lost, _) = export_rows(&bytes[..last.0 as usize + 10], rows, false);
    assert_eq!(lost, 1);
    let got: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(got.len(), 1);
}
