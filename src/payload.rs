//! Request bodies, field for field with TikTok's names. This file: Events API 2.0
//! (spec tiktok-api.md 2.2-2.3); the submodules: legacy offline and order sync.
//! Absent values are skipped, never sent as null.

pub mod offline_track;
pub mod order_sync;
pub mod write;

use serde::Serialize;
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use write::{field, Fields, WriteJson};

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

// The JSON text of each struct, as its derived `Serialize` writes it (write.rs says why).

impl WriteJson for TrackBody<'_> {
    fn write_json(&self, out: &mut String) {
        let TrackBody { event_source, event_source_id, test_event_code, data } = self;
        let mut f = Fields::open(out);
        f.text(field!("event_source"), event_source);
        f.text(field!("event_source_id"), event_source_id);
        f.opt_text(field!("test_event_code"), test_event_code);
        f.items(field!("data"), data);
        f.close();
    }
}

impl WriteJson for TrackEvent<'_> {
    fn write_json(&self, out: &mut String) {
        let TrackEvent { event, event_time, event_id, limited_data_use, user, page, app, properties } = self;
        let mut f = Fields::open(out);
        f.text(field!("event"), event);
        f.int(field!("event_time"), *event_time);
        f.opt_text(field!("event_id"), event_id);
        f.opt_bool(field!("limited_data_use"), *limited_data_use);
        if !user.is_empty() {
            f.object(field!("user"), user);
        }
        if !page.is_empty() {
            f.object(field!("page"), page);
        }
        if !app.is_empty() {
            f.object(field!("app"), app);
        }
        if !properties.is_empty() {
            f.object(field!("properties"), properties);
        }
        f.close();
    }
}

impl WriteJson for User<'_> {
    fn write_json(&self, out: &mut String) {
        let User {
            external_id,
            email,
            phone,
            ttclid,
            ttp,
            ip,
            user_agent,
            locale,
            idfa,
            idfv,
            att_status,
            gaid,
            first_name,
            last_name,
            zip_code,
            city,
            state,
            country,
            custom,
        } = self;
        let mut f = Fields::open(out);
        f.opt_text(field!("external_id"), external_id);
        f.opt_text(field!("email"), email);
        f.opt_text(field!("phone"), phone);
        f.opt_text(field!("ttclid"), ttclid);
        f.opt_text(field!("ttp"), ttp);
        f.opt_text(field!("ip"), ip);
        f.opt_text(field!("user_agent"), user_agent);
        f.opt_text(field!("locale"), locale);
        f.opt_text(field!("idfa"), idfa);
        f.opt_text(field!("idfv"), idfv);
        f.opt_text(field!("att_status"), att_status);
        f.opt_text(field!("gaid"), gaid);
        f.opt_text(field!("first_name"), first_name);
        f.opt_text(field!("last_name"), last_name);
        f.opt_text(field!("zip_code"), zip_code);
        f.opt_text(field!("city"), city);
        f.opt_text(field!("state"), state);
        f.opt_text(field!("country"), country);
        f.custom(custom);
        f.close();
    }
}

impl WriteJson for Page<'_> {
    fn write_json(&self, out: &mut String) {
        let Page { url, referrer } = self;
        let mut f = Fields::open(out);
        f.opt_text(field!("url"), url);
        f.opt_text(field!("referrer"), referrer);
        f.close();
    }
}

impl WriteJson for App<'_> {
    fn write_json(&self, out: &mut String) {
        let App { app_id, app_name, app_version } = self;
        let mut f = Fields::open(out);
        f.opt_text(field!("app_id"), app_id);
        f.opt_text(field!("app_name"), app_name);
        f.opt_text(field!("app_version"), app_version);
        f.close();
    }
}

impl WriteJson for Properties<'_> {
    fn write_json(&self, out: &mut String) {
        let Properties {
            contents,
            content_ids,
            num_items,
            content_type,
            currency,
            value,
            description,
            search_string,
            order_id,
            shop_id,
            status,
            custom,
        } = self;
        let mut f = Fields::open(out);
        if !contents.is_empty() {
            f.items(field!("contents"), contents);
        }
        if !content_ids.is_empty() {
            f.texts(field!("content_ids"), content_ids);
        }
        f.opt_uint(field!("num_items"), *num_items);
        f.opt_text(field!("content_type"), content_type);
        f.opt_text(field!("currency"), currency);
        f.opt_number(field!("value"), value);
        f.opt_text(field!("description"), description);
        f.opt_text(field!("search_string"), search_string);
        f.opt_text(field!("order_id"), order_id);
        f.opt_text(field!("shop_id"), shop_id);
        f.opt_text(field!("status"), status);
        f.custom(custom);
        f.close();
    }
}

impl WriteJson for Content<'_> {
    fn write_json(&self, out: &mut String) {
        let Content { content_id, content_type, content_name, content_category, brand, price, quantity } = self;
        let mut f = Fields::open(out);
        f.opt_text(field!("content_id"), content_id);
        f.opt_text(field!("content_type"), content_type);
        f.opt_text(field!("content_name"), content_name);
        f.opt_text(field!("content_category"), content_category);
        f.opt_text(field!("brand"), brand);
        f.opt_number(field!("price"), price);
        f.opt_int(field!("quantity"), *quantity);
        f.close();
    }
}
