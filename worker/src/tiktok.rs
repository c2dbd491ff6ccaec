//! The one outbound client: sends a planned request to TikTok (or the sandbox)
//! and returns the raw answer. Classifying it is the core's job.

use futures_util::future::{select, Either};
use std::time::Duration;
use tiktok_edge::HttpRequest;
use wasm_bindgen::JsValue;
use worker::{AbortController, Delay, Fetch, Headers, Method, Request, RequestInit};

/// What came back: status 0 means no answer in time (or a network error).
pub struct Answer {
    pub status: u16,
    pub body: String,
}

pub async fn send(request: &HttpRequest<'_>, timeout_ms: u64) -> Answer {
    match try_send(request, timeout_ms).await {
        Ok(answer) => answer,
        Err(e) => Answer { status: 0, body: e.to_string() },
    }
}

async fn try_send(request: &HttpRequest<'_>, timeout_ms: u64) -> worker::Result<Answer> {
    let headers = Headers::new();
    for (name, value) in request.headers.expose() {
        headers.set(name, value)?;
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_headers(headers).with_body(Some(JsValue::from_str(&request.body.to_json())));
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
