//! Routine key activity told apart: logs made of what real machines do (the shared facts'
//! patterns, as the generator writes them), with and without the planted incident; probes paired
//! with their creates in either time order; a reviewer's own patterns; the CLI's split.

use keytrail::decoder::{decode_all, Event};
use keytrail::generator::{self, Encoding, Format, Spec};
use keytrail::model::routine::{builtin, AccountKind, Routine, RoutinePattern};
use keytrail::model::rules::{self, presets, tally, Pattern, RuleFile, RuleSet, Subject};
use keytrail::model::store::Store;

mod common;

/// The events of a generated log, decoded from its wevtutil export.
fn decoded(events: impl Iterator<Item = generator::GenEvent>) -> Vec<Event> {
    let mut xml = Vec::new();
    generator::write(events, Format::Wevtutil, Encoding::Utf8, &mut xml).unwrap();
    let (events, problems, _) = decode_all(&xml);
    assert!(problems.is_empty(), "{problems:?}");
    events
}

fn routine_log(seed: u64, events: usize, incident: bool) -> Vec<Event> {
    decoded(generator::routine_events(&Spec { seed, events }, incident))
}

/// The events in a store, marked with `rules`.
fn marked(events: &[Event], rules: &RuleSet) -> Store {
    let mut store = Store::new();
    for ev in events {
        store.push_event(0, ev);
    }
    rules::mark(rules, &mut store, 0);
    store
}

fn rule_index(rules: &RuleSet, id: &str) -> usize {
    rules.rules().iter().position(|r| r.id == id).unwrap()
}

/// Is this one of the planted events: dadmin's work on SQL01's machine key, svc-backup's export?
fn planted(ev: &Event) -> bool {
    let user = ev.account().user;
    let key = ev.data("KeyName").unwrap_or("");
    matches!(ev.event_id(), 5058 | 5059)
        && ((user == "dadmin" && key.starts_with("te-")) || user == "svc-backup")
}

#[test]
fn a_log_of_routine_activity_has_nothing_that_needs_a_look_for_exports_and_failures() {
    let rules = RuleSet::compile(presets()).unwrap();
    for seed in [1, 2, 3] {
        let events = routine_log(seed, 3000, false);
        let store = marked(&events, &rules);
        let tallies = tally(rules.len(), &store);
        for id in [
            "export-any",
            "failed-key-operations",
            "machine-key-export-not-system",
        ] {
            let t = &tallies[rule_index(&rules, id)];
            assert_eq!(t.needs_look(), 0, "seed {seed}, {id}: {t:?}");
        }
        let export = &tallies[rule_index(&rules, "export-any")];
        let failed = &tallies[rule_index(&rules, "failed-key-operations")];
        assert!(
            export.total > 20 && failed.total > 3,
            "seed {seed}: {export:?} {failed:?}"
        );
        // Every routine kind of the facts shows up, with its count.
        let seen: Vec<&str> = export
            .patterns
            .iter()
            .chain(&failed.patterns)
            .map(|&(c, _)| rules.routine().pattern(c).unwrap().id.as_str())
            .collect();
        for id in [
            "computer-own-guid-keys",
            "cdp-device-certificate",
            "probe-then-create",
        ] {
            assert!(seen.contains(&id), "seed {seed}: {id} not in {seen:?}");
        }
        // The panel's one line per pattern counts each event once, whatever rules it matches.
        let mut counts = rules::TallyCounts::new(rules.len());
        counts.add(&store.rows, &store.findings, &store.routine);
        assert!(!counts.routine_rows().is_empty());
        for (class, n) in counts.routine_rows() {
            let want = (0..store.len())
                .filter(|&i| store.findings_of(i) != 0 && store.routine_of(i) == class)
                .count() as u64;
            assert_eq!(n, want, "seed {seed}, class {class}");
        }
    }
}

#[test]
fn every_routine_event_is_of_the_pattern_that_explains_it() {
    let rules = RuleSet::compile(presets()).unwrap();
    let events = routine_log(7, 4000, false);
    let store = marked(&events, &rules);
    let routine = rules.routine();
    for (i, ev) in events.iter().enumerate() {
        if !matches!(ev.event_id(), 5058 | 5059 | 5061) {
            assert_eq!(store.routine_of(i), 0, "event {} is not a key event", i + 1);
            continue;
        }
        let key = ev.data("KeyName").unwrap();
        let id = routine
            .pattern(store.routine_of(i))
            .map_or("", |p| p.id.as_str());
        let want = if ev.data("ReturnCode") == Some("0x80090016") {
            "probe-then-create"
        } else if key == "Microsoft Connected Devices Platform device certificate" {
            "cdp-device-certificate"
        } else if key.starts_with("RdCertificateFactory-Key{") {
            "rd-certificate-factory"
        } else if key == "TSSecKeySet1" {
            "terminal-services-keyset"
        } else {
            "computer-own-guid-keys"
        };
        assert_eq!(id, want, "event {} ({} {key})", i + 1, ev.event_id());
    }
}

#[test]
fn on_the_planted_incident_what_needs_a_look_is_exactly_the_planted_events() {
    let rules = RuleSet::compile(presets()).unwrap();
    for seed in [1, 5] {
        let events = routine_log(seed, 3000, true);
        assert!(
            events.iter().any(planted),
            "seed {seed}: the incident is in the log"
        );
        let store = marked(&events, &rules);
        for (i, ev) in events.iter().enumerate() {
            let flagged = store.findings_of(i) != 0;
            let needs_look = flagged && store.routine_of(i) == 0;
            assert_eq!(
                needs_look,
                planted(ev),
                "seed {seed}, event {}: {ev:?}",
                i + 1
            );
        }
        // The person's export of a machine key out of hours is flagged as such.
        let at = events
            .iter()
            .position(|e| planted(e) && e.event_id() == 5059 && e.account().user == "dadmin")
            .unwrap();
        let ids: Vec<&str> = rules
            .matches(&events[at])
            .iter()
            .map(|m| m.rule.id.as_str())
            .collect();
        assert!(ids.contains(&"machine-key-export-not-system"), "{ids:?}");
        assert!(ids.contains(&"key-operations-off-hours"), "{ids:?}");
    }
}

#[test]
fn a_probe_is_paired_with_its_create_in_either_time_order() {
    let rules = RuleSet::compile(presets()).unwrap();
    let events = routine_log(11, 3000, false);
    let probes: Vec<usize> = (0..events.len())
        .filter(|&i| events[i].data("ReturnCode") == Some("0x80090016"))
        .collect();
    assert!(probes.len() >= 3);
    for newest_first in [false, true] {
        let order: Vec<usize> = if newest_first {
            (0..events.len()).rev().collect()
        } else {
            (0..events.len()).collect()
        };
        let list: Vec<Event> = order.iter().map(|&i| events[i].clone()).collect();
        // Rows arrive in batches, as in the viewer: a create may come in a later batch.
        let mut store = Store::new();
        for chunk in list.chunks(97) {
            let from = store.len();
            for ev in chunk {
                store.push_event(0, ev);
            }
            rules::mark(&rules, &mut store, from);
        }
        for &p in &probes {
            let row = order.iter().position(|&i| i == p).unwrap();
            let pair = store.pair_of(row).expect("every probe has its create");
            let (probe, create) = (&list[row], &list[pair]);
            assert_eq!(create.data("Operation"), Some("%%2481"));
            assert_eq!(create.data("KeyName"), probe.data("KeyName"));
            assert_eq!(create.account().sid, probe.account().sid);
            let gap = create.time().unwrap().nanos() - probe.time().unwrap().nanos();
            assert!((0..=10_000_000_000).contains(&gap), "{gap} ns");
            assert_eq!(store.pair_of(pair), Some(row));
            let class = store.routine_of(row);
            assert_eq!(
                rules.routine().pattern(class).unwrap().id,
                "probe-then-create"
            );
        }
    }
}

/// Each row's marks as a whole store gives them: event number, rules, routine class, and the
/// event number of its pair.
type Marks = (u64, u32, u8, Option<u64>);

fn marks_of(store: &Store, i: usize) -> Marks {
    let row = &store.rows[i];
    (
        row.number,
        store.findings_of(i),
        store.routine_of(i),
        store.pair_of(i).map(|p| store.rows[p].number),
    )
}

#[test]
fn a_store_that_keeps_only_its_waiting_rows_marks_them_as_the_whole_store_does() {
    // What `keytrail findings` does to stay small: every few rows, write out the settled ones
    // and keep only the halves of sequences still waiting (`Store::retain_rows`).
    let rules = RuleSet::compile(presets()).unwrap();
    let events = routine_log(11, 3000, false);
    for newest_first in [false, true] {
        let mut list = events.clone();
        if newest_first {
            list.reverse();
        }
        for (n, ev) in list.iter_mut().enumerate() {
            ev.number = n as u64;
        }
        let whole = marked(&list, &rules);
        let want: Vec<Marks> = (0..whole.len()).map(|i| marks_of(&whole, i)).collect();
        let mut got: Vec<Marks> = Vec::new();
        let mut store = Store::new();
        let mut partners = std::collections::HashMap::new();
        let mut carried = false;
        for chunk in list.chunks(41).map(Some).chain([None]) {
            let from = store.len();
            for ev in chunk.unwrap_or_default() {
                store.push_event(0, ev);
            }
            rules::mark(&rules, &mut store, from);
            let waiting = match chunk {
                Some(_) => store.waiting(),
                None => vec![false; store.len()],
            };
            for (i, &waits) in waiting.iter().enumerate() {
                let number = store.rows[i].number;
                match store.pair_of(i) {
                    Some(p) if waits && !waiting[p] => {
                        partners.insert(number, store.rows[p].number);
                    }
                    _ if !waits => {
                        let mut m = marks_of(&store, i);
                        m.3 = m.3.or(partners.remove(&number));
                        got.push(m);
                    }
                    _ => {}
                }
            }
            carried |= waiting.iter().any(|&w| w);
            store.retain_rows(&waiting);
            // Only the strings of the rows kept stay.
            assert!(store.strings.len() <= 1 + 11 * store.len());
        }
        assert!(carried, "some rows waited past a chunk");
        got.sort_by_key(|m| m.0);
        assert_eq!(got, want, "newest first: {newest_first}");
    }
}

#[test]
fn a_failure_with_no_create_after_it_needs_a_look() {
    let probe = "<Event><System><EventID>5061</EventID><TimeCreated SystemTime='2026-03-02T10:00:00Z'/>\
        <Keywords>0x8010000000000000</Keywords><Computer>WS01</Computer></System><EventData>\
        <Data Name='SubjectUserSid'>S-1-5-21-1-2-3-1104</Data><Data Name='SubjectUserName'>eve</Data>\
        <Data Name='SubjectDomainName'>CONTOSO</Data><Data Name='KeyName'>Payroll-Signing</Data>\
        <Data Name='KeyType'>%%2499</Data><Data Name='Operation'>%%2480</Data>\
        <Data Name='ReturnCode'>0x80090016</Data></EventData></Event>";
    let create_later = probe
        .replace("10:00:00Z", "10:05:00Z")
        .replace("0x8010000000000000", "0x8020000000000000")
        .replace("%%2480", "%%2481")
        .replace("0x80090016", "0x0");
    let rules = RuleSet::compile(presets()).unwrap();
    let (events, _, _) = decode_all(format!("{probe}{create_later}").as_bytes());
    let store = marked(&events, &rules);
    assert_ne!(store.findings_of(0), 0);
    assert_eq!(
        store.routine_of(0),
        0,
        "five minutes later is not a probe's create"
    );
    assert_eq!(store.pair_of(0), None);
}

#[test]
fn account_kinds_follow_the_sid_and_the_name() {
    let ev = |sid: &str, user: &str| {
        let xml = format!(
            "<Event><System><EventID>5059</EventID><Computer>WS01</Computer></System><EventData>\
             <Data Name='SubjectUserSid'>{sid}</Data><Data Name='SubjectUserName'>{user}</Data>\
             </EventData></Event>"
        );
        decode_all(xml.as_bytes()).0.remove(0)
    };
    assert_eq!(
        AccountKind::of(&ev("S-1-5-18", "WS01$")),
        AccountKind::Computer
    );
    assert_eq!(
        AccountKind::of(&ev("S-1-5-18", "SYSTEM")),
        AccountKind::System
    );
    assert_eq!(
        AccountKind::of(&ev("S-1-5-19", "LOCAL SERVICE")),
        AccountKind::LocalService
    );
    assert_eq!(
        AccountKind::of(&ev("S-1-5-20", "NETWORK SERVICE")),
        AccountKind::NetworkService
    );
    assert_eq!(
        AccountKind::of(&ev("S-1-5-21-1-2-3-500", "dadmin")),
        AccountKind::Person
    );
}

#[test]
fn a_reviewers_own_pattern_sets_their_backup_export_apart_and_the_builtin_list_can_be_switched_off()
{
    let events = routine_log(3, 3000, true);
    let export = |file: RuleFile| {
        let rules = RuleSet::compile_file(file).unwrap();
        let store = marked(&events, &rules);
        let t = tally(rules.len(), &store)[rule_index(&rules, "export-any")].clone();
        (rules, store, t)
    };
    let (_, _, before) = export(RuleFile::new(presets()));
    assert_eq!(
        before.needs_look(),
        2,
        "dadmin's and svc-backup's exports: {before:?}"
    );

    let own =
        RoutinePattern::own("CONTOSO\\svc-backup", "", "%%2464", "our backup service").unwrap();
    let file = RuleFile {
        routine: vec![own],
        ..RuleFile::new(presets())
    };
    // Kept in rule files: the JSON reads back to the same file.
    let file = RuleFile::from_json(&file.to_json()).unwrap();
    let (rules, store, after) = export(file.clone());
    assert_eq!(after.needs_look(), 1, "{after:?}");
    let backup = events
        .iter()
        .position(|e| e.event_id() == 5059 && e.account().user == "svc-backup")
        .unwrap();
    let p = rules.routine().pattern(store.routine_of(backup)).unwrap();
    assert_eq!(
        (p.title.as_str(), p.source.as_str()),
        ("our backup service", "own")
    );

    let (_, _, without) = export(RuleFile {
        builtin_routine: false,
        ..file
    });
    assert_eq!(
        without.routine,
        after.routine.min(1),
        "only one's own pattern is left"
    );
    assert_eq!(without.total, before.total, "every export is still counted");
    // Both refusals say which pattern is wrong.
    let bad = RoutinePattern {
        id: "mine".into(),
        key_names: Some(vec![Pattern::Regex("(".into())]),
        ..RoutinePattern::default()
    };
    assert_eq!(Routine::compile(vec![bad]).unwrap_err().rule, "mine");
    assert!(RuleFile::from_json(r#"{"rules":[],"routine":[{"id":"x","colour":"red"}]}"#).is_err());
}

#[test]
fn the_builtin_patterns_match_what_the_shared_facts_describe() {
    // One event per row of the facts' tables, by account kind, key type, operation and name.
    let routine = Routine::compile(builtin()).unwrap();
    let cases = [
        (
            "S-1-5-18",
            "WS01$",
            5059,
            "%%2500",
            "%%2464",
            "{6a1b4c2d-0e3f-4a5b-8c7d-9e0f1a2b3c4d}",
            "0x0",
            "computer-own-guid-keys",
        ),
        (
            "S-1-5-19",
            "LOCAL SERVICE",
            5059,
            "%%2500",
            "%%2464",
            "Microsoft Connected Devices Platform device certificate",
            "0x0",
            "cdp-device-certificate",
        ),
        (
            "S-1-5-21-1-2-3-1104",
            "alice",
            5059,
            "%%2500",
            "%%2464",
            "Microsoft Connected Devices Platform device certificate",
            "0x0",
            "cdp-device-certificate",
        ),
        (
            "S-1-5-18",
            "WS01$",
            5059,
            "%%2500",
            "%%2464",
            "RdCertificateFactory-Key{6A1B4C2D-0E3F-4A5B-8C7D-9E0F1A2B3C4D}",
            "0x0",
            "rd-certificate-factory",
        ),
        (
            "S-1-5-18",
            "WS01$",
            5059,
            "%%2499",
            "%%2465",
            "RdCertificateFactory-Key{6A1B4C2D-0E3F-4A5B-8C7D-9E0F1A2B3C4D}",
            "0x0",
            "rd-certificate-factory",
        ),
        (
            "S-1-5-18",
            "WS01$",
            5058,
            "%%2500",
            "%%2458",
            "{6a1b4c2d-0e3f-4a5b-8c7d-9e0f1a2b3c4d}",
            "0x0",
            "computer-own-guid-keys",
        ),
        (
            "S-1-5-18",
            "WS01$",
            5058,
            "%%2499",
            "%%2458",
            "TSSecKeySet1",
            "0x0",
            "terminal-services-keyset",
        ),
        (
            "S-1-5-18",
            "WS01$",
            5058,
            "%%2499",
            "%%2458",
            "979c1c9f5f77180a8a504e137a6a7b9b_6a1b4c2d-0e3f-4a5b-8c7d-9e0f1a2b3c4d",
            "0x0",
            "machine-keys-container",
        ),
        // Not routine: a person's GUID key export, a machine key export by a person, a
        // computer account's export that fails.
        (
            "S-1-5-21-1-2-3-1104",
            "alice",
            5059,
            "%%2500",
            "%%2464",
            "{6a1b4c2d-0e3f-4a5b-8c7d-9e0f1a2b3c4d}",
            "0x0",
            "",
        ),
        (
            "S-1-5-21-1-2-3-500",
            "dadmin",
            5059,
            "%%2499",
            "%%2464",
            "TSSecKeySet1",
            "0x0",
            "",
        ),
        (
            "S-1-5-18",
            "WS01$",
            5059,
            "%%2500",
            "%%2464",
            "{6a1b4c2d-0e3f-4a5b-8c7d-9e0f1a2b3c4d}",
            "0x80090010",
            "",
        ),
    ];
    for (sid, user, id, key_type, op, key, rc, want) in cases {
        let xml = format!(
            "<Event><System><EventID>{id}</EventID><Computer>WS01</Computer></System><EventData>\
             <Data Name='SubjectUserSid'>{sid}</Data><Data Name='SubjectUserName'>{user}</Data>\
             <Data Name='KeyName'>{key}</Data><Data Name='KeyType'>{key_type}</Data>\
             <Data Name='Operation'>{op}</Data><Data Name='ReturnCode'>{rc}</Data></EventData></Event>"
        );
        let ev = decode_all(xml.as_bytes()).0.remove(0);
        let got = routine
            .pattern(routine.classify(&ev))
            .map_or("", |p| p.id.as_str());
        assert_eq!(got, want, "{user} {id} {key_type} {op} {key} {rc}");
        assert!(!ev.failed() || rc != "0x0");
    }
}

/// `keytrail ARGS` with `stdin`: its exit status and standard output.
fn keytrail(args: &[&str], stdin: &[u8]) -> (i32, String) {
    let out = common::keytrail(args, Some(stdin));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

fn export_xml(events: impl Iterator<Item = generator::GenEvent>) -> Vec<u8> {
    let mut xml = Vec::new();
    generator::write(events, Format::Wevtutil, Encoding::Utf8, &mut xml).unwrap();
    xml
}

#[test]
fn the_cli_leads_with_what_needs_a_look_and_exits_4_only_for_it() {
    let spec = Spec {
        seed: 2,
        events: 2000,
    };
    let routine = export_xml(generator::routine_events(&spec, false));
    let (code, out) = keytrail(&["findings", "-", "--format", "json"], &routine);
    assert_eq!(code, 0, "routine findings alone do not set status 4");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let list = doc["findings"].as_array().unwrap();
    assert!(!list.is_empty());
    assert!(list
        .iter()
        .all(|f| f["routine"] == true && f["pattern"].is_string()));
    assert_eq!(doc["needs_look"], 0);
    assert_eq!(doc["routine"].as_u64().unwrap() as usize, list.len());
    let probe = list
        .iter()
        .find(|f| f["pattern"] == "probe-then-create")
        .unwrap();
    assert!(probe["paired_event"].as_u64().unwrap() > probe["event"].as_u64().unwrap());
    let (code, _) = keytrail(&["findings", "-", "--count-routine"], &routine);
    assert_eq!(code, 4, "--count-routine counts them");

    let incident = export_xml(generator::routine_events(&spec, true));
    let (code, out) = keytrail(&["findings", "-"], &incident);
    assert_eq!(code, 4);
    let lines: Vec<&str> = out.lines().collect();
    let first_routine = lines.iter().position(|l| l.contains("\troutine:")).unwrap();
    assert!(first_routine > 0);
    assert!(lines[..first_routine]
        .iter()
        .all(|l| l.split('\t').nth(1) == Some("needs-a-look")));
    assert!(lines[first_routine..lines.len() - 1].iter().all(|l| l
        .split('\t')
        .nth(1)
        .is_some_and(|c| c.starts_with("routine:"))));
    assert!(lines[..first_routine]
        .iter()
        .any(|l| l.contains("CONTOSO\\dadmin")));
    let last = lines.last().unwrap();
    assert!(
        last.contains(&format!("{first_routine} need a look")),
        "{last}"
    );
}

#[test]
fn subject_failed_is_what_routine_outcomes_compare() {
    // A 5061 failure is an Audit Failure with a ReturnCode: both views of it agree.
    let events = routine_log(4, 1500, false);
    for ev in events.iter().filter(|e| e.event_id() == 5061) {
        assert_eq!(Subject::failed(ev), ev.data("ReturnCode") != Some("0x0"));
    }
}

#[test]
fn generate_scenarios_give_a_quiet_log_and_one_with_the_incident() {
    let (code, routine) = keytrail(
        &["generate", "--scenario", "routine", "--events", "1200"],
        b"",
    );
    assert_eq!(code, 0);
    let (code, incident) = keytrail(
        &["generate", "--scenario", "incident", "--events", "1200"],
        b"",
    );
    assert_eq!(code, 0);
    assert_eq!(keytrail(&["findings", "-"], routine.as_bytes()).0, 0);
    let (code, out) = keytrail(&["findings", "-"], incident.as_bytes());
    assert_eq!(code, 4);
    let needs: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("\tneeds-a-look\t"))
        .collect();
    assert!(needs
        .iter()
        .all(|l| l.contains("CONTOSO\\dadmin") || l.contains("CONTOSO\\svc-backup")));
    assert!(needs
        .iter()
        .any(|l| l.starts_with("machine-key-export-not-system\t")));
    let (code, _) = keytrail(
        &["generate", "--scenario", "incident", "--size", "1MB"],
        b"",
    );
    assert_eq!(code, 2, "--size makes the demo only");
}

/// Marking judges each distinct row once and looks the rest up (rows alike but for their time
/// match alike), and keeps what it judged for the store's next rows: marking a whole log at once
/// gives exactly what marking it one row at a time gives with nothing looked up (two compiled
/// copies of the rules taking turns, so that each row is judged afresh) — findings (business
/// hours in a zone with daylight saving time, key names), routine classes and sequence pairs.
#[test]
fn rows_judged_once_per_likeness_are_marked_as_rows_judged_one_by_one() {
    let hours = rules::Hours {
        time_zone: Some("Europe/Berlin".into()),
        ..Default::default()
    };
    let compile =
        || RuleSet::compile(rules::with_settings(presets(), "te-*\nsvc-*", &hours)).unwrap();
    let (rules, twin) = (compile(), compile());
    let mut events = routine_log(5, 4000, true);
    events.extend(decoded(generator::events(&Spec {
        seed: 9,
        events: 3000,
    })));
    let whole = marked(&events, &rules);
    let mut one_by_one = Store::new();
    for (i, ev) in events.iter().enumerate() {
        let from = one_by_one.len();
        one_by_one.push_event(0, ev);
        rules::mark(
            if i % 2 == 0 { &rules } else { &twin },
            &mut one_by_one,
            from,
        );
    }
    assert_eq!(whole.findings, one_by_one.findings);
    assert_eq!(whole.routine, one_by_one.routine);
    for row in 0..whole.len() {
        assert_eq!(whole.pair_of(row), one_by_one.pair_of(row), "row {row}");
    }
    // The log exercises what is judged: every preset fires, off-hours ones included, and
    // sequences pair.
    for (i, rule) in rules.rules().iter().enumerate() {
        let hits = whole
            .findings
            .iter()
            .filter(|&&m| m & (1 << i) != 0)
            .count();
        assert!(hits > 0, "{} never fires", rule.id);
    }
    assert!((0..whole.len()).any(|row| whole.pair_of(row).is_some()));
}

/// What marking keeps of one set of rules is never used for another: a load marked batch by
/// batch with the presets, then marked again whole with other rules (the reviewer edited them),
/// then given more rows, is marked as stores marked with each set alone.
#[test]
fn rules_changed_between_batches_are_judged_by_themselves() {
    let presets_only = RuleSet::compile(presets()).unwrap();
    // The same rules in the other order (each row's marks on other bits), and no built-in
    // routine patterns (no row is routine).
    let mut file = rules::RuleFile::new(presets().into_iter().rev().collect());
    file.builtin_routine = false;
    let edited = RuleSet::compile_file(file).unwrap();
    let events = routine_log(7, 3000, true);
    let (first, more) = events.split_at(2000);
    let mut store = Store::new();
    for batch in first.chunks(250) {
        let from = store.len();
        for ev in batch {
            store.push_event(0, ev);
        }
        rules::mark(&presets_only, &mut store, from);
    }
    let alone = marked(first, &presets_only);
    assert_eq!(store.findings, alone.findings);
    assert_eq!(store.routine, alone.routine);
    rules::mark(&edited, &mut store, 0);
    let alone = marked(first, &edited);
    assert_ne!(
        alone.findings,
        marked(first, &presets_only).findings,
        "the edit changes marks"
    );
    assert_eq!(store.findings, alone.findings);
    assert_eq!(store.routine, alone.routine);
    let from = store.len();
    for ev in more {
        store.push_event(0, ev);
    }
    rules::mark(&edited, &mut store, from);
    let alone = marked(&events, &edited);
    assert_eq!(store.findings, alone.findings);
    assert_eq!(store.routine, alone.routine);
}
