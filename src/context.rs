//! Facts about the request that carried the event, supplied by the caller:
//! the core reads no clock and no headers itself.

/// The request context. Event values always win over these.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestContext {
    /// Now, in Unix milliseconds: the event time when the event has none.
    pub now_ms: i64,
    /// The browser's Cookie header (only when the event came from a browser).
    pub cookie: Option<String>,
    /// The client IP (`CF-Connecting-IP`).
    pub ip: Option<String>,
    /// The client's User-Agent.
    pub user_agent: Option<String>,
}

impl RequestContext {
    pub fn at(now_ms: i64) -> Self {
        RequestContext { now_ms, ..Default::default() }
    }
}
