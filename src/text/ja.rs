//! Japanese: the page's strings ([`JA`]) and its [`Catalogue`] ([`Ja`]).
//!
//! Windows' own values (key names, accounts, codes) stay as logged; what the parsers report
//! about a damaged file is quoted as they word it, in 「」.

use super::{Catalogue, Lang, ReportText, RuleText, Text};
use crate::decoder::{InputKind, Position, ProblemKind};
use crate::ingest::file::DetailError;
use crate::model::rules::{HoursProblem, KeyKind, Preset, RuleError, RuleProblem, Why};
use crate::model::store::{BatchError, BatchErrorKind};

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

/// Japanese.
pub const JA: Text = Text {
    lang: Lang::Ja,
    title: "keytrail",
    privacy: "Windows セキュリティ イベント ログ (.evtx、XML、SIEM の JSON、PowerShell のエクスポート) をこのタブの中だけで解析します。アップロードも保存もしません。",
    choose_files: "ファイルを開く…",
    drop_hint: "または .evtx、XML、JSON、CSV、CliXml ファイルをページにドロップ",
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
    export_ecs: "ECS に書き出す",
    export_ecs_hint: "Elastic の Windows セキュリティ統合と同じ形の ECS ドキュメントを 1 行に 1 件 (NDJSON) 書き出します。Elasticsearch や OpenSearch に取り込めます。keytrail のセッションとルールは keytrail.* にあります",
    exporting: "書き出しを作成中…",
    export_lost: "行はファイルから読み直せなかったため、書き出しに含まれていません",
    language: "言語",
    theme: "テーマ",
    themes: ["システム", "ライト", "ダーク"],
    empty_title: "イベントはまだありません",
    empty_body: "セキュリティ ログ (.evtx ファイル、XML エクスポート、SIEM や PowerShell から書き出したもの) を開くかドロップする、XML を貼り付ける、またはサンプル データを読み込んでください。解析はこのタブの中だけで行います。",
    formats: ".evtx ファイル (ダーティーなものや壊れたものも)、wevtutil (XML と RenderedXml)、イベント ビューアーの「XML として保存」と「詳細のコピー」、UTF-16 の PowerShell ToXml()、evtx_dump (XML、JSON、JSON Lines)、python-evtx、EvtxECmd、evtxexport、ドキュメント ページからコピーしたテキスト、NXLog im_msvistalog の JSON、Elastic Agent / winlogbeat のドキュメント (NDJSON、_bulk、_search の結果)、Splunk XmlWinEventLog の検索結果 (JSON または CSV)、Get-WinEvent | Export-Clixml、Get-WinEvent | ConvertTo-Json (-Depth 4 を指定したもの。既定の深さではフィールドの値が失われます) を読み込めます。",
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
    report: ReportText {
        button: "レポート",
        button_hint: "このレビューの印刷用レポートを新しいタブに開きます。ファイルと SHA-256、件数、問題、ルールと検出結果、署名欄を含みます。ログそのものは含みません。",
        title: "keytrail レビュー報告書",
        intro: "レビューの対象、keytrail の検出結果、使用したルールをまとめたものです。ログそのものは含みません。どのログをレビューしたかは各ファイルの SHA-256 で確認できます。",
        written: "作成日時",
        files: "レビューしたファイル",
        file_columns: ["ファイル", "サイズ (バイト)", "SHA-256", "形式", "イベント数", "問題", "失われたイベント"],
        hashing: "レポート用にファイルの SHA-256 を計算中…",
        no_hash: "未取得 (ファイルを最後まで読んでいません)",
        range: "対象期間 (UTC)",
        range_to: "～",
        no_range: "日時のあるイベントがありません",
        events_by_id: "イベント ID 別の件数",
        id_columns: ["イベント ID", "名前", "件数"],
        total: "合計",
        problems: "入力の問題",
        problem_columns: ["ファイル", "位置", "影響", "問題"],
        severities: ["イベント消失", "修復済み", "注記"],
        no_problems: "問題はありません。すべてのイベントを解読しました。",
        more_problems: "ほかに {n} 件の問題があります (件数には含みますが、一覧には載せていません)。",
        findings: "検出結果",
        findings_intro: "適用した各ルールと、それに一致したイベントです。要確認のものを先に、Windows の定型パターンに当たるものを後に載せています。ログオン セッションはイベントが実行されたログオン ID です。",
        finding_columns: ["日時 (UTC)", "アカウント", "キー", "操作", "結果", "ログオン セッション", "区分", "理由"],
        needs_look: "要確認",
        routine: "定型",
        no_findings: "検出結果はありません。",
        more_findings: "このルールの検出結果はほかに {n} 件あります (件数には含みますが、一覧には載せていません)。",
        rule_counts: "要確認 {needs} 件、定型 {routine} 件",
        chart: "アカウント別のキー イベント",
        chart_intro: "各アカウントのキー イベント (5058、5059、5061) を操作と結果ごとに示します (ページのグラフと同じ集計です)。",
        chart_columns: ["アカウント", "キー イベント", "操作と結果の内訳"],
        no_chart: "キー イベントはありません。",
        rules: "適用したルール",
        rules_intro: "使用したルールと定型パターンの JSON です。`keytrail report --rules` に渡すか、ページのルール エディターに貼り付けると、同じレビューを再現できます。",
        review: "レビュー",
        review_lines: ["レビュー担当者", "日付", "署名", "所見"],
    },
};

/// The Japanese catalogue.
#[derive(Debug, Clone, Copy)]
pub struct Ja;

impl Catalogue for Ja {
    fn text(&self) -> &'static Text {
        &JA
    }

    fn problem(&self, kind: &ProblemKind) -> String {
        match kind {
            ProblemKind::MalformedXml { reason } => {
                format!("XML の形式が正しくありません: 「{reason}」")
            }
            ProblemKind::MismatchedEndTag { expected, found } => {
                format!("終了タグ `</{found}>` が `<{expected}>` と一致しません")
            }
            ProblemKind::UnclosedEvent => {
                "次の `<Event` が始まる前にイベントが閉じられていません".into()
            }
            ProblemKind::TruncatedEvent => {
                "このイベントの途中で入力が終わっています (ファイルの途中で切れている可能性)".into()
            }
            ProblemKind::EventTooLarge { limit } => {
                format!("イベントが上限 ({limit} バイト) を超えています")
            }
            ProblemKind::TooDeep { limit } => format!("要素の入れ子が {limit} 段を超えています"),
            ProblemKind::TooManyAttributes { limit } => {
                format!("属性が {limit} 個を超える要素があります")
            }
            ProblemKind::ValueTooLarge { limit } => {
                format!("値が上限 ({limit} バイト) を超えています")
            }
            ProblemKind::MissingEventId => "数値の `System/EventID` がありません".into(),
            ProblemKind::DtdIgnored => {
                "文書型宣言 (`<!DOCTYPE`) は無視しました: エンティティは展開せず、何も取得しません"
                    .into()
            }
            ProblemKind::UndefinedEntity { name } => {
                format!("エンティティ `&{name};` は展開せず、そのまま残しました")
            }
            ProblemKind::InvalidUtf8 => "UTF-8 として不正なバイトを U+FFFD に置き換えました".into(),
            ProblemKind::InvalidUtf16 => {
                "対になっていない UTF-16 サロゲートまたは半端なバイトを U+FFFD に置き換えました"
                    .into()
            }
            ProblemKind::LoneAmpersand => "単独の `&` を文字としてそのまま残しました (修復)".into(),
            ProblemKind::DocumentationMarkup => {
                "入力を修復しました: ドキュメントの書式 (要素前の `- `、`\\_` などの Markdown エスケープ) を取り除きました".into()
            }
            ProblemKind::BadTime { value } => format!(
                "TimeCreated `{value}` は日時として読めません。イベントは時刻なしで残しました"
            ),
            ProblemKind::NotEventXml { looks_like } => format!(
                "Windows イベント XML が見つかりません: 入力は{}のようです",
                self.input_kind(looks_like)
            ),
            ProblemKind::EvtxHeader { reason } => format!(
                ".evtx のファイル ヘッダーが壊れています (「{reason}」); 後続のチャンクはそのまま読みました"
            ),
            ProblemKind::EvtxDirty { declared } => format!(
                "ファイル ヘッダーの宣言は {declared} チャンクです。このチャンク以降はその範囲外ですが (使用中にコピーされたログ)、そのまま読みます"
            ),
            ProblemKind::EvtxBadChunk { reason } => {
                format!("チャンクを読めません (「{reason}」); このチャンクのレコードは失われました")
            }
            ProblemKind::EvtxChecksum { expected, found } => format!(
                "チェックサムが一致しません (宣言 {expected:#010x}、計算 {found:#010x}); 対象の範囲はそのまま読みました"
            ),
            ProblemKind::EvtxBadRecord {
                record: Some(record),
                reason,
            } => format!("レコード {record} をデコードできません: 「{reason}」"),
            ProblemKind::EvtxBadRecord {
                record: None,
                reason,
            } => format!("レコードをデコードできません: 「{reason}」"),
            ProblemKind::EvtxShortChunk { declared, read } => format!(
                "チャンク ヘッダーのレコード数は {declared} ですが、たどれたのは {read} 件です; 残りは失われました"
            ),
            ProblemKind::EvtxEmpty => "この .evtx ファイルにはイベント レコードがありません".into(),
            ProblemKind::EvtxTrailing { bytes } => format!(
                "ここから末尾までの {bytes} バイトはチャンクではありません (宣言されたチャンクの後の未使用領域); 無視しました"
            ),
            ProblemKind::EvtxTruncated { bytes } => format!(
                "このチャンクの途中でファイルが終わっています (65536 バイト中 {bytes} バイト); 切れ目より前の完全なレコードは読みました"
            ),
            ProblemKind::InvalidJson { reason } => {
                format!("ドキュメントの形式が正しくありません: 「{reason}」")
            }
            ProblemKind::NotWindowsEvents { count } => format!(
                "ここから {count} 件のドキュメントは正しい形式ですが Windows イベントではありません (別の種類のログ)。読み飛ばしました"
            ),
            ProblemKind::PropertiesLost { count } => format!(
                "{count} 件のイベントは `ConvertTo-Json` の既定の深さ 2 で書き出されたため、各フィールドの値が `System.Diagnostics.Eventing.Reader.EventProperty` という文字列に置き換わっています。ID、時刻、プロバイダー、メッセージは表示できますが、フィールドは失われています。`ConvertTo-Json -Depth 4` (または `Export-Clixml`) でもう一度書き出してください"
            ),
        }
    }

    fn input_kind(&self, kind: &InputKind) -> String {
        match kind {
            InputKind::Empty => "空のファイル".into(),
            InputKind::Blank => "空白だけのファイル".into(),
            InputKind::Png => "PNG 画像".into(),
            InputKind::Jpeg => "JPEG 画像".into(),
            InputKind::Gif => "GIF 画像".into(),
            InputKind::Pdf => "PDF 文書".into(),
            InputKind::Zip => "zip アーカイブ".into(),
            InputKind::Gzip => "gzip 圧縮ファイル".into(),
            InputKind::Evtx => "バイナリ形式のイベント ログ (.evtx)".into(),
            InputKind::Binary => "バイナリ データ".into(),
            InputKind::OtherXml { root } => format!("別の種類の XML (ルート要素 `<{root}>`)"),
            InputKind::EmptyEventLog => {
                "イベントを 1 件も含まないイベント ログのエクスポート".into()
            }
            InputKind::Text => "イベント XML を含まないテキスト".into(),
        }
    }

    fn place(&self, at: Position, event: Option<u64>) -> String {
        let mut out = match at.evtx_chunk() {
            _ if !at.is_binary() => format!("行 {}、列 {}: ", at.line, at.column),
            Some(chunk) => format!("チャンク {chunk}、オフセット {:#x}: ", at.byte),
            None => format!("ファイル ヘッダー、オフセット {:#x}: ", at.byte),
        };
        if let Some(n) = event {
            out.push_str(&format!("イベント {n}: "));
        }
        out
    }

    fn batch_refused(&self, error: &BatchError) -> String {
        let what = match &error.kind {
            BatchErrorKind::BadMagic => format!(
                "先頭に `{}` がありません",
                String::from_utf8_lossy(&crate::model::store::Batch::MAGIC)
            ),
            BatchErrorKind::Truncated { needed, available } => {
                format!("途中で終わっています ({needed} バイト必要、残り {available} バイト)")
            }
            BatchErrorKind::InvalidUtf8 { string } => {
                format!("文字列 {string} が UTF-8 ではありません")
            }
            BatchErrorKind::InvalidOutcome { row, found } => {
                format!("行 {row} の結果が {found} です (0、1、2 のはず)")
            }
            BatchErrorKind::TrailingBytes { count } => format!("最後の行の後に {count} バイトあります"),
            BatchErrorKind::OutOfStep { expected, found } => format!(
                "文字列が ID {found} から始まっています ({expected} のはず): バッチが失われたか重複しました"
            ),
        };
        format!(
            "ワーカーから受け取った行のバッチを読めません (バイト {}): {what}",
            error.offset
        )
    }

    fn value(&self, code: u32) -> Option<&'static str> {
        Some(match code {
            2432 => "該当なし",
            2456 => "キー ファイルを開く",
            2457 => "キー ファイルを削除",
            2458 => "保存済みキーをファイルから読み込み",
            2459 => "キーをファイルへ保存",
            2464 => "永続的な暗号キーのエクスポート",
            2465 => "永続的な暗号キーのインポート",
            2480 => "キーを開く",
            2481 => "キーを作成",
            2482 => "キーを削除",
            2483 => "暗号化",
            2484 => "復号",
            2485 => "ハッシュに署名",
            2486 => "秘密の合意 (鍵共有)",
            2499 => "マシン キー",
            2500 => "ユーザー キー",
            2501 => "キーの導出",
            _ => return None,
        })
    }

    fn event_name(&self, event_id: u32) -> Option<&'static str> {
        crate::decoder::table::event_name_ja(event_id)
    }

    fn algorithm(&self, name: &str) -> Option<String> {
        let a = crate::decoder::table::algorithm(name)?;
        let what = match a.name {
            "RSA" => "RSA 公開鍵アルゴリズム (Rivest、Shamir、Adleman)。鍵長は可変",
            "DSA" => "デジタル署名アルゴリズム (DSA)。鍵長は可変",
            "DH" => "Diffie-Hellman 鍵交換。鍵長は可変",
            "ECDH_P256" => "NIST P-256 曲線の楕円曲線 Diffie-Hellman",
            "ECDH_P384" => "NIST P-384 曲線の楕円曲線 Diffie-Hellman",
            "ECDH_P521" => "NIST P-521 曲線の楕円曲線 Diffie-Hellman",
            "ECDSA_P256" => "NIST P-256 曲線の楕円曲線 DSA 署名",
            "ECDSA_P384" => "NIST P-384 曲線の楕円曲線 DSA 署名",
            "ECDSA_P521" => "NIST P-521 曲線の楕円曲線 DSA 署名",
            "ECDH" => "楕円曲線 Diffie-Hellman (曲線は別に指定)",
            "ECDSA" => "楕円曲線 DSA 署名 (曲線は別に指定)",
            "AES" => "AES 共通鍵暗号 (128、192、256 ビット鍵)",
            "3DES" => "トリプル DES 共通鍵暗号",
            "3DES_112" => "2 鍵トリプル DES 共通鍵暗号",
            "DES" => "DES 共通鍵暗号 (旧式)",
            "RC2" => "RC2 共通鍵暗号 (旧式)",
            "RC4" => "RC4 ストリーム暗号 (旧式)",
            "UNKNOWN" => "アルゴリズムは記録されていません。保存済みのキーをファイルから読み込むときの通常の値です",
            _ => return None,
        };
        Some(match a.key_bits {
            Some(bits) => format!("{what} ({bits} ビット鍵)"),
            None => what.to_string(),
        })
    }

    fn detail_error(&self, error: &DetailError) -> String {
        match error {
            DetailError::FileGone => "このファイルはもう開かれていません".into(),
            DetailError::NotDecoded => "このイベントをもう一度デコードできませんでした".into(),
            DetailError::Browser(reason) => {
                format!("ブラウザーがもう一度読み込めませんでした: 「{reason}」")
            }
            DetailError::Closed => "デコード用のワーカーが終了しました".into(),
        }
    }

    fn rule_error(&self, error: &RuleError) -> String {
        let what = match &error.reason {
            RuleProblem::TooManyRules { limit } => {
                format!("同時に使えるルールは {limit} 個までです")
            }
            RuleProblem::TooManyPatterns { limit } => {
                format!("同時に使える定常パターンは {limit} 個までです")
            }
            RuleProblem::Hours(HoursProblem::UnknownZone { zone }) => format!(
                "`{zone}` はこの環境で使えるタイム ゾーンではありません (Asia/Tokyo のような IANA 名を指定してください)"
            ),
            RuleProblem::Hours(HoursProblem::NotARange { start, end }) => {
                format!("業務時間 {start}〜{end} は 1 日の中の範囲になっていません")
            }
            RuleProblem::Hours(HoursProblem::BadDay) => {
                "曜日は 1 (月曜) から 7 (日曜) の番号で指定します".to_string()
            }
            RuleProblem::Hours(HoursProblem::OffsetTooLarge { minutes }) => {
                format!("UTC からのずれ {minutes} 分は、どのタイム ゾーンよりも大きすぎます")
            }
            RuleProblem::Regex { reason } => {
                format!("正規表現を使えません: 「{reason}」")
            }
            RuleProblem::ReturnCode { code } => {
                format!("ReturnCode `{code}` が数値ではありません")
            }
            RuleProblem::Json { reason } => {
                format!("ルールの JSON を読めません: 「{reason}」")
            }
        };
        if error.rule.is_empty() {
            what
        } else {
            format!("ルール `{}`: {what}", error.rule)
        }
    }

    fn why(&self, why: &Why) -> String {
        match why {
            Why::Key(name) => format!("鍵 `{name}`"),
            Why::Operation(words) => super::value_in(Lang::Ja, words).to_string(),
            Why::Failed { return_code, text } => {
                // The code and its name; Windows' English sentence after them is left out.
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
            Why::KeyType(KeyKind::Machine) => self.value(2499).unwrap_or_default().to_string(),
            Why::KeyType(KeyKind::User) => self.value(2500).unwrap_or_default().to_string(),
            Why::Watched(account) => format!("アカウント {account} は監視リストにあります"),
            Why::OutsideHours {
                hour,
                day,
                start,
                end,
                zone,
            } => {
                let day = JA_RULES.day_names[usize::from(day.clamp(&1, &7) - 1)];
                let zone = zone.as_ref().map_or(String::new(), |z| format!(" {z}"));
                format!("{day}曜 {hour:02} 時台 (業務時間 {start:02}:00〜{end:02}:00{zone} の外)")
            }
        }
    }

    fn list_separator(&self) -> &'static str {
        "、"
    }

    fn preset_title(&self, preset: Preset) -> &'static str {
        match preset {
            Preset::ExportAny => "永続キーのエクスポート",
            Preset::MachineKeyExportNotSystem => "SYSTEM 以外によるマシン キーのエクスポート",
            Preset::FailedKeyOperations => "失敗したキー操作",
            Preset::KeyOperationsOffHours => "業務時間外のキー操作",
            Preset::SensitiveKeyExport => "重要と指定した鍵のエクスポート",
        }
    }

    fn preset_explanation(&self, preset: Preset) -> &'static str {
        match preset {
            Preset::ExportAny => {
                "保存されている秘密鍵がキー ストレージ プロバイダーの外へ出されました。プログラムが鍵を読むだけでも記録されるため、どのアカウントとプログラムが行ったかを先に確かめてください。"
            },
            Preset::MachineKeyExportNotSystem => {
                "マシン キー（例: 証明機関の署名鍵）は通常 SYSTEM かコンピューター自身のアカウントだけが使います。それ以外のアカウントによるエクスポート（CA 鍵のバックアップなど）には理由があるはずです。"
            },
            Preset::FailedKeyOperations => {
                "キー操作がエラーを返した（ReturnCode が 0x0 以外）か、監査の失敗として記録されました。失敗の繰り返しは、使えない鍵を探っている兆候かもしれません。"
            },
            Preset::KeyOperationsOffHours => {
                "夜間または週末に、SYSTEM 以外のアカウントが鍵を使いました（既定は UTC の月〜金 8:00〜18:00。時差は設定できます）。計画された作業と照合してください。"
            },
            Preset::SensitiveKeyExport => {
                "ここに挙げた鍵名のエクスポートをすべて知らせます。証明書の鍵名は `certutil -store -user my`（マシン証明書は `certutil -store my`）の Key Container で確認できます。"
            },
        }
    }
}
