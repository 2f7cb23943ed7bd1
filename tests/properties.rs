//! Properties over generated exports: every format and encoding decodes to the records the
//! generator wrote, and splitting the input anywhere changes neither the events nor the problems.
#![cfg(not(target_arch = "wasm32"))]

use keytrail::decoder::value::parse_number;
use keytrail::decoder::{find_event_start, Decoder, Item, ProblemKind, SysField, TextEncoding};
use keytrail::generator::{self, Encoding, Format, GenEvent, Spec};
use proptest::prelude::*;

/// What must survive every format: IDs, record, instant, computer, and the data with numbers and
/// GUIDs in one spelling (formats differ in hex case, padding and GUID braces).
#[derive(Debug, PartialEq, Eq)]
struct Record {
    event_id: u32,
    record_id: Option<u64>,
    time: Option<i64>,
    computer: String,
    keywords: Option<u64>,
    data: Vec<(String, String)>,
}

fn canonical(value: &str) -> String {
    if value.starts_with("0x") || value.starts_with("0X") {
        if let Some(n) = parse_number(value) {
            return format!("{n:#x}");
        }
    }
    let v = value.trim_start_matches('{').trim_end_matches('}');
    if v.len() == 36 && v.bytes().filter(|&b| b == b'-').count() == 4 {
        return v.to_ascii_lowercase();
    }
    value.to_string()
}

fn from_generator(e: &GenEvent) -> Record {
    Record {
        event_id: e.event_id,
        record_id: Some(e.record_id),
        time: Some(e.time_nanos),
        computer: e.computer.clone(),
        keywords: Some(e.keywords),
        data: e
            .data
            .iter()
            .map(|(n, v)| (n.clone(), canonical(v)))
            .collect(),
    }
}

fn decode(bytes: &[u8], cuts: &[usize]) -> (Vec<Item>, Vec<Record>) {
    let mut d = Decoder::new();
    let mut out = Vec::new();
    let mut at = 0;
    for &cut in cuts {
        let cut = cut.min(bytes.len()).max(at);
        d.push(&bytes[at..cut], &mut out);
        at = cut;
    }
    d.push(&bytes[at..], &mut out);
    d.finish(&mut out);
    let records = out
        .iter()
        .filter_map(|i| match i {
            Item::Event(e) => Some(Record {
                event_id: e.event_id(),
                record_id: e.record_id(),
                time: e.time().map(|t| t.nanos()),
                computer: e.system(SysField::Computer).to_string(),
                keywords: e.keywords(),
                data: e
                    .fields()
                    .map(|f| (f.name.to_string(), canonical(f.value)))
                    .collect(),
            }),
            Item::Problem(_) => None,
        })
        .collect();
    (out, records)
}

fn write(format: Format, encoding: Encoding, spec: &Spec) -> Vec<u8> {
    generator::export(spec, format, encoding)
}

#[test]
fn every_format_and_encoding_decodes_to_the_generated_records() {
    let spec = Spec {
        seed: 11,
        events: 60,
    };
    let want: Vec<Record> = generator::events(&spec)
        .map(|e| from_generator(&e))
        .collect();
    for format in Format::XML {
        for encoding in Encoding::ALL {
            let bytes = write(format, encoding, &spec);
            let (items, got) = decode(&bytes, &[]);
            let skipped = items
                .iter()
                .filter(|i| matches!(i, Item::Problem(p) if p.is_skip()))
                .count();
            assert_eq!(skipped, 0, "{format:?} {encoding:?}");
            assert_eq!(got.len(), want.len(), "{format:?} {encoding:?}");
            for (g, w) in got.iter().zip(&want) {
                assert_eq!(g, w, "{format:?} {encoding:?}");
            }
        }
    }
}

fn hostile_mix() -> Vec<u8> {
    let spec = Spec { seed: 3, events: 8 };
    let mut bytes = write(Format::Wevtutil, Encoding::Utf8, &spec);
    bytes.extend_from_slice(b"<Event><System><EventID>1</EventId></System></Event>\n<!DOCTYPE x>");
    bytes.extend_from_slice(&write(Format::XmlViewCopy, Encoding::Utf8, &spec));
    bytes.extend_from_slice(b"<Event><System><EventID>2</EventID></System><EventData><Data>\xFF&e;</Data></EventData></Event>");
    bytes.extend_from_slice(&write(Format::DocsPaste, Encoding::Utf8, &spec));
    bytes.extend_from_slice(b"<Event><System><EventID>3</EventID>");
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn cutting_the_input_anywhere_changes_nothing(
        which in 0usize..5,
        mut cuts in proptest::collection::vec(0usize..200_000, 0..40),
        small in proptest::collection::vec(1usize..9, 0..200),
    ) {
        let spec = Spec { seed: 5, events: 40 };
        let bytes = match which {
            0 => write(Format::Wevtutil, Encoding::Utf8, &spec),
            1 => write(Format::EventViewer, Encoding::Utf16Le, &spec),
            2 => write(Format::RenderedXmlJa, Encoding::Utf16Be, &spec),
            3 => write(Format::CopyDetailsText, Encoding::Utf8Bom, &spec),
            _ => hostile_mix(),
        };
        // Some cuts anywhere, and a run of tiny chunks somewhere.
        cuts.sort_unstable();
        let mut tiny = cuts.first().copied().unwrap_or(0) % bytes.len().max(1);
        for s in small {
            tiny += s;
            cuts.push(tiny);
        }
        cuts.sort_unstable();
        let (whole, _) = decode(&bytes, &[]);
        let (pieces, _) = decode(&bytes, &cuts);
        prop_assert_eq!(whole, pieces);
    }
}

#[test]
fn every_single_cut_of_a_small_hostile_input_changes_nothing() {
    let mut bytes = b"Log Name: Security\r\n<?xml version='1.0'?>\n<!DOCTYPE Events [<!ENTITY x 'y'>]>\n<Events>".to_vec();
    bytes.extend_from_slice(&write(
        Format::Wevtutil,
        Encoding::Utf8,
        &Spec { seed: 9, events: 2 },
    ));
    bytes.extend_from_slice(b"<Event><System><EventID>1</EventId></System></Event>\n- <Event>\n- <System><EventID>5059</EventID></System><EventData><Data Name='A'>ECDH\\_P521 &x; R&D \xC3\x28</Data></EventData></Event>\n");
    bytes.extend_from_slice(b"<Event><System><EventID>2</EventID></System></Events>\n<Event");
    let (whole, _) = decode(&bytes, &[]);
    assert!(whole.len() > 6);
    for cut in 0..=bytes.len() {
        let (pieces, _) = decode(&bytes, &[cut]);
        assert_eq!(whole, pieces, "cut at {cut}");
    }
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            String::from_utf8_lossy(&bytes)
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    let (whole, _) = decode(&utf16, &[]);
    for cut in (0..=utf16.len()).step_by(3) {
        let (pieces, _) = decode(&utf16, &[cut]);
        assert_eq!(whole, pieces, "UTF-16 cut at {cut}");
    }
}

/// Decodes `bytes` as two halves the way the viewer's two workers do: the first decoder up to the
/// `<Event` found at or after `mid`, a second one from there on its own, joined at the boundary.
/// `None` when the first decoder did not end cleanly there (the viewer then goes on alone).
fn decode_in_two(bytes: &[u8], mid: usize) -> Option<Vec<Item>> {
    let mut first = Decoder::new();
    let mut out = Vec::new();
    // The encoding is known once the first bytes are decoded.
    let head = mid.min(bytes.len()).min(64);
    first.push(&bytes[..head], &mut out);
    let encoding = first.stats().encoding?;
    let width = match encoding {
        TextEncoding::Utf16Le | TextEncoding::Utf16Be => 2,
        _ => 1,
    };
    let mid = mid.max(head).div_ceil(width) * width;
    let split = mid + find_event_start(bytes.get(mid..)?, encoding)?;
    first.push(&bytes[head..split], &mut out);
    let boundary = first.boundary()?;
    let mut rest = Decoder::new();
    let mut tail = Vec::new();
    rest.push(&bytes[split..], &mut tail);
    rest.finish(&mut tail);
    out.extend(tail.into_iter().filter_map(|item| match item {
        Item::Event(e) => Some(Item::Event(boundary.event_of(e))),
        Item::Problem(p) => boundary.problem(p).map(Item::Problem),
    }));
    Some(out)
}

#[test]
fn two_decoders_joined_at_an_event_boundary_decode_like_one() {
    let spec = Spec { seed: 7, events: 8 };
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
    for format in Format::ALL {
        for encoding in Encoding::ALL {
            inputs.push((
                format!("{format:?} {encoding:?}"),
                write(format, encoding, &spec),
            ));
        }
    }
    inputs.push(("hostile mix".into(), hostile_mix()));
    let mut joined = 0;
    for (name, bytes) in &inputs {
        let (whole, _) = decode(bytes, &[]);
        for mid in (0..bytes.len()).step_by(173) {
            if let Some(two) = decode_in_two(bytes, mid) {
                joined += 1;
                assert_eq!(whole, two, "{name}, split after {mid}");
            }
        }
    }
    // Splits are refused only inside an event (or with nothing left to split).
    assert!(joined > 2_000, "only {joined} splits joined");
}

#[test]
fn a_split_inside_an_unfinished_event_is_refused() {
    // The first event is still open where the second `<Event` starts: no clean boundary.
    let bytes = b"<Events><Event><System><EventID>1</EventID></System>\n<Event><System><EventID>2</EventID></System></Event></Events>";
    assert_eq!(decode_in_two(bytes, 20), None);
    // After a complete event the split is clean, and the second event keeps its number and line.
    let bytes = b"<Events><Event><System><EventID>1</EventID></System></Event>\n<Event><System><EventID>2</EventID></System></Event></Events>";
    let two = decode_in_two(bytes, 20).expect("a clean boundary");
    let (whole, _) = decode(bytes, &[]);
    assert_eq!(two, whole);
    let Some(Item::Event(second)) = two.last() else {
        panic!("no second event: {two:?}");
    };
    assert_eq!(
        (second.number, second.position.line, second.position.column),
        (2, 2, 1)
    );
}

/// The SIEM and PowerShell shapes (JSON, CSV, CliXml), in every encoding, through the one reader
/// of every format: the generated events, none lost.
#[test]
fn every_siem_shape_and_encoding_reads_every_event() {
    let spec = Spec {
        seed: 11,
        events: 60,
    };
    for format in Format::ALL.into_iter().filter(|f| !Format::XML.contains(f)) {
        for encoding in Encoding::ALL {
            let bytes = write(format, encoding, &spec);
            let items = read(&bytes, &[]);
            let events = items.iter().filter(|i| matches!(i, Item::Event(_))).count();
            let problems: Vec<_> = items
                .iter()
                .filter(|i| match i {
                    // Said once at default depth: the values were lost before the file was written.
                    Item::Problem(p) if format == Format::GetWinEventJsonDepth2 => {
                        p.kind != ProblemKind::PropertiesLost { count: 60 }
                    }
                    i => matches!(i, Item::Problem(_)),
                })
                .collect();
            assert!(problems.is_empty(), "{format:?} {encoding:?}: {problems:?}");
            assert_eq!(events, 60, "{format:?} {encoding:?}");
        }
    }
}

fn read(bytes: &[u8], cuts: &[usize]) -> Vec<Item> {
    let mut r = keytrail::ingest::Reader::new();
    let mut out = Vec::new();
    let mut at = 0;
    for &cut in cuts {
        let cut = cut.min(bytes.len()).max(at);
        r.push(&bytes[at..cut], &mut out);
        at = cut;
    }
    r.push(&bytes[at..], &mut out);
    r.finish(&mut out);
    out
}

/// JSON lines with a broken line, a document of another log type, a line cut short.
fn hostile_json() -> Vec<u8> {
    let spec = Spec { seed: 3, events: 8 };
    let mut bytes = write(Format::NxLog, Encoding::Utf8, &spec);
    bytes
        .extend_from_slice(b"{\"EventID\":4624,,\"x\":1}\n{\"message\":\"GET / 200\"}\nnot json\n");
    bytes.extend_from_slice(&write(Format::EvtxDumpJsonl, Encoding::Utf8, &spec));
    bytes.extend_from_slice(b"{\"EventID\":4624,\"Hostname\":\"\xFF\"}\n{\"EventID\":46");
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn cutting_a_siem_export_anywhere_changes_nothing(
        which in 0usize..6,
        mut cuts in proptest::collection::vec(0usize..120_000, 0..40),
        small in proptest::collection::vec(1usize..9, 0..200),
    ) {
        let spec = Spec { seed: 5, events: 30 };
        let bytes = match which {
            0 => write(Format::NxLog, Encoding::Utf8, &spec),
            1 => write(Format::Ecs, Encoding::Utf16Le, &spec),
            2 => write(Format::SplunkCsv, Encoding::Utf8Bom, &spec),
            3 => write(Format::Clixml, Encoding::Utf16Le, &spec),
            4 => write(Format::SplunkJson, Encoding::Utf16Be, &spec),
            _ => hostile_json(),
        };
        cuts.sort_unstable();
        let mut tiny = cuts.first().copied().unwrap_or(0) % bytes.len().max(1);
        for s in small {
            tiny += s;
            cuts.push(tiny);
        }
        cuts.sort_unstable();
        prop_assert_eq!(read(&bytes, &[]), read(&bytes, &cuts));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The export's JSON strings (`json_string`, which scans words and overlapping halves, not
    /// bytes) are written as serde_json writes them, whatever a log put in a value: controls,
    /// quotes, backslashes and any other text, of any length.
    #[test]
    fn any_value_is_written_as_serde_json_writes_it(
        text in proptest::string::string_regex("(?s)[\\x00-\\x21\"\\\\a-z\\u{7f}-\\u{3000}]{0,70}").unwrap(),
    ) {
        let mut out = String::new();
        keytrail::model::export::json_string(&mut out, &text);
        prop_assert_eq!(out, serde_json::to_string(&text).unwrap());
    }
}
