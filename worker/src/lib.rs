//! Cloudflare Worker: Commanders Act events in, TikTok server-side requests out.
//! Routes and HTTP concerns live here; every mapping decision is in the core.

mod config;
mod handlers;
mod http;
mod proxy;
mod stats;
mod tiktok;

use worker::{event, Context, Env, Request, Response, Result};

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    match handlers::handle(req, &env, &ctx).await {
        Ok(response) => Ok(response),
        // A fault of ours (or of the runtime): answer JSON, log without details of the request.
        Err(e) => {
            http::log("error", "internal_error", &[("detail", e.to_string().into())]);
            http::error(500, "internal_error", "internal error", "")
        }
    }
}
