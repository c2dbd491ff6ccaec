//! The report of one event for one destination, the one result format of every
//! surface: planning (CLI, npm, `/v1/preview`) says `ready`, `skipped` or `error`;
//! delivery (`/v1/events`, page views) turns `ready` into `queued`, `sent` or
//! `failed`. Serialized from these types only, never patched as JSON.

use super::outcome::{Reason, TikTokAnswer};
use crate::error::{Error, Warning};
use crate::request::HttpRequest;
use serde::Serialize;
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

/// The status of a report, with what that status carries.
// Built once and moved once per event: boxing would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome<'a> {
    /// Planned: the request to send (previews; delivery replaces it).
    Ready { event: Cow<'a, str>, request: HttpRequest<'a> },
    /// In the queue: the consumer delivers it.
    Queued { event: Cow<'a, str> },
    /// TikTok accepted it.
    Sent { event: Cow<'a, str>, attempts: u32, tiktok: TikTokAnswer },
    /// Not delivered: `retryable` says whether sending the call again can help.
    Failed {
        event: Cow<'a, str>,
        reason: Reason,
        retryable: bool,
        attempts: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        tiktok: Option<TikTokAnswer>,
    },
    /// Not for this destination (nothing is wrong with it).
    Skipped { reason: SkipReason },
    /// The event cannot be sent as it is.
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

/// What a caller should do, from the reports of its call: the HTTP status of
/// `/v1/events` (callers such as Commanders Act's Webhook destination judge delivery
/// by status alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallStatus {
    /// 202: every event sent, queued or skipped. 503: some failed retryably (send the
    /// call again; event_id deduplication makes that safe). 422: some failed for good
    /// or could not be mapped, none retryably.
    pub status: u16,
    /// Seconds to wait before sending again (with 503).
    pub retry_after_s: Option<u64>,
}

/// When no failure suggests a wait, callers wait this long before sending again.
const DEFAULT_RETRY_AFTER_S: u64 = 5;

pub fn call_status(results: &[DestinationResult<'_>]) -> CallStatus {
    let mut permanent = false;
    let mut retry_after: Option<u64> = None;
    for r in results {
        match &r.outcome {
            Outcome::Failed { retryable: true, reason, .. } => {
                let wait = reason.suggested_wait_ms().map_or(DEFAULT_RETRY_AFTER_S, |ms| ms.div_ceil(1000));
                retry_after = Some(retry_after.map_or(wait, |w| w.max(wait)));
            }
            Outcome::Failed { retryable: false, .. } | Outcome::Error { .. } => permanent = true,
            Outcome::Ready { .. } | Outcome::Queued { .. } | Outcome::Sent { .. } | Outcome::Skipped { .. } => {}
        }
    }
    match (retry_after, permanent) {
        (Some(s), _) => CallStatus { status: 503, retry_after_s: Some(s) },
        (None, true) => CallStatus { status: 422, retry_after_s: None },
        (None, false) => CallStatus { status: 202, retry_after_s: None },
    }
}

impl DestinationResult<'_> {
    /// Whether it is still to be delivered.
    pub fn is_ready(&self) -> bool {
        matches!(self.outcome, Outcome::Ready { .. })
    }

    /// A request about to be sent needs its token: planned without one (a preview may
    /// show it), it becomes a `missing_secret` error. True when it still is ready.
    pub fn require_token(&mut self) -> bool {
        let Outcome::Ready { request, .. } = &self.outcome else { return false };
        if request.headers.access_token.is_some() {
            return true;
        }
        let name = request.headers.token_secret.clone();
        self.warnings.retain(|w| w.code != "missing_secret");
        self.outcome = Outcome::Error { error: Error::MissingSecret { name } };
        false
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn report(outcome: Outcome<'static>) -> DestinationResult<'static> {
        DestinationResult { destination: "tiktok".into(), index: Some(2), outcome, warnings: vec![] }
    }

    fn failed(reason: Reason, retryable: bool) -> DestinationResult<'static> {
        report(Outcome::Failed { event: "Purchase".into(), reason, retryable, attempts: 1, tiktok: None })
    }

    #[test]
    fn each_status_serializes_with_what_it_carries() {
        let tiktok = TikTokAnswer { code: Some(0), message: Some("OK".into()), request_id: Some("r1".into()) };
        let sent = report(Outcome::Sent { event: "Purchase".into(), attempts: 2, tiktok: tiktok.clone() });
        assert_eq!(
            serde_json::to_value(&sent).unwrap(),
            json!({"destination": "tiktok", "index": 2, "status": "sent", "event": "Purchase", "attempts": 2,
                   "tiktok": {"code": 0, "message": "OK", "request_id": "r1"}})
        );
        let failed = report(Outcome::Failed {
            event: "Purchase".into(),
            reason: Reason::InvalidParams,
            retryable: false,
            attempts: 1,
            tiktok: Some(TikTokAnswer { code: Some(40002), ..tiktok }),
        });
        assert_eq!(
            serde_json::to_value(&failed).unwrap(),
            json!({"destination": "tiktok", "index": 2, "status": "failed", "event": "Purchase",
                   "reason": "invalid_params", "retryable": false, "attempts": 1,
                   "tiktok": {"code": 40002, "message": "OK", "request_id": "r1"}})
        );
        let queued = report(Outcome::Queued { event: "Purchase".into() });
        assert_eq!(
            serde_json::to_value(&queued).unwrap(),
            json!({"destination": "tiktok", "index": 2, "status": "queued", "event": "Purchase"})
        );
        let budget = DestinationResult { index: None, ..failed_budget() };
        assert_eq!(
            serde_json::to_value(&budget).unwrap(),
            json!({"destination": "tiktok", "status": "failed", "event": "Purchase", "reason": "subrequest_budget",
                   "retryable": true, "attempts": 0})
        );
    }

    fn failed_budget() -> DestinationResult<'static> {
        report(Outcome::Failed {
            event: "Purchase".into(),
            reason: Reason::SubrequestBudget,
            retryable: true,
            attempts: 0,
            tiktok: None,
        })
    }

    #[test]
    fn the_call_status_says_what_the_caller_should_do() {
        let ok = report(Outcome::Queued { event: "Purchase".into() });
        let skipped = report(Outcome::Skipped { reason: SkipReason::UnmappedEvent });
        assert_eq!(call_status(&[ok.clone(), skipped.clone()]), CallStatus { status: 202, retry_after_s: None });
        assert_eq!(call_status(&[]), CallStatus { status: 202, retry_after_s: None });
        let bad = failed(Reason::InvalidParams, false);
        assert_eq!(call_status(&[ok.clone(), bad.clone()]), CallStatus { status: 422, retry_after_s: None });
        let error = report(Outcome::Error { error: Error::MissingField { path: "x".into(), message: "m".into() } });
        assert_eq!(call_status(&[ok.clone(), error]).status, 422);
        let transient = failed(Reason::ServerError, true);
        assert_eq!(call_status(&[bad.clone(), transient.clone()]), CallStatus { status: 503, retry_after_s: Some(5) });
        let limited = failed(Reason::RateLimited, true);
        assert_eq!(call_status(&[transient, limited, ok]), CallStatus { status: 503, retry_after_s: Some(10) });
    }
}
