//! What the sandbox remembers: accepted events (for tests and people to look at),
//! TikTok's dedup keys, counters, and the faults it was asked to inject.

use crate::event_faults::EventFaults;
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::time::{SystemTime, UNIX_EPOCH};

/// Keys of a `POST /sandbox/faults` document.
const FAULT_KEYS: &[&str] = &["next", "rate", "kinds", "seed", "poison", "partial"];
/// TikTok drops an (event_source_id, event, event_id) seen in the last 48 h.
const DEDUP_WINDOW_SECS: u64 = 48 * 3600;

/// One injected failure.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// HTTP 500 with a text body.
    Http500,
    /// HTTP 502 with an nginx HTML page (not JSON).
    Http502,
    /// HTTP 200 with this body code (40100 rate limit, 50002 timeout, 20001 partial, ...).
    Code(i64),
    /// Answer after this many ms (the request is still processed).
    Slow(u64),
}

impl Fault {
    pub fn parse(v: &Value) -> Option<Fault> {
        match v.get("kind")?.as_str()? {
            "http500" => Some(Fault::Http500),
            "http502" => Some(Fault::Http502),
            "code" => Some(Fault::Code(v.get("code")?.as_i64()?)),
            "slow" => Some(Fault::Slow(v.get("delay_ms")?.as_u64()?)),
            _ => None,
        }
    }
}

#[derive(Default)]
pub struct Store {
    pub records: Vec<Value>,
    seen: HashMap<String, u64>,
    pub requests: u64,
    pub accepted_requests: u64,
    pub rejected_requests: u64,
    pub duplicates: u64,
    pub faults_injected: u64,
    /// Requests rejected by the poison fault, answered 20001 by the partial fault, and the
    /// events that fault did not keep.
    pub poisoned_requests: u64,
    pub partial_requests: u64,
    pub partial_dropped_events: u64,
    /// The poison and partial faults (about events, not requests).
    pub event_faults: EventFaults,
    next: VecDeque<Fault>,
    rate: f64,
    kinds: Vec<Fault>,
    rng: u64,
    counter: u64,
}

impl Store {
    pub fn reset(&mut self) {
        *self = Store::default();
    }

    /// `{"next": [fault...], "rate": 0.2, "kinds": [fault...], "seed": 7, "poison": {...},
    /// "partial": {...}}`; replaces every fault set before (`{}` turns them all off).
    pub fn set_faults(&mut self, v: &Value) -> Result<(), String> {
        let Value::Object(map) = v else { return Err("the faults document must be an object".into()) };
        if let Some(k) = map.keys().find(|k| !FAULT_KEYS.contains(&k.as_str())) {
            return Err(format!("{k}: unknown key; supported: {}", FAULT_KEYS.join(", ")));
        }
        let list = |k: &str| -> Result<Vec<Fault>, String> {
            v.get(k).and_then(Value::as_array).map_or(Ok(Vec::new()), |a| {
                a.iter().map(|f| Fault::parse(f).ok_or_else(|| format!("bad fault in {k}: {f}"))).collect()
            })
        };
        // Parse everything first: a bad document changes nothing.
        let (next, kinds, event_faults) = (list("next")?, list("kinds")?, EventFaults::parse(v)?);
        self.next = next.into();
        self.kinds = kinds;
        self.event_faults = event_faults;
        self.rate = v.get("rate").and_then(Value::as_f64).unwrap_or(0.0).clamp(0.0, 1.0);
        self.rng = v.get("seed").and_then(Value::as_u64).unwrap_or(0x9E37_79B9_7F4A_7C15) | 1;
        Ok(())
    }

    /// The fault for the next API request, if any: queued ones first, then by rate.
    pub fn take_fault(&mut self) -> Option<Fault> {
        let fault = self.next.pop_front().or_else(|| {
            if self.rate <= 0.0 || self.kinds.is_empty() {
                return None;
            }
            // xorshift64: deterministic for a given seed, so fault runs are repeatable.
            self.rng ^= self.rng << 13;
            self.rng ^= self.rng >> 7;
            self.rng ^= self.rng << 17;
            let roll = (self.rng % 1_000_000) as f64 / 1_000_000.0;
            if roll >= self.rate {
                return None;
            }
            let i = usize::try_from(self.rng / 1_000_000).unwrap_or(0) % self.kinds.len();
            self.kinds.get(i).cloned()
        });
        if fault.is_some() {
            self.faults_injected += 1;
        }
        fault
    }

    /// Records an accepted item unless its dedup key was seen in the window.
    pub fn record(&mut self, key: Option<String>, record: Value) {
        let now = now_secs();
        if let Some(k) = key {
            if self.seen.get(&k).is_some_and(|t| now.saturating_sub(*t) < DEDUP_WINDOW_SECS) {
                self.duplicates += 1;
                return;
            }
            self.seen.insert(k, now);
        }
        self.records.push(record);
    }

    /// A TikTok-shaped request id: UTC `YYYYMMDDHHMMSS` + 20 uppercase hex chars.
    pub fn request_id(&mut self) -> String {
        self.counter += 1;
        let secs = now_secs();
        let ms = i64::try_from(secs).unwrap_or(0).saturating_mul(1000);
        let stamp: String =
            tiktok_edge::time::format_iso8601(ms).chars().filter(char::is_ascii_digit).take(14).collect();
        let mix = self.counter.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ secs;
        format!("{stamp}{mix:016X}{:04X}", self.counter % 0x10000)
    }

    pub fn stats(&self) -> Value {
        json!({"requests": self.requests, "accepted_requests": self.accepted_requests,
               "rejected_requests": self.rejected_requests, "events": self.records.len(),
               "duplicates": self.duplicates, "faults_injected": self.faults_injected,
               "poisoned_requests": self.poisoned_requests, "partial_requests": self.partial_requests,
               "partial_dropped_events": self.partial_dropped_events})
    }
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}
