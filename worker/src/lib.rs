//! Cloudflare Worker: Commanders Act events in, TikTok server-side requests out.
//! This crate is glue: routes, reading requests, fetch, queue calls, logs. Every
//! mapping and delivery decision is the core's (`tiktok_edge`).

mod config;
mod consumer;
mod deliver;
mod durable;
mod events;
mod http;
mod inspector;
mod proxy;
mod queue;
mod ratelimit;
mod routes;
mod stats;
mod tiktok;

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
// The async export below expands to code that names this crate, except under
// worker-build (it builds wasm-bindgen with WASM_BINDGEN_USE_JS_SYS=1, whose glue
// names js-sys instead): used in one build and not the other.
#[allow(unused_imports)]
use worker::wasm_bindgen_futures;
use worker::{event, Context, Env, Request, Response, Result};

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    match routes::handle(req, &env, &ctx).await {
        Ok(response) => Ok(response),
        // A fault of ours (or of the runtime): answer JSON, log without details of the request.
        Err(e) => {
            http::log("error", "internal_error", &[("detail", e.to_string().into())]);
            http::error(500, "internal_error", "internal error", "")
        }
    }
}

/// The queue consumer (wrangler.toml `[[queues.consumers]]`). Exported by hand rather
/// than with `#[event(queue)]`: that glue panics on error, and it hides each message's
/// `attempts`, which the retry policy needs.
#[wasm_bindgen]
pub async fn queue(batch: JsValue, env: Env, ctx: JsValue) -> std::result::Result<JsValue, JsValue> {
    let ctx = Context::new(ctx.unchecked_into());
    consumer::consume(&batch, &env, &config::load(&env), &ctx).await;
    Ok(JsValue::UNDEFINED)
}
