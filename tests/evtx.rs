//! Binary `.evtx` logs: real samples (tests/fixtures/evtx, from the evtx crate's repository),
//! damaged copies of them, and the promise that the events are those of the XML path.

use keytrail::decoder::{split_items, Event, Item, Problem, SysField};
use keytrail::ingest::{self, Format, Reader};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Records the largest single allocation of each thread: corrupt size fields must never make
/// the parser ask for a huge buffer.
struct Largest;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn note(size: usize) {
    let _ = LARGEST.try_with(|l| l.set(l.get().max(size)));
}

unsafe impl GlobalAlloc for Largest {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: Largest = Largest;

fn sample(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/evtx/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Reads `bytes` fed in pieces of `piece` bytes.
fn read_in_pieces(bytes: &[u8], piece: usize) -> (Vec<Event>, Vec<Problem>) {
    let mut reader = Reader::new();
    let mut out = Vec::new();
    for p in bytes.chunks(piece.max(1)) {
        reader.push(p, &mut out);
    }
    reader.finish(&mut out);
    split_items(out)
}

/// A generated `.evtx` of `events` events (seed 5059): 5058, 5059 and 5061 among them.
fn generated(events: usize) -> Vec<u8> {
    use keytrail::generator::{self, Spec};
    let spec = Spec { seed: 5059, events };
    let mut file = std::io::Cursor::new(Vec::new());
    generator::evtx::write(generator::events(&spec), u64::MAX, &mut file).unwrap();
    file.into_inner()
}

fn codes(problems: &[Problem]) -> Vec<&'static str> {
    problems.iter().map(|p| p.kind.code()).collect()
}

/// Every real sample: how many events decode and which problems are reported, in order.
#[test]
fn real_samples_decode_with_their_problems_reported() {
    let table: &[(&str, usize, &[&str])] = &[
        ("security.evtx", 2261, &[]),
        ("Security_with_size_t.evtx", 636, &[]),
        ("post-Security.evtx", 126, &[]),
        ("Security_short_selected.evtx", 7, &[]),
        ("new-user-security.evtx", 4, &[]),
        ("issue_201.evtx", 1, &[]),
        ("Application_no_crc32.evtx", 17, &[]),
        ("sample-with-irregular-bool-values.evtx", 3028, &[]),
        ("2-vss_7-System.evtx", 1160, &["evtx_dirty"]),
        ("sysmon.evtx", 358, &["evtx_dirty", "evtx_trailing"]),
        (
            "sample-with-zero-data-size-event.evtx",
            449,
            &["evtx_checksum", "evtx_bad_record"],
        ),
        (
            "sample_with_a_bad_chunk_magic.evtx",
            301,
            &[
                "evtx_checksum",
                "evtx_short_chunk",
                "evtx_bad_chunk",
                "evtx_checksum",
                "evtx_bad_record",
                "evtx_short_chunk",
                "evtx_checksum",
                "evtx_short_chunk",
                "evtx_bad_chunk",
            ],
        ),
    ];
    for &(name, events, problems) in table {
        let (format, ev, pr, stats) = ingest::read_all(&sample(name));
        assert_eq!(format, Some(Format::Evtx), "{name}");
        assert_eq!(ev.len(), events, "{name}: events");
        assert_eq!(codes(&pr), problems, "{name}: problems");
        assert_eq!(stats.events, events as u64, "{name}");
        let lost = pr.iter().filter(|p| p.is_skip()).count() as u64;
        assert_eq!(
            stats.skipped, lost,
            "{name}: the skipped count is what was lost"
        );
    }
}

/// The evtx crate's own reader finds the same records (a cross-check of the chunk walk).
#[test]
fn every_record_the_evtx_crate_reads_is_an_event() {
    for name in ["security.evtx", "2-vss_7-System.evtx", "sysmon.evtx"] {
        let bytes = sample(name);
        let mut parser = evtx::EvtxParser::from_buffer(bytes.clone()).unwrap();
        let mut theirs: Vec<u64> = parser
            .records()
            .filter_map(Result::ok)
            .map(|r| r.event_record_id)
            .collect();
        let (_, events, _, _) = ingest::read_all(&bytes);
        let mut ours: Vec<u64> = events.iter().filter_map(Event::record_id).collect();
        theirs.sort_unstable();
        ours.sort_unstable();
        assert_eq!(ours, theirs, "{name}");
    }
}

/// Damaged files say where: the chunk and the byte offset in the file, and the record ID.
#[test]
fn problems_name_the_chunk_offset_and_record() {
    let (_, _, problems, _) = ingest::read_all(&sample("sample_with_a_bad_chunk_magic.evtx"));
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        text[1],
        "chunk 0, offset 0x1000: the chunk header counts 130 records but only 14 could be \
         reached; the others are lost"
    );
    assert!(
        text[2].starts_with("chunk 6, offset 0x61000: chunk cannot be read (")
            && text[2].ends_with("its records are lost"),
        "{}",
        text[2]
    );
    assert!(
        text[4].starts_with("chunk 7, offset 0x73060: a record cannot be decoded")
            && text[4].ends_with("(event skipped)"),
        "{}",
        text[4]
    );
    assert_eq!(problems[2].position.evtx_chunk(), Some(6));
    let (_, _, problems, _) = ingest::read_all(&sample("2-vss_7-System.evtx"));
    assert_eq!(
        problems[0].to_string(),
        "chunk 4, offset 0x41000: the file header declares 4 chunks; this one and those after \
         it lie beyond them (a log copied while in use) and are read all the same"
    );
}

/// Times keep every digit of the FILETIME; SIDs, `%%` codes and hex values stay as written.
#[test]
fn values_stay_as_windows_wrote_them() {
    let (_, events, _, _) = ingest::read_all(&sample("security.evtx"));
    let first = &events[0];
    assert_eq!(first.record_id(), Some(1));
    assert_eq!(
        first.system(SysField::TimeCreated),
        "2016-07-08T18:12:51.6816408Z"
    );
    assert_eq!(
        first.time().unwrap().to_string(),
        "2016-07-08T18:12:51.6816408Z"
    );
    // Every time has 7 fraction digits, and sub-microsecond ticks are not rounded away.
    assert!(events
        .iter()
        .all(|e| e.system(SysField::TimeCreated).len() == 28));
    assert!(events
        .iter()
        .any(|e| !e.system(SysField::TimeCreated).ends_with("0Z")));
    let key = events.iter().find(|e| e.event_id() == 5058).unwrap();
    assert_eq!(key.data("AlgorithmName"), Some("%%2432"));
    assert_eq!(key.data("SubjectUserSid"), Some("S-1-5-18"));
    assert_eq!(key.data("SubjectLogonId"), Some("0x3e7"));
    assert_eq!(key.data("ReturnCode"), Some("0x0"));
    assert_eq!(key.channel(), "Security");
    assert_eq!(key.provider(), "Microsoft-Windows-Security-Auditing");
}

/// Real 4648 events carry two Data elements named `LogonGuid`: both are kept, in order.
#[test]
fn repeated_data_names_are_kept_in_order() {
    let (_, events, _, _) = ingest::read_all(&sample("Security_with_size_t.evtx"));
    let e = events.iter().find(|e| e.event_id() == 4648).unwrap();
    let names: Vec<&str> = e.fields().map(|f| f.name).collect();
    assert_eq!(
        names.iter().filter(|&&n| n == "LogonGuid").count(),
        2,
        "{names:?}"
    );
    assert_eq!(names[4], "LogonGuid");
    assert_eq!(names[7], "LogonGuid");
}

/// The result never depends on how the bytes arrive.
#[test]
fn pieces_of_any_size_give_the_same_result() {
    for name in ["security.evtx", "sample_with_a_bad_chunk_magic.evtx"] {
        let bytes = sample(name);
        let whole = read_in_pieces(&bytes, bytes.len());
        for piece in [1 << 20, 65536, 65535, 4097, 4095, 777] {
            assert!(read_in_pieces(&bytes, piece) == whole, "{name}, {piece}");
        }
    }
}

/// An event's byte range is its record: the detail pane renders it again from its chunk.
#[test]
fn each_event_renders_again_from_its_chunk() {
    let bytes = sample("security.evtx");
    let (_, events, _, _) = ingest::read_all(&bytes);
    for e in events.iter().step_by(97) {
        let (start, end) = e.byte_range;
        let record = &bytes[start as usize..end as usize];
        assert!(ingest::is_evtx_record(record));
        // The record ends with a copy of its size.
        let size = u32::from_le_bytes(record[4..8].try_into().unwrap()) as usize;
        assert_eq!(size, record.len());
        let chunk = ingest::evtx_chunk_of(start);
        let xml = ingest::record_xml(
            &bytes[chunk.start as usize..chunk.end as usize],
            start - chunk.start,
        )
        .unwrap();
        let (again, _) = keytrail::decoder::EventParser::default()
            .parse(&xml)
            .unwrap();
        assert_eq!(again.record_id(), e.record_id());
        assert_eq!(
            again.fields().collect::<Vec<_>>(),
            e.fields().collect::<Vec<_>>()
        );
        assert!(xml.contains("\n"), "the detail's XML is indented");
    }
}

/// A file cut anywhere keeps every record that ends before the cut.
#[test]
fn truncated_files_keep_every_complete_record() {
    let bytes = sample("security.evtx");
    let (_, all, _, _) = ingest::read_all(&bytes);
    for cut in [4096 + 100, 4096 + 65536 + 3000, 300_000, 1_000_001] {
        let (_, events, problems, _) = ingest::read_all(&bytes[..cut]);
        let complete: Vec<u64> = all
            .iter()
            .filter(|e| e.byte_range.1 <= cut as u64)
            .filter_map(Event::record_id)
            .collect();
        let ours: Vec<u64> = events.iter().filter_map(Event::record_id).collect();
        assert!(
            complete.iter().all(|id| ours.contains(id)),
            "cut at {cut}: {} complete, {} read",
            complete.len(),
            ours.len()
        );
        assert!(
            codes(&problems).contains(&"evtx_truncated"),
            "cut at {cut}: {:?}",
            codes(&problems)
        );
    }
}

/// Damage anywhere costs at most the chunk it is in: the other chunks' events are all there,
/// and nothing panics.
#[test]
fn a_damaged_byte_costs_at_most_its_chunk() {
    for (bytes, rounds) in [(sample("security.evtx"), 60), (generated(2000), 40)] {
        damage_bytes(&bytes, rounds);
    }
}

fn damage_bytes(bytes: &[u8], rounds: usize) {
    let (_, all, _, _) = ingest::read_all(bytes);
    let mut state = 0x5059_u64;
    for _ in 0..rounds {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let at = 4096 + (state >> 33) as usize % (bytes.len() - 4096);
        let mut damaged = bytes.to_vec();
        damaged[at] ^= 0x5A;
        let (_, events, _, _) = ingest::read_all(&damaged);
        let chunk = (at - 4096) / 65536;
        let elsewhere = |e: &&Event| (e.byte_range.0 as usize - 4096) / 65536 != chunk;
        let expected: Vec<Option<u64>> =
            all.iter().filter(elsewhere).map(Event::record_id).collect();
        let got: Vec<Option<u64>> = events
            .iter()
            .filter(elsewhere)
            .map(Event::record_id)
            .collect();
        assert_eq!(got, expected, "byte {at} damaged");
    }
}

/// Size fields set to huge values (record sizes, string and value lengths) are reported, and
/// never make the parser ask for a huge allocation.
#[test]
fn corrupt_size_fields_never_allocate_much() {
    let whole = sample("security.evtx");
    // The file header and its third chunk: a file of its own.
    let bytes = [&whole[..4096], &whole[4096 + 2 * 65536..4096 + 3 * 65536]].concat();
    LARGEST.with(|l| l.set(0));
    let (_, all, _, _) = ingest::read_all(&bytes);
    let intact = LARGEST.with(Cell::get);
    assert!(all.len() > 50);
    let mut worst = 0;
    let mut reported = 0;
    for e in all.iter().step_by(9) {
        let start = e.byte_range.0 as usize;
        // The record's size, then every 16-bit and 32-bit field of its first 200 bytes of
        // BinXML: whichever of them is a length, it now says "huge".
        let mut offsets = vec![start + 4];
        offsets.extend((start + 24..start + 224).step_by(2));
        for at in offsets {
            let mut damaged = bytes.clone();
            damaged[at..at + 4].copy_from_slice(&[0xF0, 0xFF, 0xFF, 0x7F]);
            LARGEST.with(|l| l.set(0));
            let (_, events, problems, _) = ingest::read_all(&damaged);
            worst = worst.max(LARGEST.with(Cell::get));
            reported += usize::from(events.len() < all.len() && !problems.is_empty());
        }
    }
    assert!(reported > 0, "corrupt sizes are reported");
    // No more than the intact chunk needs (its arena and tables), and far from the gigabytes
    // that the sizes ask for.
    assert!(
        worst <= intact.max(1 << 20),
        "largest allocation: {worst} bytes (intact: {intact})"
    );
}

/// .evtx and XML files read by the same path give the same kind of events: a record's XML, as
/// an XML file, decodes to the same event as the record itself.
#[test]
fn an_evtx_record_and_its_xml_export_decode_alike() {
    let bytes = sample("security.evtx");
    let (_, events, _, _) = ingest::read_all(&bytes);
    let mut xml = String::from("<Events>");
    let mut expected = Vec::new();
    for e in events
        .iter()
        .filter(|e| matches!(e.event_id(), 5058 | 5061 | 4624))
        .take(50)
    {
        let chunk = ingest::evtx_chunk_of(e.byte_range.0);
        let record = ingest::record_xml(
            &bytes[chunk.start as usize..chunk.end as usize],
            e.byte_range.0 - chunk.start,
        )
        .unwrap();
        xml.push_str(&record);
        expected.push(e);
    }
    xml.push_str("</Events>");
    let (format, from_xml, problems, _) = ingest::read_all(xml.as_bytes());
    assert_eq!(format, Some(Format::Xml));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(from_xml.len(), expected.len());
    for (x, e) in from_xml.iter().zip(expected) {
        assert_eq!(x.event_id(), e.event_id());
        assert_eq!(x.time(), e.time());
        assert_eq!(x.record_id(), e.record_id());
        for field in SysField::ALL {
            assert_eq!(x.system(field), e.system(field), "{field:?}");
        }
        assert_eq!(
            x.fields().collect::<Vec<_>>(),
            e.fields().collect::<Vec<_>>()
        );
    }
}

/// A file that starts like an .evtx but holds nothing readable says so.
#[test]
fn an_evtx_without_records_says_so() {
    let mut bytes = b"ElfFile\0".to_vec();
    bytes.resize(4096, 0);
    let (format, events, problems, _) = ingest::read_all(&bytes);
    assert_eq!(format, Some(Format::Evtx));
    assert!(events.is_empty());
    assert_eq!(codes(&problems), ["evtx_checksum", "evtx_empty"]);
}

/// A large file is split between workers at a chunk boundary: the reader of the rest, joined at
/// the first reader's boundary, gives exactly what one reader of the whole file gives.
#[test]
fn two_readers_joined_at_any_chunk_give_what_one_gives() {
    let files = [
        "security.evtx",
        "sample_with_a_bad_chunk_magic.evtx",
        "2-vss_7-System.evtx",
        "sysmon.evtx",
    ]
    .map(|name| (name, sample(name)));
    for (name, bytes) in files.into_iter().chain([("generated", generated(3000))]) {
        let mut whole = Vec::new();
        let mut one = Reader::new();
        one.push(&bytes, &mut whole);
        one.finish(&mut whole);
        let chunks = (bytes.len() - 4096) / 65536;
        for first_chunk in 1..chunks as u64 {
            let at = (4096 + first_chunk * 65536) as usize;
            let mut head = Reader::new();
            let mut joined = Vec::new();
            head.push(&bytes[..at], &mut joined);
            // A reader that met the unused end of the file reads the rest itself.
            let Some(boundary) = head.boundary() else {
                continue;
            };
            let part = ingest::EvtxPart {
                first_chunk,
                declared: head.split(bytes.len() as u64, 2).and_then(|p| p.declared),
            };
            let mut rest = Reader::evtx_part(part);
            let mut items = Vec::new();
            rest.push(&bytes[at..], &mut items);
            rest.finish(&mut items);
            joined.extend(items.into_iter().filter_map(|item| match item {
                Item::Event(e) => Some(Item::Event(boundary.event_of(e))),
                Item::Problem(p) => boundary.problem(p).map(Item::Problem),
            }));
            assert!(joined == whole, "{name} split at chunk {first_chunk}");
        }
    }
}

/// Where a file is split: the chunk boundary nearest the middle of what is left.
#[test]
fn an_evtx_file_splits_at_the_chunk_nearest_the_middle() {
    let bytes = sample("security.evtx");
    let mut reader = Reader::new();
    let mut out = Vec::new();
    reader.push(&bytes[..128 * 1024], &mut out);
    let part = reader.split(bytes.len() as u64, 2).unwrap();
    // 2,166,784 bytes: 33 chunks; 128 KiB read; the middle of the rest is at byte 1,148,928,
    // in chunk 17: the part starts with chunk 18.
    assert_eq!(part.start(), 4096 + 18 * 65536);
    // The header declares the 26 chunks in use (the 7 after them are zeros), and the part
    // knows it.
    assert_eq!(part.declared, Some(26));
    // Too little left to split.
    let mut small = Reader::new();
    small.push(&bytes[..4096 + 32 * 65536], &mut out);
    assert_eq!(small.split(bytes.len() as u64, 2), None);
}

/// A chain of three readers, as three workers share a file: the first keeps a third of what is
/// left, the second (reading the rest from its own part's start, as a worker reads its blob)
/// keeps half of its part, the third reads the end. Joined in order, each at the boundary of
/// the one before, they give exactly what one reader gives.
#[test]
fn a_chain_of_three_readers_shares_a_file_evenly_and_joins_to_what_one_gives() {
    let log = sample("security.evtx");
    let chunks = &log[4096..4096 + 26 * 65536];
    let mut bytes = log[..4096].to_vec();
    for _ in 0..3 {
        bytes.extend_from_slice(chunks);
    }
    bytes[4096 + 5 * 65536] = b'X';
    bytes[4096 + 70 * 65536] = b'X';
    let size = bytes.len() as u64;
    let mut whole = Vec::new();
    let mut one = Reader::new();
    one.push(&bytes, &mut whole);
    one.finish(&mut whole);

    let first_slice = 128 * 1024;
    let mut head = Reader::new();
    let mut joined = Vec::new();
    head.push(&bytes[..first_slice], &mut joined);
    let second = head.split(size, 3).unwrap();
    let at = second.start() as usize;
    head.push(&bytes[first_slice..at], &mut joined);
    let boundary = head.boundary().unwrap();

    // The second reader is given its part alone: offsets in its blob start at 0.
    let blob = &bytes[at..];
    let mut middle = Reader::evtx_part(second);
    let mut middle_items = Vec::new();
    middle.push(&blob[..first_slice], &mut middle_items);
    let third = middle.split(blob.len() as u64, 2).unwrap();
    assert_eq!(middle.base(), second.start());
    let local = (third.start() - middle.base()) as usize;
    middle.push(&blob[first_slice..local], &mut middle_items);
    let middle_boundary = middle.boundary().unwrap();
    let mut last = Reader::evtx_part(third);
    let mut last_items = Vec::new();
    last.push(&blob[local..], &mut last_items);
    last.finish(&mut last_items);
    // Shares: about a third each.
    let thirds = [
        at as u64,
        third.start() - second.start(),
        size - third.start(),
    ];
    for share in thirds {
        // (The head also keeps the first slice it read before choosing where to split.)
        assert!(
            share.abs_diff(size / 3) <= (first_slice + 65536) as u64,
            "{thirds:?} of {size}"
        );
    }
    // The middle joins the last at its boundary, the head joins the middle at its own.
    let join = |b: &keytrail::decoder::Boundary, items: Vec<Item>| -> Vec<Item> {
        items
            .into_iter()
            .filter_map(|item| match item {
                Item::Event(e) => Some(Item::Event(b.event_of(e))),
                Item::Problem(p) => b.problem(p).map(Item::Problem),
            })
            .collect()
    };
    middle_items.extend(join(&middle_boundary, last_items));
    joined.extend(join(&boundary, middle_items));
    assert!(joined == whole, "three readers join to one");
}

/// Past the declared chunks of a dirty log, a damaged chunk followed by good ones is a bad
/// chunk like any other: the good ones after it are read, not taken for the file's slack.
#[test]
fn a_damaged_chunk_past_the_declared_ones_does_not_end_the_file() {
    let log = sample("security.evtx");
    let chunks = &log[4096..4096 + 26 * 65536];
    let mut bytes = [&log[..4096], chunks, chunks].concat();
    bytes[4096 + 30 * 65536] = b'X';
    let (_, events, problems, _) = ingest::read_all(&bytes);
    assert_eq!(codes(&problems), ["evtx_dirty", "evtx_bad_chunk"]);
    assert_eq!(problems[1].position.evtx_chunk(), Some(30));
    let in_chunk_4 = ingest::read_all(&log)
        .1
        .iter()
        .filter(|e| (e.byte_range.0 - 4096) / 65536 == 4)
        .count();
    assert_eq!(events.len(), 2 * 2261 - in_chunk_4);
}

/// The generator's `.evtx` (chunks, string and template tables, typed substitutions, CRC32s):
/// read back, every event is exactly the one generated, and the same as the XML export of it.
#[test]
fn generated_evtx_reads_back_to_the_generated_events() {
    use keytrail::generator::{self, Encoding, Format, Spec};
    let spec = Spec {
        seed: 5059,
        events: 3000,
    };
    let mut file = std::io::Cursor::new(Vec::new());
    let written = generator::evtx::write(generator::events(&spec), u64::MAX, &mut file).unwrap();
    let bytes = file.into_inner();
    assert_eq!(written.events, 3000);
    assert_eq!(bytes.len() as u64, written.bytes);
    assert!(written.chunks > 3, "{written:?}");
    let (format, events, problems, _) = ingest::read_all(&bytes);
    assert_eq!(format, Some(ingest::Format::Evtx));
    assert!(problems.is_empty(), "{problems:?}");
    // The evtx crate's own reader agrees, with every checksum checked.
    let mut parser = evtx::EvtxParser::from_buffer(bytes.clone())
        .unwrap()
        .with_configuration(evtx::ParserSettings::new().validate_checksums(true));
    assert_eq!(parser.records().filter(Result::is_ok).count(), 3000);
    let xml = generator::export(&spec, Format::Wevtutil, Encoding::Utf8);
    let (_, from_xml, _, _) = ingest::read_all(&xml);
    assert_eq!(events.len(), from_xml.len());
    for (((e, x), g), id) in events
        .iter()
        .zip(&from_xml)
        .zip(generator::events(&spec))
        .zip(1..)
    {
        assert_eq!(e.event_id(), g.event_id);
        // The log's own record IDs.
        assert_eq!(e.record_id(), Some(id));
        assert_eq!(e.time().map(|t| t.nanos()), Some(g.time_nanos));
        assert_eq!(e.computer(), g.computer);
        assert_eq!(e.keywords(), Some(g.keywords));
        let fields: Vec<(&str, &str)> = e.fields().map(|f| (f.name, f.value)).collect();
        let want: Vec<(&str, &str)> = g
            .data
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        assert_eq!(fields, want, "record {id}");
        for field in SysField::ALL {
            if field != SysField::EventRecordId {
                assert_eq!(e.system(field), x.system(field), "{field:?} of record {id}");
            }
        }
    }
}
