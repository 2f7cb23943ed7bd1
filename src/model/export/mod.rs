//! One line (JSON Lines) or one row (CSV) per decoded event: one [`Record`], the same keys in the
//! same order in every format, for the CLI's `export` and the page's export menu alike.

use crate::decoder::view::{event_name, Outcome, View};
use crate::decoder::{Event, SysField};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use std::borrow::Cow;
use std::rc::Rc;

pub mod ecs;
mod ser;
use std::fmt::Write as _;

/// One event as every export writes it. Its serde field order is the order of the keys in JSON
/// and of the columns in CSV ([`csv_header`]); the README documents each key once.
#[derive(Serialize)]
pub struct Record<'e> {
    /// The file the event was read from, as the user named it.
    pub file: &'e str,
    /// `System/EventID`.
    pub event_id: u32,
    /// The event's name, when keytrail knows the ID.
    pub event_name: Option<&'e str>,
    /// `System/EventRecordID`.
    pub record_id: Option<u64>,
    /// `TimeCreated/@SystemTime`, RFC 3339 UTC with the 7 digits Windows keeps.
    #[serde(serialize_with = "as_text")]
    pub time: Option<crate::decoder::Timestamp>,
    /// `System/Computer`.
    pub computer: &'e str,
    /// `System/Channel`.
    pub channel: &'e str,
    /// `System/Provider/@Name`.
    pub provider: &'e str,
    /// `success`, `failure` or null.
    pub outcome: Option<Outcome>,
    /// The account that acted, `DOMAIN\user`.
    pub account: String,
    /// Its SID.
    pub sid: &'e str,
    /// Its logon session (hex LUID as logged).
    pub logon_id: &'e str,
    /// Key events: `ProviderName`, the key storage provider.
    pub key_provider: &'e str,
    /// Key events: `AlgorithmName` in words.
    pub algorithm: &'e str,
    /// Key events: `KeyName`.
    pub key_name: &'e str,
    /// Key events: `KeyType` in words.
    pub key_type: &'e str,
    /// Key events: `Operation` in words.
    pub operation: &'e str,
    /// Key events: `ReturnCode` as logged (`0x0`; its name is in `decoded`).
    pub return_code: &'e str,
    /// The ids of the monitoring rules the event matches.
    pub findings: Vec<&'e str>,
    /// Every body field's raw value, in document order, keyed by [`field_keys`].
    #[serde(serialize_with = "data_map")]
    pub data: Keyed<'e>,
    /// The decoded text of each body value that a table decodes, keyed as in `data`.
    #[serde(serialize_with = "decoded_map")]
    pub decoded: Keyed<'e>,
    /// The decoded text of `System` fields that have one (event name, level, task, opcode,
    /// keywords, user).
    pub system_decoded: SystemDecoded<'e>,
}

impl<'e> Record<'e> {
    /// The record of `ev`, read from `file`, matching the rules named `findings`.
    pub fn new(file: &'e str, ev: &'e Event, findings: Vec<&'e str>) -> Self {
        Self::named(file, ev, findings, event_name(ev.event_id()))
    }

    /// [`Record::new`] with the event's name given (the page's worker carries no table of
    /// names: the page sends the names of the events it exports).
    pub fn named(
        file: &'e str,
        ev: &'e Event,
        findings: Vec<&'e str>,
        name: Option<&'e str>,
    ) -> Self {
        let a = ev.account();
        let data = Keyed {
            ev,
            keys: field_keys(ev).into(),
        };
        let key = match ev.view() {
            View::KeyMigration(k) | View::KeyFile(k) | View::Cryptographic(k) => Some(k),
            _ => None,
        };
        Record {
            file,
            event_id: ev.event_id(),
            event_name: name,
            record_id: ev.record_id(),
            time: ev.time(),
            computer: ev.computer(),
            channel: ev.channel(),
            provider: ev.provider(),
            outcome: ev.outcome(),
            account: a.display(),
            sid: a.sid,
            logon_id: a.logon_id,
            key_provider: key.as_ref().map_or("", |k| k.provider),
            algorithm: key.as_ref().map_or("", |k| k.algorithm_text()),
            key_name: key.as_ref().map_or("", |k| k.key_name),
            key_type: key.as_ref().map_or("", |k| k.key_type_text()),
            operation: key.as_ref().map_or("", |k| k.operation_text()),
            return_code: key.as_ref().map_or("", |k| k.return_code),
            findings,
            decoded: data.clone(),
            data,
            system_decoded: SystemDecoded { ev, name },
        }
    }

    /// Appends the record as one JSON object (no newline).
    pub fn write_json(&self, out: &mut String) {
        // Every field is one of the shapes `ser::Json` takes, so this cannot fail.
        let _ = self.serialize(ser::Json(out));
    }

    /// Appends the record as one CSV row (no line end), its cells in [`csv_header`] order: text
    /// and numbers as they are, null as empty, `findings` joined by spaces, the maps as JSON.
    pub fn write_csv(&self, out: &mut String) {
        let _ = self.serialize(ser::Row { out, first: true });
    }
}

/// The CSV header row: [`Record`]'s keys, in order.
pub fn csv_header() -> String {
    let ev = Event::default();
    let mut keys = String::new();
    let _ = Record::named("", &ev, Vec::new(), None).serialize(ser::Keys(&mut keys));
    keys
}

fn as_text<S: Serializer>(
    time: &Option<crate::decoder::Timestamp>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match time {
        Some(t) => s.collect_str(t),
        None => s.serialize_none(),
    }
}

/// An event with the export keys of its body fields ([`field_keys`]), worked out once for both
/// maps of a [`Record`] that use them.
#[derive(Clone)]
pub struct Keyed<'e> {
    ev: &'e Event,
    keys: Rc<[Cow<'e, str>]>,
}

fn data_map<S: Serializer>(keyed: &Keyed, s: S) -> Result<S::Ok, S::Error> {
    let Keyed { ev, keys } = keyed;
    let mut map = s.serialize_map(Some(keys.len()))?;
    for (f, key) in ev.fields().zip(keys.iter()) {
        map.serialize_entry(key.as_ref(), f.value)?;
    }
    map.end()
}

fn decoded_map<S: Serializer>(keyed: &Keyed, s: S) -> Result<S::Ok, S::Error> {
    let Keyed { ev, keys } = keyed;
    let mut map = s.serialize_map(None)?;
    for (f, key) in ev.fields().zip(keys.iter()) {
        if let Some(d) = ev.decoded(f.name, f.value) {
            map.serialize_entry(key.as_ref(), &d)?;
        }
    }
    map.end()
}

/// [`Record::system_decoded`]: the decoded text of the `System` fields that have one, the
/// event's name first.
pub struct SystemDecoded<'e> {
    ev: &'e Event,
    name: Option<&'e str>,
}

impl Serialize for SystemDecoded<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        if let Some(name) = self.name {
            map.serialize_entry(SysField::EventId.name(), name)?;
        }
        for field in [
            SysField::Level,
            SysField::Task,
            SysField::Opcode,
            SysField::Keywords,
            SysField::UserId,
        ] {
            if let Some(d) = self.ev.decoded_system(field) {
                map.serialize_entry(field.name(), &d)?;
            }
        }
        map.end()
    }
}

/// Appends `s` as a JSON string literal.
pub fn json_string(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    // Most values (a few bytes each, ~100 per exported event) need no escaping: one look, one
    // copy.
    let Some(mut i) = first_to_escape(bytes) else {
        out.reserve(bytes.len() + 2);
        out.push('"');
        out.push_str(s);
        out.push('"');
        return;
    };
    out.reserve(bytes.len() + 8);
    out.push('"');
    let mut last = 0;
    loop {
        out.push_str(&s[last..i]);
        match bytes[i] {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            b => {
                let _ = write!(out, "\\u{b:04x}");
            }
        }
        i += 1;
        last = i;
        match first_to_escape(&bytes[i..]) {
            Some(next) => i += next,
            None => break,
        }
    }
    out.push_str(&s[last..]);
    out.push('"');
}

/// Where the first byte of `bytes` that a JSON string escapes is: eight bytes at a time, the
/// last word read where it ends (overlapping the one before, none of whose bytes was marked); a
/// string shorter than a word as two overlapping halves.
fn first_to_escape(bytes: &[u8]) -> Option<usize> {
    let len = bytes.len();
    // The lowest byte marked always needs escaping.
    let lowest = |mask: u64| (mask.trailing_zeros() / 8) as usize;
    if len >= 8 {
        let mut i = 0;
        while i + 8 <= len {
            let mask = escape_mask(le_word(&bytes[i..i + 8]));
            if mask != 0 {
                return Some(i + lowest(mask));
            }
            i += 8;
        }
        let mask = escape_mask(le_word(&bytes[len - 8..]));
        (i < len && mask != 0).then(|| len - 8 + lowest(mask))
    } else if len >= 4 {
        // Bytes 0..4 in the low half, len-4..len in the high one.
        let mask = escape_mask(le_word(&bytes[..4]) | le_word(&bytes[len - 4..]) << 32);
        (mask != 0).then(|| match lowest(mask) {
            k @ 0..4 => k,
            k => len + k - 8,
        })
    } else {
        bytes
            .iter()
            .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
    }
}

/// Four or eight bytes read little-endian.
fn le_word(bytes: &[u8]) -> u64 {
    match *bytes {
        [a, b, c, d] => u32::from_le_bytes([a, b, c, d]).into(),
        [a, b, c, d, e, f, g, h] => u64::from_le_bytes([a, b, c, d, e, f, g, h]),
        _ => 0,
    }
}

/// The high bit of each of the eight bytes of `word` (read little-endian) that is a control
/// character, `"` or `\`: the classic "has a byte below n" and "has a zero byte" word tests.
/// Exact up to the lowest marked byte (a borrow can mark a later byte too, but only after one
/// that does need escaping); zero when none does.
fn escape_mask(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word;
    let zero_of = |x: u64| x.wrapping_sub(ONES) & !x;
    let quote = zero_of(word ^ (ONES * u64::from(b'"')));
    let backslash = zero_of(word ^ (ONES * u64::from(b'\\')));
    (below_space | quote | backslash) & HIGH
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

/// The export keys of `ev`'s body fields, in document order: [`field_key`], or, when that key is
/// already taken, the first free of `KEY_1`, `KEY_2`… as `evtx_dump` names a repeated name (real
/// 4648 events log `LogonGuid` twice: the second is `LogonGuid_1`), so that no value is lost to
/// a duplicate key, even beside a field that is itself named like a repeat.
pub fn field_keys<'e>(ev: &'e Event) -> Vec<Cow<'e, str>> {
    let mut keys: Vec<Cow<'e, str>> = Vec::with_capacity(ev.fields().len());
    let taken = |keys: &[Cow<str>], key: &str| keys.iter().any(|k| k.as_ref() == key);
    for f in ev.fields() {
        let key = field_key(f.name, f.index);
        if !taken(&keys, &key) {
            keys.push(key);
            continue;
        }
        let mut n = 1;
        let mut repeat = format!("{key}_1");
        while taken(&keys, &repeat) {
            n += 1;
            repeat = format!("{key}_{n}");
        }
        keys.push(repeat.into());
    }
    keys
}

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
    fn json_strings_read_back_as_written_whatever_their_length() {
        // Every special byte at every place of a word, in strings longer and shorter than one.
        let specials = [
            '"', '\\', '\n', '\r', '\t', '\u{8}', '\u{c}', '\u{0}', '\u{1f}', '\u{7f}', 'é', '山',
        ];
        let same_as_serde = |text: &str| {
            let mut out = String::new();
            json_string(&mut out, text);
            assert_eq!(out, serde_json::to_string(text).unwrap(), "{text:?}");
        };
        for len in 0..20 {
            for at in 0..len {
                for c in specials {
                    let text: String = (0..len)
                        .map(|i| {
                            if i == at {
                                c
                            } else {
                                char::from(b'a' + (i % 26) as u8)
                            }
                        })
                        .collect();
                    same_as_serde(&text);
                    // And a second one later in the same word or the next.
                    for gap in 1..10 {
                        let text: String = text
                            .chars()
                            .enumerate()
                            .map(|(i, ch)| if i == at + gap { '\\' } else { ch })
                            .collect();
                        same_as_serde(&text);
                    }
                }
            }
        }
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
        let record = Record::new("f.xml", &events[0], Vec::new());
        let mut line = String::new();
        record.write_json(&mut line);
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(
            v["data"]["LogonGuid_1"],
            "{11111111-2222-3333-4444-555555555555}"
        );
        assert_eq!(v["data"].as_object().unwrap().len(), 6, "no value lost");
        let mut row = String::new();
        record.write_csv(&mut row);
        assert!(row.contains("LogonGuid_2"), "{row}");
    }

    #[test]
    fn a_field_named_like_a_repeat_keeps_its_own_key_and_value() {
        // A provider's field may itself be called `X_1`; a repeated `X` beside it must not take
        // that key (a JSON reader would keep one of the two values).
        let xml = "<Event><System><EventID>4648</EventID></System><EventData>\
                   <Data Name='Guid_1'>a</Data><Data Name='Guid'>b</Data>\
                   <Data Name='Guid'>c</Data><Data Name='Guid_1'>d</Data>\
                   <Data Name='Guid'>e</Data></EventData></Event>";
        let (events, _, _) = crate::decoder::decode_all(xml.as_bytes());
        let keys = field_keys(&events[0]);
        assert_eq!(keys, ["Guid_1", "Guid", "Guid_2", "Guid_1_1", "Guid_3"]);
        let record = Record::new("f.xml", &events[0], Vec::new());
        let mut line = String::new();
        record.write_json(&mut line);
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        let data = v["data"].as_object().unwrap();
        let values: Vec<&str> = data.values().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(data.len(), 5, "no value lost: {line}");
        assert!(
            ["a", "b", "c", "d", "e"].iter().all(|x| values.contains(x)),
            "{line}"
        );
    }

    #[test]
    fn the_record_writers_write_what_serde_json_would() {
        // Control characters, quotes, backslashes, non-ASCII, bidi controls and a formula.
        let xml = "<Event><System><EventID>5059</EventID><EventRecordID>7</EventRecordID>\
                   <Computer>WS\u{1}\"1\"</Computer></System><EventData>\
                   <Data Name='SubjectUserName'>=cmd|\\x</Data>\
                   <Data Name='KeyName'>ключ\u{202E}fdp.exe\t\r\n</Data>\
                   <Data Name='KeyType'>%%2499</Data><Data Name='Operation'>%%2464</Data>\
                   <Data Name='ReturnCode'>0x80090016</Data></EventData></Event>";
        let (events, _, _) = crate::decoder::decode_all(xml.as_bytes());
        let record = Record::new("a,\"b\".xml", &events[0], vec!["export-any", "x y"]);
        let mut json = String::new();
        record.write_json(&mut json);
        // Byte for byte: keys, escapes, numbers and nulls as serde_json writes them.
        assert_eq!(json, serde_json::to_string(&record).unwrap());
        let ours: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(ours["key_name"]
            .as_str()
            .unwrap()
            .starts_with("ключ\u{202E}fdp.exe\t"));
        // The CSV row has one cell per key, each holding the JSON value's text.
        let mut row = String::new();
        record.write_csv(&mut row);
        assert_eq!(csv_header().split(',').count(), 22);
        assert!(row.starts_with("\"a,\"\"b\"\".xml\",5059,Key migration operation,7,,"));
        assert!(row.contains(",export-any x y,"), "{row}");
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
