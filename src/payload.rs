//! Request bodies, field for field with TikTok's names. This file: Events API 2.0
//! (spec tiktok-api.md 2.2-2.3); the submodules: legacy offline and order sync.
//! Absent values are skipped, never sent as null.

pub mod offline_track;
pub mod order_sync;

use serde::Serialize;
use serde_json::{Map, Number, Value};
use std::borrow::Cow;

/// Text that is borrowed from the event or the config when it can be (no copy),
/// owned when it had to be computed (hashes, decoded values).
pub type Text<'a> = Cow<'a, str>;

/// Events API 2.0 path, appended to the API base URL.
pub const EVENT_TRACK_PATH: &str = "/open_api/v1.3/event/track/";

/// `data[].user` fields the mapping fills (custom user properties may not reuse them).
pub const USER_FIELDS: &[&str] = &[
    "external_id",
    "email",
    "phone",
    "ttclid",
    "ttp",
    "ip",
    "user_agent",
    "locale",
    "idfa",
    "idfv",
    "att_status",
    "gaid",
];
/// `data[].properties` fields the mapping fills (custom event properties may not reuse them).
pub const PROPERTY_FIELDS: &[&str] = &[
    "contents",
    "content_ids",
    "num_items",
    "content_type",
    "currency",
    "value",
    "description",
    "search_string",
    "order_id",
    "shop_id",
    "status",
];

/// `POST /open_api/v1.3/event/track/` body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrackBody<'a> {
    pub event_source: Text<'a>,
    pub event_source_id: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_event_code: Option<Text<'a>>,
    pub data: Vec<TrackEvent<'a>>,
}

/// One `data[]` item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrackEvent<'a> {
    pub event: Text<'a>,
    pub event_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limited_data_use: Option<bool>,
    #[serde(skip_serializing_if = "User::is_empty")]
    pub user: User<'a>,
    #[serde(skip_serializing_if = "Page::is_empty")]
    pub page: Page<'a>,
    #[serde(skip_serializing_if = "App::is_empty")]
    pub app: App<'a>,
    #[serde(skip_serializing_if = "Properties::is_empty")]
    pub properties: Properties<'a>,
}

/// `data[].user`. email / phone / external_id / first_name / last_name / zip_code are
/// SHA-256 hex; the rest is sent as is.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct User<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttclid: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttp: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idfa: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idfv: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub att_status: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gaid: Option<Text<'a>>,
    /// SHA-256 hex of the first name (lowercased, whitespace removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<Text<'a>>,
    /// SHA-256 hex of the last name (lowercased, whitespace removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<Text<'a>>,
    /// SHA-256 hex of the postal code (lowercased, spaces and dashes removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip_code: Option<Text<'a>>,
    /// city / state / country: lowercased `[a-z0-9]`, not hashed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<Text<'a>>,
    /// Custom User Properties (setting `custom_user_properties`).
    #[serde(flatten)]
    pub custom: Map<String, Value>,
}

impl User<'_> {
    pub fn is_empty(&self) -> bool {
        *self == User::default()
    }
}

/// `data[].page`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Page<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referrer: Option<Text<'a>>,
}

impl Page<'_> {
    pub fn is_empty(&self) -> bool {
        self.url.is_none() && self.referrer.is_none()
    }
}

/// `data[].app`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct App<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_id: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_name: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_version: Option<Text<'a>>,
}

impl App<'_> {
    pub fn is_empty(&self) -> bool {
        self.app_id.is_none() && self.app_name.is_none() && self.app_version.is_none()
    }
}

/// `data[].properties`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Properties<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contents: Vec<Content<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub content_ids: Vec<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_items: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search_string: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shop_id: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Text<'a>>,
    /// Custom Event Properties (setting `custom_event_properties`).
    #[serde(flatten)]
    pub custom: Map<String, Value>,
}

impl Properties<'_> {
    pub fn is_empty(&self) -> bool {
        *self == Properties::default()
    }
}

/// `data[].properties.contents[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Content<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_id: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_name: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_category: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brand: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
}

impl Content<'_> {
    pub fn is_empty(&self) -> bool {
        *self == Content::default()
    }
}
