//! Secrets (TikTok access tokens) travel apart from the config, keyed by name.
//! A `Secret` prints and serializes as `<redacted>`: only `expose()` gives the
//! value, and only the code that actually sends a request calls it.

use serde::{Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// What every redacted secret looks like in output, logs and Debug.
pub const REDACTED: &str = "<redacted>";

/// One secret value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Arc::from(value.into()))
    }

    /// The clear value, for the one place that sends the request.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(REDACTED)
    }
}

/// Secrets by name (`TIKTOK_ACCESS_TOKEN`, or what a destination's `access_token_secret` names).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secrets(BTreeMap<String, Secret>);

impl Secrets {
    pub fn new() -> Self {
        Secrets::default()
    }

    /// Adds a secret; empty values are ignored (an empty token is no token).
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.insert(name, value);
        self
    }

    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let value = value.into();
        if !value.is_empty() {
            self.0.insert(name.into(), Secret::new(value));
        }
    }

    pub fn get(&self, name: &str) -> Option<&Secret> {
        self.0.get(name)
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.keys().map(|k| (k, REDACTED))).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_shows_the_value() {
        let s = Secrets::new().with("TIKTOK_ACCESS_TOKEN", "tok-123");
        assert_eq!(format!("{s:?}"), r#"{"TIKTOK_ACCESS_TOKEN": "<redacted>"}"#);
        let one = s.get("TIKTOK_ACCESS_TOKEN").unwrap();
        assert_eq!(format!("{one:?}"), REDACTED);
        assert_eq!(serde_json::to_string(one).unwrap(), "\"<redacted>\"");
        assert_eq!(one.expose(), "tok-123");
        assert!(Secrets::new().with("EMPTY", "").get("EMPTY").is_none());
    }
}
