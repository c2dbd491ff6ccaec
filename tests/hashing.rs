//! Known-answer tests: every expected digest comes from spec/tiktok-api.md 2.8
//! (vectors verified there with sha256sum) or CA's own examples, never from our code.
#![allow(clippy::unwrap_used)]

use tiktok_edge::hashing::calling_codes::country;
use tiktok_edge::hashing::{hash, normalize_phone, normalize_phone_in, Kind, Rejected};

const LOWER: Kind = Kind::ExternalId { lowercase: true };
const KEEP: Kind = Kind::ExternalId { lowercase: false };
const PHONE: Kind = Kind::Phone { default_country: None };

#[test]
fn spec_vectors() {
    let cases: &[(Kind, &str, &str)] = &[
        (Kind::Email, " ALICE_abc@gmail.com ", "848a771458438fc2ec420560d769fb9b9b86851ee338ec56517baabd79d3bb4f"),
        (Kind::Email, " John.Doe@Example.COM ", "836f82db99121b3481011f16b49dfa5fbc714a0d1b1b9f784a1ebbbf5b39577f"),
        (Kind::Email, "test@test.com", "f660ab912ec121d1b1e928a0bb4bc61b15f5ad44d5efdc4e1c92a25e99b8e44a"),
        (Kind::Email, "bugsbunny@warnerbros.com", "67e28cdcc3e845d3a4da05ca9fe5ddb7320a83b4cc2167f0555a3b04f63511e3"),
        (PHONE, "(+1)2133734253", "9f7ec22d72092cd3c0b58726ed9c2d91b92e51a3f29837508fb2948bb22dd2fd"),
        (PHONE, "+1555-555-5555", "910a625c4ba147b544e6bd2f267e130ae14c591b6ba9c25cb8573322dedbebd0"),
        (PHONE, "+44 20 7183 8750", "e631c2534428c6c9b48c2167604a8983046085e43a2c00ed748733c544c0bb4d"),
        (PHONE, "+8613800000000", "cc0058bc7784ae0358acf0c091025c7a69d400e148d8688badfa029c9f8c686e"),
        (PHONE, "+33612345678", "42d573cfc315801d4cd8eddd5416b416a0bf298b9b9e12d6b07442c91db42bd8"),
        (PHONE, "0033 6.12.34.56.78", "42d573cfc315801d4cd8eddd5416b416a0bf298b9b9e12d6b07442c91db42bd8"),
        (LOWER, "user_123", "80fba0ae1c48e3978e43e4efc365e14e12ea0c830ba8ba5b9a2dafc7e3f2ab8b"),
        (KEEP, "User-123", "9fd04ee71c44e21cddbd6c9eab81e2d21324f0ace8ec10cbb929b3390625fc9e"),
        (LOWER, " User-123 ", "fcdec6df4d44dbc637c7c5b58efface52a7f8a88535423430255be0bb89bedd8"),
        (LOWER, "testId123", "481f202262e9c5ccc48d24e60798fadaa5f6ff1f8369f7ab927c04c3aa682a7f"),
        (Kind::Name, "John", "96d9632f363564cc3032521409cf22a852f2032eec099ed5967c0d000cec607a"),
        (Kind::Name, " D o e ", "799ef92a11af918e3fb741df42934f3b568ed2d93ac1df74f1b8d41a27932a6f"),
        (Kind::ZipCode, "94043", "1b10e5e0b47cefad5c4f6c1d10b8b6fbbd5af9756eb01ed5c8ee1f588b65947b"),
        (Kind::ZipCode, "94-043", "1b10e5e0b47cefad5c4f6c1d10b8b6fbbd5af9756eb01ed5c8ee1f588b65947b"),
    ];
    for (kind, input, expected) in cases {
        assert_eq!(hash(*kind, input).as_deref(), Ok(*expected), "{kind:?} {input:?}");
    }
}

#[test]
fn already_hashed_values_pass_through_lowercased() {
    let upper = "848A771458438FC2EC420560D769FB9B9B86851EE338EC56517BAABD79D3BB4F";
    for kind in [Kind::Email, PHONE, KEEP, LOWER] {
        assert_eq!(hash(kind, upper).unwrap(), upper.to_ascii_lowercase());
    }
}

#[test]
fn empty_values_are_never_hashed() {
    for kind in [Kind::Email, PHONE, KEEP, Kind::Name, Kind::ZipCode] {
        assert_eq!(hash(kind, ""), Err(Rejected::Empty));
        assert_eq!(hash(kind, " \t "), Err(Rejected::Empty));
    }
}

#[test]
fn phones_that_are_not_e164_are_rejected_not_hashed() {
    // Spec anti-vectors: peers hash these raw; we refuse them.
    for raw in [
        "1231231234",
        "1234567890",
        "12345678901234",
        "+1234567",
        "+1234567890123456",
        "+33 6 12 AB",
        "++33612345678",
        "+",
    ] {
        assert_eq!(hash(PHONE, raw), Err(Rejected::InvalidPhone), "{raw}");
    }
    assert_eq!(normalize_phone("+12345678").as_deref(), Some("+12345678"));
    assert_eq!(normalize_phone("+123456789012345").as_deref(), Some("+123456789012345"));
    assert_eq!(normalize_phone("00 44 (20) 7183-8750").as_deref(), Some("+442071838750"));
}

/// Expected E.164 forms and digests from Google's libphonenumber (Python `phonenumbers`
/// 9.0.43: `format_number(parse(raw, region), E164)`) and Python's hashlib, not our code.
#[test]
fn trunk_prefixes_and_national_numbers() {
    let in_country = |iso: &str| Kind::Phone { default_country: country(iso) };
    let cases: &[(Kind, &str, &str)] = &[
        // `(0)` after the country code is a trunk prefix, not a digit of the number.
        (PHONE, "+33 (0)6 12 34 56 78", "42d573cfc315801d4cd8eddd5416b416a0bf298b9b9e12d6b07442c91db42bd8"),
        (PHONE, "+44 (0)20 7183 8750", "e631c2534428c6c9b48c2167604a8983046085e43a2c00ed748733c544c0bb4d"),
        // An area code in parentheses stays; Italy has no trunk prefix, its 0 stays.
        (PHONE, "+1 (415) 555-0123", "36a2cef4ff9bf7a1abd2a93359136b870393be4106e6c5d19b72ff564f9deca4"),
        (PHONE, "+39 (0)6 1234 5678", "37b702607839d6dc5fc81d95b52e550e336413bf7ae2e04cafeca79f066ea44b"),
        // National numbers, with `phone_default_country`.
        (in_country("FR"), "06 12 34 56 78", "42d573cfc315801d4cd8eddd5416b416a0bf298b9b9e12d6b07442c91db42bd8"),
        (in_country("us"), "(415) 555-0123", "36a2cef4ff9bf7a1abd2a93359136b870393be4106e6c5d19b72ff564f9deca4"),
        (in_country("US"), "1 415 555 0123", "36a2cef4ff9bf7a1abd2a93359136b870393be4106e6c5d19b72ff564f9deca4"),
        (in_country("IT"), "06 1234 5678", "37b702607839d6dc5fc81d95b52e550e336413bf7ae2e04cafeca79f066ea44b"),
        (in_country("HU"), "06 30 123 4567", "1ccb16f79024d9989524340e5c52855752e6f76fc8b4585153cebe2fd2e9969c"),
        (in_country("RU"), "8 (912) 345-67-89", "694e8de862e4f3198b67f7a4aa9f4dfb123c5b78b0a72460ce882c405b111e63"),
        // An international number ignores the default country.
        (in_country("US"), "+33 6 12 34 56 78", "42d573cfc315801d4cd8eddd5416b416a0bf298b9b9e12d6b07442c91db42bd8"),
    ];
    for (kind, input, expected) in cases {
        assert_eq!(hash(*kind, input).as_deref(), Ok(*expected), "{kind:?} {input:?}");
    }
    // Without a default country a national number is never guessed.
    assert_eq!(hash(PHONE, "06 12 34 56 78"), Err(Rejected::InvalidPhone));
    assert_eq!(normalize_phone_in("06 12 34 56 78", country("FR")).as_deref(), Some("+33612345678"));
}
