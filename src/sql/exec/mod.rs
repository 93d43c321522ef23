//! The executor: `Exec` (the context of one execution) and the evaluation
//! of bound expressions. Running plans is split by stage: `query` (SELECT,
//! VALUES, set operations, CTEs, sorting), `join` (the FROM clause's
//! joins), `scan` (a leaf's rows: access paths on the versioned store,
//! derived and virtual tables), `aggregate` (grouping, aggregate state),
//! `like` (LIKE patterns). Scalar functions live in `functions/`.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::HashSet;
use std::rc::Rc;

use crate::db::Database;
use crate::time::Timestamp;

use super::ast::{BinOp, CmpOp, UnOp};
use super::error::{Code, SqlError, SqlResult};
use super::params;
use super::plan::*;

mod aggregate;
mod join;
mod like;
mod query;
mod scan;

pub use aggregate::AggState;
pub use like::{like, like_escape};

use super::functions::MysqlRand;
use super::value::{cast, negate, sql_cmp, sql_cmp_in, Collation, Value};

/// The hash map of query execution (groups, hash joins): keyed by values
/// the query computes, hashed with foldhash rather than SipHash.
pub(crate) type KeyMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
/// The hash set of query execution (DISTINCT, set operations).
pub(crate) type KeySet<K> = HashSet<K, foldhash::fast::RandomState>;

/// Execution context.
///
/// A plan is plain data: what running it changes (the result of an
/// uncorrelated subquery, a recursive CTE's working table) lives in the
/// execution's [`ExecState`], so one plan can be executed again, with other
/// parameters, or by two executions at once.
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
    /// What this execution computed and keeps (shared by the `Exec`s of one
    /// execution, such as the one per row of an `UPDATE`).
    pub state: Rc<ExecState>,
    /// The session's `LAST_INSERT_ID()` (`insert_id.rs`).
    pub info: Option<&'a crate::sql::insert_id::SessionInfo>,
    /// The session's diagnostics (warnings, what division by zero does).
    pub diag: Option<&'a crate::sql::diag::Diagnostics>,
}

/// The runtime state of one execution of a plan, by slot: the binder gives
/// each uncorrelated subquery and each recursive CTE of a statement a slot
/// number (fewer than the statement has expressions).
#[derive(Default)]
pub struct ExecState {
    slots: RefCell<Vec<Slot>>,
}

#[derive(Default, Clone)]
enum Slot {
    #[default]
    Empty,
    /// An uncorrelated subquery's result.
    Sub(Rc<SubResult>),
    /// A recursive CTE's rows of the iteration before.
    Working(Vec<Row>),
    /// A `RAND` call's generator.
    Rand(MysqlRand),
}

impl ExecState {
    /// The next number of the `RAND` generator in `slot`, started by `init`
    /// at its first call in this execution.
    pub(crate) fn next_random(&self, slot: usize, init: impl FnOnce() -> SqlResult<MysqlRand>) -> SqlResult<f64> {
        let mut rng = match self.get(slot) {
            Slot::Rand(r) => r,
            _ => init()?,
        };
        let x = rng.next();
        self.set(slot, Slot::Rand(rng));
        Ok(x)
    }

    fn get(&self, slot: usize) -> Slot {
        self.slots.borrow().get(slot).cloned().unwrap_or_default()
    }

    fn set(&self, slot: usize, value: Slot) {
        let mut slots = self.slots.borrow_mut();
        if slots.len() <= slot {
            slots.resize(slot + 1, Slot::Empty);
        }
        slots[slot] = value;
    }
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
    /// A new execution at statement time `now`, with the statement's
    /// parameters and the session's memory limit (`query_memory_limit`).
    pub fn new(db: &'a Database, now: Timestamp, params: &'a [Value], mem_limit: usize) -> Exec<'a> {
        Exec { db, now, params, mem_limit, state: Rc::default(), info: None, diag: None }
    }

    /// Fails with `ER_CAPACITY_EXCEEDED` when `rows` rows of `width`
    /// values are estimated to exceed the memory limit.
    pub(super) fn within_limit(&self, rows: usize, width: usize) -> SqlResult<()> {
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
    pub(super) fn growing(&self, rows: usize, width: usize) -> SqlResult<()> {
        if rows % CHECK_EVERY == 0 {
            self.within_limit(rows, width)?;
        }
        Ok(())
    }
}

/// Evaluates an expression that refers to no row.
pub fn eval_const(ex: &Exec, e: &BExpr) -> SqlResult<Value> {
    ex.eval(e, &Env { row: &[], parent: None })
}

pub(super) fn cmp_result(op: CmpOp, a: &Value, b: &Value) -> Value {
    cmp_result_in(Collation::Default, op, a, b)
}

/// [`cmp_result`] with strings compared under `coll`.
pub(super) fn cmp_result_in(coll: Collation, op: CmpOp, a: &Value, b: &Value) -> Value {
    if op == CmpOp::NullSafeEq {
        return Value::bool(match (a.is_null(), b.is_null()) {
            (true, true) => true,
            (false, false) => sql_cmp_in(coll, a, b) == Some(Ordering::Equal),
            _ => false,
        });
    }
    match sql_cmp_in(coll, a, b) {
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

pub(super) fn text(v: &Value) -> String {
    v.to_text().unwrap_or_default()
}

/// The integer a column or a literal holds, if it is one.
#[inline]
fn int_leaf(e: &BExpr, env: &Env) -> Option<i64> {
    match e {
        BExpr::Col(i) => match env.row.get(*i) {
            Some(Value::Int(x)) => Some(*x),
            _ => None,
        },
        BExpr::Lit(Value::Int(x)) => Some(*x),
        _ => None,
    }
}

pub(super) fn num_or_null(v: Value) -> Value {
    v.numeric()
}

impl<'a> Exec<'a> {
    /// Evaluates an expression. Columns and literals, the leaves of most
    /// expressions, are read here; everything else in [`Exec::eval_node`],
    /// whose frame is large.
    #[inline]
    pub fn eval(&self, e: &BExpr, env: &Env) -> SqlResult<Value> {
        match e {
            BExpr::Col(i) => Ok(env.row.get(*i).cloned().unwrap_or(Value::Null)),
            BExpr::Lit(v) => Ok(v.clone()),
            // integer arithmetic on columns and literals (`k % 100`), the
            // general path's answer without moving values through it
            BExpr::Binary(BinOp::Arith(op), a, b) => match (int_leaf(a, env), int_leaf(b, env)) {
                (Some(x), Some(y)) => match crate::sql::value::int_arith(*op, x, y) {
                    Some(r) => Ok(Value::Int(r)),
                    None => self.eval_node(e, env),
                },
                _ => self.eval_node(e, env),
            },
            _ => self.eval_node(e, env),
        }
    }

    /// [`Exec::eval`] of any expression.
    fn eval_node(&self, e: &BExpr, env: &Env) -> SqlResult<Value> {
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
                BinOp::Arith(op) => {
                    crate::sql::diag::arith_checked(self.diag, *op, &self.eval(a, env)?, &self.eval(b, env)?)?
                }
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
                let coll = a.key_collation();
                let found = if is_str && coll != Collation::Default {
                    // (the kept keys are the default collation's)
                    res.rows.iter().any(|r| sql_cmp_in(coll, &v, &r[0]) == Some(Ordering::Equal))
                } else {
                    res.keys.contains(&v.key())
                        || ((is_str && res.has_other) || (!is_str && res.has_str))
                            && res.rows.iter().any(|r| sql_cmp(&v, &r[0]) == Some(Ordering::Equal))
                };
                if found {
                    Value::bool(!neg)
                } else if res.has_null {
                    Value::Null
                } else {
                    Value::bool(*neg)
                }
            }
            BExpr::RowInSub(l, sp, neg) => {
                // as MySQL: true if a row equals on every column; else
                // NULL if a row might (no column different, one unknown);
                // else false (also for no rows, NULLs in `l` or not)
                let vals = l.iter().map(|e| self.eval(e, env)).collect::<SqlResult<Vec<_>>>()?;
                let res = self.sub_result(sp, env)?;
                let mut unknown = false;
                for r in &res.rows {
                    let mut row = Some(true);
                    for ((e, v), x) in l.iter().zip(&vals).zip(r) {
                        match cmp_result_in(e.key_collation(), CmpOp::Eq, v, x).truth() {
                            Some(false) => {
                                row = Some(false);
                                break;
                            }
                            None => row = None,
                            Some(true) => {}
                        }
                    }
                    match row {
                        Some(true) => return Ok(Value::bool(!neg)),
                        None => unknown = true,
                        Some(false) => {}
                    }
                }
                if unknown {
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
                let coll = a.key_collation();
                let mut unknown = false;
                for r in &res.rows {
                    match cmp_result_in(coll, *op, &v, r.first().unwrap_or(&Value::Null)).truth() {
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
            BExpr::Conform(a, t) => t.checked(self.eval(a, env)?)?,
            BExpr::Like(a, p, escape, neg, coll) => {
                let v = self.eval(a, env)?;
                let pv = self.eval(p, env)?;
                if v.is_null() || pv.is_null() {
                    return Ok(Value::Null);
                }
                Value::bool(like_escape(&text(&v), &text(&pv), *escape, *coll) != *neg)
            }
            BExpr::Collate(a, ..) => self.eval(a, env)?,
            BExpr::CmpIn(op, coll, a, b) => cmp_result_in(*coll, *op, &self.eval(a, env)?, &self.eval(b, env)?),
            BExpr::Func(f, args, slot) => f.eval(self, args, env, *slot)?,
        })
    }

    pub(super) fn sub_result(&self, sp: &SubPlan, env: &Env) -> SqlResult<Rc<SubResult>> {
        if !sp.correlated {
            if let Slot::Sub(r) = self.state.get(sp.slot) {
                return Ok(r);
            }
        }
        let rows = self.run(&sp.plan, Some(env))?;
        let mut keys = KeySet::default();
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
            self.state.set(sp.slot, Slot::Sub(res.clone()));
        }
        Ok(res)
    }

    /// The rows of the recursive CTE iteration before, in `slot`.
    pub(super) fn working(&self, slot: usize) -> Vec<Row> {
        match self.state.get(slot) {
            Slot::Working(rows) => rows,
            _ => Vec::new(),
        }
    }

    /// Keeps `rows` as the recursive CTE iteration before, in `slot`.
    pub(super) fn set_working(&self, slot: usize, rows: Vec<Row>) {
        self.state.set(slot, Slot::Working(rows));
    }

    pub(super) fn truthy(&self, e: &BExpr, env: &Env) -> SqlResult<bool> {
        Ok(self.eval(e, env)?.truth() == Some(true))
    }

    pub(super) fn all_true(&self, es: &[BExpr], env: &Env) -> SqlResult<bool> {
        for e in es {
            if !self.truthy(e, env)? {
                return Ok(false);
            }
        }
        Ok(true)
    }
}
