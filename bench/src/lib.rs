//! Shared inputs of the benchmarks: a realistic web purchase with 3 items.

/// The config the benchmark plans with.
pub const CONFIG: &str = r#"{"destinations": [{"id": "tiktok", "type": "events_api",
  "pixel_id": "CABCDEF1234567890", "app_id": "7312345678901234567", "consent_category": "3"}]}"#;

/// A realistic purchase: hashed email, phone and user id, cookies, URL with ttclid, 3 items.
pub const PURCHASE: &str = r#"{
  "event_name": "purchase", "id": "O_12345", "type": "online", "value": 42.52, "revenue": 33.00,
  "tax_amount": 6.20, "shipping_amount": 3.33, "currency": "EUR", "payment_method": "card",
  "status": "in_progress", "coupon": "CHRISTMAS",
  "user": {"id": "845454", "email": " John.Doe@Example.com ", "phone": "+33 6 12 34 56 78",
           "consistent_anonymous_id": "67892", "consent_categories": ["1", "3"]},
  "items": [
    {"id": "SKU_12345", "quantity": 1, "price": 9.99, "variant": "red", "discount": 1.99,
     "product": {"id": "12345", "name": "Trex tshirt", "price": 9.99, "brand": "Lacoste",
                 "category_1": "clothes", "category_2": "t-shirts", "category_3": "boy"}},
    {"id": "SKU_12346", "quantity": 1, "price": 9.99, "variant": "green", "discount": 1.99,
     "content_type": "product",
     "product": {"id": "12346", "name": "Heart tshirt", "price": 9.99, "brand": "Jenyfion",
                 "category_1": "clothes", "category_2": "t-shirts", "category_3": "girl"}},
    {"id": "SKU_22001", "quantity": 2, "price": 9.99,
     "product": {"id": "22001", "name": "Socks", "price": 9.99, "brand": "Acme", "category_1": "clothes"}}
  ],
  "partners": {"tiktok": {"shop_id": "shop_fr_01"}},
  "url": "https://shop.example.com/checkout/confirmation?ttclid=E.C.P.Cu8BabcDEF123",
  "context": {
    "event_id": "202512090000000001", "event_timestamp": 1765290725123,
    "page": {"title": "Order confirmation", "lang": "en",
             "url": "https://shop.example.com/checkout/confirmation?ttclid=E.C.P.Cu8BabcDEF123",
             "referrer": "https://shop.example.com/checkout/payment"},
    "device": {"user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
               "ip": "203.0.113.10", "lang": "fr", "timezone": "Europe/Paris",
               "cookie": "_ttp=2Xy9kQ3abcDEFghiJKL; _fbp=fb.1.1596403881668.1116446470; _ga=GA1.2.3"}
  }
}"#;

use serde_json::Value;
use tiktok_edge::hashing::sha256_hex;
use tiktok_edge::{plan, Body, Config, Outcome, RequestContext, Secrets};

/// The config, secrets and clock both sides run with.
pub struct Setup {
    pub config: Config,
    pub secrets: Secrets,
    pub ctx: RequestContext,
}

impl Setup {
    pub fn new() -> Result<Setup, String> {
        Ok(Setup {
            config: Config::from_json(CONFIG).map_err(|e| e.to_string())?,
            secrets: Secrets::new().with("TIKTOK_ACCESS_TOKEN", "token"),
            ctx: RequestContext::at(1_767_225_600_000),
        })
    }

    /// The measured side: parse the event text, plan it, serialize the request body.
    pub fn plan_once(&self, event_text: &str) -> Result<String, String> {
        let event: Value = serde_json::from_str(event_text).map_err(|e| e.to_string())?;
        match plan(&self.config, &event, &self.ctx, &self.secrets).first().map(|r| &r.outcome) {
            Some(Outcome::Ready { request, .. }) => Ok(request.body.to_json()),
            other => Err(format!("the benchmark event must plan to a request, got {other:?}")),
        }
    }
}

/// The floor: parse the same text, serialize the already-built output, 3 SHA-256 digests.
pub fn floor_once(event_text: &str, output: &Body<'_>) -> Result<(Value, String, [String; 3]), String> {
    let event: Value = serde_json::from_str(event_text).map_err(|e| e.to_string())?;
    let body = serde_json::to_string(output).map_err(|e| e.to_string())?;
    let hashes = [sha256_hex(b"john.doe@example.com"), sha256_hex(b"+33612345678"), sha256_hex(b"845454")];
    Ok((event, body, hashes))
}
