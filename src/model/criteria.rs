//! What monitoring rules and routine patterns both match on: text patterns (exact, glob with
//! `{GUID}` and `{HEX}`, regex), key kinds, operations in words, and the [`Subject`] an event or
//! a compact row shows them. [`rules`](super::rules) and [`routine`](super::routine) build on
//! it; neither depends on the other's insides.

use crate::decoder::table;
use crate::decoder::view::{is_key_event, Outcome};
use crate::decoder::Event;
use crate::model::store::{Row, Store};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// How a text criterion matches (case-insensitive).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pattern {
    /// The whole value, ignoring case.
    Exact(String),
    /// `*` any run of characters, `?` one character, `{GUID}` a GUID (braces optional), `{HEX}`
    /// a run of hex digits; ignoring case.
    Glob(String),
    /// A regular expression (regex-lite syntax), searched anywhere in the value, ignoring case.
    Regex(String),
}

impl Pattern {
    /// A user's line of key names as a pattern: a glob when it has `*` or `?`, else exact.
    pub fn from_line(line: &str) -> Pattern {
        let line = line.trim();
        if line.contains(['*', '?']) {
            Pattern::Glob(line.to_string())
        } else {
            Pattern::Exact(line.to_string())
        }
    }

    /// The pattern as written.
    pub fn text(&self) -> &str {
        match self {
            Pattern::Exact(s) | Pattern::Glob(s) | Pattern::Regex(s) => s,
        }
    }
}

/// Machine or user key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// `%%2499` Machine key.
    Machine,
    /// `%%2500` User key.
    User,
}

/// A rule that cannot be used, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError {
    /// The rule's id (empty when the file as a whole cannot be read).
    pub rule: String,
    /// What is wrong.
    pub reason: RuleProblem,
}

/// Why a rule or a rules file cannot be used: a value, worded by each language's catalogue
/// (its [`Display`](fmt::Display) is the English the CLI prints).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleProblem {
    /// More rules than can be used at once.
    TooManyRules {
        /// The limit.
        limit: usize,
    },
    /// More routine patterns than can be used at once.
    TooManyPatterns {
        /// The limit.
        limit: usize,
    },
    /// The rule's business hours cannot be used.
    Hours(HoursProblem),
    /// A `regex` pattern does not compile.
    Regex {
        /// What the regular-expression parser reported (its own words).
        reason: String,
    },
    /// A routine pattern's return code is not a number.
    ReturnCode {
        /// The code as written.
        code: String,
    },
    /// The file is not rules JSON.
    Json {
        /// What the JSON parser reported (its own words).
        reason: String,
    },
}

/// Why business hours cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HoursProblem {
    /// The time zone is not one this platform knows.
    UnknownZone {
        /// The name given.
        zone: String,
    },
    /// The hours are not a range within a day.
    NotARange {
        /// The first hour.
        start: u8,
        /// The hour after the last.
        end: u8,
    },
    /// A day is not 1 (Monday) to 7 (Sunday).
    BadDay,
    /// The offset from UTC is more than any time zone's.
    OffsetTooLarge {
        /// The offset, in minutes.
        minutes: i32,
    },
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.rule.is_empty() {
            return write!(f, "{}", self.reason);
        }
        write!(f, "rule `{}`: {}", self.rule, self.reason)
    }
}

impl fmt::Display for RuleProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooManyRules { limit } => write!(f, "at most {limit} rules can be used at once"),
            Self::TooManyPatterns { limit } => {
                write!(f, "at most {limit} routine patterns can be used at once")
            }
            Self::Hours(h) => write!(f, "{h}"),
            Self::Regex { reason } => f.write_str(reason),
            Self::ReturnCode { code } => write!(f, "ReturnCode `{code}` is not a number"),
            Self::Json { reason } => write!(f, "rules JSON: {reason}"),
        }
    }
}

impl fmt::Display for HoursProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownZone { zone } => write!(
                f,
                "`{zone}` is not a time zone this platform knows (an IANA name such as Europe/Berlin)"
            ),
            Self::NotARange { start, end } => {
                write!(f, "working hours {start}–{end} are not a range within a day")
            }
            Self::BadDay => f.write_str("days are numbered 1 (Monday) to 7 (Sunday)"),
            Self::OffsetTooLarge { minutes } => write!(
                f,
                "an offset from UTC of {minutes} minutes is more than any time zone's"
            ),
        }
    }
}

impl std::error::Error for RuleError {}

/// A compiled [`Pattern`].
pub(crate) enum Matcher {
    Exact(String),
    Regex(regex_lite::Regex),
}

/// What `{GUID}` stands for in a glob: a GUID, with or without its braces.
const GUID_RE: &str = r"\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?";

impl Matcher {
    pub(crate) fn new(p: &Pattern) -> Result<Self, RuleProblem> {
        let build = |re: &str| {
            regex_lite::RegexBuilder::new(re)
                .case_insensitive(true)
                .build()
                .map_err(|e| RuleProblem::Regex {
                    reason: e.to_string(),
                })
        };
        Ok(match p {
            Pattern::Exact(s) => Self::Exact(s.to_lowercase()),
            Pattern::Glob(g) => {
                let mut re = String::from("^");
                let mut rest = g.as_str();
                while let Some(c) = rest.chars().next() {
                    let head = |n: usize| rest.get(..n).map(str::to_ascii_uppercase);
                    if head(6).as_deref() == Some("{GUID}") {
                        re.push_str(GUID_RE);
                        rest = &rest[6..];
                        continue;
                    }
                    if head(5).as_deref() == Some("{HEX}") {
                        re.push_str("[0-9a-f]+");
                        rest = &rest[5..];
                        continue;
                    }
                    rest = &rest[c.len_utf8()..];
                    match c {
                        '*' => re.push_str(".*"),
                        '?' => re.push('.'),
                        c => re.push_str(&regex_lite::escape(c.encode_utf8(&mut [0; 4]))),
                    }
                }
                re.push('$');
                Self::Regex(build(&re)?)
            }
            Pattern::Regex(r) => Self::Regex(build(r)?),
        })
    }

    pub(crate) fn is_match(&self, value: &str) -> bool {
        match self {
            Self::Exact(s) => value.to_lowercase() == *s,
            Self::Regex(r) => r.is_match(value),
        }
    }
}

/// A key type in Windows' words (`Machine key.`).
pub fn key_type_words(kind: KeyKind) -> &'static str {
    table::in_words(match kind {
        KeyKind::Machine => "%%2499",
        KeyKind::User => "%%2500",
    })
}

/// The `%%NNNN` code an operation criterion stands for: `export` and `import` are the 5059
/// operations; decoded texts are looked up in the msobjs table.
fn operation_code(op: &str) -> String {
    let op = op.trim();
    match op.to_ascii_lowercase().as_str() {
        "export" => return "%%2464".into(),
        "import" => return "%%2465".into(),
        _ => {}
    }
    if op.starts_with("%%") {
        return op.to_string();
    }
    table::code_of(op).map_or_else(|| op.to_lowercase(), |code| format!("%%{code}"))
}

/// An operation criterion in the words events are compared in: the decoded text of its code.
pub(crate) fn operation_words(op: &str) -> String {
    let code = operation_code(op);
    table::insertion_string(&code).map_or(code, str::to_string)
}

pub(crate) fn compile_list(
    list: &Option<Vec<Pattern>>,
) -> Result<Option<Vec<Matcher>>, RuleProblem> {
    list.as_ref()
        .map(|l| l.iter().map(Matcher::new).collect())
        .transpose()
}

/// What rules look at, the same whether it comes from a decoded [`Event`] (the CLI) or from a
/// compact [`Row`] of the viewer's store ([`RowSubject`]). Coded values are compared in words.
pub trait Subject {
    /// `System/EventID`.
    fn event_id(&self) -> u32;
    /// `KeyName` (`""` when absent).
    fn key_name(&self) -> &str;
    /// `Operation` in words ("Export of persistent cryptographic key.").
    fn operation(&self) -> &str;
    /// `KeyType` in words ("Machine key.").
    fn key_type(&self) -> &str;
    /// `ProviderName`: the key storage provider (`""` for events without one).
    fn provider(&self) -> &str;
    /// `AlgorithmName` in words (`%%2432` reads "Not Available.").
    fn algorithm(&self) -> &str;
    /// `ReturnCode` as logged.
    fn return_code(&self) -> &str;
    /// Audit Failure, or a key event's ReturnCode other than 0x0.
    fn failed(&self) -> bool;
    /// The acting account: `DOMAIN\user`, user, SID.
    fn account(&self) -> (Cow<'_, str>, &str, &str);
    /// `System/Computer`.
    fn computer(&self) -> &str;
    /// `TimeCreated` in ns since the Unix epoch.
    fn time(&self) -> Option<i64>;
}

/// A key field of a key event (5058, 5059, 5061), `""` for other events: the same projection
/// as the viewer's rows ([`Row::from_event`]).
fn key_field<'e>(ev: &'e Event, name: &str) -> &'e str {
    if is_key_event(ev.event_id()) {
        ev.data(name).unwrap_or("")
    } else {
        ""
    }
}

impl Subject for Event {
    fn event_id(&self) -> u32 {
        Event::event_id(self)
    }
    fn key_name(&self) -> &str {
        key_field(self, "KeyName")
    }
    fn operation(&self) -> &str {
        table::in_words(key_field(self, "Operation").trim())
    }
    fn key_type(&self) -> &str {
        table::in_words(key_field(self, "KeyType").trim())
    }
    fn provider(&self) -> &str {
        key_field(self, "ProviderName")
    }
    fn algorithm(&self) -> &str {
        table::in_words(key_field(self, "AlgorithmName").trim())
    }
    fn return_code(&self) -> &str {
        key_field(self, "ReturnCode")
    }
    fn failed(&self) -> bool {
        self.outcome() == Some(Outcome::Failure)
    }
    fn account(&self) -> (Cow<'_, str>, &str, &str) {
        let a = Event::account(self);
        (Cow::Owned(a.display()), a.user, a.sid)
    }
    fn computer(&self) -> &str {
        Event::computer(self)
    }
    fn time(&self) -> Option<i64> {
        Event::time(self).map(|t| t.nanos())
    }
}

/// A row of the viewer's [`Store`] as rules see it.
pub struct RowSubject<'a> {
    /// The row.
    pub row: &'a Row,
    /// The store that holds its strings.
    pub store: &'a Store,
}

impl RowSubject<'_> {
    fn key_event(&self) -> bool {
        is_key_event(self.row.event_id)
    }
}

impl Subject for RowSubject<'_> {
    fn event_id(&self) -> u32 {
        self.row.event_id
    }
    fn key_name(&self) -> &str {
        self.store.str(self.row.key_name)
    }
    fn operation(&self) -> &str {
        self.store.str(self.row.operation).trim()
    }
    fn key_type(&self) -> &str {
        self.store.str(self.row.key_type).trim()
    }
    fn provider(&self) -> &str {
        // Other events keep `System/Provider/@Name` in this column, which rules do not look at.
        if self.key_event() {
            self.store.str(self.row.provider)
        } else {
            ""
        }
    }
    fn algorithm(&self) -> &str {
        self.store.str(self.row.algorithm).trim()
    }
    fn return_code(&self) -> &str {
        self.store.str(self.row.return_code)
    }
    fn failed(&self) -> bool {
        self.row.outcome.get() == Some(Outcome::Failure)
    }
    fn account(&self) -> (Cow<'_, str>, &str, &str) {
        let display = self.store.str(self.row.account);
        let user = self.store.str(self.row.user);
        (Cow::Borrowed(display), user, self.store.str(self.row.sid))
    }
    fn computer(&self) -> &str {
        self.store.str(self.row.computer)
    }
    fn time(&self) -> Option<i64> {
        self.row.time()
    }
}

/// A number that tells one compiled set of rules or routine patterns from every other made by
/// this process (never 0), so that what a store remembers of their judgements
/// ([`Judgements`](super::store::Judgements)) is used for that set only.
pub(crate) fn compiled_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

pub(crate) fn any(list: &Option<Vec<Matcher>>, value: &str) -> bool {
    match list {
        None => true,
        Some(l) => l.iter().any(|m| m.is_match(value)),
    }
}

/// Is the event's key of this type?
pub(crate) fn key_type_is<S: Subject + ?Sized>(ev: &S, kind: KeyKind) -> bool {
    ev.key_type().eq_ignore_ascii_case(key_type_words(kind))
}

/// Is the event's operation one of `ops` (in words, see [`operation_words`])?
pub(crate) fn operation_in<S: Subject + ?Sized>(ops: &[String], ev: &S) -> bool {
    let op = ev.operation();
    ops.iter().any(|o| o.eq_ignore_ascii_case(op))
}

/// Does any of `list` match the acting account, as `DOMAIN\user`, user name or SID?
pub(crate) fn account_in<S: Subject + ?Sized>(list: &[Matcher], ev: &S) -> bool {
    let (display, user, sid) = ev.account();
    list.iter()
        .any(|m| m.is_match(&display) || m.is_match(user) || m.is_match(sid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_words_codes_and_texts_agree() {
        assert_eq!(operation_code("Export"), "%%2464");
        assert_eq!(
            operation_code("Import of persistent cryptographic key."),
            "%%2465"
        );
        assert_eq!(operation_code("open key"), "%%2480");
        assert_eq!(operation_code("%%2458"), "%%2458");
    }
}
