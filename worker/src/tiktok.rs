//! The one outbound client: posts a request the core prepared (token included) to
//! TikTok (or the sandbox) and returns the raw answer; and the log line of an answer.

use crate::config::{LogLevel, Settings};
use crate::http;
use futures_util::future::{select, Either};
use serde_json::Value;
use std::time::Duration;
use tiktok_edge::delivery::request::Outgoing;
use tiktok_edge::{Classification, Verdict};
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
        ("reason", c.reason.as_str().into()),
        ("code", c.tiktok.code.into()),
        ("request_id", c.tiktok.request_id.clone().into()),
    ]);
    http::log(if level == LogLevel::Info { "info" } else { "warn" }, "tiktok_request", &fields);
}

/// What came back: status 0 means no answer in time (or a network error).
pub struct Answer {
    pub status: u16,
    pub body: String,
}

/// Posts `request`; the timeout starts now, when the fetch starts.
pub async fn send(request: &Outgoing, timeout_ms: u64) -> Answer {
    match try_post(request, timeout_ms).await {
        Ok(answer) => answer,
        Err(e) => Answer { status: 0, body: e.to_string() },
    }
}

async fn try_post(request: &Outgoing, timeout_ms: u64) -> worker::Result<Answer> {
    let headers = Headers::new();
    for (name, value) in request.headers() {
        headers.set(name, value)?;
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_headers(headers).with_body(Some(JsValue::from_str(&request.body)));
    let outbound = Request::new_with_init(&request.url, &init)?;
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
