//! Proxy mode: site traffic passes through to the origin unchanged (streamed,
//! redirects passed back), plus first-party click-id cookies on HTML navigations and,
//! optionally, a server-side page view sent after the response, both with the visitor's
//! consent when one is required. The decisions are the core's (`tiktok_edge::site`);
//! this file only moves requests and headers.

use crate::config::Settings;
use crate::{deliver, stats};
use std::rc::Rc;
use tiktok_edge::delivery::Call;
use tiktok_edge::site::{self, Exchange, Navigation};
use tiktok_edge::{plan, RequestContext};
use worker::{Context, Date, Env, Fetch, Headers, Request, RequestInit, RequestRedirect, Response, Result};

pub async fn forward(req: Request, env: &Env, settings: Rc<Settings>, target: &str, ctx: &Context) -> Result<Response> {
    let header = |name: &str| req.headers().get(name).ok().flatten();
    let (cookie, user_agent) = (header("Cookie"), header("User-Agent"));
    let request_url = req.inner().url();
    let navigation = site::is_navigation(
        req.method().as_ref(),
        header("Sec-Fetch-Mode").as_deref(),
        header("Accept").as_deref(),
        header("Sec-Purpose").or_else(|| header("Purpose")).as_deref(),
    );

    let mut init = RequestInit::new();
    init.with_method(req.method()).with_headers(req.headers().clone()).with_redirect(RequestRedirect::Manual);
    if let Some(body) = req.inner().body() {
        init.with_body(Some(body.into()));
    }
    let response = Fetch::Request(Request::new_with_init(target, &init)?).send().await?;

    let content_type = response.headers().get("Content-Type")?;
    let consent = settings.cookie_policy.consent.of(cookie.as_deref());
    if settings.auto_page_view
        && navigation
        && site::is_html_page(response.status_code(), content_type.as_deref())
        && !site::is_bot(user_agent.as_deref())
        && settings.cookie_policy.consent.allows(&consent)
    {
        let known = match &settings.config {
            Ok(config) => settings.cookie_policy.consent.known_categories(config),
            Err(_) => Vec::new(),
        };
        let now_ms = Date::now().as_millis() as i64;
        let event = site::page_view(&Navigation {
            url: &request_url,
            referrer: header("Referer").as_deref(),
            ip: header("CF-Connecting-IP").as_deref(),
            user_agent: user_agent.as_deref(),
            cookie: cookie.as_deref(),
            now_ms,
            consent_categories: consent.categories(&known),
        });
        let (settings, env) = (settings.clone(), env.clone());
        // After the response: the visitor never waits for TikTok. Delivered like any
        // call: through the queue when one is bound.
        ctx.wait_until(async move {
            if let Ok(config) = &settings.config {
                let event = tiktok_edge::node::Node::from_value(&event);
                let planned = vec![plan(config, &event, &RequestContext::at(now_ms), &settings.secrets)];
                deliver::deliver(Call::new(planned, false), &[&event], &settings, &env).await;
                if let Some(flush) = stats::due_flush(&env, &settings) {
                    flush.await;
                }
            }
        });
    }

    let (location, cache_control) = (response.headers().get("Location")?, response.headers().get("Cache-Control")?);
    let exchange = Exchange {
        request_url: &request_url,
        cookie: cookie.as_deref(),
        navigation,
        status: response.status_code(),
        content_type: content_type.as_deref(),
        location: location.as_deref(),
        cache_control: cache_control.as_deref(),
    };
    let add = site::response_cookies(&exchange, &settings.cookie_policy);
    if add.set_cookie.is_empty() {
        return Ok(response);
    }
    // Fetched headers are immutable: copy them (every Set-Cookie of the origin included).
    let headers = Headers::new();
    for (name, value) in response.headers().entries() {
        headers.append(&name, &value)?;
    }
    for c in add.set_cookie {
        headers.append("Set-Cookie", &c)?;
    }
    if let Some(cc) = add.cache_control {
        headers.set("Cache-Control", &cc)?;
    }
    Ok(response.with_headers(headers))
}
