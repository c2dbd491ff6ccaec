//! PII masking of what the inspector stores and shows: the incoming Commanders Act
//! event and the TikTok request as sent. By field name, at any depth:
//! - email and phone fields (and first/last names, zip codes) appear only as the
//!   SHA-256 TikTok receives (normalised as for TikTok; values that already are hashes
//!   are kept, so the event's hashes match the request's);
//! - IP addresses get their last IPv4 octet zeroed (IPv6: only the first 48 bits kept);
//! - cookie headers are reduced to the cookie names, with the values of TikTok's own
//!   ids (`_ttp`, `ttclid`) kept;
//! - street addresses, tokens, passwords and authorization values become `<redacted>`.

use crate::hashing::{self, Kind};
use crate::REDACTED;
use serde_json::{Map, Value};

/// Cookies whose values are TikTok ids (shown: they are match keys, not PII).
const TIKTOK_COOKIES: &[&str] = &["_ttp", "ttclid"];

/// What a field holds, by its name (lowercase).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Hashed(Kind),
    Ip,
    Cookie,
    Redacted,
    Other,
}

fn field(name: &str) -> Field {
    let name = name.to_ascii_lowercase();
    let base = name.strip_suffix("_sha256").unwrap_or(&name);
    match base {
        "email" | "emails" | "email_address" => Field::Hashed(Kind::Email),
        "phone" | "phones" | "phone_number" | "phone_numbers" | "mobile" => {
            Field::Hashed(Kind::Phone { default_country: None })
        }
        "firstname" | "first_name" | "lastname" | "last_name" => Field::Hashed(Kind::Name),
        "zipcode" | "zip_code" | "zip" | "postal_code" => Field::Hashed(Kind::ZipCode),
        "ip" | "ip_address" | "client_ip" | "ipv4" | "ipv6" => Field::Ip,
        "cookie" | "cookies" => Field::Cookie,
        "street" | "address" | "address_1" | "address_2" | "street_address" => Field::Redacted,
        _ if base.contains("token") || base.contains("password") || base.contains("secret") => Field::Redacted,
        "authorization" => Field::Redacted,
        _ => Field::Other,
    }
}

/// A copy of `value` with every PII field masked.
pub fn mask(value: &Value) -> Value {
    masked(value, Field::Other)
}

fn masked(value: &Value, as_field: Field) -> Value {
    match value {
        Value::Object(map) => {
            let out: Map<String, Value> = map.iter().map(|(k, v)| (k.clone(), masked(v, field(k)))).collect();
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| masked(v, as_field)).collect()),
        Value::String(s) => match as_field {
            Field::Other => value.clone(),
            Field::Hashed(kind) => Value::String(hash(kind, s)),
            Field::Ip => Value::String(ip(s)),
            Field::Cookie => Value::String(cookie(s)),
            Field::Redacted => Value::String(REDACTED.into()),
        },
        // Numbers of a PII field (a phone as a number) are hashed as their text.
        Value::Number(n) => match as_field {
            Field::Other => value.clone(),
            Field::Hashed(kind) => Value::String(hash(kind, &n.to_string())),
            Field::Ip | Field::Cookie | Field::Redacted => Value::String(REDACTED.into()),
        },
        Value::Null | Value::Bool(_) => value.clone(),
    }
}

/// The hash TikTok would receive; a value TikTok would reject is hashed as given (never shown).
fn hash(kind: Kind, raw: &str) -> String {
    match hashing::hash(kind, raw) {
        Ok(h) => h,
        Err(hashing::Rejected::Empty) => String::new(),
        Err(hashing::Rejected::InvalidPhone) => hashing::sha256_hex(raw.trim().as_bytes()),
    }
}

/// `203.0.113.10` -> `203.0.113.0`; `2001:db8:85a3:8d3:1319:8a2e:370:7348` -> `2001:db8:85a3::`.
pub fn ip(raw: &str) -> String {
    let raw = raw.trim();
    let octets: Vec<&str> = raw.split('.').collect();
    let digits = |o: &&str| !o.is_empty() && o.len() <= 3 && o.bytes().all(|b| b.is_ascii_digit());
    if let [a, b, c, d] = octets.as_slice() {
        if [a, b, c, d].iter().all(|o| digits(o)) {
            return format!("{a}.{b}.{c}.0");
        }
    }
    if raw.contains(':') && raw.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
        let head: Vec<&str> = raw.split(':').take_while(|g| !g.is_empty()).take(3).collect();
        return format!("{}::", head.join(":"));
    }
    REDACTED.into()
}

/// `_ttp=abc; _fbp=fb.1.2; session=x` -> `_ttp=abc; _fbp; session`.
pub fn cookie(header: &str) -> String {
    let names: Vec<String> = header
        .split(';')
        .filter_map(|part| {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            let name = name.trim();
            if name.is_empty() {
                return None;
            }
            Some(match TIKTOK_COOKIES.contains(&name) {
                true => format!("{name}={}", value.trim()),
                false => name.to_owned(),
            })
        })
        .collect();
    names.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // printf %s john.doe@example.com | sha256sum
    const EMAIL: &str = "836f82db99121b3481011f16b49dfa5fbc714a0d1b1b9f784a1ebbbf5b39577f";
    // printf %s +33612345678 | sha256sum
    const PHONE: &str = "42d573cfc315801d4cd8eddd5416b416a0bf298b9b9e12d6b07442c91db42bd8";
    // printf %s john | sha256sum
    const JOHN: &str = "96d9632f363564cc3032521409cf22a852f2032eec099ed5967c0d000cec607a";

    #[test]
    fn email_and_phone_appear_only_as_the_hashes_tiktok_receives() {
        let event = json!({"event_name": "purchase", "user": {"id": "845454", "email": " John.Doe@Example.com ",
            "phone": "+33612345678", "firstname": "John", "email_sha256": EMAIL.to_uppercase()}});
        let out = mask(&event);
        assert_eq!(out["user"]["email"], EMAIL);
        assert_eq!(out["user"]["email_sha256"], EMAIL, "a hash is kept (lowercased)");
        assert_eq!(out["user"]["phone"], PHONE);
        assert_eq!(out["user"]["firstname"], JOHN);
        assert_eq!(out["user"]["id"], "845454");
        assert_eq!(out["event_name"], "purchase");
    }

    #[test]
    fn a_phone_tiktok_would_refuse_is_hashed_as_given_never_shown() {
        let out = mask(&json!({"user": {"phone": "0612", "emails": ["a@b.c"], "mobile": 33612345678_u64}}));
        // printf %s 0612 | sha256sum
        assert_eq!(out["user"]["phone"], "985c8ff3642f2d61753f9172e0f3b34361c6a92deedd9688d0857501f62a9494");
        // printf %s a@b.c | sha256sum
        assert_eq!(out["user"]["emails"][0], "d648b243a3e817eaa3309e00e183483f2867baadf522099f0c2121770536b25a");
        assert!(out["user"]["mobile"].as_str().is_some_and(|h| h.len() == 64));
    }

    #[test]
    fn ips_lose_their_last_octet() {
        assert_eq!(ip("203.0.113.10"), "203.0.113.0");
        assert_eq!(ip(" 10.1.2.255 "), "10.1.2.0");
        assert_eq!(ip("2001:db8:85a3:8d3:1319:8a2e:370:7348"), "2001:db8:85a3::");
        assert_eq!(ip("2001:db8::1"), "2001:db8::");
        assert_eq!(ip("not an ip"), REDACTED);
        let out = mask(&json!({"context": {"device": {"ip": "203.0.113.10"}}, "user": {"ip": "198.51.100.7"}}));
        assert_eq!(out["context"]["device"]["ip"], "203.0.113.0");
        assert_eq!(out["user"]["ip"], "198.51.100.0");
    }

    #[test]
    fn cookies_are_reduced_to_names_and_tiktok_ids() {
        assert_eq!(
            cookie("_ttp=2Xy9kQ3; _fbp=fb.1.15.11; ttclid=E.C.P.a; session=s3cr3t"),
            "_ttp=2Xy9kQ3; _fbp; ttclid=E.C.P.a; session"
        );
        assert_eq!(cookie(";; flag"), "flag");
        let out = mask(&json!({"context": {"device": {"cookie": "sid=abc; _ttp=x"}}}));
        assert_eq!(out["context"]["device"]["cookie"], "sid; _ttp=x");
    }

    #[test]
    fn tokens_and_street_addresses_are_redacted() {
        let out =
            mask(&json!({"headers": {"Access-Token": "tok"}, "user": {"street": "1 rue X", "access_token": "t"}}));
        assert_eq!(out["headers"]["Access-Token"], REDACTED);
        assert_eq!(out["user"]["street"], REDACTED);
        assert_eq!(out["user"]["access_token"], REDACTED);
    }
}
