//! The one error type of the core, its stable codes, and non-fatal warnings.
//!
//! Codes are part of the public contract (CLI, npm, Worker): never rename one.
//! Messages never contain secret values or event values (which may be PII);
//! they name paths and settings instead.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use std::fmt;

/// Everything that can go wrong while loading a config or planning an event.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A config key that this destination type does not know (typos matter).
    UnknownKey { path: String, supported: Vec<&'static str> },
    /// A destination `type` that is not implemented.
    UnknownDestinationType { path: String, supported: &'static [&'static str] },
    /// A required setting is absent or empty.
    MissingSetting { path: String, message: String },
    /// A setting has the wrong type or an unsupported value.
    InvalidSetting { path: String, message: String },
    /// The event is unusable as a whole (not an object, too deep, too large).
    InvalidEvent { path: String, message: String },
    /// A field TikTok requires could not be resolved from the event.
    MissingField { path: String, message: String },
    /// A field has a type or value that cannot be sent.
    InvalidField { path: String, message: String },
    /// The secret a destination names is not in the secrets map.
    MissingSecret { name: String },
    /// An argument of a library call (npm package) is of the wrong kind.
    InvalidArgument { path: String, message: String },
}

impl Error {
    /// Stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Error::UnknownKey { .. } => "unknown_key",
            Error::UnknownDestinationType { .. } => "unknown_destination_type",
            Error::MissingSetting { .. } => "missing_setting",
            Error::InvalidSetting { .. } => "invalid_setting",
            Error::InvalidEvent { .. } => "invalid_event",
            Error::MissingField { .. } => "missing_field",
            Error::InvalidField { .. } => "invalid_field",
            Error::MissingSecret { .. } => "missing_secret",
            Error::InvalidArgument { .. } => "invalid_argument",
        }
    }

    /// The config or event path the error is about (for a missing secret: its name).
    pub fn path(&self) -> &str {
        match self {
            Error::UnknownKey { path, .. }
            | Error::UnknownDestinationType { path, .. }
            | Error::MissingSetting { path, .. }
            | Error::InvalidSetting { path, .. }
            | Error::InvalidEvent { path, .. }
            | Error::MissingField { path, .. }
            | Error::InvalidField { path, .. }
            | Error::InvalidArgument { path, .. } => path,
            Error::MissingSecret { name } => name,
        }
    }

    /// The human message, without the path prefix.
    pub fn message(&self) -> String {
        match self {
            Error::UnknownKey { supported, .. } => {
                format!("unknown key; supported: {}", supported.join(", "))
            }
            Error::UnknownDestinationType { supported, .. } => {
                format!("unknown destination type; supported: {}", supported.join(", "))
            }
            Error::MissingSetting { message, .. }
            | Error::InvalidSetting { message, .. }
            | Error::InvalidEvent { message, .. }
            | Error::MissingField { message, .. }
            | Error::InvalidField { message, .. }
            | Error::InvalidArgument { message, .. } => message.clone(),
            Error::MissingSecret { name } => format!("secret {name} is not set"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.path() {
            "" => f.write_str(&self.message()),
            path => write!(f, "{path}: {}", self.message()),
        }
    }
}

impl std::error::Error for Error {}

impl Serialize for Error {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Error", 3)?;
        st.serialize_field("code", self.code())?;
        st.serialize_field("message", &self.message())?;
        st.serialize_field("path", self.path())?;
        st.end()
    }
}

/// Every problem found in a config document, in document order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigErrors {
    pub errors: Vec<Error>,
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// A non-fatal finding: something in the event was dropped or adjusted.
/// Returned in the result, never logged by the core.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub code: &'static str,
    pub path: String,
}

impl Warning {
    pub fn new(code: &'static str, path: impl Into<String>) -> Self {
        Warning { code, path: path.into() }
    }
}
