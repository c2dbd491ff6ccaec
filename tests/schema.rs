//! `schema.json` (committed at the repository root, shipped in the npm package) is
//! exactly what the generator makes from the settings tables, and the README's
//! settings reference names every setting of those tables with its default.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::PathBuf;
use tiktok_edge::config::settings::Setting;
use tiktok_edge::config::{COMMON, DESTINATION_TYPES, TOP};
use tiktok_edge::mapping::slots::SLOTS;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn committed_schema_json_equals_the_generator_output() {
    let path = root().join("schema.json");
    let generated = tiktok_edge::schema::text();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "schema.json is not what the settings tables generate: regenerate it with\n  \
         UPDATE_SCHEMA=1 cargo test --test schema\n\
         (or `cargo run -q -p tiktok-edge-cli -- schema > schema.json`) and review the diff"
    );
}

/// The rows of the settings table under `heading`: (keys of the first column, second column).
fn table(readme: &str, heading: &str) -> Vec<(Vec<String>, String)> {
    let start = readme.find(heading).unwrap_or_else(|| panic!("README: no `{heading}`"));
    let section = &readme[start + heading.len()..];
    let section = &section[..section.find("\n#").unwrap_or(section.len())];
    // The table whose header starts with `| key |` or `| slot |`, up to its end.
    let lines = section.lines().skip_while(|l| !(l.starts_with("| key |") || l.starts_with("| slot |")));
    let mut rows = Vec::new();
    for line in lines.take_while(|l| l.starts_with('|')).filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        let keys = cells[0].split(", ").map(|k| k.trim_matches('`').to_owned()).collect();
        rows.push((keys, cells.get(1).copied().unwrap_or("").to_owned()));
    }
    rows
}

/// Every setting has one row, no row names a key the tables lack, and the default
/// column shows the table's default (or `required`).
fn check(readme: &str, heading: &str, settings: &[&Setting]) {
    let rows = table(readme, heading);
    let documented: Vec<&String> = rows.iter().flat_map(|(keys, _)| keys).collect();
    for s in settings {
        let row = rows.iter().find(|(keys, _)| keys.iter().any(|k| k == s.key));
        let Some((_, default)) = row else { panic!("README `{heading}`: no row for `{}`", s.key) };
        if s.required {
            assert!(default.starts_with("required"), "README `{heading}` `{}`: say it is required", s.key);
        } else if let Some(json) = s.default {
            let shown = match serde_json::from_str::<serde_json::Value>(json).unwrap() {
                serde_json::Value::String(text) => text,
                other => other.to_string(),
            };
            assert!(
                default.contains(&format!("`{shown}`")),
                "README `{heading}` `{}`: the default is `{shown}`, the README says {default}",
                s.key
            );
        }
    }
    for key in documented {
        assert!(settings.iter().any(|s| s.key == key), "README `{heading}`: `{key}` is not a setting");
    }
}

#[test]
fn readme_settings_reference_matches_the_tables() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    check(&readme, "### Top level", &TOP.iter().collect::<Vec<_>>());
    check(&readme, "### Every destination", &COMMON.iter().collect::<Vec<_>>());
    for t in DESTINATION_TYPES {
        let own: Vec<&Setting> = t.settings.iter().flat_map(|s| s.iter()).collect();
        check(&readme, &format!("### `{}`", t.name), &own);
    }
    let rows = table(&readme, "### Smart Mapping slots");
    let keys: Vec<&str> = rows.iter().map(|(k, _)| k[0].as_str()).collect();
    let slots: Vec<&str> = SLOTS.iter().map(|s| s.key).collect();
    assert_eq!(keys, slots, "README Smart Mapping slots: one row per slot, in the core's order");
    for (def, (_, default)) in SLOTS.iter().zip(&rows) {
        match def.default {
            [] => assert!(default.starts_with("none"), "README slot `{}`: no default", def.key),
            paths => {
                // The paths in priority order: "`a`, then `b`".
                let mut at = 0;
                for path in paths {
                    let shown = format!("`{path}`");
                    let found = default.get(at..).and_then(|rest| rest.find(&shown));
                    assert!(found.is_some(), "README slot `{}`: {shown} missing or out of order in {default}", def.key);
                    at += found.unwrap_or(0) + shown.len();
                }
                assert!(default.starts_with(&format!("`{}`", paths[0])), "README slot `{}`", def.key);
            }
        }
    }
}
