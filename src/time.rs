//! Wall-clock timestamps (microseconds since the Unix epoch, UTC).

use std::fmt;

use crate::error::Error;

/// A point in time: microseconds since 1970-01-01 00:00:00 UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The timestamp `secs` whole seconds after the epoch.
    pub fn from_secs(secs: i64) -> Timestamp {
        Timestamp(secs.saturating_mul(1_000_000))
    }

    /// Whole seconds since the epoch (rounded toward negative infinity).
    pub fn secs(self) -> i64 {
        self.0.div_euclid(1_000_000)
    }

    /// The microsecond part within the second.
    pub fn subsec_micros(self) -> u32 {
        self.0.rem_euclid(1_000_000) as u32
    }

    /// The current system time.
    pub fn system_now() -> Timestamp {
        #[cfg(target_arch = "wasm32")]
        {
            Timestamp((js_sys::Date::now() * 1000.0) as i64)
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            Timestamp(d.as_micros() as i64)
        }
    }

    /// Parses a time written in ReelDB's one time syntax, used by SQL time
    /// literals, `SET TIMESTAMP` and the JavaScript API alike:
    ///
    /// - `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.ffffff]]` (UTC);
    /// - ISO 8601 with `T` and an optional `Z` or UTC offset
    ///   (`2020-12-24T14:55:00Z`, `2020-12-24T16:55:00.5+02:00`, `+0200`, `+02`).
    ///
    /// Returns `None` when the text is not a valid time.
    pub fn parse(text: &str) -> Option<Timestamp> {
        let text = text.trim();
        let (date, rest) = match text.find([' ', 'T', 't']) {
            Some(i) => (&text[..i], Some(text[i + 1..].trim_start())),
            None => (text, None),
        };
        let mut dp = date.split('-');
        let y = digits(dp.next()?, 1, 4)?;
        let m = digits(dp.next()?, 1, 2)? as u32;
        let d = digits(dp.next()?, 1, 2)? as u32;
        if dp.next().is_some() || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return None;
        }
        let mut secs = days_from_civil(y, m, d) * 86_400;
        let mut micros = 0i64;
        if let Some(rest) = rest {
            // The clock time ends where a zone designator begins.
            let (time, zone) = match rest.find(['Z', 'z', '+', '-']) {
                Some(i) => (&rest[..i], Some(&rest[i..])),
                None => (rest, None),
            };
            let (hms, frac) = match time.split_once('.') {
                Some((a, b)) => (a, Some(b)),
                None => (time, None),
            };
            let mut tp = hms.split(':');
            let hh = digits(tp.next()?, 1, 2)?;
            let mm = digits(tp.next()?, 1, 2)?;
            let ss = match tp.next() {
                Some(s) => digits(s, 1, 2)?,
                None if frac.is_none() => 0,
                None => return None,
            };
            if tp.next().is_some() || hh > 23 || mm > 59 || ss > 59 {
                return None;
            }
            if let Some(f) = frac {
                micros = digits(f, 1, 6)? * 10i64.pow(6 - f.len() as u32);
            }
            secs += hh * 3600 + mm * 60 + ss;
            if let Some(zone) = zone {
                secs -= zone_offset_secs(zone)?;
            }
        }
        Some(Timestamp(secs * 1_000_000 + micros))
    }

    /// [`Timestamp::parse`], failing with [`Error::BadTime`] whose message
    /// names the text (cut to 64 characters) and the accepted syntax.
    pub fn parse_or_err(text: &str) -> Result<Timestamp, Error> {
        Timestamp::parse(text).ok_or_else(|| Error::BadTime(not_a_time(&quoted(text))))
    }
}

/// The message of a value that is not a time; `what` names the value as the
/// user wrote it (a quoted literal, `NULL`, `a number`...).
pub fn not_a_time(what: &str) -> String {
    format!("{what} is not a time: write YYYY-MM-DD HH:MM:SS[.ffffff] (UTC) or ISO 8601 (2020-12-24T14:55:00Z, +02:00)")
}

/// `text` in single quotes, cut to 64 characters (with `...` when cut), for
/// error messages.
pub fn quoted(text: &str) -> String {
    match text.char_indices().nth(64) {
        Some((i, _)) => format!("'{}...'", &text[..i]),
        None => format!("'{text}'"),
    }
}

/// The value of `s` when it is `min..=max` ASCII digits.
fn digits(s: &str, min: usize, max: usize) -> Option<i64> {
    if s.len() < min || s.len() > max || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// The offset east of UTC, in seconds, of a zone designator: `Z`, `±HH`,
/// `±HHMM` or `±HH:MM`, at most 14 hours.
fn zone_offset_secs(zone: &str) -> Option<i64> {
    if zone.eq_ignore_ascii_case("z") {
        return Some(0);
    }
    let sign = match zone.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let body = &zone[1..];
    let (h, m) = match (body.len(), body.split_once(':')) {
        (2, None) => (body, "00"),
        (4, None) => body.split_at(2),
        (5, Some((h, m))) => (h, m),
        _ => return None,
    };
    let (h, m) = (digits(h, 2, 2)?, digits(m, 2, 2)?);
    if m > 59 || h * 60 + m > 14 * 60 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60))
}

impl fmt::Display for Timestamp {
    /// Formats as `YYYY-MM-DD HH:MM:SS`, with `.ffffff` only when the
    /// microsecond part is non-zero.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.secs();
        let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
        let rem = secs.rem_euclid(86_400);
        write!(f, "{:04}-{:02}-{:02} {:02}:{:02}:{:02}", y, m, d, rem / 3600, rem / 60 % 60, rem % 60)?;
        let us = self.subsec_micros();
        if us != 0 {
            write!(f, ".{us:06}")?;
        }
        Ok(())
    }
}

/// Whether `y` is a leap year in the proleptic Gregorian calendar.
pub fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Days in month `m` (1-12) of year `y`.
pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of the civil date `y-m-d` (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date `(y, m, d)` of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn round_trips_scenario_times() {
        let t = Timestamp::from_secs(1_608_821_700);
        assert_eq!(t.to_string(), "2020-12-24 14:55:00");
        assert_eq!(Timestamp::parse("2020-12-24 14:55:00"), Some(t));
        assert_eq!(Timestamp::parse("2020-12-24 14:55:00.5").unwrap().0, t.0 + 500_000);
        assert_eq!(Timestamp::parse("1969-12-31 23:59:59").unwrap().secs(), -1);
    }

    #[test]
    fn reads_iso_8601_with_zone_or_offset() {
        let t = Timestamp::from_secs(1_608_821_700); // 2020-12-24 14:55:00 UTC
        for text in [
            "2020-12-24T14:55:00Z",
            "2020-12-24T14:55:00.000Z",
            "2020-12-24t14:55:00z",
            "2020-12-24T14:55Z",
            "2020-12-24T16:55:00+02:00",
            "2020-12-24T16:55:00+0200",
            "2020-12-24T16:55:00+02",
            "2020-12-24T09:25:00-05:30",
            "2020-12-24 14:55:00+00:00",
            "2020-12-25T04:55:00+14:00",
            "  2020-12-24 14:55  ",
        ] {
            assert_eq!(Timestamp::parse(text), Some(t), "{text}");
        }
        assert_eq!(Timestamp::parse("2020-12-24T14:55:00.123456Z").unwrap().0, t.0 + 123_456);
        // An offset can move the time across midnight and a year boundary.
        assert_eq!(Timestamp::parse("2021-01-01T01:00:00+02:00"), Timestamp::parse("2020-12-31 23:00:00"));
    }

    #[test]
    fn rejects_impossible_dates() {
        for bad in [
            "2021-02-29",
            "2020-13-01",
            "2020-01-01 24:00:00",
            "x",
            "2020-01-01 10:61:00",
            "",
            "2020-12-24 25:00:00",
            "2020-12-24T",
            "2020-12-24T14",
            "2020-12-24T14:55:00+15:00",
            "2020-12-24T14:55:00+02:60",
            "2020-12-24T14:55:00+2",
            "2020-12-24T14:55:00ZZ",
            "2020-12-24T14:55:00Z+01:00",
            "2020-12-24T14:55:00.1234567Z",
            "2020-12-24T14:55:00.Z",
            "+2020-12-24",
            "99999-12-24",
            "2020-12-24 14:55:00 UTC",
            "2020-12-24T-14:55:00",
            "2020-12-24 14:+5:00",
            "1608821700",
        ] {
            assert_eq!(Timestamp::parse(bad), None, "{bad}");
        }
        assert!(Timestamp::parse("2020-02-29").is_some());
    }

    #[test]
    fn errors_name_the_literal() {
        let Err(Error::BadTime(msg)) = Timestamp::parse_or_err("2020-12-24 25:00:00") else { panic!("accepted") };
        assert!(msg.starts_with("'2020-12-24 25:00:00' is not a time"), "{msg}");
        let long = "9".repeat(10_000);
        let Err(Error::BadTime(msg)) = Timestamp::parse_or_err(&long) else { panic!("accepted") };
        assert!(msg.len() < 200, "{}", msg.len());
        let Err(Error::BadTime(msg)) = Timestamp::parse_or_err("é".repeat(100).as_str()) else { panic!("accepted") };
        assert!(msg.contains("..."), "{msg}");
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::super::*;
        use proptest::prelude::*;

        /// Years 0000-9999, the range the four-digit syntax covers.
        const MIN: i64 = -62_167_219_200_000_000;
        const MAX: i64 = 253_402_300_799_999_999;

        /// `t` as ISO 8601 at an offset of `off` minutes east of UTC.
        fn iso(t: Timestamp, off: i64) -> String {
            let local = Timestamp(t.0 + off * 60_000_000).to_string().replacen(' ', "T", 1);
            let sign = if off < 0 { '-' } else { '+' };
            format!("{local}{sign}{:02}:{:02}", off.abs() / 60, off.abs() % 60)
        }

        proptest! {
            #[test]
            fn format_then_parse_round_trips(us in MIN..=MAX) {
                let t = Timestamp(us);
                prop_assert_eq!(Timestamp::parse(&t.to_string()), Some(t));
                let z = format!("{}Z", t.to_string().replacen(' ', "T", 1));
                prop_assert_eq!(Timestamp::parse(&z), Some(t));
            }

            #[test]
            fn offsets_name_the_same_instant(us in MIN + 86_400_000_000..=MAX - 86_400_000_000, off in -14 * 60..=14 * 60i64) {
                let t = Timestamp(us);
                prop_assert_eq!(Timestamp::parse(&iso(t, off)), Some(t));
            }

            #[test]
            fn never_panics_on_any_text(text in "\\PC{0,40}") {
                let _ = Timestamp::parse(&text);
            }

            #[test]
            fn never_panics_on_near_times(text in "[0-9]{1,5}-[0-9]{1,3}-[0-9]{1,3}[ Tt][0-9:.]{0,12}[Zz+0-9:-]{0,7}") {
                if let Some(t) = Timestamp::parse(&text) {
                    prop_assert!((MIN - 86_400_000_000..=MAX + 86_400_000_000).contains(&t.0), "{}", text);
                }
            }
        }
    }
}
