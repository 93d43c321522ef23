//! The executor: evaluates bound expressions and runs query plans on the
//! versioned store (index and full scans, hash and nested-loop joins,
//! grouping, sorting, set operations).

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::ops::Bound;
use std::rc::Rc;

use crate::db::{Database, Snapshot};
use crate::time::Timestamp;

use super::ast::{BinOp, CmpOp, JoinKind, SetOpKind, UnOp};
use super::catalog::{self, decode_row, encode_key, TableMeta};
use super::error::{Code, SqlError, SqlResult};
use super::params;
use super::plan::*;
use super::value::{arith, cast, collate_char, negate, order_cmp, sql_cmp, ArithOp, Decimal, KeyPart, Value};

/// Execution context.
pub struct Exec<'a> {
    /// The database.
    pub db: &'a Database,
    /// Statement time.
    pub now: Timestamp,
    /// The values of the statement's `?` parameters.
    pub params: &'a [Value],
    /// Estimated bytes one intermediate result (a join's or a derived
    /// table's rows, the rows to sort or group) may hold
    /// (`query_memory_limit`).
    pub mem_limit: usize,
    /// The session's `LAST_INSERT_ID()` (`insert_id.rs`).
    pub last_insert_id: Option<&'a std::cell::Cell<i64>>,
}

/// The default `query_memory_limit`: what a browser tab can spend on one
/// query's intermediate results next to everything else it holds.
pub const QUERY_MEMORY_LIMIT: usize = 256 << 20;

/// Estimated bytes of one value and of one row besides its values (the
/// same on every target, so that a query fails alike everywhere).
const VALUE_BYTES: usize = 32;
const ROW_BYTES: usize = 24;

/// How often (in rows) a growing result is checked against the limit.
const CHECK_EVERY: usize = 4096;

/// The rows visible to an expression: the current row and the rows of the
/// enclosing queries.
pub struct Env<'e> {
    /// Current row.
    pub row: &'e [Value],
    /// Enclosing query's environment.
    pub parent: Option<&'e Env<'e>>,
}

impl<'a> Exec<'a> {
    /// A context with no parameters and the default memory limit.
    pub fn new(db: &'a Database, now: Timestamp) -> Exec<'a> {
        Exec { db, now, params: &[], mem_limit: QUERY_MEMORY_LIMIT, last_insert_id: None }
    }

    /// Fails with `ER_CAPACITY_EXCEEDED` when `rows` rows of `width`
    /// values are estimated to exceed the memory limit.
    fn within_limit(&self, rows: usize, width: usize) -> SqlResult<()> {
        let bytes = rows.saturating_mul(width.saturating_mul(VALUE_BYTES).saturating_add(ROW_BYTES));
        if bytes <= self.mem_limit {
            return Ok(());
        }
        Err(SqlError::new(
            Code::CapacityExceeded,
            format!(
                "Memory capacity of {} bytes for 'query_memory_limit' exceeded: an intermediate result of the \
                 query reached {rows} rows of {width} columns. Add join conditions or filters, or raise the \
                 limit with SET @@query_memory_limit = <bytes>",
                self.mem_limit
            ),
        ))
    }

    /// [`Exec::within_limit`] for a result as it grows: checked every
    /// [`CHECK_EVERY`] rows.
    fn growing(&self, rows: usize, width: usize) -> SqlResult<()> {
        if rows % CHECK_EVERY == 0 {
            self.within_limit(rows, width)?;
        }
        Ok(())
    }
}

/// The first `keep` items of a stable sort by `cmp` (ties in the order
/// pushed), holding at most about twice `keep` items at a time: when the
/// buffer fills, it is sorted and cut back to `keep`.
struct TopN<T, F: Fn(&T, &T) -> Ordering> {
    keep: usize,
    buf: Vec<T>,
    cmp: F,
}

impl<T, F: Fn(&T, &T) -> Ordering> TopN<T, F> {
    fn new(keep: usize, cmp: F) -> Self {
        TopN { keep, buf: Vec::new(), cmp }
    }

    fn push(&mut self, item: T) {
        if self.keep == 0 {
            return;
        }
        self.buf.push(item);
        if self.buf.len() >= self.keep.saturating_mul(2).max(CHECK_EVERY) {
            self.buf.sort_by(&self.cmp);
            self.buf.truncate(self.keep);
        }
    }

    fn finish(mut self) -> Vec<T> {
        self.buf.sort_by(&self.cmp);
        self.buf.truncate(self.keep);
        self.buf
    }
}

/// Evaluates an expression that refers to no row.
pub fn eval_const(ex: &Exec, e: &BExpr) -> SqlResult<Value> {
    ex.eval(e, &Env { row: &[], parent: None })
}

/// Rows a recursive common table expression may produce: a bound on memory
/// (each iteration may multiply the rows), where a server would have a
/// statement time limit.
const CTE_MAX_ROWS: usize = 1_000_000;

/// One element of a LIKE pattern.
#[derive(Clone, Copy, PartialEq)]
enum LikeTok {
    /// `%`: any run of characters.
    Any,
    /// `_`: one character.
    One,
    /// A character, as the collation compares it.
    Char(char),
}

fn like_match(s: &[char], p: &[LikeTok]) -> bool {
    // iterative matcher, backtracking to the last '%'
    let (mut si, mut pi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match p.get(pi) {
            Some(LikeTok::Any) => {
                star = Some((pi, si));
                pi += 1;
                continue;
            }
            Some(LikeTok::One) => {
                si += 1;
                pi += 1;
                continue;
            }
            Some(LikeTok::Char(c)) if *c == s[si] => {
                si += 1;
                pi += 1;
                continue;
            }
            _ => {}
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
    while p.get(pi) == Some(&LikeTok::Any) {
        pi += 1;
    }
    pi == p.len()
}

/// SQL `s LIKE p ESCAPE escape`: `%` and `_` wildcards, `escape` before a
/// character takes it literally; characters compare as the collation
/// compares them (case- and accent-insensitive, [`collate_char`]).
pub fn like_escape(s: &str, p: &str, escape: char) -> bool {
    let s: Vec<char> = s.chars().map(collate_char).collect();
    let mut toks = Vec::with_capacity(p.len());
    let mut it = p.chars().peekable();
    while let Some(c) = it.next() {
        toks.push(match c {
            c if c == escape && it.peek().is_some() => LikeTok::Char(collate_char(it.next().unwrap_or(c))),
            '%' => LikeTok::Any,
            '_' => LikeTok::One,
            c => LikeTok::Char(collate_char(c)),
        });
    }
    like_match(&s, &toks)
}

/// SQL LIKE with the default escape character `\\`.
pub fn like(s: &str, p: &str) -> bool {
    like_escape(s, p, '\\')
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
            BExpr::Param(i) => {
                self.params.get(*i).cloned().ok_or_else(|| params::wrong_count(*i + 1, self.params.len()))?
            }
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
            BExpr::Quantified(a, op, sp, all) => {
                // ANY: true if one comparison is; ALL: false if one is;
                // otherwise NULL if one was unknown (an empty subquery:
                // ANY false, ALL true)
                let v = self.eval(a, env)?;
                let res = self.sub_result(sp, env)?;
                let mut unknown = false;
                for r in &res.rows {
                    match cmp_result(*op, &v, r.first().unwrap_or(&Value::Null)).truth() {
                        Some(b) if b != *all => return Ok(Value::bool(b)),
                        None => unknown = true,
                        _ => {}
                    }
                }
                if unknown {
                    Value::Null
                } else {
                    Value::bool(*all)
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
            BExpr::Like(a, p, escape, neg) => {
                let v = self.eval(a, env)?;
                let pv = self.eval(p, env)?;
                if v.is_null() || pv.is_null() {
                    return Ok(Value::Null);
                }
                Value::bool(like_escape(&text(&v), &text(&pv), *escape) != *neg)
            }
            BExpr::Func(f, args) => f.eval(self, args, env)?,
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
                let keep = limit.map_or(usize::MAX, |l| l.saturating_add(*offset));
                let mut top = TopN::new(keep, |a: &Row, b: &Row| {
                    order_cmp(order.iter().map(|(i, desc)| (&a[*i], &b[*i], *desc)))
                });
                self.run(input, parent)?.into_iter().for_each(|r| top.push(r));
                Ok(top.finish().into_iter().skip(*offset).collect())
            }
        }
    }

    fn select(&self, p: &SelectPlan, parent: Option<&Env>) -> SqlResult<Vec<Row>> {
        let rows = match &p.from {
            Some(f) => self.run_from(f, parent)?,
            None => vec![Vec::new()],
        };
        let mut rows = match &p.group {
            Some((keys, aggs)) => {
                // the group's first row, then the window slots
                let width = p.window_base + p.windows.len();
                self.group(rows, keys, aggs, keys.is_empty(), width, parent)?
            }
            None => rows,
        };
        if let Some(h) = &p.having {
            let mut kept = Vec::with_capacity(rows.len());
            for row in rows {
                if self.truthy(h, &Env { row: &row, parent })? {
                    kept.push(row);
                }
            }
            rows = kept;
        }
        if !p.windows.is_empty() {
            super::window::compute(self, &mut rows, &p.windows, p.window_base, parent)?;
        }
        // ORDER BY ... LIMIT keeps only the rows it may return
        let keep = p.limit.map_or(usize::MAX, |l| l.saturating_add(p.offset));
        let mut top = TopN::new(keep, |a: &(Row, Vec<Value>), b: &(Row, Vec<Value>)| {
            order_cmp(a.1.iter().zip(&b.1).zip(&p.order).map(|((x, y), (_, d))| (x, y, *d)))
        });
        let mut seen = HashSet::new();
        let mut pushed = 0usize;
        let width = p.projection.len() + p.order.len();
        for row in &rows {
            let env = Env { row, parent };
            let proj: Row = p.projection.iter().map(|e| self.eval(e, &env)).collect::<SqlResult<_>>()?;
            if p.distinct && !seen.insert(proj.iter().map(|v| v.key()).collect::<Vec<_>>()) {
                continue;
            }
            let keys: Vec<Value> = p.order.iter().map(|(e, _)| self.eval(e, &env)).collect::<SqlResult<_>>()?;
            top.push((proj, keys));
            pushed += 1;
            if pushed % CHECK_EVERY == 0 {
                self.within_limit(top.buf.len() + seen.len(), width)?;
            }
        }
        Ok(top.finish().into_iter().skip(p.offset).map(|(r, _)| r).collect())
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
                    self.growing(groups.len(), width + keys.len() + aggs.len())?;
                    groups.len() - 1
                }
            };
            let env = Env { row: &row, parent };
            for (a, st) in aggs.iter().zip(groups[gi].1.iter_mut()) {
                let v = match &a.arg {
                    Some(e) => self.eval(e, &env)?,
                    None => Value::Int(1),
                };
                let more = a.more.iter().map(|e| self.eval(e, &env)).collect::<SqlResult<Vec<_>>>()?;
                let order = a.order.iter().map(|(e, _)| self.eval(e, &env)).collect::<SqlResult<Vec<_>>>()?;
                st.add(a, v, &more, order)?;
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
            // the accumulated rows' width comes from the plan: they may be none
            let lwidth = f.leaves[..i].iter().map(|l| l.width).sum();
            rows = self.join(rows, right, st, lwidth, leaf.width, parent)?;
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
        if let Some(perm) = &f.perm {
            for r in rows.iter_mut() {
                let joined = std::mem::take(r);
                *r = perm.iter().map(|&i| joined[i].clone()).collect();
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
        lwidth: usize,
        rwidth: usize,
        parent: Option<&Env>,
    ) -> SqlResult<Vec<Row>> {
        let mut out = Vec::new();
        let combine = |l: &Row, r: &Row| -> Row {
            let mut c = Vec::with_capacity(l.len() + r.len());
            c.extend_from_slice(l);
            c.extend_from_slice(r);
            c
        };
        let mut right_matched = vec![false; if st.kind == JoinKind::Right { right.len() } else { 0 }];
        let null_right: Row = vec![Value::Null; rwidth];
        // the equi-join key values of each row; None: a NULL key, no match
        let key_values = |rows: &[Row], left_side: bool| -> SqlResult<Vec<Option<Vec<Value>>>> {
            let mut out = Vec::with_capacity(rows.len());
            'rows: for r in rows {
                let env = Env { row: r, parent };
                let mut k = Vec::with_capacity(st.keys.len());
                for (le, re) in &st.keys {
                    let v = self.eval(if left_side { le } else { re }, &env)?;
                    if v.is_null() {
                        out.push(None);
                        continue 'rows;
                    }
                    k.push(v);
                }
                out.push(Some(k));
            }
            Ok(out)
        };
        let lkeys = key_values(&left, true)?;
        let rkeys = key_values(&right, false)?;
        // Hashing finds what `=` matches only when each key's values are of
        // one key class on both sides (a string equals a number or a date
        // by converting it); otherwise every pair is compared.
        let hashed = (0..st.keys.len()).all(|j| {
            let mut classes = lkeys.iter().chain(&rkeys).flatten().map(|k| catalog::key_class(&k[j]));
            let first = classes.next();
            classes.all(|c| Some(c) == first)
        });
        let hash = |k: &[Value]| -> Vec<KeyPart> {
            if hashed {
                k.iter().map(Value::key).collect()
            } else {
                Vec::new()
            }
        };
        let mut table: HashMap<Vec<KeyPart>, Vec<usize>> = HashMap::new();
        for (ri, k) in rkeys.iter().enumerate() {
            if let Some(k) = k {
                table.entry(hash(k)).or_default().push(ri);
            }
        }
        for (l, lk) in left.iter().zip(&lkeys) {
            let mut matched = false;
            if let Some(lk) = lk {
                for &ri in table.get(&hash(lk)).map_or(&[][..], |v| v) {
                    if !hashed {
                        let rk = rkeys[ri].as_deref().unwrap_or_default();
                        if !lk.iter().zip(rk).all(|(a, b)| sql_cmp(a, b) == Some(Ordering::Equal)) {
                            continue;
                        }
                    }
                    let c = combine(l, &right[ri]);
                    if self.all_true(&st.cond, &Env { row: &c, parent })? {
                        matched = true;
                        if st.kind == JoinKind::Right {
                            right_matched[ri] = true;
                        }
                        out.push(c);
                        self.growing(out.len(), lwidth + rwidth)?;
                    }
                }
            }
            if !matched && st.kind == JoinKind::Left {
                out.push(combine(l, &null_right));
                self.growing(out.len(), lwidth + rwidth)?;
            }
        }
        if st.kind == JoinKind::Right {
            for (ri, m) in right_matched.iter().enumerate() {
                if !m {
                    let mut c = vec![Value::Null; lwidth];
                    c.extend_from_slice(&right[ri]);
                    out.push(c);
                    self.growing(out.len(), lwidth + rwidth)?;
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
                // A period that ends before it starts (`BETWEEN a AND b`
                // with a > b) or an empty one (`FROM t TO t`) holds no row.
                if *from > *to || (!*inclusive_end && *from == *to) {
                    return Ok(Vec::new());
                }
                let versions = self.db.row_versions(Bound::Included(&prefix), Bound::Excluded(&end), *from, *to)?;
                let mut out = Vec::new();
                for v in versions {
                    if !inclusive_end && v.start >= *to {
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
        self.within_limit(rows.len(), leaf.width)?;
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
        let ty = &meta.columns[meta.indexes[index].columns[0]].ty;
        let mut seen = HashSet::new();
        let mut values = Vec::new();
        for l in left {
            let v = self.eval(&st.keys[key].0, &Env { row: l, parent })?;
            if v.is_null() {
                continue;
            }
            let Some(v) = catalog::index_key_value(ty, &v) else {
                return Ok(None);
            };
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
        let ty = &meta.columns[col].ty;
        let want_class = catalog::type_key_class(ty);
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
                    let Some(v) = catalog::index_key_value(ty, &v) else {
                        return Ok(None);
                    };
                    let k = key_of(&v);
                    let end = catalog::prefix_end(&k);
                    ranges.push((k, end));
                }
                Ok(Some((ix.id, ranges)))
            }
            Access::IndexRange { lo, hi, .. } => {
                let bound = |e: &Option<BExpr>| -> SqlResult<Result<Option<Value>, bool>> {
                    // Err(true): a NULL bound, no row; Err(false): no index key
                    let Some(e) = e else { return Ok(Ok(None)) };
                    let v = self.eval(e, &env)?;
                    if v.is_null() {
                        return Ok(Err(true));
                    }
                    Ok(catalog::index_key_value(ty, &v).map(Some).ok_or(false))
                };
                let (lo_v, hi_v) = match (bound(lo)?, bound(hi)?) {
                    (Err(true), _) | (_, Err(true)) => return Ok(Some((ix.id, Vec::new()))),
                    (Ok(lo_v), Ok(hi_v)) => (lo_v, hi_v),
                    _ => return Ok(None),
                };
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

/// Running state of one aggregate.
#[derive(Default, Clone)]
pub struct AggState {
    count: i64,
    acc: Option<Value>,
    seen: Option<HashSet<Vec<KeyPart>>>,
    /// GROUP_CONCAT's parts with their ORDER BY values.
    parts: Vec<(String, Vec<Value>)>,
}

impl AggState {
    /// Adds a row's value `v` (with the further values of `COUNT(DISTINCT
    /// a, b, ...)` in `more`, and GROUP_CONCAT's ORDER BY values).
    pub(crate) fn add(&mut self, a: &AggCall, v: Value, more: &[Value], order: Vec<Value>) -> SqlResult<()> {
        if a.func == AggFunc::CountStar {
            self.count += 1;
            return Ok(());
        }
        if v.is_null() || more.iter().any(Value::is_null) {
            return Ok(());
        }
        if a.distinct {
            let key = std::iter::once(&v).chain(more).map(Value::key).collect();
            if !self.seen.get_or_insert_with(HashSet::new).insert(key) {
                return Ok(());
            }
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
            AggFunc::GroupConcat => self.parts.push((text(&v), order)),
        }
        Ok(())
    }

    pub(crate) fn finish(self, a: &AggCall) -> Value {
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
                    return Value::Null;
                }
                let mut parts = self.parts;
                if !a.order.is_empty() {
                    parts.sort_by(|x, y| {
                        order_cmp(x.1.iter().zip(&y.1).zip(&a.order).map(|((p, q), (_, d))| (p, q, *d)))
                    });
                }
                Value::Str(parts.into_iter().map(|(s, _)| s).collect::<Vec<_>>().join(&a.separator))
            }
        }
    }
}
