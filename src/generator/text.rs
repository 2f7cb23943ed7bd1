//! Display strings for the rendered formats (RenderingInfo, "Copy Details as Text").
//!
//! The message sentences are our own wording; the insertion strings follow
//! `shared/facts/facts_msobjs_2400-2510.tsv` (English) with our own Japanese.

/// The language of a rendering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lang {
    /// `en-US`.
    En,
    /// `ja-JP`.
    Ja,
}

impl Lang {
    /// The culture name written in `RenderingInfo/@Culture`.
    pub(crate) fn culture(self) -> &'static str {
        match self {
            Lang::En => "en-US",
            Lang::Ja => "ja-JP",
        }
    }
}

/// The first line of the message of an event.
pub(crate) fn title(event_id: u32, lang: Lang) -> &'static str {
    match (event_id, lang) {
        (5059, Lang::En) => "Key migration operation: a persisted key was exported or imported.",
        (5058, Lang::En) => "Key file operation on a persisted key.",
        (5061, Lang::En) => "Cryptographic operation with a stored key.",
        (4624, Lang::En) => "Logon succeeded and a new logon session was created.",
        (4634, Lang::En) => "A logon session ended.",
        (4647, Lang::En) => "The user started a logoff.",
        (4672, Lang::En) => "Special privileges were given to a new logon session.",
        (5059, Lang::Ja) => {
            "キー移行操作: 保存されたキーがエクスポートまたはインポートされました。"
        }
        (5058, Lang::Ja) => "保存されたキーに対するキー ファイル操作。",
        (5061, Lang::Ja) => "保存されたキーを使った暗号化操作。",
        (4624, Lang::Ja) => "ログオンに成功し、新しいログオン セッションが作成されました。",
        (4634, Lang::Ja) => "ログオン セッションが終了しました。",
        (4647, Lang::Ja) => "ユーザーがログオフを開始しました。",
        (4672, Lang::Ja) => "新しいログオン セッションに特権が割り当てられました。",
        (_, Lang::En) => "Security event.",
        (_, Lang::Ja) => "セキュリティ イベント。",
    }
}

/// The text of a `%%NNNN` insertion string, or `None` if we do not know it.
pub(crate) fn insertion(code: &str, lang: Lang) -> Option<&'static str> {
    let en = match code {
        "%%1833" => "Impersonation",
        "%%1842" => "Yes",
        "%%1843" => "No",
        "%%2432" => "Not Available.",
        "%%2456" => "Open key file.",
        "%%2457" => "Delete key file.",
        "%%2458" => "Read persisted key from file.",
        "%%2459" => "Write persisted key to file.",
        "%%2464" => "Export of persistent cryptographic key.",
        "%%2465" => "Import of persistent cryptographic key.",
        "%%2480" => "Open Key.",
        "%%2481" => "Create Key.",
        "%%2482" => "Delete Key.",
        "%%2483" => "Encrypt.",
        "%%2484" => "Decrypt.",
        "%%2485" => "Sign hash.",
        "%%2486" => "Secret agreement.",
        "%%2499" => "Machine key.",
        "%%2500" => "User key.",
        "%%2501" => "Key Derivation.",
        _ => return None,
    };
    if lang == Lang::En {
        return Some(en);
    }
    Some(match code {
        "%%1833" => "偽装",
        "%%1842" => "はい",
        "%%1843" => "いいえ",
        "%%2432" => "利用できません。",
        "%%2456" => "キー ファイルを開く。",
        "%%2457" => "キー ファイルを削除する。",
        "%%2458" => "保存されたキーをファイルから読み取る。",
        "%%2459" => "保存されたキーをファイルに書き込む。",
        "%%2464" => "永続的な暗号化キーのエクスポート。",
        "%%2465" => "永続的な暗号化キーのインポート。",
        "%%2480" => "キーを開く。",
        "%%2481" => "キーを作成する。",
        "%%2482" => "キーを削除する。",
        "%%2483" => "暗号化。",
        "%%2484" => "復号。",
        "%%2485" => "ハッシュに署名する。",
        "%%2486" => "シークレット合意。",
        "%%2499" => "マシン キー。",
        "%%2500" => "ユーザー キー。",
        "%%2501" => "キーの派生。",
        _ => en,
    })
}

/// Builds the rendered message: the title, a blank line, then one `\tName:\tvalue` line per
/// field, lines separated by CRLF.
pub(crate) fn message(event_id: u32, data: &[(String, String)], lang: Lang, out: &mut String) {
    out.push_str(title(event_id, lang));
    out.push_str("\r\n");
    for (name, value) in data {
        out.push_str("\r\n\t");
        out.push_str(name);
        out.push_str(":\t");
        match insertion(value, lang) {
            Some(t) => out.push_str(t),
            None => out.push_str(value),
        }
    }
}

/// The level name (all our events are level 0, "Information" in Event Viewer).
pub(crate) fn level(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Information",
        Lang::Ja => "情報",
    }
}

/// The opcode name of opcode 0.
pub(crate) fn opcode(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Info",
        Lang::Ja => "情報",
    }
}

/// The task category name.
pub(crate) fn task(task: u16, lang: Lang) -> &'static str {
    match (task, lang) {
        (12292, Lang::En) => "Other System Events",
        (12290, Lang::En) => "System Integrity",
        (12544, Lang::En) => "Logon",
        (12545, Lang::En) => "Logoff",
        (12548, Lang::En) => "Special Logon",
        (12292, Lang::Ja) => "その他のシステム イベント",
        (12290, Lang::Ja) => "システムの整合性",
        (12544, Lang::Ja) => "ログオン",
        (12545, Lang::Ja) => "ログオフ",
        (12548, Lang::Ja) => "特殊なログオン",
        _ => "",
    }
}

/// The keyword name of an audit event.
pub(crate) fn keyword(keywords: u64, lang: Lang) -> &'static str {
    let failure = keywords & 0x0010_0000_0000_0000 != 0;
    match (failure, lang) {
        (false, Lang::En) => "Audit Success",
        (true, Lang::En) => "Audit Failure",
        (false, Lang::Ja) => "成功の監査",
        (true, Lang::Ja) => "失敗の監査",
    }
}

/// The provider's display name.
pub(crate) fn provider(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Microsoft Windows security auditing.",
        Lang::Ja => "Microsoft Windows セキュリティ監査",
    }
}
