//! Reading one JSON object of settings while collecting every problem with its
//! path, instead of stopping at the first (serde's derive stops at the first).

use crate::error::Error;
use crate::limits::kind;
use crate::template::Template;
use serde_json::{Map, Value};

/// One settings object at `path`, and the list of errors found so far.
pub struct Section<'a> {
    pub map: &'a Map<String, Value>,
    pub path: String,
    pub errors: &'a mut Vec<Error>,
}

impl<'a> Section<'a> {
    /// Reports every key not in `known`, listing the supported ones.
    pub fn deny_unknown(&mut self, known: &[&'static [&'static str]]) {
        let is_known = |k: &str| known.iter().any(|list| list.contains(&k));
        for key in self.map.keys().filter(|k| !is_known(k)) {
            let path = self.at(key);
            let supported = known.iter().flat_map(|l| l.iter().copied()).collect();
            self.errors.push(Error::UnknownKey { path, supported });
        }
    }

    pub fn at(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    pub fn invalid(&mut self, key: &str, message: impl Into<String>) {
        let path = self.at(key);
        self.errors.push(Error::InvalidSetting { path, message: message.into() });
    }

    pub fn missing(&mut self, key: &str, message: impl Into<String>) {
        let path = self.at(key);
        self.errors.push(Error::MissingSetting { path, message: message.into() });
    }

    /// A string setting; None when absent or null. Empty strings count as absent.
    pub fn string(&mut self, key: &str) -> Option<&'a str> {
        match self.map.get(key)? {
            Value::Null => None,
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => Some(s.as_str()),
            other => {
                let msg = format!("must be a string, not {}", kind(other));
                self.invalid(key, msg);
                None
            }
        }
    }

    /// A string setting that may hold `{{path}}` templates.
    pub fn template(&mut self, key: &str) -> Option<Template> {
        let text = self.string(key)?;
        match Template::parse(text) {
            Ok(t) => Some(t),
            Err(e) => {
                self.invalid(key, e);
                None
            }
        }
    }

    /// True when a setting is absent, null, `""` or `{}`: not given at all.
    pub fn is_blank(&self, key: &str) -> bool {
        match self.map.get(key) {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) => s.trim().is_empty(),
            Some(Value::Object(o)) => o.is_empty(),
            Some(_) => false,
        }
    }

    /// A required template setting: `missing` when blank, `invalid` when malformed.
    pub fn required_template(&mut self, key: &str, message: &str) -> Option<Template> {
        let t = self.template(key);
        if t.is_none() && self.is_blank(key) {
            self.missing(key, message);
        }
        t
    }

    /// A boolean setting; `default` when absent or null.
    pub fn bool(&mut self, key: &str, default: bool) -> bool {
        match self.map.get(key) {
            None | Some(Value::Null) => default,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                let msg = format!("must be true or false, not {}", kind(other));
                self.invalid(key, msg);
                default
            }
        }
    }

    /// An object setting; None when absent or null.
    pub fn object(&mut self, key: &str) -> Option<&'a Map<String, Value>> {
        match self.map.get(key)? {
            Value::Null => None,
            Value::Object(m) => Some(m),
            other => {
                let msg = format!("must be an object, not {}", kind(other));
                self.invalid(key, msg);
                None
            }
        }
    }

    /// An object whose values must all be strings: `(key, value)` pairs in key order.
    pub fn string_map(&mut self, key: &str) -> Vec<(&'a str, &'a str)> {
        let Some(map) = self.object(key) else { return Vec::new() };
        let mut out = Vec::new();
        for (k, v) in map {
            let path = format!("{}.{k}", self.at(key));
            match v {
                _ if k.trim().is_empty() => {
                    self.errors.push(Error::InvalidSetting { path, message: "empty key".into() })
                }
                Value::String(s) => out.push((k.as_str(), s.as_str())),
                other => self
                    .errors
                    .push(Error::InvalidSetting { path, message: format!("must be a string, not {}", kind(other)) }),
            }
        }
        out
    }

    /// An array of strings; None when absent or null.
    pub fn string_list(&mut self, key: &str) -> Option<Vec<&'a str>> {
        let items = match self.map.get(key)? {
            Value::Null => return None,
            Value::Array(items) => items,
            other => {
                let msg = format!("must be an array of strings, not {}", kind(other));
                self.invalid(key, msg);
                return None;
            }
        };
        let mut out = Vec::new();
        for (i, v) in items.iter().enumerate() {
            match v {
                Value::String(s) => out.push(s.as_str()),
                other => {
                    let path = format!("{}[{i}]", self.at(key));
                    self.errors.push(Error::InvalidSetting {
                        path,
                        message: format!("must be a string, not {}", kind(other)),
                    });
                }
            }
        }
        Some(out)
    }
}
