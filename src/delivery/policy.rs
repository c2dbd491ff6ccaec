//! The delivery decisions after a TikTok answer, for inline calls and for the queue
//! consumer alike: done, retry after a delay, or split the request to isolate the
//! events TikTok refused. One backoff formula, one jitter formula.

use super::batch::Batch;
use super::outcome::{named_index, Classification, TikTokAnswer, Verdict};

/// Exponential backoff with jitter: `base * 2^(attempt-1)`, spread by ±20% (`jitter`
/// in [0, 1) is drawn by the caller: the core has no randomness), never below
/// TikTok's suggested wait, capped at `max_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base_ms: u64,
    pub max_ms: u64,
}

impl Backoff {
    /// The wait after attempt number `attempt` (1 for the first) failed.
    pub fn delay_ms(&self, attempt: u32, suggested_ms: u64, jitter: f64) -> u64 {
        let exponential = self.base_ms.saturating_mul(1u64 << attempt.saturating_sub(1).min(20));
        let spread = (exponential as f64 * (0.8 + 0.4 * jitter.clamp(0.0, 1.0))).round() as u64;
        spread.max(suggested_ms).min(self.max_ms)
    }
}

/// What to do with a request after an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Every event accepted (`partial`: a lone event answered 20001).
    Accepted { partial: bool },
    /// Some events named as refused (positions in `data`), the others accepted.
    Named { refused: Vec<NamedRefusal> },
    /// The one event a rejection names is refused; the others must be sent again.
    Isolate { position: usize },
    /// Split in halves and send both again to find the refused events.
    Split,
    /// Send again after `delay_ms`.
    Retry { delay_ms: u64 },
    /// Refused for good (`retryable`: a transient failure out of attempts or time).
    Failed { retryable: bool },
}

/// An event a partial answer names, with TikTok's code and message for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedRefusal {
    pub position: usize,
    pub code: Option<i64>,
    pub message: Option<String>,
}

impl NamedRefusal {
    /// TikTok's words for this event: the list's code and message when it gives them,
    /// else the request's; the request's request_id.
    pub fn answer(&self, request: &TikTokAnswer) -> TikTokAnswer {
        TikTokAnswer {
            code: self.code.or(request.code),
            message: self.message.clone().or_else(|| request.message.clone()),
            request_id: request.request_id.clone(),
        }
    }
}

/// The named events of a batch, one batch each with its refusal (in `data` order),
/// and the rest (`None` when nothing is left).
pub type Taken<'r, T> = (Vec<(Batch<T>, &'r NamedRefusal)>, Option<Batch<T>>);

/// Takes the named events out of a batch.
pub fn take_named<T>(batch: Batch<T>, refused: &[NamedRefusal]) -> Taken<'_, T> {
    let mut positions: Vec<usize> = refused.iter().map(|r| r.position).collect();
    positions.sort_unstable();
    positions.dedup();
    let (picked, rest) = batch.take(&positions);
    // `take` returns the picked events in ascending position: the same order.
    let named = positions.iter().filter_map(|p| refused.iter().find(|r| r.position == *p));
    (picked.into_iter().zip(named).collect(), rest)
}

/// How long and how often a request may be tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Attempts of one request, the first included.
    pub max_attempts: u32,
    pub backoff: Backoff,
}

/// The decision for a request of `events` events that was tried `attempts` times
/// (this answer included); `room_ms` is how much longer it may wait before its next
/// try (inline: what is left of the call's budget; the queue: unlimited).
pub fn decide(
    c: &Classification,
    events: usize,
    attempts: u32,
    limits: &Limits,
    room_ms: u64,
    jitter: f64,
) -> Decision {
    match c.verdict {
        Verdict::Ok => Decision::Accepted { partial: false },
        Verdict::Partial if events <= 1 => Decision::Accepted { partial: true },
        Verdict::Partial => match &c.failed {
            Some(listed) if listed.iter().all(|f| f.index < events) => Decision::Named {
                refused: listed
                    .iter()
                    .map(|f| NamedRefusal { position: f.index, code: f.code, message: f.message.clone() })
                    .collect(),
            },
            _ => Decision::Split,
        },
        Verdict::Drop if c.split && events > 1 => {
            match c.tiktok.message.as_deref().and_then(named_index).filter(|i| *i < events) {
                Some(position) => Decision::Isolate { position },
                None => Decision::Split,
            }
        }
        Verdict::Drop => Decision::Failed { retryable: false },
        Verdict::Retry => {
            let suggested = c.retry_after_ms.unwrap_or(0);
            let delay_ms = limits.backoff.delay_ms(attempts, suggested, jitter);
            // Waiting less than TikTok asks is pointless: no time for its wait, no retry.
            if attempts >= limits.max_attempts || delay_ms > room_ms || suggested > room_ms {
                Decision::Failed { retryable: true }
            } else {
                Decision::Retry { delay_ms }
            }
        }
    }
}

/// The most extra requests splitting may cost for a request of `events` events with
/// `bad` refused events: each bad event costs at most two requests per halving, and
/// there are at most `ceil(log2 events)` halvings.
pub fn split_bound(events: usize, bad: usize) -> usize {
    let levels = usize::BITS - events.saturating_sub(1).leading_zeros();
    2 * bad * levels as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::outcome::classify;

    const LIMITS: Limits = Limits { max_attempts: 3, backoff: Backoff { base_ms: 250, max_ms: 3_000 } };

    fn answer(code: i64, message: &str) -> Classification {
        classify(200, &format!(r#"{{"code":{code},"message":"{message}","request_id":"r"}}"#))
    }

    #[test]
    fn backoff_doubles_spreads_by_a_fifth_and_never_undercuts_tiktok() {
        let b = Backoff { base_ms: 1000, max_ms: 60_000 };
        assert_eq!(b.delay_ms(1, 0, 0.5), 1000);
        assert_eq!(b.delay_ms(2, 0, 0.5), 2000);
        assert_eq!(b.delay_ms(3, 0, 0.0), 3200);
        assert_eq!(b.delay_ms(3, 0, 1.0), 4800);
        assert_eq!(b.delay_ms(1, 10_000, 0.0), 10_000, "TikTok's suggested wait is a floor");
        assert_eq!(b.delay_ms(30, 0, 0.5), 60_000, "capped");
        assert_eq!(b.delay_ms(1, 300_000, 0.5), 60_000, "the cap wins over a suggestion");
        assert_eq!(Backoff { base_ms: 0, max_ms: 0 }.delay_ms(5, 2000, 0.3), 0);
    }

    #[test]
    fn a_bad_row_in_a_batch_splits_it_and_alone_it_is_refused() {
        let c = answer(40002, "Invalid value for event_id: not a valid string.");
        assert_eq!(decide(&c, 100, 1, &LIMITS, 3000, 0.5), Decision::Split);
        assert_eq!(decide(&c, 1, 1, &LIMITS, 3000, 0.5), Decision::Failed { retryable: false });
    }

    #[test]
    fn a_rejection_naming_its_row_isolates_it_without_halving() {
        let c = answer(40002, "Invalid value for data.7.event_id: not a valid string.");
        assert_eq!(decide(&c, 100, 1, &LIMITS, 3000, 0.5), Decision::Isolate { position: 7 });
        // A position outside the request is not trusted.
        assert_eq!(decide(&c, 5, 1, &LIMITS, 3000, 0.5), Decision::Split);
    }

    #[test]
    fn a_refusal_of_the_whole_request_is_not_split() {
        let c = answer(40001, "No permission to operate pixel code");
        assert_eq!(decide(&c, 100, 1, &LIMITS, 3000, 0.5), Decision::Failed { retryable: false });
    }

    #[test]
    fn partial_success_splits_a_batch_and_accepts_a_lone_event_with_a_warning() {
        let c = answer(20001, "Partial success.");
        assert_eq!(decide(&c, 10, 1, &LIMITS, 3000, 0.5), Decision::Split);
        assert_eq!(decide(&c, 1, 1, &LIMITS, 3000, 0.5), Decision::Accepted { partial: true });
        let listed =
            classify(200, r#"{"code":20001,"data":{"failed_events":[{"index":3,"code":40002,"message":"m"}]}}"#);
        assert_eq!(
            decide(&listed, 10, 1, &LIMITS, 3000, 0.5),
            Decision::Named {
                refused: vec![NamedRefusal { position: 3, code: Some(40002), message: Some("m".into()) }]
            }
        );
        // A list naming positions the request does not have is not trusted.
        assert_eq!(decide(&listed, 2, 1, &LIMITS, 3000, 0.5), Decision::Split);
    }

    #[test]
    fn transient_failures_retry_while_attempts_and_time_allow() {
        let c = classify(500, "oops");
        assert_eq!(decide(&c, 10, 1, &LIMITS, 3000, 0.5), Decision::Retry { delay_ms: 250 });
        assert_eq!(decide(&c, 10, 2, &LIMITS, 3000, 0.5), Decision::Retry { delay_ms: 500 });
        assert_eq!(decide(&c, 10, 3, &LIMITS, 3000, 0.5), Decision::Failed { retryable: true }, "out of attempts");
        assert_eq!(decide(&c, 10, 1, &LIMITS, 200, 0.5), Decision::Failed { retryable: true }, "out of time");
        // A rate limit asks for 10 s: more than an inline call may wait.
        let limited = answer(40100, "Too many requests.");
        assert_eq!(decide(&limited, 10, 1, &LIMITS, 3000, 0.5), Decision::Failed { retryable: true });
    }

    #[test]
    fn splitting_costs_at_most_two_requests_per_halving_per_bad_event() {
        assert_eq!(split_bound(1000, 1), 20);
        assert_eq!(split_bound(2, 1), 2);
        assert_eq!(split_bound(1, 1), 0);
        assert_eq!(split_bound(1024, 3), 60);
    }
}
