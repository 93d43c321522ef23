//! Control flow and NULLs: `COALESCE`, `IF`, `NULLIF`, `GREATEST`, ….

use std::cmp::Ordering;

use super::Ctx;
use crate::sql::error::SqlResult;
use crate::sql::exec::{Env, Exec};
use crate::sql::plan::BExpr;
use crate::sql::value::{sql_cmp, sql_cmp_in, Collation, Value};

pub(super) fn coalesce(ex: &Exec, args: &[BExpr], env: &Env) -> SqlResult<Value> {
    for a in args {
        let v = ex.eval(a, env)?;
        if !v.is_null() {
            return Ok(v);
        }
    }
    Ok(Value::Null)
}

pub(super) fn ifnull(ex: &Exec, args: &[BExpr], env: &Env) -> SqlResult<Value> {
    let v = ex.eval(&args[0], env)?;
    if v.is_null() {
        ex.eval(&args[1], env)
    } else {
        Ok(v)
    }
}

pub(super) fn if_(ex: &Exec, args: &[BExpr], env: &Env) -> SqlResult<Value> {
    let c = ex.eval(&args[0], env)?.truth();
    ex.eval(&args[if c == Some(true) { 1 } else { 2 }], env)
}

pub(super) fn nullif(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    Ok(if sql_cmp(&v[0], &v[1]) == Some(Ordering::Equal) { Value::Null } else { v[0].clone() })
}

fn extreme(coll: Collation, v: &[Value], want: Ordering) -> Value {
    let mut best = &v[0];
    for x in &v[1..] {
        if sql_cmp_in(coll, x, best) == Some(want) {
            best = x;
        }
    }
    best.clone()
}

pub(super) fn greatest(ctx: &Ctx, v: &[Value]) -> SqlResult<Value> {
    Ok(extreme(ctx.collation, v, Ordering::Greater))
}

pub(super) fn least(ctx: &Ctx, v: &[Value]) -> SqlResult<Value> {
    Ok(extreme(ctx.collation, v, Ordering::Less))
}
