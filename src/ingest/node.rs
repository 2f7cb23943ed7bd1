//! A JSON document as the converted shapes read it: the tree `serde_json::Value` would give
//! (same values, same key order, the last of duplicate keys at the place of the first, the same
//! errors and limits, since the same `serde_json` deserializer reads it), but its strings borrow
//! from the input whenever they have no escapes, and objects are plain lists: no hashing and one
//! allocation per container rather than one per key and per string.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Number;
use std::borrow::Cow;
use std::fmt;

/// One JSON value.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) enum Value<'a> {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Value<'a>>),
    Object(Map<'a>),
}

/// An object's members, in document order.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Map<'a>(Vec<(Cow<'a, str>, Value<'a>)>);

/// Above this many members, duplicate keys are found with a hash set rather than by scanning.
const SCAN: usize = 128;

impl<'a> Map<'a> {
    pub fn new() -> Self {
        Self(Vec::new())
    }

    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value<'a>)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }

    /// Adds a member; a key already there keeps its place and takes the new value.
    pub fn insert(&mut self, key: Cow<'a, str>, value: Value<'a>) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }
}

impl<'m, 'a> IntoIterator for &'m Map<'a> {
    type Item = (&'m str, &'m Value<'a>);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'m, (Cow<'a, str>, Value<'a>)>,
        fn(&'m (Cow<'a, str>, Value<'a>)) -> (&'m str, &'m Value<'a>),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }
}

impl<'a> Value<'a> {
    pub fn as_object(&self) -> Option<&Map<'a>> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A member of an object.
    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        self.as_object()?.get(key)
    }
}

/// Compact JSON, as `serde_json::Value` writes it.
impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string(self).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

impl Serialize for Value<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Number(n) => n.serialize(s),
            Value::String(t) => s.serialize_str(t),
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Object(m) => {
                let mut map = s.serialize_map(Some(m.len()))?;
                for (k, v) in m.iter() {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// A string that borrows from the input when it can.
struct Text<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value<'de>, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value<'de>, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value<'de>, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value<'de>, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Value<'de>, E> {
        Ok(Value::String(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value<'de>, E> {
        Ok(Value::String(Cow::Owned(v.to_string())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value<'de>, E> {
        Ok(Value::String(Cow::Owned(v)))
    }

    fn visit_none<E>(self) -> Result<Value<'de>, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E>(self) -> Result<Value<'de>, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value<'de>, A::Error> {
        // Records have a few dozen members: start with room for some, not for one at a time.
        let mut members: Vec<(Cow<'de, str>, Value<'de>)> = Vec::with_capacity(16);
        // Keys seen, by a byte of their hash: a key whose bit is clear is new (most are), one
        // whose bit is set is looked for among the members.
        let mut seen = [0u64; 4];
        let mut index: Option<std::collections::HashMap<Cow<'de, str>, usize>> = None;
        while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
            let value: Value<'de> = map.next_value()?;
            let found = match &mut index {
                Some(index) => index.get(&key).copied(),
                None => {
                    let h = key
                        .bytes()
                        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
                        })
                        .to_le_bytes()
                        .iter()
                        .fold(0, |a, b| a ^ b);
                    let (word, bit) = (usize::from(h >> 6), 1u64 << (h & 63));
                    if seen[word] & bit == 0 {
                        seen[word] |= bit;
                        None
                    } else {
                        members.iter().position(|(k, _)| *k == key)
                    }
                }
            };
            match found {
                Some(i) => members[i].1 = value,
                None => {
                    if let Some(index) = &mut index {
                        index.insert(key.clone(), members.len());
                    }
                    if members.len() == members.capacity() {
                        // Grown four times over, not twice: a record of 40 members is moved
                        // once, not twice.
                        members.reserve(members.len() * 3);
                    }
                    members.push((key, value));
                    if index.is_none() && members.len() > SCAN {
                        index = Some(
                            members
                                .iter()
                                .enumerate()
                                .map(|(i, (k, _))| (k.clone(), i))
                                .collect(),
                        );
                    }
                }
            }
        }
        Ok(Value::Object(Map(members)))
    }
}

impl<'de> Deserialize<'de> for Value<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

/// Parses one JSON document.
pub(crate) fn parse(text: &str) -> serde_json::Result<Value<'_>> {
    serde_json::from_str(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same tree as `serde_json::Value`, written back the same way.
    #[test]
    fn reads_as_serde_json_value_does() {
        for text in [
            r#"{"a": 1, "b": [true, null, -2, 1.5e300, 18446744073709551615, 1e400], "a": "x\ny", "c": {"d": "é\u0000", "d": 2}}"#,
            r#"[{"k": "v"}, "s", 0.1]"#,
            "\"plain\"",
        ] {
            let ours = parse(text)
                .map(|v| v.to_string())
                .map_err(|e| e.to_string());
            let theirs = serde_json::from_str::<serde_json::Value>(text)
                .map(|v| v.to_string())
                .map_err(|e| e.to_string());
            assert_eq!(ours, theirs, "{text}");
        }
        // Duplicates among few keys (found by scanning) and among many (by a hash map).
        for (count, distinct) in [(100, 60), (400, 250)] {
            let many: Vec<String> = (0..count)
                .map(|i| format!("\"k{}\": {i}", i % distinct))
                .collect();
            let text = format!("{{{}}}", many.join(", "));
            assert_eq!(
                parse(&text).unwrap().to_string(),
                serde_json::from_str::<serde_json::Value>(&text)
                    .unwrap()
                    .to_string()
            );
        }
        for bad in ["{\"a\": 1,}", "[1, 2", "{\"a\" 1}", &"[".repeat(200)] {
            let ours = parse(bad).map(|v| v.to_string()).map_err(|e| e.to_string());
            let theirs = serde_json::from_str::<serde_json::Value>(bad)
                .map(|v| v.to_string())
                .map_err(|e| e.to_string());
            assert_eq!(ours, theirs, "{bad}");
        }
    }
}
