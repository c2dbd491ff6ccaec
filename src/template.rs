//! `{{path}}` templates in string settings (CA "dynamic values").
//!
//! - `"{{value}}"` (the whole setting is one placeholder) resolves to the JSON
//!   value at that path, keeping its type (number, array, ...).
//! - `"{{hotel.id}}-{{room}}"` (mixed) concatenates text; numbers and booleans
//!   are written as JSON, strings as they are.
//! - A placeholder whose path is missing or null makes the whole setting absent:
//!   half-filled text such as `"-12"` is never sent.
//! - Text without `{{` is a literal.

use crate::node::Node;
use crate::path::{Lookup, Path};
use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Text(String),
    Field(Path),
}

/// A parsed setting value.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    parts: Vec<Part>,
}

impl Template {
    /// Parses a setting. Errors on `{{` without `}}`, and on empty or invalid paths.
    pub fn parse(text: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find("{{") {
            let (before, after_open) = (rest.get(..open).unwrap_or(""), rest.get(open + 2..).unwrap_or(""));
            let close = after_open.find("}}").ok_or_else(|| "`{{` without a closing `}}`".to_owned())?;
            let inner = after_open.get(..close).unwrap_or("");
            if !before.is_empty() {
                parts.push(Part::Text(before.to_owned()));
            }
            parts.push(Part::Field(Path::parse(inner).map_err(|e| format!("in {{{{...}}}}: {e}"))?));
            rest = after_open.get(close + 2..).unwrap_or("");
        }
        if rest.contains("}}") {
            return Err("`}}` without an opening `{{`".into());
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_owned()));
        }
        Ok(Template { parts })
    }

    /// The path of the first placeholder, used in error messages.
    pub fn first_path(&self) -> Option<&str> {
        self.parts.iter().find_map(|p| match p {
            Part::Field(path) => Some(path.as_str()),
            Part::Text(_) => None,
        })
    }

    /// Resolves against an event. None when a placeholder is missing, or the result is empty.
    pub fn render<'a>(&'a self, event: &'a Node<'a>) -> Option<Cow<'a, Node<'a>>> {
        match self.parts.as_slice() {
            [] => None,
            [Part::Field(path)] => match path.lookup(event)? {
                Lookup::Value(Node::Null) => None,
                found => Some(found.to_node()),
            },
            parts => {
                let mut out = String::new();
                for part in parts {
                    match part {
                        Part::Text(t) => out.push_str(t),
                        Part::Field(path) => match path.lookup(event)?.to_node().as_ref() {
                            Node::Null => return None,
                            Node::String(s) => out.push_str(s),
                            other => out.push_str(&other.to_value().to_string()),
                        },
                    }
                }
                Some(Cow::Owned(Node::String(Cow::Owned(out))))
            }
        }
    }

    /// Resolves to text: strings as they are (trimmed), numbers and booleans as JSON
    /// text, borrowing from the template or the event when it can. Empty -> None.
    pub fn render_text<'a>(&'a self, event: &'a Node<'a>) -> Option<Cow<'a, str>> {
        let s = match self.render(event)? {
            Cow::Borrowed(Node::String(s)) => Cow::Borrowed(s.trim()),
            Cow::Owned(Node::String(s)) => Cow::Owned(s.trim().to_owned()),
            v => match v.as_ref() {
                Node::Number(n) => Cow::Owned(n.to_string()),
                Node::Bool(b) => Cow::Owned(b.to_string()),
                _ => return None,
            },
        };
        (!s.is_empty()).then_some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn render(t: &str, ev: &Value) -> Option<Value> {
        Template::parse(t).unwrap().render(&Node::from_value(ev)).map(|v| v.to_value())
    }

    #[test]
    fn whole_template_keeps_the_json_type() {
        let ev = json!({"value": 12.5, "tags": ["a"], "ok": true});
        assert_eq!(render("{{value}}", &ev), Some(json!(12.5)));
        assert_eq!(render("{{tags}}", &ev), Some(json!(["a"])));
        assert_eq!(render("{{ ok }}", &ev), Some(json!(true)));
    }

    #[test]
    fn mixed_template_concatenates() {
        let ev = json!({"price": "12,30", "n": 2, "items": [{"id": "x"}]});
        assert_eq!(render("{{price}} excl.taxes", &ev), Some(json!("12,30 excl.taxes")));
        assert_eq!(render("{{items.0.id}}-{{n}}", &ev), Some(json!("x-2")));
        assert_eq!(render("price", &ev), Some(json!("price")));
    }

    #[test]
    fn missing_path_makes_the_value_absent() {
        let ev = json!({"a": null});
        assert_eq!(render("{{missing}}", &ev), None);
        assert_eq!(render("{{a}}", &ev), None);
        assert_eq!(render("x-{{missing}}", &ev), None);
    }

    #[test]
    fn rejects_malformed_templates() {
        assert!(Template::parse("{{a").is_err());
        assert!(Template::parse("{{}}").is_err());
        assert!(Template::parse("a}}").is_err());
        assert!(Template::parse("{{a..b}}").is_err());
    }
}
