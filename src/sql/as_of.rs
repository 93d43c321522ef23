//! `asOf` views: running a query with every table it reads pinned at one
//! time, as if each named `FOR SYSTEM_TIME AS OF` that time (the
//! JavaScript API's `db.asOf(t)`; usable natively).

use std::fmt;

use super::ast::{Expr, Query, SelectItem, SetExpr, Stmt, TableRef, Temporal, WindowSpec};
use super::lex::{self, Kind};
use super::{Session, SqlError, StatementResult, Value};
use crate::db::{Database, Snapshot};
use crate::time::Timestamp;

/// How a read "as of `t`" picks its time: `t` itself when it is not after
/// the engine's clock, else `None`, the current state (the timeline holds
/// nothing later; MariaDB's `FOR SYSTEM_TIME AS OF` a future time reads the
/// current rows too). Used by `FOR SYSTEM_TIME AS OF` and `reeldb_diff`.
pub(crate) fn past_time(db: &Database, t: Timestamp) -> Option<Timestamp> {
    (t <= db.now()).then_some(t)
}

/// The state a read as of `t` sees (see [`past_time`]): the state that was
/// current at `t`, or the current state for a time after the clock.
pub(crate) fn read_as_of(db: &Database, t: Timestamp) -> crate::Result<Snapshot> {
    match past_time(db, t) {
        Some(t) => db.as_of(t),
        None => Ok(db.current()),
    }
}

/// Why a query could not run as of a time.
#[derive(Debug, Clone, PartialEq)]
pub enum AsOfError {
    /// The statement is not a query (the JavaScript API's `READ_ONLY`).
    NotAQuery,
    /// Some SELECT of the query could not be pinned (`NOT_SUPPORTED`).
    Unpinned,
    /// The query failed.
    Sql(SqlError),
}

impl fmt::Display for AsOfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AsOfError::NotAQuery => f.write_str("an asOf view runs queries only (SELECT)"),
            AsOfError::Unpinned => f.write_str(
                "an asOf view could not pin every SELECT of this query; use FOR SYSTEM_TIME AS OF in the query",
            ),
            AsOfError::Sql(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for AsOfError {}

impl From<SqlError> for AsOfError {
    fn from(e: SqlError) -> AsOfError {
        AsOfError::Sql(e)
    }
}

/// Pins every table a query reads at one time (see [`Session::execute_as_of`]).
struct Pin<'a> {
    at: &'a Expr,
    /// SELECT blocks visited.
    seen: usize,
    /// Names of the common table expressions in scope: references to them
    /// are not tables (their definitions are pinned instead).
    ctes: Vec<String>,
}

fn pin_query(q: &mut Query, p: &mut Pin) {
    let depth = p.ctes.len();
    for c in &mut q.with {
        // A CTE sees only the ones before it, and itself if recursive.
        if c.recursive {
            p.ctes.push(c.name.clone());
        }
        pin_query(&mut c.query, p);
        if !c.recursive {
            p.ctes.push(c.name.clone());
        }
    }
    pin_set(&mut q.body, p);
    for o in &mut q.order_by {
        pin_expr(&mut o.expr, p);
    }
    for e in q.limit.iter_mut().chain(q.offset.iter_mut()) {
        pin_expr(e, p);
    }
    p.ctes.truncate(depth);
}

/// Pins the subqueries inside an expression.
fn pin_expr(e: &mut Expr, p: &mut Pin) {
    match e {
        Expr::Lit(_) | Expr::Param(_) | Expr::Column { .. } => {}
        Expr::Unary(_, a)
        | Expr::IsNull(a, _)
        | Expr::IsBool(a, _, _)
        | Expr::Cast(a, _)
        | Expr::Collate(a, _)
        | Expr::Interval(a, _) => pin_expr(a, p),
        Expr::Binary(_, a, b) | Expr::Like { expr: a, pattern: b, .. } => {
            pin_expr(a, p);
            pin_expr(b, p);
        }
        Expr::Between { expr, low, high, .. } => {
            pin_expr(expr, p);
            pin_expr(low, p);
            pin_expr(high, p);
        }
        Expr::InList { expr, list, .. } => {
            pin_expr(expr, p);
            list.iter_mut().for_each(|x| pin_expr(x, p));
        }
        Expr::InSubquery { expr, query, .. } | Expr::Quantified { expr, query, .. } => {
            pin_expr(expr, p);
            pin_query(query, p);
        }
        Expr::Exists(q, _) | Expr::Subquery(q) => pin_query(q, p),
        Expr::Case { operand, whens, else_ } => {
            if let Some(o) = operand {
                pin_expr(o, p);
            }
            for (w, t) in whens {
                pin_expr(w, p);
                pin_expr(t, p);
            }
            if let Some(x) = else_ {
                pin_expr(x, p);
            }
        }
        Expr::Func { args, .. } | Expr::Row(args) => args.iter_mut().for_each(|x| pin_expr(x, p)),
        Expr::Window { args, spec, .. } => {
            args.iter_mut().for_each(|x| pin_expr(x, p));
            pin_window(spec, p);
        }
        Expr::GroupConcat { args, order_by, .. } => {
            args.iter_mut().chain(order_by.iter_mut().map(|o| &mut o.expr)).for_each(|x| pin_expr(x, p))
        }
        Expr::WindowRef(_) | Expr::Default => {}
    }
}

/// Pins the subqueries inside a window specification.
fn pin_window(w: &mut WindowSpec, p: &mut Pin) {
    w.partition_by.iter_mut().chain(w.order_by.iter_mut().map(|o| &mut o.expr)).for_each(|x| pin_expr(x, p));
}

fn pin_set(s: &mut SetExpr, p: &mut Pin) {
    match s {
        SetExpr::Select(sel) => {
            p.seen += 1;
            for t in &mut sel.from {
                pin_table(t, p);
            }
            for item in &mut sel.items {
                if let SelectItem::Expr { expr, .. } = item {
                    pin_expr(expr, p);
                }
            }
            for e in sel.filter.iter_mut().chain(sel.group_by.iter_mut()).chain(sel.having.iter_mut()) {
                pin_expr(e, p);
            }
            for (_, w) in &mut sel.windows {
                pin_window(w, p);
            }
        }
        SetExpr::Values(rows) => rows.iter_mut().flatten().for_each(|e| pin_expr(e, p)),
        SetExpr::SetOp { left, right, .. } => {
            pin_set(left, p);
            pin_set(right, p);
        }
        SetExpr::Query(q) => pin_query(q, p),
    }
}

fn pin_table(t: &mut TableRef, p: &mut Pin) {
    match t {
        TableRef::Table { name, temporal, .. } => {
            let is_cte = name.db.is_none() && p.ctes.iter().any(|c| c.eq_ignore_ascii_case(&name.name));
            if temporal.is_none() && !is_cte {
                *temporal = Some(Temporal::AsOf(p.at.clone()));
            }
        }
        TableRef::Derived { query, .. } => pin_query(query, p),
        TableRef::Function { args, .. } => args.iter_mut().for_each(|x| pin_expr(x, p)),
        TableRef::Join { left, right, on, .. } => {
            pin_table(left, p);
            pin_table(right, p);
            if let Some(on) = on {
                pin_expr(on, p);
            }
        }
    }
}

/// How many times the word SELECT occurs in `sql` outside literals,
/// quoted identifiers and comments.
fn count_selects(sql: &str) -> usize {
    lex::lex(sql).filter(|l| l.kind == Kind::Word && sql[l.start..l.end].eq_ignore_ascii_case("select")).count()
}

impl Session {
    /// Runs the read-only statement `sql` as of `at`: every table it names
    /// is read `FOR SYSTEM_TIME AS OF at` (unless it names its own time).
    pub fn execute_as_of(&mut self, sql: &str, at: Timestamp) -> Result<StatementResult, AsOfError> {
        let mut stmt = Session::parse(sql)?;
        let Stmt::Query(q) = &mut stmt else {
            return Err(AsOfError::NotAQuery);
        };
        let at = Expr::Lit(Value::DateTime(at));
        let mut pin = Pin { at: &at, seen: 0, ctes: Vec::new() };
        pin_query(q, &mut pin);
        // Every SELECT must have been reached, or part of the query would
        // read the current state.
        if pin.seen != count_selects(sql) {
            return Err(AsOfError::Unpinned);
        }
        Ok(self.execute_parsed(sql, &stmt)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn selects_are_counted_outside_literals_and_comments() {
        assert_eq!(count_selects("SELECT 'select' FROM (SELECT 1) x -- select"), 2);
        assert_eq!(count_selects("select `select` from t /* select */"), 1);
    }

    #[test]
    fn every_table_is_read_as_of_the_time() {
        let mut s = Session::in_memory();
        s.execute("SET TIMESTAMP = 1600000000; CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (1)").unwrap();
        s.execute("SET TIMESTAMP = 1600000100; INSERT INTO t VALUES (2)").unwrap();
        let then = Timestamp::from_secs(1_600_000_050);
        let count = |r: StatementResult| match r {
            StatementResult::Rows { rows, .. } => rows[0][0].to_string(),
            StatementResult::Affected(_) => panic!("rows expected"),
        };
        let sql = "WITH c AS (SELECT id FROM t) SELECT COUNT(*) FROM c WHERE id IN (SELECT id FROM t)";
        assert_eq!(count(s.execute_as_of(sql, then).unwrap()), "1");
        assert_eq!(count(s.execute_one(sql).unwrap()), "2");
        assert_eq!(s.execute_as_of("DELETE FROM t", then), Err(AsOfError::NotAQuery));
        assert!(matches!(s.execute_as_of("SELECT * FROM nope", then), Err(AsOfError::Sql(_))));
    }

    #[test]
    fn a_diff_to_a_time_after_the_clock_compares_with_the_current_state() {
        let mut s = Session::in_memory();
        s.execute(
            "SET TIMESTAMP = 1600000000; CREATE TABLE t (id INT PRIMARY KEY, v INT); INSERT INTO t VALUES (1, 10)",
        )
        .unwrap();
        s.execute("SET TIMESTAMP = 1600000100; INSERT INTO t VALUES (2, 20); UPDATE t SET v = 11 WHERE id = 1")
            .unwrap();
        // A backtrack abandons 1600000100's state; the clock stays at 1600000200.
        s.execute("SET TIMESTAMP = 1600000200; BACKTRACK TO TIMESTAMP '2020-09-13 12:26:50'").unwrap();
        let mut rows = |sql: &str| match s.execute_one(sql).unwrap() {
            StatementResult::Rows { rows, .. } => {
                rows.iter().map(|r| r.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(" ")).collect::<Vec<_>>()
            }
            StatementResult::Affected(_) => panic!("rows expected"),
        };
        // From the abandoned future to a time after the clock: the current state (one row, v 10).
        let abandoned = "'2020-09-13 12:28:20'";
        assert_eq!(
            rows(&format!("SELECT change, id, v, old_id, old_v FROM reeldb_diff('t', {abandoned}, '2030-01-01 00:00:00') ORDER BY COALESCE(id, old_id)")),
            ["changed 1 10 1 11", "removed NULL NULL 2 20"]
        );
        // The other way, and a later time against now: no change.
        assert_eq!(
            rows(&format!(
                "SELECT change, id, v FROM reeldb_diff('t', '2030-01-01 00:00:00', {abandoned}) ORDER BY id"
            )),
            ["changed 1 11", "added 2 20"]
        );
        assert!(rows("SELECT * FROM reeldb_diff('t', NOW(), '2030-01-01 00:00:00')").is_empty());
        // Before the earliest time is still an error, with its code.
        s.execute("SET GLOBAL backtrack_window = 60").unwrap();
        let e =
            s.execute_one("SELECT * FROM reeldb_diff('t', '2020-09-13 12:26:40', '2030-01-01 00:00:00')").unwrap_err();
        assert_eq!(e.code, crate::sql::error::Code::BacktrackWindow);
    }
}
