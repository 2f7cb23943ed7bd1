//! The report (`keytrail report`, `keytrail::report`): what it holds, in English and Japanese,
//! and that a hostile log makes an inert document.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::{fixture, keytrail};

use std::collections::BTreeMap;

/// `keytrail report ARGS -o FILE`: its status and the document.
fn report(args: &[&str]) -> (Option<i32>, String) {
    static RUN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let run = RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let out_path =
        std::env::temp_dir().join(format!("keytrail-report-{}-{run}.html", std::process::id()));
    let out_path = out_path.to_string_lossy().into_owned();
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", &out_path]);
    let out = keytrail(&all, None);
    let html = std::fs::read_to_string(&out_path)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let _ = std::fs::remove_file(&out_path);
    (out.status.code(), html)
}

/// The SHA-256 of a file as `sha256sum` prints it (or, without the tool, as keytrail takes it).
fn sha256sum(path: &str) -> String {
    if let Ok(out) = std::process::Command::new("sha256sum").arg(path).output() {
        if out.status.success() {
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            return text.split_whitespace().next().unwrap().to_string();
        }
    }
    let mut digest = keytrail::ingest::Digest::new();
    digest.update(&std::fs::read(path).unwrap());
    digest.finish()
}

/// Every text between `open` and the next `close`, in document order.
fn all_between<'a>(html: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    html.split(open)
        .skip(1)
        .filter_map(|rest| rest.split(close).next())
        .collect()
}

/// The finding rows per rule: (rule, class, time, account, key).
fn rows_per_rule(html: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for part in html.split("<h3 data-rule=\"").skip(1) {
        let rule = part.split('"').next().unwrap().to_string();
        let rows = out.entry(rule).or_default();
        for tr in all_between(part, "<tr data-finding", "</tr>") {
            rows.push(tr.to_string());
        }
    }
    out
}

#[test]
fn a_report_holds_each_files_sha256_counts_problems_and_findings() {
    let (viewer, broken) = (fixture("event-viewer.xml"), fixture("broken-middle.xml"));
    let (status, html) = report(&[&viewer, &broken]);
    assert_eq!(status, Some(3), "an event was lost");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(
        all_between(&html, "data-sha256>", "<"),
        [sha256sum(&viewer), sha256sum(&broken)]
    );
    assert_eq!(all_between(&html, "data-events>", "<"), ["16", "4"]);
    assert_eq!(all_between(&html, "data-problems>", "<"), ["0", "1"]);
    assert_eq!(all_between(&html, "data-skipped>", "<"), ["0", "1"]);
    assert!(html.contains("<td>32943</td>") || html.contains(">32943<"));
    // Events per ID, with names, and their total.
    assert!(
        html.contains("<tr data-event-id=\"5059\"><td>5059</td><td>Key migration operation</td>")
    );
    assert!(html.contains("<tr data-total><th colspan=\"2\">Total</th><th class=\"n\">20</th>"));
    assert!(html.contains("<span data-from>2026-03-02T08:00:00.8760010Z</span>"));
    // The problem, worded as the CLI words it.
    assert!(html.contains("<tr data-problem=\"mismatched_end_tag\">"));
    assert!(html.contains("end tag `&lt;/Dta&gt;` does not match `&lt;Data&gt;`"));
    // The findings: as many per rule, and of each class, as `keytrail findings` lists.
    let out = keytrail(&["findings", "--format", "json", &viewer, &broken], None);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut expected: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for f in v["findings"].as_array().unwrap() {
        let e = expected
            .entry(f["rule"].as_str().unwrap().to_string())
            .or_default();
        if f["routine"].as_bool().unwrap() {
            e.1 += 1;
        } else {
            e.0 += 1;
        }
    }
    let rows = rows_per_rule(&html);
    assert_eq!(rows.len(), 5, "every built-in rule has its heading");
    for (rule, list) in &rows {
        let (needs, routine) = expected.get(rule).copied().unwrap_or_default();
        let count = |class: &str| list.iter().filter(|r| r.contains(class)).count();
        assert_eq!(count("needs-a-look"), needs, "{rule}");
        assert_eq!(count("data-class=\"routine\""), routine, "{rule}");
        let heading =
            format!("data-rule=\"{rule}\" data-needs=\"{needs}\" data-routine=\"{routine}\"");
        assert!(html.contains(&heading), "{heading}");
    }
    assert!(expected.values().map(|c| c.0).sum::<usize>() > 5);
    // One finding row in full: the machine key the service account exported.
    assert!(html.contains(
        "<td class=\"mono\">2026-03-02 08:01:09.4329500</td><td>CONTOSO\\svc-backup</td><td>CONTOSO-CA01-CA</td><td>Export of persistent cryptographic key.</td><td>Success</td><td class=\"mono\">0x5a1f3c @ CA01.contoso.local</td>"
    ));
    // The chart, the rules as JSON (they read back), and the reviewer's box.
    assert!(html.contains("<tr data-account><td>CONTOSO\\svc-backup</td>"));
    let rules = all_between(&html, "<pre data-rules>", "</pre>")[0]
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    assert!(keytrail::model::rules::RuleFile::from_json(&rules).is_ok());
    assert!(html.contains("<div>Reviewed by:</div>\n<div>Date:</div>\n<div>Signature:</div>"));
}

#[test]
fn a_report_in_japanese() {
    let (status, html) = report(&["--lang", "ja", &fixture("rendered-xml-ja.xml")]);
    assert_eq!(status, Some(0));
    assert!(html.contains("<html lang=\"ja\">"));
    for heading in [
        "keytrail レビュー報告書",
        "<h2>レビューしたファイル</h2>",
        "イベント ID 別の件数",
        "<h2>入力の問題</h2>",
        "<h2>検出結果</h2>",
        "<h2>アカウント別のキー イベント</h2>",
        "<h2>適用したルール</h2>",
        "<div>レビュー担当者:</div>",
    ] {
        assert!(html.contains(heading), "{heading}");
    }
    let name = keytrail::decoder::table::event_name_ja(5059).unwrap();
    assert!(html.contains(&format!("<td>5059</td><td>{name}</td>")));
    assert!(html.contains("要確認"));
    assert_eq!(
        all_between(&html, "data-sha256>", "<"),
        [sha256sum(&fixture("rendered-xml-ja.xml"))]
    );
}

/// The elements the report writes itself.
const OWN_ELEMENTS: [&str; 25] = [
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p", "section",
    "table", "colgroup", "col", "thead", "tbody", "tr", "th", "td", "span", "strong", "pre", "div",
    "svg",
];

#[test]
fn hostile_logs_make_inert_reports() {
    let names: Vec<String> = std::fs::read_dir(fixture(""))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("hostile-") || n.starts_with("not-xml"))
        .collect();
    assert!(names.len() >= 10);
    let tag = regex_lite::Regex::new(r"<([A-Za-z][A-Za-z0-9-]*)").unwrap();
    for name in names {
        let (_, html) = report(&[&fixture(&name)]);
        for found in tag.captures_iter(&html) {
            let element = &found[1];
            assert!(
                OWN_ELEMENTS.contains(&element) || element == "rect",
                "{name}: <{element}> in the report"
            );
        }
        let body = html.split("</style>").nth(1).unwrap();
        for needle in [
            "onerror=",
            "javascript:",
            "<script",
            "<img",
            "<iframe",
            "\u{202E}",
        ] {
            let outside_text = body
                .split('>')
                .filter_map(|s| s.split('<').nth(1))
                .any(|inside_tag| inside_tag.contains(needle));
            assert!(!outside_text, "{name}: {needle} inside a tag");
        }
        assert!(!html.contains('\u{202E}') && !html.contains('\u{0}'));
        if name == "hostile-markup.xml" {
            assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
            assert!(html.contains("invoice-⟨U+202E⟩fdp.exe"));
        }
    }
}

#[test]
fn the_report_allows_no_script_and_the_page_allows_its_stylesheet() {
    let (_, html) = report(&[&fixture("wevtutil.xml")]);
    let csp = keytrail::report::csp();
    assert!(html.contains(&format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">",
        csp.replace('\'', "&#39;")
    )));
    assert!(!csp.contains("script-src") && csp.starts_with("default-src 'none';"));
    // The page opens the report from a blob: URL, which keeps the page's own policy: that
    // policy must allow the report's stylesheet, by its hash (and nothing else inline).
    let index =
        std::fs::read_to_string(format!("{}/index.html", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let style_src = format!("style-src 'self' {};", keytrail::report::STYLE_HASH);
    assert!(index.contains(&style_src), "index.html: {style_src}");
}

#[test]
fn a_folder_read_on_several_threads_makes_the_same_report() {
    let dir = std::env::temp_dir().join(format!("keytrail-report-dir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for name in [
        "event-viewer.xml",
        "broken-middle.xml",
        "wevtutil-utf16be.xml",
    ] {
        std::fs::copy(fixture(name), dir.join(name)).unwrap();
    }
    let dir_name = dir.to_string_lossy().into_owned();
    let without_time = |html: String| {
        html.lines()
            .filter(|l| !l.contains("data-written"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (_, one) = report(&["--jobs", "1", &dir_name]);
    let (_, three) = report(&["--jobs", "3", &dir_name]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(all_between(&one, "data-events>", "<"), ["4", "16", "12"]);
    assert_eq!(all_between(&one, "data-sha256>", "<").len(), 3);
    assert_eq!(without_time(one), without_time(three));
}
