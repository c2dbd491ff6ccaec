//! Legacy Offline Events body, `POST /open_api/v1.3/offline/track/` (spec
//! tiktok-api.md 3.2): the shape the seed's Offline field table describes.

use super::write::{field, Fields, WriteJson};
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

// The JSON text of each struct, as its derived `Serialize` writes it (write.rs says why).

impl WriteJson for OfflineTrackBody<'_> {
    fn write_json(&self, out: &mut String) {
        let OfflineTrackBody { event_set_id, event, event_id, timestamp, context, properties } = self;
        let mut f = Fields::open(out);
        f.text(field!("event_set_id"), event_set_id);
        f.text(field!("event"), event);
        f.opt_text(field!("event_id"), event_id);
        f.text(field!("timestamp"), timestamp);
        f.object(field!("context"), context);
        if !properties.is_empty() {
            f.object(field!("properties"), properties);
        }
        f.close();
    }
}

impl WriteJson for OfflineContext<'_> {
    fn write_json(&self, out: &mut String) {
        let OfflineContext { user } = self;
        let mut f = Fields::open(out);
        f.object(field!("user"), user);
        f.close();
    }
}

impl WriteJson for OfflineUser<'_> {
    fn write_json(&self, out: &mut String) {
        let OfflineUser { emails, phone_numbers } = self;
        let mut f = Fields::open(out);
        if !emails.is_empty() {
            f.texts(field!("emails"), emails);
        }
        if !phone_numbers.is_empty() {
            f.texts(field!("phone_numbers"), phone_numbers);
        }
        f.close();
    }
}

impl WriteJson for OfflineProperties<'_> {
    fn write_json(&self, out: &mut String) {
        let OfflineProperties { order_id, shop_id, contents, currency, value, event_channel } = self;
        let mut f = Fields::open(out);
        f.opt_text(field!("order_id"), order_id);
        f.opt_text(field!("shop_id"), shop_id);
        if !contents.is_empty() {
            f.items(field!("contents"), contents);
        }
        f.opt_text(field!("currency"), currency);
        f.opt_number(field!("value"), value);
        f.opt_text(field!("event_channel"), event_channel);
        f.close();
    }
}
