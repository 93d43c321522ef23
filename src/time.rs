//! Wall-clock timestamps (microseconds since the Unix epoch, UTC).

use std::fmt;

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

    /// Parses `YYYY-MM-DD[ HH:MM:SS[.ffffff]]` (UTC). Returns `None` when the
    /// text is not a valid date-time.
    pub fn parse(text: &str) -> Option<Timestamp> {
        let text = text.trim();
        let (date, time) = match text.find([' ', 'T']) {
            Some(i) => (&text[..i], text[i + 1..].trim()),
            None => (text, ""),
        };
        let mut dp = date.split('-');
        let y: i64 = dp.next()?.parse().ok()?;
        let m: u32 = dp.next()?.parse().ok()?;
        let d: u32 = dp.next()?.parse().ok()?;
        if dp.next().is_some() || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return None;
        }
        let (mut hh, mut mm, mut ss, mut micros) = (0i64, 0i64, 0i64, 0i64);
        if !time.is_empty() {
            let (hms, frac) = match time.split_once('.') {
                Some((a, b)) => (a, Some(b)),
                None => (time, None),
            };
            let mut tp = hms.split(':');
            hh = tp.next()?.parse().ok()?;
            mm = tp.next().unwrap_or("0").parse().ok()?;
            ss = tp.next().unwrap_or("0").parse().ok()?;
            if tp.next().is_some() || !(0..24).contains(&hh) || !(0..60).contains(&mm) || !(0..60).contains(&ss) {
                return None;
            }
            if let Some(f) = frac {
                if f.is_empty() || f.len() > 6 || !f.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                micros = f.parse::<i64>().ok()? * 10i64.pow(6 - f.len() as u32);
            }
        }
        let days = days_from_civil(y, m, d);
        let secs = days * 86_400 + hh * 3600 + mm * 60 + ss;
        Some(Timestamp(secs * 1_000_000 + micros))
    }
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
    fn rejects_impossible_dates() {
        for bad in ["2021-02-29", "2020-13-01", "2020-01-01 24:00:00", "x", "2020-01-01 10:61:00", ""] {
            assert_eq!(Timestamp::parse(bad), None, "{bad}");
        }
        assert!(Timestamp::parse("2020-02-29").is_some());
    }
}
