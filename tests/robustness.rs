//! Bad input never panics and output stays deterministic: property tests over
//! arbitrary JSON, arbitrary values planted at the paths the mapping reads,
//! arbitrary config documents, and what arrives from outside at the other entry
//! points: JSON handed to `batch_json` (npm), queue message bodies, TikTok answers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use tiktok_edge::delivery::policy::{Backoff, Limits};
use tiktok_edge::delivery::{Consumer, ConsumerPolicy, Driven};
use tiktok_edge::node::{self, Node};
use tiktok_edge::{batch_json, classify, plan, results_for, Config, RequestContext, Secrets, Tokens};

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f).map(Value::Number)),
        "\\PC{0,24}".prop_map(Value::from),
        prop_oneof![
            Just("+33612345678"),
            Just("2025-04-18T07:53:39.974+02:00"),
            Just("{{id}}"),
            Just("ios"),
            Just("app"),
            Just("native app"),
            Just("_ttp=a; ttclid=b%2"),
            Just("https://x/?ttclid=%zz")
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_0-9X]{1,10}", inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Every path the default Smart Mapping (and the core's fixed paths) reads.
const PATHS: &[&str] = &[
    "event_name",
    "id",
    "value",
    "currency",
    "status",
    "search_term",
    "content_type",
    "items",
    "items.0",
    "items.0.id",
    "items.0.quantity",
    "items.0.content_type",
    "items.0.product",
    "items.0.product.price",
    "items.0.product.name",
    "user",
    "user.id",
    "user.email",
    "user.phone",
    "user.consent_categories",
    "partners.tiktok",
    "partners.tiktok.event_source",
    "partners.tiktok.ttclid",
    "partners.tiktok.ttp",
    "partners.tiktok.ldu",
    "partners.tiktok.shop_id",
    "context",
    "context.event_timestamp",
    "context.page",
    "context.page.url",
    "context.page.referrer",
    "context.device",
    "context.device.cookie",
    "context.device.type",
    "context.device.att_status",
    "context.device.advertising_id",
    "context.app",
    "context.app.namespace",
    "hotel.id",
];

fn set_path(root: &mut Value, path: &str, v: Value) {
    let mut cur = root;
    let segs: Vec<&str> = path.split('.').collect();
    for (i, seg) in segs.iter().enumerate() {
        if !cur.is_object() {
            *cur = json!({});
        }
        let obj = cur.as_object_mut().unwrap();
        if i + 1 == segs.len() {
            obj.insert((*seg).to_owned(), v);
            return;
        }
        cur = obj.entry((*seg).to_owned()).or_insert_with(|| json!({}));
    }
}

fn base_event() -> Value {
    json!({"event_name": "purchase", "id": "O_1", "value": 10, "currency": "EUR", "shop_id": "S", "type": "in_store",
           "hotel": {"id": "H", "name": "N", "created": 1764000000, "total": 10, "nights": 2, "in": "2025-12-20", "out": "2025-12-22"},
           "user": {"email": "a@b.c", "phone": "+33612345678", "consent_categories": ["3"]},
           "items": [{"id": "A", "quantity": 1, "product": {"price": 1.5, "name": "n"}}],
           "context": {"event_timestamp": 1765290725123_i64, "page": {"url": "https://s/?ttclid=x"},
                       "device": {"type": "ios", "cookie": "_ttp=t"}, "app": {"namespace": "com.x"}}})
}

fn config() -> Config {
    Config::from_value(&json!({"destinations": [
        {"id": "web", "type": "events_api", "pixel_id": "{{hotel.id}}", "app_id": "A1",
         "autodiscovery_event_source": true, "test_event_code": "T{{id}}", "environment": "staging",
         "custom_event_properties": {"h": "{{hotel}}", "m": "x-{{value}}"},
         "custom_user_properties": {"first_name": "{{user.email}}", "city": "{{user.phone}}"}},
        {"id": "consent", "type": "events_api", "pixel_id": "P", "consent_category": "3",
         "view_content_mapping": ["page_view"], "send_unmapped_events": true},
        {"id": "offline", "type": "offline_events", "event_set_id": "{{hotel.id}}", "mapping": {"purchase": "CompletePayment"}},
        {"id": "offline-legacy", "type": "offline_events", "event_set_id": "7181537436256731137", "api": "offline_track",
         "mapping": {"purchase": "CompletePayment"}},
        {"id": "orders", "type": "order_sync", "endpoint": "https://o.example/sync", "third_merchant_id": "M",
         "third_shop_id": "{{hotel.id}}", "third_shop_name": "{{hotel.name}}", "order_country": "FR",
         "create_time": "{{hotel.created}}", "payment_value": "{{value}}", "total_value": "{{hotel.total}}",
         "length_of_stay": "{{hotel.nights}}", "amount_of_room": "1", "check_in_date": "{{hotel.in}}",
         "check_out_date": "{{hotel.out}}", "event_mapping": {"purchase": "COMPLETE_ORDER", "cancel": "CANCEL_ORDER"}}]}))
    .unwrap()
}

fn check(event: &Value) {
    let (cfg, secrets) = (config(), Secrets::new().with("TIKTOK_ACCESS_TOKEN", "tok"));
    let ctx = RequestContext { now_ms: 1_767_225_600_000, cookie: Some("ttclid=c".into()), ip: None, user_agent: None };
    // Read from its text as the bindings read it, and, as the oracle, through serde_json's
    // tree of the same text (not `event` itself: serde_json's float reading may not give
    // back the very f64 it wrote).
    let text = event.to_string();
    let read = node::parse(&text).unwrap();
    let reread: Value = serde_json::from_str(&text).unwrap();
    let viewed = Node::from_value(&reread);
    let a = serde_json::to_string(&plan(&cfg, &read, &ctx, &secrets)).unwrap();
    let b = serde_json::to_string(&plan(&cfg, &read, &ctx, &secrets)).unwrap();
    assert_eq!(a, b);
    assert_eq!(a, serde_json::to_string(&plan(&cfg, &viewed, &ctx, &secrets)).unwrap(), "reader differs: {text}");
    assert!(!a.contains("\"tok\""));
    // The same event as a one-element array, then its results batched and queued.
    let input = Value::Array(vec![event.clone()]);
    let input = Node::from_value(&input);
    let results = results_for(&cfg, &input, &ctx, &secrets, Tokens::Redacted);
    let values: Vec<Value> = results.iter().map(|r| serde_json::to_value(r).unwrap()).collect();
    let _ = batch_json(values);
}

/// `value` written as a sender other than serde_json might write it: whitespace, `\u`
/// escapes, keys out of order, a key repeated with an earlier value (the last one wins).
fn roll(seed: &mut u64, n: u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed % n
}

fn noisy(value: &Value, seed: &mut u64, out: &mut String) {
    let space = |r: u64| [" ", "", "\n  ", "\t", "\r\n"][usize::try_from(r).unwrap()];
    match value {
        Value::String(s) => {
            out.push('"');
            for c in s.chars() {
                match (c, roll(seed, 4)) {
                    ('"' | '\\', _) | ('\u{0}'..='\u{1f}', _) | (_, 0) => {
                        let mut units = [0u16; 2];
                        for u in c.encode_utf16(&mut units) {
                            out.push_str(&format!("\\u{u:04x}"));
                        }
                    }
                    ('/', 1) => out.push_str("\\/"),
                    _ => out.push(c),
                }
            }
            out.push('"');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                out.push_str(if i > 0 { "," } else { "" });
                out.push_str(space(roll(seed, 5)));
                noisy(item, seed, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            if roll(seed, 2) == 0 {
                entries.reverse();
            }
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                out.push_str(if i > 0 { "," } else { "" });
                if roll(seed, 6) == 0 {
                    // An earlier value of the same key, overridden by the one below.
                    out.push_str(&format!("{}:{},", Value::from(k.as_str()), Value::from("overridden")));
                }
                out.push_str(space(roll(seed, 5)));
                noisy(&Value::from(k.as_str()), seed, out);
                out.push_str(space(roll(seed, 5)));
                out.push(':');
                noisy(v, seed, out);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The node holds what the value holds, read the way the mapping reads (`get`: one
/// entry per key, the last written), numbers and strings as serde_json writes them.
fn same(node: &Node<'_>, value: &Value) -> bool {
    match (node, value) {
        (Node::Object(entries), Value::Object(map)) => {
            entries.len() == map.len() && map.iter().all(|(k, v)| node.get(k).is_some_and(|n| same(n, v)))
        }
        (Node::Array(items), Value::Array(values)) => {
            items.len() == values.len() && items.iter().zip(values).all(|(n, v)| same(n, v))
        }
        (Node::Object(_) | Node::Array(_), _) => false,
        // As text: `-0.0` and `0.0` are equal numbers, not the same output.
        (n, v) => serde_json::to_string(&n.to_value()).ok() == serde_json::to_string(v).ok(),
    }
}

/// Cases per property: 512 in CI; `FUZZ_CASES=1000000` for the full run (scripts/fuzz.sh).
fn cases() -> u32 {
    std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_events_never_panic(event in any_json()) {
        check(&event);
    }

    /// The event reader gives what serde_json gives on texts serde_json did not write, and
    /// so does planning what it read (the reader's oracle: serde_json's tree of the same text).
    #[test]
    fn events_written_any_way_are_read_as_serde_json_reads_them(event in any_json(), mut seed in 1..u64::MAX) {
        let mut text = String::new();
        noisy(&event, &mut seed, &mut text);
        let oracle: Value = serde_json::from_str(&text).unwrap();
        let read = node::parse(&text).unwrap();
        prop_assert!(same(&read, &oracle), "{}", text);
        let (cfg, secrets) = (config(), Secrets::new().with("TIKTOK_ACCESS_TOKEN", "tok"));
        let ctx = RequestContext::at(1_767_225_600_000);
        let viewed = Node::from_value(&oracle);
        prop_assert_eq!(
            serde_json::to_string(&plan(&cfg, &read, &ctx, &secrets)).unwrap(),
            serde_json::to_string(&plan(&cfg, &viewed, &ctx, &secrets)).unwrap()
        );
    }

    #[test]
    fn arbitrary_values_at_mapped_paths_never_panic(
        plants in prop::collection::vec((prop::sample::select(PATHS), any_json()), 1..6)
    ) {
        let mut event = base_event();
        for (path, v) in plants {
            set_path(&mut event, path, v);
        }
        check(&event);
    }

    #[test]
    fn arbitrary_outside_inputs_never_panic(items in prop::collection::vec(any_json(), 0..6), text in "\\PC{0,64}",
                                            status in any::<u16>()) {
        // npm batchRequests input, queue message bodies (JSON or not), TikTok answers.
        let _ = batch_json(items.clone());
        let mut bodies: Vec<String> = items.iter().map(Value::to_string).collect();
        bodies.push(text.clone());
        // Well-formed envelopes around arbitrary requests (and Events API-like ones).
        for item in &items {
            for request in [item.clone(), json!({"url": "https://u/open_api/v1.3/event/track/", "headers": {"Access-Token": "x"}, "body": {
                "event_source": "web", "event_source_id": "P", "data": item}})] {
                let m = json!({"destination": "d", "token_secret": "TIKTOK_ACCESS_TOKEN", "request": request});
                bodies.push(m.to_string());
            }
        }
        let secrets = Secrets::new().with("TIKTOK_ACCESS_TOKEN", "tok");
        let cfg = Config::from_value(&json!({"api_base": "https://u", "destinations": [
            {"id": "d", "type": "events_api", "pixel_id": "P"}]})).unwrap();
        let policy = ConsumerPolicy {
            limits: Limits { max_attempts: 3, backoff: Backoff { base_ms: 1000, max_ms: 60_000 } },
            max_in_flight: 6,
            max_subrequests: 50,
        };
        let attempts: Vec<u32> = (0..bodies.len()).map(|i| u32::try_from(i).unwrap_or(0)).collect();
        let mut consumer = Consumer::new(&bodies, &attempts, &cfg, policy);
        while !consumer.is_done() {
            let sends = consumer.start(0, &secrets);
            prop_assert!(!sends.is_empty() || consumer.is_done(), "the consumer stalled");
            for (id, _) in sends {
                consumer.answer(id, status, &text, 0, 0.5);
            }
        }
        let settled: usize = consumer.settlements().0.iter().map(|s| s.messages.len()).sum();
        prop_assert_eq!(settled, bodies.len(), "every message is settled once");
        for item in &items {
            let _ = classify(status, &item.to_string());
        }
    }

    #[test]
    fn arbitrary_config_documents_never_panic(doc in any_json(), dest in any_json()) {
        let _ = Config::from_value(&doc);
        let _ = Config::from_value(&json!({"destinations": [dest]}));
        if let Value::Object(extra) = dest {
            let mut d = json!({"id": "x", "type": "events_api", "pixel_id": "P"});
            d.as_object_mut().unwrap().extend(extra);
            let _ = Config::from_value(&json!({"destinations": [d]}));
        }
    }
}

#[test]
fn pathologically_deep_events_are_refused_without_overflow() {
    // As text, the reader refuses it (serde_json's nesting limit, its message).
    let text = format!("{{\"event_name\": \"purchase\", \"x\": {}1{}}}", "[".repeat(2_000), "]".repeat(2_000));
    let refused = node::parse(&text).unwrap_err().to_string();
    assert_eq!(refused, serde_json::from_str::<Value>(&text).unwrap_err().to_string());
    // Built in memory (the bindings never do), planning refuses it without recursing.
    let mut deep = Node::Number(1.into());
    for _ in 0..2_000 {
        deep = Node::Array(vec![deep]);
    }
    let event = Node::Object(vec![("event_name".into(), Node::String("purchase".into())), ("x".into(), deep)]);
    let out = serde_json::to_value(plan(&config(), &event, &RequestContext::at(0), &Secrets::new())).unwrap();
    assert_eq!(out[0]["status"], "error");
    assert_eq!(out[0]["error"]["code"], "invalid_event");
}

#[test]
fn huge_but_valid_events_are_planned() {
    let items: Vec<Value> =
        (0..1000).map(|i| json!({"id": format!("SKU{i}"), "quantity": 1, "product": {"price": 1}})).collect();
    let mut event = base_event();
    set_path(&mut event, "items", Value::Array(items));
    let text = event.to_string();
    let event = node::parse(&text).unwrap();
    let out = serde_json::to_value(plan(
        &config(),
        &event,
        &RequestContext::at(0),
        &Secrets::new().with("TIKTOK_ACCESS_TOKEN", "t"),
    ))
    .unwrap();
    assert_eq!(out[1]["request"]["body"]["data"][0]["properties"]["num_items"], 1000);
    assert_eq!(out[3]["request"]["body"]["properties"]["contents"].as_array().unwrap().len(), 1000);
}
