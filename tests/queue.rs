//! Queued delivery decided in the core: message sizes and tags, merging a consumer
//! batch back into TikTok requests of up to 1,000 events, tokens only by secret name,
//! retries with backoff, dead letters that say why, foreign URLs refused, and a
//! poisoned merged batch split back into the queue until only the bad event is left.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod support;

use serde_json::{json, Value};
use std::collections::VecDeque;
use support::{drive, event, one_pixel, planned, Bad, TikTok, TOKEN};
use tiktok_edge::delivery::queue::{Message, MAX_MESSAGE_BYTES};
use tiktok_edge::delivery::{Call, Consumer, ConsumerPolicy, Outbound, Settle, Settlement};
use tiktok_edge::{Config, MAX_EVENTS_PER_REQUEST};

fn policy() -> ConsumerPolicy {
    ConsumerPolicy::new(5, 2, 60, 50)
}

/// The message texts a call's events become.
fn enqueue(cfg: &Config, events: &[Value]) -> Vec<(Vec<usize>, String)> {
    // Positions are those of the reports: one per event and destination, in order.
    Call::new(planned(cfg, events), true).messages()
}

fn padded(i: usize, padding: usize) -> Value {
    json!({"event_name": "purchase", "id": format!("E{i}"), "value": 10,
           "context": {"page": {"url": format!("https://shop.example/{}", "x".repeat(padding))}}})
}

/// One consumer invocation over `bodies` answered by `answer`.
fn consume(
    cfg: &Config,
    bodies: &[String],
    attempts: &[u32],
    answer: impl FnMut(&tiktok_edge::delivery::request::Outgoing) -> (u16, String),
) -> Vec<Settlement> {
    consume_with(cfg, bodies, attempts, policy(), answer)
}

fn consume_with(
    cfg: &Config,
    bodies: &[String],
    attempts: &[u32],
    policy: ConsumerPolicy,
    answer: impl FnMut(&tiktok_edge::delivery::request::Outgoing) -> (u16, String),
) -> Vec<Settlement> {
    let mut run = Consumer::new(bodies, attempts, cfg, policy);
    drive(&mut run, answer, 100);
    run.settlements().0
}

#[test]
fn a_call_becomes_few_messages_each_under_the_size_limit_without_the_token() {
    let cfg = one_pixel();
    let events: Vec<Value> = (0..100).map(|i| event(&format!("E{i}"))).collect();
    let msgs = enqueue(&cfg, &events);
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].0, (0..100).collect::<Vec<_>>());
    let m: Value = serde_json::from_str(&msgs[0].1).unwrap();
    assert!(!msgs[0].1.contains(TOKEN), "a token in a queue message");
    assert_eq!(m["token_secret"], "TIKTOK_ACCESS_TOKEN");
    assert_eq!(m["destination"], "web");
    assert_eq!(m["request"]["headers"]["Access-Token"], "<redacted>");
    assert_eq!(m["request"]["body"]["data"].as_array().unwrap().len(), 100);
}

#[test]
fn large_events_are_split_across_messages_keeping_every_tag_once() {
    let cfg = one_pixel();
    let events: Vec<Value> = (0..100).map(|i| padded(i, 5000)).collect();
    let msgs = enqueue(&cfg, &events);
    assert!(msgs.len() >= 5, "{} messages", msgs.len());
    let mut seen = Vec::new();
    for (tags, text) in &msgs {
        assert!(text.len() <= MAX_MESSAGE_BYTES);
        let m = Message::parse(text).unwrap();
        let ids: Vec<String> = tags.iter().map(|i| format!("E{i}")).collect();
        assert_eq!(m.request.event_ids(), ids, "tags follow data order");
        seen.extend(tags.iter().copied());
    }
    assert_eq!(seen, (0..100).collect::<Vec<_>>());
    // One event alone larger than a message is reported failed, not dropped silently.
    let huge = vec![
        padded(0, 30_000),
        json!({"event_name": "purchase", "id": "H", "items": (0..900)
        .map(|k| json!({"id": format!("{k:0>100}"), "product": {"name": "n".repeat(100)}})).collect::<Vec<_>>()}),
    ];
    let mut call = Call::new(planned(&cfg, &huge), true);
    let msgs = call.messages();
    assert_eq!(msgs.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>(), vec![vec![0]]);
    let r = serde_json::to_value(&call.results()[1]).unwrap();
    assert_eq!(
        (r["status"].as_str(), r["reason"].as_str(), r["retryable"].as_bool()),
        (Some("failed"), Some("message_too_large"), Some(false))
    );
}

#[test]
fn a_consumer_batch_of_100_messages_of_100_events_is_10_tiktok_requests() {
    let cfg = one_pixel();
    let mut bodies = Vec::new();
    for call in 0..100 {
        let events: Vec<Value> = (0..100).map(|i| event(&format!("E{}", call * 100 + i))).collect();
        bodies.extend(enqueue(&cfg, &events).into_iter().map(|(_, t)| t));
    }
    assert_eq!(bodies.len(), 100);
    let mut sizes = Vec::new();
    let settlements = consume(&cfg, &bodies, &[1; 100], |o| {
        assert_eq!(o.token.expose(), TOKEN, "the token is filled in to send");
        sizes.push(support::ids(&o.body).len());
        (200, r#"{"code":0,"message":"OK"}"#.into())
    });
    assert_eq!(sizes, vec![MAX_EVENTS_PER_REQUEST; 10]);
    let mut acked: Vec<usize> = settlements.iter().flat_map(|s| s.messages.clone()).collect();
    acked.sort_unstable();
    assert_eq!(acked, (0..100).collect::<Vec<_>>(), "every message settled once");
    assert!(settlements.iter().all(|s| s.then == Settle::Ack && s.send.is_empty() && s.delivered == 100));
}

fn dead_reasons(settlements: &[Settlement]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for s in settlements {
        for out_msg in &s.send {
            if let Outbound::DeadLetter(text) = out_msg {
                let v: Value = serde_json::from_str(text).unwrap();
                out.push((s.messages[0], v["dead_letter"]["reason"].as_str().unwrap().to_owned()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn unreadable_messages_missing_tokens_and_foreign_urls_are_dead_lettered_with_a_reason() {
    let cfg = one_pixel();
    let good = enqueue(&cfg, &[event("E1")])[0].1.clone();
    let other_secret = good.replace("\"TIKTOK_ACCESS_TOKEN\"", "\"ROTATED_AWAY\"");
    let foreign = good.replace("https://business-api.tiktok.com", "https://attacker.example");
    let mut sent_to = Vec::new();
    let settlements = consume(&cfg, &[good, "not json".into(), other_secret, foreign], &[1; 4], |o| {
        sent_to.push(o.url.clone());
        (200, r#"{"code":0}"#.into())
    });
    assert_eq!(sent_to, vec!["https://business-api.tiktok.com/open_api/v1.3/event/track/"]);
    assert_eq!(
        dead_reasons(&settlements),
        vec![(1, "invalid_message".into()), (2, "foreign_url".into()), (3, "foreign_url".into())]
    );
    // The unreadable body is kept whole in its dead letter.
    let raw = settlements.iter().find(|s| s.messages == [1]).unwrap();
    assert!(matches!(&raw.send[0], Outbound::DeadLetter(t) if t.contains("not json")));
    // Without a dead-letter queue (a failed send) the message stays and is retried.
    assert_eq!(raw.otherwise, Settle::Retry { delay_s: 60 });
}

#[test]
fn a_message_whose_secret_is_not_set_is_dead_lettered_not_sent() {
    let cfg = Config::from_value(&json!({"destinations": [
        {"id": "web", "type": "events_api", "pixel_id": "P1", "access_token_secret": "OTHER"}]}))
    .unwrap();
    // Planning needs the secret; the consumer reads it again and it is gone.
    let with = support::secrets().with("OTHER", "x");
    let e = event("E1");
    let e = tiktok_edge::node::Node::from_value(&e);
    let planned = vec![tiktok_edge::plan(&cfg, &e, &tiktok_edge::RequestContext::at(0), &with)];
    let body = Call::new(planned, false).messages()[0].1.clone();
    let settlements = consume(&cfg, &[body], &[1], |_| panic!("nothing is sent without its token"));
    assert_eq!(dead_reasons(&settlements), vec![(0, "missing_secret".into())]);
}

#[test]
fn retries_back_off_exponentially_respect_tiktok_waits_and_end_in_the_dead_letter_queue() {
    let cfg = one_pixel();
    let body = enqueue(&cfg, &[event("E1")])[0].1.clone();
    let retry = |answer: (u16, &str), attempts: u32| {
        let s = consume(&cfg, std::slice::from_ref(&body), &[attempts], |_| (answer.0, answer.1.to_owned()));
        (s[0].then, dead_reasons(&s))
    };
    let server = (500, "");
    // jitter 0.5: the nominal delay, base 2 s doubling.
    for (attempts, delay) in [(1, 2), (2, 4), (3, 8), (4, 16)] {
        assert_eq!(retry(server, attempts), (Settle::Retry { delay_s: delay }, vec![]));
    }
    assert_eq!(retry(server, 5), (Settle::Ack, vec![(0, "server_error".into())]), "bounded attempts");
    let rate = (200, r#"{"code":40100,"message":"Too many requests"}"#);
    assert_eq!(retry(rate, 1).0, Settle::Retry { delay_s: 10 }, "a rate limit waits at least 10 s");
    let maintenance = (200, r#"{"code":60001,"message":"maintenance"}"#);
    assert_eq!(retry(maintenance, 1).0, Settle::Retry { delay_s: 60 }, "capped");
    let bad = (200, r#"{"code":40001,"message":"No permission"}"#);
    assert_eq!(retry(bad, 1), (Settle::Ack, vec![(0, "permission_denied".into())]), "refused: dead letter at once");
}

#[test]
fn a_dead_letter_is_the_message_with_tiktoks_last_answer_and_no_token_and_replays_as_it_is() {
    let cfg = one_pixel();
    let body = enqueue(&cfg, &[event("E7")])[0].1.clone();
    let s = consume(&cfg, &[body], &[5], |_| (200, r#"{"code":40100,"message":"Too many","request_id":"R1"}"#.into()));
    let Outbound::DeadLetter(text) = &s[0].send[0] else { panic!() };
    assert!(!text.contains(TOKEN));
    let back = Message::parse(text).unwrap();
    let why = back.dead_letter.clone().unwrap();
    assert_eq!(
        (why.reason.as_str(), why.attempts, why.code, why.request_id.as_deref()),
        ("rate_limited", 5, Some(40100), Some("R1"))
    );
    assert_eq!(back.request.event_ids(), vec!["E7"]);
    let replayed = consume(&cfg, std::slice::from_ref(text), &[1], |_| (200, r#"{"code":0}"#.into()));
    assert_eq!(replayed[0].delivered, 1);
}

/// A queue: messages with their attempts, consumer invocations of up to 100 of them,
/// requeued parts appended, retries put back with one more attempt. Returns the dead
/// letters and how many invocations it took.
fn run_queue(cfg: &Config, bodies: Vec<String>, tiktok: &mut TikTok) -> (Vec<Value>, usize) {
    run_queue_with(cfg, bodies, tiktok, policy())
}

fn run_queue_with(
    cfg: &Config,
    bodies: Vec<String>,
    tiktok: &mut TikTok,
    policy: ConsumerPolicy,
) -> (Vec<Value>, usize) {
    let mut queue: VecDeque<(String, u32)> = bodies.into_iter().map(|b| (b, 1)).collect();
    let mut dead = Vec::new();
    for invocation in 1..=200 {
        if queue.is_empty() {
            return (dead, invocation - 1);
        }
        let batch: Vec<(String, u32)> = queue.drain(..queue.len().min(100)).collect();
        let bodies: Vec<String> = batch.iter().map(|(b, _)| b.clone()).collect();
        let attempts: Vec<u32> = batch.iter().map(|(_, a)| *a).collect();
        let settlements = consume_with(cfg, &bodies, &attempts, policy, |o| tiktok.answer(o));
        let mut settled = vec![0; batch.len()];
        for s in settlements {
            for out in s.send {
                match out {
                    Outbound::Requeue(t) => queue.push_back((t, 1)),
                    Outbound::DeadLetter(t) => dead.push(serde_json::from_str(&t).unwrap()),
                }
            }
            for i in s.messages {
                settled[i] += 1;
                if let Settle::Retry { .. } = s.then {
                    queue.push_back((batch[i].0.clone(), batch[i].1 + 1));
                }
            }
        }
        assert!(settled.iter().all(|n| *n == 1), "every message settled exactly once: {settled:?}");
    }
    panic!("the queue did not drain");
}

#[test]
fn a_poisoned_batch_mixing_two_calls_dead_letters_only_the_bad_event() {
    for bad in [Bad::Reject, Bad::RejectNamed, Bad::Partial, Bad::PartialListed] {
        let cfg = one_pixel();
        let mut first: Vec<Value> = (0..50).map(|i| event(&format!("A{i}"))).collect();
        first[17] = event("BAD_A17");
        let second: Vec<Value> = (0..50).map(|i| event(&format!("B{i}"))).collect();
        let mut bodies: Vec<String> = enqueue(&cfg, &first).into_iter().map(|(_, t)| t).collect();
        bodies.extend(enqueue(&cfg, &second).into_iter().map(|(_, t)| t));
        assert_eq!(bodies.len(), 2, "two callers' messages, merged by the consumer");
        let mut tiktok = TikTok::new(bad);
        let (dead, _) = run_queue(&cfg, bodies, &mut tiktok);
        let dead_ids: Vec<String> = dead.iter().flat_map(|d| support::ids(&d["request"]["body"].to_string())).collect();
        assert_eq!(dead_ids, vec!["BAD_A17"]);
        assert_eq!(dead[0]["dead_letter"]["code"], 40002);
        let mut kept = tiktok.kept.clone();
        kept.sort();
        kept.dedup();
        assert_eq!(kept.len(), 99, "every good event delivered");
    }
}

fn poisoned_calls(cfg: &Config) -> Vec<String> {
    let mut first: Vec<Value> = (0..50).map(|i| event(&format!("A{i}"))).collect();
    first[17] = event("BAD_A17");
    let second: Vec<Value> = (0..50).map(|i| event(&format!("B{i}"))).collect();
    let mut bodies: Vec<String> = enqueue(cfg, &first).into_iter().map(|(_, t)| t).collect();
    bodies.extend(enqueue(cfg, &second).into_iter().map(|(_, t)| t));
    bodies
}

#[test]
fn a_poisoned_batch_is_isolated_within_one_invocation_when_the_budget_allows() {
    let cfg = one_pixel();
    let mut tiktok = TikTok::new(Bad::Reject);
    let (dead, invocations) = run_queue(&cfg, poisoned_calls(&cfg), &mut tiktok);
    assert_eq!((dead.len(), invocations), (1, 1), "no round trip through the queue");
    // 100 events: the merged request, then two halves per level down to the bad one.
    assert!(tiktok.requests <= 1 + tiktok_edge::delivery::policy::split_bound(100, 1), "{} requests", tiktok.requests);
}

#[test]
fn when_the_budget_runs_out_the_unresolved_parts_go_back_to_the_queue() {
    let cfg = one_pixel();
    let mut tiktok = TikTok::new(Bad::Reject);
    let tight = ConsumerPolicy::new(5, 2, 60, 3);
    let (dead, invocations) = run_queue_with(&cfg, poisoned_calls(&cfg), &mut tiktok, tight);
    assert!(invocations > 1, "parts went back to the queue");
    let ids: Vec<String> = dead.iter().flat_map(|d| support::ids(&d["request"]["body"].to_string())).collect();
    assert_eq!(ids, vec!["BAD_A17"]);
    let mut kept = tiktok.kept.clone();
    kept.sort();
    kept.dedup();
    assert_eq!(kept.len(), 99);
}

#[test]
fn a_message_the_budget_leaves_unsent_goes_back_keeping_its_count_of_attempts() {
    let cfg = Config::from_value(&json!({"destinations": [
        {"id": "a", "type": "events_api", "pixel_id": "P1"}, {"id": "b", "type": "events_api", "pixel_id": "P2"}]}))
    .unwrap();
    let bodies: Vec<String> = enqueue(&cfg, &[event("E1")]).into_iter().map(|(_, t)| t).collect();
    assert_eq!(bodies.len(), 2, "two pixels: two requests");
    let one = ConsumerPolicy::new(5, 2, 60, 1);
    let settlements = consume_with(&cfg, &bodies, &[1, 4], one, |_| (200, r#"{"code":0}"#.into()));
    let deferred = settlements.iter().find(|s| s.messages == [1]).unwrap();
    assert_eq!((deferred.then, deferred.otherwise), (Settle::Ack, Settle::Retry { delay_s: 0 }));
    let Outbound::Requeue(copy) = &deferred.send[0] else { panic!() };
    assert_eq!(Message::parse(copy).unwrap().attempts_before, 3, "tried 3 times before, not this time");
    // The copy's next delivery counts as its 4th plus what Cloudflare counts: one more and
    // it is the 5th, the last one.
    let last = consume(&cfg, std::slice::from_ref(copy), &[2], |_| (500, String::new()));
    assert_eq!(dead_reasons(&last), vec![(0, "server_error".into())]);
}

#[test]
fn a_run_that_stops_before_its_answers_still_settles_every_message() {
    use tiktok_edge::delivery::Driven;
    let cfg = one_pixel();
    let bodies = poisoned_calls(&cfg);
    let mut run = Consumer::new(&bodies, &[1, 1], &cfg, policy());
    assert_eq!(run.start(support::NOW, &support::secrets()).len(), 1, "the merged request is in flight");
    // The driver gives up (no answer): both messages go back, unsent, keeping their count.
    let (settlements, _) = run.settlements();
    let mut settled: Vec<usize> = settlements.iter().flat_map(|s| s.messages.clone()).collect();
    settled.sort_unstable();
    assert_eq!(settled, vec![0, 1]);
    assert!(settlements.iter().all(|s| matches!(&s.send[..], [Outbound::Requeue(_)]) && s.then == Settle::Ack));
}
