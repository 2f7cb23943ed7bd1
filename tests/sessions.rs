//! Logon-session correlation and its edge cases, and the CLI's `findings`.
#![cfg(not(target_arch = "wasm32"))]

use keytrail::decoder::decode_all;
use keytrail::model::session::{Link, SessionIndex, SessionParts};

mod common;

fn keytrail(args: &[&str], stdin: &[u8]) -> std::process::Output {
    common::keytrail(args, Some(stdin))
}

fn logon(computer: &str, id: &str, user: &str, t: &str, ltype: u8, ip: &str) -> String {
    format!(
        "<Event><System><EventID>4624</EventID><TimeCreated SystemTime='{t}'/><Computer>{computer}</Computer></System>\
         <EventData><Data Name='SubjectUserSid'>S-1-5-18</Data><Data Name='SubjectLogonId'>0x3e7</Data>\
         <Data Name='TargetUserSid'>S-1-5-21-1-2-3-{}</Data><Data Name='TargetUserName'>{user}</Data>\
         <Data Name='TargetDomainName'>CONTOSO</Data><Data Name='TargetLogonId'>{id}</Data>\
         <Data Name='LogonType'>{ltype}</Data><Data Name='LogonProcessName'>Advapi  </Data>\
         <Data Name='AuthenticationPackageName'>Negotiate</Data><Data Name='WorkstationName'>ADMIN-PC</Data>\
         <Data Name='IpAddress'>{ip}</Data></EventData></Event>\n",
        user.len()
    )
}

fn logoff(computer: &str, id: &str, t: &str) -> String {
    format!(
        "<Event><System><EventID>4634</EventID><TimeCreated SystemTime='{t}'/><Computer>{computer}</Computer></System>\
         <EventData><Data Name='TargetLogonId'>{id}</Data><Data Name='LogonType'>3</Data></EventData></Event>\n"
    )
}

fn privileges(computer: &str, id: &str, t: &str) -> String {
    format!(
        "<Event><System><EventID>4672</EventID><TimeCreated SystemTime='{t}'/><Computer>{computer}</Computer></System>\
         <EventData><Data Name='SubjectLogonId'>{id}</Data><Data Name='PrivilegeList'>SeBackupPrivilege\n\t\t\tSeRestorePrivilege</Data></EventData></Event>\n"
    )
}

/// A service account's logon on CA01 (0x5a1f3c at 08:00, type 5 from 10.0.0.7), its special
/// privileges half a second later, its logoff at 09:00.
fn backup_session() -> String {
    [
        logon(
            "CA01.contoso.local",
            "0x5a1f3c",
            "svc-backup",
            "2026-03-02T08:00:00Z",
            5,
            "10.0.0.7",
        ),
        privileges("CA01.contoso.local", "0x5a1f3c", "2026-03-02T08:00:00.5Z"),
        logoff("CA01.contoso.local", "0x5a1f3c", "2026-03-02T09:00:00Z"),
    ]
    .concat()
}

fn index(xml: &str) -> SessionIndex {
    let (events, problems, _) = decode_all(xml.as_bytes());
    assert!(problems.is_empty());
    let mut idx = SessionIndex::new();
    for e in &events {
        idx.add(e);
    }
    idx
}

fn t(s: &str) -> Option<i64> {
    keytrail::decoder::value::parse_time(s)
}

#[test]
fn a_key_event_links_to_its_logon_privileges_and_logoff() {
    let xml = backup_session();
    let mut idx = index(&xml);
    match idx.link("ca01.CONTOSO.local", "0x5A1F3C", t("2026-03-02T08:30:00Z")) {
        Link::Session(s) => {
            assert_eq!(s.account, "CONTOSO\\svc-backup");
            assert_eq!(s.logon_type_name.as_deref(), Some("Service"));
            assert_eq!(s.ip_address, "10.0.0.7");
            assert_eq!(s.authentication_package, "Negotiate");
            assert_eq!(s.logon_process, "Advapi");
            assert_eq!(s.privileges, ["SeBackupPrivilege", "SeRestorePrivilege"]);
            assert_eq!(s.logoff_time, t("2026-03-02T09:00:00Z"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_same_logon_id_on_another_computer_never_links() {
    let mut idx = index(&logon(
        "DC01.contoso.local",
        "0x38e2d",
        "dadmin",
        "2026-03-02T08:00:00Z",
        2,
        "-",
    ));
    assert_eq!(
        idx.link(
            "WS-0142.contoso.local",
            "0x38e2d",
            t("2026-03-02T08:30:00Z")
        ),
        Link::NotInExport
    );
}

#[test]
fn a_reused_logon_id_links_to_the_session_open_at_the_time() {
    let xml = [
        logon(
            "DC01",
            "0x1234",
            "first",
            "2026-03-02T08:00:00Z",
            3,
            "10.0.0.1",
        ),
        logoff("DC01", "0x1234", "2026-03-02T08:10:00Z"),
        logon(
            "DC01",
            "0x1234",
            "second",
            "2026-03-02T12:00:00Z",
            10,
            "10.0.0.2",
        ),
    ]
    .concat();
    // Newest first, as `wevtutil /rd:true` writes: the order must not matter.
    let reversed: String = xml.lines().rev().map(|l| format!("{l}\n")).collect();
    for input in [xml, reversed] {
        let mut idx = index(&input);
        let who = |idx: &mut SessionIndex, at: &str| match idx.link("DC01", "0x1234", t(at)) {
            Link::Session(s) => s.account.clone(),
            other => format!("{other:?}"),
        };
        assert_eq!(who(&mut idx, "2026-03-02T08:05:00Z"), "CONTOSO\\first");
        assert_eq!(who(&mut idx, "2026-03-02T13:00:00Z"), "CONTOSO\\second");
        assert_eq!(
            who(&mut idx, "2026-03-02T10:00:00Z"),
            "NotInExport",
            "between the two"
        );
        assert_eq!(
            who(&mut idx, "2026-03-02T07:00:00Z"),
            "NotInExport",
            "before any"
        );
    }
}

#[test]
fn well_known_sessions_are_named_not_linked() {
    let mut idx = index(&logon(
        "DC01",
        "0x3e7",
        "DC01$",
        "2026-03-02T08:00:00Z",
        0,
        "-",
    ));
    assert_eq!(
        idx.link("DC01", "0x3e7", None),
        Link::WellKnown("SYSTEM session")
    );
    assert_eq!(
        idx.link("DC01", "0x00000000000003E4", None),
        Link::WellKnown("NETWORK SERVICE session")
    );
}

#[test]
fn a_missing_logon_says_session_not_in_this_export() {
    let mut idx = index(&logon("DC01", "0x1", "a", "2026-03-02T08:00:00Z", 2, "-"));
    let link = idx.link("DC01", "0x999", t("2026-03-02T09:00:00Z"));
    assert_eq!(link, Link::NotInExport);
    assert_eq!(link.describe(), "session not in this export");
}

#[test]
fn an_account_timeline_lists_its_sessions_in_order() {
    let xml = [
        logon("WS1", "0x2", "bob", "2026-03-03T08:00:00Z", 2, "-"),
        logon("WS2", "0x1", "bob", "2026-03-02T08:00:00Z", 10, "10.1.1.1"),
        logon("WS1", "0x3", "eve", "2026-03-02T09:00:00Z", 3, "-"),
    ]
    .concat();
    let mut idx = index(&xml);
    let sid = "S-1-5-21-1-2-3-3";
    let tl: Vec<_> = idx
        .timeline(sid)
        .iter()
        .map(|s| s.computer.clone())
        .collect();
    assert_eq!(tl, ["WS2", "WS1", "WS1"]);
}

#[test]
fn cli_findings_lists_rule_event_account_reason_and_session_with_exit_4() {
    let gen = keytrail(&["generate", "--events", "60"], b"");
    let out = keytrail(&["findings", "-", "--format", "json"], &gen.stdout);
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    let ca = findings
        .iter()
        .find(|f| f["rule"] == "machine-key-export-not-system")
        .expect("the CA key export by svc-backup is found");
    assert!(ca["account"].as_str().unwrap().ends_with("svc-backup"));
    assert_eq!(ca["event_id"], 5059);
    assert!(ca["reason"].as_str().unwrap().contains("machine key"));
    assert!(
        ca["session"].as_str().unwrap().contains("Service"),
        "{}",
        ca["session"]
    );

    let text = keytrail(&["findings", "-"], &gen.stdout);
    assert_eq!(text.status.code(), Some(4));
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(stdout
        .lines()
        .any(|l| l.starts_with("machine-key-export-not-system\tneeds-a-look\t-\tevent ")));
    let needs = findings.iter().filter(|f| f["routine"] == false).count();
    assert!(stdout.trim_end().ends_with(&format!(
        "{} findings: {needs} need a look, {} routine",
        findings.len(),
        findings.len() - needs
    )));
}

#[test]
fn cli_findings_exit_0_when_quiet_2_for_bad_rules_3_for_skips() {
    let quiet = logon("DC01", "0x1", "a", "2026-03-02T08:00:00Z", 2, "-");
    let out = keytrail(&["findings", "-"], quiet.as_bytes());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "0 findings: 0 need a look, 0 routine"
    );

    let dir = std::env::temp_dir().join(format!("keytrail-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"[{"id":"x","key_names":[{"regex":"("}]}]"#).unwrap();
    let out = keytrail(
        &["findings", "-", "--rules", bad.to_str().unwrap()],
        quiet.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("rule `x`"));

    let good = dir.join("good.json");
    std::fs::write(&good, r#"{"rules":[{"id":"logons","event_ids":[4624]}]}"#).unwrap();
    let out = keytrail(
        &["findings", "-", "--rules", good.to_str().unwrap()],
        quiet.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(4));

    let broken = format!("{quiet}<Event><System><EventID>1</EventId></System></Event>");
    let out = keytrail(&["findings", "-"], broken.as_bytes());
    assert_eq!(out.status.code(), Some(3));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn timeline_ticks_put_each_key_event_on_the_session_it_links_to() {
    use keytrail::decoder::view::is_key_event;
    use keytrail::generator::{self, Encoding, Format, Spec};
    use keytrail::model::session::ticks;
    let spec = Spec {
        seed: 5061,
        events: 4000,
    };
    let bytes = generator::export(&spec, Format::Wevtutil, Encoding::Utf8);
    let (events, problems, _) = decode_all(&bytes);
    assert!(problems.is_empty());
    let mut idx = SessionIndex::new();
    for e in &events {
        idx.add(e);
    }
    let mut linked = 0;
    let sids: std::collections::BTreeSet<&str> = events
        .iter()
        .map(|e| e.account().sid)
        .filter(|s| s.starts_with("S-1-5-21"))
        .collect();
    for sid in sids {
        let sessions: Vec<_> = idx.timeline(sid).into_iter().cloned().collect();
        let keys: Vec<_> = events
            .iter()
            .filter(|e| is_key_event(e.event_id()) && e.account().sid == sid)
            .collect();
        let got = ticks(
            &sessions,
            keys.iter().map(|e| {
                (
                    e.computer(),
                    e.account().logon_id,
                    e.time().map(|t| t.nanos()),
                    false,
                )
            }),
        );
        // Every key event that links to a session is a tick on that very session, in order.
        let mut want = Vec::new();
        for e in &keys {
            if let (Link::Session(s), Some(t)) = (idx.link_event(e), e.time()) {
                want.push((s.clone(), t.nanos()));
            }
        }
        assert_eq!(got.len(), want.len(), "{sid}");
        for (tick, (session, time)) in got.iter().zip(&want) {
            assert_eq!(&sessions[tick.session], session, "{sid}");
            assert_eq!(tick.time, *time);
        }
        linked += got.len();
    }
    assert!(linked > 100, "only {linked} key events in sessions");
}

#[test]
fn each_session_keeps_its_own_privileges_when_lists_repeat() {
    // The index keeps each distinct list of privileges once; every session still gets its own,
    // here and after its parts are joined to another index.
    let one = privileges("WS01", "0x11", "2026-03-02T08:00:01Z");
    let other = one
        .replace("0x11", "0x12")
        .replace("SeRestorePrivilege", "SeDebugPrivilege");
    let again = one.replace("0x11", "0x13");
    let xml = [
        logon("WS01", "0x11", "alice", "2026-03-02T08:00:00Z", 2, "-"),
        logon("WS01", "0x12", "bob", "2026-03-02T08:00:00Z", 2, "-"),
        logon("WS01", "0x13", "carol", "2026-03-02T08:00:00Z", 2, "-"),
        one,
        other,
        again,
    ]
    .concat();
    let at = t("2026-03-02T08:30:00Z");
    let want = [
        ("0x11", ["SeBackupPrivilege", "SeRestorePrivilege"]),
        ("0x12", ["SeBackupPrivilege", "SeDebugPrivilege"]),
        ("0x13", ["SeBackupPrivilege", "SeRestorePrivilege"]),
    ];
    let mut joined = SessionIndex::new();
    joined.join(index(&xml).into_parts());
    for mut idx in [index(&xml), joined] {
        for (id, list) in &want {
            match idx.link("WS01", id, at) {
                Link::Session(s) => assert_eq!(&s.privileges, list, "{id}"),
                other => panic!("{id}: {other:?}"),
            }
        }
    }
}

/// A part's sessions, as a second worker hands them to the first (`SessionParts::encode`), read
/// back whole and equal, so that key events after a split link to the same sessions as with one
/// reader; a cut or padded handover reads as nothing (the first worker then decodes the part
/// itself), never as fewer sessions, and a count no bytes could back allocates nothing for it.
#[test]
fn sessions_handed_between_workers_read_back_exactly() {
    let xml = [
        backup_session(),
        logon(
            "山田-PC",
            "0xffffffffffffffff",
            "山田",
            "2026-03-02T08:00:00.1234567Z",
            10,
            "fe80::1%3",
        ),
        logoff("WS01", "0x3e7", "2026-03-02T09:00:00Z"),
    ]
    .concat();
    let parts = index(&xml).into_parts();
    assert_eq!(parts.sessions.len(), 2);
    assert!(!parts.logoffs.is_empty() && !parts.privileges.is_empty());
    let bytes = parts.encode();
    assert_eq!(SessionParts::decode(&bytes).as_ref(), Some(&parts));

    let mut joined = SessionIndex::new();
    joined.join(SessionParts::decode(&bytes).unwrap());
    match joined.link("ca01.contoso.local", "0x5a1f3c", t("2026-03-02T08:30:00Z")) {
        Link::Session(s) => {
            assert_eq!(s.privileges, ["SeBackupPrivilege", "SeRestorePrivilege"]);
            assert_eq!(s.logoff_time, t("2026-03-02T09:00:00Z"));
        }
        other => panic!("{other:?}"),
    }

    for cut in 0..bytes.len() {
        assert_eq!(SessionParts::decode(&bytes[..cut]), None, "cut at {cut}");
    }
    let mut padded = bytes.clone();
    padded.push(0);
    assert_eq!(SessionParts::decode(&padded), None);
    assert_eq!(SessionParts::decode(&[0xff; 4]), None);
}
