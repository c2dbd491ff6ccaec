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

/// Checks the event. Recursion is bounded by `MAX_DEPTH` (checked before each
/// descent), so a hostile event cannot exhaust the stack; the path is only built
/// for an error, while unwinding.
pub fn check_event(event: &Value) -> Result<(), Error> {
    if !event.is_object() {
        return Err(invalid(String::new(), format!("an event must be a JSON object, not {}", kind(event))));
    }
    let mut nodes = 0usize;
    walk(event, 0, &mut nodes).map_err(|(mut segments, message)| {
        segments.reverse();
        invalid(segments.join("."), message)
    })
}

/// (path segments from the failing value up to the root, message)
type Failure = (Vec<String>, String);

fn fail(message: String) -> Result<(), Failure> {
    Err((Vec::new(), message))
}

/// Checks the children of a container at `depth`, one pass over each.
fn walk(value: &Value, depth: usize, nodes: &mut usize) -> Result<(), Failure> {
    let within = |r: Result<(), Failure>, seg: &dyn Fn() -> String| {
        r.map_err(|(mut segs, msg)| {
            segs.push(seg());
            (segs, msg)
        })
    };
    match value {
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                within(check(child, depth, nodes), &|| i.to_string())?;
            }
        }
        Value::Object(map) => {
            for (key, child) in map {
                if key.len() > MAX_STRING_BYTES {
                    return fail(format!("has a key of {} bytes (limit {MAX_STRING_BYTES})", key.len()));
                }
                within(check(child, depth, nodes), &|| key.clone())?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Checks one value whose parent is at `depth`, then its children.
fn check(child: &Value, depth: usize, nodes: &mut usize) -> Result<(), Failure> {
    *nodes += 1;
    if *nodes > MAX_NODES {
        return fail(format!("the event has more than {MAX_NODES} values"));
    }
    match child {
        Value::String(s) if s.len() > MAX_STRING_BYTES => fail(format!("string longer than {MAX_STRING_BYTES} bytes")),
        Value::Array(_) | Value::Object(_) if depth >= MAX_DEPTH => {
            fail(format!("nested deeper than {MAX_DEPTH} levels"))
        }
        Value::Array(a) if a.len() > MAX_ARRAY_LEN => fail(format!("array longer than {MAX_ARRAY_LEN} elements")),
        Value::Array(_) | Value::Object(_) => walk(child, depth + 1, nodes),
        _ => Ok(()),
    }
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
