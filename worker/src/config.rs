//! The only code that reads `Env`: vars and secrets become the core's `Config`
//! and `Secrets`, plus the Worker's own HTTP settings. Bindings are fixed for
//! the life of an isolate (a new deployment or secret starts new isolates), so
//! they are read and parsed once per isolate, not per request.

use serde_json::Value;
use std::cell::RefCell;
use std::rc::Rc;
use tiktok_edge::site::{CookiePolicy, ProxyMode};
use tiktok_edge::{Config, ConfigErrors, Error, Secrets};
use worker::Env;

/// Default body limit: 1 MiB (a batch of 1,000 typical events fits; a 2 MB body does not).
const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// Default time to wait for TikTok before a request counts as timed out.
const DEFAULT_TIMEOUT_MS: u64 = 10_000;
/// Default time `/v1/events` may spend retrying transient failures inline.
const DEFAULT_RETRY_BUDGET_MS: u64 = 3_000;

/// Everything a request needs from the environment.
pub struct Settings {
    /// The parsed destinations, or every problem with its path.
    pub config: Result<Config, ConfigErrors>,
    pub ingest_token: Option<String>,
    pub allowed_origins: Vec<String>,
    pub max_body_bytes: usize,
    pub timeout_ms: u64,
    /// How long `/v1/events` may keep retrying transient TikTok failures (`RETRY_BUDGET_MS`).
    pub retry_budget_ms: u64,
    /// `LOG_LEVEL`: `info` logs every TikTok request, `warn` only failed ones, `off` none.
    pub log_level: LogLevel,
    /// The tokens the destinations name (missing ones stay missing: the core
    /// reports `missing_secret` for the destinations that need them).
    pub secrets: Secrets,
    /// Proxy mode: `PROXY=off`, or `PROXY_ORIGIN`, else automatic on routes.
    pub proxy: ProxyMode,
    /// Prefix of the event API on the site (`API_PREFIX`, e.g. `/_tt`); empty by default.
    pub api_prefix: String,
    pub cookie_policy: CookiePolicy,
    /// Send a server-side page_view for HTML navigations (`AUTO_PAGE_VIEW=true`).
    pub auto_page_view: bool,
    /// Queue consumer retries: `QUEUE_MAX_ATTEMPTS`, `QUEUE_RETRY_BASE_SECONDS`, `QUEUE_MAX_DELAY_SECONDS`.
    pub queue_policy: RetryPolicy,
    /// TikTok fetches one invocation may make (`MAX_SUBREQUESTS`).
    pub max_subrequests: u32,
}

/// Queue consumer retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Deliveries of a message before it is dead-lettered.
    pub max_attempts: u32,
    /// First backoff step; doubles per attempt.
    pub base_delay_s: u32,
    /// Cap of any delay, including TikTok's suggested ones.
    pub max_delay_s: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    Info,
    Warn,
    Off,
}

thread_local! {
    static SETTINGS: RefCell<Option<Rc<Settings>>> = const { RefCell::new(None) };
}

/// The isolate's settings, read from `env` on first use.
pub fn load(env: &Env) -> Rc<Settings> {
    if let Some(s) = SETTINGS.with(|c| c.borrow().clone()) {
        return s;
    }
    let settings = Rc::new(read(env));
    SETTINGS.with(|c| *c.borrow_mut() = Some(settings.clone()));
    settings
}

fn read(env: &Env) -> Settings {
    let config = destinations(env);
    let secrets = match &config {
        Ok(c) => secrets(env, c),
        Err(_) => Secrets::new(),
    };
    Settings {
        config,
        secrets,
        ingest_token: text(env, "INGEST_TOKEN"),
        allowed_origins: text(env, "ALLOWED_ORIGINS")
            .map(|s| {
                s.split(',').map(|o| o.trim().trim_end_matches('/').to_owned()).filter(|o| !o.is_empty()).collect()
            })
            .unwrap_or_default(),
        max_body_bytes: text(env, "MAX_BODY_BYTES").and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_MAX_BODY_BYTES),
        timeout_ms: text(env, "TIKTOK_TIMEOUT_MS").and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_TIMEOUT_MS),
        retry_budget_ms: text(env, "RETRY_BUDGET_MS").and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_RETRY_BUDGET_MS),
        proxy: match (text(env, "PROXY").as_deref(), text(env, "PROXY_ORIGIN")) {
            (Some("off"), _) => ProxyMode::Off,
            (_, Some(origin)) => ProxyMode::Origin(origin),
            (_, None) => ProxyMode::Auto,
        },
        api_prefix: text(env, "API_PREFIX").map(|p| p.trim_end_matches('/').to_owned()).unwrap_or_default(),
        cookie_policy: CookiePolicy {
            domain: text(env, "COOKIE_DOMAIN"),
            refresh_ttp: text(env, "COOKIE_REFRESH").is_none_or(|v| v != "false"),
        },
        auto_page_view: text(env, "AUTO_PAGE_VIEW").is_some_and(|v| v == "true"),
        queue_policy: RetryPolicy {
            max_attempts: number(env, "QUEUE_MAX_ATTEMPTS").unwrap_or(10).max(1),
            base_delay_s: number(env, "QUEUE_RETRY_BASE_SECONDS").unwrap_or(5),
            max_delay_s: number(env, "QUEUE_MAX_DELAY_SECONDS").unwrap_or(900),
        },
        max_subrequests: number(env, "MAX_SUBREQUESTS").unwrap_or(50).max(1),
        log_level: match text(env, "LOG_LEVEL").as_deref() {
            Some("off") => LogLevel::Off,
            Some("warn") => LogLevel::Warn,
            _ => LogLevel::Info,
        },
    }
}

fn secrets(env: &Env, config: &Config) -> Secrets {
    let mut secrets = Secrets::new();
    for d in &config.destinations {
        if let Some(v) = text(env, &d.token_secret) {
            secrets.insert(d.token_secret.clone(), v);
        }
    }
    secrets
}

fn number(env: &Env, name: &str) -> Option<u32> {
    text(env, name).and_then(|v| v.parse().ok())
}

/// A var or secret as text; None when unset or empty.
fn text(env: &Env, name: &str) -> Option<String> {
    let v = env.var(name).map(|v| v.to_string()).or_else(|_| env.secret(name).map(|s| s.to_string())).ok()?;
    let v = v.trim().to_owned();
    (!v.is_empty()).then_some(v)
}

/// `DESTINATIONS` (a JSON string, or a table in wrangler.toml) with `TIKTOK_API_BASE`.
fn destinations(env: &Env) -> Result<Config, ConfigErrors> {
    let doc = match env.var("DESTINATIONS") {
        Ok(v) => serde_json::from_str(&v.to_string()).map_err(|e| Error::InvalidSetting {
            path: "DESTINATIONS".into(),
            message: format!("not valid JSON: {e}"),
        }),
        Err(_) => env.object_var::<Value>("DESTINATIONS").map_err(|_| Error::MissingSetting {
            path: "DESTINATIONS".into(),
            message: "the DESTINATIONS var is not set".into(),
        }),
    };
    let base = text(env, "TIKTOK_API_BASE");
    match doc {
        Err(e) => Err(ConfigErrors { errors: vec![e] }),
        Ok(doc) => Config::from_value(&doc).map(|c| match &base {
            Some(b) => c.with_api_base(b),
            None => c,
        }),
    }
}
