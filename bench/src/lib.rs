//! Shared inputs of the benchmarks: a realistic web purchase with 3 items.

/// The config the benchmark plans with.
pub const CONFIG: &str = r#"{"destinations": [{"id": "tiktok", "type": "events_api",
  "pixel_id": "CABCDEF1234567890", "app_id": "7312345678901234567", "consent_category": "3"}]}"#;

/// A realistic purchase: hashed email, phone and user id, cookies, URL with ttclid, 3 items.
pub const PURCHASE: &str = include_str!("../purchase.json");

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

    /// The measured side: read the event text (as the bindings do), plan it, serialize the request body.
    pub fn plan_once(&self, event_text: &str) -> Result<String, String> {
        let event = tiktok_edge::node::parse(event_text).map_err(|e| e.to_string())?;
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
    Ok((event, body, three_hashes()))
}

/// The 3 SHA-256 hex digests of the floor (the benchmark event's email, phone, user id).
pub fn three_hashes() -> [String; 3] {
    [sha256_hex(b"john.doe@example.com"), sha256_hex(b"+33612345678"), sha256_hex(b"845454")]
}
