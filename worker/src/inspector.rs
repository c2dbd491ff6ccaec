//! The inspector: a page (`{API_PREFIX}/inspector`, static HTML, CSS and JS shipped in
//! the Worker) and the JSON behind it (`/v1/inspector/events`, `/v1/inspector/stats`,
//! `/v1/inspector/preview`). Off unless `INSPECTOR_TOKEN` is set; HTTP Basic with the
//! token as password (a browser prompts) or `Authorization: Bearer <token>`. Everything
//! it shows was masked by the core before it was stored; previews are masked too.

use crate::config::Settings;
use crate::durable::{Filter, BINDING};
use crate::http::{self, error};
use crate::stats;
use serde_json::json;
use tiktok_edge::inspect::{auth, mask::mask};
use tiktok_edge::{results_for, RequestContext, Tokens};
use wasm_bindgen::prelude::wasm_bindgen;
use worker::{Date, Env, Headers, Method, Request, Response, Result};

// The page, script and style (worker/static/) live in the Worker's JS bundle, not in the
// wasm (size budget): scripts/inspector-assets.mjs writes them into this module.
#[wasm_bindgen(module = "/src/inspector_assets.js")]
extern "C" {
    fn inspector_page() -> String;
    fn inspector_script() -> String;
    fn inspector_style() -> String;
}

const ROUTES: &[&str] = &[
    "/inspector",
    "/inspector/app.js",
    "/inspector/app.css",
    "/v1/inspector/events",
    "/v1/inspector/stats",
    "/v1/inspector/preview",
];

pub fn is_route(path: &str) -> bool {
    ROUTES.contains(&path)
}

pub async fn handle(mut req: Request, env: &Env, settings: &Settings, api: &str) -> Result<Response> {
    let Some(token) = settings.inspector_token.as_deref() else {
        return error(404, "inspector_off", "the inspector is off: set the INSPECTOR_TOKEN secret to turn it on", "");
    };
    let method = req.method();
    // The page's code and style hold no data: served without credentials.
    match (api, &method) {
        ("/inspector/app.js", Method::Get) => return asset(&inspector_script(), "text/javascript; charset=utf-8"),
        ("/inspector/app.css", Method::Get) => return asset(&inspector_style(), "text/css; charset=utf-8"),
        ("/inspector/app.js" | "/inspector/app.css", _) => return error(405, "method_not_allowed", "use GET", ""),
        _ => {}
    }
    let given = req.headers().get("Authorization")?.as_deref().and_then(auth::presented).unwrap_or_default();
    if !http::constant_time_eq(given.as_bytes(), token.as_bytes()) {
        let mut resp = error(401, "unauthorized", "log in with the INSPECTOR_TOKEN as password (any user name)", "")?;
        resp.headers_mut().set("WWW-Authenticate", "Basic realm=\"tiktok-edge inspector\", charset=\"UTF-8\"")?;
        return Ok(resp);
    }
    match (api, method) {
        ("/inspector", Method::Get) => asset(&inspector_page(), "text/html; charset=utf-8"),
        ("/v1/inspector/stats", Method::Get) => stats::respond(&req, env).await,
        ("/v1/inspector/events", Method::Get) => events(&req, env).await,
        ("/v1/inspector/preview", Method::Post) => preview(&mut req, settings).await,
        ("/v1/inspector/preview", _) => error(405, "method_not_allowed", "use POST", ""),
        _ => error(405, "method_not_allowed", "use GET", ""),
    }
}

/// A static file, with a policy that lets the page load nothing but itself.
fn asset(text: &str, content_type: &str) -> Result<Response> {
    let headers = Headers::new();
    headers.set("Content-Type", content_type)?;
    headers.set("Cache-Control", "no-store")?;
    headers.set(
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    )?;
    headers.set("X-Content-Type-Options", "nosniff")?;
    headers.set("Referrer-Policy", "no-referrer")?;
    Ok(Response::ok(text)?.with_headers(headers))
}

/// Recent entries, newest first: `?destination=&status=&event=&limit=` (at most 500).
async fn events(req: &Request, env: &Env) -> Result<Response> {
    if env.durable_object(BINDING).is_err() {
        return error(503, "no_stats_store", "the INSPECTOR Durable Object is not bound", "");
    }
    let url = req.inner().url();
    let param = |name: &str| tiktok_edge::url::query_param(&url, name).map(|v| v.into_owned()).unwrap_or_default();
    let filter = Filter {
        destination: param("destination"),
        status: param("status"),
        event: param("event"),
        limit: param("limit").parse().ok(),
    };
    let body = serde_json::to_string(&filter)?;
    match stats::send(env, Method::Post, "/events", Some(&body)).await {
        Ok(mut resp) => {
            let text = resp.text().await?;
            let headers = Headers::new();
            headers.set("Content-Type", "application/json")?;
            headers.set("Cache-Control", "no-store")?;
            Ok(Response::ok(text)?.with_headers(headers))
        }
        Err(e) => {
            http::log("error", "inspector_read_failed", &[("detail", e.to_string().into())]);
            error(503, "inspector_unavailable", "the inspector log could not be read; try again", "")
        }
    }
}

/// The planning of a pasted event (as `/v1/preview`), masked; nothing is sent.
async fn preview(req: &mut Request, settings: &Settings) -> Result<Response> {
    let config = match settings.config.as_ref() {
        Ok(c) => c,
        Err(_) => return error(500, "invalid_config", "the Worker config is invalid (see /healthz)", ""),
    };
    let text = req.text().await?;
    if text.len() > settings.max_body_bytes {
        return error(413, "payload_too_large", "the event is larger than MAX_BODY_BYTES", "");
    }
    let input = match tiktok_edge::node::parse(&text) {
        Ok(v) => v,
        Err(e) => return error(400, "bad_json", &format!("the event is not valid JSON: {e}"), ""),
    };
    let ctx = RequestContext::at(Date::now().as_millis() as i64);
    let results = results_for(config, &input, &ctx, &settings.secrets, Tokens::Redacted);
    let results = serde_json::to_value(&results)?;
    http::json(200, &json!({"input": mask(&input.to_value()), "results": mask(&results)}), None)
}
