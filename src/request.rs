//! A planned HTTP request: everything needed to send it, nothing sent.

use crate::payload::offline_track::OfflineTrackBody;
use crate::payload::order_sync::OrderSyncBody;
use crate::payload::TrackBody;
use crate::secrets::Secret;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

/// Default TikTok Business API base URL.
pub const DEFAULT_API_BASE: &str = "https://business-api.tiktok.com";

/// A request to send. Serializes with the token as `<redacted>`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HttpRequest<'a> {
    pub method: &'static str,
    pub url: String,
    pub headers: Headers,
    pub body: Body<'a>,
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

/// The JSON body, one shape per TikTok endpoint.
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
        // Serializing these plain structs cannot fail (no maps with non-string keys).
        serde_json::to_string(self).unwrap_or_default()
    }
}
