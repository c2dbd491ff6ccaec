//! The lookups every reader does, over a small trait each reader's tree implements.

use tiktok_edge::tables::slots::SLOTS;

/// What the walk needs from a parsed JSON tree.
pub trait Tree: Sized {
    /// The value under `key` when this is an object (the last one when a key repeats).
    fn field(&self, key: &str) -> Option<&Self>;
    /// The elements when this is an array.
    fn items(&self) -> Option<&[Self]>;
    /// What a found value adds to the checksum: a string's length, 1 for any other value.
    fn weight(&self) -> usize;
}

/// The paths read, split into segments once (as a compiled config would be).
pub struct Paths(Vec<Vec<&'static str>>);

/// Every default path of every events_api slot (fallback paths included).
pub fn paths() -> Paths {
    Paths(SLOTS.iter().flat_map(|s| s.default.iter()).map(|p| p.split('.').collect()).collect())
}

impl Paths {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Reads every path in `root`; the sum of the weights of the values found.
    pub fn read<T: Tree>(&self, root: &T) -> usize {
        self.0.iter().map(|p| walk(root, p)).sum()
    }
}

fn walk<T: Tree>(v: &T, path: &[&str]) -> usize {
    let Some((seg, rest)) = path.split_first() else {
        return v.weight();
    };
    match (*seg, v.items()) {
        ("X", Some(items)) => items.iter().map(|i| walk(i, rest)).sum(),
        ("length", Some(items)) if rest.is_empty() => items.len(),
        (_, Some(items)) => seg.parse::<usize>().ok().and_then(|i| items.get(i)).map_or(0, |i| walk(i, rest)),
        (_, None) => v.field(seg).map_or(0, |c| walk(c, rest)),
    }
}

impl Tree for serde_json::Value {
    fn field(&self, key: &str) -> Option<&Self> {
        self.as_object()?.get(key)
    }
    fn items(&self) -> Option<&[Self]> {
        self.as_array().map(Vec::as_slice)
    }
    fn weight(&self) -> usize {
        self.as_str().map_or(1, str::len)
    }
}

#[cfg(feature = "jiter")]
impl Tree for jiter::JsonValue<'_> {
    fn field(&self, key: &str) -> Option<&Self> {
        // A vector of pairs in document order: search from the end so the last key wins.
        match self {
            jiter::JsonValue::Object(o) => o.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    fn items(&self) -> Option<&[Self]> {
        match self {
            jiter::JsonValue::Array(a) => Some(a.as_slice()),
            _ => None,
        }
    }
    fn weight(&self) -> usize {
        match self {
            jiter::JsonValue::Str(s) => s.len(),
            _ => 1,
        }
    }
}

#[cfg(feature = "simd")]
impl Tree for simd_json::BorrowedValue<'_> {
    fn field(&self, key: &str) -> Option<&Self> {
        match self {
            simd_json::BorrowedValue::Object(o) => o.get(key),
            _ => None,
        }
    }
    fn items(&self) -> Option<&[Self]> {
        match self {
            simd_json::BorrowedValue::Array(a) => Some(a.as_slice()),
            _ => None,
        }
    }
    fn weight(&self) -> usize {
        match self {
            simd_json::BorrowedValue::String(s) => s.len(),
            _ => 1,
        }
    }
}

#[cfg(feature = "node")]
impl Tree for tiktok_edge::node::Node<'_> {
    fn field(&self, key: &str) -> Option<&Self> {
        self.get(key)
    }
    fn items(&self) -> Option<&[Self]> {
        match self {
            tiktok_edge::node::Node::Array(a) => Some(a.as_slice()),
            _ => None,
        }
    }
    fn weight(&self) -> usize {
        match self {
            tiktok_edge::node::Node::String(s) => s.len(),
            _ => 1,
        }
    }
}
