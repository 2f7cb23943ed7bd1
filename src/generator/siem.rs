//! The shapes SIEMs and PowerShell hand events over in (issue 13): NXLog `im_msvistalog` JSON,
//! winlogbeat / Elastic Agent documents (ECS), `evtx_dump -o jsonl`, Splunk `XmlWinEventLog`
//! results (JSON lines and CSV), and `Get-WinEvent | Export-Clixml`.

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
        _ => {}
    }
}

/// What a shape writes after the last event.
pub(crate) fn footer(format: Format, out: &mut String) {
    if format == Format::Clixml {
        out.push_str("</Objs>");
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
