//! Planning: (config, event, request context, secrets) -> one result per
//! destination, in config order. Pure and deterministic.

mod canonical;
mod events_api;
mod offline_events;
mod order_sync;
mod values;

// The tables moved to `crate::tables`; these paths stay for callers of the library.
pub use crate::tables::{event_names, slots};

use crate::config::{Config, Destination, DestinationKind};
use crate::context::RequestContext;
use crate::cookies;
use crate::delivery::report::{DestinationResult, Outcome, SkipReason};
use crate::error::{Error, Warning};
use crate::limits;
use crate::node::Node;
use crate::path::{self, Parents};
use crate::payload::{Text, User};
use crate::request::{Body, Headers, HttpRequest};
use crate::secrets::Secrets;
use std::borrow::Cow;
use values::Reader;

/// Plans one event for every destination of `config`. The results borrow from
/// the config and the event (no copies of their text).
pub fn plan<'a>(
    config: &'a Config,
    event: &'a Node<'a>,
    ctx: &RequestContext,
    secrets: &Secrets,
) -> Vec<DestinationResult<'a>> {
    let checked = limits::check_event(event);
    config
        .destinations
        .iter()
        .map(|d| {
            let mut r = Reader::new(event, parents_of(d));
            let outcome = match &checked {
                Err(e) => Outcome::Error { error: e.clone() },
                Ok(()) => {
                    plan_one(config, d, event, ctx, secrets, &mut r).unwrap_or_else(|error| Outcome::Error { error })
                }
            };
            DestinationResult { destination: Cow::Borrowed(&d.id), index: None, outcome, warnings: r.warnings }
        })
        .collect()
}

fn plan_one<'a>(
    config: &'a Config,
    d: &'a Destination,
    event: &'a Node<'a>,
    ctx: &RequestContext,
    secrets: &Secrets,
    r: &mut Reader<'a, 'a>,
) -> Result<Outcome<'a>, Error> {
    if let Some(category) = &d.consent_category {
        let granted = category.render_text(event).is_some_and(|c| has_consent(event, &c));
        if !granted {
            return Ok(Outcome::Skipped { reason: SkipReason::NoConsent });
        }
    }
    let mapped = match &d.kind {
        DestinationKind::EventsApi(settings) => events_api::map(settings, event, ctx, r)?,
        DestinationKind::OfflineEvents(settings) => offline_events::map(settings, event, ctx, r)?,
        DestinationKind::OrderSync(settings) => order_sync::map(settings, event, ctx, r)?,
    };
    let (event, endpoint, body) = match mapped {
        Mapped::Skip(reason) => return Ok(Outcome::Skipped { reason }),
        Mapped::Send { event, endpoint, body } => (event, endpoint, body),
    };
    // Without its token the request is still planned (a preview shows it, with a
    // warning); delivery refuses to send it.
    let token = secrets.get(&d.token_secret).cloned();
    if token.is_none() {
        r.warnings.push(Warning::new("missing_secret", d.token_secret.clone()));
    }
    let url = match endpoint {
        Endpoint::Api(path) => format!("{}{path}", config.api_base),
        Endpoint::Url(url) => url.to_owned(),
    };
    Ok(Outcome::Ready {
        event,
        request: HttpRequest { method: "POST", url, headers: Headers::json(&d.token_secret, token), body },
    })
}

/// What a destination's mapper decided for one event.
// Built once and moved once per event: boxing would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Mapped<'a> {
    Send { event: Text<'a>, endpoint: Endpoint<'a>, body: Body<'a> },
    Skip(SkipReason),
}

/// Where the request goes.
pub(crate) enum Endpoint<'a> {
    /// A TikTok Business API path, appended to the configured API base.
    Api(&'static str),
    /// A full URL from the destination's settings.
    Url(&'a str),
}

/// `event_name`, required and a string.
fn event_name<'a>(event: &'a Node<'a>) -> Result<&'a str, Error> {
    match path::get(event, "event_name") {
        Some(Node::String(s)) if !s.trim().is_empty() => Ok(s.trim()),
        None | Some(Node::Null) | Some(Node::String(_)) => {
            Err(Error::MissingField { path: "event_name".into(), message: "required".into() })
        }
        Some(_) => Err(Error::InvalidField { path: "event_name".into(), message: "must be a string".into() }),
    }
}

/// The `event_id` of an event without one: `ca_` + the first 32 hex chars of the
/// SHA-256 of the event's canonical JSON (keys sorted, no spaces, whole numbers as
/// integers, so the npm package and the Worker agree with the CLI), the identifiers
/// sent with it (the `user` object: hashed ids, ttp, ttclid, ip, user agent ...) and
/// the time it carries. A retried event gets the same id (TikTok deduplicates it);
/// two visitors' identical events get different ones (both count). Without a time of
/// its own, identical events of one visitor collapse: warning `event_id_may_collide`.
fn derived_event_id(
    event: &Node<'_>,
    user: &User<'_>,
    carried_ms: Option<i64>,
    r: &mut Reader<'_, '_>,
) -> Text<'static> {
    if carried_ms.is_none() {
        r.push(Warning::new("event_id_may_collide", "id"));
    }
    let sent = serde_json::to_value(user).map(|u| canonical::to_string(&Node::from_value(&u))).unwrap_or_default();
    let time = carried_ms.map(|ms| ms.to_string()).unwrap_or_default();
    let text = format!("{}\n{sent}\n{time}", canonical::to_string(event));
    let digest = crate::hashing::sha256_hex_array(text.as_bytes());
    let head = std::str::from_utf8(digest.get(..32).unwrap_or_default()).unwrap_or_default();
    Text::Owned(format!("ca_{head}"))
}

/// Where CA events carry their time (the web SDK: `context`; HTTP API batch examples: the root).
const EVENT_TIMESTAMP: &[&str] = &["context.event_timestamp", "event_timestamp"];

/// Cookie `name`: from the event's Cookie header string first, then the request's.
fn cookie<'a>(header: Option<&'a str>, ctx: &RequestContext, name: &str) -> Option<Text<'a>> {
    header
        .and_then(|h| cookies::get(h, name))
        .or_else(|| cookies::get(ctx.cookie.as_deref()?, name).map(|c| Text::Owned(c.into_owned())))
}

/// The event's Cookie header string where CA puts it: `context.device.cookie`
/// (web SDK, HTTP API), else `context.cookie` (seen in CA's examples).
fn event_cookie_header<'a>(event: &'a Node<'a>) -> Option<&'a str> {
    ["context.device.cookie", "context.cookie"].iter().find_map(|p| match path::get(event, p) {
        Some(Node::String(h)) if !h.trim().is_empty() => Some(h.as_ref()),
        _ => None,
    })
}

fn parents_of(d: &Destination) -> &Parents {
    static NONE: Parents = Parents::empty();
    match &d.kind {
        DestinationKind::EventsApi(settings) => &settings.parents,
        DestinationKind::OfflineEvents(_) | DestinationKind::OrderSync(_) => &NONE,
    }
}

/// `user.consent_categories` as an array (strings or numbers) or a comma-separated
/// string; compared as trimmed text whatever the JSON type (`[1, 3]` and `["1", "3"]`).
fn has_consent(event: &Node<'_>, category: &str) -> bool {
    let category = category.trim();
    let matches = |v: &Node<'_>| match v {
        Node::String(s) => s.trim() == category,
        Node::Number(n) => n.to_string() == category,
        _ => false,
    };
    match path::get(event, "user.consent_categories") {
        Some(Node::Array(list)) => list.iter().any(matches),
        Some(Node::String(s)) => s.split(',').any(|c| c.trim() == category),
        Some(other) => matches(other),
        None => false,
    }
}
