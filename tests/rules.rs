//! Monitoring rules: each kind of criterion and each preset fires when it should and stays quiet
//! when it should not.
#![cfg(not(target_arch = "wasm32"))]

use keytrail::decoder::{decode_all, Event};
use keytrail::model::rules::{presets, Hours, KeyKind, Pattern, RowSubject, Rule, RuleSet};
use keytrail::model::store::Store;

/// A key event with sensible defaults; `with` overrides fields by name.
struct Ev<'a> {
    id: u32,
    time: &'a str,
    computer: &'a str,
    sid: &'a str,
    user: &'a str,
    domain: &'a str,
    key: &'a str,
    key_type: &'a str,
    op: &'a str,
    rc: &'a str,
    keywords: &'a str,
    provider: &'a str,
    alg: &'a str,
}

const BASE: Ev<'static> = Ev {
    id: 5059,
    time: "2026-03-04T10:15:00.0000000Z", // a Wednesday, mid-morning UTC
    computer: "CA01.contoso.local",
    sid: "S-1-5-21-3457937927-2839227994-823803824-1112",
    user: "svc-backup",
    domain: "CONTOSO",
    key: "CONTOSO-CA01-CA",
    key_type: "%%2499",
    op: "%%2464",
    rc: "0x0",
    keywords: "0x8020000000000000",
    provider: "Microsoft Software Key Storage Provider",
    alg: "RSA",
};

fn event(e: &Ev) -> Event {
    let xml =
        format!(
        "<Event><System><EventID>{}</EventID><Keywords>{}</Keywords><TimeCreated SystemTime='{}'/>\
         <Computer>{}</Computer></System><EventData>\
         <Data Name='SubjectUserSid'>{}</Data><Data Name='SubjectUserName'>{}</Data>\
         <Data Name='SubjectDomainName'>{}</Data><Data Name='SubjectLogonId'>0x5a1f3c</Data>\
         <Data Name='ProviderName'>{}</Data><Data Name='AlgorithmName'>{}</Data>\
         <Data Name='KeyName'>{}</Data><Data Name='KeyType'>{}</Data>\
         <Data Name='Operation'>{}</Data><Data Name='ReturnCode'>{}</Data></EventData></Event>",
        e.id, e.keywords, e.time, e.computer, e.sid, e.user, e.domain, e.provider, e.alg, e.key,
        e.key_type, e.op, e.rc
    );
    let (mut events, problems, _) = decode_all(xml.as_bytes());
    assert!(problems.is_empty(), "{problems:?}");
    events.remove(0)
}

/// Whether the rule fires on the event. The CLI matches decoded events and the viewer matches
/// compact rows: both must always agree, and the reason's presence must agree with the mask.
fn fires(rule: &Rule, e: &Ev) -> bool {
    let set = RuleSet::compile(vec![rule.clone()]).unwrap();
    let ev = event(e);
    let on_event = !set.matches(&ev).is_empty();
    let mut store = Store::new();
    store.push_event(0, &ev);
    let row = RowSubject {
        row: &store.rows[0],
        store: &store,
    };
    assert_eq!(set.mask(&row) == 1, on_event, "row and event disagree");
    // The same reasons too: the CLI words its findings from rows.
    let reasons = |m: Vec<keytrail::model::rules::Match<'_>>| {
        m.into_iter().map(|m| m.reason).collect::<Vec<_>>()
    };
    assert_eq!(reasons(set.matches(&row)), reasons(set.matches(&ev)));
    on_event
}

fn preset(id: &str) -> Rule {
    presets().into_iter().find(|r| r.id == id).unwrap()
}

fn rule(f: impl FnOnce(&mut Rule)) -> Rule {
    let mut r = Rule {
        id: "t".into(),
        ..Rule::default()
    };
    f(&mut r);
    r
}

#[test]
fn key_name_exact_glob_and_regex() {
    let exact = rule(|r| r.key_names = Some(vec![Pattern::Exact("contoso-ca01-ca".into())]));
    assert!(fires(&exact, &BASE));
    assert!(!fires(
        &exact,
        &Ev {
            key: "CONTOSO-CA01-CA-old",
            ..BASE
        }
    ));
    let glob = rule(|r| r.key_names = Some(vec![Pattern::Glob("CONTOSO-*-CA".into())]));
    assert!(fires(&glob, &BASE));
    assert!(!fires(
        &glob,
        &Ev {
            key: "le-SuperAdmin-795f",
            ..BASE
        }
    ));
    let re = rule(|r| r.key_names = Some(vec![Pattern::Regex(r"^le-\w+-[0-9a-f]{4}".into())]));
    assert!(fires(
        &re,
        &Ev {
            key: "le-SuperAdmin-795fd6c1",
            ..BASE
        }
    ));
    assert!(!fires(&re, &BASE));
}

#[test]
fn operation_by_word_code_or_text() {
    for op in [
        "export",
        "%%2464",
        "Export of persistent cryptographic key.",
    ] {
        let r = rule(|r| r.operations = Some(vec![op.into()]));
        assert!(fires(&r, &BASE), "{op}");
        assert!(
            !fires(
                &r,
                &Ev {
                    op: "%%2465",
                    ..BASE
                }
            ),
            "{op}"
        );
    }
    let open = rule(|r| r.operations = Some(vec!["Open Key.".into()]));
    assert!(fires(
        &open,
        &Ev {
            id: 5061,
            op: "%%2480",
            ..BASE
        }
    ));
}

#[test]
fn failure_by_return_code_or_audit_failure() {
    let r = rule(|r| r.failure = Some(true));
    assert!(fires(
        &r,
        &Ev {
            rc: "0x80090010",
            ..BASE
        }
    ));
    assert!(fires(
        &r,
        &Ev {
            keywords: "0x8010000000000000",
            ..BASE
        }
    ));
    assert!(!fires(&r, &BASE));
    let ok = rule(|r| r.failure = Some(false));
    assert!(fires(&ok, &BASE));
    assert!(!fires(
        &ok,
        &Ev {
            rc: "0x8009000D",
            ..BASE
        }
    ));
}

#[test]
fn key_type_provider_algorithm_and_event_id() {
    let machine = rule(|r| r.key_type = Some(KeyKind::Machine));
    assert!(fires(&machine, &BASE));
    assert!(!fires(
        &machine,
        &Ev {
            key_type: "%%2500",
            ..BASE
        }
    ));
    let user = rule(|r| r.key_type = Some(KeyKind::User));
    assert!(fires(
        &user,
        &Ev {
            key_type: "%%2500",
            ..BASE
        }
    ));
    let provider = rule(|r| r.providers = Some(vec![Pattern::Glob("*Smart Card*".into())]));
    assert!(fires(
        &provider,
        &Ev {
            provider: "Microsoft Smart Card Key Storage Provider",
            ..BASE
        }
    ));
    assert!(!fires(&provider, &BASE));
    let alg = rule(|r| r.algorithms = Some(vec![Pattern::Regex("^ECD(H|SA)_P521$".into())]));
    assert!(fires(
        &alg,
        &Ev {
            alg: "ECDH_P521",
            ..BASE
        }
    ));
    assert!(!fires(&alg, &BASE));
    let ids = rule(|r| r.event_ids = Some(vec![5058]));
    assert!(fires(&ids, &Ev { id: 5058, ..BASE }));
    assert!(!fires(&ids, &BASE));
}

#[test]
fn account_allow_and_deny_lists_by_name_or_sid() {
    let allow =
        rule(|r| r.accounts_allow = Some(vec![Pattern::Exact("CONTOSO\\svc-backup".into())]));
    assert!(!fires(&allow, &BASE));
    assert!(fires(
        &allow,
        &Ev {
            user: "mgarcia",
            ..BASE
        }
    ));
    let allow_sid =
        rule(|r| r.accounts_allow = Some(vec![Pattern::Glob("S-1-5-21-*-1112".into())]));
    assert!(!fires(&allow_sid, &BASE));
    let deny = rule(|r| r.accounts_deny = Some(vec![Pattern::Exact("mgarcia".into())]));
    assert!(fires(
        &deny,
        &Ev {
            user: "mgarcia",
            ..BASE
        }
    ));
    assert!(!fires(&deny, &BASE));
}

#[test]
fn hours_and_days_with_an_offset() {
    let h = rule(|r| r.outside_hours = Some(Hours::default()));
    assert!(
        !fires(&h, &BASE),
        "Wednesday 10:15 UTC is inside 08–18 Mon–Fri"
    );
    assert!(
        fires(
            &h,
            &Ev {
                time: "2026-03-04T22:15:00Z",
                ..BASE
            }
        ),
        "night"
    );
    assert!(
        fires(
            &h,
            &Ev {
                time: "2026-03-07T10:15:00Z",
                ..BASE
            }
        ),
        "Saturday"
    );
    let tokyo = rule(|r| {
        r.outside_hours = Some(Hours {
            utc_offset_minutes: 9 * 60,
            ..Hours::default()
        })
    });
    // 10:15 UTC is 19:15 in Tokyo: outside.
    assert!(fires(&tokyo, &BASE));
    // A zone with daylight saving time: New York is UTC-5 until 8 March 2026, UTC-4 after.
    // 12:30 UTC on Monday 9 March is 08:30 EDT, inside 8–18; a fixed -300 would say 07:30.
    let new_york = rule(|r| {
        r.outside_hours = Some(Hours {
            time_zone: Some("America/New_York".into()),
            ..Hours::default()
        })
    });
    let after_the_change = Ev {
        time: "2026-03-09T12:30:00Z",
        ..BASE
    };
    assert!(!fires(&new_york, &after_the_change));
    let fixed = rule(|r| {
        r.outside_hours = Some(Hours {
            utc_offset_minutes: -300,
            ..Hours::default()
        })
    });
    assert!(
        fires(&fixed, &after_the_change),
        "the fixed offset is an hour off"
    );
    // The week before, 12:30 UTC is 07:30 EST: outside, and the reason names the zone.
    let before = Ev {
        time: "2026-03-02T12:30:00Z",
        ..BASE
    };
    assert!(fires(&new_york, &before));
    let set = RuleSet::compile(vec![new_york.clone()]).unwrap();
    let why = set.matches(&event(&before))[0].reason.to_string();
    assert!(
        why.contains("at 07:xx on Mon (outside 08:00–18:00 America/New_York)"),
        "{why}"
    );
    // Rule files name it; an unknown zone is refused with the rule's id.
    let json = r#"[{"id":"ny","event_ids":[5059],"outside_hours":{"start":8,"end":18,"days":[1,2,3,4,5],"time_zone":"America/New_York"}}]"#;
    assert!(RuleSet::compile(RuleSet::from_json(json).unwrap()).is_ok());
    let bad = json.replace("America/New_York", "America/Gotham");
    let err = RuleSet::compile(RuleSet::from_json(&bad).unwrap()).unwrap_err();
    assert_eq!(err.rule, "ny");
    assert_eq!(
        err.reason,
        keytrail::model::rules::RuleProblem::Hours(
            keytrail::model::rules::HoursProblem::UnknownZone {
                zone: "America/Gotham".into()
            }
        )
    );
    assert!(err
        .to_string()
        .contains("`America/Gotham` is not a time zone"));
    assert!(!fires(
        &tokyo,
        &Ev {
            time: "2026-03-04T01:15:00Z",
            ..BASE
        }
    ));
}

#[test]
fn preset_any_export() {
    let r = preset("export-any");
    assert!(fires(&r, &BASE));
    assert!(!fires(
        &r,
        &Ev {
            op: "%%2465",
            ..BASE
        }
    ));
    assert!(!fires(
        &r,
        &Ev {
            id: 5061,
            op: "%%2480",
            ..BASE
        }
    ));
}

#[test]
fn preset_machine_key_export_by_someone_other_than_system() {
    let r = preset("machine-key-export-not-system");
    assert!(fires(&r, &BASE), "svc-backup exporting the CA key");
    assert!(
        !fires(
            &r,
            &Ev {
                sid: "S-1-5-18",
                user: "CA01$",
                ..BASE
            }
        ),
        "SYSTEM"
    );
    assert!(
        !fires(
            &r,
            &Ev {
                sid: "S-1-5-21-1-2-3-1107",
                user: "CA01$",
                ..BASE
            }
        ),
        "the computer's own account"
    );
    assert!(
        fires(
            &r,
            &Ev {
                sid: "S-1-5-21-1-2-3-1108",
                user: "DC01$",
                ..BASE
            }
        ),
        "another computer's account is not this computer"
    );
    assert!(
        !fires(
            &r,
            &Ev {
                key_type: "%%2500",
                ..BASE
            }
        ),
        "user key"
    );
}

#[test]
fn preset_failed_key_operations() {
    let r = preset("failed-key-operations");
    assert!(fires(
        &r,
        &Ev {
            rc: "0x80090016",
            ..BASE
        }
    ));
    assert!(fires(
        &r,
        &Ev {
            id: 5061,
            op: "%%2485",
            rc: "0x80090010",
            ..BASE
        }
    ));
    assert!(!fires(&r, &BASE));
    let set = RuleSet::compile(vec![r]).unwrap();
    let m = set.matches(&event(&Ev {
        rc: "0x80090010",
        ..BASE
    }));
    assert!(
        m[0].reason.to_string().contains("NTE_PERM"),
        "{}",
        m[0].reason
    );
}

#[test]
fn preset_off_hours_skips_system() {
    let r = preset("key-operations-off-hours");
    assert!(fires(
        &r,
        &Ev {
            time: "2026-03-08T03:00:00Z",
            ..BASE
        }
    ));
    assert!(!fires(&r, &BASE));
    assert!(!fires(
        &r,
        &Ev {
            time: "2026-03-08T03:00:00Z",
            sid: "S-1-5-18",
            ..BASE
        }
    ));
}

#[test]
fn preset_sensitive_keys_is_quiet_until_keys_are_listed() {
    let mut r = preset("sensitive-key-export");
    assert!(!fires(&r, &BASE));
    r.key_names = Some(vec![Pattern::Glob("contoso-*-ca".into())]);
    assert!(fires(&r, &BASE));
    assert!(!fires(
        &r,
        &Ev {
            key: "other",
            ..BASE
        }
    ));
}

#[test]
fn rules_round_trip_as_json() {
    let json = serde_json::to_string(&presets()).unwrap();
    let back = RuleSet::from_json(&json).unwrap();
    assert_eq!(back, presets());
    let wrapped = format!("{{\"rules\": {json}}}");
    assert_eq!(RuleSet::from_json(&wrapped).unwrap().len(), presets().len());
    let custom = r#"[{"id":"ca","key_names":[{"glob":"CONTOSO-*"}],"operations":["export"]}]"#;
    let rules = RuleSet::compile(RuleSet::from_json(custom).unwrap()).unwrap();
    assert_eq!(rules.matches(&event(&BASE)).len(), 1);
}

#[test]
fn the_editors_settings_become_rules() {
    use keytrail::model::rules::{with_settings, SENSITIVE_KEY_RULE};
    // Hours as typed: whole hours, the first before the last, an offset within a day's zones.
    let hours = Hours::from_fields(" 9", "17 ", vec![1, 2, 3, 4, 5], "540", "").unwrap();
    assert_eq!(
        (hours.start, hours.end, hours.utc_offset_minutes),
        (9, 17, 540)
    );
    assert_eq!(
        Hours::from_fields("0", "24", vec![], "", "")
            .unwrap()
            .utc_offset_minutes,
        0
    );
    for (start, end, offset) in [
        ("9", "9", "0"),
        ("18", "8", "0"),
        ("24", "24", "0"),
        ("8", "25", "0"),
        ("-1", "8", "0"),
        ("nine", "17", "0"),
        ("9", "17", "900"),
        ("9", "17", "+9h"),
        ("", "17", "0"),
    ] {
        assert_eq!(
            Hours::from_fields(start, end, vec![1], offset, ""),
            None,
            "{start}–{end} {offset}"
        );
    }
    assert_eq!(
        Hours::from_fields("9", "17", vec![0], "0", ""),
        None,
        "day 0"
    );
    // A time zone by its IANA name; one the platform does not know is refused.
    let berlin = Hours::from_fields("8", "18", vec![1, 2, 3, 4, 5], "", " Europe/Berlin ").unwrap();
    assert_eq!(berlin.time_zone.as_deref(), Some("Europe/Berlin"));
    assert_eq!(
        Hours::from_fields("8", "18", vec![1], "", "Europe/Atlantis"),
        None
    );
    // Key names: one per line, globs when they have * or ?.
    assert_eq!(
        Pattern::from_line("  ca-signing*  "),
        Pattern::Glob("ca-signing*".into())
    );
    assert_eq!(
        Pattern::from_line("le-1f2e"),
        Pattern::Exact("le-1f2e".into())
    );
    let list = with_settings(presets(), "ca-signing*\n\n  le-1f2e \n", &hours);
    let sensitive = list.iter().find(|r| r.id == SENSITIVE_KEY_RULE).unwrap();
    let names: Vec<&str> = sensitive
        .key_names
        .iter()
        .flatten()
        .map(Pattern::text)
        .collect();
    assert_eq!(names, ["ca-signing*", "le-1f2e"]);
    // Every rule with hours gets the new ones; the others keep having none.
    assert!(list.iter().any(|r| r.outside_hours.is_some()));
    for (rule, before) in list.iter().zip(presets()) {
        assert_eq!(
            rule.outside_hours.is_some(),
            before.outside_hours.is_some(),
            "{}",
            rule.id
        );
        if let Some(h) = &rule.outside_hours {
            assert_eq!(h, &hours);
        }
    }
    // And the result is a rule set that compiles.
    assert!(RuleSet::compile(list).is_ok());
    // Rule files are held to the same hours as the editor.
    let far = Hours {
        utc_offset_minutes: 900,
        ..Hours::default()
    };
    let far = with_settings(presets(), "", &far);
    let e = RuleSet::compile(far).unwrap_err();
    assert!(e.to_string().contains("900 minutes"), "{e}");
}
