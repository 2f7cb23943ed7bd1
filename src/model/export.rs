//! One line (JSON Lines) or one row (CSV) per decoded event: one [`Record`], the same keys in the
//! same order in every format, for the CLI's `export` and the page's export menu alike.

use crate::decoder::view::{event_name, Outcome, View};
use crate::decoder::{Event, SysField};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
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
    pub event_name: Option<&'static str>,
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
    pub data: &'e Event,
    /// The decoded text of each body value that a table decodes, keyed as in `data`.
    #[serde(serialize_with = "decoded_map")]
    pub decoded: &'e Event,
    /// The decoded text of `System` fields that have one (event name, level, task, opcode,
    /// keywords, user).
    #[serde(serialize_with = "system_decoded_map")]
    pub system_decoded: &'e Event,
}

impl<'e> Record<'e> {
    /// The record of `ev`, read from `file`, matching the rules named `findings`.
    pub fn new(file: &'e str, ev: &'e Event, findings: Vec<&'e str>) -> Self {
        let a = ev.account();
        let key = match ev.view() {
            View::KeyMigration(k) | View::KeyFile(k) | View::Cryptographic(k) => Some(k),
            _ => None,
        };
        Record {
            file,
            event_id: ev.event_id(),
            event_name: event_name(ev.event_id()),
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
            data: ev,
            decoded: ev,
            system_decoded: ev,
        }
    }

    /// Appends the record as one JSON object (no newline).
    pub fn write_json(&self, out: &mut Vec<u8>) {
        // Writing to a Vec cannot fail, and every key is a string.
        let _ = serde_json::to_writer(out, self);
    }

    /// Appends the record as one CSV row (no line end), its cells in [`csv_header`] order: text
    /// and numbers as they are, null as empty, `findings` joined by spaces, the maps as JSON.
    pub fn write_csv(&self, out: &mut String) {
        // Every field is one of the shapes `csv::Cell` takes, so this cannot fail.
        let _ = self.serialize(csv::Row { out, first: true });
    }
}

/// CSV through serde: [`Record`]'s fields become cells in their declared order, so that CSV and
/// JSON share one schema without a second list of columns.
mod csv {
    use super::csv_field;
    use serde::ser::{self, Impossible, Serialize, SerializeMap, SerializeSeq, SerializeStruct};
    use std::fmt;

    /// The only error: a field of a shape a cell cannot hold (none of [`super::Record`]'s).
    #[derive(Debug)]
    pub struct Unsupported;

    impl fmt::Display for Unsupported {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a field that is not a CSV cell")
        }
    }
    impl std::error::Error for Unsupported {}
    impl ser::Error for Unsupported {
        fn custom<T: fmt::Display>(_: T) -> Self {
            Unsupported
        }
    }

    /// A record: one cell per field, comma-separated.
    pub struct Row<'o> {
        pub out: &'o mut String,
        pub first: bool,
    }

    /// One cell.
    struct Cell<'o>(&'o mut String);

    /// A list cell (words joined by spaces) or a map cell (JSON), built before it is quoted.
    struct Compound<'o> {
        out: &'o mut String,
        text: Vec<u8>,
    }

    macro_rules! unsupported {
        ($($name:ident($($arg:ty),*) -> $ret:ty;)*) => {$(
            fn $name(self, $(_: $arg),*) -> Result<$ret, Unsupported> {
                Err(Unsupported)
            }
        )*};
    }

    impl<'o> ser::Serializer for Row<'o> {
        type Ok = ();
        type Error = Unsupported;
        type SerializeSeq = Impossible<(), Unsupported>;
        type SerializeTuple = Impossible<(), Unsupported>;
        type SerializeTupleStruct = Impossible<(), Unsupported>;
        type SerializeTupleVariant = Impossible<(), Unsupported>;
        type SerializeMap = Impossible<(), Unsupported>;
        type SerializeStruct = Self;
        type SerializeStructVariant = Impossible<(), Unsupported>;

        fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Unsupported> {
            Ok(self)
        }
        unsupported! {
            serialize_bool(bool) -> (); serialize_i8(i8) -> (); serialize_i16(i16) -> ();
            serialize_i32(i32) -> (); serialize_i64(i64) -> (); serialize_u8(u8) -> ();
            serialize_u16(u16) -> (); serialize_u32(u32) -> (); serialize_u64(u64) -> ();
            serialize_f32(f32) -> (); serialize_f64(f64) -> (); serialize_char(char) -> ();
            serialize_str(&str) -> (); serialize_bytes(&[u8]) -> (); serialize_none() -> ();
            serialize_unit() -> (); serialize_unit_struct(&'static str) -> ();
            serialize_unit_variant(&'static str, u32, &'static str) -> ();
            serialize_seq(Option<usize>) -> Self::SerializeSeq;
            serialize_tuple(usize) -> Self::SerializeTuple;
            serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
            serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
            serialize_map(Option<usize>) -> Self::SerializeMap;
            serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
        }
        fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<(), Unsupported> {
            Err(Unsupported)
        }
        fn serialize_newtype_struct<T: ?Sized + Serialize>(
            self,
            _: &'static str,
            _: &T,
        ) -> Result<(), Unsupported> {
            Err(Unsupported)
        }
        fn serialize_newtype_variant<T: ?Sized + Serialize>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<(), Unsupported> {
            Err(Unsupported)
        }
    }

    impl SerializeStruct for Row<'_> {
        type Ok = ();
        type Error = Unsupported;
        fn serialize_field<T: ?Sized + Serialize>(
            &mut self,
            _: &'static str,
            value: &T,
        ) -> Result<(), Unsupported> {
            if !std::mem::take(&mut self.first) {
                self.out.push(',');
            }
            value.serialize(Cell(self.out))
        }
        fn end(self) -> Result<(), Unsupported> {
            Ok(())
        }
    }

    impl<'o> ser::Serializer for Cell<'o> {
        type Ok = ();
        type Error = Unsupported;
        type SerializeSeq = Compound<'o>;
        type SerializeTuple = Impossible<(), Unsupported>;
        type SerializeTupleStruct = Impossible<(), Unsupported>;
        type SerializeTupleVariant = Impossible<(), Unsupported>;
        type SerializeMap = Compound<'o>;
        type SerializeStruct = Impossible<(), Unsupported>;
        type SerializeStructVariant = Impossible<(), Unsupported>;

        fn serialize_str(self, v: &str) -> Result<(), Unsupported> {
            csv_field(self.0, v);
            Ok(())
        }
        fn serialize_u32(self, v: u32) -> Result<(), Unsupported> {
            self.serialize_u64(u64::from(v))
        }
        fn serialize_u64(self, v: u64) -> Result<(), Unsupported> {
            use std::fmt::Write as _;
            let _ = write!(self.0, "{v}");
            Ok(())
        }
        fn serialize_none(self) -> Result<(), Unsupported> {
            Ok(())
        }
        fn serialize_some<T: ?Sized + Serialize>(self, v: &T) -> Result<(), Unsupported> {
            v.serialize(self)
        }
        fn serialize_unit_variant(
            self,
            _: &'static str,
            _: u32,
            variant: &'static str,
        ) -> Result<(), Unsupported> {
            self.serialize_str(variant)
        }
        fn collect_str<T: ?Sized + fmt::Display>(self, v: &T) -> Result<(), Unsupported> {
            self.serialize_str(&v.to_string())
        }
        fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'o>, Unsupported> {
            Ok(Compound {
                out: self.0,
                text: Vec::new(),
            })
        }
        fn serialize_map(self, _: Option<usize>) -> Result<Compound<'o>, Unsupported> {
            Ok(Compound {
                out: self.0,
                text: vec![b'{'],
            })
        }
        unsupported! {
            serialize_bool(bool) -> (); serialize_i8(i8) -> (); serialize_i16(i16) -> ();
            serialize_i32(i32) -> (); serialize_i64(i64) -> (); serialize_u8(u8) -> ();
            serialize_u16(u16) -> (); serialize_f32(f32) -> (); serialize_f64(f64) -> ();
            serialize_char(char) -> (); serialize_bytes(&[u8]) -> (); serialize_unit() -> ();
            serialize_unit_struct(&'static str) -> ();
            serialize_tuple(usize) -> Self::SerializeTuple;
            serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
            serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
            serialize_struct(&'static str, usize) -> Self::SerializeStruct;
            serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
        }
        fn serialize_newtype_struct<T: ?Sized + Serialize>(
            self,
            _: &'static str,
            v: &T,
        ) -> Result<(), Unsupported> {
            v.serialize(self)
        }
        fn serialize_newtype_variant<T: ?Sized + Serialize>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<(), Unsupported> {
            Err(Unsupported)
        }
    }

    impl Compound<'_> {
        /// Appends `v` as JSON (map keys and values; a list's words lose their quotes).
        fn push<T: ?Sized + Serialize>(&mut self, v: &T, json: bool) -> Result<(), Unsupported> {
            if json {
                return serde_json::to_writer(&mut self.text, v).map_err(|_| Unsupported);
            }
            let word: String =
                serde_json::from_value(serde_json::to_value(v).map_err(|_| Unsupported)?)
                    .map_err(|_| Unsupported)?;
            self.text.extend_from_slice(word.as_bytes());
            Ok(())
        }

        /// The cell, quoted as CSV needs.
        fn finish(self) {
            csv_field(self.out, &String::from_utf8_lossy(&self.text));
        }
    }

    impl SerializeSeq for Compound<'_> {
        type Ok = ();
        type Error = Unsupported;
        fn serialize_element<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), Unsupported> {
            if !self.text.is_empty() {
                self.text.push(b' ');
            }
            self.push(v, false)
        }
        fn end(self) -> Result<(), Unsupported> {
            self.finish();
            Ok(())
        }
    }

    impl SerializeMap for Compound<'_> {
        type Ok = ();
        type Error = Unsupported;
        fn serialize_key<T: ?Sized + Serialize>(&mut self, k: &T) -> Result<(), Unsupported> {
            if self.text.len() > 1 {
                self.text.push(b',');
            }
            self.push(k, true)?;
            self.text.push(b':');
            Ok(())
        }
        fn serialize_value<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), Unsupported> {
            self.push(v, true)
        }
        fn end(mut self) -> Result<(), Unsupported> {
            self.text.push(b'}');
            self.finish();
            Ok(())
        }
    }
}

/// The CSV header row: [`Record`]'s keys, in order.
pub fn csv_header() -> String {
    let ev = Event::default();
    match serde_json::to_value(Record::new("", &ev, Vec::new())) {
        Ok(serde_json::Value::Object(map)) => {
            map.keys().map(String::as_str).collect::<Vec<_>>().join(",")
        }
        _ => String::new(),
    }
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

fn data_map<S: Serializer>(ev: &&Event, s: S) -> Result<S::Ok, S::Error> {
    let keys = field_keys(ev);
    let mut map = s.serialize_map(Some(keys.len()))?;
    for (f, key) in ev.fields().zip(&keys) {
        map.serialize_entry(key.as_ref(), f.value)?;
    }
    map.end()
}

fn decoded_map<S: Serializer>(ev: &&Event, s: S) -> Result<S::Ok, S::Error> {
    let keys = field_keys(ev);
    let mut map = s.serialize_map(None)?;
    for (f, key) in ev.fields().zip(&keys) {
        if let Some(d) = ev.decoded(f.name, f.value) {
            map.serialize_entry(key.as_ref(), &d)?;
        }
    }
    map.end()
}

fn system_decoded_map<S: Serializer>(ev: &&Event, s: S) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(None)?;
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
            map.serialize_entry(field.name(), &d)?;
        }
    }
    map.end()
}

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
        let mut line = Vec::new();
        record.write_json(&mut line);
        let v: serde_json::Value = serde_json::from_slice(&line).unwrap();
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
