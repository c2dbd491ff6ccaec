//! Classifying TikTok's answers (spec tiktok-api.md 1.2-1.5): ok, retry (with a
//! suggested delay) or drop, with TikTok's code, message and request_id.
//! Business errors arrive as HTTP 200 with a body `code`: HTTP 200 alone is
//! never success.

use serde::Serialize;
use serde_json::Value;

/// What to do with a request after TikTok's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Accepted (code 0, or 20001 partial success).
    Ok,
    /// Transient: send again later.
    Retry,
    /// Permanent: sending again cannot succeed.
    Drop,
}

/// The classification of one answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Classification {
    pub verdict: Verdict,
    /// Stable reason: `ok`, `partial_ok`, `rate_limited`, `server_error`, `timeout`,
    /// `invalid_response`, `maintenance`, `invalid_access_token`, `permission_denied`, ...
    pub reason: &'static str,
    /// Suggested wait before the first retry, in ms (callers add backoff and jitter).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Suggested first delays.
const RATE_LIMIT_MS: u64 = 10_000;
const SERVER_ERROR_MS: u64 = 2_000;
const MAINTENANCE_MS: u64 = 300_000;

/// Body codes and what they mean (TikTok SDK `NumericErrorCodes`, spec 1.4).
/// Codes not listed: 4xxxx drop, 5xxxx retry, others drop.
const CODES: &[(i64, Verdict, &str)] = &[
    (0, Verdict::Ok, "ok"),
    (20001, Verdict::Ok, "partial_ok"),
    (40000, Verdict::Drop, "invalid_params"),
    (40001, Verdict::Drop, "permission_denied"),
    (40002, Verdict::Drop, "invalid_params"),
    (40003, Verdict::Drop, "forbidden"),
    (40006, Verdict::Drop, "invalid_api_version"),
    (40007, Verdict::Drop, "not_found"),
    (40016, Verdict::Retry, "rate_limited"),
    (40050, Verdict::Drop, "duplicated_request"),
    (40051, Verdict::Drop, "invalid_api_version"),
    (40061, Verdict::Drop, "batch_too_large"),
    (40062, Verdict::Drop, "pii_not_hashed"),
    (40063, Verdict::Drop, "invalid_partner_name"),
    (40100, Verdict::Retry, "rate_limited"),
    (40102, Verdict::Drop, "access_token_expired"),
    (40103, Verdict::Drop, "access_token_expired"),
    (40104, Verdict::Drop, "empty_access_token"),
    (40105, Verdict::Drop, "invalid_access_token"),
    (40132, Verdict::Retry, "rate_limited"),
    (40400, Verdict::Drop, "route_not_found"),
    (41000, Verdict::Drop, "blocked"),
    (60001, Verdict::Retry, "maintenance"),
    (61000, Verdict::Retry, "rate_limited"),
];

/// Classifies an answer. `status` 0 means no answer (timeout or network error).
pub fn classify(status: u16, body: &str) -> Classification {
    let envelope = serde_json::from_str::<Value>(body).ok();
    let field = |k: &str| envelope.as_ref().and_then(|v| v.get(k));
    let code = field("code").and_then(Value::as_i64);
    let message = field("message").and_then(Value::as_str).map(str::to_owned);
    let request_id = field("request_id").and_then(Value::as_str).map(str::to_owned);
    let (verdict, reason) = match (status, code) {
        (0, _) => (Verdict::Retry, "timeout"),
        (408, _) => (Verdict::Retry, "timeout"),
        (429, _) => (Verdict::Retry, "rate_limited"),
        (500..=599, _) => (Verdict::Retry, "server_error"),
        (200..=299, None) => (Verdict::Retry, "invalid_response"),
        (_, None) => (Verdict::Drop, "http_error"),
        (_, Some(code)) => match CODES.iter().find(|(c, _, _)| *c == code) {
            Some((_, verdict, reason)) => (*verdict, *reason),
            None if (40000..50000).contains(&code) => (Verdict::Drop, "rejected"),
            None if (50000..60000).contains(&code) => (Verdict::Retry, "server_error"),
            None => (Verdict::Drop, "unknown_code"),
        },
    };
    let retry_after_ms = (verdict == Verdict::Retry).then_some(match reason {
        "rate_limited" => RATE_LIMIT_MS,
        "maintenance" => MAINTENANCE_MS,
        _ => SERVER_ERROR_MS,
    });
    Classification { verdict, reason, retry_after_ms, code, message, request_id }
}
