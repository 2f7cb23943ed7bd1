//! Routine key activity: what Windows itself does with keys every day, told apart from what
//! needs a look.
//!
//! On real machines nearly every 5059 export and 5061 failure is Windows doing its job: the
//! computer account exporting its own GUID-named keys, the Connected Devices Platform's device
//! certificate at sign-in, Remote Desktop's self-signed certificate, a key probed for and then
//! created. A [`RoutinePattern`] describes one such activity by account kind, key type,
//! operation, key-name shape and outcome; the built-in ones ([`builtin`]) come from
//! `facts/routine_key_activity.tsv`, with their sources. Rules still match every event: a
//! routine pattern never hides a finding, it only sets it apart.
//!
//! ```
//! use keytrail::decoder::decode_all;
//! use keytrail::model::routine::{builtin, Routine};
//!
//! let xml = "<Event><System><EventID>5059</EventID><Computer>WS01</Computer></System><EventData>\
//!            <Data Name='SubjectUserSid'>S-1-5-18</Data><Data Name='SubjectUserName'>WS01$</Data>\
//!            <Data Name='SubjectDomainName'>WORKGROUP</Data>\
//!            <Data Name='KeyName'>{4f6c1d0e-8a3b-4c2d-9e1f-0a1b2c3d4e5f}</Data>\
//!            <Data Name='KeyType'>%%2500</Data><Data Name='Operation'>%%2464</Data>\
//!            <Data Name='ReturnCode'>0x0</Data></EventData></Event>";
//! let (events, _, _) = decode_all(xml.as_bytes());
//! let routine = Routine::compile(builtin()).unwrap();
//! let class = routine.classify(&events[0]);
//! assert_eq!(routine.pattern(class).unwrap().id, "computer-own-guid-keys");
//! ```

use crate::decoder::value::parse_number;
use crate::model::criteria::{
    account_in, any, compile_list, compiled_id, key_type_is, operation_in, operation_words,
    KeyKind, Matcher, Pattern, RowSubject, RuleError, RuleProblem, Subject,
};
use crate::model::store::{self, Judged, Sequences, Store, Sym};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The built-in patterns, as data with sources.
const TABLE: &str = include_str!("facts/routine_key_activity.tsv");

/// The most routine patterns in use at once: a row's class is one byte, 0 for none.
pub const MAX_PATTERNS: usize = 250;

/// Who acted, by kind: what routine patterns tell Windows' own accounts from people by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// A computer account (`NAME$`), as Windows logs SYSTEM's work in key events.
    Computer,
    /// SYSTEM (S-1-5-18) under another name.
    System,
    /// LOCAL SERVICE (S-1-5-19).
    LocalService,
    /// NETWORK SERVICE (S-1-5-20).
    NetworkService,
    /// Anyone else: a person, or a service account of the site's own.
    Person,
}

impl AccountKind {
    /// Every kind, in the order the editor lists them.
    pub const ALL: [AccountKind; 5] = [
        Self::Computer,
        Self::System,
        Self::LocalService,
        Self::NetworkService,
        Self::Person,
    ];

    /// The name used in rule files and the facts table (`local_service`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Computer => "computer",
            Self::System => "system",
            Self::LocalService => "local_service",
            Self::NetworkService => "network_service",
            Self::Person => "person",
        }
    }

    /// The kind named `name` ([`AccountKind::name`]).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name.trim())
    }

    /// The kind of the account that acted in `ev`.
    pub fn of<S: Subject + ?Sized>(ev: &S) -> Self {
        let (_, user, sid) = ev.account();
        let sid = sid.trim();
        if sid.eq_ignore_ascii_case("S-1-5-19") {
            Self::LocalService
        } else if sid.eq_ignore_ascii_case("S-1-5-20") {
            Self::NetworkService
        } else if user.trim_end().ends_with('$') {
            Self::Computer
        } else if sid.eq_ignore_ascii_case("S-1-5-18") {
            Self::System
        } else {
            Self::Person
        }
    }
}

/// The second step of a sequence pattern: the same account does `operation` on the same key,
/// successfully, within `within_seconds` after the first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
    /// `%%NNNN` code (or decoded text) of the operation that follows.
    pub operation: String,
    /// How long after the first event it may come.
    pub within_seconds: u32,
}

/// One kind of routine key activity. Every criterion that is set must hold; lists are `None`
/// for "any".
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoutinePattern {
    /// Stable identifier.
    pub id: String,
    /// Short title, English.
    pub title: String,
    /// Short title, Japanese.
    pub title_ja: String,
    /// Which component does this and why, English.
    pub explanation: String,
    /// Which component does this and why, Japanese.
    pub explanation_ja: String,
    /// Event IDs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_ids: Option<Vec<u32>>,
    /// Kinds of the acting account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accounts: Option<Vec<AccountKind>>,
    /// Acting accounts by name (`DOMAIN\user`, user name or SID), for a site's own services.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_names: Option<Vec<Pattern>>,
    /// Machine or user key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_type: Option<KeyKind>,
    /// Operations: `export`, `import`, a `%%NNNN` code or the decoded text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operations: Option<Vec<String>>,
    /// Key names (globs may use `{GUID}` and `{HEX}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_names: Option<Vec<Pattern>>,
    /// `true`: only failures; `false`: only successes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<bool>,
    /// Only these ReturnCodes (`0x80090016`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_codes: Option<Vec<String>>,
    /// A sequence: routine only when followed by this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub then: Option<FollowUp>,
    /// Where the pattern comes from.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub source: String,
}

impl RoutinePattern {
    /// A reviewer's own pattern, as the rule editor builds it: an account (`DOMAIN\\user`, user
    /// or SID) and a key name (a glob), either of which may be blank but not both; `operation`
    /// is a `%%` code or blank for any; `note` says why it is routine ("our backup service").
    /// `None` when account and key are both blank: that would make every key event routine.
    pub fn own(account: &str, key: &str, operation: &str, note: &str) -> Option<Self> {
        let (account, key) = (account.trim(), key.trim());
        let (operation, note) = (operation.trim(), note.trim());
        if account.is_empty() && key.is_empty() {
            return None;
        }
        let title = if note.is_empty() {
            let parts: Vec<&str> = [account, key]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect();
            parts.join(" · ")
        } else {
            note.to_string()
        };
        Some(Self {
            title,
            explanation: note.to_string(),
            event_ids: Some(vec![5058, 5059, 5061]),
            account_names: (!account.is_empty()).then(|| vec![Pattern::from_line(account)]),
            key_names: (!key.is_empty()).then(|| vec![Pattern::from_line(key)]),
            operations: (!operation.is_empty()).then(|| vec![operation.to_string()]),
            source: "own".into(),
            ..Self::default()
        })
    }

    /// The title in Japanese when asked and present, else in English, else the id.
    pub fn title_in(&self, japanese: bool) -> &str {
        let t = if japanese && !self.title_ja.is_empty() {
            &self.title_ja
        } else {
            &self.title
        };
        if t.is_empty() {
            &self.id
        } else {
            t
        }
    }

    /// The explanation in Japanese when asked and present, else in English.
    pub fn explanation_in(&self, japanese: bool) -> &str {
        if japanese && !self.explanation_ja.is_empty() {
            &self.explanation_ja
        } else {
            &self.explanation
        }
    }
}

/// A `-` or empty cell of the facts table is "any".
fn cell(s: &str) -> Option<&str> {
    let s = s.trim();
    (!s.is_empty() && s != "-").then_some(s)
}

fn list(s: &str) -> Option<Vec<String>> {
    cell(s).map(|s| s.split(',').map(|p| p.trim().to_string()).collect())
}

/// One line of the facts table as a pattern.
fn from_line(line: &str) -> Result<RoutinePattern, String> {
    let cols: Vec<&str> = line.split('\t').collect();
    let [id, events, accounts, key_type, operations, key_name, outcome, then, source, title, title_ja, explanation, explanation_ja] =
        cols[..]
    else {
        return Err(format!("{} columns, not 13", cols.len()));
    };
    let event_ids = list(events)
        .map(|l| l.iter().map(|e| e.parse::<u32>()).collect::<Result<_, _>>())
        .transpose()
        .map_err(|e| format!("events: {e}"))?;
    let accounts = list(accounts)
        .map(|l| {
            l.iter()
                .map(|a| AccountKind::from_name(a).ok_or(format!("account kind `{a}`")))
                .collect::<Result<_, _>>()
        })
        .transpose()?;
    let key_type = match cell(key_type) {
        None => None,
        Some("%%2499") => Some(KeyKind::Machine),
        Some("%%2500") => Some(KeyKind::User),
        Some(other) => return Err(format!("key type `{other}`")),
    };
    let (failure, return_codes) = match cell(outcome) {
        None => (None, None),
        Some("success") => (Some(false), None),
        Some(o) => match o.strip_prefix("failure") {
            Some(codes) => (Some(true), list(codes)),
            None => return Err(format!("outcome `{o}`")),
        },
    };
    let then = match cell(then) {
        None => None,
        Some(t) => {
            let (op, secs) = t.split_once(' ').ok_or(format!("then `{t}`"))?;
            Some(FollowUp {
                operation: op.to_string(),
                within_seconds: secs.trim().parse().map_err(|_| format!("then `{t}`"))?,
            })
        }
    };
    Ok(RoutinePattern {
        id: id.to_string(),
        title: title.to_string(),
        title_ja: title_ja.to_string(),
        explanation: explanation.to_string(),
        explanation_ja: explanation_ja.to_string(),
        event_ids,
        accounts,
        account_names: None,
        key_type,
        operations: list(operations),
        key_names: cell(key_name).map(|k| vec![Pattern::Glob(k.to_string())]),
        failure,
        return_codes,
        then,
        source: source.to_string(),
    })
}

/// The built-in routine patterns of `facts/routine_key_activity.tsv`.
pub fn builtin() -> Vec<RoutinePattern> {
    TABLE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("id\t") && !l.trim().is_empty())
        .map(|l| from_line(l).unwrap_or_else(|e| panic!("routine facts table: {e}: {l}")))
        .collect()
}

struct Compiled {
    account_names: Option<Vec<Matcher>>,
    key_names: Option<Vec<Matcher>>,
    /// Operations in words.
    operations: Option<Vec<String>>,
    return_codes: Option<Vec<u64>>,
    /// The follow-up's operation in words, and its window in ns.
    then: Option<(String, i64)>,
}

/// Routine patterns ready to match. A row's class is its pattern's place plus one (0: none).
#[derive(Default)]
pub struct Routine {
    patterns: Vec<RoutinePattern>,
    compiled: Vec<Compiled>,
    /// Which compiled set this is ([`compiled_id`]; 0: the empty default).
    id: u64,
}

impl std::fmt::Debug for Routine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.patterns.iter().map(|p| &p.id))
            .finish()
    }
}

impl Routine {
    /// Checks and compiles patterns. At most [`MAX_PATTERNS`].
    pub fn compile(patterns: Vec<RoutinePattern>) -> Result<Self, RuleError> {
        if patterns.len() > MAX_PATTERNS {
            return Err(RuleError {
                rule: patterns[MAX_PATTERNS].id.clone(),
                reason: RuleProblem::TooManyPatterns {
                    limit: MAX_PATTERNS,
                },
            });
        }
        let mut compiled = Vec::with_capacity(patterns.len());
        for p in &patterns {
            let err = |reason: RuleProblem| RuleError {
                rule: p.id.clone(),
                reason,
            };
            let return_codes = p
                .return_codes
                .as_ref()
                .map(|codes| {
                    codes
                        .iter()
                        .map(|c| {
                            parse_number(c)
                                .ok_or_else(|| RuleProblem::ReturnCode { code: c.clone() })
                        })
                        .collect::<Result<Vec<u64>, RuleProblem>>()
                })
                .transpose()
                .map_err(err)?;
            compiled.push(Compiled {
                account_names: compile_list(&p.account_names).map_err(err)?,
                key_names: compile_list(&p.key_names).map_err(err)?,
                operations: p
                    .operations
                    .as_ref()
                    .map(|ops| ops.iter().map(|o| operation_words(o)).collect()),
                return_codes,
                then: p.then.as_ref().map(|t| {
                    (
                        operation_words(&t.operation),
                        i64::from(t.within_seconds) * 1_000_000_000,
                    )
                }),
            });
        }
        Ok(Self {
            patterns,
            compiled,
            id: compiled_id(),
        })
    }

    /// The patterns, in order.
    pub fn patterns(&self) -> &[RoutinePattern] {
        &self.patterns
    }

    /// The pattern of class `class` (`None` for 0, "not routine").
    pub fn pattern(&self, class: u8) -> Option<&RoutinePattern> {
        usize::from(class)
            .checked_sub(1)
            .and_then(|i| self.patterns.get(i))
    }

    /// Does pattern `i` take the key name `name`? (Its globs may be regular expressions: what
    /// [`classify_rows`] asks once per distinct key name, not once per row.)
    fn key_name_is(&self, i: usize, name: &str) -> bool {
        any(&self.compiled[i].key_names, name)
    }

    /// Does `ev` match pattern `i`, its follow-up aside? The key name is tested last, by
    /// `key_ok(i, name)`.
    fn first_step_with<S: Subject + ?Sized>(
        &self,
        i: usize,
        ev: &S,
        key_ok: &mut dyn FnMut(usize, &str) -> bool,
    ) -> bool {
        let (p, c) = (&self.patterns[i], &self.compiled[i]);
        if p.event_ids
            .as_ref()
            .is_some_and(|ids| !ids.contains(&ev.event_id()))
        {
            return false;
        }
        if let Some(kinds) = &p.accounts {
            if !kinds.contains(&AccountKind::of(ev)) {
                return false;
            }
        }
        if c.account_names.as_ref().is_some_and(|l| !account_in(l, ev)) {
            return false;
        }
        if p.key_type.is_some_and(|kind| !key_type_is(ev, kind)) {
            return false;
        }
        if c.operations
            .as_ref()
            .is_some_and(|ops| !operation_in(ops, ev))
        {
            return false;
        }
        if p.failure.is_some_and(|want| ev.failed() != want) {
            return false;
        }
        if let Some(codes) = &c.return_codes {
            if !parse_number(ev.return_code()).is_some_and(|rc| codes.contains(&rc)) {
                return false;
            }
        }
        c.key_names.is_none() || key_ok(i, ev.key_name())
    }

    /// Does `ev` complete the sequence of pattern `i`, as its follow-up?
    fn follow_up<S: Subject + ?Sized>(&self, i: usize, ev: &S) -> bool {
        let Some((op, _)) = &self.compiled[i].then else {
            return false;
        };
        let p = &self.patterns[i];
        p.event_ids
            .as_ref()
            .is_none_or(|ids| ids.contains(&ev.event_id()))
            && !ev.failed()
            && ev.operation().eq_ignore_ascii_case(op)
    }

    /// The class of `ev` by the patterns that need no follow-up: the first that matches, or 0.
    /// (A sequence can only be told over many events: see [`classify_rows`].)
    pub fn classify<S: Subject + ?Sized>(&self, ev: &S) -> u8 {
        self.classify_with(ev, &mut |i, name| self.key_name_is(i, name))
    }

    /// [`Routine::classify`], with key names tested by `key_ok` (see [`Routine::first_step_with`]).
    fn classify_with<S: Subject + ?Sized>(
        &self,
        ev: &S,
        key_ok: &mut dyn FnMut(usize, &str) -> bool,
    ) -> u8 {
        (0..self.patterns.len())
            .find(|&i| self.compiled[i].then.is_none() && self.first_step_with(i, ev, key_ok))
            .map_or(0, |i| (i + 1) as u8)
    }

    fn sequences(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.patterns.len()).filter(|&i| self.compiled[i].then.is_some())
    }
}

/// Takes from `rows` the one whose time is closest to `t` within `lo..=hi`.
fn take_nearest(store: &Store, rows: &mut Vec<u32>, t: i64, lo: i64, hi: i64) -> Option<u32> {
    let (at, _) = rows
        .iter()
        .enumerate()
        .filter_map(|(at, &r)| {
            let rt = store.rows[r as usize].time()?;
            (lo..=hi).contains(&rt).then_some((at, (rt - t).abs()))
        })
        .min_by_key(|&(_, d)| d)?;
    Some(rows.swap_remove(at))
}

/// Classifies the rows of `store` from row `from` on ([`Store::routine`]) and pairs the steps of
/// sequence patterns ([`Store::pairs`]). Rows before `from` keep their class, except first
/// steps whose follow-up has only now arrived: those are returned with their class before, so
/// that counts can move them. Call it with 0 after the patterns change.
pub fn classify_rows(routine: &Routine, store: &mut Store, from: usize) -> Vec<(usize, u8)> {
    if from == 0 {
        store.routine.clear();
        store.pairs.clear();
        store.sequences = Sequences::default();
    }
    let from = from.min(store.routine.len());
    store.routine.truncate(from);
    let mut changed = Vec::new();
    let sequences: Vec<usize> = routine.sequences().collect();
    let mut seq = std::mem::take(&mut store.sequences);
    // Whether pattern `p` takes key name `sym`: each distinct name is matched once per pattern.
    let mut names: HashMap<(usize, Sym), bool> = HashMap::new();
    // Rows alike but for their time are judged alike: each distinct one once, and once for all
    // the batches of a load.
    let mut judged = store.judgements.take_classes(routine.id);
    for i in from..store.rows.len() {
        let subject = RowSubject {
            row: &store.rows[i],
            store: &*store,
        };
        let sym = subject.row.key_name;
        let mut key_ok = |p: usize, name: &str| {
            *names
                .entry((p, sym))
                .or_insert_with(|| routine.key_name_is(p, name))
        };
        let mut steps = Vec::new();
        let time = subject.row.time();
        // Up to 64 sequence patterns fit the bits; more (a rules file can hold any number) are
        // judged row by row.
        let class = if sequences.len() <= 64 {
            let judged = store::judged(&mut judged, subject.row, || {
                let class = routine.classify_with(&subject, &mut key_ok);
                let (mut firsts, mut follows) = (0u64, 0u64);
                for (n, &p) in sequences.iter().enumerate() {
                    firsts |= u64::from(routine.first_step_with(p, &subject, &mut key_ok)) << n;
                    follows |= u64::from(routine.follow_up(p, &subject)) << n;
                }
                Judged {
                    class,
                    firsts,
                    follows,
                }
            });
            if let Some(t) = time {
                for (n, &p) in sequences.iter().enumerate() {
                    let first = judged.firsts >> n & 1 == 1;
                    let follow = judged.follows >> n & 1 == 1;
                    if first || follow {
                        steps.push((p, t, first, follow));
                    }
                }
            }
            judged.class
        } else {
            let class = routine.classify_with(&subject, &mut key_ok);
            if let Some(t) = time {
                for &p in &sequences {
                    let first = routine.first_step_with(p, &subject, &mut key_ok);
                    let follow = routine.follow_up(p, &subject);
                    if first || follow {
                        steps.push((p, t, first, follow));
                    }
                }
            }
            class
        };
        let (account, key) = (subject.row.account, subject.row.key_name);
        store.routine.push(class);
        let row = i as u32;
        for (p, t, first, follow) in steps {
            let window = routine.compiled[p].then.as_ref().map_or(0, |(_, w)| *w);
            let at = (p, account, key);
            let seq_class = (p + 1) as u8;
            if first {
                let waiting = seq.follows.entry(at).or_default();
                if let Some(f) = take_nearest(store, waiting, t, t, t.saturating_add(window)) {
                    store.pairs.insert(row, f);
                    store.pairs.insert(f, row);
                    if store.routine[i] == 0 {
                        store.routine[i] = seq_class;
                    }
                    continue;
                }
                seq.firsts.entry(at).or_default().push(row);
            }
            if follow {
                let waiting = seq.firsts.entry(at).or_default();
                if let Some(q) = take_nearest(store, waiting, t, t.saturating_sub(window), t) {
                    store.pairs.insert(row, q);
                    store.pairs.insert(q, row);
                    let q = q as usize;
                    if store.routine[q] == 0 {
                        if q < from {
                            changed.push((q, 0));
                        }
                        store.routine[q] = seq_class;
                    }
                    continue;
                }
                seq.follows.entry(at).or_default().push(row);
            }
        }
    }
    store.sequences = seq;
    store.judgements.keep_classes(judged);
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_facts_table_reads_whole() {
        let list = builtin();
        assert!(list.len() >= 6);
        for p in &list {
            assert!(!p.title.is_empty() && !p.title_ja.is_empty(), "{}", p.id);
            assert!(!p.explanation.is_empty() && !p.explanation_ja.is_empty());
            assert!(!p.source.is_empty(), "{} has no source", p.id);
        }
        Routine::compile(list).unwrap();
    }

    #[test]
    fn guid_shapes_match_with_or_without_braces() {
        let m = Matcher::new(&Pattern::Glob("RdCertificateFactory-Key{GUID}".into())).unwrap();
        assert!(m.is_match("RdCertificateFactory-Key{6A1B4C2D-0E3F-4A5B-8C7D-9E0F1A2B3C4D}"));
        assert!(m.is_match("rdcertificatefactory-key6a1b4c2d-0e3f-4a5b-8c7d-9e0f1a2b3c4d"));
        assert!(!m.is_match("RdCertificateFactory-Key{not-a-guid}"));
        let m = Matcher::new(&Pattern::Glob("{HEX}_{GUID}".into())).unwrap();
        assert!(m.is_match("979c1c9f5f77180a8a504e137a6a7b9b_6a1b4c2d-0e3f-4a5b-8c7d-9e0f1a2b3c4d"));
        assert!(!m.is_match("zz_6a1b4c2d-0e3f-4a5b-8c7d-9e0f1a2b3c4d"));
    }
}
