//! A planned HTTP request: everything needed to send it, nothing sent.

use crate::payload::offline_track::OfflineTrackBody;
use crate::payload::order_sync::OrderSyncBody;
use crate::payload::write::{Verbatim, WriteJson};
use crate::payload::TrackBody;
use crate::secrets::Secret;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

/// Default TikTok Business API base URL.
pub const DEFAULT_API_BASE: &str = "https://business-api.tiktok.com";

/// A request to send. Serializes with the token as `<redacted>`, and its body as the
/// JSON text `Body::to_json` writes, inserted as is: serde_json serializers only. Text
/// output is byte for byte the derived form's; `serde_json::to_value` parses that text, so
/// a float of 16-17 significant digits or a large exponent may read back one ulp off (serde_json's
/// default float parsing is not exact); integers and prices are exact.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest<'a> {
    pub method: &'static str,
    pub url: String,
    pub headers: Headers,
    pub body: Body<'a>,
}

impl Serialize for HttpRequest<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let HttpRequest { method, url, headers, body } = self;
        let mut st = s.serialize_struct("HttpRequest", 4)?;
        st.serialize_field("method", method)?;
        st.serialize_field("url", url)?;
        st.serialize_field("headers", headers)?;
        st.serialize_field("body", &Verbatim(&body.to_json()))?;
        st.end()
    }
}

/// The headers TikTok needs, in a fixed order. The token serializes as `<redacted>`
/// unless `reveal` was set by the caller that sends the request itself, and as
/// `<missing: NAME>` when its secret is not set (a preview still shows the request;
/// delivery refuses to send it).
#[derive(Debug, Clone, PartialEq)]
pub struct Headers {
    pub access_token: Option<Secret>,
    /// The name of the secret that holds the token.
    pub token_secret: String,
    pub content_type: &'static str,
    pub reveal: bool,
}

impl Serialize for Headers {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Headers", 2)?;
        match (&self.access_token, self.reveal) {
            (Some(token), true) => st.serialize_field("Access-Token", token.expose())?,
            (Some(token), false) => st.serialize_field("Access-Token", token)?,
            (None, _) => st.serialize_field("Access-Token", &format!("<missing: {}>", self.token_secret))?,
        }
        st.serialize_field("Content-Type", self.content_type)?;
        st.end()
    }
}

impl Headers {
    pub fn json(token_secret: &str, access_token: Option<Secret>) -> Self {
        Headers { access_token, token_secret: token_secret.to_owned(), content_type: "application/json", reveal: false }
    }

    /// Header pairs with the real token, for the sender only (`None` without a token).
    pub fn expose(&self) -> Option<[(&'static str, &str); 2]> {
        let token = self.access_token.as_ref()?;
        Some([("Access-Token", token.expose()), ("Content-Type", self.content_type)])
    }
}

/// The JSON body, one shape per TikTok endpoint. Its derived `Serialize` (serde_json's
/// bytes, the benchmark floor) and `to_json` (the writer) give the same text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Body<'a> {
    Track(TrackBody<'a>),
    OfflineTrack(OfflineTrackBody<'a>),
    OrderSync(Box<OrderSyncBody<'a>>),
}

impl Body<'_> {
    /// The body as the JSON text to send.
    pub fn to_json(&self) -> String {
        WriteJson::to_json(self)
    }
}

impl WriteJson for Body<'_> {
    fn write_json(&self, out: &mut String) {
        match self {
            Body::Track(b) => b.write_json(out),
            Body::OfflineTrack(b) => b.write_json(out),
            Body::OrderSync(b) => b.write_json(out),
        }
    }
}
