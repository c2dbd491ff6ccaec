//! Every row of the response code table (spec tiktok-api.md 1.3-1.5).
#![allow(clippy::unwrap_used)]

use tiktok_edge::{classify, Verdict};

fn body(code: i64, message: &str) -> String {
    format!(r#"{{"code":{code},"message":"{message}","request_id":"20260925154312B5FDD99F0E7A83C65D8F","data":{{}}}}"#)
}

#[test]
fn body_codes() {
    use Verdict::*;
    let rows: &[(i64, Verdict, &str)] = &[
        (0, Ok, "ok"),
        (20001, Partial, "partial_ok"),
        (40000, Drop, "invalid_params"),
        (40001, Drop, "permission_denied"),
        (40002, Drop, "invalid_params"),
        (40003, Drop, "forbidden"),
        (40006, Drop, "invalid_api_version"),
        (40007, Drop, "not_found"),
        (40016, Retry, "rate_limited"),
        (40050, Drop, "duplicated_request"),
        (40051, Drop, "invalid_api_version"),
        (40061, Drop, "batch_too_large"),
        (40062, Drop, "pii_not_hashed"),
        (40063, Drop, "invalid_partner_name"),
        (40100, Retry, "rate_limited"),
        (40102, Drop, "access_token_expired"),
        (40103, Drop, "access_token_expired"),
        (40104, Drop, "empty_access_token"),
        (40105, Drop, "invalid_access_token"),
        (40130, Drop, "rejected"),
        (40132, Retry, "rate_limited"),
        (40300, Drop, "rejected"),
        (40400, Drop, "route_not_found"),
        (41000, Drop, "blocked"),
        (50000, Retry, "server_error"),
        (50002, Retry, "server_error"),
        (51000, Retry, "server_error"),
        (51012, Retry, "server_error"),
        (52001, Retry, "server_error"),
        (53103, Retry, "server_error"),
        (60001, Retry, "maintenance"),
        (61000, Retry, "rate_limited"),
        (12345, Drop, "unknown_code"),
    ];
    for (code, verdict, reason) in rows {
        let c = classify(200, &body(*code, "m"));
        assert_eq!((c.verdict, c.reason.as_str(), c.tiktok.code), (*verdict, *reason, Some(*code)), "code {code}");
        assert_eq!(c.tiktok.request_id.as_deref(), Some("20260925154312B5FDD99F0E7A83C65D8F"));
        assert_eq!(c.tiktok.message.as_deref(), Some("m"));
        // Only rate limits and maintenance come with a wait of TikTok's.
        assert_eq!(c.retry_after_ms.is_some(), matches!(*reason, "rate_limited" | "maintenance"), "code {code}");
    }
}

#[test]
fn http_200_with_a_non_zero_code_is_never_success() {
    let c = classify(
        200,
        r#"{"code":40002,"message":"Invalid value for event_id: not a valid string.","request_id":"202303141300390EF6F5D96D1798201C51"}"#,
    );
    assert_eq!(c.verdict, Verdict::Drop);
    assert_eq!(c.tiktok.message.as_deref(), Some("Invalid value for event_id: not a valid string."));
}

#[test]
fn transport_failures_and_http_statuses() {
    let html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    let rows: &[(u16, &str, Verdict, &str)] = &[
        (0, "", Verdict::Retry, "timeout"),
        (408, "", Verdict::Retry, "timeout"),
        (429, "", Verdict::Retry, "rate_limited"),
        (500, "Internal Server Error", Verdict::Retry, "server_error"),
        (502, html, Verdict::Retry, "server_error"),
        (503, &body(0, "OK"), Verdict::Retry, "server_error"),
        (200, html, Verdict::Retry, "invalid_response"),
        (200, "", Verdict::Retry, "invalid_response"),
        (200, r#"{"message":"no code"}"#, Verdict::Retry, "invalid_response"),
        (404, "not found", Verdict::Drop, "http_error"),
        (401, "", Verdict::Drop, "http_error"),
        (400, &body(40002, "bad"), Verdict::Drop, "invalid_params"),
        (429, &body(40100, "Too many requests. Please retry in some time."), Verdict::Retry, "rate_limited"),
    ];
    for (status, text, verdict, reason) in rows {
        let c = classify(*status, text);
        assert_eq!((c.verdict, c.reason.as_str()), (*verdict, *reason), "HTTP {status} {text}");
    }
}

#[test]
fn suggested_delays_grow_with_the_kind_of_failure() {
    assert_eq!(classify(500, "").retry_after_ms, None, "server errors follow the caller's backoff");
    let rate = classify(200, &body(40100, "")).retry_after_ms.unwrap();
    let maintenance = classify(200, &body(60001, "")).retry_after_ms.unwrap();
    assert!(rate < maintenance);
}
