//! One function per route. HTTP checks (auth, CORS, content type, size) happen
//! here; planning, batching and classifying TikTok's answers are the core's.

use crate::config::{self, Settings};
use crate::http::{self, error, error_for};
use crate::stats::{self, Tally};
use crate::{proxy, queue, tiktok};
use futures_util::future::join_all;
use serde_json::{json, Value};
use std::time::Duration;
use tiktok_edge::site::{self, ProxyMode};
use tiktok_edge::{
    batch, classify, plan, results_for, results_list, Batch, Classification, Config, DestinationResult, HttpRequest,
    Outcome, RequestContext, Tokens, Verdict,
};
use wasm_bindgen::JsValue;
use worker::{Context, Date, Delay, Env, Method, Request, Response, Result};

/// Most events in one call (TikTok's batch limit).
const MAX_EVENTS: usize = 1000;
/// Attempts per TikTok request within one call (the first included).
const MAX_INLINE_ATTEMPTS: u32 = 3;
const INLINE_BACKOFF_MS: u64 = 250;

pub async fn handle(req: Request, env: &Env, ctx: &Context) -> Result<Response> {
    let settings = config::load(env);
    let full = req.inner().url();
    let Some(url) = tiktok_edge::url::parts(&full) else {
        return error(400, "bad_request", "the request URL is not absolute", "");
    };
    let path = url.path;
    // The event API lives under API_PREFIX; everything else is site traffic (proxy mode).
    let api = match settings.api_prefix.as_str() {
        "" => Some(path),
        prefix => path.strip_prefix(prefix),
    }
    .filter(|p| matches!(*p, "/healthz" | "/v1/events" | "/v1/preview" | "/v1/stats"));
    let Some(api) = api else {
        return match site::proxy_target(&settings.proxy, &full, url.host, url.path_and_query) {
            Some(target) => proxy::forward(req, settings, &target, ctx).await,
            None => error(404, "not_found", "no such route", ""),
        };
    };
    let method = req.method();
    // In proxy mode the site's own pages are first-party callers, like ALLOWED_ORIGINS.
    let own = (settings.proxy != ProxyMode::Off).then_some(url.origin);
    let origin = req
        .headers()
        .get("Origin")?
        .map(|o| o.trim_end_matches('/').to_owned())
        .filter(|o| settings.allowed_origins.iter().any(|a| a == o) || own == Some(o.as_str()));
    match api {
        "/healthz" => match method {
            Method::Get | Method::Head => healthz(&settings, queue::binding(env, queue::EVENTS).is_some()),
            _ => error(405, "method_not_allowed", "use GET", ""),
        },
        "/v1/stats" => match method {
            Method::Get if authorized(&req, &settings)? => http::json(200, &stats::snapshot(), None),
            Method::Get => error(401, "unauthorized", "send Authorization: Bearer <INGEST_TOKEN>", ""),
            _ => error(405, "method_not_allowed", "use GET", ""),
        },
        _ => match (method, origin.as_deref()) {
            (Method::Options, Some(o)) => http::preflight(o),
            (Method::Options, None) => error(403, "origin_not_allowed", "this origin is not in ALLOWED_ORIGINS", ""),
            (Method::Post, o) => {
                let queue = queue::binding(env, queue::EVENTS);
                events(req, &settings, o, api == "/v1/preview", queue.as_ref()).await
            }
            (_, o) => error_for(405, "method_not_allowed", "use POST", "", o),
        },
    }
}

fn healthz(settings: &Settings, queued: bool) -> Result<Response> {
    match settings.config.as_ref() {
        Ok(c) => {
            let ids: Vec<&str> = c.destinations.iter().map(|d| d.id.as_str()).collect();
            let delivery = if queued { "queue" } else { "inline" };
            http::json(
                200,
                &json!({"status": "ok", "config": "valid", "destinations": ids, "delivery": delivery}),
                None,
            )
        }
        Err(e) => http::json(500, &json!({"status": "error", "config": "invalid", "errors": e.errors}), None),
    }
}

async fn events(
    mut req: Request,
    settings: &Settings,
    origin: Option<&str>,
    preview: bool,
    queue: Option<&JsValue>,
) -> Result<Response> {
    let config = match settings.config.as_ref() {
        Ok(c) => c,
        Err(e) => {
            let first = e.errors.first();
            let body = json!({"error": {"code": "invalid_config",
                "message": format!("the DESTINATIONS config is invalid: {}", first.map(|f| f.message()).unwrap_or_default()),
                "path": first.map(|f| f.path()).unwrap_or("DESTINATIONS")}, "errors": e.errors});
            return http::json(500, &body, origin);
        }
    };
    // Browsers from ALLOWED_ORIGINS call without a token; everyone else needs INGEST_TOKEN.
    if origin.is_none() && !authorized(&req, settings)? {
        let message = match settings.ingest_token {
            Some(_) => "send Authorization: Bearer <INGEST_TOKEN>",
            None => "INGEST_TOKEN is not set: only ALLOWED_ORIGINS may call",
        };
        return error(401, "unauthorized", message, "");
    }
    let content_type = req.headers().get("Content-Type")?.unwrap_or_default().to_ascii_lowercase();
    if !content_type.starts_with("application/json") {
        return error_for(415, "unsupported_media_type", "Content-Type must be application/json", "", origin);
    }
    let declared = req.headers().get("Content-Length")?.and_then(|l| l.parse::<usize>().ok());
    if declared.is_some_and(|n| n > settings.max_body_bytes) {
        return too_large(settings, origin);
    }
    let text = req.text().await?;
    if text.len() > settings.max_body_bytes {
        return too_large(settings, origin);
    }
    let input: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => return error_for(400, "bad_json", &format!("the body is not valid JSON: {e}"), "", origin),
    };
    let events: Vec<&Value> = match &input {
        Value::Array(list) if list.len() > MAX_EVENTS => {
            let message = format!("{} events in one call; at most {MAX_EVENTS}", list.len());
            return error_for(400, "too_many_events", &message, "", origin);
        }
        Value::Array(list) => list.iter().collect(),
        Value::Object(_) => vec![&input],
        _ => return error_for(400, "invalid_event", "send one event object or an array of them", "", origin),
    };

    // Only browser calls are enriched with the request's cookies, IP and user agent.
    let header = |name: &str| req.headers().get(name).ok().flatten();
    let ctx = RequestContext {
        now_ms: Date::now().as_millis() as i64,
        cookie: origin.and_then(|_| header("Cookie")),
        ip: origin.and_then(|_| header("CF-Connecting-IP")),
        user_agent: origin.and_then(|_| header("User-Agent")),
    };
    let secrets = &settings.secrets;
    let results = if preview {
        let planned = results_for(config, &input, &ctx, secrets, Tokens::Redacted);
        planned.iter().map(|r| serde_json::to_value(r).unwrap_or(Value::Null)).collect()
    } else {
        let planned: Vec<Vec<DestinationResult<'_>>> = events.iter().map(|e| plan(config, e, &ctx, secrets)).collect();
        match queue {
            Some(q) => results_list(queue::enqueue(config, planned, q).await, input.is_array()),
            None => deliver(config, planned, input.is_array(), settings).await,
        }
    };
    http::json(if preview { 200 } else { 202 }, &json!({"results": results}), origin)
}

/// `Authorization: Bearer <INGEST_TOKEN>`, compared in constant time; false when unset.
fn authorized(req: &Request, settings: &Settings) -> Result<bool> {
    let given = req.headers().get("Authorization")?.unwrap_or_default();
    let given = given.strip_prefix("Bearer ").unwrap_or("").trim();
    Ok(settings.ingest_token.as_ref().is_some_and(|t| http::constant_time_eq(given.as_bytes(), t.as_bytes())))
}

fn too_large(settings: &Settings, origin: Option<&str>) -> Result<Response> {
    let message = format!("the body is larger than {} bytes", settings.max_body_bytes);
    error_for(413, "payload_too_large", &message, "", origin)
}

/// Sends again, within `RETRY_BUDGET_MS`, the batches whose failure is transient and
/// short (server errors, timeouts, unreadable answers): 250 ms, then 500 ms, with
/// jitter. Rate limits and maintenance ask for longer waits than a caller should
/// hold a request open: those are reported as `failed`, `retryable`. Safe because
/// TikTok deduplicates on `event_id`.
async fn retry_inline(
    batches: &[Batch<HttpRequest<'_>, (usize, usize)>],
    outcomes: &mut [(Classification, u32)],
    settings: &Settings,
    started: u64,
) {
    for attempt in 1..MAX_INLINE_ATTEMPTS {
        let pending: Vec<usize> = outcomes
            .iter()
            .enumerate()
            .filter(|(_, (c, _))| {
                c.verdict == Verdict::Retry && matches!(c.reason, "server_error" | "timeout" | "invalid_response")
            })
            .map(|(i, _)| i)
            .collect();
        // Jitter spreads retries of concurrent requests (randomness stays out of the core).
        let wait = (INLINE_BACKOFF_MS << (attempt - 1)) as f64 * (0.8 + 0.4 * js_sys::Math::random());
        let elapsed = Date::now().as_millis().saturating_sub(started);
        if pending.is_empty() || elapsed + wait as u64 + settings.timeout_ms.min(1000) > settings.retry_budget_ms {
            return;
        }
        Delay::from(Duration::from_millis(wait as u64)).await;
        let sends =
            pending.iter().filter_map(|i| batches.get(*i)).map(|b| tiktok::send(&b.request, settings.timeout_ms));
        for (i, answer) in pending.iter().zip(join_all(sends).await) {
            if let Some(slot) = outcomes.get_mut(*i) {
                *slot = (classify(answer.status, &answer.body), slot.1 + 1);
            }
        }
    }
}

/// A ready request of a call, tagged (event index, destination index).
pub(crate) type Ready<'a> = ((usize, usize), HttpRequest<'a>);

/// Splits a call's results: one entry per event and destination (skipped and error
/// entries final and counted; ready ones without their request, for the caller to
/// complete with what happened to it), and the ready requests.
pub(crate) fn split_ready(planned: Vec<Vec<DestinationResult<'_>>>) -> (Vec<Vec<Value>>, Vec<Ready<'_>>) {
    let mut ready = Vec::new();
    let mut entries = Vec::with_capacity(planned.len());
    for (i, results) in planned.into_iter().enumerate() {
        let mut row = Vec::with_capacity(results.len());
        for (j, r) in results.into_iter().enumerate() {
            let v = match r.outcome {
                Outcome::Ready { event, request } => {
                    ready.push(((i, j), request));
                    let mut entry = json!({"destination": r.destination, "event": event});
                    if let (false, Value::Object(m)) = (r.warnings.is_empty(), &mut entry) {
                        m.insert("warnings".into(), serde_json::to_value(&r.warnings).unwrap_or(Value::Null));
                    }
                    entry
                }
                Outcome::Skipped { .. } => {
                    stats::record(&r.destination, Tally::Skipped);
                    serde_json::to_value(&r).unwrap_or(Value::Null)
                }
                Outcome::Error { .. } => {
                    stats::record(&r.destination, Tally::Error);
                    serde_json::to_value(&r).unwrap_or(Value::Null)
                }
            };
            row.push(v);
        }
        entries.push(row);
    }
    (entries, ready)
}

/// Sends every ready request (batched per TikTok's rules) and reports each event
/// and destination as `sent` or `failed` with TikTok's answer.
pub(crate) async fn deliver(
    config: &Config,
    planned: Vec<Vec<DestinationResult<'_>>>,
    is_array: bool,
    settings: &Settings,
) -> Vec<Value> {
    let (mut entries, ready) = split_ready(planned);
    let batches = batch(ready);
    let started = Date::now().as_millis();
    let mut outcomes: Vec<(Classification, u32)> = Vec::with_capacity(batches.len());
    let answers = join_all(batches.iter().map(|b| tiktok::send(&b.request, settings.timeout_ms))).await;
    for answer in answers {
        outcomes.push((classify(answer.status, &answer.body), 1));
    }
    retry_inline(&batches, &mut outcomes, settings, started).await;
    for (b, (c, attempts)) in batches.iter().zip(&outcomes) {
        let destination = b.tags.first().and_then(|(_, j)| config.destinations.get(*j)).map_or("", |d| d.id.as_str());
        let context =
            [("destination", destination.into()), ("events", b.tags.len().into()), ("attempts", (*attempts).into())];
        tiktok::log_answer(settings, c, &context);
        let tiktok = json!({"code": c.code, "message": c.message, "request_id": c.request_id});
        for (i, j) in &b.tags {
            let retries = attempts - 1;
            let retryable = c.verdict == Verdict::Retry;
            let tally =
                if c.verdict == Verdict::Ok { Tally::Sent { retries } } else { Tally::Failed { retryable, retries } };
            if let Some(d) = config.destinations.get(*j) {
                stats::record(&d.id, tally);
            }
            if let Some(Value::Object(m)) = entries.get_mut(*i).and_then(|row| row.get_mut(*j)) {
                if c.verdict == Verdict::Ok {
                    m.insert("status".into(), "sent".into());
                } else {
                    m.insert("status".into(), "failed".into());
                    m.insert("reason".into(), c.reason.into());
                    m.insert("retryable".into(), (c.verdict == Verdict::Retry).into());
                }
                m.insert("attempts".into(), (*attempts).into());
                m.insert("tiktok".into(), tiktok.clone());
            }
        }
    }
    results_list(entries, is_array)
}
