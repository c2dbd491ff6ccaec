//! Queue delivery, pure part: message sizes and tags, merging a consumer batch back
//! into TikTok requests of up to 1,000 events, tokens only by secret name, the
//! retry/backoff/dead-letter decision, and dead letters that say why.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use serde_json::{json, Value};
use tiktok_edge::queue::{consume, dead_letter, event_ids, messages, next_step, Message, Planned, RetryPolicy, Step};
use tiktok_edge::{classify, plan, Config, Outcome, RequestContext, Secrets, MAX_EVENTS_PER_REQUEST};

const TOKEN: &str = "tok-secret-value";

fn config() -> Config {
    Config::from_value(&json!({"destinations": [
        {"id": "web", "type": "events_api", "pixel_id": "P1"},
        {"id": "orders", "type": "order_sync", "endpoint": "https://orders.example/sync",
         "third_merchant_id": "M", "third_shop_id": "S", "third_shop_name": "N", "order_country": "FR",
         "create_time": "1765290725", "payment_value": "{{value}}", "total_value": "{{value}}",
         "length_of_stay": "1", "amount_of_room": "1", "check_in_date": "2026-01-02", "check_out_date": "2026-01-03",
         "event_mapping": {"purchase": "CREATE_ORDER"}}]}))
    .unwrap()
}

fn secrets() -> Secrets {
    Secrets::new().with("TIKTOK_ACCESS_TOKEN", TOKEN)
}

fn event(i: usize, padding: usize) -> Value {
    json!({"event_name": "purchase", "id": format!("E{i}"), "value": 10, "currency": "EUR",
           "partners": {"tiktok": {"ttoclid": "T1"}}, "items": [{"id": "R1", "product": {"name": "Room"}}],
           "context": {"event_timestamp": 1765290725123_i64, "page": {"url": format!("https://shop.example/{}", "x".repeat(padding))}}})
}

/// (event index, destination index).
type Tag = (usize, usize);
/// Message texts with their tags, and the tags too large for any message.
type Enqueued = (Vec<(Vec<Tag>, String)>, Vec<Tag>);

/// Messages for the events of one call.
fn enqueue(cfg: &Config, events: &[Value]) -> Enqueued {
    let ctx = RequestContext::at(1_767_225_600_000);
    let mut planned = Vec::new();
    for (i, ev) in events.iter().enumerate() {
        for (j, r) in plan(cfg, ev, &ctx, &secrets()).into_iter().enumerate() {
            let d = &cfg.destinations[j];
            if let Outcome::Ready { request, .. } = r.outcome {
                planned.push(Planned { tag: (i, j), destination: &d.id, token_secret: &d.token_secret, request });
            }
        }
    }
    messages(planned)
}

fn data_len(text: &str) -> usize {
    let m: Message = serde_json::from_str(text).unwrap();
    m.request.pointer("/body/data").and_then(Value::as_array).map_or(1, Vec::len)
}

#[test]
fn a_call_becomes_few_messages_each_under_the_size_limit_without_the_token() {
    let cfg = config();
    let events: Vec<Value> = (0..100).map(|i| event(i, 0)).collect();
    let (msgs, too_large) = enqueue(&cfg, &events);
    assert!(too_large.is_empty());
    // 100 events: one Events API message, and 100 order-sync messages (never merged).
    let track: Vec<_> = msgs.iter().filter(|(tags, _)| tags[0].1 == 0).collect();
    assert_eq!(track.len(), 1);
    assert_eq!(track[0].0, (0..100).map(|i| (i, 0)).collect::<Vec<_>>());
    assert_eq!(msgs.len() - track.len(), 100);
    for (_, text) in &msgs {
        assert!(text.len() <= tiktok_edge::queue::MAX_MESSAGE_BYTES);
        assert!(!text.contains(TOKEN), "a token in a queue message");
        let m: Message = serde_json::from_str(text).unwrap();
        assert_eq!(m.token_secret, "TIKTOK_ACCESS_TOKEN");
        assert_eq!(m.request["headers"]["Access-Token"], "<redacted>");
    }
}

#[test]
fn large_events_are_split_across_messages_keeping_every_tag_once() {
    let cfg =
        Config::from_value(&json!({"destinations": [{"id": "web", "type": "events_api", "pixel_id": "P1"}]})).unwrap();
    // ~5 KB per event: 100 events need several messages of at most 120 KB.
    let events: Vec<Value> = (0..100).map(|i| event(i, 5000)).collect();
    let (msgs, too_large) = enqueue(&cfg, &events);
    assert!(too_large.is_empty());
    assert!(msgs.len() >= 5, "{} messages", msgs.len());
    let mut seen: Vec<usize> = Vec::new();
    for (tags, text) in &msgs {
        assert!(text.len() <= tiktok_edge::queue::MAX_MESSAGE_BYTES);
        assert_eq!(tags.len(), data_len(text));
        let m: Message = serde_json::from_str(text).unwrap();
        let ids: Vec<String> = tags.iter().map(|(i, _)| format!("E{i}")).collect();
        assert_eq!(event_ids(&m), ids, "tags follow data order");
        seen.extend(tags.iter().map(|(i, _)| *i));
    }
    assert_eq!(seen, (0..100).collect::<Vec<_>>());
    // One event alone larger than a message is reported, not dropped silently.
    let huge = vec![
        event(0, 30_000),
        json!({"event_name": "purchase", "id": "H", "items": (0..900)
        .map(|k| json!({"id": format!("{k:0>100}"), "product": {"name": "n".repeat(100)}})).collect::<Vec<_>>()}),
    ];
    let (msgs, too_large) = enqueue(&cfg, &huge);
    assert_eq!(msgs.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>(), vec![vec![(0, 0)]]);
    assert_eq!(too_large, vec![(1, 0)]);
}

#[test]
fn a_consumer_batch_of_100_messages_of_100_events_is_10_tiktok_requests() {
    let cfg =
        Config::from_value(&json!({"destinations": [{"id": "web", "type": "events_api", "pixel_id": "P1"}]})).unwrap();
    let mut bodies = Vec::new();
    for call in 0..100 {
        let events: Vec<Value> = (0..100).map(|i| event(call * 100 + i, 0)).collect();
        let (msgs, _) = enqueue(&cfg, &events);
        bodies.extend(msgs.into_iter().map(|(_, t)| t));
    }
    assert_eq!(bodies.len(), 100);
    let consumed = consume(&bodies, &secrets());
    assert!(consumed.unsendable.is_empty());
    let sizes: Vec<usize> =
        consumed.batches.iter().map(|b| b.request["body"]["data"].as_array().unwrap().len()).collect();
    assert_eq!(sizes, vec![MAX_EVENTS_PER_REQUEST; 10]);
    let carried: Vec<usize> = consumed.batches.iter().flat_map(|b| b.tags.clone()).collect();
    assert_eq!(carried, (0..100).collect::<Vec<_>>(), "every message in exactly one request");
    assert_eq!(consumed.batches[0].request["headers"]["Access-Token"], TOKEN, "the token is filled in to send");
}

#[test]
fn unreadable_messages_and_missing_tokens_are_unsendable_with_a_reason() {
    let cfg =
        Config::from_value(&json!({"destinations": [{"id": "web", "type": "events_api", "pixel_id": "P1"}]})).unwrap();
    let (msgs, _) = enqueue(&cfg, &[event(1, 0)]);
    let good = msgs[0].1.clone();
    let other_secret = good.replace("\"TIKTOK_ACCESS_TOKEN\"", "\"ROTATED_AWAY\"");
    let consumed = consume(&[good, "not json".into(), other_secret], &secrets());
    assert_eq!(consumed.batches.len(), 1);
    assert_eq!(consumed.batches[0].tags, vec![0]);
    assert_eq!(consumed.unsendable, vec![(1, "invalid_message"), (2, "missing_secret")]);
    assert!(consumed.messages[1].is_none() && consumed.messages[2].is_some());
}

#[test]
fn retries_back_off_exponentially_respect_tiktok_waits_and_end_in_the_dead_letter_queue() {
    let policy = RetryPolicy { max_attempts: 5, base_delay_s: 2, max_delay_s: 60 };
    let ok = classify(200, r#"{"code":0,"message":"OK"}"#);
    let server = classify(500, "");
    let rate = classify(200, r#"{"code":40100,"message":"Too many requests"}"#);
    let maintenance = classify(200, r#"{"code":60001,"message":"maintenance"}"#);
    let bad = classify(200, r#"{"code":40002,"message":"Invalid"}"#);
    assert_eq!(next_step(&ok, 1, &policy, 0.5), Step::Ack);
    assert_eq!(next_step(&bad, 1, &policy, 0.5), Step::DeadLetter, "non-retryable: dead letter at once");
    // jitter 0.5 = exactly the nominal delay: 2 s exponential vs 2 s suggested for server errors.
    let delays: Vec<Step> = (1..=4).map(|n| next_step(&server, n, &policy, 0.5)).collect();
    assert_eq!(delays, [2, 4, 8, 16].map(|d| Step::Retry { delay_s: d }));
    assert_eq!(next_step(&server, 5, &policy, 0.5), Step::DeadLetter, "bounded attempts");
    assert_eq!(next_step(&rate, 1, &policy, 0.5), Step::Retry { delay_s: 10 }, "rate limit waits at least 10 s");
    assert_eq!(next_step(&maintenance, 1, &policy, 0.5), Step::Retry { delay_s: 60 }, "capped");
    // Jitter stays within ±20% and never exceeds the cap.
    assert_eq!(next_step(&server, 3, &policy, 0.0), Step::Retry { delay_s: 6 });
    assert_eq!(next_step(&server, 3, &policy, 0.999), Step::Retry { delay_s: 10 });
    assert_eq!(next_step(&maintenance, 1, &policy, 1.0), Step::Retry { delay_s: 60 });
    let immediate = RetryPolicy { max_attempts: 3, base_delay_s: 0, max_delay_s: 0 };
    assert_eq!(next_step(&rate, 1, &immediate, 0.7), Step::Retry { delay_s: 0 });
}

#[test]
fn a_dead_letter_is_the_message_with_tiktoks_last_answer_and_no_token() {
    let cfg =
        Config::from_value(&json!({"destinations": [{"id": "web", "type": "events_api", "pixel_id": "P1"}]})).unwrap();
    let (msgs, _) = enqueue(&cfg, &[event(7, 0)]);
    let consumed = consume(&[msgs[0].1.clone()], &secrets());
    let message = consumed.messages[0].as_ref().unwrap();
    let c = classify(200, r#"{"code":40100,"message":"Too many requests","request_id":"R1"}"#);
    let text = dead_letter(message, 8, c.reason, Some(&c));
    assert!(!text.contains(TOKEN));
    let back: Message = serde_json::from_str(&text).unwrap();
    let why = back.dead_letter.clone().unwrap();
    assert_eq!(
        (why.reason.as_str(), why.attempts, why.code, why.request_id.as_deref()),
        ("rate_limited", 8, Some(40100), Some("R1"))
    );
    assert_eq!(event_ids(&back), vec!["E7"]);
    // A dead letter is a valid message again: replaying it is enqueueing it.
    let replayed = consume(&[text], &secrets());
    assert_eq!(replayed.batches.len(), 1);
}
