//! Logs as SIEMs and PowerShell hand them over (issue 13): NXLog and winlogbeat JSON, evtx_dump
//! JSON, Splunk `XmlWinEventLog` results, `Export-Clixml` and `ConvertTo-Json` of `Get-WinEvent`.
//! Each hand-made fixture holds the same five events as `siem-same-events.xml` (their wevtutil
//! XML), in the form its producer writes: every shape must give the same fields, rows, findings
//! and sessions.
#![cfg(not(target_arch = "wasm32"))]

use keytrail::decoder::{Event, Item, Problem, ProblemKind, Severity, SysField};
use keytrail::ingest::export::{ExportRow, ExportShape, Exporter};
use keytrail::ingest::file::{detail_of, Detail};
use keytrail::ingest::{read_all, Format, Reader};
use keytrail::model::rules::{presets, RuleSet};
use keytrail::model::session::{Link, SessionIndex};
use keytrail::model::store::Store;

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read(name: &str) -> (Option<Format>, Vec<Event>, Vec<Problem>) {
    let (format, events, problems, _) = read_all(&fixture(name));
    (format, events, problems)
}

/// How precise each shape's time is, in nanoseconds.
const SHAPES: [(&str, Format, i64); 10] = [
    ("nxlog.jsonl", Format::Json, 1_000_000_000),
    ("winlogbeat-ecs.ndjson", Format::Json, 1_000_000),
    ("elastic-search-hits.json", Format::Json, 1_000_000),
    ("evtx-dump.json", Format::Json, 1),
    ("evtx-dump.jsonl", Format::Json, 1),
    ("splunk-xmlwineventlog.json", Format::Json, 1),
    ("splunk-xmlwineventlog.csv", Format::Csv, 1),
    ("get-winevent.clixml", Format::Clixml, 1),
    ("get-winevent-depth4.json", Format::Json, 1),
    ("get-winevent-depth2.json", Format::Json, 1_000_000),
];

fn fields(e: &Event) -> Vec<(String, String)> {
    e.fields()
        .map(|f| (f.name.to_string(), f.value.to_string()))
        .collect()
}

#[test]
fn every_shape_is_told_by_its_content_and_read_whole() {
    for (name, format, _) in SHAPES {
        let (found, events, problems) = read(name);
        assert_eq!(found, Some(format), "{name}");
        assert_eq!(events.len(), 5, "{name}: {problems:?}");
        let skipped: Vec<_> = problems.iter().filter(|p| p.is_skip()).collect();
        assert!(skipped.is_empty(), "{name}: {skipped:?}");
    }
}

#[test]
fn every_shape_gives_the_fields_of_the_xml_export() {
    let (_, xml, _) = read("siem-same-events.xml");
    assert_eq!(xml.len(), 5);
    for (name, _, precision) in SHAPES {
        let (_, events, _) = read(name);
        for (x, e) in xml.iter().zip(&events) {
            let what = format!("{name}, event {}", x.event_id());
            assert_eq!(e.event_id(), x.event_id(), "{what}");
            assert_eq!(e.record_id(), x.record_id(), "{what}");
            assert_eq!(e.computer(), x.computer(), "{what}");
            assert_eq!(e.provider(), x.provider(), "{what}");
            assert_eq!(e.channel(), x.channel(), "{what}");
            assert_eq!(e.keywords(), x.keywords(), "{what}");
            assert_eq!(
                e.system(SysField::ProcessId),
                x.system(SysField::ProcessId),
                "{what}"
            );
            let (t, u) = (e.time().unwrap().nanos(), x.time().unwrap().nanos());
            assert_eq!(t / precision, u / precision, "{what}");
            if name == "get-winevent-depth2.json" {
                assert_eq!(e.fields().len(), 0, "{what}: the values are lost");
                continue;
            }
            assert_eq!(fields(e), fields(x), "{what}");
        }
    }
}

#[test]
fn rendered_winlogbeat_values_go_back_to_their_codes() {
    let text = String::from_utf8(fixture("winlogbeat-ecs.ndjson")).unwrap();
    assert!(text.contains("\"KeyType\": \"Machine key.\""));
    assert!(text.contains("\"Operation\": \"Export of persistent cryptographic key.\""));
    let (_, events, _) = read("winlogbeat-ecs.ndjson");
    let export = events.iter().find(|e| e.event_id() == 5059).unwrap();
    assert_eq!(export.data("KeyType"), Some("%%2499"));
    assert_eq!(export.data("Operation"), Some("%%2464"));
    // A text no table knows is kept as written.
    let read = events.iter().find(|e| e.event_id() == 5058).unwrap();
    assert_eq!(read.data("AlgorithmName"), Some("UNKNOWN"));
}

#[test]
fn clixml_times_are_utc_with_seven_digits_and_keep_their_offset() {
    let (_, events, _) = read("get-winevent.clixml");
    let logon = &events[0];
    assert_eq!(
        logon.system(SysField::TimeCreated),
        "2024-03-04T09:15:22.4421007Z"
    );
    let rendering: Vec<_> = logon.rendering().collect();
    assert!(
        rendering.contains(&("TimeCreated", "2024-03-04T10:15:22.4421007+01:00")),
        "{rendering:?}"
    );
    // `_x000D__x000A_` is a line break again.
    let message = logon.message().unwrap();
    assert!(message.starts_with("An account was successfully logged on.\r\n\r\nSubject:"));
    assert!(!message.contains("_x000"));
    // Positional values named by the template, typed as Windows writes them.
    assert_eq!(logon.data("TargetLogonId"), Some("0x38e2d"));
    assert_eq!(logon.data("ProcessId"), Some("0x28c"));
    assert_eq!(
        logon.data("LogonGuid"),
        Some("{00000000-0000-0000-0000-000000000000}")
    );
    assert_eq!(events[4].data("ReturnCode"), Some("0x80090016"));
}

#[test]
fn clixml_logon_privileges_and_export_make_one_session_and_the_same_findings() {
    let (_, clixml, _) = read("get-winevent.clixml");
    let (_, xml, _) = read("siem-same-events.xml");
    let mut sessions = SessionIndex::new();
    for e in &clixml {
        sessions.add(e);
    }
    let export = clixml.iter().find(|e| e.event_id() == 5059).unwrap();
    match sessions.link_event(export) {
        Link::Session(s) => {
            assert_eq!(s.account, "CONTOSO\\svc-backup");
            assert_eq!(s.privileges, ["SeBackupPrivilege", "SeRestorePrivilege"]);
        }
        other => panic!("{other:?}"),
    }
    let rules = RuleSet::compile(presets()).unwrap();
    let ids = |events: &[Event]| -> Vec<Vec<String>> {
        events
            .iter()
            .map(|e| rules.matches(e).iter().map(|m| m.rule.id.clone()).collect())
            .collect()
    };
    let found = ids(&clixml);
    assert!(found[2].iter().any(|id| id == "export-any"), "{found:?}");
    assert_eq!(found, ids(&xml));
}

#[test]
fn every_shape_gives_the_rows_and_findings_of_the_xml_export() {
    let rules = RuleSet::compile(presets()).unwrap();
    let rows = |events: &[Event]| {
        let mut store = Store::new();
        for e in events {
            store.push_event(0, e);
        }
        store
    };
    let (_, xml, _) = read("siem-same-events.xml");
    let reference = rows(&xml);
    for (name, _, precision) in SHAPES {
        if name == "get-winevent-depth2.json" {
            continue;
        }
        let (_, events, _) = read(name);
        let store = rows(&events);
        for (a, b) in store.rows.iter().zip(&reference.rows) {
            assert_eq!(a.time / precision, b.time / precision, "{name}");
            assert_eq!(
                (a.event_id, a.record_id, a.outcome),
                (b.event_id, b.record_id, b.outcome)
            );
            for (x, y) in [
                (a.account, b.account),
                (a.logon_id, b.logon_id),
                (a.operation, b.operation),
                (a.key_type, b.key_type),
                (a.key_name, b.key_name),
                (a.return_code, b.return_code),
                (a.provider, b.provider),
                (a.computer, b.computer),
            ] {
                assert_eq!(store.strings.get(x), reference.strings.get(y), "{name}");
            }
        }
        let matches = |events: &[Event]| -> Vec<usize> {
            events.iter().map(|e| rules.matches(e).len()).collect()
        };
        assert_eq!(matches(&events), matches(&xml), "{name}");
    }
}

#[test]
fn depth_two_convert_to_json_says_once_how_to_fix_it_and_still_shows_the_events() {
    let (_, events, problems) = read("get-winevent-depth2.json");
    let lost: Vec<_> = problems
        .iter()
        .filter(|p| matches!(p.kind, ProblemKind::PropertiesLost { .. }))
        .collect();
    assert_eq!(lost.len(), 1, "{problems:?}");
    assert_eq!(lost[0].kind, ProblemKind::PropertiesLost { count: 5 });
    assert_eq!(lost[0].severity, Severity::Notice);
    assert!(lost[0].to_string().contains("ConvertTo-Json -Depth 4"));
    let first = &events[0];
    assert_eq!(first.event_id(), 4624);
    assert_eq!(first.provider(), "Microsoft-Windows-Security-Auditing");
    assert_eq!(
        first.system(SysField::TimeCreated),
        "2024-03-04T09:15:22.4420000Z"
    );
    assert!(first.message().unwrap().starts_with("An account was"));
}

#[test]
fn documents_of_another_log_type_are_counted_once() {
    let mut text = String::new();
    for i in 0..40 {
        text.push_str(&format!(
            "{{\"@timestamp\":\"2024-03-04T09:00:{:02}Z\",\"message\":\"GET /index.html 200\",\"http\":{{\"status\":200}}}}\n",
            i % 60
        ));
    }
    text.push_str(std::str::from_utf8(&fixture("evtx-dump.jsonl")).unwrap());
    let (_, events, problems, _) = read_all(text.as_bytes());
    assert_eq!(events.len(), 5);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(
        problems[0].kind,
        ProblemKind::NotWindowsEvents { count: 40 }
    );
    assert_eq!(
        (problems[0].position.line, problems[0].position.column),
        (1, 1)
    );
}

#[test]
fn a_broken_line_costs_only_itself_and_says_where() {
    let good = String::from_utf8(fixture("nxlog.jsonl")).unwrap();
    let lines: Vec<&str> = good.lines().collect();
    let broken = format!(
        "{}\n{}\n{{\"EventID\":4634,\"Hostname\":\"CA01\",,\"SourceName\":\"x\"}}\n{}\n{}\n{}\n",
        lines[0], lines[1], lines[2], lines[3], lines[4]
    );
    let (_, events, problems, _) = read_all(broken.as_bytes());
    assert_eq!(events.len(), 5, "{problems:?}");
    assert_eq!(problems.len(), 1, "{problems:?}");
    let p = &problems[0];
    assert!(matches!(p.kind, ProblemKind::InvalidJson { .. }), "{p:?}");
    assert_eq!((p.position.line, p.position.column), (3, 35), "{p}");
    assert_eq!(p.event, Some(3));
    // A last line cut short.
    let cut = &good[..good.len() - 40];
    let (_, events, problems, _) = read_all(cut.as_bytes());
    assert_eq!(events.len(), 4);
    assert_eq!(problems[0].kind, ProblemKind::TruncatedEvent);
    assert_eq!(problems[0].position.line, 5);
}

/// Pieces of any size give the same items as the whole file.
#[test]
fn pieces_of_any_size_give_the_same_items() {
    for (name, _, _) in SHAPES {
        let bytes = fixture(name);
        let whole = items(&bytes, bytes.len());
        for size in [1, 2, 3, 7, 64, 1000] {
            assert_eq!(items(&bytes, size), whole, "{name} in pieces of {size}");
        }
    }
}

/// A pretty file whose document does not close: the line that starts the next document ends
/// it, wherever the input is cut, also right after that line break (the reader waits for the
/// byte after it). Found by the fuzzer: a cut there lost the next, good document.
#[test]
fn a_broken_pretty_document_ends_at_the_next_whatever_the_cuts() {
    let text = String::from_utf8(fixture("evtx-dump.json")).unwrap();
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    // The second document's closing brace, the line before `Record 1003`.
    let at = lines
        .iter()
        .position(|l| l.starts_with("Record 1003"))
        .unwrap();
    assert_eq!(lines[at - 1].trim(), "}");
    lines.remove(at - 1);
    // And no `Record` line before the third: a `{` at the first column starts it.
    lines.remove(at - 1);
    let broken = lines.concat();
    let whole = items(broken.as_bytes(), broken.len());
    let events = whole.iter().filter(|i| matches!(i, Item::Event(_))).count();
    assert_eq!(events, 4, "the four documents that close are read");
    for (n, _) in broken.match_indices('\n') {
        for cut in [n, n + 1] {
            let mut reader = Reader::new();
            let mut out = Vec::new();
            reader.push(&broken.as_bytes()[..cut], &mut out);
            reader.push(&broken.as_bytes()[cut..], &mut out);
            reader.finish(&mut out);
            assert_eq!(out, whole, "cut at byte {cut}");
        }
    }
}

fn items(bytes: &[u8], size: usize) -> Vec<Item> {
    let mut reader = Reader::new();
    let mut out = Vec::new();
    for piece in bytes.chunks(size.max(1)) {
        reader.push(piece, &mut out);
    }
    reader.finish(&mut out);
    out
}

#[test]
fn the_detail_pane_and_the_export_read_a_document_again() {
    for (name, _, _) in SHAPES {
        let bytes = fixture(name);
        let (_, events, _) = read(name);
        for e in &events {
            let (s, t) = (e.byte_range.0 as usize, e.byte_range.1 as usize);
            let mut detail = Detail::empty(1);
            let again = detail_of(&bytes[s..t], &mut detail)
                .unwrap_or_else(|| panic!("{name}: event {} not decoded again", e.number));
            assert_eq!(fields(&again), fields(e), "{name}");
            assert_eq!(
                again.system(SysField::TimeCreated),
                e.system(SysField::TimeCreated)
            );
            assert!(detail.xml.starts_with("<Event"), "{name}: {}", detail.xml);
        }
        let rows = events.iter().map(|e| ExportRow::of(0, e, vec![])).collect();
        let mut exporter = Exporter::new(rows, vec![name.into()], vec![], ExportShape::Csv);
        while let Some((_, range)) = exporter.next_read() {
            let end = (range.end as usize).min(bytes.len());
            exporter.take(
                &bytes[range.start as usize..end],
                &mut keytrail::model::session::SessionIndex::default(),
            );
        }
        let (_, lost) = exporter.finish();
        assert_eq!(lost, 0, "{name}");
    }
}

/// The generator's fixtures of each shape (`keytrail generate --format …`) give the events of
/// the same seed written as wevtutil XML.
#[test]
fn generated_shapes_decode_to_the_generated_events() {
    use keytrail::generator::{export, Encoding, Format as Shape, Spec};
    let cases = [
        ("generated-nxlog.jsonl", 12, 1_000_000_000),
        ("generated-ecs-bulk.ndjson", 12, 1_000_000),
        ("generated-evtx-dump.jsonl", 12, 1),
        ("generated-splunk.json", 12, 1),
        ("generated-splunk.csv", 12, 1),
        ("generated-get-winevent.clixml", 6, 1),
        ("generated-get-winevent-depth4.json", 6, 1),
        // Windows PowerShell 5.1's `\/Date(ms)\/`, and no values.
        ("generated-get-winevent-depth2.json", 6, 1_000_000),
    ];
    for (name, n, precision) in cases {
        let lost = name.ends_with("depth2.json");
        let spec = Spec {
            seed: 5059,
            events: n,
        };
        let (_, xml, _, _) = read_all(&export(&spec, Shape::Wevtutil, Encoding::Utf8));
        let (_, events, problems) = read(name);
        if lost {
            let kinds: Vec<_> = problems.iter().map(|p| &p.kind).collect();
            assert_eq!(kinds, [&ProblemKind::PropertiesLost { count: n as u64 }]);
        } else {
            assert!(problems.is_empty(), "{name}: {problems:?}");
        }
        assert_eq!(events.len(), n, "{name}");
        for (e, x) in events.iter().zip(&xml) {
            assert_eq!(e.event_id(), x.event_id(), "{name}");
            assert_eq!(e.record_id(), x.record_id(), "{name}");
            assert_eq!(e.keywords(), x.keywords(), "{name}");
            assert_eq!(e.computer(), x.computer(), "{name}");
            let (t, u) = (e.time().unwrap().nanos(), x.time().unwrap().nanos());
            assert_eq!(t / precision, u / precision, "{name}");
            if lost {
                assert!(e.fields().len() == 0 && e.message().is_some(), "{name}");
                continue;
            }
            assert_eq!(fields(e), fields(x), "{name}, event {}", e.number);
        }
    }
}

/// Windows PowerShell 5.1's `\u0026` and `\u003c` escapes and PowerShell 7's plain text give the
/// same messages.
#[test]
fn both_powershells_convert_to_json_give_the_same_messages() {
    use keytrail::generator::{export, Encoding, Format as Shape, Spec};
    let spec = Spec {
        seed: 5059,
        events: 40,
    };
    let messages = |shape, encoding| -> Vec<String> {
        let (_, events, _, _) = read_all(&export(&spec, shape, encoding));
        events
            .iter()
            .map(|e| e.message().unwrap_or_default().to_string())
            .collect()
    };
    let old = messages(Shape::GetWinEventJsonDepth2, Encoding::Utf16Le);
    assert_eq!(old, messages(Shape::GetWinEventJson, Encoding::Utf8));
    assert!(old.iter().any(|m| m.contains("R&D-backup")));
    assert!(old.iter().any(|m| m.contains("山田-署名<2026>")));
}

/// Hostile JSON, each case after a good line and before one: the same calm as for XML, the
/// good lines kept. (input, problem codes, events kept)
#[test]
fn hostile_json_costs_only_its_own_document() {
    let good = String::from_utf8(fixture("evtx-dump.jsonl")).unwrap();
    let line = good.lines().next().unwrap();
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let number = |digits: usize| {
        format!(
            "{{\"EventID\":4624,\"SourceName\":\"x\",\"RecordNumber\":1{}}}",
            "0".repeat(digits)
        )
    };
    let duplicate =
        r#"{"EventID":4624,"EventID":5059,"SourceName":"x","EventTime":"2024-03-04 09:00:00"}"#;
    let cases: Vec<(String, Vec<&str>, usize)> = vec![
        (deep, vec!["invalid_json"], 2),
        // Larger than u64: kept as written (a float); beyond f64: refused by serde_json.
        (number(30), vec![], 3),
        (number(400), vec!["invalid_json"], 2),
        (duplicate.to_string(), vec![], 3),
        (
            "{\"EventID\":4624,\"SourceName\":\"\u{FFFD}\"}".to_string(),
            vec![],
            3,
        ),
        ("{\"a\":".to_string(), vec!["truncated_event"], 2),
    ];
    for (case, codes, events) in cases {
        let input = format!("{line}\n{case}\n{line}\n");
        let (_, got, problems, _) = read_all(input.as_bytes());
        let got_codes: Vec<_> = problems.iter().map(|p| p.kind.code()).collect();
        assert_eq!(got_codes, codes, "{}", &case[..case.len().min(60)]);
        assert_eq!(got.len(), events, "{}", &case[..case.len().min(60)]);
    }
    // Invalid UTF-8 in a value: replaced, said, the event kept.
    let mut bytes = line.as_bytes().to_vec();
    bytes.push(b'\n');
    bytes.extend_from_slice(
        b"{\"EventID\":4624,\"SourceName\":\"\xFF\xFE\",\"EventTime\":\"2024-03-04 09:00:00\"}\n",
    );
    let (_, got, problems, _) = read_all(&bytes);
    assert_eq!(got.len(), 2);
    assert_eq!(problems[0].kind, ProblemKind::InvalidUtf8);
    assert_eq!(problems[0].severity, Severity::Repaired);
    // A 50 MB string: over the 16 MiB limit, one problem, memory not held, the next line read.
    let mut big = Vec::with_capacity(51 << 20);
    big.extend_from_slice(line.as_bytes());
    big.extend_from_slice(b"\n{\"EventID\":4624,\"Message\":\"");
    big.resize(big.len() + (50 << 20), b'a');
    big.extend_from_slice(b"\"}\n");
    big.extend_from_slice(line.as_bytes());
    big.push(b'\n');
    let (_, got, problems, _) = read_all(&big);
    assert_eq!(got.len(), 2);
    let codes: Vec<_> = problems.iter().map(|p| p.kind.code()).collect();
    assert_eq!(codes, ["event_too_large"]);
}

/// Issue 13: every event keytrail names has its template's field order, save those the
/// Security-Auditing manifest does not give one.
#[test]
fn every_named_event_the_manifest_has_has_a_template() {
    use keytrail::decoder::table;
    // Logged by the event-log service (provider Microsoft-Windows-Eventlog), not by
    // Microsoft-Windows-Security-Auditing: its manifest does not hold them.
    let other_provider = [1100, 1102, 1104, 1105];
    // In the manifest but without a template: these events carry no EventData.
    let no_template = [
        4608, 4609, 4878, 4879, 4949, 4954, 5024, 5025, 5033, 5034, 5120, 5121, 5453, 5463, 5464,
        5465, 5466, 5467, 5468, 5478, 5479, 5480, 5485,
    ];
    let mut lacking = Vec::new();
    for e in table::security_event_names() {
        let listed = table::template(e.id, 0).is_some();
        if other_provider.contains(&e.id) || no_template.contains(&e.id) {
            assert!(!listed, "{} has no template in the manifest", e.id);
        } else if !listed {
            lacking.push(e.id);
        }
    }
    assert!(lacking.is_empty(), "named but no template: {lacking:?}");
    // Shared templates and later versions, as the manifest gives them.
    let names = |id, v| -> Vec<&str> {
        table::template(id, v)
            .unwrap()
            .iter()
            .map(|s| s.name)
            .collect()
    };
    assert_eq!(names(4740, 0), names(4722, 0));
    assert_eq!(names(4725, 0).len(), 7);
    assert_eq!(names(4732, 1), names(4756, 1));
    assert_eq!(names(4756, 1).last(), Some(&"MembershipExpirationTime"));
    assert_eq!(names(4756, 0).len(), 10);
    assert_eq!(names(5157, 1)[11..], ["RemoteUserID", "RemoteMachineID"]);
    assert_eq!(names(6416, 1).len(), 11);
}

/// Values as `Get-WinEvent` gives them: a SID is an object, other values plain.
enum V {
    Sid(&'static str),
    S(&'static str),
    U64(u64),
}

const NEW_USER: [(&str, V); 26] = [
    ("TargetUserName", V::S("jdoe")),
    ("TargetDomainName", V::S("CONTOSO")),
    (
        "TargetSid",
        V::Sid("S-1-5-21-3457937927-2839227994-823803824-1120"),
    ),
    (
        "SubjectUserSid",
        V::Sid("S-1-5-21-3457937927-2839227994-823803824-500"),
    ),
    ("SubjectUserName", V::S("Administrator")),
    ("SubjectDomainName", V::S("CONTOSO")),
    ("SubjectLogonId", V::U64(0x3e7a1)),
    ("PrivilegeList", V::S("-")),
    ("SamAccountName", V::S("jdoe")),
    ("DisplayName", V::S("John Doe")),
    ("UserPrincipalName", V::S("jdoe@contoso.local")),
    ("HomeDirectory", V::S("-")),
    ("HomePath", V::S("-")),
    ("ScriptPath", V::S("-")),
    ("ProfilePath", V::S("-")),
    ("UserWorkstations", V::S("-")),
    ("PasswordLastSet", V::S("%%1794")),
    ("AccountExpires", V::S("%%1794")),
    ("PrimaryGroupId", V::S("513")),
    ("AllowedToDelegateTo", V::S("-")),
    ("OldUacValue", V::S("0x0")),
    ("NewUacValue", V::S("0x15")),
    ("UserAccountControl", V::S("%%2080 %%2082 %%2084")),
    ("UserParameters", V::S("%%1793")),
    ("SidHistory", V::S("-")),
    ("LogonHours", V::S("%%1797")),
];

const LOCKOUT: [(&str, V); 7] = [
    ("TargetUserName", V::S("jdoe")),
    ("TargetDomainName", V::S("WS07")),
    (
        "TargetSid",
        V::Sid("S-1-5-21-3457937927-2839227994-823803824-1120"),
    ),
    ("SubjectUserSid", V::Sid("S-1-5-18")),
    ("SubjectUserName", V::S("DC01$")),
    ("SubjectDomainName", V::S("CONTOSO")),
    ("SubjectLogonId", V::U64(0x3e7)),
];

/// What each value becomes in the event's fields.
fn shown(v: &V) -> String {
    match v {
        V::Sid(s) | V::S(s) => s.to_string(),
        V::U64(n) => format!("{n:#x}"),
    }
}

fn clixml_event(id: u32, record: u32, values: &[(&str, V)]) -> String {
    let props: String = values
        .iter()
        .map(|(_, v)| {
            let value = match v {
                V::Sid(s) => format!(
                    "<Obj N=\"Value\"><TN><T>System.Security.Principal.SecurityIdentifier</T>\
                     <T>System.Object</T></TN><ToString>{s}</ToString><Props>\
                     <S N=\"Value\">{s}</S></Props></Obj>"
                ),
                V::S(s) => format!("<S N=\"Value\">{s}</S>"),
                V::U64(n) => format!("<U64 N=\"Value\">{n}</U64>"),
            };
            format!(
                "<Obj><TN><T>System.Diagnostics.Eventing.Reader.EventProperty</T></TN>\
                 <Props>{value}</Props></Obj>\n"
            )
        })
        .collect();
    format!(
        "<Obj RefId=\"{record}\"><TN><T>System.Diagnostics.Eventing.Reader.EventLogRecord</T>\
         <T>System.Object</T></TN><Props>\n<I32 N=\"Id\">{id}</I32><By N=\"Version\">0</By>\
         <I64 N=\"RecordId\">{record}</I64>\
         <S N=\"ProviderName\">Microsoft-Windows-Security-Auditing</S><S N=\"LogName\">Security</S>\
         <S N=\"MachineName\">DC01.contoso.local</S>\
         <DT N=\"TimeCreated\">2024-03-04T10:15:22.4421007+01:00</DT>\n\
         <Obj N=\"Properties\"><LST>\n{props}</LST></Obj></Props></Obj>\n"
    )
}

fn json_event(id: u32, record: u32, values: &[(&str, V)]) -> String {
    let props: Vec<String> = values
        .iter()
        .map(|(_, v)| match v {
            V::Sid(s) => format!(
                "{{\"Value\": {{\"BinaryLength\": 28, \"AccountDomainSid\": null, \"Value\": \"{s}\"}}}}"
            ),
            V::S(s) => format!("{{\"Value\": \"{s}\"}}"),
            V::U64(n) => format!("{{\"Value\": {n}}}"),
        })
        .collect();
    format!(
        "{{\"Id\": {id}, \"Version\": 0, \"RecordId\": {record}, \
         \"ProviderName\": \"Microsoft-Windows-Security-Auditing\", \"LogName\": \"Security\", \
         \"MachineName\": \"DC01.contoso.local\", \
         \"TimeCreated\": \"2024-03-04T10:15:22.4421007+01:00\", \
         \"Properties\": [{}]}}",
        props.join(", ")
    )
}

/// 4720 and 4740 (templates added for issue 13) from `Export-Clixml` and `ConvertTo-Json -Depth 4`:
/// each positional value gets its field's name, in the manifest's order.
#[test]
fn clixml_and_convert_to_json_name_account_events_by_their_templates() {
    let clixml = format!(
        "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">\n{}{}</Objs>\n",
        clixml_event(4720, 2001, &NEW_USER),
        clixml_event(4740, 2002, &LOCKOUT)
    );
    let json = format!(
        "[\n{},\n{}\n]\n",
        json_event(4720, 2001, &NEW_USER),
        json_event(4740, 2002, &LOCKOUT)
    );
    for (what, bytes, format) in [
        ("clixml", clixml.into_bytes(), Format::Clixml),
        ("json", json.into_bytes(), Format::Json),
    ] {
        let (found, events, problems, _) = read_all(&bytes);
        assert_eq!(found, Some(format), "{what}");
        assert!(problems.is_empty(), "{what}: {problems:?}");
        assert_eq!(events.len(), 2, "{what}");
        for (e, (id, values)) in events
            .iter()
            .zip([(4720, &NEW_USER[..]), (4740, &LOCKOUT[..])])
        {
            assert_eq!(e.event_id(), id, "{what}");
            let expected: Vec<(String, String)> = values
                .iter()
                .map(|(name, v)| (name.to_string(), shown(v)))
                .collect();
            assert_eq!(fields(e), expected, "{what}, {id}");
        }
    }
}

/// A problem's code, line and column.
type Said = (&'static str, u64, u64);

/// Reads `input`, gives the problem codes with their line and column, and the events' record IDs.
fn codes_and_records(input: &[u8]) -> (Vec<Said>, Vec<u64>) {
    let (_, events, problems, _) = read_all(input);
    let codes = problems
        .iter()
        .map(|p| (p.kind.code(), p.position.line, p.position.column))
        .collect();
    let records = events.iter().map(|e| e.record_id().unwrap_or(0)).collect();
    (codes, records)
}

/// Hostile Splunk CSV, each case a record between two good ones (records 1001 and 1002 of the
/// hand-made fixture): the good records kept, the bad one said with its line and column, nothing
/// dropped unsaid, nothing held beyond the 16 MiB limit. (record, problem codes, records kept)
#[test]
fn hostile_splunk_csv_costs_only_its_own_record() {
    let good = String::from_utf8(fixture("splunk-xmlwineventlog.csv")).unwrap();
    let lines: Vec<&str> = good.split("\r\n").collect();
    let (header, first, second) = (lines[0], lines[1], lines[2]);
    // A record whose `_raw` is `raw`, quoted as Splunk quotes it.
    let record = |time: &str, raw: &str| {
        format!(
            "\"{time}\",\"CA01\",\"XmlWinEventLog:Security\",\"XmlWinEventLog\",\"4624\",\"{}\"",
            raw.replace('"', "\"\"")
        )
    };
    let event = |body: &str| {
        format!(
            "<Event><System><Provider Name='Microsoft-Windows-Security-Auditing'/><EventID>1102</EventID>\
             <TimeCreated SystemTime='2024-03-04T09:15:22Z'/><EventRecordID>7</EventRecordID></System>{body}</Event>"
        )
    };
    let deep = event(&format!(
        "<UserData>{}{}</UserData>",
        "<a>".repeat(100_000),
        "</a>".repeat(100_000)
    ));
    let cases: Vec<(String, Vec<Said>, Vec<u64>)> = vec![
        // `_raw` nested 100,000 levels deep: the XML path's limit, no stack overflow.
        (
            record("2024-03-04T09:15:22.442+00:00", &deep),
            vec![("too_deep", 3, 90)],
            vec![1001, 1002],
        ),
        // A number no integer holds where the time is: `_time` is not read, `_raw` is.
        (
            record(&"9".repeat(400), &event("")),
            vec![],
            vec![1001, 7, 1002],
        ),
        // The header's column count, but no event in `_raw`: counted, said once.
        (
            record("1", "GET /index.html 200"),
            vec![("not_windows_events", 3, 62)],
            vec![1001, 1002],
        ),
        // Fewer columns than the header: no `_raw` at all.
        (
            "\"2024-03-04\",\"CA01\"".to_string(),
            vec![("not_windows_events", 3, 1)],
            vec![1001, 1002],
        ),
    ];
    for (case, codes, records) in cases {
        let input = format!("{header}\r\n{first}\r\n{case}\r\n{second}\r\n");
        let (got_codes, got_records) = codes_and_records(input.as_bytes());
        assert_eq!(got_codes, codes, "{}", &case[..case.len().min(60)]);
        assert_eq!(got_records, records, "{}", &case[..case.len().min(60)]);
    }
    // Duplicate column names: the first `_raw` is the event.
    let twice = format!(
        "{header},\"_raw\"\r\n{first},\"x\"\r\n{second},\"<Event><System><EventID>1</EventID></System></Event>\"\r\n"
    );
    assert_eq!(
        codes_and_records(twice.as_bytes()),
        (vec![], vec![1001, 1002])
    );
    // Invalid UTF-8 in `_raw`: replaced, said, the event kept.
    let mut bytes = format!("{header}\r\n{first}\r\n").into_bytes();
    let bad = record(
        "t",
        &event("<EventData><Data Name='x'>\u{1}</Data></EventData>"),
    );
    let at = bytes.len() + bad.find('\u{1}').unwrap();
    bytes.extend_from_slice(bad.as_bytes());
    bytes[at] = 0xFF;
    bytes.extend_from_slice(format!("\r\n{second}\r\n").as_bytes());
    let (codes, records) = codes_and_records(&bytes);
    assert_eq!(codes, [("invalid_utf8", 3, 62)]);
    assert_eq!(records, [1001, 7, 1002]);
    // A quoted field never closed at the end of the file: the records before it kept (the
    // second's `_raw` holds a line break: the cut record starts on line 5).
    let cut = format!("{header}\r\n{first}\r\n{second}\r\n{}", &first[..200]);
    assert_eq!(
        codes_and_records(cut.as_bytes()),
        (vec![("truncated_event", 5, 1)], vec![1001, 1002])
    );
    // A 50 MB `_raw`: over the 16 MiB limit, one problem, the next record read.
    let mut big =
        format!("{header}\r\n{first}\r\n\"t\",\"h\",\"s\",\"st\",\"1\",\"<Event>").into_bytes();
    big.resize(big.len() + (50 << 20), b'a');
    big.extend_from_slice(format!("</Event>\"\r\n{second}\r\n").as_bytes());
    assert_eq!(
        codes_and_records(&big),
        (vec![("event_too_large", 3, 1)], vec![1001, 1002])
    );
}

/// Hostile Export-Clixml, each case a top-level `<Obj>` between two good records (the
/// generator's first two events, written as UTF-8): the same calm. (object, problem codes,
/// events kept)
#[test]
fn hostile_clixml_costs_only_its_own_object() {
    use keytrail::generator::{export, Encoding, Format as Shape, Spec};
    let spec = Spec {
        seed: 5059,
        events: 2,
    };
    let text = String::from_utf8(export(&spec, Shape::Clixml, Encoding::Utf8)).unwrap();
    let parts: Vec<&str> = text.split("\r\n").collect();
    let (head, first, second, foot) = (parts[0], parts[1], parts[2], parts[3]);
    let (_, good, _, _) = read_all(text.as_bytes());
    let ids: Vec<u64> = good.iter().map(|e| e.record_id().unwrap()).collect();
    let (a, b) = (ids[0], ids[1]);
    // `first` with `from` replaced by `to`.
    let with = |from: &str, to: &str| {
        assert!(first.contains(from), "{from}");
        first.replacen(from, to, 1)
    };
    let deep = with(
        "<Nil N=\"Qualifiers\" />",
        &format!("{}{}", "<Obj>".repeat(100_000), "</Obj>".repeat(100_000)),
    );
    let record_id = first
        .split("<I64 N=\"RecordId\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap();
    // RefIds: each object twice the one before: 2^40 characters if nothing stops it.
    let mut laughs = String::from("<Obj N=\"L0\" RefId=\"r0\"><LST><S>ha</S></LST></Obj>");
    for i in 1..40 {
        laughs.push_str(&format!(
            "<Obj N=\"L{i}\" RefId=\"r{i}\"><LST><Ref RefId=\"r{}\" /><Ref RefId=\"r{}\" /></LST></Obj>",
            i - 1,
            i - 1
        ));
    }
    let cases: Vec<(String, Vec<Said>, Vec<u64>)> = vec![
        // Objects nested 100,000 deep: the XML path's limit, no stack overflow.
        (deep, vec![("too_deep", 3, 3)], vec![a, b]),
        // A record ID and keywords no integer holds: kept as written, the record read.
        (
            with(
                &format!("<I64 N=\"RecordId\">{record_id}</I64>"),
                &format!("<I64 N=\"RecordId\">{}</I64>", "9".repeat(400)),
            )
            .replacen("<I64 N=\"Keywords\">", "<I64 N=\"Keywords\">99999999999999999999", 1),
            vec![],
            vec![a, 0, b],
        ),
        // Duplicate property names: the first is read.
        (
            with("<I64 N=\"RecordId\">", "<I64 N=\"RecordId\">77</I64><I64 N=\"RecordId\">"),
            vec![],
            vec![a, 77, b],
        ),
        // A RefId no object has, and one that names the object it is in: no value, no loop.
        (
            with(
                "<Nil N=\"Qualifiers\" />",
                "<Ref N=\"Qualifiers\" RefId=\"nowhere\" /><Obj N=\"UserId\" RefId=\"me\"><LST><Ref RefId=\"me\" /></LST></Obj>",
            ),
            vec![],
            vec![a, a, b],
        ),
        // References that double at each step: stopped at the value limit.
        (
            with("<Nil N=\"Qualifiers\" />", &laughs),
            vec![("value_too_large", 3, 3)],
            vec![a, b],
        ),
    ];
    for (case, codes, records) in cases {
        let input = format!("{head}\r\n{first}\r\n{case}\r\n{second}\r\n{foot}");
        let (got_codes, got_records) = codes_and_records(input.as_bytes());
        assert_eq!(got_codes, codes, "{}", &case[..case.len().min(80)]);
        assert_eq!(got_records, records, "{}", &case[..case.len().min(80)]);
    }
    // Invalid UTF-8 in a string: replaced, said, the record kept.
    let mut bytes = format!("{head}\r\n{first}\r\n").into_bytes();
    let bad = with(
        "<S N=\"LogName\">Security</S>",
        "<S N=\"LogName\">Secu\u{1}rity</S>",
    );
    let at = bytes.len() + bad.find('\u{1}').unwrap();
    bytes.extend_from_slice(bad.as_bytes());
    bytes[at] = 0xFF;
    bytes.extend_from_slice(format!("\r\n{second}\r\n{foot}").as_bytes());
    let (codes, records) = codes_and_records(&bytes);
    assert_eq!(codes, [("invalid_utf8", 3, 3)]);
    assert_eq!(records, [a, a, b]);
    // A file cut inside its last object: the records before it kept.
    let cut = format!("{head}\r\n{first}\r\n{}", &second[..second.len() / 2]);
    assert_eq!(
        codes_and_records(cut.as_bytes()),
        (vec![("truncated_event", 3, 3)], vec![a])
    );
    // A 50 MB `<S>`: over the 16 MiB limit, one problem, the next object read.
    let mut big = format!("{head}\r\n{first}\r\n  <Obj><Props><S N=\"Message\">").into_bytes();
    big.resize(big.len() + (50 << 20), b'a');
    big.extend_from_slice(format!("</S></Props></Obj>\r\n{second}\r\n{foot}").as_bytes());
    assert_eq!(
        codes_and_records(&big),
        (vec![("event_too_large", 3, 3)], vec![a, b])
    );
}

/// A UTF-16 export with an unpaired surrogate (as a damaged PowerShell `> file` has): the
/// document it is in is kept, repaired with U+FFFD, and says so once, where it is; every other
/// document is read as from the clean file.
#[test]
fn bad_utf16_is_repaired_and_said_in_every_shape() {
    for (name, _, _) in SHAPES {
        let bytes = fixture(name);
        let mut units: Vec<u16> = match bytes.strip_prefix(&[0xFF, 0xFE]) {
            Some(le) => le
                .chunks_exact(2)
                .map(|u| u16::from_le_bytes([u[0], u[1]]))
                .collect(),
            None => {
                let text = String::from_utf8(bytes).unwrap();
                let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text).to_string();
                text.encode_utf16().collect()
            }
        };
        // The first "Security" (a channel or log name): its S becomes a lone low surrogate.
        let word: Vec<u16> = "Security".encode_utf16().collect();
        let at = units
            .windows(word.len())
            .position(|w| w == word.as_slice())
            .unwrap_or_else(|| panic!("{name}: no \"Security\""));
        units[at] = 0xDC00;
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(units.iter().flat_map(|u| u.to_le_bytes()));
        let (_, clean, clean_problems, _) = read_all(&fixture(name));
        let (_, events, problems, _) = read_all(&bytes);
        assert_eq!(events.len(), clean.len(), "{name}");
        let repaired: Vec<_> = problems
            .iter()
            .filter(|p| p.kind == ProblemKind::InvalidUtf16)
            .collect();
        assert_eq!(repaired.len(), 1, "{name}: {problems:?}");
        assert_eq!(repaired[0].severity, Severity::Repaired, "{name}");
        assert_eq!(
            problems.len(),
            clean_problems.len() + 1,
            "{name}: {problems:?}"
        );
    }
}
