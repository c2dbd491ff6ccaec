//! The result format shared by the CLI, the npm package and `/v1/preview`:
//! one entry per configured destination, in config order.

use crate::config::Config;
use crate::context::RequestContext;
use crate::error::{Error, Warning};
use crate::mapping::plan;
use crate::request::HttpRequest;
use crate::secrets::Secrets;
use serde::Serialize;
use serde_json::Value;
use std::borrow::Cow;

/// What happened to one event for one destination.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DestinationResult<'a> {
    pub destination: Cow<'a, str>,
    /// The event's position when the input was an array.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    #[serde(flatten)]
    pub outcome: Outcome<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
}

/// `ready` with a request, `skipped` with a reason, or `error`.
// Built once and moved once per event: boxing would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome<'a> {
    Ready { event: Cow<'a, str>, request: HttpRequest<'a> },
    Skipped { reason: SkipReason },
    Error { error: Error },
}

/// Stable reasons for not sending an event (not errors: nothing is wrong with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Neither the standard table nor `event_mapping` maps this event name.
    UnmappedEvent,
    /// The destination's `consent_category` is not in `user.consent_categories`.
    NoConsent,
    /// An offline event with neither email nor phone: TikTok could not match it.
    NoUserIdentifier,
}

/// How access tokens appear in serialized results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tokens {
    /// `<redacted>`: safe to print, log and store.
    Redacted,
    /// In clear, for the caller that sends the requests itself (npm `revealTokens`).
    Revealed,
}

/// Plans an input holding one event or an array of events: the shared `results` list
/// (entries of an array input carry their event's `index`).
pub fn results_for<'a>(
    config: &'a Config,
    input: &'a Value,
    ctx: &RequestContext,
    secrets: &Secrets,
    tokens: Tokens,
) -> Vec<DestinationResult<'a>> {
    let events: Vec<&Value> = match input {
        Value::Array(events) => events.iter().collect(),
        event => vec![event],
    };
    let mut out = Vec::with_capacity(events.len() * config.destinations.len());
    for (i, event) in events.into_iter().enumerate() {
        for mut result in plan(config, event, ctx, secrets) {
            result.index = input.is_array().then_some(i);
            if let (Tokens::Revealed, Outcome::Ready { request, .. }) = (tokens, &mut result.outcome) {
                request.headers.reveal = true;
            }
            out.push(result);
        }
    }
    out
}

/// The `results` list of the shared format: entries per input event, flattened in
/// order; when the input was an array, each entry gets the `index` of its event.
pub fn results_list(rows: Vec<Vec<Value>>, input_was_array: bool) -> Vec<Value> {
    let mut out = Vec::with_capacity(rows.iter().map(Vec::len).sum());
    for (i, row) in rows.into_iter().enumerate() {
        for mut entry in row {
            if let (true, Value::Object(m)) = (input_was_array, &mut entry) {
                m.insert("index".into(), Value::from(i));
            }
            out.push(entry);
        }
    }
    out
}
