//! String functions.

use std::cmp::Ordering;

use super::math::round_double;
use super::{bounded, fl, int, s, Ctx, MAX_STRING};
use crate::sql::error::SqlResult;
use crate::sql::value::{self, Collation, Decimal, Value};

pub(super) fn concat(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let total: usize = v.iter().map(|x| s(x).len()).sum();
    if total > MAX_STRING {
        return Ok(Value::Null);
    }
    Ok(Value::Str(v.iter().map(s).collect()))
}

pub(super) fn concat_ws(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    if v[0].is_null() {
        return Ok(Value::Null);
    }
    let parts: Vec<&str> = v[1..].iter().filter(|x| !x.is_null()).map(s).collect();
    let total = parts.iter().map(|p| p.len()).sum::<usize>() + s(&v[0]).len() * parts.len();
    if total > MAX_STRING {
        return Ok(Value::Null);
    }
    Ok(Value::Str(parts.join(s(&v[0]))))
}

pub(super) fn length(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    Ok(Value::Int(s(&v[0]).len() as i64))
}

pub(super) fn char_length(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    Ok(Value::Int(s(&v[0]).chars().count() as i64))
}

pub(super) fn substring(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let chars: Vec<char> = s(&v[0]).chars().collect();
    let n = chars.len() as i64;
    let pos = int(&v[1]);
    let start = match pos.cmp(&0) {
        Ordering::Greater => pos - 1,
        Ordering::Less => n + pos,
        Ordering::Equal => return Ok(Value::Str(String::new())),
    };
    if start < 0 || start >= n {
        return Ok(Value::Str(String::new()));
    }
    let len = if v.len() > 2 { int(&v[2]).max(0) } else { n };
    let end = start.saturating_add(len).min(n);
    Ok(Value::Str(chars[start as usize..end as usize].iter().collect()))
}

/// `SUBSTRING_INDEX(s, delim, n)`: the part of `s` before the `n`th
/// occurrence of `delim` (from the right when `n` is negative; the match
/// is case-sensitive, as in MySQL).
pub(super) fn substring_index(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let (x, delim, n) = (s(&v[0]), s(&v[1]), int(&v[2]));
    if delim.is_empty() || n == 0 {
        return Ok(Value::Str(String::new()));
    }
    let hits: Vec<usize> = x.match_indices(delim).map(|(i, _)| i).collect();
    let k = n.unsigned_abs() as usize;
    if k > hits.len() {
        return Ok(Value::Str(x.to_string()));
    }
    Ok(Value::Str(if n > 0 {
        x[..hits[k - 1]].to_string()
    } else {
        x[hits[hits.len() - k] + delim.len()..].to_string()
    }))
}

pub(super) fn left(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    Ok(Value::Str(s(&v[0]).chars().take(int(&v[1]).max(0) as usize).collect()))
}

pub(super) fn right(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let c: Vec<char> = s(&v[0]).chars().collect();
    let k = (int(&v[1]).max(0) as usize).min(c.len());
    Ok(Value::Str(c[c.len() - k..].iter().collect()))
}

pub(super) fn trim_chars(x: &Value, pat: &Value, leading: bool, trailing: bool) -> Value {
    let (mut x, pat) = (s(x), s(pat));
    if !pat.is_empty() {
        if leading {
            while let Some(r) = x.strip_prefix(pat) {
                x = r;
            }
        }
        if trailing {
            while let Some(r) = x.strip_suffix(pat) {
                x = r;
            }
        }
    }
    Value::Str(x.to_string())
}

pub(super) fn replace(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let (x, from, to) = (s(&v[0]), s(&v[1]), s(&v[2]));
    if from.is_empty() {
        return Ok(Value::Str(x.to_string()));
    }
    let hits = x.matches(from).count();
    if (x.len() - hits * from.len()).saturating_add(hits.saturating_mul(to.len())) > MAX_STRING {
        return Ok(Value::Null);
    }
    Ok(Value::Str(x.replace(from, to)))
}

pub(super) fn repeat(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let (x, n) = (s(&v[0]), int(&v[1]).max(0) as u64);
    if (x.len() as u64).saturating_mul(n) > MAX_STRING as u64 {
        return Ok(Value::Null);
    }
    Ok(Value::Str(x.repeat(n as usize)))
}

/// The characters of `v` case-folded (one character each), as `LOCATE`
/// compares them: case-insensitive but accent-sensitive, as in MariaDB.
fn folded(v: &str) -> Vec<char> {
    v.chars().map(|c| c.to_lowercase().next().unwrap_or(c)).collect()
}

/// The 1-based position of `needle` in `hay` at or after `from` (0 when
/// absent), compared as [`folded`], or by the characters' weights under
/// another collation than the default.
pub(super) fn locate(coll: Collation, needle: &Value, hay: &Value, from: Option<&Value>) -> Value {
    let start = match from {
        Some(f) => match int(f) {
            i if i < 1 => return Value::Int(0),
            i => i as usize - 1,
        },
        None => 0,
    };
    let (hc, nc) = match coll {
        Collation::Default => (folded(s(hay)), folded(s(needle))),
        _ => (s(hay).chars().map(|c| coll.weight(c)).collect(), s(needle).chars().map(|c| coll.weight(c)).collect()),
    };
    if start > hc.len() || nc.len() > hc.len() {
        return Value::Int(0);
    }
    let pos = (start..=hc.len() - nc.len()).find(|&i| hc[i..i + nc.len()] == nc[..]);
    Value::Int(pos.map(|p| p as i64 + 1).unwrap_or(0))
}

pub(super) fn pad(v: &[Value], left: bool) -> Value {
    let x: Vec<char> = s(&v[0]).chars().collect();
    let n = int(&v[1]);
    if n < 0 {
        return Value::Null;
    }
    let n = n.min(1 << 24) as usize;
    if x.len() >= n {
        return Value::Str(x[..n].iter().collect());
    }
    let fill: Vec<char> = s(&v[2]).chars().collect();
    if fill.is_empty() {
        return Value::Null;
    }
    let fill: String = fill.iter().cycle().take(n - x.len()).collect();
    let xs: String = x.iter().collect();
    bounded(if left { fill + &xs } else { xs + &fill })
}

/// `ORD(s)`: the code of the first character's UTF-8 bytes read as a
/// big-endian number (as MySQL does for a multibyte character).
pub(super) fn ord(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let Some(c) = s(&v[0]).chars().next() else {
        return Ok(Value::Int(0));
    };
    let mut buf = [0u8; 4];
    Ok(Value::Int(c.encode_utf8(&mut buf).bytes().fold(0i64, |acc, b| acc * 256 + b as i64)))
}

/// `CHAR(n, ...)`: the characters of the codes (NULLs skipped).
pub(super) fn char_(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    Ok(Value::Str(v.iter().filter_map(Value::to_i64).filter_map(|i| char::from_u32(i as u32)).collect()))
}

/// `FIELD(x, a, b, ...)`: the 1-based index of the first argument equal to
/// `x`, 0 when none is (or `x` is NULL).
pub(super) fn field(ctx: &Ctx, v: &[Value]) -> SqlResult<Value> {
    if v[0].is_null() {
        return Ok(Value::Int(0));
    }
    let all_str = v.iter().all(|x| matches!(x, Value::Str(_) | Value::Null));
    let found = v[1..].iter().position(|x| {
        if x.is_null() {
            return false;
        }
        if all_str {
            value::sql_cmp_in(ctx.collation, &v[0], x) == Some(Ordering::Equal)
        } else {
            value::cmp_numeric(&v[0].numeric(), &x.numeric()) == Ordering::Equal
        }
    });
    Ok(Value::Int(found.map(|p| p as i64 + 1).unwrap_or(0)))
}

/// `ELT(n, a, b, ...)`: the `n`th string, NULL when there is none.
pub(super) fn elt(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let n = match &v[0] {
        Value::Int(n) => *n,
        _ => return Ok(Value::Null),
    };
    if n < 1 || n as usize >= v.len() {
        return Ok(Value::Null);
    }
    Ok(v[n as usize].clone())
}

/// `FORMAT(x, d)`: `x` rounded to `d` decimals with `,` between thousands.
pub(super) fn format(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let d = int(&v[1]).clamp(0, 30) as u32;
    let dec = match &v[0] {
        Value::Int(i) => Decimal::from_i64(*i),
        Value::Decimal(x) => *x,
        other => match Decimal::from_f64(round_double(fl(other), d as i64, false), d) {
            Some(x) => x,
            None => return Ok(Value::Str(value::format_double(fl(other)))),
        },
    };
    let text = dec.rescale(d).to_string();
    let (sign, body) = match text.strip_prefix('-') {
        Some(b) => ("-", b),
        None => ("", text.as_str()),
    };
    let (ip, fp) = match body.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (body, None),
    };
    let mut grouped = String::new();
    for (i, c) in ip.chars().enumerate() {
        if i > 0 && (ip.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    Ok(Value::Str(match fp {
        Some(fp) => format!("{sign}{grouped}.{fp}"),
        None => format!("{sign}{grouped}"),
    }))
}

/// `INSERT(str, pos, len, newstr)`: `len` characters of `str` from `pos`
/// replaced by `newstr`; `str` itself when `pos` is outside it.
pub(super) fn insert(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let text: Vec<char> = s(&v[0]).chars().collect();
    let (pos, len) = (int(&v[1]), int(&v[2]));
    if pos < 1 || pos > text.len() as i64 {
        return Ok(v[0].clone());
    }
    let start = (pos - 1) as usize;
    let end = if len < 0 { text.len() } else { start.saturating_add(len as usize).min(text.len()) };
    let mut out: String = text[..start].iter().collect();
    out.push_str(s(&v[3]));
    out.extend(&text[end..]);
    Ok(bounded(out))
}

/// `FIND_IN_SET(str, list)`: the 1-based position of `str` among the
/// comma-separated items of `list` under the collation, 0 when absent.
pub(super) fn find_in_set(ctx: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let (needle, list) = (s(&v[0]), s(&v[1]));
    if needle.contains(',') || list.is_empty() {
        return Ok(Value::Int(0));
    }
    let at = list.split(',').position(|item| ctx.collation.cmp(item, needle) == Ordering::Equal);
    Ok(Value::Int(at.map_or(0, |i| i as i64 + 1)))
}

/// `QUOTE(str)`: a string literal that reads back as `str`; the word NULL
/// for NULL.
pub(super) fn quote(v: &Value) -> Value {
    match v {
        Value::Str(text) => bounded(crate::sql::quote::quote_function(text)),
        _ => Value::Str("NULL".into()),
    }
}

/// `SOUNDEX(str)` as MySQL computes it: the first letter, then the codes of
/// the following letters (vowels left out, and a code equal to the last
/// one written, even across vowels), padded to at least four characters; non-letters are ignored.
pub(super) fn soundex(text: &str) -> String {
    fn code(c: char) -> char {
        match c.to_ascii_uppercase() {
            'B' | 'F' | 'P' | 'V' => '1',
            'C' | 'G' | 'J' | 'K' | 'Q' | 'S' | 'X' | 'Z' => '2',
            'D' | 'T' => '3',
            'L' => '4',
            'M' | 'N' => '5',
            'R' => '6',
            _ => '0',
        }
    }
    let mut letters = text.chars().filter(|c| c.is_alphabetic());
    let Some(first) = letters.next() else { return String::new() };
    // MariaDB upper-cases only an ASCII first letter (`ábc` gives `á120`)
    let mut out = String::from(first.to_ascii_uppercase());
    let mut last = code(first);
    for c in letters {
        let k = code(c);
        if k != '0' && k != last {
            out.push(k);
            last = k;
        }
    }
    while out.chars().count() < 4 {
        out.push('0');
    }
    out
}
