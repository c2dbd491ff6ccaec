//! Numbers written as text inside strings (`"12.50"`, `"1639044446636"`), read with
//! serde_json's number reading, as JSON numbers are: Rust's `f64::from_str` would bring
//! a 10 KB table of powers into the wasm for the same values (the two agree exactly up
//! to 15 significant digits; beyond, a string and a JSON number now read alike).

/// The value of `s` written as Rust's `f64::from_str` accepts a decimal: an optional
/// sign, digits with an optional `.` (`5.`, `.5`), an optional exponent. None for
/// anything else (`inf` and `NaN` included) and for a value beyond f64's range.
pub fn decimal(s: &str) -> Option<f64> {
    // Only these bytes (serde_json would also take surrounding whitespace).
    if !s.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E')) {
        return None;
    }
    // Already a JSON number (most texts): read as it is.
    if let Ok(f) = serde_json::from_str::<f64>(s) {
        return Some(f);
    }
    let (negative, rest) = match s.as_bytes().first()? {
        b'-' => (true, s.get(1..)?),
        b'+' => (false, s.get(1..)?),
        _ => (false, s),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) => (rest.get(..at)?, Some(rest.get(at + 1..)?)),
        None => (rest, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
        return None;
    }
    let mut json = String::with_capacity(s.len() + 2);
    if negative {
        json.push('-');
    }
    // JSON has no leading zeros, no bare `.5` or `5.`, no `+` before the number.
    let int = int.trim_start_matches('0');
    json.push_str(if int.is_empty() { "0" } else { int });
    if !frac.is_empty() {
        json.push('.');
        json.push_str(frac);
    }
    if let Some(e) = exponent {
        let unsigned = e.strip_prefix(['+', '-']).unwrap_or(e);
        if unsigned.is_empty() || !digits(unsigned) {
            return None;
        }
        json.push('e');
        json.push_str(e);
    }
    serde_json::from_str::<f64>(&json).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_the_forms_rust_reads() {
        for (text, value) in [
            ("12.50", Some(12.5)),
            ("+5", Some(5.0)),
            (".5", Some(0.5)),
            ("5.", Some(5.0)),
            ("-007.25", Some(-7.25)),
            ("1e3", Some(1000.0)),
            ("1E+3", Some(1000.0)),
            ("2.5e-3", Some(0.0025)),
            ("1639044446636", Some(1639044446636.0)),
            ("inf", None),
            ("NaN", None),
            ("1e400", None),
            (".", None),
            ("e5", None),
            ("1e", None),
            ("1e+", None),
            ("1.2.3", None),
            ("", None),
            (" 1", None),
            ("0x10", None),
        ] {
            assert_eq!(decimal(text), value, "{text:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// Same acceptance as Rust's reading (less its infinities), and the same f64 up to
        /// 15 significant digits and exponents within 10^±22.
        #[test]
        fn agrees_with_rust_where_it_matters(
            text in "[+-]?[0-9]{0,8}(\\.[0-9]{0,7})?([eE][+-]?[0-9]{1,2})?|[+-]?(inf|NaN|\\.|e5|1e|[0-9]+\\.[0-9]+\\.)"
        ) {
            let rust = text.parse::<f64>().ok().filter(|f| f.is_finite());
            let ours = decimal(&text);
            prop_assert_eq!(ours.is_some(), rust.is_some(), "{}", text);
            let significant = text.bytes().filter(u8::is_ascii_digit).count();
            let small_exponent = text.split(['e', 'E']).nth(1).is_none_or(|e| e.trim_start_matches(['+', '-']).parse::<i32>().is_ok_and(|n| n <= 7));
            if significant <= 15 && small_exponent {
                prop_assert_eq!(ours.map(f64::to_bits), rust.map(f64::to_bits), "{}", text);
            }
        }
    }
}
