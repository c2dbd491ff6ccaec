//! Planning: (config, event, request context, secrets) -> one result per
//! destination, in config order. Pure and deterministic.

pub mod event_names;
mod events_api;
mod offline_events;
mod order_sync;
pub mod slots;
mod values;

use crate::config::{Config, Destination, DestinationKind};
use crate::context::RequestContext;
use crate::cookies;
use crate::error::Error;
use crate::limits;
use crate::path::{self, Parents};
use crate::payload::Text;
use crate::request::{Body, Headers, HttpRequest};
use crate::delivery::report::{DestinationResult, Outcome, SkipReason};
use crate::secrets::Secrets;
use serde_json::Value;
use std::borrow::Cow;
use values::Reader;

/// Plans one event for every destination of `config`. The results borrow from
/// the config and the event (no copies of their text).
pub fn plan<'a>(
    config: &'a Config,
    event: &'a Value,
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
    event: &'a Value,
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
    let token = secrets.get(&d.token_secret).ok_or_else(|| Error::MissingSecret { name: d.token_secret.clone() })?;
    let url = match endpoint {
        Endpoint::Api(path) => format!("{}{path}", config.api_base),
        Endpoint::Url(url) => url.to_owned(),
    };
    Ok(Outcome::Ready {
        event,
        request: HttpRequest { method: "POST", url, headers: Headers::json(token.clone()), body },
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
fn event_name(event: &Value) -> Result<&str, Error> {
    match path::get(event, "event_name") {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim()),
        None | Some(Value::Null) | Some(Value::String(_)) => {
            Err(Error::MissingField { path: "event_name".into(), message: "required".into() })
        }
        Some(_) => Err(Error::InvalidField { path: "event_name".into(), message: "must be a string".into() }),
    }
}

/// The `event_id` of an event without `id`: `ca_` + the first 32 hex chars of the
/// SHA-256 of its canonical JSON (keys sorted, no spaces). The same event always gets
/// the same id, so retries and redeliveries are deduplicated by TikTok.
fn content_id(event: &Value) -> Text<'static> {
    let digest = crate::hashing::sha256_hex(event.to_string().as_bytes());
    Text::Owned(format!("ca_{}", digest.chars().take(32).collect::<String>()))
}

/// Cookie `name`: the event's `context.device.cookie` first, then the request's Cookie header.
fn cookie<'a>(event: &'a Value, ctx: &RequestContext, name: &str) -> Option<Text<'a>> {
    let from_event = match path::get(event, "context.device.cookie") {
        Some(Value::String(h)) => cookies::get(h, name),
        _ => None,
    };
    from_event.or_else(|| cookies::get(ctx.cookie.as_deref()?, name).map(|c| Text::Owned(c.into_owned())))
}

fn parents_of(d: &Destination) -> &Parents {
    static NONE: Parents = Parents::empty();
    match &d.kind {
        DestinationKind::EventsApi(settings) => &settings.parents,
        DestinationKind::OfflineEvents(_) | DestinationKind::OrderSync(_) => &NONE,
    }
}

/// `user.consent_categories` as an array (strings or numbers) or a comma-separated string.
fn has_consent(event: &Value, category: &str) -> bool {
    let matches = |v: &Value| match v {
        Value::String(s) => s.trim() == category,
        Value::Number(n) => n.to_string() == category,
        _ => false,
    };
    match path::get(event, "user.consent_categories") {
        Some(Value::Array(list)) => list.iter().any(matches),
        Some(Value::String(s)) => s.split(',').any(|c| c.trim() == category),
        Some(other) => matches(other),
        None => false,
    }
}
