//! Reading typed values out of the event (spec d-26: numbers where TikTok wants
//! numbers, strings for ids). A value of an unusable type is dropped with an
//! `invalid_type` warning naming its path: never sent malformed, never lost silently.

use crate::context::RequestContext;
use crate::error::Warning;
use crate::hashing::{self, Kind, Rejected};
use crate::node::Node;
use crate::path::{trimmed, Lookup, Parents, Path, Resolver};
use crate::time;
use serde_json::Number;
use std::borrow::Cow;

/// Reads one event for one destination and collects the warnings.
pub struct Reader<'e, 'c> {
    pub warnings: Vec<Warning>,
    res: Resolver<'e, 'c>,
}

/// Where a value came from, formatted only when a warning needs it.
#[derive(Clone, Copy)]
pub enum At<'a> {
    Event(&'a Path),
    Item {
        array: &'a Path,
        index: usize,
        rel: &'a Path,
    },
    /// A path given as text: a fixed CA path of the spec, or a template's path.
    Text(&'a str),
    /// A fixed path inside an element of a fixed array (`items.0` + `product.price`).
    FixedItem {
        array: &'static str,
        index: usize,
        rel: &'static str,
    },
}

impl At<'_> {
    /// True when the value comes from a `<prop>_sha256` property (CA's hashed-only form).
    pub fn is_sha256_property(&self) -> bool {
        let last = match self {
            At::Event(p) => p.as_str(),
            At::Item { rel, .. } => rel.as_str(),
            At::Text(t) => t,
            At::FixedItem { rel, .. } => rel,
        };
        last.ends_with("_sha256")
    }

    pub fn render(&self) -> String {
        match self {
            At::Event(p) => p.as_str().to_owned(),
            At::Item { array, index, rel } => format!("{}.{index}.{}", array.as_str(), rel.as_str()),
            At::Text(p) => (*p).to_owned(),
            At::FixedItem { array, index, rel } => format!("{array}.{index}.{rel}"),
        }
    }
}

impl<'e, 'c> Reader<'e, 'c> {
    pub fn new(event: &'e Node<'e>, parents: &'c Parents) -> Self {
        Reader { warnings: Vec::new(), res: Resolver::new(event, parents) }
    }

    /// The first of `paths` that holds a value (not absent, `null` or blank text),
    /// with the path it came from: a slot's default may name several places.
    pub fn first<'p>(&mut self, paths: &'p [Path]) -> Option<(Lookup<'e>, &'p Path)> {
        self.res.first(paths)
    }

    /// The event itself.
    pub fn event(&self) -> &'e Node<'e> {
        self.res.event()
    }

    /// The value at a fixed CA path (`partners.tiktok.initiator`).
    pub fn fixed(&self, dotted: &'static str) -> (Option<Lookup<'e>>, At<'static>) {
        (crate::path::get(self.event(), dotted).map(Lookup::Value), At::Text(dotted))
    }

    /// The first of several fixed CA paths that holds a value (see `Lookup::is_present`),
    /// else nothing, at the first path.
    pub fn fixed_first(&self, dotted: &'static [&'static str]) -> (Option<Lookup<'e>>, At<'static>) {
        for p in dotted {
            let found = crate::path::get(self.event(), p).map(Lookup::Value);
            if found.is_some_and(Lookup::is_present) {
                return (found, At::Text(p));
            }
        }
        (None, At::Text(dotted.first().copied().unwrap_or_default()))
    }

    /// A timestamp (ms, numeric string, ISO-8601) in Unix milliseconds; `now` when
    /// absent, and with a warning when unreadable or given in seconds.
    pub fn time_ms(&mut self, found: Option<Lookup<'_>>, at: At<'_>, ctx: &RequestContext) -> i64 {
        self.event_time_ms(found, at).unwrap_or(ctx.now_ms)
    }

    /// The time the event carries, in Unix milliseconds: None when absent, or
    /// unreadable (with a warning); a warning too when given in seconds.
    pub fn event_time_ms(&mut self, found: Option<Lookup<'_>>, at: At<'_>) -> Option<i64> {
        let value = match found {
            None | Some(Lookup::Value(Node::Null)) => return None,
            Some(l) => l.to_node(),
        };
        match time::parse(&value) {
            Some(t) => {
                if t.assumed_seconds {
                    self.warn("event_time_in_seconds", at);
                }
                Some(t.ms)
            }
            None => {
                self.warn("invalid_event_time", at);
                None
            }
        }
    }

    /// Normalised and SHA-256 hashed; a phone that is not E.164 is dropped with a warning.
    pub fn hashed(&mut self, found: Option<Lookup<'_>>, at: At<'_>, kind: Kind) -> Option<Cow<'e, str>> {
        // An email is text; a number there is a mapping mistake, not an address.
        if kind == Kind::Email && matches!(found, Some(Lookup::Value(Node::Number(_)))) {
            self.warn("invalid_type", at);
            return None;
        }
        let raw = self.text(found, at)?;
        // `user.email_sha256` and the like: CA's hashed-only form, never hashed again.
        if at.is_sha256_property() {
            if hashing::is_sha256_hex(&raw) {
                return Some(Cow::Owned(raw.to_ascii_lowercase()));
            }
            self.warn("invalid_hash", at);
            return None;
        }
        match hashing::hash(kind, &raw) {
            Ok(h) => Some(Cow::Owned(h)),
            Err(Rejected::Empty) => None,
            Err(Rejected::InvalidPhone) => {
                self.warn("invalid_phone", at);
                None
            }
        }
    }

    /// Records a warning once (two TikTok fields may read the same bad value).
    pub fn warn(&mut self, code: &'static str, at: At<'_>) {
        self.push(Warning::new(code, at.render()));
    }

    pub fn push(&mut self, w: Warning) {
        if !self.warnings.contains(&w) {
            self.warnings.push(w);
        }
    }

    /// A non-empty trimmed string, borrowed from the event; numbers are written
    /// as JSON (ids are strings at TikTok).
    pub fn text<'v>(&mut self, found: Option<Lookup<'v>>, at: At<'_>) -> Option<Cow<'v, str>> {
        let s = match found? {
            Lookup::Value(Node::Null) => return None,
            Lookup::Value(Node::String(s)) => Cow::Borrowed(trimmed(s)),
            Lookup::Value(Node::Number(n)) => Cow::Owned(n.to_string()),
            Lookup::Length(n) => Cow::Owned(n.to_string()),
            Lookup::Value(_) => {
                self.warn("invalid_type", at);
                return None;
            }
        };
        (!s.is_empty()).then_some(s)
    }

    /// A finite number; numeric strings ("12.50") are accepted.
    pub fn number(&mut self, found: Option<Lookup<'_>>, at: At<'_>) -> Option<Number> {
        match found? {
            Lookup::Value(Node::Null) => None,
            Lookup::Value(Node::Number(n)) => Some(n.clone()),
            Lookup::Length(n) => Some(Number::from(n)),
            Lookup::Value(Node::String(s)) if trimmed(s).is_empty() => None,
            Lookup::Value(Node::String(s)) => {
                let parsed = parse_number(s.trim());
                if parsed.is_none() {
                    self.warn("invalid_type", at);
                }
                parsed
            }
            Lookup::Value(_) => {
                self.warn("invalid_type", at);
                None
            }
        }
    }

    /// A whole number (quantities, counts): `2`, `2.0` and `"2"` are accepted, `2.5` is not.
    pub fn integer(&mut self, found: Option<Lookup<'_>>, at: At<'_>) -> Option<i64> {
        let n = self.number(found, at)?;
        let whole = n.as_i64().or_else(|| {
            let f = n.as_f64()?;
            (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
        });
        if whole.is_none() {
            self.warn("invalid_type", at);
        }
        whole
    }

    /// A boolean: `true`/`false`, `"true"`/`"false"` (any case), `1`/`0`.
    pub fn boolean(&mut self, found: Option<Lookup<'_>>, at: At<'_>) -> Option<bool> {
        let b = match found? {
            Lookup::Value(Node::Null) => return None,
            Lookup::Value(Node::Bool(b)) => Some(*b),
            Lookup::Value(Node::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" => Some(true),
                "false" | "0" => Some(false),
                "" => return None,
                _ => None,
            },
            Lookup::Value(Node::Number(n)) => match n.as_u64() {
                Some(1) => Some(true),
                Some(0) => Some(false),
                _ => None,
            },
            _ => None,
        };
        if b.is_none() {
            self.warn("invalid_type", at);
        }
        b
    }
}

/// Parses a decimal number, keeping integers as integers (`"10"` -> `10`, not `10.0`).
pub fn parse_number(s: &str) -> Option<Number> {
    if let Ok(i) = s.parse::<i64>() {
        return Some(Number::from(i));
    }
    Number::from_f64(crate::node::decimal(s)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    #[test]
    fn coerces_the_documented_forms() {
        let p = Path::parse("x").unwrap();
        let at = At::Event(&p);
        let (ev, parents) = (Node::Object(Vec::new()), Parents::default());
        let mut r = Reader::new(&ev, &parents);
        fn v(x: &Value) -> Option<Lookup<'static>> {
            let node: &'static Node<'static> = Box::leak(Box::new(Node::from_value(Box::leak(Box::new(x.clone())))));
            Some(Lookup::Value(node))
        }
        assert_eq!(r.number(v(&json!("12.50")), at), Some(Number::from_f64(12.5).unwrap()));
        assert_eq!(r.number(v(&json!("10")), at), Some(Number::from(10)));
        assert_eq!(r.number(v(&json!(0)), at), Some(Number::from(0)));
        assert_eq!(r.integer(v(&json!(2.0)), at), Some(2));
        assert_eq!(r.text(v(&json!(12345)), at).as_deref(), Some("12345"));
        assert_eq!(r.boolean(v(&json!("TRUE")), at), Some(true));
        assert!(r.warnings.is_empty());
        assert_eq!(r.number(v(&json!("NaN")), at), None);
        assert_eq!(r.integer(v(&json!(2.5)), at), None);
        assert_eq!(r.text(v(&json!({"a": 1})), at), None);
        assert_eq!(r.boolean(v(&json!("yes")), at), None);
        // Four bad reads of one path: one warning (deduplicated).
        assert_eq!(r.warnings, vec![Warning::new("invalid_type", "x")]);
    }
}
