//! The route match. Not `worker::Router`: the event API lives under a configurable
//! `API_PREFIX`, and every other path falls through to the site in proxy mode.

use crate::config;
use crate::http::error;
use crate::{events, inspector, proxy, stats};
use tiktok_edge::access;
use tiktok_edge::site;
use worker::{Context, Env, Request, Response, Result};

pub async fn handle(req: Request, env: &Env, ctx: &Context) -> Result<Response> {
    let settings = config::load(env);
    let full = req.inner().url();
    let Some(url) = tiktok_edge::url::parts(&full) else {
        return error(400, "bad_request", "the request URL is not absolute", "");
    };
    let api = match settings.api_prefix.as_str() {
        "" => Some(url.path),
        prefix => url.path.strip_prefix(prefix),
    }
    .filter(|p| matches!(*p, "/healthz" | "/v1/events" | "/v1/preview" | "/v1/stats") || inspector::is_route(p));
    let Some(api) = api else {
        return match site::proxy_target(&settings.proxy, &full, url.host, url.path_and_query) {
            Some(target) => proxy::forward(req, env, settings, &target, ctx).await,
            None => error(404, "not_found", "no such route", ""),
        };
    };
    // The pages of a site the Worker fronts are browser callers, like ALLOWED_ORIGINS;
    // on workers.dev, loopback or an API-only custom domain its own origin is nobody's.
    let site = access::routed_site(&settings.proxy, &settings.api_prefix, url.host, url.origin);
    if inspector::is_route(api) {
        return inspector::handle(req, env, &settings, api).await;
    }
    let response = events::api(req, env, &settings, api, site).await;
    // Counts and samples of this call go to the Durable Object after the response.
    if let Some(flush) = stats::due_flush(env, &settings) {
        ctx.wait_until(flush);
    }
    response
}
