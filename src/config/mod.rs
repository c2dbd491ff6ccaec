//! The destinations document (DESIGN.md "Configuration"), parsed and validated
//! once. Every problem is reported with its path; unknown keys and unknown
//! destination types are errors that list what is supported. The Worker's other
//! settings (vars) are in the `edge` module.

mod events_api;
mod offline_events;
mod order_sync;
mod reader;
pub mod settings;

pub use events_api::{Environment, EventsApi, ResolvedSlot, ViewContent};
pub use offline_events::{OfflineApi, OfflineEvents, OFFLINE_EVENTS};
pub use order_sync::{OrderSync, VALUE_SETTINGS as ORDER_SYNC_VALUE_SETTINGS};

use crate::error::{ConfigErrors, Error};
use crate::hashing::calling_codes::{self, Country};
use crate::limits::kind;
use crate::request::DEFAULT_API_BASE;
use crate::template::Template;
use reader::Section;
use serde_json::Value;
use settings::{keys, Kind, Setting};

/// Secret read when a destination does not name one.
pub const DEFAULT_TOKEN_SECRET: &str = "TIKTOK_ACCESS_TOKEN";

/// The top level of the document.
pub const TOP: &[Setting] = &[
    Setting::new("destinations", Kind::Destinations, "The destinations; each event gets one result per destination, in this order.").required(),
    Setting::new("api_base", Kind::Url, "Base URL of TikTok's Business API (`http://` allowed for a local sandbox).").default("\"https://business-api.tiktok.com\""),
    Setting::new("$schema", Kind::Text, "The JSON Schema this document follows, for editors (`node_modules/tiktok-edge/schema.json`); ignored by tiktok-edge."),
];
const TOP_KEYS: &[&str] = &keys::<{ TOP.len() }>(TOP);

/// Settings every destination type accepts.
pub const COMMON: &[Setting] = &[
    Setting::new("id", Kind::Text, "Your name for the destination, unique; it appears in every result.").required(),
    Setting::new("type", Kind::OneOf { values: TYPE_NAMES, any_case: false }, "The destination type.").required(),
    Setting::new("access_token_secret", Kind::Text, "Name of the secret that holds the TikTok access token (tokens never go in the config).").default("\"TIKTOK_ACCESS_TOKEN\""),
    Setting::new("consent_category", Kind::Template, "When set, events whose `user.consent_categories` (an array of strings or numbers, or a comma-separated string) lacks it are skipped with reason `no_consent`."),
];
pub(crate) const COMMON_KEYS: &[&str] = &keys::<{ COMMON.len() }>(COMMON);

/// A destination type and its own settings.
pub struct DestinationType {
    pub name: &'static str,
    pub description: &'static str,
    pub settings: &'static [&'static [Setting]],
    /// At least one of these settings is required.
    pub requires_any: &'static [&'static str],
}

pub const DESTINATION_TYPES: &[DestinationType] = &[
    DestinationType {
        name: "events_api",
        description: "TikTok Events API 2.0 (web + app).",
        settings: &[events_api::SETTINGS],
        requires_any: events_api::REQUIRES_ANY,
    },
    DestinationType {
        name: "offline_events",
        description: "TikTok Offline Events: store, CRM and call-centre conversions.",
        settings: &[offline_events::SETTINGS],
        requires_any: &[],
    },
    DestinationType {
        name: "order_sync",
        description: "TikTok Sync Order Information (hotel orders); every value setting is a template.",
        settings: &[order_sync::SETTINGS, order_sync::VALUE_SETTINGS],
        requires_any: &[],
    },
];
const TYPE_NAMES: &[&str] = &type_names();

const fn type_names() -> [&'static str; DESTINATION_TYPES.len()] {
    let mut out = [""; DESTINATION_TYPES.len()];
    let mut i = 0;
    while i < DESTINATION_TYPES.len() {
        // In bounds: both arrays have DESTINATION_TYPES.len() elements.
        #[allow(clippy::indexing_slicing)]
        {
            out[i] = DESTINATION_TYPES[i].name;
        }
        i += 1;
    }
    out
}

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
    let _ = top.string("$schema");
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
            s.errors.push(Error::UnknownDestinationType { path, supported: TYPE_NAMES });
            return None;
        }
        None => {
            s.missing("type", format!("required; supported: {}", TYPE_NAMES.join(", ")));
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
