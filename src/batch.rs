//! Merging planned Events API requests into TikTok batches (spec tiktok-api.md 2.5).
//!
//! Requests merge when they share the endpoint URL, the token, `event_source`,
//! `event_source_id` and `test_event_code`: so test events never travel with
//! live ones, and an event never goes to another pixel or account. A batch holds
//! at most `MAX_EVENTS_PER_REQUEST` `data` items; order is kept; each batch lists
//! the tags of the requests it carries, so a caller can report per event.
//! Other bodies (legacy offline, order sync) are never merged. The same rules
//! apply to typed requests and to their JSON form (the npm `batchRequests`).

use crate::request::{Body, HttpRequest};
use serde_json::Value;
use std::collections::BTreeMap;

/// TikTok rejects a whole request with more `data` items than this.
pub const MAX_EVENTS_PER_REQUEST: usize = 1000;

/// One request to send, and the tags of the planned requests merged into it,
/// in `data` order (one tag per merged request).
#[derive(Debug, Clone, PartialEq)]
pub struct Batch<R, T> {
    pub request: R,
    pub tags: Vec<T>,
}

/// What makes two Events API requests mergeable.
type Key = (String, String, String, String, Option<String>);

/// A request the batcher can merge: typed (`HttpRequest`) or its JSON form (npm).
pub trait Mergeable: Sized {
    /// `None` for bodies that are never merged.
    fn key(&self) -> Option<Key>;
    /// How many `data` items it carries.
    fn data_len(&self) -> usize;
    /// Appends `other`'s `data` items (same key).
    fn absorb(&mut self, other: Self);
}

impl Mergeable for HttpRequest<'_> {
    fn key(&self) -> Option<Key> {
        match &self.body {
            Body::Track(b) => Some((
                self.url.clone(),
                self.headers.access_token.expose().to_owned(),
                b.event_source.to_string(),
                b.event_source_id.to_string(),
                b.test_event_code.as_deref().map(str::to_owned),
            )),
            Body::OfflineTrack(_) | Body::OrderSync(_) => None,
        }
    }

    fn data_len(&self) -> usize {
        match &self.body {
            Body::Track(b) => b.data.len(),
            Body::OfflineTrack(_) | Body::OrderSync(_) => 1,
        }
    }

    fn absorb(&mut self, other: Self) {
        if let (Body::Track(merged), Body::Track(body)) = (&mut self.body, other.body) {
            merged.data.extend(body.data);
        }
    }
}

/// A request as JSON (`{method, url, headers, body}`): Events API bodies have a `data` array.
impl Mergeable for Value {
    fn key(&self) -> Option<Key> {
        let text = |p: &str| self.pointer(p).and_then(Value::as_str).map(str::to_owned);
        self.pointer("/body/data").filter(|d| d.is_array())?;
        Some((
            text("/url")?,
            text("/headers/Access-Token").unwrap_or_default(),
            text("/body/event_source")?,
            text("/body/event_source_id")?,
            text("/body/test_event_code"),
        ))
    }

    fn data_len(&self) -> usize {
        self.pointer("/body/data").and_then(Value::as_array).map_or(1, Vec::len)
    }

    fn absorb(&mut self, mut other: Self) {
        let items = other.pointer_mut("/body/data").and_then(Value::as_array_mut).map(std::mem::take);
        if let (Some(merged), Some(items)) = (self.pointer_mut("/body/data").and_then(Value::as_array_mut), items) {
            merged.extend(items);
        }
    }
}

/// Merges `(tag, request)` pairs into batches, in order of first appearance.
pub fn batch<R: Mergeable, T>(requests: impl IntoIterator<Item = (T, R)>) -> Vec<Batch<R, T>> {
    let mut out: Vec<Batch<R, T>> = Vec::new();
    // For each key, the batch currently being filled.
    let mut open: BTreeMap<Key, usize> = BTreeMap::new();
    for (tag, request) in requests {
        let Some(key) = request.key() else {
            out.push(Batch { request, tags: vec![tag] });
            continue;
        };
        let incoming = request.data_len();
        let target = open
            .get(&key)
            .copied()
            .and_then(|i| out.get_mut(i))
            .filter(|b| b.request.data_len() + incoming <= MAX_EVENTS_PER_REQUEST);
        if let Some(b) = target {
            b.request.absorb(request);
            b.tags.push(tag);
            continue;
        }
        open.insert(key, out.len());
        out.push(Batch { request, tags: vec![tag] });
    }
    out
}

/// Batches JSON items (npm `batchRequests`): each item is a result of the shared format
/// (its `request` is taken; results without one, skipped or error, carry nothing) or a
/// bare request. Answers `[{request, indexes}]`, `indexes` pointing into `items`.
pub fn batch_json(items: Vec<Value>) -> Vec<Value> {
    let requests = items.into_iter().enumerate().filter_map(|(i, mut item)| {
        let request = match item.as_object_mut().and_then(|m| m.remove("request")) {
            Some(r) => r,
            None if item.get("url").is_some() => item,
            None => return None,
        };
        Some((i, request))
    });
    batch(requests).into_iter().map(|b| serde_json::json!({"request": b.request, "indexes": b.tags})).collect()
}
