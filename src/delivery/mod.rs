//! Delivery: what happens to planned requests, decided here and performed by the
//! Worker. A call's ready reports become owned requests ([`Call::batches`]), merged
//! into TikTok batches; inline, [`Inline`] says what to send and when and decides on
//! each answer (retry, split, give up); queued, [`queue::messages`] cuts them into
//! queue messages and [`Consumer`] settles each message after TikTok answered. The
//! reports ([`report`]) say what happened, serialized once for every surface.
//!
//! Where a decision lives: TikTok's codes -> [`outcome`]; retry, backoff, splitting
//! -> [`policy`]; batching -> [`batch`]; time and subrequest budgets of a call ->
//! [`inline`]; ack, retry, dead letter, requeue of messages -> [`consumer`] (its policy
//! and what it hands the Worker: [`settlement`]).
//!
//! Driving an inline run (the README's example; `post` stands for any HTTP client):
//!
//! ```
//! use tiktok_edge::delivery::{Call, Driven, InlinePolicy};
//! use tiktok_edge::{plan, Config, RequestContext, Secrets};
//! # fn post(_url: &str, _headers: [(&str, &str); 2], _body: &str) -> (u16, String) {
//! #     (200, r#"{"code":0,"message":"OK","request_id":"r"}"#.into())
//! # }
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let config = Config::from_json(r#"{"destinations": [
//!     {"id": "tiktok", "type": "events_api", "pixel_id": "CABCDEF1234567890"}]}"#)?;
//! let secrets = Secrets::new().with("TIKTOK_ACCESS_TOKEN", "token");
//! let event = tiktok_edge::node::parse(r#"{"event_name": "purchase", "id": "O_1", "value": 10}"#)?;
//! let (now_ms, jitter) = (1_765_290_725_123, 0.5);
//! let planned = vec![plan(&config, &event, &RequestContext::at(now_ms), &secrets)];
//! let mut call = Call::new(planned, false);
//! let mut run = call.inline(InlinePolicy::new(3_000, 10_000, 50), now_ms);
//! while !run.is_done() {
//!     for (id, out) in run.start(now_ms, &secrets) {
//!         let (status, body) = post(&out.url, out.headers(), &out.body);
//!         run.answer(id, status, &body, now_ms, jitter);
//!     }
//! }
//! call.settle(run);
//! assert_eq!(call.status().status, 202);
//! # Ok(())
//! # }
//! ```

pub mod batch;
pub mod consumer;
pub mod inline;
pub mod outcome;
pub mod policy;
pub mod queue;
pub mod report;
pub mod request;
pub mod settlement;

use crate::error::Warning;
use crate::secrets::Secrets;
use batch::{merge, Batch};
use inline::Delivered;
use outcome::{Classification, Reason};
use report::{call_status, CallStatus, DestinationResult, Outcome};
use request::{Outgoing, Request};
use std::borrow::Cow;

pub use consumer::{Consumer, ConsumerPolicy, Outbound, Settle, Settlement};
pub use inline::{Inline, InlinePolicy, RunStats};

/// A run of TikTok requests the Worker performs: it asks what to send, sends it
/// (its fetch's timeout starting when the fetch starts), and hands back each answer.
pub trait Driven {
    /// Requests to send now, by job id (never more than the run allows in flight).
    fn start(&mut self, now_ms: i64, secrets: &Secrets) -> Vec<(usize, Outgoing)>;
    /// TikTok's answer to job `id`; `status` 0 when there was none (timeout, network).
    /// `jitter` in [0, 1) spreads retries (the caller draws it). Returns the answer's
    /// classification, for the caller's log.
    fn answer(&mut self, id: usize, status: u16, body: &str, now_ms: i64, jitter: f64) -> Classification;
    /// When a waiting job may start, if none is in flight to wait for.
    fn wake_at(&self) -> Option<i64>;
    fn is_done(&self) -> bool;
}

/// The reports of one call (or one page view), in order: one per event and
/// destination, the ready ones still to be delivered.
pub struct Call<'a> {
    results: Vec<DestinationResult<'a>>,
}

impl<'a> Call<'a> {
    /// The plans of a call's events; entries of an array input get their `index`.
    pub fn new(planned: Vec<Vec<DestinationResult<'a>>>, input_was_array: bool) -> Call<'a> {
        let mut results = Vec::with_capacity(planned.iter().map(Vec::len).sum());
        for (i, row) in planned.into_iter().enumerate() {
            for mut r in row {
                r.index = input_was_array.then_some(i);
                results.push(r);
            }
        }
        Call { results }
    }

    /// Takes the ready requests out, merged into batches tagged with report positions.
    /// Until delivery reports on them, those reports say `failed`, retryable, reason
    /// `not_attempted`: an event is never counted as sent by default.
    pub fn batches(&mut self) -> Vec<Batch<usize>> {
        let mut out = Vec::new();
        for (pos, r) in self.results.iter_mut().enumerate() {
            if !r.require_token() {
                continue;
            }
            let placeholder = Outcome::Skipped { reason: report::SkipReason::UnmappedEvent };
            let Outcome::Ready { event, request } = std::mem::replace(&mut r.outcome, placeholder) else { continue };
            r.outcome = not_attempted(event);
            let secret = &request.headers.token_secret;
            out.push(Batch::one(Request::from_planned(&r.destination, secret, &request), pos));
        }
        merge(out)
    }

    /// Inline delivery of the ready requests: the run to drive, then `settle` it.
    pub fn inline(&mut self, policy: InlinePolicy, now_ms: i64) -> Inline<usize> {
        Inline::new(self.batches(), policy, now_ms)
    }

    /// Reports what a finished inline run did with each event.
    pub fn settle(&mut self, run: Inline<usize>) -> RunStats {
        let (outcomes, stats) = run.outcomes();
        for (pos, d) in outcomes {
            self.delivered(pos, d);
        }
        stats
    }

    /// Queued delivery of the ready requests: message texts with the reports they carry
    /// (report them with `enqueued`). An event too large for any message is failed here.
    pub fn messages(&mut self) -> Vec<(Vec<usize>, String)> {
        let (messages, too_large) = queue::messages(self.batches());
        for pos in too_large {
            self.not_queued(pos, Reason::MessageTooLarge, false);
        }
        messages
    }

    /// Whether the queue took a message: its events are `queued`, or `failed`,
    /// retryable (the caller may send them again).
    pub fn enqueued(&mut self, positions: &[usize], ok: bool) {
        for pos in positions {
            match ok {
                true => self.queued(*pos),
                false => self.not_queued(*pos, Reason::QueueUnavailable, true),
            }
        }
    }

    /// What happened to the event of report `pos`.
    fn delivered(&mut self, pos: usize, delivered: Delivered) {
        let Some(r) = self.results.get_mut(pos) else { return };
        let event = event_of(&r.outcome);
        r.outcome = match delivered {
            Delivered::Sent { attempts, tiktok, partial } => {
                if partial {
                    r.warnings.push(Warning::new("partial_ok", ""));
                }
                Outcome::Sent { event, attempts, tiktok }
            }
            Delivered::Failed { reason, retryable, attempts, tiktok } => {
                Outcome::Failed { event, reason, retryable, attempts, tiktok }
            }
        };
    }

    fn queued(&mut self, pos: usize) {
        if let Some(r) = self.results.get_mut(pos) {
            r.outcome = Outcome::Queued { event: event_of(&r.outcome) };
        }
    }

    fn not_queued(&mut self, pos: usize, reason: Reason, retryable: bool) {
        self.delivered(pos, Delivered::Failed { reason, retryable, attempts: 0, tiktok: None });
    }

    pub fn status(&self) -> CallStatus {
        call_status(&self.results)
    }

    pub fn results(&self) -> &[DestinationResult<'a>] {
        &self.results
    }

    pub fn into_results(self) -> Vec<DestinationResult<'a>> {
        self.results
    }
}

fn not_attempted(event: Cow<'_, str>) -> Outcome<'_> {
    Outcome::Failed { event, reason: Reason::NotAttempted, retryable: true, attempts: 0, tiktok: None }
}

/// The TikTok event name a delivery report carries.
fn event_of<'a>(o: &Outcome<'a>) -> Cow<'a, str> {
    match o {
        Outcome::Ready { event, .. }
        | Outcome::Queued { event }
        | Outcome::Sent { event, .. }
        | Outcome::Failed { event, .. } => event.clone(),
        Outcome::Skipped { .. } | Outcome::Error { .. } => Cow::Borrowed(""),
    }
}
