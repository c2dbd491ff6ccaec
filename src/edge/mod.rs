//! The Worker's settings (wrangler.toml vars and secrets), parsed strictly in one place.
//!
//! [`SETTINGS`] is the table of every var: name, default, description and parser. A value
//! that does not parse is an `invalid_setting` error whose path is the var's name and whose
//! message says what is accepted: a typo never falls back to a default silently. Unset or
//! empty (after trimming) means the default, and defaults are written in the table in the
//! same text a user would write, then parsed like any value, so the table is their only home
//! (the README's tables are checked against it by a test).
//!
//! It sits above the config, the browser door, the site rules and the inspector, whose
//! settings it fills: none of them imports it.

mod wrangler;

pub use wrangler::{check_wrangler, WranglerCheck, PLACEHOLDER_PREFIX};

use crate::access::BrowserDoor;
use crate::config::Config;
use crate::error::{ConfigErrors, Error};
use crate::inspect::SamplingLimits;
use crate::secrets::{Secret, Secrets};
use crate::site::{ConsentPolicy, CookiePolicy, ProxyMode};
use serde_json::Value;

/// The parsed settings of one Worker environment.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeSettings {
    /// `DESTINATIONS`, with `TIKTOK_API_BASE` applied.
    pub config: Config,
    /// The tokens the destinations name, when set (missing ones stay missing: the core
    /// reports `missing_secret` for the destinations that need them).
    pub secrets: Secrets,
    pub ingest_token: Option<Secret>,
    /// Origins as browsers send them: `scheme://host[:port]`, lowercase, no trailing `/`.
    pub allowed_origins: Vec<String>,
    pub max_body_bytes: usize,
    pub timeout_ms: u64,
    pub retry_budget_ms: u64,
    pub log_level: LogLevel,
    pub proxy: ProxyMode,
    /// `/_tt` style (no trailing `/`), or empty.
    pub api_prefix: String,
    pub cookie_policy: CookiePolicy,
    pub auto_page_view: bool,
    pub queue_max_attempts: u32,
    pub queue_retry_base_s: u32,
    pub queue_max_delay_s: u32,
    /// Most subrequests (TikTok fetches) one invocation may make.
    pub max_subrequests: u32,
    /// What browser callers (no token) may reach.
    pub browser: BrowserDoor,
    /// The period of the `BROWSER_RATE_LIMITER` binding: the `Retry-After` of a 429.
    pub rate_limit_period_s: u32,
    /// `INSPECTOR_TOKEN`: turns the inspector page and its API on (unset: off).
    pub inspector_token: Option<Secret>,
    /// Inspector sampling per minute (`INSPECTOR_SAMPLE_PER_MINUTE`, `INSPECTOR_DEBUG_PER_MINUTE`).
    pub sampling: SamplingLimits,
    /// Longest an isolate buffers counts before it flushes them (`STATS_FLUSH_SECONDS`).
    pub stats_flush_s: u32,
}

/// `LOG_LEVEL`: `info` logs every TikTok request, `warn` only failed ones, `off` none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    Info,
    Warn,
    Off,
}

/// A setting's default, as the README's tables show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultValue {
    /// No default: the Worker's config is invalid without it.
    Required,
    /// Unset means "not used" (no value is parsed).
    Unset,
    /// This text, parsed like a value the user set.
    Value(&'static str),
}

impl DefaultValue {
    /// The README cell for it: `required`, `unset`, `empty` or the value in backticks.
    pub fn readme_cell(&self) -> String {
        match self {
            DefaultValue::Required => "required".into(),
            DefaultValue::Unset => "unset".into(),
            DefaultValue::Value("") => "empty".into(),
            DefaultValue::Value(v) => format!("`{v}`"),
        }
    }
}

/// One row of [`SETTINGS`].
pub struct Setting {
    pub name: &'static str,
    /// A secret (`wrangler secret put`), never a var in wrangler.toml; its value is never echoed.
    pub secret: bool,
    pub default: DefaultValue,
    pub description: &'static str,
    /// Parses a trimmed, non-empty value into the draft; Err says what is accepted.
    apply: fn(&mut Draft, &str) -> Result<(), String>,
}

/// Cloudflare's request body limit on the Free and Pro plans (100 MB; a Worker has 128 MB of
/// memory). Limits: https://developers.cloudflare.com/workers/platform/limits/
const MAX_BODY_LIMIT: u64 = 100 * 1024 * 1024;
/// Longest wait for TikTok (or inline retry budget) worth configuring: 10 minutes.
const MAX_WAIT_MS: u64 = 600_000;
/// Cloudflare Queues: at most 100 retries of a message, and a retry delay of at most 12 hours
/// (https://developers.cloudflare.com/queues/platform/limits/).
const MAX_QUEUE_ATTEMPTS: u64 = 100;
const MAX_QUEUE_DELAY_S: u64 = 43_200;
/// Inspector samples per minute worth configuring (each is a stored row).
const MAX_SAMPLES_PER_MINUTE: u64 = 1_000;
/// Subrequests per invocation: 50 on the Free plan, 10,000 on Workers Paid (1,000 on older plans).
const MAX_SUBREQUESTS: u64 = 10_000;

/// Every Worker var and secret the Worker reads (destination token secrets aside: their names
/// are in `DESTINATIONS`). Applied in this order (`PROXY` before `PROXY_ORIGIN`).
pub const SETTINGS: &[Setting] = &[
    Setting {
        name: "DESTINATIONS",
        secret: false,
        default: DefaultValue::Required,
        description: "the destinations document, as a JSON string or a TOML table",
        apply: |d, v| {
            d.destinations = Some(serde_json::from_str(v).map_err(|e| format!("not valid JSON: {e}"))?);
            Ok(())
        },
    },
    Setting {
        name: "TIKTOK_API_BASE",
        secret: false,
        default: DefaultValue::Unset,
        description:
            "base URL of TikTok's Business API; unset: the document's api_base, else https://business-api.tiktok.com",
        apply: |d, v| {
            d.api_base = Some(http_url(v).ok_or(
                "must be an http:// or https:// URL without query or fragment, e.g. https://business-api.tiktok.com",
            )?);
            Ok(())
        },
    },
    Setting {
        name: "INGEST_TOKEN",
        secret: true,
        default: DefaultValue::Unset,
        description: "the Bearer token server callers send; unset: only ALLOWED_ORIGINS may call",
        apply: |d, v| {
            d.settings.ingest_token = Some(Secret::new(v));
            Ok(())
        },
    },
    Setting {
        name: "ALLOWED_ORIGINS",
        secret: false,
        default: DefaultValue::Value(""),
        description: "comma-separated origins whose browsers may call without the token, with CORS",
        apply: |d, v| {
            let mut origins = Vec::new();
            for item in v.split(',').map(str::trim).filter(|o| !o.is_empty()) {
                let o = origin(item).ok_or_else(|| {
                    format!("`{}` is not an origin: use scheme://host[:port], comma-separated, e.g. https://shop.example.com", clip(item))
                })?;
                origins.push(o);
            }
            d.settings.allowed_origins = origins;
            Ok(())
        },
    },
    Setting {
        name: "MAX_BODY_BYTES",
        secret: false,
        default: DefaultValue::Value("1048576"),
        description: "larger bodies get 413",
        apply: |d, v| {
            d.settings.max_body_bytes = usize::try_from(number(v, 1, MAX_BODY_LIMIT, "bytes")?).unwrap_or(usize::MAX);
            Ok(())
        },
    },
    Setting {
        name: "TIKTOK_TIMEOUT_MS",
        secret: false,
        default: DefaultValue::Value("10000"),
        description: "a TikTok answer slower than this is a (retryable) timeout",
        apply: |d, v| {
            d.settings.timeout_ms = number(v, 1, MAX_WAIT_MS, "milliseconds")?;
            Ok(())
        },
    },
    Setting {
        name: "RETRY_BUDGET_MS",
        secret: false,
        default: DefaultValue::Value("3000"),
        description: "how long /v1/events may retry transient failures inline (0: no inline retry)",
        apply: |d, v| {
            d.settings.retry_budget_ms = number(v, 0, MAX_WAIT_MS, "milliseconds")?;
            Ok(())
        },
    },
    Setting {
        name: "LOG_LEVEL",
        secret: false,
        default: DefaultValue::Value("info"),
        description: "info: one log line per TikTok request; warn: only failed ones; off",
        apply: |d, v| {
            d.settings.log_level = match one_of(v, &["info", "warn", "off"])? {
                "warn" => LogLevel::Warn,
                "off" => LogLevel::Off,
                _ => LogLevel::Info,
            };
            Ok(())
        },
    },
    Setting {
        name: "PROXY",
        secret: false,
        default: DefaultValue::Value("auto"),
        description: "off disables proxy mode; auto: on with PROXY_ORIGIN, or on a route",
        apply: |d, v| {
            d.settings.proxy = match one_of(v, &["auto", "off"])? {
                "off" => ProxyMode::Off,
                _ => ProxyMode::Auto,
            };
            Ok(())
        },
    },
    Setting {
        name: "PROXY_ORIGIN",
        secret: false,
        default: DefaultValue::Unset,
        description: "forward site traffic to this origin (path and query are kept)",
        apply: |d, v| {
            let o = origin(v).ok_or("must be an origin, scheme://host[:port], e.g. https://origin.example.com")?;
            // PROXY=off wins: it is applied first.
            if d.settings.proxy != ProxyMode::Off {
                d.settings.proxy = ProxyMode::Origin(o);
            }
            Ok(())
        },
    },
    Setting {
        name: "API_PREFIX",
        secret: false,
        default: DefaultValue::Value(""),
        description: "path prefix of the event API, e.g. /_tt",
        apply: |d, v| {
            let ok = v.starts_with('/')
                && v.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~'))
                && !v.contains("//");
            if !ok {
                return Err("must be a path starting with `/` (letters, digits, `/ - _ . ~`), e.g. /_tt".into());
            }
            d.settings.api_prefix = v.trim_end_matches('/').to_owned();
            Ok(())
        },
    },
    Setting {
        name: "COOKIE_DOMAIN",
        secret: false,
        default: DefaultValue::Unset,
        description: "Domain= of the cookies the Worker sets",
        apply: |d, v| {
            if !is_domain(v) {
                return Err("must be a domain name, e.g. .example.com or shop.example.com".into());
            }
            d.settings.cookie_policy.domain = Some(v.to_ascii_lowercase());
            Ok(())
        },
    },
    Setting {
        name: "COOKIE_REFRESH",
        secret: false,
        default: DefaultValue::Value("true"),
        description: "false stops re-setting _ttp",
        apply: |d, v| {
            d.settings.cookie_policy.refresh_ttp = boolean(v)?;
            Ok(())
        },
    },
    Setting {
        name: "AUTO_PAGE_VIEW",
        secret: false,
        default: DefaultValue::Value("false"),
        description: "true sends a page_view for each successful HTML navigation (proxy mode)",
        apply: |d, v| {
            d.settings.auto_page_view = boolean(v)?;
            Ok(())
        },
    },
    Setting {
        name: "QUEUE_MAX_ATTEMPTS",
        secret: false,
        default: DefaultValue::Value("10"),
        description: "queued delivery: deliveries of a message before it is dead-lettered",
        apply: |d, v| {
            d.settings.queue_max_attempts = small(number(v, 1, MAX_QUEUE_ATTEMPTS, "attempts")?);
            Ok(())
        },
    },
    Setting {
        name: "QUEUE_RETRY_BASE_SECONDS",
        secret: false,
        default: DefaultValue::Value("5"),
        description: "queued delivery: first backoff step, doubled per attempt",
        apply: |d, v| {
            d.settings.queue_retry_base_s = small(number(v, 0, MAX_QUEUE_DELAY_S, "seconds")?);
            Ok(())
        },
    },
    Setting {
        name: "QUEUE_MAX_DELAY_SECONDS",
        secret: false,
        default: DefaultValue::Value("900"),
        description: "queued delivery: cap of any retry delay",
        apply: |d, v| {
            d.settings.queue_max_delay_s = small(number(v, 0, MAX_QUEUE_DELAY_S, "seconds")?);
            Ok(())
        },
    },
    Setting {
        name: "MAX_SUBREQUESTS",
        secret: false,
        default: DefaultValue::Value("50"),
        description: "TikTok requests one invocation may make (Cloudflare: 50 on the Free plan, 10,000 paid)",
        apply: |d, v| {
            d.settings.max_subrequests = small(number(v, 1, MAX_SUBREQUESTS, "subrequests")?);
            Ok(())
        },
    },
    Setting {
        name: "BROWSER_DESTINATIONS",
        secret: false,
        default: DefaultValue::Unset,
        description: "comma-separated destination ids browser callers reach; unset: every events_api destination",
        apply: |d, v| {
            d.settings.browser.destinations = Some(list(v));
            Ok(())
        },
    },
    Setting {
        name: "BROWSER_ALLOWED_IDS",
        secret: false,
        default: DefaultValue::Value(""),
        description:
            "comma-separated ids a templated pixel_id, app_id or event_set_id may resolve to for browser events",
        apply: |d, v| {
            d.settings.browser.allowed_ids = list(v);
            Ok(())
        },
    },
    Setting {
        name: "BROWSER_MAX_EVENTS",
        secret: false,
        default: DefaultValue::Value("20"),
        description: "most events in one browser call (more: 400 too_many_events)",
        apply: |d, v| {
            d.settings.browser.max_events = usize::try_from(number(v, 1, 1000, "events")?).unwrap_or(1000);
            Ok(())
        },
    },
    Setting {
        name: "RATE_LIMIT_PERIOD_SECONDS",
        secret: false,
        default: DefaultValue::Value("60"),
        description: "the period of the BROWSER_RATE_LIMITER binding (10 or 60): the Retry-After of a 429",
        apply: |d, v| {
            d.settings.rate_limit_period_s = match one_of(v, &["10", "60"])? {
                "10" => 10,
                _ => 60,
            };
            Ok(())
        },
    },
    Setting {
        name: "CONSENT_CATEGORY",
        secret: false,
        default: DefaultValue::Unset,
        description: "proxy mode: the consent category required before cookies are set and page views sent",
        apply: |d, v| {
            if v.contains(',') {
                return Err("must be one category, e.g. 3".into());
            }
            d.settings.cookie_policy.consent.category = Some(v.to_owned());
            Ok(())
        },
    },
    Setting {
        name: "CONSENT_COOKIE",
        secret: false,
        default: DefaultValue::Value("TC_PRIVACY"),
        description: "proxy mode: the cookie holding the visitor's consent (Commanders Act's format, or a list)",
        apply: |d, v| {
            let ok = v.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
            if !ok {
                return Err(format!("must be a cookie name (letters, digits, `_ - .`), not `{}`", clip(v)));
            }
            d.settings.cookie_policy.consent.cookie = v.to_owned();
            Ok(())
        },
    },
    Setting {
        name: "INSPECTOR_TOKEN",
        secret: true,
        default: DefaultValue::Unset,
        description: "turns on the inspector page and its API (HTTP Basic password, or Bearer); unset: off",
        apply: |d, v| {
            d.settings.inspector_token = Some(Secret::new(v));
            Ok(())
        },
    },
    Setting {
        name: "INSPECTOR_SAMPLE_PER_MINUTE",
        secret: false,
        default: DefaultValue::Value("6"),
        description: "inspector log: events kept per minute per destination and event name",
        apply: |d, v| {
            d.settings.sampling.per_event = small(number(v, 0, MAX_SAMPLES_PER_MINUTE, "events")?);
            Ok(())
        },
    },
    Setting {
        name: "INSPECTOR_DEBUG_PER_MINUTE",
        secret: false,
        default: DefaultValue::Value("100"),
        description: "inspector log: debug events (test_event_code or inspector_debug) kept per minute",
        apply: |d, v| {
            d.settings.sampling.debug = small(number(v, 0, MAX_SAMPLES_PER_MINUTE, "events")?);
            Ok(())
        },
    },
    Setting {
        name: "STATS_FLUSH_SECONDS",
        secret: false,
        default: DefaultValue::Value("5"),
        description: "how long an isolate buffers delivery counts before one write to the Durable Object",
        apply: |d, v| {
            d.settings.stats_flush_s = small(number(v, 0, 60, "seconds")?);
            Ok(())
        },
    },
];

/// Comma-separated items, trimmed, empty ones dropped.
fn list(v: &str) -> Vec<String> {
    v.split(',').map(str::trim).filter(|i| !i.is_empty()).map(str::to_owned).collect()
}

/// What the rows fill in; the destinations document becomes a `Config` once all vars are read.
struct Draft {
    settings: EdgeSettings,
    destinations: Option<Value>,
    api_base: Option<String>,
}

impl EdgeSettings {
    /// Reads every setting with `get` (a var or secret by name; None when unset), strictly.
    /// Every problem is reported, each with its var name (or its path in `DESTINATIONS`).
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<EdgeSettings, ConfigErrors> {
        let (settings, errors) = EdgeSettings::from_vars_lenient(get);
        match errors {
            None => Ok(settings),
            Some(e) => Err(e),
        }
    }

    /// Like [`EdgeSettings::from_vars`], but also returns the settings: every var that parsed,
    /// defaults for the ones that did not (and an empty destination list when `DESTINATIONS`
    /// is invalid). For a Worker that must keep routing (API prefix, proxy) while it answers
    /// `invalid_config`.
    pub fn from_vars_lenient(get: impl Fn(&str) -> Option<String>) -> (EdgeSettings, Option<ConfigErrors>) {
        let mut draft = Draft::empty();
        let mut errors = Vec::new();
        for row in SETTINGS {
            let given = get(row.name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
            let value = match (given, row.default) {
                (Some(v), _) => v,
                (None, DefaultValue::Value(v)) => v.to_owned(),
                (None, DefaultValue::Unset) => continue,
                (None, DefaultValue::Required) => {
                    let message = format!("the {} var is not set", row.name);
                    errors.push(Error::MissingSetting { path: row.name.into(), message });
                    continue;
                }
            };
            // An empty default ("no origins", "no prefix") is the draft's initial state.
            if value.is_empty() {
                continue;
            }
            if let Err(message) = (row.apply)(&mut draft, &value) {
                errors.push(Error::InvalidSetting { path: row.name.into(), message });
            }
        }
        let mut settings = draft.settings;
        if let Some(doc) = &draft.destinations {
            match Config::from_value(doc) {
                Ok(c) => settings.config = c,
                Err(e) => errors.extend(e.errors),
            }
        }
        // Destinations browsers reach must exist: a typo would silently close (or open) the door.
        if let (Some(ids), true) = (&settings.browser.destinations, draft.destinations.is_some()) {
            for id in ids.iter().filter(|id| !settings.config.destinations.iter().any(|d| d.id == **id)) {
                let message = format!("`{}` is not a destination id of DESTINATIONS", clip(id));
                errors.push(Error::InvalidSetting { path: "BROWSER_DESTINATIONS".into(), message });
            }
        }
        if let Some(base) = &draft.api_base {
            settings.config.api_base = base.clone();
        }
        for d in &settings.config.destinations {
            if let Some(v) = get(&d.token_secret).map(|v| v.trim().to_owned()) {
                settings.secrets.insert(d.token_secret.clone(), v);
            }
        }
        let errors = (!errors.is_empty()).then_some(ConfigErrors { errors });
        (settings, errors)
    }
}

impl Draft {
    /// The state before any row: what an empty default means (no origins, no prefix, ...).
    fn empty() -> Draft {
        let settings = EdgeSettings {
            config: Config { api_base: crate::DEFAULT_API_BASE.into(), destinations: Vec::new() },
            secrets: Secrets::new(),
            ingest_token: None,
            allowed_origins: Vec::new(),
            max_body_bytes: 0,
            timeout_ms: 0,
            retry_budget_ms: 0,
            log_level: LogLevel::Info,
            proxy: ProxyMode::Auto,
            api_prefix: String::new(),
            cookie_policy: CookiePolicy { domain: None, refresh_ttp: true, consent: ConsentPolicy::default() },
            auto_page_view: false,
            queue_max_attempts: 0,
            queue_retry_base_s: 0,
            queue_max_delay_s: 0,
            max_subrequests: 0,
            browser: BrowserDoor::default(),
            rate_limit_period_s: 60,
            inspector_token: None,
            sampling: SamplingLimits { per_event: 0, debug: 0 },
            stats_flush_s: 0,
        };
        Draft { settings, destinations: None, api_base: None }
    }
}

/// A whole number in `min..=max` (digits only: no sign, unit or separator).
fn number(v: &str, min: u64, max: u64, unit: &str) -> Result<u64, String> {
    let parsed = v.bytes().all(|b| b.is_ascii_digit()).then(|| v.parse::<u64>().ok()).flatten();
    match parsed {
        Some(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("must be a whole number of {unit} from {min} to {max} (digits only), not `{}`", clip(v))),
    }
}

/// Ranges of the u32 settings are far below u32::MAX.
fn small(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn one_of<'a>(v: &str, allowed: &[&'a str]) -> Result<&'a str, String> {
    allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(v))
        .copied()
        .ok_or_else(|| format!("must be one of {}, not `{}`", allowed.join(", "), clip(v)))
}

fn boolean(v: &str) -> Result<bool, String> {
    Ok(one_of(v, &["true", "false"])? == "true")
}

/// At most 60 characters of a bad value, for a message.
fn clip(v: &str) -> String {
    match v.char_indices().nth(60) {
        Some((i, _)) => format!("{}...", v.get(..i).unwrap_or(v)),
        None => v.to_owned(),
    }
}

/// `http(s)://host[:port]` (a trailing `/` allowed), lowercased; None otherwise.
fn origin(v: &str) -> Option<String> {
    let v = v.strip_suffix('/').unwrap_or(v).to_ascii_lowercase();
    let (scheme, authority) = v.split_once("://")?;
    (matches!(scheme, "http" | "https") && is_authority(authority)).then_some(v)
}

/// `http(s)://host[:port][/path]` without query, fragment or spaces, no trailing `/`.
fn http_url(v: &str) -> Option<String> {
    let (scheme, rest) = v.split_once("://")?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path_ok = path.bytes().all(|b| b.is_ascii_graphic() && !matches!(b, b'?' | b'#'));
    let ok = matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") && is_authority(authority) && path_ok;
    ok.then(|| v.trim_end_matches('/').to_owned())
}

/// `host[:port]`: a host name, an IPv4 address or a bracketed IPv6 one; no user info.
fn is_authority(a: &str) -> bool {
    let (host_ok, port) = match a.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((h, rest)) => (!h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit() || b == b':'), rest),
            None => return false,
        },
        None => match a.split_once(':') {
            Some((h, p)) => (is_host_name(h), a.get(h.len()..).unwrap_or(p)),
            None => (is_host_name(a), ""),
        },
    };
    let port_ok = match port.strip_prefix(':') {
        Some(p) => p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok_and(|n| n > 0),
        None => port.is_empty(),
    };
    host_ok && port_ok
}

/// A cookie domain: a host name, optionally with one leading dot.
fn is_domain(v: &str) -> bool {
    is_host_name(v.strip_prefix('.').unwrap_or(v))
}

/// Dot-separated labels of letters, digits and `-` (not at either end).
fn is_host_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}
