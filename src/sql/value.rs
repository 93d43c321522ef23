//! SQL values, exact decimals, MySQL-style coercions, comparison and
//! arithmetic.

use std::cmp::Ordering;
use std::fmt;

use crate::time::{civil_from_days, days_from_civil, days_in_month, Timestamp};

use super::error::{Code, SqlError, SqlResult};

/// Digits of scale added by `/` (MySQL's `div_precision_increment`).
pub const DIV_PRECISION_INCREMENT: u32 = 4;
/// Largest scale kept by a decimal.
const MAX_SCALE: u32 = 30;

/// An exact decimal: `mantissa / 10^scale`.
#[derive(Debug, Clone, Copy)]
pub struct Decimal {
    /// Mantissa.
    pub m: i128,
    /// Number of digits after the decimal point.
    pub s: u32,
}

fn pow10(n: u32) -> Option<i128> {
    10i128.checked_pow(n)
}

impl Decimal {
    /// The decimal of an integer.
    pub fn from_i64(v: i64) -> Decimal {
        Decimal { m: v as i128, s: 0 }
    }

    /// Parses `[-+]digits[.digits]`.
    pub fn parse(text: &str) -> Option<Decimal> {
        let t = text.trim();
        let (neg, body) = match t.as_bytes().first()? {
            b'-' => (true, &t[1..]),
            b'+' => (false, &t[1..]),
            _ => (false, t),
        };
        let (ip, fp) = match body.split_once('.') {
            Some((a, b)) => (a, b),
            None => (body, ""),
        };
        if ip.is_empty() && fp.is_empty() {
            return None;
        }
        if !ip.bytes().all(|b| b.is_ascii_digit()) || !fp.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut m: i128 = 0;
        for b in ip.bytes().chain(fp.bytes()) {
            m = m.checked_mul(10)?.checked_add((b - b'0') as i128)?;
        }
        let d = Decimal { m: if neg { -m } else { m }, s: fp.len() as u32 };
        if d.s > MAX_SCALE {
            return Some(d.rescale(MAX_SCALE));
        }
        Some(d)
    }

    /// Converts to a double.
    pub fn to_f64(self) -> f64 {
        self.m as f64 / 10f64.powi(self.s as i32)
    }

    /// A decimal approximating `f` with `scale` digits, if representable.
    pub fn from_f64(f: f64, scale: u32) -> Option<Decimal> {
        if !f.is_finite() {
            return None;
        }
        let m = (f * 10f64.powi(scale as i32)).round();
        if m.abs() >= 1e37 {
            return None;
        }
        Some(Decimal { m: m as i128, s: scale })
    }

    /// Changes the scale, rounding half away from zero.
    pub fn rescale(self, s: u32) -> Decimal {
        match s.cmp(&self.s) {
            Ordering::Equal => self,
            Ordering::Greater => match pow10(s - self.s).and_then(|p| self.m.checked_mul(p)) {
                Some(m) => Decimal { m, s },
                None => self,
            },
            Ordering::Less => {
                let p = pow10(self.s - s).unwrap_or(i128::MAX);
                let q = self.m / p;
                let r = self.m % p;
                let adj = if r.abs() * 2 >= p { self.m.signum() } else { 0 };
                Decimal { m: q + adj, s }
            }
        }
    }

    /// Truncates toward zero to an integer.
    pub fn trunc_i128(self) -> i128 {
        self.m / pow10(self.s).unwrap_or(i128::MAX)
    }

    /// Rounds half away from zero to an integer.
    pub fn round_i128(self) -> i128 {
        self.rescale(0).m
    }

    fn align(a: Decimal, b: Decimal) -> Option<(i128, i128, u32)> {
        let s = a.s.max(b.s);
        let am = a.m.checked_mul(pow10(s - a.s)?)?;
        let bm = b.m.checked_mul(pow10(s - b.s)?)?;
        Some((am, bm, s))
    }

    /// Exact sum.
    pub fn checked_add(a: Decimal, b: Decimal) -> Option<Decimal> {
        let (x, y, s) = Self::align(a, b)?;
        Some(Decimal { m: x.checked_add(y)?, s })
    }

    /// Exact difference.
    pub fn checked_sub(a: Decimal, b: Decimal) -> Option<Decimal> {
        let (x, y, s) = Self::align(a, b)?;
        Some(Decimal { m: x.checked_sub(y)?, s })
    }

    /// Exact product.
    pub fn checked_mul(a: Decimal, b: Decimal) -> Option<Decimal> {
        let d = Decimal { m: a.m.checked_mul(b.m)?, s: a.s + b.s };
        Some(if d.s > MAX_SCALE { d.rescale(MAX_SCALE) } else { d })
    }

    /// Quotient with scale `a.s + 4`; None on overflow; caller checks zero.
    pub fn checked_div(a: Decimal, b: Decimal) -> Option<Decimal> {
        let s = (a.s + DIV_PRECISION_INCREMENT).min(MAX_SCALE);
        // a/b = (a.m / 10^a.s) / (b.m / 10^b.s); result mantissa at scale s:
        // a.m * 10^(b.s + s - a.s) / b.m, computed one digit further for rounding.
        let num = a.m.checked_mul(pow10(b.s + s - a.s + 1)?)?;
        let q = num / b.m;
        let adj = if q % 10 >= 5 || q % 10 <= -5 { q.signum() } else { 0 };
        Some(Decimal { m: q / 10 + adj, s })
    }

    /// The quotient as MySQL keeps it for a further operation: truncated
    /// after the digits of whole groups of nine that hold both scales plus
    /// `div_precision_increment` (`2/3` is 0.666666666); None on overflow.
    pub fn wide_div(a: Decimal, b: Decimal) -> Option<Decimal> {
        let s = (a.s + b.s + DIV_PRECISION_INCREMENT).div_ceil(9) * 9;
        if s > MAX_SCALE {
            return None;
        }
        let num = a.m.checked_mul(pow10((b.s + s).checked_sub(a.s)?)?)?;
        Some(Decimal { m: num / b.m, s })
    }

    /// Compares two decimals exactly (falls back to doubles on overflow).
    pub fn compare(a: Decimal, b: Decimal) -> Ordering {
        match Self::align(a, b) {
            Some((x, y, _)) => x.cmp(&y),
            None => a.to_f64().partial_cmp(&b.to_f64()).unwrap_or(Ordering::Equal),
        }
    }

    /// Removes trailing zero digits after the point.
    pub fn normalized(self) -> Decimal {
        let mut d = self;
        while d.s > 0 && d.m % 10 == 0 {
            d.m /= 10;
            d.s -= 1;
        }
        d
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let neg = self.m < 0;
        let digits = self.m.unsigned_abs().to_string();
        let s = self.s as usize;
        let (ip, fp) = if digits.len() > s {
            (digits[..digits.len() - s].to_string(), digits[digits.len() - s..].to_string())
        } else {
            ("0".to_string(), format!("{}{}", "0".repeat(s - digits.len()), digits))
        };
        if neg && self.m != 0 {
            f.write_str("-")?;
        }
        f.write_str(&ip)?;
        if s > 0 {
            write!(f, ".{fp}")?;
        }
        Ok(())
    }
}

/// A SQL value.
#[derive(Debug, Clone)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// A 64-bit signed integer (also booleans, as in MySQL).
    Int(i64),
    /// A double.
    Double(f64),
    /// An exact decimal.
    Decimal(Decimal),
    /// A character string.
    Str(String),
    /// A date (days since the epoch).
    Date(i64),
    /// A date-time (UTC).
    DateTime(Timestamp),
}

impl PartialEq for Value {
    /// Structural equality (same variant and contents), used to match
    /// expressions; SQL equality is [`sql_cmp`].
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Double(a), Value::Double(b)) => a.to_bits() == b.to_bits(),
            (Value::Decimal(a), Value::Decimal(b)) => a.m == b.m && a.s == b.s,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::Date(a), Value::Date(b)) => a == b,
            (Value::DateTime(a), Value::DateTime(b)) => a == b,
            _ => false,
        }
    }
}

/// The declared type of a column or a cast target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SqlType {
    /// INT, BIGINT, ...
    Int,
    /// UNSIGNED integer (stored as a signed 64-bit integer).
    UInt,
    /// DECIMAL(p, s).
    Decimal(u32, u32),
    /// DOUBLE, FLOAT, REAL.
    Double,
    /// VARCHAR(n), CHAR(n), TEXT (None: unbounded).
    Text(Option<u32>),
    /// BOOLEAN (TINYINT(1)).
    Bool,
    /// DATE.
    Date,
    /// DATETIME, TIMESTAMP.
    DateTime,
}

impl SqlType {
    /// Whether values of the type are numbers (also BOOL, as in MySQL):
    /// their index keys sort in the numeric key class.
    pub fn is_numeric(&self) -> bool {
        matches!(self, SqlType::Int | SqlType::UInt | SqlType::Double | SqlType::Decimal(..) | SqlType::Bool)
    }

    /// The MySQL-style name of the type.
    pub fn name(&self) -> String {
        match self {
            SqlType::Int => "int".into(),
            SqlType::UInt => "int unsigned".into(),
            SqlType::Decimal(p, s) => format!("decimal({p},{s})"),
            SqlType::Double => "double".into(),
            SqlType::Text(Some(n)) => format!("varchar({n})"),
            SqlType::Text(None) => "text".into(),
            SqlType::Bool => "tinyint(1)".into(),
            SqlType::Date => "date".into(),
            SqlType::DateTime => "datetime".into(),
        }
    }
}

/// What is known of an expression's values before it runs: the type MySQL
/// gives it, as far as the values depend on it. `IF(1, 2, 3.0)` is a
/// `DECIMAL` with one digit after the point, so its value 2 is `2.0`; the
/// binder computes these (`bind/types.rs`) and conforms the values of the
/// expressions that choose among several (`CASE`, `COALESCE`, ..., the
/// columns of a `UNION`) to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SType {
    /// Not known (a parameter, a function without a declared result type).
    Unknown,
    /// Only NULL (the literal).
    Null,
    /// An integer.
    Int,
    /// An exact decimal with this many digits after the point.
    Decimal(u32),
    /// A double.
    Double,
    /// A string.
    Str,
    /// A date or date-time.
    Time,
}

impl SType {
    /// The type of a constant.
    pub fn of_value(v: &Value) -> SType {
        match v {
            Value::Null => SType::Null,
            Value::Int(_) => SType::Int,
            Value::Double(_) => SType::Double,
            Value::Decimal(d) => SType::Decimal(d.s),
            Value::Str(_) => SType::Str,
            Value::Date(_) | Value::DateTime(_) => SType::Time,
        }
    }

    /// The type of a column's (or a cast's) values.
    pub fn of_sql(t: SqlType) -> SType {
        match t {
            SqlType::Int | SqlType::UInt | SqlType::Bool => SType::Int,
            SqlType::Decimal(_, s) => SType::Decimal(s),
            SqlType::Double => SType::Double,
            SqlType::Text(_) => SType::Str,
            SqlType::Date | SqlType::DateTime => SType::Time,
        }
    }

    /// MySQL's aggregation of the types an expression may take its value
    /// from (the branches of `CASE`, the arguments of `COALESCE`, the rows
    /// of a `UNION` column): integers and decimals give a decimal with the
    /// larger scale, a double among numbers a double, numbers mixed with
    /// strings or times a string.
    pub fn merge(self, o: SType) -> SType {
        use SType::*;
        match (self, o) {
            (Null, x) | (x, Null) => x,
            (Unknown, _) | (_, Unknown) => Unknown,
            (Int, Int) => Int,
            (Int, Decimal(s)) | (Decimal(s), Int) => Decimal(s),
            (Decimal(a), Decimal(b)) => Decimal(a.max(b)),
            (Double, Int | Decimal(_) | Double) | (Int | Decimal(_), Double) => Double,
            (Time, Time) => Time,
            _ => Str,
        }
    }

    /// The type of `a op b` for arithmetic: exact when both sides are
    /// (integers, or decimals with the scale MySQL gives: the larger for `+`,
    /// `-` and `%`, the sum for `*`, the left side's plus
    /// `div_precision_increment` for `/`), else a double.
    pub fn arith(op: ArithOp, a: SType, b: SType) -> SType {
        use SType::*;
        let scale = |t: SType| match t {
            Int => Some(0),
            Decimal(s) => Some(s),
            _ => None,
        };
        match (a, b) {
            (Null, _) | (_, Null) => return Null,
            (Unknown | Time, _) | (_, Unknown | Time) => return Unknown,
            _ => {}
        }
        if op == ArithOp::IntDiv {
            return Int;
        }
        let (Some(x), Some(y)) = (scale(a), scale(b)) else { return Double };
        match op {
            ArithOp::Div | ArithOp::WideDiv => Decimal((x + DIV_PRECISION_INCREMENT).min(MAX_SCALE)),
            _ if a == Int && b == Int => Int,
            ArithOp::Mul => Decimal((x + y).min(MAX_SCALE)),
            _ => Decimal(x.max(y)),
        }
    }

    /// Gives a value the type's form: an integer or a decimal of a decimal
    /// type gets its scale (rounded half away from zero); anything else
    /// is left as it is.
    pub fn conform(self, v: Value) -> Value {
        match (self, v) {
            (SType::Decimal(s), Value::Int(i)) => Value::Decimal(Decimal::from_i64(i).rescale(s)),
            (SType::Decimal(s), Value::Decimal(d)) if d.s != s => Value::Decimal(d.rescale(s)),
            (_, v) => v,
        }
    }
}

impl Value {
    /// Whether the value is NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// A boolean as MySQL represents it.
    pub fn bool(b: bool) -> Value {
        Value::Int(b as i64)
    }

    /// Truth value (None for NULL), MySQL style: non-zero numbers are true.
    pub fn truth(&self) -> Option<bool> {
        match self {
            Value::Null => None,
            Value::Int(i) => Some(*i != 0),
            Value::Double(f) => Some(*f != 0.0),
            Value::Decimal(d) => Some(d.m != 0),
            Value::Str(s) => Some(parse_num_prefix(s) != 0.0),
            Value::Date(_) | Value::DateTime(_) => Some(true),
        }
    }

    /// Whether the value is a number (not a string or time).
    pub fn is_numeric(&self) -> bool {
        matches!(self, Value::Int(_) | Value::Double(_) | Value::Decimal(_))
    }

    /// The value as a double (strings by their numeric prefix).
    pub fn to_f64(&self) -> Option<f64> {
        match self {
            Value::Null => None,
            Value::Int(i) => Some(*i as f64),
            Value::Double(f) => Some(*f),
            Value::Decimal(d) => Some(d.to_f64()),
            Value::Str(s) => Some(parse_num_prefix(s)),
            Value::Date(d) => {
                let (y, m, dd) = civil_from_days(*d);
                Some((y * 10000 + m as i64 * 100 + dd as i64) as f64)
            }
            Value::DateTime(t) => Some(datetime_number(*t) as f64),
        }
    }

    /// The value as an integer, rounding as MySQL does for integer contexts.
    pub fn to_i64(&self) -> Option<i64> {
        match self {
            Value::Null => None,
            Value::Int(i) => Some(*i),
            Value::Double(f) => Some(f.round() as i64),
            Value::Decimal(d) => Some(d.round_i128().clamp(i64::MIN as i128, i64::MAX as i128) as i64),
            Value::Str(s) => Some(parse_int_prefix(s)),
            Value::Date(_) | Value::DateTime(_) => self.to_f64().map(|f| f as i64),
        }
    }

    /// The value as a decimal if it is exact (int or decimal).
    pub fn to_decimal(&self) -> Option<Decimal> {
        match self {
            Value::Int(i) => Some(Decimal::from_i64(*i)),
            Value::Decimal(d) => Some(*d),
            _ => None,
        }
    }

    /// Text form as MySQL would print it.
    pub fn to_text(&self) -> Option<String> {
        match self {
            Value::Null => None,
            Value::Str(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    /// A numeric interpretation of a string for arithmetic and comparison.
    pub fn numeric(&self) -> Value {
        match self {
            Value::Str(s) => {
                let t = s.trim();
                if let Ok(i) = t.parse::<i64>() {
                    Value::Int(i)
                } else {
                    Value::Double(parse_num_prefix(s))
                }
            }
            Value::Date(_) | Value::DateTime(_) => Value::Int(self.to_f64().unwrap_or(0.0) as i64),
            v => v.clone(),
        }
    }
}

fn datetime_number(t: Timestamp) -> i64 {
    let secs = t.secs();
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    ((y * 10000 + m as i64 * 100 + d as i64) * 1_000_000) + (rem / 3600) * 10000 + (rem / 60 % 60) * 100 + rem % 60
}

/// Formats a double like MySQL does (shortest round-trip form).
pub fn format_double(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f == 0.0 {
        return "0".into();
    }
    let a = f.abs();
    if !(1e-7..1e15).contains(&a) {
        let s = format!("{f:e}");
        // Rust prints 1e20 / 1.5e-8; MySQL prints 1e20 / 1.5e-8 too.
        return s;
    }
    let s = format!("{f}");
    s
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("NULL"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Double(d) => f.write_str(&format_double(*d)),
            Value::Decimal(d) => write!(f, "{d}"),
            Value::Str(s) => f.write_str(s),
            Value::Date(d) => {
                let (y, m, dd) = civil_from_days(*d);
                write!(f, "{y:04}-{m:02}-{dd:02}")
            }
            Value::DateTime(t) => write!(f, "{t}"),
        }
    }
}

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
fn num_prefix_len(t: &str) -> usize {
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

fn parse_int_prefix(s: &str) -> i64 {
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

fn num_class(v: &Value) -> u8 {
    match v {
        Value::Int(_) => 0,
        Value::Decimal(_) => 1,
        _ => 2,
    }
}

/// Compares two numeric values.
pub fn cmp_numeric(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        _ if num_class(a) <= 1 && num_class(b) <= 1 => {
            Decimal::compare(a.to_decimal().unwrap(), b.to_decimal().unwrap())
        }
        _ => {
            let x = a.to_f64().unwrap_or(0.0);
            let y = b.to_f64().unwrap_or(0.0);
            x.partial_cmp(&y).unwrap_or(Ordering::Equal)
        }
    }
}

/// SQL comparison with MySQL coercions; None if either side is NULL.
pub fn sql_cmp(a: &Value, b: &Value) -> Option<Ordering> {
    if a.is_null() || b.is_null() {
        return None;
    }
    Some(match (a, b) {
        (Value::Str(x), Value::Str(y)) => collate_cmp(x, y),
        (Value::Date(x), Value::Date(y)) => x.cmp(y),
        (Value::DateTime(x), Value::DateTime(y)) => x.cmp(y),
        (Value::Date(x), Value::DateTime(y)) => date_to_ts(*x).cmp(y),
        (Value::DateTime(x), Value::Date(y)) => x.cmp(&date_to_ts(*y)),
        (Value::Str(s), Value::Date(_) | Value::DateTime(_)) => match Timestamp::parse(s) {
            Some(t) => t.cmp(&time_of(b)),
            None => collate_cmp(s, &b.to_string()),
        },
        (Value::Date(_) | Value::DateTime(_), Value::Str(s)) => match Timestamp::parse(s) {
            Some(t) => time_of(a).cmp(&t),
            None => collate_cmp(&a.to_string(), s),
        },
        _ => cmp_numeric(&a.numeric(), &b.numeric()),
    })
}

/// The collation's weight of one character: strings compare as the
/// sequences of their characters' weights. Like MySQL's default
/// `utf8mb4_0900_ai_ci`, comparison is case-insensitive and
/// accent-insensitive (for the Latin letters with diacritics of Latin-1 and
/// Latin Extended-A), and trailing spaces are significant (NO PAD).
pub fn collate_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let l = c.to_lowercase().next().unwrap_or(c);
    match l {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => 'c',
        'ď' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => 'e',
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => 'g',
        'ĥ' => 'h',
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' => 'i',
        'ĵ' => 'j',
        'ķ' => 'k',
        'ĺ' | 'ļ' | 'ľ' => 'l',
        'ñ' | 'ń' | 'ņ' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ō' | 'ŏ' | 'ő' => 'o',
        'ŕ' | 'ŗ' | 'ř' => 'r',
        'ś' | 'ŝ' | 'ş' | 'š' => 's',
        'ţ' | 'ť' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => 'u',
        'ŵ' => 'w',
        'ý' | 'ÿ' | 'ŷ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        other => other,
    }
}

/// Compares two strings under the default collation ([`collate_char`]).
pub fn collate_cmp(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.bytes().map(|c| c.to_ascii_lowercase()).cmp(b.bytes().map(|c| c.to_ascii_lowercase()));
    }
    a.chars().map(collate_char).cmp(b.chars().map(collate_char))
}

/// The collation key of a string: equal keys exactly when [`collate_cmp`]
/// says equal, ordered as it orders (as UTF-8 bytes).
pub fn collate_key(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.chars().map(collate_char).collect()
}

fn time_of(v: &Value) -> Timestamp {
    match v {
        Value::Date(d) => date_to_ts(*d),
        Value::DateTime(t) => *t,
        _ => Timestamp(0),
    }
}

/// Compares two rows by ORDER BY keys: `(a, b, descending)` for each key,
/// the first key that differs decides ([`sort_cmp`], reversed when
/// descending).
pub fn order_cmp<'a>(keys: impl IntoIterator<Item = (&'a Value, &'a Value, bool)>) -> Ordering {
    for (a, b, desc) in keys {
        let o = sort_cmp(a, b);
        if o != Ordering::Equal {
            return if desc { o.reverse() } else { o };
        }
    }
    Ordering::Equal
}

/// Total order used by ORDER BY, GROUP BY and DISTINCT: NULL first, then
/// values by [`sql_cmp`].
pub fn sort_cmp(a: &Value, b: &Value) -> Ordering {
    match (a.is_null(), b.is_null()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        _ => sql_cmp(a, b).unwrap_or(Ordering::Equal),
    }
}

/// A hashable key for grouping and hash joins: numerically equal values
/// map to the same key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyPart {
    /// NULL.
    Null,
    /// An integral number.
    Int(i128),
    /// A non-integral number (normalized decimal text or double bits).
    Frac(String),
    /// A string.
    Str(String),
    /// A time in microseconds.
    Time(i64),
}

impl Value {
    /// The grouping key of this value.
    pub fn key(&self) -> KeyPart {
        match self {
            Value::Null => KeyPart::Null,
            Value::Int(i) => KeyPart::Int(*i as i128),
            Value::Decimal(d) => {
                let n = d.normalized();
                if n.s == 0 {
                    KeyPart::Int(n.m)
                } else {
                    KeyPart::Frac(n.to_string())
                }
            }
            Value::Double(f) => {
                if f.fract() == 0.0 && f.abs() < 1e30 {
                    KeyPart::Int(*f as i128)
                } else {
                    match Decimal::from_f64(*f, 15) {
                        Some(d) if d.to_f64() == *f => KeyPart::Frac(d.normalized().to_string()),
                        _ => KeyPart::Frac(format!("{f:e}")),
                    }
                }
            }
            Value::Str(s) => KeyPart::Str(collate_key(s)),
            Value::Date(d) => KeyPart::Time(date_to_ts(*d).0),
            Value::DateTime(t) => KeyPart::Time(t.0),
        }
    }
}

fn out_of_range(what: &str) -> SqlError {
    SqlError::new(Code::DataOutOfRange, format!("BIGINT value is out of range in '{what}'"))
}

/// Arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    /// +
    Add,
    /// -
    Sub,
    /// *
    Mul,
    /// /
    Div,
    /// `/` as an operand of further arithmetic (`2/3*3`): the quotient
    /// with the digits MySQL keeps for the next operation (whole groups
    /// of nine after the point, truncated); the expression it is part of
    /// shows its static scale ([`SType::arith`]), so `2/3*3` is `2.0000`.
    WideDiv,
    /// DIV
    IntDiv,
    /// % / MOD
    Mod,
}

/// Evaluates `a op b` with MySQL semantics (NULL in, NULL out; division by
/// zero yields NULL).
pub fn arith(op: ArithOp, a: &Value, b: &Value) -> SqlResult<Value> {
    if a.is_null() || b.is_null() {
        return Ok(Value::Null);
    }
    let a = a.numeric();
    let b = b.numeric();
    let sym = match op {
        ArithOp::Add => "+",
        ArithOp::Sub => "-",
        ArithOp::Mul => "*",
        ArithOp::Div | ArithOp::WideDiv => "/",
        ArithOp::IntDiv => "DIV",
        ArithOp::Mod => "%",
    };
    let desc = || format!("{a} {sym} {b}");
    match op {
        ArithOp::IntDiv => {
            if b.to_f64() == Some(0.0) {
                return Ok(Value::Null);
            }
            if let (Value::Int(x), Value::Int(y)) = (&a, &b) {
                return x.checked_div(*y).map(Value::Int).ok_or_else(|| out_of_range(&desc()));
            }
            if let (Some(x), Some(y)) = (a.to_decimal(), b.to_decimal()) {
                if let Some(q) = Decimal::checked_div(x, y) {
                    let t = q.trunc_i128();
                    return i64::try_from(t).map(Value::Int).map_err(|_| out_of_range(&desc()));
                }
            }
            let q = (a.to_f64().unwrap() / b.to_f64().unwrap()).trunc();
            if q.abs() >= 9.2e18 {
                return Err(out_of_range(&desc()));
            }
            Ok(Value::Int(q as i64))
        }
        ArithOp::Div | ArithOp::WideDiv => {
            if b.to_f64() == Some(0.0) {
                return Ok(Value::Null);
            }
            if let (Some(x), Some(y)) = (a.to_decimal(), b.to_decimal()) {
                let wide = if op == ArithOp::WideDiv { Decimal::wide_div(x, y) } else { None };
                if let Some(q) = wide.or_else(|| Decimal::checked_div(x, y)) {
                    return Ok(Value::Decimal(q));
                }
            }
            Ok(Value::Double(a.to_f64().unwrap() / b.to_f64().unwrap()))
        }
        ArithOp::Mod => {
            if b.to_f64() == Some(0.0) {
                return Ok(Value::Null);
            }
            match (&a, &b) {
                (Value::Int(x), Value::Int(y)) => Ok(Value::Int(x.checked_rem(*y).unwrap_or(0))),
                _ => {
                    if let (Some(x), Some(y)) = (a.to_decimal(), b.to_decimal()) {
                        if let Some((xm, ym, s)) = Decimal::align(x, y) {
                            return Ok(Value::Decimal(Decimal { m: xm % ym, s }));
                        }
                    }
                    Ok(Value::Double(a.to_f64().unwrap() % b.to_f64().unwrap()))
                }
            }
        }
        ArithOp::Add | ArithOp::Sub | ArithOp::Mul => {
            if let (Value::Int(x), Value::Int(y)) = (&a, &b) {
                let r = match op {
                    ArithOp::Add => x.checked_add(*y),
                    ArithOp::Sub => x.checked_sub(*y),
                    _ => x.checked_mul(*y),
                };
                return r.map(Value::Int).ok_or_else(|| out_of_range(&desc()));
            }
            if let (Some(x), Some(y)) = (a.to_decimal(), b.to_decimal()) {
                let r = match op {
                    ArithOp::Add => Decimal::checked_add(x, y),
                    ArithOp::Sub => Decimal::checked_sub(x, y),
                    _ => Decimal::checked_mul(x, y),
                };
                if let Some(r) = r {
                    return Ok(Value::Decimal(r));
                }
                return Err(SqlError::new(
                    Code::DataOutOfRange,
                    format!("DECIMAL value is out of range in '{}'", desc()),
                ));
            }
            let (x, y) = (a.to_f64().unwrap(), b.to_f64().unwrap());
            let r = match op {
                ArithOp::Add => x + y,
                ArithOp::Sub => x - y,
                _ => x * y,
            };
            if !r.is_finite() {
                return Err(SqlError::new(
                    Code::DataOutOfRange,
                    format!("DOUBLE value is out of range in '{}'", desc()),
                ));
            }
            Ok(Value::Double(r))
        }
    }
}

/// Unary minus.
pub fn negate(v: &Value) -> SqlResult<Value> {
    Ok(match v.numeric() {
        Value::Null => Value::Null,
        Value::Int(i) => match i.checked_neg() {
            Some(n) => Value::Int(n),
            None => Value::Decimal(Decimal { m: -(i as i128), s: 0 }),
        },
        Value::Double(f) => Value::Double(-f),
        Value::Decimal(d) => Value::Decimal(Decimal { m: -d.m, s: d.s }),
        other => other,
    })
}

/// Casts a value to a type (CAST / column assignment). `strict` makes bad
/// conversions errors (column assignment), otherwise they convert leniently
/// as CAST does.
pub fn cast(v: &Value, ty: SqlType, strict: bool) -> SqlResult<Value> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let bad = || SqlError::new(Code::TruncatedWrongValue, format!("Incorrect {} value: '{}'", ty.name(), v));
    // a string that is not a number, stored in a numeric column: MySQL
    // says "data truncated" when it starts with a number, "incorrect value"
    // when it does not
    // out of BIGINT's range: in a column (strict) MySQL names the column's
    // range, in CAST the expression's
    let too_big = || {
        if strict {
            SqlError::new(Code::WarnDataOutOfRange, format!("Out of range value: '{v}'"))
        } else {
            out_of_range(&v.to_string())
        }
    };
    let not_a_number = |t: &str| {
        if num_prefix_len(t.trim()) > 0 {
            SqlError::new(Code::WarnDataTruncated, "Data truncated")
        } else {
            SqlError::new(Code::TruncatedWrongValueForField, format!("Incorrect {} value: '{}'", ty.name(), v))
        }
    };
    Ok(match ty {
        SqlType::Int | SqlType::Bool => match v {
            Value::Int(i) => Value::Int(*i),
            Value::Str(s) => {
                let t = s.trim();
                if let Ok(i) = t.parse::<i64>() {
                    Value::Int(i)
                } else if strict && Decimal::parse(t).is_none() && t.parse::<f64>().is_err() {
                    return Err(not_a_number(t));
                } else if strict {
                    Value::Int(parse_num_prefix(t).round() as i64)
                } else {
                    Value::Int(parse_num_prefix(t).trunc() as i64)
                }
            }
            Value::Double(f) => {
                if f.abs() >= 9.3e18 {
                    return Err(too_big());
                }
                Value::Int(f.round() as i64)
            }
            Value::Decimal(d) => Value::Int(i64::try_from(d.round_i128()).map_err(|_| too_big())?),
            other => Value::Int(other.to_i64().unwrap_or(0)),
        },
        SqlType::UInt => {
            let i = cast(v, SqlType::Int, strict)?;
            match i {
                Value::Int(x) if x < 0 && !strict => Value::Decimal(Decimal { m: x as i128 + (1i128 << 64), s: 0 }),
                x => x,
            }
        }
        SqlType::Decimal(p, s) => {
            let d = match v {
                Value::Int(i) => Decimal::from_i64(*i),
                Value::Decimal(d) => *d,
                Value::Double(f) => Decimal::from_f64(*f, s).ok_or_else(bad)?,
                Value::Str(t) => match Decimal::parse(t) {
                    Some(d) => d,
                    None if strict => return Err(not_a_number(t)),
                    None => Decimal::from_f64(parse_num_prefix(t), s).unwrap_or(Decimal::from_i64(0)),
                },
                other => Decimal::from_f64(other.to_f64().unwrap_or(0.0), s).unwrap_or(Decimal::from_i64(0)),
            };
            let d = d.rescale(s);
            let limit = pow10(p).unwrap_or(i128::MAX);
            if p > 0 && d.m.abs() >= limit {
                if strict {
                    return Err(SqlError::new(Code::WarnDataOutOfRange, format!("Out of range value: '{v}'")));
                }
                let max = limit - 1;
                Value::Decimal(Decimal { m: if d.m < 0 { -max } else { max }, s })
            } else {
                Value::Decimal(d)
            }
        }
        SqlType::Double => match v {
            Value::Str(t) if strict && t.trim().parse::<f64>().is_err() => return Err(not_a_number(t)),
            other => Value::Double(other.to_f64().unwrap_or(0.0)),
        },
        SqlType::Text(n) => {
            let s = v.to_text().unwrap_or_default();
            match n {
                Some(n) if strict && s.chars().count() > n as usize => {
                    return Err(SqlError::new(
                        Code::DataTooLong,
                        format!("Data too long for column (max {n} characters)"),
                    ));
                }
                _ => Value::Str(s),
            }
        }
        SqlType::Date => match v {
            Value::Date(d) => Value::Date(*d),
            Value::DateTime(t) => Value::Date(t.secs().div_euclid(86_400)),
            Value::Int(_) => match temporal(v) {
                Value::Date(d) => Value::Date(d),
                Value::DateTime(t) => Value::Date(t.secs().div_euclid(86_400)),
                _ if strict => return Err(bad()),
                _ => Value::Null,
            },
            Value::Str(s) => match parse_date(s) {
                Some(d) => Value::Date(d),
                None if strict => return Err(bad()),
                None => Value::Null,
            },
            _ if strict => return Err(bad()),
            _ => Value::Null,
        },
        SqlType::DateTime => match v {
            Value::DateTime(t) => Value::DateTime(*t),
            Value::Date(d) => Value::DateTime(date_to_ts(*d)),
            Value::Int(_) => match temporal(v) {
                Value::Date(d) => Value::DateTime(date_to_ts(d)),
                Value::DateTime(t) => Value::DateTime(t),
                _ if strict => return Err(bad()),
                _ => Value::Null,
            },
            Value::Str(s) => match Timestamp::parse(s) {
                Some(t) => Value::DateTime(t),
                None if strict => return Err(bad()),
                None => Value::Null,
            },
            _ if strict => return Err(bad()),
            _ => Value::Null,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_division_matches_mysql() {
        let r = arith(ArithOp::Div, &Value::Int(7), &Value::Int(2)).unwrap();
        assert_eq!(r.to_string(), "3.5000");
        let r = arith(ArithOp::Div, &Value::Int(1), &Value::Int(3)).unwrap();
        assert_eq!(r.to_string(), "0.3333");
        let r = arith(ArithOp::Div, &Value::Int(2), &Value::Int(3)).unwrap();
        assert_eq!(r.to_string(), "0.6667");
        let r = arith(ArithOp::Div, &Value::Int(-2), &Value::Int(3)).unwrap();
        assert_eq!(r.to_string(), "-0.6667");
        let r = arith(ArithOp::IntDiv, &Value::Int(7), &Value::Int(2)).unwrap();
        assert_eq!(r.to_string(), "3");
        assert!(arith(ArithOp::Div, &Value::Int(7), &Value::Int(0)).unwrap().is_null());
        let d = Value::Decimal(Decimal::parse("1.50").unwrap());
        assert_eq!(arith(ArithOp::Mul, &d, &d).unwrap().to_string(), "2.2500");
        assert_eq!(Decimal::parse("-0.05").unwrap().to_string(), "-0.05");
    }

    #[test]
    fn comparisons_coerce() {
        assert_eq!(sql_cmp(&Value::Int(2), &Value::Str("2".into())), Some(Ordering::Equal));
        assert_eq!(sql_cmp(&Value::Int(2), &Value::Double(2.5)), Some(Ordering::Less));
        assert_eq!(sql_cmp(&Value::Null, &Value::Int(1)), None);
        assert_eq!(Value::Int(3).key(), Value::Decimal(Decimal::parse("3.00").unwrap()).key());
    }
}
