//! Bounds on what an event may hold, checked once before any mapping.
//! Real CA events are small (CA caps one at 32 KB); anything far outside that
//! is refused with a clear error instead of being walked, copied or hashed.

use crate::error::Error;
use crate::node::Node;
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
pub fn check_event(event: &Node<'_>) -> Result<(), Error> {
    if !event.is_object() {
        return Err(invalid(String::new(), format!("an event must be a JSON object, not {}", event.kind())));
    }
    // Nearly every event is within bounds: a pass that only says yes or no, then the
    // pass that names the path, for the rare refusal (same checks, same order).
    let mut nodes = 0usize;
    if within_bounds(event, 0, &mut nodes) {
        return Ok(());
    }
    nodes = 0;
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
fn walk(value: &Node<'_>, depth: usize, nodes: &mut usize) -> Result<(), Failure> {
    let within = |r: Result<(), Failure>, seg: &dyn Fn() -> String| {
        r.map_err(|(mut segs, msg)| {
            segs.push(seg());
            (segs, msg)
        })
    };
    match value {
        Node::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                within(check(child, depth, nodes), &|| i.to_string())?;
            }
        }
        Node::Object(map) => {
            // In key order, as serde_json's maps iterate: with two problems in one event,
            // the one named stays the one named before the event reader kept the text's order.
            let mut sorted: Vec<&(std::borrow::Cow<'_, str>, Node<'_>)> = map.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            for (key, child) in sorted {
                if key.len() > MAX_STRING_BYTES {
                    return fail(format!("has a key of {} bytes (limit {MAX_STRING_BYTES})", key.len()));
                }
                within(check(child, depth, nodes), &|| key.to_string())?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Checks one value whose parent is at `depth`, then its children.
fn check(child: &Node<'_>, depth: usize, nodes: &mut usize) -> Result<(), Failure> {
    *nodes += 1;
    if *nodes > MAX_NODES {
        return fail(format!("the event has more than {MAX_NODES} values"));
    }
    match child {
        Node::String(s) if s.len() > MAX_STRING_BYTES => fail(format!("string longer than {MAX_STRING_BYTES} bytes")),
        Node::Array(_) | Node::Object(_) if depth >= MAX_DEPTH => {
            fail(format!("nested deeper than {MAX_DEPTH} levels"))
        }
        Node::Array(a) if a.len() > MAX_ARRAY_LEN => fail(format!("array longer than {MAX_ARRAY_LEN} elements")),
        Node::Array(_) | Node::Object(_) => walk(child, depth + 1, nodes),
        _ => Ok(()),
    }
}

/// The checks of `walk` and `check` on the children of a container at `depth`,
/// without building anything: true when all pass.
fn within_bounds(value: &Node<'_>, depth: usize, nodes: &mut usize) -> bool {
    let child_ok = |child: &Node<'_>, nodes: &mut usize| {
        *nodes += 1;
        match child {
            _ if *nodes > MAX_NODES => false,
            Node::String(s) => s.len() <= MAX_STRING_BYTES,
            Node::Array(_) | Node::Object(_) if depth >= MAX_DEPTH => false,
            Node::Array(a) if a.len() > MAX_ARRAY_LEN => false,
            Node::Array(_) | Node::Object(_) => within_bounds(child, depth + 1, nodes),
            _ => true,
        }
    };
    match value {
        Node::Array(items) => items.iter().all(|c| child_ok(c, nodes)),
        Node::Object(map) => map.iter().all(|(k, c)| k.len() <= MAX_STRING_BYTES && child_ok(c, nodes)),
        _ => true,
    }
}

fn invalid(path: String, message: String) -> Error {
    Error::InvalidEvent { path, message }
}

/// A short name for a JSON value's type, for messages.
pub fn kind(v: &Value) -> &'static str {
    let at = match v {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Number(_) => 2,
        Value::String(_) => 3,
        Value::Array(_) => 4,
        Value::Object(_) => 5,
    };
    crate::node::KINDS.get(at).copied().unwrap_or("a value")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn refuses_non_objects_and_oversized_events() {
        assert_eq!(check_event(&Node::from_value(&json!([1]))).unwrap_err().code(), "invalid_event");
        let mut deep = json!(1);
        for _ in 0..40 {
            deep = json!({ "a": deep });
        }
        assert_eq!(
            check_event(&Node::from_value(&deep)).unwrap_err().path(),
            "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a"
        );
        let big = json!({"user": {"email": "x".repeat(MAX_STRING_BYTES + 1)}});
        assert_eq!(check_event(&Node::from_value(&big)).unwrap_err().path(), "user.email");
        let long = json!({"items": vec![0; MAX_ARRAY_LEN + 1]});
        assert_eq!(check_event(&Node::from_value(&long)).unwrap_err().path(), "items");
        assert!(check_event(&Node::from_value(&json!({"items": [{"id": "a"}], "value": 1}))).is_ok());
    }

    /// With two problems, the one named is the first in key order (as with serde_json's
    /// sorted maps), whatever the order of the event's text.
    #[test]
    fn the_first_problem_in_key_order_is_named() {
        let long = "x".repeat(MAX_STRING_BYTES + 1);
        let text = format!(r#"{{"z": "{long}", "a": {{"b": "{long}"}}}}"#);
        let e = check_event(&crate::node::parse(&text).unwrap()).unwrap_err();
        assert_eq!(e.path(), "a.b");
    }

    /// The yes/no pass agrees with the pass that names the path, at each bound and
    /// one past it.
    #[test]
    fn the_quick_pass_agrees_with_the_named_one() {
        let nest = |levels: usize| {
            let mut v = json!(1);
            for _ in 0..levels {
                v = json!({ "a": v });
            }
            v
        };
        let flat = |n: usize| Value::Array(vec![json!(vec![0; 999]); n]);
        let cases = [
            // The root and MAX_DEPTH levels under it; then one more.
            nest(MAX_DEPTH + 1),
            nest(MAX_DEPTH + 2),
            json!({"s": "x".repeat(MAX_STRING_BYTES)}),
            json!({"s": "x".repeat(MAX_STRING_BYTES + 1)}),
            json!({"a": vec![0; MAX_ARRAY_LEN]}),
            json!({"a": vec![0; MAX_ARRAY_LEN + 1]}),
            // `a`: 1 + 19 x 1,000 nodes; `c`: 1 + its elements: MAX_NODES, then one more.
            json!({"a": flat(19), "c": vec![0; 998]}),
            json!({"a": flat(19), "c": vec![0; 999]}),
            json!({ "k".repeat(MAX_STRING_BYTES): 1 }),
            json!({ "k".repeat(MAX_STRING_BYTES + 1): 1 }),
        ];
        for (i, ev) in cases.iter().enumerate() {
            let (mut a, mut b) = (0, 0);
            let ev = &Node::from_value(ev);
            assert_eq!(within_bounds(ev, 0, &mut a), walk(ev, 0, &mut b).is_ok(), "case {i}");
            assert_eq!(check_event(ev).is_ok(), i % 2 == 0, "case {i}");
        }
    }
}
