//! Event identity (issue 14): a derived `event_id` tells apart what TikTok would see
//! as different events, and stays the same for a retried event.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use serde_json::{json, Value};
use tiktok_edge::node::Node;
use tiktok_edge::{plan, Config, RequestContext, Secrets};

fn event_id(event: &Value, ip: &str, user_agent: &str, cookie: &str) -> (Value, Value) {
    let config =
        Config::from_json(r#"{"destinations": [{"id": "t", "type": "events_api", "pixel_id": "C1"}]}"#).unwrap();
    let ctx = RequestContext {
        now_ms: 1_767_225_600_000,
        cookie: Some(cookie.into()),
        ip: Some(ip.into()),
        user_agent: Some(user_agent.into()),
    };
    let secrets = Secrets::new().with("TIKTOK_ACCESS_TOKEN", "t");
    let result = serde_json::to_value(plan(&config, &Node::from_value(event), &ctx, &secrets)).unwrap();
    (result[0]["request"]["body"]["data"][0]["event_id"].clone(), result[0]["warnings"].clone())
}

#[test]
fn two_visitors_identical_events_without_id_get_different_ids() {
    let add = json!({"event_name": "add_to_cart", "value": 8, "currency": "EUR"});
    let (a, warnings) = event_id(&add, "203.0.113.10", "UA-a", "_ttp=visitorA");
    let (b, _) = event_id(&add, "198.51.100.7", "UA-b", "_ttp=visitorB");
    assert_ne!(a, b);
    assert!(a.as_str().unwrap().starts_with("ca_"));
    // No time of its own: identical events of one visitor would collapse, and it says so.
    assert_eq!(warnings, json!([{"code": "event_id_may_collide", "path": "id"}]));
    // The same visitor sending the same event again (a retry): the same id.
    assert_eq!(event_id(&add, "203.0.113.10", "UA-a", "_ttp=visitorA").0, a);
}

#[test]
fn the_event_time_tells_one_visitors_repeated_events_apart() {
    let at = |ms: i64| json!({"event_name": "add_to_cart", "value": 8, "context": {"event_timestamp": ms}});
    let (first, warnings) = event_id(&at(1_765_290_725_123), "203.0.113.10", "UA-a", "_ttp=A");
    let (second, _) = event_id(&at(1_765_290_799_000), "203.0.113.10", "UA-a", "_ttp=A");
    assert_ne!(first, second);
    assert_eq!(warnings, Value::Null, "a timestamped event needs no warning");
}

#[test]
fn an_sdk_event_id_is_sent_as_is() {
    let ev = json!({"event_name": "add_to_cart", "context": {"event_id": "evt-1"}});
    assert_eq!(event_id(&ev, "203.0.113.10", "UA-a", "").0, json!("evt-1"));
}
