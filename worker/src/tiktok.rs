//! The one outbound client: sends a planned request to TikTok (or the sandbox),
//! returns the raw answer and logs the core's classification of it.

use crate::config::{LogLevel, Settings};
use crate::http;
use futures_util::future::{select, Either};
use serde_json::Value;
use std::time::Duration;
use tiktok_edge::{Classification, HttpRequest, Verdict};
use wasm_bindgen::JsValue;
use worker::{AbortController, Delay, Fetch, Headers, Method, Request, RequestInit};

/// One log line per TikTok answer (`info` when accepted, `warn` otherwise, as `LOG_LEVEL`
/// allows): the caller's `context` fields, then TikTok's verdict, reason, code, request_id.
pub fn log_answer(settings: &Settings, c: &Classification, context: &[(&str, Value)]) {
    let level = if c.verdict == Verdict::Ok { LogLevel::Info } else { LogLevel::Warn };
    if level < settings.log_level {
        return;
    }
    let mut fields = context.to_vec();
    fields.extend([
        ("verdict", serde_json::to_value(c.verdict).unwrap_or(Value::Null)),
        ("reason", c.reason.into()),
        ("code", c.code.into()),
        ("request_id", c.request_id.clone().into()),
    ]);
    http::log(if level == LogLevel::Info { "info" } else { "warn" }, "tiktok_request", &fields);
}

/// What came back: status 0 means no answer in time (or a network error).
pub struct Answer {
    pub status: u16,
    pub body: String,
}

pub async fn send(request: &HttpRequest<'_>, timeout_ms: u64) -> Answer {
    let token = request.headers.access_token.expose();
    post(&request.url, token, &request.body.to_json(), timeout_ms).await
}

/// A request in its JSON form (`{url, headers, body}`, token filled in): the queue consumer's.
pub async fn send_json(request: &Value, timeout_ms: u64) -> Answer {
    let text = |p: &str| request.pointer(p).and_then(Value::as_str).unwrap_or_default();
    let body = request.get("body").map(Value::to_string).unwrap_or_default();
    post(text("/url"), text("/headers/Access-Token"), &body, timeout_ms).await
}

async fn post(url: &str, token: &str, body: &str, timeout_ms: u64) -> Answer {
    match try_post(url, token, body, timeout_ms).await {
        Ok(answer) => answer,
        Err(e) => Answer { status: 0, body: e.to_string() },
    }
}

async fn try_post(url: &str, token: &str, body: &str, timeout_ms: u64) -> worker::Result<Answer> {
    let headers = Headers::new();
    headers.set("Access-Token", token)?;
    headers.set("Content-Type", "application/json")?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_headers(headers).with_body(Some(JsValue::from_str(body)));
    let outbound = Request::new_with_init(url, &init)?;
    let controller = AbortController::default();
    let signal = controller.signal();
    let exchange = Box::pin(async move {
        let mut response = Fetch::Request(outbound).send_with_signal(&signal).await?;
        let body = response.text().await?;
        Ok::<_, worker::Error>(Answer { status: response.status_code(), body })
    });
    let timeout = Box::pin(Delay::from(Duration::from_millis(timeout_ms)));
    match select(exchange, timeout).await {
        Either::Left((answer, _)) => answer,
        Either::Right(((), _)) => {
            controller.abort();
            Ok(Answer { status: 0, body: String::from("timeout") })
        }
    }
}
