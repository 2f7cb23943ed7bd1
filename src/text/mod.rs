//! Every string the viewer shows: one catalogue per language ([`en`], [`ja`]), each the page's
//! fixed strings ([`Text`]) and a [`Catalogue`] that words typed values (problems, rule reasons,
//! the built-in rules, `%%NNNN` values) with exhaustive matches, so that a new problem kind,
//! criterion or preset does not compile until every language words it.
//!
//! Field explanations live in [`explain`]. The catalogue is pure (no browser type): the page
//! uses it, and so does the report, which the CLI writes too.

pub mod en;
pub mod explain;
pub mod ja;

pub use en::{En, EN, EN_RULES};
pub use ja::{Ja, JA, JA_RULES};

use crate::decoder::{table, InputKind, Position, ProblemKind};
use crate::ingest::file::DetailError;
use crate::model::query::Column;
use crate::model::rules::{Preset, Reason, Rule, RuleError, Why};
use crate::model::store::BatchError;

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Japanese.
    Ja,
}

impl Lang {
    /// The BCP 47 tag (`en`, `ja`).
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Ja => "ja",
        }
    }

    /// The language of a tag such as `navigator.language` (`ja-JP` → Japanese, else English).
    pub fn from_tag(tag: &str) -> Self {
        if tag.trim().to_ascii_lowercase().starts_with("ja") {
            Self::Ja
        } else {
            Self::En
        }
    }

    /// The strings of this language.
    pub fn text(self) -> &'static Text {
        self.catalogue().text()
    }

    /// The catalogue of this language.
    pub fn catalogue(self) -> &'static dyn Catalogue {
        match self {
            Self::En => &En,
            Self::Ja => &Ja,
        }
    }
}

/// The viewer's user-visible strings in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    /// The language.
    pub lang: Lang,
    /// The page heading.
    pub title: &'static str,
    /// The promise made to the user under the heading.
    pub privacy: &'static str,
    /// The label of the file picker.
    pub choose_files: &'static str,
    /// The hint beside the picker.
    pub drop_hint: &'static str,
    /// The hint while files are dragged over the page.
    pub drop_now: &'static str,
    /// Shown until the worker has started.
    pub starting: &'static str,
    /// After an event count: singular, plural (see [`Text::events`]).
    pub events_word: [&'static str; 2],
    /// Before the bytes read: "read 3 MiB of 10 MiB".
    pub read: &'static str,
    /// Between bytes read and total.
    pub of: &'static str,
    /// The heading of the problems list.
    pub problems: &'static str,
    /// Before the number of problems.
    pub problems_found: &'static str,
    /// Before the number of events lost.
    pub events_skipped: &'static str,
    /// When a file has no problems at all.
    pub no_problems: &'static str,
    /// When more problems were found than are listed.
    pub more_problems: &'static str,
    /// When the browser could not read a file.
    pub read_failed: &'static str,
    /// When the worker stopped answering.
    pub worker_stopped: &'static str,
    /// The heading of the file list.
    pub files: &'static str,
    /// A file still being decoded.
    pub decoding: &'static str,
    /// A file fully decoded.
    pub done: &'static str,
    /// A file whose reading was cancelled.
    pub cancelled: &'static str,
    /// Events decoded after repairing the input.
    pub repaired_note: &'static str,
    /// "Load sample data".
    pub load_sample: &'static str,
    /// What the sample is.
    pub sample_hint: &'static str,
    /// "Paste XML…".
    pub paste: &'static str,
    /// The paste box's placeholder.
    pub paste_placeholder: &'static str,
    /// The paste box's button.
    pub paste_decode: &'static str,
    /// The name given to pasted text.
    pub pasted_name: &'static str,
    /// "Cancel".
    pub cancel: &'static str,
    /// "Clear all".
    pub clear_all: &'static str,
    /// Export buttons.
    pub export_csv: &'static str,
    /// Export buttons.
    pub export_json: &'static str,
    /// The button that exports the shown rows as ECS documents (NDJSON).
    pub export_ecs: &'static str,
    /// What that export is for.
    pub export_ecs_hint: &'static str,
    /// Shown while the worker writes an export.
    pub exporting: &'static str,
    /// After the count of rows an export could not read again.
    pub export_lost: &'static str,
    /// The language selector's label.
    pub language: &'static str,
    /// The theme selector's label.
    pub theme: &'static str,
    /// Theme choices: system, light, dark.
    pub themes: [&'static str; 3],
    /// The empty state's heading.
    pub empty_title: &'static str,
    /// The empty state's text.
    pub empty_body: &'static str,
    /// The formats the decoder reads.
    pub formats: &'static str,
    /// Filter labels.
    pub search: &'static str,
    /// Search placeholder.
    pub search_placeholder: &'static str,
    /// "Event".
    pub filter_event: &'static str,
    /// "Account".
    pub filter_account: &'static str,
    /// "Operation".
    pub filter_operation: &'static str,
    /// "Outcome".
    pub filter_outcome: &'static str,
    /// "From".
    pub filter_from: &'static str,
    /// "To".
    pub filter_to: &'static str,
    /// "All" in a filter list.
    pub all: &'static str,
    /// "Reset filters".
    pub reset_filters: &'static str,
    /// Outcomes: none, success, failure.
    pub outcomes: [&'static str; 3],
    /// "N of M rows shown".
    pub rows_shown: &'static str,
    /// When the filter leaves no row.
    pub no_rows: &'static str,
    /// The table's caption.
    pub table_caption: &'static str,
    /// Column headings, in [`Column::ALL`] order.
    pub columns: [&'static str; 14],
    /// The detail pane's heading.
    pub detail: &'static str,
    /// Close the detail pane.
    pub close: &'static str,
    /// While the worker decodes the event again.
    pub loading: &'static str,
    /// Detail sections.
    pub system_fields: &'static str,
    /// Detail sections.
    pub event_fields: &'static str,
    /// Detail sections.
    pub rendering_info: &'static str,
    /// Detail sections.
    pub raw_xml: &'static str,
    /// Detail columns.
    pub field: &'static str,
    /// Detail columns.
    pub raw: &'static str,
    /// Detail columns.
    pub decoded: &'static str,
    /// Detail columns.
    pub meaning: &'static str,
    /// Copy button.
    pub copy: &'static str,
    /// After copying.
    pub copied: &'static str,
    /// Copy the raw XML.
    pub copy_xml: &'static str,
    /// Copy the fields as text.
    pub copy_fields: &'static str,
    /// How to act on this event.
    pub monitoring: &'static str,
    /// Select a row hint.
    pub select_hint: &'static str,
    /// Chart headings.
    pub chart_accounts: &'static str,
    /// Chart headings.
    pub chart_activity: &'static str,
    /// Chart axis: key events.
    pub axis_key_events: &'static str,
    /// Chart axis: events per bucket.
    pub axis_events: &'static str,
    /// Chart axis: time.
    pub axis_time: &'static str,
    /// Chart hint.
    pub chart_hint: &'static str,
    /// When no key event is loaded.
    pub chart_empty: &'static str,
    /// Legend heading: failure.
    pub failure_legend: &'static str,
    /// Bucket size word.
    pub per: &'static str,
    /// Units of a chart bucket: week, day, hour, minute.
    pub units: [&'static str; 4],
    /// "(no account)".
    pub no_account: &'static str,
    /// Line/column words in problems.
    pub line: &'static str,
    /// Line/column words in problems.
    pub column: &'static str,
    /// "event N".
    pub event_word: &'static str,
    /// "(event skipped)".
    pub skipped_word: &'static str,
    /// "repaired".
    pub repaired_word: &'static str,
    /// Sort hint on headers.
    pub sort_hint: &'static str,
    /// Keyboard hint under the table.
    pub keyboard_hint: &'static str,
    /// Findings, rules and logon sessions.
    pub rules: RuleText,
    /// The report (`crate::report`) and its button.
    pub report: ReportText,
}

/// The strings of the report an auditor signs (`crate::report`), and of the page's button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportText {
    /// The page's button.
    pub button: &'static str,
    /// The button's tooltip.
    pub button_hint: &'static str,
    /// The document's title.
    pub title: &'static str,
    /// Under the title.
    pub intro: &'static str,
    /// Before the time the report was written.
    pub written: &'static str,
    /// Section: the files.
    pub files: &'static str,
    /// File list columns: name, size, SHA-256, format, events, problems, events lost.
    pub file_columns: [&'static str; 7],
    /// Beside the page's button, while the files' SHA-256 are taken after a load.
    pub hashing: &'static str,
    /// A file whose SHA-256 could not be taken (not read to its end).
    pub no_hash: &'static str,
    /// The time covered: label.
    pub range: &'static str,
    /// Between the first and the last time.
    pub range_to: &'static str,
    /// No event has a time.
    pub no_range: &'static str,
    /// Section: events per ID.
    pub events_by_id: &'static str,
    /// Columns: event ID, name, count.
    pub id_columns: [&'static str; 3],
    /// The total line.
    pub total: &'static str,
    /// Section: problems.
    pub problems: &'static str,
    /// Problem columns: file, where, severity, problem.
    pub problem_columns: [&'static str; 4],
    /// Severities: skipped, repaired, other.
    pub severities: [&'static str; 3],
    /// No problem in any file.
    pub no_problems: &'static str,
    /// Problems counted but not listed (`{n}`).
    pub more_problems: &'static str,
    /// Section: findings.
    pub findings: &'static str,
    /// Under it.
    pub findings_intro: &'static str,
    /// Finding columns: time, account, key, operation, outcome, logon session, class, why.
    pub finding_columns: [&'static str; 8],
    /// The class of a finding: needs a look.
    pub needs_look: &'static str,
    /// The class of a finding: routine (the pattern follows).
    pub routine: &'static str,
    /// A rule that found nothing.
    pub no_findings: &'static str,
    /// Findings counted but not listed (`{n}`).
    pub more_findings: &'static str,
    /// A rule's counts: `{needs}` need a look, `{routine}` routine.
    pub rule_counts: &'static str,
    /// Section: the per-account chart.
    pub chart: &'static str,
    /// Under it.
    pub chart_intro: &'static str,
    /// Chart columns: account, key events, by operation and outcome.
    pub chart_columns: [&'static str; 3],
    /// No key event.
    pub no_chart: &'static str,
    /// Section: the rules in force.
    pub rules: &'static str,
    /// Under it.
    pub rules_intro: &'static str,
    /// Section: the reviewer's box.
    pub review: &'static str,
    /// The box's lines: reviewed by, date, signature, notes.
    pub review_lines: [&'static str; 4],
}

/// The strings of the findings panel, the rule editor and the logon-session views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleText {
    /// Panel heading.
    pub heading: &'static str,
    /// Under the heading.
    pub intro: &'static str,
    /// After a count of matching events.
    pub matches: &'static str,
    /// Tooltip of a rule button.
    pub show_only: &'static str,
    /// Shown while a rule filters the table.
    pub showing: &'static str,
    /// Before the accounts of a rule.
    pub by_account: &'static str,
    /// Opens the editor.
    pub edit: &'static str,
    /// Closes the editor.
    pub close_editor: &'static str,
    /// Sensitive key names field.
    pub sensitive_keys: &'static str,
    /// Business hours field.
    pub hours: &'static str,
    /// "from" hour.
    pub hours_from: &'static str,
    /// "to" hour.
    pub hours_to: &'static str,
    /// UTC offset field.
    pub utc_offset: &'static str,
    /// Time zone field.
    pub time_zone: &'static str,
    /// When the hours or the offset are not numbers in range.
    pub hours_error: &'static str,
    /// Working days field.
    pub days: &'static str,
    /// Day names, Monday first.
    pub day_names: [&'static str; 7],
    /// Applies the simple settings.
    pub apply_settings: &'static str,
    /// JSON editor label.
    pub json: &'static str,
    /// Applies the JSON.
    pub apply_json: &'static str,
    /// Restores the presets.
    pub reset: &'static str,
    /// Imports rules from a file.
    pub import: &'static str,
    /// Exports rules to a file.
    pub export: &'static str,
    /// The keep-in-browser checkbox.
    pub keep: &'static str,
    /// Before a rule error.
    pub error: &'static str,
    /// Tooltip of a row's flag.
    pub flagged: &'static str,
    /// Detail pane: heading of the rules the event matches.
    pub detail_findings: &'static str,
    /// After the count of a rule's matches that are not routine.
    pub needs_look: &'static str,
    /// After the count of a rule's routine matches.
    pub routine: &'static str,
    /// Tooltip of a routine line.
    pub routine_show: &'static str,
    /// Shown while the table holds one routine pattern of one rule.
    pub showing_routine: &'static str,
    /// Detail pane: before the routine pattern an event is.
    pub routine_is: &'static str,
    /// Detail pane: the probe of a probe-then-create pair links to its create.
    pub pair_create: &'static str,
    /// Detail pane: the create of a probe-then-create pair links to its probe.
    pub pair_probe: &'static str,
    /// Editor: heading of the routine patterns.
    pub routine_heading: &'static str,
    /// Editor: what routine patterns do.
    pub routine_intro: &'static str,
    /// Editor: the built-in routine patterns switch.
    pub routine_builtin: &'static str,
    /// Editor: account field of a new routine pattern.
    pub routine_account: &'static str,
    /// Editor: key name field.
    pub routine_key: &'static str,
    /// Editor: operation field.
    pub routine_operation: &'static str,
    /// Editor: the "export" operation.
    pub routine_export: &'static str,
    /// Editor: any operation.
    pub routine_any_operation: &'static str,
    /// Editor: why it is routine.
    pub routine_note: &'static str,
    /// Editor: adds the pattern.
    pub routine_add: &'static str,
    /// Editor: when neither an account nor a key is given.
    pub routine_need: &'static str,
    /// Editor: removes one of one's own patterns.
    pub remove: &'static str,
    /// Detail pane: the session heading.
    pub session: &'static str,
    /// Logon type.
    pub logon_type: &'static str,
    /// Workstation.
    pub workstation: &'static str,
    /// Source network address.
    pub ip: &'static str,
    /// Authentication package.
    pub auth: &'static str,
    /// Logon process.
    pub logon_process: &'static str,
    /// Logon time.
    pub logon_time: &'static str,
    /// Logoff time.
    pub logoff_time: &'static str,
    /// When the export has no logoff for the session.
    pub no_logoff: &'static str,
    /// Special privileges.
    pub privileges: &'static str,
    /// When the session had no 4672.
    pub no_privileges: &'static str,
    /// A well-known session.
    pub well_known: &'static str,
    /// No 4624 for the logon ID.
    pub not_in_export: &'static str,
    /// While files are still read.
    pub still_reading: &'static str,
    /// Timeline heading (followed by the account).
    pub timeline: &'static str,
    /// Before one account is chosen.
    pub timeline_hint: &'static str,
    /// When the account has no 4624.
    pub timeline_empty: &'static str,
    /// Timeline: before the sessions folded by logon type.
    pub timeline_folded: &'static str,
    /// Timeline: a fold's number of sessions, `{n}` the number (one, several).
    pub timeline_sessions: [&'static str; 2],
    /// Timeline: how many of a fold's sessions have no logoff, `{n}` the number.
    pub timeline_open: &'static str,
    /// Timeline: how many of a fold's sessions hold key events, `{n}` the number.
    pub timeline_key_sessions: &'static str,
    /// Timeline: a fold whose 4624s logged no logon type.
    pub timeline_unknown_type: &'static str,
    /// Timeline legend: a key event.
    pub key_event: &'static str,
}

impl Text {
    /// The word after an event count of `n`.
    pub fn events(&self, n: u64) -> &'static str {
        self.events_word[usize::from(n != 1)]
    }

    /// The heading of a table column.
    pub fn column(&self, column: Column) -> &'static str {
        let i = Column::ALL.iter().position(|&c| c == column).unwrap_or(0);
        self.columns[i]
    }

    /// The word for an outcome (none, success, failure).
    pub fn outcome(&self, outcome: Option<crate::decoder::view::Outcome>) -> &'static str {
        use crate::decoder::view::Outcome;
        match outcome {
            None => self.outcomes[0],
            Some(Outcome::Success) => self.outcomes[1],
            Some(Outcome::Failure) => self.outcomes[2],
        }
    }
}

/// One language's words for what the page shows as typed values. Every language implements
/// every method, each with an exhaustive `match` where there is an enum to match.
pub trait Catalogue {
    /// The page's fixed strings.
    fn text(&self) -> &'static Text;

    /// Why a problem happened (the text after its [`Catalogue::place`]).
    fn problem(&self, kind: &ProblemKind) -> String;

    /// What an input that holds no event looks like.
    fn input_kind(&self, kind: &InputKind) -> String;

    /// Where a problem is, as its text begins: the line and column (in an `.evtx` file the
    /// chunk and offset) and the event number.
    fn place(&self, at: Position, event: Option<u64>) -> String;

    /// A batch of rows the page refused (lost or repeated between the worker and the page).
    fn batch_refused(&self, error: &BatchError) -> String;

    /// The language's word for the `%%NNNN` insertion string `code`, when it has one of its own
    /// (`None`: Windows' text is shown as decoded).
    fn value(&self, code: u32) -> Option<&'static str>;

    /// The name of a Security event.
    fn event_name(&self, event_id: u32) -> Option<&'static str>;

    /// One criterion of a rule that held.
    fn why(&self, why: &Why) -> String;

    /// Why rules (a rule of them, or the file) cannot be used.
    fn rule_error(&self, error: &RuleError) -> String;

    /// Why the detail pane cannot show an event again.
    fn detail_error(&self, error: &DetailError) -> String;

    /// What a key algorithm is, by the name Windows logs (`ECDH_P521`), with its key length when
    /// the name fixes it: keytrail's own description, in the language.
    fn algorithm(&self, name: &str) -> Option<String>;

    /// Between the criteria of a reason.
    fn list_separator(&self) -> &'static str;

    /// A built-in rule's title.
    fn preset_title(&self, preset: Preset) -> &'static str;

    /// Why a built-in rule matters.
    fn preset_explanation(&self, preset: Preset) -> &'static str;

    /// Why a rule matched: `5059 DOMAIN\user: why, why`, Windows' own values (key names,
    /// accounts, codes) as logged.
    fn reason(&self, reason: &Reason) -> String {
        let mut out = format!("{} {}", reason.event_id, reason.account);
        for (i, why) in reason.why.iter().enumerate() {
            out.push_str(if i == 0 { ": " } else { self.list_separator() });
            out.push_str(&self.why(why));
        }
        out
    }
}

/// A value Windows logs as a `%%NNNN` code and the decoder gives in Windows' words
/// (`decoded`), in `lang`: keyed by its code (found once, in the decoder's table); a value with
/// no word of the language's own is shown as decoded. Exports keep Windows' words.
pub fn value_in(lang: Lang, decoded: &str) -> &str {
    table::code_of(decoded)
        .and_then(|code| lang.catalogue().value(code))
        .unwrap_or(decoded)
}

/// The word of `lang` for a value logged as the code `raw` (`%%2464`), when it has one.
pub fn code_in(lang: Lang, raw: &str) -> Option<&'static str> {
    let code = raw.trim().strip_prefix("%%")?.parse().ok()?;
    lang.catalogue().value(code)
}

/// The name of an event ID in `lang`, when keytrail knows it.
pub fn event_name(lang: Lang, event_id: u32) -> Option<&'static str> {
    lang.catalogue().event_name(event_id)
}

/// `5059 Key migration operation` in `lang`.
pub fn event_label(lang: Lang, event_id: u32) -> String {
    match event_name(lang, event_id) {
        Some(name) => format!("{event_id} {name}"),
        None => event_id.to_string(),
    }
}

/// Why a rule matched, in `lang` (see [`Catalogue::reason`]).
pub fn reason_in(lang: Lang, reason: &Reason) -> String {
    lang.catalogue().reason(reason)
}

/// A rule's title in `lang`: a built-in rule's from the catalogue, a user's own (its Japanese
/// one when there is one), else its ID.
pub fn rule_title(rule: &Rule, lang: Lang) -> &str {
    if let Some(preset) = Preset::of(rule) {
        if lang == Lang::En || rule.title_ja.is_empty() {
            return lang.catalogue().preset_title(preset);
        }
    }
    let own = match lang {
        Lang::Ja if !rule.title_ja.is_empty() => &rule.title_ja,
        _ => &rule.title,
    };
    if own.is_empty() {
        &rule.id
    } else {
        own
    }
}

/// Why a rule matters in `lang`: a user's own words (its Japanese ones when there are some),
/// else a built-in rule's from the catalogue.
pub fn rule_explanation(rule: &Rule, lang: Lang) -> &str {
    let own = match lang {
        Lang::Ja if !rule.explanation_ja.is_empty() => &rule.explanation_ja,
        _ => &rule.explanation,
    };
    match Preset::of(rule) {
        Some(preset) if own.is_empty() => lang.catalogue().preset_explanation(preset),
        _ => own,
    }
}

/// Shows Unicode bidirectional controls (U+202E RIGHT-TO-LEFT OVERRIDE and its kin) as visible
/// `⟨U+202E⟩` marks, so that a hostile value cannot reorder what the user reads
/// (`invoice-⟨U+202E⟩fdp.exe`, not `invoice-exe.pdf`). Exports and copies keep the raw value.
pub fn visible(value: &str) -> std::borrow::Cow<'_, str> {
    let control = |c: char| matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if !value.contains(control) {
        return value.into();
    }
    let mut out = String::with_capacity(value.len() + 16);
    for c in value.chars() {
        if control(c) {
            out.push_str(&format!("⟨U+{:04X}⟩", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// A byte count for people: `812 B`, `3.4 KiB`, `1.2 GiB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    #[allow(clippy::cast_precision_loss)] // one decimal is shown
    let mut value = n as f64 / 1024.0;
    let mut unit = UNITS[0];
    for next in &UNITS[1..] {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = next;
    }
    format!("{value:.1} {unit}")
}
