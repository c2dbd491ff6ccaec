//! CA event -> TikTok Events API 2.0 body, applying spec b.1 "Explicit rules"
//! 1-18 with the readings of spec section d.

use super::event_names::EventRow;
use super::slots::Slot;
use super::values::{At, Reader};
use super::{Endpoint, Mapped};
use crate::config::{Environment, EventsApi};
use crate::context::RequestContext;
use crate::delivery::report::SkipReason;
use crate::error::{Error, Warning};
use crate::hashing::{self, Kind};
use crate::node::Node;
use crate::path::{self, Lookup, Path, Resolver};
use crate::payload::{App, Content, Page, Properties, Text, TrackBody, TrackEvent, User, EVENT_TRACK_PATH};
use crate::request::Body;
use crate::url;
use serde_json::{Map, Value};

/// `event_source` values TikTok accepts.
const EVENT_SOURCES: &[&str] = &["web", "app", "offline", "crm"];
/// `att_status` values TikTok accepts (spec b.1 footnote 9).
const ATT_STATUSES: &[&str] = &["AUTHORIZED", "DENIED", "NOT_DETERMINED", "RESTRICTED", "NOT_APPLICABLE"];
/// `content_type` values TikTok accepts, and the default (footnote 15).
const CONTENT_TYPES: &[&str] = &["product", "product_group"];
const DEFAULT_CONTENT_TYPE: &str = "product";

/// Known custom user fields that TikTok wants normalised (and hashed, for PII).
const CUSTOM_USER_NORMALISATION: &[(&str, Norm)] = &[
    ("first_name", Norm::Hash(Kind::Name)),
    ("last_name", Norm::Hash(Kind::Name)),
    ("zip_code", Norm::Hash(Kind::ZipCode)),
    ("city", Norm::Alnum),
    ("state", Norm::Alnum),
    ("country", Norm::Alnum),
];

#[derive(Clone, Copy)]
enum Norm {
    Hash(Kind),
    /// Lowercase, keep only `[a-z0-9]`, not hashed (spec 2.8).
    Alnum,
}

/// Maps one event. Warnings go to `r`; an error means nothing can be sent.
/// The body borrows from the event and the config wherever it can.
pub fn map<'a>(
    d: &'a EventsApi,
    event: &'a Node<'a>,
    ctx: &RequestContext,
    r: &mut Reader<'a, 'a>,
) -> Result<Mapped<'a>, Error> {
    let name = super::event_name(event)?;
    let source = event_source(d, event, r);
    let Some(tiktok_event) = event_name(d, name, source) else {
        return Ok(Mapped::Skip(SkipReason::UnmappedEvent));
    };

    let (id_setting, id_template) = if source == "app" { ("app_id", &d.app_id) } else { ("pixel_id", &d.pixel_id) };
    let event_source_id = match id_template {
        None => {
            let message = format!("required for {source} events");
            return Err(Error::MissingSetting { path: id_setting.into(), message });
        }
        Some(t) => t.render_text(event).ok_or_else(|| Error::MissingField {
            path: t.first_path().unwrap_or(id_setting).to_owned(),
            message: format!("{id_setting} resolves to nothing for this event"),
        })?,
    };
    let is_web = source == "web";
    let test_event_code = match (&d.test_event_code, d.environment) {
        (Some(t), Environment::Staging | Environment::Development) if is_web => t.render_text(event),
        _ => None,
    };

    // Read in body order, so warnings come in body order.
    let carried_ms = event_time_ms(d, r);
    let id = scalar_string(d, Slot::EventId, r);
    let limited_data_use = found(d, Slot::LimitedDataUse, r).and_then(|(l, p)| r.boolean(Some(l), At::Event(p)));
    let user = user(d, event, ctx, r);
    // Rule 5 (`id`, else the SDK's `context.event_id`), with a derived id when neither
    // is there (unless the slot is turned off or `derive_event_id` is false).
    let event_id = match id {
        Some(id) => Some(id),
        None if d.derive_event_id && !d.paths(Slot::EventId).is_empty() => {
            Some(super::derived_event_id(event, &user, carried_ms, r))
        }
        None => None,
    };
    let data = TrackEvent {
        event: tiktok_event,
        event_time: carried_ms.unwrap_or(ctx.now_ms).div_euclid(1000),
        event_id,
        limited_data_use,
        user,
        page: Page { url: scalar_string(d, Slot::PageUrl, r), referrer: scalar_string(d, Slot::PageReferrer, r) },
        app: app(d, source, r)?,
        properties: properties(d, event, is_web, r),
    };
    let (event, event_source) = (data.event.clone(), Text::Borrowed(source));
    let body = TrackBody { event_source, event_source_id, test_event_code, data: vec![data] };
    Ok(Mapped::Send { event, endpoint: Endpoint::Api(EVENT_TRACK_PATH), body: Body::Track(body) })
}

/// Rule 1: Smart Mapping `event_source`, else autodiscovery, else `web`.
fn event_source(d: &EventsApi, event: &Node<'_>, r: &mut Reader<'_, '_>) -> &'static str {
    if let Some((found, p)) = found(d, Slot::EventSource, r) {
        if let Some(v) = r.text(Some(found), At::Event(p)) {
            let v = v.to_ascii_lowercase();
            match EVENT_SOURCES.iter().find(|s| **s == v) {
                Some(s) => return s,
                None => r.warn("invalid_event_source", At::Event(p)),
            }
        }
    }
    if d.autodiscovery_event_source {
        let native = scalar_string(d, Slot::ExperienceType, r);
        let has_app = matches!(path::get(event, "context.app"), Some(Node::Object(m)) if !m.is_empty());
        if has_app || native.is_some_and(|t| t.eq_ignore_ascii_case("native app")) {
            return "app";
        }
    }
    "web"
}

/// Rule 3: user `event_mapping`, then the standard table (web column for
/// web/offline/crm, app column for app), `page_view`/`view_item` only when selected.
fn event_name<'a>(d: &'a EventsApi, name: &'a str, source: &str) -> Option<Text<'a>> {
    if let Some((_, mapped)) = d.event_mapping.iter().find(|(ca, _)| ca == name) {
        return mapped.as_deref().map(Text::Borrowed);
    }
    let selected = |row: &EventRow| match row.ca {
        "page_view" => d.view_content.page_view,
        "view_item" => d.view_content.view_item,
        _ => true,
    };
    let standard = d.event_names.row(name).filter(|row| !row.gated || selected(row)).and_then(|row| {
        if source == "app" {
            row.app
        } else {
            row.web
        }
    });
    match standard {
        Some(tt) => Some(Text::Borrowed(tt)),
        None if d.send_unmapped_events => Some(Text::Borrowed(name)),
        None => None,
    }
}

/// Rule 4: the time the event carries (ms, numeric string, ISO-8601), in ms; the
/// caller uses now when there is none.
fn event_time_ms(d: &EventsApi, r: &mut Reader<'_, '_>) -> Option<i64> {
    let (found, p) = found(d, Slot::EventTimestamp, r)?;
    r.event_time_ms(Some(found), At::Event(p))
}

/// The first value of a slot's paths, and the path it came from.
fn found<'a, 'p>(d: &'p EventsApi, slot: Slot, r: &mut Reader<'a, '_>) -> Option<(Lookup<'a>, &'p Path)> {
    r.first(d.paths(slot))
}

fn scalar_string<'a>(d: &EventsApi, slot: Slot, r: &mut Reader<'a, '_>) -> Option<Text<'a>> {
    let (found, p) = found(d, slot, r)?;
    r.text(Some(found), At::Event(p))
}

fn hashed<'a>(d: &EventsApi, slot: Slot, kind: Kind, r: &mut Reader<'a, '_>) -> Option<Text<'a>> {
    let (found, p) = found(d, slot, r)?;
    r.hashed(Some(found), At::Event(p), kind)
}

/// city / state / country: lowercased, only `[a-z0-9]` kept, not hashed (spec 2.8).
fn alnum(s: &str) -> String {
    s.to_lowercase().chars().filter(char::is_ascii_alphanumeric).collect()
}

/// An extended match key, unless a custom user property of the same name replaces it.
fn match_key<'a>(d: &EventsApi, slot: Slot, name: &str, r: &mut Reader<'a, '_>) -> Option<Text<'a>> {
    if d.custom_user_properties.iter().any(|(n, _)| n == name) {
        return None;
    }
    match CUSTOM_USER_NORMALISATION.iter().find(|(n, _)| *n == name).map(|(_, norm)| *norm) {
        Some(Norm::Hash(kind)) => hashed(d, slot, kind, r),
        _ => scalar_string(d, slot, r).map(|t| alnum(&t)).filter(|t| !t.is_empty()).map(Text::Owned),
    }
}

/// The Cookie header string: the `cookies` slot (`context.device.cookie`, else `context.cookie`).
fn cookie_header<'a>(d: &EventsApi, r: &mut Reader<'a, '_>) -> Option<&'a str> {
    match found(d, Slot::Cookies, r)? {
        (Lookup::Value(Node::String(h)), _) => Some(h),
        (_, p) => {
            r.warn("invalid_type", At::Event(p));
            None
        }
    }
}

fn user<'a>(d: &'a EventsApi, event: &'a Node<'a>, ctx: &RequestContext, r: &mut Reader<'a, 'a>) -> User<'a> {
    let platform = scalar_string(d, Slot::DevicePlatform, r)
        .or_else(|| match path::get(event, "context.device.type") {
            Some(Node::String(t)) => Some(Text::Borrowed(t.trim())),
            _ => None,
        })
        .unwrap_or_default();
    let (ios, android) = (platform.eq_ignore_ascii_case("ios"), platform.eq_ignore_ascii_case("android"));

    let header = cookie_header(d, r);
    // Rule 6: partners.tiktok.ttclid > cookie ttclid > ttclid query parameter of the page URL.
    let ttclid = scalar_string(d, Slot::ClickId, r).or_else(|| super::cookie(header, ctx, "ttclid")).or_else(|| {
        // The page URL slot when on; context.page.url when the slot is turned off.
        let page = match d.paths(Slot::PageUrl) {
            [] => path::get(event, "context.page.url").map(Lookup::Value),
            paths => r.first(paths).map(|(l, _)| l),
        };
        match page {
            Some(Lookup::Value(Node::String(u))) => url::query_param(u, "ttclid"),
            _ => None,
        }
    });
    let att_status = if ios { found(d, Slot::DeviceAttStatus, r) } else { None };
    // Sent uppercased, and only when it is one of TikTok's values.
    let att_status = att_status.and_then(|(l, p)| {
        let s = r.text(Some(l), At::Event(p))?;
        match ATT_STATUSES.iter().find(|a| a.eq_ignore_ascii_case(&s)) {
            Some(a) => Some(Text::Borrowed(*a)),
            None => {
                r.warn("invalid_att_status", At::Event(p));
                None
            }
        }
    });
    let phone = Kind::Phone { default_country: d.phone_default_country };
    User {
        external_id: hashed(d, Slot::UserId, Kind::ExternalId { lowercase: d.lowercase_user_id }, r),
        email: hashed(d, Slot::UserEmail, Kind::Email, r),
        phone: hashed(d, Slot::UserPhone, phone, r),
        ttclid,
        // Rule 7: partners.tiktok.ttp > cookie _ttp.
        ttp: scalar_string(d, Slot::CookieId, r).or_else(|| super::cookie(header, ctx, "_ttp")),
        ip: scalar_string(d, Slot::DeviceIp, r).or_else(|| ctx.ip.clone().map(Text::Owned)),
        user_agent: scalar_string(d, Slot::DeviceUserAgent, r).or_else(|| ctx.user_agent.clone().map(Text::Owned)),
        locale: scalar_string(d, Slot::DeviceLanguage, r),
        // Rule 9: iOS ids only on iOS, gaid only on Android.
        idfa: if ios { scalar_string(d, Slot::DeviceIdfa, r) } else { None },
        idfv: if ios { scalar_string(d, Slot::DeviceIdfv, r) } else { None },
        att_status,
        gaid: if android { scalar_string(d, Slot::DeviceGaid, r) } else { None },
        first_name: match_key(d, Slot::UserFirstName, "first_name", r),
        last_name: match_key(d, Slot::UserLastName, "last_name", r),
        zip_code: match_key(d, Slot::UserZipCode, "zip_code", r),
        city: match_key(d, Slot::UserCity, "city", r),
        state: match_key(d, Slot::UserState, "state", r),
        country: match_key(d, Slot::UserCountry, "country", r),
        custom: custom_user(d, event, r),
    }
}

fn custom_user(d: &EventsApi, event: &Node<'_>, r: &mut Reader<'_, '_>) -> Map<String, Value> {
    let mut out = Map::new();
    for (name, template) in &d.custom_user_properties {
        let Some(value) = template.render(event) else { continue };
        let norm = CUSTOM_USER_NORMALISATION.iter().find(|(n, _)| n == name).map(|(_, k)| *k);
        let value = match (norm, value.as_ref()) {
            (None, v) => v.to_value(),
            (Some(norm), Node::String(s)) => match norm {
                Norm::Hash(kind) => match hashing::hash(kind, s) {
                    Ok(h) => Value::String(h),
                    Err(_) => continue,
                },
                Norm::Alnum => Value::String(alnum(s)),
            },
            (Some(Norm::Hash(kind)), Node::Number(n)) => match hashing::hash(kind, &n.to_string()) {
                Ok(h) => Value::String(h),
                Err(_) => continue,
            },
            (Some(_), _) => {
                r.push(Warning::new("invalid_type", template.first_path().unwrap_or(name)));
                continue;
            }
        };
        insert_non_empty(&mut out, name, value);
    }
    out
}

/// Rule 10: the `app` object; `app_id` is required for app events.
fn app<'a>(d: &EventsApi, source: &str, r: &mut Reader<'a, '_>) -> Result<App<'a>, Error> {
    let app = App {
        app_id: scalar_string(d, Slot::AppId, r),
        app_name: scalar_string(d, Slot::AppName, r),
        app_version: scalar_string(d, Slot::AppVersion, r),
    };
    if source == "app" && app.app_id.is_none() {
        let path = d.paths(Slot::AppId).first().map_or("smart_mapping.app_id", Path::as_str).to_owned();
        return Err(Error::MissingField { path, message: "app events need data.app.app_id".into() });
    }
    Ok(app)
}

/// Rules 11-13 and the custom event properties.
fn properties<'a>(d: &'a EventsApi, event: &'a Node<'a>, is_web: bool, r: &mut Reader<'a, 'a>) -> Properties<'a> {
    let contents = contents(d, event, r);
    let web_only = |slot: Slot, r: &mut Reader<'a, 'a>| if is_web { scalar_string(d, slot, r) } else { None };
    let num_items = found(d, Slot::ItemList, r).and_then(|(l, p)| r.integer(Some(l), At::Event(p)));
    let mut custom = Map::new();
    for (key, template) in &d.custom_event_properties {
        if let Some(v) = template.render(event) {
            insert_non_empty(&mut custom, key, v.to_value());
        }
    }
    Properties {
        content_ids: contents.iter().filter_map(|c| c.content_id.clone()).collect(),
        contents,
        num_items: num_items.and_then(|n| u64::try_from(n).ok()),
        currency: scalar_string(d, Slot::Currency, r),
        value: found(d, Slot::TransactionValue, r).and_then(|(l, p)| r.number(Some(l), At::Event(p))),
        description: scalar_string(d, Slot::Description, r),
        search_string: web_only(Slot::SearchTerm, r),
        order_id: web_only(Slot::TransactionId, r),
        shop_id: web_only(Slot::ShopIdentifier, r),
        status: web_only(Slot::TransactionStatus, r),
        content_type: web_only(Slot::ContentType, r),
        custom,
    }
}

/// Rule 12: one `contents[]` entry per element of the items array.
fn contents<'a>(d: &'a EventsApi, event: &'a Node<'a>, r: &mut Reader<'a, 'a>) -> Vec<Content<'a>> {
    let Some(array) = d.items_array.as_ref() else { return Vec::new() };
    let items = match array.lookup(event) {
        None | Some(path::Lookup::Value(Node::Null)) => return Vec::new(),
        Some(path::Lookup::Value(Node::Array(items))) => items,
        Some(_) => {
            r.warn("invalid_type", At::Event(array));
            return Vec::new();
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        if !item.is_object() {
            r.push(Warning::new("invalid_type", format!("{}.{index}", array.as_str())));
            continue;
        }
        let mut res = Resolver::new(item, &d.item_parents);
        let [content_type, id, name, category, brand, price, quantity] = [
            Slot::ItemContentType,
            Slot::ItemId,
            Slot::ItemName,
            Slot::ItemCategory,
            Slot::ItemBrand,
            Slot::ItemPrice,
            Slot::ItemQuantity,
        ]
        .map(|slot| {
            // On but absent: (None, its first path), so content_type still gets its default.
            let rels = d.item_paths(slot);
            let first_rel = rels.first()?;
            Some(match res.first(rels) {
                Some((found, rel)) => (Some(found), At::Item { array, index, rel }),
                None => (None, At::Item { array, index, rel: first_rel }),
            })
        });
        let mut text = |field: Option<(Option<path::Lookup<'a>>, At<'_>)>| field.and_then(|(v, at)| r.text(v, at));
        let content = Content {
            content_id: text(id),
            content_name: text(name),
            content_category: text(category),
            brand: text(brand),
            content_type: None,
            price: price.and_then(|(v, at)| r.number(v, at)),
            quantity: quantity.and_then(|(v, at)| r.integer(v, at)),
        };
        let content_type = content_type.map(|(v, at)| match r.text(v, at) {
            Some(t) if CONTENT_TYPES.contains(&t.as_ref()) => t,
            Some(_) => {
                r.warn("invalid_content_type", at);
                Text::Borrowed(DEFAULT_CONTENT_TYPE)
            }
            None => Text::Borrowed(DEFAULT_CONTENT_TYPE),
        });
        out.push(Content { content_type, ..content });
    }
    out
}

/// Rule 17: null, "", {} and [] are not sent.
fn insert_non_empty(map: &mut Map<String, Value>, key: &str, value: Value) {
    let empty = match &value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    };
    if !empty {
        map.insert(key.to_owned(), value);
    }
}
