//! The queue consumer: a batch of messages in, the core's `Consumer` run driven, then
//! every settlement performed (sends to the events and dead-letter queues, then ack or
//! retry). Never throws: a failure here would make Cloudflare redeliver the batch.

use crate::config::{LogLevel, Settings};
use crate::{deliver, http, queue, stats};
use js_sys::{Array, Reflect};
use std::rc::Rc;
use tiktok_edge::delivery::{Consumer, ConsumerPolicy, Outbound, Settle};
use wasm_bindgen::{JsCast, JsValue};
use worker::{Context, Env};

pub async fn consume(batch: &JsValue, env: &Env, settings: &Rc<Settings>, ctx: &Context) {
    let messages: Vec<JsValue> = Reflect::get(batch, &"messages".into())
        .ok()
        .and_then(|m| m.dyn_into::<Array>().ok())
        .map_or(vec![], |a| a.to_vec());
    let Ok(config) = settings.config.as_ref() else {
        // Nothing can be sent or judged with an invalid config: keep every message.
        http::log("error", "queue_invalid_config", &[("messages", messages.len().into())]);
        for m in &messages {
            queue::settle(m, Some(settings.queue_policy.max_delay_s));
        }
        return;
    };
    let bodies: Vec<String> = messages.iter().map(queue::body_text).collect();
    let attempts: Vec<u32> = messages
        .iter()
        .map(|m| Reflect::get(m, &"attempts".into()).ok().and_then(|a| a.as_f64()).map_or(1, |a| a.max(1.0) as u32))
        .collect();
    let q = &settings.queue_policy;
    let policy = ConsumerPolicy::new(q.max_attempts, q.base_delay_s, q.max_delay_s, settings.max_subrequests);
    let mut run = Consumer::new(&bodies, &attempts, config, policy);
    deliver::drive(&mut run, &settings.secrets, settings).await;

    let events_queue = queue::binding(env, queue::EVENTS);
    let dead_letters = queue::binding(env, queue::DEAD_LETTERS);
    let (settlements, requests) = run.settlements();
    stats::record_run(requests, settings);
    for s in settlements {
        let mut sent = true;
        for out in &s.send {
            sent &= match out {
                Outbound::Requeue(text) => queue::send(events_queue.as_ref(), text).await,
                Outbound::DeadLetter(text) => queue::send(dead_letters.as_ref(), text).await,
            };
        }
        let settle = if sent { s.then } else { s.otherwise };
        let delay = match settle {
            Settle::Ack => None,
            Settle::Retry { delay_s } => Some(delay_s),
        };
        let mut settled = true;
        for m in s.messages.iter().filter_map(|i| messages.get(*i)) {
            settled &= queue::settle(m, delay);
        }
        for d in &s.dead {
            let fields = [
                ("destination", s.destination.clone().into()),
                ("reason", d.reason.as_str().into()),
                ("code", d.code.into()),
                ("attempts", d.attempts.into()),
                ("event_ids", d.event_ids.clone().into()),
                ("dead_lettered", sent.into()),
            ];
            if settings.log_level <= LogLevel::Warn || !sent {
                http::log("warn", "dead_letter", &fields);
            }
        }
        if !sent || !settled {
            let fields = [
                ("destination", s.destination.clone().into()),
                ("messages", s.messages.len().into()),
                ("queue_send_failed", (!sent).into()),
                ("settle_failed", (!settled).into()),
            ];
            http::log("error", "queue_settle", &fields);
        }
        stats::record_settlement(&s, sent);
    }
    if let Some(flush) = stats::due_flush(env, settings) {
        ctx.wait_until(flush);
    }
}
