//! Delivery counters of this isolate since it started (`GET /v1/stats`): what was
//! accepted, sent, retried, dropped, by destination. Workers run many isolates, so
//! these are per isolate; logs are the durable record.

use serde_json::{json, Map, Value};
use std::cell::RefCell;
use std::collections::BTreeMap;

#[derive(Default, Clone, Copy)]
struct Counts {
    accepted: u64,
    queued: u64,
    sent: u64,
    retried: u64,
    failed_retryable: u64,
    dropped: u64,
    skipped: u64,
    errors: u64,
    dead_lettered: u64,
}

thread_local! {
    static COUNTS: RefCell<BTreeMap<String, Counts>> = const { RefCell::new(BTreeMap::new()) };
}

/// What happened to one event for one destination.
#[derive(Clone, Copy)]
pub enum Tally {
    /// Accepted into the queue (the consumer reports what happens next).
    Queued,
    Sent {
        retries: u32,
    },
    /// Queue consumer: TikTok accepted it.
    Delivered,
    /// Queue consumer: sent again later.
    Retried,
    /// Queue consumer: given up (`dropped` when TikTok refused it for good).
    DeadLettered {
        dropped: bool,
    },
    Failed {
        retryable: bool,
        retries: u32,
    },
    Skipped,
    Error,
}

pub fn record(destination: &str, tally: Tally) {
    COUNTS.with(|c| {
        let mut map = c.borrow_mut();
        let n = map.entry(destination.to_owned()).or_default();
        match tally {
            Tally::Sent { retries } => {
                n.accepted += 1;
                n.sent += 1;
                n.retried += u64::from(retries);
            }
            Tally::Failed { retryable, retries } => {
                n.accepted += 1;
                n.retried += u64::from(retries);
                if retryable {
                    n.failed_retryable += 1;
                } else {
                    n.dropped += 1;
                }
            }
            Tally::Queued => {
                n.accepted += 1;
                n.queued += 1;
            }
            Tally::Delivered => n.sent += 1,
            Tally::Retried => n.retried += 1,
            Tally::DeadLettered { dropped } => {
                n.dead_lettered += 1;
                n.dropped += u64::from(dropped);
            }
            Tally::Skipped => n.skipped += 1,
            Tally::Error => n.errors += 1,
        }
    });
}

pub fn snapshot() -> Value {
    COUNTS.with(|c| {
        let by_destination: Map<String, Value> = c
            .borrow()
            .iter()
            .map(|(d, n)| {
                let v = json!({"accepted": n.accepted, "queued": n.queued, "sent": n.sent, "retried": n.retried,
                    "failed_retryable": n.failed_retryable, "dropped": n.dropped, "dead_lettered": n.dead_lettered,
                    "skipped": n.skipped, "errors": n.errors});
                (d.clone(), v)
            })
            .collect();
        json!({"scope": "isolate", "destinations": by_destination})
    })
}
