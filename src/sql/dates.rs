//! Calendar functions of the SQL layer, as MySQL computes them: interval
//! arithmetic, differences, week numbers, `DATE_FORMAT` and
//! `STR_TO_DATE`. Dates are days since 1970-01-01 and date-times
//! microseconds since the epoch, both UTC, in the proleptic Gregorian
//! calendar ([`crate::time`]); results outside years 0-9999 are NULL.

use crate::time::{civil_from_days, days_from_civil, days_in_month, is_leap, Timestamp};

use super::error::{SqlError, SqlResult};
use super::value::{parse_num_prefix, temporal, Value};

const DAY_US: i64 = 86_400_000_000;

/// A date-time broken into its civil parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    /// Year.
    pub y: i64,
    /// Month (1-12).
    pub m: u32,
    /// Day of the month (1-31).
    pub d: u32,
    /// Microseconds since midnight.
    pub tod: i64,
}

impl Civil {
    /// The parts of a date or date-time value (None for anything else).
    pub fn of(v: &Value) -> Option<Civil> {
        let us = match v {
            Value::Date(d) => d.checked_mul(DAY_US)?,
            Value::DateTime(t) => t.0,
            _ => return None,
        };
        let (y, m, d) = civil_from_days(us.div_euclid(DAY_US));
        Some(Civil { y, m, d, tod: us.rem_euclid(DAY_US) })
    }

    /// Days since the epoch.
    pub fn days(&self) -> i64 {
        days_from_civil(self.y, self.m, self.d)
    }

    fn hour(&self) -> i64 {
        self.tod / 3_600_000_000
    }
    fn minute(&self) -> i64 {
        self.tod / 60_000_000 % 60
    }
    fn second(&self) -> i64 {
        self.tod / 1_000_000 % 60
    }
    fn micro(&self) -> i64 {
        self.tod % 1_000_000
    }
    fn day_of_year(&self) -> i64 {
        self.days() - days_from_civil(self.y, 1, 1) + 1
    }
}

/// A value as a TIME in microseconds, as MySQL converts it: a TIME; a
/// string `[-][D ]H:MM[:SS[.ffffff]]` or `[-]HHMMSS[.ffffff]` (also `MMSS`
/// and `SS`), or a date-time string (its time of day); a number
/// `[-]HHMMSS[.ffffff]`; a date-time's time of day (a date's is midnight).
/// None when it is none of these or outside ±838:59:59.
pub fn to_time(v: &Value) -> Option<i64> {
    match v {
        Value::Time(t) => Some(*t),
        Value::Str(s) => {
            let s = s.trim();
            let digits = s.strip_prefix('-').unwrap_or(s);
            if s.contains(':') && (!s.contains('-') || s.starts_with('-')) {
                parse_time(s)
            } else if !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                && digits.bytes().filter(|&b| b == b'.').count() <= 1
                && digits.len() <= 16
            {
                let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
                if frac.len() > 6 || int.is_empty() {
                    return None;
                }
                let us = if frac.is_empty() { 0 } else { frac.parse::<i64>().ok()? * 10i64.pow(6 - frac.len() as u32) };
                hhmmss(int.parse().ok()?, us, s.starts_with('-'))
            } else {
                Civil::of(&temporal(v)).map(|c| c.tod)
            }
        }
        Value::Int(n) => hhmmss(n.unsigned_abs(), 0, *n < 0),
        Value::Decimal(d) => {
            let us = d.rescale(6).m;
            let whole = u64::try_from((us / 1_000_000).unsigned_abs()).ok()?;
            hhmmss(whole, (us % 1_000_000).abs() as i64, us < 0)
        }
        Value::Double(f) if f.is_finite() && f.abs() < 1e10 => {
            let us = (f * 1e6).round() as i64;
            hhmmss((us / 1_000_000).unsigned_abs(), (us % 1_000_000).abs(), us < 0)
        }
        Value::Date(_) | Value::DateTime(_) => Civil::of(v).map(|c| c.tod),
        _ => None,
    }
}

/// The TIME of the number `HHMMSS` and `us` microseconds (negative when
/// `neg`); None when the minutes or seconds exceed 59 or the time
/// 838:59:59.
fn hhmmss(n: u64, us: i64, neg: bool) -> Option<i64> {
    let (h, m, sec) = (n / 10_000, n / 100 % 100, n % 100);
    if m > 59 || sec > 59 || h > 838 {
        return None;
    }
    let t = ((h * 60 + m) * 60 + sec) as i64 * 1_000_000 + us;
    (t <= TIME_MAX).then_some(if neg { -t } else { t })
}

/// Parses `[-][D ]H:MM[:SS[.ffffff]]` (hours may exceed 23, as a TIME's
/// do; `D` days add 24 hours each).
fn parse_time(s: &str) -> Option<i64> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (days, s) = match s.split_once(' ') {
        Some((d, rest)) if !d.is_empty() && d.len() <= 2 && d.bytes().all(|b| b.is_ascii_digit()) => {
            (d.parse::<i64>().ok()?, rest.trim_start())
        }
        _ => (0, s),
    };
    let (hms, frac) = match s.split_once('.') {
        Some((a, b)) => (a, b),
        None => (s, ""),
    };
    let mut parts = hms.split(':');
    let h: i64 = parts.next()?.parse::<i64>().ok()? + days * 24;
    let mi: i64 = parts.next()?.parse().ok()?;
    let sec: i64 = parts.next().unwrap_or("0").parse().ok()?;
    if parts.next().is_some() || !(0..60).contains(&mi) || !(0..60).contains(&sec) || !(0..=838).contains(&h) {
        return None;
    }
    if frac.len() > 6 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let us = if frac.is_empty() { 0 } else { frac.parse::<i64>().ok()? * 10i64.pow(6 - frac.len() as u32) };
    let t = ((h * 60 + mi) * 60 + sec) * 1_000_000 + us;
    (t <= TIME_MAX).then_some(if neg { -t } else { t })
}

/// `HH:MM:SS[.ffffff]` of a time in microseconds (negative: `-HH:...`).
pub fn time_text(us: i64) -> String {
    let sign = if us < 0 { "-" } else { "" };
    let us = us.unsigned_abs();
    let secs = us / 1_000_000;
    let frac = us % 1_000_000;
    let mut out = format!("{sign}{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    if frac != 0 {
        out.push_str(&format!(".{frac:06}"));
    }
    out
}

/// An interval unit (`INTERVAL n unit`, `TIMESTAMPDIFF`, `EXTRACT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// MICROSECOND.
    Microsecond,
    /// SECOND.
    Second,
    /// MINUTE.
    Minute,
    /// HOUR.
    Hour,
    /// DAY.
    Day,
    /// WEEK.
    Week,
    /// MONTH.
    Month,
    /// QUARTER.
    Quarter,
    /// YEAR.
    Year,
    /// A compound unit (`HOUR_MINUTE`): its parts, largest first.
    Compound(&'static [Unit]),
}

impl Unit {
    /// Parses a unit name (as `sqlparser` prints it, any case, singular or
    /// plural).
    pub fn parse(name: &str) -> SqlResult<Unit> {
        let n = name.trim().to_ascii_uppercase();
        let n = n.strip_suffix('S').unwrap_or(&n);
        Ok(match n {
            "MICROSECOND" => Unit::Microsecond,
            "SECOND" => Unit::Second,
            "MINUTE" => Unit::Minute,
            "HOUR" => Unit::Hour,
            "DAY" => Unit::Day,
            "WEEK" => Unit::Week,
            "MONTH" => Unit::Month,
            "QUARTER" => Unit::Quarter,
            "YEAR" => Unit::Year,
            "YEAR_MONTH" => Unit::Compound(&[Unit::Year, Unit::Month]),
            "DAY_HOUR" => Unit::Compound(&[Unit::Day, Unit::Hour]),
            "DAY_MINUTE" => Unit::Compound(&[Unit::Day, Unit::Hour, Unit::Minute]),
            "DAY_SECOND" => Unit::Compound(&[Unit::Day, Unit::Hour, Unit::Minute, Unit::Second]),
            "DAY_MICROSECOND" => {
                Unit::Compound(&[Unit::Day, Unit::Hour, Unit::Minute, Unit::Second, Unit::Microsecond])
            }
            "HOUR_MINUTE" => Unit::Compound(&[Unit::Hour, Unit::Minute]),
            "HOUR_SECOND" => Unit::Compound(&[Unit::Hour, Unit::Minute, Unit::Second]),
            "HOUR_MICROSECOND" => Unit::Compound(&[Unit::Hour, Unit::Minute, Unit::Second, Unit::Microsecond]),
            "MINUTE_SECOND" => Unit::Compound(&[Unit::Minute, Unit::Second]),
            "MINUTE_MICROSECOND" => Unit::Compound(&[Unit::Minute, Unit::Second, Unit::Microsecond]),
            "SECOND_MICROSECOND" => Unit::Compound(&[Unit::Second, Unit::Microsecond]),
            _ => return Err(SqlError::parse(format!("You have an error in your SQL syntax near '{name}'"))),
        })
    }

    /// Months, or microseconds, in one unit (a compound unit: none).
    fn size(self) -> (i64, i64) {
        match self {
            Unit::Compound(_) => (0, 0),
            Unit::Microsecond => (0, 1),
            Unit::Second => (0, 1_000_000),
            Unit::Minute => (0, 60_000_000),
            Unit::Hour => (0, 3_600_000_000),
            Unit::Day => (0, DAY_US),
            Unit::Week => (0, 7 * DAY_US),
            Unit::Month => (1, 0),
            Unit::Quarter => (3, 0),
            Unit::Year => (12, 0),
        }
    }

    fn has_time(self) -> bool {
        match self {
            Unit::Compound(parts) => parts.iter().any(|p| p.has_time()),
            _ => matches!(self, Unit::Microsecond | Unit::Second | Unit::Minute | Unit::Hour),
        }
    }

    /// The interval `n` of this unit as (months, microseconds); None when
    /// a compound value has more parts than the unit.
    fn amount(self, n: &Value) -> Option<(i128, i128)> {
        let Unit::Compound(parts) = self else {
            let (months, us) = self.size();
            let a: i128 = match (self, n) {
                // seconds keep their fraction
                (Unit::Second, _) => return Some((0, (n.to_f64().unwrap_or(0.0) * 1e6).round() as i128)),
                // a string counts by its integer prefix; numbers round
                (_, Value::Str(s)) => parse_num_prefix(s).trunc() as i128,
                _ => n.to_i64().unwrap_or(0) as i128,
            };
            return Some((a.saturating_mul(months as i128), a.saturating_mul(us as i128)));
        };
        // '1 2:30:00.5': the digit groups fill the parts from the right
        let text = n.to_text().unwrap_or_default();
        let text = text.trim();
        let neg = text.starts_with('-');
        let groups: Vec<&str> = text.split(|c: char| !c.is_ascii_digit()).filter(|g| !g.is_empty()).collect();
        if groups.len() > parts.len() {
            return None;
        }
        let (mut months, mut us) = (0i128, 0i128);
        for (part, g) in parts[parts.len() - groups.len()..].iter().zip(&groups) {
            let mut v: i128 = g.parse().unwrap_or(i128::MAX / 2);
            if *part == Unit::Microsecond && g.len() < 6 {
                v *= 10i128.pow(6 - g.len() as u32);
            }
            let (m, u) = part.size();
            months = months.saturating_add(v.saturating_mul(m as i128));
            us = us.saturating_add(v.saturating_mul(u as i128));
        }
        Some(if neg { (-months, -us) } else { (months, us) })
    }
}

fn unit_arg(v: &Value) -> SqlResult<Unit> {
    Unit::parse(&v.to_text().unwrap_or_default())
}

/// The first and last day that dates may have (years 0-9999).
fn in_range(days: i64) -> bool {
    (days_from_civil(0, 1, 1)..=days_from_civil(9999, 12, 31)).contains(&days)
}

/// `t + INTERVAL n unit` (`sign` -1 for `-`): months keep the day, clamped
/// to the month's last day; a date stays a date unless the unit has a time
/// part. NULL when `t` is not a date or the result leaves years 0-9999.
pub fn add_interval(t: &Value, n: &Value, unit: &Value, sign: i64) -> SqlResult<Value> {
    let unit = unit_arg(unit)?;
    if let Value::Time(x) = t {
        // a TIME moves by the interval's time part and stays a TIME
        return Ok(match unit.amount(n) {
            _ if n.is_null() => Value::Null,
            Some((0, us)) => match i64::try_from(us.saturating_mul(sign as i128)).ok().and_then(|d| x.checked_add(d)) {
                Some(r) if r.abs() <= TIME_MAX => Value::Time(r),
                _ => Value::Null,
            },
            _ => Value::Null,
        });
    }
    let t = temporal(t);
    let Some(c) = Civil::of(&t) else {
        return Ok(Value::Null);
    };
    if n.is_null() {
        return Ok(Value::Null);
    }
    let Some((months, us)) = unit.amount(n) else {
        return Ok(Value::Null);
    };
    let (months, us) = (months.saturating_mul(sign as i128), us.saturating_mul(sign as i128));
    let mut days = c.days();
    if months != 0 {
        let total = (c.y as i128 * 12 + c.m as i128 - 1).saturating_add(months);
        let (y, m) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
        let Some(y) = i64::try_from(y).ok().filter(|y| (0..=9999).contains(y)) else {
            return Ok(Value::Null);
        };
        days = days_from_civil(y, m, c.d.min(days_in_month(y, m)));
    }
    let total = (days as i128 * DAY_US as i128 + c.tod as i128).saturating_add(us);
    let Ok(total) = i64::try_from(total) else {
        return Ok(Value::Null);
    };
    let (days, tod) = (total.div_euclid(DAY_US), total.rem_euclid(DAY_US));
    if !in_range(days) {
        return Ok(Value::Null);
    }
    Ok(match t {
        Value::Date(_) if !unit.has_time() => Value::Date(days),
        _ => Value::DateTime(Timestamp(days * DAY_US + tod)),
    })
}

/// `DATEDIFF(a, b)`: days from `b` to `a`, ignoring the time of day.
pub fn datediff(a: &Value, b: &Value) -> Value {
    match (Civil::of(a), Civil::of(b)) {
        (Some(a), Some(b)) => Value::Int(a.days() - b.days()),
        _ => Value::Null,
    }
}

/// `TIMESTAMPDIFF(unit, a, b)`: whole units from `a` to `b` (truncated
/// toward zero; months count only when the day and time are reached).
pub fn timestampdiff(unit: &Value, a: &Value, b: &Value) -> SqlResult<Value> {
    let unit = match unit_arg(unit)? {
        Unit::Compound(_) => return Err(SqlError::parse("You have an error in your SQL syntax near the unit")),
        u => u,
    };
    let (Some(x), Some(y)) = (Civil::of(a), Civil::of(b)) else {
        return Ok(Value::Null);
    };
    let (months, us) = unit.size();
    if months == 0 {
        let diff = (y.days() - x.days()) as i128 * DAY_US as i128 + (y.tod - x.tod) as i128;
        return Ok(Value::Int((diff / us as i128) as i64));
    }
    let mut m = (y.y * 12 + y.m as i64) - (x.y * 12 + x.m as i64);
    let (xr, yr) = ((x.d, x.tod), (y.d, y.tod));
    if m > 0 && yr < xr {
        m -= 1;
    } else if m < 0 && yr > xr {
        m += 1;
    }
    Ok(Value::Int(m / months))
}

/// `EXTRACT(unit FROM t)`.
pub fn extract(unit: &Value, t: &Value) -> SqlResult<Value> {
    let unit = match unit_arg(unit)? {
        Unit::Compound(parts) => return Ok(extract_compound(parts, t)),
        u => u,
    };
    if unit.has_time() {
        return Ok(match to_time(t) {
            None => Value::Null,
            Some(tod) => {
                let c = Civil { y: 0, m: 1, d: 1, tod: tod.abs() };
                let r = match unit {
                    Unit::Hour => c.hour(),
                    Unit::Minute => c.minute(),
                    Unit::Second => c.second(),
                    _ => c.micro(),
                };
                Value::Int(if tod < 0 { -r } else { r })
            }
        });
    }
    let Some(c) = Civil::of(&temporal(t)) else {
        return Ok(Value::Null);
    };
    Ok(Value::Int(match unit {
        Unit::Day => c.d as i64,
        Unit::Week => week(&c, 0).0,
        Unit::Month => c.m as i64,
        Unit::Quarter => (c.m as i64 + 2) / 3,
        _ => c.y,
    }))
}

/// `EXTRACT(YEAR_MONTH FROM t)` and the other compound units: the parts'
/// digits one after the other, as MySQL gives them (`202401` for January
/// 2024; `1530` for `HOUR_MINUTE` of 15:30): each part after the first
/// takes two digits, microseconds six. A unit that starts with a date part
/// reads `t` as a date or date-time; one of time parts alone, as a TIME
/// (its sign is the result's). NULL when `t` is neither.
fn extract_compound(parts: &[Unit], t: &Value) -> Value {
    let dated = matches!(parts.first(), Some(Unit::Year | Unit::Day));
    let (c, sign) = if dated {
        match Civil::of(&temporal(t)) {
            Some(c) => (c, 1),
            None => return Value::Null,
        }
    } else {
        match to_time(t) {
            Some(tod) => (Civil { y: 0, m: 1, d: 1, tod: tod.abs() }, if tod < 0 { -1 } else { 1 }),
            None => return Value::Null,
        }
    };
    let n = parts.iter().enumerate().fold(0i64, |acc, (i, p)| {
        let (v, digits) = match p {
            Unit::Year => (c.y, 4),
            Unit::Month => (c.m as i64, 2),
            Unit::Day => (c.d as i64, 2),
            Unit::Hour => (c.hour(), 2),
            Unit::Minute => (c.minute(), 2),
            Unit::Second => (c.second(), 2),
            _ => (c.micro(), 6),
        };
        if i == 0 {
            v
        } else {
            acc * 10i64.pow(digits) + v
        }
    });
    Value::Int(sign * n)
}

/// Day of the week, 0 = Monday (`WEEKDAY`).
pub fn weekday(days: i64) -> i64 {
    (days + 3).rem_euclid(7)
}

/// MySQL's week number of `c` in `mode` (0-7, see `WEEK()`), with the year
/// the week belongs to.
pub fn week(c: &Civil, mode: i64) -> (i64, i64) {
    let mode = mode.rem_euclid(8) as u32;
    let monday_first = mode & 1 != 0;
    let mut week_year = mode & 2 != 0;
    // MySQL's week_mode(): bit 2 "first weekday" flips unless Monday first.
    let first_weekday = (mode & 4 != 0) == monday_first;
    let daynr = c.days();
    let mut first_daynr = days_from_civil(c.y, 1, 1);
    let wd = |d: i64| if monday_first { weekday(d) } else { (d + 4).rem_euclid(7) };
    let mut wday = wd(first_daynr);
    let mut year = c.y;
    if c.m == 1 && (c.d as i64) <= 7 - wday {
        if !week_year && ((first_weekday && wday != 0) || (!first_weekday && wday >= 4)) {
            return (0, year);
        }
        week_year = true;
        year -= 1;
        let days = if is_leap(year) { 366 } else { 365 };
        first_daynr -= days;
        wday = (wday + 53 * 7 - days) % 7;
    }
    let days = if (first_weekday && wday != 0) || (!first_weekday && wday >= 4) {
        daynr - (first_daynr + (7 - wday))
    } else {
        daynr - (first_daynr - wday)
    };
    if week_year && days >= 52 * 7 {
        let wday2 = (wday + if is_leap(year) { 366 } else { 365 }) % 7;
        if (!first_weekday && wday2 < 4) || (first_weekday && wday2 == 0) {
            return (1, year + 1);
        }
    }
    (days / 7 + 1, year)
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// The English name of month `m` (1-12).
pub fn month_name(m: u32) -> &'static str {
    MONTHS[(m as usize + 11) % 12]
}

/// The English name of the weekday of `days`.
pub fn day_name(days: i64) -> &'static str {
    DAYS[weekday(days) as usize]
}

fn ordinal_suffix(d: u32) -> &'static str {
    match (d % 10, d % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

/// `DATE_FORMAT(t, fmt)` with MySQL's `%` specifiers.
pub fn date_format(c: &Civil, fmt: &str) -> String {
    let mut out = String::with_capacity(fmt.len() * 2);
    let mut it = fmt.chars();
    let h12 = |h: i64| if h % 12 == 0 { 12 } else { h % 12 };
    while let Some(ch) = it.next() {
        if ch != '%' {
            out.push(ch);
            continue;
        }
        let Some(spec) = it.next() else {
            break;
        };
        let days = c.days();
        let s = match spec {
            'a' => day_name(days)[..3].to_string(),
            'b' => month_name(c.m)[..3].to_string(),
            'c' => c.m.to_string(),
            'D' => format!("{}{}", c.d, ordinal_suffix(c.d)),
            'd' => format!("{:02}", c.d),
            'e' => c.d.to_string(),
            'f' => format!("{:06}", c.micro()),
            'H' => format!("{:02}", c.hour()),
            'h' | 'I' => format!("{:02}", h12(c.hour())),
            'i' => format!("{:02}", c.minute()),
            'j' => format!("{:03}", c.day_of_year()),
            'k' => c.hour().to_string(),
            'l' => h12(c.hour()).to_string(),
            'M' => month_name(c.m).to_string(),
            'm' => format!("{:02}", c.m),
            'p' => (if c.hour() < 12 { "AM" } else { "PM" }).to_string(),
            'r' => format!(
                "{:02}:{:02}:{:02} {}",
                h12(c.hour()),
                c.minute(),
                c.second(),
                if c.hour() < 12 { "AM" } else { "PM" }
            ),
            'S' | 's' => format!("{:02}", c.second()),
            'T' => format!("{:02}:{:02}:{:02}", c.hour(), c.minute(), c.second()),
            'U' => format!("{:02}", week(c, 0).0),
            'u' => format!("{:02}", week(c, 1).0),
            'V' => format!("{:02}", week(c, 2).0),
            'v' => format!("{:02}", week(c, 3).0),
            'W' => day_name(days).to_string(),
            'w' => ((days + 4).rem_euclid(7)).to_string(),
            'X' => format!("{:04}", week(c, 2).1),
            'x' => format!("{:04}", week(c, 3).1),
            'Y' => format!("{:04}", c.y),
            'y' => format!("{:02}", c.y.rem_euclid(100)),
            other => other.to_string(),
        };
        out.push_str(&s);
    }
    out
}

/// Reads up to `max` digits at the start of `s` (after spaces).
fn digits(s: &mut &str, max: usize) -> Option<i64> {
    *s = s.trim_start();
    let n = s.bytes().take(max).take_while(|b| b.is_ascii_digit()).count();
    if n == 0 {
        return None;
    }
    let v = s[..n].parse().ok()?;
    *s = &s[n..];
    Some(v)
}

/// Reads one of `names` (or its first three letters), case-insensitively;
/// its index.
fn name_of(s: &mut &str, names: &[&str]) -> Option<usize> {
    for (i, n) in names.iter().enumerate() {
        for cand in [*n, &n[..3]] {
            if s.len() >= cand.len() && s.is_char_boundary(cand.len()) && s[..cand.len()].eq_ignore_ascii_case(cand) {
                *s = &s[cand.len()..];
                return Some(i);
            }
        }
    }
    None
}

/// `STR_TO_DATE(s, fmt)`: a DATE when the format has only date parts, a
/// DATETIME when it has time parts too, a TIME when only time parts; NULL when `s` does not match or the date is invalid.
pub fn str_to_date(text: &str, fmt: &str) -> Value {
    let mut s = text.trim_start();
    let (mut y, mut m, mut d) = (0i64, 0i64, 0i64);
    let (mut h, mut mi, mut sec, mut us) = (0i64, 0i64, 0i64, 0i64);
    let mut pm: Option<bool> = None;
    let mut doy: Option<i64> = None;
    let (mut has_date, mut has_time) = (false, false);
    let mut f = fmt.chars();
    while let Some(fc) = f.next() {
        if fc != '%' {
            if fc.is_whitespace() {
                s = s.trim_start();
                continue;
            }
            match s.chars().next() {
                Some(c) if c == fc => s = &s[c.len_utf8()..],
                _ => return Value::Null,
            }
            continue;
        }
        let Some(spec) = f.next() else {
            break;
        };
        let ok = (|| -> Option<()> {
            match spec {
                'Y' => {
                    s = s.trim_start();
                    let before = s.len();
                    y = digits(&mut s, 4)?;
                    if before - s.len() <= 2 {
                        y += if y < 70 { 2000 } else { 1900 };
                    }
                    has_date = true;
                }
                'y' => {
                    y = digits(&mut s, 2)?;
                    y += if y < 70 { 2000 } else { 1900 };
                    has_date = true;
                }
                'm' | 'c' => {
                    m = digits(&mut s, 2)?;
                    has_date = true;
                }
                'M' | 'b' => {
                    m = name_of(&mut s, &MONTHS)? as i64 + 1;
                    has_date = true;
                }
                'd' | 'e' => {
                    d = digits(&mut s, 2)?;
                    has_date = true;
                }
                'D' => {
                    d = digits(&mut s, 2)?;
                    s = s.get(2..)?;
                    has_date = true;
                }
                'j' => {
                    doy = Some(digits(&mut s, 3)?);
                    has_date = true;
                }
                'W' | 'a' => {
                    name_of(&mut s, &DAYS)?;
                }
                'H' | 'k' | 'h' | 'I' | 'l' => {
                    h = digits(&mut s, 2)?;
                    has_time = true;
                }
                'i' => {
                    mi = digits(&mut s, 2)?;
                    has_time = true;
                }
                'S' | 's' => {
                    sec = digits(&mut s, 2)?;
                    has_time = true;
                }
                'f' => {
                    s = s.trim_start();
                    let before = s.len();
                    us = digits(&mut s, 6)?;
                    us *= 10i64.pow(6 - (before - s.len()) as u32);
                    has_time = true;
                }
                'p' => {
                    let up = s.get(..2)?.to_ascii_uppercase();
                    pm = Some(match up.as_str() {
                        "AM" => false,
                        "PM" => true,
                        _ => return None,
                    });
                    s = &s[2..];
                }
                'T' | 'r' => {
                    h = digits(&mut s, 2)?;
                    s = s.strip_prefix(':')?;
                    mi = digits(&mut s, 2)?;
                    s = s.strip_prefix(':')?;
                    sec = digits(&mut s, 2)?;
                    if spec == 'r' {
                        s = s.trim_start();
                        let up = s.get(..2)?.to_ascii_uppercase();
                        pm = Some(up == "PM");
                        s = &s[2..];
                    }
                    has_time = true;
                }
                '%' => s = s.strip_prefix('%')?,
                _ => return None,
            }
            Some(())
        })();
        if ok.is_none() {
            return Value::Null;
        }
    }
    if let Some(p) = pm {
        if !(1..=12).contains(&h) {
            return Value::Null;
        }
        h = h % 12 + if p { 12 } else { 0 };
    }
    if h > 23 || mi > 59 || sec > 59 {
        return Value::Null;
    }
    let tod = ((h * 60 + mi) * 60 + sec) * 1_000_000 + us;
    if !has_date {
        return if has_time { Value::Time(tod) } else { Value::Null };
    }
    let days = match doy {
        Some(n) if m == 0 && d == 0 => {
            if n < 1 || n > if is_leap(y) { 366 } else { 365 } {
                return Value::Null;
            }
            days_from_civil(y, 1, 1) + n - 1
        }
        _ => {
            if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m as u32) as i64 {
                return Value::Null;
            }
            days_from_civil(y, m as u32, d as u32)
        }
    };
    if !in_range(days) {
        return Value::Null;
    }
    if has_time {
        Value::DateTime(Timestamp(days * DAY_US + tod))
    } else {
        Value::Date(days)
    }
}

/// `MAKEDATE(year, dayofyear)`.
pub fn makedate(y: i64, n: i64) -> Value {
    if n < 1 || !(0..=9999).contains(&y) {
        return Value::Null;
    }
    let days = days_from_civil(y, 1, 1).saturating_add(n - 1);
    if in_range(days) {
        Value::Date(days)
    } else {
        Value::Null
    }
}

/// `TO_DAYS` of 1970-01-01: days from year 0 to the epoch.
pub const DAY_ZERO: i64 = 719_528;

/// The largest TIME, 838:59:59, in microseconds.
const TIME_MAX: i64 = ((838 * 60 + 59) * 60 + 59) * 1_000_000;

/// `FROM_DAYS(n)`: the date `n` days after year 0 (MySQL's zero date for
/// the first year, which the calendar does not have).
pub fn from_days(n: i64) -> Value {
    if n < 366 {
        return Value::Str("0000-00-00".into());
    }
    match n.checked_sub(DAY_ZERO).filter(|d| in_range(*d)) {
        Some(d) => Value::Date(d),
        None => Value::Null,
    }
}

/// Months since year 0 of a period `YYMM` or `YYYYMM` (YY below 70 is
/// 20YY, else 19YY).
fn period_months(p: i64) -> i64 {
    let (mut y, m) = (p / 100, p % 100);
    if y < 100 {
        y += if y < 70 { 2000 } else { 1900 };
    }
    y * 12 + m - 1
}

/// `PERIOD_ADD(p, n)`: the period `n` months after `p`, as `YYYYMM`.
pub fn period_add(p: i64, n: i64) -> Value {
    if p <= 0 || p > 99_999_999 {
        return Value::Int(0);
    }
    match period_months(p).checked_add(n).filter(|t| *t >= 0) {
        Some(t) => Value::Int(t / 12 * 100 + t % 12 + 1),
        None => Value::Int(0),
    }
}

/// `PERIOD_DIFF(p1, p2)`: months from `p2` to `p1`.
pub fn period_diff(p1: i64, p2: i64) -> Value {
    if !(0..=99_999_999).contains(&p1) || !(0..=99_999_999).contains(&p2) {
        return Value::Null;
    }
    Value::Int(period_months(p1) - period_months(p2))
}

/// A TIME, clamped to ±838:59:59 as MySQL clamps.
pub fn time_value(us: i64) -> Value {
    Value::Time(us.clamp(-TIME_MAX, TIME_MAX))
}

/// `MAKETIME(hour, minute, second)`: NULL when the minute or second is
/// outside 0-59.
pub fn maketime(h: i64, m: i64, s: f64) -> Value {
    if !(0..60).contains(&m) || !(0.0..60.0).contains(&s) {
        return Value::Null;
    }
    let mag = (h.unsigned_abs().min(839) as i64 * 60 + m) * 60_000_000 + (s * 1e6).round() as i64;
    time_value(if h < 0 { -mag } else { mag })
}

/// A point in time for `TIMEDIFF` / `ADDTIME`: a date-time in microseconds
/// since the epoch, or a TIME in microseconds.
enum Moment {
    At(i64),
    Time(i64),
}

fn moment(v: &Value) -> Option<Moment> {
    if let Value::Time(t) = v {
        return Some(Moment::Time(*t));
    }
    if let Value::Str(s) = v {
        let t = s.trim();
        if !t.contains('-') || t.starts_with('-') {
            return parse_time(t).map(Moment::Time);
        }
    }
    Civil::of(&temporal(v)).map(|c| Moment::At(c.days() * DAY_US + c.tod))
}

/// `TIMEDIFF(a, b)`: `a - b` as a TIME, for two date-times or two TIMEs
/// (NULL for one of each).
pub fn timediff(a: &Value, b: &Value) -> Value {
    match (moment(a), moment(b)) {
        (Some(Moment::At(x)), Some(Moment::At(y))) | (Some(Moment::Time(x)), Some(Moment::Time(y))) => {
            time_value(x.saturating_sub(y))
        }
        _ => Value::Null,
    }
}

/// `ADDTIME(t, d)` (`sign` -1: `SUBTIME`): a date-time or TIME moved by the
/// TIME `d`.
pub fn addtime(t: &Value, d: &Value, sign: i64) -> Value {
    let Some(Moment::Time(d)) = moment(d) else { return Value::Null };
    match moment(t) {
        Some(Moment::At(x)) => {
            let us = x.saturating_add(sign * d);
            if in_range(us.div_euclid(DAY_US)) {
                Value::DateTime(Timestamp(us))
            } else {
                Value::Null
            }
        }
        Some(Moment::Time(x)) => time_value(x.saturating_add(sign * d)),
        None => Value::Null,
    }
}

/// `TIME_FORMAT(t, fmt)`: [`date_format`] of a TIME (hours may exceed
/// 23); NULL when the format asks for a part of a date.
pub fn time_format(t: &Value, fmt: &str) -> Value {
    let Some(tod) = to_time(t) else { return Value::Null };
    let mut it = fmt.chars();
    while let Some(c) = it.next() {
        if c == '%' && it.next().is_some_and(|spec| !"HkhIlisSfprT%".contains(spec)) {
            return Value::Null;
        }
    }
    let text = date_format(&Civil { y: 0, m: 1, d: 1, tod: tod.abs() }, fmt);
    Value::Str(if tod < 0 { format!("-{text}") } else { text })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn civil(s: &str) -> Civil {
        Civil::of(&temporal(&Value::Str(s.into()))).unwrap()
    }

    #[test]
    fn weeks_match_mysql() {
        // MySQL's documented examples
        assert_eq!(week(&civil("2008-02-20"), 0).0, 7);
        assert_eq!(week(&civil("2008-02-20"), 1).0, 8);
        assert_eq!(week(&civil("2008-12-31"), 1).0, 53);
        assert_eq!(week(&civil("2000-01-01"), 0).0, 0);
        assert_eq!(week(&civil("2000-01-01"), 2), (52, 1999));
    }

    #[test]
    fn formats_and_parses() {
        let c = civil("2009-10-04 22:23:00");
        assert_eq!(date_format(&c, "%W %M %Y"), "Sunday October 2009");
        assert_eq!(date_format(&c, "%H:%i:%s %D %j %a %b"), "22:23:00 4th 277 Sun Oct");
        assert_eq!(str_to_date("01,5,2013", "%d,%m,%Y"), Value::Date(days_from_civil(2013, 5, 1)));
        assert_eq!(str_to_date("May 1, 2013", "%M %d,%Y"), Value::Date(days_from_civil(2013, 5, 1)));
        assert_eq!(str_to_date("2013-02-30", "%Y-%m-%d"), Value::Null);
        assert_eq!(str_to_date("09:30:17", "%h:%i:%s"), Value::Time(34_217_000_000));
        // spaces before numbers are skipped, never counted as digits
        assert_eq!(
            str_to_date("2020-01-01 10:00:00.       5", "%Y-%m-%d %T.%f").to_string(),
            "2020-01-01 10:00:00.500000"
        );
        assert_eq!(str_to_date("  20-1-2", "%Y-%c-%e"), Value::Date(days_from_civil(2020, 1, 2)));
        // huge amounts give NULL, not an overflow
        let big = Value::Double(1e300);
        assert_eq!(
            add_interval(&Value::Str("2020-01-01".into()), &big, &Value::Str("SECOND".into()), -1).unwrap(),
            Value::Null
        );
        assert_eq!(
            add_interval(&Value::Str("2020-01-01".into()), &Value::Int(i64::MIN), &Value::Str("YEAR".into()), -1)
                .unwrap(),
            Value::Null
        );
        assert_eq!(makedate(2020, i64::MAX), Value::Null);
    }
}
