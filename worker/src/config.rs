//! The only code that reads `Env`: every var and secret goes through the core's
//! `EdgeSettings::from_vars` (strict parsing, defaults, errors naming the var); this
//! file only fetches them and keeps the Worker's `Settings` shape. Bindings are fixed for
//! the life of an isolate (a new deployment or secret starts new isolates), so they are
//! read and parsed once per isolate, not per request.

use serde_json::Value;
use std::cell::RefCell;
use std::rc::Rc;
use tiktok_edge::access::BrowserDoor;
use tiktok_edge::edge::EdgeSettings;
pub use tiktok_edge::edge::LogLevel;
use tiktok_edge::site::{CookiePolicy, ProxyMode};
use tiktok_edge::{Config, ConfigErrors, Secrets};
use worker::Env;

/// Everything a request needs from the environment.
pub struct Settings {
    /// The parsed destinations, or every problem with its path: a var that does not parse
    /// makes the config invalid too (path = the var's name), so no typo runs silently.
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
    /// Most TikTok requests per invocation (`MAX_SUBREQUESTS`).
    pub max_subrequests: u32,
    /// What browser callers may reach, and the config their events are planned with
    /// (only the destinations they reach; computed once per isolate).
    pub browser: BrowserDoor,
    pub browser_config: Option<Config>,
    /// `Retry-After` of a rate-limited browser call (`RATE_LIMIT_PERIOD_SECONDS`).
    pub rate_limit_period_s: u32,
    /// `INSPECTOR_TOKEN`, sampling and flush interval of the inspector (stats.rs, inspector.rs).
    pub inspector_token: Option<String>,
    pub sampling: tiktok_edge::inspect::SamplingLimits,
    pub stats_flush_s: u32,
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
    // With errors, the values that parsed still drive routing (API prefix, proxy mode).
    let (s, errors) = EdgeSettings::from_vars_lenient(|name| binding(env, name));
    let browser_config = match &errors {
        None => Some(s.browser.config(&s.config)),
        Some(_) => None,
    };
    Settings {
        browser_config,
        browser: s.browser,
        rate_limit_period_s: s.rate_limit_period_s,
        config: match errors {
            None => Ok(s.config),
            Some(e) => Err(e),
        },
        secrets: s.secrets,
        ingest_token: s.ingest_token.map(|t| t.expose().to_owned()),
        allowed_origins: s.allowed_origins,
        max_body_bytes: s.max_body_bytes,
        timeout_ms: s.timeout_ms,
        retry_budget_ms: s.retry_budget_ms,
        log_level: s.log_level,
        proxy: s.proxy,
        api_prefix: s.api_prefix,
        cookie_policy: s.cookie_policy,
        auto_page_view: s.auto_page_view,
        queue_policy: RetryPolicy {
            max_attempts: s.queue_max_attempts,
            base_delay_s: s.queue_retry_base_s,
            max_delay_s: s.queue_max_delay_s,
        },
        max_subrequests: s.max_subrequests,
        inspector_token: s.inspector_token.map(|t| t.expose().to_owned()),
        sampling: s.sampling,
        stats_flush_s: s.stats_flush_s,
    }
}

/// A var or secret as text. A var may also be a table in wrangler.toml (`DESTINATIONS`):
/// it arrives as an object and is handed on as its JSON text.
fn binding(env: &Env, name: &str) -> Option<String> {
    env.var(name)
        .map(|v| v.to_string())
        .or_else(|_| env.secret(name).map(|s| s.to_string()))
        .or_else(|_| env.object_var::<Value>(name).map(|v| v.to_string()))
        .ok()
}
