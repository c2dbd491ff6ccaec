//! Normalise-then-SHA-256 for the identifiers TikTok wants hashed (spec 2.8).
//!
//! Every function returns the value to send (64 lowercase hex chars) or an
//! outcome saying why nothing is sent: an empty value is omitted, never sent
//! as sha256(""); a phone that is not E.164 is dropped, never hashed as garbage.
//! A value that already is 64 hex chars is passed through lowercased (never hashed twice).

pub mod calling_codes;

use calling_codes::Country;
use sha2::{Digest, Sha256};
use std::borrow::Cow;

/// The kinds of identifier the core hashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Email,
    /// E.164; national numbers only with a default country (`phone_default_country`).
    Phone {
        default_country: Option<&'static Country>,
    },
    /// `user.id` -> `external_id`; lowercased unless the flag says otherwise.
    ExternalId {
        lowercase: bool,
    },
    /// first_name / last_name: lowercase, whitespace removed.
    Name,
    /// zip_code: lowercase, spaces and dashes removed.
    ZipCode,
}

impl Kind {
    /// The names the npm `hashIdentifier` takes.
    pub const NAMES: &'static [&'static str] =
        &["email", "phone", "external_id", "external_id_case_sensitive", "first_name", "last_name", "zip_code"];

    /// The kind called `name` (one of [`Kind::NAMES`]).
    pub fn from_name(name: &str) -> Option<Kind> {
        Some(match name {
            "email" => Kind::Email,
            "phone" => Kind::Phone { default_country: None },
            "external_id" => Kind::ExternalId { lowercase: true },
            "external_id_case_sensitive" => Kind::ExternalId { lowercase: false },
            "first_name" | "last_name" => Kind::Name,
            "zip_code" => Kind::ZipCode,
            _ => return None,
        })
    }
}

/// Why a value produced nothing to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    /// Empty after normalisation: omitted silently (absent data, not bad data).
    Empty,
    /// Not a valid E.164 phone number: dropped with a warning.
    InvalidPhone,
}

/// Normalises and hashes `raw` as `kind`.
pub fn hash(kind: Kind, raw: &str) -> Result<String, Rejected> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(Rejected::Empty);
    }
    if is_sha256_hex(trimmed) {
        return Ok(trimmed.to_ascii_lowercase());
    }
    Ok(sha256_hex(normalized(kind, trimmed)?.as_bytes()))
}

/// The normalised clear-text form that `hash` digests (exposed for the npm helpers).
pub fn normalize(kind: Kind, raw: &str) -> Result<String, Rejected> {
    normalized(kind, raw.trim()).map(Cow::into_owned)
}

/// Normalises `s` (already trimmed), copying only when something changes.
fn normalized(kind: Kind, s: &str) -> Result<Cow<'_, str>, Rejected> {
    let out = match kind {
        Kind::Email | Kind::ExternalId { lowercase: true } => lowercase(s),
        Kind::ExternalId { lowercase: false } => Cow::Borrowed(s),
        Kind::Phone { default_country } => {
            Cow::Owned(normalize_phone_in(s, default_country).ok_or(Rejected::InvalidPhone)?)
        }
        Kind::Name => Cow::Owned(s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase()),
        Kind::ZipCode => {
            Cow::Owned(s.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_lowercase())
        }
    };
    if out.is_empty() {
        return Err(Rejected::Empty);
    }
    Ok(out)
}

fn lowercase(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) || !s.is_ascii() {
        Cow::Owned(s.to_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// E.164 without a default country: national numbers are dropped (see [`normalize_phone_in`]).
pub fn normalize_phone(raw: &str) -> Option<String> {
    normalize_phone_in(raw, None)
}

/// E.164 as people type numbers: spaces, dots, dashes and parentheses removed; a
/// leading `00` read as `+`; a trunk prefix in parentheses right after the country
/// code dropped (`+33 (0)6 12 34 56 78` -> `+33612345678`, TikTok: "without any
/// parentheses or leading 0s"); a national number (`06 12 34 56 78`) given the
/// calling code of `default_country` after its trunk prefix is removed, and dropped
/// without one (no country code is ever guessed). Then `+` and 8 to 15 digits.
pub fn normalize_phone_in(raw: &str, default_country: Option<&Country>) -> Option<String> {
    // Digits and `+`, with the digit span of each parenthesised group.
    let (mut text, mut groups, mut open) = (String::with_capacity(raw.len()), Vec::new(), None);
    for c in raw.chars() {
        match c {
            '(' => open = Some(text.len()),
            ')' => groups.extend(open.take().map(|start| start..text.len())),
            c if c.is_whitespace() || c == '.' || c == '-' => {}
            c => text.push(c),
        }
    }
    let international =
        text.strip_prefix('+').map(|rest| (1, rest)).or_else(|| text.strip_prefix("00").map(|r| (2, r)));
    // The digits as two pieces, joined once into the result (no intermediate strings).
    let (head, tail): (&str, &str) = match (international, default_country) {
        (Some((skipped, rest)), _) => {
            let country = calling_codes::calling_code_of(rest);
            let trunk_group = country.and_then(|c| {
                let start = skipped + c.calling_code.len();
                let group = groups.iter().find(|g| g.start == start)?;
                (text.get(group.clone()) == c.trunk_prefix).then_some(group.clone())
            });
            match trunk_group {
                Some(g) => (text.get(skipped..g.start)?, text.get(g.end..)?),
                None => (rest, ""),
            }
        }
        (None, Some(c)) => {
            let national = c.trunk_prefix.and_then(|t| text.strip_prefix(t)).unwrap_or(&text);
            (c.calling_code, national)
        }
        (None, None) => return None,
    };
    let len = head.len() + tail.len();
    let ok = (8..=15).contains(&len) && head.bytes().chain(tail.bytes()).all(|b| b.is_ascii_digit());
    ok.then(|| {
        let mut out = String::with_capacity(1 + len);
        out.push('+');
        out.push_str(head);
        out.push_str(tail);
        out
    })
}

/// True for exactly 64 ASCII hex digits (either case).
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// SHA-256 as 64 lowercase hex chars.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let hex = sha256_hex_array(bytes);
    // Every byte of `hex` is one of `HEX_DIGITS`, so this is always valid UTF-8.
    String::from_utf8(hex.to_vec()).unwrap_or_default()
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// SHA-256 as 64 lowercase hex ASCII bytes, on the stack: one table lookup per
/// nibble instead of a `char` push (about 5,000 instructions saved per 3 digests).
pub fn sha256_hex_array(bytes: &[u8]) -> [u8; 64] {
    let digest = Sha256::digest(bytes);
    let mut out = [0u8; 64];
    for (pair, b) in out.chunks_exact_mut(2).zip(digest) {
        if let [hi, lo] = pair {
            *hi = HEX_DIGITS.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
            *lo = HEX_DIGITS.get(usize::from(b & 0x0f)).copied().unwrap_or(b'0');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The implementation before the allocation-light rewrite, kept as the oracle.
    fn phone_oracle(raw: &str, default_country: Option<&Country>) -> Option<String> {
        let (mut text, mut groups, mut open) = (String::new(), Vec::new(), None);
        for c in raw.chars() {
            match c {
                '(' => open = Some(text.len()),
                ')' => groups.extend(open.take().map(|start| start..text.len())),
                c if c.is_whitespace() || c == '.' || c == '-' => {}
                c => text.push(c),
            }
        }
        let international =
            text.strip_prefix('+').map(|rest| (1, rest)).or_else(|| text.strip_prefix("00").map(|r| (2, r)));
        let digits = match (international, default_country) {
            (Some((skipped, rest)), _) => {
                let country = calling_codes::calling_code_of(rest);
                let trunk_group = country.and_then(|c| {
                    let start = skipped + c.calling_code.len();
                    let group = groups.iter().find(|g| g.start == start)?;
                    (text.get(group.clone()) == c.trunk_prefix).then_some(group.clone())
                });
                match trunk_group {
                    Some(g) => format!("{}{}", text.get(skipped..g.start)?, text.get(g.end..)?),
                    None => rest.to_owned(),
                }
            }
            (None, Some(c)) => {
                let national = c.trunk_prefix.and_then(|t| text.strip_prefix(t)).unwrap_or(&text);
                format!("{}{national}", c.calling_code)
            }
            (None, None) => return None,
        };
        let ok = (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| format!("+{digits}"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn hex_matches_the_formatted_digest(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let expected: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
            prop_assert_eq!(sha256_hex(&bytes), expected);
        }

        #[test]
        fn phones_match_the_previous_implementation(
            raw in prop_oneof!["[+0-9 ().\\-a]{0,24}", "(\\+|00)?[0-9]{1,3} ?(\\(0\\))? ?[0-9][0-9 .\\-]{6,16}"],
            country in proptest::option::of(prop::sample::select(vec!["FR", "US", "GB", "DE", "IT"])),
        ) {
            let c = country.and_then(calling_codes::country);
            prop_assert_eq!(normalize_phone_in(&raw, c), phone_oracle(&raw, c));
        }
    }
}
