//! One owned TikTok request, the form every delivery path uses: inline sends, queue
//! messages and dead letters. It never holds a token, only the name of the secret
//! that does; the token is put in at send time (`outgoing`). Events API bodies keep
//! their `data` items as serialized JSON, so merging and splitting a request is
//! moving items, and the text sent is byte for byte what planning produced.

use crate::payload::write::{field, Fields, Verbatim, WriteJson};
use crate::payload::TrackBody;
use crate::request::{Body as PlannedBody, HttpRequest};
use crate::secrets::{Secret, Secrets, REDACTED};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// A request to deliver.
#[derive(Debug, Clone)]
pub struct Request {
    /// The destination id (for reports, logs and counters).
    pub destination: String,
    /// The name of the secret holding the access token.
    pub token_secret: String,
    pub url: String,
    pub body: Body,
}

/// The JSON body.
#[derive(Debug, Clone)]
pub enum Body {
    /// Events API 2.0: the envelope, and one serialized item per event.
    Track(Track),
    /// A body of exactly one event that is never merged (legacy offline, order sync).
    Single(Box<RawValue>),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Track {
    pub event_source: String,
    pub event_source_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_event_code: Option<String>,
    pub data: Vec<Box<RawValue>>,
}

/// What the sender puts on the wire, token included. Not serializable, and its Debug
/// hides the token.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub url: String,
    pub token: Secret,
    pub body: String,
    /// For the log line of the answer: the destination id and how many events it carries.
    pub destination: String,
    pub events: usize,
}

impl Outgoing {
    /// The headers TikTok needs, with the token in clear: for the fetch only.
    pub fn headers(&self) -> [(&'static str, &str); 2] {
        [("Access-Token", self.token.expose()), ("Content-Type", "application/json")]
    }
}

impl Request {
    /// The owned form of a planned request (its token is dropped: only the name stays).
    pub fn from_planned(destination: &str, token_secret: &str, planned: &HttpRequest<'_>) -> Request {
        let body = match &planned.body {
            PlannedBody::Track(b) => Body::Track(Track::from_planned(b)),
            other => Body::Single(raw(&other.to_json())),
        };
        Request {
            destination: destination.to_owned(),
            token_secret: token_secret.to_owned(),
            url: planned.url.clone(),
            body,
        }
    }

    /// How many events it carries.
    pub fn events(&self) -> usize {
        match &self.body {
            Body::Track(t) => t.data.len(),
            Body::Single(_) => 1,
        }
    }

    /// The body as the JSON text to send.
    pub fn body_text(&self) -> String {
        match &self.body {
            Body::Track(t) => t.to_json(),
            Body::Single(raw) => raw.get().to_owned(),
        }
    }

    /// The request ready for the wire, with the token its secret holds.
    pub fn outgoing(&self, secrets: &Secrets) -> Option<Outgoing> {
        let token = secrets.get(&self.token_secret)?.clone();
        Some(Outgoing {
            url: self.url.clone(),
            token,
            body: self.body_text(),
            destination: self.destination.clone(),
            events: self.events(),
        })
    }

    /// The `event_id`s it carries, in `data` order (for logs: ids, never content).
    pub fn event_ids(&self) -> Vec<String> {
        #[derive(Deserialize)]
        struct Id {
            event_id: Option<String>,
        }
        let id = |raw: &RawValue| serde_json::from_str::<Id>(raw.get()).ok().and_then(|i| i.event_id);
        match &self.body {
            Body::Track(t) => t.data.iter().filter_map(|d| id(d)).collect(),
            Body::Single(raw) => id(raw).into_iter().collect(),
        }
    }

    /// The request as people read it (`{method, url, headers, body}`), the token shown
    /// as `access_token` says: `<redacted>` in queue messages and dead letters.
    pub fn wire<'r>(&'r self, access_token: &'r str) -> Wire<'r> {
        Wire { request: self, access_token }
    }
}

impl Track {
    fn from_planned(b: &TrackBody<'_>) -> Track {
        Track {
            event_source: b.event_source.to_string(),
            event_source_id: b.event_source_id.to_string(),
            test_event_code: b.test_event_code.as_ref().map(|c| c.to_string()),
            data: b.data.iter().map(|event| raw(&event.to_json())).collect(),
        }
    }

    /// The body text: what its derived `Serialize` writes, the items copied as they are.
    fn to_json(&self) -> String {
        let Track { event_source, event_source_id, test_event_code, data } = self;
        let items: usize = data.iter().map(|d| d.get().len() + 1).sum();
        let mut out = String::with_capacity(event_source.len() + event_source_id.len() + items + 96);
        let mut f = Fields::open(&mut out);
        f.text(field!("event_source"), event_source);
        f.text(field!("event_source_id"), event_source_id);
        f.opt_text(field!("test_event_code"), test_event_code);
        f.items(field!("data"), data);
        f.close();
        out
    }
}

/// A raw JSON value of text the payload writer produced (serialized through serde_json's
/// raw value protocol, so not parsed again; `null` if that ever failed).
fn raw(json: &str) -> Box<RawValue> {
    serde_json::value::to_raw_value(&Verbatim(json)).unwrap_or_else(|_| RawValue::NULL.to_owned())
}

/// `{method, url, headers, body}` of a request.
pub struct Wire<'r> {
    request: &'r Request,
    access_token: &'r str,
}

impl Serialize for Wire<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("method", "POST")?;
        m.serialize_entry("url", &self.request.url)?;
        m.serialize_entry("headers", &Headers(self.access_token))?;
        match &self.request.body {
            Body::Track(t) => m.serialize_entry("body", t)?,
            Body::Single(raw) => m.serialize_entry("body", raw)?,
        }
        m.end()
    }
}

struct Headers<'a>(&'a str);

impl Serialize for Headers<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("Access-Token", self.0)?;
        m.serialize_entry("Content-Type", "application/json")?;
        m.end()
    }
}

/// Reads `{url, body}` of a request in its wire form (method and headers are ours
/// to set again: a message can never choose a token or a method).
#[derive(Deserialize)]
pub(crate) struct WireIn {
    pub url: String,
    pub body: Box<RawValue>,
}

impl WireIn {
    /// The owned request, for a destination and secret name read beside it.
    pub(crate) fn into_request(self, destination: String, token_secret: String) -> Request {
        let body = match serde_json::from_str::<Track>(self.body.get()) {
            Ok(t) => Body::Track(t),
            Err(_) => Body::Single(self.body),
        };
        Request { destination, token_secret, url: self.url, body }
    }
}

/// A redacted wire form (queue messages).
pub(crate) fn redacted(request: &Request) -> Wire<'_> {
    request.wire(REDACTED)
}
