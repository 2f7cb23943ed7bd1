//! The fact tables, kept as data: msobjs.dll insertion strings (`%%NNNN`), well-known SIDs,
//! CNG/KSP return codes, algorithms with their true key sizes, the names of the Security log's
//! events (English and Japanese), and the names of System Level, Task, Opcode, Keywords, logon
//! types and well-known logon sessions.
//!
//! The four large tables are the TSV files in `src/decoder/facts/` (each names its source in its
//! header); they are read once, on first use.
//!
//! ```
//! use keytrail::decoder::table;
//! assert_eq!(table::insertion_string("%%2464"), Some("Export of persistent cryptographic key."));
//! assert_eq!(table::sid_name("S-1-5-18"), Some("System (LocalSystem)"));
//! assert_eq!(table::decode("KeyType", "%%2500").as_deref(), Some("User key."));
//! assert_eq!(table::event_name(4738), Some("A user account was changed"));
//! ```

use super::value::{parse_number, trim};
use std::collections::HashMap;
use std::sync::OnceLock;

const MSOBJS: &str = include_str!("facts/facts_msobjs_2400-2510.tsv");
const NTE: &str = include_str!("facts/facts_nte_hresults.tsv");
const SIDS: &str = include_str!("facts/facts_wellknown_sids.tsv");
const SECURITY_EVENTS: &str = include_str!("facts/facts_security_events.tsv");
const TEMPLATES: &str = include_str!("facts/facts_security_templates.tsv");

/// Data rows of a TSV file: comment lines (`#`) and the header row are skipped.
fn rows(tsv: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    tsv.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|l| l.split('\t').collect())
}

fn msobjs() -> &'static [(u32, &'static str)] {
    static T: OnceLock<Vec<(u32, &'static str)>> = OnceLock::new();
    T.get_or_init(|| {
        let mut v: Vec<_> = rows(MSOBJS)
            .filter_map(|r| Some((r.first()?.parse().ok()?, *r.get(1)?)))
            .collect();
        v.sort_unstable();
        v
    })
}

/// A return code: its symbolic name and what it means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReturnCode {
    /// The code.
    pub code: u32,
    /// Symbolic name, e.g. `NTE_PERM`.
    pub name: &'static str,
    /// The system message, when known ("" otherwise).
    pub text: &'static str,
}

fn nte() -> &'static [ReturnCode] {
    static T: OnceLock<Vec<ReturnCode>> = OnceLock::new();
    T.get_or_init(|| {
        let mut v: Vec<_> = rows(NTE)
            .filter_map(|r| {
                let code = parse_number(r.first()?)? as u32;
                let text = r.get(2).copied().unwrap_or("");
                // Drop the bracketed note about older SDK wording.
                let text = text.split(" [").next().unwrap_or("").trim();
                Some(ReturnCode {
                    code,
                    name: r.get(1)?,
                    text,
                })
            })
            .collect();
        v.sort_unstable_by_key(|r| r.code);
        v
    })
}

fn sids() -> &'static [(&'static str, &'static str)] {
    static T: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
    T.get_or_init(|| {
        rows(SIDS)
            .filter_map(|r| Some((*r.first()?, *r.get(1)?)))
            .collect()
    })
}

/// A Security log event's names: Windows' own title and keytrail's Japanese for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventName {
    /// The event ID.
    pub id: u32,
    /// Windows' title, without its final full stop (`A user account was changed`).
    pub en: &'static str,
    /// The Japanese name (`ユーザー アカウントが変更されました`).
    pub ja: &'static str,
}

fn security_events() -> &'static [EventName] {
    static T: OnceLock<Vec<EventName>> = OnceLock::new();
    T.get_or_init(|| {
        let mut v: Vec<_> = rows(SECURITY_EVENTS)
            .filter_map(|r| {
                Some(EventName {
                    id: r.first()?.parse().ok()?,
                    en: r.get(1)?,
                    ja: r.get(2)?,
                })
            })
            .collect();
        v.sort_unstable_by_key(|e| e.id);
        v
    })
}

/// The names of a Security log event by ID, when the table knows it.
pub fn security_event(event_id: u32) -> Option<EventName> {
    let t = security_events();
    t.binary_search_by_key(&event_id, |e| e.id)
        .ok()
        .map(|i| t[i])
}

/// Windows' title of a Security log event, e.g. 4738 → "A user account was changed".
pub fn event_name(event_id: u32) -> Option<&'static str> {
    security_event(event_id).map(|e| e.en)
}

/// The Japanese name of a Security log event, e.g. 4738 → "ユーザー アカウントが変更されました".
pub fn event_name_ja(event_id: u32) -> Option<&'static str> {
    security_event(event_id).map(|e| e.ja)
}

/// Every Security log event the table names, in ID order.
pub fn security_event_names() -> impl Iterator<Item = EventName> {
    security_events().iter().copied()
}

/// One field of an event template: its `Data Name` and the manifest's type (`SID`, `HexInt64`,
/// `Pointer`, `UInt32`, `GUID`, `FILETIME`…; `UnicodeString` when the table gives none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    /// The field's name.
    pub name: &'static str,
    /// The manifest's `inType`, without `win:`.
    pub ty: &'static str,
}

type Template = (u32, u8, Vec<Slot>);

fn templates() -> &'static [Template] {
    static T: OnceLock<Vec<Template>> = OnceLock::new();
    T.get_or_init(|| {
        let mut v: Vec<Template> = rows(TEMPLATES)
            .filter_map(|r| {
                let slots = r
                    .get(2)?
                    .split(' ')
                    .filter(|f| !f.is_empty())
                    .map(|f| match f.split_once(':') {
                        Some((name, ty)) => Slot { name, ty },
                        None => Slot {
                            name: f,
                            ty: "UnicodeString",
                        },
                    })
                    .collect();
                Some((r.first()?.parse().ok()?, r.get(1)?.parse().ok()?, slots))
            })
            .collect();
        v.sort_unstable_by_key(|t| (t.0, t.1));
        v
    })
}

/// The fields of a Security event's template, in the order Windows logs them: what names
/// PowerShell's positional `Properties` (Get-WinEvent, Export-Clixml) when the table knows the
/// event. The template of `version` when it is listed, else that of the nearest version below it,
/// else the event's lowest listed version.
///
/// ```
/// use keytrail::decoder::table::template;
/// let t = template(5059, 0).unwrap();
/// assert_eq!((t[3].name, t[3].ty), ("SubjectLogonId", "HexInt64"));
/// assert_eq!(t.last().unwrap().name, "ReturnCode");
/// assert_eq!(template(5059, 1).unwrap()[4].name, "ClientProcessId");
/// assert!(template(1, 0).is_none());
/// ```
pub fn template(event_id: u32, version: u8) -> Option<&'static [Slot]> {
    let t = templates();
    let of_event: Vec<&Template> = t.iter().filter(|e| e.0 == event_id).collect();
    of_event
        .iter()
        .rev()
        .find(|e| e.1 <= version)
        .or_else(|| of_event.first())
        .map(|e| e.2.as_slice())
}

/// The text of a `%%NNNN` insertion string, e.g. `%%2464` → "Export of persistent cryptographic
/// key.". Accepts surrounding white space.
pub fn insertion_string(raw: &str) -> Option<&'static str> {
    let id: u32 = trim(raw).strip_prefix("%%")?.parse().ok()?;
    let t = msobjs();
    t.binary_search_by_key(&id, |&(k, _)| k)
        .ok()
        .map(|i| t[i].1)
}

/// A value in words when it is a `%%NNNN` code the table knows, else the value as logged.
pub fn in_words(raw: &str) -> &str {
    insertion_string(raw).unwrap_or(raw)
}

/// The `%%NNNN` code (its number) of a text in the table, ignoring case and a final full stop:
/// the way back from [`in_words`].
pub fn code_of(words: &str) -> Option<u32> {
    let words = words.trim();
    let words = words.strip_suffix('.').unwrap_or(words);
    msobjs()
        .iter()
        .find(|(_, text)| text.trim_end_matches('.').eq_ignore_ascii_case(words))
        .map(|&(code, _)| code)
}

/// Every `%%NNNN` code the table knows, in order.
pub fn insertion_strings() -> impl Iterator<Item = (u32, &'static str)> {
    msobjs().iter().copied()
}

/// A return code by value (`0x80090010`, `0x0`, any case or padding).
pub fn return_code(raw: &str) -> Option<ReturnCode> {
    let code = u32::try_from(parse_number(raw)?).ok()?;
    let t = nte();
    t.binary_search_by_key(&code, |r| r.code).ok().map(|i| t[i])
}

/// The display name of a well-known SID, including the domain-relative ones
/// (`S-1-5-21-…-500` is the Administrator account).
pub fn sid_name(sid: &str) -> Option<&'static str> {
    let sid = trim(sid);
    let names = sid_names();
    // Looked up as the table writes SIDs (an upper-case `S`); any other case is rare.
    let exact = if sid.bytes().any(|b| b.is_ascii_lowercase()) {
        names.exact.get(sid.to_ascii_uppercase().as_str())
    } else {
        names.exact.get(sid)
    };
    if let Some(&name) = exact {
        return Some(name);
    }
    // S-1-5-21-<three sub-authorities>-<RID>, the S in either case: three more dashes.
    let rest = sid
        .get(..9)
        .filter(|head| head.eq_ignore_ascii_case("S-1-5-21-"))
        .map(|_| &sid[9..])?;
    if rest.bytes().filter(|&b| b == b'-').count() != 3 {
        return None;
    }
    let (_, rid) = rest.rsplit_once('-')?;
    names.relative.get(rid).copied()
}

/// [`sids`] for looking up: by the SID in upper case, and the domain-relative ones
/// (`S-1-5-21-*-RID`) by their RID; the first of the table's rows where two are the same.
struct SidNames {
    exact: HashMap<String, &'static str>,
    relative: HashMap<&'static str, &'static str>,
}

fn sid_names() -> &'static SidNames {
    static T: OnceLock<SidNames> = OnceLock::new();
    T.get_or_init(|| {
        let mut names = SidNames {
            exact: HashMap::new(),
            relative: HashMap::new(),
        };
        for &(sid, name) in sids() {
            names.exact.entry(sid.to_ascii_uppercase()).or_insert(name);
            if let Some(rid) = sid.strip_prefix("S-1-5-21-*-") {
                names.relative.entry(rid).or_insert(name);
            }
        }
        names
    })
}

/// A cryptographic algorithm as CNG names it in key events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Algorithm {
    /// The name as logged (`ECDH_P521`).
    pub name: &'static str,
    /// What it is.
    pub description: &'static str,
    /// Key length in bits when the name fixes it (ECDH_P521 is a 521-bit curve).
    pub key_bits: Option<u32>,
}

const ALGORITHMS: &[Algorithm] = &[
    alg(
        "RSA",
        "RSA public-key algorithm (Rivest, Shamir, Adleman); key length varies",
        None,
    ),
    alg(
        "DSA",
        "Digital Signature Algorithm; key length varies",
        None,
    ),
    alg("DH", "Diffie-Hellman key exchange; key length varies", None),
    alg(
        "ECDH_P256",
        "Elliptic-curve Diffie-Hellman on NIST P-256",
        Some(256),
    ),
    alg(
        "ECDH_P384",
        "Elliptic-curve Diffie-Hellman on NIST P-384",
        Some(384),
    ),
    alg(
        "ECDH_P521",
        "Elliptic-curve Diffie-Hellman on NIST P-521",
        Some(521),
    ),
    alg(
        "ECDSA_P256",
        "Elliptic-curve DSA signatures on NIST P-256",
        Some(256),
    ),
    alg(
        "ECDSA_P384",
        "Elliptic-curve DSA signatures on NIST P-384",
        Some(384),
    ),
    alg(
        "ECDSA_P521",
        "Elliptic-curve DSA signatures on NIST P-521",
        Some(521),
    ),
    alg(
        "ECDH",
        "Elliptic-curve Diffie-Hellman, curve chosen separately",
        None,
    ),
    alg(
        "ECDSA",
        "Elliptic-curve DSA signatures, curve chosen separately",
        None,
    ),
    alg(
        "AES",
        "AES symmetric cipher (128, 192 or 256-bit key)",
        None,
    ),
    alg("3DES", "Triple DES symmetric cipher", Some(168)),
    alg("3DES_112", "Two-key triple DES symmetric cipher", Some(112)),
    alg("DES", "DES symmetric cipher (obsolete)", Some(56)),
    alg("RC2", "RC2 symmetric cipher (obsolete)", None),
    alg("RC4", "RC4 stream cipher (obsolete)", None),
    alg(
        "UNKNOWN",
        "algorithm not reported; usual when a persisted key is read from its file",
        None,
    ),
];

const fn alg(name: &'static str, description: &'static str, key_bits: Option<u32>) -> Algorithm {
    Algorithm {
        name,
        description,
        key_bits,
    }
}

/// An algorithm by its logged name (case-insensitive).
pub fn algorithm(name: &str) -> Option<&'static Algorithm> {
    let name = trim(name);
    ALGORITHMS
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(name))
}

/// Every algorithm the table knows.
pub fn algorithms() -> &'static [Algorithm] {
    ALGORITHMS
}

/// The name of a System `Level`.
pub fn level_name(level: u64) -> Option<&'static str> {
    Some(match level {
        0 => "Log Always (shown as Information)",
        1 => "Critical",
        2 => "Error",
        3 => "Warning",
        4 => "Information",
        5 => "Verbose",
        _ => return None,
    })
}

/// The name of a System `Opcode`.
pub fn opcode_name(opcode: u64) -> Option<&'static str> {
    Some(match opcode {
        0 => "Info",
        1 => "Start",
        2 => "Stop",
        _ => return None,
    })
}

/// The audit subcategory (Task) names of the Security log.
const TASKS: &[(u64, &str)] = &[
    (12288, "Security State Change"),
    (12289, "Security System Extension"),
    (12290, "System Integrity"),
    (12291, "IPsec Driver"),
    (12292, "Other System Events"),
    (12544, "Logon"),
    (12545, "Logoff"),
    (12546, "Account Lockout"),
    (12547, "IPsec Main Mode"),
    (12548, "Special Logon"),
    (12549, "IPsec Quick Mode"),
    (12550, "IPsec Extended Mode"),
    (12551, "Other Logon/Logoff Events"),
    (12552, "Network Policy Server"),
    (12553, "User / Device Claims"),
    (12554, "Group Membership"),
    (12800, "File System"),
    (12801, "Registry"),
    (12802, "Kernel Object"),
    (12803, "SAM"),
    (12804, "Other Object Access Events"),
    (12805, "Certification Services"),
    (12806, "Application Generated"),
    (12807, "Handle Manipulation"),
    (12808, "File Share"),
    (12809, "Filtering Platform Packet Drop"),
    (12810, "Filtering Platform Connection"),
    (12811, "Detailed File Share"),
    (12812, "Removable Storage"),
    (12813, "Central Policy Staging"),
    (13056, "Sensitive Privilege Use"),
    (13057, "Non Sensitive Privilege Use"),
    (13058, "Other Privilege Use Events"),
    (13312, "Process Creation"),
    (13313, "Process Termination"),
    (13314, "DPAPI Activity"),
    (13315, "RPC Events"),
    (13316, "Plug and Play Events"),
    (13317, "Token Right Adjusted Events"),
    (13568, "Audit Policy Change"),
    (13569, "Authentication Policy Change"),
    (13570, "Authorization Policy Change"),
    (13571, "MPSSVC Rule-Level Policy Change"),
    (13572, "Filtering Platform Policy Change"),
    (13573, "Other Policy Change Events"),
    (13824, "User Account Management"),
    (13825, "Computer Account Management"),
    (13826, "Security Group Management"),
    (13827, "Distribution Group Management"),
    (13828, "Application Group Management"),
    (13829, "Other Account Management Events"),
    (14080, "Directory Service Access"),
    (14081, "Directory Service Changes"),
    (14082, "Directory Service Replication"),
    (14083, "Detailed Directory Service Replication"),
    (14336, "Credential Validation"),
    (14337, "Kerberos Service Ticket Operations"),
    (14338, "Other Account Logon Events"),
    (14339, "Kerberos Authentication Service"),
];

/// The name of a Security log `Task` (its audit subcategory).
pub fn task_name(task: u64) -> Option<&'static str> {
    TASKS.iter().find(|&&(t, _)| t == task).map(|&(_, n)| n)
}

/// The Task value of a task's name (any case): the way back from [`task_name`], for exports
/// that give only the name (winlogbeat's `winlog.task`).
pub fn task_of(name: &str) -> Option<u64> {
    let name = name.trim();
    TASKS
        .iter()
        .find(|&&(_, n)| n.eq_ignore_ascii_case(name))
        .map(|&(t, _)| t)
}

/// The Keywords bits of keyword names (any case; unknown names add nothing): the way back from
/// [`keyword_names`].
pub fn keyword_bits<'a>(names: impl IntoIterator<Item = &'a str>) -> u64 {
    names
        .into_iter()
        .filter_map(|name| {
            KEYWORDS
                .iter()
                .find(|&&(_, n)| n.eq_ignore_ascii_case(name.trim()))
        })
        .fold(0, |bits, &(bit, _)| bits | bit)
}

/// Keyword bit for Audit Failure.
pub const AUDIT_FAILURE: u64 = 0x0010_0000_0000_0000;
/// Keyword bit for Audit Success.
pub const AUDIT_SUCCESS: u64 = 0x0020_0000_0000_0000;

const KEYWORDS: &[(u64, &str)] = &[
    (0x0001_0000_0000_0000, "Response Time"),
    (0x0002_0000_0000_0000, "WDI Context"),
    (0x0004_0000_0000_0000, "WDI Diagnostic"),
    (0x0008_0000_0000_0000, "SQM"),
    (AUDIT_FAILURE, "Audit Failure"),
    (AUDIT_SUCCESS, "Audit Success"),
    (0x0040_0000_0000_0000, "Correlation Hint"),
    (0x0080_0000_0000_0000, "Classic"),
];

/// The names of the standard keyword bits set in `keywords`.
pub fn keyword_names(keywords: u64) -> Vec<&'static str> {
    KEYWORDS
        .iter()
        .filter(|&&(bit, _)| keywords & bit != 0)
        .map(|&(_, n)| n)
        .collect()
}

/// The name of a logon type (4624, 4625, 4634).
pub fn logon_type_name(logon_type: u64) -> Option<&'static str> {
    Some(match logon_type {
        0 => "System",
        2 => "Interactive",
        3 => "Network",
        4 => "Batch",
        5 => "Service",
        7 => "Unlock",
        8 => "NetworkCleartext",
        9 => "NewCredentials",
        10 => "RemoteInteractive",
        11 => "CachedInteractive",
        12 => "CachedRemoteInteractive",
        13 => "CachedUnlock",
        _ => return None,
    })
}

/// The name of a well-known logon session (LUID), e.g. `0x3e7` is the SYSTEM session.
pub fn logon_session_name(logon_id: &str) -> Option<&'static str> {
    Some(match parse_number(logon_id)? {
        0x3e7 => "SYSTEM session",
        0x3e6 => "anonymous logon session",
        0x3e5 => "LOCAL SERVICE session",
        0x3e4 => "NETWORK SERVICE session",
        0x3e3 => "IUSR session",
        _ => return None,
    })
}

/// Decodes a body field's raw value by what its name says it holds, when a table knows the value:
/// `%%NNNN` strings in any field, SIDs, logon sessions, return codes, algorithms, logon types.
pub fn decode(name: &str, raw: &str) -> Option<String> {
    let value = trim(raw);
    if value.starts_with("%%") {
        return insertion_string(value).map(str::to_string);
    }
    if name.ends_with("Sid") || name == "UserID" {
        return sid_name(value).map(str::to_string);
    }
    if name.ends_with("LogonId") {
        return logon_session_name(value).map(str::to_string);
    }
    match name {
        // Joined by hand: `format!` took several times as long, once per key event.
        "ReturnCode" => return_code(value).map(|r| {
            let mut out = String::with_capacity(value.len() + r.name.len() + r.text.len() + 3);
            out.push_str(value);
            out.push(' ');
            out.push_str(r.name);
            if !r.text.is_empty() {
                out.push_str(": ");
                out.push_str(r.text);
            }
            out
        }),
        "AlgorithmName" => algorithm(value).map(|a| match a.key_bits {
            Some(bits) => format!("{} ({bits}-bit key)", a.description),
            None => a.description.to_string(),
        }),
        "LogonType" => parse_number(value)
            .and_then(logon_type_name)
            .map(str::to_string),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msobjs_table_covers_the_key_event_codes() {
        for code in 2448..=2501u32 {
            let known = insertion_strings().any(|(c, _)| c == code);
            let absent = (2452..=2455).contains(&code)
                || (2460..=2463).contains(&code)
                || (2466..=2479).contains(&code);
            assert_eq!(known, !absent, "%%{code}");
        }
        assert_eq!(insertion_string("%%2499"), Some("Machine key."));
        assert_eq!(
            insertion_string(" %%2458 "),
            Some("Read persisted key from file.")
        );
        assert_eq!(insertion_string("%%2432"), Some("Not Available."));
        assert_eq!(insertion_string("%%9999"), None);
    }

    #[test]
    fn return_codes_in_any_spelling() {
        let r = return_code("0x80090010").unwrap();
        assert_eq!((r.name, r.text), ("NTE_PERM", "Access denied."));
        assert_eq!(
            return_code("0X80090016").unwrap().text,
            "Key set does not exist."
        );
        assert_eq!(return_code("0x0").unwrap().name, "ERROR_SUCCESS");
        assert_eq!(
            decode("ReturnCode", "0x80090036").as_deref(),
            Some("0x80090036 NTE_USER_CANCELLED")
        );
        assert_eq!(
            decode("ReturnCode", " 0X80090016 ").as_deref(),
            Some("0X80090016 NTE_BAD_KEYSET: Key set does not exist.")
        );
    }

    #[test]
    fn sids_exact_and_domain_relative() {
        assert_eq!(sid_name("S-1-5-32-544"), Some("Administrators"));
        assert_eq!(
            sid_name("S-1-5-21-3457937927-2839227994-823803824-500"),
            Some("Administrator (domain or local)")
        );
        assert_eq!(
            sid_name("S-1-5-21-3457937927-2839227994-823803824-1104"),
            None
        );
        // As logged: any case, spaces around.
        assert_eq!(sid_name(" s-1-5-18 "), Some("System (LocalSystem)"));
        assert_eq!(sid_name("s-1-5-21-1-2-3-512"), Some("Domain Admins"));
        // Only three sub-authorities make a domain SID: a RID after two or four is not one.
        assert_eq!(sid_name("S-1-5-21-1-2-500"), None);
        assert_eq!(sid_name("S-1-5-21-1-2-3-4-500"), None);
        assert_eq!(sid_name("S-1-5-22-1-2-3-500"), None);
        // Every row of the table is found as written, and in lower case.
        for &(sid, name) in sids() {
            let first = sids().iter().find(|(s, _)| s.eq_ignore_ascii_case(sid));
            assert_eq!(sid_name(sid), first.map(|&(_, n)| n), "{sid}");
            if !sid.contains('*') {
                assert_eq!(sid_name(&sid.to_lowercase()), Some(name), "{sid}");
            }
        }
    }

    #[test]
    fn algorithms_carry_their_true_key_size() {
        assert_eq!(algorithm("ECDH_P521").unwrap().key_bits, Some(521));
        assert_eq!(algorithm("ecdsa_p384").unwrap().key_bits, Some(384));
        assert!(decode("AlgorithmName", "ECDH_P521")
            .unwrap()
            .contains("521-bit"));
    }

    #[test]
    fn security_event_table_parses_with_unique_ids_and_both_names() {
        let data_rows = rows(SECURITY_EVENTS).count();
        let names: Vec<_> = security_event_names().collect();
        assert_eq!(names.len(), data_rows, "every row parses");
        assert!(names.len() >= 390, "{}", names.len());
        for pair in names.windows(2) {
            assert!(
                pair[0].id < pair[1].id,
                "duplicate or unsorted {}",
                pair[1].id
            );
        }
        for e in &names {
            assert!(
                !e.en.trim().is_empty() && !e.ja.trim().is_empty(),
                "{}",
                e.id
            );
            assert!(
                !e.en.ends_with('.') && !e.en.contains('%'),
                "{}: {}",
                e.id,
                e.en
            );
            assert_eq!(e.en, e.en.trim(), "{}", e.id);
        }
        let named_in_issue = [4725, 4728, 4738, 4799, 5379];
        let known_before = [
            4624, 4625, 4634, 4647, 4648, 4672, 4688, 1102, 5058, 5059, 5061,
        ];
        for id in named_in_issue.into_iter().chain(known_before) {
            assert!(
                event_name(id).is_some() && event_name_ja(id).is_some(),
                "{id}"
            );
        }
        assert_eq!(event_name(5059), Some("Key migration operation"));
        assert_eq!(event_name(4738), Some("A user account was changed"));
        assert_eq!(
            event_name_ja(4738),
            Some("ユーザー アカウントが変更されました")
        );
        assert_eq!(event_name(4711), None);
    }

    #[test]
    fn system_names() {
        assert_eq!(task_name(12292), Some("Other System Events"));
        assert_eq!(task_name(12290), Some("System Integrity"));
        assert_eq!(keyword_names(0x8020_0000_0000_0000), ["Audit Success"]);
        assert_eq!(
            decode("SubjectLogonId", "0x00000000000003E7").as_deref(),
            Some("SYSTEM session")
        );
        assert_eq!(
            decode("LogonType", "10").as_deref(),
            Some("RemoteInteractive")
        );
    }
}
