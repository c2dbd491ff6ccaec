//! Checks a Wrangler configuration (wrangler.toml read as JSON, or wrangler.json) before a
//! deploy: the vars of the top level and of every environment go through
//! [`EdgeSettings::from_vars`], so an invalid setting stops the build with its path instead of
//! reaching Cloudflare. Also refused: an environment whose vars lack or differ from a top-level
//! one (Wrangler does not inherit vars into environments, so `[env.queued]` would silently run
//! with other destinations), secrets written as vars, vars this Worker does not read (typos),
//! and placeholders (`YOUR_PIXEL_ID`) left in `DESTINATIONS`, reported apart so that
//! `wrangler dev`, whose `.dev.vars` and `--var` override them, can let them pass.

use super::{EdgeSettings, SETTINGS};
use crate::config::DEFAULT_TOKEN_SECRET;
use crate::error::Error;
use serde_json::{Map, Value};

/// Values starting with this are placeholders of the committed wrangler.toml.
pub const PLACEHOLDER_PREFIX: &str = "YOUR_";

/// What [`check_wrangler`] found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WranglerCheck {
    /// Each environment checked (`""` for the top level) and its destination ids.
    pub environments: Vec<(String, Vec<String>)>,
    /// Problems, each path rooted in the file (`env.queued.vars.LOG_LEVEL`).
    pub errors: Vec<Error>,
    /// Placeholders left in `DESTINATIONS`: errors for a deploy, not for `wrangler dev`.
    pub placeholders: Vec<Error>,
}

/// Checks the top level and every environment of a Wrangler config document, or only the
/// top level and `only` when given (an unknown name is an error).
pub fn check_wrangler(doc: &Value, only: Option<&str>) -> WranglerCheck {
    let mut out = WranglerCheck::default();
    let empty = Map::new();
    let top = match doc.get("vars") {
        None => &empty,
        Some(Value::Object(m)) => m,
        Some(_) => {
            out.errors.push(invalid("vars", "must be a table of vars"));
            &empty
        }
    };
    check_vars(&mut out, "", "vars", top);
    let envs = match doc.get("env") {
        Some(Value::Object(m)) => m.iter().collect::<Vec<_>>(),
        _ => Vec::new(),
    };
    if let Some(name) = only.filter(|n| !envs.iter().any(|(e, _)| e == n)) {
        let known: Vec<&str> = envs.iter().map(|(e, _)| e.as_str()).collect();
        out.errors.push(invalid(&format!("env.{name}"), &format!("no such environment; defined: {}", list(&known))));
    }
    for (name, env) in envs.into_iter().filter(|(n, _)| only.is_none_or(|o| o == *n)) {
        let base = format!("env.{name}.vars");
        let vars = match env.get("vars") {
            None => &empty,
            Some(Value::Object(m)) => m,
            Some(_) => {
                out.errors.push(invalid(&base, "must be a table of vars"));
                continue;
            }
        };
        for (key, value) in top {
            match vars.get(key) {
                None => out.errors.push(Error::MissingSetting {
                    path: format!("{base}.{key}"),
                    message:
                        "set in [vars] but not here: environments do not inherit vars, copy it with the same value"
                            .into(),
                }),
                Some(v) if !same(v, value) => out.errors.push(invalid(
                    &format!("{base}.{key}"),
                    "differs from [vars]: environments must share the top-level vars (keep them in step)",
                )),
                Some(_) => {}
            }
        }
        check_vars(&mut out, name, &base, vars);
    }
    out
}

fn check_vars(out: &mut WranglerCheck, environment: &str, base: &str, vars: &Map<String, Value>) {
    for key in vars.keys() {
        let row = SETTINGS.iter().find(|s| s.name == key);
        if row.is_some_and(|s| s.secret) || key == DEFAULT_TOKEN_SECRET {
            let message =
                format!("a secret: set it with `wrangler secret put {key}` (or in .dev.vars), never in wrangler.toml");
            out.errors.push(invalid(&format!("{base}.{key}"), &message));
        } else if row.is_none() {
            let supported: Vec<&str> = SETTINGS.iter().filter(|s| !s.secret).map(|s| s.name).collect();
            out.errors.push(Error::UnknownKey { path: format!("{base}.{key}"), supported });
        }
    }
    // Only the vars: secrets are not in the file, and a missing token is the core's
    // per-destination `missing_secret`, not a config error.
    let get = |name: &str| match vars.get(name) {
        _ if SETTINGS.iter().any(|s| s.name == name && s.secret) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
        None => None,
    };
    match EdgeSettings::from_vars(get) {
        Ok(s) => {
            let ids = s.config.destinations.iter().map(|d| d.id.clone()).collect();
            out.environments.push((environment.to_owned(), ids));
        }
        Err(e) => {
            for e in e.errors.into_iter().map(|e| rooted(e, base)) {
                // A var an environment lacks is already reported as not inherited.
                if !out.errors.iter().any(|seen| seen.path() == e.path()) {
                    out.errors.push(e);
                }
            }
        }
    }
    if let Some(doc) = vars.get("DESTINATIONS") {
        let parsed;
        let doc = match doc {
            Value::String(text) => match serde_json::from_str::<Value>(text) {
                Ok(v) => {
                    parsed = v;
                    &parsed
                }
                Err(_) => return,
            },
            other => other,
        };
        placeholders(doc, &format!("{base}.DESTINATIONS"), &mut out.placeholders);
    }
}

/// Every string value starting with [`PLACEHOLDER_PREFIX`], with its path.
fn placeholders(v: &Value, path: &str, out: &mut Vec<Error>) {
    match v {
        Value::String(s) if s.starts_with(PLACEHOLDER_PREFIX) => out.push(invalid(
            path,
            &format!("`{s}` is a placeholder: put your own value here before deploying (wrangler dev may override it in .dev.vars or with --var)"),
        )),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                placeholders(item, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                placeholders(item, &format!("{path}.{k}"), out);
            }
        }
        _ => {}
    }
}

/// Vars compare by value; JSON text compares as JSON (formatting aside).
fn same(a: &Value, b: &Value) -> bool {
    let json = |v: &Value| match v {
        Value::String(s) => serde_json::from_str::<Value>(s).ok().filter(|j| j.is_object() || j.is_array()),
        other => Some(other.clone()),
    };
    a == b || json(a).is_some_and(|ja| json(b).is_some_and(|jb| ja == jb))
}

/// An error of `from_vars` (path `LOG_LEVEL`, or `destinations[0].pixel_id` inside
/// DESTINATIONS) with its path rooted in the file.
fn rooted(e: Error, base: &str) -> Error {
    let root = |p: &str| {
        if p.is_empty() {
            format!("{base}.DESTINATIONS")
        } else if SETTINGS.iter().any(|s| s.name == p) {
            format!("{base}.{p}")
        } else {
            format!("{base}.DESTINATIONS.{p}")
        }
    };
    match e {
        Error::InvalidSetting { path, message } => Error::InvalidSetting { path: root(&path), message },
        Error::MissingSetting { path, message } => Error::MissingSetting { path: root(&path), message },
        Error::UnknownKey { path, supported } => Error::UnknownKey { path: root(&path), supported },
        Error::UnknownDestinationType { path, supported } => {
            Error::UnknownDestinationType { path: root(&path), supported }
        }
        other => other,
    }
}

fn invalid(path: &str, message: &str) -> Error {
    Error::InvalidSetting { path: path.into(), message: message.into() }
}

fn list(names: &[&str]) -> String {
    match names {
        [] => "none".into(),
        _ => names.join(", "),
    }
}
