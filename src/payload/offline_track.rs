//! Legacy Offline Events body, `POST /open_api/v1.3/offline/track/` (spec
//! tiktok-api.md 3.2): the shape the seed's Offline field table describes.

use super::{Content, Text};
use serde::Serialize;
use serde_json::Number;

pub const OFFLINE_TRACK_PATH: &str = "/open_api/v1.3/offline/track/";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfflineTrackBody<'a> {
    pub event_set_id: Text<'a>,
    pub event: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<Text<'a>>,
    /// ISO-8601 UTC with milliseconds: `2025-12-01T14:32:05.000Z`.
    pub timestamp: String,
    pub context: OfflineContext<'a>,
    #[serde(skip_serializing_if = "OfflineProperties::is_empty")]
    pub properties: OfflineProperties<'a>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfflineContext<'a> {
    pub user: OfflineUser<'a>,
}

/// SHA-256 hex, one element each (CA maps `user.email` / `user.phone` to index 0).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OfflineUser<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<Text<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phone_numbers: Vec<Text<'a>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OfflineProperties<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shop_id: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contents: Vec<Content<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Number>,
    /// Only TikTok's values: email, website, phone_call, in_store, crm, other.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_channel: Option<Text<'a>>,
}

impl OfflineProperties<'_> {
    pub fn is_empty(&self) -> bool {
        *self == OfflineProperties::default()
    }
}
