//! TikTok's checks of a request body (spec tiktok-api.md 2.11, 3.2, 4.4), with
//! TikTok's codes and message style. The first problem found is reported.
//!
//! The allowed-value lists here (att_status, channels, offline events, currencies) are
//! written from TikTok's side on purpose, not imported from the core: the sandbox is the
//! test oracle, and a wrong list in the core must show up as a rejected request.

use serde_json::Value;

/// (code, message) of a rejected request.
pub type Reject = (i64, String);

const EVENT_SOURCES: &[&str] = &["web", "app", "offline", "crm"];
const ATT_STATUSES: &[&str] = &["AUTHORIZED", "DENIED", "NOT_DETERMINED", "RESTRICTED", "NOT_APPLICABLE"];
/// Standard names accepted for offline events: current web names plus the legacy ones.
const OFFLINE_EVENTS: &[&str] = &[
    "AddPaymentInfo",
    "AddToCart",
    "AddToWishlist",
    "ApplicationApproval",
    "CompleteRegistration",
    "Contact",
    "CustomizeProduct",
    "Download",
    "FindLocation",
    "InitiateCheckout",
    "Lead",
    "Purchase",
    "Schedule",
    "Search",
    "StartTrial",
    "SubmitApplication",
    "Subscribe",
    "ViewContent",
    "CompletePayment",
    "PlaceAnOrder",
    "SubmitForm",
    "ClickButton",
];
const LEGACY_OFFLINE_EVENTS: &[&str] = &["CompletePayment", "Contact", "Subscribe", "SubmitForm"];
const EVENT_CHANNELS: &[&str] = &["email", "website", "phone_call", "in_store", "crm", "other"];
const CURRENCIES: &[&str] = &[
    "AED", "ARS", "AUD", "BDT", "BHD", "BIF", "BOB", "BRL", "CAD", "CHF", "CLP", "CNY", "COP", "CRC", "CZK", "DKK",
    "DZD", "EGP", "EUR", "GBP", "GTQ", "HKD", "HNL", "HUF", "IDR", "ILS", "INR", "ISK", "JPY", "KES", "KHR", "KRW",
    "KWD", "KZT", "MAD", "MOP", "MXN", "MYR", "NGN", "NIO", "NOK", "NZD", "OMR", "PEN", "PHP", "PKR", "PLN", "PYG",
    "QAR", "RON", "RUB", "SAR", "SEK", "SGD", "THB", "TRY", "TWD", "UAH", "USD", "VES", "VND", "ZAR",
];

pub(crate) fn invalid(path: &str, why: &str) -> Reject {
    (40002, format!("Invalid value for {path}: {why}."))
}

fn string(v: &Value, path: &str) -> Result<(), Reject> {
    if v.is_string() {
        Ok(())
    } else {
        Err(invalid(path, "not a valid string"))
    }
}

fn opt<'a>(obj: &'a Value, key: &str) -> Option<&'a Value> {
    obj.get(key).filter(|v| !v.is_null())
}

/// A hashed identifier: a string or an array of strings; 64-hex in strict mode.
fn hashed(v: &Value, path: &str, strict: bool) -> Result<(), Reject> {
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    for item in items {
        let s = item.as_str().ok_or_else(|| invalid(path, "not a valid string"))?;
        if strict && !tiktok_edge::hashing::is_sha256_hex(s) {
            return Err((40002, format!("Invalid value for {path}: must be SHA-256 hashed (64 hex characters).")));
        }
    }
    Ok(())
}

fn currency(props: &Value, path: &str) -> Result<(), Reject> {
    match opt(props, "currency") {
        Some(Value::String(c)) if CURRENCIES.contains(&c.as_str()) => Ok(()),
        Some(_) => Err(invalid(&format!("{path}.currency"), "not a supported currency")),
        None => Ok(()),
    }
}

fn contents(props: &Value, path: &str) -> Result<(), Reject> {
    let Some(list) = opt(props, "contents") else { return Ok(()) };
    let list = list.as_array().ok_or_else(|| invalid(&format!("{path}.contents"), "not a valid list"))?;
    for (j, c) in list.iter().enumerate() {
        let p = format!("{path}.contents.{j}");
        if let Some(id) = opt(c, "content_id") {
            string(id, &format!("{p}.content_id"))?;
        }
        if opt(c, "price").is_some_and(|v| !v.is_number()) {
            return Err(invalid(&format!("{p}.price"), "not a valid number"));
        }
        if opt(c, "quantity").is_some_and(|v| !(v.is_i64() || v.is_u64())) {
            return Err(invalid(&format!("{p}.quantity"), "not a valid integer"));
        }
    }
    Ok(())
}

/// `POST /open_api/v1.3/event/track/`.
pub fn event_track(body: &Value, strict: bool) -> Result<(), Reject> {
    let source = body.get("event_source").and_then(Value::as_str).unwrap_or("");
    if !EVENT_SOURCES.contains(&source) {
        return Err(invalid("event_source", "must be one of web, app, offline, crm"));
    }
    let id = body.get("event_source_id").and_then(Value::as_str).unwrap_or("");
    let numeric = !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit());
    if id.is_empty() || (source != "web" && !numeric) {
        return Err(invalid("event_source_id", "not a valid string"));
    }
    if let Some(code) = opt(body, "test_event_code") {
        string(code, "test_event_code")?;
    }
    let data = body.get("data").and_then(Value::as_array).ok_or_else(|| invalid("data", "not a valid list"))?;
    if data.is_empty() || data.len() > 1000 {
        return Err(invalid("data", "length must be between 1 and 1000"));
    }
    for (i, item) in data.iter().enumerate() {
        let p = format!("data.{i}");
        let event = item.get("event").and_then(Value::as_str).unwrap_or("");
        if event.is_empty() {
            return Err(invalid(&format!("{p}.event"), "not a valid string"));
        }
        if source == "offline" && !OFFLINE_EVENTS.contains(&event) {
            return Err(invalid(&format!("{p}.event"), "not a standard event for offline"));
        }
        match item.get("event_time").and_then(Value::as_i64) {
            Some(t) if t > 0 && t < 100_000_000_000 => {}
            Some(_) => return Err(invalid(&format!("{p}.event_time"), "must be a unix timestamp in seconds")),
            None => return Err(invalid(&format!("{p}.event_time"), "not a valid integer")),
        }
        if let Some(v) = opt(item, "event_id") {
            string(v, &format!("{p}.event_id"))?;
        }
        if opt(item, "limited_data_use").is_some_and(|v| !v.is_boolean()) {
            return Err(invalid(&format!("{p}.limited_data_use"), "not a valid boolean"));
        }
        if let Some(user) = opt(item, "user") {
            for k in ["email", "phone", "external_id"] {
                if let Some(v) = opt(user, k) {
                    hashed(v, &format!("{p}.user.{k}"), strict)?;
                }
            }
            for k in ["ttp", "ttclid", "ip", "user_agent", "locale", "idfa", "idfv", "gaid"] {
                if let Some(v) = opt(user, k) {
                    string(v, &format!("{p}.user.{k}"))?;
                }
            }
            if opt(user, "att_status").is_some_and(|v| !v.as_str().is_some_and(|s| ATT_STATUSES.contains(&s))) {
                return Err(invalid(&format!("{p}.user.att_status"), "not a supported value"));
            }
        }
        if source == "app" && !opt(item, "app").and_then(|a| opt(a, "app_id")).is_some_and(Value::is_string) {
            return Err(invalid(&format!("{p}.app.app_id"), "required for app events"));
        }
        if let Some(props) = opt(item, "properties") {
            let pp = format!("{p}.properties");
            if opt(props, "value").is_some_and(|v| !v.is_number()) {
                return Err(invalid(&format!("{pp}.value"), "not a valid number"));
            }
            if opt(props, "content_type").is_some_and(|v| !matches!(v.as_str(), Some("product" | "product_group"))) {
                return Err(invalid(&format!("{pp}.content_type"), "must be product or product_group"));
            }
            currency(props, &pp)?;
            contents(props, &pp)?;
        }
    }
    Ok(())
}

/// Legacy `POST /open_api/v1.3/offline/track/`.
pub fn offline_track(body: &Value, strict: bool) -> Result<(), Reject> {
    let set = body.get("event_set_id").and_then(Value::as_str).unwrap_or("");
    if set.is_empty() || !set.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("event_set_id", "not a valid string"));
    }
    if !body.get("event").and_then(Value::as_str).is_some_and(|e| LEGACY_OFFLINE_EVENTS.contains(&e)) {
        return Err(invalid("event", "must be CompletePayment, Contact, Subscribe or SubmitForm"));
    }
    let ts = body.get("timestamp").and_then(Value::as_str).unwrap_or("");
    if ts.len() < 20 || ts.as_bytes().get(10) != Some(&b'T') {
        return Err(invalid("timestamp", "must be ISO 8601"));
    }
    let user = body.get("context").and_then(|c| c.get("user")).ok_or_else(|| invalid("context.user", "required"))?;
    let mut identifiers = 0;
    for k in ["emails", "phone_numbers"] {
        if let Some(list) = opt(user, k) {
            let list = list.as_array().ok_or_else(|| invalid(&format!("context.user.{k}"), "not a valid list"))?;
            identifiers += list.len();
            for (i, v) in list.iter().enumerate() {
                hashed(v, &format!("context.user.{k}.{i}"), strict)?;
            }
        }
    }
    if identifiers == 0 {
        return Err(invalid("context.user", "at least one of emails or phone_numbers is required"));
    }
    if let Some(props) = opt(body, "properties") {
        if opt(props, "event_channel").is_some_and(|c| !c.as_str().is_some_and(|c| EVENT_CHANNELS.contains(&c))) {
            return Err(invalid("properties.event_channel", "not a supported value"));
        }
        currency(props, "properties")?;
        contents(props, "properties")?;
    }
    Ok(())
}

/// Sync Order Information (shape per CA; the real API is not public).
pub fn order_sync(body: &Value, statuses: &[String]) -> Result<(), Reject> {
    string(body.get("ttoclid").unwrap_or(&Value::Null), "ttoclid")?;
    let info = body.get("order_info").filter(|v| v.is_object()).ok_or_else(|| invalid("order_info", "required"))?;
    for k in ["order_id", "third_merchant_id", "third_shop_id", "third_shop_name", "order_country"] {
        string(info.get(k).unwrap_or(&Value::Null), &format!("order_info.{k}"))?;
    }
    let status = info.get("order_status").and_then(Value::as_str).unwrap_or("");
    if !statuses.iter().any(|s| s == status) {
        return Err(invalid("order_info.order_status", "not a supported order status"));
    }
    for k in ["create_time", "update_time"] {
        if !info.get(k).is_some_and(Value::is_i64) {
            return Err(invalid(&format!("order_info.{k}"), "must be a unix timestamp in seconds"));
        }
    }
    let value = info.get("value").ok_or_else(|| invalid("order_info.value", "required"))?;
    string(value.get("currency").unwrap_or(&Value::Null), "order_info.value.currency")?;
    for k in ["payment_value", "total_value"] {
        if !value.get(k).is_some_and(Value::is_number) {
            return Err(invalid(&format!("order_info.value.{k}"), "not a valid number"));
        }
    }
    let extra = info.get("extra").ok_or_else(|| invalid("order_info.extra", "required"))?;
    for k in ["length_of_stay", "amount_of_room"] {
        if !extra.get(k).is_some_and(Value::is_i64) {
            return Err(invalid(&format!("order_info.extra.{k}"), "not a valid integer"));
        }
    }
    for k in ["check_in_date", "check_out_date"] {
        string(extra.get(k).unwrap_or(&Value::Null), &format!("order_info.extra.{k}"))?;
    }
    let sku = info
        .pointer("/spu_list/0/sku_list/0")
        .ok_or_else(|| invalid("order_info.spu_list.0.sku_list.0", "required"))?;
    for k in ["third_sku_id", "third_sku_name"] {
        string(sku.get(k).unwrap_or(&Value::Null), &format!("order_info.spu_list.0.sku_list.0.{k}"))?;
    }
    if status == "CANCEL_ORDER"
        && !matches!(info.get("initiator").and_then(Value::as_str), Some("MERCHANT" | "CUSTOMER"))
    {
        return Err(invalid("order_info.initiator", "required for CANCEL_ORDER: MERCHANT or CUSTOMER"));
    }
    if status == "COMPLETE_ORDER" {
        for k in ["fulfillment_value", "fulfillment_tax", "fulfillment_service_fee"] {
            if !value.get(k).is_some_and(Value::is_number) {
                return Err(invalid(&format!("order_info.value.{k}"), "required for COMPLETE_ORDER"));
            }
        }
        if !value.pointer("/commission_value/0/commission_base_amount").is_some_and(Value::is_number) {
            return Err(invalid("order_info.value.commission_value", "required for COMPLETE_ORDER"));
        }
    }
    Ok(())
}
