//! The executor: evaluates bound expressions and runs query plans on the
//! versioned store (index and full scans, hash and nested-loop joins,
//! grouping, sorting, set operations).

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::ops::Bound;
use std::rc::Rc;

use crate::db::{Database, Snapshot};
use crate::time::{civil_from_days, Timestamp};

use super::ast::{BinOp, CmpOp, JoinKind, SetOpKind, UnOp};
use super::catalog::{self, decode_row, encode_key, key_class, TableMeta};
use super::error::{Code, SqlError, SqlResult};
use super::plan::*;
use super::value::{arith, cast, negate, order_cmp, sql_cmp, ArithOp, Decimal, KeyPart, SqlType, Value};

/// Execution context.
pub struct Exec<'a> {
    /// The database.
    pub db: &'a Database,
    /// Statement time.
    pub now: Timestamp,
}

/// The rows visible to an expression: the current row and the rows of the
/// enclosing queries.
pub struct Env<'e> {
    /// Current row.
    pub row: &'e [Value],
    /// Enclosing query's environment.
    pub parent: Option<&'e Env<'e>>,
}

/// Evaluates an expression that refers to no row.
pub fn eval_const(ex: &Exec, e: &BExpr) -> SqlResult<Value> {
    ex.eval(e, &Env { row: &[], parent: None })
}

const FUNCS: &[(&str, usize, usize)] = &[
    ("abs", 1, 1),
    ("coalesce", 1, 99),
    ("ifnull", 2, 2),
    ("nullif", 2, 2),
    ("if", 3, 3),
    ("concat", 1, 99),
    ("concat_ws", 2, 99),
    ("length", 1, 1),
    ("octet_length", 1, 1),
    ("char_length", 1, 1),
    ("character_length", 1, 1),
    ("upper", 1, 1),
    ("ucase", 1, 1),
    ("lower", 1, 1),
    ("lcase", 1, 1),
    ("substring", 2, 3),
    ("substr", 2, 3),
    ("mid", 3, 3),
    ("left", 2, 2),
    ("right", 2, 2),
    ("trim", 1, 1),
    ("ltrim", 1, 1),
    ("rtrim", 1, 1),
    ("trim_chars", 2, 2),
    ("ltrim_chars", 2, 2),
    ("rtrim_chars", 2, 2),
    ("replace", 3, 3),
    ("reverse", 1, 1),
    ("repeat", 2, 2),
    ("locate", 2, 3),
    ("instr", 2, 2),
    ("lpad", 3, 3),
    ("rpad", 3, 3),
    ("now", 0, 1),
    ("current_timestamp", 0, 1),
    ("sysdate", 0, 1),
    ("localtime", 0, 1),
    ("localtimestamp", 0, 1),
    ("curdate", 0, 0),
    ("current_date", 0, 0),
    ("database", 0, 0),
    ("schema", 0, 0),
    ("version", 0, 0),
    ("round", 1, 2),
    ("truncate", 2, 2),
    ("floor", 1, 1),
    ("ceil", 1, 1),
    ("ceiling", 1, 1),
    ("mod", 2, 2),
    ("sign", 1, 1),
    ("sqrt", 1, 1),
    ("pow", 2, 2),
    ("power", 2, 2),
    ("exp", 1, 1),
    ("ln", 1, 1),
    ("log", 1, 2),
    ("log10", 1, 1),
    ("log2", 1, 1),
    ("pi", 0, 0),
    ("rand", 0, 1),
    ("greatest", 2, 99),
    ("least", 2, 99),
    ("date", 1, 1),
    ("year", 1, 1),
    ("month", 1, 1),
    ("day", 1, 1),
    ("dayofmonth", 1, 1),
    ("hour", 1, 1),
    ("minute", 1, 1),
    ("second", 1, 1),
    ("unix_timestamp", 0, 1),
    ("from_unixtime", 1, 1),
    ("ascii", 1, 1),
    ("char", 1, 99),
    ("space", 1, 1),
    ("md5", 1, 1),
    ("strcmp", 2, 2),
    ("isnull", 1, 1),
    ("last_insert_id", 0, 0),
];

/// The longest string a function builds (MySQL's default max_allowed_packet);
/// longer results are NULL, as in MySQL.
const MAX_STRING: usize = 64 << 20;

/// What `VERSION()` and `@@version` say: the MySQL version ReelDB's SQL
/// follows.
pub const VERSION: &str = "8.0.0-reeldb";

/// Rows a recursive common table expression may produce: a bound on memory
/// (each iteration may multiply the rows), where a server would have a
/// statement time limit.
const CTE_MAX_ROWS: usize = 1_000_000;

/// Checks a scalar function's name and argument count.
pub fn check_function(name: &str, n: usize) -> SqlResult<()> {
    match FUNCS.iter().find(|(f, _, _)| *f == name) {
        None => Err(SqlError::new(Code::SpDoesNotExist, format!("FUNCTION {name} does not exist"))),
        Some((_, lo, hi)) if n < *lo || n > *hi => Err(SqlError::new(
            Code::WrongParamcount,
            format!("Incorrect parameter count in the call to native function '{name}'"),
        )),
        _ => Ok(()),
    }
}

fn like_match(s: &[char], p: &[char]) -> bool {
    // iterative matcher with backtracking on '%'
    let (mut si, mut pi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() {
            match p[pi] {
                '%' => {
                    star = Some((pi, si));
                    pi += 1;
                    continue;
                }
                '_' => {
                    si += 1;
                    pi += 1;
                    continue;
                }
                '\\' if pi + 1 < p.len() => {
                    if p[pi + 1].to_lowercase().eq(s[si].to_lowercase()) {
                        si += 1;
                        pi += 2;
                        continue;
                    }
                }
                c => {
                    if c.to_lowercase().eq(s[si].to_lowercase()) {
                        si += 1;
                        pi += 1;
                        continue;
                    }
                }
            }
        }
        match star {
            Some((sp, ss)) => {
                pi = sp + 1;
                si = ss + 1;
                star = Some((sp, ss + 1));
            }
            None => return false,
        }
    }
    while pi < p.len() && p[pi] == '%' {
        pi += 1;
    }
    pi == p.len()
}

/// SQL LIKE (case-insensitive, `%`, `_`, backslash escapes).
pub fn like(s: &str, p: &str) -> bool {
    let s: Vec<char> = s.chars().collect();
    let p: Vec<char> = p.chars().collect();
    like_match(&s, &p)
}

fn cmp_result(op: CmpOp, a: &Value, b: &Value) -> Value {
    if op == CmpOp::NullSafeEq {
        return Value::bool(match (a.is_null(), b.is_null()) {
            (true, true) => true,
            (false, false) => sql_cmp(a, b) == Some(Ordering::Equal),
            _ => false,
        });
    }
    match sql_cmp(a, b) {
        None => Value::Null,
        Some(o) => Value::bool(match op {
            CmpOp::Eq => o == Ordering::Equal,
            CmpOp::Ne => o != Ordering::Equal,
            CmpOp::Lt => o == Ordering::Less,
            CmpOp::Le => o != Ordering::Greater,
            CmpOp::Gt => o == Ordering::Greater,
            CmpOp::Ge => o != Ordering::Less,
            CmpOp::NullSafeEq => unreachable!("handled above"),
        }),
    }
}

fn text(v: &Value) -> String {
    v.to_text().unwrap_or_default()
}

fn num_or_null(v: Value) -> Value {
    v.numeric()
}

impl<'a> Exec<'a> {
    /// Evaluates an expression.
    pub fn eval(&self, e: &BExpr, env: &Env) -> SqlResult<Value> {
        Ok(match e {
            BExpr::Lit(v) => v.clone(),
            BExpr::Col(i) => env.row.get(*i).cloned().unwrap_or(Value::Null),
            BExpr::Outer(d, i) => {
                let mut en = env;
                for _ in 0..*d {
                    en = en.parent.ok_or_else(|| SqlError::new(Code::Storage, "unresolved outer reference"))?;
                }
                en.row.get(*i).cloned().unwrap_or(Value::Null)
            }
            BExpr::Unary(UnOp::Neg, a) => negate(&self.eval(a, env)?)?,
            BExpr::Unary(UnOp::Not, a) => match self.eval(a, env)?.truth() {
                None => Value::Null,
                Some(b) => Value::bool(!b),
            },
            BExpr::Binary(op, a, b) => match op {
                BinOp::And | BinOp::Or => {
                    // The operand value that decides alone: false for AND
                    // (short-circuit), true for OR; NULL otherwise unknown.
                    let decides = matches!(op, BinOp::Or);
                    let l = self.eval(a, env)?.truth();
                    if l == Some(decides) {
                        return Ok(Value::bool(decides));
                    }
                    match (l, self.eval(b, env)?.truth()) {
                        (_, Some(r)) if r == decides => Value::bool(decides),
                        (Some(_), Some(_)) => Value::bool(!decides),
                        _ => Value::Null,
                    }
                }
                BinOp::Xor => {
                    let l = self.eval(a, env)?.truth();
                    let r = self.eval(b, env)?.truth();
                    match (l, r) {
                        (Some(x), Some(y)) => Value::bool(x != y),
                        _ => Value::Null,
                    }
                }
                BinOp::Arith(op) => arith(*op, &self.eval(a, env)?, &self.eval(b, env)?)?,
                BinOp::Cmp(op) => cmp_result(*op, &self.eval(a, env)?, &self.eval(b, env)?),
            },
            BExpr::IsNull(a, neg) => Value::bool(self.eval(a, env)?.is_null() != *neg),
            BExpr::IsBool(a, want, neg) => {
                let t = self.eval(a, env)?.truth();
                Value::bool((t == Some(*want)) != *neg)
            }
            BExpr::Between(a, lo, hi, neg) => {
                let v = self.eval(a, env)?;
                let l = cmp_result(CmpOp::Ge, &v, &self.eval(lo, env)?).truth();
                let h = cmp_result(CmpOp::Le, &v, &self.eval(hi, env)?).truth();
                let r = match (l, h) {
                    (Some(false), _) | (_, Some(false)) => Some(false),
                    (Some(true), Some(true)) => Some(true),
                    _ => None,
                };
                match r {
                    None => Value::Null,
                    Some(b) => Value::bool(b != *neg),
                }
            }
            BExpr::InList(a, list, neg) => {
                let v = self.eval(a, env)?;
                if v.is_null() {
                    return Ok(Value::Null);
                }
                let mut saw_null = false;
                let mut found = false;
                for x in list {
                    let xv = self.eval(x, env)?;
                    match sql_cmp(&v, &xv) {
                        None => saw_null = true,
                        Some(Ordering::Equal) => {
                            found = true;
                            break;
                        }
                        _ => {}
                    }
                }
                if found {
                    Value::bool(!neg)
                } else if saw_null {
                    Value::Null
                } else {
                    Value::bool(*neg)
                }
            }
            BExpr::InSub(a, sp, neg) => {
                let v = self.eval(a, env)?;
                let res = self.sub_result(sp, env)?;
                if res.rows.is_empty() {
                    return Ok(Value::bool(*neg));
                }
                if v.is_null() {
                    return Ok(Value::Null);
                }
                let is_str = matches!(v, Value::Str(_));
                let mut found = res.keys.contains(&v.key());
                if !found && ((is_str && res.has_other) || (!is_str && res.has_str)) {
                    found = res.rows.iter().any(|r| sql_cmp(&v, &r[0]) == Some(Ordering::Equal));
                }
                if found {
                    Value::bool(!neg)
                } else if res.has_null {
                    Value::Null
                } else {
                    Value::bool(*neg)
                }
            }
            BExpr::Exists(sp, neg) => {
                let res = self.sub_result(sp, env)?;
                Value::bool(res.rows.is_empty() == *neg)
            }
            BExpr::Scalar(sp) => {
                let res = self.sub_result(sp, env)?;
                match res.rows.len() {
                    0 => Value::Null,
                    1 => res.rows[0][0].clone(),
                    _ => return Err(SqlError::new(Code::SubqueryNoOneRow, "Subquery returns more than 1 row")),
                }
            }
            BExpr::Case(operand, whens, else_) => {
                let o = match operand {
                    Some(o) => Some(self.eval(o, env)?),
                    None => None,
                };
                for (w, t) in whens {
                    let wv = self.eval(w, env)?;
                    let hit = match &o {
                        Some(ov) => sql_cmp(ov, &wv) == Some(Ordering::Equal),
                        None => wv.truth() == Some(true),
                    };
                    if hit {
                        return self.eval(t, env);
                    }
                }
                match else_ {
                    Some(e) => self.eval(e, env)?,
                    None => Value::Null,
                }
            }
            BExpr::Cast(a, t) => cast(&self.eval(a, env)?, *t, false)?,
            BExpr::Like(a, p, neg) => {
                let v = self.eval(a, env)?;
                let pv = self.eval(p, env)?;
                if v.is_null() || pv.is_null() {
                    return Ok(Value::Null);
                }
                Value::bool(like(&text(&v), &text(&pv)) != *neg)
            }
            BExpr::Func(name, args) => self.func(name, args, env)?,
        })
    }

    fn sub_result(&self, sp: &SubPlan, env: &Env) -> SqlResult<Rc<SubResult>> {
        if !sp.correlated {
            if let Some(r) = sp.cache.borrow().as_ref() {
                return Ok(r.clone());
            }
        }
        let rows = self.run(&sp.plan, Some(env))?;
        let mut keys = HashSet::new();
        let (mut has_null, mut has_str, mut has_other) = (false, false, false);
        for r in &rows {
            match r.first() {
                Some(Value::Null) | None => has_null = true,
                Some(v) => {
                    if matches!(v, Value::Str(_)) {
                        has_str = true
                    } else {
                        has_other = true
                    }
                    keys.insert(v.key());
                }
            }
        }
        let res = Rc::new(SubResult { rows, keys, has_null, has_str, has_other });
        if !sp.correlated {
            *sp.cache.borrow_mut() = Some(res.clone());
        }
        Ok(res)
    }

    fn func(&self, name: &str, args: &[BExpr], env: &Env) -> SqlResult<Value> {
        // lazily evaluated functions
        match name {
            "coalesce" => {
                for a in args {
                    let v = self.eval(a, env)?;
                    if !v.is_null() {
                        return Ok(v);
                    }
                }
                return Ok(Value::Null);
            }
            "ifnull" => {
                let v = self.eval(&args[0], env)?;
                return if v.is_null() { self.eval(&args[1], env) } else { Ok(v) };
            }
            "if" => {
                let c = self.eval(&args[0], env)?.truth();
                return self.eval(&args[if c == Some(true) { 1 } else { 2 }], env);
            }
            _ => {}
        }
        let v: Vec<Value> = args.iter().map(|a| self.eval(a, env)).collect::<SqlResult<_>>()?;
        let null_in = v.iter().any(|x| x.is_null());
        let strict_null = !matches!(name, "concat_ws" | "nullif" | "greatest" | "least" | "isnull" | "rand" | "char");
        if null_in && strict_null {
            return Ok(Value::Null);
        }
        let int = |i: usize| v[i].to_i64().unwrap_or(0);
        let f = |i: usize| v[i].to_f64().unwrap_or(0.0);
        let s = |i: usize| text(&v[i]);
        Ok(match name {
            "abs" => match v[0].numeric() {
                Value::Int(i) => match i.checked_abs() {
                    Some(a) => Value::Int(a),
                    None => Value::Decimal(Decimal { m: (i as i128).abs(), s: 0 }),
                },
                Value::Decimal(d) => Value::Decimal(Decimal { m: d.m.abs(), s: d.s }),
                Value::Double(x) => Value::Double(x.abs()),
                o => o,
            },
            "nullif" => {
                if sql_cmp(&v[0], &v[1]) == Some(Ordering::Equal) {
                    Value::Null
                } else {
                    v[0].clone()
                }
            }
            "concat" => Value::Str(v.iter().map(text).collect()),
            "concat_ws" => {
                if v[0].is_null() {
                    return Ok(Value::Null);
                }
                let sep = s(0);
                Value::Str(v[1..].iter().filter(|x| !x.is_null()).map(text).collect::<Vec<_>>().join(&sep))
            }
            "length" | "octet_length" => Value::Int(s(0).len() as i64),
            "char_length" | "character_length" => Value::Int(s(0).chars().count() as i64),
            "upper" | "ucase" => Value::Str(s(0).to_uppercase()),
            "lower" | "lcase" => Value::Str(s(0).to_lowercase()),
            "substring" | "substr" | "mid" => {
                let chars: Vec<char> = s(0).chars().collect();
                let n = chars.len() as i64;
                let pos = int(1);
                let start = if pos > 0 {
                    pos - 1
                } else if pos < 0 {
                    n + pos
                } else {
                    return Ok(Value::Str(String::new()));
                };
                if start < 0 || start >= n {
                    return Ok(Value::Str(String::new()));
                }
                let len = if v.len() > 2 { int(2).max(0) } else { n };
                let end = start.saturating_add(len).min(n);
                Value::Str(chars[start as usize..end as usize].iter().collect())
            }
            "left" => Value::Str(s(0).chars().take(int(1).max(0) as usize).collect()),
            "right" => {
                let c: Vec<char> = s(0).chars().collect();
                let k = (int(1).max(0) as usize).min(c.len());
                Value::Str(c[c.len() - k..].iter().collect())
            }
            "trim" => Value::Str(s(0).trim_matches(' ').to_string()),
            "ltrim" => Value::Str(s(0).trim_start_matches(' ').to_string()),
            "rtrim" => Value::Str(s(0).trim_end_matches(' ').to_string()),
            "trim_chars" | "ltrim_chars" | "rtrim_chars" => {
                let mut x = s(0);
                let pat = s(1);
                if pat.is_empty() {
                    return Ok(Value::Str(x));
                }
                if name != "rtrim_chars" {
                    while x.starts_with(&pat) {
                        x = x[pat.len()..].to_string();
                    }
                }
                if name != "ltrim_chars" {
                    while x.ends_with(&pat) {
                        x.truncate(x.len() - pat.len());
                    }
                }
                Value::Str(x)
            }
            "replace" => {
                let from = s(1);
                if from.is_empty() {
                    Value::Str(s(0))
                } else {
                    let (x, to) = (s(0), s(2));
                    let hits = x.matches(from.as_str()).count();
                    if (x.len() - hits * from.len()).saturating_add(hits.saturating_mul(to.len())) > MAX_STRING {
                        Value::Null
                    } else {
                        Value::Str(x.replace(&from, &to))
                    }
                }
            }
            "reverse" => Value::Str(s(0).chars().rev().collect()),
            "repeat" => {
                // MySQL returns NULL past max_allowed_packet (64 MiB)
                let (x, n) = (s(0), int(1).clamp(0, 1 << 26) as usize);
                if x.len().saturating_mul(n) > MAX_STRING {
                    Value::Null
                } else {
                    Value::Str(x.repeat(n))
                }
            }
            "space" => Value::Str(" ".repeat(int(0).clamp(0, 1 << 20) as usize)),
            "locate" | "instr" => {
                let (needle, hay) = if name == "instr" { (s(1), s(0)) } else { (s(0), s(1)) };
                let start = if v.len() > 2 { int(2).max(1) as usize - 1 } else { 0 };
                let hc: Vec<char> = hay.to_lowercase().chars().collect();
                let nc: Vec<char> = needle.to_lowercase().chars().collect();
                if start > hc.len() {
                    return Ok(Value::Int(0));
                }
                let pos = (start..=hc.len().saturating_sub(nc.len()))
                    .find(|&i| i + nc.len() <= hc.len() && hc[i..i + nc.len()] == nc[..]);
                Value::Int(pos.map(|p| p as i64 + 1).unwrap_or(0))
            }
            "lpad" | "rpad" => {
                let x: Vec<char> = s(0).chars().collect();
                let n = int(1).clamp(0, 1 << 20) as usize;
                let pad: Vec<char> = s(2).chars().collect();
                if x.len() >= n {
                    return Ok(Value::Str(x[..n].iter().collect()));
                }
                if pad.is_empty() {
                    return Ok(Value::Null);
                }
                let fill: String = pad.iter().cycle().take(n - x.len()).collect();
                let xs: String = x.iter().collect();
                Value::Str(if name == "lpad" { fill + &xs } else { xs + &fill })
            }
            "version" => Value::Str(VERSION.into()),
            "round" | "truncate" => {
                let digits = if v.len() > 1 { int(1) } else { 0 };
                let trunc = name == "truncate";
                match v[0].numeric() {
                    Value::Int(i) if digits >= 0 => Value::Int(i),
                    Value::Int(i) => {
                        let p = 10i128.pow((-digits).min(18) as u32);
                        let q = i as i128 / p;
                        let r = i as i128 % p;
                        let q = if !trunc && r.abs() * 2 >= p { q + (i as i128).signum() } else { q };
                        Value::Int((q * p) as i64)
                    }
                    Value::Decimal(d) => {
                        let sc = digits.clamp(0, 30) as u32;
                        if sc >= d.s {
                            Value::Decimal(d)
                        } else if trunc {
                            let p = 10i128.pow(d.s - sc);
                            Value::Decimal(Decimal { m: d.m / p, s: sc })
                        } else {
                            Value::Decimal(d.rescale(sc))
                        }
                    }
                    Value::Double(x) => {
                        let p = 10f64.powi(digits.clamp(-300, 300) as i32);
                        Value::Double(if trunc { (x * p).trunc() / p } else { (x * p).round() / p })
                    }
                    o => o,
                }
            }
            "floor" | "ceil" | "ceiling" => match v[0].numeric() {
                Value::Int(i) => Value::Int(i),
                Value::Decimal(d) => {
                    let t = d.trunc_i128();
                    let frac = d.m != t * 10i128.pow(d.s);
                    let r = if name == "floor" {
                        if frac && d.m < 0 {
                            t - 1
                        } else {
                            t
                        }
                    } else if frac && d.m > 0 {
                        t + 1
                    } else {
                        t
                    };
                    Value::Int(r as i64)
                }
                Value::Double(x) => Value::Double(if name == "floor" { x.floor() } else { x.ceil() }),
                o => o,
            },
            "mod" => arith(ArithOp::Mod, &v[0], &v[1])?,
            "sign" => Value::Int(match sql_cmp(&v[0].numeric(), &Value::Int(0)) {
                Some(Ordering::Less) => -1,
                Some(Ordering::Greater) => 1,
                _ => 0,
            }),
            "sqrt" => {
                if f(0) < 0.0 {
                    Value::Null
                } else {
                    Value::Double(f(0).sqrt())
                }
            }
            "pow" | "power" => Value::Double(f(0).powf(f(1))),
            "exp" => Value::Double(f(0).exp()),
            "ln" | "log" | "log10" | "log2" => {
                let (x, r) = match name {
                    "log" if v.len() == 2 => (f(1), f(1).ln() / f(0).ln()),
                    "log10" => (f(0), f(0).log10()),
                    "log2" => (f(0), f(0).log2()),
                    _ => (f(0), f(0).ln()),
                };
                if x <= 0.0 || !r.is_finite() {
                    Value::Null
                } else {
                    Value::Double(r)
                }
            }
            "pi" => Value::Double(std::f64::consts::PI),
            "rand" => Value::Double(0.5),
            "greatest" | "least" => {
                if null_in {
                    return Ok(Value::Null);
                }
                let mut best = v[0].clone();
                for x in &v[1..] {
                    let o = sql_cmp(x, &best).unwrap_or(Ordering::Equal);
                    if (name == "greatest" && o == Ordering::Greater) || (name == "least" && o == Ordering::Less) {
                        best = x.clone();
                    }
                }
                best
            }
            "date" => cast(&v[0], SqlType::Date, false)?,
            "year" | "month" | "day" | "dayofmonth" | "hour" | "minute" | "second" => {
                let t = match cast(&v[0], SqlType::DateTime, false)? {
                    Value::DateTime(t) => t,
                    _ => return Ok(Value::Null),
                };
                let secs = t.secs();
                let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
                let rem = secs.rem_euclid(86_400);
                Value::Int(match name {
                    "year" => y,
                    "month" => m as i64,
                    "day" | "dayofmonth" => d as i64,
                    "hour" => rem / 3600,
                    "minute" => rem / 60 % 60,
                    _ => rem % 60,
                })
            }
            "unix_timestamp" => {
                if v.is_empty() {
                    Value::Int(self.now.secs())
                } else {
                    match cast(&v[0], SqlType::DateTime, false)? {
                        Value::DateTime(t) => Value::Int(t.secs()),
                        _ => Value::Null,
                    }
                }
            }
            "from_unixtime" => Value::DateTime(Timestamp::from_secs(int(0))),
            "ascii" => Value::Int(s(0).bytes().next().map(|b| b as i64).unwrap_or(0)),
            "char" => {
                Value::Str(v.iter().filter_map(|x| x.to_i64()).filter_map(|i| char::from_u32(i as u32)).collect())
            }
            "md5" => Value::Str(super::md5::hex(s(0).as_bytes())),
            "strcmp" => Value::Int(match super::value::collate_cmp(&s(0), &s(1)) {
                Ordering::Less => -1,
                Ordering::Equal => 0,
                Ordering::Greater => 1,
            }),
            "isnull" => Value::bool(v[0].is_null()),
            "last_insert_id" => Value::Int(0),
            other => return Err(SqlError::new(Code::SpDoesNotExist, format!("FUNCTION {other} does not exist"))),
        })
    }

    fn truthy(&self, e: &BExpr, env: &Env) -> SqlResult<bool> {
        Ok(self.eval(e, env)?.truth() == Some(true))
    }

    fn all_true(&self, es: &[BExpr], env: &Env) -> SqlResult<bool> {
        for e in es {
            if !self.truthy(e, env)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Runs a query plan.
    pub fn run(&self, plan: &QueryPlan, parent: Option<&Env>) -> SqlResult<Vec<Row>> {
        match plan {
            QueryPlan::Select(s, _) => self.select(s, parent),
            QueryPlan::Values(rows, _) => {
                let empty = Env { row: &[], parent };
                rows.iter().map(|r| r.iter().map(|e| self.eval(e, &empty)).collect()).collect()
            }
            QueryPlan::SetOp { op, all, left, right } => {
                let l = self.run(left, parent)?;
                let r = self.run(right, parent)?;
                let key = |row: &Row| -> Vec<KeyPart> { row.iter().map(|v| v.key()).collect() };
                Ok(match (op, all) {
                    (SetOpKind::Union, true) => {
                        let mut l = l;
                        l.extend(r);
                        l
                    }
                    (SetOpKind::Union, false) => {
                        let mut seen = HashSet::new();
                        l.into_iter().chain(r).filter(|row| seen.insert(key(row))).collect()
                    }
                    (SetOpKind::Except, _) => {
                        let rs: HashSet<Vec<KeyPart>> = r.iter().map(key).collect();
                        let mut seen = HashSet::new();
                        l.into_iter().filter(|row| !rs.contains(&key(row)) && (*all || seen.insert(key(row)))).collect()
                    }
                    (SetOpKind::Intersect, _) => {
                        let rs: HashSet<Vec<KeyPart>> = r.iter().map(key).collect();
                        let mut seen = HashSet::new();
                        l.into_iter().filter(|row| rs.contains(&key(row)) && (*all || seen.insert(key(row)))).collect()
                    }
                })
            }
            QueryPlan::Recursive { anchor, step, all, working, max_depth, .. } => {
                let key = |row: &Row| -> Vec<KeyPart> { row.iter().map(|v| v.key()).collect() };
                let mut seen = HashSet::new();
                let mut out: Vec<Row> = Vec::new();
                let mut last: Vec<Row> = self.run(anchor, parent)?;
                for iteration in 0.. {
                    if !*all {
                        last.retain(|row| seen.insert(key(row)));
                    }
                    if last.is_empty() {
                        break;
                    }
                    if iteration > *max_depth {
                        return Err(SqlError::new(
                            Code::CteMaxRecursionDepth,
                            format!(
                                "Recursive query aborted after {} iterations. Try increasing \
                                 @@cte_max_recursion_depth to a larger value.",
                                iteration
                            ),
                        ));
                    }
                    if out.len() + last.len() > CTE_MAX_ROWS {
                        return Err(SqlError::new(
                            Code::CteMaxRecursionDepth,
                            format!("Recursive query aborted after producing more than {CTE_MAX_ROWS} rows"),
                        ));
                    }
                    out.extend(last.iter().cloned());
                    *working.borrow_mut() = std::mem::take(&mut last);
                    last = self.run(step, parent)?;
                }
                working.borrow_mut().clear();
                Ok(out)
            }
            QueryPlan::Sorted { input, order, limit, offset } => {
                let mut rows = self.run(input, parent)?;
                rows.sort_by(|a, b| order_cmp(order.iter().map(|(i, desc)| (&a[*i], &b[*i], *desc))));
                Ok(rows.into_iter().skip(*offset).take(limit.unwrap_or(usize::MAX)).collect())
            }
        }
    }

    fn select(&self, p: &SelectPlan, parent: Option<&Env>) -> SqlResult<Vec<Row>> {
        let rows = match &p.from {
            Some(f) => self.run_from(f, parent)?,
            None => vec![Vec::new()],
        };
        let rows = match &p.group {
            Some((keys, aggs)) => {
                let width = p.from.as_ref().map(|f| f.width).unwrap_or(0);
                self.group(rows, keys, aggs, keys.is_empty(), width, parent)?
            }
            None => rows,
        };
        let mut out: Vec<(Row, Vec<Value>)> = Vec::with_capacity(rows.len());
        for row in &rows {
            let env = Env { row, parent };
            if let Some(h) = &p.having {
                if !self.truthy(h, &env)? {
                    continue;
                }
            }
            let proj: Row = p.projection.iter().map(|e| self.eval(e, &env)).collect::<SqlResult<_>>()?;
            let keys: Vec<Value> = p.order.iter().map(|(e, _)| self.eval(e, &env)).collect::<SqlResult<_>>()?;
            out.push((proj, keys));
        }
        if p.distinct {
            let mut seen = HashSet::new();
            out.retain(|(r, _)| seen.insert(r.iter().map(|v| v.key()).collect::<Vec<_>>()));
        }
        if !p.order.is_empty() {
            out.sort_by(|a, b| order_cmp(a.1.iter().zip(&b.1).zip(&p.order).map(|((x, y), (_, d))| (x, y, *d))));
        }
        Ok(out.into_iter().skip(p.offset).take(p.limit.unwrap_or(usize::MAX)).map(|(r, _)| r).collect())
    }

    fn group(
        &self,
        rows: Vec<Row>,
        keys: &[BExpr],
        aggs: &[AggCall],
        scalar: bool,
        width: usize,
        parent: Option<&Env>,
    ) -> SqlResult<Vec<Row>> {
        let mut index: HashMap<Vec<KeyPart>, usize> = HashMap::new();
        let mut groups: Vec<(Row, Vec<AggState>)> = Vec::new();
        for row in rows {
            let env = Env { row: &row, parent };
            let k: Vec<KeyPart> = keys.iter().map(|e| self.eval(e, &env).map(|v| v.key())).collect::<SqlResult<_>>()?;
            let gi = match index.get(&k) {
                Some(&g) => g,
                None => {
                    index.insert(k, groups.len());
                    groups.push((row.clone(), aggs.iter().map(|_| AggState::default()).collect()));
                    groups.len() - 1
                }
            };
            let env = Env { row: &row, parent };
            for (a, st) in aggs.iter().zip(groups[gi].1.iter_mut()) {
                let v = match &a.arg {
                    Some(e) => self.eval(e, &env)?,
                    None => Value::Int(1),
                };
                st.add(a, v)?;
            }
        }
        if groups.is_empty() && scalar {
            groups.push((Vec::new(), aggs.iter().map(|_| AggState::default()).collect()));
        }
        let w = width;
        Ok(groups
            .into_iter()
            .map(|(mut first, states)| {
                first.resize(w, Value::Null);
                for (a, st) in aggs.iter().zip(states) {
                    first.push(st.finish(a));
                }
                first
            })
            .collect())
    }

    /// Produces the rows of a FROM clause.
    pub fn run_from(&self, f: &FromPlan, parent: Option<&Env>) -> SqlResult<Vec<Row>> {
        let mut rows: Vec<Row> = vec![Vec::new()];
        for (i, leaf) in f.leaves.iter().enumerate() {
            if i == 0 {
                rows = self.leaf_rows(leaf, parent)?;
                continue;
            }
            let st = &f.steps[i - 1];
            let right = match self.probe_rows(&rows, leaf, st, parent)? {
                Some(right) => right,
                None => self.leaf_rows(leaf, parent)?,
            };
            rows = self.join(rows, right, st, leaf.width, parent)?;
            if !st.post.is_empty() {
                let mut kept = Vec::with_capacity(rows.len());
                for r in rows {
                    if self.all_true(&st.post, &Env { row: &r, parent })? {
                        kept.push(r);
                    }
                }
                rows = kept;
            }
        }
        if !f.post.is_empty() {
            let mut kept = Vec::with_capacity(rows.len());
            for r in rows {
                if self.all_true(&f.post, &Env { row: &r, parent })? {
                    kept.push(r);
                }
            }
            rows = kept;
        }
        Ok(rows)
    }

    fn join(
        &self,
        left: Vec<Row>,
        right: Vec<Row>,
        st: &Step,
        rwidth: usize,
        parent: Option<&Env>,
    ) -> SqlResult<Vec<Row>> {
        let lwidth = left.first().map(|r| r.len());
        let mut out = Vec::new();
        let combine = |l: &Row, r: &Row| -> Row {
            let mut c = Vec::with_capacity(l.len() + r.len());
            c.extend_from_slice(l);
            c.extend_from_slice(r);
            c
        };
        let mut right_matched = vec![false; if st.kind == JoinKind::Right { right.len() } else { 0 }];
        let null_right: Row = vec![Value::Null; rwidth];
        if !st.keys.is_empty() {
            let mut table: HashMap<Vec<KeyPart>, Vec<usize>> = HashMap::new();
            'rows: for (ri, r) in right.iter().enumerate() {
                let env = Env { row: r, parent };
                let mut k = Vec::with_capacity(st.keys.len());
                for (_, re) in &st.keys {
                    let v = self.eval(re, &env)?;
                    if v.is_null() {
                        continue 'rows;
                    }
                    k.push(v.key());
                }
                table.entry(k).or_default().push(ri);
            }
            for l in &left {
                let env = Env { row: l, parent };
                let mut k = Vec::with_capacity(st.keys.len());
                let mut null = false;
                for (le, _) in &st.keys {
                    let v = self.eval(le, &env)?;
                    if v.is_null() {
                        null = true;
                        break;
                    }
                    k.push(v.key());
                }
                let mut matched = false;
                if !null {
                    if let Some(cands) = table.get(&k) {
                        for &ri in cands {
                            let c = combine(l, &right[ri]);
                            if self.all_true(&st.cond, &Env { row: &c, parent })? {
                                matched = true;
                                if st.kind == JoinKind::Right {
                                    right_matched[ri] = true;
                                }
                                out.push(c);
                            }
                        }
                    }
                }
                if !matched && st.kind == JoinKind::Left {
                    out.push(combine(l, &null_right));
                }
            }
        } else {
            for l in &left {
                let mut matched = false;
                for (ri, r) in right.iter().enumerate() {
                    let c = combine(l, r);
                    if self.all_true(&st.cond, &Env { row: &c, parent })? {
                        matched = true;
                        if st.kind == JoinKind::Right {
                            right_matched[ri] = true;
                        }
                        out.push(c);
                    }
                }
                if !matched && st.kind == JoinKind::Left {
                    out.push(combine(l, &null_right));
                }
            }
        }
        if st.kind == JoinKind::Right {
            let lw = lwidth.unwrap_or(0);
            for (ri, m) in right_matched.iter().enumerate() {
                if !m {
                    let mut c = vec![Value::Null; lw];
                    c.extend_from_slice(&right[ri]);
                    out.push(c);
                }
            }
        }
        Ok(out)
    }

    fn leaf_rows(&self, leaf: &Leaf, parent: Option<&Env>) -> SqlResult<Vec<Row>> {
        let rows = match &leaf.source {
            LeafSource::Table { meta, snap, access } => {
                return Ok(self
                    .table_rows(meta, snap, access, &leaf.filters, parent)?
                    .into_iter()
                    .map(|(_, r)| r)
                    .collect())
            }
            LeafSource::Versions { meta, from, to, inclusive_end } => {
                let prefix = catalog::row_prefix(meta.id);
                let end = catalog::prefix_end(&prefix).unwrap_or_default();
                let versions = self.db.row_versions(Bound::Included(&prefix), Bound::Excluded(&end), *from, *to)?;
                let mut out = Vec::new();
                for v in versions {
                    if !inclusive_end && v.start >= *to && v.start != *from {
                        continue;
                    }
                    let mut r = decode_row(&v.value)?;
                    r.resize(meta.columns.len(), Value::Null);
                    r.push(Value::DateTime(v.start));
                    r.push(match v.end {
                        Some(e) => Value::DateTime(e),
                        None => Value::DateTime(Timestamp::parse("2038-01-19 03:14:07.999999").unwrap_or_default()),
                    });
                    out.push(r);
                }
                out
            }
            LeafSource::Rows(rows, _) => rows.clone(),
            LeafSource::Query(p) => self.run(p, parent)?,
            LeafSource::Working(rows, _) => rows.borrow().clone(),
            LeafSource::Join(f) => self.run_from(f, parent)?,
        };
        if leaf.filters.is_empty() {
            return Ok(rows);
        }
        let mut kept = Vec::new();
        for r in rows {
            if self.all_true(&leaf.filters, &Env { row: &r, parent })? {
                kept.push(r);
            }
        }
        Ok(kept)
    }

    /// Reads a table's rows (with row ids) through an access path, keeping
    /// those that pass `filters` (bound on the table's columns).
    pub fn table_rows(
        &self,
        meta: &TableMeta,
        snap: &Snapshot,
        access: &Access,
        filters: &[BExpr],
        parent: Option<&Env>,
    ) -> SqlResult<Vec<(u64, Row)>> {
        Ok(self.rows_within(meta, snap, access, filters, parent, usize::MAX)?.unwrap_or_default())
    }

    /// [`Exec::table_rows`], but a full scan gives up (`None`) once it has
    /// read more than `budget` rows.
    fn rows_within(
        &self,
        meta: &TableMeta,
        snap: &Snapshot,
        access: &Access,
        filters: &[BExpr],
        parent: Option<&Env>,
        budget: usize,
    ) -> SqlResult<Option<Vec<(u64, Row)>>> {
        let ncols = meta.columns.len();
        let mut out = Vec::new();
        let mut err = None;
        let accept = |rowid: u64, bytes: &[u8], out: &mut Vec<(u64, Row)>| -> SqlResult<()> {
            let mut r = decode_row(bytes)?;
            r.resize(ncols, Value::Null);
            if self.all_true(filters, &Env { row: &r, parent })? {
                out.push((rowid, r));
            }
            Ok(())
        };
        let ranges = self.index_ranges(meta, access, parent)?;
        match ranges {
            None => {
                let prefix = catalog::row_prefix(meta.id);
                let mut read = 0usize;
                catalog::scan_prefix(self.db, snap, &prefix, &mut |k, v| {
                    read += 1;
                    if read > budget {
                        return false;
                    }
                    if let Err(e) = accept(catalog::row_key_rowid(k), v, &mut out) {
                        err = Some(e);
                        return false;
                    }
                    true
                })?;
                if read > budget {
                    return Ok(None);
                }
            }
            Some((_, ranges)) => {
                let mut rowids = Vec::new();
                for (lo, hi) in ranges {
                    let hi_b = match &hi {
                        Some(h) => Bound::Excluded(h.as_slice()),
                        None => Bound::Unbounded,
                    };
                    self.db.scan(snap, Bound::Included(lo.as_slice()), hi_b, &mut |k, _| {
                        rowids.push(catalog::index_entry_rowid(k));
                        true
                    })?;
                }
                rowids.sort_unstable();
                rowids.dedup();
                for rid in rowids {
                    if let Some(bytes) = self.db.get(snap, &catalog::row_key(meta.id, rid))? {
                        accept(rid, &bytes, &mut out)?;
                    }
                }
            }
        }
        if let Some(e) = err {
            return Err(e);
        }
        Ok(Some(out))
    }

    /// The rows of a joined table that can match `left` on the step's
    /// probe key (see [`Step::probe`]), or `None` to read the leaf as
    /// usual. The table is read whole if that is cheap (it has no more rows
    /// than a few per distinct key value: a lookup costs a few row reads);
    /// otherwise each distinct key value is looked up in the index. Either
    /// way the join itself then matches rows as it always does.
    fn probe_rows(&self, left: &[Row], leaf: &Leaf, st: &Step, parent: Option<&Env>) -> SqlResult<Option<Vec<Row>>> {
        let (Some((key, index)), LeafSource::Table { meta, snap, .. }) = (st.probe, &leaf.source) else {
            return Ok(None);
        };
        let want_class = column_key_class(meta, meta.indexes[index].columns[0]);
        let mut seen = HashSet::new();
        let mut values = Vec::new();
        for l in left {
            let v = self.eval(&st.keys[key].0, &Env { row: l, parent })?;
            if v.is_null() {
                continue;
            }
            if key_class(&v) != want_class {
                return Ok(None);
            }
            if seen.insert(v.key()) {
                values.push(BExpr::Lit(v));
            }
        }
        // A lookup (index range plus row fetch) costs about as much as
        // reading 8 rows in a scan. Reading at most 4 rows per key before
        // switching to lookups keeps either choice within about 1.6x of
        // the better one without knowing the table's size.
        const ROWS_PER_LOOKUP: usize = 4;
        let budget = values.len().saturating_mul(ROWS_PER_LOOKUP).max(64);
        let rows = match self.rows_within(meta, snap, &Access::Full, &leaf.filters, parent, budget)? {
            Some(rows) => rows,
            None => self.table_rows(meta, snap, &Access::IndexEq { index, values }, &leaf.filters, parent)?,
        };
        Ok(Some(rows.into_iter().map(|(_, r)| r).collect()))
    }

    /// Key ranges `[lo, hi)` of an index access, or None for a full scan.
    #[allow(clippy::type_complexity)]
    fn index_ranges(
        &self,
        meta: &TableMeta,
        access: &Access,
        parent: Option<&Env>,
    ) -> SqlResult<Option<(u64, Vec<(Vec<u8>, Option<Vec<u8>>)>)>> {
        let env = Env { row: &[], parent };
        let (ix, col) = match access {
            Access::Full => return Ok(None),
            Access::IndexEq { index, .. } | Access::IndexRange { index, .. } => {
                let ix = &meta.indexes[*index];
                (ix, ix.columns[0])
            }
        };
        let want_class = column_key_class(meta, col);
        let prefix = catalog::index_prefix(ix.id);
        let key_of = |v: &Value| -> Vec<u8> {
            let mut k = prefix.clone();
            encode_key(v, &mut k);
            k
        };
        match access {
            Access::IndexEq { values, .. } => {
                let mut ranges = Vec::new();
                for e in values {
                    let v = self.eval(e, &env)?;
                    if v.is_null() {
                        continue;
                    }
                    if key_class(&v) != want_class {
                        return Ok(None);
                    }
                    let k = key_of(&v);
                    let end = catalog::prefix_end(&k);
                    ranges.push((k, end));
                }
                Ok(Some((ix.id, ranges)))
            }
            Access::IndexRange { lo, hi, .. } => {
                let lo_v = match lo {
                    Some(e) => Some(self.eval(e, &env)?),
                    None => None,
                };
                let hi_v = match hi {
                    Some(e) => Some(self.eval(e, &env)?),
                    None => None,
                };
                for v in lo_v.iter().chain(hi_v.iter()) {
                    if v.is_null() {
                        return Ok(Some((ix.id, Vec::new())));
                    }
                    if key_class(v) != want_class {
                        return Ok(None);
                    }
                }
                let start = match &lo_v {
                    Some(v) => key_of(v),
                    None => {
                        let mut k = prefix.clone();
                        k.push(want_class);
                        k
                    }
                };
                let end = match &hi_v {
                    Some(v) => catalog::prefix_end(&key_of(v)),
                    None => catalog::prefix_end(&{
                        let mut k = prefix.clone();
                        k.push(want_class);
                        k
                    }),
                };
                Ok(Some((ix.id, vec![(start, end)])))
            }
            Access::Full => Ok(None),
        }
    }
}

/// The key class (see [`key_class`]) of the values an index on column
/// `col` holds: a value of another class cannot be looked up in it.
fn column_key_class(meta: &TableMeta, col: usize) -> u8 {
    if meta.columns[col].ty.is_numeric() {
        0x10
    } else {
        0x20
    }
}

/// Running state of one aggregate.
#[derive(Default)]
pub struct AggState {
    count: i64,
    acc: Option<Value>,
    seen: Option<HashSet<KeyPart>>,
    parts: Vec<String>,
}

impl AggState {
    fn add(&mut self, a: &AggCall, v: Value) -> SqlResult<()> {
        if a.func == AggFunc::CountStar {
            self.count += 1;
            return Ok(());
        }
        if v.is_null() {
            return Ok(());
        }
        if a.distinct && !self.seen.get_or_insert_with(HashSet::new).insert(v.key()) {
            return Ok(());
        }
        self.count += 1;
        match a.func {
            AggFunc::Count | AggFunc::CountStar => {}
            AggFunc::Sum | AggFunc::Avg => {
                let v = match num_or_null(v) {
                    Value::Int(i) => Value::Decimal(Decimal::from_i64(i)),
                    o => o,
                };
                self.acc = Some(match self.acc.take() {
                    None => v,
                    Some(acc) => arith(ArithOp::Add, &acc, &v)?,
                });
            }
            AggFunc::Min | AggFunc::Max => {
                let replace = match &self.acc {
                    None => true,
                    Some(cur) => {
                        let o = sql_cmp(&v, cur).unwrap_or(Ordering::Equal);
                        (a.func == AggFunc::Min && o == Ordering::Less)
                            || (a.func == AggFunc::Max && o == Ordering::Greater)
                    }
                };
                if replace {
                    self.acc = Some(v);
                }
            }
            AggFunc::GroupConcat => self.parts.push(text(&v)),
        }
        Ok(())
    }

    fn finish(self, a: &AggCall) -> Value {
        match a.func {
            AggFunc::Count | AggFunc::CountStar => Value::Int(self.count),
            AggFunc::Sum => self.acc.unwrap_or(Value::Null),
            AggFunc::Avg => match self.acc {
                None => Value::Null,
                Some(Value::Decimal(d)) => match Decimal::checked_div(d, Decimal::from_i64(self.count)) {
                    Some(q) => Value::Decimal(q),
                    None => Value::Double(d.to_f64() / self.count as f64),
                },
                Some(other) => Value::Double(other.to_f64().unwrap_or(0.0) / self.count as f64),
            },
            AggFunc::Min | AggFunc::Max => self.acc.unwrap_or(Value::Null),
            AggFunc::GroupConcat => {
                if self.count == 0 {
                    Value::Null
                } else {
                    Value::Str(self.parts.join(","))
                }
            }
        }
    }
}
