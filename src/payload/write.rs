//! The request bodies as JSON text, appended to one `String` per body: byte for byte
//! what serde_json writes for their derived `Serialize` (same field order, same fields
//! skipped, serde_json's escaping and number forms, custom properties after the fixed
//! fields in their map's order, as `#[serde(flatten)]` puts them). The derived impls
//! stay: they are the benchmark floor and this writer's oracle (tests/writer.rs).
//!
//! Why not serde_json: it copies strings through its formatter one escape-free run at a
//! time after a byte-by-byte table scan, and `flatten` serializes the struct through a map
//! serializer. Here a string is scanned 8 bytes at a time and copied in runs.
//!
//! The writers (beside each struct, in `payload.rs`, `offline_track.rs`, `order_sync.rs`)
//! destructure their struct: a new field does not compile until it is written.

use serde::ser::{Serialize, SerializeStruct, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Number, Value};

/// A body (or part of one) that writes itself as JSON text.
pub trait WriteJson {
    /// Appends the JSON text to `out`.
    fn write_json(&self, out: &mut String);

    /// The JSON text in a buffer of its own.
    fn to_json(&self) -> String {
        let mut out = String::with_capacity(INITIAL_CAPACITY);
        self.write_json(&mut out);
        out
    }
}

impl<T: WriteJson + ?Sized> WriteJson for Box<T> {
    fn write_json(&self, out: &mut String) {
        (**self).write_json(out);
    }
}

/// Already serialized JSON (the items of a merged Events API request) is copied as is.
impl WriteJson for RawValue {
    fn write_json(&self, out: &mut String) {
        out.push_str(self.get());
    }
}

/// A body of one event with a few items is 1 to 2 KB: one allocation, rarely a regrowth.
const INITIAL_CAPACITY: usize = 2048;

/// A field's name as the writer copies it, quoted and with its colon (`"event":`), built at
/// compile time: one copy per field. Names are TikTok's, plain ASCII: nothing to escape.
macro_rules! field {
    ($name:literal) => {
        concat!("\"", $name, "\":")
    };
}
pub(crate) use field;

/// The fields of one JSON object, written in call order with the commas between them.
pub struct Fields<'o> {
    out: &'o mut String,
    first: bool,
}

impl<'o> Fields<'o> {
    pub fn open(out: &'o mut String) -> Fields<'o> {
        out.push('{');
        Fields { out, first: true }
    }

    /// Starts a field: `key` is a quoted name and its colon, from [`field!`].
    fn key(&mut self, key: &'static str) -> &mut String {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out.push_str(key);
        self.out
    }

    pub fn text(&mut self, key: &'static str, value: &str) {
        string(self.key(key), value);
    }

    pub fn opt_text(&mut self, key: &'static str, value: &Option<impl AsRef<str>>) {
        if let Some(v) = value {
            self.text(key, v.as_ref());
        }
    }

    pub fn number(&mut self, key: &'static str, value: &Number) {
        number(self.key(key), value);
    }

    pub fn opt_number(&mut self, key: &'static str, value: &Option<Number>) {
        if let Some(v) = value {
            self.number(key, v);
        }
    }

    pub fn int(&mut self, key: &'static str, value: i64) {
        int(self.key(key), value);
    }

    pub fn opt_int(&mut self, key: &'static str, value: Option<i64>) {
        if let Some(v) = value {
            self.int(key, v);
        }
    }

    pub fn opt_uint(&mut self, key: &'static str, value: Option<u64>) {
        if let Some(v) = value {
            uint(self.key(key), v);
        }
    }

    pub fn opt_bool(&mut self, key: &'static str, value: Option<bool>) {
        if let Some(v) = value {
            self.key(key).push_str(if v { "true" } else { "false" });
        }
    }

    /// An array of strings (written even when empty: callers skip as the derive does).
    pub fn texts(&mut self, key: &'static str, values: &[impl AsRef<str>]) {
        let out = self.key(key);
        out.push('[');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            string(out, v.as_ref());
        }
        out.push(']');
    }

    /// An array of objects (written even when empty: callers skip as the derive does).
    pub fn items(&mut self, key: &'static str, values: &[impl WriteJson]) {
        let out = self.key(key);
        out.push('[');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            v.write_json(out);
        }
        out.push(']');
    }

    pub fn object(&mut self, key: &'static str, value: &impl WriteJson) {
        value.write_json(self.key(key));
    }

    /// Flattened custom properties: each entry a field of this object, in map order.
    pub fn custom(&mut self, map: &Map<String, Value>) {
        for (k, v) in map {
            if !self.first {
                self.out.push(',');
            }
            self.first = false;
            string(self.out, k);
            self.out.push(':');
            value(self.out, v);
        }
    }

    pub fn close(self) {
        self.out.push('}');
    }
}

/// Appends `s` as a JSON string: `"`, `\` and the control characters below 0x20 escaped
/// as serde_json does (`\b \t \n \f \r`, the others `\u00XX` in lowercase hex), every
/// other character (DEL and non-ASCII included) as is.
pub fn string(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    // Start of the bytes not yet copied. Escapes are ASCII, so every cut is a char boundary.
    let mut run = 0;
    while let Some(at) = next_escape(bytes, run) {
        out.push_str(s.get(run..at).unwrap_or_default());
        escape(out, bytes.get(at).copied().unwrap_or_default());
        run = at + 1;
    }
    out.push_str(s.get(run..).unwrap_or_default());
    out.push('"');
}

/// 0x01 in every byte of a word.
const LANES: u64 = u64::MAX / 255;

/// The position of the first byte at or after `from` that needs an escape, 8 bytes per step.
fn next_escape(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    let mut words = rest.chunks_exact(8);
    let mut offset = from;
    for word in words.by_ref() {
        // `chunks_exact` hands out 8 bytes; a space (no escape) cannot be the fallback's cause.
        let x = u64::from_le_bytes(word.try_into().unwrap_or([b' '; 8]));
        let hits = flagged(x);
        if hits != 0 {
            // Little endian: the lowest flagged byte comes first in the text.
            return Some(offset + (hits.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    words.remainder().iter().position(|&b| needs_escape(b)).map(|i| offset + i)
}

/// The high bit of each byte of `x` below 0x20, equal to `"` or equal to `\`. A borrow can
/// also flag a byte after a true hit, never before one, so the lowest flag is exact.
fn flagged(x: u64) -> u64 {
    let zero_byte = |v: u64| v.wrapping_sub(LANES) & !v;
    let below_space = x.wrapping_sub(LANES * 0x20) & !x;
    (below_space | zero_byte(x ^ (LANES * u64::from(b'"'))) | zero_byte(x ^ (LANES * u64::from(b'\\'))))
        & (LANES * 0x80)
}

fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

fn escape(out: &mut String, b: u8) {
    let short = match b {
        b'"' => "\\\"",
        b'\\' => "\\\\",
        0x08 => "\\b",
        b'\t' => "\\t",
        b'\n' => "\\n",
        0x0c => "\\f",
        b'\r' => "\\r",
        _ => "",
    };
    if short.is_empty() {
        out.push_str("\\u00");
        out.push(hex_digit(b >> 4));
        out.push(hex_digit(b & 0xf));
    } else {
        out.push_str(short);
    }
}

fn hex_digit(n: u8) -> char {
    char::from(if n < 10 { b'0' + n } else { b'a' + n - 10 })
}

/// Appends a number as serde_json writes it: integers in decimal, floats through
/// `Number`'s `Display` (the shortest text that reads back, as serde_json's serializer).
pub fn number(out: &mut String, n: &Number) {
    if let Some(u) = n.as_u64() {
        uint(out, u);
    } else if let Some(i) = n.as_i64() {
        int(out, i);
    } else {
        use std::fmt::Write;
        // Writing into a String cannot fail.
        let _ = write!(out, "{n}");
    }
}

pub fn int(out: &mut String, i: i64) {
    if i < 0 {
        out.push('-');
    }
    uint(out, i.unsigned_abs());
}

pub fn uint(out: &mut String, mut u: u64) {
    // u64::MAX has 20 digits; written from the end, then pushed in order.
    let mut digits = [b'0'; 20];
    let mut start = digits.len();
    for d in digits.iter_mut().rev() {
        *d = b'0' + (u % 10) as u8;
        start -= 1;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    for &d in digits.get(start..).unwrap_or_default() {
        out.push(char::from(d));
    }
}

/// Appends any JSON value (custom properties): objects in their map's order.
pub fn value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => number(out, n),
        Value::String(s) => string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut f = Fields::open(out);
            f.custom(map);
            f.close();
        }
    }
}

/// JSON text this module wrote, inserted as is by serde_json's serializers (to text, or to a
/// `Value`, which parses it), so results carrying a body do not serialize it a second time.
/// It speaks serde_json's `RawValue` protocol without building a `RawValue`: making one
/// from text re-parses it (about 15,000 instructions for a 1.4 KB body) and the unchecked
/// constructor is `unsafe`. Other serializers would see a one-field struct: results
/// (`HttpRequest`) are serialized with serde_json only (npm, Worker, CLI).
pub struct Verbatim<'a>(pub &'a str);

/// The struct name serde_json gives `RawValue` (serde_json 1.x; tested in tests/writer.rs).
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

impl Serialize for Verbatim<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct(RAW_VALUE_TOKEN, 1)?;
        st.serialize_field(RAW_VALUE_TOKEN, self.0)?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> String {
        let mut out = String::new();
        string(&mut out, s);
        out
    }

    #[test]
    fn strings_are_escaped_as_serde_json_does_at_every_position_of_a_word() {
        let specials = ["\"", "\\", "\n", "\u{0}", "\u{1f}", "\u{7f}", "é", "😀", " ", "\u{8}", "\u{c}"];
        for len in 0..20 {
            for at in 0..=len {
                for sp in specials {
                    let s = format!("{}{sp}{}", "a".repeat(at), "b".repeat(len - at));
                    assert_eq!(text(&s), serde_json::to_string(&s).unwrap(), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn every_byte_value_is_escaped_as_serde_json_does() {
        for b in 0u8..0x80 {
            let s = format!("x{}yzabcdefgh{}", char::from(b), char::from(b));
            assert_eq!(text(&s), serde_json::to_string(&s).unwrap(), "byte {b:#x}");
        }
    }

    #[test]
    fn numbers_are_written_as_serde_json_does() {
        let numbers = [
            Number::from(0u64),
            Number::from(u64::MAX),
            Number::from(i64::MIN),
            Number::from(-1i64),
            Number::from_f64(0.1).unwrap(),
            Number::from_f64(-0.0).unwrap(),
            Number::from_f64(1e300).unwrap(),
            Number::from_f64(12.0).unwrap(),
            Number::from_f64(f64::MIN_POSITIVE).unwrap(),
        ];
        for n in numbers {
            let mut out = String::new();
            number(&mut out, &n);
            assert_eq!(out, serde_json::to_string(&n).unwrap());
        }
    }
}
