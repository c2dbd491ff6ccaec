//! Bounds on what an event may hold, checked once before any mapping.
//! Real CA events are small (CA caps one at 32 KB); anything far outside that
//! is refused with a clear error instead of being walked, copied or hashed.

use crate::error::Error;
use serde_json::Value;

/// Deepest nesting accepted (CA events are about 5 levels deep).
pub const MAX_DEPTH: usize = 32;
/// Longest string accepted, in bytes (CA's own limit for a whole event).
pub const MAX_STRING_BYTES: usize = 32 * 1024;
/// Most elements accepted in one array (TikTok's batch limit; no order has more items).
pub const MAX_ARRAY_LEN: usize = 1000;
/// Most values (nodes) accepted in one event.
pub const MAX_NODES: usize = 20_000;

/// Checks the event without recursion (a hostile event cannot exhaust the stack).
/// Paths are only built for the error: the walk itself allocates one small arena.
pub fn check_event(event: &Value) -> Result<(), Error> {
    if !event.is_object() {
        return Err(invalid(String::new(), format!("an event must be a JSON object, not {}", kind(event))));
    }
    // arena[i] = (parent index, segment); the root is index 0.
    let mut arena: Vec<(usize, Seg<'_>)> = vec![(0, Seg::Root)];
    let mut stack: Vec<(&Value, usize, usize)> = vec![(event, 0, 0)];
    let mut nodes = 0usize;
    while let Some((value, depth, at)) = stack.pop() {
        let fail = |message: String| Err(invalid(path_of(&arena, at), message));
        if depth > MAX_DEPTH {
            return fail(format!("nested deeper than {MAX_DEPTH} levels"));
        }
        let children: Box<dyn Iterator<Item = (Seg<'_>, &Value)>> = match value {
            Value::String(s) if s.len() > MAX_STRING_BYTES => {
                return fail(format!("string longer than {MAX_STRING_BYTES} bytes"));
            }
            Value::Array(items) if items.len() > MAX_ARRAY_LEN => {
                return fail(format!("array longer than {MAX_ARRAY_LEN} elements"));
            }
            Value::Array(items) => Box::new(items.iter().enumerate().map(|(i, v)| (Seg::Index(i), v))),
            Value::Object(map) => {
                if let Some(k) = map.keys().find(|k| k.len() > MAX_STRING_BYTES) {
                    return fail(format!("key of {} bytes is longer than {MAX_STRING_BYTES}", k.len()));
                }
                Box::new(map.iter().map(|(k, v)| (Seg::Key(k), v)))
            }
            _ => continue,
        };
        for (seg, child) in children {
            nodes += 1;
            if nodes > MAX_NODES {
                return Err(invalid(String::new(), format!("the event has more than {MAX_NODES} values")));
            }
            if matches!(child, Value::Array(_) | Value::Object(_) | Value::String(_)) {
                arena.push((at, seg));
                stack.push((child, depth + 1, arena.len() - 1));
            }
        }
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Seg<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

fn path_of(arena: &[(usize, Seg<'_>)], mut at: usize) -> String {
    let mut segs = Vec::new();
    while let Some(&(parent, seg)) = arena.get(at) {
        match seg {
            Seg::Root => break,
            Seg::Key(k) => segs.push(k.to_owned()),
            Seg::Index(i) => segs.push(i.to_string()),
        }
        at = parent;
    }
    segs.reverse();
    segs.join(".")
}

fn invalid(path: String, message: String) -> Error {
    Error::InvalidEvent { path, message }
}

/// A short name for a JSON value's type, for messages.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn refuses_non_objects_and_oversized_events() {
        assert_eq!(check_event(&json!([1])).unwrap_err().code(), "invalid_event");
        let mut deep = json!(1);
        for _ in 0..40 {
            deep = json!({ "a": deep });
        }
        assert_eq!(
            check_event(&deep).unwrap_err().path(),
            "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a"
        );
        let big = json!({"user": {"email": "x".repeat(MAX_STRING_BYTES + 1)}});
        assert_eq!(check_event(&big).unwrap_err().path(), "user.email");
        let long = json!({"items": vec![0; MAX_ARRAY_LEN + 1]});
        assert_eq!(check_event(&long).unwrap_err().path(), "items");
        assert!(check_event(&json!({"items": [{"id": "a"}], "value": 1})).is_ok());
    }
}
