//! Batching limits and keys: 999 / 1000 / 1001 events, mixed keys, test vs live,
//! tokens, order and per-event tags.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use serde_json::{json, Value};
use tiktok_edge::delivery::batch::merge;
use tiktok_edge::delivery::request::{Body, Request};
use tiktok_edge::{plan, Batch, Config, Outcome, RequestContext, Secrets, MAX_EVENTS_PER_REQUEST};

fn config(doc: Value) -> Config {
    Config::from_value(&doc).unwrap()
}

fn secrets() -> Secrets {
    Secrets::new().with("TIKTOK_ACCESS_TOKEN", "tok-a").with("SAME_TOKEN", "tok-a").with("OTHER_TOKEN", "tok-b")
}

fn event(i: usize, source: &str) -> Value {
    json!({"event_name": "purchase", "id": format!("E{i}"), "value": i, "user": {"email": "a@b.c"},
           "partners": {"tiktok": {"event_source": source}}, "context": {"event_timestamp": 1765290725123_i64}})
}

/// Plans every event for every destination and merges the requests; tags are
/// (event index, destination id).
fn batch(cfg: &Config, events: &[Value], secrets: &Secrets) -> Vec<Batch<(usize, String)>> {
    let ctx = RequestContext::at(1_767_225_600_000);
    let mut out = Vec::new();
    for (i, ev) in events.iter().enumerate() {
        let ev = tiktok_edge::node::Node::from_value(ev);
        for (r, d) in plan(cfg, &ev, &ctx, secrets).into_iter().zip(&cfg.destinations) {
            match r.outcome {
                Outcome::Ready { request, .. } => {
                    let owned = Request::from_planned(&d.id, &d.token_secret, &request);
                    out.push(Batch::one(owned, (i, d.id.clone())));
                }
                other => panic!("event {i} not ready: {other:?}"),
            }
        }
    }
    merge(out)
}

fn track_data_ids(request: &Request) -> Vec<String> {
    assert!(matches!(request.body, Body::Track(_)), "not an Events API body");
    request.event_ids()
}

fn one_pixel() -> Config {
    config(json!({"destinations": [{"id": "web", "type": "events_api", "pixel_id": "P1"}]}))
}

#[test]
fn limits_999_1000_1001() {
    let cfg = one_pixel();
    for (n, sizes) in [(999, vec![999]), (1000, vec![1000]), (1001, vec![1000, 1]), (2500, vec![1000, 1000, 500])] {
        let events: Vec<Value> = (0..n).map(|i| event(i, "web")).collect();
        let batches = batch(&cfg, &events, &secrets());
        let got: Vec<usize> = batches.iter().map(|b| track_data_ids(&b.request).len()).collect();
        assert_eq!(got, sizes, "{n} events");
        // Order is kept, and each batch's tags name exactly its events, in data order.
        let ids: Vec<String> = batches.iter().flat_map(|b| track_data_ids(&b.request)).collect();
        assert_eq!(ids, (0..n).map(|i| format!("E{i}")).collect::<Vec<_>>());
        for b in &batches {
            let tagged: Vec<String> = b.tags.iter().map(|(i, _)| format!("E{i}")).collect();
            assert_eq!(tagged, track_data_ids(&b.request));
            assert!(track_data_ids(&b.request).len() <= MAX_EVENTS_PER_REQUEST);
        }
    }
}

#[test]
fn different_event_sources_are_never_merged() {
    let cfg = one_pixel();
    let events: Vec<Value> = (0..6).map(|i| event(i, if i % 2 == 0 { "web" } else { "offline" })).collect();
    let batches = batch(&cfg, &events, &secrets());
    let ids: Vec<Vec<String>> = batches.iter().map(|b| track_data_ids(&b.request)).collect();
    assert_eq!(ids, vec![vec!["E0", "E2", "E4"], vec!["E1", "E3", "E5"]]);
}

#[test]
fn test_events_never_travel_with_live_ones() {
    let cfg = config(json!({"destinations": [
        {"id": "live", "type": "events_api", "pixel_id": "P1"},
        {"id": "test", "type": "events_api", "pixel_id": "P1", "test_event_code": "TEST1", "environment": "staging"}]}));
    let events: Vec<Value> = (0..3).map(|i| event(i, "web")).collect();
    let batches = batch(&cfg, &events, &secrets());
    assert_eq!(batches.len(), 2);
    for b in &batches {
        let Body::Track(body) = &b.request.body else { panic!() };
        let dest = &b.tags[0].1;
        assert!(b.tags.iter().all(|(_, d)| d == dest));
        assert_eq!(body.test_event_code.is_some(), dest == "test");
        assert_eq!(body.data.len(), 3);
    }
}

#[test]
fn tokens_and_pixels_split_batches() {
    let cfg = config(json!({"destinations": [
        {"id": "a", "type": "events_api", "pixel_id": "P1"},
        {"id": "a-same-token", "type": "events_api", "pixel_id": "P1", "access_token_secret": "SAME_TOKEN"},
        {"id": "b-other-token", "type": "events_api", "pixel_id": "P1", "access_token_secret": "OTHER_TOKEN"},
        {"id": "c-other-pixel", "type": "events_api", "pixel_id": "P2"}]}));
    let events = vec![event(0, "web")];
    let batches = batch(&cfg, &events, &secrets());
    let groups: Vec<Vec<&str>> = batches.iter().map(|b| b.tags.iter().map(|(_, d)| d.as_str()).collect()).collect();
    // Requests merge by the secret's name (the token itself is only read at send time).
    assert_eq!(groups, vec![vec!["a"], vec!["a-same-token"], vec!["b-other-token"], vec!["c-other-pixel"]]);
}

#[test]
fn legacy_offline_and_order_sync_requests_are_never_merged() {
    let cfg = config(json!({"destinations": [
        {"id": "off", "type": "offline_events", "event_set_id": "7181537436256731137", "api": "offline_track",
         "mapping": {"purchase": "CompletePayment"}}]}));
    let events: Vec<Value> = (0..3).map(|i| event(i, "web")).collect();
    let batches = batch(&cfg, &events, &secrets());
    assert_eq!(batches.len(), 3);
    assert!(batches.iter().all(|b| matches!(b.request.body, Body::Single(_)) && b.tags.len() == 1));
}

#[test]
fn the_merged_body_is_what_tiktok_expects() {
    let cfg = one_pixel();
    let events: Vec<Value> = (0..2).map(|i| event(i, "web")).collect();
    let batches = batch(&cfg, &events, &secrets());
    let body: Value = serde_json::from_str(&batches[0].request.body_text()).unwrap();
    assert_eq!(body["event_source"], "web");
    assert_eq!(body["event_source_id"], "P1");
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
    assert_eq!(body["data"][1]["event_id"], "E1");
    assert_eq!(batches[0].request.url, "https://business-api.tiktok.com/open_api/v1.3/event/track/");
}
