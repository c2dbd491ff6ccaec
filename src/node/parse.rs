//! The reader: one pass over the bytes, recursive descent bounded by serde_json's
//! nesting limit. A text it refuses is handed to serde_json for the error message,
//! so callers see the same `line N column M` text as before (refusals are rare; the
//! property tests hold the two readers to the same verdict on every text).

use super::Node;
use serde_json::Number;
use std::borrow::Cow;

/// serde_json refuses a container nested this deep (127 levels are accepted).
const MAX_NESTING: usize = 128;

/// Reads one JSON text (surrounding whitespace allowed) into a [`Node`] tree.
pub fn parse(text: &str) -> Result<Node<'_>, serde_json::Error> {
    // Room for a typical event's deepest pending entries at once: no regrowth while reading.
    let mut reader = Reader { text, at: 0, depth: 0, items: Vec::with_capacity(16), entries: Vec::with_capacity(32) };
    let node = reader.value().filter(|_| {
        reader.skip_space();
        reader.at == text.len()
    });
    node.ok_or_else(|| refusal(text))
}

/// serde_json's message for a text this reader refused.
fn refusal(text: &str) -> serde_json::Error {
    match serde_json::from_str::<serde_json::Value>(text) {
        Err(e) => e,
        // Not expected (the readers agree on every text the tests generate); still an error.
        Ok(_) => serde::de::Error::custom("the JSON text could not be read"),
    }
}

struct Reader<'a> {
    text: &'a str,
    at: usize,
    depth: usize,
    /// Children of the arrays being read, innermost last; each array takes its tail.
    items: Vec<Node<'a>>,
    /// Entries of the objects being read, likewise.
    entries: Vec<(Cow<'a, str>, Node<'a>)>,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.at += 1;
        }
    }

    /// Consumes `word` (after its first byte was seen).
    fn literal(&mut self, word: &str, node: Node<'a>) -> Option<Node<'a>> {
        let end = self.at + word.len();
        (self.text.as_bytes().get(self.at..end)? == word.as_bytes()).then(|| {
            self.at = end;
            node
        })
    }

    fn value(&mut self) -> Option<Node<'a>> {
        self.skip_space();
        match self.peek()? {
            b'"' => self.string().map(Node::String),
            b'{' => self.nested(Self::object),
            b'[' => self.nested(Self::array),
            b't' => self.literal("true", Node::Bool(true)),
            b'f' => self.literal("false", Node::Bool(false)),
            b'n' => self.literal("null", Node::Null),
            b'-' | b'0'..=b'9' => self.number().map(Node::Number),
            _ => None,
        }
    }

    fn nested(&mut self, read: fn(&mut Self) -> Option<Node<'a>>) -> Option<Node<'a>> {
        self.depth += 1;
        if self.depth >= MAX_NESTING {
            return None;
        }
        let node = read(self);
        self.depth -= 1;
        node
    }

    /// After `[`.
    fn array(&mut self) -> Option<Node<'a>> {
        self.at += 1;
        let start = self.items.len();
        self.skip_space();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Some(Node::Array(Vec::new()));
        }
        loop {
            let item = self.value()?;
            self.items.push(item);
            self.skip_space();
            match self.peek()? {
                b',' => self.at += 1,
                b']' => break,
                _ => return None,
            }
        }
        self.at += 1;
        Some(Node::Array(self.items.drain(start..).collect()))
    }

    /// After `{`.
    fn object(&mut self) -> Option<Node<'a>> {
        self.at += 1;
        let start = self.entries.len();
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Some(Node::Object(Vec::new()));
        }
        loop {
            self.skip_space();
            if self.peek()? != b'"' {
                return None;
            }
            let key = self.string()?;
            self.skip_space();
            if self.peek()? != b':' {
                return None;
            }
            self.at += 1;
            let value = self.value()?;
            self.entries.push((key, value));
            self.skip_space();
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => break,
                _ => return None,
            }
        }
        self.at += 1;
        Some(Node::Object(unique(self.entries.drain(start..).collect())))
    }

    /// After `"`: the text up to the closing quote, borrowed unless it holds escapes.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.at += 1;
        let start = self.at;
        let end = self.plain_run();
        match self.text.as_bytes().get(end)? {
            b'"' => {
                self.at = end + 1;
                self.text.get(start..end).map(Cow::Borrowed)
            }
            b'\\' => {
                let mut out = String::from(self.text.get(start..end)?);
                self.at = end;
                self.escaped(&mut out)?;
                Some(Cow::Owned(out))
            }
            // A control character: JSON wants it escaped.
            _ => None,
        }
    }

    /// The index of the next `"`, `\` or control byte from `at` (or the end): eight
    /// bytes at a time while none of them is one, then byte by byte.
    fn plain_run(&self) -> usize {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        // A byte of `v` is zero (exact for "any byte", which is all this asks).
        let zero_byte = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
        let bytes = self.text.as_bytes();
        let mut i = self.at;
        while let Some(Ok(chunk)) = bytes.get(i..i + 8).map(<[u8; 8]>::try_from) {
            let w = u64::from_le_bytes(chunk);
            let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
            let hits = zero_byte(w ^ (ONES * u64::from(b'"'))) | zero_byte(w ^ (ONES * u64::from(b'\\'))) | control;
            if hits != 0 {
                // The lowest flagged byte is exact (a false flag only sits above a true one).
                return i + (hits.trailing_zeros() / 8) as usize;
            }
            i += 8;
        }
        while let Some(&b) = bytes.get(i) {
            if b == b'"' || b == b'\\' || b < 0x20 {
                break;
            }
            i += 1;
        }
        i
    }

    /// From a `\` inside a string to its closing quote, appending to `out`.
    fn escaped(&mut self, out: &mut String) -> Option<()> {
        loop {
            match self.peek()? {
                b'"' => {
                    self.at += 1;
                    return Some(());
                }
                b'\\' => {
                    self.at += 1;
                    let c = match self.peek()? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            self.at += 1;
                            let c = self.unicode_escape()?;
                            out.push(c);
                            continue;
                        }
                        _ => return None,
                    };
                    self.at += 1;
                    out.push(c);
                }
                _ => {
                    let end = self.plain_run();
                    if end == self.at {
                        return None;
                    }
                    out.push_str(self.text.get(self.at..end)?);
                    self.at = end;
                }
            }
        }
    }

    /// After `\u`: one character; a surrogate pair is two escapes, a lone surrogate is refused.
    fn unicode_escape(&mut self) -> Option<char> {
        let first = self.hex4()?;
        if (0xDC00..0xE000).contains(&first) {
            return None;
        }
        if !(0xD800..0xDC00).contains(&first) {
            return char::from_u32(first);
        }
        if self.text.as_bytes().get(self.at..self.at + 2)? != b"\\u" {
            return None;
        }
        self.at += 2;
        let second = self.hex4()?;
        if !(0xDC00..0xE000).contains(&second) {
            return None;
        }
        char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.at..self.at + 4)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.at += 4;
        u32::from_str_radix(digits, 16).ok()
    }

    /// A number as serde_json reads it: plain integers here, anything else (fractions,
    /// exponents, `-0`, beyond 64 bits) through serde_json's own number reader.
    fn number(&mut self) -> Option<Number> {
        let start = self.at;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.at += 1;
        }
        let int_start = self.at;
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        let int_len = self.at - int_start;
        let mut fraction = None;
        if self.peek() == Some(b'.') {
            self.at += 1;
            let from = self.at;
            self.one_or_more_digits()?;
            fraction = Some(from..self.at);
        }
        let mut exponent = false;
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            exponent = true;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.one_or_more_digits()?;
        }
        let raw = self.text.get(start..self.at)?;
        let digits = self.text.get(int_start..int_start + int_len)?;
        match (fraction, exponent) {
            (None, false) if !negative && int_len <= 19 => digits.parse::<u64>().ok().map(Number::from),
            (None, false) if negative && int_len <= 18 && digits != "0" => raw.parse::<i64>().ok().map(Number::from),
            (Some(frac), false) => {
                let frac = self.text.get(frac)?;
                short_decimal(digits, frac, negative).or_else(|| serde_json::from_str::<Number>(raw).ok())
            }
            _ => serde_json::from_str::<Number>(raw).ok(),
        }
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
    }

    fn one_or_more_digits(&mut self) -> Option<()> {
        let from = self.at;
        self.digits();
        (self.at > from).then_some(())
    }
}

/// Exact powers of ten as f64 (every one up to 10^22 is representable).
const POW10: [f64; 16] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/// `12.50` as serde_json reads it, for up to 15 digits: serde_json divides the digits,
/// read as an integer, by the power of ten; both are exact here, so the one rounding
/// is IEEE's and the result is the same f64 (its longer forms go through serde_json).
fn short_decimal(int: &str, frac: &str, negative: bool) -> Option<Number> {
    if int.len() + frac.len() > 15 {
        return None;
    }
    let mut significand = 0u64;
    for b in int.bytes().chain(frac.bytes()) {
        significand = significand * 10 + u64::from(b - b'0');
    }
    let f = significand as f64 / POW10.get(frac.len())?;
    Number::from_f64(if negative { -f } else { f })
}

/// Objects up to this size are deduplicated by comparing every pair of keys (cheap
/// for the handful of keys event objects have); larger ones are sorted first.
const PAIRWISE: usize = 32;

/// The entries with each repeated key kept once, holding its last value (serde_json's
/// map). Small objects keep the text's order; large ones come out sorted by key.
fn unique<'a>(mut entries: Vec<(Cow<'a, str>, Node<'a>)>) -> Vec<(Cow<'a, str>, Node<'a>)> {
    if entries.len() <= PAIRWISE {
        let repeated = |(i, (k, _)): (usize, &(Cow<'a, str>, Node<'a>))| {
            entries.iter().skip(i + 1).any(|(later, _)| same_key(k, later))
        };
        if !entries.iter().enumerate().any(repeated) {
            return entries;
        }
    }
    // Stable: equal keys stay in text order; each run then keeps its last value.
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            std::mem::swap(later, kept);
        }
        same
    });
    entries
}

/// Key equality, deciding on length and first byte before comparing the rest.
pub fn same_key(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().first() == b.as_bytes().first() && a == b
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    /// Both readers give the same verdict, and the same value when they accept.
    fn agree(text: &str) -> Result<(), TestCaseError> {
        let ours = parse(text).map(|n| n.to_value());
        match (ours, serde_json::from_str::<Value>(text)) {
            // As text: `-0.0` and `0.0` are equal numbers but not the same output.
            (Ok(a), Ok(b)) => prop_assert_eq!(a.to_string(), b.to_string(), "{:?}", text),
            (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
            (a, b) => prop_assert!(false, "{:?}: ours {:?}, serde_json {:?}", text, a, b),
        }
        Ok(())
    }

    #[test]
    fn reads_what_serde_json_reads() {
        for text in [
            r#"{"b": 1, "a": [true, false, null], "c": {"z": "x", "y": -2}}"#,
            r#" { "k" : "v" , "k": "last" } "#,
            r#"{"s": "tab\tquote\" slash\/ \\ \u00e9 \ud83d\ude00 \u0000"}"#,
            "[0, -0, 1.0, -1.5e3, 1E+2, 18446744073709551615, 18446744073709551616, -9223372036854775808]",
            "[-0.0, 0.0, 12.50, 0.1, 0.3, 2.675, 1.005, 123456789012.345, 1234567890123.456, 9007199254740.993]",
            "[99999999999999.9, 999999999999999.9, 0.000000000000001, 0.0000000000000001, -123.456789]",
            "[-9223372036854775809, 123456789012345678901234567890, 0.1, 5e-324, 1.7976931348623157e308]",
            "1e400",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\u0041\"",
            "\"\\ud800x\"",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "-",
            "1.",
            ".5",
            "1e",
            "\"\u{1}\"",
            "\"a\\x\"",
            "nul",
            "[1] x",
            "",
            "   ",
            "{\"a\" 1}",
            "{1: 2}",
            "\"\\u12G4\"",
            "[\"é😀\", \"\\/\"]",
        ] {
            agree(text).unwrap();
        }
    }

    #[test]
    fn refuses_nesting_where_serde_json_does() {
        for depth in [126, 127, 128, 129] {
            let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            agree(&text).unwrap();
            let text = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
            agree(&text).unwrap();
        }
    }

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let node = parse(r#"{"a": "plain", "b": "esc\naped"}"#).unwrap();
        assert!(matches!(node.get("a"), Some(Node::String(Cow::Borrowed("plain")))));
        assert!(matches!(node.get("b"), Some(Node::String(Cow::Owned(s))) if s == "esc\naped"));
        assert!(matches!(node, Node::Object(ref e) if matches!(e[0].0, Cow::Borrowed("a"))));
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value() {
        let keys = |node: &Node<'_>| match node {
            Node::Object(e) => e.iter().map(|(k, _)| k.to_string()).collect::<Vec<_>>(),
            _ => vec![],
        };
        let node = parse(r#"{"b": 1, "a": 2, "b": 3, "a": 4, "c": 5}"#).unwrap();
        assert_eq!(keys(&node), ["a", "b", "c"]);
        assert_eq!(node.get("a"), Some(&Node::Number(4.into())));
        assert_eq!(node.get("b"), Some(&Node::Number(3.into())));
        // Without repeats, small objects keep the text's order.
        assert_eq!(keys(&parse(r#"{"b": 1, "a": 2}"#).unwrap()), ["b", "a"]);
        // Large ones too, and with a repeat they come out sorted, still last-wins.
        let many: Vec<String> = (0..40).rev().map(|i| format!("\"k{i:02}\": {i}")).collect();
        let text = format!("{{{}, \"k05\": \"last\"}}", many.join(", "));
        let node = parse(&text).unwrap();
        assert_eq!(keys(&node).first().map(String::as_str), Some("k00"));
        assert_eq!(node.get("k05"), Some(&Node::String("last".into())));
        agree(&text).unwrap();
    }

    #[test]
    fn strings_are_scanned_past_eight_byte_runs() {
        for text in [r#""0123456789abcdef""#, r#""01234567\"89""#, "\"0123456789\u{1}\"", r#""01234567é""#] {
            agree(text).unwrap();
        }
    }

    /// JSON-like texts: valid most of the time, with the edges of the grammar.
    fn text() -> impl Strategy<Value = String> {
        let space = "[ \t\r\n]{0,2}";
        let number = "-?(0|[1-9][0-9]{0,21})(\\.[0-9]{1,17})?([eE][+-]?[0-9]{1,3})?|-?0[0-9]|-|1\\.|-0";
        let string = r#""([a-c é😀"/]|\\[bfnrt"\\/]|\\u00[0-9a-f]{2}|\\u[dD][89aAbB][0-9a-f]{2}(\\u[dD][c-fC-F][0-9a-f]{2})?|\\u[dD][c-f][0-9a-f]{2}|\\x|\x01){0,6}""#;
        let leaf = prop_oneof![
            Just("null".to_owned()),
            Just("true".to_owned()),
            Just("false".to_owned()),
            number.prop_map(|s| s),
            string.prop_map(|s| s),
        ];
        leaf.prop_recursive(5, 60, 6, move |inner| {
            let key = prop::sample::select(vec!["\"a\"", "\"b\"", "\"id\"", "\"\\u0061\"", "\"\"", "1"]);
            prop_oneof![
                (prop::collection::vec((inner.clone(), space), 0..5), any::<bool>()).prop_map(|(items, trailing)| {
                    let body: Vec<String> = items.into_iter().map(|(v, s)| format!("{s}{v}{s}")).collect();
                    format!("[{}{}]", body.join(","), if trailing { "," } else { "" })
                }),
                prop::collection::vec((key, inner, space), 0..5).prop_map(|entries| {
                    let body: Vec<String> = entries.into_iter().map(|(k, v, s)| format!("{s}{k}{s}:{s}{v}")).collect();
                    format!("{{{}}}", body.join(","))
                }),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Decimals around the 15-digit bound of the short path, as serde_json reads them.
        #[test]
        fn reads_decimals_as_serde_json_does(int in "-?(0|[1-9][0-9]{0,15})", frac in "[0-9]{1,16}") {
            agree(&format!("{int}.{frac}"))?;
        }

        #[test]
        fn agrees_with_serde_json_on_generated_texts(t in text(), cut in any::<prop::sample::Index>(), junk in "[\\[\\]{},:\" 0-9a-z\\\\]?") {
            agree(&t)?;
            // And on the text with one character replaced or removed.
            let chars: Vec<char> = t.chars().collect();
            if !chars.is_empty() {
                let at = cut.index(chars.len());
                let mutated: String = chars.iter().take(at).chain(junk.chars().collect::<Vec<_>>().iter()).chain(chars.iter().skip(at + 1)).collect();
                agree(&mutated)?;
            }
        }
    }
}
