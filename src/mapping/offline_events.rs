//! CA event -> TikTok Offline Events (spec b.2 field table and rules 1-10),
//! in either wire shape: Events API 2.0 (`event_source: "offline"`) or the legacy
//! `offline/track` body.

use super::values::{At, Reader};
use super::{Endpoint, Mapped};
use crate::config::{OfflineApi, OfflineEvents};
use crate::context::RequestContext;
use crate::delivery::report::SkipReason;
use crate::error::Error;
use crate::hashing::Kind;
use crate::node::Node;
use crate::path::{self, Lookup};
use crate::payload::offline_track::{
    OfflineContext, OfflineProperties, OfflineTrackBody, OfflineUser, OFFLINE_TRACK_PATH,
};
use crate::payload::{Content, Properties, Text, TrackBody, TrackEvent, User, EVENT_TRACK_PATH};
use crate::request::Body;
use crate::time;

/// `event_channel` values TikTok accepts; anything else is rejected by TikTok.
const EVENT_CHANNELS: &[&str] = &["email", "website", "phone_call", "in_store", "crm", "other"];
const CATEGORIES: &[&str] =
    &["product.category_1", "product.category_2", "product.category_3", "product.category_4", "product.category_5"];

pub fn map<'a>(
    d: &'a OfflineEvents,
    event: &'a Node<'a>,
    ctx: &RequestContext,
    r: &mut Reader<'a, 'a>,
) -> Result<Mapped<'a>, Error> {
    // Rule 1: only mapped events, as one of the four offline event types.
    let name = super::event_name(event)?;
    let Some(tiktok_event) = d.mapping.iter().find(|(ca, _)| ca == name).map(|(_, t)| *t) else {
        return Ok(Mapped::Skip(SkipReason::UnmappedEvent));
    };
    // Rule 2: the event set id, often a template.
    let event_set_id = d.event_set_id.render_text(event).ok_or_else(|| Error::MissingField {
        path: d.event_set_id.first_path().unwrap_or("event_set_id").to_owned(),
        message: "event_set_id resolves to nothing for this event".into(),
    })?;
    // Rule 5: hashed PII; without either, TikTok cannot match the event.
    // CA's hashed-only `user.email_sha256` / `user.phone_sha256` when the clear value is absent.
    let (found, at) = r.fixed_first(&["user.email", "user.email_sha256"]);
    let email = r.hashed(found, at, Kind::Email);
    let (found, at) = r.fixed_first(&["user.phone", "user.phone_sha256"]);
    let phone = r.hashed(found, at, Kind::Phone { default_country: d.phone_default_country });
    if email.is_none() && phone.is_none() {
        return Ok(Mapped::Skip(SkipReason::NoUserIdentifier));
    }
    // Rule 4: milliseconds in, seconds (2.0) or ISO-8601 UTC (legacy) out; now when absent.
    let (found, at) = r.fixed_first(super::EVENT_TIMESTAMP);
    let carried_ms = r.event_time_ms(found, at);
    let ms = carried_ms.unwrap_or(ctx.now_ms);
    // Rules 3, 6-8, 10; `event_id` falls back to the SDK's `context.event_id`, then a derived id.
    let order_id = text(r, "id");
    let event_id = order_id.clone().or_else(|| text(r, "context.event_id")).or_else(|| {
        let sent = User { email: email.clone(), phone: phone.clone(), ..User::default() };
        d.derive_event_id.then(|| super::derived_event_id(event, &sent, carried_ms, r))
    });
    let contents = contents(r);
    let (shop_id, currency) = (text(r, "shop_id"), text(r, "currency"));
    let (found, at) = r.fixed("value");
    let value = r.number(found, at);
    let event = Text::Borrowed(tiktok_event);

    let body = match d.api {
        OfflineApi::EventsApi => Body::Track(TrackBody {
            event_source: Text::Borrowed("offline"),
            event_source_id: event_set_id,
            test_event_code: None,
            data: vec![TrackEvent {
                event: event.clone(),
                event_time: ms.div_euclid(1000),
                event_id: event_id.clone(),
                limited_data_use: None,
                user: User { email, phone, ..User::default() },
                page: Default::default(),
                app: Default::default(),
                properties: Properties { contents, order_id, shop_id, currency, value, ..Default::default() },
            }],
        }),
        OfflineApi::OfflineTrack => Body::OfflineTrack(OfflineTrackBody {
            event_set_id,
            event: event.clone(),
            event_id: event_id.clone(),
            timestamp: time::format_iso8601(ms),
            context: OfflineContext {
                user: OfflineUser { emails: email.into_iter().collect(), phone_numbers: phone.into_iter().collect() },
            },
            properties: OfflineProperties {
                order_id,
                shop_id,
                contents,
                currency,
                value,
                event_channel: event_channel(r),
            },
        }),
    };
    let endpoint = Endpoint::Api(match d.api {
        OfflineApi::EventsApi => EVENT_TRACK_PATH,
        OfflineApi::OfflineTrack => OFFLINE_TRACK_PATH,
    });
    Ok(Mapped::Send { event, endpoint, body })
}

fn text<'a>(r: &mut Reader<'a, '_>, dotted: &'static str) -> Option<Text<'a>> {
    let (found, at) = r.fixed(dotted);
    r.text(found, at)
}

/// Rule 9: `type`, sent only when TikTok accepts it (d-11: a pass-through of CA's
/// usual `online`/`offline` would make TikTok reject the whole event).
fn event_channel<'a>(r: &mut Reader<'a, '_>) -> Option<Text<'a>> {
    let channel = text(r, "type")?;
    if EVENT_CHANNELS.contains(&channel.as_ref()) {
        Some(channel)
    } else {
        r.warn("invalid_event_channel", At::Text("type"));
        None
    }
}

/// Rules 6-7: one entry per item; `content_type` from `items.X.type`, categories joined with `>`.
fn contents<'a>(r: &mut Reader<'a, '_>) -> Vec<Content<'a>> {
    let items = match path::get(r.event(), "items") {
        None | Some(Node::Null) => return Vec::new(),
        Some(Node::Array(items)) => items,
        Some(_) => {
            r.warn("invalid_type", At::Text("items"));
            return Vec::new();
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        if !item.is_object() {
            r.push(crate::error::Warning::new("invalid_type", format!("items.{index}")));
            continue;
        }
        let field =
            |rel: &'static str| (path::get(item, rel).map(Lookup::Value), At::FixedItem { array: "items", index, rel });
        // The price of the product, else the item's own (CA's examples use both).
        let price = match field("product.price") {
            (Some(found), at) if found.is_present() => (Some(found), at),
            _ => field("price"),
        };
        let (id, name, kind, quantity) = (field("id"), field("product.name"), field("type"), field("quantity"));
        let mut levels = Vec::new();
        for rel in CATEGORIES {
            let (found, at) = field(rel);
            if let Some(level) = r.text(found, at) {
                levels.push(level);
            }
        }
        out.push(Content {
            content_id: r.text(id.0, id.1),
            content_name: r.text(name.0, name.1),
            content_type: r.text(kind.0, kind.1),
            content_category: (!levels.is_empty()).then(|| Text::Owned(levels.join(">"))),
            price: r.number(price.0, price.1),
            quantity: r.integer(quantity.0, quantity.1),
            brand: None,
        });
    }
    out
}
