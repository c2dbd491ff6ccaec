//! `tiktok-edge check-wrangler`: the committed wrangler.toml, every kind of problem, the
//! dev/deploy distinction, and the README's wrangler.toml snippets as they would be pasted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// (exit code, JSON output) of `check-wrangler ARGS FILE`.
fn check(args: &[&str], file: &Path) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_tiktok-edge"))
        .arg("check-wrangler")
        .args(args)
        .arg(file)
        .current_dir(root())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    (out.status.code().unwrap(), serde_json::from_str(&stdout).unwrap_or_else(|_| json!({"text": stdout})))
}

fn write(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tte-wrangler-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn paths(v: &Value, key: &str) -> Vec<String> {
    v[key].as_array().unwrap().iter().map(|e| e["path"].as_str().unwrap().to_owned()).collect()
}

const HEAD: &str = "name = \"w\"\nmain = \"worker/build/index.js\"\ncompatibility_date = \"2026-04-01\"\n";
const DESTINATIONS: &str =
    r#"DESTINATIONS = '{"destinations": [{"id": "tiktok", "type": "events_api", "pixel_id": "CPIXEL1"}]}'"#;

#[test]
fn the_committed_wrangler_toml_is_refused_for_deploy_only_for_its_placeholders() {
    let file = root().join("wrangler.toml");
    let (code, out) = check(&[], &file);
    assert_eq!(code, 1);
    let placeholder =
        ["vars.DESTINATIONS.destinations[0].pixel_id", "env.queued.vars.DESTINATIONS.destinations[0].pixel_id"];
    assert_eq!(paths(&out, "errors"), placeholder);
    assert!(out["errors"][0]["message"].as_str().unwrap().contains("`YOUR_PIXEL_ID` is a placeholder"));
    let (code, out) = check(&["--dev"], &file);
    assert_eq!(code, 0, "{out}");
    assert_eq!(paths(&out, "warnings"), placeholder);
    assert_eq!(
        out["environments"],
        json!([{"env": null, "destinations": ["tiktok"]}, {"env": "queued", "destinations": ["tiktok"]}])
    );
}

#[test]
fn a_valid_file_passes_and_text_output_names_the_paths() {
    let ok =
        write("ok.toml", &format!("{HEAD}[vars]\n{DESTINATIONS}\nLOG_LEVEL = \"warn\"\nMAX_BODY_BYTES = 2097152\n"));
    let (code, out) = check(&[], &ok);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["errors"], json!([]));
    let bad = write("bad.toml", &format!("{HEAD}[vars]\n{DESTINATIONS}\nLOG_LEVEL = \"debug\"\n"));
    let (code, out) = check(&["--text"], &bad);
    assert_eq!(code, 1);
    let text = out["text"].as_str().unwrap();
    assert!(text.contains("error: vars.LOG_LEVEL: must be one of info, warn, off, not `debug`"), "{text}");
    assert!(text.trim_end().ends_with("invalid (1 errors)"), "{text}");
}

#[test]
fn every_setting_problem_is_reported_with_its_path_in_the_file() {
    let file = write(
        "settings.toml",
        &format!(
            "{HEAD}[vars]\n{DESTINATIONS}\nMAX_BODY_BYTES = \"1MB\"\nCOOKIE_REFRESH = \"no\"\nPROXY_ORIGIN = \"origin.example.com\"\n\
             ALLOWED_ORIGINS = \"https://shop.example.com/path\"\nAPI_PREFIX = \"_tt\"\nLOG_LEVL = \"warn\"\nINGEST_TOKEN = \"t\"\n\
             TIKTOK_ACCESS_TOKEN = \"t\"\n"
        ),
    );
    let (code, out) = check(&["--dev"], &file);
    assert_eq!(code, 1, "--dev only spares placeholders");
    let mut got = paths(&out, "errors");
    got.sort();
    let want = [
        "vars.ALLOWED_ORIGINS",
        "vars.API_PREFIX",
        "vars.COOKIE_REFRESH",
        "vars.INGEST_TOKEN",
        "vars.LOG_LEVL",
        "vars.MAX_BODY_BYTES",
        "vars.PROXY_ORIGIN",
        "vars.TIKTOK_ACCESS_TOKEN",
    ];
    assert_eq!(got, want);
    let by_path = |p: &str| out["errors"].as_array().unwrap().iter().find(|e| e["path"] == p).unwrap().clone();
    assert_eq!(by_path("vars.LOG_LEVL")["code"], "unknown_key");
    assert!(by_path("vars.INGEST_TOKEN")["message"].as_str().unwrap().contains("wrangler secret put INGEST_TOKEN"));
    assert!(!out.to_string().contains("\"t\""), "secret values are never echoed");
}

#[test]
fn destinations_problems_carry_their_path_inside_the_var_in_both_forms() {
    let string = write(
        "dest.toml",
        &format!(
            "{HEAD}[vars]\nDESTINATIONS = '{{\"destinations\": [{{\"id\": \"x\", \"type\": \"events_api\"}}]}}'\n"
        ),
    );
    assert_eq!(paths(&check(&[], &string).1, "errors"), ["vars.DESTINATIONS.destinations[0].pixel_id"]);
    let table = write(
        "table.toml",
        &format!(
            "{HEAD}[vars.DESTINATIONS]\ndestinations = [{{ id = \"x\", type = \"events_api\", pixl_id = \"C1\" }}]\n"
        ),
    );
    let (code, out) = check(&[], &table);
    assert_eq!(code, 1);
    assert!(paths(&out, "errors").contains(&"vars.DESTINATIONS.destinations[0].pixl_id".to_owned()), "{out}");
    let missing = write("missing.toml", &format!("{HEAD}[vars]\nLOG_LEVEL = \"warn\"\n"));
    let (_, out) = check(&[], &missing);
    assert_eq!(out["errors"][0]["code"], "missing_setting");
    assert_eq!(out["errors"][0]["path"], "vars.DESTINATIONS");
    let json_text = write("bad-json.toml", &format!("{HEAD}[vars]\nDESTINATIONS = '{{destinations: []}}'\n"));
    assert!(check(&[], &json_text).1["errors"][0]["message"].as_str().unwrap().starts_with("not valid JSON"));
}

#[test]
fn an_environment_must_share_the_top_level_vars() {
    let other = r#"DESTINATIONS = '{"destinations": [{"id": "tiktok", "type": "events_api", "pixel_id": "COTHER"}]}'"#;
    let file = write(
        "envs.toml",
        &format!(
            "{HEAD}[vars]\n{DESTINATIONS}\nLOG_LEVEL = \"warn\"\n\n[env.queued.vars]\n{other}\nQUEUE_MAX_ATTEMPTS = \"5\"\n\n\
             [env.same.vars]\nDESTINATIONS = '{{ \"destinations\":[{{\"id\":\"tiktok\",\"type\":\"events_api\",\"pixel_id\":\"CPIXEL1\"}}]}}'\nLOG_LEVEL = \"warn\"\n\n\
             [env.bare]\nname = \"w-bare\"\n"
        ),
    );
    let (code, out) = check(&[], &file);
    assert_eq!(code, 1);
    let got = paths(&out, "errors");
    let want = [
        "env.queued.vars.DESTINATIONS",
        "env.queued.vars.LOG_LEVEL",
        "env.bare.vars.DESTINATIONS",
        "env.bare.vars.LOG_LEVEL",
    ];
    let mut got_sorted = got.clone();
    got_sorted.sort();
    let mut want_sorted = want.map(String::from).to_vec();
    want_sorted.sort();
    assert_eq!(got_sorted, want_sorted, "`same` differs only in JSON formatting: accepted");
    let by_path =
        |p: &str| out["errors"].as_array().unwrap().iter().filter(|e| e["path"] == p).cloned().collect::<Vec<_>>();
    assert!(by_path("env.queued.vars.DESTINATIONS")[0]["message"].as_str().unwrap().contains("differs from [vars]"));
    assert!(by_path("env.queued.vars.LOG_LEVEL")[0]["message"].as_str().unwrap().contains("do not inherit vars"));
    let (code, out) = check(&["--env", "same"], &file);
    assert_eq!(code, 0, "--env checks the top level and that environment only: {out}");
    let (code, out) = check(&["--env", "nope"], &file);
    assert_eq!(code, 1);
    assert_eq!(paths(&out, "errors"), ["env.nope"]);
}

#[test]
fn wrangler_json_is_read_too() {
    let file = write(
        "wrangler.json",
        r#"{"name": "w", "vars": {"DESTINATIONS": {"destinations": [{"id": "t", "type": "events_api", "pixel_id": "YOUR_PIXEL_ID"}]}}}"#,
    );
    let (code, out) = check(&[], &file);
    assert_eq!(code, 1);
    assert_eq!(paths(&out, "errors"), ["vars.DESTINATIONS.destinations[0].pixel_id"]);
}

#[test]
fn usage_errors_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_tiktok-edge")).args(["check-wrangler", "--bogus"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out =
        Command::new(env!("CARGO_BIN_EXE_tiktok-edge")).args(["check-wrangler", "/nonexistent.toml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let bad = write("broken.toml", "[vars\n");
    let out = Command::new(env!("CARGO_BIN_EXE_tiktok-edge")).arg("check-wrangler").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid TOML"));
}

/// Every ```toml block of the README, pasted as the whole wrangler.toml, passes the check
/// for `wrangler dev` (only placeholders left, which a deploy refuses).
#[test]
fn the_readme_wrangler_toml_snippets_paste_as_they_are() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match (&mut current, line.trim()) {
            (None, "```toml") => current = Some(String::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(text), _) => {
                text.push_str(line.trim_start_matches("   "));
                text.push('\n');
            }
            (None, _) => {}
        }
    }
    assert!(!blocks.is_empty(), "the README has wrangler.toml snippets");
    for (i, block) in blocks.iter().enumerate() {
        let file = write(&format!("readme-{i}.toml"), block);
        let (code, out) = check(&["--dev"], &file);
        assert_eq!(code, 0, "README snippet {i}:\n{block}\n{out}");
        for w in out["warnings"].as_array().unwrap() {
            assert!(w["message"].as_str().unwrap().contains("is a placeholder"), "{w}");
        }
    }
}
