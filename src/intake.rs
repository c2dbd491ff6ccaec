//! The shapes a caller may send events in, read the same way by the CLI, the
//! npm package and the Worker: one bare event, an array of events, or the batch
//! envelope of CA's HTTP Tracking API (`{"batch": [event, ...]}`).
//!
//! Only the envelope is checked here; each event is checked when it is planned
//! (an element that is not an object gets its own `invalid_event` result).

use crate::error::Error;
use crate::limits::{kind, MAX_ARRAY_LEN};
use serde_json::Value;

/// Most events accepted in one call (TikTok's `data` limit per request).
pub const MAX_EVENTS: usize = MAX_ARRAY_LEN;

/// The input as the planner reads it: the bare event, or the array of events
/// (for `{"batch": [...]}`, the inner array, so results carry each event's `index`).
pub fn unwrap(input: &Value) -> Result<&Value, Error> {
    match input {
        Value::Array(list) => within_limit(input, list.len(), ""),
        Value::Object(map) => match (map.get("batch"), map.contains_key("event_name")) {
            // An event may carry a custom `batch` property: only an object without
            // `event_name` is the envelope.
            (Some(batch), false) => match batch {
                Value::Array(list) => within_limit(batch, list.len(), "batch"),
                other => Err(Error::InvalidEvent {
                    path: "batch".into(),
                    message: format!("must be an array of events, not {}", kind(other)),
                }),
            },
            _ => Ok(input),
        },
        other => Err(Error::InvalidEvent {
            path: String::new(),
            message: format!("send one event object, an array of events or {{\"batch\": [...]}}, not {}", kind(other)),
        }),
    }
}

/// The list of events in `input` (see [`unwrap`]).
pub fn events(input: &Value) -> Result<Vec<&Value>, Error> {
    Ok(match unwrap(input)? {
        Value::Array(list) => list.iter().collect(),
        event => vec![event],
    })
}

/// True when the input holds a list (array or batch envelope): results then carry an `index`.
pub fn is_list(input: &Value) -> bool {
    matches!(unwrap(input), Ok(Value::Array(_)))
}

fn within_limit<'a>(list: &'a Value, len: usize, path: &str) -> Result<&'a Value, Error> {
    if len > MAX_EVENTS {
        return Err(Error::InvalidEvent {
            path: path.into(),
            message: format!("{len} events in one call; at most {MAX_EVENTS}"),
        });
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_three_shapes() {
        let event = json!({"event_name": "purchase"});
        assert_eq!(events(&event).unwrap(), vec![&event]);
        let list = json!([{"event_name": "a"}, {"event_name": "b"}]);
        assert_eq!(events(&list).unwrap().len(), 2);
        let batch = json!({"batch": [{"event_name": "a"}, 3]});
        assert_eq!(events(&batch).unwrap(), vec![&json!({"event_name": "a"}), &json!(3)]);
        assert!(is_list(&batch) && is_list(&list) && !is_list(&event));
        assert_eq!(events(&json!([])).unwrap().len(), 0);
    }

    #[test]
    fn an_event_with_a_batch_property_is_an_event() {
        let event = json!({"event_name": "purchase", "batch": "B-12"});
        assert_eq!(events(&event).unwrap(), vec![&event]);
    }

    #[test]
    fn names_the_path_of_a_bad_envelope() {
        let e = events(&json!({"batch": {"event_name": "a"}})).unwrap_err();
        assert_eq!((e.code(), e.path()), ("invalid_event", "batch"));
        assert!(e.message().contains("not an object"), "{}", e.message());
        let e = events(&json!("purchase")).unwrap_err();
        assert_eq!((e.code(), e.path()), ("invalid_event", ""));
        let many = Value::Array(vec![json!({}); MAX_EVENTS + 1]);
        assert_eq!(events(&many).unwrap_err().message(), "1001 events in one call; at most 1000");
        let e = events(&json!({ "batch": many })).unwrap_err();
        assert_eq!(e.path(), "batch");
        assert!(events(&Value::Array(vec![json!({}); MAX_EVENTS])).is_ok());
    }
}
