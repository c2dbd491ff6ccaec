//! The CLI as a user runs it: real binary, real files, exit codes, JSON on stdout.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(args: &[&str], token: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tiktok-edge"));
    cmd.args(args).current_dir(root()).env_remove("TIKTOK_ACCESS_TOKEN");
    if let Some(t) = token {
        cmd.env("TIKTOK_ACCESS_TOKEN", t);
    }
    cmd.output().unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn validate_accepts_the_example_config() {
    let out = run(&["validate", "--config", "examples/config.json"], None);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["destinations"], serde_json::json!(["tiktok", "tiktok-offline", "tiktok-orders"]));
}

#[test]
fn validate_reports_every_error_with_its_path_and_exits_1() {
    let dir = std::env::temp_dir().join(format!("tte-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        r#"{"destinations":[{"id":"t","type":"events_api","pixl_id":"x"},{"id":"o","type":"offline"}]}"#,
    )
    .unwrap();
    let out = run(&["validate", "--config", bad.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    let errors = json(&out)["errors"].as_array().unwrap().clone();
    let paths: Vec<&str> = errors.iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["destinations[0].pixl_id", "destinations[0].pixel_id", "destinations[1].type"]);
}

#[test]
fn preview_prints_the_request_with_the_token_redacted() {
    let out = run(
        &["preview", "--config", "examples/config.json", "--event", "examples/purchase.json", "--now", "1767225600000"],
        Some("secret-token-value"),
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(!text.contains("secret-token-value"));
    let r = &json(&out)["results"][0];
    assert_eq!(r["status"], "ready");
    assert_eq!(r["request"]["headers"]["Access-Token"], "<redacted>");
    assert_eq!(r["request"]["body"]["data"][0]["user"]["ttp"], "2Xy9kQ3abcDEFghiJKL");
}

#[test]
fn preview_of_an_array_indexes_each_result() {
    let out = run(
        &[
            "preview",
            "--config",
            "examples/config.json",
            "--event",
            "examples/events.json",
            "--api-base",
            "http://127.0.0.1:9999",
        ],
        Some("t"),
    );
    let results = json(&out)["results"].as_array().unwrap().clone();
    let summary: Vec<(u64, &str, &str)> = results
        .iter()
        .map(|r| (r["index"].as_u64().unwrap(), r["destination"].as_str().unwrap(), r["status"].as_str().unwrap()))
        .collect();
    let ready: Vec<(u64, &str)> = summary.iter().filter(|(_, _, s)| *s == "ready").map(|(i, d, _)| (*i, *d)).collect();
    assert_eq!(summary.len(), 6 * 3, "one result per event and destination");
    assert_eq!(ready, [(0, "tiktok"), (1, "tiktok"), (4, "tiktok-offline"), (5, "tiktok-orders")]);
    assert_eq!(results[3]["event"], "LaunchAPP");
    assert_eq!(results[0]["request"]["url"], "http://127.0.0.1:9999/open_api/v1.3/event/track/");
    assert_eq!(results[17]["request"]["url"], "https://order-sync.example.com/hotel/order/sync");
}

#[test]
fn preview_passes_the_request_context() {
    let dir = std::env::temp_dir().join(format!("tte-cli-ctx-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ev = dir.join("ev.json");
    std::fs::write(&ev, r#"{"event_name":"purchase","user":{"consent_categories":["3"]}}"#).unwrap();
    let out = run(
        &[
            "preview",
            "--config",
            "examples/config.json",
            "--event",
            ev.to_str().unwrap(),
            "--now",
            "1767225600000",
            "--cookie",
            "_ttp=T1; ttclid=C1",
            "--ip",
            "192.0.2.7",
            "--user-agent",
            "UA/1",
        ],
        Some("t"),
    );
    let data = &json(&out)["results"][0]["request"]["body"]["data"][0];
    assert_eq!(data["event_time"], 1_767_225_600);
    assert_eq!(data["user"], serde_json::json!({"ttp": "T1", "ttclid": "C1", "ip": "192.0.2.7", "user_agent": "UA/1"}));
}

#[test]
fn a_preview_needs_no_token_and_usage_errors_exit_2() {
    let out = run(&["preview", "--config", "examples/config.json", "--event", "examples/purchase.json"], None);
    assert_eq!(out.status.code(), Some(0));
    let first = &json(&out)["results"][0];
    assert_eq!(first["status"], "ready");
    assert_eq!(first["request"]["headers"]["Access-Token"], "<missing: TIKTOK_ACCESS_TOKEN>");
    assert_eq!(first["warnings"][0], serde_json::json!({"code": "missing_secret", "path": "TIKTOK_ACCESS_TOKEN"}));
    assert_eq!(run(&["preview", "--config", "examples/config.json"], None).status.code(), Some(2));
    assert_eq!(run(&["frobnicate", "--config", "examples/config.json"], None).status.code(), Some(2));
    assert_eq!(run(&["validate", "--config", "nope.json"], None).status.code(), Some(2));
}

#[test]
fn preview_reads_the_batch_envelope_of_cas_http_tracking_api() {
    // CA's documented batch example: ids in context.event_id, times at the root.
    let out =
        run(&["preview", "--config", "examples/config.json", "--event", "examples/ca-http-api-batch.json"], Some("t"));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let results = json(&out)["results"].as_array().unwrap().clone();
    assert_eq!(results.len(), 2 * 3, "one result per event and destination");
    let first = &results[0];
    assert_eq!((first["index"].as_u64(), first["event"].as_str()), (Some(0), Some("AddPaymentInfo")));
    let data = &first["request"]["body"]["data"][0];
    assert_eq!(data["event_id"], "202210310000000000");
    assert_eq!(data["event_time"], 1_639_044_446);
    assert_eq!(results[3]["index"], 1);
    assert_eq!(results[3]["request"]["body"]["data"][0]["event_id"], "202210180000000000");
}

#[test]
fn a_bad_envelope_is_a_usage_error_naming_its_path() {
    let dir = std::env::temp_dir().join(format!("tte-cli-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"{"batch": {"event_name": "purchase"}}"#).unwrap();
    let out = run(&["preview", "--config", "examples/config.json", "--event", bad.to_str().unwrap()], Some("t"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--event: batch: must be an array of events, not an object"), "{stderr}");
}

#[test]
fn help_prints_the_usage_and_exits_0() {
    for flag in ["--help", "-h", "help"] {
        let out = run(&[flag], None);
        assert_eq!(out.status.code(), Some(0), "{flag}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.starts_with("usage:") && text.contains("tiktok-edge schema"), "{flag}: {text}");
    }
}

#[test]
fn schema_prints_the_committed_schema_json() {
    let out = run(&["schema"], None);
    assert_eq!(out.status.code(), Some(0));
    let committed = std::fs::read_to_string(root().join("schema.json")).unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), committed);
}
