//! The serde serializers behind [`Record`](super::Record)'s formats: JSON ([`Json`]), one CSV row
//! ([`Row`], a cell per field) and the CSV header ([`Keys`], the field names). They take exactly
//! the shapes a record has (text, unsigned numbers, options, unit variants, lists and maps of
//! text) and refuse any other, so that the page's worker carries no general-purpose JSON
//! writer: a record's formats are written here, in one place, from its one declaration.

use super::{csv_field, json_string};
use serde::ser::{self, Impossible, Serialize, SerializeMap, SerializeSeq, SerializeStruct};
use std::fmt::{self, Write as _};

/// The only error: a value of a shape a record never has.
#[derive(Debug)]
pub struct Unsupported;

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value that is not part of an export record")
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Unsupported
    }
}

/// Serializer methods for shapes a record never has.
macro_rules! refuse {
    ($($name:ident($($arg:ty),*) -> $ret:ty;)*) => {$(
        fn $name(self, $(_: $arg),*) -> Result<$ret, Unsupported> {
            Err(Unsupported)
        }
    )*};
}

/// Serializer methods for the values inside a record, for serializers that take only the
/// record itself (a struct).
macro_rules! refuse_values {
    () => {
        refuse! {
            serialize_u32(u32) -> (); serialize_u64(u64) -> (); serialize_str(&str) -> ();
            serialize_none() -> ();
            serialize_unit_variant(&'static str, u32, &'static str) -> ();
            serialize_seq(Option<usize>) -> Self::SerializeSeq;
            serialize_map(Option<usize>) -> Self::SerializeMap;
        }
        fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<(), Unsupported> {
            Err(Unsupported)
        }
    };
}

/// Serializer methods for the shapes no record has.
macro_rules! refuse_compounds {
    () => {
        refuse! {
            serialize_bool(bool) -> (); serialize_i8(i8) -> (); serialize_i16(i16) -> ();
            serialize_i32(i32) -> (); serialize_i64(i64) -> (); serialize_u8(u8) -> ();
            serialize_u16(u16) -> (); serialize_f32(f32) -> (); serialize_f64(f64) -> ();
            serialize_char(char) -> (); serialize_bytes(&[u8]) -> (); serialize_unit() -> ();
            serialize_unit_struct(&'static str) -> ();
            serialize_tuple(usize) -> Self::SerializeTuple;
            serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
            serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
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
    };
}

/// JSON, appended to a string.
pub struct Json<'o>(pub &'o mut String);

/// A JSON object or array being written.
pub struct JsonCompound<'o> {
    out: &'o mut String,
    first: bool,
    close: char,
}

impl JsonCompound<'_> {
    fn comma(&mut self) {
        if !std::mem::take(&mut self.first) {
            self.out.push(',');
        }
    }
}

impl<'o> ser::Serializer for Json<'o> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = JsonCompound<'o>;
    type SerializeTuple = Impossible<(), Unsupported>;
    type SerializeTupleStruct = Impossible<(), Unsupported>;
    type SerializeTupleVariant = Impossible<(), Unsupported>;
    type SerializeMap = JsonCompound<'o>;
    type SerializeStruct = JsonCompound<'o>;
    type SerializeStructVariant = Impossible<(), Unsupported>;

    refuse_compounds!();

    fn serialize_str(self, v: &str) -> Result<(), Unsupported> {
        json_string(self.0, v);
        Ok(())
    }
    fn serialize_u32(self, v: u32) -> Result<(), Unsupported> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<(), Unsupported> {
        let _ = write!(self.0, "{v}");
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Unsupported> {
        self.0.push_str("null");
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
    fn serialize_seq(self, _: Option<usize>) -> Result<JsonCompound<'o>, Unsupported> {
        self.0.push('[');
        Ok(JsonCompound {
            out: self.0,
            first: true,
            close: ']',
        })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<JsonCompound<'o>, Unsupported> {
        self.0.push('{');
        Ok(JsonCompound {
            out: self.0,
            first: true,
            close: '}',
        })
    }
    fn serialize_struct(
        self,
        _: &'static str,
        len: usize,
    ) -> Result<JsonCompound<'o>, Unsupported> {
        self.serialize_map(Some(len))
    }
}

impl SerializeSeq for JsonCompound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), Unsupported> {
        self.comma();
        v.serialize(Json(self.out))
    }
    fn end(self) -> Result<(), Unsupported> {
        self.out.push(self.close);
        Ok(())
    }
}

impl SerializeMap for JsonCompound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, k: &T) -> Result<(), Unsupported> {
        self.comma();
        k.serialize(Json(self.out))?;
        self.out.push(':');
        Ok(())
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), Unsupported> {
        v.serialize(Json(self.out))
    }
    fn end(self) -> Result<(), Unsupported> {
        self.out.push(self.close);
        Ok(())
    }
}

impl SerializeStruct for JsonCompound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), Unsupported> {
        // A struct's keys are this crate's own names, none of which needs escaping (the tests
        // hold every key of a record to that): written as they are.
        debug_assert!(!key.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\'));
        self.comma();
        self.out.reserve(key.len() + 3);
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\":");
        v.serialize(Json(self.out))
    }
    fn end(self) -> Result<(), Unsupported> {
        self.out.push(self.close);
        Ok(())
    }
}

/// One CSV row: each field of a struct becomes a cell ([`Cell`]), quoted as CSV needs.
pub struct Row<'o> {
    /// Where the row is appended.
    pub out: &'o mut String,
    /// No cell written yet.
    pub first: bool,
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

    refuse_values!();
    refuse_compounds!();

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Unsupported> {
        Ok(self)
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
        let mut cell = String::new();
        value.serialize(Cell(&mut cell))?;
        csv_field(self.out, &cell);
        Ok(())
    }
    fn end(self) -> Result<(), Unsupported> {
        Ok(())
    }
}

/// One CSV cell's text before quoting: text and numbers as they are, null as nothing, a list's
/// items joined by spaces, a map as JSON.
struct Cell<'o>(&'o mut String);

/// A list cell being written.
struct Words<'o>(&'o mut String);

impl<'o> ser::Serializer for Cell<'o> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Words<'o>;
    type SerializeTuple = Impossible<(), Unsupported>;
    type SerializeTupleStruct = Impossible<(), Unsupported>;
    type SerializeTupleVariant = Impossible<(), Unsupported>;
    type SerializeMap = JsonCompound<'o>;
    type SerializeStruct = Impossible<(), Unsupported>;
    type SerializeStructVariant = Impossible<(), Unsupported>;

    refuse_compounds!();

    fn serialize_str(self, v: &str) -> Result<(), Unsupported> {
        self.0.push_str(v);
        Ok(())
    }
    fn serialize_u32(self, v: u32) -> Result<(), Unsupported> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<(), Unsupported> {
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
        let _ = write!(self.0, "{v}");
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Words<'o>, Unsupported> {
        Ok(Words(self.0))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<JsonCompound<'o>, Unsupported> {
        Json(self.0).serialize_map(len)
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, Unsupported> {
        Err(Unsupported)
    }
}

impl SerializeSeq for Words<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), Unsupported> {
        if !self.0.is_empty() {
            self.0.push(' ');
        }
        v.serialize(Cell(self.0))
    }
    fn end(self) -> Result<(), Unsupported> {
        Ok(())
    }
}

/// A struct's field names, comma-separated: the CSV header of [`Row`]'s rows.
pub struct Keys<'o>(pub &'o mut String);

impl<'o> ser::Serializer for Keys<'o> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Impossible<(), Unsupported>;
    type SerializeTuple = Impossible<(), Unsupported>;
    type SerializeTupleStruct = Impossible<(), Unsupported>;
    type SerializeTupleVariant = Impossible<(), Unsupported>;
    type SerializeMap = Impossible<(), Unsupported>;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<(), Unsupported>;

    refuse_values!();
    refuse_compounds!();

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Unsupported> {
        Ok(self)
    }
}

impl SerializeStruct for Keys<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        _: &T,
    ) -> Result<(), Unsupported> {
        if !self.0.is_empty() {
            self.0.push(',');
        }
        self.0.push_str(key);
        Ok(())
    }
    fn end(self) -> Result<(), Unsupported> {
        Ok(())
    }
}
