//! Every fixture in `tests/fixtures/` decodes to what its README line promises: the count of
//! events and the problems, whichever way the file is cut into chunks.
#![cfg(not(target_arch = "wasm32"))]

use keytrail::decoder::{Decoder, Event, Item, Problem, SysField};
use std::path::PathBuf;

fn decode_fixture(name: &str, chunk: usize) -> (Vec<Event>, Vec<Problem>) {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "fixtures", name]
        .iter()
        .collect();
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut d = Decoder::new();
    let mut out = Vec::new();
    for c in bytes.chunks(chunk.max(1)) {
        d.push(c, &mut out);
    }
    d.finish(&mut out);
    let mut events = Vec::new();
    let mut problems = Vec::new();
    for i in out {
        match i {
            Item::Event(e) => events.push(e),
            Item::Problem(p) => problems.push(p),
        }
    }
    (events, problems)
}

/// (file, events, problem codes in order)
const CASES: &[(&str, usize, &[&str])] = &[
    ("wevtutil.xml", 16, &[]),
    ("wevtutil-utf8-bom.xml", 16, &[]),
    ("wevtutil-utf16be.xml", 12, &[]),
    ("powershell-utf16le.xml", 12, &[]),
    ("rendered-xml.xml", 16, &[]),
    ("rendered-xml-ja.xml", 16, &[]),
    ("event-viewer.xml", 16, &[]),
    ("event-viewer-utf16le-bom.xml", 8, &[]),
    ("docs-paste.txt", 16, &["documentation_markup"; 16]),
    ("docs-5059-seed.txt", 1, &["documentation_markup"]),
    ("evtx-dump.xml", 16, &[]),
    ("python-evtx.xml", 16, &[]),
    ("evtxecmd.xml", 16, &[]),
    ("evtxexport.txt", 16, &[]),
    ("copy-details-text.txt", 12, &[]),
    ("xml-view-copy.xml", 16, &["lone_ampersand"]),
    ("hostile-markup.xml", 3, &[]),
    (
        "hostile-billion-laughs.xml",
        2,
        &["dtd_ignored", "undefined_entity"],
    ),
    (
        "hostile-xxe.xml",
        2,
        &["dtd_ignored", "undefined_entity", "undefined_entity"],
    ),
    ("hostile-deep-nesting.xml", 2, &["too_deep"]),
    ("hostile-many-attributes.xml", 2, &["too_many_attributes"]),
    ("hostile-invalid-utf8.xml", 3, &["invalid_utf8"]),
    (
        "hostile-utf16-unpaired-surrogate.xml",
        3,
        &["invalid_utf16"],
    ),
    ("hostile-nul-bytes.xml", 3, &[]),
    ("hostile-truncated.xml", 3, &["truncated_event"]),
    ("broken-middle.xml", 4, &["mismatched_end_tag"]),
    ("not-xml.png", 0, &["not_event_xml"]),
    ("not-xml.zip", 0, &["not_event_xml"]),
    ("not-xml.evtx", 0, &["not_event_xml"]),
    ("empty.xml", 0, &["not_event_xml"]),
    ("no-events.xml", 0, &["not_event_xml"]),
    ("other-xml.xml", 0, &["not_event_xml"]),
    ("unnamed-data.xml", 2, &[]),
    ("userdata-1102.xml", 1, &[]),
    ("mixed-spellings.xml", 8, &[]),
];

#[test]
fn every_fixture_decodes_as_its_readme_says_in_any_chunking() {
    for &(name, want_events, want_problems) in CASES {
        for chunk in [usize::MAX, 4096, 777, 13, 1] {
            let (events, problems) = decode_fixture(name, chunk);
            let codes: Vec<_> = problems.iter().map(|p| p.kind.code()).collect();
            assert_eq!(
                events.len(),
                want_events,
                "{name} in chunks of {chunk}: {codes:?}"
            );
            assert_eq!(codes, want_problems, "{name} in chunks of {chunk}");
        }
    }
}

#[test]
fn the_readme_lists_every_fixture_and_this_test_covers_them() {
    let dir: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "fixtures"]
        .iter()
        .collect();
    // The `.evtx` samples in `evtx/` are covered by tests/evtx.rs.
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(Result::unwrap)
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "README.md")
        // The generator's `.evtx` (the workers' warm-up) is a binary log, read through
        // `ingest::Reader`: `ingest::chain`'s `the_warm_up_decodes_both_formats_whole` and the
        // generator's fixture test cover it.
        .filter(|n| n != "generated.evtx")
        // The SIEM and PowerShell shapes are covered by tests/siem.rs.
        .filter(|n| {
            let ext = n.rsplit('.').next().unwrap_or("");
            !["json", "jsonl", "ndjson", "csv", "clixml"].contains(&ext)
                && n != "siem-same-events.xml"
        })
        .collect();
    files.sort();
    let mut covered: Vec<String> = CASES.iter().map(|c| c.0.to_string()).collect();
    covered.sort();
    assert_eq!(files, covered);
}

#[test]
fn the_reference_page_paste_has_all_ten_fields_and_the_system_fields() {
    let (events, problems) = decode_fixture("docs-5059-seed.txt", usize::MAX);
    let e = &events[0];
    assert!(e.repaired);
    assert_eq!(problems[0].kind.code(), "documentation_markup");
    assert_eq!(e.event_id(), 5059);
    assert_eq!(e.provider(), "Microsoft-Windows-Security-Auditing");
    assert_eq!(
        e.system(SysField::ProviderGuid),
        "{54849625-5478-4994-A5BA-3E3B0328C30D}"
    );
    assert_eq!(e.system(SysField::Task), "12292");
    assert_eq!(e.keywords(), Some(0x8020_0000_0000_0000));
    assert_eq!(e.record_id(), Some(1_048_447));
    assert_eq!(e.system(SysField::ProcessId), "520");
    assert_eq!(e.system(SysField::ThreadId), "3496");
    assert_eq!(e.computer(), "DC01.contoso.local");
    assert_eq!(
        e.time().unwrap().to_string(),
        "2015-10-14T19:42:08.1352656Z"
    );
    let fields: Vec<_> = e.fields().map(|f| (f.name, f.value)).collect();
    assert_eq!(
        fields,
        [
            (
                "SubjectUserSid",
                "S-1-5-21-3457937927-2839227994-823803824-1104"
            ),
            ("SubjectUserName", "dadmin"),
            ("SubjectDomainName", "CONTOSO"),
            ("SubjectLogonId", "0x38e2d"),
            ("ProviderName", "Microsoft Software Key Storage Provider"),
            ("AlgorithmName", "ECDH_P521"),
            (
                "KeyName",
                "le-SuperAdmin-795fd6c1-2fae-4bef-a6bc-4f4d464bc083"
            ),
            ("KeyType", "%%2500"),
            ("Operation", "%%2464"),
            ("ReturnCode", "0x0"),
        ]
    );
    let decoded = e.decoded_fields();
    assert!(decoded.contains(&("KeyType", "User key.".to_string())));
    assert!(decoded.contains(&(
        "Operation",
        "Export of persistent cryptographic key.".to_string()
    )));
    assert!(decoded
        .iter()
        .any(|(n, d)| *n == "AlgorithmName" && d.contains("521-bit")));
}

#[test]
fn hostile_values_are_kept_as_literal_text() {
    let (events, _) = decode_fixture("hostile-markup.xml", usize::MAX);
    let all: String = events
        .iter()
        .flat_map(|e| e.fields().map(|f| f.value.to_string()).collect::<Vec<_>>())
        .collect();
    assert!(all.contains("<img src=x onerror=alert(1)>"));
    assert!(all.contains("</script>"));
    assert!(all.contains('\u{202E}'));
    let (events, _) = decode_fixture("hostile-billion-laughs.xml", usize::MAX);
    assert_eq!(events[0].data("KeyName"), Some("&lol9;"));
}

#[test]
fn rendering_info_is_kept_in_its_culture() {
    let (events, _) = decode_fixture("rendered-xml-ja.xml", usize::MAX);
    assert!(events.iter().all(|e| e.culture() == "ja-JP"));
    assert!(events
        .iter()
        .all(|e| e.message().is_some_and(|m| !m.is_empty())));
    let (events, _) = decode_fixture("userdata-1102.xml", usize::MAX);
    assert_eq!(events[0].body_root(), "LogFileCleared");
    assert_eq!(events[0].data("SubjectUserName"), Some("dadmin"));
}

#[test]
fn key_operations_are_classified_by_code_whether_logged_or_in_words() {
    use keytrail::decoder::table;
    use keytrail::decoder::view::OperationKind;
    for (code, kind) in [
        (2464, OperationKind::Export),
        (2465, OperationKind::Import),
        (2456, OperationKind::Open),
        (2457, OperationKind::CreateOrDelete),
        (2458, OperationKind::ReadFromFile),
        (2459, OperationKind::WriteToFile),
        (2480, OperationKind::Open),
        (2481, OperationKind::CreateOrDelete),
        (2482, OperationKind::CreateOrDelete),
        (2483, OperationKind::Use),
        (2486, OperationKind::Use),
        (2501, OperationKind::Use),
        (2499, OperationKind::Other),
    ] {
        let logged = format!("%%{code}");
        let words = table::insertion_string(&logged).unwrap();
        assert_eq!(OperationKind::of(&logged), kind, "{logged}");
        assert_eq!(OperationKind::of(words), kind, "{words}");
        assert_eq!(OperationKind::of(&words.to_uppercase()), kind, "{words}");
        assert_eq!(table::code_of(words), Some(code));
        assert_eq!(table::code_of(words.trim_end_matches('.')), Some(code));
    }
    assert_eq!(OperationKind::of("something else"), OperationKind::Other);
    assert_eq!(table::code_of("something else"), None);
}
