//! HTTP plumbing: JSON responses, the error format of DESIGN.md, CORS headers,
//! structured log lines (never PII, tokens or raw events).

use serde::Serialize;
use serde_json::{json, Map, Value};
use worker::{console_log, Headers, Response, Result};

/// A JSON response with `status`, plus CORS headers when `origin` is allowed.
pub fn json(status: u16, body: &Value, origin: Option<&str>) -> Result<Response> {
    json_of(status, body, origin, None)
}

/// A JSON response serialized from `body`, with `Retry-After` when given.
pub fn json_of<T: Serialize + ?Sized>(
    status: u16,
    body: &T,
    origin: Option<&str>,
    retry_after_s: Option<u64>,
) -> Result<Response> {
    respond(status, serde_json::to_vec(body)?, origin, retry_after_s)
}

/// The part of [`json_of`] that does not depend on the body's type: one copy in the wasm.
fn respond(status: u16, text: Vec<u8>, origin: Option<&str>, retry_after_s: Option<u64>) -> Result<Response> {
    let headers = Headers::new();
    headers.set("Content-Type", "application/json")?;
    headers.set("Cache-Control", "no-store")?;
    if let Some(s) = retry_after_s {
        headers.set("Retry-After", &s.to_string())?;
    }
    if let Some(origin) = origin {
        cors(&headers, origin)?;
    }
    Ok(Response::from_bytes(text)?.with_status(status).with_headers(headers))
}

/// `{"error": {"code", "message", "path"}}`.
pub fn error(status: u16, code: &str, message: &str, path: &str) -> Result<Response> {
    error_for(status, code, message, path, None)
}

pub fn error_for(status: u16, code: &str, message: &str, path: &str, origin: Option<&str>) -> Result<Response> {
    json(status, &json!({"error": {"code": code, "message": message, "path": path}}), origin)
}

/// The answer to a CORS preflight from an allowed origin.
pub fn preflight(origin: &str) -> Result<Response> {
    let headers = Headers::new();
    cors(&headers, origin)?;
    headers.set("Access-Control-Allow-Methods", "POST, OPTIONS")?;
    headers.set("Access-Control-Allow-Headers", "Content-Type, Authorization")?;
    headers.set("Access-Control-Max-Age", "86400")?;
    Ok(Response::empty()?.with_status(204).with_headers(headers))
}

fn cors(headers: &Headers, origin: &str) -> Result<()> {
    headers.set("Access-Control-Allow-Origin", origin)?;
    // Browsers may read the status advice of a 503.
    headers.set("Access-Control-Expose-Headers", "Retry-After")?;
    // Browsers only send the site's cookies (_ttp, ttclid) with credentials.
    headers.set("Access-Control-Allow-Credentials", "true")?;
    headers.set("Vary", "Origin")
}

/// One structured log line. Callers pass counts, codes and ids: never event content.
pub fn log(level: &str, msg: &str, fields: &[(&str, Value)]) {
    let mut line = Map::new();
    line.insert("level".into(), level.into());
    line.insert("msg".into(), msg.into());
    for (k, v) in fields {
        line.insert((*k).into(), v.clone());
    }
    console_log!("{}", Value::Object(line));
}

/// Compares secrets in time independent of where they differ (the core's comparison;
/// kept here for token checks of other routes).
#[allow(dead_code)]
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    tiktok_edge::access::constant_time_eq(a, b)
}
