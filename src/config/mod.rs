//! The destinations document (DESIGN.md "Configuration"), parsed and validated
//! once. Every problem is reported with its path; unknown keys and unknown
//! destination types are errors that list what is supported. The Worker's other
//! settings (vars) are in `edge`.

mod edge;
mod events_api;
mod offline_events;
mod order_sync;
mod reader;
mod wrangler;

pub use edge::{DefaultValue, EdgeSettings, LogLevel, Setting, SETTINGS};
pub use events_api::{Environment, EventsApi, ResolvedSlot, ViewContent};
pub use offline_events::{OfflineApi, OfflineEvents, OFFLINE_EVENTS};
pub use order_sync::{OrderSync, VALUE_SETTINGS as ORDER_SYNC_VALUE_SETTINGS};
pub use wrangler::{check_wrangler, WranglerCheck, PLACEHOLDER_PREFIX};

use crate::error::{ConfigErrors, Error};
use crate::hashing::calling_codes::{self, Country};
use crate::limits::kind;
use crate::request::DEFAULT_API_BASE;
use crate::template::Template;
use reader::Section;
use serde_json::Value;

/// Secret read when a destination does not name one.
pub const DEFAULT_TOKEN_SECRET: &str = "TIKTOK_ACCESS_TOKEN";

const TOP_KEYS: &[&str] = &["destinations", "api_base"];
const DESTINATION_TYPES: &[&str] = &["events_api", "offline_events", "order_sync"];

/// A validated configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Base URL of TikTok's Business API (no trailing slash).
    pub api_base: String,
    pub destinations: Vec<Destination>,
}

/// Settings shared by every destination type, and the type's own settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Destination {
    pub id: String,
    /// Name of the secret holding the TikTok access token.
    pub token_secret: String,
    /// Send only events whose `user.consent_categories` contains this category.
    pub consent_category: Option<Template>,
    pub kind: DestinationKind,
}

/// The destination types.
#[derive(Debug, Clone, PartialEq)]
pub enum DestinationKind {
    EventsApi(Box<EventsApi>),
    OfflineEvents(OfflineEvents),
    OrderSync(OrderSync),
}

impl Config {
    /// Parses and validates a config document, reporting every problem.
    pub fn from_value(doc: &Value) -> Result<Config, ConfigErrors> {
        let mut errors = Vec::new();
        let config = parse(doc, &mut errors);
        match config {
            Some(c) if errors.is_empty() => Ok(c),
            _ => Err(ConfigErrors { errors }),
        }
    }

    /// Parses JSON text, then validates it.
    pub fn from_json(text: &str) -> Result<Config, ConfigErrors> {
        let doc: Value = serde_json::from_str(text).map_err(|e| ConfigErrors {
            errors: vec![Error::InvalidSetting { path: String::new(), message: format!("not valid JSON: {e}") }],
        })?;
        Config::from_value(&doc)
    }

    /// Replaces the API base URL (the Worker's `TIKTOK_API_BASE`, the CLI's `--api-base`).
    pub fn with_api_base(mut self, base: &str) -> Config {
        self.api_base = base.trim_end_matches('/').to_owned();
        self
    }
}

fn parse(doc: &Value, errors: &mut Vec<Error>) -> Option<Config> {
    let Value::Object(map) = doc else {
        let message = format!("the config must be an object with a `destinations` array, not {}", kind(doc));
        errors.push(Error::InvalidSetting { path: String::new(), message });
        return None;
    };
    let mut top = Section { map, path: String::new(), errors };
    top.deny_unknown(&[TOP_KEYS]);
    let api_base = match top.string("api_base") {
        Some(b) if b.starts_with("https://") || b.starts_with("http://") => b.trim_end_matches('/').to_owned(),
        Some(_) => {
            top.invalid("api_base", "must be an http:// or https:// URL");
            DEFAULT_API_BASE.to_owned()
        }
        None => DEFAULT_API_BASE.to_owned(),
    };
    let list = match map.get("destinations") {
        Some(Value::Array(list)) => list,
        Some(other) => {
            let message = format!("must be an array, not {}", kind(other));
            errors.push(Error::InvalidSetting { path: "destinations".into(), message });
            return None;
        }
        None => {
            errors.push(Error::MissingSetting { path: "destinations".into(), message: "required".into() });
            return None;
        }
    };
    let mut destinations: Vec<Destination> = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let path = format!("destinations[{i}]");
        let Value::Object(map) = item else {
            let message = format!("a destination must be an object, not {}", kind(item));
            errors.push(Error::InvalidSetting { path, message });
            continue;
        };
        let mut section = Section { map, path, errors: &mut *errors };
        if let Some(d) = destination(&mut section) {
            if destinations.iter().any(|seen| seen.id == d.id) {
                section.invalid("id", format!("duplicate destination id `{}`", d.id));
            }
            destinations.push(d);
        }
    }
    Some(Config { api_base, destinations })
}

fn destination(s: &mut Section<'_>) -> Option<Destination> {
    let id = match s.map.get("id") {
        Some(Value::String(id)) if !id.trim().is_empty() => Some(id.trim().to_owned()),
        None | Some(Value::Null) | Some(Value::String(_)) => {
            s.missing("id", "required: a name for this destination, used in results");
            None
        }
        Some(_) => s.string("id").map(str::to_owned),
    };
    let token_secret = s.string("access_token_secret").unwrap_or(DEFAULT_TOKEN_SECRET).to_owned();
    let consent_category = s.template("consent_category");
    let kind = match s.string("type") {
        Some("events_api") => DestinationKind::EventsApi(Box::new(events_api::parse(s))),
        Some("offline_events") => DestinationKind::OfflineEvents(offline_events::parse(s)?),
        Some("order_sync") => DestinationKind::OrderSync(order_sync::parse(s)?),
        Some(_) => {
            let path = s.at("type");
            s.errors.push(Error::UnknownDestinationType { path, supported: DESTINATION_TYPES });
            return None;
        }
        None => {
            s.missing("type", format!("required; supported: {}", DESTINATION_TYPES.join(", ")));
            return None;
        }
    };
    Some(Destination { id: id?, token_secret, consent_category, kind })
}

/// `phone_default_country`: an ISO 3166 alpha-2 code of the calling-code table.
fn phone_default_country(s: &mut Section<'_>) -> Option<&'static Country> {
    let code = s.string("phone_default_country")?;
    let country = calling_codes::country(code);
    if country.is_none() {
        s.invalid("phone_default_country", "must be an ISO 3166 alpha-2 country code such as FR or US");
    }
    country
}

/// Keys every destination type accepts.
pub(crate) const COMMON_KEYS: &[&str] = &["id", "type", "access_token_secret", "consent_category"];
