//! The npm package's bindings (feature `js`): convert JS values, call one core
//! function, convert errors. No TikTok rule lives here.
//!
//! Inputs cross as JSON text (`JSON.stringify`): a cyclic, BigInt or otherwise
//! non-JSON value becomes an error naming the argument instead of unbounded
//! recursion, and serde_json's nesting limit applies before the core's limits.
//! Outputs are plain JSON-compatible objects (`null`, never `undefined`).

use crate::hashing::{self, Kind};
use crate::intake;
use crate::node::Node;
use crate::{
    batch_json, classify, cookies, results_for, Config, ConfigErrors, DestinationResult, Error, RequestContext,
    Secrets, Tokens,
};
use js_sys::{Array, Reflect, JSON};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// The optional third argument of `buildRequests`.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Context {
    now: Option<f64>,
    cookie: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    secrets: Option<BTreeMap<String, String>>,
    reveal_tokens: Option<bool>,
}

thread_local! {
    /// The last config, by its JSON text: callers pass the same config with every event.
    static CONFIG: RefCell<Option<(String, Rc<Config>)>> = const { RefCell::new(None) };
}

#[wasm_bindgen(js_name = buildRequests)]
pub fn build_requests(config: JsValue, events: JsValue, context: JsValue) -> Result<JsValue, JsValue> {
    let text = build_requests_json(&json_text(&config, "config")?, &json_text(&events, "event")?, context)?;
    // V8's JSON.parse builds the objects faster than serde-wasm-bindgen's per-field calls
    // (BENCHMARKS.md, npm package), and the wasm does not carry a second serializer.
    JSON::parse(&text).map_err(|e| argument("", &format!("the result cannot be read back: {}", describe(&e))))
}

/// The same with JSON text in and out: no object conversion across the boundary.
#[wasm_bindgen(js_name = buildRequestsJson)]
pub fn build_requests_json(config: &str, events: &str, context: JsValue) -> Result<String, JsValue> {
    results_json(config, events, &context)
}

thread_local! {
    /// The texts of the next call, written by the package's wrapper (npm/api.js).
    static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Where the wrapper writes the next call's texts (at least `bytes` long, kept between
/// calls): one `TextEncoder.encodeInto` into wasm memory costs a twentieth of
/// wasm-bindgen's string passing, which copies text char by char in JavaScript.
#[wasm_bindgen(js_name = __inputBuffer)]
pub fn input_buffer(bytes: usize) -> usize {
    INPUT.with_borrow_mut(|b| {
        if b.len() < bytes {
            b.resize(bytes, 0);
        }
        b.as_mut_ptr() as usize
    })
}

/// The module's memory, for the wrapper's view of [`input_buffer`].
#[wasm_bindgen(js_name = __memory)]
pub fn memory() -> JsValue {
    wasm_bindgen::memory()
}

/// `buildRequestsJson` of the config and events texts the wrapper wrote, in that order.
#[wasm_bindgen(js_name = __buildRequestsFromInput)]
pub fn build_requests_from_input(config_len: usize, events_len: usize, context: JsValue) -> Result<String, JsValue> {
    INPUT.with_borrow(|b| {
        let text = |from: usize, len: usize| {
            let bytes = from.checked_add(len).and_then(|end| b.get(from..end));
            bytes.and_then(|t| std::str::from_utf8(t).ok())
        };
        match (text(0, config_len), text(config_len, events_len)) {
            (Some(config), Some(events)) => results_json(config, events, &context),
            _ => Err(argument("", "the input was not written as UTF-8 text")),
        }
    })
}

fn results_json(config: &str, events: &str, context: &JsValue) -> Result<String, JsValue> {
    let (config, input, ctx) = arguments(config, events, context)?;
    // One event, an array, or CA's `{"batch": [...]}`.
    let input = intake::unwrap(&input).map_err(|e| thrown(&e))?;
    let results = Results { results: results_for(&config, input, &ctx.request, &ctx.secrets, ctx.tokens) };
    Ok(serde_json::to_string(&results).unwrap_or_default())
}

#[wasm_bindgen(js_name = validateConfig)]
pub fn validate_config(config: JsValue) -> Result<JsValue, JsValue> {
    let errors = match config_for(&json_text(&config, "config")?) {
        Ok(_) => Vec::new(),
        Err(e) => e.errors,
    };
    to_js(&errors)
}

#[wasm_bindgen(js_name = batchRequests)]
pub fn batch_requests(requests: JsValue) -> Result<JsValue, JsValue> {
    match parse(&json_text(&requests, "requests")?, "requests")? {
        Value::Array(items) => to_js(&batch_json(items)),
        _ => Err(argument("requests", "expected an array of results or requests")),
    }
}

#[wasm_bindgen(js_name = classifyResponse)]
pub fn classify_response(status: JsValue, body: JsValue) -> Result<JsValue, JsValue> {
    let status = status.as_f64().filter(|s| s.fract() == 0.0 && (0.0..=999.0).contains(s));
    let status = status.ok_or_else(|| argument("status", "expected an HTTP status (0 for no answer)"))? as u16;
    let body = match body.as_string() {
        Some(text) => text,
        None if body.is_null() || body.is_undefined() => String::new(),
        None => json_text(&body, "body")?,
    };
    to_js(&classify(status, &body))
}

#[wasm_bindgen(js_name = hashIdentifier)]
pub fn hash_identifier(kind: JsValue, value: JsValue) -> Result<JsValue, JsValue> {
    let kind = kind.as_string().and_then(|k| Kind::from_name(&k));
    let kind = kind.ok_or_else(|| argument("kind", &format!("expected one of: {}", Kind::NAMES.join(", "))))?;
    match hashing::hash(kind, &text_arg(&value, "value")?) {
        Ok(hash) => Ok(hash.into()),
        Err(hashing::Rejected::Empty) => Ok(JsValue::NULL),
        Err(hashing::Rejected::InvalidPhone) => Err(thrown(&Error::InvalidField {
            path: "value".into(),
            message: "not a phone number in E.164 form (+ and 8 to 15 digits)".into(),
        })),
    }
}

#[wasm_bindgen(js_name = normalizeEmail)]
pub fn normalize_email(value: JsValue) -> Result<JsValue, JsValue> {
    Ok(or_null(hashing::normalize(Kind::Email, &text_arg(&value, "value")?).ok()))
}

#[wasm_bindgen(js_name = normalizePhone)]
pub fn normalize_phone(value: JsValue) -> Result<JsValue, JsValue> {
    Ok(or_null(hashing::normalize_phone(&text_arg(&value, "value")?)))
}

#[wasm_bindgen(js_name = parseCookies)]
pub fn parse_cookies(header: JsValue) -> Result<JsValue, JsValue> {
    let pairs = cookies::parse(&text_arg(&header, "header")?);
    to_js(&pairs.into_iter().map(|(k, v)| (k, Value::String(v))).collect::<Map<_, _>>())
}

#[derive(Serialize)]
struct Results<'a> {
    results: Vec<DestinationResult<'a>>,
}

/// The converted third argument of `buildRequests`.
struct Call {
    request: RequestContext,
    secrets: Secrets,
    tokens: Tokens,
}

fn arguments<'e>(config: &str, events: &'e str, context: &JsValue) -> Result<(Rc<Config>, Node<'e>, Call), JsValue> {
    let config = config_for(config).map_err(|e| config_error(&e))?;
    // Read in place: strings stay slices of the text (see `crate::node`).
    let input = crate::node::parse(events).map_err(|e| argument("event", &json_problem(&e)))?;
    let context: Context = match context.is_undefined() || context.is_null() {
        true => Context::default(),
        false => {
            let value: Value = serde_json::from_str(&json_text(context, "context")?)
                .map_err(|e| argument("context", &json_problem(&e)))?;
            check_context(&value)?;
            serde_json::from_value(value).map_err(|e| argument("context", &json_problem(&e)))?
        }
    };
    let now = context.now.unwrap_or_else(js_sys::Date::now);
    if !now.is_finite() {
        return Err(argument("context.now", "expected Unix milliseconds"));
    }
    let ctx =
        RequestContext { now_ms: now as i64, cookie: context.cookie, ip: context.ip, user_agent: context.user_agent };
    let mut secrets = Secrets::new();
    context.secrets.into_iter().flatten().for_each(|(name, value)| secrets.insert(name, value));
    let tokens = if context.reveal_tokens == Some(true) { Tokens::Revealed } else { Tokens::Redacted };
    Ok((config, input, Call { request: ctx, secrets, tokens }))
}

/// The validated config for this JSON text, from the one-entry cache when it is the last one.
fn config_for(text: &str) -> Result<Rc<Config>, ConfigErrors> {
    let cached = CONFIG.with_borrow(|c| c.as_ref().filter(|(t, _)| t == text).map(|(_, config)| config.clone()));
    if let Some(config) = cached {
        return Ok(config);
    }
    let config = Rc::new(Config::from_json(text)?);
    CONFIG.with_borrow_mut(|c| *c = Some((text.to_owned(), config.clone())));
    Ok(config)
}

/// `JSON.stringify(value)`; values JSON cannot hold are argument errors.
fn json_text(value: &JsValue, path: &str) -> Result<String, JsValue> {
    match JSON::stringify(value) {
        Ok(text) => {
            text.as_string().ok_or_else(|| argument(path, "expected a JSON value, got undefined or a function"))
        }
        Err(e) => Err(argument(path, &format!("not representable as JSON: {}", describe(&e)))),
    }
}

fn parse(text: &str, path: &str) -> Result<Value, JsValue> {
    serde_json::from_str(text).map_err(|e| argument(path, &json_problem(&e)))
}

/// The fields of the `context` argument and what each must be.
const CONTEXT_FIELDS: &[(&str, &str)] = &[
    ("now", "a number (Unix milliseconds)"),
    ("cookie", "a string"),
    ("ip", "a string"),
    ("userAgent", "a string"),
    ("secrets", "an object of secret names to strings"),
    ("revealTokens", "true or false"),
];

/// Checks `context` field by field, so a value in the wrong place (a token given as
/// `secrets: "tok-..."`) is reported by its path and kind, never echoed.
fn check_context(value: &Value) -> Result<(), JsValue> {
    let Value::Object(fields) = value else {
        return Err(argument("context", &format!("expected an object, not {}", crate::limits::kind(value))));
    };
    for (key, v) in fields {
        let Some((name, expected)) = CONTEXT_FIELDS.iter().find(|(name, _)| name == key) else {
            let supported: Vec<&str> = CONTEXT_FIELDS.iter().map(|(n, _)| *n).collect();
            return Err(argument("context", &format!("unknown key; supported: {}", supported.join(", "))));
        };
        let ok = match (*name, v) {
            (_, Value::Null) => true,
            ("now", Value::Number(_)) | ("revealTokens", Value::Bool(_)) => true,
            ("cookie" | "ip" | "userAgent", Value::String(_)) => true,
            ("secrets", Value::Object(m)) => m.values().all(Value::is_string),
            _ => false,
        };
        if !ok {
            return Err(argument("context", &format!("{name}: expected {expected}, not {}", crate::limits::kind(v))));
        }
    }
    Ok(())
}

/// What is wrong with a JSON text, by kind and position only: serde's own messages quote
/// the offending value (`invalid type: string "tok-..."`), which may be a secret.
fn json_problem(e: &serde_json::Error) -> String {
    let what = match e.classify() {
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax => "not valid JSON",
        serde_json::error::Category::Data => "a value of the wrong type",
        serde_json::error::Category::Eof => "incomplete JSON",
    };
    format!("{what} (line {}, column {})", e.line(), e.column())
}

fn text_arg(value: &JsValue, path: &str) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| argument(path, "expected a string"))
}

/// `null`, never `undefined`, for nothing.
fn or_null(text: Option<String>) -> JsValue {
    text.map_or(JsValue::NULL, JsValue::from)
}

fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| argument("", &format!("the result cannot be represented in JavaScript: {e}")))
}

fn argument(path: &str, message: &str) -> JsValue {
    thrown(&Error::InvalidArgument { path: path.into(), message: message.into() })
}

/// A JS `Error` with the core error's stable `code`, its `path` and its message.
fn thrown(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    err.set_name("TikTokEdgeError");
    let _ = Reflect::set(&err, &"code".into(), &e.code().into());
    let _ = Reflect::set(&err, &"path".into(), &e.path().into());
    err.into()
}

/// Invalid config: the first error's code and path, every error in `errors`.
fn config_error(e: &ConfigErrors) -> JsValue {
    let first = e.errors.first().cloned();
    let err = thrown(&first.unwrap_or(Error::InvalidSetting { path: String::new(), message: String::new() }));
    let _ = Reflect::set(&err, &"message".into(), &format!("invalid config: {e}").replace('\n', "; ").into());
    let _ = Reflect::set(&err, &"errors".into(), &to_js(&e.errors).unwrap_or_else(|_| Array::new().into()));
    err
}

fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_else(|| "unknown reason".into())
}
