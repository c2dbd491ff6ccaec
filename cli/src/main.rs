//! `tiktok-edge validate --config FILE`
//! `tiktok-edge check-wrangler [--env NAME] [--dev] [--text] [wrangler.toml]`
//! `tiktok-edge preview --config FILE --event FILE [--now MS] [--cookie STR] [--ip IP]
//!                      [--user-agent UA] [--api-base URL]`
//!
//! `tiktok-edge schema`   (the JSON Schema of the config)
//! `tiktok-edge --help`
//!
//! Same core as the Worker and the npm package, no network. Tokens are read from
//! the environment variables the destinations name (default TIKTOK_ACCESS_TOKEN)
//! and printed only as `<redacted>`.

use serde_json::{json, Value};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};
use tiktok_edge::edge::check_wrangler;
use tiktok_edge::{intake, node, results_for, Config, RequestContext, Secrets, Tokens};

const USAGE: &str = "usage:
  tiktok-edge validate --config FILE
  tiktok-edge preview --config FILE --event FILE [--now MS] [--cookie STR] [--ip IP] [--user-agent UA] [--api-base URL]
  tiktok-edge check-wrangler [--env NAME] [--dev] [--text] [FILE]   (FILE: wrangler.toml or .json; default wrangler.toml)
  tiktok-edge schema     print the JSON Schema of the config (the repository's schema.json)
  tiktok-edge --help";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok((out, code)) => {
            println!("{out}");
            ExitCode::from(code)
        }
        Err(msg) => {
            eprintln!("tiktok-edge: {msg}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// Returns the JSON to print and the exit code; Err is a usage or I/O problem.
fn run(args: &[String]) -> Result<(String, u8), String> {
    let (command, rest) = args.split_first().ok_or("missing command")?;
    match command.as_str() {
        "--help" | "-h" | "help" => return Ok((USAGE.to_owned(), 0)),
        "schema" if rest.is_empty() => return Ok((tiktok_edge::schema::text().trim_end().to_owned(), 0)),
        "schema" => return Err("schema takes no arguments".into()),
        "check-wrangler" => return wrangler(rest),
        _ => {}
    }
    let flags = Flags::parse(rest)?;
    let config_text = read(flags.get("--config").ok_or("--config FILE is required")?)?;
    let config = match Config::from_json(&config_text) {
        Ok(c) => c,
        Err(e) => return Ok((pretty(&json!({"valid": false, "errors": e.errors})), 1)),
    };
    match command.as_str() {
        "validate" => {
            flags.only(&["--config"])?;
            let ids: Vec<&str> = config.destinations.iter().map(|d| d.id.as_str()).collect();
            Ok((pretty(&json!({"valid": true, "destinations": ids})), 0))
        }
        "preview" => {
            flags.only(&["--config", "--event", "--now", "--cookie", "--ip", "--user-agent", "--api-base"])?;
            let config = match flags.get("--api-base") {
                Some(base) => config.with_api_base(base),
                None => config,
            };
            let event_text = read(flags.get("--event").ok_or("--event FILE is required")?)?;
            let input = node::parse(&event_text).map_err(|e| format!("--event: not valid JSON: {e}"))?;
            // One event, an array, or CA's `{"batch": [...]}`, at most 1,000 as for the Worker.
            intake::events(&input).map_err(|e| format!("--event: {e}"))?;
            let input = intake::unwrap(&input).map_err(|e| format!("--event: {e}"))?;
            let ctx = RequestContext {
                now_ms: match flags.get("--now") {
                    Some(n) => n.parse().map_err(|_| "--now must be Unix milliseconds")?,
                    None => now_ms(),
                },
                cookie: flags.get("--cookie").map(str::to_owned),
                ip: flags.get("--ip").map(str::to_owned),
                user_agent: flags.get("--user-agent").map(str::to_owned),
            };
            let mut secrets = Secrets::new();
            for d in &config.destinations {
                if let Ok(v) = std::env::var(&d.token_secret) {
                    secrets.insert(d.token_secret.clone(), v);
                }
            }
            let results = results_for(&config, input, &ctx, &secrets, Tokens::Redacted);
            Ok((pretty(&json!({"results": results})), 0))
        }
        other => Err(format!("unknown command `{other}`")),
    }
}

/// `check-wrangler`: the vars of every environment (or of the top level and `--env`) checked
/// like the Worker reads them. `--dev`: placeholders are warnings (wrangler dev overrides them).
fn wrangler(args: &[String]) -> Result<(String, u8), String> {
    let (mut env, mut dev, mut text_out, mut file) = (None, false, false, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--env" | "-e" => env = Some(it.next().ok_or("--env needs a name")?.as_str()),
            "--dev" => dev = true,
            "--text" => text_out = true,
            flag if flag.starts_with('-') => return Err(format!("unknown option `{flag}`")),
            path if file.is_none() => file = Some(path),
            extra => return Err(format!("unexpected argument `{extra}`")),
        }
    }
    let file = file.unwrap_or("wrangler.toml");
    let text = read(file)?;
    let doc: Value = if file.ends_with(".json") {
        serde_json::from_str(&text).map_err(|e| format!("{file}: not valid JSON: {e}"))?
    } else {
        let table: toml::Table = text.parse().map_err(|e| format!("{file}: not valid TOML: {e}"))?;
        serde_json::to_value(table).map_err(|e| format!("{file}: {e}"))?
    };
    let check = check_wrangler(&doc, env);
    let (errors, warnings) = if dev {
        (check.errors, check.placeholders)
    } else {
        (check.errors.into_iter().chain(check.placeholders).collect(), Vec::new())
    };
    let valid = errors.is_empty();
    let environments: Vec<Value> = check
        .environments
        .into_iter()
        .map(|(name, ids)| json!({"env": (!name.is_empty()).then_some(name), "destinations": ids}))
        .collect();
    if text_out {
        let lines: Vec<String> = errors
            .iter()
            .map(|e| format!("{file}: error: {e}"))
            .chain(warnings.iter().map(|w| format!("{file}: warning: {w}")))
            .collect();
        let summary = match valid {
            true => format!("{file}: valid ({} environments checked)", environments.len()),
            false => format!("{file}: invalid ({} errors)", errors.len()),
        };
        return Ok((lines.into_iter().chain([summary]).collect::<Vec<_>>().join("\n"), u8::from(!valid)));
    }
    let out = json!({"valid": valid, "environments": environments, "errors": errors, "warnings": warnings});
    Ok((pretty(&out), u8::from(!valid)))
}

struct Flags(Vec<(String, String)>);

impl Flags {
    fn parse(args: &[String]) -> Result<Flags, String> {
        let mut out = Vec::new();
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            if !flag.starts_with("--") {
                return Err(format!("unexpected argument `{flag}`"));
            }
            let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
            out.push((flag.clone(), value.clone()));
        }
        Ok(Flags(out))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().rev().find(|(f, _)| f == name).map(|(_, v)| v.as_str())
    }

    fn only(&self, allowed: &[&str]) -> Result<(), String> {
        match self.0.iter().find(|(f, _)| !allowed.contains(&f.as_str())) {
            Some((f, _)) => Err(format!("unknown option `{f}`")),
            None => Ok(()),
        }
    }
}

fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
