//! Delivery counters of this isolate since it started (`GET /v1/stats`): what was
//! accepted, sent, retried, dropped, by destination; counted from the core's typed
//! reports and settlements. Workers run many isolates, so these are per isolate;
//! logs are the durable record.

use serde_json::{json, Map, Value};
use std::cell::RefCell;
use std::collections::BTreeMap;
use tiktok_edge::delivery::{RunStats, Settle, Settlement};
use tiktok_edge::{DestinationResult, Outcome};

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
    requeued: u64,
}

#[derive(Default, Clone, Copy)]
struct Requests {
    requests: u64,
    retries: u64,
    split_requests: u64,
    queue_failures: u64,
}

thread_local! {
    static COUNTS: RefCell<BTreeMap<String, Counts>> = const { RefCell::new(BTreeMap::new()) };
    static REQUESTS: RefCell<Requests> = RefCell::new(Requests::default());
}

fn with(destination: &str, f: impl FnOnce(&mut Counts)) {
    COUNTS.with(|c| f(c.borrow_mut().entry(destination.to_owned()).or_default()));
}

/// The final reports of a call.
pub fn record_results(results: &[DestinationResult<'_>]) {
    for r in results {
        with(&r.destination, |n| match &r.outcome {
            Outcome::Queued { .. } => {
                n.accepted += 1;
                n.queued += 1;
            }
            Outcome::Sent { attempts, .. } => {
                n.accepted += 1;
                n.sent += 1;
                n.retried += u64::from(attempts.saturating_sub(1));
            }
            Outcome::Failed { retryable, attempts, .. } => {
                n.accepted += 1;
                n.retried += u64::from(attempts.saturating_sub(1));
                match retryable {
                    true => n.failed_retryable += 1,
                    false => n.dropped += 1,
                }
            }
            Outcome::Skipped { .. } => n.skipped += 1,
            Outcome::Error { .. } => n.errors += 1,
            Outcome::Ready { .. } => {}
        });
    }
}

/// The TikTok requests of an inline run or of a consumer invocation.
pub fn record_run(run: RunStats) {
    REQUESTS.with(|r| {
        let mut r = r.borrow_mut();
        r.requests += u64::from(run.requests);
        r.retries += u64::from(run.retries);
        r.split_requests += u64::from(run.split_requests);
    });
}

/// A settlement of the queue consumer, as performed (`sent`: its queue sends worked;
/// `settled`: its ack/retry calls did).
pub fn record_settlement(s: &Settlement, sent: bool, settled: bool) {
    with(&s.destination, |n| {
        if sent {
            n.sent += s.delivered as u64;
            n.requeued += s.requeued as u64;
            n.retried += s.retried as u64;
            let dead: u64 = s.dead.iter().map(|d| d.events as u64).sum();
            n.dead_lettered += dead;
            n.dropped += s.dead.iter().filter(|d| d.dropped).map(|d| d.events as u64).sum::<u64>();
        } else if let Settle::Retry { .. } = s.otherwise {
            n.retried +=
                (s.delivered + s.requeued + s.retried) as u64 + s.dead.iter().map(|d| d.events as u64).sum::<u64>();
        }
    });
    if !sent || !settled {
        REQUESTS.with(|r| r.borrow_mut().queue_failures += 1);
    }
}

pub fn snapshot() -> Value {
    let requests = REQUESTS.with(|r| *r.borrow());
    COUNTS.with(|c| {
        let by_destination: Map<String, Value> = c
            .borrow()
            .iter()
            .map(|(d, n)| {
                let v = json!({"accepted": n.accepted, "queued": n.queued, "sent": n.sent, "retried": n.retried,
                    "failed_retryable": n.failed_retryable, "dropped": n.dropped, "dead_lettered": n.dead_lettered,
                    "requeued": n.requeued, "skipped": n.skipped, "errors": n.errors});
                (d.clone(), v)
            })
            .collect();
        json!({"scope": "isolate", "destinations": by_destination,
            "tiktok_requests": {"requests": requests.requests, "retries": requests.retries,
                "split_requests": requests.split_requests}, "queue_failures": requests.queue_failures})
    })
}
