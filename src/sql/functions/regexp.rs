//! Regular expressions: `REGEXP_LIKE`, `REGEXP_REPLACE`, ….

use super::{bounded, int, s, Ctx, MAX_STRING};
use crate::sql::error::{Code, SqlError, SqlResult};
use crate::sql::value::Value;

/// The longest compiled program a pattern may have (bytes): a bound on
/// memory for patterns from user input.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

thread_local! {
    /// The last pattern compiled (a query applies one pattern to many rows).
    static LAST_REGEX: std::cell::RefCell<Option<(String, String, regex::Regex)>> =
        const { std::cell::RefCell::new(None) };
}

/// Compiles `pat` with MySQL's match-type flags (`c` case-sensitive, `i`
/// case-insensitive, the default under the collation; `m` multi-line; `n`
/// `.` matches newlines; `u` accepted).
fn regex_of(pat: &str, flags: &str) -> SqlResult<regex::Regex> {
    if let Some(r) =
        LAST_REGEX.with(|c| c.borrow().as_ref().filter(|(p, f, _)| p == pat && f == flags).map(|(_, _, r)| r.clone()))
    {
        return Ok(r);
    }
    let mut b = regex::RegexBuilder::new(pat);
    b.case_insensitive(true).size_limit(REGEX_SIZE_LIMIT).dfa_size_limit(REGEX_SIZE_LIMIT);
    for c in flags.chars() {
        match c {
            'c' => b.case_insensitive(false),
            'i' => b.case_insensitive(true),
            'm' => b.multi_line(true),
            'n' => b.dot_matches_new_line(true),
            'u' => &mut b,
            _ => return Err(SqlError::new(Code::WrongArguments, "Incorrect arguments to regular expression")),
        };
    }
    let r = b.build().map_err(|e| {
        let msg = e.to_string();
        let first = msg.lines().last().unwrap_or("invalid pattern").trim().to_string();
        SqlError::new(Code::RegexpError, format!("Got error '{first}' from regexp"))
    })?;
    LAST_REGEX.with(|c| *c.borrow_mut() = Some((pat.to_string(), flags.to_string(), r.clone())));
    Ok(r)
}

/// The byte offset of the 1-based character position `pos` in `s` (None
/// past the end, as MySQL's "Index out of bounds").
fn char_offset(s: &str, pos: i64) -> SqlResult<usize> {
    if pos < 1 {
        return Err(SqlError::new(Code::WrongArguments, "Index out of bounds in regular expression search"));
    }
    let n = pos as usize - 1;
    match s.char_indices().nth(n) {
        Some((i, _)) => Ok(i),
        None if n == s.chars().count() => Ok(s.len()),
        None => Err(SqlError::new(Code::WrongArguments, "Index out of bounds in regular expression search")),
    }
}

/// The byte range of the `occurrence`th match (1-based) of `pat` in `s`
/// at or after character `pos`.
fn nth_match(s: &str, pat: &str, pos: i64, occurrence: i64, flags: &str) -> SqlResult<Option<(usize, usize)>> {
    let re = regex_of(pat, flags)?;
    let from = char_offset(s, pos)?;
    let k = occurrence.max(1) as usize;
    let m = re.find_iter(&s[from..]).nth(k - 1).map(|m| (from + m.start(), from + m.end()));
    Ok(m)
}

pub(super) fn regexp_like(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let re = regex_of(s(&v[1]), v.get(2).map(s).unwrap_or(""))?;
    Ok(Value::bool(re.is_match(s(&v[0]))))
}

/// `REGEXP_REPLACE(s, pat, repl[, pos[, occurrence[, flags]]])`: `$1`
/// refers to a group, as in MySQL 8; occurrence 0 replaces every match.
pub(super) fn regexp_replace(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let (x, repl) = (s(&v[0]), s(&v[2]));
    let re = regex_of(s(&v[1]), v.get(5).map(s).unwrap_or(""))?;
    let from = char_offset(x, v.get(3).map(int).unwrap_or(1))?;
    let occurrence = v.get(4).map(int).unwrap_or(0).max(0) as usize;
    // `$n` expands to part of a match: at most the match's length each
    let dollars = repl.bytes().filter(|&b| b == b'$').count();
    let mut out = String::with_capacity(x.len());
    out.push_str(&x[..from]);
    let mut last = from;
    for (n, caps) in re.captures_iter(&x[from..]).enumerate() {
        let Some(m) = caps.get(0) else {
            continue;
        };
        let (start, end) = (from + m.start(), from + m.end());
        out.push_str(&x[last..start]);
        if occurrence == 0 || n + 1 == occurrence {
            let most = repl.len().saturating_add(dollars.saturating_mul(m.len()));
            if out.len().saturating_add(most) > MAX_STRING {
                return Ok(Value::Null);
            }
            caps.expand(repl, &mut out);
        } else {
            out.push_str(m.as_str());
        }
        last = end;
        if occurrence != 0 && n + 1 >= occurrence {
            break;
        }
    }
    out.push_str(&x[last..]);
    Ok(bounded(out))
}

pub(super) fn regexp_substr(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let x = s(&v[0]);
    let m = nth_match(
        x,
        s(&v[1]),
        v.get(2).map(int).unwrap_or(1),
        v.get(3).map(int).unwrap_or(1),
        v.get(4).map(s).unwrap_or(""),
    )?;
    Ok(m.map(|(a, b)| Value::Str(x[a..b].to_string())).unwrap_or(Value::Null))
}

pub(super) fn regexp_instr(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let x = s(&v[0]);
    let m = nth_match(
        x,
        s(&v[1]),
        v.get(2).map(int).unwrap_or(1),
        v.get(3).map(int).unwrap_or(1),
        v.get(5).map(s).unwrap_or(""),
    )?;
    let after = v.get(4).map(int).unwrap_or(0) == 1;
    Ok(Value::Int(match m {
        None => 0,
        Some((a, b)) => x[..if after { b } else { a }].chars().count() as i64 + 1,
    }))
}
