//! Who may do what at the edge. Two caller classes:
//!
//! - **server**: sends `Authorization: Bearer <INGEST_TOKEN>`; every route, every
//!   destination, events used as they are, full per-event reports, no rate limit;
//! - **browser**: no token, an `Origin` in `ALLOWED_ORIGINS` or the site the Worker
//!   proxies. Anyone can claim an Origin, so this is a public door, like a pixel:
//!   `/v1/events` only, `events_api` destinations unless `BROWSER_DESTINATIONS` lists
//!   others, IP / user agent / cookies from the request (never the event), templated
//!   ids only from `BROWSER_ALLOWED_IDS`, at most `BROWSER_MAX_EVENTS` per call, and a
//!   summary per event instead of TikTok's answer ([`BrowserView`]).
//!
//! Pure: the Worker passes headers and settings in and applies the answers.

use crate::config::{Config, Destination, DestinationKind};
use crate::delivery::report::{DestinationResult, Outcome};
use crate::error::Error;
use crate::mapping::slots::Slot;
use crate::node::Node;
use crate::request::Body;
use crate::site::ProxyMode;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

/// The class of a caller that got in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Server,
    Browser,
}

/// What the `Authorization` header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// No `Authorization` header.
    Absent,
    /// `Bearer <INGEST_TOKEN>` exactly (the scheme is case-insensitive, RFC 9110 11.1).
    Valid,
    /// Anything else, or any header while `INGEST_TOKEN` is unset.
    Invalid,
}

/// Why a caller is turned away (401).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A token was sent and it is not the ingest token.
    BadToken,
    /// No token, and not a browser of an allowed origin (or a route browsers may not use).
    TokenRequired,
}

impl Refusal {
    pub fn message(self, token_set: bool) -> &'static str {
        match (self, token_set) {
            (_, false) => "INGEST_TOKEN is not set: only browsers of ALLOWED_ORIGINS may call /v1/events",
            (Refusal::BadToken, true) => "the Authorization header does not carry INGEST_TOKEN",
            (Refusal::TokenRequired, true) => "send Authorization: Bearer <INGEST_TOKEN>",
        }
    }
}

/// Checks `Authorization` against the ingest token, in time independent of where they differ.
pub fn auth(header: Option<&str>, token: Option<&str>) -> Auth {
    let Some(header) = header else { return Auth::Absent };
    let given = header.trim().split_once(' ').filter(|(scheme, _)| scheme.eq_ignore_ascii_case("Bearer"));
    match (given, token) {
        (Some((_, given)), Some(token)) if constant_time_eq(given.trim().as_bytes(), token.as_bytes()) => Auth::Valid,
        _ => Auth::Invalid,
    }
}

/// Compares secrets in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = u8::from(a.len() != b.len());
    for (i, x) in a.iter().enumerate() {
        diff |= x ^ b.get(i).copied().unwrap_or(0);
    }
    diff == 0
}

/// The request's `Origin` when it is exactly an allowed origin or the proxied site's
/// (browsers send `scheme://host[:port]`, lowercase, no path: anything else, `null`,
/// lists, trailing `/`, other ports or case, is not that origin).
pub fn browser_origin<'a>(origin: Option<&'a str>, allowed: &[String], site: Option<&str>) -> Option<&'a str> {
    origin.filter(|o| allowed.iter().any(|a| a == o) || site == Some(*o))
}

/// The origin of the site this request reaches through the Worker, when the Worker really
/// fronts one: `PROXY_ORIGIN` is set, or (`PROXY=auto`) it runs on a route of the site,
/// which the Worker cannot see, so it takes the documented setup (a host that is not
/// `*.workers.dev` or loopback, and an `API_PREFIX`) as the sign. A custom domain serving
/// only the API, `workers.dev` and `wrangler dev` have no site: their own origin is a
/// caller like any other.
pub fn routed_site<'a>(mode: &ProxyMode, api_prefix: &str, host: &str, own_origin: &'a str) -> Option<&'a str> {
    let local = host.ends_with(".workers.dev") || matches!(host, "localhost" | "127.0.0.1" | "[::1]" | "::1");
    let routed = match mode {
        ProxyMode::Off => false,
        ProxyMode::Origin(_) => true,
        ProxyMode::Auto => !local && !api_prefix.is_empty(),
    };
    routed.then_some(own_origin)
}

/// The caller class, or why it is refused. A wrong token is refused even from an allowed
/// origin: a server with a stale token learns it instead of being served as a browser.
pub fn caller(auth: Auth, from_browser: bool) -> Result<Caller, Refusal> {
    match (auth, from_browser) {
        (Auth::Valid, _) => Ok(Caller::Server),
        (Auth::Invalid, _) => Err(Refusal::BadToken),
        (Auth::Absent, true) => Ok(Caller::Browser),
        (Auth::Absent, false) => Err(Refusal::TokenRequired),
    }
}

/// The key a browser call is rate limited by: its client IP.
pub fn rate_limit_key(ip: Option<&str>) -> String {
    format!("browser:{}", ip.map(str::trim).filter(|ip| !ip.is_empty()).unwrap_or("unknown"))
}

/// What browsers may reach (`BROWSER_DESTINATIONS`, `BROWSER_ALLOWED_IDS`, `BROWSER_MAX_EVENTS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserDoor {
    /// Destination ids browsers reach; None: every `events_api` destination.
    pub destinations: Option<Vec<String>>,
    /// Ids a templated `pixel_id`, `app_id` or `event_set_id` may resolve to for browser events.
    pub allowed_ids: Vec<String>,
    /// Most events in one browser call.
    pub max_events: usize,
}

impl Default for BrowserDoor {
    fn default() -> Self {
        BrowserDoor { destinations: None, allowed_ids: Vec::new(), max_events: 20 }
    }
}

impl BrowserDoor {
    /// Whether browser events go to `d`.
    pub fn reaches(&self, d: &Destination) -> bool {
        match &self.destinations {
            Some(ids) => ids.contains(&d.id),
            None => matches!(d.kind, DestinationKind::EventsApi(_)),
        }
    }

    /// The config browser events are planned with: only the destinations they reach.
    pub fn config(&self, config: &Config) -> Config {
        let destinations = config.destinations.iter().filter(|d| self.reaches(d)).cloned().collect();
        Config { api_base: config.api_base.clone(), destinations }
    }

    /// A browser event without what must come from the request: the places the
    /// destinations read the IP, user agent and Cookie header from. The Worker supplies
    /// those from the request (`CF-Connecting-IP`, `User-Agent`, `Cookie`).
    pub fn event<'a>(&self, config: &Config, event: &Node<'a>) -> Node<'a> {
        let mut event = event.clone();
        for d in &config.destinations {
            let DestinationKind::EventsApi(settings) = &d.kind else { continue };
            for slot in [Slot::DeviceIp, Slot::DeviceUserAgent, Slot::Cookies] {
                for path in settings.paths(slot) {
                    remove(&mut event, path.as_str());
                }
            }
        }
        // Read by every destination type, whatever the Smart Mapping.
        for path in ["context.device.cookie", "context.cookie", "context.device.ip", "context.device.user_agent"] {
            remove(&mut event, path);
        }
        event
    }

    /// Refuses planned requests whose templated source id (pixel, app, event set) resolved
    /// to an id that is neither one of the destination's literal ids nor in `allowed_ids`:
    /// a browser must not pick the pixel the advertiser's token writes to.
    pub fn check_ids(&self, config: &Config, results: &mut [DestinationResult<'_>]) {
        for r in results.iter_mut() {
            let Some(d) = config.destinations.iter().find(|d| d.id == r.destination) else { continue };
            let Outcome::Ready { request, .. } = &r.outcome else { continue };
            let (id, setting, literals) = match (&d.kind, &request.body) {
                (DestinationKind::EventsApi(s), Body::Track(b)) => {
                    let (setting, template) = match b.event_source.as_ref() {
                        "app" => ("app_id", &s.app_id),
                        _ => ("pixel_id", &s.pixel_id),
                    };
                    let path = template.as_ref().and_then(|t| t.first_path()).unwrap_or(setting).to_owned();
                    (b.event_source_id.to_string(), path, literal_ids(&[s.pixel_id.as_ref(), s.app_id.as_ref()]))
                }
                (DestinationKind::OfflineEvents(s), Body::OfflineTrack(b)) => {
                    let path = s.event_set_id.first_path().unwrap_or("event_set_id").to_owned();
                    (b.event_set_id.to_string(), path, literal_ids(&[Some(&s.event_set_id)]))
                }
                (DestinationKind::OfflineEvents(s), Body::Track(b)) => {
                    let path = s.event_set_id.first_path().unwrap_or("event_set_id").to_owned();
                    (b.event_source_id.to_string(), path, literal_ids(&[Some(&s.event_set_id)]))
                }
                _ => continue,
            };
            if literals.contains(&id) || self.allowed_ids.contains(&id) {
                continue;
            }
            let message = "this id is not in BROWSER_ALLOWED_IDS: browser events may only choose listed ids".into();
            r.outcome = Outcome::Error { error: Error::InvalidField { path: setting, message } };
            r.warnings.clear();
        }
    }
}

/// The ids written literally in the destination's settings (no `{{...}}`).
fn literal_ids(templates: &[Option<&crate::template::Template>]) -> Vec<String> {
    templates
        .iter()
        .flatten()
        .filter(|t| t.first_path().is_none())
        .filter_map(|t| t.render_text(&Node::Null).map(|c| c.into_owned()))
        .collect()
}

/// Removes the value at a dot path (numeric segments index arrays); nothing if absent.
fn remove(value: &mut Node<'_>, dotted: &str) {
    let (parents, last) = dotted.rsplit_once('.').unwrap_or(("", dotted));
    let mut cur = value;
    for seg in parents.split('.').filter(|s| !s.is_empty()) {
        cur = match cur {
            Node::Object(_) => match cur.get_mut(seg) {
                Some(v) => v,
                None => return,
            },
            Node::Array(items) => match seg.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                Some(v) => v,
                None => return,
            },
            _ => return,
        };
    }
    cur.remove(last);
}

/// The reports a browser sees: per event and destination its status, and for a failure
/// whether to retry; for a refused event the error's code and path (the event's own
/// problem). Never TikTok's codes, messages or request ids, warnings or requests: a
/// public caller must not learn what the advertiser's token may do.
pub struct BrowserView<'r, 'a>(pub &'r [DestinationResult<'a>]);

impl Serialize for BrowserView<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Results<'v> {
            results: Vec<Summary<'v>>,
        }
        let results = self.0.iter().map(Summary).collect();
        Results { results }.serialize(s)
    }
}

struct Summary<'v>(&'v DestinationResult<'v>);

impl Serialize for Summary<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut st = s.serialize_struct("Summary", 4)?;
        st.serialize_field("destination", &r.destination)?;
        if let Some(i) = r.index {
            st.serialize_field("index", &i)?;
        }
        match &r.outcome {
            Outcome::Ready { .. } => st.serialize_field("status", "ready")?,
            Outcome::Queued { .. } => st.serialize_field("status", "queued")?,
            Outcome::Sent { .. } => st.serialize_field("status", "sent")?,
            Outcome::Failed { retryable, .. } => {
                st.serialize_field("status", "failed")?;
                st.serialize_field("retryable", retryable)?;
            }
            Outcome::Skipped { reason } => {
                st.serialize_field("status", "skipped")?;
                st.serialize_field("reason", reason)?;
            }
            Outcome::Error { error } => {
                st.serialize_field("status", "error")?;
                // A missing secret's path is the secret's name: config, not the event's problem.
                let path = match error {
                    Error::MissingSecret { .. } => "",
                    e => e.path(),
                };
                st.serialize_field("error", &ErrorSummary { code: error.code(), path })?;
            }
        }
        st.end()
    }
}

#[derive(Serialize)]
struct ErrorSummary<'e> {
    code: &'static str,
    path: &'e str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{plan, RequestContext, Secrets};
    use serde_json::json;

    #[test]
    fn the_token_must_be_exact_and_the_scheme_is_case_insensitive() {
        let t = Some("tok-123");
        assert_eq!(auth(Some("Bearer tok-123"), t), Auth::Valid);
        assert_eq!(auth(Some("bearer tok-123"), t), Auth::Valid);
        assert_eq!(auth(Some("BEARER  tok-123 "), t), Auth::Valid);
        for bad in [
            "Bearer tok-1234",
            "Bearer xtok-123",
            "Bearer tok-12",
            "tok-123",
            "Basic tok-123",
            "Bearer",
            "Bearertok-123",
            "",
        ] {
            assert_eq!(auth(Some(bad), t), Auth::Invalid, "{bad}");
        }
        assert_eq!(auth(None, t), Auth::Absent);
        assert_eq!(auth(Some("Bearer anything"), None), Auth::Invalid);
        assert_eq!(auth(Some("Bearer "), Some("")), Auth::Invalid);
    }

    #[test]
    fn callers_are_servers_browsers_or_refused() {
        assert_eq!(caller(Auth::Valid, false), Ok(Caller::Server));
        assert_eq!(caller(Auth::Valid, true), Ok(Caller::Server));
        assert_eq!(caller(Auth::Absent, true), Ok(Caller::Browser));
        assert_eq!(caller(Auth::Absent, false), Err(Refusal::TokenRequired));
        assert_eq!(caller(Auth::Invalid, true), Err(Refusal::BadToken));
    }

    #[test]
    fn only_the_exact_origin_is_a_browser_of_the_site() {
        let allowed = vec!["https://shop.example.com".to_owned()];
        let ok = |o: &str| browser_origin(Some(o), &allowed, None).is_some();
        assert!(ok("https://shop.example.com"));
        for bad in [
            "https://shop.example.com/",
            "HTTPS://SHOP.EXAMPLE.COM",
            "https://shop.example.com:443",
            "https://shop.example.com:8443",
            "http://shop.example.com",
            "null",
            "https://shop.example.com, https://evil.example",
            "https://shop.example.com.evil.example",
            "https://evil.example/https://shop.example.com",
            "",
        ] {
            assert!(!ok(bad), "{bad}");
        }
        assert_eq!(
            browser_origin(Some("https://edge.example"), &[], Some("https://edge.example")),
            Some("https://edge.example")
        );
        assert_eq!(browser_origin(None, &allowed, None), None);
    }

    #[test]
    fn the_own_origin_counts_only_for_a_proxied_site() {
        let origin = ProxyMode::Origin("https://origin.example".into());
        assert_eq!(routed_site(&origin, "", "edge.acme.workers.dev", "o"), Some("o"));
        assert_eq!(routed_site(&ProxyMode::Auto, "/_tt", "shop.example.com", "o"), Some("o"));
        assert_eq!(routed_site(&ProxyMode::Auto, "", "api.example.com", "o"), None);
        assert_eq!(routed_site(&ProxyMode::Auto, "/_tt", "edge.acme.workers.dev", "o"), None);
        for host in ["localhost", "127.0.0.1", "[::1]"] {
            assert_eq!(routed_site(&ProxyMode::Auto, "/_tt", host, "o"), None, "{host}");
        }
        assert_eq!(routed_site(&ProxyMode::Off, "/_tt", "shop.example.com", "o"), None);
    }

    fn config() -> Config {
        Config::from_json(
            r#"{"destinations": [
                {"id": "web", "type": "events_api", "pixel_id": "{{partners.tiktok.pixel_id}}"},
                {"id": "fixed", "type": "events_api", "pixel_id": "CFIXED", "smart_mapping": {"device_ip": "ip"}},
                {"id": "offline", "type": "offline_events", "event_set_id": "{{set}}", "mapping": {"purchase": "CompletePayment"}},
                {"id": "orders", "type": "order_sync", "endpoint": "https://orders.example/", "third_merchant_id": "M",
                 "third_shop_id": "S", "third_shop_name": "N", "order_country": "FR", "create_time": "1",
                 "payment_value": "1", "total_value": "1", "length_of_stay": "1", "amount_of_room": "1",
                 "check_in_date": "2025-01-01", "check_out_date": "2025-01-02",
                 "event_mapping": {"purchase": "CREATE_ORDER"}}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn browsers_reach_events_api_destinations_unless_listed() {
        let c = config();
        let ids = |door: &BrowserDoor| door.config(&c).destinations.iter().map(|d| d.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&BrowserDoor::default()), ["web", "fixed"]);
        let listed =
            BrowserDoor { destinations: Some(vec!["fixed".into(), "orders".into()]), ..BrowserDoor::default() };
        assert_eq!(ids(&listed), ["fixed", "orders"]);
    }

    #[test]
    fn ip_user_agent_and_cookies_are_taken_out_of_browser_events() {
        let event = json!({"event_name": "purchase", "ip": "1.2.3.4",
            "context": {"device": {"ip": "9.9.9.9", "user_agent": "Spoof", "cookie": "_ttp=other", "language": "fr"},
                        "cookie": "ttclid=x"}});
        let clean = BrowserDoor::default().event(&config(), &Node::from_value(&event));
        assert_eq!(clean.to_value(), json!({"event_name": "purchase", "context": {"device": {"language": "fr"}}}));
    }

    #[test]
    fn templated_ids_must_be_allowed() {
        let c = config();
        let door = BrowserDoor { allowed_ids: vec!["CALLOWED".into()], ..BrowserDoor::default() };
        let c = door.config(&c);
        let secrets = Secrets::new().with("TIKTOK_ACCESS_TOKEN", "t");
        let run = |pixel: &str| {
            let event = json!({"event_name": "purchase", "partners": {"tiktok": {"pixel_id": pixel}}});
            let event = Node::from_value(&event);
            let mut results = plan(&c, &event, &RequestContext::at(0), &secrets);
            door.check_ids(&c, &mut results);
            results.into_iter().map(|r| serde_json::to_value(&r.outcome).unwrap()["status"].clone()).collect::<Vec<_>>()
        };
        assert_eq!(run("CALLOWED"), [json!("ready"), json!("ready")]);
        assert_eq!(run("CFOREIGN"), [json!("error"), json!("ready")]);
        let event = json!({"event_name": "purchase", "partners": {"tiktok": {"pixel_id": "CFOREIGN"}}});
        let event = Node::from_value(&event);
        let mut results = plan(&c, &event, &RequestContext::at(0), &secrets);
        door.check_ids(&c, &mut results);
        assert_eq!(
            serde_json::to_value(&results[0].outcome).unwrap()["error"]["path"],
            json!("partners.tiktok.pixel_id")
        );
    }

    #[test]
    fn templated_event_sets_must_be_allowed() {
        let door = BrowserDoor { destinations: Some(vec!["offline".into()]), ..BrowserDoor::default() };
        let c = door.config(&config());
        let secrets = Secrets::new().with("TIKTOK_ACCESS_TOKEN", "t");
        let event = json!({"event_name": "purchase", "set": "999", "user": {"email": "a@b.example"}});
        let event = Node::from_value(&event);
        let mut results = plan(&c, &event, &RequestContext::at(0), &secrets);
        assert!(results[0].is_ready());
        door.check_ids(&c, &mut results);
        assert!(matches!(&results[0].outcome, Outcome::Error { error } if error.path() == "set"));
    }

    #[test]
    fn browsers_see_a_summary_without_tiktok_answers() {
        use crate::delivery::outcome::{Reason, TikTokAnswer};
        use crate::delivery::report::SkipReason;
        let tiktok =
            TikTokAnswer { code: Some(40001), message: Some("no permission".into()), request_id: Some("r".into()) };
        let r = |outcome| DestinationResult { destination: "web".into(), index: Some(1), outcome, warnings: vec![] };
        let results = vec![
            r(Outcome::Sent { event: "Purchase".into(), attempts: 1, tiktok: tiktok.clone() }),
            r(Outcome::Failed {
                event: "Purchase".into(),
                reason: Reason::PermissionDenied,
                retryable: false,
                attempts: 1,
                tiktok: Some(tiktok),
            }),
            r(Outcome::Skipped { reason: SkipReason::NoConsent }),
            r(Outcome::Error { error: Error::MissingSecret { name: "SECRET_NAME".into() } }),
            r(Outcome::Queued { event: "Purchase".into() }),
        ];
        assert_eq!(
            serde_json::to_value(BrowserView(&results)).unwrap(),
            json!({"results": [
                {"destination": "web", "index": 1, "status": "sent"},
                {"destination": "web", "index": 1, "status": "failed", "retryable": false},
                {"destination": "web", "index": 1, "status": "skipped", "reason": "no_consent"},
                {"destination": "web", "index": 1, "status": "error", "error": {"code": "missing_secret", "path": ""}},
                {"destination": "web", "index": 1, "status": "queued"}]})
        );
    }

    #[test]
    fn rate_limit_keys_are_per_ip() {
        assert_eq!(rate_limit_key(Some("203.0.113.7")), "browser:203.0.113.7");
        assert_eq!(rate_limit_key(None), "browser:unknown");
        assert_eq!(rate_limit_key(Some(" ")), "browser:unknown");
    }
}
