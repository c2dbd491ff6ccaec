//! Dot paths into a CA event: `items.0.id`, `context.page.url`, `items.length`.
//!
//! Numeric segments index arrays; a final `length` on an array is its length
//! (the CA mapping tables write `items.length`). Object keys that look like
//! numbers still work: a segment is tried as a key on objects, as an index on arrays.

use crate::node::Node;
use std::borrow::Cow;

/// A parsed, non-empty dot path.
#[derive(Debug, Clone)]
pub struct Path {
    text: String,
    segments: Vec<String>,
    /// Each segment read as an array index, parsed once here rather than per lookup.
    indexes: Vec<Option<usize>>,
    /// Index of this path's parent in a `Resolver`'s parent list (set at config load).
    parent: Option<usize>,
    /// Slot of this path's last key among the children read under its parent (set with `parent`).
    child: Option<usize>,
}

impl PartialEq for Path {
    /// Paths are equal when they read the same place, whatever their parent index.
    fn eq(&self, other: &Self) -> bool {
        self.segments == other.segments
    }
}

impl Eq for Path {}

impl Path {
    /// Parses `a.b.0.c`. Rejects empty paths and empty segments (`a..b`, `.a`).
    pub fn parse(text: &str) -> Result<Path, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("path is empty".into());
        }
        let segments: Vec<String> = text.split('.').map(str::to_owned).collect();
        if segments.iter().any(String::is_empty) {
            return Err(format!("`{text}` has an empty segment"));
        }
        if segments.iter().any(|s| s.contains("{{") || s.contains("}}")) {
            return Err(format!("`{text}` is a template; write a bare path such as user.email"));
        }
        Ok(Path::from_segments(&segments))
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Splits `items.X.product.price` at its `X` segment into (`items`, `product.price`).
    /// Returns None when there is no `X` segment or nothing after it.
    pub fn split_item(&self) -> Option<(Path, Path)> {
        let at = self.segments.iter().position(|s| s == "X")?;
        let (head, tail) = (self.segments.get(..at)?, self.segments.get(at + 1..)?);
        if head.is_empty() || tail.is_empty() || tail.iter().any(|s| s == "X") {
            return None;
        }
        Some((Path::from_segments(head), Path::from_segments(tail)))
    }

    fn from_segments(segments: &[String]) -> Path {
        let indexes = segments.iter().map(|s| s.parse().ok()).collect();
        Path { text: segments.join("."), segments: segments.to_vec(), indexes, parent: None, child: None }
    }

    /// Looks the path up. Returns None when any step is missing; `length` on an
    /// array yields its length as a number.
    pub fn lookup<'a>(&self, root: &'a Node<'a>) -> Option<Lookup<'a>> {
        self.walk(root, 0)
    }

    /// Walks the segments from `from` on, starting at `cur`.
    fn walk<'a>(&self, mut cur: &'a Node<'a>, from: usize) -> Option<Lookup<'a>> {
        let last = self.segments.len().saturating_sub(1);
        let steps = self.segments.iter().zip(&self.indexes).enumerate().skip(from);
        for (i, (seg, index)) in steps {
            cur = match cur {
                Node::Object(_) => cur.get(seg)?,
                Node::Array(items) => {
                    if seg == "length" && i == last {
                        return Some(Lookup::Length(items.len()));
                    }
                    items.get((*index)?)?
                }
                _ => return None,
            };
        }
        Some(Lookup::Value(cur))
    }

    /// The path without its last segment (None for a one-segment path).
    pub fn parent_path(&self) -> Option<Path> {
        let head = self.segments.get(..self.segments.len().checked_sub(1)?)?;
        (!head.is_empty()).then(|| Path::from_segments(head))
    }
}

/// Parent paths shared by many paths (`context.device` for `context.device.ip`,
/// `context.device.type`, ...), interned at config load so that mapping one event
/// walks each parent once instead of once per field. One-segment paths have the
/// root as their parent. Each parent also records the keys read under it, sorted as
/// `serde_json::Map` sorts them, so a parent object is read in one merge pass over
/// its entries instead of one B-tree search per field ("walked, not searched").
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parents {
    paths: Vec<Path>,
    /// Per parent: (key, child slot), sorted by key, one entry per distinct key.
    kids: Vec<Vec<(String, usize)>>,
    /// Child slots handed out so far.
    slots: usize,
}

impl Parents {
    pub const fn empty() -> Self {
        Parents { paths: Vec::new(), kids: Vec::new(), slots: 0 }
    }

    /// Registers `path`'s parent (the root for a one-segment path) and the key read
    /// under it, and records both indexes in `path`.
    pub fn intern(&mut self, mut path: Path) -> Path {
        let parent = path.parent_path().unwrap_or_else(|| Path::from_segments(&[]));
        let id = match self.paths.iter().position(|p| *p == parent) {
            Some(id) => id,
            None => {
                self.paths.push(parent);
                self.kids.push(Vec::new());
                self.paths.len() - 1
            }
        };
        path.parent = Some(id);
        if let (Some(key), Some(kids)) = (path.segments.last(), self.kids.get_mut(id)) {
            let slot = match kids.binary_search_by(|(k, _)| k.as_str().cmp(key)) {
                Ok(at) => kids.get(at).map_or(self.slots, |(_, slot)| *slot),
                Err(at) => {
                    kids.insert(at, (key.clone(), self.slots));
                    self.slots += 1;
                    self.slots - 1
                }
            };
            path.child = Some(slot);
        }
        path
    }
}

/// Parents remembered per event; more are walked each time (no allocation per event).
const MEMO: usize = 16;
/// Children remembered per event; a path whose slot is beyond this is walked.
const KIDS: usize = 96;

/// Resolves paths against one event (or item), remembering each parent it walked
/// and, for parent objects, every child the config reads under it.
pub struct Resolver<'e, 'c> {
    event: &'e Node<'e>,
    parents: &'c Parents,
    memo: [Option<Option<&'e Node<'e>>>; MEMO],
    kids: [Option<&'e Node<'e>>; KIDS],
}

impl<'e, 'c> Resolver<'e, 'c> {
    pub fn new(event: &'e Node<'e>, parents: &'c Parents) -> Self {
        Resolver { event, parents, memo: [None; MEMO], kids: [None; KIDS] }
    }

    pub fn event(&self) -> &'e Node<'e> {
        self.event
    }

    /// The first of `paths` that holds a value (see [`Lookup::is_present`]), with its path.
    pub fn first<'p>(&mut self, paths: &'p [Path]) -> Option<(Lookup<'e>, &'p Path)> {
        for p in paths {
            if let Some(found) = self.lookup(p).filter(|l| l.is_present()) {
                return Some((found, p));
            }
        }
        None
    }

    /// Same result as `path.lookup(event)` (the property test below holds it to that).
    pub fn lookup(&mut self, path: &Path) -> Option<Lookup<'e>> {
        let Some(id) = path.parent else { return path.lookup(self.event) };
        let parent = match self.memo.get(id).copied().flatten() {
            Some(found) => found,
            None => {
                let found = match self.parents.paths.get(id)?.lookup(self.event) {
                    Some(Lookup::Value(v)) => Some(v),
                    _ => None,
                };
                if let Some(slot) = self.memo.get_mut(id) {
                    *slot = Some(found);
                    if let (Some(Node::Object(map)), Some(kids)) = (found, self.parents.kids.get(id)) {
                        self.read_kids(map, kids);
                    }
                }
                found
            }
        }?;
        match (parent, path.child) {
            // Filled when the parent was first resolved (absent keys stay None).
            (Node::Object(_), Some(slot)) if slot < KIDS => self.kids.get(slot).copied().flatten().map(Lookup::Value),
            _ => path.walk(parent, path.segments.len().saturating_sub(1)),
        }
    }

    /// Reads every child the config wants from the parent object at once: its few
    /// entries searched linearly per wanted key (keys compared by length first).
    fn read_kids(&mut self, map: &'e [(Cow<'e, str>, Node<'e>)], kids: &[(String, usize)]) {
        for (key, slot) in kids {
            let found = map.iter().find(|(k, _)| crate::node::same_key(k, key)).map(|(_, v)| v);
            if let (Some(value), Some(cell)) = (found, self.kids.get_mut(*slot)) {
                *cell = Some(value);
            }
        }
    }
}

/// The result of a lookup: a borrowed value, or a computed array length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Lookup<'a> {
    Value(&'a Node<'a>),
    Length(usize),
}

impl<'a> Lookup<'a> {
    /// A value worth reading: not `null`, not blank text (the next of a slot's paths is tried).
    pub fn is_present(self) -> bool {
        match self {
            Lookup::Value(Node::Null) => false,
            Lookup::Value(Node::String(s)) => !trimmed(s).is_empty(),
            _ => true,
        }
    }

    /// The value itself (a length becomes a number).
    pub fn to_node(self) -> Cow<'a, Node<'a>> {
        match self {
            Lookup::Value(v) => Cow::Borrowed(v),
            Lookup::Length(n) => Cow::Owned(Node::Number(n.into())),
        }
    }
}

/// `s.trim()`, without its two `char` scans when both ends already are ASCII
/// non-space (most event strings: ids, URLs, user agents).
pub fn trimmed(s: &str) -> &str {
    let solid = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_graphic());
    let bytes = s.as_bytes();
    if solid(bytes.first()) && solid(bytes.last()) {
        s
    } else {
        s.trim()
    }
}

/// Looks up a path written as a literal (for the fixed CA paths of the spec).
pub fn get<'a>(root: &'a Node<'a>, dotted: &str) -> Option<&'a Node<'a>> {
    let mut cur = root;
    for seg in dotted.split('.') {
        cur = match cur {
            Node::Object(_) => cur.get(seg)?,
            Node::Array(items) => items.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{json, Value};

    #[test]
    fn walks_objects_and_array_indexes() {
        let ev = json!({"items": [{"id": "a"}, {"id": 7}], "m": {"0": "key"}});
        let ev = Node::from_value(&ev);
        let p = Path::parse("items.1.id").unwrap();
        assert_eq!(p.lookup(&ev), Some(Lookup::Value(&Node::Number(7.into()))));
        assert_eq!(Path::parse("m.0").unwrap().lookup(&ev), Some(Lookup::Value(&Node::String("key".into()))));
        assert_eq!(Path::parse("items.2.id").unwrap().lookup(&ev), None);
        assert_eq!(Path::parse("items.x").unwrap().lookup(&ev), None);
    }

    #[test]
    fn length_of_an_array() {
        let ev = json!({"items": [1, 2, 3], "o": {"length": 9}});
        let ev = Node::from_value(&ev);
        assert_eq!(Path::parse("items.length").unwrap().lookup(&ev), Some(Lookup::Length(3)));
        assert_eq!(Path::parse("o.length").unwrap().lookup(&ev), Some(Lookup::Value(&Node::Number(9.into()))));
    }

    #[test]
    fn rejects_bad_paths() {
        assert!(Path::parse("").is_err());
        assert!(Path::parse("a..b").is_err());
        assert!(Path::parse("{{a}}").is_err());
    }

    #[test]
    fn resolver_gives_the_same_answers_as_lookup() {
        let ev = json!({"context": {"device": {"ip": "1", "type": "ios"}, "items": [1, 2]}, "id": 3});
        let ev = Node::from_value(&ev);
        let mut parents = Parents::default();
        let paths: Vec<Path> = [
            "context.device.ip",
            "context.device.type",
            "context.device.none",
            "context.items.length",
            "context.items.1",
            "id",
            "missing.x",
            "context.device.ip.deeper",
        ]
        .iter()
        .map(|p| parents.intern(Path::parse(p).unwrap()))
        .collect();
        let mut r = Resolver::new(&ev, &parents);
        for _ in 0..2 {
            for p in &paths {
                assert_eq!(r.lookup(p), p.lookup(&ev), "{}", p.as_str());
            }
        }
    }

    /// Objects in another order than sorted (as read from a text).
    fn reversed<'a>(node: &Node<'a>) -> Node<'a> {
        match node {
            Node::Object(e) => Node::Object(e.iter().rev().map(|(k, v)| (k.clone(), reversed(v))).collect()),
            Node::Array(items) => Node::Array(items.iter().map(reversed).collect()),
            other => other.clone(),
        }
    }

    fn value() -> impl Strategy<Value = Value> {
        let key = prop::sample::select(vec!["a", "b", "c", "id", "0", "1", "length", "x_sha256"]);
        let leaf =
            prop_oneof![Just(Value::Null), any::<i32>().prop_map(Value::from), "[ a-c]{0,3}".prop_map(Value::from)];
        leaf.prop_recursive(4, 40, 5, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(key.clone().prop_map(str::to_owned), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// The walked plan gives exactly what a search from the root gives.
        #[test]
        fn resolver_matches_lookup_on_generated_events(
            ev in value(),
            texts in prop::collection::vec("(a|b|c|id|0|1|length|x_sha256)(\\.(a|b|c|id|0|1|length)){0,3}", 1..12),
        ) {
            let mut parents = Parents::default();
            let paths: Vec<Path> = texts.iter().map(|t| parents.intern(Path::parse(t).unwrap())).collect();
            let sorted = Node::from_value(&ev);
            let ev = reversed(&sorted);
            let mut r = Resolver::new(&ev, &parents);
            for _ in 0..2 {
                for p in &paths {
                    prop_assert_eq!(r.lookup(p), p.lookup(&ev), "{}", p.as_str());
                    prop_assert_eq!(p.lookup(&ev).map(|l| l.to_node().to_value()), p.lookup(&sorted).map(|l| l.to_node().to_value()));
                }
            }
        }
    }

    #[test]
    fn trimmed_is_trim() {
        for s in ["", " ", "a", " a", "a ", "\u{a0}a", "a\u{2003}", "\té\n", "é", "ab c", "\u{1}x"] {
            assert_eq!(trimmed(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn splits_item_paths() {
        let (arr, rel) = Path::parse("items.X.product.price").unwrap().split_item().unwrap();
        assert_eq!((arr.as_str(), rel.as_str()), ("items", "product.price"));
        assert!(Path::parse("items.0.id").unwrap().split_item().is_none());
        assert!(Path::parse("X.id").unwrap().split_item().is_none());
    }
}
