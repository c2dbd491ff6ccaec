//! One inspector log entry: an event as it came in and went out for one destination,
//! masked ([`super::mask`]) before it is stored, so nothing later can show raw PII.

use super::counts::{tally_of, FlushEntry};
use super::keys::MatchKeys;
use super::mask::mask;
use crate::node::Node;
use crate::request::Body;
use crate::{DestinationResult, Outcome, TikTokAnswer, Warning};
use serde::Serialize;
use serde_json::Value;

/// The event property that marks an event for debugging: it bypasses sampling.
pub const DEBUG_MARKER: &str = "inspector_debug";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub at_ms: i64,
    pub destination: String,
    /// The Commanders Act `event_name`.
    pub ca_event: String,
    /// The TikTok event name (empty when none was mapped).
    pub event: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// `ready` until delivery reports: then queued, sent, failed, skipped or error.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub attempts: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tiktok: Option<TikTokAnswer>,
    pub warnings: Vec<Warning>,
    /// The match keys of the request (TikTok's names).
    pub match_keys: Vec<&'static str>,
    /// Sent with a `test_event_code`, or marked with `inspector_debug: true`.
    pub debug: bool,
    /// The incoming event, masked.
    pub input: Value,
    /// The TikTok request as planned and sent (token redacted), masked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<Value>,
}

impl Entry {
    /// The entry of `result`, planned from `input`, at `at_ms`.
    pub fn planned(input: &Node<'_>, result: &DestinationResult<'_>, at_ms: i64) -> Entry {
        let mut entry = Entry {
            at_ms,
            destination: result.destination.to_string(),
            ca_event: input.get("event_name").and_then(Node::as_str).unwrap_or_default().to_owned(),
            event: String::new(),
            event_id: None,
            status: "ready",
            reason: None,
            attempts: 0,
            tiktok: None,
            warnings: result.warnings.clone(),
            match_keys: vec![],
            debug: input.get(DEBUG_MARKER) == Some(&Node::Bool(true)),
            input: mask(&input.to_value()),
            request: None,
        };
        if let Outcome::Ready { event, request } = &result.outcome {
            entry.event = event.to_string();
            entry.match_keys = MatchKeys::of(&request.body).names();
            entry.event_id = event_id(&request.body);
            entry.request = serde_json::to_value(request).ok().map(|v| mask(&v));
        }
        entry.finish(result);
        entry.debug |= is_debug(input, result);
        entry
    }

    /// Takes in the final report of the same event and destination.
    pub fn finish(&mut self, result: &DestinationResult<'_>) {
        let Some((tally, reason)) = tally_of(&result.outcome) else { return };
        self.status = tally.as_str();
        self.reason = (!reason.is_empty()).then(|| reason.to_owned());
        self.warnings = result.warnings.clone();
        match &result.outcome {
            Outcome::Sent { attempts, tiktok, .. } => {
                self.attempts = *attempts;
                self.tiktok = Some(tiktok.clone());
            }
            Outcome::Failed { attempts, tiktok, .. } => {
                self.attempts = *attempts;
                self.tiktok = tiktok.clone();
            }
            _ => {}
        }
    }

    /// The entry as the store takes it.
    pub fn to_flush(&self) -> FlushEntry {
        FlushEntry {
            at_ms: self.at_ms,
            destination: self.destination.clone(),
            event: match self.event.is_empty() {
                true => self.ca_event.clone(),
                false => self.event.clone(),
            },
            status: self.status.to_owned(),
            debug: self.debug,
            json: serde_json::to_string(self).unwrap_or_default(),
        }
    }
}

/// Whether `result` (planned from `input`) is a debug event, cheaply (before an entry is built).
pub fn is_debug(input: &Node<'_>, result: &DestinationResult<'_>) -> bool {
    input.get(DEBUG_MARKER) == Some(&Node::Bool(true))
        || matches!(&result.outcome, Outcome::Ready { request, .. }
            if matches!(&request.body, Body::Track(t) if t.test_event_code.is_some()))
}

/// The name sampling counts by: the TikTok event name, else the Commanders Act one.
pub fn sample_name<'v>(input: &'v Node<'_>, result: &'v DestinationResult<'_>) -> &'v str {
    match &result.outcome {
        Outcome::Ready { event, .. } if !event.is_empty() => event,
        _ => input.get("event_name").and_then(Node::as_str).unwrap_or_default(),
    }
}

/// The id a log line names an event by: `context.event_id`, else the order `id`.
pub fn input_event_id<'v>(input: &'v Node<'_>) -> Option<&'v str> {
    input.get("context").and_then(|c| c.get("event_id")).or_else(|| input.get("id")).and_then(Node::as_str)
}

fn event_id(body: &Body<'_>) -> Option<String> {
    match body {
        Body::Track(t) => t.data.first().and_then(|e| e.event_id.as_ref()).map(|s| s.to_string()),
        Body::OfflineTrack(o) => o.event_id.as_ref().map(|s| s.to_string()),
        Body::OrderSync(o) => Some(o.order_info.order_id.to_string()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::{plan, Config, RequestContext, Secrets};
    use serde_json::{json, Value};

    fn planned(event: &Value, test_event_code: bool) -> Entry {
        let event = &Node::from_value(event);
        let code = if test_event_code { r#", "test_event_code": "TEST123", "environment": "staging""# } else { "" };
        let config = Config::from_json(&format!(
            r#"{{"destinations": [{{"id": "tiktok", "type": "events_api", "pixel_id": "CABCDEF1234567890"{code}}}]}}"#
        ))
        .unwrap();
        let secrets = Secrets::new().with("TIKTOK_ACCESS_TOKEN", "s3cr3t-token");
        let results = plan(&config, event, &RequestContext::at(1_765_290_725_123), &secrets);
        Entry::planned(event, &results[0], 42)
    }

    fn purchase() -> Value {
        json!({"event_name": "purchase", "id": "O_1", "value": 1, "currency": "EUR",
            "user": {"email": "John.Doe@Example.com", "phone": "+33612345678"},
            "context": {"event_id": "E_1", "device": {"ip": "203.0.113.10", "cookie": "_ttp=abc; sid=zzz"}}})
    }

    #[test]
    fn an_entry_holds_the_masked_event_and_request_and_never_raw_pii_or_tokens() {
        let entry = planned(&purchase(), false);
        let text = serde_json::to_string(&entry).unwrap();
        for raw in ["John.Doe", "john.doe", "+33612345678", "203.0.113.10", "s3cr3t-token", "zzz"] {
            assert!(!text.contains(raw), "{raw} in {text}");
        }
        assert_eq!(entry.status, "ready");
        assert_eq!(entry.event, "CompletePayment");
        assert_eq!(entry.ca_event, "purchase");
        assert_eq!(entry.event_id.as_deref(), Some("O_1"), "purchases are identified by their order id");
        assert_eq!(entry.match_keys, ["email", "phone", "ttp", "ip"]);
        assert!(!entry.debug);
        assert_eq!(entry.input["context"]["device"]["ip"], "203.0.113.0");
        assert_eq!(entry.request.as_ref().unwrap()["headers"]["Access-Token"], "<redacted>");
        assert_eq!(entry.request.as_ref().unwrap()["body"]["data"][0]["user"]["ip"], "203.0.113.0");
    }

    #[test]
    fn delivery_completes_the_entry() {
        let mut entry = planned(&purchase(), false);
        let tiktok = TikTokAnswer { code: Some(0), message: Some("OK".into()), request_id: Some("r1".into()) };
        let sent = DestinationResult {
            destination: "tiktok".into(),
            index: None,
            outcome: Outcome::Sent { event: "CompletePayment".into(), attempts: 2, tiktok: tiktok.clone() },
            warnings: vec![],
        };
        entry.finish(&sent);
        assert_eq!((entry.status, entry.attempts, entry.tiktok), ("sent", 2, Some(tiktok)));
        let flush = planned(&purchase(), false).to_flush();
        assert_eq!((flush.event.as_str(), flush.status.as_str(), flush.at_ms), ("CompletePayment", "ready", 42));
    }

    #[test]
    fn test_event_codes_and_the_debug_marker_make_debug_entries() {
        assert!(planned(&purchase(), true).debug);
        let mut marked = purchase();
        marked[DEBUG_MARKER] = json!(true);
        assert!(planned(&marked, false).debug);
    }

    #[test]
    fn a_skipped_event_keeps_its_ca_name_and_reason() {
        let entry = planned(&json!({"event_name": "no_such_event"}), false);
        assert_eq!((entry.status, entry.reason.as_deref()), ("skipped", Some("unmapped_event")));
        assert_eq!(entry.to_flush().event, "no_such_event");
        let results = [DestinationResult {
            destination: "tiktok".into(),
            index: None,
            outcome: Outcome::Skipped { reason: crate::SkipReason::UnmappedEvent },
            warnings: vec![],
        }];
        let input = json!({"event_name": "no_such_event", "id": "O_9"});
        let input = Node::from_value(&input);
        assert_eq!(sample_name(&input, &results[0]), "no_such_event");
        assert_eq!(input_event_id(&input), Some("O_9"));
        assert!(!is_debug(&input, &results[0]));
        assert!(entry.request.is_none());
    }
}
