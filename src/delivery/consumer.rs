//! The queue consumer, as a pure state machine the Worker drives: a batch of
//! messages in, merged into TikTok requests of up to 1,000 events, each sent once;
//! then for every message what to do: ack, retry after a backoff, or dead-letter with
//! why. When TikTok refuses a request for some of its events, the request is split
//! and the parts sent again within the invocation (as far as its subrequest budget
//! goes) until each refused event stands alone: those are dead-lettered, the parts
//! left over go back to the queue as new messages, and the original messages are
//! acked once all of that is sent. A message is acked
//! only when every event in it is delivered, dead-lettered or back in the queue.

use super::batch::{merge, Batch};
use super::inline::RunStats;
use super::outcome::{classify, reason_of, Classification, Reason, TikTokAnswer};
use super::policy::{decide, take_named, Decision};
use super::queue::{dead_letter, parts, DeadLetter, Message};
use super::request::Outgoing;
pub use super::settlement::{ConsumerPolicy, DeadNote, Outbound, Settle, Settlement};
use super::Driven;
use crate::config::{Config, DestinationKind};
use crate::payload::offline_track::OFFLINE_TRACK_PATH;
use crate::payload::EVENT_TRACK_PATH;
use crate::secrets::Secrets;
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Waiting,
    InFlight,
    Done,
}

/// A request to send: a merged batch of messages (a root) or a part of a split one.
struct Job {
    batch: Option<Batch<usize>>,
    state: State,
    root: usize,
    part: bool,
}

/// What became of the events of one merged batch once it was split.
#[derive(Default)]
struct Root {
    messages: Vec<usize>,
    destination: String,
    /// Jobs of this root not answered yet.
    open: usize,
    split: bool,
    delivered: usize,
    refused: Vec<(Batch<usize>, Reason, TikTokAnswer)>,
    /// Parts to send back to the queue (no budget left, or a transient failure).
    requeue: Vec<Batch<usize>>,
}

pub struct Consumer {
    policy: ConsumerPolicy,
    attempts: Vec<u32>,
    requests: Vec<Option<Message>>,
    jobs: Vec<Job>,
    roots: Vec<Root>,
    in_flight: usize,
    used: u32,
    split_requests: u32,
    settlements: Vec<Settlement>,
}

impl Consumer {
    /// `bodies` and `attempts` (deliveries so far, this one included) per message.
    pub fn new(bodies: &[String], attempts: &[u32], config: &Config, policy: ConsumerPolicy) -> Consumer {
        let attempts: Vec<u32> = (0..bodies.len()).map(|i| attempts.get(i).copied().unwrap_or(1).max(1)).collect();
        let mut c = Consumer {
            policy,
            attempts,
            requests: Vec::with_capacity(bodies.len()),
            jobs: Vec::new(),
            roots: Vec::new(),
            in_flight: 0,
            used: 0,
            split_requests: 0,
            settlements: Vec::new(),
        };
        let (mut batches, mut alone) = (Vec::new(), Vec::new());
        for (i, body) in bodies.iter().enumerate() {
            let Some(message) = Message::parse(body) else {
                // Unreadable: kept whole in the dead letter, so nothing is lost.
                let why = DeadLetter::new(Reason::InvalidMessage, c.attempt(i), None);
                let text = json!({"raw": body, "dead_letter": why}).to_string();
                c.requests.push(None);
                c.settle_dead(i, String::new(), text, Reason::InvalidMessage, None, 1, Vec::new(), false);
                continue;
            };
            if let Some(a) = c.attempts.get_mut(i) {
                *a = a.saturating_add(message.attempts_before);
            }
            let (request, split) = (&message.request, message.split);
            if request.events() == 0 {
                // An Events API body without events: nothing to send, nothing to lose.
                let text = dead_letter(request, &DeadLetter::new(Reason::InvalidMessage, c.attempt(i), None));
                c.settle_dead(i, request.destination.clone(), text, Reason::InvalidMessage, None, 0, Vec::new(), false);
                c.requests.push(None);
                continue;
            }
            if !produces(config, &request.url, &request.token_secret) {
                // Never send a token to a URL the config does not produce.
                let text = dead_letter(request, &DeadLetter::new(Reason::ForeignUrl, c.attempt(i), None));
                let (events, ids) = (request.events(), request.event_ids());
                c.settle_dead(i, request.destination.clone(), text, Reason::ForeignUrl, None, events, ids, false);
                c.requests.push(None);
                continue;
            }
            let tags = vec![i; request.events()];
            match split {
                true => alone.push(Batch { request: request.clone(), tags }),
                false => batches.push(Batch { request: request.clone(), tags }),
            }
            c.requests.push(Some(message));
        }
        for b in merge(batches).into_iter().chain(alone) {
            let root = c.roots.len();
            let messages = Self::messages_of(&b);
            c.roots.push(Root { messages, destination: b.request.destination.clone(), open: 1, ..Root::default() });
            c.jobs.push(Job { batch: Some(b), state: State::Waiting, root, part: false });
        }
        c
    }

    fn attempt(&self, i: usize) -> u32 {
        self.attempts.get(i).copied().unwrap_or(1)
    }

    #[allow(clippy::too_many_arguments)]
    fn settle_dead(
        &mut self,
        i: usize,
        destination: String,
        text: String,
        reason: Reason,
        code: Option<i64>,
        events: usize,
        event_ids: Vec<String>,
        dropped: bool,
    ) {
        let attempts = self.attempt(i);
        self.settlements.push(Settlement {
            messages: vec![i],
            destination,
            send: vec![Outbound::DeadLetter(text)],
            then: Settle::Ack,
            // No dead-letter queue, or it failed: keep the message, try again later.
            otherwise: Settle::Retry { delay_s: self.max_delay_s() },
            delivered: 0,
            requeued: 0,
            retried: 0,
            dead: vec![DeadNote { reason, code, attempts, event_ids, events, dropped }],
        });
    }

    fn max_delay_s(&self) -> u32 {
        u32::try_from(self.policy.limits.backoff.max_ms / 1000).unwrap_or(u32::MAX)
    }

    fn base_delay_s(&self) -> u32 {
        u32::try_from(self.policy.limits.backoff.base_ms / 1000).unwrap_or(u32::MAX)
    }

    /// The distinct messages of a batch, in order.
    fn messages_of(batch: &Batch<usize>) -> Vec<usize> {
        let mut m: Vec<usize> = batch.tags.clone();
        m.dedup();
        m.sort_unstable();
        m.dedup();
        m
    }

    /// Dead-letters every message of a batch with TikTok's answer (`dropped`: refused
    /// for good by TikTok).
    fn dead_all(&mut self, batch: &Batch<usize>, reason: Reason, tiktok: Option<&TikTokAnswer>, dropped: bool) {
        for i in Self::messages_of(batch) {
            let Some(request) = self.requests.get(i).and_then(|m| m.as_ref()).map(|m| m.request.clone()) else {
                continue;
            };
            let text = dead_letter(&request, &DeadLetter::new(reason, self.attempt(i), tiktok));
            let code = tiktok.and_then(|t| t.code);
            let (events, ids) = (request.events(), request.event_ids());
            self.settle_dead(i, request.destination.clone(), text, reason, code, events, ids, dropped);
        }
    }

    /// A split root is done: refused events go to the dead letters, leftover parts back
    /// to the queue, and its messages are acked once all of that is sent.
    fn close_root(&mut self, r: usize) {
        let Some(root) = self.roots.get_mut(r) else { return };
        let (refused, requeue) = (std::mem::take(&mut root.refused), std::mem::take(&mut root.requeue));
        let (group, destination, delivered) = (root.messages.clone(), root.destination.clone(), root.delivered);
        let mut send = Vec::new();
        let mut dead = Vec::new();
        for (part, reason, tiktok) in refused {
            let attempts = part.tags.first().map_or(1, |i| self.attempt(*i));
            send.push(Outbound::DeadLetter(dead_letter(
                &part.request,
                &DeadLetter::new(reason, attempts, Some(&tiktok)),
            )));
            let (event_ids, events) = (part.request.event_ids(), part.len());
            dead.push(DeadNote { reason, code: tiktok.code, attempts, event_ids, events, dropped: true });
        }
        let requeued = requeue.iter().map(Batch::len).sum();
        let (texts, too_large) = parts(requeue);
        // A part too large for a message was part of a message before: cannot happen,
        // but if it did, the originals stay in the queue rather than lose it.
        let otherwise = Settle::Retry { delay_s: self.base_delay_s() };
        let then = if too_large.is_empty() { Settle::Ack } else { otherwise };
        send.extend(texts.into_iter().map(|(_, t)| Outbound::Requeue(t)));
        self.settlements.push(Settlement {
            messages: group,
            destination,
            send,
            then,
            otherwise,
            delivered,
            requeued,
            retried: 0,
            dead,
        });
    }

    /// One job of root `r` is answered or given up: close the root when it was the last.
    fn job_done(&mut self, r: usize) {
        let Some(root) = self.roots.get_mut(r) else { return };
        root.open = root.open.saturating_sub(1);
        if root.open == 0 && root.split {
            self.close_root(r);
        }
    }

    /// Another part of root `r` to send in this invocation.
    fn push_part(&mut self, r: usize, batch: Batch<usize>) {
        if let Some(root) = self.roots.get_mut(r) {
            root.open += 1;
        }
        self.jobs.push(Job { batch: Some(batch), state: State::Waiting, root: r, part: true });
    }

    /// The answer to a part of a split root (or to a root that is being split).
    fn resolve(&mut self, r: usize, batch: Batch<usize>, c: &Classification, jitter: f64) {
        let tiktok = c.tiktok.clone();
        let refuse =
            |root: &mut Root, b: Batch<usize>, reason: Reason, t: TikTokAnswer| root.refused.push((b, reason, t));
        let decision = decide(c, batch.len(), 1, &self.policy.limits, u64::MAX, jitter);
        let Some(root) = self.roots.get_mut(r) else { return };
        root.split = true;
        match decision {
            Decision::Accepted { .. } => root.delivered += batch.len(),
            Decision::Named { refused } => {
                let (picked, rest) = take_named(batch, &refused);
                for (part, named) in picked {
                    let answer = named.answer(&tiktok);
                    refuse(root, part, reason_of(answer.code), answer);
                }
                root.delivered += rest.as_ref().map_or(0, Batch::len);
            }
            Decision::Isolate { position } => {
                let (picked, rest) = batch.take(&[position]);
                for part in picked {
                    refuse(root, part, c.reason, tiktok.clone());
                }
                if let Some(rest) = rest {
                    self.push_part(r, rest);
                }
            }
            Decision::Split => match batch.halves() {
                Ok((a, b)) => {
                    self.push_part(r, a);
                    self.push_part(r, b);
                }
                Err(one) => refuse(root, one, c.reason, tiktok),
            },
            // A part that meets a transient failure goes back to the queue as it is.
            Decision::Retry { .. } | Decision::Failed { retryable: true } => root.requeue.push(batch),
            Decision::Failed { retryable: false } => refuse(root, batch, c.reason, tiktok),
        }
        self.job_done(r);
    }

    /// What to do with each message, once `is_done`; and the TikTok requests it made.
    /// A run that stopped early (its driver gave up) leaves no message unsettled: what
    /// was not answered goes back to the queue unsent.
    pub fn settlements(mut self) -> (Vec<Settlement>, RunStats) {
        for id in 0..self.jobs.len() {
            let Some(job) = self.jobs.get_mut(id) else { break };
            if job.state == State::Done {
                continue;
            }
            job.state = State::Done;
            let (r, part, batch) = (job.root, job.part, job.batch.take());
            if let Some(b) = batch {
                self.put_back(r, part, b);
            }
        }
        let stats = RunStats { requests: self.used, retries: 0, split_requests: self.split_requests };
        (self.settlements, stats)
    }

    /// A job not sent in this invocation: a part waits in the queue as a new message,
    /// a whole batch's messages go back as they are.
    fn put_back(&mut self, r: usize, part: bool, batch: Batch<usize>) {
        match part {
            true => {
                if let Some(root) = self.roots.get_mut(r) {
                    root.requeue.push(batch);
                }
            }
            false => self.defer(&batch),
        }
        self.job_done(r);
    }

    /// The answer to a root: settled per message, unless it must be split.
    fn settle_answer(&mut self, r: usize, batch: Batch<usize>, c: &Classification, jitter: f64) {
        let events = batch.len();
        let tiktok = c.tiktok.clone();
        // Split decisions are about the request; retries are about each message's attempts.
        match decide(c, events, 1, &self.policy.limits, u64::MAX, jitter) {
            Decision::Accepted { .. } => {
                for i in Self::messages_of(&batch) {
                    let n = batch.tags.iter().filter(|t| **t == i).count();
                    self.settlements.push(Settlement {
                        messages: vec![i],
                        destination: batch.request.destination.clone(),
                        send: Vec::new(),
                        then: Settle::Ack,
                        otherwise: Settle::Ack,
                        delivered: n,
                        requeued: 0,
                        retried: 0,
                        dead: Vec::new(),
                    });
                }
            }
            Decision::Named { .. } | Decision::Isolate { .. } | Decision::Split => {
                self.resolve(r, batch, c, jitter);
                return;
            }
            Decision::Failed { retryable: false } => self.dead_all(&batch, c.reason, Some(&tiktok), true),
            Decision::Failed { retryable: true } | Decision::Retry { .. } => {
                for i in Self::messages_of(&batch) {
                    let attempts = self.attempt(i);
                    match decide(c, 1, attempts, &self.policy.limits, u64::MAX, jitter) {
                        Decision::Retry { delay_ms } => {
                            let n = batch.tags.iter().filter(|t| **t == i).count();
                            let delay_s = u32::try_from(delay_ms.div_ceil(1000)).unwrap_or(u32::MAX);
                            self.settlements.push(Settlement {
                                messages: vec![i],
                                destination: batch.request.destination.clone(),
                                send: Vec::new(),
                                then: Settle::Retry { delay_s },
                                otherwise: Settle::Retry { delay_s },
                                delivered: 0,
                                requeued: 0,
                                retried: n,
                                dead: Vec::new(),
                            });
                        }
                        _ => {
                            let one = Batch { request: batch.request.clone(), tags: vec![i] };
                            self.dead_all(&one, c.reason, Some(&tiktok), false);
                        }
                    }
                }
            }
        }
        self.job_done(r);
    }

    /// Messages of a job that cannot be sent in this invocation go back unchanged.
    /// They go back as copies that keep their count of attempts (a `retry` would count
    /// one more delivery, and enough of them would dead-letter an event never tried).
    fn defer(&mut self, batch: &Batch<usize>) {
        for i in Self::messages_of(batch) {
            let n = batch.tags.iter().filter(|t| **t == i).count();
            let attempts_before = self.attempt(i).saturating_sub(1);
            let copy = self.requests.get(i).and_then(|m| m.as_ref()).map(|m| Message { attempts_before, ..m.clone() });
            self.settlements.push(Settlement {
                messages: vec![i],
                destination: batch.request.destination.clone(),
                send: copy.iter().map(|m| Outbound::Requeue(m.to_text())).collect(),
                then: Settle::Ack,
                otherwise: Settle::Retry { delay_s: 0 },
                delivered: 0,
                requeued: 0,
                retried: n,
                dead: Vec::new(),
            });
        }
    }
}

/// Whether a destination of `config` sends to `url` with the token of `secret`: the
/// consumer sends nothing else (a message is data anyone with queue access could write).
fn produces(config: &Config, url: &str, secret: &str) -> bool {
    let api = |path: &str| url.strip_prefix(config.api_base.as_str()) == Some(path);
    config.destinations.iter().any(|d| {
        d.token_secret == secret
            && match &d.kind {
                DestinationKind::EventsApi(_) => api(EVENT_TRACK_PATH),
                DestinationKind::OfflineEvents(_) => api(EVENT_TRACK_PATH) || api(OFFLINE_TRACK_PATH),
                DestinationKind::OrderSync(o) => url == o.endpoint,
            }
    })
}

impl Driven for Consumer {
    fn start(&mut self, _now_ms: i64, secrets: &Secrets) -> Vec<(usize, Outgoing)> {
        let mut out = Vec::new();
        for id in 0..self.jobs.len() {
            if self.in_flight >= self.policy.max_in_flight {
                break;
            }
            let Some(job) = self.jobs.get_mut(id) else { break };
            if job.state != State::Waiting {
                continue;
            }
            let (r, part) = (job.root, job.part);
            let outgoing = job.batch.as_ref().and_then(|b| b.request.outgoing(secrets));
            let over = self.used >= self.policy.max_subrequests;
            if over || outgoing.is_none() {
                job.state = State::Done;
                let Some(b) = job.batch.take() else { continue };
                match (part, over) {
                    (false, false) => {
                        self.dead_all(&b, Reason::MissingSecret, None, false);
                        self.job_done(r);
                    }
                    _ => self.put_back(r, part, b),
                }
                continue;
            }
            if let Some(o) = outgoing {
                job.state = State::InFlight;
                self.in_flight += 1;
                self.used += 1;
                self.split_requests += u32::from(part);
                out.push((id, o));
            }
        }
        out
    }

    fn answer(&mut self, id: usize, status: u16, body: &str, _now_ms: i64, jitter: f64) -> Classification {
        let c = classify(status, body);
        let Some(job) = self.jobs.get_mut(id) else { return c };
        if job.state != State::InFlight {
            return c;
        }
        job.state = State::Done;
        self.in_flight = self.in_flight.saturating_sub(1);
        let (r, part) = (job.root, job.part);
        if let Some(b) = job.batch.take() {
            match part {
                true => self.resolve(r, b, &c, jitter),
                false => self.settle_answer(r, b, &c, jitter),
            }
        }
        c
    }

    fn wake_at(&self) -> Option<i64> {
        None
    }

    fn is_done(&self) -> bool {
        self.jobs.iter().all(|j| j.state == State::Done)
    }
}
