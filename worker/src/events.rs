//! The event API: `/v1/events`, `/v1/preview`, `/healthz`, `/v1/stats`. HTTP checks
//! (auth, CORS, content type, size) happen here; planning and delivery are the core's.

use crate::config::Settings;
use crate::deliver;
use crate::http::{self, error, error_for};
use crate::{queue, stats};
use serde_json::{json, Value};
use tiktok_edge::delivery::Call;
use tiktok_edge::intake::{self, MAX_EVENTS};
use tiktok_edge::{plan, results_for, DestinationResult, RequestContext, Tokens};
use worker::{Date, Env, Method, Request, Response, Result};

pub async fn api(req: Request, env: &Env, settings: &Settings, api: &str, own: Option<&str>) -> Result<Response> {
    let method = req.method();
    let origin = req
        .headers()
        .get("Origin")?
        .map(|o| o.trim_end_matches('/').to_owned())
        .filter(|o| settings.allowed_origins.iter().any(|a| a == o) || own == Some(o.as_str()));
    match api {
        "/healthz" => match method {
            Method::Get | Method::Head => healthz(settings, env),
            _ => error(405, "method_not_allowed", "use GET", ""),
        },
        "/v1/stats" => match method {
            Method::Get if authorized(&req, settings)? => stats::respond(&req, env).await,
            Method::Get => error(401, "unauthorized", "send Authorization: Bearer <INGEST_TOKEN>", ""),
            _ => error(405, "method_not_allowed", "use GET", ""),
        },
        _ => match (method, origin.as_deref()) {
            (Method::Options, Some(o)) => http::preflight(o),
            (Method::Options, None) => error(403, "origin_not_allowed", "this origin is not in ALLOWED_ORIGINS", ""),
            (Method::Post, o) => events(req, env, settings, o, api == "/v1/preview").await,
            (_, o) => error_for(405, "method_not_allowed", "use POST", "", o),
        },
    }
}

fn healthz(settings: &Settings, env: &Env) -> Result<Response> {
    let queued = queue::binding(env, queue::EVENTS).is_some();
    let dead_letters = queue::binding(env, queue::DEAD_LETTERS).is_some();
    match settings.config.as_ref() {
        Ok(c) => {
            let ids: Vec<&str> = c.destinations.iter().map(|d| d.id.as_str()).collect();
            // Said at once, not found out during an outage.
            let warnings = match queued && !dead_letters {
                true => json!([{"code": "no_dead_letter_queue",
                    "message": "DEAD_LETTERS is not bound: messages TikTok refuses stay in the queue and are retried until Cloudflare's own retries run out"}]),
                false => json!([]),
            };
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
    let config = match settings.config.as_ref() {
        Ok(c) => c,
        Err(e) => {
            let first = e.errors.first();
            let body = json!({"error": {"code": "invalid_config",
                "message": format!("the Worker config is invalid: {}", first.map(|f| f.to_string()).unwrap_or_default()),
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
    // Browsers send application/json (which needs a CORS preflight, so a page on another
    // site cannot post here unasked); server callers with the token may also send text/plain
    // or no type at all, as some webhook senders do.
    let content_type = req.headers().get("Content-Type")?.unwrap_or_default().to_ascii_lowercase();
    let json = content_type.starts_with("application/json");
    let plain = content_type.is_empty() || content_type.starts_with("text/plain");
    if !(json || (origin.is_none() && plain)) {
        let message = match origin {
            Some(_) => "Content-Type must be application/json",
            None => "Content-Type must be application/json (or text/plain with the ingest token)",
        };
        return error_for(415, "unsupported_media_type", message, "", origin);
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
    // A bare event, an array, or Commanders Act's `{"batch": [...]}`.
    let events = match intake::unwrap(&input) {
        Ok(Value::Array(list)) if list.len() > MAX_EVENTS => {
            let message = format!("{} events in one call; at most {MAX_EVENTS}", list.len());
            return error_for(400, "too_many_events", &message, "", origin);
        }
        Ok(Value::Array(list)) => list.iter().collect::<Vec<&Value>>(),
        Ok(event @ Value::Object(_)) => vec![event],
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
    let is_list = intake::is_list(&input);

    // Only browser calls are enriched with the request's cookies, IP and user agent.
    let header = |name: &str| req.headers().get(name).ok().flatten();
    let ctx = RequestContext {
        now_ms: Date::now().as_millis() as i64,
        cookie: origin.and_then(|_| header("Cookie")),
        ip: origin.and_then(|_| header("CF-Connecting-IP")),
        user_agent: origin.and_then(|_| header("User-Agent")),
    };
    if preview {
        let results = results_for(config, &input, &ctx, &settings.secrets, Tokens::Redacted);
        return http::json_of(200, &Results { results: &results }, origin, None);
    }
    let planned = events.iter().map(|e| plan(config, e, &ctx, &settings.secrets)).collect();
    let call = deliver::deliver(Call::new(planned, is_list), &events, config, settings, env).await;
    let status = call.status();
    http::json_of(status.status, &Results { results: call.results() }, origin, status.retry_after_s)
}

#[derive(serde::Serialize)]
struct Results<'r, 'a> {
    results: &'r [DestinationResult<'a>],
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
