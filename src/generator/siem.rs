//! The shapes SIEMs and PowerShell hand events over in (issue 13): NXLog `im_msvistalog` JSON,
//! winlogbeat / Elastic Agent documents (ECS), `evtx_dump -o jsonl`, Splunk `XmlWinEventLog`
//! results (JSON lines and CSV), `Get-WinEvent | Export-Clixml`, and `Get-WinEvent |
//! ConvertTo-Json` (PowerShell 7 at `-Depth 4`, Windows PowerShell 5.1 at its default depth).

use super::sim::{PROVIDER_GUID, PROVIDER_NAME};
use super::text::{self, Lang};
use super::{Format, GenEvent};
use crate::decoder::table;
use serde_json::{json, Map, Value};

/// The offset of the local time PowerShell writes (`DT` of Export-Clixml).
const LOCAL_OFFSET_MINUTES: i64 = 60;

fn iso(nanos: i64) -> String {
    let mut s = String::new();
    let _ = crate::decoder::value::write_rfc3339(&mut s, nanos);
    s
}

/// `2024-03-04 09:15:22` (NXLog's `EventTime`, to the second).
fn seconds(nanos: i64) -> String {
    let t = iso(nanos);
    format!("{} {}", &t[..10], &t[11..19])
}

/// `2024-03-04T09:15:22.442Z` (`@timestamp`, to the millisecond).
fn millis(nanos: i64) -> String {
    let t = iso(nanos);
    format!("{}Z", &t[..23])
}

/// The local time PowerShell writes: `2024-03-04T10:15:22.4421007+01:00`.
fn local(nanos: i64) -> String {
    let t = iso(nanos + LOCAL_OFFSET_MINUTES * 60_000_000_000);
    let (h, m) = (LOCAL_OFFSET_MINUTES / 60, LOCAL_OFFSET_MINUTES % 60);
    format!("{}+{h:02}:{m:02}", t.trim_end_matches('Z'))
}

fn success(e: &GenEvent) -> bool {
    e.keywords & table::AUDIT_SUCCESS != 0
}

fn message(e: &GenEvent) -> String {
    let mut m = String::new();
    text::message(e.event_id, &e.data, Lang::En, &mut m);
    m
}

fn line(v: &Value, out: &mut String) {
    out.push_str(&v.to_string());
    out.push('\n');
}

/// What a shape writes before the first event.
pub(crate) fn header(format: Format, out: &mut String) {
    match format {
        Format::SplunkCsv => out.push_str("\"_time\",\"host\",\"source\",\"sourcetype\",\"_raw\"\r\n"),
        Format::Clixml => out.push_str(
            "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">\r\n",
        ),
        Format::GetWinEventJson | Format::GetWinEventJsonDepth2 => out.push_str("[\r\n"),
        _ => {}
    }
}

/// What a shape writes after the last event.
pub(crate) fn footer(format: Format, out: &mut String) {
    match format {
        Format::Clixml => out.push_str("</Objs>"),
        // `ConvertTo-Json`'s text and the line end `>` adds.
        Format::GetWinEventJson | Format::GetWinEventJsonDepth2 => out.push_str("\r\n]\r\n"),
        _ => {}
    }
}

/// Appends one event in a SIEM or PowerShell shape; `xml` writes its wevtutil XML.
pub(crate) fn event(format: Format, e: &GenEvent, xml: &dyn Fn(&mut String), out: &mut String) {
    match format {
        Format::NxLog => line(&nxlog(e), out),
        Format::Ecs => {
            line(
                &json!({"create": {"_index": "logs-system.security-default"}}),
                out,
            );
            line(&ecs(e), out);
        }
        Format::EvtxDumpJsonl => line(&evtx_dump(e), out),
        Format::SplunkJson => {
            let mut raw = String::new();
            xml(&mut raw);
            let result = json!({"preview": false, "result": {
                "_raw": raw.trim_end(),
                "_time": millis(e.time_nanos),
                "host": host(e),
                "source": "XmlWinEventLog:Security",
                "sourcetype": "XmlWinEventLog",
            }});
            line(&result, out);
        }
        Format::SplunkCsv => {
            let mut raw = String::new();
            xml(&mut raw);
            let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
            let fields = [
                quote(&millis(e.time_nanos)),
                quote(host(e)),
                quote("XmlWinEventLog:Security"),
                quote("XmlWinEventLog"),
                quote(raw.trim_end()),
            ];
            out.push_str(&fields.join(","));
            out.push_str("\r\n");
        }
        Format::Clixml => clixml(e, out),
        Format::GetWinEventJson => {
            // Newtonsoft's indented JSON (2 spaces, CRLF on Windows), one level into the array.
            let mut text = serde_json::to_string_pretty(&record(e, true)).unwrap_or_default();
            text = text.replace('\n', "\r\n  ");
            out.push_str("  ");
            out.push_str(&text);
        }
        Format::GetWinEventJsonDepth2 => {
            out.push_str("    ");
            ps51(&record(e, false), 4, out);
        }
        _ => {}
    }
}

fn host(e: &GenEvent) -> &str {
    e.computer.split('.').next().unwrap_or(&e.computer)
}

fn nxlog(e: &GenEvent) -> Value {
    let mut m = Map::new();
    let kw = e.keywords as i64;
    m.insert("EventTime".into(), seconds(e.time_nanos).into());
    m.insert("Hostname".into(), e.computer.clone().into());
    m.insert("Keywords".into(), kw.into());
    let kind = if success(e) {
        "AUDIT_SUCCESS"
    } else {
        "AUDIT_FAILURE"
    };
    m.insert("EventType".into(), kind.into());
    m.insert("SeverityValue".into(), 2.into());
    m.insert("Severity".into(), "INFO".into());
    m.insert("EventID".into(), e.event_id.into());
    m.insert("SourceName".into(), PROVIDER_NAME.into());
    m.insert("ProviderGuid".into(), PROVIDER_GUID.into());
    m.insert("Version".into(), e.version.into());
    m.insert("Task".into(), e.task.into());
    m.insert("OpcodeValue".into(), e.opcode.into());
    m.insert("RecordNumber".into(), e.record_id.into());
    m.insert("ProcessID".into(), e.process_id.into());
    m.insert("ThreadID".into(), e.thread_id.into());
    m.insert("Channel".into(), "Security".into());
    m.insert("Message".into(), message(e).into());
    m.insert("Category".into(), text::task(e.task, Lang::En).into());
    m.insert("Opcode".into(), "Info".into());
    for (name, value) in &e.data {
        m.insert(name.clone(), value.clone().into());
    }
    m.insert("EventReceivedTime".into(), seconds(e.time_nanos).into());
    m.insert("SourceModuleName".into(), "eventlog".into());
    m.insert("SourceModuleType".into(), "im_msvistalog".into());
    Value::Object(m)
}

fn ecs(e: &GenEvent) -> Value {
    // winlogbeat renders msobjs.dll's insertion strings.
    let mut data = Map::new();
    for (name, value) in &e.data {
        let shown = table::insertion_string(value).unwrap_or(value);
        data.insert(name.clone(), shown.into());
    }
    let outcome = if success(e) { "success" } else { "failure" };
    let keyword = if success(e) {
        "Audit Success"
    } else {
        "Audit Failure"
    };
    json!({
        "@timestamp": millis(e.time_nanos),
        "agent": {"type": "winlogbeat", "version": "8.12.2"},
        "ecs": {"version": "8.0.0"},
        "event": {"code": e.event_id.to_string(), "kind": "event", "outcome": outcome,
                  "provider": PROVIDER_NAME},
        "host": {"name": e.computer.to_ascii_lowercase()},
        "log": {"level": "information"},
        "message": message(e),
        "winlog": {
            "api": "wineventlog",
            "channel": "Security",
            "computer_name": e.computer,
            "event_data": data,
            "event_id": e.event_id.to_string(),
            "keywords": [keyword],
            "opcode": "Info",
            "process": {"pid": e.process_id, "thread": {"id": e.thread_id}},
            "provider_guid": PROVIDER_GUID,
            "provider_name": PROVIDER_NAME,
            "record_id": e.record_id,
            "task": text::task(e.task, Lang::En),
        }
    })
}

fn evtx_dump(e: &GenEvent) -> Value {
    let mut data = Map::new();
    for (name, value) in &e.data {
        data.insert(name.clone(), value.clone().into());
    }
    json!({"Event": {
        "#attributes": {"xmlns": "http://schemas.microsoft.com/win/2004/08/events/event"},
        "System": {
            "Provider": {"#attributes": {"Name": PROVIDER_NAME, "Guid": PROVIDER_GUID}},
            "EventID": e.event_id,
            "Version": e.version,
            "Level": e.level,
            "Task": e.task,
            "Opcode": e.opcode,
            "Keywords": format!("{:#x}", e.keywords),
            "TimeCreated": {"#attributes": {"SystemTime": iso(e.time_nanos)}},
            "EventRecordID": e.record_id,
            "Correlation": null,
            "Execution": {"#attributes": {"ProcessID": e.process_id, "ThreadID": e.thread_id}},
            "Channel": "Security",
            "Computer": e.computer,
            "Security": null,
        },
        "EventData": data,
    }})
}

/// CliXml's text: markup escaped, line breaks and tabs as `_x000D_`, `_x000A_`, `_x0009_`.
fn cli_text(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("_x000D_"),
            '\n' => out.push_str("_x000A_"),
            '\t' => out.push_str("_x0009_"),
            c => out.push(c),
        }
    }
}

fn clixml(e: &GenEvent, out: &mut String) {
    let tn = |out: &mut String, t: &str| {
        out.push_str("<TN><T>");
        out.push_str(t);
        out.push_str("</T><T>System.Object</T></TN>");
    };
    out.push_str("  <Obj>");
    tn(out, "System.Diagnostics.Eventing.Reader.EventLogRecord");
    out.push_str("<ToString>System.Diagnostics.Eventing.Reader.EventLogRecord</ToString><Props>");
    let guid = PROVIDER_GUID
        .trim_matches(|c| c == '{' || c == '}')
        .to_ascii_lowercase();
    let props = [
        format!("<I32 N=\"Id\">{}</I32>", e.event_id),
        format!("<By N=\"Version\">{}</By>", e.version),
        "<Nil N=\"Qualifiers\" />".to_string(),
        format!("<By N=\"Level\">{}</By>", e.level),
        format!("<I32 N=\"Task\">{}</I32>", e.task),
        format!("<I16 N=\"Opcode\">{}</I16>", e.opcode),
        format!("<I64 N=\"Keywords\">{}</I64>", e.keywords as i64),
        format!("<I64 N=\"RecordId\">{}</I64>", e.record_id),
        format!("<S N=\"ProviderName\">{PROVIDER_NAME}</S>"),
        format!("<G N=\"ProviderId\">{guid}</G>"),
        "<S N=\"LogName\">Security</S>".to_string(),
        format!("<I32 N=\"ProcessId\">{}</I32>", e.process_id),
        format!("<I32 N=\"ThreadId\">{}</I32>", e.thread_id),
        format!("<S N=\"MachineName\">{}</S>", e.computer),
        "<Nil N=\"UserId\" />".to_string(),
        format!("<DT N=\"TimeCreated\">{}</DT>", local(e.time_nanos)),
        "<Nil N=\"ActivityId\" />".to_string(),
        "<S N=\"LevelDisplayName\">Information</S>".to_string(),
        format!(
            "<S N=\"TaskDisplayName\">{}</S>",
            text::task(e.task, Lang::En)
        ),
    ];
    for p in props {
        out.push_str(&p);
    }
    out.push_str("<Obj N=\"Properties\">");
    tn(
        out,
        "System.Collections.Generic.List`1[[System.Diagnostics.Eventing.Reader.EventProperty]]",
    );
    out.push_str("<LST>");
    let slots = table::template(e.event_id, e.version).filter(|s| s.len() == e.data.len());
    for (i, (_, value)) in e.data.iter().enumerate() {
        let ty = slots
            .and_then(|s| s.get(i))
            .map_or("UnicodeString", |s| s.ty);
        out.push_str(
            "<Obj><ToString>System.Diagnostics.Eventing.Reader.EventProperty</ToString><Props>",
        );
        let number = crate::decoder::value::parse_number(value);
        match (ty, number) {
            ("SID", _) => {
                out.push_str("<Obj N=\"Value\"><ToString>");
                cli_text(value, out);
                out.push_str("</ToString></Obj>");
            }
            ("HexInt64" | "Pointer" | "UInt64", Some(n)) => {
                out.push_str(&format!("<U64 N=\"Value\">{n}</U64>"));
            }
            ("HexInt32" | "UInt32", Some(n)) => {
                out.push_str(&format!("<U32 N=\"Value\">{n}</U32>"));
            }
            ("GUID", _) => {
                let bare = value
                    .trim_matches(|c| c == '{' || c == '}')
                    .to_ascii_lowercase();
                out.push_str(&format!("<G N=\"Value\">{bare}</G>"));
            }
            _ => {
                out.push_str("<S N=\"Value\">");
                cli_text(value, out);
                out.push_str("</S>");
            }
        }
        out.push_str("</Props></Obj>");
    }
    out.push_str("</LST></Obj><S N=\"Message\">");
    cli_text(&message(e), out);
    out.push_str("</S></Props></Obj>\r\n");
}

/// `S-1-5-21-…` as `ConvertTo-Json` writes a `SecurityIdentifier` one level above the depth it
/// stops at: its properties, the domain SID (a level deeper) as its text.
fn sid_object(sid: &str) -> Value {
    let parts: Vec<&str> = sid.split('-').collect();
    // S, revision, authority, then the sub-authorities.
    let subs = parts.len().saturating_sub(3);
    let domain = (parts.len() == 8 && parts[3] == "21").then(|| parts[..7].join("-"));
    json!({
        "BinaryLength": 8 + 4 * subs,
        "AccountDomainSid": domain,
        "Value": sid,
    })
}

/// The time PowerShell 7 writes for a local `DateTime`: Newtonsoft's round-trip form, fraction
/// digits without trailing zeros (`2024-03-04T10:15:22.442+01:00`).
fn local_trimmed(nanos: i64) -> String {
    let t = local(nanos);
    let (time, offset) = t.split_at(t.len() - 6);
    let time = time.trim_end_matches('0').trim_end_matches('.');
    format!("{time}{offset}")
}

/// An `EventLogRecord` as `ConvertTo-Json` sees it, in its property order; `deep`: at
/// `-Depth 4` in PowerShell 7 (values typed, ISO times), or at the default depth in Windows
/// PowerShell 5.1 (values lost, `/Date(ms)/` times written by [`ps51`]).
fn record(e: &GenEvent, deep: bool) -> Value {
    let guid = PROVIDER_GUID
        .trim_matches(|c| c == '{' || c == '}')
        .to_ascii_lowercase();
    let time: Value = if deep {
        local_trimmed(e.time_nanos).into()
    } else {
        // A marker [`ps51`] writes as JavaScriptSerializer does: `"\/Date(ms)\/"`.
        json!({ DATE: e.time_nanos.div_euclid(1_000_000) })
    };
    let keyword = if success(e) {
        "Audit Success"
    } else {
        "Audit Failure"
    };
    let properties: Vec<Value> = if deep {
        let slots = table::template(e.event_id, e.version).filter(|s| s.len() == e.data.len());
        e.data
            .iter()
            .enumerate()
            .map(|(i, (_, value))| {
                let ty = slots
                    .and_then(|s| s.get(i))
                    .map_or("UnicodeString", |s| s.ty);
                let number = crate::decoder::value::parse_number(value);
                let v: Value = match (ty, number) {
                    ("SID", _) if value.starts_with("S-") => sid_object(value),
                    ("HexInt64" | "Pointer" | "UInt64" | "HexInt32" | "UInt32", Some(n)) => {
                        n.into()
                    }
                    ("GUID", _) => value
                        .trim_matches(|c| c == '{' || c == '}')
                        .to_ascii_lowercase()
                        .into(),
                    _ => value.clone().into(),
                };
                json!({ "Value": v })
            })
            .collect()
    } else {
        // What `ToString` gives for an `EventProperty` below the depth.
        let lost = "System.Diagnostics.Eventing.Reader.EventProperty";
        e.data.iter().map(|_| lost.into()).collect()
    };
    let bookmark = json!({});
    json!({
        "Id": e.event_id,
        "Version": e.version,
        "Qualifiers": null,
        "Level": e.level,
        "Task": e.task,
        "Opcode": e.opcode,
        "Keywords": e.keywords as i64,
        "RecordId": e.record_id,
        "ProviderName": PROVIDER_NAME,
        "ProviderId": guid,
        "LogName": "Security",
        "ProcessId": e.process_id,
        "ThreadId": e.thread_id,
        "MachineName": e.computer,
        "UserId": null,
        "TimeCreated": time,
        "ActivityId": null,
        "RelatedActivityId": null,
        "ContainerLog": "Security",
        "MatchedQueryIds": [],
        "Bookmark": bookmark,
        "LevelDisplayName": "Information",
        "OpcodeDisplayName": "Info",
        "TaskDisplayName": text::task(e.task, Lang::En),
        "KeywordsDisplayNames": [keyword],
        "Properties": properties,
        "Message": message(e),
    })
}

/// The key of the object [`record`] puts where 5.1 writes a `/Date(ms)/` time.
const DATE: &str = "\u{0}date";

/// A string as .NET's JavaScriptSerializer (Windows PowerShell 5.1) escapes it: `<`, `>`, `&`
/// and `'` as `\u003c`…, control characters, `"` and `\`.
fn ps51_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\'' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `v` as Windows PowerShell 5.1's `ConvertTo-Json` lays it out, the container opening at a
/// line whose indent is `pad`: members and items 4 spaces further in, `":  "` after a name,
/// a container inside an object indented from where its value starts, and an empty one on
/// three lines.
fn ps51(v: &Value, pad: usize, out: &mut String) {
    let spaces = |out: &mut String, n: usize| out.push_str(&" ".repeat(n));
    match v {
        Value::Object(m) if m.len() == 1 && m.contains_key(DATE) => {
            out.push_str(&format!("\"\\/Date({})\\/\"", m[DATE]));
        }
        Value::Object(m) => {
            out.push_str("{\r\n");
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\r\n");
                }
                spaces(out, pad + 4);
                let before = out.len();
                ps51_string(k, out);
                out.push_str(":  ");
                let key = out.len() - before;
                ps51(v, pad + 4 + key, out);
            }
            out.push_str("\r\n");
            spaces(out, pad);
            out.push('}');
        }
        Value::Array(a) => {
            out.push_str("[\r\n");
            for (i, v) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\r\n");
                }
                spaces(out, pad + 4);
                ps51(v, pad + 4, out);
            }
            out.push_str("\r\n");
            spaces(out, pad);
            out.push(']');
        }
        Value::String(s) => ps51_string(s, out),
        other => out.push_str(&other.to_string()),
    }
}
