//! The JSON Schema (draft 2020-12) of the destinations document, generated from
//! the settings tables (`config::settings`), the Smart Mapping slots and the
//! event-name tables: editors validate and complete a config with it. It says
//! what the parser accepts; the checks that need more than one value (unique
//! ids, template syntax, item slots on one array) stay with the parser.
//! `tiktok-edge schema` prints it; `schema.json` at the repository root is its
//! committed output (a test keeps them equal).

use crate::config::settings::{Kind, MapKind, Setting};
use crate::config::{DestinationType, COMMON, DESTINATION_TYPES, TOP};
use crate::tables::event_names::{EventRow, REV_2026_CHANGES, SEED};
use crate::tables::slots::{self, SLOTS};
use serde_json::{json, Map, Value};

const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";
const EVENT_NAME: &str = "#/$defs/tiktok_event_name";
/// Not blank: the parser treats `""` and whitespace as absent.
const NOT_BLANK: &str = "\\S";

/// The schema as a JSON value.
pub fn document() -> Value {
    let mut defs = Map::new();
    defs.insert("destination".into(), destination());
    defs.insert(
        "tiktok_event_name".into(),
        json!({
            "type": "string",
            "description": "A TikTok event name: a standard one (exact casing) or a custom one.",
            "examples": tiktok_event_names(),
        }),
    );
    for t in DESTINATION_TYPES {
        defs.insert(t.name.into(), destination_type(t));
    }
    let mut doc = object(TOP.iter());
    doc.insert("$schema".into(), DIALECT.into());
    doc.insert("title".into(), "tiktok-edge destinations".into());
    doc.insert(
        "description".into(),
        "The destinations document of tiktok-edge: the Worker's DESTINATIONS, the CLI's --config, the npm package's config argument.".into(),
    );
    doc.insert("$defs".into(), Value::Object(defs));
    Value::Object(doc)
}

/// The schema as the text committed in `schema.json` (two-space indent, final newline).
pub fn text() -> String {
    let mut out = serde_json::to_string_pretty(&document()).unwrap_or_default();
    out.push('\n');
    out
}

/// Any destination: `id` and `type`, then the type's own object.
fn destination() -> Value {
    let branches: Vec<Value> = DESTINATION_TYPES
        .iter()
        .map(|t| {
            json!({
                "if": {"properties": {"type": {"const": t.name}}, "required": ["type"]},
                "then": {"$ref": format!("#/$defs/{}", t.name)},
            })
        })
        .collect();
    let common: Vec<&Setting> = COMMON.iter().filter(|s| s.required).collect();
    let mut properties = Map::new();
    for s in &common {
        properties.insert(s.key.into(), property(s));
    }
    json!({
        "type": "object",
        "required": common.iter().map(|s| s.key).collect::<Vec<_>>(),
        "properties": properties,
        "allOf": branches,
    })
}

fn destination_type(t: &DestinationType) -> Value {
    let own = t.settings.iter().flat_map(|table| table.iter());
    let mut schema = object(COMMON.iter().chain(own));
    schema.insert("description".into(), t.description.into());
    // `type` is fixed within its branch.
    if let Some(Value::Object(properties)) = schema.get_mut("properties") {
        properties.insert("type".into(), json!({"const": t.name, "description": "The destination type."}));
    }
    if !t.requires_any.is_empty() {
        let any: Vec<Value> = t
            .requires_any
            .iter()
            .map(|k| json!({"required": [k], "properties": {*k: {"type": "string", "pattern": NOT_BLANK}}}))
            .collect();
        schema.insert("anyOf".into(), Value::Array(any));
    }
    Value::Object(schema)
}

/// A closed object of these settings.
fn object<'a>(settings: impl Iterator<Item = &'a Setting>) -> Map<String, Value> {
    let (mut properties, mut required) = (Map::new(), Vec::new());
    for s in settings {
        properties.insert(s.key.into(), property(s));
        if s.required {
            required.push(Value::from(s.key));
        }
    }
    let mut out = Map::new();
    out.insert("type".into(), "object".into());
    if !required.is_empty() {
        out.insert("required".into(), Value::Array(required));
    }
    out.insert("properties".into(), Value::Object(properties));
    out.insert("additionalProperties".into(), false.into());
    out
}

fn property(s: &Setting) -> Value {
    let mut schema = value_schema(s.kind, s.required);
    if !s.required {
        schema = nullable(schema);
    }
    if let Value::Object(map) = &mut schema {
        map.insert("description".into(), s.description.into());
        if let Some(default) = s.default.and_then(|d| serde_json::from_str::<Value>(d).ok()) {
            map.insert("default".into(), default);
        }
    }
    schema
}

/// What the parser accepts for a kind (before `null`, which every optional setting accepts).
fn value_schema(kind: Kind, required: bool) -> Value {
    let text = || match required {
        true => json!({"type": "string", "pattern": NOT_BLANK}),
        false => json!({"type": "string"}),
    };
    match kind {
        Kind::Template | Kind::Text => text(),
        Kind::Url => json!({"type": "string", "pattern": "^https?://"}),
        Kind::Bool(_) => json!({"type": "boolean"}),
        Kind::OneOf { values, any_case: false } => json!({"enum": values}),
        Kind::OneOf { values, any_case: true } => json!({
            "type": "string",
            "anyOf": [{"enum": values}, {"pattern": any_case_pattern(values)}],
        }),
        Kind::ListOf(values) => json!({"type": "array", "items": {"enum": values}}),
        Kind::Map(map) => {
            let mut schema = map_schema(map);
            if required {
                schema.insert("minProperties".into(), 1.into());
            }
            Value::Object(schema)
        }
        Kind::Slots => slots(),
        Kind::Destinations => json!({"type": "array", "items": {"$ref": "#/$defs/destination"}}),
    }
}

fn map_schema(kind: MapKind) -> Map<String, Value> {
    let (values, names, properties) = match kind {
        MapKind::EventNames => (json!({"$ref": EVENT_NAME}), json!({"pattern": NOT_BLANK}), Some(standard_events())),
        MapKind::OneOf(values) => (json!({"enum": values}), json!({"pattern": NOT_BLANK}), None),
        MapKind::Text => (json!({"type": "string"}), json!({"pattern": NOT_BLANK}), None),
        MapKind::Templates { reserved } => {
            (json!({"type": "string"}), json!({"pattern": NOT_BLANK, "not": {"enum": reserved}}), None)
        }
    };
    let mut out = Map::new();
    out.insert("type".into(), "object".into());
    out.insert("propertyNames".into(), names);
    if let Some(p) = properties {
        out.insert("properties".into(), p);
    }
    out.insert("additionalProperties".into(), values);
    out
}

/// `smart_mapping`: one optional path per slot, `""` to not send the field.
fn slots() -> Value {
    let mut properties = Map::new();
    for def in SLOTS {
        let field = slots::field(def.key);
        let mut description = format!("TikTok field: {field}.");
        if def.slot.is_per_item() {
            description.push_str(" Per item: name every element with X (`items.X.id`).");
        }
        // A path, or paths in priority order (the first holding a value wins).
        let mut schema = json!({"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}, {"type": "null"}],
                   "description": description});
        let default = match def.default {
            [] => None,
            [one] => Some(Value::from(*one)),
            many => Some(Value::from(many.to_vec())),
        };
        if let (Some(default), Value::Object(map)) = (default, &mut schema) {
            map.insert("default".into(), default);
        }
        properties.insert(def.key.into(), schema);
    }
    json!({"type": ["object", "null"], "properties": properties, "additionalProperties": false})
}

/// The CA event names of the standard tables, each with the TikTok names it gets.
fn standard_events() -> Value {
    let mut out = Map::new();
    for row in SEED {
        let mut text = format!("Standard: {}.", columns(row));
        if let Some(changed) = REV_2026_CHANGES.iter().find(|r| r.ca == row.ca) {
            text.push_str(&format!(" With `event_names: \"2026\"`: {}.", columns(changed)));
        }
        if row.gated {
            text.push_str(" Sent only when selected in `view_content_mapping`.");
        }
        out.insert(row.ca.into(), json!({"$ref": EVENT_NAME, "description": text}));
    }
    Value::Object(out)
}

fn columns(row: &EventRow) -> String {
    match (row.web, row.app) {
        (Some(w), Some(a)) if w == a => format!("`{w}` (web and app)"),
        (Some(w), Some(a)) => format!("web `{w}`, app `{a}`"),
        (Some(w), None) => format!("web `{w}` (not sent for app events)"),
        (None, Some(a)) => format!("app `{a}` (not sent for web events)"),
        (None, None) => "not sent".into(),
    }
}

/// Every TikTok event name of the standard tables, once, sorted.
fn tiktok_event_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = SEED.iter().chain(REV_2026_CHANGES).flat_map(|r| [r.web, r.app]).flatten().collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// The setting also accepts `null` (the same as absent).
fn nullable(schema: Value) -> Value {
    let Value::Object(mut map) = schema else { return schema };
    if let Some(Value::Array(values)) = map.get_mut("enum") {
        values.push(Value::Null);
    } else if let Some(Value::String(t)) = map.get("type").cloned() {
        map.insert("type".into(), json!([t, "null"]));
    }
    Value::Object(map)
}

/// `production` -> `^(?:[pP][rR]...)$`: the values in any letter case (ECMA-262 has no `(?i)`).
fn any_case_pattern(values: &[&str]) -> String {
    let alternatives: Vec<String> = values
        .iter()
        .map(|v| {
            v.chars()
                .map(|c| match (c.to_ascii_lowercase(), c.to_ascii_uppercase()) {
                    (l, u) if l != u => format!("[{l}{u}]"),
                    _ => regex_escape(c),
                })
                .collect()
        })
        .collect();
    format!("^(?:{})$", alternatives.join("|"))
}

fn regex_escape(c: char) -> String {
    match c {
        '.' | '*' | '+' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|' | '^' | '$' | '\\' => format!("\\{c}"),
        _ => c.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_of_every_table_is_a_property() {
        let doc = document();
        for key in TOP.iter().map(|s| s.key) {
            assert!(doc["properties"].get(key).is_some(), "{key}");
        }
        for t in DESTINATION_TYPES {
            let props = &doc["$defs"][t.name]["properties"];
            for s in COMMON.iter().chain(t.settings.iter().flat_map(|x| x.iter())) {
                assert!(props.get(s.key).is_some(), "{}.{}", t.name, s.key);
            }
        }
        let slot_props = &doc["$defs"]["events_api"]["properties"]["smart_mapping"]["properties"];
        assert_eq!(slot_props.as_object().map(Map::len), Some(SLOTS.len()));
    }

    #[test]
    fn any_case_pattern_accepts_every_casing_and_only_the_values() {
        assert_eq!(any_case_pattern(&["ab", "c.d"]), "^(?:[aA][bB]|[cC]\\.[dD])$");
    }

    #[test]
    fn optional_settings_accept_null_and_required_ones_do_not() {
        let doc = document();
        assert_eq!(doc["properties"]["api_base"]["type"], json!(["string", "null"]));
        assert_eq!(doc["$defs"]["events_api"]["properties"]["environment"]["type"], json!(["string", "null"]));
        assert_eq!(doc["$defs"]["offline_events"]["properties"]["event_set_id"]["type"], "string");
        let api = &doc["$defs"]["offline_events"]["properties"]["api"]["enum"];
        assert_eq!(api.as_array().and_then(|v| v.last()), Some(&Value::Null));
    }
}
