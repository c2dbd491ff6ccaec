//! Inline delivery of one call, as a pure state machine the Worker drives: it says
//! which requests to send now (at most `max_in_flight` at once, at most
//! `max_subrequests` in all), takes TikTok's answers, and decides: accepted, retry
//! after a backoff, split to isolate refused events, or failed. Retries and splits
//! fit in the call's time budget; what does not fit is reported failed, retryable.

use super::batch::Batch;
use super::outcome::{classify, reason_of, Classification, Reason, TikTokAnswer};
use super::policy::{decide, take_named, Backoff, Decision, Limits};
use super::request::Outgoing;
use super::Driven;
use crate::secrets::Secrets;

/// What one call may spend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InlinePolicy {
    /// Attempts per request and the backoff between them.
    pub limits: Limits,
    /// How long after the call started retries and splits may still be sent, in ms.
    pub budget_ms: u64,
    /// How long a TikTok answer may take (an answer is awaited within the budget).
    pub timeout_ms: u64,
    /// TikTok fetches in flight at once (Workers allow 6 open connections).
    pub max_in_flight: usize,
    /// TikTok fetches in all (Cloudflare's subrequest limit per invocation).
    pub max_subrequests: u32,
}

/// TikTok fetches in flight at once: Workers keep at most 6 connections open per
/// invocation, and a timeout must not start while a fetch waits for one.
pub const MAX_IN_FLIGHT: usize = 6;
/// Attempts of one request within a call, the first included.
const INLINE_ATTEMPTS: u32 = 3;
/// First inline backoff step (then 500 ms): short, a caller is waiting.
const INLINE_BACKOFF_MS: u64 = 250;

impl InlinePolicy {
    /// The policy of a call: `budget_ms` for retries and splits (`RETRY_BUDGET_MS`),
    /// TikTok's `timeout_ms`, and `max_subrequests` fetches in all (`MAX_SUBREQUESTS`).
    pub fn new(budget_ms: u64, timeout_ms: u64, max_subrequests: u32) -> InlinePolicy {
        InlinePolicy {
            limits: Limits {
                max_attempts: INLINE_ATTEMPTS,
                backoff: Backoff { base_ms: INLINE_BACKOFF_MS, max_ms: budget_ms },
            },
            budget_ms,
            timeout_ms,
            max_in_flight: MAX_IN_FLIGHT,
            max_subrequests,
        }
    }
}

/// How an event ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivered {
    /// Accepted (`partial`: alone in a request TikTok answered 20001).
    Sent {
        attempts: u32,
        tiktok: TikTokAnswer,
        partial: bool,
    },
    Failed {
        reason: Reason,
        retryable: bool,
        attempts: u32,
        tiktok: Option<TikTokAnswer>,
    },
}

/// Counts of one run, for stats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunStats {
    /// TikTok requests sent.
    pub requests: u32,
    /// Of which second and later attempts.
    pub retries: u32,
    /// Of which parts of a split request.
    pub split_requests: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Waiting { not_before_ms: i64 },
    InFlight,
    Done,
}

struct Job<T> {
    batch: Option<Batch<T>>,
    /// Attempts of this request, and of the requests it was split from.
    attempts: u32,
    prior: u32,
    split: bool,
    last: Option<TikTokAnswer>,
    state: State,
}

pub struct Inline<T> {
    policy: InlinePolicy,
    started_ms: i64,
    jobs: Vec<Job<T>>,
    in_flight: usize,
    done: Vec<(T, Delivered)>,
    stats: RunStats,
}

impl<T> Inline<T> {
    pub fn new(batches: Vec<Batch<T>>, policy: InlinePolicy, now_ms: i64) -> Inline<T> {
        let mut run = Inline {
            policy,
            started_ms: now_ms,
            jobs: Vec::new(),
            in_flight: 0,
            done: Vec::new(),
            stats: RunStats::default(),
        };
        for b in batches {
            run.push(b, 0, false, now_ms);
        }
        run
    }

    fn push(&mut self, batch: Batch<T>, prior: u32, split: bool, now_ms: i64) {
        let state = State::Waiting { not_before_ms: now_ms };
        self.jobs.push(Job { batch: Some(batch), attempts: 0, prior, split, last: None, state });
    }

    /// Time left for another try that is answered within the timeout, in ms.
    fn room_ms(&self, now_ms: i64) -> u64 {
        let elapsed = u64::try_from(now_ms.saturating_sub(self.started_ms)).unwrap_or(0);
        // An answer usually comes well before the timeout; a second is what we plan for.
        self.policy.budget_ms.saturating_sub(elapsed).saturating_sub(self.policy.timeout_ms.min(1000))
    }

    /// Reports every event of job `id` and closes it.
    fn finish(&mut self, id: usize, each: impl Fn(u32) -> Delivered) {
        let Some(job) = self.jobs.get_mut(id) else { return };
        if job.state == State::InFlight {
            self.in_flight = self.in_flight.saturating_sub(1);
        }
        job.state = State::Done;
        let attempts = job.prior + job.attempts;
        if let Some(batch) = job.batch.take() {
            self.done.extend(batch.tags.into_iter().map(|t| (t, each(attempts))));
        }
    }

    fn fail(&mut self, id: usize, reason: Reason, retryable: bool) {
        let last = self.jobs.get(id).and_then(|j| j.last.clone());
        self.finish(id, |attempts| Delivered::Failed { reason, retryable, attempts, tiktok: last.clone() });
    }

    /// Parts of job `id`'s batch to send again (split or isolated), if time allows;
    /// otherwise they fail, retryable, like the budget says.
    fn resend(&mut self, parts: Vec<Batch<T>>, prior: u32, last: &TikTokAnswer, now_ms: i64) {
        let fits = self.room_ms(now_ms) > 0;
        for part in parts {
            if fits {
                self.push(part, prior, true, now_ms);
            } else {
                let tiktok = Some(last.clone());
                self.done.extend(part.tags.into_iter().map(|t| {
                    (
                        t,
                        Delivered::Failed {
                            reason: Reason::RetryBudget,
                            retryable: true,
                            attempts: prior,
                            tiktok: tiktok.clone(),
                        },
                    )
                }));
            }
        }
    }

    /// What happened to every event, once `is_done`; and the run's counts.
    pub fn outcomes(self) -> (Vec<(T, Delivered)>, RunStats) {
        (self.done, self.stats)
    }
}

impl<T> Driven for Inline<T> {
    fn start(&mut self, now_ms: i64, secrets: &Secrets) -> Vec<(usize, Outgoing)> {
        let mut out = Vec::new();
        for id in 0..self.jobs.len() {
            let Some(job) = self.jobs.get(id) else { break };
            let State::Waiting { not_before_ms } = job.state else { continue };
            if not_before_ms > now_ms || self.in_flight >= self.policy.max_in_flight {
                continue;
            }
            if self.stats.requests >= self.policy.max_subrequests {
                self.fail(id, Reason::SubrequestBudget, true);
                continue;
            }
            let outgoing = job.batch.as_ref().and_then(|b| b.request.outgoing(secrets));
            let Some(outgoing) = outgoing else {
                self.fail(id, Reason::MissingSecret, false);
                continue;
            };
            self.stats.requests += 1;
            self.stats.retries += u32::from(job.attempts > 0);
            self.stats.split_requests += u32::from(job.split && job.attempts == 0);
            if let Some(job) = self.jobs.get_mut(id) {
                job.attempts += 1;
                job.state = State::InFlight;
            }
            self.in_flight += 1;
            out.push((id, outgoing));
        }
        out
    }

    fn answer(&mut self, id: usize, status: u16, body: &str, now_ms: i64, jitter: f64) -> Classification {
        let c = classify(status, body);
        self.decide(id, &c, now_ms, jitter);
        c
    }

    fn wake_at(&self) -> Option<i64> {
        self.jobs
            .iter()
            .filter_map(|j| match j.state {
                State::Waiting { not_before_ms } => Some(not_before_ms),
                State::InFlight | State::Done => None,
            })
            .min()
    }

    fn is_done(&self) -> bool {
        self.jobs.iter().all(|j| j.state == State::Done)
    }
}

impl<T> Inline<T> {
    fn decide(&mut self, id: usize, c: &Classification, now_ms: i64, jitter: f64) {
        let room = self.room_ms(now_ms);
        let Some(job) = self.jobs.get_mut(id) else { return };
        if job.state != State::InFlight {
            return;
        }
        job.last = Some(c.tiktok.clone());
        let events = job.batch.as_ref().map_or(0, Batch::len);
        let attempts = job.prior + job.attempts;
        let tiktok = c.tiktok.clone();
        match decide(c, events, job.attempts, &self.policy.limits, room, jitter) {
            Decision::Accepted { partial } => {
                self.finish(id, |attempts| Delivered::Sent { attempts, tiktok: tiktok.clone(), partial })
            }
            Decision::Failed { retryable } => self.fail(id, c.reason, retryable),
            Decision::Retry { delay_ms } => {
                let not_before_ms = now_ms.saturating_add(i64::try_from(delay_ms).unwrap_or(i64::MAX));
                job.state = State::Waiting { not_before_ms };
                self.in_flight = self.in_flight.saturating_sub(1);
            }
            Decision::Named { refused } => {
                let Some(batch) = self.close(id) else { return };
                let (picked, rest) = take_named(batch, &refused);
                for (part, r) in picked {
                    let answer = r.answer(&tiktok);
                    let reason = reason_of(answer.code);
                    self.done.extend(part.tags.into_iter().map(|t| {
                        (t, Delivered::Failed { reason, retryable: false, attempts, tiktok: Some(answer.clone()) })
                    }));
                }
                if let Some(rest) = rest {
                    let sent = Delivered::Sent { attempts, tiktok: tiktok.clone(), partial: false };
                    self.done.extend(rest.tags.into_iter().map(|t| (t, sent.clone())));
                }
            }
            Decision::Isolate { position } => {
                let Some(batch) = self.close(id) else { return };
                let (picked, rest) = batch.take(&[position]);
                for part in picked {
                    let failed = Delivered::Failed {
                        reason: c.reason,
                        retryable: false,
                        attempts,
                        tiktok: Some(tiktok.clone()),
                    };
                    self.done.extend(part.tags.into_iter().map(|t| (t, failed.clone())));
                }
                self.resend(rest.into_iter().collect(), attempts, &tiktok, now_ms);
            }
            Decision::Split => {
                let Some(batch) = self.close(id) else { return };
                match batch.halves() {
                    Ok((a, b)) => self.resend(vec![a, b], attempts, &tiktok, now_ms),
                    // Cannot be split (not an Events API body): refused as answered.
                    Err(batch) => {
                        let failed =
                            Delivered::Failed { reason: c.reason, retryable: false, attempts, tiktok: Some(tiktok) };
                        self.done.extend(batch.tags.into_iter().map(|t| (t, failed.clone())));
                    }
                }
            }
        }
    }

    /// Closes an answered job and hands its batch over to be split up.
    fn close(&mut self, id: usize) -> Option<Batch<T>> {
        let job = self.jobs.get_mut(id)?;
        job.state = State::Done;
        self.in_flight = self.in_flight.saturating_sub(1);
        job.batch.take()
    }
}
