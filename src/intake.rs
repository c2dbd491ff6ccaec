//! The shapes a caller may send events in, read the same way by the CLI, the
//! npm package and the Worker: one bare event, an array of events, or the batch
//! envelope of CA's HTTP Tracking API (`{"batch": [event, ...]}`).
//!
//! Only the envelope (and, for one call, the count) is checked here; each event is
//! checked when it is planned (one that is not an object gets its own `invalid_event`).

use crate::error::Error;
use crate::limits::MAX_ARRAY_LEN;
use crate::node::Node;

/// Most events accepted in one call (TikTok's `data` limit per request).
pub const MAX_EVENTS: usize = MAX_ARRAY_LEN;

/// The input as the planner reads it: the array of events (for `{"batch": [...]}`,
/// the inner array, so results carry each event's `index`), else the input itself
/// as one event (anything but an object then gets its own `invalid_event` result).
/// No count limit: the npm package batches any number itself.
pub fn unwrap<'n, 'a>(input: &'n Node<'a>) -> Result<&'n Node<'a>, Error> {
    match input {
        // An event may carry a custom `batch` property: only an object without
        // `event_name` is the envelope.
        Node::Object(_) if !input.contains_key("event_name") => match input.get("batch") {
            None => Ok(input),
            Some(batch @ Node::Array(_)) => Ok(batch),
            Some(other) => Err(Error::InvalidEvent {
                path: "batch".into(),
                message: format!("must be an array of events, not {}", other.kind()),
            }),
        },
        _ => Ok(input),
    }
}

/// The events of one call (the Worker, the CLI): [`unwrap`], at most [`MAX_EVENTS`].
pub fn events<'n, 'a>(input: &'n Node<'a>) -> Result<Vec<&'n Node<'a>>, Error> {
    match unwrap(input)? {
        Node::Array(list) if list.len() > MAX_EVENTS => Err(Error::InvalidEvent {
            path: if input.is_array() { String::new() } else { "batch".into() },
            message: format!("{} events in one call; at most {MAX_EVENTS}", list.len()),
        }),
        Node::Array(list) => Ok(list.iter().collect()),
        event => Ok(vec![event]),
    }
}

/// True when the input holds a list (array or batch envelope): results then carry an `index`.
pub fn is_list(input: &Node<'_>) -> bool {
    matches!(unwrap(input), Ok(Node::Array(_)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn events(v: &Value) -> Result<Vec<Value>, Error> {
        super::events(&Node::from_value(v)).map(|list| list.into_iter().map(Node::to_value).collect())
    }

    fn unwrap(v: &Value) -> Result<Value, Error> {
        super::unwrap(&Node::from_value(v)).map(Node::to_value)
    }

    fn is_list(v: &Value) -> bool {
        super::is_list(&Node::from_value(v))
    }

    #[test]
    fn reads_the_three_shapes() {
        let event = json!({"event_name": "purchase"});
        assert_eq!(events(&event).unwrap(), vec![event.clone()]);
        let list = json!([{"event_name": "a"}, {"event_name": "b"}]);
        assert_eq!(events(&list).unwrap().len(), 2);
        let batch = json!({"batch": [{"event_name": "a"}, 3]});
        assert_eq!(events(&batch).unwrap(), vec![json!({"event_name": "a"}), json!(3)]);
        assert!(is_list(&batch) && is_list(&list) && !is_list(&event));
        assert_eq!(events(&json!([])).unwrap().len(), 0);
    }

    #[test]
    fn an_event_with_a_batch_property_is_an_event() {
        let event = json!({"event_name": "purchase", "batch": "B-12"});
        assert_eq!(events(&event).unwrap(), vec![event.clone()]);
    }

    #[test]
    fn names_the_path_of_a_bad_envelope() {
        let e = events(&json!({"batch": {"event_name": "a"}})).unwrap_err();
        assert_eq!((e.code(), e.path()), ("invalid_event", "batch"));
        assert!(e.message().contains("not an object"), "{}", e.message());
        // Not an object: still one event, which planning reports as `invalid_event`.
        assert_eq!(events(&json!("purchase")).unwrap(), vec![json!("purchase")]);
        let many = Value::Array(vec![json!({}); MAX_EVENTS + 1]);
        assert_eq!(events(&many).unwrap_err().message(), "1001 events in one call; at most 1000");
        let e = events(&json!({ "batch": many })).unwrap_err();
        assert_eq!(e.path(), "batch");
        assert!(events(&Value::Array(vec![json!({}); MAX_EVENTS])).is_ok());
        // The library reading has no count limit (npm batches any number).
        assert!(unwrap(&many).is_ok());
    }
}
