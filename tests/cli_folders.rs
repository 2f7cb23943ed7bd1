//! The `keytrail` command over folders, in parallel (issue 14): every file under a folder, in
//! path order, the same bytes whatever `--jobs`; `export --bulk` and `--max-bytes`.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::keytrail;

use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    [env!("CARGO_MANIFEST_DIR"), "tests", "fixtures", name]
        .iter()
        .collect()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A folder of mixed logs under the target directory: XML, JSON Lines, real and generated
/// .evtx, a PNG, and a generated file large enough to be handed over in many chunks.
fn mixed_folder(name: &str) -> PathBuf {
    let dir: PathBuf = [env!("CARGO_TARGET_TMPDIR"), name].iter().collect();
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("dc01/older")).unwrap();
    std::fs::create_dir_all(dir.join("dc02")).unwrap();
    let copy = |from: &Path, to: &str| {
        std::fs::copy(from, dir.join(to)).unwrap();
    };
    copy(&fixture("wevtutil.xml"), "dc01/wevtutil.xml");
    copy(&fixture("evtx/security.evtx"), "dc01/older/security.evtx");
    copy(&fixture("generated-nxlog.jsonl"), "dc02/nxlog.jsonl");
    copy(&fixture("not-xml.png"), "dc02/photo.png");
    let big = dir.join("dc02/generated.xml");
    let out = keytrail(
        &[
            "generate",
            "--events",
            "3000",
            "--seed",
            "14",
            "-o",
            big.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let evtx = dir.join("dc01/generated.evtx");
    let out = keytrail(
        &[
            "generate",
            "--events",
            "2000",
            "--seed",
            "15",
            "--format",
            "evtx",
            "-o",
            evtx.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    dir
}

/// The files of `dir` in the order the command reads them.
const ORDER: [&str; 6] = [
    "dc01/generated.evtx",
    "dc01/older/security.evtx",
    "dc01/wevtutil.xml",
    "dc02/generated.xml",
    "dc02/nxlog.jsonl",
    "dc02/photo.png",
];

#[test]
fn a_folder_is_read_whole_in_path_order_the_same_for_any_jobs() {
    let dir = mixed_folder("folders-order");
    let d = dir.to_str().unwrap();
    let one = keytrail(&["export", d, "--jobs", "1"], None);
    assert_eq!(one.status.code(), Some(3), "the PNG is not an event log");
    // The PNG is reported once, with its path, and nothing else is.
    let err = text(&one.stderr);
    let png = format!("{}:", dir.join("dc02/photo.png").display());
    assert_eq!(
        err.lines().filter(|l| l.starts_with(&png)).count(),
        1,
        "{err}"
    );
    assert!(err.contains("looks like a PNG image"), "{err}");
    // Every file of the folder, in path order, events in file order.
    let mut files: Vec<String> = Vec::new();
    for line in text(&one.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let file = v["file"].as_str().unwrap().to_string();
        if files.last() != Some(&file) {
            assert!(!files.contains(&file), "{file} comes back later");
            files.push(file);
        }
    }
    let expected: Vec<String> = ORDER[..5]
        .iter()
        .map(|f| dir.join(f).to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, expected);
    // The same as naming the files one by one, and the same for any --jobs.
    let named: Vec<String> = ORDER
        .iter()
        .map(|f| dir.join(f).to_string_lossy().into_owned())
        .collect();
    let mut args = vec!["export", "--jobs", "1"];
    args.extend(named.iter().map(String::as_str));
    let by_name = keytrail(&args, None);
    assert_eq!(by_name.stdout, one.stdout);
    for jobs in ["2", "4"] {
        let many = keytrail(&["export", d, "--jobs", jobs], None);
        assert_eq!(many.status.code(), Some(3));
        assert!(
            many.stdout == one.stdout,
            "export --jobs {jobs} differs from --jobs 1"
        );
        assert_eq!(text(&many.stderr), err, "problems in the same order");
        for cmd in [
            &["summary", d][..],
            &["findings", d][..],
            &["summary", d, "--format", "json"][..],
            &["export", d, "--format", "ecs", "--bulk", "logs-windows"][..],
        ] {
            let mut a = cmd.to_vec();
            a.extend(["--jobs", "1"]);
            let mut b = cmd.to_vec();
            b.extend(["--jobs", jobs]);
            let (a, b) = (keytrail(&a, None), keytrail(&b, None));
            assert_eq!(a.status.code(), b.status.code(), "{cmd:?}");
            assert!(a.stdout == b.stdout, "{cmd:?} --jobs {jobs} differs");
        }
    }
}

#[test]
fn summary_of_a_folder_counts_what_its_files_count() {
    let dir = mixed_folder("folders-summary");
    let whole = keytrail(
        &["summary", dir.to_str().unwrap(), "--format", "json"],
        None,
    );
    let whole: serde_json::Value = serde_json::from_slice(&whole.stdout).unwrap();
    let mut events = 0;
    for f in ORDER {
        let one = keytrail(
            &["summary", dir.join(f).to_str().unwrap(), "--format", "json"],
            None,
        );
        let one: serde_json::Value = serde_json::from_slice(&one.stdout).unwrap();
        events += one["events"].as_u64().unwrap();
    }
    assert!(events > 5000);
    assert_eq!(whole["events"].as_u64().unwrap(), events);
}

#[test]
fn the_progress_bar_is_silent_when_standard_error_is_not_a_terminal() {
    let dir = mixed_folder("folders-progress");
    std::fs::remove_file(dir.join("dc02/photo.png")).unwrap();
    for cmd in ["export", "summary", "findings"] {
        let out = keytrail(&[cmd, dir.to_str().unwrap()], None);
        assert!(out.stderr.is_empty(), "{cmd}: {}", text(&out.stderr));
    }
}

#[test]
fn bulk_parts_are_whole_bodies_under_max_bytes_that_join_to_the_whole() {
    let dir = mixed_folder("folders-bulk");
    std::fs::remove_file(dir.join("dc02/photo.png")).unwrap();
    let d = dir.to_str().unwrap();
    let whole = keytrail(&["export", d, "--bulk", "logs-windows"], None);
    assert_eq!(whole.status.code(), Some(0), "{}", text(&whole.stderr));
    let lines: Vec<&str> = std::str::from_utf8(&whole.stdout)
        .unwrap()
        .lines()
        .collect();
    assert_eq!(lines.len() % 2, 0);
    let mut ids = std::collections::HashSet::new();
    for pair in lines.chunks(2) {
        let action: serde_json::Value = serde_json::from_str(pair[0]).unwrap();
        assert_eq!(action["create"]["_index"], "logs-windows");
        let id = action["create"]["_id"].as_str().unwrap();
        assert_eq!(id.len(), 32);
        ids.insert(id.to_string());
        let doc: serde_json::Value = serde_json::from_str(pair[1]).unwrap();
        assert!(doc["event_id"].is_u64());
    }
    assert!(ids.len() > 1000);
    // The same again: the same ids (loading twice adds nothing).
    let again = keytrail(
        &["export", d, "--bulk", "logs-windows", "--jobs", "3"],
        None,
    );
    assert!(again.stdout == whole.stdout);

    let max = 300_000u64;
    let prefix = dir.join("out/bulk");
    std::fs::create_dir_all(dir.join("out")).unwrap();
    let max_arg = max.to_string();
    let split = keytrail(
        &[
            "export",
            d,
            "--bulk",
            "logs-windows",
            "-o",
            prefix.to_str().unwrap(),
            "--max-bytes",
            &max_arg,
        ],
        None,
    );
    assert_eq!(split.status.code(), Some(0), "{}", text(&split.stderr));
    let mut parts: Vec<PathBuf> = std::fs::read_dir(dir.join("out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    parts.sort();
    assert!(parts.len() > 3, "{parts:?}");
    let mut joined = Vec::new();
    for (n, part) in parts.iter().enumerate() {
        assert_eq!(
            part.file_name().unwrap().to_str().unwrap(),
            format!("bulk-{:04}.ndjson", n + 1)
        );
        let bytes = std::fs::read(part).unwrap();
        assert!(
            bytes.len() as u64 <= max,
            "{part:?} is {} bytes",
            bytes.len()
        );
        let body = std::str::from_utf8(&bytes).unwrap();
        assert!(body.ends_with('\n'));
        let lines: Vec<&str> = body.lines().collect();
        assert_eq!(
            lines.len() % 2,
            0,
            "{part:?} cuts a document from its action"
        );
        for pair in lines.chunks(2) {
            let action: serde_json::Value = serde_json::from_str(pair[0]).unwrap();
            assert!(action["create"].is_object(), "{part:?}");
            let doc: serde_json::Value = serde_json::from_str(pair[1]).unwrap();
            assert!(doc["event_id"].is_u64(), "{part:?}");
        }
        joined.extend_from_slice(&bytes);
    }
    assert!(joined == whole.stdout, "the parts joined are the whole");
    assert!(text(&split.stderr).contains("bulk-0001.ndjson"));

    // Too large for standard output: a usage error, and nothing written.
    let out = keytrail(&["export", d, "--bulk", "x", "--max-bytes", "100KB"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).contains("give -o PREFIX"),
        "{}",
        text(&out.stderr)
    );
    // Splitting is for NDJSON.
    let out = keytrail(&["export", d, "--format", "csv", "--bulk", "x"], None);
    assert_eq!(out.status.code(), Some(2));
}
