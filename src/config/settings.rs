//! The settings tables: every key of the destinations document with what it
//! holds, its default and what it does. The parser reads its keys and defaults
//! from them; the JSON Schema (the `schema` module) and the README's reference are
//! checked against them, so code and docs cannot drift.

/// What a setting holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text; may hold `{{path}}` templates.
    Template,
    /// Plain text (a name), no templates.
    Text,
    /// An `http://` or `https://` URL.
    Url,
    /// `true` or `false`, with the value used when the setting is absent.
    Bool(bool),
    /// One of these strings; `any_case`: compared ignoring letter case.
    OneOf { values: &'static [&'static str], any_case: bool },
    /// An array of strings from this list.
    ListOf(&'static [&'static str]),
    /// An object of names to text (custom event or user properties: templates).
    Map(MapKind),
    /// `smart_mapping`: slot name -> event path (`crate::tables::slots`).
    Slots,
    /// The top-level `destinations` array.
    Destinations,
}

/// The objects of names to strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapKind {
    /// CA event name -> TikTok event name (standard table, then any custom name; `""`: never send).
    EventNames,
    /// CA event name -> one of these values.
    OneOf(&'static [&'static str]),
    /// CA event name -> any text.
    Text,
    /// TikTok field name -> template; the `reserved` names are refused (the mapping fills them).
    Templates { reserved: &'static [&'static str] },
}

/// One setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    pub key: &'static str,
    pub kind: Kind,
    /// Required at load (absent, `null` or empty is an error).
    pub required: bool,
    /// The value used when absent, as JSON text; None when absence means "not sent".
    pub default: Option<&'static str>,
    /// What it does, for users (one or two sentences, Markdown).
    pub description: &'static str,
}

impl Setting {
    pub const fn new(key: &'static str, kind: Kind, description: &'static str) -> Setting {
        Setting { key, kind, required: false, default: None, description }
    }

    /// A `Bool` setting and its default.
    pub const fn flag(key: &'static str, default: bool, description: &'static str) -> Setting {
        let json = if default { "true" } else { "false" };
        Setting { key, kind: Kind::Bool(default), required: false, default: Some(json), description }
    }

    pub const fn required(self) -> Setting {
        Setting { required: true, ..self }
    }

    pub const fn default(self, json: &'static str) -> Setting {
        Setting { default: Some(json), ..self }
    }

    /// The default of a `Bool` setting (false for any other kind).
    pub const fn bool_default(&self) -> bool {
        matches!(self.kind, Kind::Bool(true))
    }
}

/// The keys of a table, in order (for "unknown key" messages).
pub const fn keys<const N: usize>(table: &[Setting]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    while i < N && i < table.len() {
        // In bounds: i < N and i < table.len() (a const fn cannot use iterators).
        #[allow(clippy::indexing_slicing)]
        {
            out[i] = table[i].key;
        }
        i += 1;
    }
    out
}

/// The default of a `Bool` setting of a table, at compile time (`const { ... }`), so the
/// parser's code does not carry the tables' descriptions (only the schema uses them).
pub const fn flag_default(table: &[Setting], key: &str) -> bool {
    let mut i = 0;
    while i < table.len() {
        // In bounds: i < table.len() (a const fn cannot use iterators).
        #[allow(clippy::indexing_slicing)]
        let row = &table[i];
        if same(row.key.as_bytes(), key.as_bytes()) {
            return row.bool_default();
        }
        i += 1;
    }
    false
}

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        // In bounds: i < a.len() == b.len().
        #[allow(clippy::indexing_slicing)]
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::flag_default;
    use crate::config::{COMMON, DESTINATION_TYPES, TOP};

    #[test]
    fn flag_default_reads_the_table() {
        assert!(flag_default(crate::config::DESTINATION_TYPES[0].settings[0], "derive_event_id"));
        assert!(!flag_default(crate::config::DESTINATION_TYPES[0].settings[0], "send_unmapped_events"));
        assert!(!flag_default(TOP, "nope"));
    }

    #[test]
    fn every_table_has_unique_keys_a_description_and_json_defaults() {
        let types = DESTINATION_TYPES.iter().flat_map(|t| t.settings.iter().map(|s| (t.name, *s)));
        for (name, table) in types.chain([("top", TOP), ("common", COMMON)]) {
            for (i, s) in table.iter().enumerate() {
                assert!(!s.description.trim().is_empty(), "{name}.{}: no description", s.key);
                assert!(!table.iter().skip(i + 1).any(|o| o.key == s.key), "{name}.{}: twice", s.key);
                if let Some(d) = s.default {
                    assert!(serde_json::from_str::<serde_json::Value>(d).is_ok(), "{name}.{}: default {d}", s.key);
                }
            }
        }
    }
}
