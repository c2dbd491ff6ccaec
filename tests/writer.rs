//! The body writer (`payload::write`) against its oracle, the derived `Serialize` of the
//! same structs through serde_json: byte-identical text on generated bodies (strings with
//! quotes, backslashes, control characters, non-ASCII and emojis; integers, negatives,
//! big and fractional numbers; absent and empty fields; custom properties holding nested
//! values, some reusing a fixed field's name), on every golden fixture's requests, and
//! through the three places that use it: `Body::to_json`, the results' `HttpRequest`, and
//! the delivery request's items and body.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use proptest::prelude::*;
use serde::Serialize;
use serde_json::{json, Map, Number, Value};
use std::borrow::Cow;
use std::fs;
use std::path::Path;
use tiktok_edge::delivery::request::{Body as Delivered, Request};
use tiktok_edge::payload::offline_track::{OfflineContext, OfflineProperties, OfflineTrackBody, OfflineUser};
use tiktok_edge::payload::order_sync::{
    Commission, OrderExtra, OrderInfo, OrderSyncBody, OrderValue, Promotion, Sku, Spu,
};
use tiktok_edge::payload::write::Verbatim;
use tiktok_edge::payload::{App, Content, Page, Properties, Text, TrackBody, TrackEvent, User};
use tiktok_edge::{plan, Body, Config, Headers, HttpRequest, Outcome, RequestContext, Secret, Secrets};

// ---- generators ----

/// A string of `len` characters from `seed`: mostly ASCII letters, with quotes, backslashes,
/// control characters, DEL, non-ASCII letters, emojis and any other character mixed in.
/// (One generated number per string: proptest's per-character trees made 10,000 bodies slow.)
fn string_from(mut seed: u64, len: usize) -> String {
    const SPECIAL: &[char] = &['"', '\\', '/', '\u{7f}', ' ', 'é', 'ß', '中', '😀', '\u{2028}', '\u{feff}'];
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    (0..len)
        .map(|_| {
            let r = next();
            match r % 8 {
                0..=3 => char::from(b'a' + (r >> 8) as u8 % 26),
                4 => char::from_u32((r >> 8) as u32 % 0x11_0000).unwrap_or('x'),
                5 | 6 => SPECIAL[(r >> 8) as usize % SPECIAL.len()],
                _ => char::from((r >> 8) as u8 % 0x20),
            }
        })
        .collect()
}

fn any_string() -> BoxedStrategy<String> {
    // Lengths past several 8-byte words too, where the scan goes a word at a time.
    let len = prop_oneof![6 => 0usize..24, 1 => 24usize..160, 1 => Just(0usize)];
    (any::<u64>().prop_map(|s| s | 1), len).prop_map(|(seed, len)| string_from(seed, len)).boxed()
}

fn text() -> BoxedStrategy<Text<'static>> {
    any_string().prop_map(Cow::Owned).boxed()
}

fn opt_text() -> BoxedStrategy<Option<Text<'static>>> {
    proptest::option::of(text()).boxed()
}

fn number() -> BoxedStrategy<Number> {
    prop_oneof![
        any::<u64>().prop_map(Number::from),
        any::<i64>().prop_map(Number::from),
        (-1_000_000i64..1_000_000).prop_map(|c| Number::from_f64(c as f64 / 100.0).unwrap()),
        any::<f64>().prop_filter_map("finite", Number::from_f64),
        prop_oneof![Just(0.0), Just(-0.0), Just(1e21), Just(1e-7), Just(5e-324), Just(f64::MAX), Just(12.0)]
            .prop_map(|f| Number::from_f64(f).unwrap()),
    ]
    .boxed()
}

fn opt_number() -> BoxedStrategy<Option<Number>> {
    proptest::option::of(number()).boxed()
}

fn json_value() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number().prop_map(Value::Number),
        any_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(any_string(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

/// Custom properties: any keys, and sometimes one a fixed field already uses.
fn custom() -> BoxedStrategy<Map<String, Value>> {
    let key = prop_oneof![4 => any_string(), 1 => prop_oneof![Just("email".to_owned()), Just("value".to_owned())]];
    prop_oneof![
        2 => Just(Map::new()),
        1 => proptest::collection::btree_map(key, json_value(), 0..4).prop_map(|m| m.into_iter().collect()),
    ]
    .boxed()
}

prop_compose! {
    fn content()(
        (content_id, content_type, content_name, content_category, brand) in
            (opt_text(), opt_text(), opt_text(), opt_text(), opt_text()),
        price in opt_number(),
        quantity in proptest::option::of(any::<i64>()),
    ) -> Content<'static> {
        Content { content_id, content_type, content_name, content_category, brand, price, quantity }
    }
}

prop_compose! {
    fn user()(
        (external_id, email, phone, ttclid, ttp, ip) in
            (opt_text(), opt_text(), opt_text(), opt_text(), opt_text(), opt_text()),
        (user_agent, locale, idfa, idfv, att_status, gaid) in
            (opt_text(), opt_text(), opt_text(), opt_text(), opt_text(), opt_text()),
        (first_name, last_name, zip_code, city, state, country) in
            (opt_text(), opt_text(), opt_text(), opt_text(), opt_text(), opt_text()),
        custom in custom(),
    ) -> User<'static> {
        User {
            external_id, email, phone, ttclid, ttp, ip, user_agent, locale, idfa, idfv, att_status, gaid,
            first_name, last_name, zip_code, city, state, country, custom,
        }
    }
}

prop_compose! {
    fn properties()(
        contents in proptest::collection::vec(content(), 0..3),
        content_ids in proptest::collection::vec(text(), 0..3),
        num_items in proptest::option::of(any::<u64>()),
        (content_type, currency, description, search_string, order_id, shop_id, status) in
            (opt_text(), opt_text(), opt_text(), opt_text(), opt_text(), opt_text(), opt_text()),
        value in opt_number(),
        custom in custom(),
    ) -> Properties<'static> {
        Properties {
            contents, content_ids, num_items, content_type, currency, value, description, search_string,
            order_id, shop_id, status, custom,
        }
    }
}

/// Mostly empty or nearly so, sometimes full: both sides of every `skip_serializing_if`.
fn sparse<T: Default + Clone + std::fmt::Debug + 'static>(
    full: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<T> {
    prop_oneof![1 => Just(T::default()), 2 => full].boxed()
}

prop_compose! {
    fn track_event()(
        event in text(),
        event_time in any::<i64>(),
        event_id in opt_text(),
        limited_data_use in proptest::option::of(any::<bool>()),
        user in sparse(user()),
        page in sparse((opt_text(), opt_text()).prop_map(|(url, referrer)| Page { url, referrer })),
        app in sparse((opt_text(), opt_text(), opt_text())
            .prop_map(|(app_id, app_name, app_version)| App { app_id, app_name, app_version })),
        properties in sparse(properties()),
    ) -> TrackEvent<'static> {
        TrackEvent { event, event_time, event_id, limited_data_use, user, page, app, properties }
    }
}

prop_compose! {
    fn track_body()(
        event_source in text(),
        event_source_id in text(),
        test_event_code in opt_text(),
        data in proptest::collection::vec(track_event(), 0..3),
    ) -> TrackBody<'static> {
        TrackBody { event_source, event_source_id, test_event_code, data }
    }
}

prop_compose! {
    fn offline_body()(
        (event_set_id, event, event_id) in (text(), text(), opt_text()),
        timestamp in any_string(),
        emails in proptest::collection::vec(text(), 0..2),
        phone_numbers in proptest::collection::vec(text(), 0..2),
        properties in sparse((opt_text(), opt_text(), proptest::collection::vec(content(), 0..2), opt_text(),
            opt_number(), opt_text())
            .prop_map(|(order_id, shop_id, contents, currency, value, event_channel)| OfflineProperties {
                order_id, shop_id, contents, currency, value, event_channel,
            })),
    ) -> OfflineTrackBody<'static> {
        let context = OfflineContext { user: OfflineUser { emails, phone_numbers } };
        OfflineTrackBody { event_set_id, event, event_id, timestamp, context, properties }
    }
}

prop_compose! {
    fn order_value()(
        currency in text(),
        (payment_value, total_value) in (number(), number()),
        (total_room_fee, total_tax, total_service_fee, discounts) in
            (opt_number(), opt_number(), opt_number(), opt_number()),
        (fulfillment_value, fulfillment_tax, fulfillment_service_fee) in (opt_number(), opt_number(), opt_number()),
        commission_value in proptest::collection::vec((text(), number())
            .prop_map(|(currency, commission_base_amount)| Commission { currency, commission_base_amount }), 0..2),
    ) -> OrderValue<'static> {
        OrderValue {
            currency, payment_value, total_value, total_room_fee, total_tax, total_service_fee, discounts,
            fulfillment_value, fulfillment_tax, fulfillment_service_fee, commission_value,
        }
    }
}

prop_compose! {
    fn order_body()(
        ttoclid in text(),
        (order_id, third_merchant_id, third_shop_id, third_shop_name, order_status, order_country) in
            (text(), text(), text(), text(), text(), text()),
        (create_time, update_time) in (any::<i64>(), any::<i64>()),
        (initiator, order_url) in (opt_text(), opt_text()),
        value in order_value(),
        extra in (any::<i64>(), any::<i64>(), text(), text(), proptest::option::of(any::<i64>()),
            proptest::option::of(any::<bool>()), opt_text())
            .prop_map(|(length_of_stay, amount_of_room, check_in_date, check_out_date, actual_occupancy, no_show,
                cancel_reason)| OrderExtra {
                length_of_stay, amount_of_room, check_in_date, check_out_date, actual_occupancy, no_show,
                cancel_reason,
            }),
        spu_list in proptest::collection::vec((opt_text(), opt_text(), proptest::collection::vec((text(), text())
            .prop_map(|(third_sku_id, third_sku_name)| Sku { third_sku_id, third_sku_name }), 0..2))
            .prop_map(|(third_spu_id, third_spu_name, sku_list)| Spu { third_spu_id, third_spu_name, sku_list }),
            0..3),
        promotion_info in sparse((opt_text(), opt_text(), opt_number())
            .prop_map(|(promotion_id, description, saved_amount)| Promotion { promotion_id, description, saved_amount })),
    ) -> OrderSyncBody<'static> {
        let order_info = OrderInfo {
            order_id, third_merchant_id, third_shop_id, third_shop_name, order_status, order_country, create_time,
            update_time, initiator, value, extra, spu_list, order_url, promotion_info,
        };
        OrderSyncBody { ttoclid, order_info }
    }
}

// ---- the oracles ----

/// `HttpRequest` as it serialized before: every field through its derived `Serialize`.
#[derive(Serialize)]
struct DerivedRequest<'r, 'a> {
    method: &'static str,
    url: &'r str,
    headers: &'r Headers,
    body: &'r Body<'a>,
}

fn derived(request: &HttpRequest<'_>) -> String {
    let HttpRequest { method, url, headers, body } = request;
    serde_json::to_string(&DerivedRequest { method, url, headers, body }).unwrap()
}

fn request<'a>(body: Body<'a>, token: Option<&str>) -> HttpRequest<'a> {
    let headers = Headers::json("TIKTOK_ACCESS_TOKEN", token.map(Secret::new));
    HttpRequest { method: "POST", url: "https://business-api.tiktok.com/x/\"y\"".into(), headers, body }
}

/// Every way the text of `body` leaves the core, against the derived serialization.
fn check(body: Body<'_>) -> Result<(), TestCaseError> {
    let expected = serde_json::to_string(&body).unwrap();
    prop_assert_eq!(&body.to_json(), &expected);
    let planned = request(body, Some("tok"));
    prop_assert_eq!(serde_json::to_string(&planned).unwrap(), derived(&planned));
    let delivered = Request::from_planned("web", "TIKTOK_ACCESS_TOKEN", &planned);
    prop_assert_eq!(&delivered.body_text(), &expected);
    if let Delivered::Track(track) = &delivered.body {
        prop_assert_eq!(&serde_json::to_string(track).unwrap(), &expected);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn events_api_bodies_are_written_as_serde_json_writes_them(body in track_body()) {
        check(Body::Track(body))?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn offline_bodies_are_written_as_serde_json_writes_them(body in offline_body()) {
        check(Body::OfflineTrack(body))?;
    }

    #[test]
    fn order_sync_bodies_are_written_as_serde_json_writes_them(body in order_body()) {
        check(Body::OrderSync(Box::new(body)))?;
    }

    #[test]
    fn any_custom_value_is_written_as_serde_json_writes_it(v in json_value()) {
        let mut out = String::new();
        tiktok_edge::payload::write::value(&mut out, &v);
        prop_assert_eq!(out, serde_json::to_string(&v).unwrap());
    }
}

#[test]
fn verbatim_text_is_inserted_as_is_by_serde_json() {
    // The raw value protocol `Verbatim` relies on: a serde_json upgrade that changed it fails here.
    let text = r#"{"a":[1,2.5,"x\"y"],"b":null}"#;
    assert_eq!(serde_json::to_string(&Verbatim(text)).unwrap(), text);
    assert_eq!(serde_json::to_string(&json!({"k": [1]})).unwrap(), r#"{"k":[1]}"#);
    assert_eq!(serde_json::to_value(Verbatim(text)).unwrap(), serde_json::from_str::<Value>(text).unwrap());
    let raw = serde_json::value::to_raw_value(&Verbatim(text)).unwrap();
    assert_eq!(raw.get(), text);
}

#[test]
fn a_request_without_its_token_serializes_as_before() {
    let body =
        TrackBody { event_source: "web".into(), event_source_id: "P1".into(), test_event_code: None, data: vec![] };
    let planned = request(Body::Track(body), None);
    assert_eq!(serde_json::to_string(&planned).unwrap(), derived(&planned));
    assert!(serde_json::to_string(&planned).unwrap().contains("<missing: TIKTOK_ACCESS_TOKEN>"));
}

/// Every request the golden fixtures plan: the same bytes both ways, and the same `Value`
/// for callers that convert results with `serde_json::to_value` (CLI, inspector).
#[test]
fn every_golden_fixture_request_is_written_as_serde_json_writes_it() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut requests = 0;
    for group in ["events_api", "offline_events", "order_sync", "commanders_act"] {
        let base: Map<String, Value> =
            serde_json::from_str(&fs::read_to_string(dir.join(group).join("_base_destination.json")).unwrap()).unwrap();
        let mut files: Vec<_> = fs::read_dir(dir.join(group)).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files.iter().filter(|f| !f.file_name().unwrap().to_string_lossy().starts_with('_')) {
            let fixture: Value = serde_json::from_str(&fs::read_to_string(file).unwrap()).unwrap();
            let config = match fixture.get("config") {
                Some(c) => c.clone(),
                None => {
                    let mut dest = base.clone();
                    for (k, v) in fixture.get("settings").and_then(Value::as_object).into_iter().flatten() {
                        dest.insert(k.clone(), v.clone());
                    }
                    json!({"destinations": [dest]})
                }
            };
            let Ok(config) = Config::from_value(&config) else { continue };
            let secrets = Secrets::new().with("TIKTOK_ACCESS_TOKEN", "test-token");
            let ctx = RequestContext::at(fixture.get("context").and_then(|c| c["now"].as_i64()).unwrap_or(0));
            let events: Vec<&Value> = match (fixture.get("event"), fixture.get("input")) {
                (Some(e), _) => vec![e],
                (None, Some(Value::Array(list))) => list.iter().collect(),
                (None, Some(Value::Object(o))) => match o.get("batch") {
                    Some(Value::Array(list)) => list.iter().collect(),
                    _ => vec![fixture.get("input").unwrap()],
                },
                _ => vec![],
            };
            for event in events {
                let event = tiktok_edge::node::Node::from_value(event);
                for result in plan(&config, &event, &ctx, &secrets) {
                    let Outcome::Ready { request, .. } = &result.outcome else { continue };
                    let name = file.display();
                    assert_eq!(request.body.to_json(), serde_json::to_string(&request.body).unwrap(), "{name}");
                    assert_eq!(serde_json::to_string(request).unwrap(), derived(request), "{name}");
                    let HttpRequest { method, url, headers, body } = request;
                    assert_eq!(
                        serde_json::to_value(request).unwrap(),
                        serde_json::to_value(DerivedRequest { method, url, headers, body }).unwrap(),
                        "{name}"
                    );
                    assert!(!serde_json::to_string(&result).unwrap().contains("test-token"));
                    requests += 1;
                }
            }
        }
    }
    assert!(requests > 100, "only {requests} requests planned");
}
