//! Every string the viewer shows, in English ([`EN`]) and Japanese ([`JA`]).
//!
//! Field explanations live in [`super::explain`]; problem messages are translated by
//! [`problem_message`] from the problem's code and values.

use crate::model::query::Column;

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
        match self {
            Self::En => &EN,
            Self::Ja => &JA,
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
    day_names: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
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

/// Japanese rule strings.
pub const JA_RULES: RuleText = RuleText {
    heading: "検出結果",
    intro: "イベント 5059 の監視の勧めに基づくルールです。エクスポート、マシン キー、失敗、業務時間外、指定した鍵を見張ります。ルールをクリックすると該当するイベントだけを表示します。",
    matches: "件のイベント",
    show_only: "このルールに該当する要確認のイベントだけを表示（もう一度クリックですべて表示）",
    showing: "表には、このルールの該当イベントのうち要確認のものだけを表示しています。",
    by_account: "アカウント別",
    edit: "ルールを編集",
    close_editor: "エディターを閉じる",
    sensitive_keys: "重要な鍵の名前（1 行に 1 つ。* は任意の文字列、? は任意の 1 文字）",
    hours: "業務時間（この時間外の鍵の使用を検出します）",
    hours_from: "開始",
    hours_to: "終了",
    utc_offset: "または UTC との固定の時差（分）",
    time_zone: "タイム ゾーン（IANA 名。夏時間も考慮）",
    hours_error: "業務時間は 0〜24 の整数で、開始を終了より前にしてください。タイム ゾーンはブラウザーが知っている IANA 名（例: Asia/Tokyo）、時差は -840〜840 の分で入力してください。",
    days: "勤務日",
    day_names: ["月", "火", "水", "木", "金", "土", "日"],
    apply_settings: "適用",
    json: "全ルールの JSON（条件: event_ids, key_names, operations, failure, key_type, providers, algorithms, accounts_allow, accounts_deny, exclude_system_accounts, outside_hours）",
    apply_json: "JSON を適用",
    reset: "組み込みルールに戻す",
    import: "JSON を読み込む…",
    export: "JSON を書き出す",
    keep: "このブラウザーにルールを保存する（保存するのはルールだけで、イベントのデータは保存しません）",
    error: "このルールは使えません:",
    flagged: "該当ルール:",
    detail_findings: "検出結果",
    needs_look: "件 要確認",
    routine: "件 定常",
    routine_show: "この定常のイベントだけを表示（もう一度クリックですべて表示）",
    showing_routine: "表には、ルールに該当する定常の操作のうち 1 種類だけを表示しています。",
    routine_is: "定常の操作:",
    pair_create: "存在確認のあとに作成: この鍵の作成イベント",
    pair_probe: "存在確認のあとに作成: この作成の前の失敗した確認",
    routine_heading: "定常の操作",
    routine_intro: "定常のパターンに当たるイベントも検出結果として数えられ、要確認のものの後にまとめて表示されます。鍵を 1 つエクスポートするバックアップ サービスなど、自分の環境で定常のものを追加できます。",
    routine_builtin: "Windows 自身の鍵操作の組み込みパターン（コンピューター アカウントの鍵、Connected Devices Platform、リモート デスクトップ、存在確認のあとの作成）を使う",
    routine_account: "アカウント",
    routine_key: "鍵名（* と ? を使用可）",
    routine_operation: "操作",
    routine_export: "エクスポート",
    routine_any_operation: "すべて",
    routine_note: "定常である理由",
    routine_add: "定常パターンを追加",
    routine_need: "アカウントか鍵名、またはその両方を入力してください。",
    remove: "削除",
    session: "ログオン セッション",
    logon_type: "ログオンの種類",
    workstation: "ワークステーション",
    ip: "接続元アドレス",
    auth: "認証パッケージ",
    logon_process: "ログオン プロセス",
    logon_time: "ログオン",
    logoff_time: "ログオフ",
    no_logoff: "このエクスポートにログオフの記録なし",
    privileges: "特権の割り当て (4672)",
    no_privileges: "記録なし",
    well_known: "既知のセッション（人によるログオンではありません）:",
    not_in_export: "セッションはこのエクスポートにありません。このコンピューターでこのログオン ID の 4624 がイベントより前に見つかりません。",
    still_reading: "まだ読み込み中のファイルがあります。読み込みが終わるとセッションが見つかるかもしれません。",
    timeline: "ログオン セッション:",
    timeline_hint: "表を 1 つのアカウントに絞り込む（棒グラフをクリックするか上で選ぶ）と、そのログオン セッションを時系列で表示します。",
    timeline_empty: "読み込んだファイルにこのアカウントのログオン (4624) はありません。",
    timeline_folded: "その他のセッション（ログオンの種類ごと。行を開くと一覧を表示）:",
    timeline_sessions: ["{n} 件のセッション", "{n} 件のセッション"],
    timeline_open: "うち {n} 件はこのエクスポートにログオフの記録なし",
    timeline_key_sessions: "うち {n} 件でキー イベントあり",
    timeline_unknown_type: "ログオンの種類の記録なし",
    key_event: "キー イベント",
};

/// English.
pub const EN: Text = Text {
    lang: Lang::En,
    title: "keytrail",
    privacy: "Windows Security event logs (.evtx and XML), decoded in this tab. Nothing is uploaded or stored.",
    choose_files: "Open files…",
    drop_hint: "or drop .evtx or exported XML files anywhere on this page.",
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
    language: "Language",
    theme: "Theme",
    themes: ["System", "Light", "Dark"],
    empty_title: "No events yet",
    empty_body: "Open or drop Security logs (.evtx files or XML exports), paste XML, or load the sample data. Decoding happens in this tab only.",
    formats: "Reads .evtx files (dirty or damaged ones too), wevtutil (XML and RenderedXml), Event Viewer \"Save as XML\" and \"Copy details\", PowerShell ToXml() in UTF-16, evtx_dump, python-evtx, EvtxECmd, evtxexport and text copied from documentation pages.",
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
};

/// Japanese.
pub const JA: Text = Text {
    lang: Lang::Ja,
    title: "keytrail",
    privacy: "Windows セキュリティ イベント ログ (.evtx と XML) をこのタブの中だけで解析します。アップロードも保存もしません。",
    choose_files: "ファイルを開く…",
    drop_hint: "または .evtx か XML ファイルをページにドロップ",
    drop_now: "ドロップして解析",
    starting: "デコーダーを起動しています…",
    events_word: ["件", "件"],
    read: "読み込み済み",
    of: "/",
    problems: "問題",
    problems_found: "検出された問題",
    events_skipped: "スキップしたイベント",
    no_problems: "問題はありません。",
    more_problems: "件は一覧に表示していません",
    read_failed: "読み込めませんでした",
    worker_stopped: "デコーダーが予期せず停止しました。ページを再読み込みしてください。",
    files: "ファイル",
    decoding: "解析中",
    done: "完了",
    cancelled: "中止",
    repaired_note: "は入力を修復してから解析しました (「問題」を参照)",
    load_sample: "サンプル データを読み込む",
    sample_hint: "生成したデモ用エクスポート: 複数のアカウント、キーのエクスポートとインポート、失敗、その前後のログオン。",
    paste: "XML を貼り付け",
    paste_placeholder: "エクスポートしたイベント XML (イベント ビューアーやドキュメント ページからコピーしたテキストも可) をここに貼り付けるか、ページ上で Ctrl+V を押してください。",
    paste_decode: "貼り付けたテキストを解析",
    pasted_name: "貼り付けたテキスト",
    cancel: "中止",
    clear_all: "すべて消去",
    export_csv: "CSV に書き出す",
    export_json: "JSON に書き出す",
    language: "言語",
    theme: "テーマ",
    themes: ["システム", "ライト", "ダーク"],
    empty_title: "イベントはまだありません",
    empty_body: "セキュリティ ログ (.evtx ファイルか XML エクスポート) を開くかドロップする、XML を貼り付ける、またはサンプル データを読み込んでください。解析はこのタブの中だけで行います。",
    formats: ".evtx ファイル (ダーティーなものや壊れたものも)、wevtutil (XML と RenderedXml)、イベント ビューアーの「XML として保存」と「詳細のコピー」、UTF-16 の PowerShell ToXml()、evtx_dump、python-evtx、EvtxECmd、evtxexport、ドキュメント ページからコピーしたテキストを読み込めます。",
    search: "検索",
    search_placeholder: "アカウント、キー名、コンピューター…",
    filter_event: "イベント",
    filter_account: "アカウント",
    filter_operation: "操作",
    filter_outcome: "結果",
    filter_from: "開始 (UTC)",
    filter_to: "終了 (UTC)",
    all: "すべて",
    reset_filters: "フィルターを解除",
    outcomes: ["—", "成功", "失敗"],
    rows_shown: "行を表示 / 全",
    no_rows: "条件に一致するイベントはありません。",
    table_caption: "解析したイベント",
    columns: [
        "日時 (UTC)",
        "イベント",
        "結果",
        "アカウント",
        "ログオン ID",
        "プロバイダー",
        "アルゴリズム",
        "キー名",
        "キーの種類",
        "操作",
        "リターン コード",
        "コンピューター",
        "レコード ID",
        "ファイル",
    ],
    detail: "イベントの詳細",
    close: "閉じる",
    loading: "イベントを再解析しています…",
    system_fields: "System",
    event_fields: "イベント データ",
    rendering_info: "Windows による表示",
    raw_xml: "元の XML",
    field: "フィールド",
    raw: "記録値",
    decoded: "解読値",
    meaning: "意味・確認すべき点",
    copy: "コピー",
    copied: "コピーしました",
    copy_xml: "XML をコピー",
    copy_fields: "フィールドをコピー",
    monitoring: "監視のポイント",
    select_hint: "行を選択すると (クリック、または矢印キーと Enter)、すべてのフィールドを解読・説明付きで表示します。",
    chart_accounts: "アカウント別のキー操作",
    chart_activity: "時間ごとの活動",
    axis_key_events: "キー イベント (5058, 5059, 5061)",
    axis_events: "イベント数",
    axis_time: "日時 (UTC)",
    chart_hint: "アカウント名か棒をクリックすると表をそのアカウントで絞り込みます。もう一度クリックで解除します。",
    chart_empty: "キー イベント (5058, 5059, 5061) は読み込まれていません。",
    failure_legend: "失敗 (斜線)",
    per: "単位",
    units: ["週", "日", "時間", "分"],
    no_account: "(アカウントなし)",
    line: "行",
    column: "列",
    event_word: "イベント",
    skipped_word: "イベントをスキップ",
    repaired_word: "修復済み",
    sort_hint: "クリックで並べ替え",
    keyboard_hint: "↑ ↓ PgUp PgDn Home End で移動 · Enter で開く · Esc で閉じる",
    rules: JA_RULES,
};

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
        self.outcomes[usize::from(crate::decoder::view::Outcome::to_byte(outcome))]
    }
}

/// A value Windows logs as a `%%NNNN` code, in `lang`: the key events' operations, key types and
/// "Not Available." have Japanese words of keytrail's own; everything else (and English) is
/// shown as decoded. Exports keep the English.
pub fn value_in(lang: Lang, decoded: &str) -> &str {
    if lang == Lang::En {
        return decoded;
    }
    match decoded {
        "Not Available." => "該当なし",
        "Open key file." => "キー ファイルを開く",
        "Delete key file." => "キー ファイルを削除",
        "Read persisted key from file." => "保存済みキーをファイルから読み込み",
        "Write persisted key to file." => "キーをファイルへ保存",
        "Export of persistent cryptographic key." => "永続的な暗号キーのエクスポート",
        "Import of persistent cryptographic key." => "永続的な暗号キーのインポート",
        "Open Key." => "キーを開く",
        "Create Key." => "キーを作成",
        "Delete Key." => "キーを削除",
        "Encrypt." => "暗号化",
        "Decrypt." => "復号",
        "Sign hash." => "ハッシュに署名",
        "Secret agreement." => "秘密の合意 (鍵共有)",
        "Key Derivation." => "キーの導出",
        "Machine key." => "マシン キー",
        "User key." => "ユーザー キー",
        other => other,
    }
}

/// The name of an event ID in `lang`, when keytrail knows it.
pub fn event_name(lang: Lang, event_id: u32) -> Option<&'static str> {
    match lang {
        Lang::En => crate::decoder::view::event_name(event_id),
        Lang::Ja => crate::decoder::table::event_name_ja(event_id),
    }
}

/// Why a rule matched, in `lang`: Windows' own values (key names, accounts, codes) as logged,
/// the rest in the language's words.
pub fn reason_in(lang: Lang, reason: &crate::model::rules::Reason) -> String {
    use crate::model::rules::{KeyKind, Why};
    if lang == Lang::En {
        return reason.to_string();
    }
    let why: Vec<String> = reason
        .why
        .iter()
        .map(|w| match w {
            Why::Key(name) => format!("鍵 `{name}`"),
            Why::Operation(words) => value_in(lang, words).to_string(),
            Why::Failed { return_code, text } => {
                // The code and its name; the English sentence after them is left out.
                let code = text
                    .as_deref()
                    .and_then(|t| t.split(':').next())
                    .unwrap_or(return_code);
                if code.is_empty() {
                    "失敗 (監査の失敗)".to_string()
                } else {
                    format!("失敗 ({code})")
                }
            }
            Why::KeyType(KeyKind::Machine) => "マシン キー".to_string(),
            Why::KeyType(KeyKind::User) => "ユーザー キー".to_string(),
            Why::Watched(account) => format!("アカウント {account} は監視リストにあります"),
            Why::OutsideHours {
                hour,
                day,
                start,
                end,
                zone,
            } => {
                let day =
                    ["月", "火", "水", "木", "金", "土", "日"][usize::from(day.clamp(&1, &7) - 1)];
                let zone = zone.as_ref().map_or(String::new(), |z| format!(" {z}"));
                format!("{day}曜 {hour:02} 時台 (業務時間 {start:02}:00〜{end:02}:00{zone} の外)")
            }
        })
        .collect();
    let mut out = format!("{} {}", reason.event_id, reason.account);
    if !why.is_empty() {
        out.push_str(": ");
        out.push_str(&why.join("、"));
    }
    out
}

/// `5059 Key migration operation` in `lang`.
pub fn event_label(lang: Lang, event_id: u32) -> String {
    match event_name(lang, event_id) {
        Some(name) => format!("{event_id} {name}"),
        None => event_id.to_string(),
    }
}

/// A problem's reason in `lang`, from its code and values (the English text as sent by the
/// worker when the code is unknown).
pub fn problem_message(lang: Lang, code: &str, params: &[String], english: &str) -> String {
    let p = |i: usize| params.get(i).map_or("", String::as_str);
    match lang {
        Lang::En => english.to_string(),
        Lang::Ja => match code {
            "malformed_xml" => format!("XML の形式が正しくありません: {}", p(0)),
            "mismatched_end_tag" => {
                format!("終了タグ `</{}>` が `<{}>` と一致しません", p(1), p(0))
            }
            "unclosed_event" => "次の `<Event` が始まる前にイベントが閉じられていません".into(),
            "truncated_event" => "このイベントの途中で入力が終わっています (ファイルの途中で切れている可能性)".into(),
            "event_too_large" => format!("イベントが上限 ({} バイト) を超えています", p(0)),
            "too_deep" => format!("要素の入れ子が {} 段を超えています", p(0)),
            "too_many_attributes" => format!("属性が {} 個を超える要素があります", p(0)),
            "value_too_large" => format!("値が上限 ({} バイト) を超えています", p(0)),
            "missing_event_id" => "数値の `System/EventID` がありません".into(),
            "dtd_ignored" => "文書型宣言 (`<!DOCTYPE`) は無視しました: エンティティは展開せず、何も取得しません".into(),
            "undefined_entity" => format!("エンティティ `&{};` は展開せず、そのまま残しました", p(0)),
            "invalid_utf8" => "UTF-8 として不正なバイトを U+FFFD に置き換えました".into(),
            "invalid_utf16" => "対になっていない UTF-16 サロゲートまたは半端なバイトを U+FFFD に置き換えました".into(),
            "lone_ampersand" => "単独の `&` を文字としてそのまま残しました (修復)".into(),
            "documentation_markup" => "入力を修復しました: ドキュメントの書式 (要素前の `- `、`\\_` などの Markdown エスケープ) を取り除きました".into(),
            "bad_time" => format!(
                "TimeCreated `{}` は日時として読めません。イベントは時刻なしで残しました",
                p(0)
            ),
            "not_event_xml" => format!(
                "Windows イベント XML が見つかりません: 入力は{}のようです",
                input_kind_ja(p(0), p(1))
            ),
            "evtx_header" => format!(
                ".evtx のファイル ヘッダーが壊れています ({}); 後続のチャンクはそのまま読みました",
                p(0)
            ),
            "evtx_dirty" => format!(
                "ファイル ヘッダーの宣言は {} チャンクです。このチャンク以降はその範囲外ですが (使用中にコピーされたログ)、そのまま読みます",
                p(0)
            ),
            "evtx_bad_chunk" => format!(
                "チャンクを読めません ({}); このチャンクのレコードは失われました",
                p(0)
            ),
            "evtx_checksum" => format!(
                "チェックサムが一致しません (宣言 {}、計算 {}); 対象の範囲はそのまま読みました",
                p(0),
                p(1)
            ),
            "evtx_bad_record" if params.len() > 1 => {
                format!("レコード {} をデコードできません: {}", p(1), p(0))
            }
            "evtx_bad_record" => format!("レコードをデコードできません: {}", p(0)),
            "evtx_short_chunk" => format!(
                "チャンク ヘッダーのレコード数は {} ですが、たどれたのは {} 件です; 残りは失われました",
                p(0),
                p(1)
            ),
            "evtx_empty" => "この .evtx ファイルにはイベント レコードがありません".into(),
            "evtx_trailing" => format!(
                "ここから末尾までの {} バイトはチャンクではありません (宣言されたチャンクの後の未使用領域); 無視しました",
                p(0)
            ),
            "evtx_truncated" => format!(
                "このチャンクの途中でファイルが終わっています (65536 バイト中 {} バイト); 切れ目より前の完全なレコードは読みました",
                p(0)
            ),
            _ => english.to_string(),
        },
    }
}

/// What an input that held no event looks like, in Japanese, from
/// [`InputKind::code`](crate::decoder::InputKind::code) (and the root element of other XML).
fn input_kind_ja(code: &str, root: &str) -> String {
    match code {
        "empty" => "空のファイル".into(),
        "blank" => "空白だけのファイル".into(),
        "png" => "PNG 画像".into(),
        "jpeg" => "JPEG 画像".into(),
        "gif" => "GIF 画像".into(),
        "pdf" => "PDF 文書".into(),
        "zip" => "zip アーカイブ".into(),
        "gzip" => "gzip 圧縮ファイル".into(),
        "evtx" => "バイナリ形式のイベント ログ (.evtx)".into(),
        "binary" => "バイナリ データ".into(),
        "other_xml" => format!("別の種類の XML (ルート要素 `<{root}>`)"),
        "empty_event_log" => "イベントを 1 件も含まないイベント ログのエクスポート".into(),
        _ => "イベント XML を含まないテキスト".into(),
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
