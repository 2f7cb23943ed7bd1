//! Large files cut into parts between `--jobs` (issue 14): an XML file cut where an `<Event`
//! starts, an `.evtx` file at a chunk, each part decoded by a reader of its own and joined back in
//! file order, give the same bytes as one reader per file (`--jobs 1`), for every output. The
//! size of a part is lowered for the test (`KEYTRAIL_PART_BYTES`), and the parts are named on
//! standard error (`KEYTRAIL_TRACE_PARTS`), so the test cannot pass without cutting.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::keytrail;

use std::path::PathBuf;
use std::process::{Command, Output};

/// A part's size in the test: 256 KiB (4 .evtx chunks).
const PART: &str = "262144";

/// Runs `keytrail ARGS` with parts of [`PART`] bytes, named on standard error.
fn cut(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keytrail"))
        .args(args)
        .env("KEYTRAIL_PART_BYTES", PART)
        .env("KEYTRAIL_TRACE_PARTS", "1")
        .output()
        .expect("run keytrail")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A folder with a large generated XML file (a broken event in its second half), a large
/// generated `.evtx` file, a UTF-16 Event Viewer export, a real `.evtx` log with a bad chunk and
/// a small JSON file (never cut).
fn folder(name: &str) -> PathBuf {
    let dir: PathBuf = [env!("CARGO_TARGET_TMPDIR"), name].iter().collect();
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("dc01")).unwrap();
    std::fs::create_dir_all(dir.join("dc02")).unwrap();
    let generate = |args: &[&str], to: &str| {
        let to = dir.join(to);
        let mut all = vec!["generate"];
        all.extend_from_slice(args);
        all.extend(["-o", to.to_str().unwrap()]);
        let out = keytrail(&all, None);
        assert!(out.status.success(), "{}", text(&out.stderr));
    };
    generate(&["--size", "3MB", "--seed", "21"], "dc01/a-wevtutil.xml");
    generate(
        &["--size", "3MB", "--seed", "22", "--format", "evtx"],
        "dc01/b.evtx",
    );
    generate(
        &[
            "--size",
            "2MB",
            "--seed",
            "23",
            "--format",
            "event-viewer",
            "--encoding",
            "utf16le",
        ],
        "dc02/c-event-viewer.xml",
    );
    generate(
        &["--events", "200", "--seed", "24", "--format", "nxlog"],
        "dc02/e.jsonl",
    );
    let fixture: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests",
        "fixtures",
        "evtx",
        "sample_with_a_bad_chunk_magic.evtx",
    ]
    .iter()
    .collect();
    std::fs::copy(fixture, dir.join("dc02/d-bad-chunk.evtx")).unwrap();
    // A broken event in the second half of the XML file: a problem placed in the whole file.
    let xml = dir.join("dc01/a-wevtutil.xml");
    let mut bytes = std::fs::read(&xml).unwrap();
    let at = bytes.len() * 3 / 4;
    let at = at + text(&bytes[at..]).find("<Event ").unwrap();
    bytes.splice(at..at, b"<Event><System></Sys></Event>".iter().copied());
    std::fs::write(&xml, bytes).unwrap();
    dir
}

/// Standard error without the lines that name the parts.
fn problems(err: &[u8]) -> String {
    text(err)
        .lines()
        .filter(|l| {
            !l.starts_with("keytrail: part ")
                && !l.contains("finished after their part")
                && !l.contains("waited in a temporary file")
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn large_files_cut_into_parts_give_the_same_bytes_as_one_reader_per_file() {
    let dir = folder("cli-parts");
    let d = dir.to_str().unwrap();
    let commands: [&[&str]; 7] = [
        &["export", "--format", "json"],
        &["export", "--format", "ecs"],
        &["export", "--format", "csv"],
        &["export", "--format", "ecs", "--bulk", "logs"],
        &["findings"],
        &["findings", "--format", "json"],
        &["summary", "--format", "json"],
    ];
    for command in commands {
        let mut args = command.to_vec();
        args.extend([d, "--jobs", "1"]);
        let one = cut(&args);
        assert!(
            !text(&one.stderr).contains("keytrail: part "),
            "--jobs 1 reads each file with one reader"
        );
        assert!(!one.stdout.is_empty(), "{command:?}");
        assert!(
            problems(&one.stderr).contains("a-wevtutil.xml:"),
            "the broken event is reported: {}",
            text(&one.stderr)
        );
        for jobs in ["2", "3"] {
            let mut args = command.to_vec();
            args.extend([d, "--jobs", jobs]);
            let many = cut(&args);
            let err = text(&many.stderr);
            // The files were cut: several parts each, the small ones whole.
            for (file, at_least) in [
                ("a-wevtutil.xml", 8),
                ("b.evtx", 8),
                ("c-event-viewer.xml", 4),
                ("d-bad-chunk.evtx", 2),
            ] {
                let parts = err
                    .lines()
                    .filter(|l| l.starts_with("keytrail: part ") && l.contains(file))
                    .count();
                assert!(parts >= at_least, "{file}: {parts} parts\n{err}");
            }
            assert!(!err.contains("e.jsonl 0.."), "JSON is read whole");
            assert_eq!(many.status.code(), one.status.code(), "{command:?}");
            assert!(
                many.stdout == one.stdout,
                "{command:?} --jobs {jobs} differs from --jobs 1"
            );
            assert_eq!(
                problems(&many.stderr),
                problems(&one.stderr),
                "{command:?} --jobs {jobs}: the problems, in place"
            );
            if command.starts_with(&["export", "--format", "ecs"]) {
                // Some documents ran in sessions opened in an earlier part.
                let holes: u64 = err
                    .lines()
                    .find(|l| l.ends_with("ECS documents finished after their part"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
                    .unwrap_or(0);
                assert!(holes > 0, "{err}");
            }
        }
    }
}

/// Parts whose output waits in a temporary file (a channel of one message, so every piece ahead
/// of the one being written spills) give the same bytes, ECS documents finished after their part
/// included.
#[test]
fn parts_that_wait_in_temporary_files_give_the_same_bytes() {
    let dir = folder("cli-parts-spill");
    let d = dir.to_str().unwrap();
    for format in ["ecs", "json"] {
        let one = cut(&["export", "--format", format, d, "--jobs", "1"]);
        let spilled = Command::new(env!("CARGO_BIN_EXE_keytrail"))
            .args(["export", "--format", format, d, "--jobs", "3"])
            .env("KEYTRAIL_PART_BYTES", PART)
            .env("KEYTRAIL_TRACE_PARTS", "1")
            .env("KEYTRAIL_CHANNEL_BOUND", "1")
            .output()
            .expect("run keytrail");
        let err = text(&spilled.stderr);
        let waited: u64 = err
            .lines()
            .find(|l| l.ends_with("pieces waited in a temporary file"))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0);
        assert!(waited > 0, "{err}");
        assert!(
            spilled.stdout == one.stdout,
            "{format}: spilled parts differ"
        );
        assert_eq!(problems(&spilled.stderr), problems(&one.stderr));
    }
}

/// `report` takes each file's SHA-256 from one reader: its files are never cut.
#[test]
fn a_report_reads_each_file_whole() {
    let dir = folder("cli-parts-report");
    let d = dir.to_str().unwrap();
    let out: PathBuf = [env!("CARGO_TARGET_TMPDIR"), "cli-parts-report.html"]
        .iter()
        .collect();
    let r = cut(&["report", d, "--jobs", "3", "-o", out.to_str().unwrap()]);
    assert!(
        !text(&r.stderr).contains("keytrail: part "),
        "the report takes each file's SHA-256 from one reader"
    );
}
