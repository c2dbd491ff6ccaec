//! tiktok-edge core: Commanders Act events -> TikTok server-side requests.
//!
//! Pure and deterministic: no I/O, no clock, no randomness. Time and request
//! facts arrive in [`RequestContext`]; tokens arrive in [`Secrets`]. The same
//! inputs always give byte-identical output.
//!
//! ```
//! use tiktok_edge::{plan, Config, RequestContext, Secrets};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let config = Config::from_json(r#"{"destinations": [
//!     {"id": "tiktok", "type": "events_api", "pixel_id": "CABCDEF1234567890"}]}"#)?;
//! // Read in place: the event's strings stay slices of its text.
//! let event = tiktok_edge::node::parse(r#"{"event_name": "purchase", "id": "O_1", "value": 10}"#)?;
//! let secrets = Secrets::new().with("TIKTOK_ACCESS_TOKEN", "token");
//! let results = plan(&config, &event, &RequestContext::at(1_765_290_725_123), &secrets);
//! assert_eq!(serde_json::to_value(&results)?[0]["event"], "CompletePayment");
//! # Ok(())
//! # }
//! ```

pub mod access;
pub mod config;
mod context;
pub mod cookies;
pub mod delivery;
pub mod edge;
mod error;
pub mod hashing;
pub mod inspect;
pub mod intake;
#[cfg(feature = "js")]
mod js;
mod limits;
pub mod mapping;
pub mod node;
pub mod path;
pub mod payload;
mod request;
mod results;
pub mod schema;
mod secrets;
pub mod site;
pub mod tables;
pub mod template;
pub mod time;
pub mod url;

pub use config::Config;
pub use context::RequestContext;
pub use delivery::batch::{batch_json, Batch, MAX_EVENTS_PER_REQUEST};
pub use delivery::outcome::{classify, Classification, Reason, TikTokAnswer, Verdict};
pub use delivery::report::{call_status, CallStatus, DestinationResult, Outcome, SkipReason, Tokens};
pub use error::{ConfigErrors, Error, Warning};
pub use limits::{MAX_ARRAY_LEN, MAX_DEPTH, MAX_NODES, MAX_STRING_BYTES};
pub use mapping::plan;
pub use request::{Body, Headers, HttpRequest, DEFAULT_API_BASE};
pub use results::results_for;
pub use secrets::{Secret, Secrets, REDACTED};
