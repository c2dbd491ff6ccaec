//! Merging requests into TikTok batches, and splitting them again.
//!
//! Events API requests merge when they share the URL, the token's secret,
//! `event_source`, `event_source_id` and `test_event_code`: so test events never
//! travel with live ones, and an event never goes to another pixel or account. A
//! batch holds at most `MAX_EVENTS_PER_REQUEST` items; order is kept. Every batch
//! carries one tag per event, in `data` order, so what happens to the request can be
//! told per event. Other bodies (legacy offline, order sync) are never merged.

use super::request::{Body, Request, WireIn};
use serde_json::{json, Value};

/// TikTok rejects a whole request with more `data` items than this.
pub const MAX_EVENTS_PER_REQUEST: usize = 1000;

/// A request and one tag per event it carries.
#[derive(Debug, Clone)]
pub struct Batch<T> {
    pub request: Request,
    pub tags: Vec<T>,
}

/// What makes two Events API requests mergeable.
type Key<'r> = (&'r str, &'r str, &'r str, &'r str, Option<&'r str>);

fn key(r: &Request) -> Option<Key<'_>> {
    match &r.body {
        Body::Track(t) => {
            Some((&r.url, &r.token_secret, &t.event_source, &t.event_source_id, t.test_event_code.as_deref()))
        }
        Body::Single(_) => None,
    }
}

/// Merges batches into as few as TikTok's limit allows, in order of first appearance.
pub fn merge<T>(batches: Vec<Batch<T>>) -> Vec<Batch<T>> {
    let mut out: Vec<Batch<T>> = Vec::with_capacity(batches.len());
    // The batches being filled, one per key: few (one per pixel, source and test code),
    // so a scan beats building owned keys for every request.
    let mut open: Vec<usize> = Vec::new();
    for b in batches {
        let Some(k) = key(&b.request) else {
            out.push(b);
            continue;
        };
        let slot = open.iter().position(|i| out.get(*i).and_then(|t| key(&t.request)) == Some(k));
        let target = slot.and_then(|s| open.get(s).copied());
        let fits = target
            .and_then(|i| out.get(i))
            .is_some_and(|t| t.request.events() + b.request.events() <= MAX_EVENTS_PER_REQUEST);
        match (target, fits) {
            (Some(i), true) => {
                if let Some(t) = out.get_mut(i) {
                    t.absorb(b);
                }
            }
            _ => {
                // A new batch for this key (the full one stays as it is).
                match slot.and_then(|s| open.get_mut(s)) {
                    Some(o) => *o = out.len(),
                    None => open.push(out.len()),
                }
                out.push(b);
            }
        }
    }
    out
}

impl<T> Batch<T> {
    /// A batch of one planned request, which carries one event.
    pub fn one(request: Request, tag: T) -> Batch<T> {
        Batch { request, tags: vec![tag] }
    }

    /// How many events it carries.
    pub fn len(&self) -> usize {
        self.tags.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tags.is_empty()
    }

    /// Appends `other`'s events (same key).
    fn absorb(&mut self, other: Batch<T>) {
        if let (Body::Track(merged), Body::Track(t)) = (&mut self.request.body, other.request.body) {
            merged.data.extend(t.data);
            self.tags.extend(other.tags);
        }
    }

    /// Splits an Events API batch in two halves (the first takes the smaller half);
    /// the batch back unchanged when it holds one event or is not Events API.
    // The batch is moved back, not copied: its size is no cost.
    #[allow(clippy::result_large_err)]
    pub fn halves(self) -> Result<(Batch<T>, Batch<T>), Batch<T>> {
        let at = self.len() / 2;
        self.split_at(at)
    }

    /// Splits an Events API batch before event `at` (`0 < at < len`, else unchanged).
    #[allow(clippy::result_large_err)]
    pub fn split_at(mut self, at: usize) -> Result<(Batch<T>, Batch<T>), Batch<T>> {
        let Body::Track(t) = &mut self.request.body else { return Err(self) };
        if at == 0 || at >= t.data.len() || t.data.len() != self.tags.len() {
            return Err(self);
        }
        let data = t.data.split_off(at);
        let tags = self.tags.split_off(at);
        let mut second = Batch { request: self.request.clone(), tags };
        if let Body::Track(s) = &mut second.request.body {
            s.data = data;
        }
        Ok((self, second))
    }

    /// Takes the events at the given positions out: (them, one batch each; the rest,
    /// or `None` when nothing is left). Positions out of range are ignored.
    pub fn take(self, positions: &[usize]) -> (Vec<Batch<T>>, Option<Batch<T>>) {
        let Batch { mut request, tags } = self;
        let data = match &mut request.body {
            Body::Track(t) if t.data.len() == tags.len() => std::mem::take(&mut t.data),
            _ => return (Vec::new(), Some(Batch { request, tags })),
        };
        let mut picked = Vec::new();
        let (mut rest_data, mut rest_tags) = (Vec::new(), Vec::new());
        for (i, (item, tag)) in data.into_iter().zip(tags).enumerate() {
            if positions.contains(&i) {
                // `request` has no items at this point: the copy is the envelope only.
                let mut one = request.clone();
                if let Body::Track(t) = &mut one.body {
                    t.data.push(item);
                }
                picked.push(Batch { request: one, tags: vec![tag] });
            } else {
                rest_data.push(item);
                rest_tags.push(tag);
            }
        }
        if rest_tags.is_empty() {
            return (picked, None);
        }
        if let Body::Track(t) = &mut request.body {
            t.data = rest_data;
        }
        (picked, Some(Batch { request, tags: rest_tags }))
    }
}

/// Batches JSON items (npm `batchRequests`): each item is a result of the shared format
/// (its `request` is taken; results without one, skipped or error, carry nothing) or a
/// bare request. Answers `[{request, indexes}]`, `indexes` pointing into `items`. The
/// `Access-Token` header given (a token or `<redacted>`) is what keeps requests apart.
pub fn batch_json(items: Vec<Value>) -> Vec<Value> {
    let mut batches = Vec::new();
    for (i, mut item) in items.into_iter().enumerate() {
        let request = match item.as_object_mut().and_then(|m| m.remove("request")) {
            Some(r) => r,
            None if item.get("url").is_some() => item,
            None => continue,
        };
        let token = request.pointer("/headers/Access-Token").and_then(Value::as_str).unwrap_or_default().to_owned();
        // Raw JSON items are read from text (serde_json keeps them verbatim only then).
        let Ok(wire) = serde_json::from_str::<WireIn>(&request.to_string()) else { continue };
        let request = wire.into_request(String::new(), token);
        let tags = vec![i; request.events()];
        batches.push(Batch { request, tags });
    }
    merge(batches)
        .into_iter()
        .map(|b| {
            let mut indexes = b.tags;
            indexes.dedup();
            json!({"request": b.request.wire(&b.request.token_secret), "indexes": indexes})
        })
        .collect()
}
