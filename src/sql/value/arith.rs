//! Arithmetic on values (MySQL's result types, overflow errors) and
//! `CAST`.

use super::*;

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

/// `x op y` of two integers when the result is the integer [`arith`]
/// gives; `None` for an overflow, a zero divisor and the operators whose
/// result is not an integer (`/`), which take [`arith`]'s general path.
#[inline]
pub fn int_arith(op: ArithOp, x: i64, y: i64) -> Option<i64> {
    match op {
        ArithOp::Add => x.checked_add(y),
        ArithOp::Sub => x.checked_sub(y),
        ArithOp::Mul => x.checked_mul(y),
        ArithOp::Mod if y != 0 => Some(x.checked_rem(y).unwrap_or(0)),
        ArithOp::IntDiv if y != 0 => x.checked_div(y),
        _ => None,
    }
}

/// Evaluates `a op b` with MySQL semantics (NULL in, NULL out; division by
/// zero yields NULL).
pub fn arith(op: ArithOp, a: &Value, b: &Value) -> SqlResult<Value> {
    // the common case, two integers and an integral result: what the
    // general path below gives, without its conversions (an overflow, a
    // zero divisor and the other operators take that path)
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        if let Some(r) = int_arith(op, *x, *y) {
            return Ok(Value::Int(r));
        }
    }
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

/// An integer as a value: an `Int` when it fits in 64 signed bits, else
/// an integral decimal (how `BIGINT UNSIGNED` and `CAST(... AS UNSIGNED)`
/// hold the values above `i64::MAX`).
fn int_value(n: i128) -> Value {
    match i64::try_from(n) {
        Ok(i) => Value::Int(i),
        Err(_) => Value::Decimal(Decimal { m: n, s: 0 }),
    }
}

/// Casts a value to a type (CAST / column assignment). `strict` makes bad
/// conversions errors (column assignment), otherwise they convert leniently
/// as CAST does.
pub fn cast(v: &Value, ty: SqlType, strict: bool) -> SqlResult<Value> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let bad = || SqlError::new(Code::TruncatedWrongValue, format!("Incorrect {} value: '{}'", ty.value_word(), v));
    // a string that is not a number, stored in a numeric column: MySQL
    // says "data truncated" when it starts with a number, "incorrect value"
    // when it does not
    // out of BIGINT's range: in a column (strict) MySQL names the column's
    // range, in CAST the expression's
    let too_big = || {
        if strict {
            SqlError::new(Code::WarnDataOutOfRange, "Out of range value")
        } else {
            out_of_range(&v.to_string())
        }
    };
    let not_a_number = |t: &str| {
        if num_prefix_len(t.trim()) > 0 {
            SqlError::new(Code::WarnDataTruncated, "Data truncated")
        } else {
            SqlError::new(Code::TruncatedWrongValueForField, format!("Incorrect {} value: '{}'", ty.value_word(), v))
        }
    };
    Ok(match ty {
        // BOOL is TINYINT(1): its values are TINYINT's
        SqlType::Bool => cast(v, SqlType::Integer { width: IntWidth::Tiny, unsigned: false }, strict)?,
        SqlType::Int => match v {
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
            Value::Decimal(d) => {
                let r = d.round_i128();
                match i64::try_from(r) {
                    Ok(i) => Value::Int(i),
                    // CAST(18446744073709551615 AS SIGNED) is -1: an
                    // unsigned 64-bit value wraps
                    Err(_) if !strict && (0..=u64::MAX as i128).contains(&r) => Value::Int(r as u64 as i64),
                    Err(_) => return Err(too_big()),
                }
            }
            other => Value::Int(other.to_i64().unwrap_or(0)),
        },
        SqlType::UInt => {
            let i = cast(v, SqlType::Int, strict)?;
            match i {
                Value::Int(x) if x < 0 && !strict => int_value(x as i128 + (1i128 << 64)),
                x => x,
            }
        }
        SqlType::Integer { width, unsigned } => {
            let n = match v {
                Value::Int(i) => *i as i128,
                Value::Decimal(d) => d.round_i128(),
                // `as` saturates (NaN: 0); the range check below bounds it
                Value::Double(f) => f.round() as i128,
                Value::Str(s) => {
                    let t = s.trim();
                    if let Some(d) = Decimal::parse(t) {
                        d.round_i128()
                    } else if strict && t.parse::<f64>().is_err() {
                        return Err(not_a_number(t));
                    } else {
                        parse_num_prefix(t).round() as i128
                    }
                }
                other => other.to_i64().unwrap_or(0) as i128,
            };
            // a negative fraction that rounds to 0 is still below an
            // UNSIGNED type's range (MariaDB)
            let negative = match v {
                Value::Decimal(d) => d.m < 0,
                Value::Double(f) => *f < 0.0,
                Value::Str(s) => parse_num_prefix(s) < 0.0,
                _ => n < 0,
            };
            let n = if unsigned && negative && n == 0 { -1 } else { n };
            let (lo, hi) = width.range(unsigned);
            if (lo..=hi).contains(&n) {
                int_value(n)
            } else if strict {
                return Err(SqlError::new(Code::WarnDataOutOfRange, "Out of range value"));
            } else {
                // MySQL's non-strict mode stores the nearest bound
                int_value(n.clamp(lo, hi))
            }
        }
        SqlType::Char(n) => {
            let s = v.to_text().unwrap_or_default();
            cast(&Value::Str(s.trim_end_matches(' ').to_string()), SqlType::Text(Some(n)), strict)?
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
                    return Err(SqlError::new(Code::WarnDataOutOfRange, "Out of range value"));
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
                // spaces past the length are dropped, in strict mode too
                Some(n) if s.chars().count() > n as usize && s.chars().skip(n as usize).all(|c| c == ' ') => {
                    Value::Str(s.chars().take(n as usize).collect())
                }
                Some(n) if strict && s.chars().count() > n as usize => {
                    return Err(SqlError::new(
                        Code::DataTooLong,
                        format!("Data too long for column (max {n} characters)"),
                    ));
                }
                // lenient: cut to the column's length
                Some(n) if s.chars().count() > n as usize => Value::Str(s.chars().take(n as usize).collect()),
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
        // an ENUM's members are checked where the column is known
        // (`ColumnMeta::convert`)
        SqlType::Enum | SqlType::Set => cast(v, SqlType::Text(None), strict)?,
        SqlType::Year => {
            // one or two digits (a string of them, or a number but 0) are
            // a year of 1970-2069; a date gives its year
            let (n, short) = match v {
                Value::Str(s) => {
                    let t = s.trim();
                    match t.parse::<i64>() {
                        Ok(n) => (n, t.trim_start_matches(['-', '+']).len() <= 2),
                        Err(_) if strict && Decimal::parse(t).is_none() => return Err(not_a_number(t)),
                        Err(_) => (parse_num_prefix(t).round() as i64, false),
                    }
                }
                Value::Date(_) | Value::DateTime(_) => match crate::sql::dates::Civil::of(v) {
                    Some(c) => (c.y, false),
                    None => (0, false),
                },
                other => (other.to_i64().unwrap_or(0), true),
            };
            match n {
                0 if !short || matches!(v, Value::Int(0)) => Value::Int(0),
                0..=69 if short || n > 0 => Value::Int(2000 + n),
                70..=99 => Value::Int(1900 + n),
                1901..=2155 => Value::Int(n),
                _ if strict => return Err(SqlError::new(Code::WarnDataOutOfRange, "Out of range value")),
                _ => Value::Int(0),
            }
        }
        SqlType::Time => match crate::sql::dates::to_time(v) {
            Some(t) => Value::Time(t),
            None if strict => return Err(bad()),
            None => Value::Null,
        },
    })
}
