//! The `keytrail` command: output formats and exit statuses.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::{fixture, keytrail};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn export_jsonl_of_the_reference_page_paste() {
    let out = keytrail(&["export", &fixture("docs-5059-seed.txt")], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<_> = stdout.lines().collect();
    assert_eq!(lines.len(), 1);
    let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(v["event_id"], 5059);
    assert_eq!(v["record_id"], 1048447);
    assert_eq!(v["time"], "2015-10-14T19:42:08.1352656Z");
    assert_eq!(v["computer"], "DC01.contoso.local");
    assert_eq!(v["channel"], "Security");
    assert_eq!(v["provider"], "Microsoft-Windows-Security-Auditing");
    assert_eq!(v["outcome"], "success");
    assert_eq!(v["data"]["AlgorithmName"], "ECDH_P521");
    assert_eq!(v["data"]["KeyType"], "%%2500");
    assert_eq!(
        v["decoded"]["Operation"],
        "Export of persistent cryptographic key."
    );
    assert_eq!(v["decoded"]["KeyType"], "User key.");
    assert!(v["decoded"]["ReturnCode"]
        .as_str()
        .unwrap()
        .contains("completed successfully"));
    let keys: Vec<_> = v["data"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        keys,
        [
            "SubjectUserSid",
            "SubjectUserName",
            "SubjectDomainName",
            "SubjectLogonId",
            "ProviderName",
            "AlgorithmName",
            "KeyName",
            "KeyType",
            "Operation",
            "ReturnCode"
        ],
        "all ten EventData fields in document order"
    );
    // The account, its key, and the built-in rules it matches, flat beside the raw fields.
    assert_eq!(v["account"], "CONTOSO\\dadmin");
    assert_eq!(v["logon_id"], "0x38e2d");
    assert_eq!(v["key_type"], "User key.");
    assert_eq!(v["return_code"], "0x0");
    assert_eq!(v["findings"][0], "export-any");
    // The repair is said on stderr, and is not a skip.
    assert!(text(&out.stderr).contains("documentation markup"));
}

#[test]
fn export_csv_has_the_json_keys_as_columns_in_the_same_order() {
    let path = fixture("docs-5059-seed.txt");
    let json = keytrail(&["export", &path], None);
    let csv = keytrail(&["export", &path, "--format", "csv"], None);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let csv = text(&csv.stdout);
    assert_eq!(csv.lines().next().unwrap(), keys.join(","));
    // The rules of a rules file name the findings instead of the built-in ones.
    let dir = std::env::temp_dir().join(format!("keytrail-export-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rules = dir.join("rules.json");
    std::fs::write(&rules, r#"[{"id":"ours","event_ids":[5059]}]"#).unwrap();
    let out = keytrail(&["export", &path, "--rules", rules.to_str().unwrap()], None);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"], serde_json::json!(["ours"]));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn export_reads_stdin_and_writes_csv() {
    let input = std::fs::read(fixture("docs-5059-seed.txt")).unwrap();
    let out = keytrail(&["export", "-", "--format", "csv"], Some(&input));
    assert_eq!(out.status.code(), Some(0));
    let csv = text(&out.stdout);
    let mut lines = csv.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("file,event_id,event_name,record_id,time"));
    let row = lines.next().unwrap();
    assert!(row.starts_with("-,5059,Key migration operation,1048447,2015-10-14T19:42:08.1352656Z"));
    assert!(row.contains("Export of persistent cryptographic key."));
    assert!(row.contains("User key."));
}

#[test]
fn skipped_events_exit_3_with_positions_on_stderr() {
    let path = fixture("broken-middle.xml");
    let out = keytrail(&["export", &path], None);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        text(&out.stdout).lines().count(),
        4,
        "the good events are still written"
    );
    let err = text(&out.stderr);
    let line = err.lines().next().unwrap();
    let rest = line.strip_prefix(&format!("{path}:")).unwrap();
    let parts: Vec<_> = rest.splitn(3, ':').collect();
    assert!(
        parts[0].parse::<u64>().is_ok() && parts[1].parse::<u64>().is_ok(),
        "{line}"
    );
    assert!(parts[2].starts_with(" event 3: "), "{line}");
}

#[test]
fn not_event_xml_exits_3_with_one_clear_message() {
    let out = keytrail(&["export", &fixture("not-xml.png")], None);
    assert_eq!(out.status.code(), Some(3));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1);
    assert!(err.contains("looks like a PNG image"), "{err}");
}

#[test]
fn usage_errors_and_unreadable_files_exit_2() {
    for args in [
        &[][..],
        &["frobnicate"][..],
        &["export"][..],
        &["export", "x.xml", "--format", "xlsx"][..],
        &["summary", "--bogus", "1", "x.xml"][..],
    ] {
        let out = keytrail(args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        // Each says how to get help.
        assert!(text(&out.stderr).contains("--help"), "{args:?}");
    }
    // A mistyped command or option gets a suggestion.
    let out = keytrail(&["findigns", "x.xml"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("a similar subcommand exists: 'findings'"));
    let out = keytrail(&["findings", "x.xml", "--count-routin"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--count-routine"),
        "{}",
        text(&out.stderr)
    );
    // A bad value names the ones that would do.
    let out = keytrail(&["export", "x.xml", "--format", "xlsx"], None);
    assert!(text(&out.stderr).contains("[possible values: jsonl, csv, ecs]"));
    // Help (general and per command) and the version go to standard output, status 0.
    let out = keytrail(&["--help"], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("findings  Events that match monitoring rules"));
    let out = keytrail(&["findings", "--help"], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("--count-routine"));
    assert!(text(&out.stdout).contains("Exit status:"));
    let out = keytrail(&["--version"], None);
    assert_eq!(
        text(&out.stdout).trim(),
        format!("keytrail {}", env!("CARGO_PKG_VERSION"))
    );
    let out = keytrail(&["export", "/nonexistent/file.xml"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot open `/nonexistent/file.xml`"));
    assert!(out.stdout.is_empty());
}

#[test]
fn summary_counts_per_account_in_text_and_json() {
    let gen = keytrail(&["generate", "--events", "400", "--seed", "7"], None);
    assert_eq!(gen.status.code(), Some(0));
    let out = keytrail(&["summary", "-", "--format", "json"], Some(&gen.stdout));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["events"], 400);
    let accounts = v["accounts"].as_array().unwrap();
    assert!(accounts.len() >= 4, "several accounts");
    let total: u64 = accounts.iter().map(|a| a["events"].as_u64().unwrap()).sum();
    assert_eq!(total, 400);
    for a in accounts {
        let by_id: u64 = a["by_event_id"]
            .as_object()
            .unwrap()
            .values()
            .map(|n| n.as_u64().unwrap())
            .sum();
        let by_outcome = ["success", "failure", "unknown"]
            .iter()
            .map(|k| a[k].as_u64().unwrap())
            .sum::<u64>();
        assert_eq!(by_id, a["events"].as_u64().unwrap());
        assert_eq!(by_outcome, a["events"].as_u64().unwrap());
    }
    let system = accounts
        .iter()
        .find(|a| a["sid"] == "S-1-5-18")
        .expect("SYSTEM is among the accounts");
    // Windows logs the computer account's name with the SYSTEM SID.
    assert!(system["account"].as_str().unwrap().ends_with('$'));
    let exports: u64 = accounts
        .iter()
        .filter_map(|a| a["by_operation"]["Export of persistent cryptographic key."].as_u64())
        .sum();
    assert!(exports > 0);

    let out = keytrail(&["summary", "-"], Some(&gen.stdout));
    let t = text(&out.stdout);
    assert!(t.starts_with("400 events, "), "{t}");
    assert!(t.contains("S-1-5-18"));
    assert!(t.contains("Key migration operation"));
    assert!(t.contains("Export of persistent cryptographic key."));
}

#[test]
fn generate_is_deterministic_and_exports_round_trip() {
    let a = keytrail(
        &[
            "generate",
            "--events",
            "50",
            "--format",
            "event-viewer",
            "--encoding",
            "utf16le",
        ],
        None,
    );
    let b = keytrail(
        &[
            "generate",
            "--events",
            "50",
            "--format",
            "event-viewer",
            "--encoding",
            "utf16le",
        ],
        None,
    );
    assert_eq!(a.stdout, b.stdout);
    assert_eq!(&a.stdout[..2], &[0xFF, 0xFE]);
    let out = keytrail(&["export", "-"], Some(&a.stdout));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), 50);
}

/// `.evtx` files are read like XML: by content, from a path or standard input, mixed with XML.
#[test]
fn evtx_files_read_like_xml_by_content_from_paths_and_stdin() {
    let evtx = fixture("evtx/security.evtx");
    let out = keytrail(&["summary", &evtx, "--format", "json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty());
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["events"], 2261, "{summary}");

    // Standard input streams the same file: the same export, line for line (but for `file`,
    // which names where each was read from).
    let from_path = keytrail(&["export", &evtx], None);
    let bytes = std::fs::read(&evtx).unwrap();
    let from_stdin = keytrail(&["export", "-"], Some(&bytes));
    assert_eq!(from_stdin.status.code(), Some(0));
    let stdin_text = text(&from_stdin.stdout).replace("{\"file\":\"-\",", "{");
    let path_text = text(&from_path.stdout).replace(&format!("{{\"file\":{evtx:?},"), "{");
    assert_eq!(stdin_text.lines().count(), 2261);
    assert_eq!(stdin_text, path_text);
    let first = text(&from_path.stdout).lines().next().unwrap().to_string();
    let first: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(first["time"], "2016-07-08T18:12:51.6816408Z");
    assert_eq!(first["record_id"], 1);

    // A renamed .evtx is still an .evtx; mixed with XML, both load as one set.
    let dir = std::env::temp_dir().join(format!("keytrail-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let renamed = dir.join("log.xml");
    std::fs::copy(fixture("evtx/new-user-security.evtx"), &renamed).unwrap();
    let renamed = renamed.to_string_lossy().into_owned();
    let out = keytrail(
        &[
            "summary",
            &renamed,
            &fixture("wevtutil.xml"),
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["events"], 4 + 16);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A damaged `.evtx`: every readable record is written, each problem on standard error with
/// its chunk and offset, exit status 3.
#[test]
fn damaged_evtx_exits_3_with_chunk_and_offset_on_stderr() {
    let path = fixture("evtx/sample_with_a_bad_chunk_magic.evtx");
    let out = keytrail(&["export", &path], None);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(text(&out.stdout).lines().count(), 301);
    let err = text(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 9, "{err}");
    assert!(
        lines[2].starts_with(&format!(
            "{path}:chunk 6, offset 0x61000: chunk cannot be read"
        )),
        "{}",
        lines[2]
    );
    assert!(
        lines[4].starts_with(&format!(
            "{path}:chunk 7, offset 0x73060: a record cannot be decoded"
        )),
        "{}",
        lines[4]
    );
}
