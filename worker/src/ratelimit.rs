//! Cloudflare's Workers Rate Limiting binding (`[[ratelimits]]` in wrangler.toml,
//! `ratelimits` in Miniflare), called through `limit({key})`. Looked up by hand rather than
//! with `Env::rate_limiter`: that checks the binding's class name, which differs between
//! workerd's local simulator and Cloudflare.

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;
use worker::Env;

/// The binding's name in wrangler.toml.
pub const BINDING: &str = "BROWSER_RATE_LIMITER";

/// The binding's verdict on one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    Limited,
    /// No binding (or it failed): not limited; `/healthz` warns about a missing binding.
    Unavailable,
}

pub fn is_bound(env: &Env) -> bool {
    binding(env).is_some()
}

fn binding(env: &Env) -> Option<JsValue> {
    let env: &JsValue = env.as_ref();
    Reflect::get(env, &BINDING.into()).ok().filter(|b| b.is_object())
}

/// Counts one call against `key`.
pub async fn check(env: &Env, key: &str) -> Verdict {
    let Some(b) = binding(env) else { return Verdict::Unavailable };
    let Some(limit) = Reflect::get(&b, &"limit".into()).ok().and_then(|f| f.dyn_into::<Function>().ok()) else {
        return Verdict::Unavailable;
    };
    let options = Object::new();
    if Reflect::set(&options, &"key".into(), &key.into()).is_err() {
        return Verdict::Unavailable;
    }
    let Ok(promise) = limit.call1(&b, &options).and_then(|p| p.dyn_into::<js_sys::Promise>()) else {
        return Verdict::Unavailable;
    };
    match JsFuture::from(promise).await {
        Ok(outcome) => match Reflect::get(&outcome, &"success".into()).ok().and_then(|s| s.as_bool()) {
            Some(true) => Verdict::Allowed,
            Some(false) => Verdict::Limited,
            None => Verdict::Unavailable,
        },
        Err(_) => Verdict::Unavailable,
    }
}
