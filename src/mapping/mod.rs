//! Planning: (config, event, request context, secrets) -> one result per
//! destination, in config order. Pure and deterministic.

pub mod event_names;
mod events_api;
pub mod slots;
mod values;

use crate::config::{Config, Destination, DestinationKind};
use crate::context::RequestContext;
use crate::error::Error;
use crate::limits;
use crate::path::{self, Parents};
use crate::payload::EVENT_TRACK_PATH;
use crate::request::{Body, Headers, HttpRequest};
use crate::result::{DestinationResult, Outcome, SkipReason};
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
            DestinationResult { destination: Cow::Borrowed(&d.id), outcome, warnings: r.warnings }
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
        let granted = category.render_string(event).is_some_and(|c| has_consent(event, &c));
        if !granted {
            return Ok(Outcome::Skipped { reason: SkipReason::NoConsent });
        }
    }
    let (event_name, body, path) = match &d.kind {
        DestinationKind::EventsApi(settings) => match events_api::map(settings, event, ctx, r)? {
            events_api::Mapped::Skip(reason) => return Ok(Outcome::Skipped { reason }),
            events_api::Mapped::Body(b) => {
                let name = b.data.first().map(|e| e.event.clone()).unwrap_or_default();
                (name, Body::Track(b), EVENT_TRACK_PATH)
            }
        },
    };
    let token = secrets.get(&d.token_secret).ok_or_else(|| Error::MissingSecret { name: d.token_secret.clone() })?;
    let request = HttpRequest {
        method: "POST",
        url: format!("{}{path}", config.api_base),
        headers: Headers::json(token.clone()),
        body,
    };
    Ok(Outcome::Ready { event: event_name, request })
}

fn parents_of(d: &Destination) -> &Parents {
    match &d.kind {
        DestinationKind::EventsApi(settings) => &settings.parents,
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
