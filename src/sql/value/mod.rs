//! SQL values and their types. Exact decimals (`decimal`), MySQL-style
//! conversions of text (`parse`), comparison and collation (`compare`), and
//! arithmetic and `CAST` (`arith`) each have their own file.

use std::cmp::Ordering;
use std::fmt;

use crate::time::{civil_from_days, days_from_civil, days_in_month, Timestamp};

use super::error::{Code, SqlError, SqlResult};

mod arith;
mod compare;
mod decimal;
mod parse;

pub use arith::{arith, cast, int_arith, negate, ArithOp};
pub use compare::{
    cmp_numeric, collate_cmp, collate_key, order_cmp, order_cmp_in, sql_cmp, sql_cmp_in, Collation, KeyPart,
};
use decimal::pow10;
pub use decimal::Decimal;
pub use parse::{date_to_ts, parse_date, parse_num_prefix, temporal};
use parse::{num_prefix_len, parse_int_prefix};

/// Digits of scale added by `/` (MySQL's `div_precision_increment`).
pub const DIV_PRECISION_INCREMENT: u32 = 4;
/// Largest scale kept by a decimal.
const MAX_SCALE: u32 = 30;

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
    /// A TIME: a signed span in microseconds, within ±838:59:59 (MySQL's
    /// range); a time of day or an elapsed time.
    Time(i64),
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
            (Value::Time(a), Value::Time(b)) => a == b,
            _ => false,
        }
    }
}

/// The storage width of a declared integer type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum IntWidth {
    /// TINYINT: one byte.
    Tiny,
    /// SMALLINT: two bytes.
    Small,
    /// MEDIUMINT: three bytes.
    Medium,
    /// INT, INTEGER: four bytes.
    Int,
    /// BIGINT: eight bytes.
    Big,
}

impl IntWidth {
    /// The MySQL name of the type.
    pub fn name(self) -> &'static str {
        match self {
            IntWidth::Tiny => "tinyint",
            IntWidth::Small => "smallint",
            IntWidth::Medium => "mediumint",
            IntWidth::Int => "int",
            IntWidth::Big => "bigint",
        }
    }

    /// The smallest and largest value a column of the type holds.
    pub fn range(self, unsigned: bool) -> (i128, i128) {
        let bits = match self {
            IntWidth::Tiny => 8,
            IntWidth::Small => 16,
            IntWidth::Medium => 24,
            IntWidth::Int => 32,
            IntWidth::Big => 64,
        };
        if unsigned {
            (0, (1i128 << bits) - 1)
        } else {
            (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
        }
    }
}

/// The declared type of a column or a cast target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SqlType {
    /// A signed 64-bit integer: `CAST(x AS SIGNED)`, and the integer
    /// columns of databases written before the declared integer types were
    /// kept (shown as `int`, holding any 64-bit value).
    Int,
    /// `CAST(x AS UNSIGNED)` (a value above `i64::MAX` is an integral
    /// [`Decimal`]), and the unsigned columns of older databases (shown as
    /// `int unsigned`).
    UInt,
    /// A declared integer column type (`TINYINT` ... `BIGINT`, optionally
    /// `UNSIGNED`), holding the values of its MySQL range.
    Integer { width: IntWidth, unsigned: bool },
    /// CHAR(n): trailing spaces are removed when a value is stored, as
    /// MySQL removes them on retrieval.
    Char(u32),
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
    /// TIME.
    Time,
    /// ENUM('a', ...): a string, one of the column's members
    /// (`ColumnMeta::members`).
    Enum,
    /// SET('a', ...): a string, a comma-separated list of the column's
    /// members in their order (`ColumnMeta::members`).
    Set,
    /// YEAR: 1901-2155, or 0; one or two digits are a year of 1970-2069.
    Year,
}

impl SqlType {
    /// Whether values of the type are numbers (also BOOL, as in MySQL):
    /// their index keys sort in the numeric key class.
    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            SqlType::Int
                | SqlType::UInt
                | SqlType::Integer { .. }
                | SqlType::Double
                | SqlType::Decimal(..)
                | SqlType::Bool
                | SqlType::Year
        )
    }

    /// Whether values of the type are strings.
    pub fn is_text(&self) -> bool {
        matches!(self, SqlType::Text(_) | SqlType::Char(_) | SqlType::Enum | SqlType::Set)
    }

    /// The MySQL-style name of the type.
    pub fn name(&self) -> String {
        match self {
            SqlType::Int => "int".into(),
            SqlType::UInt => "int unsigned".into(),
            SqlType::Integer { width, unsigned: false } => width.name().into(),
            SqlType::Integer { width, unsigned: true } => format!("{} unsigned", width.name()),
            SqlType::Char(n) => format!("char({n})"),
            SqlType::Decimal(p, s) => format!("decimal({p},{s})"),
            SqlType::Double => "double".into(),
            SqlType::Text(Some(n)) => format!("varchar({n})"),
            SqlType::Text(None) => "text".into(),
            SqlType::Bool => "tinyint(1)".into(),
            SqlType::Date => "date".into(),
            SqlType::DateTime => "datetime".into(),
            SqlType::Time => "time".into(),
            SqlType::Enum => "enum".into(),
            SqlType::Set => "set".into(),
            SqlType::Year => "year".into(),
        }
    }

    /// The value a NOT NULL column of the type takes when it must have
    /// one and none is given (MySQL's implicit default): zero, the empty
    /// string, the zero date.
    pub fn implicit_default(&self) -> Value {
        match self {
            SqlType::Int | SqlType::UInt | SqlType::Integer { .. } | SqlType::Bool | SqlType::Year => Value::Int(0),
            SqlType::Double => Value::Double(0.0),
            SqlType::Decimal(_, s) => Value::Decimal(Decimal { m: 0, s: *s }),
            SqlType::Text(_) | SqlType::Char(_) | SqlType::Enum | SqlType::Set => Value::Str(String::new()),
            SqlType::Date => Value::Date(0),
            SqlType::DateTime => Value::DateTime(Timestamp(0)),
            SqlType::Time => Value::Time(0),
        }
    }

    /// The word MySQL's messages give the type's values: `Incorrect integer
    /// value` for every integer type, else the type's name without its size.
    pub fn value_word(&self) -> String {
        match self {
            SqlType::Int | SqlType::UInt | SqlType::Integer { .. } | SqlType::Bool | SqlType::Year => "integer".into(),
            other => other.name().split('(').next().unwrap_or_default().to_string(),
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
    /// An unsigned integer (MySQL's BIGINT UNSIGNED: an UNSIGNED column,
    /// `CAST(x AS UNSIGNED)`): `+`, `-`, `*` and `DIV` with one are unsigned too,
    /// and a result below 0 is an error.
    UInt,
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
            Value::Date(_) | Value::DateTime(_) | Value::Time(_) => SType::Time,
        }
    }

    /// The type of a column's (or a cast's) values.
    pub fn of_sql(t: SqlType) -> SType {
        match t {
            SqlType::UInt | SqlType::Integer { unsigned: true, .. } => SType::UInt,
            SqlType::Int | SqlType::Integer { .. } | SqlType::Bool | SqlType::Year => SType::Int,
            SqlType::Decimal(_, s) => SType::Decimal(s),
            SqlType::Double => SType::Double,
            SqlType::Text(_) | SqlType::Char(_) | SqlType::Enum | SqlType::Set => SType::Str,
            SqlType::Date | SqlType::DateTime | SqlType::Time => SType::Time,
        }
    }

    /// MySQL's aggregation of the types an expression may take its value
    /// from (the branches of `CASE`, the arguments of `COALESCE`, the rows
    /// of a `UNION` column): integers and decimals give a decimal with the
    /// larger scale, a double among numbers a double, numbers mixed with
    /// strings or times a string.
    pub fn merge(self, o: SType) -> SType {
        use SType::*;
        let signed = |t: SType| if t == UInt { Int } else { t };
        match (self, o) {
            (Null, x) | (x, Null) => return x,
            (UInt, UInt) => return UInt,
            _ => {}
        }
        match (signed(self), signed(o)) {
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
            Int | UInt => Some(0),
            Decimal(s) => Some(s),
            _ => None,
        };
        match (a, b) {
            (Null, _) | (_, Null) => return Null,
            (Unknown | Time, _) | (_, Unknown | Time) => return Unknown,
            _ => {}
        }
        if op == ArithOp::IntDiv {
            // MySQL: `DIV` with an unsigned operand is unsigned
            return if a == UInt || b == UInt { UInt } else { Int };
        }
        let (Some(x), Some(y)) = (scale(a), scale(b)) else { return Double };
        match op {
            ArithOp::Div | ArithOp::WideDiv => Decimal((x + DIV_PRECISION_INCREMENT).min(MAX_SCALE)),
            // MySQL: with an unsigned operand, + - * are unsigned
            ArithOp::Add | ArithOp::Sub | ArithOp::Mul if matches!((a, b), (UInt, Int | UInt) | (Int, UInt)) => UInt,
            _ if matches!(a, Int | UInt) && matches!(b, Int | UInt) => Int,
            ArithOp::Mul => Decimal((x + y).min(MAX_SCALE)),
            _ => Decimal(x.max(y)),
        }
    }

    /// The value of an expression of the type, checked against its range
    /// and given the type's form ([`SType::conform`]): an unsigned result
    /// below 0 or above 2^64-1 is `ER_DATA_OUT_OF_RANGE`, as in MySQL.
    pub fn checked(self, v: Value) -> SqlResult<Value> {
        if self == SType::UInt {
            let out = match &v {
                Value::Int(i) => *i < 0,
                Value::Decimal(d) => d.m < 0 || d.round_i128() > u64::MAX as i128,
                _ => false,
            };
            if out {
                return Err(SqlError::new(
                    Code::DataOutOfRange,
                    format!("BIGINT UNSIGNED value is out of range in '{v}'"),
                ));
            }
        }
        Ok(self.conform(v))
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
            Value::Time(t) => Some(*t != 0),
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
            Value::Time(t) => Some(time_number(*t) as f64 + (*t % 1_000_000) as f64 / 1e6),
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
            Value::Time(t) => Some(time_number(*t) + (t % 1_000_000 * 2 / 1_000_000)),
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
            // a TIME is the number `[-]HHMMSS[.ffffff]` (MySQL)
            Value::Time(t) if t % 1_000_000 == 0 => Value::Int(time_number(*t)),
            Value::Time(t) => Value::Decimal(
                Decimal { m: time_number(*t) as i128 * 1_000_000 + (t % 1_000_000) as i128, s: 6 }.normalized(),
            ),
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

/// The whole seconds of a TIME as the number `[-]HHMMSS`.
fn time_number(t: i64) -> i64 {
    let secs = (t / 1_000_000).abs();
    let n = secs / 3600 * 10000 + secs / 60 % 60 * 100 + secs % 60;
    if t < 0 {
        -n
    } else {
        n
    }
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
            Value::Time(t) => f.write_str(&crate::sql::dates::time_text(*t)),
        }
    }
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
