//! Canonical JSON text, for derived event ids: the same value gives the same text
//! whichever binding parsed it. Keys are sorted; a whole number is written as an
//! integer (`16.00` in a file and `16` from JavaScript's `JSON.stringify` are one
//! value); other numbers in Rust's shortest round-trip form.
//!
//! Recursive: only called on events that passed `limits::check_event` (depth <= 32).

use crate::node::Node;
use serde_json::Number;
use std::fmt::Write;

/// `value` as canonical JSON text.
pub fn to_string(value: &Node<'_>) -> String {
    let mut out = String::new();
    write(value, &mut out);
    out
}

fn write(value: &Node<'_>, out: &mut String) {
    match value {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Number(n) => number(n, out),
        Node::String(s) => string(s, out),
        Node::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        Node::Object(map) => {
            let mut entries: Vec<(&str, &Node<'_>)> = map.iter().map(|(k, v)| (k.as_ref(), v)).collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(key, out);
                out.push(':');
                write(item, out);
            }
            out.push('}');
        }
    }
}

fn number(n: &Number, out: &mut String) {
    // Integers as they are; floats that are whole (and exact in an f64) as integers.
    let whole = n.as_f64().filter(|f| n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64);
    match whole {
        Some(i) => {
            let _ = write!(out, "{i}");
        }
        None => {
            let _ = write!(out, "{n}");
        }
    }
}

fn string(s: &str, out: &mut String) {
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn to_string(v: &Value) -> String {
        super::to_string(&Node::from_value(v))
    }

    #[test]
    fn one_text_for_one_value() {
        let a: Value =
            serde_json::from_str(r#"{"b": 16.00, "a": [1.5, "x\"y", null, true], "c": {"z": 1, "y": -0.0}}"#).unwrap();
        let b: Value =
            serde_json::from_str(r#"{"c": {"y": 0, "z": 1.0}, "a": [1.5, "x\"y", null, true], "b": 16}"#).unwrap();
        assert_eq!(to_string(&a), to_string(&b));
        assert_eq!(to_string(&b), r#"{"a":[1.5,"x\"y",null,true],"b":16,"c":{"y":0,"z":1}}"#);
        assert_eq!(to_string(&json!(22.53)), "22.53");
        assert_eq!(to_string(&json!(u64::MAX)), u64::MAX.to_string());
    }
}
