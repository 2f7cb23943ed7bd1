//! Events built straight from a record's BinXML are exactly those of the XML path: for every
//! record of every sample log (tests/fixtures/evtx, and ../shared/evtx-samples when present) and
//! of generated logs, both readers give the same items (events field by field, problems) and the
//! same totals, and the direct path takes the large majority of the records.

use keytrail::decoder::{Item, ProblemKind, Stats};
use keytrail::ingest::EvtxReader;
use std::path::{Path, PathBuf};

/// The items of `bytes` read by `reader`, fed in pieces of `piece`, and the reader after.
fn read_with(mut reader: EvtxReader, bytes: &[u8], piece: usize) -> (Vec<Item>, EvtxReader) {
    let mut out = Vec::new();
    for p in bytes.chunks(piece) {
        reader.push(p, &mut out);
    }
    reader.finish(&mut out);
    (out, reader)
}

/// The items, totals and direct records of `bytes` read by `reader`, fed in pieces of `piece`.
fn read(reader: EvtxReader, bytes: &[u8], piece: usize) -> (Vec<Item>, Stats, u64) {
    let (out, reader) = read_with(reader, bytes, piece);
    (out, reader.stats().clone(), reader.direct_records())
}

/// What [`compare`] found: records taken directly, of them built by their template's plan,
/// and the events.
struct Taken {
    direct: u64,
    planned: u64,
    events: u64,
}

/// A log the generator writes, of `events` events from `seed`.
fn generated(seed: u64, events: usize) -> Vec<u8> {
    use keytrail::generator::{self, Spec};
    let mut file = std::io::Cursor::new(Vec::new());
    let spec = Spec { seed, events };
    generator::evtx::write(generator::events(&spec), u64::MAX, &mut file).unwrap();
    file.into_inner()
}

/// The three ways agree on `bytes` (each record by its template's plan where one takes it,
/// each element by element from its BinXML, through its XML): items and totals.
fn compare(name: &str, bytes: &[u8]) -> Taken {
    let (out, reader) = read_with(EvtxReader::new(), bytes, 1 << 20);
    let (direct, direct_stats) = (out, reader.stats().clone());
    let (unplanned, unplanned_stats, _) = read(EvtxReader::new().unplanned(), bytes, 1 << 20);
    let (xml, xml_stats, none) = read(EvtxReader::new().xml_only(), bytes, 1 << 20);
    assert_eq!(none, 0, "{name}");
    assert_eq!(direct.len(), xml.len(), "{name}: items");
    for (i, ((d, u), x)) in direct.iter().zip(&unplanned).zip(&xml).enumerate() {
        assert_eq!(d, x, "{name}: item {i}");
        assert_eq!(u, x, "{name}: item {i}, unplanned");
    }
    assert_eq!(direct_stats, xml_stats, "{name}: stats");
    assert_eq!(unplanned_stats, xml_stats, "{name}: stats, unplanned");
    Taken {
        direct: reader.direct_records(),
        planned: reader.planned_records(),
        events: direct_stats.events,
    }
}

fn samples() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [
        root.join("tests/fixtures/evtx"),
        root.join("../shared/evtx-samples"),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "evtx") {
                files.push(path);
            }
        }
    }
    // More logs to hold to the same bar (a colon-separated list of paths), as in
    // KEYTRAIL_EVTX_MORE=/tmp/bench/sec100.evtx.
    if let Ok(more) = std::env::var("KEYTRAIL_EVTX_MORE") {
        files.extend(more.split(':').filter(|p| !p.is_empty()).map(PathBuf::from));
    }
    files.sort();
    files
}

#[test]
fn every_sample_record_decodes_the_same_from_binxml_and_from_xml() {
    let files = samples();
    // The twelve samples copied into tests/fixtures/evtx (and the same again when present).
    assert!(files.len() >= 12, "{files:?}");
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.display().to_string();
        let Taken {
            direct: taken,
            planned,
            events,
        } = compare(&name, &bytes);
        eprintln!("{name}: {taken} of {events} events from BinXML, {planned} by plan");
        let file = path.file_name().unwrap().to_string_lossy().to_lowercase();
        // Security logs are template instances of plain values: nearly all go direct; so do
        // Sysmon's and the irregular booleans' (whose values are then compared). The System and
        // Application logs hold string arrays, which the XML path takes, and a chunk with more
        // than three of those is read the XML path's way alone (the crate's node budget).
        let least = if file.contains("security")
            || file.contains("sec100")
            || file.contains("sysmon")
            || file.contains("irregular-bool")
            || file.contains("bad_chunk_magic")
        {
            0.9
        } else {
            0.0
        };
        assert!(
            taken as f64 >= events as f64 * least,
            "{name}: {taken} of {events}"
        );
        // Security and Sysmon events are EventData: a plan builds them (not the services'
        // UserData notices among them).
        let planned_least = if file.contains("security") || file.contains("sysmon") {
            0.9
        } else {
            0.0
        };
        assert!(
            planned as f64 >= events as f64 * planned_least,
            "{name}: {planned} of {events} by plan"
        );
    }
}

#[test]
fn fed_in_small_pieces_the_direct_path_gives_the_same_items() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/evtx/security.evtx");
    let bytes = std::fs::read(path).unwrap();
    let (whole, stats, taken) = read(EvtxReader::new(), &bytes, 1 << 20);
    let (pieces, piece_stats, piece_taken) = read(EvtxReader::new(), &bytes, 4093);
    let (xml, xml_stats, _) = read(EvtxReader::new().xml_only(), &bytes, 4093);
    assert_eq!(
        (&whole, &stats, taken),
        (&pieces, &piece_stats, piece_taken)
    );
    assert_eq!((&pieces, &piece_stats), (&xml, &xml_stats));
}

#[test]
fn every_generated_record_decodes_the_same_from_binxml_and_from_xml() {
    for (seed, events) in [(5059, 3000), (1, 1), (2, 17), (42, 800), (7, 5000)] {
        let bytes = generated(seed, events);
        let name = format!("generated seed {seed}, {events} events");
        let Taken {
            direct: taken,
            planned,
            events: decoded,
        } = compare(&name, &bytes);
        eprintln!("{name}: {taken} of {decoded} events from BinXML, {planned} by plan");
        assert_eq!(decoded, events as u64, "{name}");
        assert!(taken * 10 >= decoded * 9, "{name}: {taken} of {decoded}");
        assert!(
            planned * 10 >= decoded * 9,
            "{name}: {planned} of {decoded}"
        );
    }
}

/// Damaged copies of the Security samples (bytes of their records overwritten at random, a
/// few at a time) still decode the same on both paths: the walker leaves to the XML path what
/// the crate would read differently, or refuse.
#[test]
fn damaged_records_decode_the_same_from_binxml_and_from_xml() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/evtx");
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (mut direct, mut all) = (0, 0);
    for name in [
        "new-user-security.evtx",
        "Security_short_selected.evtx",
        "post-Security.evtx",
        "security.evtx",
    ] {
        let mut bytes = std::fs::read(root.join(name)).unwrap();
        bytes.truncate(4096 + 65536);
        // The records of the first chunk: past the file header and the chunk's own, up to the
        // chunk's free space.
        let free = u32::from_le_bytes(bytes[4096 + 48..4096 + 52].try_into().unwrap());
        let records = 4096 + 512..4096 + free as usize;
        // KEYTRAIL_DAMAGE_ROUNDS runs more rounds (the default keeps the suite quick).
        let rounds = std::env::var("KEYTRAIL_DAMAGE_ROUNDS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(300);
        for round in 0..rounds {
            let mut copy = bytes.clone();
            for _ in 0..1 + next() % 4 {
                let at = records.start + (next() as usize) % records.len();
                copy[at] = match next() % 3 {
                    0 => 0,
                    1 => 0xff,
                    _ => next() as u8,
                };
            }
            let taken = compare(&format!("{name}, damaged copy {round}"), &copy);
            direct += taken.direct;
            all += taken.events;
        }
    }
    // Most damage leaves most records to the walker: the comparison is of both paths.
    assert!(direct * 10 >= all * 8, "{direct} of {all}");
}

/// A chunk whose records could have spent more of the crate's render budgets than it admits
/// every next record with is read again the XML path's way alone, from its first record: here
/// with allowances low enough that every chunk of a real log crosses them (at its first
/// records), or some chunks do (near their last). The items and totals are those of the XML
/// path whichever, and fewer records go direct.
#[test]
fn a_chunk_past_the_crates_allowance_is_read_again_as_the_xml_path_reads_it() {
    let bytes = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/evtx/security.evtx"),
    )
    .unwrap();
    let (xml, xml_stats, _) = read(EvtxReader::new().xml_only(), &bytes, 1 << 20);
    let (_, _, all) = read(EvtxReader::new(), &bytes, 1 << 20);
    let mut fewer = Vec::new();
    for (out, nodes) in [
        (0, usize::MAX),
        (usize::MAX, 0),
        (330_000, usize::MAX),
        (usize::MAX, 20_000),
    ] {
        let reader = EvtxReader::new().with_chunk_allowance(out, nodes);
        let (items, stats, taken) = read(reader, &bytes, 1 << 20);
        assert_eq!(items, xml, "allowance {out}, {nodes}");
        assert_eq!(stats, xml_stats, "allowance {out}, {nodes}");
        fewer.push(taken);
    }
    // Nothing direct once every chunk crosses; some records when only some chunks do.
    assert_eq!(fewer[..2], [0, 0]);
    assert!(
        fewer[2..].iter().all(|&t| t > 0 && t < all),
        "{fewer:?} of {all}"
    );
}

/// The first chunk of tests/fixtures/evtx/security.evtx, and where its records' template
/// definitions are, as file offsets.
struct Sample {
    bytes: Vec<u8>,
    /// Each record's template definition, in record order.
    definitions: Vec<usize>,
}

fn u32_at(b: &[u8], at: usize) -> usize {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap()) as usize
}

/// A template definition's data size field and body.
fn definition_parts(bytes: &[u8], definition: usize) -> (usize, std::ops::Range<usize>) {
    let size_field = definition + 20;
    let start = definition + 24;
    (size_field, start..start + u32_at(bytes, size_field))
}

fn sample() -> Sample {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/evtx/security.evtx");
    let mut bytes = std::fs::read(path).unwrap();
    bytes.truncate(4096 + 65536);
    let chunk = 4096;
    let free = chunk + u32_at(&bytes, chunk + 48);
    let mut definitions = Vec::new();
    let mut at = chunk + 512;
    while at < free {
        let binxml = at + 24;
        // A fragment header, then one template instance.
        assert_eq!(bytes[binxml..binxml + 5], [0x0f, 1, 1, 0, 0x0c]);
        definitions.push(chunk + u32_at(&bytes, binxml + 10));
        at += u32_at(&bytes, at + 4);
    }
    Sample { bytes, definitions }
}

/// The first record's substitution descriptors (where, size, type): its definition is inline,
/// as the first use of a template always is, and the descriptors follow it.
fn first_descriptors(sample: &Sample) -> Vec<(usize, u16, u8)> {
    let bytes = &sample.bytes;
    let (_, body) = definition_parts(bytes, sample.definitions[0]);
    assert_eq!(sample.definitions[0], 4096 + 512 + 24 + 14, "inline");
    let count = u32_at(bytes, body.end);
    (0..count)
        .map(|i| {
            let at = body.end + 4 + 4 * i;
            (
                at,
                u16::from_le_bytes([bytes[at], bytes[at + 1]]),
                bytes[at + 2],
            )
        })
        .collect()
}

/// The sample with its first record's first string value one byte short and the next value one
/// byte longer (the values after stay in place).
fn odd_string(sample: &Sample) -> Vec<u8> {
    let descriptors = first_descriptors(sample);
    let i = descriptors
        .windows(2)
        .position(|d| d[0].2 == 0x01 && d[0].1 >= 4)
        .expect("a string value before another");
    let mut odd = sample.bytes.clone();
    let ((at, size, _), (next, next_size, _)) = (descriptors[i], descriptors[i + 1]);
    odd[at..at + 2].copy_from_slice(&(size - 1).to_le_bytes());
    odd[next..next + 2].copy_from_slice(&(next_size + 1).to_le_bytes());
    odd
}

/// What the crate refuses in a record, the walker refuses too (the XML path then reports the
/// record): a string value of an odd number of bytes, a substitution of an unknown type in the
/// template definition. Each damaged record is reported, and the records around it still
/// decode, on both paths alike.
#[test]
fn records_the_crate_refuses_are_reported_the_same_on_both_paths() {
    let sample = sample();
    let intact = compare("intact", &sample.bytes).direct;
    let descriptors = first_descriptors(&sample);
    let mut cases = Vec::new();
    cases.push((
        "a string of an odd size",
        odd_string(&sample),
        "sized utf-16 string".to_string(),
    ));
    // The definition's substitution of value 0 (`0x0d`, its index, its type), of a type that
    // does not exist.
    let (_, body) = definition_parts(&sample.bytes, sample.definitions[0]);
    let ty = descriptors[0].2;
    let sub = sample.bytes[body.clone()]
        .windows(4)
        .position(|w| matches!(w, [0x0d | 0x0e, 0, 0, t] if *t == ty))
        .expect("the substitution of value 0")
        + body.start;
    let mut unknown = sample.bytes.clone();
    unknown[sub + 3] = 0xff;
    // The crate names the place after the type byte (in the chunk): the byte changed is the
    // substitution's type, not a byte of a name or a text that looks like it.
    let after = sub + 3 + 1 - 4096;
    cases.push((
        "a substitution of an unknown type",
        unknown,
        format!("Offset 0x{after:08x}: Tried to read an invalid byte `0xff`"),
    ));
    for (name, bytes, why) in cases {
        let events = compare(name, &bytes).events;
        assert!(
            events > 0 && events < intact,
            "{name}: {events} of {intact}"
        );
        let (items, _, _) = read(EvtxReader::new(), &bytes, 1 << 20);
        let reported = items.iter().any(|item| {
            matches!(item, Item::Problem(p) if matches!(&p.kind,
                ProblemKind::EvtxBadRecord { record: Some(1), reason } if reason.contains(&why)))
        });
        assert!(
            reported,
            "{name}: record 1 is reported for {why:?}: {items:?}"
        );
    }
}

/// Chunks of plain records (every chunk the generator writes, nearly every chunk of a real
/// Security log) are walked whole without the crate building each record first; a chunk with one
/// record the walker leaves to the XML path is read the usual way, and still the same.
#[test]
fn chunks_of_plain_records_are_walked_whole() {
    let walked = |bytes: &[u8]| {
        read_with(EvtxReader::new(), bytes, 1 << 20)
            .1
            .walked_chunks()
    };
    let chunks = |bytes: &[u8]| ((bytes.len() - 4096) / 65536) as u64;
    let generated = generated(5059, 3000);
    assert_eq!(walked(&generated), chunks(&generated));
    let sample = sample();
    assert_eq!(walked(&sample.bytes), 1, "security.evtx's first chunk");
    // Its first record's string one byte short: that chunk goes the usual way.
    let odd = odd_string(&sample);
    assert_eq!(walked(&odd), 0);
    compare("a string of an odd size", &odd);
}

/// The chunk header and the record headers decide where the walk goes, as they decide where the
/// crate's goes: the walk stops at the record with the header's last ID, stops where the free
/// space starts even when the header puts it further, and leaves a damaged record header (which
/// the crate reports and resyncs past) to the crate.
#[test]
fn the_walk_ends_and_resyncs_where_the_crates_does() {
    let sample = sample();
    let intact = compare("intact", &sample.bytes).events;
    let chunk = 4096;
    let record_at = |n: usize| {
        let mut at = chunk + 512;
        for _ in 0..n {
            at += u32_at(&sample.bytes, at + 4);
        }
        at
    };
    let id_of = |n: usize| {
        u64::from_le_bytes(
            sample.bytes[record_at(n) + 8..record_at(n) + 16]
                .try_into()
                .unwrap(),
        )
    };
    let mut last = sample.bytes.clone();
    last[chunk + 32..chunk + 40].copy_from_slice(&id_of(9).to_le_bytes());
    let events = compare("the header's last ID on the tenth record", &last).events;
    assert_eq!(events, 10);
    let mut free = sample.bytes.clone();
    free[chunk + 48..chunk + 52].copy_from_slice(&65536u32.to_le_bytes());
    let events = compare("the free space said to start at the chunk's end", &free).events;
    assert_eq!(events, intact);
    let mut magic = sample.bytes.clone();
    magic[record_at(5)..record_at(5) + 4].copy_from_slice(&[0, 0, 0, 0]);
    let events = compare("the sixth record's magic zeroed", &magic).events;
    assert_eq!(events, intact - 1);
}
