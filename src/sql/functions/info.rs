//! Information functions: `DATABASE()`, `LAST_INSERT_ID()`.

use super::{int, Ctx};
use crate::sql::error::SqlResult;
use crate::sql::value::Value;

pub(super) fn database(c: &Ctx, _: &[Value]) -> SqlResult<Value> {
    Ok(c.database.map(|d| Value::Str(d.to_string())).unwrap_or(Value::Null))
}

/// `LAST_INSERT_ID()`, and `LAST_INSERT_ID(n)`, which sets it to `n`
/// (`insert_id.rs`).
pub(super) fn last_insert_id(c: &Ctx, v: &[Value]) -> SqlResult<Value> {
    match (v.first(), c.last_insert_id) {
        (Some(n), Some(cell)) => {
            cell.set(int(n));
            Ok(Value::Int(int(n)))
        }
        (Some(n), None) => Ok(Value::Int(int(n))),
        (None, cell) => Ok(Value::Int(cell.map(|c| c.get()).unwrap_or(0))),
    }
}
