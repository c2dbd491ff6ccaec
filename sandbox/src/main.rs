//! tiktok-sandbox: a local stand-in for TikTok's Business API (spec tiktok-api.md 2.11).
//!
//! ```text
//! tiktok-sandbox [--port 9400] [--token TOKEN[=ID,ID...]]... [--strict]
//!                [--order-sync-path /order_sync/] [--order-statuses A,B,...]
//! ```
//! API routes: `POST /open_api/v1.3/event/track/`, `POST /open_api/v1.3/offline/track/`,
//! `POST <order-sync-path>`. Admin: `GET /sandbox/received`, `GET /sandbox/stats`,
//! `POST /sandbox/reset`, `POST /sandbox/faults`. Prints `listening on http://127.0.0.1:PORT`.
//! `--help` prints [`HELP`].

mod event_faults;
mod http;
mod store;
mod validate;

use event_faults::{EventRef, Verdict};
use serde_json::{json, Value};
use std::net::TcpListener;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use store::{Fault, Store};

const EVENT_TRACK: &str = "/open_api/v1.3/event/track/";
const OFFLINE_TRACK: &str = "/open_api/v1.3/offline/track/";
const BAD_GATEWAY: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

const HELP: &str = r#"tiktok-sandbox: a local stand-in for TikTok's Business API

usage: tiktok-sandbox [--port 9400] [--token TOKEN[=ID,ID...]]... [--strict]
                      [--order-sync-path /order_sync/] [--order-statuses A,B,...]

API:   POST /open_api/v1.3/event/track/, POST /open_api/v1.3/offline/track/, POST <order-sync-path>
Admin: GET /sandbox/received, GET /sandbox/stats, POST /sandbox/reset, POST /sandbox/faults

POST /sandbox/faults replaces every fault ({} clears them):
  {"next": [fault, ...]}                 faults for the next requests, in order
  {"rate": 0.2, "kinds": [fault, ...], "seed": 7}   random faults (repeatable for a seed)
    fault: {"kind": "http500"} | {"kind": "http502"} | {"kind": "code", "code": 40100}
         | {"kind": "slow", "delay_ms": 3000}
  {"poison": {"event_id_prefix": "BAD_"}}
    a request holding a matching event is rejected whole: 40002 "Invalid value for data.N.event_id: ..."
  {"partial": {"event_id_prefix": "PART_", "listed": false}}
    matching events are not kept, the others are; code 20001 (listed: data.failed_events
    [{index, event_id, code, message}]); nothing left to keep: 40002 naming the first match
  All keys compose; next/rate faults come first, poison wins over partial.
"#;

struct Options {
    port: u16,
    /// token -> the event_source_ids it may write (None: all).
    tokens: Vec<(String, Option<Vec<String>>)>,
    strict: bool,
    order_sync_path: String,
    order_statuses: Vec<String>,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        port: 9400,
        tokens: Vec::new(),
        strict: false,
        order_sync_path: "/order_sync/".into(),
        order_statuses: ["CREATE_ORDER", "PAY_ORDER", "CANCEL_ORDER", "COMPLETE_ORDER", "REFUND_ORDER"]
            .map(String::from)
            .into(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--port" => o.port = value()?.parse().map_err(|_| "--port takes a number")?,
            "--token" => {
                let v = value()?;
                o.tokens.push(match v.split_once('=') {
                    Some((t, ids)) => (t.to_owned(), Some(ids.split(',').map(str::to_owned).collect())),
                    None => (v, None),
                });
            }
            "--strict" => o.strict = true,
            "--help" | "-h" => {
                print!("{HELP}");
                std::process::exit(0);
            }
            "--order-sync-path" => o.order_sync_path = value()?,
            "--order-statuses" => o.order_statuses = value()?.split(',').map(str::to_owned).collect(),
            other => return Err(format!("unknown option {other}")),
        }
    }
    if o.tokens.is_empty() {
        o.tokens.push(("sandbox-token".into(), None));
    }
    Ok(o)
}

fn main() {
    let options = match options() {
        Ok(o) => Arc::new(o),
        Err(e) => {
            eprintln!("tiktok-sandbox: {e}");
            std::process::exit(2);
        }
    };
    let listener = match TcpListener::bind(("127.0.0.1", options.port)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("tiktok-sandbox: cannot listen on 127.0.0.1:{}: {e}", options.port);
            std::process::exit(1);
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(options.port);
    println!("listening on http://127.0.0.1:{port}");
    let store = Arc::new(Mutex::new(Store::default()));
    for stream in listener.incoming().flatten() {
        let (store, options) = (store.clone(), options.clone());
        std::thread::spawn(move || {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
            match http::read(&stream) {
                Ok(req) => {
                    let (status, content_type, body) = route(&req, &store, &options);
                    http::write(&stream, status, content_type, &body);
                }
                Err(e) => http::write(&stream, 400, "text/plain", &e),
            }
        });
    }
}

fn lock(store: &Mutex<Store>) -> MutexGuard<'_, Store> {
    // A panicked handler thread must not take the sandbox down with it.
    store.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

type Answer = (u16, &'static str, String);

fn answer(status: u16, body: &Value) -> Answer {
    (status, "application/json", body.to_string())
}

fn route(req: &http::Request, store: &Mutex<Store>, o: &Options) -> Answer {
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/sandbox/received") => {
            let s = lock(store);
            answer(200, &json!({"events": s.records, "stats": s.stats()}))
        }
        ("GET", "/sandbox/stats") => answer(200, &lock(store).stats()),
        ("POST", "/sandbox/reset") => {
            lock(store).reset();
            answer(200, &json!({"ok": true}))
        }
        ("POST", "/sandbox/faults") => match serde_json::from_str::<Value>(&req.body).map_err(|e| e.to_string()) {
            Ok(v) => match lock(store).set_faults(&v) {
                Ok(()) => answer(200, &json!({"ok": true})),
                Err(e) => answer(400, &json!({"error": e})),
            },
            Err(e) => answer(400, &json!({"error": e})),
        },
        ("POST", path) if path == EVENT_TRACK || path == OFFLINE_TRACK || path == o.order_sync_path => {
            api(req, store, o)
        }
        (_, path) if path.starts_with("/open_api/") => tiktok(store, 40400, "Route not found", None),
        _ => (404, "text/plain", "not found".into()),
    }
}

/// A TikTok envelope; `data` only on success, as TikTok's error bodies omit it.
fn tiktok(store: &Mutex<Store>, code: i64, message: &str, data: Option<Value>) -> Answer {
    let mut s = lock(store);
    if code == 0 || code == 20001 {
        s.accepted_requests += 1;
    } else {
        s.rejected_requests += 1;
    }
    let mut body = json!({"code": code, "message": message, "request_id": s.request_id()});
    if let (Some(d), Value::Object(m)) = (data, &mut body) {
        m.insert("data".into(), d);
    }
    answer(200, &body)
}

fn api(req: &http::Request, store: &Mutex<Store>, o: &Options) -> Answer {
    let fault = {
        let mut s = lock(store);
        s.requests += 1;
        s.take_fault()
    };
    match fault {
        Some(Fault::Http500) => return (500, "text/plain", "Internal Server Error".into()),
        Some(Fault::Http502) => return (502, "text/html", BAD_GATEWAY.into()),
        Some(Fault::Code(code)) if code != 20001 => return tiktok(store, code, fault_message(code), None),
        Some(Fault::Slow(ms)) => std::thread::sleep(Duration::from_millis(ms)),
        _ => {}
    }
    let Some(token) = req.header("access-token").filter(|t| !t.is_empty()) else {
        return tiktok(store, 40104, "The access token is empty.", None);
    };
    let Some((_, scope)) = o.tokens.iter().find(|(t, _)| t == token) else {
        return tiktok(store, 40105, "Access token is incorrect or has been revoked.", None);
    };
    let body: Value = match serde_json::from_str(&req.body) {
        Ok(v @ Value::Object(_)) => v,
        _ => return tiktok(store, 40002, "Invalid request body: not a JSON object.", None),
    };
    let id_field = if req.path == OFFLINE_TRACK { "event_set_id" } else { "event_source_id" };
    if let (Some(ids), Some(id)) = (scope, body.get(id_field).and_then(Value::as_str)) {
        if !ids.iter().any(|i| i == id) {
            let message = format!("No permission to operate pixel code: {id}. You must be an admin or operator of this advertiser account.");
            return tiktok(store, 40001, &message, None);
        }
    }
    let checked = if req.path == EVENT_TRACK {
        validate::event_track(&body, o.strict)
    } else if req.path == OFFLINE_TRACK {
        validate::offline_track(&body, o.strict)
    } else {
        validate::order_sync(&body, &o.order_statuses)
    };
    if let Err((code, message)) = checked {
        return tiktok(store, code, &message, None);
    }
    let refs = events(&req.path, &body);
    let verdict = lock(store).event_faults.judge(&refs);
    let all = u64::try_from(refs.len()).unwrap_or(u64::MAX);
    let body = match verdict {
        Verdict::Accept => body,
        Verdict::Poisoned((code, message)) => {
            lock(store).poisoned_requests += 1;
            return tiktok(store, code, &message, None);
        }
        Verdict::NothingKept((code, message)) => {
            lock(store).partial_dropped_events += all;
            return tiktok(store, code, &message, None);
        }
        Verdict::Partial { keep, data } => {
            {
                let mut s = lock(store);
                s.partial_requests += 1;
                s.partial_dropped_events += all - u64::try_from(keep.len()).unwrap_or(0);
            }
            record(&req.path, &kept_only(&body, &keep), &mut lock(store));
            return tiktok(store, 20001, "Partial success.", Some(data));
        }
    };
    record(&req.path, &body, &mut lock(store));
    match fault {
        Some(Fault::Code(20001)) => tiktok(store, 20001, "Partial success.", Some(json!({}))),
        _ => tiktok(store, 0, "OK", Some(json!({}))),
    }
}

/// The events of a body, for the event faults: `data` items of event/track, the body
/// itself for offline/track (one event), none for order sync (no event_id).
fn events<'a>(path: &str, body: &'a Value) -> Vec<EventRef<'a>> {
    let id = |v: &'a Value| v.get("event_id").and_then(Value::as_str);
    if path == EVENT_TRACK {
        let data = body.get("data").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
        data.iter().enumerate().map(|(i, item)| EventRef { path: format!("data.{i}"), event_id: id(item) }).collect()
    } else if path == OFFLINE_TRACK {
        vec![EventRef { path: String::new(), event_id: id(body) }]
    } else {
        Vec::new()
    }
}

/// The body with only the `data` items at `keep` (sorted; what TikTok kept of a partial success).
fn kept_only(body: &Value, keep: &[usize]) -> Value {
    let mut kept = body.clone();
    if let Some(Value::Array(data)) = kept.get_mut("data") {
        let all = std::mem::take(data);
        *data =
            all.into_iter().enumerate().filter(|(i, _)| keep.binary_search(i).is_ok()).map(|(_, item)| item).collect();
    }
    kept
}

fn fault_message(code: i64) -> &'static str {
    match code {
        40100 => "Too many requests. Please retry in some time.",
        50000 => "System error.",
        50002 => "System timeout.",
        _ => "Injected fault.",
    }
}

/// Stores what TikTok would keep, one record per event, deduplicated like TikTok.
fn record(path: &str, body: &Value, s: &mut Store) {
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    if path == EVENT_TRACK {
        let (source, source_id) = (text(body, "event_source"), text(body, "event_source_id"));
        let test_event_code = text(body, "test_event_code");
        for item in body.get("data").and_then(Value::as_array).into_iter().flatten() {
            let (event, event_id) = (text(item, "event"), text(item, "event_id"));
            let key = event_id
                .as_ref()
                .map(|id| format!("{}|{}|{id}", source_id.as_deref().unwrap_or(""), event.as_deref().unwrap_or("")));
            s.record(key, json!({"endpoint": "event/track", "event_source": source, "event_source_id": source_id,
                                 "test_event_code": test_event_code, "event": event, "event_id": event_id, "data": item}));
        }
    } else if path == OFFLINE_TRACK {
        let (set, event, event_id) = (text(body, "event_set_id"), text(body, "event"), text(body, "event_id"));
        let key = event_id
            .as_ref()
            .map(|id| format!("{}|{}|{id}", set.as_deref().unwrap_or(""), event.as_deref().unwrap_or("")));
        s.record(key, json!({"endpoint": "offline/track", "event_set_id": set, "event": event, "event_id": event_id, "data": body}));
    } else {
        let info = body.get("order_info").cloned().unwrap_or(Value::Null);
        s.record(
            None,
            json!({"endpoint": "order_sync", "order_id": text(&info, "order_id"),
                              "order_status": text(&info, "order_status"), "data": body}),
        );
    }
}
