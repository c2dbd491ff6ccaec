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
    record_many(destination, tally, 1);
}

/// `events` events of one destination with the same outcome (a queue message's).
pub fn record_many(destination: &str, tally: Tally, events: u64) {
    COUNTS.with(|c| {
        let mut map = c.borrow_mut();
        if !map.contains_key(destination) {
            map.insert(destination.to_owned(), Counts::default());
        }
        let Some(n) = map.get_mut(destination) else { return };
        match tally {
            Tally::Sent { retries } => {
                n.accepted += events;
                n.sent += events;
                n.retried += u64::from(retries) * events;
            }
            Tally::Failed { retryable, retries } => {
                n.accepted += events;
                n.retried += u64::from(retries) * events;
                if retryable {
                    n.failed_retryable += events;
                } else {
                    n.dropped += events;
                }
            }
            Tally::Queued => {
                n.accepted += events;
                n.queued += events;
            }
            Tally::Delivered => n.sent += events,
            Tally::Retried => n.retried += events,
            Tally::DeadLettered { dropped } => {
                n.dead_lettered += events;
                n.dropped += u64::from(dropped) * events;
            }
            Tally::Skipped => n.skipped += events,
            Tally::Error => n.errors += events,
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
