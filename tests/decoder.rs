//! The decoder on malformed and hostile input: one line per case, input → what survives and which
//! problem is reported where.
#![cfg(not(target_arch = "wasm32"))]

use keytrail::decoder::{decode_all, Decoder, InputKind, Item, Limits, ProblemKind, Severity};

fn ev(id: u32, rec: u32) -> String {
    format!(
        "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>\
         <Provider Name='Microsoft-Windows-Security-Auditing' Guid='{{54849625-5478-4994-A5BA-3E3B0328C30D}}'/>\
         <EventID>{id}</EventID><Version>0</Version><Level>0</Level><Task>12292</Task><Opcode>0</Opcode>\
         <Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime='2026-03-02T08:00:0{}.1234560Z'/>\
         <EventRecordID>{rec}</EventRecordID><Correlation/><Execution ProcessID='520' ThreadID='3496'/>\
         <Channel>Security</Channel><Computer>CA01.contoso.local</Computer><Security/></System>\
         <EventData><Data Name='SubjectUserName'>svc-backup</Data><Data Name='Operation'>%%2464</Data>\
         <Data Name='ReturnCode'>0x0</Data></EventData></Event>\n",
        rec % 10
    )
}

/// Three good events around `bad`: (records decoded, problem codes with severity, line of the
/// first problem).
fn around(bad: &str) -> (Vec<u64>, Vec<(&'static str, Severity)>, Vec<u64>) {
    let input = format!("{}{}{bad}\n{}", ev(5059, 1), ev(5059, 2), ev(5061, 3));
    let (events, problems, _) = decode_all(input.as_bytes());
    (
        events.iter().filter_map(|e| e.record_id()).collect(),
        problems
            .iter()
            .map(|p| (p.kind.code(), p.severity))
            .collect(),
        problems.iter().map(|p| p.position.line).collect(),
    )
}

#[test]
fn a_broken_event_costs_only_itself_and_says_where() {
    use Severity::*;
    type Case<'a> = (&'a str, &'a [u64], &'a [(&'a str, Severity)]);
    let cases: &[Case] = &[
        (
            "<Event><System><EventID>1</EventId></System></Event>",
            &[1, 2, 3],
            &[("mismatched_end_tag", Skipped)],
        ),
        (
            "<Event><System><EventID>1</EventID></System>",
            &[1, 2, 3],
            &[("unclosed_event", Skipped)],
        ),
        (
            "<Event><System><EventID>x</EventID></System></Event>",
            &[1, 2, 3],
            &[("missing_event_id", Skipped)],
        ),
        (
            "<Event><System><EventID a='1 b='2'>1</EventID></System></Event>",
            &[1, 2, 3],
            &[("malformed_xml", Skipped)],
        ),
        (
            "<Event><System><EventID>7</EventID></System><EventData><Data Name='k'>R&D</Data></EventData></Event>",
            &[1, 2, 7, 3],
            &[("lone_ampersand", Repaired)],
        ),
        (
            "<Event><System><EventID>8</EventID></System><EventData><Data>&xxe;</Data></EventData></Event>",
            &[1, 2, 8, 3],
            &[("undefined_entity", Repaired)],
        ),
    ];
    for (bad, want_ids, want_problems) in cases {
        let bad = bad
            .replace(
                "<EventID>7</EventID>",
                "<EventID>7</EventID><EventRecordID>7</EventRecordID>",
            )
            .replace(
                "<EventID>8</EventID>",
                "<EventID>8</EventID><EventRecordID>8</EventRecordID>",
            );
        let (ids, problems, lines) = around(&bad);
        assert_eq!(&ids, want_ids, "{bad}");
        assert_eq!(&problems, want_problems, "{bad}");
        assert_eq!(lines[0], 3, "{bad}: the problem is on line 3");
    }
}

#[test]
fn mismatched_end_tag_reports_line_column_and_event_number() {
    let input = format!(
        "{}{}  <Event>\n<System><EventID>1</EventId></System></Event>\n",
        ev(1, 1),
        ev(1, 2)
    );
    let (events, problems, stats) = decode_all(input.as_bytes());
    assert_eq!(events.len(), 2);
    assert_eq!(stats.skipped, 1);
    let p = &problems[0];
    assert_eq!((p.position.line, p.position.column), (4, 19));
    assert_eq!(p.event, Some(3));
    assert_eq!(
        p.kind,
        ProblemKind::MismatchedEndTag {
            expected: "EventID".into(),
            found: "EventId".into()
        }
    );
    assert_eq!(
        p.to_string(),
        "4:19: event 3: end tag `</EventId>` does not match `<EventID>` (event skipped)"
    );
}

#[test]
fn truncated_file_keeps_every_complete_event() {
    let full = format!(
        "<Events>{}{}{}</Events>",
        ev(5059, 1),
        ev(5059, 2),
        ev(5059, 3)
    );
    let cut = &full.as_bytes()[..full.len() - 200];
    let (events, problems, stats) = decode_all(cut);
    assert_eq!(events.len(), 2);
    assert_eq!(stats.skipped, 1);
    assert_eq!(problems[0].kind, ProblemKind::TruncatedEvent);
    assert_eq!(problems[0].event, Some(3));
}

#[test]
fn no_dtd_is_processed_and_nothing_is_expanded() {
    let input = format!(
        "<?xml version='1.0'?>\n<!DOCTYPE Events [\n<!ENTITY lol 'lol'>\n<!ENTITY lol2 '&lol;&lol;&lol;&lol;'>\n\
         <!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>\n<Events>{}<Event><System><EventID>5059</EventID>\
         </System><EventData><Data Name='KeyName'>&lol2;&xxe;</Data></EventData></Event></Events>",
        ev(5059, 1)
    );
    let (events, problems, _) = decode_all(input.as_bytes());
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].data("KeyName"), Some("&lol2;&xxe;"));
    let codes: Vec<_> = problems.iter().map(|p| p.kind.code()).collect();
    assert_eq!(
        codes,
        ["dtd_ignored", "undefined_entity", "undefined_entity"]
    );
    assert_eq!(problems[0].position.line, 2);
    assert_eq!(problems[0].severity, Severity::Notice);
}

#[test]
fn limits_turn_hostile_sizes_into_problems() {
    let deep = format!(
        "<Event><System><EventID>1</EventID></System><UserData>{}{}</UserData></Event>",
        "<a>".repeat(100_000),
        "</a>".repeat(100_000)
    );
    let (ids, problems, _) = around(&deep);
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(problems, [("too_deep", Severity::Skipped)]);

    let attrs: String = (0..10_000).map(|i| format!(" a{i}='{i}'")).collect();
    let many = format!("<Event><System><EventID{attrs}>1</EventID></System></Event>");
    let (ids, problems, _) = around(&many);
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(problems, [("too_many_attributes", Severity::Skipped)]);

    let huge = format!(
        "<Event><System><EventID>1</EventID></System><EventData><Data>{}</Data></EventData></Event>",
        "A".repeat(2 << 20)
    );
    let (ids, problems, _) = around(&huge);
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(problems, [("value_too_large", Severity::Skipped)]);

    // Larger than the event limit: discarded while streaming, memory stays bounded.
    let limits = Limits {
        max_event_bytes: 1 << 20,
        ..Limits::default()
    };
    let mut d = Decoder::with_limits(limits);
    let mut out = Vec::new();
    d.push(ev(5059, 1).as_bytes(), &mut out);
    d.push(
        b"<Event><System><EventID>1</EventID></System><EventData><Data>",
        &mut out,
    );
    let block = vec![b'B'; 64 << 10];
    for _ in 0..50 * 16 {
        d.push(&block, &mut out);
    }
    d.push(b"</Data></EventData></Event>", &mut out);
    d.push(ev(5059, 2).as_bytes(), &mut out);
    d.finish(&mut out);
    let kinds: Vec<_> = out
        .iter()
        .map(|i| match i {
            Item::Event(e) => format!("event {}", e.record_id().unwrap_or(0)),
            Item::Problem(p) => p.kind.code().to_string(),
        })
        .collect();
    assert_eq!(kinds, ["event 1", "event_too_large", "event 2"]);
}

#[test]
fn bad_encodings_are_repaired_and_reported() {
    // Invalid UTF-8 inside a value.
    let mut input = ev(5059, 1).into_bytes();
    let bad = ev(5059, 2).replace("svc-backup", "svc-\u{1}back");
    let mut bad = bad.into_bytes();
    let at = bad.iter().position(|&b| b == 1).unwrap();
    bad[at] = 0xFF;
    input.extend_from_slice(&bad);
    input.extend_from_slice(ev(5059, 3).as_bytes());
    let (events, problems, stats) = decode_all(&input);
    assert_eq!(events.len(), 3);
    assert_eq!(events[1].data("SubjectUserName"), Some("svc-\u{FFFD}back"));
    assert_eq!(problems[0].kind, ProblemKind::InvalidUtf8);
    assert_eq!(stats.repaired, 1);

    // An unpaired surrogate in UTF-16.
    let text = format!(
        "{}{}",
        ev(5059, 1),
        ev(5059, 2).replace("svc-backup", "svc-\u{E000}")
    );
    let mut units: Vec<u16> = text.encode_utf16().collect();
    let i = units.iter().position(|&u| u == 0xE000).unwrap();
    units[i] = 0xD800;
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    let (events, problems, _) = decode_all(&bytes);
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].data("SubjectUserName"), Some("svc-\u{FFFD}"));
    assert_eq!(problems[0].kind, ProblemKind::InvalidUtf16);
}

#[test]
fn input_without_events_says_what_it_looks_like() {
    let cases: &[(&[u8], InputKind)] = &[
        (b"", InputKind::Empty),
        (b"  \r\n ", InputKind::Blank),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", InputKind::Png),
        (b"PK\x03\x04\x14\0\0\0", InputKind::Zip),
        (b"ElfFile\0\0\0\0\0", InputKind::Evtx),
        (b"%PDF-1.7\n", InputKind::Pdf),
        (
            b"<?xml version='1.0'?><Events></Events>",
            InputKind::EmptyEventLog,
        ),
        (
            b"<?xml version='1.0'?>\n<!-- feed -->\n<rss version='2.0'><channel/></rss>",
            InputKind::OtherXml { root: "rss".into() },
        ),
        (b"Log Name: Security\nnothing else", InputKind::Text),
        (
            b"\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b",
            InputKind::Binary,
        ),
    ];
    for (input, want) in cases {
        let (events, problems, _) = decode_all(input);
        assert!(events.is_empty());
        assert_eq!(problems.len(), 1, "{want:?}");
        assert_eq!(problems[0].severity, Severity::Rejected);
        assert_eq!(
            problems[0].kind,
            ProblemKind::NotEventXml {
                looks_like: want.clone()
            }
        );
    }
}

#[test]
fn utf16_positions_count_original_bytes() {
    let text = format!("{}\n  {}", ev(5059, 1), ev(5059, 2));
    for (bom, le) in [
        (&[0xFF, 0xFE][..], true),
        (&[0xFE, 0xFF][..], false),
        (&[][..], true),
    ] {
        let mut bytes = bom.to_vec();
        for u in text.encode_utf16() {
            bytes.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        let (events, _, _) = decode_all(&bytes);
        assert_eq!(events.len(), 2);
        let second = &events[1];
        assert_eq!((second.position.line, second.position.column), (3, 3));
        let start_char = text.find("  <Event").unwrap() + 2;
        assert_eq!(
            second.byte_range.0,
            bom.len() as u64 + 2 * start_char as u64
        );
        assert_eq!(second.byte_range.1, bytes.len() as u64 - 2);
    }
}

#[test]
fn events_and_fields_match_by_local_name_with_any_namespace_or_prefix() {
    let input = "<e:Events xmlns:e='x'><Event xmlns='urn:wrong'><System><EventID>4624</EventID>\
                 <TimeCreated SystemTime='2016-07-16 00:44:06.060192+00:00'/></System>\
                 <EventData><Data Name='TargetUserName'>bob</Data></EventData></Event></e:Events>";
    let (events, problems, _) = decode_all(input.as_bytes());
    assert!(problems.is_empty());
    assert_eq!(events[0].event_id(), 4624);
    assert_eq!(
        events[0].time().unwrap().to_string(),
        "2016-07-16T00:44:06.0601920Z"
    );
    assert_eq!(events[0].account().user, "bob");
}

#[test]
fn a_million_tiny_events_are_each_handed_over_as_soon_as_complete() {
    // 1,000,000 minimal events between good ones, fed in 64 KiB chunks as the browser does. The
    // decoder keeps nothing back: after each chunk, every event it completed has been given out,
    // so memory does not grow with the input.
    let tiny = "<Event><System><EventID>1</EventID></System></Event>";
    let mut d = Decoder::new();
    let mut out = Vec::new();
    // (events, events with ID 1, problems) handed over so far.
    let mut seen = (0u64, 0u64, 0u64);
    let count = |seen: &mut (u64, u64, u64), out: &mut Vec<Item>| {
        for item in out.drain(..) {
            match item {
                Item::Event(e) => {
                    seen.0 += 1;
                    seen.1 += u64::from(e.event_id() == 1);
                }
                Item::Problem(_) => seen.2 += 1,
            }
        }
    };
    d.push(ev(5059, 1).as_bytes(), &mut out);
    let block = tiny.repeat(1_000_000);
    let mut fed = 0usize;
    for chunk in block.as_bytes().chunks(64 << 10) {
        d.push(chunk, &mut out);
        fed += chunk.len();
        // Every event wholly inside what was fed is out (the one cut at the end may wait).
        let complete = (fed / tiny.len()) as u64;
        let given = seen.1
            + out
                .iter()
                .filter(|i| matches!(i, Item::Event(e) if e.event_id() == 1))
                .count() as u64;
        assert!(
            given + 1 >= complete,
            "{given} of {complete} events given out"
        );
        count(&mut seen, &mut out);
    }
    d.push(ev(5061, 2).as_bytes(), &mut out);
    d.finish(&mut out);
    count(&mut seen, &mut out);
    assert_eq!(seen, (1_000_002, 1_000_000, 0));
}

#[test]
fn a_repeated_field_reads_as_its_first_value_in_every_view() {
    use keytrail::decoder::view::View;
    let xml = "<Event><System><EventID>5059</EventID></System><EventData>\
        <Data Name='SubjectUserName'></Data><Data Name='SubjectUserName'>mallory</Data>\
        <Data Name='Operation'></Data><Data Name='Operation'>%%2464</Data>\
        <Data Name='KeyName'>first</Data><Data Name='KeyName'>second</Data></EventData></Event>";
    let (events, _, _) = decode_all(xml.as_bytes());
    let ev = &events[0];
    assert_eq!(ev.data("SubjectUserName"), Some(""));
    assert_eq!(ev.account().user, "");
    let View::KeyMigration(k) = ev.view() else {
        panic!("not a 5059 view")
    };
    assert_eq!((k.operation, k.key_name), ("", "first"));
}

/// An impossible date in TimeCreated is refused with a message that says where and why; the
/// event is kept, without a time, and the events around it are untouched.
#[test]
fn an_impossible_date_is_refused_with_a_message_and_the_event_kept() {
    let event = |time: &str, record: u32| {
        format!(
            "<Event><System><EventID>5059</EventID><TimeCreated SystemTime='{time}'/>\
             <EventRecordID>{record}</EventRecordID></System></Event>\n"
        )
    };
    let xml = [
        event("2025-02-28T10:00:00Z", 1),
        event("2025-02-31T10:00:00Z", 2),
        event("2024-02-29T10:00:00Z", 3),
    ]
    .concat();
    let (events, problems, stats) = keytrail::decoder::decode_all(xml.as_bytes());
    assert_eq!(events.len(), 3, "every event is kept");
    assert!(
        events[0].time().is_some() && events[2].time().is_some(),
        "2024 is a leap year"
    );
    assert_eq!(events[1].time(), None);
    assert_eq!(problems.len(), 1);
    let p = &problems[0];
    assert_eq!(p.kind.code(), "bad_time");
    assert_eq!((p.position.line, p.event), (2, Some(2)));
    assert_eq!(
        p.to_string(),
        "2:1: event 2: TimeCreated `2025-02-31T10:00:00Z` is not a date and time; the event is kept without a time"
    );
    assert_eq!(stats.skipped, 0);
}
