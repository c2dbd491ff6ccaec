//! Reading cookies from a `Cookie` header string (`context.device.cookie`, or the
//! Worker's request header): split on `;`, trim, split at the first `=`,
//! first match wins, values URL-decoded, surrounding quotes removed.

use crate::url::percent_decode;
use std::borrow::Cow;

/// Iterates `(name, raw value)` pairs of a Cookie header. Pairs without `=` are skipped.
pub fn pairs(header: &str) -> impl Iterator<Item = (&str, &str)> {
    header.split(';').filter_map(|part| {
        let (name, value) = part.split_once('=')?;
        let name = name.trim();
        (!name.is_empty()).then_some((name, value.trim()))
    })
}

/// The decoded value of the first cookie called `name`, if it is non-empty.
pub fn get<'h>(header: &'h str, name: &str) -> Option<Cow<'h, str>> {
    decode(pairs(header).find(|(n, _)| *n == name)?.1)
}

/// All cookies as decoded `(name, value)` pairs, in header order, first of a name wins
/// (for the npm `parseCookies`). Empty values are left out.
pub fn parse(header: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (name, raw) in pairs(header) {
        if !seen.insert(name) {
            continue;
        }
        if let Some(value) = decode(raw) {
            out.push((name.to_owned(), value.into_owned()));
        }
    }
    out
}

fn decode(raw: &str) -> Option<Cow<'_, str>> {
    let raw = raw.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(raw);
    let value = match percent_decode(raw, false) {
        Cow::Borrowed(v) => Cow::Borrowed(v.trim()),
        Cow::Owned(v) => Cow::Owned(v.trim().to_owned()),
    };
    (!value.is_empty()).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cookies_by_exact_name() {
        let h = "_ttp=2Xy9kQ3abcDEFghiJKL; _fbp=fb.1.1596403881668.1116446470; ttclid=E.C.P.a%2Bb";
        assert_eq!(get(h, "_ttp").as_deref(), Some("2Xy9kQ3abcDEFghiJKL"));
        assert_eq!(get(h, "ttclid").as_deref(), Some("E.C.P.a+b"));
        assert_eq!(get(h, "ttp"), None);
        assert_eq!(get(h, "_ttclid"), None);
    }

    #[test]
    fn tolerates_odd_headers() {
        assert_eq!(get("", "_ttp"), None);
        assert_eq!(get(";;=x; novalue; _ttp=", "_ttp"), None);
        assert_eq!(get("  _ttp = \"abc\" ", "_ttp").as_deref(), Some("abc"));
        assert_eq!(get("a=1; a=2", "a").as_deref(), Some("1"));
        assert_eq!(get("a=x=y", "a").as_deref(), Some("x=y"));
    }

    #[test]
    fn parses_all_pairs_first_wins() {
        let all = parse("a=1; b=%20two ; a=3; c=");
        assert_eq!(all, vec![("a".into(), "1".into()), ("b".into(), "two".into())]);
    }
}
