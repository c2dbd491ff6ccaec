//! Decisions for site traffic routed through the edge (proxy mode): which
//! first-party cookies to set, which requests are page views worth an event,
//! and the CA `page_view` event built from such a request. Pure: the Worker
//! passes the request's facts in and applies the answers.

use crate::{cookies, url};
use serde_json::{json, Map, Value};

/// Click ids live 30 days (TikTok's attribution window is 28 days).
pub const CLICK_ID_MAX_AGE: u64 = 30 * 24 * 3600;
/// `_ttp` is refreshed for about 13 months (395 days), like the pixel's own cookie.
pub const TTP_MAX_AGE: u64 = 395 * 24 * 3600;
/// Longest cookie value echoed back; real click ids are far shorter.
const MAX_VALUE_LEN: usize = 512;
/// User agents of crawlers, link previewers and monitors (lowercase substrings).
const BOTS: &[&str] = &[
    "bot",
    "crawl",
    "spider",
    "slurp",
    "facebookexternalhit",
    "embedly",
    "preview",
    "headless",
    "lighthouse",
    "pingdom",
    "uptime",
    "monitor",
    "curl/",
    "wget/",
    "python-requests",
    "go-http-client",
];

/// Cookie settings of the Worker (`COOKIE_DOMAIN`, `COOKIE_REFRESH`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CookiePolicy {
    /// `Domain=` attribute, to share the cookies with subdomains.
    pub domain: Option<String>,
    /// Re-set `_ttp` as a server cookie so browser limits on script cookies do not shorten it.
    pub refresh_ttp: bool,
}

/// Where site traffic goes in proxy mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyMode {
    /// `PROXY=off`.
    Off,
    /// On a route of the site: forward the request as it is; off on `*.workers.dev` and loopback.
    Auto,
    /// `PROXY_ORIGIN`: forward to this origin (scheme and host), keeping path and query.
    Origin(String),
}

/// The URL a site request is forwarded to, or None when proxy mode is off for it.
/// `host` is the request's host; `path_and_query` starts with `/`.
pub fn proxy_target(mode: &ProxyMode, request_url: &str, host: &str, path_and_query: &str) -> Option<String> {
    match mode {
        ProxyMode::Off => None,
        ProxyMode::Origin(origin) => Some(format!("{}{path_and_query}", origin.trim_end_matches('/'))),
        ProxyMode::Auto => {
            let local = host.ends_with(".workers.dev") || matches!(host, "localhost" | "127.0.0.1" | "[::1]" | "::1");
            (!local).then(|| request_url.to_owned())
        }
    }
}

/// True for a value safe to echo into a `Set-Cookie` header (no `;`, `,`, spaces, quotes,
/// control characters: no header or attribute injection).
pub fn is_safe_cookie_value(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= MAX_VALUE_LEN
        && v.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'~' | b'+' | b'/' | b'='))
}

/// `Set-Cookie` values for a request to `request_url` carrying `cookie_header`:
/// `ttclid` / `ttoclid` from the URL, and `_ttp` refreshed from the Cookie header.
/// Unsafe values are skipped, never echoed.
pub fn set_cookies(request_url: &str, cookie_header: Option<&str>, policy: &CookiePolicy) -> Vec<String> {
    let mut out = Vec::new();
    for name in ["ttclid", "ttoclid"] {
        if let Some(v) = url::query_param(request_url, name).filter(|v| is_safe_cookie_value(v)) {
            out.push(cookie(name, &v, CLICK_ID_MAX_AGE, policy));
        }
    }
    if policy.refresh_ttp {
        if let Some(v) = cookie_header.and_then(|h| cookies::get(h, "_ttp")).filter(|v| is_safe_cookie_value(v)) {
            out.push(cookie("_ttp", &v, TTP_MAX_AGE, policy));
        }
    }
    out
}

fn cookie(name: &str, value: &str, max_age: u64, policy: &CookiePolicy) -> String {
    let mut c = format!("{name}={value}; Max-Age={max_age}; Path=/; Secure; SameSite=Lax");
    if let Some(d) = policy.domain.as_deref().filter(|d| is_safe_cookie_value(d)) {
        c.push_str("; Domain=");
        c.push_str(d);
    }
    c
}

/// A crawler, previewer or monitor (case-insensitive substring match); no UA counts as a bot.
pub fn is_bot(user_agent: Option<&str>) -> bool {
    let Some(ua) = user_agent.map(str::to_ascii_lowercase) else { return true };
    BOTS.iter().any(|b| ua.contains(b))
}

/// The request side of "a page view": a GET navigation that is not a prefetch.
pub fn is_navigation(method: &str, sec_fetch_mode: Option<&str>, accept: Option<&str>, purpose: Option<&str>) -> bool {
    let prefetch = purpose.is_some_and(|p| p.to_ascii_lowercase().contains("prefetch"));
    let navigate = match sec_fetch_mode {
        Some(mode) => mode.eq_ignore_ascii_case("navigate"),
        None => accept.is_some_and(|a| a.contains("text/html")),
    };
    method.eq_ignore_ascii_case("GET") && navigate && !prefetch
}

/// The response side: a 2xx HTML page.
pub fn is_html_page(status: u16, content_type: Option<&str>) -> bool {
    (200..300).contains(&status) && content_type.is_some_and(|c| c.to_ascii_lowercase().starts_with("text/html"))
}

/// Facts of a navigation request, for the server-side page view.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Navigation<'a> {
    pub url: &'a str,
    pub referrer: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub cookie: Option<&'a str>,
    pub now_ms: i64,
}

/// The CA `page_view` event for a navigation: URL, referrer, device facts and the
/// cookie header, so the core finds `ttclid` (URL or cookie) and `_ttp` as usual.
pub fn page_view(nav: &Navigation<'_>) -> Value {
    let mut device = Map::new();
    let mut put = |k: &str, v: Option<&str>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            device.insert(k.into(), v.into());
        }
    };
    put("ip", nav.ip);
    put("user_agent", nav.user_agent);
    put("cookie", nav.cookie);
    let mut page = json!({"url": nav.url});
    if let (Some(r), Value::Object(p)) = (nav.referrer.filter(|r| !r.is_empty()), &mut page) {
        p.insert("referrer".into(), r.into());
    }
    json!({"event_name": "page_view", "url": nav.url,
           "context": {"event_timestamp": nav.now_ms, "page": page, "device": device}})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> CookiePolicy {
        CookiePolicy { domain: None, refresh_ttp: true }
    }

    #[test]
    fn click_ids_in_the_url_become_first_party_cookies() {
        let c = set_cookies("https://shop.example/p?ttclid=E.C.P.abc-1_2&ttoclid=opf123", None, &policy());
        assert_eq!(
            c,
            vec![
                "ttclid=E.C.P.abc-1_2; Max-Age=2592000; Path=/; Secure; SameSite=Lax",
                "ttoclid=opf123; Max-Age=2592000; Path=/; Secure; SameSite=Lax",
            ]
        );
    }

    #[test]
    fn ttp_is_refreshed_with_the_domain_when_asked() {
        let p = CookiePolicy { domain: Some(".shop.example".into()), refresh_ttp: true };
        let c = set_cookies("https://shop.example/", Some("a=1; _ttp=2Xy9kQ3abc"), &p);
        assert_eq!(c, vec!["_ttp=2Xy9kQ3abc; Max-Age=34128000; Path=/; Secure; SameSite=Lax; Domain=.shop.example"]);
        assert!(set_cookies("https://shop.example/", Some("_ttp=x"), &CookiePolicy::default()).is_empty());
    }

    #[test]
    fn injected_values_are_refused() {
        for bad in ["a%0D%0ASet-Cookie:%20x=1", "a;%20Domain=evil.example", "a%2Cb", "%22q%22", "a%20b", ""] {
            let url = format!("https://shop.example/?ttclid={bad}");
            assert!(set_cookies(&url, None, &policy()).is_empty(), "{bad}");
        }
        let long = "a".repeat(513);
        assert!(set_cookies(&format!("https://s/?ttclid={long}"), None, &policy()).is_empty());
        assert!(set_cookies("https://s/", Some("_ttp=a\u{7f}b"), &policy()).is_empty());
    }

    #[test]
    fn proxy_targets() {
        let origin = ProxyMode::Origin("https://origin.example.com/".into());
        assert_eq!(
            proxy_target(&origin, "https://shop.example/p?x=1", "shop.example", "/p?x=1").as_deref(),
            Some("https://origin.example.com/p?x=1")
        );
        let url = "https://shop.example/p";
        assert_eq!(proxy_target(&ProxyMode::Auto, url, "shop.example", "/p").as_deref(), Some(url));
        assert_eq!(proxy_target(&ProxyMode::Auto, "https://x.acme.workers.dev/p", "x.acme.workers.dev", "/p"), None);
        assert_eq!(proxy_target(&ProxyMode::Auto, "http://localhost:8787/p", "localhost", "/p"), None);
        assert_eq!(proxy_target(&ProxyMode::Off, url, "shop.example", "/p"), None);
    }

    #[test]
    fn bots_navigations_and_pages() {
        assert!(is_bot(Some("Mozilla/5.0 (compatible; Googlebot/2.1)")));
        assert!(is_bot(Some("facebookexternalhit/1.1")));
        assert!(is_bot(None));
        assert!(!is_bot(Some("Mozilla/5.0 (Macintosh) AppleWebKit/537.36 Chrome/120")));
        assert!(is_navigation("GET", Some("navigate"), None, None));
        assert!(is_navigation("GET", None, Some("text/html,application/xhtml+xml"), None));
        assert!(!is_navigation("GET", Some("navigate"), None, Some("prefetch")));
        assert!(!is_navigation("POST", Some("navigate"), None, None));
        assert!(!is_navigation("GET", Some("cors"), Some("text/html"), None));
        assert!(is_html_page(200, Some("text/html; charset=utf-8")));
        assert!(!is_html_page(304, Some("text/html")));
        assert!(!is_html_page(200, Some("image/png")));
    }

    #[test]
    fn page_view_event_carries_the_request_facts() {
        let nav = Navigation {
            url: "https://shop.example/p?ttclid=E.C.P.x",
            referrer: Some("https://tiktok.com/"),
            ip: Some("203.0.113.10"),
            user_agent: Some("UA"),
            cookie: Some("_ttp=T"),
            now_ms: 1_765_290_725_123,
        };
        assert_eq!(
            page_view(&nav),
            json!({"event_name": "page_view", "url": "https://shop.example/p?ttclid=E.C.P.x",
                   "context": {"event_timestamp": 1_765_290_725_123_i64,
                               "page": {"url": "https://shop.example/p?ttclid=E.C.P.x", "referrer": "https://tiktok.com/"},
                               "device": {"ip": "203.0.113.10", "user_agent": "UA", "cookie": "_ttp=T"}}})
        );
    }
}
