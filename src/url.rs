//! The two URL operations the mapping needs: percent-decoding and reading one
//! query parameter. No URL crate: the wasm stays small and the rules stay visible.

use std::borrow::Cow;

/// Decodes `%XX` escapes (and `+` as a space when `plus_is_space`).
/// Invalid escapes are kept as written; invalid UTF-8 is replaced, never a panic.
pub fn percent_decode(input: &str, plus_is_space: bool) -> Cow<'_, str> {
    if !(input.contains('%') || plus_is_space && input.contains('+')) {
        return Cow::Borrowed(input);
    }
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => match (bytes.get(i + 1).and_then(hex), bytes.get(i + 2).and_then(hex)) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_is_space => out.push(b' '),
            _ => out.push(b),
        }
        i += 1;
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

fn hex(b: &u8) -> Option<u8> {
    (*b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// The parts of an absolute URL the Worker needs, without a URL parser (whose IDNA
/// tables would double the Worker's size).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts<'u> {
    /// `scheme://host[:port]`, as browsers send it in `Origin`.
    pub origin: &'u str,
    /// Host without port or user info, lowercased by the caller if needed.
    pub host: &'u str,
    /// Path and query (`/` when empty), without the fragment.
    pub path_and_query: &'u str,
    /// Path alone.
    pub path: &'u str,
}

/// Splits `scheme://authority/path?query#fragment`. None when there is no `://`.
pub fn parts(url: &str) -> Option<Parts<'_>> {
    let scheme_end = url.find("://")?;
    let after = url.get(scheme_end + 3..)?;
    let authority_len = after.find(['/', '?', '#']).unwrap_or(after.len());
    let origin = url.get(..scheme_end + 3 + authority_len)?;
    let authority = after.get(..authority_len)?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map_or(host_port, |(h, _)| h),
        None => host_port.split_once(':').map_or(host_port, |(h, _)| h),
    };
    let rest = after.get(authority_len..)?;
    let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
    let path_and_query = if rest.is_empty() || rest.starts_with('?') { "/" } else { rest };
    let path = path_and_query.split_once('?').map_or(path_and_query, |(p, _)| p);
    // "https://h?x=1" has an empty path: keep its query after the implied "/".
    let path_and_query = if rest.starts_with('?') { rest } else { path_and_query };
    Some(Parts { origin, host, path_and_query, path })
}

/// The first value of query parameter `name` in `url`, decoded. Empty values count as absent.
pub fn query_param<'u>(url: &'u str, name: &str) -> Option<Cow<'u, str>> {
    let query = url.split_once('?')?.1;
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    query
        .split('&')
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k, true) == name).then(|| match percent_decode(v, true) {
                Cow::Borrowed(v) => Cow::Borrowed(v.trim()),
                Cow::Owned(v) => Cow::Owned(v.trim().to_owned()),
            })
        })
        .find(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_and_keeps_invalid_ones() {
        assert_eq!(percent_decode("a%20b%2Fc", false), "a b/c");
        assert_eq!(percent_decode("100%", false), "100%");
        assert_eq!(percent_decode("%zz%4", false), "%zz%4");
        assert_eq!(percent_decode("a+b", true), "a b");
        assert_eq!(percent_decode("a+b", false), "a+b");
        assert_eq!(percent_decode("%C3%A9", false), "é");
        assert_eq!(percent_decode("%FF", false), "\u{FFFD}");
    }

    #[test]
    fn splits_urls() {
        let p = parts("https://user@shop.example:8443/a/b?x=1#frag").unwrap();
        assert_eq!(
            p,
            Parts {
                origin: "https://user@shop.example:8443",
                host: "shop.example",
                path_and_query: "/a/b?x=1",
                path: "/a/b"
            }
        );
        let p = parts("http://[::1]:8787").unwrap();
        assert_eq!((p.host, p.path_and_query, p.path), ("::1", "/", "/"));
        let p = parts("https://shop.example?x=1").unwrap();
        assert_eq!((p.origin, p.path_and_query, p.path), ("https://shop.example", "?x=1", "/"));
        assert_eq!(parts("not a url"), None);
    }

    #[test]
    fn reads_a_query_parameter() {
        let url = "https://s.example/p?a=1&ttclid=E.C.P.x%2By&b=2#frag";
        assert_eq!(query_param(url, "ttclid").as_deref(), Some("E.C.P.x+y"));
        assert_eq!(query_param("https://s.example/p?ttclid=&ttclid=B", "ttclid").as_deref(), Some("B"));
        assert_eq!(query_param("https://s.example/p#ttclid=A", "ttclid"), None);
        assert_eq!(query_param("https://s.example/p?xttclid=A", "ttclid"), None);
        assert_eq!(query_param("no query", "ttclid"), None);
    }
}
