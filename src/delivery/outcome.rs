//! TikTok's answers, classified: accepted, partly accepted, retry later, or refused
//! for good, with TikTok's code, message and request_id. Business errors arrive as
//! HTTP 200 with a body `code`, so HTTP 200 alone is never success.

use serde::Serialize;
use serde_json::Value;

/// What to do with a request after TikTok's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Accepted (code 0).
    Ok,
    /// Code 20001: TikTok kept some events of the request and not others. A request of
    /// one event so answered counts as accepted (with a `partial_ok` warning); a larger
    /// one is split and resent, which is safe because TikTok deduplicates on event_id.
    Partial,
    /// Transient: send again later.
    Retry,
    /// Permanent: sending the same request again cannot succeed.
    Drop,
}

/// Why a request or an event ended as it did: TikTok's classifications and the
/// delivery's own reasons. Serialized in snake_case; never rename one (logs,
/// dead letters and callers match on them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    Ok,
    PartialOk,
    RateLimited,
    ServerError,
    Timeout,
    InvalidResponse,
    Maintenance,
    InvalidParams,
    PermissionDenied,
    Forbidden,
    InvalidApiVersion,
    NotFound,
    DuplicatedRequest,
    BatchTooLarge,
    PiiNotHashed,
    InvalidPartnerName,
    AccessTokenExpired,
    EmptyAccessToken,
    InvalidAccessToken,
    RouteNotFound,
    Blocked,
    /// Another 4xxxx code.
    Rejected,
    UnknownCode,
    /// An HTTP error status without a TikTok envelope.
    HttpError,
    /// More TikTok requests than one invocation may make (`MAX_SUBREQUESTS`).
    SubrequestBudget,
    /// The call's time for retries and splits (`RETRY_BUDGET_MS`) ran out.
    RetryBudget,
    /// The queue refused the message.
    QueueUnavailable,
    /// One event's request is larger than a queue message can be.
    MessageTooLarge,
    /// The secret a destination names is not set.
    MissingSecret,
    /// A queue message that is not one of ours.
    InvalidMessage,
    /// A queue message aimed at a URL no configured destination produces.
    ForeignUrl,
    /// The request was never sent (a delivery that stopped early).
    NotAttempted,
}

/// As its name: one string table (`as_str`) instead of a derived copy per serializer.
impl Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Reason {
    /// The least wait TikTok asks for before a retry, in ms (rate limits, maintenance).
    pub fn suggested_wait_ms(self) -> Option<u64> {
        match self {
            Reason::RateLimited => Some(RATE_LIMIT_MS),
            Reason::Maintenance => Some(MAINTENANCE_MS),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Ok => "ok",
            Reason::PartialOk => "partial_ok",
            Reason::RateLimited => "rate_limited",
            Reason::ServerError => "server_error",
            Reason::Timeout => "timeout",
            Reason::InvalidResponse => "invalid_response",
            Reason::Maintenance => "maintenance",
            Reason::InvalidParams => "invalid_params",
            Reason::PermissionDenied => "permission_denied",
            Reason::Forbidden => "forbidden",
            Reason::InvalidApiVersion => "invalid_api_version",
            Reason::NotFound => "not_found",
            Reason::DuplicatedRequest => "duplicated_request",
            Reason::BatchTooLarge => "batch_too_large",
            Reason::PiiNotHashed => "pii_not_hashed",
            Reason::InvalidPartnerName => "invalid_partner_name",
            Reason::AccessTokenExpired => "access_token_expired",
            Reason::EmptyAccessToken => "empty_access_token",
            Reason::InvalidAccessToken => "invalid_access_token",
            Reason::RouteNotFound => "route_not_found",
            Reason::Blocked => "blocked",
            Reason::Rejected => "rejected",
            Reason::UnknownCode => "unknown_code",
            Reason::HttpError => "http_error",
            Reason::SubrequestBudget => "subrequest_budget",
            Reason::RetryBudget => "retry_budget",
            Reason::QueueUnavailable => "queue_unavailable",
            Reason::MessageTooLarge => "message_too_large",
            Reason::MissingSecret => "missing_secret",
            Reason::InvalidMessage => "invalid_message",
            Reason::ForeignUrl => "foreign_url",
            Reason::NotAttempted => "not_attempted",
        }
    }
}

/// TikTok's own words about a request: what every report and dead letter quotes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TikTokAnswer {
    pub code: Option<i64>,
    pub message: Option<String>,
    pub request_id: Option<String>,
}

/// An event a 20001 answer names as not kept, by its position in `data`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedItem {
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The classification of one answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Classification {
    pub verdict: Verdict,
    pub reason: Reason,
    /// A request of several events answered this way may hold one bad event: split it.
    pub split: bool,
    /// The least wait before a retry that TikTok asks for (rate limits, maintenance), in ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
    #[serde(flatten)]
    pub tiktok: TikTokAnswer,
    /// The events a partial answer names as not kept, when it names them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed: Option<Vec<FailedItem>>,
}

/// The least TikTok wants us to wait after a rate limit and during maintenance.
const RATE_LIMIT_MS: u64 = 10_000;
const MAINTENANCE_MS: u64 = 300_000;

/// Body codes and what they mean (TikTok SDK `NumericErrorCodes`). The `split` column
/// marks the invalid-parameter codes that one bad event can cause: TikTok fails a
/// whole batch for one bad row. Codes not listed: 4xxxx drop, 5xxxx retry, others drop.
const CODES: &[(i64, Verdict, Reason, bool)] = &[
    (0, Verdict::Ok, Reason::Ok, false),
    (20001, Verdict::Partial, Reason::PartialOk, true),
    (40000, Verdict::Drop, Reason::InvalidParams, true),
    (40001, Verdict::Drop, Reason::PermissionDenied, false),
    (40002, Verdict::Drop, Reason::InvalidParams, true),
    (40003, Verdict::Drop, Reason::Forbidden, false),
    (40006, Verdict::Drop, Reason::InvalidApiVersion, false),
    (40007, Verdict::Drop, Reason::NotFound, false),
    (40016, Verdict::Retry, Reason::RateLimited, false),
    (40050, Verdict::Drop, Reason::DuplicatedRequest, false),
    (40051, Verdict::Drop, Reason::InvalidApiVersion, false),
    (40061, Verdict::Drop, Reason::BatchTooLarge, true),
    (40062, Verdict::Drop, Reason::PiiNotHashed, true),
    (40063, Verdict::Drop, Reason::InvalidPartnerName, false),
    (40100, Verdict::Retry, Reason::RateLimited, false),
    (40102, Verdict::Drop, Reason::AccessTokenExpired, false),
    (40103, Verdict::Drop, Reason::AccessTokenExpired, false),
    (40104, Verdict::Drop, Reason::EmptyAccessToken, false),
    (40105, Verdict::Drop, Reason::InvalidAccessToken, false),
    (40132, Verdict::Retry, Reason::RateLimited, false),
    (40400, Verdict::Drop, Reason::RouteNotFound, false),
    (41000, Verdict::Drop, Reason::Blocked, false),
    (60001, Verdict::Retry, Reason::Maintenance, false),
    (61000, Verdict::Retry, Reason::RateLimited, false),
];

/// Classifies an answer. `status` 0 means no answer (timeout or network error).
pub fn classify(status: u16, body: &str) -> Classification {
    let envelope = serde_json::from_str::<Value>(body).ok();
    let field = |k: &str| envelope.as_ref().and_then(|v| v.get(k));
    let code = field("code").and_then(Value::as_i64);
    let tiktok = TikTokAnswer {
        code,
        message: field("message").and_then(Value::as_str).map(str::to_owned),
        request_id: field("request_id").and_then(Value::as_str).map(str::to_owned),
    };
    let (verdict, reason, split) = match (status, code) {
        (0 | 408, _) => (Verdict::Retry, Reason::Timeout, false),
        (429, _) => (Verdict::Retry, Reason::RateLimited, false),
        (500..=599, _) => (Verdict::Retry, Reason::ServerError, false),
        (200..=299, None) => (Verdict::Retry, Reason::InvalidResponse, false),
        (_, None) => (Verdict::Drop, Reason::HttpError, false),
        (_, Some(code)) => of_code(code),
    };
    // Only waits TikTok asks for; other transient failures follow the caller's backoff.
    let retry_after_ms = reason.suggested_wait_ms();
    let failed = match verdict {
        Verdict::Partial => envelope.as_ref().and_then(failed_items),
        _ => None,
    };
    Classification { verdict, reason, split, retry_after_ms, tiktok, failed }
}

/// What a body code means: (verdict, reason, whether one event can cause it).
fn of_code(code: i64) -> (Verdict, Reason, bool) {
    match CODES.iter().find(|row| row.0 == code) {
        Some(&(_, verdict, reason, split)) => (verdict, reason, split),
        None if (40000..50000).contains(&code) => (Verdict::Drop, Reason::Rejected, false),
        None if (50000..60000).contains(&code) => (Verdict::Retry, Reason::ServerError, false),
        None => (Verdict::Drop, Reason::UnknownCode, false),
    }
}

/// The reason of a code TikTok gives for one event (in a partial answer's list).
pub fn reason_of(code: Option<i64>) -> Reason {
    code.map_or(Reason::InvalidParams, |c| of_code(c).1)
}

/// The events a 20001 body names as not kept. TikTok does not document this body; we
/// read a list under `data` (`failed_events`, `failed` or `errors`) whose entries give
/// a `data` position as `index`. Anything else reads as "not named" (then the request
/// is split to find them).
fn failed_items(envelope: &Value) -> Option<Vec<FailedItem>> {
    let data = envelope.get("data")?;
    let list = ["failed_events", "failed", "errors"].iter().find_map(|k| data.get(*k)?.as_array())?;
    let mut items = Vec::with_capacity(list.len());
    for entry in list {
        let index = entry.get("index").and_then(Value::as_u64).and_then(|i| usize::try_from(i).ok())?;
        items.push(FailedItem {
            index,
            code: entry.get("code").and_then(Value::as_i64),
            message: entry.get("message").and_then(Value::as_str).map(str::to_owned),
        });
    }
    (!items.is_empty()).then_some(items)
}

/// The `data` position a rejection names (`data.3.event_id`, the legacy `Batch.3.`),
/// when TikTok's message names one.
pub fn named_index(message: &str) -> Option<usize> {
    ["data.", "Batch."].iter().find_map(|prefix| {
        let (_, rest) = message.split_once(prefix)?;
        let digits: &str = rest.split(|c: char| !c.is_ascii_digit()).next()?;
        let next = rest.get(digits.len()..)?;
        (!digits.is_empty() && (next.starts_with('.') || next.starts_with(':') || next.starts_with(' ')))
            .then(|| digits.parse().ok())
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn partial_success_is_not_success() {
        let c = classify(200, r#"{"code":20001,"message":"Partial success.","request_id":"r","data":{}}"#);
        assert_eq!((c.verdict, c.reason, c.split, c.failed), (Verdict::Partial, Reason::PartialOk, true, None));
    }

    #[test]
    fn a_partial_answer_that_lists_failed_events_is_read() {
        let body = r#"{"code":20001,"message":"Partial success.","data":{"failed_events":[
            {"index":2,"event_id":"X","code":40002,"message":"Invalid value for data.2.event_id"}]}}"#;
        let failed = classify(200, body).failed.unwrap();
        assert_eq!(
            failed,
            vec![FailedItem { index: 2, code: Some(40002), message: Some("Invalid value for data.2.event_id".into()) }]
        );
        // An entry without a usable index makes the whole list unreadable: split instead.
        let body = r#"{"code":20001,"data":{"failed_events":[{"index":1},{"event_id":"X"}]}}"#;
        assert_eq!(classify(200, body).failed, None);
    }

    #[test]
    fn invalid_parameter_codes_mark_the_request_for_splitting_others_not() {
        for (code, split) in
            [(40002, true), (40000, true), (40062, true), (40061, true), (40001, false), (40105, false)]
        {
            let c = classify(200, &format!(r#"{{"code":{code},"message":"m"}}"#));
            assert_eq!(c.split, split, "code {code}");
        }
    }

    #[test]
    fn a_named_data_position_is_read_from_the_message() {
        assert_eq!(named_index("Invalid value for data.3.event_id: not a valid string."), Some(3));
        assert_eq!(named_index("Batch.0.properties.contents.0.content_id: Not a valid string"), Some(0));
        assert_eq!(named_index("Invalid value for data.12: bad"), Some(12));
        assert_eq!(named_index("Invalid value for event_id: not a valid string."), None);
        assert_eq!(named_index("Invalid value for data.x.event_id"), None);
        assert_eq!(named_index("metadata.3a"), None);
    }
}
