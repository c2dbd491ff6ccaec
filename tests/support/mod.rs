//! Shared by the delivery tests: configs, events, and a scripted TikTok that behaves
//! like the real one where it matters (one bad row fails the whole request).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use serde_json::{json, Value};
use tiktok_edge::delivery::request::Outgoing;
use tiktok_edge::delivery::Driven;
use tiktok_edge::node::Node;
use tiktok_edge::{plan, Config, DestinationResult, RequestContext, Secrets};

pub const TOKEN: &str = "tok-secret-value";
pub const NOW: i64 = 1_767_225_600_000;

pub fn secrets() -> Secrets {
    Secrets::new().with("TIKTOK_ACCESS_TOKEN", TOKEN)
}

pub fn one_pixel() -> Config {
    Config::from_value(&json!({"destinations": [{"id": "web", "type": "events_api", "pixel_id": "P1"}]})).unwrap()
}

/// A purchase with event_id `id`.
pub fn event(id: &str) -> Value {
    json!({"event_name": "purchase", "id": id, "value": 10, "currency": "EUR",
           "context": {"event_timestamp": 1765290725123_i64}})
}

pub fn planned<'a>(cfg: &'a Config, events: &'a [Value]) -> Vec<Vec<DestinationResult<'a>>> {
    // The results borrow the events' trees: kept for the test's life (tests only).
    let nodes: &'a [Node<'a>] = Box::leak(events.iter().map(Node::from_value).collect::<Vec<_>>().into_boxed_slice());
    nodes.iter().map(|e| plan(cfg, e, &RequestContext::at(NOW), &secrets())).collect()
}

/// The event_ids of a request body.
pub fn ids(body: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(body).unwrap();
    match v.get("data").and_then(Value::as_array) {
        Some(data) => data.iter().map(|d| d["event_id"].as_str().unwrap_or_default().to_owned()).collect(),
        None => v.get("event_id").and_then(Value::as_str).map(str::to_owned).into_iter().collect(),
    }
}

/// How the scripted TikTok treats a request holding a bad event.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Bad {
    /// 40002 for the whole request, without saying which event.
    Reject,
    /// 40002 naming the event's `data` position.
    RejectNamed,
    /// 20001: the others kept, the bad ones not (alone: 40002).
    Partial,
    /// 20001 listing the bad events in `data.failed_events`.
    PartialListed,
}

/// A TikTok that refuses events whose id starts with `BAD`, and remembers what it kept.
pub struct TikTok {
    pub bad: Bad,
    pub kept: Vec<String>,
    pub requests: usize,
}

impl TikTok {
    pub fn new(bad: Bad) -> TikTok {
        TikTok { bad, kept: Vec::new(), requests: 0 }
    }

    pub fn answer(&mut self, o: &Outgoing) -> (u16, String) {
        assert_eq!(o.token.expose(), TOKEN, "the token is put in at send time");
        self.requests += 1;
        let ids = ids(&o.body);
        let bad: Vec<usize> = ids.iter().enumerate().filter(|(_, id)| id.starts_with("BAD")).map(|(i, _)| i).collect();
        let reject = |i: usize| {
            let path = if self.bad == Bad::RejectNamed { format!("data.{i}.event_id") } else { "event_id".into() };
            (
                200,
                json!({"code": 40002, "message": format!("Invalid value for {path}: not a valid string."),
                         "request_id": "R-bad"})
                .to_string(),
            )
        };
        match (bad.first(), self.bad) {
            (None, _) => {
                self.kept.extend(ids);
                (200, json!({"code": 0, "message": "OK", "request_id": "R-ok", "data": {}}).to_string())
            }
            (Some(&i), Bad::Reject | Bad::RejectNamed) => reject(i),
            (Some(&i), Bad::Partial | Bad::PartialListed) if ids.len() == 1 => reject(i),
            (Some(_), partial) => {
                self.kept.extend(ids.iter().filter(|id| !id.starts_with("BAD")).cloned());
                let failed: Vec<Value> =
                    bad.iter().map(|i| json!({"index": i, "code": 40002, "message": "bad row"})).collect();
                let data = if partial == Bad::PartialListed { json!({"failed_events": failed}) } else { json!({}) };
                (
                    200,
                    json!({"code": 20001, "message": "Partial success.", "request_id": "R-part", "data": data})
                        .to_string(),
                )
            }
        }
    }
}

/// Drives a run to its end, answering every request with `answer`, the clock moving
/// `step_ms` per round (waits are skipped to their end).
pub fn drive(run: &mut impl Driven, mut answer: impl FnMut(&Outgoing) -> (u16, String), step_ms: i64) -> usize {
    let mut now = NOW;
    let mut max_in_flight = 0;
    for _ in 0..10_000 {
        let sends = run.start(now, &secrets());
        max_in_flight = max_in_flight.max(sends.len());
        if run.is_done() {
            return max_in_flight;
        }
        if sends.is_empty() {
            now = run.wake_at().expect("a run with nothing to send and nothing in flight says when to wake");
            continue;
        }
        now += step_ms;
        for (id, o) in sends {
            let (status, body) = answer(&o);
            run.answer(id, status, &body, now, 0.5);
        }
    }
    panic!("the run did not end");
}
