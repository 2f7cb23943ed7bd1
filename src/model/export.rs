//! One line (JSON Lines) or one row (CSV) per decoded event.

use crate::decoder::view::{event_name, View};
use crate::decoder::{Event, SysField};
use std::fmt::Write as _;

/// Appends `s` as a JSON string literal.
pub fn json_string(out: &mut String, s: &str) {
    out.push('"');
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc: Option<&str> = match b {
            b'"' => Some("\\\""),
            b'\\' => Some("\\\\"),
            b'\n' => Some("\\n"),
            b'\r' => Some("\\r"),
            b'\t' => Some("\\t"),
            0..=0x1f => None,
            _ => continue,
        };
        out.push_str(&s[last..i]);
        match esc {
            Some(e) => out.push_str(e),
            None => {
                let _ = write!(out, "\\u{b:04x}");
            }
        }
        last = i + 1;
    }
    out.push_str(&s[last..]);
    out.push('"');
}

/// The key under which a body field appears in exports: its name, or `Data[N]` (1-based) for an
/// unnamed `<Data>`.
pub fn field_key(name: &str, index: usize) -> std::borrow::Cow<'_, str> {
    if name.is_empty() {
        format!("Data[{}]", index + 1).into()
    } else {
        name.into()
    }
}

/// The export keys of `ev`'s body fields, in document order: [`field_key`], with a repeated name
/// suffixed by its repeat count as `evtx_dump` does (real 4648 events log `LogonGuid` twice: the
/// second is `LogonGuid_1`), so that no value is lost to a duplicate key.
pub fn field_keys<'e>(ev: &'e Event) -> Vec<std::borrow::Cow<'e, str>> {
    let mut keys: Vec<std::borrow::Cow<'e, str>> = Vec::new();
    for f in ev.fields() {
        let key = field_key(f.name, f.index);
        let repeats = keys
            .iter()
            .filter(|k| k.as_ref() == key.as_ref() || is_repeat_of(k, &key))
            .count();
        keys.push(if repeats == 0 {
            key
        } else {
            format!("{key}_{repeats}").into()
        });
    }
    keys
}

/// Is `key` the `n`-th repeat (`NAME_n`) of `base`?
fn is_repeat_of(key: &str, base: &str) -> bool {
    key.strip_prefix(base)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// One JSON object (no newline) with `event_id`, `record_id`, `time`, `computer`, `channel`,
/// `provider`, `outcome`, `event_name`, `account`, `data` (every body field → raw value, in
/// document order, keyed by [`field_keys`]), `decoded` (field → text, for each value a table
/// decodes) and `system_decoded`.
pub fn json_line(ev: &Event, out: &mut String) {
    out.push_str("{\"event_id\":");
    let _ = write!(out, "{}", ev.event_id());
    out.push_str(",\"record_id\":");
    match ev.record_id() {
        Some(r) => {
            let _ = write!(out, "{r}");
        }
        None => out.push_str("null"),
    }
    out.push_str(",\"time\":");
    match ev.time() {
        Some(t) => {
            let _ = write!(out, "\"{t}\"");
        }
        None => out.push_str("null"),
    }
    for (key, value) in [
        ("computer", ev.computer()),
        ("channel", ev.channel()),
        ("provider", ev.provider()),
    ] {
        let _ = write!(out, ",\"{key}\":");
        json_string(out, value);
    }
    out.push_str(",\"outcome\":");
    match ev.outcome() {
        Some(o) => {
            let _ = write!(out, "\"{}\"", o.as_str());
        }
        None => out.push_str("null"),
    }
    out.push_str(",\"event_name\":");
    match event_name(ev.event_id()) {
        Some(n) => json_string(out, n),
        None => out.push_str("null"),
    }
    let a = ev.account();
    out.push_str(",\"account\":{\"name\":");
    json_string(out, &a.display());
    for (key, value) in [("sid", a.sid), ("logon_id", a.logon_id)] {
        let _ = write!(out, ",\"{key}\":");
        json_string(out, value);
    }
    out.push_str("},\"data\":{");
    let keys = field_keys(ev);
    for (i, (f, key)) in ev.fields().zip(&keys).enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_string(out, key);
        out.push(':');
        json_string(out, f.value);
    }
    out.push_str("},\"decoded\":{");
    let mut first = true;
    for (f, key) in ev.fields().zip(&keys) {
        if let Some(d) = ev.decoded(f.name, f.value) {
            if !first {
                out.push(',');
            }
            first = false;
            json_string(out, key);
            out.push(':');
            json_string(out, &d);
        }
    }
    out.push_str("},\"system_decoded\":{");
    let mut first = true;
    for field in [
        SysField::EventId,
        SysField::Level,
        SysField::Task,
        SysField::Opcode,
        SysField::Keywords,
        SysField::UserId,
    ] {
        let decoded = match field {
            SysField::EventId => event_name(ev.event_id()).map(str::to_string),
            _ => ev.decoded_system(field),
        };
        if let Some(d) = decoded {
            if !first {
                out.push(',');
            }
            first = false;
            json_string(out, field.name());
            out.push(':');
            json_string(out, &d);
        }
    }
    out.push_str("}}");
}

/// The CSV header row (with the `file` column first).
pub const CSV_HEADER: &str = "file,event_id,event_name,record_id,time,computer,channel,provider,outcome,account,sid,logon_id,key_provider,algorithm,key_name,key_type,operation,return_code,data";

/// Appends `s` as a CSV field (quoted when needed). Values that a spreadsheet would run as a
/// formula (starting with `=`, `+`, `@`, a tab or CR, or `-` followed by something other than a
/// number) are prefixed with `'`; Windows' `-` placeholder and negative numbers stay as they are.
pub fn csv_field(out: &mut String, s: &str) {
    let formula = match s.as_bytes() {
        [b'=' | b'+' | b'@' | b'\t' | b'\r', ..] => true,
        [b'-', rest @ ..] => {
            !rest.is_empty() && !rest.iter().all(|b| b.is_ascii_digit() || *b == b'.')
        }
        _ => false,
    };
    if !formula && !s.contains([',', '"', '\n', '\r']) {
        out.push_str(s);
        return;
    }
    out.push('"');
    if formula {
        out.push('\'');
    }
    for c in s.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
}

/// One CSV row (no newline) matching [`CSV_HEADER`]; the `data` column holds the body fields as a
/// JSON object.
pub fn csv_row(file: &str, ev: &Event, out: &mut String) {
    let a = ev.account();
    let key = match ev.view() {
        View::KeyMigration(k) | View::KeyFile(k) | View::Cryptographic(k) => Some(k),
        _ => None,
    };
    let mut data = String::from("{");
    for (i, (f, key)) in ev.fields().zip(field_keys(ev)).enumerate() {
        if i > 0 {
            data.push(',');
        }
        json_string(&mut data, &key);
        data.push(':');
        json_string(&mut data, f.value);
    }
    data.push('}');
    let return_code = key
        .as_ref()
        .map(|k| {
            ev.decoded("ReturnCode", k.return_code)
                .unwrap_or_else(|| k.return_code.to_string())
        })
        .unwrap_or_default();
    let cells: [&str; 19] = [
        file,
        &ev.event_id().to_string(),
        event_name(ev.event_id()).unwrap_or(""),
        &ev.record_id().map(|r| r.to_string()).unwrap_or_default(),
        &ev.time().map(|t| t.to_string()).unwrap_or_default(),
        ev.computer(),
        ev.channel(),
        ev.provider(),
        ev.outcome().map_or("", |o| o.as_str()),
        &a.display(),
        a.sid,
        a.logon_id,
        key.as_ref().map_or("", |k| k.provider),
        key.as_ref().map_or("", |k| k.algorithm_text()),
        key.as_ref().map_or("", |k| k.key_name),
        key.as_ref().map_or("", |k| k.key_type_text()),
        key.as_ref().map_or("", |k| k.operation_text()),
        &return_code,
        &data,
    ];
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(out, c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_escape_controls_and_quotes() {
        let mut s = String::new();
        json_string(&mut s, "a\"b\\c\n\u{1}é");
        assert_eq!(s, r#""a\"b\\c\n\u0001é""#);
    }

    #[test]
    fn a_repeated_data_name_keeps_every_value_in_order() {
        let xml = "<Event><System><EventID>4648</EventID></System><EventData>\
                   <Data Name='LogonGuid'>{00000000-0000-0000-0000-000000000000}</Data>\
                   <Data Name='TargetUserName'>bob</Data>\
                   <Data Name='LogonGuid'>{11111111-2222-3333-4444-555555555555}</Data>\
                   <Data Name='LogonGuid'>{66666666-7777-8888-9999-000000000000}</Data>\
                   <Data>unnamed</Data><Data>unnamed too</Data></EventData></Event>";
        let (events, _, _) = crate::decoder::decode_all(xml.as_bytes());
        let keys = field_keys(&events[0]);
        assert_eq!(
            keys,
            [
                "LogonGuid",
                "TargetUserName",
                "LogonGuid_1",
                "LogonGuid_2",
                "Data[5]",
                "Data[6]"
            ]
        );
        let mut line = String::new();
        json_line(&events[0], &mut line);
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(
            v["data"]["LogonGuid_1"],
            "{11111111-2222-3333-4444-555555555555}"
        );
        assert_eq!(v["data"].as_object().unwrap().len(), 6, "no value lost");
        let mut row = String::new();
        csv_row("f.xml", &events[0], &mut row);
        assert!(row.contains("LogonGuid_2"), "{row}");
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let mut s = String::new();
        csv_field(&mut s, "=HYPERLINK(\"x\")");
        assert_eq!(s, "\"'=HYPERLINK(\"\"x\"\")\"");
        let mut s = String::new();
        csv_field(&mut s, "-cmd|' /C calc'!A0");
        assert!(s.starts_with("\"'-cmd"));
        for kept in ["plain", "-", "-12", "0x0"] {
            let mut s = String::new();
            csv_field(&mut s, kept);
            assert_eq!(s, kept);
        }
    }
}
