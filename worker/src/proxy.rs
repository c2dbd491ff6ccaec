//! Proxy mode: site traffic passes through to the origin unchanged (streamed,
//! redirects passed back), plus first-party click-id cookies and, optionally,
//! a server-side page view sent after the response. The decisions are the core's
//! (`tiktok_edge::site`); this file only moves requests and headers.

use crate::config::Settings;
use crate::{deliver, stats};
use std::rc::Rc;
use tiktok_edge::delivery::Call;
use tiktok_edge::site::{self, Navigation};
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
    if settings.auto_page_view
        && navigation
        && site::is_html_page(response.status_code(), content_type.as_deref())
        && !site::is_bot(user_agent.as_deref())
    {
        let now_ms = Date::now().as_millis() as i64;
        let event = site::page_view(&Navigation {
            url: &request_url,
            referrer: header("Referer").as_deref(),
            ip: header("CF-Connecting-IP").as_deref(),
            user_agent: user_agent.as_deref(),
            cookie: cookie.as_deref(),
            now_ms,
        });
        let (settings, env) = (settings.clone(), env.clone());
        // After the response: the visitor never waits for TikTok. Delivered like any
        // call: through the queue when one is bound.
        ctx.wait_until(async move {
            if let Ok(config) = &settings.config {
                let planned = vec![plan(config, &event, &RequestContext::at(now_ms), &settings.secrets)];
                deliver::deliver(Call::new(planned, false), &[&event], config, &settings, &env).await;
                if let Some(flush) = stats::due_flush(&env, &settings) {
                    flush.await;
                }
            }
        });
    }

    let cookies = site::set_cookies(&request_url, cookie.as_deref(), &settings.cookie_policy);
    if cookies.is_empty() {
        return Ok(response);
    }
    // Fetched headers are immutable: copy them (every Set-Cookie of the origin included).
    let headers = Headers::new();
    for (name, value) in response.headers().entries() {
        headers.append(&name, &value)?;
    }
    for c in cookies {
        headers.append("Set-Cookie", &c)?;
    }
    Ok(response.with_headers(headers))
}
