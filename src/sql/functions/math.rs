//! Numbers and math: rounding, powers, logarithms.

use super::{fl, int, Ctx};
use crate::sql::error::{Code, SqlError, SqlResult};
use crate::sql::value::{Decimal, Value};

pub(super) fn abs(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    Ok(match &v[0] {
        Value::Int(i) => match i.checked_abs() {
            Some(a) => Value::Int(a),
            None => Value::Decimal(Decimal { m: (*i as i128).abs(), s: 0 }),
        },
        Value::Decimal(d) => Value::Decimal(Decimal { m: d.m.abs(), s: d.s }),
        Value::Double(x) => Value::Double(x.abs()),
        o => o.clone(),
    })
}

/// `ROUND(x, d)` / `TRUNCATE(x, d)`: `d` may be negative (`ROUND(1250, -2)`
/// is 1300); exact values round half away from zero.
pub(super) fn round(v: &[Value], trunc: bool) -> Value {
    let digits = v.get(1).map(int).unwrap_or(0);
    let exact = match &v[0] {
        Value::Int(i) => Some(Decimal::from_i64(*i)),
        Value::Decimal(d) => Some(*d),
        _ => None,
    };
    if let Some(d) = exact {
        if digits >= d.s as i64 {
            // a decimal shows the digits asked for (ROUND(1.5, 3) is 1.500)
            return match v[0] {
                Value::Decimal(_) => Value::Decimal(d.rescale(digits.min(30) as u32)),
                _ => v[0].clone(),
            };
        }
        // Drop `drop` digits: to scale `digits` (negative: tens, hundreds...).
        let drop = (d.s as i64).saturating_sub(digits).min(40) as u32;
        let Some(p) = 10i128.checked_pow(drop) else {
            return if matches!(v[0], Value::Int(_)) { Value::Int(0) } else { Value::Decimal(Decimal { m: 0, s: 0 }) };
        };
        let (q, r) = (d.m / p, d.m % p);
        let q = if !trunc && r.abs() * 2 >= p { q + d.m.signum() } else { q };
        let scale = digits.max(0) as u32;
        let m = if digits < 0 { q.checked_mul(10i128.pow(digits.saturating_neg().min(38) as u32)) } else { Some(q) };
        return match (m, &v[0]) {
            (Some(m), Value::Int(_)) => i64::try_from(m).map(Value::Int).unwrap_or(Value::Decimal(Decimal { m, s: 0 })),
            (Some(m), _) => Value::Decimal(Decimal { m, s: scale }),
            (None, _) => Value::Null,
        };
    }
    Value::Double(round_double(fl(&v[0]), digits, trunc))
}

/// A double rounded (half to even, as MySQL's `rint`) or truncated to
/// `digits` decimals.
pub(super) fn round_double(x: f64, digits: i64, trunc: bool) -> f64 {
    let p = 10f64.powi(digits.clamp(-300, 300) as i32);
    let r = if trunc { (x * p).trunc() / p } else { (x * p).round_ties_even() / p };
    if r.is_finite() {
        r
    } else {
        x
    }
}

pub(super) fn floor_ceil(v: &Value, floor: bool) -> Value {
    match v {
        Value::Decimal(d) => {
            let t = d.trunc_i128();
            let frac = d.m != t * 10i128.pow(d.s);
            let r = match (floor, frac) {
                (true, true) if d.m < 0 => t - 1,
                (false, true) if d.m > 0 => t + 1,
                _ => t,
            };
            i64::try_from(r).map(Value::Int).unwrap_or(Value::Decimal(Decimal { m: r, s: 0 }))
        }
        Value::Double(x) => Value::Double(if floor { x.floor() } else { x.ceil() }),
        o => o.clone(),
    }
}

pub(super) fn double_or_null(x: f64) -> Value {
    if x.is_finite() {
        Value::Double(x)
    } else {
        Value::Null
    }
}

pub(super) fn out_of_range_check(what: &str, x: f64) -> SqlResult<Value> {
    if x.is_finite() {
        Ok(Value::Double(x))
    } else {
        Err(SqlError::new(Code::DataOutOfRange, format!("DOUBLE value is out of range in '{what}'")))
    }
}

pub(super) fn pow(v: &[Value]) -> SqlResult<Value> {
    out_of_range_check("pow", fl(&v[0]).powf(fl(&v[1])))
}

pub(super) fn log_of(x: f64, f: fn(f64) -> f64) -> Value {
    if x <= 0.0 {
        Value::Null
    } else {
        double_or_null(f(x))
    }
}

pub(super) fn log(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    if v.len() == 1 {
        return Ok(log_of(fl(&v[0]), f64::ln));
    }
    let (b, x) = (fl(&v[0]), fl(&v[1]));
    if b <= 0.0 || b == 1.0 || x <= 0.0 {
        return Ok(Value::Null);
    }
    Ok(double_or_null(x.ln() / b.ln()))
}
