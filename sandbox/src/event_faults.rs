//! Faults about the events themselves, answered the way TikTok answers bad rows:
//!
//! - `poison`: a request holding one poisoned event is rejected whole with 40002 naming that
//!   event's path (`data.3.event_id`), like a real invalid row (spec tiktok-api.md 2.11 item 3,
//!   "any invalid item fails the whole request"; 40002 on a batch in section 1).
//! - `partial`: a request holding matching events among others keeps the others, drops the
//!   matching ones and answers 20001. TikTok's 20001 body is unknown (spec, open question 4), so
//!   by default the body says nothing more (`data: {}`); `listed` adds `data.failed_events`.
//!   A request where nothing would be kept (its only event, or every event, matches) is rejected
//!   with 40002 naming the first match: nothing was accepted, so it is no partial success.
//!
//! Events are chosen by an `event_id` prefix, so a test decides which rows are bad.

use crate::validate::{invalid, Reject};
use serde_json::{json, Map, Value};

/// `{"poison": {...}, "partial": {...}}` of `POST /sandbox/faults`; both may be set at once.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventFaults {
    poison: Option<String>,
    partial: Option<Partial>,
}

#[derive(Debug, Clone, PartialEq)]
struct Partial {
    prefix: String,
    /// List the dropped events in `data.failed_events`.
    listed: bool,
}

/// What to do with a request that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Keep every event; answer code 0.
    Accept,
    /// A poisoned event: keep nothing; answer this code and message.
    Poisoned(Reject),
    /// Every event matched the partial fault: keep nothing; answer this code and message.
    NothingKept(Reject),
    /// Keep the events whose index is in `keep`; answer 20001 with `data`.
    Partial { keep: Vec<usize>, data: Value },
}

/// One event of a request: its error path prefix (`data.3`, or empty for a single-event
/// body such as offline/track) and its `event_id`.
pub struct EventRef<'a> {
    pub path: String,
    pub event_id: Option<&'a str>,
}

impl EventRef<'_> {
    fn id_path(&self) -> String {
        match self.path.as_str() {
            "" => "event_id".into(),
            p => format!("{p}.event_id"),
        }
    }
}

impl EventFaults {
    /// Reads `poison` and `partial` from a faults document (absent: off).
    pub fn parse(doc: &Value) -> Result<EventFaults, String> {
        let poison = match doc.get("poison") {
            None | Some(Value::Null) => None,
            Some(v) => Some(rule(v, "poison", &["event_id_prefix"])?.0),
        };
        let partial = match doc.get("partial") {
            None | Some(Value::Null) => None,
            Some(v) => {
                let (prefix, map) = rule(v, "partial", &["event_id_prefix", "listed"])?;
                let listed = match map.get("listed") {
                    None => false,
                    Some(Value::Bool(b)) => *b,
                    Some(_) => return Err("partial.listed must be true or false".into()),
                };
                Some(Partial { prefix, listed })
            }
        };
        Ok(EventFaults { poison, partial })
    }

    /// The verdict for a request's events, in request order. Poison wins over partial:
    /// TikTok rejects a request with an invalid row before keeping anything of it.
    pub fn judge(&self, events: &[EventRef<'_>]) -> Verdict {
        let matches = |prefix: &str, e: &EventRef<'_>| e.event_id.is_some_and(|id| id.starts_with(prefix));
        if let Some(prefix) = &self.poison {
            if let Some(bad) = events.iter().find(|e| matches(prefix, e)) {
                return Verdict::Poisoned(invalid(&bad.id_path(), "rejected by the sandbox's poison fault"));
            }
        }
        let Some(partial) = &self.partial else { return Verdict::Accept };
        let (failed, kept): (Vec<_>, Vec<_>) =
            events.iter().enumerate().partition(|(_, e)| matches(&partial.prefix, e));
        let Some((_, first)) = failed.first() else { return Verdict::Accept };
        if kept.is_empty() {
            return Verdict::NothingKept(not_kept(first));
        }
        let mut data = Map::new();
        if partial.listed {
            let list: Vec<Value> = failed
                .iter()
                .map(|(i, e)| {
                    let (code, message) = not_kept(e);
                    json!({"index": i, "event_id": e.event_id, "code": code, "message": message})
                })
                .collect();
            data.insert("failed_events".into(), Value::Array(list));
        }
        Verdict::Partial { keep: kept.into_iter().map(|(i, _)| i).collect(), data: Value::Object(data) }
    }
}

fn not_kept(e: &EventRef<'_>) -> Reject {
    invalid(&e.id_path(), "rejected by the sandbox's partial fault")
}

/// `{"event_id_prefix": "BAD_", ...}`: the prefix (non-empty) and the object, other keys denied.
fn rule<'a>(v: &'a Value, name: &str, keys: &[&str]) -> Result<(String, &'a Map<String, Value>), String> {
    let Value::Object(map) = v else {
        return Err(format!("{name} must be an object like {{\"event_id_prefix\": \"BAD_\"}}"));
    };
    if let Some(k) = map.keys().find(|k| !keys.contains(&k.as_str())) {
        return Err(format!("{name}.{k}: unknown key; supported: {}", keys.join(", ")));
    }
    match map.get("event_id_prefix").and_then(Value::as_str) {
        Some(p) if !p.is_empty() => Ok((p.to_owned(), map)),
        _ => Err(format!("{name}.event_id_prefix must be a non-empty string")),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    fn events<'a>(ids: &[Option<&'a str>]) -> Vec<EventRef<'a>> {
        ids.iter().enumerate().map(|(i, id)| EventRef { path: format!("data.{i}"), event_id: *id }).collect()
    }

    fn faults(doc: Value) -> EventFaults {
        EventFaults::parse(&doc).unwrap()
    }

    #[test]
    fn nothing_set_accepts_everything() {
        let f = faults(json!({}));
        assert_eq!(f, EventFaults::default());
        assert_eq!(f.judge(&events(&[Some("BAD_1"), None])), Verdict::Accept);
    }

    #[test]
    fn one_poisoned_event_rejects_the_whole_request_naming_its_index() {
        let f = faults(json!({"poison": {"event_id_prefix": "BAD_"}}));
        let v = f.judge(&events(&[Some("E0"), None, Some("E2"), Some("BAD_3"), Some("BAD_4")]));
        let message = "Invalid value for data.3.event_id: rejected by the sandbox's poison fault.";
        assert_eq!(v, Verdict::Poisoned((40002, message.into())));
        assert_eq!(f.judge(&events(&[Some("E0"), Some("bad_1")])), Verdict::Accept, "the prefix is case-sensitive");
    }

    #[test]
    fn a_single_event_body_is_named_by_its_top_level_event_id() {
        let f = faults(json!({"poison": {"event_id_prefix": "BAD_"}}));
        let v = f.judge(&[EventRef { path: String::new(), event_id: Some("BAD_offline") }]);
        let Verdict::Poisoned((40002, message)) = v else { panic!("{v:?}") };
        assert!(message.starts_with("Invalid value for event_id: "), "{message}");
    }

    #[test]
    fn partial_keeps_the_others_and_answers_an_unlisted_20001_by_default() {
        let f = faults(json!({"partial": {"event_id_prefix": "PART_"}}));
        let v = f.judge(&events(&[Some("E0"), Some("PART_1"), None, Some("PART_3")]));
        assert_eq!(v, Verdict::Partial { keep: vec![0, 2], data: json!({}) });
    }

    #[test]
    fn partial_listed_names_every_dropped_event() {
        let f = faults(json!({"partial": {"event_id_prefix": "PART_", "listed": true}}));
        let v = f.judge(&events(&[Some("PART_0"), Some("E1"), Some("PART_2")]));
        let failed = json!([
            {"index": 0, "event_id": "PART_0", "code": 40002,
             "message": "Invalid value for data.0.event_id: rejected by the sandbox's partial fault."},
            {"index": 2, "event_id": "PART_2", "code": 40002,
             "message": "Invalid value for data.2.event_id: rejected by the sandbox's partial fault."},
        ]);
        assert_eq!(v, Verdict::Partial { keep: vec![1], data: json!({"failed_events": failed}) });
    }

    #[test]
    fn partial_with_nothing_left_to_keep_is_a_40002_naming_the_first_match() {
        let f = faults(json!({"partial": {"event_id_prefix": "PART_", "listed": true}}));
        let message = "Invalid value for data.0.event_id: rejected by the sandbox's partial fault.";
        assert_eq!(f.judge(&events(&[Some("PART_0")])), Verdict::NothingKept((40002, message.into())));
        assert_eq!(f.judge(&events(&[Some("PART_0"), Some("PART_1")])), Verdict::NothingKept((40002, message.into())));
    }

    #[test]
    fn poison_wins_over_partial_in_one_request() {
        let f = faults(json!({"poison": {"event_id_prefix": "BAD_"}, "partial": {"event_id_prefix": "PART_"}}));
        let v = f.judge(&events(&[Some("PART_0"), Some("E1"), Some("BAD_2")]));
        assert!(matches!(v, Verdict::Poisoned((40002, ref m)) if m.contains("data.2.event_id")), "{v:?}");
        let v = f.judge(&events(&[Some("PART_0"), Some("E1")]));
        assert_eq!(v, Verdict::Partial { keep: vec![1], data: json!({}) });
    }

    #[test]
    fn bad_fault_documents_are_errors_naming_the_key() {
        let rows = [
            (json!({"poison": "BAD_"}), "poison must be an object"),
            (json!({"poison": {}}), "poison.event_id_prefix must be a non-empty string"),
            (json!({"poison": {"event_id_prefix": ""}}), "poison.event_id_prefix must be a non-empty string"),
            (json!({"poison": {"event_id_prefix": "B", "listed": true}}), "poison.listed: unknown key"),
            (json!({"partial": {"event_id_prefix": "P", "listed": "yes"}}), "partial.listed must be true or false"),
            (json!({"partial": {"prefix": "P"}}), "partial.prefix: unknown key"),
        ];
        for (doc, want) in rows {
            let e = EventFaults::parse(&doc).unwrap_err();
            assert!(e.starts_with(want), "{doc}: {e}");
        }
    }
}
