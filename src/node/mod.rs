//! An event read in place: a tree whose strings are slices of the input text
//! (copied only when they hold escapes) and whose objects are small sorted lists.
//!
//! It reads exactly what `serde_json::Value` reads from the same text: the same
//! texts are accepted, numbers are the same `serde_json::Number`s, a repeated key
//! keeps its last value. Objects keep the text's order (serde_json sorts its maps):
//! where order shows (canonical text, the path a limit error names, converted
//! values) the readers sort. One allocation per object or array, none per string or
//! key; small objects are searched linearly.

mod decimal;
mod parse;

pub use decimal::decimal;

pub use parse::{parse, same_key};

use serde_json::{Number, Value};
use std::borrow::Cow;

/// One JSON value of an event.
#[derive(Debug, Clone, PartialEq)]
pub enum Node<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    /// Entries with unique keys, in the text's order (sorted when built from a
    /// `serde_json::Value`, or for objects of more than 32 entries with a repeated key).
    Object(Vec<(Cow<'a, str>, Node<'a>)>),
}

impl<'a> Node<'a> {
    /// The value under `key` of an object (None for anything else).
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        let Node::Object(entries) = self else { return None };
        entries.iter().find(|(k, _)| parse::same_key(k, key)).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node<'a>> {
        let Node::Object(entries) = self else { return None };
        entries.iter_mut().find(|(k, _)| parse::same_key(k, key)).map(|(_, v)| v)
    }

    /// Takes `key` out of an object (nothing for anything else).
    pub fn remove(&mut self, key: &str) -> Option<Node<'a>> {
        let Node::Object(entries) = self else { return None };
        let at = entries.iter().position(|(k, _)| parse::same_key(k, key))?;
        (at < entries.len()).then(|| entries.remove(at).1)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Node<'a>]> {
        match self {
            Node::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Node::Object(_))
    }

    pub fn is_array(&self) -> bool {
        matches!(self, Node::Array(_))
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The same value as serde_json's tree (for rare paths: custom properties, masks);
    /// its maps sort the keys.
    pub fn to_value(&self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Number(n) => Value::Number(n.clone()),
            Node::String(s) => Value::String(s.as_ref().to_owned()),
            Node::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            Node::Object(entries) => {
                Value::Object(entries.iter().map(|(k, v)| (k.as_ref().to_owned(), v.to_value())).collect())
            }
        }
    }

    /// A view of serde_json's tree, borrowing its strings (for events built as
    /// `Value`: page views, tests).
    pub fn from_value(value: &'a Value) -> Node<'a> {
        match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => Node::Number(n.clone()),
            Value::String(s) => Node::String(Cow::Borrowed(s)),
            Value::Array(items) => Node::Array(items.iter().map(Node::from_value).collect()),
            Value::Object(map) => {
                Node::Object(map.iter().map(|(k, v)| (Cow::Borrowed(k.as_str()), Node::from_value(v))).collect())
            }
        }
    }
}

impl From<&Node<'_>> for Value {
    fn from(node: &Node<'_>) -> Value {
        node.to_value()
    }
}

/// Short names of JSON types, for messages, in the order of `Node`'s variants.
pub(crate) const KINDS: [&str; 6] = ["null", "a boolean", "a number", "a string", "an array", "an object"];

impl Node<'_> {
    /// A short name for the value's type, for messages (`limits::kind` uses the same words).
    pub fn kind(&self) -> &'static str {
        let at = match self {
            Node::Null => 0,
            Node::Bool(_) => 1,
            Node::Number(_) => 2,
            Node::String(_) => 3,
            Node::Array(_) => 4,
            Node::Object(_) => 5,
        };
        KINDS.get(at).copied().unwrap_or("a value")
    }
}
