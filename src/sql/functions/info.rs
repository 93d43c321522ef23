//! Information functions: `DATABASE()`, `LAST_INSERT_ID()`, `ROW_COUNT()`,
//! the account (`USER()` and its family), `CHARSET()`, `COLLATION()`.

use super::{int, Ctx};
use crate::sql::error::SqlResult;
use crate::sql::value::Value;

/// `USER()`, `CURRENT_USER()`, ...: ReelDB has no accounts; every
/// session is MySQL's first account.
pub(super) fn account(_: &Ctx, _: &[Value]) -> SqlResult<Value> {
    Ok(Value::Str("root@localhost".into()))
}

/// `CHARSET(v)` and `COLLATION(v)`: a string's are the default ones, a
/// number's, a time's or NULL's `binary`.
pub(super) fn charset_of(v: &Value) -> (&'static str, &'static str) {
    match v {
        Value::Str(_) => ("utf8mb4", crate::sql::value::Collation::Default.name()),
        _ => ("binary", "binary"),
    }
}

pub(super) fn database(c: &Ctx, _: &[Value]) -> SqlResult<Value> {
    Ok(c.database.map(|d| Value::Str(d.to_string())).unwrap_or(Value::Null))
}

/// `LAST_INSERT_ID()`, and `LAST_INSERT_ID(n)`, which sets it to `n`
/// (`insert_id.rs`).
pub(super) fn last_insert_id(c: &Ctx, v: &[Value]) -> SqlResult<Value> {
    match (v.first(), c.info) {
        (Some(n), Some(info)) => {
            info.last.set(int(n));
            Ok(Value::Int(int(n)))
        }
        (Some(n), None) => Ok(Value::Int(int(n))),
        (None, info) => Ok(Value::Int(info.map(|i| i.last.get()).unwrap_or(0))),
    }
}

/// `ROW_COUNT()`: the rows the session's previous statement changed
/// (MySQL's affected rows), -1 after one that returned rows or failed, 0
/// after DDL.
pub(super) fn row_count(c: &Ctx, _: &[Value]) -> SqlResult<Value> {
    Ok(Value::Int(c.info.map(|i| i.row_count.get()).unwrap_or(-1)))
}
