//! The Worker's vars (`EdgeSettings::from_vars`): defaults, every accepted form, every
//! rejected form (an `invalid_setting` error naming the var), and the README's settings
//! tables checked against the settings table.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::BTreeMap;
use tiktok_edge::edge::{DefaultValue, EdgeSettings, LogLevel, SETTINGS};
use tiktok_edge::site::{ConsentPolicy, CookiePolicy, ProxyMode};
use tiktok_edge::ConfigErrors;

const DESTINATIONS: &str = r#"{"destinations": [{"id": "tiktok", "type": "events_api", "pixel_id": "CPIXEL1"}]}"#;

fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut map: BTreeMap<String, String> = [("DESTINATIONS".to_owned(), DESTINATIONS.to_owned())].into();
    map.extend(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    map
}

fn read(pairs: &[(&str, &str)]) -> Result<EdgeSettings, ConfigErrors> {
    let map = vars(pairs);
    EdgeSettings::from_vars(|name| map.get(name).cloned())
}

fn ok(pairs: &[(&str, &str)]) -> EdgeSettings {
    read(pairs).unwrap_or_else(|e| panic!("{pairs:?}: {e}"))
}

/// The one error of a bad value, as (code, path, message).
fn bad(name: &str, value: &str) -> (String, String, String) {
    let e = read(&[(name, value)]).expect_err(&format!("{name}={value:?} must be rejected"));
    assert_eq!(e.errors.len(), 1, "{name}={value:?}: {e}");
    let e = &e.errors[0];
    (e.code().to_owned(), e.path().to_owned(), e.message())
}

/// Each value is rejected with `invalid_setting`, the var as path, and `accepted` in the message.
fn rejects(name: &str, values: &[&str], accepted: &str) {
    for v in values {
        let (code, path, message) = bad(name, v);
        assert_eq!((code.as_str(), path.as_str()), ("invalid_setting", name), "{name}={v:?}");
        assert!(message.contains(accepted), "{name}={v:?}: `{message}` should say `{accepted}`");
    }
}

#[test]
fn defaults_when_only_destinations_is_set() {
    let s = ok(&[]);
    assert_eq!(s.config.api_base, "https://business-api.tiktok.com");
    assert_eq!(s.config.destinations.len(), 1);
    assert_eq!(s.ingest_token, None);
    assert!(s.allowed_origins.is_empty());
    assert_eq!(s.max_body_bytes, 1_048_576);
    assert_eq!(s.timeout_ms, 10_000);
    assert_eq!(s.retry_budget_ms, 3_000);
    assert_eq!(s.log_level, LogLevel::Info);
    assert_eq!(s.proxy, ProxyMode::Auto);
    assert_eq!(s.api_prefix, "");
    assert_eq!(s.cookie_policy, CookiePolicy { domain: None, refresh_ttp: true, consent: ConsentPolicy::default() });
    assert!(!s.auto_page_view);
    assert_eq!((s.queue_max_attempts, s.queue_retry_base_s, s.queue_max_delay_s), (10, 5, 900));
    assert_eq!(s.max_subrequests, 50);
}

#[test]
fn empty_or_blank_values_mean_the_default() {
    let blank: Vec<(&str, &str)> = SETTINGS
        .iter()
        .filter(|s| s.name != "DESTINATIONS")
        .map(|s| (s.name, if s.secret { "" } else { "  " }))
        .collect();
    assert_eq!(ok(&blank), ok(&[]));
}

#[test]
fn every_default_of_the_table_parses() {
    // Defaults are parsed like user values: a typo in the table would show up here.
    let given: Vec<(&str, &str)> = SETTINGS
        .iter()
        .filter_map(|s| match s.default {
            DefaultValue::Value(v) => Some((s.name, v)),
            _ => None,
        })
        .collect();
    assert_eq!(ok(&given), ok(&[]));
}

#[test]
fn destinations_is_required_and_validated_with_its_paths() {
    let e = EdgeSettings::from_vars(|_| None).unwrap_err();
    assert_eq!(e.errors.len(), 1);
    assert_eq!((e.errors[0].code(), e.errors[0].path()), ("missing_setting", "DESTINATIONS"));
    let (code, path, message) = bad("DESTINATIONS", "{destinations: []}");
    assert_eq!((code.as_str(), path.as_str()), ("invalid_setting", "DESTINATIONS"));
    assert!(message.starts_with("not valid JSON"), "{message}");
    let e = read(&[("DESTINATIONS", r#"{"destinations": [{"id": "x", "type": "events_api"}]}"#)]).unwrap_err();
    assert_eq!(e.errors[0].path(), "destinations[0].pixel_id");
}

#[test]
fn every_problem_is_reported_at_once_in_table_order() {
    let e = read(&[
        ("DESTINATIONS", r#"{"destinations": [{"id": "x", "type": "events_api"}]}"#),
        ("MAX_BODY_BYTES", "1MB"),
        ("LOG_LEVEL", "debug"),
        ("COOKIE_REFRESH", "no"),
    ])
    .unwrap_err();
    let paths: Vec<&str> = e.errors.iter().map(|e| e.path()).collect();
    assert_eq!(paths, ["MAX_BODY_BYTES", "LOG_LEVEL", "COOKIE_REFRESH", "destinations[0].pixel_id"]);
}

#[test]
fn lenient_reading_keeps_what_parsed() {
    let map = vars(&[("API_PREFIX", "/_tt"), ("LOG_LEVEL", "debug")]);
    let (s, errors) = EdgeSettings::from_vars_lenient(|n| map.get(n).cloned());
    assert_eq!(s.api_prefix, "/_tt", "the Worker still routes under its prefix");
    assert_eq!(s.log_level, LogLevel::Info);
    assert_eq!(errors.unwrap().errors[0].path(), "LOG_LEVEL");
}

#[test]
fn tiktok_api_base() {
    assert_eq!(ok(&[("TIKTOK_API_BASE", "http://127.0.0.1:9400/")]).config.api_base, "http://127.0.0.1:9400");
    assert_eq!(
        ok(&[("TIKTOK_API_BASE", "https://sandbox.example/tt/api")]).config.api_base,
        "https://sandbox.example/tt/api"
    );
    let doc = r#"{"api_base": "https://doc.example", "destinations": []}"#;
    assert_eq!(ok(&[("DESTINATIONS", doc)]).config.api_base, "https://doc.example", "unset: the document's");
    assert_eq!(
        ok(&[("DESTINATIONS", doc), ("TIKTOK_API_BASE", "https://var.example")]).config.api_base,
        "https://var.example"
    );
    rejects(
        "TIKTOK_API_BASE",
        &[
            "business-api.tiktok.com",
            "ftp://x.example",
            "https://",
            "https://a b.example",
            "https://x.example/?q=1",
            "https://x.example/#f",
            "https://x.example:99999",
        ],
        "http:// or https:// URL",
    );
}

#[test]
fn ingest_token_is_a_secret_never_echoed() {
    let s = ok(&[("INGEST_TOKEN", " s3cret ")]);
    assert_eq!(s.ingest_token.as_ref().map(|t| t.expose()), Some("s3cret"));
    assert!(!format!("{s:?}").contains("s3cret"));
}

#[test]
fn destination_tokens_are_read_by_the_names_the_destinations_give() {
    let doc = r#"{"destinations": [{"id": "a", "type": "events_api", "pixel_id": "C1"},
                                    {"id": "b", "type": "events_api", "pixel_id": "C2", "access_token_secret": "TOKEN_B"}]}"#;
    let s = ok(&[("DESTINATIONS", doc), ("TIKTOK_ACCESS_TOKEN", "ta"), ("TOKEN_B", "tb"), ("OTHER", "x")]);
    assert_eq!(s.secrets.get("TIKTOK_ACCESS_TOKEN").map(|t| t.expose()), Some("ta"));
    assert_eq!(s.secrets.get("TOKEN_B").map(|t| t.expose()), Some("tb"));
    assert_eq!(s.secrets.get("OTHER"), None);
    assert_eq!(ok(&[("DESTINATIONS", doc)]).secrets.get("TOKEN_B"), None, "missing stays missing");
}

#[test]
fn allowed_origins() {
    let s = ok(&[("ALLOWED_ORIGINS", " https://Shop.Example.com/ , http://localhost:8080,,https://[::1]:8443 ")]);
    assert_eq!(s.allowed_origins, ["https://shop.example.com", "http://localhost:8080", "https://[::1]:8443"]);
    rejects(
        "ALLOWED_ORIGINS",
        &[
            "shop.example.com",
            "https://shop.example.com/path",
            "https://a.example,*",
            "https://a.example?x",
            "https://user@a.example",
            "ftp://a.example",
            "https://a.example:0",
            "https://-a.example",
            "https://a..example",
        ],
        "scheme://host[:port]",
    );
    let (_, _, message) = bad("ALLOWED_ORIGINS", "https://ok.example, shop.example.com");
    assert!(message.starts_with("`shop.example.com` is not an origin"), "{message}");
}

#[test]
fn numbers() {
    assert_eq!(ok(&[("MAX_BODY_BYTES", "2097152")]).max_body_bytes, 2_097_152);
    assert_eq!(ok(&[("TIKTOK_TIMEOUT_MS", "2500")]).timeout_ms, 2_500);
    assert_eq!(ok(&[("RETRY_BUDGET_MS", "0")]).retry_budget_ms, 0, "0: no inline retry");
    assert_eq!(ok(&[("QUEUE_MAX_ATTEMPTS", "1")]).queue_max_attempts, 1);
    assert_eq!(ok(&[("QUEUE_RETRY_BASE_SECONDS", "0")]).queue_retry_base_s, 0);
    assert_eq!(ok(&[("QUEUE_MAX_DELAY_SECONDS", "43200")]).queue_max_delay_s, 43_200);
    assert_eq!(ok(&[("MAX_SUBREQUESTS", "1000")]).max_subrequests, 1_000);
    assert_eq!(ok(&[("MAX_SUBREQUESTS", "10000")]).max_subrequests, 10_000);
    let common = ["1MB", "-1", "+5", "1.5", "1_000", "1e3", "0x10", "ten", "99999999999999999999999"];
    for (name, too_small, too_big) in [
        ("MAX_BODY_BYTES", Some("0"), "104857601"),
        ("TIKTOK_TIMEOUT_MS", Some("0"), "600001"),
        ("RETRY_BUDGET_MS", None, "600001"),
        ("QUEUE_MAX_ATTEMPTS", Some("0"), "101"),
        ("QUEUE_RETRY_BASE_SECONDS", None, "43201"),
        ("QUEUE_MAX_DELAY_SECONDS", None, "43201"),
        ("MAX_SUBREQUESTS", Some("0"), "10001"),
    ] {
        rejects(name, &common, "whole number");
        rejects(name, &[too_big], "whole number");
        if let Some(v) = too_small {
            rejects(name, &[v], "from 1 to");
        }
    }
    let (_, _, message) = bad("MAX_BODY_BYTES", "1MB");
    assert_eq!(message, "must be a whole number of bytes from 1 to 104857600 (digits only), not `1MB`");
}

#[test]
fn log_level() {
    assert_eq!(ok(&[("LOG_LEVEL", "warn")]).log_level, LogLevel::Warn);
    assert_eq!(ok(&[("LOG_LEVEL", "off")]).log_level, LogLevel::Off);
    assert_eq!(ok(&[("LOG_LEVEL", "INFO")]).log_level, LogLevel::Info, "case does not matter");
    assert!(
        LogLevel::Info < LogLevel::Warn && LogLevel::Warn < LogLevel::Off,
        "a line is logged when its level >= the setting"
    );
    rejects("LOG_LEVEL", &["debug", "error", "verbose", "1"], "must be one of info, warn, off");
}

#[test]
fn proxy_mode() {
    assert_eq!(ok(&[("PROXY", "off")]).proxy, ProxyMode::Off);
    assert_eq!(
        ok(&[("PROXY_ORIGIN", "https://origin.example.com/")]).proxy,
        ProxyMode::Origin("https://origin.example.com".into())
    );
    assert_eq!(
        ok(&[("PROXY", "auto"), ("PROXY_ORIGIN", "http://127.0.0.1:3000")]).proxy,
        ProxyMode::Origin("http://127.0.0.1:3000".into())
    );
    assert_eq!(
        ok(&[("PROXY", "off"), ("PROXY_ORIGIN", "https://origin.example.com")]).proxy,
        ProxyMode::Off,
        "off wins"
    );
    rejects("PROXY", &["on", "true", "origin"], "must be one of auto, off");
    rejects(
        "PROXY_ORIGIN",
        &["origin.example.com", "https://origin.example.com/base", "tcp://x.example"],
        "scheme://host[:port]",
    );
}

#[test]
fn api_prefix() {
    assert_eq!(ok(&[("API_PREFIX", "/_tt/")]).api_prefix, "/_tt");
    assert_eq!(ok(&[("API_PREFIX", "/edge/tiktok")]).api_prefix, "/edge/tiktok");
    assert_eq!(ok(&[("API_PREFIX", "/")]).api_prefix, "");
    rejects("API_PREFIX", &["_tt", "tt/", "/a b", "/_tt?x", "/_tt#x", "//tt", "https://x/_tt"], "starting with `/`");
}

#[test]
fn browser_door_rate_limit_and_consent() {
    let s = ok(&[]);
    assert_eq!((s.browser.destinations.clone(), s.browser.allowed_ids.len(), s.browser.max_events), (None, 0, 20));
    assert_eq!(s.rate_limit_period_s, 60);
    assert_eq!(s.cookie_policy.consent, ConsentPolicy { category: None, cookie: "TC_PRIVACY".into() });
    let s = ok(&[
        ("BROWSER_DESTINATIONS", "tiktok, "),
        ("BROWSER_ALLOWED_IDS", "C1,C2"),
        ("BROWSER_MAX_EVENTS", "5"),
        ("RATE_LIMIT_PERIOD_SECONDS", "10"),
        ("CONSENT_CATEGORY", "3"),
        ("CONSENT_COOKIE", "TC_PRIVACY_CENTER"),
    ]);
    assert_eq!(s.browser.destinations, Some(vec!["tiktok".to_owned()]));
    assert_eq!(
        (s.browser.allowed_ids, s.browser.max_events, s.rate_limit_period_s),
        (vec!["C1".into(), "C2".into()], 5, 10)
    );
    assert_eq!(
        s.cookie_policy.consent,
        ConsentPolicy { category: Some("3".into()), cookie: "TC_PRIVACY_CENTER".into() }
    );
    rejects("BROWSER_DESTINATIONS", &["orders", "tiktok,typo"], "is not a destination id of DESTINATIONS");
    rejects("BROWSER_MAX_EVENTS", &["0", "1001", "ten"], "whole number of events");
    rejects("RATE_LIMIT_PERIOD_SECONDS", &["30", "1m"], "must be one of 10, 60");
    rejects("CONSENT_CATEGORY", &["1,3"], "one category");
    rejects("CONSENT_COOKIE", &["a b", "a;b", "a=b"], "cookie name");
}

#[test]
fn cookies_and_page_views() {
    let s = ok(&[("COOKIE_DOMAIN", ".Example.com"), ("COOKIE_REFRESH", "false"), ("AUTO_PAGE_VIEW", "true")]);
    assert_eq!(
        s.cookie_policy,
        CookiePolicy { domain: Some(".example.com".into()), refresh_ttp: false, consent: ConsentPolicy::default() }
    );
    assert!(s.auto_page_view);
    assert_eq!(ok(&[("COOKIE_DOMAIN", "shop.example.com")]).cookie_policy.domain.as_deref(), Some("shop.example.com"));
    assert!(ok(&[("COOKIE_REFRESH", "TRUE")]).cookie_policy.refresh_ttp);
    rejects(
        "COOKIE_DOMAIN",
        &["https://example.com", "example.com/", "exa mple.com", "..example.com", "a;b=c"],
        "domain name",
    );
    for name in ["COOKIE_REFRESH", "AUTO_PAGE_VIEW"] {
        rejects(name, &["no", "yes", "1", "0", "on"], "must be one of true, false");
    }
}

#[test]
fn a_bad_value_is_quoted_but_never_longer_than_60_characters() {
    let long = "x".repeat(500);
    let (_, _, message) = bad("LOG_LEVEL", &long);
    assert!(message.len() < 120, "{message}");
    assert!(message.ends_with("...`"), "{message}");
}

/// README rows `| `NAME` [(secret)] | default | meaning |` of the Worker-settings and proxy tables.
fn readme_rows() -> Vec<(String, bool, String, String)> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let mut rows = Vec::new();
    for line in readme.lines() {
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').map(str::trim).collect();
        let [first, default, meaning] = cells[..] else { continue };
        let (name, secret) = match first.strip_suffix(" (secret)") {
            Some(n) => (n, true),
            None => (first, false),
        };
        let Some(name) = name.strip_prefix('`').and_then(|n| n.strip_suffix('`')) else { continue };
        if name.bytes().all(|b| b.is_ascii_uppercase() || b == b'_') {
            rows.push((name.to_owned(), secret, default.to_owned(), meaning.to_owned()));
        }
    }
    rows
}

#[test]
fn the_readme_documents_every_setting_with_its_default() {
    let rows = readme_rows();
    for s in SETTINGS {
        let found: Vec<_> = rows.iter().filter(|r| r.0 == s.name).collect();
        assert_eq!(found.len(), 1, "{} must have one README row", s.name);
        let (_, secret, default, meaning) = found[0];
        assert_eq!(*secret, s.secret, "{}: `(secret)` marker", s.name);
        assert_eq!(*default, s.default.readme_cell(), "{}: README default", s.name);
        assert!(!meaning.is_empty() && !s.description.is_empty(), "{}", s.name);
    }
    // The other rows: the default token secret, which destinations name (not a fixed setting).
    for (name, ..) in &rows {
        let known = SETTINGS.iter().any(|s| s.name == name) || name == tiktok_edge::config::DEFAULT_TOKEN_SECRET;
        assert!(known, "README documents `{name}`, which the settings table does not have");
    }
}

mod wrangler {
    use serde_json::json;
    use tiktok_edge::edge::check_wrangler;

    fn paths(errors: &[tiktok_edge::Error]) -> Vec<&str> {
        errors.iter().map(|e| e.path()).collect()
    }

    const DEST: &str = r#"{"destinations": [{"id": "t", "type": "events_api", "pixel_id": "CPIXEL1"}]}"#;

    #[test]
    fn environments_share_the_top_level_vars_and_may_add_their_own() {
        let doc = json!({"vars": {"DESTINATIONS": DEST, "LOG_LEVEL": "warn"},
            "env": {"queued": {"vars": {"DESTINATIONS": DEST, "LOG_LEVEL": "warn", "QUEUE_MAX_ATTEMPTS": 3}}}});
        let c = check_wrangler(&doc, None);
        assert_eq!(c.errors, []);
        assert_eq!(
            c.environments,
            [("".to_owned(), vec!["t".to_owned()]), ("queued".to_owned(), vec!["t".to_owned()])]
        );
        let doc = json!({"vars": {"DESTINATIONS": DEST, "LOG_LEVEL": "warn"},
            "env": {"queued": {"vars": {"DESTINATIONS": DEST.replace("CPIXEL1", "COTHER")}}}});
        let c = check_wrangler(&doc, None);
        assert_eq!(paths(&c.errors), ["env.queued.vars.DESTINATIONS", "env.queued.vars.LOG_LEVEL"]);
        assert_eq!(c.errors[0].code(), "invalid_setting", "differs");
        assert_eq!(c.errors[1].code(), "missing_setting", "not inherited");
    }

    #[test]
    fn a_table_and_its_json_text_are_the_same_value() {
        let table: serde_json::Value = serde_json::from_str(DEST).unwrap();
        let doc = json!({"vars": {"DESTINATIONS": table}, "env": {"queued": {"vars": {"DESTINATIONS": DEST}}}});
        assert_eq!(check_wrangler(&doc, None).errors, []);
    }

    #[test]
    fn placeholders_are_reported_apart_with_their_path() {
        let doc = json!({"vars": {"DESTINATIONS": {"destinations": [
            {"id": "a", "type": "events_api", "pixel_id": "CPIXEL1"},
            {"id": "b", "type": "offline_events", "event_set_id": "YOUR_EVENT_SET_ID"}]}}});
        let c = check_wrangler(&doc, None);
        assert_eq!(paths(&c.placeholders), ["vars.DESTINATIONS.destinations[1].event_set_id"]);
    }

    #[test]
    fn secrets_and_unknown_vars_are_refused() {
        let doc =
            json!({"vars": {"DESTINATIONS": DEST, "INGEST_TOKEN": "x", "TIKTOK_ACCESS_TOKEN": "y", "MAX_BODY": "1"}});
        let c = check_wrangler(&doc, None);
        assert_eq!(paths(&c.errors), ["vars.INGEST_TOKEN", "vars.MAX_BODY", "vars.TIKTOK_ACCESS_TOKEN"]);
        assert!(!format!("{:?}", c.errors).contains("\"x\""));
    }

    #[test]
    fn non_table_vars_are_errors() {
        let c = check_wrangler(&json!({"vars": "DESTINATIONS=x"}), None);
        assert_eq!(paths(&c.errors), ["vars", "vars.DESTINATIONS"]);
    }
}
