//! The report an auditor signs: one self-contained HTML document, laid out for print (A4 and
//! Letter), written from a review's data by the page's "Report" button and by `keytrail report`
//! alike.
//!
//! It holds the files reviewed (size, SHA-256, format), the time covered, the events per ID, the
//! problems, each rule's findings, the per-account chart, the rules in force as JSON, and an
//! empty box for the reviewer. It holds no script: an inline stylesheet (allowed by its hash in
//! the document's own Content-Security-Policy, [`csp`]), tables, and the chart as inline SVG.
//! Every value from a log is escaped, and bidi controls are shown as marks ([`visible`]), so a
//! hostile log makes an inert report.
//!
//! ```
//! use keytrail::model::rules::{presets, RuleSet};
//! use keytrail::model::store::Store;
//! use keytrail::report::{html, Review};
//! use keytrail::text::Lang;
//!
//! let rules = RuleSet::compile(presets()).unwrap();
//! let store = Store::new();
//! let doc = html(&Review { lang: Lang::En, written: None, files: &[], problems: &[], store: &store, rules: &rules });
//! assert!(doc.starts_with("<!DOCTYPE html>") && !doc.contains("<script"));
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::decoder::view::Outcome;
use crate::decoder::{Severity, Timestamp};
use crate::ingest::file::ProblemLine;
use crate::ingest::Format;
use crate::model::chart::BarCounts;
use crate::model::query::{cell, Column};
use crate::model::rules::{Reason, RowSubject, RuleSet};
use crate::model::store::Store;
use crate::text::{event_name, reason_in, rule_title, value_in, visible, Lang, Text};

/// One file of the review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// Its name (as the browser gave it, or as given on the command line).
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256, taken while it was decoded; `None` if it was not read to its end.
    pub sha256: Option<String>,
    /// Its format, once known.
    pub format: Option<Format>,
    /// Events decoded.
    pub events: u64,
    /// Problems found (all of them, listed or not).
    pub problems: u64,
    /// Events lost.
    pub skipped: u64,
}

/// One problem of a file (see [`Review::problems`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemEntry {
    /// Which file (its place in [`Review::files`]).
    pub file: usize,
    /// The problem.
    pub line: ProblemLine,
}

/// What a report is written from.
pub struct Review<'a> {
    /// The language of its words.
    pub lang: Lang,
    /// When it was written (ns since the Unix epoch).
    pub written: Option<i64>,
    /// The files reviewed, in the order they were opened; a row's `file` is its place here.
    pub files: &'a [FileEntry],
    /// The problems listed (the counts of [`FileEntry`] may hold more).
    pub problems: &'a [ProblemEntry],
    /// Every event decoded, as rows; findings marked with `rules` ([`crate::model::rules::mark`]).
    pub store: &'a Store,
    /// The rules in force.
    pub rules: &'a RuleSet,
}

/// The most findings listed per rule (the count says how many more there are).
pub const MAX_FINDINGS_PER_RULE: usize = 1000;

/// The most problems listed (the files' counts hold all of them).
pub const MAX_PROBLEMS: usize = 500;

/// The most accounts in the chart.
pub const MAX_ACCOUNTS: usize = 40;

/// One rule that matched one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule's place in the set.
    pub rule: usize,
    /// The event's row in the store.
    pub row: usize,
    /// Its routine pattern's class (0: it needs a look).
    pub routine: u8,
    /// Why the rule matched.
    pub reason: Reason,
}

/// Every finding in `store`, rule by rule (in the set's order), those that need a look first,
/// then the routine ones, each in the store's order.
pub fn findings(store: &Store, rules: &RuleSet) -> Vec<Finding> {
    let mut all: Vec<Finding> = Vec::new();
    for (i, row) in store.rows.iter().enumerate() {
        if store.findings_of(i) == 0 {
            continue;
        }
        let subject = RowSubject { row, store };
        for m in rules.matches(&subject) {
            all.push(Finding {
                rule: m.index,
                row: i,
                routine: store.routine_of(i),
                reason: m.reason,
            });
        }
    }
    all.sort_by_key(|f| (f.rule, f.routine != 0, f.row));
    all
}

/// The events per ID, in ID order.
pub fn events_by_id(store: &Store) -> Vec<(u32, u64)> {
    let mut counts: BTreeMap<u32, u64> = BTreeMap::new();
    for row in &store.rows {
        *counts.entry(row.event_id).or_default() += 1;
    }
    counts.into_iter().collect()
}

/// The first and the last time of the events that carry one.
pub fn time_range(store: &Store) -> Option<(i64, i64)> {
    let mut times = store.rows.iter().filter_map(|r| r.time());
    let first = times.next()?;
    Some(times.fold((first, first), |(lo, hi), t| (lo.min(t), hi.max(t))))
}

/// The report's stylesheet: light whatever the theme, for A4 and Letter, page numbers in the
/// margin. The page's Content-Security-Policy allows it by its hash ([`style_hash`]), as does
/// the report's own.
pub const STYLE: &str = r#"
:root { color-scheme: light; }
html { background: #fff; color: #111; }
body { font: 10pt/1.4 "Noto Sans", "Noto Sans CJK JP", "Yu Gothic", "Hiragino Sans", "Segoe UI", Arial, sans-serif; margin: 0 auto; max-width: 180mm; padding: 0 4mm; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
@page { size: auto; margin: 15mm 14mm 17mm 14mm; @bottom-right { content: counter(page) " / " counter(pages); font: 8pt sans-serif; color: #444; } @bottom-left { content: "keytrail"; font: 8pt sans-serif; color: #444; } }
@media print { body { max-width: none; padding: 0; } }
h1 { font-size: 16pt; margin: 0 0 2mm; }
h2 { font-size: 13pt; margin: 0 0 2mm; border-bottom: 0.4mm solid #333; padding-bottom: 1mm; }
h3 { font-size: 11pt; margin: 5mm 0 1mm; }
p { margin: 1mm 0 2mm; }
section { margin: 0 0 8mm; }
section.break { break-before: page; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; margin: 1mm 0 3mm; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th, td { border: 0.2mm solid #999; padding: 0.6mm 1.2mm; text-align: left; vertical-align: top; overflow-wrap: anywhere; word-break: break-word; }
th { background: #eee; font-weight: 600; font-size: 8.5pt; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.mono, code, pre { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 8pt; }
table.findings { font-size: 8.5pt; }
table.findings td.mono { font-size: 7pt; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; border: 0.2mm solid #999; padding: 2mm; margin: 1mm 0; background: #fafafa; }
.meta { color: #333; }
.note { color: #444; font-style: italic; }
.routine { color: #555; }
.needs { font-weight: 600; }
svg.bar { display: block; width: 100%; height: 3.2mm; }
.legend span { display: inline-block; margin-right: 4mm; }
.swatch { display: inline-block; width: 3mm; height: 3mm; margin-right: 1mm; vertical-align: -0.4mm; }
col.w7 { width: 7%; } col.w8 { width: 8%; } col.w9 { width: 9%; } col.w10 { width: 10%; } col.w11 { width: 11%; } col.w12 { width: 12%; } col.w13 { width: 13%; } col.w14 { width: 14%; } col.w15 { width: 15%; } col.w16 { width: 16%; } col.w17 { width: 17%; } col.w20 { width: 20%; } col.w22 { width: 22%; } col.w25 { width: 25%; } col.w30 { width: 30%; } col.w43 { width: 43%; } col.w63 { width: 63%; } col.w70 { width: 70%; }
.sign { border: 0.4mm solid #333; padding: 2mm 4mm; break-inside: avoid; }
.sign div { border-bottom: 0.2mm solid #999; height: 12mm; display: flex; align-items: flex-end; padding-bottom: 1mm; }
.sign div.notes { height: 40mm; align-items: flex-start; border-bottom: none; }
"#;

/// The hash source of [`STYLE`] for a Content-Security-Policy: `'sha256-…'`, the base64 of its
/// SHA-256. Written down rather than computed, so that the page carries no code for it; a test
/// checks it (and `index.html` lists the same).
pub const STYLE_HASH: &str = "'sha256-JMA4oSkmty8yWsw2q1LKgwV3PdDU0YW2OE2jC7cuIEU='";

/// The report's Content-Security-Policy: nothing may load or run; only its own stylesheet
/// applies, and images only from `data:` (none are used).
pub fn csp() -> String {
    format!(
        "default-src 'none'; style-src {STYLE_HASH}; img-src data:; base-uri 'none'; form-action 'none'"
    )
}

/// Text made safe for HTML: bidi controls as visible marks, markup characters as references,
/// other control characters (but tab and line breaks) as U+FFFD.
pub fn escape(value: &str) -> String {
    let value = visible(value);
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Column widths in percent, as `<col>` classes of the stylesheet (`w5` … `w40`): the policy
/// allows no style attribute.
fn colgroup(widths: &[u8]) -> String {
    let cols: String = widths
        .iter()
        .map(|w| format!("<col class=\"w{w}\">"))
        .collect();
    format!("<colgroup>{cols}</colgroup>\n")
}

/// The colour of a chart segment by outcome.
fn outcome_colour(outcome: Option<Outcome>) -> &'static str {
    match outcome {
        Some(Outcome::Success) => "#3f7fbf",
        Some(Outcome::Failure) => "#c0392b",
        None => "#999999",
    }
}

/// Writes the report of `review`: one HTML document, no script.
pub fn html(review: &Review) -> String {
    let text = review.lang.text();
    let r = &text.report;
    let mut out = String::with_capacity(64 * 1024);
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"color-scheme\" content=\"light\">\n\
         <title>{}</title>\n<style>{}</style>\n</head>\n<body>",
        review.lang.tag(),
        escape(&csp()),
        escape(r.title),
        STYLE,
    );
    header(&mut out, review, text);
    files(&mut out, review, text);
    events(&mut out, review, text);
    problems(&mut out, review, text);
    findings_section(&mut out, review, text);
    chart(&mut out, review, text);
    rules_section(&mut out, review, text);
    sign(&mut out, text);
    out.push_str("</body>\n</html>\n");
    out
}

fn header(out: &mut String, review: &Review, text: &Text) {
    let r = &text.report;
    let _ = writeln!(out, "<header>\n<h1>{}</h1>", escape(r.title));
    if let Some(t) = review.written {
        let _ = writeln!(
            out,
            "<p class=\"meta\" data-written>{}: {}</p>",
            escape(r.written),
            Timestamp(t)
        );
    }
    let _ = writeln!(out, "<p class=\"note\">{}</p>\n</header>", escape(r.intro));
}

fn files(out: &mut String, review: &Review, text: &Text) {
    let r = &text.report;
    let c = &r.file_columns;
    let _ = write!(
        out,
        "<section id=\"files\">\n<h2>{}</h2>\n<table class=\"files\">\n{}",
        escape(r.files),
        colgroup(&[22, 10, 30, 8, 9, 11, 10]),
    );
    let _ = writeln!(
        out,
        "<thead><tr><th>{}</th><th class=\"n\">{}</th><th>{}</th><th>{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th></tr></thead>\n<tbody>",
        escape(c[0]), escape(c[1]), escape(c[2]), escape(c[3]), escape(c[4]), escape(c[5]), escape(c[6]),
    );
    for f in review.files {
        let hash = match &f.sha256 {
            Some(h) => format!("<span class=\"mono\" data-sha256>{}</span>", escape(h)),
            None => format!("<span class=\"note\">{}</span>", escape(r.no_hash)),
        };
        let _ = writeln!(
            out,
            "<tr data-file><td>{}</td><td class=\"n\">{}</td><td>{hash}</td><td>{}</td><td class=\"n\" data-events>{}</td><td class=\"n\" data-problems>{}</td><td class=\"n\" data-skipped>{}</td></tr>",
            escape(&f.name),
            f.size,
            f.format.map_or("", Format::name),
            f.events,
            f.problems,
            f.skipped,
        );
    }
    out.push_str("</tbody>\n</table>\n");
    let range = match time_range(review.store) {
        Some((first, last)) => format!(
            "<span data-from>{}</span> {} <span data-to>{}</span>",
            Timestamp(first),
            escape(r.range_to),
            Timestamp(last)
        ),
        None => escape(r.no_range),
    };
    let _ = writeln!(
        out,
        "<p id=\"range\"><strong>{}:</strong> {range}</p>",
        escape(r.range)
    );
}

fn events(out: &mut String, review: &Review, text: &Text) {
    let r = &text.report;
    let c = &r.id_columns;
    let _ = writeln!(
        out,
        "<h3 id=\"events\">{}</h3>\n<table>\n{}<thead><tr><th>{}</th><th>{}</th><th class=\"n\">{}</th></tr></thead>\n<tbody>",
        escape(r.events_by_id), colgroup(&[15, 70, 15]), escape(c[0]), escape(c[1]), escape(c[2]),
    );
    let counts = events_by_id(review.store);
    for &(id, n) in &counts {
        let name = event_name(review.lang, id).unwrap_or("");
        let _ = writeln!(
            out,
            "<tr data-event-id=\"{id}\"><td>{id}</td><td>{}</td><td class=\"n\">{n}</td></tr>",
            escape(name)
        );
    }
    let total: u64 = counts.iter().map(|&(_, n)| n).sum();
    let _ = writeln!(
        out,
        "<tr data-total><th colspan=\"2\">{}</th><th class=\"n\">{total}</th></tr>\n</tbody>\n</table>\n</section>",
        escape(r.total)
    );
}

fn problems(out: &mut String, review: &Review, text: &Text) {
    let r = &text.report;
    let catalogue = review.lang.catalogue();
    let _ = writeln!(
        out,
        "<section id=\"problems\" class=\"break\">\n<h2>{}</h2>",
        escape(r.problems)
    );
    let total: u64 = review.files.iter().map(|f| f.problems).sum();
    if total == 0 && review.problems.is_empty() {
        let _ = writeln!(out, "<p>{}</p>\n</section>", escape(r.no_problems));
        return;
    }
    let c = &r.problem_columns;
    let _ = writeln!(
        out,
        "<table>\n{}<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>",
        colgroup(&[20, 25, 12, 43]),
        escape(c[0]),
        escape(c[1]),
        escape(c[2]),
        escape(c[3]),
    );
    let shown = &review.problems[..review.problems.len().min(MAX_PROBLEMS)];
    for p in shown {
        let file = review.files.get(p.file).map_or("", |f| f.name.as_str());
        let severity = match p.line.severity {
            Severity::Skipped | Severity::Rejected => r.severities[0],
            Severity::Repaired => r.severities[1],
            Severity::Notice => r.severities[2],
        };
        let _ = writeln!(
            out,
            "<tr data-problem=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            p.line.kind.code(),
            escape(file),
            escape(
                catalogue
                    .place(p.line.position(), p.line.event)
                    .trim_end_matches([':', ' '])
            ),
            escape(severity),
            escape(&catalogue.problem(&p.line.kind)),
        );
    }
    out.push_str("</tbody>\n</table>\n");
    let more = total.saturating_sub(shown.len() as u64);
    if more > 0 {
        let _ = writeln!(
            out,
            "<p class=\"note\">{}</p>",
            escape(&r.more_problems.replace("{n}", &more.to_string()))
        );
    }
    out.push_str("</section>\n");
}

fn findings_section(out: &mut String, review: &Review, text: &Text) {
    let r = &text.report;
    let (store, rules) = (review.store, review.rules);
    let _ = writeln!(
        out,
        "<section id=\"findings\" class=\"break\">\n<h2>{}</h2>\n<p class=\"note\">{}</p>",
        escape(r.findings),
        escape(r.findings_intro)
    );
    let all = findings(store, rules);
    let c = &r.finding_columns;
    for (i, rule) in rules.rules().iter().enumerate() {
        let of_rule: Vec<&Finding> = all.iter().filter(|f| f.rule == i).collect();
        let needs = of_rule.iter().filter(|f| f.routine == 0).count();
        let routine = of_rule.len() - needs;
        let counts = r
            .rule_counts
            .replace("{needs}", &needs.to_string())
            .replace("{routine}", &routine.to_string());
        let _ = writeln!(
            out,
            "<h3 data-rule=\"{}\" data-needs=\"{needs}\" data-routine=\"{routine}\">{} <span class=\"meta\">({})</span></h3>",
            escape(&rule.id),
            escape(rule_title(rule, review.lang)),
            escape(&counts),
        );
        if of_rule.is_empty() {
            let _ = writeln!(out, "<p>{}</p>", escape(r.no_findings));
            continue;
        }
        let _ = writeln!(
            out,
            "<table class=\"findings\">\n{}<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>",
            colgroup(&[15, 13, 15, 12, 9, 12, 9, 15]),
            escape(c[0]), escape(c[1]), escape(c[2]), escape(c[3]), escape(c[4]), escape(c[5]), escape(c[6]), escape(c[7]),
        );
        for f in of_rule.iter().take(MAX_FINDINGS_PER_RULE) {
            let Some(row) = store.rows.get(f.row) else {
                continue;
            };
            let at = |column| cell(store, row, column);
            let class = match rules.routine().pattern(f.routine) {
                None => format!("<span class=\"needs\">{}</span>", escape(r.needs_look)),
                Some(p) => format!(
                    "<span class=\"routine\">{}: {}</span>",
                    escape(r.routine),
                    escape(p.title_in(review.lang == Lang::Ja))
                ),
            };
            let computer = at(Column::Computer);
            let session = if computer.is_empty() {
                escape(&at(Column::LogonId))
            } else {
                format!("{} @ {}", escape(&at(Column::LogonId)), escape(&computer))
            };
            let _ = writeln!(
                out,
                "<tr data-finding data-event=\"{}\" data-class=\"{}\"><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"mono\">{session}</td><td>{class}</td><td>{}</td></tr>",
                row.number,
                if f.routine == 0 { "needs-a-look" } else { "routine" },
                escape(at(Column::Time).replacen('T', " ", 1).trim_end_matches('Z')),
                escape(&at(Column::Account)),
                escape(&at(Column::KeyName)),
                escape(value_in(review.lang, &at(Column::Operation))),
                escape(text.outcome(row.outcome.get())),
                escape(&reason_in(review.lang, &f.reason)),
            );
        }
        out.push_str("</tbody>\n</table>\n");
        let more = of_rule.len().saturating_sub(MAX_FINDINGS_PER_RULE);
        if more > 0 {
            let _ = writeln!(
                out,
                "<p class=\"note\">{}</p>",
                escape(&r.more_findings.replace("{n}", &more.to_string()))
            );
        }
    }
    out.push_str("</section>\n");
}

fn chart(out: &mut String, review: &Review, text: &Text) {
    let r = &text.report;
    let store = review.store;
    let _ = writeln!(
        out,
        "<section id=\"chart\" class=\"break\">\n<h2>{}</h2>\n<p class=\"note\">{}</p>",
        escape(r.chart),
        escape(r.chart_intro)
    );
    // Only key events count (`BarCounts` skips the others).
    let mut counts = BarCounts::default();
    counts.add(&store.rows);
    let bars = counts.bars(store, MAX_ACCOUNTS);
    if bars.is_empty() {
        let _ = writeln!(out, "<p>{}</p>\n</section>", escape(r.no_chart));
        return;
    }
    out.push_str("<p class=\"legend\">");
    for outcome in [Some(Outcome::Success), Some(Outcome::Failure), None] {
        let _ = write!(
            out,
            "<span><svg class=\"swatch\" viewBox=\"0 0 1 1\"><rect width=\"1\" height=\"1\" fill=\"{}\"/></svg>{}</span>",
            outcome_colour(outcome),
            escape(text.outcome(outcome))
        );
    }
    out.push_str("</p>\n");
    let c = &r.chart_columns;
    let _ = writeln!(
        out,
        "<table class=\"chart\">\n{}<thead><tr><th>{}</th><th class=\"n\">{}</th><th>{}</th></tr></thead>\n<tbody>",
        colgroup(&[25, 12, 63]),
        escape(c[0]),
        escape(c[1]),
        escape(c[2]),
    );
    let most = bars.iter().map(|b| b.total).max().unwrap_or(1).max(1);
    for bar in &bars {
        let mut svg = String::from(
            "<svg class=\"bar\" viewBox=\"0 0 1000 10\" preserveAspectRatio=\"none\" role=\"img\">",
        );
        let mut x = 0u64;
        let mut parts = Vec::new();
        for seg in &bar.segments {
            let w = seg.count * 1000 / most;
            let _ = write!(
                svg,
                "<rect x=\"{x}\" y=\"0\" width=\"{}\" height=\"10\" fill=\"{}\"/>",
                w.max(1),
                outcome_colour(seg.outcome)
            );
            x += w;
            let op = store.str(seg.operation);
            let op = if op.is_empty() {
                String::from("—")
            } else {
                value_in(review.lang, op).to_string()
            };
            parts.push(format!(
                "{} · {} {}",
                escape(&op),
                escape(text.outcome(seg.outcome)),
                seg.count
            ));
        }
        svg.push_str("</svg>");
        let _ = writeln!(
            out,
            "<tr data-account><td>{}</td><td class=\"n\">{}</td><td>{svg}<span class=\"meta\">{}</span></td></tr>",
            escape(store.str(bar.account)),
            bar.total,
            parts.join("; "),
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn rules_section(out: &mut String, review: &Review, text: &Text) {
    let r = &text.report;
    let _ = writeln!(
        out,
        "<section id=\"rules\" class=\"break\">\n<h2>{}</h2>\n<p class=\"note\">{}</p>\n<pre data-rules>{}</pre>\n</section>",
        escape(r.rules),
        escape(r.rules_intro),
        escape(&review.rules.file().to_json()),
    );
}

fn sign(out: &mut String, text: &Text) {
    let r = &text.report;
    let l = &r.review_lines;
    let _ = writeln!(
        out,
        "<section id=\"review\">\n<h2>{}</h2>\n<div class=\"sign\">\n<div>{}:</div>\n<div>{}:</div>\n<div>{}:</div>\n<div class=\"notes\">{}:</div>\n</div>\n</section>",
        escape(r.review),
        escape(l[0]),
        escape(l[1]),
        escape(l[2]),
        escape(l[3]),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_and_bidi_controls_shown() {
        assert_eq!(
            escape("<img src=x onerror=alert(1)>&\"'"),
            "&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;"
        );
        assert_eq!(escape("a\u{202E}b\u{0}c"), "a⟨U+202E⟩b\u{FFFD}c");
    }

    #[test]
    fn the_policy_allows_the_stylesheet_by_its_hash_and_nothing_else() {
        let csp = csp();
        assert!(csp.starts_with("default-src 'none'; style-src 'sha256-"));
        assert!(!csp.contains("script") && !csp.contains("unsafe"));
    }

    #[test]
    fn the_style_hash_is_the_stylesheets() {
        use base64::Engine as _;
        use sha2::{Digest as _, Sha256};
        let digest = Sha256::digest(STYLE.as_bytes());
        let hash = base64::engine::general_purpose::STANDARD.encode(digest);
        assert_eq!(
            STYLE_HASH,
            format!("'sha256-{hash}'"),
            "STYLE changed: update STYLE_HASH and index.html"
        );
    }
}
