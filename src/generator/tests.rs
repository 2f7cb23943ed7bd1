//! Unit tests of the generator and its writers.

use std::collections::{HashMap, HashSet};

use quick_xml::events::Event as XmlEvent;
use quick_xml::Reader;

use super::*;

fn spec(seed: u64, events: usize) -> Spec {
    Spec { seed, events }
}

fn bytes(spec: &Spec, format: Format, encoding: Encoding) -> Vec<u8> {
    let mut out = Vec::new();
    let n = write(events(spec), format, encoding, &mut out).unwrap();
    assert_eq!(n, out.len() as u64);
    out
}

fn utf8(spec: &Spec, format: Format) -> String {
    String::from_utf8(bytes(spec, format, Encoding::Utf8)).unwrap()
}

#[test]
fn names_round_trip() {
    for f in Format::ALL {
        assert_eq!(Format::from_name(f.name()), Some(f));
    }
    for e in Encoding::ALL {
        assert_eq!(Encoding::from_name(e.name()), Some(e));
    }
    assert_eq!(Format::from_name("xml"), None);
    assert_eq!(Encoding::from_name("latin1"), None);
    let names: HashSet<_> = Format::ALL.iter().map(|f| f.name()).collect();
    assert_eq!(names.len(), 20);
    assert_eq!(Spec::default(), spec(5059, 1000));
}

#[test]
fn same_spec_same_bytes_other_seed_other_bytes() {
    let a = spec(5059, 300);
    let b = spec(5060, 300);
    for f in Format::XML {
        for enc in Encoding::ALL {
            assert_eq!(
                bytes(&a, f, enc),
                bytes(&a, f, enc),
                "{} {}",
                f.name(),
                enc.name()
            );
        }
        assert_ne!(bytes(&a, f, Encoding::Utf8), bytes(&b, f, Encoding::Utf8));
    }
    let ea: Vec<_> = events(&a).collect();
    let eb: Vec<_> = events(&a).collect();
    assert_eq!(ea, eb);
    assert_eq!(ea.len(), 300);
}

#[test]
fn times_are_microsecond_aligned_and_increasing() {
    let evs: Vec<_> = events(&spec(5059, 5000)).collect();
    let start = time::days_from_civil(2026, 3, 2) * 86_400 * 1_000_000_000 + 8 * 3_600_000_000_000;
    assert!(evs[0].time_nanos >= start && evs[0].time_nanos < start + 3_000_000_000);
    let mut last_record: HashMap<&str, u64> = HashMap::new();
    for w in evs.windows(2) {
        assert!(w[1].time_nanos >= w[0].time_nanos);
    }
    for e in &evs {
        assert_eq!(e.time_nanos % 1_000, 0);
        if let Some(r) = last_record.insert(&e.computer, e.record_id) {
            assert!(e.record_id > r, "record IDs increase per computer");
        }
    }
    // Nights and weekends are covered within 5000 events; nights within 1000.
    let off_hours = |e: &GenEvent| {
        let c = time::civil(e.time_nanos);
        c.weekday >= 5 || c.hour < 7 || c.hour >= 19
    };
    assert!(evs[..1000].iter().any(off_hours));
    assert!(evs.iter().any(|e| time::civil(e.time_nanos).weekday >= 5));
}

#[test]
fn field_lists_are_the_windows_ones() {
    let key = [
        "SubjectUserSid",
        "SubjectUserName",
        "SubjectDomainName",
        "SubjectLogonId",
        "ProviderName",
        "AlgorithmName",
        "KeyName",
        "KeyType",
        "Operation",
        "ReturnCode",
    ];
    let mut k5058 = key.to_vec();
    k5058.insert(8, "KeyFilePath");
    let l4624 = [
        "SubjectUserSid",
        "SubjectUserName",
        "SubjectDomainName",
        "SubjectLogonId",
        "TargetUserSid",
        "TargetUserName",
        "TargetDomainName",
        "TargetLogonId",
        "LogonType",
        "LogonProcessName",
        "AuthenticationPackageName",
        "WorkstationName",
        "LogonGuid",
        "TransmittedServices",
        "LmPackageName",
        "KeyLength",
        "ProcessId",
        "ProcessName",
        "IpAddress",
        "IpPort",
        "ImpersonationLevel",
        "RestrictedAdminMode",
        "TargetOutboundUserName",
        "TargetOutboundDomainName",
        "VirtualAccount",
        "TargetLinkedLogonId",
        "ElevatedToken",
    ];
    let l4634 = [
        "TargetUserSid",
        "TargetUserName",
        "TargetDomainName",
        "TargetLogonId",
        "LogonType",
    ];
    let l4672 = [
        "SubjectUserSid",
        "SubjectUserName",
        "SubjectDomainName",
        "SubjectLogonId",
        "PrivilegeList",
    ];
    let mut counts: HashMap<u32, usize> = HashMap::new();
    for e in events(&spec(99, 5000)) {
        *counts.entry(e.event_id).or_default() += 1;
        let names: Vec<&str> = e.data.iter().map(|(n, _)| n.as_str()).collect();
        let (want, task, version): (&[&str], u16, u8) = match e.event_id {
            5059 | 5061 => (&key, if e.event_id == 5059 { 12292 } else { 12290 }, 0),
            5058 => (&k5058, 12292, 0),
            4624 => (&l4624, 12544, 2),
            4634 => (&l4634, 12545, 0),
            4647 => (&l4634[..4], 12545, 0),
            4672 => (&l4672, 12548, 0),
            other => panic!("unexpected event {other}"),
        };
        assert_eq!(names, want, "event {}", e.event_id);
        assert_eq!(
            (e.task, e.version, e.level, e.opcode),
            (task, version, 0, 0)
        );
        let rc = e.get("ReturnCode");
        let failure = e.keywords == 0x8010_0000_0000_0000;
        assert!(failure || e.keywords == 0x8020_0000_0000_0000);
        if let Some(rc) = rc {
            assert_eq!(failure, rc != "0x0", "keywords follow the return code");
        } else {
            assert!(!failure);
        }
        for (n, v) in &e.data {
            if n.ends_with("LogonId") {
                assert!(
                    v.starts_with("0x")
                        && v[2..]
                            .bytes()
                            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
                );
            }
        }
    }
    // As on real machines, key files are read most (5058); every event kind present.
    let most = counts.iter().max_by_key(|(_, n)| **n).map(|(id, _)| *id);
    assert_eq!(most, Some(5058), "{counts:?}");
    for id in [5058, 5059, 5061, 4624, 4634, 4647, 4672] {
        assert!(
            counts.get(&id).copied().unwrap_or(0) > 10,
            "{id}: {counts:?}"
        );
    }
}

#[test]
fn values_cover_the_vocabulary() {
    let evs: Vec<_> = events(&spec(5059, 5000)).collect();
    let all = |field: &str| -> HashSet<String> {
        evs.iter()
            .filter_map(|e| e.get(field).map(str::to_string))
            .collect()
    };
    let algs = all("AlgorithmName");
    for a in [
        "RSA",
        "DSA",
        "DH",
        "ECDH_P256",
        "ECDH_P384",
        "ECDH_P521",
        "ECDSA_P256",
        "ECDSA_P384",
        "ECDSA_P521",
        "UNKNOWN",
        "%%2432",
    ] {
        assert!(algs.contains(a), "{a} missing from {algs:?}");
    }
    let ops = all("Operation");
    for op in [
        "%%2456", "%%2457", "%%2458", "%%2459", "%%2464", "%%2465", "%%2480", "%%2481", "%%2483",
        "%%2484", "%%2485", "%%2486", "%%2501",
    ] {
        assert!(ops.contains(op), "{op} missing");
    }
    let rcs = all("ReturnCode");
    for rc in ["0x0", "0x80090010", "0x80090016", "0x8009000d"] {
        assert!(rcs.contains(rc), "{rc} missing");
    }
    let providers = all("ProviderName");
    assert_eq!(providers.len(), 2);
    let types = all("LogonType");
    for t in ["2", "3", "5", "10"] {
        assert!(types.contains(t));
    }
    let keys = all("KeyName");
    assert!(keys.iter().any(|k| k.contains('&')));
    assert!(keys.iter().any(|k| k.contains('<')));
    assert!(keys.iter().any(|k| !k.is_ascii()));
    assert!(all("SubjectUserName").contains("山田"));
    assert!(all("KeyFilePath").iter().all(|p| p.starts_with("C:\\")));
    assert!(all("PrivilegeList").iter().all(|p| p.contains("\n\t\t\t")));
    let computers: HashSet<_> = evs.iter().map(|e| e.computer.as_str()).collect();
    assert!(computers.len() >= 6);
}

/// The finding the demo shows first: a machine key exported by an account that is neither
/// SYSTEM nor a computer account, with its session's 4624/4672 before and 4634 after.
#[test]
fn early_machine_key_export_by_a_person_or_service() {
    for seed in [5059, 1, 2, 3, 0xdead_beef] {
        let evs: Vec<_> = events(&spec(seed, 50)).collect();
        let pos = evs
            .iter()
            .position(|e| {
                e.event_id == 5059
                    && e.get("KeyType") == Some("%%2499")
                    && e.get("Operation") == Some("%%2464")
                    && e.get("ReturnCode") == Some("0x0")
                    && e.get("SubjectUserSid") != Some("S-1-5-18")
                    && !e.get("SubjectUserName").unwrap_or("$").ends_with('$')
            })
            .expect("machine key export among the first 50 events");
        let x = &evs[pos];
        assert_eq!(x.computer, "CA01.contoso.local");
        let id = x.get("SubjectLogonId").unwrap();
        let same = |e: &&GenEvent, eid: u32, field: &str| {
            e.event_id == eid && e.computer == x.computer && e.get(field) == Some(id)
        };
        assert!(evs[..pos].iter().any(|e| same(&e, 4624, "TargetLogonId")));
        assert!(evs[..pos].iter().any(|e| same(&e, 4672, "SubjectLogonId")));
        assert!(evs[pos..].iter().any(|e| same(&e, 4634, "TargetLogonId")));
        // A burst of failures follows early too.
        let failures = evs
            .iter()
            .filter(|e| e.keywords == 0x8010_0000_0000_0000)
            .count();
        assert!(failures >= 6, "seed {seed}: {failures} failures");
    }
}

#[test]
fn key_events_point_to_an_earlier_logon_on_the_same_computer() {
    for seed in [5059, 7] {
        let mut open: HashSet<(String, String)> = HashSet::new();
        let mut ids_by_computer: HashMap<String, HashSet<String>> = HashMap::new();
        let mut checked = 0;
        for e in events(&spec(seed, 20_000)) {
            match e.event_id {
                4624 => {
                    let id = e.get("TargetLogonId").unwrap().to_string();
                    assert!(
                        open.insert((e.computer.clone(), id.clone())),
                        "logon ID reused on one computer"
                    );
                    ids_by_computer
                        .entry(e.computer.clone())
                        .or_default()
                        .insert(id);
                }
                5058 | 5059 | 5061 | 4672 => {
                    let id = e.get("SubjectLogonId").unwrap().to_string();
                    if id != "0x3e7" {
                        assert!(
                            open.contains(&(e.computer.clone(), id.clone())),
                            "{} {} {}",
                            e.event_id,
                            e.computer,
                            id
                        );
                        checked += 1;
                    } else {
                        assert_eq!(e.get("SubjectUserSid"), Some("S-1-5-18"));
                    }
                }
                4634 => {
                    let id = e.get("TargetLogonId").unwrap().to_string();
                    assert!(open.remove(&(e.computer.clone(), id)), "4634 without 4624");
                }
                4647 => {
                    let id = e.get("TargetLogonId").unwrap().to_string();
                    assert!(open.contains(&(e.computer.clone(), id)));
                }
                _ => {}
            }
        }
        assert!(checked > 1000);
        // The same logon ID appears on more than one computer.
        let dc = &ids_by_computer["DC01.contoso.local"];
        let ws = &ids_by_computer["WS-0142.contoso.local"];
        assert!(dc.contains("0x38e2d") && ws.contains("0x38e2d"));
    }
}

/// Counts `<Event>` start tags with quick-xml; panics on any XML error.
fn count_events(xml: &str, allow_dangling_amp: bool) -> usize {
    let mut r = Reader::from_str(xml);
    r.config_mut().allow_dangling_amp = allow_dangling_amp;
    r.config_mut().check_end_names = true;
    let mut n = 0;
    let mut depth = 0usize;
    loop {
        match r.read_event() {
            Ok(XmlEvent::Start(e)) => {
                depth += 1;
                if e.local_name().into_inner() == "Event" {
                    n += 1;
                }
            }
            Ok(XmlEvent::End(_)) => depth -= 1,
            Ok(XmlEvent::Empty(e)) => assert_ne!(e.local_name().into_inner(), "Event"),
            Ok(XmlEvent::Eof) => break,
            Ok(XmlEvent::GeneralRef(g)) => {
                let name: &str = &g;
                let ok = matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
                    || (g.is_char_ref() && g.resolve_char_ref().unwrap().is_some());
                assert!(ok, "unknown entity {name}");
            }
            Ok(_) => {}
            Err(err) => panic!("XML error at {}: {err}", r.error_position()),
        }
    }
    assert_eq!(depth, 0);
    n
}

/// Cuts a text into the XML parts a format holds.
fn xml_parts(format: Format, text: &str) -> Vec<String> {
    match format {
        Format::CopyDetailsText => text
            .split("Event Xml:\r\n")
            .skip(1)
            .map(|p| {
                let end = p.find("</Event>").unwrap() + "</Event>".len();
                p[..end].to_string()
            })
            .collect(),
        Format::DocsPaste => {
            let mut parts = Vec::new();
            let mut inside = false;
            let mut cur = String::new();
            for line in text.lines() {
                if line == "```" {
                    if inside {
                        parts.push(std::mem::take(&mut cur));
                    }
                    inside = !inside;
                } else if inside {
                    cur.push_str(line.strip_prefix("- ").unwrap_or(line));
                    cur.push('\n');
                }
            }
            parts
        }
        Format::EvtxDump => text
            .split("Record ")
            .skip(1)
            .map(|p| p[p.find('\n').unwrap()..].to_string())
            .collect(),
        _ => vec![text.to_string()],
    }
}

#[test]
fn every_format_is_event_xml_where_it_should_be() {
    let n = 400;
    let s = spec(5059, n);
    for f in Format::XML {
        let text = utf8(&s, f);
        let parts = xml_parts(f, &text);
        let total: usize = parts
            .iter()
            .map(|p| count_events(p, f == Format::XmlViewCopy))
            .sum();
        assert_eq!(total, n, "{}", f.name());
    }
}

#[test]
fn format_quirks_are_present() {
    let s = spec(5059, 40);
    let t = |f| utf8(&s, f);
    let w = t(Format::Wevtutil);
    assert!(w.starts_with("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Security-Auditing' Guid='{54849625-5478-4994-A5BA-3E3B0328C30D}'/>"));
    assert!(w.contains("<Correlation/>") && w.contains("<Security/>"));
    assert!(w.contains("R&amp;D-backup") && w.contains("&lt;2026&gt;") && w.contains("山田"));
    assert_eq!(w.matches("\r\n").count(), w.matches("<Event ").count());
    let time7 = w.split("SystemTime='").nth(1).unwrap();
    assert_eq!(&time7[19..20], ".");
    assert_eq!(&time7[27..29], "Z'");

    // `ConvertTo-Json`: PowerShell 7 at -Depth 4, Windows PowerShell 5.1 at its default depth.
    let p7 = t(Format::GetWinEventJson);
    assert!(p7.starts_with("[\r\n  {\r\n    \"Id\": 5058,\r\n"));
    assert!(p7.contains("\"Value\": \"R&D-backup\"") && p7.contains("<2026>"));
    assert!(p7.contains("\"TimeCreated\": \"2026-03-02T09:00:00.876001+01:00\""));
    assert!(p7.ends_with("  }\r\n]\r\n"));
    let p5 = t(Format::GetWinEventJsonDepth2);
    assert!(p5.starts_with("[\r\n    {\r\n        \"Id\":  5058,\r\n"));
    assert!(p5.contains("R\\u0026D-backup") && p5.contains("\\u003c2026\\u003e"));
    assert!(!p5.contains("R&D") && !p5.contains("<2026>"));
    assert!(p5.contains("\"TimeCreated\":  \"\\/Date(1772438400876)\\/\""));
    assert!(p5.contains("\"MatchedQueryIds\":  [\r\n\r\n                            ],"));
    assert!(p5.ends_with("    }\r\n]\r\n"));

    let r = t(Format::RenderedXml);
    assert!(r.contains("<RenderingInfo Culture='en-US'><Message>") && r.contains("&#13;&#10;&#9;"));
    assert!(r.contains("<Keywords><Keyword>Audit Success</Keyword></Keywords>"));
    let j = t(Format::RenderedXmlJa);
    assert!(j.contains("Culture='ja-JP'") && j.contains("成功の監査") && j.contains("失敗の監査"));

    let ev = t(Format::EventViewer);
    assert!(ev.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>\r\n<Events><Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">"));
    assert!(ev.ends_with("</Event></Events>\r\n"));
    assert!(ev.contains("<Task></Task>") || ev.contains("<Keywords></Keywords>"));

    let d = t(Format::DocsPaste);
    assert!(d.contains("```\n- <Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">\n- <System>\n <Provider Name=\"Microsoft-Windows-Security-Auditing\" Guid=\"{54849625-5478-4994-A5BA-3E3B0328C30D}\" /> \n <EventID>"));
    assert!(d.contains(" <Correlation /> \n") && d.contains(" </System>\n- <EventData>\n"));
    assert!(d.contains(" </EventData>\n </Event>\n\n```\n"));
    assert!(d.contains("ECDH\\_P521") && d.contains("C:\\\\ProgramData\\\\Microsoft"));
    assert!(d.contains("000Z\" /> \n"));

    let x = t(Format::EvtxDump);
    assert!(
        x.starts_with("Record 1048440\n<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Event xmlns=")
            || x.starts_with("Record ")
    );
    assert!(x.contains("\n  <System>\n    <Provider Name=\"Microsoft-Windows-Security-Auditing\" Guid=\"54849625-5478-4994-A5BA-3E3B0328C30D\">\n    </Provider>\n"));

    let p = t(Format::PythonEvtx);
    assert!(p.starts_with(
        "<?xml version=\"1.1\" encoding=\"utf-8\" standalone=\"yes\" ?>\n\n<Events>\n<Event xmlns="
    ));
    assert!(
        p.contains("<EventID Qualifiers=\"\">") && p.contains("<Security UserID=\"\"></Security>")
    );
    assert!(p.contains("0x00000000000003e7") && p.contains("&#23665;&#30000;"));
    assert!(p.contains("+00:00\"></TimeCreated>") && !p.contains("<Correlation/>"));
    assert!(p.is_ascii());

    let c = t(Format::EvtxECmd);
    assert!(c.starts_with("<Event>\r\n  <System>\r\n    <Provider Name=\"Microsoft-Windows-Security-Auditing\" Guid=\"54849625-5478-4994-a5ba-3e3b0328c30d\" />"));
    assert!(c.contains("0x3E7") && !c.contains("xmlns") && !c.contains("0x3e7<"));
    let ct = c.split("SystemTime=\"").nth(1).unwrap();
    assert_eq!(&ct[10..11], " ");
    assert_eq!(&ct[27..28], "\"");

    let e = t(Format::EvtxExport);
    assert!(e.starts_with("evtxexport 20240101\n\n<Event xmlns="));
    assert!(e.contains("000Z\"/>"));

    let cd = t(Format::CopyDetailsText);
    assert!(cd.starts_with("Log Name:      Security\r\nSource:        Microsoft-Windows-Security-Auditing\r\nDate:          3/2/2026 8:00:"));
    assert!(cd.contains("\r\nEvent Xml:\r\n<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">\r\n  <System>\r\n"));
    assert!(cd.contains("</Event>\r\n\r\nLog Name:"));

    let v = t(Format::XmlViewCopy);
    assert!(v.contains(">R&D-backup<") && !v.contains("&amp;") && v.contains("&lt;2026&gt;"));
    assert!(v.starts_with(
        "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>\r\n  <System>\r\n"
    ));
    // Only the XML View copy leaves & unescaped.
    // (the text header of "Copy Details as Text" is not XML and shows the value as is).
    for f in Format::XML {
        if f != Format::XmlViewCopy {
            for part in xml_parts(f, &t(f)) {
                assert!(!part.contains("R&D"), "{}", f.name());
            }
        }
    }
}

/// Data values come back exactly from the wevtutil spelling.
#[test]
fn wevtutil_values_round_trip() {
    let s = spec(5059, 500);
    let text = utf8(&s, Format::Wevtutil);
    let mut evs = events(&s);
    for chunk in text.split("</Event>").filter(|c| c.contains("<Event")) {
        let e = evs.next().unwrap();
        let mut got = Vec::new();
        for part in chunk.split("<Data Name='").skip(1) {
            let q = part.find('\'').unwrap();
            let name = &part[..q];
            let v = &part[q + 2..part.find("</Data>").unwrap()];
            let v = quick_xml::escape::unescape(v).unwrap().into_owned();
            got.push((name.to_string(), v));
        }
        assert_eq!(got, e.data);
    }
    assert!(evs.next().is_none());
}

#[test]
fn utf16_writers_round_trip() {
    let s = spec(5059, 200);
    for f in Format::XML {
        let plain = bytes(&s, f, Encoding::Utf8);
        let bom = bytes(&s, f, Encoding::Utf8Bom);
        assert_eq!(&bom[..3], &[0xEF, 0xBB, 0xBF]);
        assert_eq!(&bom[3..], &plain[..]);
        for (enc, mark) in [
            (Encoding::Utf16Le, [0xFF, 0xFE]),
            (Encoding::Utf16Be, [0xFE, 0xFF]),
        ] {
            let b = bytes(&s, f, enc);
            assert_eq!(&b[..2], &mark);
            let units = b[2..].chunks_exact(2).map(|c| match enc {
                Encoding::Utf16Le => u16::from_le_bytes([c[0], c[1]]),
                _ => u16::from_be_bytes([c[0], c[1]]),
            });
            let text: String = char::decode_utf16(units).map(|c| c.unwrap()).collect();
            assert_eq!(text.as_bytes(), &plain[..], "{} {}", f.name(), enc.name());
        }
    }
}

#[test]
fn write_to_size_reaches_the_target() {
    for f in [Format::Wevtutil, Format::PythonEvtx, Format::EventViewer] {
        let mut out = Vec::new();
        let (n, b) = write_to_size(5059, 200_000, f, Encoding::Utf16Le, &mut out).unwrap();
        assert!((200_000..220_000).contains(&b), "{b}");
        assert_eq!(b, out.len() as u64);
        let mut again = Vec::new();
        let direct = write(
            events(&spec(5059, n as usize)),
            f,
            Encoding::Utf16Le,
            &mut again,
        )
        .unwrap();
        assert_eq!(direct, b);
        assert_eq!(again, out);
    }
    let mut out = Vec::new();
    assert_eq!(
        write_to_size(1, 0, Format::Wevtutil, Encoding::Utf8, &mut out).unwrap(),
        (0, 0)
    );
}

#[test]
fn hostile_documents_have_the_announced_shape() {
    let d = hostile::deep_nesting(100_000);
    assert!(d.len() > 700_000);
    assert_eq!(d.matches("<a>").count(), 100_000);
    assert_eq!(d.matches("<EventID>5059</EventID>").count(), 2);
    let m = hostile::many_attributes(10_000);
    let mut names = HashSet::new();
    let open = m.find("<LogFileCleared").unwrap();
    let tag = &m[open..open + m[open..].find('>').unwrap()];
    for attr in tag.split(' ').skip(1) {
        let name = attr.strip_suffix("=''").unwrap_or(attr);
        if !name.starts_with("xmlns") {
            assert!(names.insert(name.to_string()), "duplicate {name}");
        }
    }
    assert_eq!(names.len(), 10_000);
    assert_eq!(count_events(&hostile::deep_nesting(50), false), 3);
    assert_eq!(count_events(&m, false), 3);
}
