//! MySQL's conversions of text to numbers, dates and times.

use super::*;

/// Parses the longest numeric prefix of a string (MySQL's string-to-number
/// conversion); 0 when there is none.
pub fn parse_num_prefix(s: &str) -> f64 {
    let t = s.trim_start();
    match num_prefix_len(t) {
        0 => 0.0,
        i => t[..i].parse().unwrap_or(0.0),
    }
}

/// Length in bytes of the numeric prefix of `t` (sign, digits, fraction,
/// exponent); 0 when `t` does not start with a number.
pub(super) fn num_prefix_len(t: &str) -> usize {
    let b = t.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let ds = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if i == ds || (i == ds + 1 && b[ds] == b'.') {
        return 0;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'-' || b[j] == b'+') {
            j += 1;
        }
        let es = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j > es {
            i = j;
        }
    }
    i
}

pub(super) fn parse_int_prefix(s: &str) -> i64 {
    let f = parse_num_prefix(s);
    f.round().clamp(i64::MIN as f64, i64::MAX as f64) as i64
}

/// A value as a date or date-time (NULL when it is not one): strings
/// without a time part and 8-digit numbers are dates.
pub fn temporal(v: &Value) -> Value {
    match v {
        Value::Date(_) | Value::DateTime(_) => v.clone(),
        Value::Str(t) => {
            let t = t.trim();
            match Timestamp::parse(t) {
                Some(ts) if t.contains([' ', 'T']) => Value::DateTime(ts),
                Some(ts) => Value::Date(ts.secs().div_euclid(86_400)),
                None if t.bytes().all(|b| b.is_ascii_digit()) && !t.is_empty() => {
                    temporal(&Value::Int(t.parse().unwrap_or(-1)))
                }
                None => Value::Null,
            }
        }
        Value::Int(n) if (10_000_101..=99_991_231).contains(n) => {
            let (y, m, d) = (n / 10_000, (n / 100 % 100) as u32, (n % 100) as u32);
            if (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m) {
                Value::Date(days_from_civil(y, m, d))
            } else {
                Value::Null
            }
        }
        Value::Int(n) if (10_000_101_000_000..=99_991_231_235_959).contains(n) => {
            let (date, t) = (n / 1_000_000, n % 1_000_000);
            let (hh, mi, ss) = (t / 10_000, t / 100 % 100, t % 100);
            match temporal(&Value::Int(date)) {
                Value::Date(d) if hh < 24 && mi < 60 && ss < 60 => {
                    Value::DateTime(Timestamp::from_secs(d * 86_400 + hh * 3600 + mi * 60 + ss))
                }
                _ => Value::Null,
            }
        }
        _ => Value::Null,
    }
}

/// Parses a DATE literal.
pub fn parse_date(s: &str) -> Option<i64> {
    let t = Timestamp::parse(s.trim())?;
    Some(t.secs().div_euclid(86_400))
}

/// The timestamp of a date.
pub fn date_to_ts(d: i64) -> Timestamp {
    Timestamp::from_secs(d * 86_400)
}
