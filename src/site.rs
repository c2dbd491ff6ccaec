//! Decisions for site traffic routed through the edge (proxy mode): which
//! first-party cookies to set, which requests are page views worth an event,
//! and the CA `page_view` event built from such a request. Pure: the Worker
//! passes the request's facts in and applies the answers.

pub mod consent;

use crate::config::Config;
use crate::{cookies, url};
use consent::{Consent, CA_CONSENT_COOKIE};
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

/// Cookie settings of the Worker (`COOKIE_DOMAIN`, `COOKIE_REFRESH`, consent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CookiePolicy {
    /// `Domain=` attribute, to share the cookies with subdomains.
    pub domain: Option<String>,
    /// Re-set `_ttp` as a server cookie so browser limits on script cookies do not shorten it.
    pub refresh_ttp: bool,
    pub consent: ConsentPolicy,
}

/// `CONSENT_CATEGORY` and `CONSENT_COOKIE`: the category the visitor must have agreed to
/// before the Worker sets cookies or sends page views, and where their consent is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentPolicy {
    /// None: consent is not checked (the site's own banner decides what runs).
    pub category: Option<String>,
    /// The consent cookie: Commanders Act's `TC_PRIVACY` by default.
    pub cookie: String,
}

impl Default for ConsentPolicy {
    fn default() -> Self {
        ConsentPolicy { category: None, cookie: CA_CONSENT_COOKIE.into() }
    }
}

impl ConsentPolicy {
    /// The visitor's consent, from the request's Cookie header.
    pub fn of(&self, cookie_header: Option<&str>) -> Consent {
        Consent::from_cookie_header(cookie_header, &self.cookie)
    }

    /// Whether the Worker may set cookies and send page views for this visitor.
    pub fn allows(&self, consent: &Consent) -> bool {
        self.category.as_deref().is_none_or(|c| consent.grants(c))
    }

    /// The categories `ALL` stands for: the required one and every destination's literal
    /// `consent_category` (templated ones name no category the Worker can know).
    pub fn known_categories(&self, config: &Config) -> Vec<String> {
        let mut out: Vec<String> = self.category.iter().cloned().collect();
        let literal = config.destinations.iter().filter_map(|d| d.consent_category.as_ref());
        for c in literal.filter(|t| t.first_path().is_none()).filter_map(|t| t.render_text(&crate::node::Node::Null)) {
            if !out.iter().any(|o| *o == c) {
                out.push(c.into_owned());
            }
        }
        out
    }
}

/// One proxied exchange, as far as cookies are concerned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exchange<'a> {
    pub request_url: &'a str,
    pub cookie: Option<&'a str>,
    /// The request is a page navigation ([`is_navigation`]).
    pub navigation: bool,
    pub status: u16,
    pub content_type: Option<&'a str>,
    /// The response's `Location` (redirects).
    pub location: Option<&'a str>,
    /// The response's `Cache-Control`.
    pub cache_control: Option<&'a str>,
}

/// What to add to a proxied response: `Set-Cookie` values, and the `Cache-Control` to put
/// in place of the origin's so a shared cache never hands one visitor's cookie to another.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseCookies {
    pub set_cookie: Vec<String>,
    pub cache_control: Option<String>,
}

/// Cookies go on HTML navigations only (a 2xx HTML page, or a redirect staying on the
/// site, so a landing URL that redirects keeps its click id): never on assets, 304s or
/// redirects to other hosts, and only with the visitor's consent when one is required.
pub fn response_cookies(x: &Exchange<'_>, policy: &CookiePolicy) -> ResponseCookies {
    let page = is_html_page(x.status, x.content_type) || is_same_site_redirect(x.status, x.location, x.request_url);
    if !x.navigation || !page || !policy.consent.allows(&policy.consent.of(x.cookie)) {
        return ResponseCookies::default();
    }
    let set_cookie = set_cookies(x.request_url, x.cookie, policy);
    let cache_control = match set_cookie.is_empty() {
        true => None,
        false => private_cache_control(x.cache_control),
    };
    ResponseCookies { set_cookie, cache_control }
}

/// A 3xx (not 304) whose `Location` is relative or on the request's host.
fn is_same_site_redirect(status: u16, location: Option<&str>, request_url: &str) -> bool {
    let Some(location) = location.map(str::trim) else { return false };
    if !(300..400).contains(&status) || status == 304 {
        return false;
    }
    if location.starts_with("//") || location.starts_with("\\") {
        return false;
    }
    match (url::parts(location), url::parts(request_url)) {
        (Some(to), Some(from)) => to.host.eq_ignore_ascii_case(from.host),
        // Relative (`/p/`, `p?x=1`): same host. Anything else with a scheme is not.
        (None, _) => !location.contains(':') || location.starts_with('/'),
        (Some(_), None) => false,
    }
}

/// `Cache-Control` for a response that now sets a cookie: `private` in front of the
/// origin's directives, without the ones that let shared caches store it (`public`,
/// `s-maxage`). None when it is already `private` or `no-store`.
pub fn private_cache_control(existing: Option<&str>) -> Option<String> {
    let directives: Vec<&str> = existing.unwrap_or("").split(',').map(str::trim).filter(|d| !d.is_empty()).collect();
    let name = |d: &str| d.split('=').next().unwrap_or("").trim().to_ascii_lowercase();
    if directives.iter().any(|d| matches!(name(d).as_str(), "private" | "no-store")) {
        return None;
    }
    let mut out = vec!["private"];
    out.extend(directives.into_iter().filter(|d| !matches!(name(d).as_str(), "public" | "s-maxage")));
    Some(out.join(", "))
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
    /// The visitor's consent categories (`user.consent_categories`), from the consent cookie.
    pub consent_categories: Vec<String>,
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
    let mut event = json!({"event_name": "page_view", "url": nav.url,
           "context": {"event_timestamp": nav.now_ms, "page": page, "device": device}});
    if let (false, Value::Object(e)) = (nav.consent_categories.is_empty(), &mut event) {
        e.insert("user".into(), json!({"consent_categories": nav.consent_categories}));
    }
    event
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> CookiePolicy {
        CookiePolicy { domain: None, refresh_ttp: true, consent: ConsentPolicy::default() }
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
        let p = CookiePolicy { domain: Some(".shop.example".into()), refresh_ttp: true, ..policy() };
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
            consent_categories: vec![],
        };
        assert_eq!(
            page_view(&nav),
            json!({"event_name": "page_view", "url": "https://shop.example/p?ttclid=E.C.P.x",
                   "context": {"event_timestamp": 1_765_290_725_123_i64,
                               "page": {"url": "https://shop.example/p?ttclid=E.C.P.x", "referrer": "https://tiktok.com/"},
                               "device": {"ip": "203.0.113.10", "user_agent": "UA", "cookie": "_ttp=T"}}})
        );
    }

    fn exchange<'a>(url: &'a str, status: u16, content_type: &'a str) -> Exchange<'a> {
        Exchange { request_url: url, navigation: true, status, content_type: Some(content_type), ..Exchange::default() }
    }

    #[test]
    fn cookies_go_on_html_navigations_only() {
        let url = "https://shop.example/p?ttclid=E.C.P.x";
        let page = exchange(url, 200, "text/html; charset=utf-8");
        let got = response_cookies(&page, &policy());
        assert_eq!(got.set_cookie.len(), 1);
        assert_eq!(got.cache_control.as_deref(), Some("private"));
        for x in [
            exchange(url, 200, "image/png"),
            exchange(url, 304, "text/html"),
            Exchange { navigation: false, ..page.clone() },
            Exchange { status: 302, location: Some("https://other.example/x"), ..page.clone() },
            Exchange { status: 302, location: Some("//other.example/x"), ..page.clone() },
            Exchange { status: 304, location: Some("/p/"), ..page.clone() },
        ] {
            assert_eq!(response_cookies(&x, &policy()), ResponseCookies::default(), "{x:?}");
        }
        for location in ["/p/?ttclid=E.C.P.x", "https://SHOP.example/p/", "p/"] {
            let redirect = Exchange { status: 301, location: Some(location), ..page.clone() };
            assert_eq!(response_cookies(&redirect, &policy()).set_cookie.len(), 1, "{location}");
        }
    }

    #[test]
    fn a_cookie_makes_a_cacheable_response_private() {
        assert_eq!(
            private_cache_control(Some("public, max-age=600, s-maxage=3600")).as_deref(),
            Some("private, max-age=600")
        );
        assert_eq!(private_cache_control(None).as_deref(), Some("private"));
        assert_eq!(private_cache_control(Some("no-store")), None);
        assert_eq!(private_cache_control(Some("Private, max-age=0")), None);
        let x =
            Exchange { cache_control: Some("public, max-age=60"), ..exchange("https://s/?ttclid=a", 200, "text/html") };
        assert_eq!(response_cookies(&x, &policy()).cache_control.as_deref(), Some("private, max-age=60"));
        // Nothing to set: the origin's caching is left alone.
        let none = Exchange { cache_control: Some("public"), ..exchange("https://s/", 200, "text/html") };
        assert_eq!(response_cookies(&none, &policy()), ResponseCookies::default());
    }

    #[test]
    fn cookies_need_the_consent_category_when_one_is_required() {
        let p = CookiePolicy {
            consent: ConsentPolicy { category: Some("3".into()), ..ConsentPolicy::default() },
            ..policy()
        };
        let url = "https://shop.example/?ttclid=E.C.P.x";
        let without = exchange(url, 200, "text/html");
        assert!(response_cookies(&without, &p).set_cookie.is_empty());
        let refused = Exchange { cookie: Some("TC_PRIVACY=0@002|12|3441@1%2C2@@1@1"), ..without.clone() };
        assert!(response_cookies(&refused, &p).set_cookie.is_empty());
        let opted_out = Exchange { cookie: Some("TC_PRIVACY=1@002|12|3441@3@@1@1"), ..without.clone() };
        assert!(response_cookies(&opted_out, &p).set_cookie.is_empty());
        let agreed = Exchange { cookie: Some("TC_PRIVACY=0@002|12|3441@1%2C3@@1@1"), ..without.clone() };
        assert_eq!(response_cookies(&agreed, &p).set_cookie.len(), 1);
        let own = CookiePolicy {
            consent: ConsentPolicy { category: Some("ads".into()), cookie: "consent".into() },
            ..policy()
        };
        let listed = Exchange { cookie: Some("consent=analytics,ads"), ..without };
        assert_eq!(response_cookies(&listed, &own).set_cookie.len(), 1);
    }

    #[test]
    fn page_views_carry_the_consent_categories() {
        let nav =
            Navigation { url: "https://s/", consent_categories: vec!["1".into(), "3".into()], ..Navigation::default() };
        assert_eq!(page_view(&nav)["user"], json!({"consent_categories": ["1", "3"]}));
        assert!(page_view(&Navigation { url: "https://s/", ..Navigation::default() }).get("user").is_none());
        let config = Config::from_json(
            r#"{"destinations": [{"id": "a", "type": "events_api", "pixel_id": "P", "consent_category": "4"},
                {"id": "b", "type": "events_api", "pixel_id": "P", "consent_category": "{{x}}"}]}"#,
        )
        .unwrap();
        let p = ConsentPolicy { category: Some("3".into()), ..ConsentPolicy::default() };
        assert_eq!(p.known_categories(&config), vec!["3".to_owned(), "4".to_owned()]);
    }
}
