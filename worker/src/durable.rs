//! The fleet-wide store: one Durable Object (SQLite storage) that every isolate and the
//! queue consumer flush their buffered counts and sampled inspector entries to, and that
//! `/v1/stats` and the inspector read. workers-rs 0.8.7's `#[durable_object]` with
//! `State::storage().sql()` is enough for this, so the class is Rust like the rest.
//! Routes (internal, from the Worker only): `POST /flush`, `GET /stats?window=`,
//! `POST /events` (a [`Filter`]).

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::cell::RefCell;
use tiktok_edge::inspect::{
    self, minute_of, CountRow, CoverageRow, Flush, MatchKey, Report, Sampler, SamplingLimits, Tally, Window,
};
use worker::{durable_object, DurableObject, Env, Request, Response, Result, SqlStorage, SqlStorageValue, State};

/// The binding name (wrangler.toml `[[durable_objects.bindings]]`).
pub const BINDING: &str = "INSPECTOR";
/// The one object of the namespace: the whole fleet writes to it.
pub const OBJECT: &str = "fleet";

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS counts (minute INTEGER NOT NULL, destination TEXT NOT NULL, event TEXT NOT NULL,
       outcome TEXT NOT NULL, reason TEXT NOT NULL, n INTEGER NOT NULL,
       PRIMARY KEY (minute, destination, event, outcome, reason)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS coverage (minute INTEGER NOT NULL, destination TEXT NOT NULL, key TEXT NOT NULL,
       n INTEGER NOT NULL, PRIMARY KEY (minute, destination, key)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS entries (id INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL,
       destination TEXT NOT NULL, event TEXT NOT NULL, status TEXT NOT NULL, debug INTEGER NOT NULL, json TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS entries_at ON entries (at_ms)",
];

#[durable_object(fetch)]
pub struct Inspector {
    sql: SqlStorage,
    sampler: RefCell<Option<Sampler>>,
}

impl DurableObject for Inspector {
    fn new(state: State, _env: Env) -> Self {
        let sql = state.storage().sql();
        for statement in SCHEMA {
            if let Err(e) = sql.exec(statement, None) {
                crate::http::log("error", "inspector_schema", &[("detail", e.to_string().into())]);
            }
        }
        Inspector { sql, sampler: RefCell::new(None) }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        // The core's URL reading, not `Request::url()`: the `url` crate would add its IDNA tables.
        let url = req.inner().url();
        let query = |name: &str| tiktok_edge::url::query_param(&url, name).map(|v| v.into_owned());
        let now = worker::Date::now().as_millis() as i64;
        let path = tiktok_edge::url::parts(&url).map(|p| p.path).unwrap_or_default();
        match path {
            "/flush" => {
                let flush: Flush = req.json().await?;
                let limits = SamplingLimits {
                    per_event: query("per_event").and_then(|v| v.parse().ok()).unwrap_or(6),
                    debug: query("debug").and_then(|v| v.parse().ok()).unwrap_or(100),
                };
                self.store(&flush, limits, now)?;
                Response::empty()
            }
            "/stats" => {
                let window = Window::parse(query("window").as_deref()).unwrap_or(Window::Day);
                Response::from_json(&self.report(window, now)?)
            }
            "/events" => {
                let f: Filter = req.json().await?;
                let limit = f.limit.unwrap_or(50).clamp(1, 500);
                Response::from_json(&self.events(&f.destination, &f.status, &f.event, limit)?)
            }
            _ => Response::error("no such route", 404),
        }
    }
}

/// Which entries `POST /events` lists (empty: any).
#[derive(Default, Serialize, Deserialize)]
pub struct Filter {
    #[serde(default)]
    pub destination: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub event: String,
    pub limit: Option<i64>,
}

#[derive(Deserialize)]
struct CountSql {
    minute: i64,
    destination: String,
    event: String,
    outcome: String,
    reason: String,
    n: i64,
}

#[derive(Deserialize)]
struct CoverageSql {
    minute: i64,
    destination: String,
    key: String,
    n: i64,
}

#[derive(Deserialize)]
struct EntrySql {
    json: String,
}

#[derive(Serialize)]
struct Events {
    events: Vec<Box<RawValue>>,
}

impl Inspector {
    /// Adds a flush: counts summed into their minute, entries sampled fleet-wide, then
    /// what is past its retention deleted. All in one synchronous run (one transaction).
    fn store(&self, flush: &Flush, limits: SamplingLimits, now: i64) -> Result<()> {
        for c in &flush.counts {
            self.sql.exec(
                "INSERT INTO counts (minute, destination, event, outcome, reason, n) VALUES (?, ?, ?, ?, ?, ?)
                 ON CONFLICT (minute, destination, event, outcome, reason) DO UPDATE SET n = n + excluded.n",
                vec![
                    c.minute.into(),
                    c.destination.as_str().into(),
                    c.event.as_str().into(),
                    c.outcome.as_str().into(),
                    c.reason.as_str().into(),
                    int(c.n),
                ],
            )?;
        }
        for c in &flush.coverage {
            self.sql.exec(
                "INSERT INTO coverage (minute, destination, key, n) VALUES (?, ?, ?, ?)
                 ON CONFLICT (minute, destination, key) DO UPDATE SET n = n + excluded.n",
                vec![c.minute.into(), c.destination.as_str().into(), c.key.map_or("", |k| k.as_str()).into(), int(c.n)],
            )?;
        }
        let mut sampler = self.sampler.borrow_mut();
        let sampler = sampler.get_or_insert_with(|| Sampler::new(limits));
        for e in &flush.entries {
            if !sampler.admit(minute_of(e.at_ms), &e.destination, &e.event, e.debug) {
                continue;
            }
            self.sql.exec(
                "INSERT INTO entries (at_ms, destination, event, status, debug, json) VALUES (?, ?, ?, ?, ?, ?)",
                vec![
                    e.at_ms.into(),
                    e.destination.as_str().into(),
                    e.event.as_str().into(),
                    e.status.as_str().into(),
                    e.debug.into(),
                    e.json.as_str().into(),
                ],
            )?;
        }
        let oldest_minute = minute_of(now) - inspect::COUNTS_RETENTION_MINUTES;
        self.sql.exec("DELETE FROM counts WHERE minute < ?", vec![oldest_minute.into()])?;
        self.sql.exec("DELETE FROM coverage WHERE minute < ?", vec![oldest_minute.into()])?;
        self.sql.exec("DELETE FROM entries WHERE at_ms < ?", vec![(now - inspect::ENTRIES_RETENTION_MS).into()])?;
        self.sql.exec(
            "DELETE FROM entries WHERE id <= (SELECT MAX(id) FROM entries) - ?",
            vec![i64::from(inspect::MAX_ENTRIES).into()],
        )?;
        Ok(())
    }

    fn report(&self, window: Window, now: i64) -> Result<Report> {
        // Bound numbers arrive from JS as doubles (SQLite REAL): cast them, or the bucket
        // division is a float division and a minute reads as 29935350.999999996.
        let since = window.since_minute(now);
        let bucket = window.bucket_minutes();
        let counts: Vec<CountSql> = self
            .sql
            .exec(
                "SELECT (minute / CAST(? AS INTEGER)) * CAST(? AS INTEGER) AS minute, destination, event, outcome, reason,
                 SUM(n) AS n FROM counts
                 WHERE minute >= ? GROUP BY 1, 2, 3, 4, 5",
                vec![bucket.into(), bucket.into(), since.into()],
            )?
            .to_array()?;
        let coverage: Vec<CoverageSql> = self
            .sql
            .exec(
                "SELECT (minute / CAST(? AS INTEGER)) * CAST(? AS INTEGER) AS minute, destination, key, SUM(n) AS n FROM coverage
                 WHERE minute >= ? GROUP BY 1, 2, 3",
                vec![bucket.into(), bucket.into(), since.into()],
            )?
            .to_array()?;
        let counts: Vec<CountRow> = counts
            .into_iter()
            .filter_map(|c| {
                Some(CountRow {
                    minute: c.minute,
                    destination: c.destination,
                    event: c.event,
                    outcome: Tally::from_name(&c.outcome)?,
                    reason: c.reason,
                    n: u64::try_from(c.n).unwrap_or(0),
                })
            })
            .collect();
        let coverage: Vec<CoverageRow> = coverage
            .into_iter()
            .filter_map(|c| {
                let key = match c.key.as_str() {
                    "" => None,
                    k => Some(MatchKey::from_name(k)?),
                };
                Some(CoverageRow {
                    minute: c.minute,
                    destination: c.destination,
                    key,
                    n: u64::try_from(c.n).unwrap_or(0),
                })
            })
            .collect();
        Ok(Report::build(window, now, &counts, &coverage))
    }

    fn events(&self, destination: &str, status: &str, event: &str, limit: i64) -> Result<Events> {
        let rows: Vec<EntrySql> = self
            .sql
            .exec(
                "SELECT json FROM entries WHERE (? = '' OR destination = ?) AND (? = '' OR status = ?)
                 AND (? = '' OR event = ?) ORDER BY id DESC LIMIT ?",
                vec![
                    destination.into(),
                    destination.into(),
                    status.into(),
                    status.into(),
                    event.into(),
                    event.into(),
                    limit.into(),
                ],
            )?
            .to_array()?;
        Ok(Events { events: rows.into_iter().filter_map(|r| RawValue::from_string(r.json).ok()).collect() })
    }
}

/// Counts fit an i64 (SQLite's integer).
fn int(n: u64) -> SqlStorageValue {
    i64::try_from(n).unwrap_or(i64::MAX).into()
}
