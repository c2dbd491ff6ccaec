//! Delivery counts per minute, by destination, TikTok event name, outcome and reason,
//! built from the typed reports of a call and the consumer's settlements. Isolates
//! add to a [`Counts`] buffer and flush it as one [`Flush`] (never one write per event).

use super::keys::{MatchKey, MatchKeys};
use crate::delivery::{Settle, Settlement};
use crate::{DestinationResult, Outcome};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The outcomes counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tally {
    /// Accepted into the queue (queued delivery; the consumer counts what follows).
    Queued,
    /// TikTok accepted it (inline, or by the queue consumer).
    Sent,
    /// Not delivered inline (retryable or not: the reason says).
    Failed,
    Skipped,
    Error,
    /// Given up by the consumer and sent to the dead-letter queue.
    DeadLettered,
    /// Sent back to the queue as part of a split request.
    Requeued,
    /// Left in the queue for a later retry.
    Retried,
}

impl Tally {
    pub const ALL: [Tally; 8] = [
        Tally::Queued,
        Tally::Sent,
        Tally::Failed,
        Tally::Skipped,
        Tally::Error,
        Tally::DeadLettered,
        Tally::Requeued,
        Tally::Retried,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Tally::Queued => "queued",
            Tally::Sent => "sent",
            Tally::Failed => "failed",
            Tally::Skipped => "skipped",
            Tally::Error => "error",
            Tally::DeadLettered => "dead_lettered",
            Tally::Requeued => "requeued",
            Tally::Retried => "retried",
        }
    }

    pub fn from_name(name: &str) -> Option<Tally> {
        Tally::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

/// The outcome and reason of a final report (`None` while it is still `ready`).
pub fn tally_of(outcome: &Outcome<'_>) -> Option<(Tally, &'static str)> {
    Some(match outcome {
        Outcome::Ready { .. } => return None,
        Outcome::Queued { .. } => (Tally::Queued, ""),
        Outcome::Sent { .. } => (Tally::Sent, ""),
        Outcome::Failed { reason, .. } => (Tally::Failed, reason.as_str()),
        Outcome::Skipped { reason } => (Tally::Skipped, skip_reason(*reason)),
        Outcome::Error { error } => (Tally::Error, error.code()),
    })
}

fn skip_reason(r: crate::SkipReason) -> &'static str {
    match r {
        crate::SkipReason::UnmappedEvent => "unmapped_event",
        crate::SkipReason::NoConsent => "no_consent",
        crate::SkipReason::NoUserIdentifier => "no_user_identifier",
    }
}

/// One count: `n` events of `destination` named `event` ended `outcome` for `reason`
/// in `minute` (since the epoch). `event` is empty when no TikTok name is known
/// (skipped and refused events, and the consumer's settlements, which carry no names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountRow {
    pub minute: i64,
    pub destination: String,
    pub event: String,
    pub outcome: Tally,
    pub reason: String,
    pub n: u64,
}

/// Match-key coverage: of the events planned for `destination` in `minute`, `n` carried
/// `key` (`key` None: the number of events).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageRow {
    pub minute: i64,
    pub destination: String,
    pub key: Option<MatchKey>,
    pub n: u64,
}

/// A sampled inspector entry, with the columns the store filters on; `json` is the
/// serialized [`super::Entry`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlushEntry {
    pub at_ms: i64,
    pub destination: String,
    pub event: String,
    pub status: String,
    pub debug: bool,
    pub json: String,
}

/// What an isolate sends to the store at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flush {
    pub counts: Vec<CountRow>,
    pub coverage: Vec<CoverageRow>,
    pub entries: Vec<FlushEntry>,
}

impl Flush {
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty() && self.coverage.is_empty() && self.entries.is_empty()
    }
}

/// Every sum the inspector keeps, as the key of one ordered map type: the isolate's buffer
/// ([`Counts`]) and the report (`Report::build`) share one B-tree instantiation in the wasm.
/// Each reads back only its own variants, in key order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Sum {
    /// Buffer: minute, destination, event, outcome, reason.
    Count(i64, String, String, Tally, String),
    /// Buffer: minute, destination, match key (`None`: the number of events planned).
    Coverage(i64, String, Option<MatchKey>),
    /// Report, over the window: destination, outcome.
    Destination(String, Tally),
    /// Report: destination, outcome, reason.
    Reason(String, Tally, String),
    /// Report: destination, event, outcome.
    Event(String, String, Tally),
    /// Report: first minute of the bucket, destination, outcome.
    Bucket(i64, String, Tally),
    /// Report: destination, match key (`None`: the number of events planned).
    Keys(String, Option<MatchKey>),
}

/// The buffer of an isolate.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    sums: BTreeMap<Sum, u64>,
}

impl Counts {
    pub fn add(&mut self, minute: i64, destination: &str, event: &str, outcome: Tally, reason: &str, n: u64) {
        if n == 0 {
            return;
        }
        let key = Sum::Count(minute, destination.to_owned(), event.to_owned(), outcome, reason.to_owned());
        *self.sums.entry(key).or_default() += n;
    }

    /// The final reports of a call.
    pub fn add_results(&mut self, minute: i64, results: &[DestinationResult<'_>]) {
        for r in results {
            let Some((tally, reason)) = tally_of(&r.outcome) else { continue };
            let event = match &r.outcome {
                Outcome::Queued { event } | Outcome::Sent { event, .. } | Outcome::Failed { event, .. } => event,
                _ => "",
            };
            self.add(minute, &r.destination, event, tally, reason, 1);
        }
    }

    /// The match keys of the requests planned (before delivery).
    pub fn add_planned(&mut self, minute: i64, results: &[DestinationResult<'_>]) {
        for r in results {
            if let Outcome::Ready { request, .. } = &r.outcome {
                self.add_keys(minute, &r.destination, &MatchKeys::of(&request.body));
            }
        }
    }

    pub fn add_keys(&mut self, minute: i64, destination: &str, keys: &MatchKeys) {
        *self.sums.entry(Sum::Coverage(minute, destination.to_owned(), None)).or_default() += 1;
        for k in &keys.0 {
            *self.sums.entry(Sum::Coverage(minute, destination.to_owned(), Some(*k))).or_default() += 1;
        }
    }

    /// A settlement of the queue consumer as performed (`sent`: its queue sends worked).
    /// When the sends failed and the messages stay in the queue, all their events are
    /// counted `retried`, reason `queue_send_failed`.
    pub fn add_settlement(&mut self, minute: i64, s: &Settlement, sent: bool) {
        let d = s.destination.as_str();
        if sent {
            self.add(minute, d, "", Tally::Sent, "", s.delivered as u64);
            self.add(minute, d, "", Tally::Requeued, "", s.requeued as u64);
            self.add(minute, d, "", Tally::Retried, "", s.retried as u64);
            for dead in &s.dead {
                self.add(minute, d, "", Tally::DeadLettered, dead.reason.as_str(), dead.events as u64);
            }
        } else if let Settle::Retry { .. } = s.otherwise {
            let all = s.delivered + s.requeued + s.retried + s.dead.iter().map(|x| x.events).sum::<usize>();
            self.add(minute, d, "", Tally::Retried, "queue_send_failed", all as u64);
        }
    }

    /// Adds a flush back (it could not be stored; the next flush retries it).
    pub fn restore(&mut self, flush: &Flush) {
        for c in &flush.counts {
            self.add(c.minute, &c.destination, &c.event, c.outcome, &c.reason, c.n);
        }
        for c in &flush.coverage {
            *self.sums.entry(Sum::Coverage(c.minute, c.destination.clone(), c.key)).or_default() += c.n;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.sums.is_empty()
    }

    /// Empties the buffer into rows.
    pub fn take(&mut self) -> (Vec<CountRow>, Vec<CoverageRow>) {
        let mut counts = Vec::new();
        let mut coverage = Vec::new();
        for (sum, n) in std::mem::take(&mut self.sums) {
            match sum {
                Sum::Count(minute, destination, event, outcome, reason) => {
                    counts.push(CountRow { minute, destination, event, outcome, reason, n })
                }
                Sum::Coverage(minute, destination, key) => coverage.push(CoverageRow { minute, destination, key, n }),
                // The report's sums: never in a buffer.
                Sum::Destination(..) | Sum::Reason(..) | Sum::Event(..) | Sum::Bucket(..) | Sum::Keys(..) => {}
            }
        }
        (counts, coverage)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::delivery::consumer::DeadNote;
    use crate::{Reason, SkipReason, TikTokAnswer};

    fn report(destination: &str, outcome: Outcome<'static>) -> DestinationResult<'static> {
        DestinationResult { destination: destination.to_owned().into(), index: None, outcome, warnings: vec![] }
    }

    fn row(minute: i64, d: &str, e: &str, o: Tally, r: &str, n: u64) -> CountRow {
        CountRow { minute, destination: d.into(), event: e.into(), outcome: o, reason: r.into(), n }
    }

    #[test]
    fn reports_are_counted_per_minute_destination_event_outcome_and_reason() {
        let mut c = Counts::default();
        let sent = Outcome::Sent { event: "Purchase".into(), attempts: 1, tiktok: TikTokAnswer::default() };
        let failed = Outcome::Failed {
            event: "Purchase".into(),
            reason: Reason::InvalidParams,
            retryable: false,
            attempts: 1,
            tiktok: None,
        };
        c.add_results(
            7,
            &[
                report("tiktok", sent.clone()),
                report("tiktok", sent.clone()),
                report("tiktok", failed),
                report("tiktok-offline", Outcome::Skipped { reason: SkipReason::UnmappedEvent }),
                report("tiktok", Outcome::Queued { event: "ViewContent".into() }),
            ],
        );
        c.add_results(8, &[report("tiktok", sent)]);
        let (rows, _) = c.take();
        assert_eq!(
            rows,
            [
                row(7, "tiktok", "Purchase", Tally::Sent, "", 2),
                row(7, "tiktok", "Purchase", Tally::Failed, "invalid_params", 1),
                row(7, "tiktok", "ViewContent", Tally::Queued, "", 1),
                row(7, "tiktok-offline", "", Tally::Skipped, "unmapped_event", 1),
                row(8, "tiktok", "Purchase", Tally::Sent, "", 1),
            ]
        );
        assert!(c.is_empty(), "take empties the buffer");
    }

    fn settlement(otherwise: Settle) -> Settlement {
        Settlement {
            messages: vec![0, 1],
            destination: "tiktok".into(),
            send: vec![],
            then: Settle::Ack,
            otherwise,
            delivered: 5,
            requeued: 2,
            retried: 1,
            dead: vec![DeadNote {
                reason: Reason::InvalidParams,
                code: Some(40002),
                attempts: 1,
                event_ids: vec!["E1".into()],
                events: 1,
                dropped: true,
            }],
        }
    }

    #[test]
    fn settlements_are_counted_as_performed() {
        let mut c = Counts::default();
        c.add_settlement(3, &settlement(Settle::Retry { delay_s: 5 }), true);
        let (rows, _) = c.take();
        assert_eq!(
            rows,
            [
                row(3, "tiktok", "", Tally::Sent, "", 5),
                row(3, "tiktok", "", Tally::DeadLettered, "invalid_params", 1),
                row(3, "tiktok", "", Tally::Requeued, "", 2),
                row(3, "tiktok", "", Tally::Retried, "", 1),
            ]
        );
        c.add_settlement(3, &settlement(Settle::Retry { delay_s: 5 }), false);
        assert_eq!(c.take().0, [row(3, "tiktok", "", Tally::Retried, "queue_send_failed", 9)]);
        c.add_settlement(3, &settlement(Settle::Ack), false);
        assert!(c.is_empty());
    }

    #[test]
    fn a_flush_that_failed_is_added_back_for_the_next() {
        let mut c = Counts::default();
        c.add(1, "tiktok", "Purchase", Tally::Sent, "", 2);
        c.add_keys(1, "tiktok", &MatchKeys(vec![MatchKey::Email]));
        let (counts, coverage) = c.take();
        let failed = Flush { counts, coverage, entries: vec![] };
        c.add(1, "tiktok", "Purchase", Tally::Sent, "", 1);
        c.restore(&failed);
        let (counts, coverage) = c.take();
        assert_eq!(counts, [row(1, "tiktok", "Purchase", Tally::Sent, "", 3)]);
        assert_eq!(coverage.len(), 2);
        assert_eq!(coverage[0], CoverageRow { minute: 1, destination: "tiktok".into(), key: None, n: 1 });
    }
}
