//! Cloudflare Queues: the producer side of `/v1/events` and the consumer. This file
//! moves bytes in and out of the queue, sends, acks and logs; what a message holds,
//! how messages merge into TikTok requests and when to retry or dead-letter are the
//! core's decisions (`tiktok_edge::queue`).

use crate::config::{LogLevel, Settings};
use crate::stats::{self, Tally};
use crate::{handlers, http, tiktok};
use futures_util::future::join_all;
use js_sys::{Array, Function, Object, Promise, Reflect};
use serde_json::{json, Value};
use tiktok_edge::queue::{self, Message, Planned, Step};
use tiktok_edge::{classify, Classification, Config, DestinationResult, Verdict};
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

/// Enqueues the ready requests of a call; every entry says `queued`, or `failed`
/// (`retryable`) when its message could not be enqueued, so the caller can resend.
pub async fn enqueue(config: &Config, planned: Vec<Vec<DestinationResult<'_>>>, queue: &JsValue) -> Vec<Vec<Value>> {
    let (mut rows, ready) = handlers::split_ready(planned);
    let mut planned_requests = Vec::with_capacity(ready.len());
    for ((i, j), request) in ready {
        let Some(d) = config.destinations.get(j) else { continue };
        if let Some(Value::Object(m)) = rows.get_mut(i).and_then(|row| row.get_mut(j)) {
            m.insert("status".into(), "queued".into());
        }
        planned_requests.push(Planned { tag: (i, j), destination: &d.id, token_secret: &d.token_secret, request });
    }
    let (messages, too_large) = queue::messages(planned_requests);
    let sent = join_all(messages.iter().map(|(_, body)| send(queue, body, None))).await;
    for ((tags, _), enqueued) in messages.iter().zip(sent) {
        for &(i, j) in tags {
            match (enqueued, config.destinations.get(j)) {
                (true, Some(d)) => stats::record(&d.id, Tally::Queued),
                (true, None) => {}
                (false, _) => not_enqueued(&mut rows, (i, j), "queue_unavailable"),
            }
        }
    }
    for tag in too_large {
        not_enqueued(&mut rows, tag, "message_too_large");
    }
    rows
}

/// Marks an entry `failed`: retryable when the queue refused it, not when it can never fit.
fn not_enqueued(rows: &mut [Vec<Value>], (i, j): (usize, usize), reason: &str) {
    if let Some(Value::Object(m)) = rows.get_mut(i).and_then(|row| row.get_mut(j)) {
        m.insert("status".into(), "failed".into());
        m.insert("reason".into(), reason.into());
        m.insert("retryable".into(), (reason == "queue_unavailable").into());
    }
    http::log("error", "not_enqueued", &[("reason", reason.into()), ("event_index", i.into())]);
}

/// The consumer: one batch of messages in, TikTok requests out, then for each message
/// ack, retry with backoff, or dead-letter with TikTok's last answer. Never throws: a
/// failure here would make Cloudflare redeliver the whole batch.
pub async fn consume(batch: &JsValue, env: &Env, settings: &Settings) {
    let messages: Vec<JsValue> = Reflect::get(batch, &"messages".into())
        .ok()
        .and_then(|m| m.dyn_into::<Array>().ok())
        .map_or(vec![], |a| a.to_vec());
    let bodies: Vec<String> = messages.iter().map(body_text).collect();
    let attempts: Vec<u32> = messages
        .iter()
        .map(|m| Reflect::get(m, &"attempts".into()).ok().and_then(|a| a.as_f64()).map_or(1, |a| a.max(1.0) as u32))
        .collect();
    let consumed = queue::consume(&bodies, &settings.secrets);
    let dead_letters = binding(env, DEAD_LETTERS);
    let settle = Settle {
        messages: &messages,
        parsed: &consumed.messages,
        attempts: &attempts,
        dead_letters: dead_letters.as_ref(),
        settings,
    };
    for (i, reason) in &consumed.unsendable {
        settle.dead_letter(*i, reason, None).await;
    }
    let answers = join_all(consumed.batches.iter().map(|b| tiktok::send_json(&b.request, settings.timeout_ms))).await;
    for (b, answer) in consumed.batches.iter().zip(answers) {
        let c = classify(answer.status, &answer.body);
        let events = b.request.pointer("/body/data").and_then(Value::as_array).map_or(1, Vec::len);
        tiktok::log_answer(settings, &c, &[("events", events.into()), ("messages", b.tags.len().into())]);
        for i in &b.tags {
            let step = queue::next_step(
                &c,
                attempts.get(*i).copied().unwrap_or(1),
                &settings.queue_policy,
                js_sys::Math::random(),
            );
            match step {
                Step::Ack => {
                    settle.tally(*i, Tally::Delivered);
                    call(messages.get(*i), "ack", &[]);
                }
                Step::Retry { delay_s } => {
                    settle.tally(*i, Tally::Retried);
                    call(messages.get(*i), "retry", &[options(Some(delay_s))]);
                }
                Step::DeadLetter => settle.dead_letter(*i, c.reason, Some(&c)).await,
            }
        }
    }
}

/// What the consumer needs to settle one message.
struct Settle<'a> {
    messages: &'a [JsValue],
    parsed: &'a [Option<Message>],
    attempts: &'a [u32],
    dead_letters: Option<&'a JsValue>,
    settings: &'a Settings,
}

impl Settle<'_> {
    /// Counts every event of message `i` for its destination.
    fn tally(&self, i: usize, tally: Tally) {
        if let Some(Some(m)) = self.parsed.get(i) {
            stats::record_many(&m.destination, tally, queue::event_ids(m).len().max(1) as u64);
        }
    }

    /// Sends message `i` to the dead-letter queue with why, then acks it; without a
    /// dead-letter queue (or if sending fails) it is retried instead, never dropped.
    async fn dead_letter(&self, i: usize, reason: &str, c: Option<&Classification>) {
        let attempts = self.attempts.get(i).copied().unwrap_or(1);
        let parsed = self.parsed.get(i).and_then(Option::as_ref);
        let text = match parsed {
            Some(m) => queue::dead_letter(m, attempts, reason, c),
            // Unreadable: keep its raw body so nothing is lost.
            None => json!({"raw": self.messages.get(i).map(body_text), "dead_letter": {"reason": reason, "attempts": attempts}}).to_string(),
        };
        let stored = match self.dead_letters {
            Some(dlq) => send(dlq, &text, None).await,
            None => false,
        };
        let ids: Vec<&str> = parsed.map(queue::event_ids).unwrap_or_default();
        let fields = [
            ("destination", parsed.map(|m| m.destination.clone()).into()),
            ("reason", reason.into()),
            ("code", c.and_then(|c| c.code).into()),
            ("attempts", attempts.into()),
            ("event_ids", ids.into()),
            ("dead_lettered", stored.into()),
        ];
        if self.settings.log_level <= LogLevel::Warn || !stored {
            http::log("warn", "dead_letter", &fields);
        }
        if stored {
            self.tally(i, Tally::DeadLettered { dropped: c.is_some_and(|c| c.verdict == Verdict::Drop) });
            call(self.messages.get(i), "ack", &[]);
        } else {
            call(self.messages.get(i), "retry", &[options(Some(self.settings.queue_policy.max_delay_s))]);
        }
    }
}

/// A message body as text (we send text; anything else is shown as JSON).
fn body_text(message: &JsValue) -> String {
    let body = Reflect::get(message, &"body".into()).unwrap_or(JsValue::UNDEFINED);
    body.as_string()
        .unwrap_or_else(|| js_sys::JSON::stringify(&body).ok().and_then(|s| s.as_string()).unwrap_or_default())
}

/// `queue.send(body, {contentType: "text", delaySeconds})`; false when it failed.
async fn send(queue: &JsValue, body: &str, delay_s: Option<u32>) -> bool {
    let opts = options(delay_s);
    let _ = Reflect::set(&opts, &"contentType".into(), &"text".into());
    match call(Some(queue), "send", &[body.into(), opts]).and_then(|p| p.dyn_into::<Promise>().ok()) {
        Some(promise) => JsFuture::from(promise).await.is_ok(),
        None => false,
    }
}

fn options(delay_s: Option<u32>) -> JsValue {
    let opts = Object::new();
    if let Some(d) = delay_s {
        let _ = Reflect::set(&opts, &"delaySeconds".into(), &d.into());
    }
    opts.into()
}

/// Calls `target[method](...args)`; None when it is not a function or it threw.
fn call(target: Option<&JsValue>, method: &str, args: &[JsValue]) -> Option<JsValue> {
    let target = target?;
    let f = Reflect::get(target, &method.into()).ok()?.dyn_into::<Function>().ok()?;
    f.apply(target, &args.iter().collect::<Array>()).ok()
}
