//! English: the page's strings ([`EN`]) and its [`Catalogue`] ([`En`]).
//!
//! Problems and rule reasons are worded as the CLI words them; Windows' `%%NNNN` texts are shown
//! as Windows words them.

use super::{Catalogue, Lang, ReportText, RuleText, Text};
use crate::decoder::{InputKind, Position, ProblemKind};
use crate::ingest::file::DetailError;
use crate::model::rules::{Preset, RuleError, Why, WEEKDAYS};
use crate::model::store::BatchError;

/// English rule strings.
pub const EN_RULES: RuleText = RuleText {
    heading: "Findings",
    intro: "Monitoring rules drawn from the advice on event 5059: watch exports, machine keys, failures, unusual hours and the keys you name. Click a rule to show only its matches.",
    matches: "matching events",
    show_only: "Show only the events this rule matches that need a look (click again to show all)",
    showing: "The table shows only this rule's matches that need a look.",
    by_account: "By account",
    edit: "Edit rules",
    close_editor: "Close editor",
    sensitive_keys: "Sensitive key names, one per line (* and ? match any text / one character)",
    hours: "Business hours (key use outside them is a finding)",
    hours_from: "from",
    hours_to: "to",
    utc_offset: "or a fixed offset from UTC, minutes",
    time_zone: "Time zone (IANA name; daylight saving time included)",
    hours_error: "Business hours are whole hours from 0 to 24, the first before the last; the time zone is an IANA name the browser knows (such as Europe/Berlin); the offset is minutes from -840 to 840.",
    days: "Working days",
    day_names: WEEKDAYS,
    apply_settings: "Apply",
    json: "All rules as JSON (criteria: event_ids, key_names, operations, failure, key_type, providers, algorithms, accounts_allow, accounts_deny, exclude_system_accounts, outside_hours)",
    apply_json: "Apply JSON",
    reset: "Restore built-in rules",
    import: "Import JSON…",
    export: "Export JSON",
    keep: "Keep these rules in this browser (only the rules are stored, never event data)",
    error: "These rules cannot be used:",
    flagged: "Matches:",
    detail_findings: "Findings",
    needs_look: "need a look",
    routine: "routine",
    routine_show: "Show only these routine events (click again to show all)",
    showing_routine: "The table shows only the routine events of one kind that match a rule.",
    routine_is: "Routine:",
    pair_create: "Probe, then create: the create of this key",
    pair_probe: "Probe, then create: the failed probe before this create",
    routine_heading: "Routine activity",
    routine_intro: "Events of a routine pattern still count as findings; they are listed apart, after what needs a look. Add what is routine on your site, for example a backup service that exports one key.",
    routine_builtin: "Use the built-in patterns of Windows' own key activity (computer account keys, Connected Devices Platform, Remote Desktop, probe then create)",
    routine_account: "Account",
    routine_key: "Key name (* and ? allowed)",
    routine_operation: "Operation",
    routine_export: "Export",
    routine_any_operation: "Any",
    routine_note: "Why it is routine",
    routine_add: "Add routine pattern",
    routine_need: "Give an account, a key name or both.",
    remove: "Remove",
    session: "Logon session",
    logon_type: "Logon type",
    workstation: "Workstation",
    ip: "Source address",
    auth: "Authentication package",
    logon_process: "Logon process",
    logon_time: "Logged on",
    logoff_time: "Logged off",
    no_logoff: "no logoff in this export",
    privileges: "Special privileges (4672)",
    no_privileges: "none logged",
    well_known: "Well-known session, not a logon by a person:",
    not_in_export: "Session not in this export: no 4624 for this logon ID on this computer before the event.",
    still_reading: "Some files are still being read; the session may appear when they are done.",
    timeline: "Logon sessions of",
    timeline_hint: "Filter the table to one account (click its bar or pick it above) to see its logon sessions on a timeline.",
    timeline_empty: "No logon (4624) of this account in the loaded files.",
    timeline_folded: "Other sessions, by logon type (open a line to see them):",
    timeline_sessions: ["{n} session", "{n} sessions"],
    timeline_open: "{n} with no logoff in this export",
    timeline_key_sessions: "{n} holding key events",
    timeline_unknown_type: "Logon type not logged",
    key_event: "key event",
};

/// English.
pub const EN: Text = Text {
    lang: Lang::En,
    title: "keytrail",
    privacy: "Windows Security event logs (.evtx, XML, SIEM JSON and PowerShell exports), decoded in this tab. Nothing is uploaded or stored.",
    choose_files: "Open files…",
    drop_hint: "or drop .evtx, XML, JSON, CSV or CliXml files anywhere on this page.",
    drop_now: "Drop to decode",
    starting: "Starting the decoder…",
    events_word: ["event", "events"],
    read: "read",
    of: "of",
    problems: "Problems",
    problems_found: "Problems found",
    events_skipped: "events skipped",
    no_problems: "No problems found.",
    more_problems: "more not listed",
    read_failed: "could not be read",
    worker_stopped: "The decoder stopped unexpectedly. Reload the page to try again.",
    files: "Files",
    decoding: "decoding",
    done: "done",
    cancelled: "cancelled",
    repaired_note: "decoded from repaired input (see Problems)",
    load_sample: "Load sample data",
    sample_hint: "A generated demo export: several accounts, key exports and imports, failures and the logons around them.",
    paste: "Paste XML",
    paste_placeholder: "Paste exported event XML (or text copied from Event Viewer or a documentation page) here, or press Ctrl+V anywhere on the page.",
    paste_decode: "Decode pasted text",
    pasted_name: "pasted text",
    cancel: "Cancel",
    clear_all: "Clear all",
    export_csv: "Export CSV",
    export_json: "Export JSON",
    export_ecs: "Export ECS",
    export_ecs_hint: "One ECS document per line (NDJSON), shaped as Elastic's Windows security integration writes them, for Elasticsearch or OpenSearch; keytrail's sessions and rules under keytrail.*",
    exporting: "Writing the export…",
    export_lost: "rows could not be read again from their file and are not in the export",
    language: "Language",
    theme: "Theme",
    themes: ["System", "Light", "Dark"],
    empty_title: "No events yet",
    empty_body: "Open or drop Security logs (.evtx files, XML exports, or what a SIEM or PowerShell exported), paste XML, or load the sample data. Decoding happens in this tab only.",
    formats: "Reads .evtx files (dirty or damaged ones too), wevtutil (XML and RenderedXml), Event Viewer \"Save as XML\" and \"Copy details\", PowerShell ToXml() in UTF-16, evtx_dump (XML, JSON and JSON Lines), python-evtx, EvtxECmd, evtxexport, text copied from documentation pages, NXLog im_msvistalog JSON, Elastic Agent / winlogbeat documents (NDJSON, _bulk, _search hits), Splunk XmlWinEventLog results (JSON or CSV), Get-WinEvent | Export-Clixml, and Get-WinEvent | ConvertTo-Json (with -Depth 4; at the default depth the field values are lost).",
    search: "Search",
    search_placeholder: "account, key name, computer…",
    filter_event: "Event",
    filter_account: "Account",
    filter_operation: "Operation",
    filter_outcome: "Outcome",
    filter_from: "From (UTC)",
    filter_to: "To (UTC)",
    all: "All",
    reset_filters: "Reset filters",
    outcomes: ["—", "Success", "Failure"],
    rows_shown: "rows shown of",
    no_rows: "No event matches these filters.",
    table_caption: "Decoded events",
    columns: [
        "Time (UTC)",
        "Event",
        "Outcome",
        "Account",
        "Logon ID",
        "Provider",
        "Algorithm",
        "Key name",
        "Key type",
        "Operation",
        "Return code",
        "Computer",
        "Record ID",
        "File",
    ],
    detail: "Event detail",
    close: "Close",
    loading: "Decoding the event again…",
    system_fields: "System",
    event_fields: "Event data",
    rendering_info: "Rendered by Windows",
    raw_xml: "Raw XML",
    field: "Field",
    raw: "As logged",
    decoded: "Decoded",
    meaning: "What it means · what to look for",
    copy: "Copy",
    copied: "Copied",
    copy_xml: "Copy XML",
    copy_fields: "Copy fields",
    monitoring: "Monitoring advice",
    select_hint: "Select a row (click, or arrow keys and Enter) to see every field, decoded and explained.",
    chart_accounts: "Key operations per account",
    chart_activity: "Activity over time",
    axis_key_events: "key events (5058, 5059, 5061)",
    axis_events: "events",
    axis_time: "time (UTC)",
    chart_hint: "Click an account or a bar to filter the table; click again to remove it.",
    chart_empty: "No key events (5058, 5059, 5061) loaded.",
    failure_legend: "failure (hatched)",
    per: "per",
    units: ["w", "d", "h", "min"],
    no_account: "(no account)",
    line: "line",
    column: "column",
    event_word: "event",
    skipped_word: "event skipped",
    repaired_word: "repaired",
    sort_hint: "Click to sort",
    keyboard_hint: "↑ ↓ PgUp PgDn Home End move · Enter opens · Esc closes",
    rules: EN_RULES,
    report: ReportText {
        button: "Report",
        button_hint: "A print-ready report of this review, in a new tab: the files with their SHA-256, the counts, the problems, the rules and their findings, and a box to sign. The logs themselves are not in it.",
        title: "keytrail review report",
        intro: "What was reviewed, what keytrail found in it and the rules it used. The logs themselves are not part of this report; the SHA-256 of each file says which logs were reviewed.",
        written: "Written",
        files: "Files reviewed",
        file_columns: ["File", "Size (bytes)", "SHA-256", "Format", "Events", "Problems", "Events lost"],
        hashing: "Taking the files' SHA-256 for the report…",
        no_hash: "not taken (the file was not read to its end)",
        range: "Time covered (UTC)",
        range_to: "to",
        no_range: "no event carries a time",
        events_by_id: "Events per ID",
        id_columns: ["Event ID", "Name", "Events"],
        total: "Total",
        problems: "Problems in the input",
        problem_columns: ["File", "Where", "Effect", "Problem"],
        severities: ["event lost", "repaired", "noted"],
        no_problems: "No problems: every event was decoded.",
        more_problems: "{n} more problems are counted above but not listed.",
        findings: "Findings",
        findings_intro: "Each rule in force, with the events it matched: those that need a look first, then those of a routine Windows pattern. The logon session is the logon ID the event ran under.",
        finding_columns: ["Time (UTC)", "Account", "Key", "Operation", "Outcome", "Logon session", "Class", "Why"],
        needs_look: "needs a look",
        routine: "routine",
        no_findings: "No findings.",
        more_findings: "{n} more findings of this rule are counted but not listed.",
        rule_counts: "{needs} need a look, {routine} routine",
        chart: "Key events per account",
        chart_intro: "The key events (5058, 5059, 5061) of each account, by operation and outcome, as the page's chart shows them.",
        chart_columns: ["Account", "Key events", "By operation and outcome"],
        no_chart: "No key events.",
        rules: "Rules in force",
        rules_intro: "The rules and routine patterns used, as JSON: give them to `keytrail report --rules` or paste them into the page's rule editor to repeat this review.",
        review: "Review",
        review_lines: ["Reviewed by", "Date", "Signature", "Notes"],
    },
};

/// The English catalogue.
#[derive(Debug, Clone, Copy)]
pub struct En;

impl Catalogue for En {
    fn text(&self) -> &'static Text {
        &EN
    }

    /// The decoder's own words, which the CLI prints (its `Display` matches every kind).
    fn problem(&self, kind: &ProblemKind) -> String {
        kind.to_string()
    }

    fn input_kind(&self, kind: &InputKind) -> String {
        kind.to_string()
    }

    fn place(&self, at: Position, event: Option<u64>) -> String {
        crate::decoder::place(at, event)
    }

    fn batch_refused(&self, error: &BatchError) -> String {
        error.to_string()
    }

    fn value(&self, _code: u32) -> Option<&'static str> {
        None
    }

    fn event_name(&self, event_id: u32) -> Option<&'static str> {
        crate::decoder::view::event_name(event_id)
    }

    /// As the decoder words it (the CLI's and the exports' text).
    fn algorithm(&self, name: &str) -> Option<String> {
        crate::decoder::table::decode("AlgorithmName", name)
    }

    fn detail_error(&self, error: &DetailError) -> String {
        match error {
            DetailError::FileGone => "the file is no longer open".into(),
            DetailError::NotDecoded => "the event could not be decoded again".into(),
            DetailError::Browser(reason) => {
                format!("the browser could not read it again: {reason}")
            }
            DetailError::Closed => "the decoding worker closed".into(),
        }
    }

    /// As the CLI words it ([`RuleError`]'s `Display`).
    fn rule_error(&self, error: &RuleError) -> String {
        error.to_string()
    }

    /// As the CLI words it ([`Why`]'s `Display`, weekdays from [`WEEKDAYS`]).
    fn why(&self, why: &Why) -> String {
        why.to_string()
    }

    fn list_separator(&self) -> &'static str {
        ", "
    }

    /// The model's English title ([`Preset::title`]), which the CLI prints too.
    fn preset_title(&self, preset: Preset) -> &'static str {
        preset.title()
    }

    fn preset_explanation(&self, preset: Preset) -> &'static str {
        match preset {
            Preset::ExportAny => {
                "A stored private key left its key storage provider. Windows also logs this when a program merely reads a key, so check which program and account did it before worrying."
            },
            Preset::MachineKeyExportNotSystem => {
                "Machine keys (for example a certification authority's signing key) are normally used only by SYSTEM or the computer's own account. An export by anyone else, such as a backup of a CA key, deserves a reason."
            },
            Preset::FailedKeyOperations => {
                "A key operation returned an error (ReturnCode is not 0x0) or was audited as a failure. Repeated failures can mean someone is probing keys they may not use."
            },
            Preset::KeyOperationsOffHours => {
                "A person or service account used a key at night or on a weekend (08:00–18:00, Monday to Friday, UTC unless you set your offset). Compare with planned maintenance."
            },
            Preset::SensitiveKeyExport => {
                "Any export of the key names you list here. Find a certificate's key name with `certutil -store -user my` (Key Container) or `certutil -store my` for machine certificates."
            },
        }
    }
}
