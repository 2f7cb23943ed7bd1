//! Monitoring rules: the advice of the 5059 reference page ("watch particular keys and particular
//! operations, exports above all") and of its appendix (accounts, hours), as data that matches
//! events and says why.
//!
//! A [`Rule`] combines criteria; every criterion that is set must hold. Lists are `None` for
//! "any", and an empty list matches nothing (so the "sensitive keys" preset stays quiet until the
//! user names keys). Rules are JSON: `[{"id": "…", "event_ids": [5059], "operations": ["export"]}]`.
//!
//! ```
//! use keytrail::model::rules::{presets, RuleSet};
//! use keytrail::decoder::decode_all;
//!
//! let xml = "<Event><System><EventID>5059</EventID><Keywords>0x8020000000000000</Keywords>\
//!            <Computer>CA01.contoso.local</Computer></System><EventData>\
//!            <Data Name='SubjectUserSid'>S-1-5-21-1-2-3-1112</Data>\
//!            <Data Name='SubjectUserName'>svc-backup</Data><Data Name='SubjectDomainName'>CONTOSO</Data>\
//!            <Data Name='KeyName'>CONTOSO-CA01-CA</Data><Data Name='KeyType'>%%2499</Data>\
//!            <Data Name='Operation'>%%2464</Data><Data Name='ReturnCode'>0x0</Data></EventData></Event>";
//! let (events, _, _) = decode_all(xml.as_bytes());
//! let rules = RuleSet::compile(presets()).unwrap();
//! let ids: Vec<_> = rules.matches(&events[0]).iter().map(|m| m.rule.id.clone()).collect();
//! assert_eq!(ids, ["export-any", "machine-key-export-not-system"]);
//! ```

use crate::decoder::table;
use crate::decoder::value::parse_number;
use crate::model::criteria::{
    account_in, any, compile_list, compiled_id, key_type_is, operation_in, operation_words, Matcher,
};
pub use crate::model::criteria::{
    key_type_words, HoursProblem, KeyKind, Pattern, RowSubject, RuleError, RuleProblem, Subject,
};
use crate::model::routine::{self, Routine, RoutinePattern};
use crate::model::store::{self, FoldMap, Row, Store, Sym};
use crate::model::zone::Zone;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Working hours: a rule with `outside_hours` fires for events outside them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Hours {
    /// First working hour (0–23), inclusive.
    pub start: u8,
    /// Last working hour (1–24), exclusive.
    pub end: u8,
    /// Working days, ISO numbers: 1 Monday … 7 Sunday.
    pub days: Vec<u8>,
    /// The site's fixed offset from UTC in minutes (event times are UTC), used when no
    /// `time_zone` is given.
    pub utc_offset_minutes: i32,
    /// The site's IANA time zone (`Europe/Berlin`): each event is placed in it as its clocks
    /// read then, daylight saving time included. Takes the place of `utc_offset_minutes`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

impl Default for Hours {
    fn default() -> Self {
        Self {
            start: 8,
            end: 18,
            days: vec![1, 2, 3, 4, 5],
            utc_offset_minutes: 0,
            time_zone: None,
        }
    }
}

/// The largest offset from UTC anywhere (UTC+14:00), in minutes.
pub const MAX_UTC_OFFSET_MINUTES: i32 = 14 * 60;

impl Hours {
    /// Working hours from what a user typed: the first and last hour, the days (1 Monday … 7
    /// Sunday), the offset from UTC in minutes (blank for 0) and the time zone (blank for the
    /// offset). `None` when a field is not a number, or the hours are not usable
    /// ([`Hours::check`]).
    pub fn from_fields(
        start: &str,
        end: &str,
        days: Vec<u8>,
        utc_offset: &str,
        time_zone: &str,
    ) -> Option<Hours> {
        let offset = utc_offset.trim();
        let zone = time_zone.trim();
        let hours = Hours {
            start: start.trim().parse().ok()?,
            end: end.trim().parse().ok()?,
            days,
            utc_offset_minutes: if offset.is_empty() {
                0
            } else {
                offset.parse().ok()?
            },
            time_zone: (!zone.is_empty()).then(|| zone.to_string()),
        };
        hours.check().ok().map(|()| hours)
    }

    /// Why these hours cannot be used, if they cannot: whole hours with `start` 0–23 before `end`
    /// 1–24, days 1–7, an offset of at most [`MAX_UTC_OFFSET_MINUTES`] either way, a time zone
    /// this platform knows.
    pub fn check(&self) -> Result<(), HoursProblem> {
        if let Some(zone) = &self.time_zone {
            if Zone::get(zone).is_none() {
                return Err(HoursProblem::UnknownZone { zone: zone.clone() });
            }
        }
        if self.start > 23 || self.end > 24 || self.start >= self.end {
            return Err(HoursProblem::NotARange {
                start: self.start,
                end: self.end,
            });
        }
        if self.days.iter().any(|d| !(1..=7).contains(d)) {
            return Err(HoursProblem::BadDay);
        }
        if self.utc_offset_minutes.abs() > MAX_UTC_OFFSET_MINUTES {
            return Err(HoursProblem::OffsetTooLarge {
                minutes: self.utc_offset_minutes,
            });
        }
        Ok(())
    }
}

/// The preset that watches the key names the user gives.
pub const SENSITIVE_KEY_RULE: &str = "sensitive-key-export";

/// `list` with the simple settings applied: the key names (one per line, see
/// [`Pattern::from_line`]) go to the [`SENSITIVE_KEY_RULE`], the hours to every rule that has
/// hours.
pub fn with_settings(mut list: Vec<Rule>, key_names: &str, hours: &Hours) -> Vec<Rule> {
    let names: Vec<Pattern> = key_names
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(Pattern::from_line)
        .collect();
    for rule in &mut list {
        if rule.id == SENSITIVE_KEY_RULE {
            rule.key_names = Some(names.clone());
        }
        if rule.outside_hours.is_some() {
            rule.outside_hours = Some(hours.clone());
        }
    }
    list
}

/// One monitoring rule.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rule {
    /// Stable identifier.
    pub id: String,
    /// Short title, English (a [`Preset`] carries its English title here; the page words it
    /// from its catalogue in every language).
    pub title: String,
    /// Short title, Japanese, of a rule written by the user.
    pub title_ja: String,
    /// Why this matters, English, of a rule written by the user.
    pub explanation: String,
    /// Why this matters, Japanese, of a rule written by the user.
    pub explanation_ja: String,
    /// Event IDs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_ids: Option<Vec<u32>>,
    /// Key names (`KeyName`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_names: Option<Vec<Pattern>>,
    /// Operations: `export`, `import`, a `%%NNNN` code or the decoded text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operations: Option<Vec<String>>,
    /// `true`: only failures (ReturnCode not 0x0, or Audit Failure); `false`: only successes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<bool>,
    /// Machine or user key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_type: Option<KeyKind>,
    /// Key storage providers (`ProviderName`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub providers: Option<Vec<Pattern>>,
    /// Algorithms (`AlgorithmName`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub algorithms: Option<Vec<Pattern>>,
    /// Fires only for accounts NOT matching any of these (`DOMAIN\user`, user name or SID).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accounts_allow: Option<Vec<Pattern>>,
    /// Fires only for accounts matching one of these.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accounts_deny: Option<Vec<Pattern>>,
    /// Skips SYSTEM, LOCAL SERVICE, NETWORK SERVICE and the computer's own account (`NAME$`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub exclude_system_accounts: bool,
    /// Fires only outside these hours.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outside_hours: Option<Hours>,
}

struct Compiled {
    key_names: Option<Vec<Matcher>>,
    operations: Option<Vec<String>>,
    providers: Option<Vec<Matcher>>,
    algorithms: Option<Vec<Matcher>>,
    allow: Option<Vec<Matcher>>,
    deny: Option<Vec<Matcher>>,
    /// The working hours' time zone, looked up once.
    zone: Option<Zone>,
}

/// What a rule file holds: the rules, the reviewer's own routine patterns, and whether the
/// built-in routine patterns ([`routine::builtin`]) are used too.
///
/// As JSON: `{"rules": […], "routine": […], "builtin_routine": true}`; a bare array of rules
/// is a file with no routine patterns of its own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RuleFile {
    /// The monitoring rules.
    pub rules: Vec<Rule>,
    /// The reviewer's own routine patterns, tried before the built-in ones.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub routine: Vec<RoutinePattern>,
    /// Use the built-in routine patterns.
    pub builtin_routine: bool,
}

impl Default for RuleFile {
    fn default() -> Self {
        Self::new(Vec::new())
    }
}

impl RuleFile {
    /// `rules` with the built-in routine patterns and none of one's own.
    pub fn new(rules: Vec<Rule>) -> Self {
        Self {
            rules,
            routine: Vec::new(),
            builtin_routine: true,
        }
    }

    /// Reads a rule file: an array of rules, or the object [`RuleFile`] describes.
    pub fn from_json(json: &str) -> Result<Self, RuleError> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Doc {
            List(Vec<Rule>),
            File(RuleFile),
        }
        match serde_json::from_str::<Doc>(json) {
            Ok(Doc::List(rules)) => Ok(Self::new(rules)),
            Ok(Doc::File(file)) => Ok(file),
            // The untagged error says nothing; the object's own error says where.
            Err(_) => serde_json::from_str::<RuleFile>(json).map_err(|e| RuleError {
                rule: String::new(),
                reason: RuleProblem::Json {
                    reason: e.to_string(),
                },
            }),
        }
    }

    /// The file as the editor shows and exports it.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The routine patterns in use, one's own first.
    pub fn routine_patterns(&self) -> Vec<RoutinePattern> {
        let mut list = self.routine.clone();
        if self.builtin_routine {
            list.extend(routine::builtin());
        }
        list
    }
}

/// Rules ready to match, with the routine patterns that set routine findings apart.
#[derive(Default)]
pub struct RuleSet {
    /// Which compiled set this is ([`compiled_id`]; 0: the empty default).
    id: u64,
    rules: Vec<Rule>,
    compiled: Vec<Compiled>,
    own_routine: Vec<RoutinePattern>,
    builtin_routine: bool,
    routine: Routine,
}

impl fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.rules.iter().map(|r| &r.id))
            .finish()
    }
}

/// One rule that matched one event, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Match<'r> {
    /// The rule.
    pub rule: &'r Rule,
    /// Its place in the set (its bit in [`RuleSet::mask`]).
    pub index: usize,
    /// What made it match, as values: worded in English by its `Display`
    /// (`5059 CONTOSO\svc-backup: Export of persistent cryptographic key., machine key.`), and
    /// in the page's language by the page.
    pub reason: Reason,
}

/// Why a rule matched an event: the event, the account, and each criterion that held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    /// `System/EventID`.
    pub event_id: u32,
    /// The acting account, `DOMAIN\user`.
    pub account: String,
    /// The criteria that held, in the rule's order.
    pub why: Vec<Why>,
}

/// One criterion that held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Why {
    /// The key's name matched a key-name criterion.
    Key(String),
    /// The operation, in Windows' words (`Export of persistent cryptographic key.`).
    Operation(String),
    /// The event failed: its ReturnCode (empty for an Audit Failure with none) and, when a
    /// table knows it, the code's text.
    Failed {
        /// The ReturnCode as logged, `""` for an Audit Failure without one.
        return_code: String,
        /// `0x80090016 NTE_BAD_KEYSET: …`, when known.
        text: Option<String>,
    },
    /// The key type.
    KeyType(KeyKind),
    /// The account is on the rule's watch list.
    Watched(String),
    /// The event came outside working hours.
    OutsideHours {
        /// Local hour (0–23).
        hour: u8,
        /// Local ISO weekday, 1 Monday … 7 Sunday.
        day: u8,
        /// First working hour.
        start: u8,
        /// Last working hour (exclusive).
        end: u8,
        /// The time zone's name, when the hours have one.
        zone: Option<String>,
    },
}

/// English weekday abbreviations, Monday first.
/// The weekdays as English reasons name them, Monday first (the English page uses them too).
pub const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Key(name) => write!(f, "key `{name}`"),
            Self::Operation(words) => f.write_str(words),
            Self::Failed { return_code, text } => match text {
                Some(text) => write!(f, "failed: {text}"),
                None if return_code.is_empty() => f.write_str("failed: Audit Failure"),
                None => write!(f, "failed: {return_code}"),
            },
            Self::KeyType(kind) => f.write_str(&key_type_words(*kind).to_lowercase()),
            Self::Watched(account) => write!(f, "account {account} is on the watch list"),
            Self::OutsideHours {
                hour,
                day,
                start,
                end,
                zone,
            } => {
                let zone = zone.as_ref().map_or(String::new(), |z| format!(" {z}"));
                write!(
                    f,
                    "at {hour:02}:xx on {} (outside {start:02}:00–{end:02}:00{zone})",
                    WEEKDAYS[usize::from(day.clamp(&1, &7) - 1)]
                )
            }
        }
    }
}

impl fmt::Display for Reason {
    /// `5059 CONTOSO\\svc-backup: why, why`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.event_id, self.account)?;
        for (i, why) in self.why.iter().enumerate() {
            f.write_str(if i == 0 { ": " } else { ", " })?;
            write!(f, "{why}")?;
        }
        Ok(())
    }
}

/// The most rules a [`RuleSet`] holds: [`RuleSet::mask`] gives one bit per rule.
pub const MAX_RULES: usize = 32;

impl RuleSet {
    /// Checks and compiles rules (patterns, hours), with the built-in routine patterns. At most
    /// [`MAX_RULES`].
    pub fn compile(rules: Vec<Rule>) -> Result<Self, RuleError> {
        Self::compile_file(RuleFile::new(rules))
    }

    /// Checks and compiles a rule file: its rules and routine patterns.
    pub fn compile_file(file: RuleFile) -> Result<Self, RuleError> {
        let routine = Routine::compile(file.routine_patterns())?;
        let mut set = Self::compile_rules(file.rules)?;
        set.own_routine = file.routine;
        set.builtin_routine = file.builtin_routine;
        set.routine = routine;
        Ok(set)
    }

    /// The rule file this set was compiled from.
    pub fn file(&self) -> RuleFile {
        RuleFile {
            rules: self.rules.clone(),
            routine: self.own_routine.clone(),
            builtin_routine: self.builtin_routine,
        }
    }

    /// The routine patterns in use.
    pub fn routine(&self) -> &Routine {
        &self.routine
    }

    fn compile_rules(rules: Vec<Rule>) -> Result<Self, RuleError> {
        if rules.len() > MAX_RULES {
            return Err(RuleError {
                rule: rules[MAX_RULES].id.clone(),
                reason: RuleProblem::TooManyRules { limit: MAX_RULES },
            });
        }
        let mut out = Vec::with_capacity(rules.len());
        let mut list = Vec::with_capacity(rules.len());
        for rule in rules {
            let err = |reason: RuleProblem| RuleError {
                rule: rule.id.clone(),
                reason,
            };
            if let Some(h) = &rule.outside_hours {
                h.check().map_err(|h| err(RuleProblem::Hours(h)))?;
            }
            let compiled = Compiled {
                key_names: compile_list(&rule.key_names).map_err(err)?,
                operations: rule
                    .operations
                    .as_ref()
                    .map(|ops| ops.iter().map(|o| operation_words(o)).collect()),
                providers: compile_list(&rule.providers).map_err(err)?,
                algorithms: compile_list(&rule.algorithms).map_err(err)?,
                allow: compile_list(&rule.accounts_allow).map_err(err)?,
                deny: compile_list(&rule.accounts_deny).map_err(err)?,
                zone: rule
                    .outside_hours
                    .as_ref()
                    .and_then(|h| h.time_zone.as_deref())
                    .and_then(Zone::get),
            };
            out.push(compiled);
            list.push(rule);
        }
        Ok(Self {
            id: compiled_id(),
            rules: list,
            compiled: out,
            ..Self::default()
        })
    }

    /// Reads rules from JSON: an array of rules, or `{"rules": [...]}`.
    pub fn from_json(json: &str) -> Result<Vec<Rule>, RuleError> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Doc {
            List(Vec<Rule>),
            Wrapped { rules: Vec<Rule> },
        }
        serde_json::from_str::<Doc>(json)
            .map(|d| match d {
                Doc::List(r) | Doc::Wrapped { rules: r } => r,
            })
            .map_err(|e| RuleError {
                rule: String::new(),
                reason: RuleProblem::Json {
                    reason: e.to_string(),
                },
            })
    }

    /// The rules, in order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// How many rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True when there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Every rule that matches, with the reason.
    pub fn matches<S: Subject + ?Sized>(&self, ev: &S) -> Vec<Match<'_>> {
        self.rules
            .iter()
            .zip(&self.compiled)
            .enumerate()
            .filter_map(|(index, (rule, c))| {
                let mut why = Vec::new();
                check(rule, c, ev, Some(&mut why)).then(|| Match {
                    rule,
                    index,
                    reason: Reason {
                        event_id: ev.event_id(),
                        account: ev.account().0.into_owned(),
                        why,
                    },
                })
            })
            .collect()
    }

    /// Which rules match, as bits (bit `i` for the `i`-th rule), without wording reasons: the
    /// fast path for marking a million rows.
    pub fn mask<S: Subject + ?Sized>(&self, ev: &S) -> u32 {
        self.mask_timed(self.mask_untimed(ev), ev)
    }

    /// [`RuleSet::mask`] in two halves: the rules `ev` matches but for their time-of-day
    /// conditions (the same for every row of one [`Likeness`])…
    fn mask_untimed<S: Subject + ?Sized>(&self, ev: &S) -> u32 {
        self.rules
            .iter()
            .zip(&self.compiled)
            .enumerate()
            .filter(|(_, (rule, c))| check_untimed(rule, c, ev, None))
            .fold(0, |m, (i, _)| m | 1 << i)
    }

    /// …and of those, `untimed`, the ones whose time of day also matches.
    fn mask_timed<S: Subject + ?Sized>(&self, untimed: u32, ev: &S) -> u32 {
        let mut mask = untimed;
        for (i, (rule, c)) in self.rules.iter().zip(&self.compiled).enumerate() {
            if let Some(h) = &rule.outside_hours {
                if untimed & (1 << i) != 0 && !outside_hours(h, c, ev, None) {
                    mask &= !(1 << i);
                }
            }
        }
        mask
    }

    /// The rules whose bits are set in `mask` (as [`RuleSet::mask`] gives), in rule order.
    pub fn matched(&self, mask: u32) -> impl Iterator<Item = &Rule> + '_ {
        self.rules()
            .iter()
            .enumerate()
            .filter(move |(i, _)| mask & (1 << i) != 0)
            .map(|(_, r)| r)
    }
}

/// Marks the rows of `store` from row `from` on with the rules they match
/// ([`Store::findings`]) and the routine pattern they are ([`Store::routine`]); rows before
/// `from` keep their marks. Call it with 0 after the rules change, and with the old length after
/// rows were added. Returns the earlier rows that became routine only now (a probe whose create
/// came later), each with its class before, for [`TallyCounts::reclass`].
pub fn mark(rules: &RuleSet, store: &mut Store, from: usize) -> Vec<(usize, u8)> {
    mark_findings(rules, store, from);
    classify(rules, store, from)
}

/// The first half of [`mark`]: which rules the rows from `from` on match
/// ([`Store::findings`]).
pub fn mark_findings(rules: &RuleSet, store: &mut Store, from: usize) {
    let from = from.min(store.findings.len());
    // Rows alike but for their time match alike: each distinct one is judged once, and once for
    // all the batches of a load.
    let mut judged = store.judgements.take_marks(rules.id);
    let marks: Vec<u32> = store.rows[from..]
        .iter()
        .map(|row| {
            let subject = RowSubject { row, store };
            let untimed = store::judged(&mut judged, row, || rules.mask_untimed(&subject));
            rules.mask_timed(untimed, &subject)
        })
        .collect();
    store.judgements.keep_marks(judged);
    store.findings.truncate(from);
    store.findings.extend(marks);
}

/// The second half of [`mark`], after [`mark_findings`]: the routine pattern of the rows from
/// `from` on ([`Store::routine`]).
pub fn classify(rules: &RuleSet, store: &mut Store, from: usize) -> Vec<(usize, u8)> {
    routine::classify_rows(&rules.routine, store, from)
}

/// How often one rule matched: in all, what needs a look per account, what is routine per
/// pattern.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Matching rows.
    pub total: u64,
    /// Matching rows that are routine (of [`Tally::patterns`]).
    pub routine: u64,
    /// Matching rows that need a look, per account, most first (ties in order of first
    /// appearance in the store).
    pub accounts: Vec<(Sym, u64)>,
    /// Matching routine rows per routine class (see [`Store::routine`]), most first.
    pub patterns: Vec<(u8, u64)>,
}

impl Tally {
    /// Matching rows that are not routine.
    pub fn needs_look(&self) -> u64 {
        self.total - self.routine
    }
}

/// Counts the marks of `store` for each of `rules` rules, in rule order.
pub fn tally(rules: usize, store: &Store) -> Vec<Tally> {
    let mut counts = TallyCounts::new(rules);
    counts.add(&store.rows, &store.findings, &store.routine);
    counts.tallies()
}

/// The counts behind [`tally`], kept up to date as rows arrive.
#[derive(Clone, Debug, Default)]
pub struct TallyCounts {
    per: Vec<FoldMap<Sym, u64>>,
    classes: Vec<FoldMap<u8, u64>>,
    totals: Vec<u64>,
    /// Rows matching any rule, per routine class (0: those that need a look).
    rows: FoldMap<u8, u64>,
}

/// The rules of a row's marks, as bit places below `rules`.
fn bits_of(bits: u32, rules: usize) -> impl Iterator<Item = usize> {
    (0..rules.min(32)).filter(move |&i| bits & (1 << i) != 0)
}

impl TallyCounts {
    /// No matches yet, for `rules` rules.
    pub fn new(rules: usize) -> Self {
        Self {
            per: vec![FoldMap::default(); rules],
            classes: vec![FoldMap::default(); rules],
            totals: vec![0; rules],
            rows: FoldMap::default(),
        }
    }

    fn count(&mut self, i: usize, row: &Row, class: u8, by: i64) {
        let n = if class == 0 {
            self.per[i].entry(row.account).or_default()
        } else {
            self.classes[i].entry(class).or_default()
        };
        *n = n.saturating_add_signed(by);
    }

    /// Counts `rows` with their marks (`findings[i]` and routine class `routine[i]` for
    /// `rows[i]`).
    pub fn add(&mut self, rows: &[Row], findings: &[u32], routine: &[u8]) {
        let rules = self.totals.len();
        for (k, (row, &bits)) in rows.iter().zip(findings).enumerate() {
            if bits == 0 {
                continue;
            }
            let class = routine.get(k).copied().unwrap_or(0);
            if bits_of(bits, rules).next().is_some() {
                *self.rows.entry(class).or_default() += 1;
            }
            for i in bits_of(bits, rules) {
                self.totals[i] += 1;
                self.count(i, row, class, 1);
            }
        }
    }

    /// Moves a row counted before from routine class `before` to `after`.
    pub fn reclass(&mut self, row: &Row, bits: u32, before: u8, after: u8) {
        if bits_of(bits, self.totals.len()).next().is_some() {
            let n = self.rows.entry(before).or_default();
            *n = n.saturating_sub(1);
            *self.rows.entry(after).or_default() += 1;
        }
        for i in bits_of(bits, self.totals.len()) {
            self.count(i, row, before, -1);
            self.count(i, row, after, 1);
        }
    }

    /// Rows that match any rule, per routine pattern (class 1 and up; see
    /// [`Store::routine`]), most first: what the findings panel folds into one line per pattern.
    pub fn routine_rows(&self) -> Vec<(u8, u64)> {
        let mut v: Vec<(u8, u64)> = self
            .rows
            .iter()
            .filter(|&(&c, &n)| c != 0 && n > 0)
            .map(|(&c, &n)| (c, n))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }

    /// The tallies, in rule order.
    pub fn tallies(&self) -> Vec<Tally> {
        fn most_first<K: Copy + Ord>(map: &FoldMap<K, u64>) -> Vec<(K, u64)> {
            let mut v: Vec<(K, u64)> = map
                .iter()
                .filter(|&(_, &n)| n > 0)
                .map(|(&k, &n)| (k, n))
                .collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            v
        }
        (0..self.totals.len())
            .map(|i| {
                let patterns = most_first(&self.classes[i]);
                Tally {
                    total: self.totals[i],
                    routine: patterns.iter().map(|&(_, n)| n).sum(),
                    accounts: most_first(&self.per[i]),
                    patterns,
                }
            })
            .collect()
    }
}

/// True for SYSTEM, LOCAL SERVICE, NETWORK SERVICE and the computer's own account.
pub fn is_system_account<S: Subject + ?Sized>(ev: &S) -> bool {
    let (_, user, sid) = ev.account();
    if matches!(sid.trim(), "S-1-5-18" | "S-1-5-19" | "S-1-5-20") {
        return true;
    }
    let host = ev.computer().split('.').next().unwrap_or("");
    !host.is_empty()
        && user.len() == host.len() + 1
        && user.ends_with('$')
        && user.is_char_boundary(host.len())
        && user[..host.len()].eq_ignore_ascii_case(host)
}

/// Local ISO weekday (1 = Monday) and hour of an instant.
fn local_day_hour(nanos: i64, offset_minutes: i32) -> (u8, u8) {
    let secs = nanos.div_euclid(1_000_000_000) + i64::from(offset_minutes) * 60;
    let days = secs.div_euclid(86_400);
    // 1970-01-01 was a Thursday (ISO 4).
    let weekday = ((days + 3).rem_euclid(7) + 1) as u8;
    let hour = (secs.rem_euclid(86_400) / 3600) as u8;
    (weekday, hour)
}

/// Does the rule match? When `why` is given, each criterion that matched adds its words.
fn check<S: Subject + ?Sized>(
    rule: &Rule,
    c: &Compiled,
    ev: &S,
    mut why: Option<&mut Vec<Why>>,
) -> bool {
    check_untimed(rule, c, ev, why.as_deref_mut())
        && rule
            .outside_hours
            .as_ref()
            .is_none_or(|h| outside_hours(h, c, ev, why))
}

/// [`check`] but for the time of day: whether `ev` matches every other condition of `rule`.
fn check_untimed<S: Subject + ?Sized>(
    rule: &Rule,
    c: &Compiled,
    ev: &S,
    mut why: Option<&mut Vec<Why>>,
) -> bool {
    let mut say = |f: &dyn Fn() -> Why| {
        if let Some(w) = why.as_deref_mut() {
            w.push(f());
        }
    };
    if let Some(ids) = &rule.event_ids {
        if !ids.contains(&ev.event_id()) {
            return false;
        }
    }
    if c.key_names.is_some() {
        let key_name = ev.key_name();
        if !any(&c.key_names, key_name) {
            return false;
        }
        say(&|| Why::Key(key_name.to_string()));
    }
    if let Some(ops) = &c.operations {
        if !operation_in(ops, ev) {
            return false;
        }
        say(&|| Why::Operation(ev.operation().to_string()));
    }
    if let Some(want) = rule.failure {
        if ev.failed() != want {
            return false;
        }
        if want {
            say(&|| {
                let rc = ev.return_code();
                if rc.is_empty() || parse_number(rc) == Some(0) {
                    Why::Failed {
                        return_code: String::new(),
                        text: None,
                    }
                } else {
                    Why::Failed {
                        return_code: rc.to_string(),
                        text: table::decode("ReturnCode", rc),
                    }
                }
            });
        }
    }
    if let Some(kind) = rule.key_type {
        if !key_type_is(ev, kind) {
            return false;
        }
        say(&|| Why::KeyType(kind));
    }
    if !any(&c.providers, ev.provider()) {
        return false;
    }
    if !any(&c.algorithms, ev.algorithm()) {
        return false;
    }
    if c.allow.as_ref().is_some_and(|l| account_in(l, ev)) {
        return false;
    }
    if let Some(deny) = &c.deny {
        if !account_in(deny, ev) {
            return false;
        }
        say(&|| Why::Watched(ev.account().0.into_owned()));
    }
    !(rule.exclude_system_accounts && is_system_account(ev))
}

/// The time-of-day condition of a rule (its `outside_hours` `h`): whether `ev` happened outside
/// business hours, said in `why`.
fn outside_hours<S: Subject + ?Sized>(
    h: &Hours,
    c: &Compiled,
    ev: &S,
    why: Option<&mut Vec<Why>>,
) -> bool {
    let Some(t) = ev.time() else {
        return false;
    };
    let offset = match &c.zone {
        Some(zone) => zone.offset_minutes(t.div_euclid(1_000_000_000)),
        None => h.utc_offset_minutes,
    };
    let (day, hour) = local_day_hour(t, offset);
    let inside = h.days.contains(&day) && hour >= h.start && hour < h.end;
    if inside {
        return false;
    }
    if let Some(w) = why {
        w.push(Why::OutsideHours {
            hour,
            day,
            start: h.start,
            end: h.end,
            zone: c.zone.as_ref().map(|z| z.name().to_string()),
        });
    }
    true
}

/// A built-in rule ([`presets`]), by its ID. Its title and explanation are worded by the page's
/// catalogue in each language, keyed by this; the model keeps only the English title
/// ([`Preset::title`]) that the CLI prints and a rules file carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Preset {
    /// `export-any`: any export of a persistent key.
    ExportAny,
    /// `machine-key-export-not-system`: a machine key exported by someone other than SYSTEM.
    MachineKeyExportNotSystem,
    /// `failed-key-operations`: a key operation that failed.
    FailedKeyOperations,
    /// `key-operations-off-hours`: a key used outside business hours.
    KeyOperationsOffHours,
    /// `sensitive-key-export` ([`SENSITIVE_KEY_RULE`]): an export of a key the user named.
    SensitiveKeyExport,
}

impl Preset {
    /// Every preset, in the order [`presets`] gives them.
    pub const ALL: [Preset; 5] = [
        Self::ExportAny,
        Self::MachineKeyExportNotSystem,
        Self::FailedKeyOperations,
        Self::KeyOperationsOffHours,
        Self::SensitiveKeyExport,
    ];

    /// The rule's ID.
    pub fn id(self) -> &'static str {
        match self {
            Self::ExportAny => "export-any",
            Self::MachineKeyExportNotSystem => "machine-key-export-not-system",
            Self::FailedKeyOperations => "failed-key-operations",
            Self::KeyOperationsOffHours => "key-operations-off-hours",
            Self::SensitiveKeyExport => SENSITIVE_KEY_RULE,
        }
    }

    /// The English title: what [`presets`] put in [`Rule::title`], printed by the CLI.
    pub fn title(self) -> &'static str {
        match self {
            Self::ExportAny => "Export of a persistent key",
            Self::MachineKeyExportNotSystem => {
                "Machine key exported by a person or service account"
            }
            Self::FailedKeyOperations => "Failed key operation",
            Self::KeyOperationsOffHours => "Key operation outside business hours",
            Self::SensitiveKeyExport => "Export of a key you listed as sensitive",
        }
    }

    /// The preset a rule still is: its ID is a preset's, and it has no title of its own (none, or
    /// the preset's English one). A rule a user retitled keeps its own words.
    pub fn of(rule: &Rule) -> Option<Preset> {
        let preset = Self::ALL.into_iter().find(|p| p.id() == rule.id)?;
        (rule.title.is_empty() || rule.title == preset.title()).then_some(preset)
    }
}

fn rule(preset: Preset) -> Rule {
    Rule {
        id: preset.id().into(),
        title: preset.title().into(),
        ..Rule::default()
    }
}

/// The built-in rules (see [`Preset`]).
pub fn presets() -> Vec<Rule> {
    vec![
        Rule {
            event_ids: Some(vec![5059]),
            operations: Some(vec!["export".into()]),
            ..rule(Preset::ExportAny)
        },
        Rule {
            event_ids: Some(vec![5059]),
            operations: Some(vec!["export".into()]),
            key_type: Some(KeyKind::Machine),
            exclude_system_accounts: true,
            ..rule(Preset::MachineKeyExportNotSystem)
        },
        Rule {
            event_ids: Some(vec![5058, 5059, 5061]),
            failure: Some(true),
            ..rule(Preset::FailedKeyOperations)
        },
        Rule {
            event_ids: Some(vec![5058, 5059, 5061]),
            exclude_system_accounts: true,
            outside_hours: Some(Hours::default()),
            ..rule(Preset::KeyOperationsOffHours)
        },
        Rule {
            event_ids: Some(vec![5059]),
            operations: Some(vec!["export".into()]),
            key_names: Some(Vec::new()),
            ..rule(Preset::SensitiveKeyExport)
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekday_and_hour_from_utc_with_offset() {
        // 2026-03-02 is a Monday.
        let t = crate::decoder::value::parse_time("2026-03-02T23:30:00Z").unwrap();
        assert_eq!(local_day_hour(t, 0), (1, 23));
        assert_eq!(local_day_hour(t, 9 * 60), (2, 8));
        assert_eq!(local_day_hour(t, -24 * 60), (7, 23));
    }

    #[test]
    fn bad_rules_are_refused_with_the_rule_named() {
        let bad = Rule {
            id: "r1".into(),
            key_names: Some(vec![Pattern::Regex("(".into())]),
            ..Rule::default()
        };
        let e = RuleSet::compile(vec![bad]).err().unwrap();
        assert_eq!(e.rule, "r1");
        let bad = Rule {
            id: "r2".into(),
            outside_hours: Some(Hours {
                start: 18,
                end: 8,
                ..Hours::default()
            }),
            ..Rule::default()
        };
        assert!(RuleSet::compile(vec![bad]).is_err());
        assert!(RuleSet::from_json(r#"[{"id":"x","colour":"red"}]"#).is_err());
    }

    #[test]
    fn every_preset_is_a_preset_by_its_id_until_retitled() {
        let list = presets();
        let ids: Vec<&str> = list.iter().map(|r| r.id.as_str()).collect();
        let all: Vec<&str> = Preset::ALL.iter().map(|p| p.id()).collect();
        assert_eq!(ids, all);
        for (rule, preset) in list.iter().zip(Preset::ALL) {
            assert_eq!(Preset::of(rule), Some(preset));
        }
        let own = Rule {
            title: "Our exports".into(),
            ..list[0].clone()
        };
        assert_eq!(Preset::of(&own), None);
    }
}
