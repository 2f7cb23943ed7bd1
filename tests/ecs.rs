//! The ECS export (`keytrail export --format ecs`, `model::export::ecs`): documents shaped as
//! Elastic's `system.security` data stream writes them, checked field by field against the
//! integration's own pipeline test outputs, every field's type against the ECS definitions and
//! the shipped index template, and hostile input.

use keytrail::decoder::decode_all;
use keytrail::decoder::view::event_name;
use keytrail::generator::{self, Encoding, Format};
use keytrail::model::export::ecs::{document_id, EcsExport};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ecs");

/// Every leaf of a document under its dotted path (lists are leaves).
fn flatten(prefix: &str, v: &Value, out: &mut BTreeMap<String, Value>) {
    match v {
        Value::Object(m) => {
            for (k, inner) in m {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&path, inner, out);
            }
        }
        other => {
            out.insert(prefix.to_string(), other.clone());
        }
    }
}

/// The documents of a file's events, one JSON line each.
fn documents(bytes: &[u8]) -> Vec<String> {
    let (events, _, _) = decode_all(bytes);
    let mut export = EcsExport::new();
    events
        .iter()
        .map(|ev| {
            let mut line = String::new();
            export.write(ev, event_name(ev.event_id()), &[], &mut line);
            line
        })
        .collect()
}

/// Fields the integration's pipeline tests cannot hold: keytrail's own, keytrail's summary, and
/// what the agent sets from the data stream's name.
fn beyond_the_integration(path: &str) -> bool {
    path.starts_with("keytrail.") || matches!(path, "message" | "event.module" | "event.dataset")
}

/// The fields of keytrail's document for fixture `id` that differ from the integration's
/// expected document, except those the fixture lists (with the reason) under `differs`.
fn mismatches(id: &str) -> Vec<String> {
    let xml = std::fs::read(Path::new(DIR).join(format!("{id}.xml"))).unwrap();
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(DIR).join(format!("{id}.expected.json"))).unwrap(),
    )
    .unwrap();
    let lines = documents(&xml);
    assert_eq!(lines.len(), 1, "{id}: one event");
    let ours: Value = serde_json::from_str(&lines[0]).unwrap();
    let mut flat = BTreeMap::new();
    flatten("", &ours, &mut flat);
    let want = expected["expected"].as_object().unwrap();
    let differs = expected["differs"].as_object().unwrap();
    let mut out = Vec::new();
    for (path, value) in want {
        let same = flat.get(path) == Some(value);
        match (same, differs.contains_key(path)) {
            (false, false) => out.push(format!(
                "{id}: {path}: ours {:?}, the integration's {value}",
                flat.get(path)
            )),
            (true, true) => out.push(format!("{id}: {path} is listed as differing but matches")),
            _ => {}
        }
    }
    for (path, value) in &flat {
        if beyond_the_integration(path) || want.contains_key(path) {
            continue;
        }
        if !differs.contains_key(path) {
            out.push(format!(
                "{id}: {path} = {value} is not in the integration's document"
            ));
        }
    }
    out
}

/// The event IDs of the integration's pipeline tests that keytrail names and that have a
/// fixture here (the README lists the tests they come from).
const COVERED: [&str; 6] = ["4624", "4634", "4688", "5058", "5059", "5061"];

#[test]
fn documents_match_the_integrations_pipeline_tests_field_by_field() {
    let mut all = Vec::new();
    for id in COVERED {
        assert!(
            keytrail::decoder::table::event_name(id.parse().unwrap()).is_some(),
            "{id} is an event keytrail names"
        );
        all.extend(mismatches(id));
    }
    assert!(all.is_empty(), "{}", all.join("\n"));
}

#[test]
fn the_integration_fields_of_a_key_event_are_as_elastic_writes_them() {
    // A few fields spelled out, so that a reader sees the shape without the fixtures.
    let xml = std::fs::read(Path::new(DIR).join("5059.xml")).unwrap();
    let doc: Value = serde_json::from_str(&documents(&xml)[0]).unwrap();
    assert_eq!(doc["event"]["action"], "key-migration-operation");
    assert_eq!(doc["winlog"]["event_data"]["KeyType"], "User key.");
    assert_eq!(
        doc["winlog"]["event_data"]["Operation"],
        "Export of persistent cryptographic key."
    );
    assert_eq!(doc["keytrail"]["event_data_codes"]["KeyType"], "%%2500");
    assert_eq!(doc["keytrail"]["event_data_codes"]["Operation"], "%%2464");
    assert_eq!(
        doc["keytrail"]["session"]["well_known"],
        "LOCAL SERVICE session"
    );
    assert_eq!(doc["winlog"]["record_id"], "13902");
    assert_eq!(doc["winlog"]["process"]["pid"], 680);
}

/// 4647 and 4672 have no pipeline test in the integration (its `_dev/test/pipeline` folder holds
/// none for either), so their documents are held here to what its pipeline
/// (`elasticsearch/ingest_pipeline/standard.yml`) does with them: a logoff the user started is
/// `authentication`/`end`/`logged-out` with the Target account as the user and `TargetLogonId` as
/// the logon; special privileges are `iam`/`admin`/`logged-in-special` with the Subject account
/// and `SubjectLogonId`, and `PrivilegeList` split into a list. Both are correlated in
/// `keytrail.session` with the 4624 before them.
#[test]
fn user_initiated_logoffs_and_special_privileges_are_shaped_as_the_pipeline_shapes_them() {
    let system = |id: u32, record: u32| {
        format!(
            "<System><Provider Name='Microsoft-Windows-Security-Auditing' \
             Guid='{{54849625-5478-4994-A5BA-3E3B0328C30D}}'/><EventID>{id}</EventID>\
             <Version>0</Version><Level>0</Level><Task>12548</Task><Opcode>0</Opcode>\
             <Keywords>0x8020000000000000</Keywords>\
             <TimeCreated SystemTime='2026-11-02T09:00:0{record}.1234567Z'/>\
             <EventRecordID>{record}</EventRecordID><Execution ProcessID='744' ThreadID='800'/>\
             <Channel>Security</Channel><Computer>WS01.corp.example</Computer><Security/></System>"
        )
    };
    let xml = format!(
        "<Events><Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>{}\
         <EventData><Data Name='SubjectUserSid'>S-1-5-18</Data>\
         <Data Name='SubjectUserName'>WS01$</Data><Data Name='SubjectDomainName'>CORP</Data>\
         <Data Name='SubjectLogonId'>0x3e7</Data>\
         <Data Name='TargetUserSid'>S-1-5-21-1-2-3-1104</Data>\
         <Data Name='TargetUserName'>alice</Data><Data Name='TargetDomainName'>CORP</Data>\
         <Data Name='TargetLogonId'>0x8d2c1</Data><Data Name='LogonType'>10</Data>\
         <Data Name='LogonProcessName'>User32 </Data>\
         <Data Name='AuthenticationPackageName'>Negotiate</Data>\
         <Data Name='WorkstationName'>WS01</Data><Data Name='IpAddress'>10.0.0.7</Data>\
         </EventData></Event>\
         <Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>{}<EventData>\
         <Data Name='SubjectUserSid'>S-1-5-21-1-2-3-1104</Data>\
         <Data Name='SubjectUserName'>alice</Data><Data Name='SubjectDomainName'>CORP</Data>\
         <Data Name='SubjectLogonId'>0x8d2c1</Data>\
         <Data Name='PrivilegeList'>SeBackupPrivilege\r\n\t\t\tSeRestorePrivilege\r\n\t\t\tSeDebugPrivilege</Data>\
         </EventData></Event>\
         <Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>{}<EventData>\
         <Data Name='TargetUserSid'>S-1-5-21-1-2-3-1104</Data>\
         <Data Name='TargetUserName'>alice</Data><Data Name='TargetDomainName'>CORP</Data>\
         <Data Name='TargetLogonId'>0x8d2c1</Data></EventData></Event></Events>",
        system(4624, 1),
        system(4672, 2),
        system(4647, 3),
    );
    let docs: Vec<Value> = documents(xml.as_bytes())
        .iter()
        .map(|d| serde_json::from_str(d).unwrap())
        .collect();
    let [_, special, logoff] = &docs[..] else {
        panic!("three documents: {docs:?}")
    };

    assert_eq!(special["event"]["code"], "4672");
    assert_eq!(special["event"]["action"], "logged-in-special");
    assert_eq!(special["event"]["category"], serde_json::json!(["iam"]));
    assert_eq!(special["event"]["type"], serde_json::json!(["admin"]));
    assert_eq!(special["user"]["name"], "alice");
    assert_eq!(special["user"]["id"], "S-1-5-21-1-2-3-1104");
    assert_eq!(special["user"]["domain"], "CORP");
    assert_eq!(special["winlog"]["logon"]["id"], "0x8d2c1");
    assert_eq!(
        special["winlog"]["event_data"]["PrivilegeList"],
        serde_json::json!([
            "SeBackupPrivilege",
            "SeRestorePrivilege",
            "SeDebugPrivilege"
        ])
    );
    assert_eq!(special["related"]["user"], serde_json::json!(["alice"]));
    assert_eq!(special["keytrail"]["session"]["logon_type"], 10);
    assert_eq!(
        special["keytrail"]["session"]["privileges"],
        serde_json::json!([
            "SeBackupPrivilege",
            "SeRestorePrivilege",
            "SeDebugPrivilege"
        ])
    );

    assert_eq!(logoff["event"]["code"], "4647");
    assert_eq!(logoff["event"]["action"], "logged-out");
    assert_eq!(
        logoff["event"]["category"],
        serde_json::json!(["authentication"])
    );
    assert_eq!(logoff["event"]["type"], serde_json::json!(["end"]));
    assert_eq!(logoff["user"]["name"], "alice");
    assert_eq!(logoff["user"]["id"], "S-1-5-21-1-2-3-1104");
    assert_eq!(logoff["winlog"]["logon"]["id"], "0x8d2c1");
    assert_eq!(logoff["keytrail"]["session"]["source_ip"], "10.0.0.7");
}

/// `path: type` of the ECS fields keytrail writes (a trimmed copy of ECS' definitions), and of
/// the `winlog.*` and `keytrail.*` fields in the shipped index template.
fn field_types() -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let ecs: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(DIR).join("ecs_flat_trimmed.json")).unwrap(),
    )
    .unwrap();
    let ecs = ecs["fields"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    let template: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("elastic/keytrail-ecs-template.json"),
        )
        .unwrap(),
    )
    .unwrap();
    fn walk(prefix: &str, props: &Map<String, Value>, out: &mut BTreeMap<String, String>) {
        for (k, v) in props {
            let path = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v.get("properties").and_then(Value::as_object) {
                Some(inner) => walk(&path, inner, out),
                None => {
                    out.insert(path, v["type"].as_str().unwrap().to_string());
                }
            }
        }
    }
    let mut mapped = BTreeMap::new();
    walk(
        "",
        template["template"]["mappings"]["properties"]
            .as_object()
            .unwrap(),
        &mut mapped,
    );
    (ecs, mapped)
}

/// Whether a JSON value (or each item of a list) fits a field type.
fn fits(ty: &str, v: &Value) -> bool {
    match v {
        Value::Array(items) => !items.is_empty() && items.iter().all(|i| fits(ty, i)),
        Value::String(s) => match ty {
            "keyword" | "wildcard" | "match_only_text" | "text" => true,
            "ip" => s.parse::<std::net::IpAddr>().is_ok(),
            "date" => s.ends_with('Z') && s.len() == 24,
            _ => false,
        },
        Value::Number(n) => ty == "long" && n.is_u64(),
        _ => false,
    }
}

#[test]
fn every_field_has_its_ecs_or_template_name_and_type() {
    let (ecs, mapped) = field_types();
    // Every ECS field the template maps has the type ECS gives it.
    for (path, ty) in &mapped {
        if let Some(want) = ecs.get(path) {
            assert_eq!(ty, want, "{path}");
        }
    }
    let mut bytes = Vec::new();
    generator::write_to_size(5059, 4 << 20, Format::Wevtutil, Encoding::Utf8, &mut bytes).unwrap();
    let mut docs = documents(&bytes);
    for id in COVERED {
        docs.extend(documents(
            &std::fs::read(Path::new(DIR).join(format!("{id}.xml"))).unwrap(),
        ));
    }
    assert!(docs.len() > 1000, "{}", docs.len());
    let mut seen = BTreeMap::new();
    for line in &docs {
        let doc: Value = serde_json::from_str(line).unwrap();
        let mut flat = BTreeMap::new();
        flatten("", &doc, &mut flat);
        for (path, v) in flat {
            let ty = if path.starts_with("winlog.event_data.")
                || path.starts_with("winlog.user_data.")
                || path.starts_with("keytrail.event_data_codes.")
            {
                // The template's dynamic templates map these as keyword.
                "keyword"
            } else if let Some(ty) = ecs.get(&path) {
                ty
            } else if path.starts_with("winlog.") || path.starts_with("keytrail.") {
                mapped
                    .get(&path)
                    .unwrap_or_else(|| panic!("{path} is not in the index template"))
            } else {
                panic!("{path} is neither an ECS field nor in the index template")
            };
            assert!(fits(ty, &v), "{path}: {v} is not a {ty}");
            *seen.entry(path).or_insert(0u32) += 1;
        }
    }
    // The realistic logs reach the session and the codes.
    for path in [
        "keytrail.session.logon_type",
        "keytrail.event_data_codes.KeyType",
        "winlog.logon.type",
        "source.ip",
        "related.user",
    ] {
        assert!(seen.contains_key(path), "no document has {path}");
    }
}

#[test]
fn hostile_input_still_gives_one_valid_json_document_per_line() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut inputs: Vec<Vec<u8>> = std::fs::read_dir(&fixtures)
        .unwrap()
        .filter_map(|e| {
            let p = e.ok()?.path();
            let name = p.file_name()?.to_str()?.to_string();
            (name.starts_with("hostile-")
                || name.starts_with("xml-view")
                || name == "docs-paste.txt")
                .then(|| std::fs::read(&p).unwrap())
        })
        .collect();
    inputs.push(generator::hostile::deep_nesting(20_000).into_bytes());
    inputs.push(generator::hostile::many_attributes(5_000).into_bytes());
    // Values that JSON must escape, in names, values and the System block.
    inputs.push(
        "<Event><System><EventID>5059</EventID><Computer>W\u{1}\"S\\</Computer>\
         <EventRecordID>1</EventRecordID></System><EventData>\
         <Data Name='K\"\\\n'>v\u{2028}\r\n\t\u{0}x</Data><Data>unnamed</Data>\
         <Data Name='KeyType'>%%2499</Data></EventData></Event>"
            .as_bytes()
            .to_vec(),
    );
    let mut total = 0;
    for bytes in &inputs {
        let mut ndjson = String::new();
        for line in documents(bytes) {
            assert!(!line.contains('\n') && !line.contains('\r'), "{line}");
            ndjson.push_str(&line);
            ndjson.push('\n');
        }
        for line in ndjson.lines() {
            let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            assert!(v.is_object());
            total += 1;
        }
    }
    assert!(total > 5, "{total}");
}

#[test]
fn document_ids_are_stable_and_tell_events_apart() {
    let xml = |computer: &str, channel: &str, record: u32| {
        format!(
            "<Event><System><EventID>4624</EventID><EventRecordID>{record}</EventRecordID>\
             <Channel>{channel}</Channel><Computer>{computer}</Computer></System></Event>"
        )
    };
    let id = |s: String| document_id(&decode_all(s.as_bytes()).0[0]);
    // The same on every run and platform: a fixed value.
    assert_eq!(
        id(xml("WS1", "Security", 42)),
        "7625e0d2e8d5e52df0b615c554d33f0e"
    );
    assert_eq!(
        id(xml("WS1", "Security", 42)),
        id(xml("ws1", "security", 42))
    );
    assert_ne!(
        id(xml("WS1", "Security", 42)),
        id(xml("WS1", "Security", 43))
    );
    assert_ne!(
        id(xml("WS1", "Security", 42)),
        id(xml("WS2", "Security", 42))
    );
    assert_ne!(id(xml("WS1", "Security", 42)), id(xml("WS1", "System", 42)));
    // Parts cannot run into each other.
    assert_ne!(
        id(xml("WS1S", "ecurity", 42)),
        id(xml("WS1", "Security", 42))
    );
}

/// A file's events written by writers of three parts (cut anywhere), each part's documents in
/// sessions it did not see opened finished from the earlier parts' sessions, are the documents
/// one writer gives: the sessions' fields, privileges given in a later part, sessions closed
/// and opened again.
#[test]
fn documents_written_in_parts_are_those_one_writer_writes() {
    use keytrail::model::export::ecs::EcsSessions;
    let bytes = generator::export(
        &generator::Spec {
            seed: 5,
            events: 1500,
        },
        Format::Wevtutil,
        Encoding::Utf8,
    );
    let (events, _, _) = decode_all(&bytes);
    let write = |export: &mut EcsExport, sessions: &EcsSessions, out: &mut String, i: usize| {
        let ev = &events[i];
        if let Some(hole) = export.write_part(ev, event_name(ev.event_id()), &["r"], out) {
            sessions.finish(&hole, out);
        }
        out.push('\n');
    };
    let mut whole = String::new();
    let mut one = EcsExport::new();
    for i in 0..events.len() {
        write(&mut one, &EcsSessions::default(), &mut whole, i);
    }
    let sessions_in = whole.matches("\"session\":{\"logon_id\"").count();
    assert!(sessions_in > 100, "{sessions_in} documents name a session");
    let n = events.len();
    let mut holes = 0;
    for (a, b) in [(1, 2), (n / 3, 2 * n / 3), (n / 2, n / 2 + 7), (40, n - 40)] {
        let mut joined = String::new();
        let mut sessions = EcsSessions::default();
        let mut first = EcsExport::new();
        for i in 0..a {
            write(&mut first, &sessions, &mut joined, i);
        }
        sessions.apply(first.changes());
        // A later part: its documents, those in sessions it did not see opened finished here.
        let mut part = |part: &[keytrail::decoder::Event], sessions: &mut EcsSessions| {
            let mut export = EcsExport::part();
            for ev in part {
                let mut doc = String::new();
                match export.write_part(ev, event_name(ev.event_id()), &["r"], &mut doc) {
                    Some(hole) => {
                        holes += 1;
                        sessions.finish(&hole, &mut joined);
                    }
                    None => joined.push_str(&doc),
                }
                joined.push('\n');
            }
            sessions.apply(export.changes());
        };
        part(&events[a..b], &mut sessions);
        part(&events[b..], &mut sessions);
        assert!(joined == whole, "cut at {a} and {b}");
    }
    assert!(holes > 50, "{holes} documents waited for earlier parts");
}
