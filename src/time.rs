//! Event timestamps. CA sends milliseconds, but real events also carry numeric
//! strings and ISO-8601 strings (spec d-15). TikTok wants Unix seconds (Events API)
//! or ISO-8601 UTC with milliseconds (legacy offline). No clock is read here.

use crate::node::Node;

/// Below this a "millisecond" timestamp would be before 1973: it is taken as seconds.
const SECONDS_THRESHOLD: f64 = 1e11;
/// Latest accepted instant (9999-12-31T23:59:59.999Z), so formatting stays 4-digit.
const MAX_MS: i64 = 253_402_300_799_999;

/// How a timestamp value was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parsed {
    /// Unix time in milliseconds.
    pub ms: i64,
    /// The number was too small for milliseconds and was read as seconds.
    pub assumed_seconds: bool,
}

/// Reads a timestamp: a number or numeric string of milliseconds, or ISO-8601.
/// None for anything else (negative, non-finite, unparseable, out of range).
pub fn parse(value: &Node<'_>) -> Option<Parsed> {
    match value {
        Node::Number(n) => from_number(n.as_f64()?),
        Node::String(s) => {
            let s = s.trim();
            match crate::node::decimal(s) {
                Some(n) => from_number(n),
                None => parse_iso8601(s).map(|ms| Parsed { ms, assumed_seconds: false }),
            }
        }
        _ => None,
    }
}

fn from_number(n: f64) -> Option<Parsed> {
    if !n.is_finite() || n < 0.0 {
        return None;
    }
    let (ms, assumed_seconds) = if n < SECONDS_THRESHOLD { (n * 1000.0, true) } else { (n, false) };
    let ms = ms.floor();
    // `as` saturates; the range check keeps the value meaningful.
    (ms <= MAX_MS as f64).then_some(Parsed { ms: ms as i64, assumed_seconds })
}

/// Parses `YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|±HH[:MM]|±HHMM]`. No offset means UTC.
pub fn parse_iso8601(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
    };
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut ms = days_from_civil(year, month, day).checked_mul(86_400_000)?;
    let mut i = 10;
    if matches!(b.get(i), Some(b'T' | b't' | b' ')) {
        let (h, m) = (num(i + 1, 2)?, num(i + 4, 2)?);
        if b.get(i + 3) != Some(&b':') || h > 23 || m > 59 {
            return None;
        }
        ms += (h * 3600 + m * 60) * 1000;
        i += 6;
        if b.get(i) == Some(&b':') {
            let sec = num(i + 1, 2)?;
            if sec > 60 {
                return None;
            }
            ms += sec.min(59) * 1000;
            i += 3;
            if matches!(b.get(i), Some(b'.' | b',')) {
                let digits = b.get(i + 1..)?.iter().take_while(|c| c.is_ascii_digit()).count();
                if digits == 0 {
                    return None;
                }
                let frac = s.get(i + 1..i + 1 + digits.min(3))?;
                let scale = [100, 10, 1];
                ms += frac.parse::<i64>().ok()? * scale.get(frac.len() - 1).copied().unwrap_or(1);
                i += 1 + digits;
            }
        }
        match b.get(i) {
            None => {}
            Some(b'Z' | b'z') if i + 1 == b.len() => {}
            Some(sign @ (b'+' | b'-')) => {
                let oh = num(i + 1, 2)?;
                let om = match b.len().checked_sub(i + 3)? {
                    0 => 0,
                    2 => num(i + 3, 2)?,
                    3 if b.get(i + 3) == Some(&b':') => num(i + 4, 2)?,
                    _ => return None,
                };
                if oh > 23 || om > 59 {
                    return None;
                }
                let offset = (oh * 3600 + om * 60) * 1000;
                ms = if *sign == b'+' { ms - offset } else { ms + offset };
            }
            _ => return None,
        }
    } else if i != b.len() {
        return None;
    }
    (0..=MAX_MS).contains(&ms).then_some(ms)
}

/// Formats Unix milliseconds as `YYYY-MM-DDTHH:MM:SS.sssZ` (UTC).
pub fn format_iso8601(ms: i64) -> String {
    let ms = ms.clamp(0, MAX_MS);
    let (days, rem) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (y, m, d) = civil_from_days(days);
    let (h, rem) = (rem / 3_600_000, rem % 3_600_000);
    let (min, rem) = (rem / 60_000, rem % 60_000);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{:02}.{:03}Z", rem / 1000, rem % 1000)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn ms(v: Value) -> Option<i64> {
        parse(&Node::from_value(&v)).map(|p| p.ms)
    }

    #[test]
    fn milliseconds_numbers_and_numeric_strings() {
        assert_eq!(ms(json!(1765290725123_i64)), Some(1765290725123));
        assert_eq!(ms(json!("1639044446636")), Some(1639044446636));
        assert_eq!(ms(json!(1765290725123.9)), Some(1765290725123));
        let p = parse(&Node::Number(1765290725.into())).unwrap();
        assert_eq!((p.ms, p.assumed_seconds), (1765290725000, true));
    }

    #[test]
    fn iso8601_with_offsets() {
        // 2025-04-18T05:53:39.974Z
        assert_eq!(ms(json!("2025-04-18T07:53:39.974+02:00")), Some(1744955619974));
        assert_eq!(ms(json!("2025-04-18T05:53:39.974Z")), Some(1744955619974));
        assert_eq!(ms(json!("2025-04-18T05:53:39.974123Z")), Some(1744955619974));
        assert_eq!(ms(json!("2025-04-18T00:53:39.974-0500")), Some(1744955619974));
        assert_eq!(ms(json!("2025-04-18 05:53:39.9Z")), Some(1744955619900));
        assert_eq!(ms(json!("2025-12-01")), Some(1764547200000));
        assert_eq!(ms(json!("2024-02-29T00:00Z")), Some(1709164800000));
    }

    #[test]
    fn rejects_what_is_not_a_time() {
        for v in [
            json!("soon"),
            json!(-5),
            json!(true),
            json!(null),
            json!("2025-02-30"),
            json!("2025-13-01"),
            json!("2025-01-01T25:00"),
            json!("2025-01-01T10:00:00+"),
            json!("2025-01-01Tx"),
            json!(1e300),
            json!("2025-01-01T10:00:00.Z"),
        ] {
            assert_eq!(parse(&Node::from_value(&v)), None, "{v}");
        }
    }

    #[test]
    fn formats_iso8601_utc_milliseconds() {
        assert_eq!(format_iso8601(1764599525000), "2025-12-01T14:32:05.000Z");
        assert_eq!(format_iso8601(1744955619974), "2025-04-18T05:53:39.974Z");
        assert_eq!(format_iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_iso8601(951782400000), "2000-02-29T00:00:00.000Z");
    }
}
