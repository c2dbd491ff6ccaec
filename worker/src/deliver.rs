//! Performs deliveries the core plans: the leaf that `/v1/events` and page views call.
//! With a queue bound, a call's requests are enqueued; without, they are sent inline.
//! Either way the core's run says what to send and when, and decides on every answer:
//! this file only fetches, sleeps and enqueues.

use crate::config::Settings;
use crate::{http, queue, stats, tiktok};
use futures_util::future::{select, Either};
use futures_util::stream::{FuturesUnordered, StreamExt};
use std::time::Duration;
use tiktok_edge::delivery::{Call, Driven, InlinePolicy};
use tiktok_edge::node::Node;
use tiktok_edge::Secrets;
use worker::{Date, Delay, Env};

/// Delivers a call's ready reports and returns the call with every report final.
/// `inputs`: the call's events, for the inspector's samples.
pub async fn deliver<'a>(mut call: Call<'a>, inputs: &[&Node<'_>], settings: &Settings, env: &Env) -> Call<'a> {
    let pending = stats::planned(call.results(), inputs, settings);
    match queue::binding(env, queue::EVENTS) {
        Some(q) => {
            let messages = call.messages();
            let sent = queue::send_all(&q, messages.iter().map(|(_, text)| text.as_str())).await;
            for ((positions, _), ok) in messages.iter().zip(sent) {
                if !ok {
                    http::log("error", "not_enqueued", &[("events", positions.len().into())]);
                }
                call.enqueued(positions, ok);
            }
        }
        None => {
            let policy = InlinePolicy::new(settings.retry_budget_ms, settings.timeout_ms, settings.max_subrequests);
            let mut run = call.inline(policy, now_ms());
            drive(&mut run, &settings.secrets, settings).await;
            stats::record_run(call.settle(run), settings);
        }
    }
    stats::record_results(call.results(), pending);
    call
}

pub fn now_ms() -> i64 {
    Date::now().as_millis() as i64
}

/// Runs what `run` says: its fetches (each timeout starting when its fetch starts),
/// its waits, and hands back every answer with a jitter drawn here.
pub async fn drive(run: &mut impl Driven, secrets: &Secrets, settings: &Settings) {
    let mut in_flight = FuturesUnordered::new();
    loop {
        for (id, outgoing) in run.start(now_ms(), secrets) {
            let timeout_ms = settings.timeout_ms;
            in_flight.push(async move {
                let answer = tiktok::send(&outgoing, timeout_ms).await;
                (id, outgoing.destination, outgoing.events, answer)
            });
        }
        if run.is_done() && in_flight.is_empty() {
            return;
        }
        let wake = run.wake_at().map(|t| Delay::from(Duration::from_millis(t.saturating_sub(now_ms()).max(0) as u64)));
        let next = match (in_flight.is_empty(), wake) {
            // Nothing to wait for and nothing to start: the run cannot progress.
            (true, None) => return,
            (true, Some(delay)) => {
                delay.await;
                continue;
            }
            (false, None) => in_flight.next().await,
            (false, Some(delay)) => match select(in_flight.next(), Box::pin(delay)).await {
                Either::Left((next, _)) => next,
                Either::Right(((), _)) => continue,
            },
        };
        if let Some((id, destination, events, answer)) = next {
            let c = run.answer(id, answer.status, &answer.body, now_ms(), js_sys::Math::random());
            tiktok::log_answer(settings, &c, &[("destination", destination.into()), ("events", events.into())]);
        }
    }
}
