//! Part of the catalogue (`text`): what each field means and what to look for, in English
//! and Japanese, written for this tool. Each note holds both languages, so none can lack one.
//!
//! [`field`] explains one field of an event (System fields and the body fields of 5058, 5059,
//! 5061, 4624, 4634, 4647 and 4672); [`event`] summarises an event and gives the monitoring
//! advice for it.

use super::Lang;

/// One explanation in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Note {
    /// English.
    pub en: &'static str,
    /// Japanese.
    pub ja: &'static str,
}

impl Note {
    /// The text in `lang`.
    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Ja => self.ja,
        }
    }
}

const fn n(en: &'static str, ja: &'static str) -> Note {
    Note { en, ja }
}

/// What an event is, and what to watch for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventNote {
    /// What the event records.
    pub summary: Note,
    /// Monitoring advice, one point per entry.
    pub advice: &'static [Note],
}

/// The explanation of event `event_id`, when keytrail has one.
pub fn event(event_id: u32) -> Option<EventNote> {
    Some(match event_id {
        5059 => EventNote {
            summary: n(
                "A CNG key was exported or imported through a key storage provider. Windows only writes this event for the Microsoft Software KSP and the Microsoft Smart Card KSP; keys held by other providers (a TPM, an HSM) do not show up here.",
                "キー ストレージ プロバイダー (KSP) を通じて CNG キーがエクスポートまたはインポートされたことを示します。記録されるのは Microsoft Software KSP と Microsoft Smart Card KSP を使ったときだけで、TPM や HSM など他のプロバイダーのキーはここには現れません。",
            ),
            advice: const { &[
                n(
                    "Keep a short list of keys that matter (CA keys, code-signing keys, VPN or web-server keys) and alert on any 5059 whose KeyName is on it.",
                    "重要なキー (CA キー、コード署名キー、VPN や Web サーバーのキーなど) の一覧を持ち、KeyName がそれに該当する 5059 を検知したら通知します。",
                ),
                n(
                    "Watch the Operation: \"Export of persistent cryptographic key.\" is the one to follow. It is also logged when a key is only read, so judge it together with the account, the process and the time rather than alerting on every export.",
                    "Operation に注目します。「永続的な暗号キーのエクスポート」が追うべき操作です。キーを読むだけでも記録されるため、すべてに通知するのではなく、アカウント・プロセス・時刻と合わせて判断します。",
                ),
                n(
                    "A machine key exported by a person or a service account (rather than SYSTEM or the computer account) deserves a look: machine keys are shared by the whole computer.",
                    "マシン キーを人やサービス アカウント (SYSTEM やコンピューター アカウント以外) がエクスポートしていたら確認します。マシン キーはコンピューター全体で共有されるキーです。",
                ),
                n(
                    "General checks for any audit event: accounts that should never act (disabled, break-glass, service accounts used interactively), activity outside working hours, and computers where key work is not expected.",
                    "監査イベント全般の確認点: 本来動かないはずのアカウント (無効化済み、緊急用、対話的に使われたサービス アカウント)、業務時間外の活動、キー操作が想定されないコンピューター。",
                ),
                n(
                    "Failures (ReturnCode other than 0x0) repeated for one account or one key can mean someone is probing for keys they cannot use.",
                    "同じアカウントや同じキーで失敗 (ReturnCode が 0x0 以外) が続く場合、使えないキーを探っている可能性があります。",
                ),
            ] },
        },
        5058 => EventNote {
            summary: n(
                "A key file was touched: a persisted CNG key was read from, written to or deleted from disk by a key storage provider.",
                "キー ファイルの操作: キー ストレージ プロバイダーが永続化された CNG キーをディスクから読み取った、書き込んだ、または削除したことを示します。",
            ),
            advice: const { &[
                n(
                    "Reads of persisted keys are frequent and usually harmless; deletions and writes of important keys are rarer and worth reviewing.",
                    "永続化キーの読み取りは頻繁で通常は問題ありません。重要なキーの書き込みや削除はまれなので確認する価値があります。",
                ),
                n(
                    "The key file path tells whose key it is: under a user profile (user key) or under ProgramData (machine key).",
                    "キー ファイルのパスから誰のキーかがわかります: ユーザー プロファイル配下ならユーザー キー、ProgramData 配下ならマシン キーです。",
                ),
            ] },
        },
        5061 => EventNote {
            summary: n(
                "A cryptographic operation (open, create, delete, sign…) was carried out with a CNG key through a key storage provider.",
                "キー ストレージ プロバイダーを通じて CNG キーで暗号化操作 (開く、作成、削除、署名など) が行われたことを示します。",
            ),
            advice: const { &[n(
                "Key creation and deletion for keys you track, and signing by unexpected accounts, are the operations to review.",
                "追跡しているキーの作成・削除や、想定外のアカウントによる署名を確認します。",
            )] },
        },
        4624 => EventNote {
            summary: n(
                "An account logged on. Its Target Logon ID is the session that later events (5059, 4634…) carry as their Subject Logon ID.",
                "アカウントがログオンしました。ここでのログオン ID (TargetLogonId) が、その後のイベント (5059、4634 など) の SubjectLogonId として現れるセッションです。",
            ),
            advice: const { &[
                n(
                    "Use the logon ID to find how the account that exported a key got there: logon type, source address, workstation.",
                    "ログオン ID を使い、キーをエクスポートしたアカウントがどのように入ってきたか (ログオンの種類、送信元アドレス、ワークステーション) を調べます。",
                ),
                n(
                    "Network (3) and RemoteInteractive (10) logons of privileged or service accounts outside working hours deserve a look.",
                    "業務時間外の特権アカウントやサービス アカウントによるネットワーク (3) やリモート対話型 (10) ログオンは確認に値します。",
                ),
            ] },
        },
        4634 | 4647 => EventNote {
            summary: n(
                "The session ended (4647: the user asked for it; 4634: the session was torn down). The logon ID closes the session opened by the matching 4624.",
                "セッションが終了しました (4647: ユーザーがログオフを開始、4634: セッションが破棄された)。ログオン ID は対応する 4624 で始まったセッションを示します。",
            ),
            advice: const { &[n(
                "Together with 4624, it bounds the time window in which the key events of that logon ID happened.",
                "4624 と組み合わせると、そのログオン ID のキー イベントが起きた時間帯がわかります。",
            )] },
        },
        4672 => EventNote {
            summary: n(
                "The new logon received sensitive privileges (administrator-equivalent rights).",
                "新しいログオンに、管理者に相当する重要な特権が割り当てられました。",
            ),
            advice: const { &[n(
                "A key export in a session that also got special privileges is more powerful: check the PrivilegeList of the same logon ID.",
                "特権が割り当てられたセッションでのキー エクスポートは影響が大きくなります。同じログオン ID の PrivilegeList を確認します。",
            )] },
        },
        _ => return None,
    })
}

/// The explanation of a field, by its name: a body field (`SubjectUserName`) or a System field
/// as [`SysField::name`](crate::decoder::SysField::name) spells it (`TimeCreated/@SystemTime`).
/// A name means the same in every event keytrail explains.
pub fn field(name: &str) -> Option<Note> {
    Some(match name {
        // --- System ---
        "Provider/@Name" => provider_system(),
        "ProviderGuid" | "Provider/@Guid" | "Guid" => n(
            "The GUID of the logging provider; Microsoft-Windows-Security-Auditing is {54849625-5478-4994-A5BA-3E3B0328C30D}.",
            "記録したプロバイダーの GUID。Microsoft-Windows-Security-Auditing は {54849625-5478-4994-A5BA-3E3B0328C30D} です。",
        ),
        "Provider/@EventSourceName" => n(
            "The legacy event source name, when the provider has one.",
            "プロバイダーが持つ場合の、従来形式のイベント ソース名。",
        ),
        "EventID" | "EventId" => n(
            "What happened, as a number: 5059 key migration, 5058 key file, 5061 cryptographic operation, 4624 logon…",
            "何が起きたかを示す番号: 5059 キー移行、5058 キー ファイル、5061 暗号化操作、4624 ログオンなど。",
        ),
        "EventID/@Qualifiers" => n(
            "High bits of the event ID for older providers; usually absent for security events.",
            "古いプロバイダーで使うイベント ID の上位ビット。セキュリティ イベントでは通常ありません。",
        ),
        "Version" => n(
            "The event's schema version. Newer Windows builds log version 1 of 5059/5058 with ProcessId and ProcessCreationTime.",
            "イベントのスキーマのバージョン。新しい Windows では 5059/5058 がバージョン 1 で記録され、ProcessId と ProcessCreationTime が加わります。",
        ),
        "Level" => n(
            "Severity level; security audit events use 0 (Information).",
            "重大度。セキュリティ監査イベントは 0 (情報) です。",
        ),
        "Task" => n(
            "The audit subcategory: 12292 Other System Events (5058, 5059), 12290 System Integrity (5061), 12544 Logon, 12545 Logoff, 12548 Special Logon.",
            "監査サブカテゴリ: 12292 その他のシステム イベント (5058、5059)、12290 システムの整合性 (5061)、12544 ログオン、12545 ログオフ、12548 特殊なログオン。",
        ),
        "Opcode" => n("The operation code; 0 (Info) for audit events.", "操作コード。監査イベントでは 0 (情報)。"),
        "Keywords" => n(
            "Bit flags: 0x0020000000000000 Audit Success, 0x0010000000000000 Audit Failure. keytrail reads the outcome from here (and from ReturnCode for key events).",
            "ビット フラグ: 0x0020000000000000 が監査成功、0x0010000000000000 が監査失敗。keytrail は結果をここから (キー イベントでは ReturnCode からも) 判断します。",
        ),
        "TimeCreated" | "TimeCreated/@SystemTime" | "SystemTime" => n(
            "When it was logged, in UTC. Compare with working hours and with the logon and logoff of the same session.",
            "記録された日時 (UTC)。業務時間や、同じセッションのログオン・ログオフ時刻と比べます。",
        ),
        "EventRecordID" | "EventRecordId" => n(
            "The record's sequence number in its log. Gaps or a restart from a low number can mean records were lost or the log was cleared (event 1102).",
            "ログ内のレコード通し番号。抜けや小さな番号からのやり直しは、レコードの欠落やログの消去 (イベント 1102) を示すことがあります。",
        ),
        "ActivityID" | "ActivityId" | "Correlation/@ActivityID" => n(
            "Links events of one activity; often empty for these events.",
            "1 つの処理に属するイベントを結び付ける ID。これらのイベントでは空のことが多いです。",
        ),
        "Correlation/@RelatedActivityID" => {
            n("The parent activity, when there is one.", "親となる処理の ID (ある場合)。")
        }
        "Execution/@ProcessID" => process_system(),
        "ThreadID" | "ThreadId" | "Execution/@ThreadID" => {
            n("The thread that wrote the event.", "イベントを書き込んだスレッド。")
        }
        "Channel" => n("The log it was written to (Security).", "書き込まれたログ (Security)。"),
        "Computer" => n(
            "The computer that logged it. Key exports on computers where nobody should handle keys stand out.",
            "記録したコンピューター。本来キーを扱わないはずのコンピューターでのキー エクスポートは目立ちます。",
        ),
        "UserID" | "UserId" | "Security/@UserID" => n(
            "The SID in the System section; usually empty for security events (the subject is in the event data).",
            "System セクションの SID。セキュリティ イベントでは通常空です (主体はイベント データにあります)。",
        ),
        // --- Subject ---
        "SubjectUserSid" => n(
            "The SID of the account that asked for the operation. S-1-5-18 is SYSTEM; a domain SID ending in -500 is the built-in Administrator.",
            "操作を要求したアカウントの SID。S-1-5-18 は SYSTEM、末尾が -500 のドメイン SID は組み込みの Administrator です。",
        ),
        "SubjectUserName" => n(
            "The account name that asked for the operation. A name ending in $ is a computer account; people and service accounts exporting keys deserve more attention.",
            "操作を要求したアカウント名。末尾が $ ならコンピューター アカウントです。人やサービス アカウントによるキーのエクスポートはより注意が必要です。",
        ),
        "SubjectDomainName" => n(
            "The account's domain: a NetBIOS name (CONTOSO), a DNS name (contoso.local), NT AUTHORITY for built-in principals, or the computer name for local accounts.",
            "アカウントのドメイン: NetBIOS 名 (CONTOSO)、DNS 名 (contoso.local)、組み込みのプリンシパルなら NT AUTHORITY、ローカル アカウントならコンピューター名。",
        ),
        "SubjectLogonId" => n(
            "The logon session (hex). Search it to find the 4624 that opened the session, the 4672 privileges and the 4634/4647 that closed it. 0x3e7 is the SYSTEM session.",
            "ログオン セッション (16 進)。これで検索すると、セッションを開始した 4624、特権の 4672、終了した 4634/4647 が見つかります。0x3e7 は SYSTEM のセッションです。",
        ),
        // --- Crypto parameters ---
        "ProviderName" => n(
            "The key storage provider that did the work: Microsoft Software Key Storage Provider (keys in files on disk) or Microsoft Smart Card Key Storage Provider (keys on a card). Only these two produce 5058/5059.",
            "処理を行ったキー ストレージ プロバイダー: Microsoft Software Key Storage Provider (ディスク上のファイルのキー) または Microsoft Smart Card Key Storage Provider (カード上のキー)。5058/5059 を記録するのはこの 2 つだけです。",
        ),
        "AlgorithmName" => n(
            "The key's algorithm: RSA, DSA, DH, ECDH_P256/P384/P521, ECDSA_P256/P384/P521. Usually UNKNOWN for \"Read persisted key from file\", and %%2432 (not available) on some 5058s. Note: ECDH_P521 uses the 521-bit NIST curve (the reference page says 512 bits; that is a mistake).",
            "キーのアルゴリズム: RSA、DSA、DH、ECDH_P256/P384/P521、ECDSA_P256/P384/P521。「ファイルから永続化キーを読み取る」操作では通常 UNKNOWN、5058 では %%2432 (利用不可) のこともあります。注: ECDH_P521 は 521 ビットの NIST 曲線です (リファレンス ページの「512 ビット」は誤りです)。",
        ),
        "KeyName" => n(
            "The key container's name. To map it to a certificate, run `certutil -store -user my` (or `certutil -store my` for machine keys) and read the Key Container line. Alert on the names of keys that matter.",
            "キー コンテナーの名前。証明書と対応付けるには `certutil -store -user my` (マシン キーなら `certutil -store my`) を実行し、「キー コンテナー」の行を確認します。重要なキーの名前を監視対象にします。",
        ),
        "KeyType" => n(
            "%%2500 User key (belongs to one user's profile) or %%2499 Machine key (shared by the whole computer). Machine keys handled by people or service accounts deserve a look.",
            "%%2500 ユーザー キー (1 人のユーザー プロファイルに属する) または %%2499 マシン キー (コンピューター全体で共有)。人やサービス アカウントがマシン キーを扱っていたら確認します。",
        ),
        "KeyFilePath" => n(
            "Where the key file lives: under the user's profile (Microsoft\\Crypto\\Keys) for user keys, under ProgramData for machine keys.",
            "キー ファイルの場所: ユーザー キーはユーザー プロファイル配下 (Microsoft\\Crypto\\Keys)、マシン キーは ProgramData 配下。",
        ),
        "Operation" => n(
            "What was done. %%2464 Export of persistent cryptographic key: logged for real exports (a certificate with its private key) and also when a key is merely read. %%2465 Import of persistent cryptographic key: a key was brought in (e.g. a PFX import). 5058/5061 log file and key operations (%%2458 read, %%2459 write, %%2480–%%2486).",
            "行われた操作。%%2464 永続的な暗号キーのエクスポート: 実際のエクスポート (秘密キー付き証明書の書き出しなど) だけでなく、キーを読むだけでも記録されます。%%2465 永続的な暗号キーのインポート: キーが取り込まれた (PFX のインポートなど)。5058/5061 はファイルとキーの操作 (%%2458 読み取り、%%2459 書き込み、%%2480–%%2486) を記録します。",
        ),
        "ReturnCode" => n(
            "0x0 means success. Anything else is the error (an HRESULT such as 0x80090016 NTE_BAD_KEYSET, key not found); the event is then a failure.",
            "0x0 は成功。それ以外はエラー コード (例: 0x80090016 NTE_BAD_KEYSET、キーが見つからない) で、その場合イベントは失敗です。",
        ),
        "ProcessId" | "ProcessID" => n(
            "The process that asked for the operation (newer builds). Compare with 4688 process creation events to know which program touched the key.",
            "操作を要求したプロセス (新しいビルドで記録)。4688 のプロセス作成イベントと照らし合わせ、どのプログラムがキーに触れたかを調べます。",
        ),
        "ProcessCreationTime" => n(
            "When that process started; with ProcessId it identifies the process uniquely even if the ID was reused.",
            "そのプロセスの開始時刻。ProcessId と合わせると、ID が再利用されてもプロセスを一意に特定できます。",
        ),
        // --- Logon ---
        "TargetUserSid" => n("The SID of the account that logged on (or off).", "ログオン (またはログオフ) したアカウントの SID。"),
        "TargetUserName" => n(
            "The account that logged on. Match it with the Subject of later key events.",
            "ログオンしたアカウント。その後のキー イベントの Subject と照合します。",
        ),
        "TargetDomainName" => n("That account's domain.", "そのアカウントのドメイン。"),
        "TargetLogonId" => n(
            "The new session's logon ID: the same value appears as SubjectLogonId in everything done during the session.",
            "新しいセッションのログオン ID。セッション中の操作では同じ値が SubjectLogonId として現れます。",
        ),
        "LogonType" => n(
            "How the account logged on: 2 interactive, 3 network, 4 batch, 5 service, 7 unlock, 8 network cleartext, 9 new credentials, 10 remote interactive (RDP), 11 cached.",
            "ログオンの種類: 2 対話型、3 ネットワーク、4 バッチ、5 サービス、7 ロック解除、8 ネットワーク クリアテキスト、9 新しい資格情報、10 リモート対話型 (RDP)、11 キャッシュ。",
        ),
        "WorkstationName" => n("The name of the client computer, when known.", "接続元コンピューターの名前 (わかる場合)。"),
        "IpAddress" => n(
            "The source address of the logon; unexpected addresses for a privileged account are worth checking.",
            "ログオンの送信元アドレス。特権アカウントで想定外のアドレスなら確認します。",
        ),
        "IpPort" => n("The source port.", "送信元ポート。"),
        "AuthenticationPackageName" => n(
            "Kerberos, NTLM or Negotiate. NTLM where Kerberos is expected can be a sign of credential misuse.",
            "Kerberos、NTLM、Negotiate のいずれか。Kerberos が想定される環境での NTLM は資格情報の悪用の兆候のことがあります。",
        ),
        "LogonProcessName" => n("The trusted logon process (User32, NtLmSsp, Kerberos, Advapi…).", "信頼されたログオン プロセス (User32、NtLmSsp、Kerberos、Advapi など)。"),
        "ElevatedToken" => n(
            "%%1842 Yes: the session has a full administrator token.",
            "%%1842 (はい): セッションが完全な管理者トークンを持っています。",
        ),
        "ImpersonationLevel" => n("How far the server may act as the client.", "サーバーがクライアントとしてどこまで動作できるか。"),
        "VirtualAccount" => n("Whether the account is a virtual (managed) account.", "仮想アカウントかどうか。"),
        "RestrictedAdminMode" => n("RDP Restricted Admin mode, when used.", "RDP の制限付き管理モード (使用時)。"),
        "TargetLinkedLogonId" => n("The paired session of a split (UAC) token.", "UAC で分割されたトークンの対となるセッション。"),
        "ProcessName" => n("The program that requested the logon.", "ログオンを要求したプログラム。"),
        "LogonGuid" => n("Links the logon to Kerberos events on the domain controller.", "ドメイン コントローラーの Kerberos イベントとログオンを結び付ける GUID。"),
        "KeyLength" => n("Session key length for NTLM; 0 for Kerberos.", "NTLM のセッション キー長。Kerberos では 0。"),
        "TransmittedServices" | "LmPackageName" => n("Details of the authentication used.", "使われた認証の詳細。"),
        "PrivilegeList" => n(
            "The sensitive privileges given to the session (SeDebugPrivilege, SeBackupPrivilege, SeTakeOwnershipPrivilege…). A session with SeBackupPrivilege can read key files directly.",
            "セッションに割り当てられた重要な特権 (SeDebugPrivilege、SeBackupPrivilege、SeTakeOwnershipPrivilege など)。SeBackupPrivilege を持つセッションはキー ファイルを直接読めます。",
        ),
        _ => return None,
    })
}

fn provider_system() -> Note {
    n(
        "The component that wrote the event: Microsoft-Windows-Security-Auditing for the Security log.",
        "イベントを書き込んだコンポーネント。セキュリティ ログでは Microsoft-Windows-Security-Auditing。",
    )
}

fn process_system() -> Note {
    n(
        "The process that wrote the event (for security events, the Local Security Authority, lsass.exe).",
        "イベントを書き込んだプロセス (セキュリティ イベントではローカル セキュリティ機関 lsass.exe)。",
    )
}
