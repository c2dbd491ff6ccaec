//! What the queue consumer decides for messages: the policy it follows and the
//! settlements it hands to the Worker (sends to the queues, then ack or retry).

use super::inline::MAX_IN_FLIGHT;
use super::outcome::Reason;
use super::policy::{Backoff, Limits};

/// What the consumer may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsumerPolicy {
    /// Deliveries of a message before it is dead-lettered, and the backoff between them.
    pub limits: Limits,
    pub max_in_flight: usize,
    pub max_subrequests: u32,
}

impl ConsumerPolicy {
    /// `max_attempts` deliveries of a message (`QUEUE_MAX_ATTEMPTS`), the backoff from
    /// `base_delay_s` doubling up to `max_delay_s`, and `max_subrequests` TikTok fetches.
    pub fn new(max_attempts: u32, base_delay_s: u32, max_delay_s: u32, max_subrequests: u32) -> ConsumerPolicy {
        ConsumerPolicy {
            limits: Limits {
                max_attempts: max_attempts.max(1),
                backoff: Backoff { base_ms: u64::from(base_delay_s) * 1000, max_ms: u64::from(max_delay_s) * 1000 },
            },
            max_in_flight: MAX_IN_FLIGHT,
            max_subrequests,
        }
    }
}

/// What to do with a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settle {
    Ack,
    Retry { delay_s: u32 },
}

/// A message text to send before settling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outbound {
    /// Back to the events queue (parts of a split request).
    Requeue(String),
    /// To the dead-letter queue.
    DeadLetter(String),
}

/// Events given up, for the log (ids, never content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadNote {
    pub reason: Reason,
    pub code: Option<i64>,
    pub attempts: u32,
    pub event_ids: Vec<String>,
    pub events: usize,
    /// TikTok refused them for good (not: out of attempts, or never sendable).
    pub dropped: bool,
}

/// What to do with some messages: send `send`, then settle them `then` if every send
/// succeeded, else `otherwise` (so a failed send never loses an event).
#[derive(Debug, Clone)]
pub struct Settlement {
    pub messages: Vec<usize>,
    pub destination: String,
    pub send: Vec<Outbound>,
    pub then: Settle,
    pub otherwise: Settle,
    /// Events TikTok accepted, sent back in parts, retried later, given up.
    pub delivered: usize,
    pub requeued: usize,
    pub retried: usize,
    pub dead: Vec<DeadNote>,
}
