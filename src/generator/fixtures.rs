//! The generated files under `tests/fixtures/`: checks that they are current, and rewrites
//! them when `KEYTRAIL_REGEN_FIXTURES=1` is set:
//!
//! ```text
//! KEYTRAIL_REGEN_FIXTURES=1 cargo test --lib generator::fixtures
//! ```

use std::path::PathBuf;

use super::*;

/// Seed and event count of the generated format fixtures.
const SEED: u64 = 5059;

/// (file, format, encoding, events)
const GENERATED: [(&str, Format, Encoding, usize); 23] = [
    ("generated-nxlog.jsonl", Format::NxLog, Encoding::Utf8, 12),
    ("generated-ecs-bulk.ndjson", Format::Ecs, Encoding::Utf8, 12),
    (
        "generated-evtx-dump.jsonl",
        Format::EvtxDumpJsonl,
        Encoding::Utf8,
        12,
    ),
    (
        "generated-splunk.json",
        Format::SplunkJson,
        Encoding::Utf8,
        12,
    ),
    (
        "generated-splunk.csv",
        Format::SplunkCsv,
        Encoding::Utf8,
        12,
    ),
    (
        "generated-get-winevent.clixml",
        Format::Clixml,
        Encoding::Utf16Le,
        6,
    ),
    (
        "generated-get-winevent-depth4.json",
        Format::GetWinEventJson,
        Encoding::Utf8,
        6,
    ),
    (
        "generated-get-winevent-depth2.json",
        Format::GetWinEventJsonDepth2,
        Encoding::Utf16Le,
        6,
    ),
    ("wevtutil.xml", Format::Wevtutil, Encoding::Utf8, 16),
    (
        "wevtutil-utf16be.xml",
        Format::Wevtutil,
        Encoding::Utf16Be,
        12,
    ),
    ("rendered-xml.xml", Format::RenderedXml, Encoding::Utf8, 16),
    (
        "rendered-xml-ja.xml",
        Format::RenderedXmlJa,
        Encoding::Utf8,
        16,
    ),
    ("event-viewer.xml", Format::EventViewer, Encoding::Utf8, 16),
    (
        "event-viewer-utf16le-bom.xml",
        Format::EventViewer,
        Encoding::Utf16Le,
        8,
    ),
    (
        "powershell-utf16le.xml",
        Format::PowerShell,
        Encoding::Utf16Le,
        12,
    ),
    ("docs-paste.txt", Format::DocsPaste, Encoding::Utf8, 16),
    ("evtx-dump.xml", Format::EvtxDump, Encoding::Utf8, 16),
    ("python-evtx.xml", Format::PythonEvtx, Encoding::Utf8, 16),
    ("evtxecmd.xml", Format::EvtxECmd, Encoding::Utf8Bom, 16),
    ("evtxexport.txt", Format::EvtxExport, Encoding::Utf8, 16),
    (
        "copy-details-text.txt",
        Format::CopyDetailsText,
        Encoding::Utf8,
        12,
    ),
    ("xml-view-copy.xml", Format::XmlViewCopy, Encoding::Utf8, 16),
    (
        "wevtutil-utf8-bom.xml",
        Format::Wevtutil,
        Encoding::Utf8Bom,
        16,
    ),
];

fn dir() -> PathBuf {
    match std::env::var_os("KEYTRAIL_FIXTURES_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
    }
}

fn expected() -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for (name, format, encoding, n) in GENERATED {
        let mut out = Vec::new();
        let spec = Spec {
            seed: SEED,
            events: n,
        };
        write(events(&spec), format, encoding, &mut out).unwrap();
        files.push((name.to_string(), out));
    }
    // Also what the workers decode to warm up (`ingest::chain::warm_up`).
    let mut log = std::io::Cursor::new(Vec::new());
    let spec = Spec {
        seed: SEED,
        events: 80,
    };
    evtx::write(events(&spec), u64::MAX, &mut log).unwrap();
    files.push(("generated.evtx".to_string(), log.into_inner()));
    files.push((
        "hostile-deep-nesting.xml".to_string(),
        hostile::deep_nesting(2000).into_bytes(),
    ));
    files.push((
        "hostile-many-attributes.xml".to_string(),
        hostile::many_attributes(10_000).into_bytes(),
    ));
    files
}

#[test]
fn generated_fixtures_are_current() {
    let regen = std::env::var_os("KEYTRAIL_REGEN_FIXTURES").is_some();
    let dir = dir();
    for (name, bytes) in expected() {
        let path = dir.join(&name);
        assert!(bytes.len() < 200_000, "{name} is {} bytes", bytes.len());
        if regen {
            std::fs::write(&path, &bytes).unwrap();
        } else {
            let on_disk = std::fs::read(&path).unwrap_or_else(|e| {
                panic!(
                    "{}: {e}; run with KEYTRAIL_REGEN_FIXTURES=1",
                    path.display()
                )
            });
            assert!(
                on_disk == bytes,
                "{name} is stale (the generator changed); regenerate with KEYTRAIL_REGEN_FIXTURES=1"
            );
        }
    }
}

/// Every file in the directory has a line in README.md, and every file named there exists.
#[test]
fn readme_lists_every_fixture() {
    let dir = dir();
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    let mut names = Vec::new();
    // The files of the directory, and of its subdirectories as `sub/name`.
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().unwrap().is_dir() {
            for inner in std::fs::read_dir(entry.path()).unwrap() {
                let inner = inner.unwrap().file_name().to_string_lossy().into_owned();
                files.push(format!("{name}/{inner}"));
            }
        } else {
            files.push(name);
        }
    }
    for name in files {
        if name != "README.md" {
            assert!(
                readme.contains(&format!("| `{name}` |")),
                "{name} is not in README.md"
            );
            names.push(name);
        }
    }
    for line in readme.lines().filter(|l| l.starts_with("| `")) {
        let name = &line[3..line[3..].find('`').unwrap() + 3];
        assert!(
            names.iter().any(|n| n == name),
            "{name} is listed but missing"
        );
    }
    for (name, bytes) in expected() {
        assert!(names.contains(&name), "{name}");
        // A .evtx chunk is 64 KiB whatever it holds.
        if name != "hostile-many-attributes.xml" && !name.ends_with(".evtx") {
            assert!(bytes.len() < 50_000, "{name} is {} bytes", bytes.len());
        }
    }
}

/// The viewer's bundled sample is what the README's `generate` command makes (700 events,
/// RenderedXml, seed 5059); `KEYTRAIL_REGEN_FIXTURES=1` rewrites it too.
#[test]
fn bundled_sample_is_current() {
    let mut bytes = Vec::new();
    let spec = Spec {
        seed: SEED,
        events: 700,
    };
    write(
        events(&spec),
        Format::RenderedXml,
        Encoding::Utf8,
        &mut bytes,
    )
    .unwrap();
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("www/sample/keytrail-sample.xml");
    if std::env::var_os("KEYTRAIL_REGEN_FIXTURES").is_some() {
        std::fs::write(&path, &bytes).unwrap();
    }
    let on_disk = std::fs::read(&path).unwrap();
    assert!(
        on_disk == bytes,
        "www/sample/keytrail-sample.xml is stale; regenerate with KEYTRAIL_REGEN_FIXTURES=1"
    );
}
