//! Inline delivery decided in the core: batch isolation (one bad event never takes the
//! others down), partial success, retries within the call's budget, bounded fan-out,
//! the subrequest budget, and the reports and HTTP status of a call.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod support;

use serde_json::{json, Value};
use support::{drive, event, one_pixel, planned, Bad, TikTok};
use tiktok_edge::delivery::policy::split_bound;
use tiktok_edge::delivery::{Call, InlinePolicy, RunStats};
use tiktok_edge::Config;

const POLICY: InlinePolicy = InlinePolicy {
    limits: tiktok_edge::delivery::policy::Limits {
        max_attempts: 3,
        backoff: tiktok_edge::delivery::policy::Backoff { base_ms: 250, max_ms: 3000 },
    },
    budget_ms: 3000,
    timeout_ms: 1000,
    max_in_flight: 6,
    max_subrequests: 50,
};

fn ids(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

/// Delivers `events` inline against `tiktok`; the reports as JSON, and the run's counts.
fn deliver(cfg: &Config, events: &[Value], policy: InlinePolicy, tiktok: &mut TikTok) -> (Vec<Value>, RunStats, u16) {
    let mut call = Call::new(planned(cfg, events), true);
    let mut run = call.inline(policy, support::NOW);
    drive(&mut run, |o| tiktok.answer(o), 100);
    let stats = call.settle(run);
    let status = call.status().status;
    (call.into_results().iter().map(|r| serde_json::to_value(r).unwrap()).collect(), stats, status)
}

fn statuses(results: &[Value]) -> Vec<(String, String)> {
    results.iter().map(|r| (r["index"].to_string(), r["status"].as_str().unwrap().to_owned())).collect()
}

#[test]
fn one_bad_event_among_100_fails_alone_and_the_99_others_are_sent() {
    let cfg = one_pixel();
    let mut events: Vec<Value> = ids("E", 100).iter().map(|id| event(id)).collect();
    events[37] = event("BAD_37");
    let mut tiktok = TikTok::new(Bad::Reject);
    let (results, stats, status) = deliver(&cfg, &events, POLICY, &mut tiktok);
    for (i, r) in results.iter().enumerate() {
        if i == 37 {
            assert_eq!(r["status"], "failed");
            assert_eq!((r["reason"].as_str(), r["retryable"].as_bool()), (Some("invalid_params"), Some(false)));
            assert_eq!(r["tiktok"]["code"], 40002, "TikTok's code and message are kept");
            assert!(r["tiktok"]["message"].as_str().unwrap().contains("event_id"));
        } else {
            assert_eq!(r["status"], "sent", "event {i}: {r}");
        }
    }
    assert_eq!(tiktok.kept.len(), 99);
    assert!(!tiktok.kept.contains(&"BAD_37".to_owned()));
    // Halving 100 events down to one costs 2 requests per level, 7 levels at most.
    assert!(stats.split_requests as usize <= split_bound(100, 1), "{stats:?}");
    assert_eq!(stats.requests, 1 + stats.split_requests);
    assert_eq!(status, 422, "a permanent failure and no retryable one");
}

#[test]
fn several_bad_events_are_each_isolated() {
    let cfg = one_pixel();
    let mut events: Vec<Value> = ids("E", 64).iter().map(|id| event(id)).collect();
    for i in [0, 31, 32, 63] {
        events[i] = event(&format!("BAD_{i}"));
    }
    let mut tiktok = TikTok::new(Bad::Reject);
    let (results, stats, _) = deliver(&cfg, &events, POLICY, &mut tiktok);
    let failed: Vec<usize> = (0..64).filter(|i| results[*i]["status"] == "failed").collect();
    assert_eq!(failed, vec![0, 31, 32, 63]);
    assert_eq!(tiktok.kept.len(), 60);
    assert!(stats.split_requests as usize <= split_bound(64, 4), "{stats:?}");
}

#[test]
fn a_rejection_that_names_its_row_costs_one_extra_request() {
    let cfg = one_pixel();
    let mut events: Vec<Value> = ids("E", 100).iter().map(|id| event(id)).collect();
    events[5] = event("BAD_5");
    let mut tiktok = TikTok::new(Bad::RejectNamed);
    let (results, stats, _) = deliver(&cfg, &events, POLICY, &mut tiktok);
    assert_eq!(results[5]["status"], "failed");
    assert_eq!(results.iter().filter(|r| r["status"] == "sent").count(), 99);
    assert_eq!((stats.requests, stats.split_requests), (2, 1));
}

#[test]
fn partial_success_is_split_until_the_refused_events_stand_alone() {
    let cfg = one_pixel();
    let mut events: Vec<Value> = ids("E", 20).iter().map(|id| event(id)).collect();
    events[3] = event("BAD_3");
    let mut tiktok = TikTok::new(Bad::Partial);
    let (results, _, _) = deliver(&cfg, &events, POLICY, &mut tiktok);
    assert_eq!(results[3]["status"], "failed");
    assert_eq!(results[3]["tiktok"]["code"], 40002);
    assert_eq!(results.iter().filter(|r| r["status"] == "sent").count(), 19);
    // TikTok kept the good ones at the first try; resending them is deduplicated by event_id.
    let mut kept = tiktok.kept.clone();
    kept.sort();
    kept.dedup();
    assert_eq!(kept.len(), 19);
}

#[test]
fn a_partial_answer_that_names_the_refused_events_is_believed_without_resending() {
    let cfg = one_pixel();
    let mut events: Vec<Value> = ids("E", 20).iter().map(|id| event(id)).collect();
    events[3] = event("BAD_3");
    events[9] = event("BAD_9");
    let mut tiktok = TikTok::new(Bad::PartialListed);
    let (results, stats, _) = deliver(&cfg, &events, POLICY, &mut tiktok);
    assert_eq!(stats.requests, 1);
    let failed: Vec<usize> = (0..20).filter(|i| results[*i]["status"] == "failed").collect();
    assert_eq!(failed, vec![3, 9]);
    assert_eq!(results[9]["tiktok"]["message"], "bad row");
}

#[test]
fn a_lone_event_answered_partial_success_is_sent_with_a_warning() {
    let cfg = one_pixel();
    let events = vec![event("E1")];
    let mut call = Call::new(planned(&cfg, &events), false);
    let mut run = call.inline(POLICY, support::NOW);
    drive(&mut run, |_| (200, r#"{"code":20001,"message":"Partial success.","request_id":"R"}"#.into()), 100);
    call.settle(run);
    let r = serde_json::to_value(&call.results()[0]).unwrap();
    assert_eq!(r["status"], "sent");
    assert_eq!(r["warnings"], json!([{"code": "partial_ok", "path": ""}]));
    assert_eq!(call.status().status, 202);
}

#[test]
fn transient_failures_are_retried_inline_and_rate_limits_are_left_to_the_caller() {
    let cfg = one_pixel();
    let events = vec![event("E1")];
    // Two server errors, then OK: sent on the third attempt.
    let mut answers = vec![(500, String::new()), (502, "<html>".into())].into_iter();
    let mut call = Call::new(planned(&cfg, &events), false);
    let mut run = call.inline(POLICY, support::NOW);
    drive(&mut run, |_| answers.next().unwrap_or((200, r#"{"code":0,"message":"OK"}"#.into())), 100);
    let stats = call.settle(run);
    let r = serde_json::to_value(&call.results()[0]).unwrap();
    assert_eq!((r["status"].as_str(), r["attempts"].as_u64()), (Some("sent"), Some(3)));
    assert_eq!(stats.retries, 2);
    // A rate limit asks for 10 s, more than a caller should wait: failed, retryable, 503.
    let mut call = Call::new(planned(&cfg, &events), false);
    let mut run = call.inline(POLICY, support::NOW);
    drive(&mut run, |_| (200, r#"{"code":40100,"message":"Too many requests."}"#.into()), 100);
    call.settle(run);
    let r = serde_json::to_value(&call.results()[0]).unwrap();
    assert_eq!(
        (r["status"].as_str(), r["reason"].as_str(), r["retryable"].as_bool()),
        (Some("failed"), Some("rate_limited"), Some(true))
    );
    assert_eq!((call.status().status, call.status().retry_after_s), (503, Some(10)));
}

#[test]
fn retries_stop_when_the_call_budget_is_spent() {
    let cfg = one_pixel();
    let events = vec![event("E1")];
    let mut call = Call::new(planned(&cfg, &events), false);
    let mut run = call.inline(POLICY, support::NOW);
    // Every answer takes 2.5 s (the clock moves that much per round): no time for a retry.
    drive(&mut run, |_| (500, String::new()), 2500);
    call.settle(run);
    let r = serde_json::to_value(&call.results()[0]).unwrap();
    assert_eq!(
        (r["status"].as_str(), r["attempts"].as_u64(), r["retryable"].as_bool()),
        (Some("failed"), Some(1), Some(true))
    );
}

#[test]
fn at_most_six_requests_are_in_flight_and_the_subrequest_budget_holds() {
    // 20 pixels: 20 requests that cannot be merged.
    let destinations: Vec<Value> =
        (0..20).map(|i| json!({"id": format!("d{i}"), "type": "events_api", "pixel_id": format!("P{i}")})).collect();
    let cfg = Config::from_value(&json!({"destinations": destinations})).unwrap();
    let events = vec![event("E1")];
    let mut tiktok = TikTok::new(Bad::Reject);
    let policy = InlinePolicy { max_subrequests: 15, ..POLICY };
    let mut call = Call::new(planned(&cfg, &events), false);
    let mut run = call.inline(policy, support::NOW);
    let max_in_flight = drive(&mut run, |o| tiktok.answer(o), 100);
    call.settle(run);
    assert_eq!(max_in_flight, 6);
    assert_eq!(tiktok.requests, 15);
    let results: Vec<Value> = call.results().iter().map(|r| serde_json::to_value(r).unwrap()).collect();
    let over: Vec<&Value> = results.iter().filter(|r| r["status"] == "failed").collect();
    assert_eq!(over.len(), 5);
    assert!(over.iter().all(|r| r["reason"] == "subrequest_budget" && r["retryable"] == true));
    assert_eq!(call.status().status, 503);
}

#[test]
fn bisection_that_does_not_fit_the_budget_fails_retryable_never_silently() {
    let cfg = one_pixel();
    let mut events: Vec<Value> = ids("E", 1000).iter().map(|id| event(id)).collect();
    events[500] = event("BAD_500");
    let mut tiktok = TikTok::new(Bad::Reject);
    let policy = InlinePolicy { max_subrequests: 4, ..POLICY };
    let (results, stats, status) = deliver(&cfg, &events, policy, &mut tiktok);
    assert_eq!(stats.requests, 4);
    let count = |s: &str| results.iter().filter(|r| r["status"] == s).count();
    assert_eq!(count("sent") + count("failed"), 1000, "every event is reported");
    assert_eq!(count("sent"), tiktok.kept.len(), "sent means TikTok kept it");
    assert!(results.iter().filter(|r| r["status"] == "failed").all(|r| r["retryable"] == true));
    assert_eq!(status, 503);
}

#[test]
fn an_invalid_event_and_a_skipped_one_do_not_hold_back_the_others() {
    let cfg = one_pixel();
    let events = vec![event("E1"), json!({"event_name": "not_mapped"}), json!({"id": "no name"})];
    let mut tiktok = TikTok::new(Bad::Reject);
    let (results, _, status) = deliver(&cfg, &events, POLICY, &mut tiktok);
    assert_eq!(
        statuses(&results),
        vec![("0".into(), "sent".into()), ("1".into(), "skipped".into()), ("2".into(), "error".into())]
    );
    assert_eq!(status, 422, "an event that cannot be mapped is a permanent failure");
}

#[test]
fn a_missing_secret_at_send_time_is_reported_never_sent() {
    let cfg = one_pixel();
    let events = vec![event("E1")];
    let mut call = Call::new(planned(&cfg, &events), false);
    let mut run = call.inline(POLICY, support::NOW);
    use tiktok_edge::delivery::Driven;
    assert!(run.start(support::NOW, &tiktok_edge::Secrets::new()).is_empty());
    assert!(run.is_done());
    call.settle(run);
    let r = serde_json::to_value(&call.results()[0]).unwrap();
    assert_eq!((r["status"].as_str(), r["reason"].as_str()), (Some("failed"), Some("missing_secret")));
}

#[test]
fn a_request_planned_without_its_token_is_shown_by_a_preview_but_never_sent() {
    let cfg = one_pixel();
    let events = [event("E1")];
    let events: Vec<_> = events.iter().map(tiktok_edge::node::Node::from_value).collect();
    let planned: Vec<_> = events
        .iter()
        .map(|e| tiktok_edge::plan(&cfg, e, &tiktok_edge::RequestContext::at(0), &tiktok_edge::Secrets::new()))
        .collect();
    let preview = serde_json::to_value(&planned[0][0]).unwrap();
    assert_eq!(preview["status"], "ready");
    assert_eq!(preview["request"]["headers"]["Access-Token"], "<missing: TIKTOK_ACCESS_TOKEN>");
    let mut call = Call::new(planned, false);
    let mut run = call.inline(POLICY, support::NOW);
    drive(&mut run, |_| panic!("nothing is sent without a token"), 100);
    call.settle(run);
    let r = serde_json::to_value(&call.results()[0]).unwrap();
    assert_eq!((r["status"].as_str(), r["error"]["code"].as_str()), (Some("error"), Some("missing_secret")));
    assert_eq!(r.get("warnings"), None, "the error says it; no warning besides");
}

mod any_answers {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Whatever TikTok answers, in whatever order: every event ends with exactly one
        /// final report, and `sent` only when TikTok answered a request holding it with
        /// 0 or 20001.
        #[test]
        fn every_event_ends_reported_once_and_sent_only_when_tiktok_said_so(
            n in 1usize..60, script in prop::collection::vec(0u8..7, 1..40), budget in 1u32..60,
        ) {
            let cfg = Config::from_value(&json!({"destinations": [
                {"id": "a", "type": "events_api", "pixel_id": "P1"},
                {"id": "b", "type": "events_api", "pixel_id": "P2"}]})).unwrap();
            let events: Vec<Value> = (0..n).map(|i| event(&format!("E{i}"))).collect();
            let mut call = Call::new(planned(&cfg, &events), true);
            let policy = InlinePolicy { max_subrequests: budget, ..POLICY };
            let mut run = call.inline(policy, support::NOW);
            let mut accepted: HashSet<String> = HashSet::new();
            let mut k = 0;
            drive(&mut run, |o| {
                let choice = script[k % script.len()];
                k += 1;
                let ids = support::ids(&o.body);
                let body = |code: i64, m: &str| json!({"code": code, "message": m}).to_string();
                match choice {
                    0 => { accepted.extend(ids.iter().map(|id| format!("{}:{id}", o.destination))); (200, body(0, "OK")) }
                    1 => (200, body(40002, "Invalid value for event_id")),
                    2 => (200, body(40002, &format!("Invalid value for data.{}.event_id", ids.len() / 2))),
                    3 => { accepted.extend(ids.iter().map(|id| format!("{}:{id}", o.destination))); (200, body(20001, "Partial")) }
                    4 => (500, String::new()),
                    5 => (200, body(40100, "Too many")),
                    _ => (0, String::new()),
                }
            }, 100);
            call.settle(run);
            let results: Vec<Value> = call.results().iter().map(|r| serde_json::to_value(r).unwrap()).collect();
            prop_assert_eq!(results.len(), 2 * n);
            let mut seen = HashSet::new();
            for r in &results {
                let key = format!("{}:E{}", r["destination"].as_str().unwrap(), r["index"]);
                prop_assert!(seen.insert(key.clone()), "one report per event and destination");
                match r["status"].as_str().unwrap() {
                    "sent" => prop_assert!(accepted.contains(&key), "{key} sent but TikTok never accepted it"),
                    "failed" => prop_assert!(r["reason"] != "not_attempted", "{key} left unreported"),
                    other => prop_assert!(false, "unexpected status {other}"),
                }
            }
        }
    }
}
