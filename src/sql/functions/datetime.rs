//! Dates, times and the clock: `NOW()` and its family, date parts,
//! `ADDDATE`.

use crate::time::Timestamp;

use super::{int, Ctx};
use crate::sql::dates;
use crate::sql::error::{Code, SqlError, SqlResult};
use crate::sql::value::{cast, Decimal, SqlType, Value};

/// `f` of the civil parts of a date value (NULL when it is not one).
pub(super) fn on_date(v: &Value, f: impl FnOnce(dates::Civil) -> Value) -> Value {
    dates::Civil::of(v).map(f).unwrap_or(Value::Null)
}

/// `f` of a value as a TIME ([`dates::to_time`]: a TIME, a time string,
/// a date-time's time of day), NULL when it is none.
pub(super) fn on_time(v: &Value, f: impl FnOnce(i64) -> i64) -> Value {
    match dates::to_time(v) {
        Some(t) => Value::Int(f(t)),
        None => Value::Null,
    }
}

/// `ADDDATE(t, days)` / `ADDDATE(t, INTERVAL n unit)`.
pub(super) fn adddate(v: &[Value], sign: i64) -> SqlResult<Value> {
    let unit = v.get(2).cloned().unwrap_or(Value::Str("DAY".into()));
    dates::add_interval(&v[0], &v[1], &unit, sign)
}

/// The statement time truncated to `fsp` fractional digits (0-6).
fn now_at(c: &Ctx, v: &[Value]) -> SqlResult<Timestamp> {
    let fsp = v.first().map(int).unwrap_or(0);
    if !(0..=6).contains(&fsp) {
        return Err(SqlError::new(Code::WrongArguments, format!("Too-big precision {fsp} specified. Maximum is 6.")));
    }
    let unit = 10i64.pow(6 - fsp as u32);
    Ok(Timestamp(c.now.0 - c.now.0.rem_euclid(unit)))
}

pub(super) fn now(c: &Ctx, v: &[Value]) -> SqlResult<Value> {
    Ok(Value::DateTime(now_at(c, v)?))
}

pub(super) fn curdate(c: &Ctx, _: &[Value]) -> SqlResult<Value> {
    Ok(Value::Date(c.now.secs().div_euclid(86_400)))
}

pub(super) fn curtime(c: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let t = now_at(c, v)?;
    Ok(Value::Time(t.0.rem_euclid(86_400_000_000)))
}

pub(super) fn unix_timestamp(c: &Ctx, v: &[Value]) -> SqlResult<Value> {
    Ok(match v.first() {
        None => Value::Int(c.now.secs()),
        Some(x) => match cast(x, SqlType::DateTime, false)? {
            Value::DateTime(t) if t.subsec_micros() == 0 => Value::Int(t.secs()),
            Value::DateTime(t) => Value::Decimal(Decimal { m: t.0 as i128, s: 6 }),
            _ => Value::Null,
        },
    })
}
