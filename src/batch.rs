//! Merging planned Events API requests into TikTok batches (spec tiktok-api.md 2.5).
//!
//! Requests merge when they share the endpoint URL, the token, `event_source`,
//! `event_source_id` and `test_event_code`: so test events never travel with
//! live ones, and an event never goes to another pixel or account. A batch holds
//! at most `MAX_EVENTS_PER_REQUEST` `data` items; order is kept; each batch lists
//! the tags of the requests it carries, so a caller can report per event.
//! Other bodies (legacy offline, order sync) are never merged.

use crate::request::{Body, HttpRequest};
use std::collections::BTreeMap;

/// TikTok rejects a whole request with more `data` items than this.
pub const MAX_EVENTS_PER_REQUEST: usize = 1000;

/// One request to send, and the tags of the planned requests merged into it,
/// in `data` order (one tag per merged request).
#[derive(Debug, Clone, PartialEq)]
pub struct Batch<'a, T> {
    pub request: HttpRequest<'a>,
    pub tags: Vec<T>,
}

/// What makes two Events API requests mergeable.
type Key = (String, String, String, String, Option<String>);

fn key_of(request: &HttpRequest<'_>) -> Option<Key> {
    match &request.body {
        Body::Track(b) => Some((
            request.url.clone(),
            request.headers.access_token.expose().to_owned(),
            b.event_source.to_string(),
            b.event_source_id.to_string(),
            b.test_event_code.as_deref().map(str::to_owned),
        )),
        Body::OfflineTrack(_) | Body::OrderSync(_) => None,
    }
}

fn data_len(request: &HttpRequest<'_>) -> usize {
    match &request.body {
        Body::Track(b) => b.data.len(),
        Body::OfflineTrack(_) | Body::OrderSync(_) => 1,
    }
}

/// Merges `(tag, request)` pairs into batches, in order of first appearance.
pub fn batch<'a, T>(requests: impl IntoIterator<Item = (T, HttpRequest<'a>)>) -> Vec<Batch<'a, T>> {
    let mut out: Vec<Batch<'a, T>> = Vec::new();
    // For each key, the batch currently being filled.
    let mut open: BTreeMap<Key, usize> = BTreeMap::new();
    for (tag, request) in requests {
        let Some(key) = key_of(&request) else {
            out.push(Batch { request, tags: vec![tag] });
            continue;
        };
        let incoming = data_len(&request);
        let target = open.get(&key).copied().and_then(|i| {
            let fits = out.get(i).is_some_and(|b| data_len(&b.request) + incoming <= MAX_EVENTS_PER_REQUEST);
            fits.then_some(i)
        });
        let HttpRequest { method, url, headers, body } = request;
        let body = match (target.and_then(|i| out.get_mut(i)), body) {
            (Some(Batch { request: HttpRequest { body: Body::Track(merged), .. }, tags }), Body::Track(body)) => {
                merged.data.extend(body.data);
                tags.push(tag);
                continue;
            }
            (_, body) => body,
        };
        open.insert(key, out.len());
        out.push(Batch { request: HttpRequest { method, url, headers, body }, tags: vec![tag] });
    }
    out
}
