//! The worker's file pipeline, natively (`ingest::file`): bytes in, rows, sessions, progress and
//! problem lines out, and a file split between two decoders joined back as one; and the worker
//! chain's plan (`ingest::chain`): the slices, where a large file is split, the next worker's part
//! collected and joined, or refused. The browser worker adds only the reading of `File` slices,
//! the messages and the timers.

use keytrail::decoder::{find_event_start, TextEncoding};
use keytrail::generator::{self, Encoding, Format, Spec};
use keytrail::ingest::chain::{
    self, first_slice, Part, PartReport, Split, SplitWindow, BATCH_ROWS, SPLIT_BYTES,
};
use keytrail::ingest::export::{ExportRow, ExportShape, Exporter};
use keytrail::ingest::file::{detail_of, Collected, Detail, FileDecoder, Progress};
use keytrail::ingest::Reader;
use keytrail::model::export::Record;
use keytrail::model::session::{Session, SessionIndex};
use keytrail::model::store::{Batch, Joiner, Row};

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
    let (joined, joined_rows) = two(&bytes, at, Reader::unhashed());
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
/// the exporter asks for; gives the export's text, how many rows were lost and how many reads.
fn export_rows(bytes: &[u8], rows: Vec<ExportRow>, shape: ExportShape) -> (String, usize, usize) {
    let names = (1..=u32::from(u16::MAX))
        .filter_map(|id| Some((id, keytrail::decoder::view::event_name(id)?.to_string())))
        .collect();
    let mut exporter = Exporter::new(rows, vec!["Security.evtx".into()], names, shape);
    // The worker's index of the logon sessions of every event it loaded.
    let mut sessions = SessionIndex::default();
    for event in &keytrail::ingest::read_all(bytes).1 {
        sessions.add(event);
    }
    let mut reads = 0;
    while let Some((file, range)) = exporter.next_read() {
        assert_eq!(file, 0);
        reads += 1;
        let end = (range.end as usize).min(bytes.len());
        exporter.take(&bytes[range.start as usize..end], &mut sessions);
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
        let (text, lost, reads) = export_rows(&bytes, rows, ExportShape::Json);
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
        let (csv, _, _) = export_rows(&bytes, rows, ExportShape::Csv);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], keytrail::model::export::csv_header());
        assert!(lines[1].starts_with("Security.evtx,"), "{}", lines[1]);
        // ECS: every row, in file order, gives the documents `keytrail export --format ecs`
        // writes for the file (logon sessions followed through it the same way), one a line.
        let rows = events
            .iter()
            .map(|e| ExportRow::of(0, e, vec!["export-any".into()]))
            .collect();
        let (ecs, lost, _) = export_rows(&bytes, rows, ExportShape::Ecs);
        assert_eq!(lost, 0, "{name}");
        let mut cli = keytrail::model::export::ecs::EcsExport::new();
        let mut want = String::new();
        for event in &events {
            let name = keytrail::decoder::view::event_name(event.event_id());
            cli.write(event, name, &["export-any"], &mut want);
            want.push('\n');
        }
        assert_eq!(ecs.lines().count(), want.lines().count(), "{name}");
        for (n, (page, cli)) in ecs.lines().zip(want.lines()).enumerate() {
            // The page knows every event loaded: the privileges of a session are on its 4624
            // too (the CLI's stream meets the 4672 only after it). Nothing else differs.
            let mut page: serde_json::Value = serde_json::from_str(page).unwrap();
            let cli: serde_json::Value = serde_json::from_str(cli).unwrap();
            if cli.pointer("/keytrail/session/privileges").is_none() {
                if let Some(s) = page.pointer_mut("/keytrail/session") {
                    let s = s.as_object_mut().unwrap();
                    if let Some(got) = s.remove("privileges") {
                        // Those of the session's own 4672, later in the file.
                        let id = s["logon_id"].as_str().unwrap();
                        let granted = events
                            .iter()
                            .find(|e| e.event_id() == 4672 && e.data("SubjectLogonId") == Some(id));
                        let want: Vec<&str> = granted
                            .and_then(|e| e.data("PrivilegeList"))
                            .unwrap_or_default()
                            .split_whitespace()
                            .collect();
                        assert_eq!(got, serde_json::json!(want), "{name}, line {n}");
                    }
                }
            }
            assert_eq!(
                page, cli,
                "{name}, line {n}: the page's ECS export and the CLI's"
            );
        }
        assert!(ecs
            .lines()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
    }
}

/// An ECS document on the page says which logon session its event ran in whether or not the
/// 4624 and 4672 of that session were among the rows chosen: it comes from the index of
/// everything loaded, not from the rows exported.
#[test]
fn the_page_ecs_export_links_sessions_of_rows_whose_logon_was_not_chosen() {
    let bytes = sample("siem-same-events.xml");
    let (_, events, _, _) = keytrail::ingest::read_all(&bytes);
    let all: Vec<ExportRow> = events.iter().map(|e| ExportRow::of(0, e, vec![])).collect();
    let (whole, _, _) = export_rows(&bytes, all, ExportShape::Ecs);
    let keys: Vec<usize> = (0..events.len())
        .filter(|&i| !matches!(events[i].event_id(), 4624 | 4672))
        .collect();
    assert_eq!(keys.len(), 3);
    let rows = keys
        .iter()
        .map(|&i| ExportRow::of(0, &events[i], vec![]))
        .collect();
    let (chosen, lost, _) = export_rows(&bytes, rows, ExportShape::Ecs);
    assert_eq!(lost, 0);
    let whole: Vec<&str> = whole.lines().collect();
    let chosen: Vec<&str> = chosen.lines().collect();
    for (n, &i) in keys.iter().enumerate() {
        assert_eq!(chosen[n], whole[i], "event {}", events[i].event_id());
        let doc: serde_json::Value = serde_json::from_str(chosen[n]).unwrap();
        let session = &doc["keytrail"]["session"];
        assert!(session["logon_type"].is_number(), "{}", chosen[n]);
        assert!(session["privileges"].is_array(), "{}", chosen[n]);
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
    let (text, lost, _) = export_rows(&bytes[..last.0 as usize + 10], rows, ExportShape::Json);
    assert_eq!(lost, 1);
    let got: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(got.len(), 1);
}

// The worker chain's plan (`ingest::chain`), as a worker and the next one run it: the first
// slice, the split chosen in the window, each share read in slices and fed in pieces, the next
// worker's reports collected and joined.

/// What a worker sends, as the next worker sends it to the one before.
type Sent = PartReport<Vec<u8>>;

/// Reads bytes `range` of `file` into `decoder` in slices, feeding each as the worker does: the
/// batches of rows (of load `generation`) and the progress after each slice.
fn read(
    decoder: &mut FileDecoder,
    file: &[u8],
    range: std::ops::Range<u64>,
    collected: &mut Collected,
    generation: u32,
) -> Vec<Sent> {
    let mut sent = Vec::new();
    for slice in chain::slices(range) {
        let bytes = &file[slice.start as usize..slice.end as usize];
        for batch in chain::feed(decoder, bytes, collected) {
            sent.push(PartReport::Rows { generation, batch });
        }
        sent.push(PartReport::Progress(decoder.take()));
    }
    sent
}

/// `file` read to its end by `decoder` alone, as one worker reads it.
fn alone(file: &[u8], mut decoder: FileDecoder, generation: u32) -> (Vec<Sent>, SessionIndex) {
    let size = file.len() as u64;
    let first = first_slice(size);
    let mut collected = Collected::default();
    let mut sent = read(&mut decoder, file, 0..first, &mut collected, generation);
    sent.extend(read(
        &mut decoder,
        file,
        first..size,
        &mut collected,
        generation,
    ));
    let last = decoder.finish(&mut collected);
    if let Some(batch) = chain::take_batch(&mut collected) {
        sent.push(PartReport::Rows { generation, batch });
    }
    sent.push(PartReport::Progress(last));
    (sent, collected.sessions)
}

/// What the next worker sends about part `job` of `file`.
fn next_worker(file: &[u8], split: &Split, job: u32) -> Vec<Sent> {
    let reader = split.evtx.map_or_else(Reader::unhashed, Reader::evtx_part);
    let part = &file[split.at as usize..split.end as usize];
    let (mut sent, sessions) = alone(part, FileDecoder::with_reader(job, reader), job);
    sent.push(PartReport::End {
        job,
        complete: true,
        sessions: sessions.into_parts(),
    });
    sent
}

/// How `file` was shared with a next worker, and what came of it.
struct Shared {
    split: Split,
    /// What the first worker sent the page.
    sent: Vec<Sent>,
    sessions: SessionIndex,
    /// Whether the part was joined (or refused, and the rest decoded by the first worker).
    joined: bool,
}

/// `file` read by a worker with a next one: the part after its share goes to the next worker
/// (whose reports, and a stale report of an earlier part, are collected), and is joined; if
/// `edit` makes the part refused, the first worker decodes the rest itself.
fn shared(file: &[u8], edit: impl FnOnce(&mut Part<Vec<u8>>)) -> Shared {
    let size = file.len() as u64;
    let first = first_slice(size);
    let window = SplitWindow::new(first..size, 2).expect("large enough to share");
    let mut decoder = FileDecoder::new(3);
    let mut collected = Collected::default();
    let mut sent = read(&mut decoder, file, 0..first, &mut collected, 0);
    let bytes = window.bytes();
    let split = window
        .evtx(&decoder)
        .or_else(|| {
            window.xml(
                decoder.encoding(),
                &file[bytes.start as usize..bytes.end as usize],
            )
        })
        .expect("a place to split");
    let mut part = Part::new(7, split.at);
    assert!(
        !part.collect(PartReport::Progress(Progress::new(6))),
        "stale"
    );
    part.collect(PartReport::Rows {
        generation: 6,
        batch: vec![0xff],
    });
    let mut progress = false;
    for report in next_worker(file, &split, 7) {
        progress |= part.collect(report);
    }
    assert!(progress && part.ended() && part.bytes == size - split.at);
    edit(&mut part);
    sent.extend(read(&mut decoder, file, first..split.at, &mut collected, 0));
    let joined = match part.join(&decoder, Vec::clone) {
        Some(mut joining) => {
            while let Some(batch) = joining.next_batch(&mut collected) {
                sent.push(PartReport::Rows {
                    generation: 0,
                    batch,
                });
            }
            let last = joining.finish(&mut decoder, &mut collected);
            sent.push(PartReport::Progress(last));
            true
        }
        None => {
            let rest = read(&mut decoder, file, split.at..size, &mut collected, 0);
            sent.extend(rest);
            let last = decoder.finish(&mut collected);
            if let Some(batch) = chain::take_batch(&mut collected) {
                sent.push(PartReport::Rows {
                    generation: 0,
                    batch,
                });
            }
            sent.push(PartReport::Progress(last));
            false
        }
    };
    Shared {
        split,
        sent,
        sessions: collected.sessions,
        joined,
    }
}

/// What the page makes of what a worker sent: the last report with every problem line, every
/// row in order, and how many batches carried them.
fn page(sent: Vec<Sent>) -> (Progress, Vec<Row>, usize) {
    let (mut lines, mut rows, mut batches) = (Vec::new(), Vec::new(), 0);
    let mut last = None;
    for report in sent {
        match report {
            PartReport::Rows { batch, .. } => {
                let batch = Batch::decode(&batch).unwrap();
                assert!(
                    batch.rows.len() <= BATCH_ROWS + 200,
                    "batches stay near BATCH_ROWS"
                );
                rows.extend(batch.rows);
                batches += 1;
            }
            PartReport::Progress(mut p) => {
                lines.append(&mut p.new_problems);
                last = Some(p);
            }
            _ => panic!("the page hears only rows and progress"),
        }
    }
    let mut last = last.unwrap();
    last.new_problems = lines;
    (last, rows, batches)
}

/// Every session of the index, with logoffs and privileges resolved, in a fixed order.
fn sessions(index: SessionIndex) -> Vec<Session> {
    let parts = index.into_parts();
    let sids: std::collections::BTreeSet<String> = parts
        .sessions
        .iter()
        .map(|(_, s)| s.sid.to_lowercase())
        .collect();
    let mut index = SessionIndex::new();
    index.join(parts);
    let mut all: Vec<Session> = sids
        .iter()
        .flat_map(|sid| index.timeline(sid).into_iter().cloned().collect::<Vec<_>>())
        .collect();
    all.sort_by_key(|s| (s.logon_record, s.logon_time, s.computer.clone(), s.logon_id));
    all
}

/// An export a little over [`SPLIT_BYTES`] with a broken event in each half.
fn large_xml() -> Vec<u8> {
    let mut out = Vec::new();
    generator::write_to_size(
        4624,
        SPLIT_BYTES + (1 << 20),
        Format::Wevtutil,
        Encoding::Utf8,
        &mut out,
    )
    .unwrap();
    for third in [2, 1] {
        let at = out.len() * third / 3;
        let at = at + find_event_start(&out[at..], TextEncoding::Utf8).unwrap();
        let broken = b"<Event><System><EventID>5059</EventID></Sys></Event>\r\n";
        out.splice(at..at, broken.iter().copied());
    }
    out
}

/// A generated `.evtx` a little over [`SPLIT_BYTES`] with a bad chunk in each half.
fn large_evtx() -> Vec<u8> {
    let spec = Spec {
        seed: 4624,
        events: usize::MAX,
    };
    let mut file = std::io::Cursor::new(Vec::new());
    generator::evtx::write(generator::events(&spec), SPLIT_BYTES + (1 << 20), &mut file).unwrap();
    let mut out = file.into_inner();
    let chunks = (out.len() - 4096) / 65536;
    for chunk in [chunks / 4, chunks * 3 / 4] {
        out[4096 + chunk * 65536] = b'X';
    }
    out
}

/// `file` shared with a next worker gives the page what one worker gives it.
fn shared_as_alone(file: &[u8]) -> Split {
    let one = alone(file, FileDecoder::new(3), 0);
    let two = shared(file, |_| {});
    assert!(two.joined, "the part was joined");
    let (one_last, one_rows, _) = page(one.0);
    let (two_last, two_rows, batches) = page(two.sent);
    assert!(batches > 2, "rows sent in batches");
    assert_eq!(two_last, one_last);
    assert_eq!(two_rows, one_rows);
    assert!(!one_rows.is_empty());
    let one_sessions = sessions(one.1);
    assert!(!one_sessions.is_empty());
    assert_eq!(sessions(two.sessions), one_sessions);
    // A problem of the part is in its place in the whole file, numbered in it.
    let after: Vec<_> = one_last
        .new_problems
        .iter()
        .filter(|p| p.byte > two.split.at)
        .collect();
    assert!(!after.is_empty(), "a problem in the part");
    let events_before = one_rows
        .iter()
        .filter(|r| r.byte_start < two.split.at)
        .count() as u64;
    assert!(after
        .iter()
        .all(|p| p.event.is_none_or(|n| n > events_before)));
    two.split
}

#[test]
fn an_xml_file_is_split_at_the_first_event_in_its_window_and_joined_as_one() {
    let file = large_xml();
    let split = shared_as_alone(&file);
    assert_eq!(split.evtx, None);
    let size = file.len() as u64;
    let window = SplitWindow::new(first_slice(size)..size, 2).unwrap();
    let start = window.bytes().start;
    assert!(file[split.at as usize..].starts_with(b"<Event "));
    assert!(split.at >= start && split.at < window.bytes().end);
    let between = &file[start as usize..split.at as usize];
    assert!(
        !between.windows(7).any(|w| w == b"<Event "),
        "the first one"
    );
    assert_eq!(split.end, size);
}

#[test]
fn an_evtx_file_is_split_at_a_chunk_and_joined_as_one() {
    let file = large_evtx();
    let split = shared_as_alone(&file);
    let size = file.len() as u64;
    let part = split.evtx.expect("an .evtx part");
    assert_eq!(split.at, part.start());
    assert_eq!((split.at - 4096) % 65536, 0, "a chunk");
    // Near the middle of what is left after the first slice.
    let middle = first_slice(size) + (size - first_slice(size)) / 2;
    assert!(
        split.at.abs_diff(middle) <= 65536,
        "{} vs {middle}",
        split.at
    );
    // The XML way finds nothing in an .evtx file.
    let mut decoder = FileDecoder::new(0);
    decoder.push(
        &file[..first_slice(size) as usize],
        &mut Collected::default(),
    );
    let window = SplitWindow::new(first_slice(size)..size, 2).unwrap();
    let bytes = window.bytes();
    assert_eq!(
        window.xml(
            decoder.encoding(),
            &file[bytes.start as usize..bytes.end as usize]
        ),
        None
    );
}

#[test]
fn an_xml_file_has_no_evtx_split_and_a_small_file_none_at_all() {
    let file = large_xml();
    let size = file.len() as u64;
    let mut decoder = FileDecoder::new(0);
    decoder.push(
        &file[..first_slice(size) as usize],
        &mut Collected::default(),
    );
    let window = SplitWindow::new(first_slice(size)..size, 2).unwrap();
    assert_eq!(window.evtx(&decoder), None);
    assert_eq!(SplitWindow::new(first_slice(size)..SPLIT_BYTES, 2), None);
}

#[test]
fn a_part_after_an_event_left_open_is_refused_and_the_first_worker_decodes_the_rest() {
    // An event that straddles the window's start holds `<Event` in a comment: the first
    // `<Event` of the window is inside it, so the first worker's decoder is inside an event
    // there. (The window starts half of the 256 KiB comment further than before.)
    let mut file = large_xml();
    let size = file.len() as u64;
    let start = SplitWindow::new(first_slice(size)..size, 2)
        .unwrap()
        .bytes()
        .start as usize;
    let open = start - 4096;
    let open = open + find_event_start(&file[open..], TextEncoding::Utf8).unwrap();
    let mut event = b"<Event><System><EventID>5059</EventID></System><!-- ".to_vec();
    event.extend(std::iter::repeat_n(b'x', 256 << 10));
    event.extend_from_slice(b" <Event > --></Event>\r\n");
    file.splice(open..open, event);
    let one = alone(&file, FileDecoder::new(3), 0);
    let two = shared(&file, |_| {});
    assert!(!two.joined, "refused");
    assert!(
        file[..two.split.at as usize].ends_with(b"x "),
        "inside the comment"
    );
    let (one_last, one_rows, _) = page(one.0);
    let (two_last, two_rows, _) = page(two.sent);
    assert_eq!(two_last, one_last);
    assert_eq!(two_rows, one_rows);
    assert_eq!(sessions(two.sessions), sessions(one.1));
}

#[test]
fn a_part_that_is_not_whole_is_refused() {
    let file = large_xml();
    let whole = page(alone(&file, FileDecoder::new(3), 0).0);
    // The browser refused to read it.
    let failed = shared(&file, |part| {
        part.collect(PartReport::ReadFailed { file: 7 });
    });
    // One of its batches does not decode: none is joined.
    let damaged = shared(&file, |part| {
        part.collect(PartReport::Rows {
            generation: 7,
            batch: vec![1, 2, 3],
        });
    });
    for refused in [failed, damaged] {
        assert!(!refused.joined);
        let (last, rows, _) = page(refused.sent);
        assert_eq!((last, rows), (whole.0.clone(), whole.1.clone()));
    }
}

/// Events as `Collect` sees them, cloned.
#[derive(Default)]
struct Events(Vec<keytrail::decoder::Event>);

impl keytrail::ingest::file::Collect for Events {
    fn event(&mut self, _file: u16, event: &keytrail::decoder::Event) {
        self.0.push(event.clone());
    }
}

/// `FileDecoder` gives each event back to its reader once its row is taken, and the next is
/// built in its buffers: on every fixture (each XML shape, the SIEM and PowerShell shapes, the
/// real and the damaged `.evtx` logs, the hostile files), in slices of every few KiB, the events
/// are exactly those of a reader that builds each one new.
#[test]
fn events_built_in_given_back_ones_are_those_built_new() {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for sub in ["", "evtx", "ecs"] {
        for entry in std::fs::read_dir(format!("{dir}/{sub}")).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() && path.extension().is_some_and(|e| e != "md") {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 60, "{} fixtures", files.len());
    let mut events = 0;
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let mut fresh = Reader::new();
        let mut items = Vec::new();
        let mut kept = Events::default();
        let mut file = FileDecoder::new(0);
        for (n, slice) in bytes.chunks(4093).enumerate() {
            fresh.push(slice, &mut items);
            file.push(slice, &mut kept);
            if n % 7 == 0 {
                let _ = file.take();
            }
        }
        fresh.finish(&mut items);
        file.finish(&mut kept);
        let want: Vec<_> = items
            .into_iter()
            .filter_map(|item| match item {
                keytrail::decoder::Item::Event(e) => Some(e),
                keytrail::decoder::Item::Problem(_) => None,
            })
            .collect();
        assert_eq!(kept.0.len(), want.len(), "{}", path.display());
        for (got, want) in kept.0.iter().zip(&want) {
            assert_eq!(got, want, "{}", path.display());
        }
        events += want.len();
    }
    assert!(events > 5_000, "{events} events");
}
