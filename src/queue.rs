//! Queue delivery (Cloudflare Queues), the pure part: what a message holds, how a
//! consumer batch of messages becomes TikTok requests, and what to do with each
//! message after TikTok answered. The Worker only moves bytes and calls these.
//!
//! A message is one planned request, already batched (up to 1,000 events) and cut
//! to fit the queue's message size; its token is never in it, only the name of the
//! secret that holds it. The consumer merges the messages of a batch that share a
//! batching key into TikTok requests of up to 1,000 events again, so 10,000 events
//! sent in 100 calls travel in about 10 TikTok requests.

use crate::batch::{batch, Batch};
use crate::request::HttpRequest;
use crate::response::{Classification, Verdict};
use crate::secrets::Secrets;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Cloudflare's limit is 128 KB per message; this leaves room for the envelope.
pub const MAX_MESSAGE_BYTES: usize = 120_000;

/// The body of a queue message (and of a dead letter, with `dead_letter` set).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// The destination id (for logs and counters).
    pub destination: String,
    /// The name of the secret holding the access token.
    pub token_secret: String,
    /// `{method, url, headers, body}` with the token `<redacted>`.
    pub request: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter: Option<DeadLetter>,
}

/// Why a message was dead-lettered: TikTok's last answer, or the consumer's reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadLetter {
    pub reason: String,
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// One planned request to enqueue: the caller's tag, destination id, token secret name.
pub struct Planned<'a, T> {
    pub tag: T,
    pub destination: &'a str,
    pub token_secret: &'a str,
    pub request: HttpRequest<'a>,
}

/// Message texts for planned requests, each with the tags it carries. A single
/// event too large for one message is returned apart, with its tag.
pub fn messages<T>(planned: Vec<Planned<'_, T>>) -> (Vec<(Vec<T>, String)>, Vec<T>) {
    let pairs = planned.into_iter().map(|p| ((p.tag, p.destination, p.token_secret), p.request));
    let (mut out, mut too_large) = (Vec::new(), Vec::new());
    for Batch { request, tags } in batch(pairs) {
        let (destination, token_secret) = match tags.first() {
            Some((_, d, s)) => ((*d).to_owned(), (*s).to_owned()),
            None => continue,
        };
        let tags: Vec<T> = tags.into_iter().map(|(t, _, _)| t).collect();
        // Serializing these plain structs cannot fail (no maps with non-string keys).
        let request = serde_json::to_value(&request).unwrap_or(Value::Null);
        let message = Message { destination, token_secret, request, dead_letter: None };
        fit(message, tags, &mut out, &mut too_large);
    }
    (out, too_large)
}

/// Halves an Events API message until each part fits (one tag per `data` item).
fn fit<T>(message: Message, mut tags: Vec<T>, out: &mut Vec<(Vec<T>, String)>, too_large: &mut Vec<T>) {
    let text = serde_json::to_string(&message).unwrap_or_default();
    let items = message.request.pointer("/body/data").and_then(Value::as_array).map_or(0, Vec::len);
    if text.len() <= MAX_MESSAGE_BYTES {
        out.push((tags, text));
        return;
    }
    if items < 2 || items != tags.len() {
        too_large.extend(tags);
        return;
    }
    let mut second = message.clone();
    let mut first = message;
    let half = items / 2;
    if let (Some(Value::Array(a)), Some(Value::Array(b))) =
        (first.request.pointer_mut("/body/data"), second.request.pointer_mut("/body/data"))
    {
        a.truncate(half);
        b.drain(..half);
    }
    let rest = tags.split_off(half);
    fit(first, tags, out, too_large);
    fit(second, rest, out, too_large);
}

/// A consumer batch's messages, parsed: TikTok requests (token filled in, merged per
/// batching key, tagged with the message indexes they carry), and the messages that
/// cannot be sent with their reason (unreadable, or their token is not set).
pub struct Consumed {
    pub messages: Vec<Option<Message>>,
    pub batches: Vec<Batch<Value, usize>>,
    pub unsendable: Vec<(usize, &'static str)>,
}

pub fn consume(bodies: &[String], secrets: &Secrets) -> Consumed {
    let mut messages = Vec::with_capacity(bodies.len());
    let mut ready = Vec::new();
    let mut unsendable = Vec::new();
    for (i, body) in bodies.iter().enumerate() {
        let Ok(message) = serde_json::from_str::<Message>(body) else {
            messages.push(None);
            unsendable.push((i, "invalid_message"));
            continue;
        };
        match secrets.get(&message.token_secret) {
            Some(token) => {
                // A copy with the token: the redacted original stays for a dead letter.
                let mut request = message.request.clone();
                if let Some(slot) = request.pointer_mut("/headers/Access-Token") {
                    *slot = Value::from(token.expose());
                }
                ready.push((i, request));
            }
            None => unsendable.push((i, "missing_secret")),
        }
        messages.push(Some(message));
    }
    Consumed { messages, batches: batch(ready), unsendable }
}

/// Retry policy of the consumer (Worker settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Deliveries of a message before it is dead-lettered.
    pub max_attempts: u32,
    /// First backoff step; doubles per attempt.
    pub base_delay_s: u32,
    /// Cap of any delay, including TikTok's suggested ones.
    pub max_delay_s: u32,
}

/// What to do with a message after TikTok's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Ack,
    Retry { delay_s: u32 },
    DeadLetter,
}

/// `attempts` counts this delivery (1 for the first). `jitter` in [0, 1) spreads
/// retries of many messages (the caller draws it: the core has no randomness).
/// The delay is exponential from `base_delay_s`, never below TikTok's suggested
/// wait for the reason (10 s for rate limits, 5 min for maintenance), capped.
pub fn next_step(c: &Classification, attempts: u32, policy: &RetryPolicy, jitter: f64) -> Step {
    match c.verdict {
        Verdict::Ok => Step::Ack,
        Verdict::Drop => Step::DeadLetter,
        Verdict::Retry if attempts >= policy.max_attempts => Step::DeadLetter,
        Verdict::Retry => {
            let exponential = u64::from(policy.base_delay_s) << attempts.saturating_sub(1).min(20);
            let suggested = c.retry_after_ms.unwrap_or(0).div_ceil(1000);
            let delay = exponential.max(suggested).min(u64::from(policy.max_delay_s)) as f64;
            let delay_s = (delay * (0.8 + 0.4 * jitter.clamp(0.0, 1.0))).round() as u32;
            Step::Retry { delay_s: delay_s.min(policy.max_delay_s) }
        }
    }
}

/// The dead letter of `message`: the message as enqueued (token redacted) and why.
pub fn dead_letter(message: &Message, attempts: u32, reason: &str, c: Option<&Classification>) -> String {
    let why = DeadLetter {
        reason: reason.to_owned(),
        attempts,
        code: c.and_then(|c| c.code),
        message: c.and_then(|c| c.message.clone()),
        request_id: c.and_then(|c| c.request_id.clone()),
    };
    serde_json::to_string(&Message { dead_letter: Some(why), ..message.clone() }).unwrap_or_default()
}

/// The `event_id`s a message carries (for logs of dropped and dead-lettered events).
pub fn event_ids(message: &Message) -> Vec<&str> {
    let data = message.request.pointer("/body/data").and_then(Value::as_array);
    match data {
        Some(items) => items.iter().filter_map(|d| d.get("event_id").and_then(Value::as_str)).collect(),
        None => message.request.pointer("/body/event_id").and_then(Value::as_str).into_iter().collect(),
    }
}
