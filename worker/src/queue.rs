//! Cloudflare Queues plumbing: bindings, sending message texts, calling a message's
//! `ack`/`retry`. What goes into a message and what to do with it is the core's.

use futures_util::stream::{self, StreamExt};
use js_sys::{Array, Function, Object, Promise, Reflect};
use tiktok_edge::delivery::inline::MAX_IN_FLIGHT;
use wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;
use worker::Env;

/// The producer binding of the events queue (wrangler.toml `[[queues.producers]]`).
pub const EVENTS: &str = "EVENTS_QUEUE";
/// The producer binding of the dead-letter queue.
pub const DEAD_LETTERS: &str = "DEAD_LETTERS";

/// A queue binding, when configured.
pub fn binding(env: &Env, name: &str) -> Option<JsValue> {
    Reflect::get(env.as_ref(), &name.into()).ok().filter(|q| q.is_object())
}

/// `queue.send(body, {contentType: "text"})`; false when it failed (or `queue` is None).
pub async fn send(queue: Option<&JsValue>, body: &str) -> bool {
    let Some(queue) = queue else { return false };
    let opts = Object::new();
    let _ = Reflect::set(&opts, &"contentType".into(), &"text".into());
    match call(queue, "send", &[body.into(), opts.into()]).and_then(|p| p.dyn_into::<Promise>().ok()) {
        Some(promise) => JsFuture::from(promise).await.is_ok(),
        None => false,
    }
}

/// Sends several texts, a few at a time; whether each was taken, in order.
pub async fn send_all<'t>(queue: &JsValue, bodies: impl Iterator<Item = &'t str>) -> Vec<bool> {
    stream::iter(bodies).map(|b| send(Some(queue), b)).buffered(MAX_IN_FLIGHT).collect().await
}

/// `message.ack()` or `message.retry({delaySeconds})`; false when it threw.
pub fn settle(message: &JsValue, retry_delay_s: Option<u32>) -> bool {
    match retry_delay_s {
        None => call(message, "ack", &[]).is_some(),
        Some(d) => {
            let opts = Object::new();
            let _ = Reflect::set(&opts, &"delaySeconds".into(), &d.into());
            call(message, "retry", &[opts.into()]).is_some()
        }
    }
}

/// A message body as text (we send text; anything else is shown as JSON).
pub fn body_text(message: &JsValue) -> String {
    let body = Reflect::get(message, &"body".into()).unwrap_or(JsValue::UNDEFINED);
    body.as_string()
        .unwrap_or_else(|| js_sys::JSON::stringify(&body).ok().and_then(|s| s.as_string()).unwrap_or_default())
}

/// Calls `target[method](...args)`; None when it is not a function or it threw.
fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Option<JsValue> {
    let f = Reflect::get(target, &method.into()).ok()?.dyn_into::<Function>().ok()?;
    f.apply(target, &args.iter().collect::<Array>()).ok()
}
