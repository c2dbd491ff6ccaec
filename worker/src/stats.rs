//! Delivery counts and inspector samples, buffered per isolate and flushed to the
//! Durable Object (durable.rs) at most every `STATS_FLUSH_SECONDS`, in the background
//! (`ctx.wait_until`): never one write per event, never in a response's way. A flush
//! that fails is retried once, then its counts go back into the buffer for the next
//! flush (its samples are dropped) and the failure is counted and logged.
//! `GET /v1/stats?window=1h|24h|30d` answers from the object: fleet-wide.

use crate::config::{LogLevel, Settings};
use crate::durable::{BINDING, OBJECT};
use crate::http;
use serde_json::Value;
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;
use tiktok_edge::delivery::{RunStats, Settlement};
use tiktok_edge::inspect::entry::{input_event_id, is_debug, sample_name};
use tiktok_edge::inspect::{minute_of, Counts, Entry, Flush, FlushEntry, Sampler, Window};
use tiktok_edge::node::Node;
use tiktok_edge::{DestinationResult, Outcome};
use worker::{Date, Delay, Env, Method, Request, RequestInit, Response, Result, Stub};

/// Samples an isolate holds at most between flushes (the rest wait for the next minute).
const MAX_BUFFERED_ENTRIES: usize = 500;

#[derive(Default)]
struct Buffer {
    counts: Counts,
    entries: Vec<FlushEntry>,
    sampler: Option<Sampler>,
    last_flush_ms: i64,
    scheduled: bool,
    failed_flushes: u64,
}

thread_local! {
    static BUFFER: RefCell<Buffer> = RefCell::new(Buffer::default());
}

fn now_ms() -> i64 {
    Date::now().as_millis() as i64
}

/// Sampled entries of a call, by report position, waiting for their final reports.
#[derive(Default)]
pub struct Pending {
    entries: Vec<(usize, Entry)>,
}

/// Before delivery: the match keys of the planned requests are counted, skips, errors
/// and warnings logged (codes and event ids only), and, with the inspector on, sampled
/// events become entries. `inputs` are the call's events (an entry's `index`, else 0).
pub fn planned(results: &[DestinationResult<'_>], inputs: &[&Node<'_>], settings: &Settings) -> Pending {
    let now = now_ms();
    let minute = minute_of(now);
    let mut pending = Pending::default();
    BUFFER.with(|b| {
        let mut b = b.borrow_mut();
        b.counts.add_planned(minute, results);
        let inspect = settings.inspector_token.is_some();
        let room = MAX_BUFFERED_ENTRIES.saturating_sub(b.entries.len());
        let sampler = b.sampler.get_or_insert_with(|| Sampler::new(settings.sampling));
        for (pos, r) in results.iter().enumerate() {
            let Some(input) = inputs.get(r.index.unwrap_or(0)) else { continue };
            log_findings(input, r, settings.log_level);
            if inspect
                && pending.entries.len() < room
                && sampler.admit(minute, &r.destination, sample_name(input, r), is_debug(input, r))
            {
                pending.entries.push((pos, Entry::planned(input, r, now)));
            }
        }
    });
    pending
}

/// Skips at `info`, event errors and warnings at `warn` (LOG_LEVEL), without content.
fn log_findings(input: &Node<'_>, r: &DestinationResult<'_>, level: LogLevel) {
    let id = input_event_id(input).unwrap_or_default();
    let base =
        || -> Vec<(&str, Value)> { vec![("destination", r.destination.to_string().into()), ("event_id", id.into())] };
    match &r.outcome {
        Outcome::Skipped { .. } if level <= LogLevel::Info => {
            let reason = tiktok_edge::inspect::counts::tally_of(&r.outcome).map_or("", |(_, reason)| reason);
            let mut f = base();
            f.push(("reason", reason.into()));
            http::log("info", "skipped", &f);
        }
        Outcome::Error { error } if level <= LogLevel::Warn => {
            let mut f = base();
            f.push(("code", error.code().into()));
            f.push(("path", error.path().into()));
            http::log("warn", "event_error", &f);
        }
        _ => {}
    }
    if !r.warnings.is_empty() && level <= LogLevel::Warn {
        let mut f = base();
        f.push(("codes", r.warnings.iter().map(|w| w.code).collect::<Vec<_>>().into()));
        f.push(("paths", r.warnings.iter().map(|w| w.path.clone()).collect::<Vec<_>>().into()));
        http::log("warn", "warnings", &f);
    }
}

/// The final reports of a call (and its sampled entries, completed).
pub fn record_results(results: &[DestinationResult<'_>], pending: Pending) {
    let minute = minute_of(now_ms());
    BUFFER.with(|b| {
        let mut b = b.borrow_mut();
        b.counts.add_results(minute, results);
        for (pos, mut entry) in pending.entries {
            if let Some(r) = results.get(pos) {
                entry.finish(r);
            }
            b.entries.push(entry.to_flush());
        }
    });
}

/// A settlement of the queue consumer, as performed (`sent`: its queue sends worked).
/// The TikTok requests of an inline run or a consumer invocation: one log line (the
/// fleet report counts events; how many requests isolating refused events cost is here).
pub fn record_run(run: RunStats, settings: &Settings) {
    if run.requests == 0 || settings.log_level > LogLevel::Info {
        return;
    }
    let fields = [
        ("requests", run.requests.into()),
        ("retries", run.retries.into()),
        ("split_requests", run.split_requests.into()),
    ];
    http::log("info", "tiktok_requests", &fields);
}

pub fn record_settlement(s: &Settlement, sent: bool) {
    let minute = minute_of(now_ms());
    BUFFER.with(|b| b.borrow_mut().counts.add_settlement(minute, s, sent));
}

/// A flush to run in the background (`ctx.wait_until`) when something is buffered and
/// no flush is scheduled yet; it waits until `STATS_FLUSH_SECONDS` after the last one.
/// Without the Durable Object binding the buffer is dropped (nothing can store it).
pub fn due_flush(env: &Env, settings: &Rc<Settings>) -> Option<impl Future<Output = ()> + 'static> {
    let bound = env.durable_object(BINDING).is_ok();
    let wait_ms = BUFFER.with(|b| {
        let mut b = b.borrow_mut();
        if !bound {
            b.counts.take();
            b.entries.clear();
            return None;
        }
        if b.scheduled || (b.counts.is_empty() && b.entries.is_empty()) {
            return None;
        }
        b.scheduled = true;
        Some((b.last_flush_ms + i64::from(settings.stats_flush_s) * 1000 - now_ms()).max(0))
    })?;
    let (env, settings) = (env.clone(), settings.clone());
    Some(async move {
        if wait_ms > 0 {
            Delay::from(Duration::from_millis(wait_ms as u64)).await;
        }
        flush(&env, &settings).await;
    })
}

async fn flush(env: &Env, settings: &Settings) {
    let flush = BUFFER.with(|b| {
        let mut b = b.borrow_mut();
        b.scheduled = false;
        b.last_flush_ms = now_ms();
        let (counts, coverage) = b.counts.take();
        Flush { counts, coverage, entries: std::mem::take(&mut b.entries) }
    });
    if flush.is_empty() {
        return;
    }
    let Ok(text) = serde_json::to_string(&flush) else { return };
    let path = format!("/flush?per_event={}&debug={}", settings.sampling.per_event, settings.sampling.debug);
    let mut result = send(env, Method::Post, &path, Some(&text)).await;
    if result.is_err() {
        Delay::from(Duration::from_millis(500)).await;
        result = send(env, Method::Post, &path, Some(&text)).await;
    }
    if let Err(e) = result {
        let failed = BUFFER.with(|b| {
            let mut b = b.borrow_mut();
            b.counts.restore(&flush);
            b.failed_flushes += 1;
            b.failed_flushes
        });
        let fields = [
            ("detail", e.to_string().into()),
            ("failed_flushes", failed.into()),
            ("entries_dropped", flush.entries.len().into()),
        ];
        http::log("error", "stats_flush_failed", &fields);
    }
}

fn stub(env: &Env) -> Result<Stub> {
    env.durable_object(BINDING)?.id_from_name(OBJECT)?.get_stub()
}

/// A request to the Durable Object; Err unless it answered 2xx.
pub async fn send(env: &Env, method: Method, path: &str, body: Option<&str>) -> Result<Response> {
    let mut init = RequestInit::new();
    init.with_method(method);
    if let Some(body) = body {
        init.with_body(Some(body.into()));
    }
    let req = Request::new_with_init(&format!("https://inspector{path}"), &init)?;
    let resp = stub(env)?.fetch_with_request(req).await?;
    match resp.status_code() {
        200..=299 => Ok(resp),
        s => Err(worker::Error::RustError(format!("the inspector object answered {s}"))),
    }
}

/// `GET /v1/stats?window=1h|24h|30d` (and the inspector's copy of it).
pub async fn respond(req: &Request, env: &Env) -> Result<Response> {
    let url = req.inner().url();
    let window = tiktok_edge::url::query_param(&url, "window");
    let window = match Window::parse(window.as_deref()) {
        Ok(w) => w,
        Err(message) => return http::error(400, "invalid_window", &message, "window"),
    };
    if env.durable_object(BINDING).is_err() {
        let message = "the INSPECTOR Durable Object is not bound (wrangler.toml [[durable_objects.bindings]])";
        return http::error(503, "no_stats_store", message, "");
    }
    match send(env, Method::Get, &format!("/stats?window={}", window.as_str()), None).await {
        Ok(mut resp) => {
            let text = resp.text().await?;
            let headers = worker::Headers::new();
            headers.set("Content-Type", "application/json")?;
            headers.set("Cache-Control", "no-store")?;
            Ok(Response::ok(text)?.with_headers(headers))
        }
        Err(e) => {
            http::log("error", "stats_read_failed", &[("detail", e.to_string().into())]);
            http::error(503, "stats_unavailable", "the delivery report could not be read; try again", "")
        }
    }
}
