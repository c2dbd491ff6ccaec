//! The event API: `/v1/events`, `/v1/preview`, `/healthz`, `/v1/stats`. HTTP checks
//! (who calls, CORS, rate limit, content type, size, UTF-8) happen here; who may do what
//! is the core's (`tiktok_edge::access`), planning and delivery too.

use crate::config::Settings;
use crate::deliver;
use crate::http::{self, error, error_for};
use crate::{queue, ratelimit, stats};
use futures_util::StreamExt;
use serde_json::json;
use tiktok_edge::access::{self, BrowserView, Caller, Refusal};
use tiktok_edge::delivery::Call;
use tiktok_edge::intake::{self, MAX_EVENTS};
use tiktok_edge::node::{self, Node};
use tiktok_edge::{plan, results_for, Config, DestinationResult, RequestContext, Tokens};
use worker::{Date, Env, Method, Request, Response, Result};

pub async fn api(req: Request, env: &Env, settings: &Settings, api: &str, site: Option<&str>) -> Result<Response> {
    let method = req.method();
    let header = req.headers().get("Origin")?;
    let origin = access::browser_origin(header.as_deref(), &settings.allowed_origins, site);
    match api {
        "/healthz" => match method {
            Method::Get | Method::Head => healthz(settings, env),
            _ => error(405, "method_not_allowed", "use GET", ""),
        },
        "/v1/stats" => match method {
            Method::Get => match caller(&req, settings, None)? {
                Ok(Caller::Server) => stats::respond(&req, env).await,
                Ok(Caller::Browser) => unauthorized(settings, Refusal::TokenRequired, None),
                Err(refusal) => unauthorized(settings, refusal, None),
            },
            _ => error(405, "method_not_allowed", "use GET", ""),
        },
        _ => match (method, origin) {
            (Method::Options, Some(o)) => http::preflight(o),
            (Method::Options, None) => error(403, "origin_not_allowed", "this origin is not in ALLOWED_ORIGINS", ""),
            (Method::Post, o) => events(req, env, settings, o, api == "/v1/preview").await,
            (_, o) => error_for(405, "method_not_allowed", "use POST", "", o),
        },
    }
}

/// The caller class, from the `Authorization` header and the allowed `origin` (if any).
fn caller(req: &Request, settings: &Settings, origin: Option<&str>) -> Result<std::result::Result<Caller, Refusal>> {
    let header = req.headers().get("Authorization")?;
    let auth = access::auth(header.as_deref(), settings.ingest_token.as_deref());
    Ok(access::caller(auth, origin.is_some()))
}

fn unauthorized(settings: &Settings, refusal: Refusal, origin: Option<&str>) -> Result<Response> {
    error_for(401, "unauthorized", refusal.message(settings.ingest_token.is_some()), "", origin)
}

fn healthz(settings: &Settings, env: &Env) -> Result<Response> {
    let queued = queue::binding(env, queue::EVENTS).is_some();
    let dead_letters = queue::binding(env, queue::DEAD_LETTERS).is_some();
    match settings.config.as_ref() {
        Ok(c) => {
            let ids: Vec<&str> = c.destinations.iter().map(|d| d.id.as_str()).collect();
            // Said at once, not found out during an outage.
            let mut warnings = Vec::new();
            if queued && !dead_letters {
                warnings.push(json!({"code": "no_dead_letter_queue",
                    "message": "DEAD_LETTERS is not bound: messages TikTok refuses stay in the queue and are retried until Cloudflare's own retries run out"}));
            }
            if !ratelimit::is_bound(env) {
                warnings.push(json!({"code": "no_rate_limit",
                    "message": format!("{} is not bound: browser calls are not rate limited", ratelimit::BINDING)}));
            }
            let body = json!({"status": "ok", "config": "valid", "destinations": ids,
                "delivery": if queued { "queue" } else { "inline" }, "warnings": warnings});
            http::json(200, &body, None)
        }
        Err(e) => http::json(500, &json!({"status": "error", "config": "invalid", "errors": e.errors}), None),
    }
}

async fn events(
    mut req: Request,
    env: &Env,
    settings: &Settings,
    origin: Option<&str>,
    preview: bool,
) -> Result<Response> {
    // Server callers send INGEST_TOKEN; browsers of an allowed origin call without one
    // (a wrong token is refused, not served as a browser), but never preview.
    let caller = match caller(&req, settings, origin)? {
        Ok(Caller::Browser) if preview => {
            let message = "previews show pixel ids and endpoints: send Authorization: Bearer <INGEST_TOKEN>";
            return error_for(401, "unauthorized", message, "", origin);
        }
        Ok(c) => c,
        Err(refusal) => return unauthorized(settings, refusal, origin),
    };
    let browser = caller == Caller::Browser;
    let (config, browser_config) = match (settings.config.as_ref(), settings.browser_config.as_ref()) {
        (Ok(c), Some(b)) => (c, b),
        (Err(e), _) => {
            let first = e.errors.first();
            let body = json!({"error": {"code": "invalid_config",
                "message": format!("the Worker config is invalid: {}", first.map(|f| f.to_string()).unwrap_or_default()),
                "path": first.map(|f| f.path()).unwrap_or("DESTINATIONS")}, "errors": e.errors});
            return http::json(500, &body, origin);
        }
        (Ok(_), None) => return error_for(500, "internal_error", "internal error", "", origin),
    };
    // Public callers are counted per client IP before any work; server callers are not.
    if browser {
        let ip = req.headers().get("CF-Connecting-IP")?;
        if ratelimit::check(env, &access::rate_limit_key(ip.as_deref())).await == ratelimit::Verdict::Limited {
            let message = "too many calls from this address; retry after Retry-After seconds";
            let body = json!({"error": {"code": "rate_limited", "message": message, "path": ""}});
            return http::json_of(429, &body, origin, Some(u64::from(settings.rate_limit_period_s)));
        }
    }
    // Browsers send application/json (which needs a CORS preflight, so a page on another
    // site cannot post here unasked); server callers with the token may also send text/plain
    // or no type at all, as some webhook senders do.
    let content_type = req.headers().get("Content-Type")?.unwrap_or_default().to_ascii_lowercase();
    let json = content_type.starts_with("application/json");
    let plain = content_type.is_empty() || content_type.starts_with("text/plain");
    if !(json || (!browser && plain)) {
        let message = match browser {
            true => "Content-Type must be application/json",
            false => "Content-Type must be application/json or text/plain",
        };
        return error_for(415, "unsupported_media_type", message, "", origin);
    }
    let text = match read_body(&mut req, settings.max_body_bytes).await? {
        Body::Text(t) => t,
        Body::TooLarge => {
            let message = format!("the body is larger than {} bytes", settings.max_body_bytes);
            return error_for(413, "payload_too_large", &message, "", origin);
        }
        Body::NotUtf8 => {
            let message = "the body is not valid UTF-8 (JSON must be UTF-8)";
            return error_for(400, "bad_json", message, "", origin);
        }
    };
    // Read in place: strings stay slices of the body text (see `tiktok_edge::node`).
    let input = match node::parse(&text) {
        Ok(v) => v,
        Err(e) => return error_for(400, "bad_json", &format!("the body is not valid JSON: {e}"), "", origin),
    };
    // A bare event, an array, or Commanders Act's `{"batch": [...]}`.
    let max_events = if browser { settings.browser.max_events } else { MAX_EVENTS };
    let unwrapped = intake::unwrap(&input);
    let is_list = matches!(unwrapped, Ok(Node::Array(_)));
    let events = match unwrapped {
        Ok(Node::Array(list)) if list.len() > max_events => {
            let message = format!("{} events in one call; at most {max_events}", list.len());
            return error_for(400, "too_many_events", &message, "", origin);
        }
        Ok(Node::Array(list)) => list.iter().collect::<Vec<&Node<'_>>>(),
        Ok(event @ Node::Object(_)) => vec![event],
        Ok(_) => {
            return error_for(
                400,
                "invalid_event",
                "send one event object, an array of them, or {\"batch\": [...]}",
                "",
                origin,
            )
        }
        Err(e) => return error_for(400, e.code(), &e.message(), e.path(), origin),
    };

    // Only browser calls are enriched with the request's cookies, IP and user agent, and
    // for them these come from the request only (the core takes them out of the events).
    let header = |name: &str| req.headers().get(name).ok().flatten();
    let ctx = RequestContext {
        now_ms: Date::now().as_millis() as i64,
        cookie: browser.then(|| header("Cookie")).flatten(),
        ip: browser.then(|| header("CF-Connecting-IP")).flatten(),
        user_agent: browser.then(|| header("User-Agent")).flatten(),
    };
    if preview {
        let results = results_for(config, &input, &ctx, &settings.secrets, Tokens::Redacted);
        return http::json_of(200, &Results { results: &results }, origin, None);
    }
    if browser {
        let cleaned: Vec<Node<'_>> = events.iter().map(|e| settings.browser.event(browser_config, e)).collect();
        let call = deliver_planned(browser_config, cleaned.iter().collect(), is_list, &ctx, settings, env, true).await;
        let status = call.status();
        return http::json_of(status.status, &BrowserView(call.results()), origin, status.retry_after_s);
    }
    let call = deliver_planned(config, events, is_list, &ctx, settings, env, false).await;
    let status = call.status();
    http::json_of(status.status, &Results { results: call.results() }, origin, status.retry_after_s)
}

/// Plans and delivers a call's events; for browsers, templated ids outside the allow-list
/// are refused before anything is sent.
async fn deliver_planned<'a>(
    config: &'a Config,
    events: Vec<&'a Node<'a>>,
    is_list: bool,
    ctx: &RequestContext,
    settings: &Settings,
    env: &Env,
    browser: bool,
) -> Call<'a> {
    let inputs = events.clone();
    let planned = events
        .into_iter()
        .map(|e| {
            let mut results = plan(config, e, ctx, &settings.secrets);
            if browser {
                settings.browser.check_ids(config, &mut results);
            }
            results
        })
        .collect();
    deliver::deliver(Call::new(planned, is_list), &inputs, settings, env).await
}

#[derive(serde::Serialize)]
struct Results<'r, 'a> {
    results: &'r [DestinationResult<'a>],
}

enum Body {
    Text(String),
    TooLarge,
    NotUtf8,
}

/// Reads the body while counting its bytes: past `max` the read stops and the call gets
/// 413 (a declared `Content-Length` over it is refused before reading). Chunked bodies
/// are counted the same way, so none is ever held whole beyond the limit.
async fn read_body(req: &mut Request, max: usize) -> Result<Body> {
    let declared = req.headers().get("Content-Length")?.and_then(|l| l.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Ok(Body::TooLarge);
    }
    let mut bytes = Vec::new();
    if req.inner().body().is_some() {
        let mut stream = req.stream()?;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            if bytes.len().saturating_add(chunk.len()) > max {
                return Ok(Body::TooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
    }
    Ok(match String::from_utf8(bytes) {
        Ok(text) => Body::Text(text),
        Err(_) => Body::NotUtf8,
    })
}
