//! Bits and bases: the integers the bitwise operators work on, bit sets,
//! `HEX`, `CONV`.

use super::{bounded, int, s, Ctx, MAX_STRING};
use crate::sql::error::SqlResult;
use crate::sql::value::{cast, Decimal, SqlType, Value};

/// A number as the 64-bit unsigned integer the bitwise operators work on:
/// rounded to an integer, a negative one as its two's complement, beyond
/// the range saturated.
pub(crate) fn bits(v: &Value) -> u64 {
    match v {
        Value::Int(i) => *i as u64,
        Value::Decimal(d) => {
            let r = d.round_i128();
            if r < 0 {
                i64::try_from(r).unwrap_or(i64::MIN) as u64
            } else {
                u64::try_from(r).unwrap_or(u64::MAX)
            }
        }
        Value::Double(x) => {
            let r = x.round();
            if r < 0.0 {
                (r.max(i64::MIN as f64) as i64) as u64
            } else {
                r as u64
            }
        }
        other => other.to_i64().unwrap_or(0) as u64,
    }
}

/// A 64-bit unsigned result: an integer, or a decimal above `i64::MAX`.
pub(crate) fn from_u64(u: u64) -> Value {
    match i64::try_from(u) {
        Ok(i) => Value::Int(i),
        Err(_) => Value::Decimal(Decimal { m: u as i128, s: 0 }),
    }
}

/// `x << n` / `x >> n`: 0 once every bit is shifted out.
pub(super) fn shift(x: u64, n: u64, left: bool) -> u64 {
    match u32::try_from(n).ok().filter(|n| *n < 64) {
        Some(n) if left => x << n,
        Some(n) => x >> n,
        None => 0,
    }
}

/// `MAKE_SET(bits, str1, …)`: the strings whose bit is set, comma-separated
/// (NULL strings left out).
pub(super) fn make_set(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    if v[0].is_null() {
        return Ok(Value::Null);
    }
    let bits = int(&v[0]) as u64;
    let parts: Vec<&str> = v[1..]
        .iter()
        .enumerate()
        .filter(|(i, x)| *i < 64 && bits >> i & 1 == 1 && !x.is_null())
        .map(|(_, x)| s(x))
        .collect();
    Ok(bounded(parts.join(",")))
}

/// `EXPORT_SET(bits, on, off[, separator[, number_of_bits]])`.
pub(super) fn export_set(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let bits = int(&v[0]) as u64;
    let sep = v.get(3).map_or(",", s);
    let n = v.get(4).map_or(64, |n| if (0..=64).contains(&int(n)) { int(n) } else { 64 }) as usize;
    let parts: Vec<&str> = (0..n).map(|i| if bits >> i & 1 == 1 { s(&v[1]) } else { s(&v[2]) }).collect();
    Ok(bounded(parts.join(sep)))
}

/// `HEX(x)`: a string's bytes, or a number (rounded to an integer, as a
/// 64-bit two's complement), in upper-case hexadecimal.
pub(super) fn hex(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    Ok(match &v[0] {
        Value::Int(i) => Value::Str(format!("{:X}", *i as u64)),
        Value::Double(_) | Value::Decimal(_) => match cast(&v[0], SqlType::Int, false)? {
            Value::Int(i) => Value::Str(format!("{:X}", i as u64)),
            _ => Value::Null,
        },
        other => match other.to_text() {
            Some(t) if t.len() <= MAX_STRING / 2 => Value::Str(t.bytes().map(|b| format!("{b:02X}")).collect()),
            _ => Value::Null,
        },
    })
}

/// `CONV(n, from_base, to_base)` on the text of `n`: its leading digits in
/// base |from_base| (signed when from_base is negative, else unsigned with
/// a minus sign wrapping around 2^64, overflow saturating), written in base
/// |to_base| (as a signed number when to_base is negative). NULL for a
/// base outside 2..=36.
pub(super) fn conv_text(n: &str, from: i64, to: i64) -> Value {
    let (fb, tb) = (from.unsigned_abs(), to.unsigned_abs());
    if !(2..=36).contains(&fb) || !(2..=36).contains(&tb) {
        return Value::Null;
    }
    let t = n.trim_start();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut mag: u64 = 0;
    let mut overflow = false;
    for c in digits.chars() {
        let Some(d) = c.to_digit(36).filter(|d| (*d as u64) < fb) else { break };
        match mag.checked_mul(fb).and_then(|m| m.checked_add(d as u64)) {
            Some(m) => mag = m,
            None => {
                overflow = true;
                break;
            }
        }
    }
    let bits: u64 = if from < 0 {
        let signed = if overflow || mag > i64::MAX as u64 + u64::from(neg) {
            if neg {
                i64::MIN
            } else {
                i64::MAX
            }
        } else if neg {
            (mag as i64).wrapping_neg()
        } else {
            mag as i64
        };
        signed as u64
    } else if overflow {
        u64::MAX
    } else if neg {
        mag.wrapping_neg()
    } else {
        mag
    };
    let (minus, mut rest) =
        if to < 0 && (bits as i64) < 0 { (true, (bits as i64).unsigned_abs()) } else { (false, bits) };
    let mut out = Vec::new();
    loop {
        let d = (rest % tb) as u32;
        out.push(std::char::from_digit(d, 36).unwrap_or('0').to_ascii_uppercase());
        rest /= tb;
        if rest == 0 {
            break;
        }
    }
    if minus {
        out.push('-');
    }
    Value::Str(out.iter().rev().collect())
}
