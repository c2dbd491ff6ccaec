//! JSON readers compared on the benchmark purchase (issue 15, item 1): each parses the event
//! text and reads the default CA paths of every events_api Smart Mapping slot
//! (`tiktok_edge::tables::slots::SLOTS`, `X` expanded over the 3 items, `length` of arrays),
//! returning a checksum of what it found (string lengths, 1 per scalar, array lengths) so
//! that all readers can be checked to read the same values.

mod walk;
#[cfg(target_arch = "wasm32")]
mod wasm;

pub use walk::{paths, Paths, Tree};

/// The readers compiled in, by name.
pub fn readers() -> Vec<&'static str> {
    let mut names = Vec::new();
    if cfg!(feature = "serde") {
        names.push("serde_json");
    }
    if cfg!(feature = "jiter") {
        names.push("jiter");
    }
    if cfg!(feature = "simd") {
        names.push("simd-json");
    }
    if cfg!(feature = "node") {
        names.push("node");
    }
    names
}

/// Parses `text` with `reader` and reads every path; the checksum of the values found.
pub fn read(reader: &str, text: &str, paths: &Paths) -> Result<usize, String> {
    match reader {
        #[cfg(feature = "serde")]
        "serde_json" => {
            let v: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
            Ok(paths.read(&v))
        }
        #[cfg(feature = "jiter")]
        "jiter" => {
            let v = jiter::JsonValue::parse(text.as_bytes(), false).map_err(|e| e.to_string())?;
            Ok(paths.read(&v))
        }
        #[cfg(feature = "simd")]
        "simd-json" => {
            // simd-json unescapes in place: it needs its own mutable copy of the text.
            let mut bytes = text.as_bytes().to_vec();
            let v = simd_json::to_borrowed_value(&mut bytes).map_err(|e| e.to_string())?;
            Ok(paths.read(&v))
        }
        #[cfg(feature = "node")]
        "node" => {
            let v = tiktok_edge::node::parse(text).map_err(|e| e.to_string())?;
            Ok(paths.read(&v))
        }
        "none" => Ok(text.len() + paths.len()),
        other => Err(format!("reader {other} not compiled in (features: {:?})", readers())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reader_reads_the_same_values_of_the_purchase() {
        let text = include_str!("../../purchase.json");
        let paths = paths();
        let expected = read("serde_json", text, &paths);
        assert!(matches!(expected, Ok(n) if n > 300), "{expected:?}");
        for r in readers() {
            assert_eq!(read(r, text, &paths), expected, "{r}");
        }
    }

    #[test]
    fn a_bad_text_is_an_error_for_every_reader() {
        for r in readers() {
            assert!(read(r, "{\"a\": [1,", &paths()).is_err(), "{r}");
        }
    }
}
