//! Queue messages (Cloudflare Queues): a message is one request of up to 1,000
//! events, cut to fit the queue's message size. It names the secret of its token,
//! never holds the token. A dead letter is the message as it was, with why.

use super::batch::{merge, Batch};
use super::outcome::{Reason, TikTokAnswer};
use super::request::{redacted, Request, WireIn};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

/// Cloudflare's limit is 128 KB per message; this leaves room for the envelope.
pub const MAX_MESSAGE_BYTES: usize = 120_000;

/// A message body (and a dead letter, with `dead_letter` set).
#[derive(Debug, Clone)]
pub struct Message {
    pub request: Request,
    pub dead_letter: Option<DeadLetter>,
    /// A part of a request TikTok refused for some of its events: sent as it is,
    /// never merged with other messages again (so the halving gets somewhere).
    pub split: bool,
    /// Deliveries before this copy of the message was made (a message put back unsent
    /// keeps its count: attempts are TikTok's answers, not turns in the queue).
    pub attempts_before: u32,
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

impl DeadLetter {
    pub fn new(reason: Reason, attempts: u32, tiktok: Option<&TikTokAnswer>) -> DeadLetter {
        DeadLetter {
            reason: reason.as_str().to_owned(),
            attempts,
            code: tiktok.and_then(|t| t.code),
            message: tiktok.and_then(|t| t.message.clone()),
            request_id: tiktok.and_then(|t| t.request_id.clone()),
        }
    }
}

/// `{destination, token_secret, request: {method, url, headers, body}, dead_letter?}`,
/// the token `<redacted>`: readable as it is, and replayable by posting it back.
struct View<'r> {
    request: &'r Request,
    dead_letter: Option<&'r DeadLetter>,
    split: bool,
    attempts_before: u32,
}

impl Serialize for View<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("destination", &self.request.destination)?;
        m.serialize_entry("token_secret", &self.request.token_secret)?;
        m.serialize_entry("request", &redacted(self.request))?;
        if self.split {
            m.serialize_entry("split", &true)?;
        }
        if self.attempts_before > 0 {
            m.serialize_entry("attempts_before", &self.attempts_before)?;
        }
        if let Some(d) = self.dead_letter {
            m.serialize_entry("dead_letter", d)?;
        }
        m.end()
    }
}

/// The text of a message holding `request`.
fn text(request: &Request, dead_letter: Option<&DeadLetter>, split: bool) -> String {
    view(View { request, dead_letter, split, attempts_before: 0 })
}

fn view(v: View<'_>) -> String {
    // Plain structs and raw JSON: cannot fail.
    serde_json::to_string(&v).unwrap_or_default()
}

#[derive(Deserialize)]
struct MessageIn {
    destination: String,
    token_secret: String,
    request: WireIn,
    #[serde(default)]
    dead_letter: Option<DeadLetter>,
    #[serde(default)]
    split: bool,
    #[serde(default)]
    attempts_before: u32,
}

impl Message {
    /// Reads a message body; `None` when it is not one of ours.
    pub fn parse(text: &str) -> Option<Message> {
        let m: MessageIn = serde_json::from_str(text).ok()?;
        let request = m.request.into_request(m.destination, m.token_secret);
        Some(Message { request, dead_letter: m.dead_letter, split: m.split, attempts_before: m.attempts_before })
    }

    pub fn to_text(&self) -> String {
        view(View {
            request: &self.request,
            dead_letter: self.dead_letter.as_ref(),
            split: self.split,
            attempts_before: self.attempts_before,
        })
    }
}

/// The dead letter of a request: the request (token redacted) and why.
pub fn dead_letter(request: &Request, why: &DeadLetter) -> String {
    text(request, Some(why), false)
}

/// Message texts for batches (merged first, up to TikTok's limit), each with the tags
/// it carries; and the tags of single events too large for any message.
pub fn messages<T>(batches: Vec<Batch<T>>) -> (Vec<(Vec<T>, String)>, Vec<T>) {
    let (mut out, mut too_large) = (Vec::new(), Vec::new());
    for b in merge(batches) {
        fit(b, false, &mut out, &mut too_large);
    }
    (out, too_large)
}

/// Message texts for the parts of a split request (never merged again).
pub(crate) fn parts<T>(batches: Vec<Batch<T>>) -> (Vec<(Vec<T>, String)>, Vec<T>) {
    let (mut out, mut too_large) = (Vec::new(), Vec::new());
    for b in batches {
        fit(b, true, &mut out, &mut too_large);
    }
    (out, too_large)
}

/// Halves a batch until each part fits in a message.
fn fit<T>(batch: Batch<T>, split: bool, out: &mut Vec<(Vec<T>, String)>, too_large: &mut Vec<T>) {
    let body = text(&batch.request, None, split);
    if body.len() <= MAX_MESSAGE_BYTES {
        out.push((batch.tags, body));
        return;
    }
    match batch.halves() {
        Ok((a, b)) => {
            fit(a, split, out, too_large);
            fit(b, split, out, too_large);
        }
        Err(one) => too_large.extend(one.tags),
    }
}
