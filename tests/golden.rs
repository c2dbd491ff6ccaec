//! Golden tests: every file in tests/fixtures/<group>/ is one behaviour, named as
//! a sentence. A fixture holds its input and the expected output, checked in:
//!
//! - events (one folder per destination type, and `commanders_act` for the events
//!   of CA's own documentation): `{"settings"?, "config"?, "event" | "input",
//!   "context"?, "secrets"?, "expected"}`; `settings` are merged into the folder's
//!   `_base_destination.json`, or `config` replaces it. `input` is any shape the
//!   intake reads (an event, an array, `{"batch": [...]}`): results carry `index`.
//! - config: `{"config", "expected_errors"}`.
//!
//! `UPDATE_GOLDEN=1 cargo test --test golden` rewrites `expected` (review the diff!).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use serde_json::value::RawValue;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use tiktok_edge::node::{self, Node};
use tiktok_edge::{intake, plan, Config, RequestContext, Secrets};

/// The clock of every fixture that does not set one: 2026-01-01T00:00:00Z.
const DEFAULT_NOW_MS: i64 = 1_767_225_600_000;
const GROUPS: &[&str] = &["events_api", "offline_events", "order_sync", "commanders_act", "config"];

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn fixture_files(group: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(fixtures_dir().join(group))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "json") && !p.file_name().unwrap().to_string_lossy().starts_with('_')
        })
        .collect();
    files.sort();
    files
}

/// Builds the config document of an events fixture.
fn config_of(group: &str, fixture: &Map<String, Value>) -> Value {
    if let Some(c) = fixture.get("config") {
        return c.clone();
    }
    let base = fs::read_to_string(fixtures_dir().join(group).join("_base_destination.json")).unwrap();
    let mut dest: Map<String, Value> = serde_json::from_str(&base).unwrap();
    if let Some(Value::Object(settings)) = fixture.get("settings") {
        for (k, v) in settings {
            dest.insert(k.clone(), v.clone());
        }
    }
    json!({"destinations": [dest]})
}

/// Plans the fixture's `event` or `input` as the bindings do: read from its text by
/// `node::parse`. The same input read through serde_json's tree must plan to the same text.
fn run_events(group: &str, fixture: &Map<String, Value>, raw: &BTreeMap<String, Box<RawValue>>) -> Value {
    let config =
        Config::from_value(&config_of(group, fixture)).unwrap_or_else(|e| panic!("fixture config is invalid: {e}"));
    let ctx_json = fixture.get("context").cloned().unwrap_or(json!({}));
    let text = |k: &str| ctx_json.get(k).and_then(Value::as_str).map(str::to_owned);
    let ctx = RequestContext {
        now_ms: ctx_json.get("now").and_then(Value::as_i64).unwrap_or(DEFAULT_NOW_MS),
        cookie: text("cookie"),
        ip: text("ip"),
        user_agent: text("user_agent"),
    };
    let mut secrets = Secrets::new();
    match fixture.get("secrets") {
        Some(Value::Object(m)) => m.iter().for_each(|(k, v)| secrets.insert(k.clone(), v.as_str().unwrap())),
        _ => secrets.insert("TIKTOK_ACCESS_TOKEN", "test-token"),
    }
    let key = if fixture.contains_key("input") { "input" } else { "event" };
    let read = node::parse(raw[key].get()).unwrap_or_else(|e| panic!("fixture {key}: {e}"));
    let viewed = Node::from_value(&fixture[key]);
    let run = |input: &Node<'_>| -> String {
        if key == "event" {
            return serde_json::to_string(&plan(&config, input, &ctx, &secrets)).unwrap();
        }
        let list = intake::is_list(input);
        let events = intake::events(input).unwrap_or_else(|e| panic!("fixture input: {e}"));
        let mut out = Vec::new();
        for (i, event) in events.into_iter().enumerate() {
            for mut result in plan(&config, event, &ctx, &secrets) {
                result.index = list.then_some(i);
                out.push(result);
            }
        }
        serde_json::to_string(&out).unwrap()
    };
    let first = run(&read);
    assert_eq!(first, run(&read), "output is not deterministic");
    assert_eq!(first, run(&viewed), "the event reader and serde_json's tree disagree");
    assert!(!first.contains("test-token"), "a token leaked into the result");
    serde_json::from_str(&first).unwrap()
}

fn run_config(fixture: &Map<String, Value>) -> Value {
    match Config::from_value(&fixture["config"]) {
        Ok(_) => json!([]),
        Err(e) => serde_json::to_value(&e.errors).unwrap(),
    }
}

/// Runs every fixture as its own test (custom harness: `harness = false` in Cargo.toml),
/// printing libtest-style lines. Arguments filter by file name, as with libtest.
fn main() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let (mut passed, mut failed) = (0, Vec::new());
    for group in GROUPS {
        let key = if *group == "config" { "expected_errors" } else { "expected" };
        for file in fixture_files(group) {
            let name = format!("{group}/{}", file.file_stem().unwrap().to_string_lossy());
            if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
                continue;
            }
            let text = fs::read_to_string(&file).unwrap();
            let mut fixture: Map<String, Value> =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let raw: BTreeMap<String, Box<RawValue>> = serde_json::from_str(&text).unwrap();
            let actual = if *group == "config" { run_config(&fixture) } else { run_events(group, &fixture, &raw) };
            if fixture.get(key) == Some(&actual) {
                println!("test {name} ... ok");
                passed += 1;
            } else if update {
                fixture.insert(key.into(), actual);
                fs::write(&file, serde_json::to_string_pretty(&fixture).unwrap() + "\n").unwrap();
                println!("test {name} ... updated");
                passed += 1;
            } else {
                println!("test {name} ... FAILED");
                let expected = fixture.get(key).map(|v| serde_json::to_string_pretty(v).unwrap());
                failed.push(format!(
                    "---- {name} ----\n--- expected\n{}\n--- actual\n{}",
                    expected.unwrap_or_else(|| "(none)".into()),
                    serde_json::to_string_pretty(&actual).unwrap()
                ));
            }
        }
    }
    for f in &failed {
        println!("\n{f}");
    }
    let status = if failed.is_empty() { "ok" } else { "FAILED" };
    println!(
        "\ntest result: {status}. {passed} passed; {} failed; 0 ignored; 0 measured; 0 filtered out\n",
        failed.len()
    );
    assert!(passed + failed.len() > 0 || !filters.is_empty(), "no fixtures found");
    if !failed.is_empty() {
        std::process::exit(101);
    }
}
