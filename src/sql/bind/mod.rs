//! The binder/planner: resolves names against the catalog, builds FROM
//! trees with pushed-down filters, equi-join keys and index access paths,
//! and collects aggregates. `mod.rs` holds the `Binder` (what binding
//! needs from the session) and its entry points; `scope` (name
//! resolution), `select` (queries and their clauses), `cte`, `from` (FROM
//! items), `from_plan` (join planning and access paths), `expr`
//! (expressions, aggregates, subqueries), `window` (window functions).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::db::Database;
use crate::time::{not_a_time, quoted, Timestamp};

use super::ast::*;
use super::catalog::Catalog;
use super::diag::{Diagnostics, SqlMode};
use super::error::{Code, SqlError, SqlResult};
use super::exec::{eval_const, Exec};
use super::functions::statement_time;
use super::plan::*;
use super::value::{SqlType, Value};

mod cte;
mod expr;
mod from;
mod from_plan;
mod scope;
mod select;
mod types;
mod window;

pub use expr::{has_aggregate, Aggs};
pub(crate) use from_plan::choose_access;
pub use from_plan::{plan_from, FromPart};
pub use scope::{Scope, ScopeCol};

use expr::{agg_func, children};
use scope::unknown_column;
use window::{extract_windows, has_window, window_misuse};

/// Rows of information_schema tables and table functions: (columns, rows),
/// or None for an unknown name.
pub type VirtualRows<'a> = dyn Fn(&str, &[Value]) -> SqlResult<Option<(Vec<String>, Vec<Row>)>> + 'a;

/// The qualifier under which `INSERT ... ON DUPLICATE KEY UPDATE` sees the
/// values it would have inserted (`VALUES(c)` reads `values().c`).
pub const INSERTED_VALUES: &str = "values()";

/// Provider of the things the binder needs from the session.
pub struct Binder<'a> {
    /// The database.
    db: &'a Database,
    /// The catalog of the session's current state.
    catalog: &'a Catalog,
    /// The current database.
    cur_db: &'a str,
    /// Statement time (NOW()).
    now: Timestamp,
    /// The values of the statement's `?` parameters (for constants the
    /// binder evaluates, such as `LIMIT ?`; elsewhere a parameter stays a
    /// [`BExpr::Param`] of the plan).
    params: &'a [Value],
    /// Nesting depth of views (guards recursion).
    view_depth: Cell<usize>,
    /// Catalogs loaded for AS OF reads, by time.
    asof_catalogs: RefCell<Vec<(Timestamp, Rc<Catalog>)>>,
    /// Rows of information_schema tables and table functions.
    virtual_rows: &'a VirtualRows<'a>,
    /// The common table expressions in scope, innermost last.
    ctes: RefCell<Vec<CteScope>>,
    /// Iterations a recursive CTE may run (`cte_max_recursion_depth`).
    cte_max_depth: usize,
    /// Bytes an intermediate result may hold (`query_memory_limit`).
    query_memory_limit: usize,
    /// The execution slots given out so far (see [`Binder::next_slot`]).
    slots: Cell<usize>,
    /// The session's `LAST_INSERT_ID()` (`insert_id.rs`).
    info: Option<&'a crate::sql::insert_id::SessionInfo>,
    /// The session's `foreign_key_checks` (`constraints.rs`).
    foreign_key_checks: bool,
    /// The session's diagnostics (`diag.rs`).
    pub(super) diag: Option<&'a Diagnostics>,
    /// The session's `sql_mode`.
    sql_mode: SqlMode,
    /// Set once binding read something a later execution of the same
    /// statement may see otherwise (the clock, a parameter's value, a
    /// variable, information_schema rows, a past time): the plan is then
    /// for this execution only (see [`Binder::reusable`]). Shared with the
    /// binders of the views the statement reads.
    volatile: Rc<Cell<bool>>,
}

/// The system variables ReelDB has: readable as `@@name` (also
/// `@@session.name`, `@@global.name`) and listed by `SHOW VARIABLES`.
pub const SYSTEM_VARIABLES: &[&str] = &[
    "autocommit",
    "backtrack_window",
    "cte_max_recursion_depth",
    "foreign_key_checks",
    "query_memory_limit",
    "sql_mode",
    "timestamp",
    "version",
    "warning_count",
];

/// `@@session.x`, `@@global.x`, `@@local.x`: the qualifier of a system
/// variable read as a qualified column.
fn is_scope_prefix(t: &str) -> bool {
    ["@@session", "@@global", "@@local"].iter().any(|p| p.eq_ignore_ascii_case(t))
}

/// A common table expression in scope.
pub enum CteScope {
    /// A definition, bound where it is referenced.
    Def(Rc<Cte>),
    /// A recursive CTE inside its own recursive part: the rows of the
    /// iteration before.
    Working {
        /// The CTE's name.
        name: String,
        /// The execution slot of the rows, filled in by the executor at
        /// each iteration.
        slot: usize,
        /// Column names.
        columns: Vec<String>,
        /// How often the recursive part referred to it.
        used: Cell<usize>,
    },
}

impl CteScope {
    fn name(&self) -> &str {
        match self {
            CteScope::Def(c) => &c.name,
            CteScope::Working { name, .. } => name,
        }
    }
}

impl<'a> Binder<'a> {
    /// A binder for one statement on the catalog `catalog` of `db`, with
    /// `cur_db` as the current database, the statement's `?` parameter
    /// values, and the session's `cte_max_recursion_depth` and
    /// `query_memory_limit`. Its time is the statement time.
    pub fn new(
        db: &'a Database,
        catalog: &'a Catalog,
        cur_db: &'a str,
        params: &'a [Value],
        virtual_rows: &'a VirtualRows<'a>,
        cte_max_depth: usize,
        query_memory_limit: usize,
    ) -> Binder<'a> {
        Binder {
            db,
            catalog,
            cur_db,
            now: statement_time(db),
            params,
            view_depth: Cell::new(0),
            asof_catalogs: RefCell::new(Vec::new()),
            virtual_rows,
            ctes: RefCell::new(Vec::new()),
            cte_max_depth,
            query_memory_limit,
            slots: Cell::new(0),
            info: None,
            foreign_key_checks: true,
            diag: None,
            sql_mode: SqlMode::default(),
            volatile: Rc::new(Cell::new(false)),
        }
    }

    /// This binder with the session's `LAST_INSERT_ID()` (`insert_id.rs`)
    /// and `foreign_key_checks` (`constraints.rs`).
    pub fn with_session(self, info: &'a crate::sql::insert_id::SessionInfo, foreign_key_checks: bool) -> Binder<'a> {
        Binder { info: Some(info), foreign_key_checks, ..self }
    }

    /// This binder with the session's diagnostics and `sql_mode`
    /// (`diag.rs`).
    pub fn with_diagnostics(self, diag: &'a Diagnostics, sql_mode: SqlMode) -> Binder<'a> {
        Binder { diag: Some(diag), sql_mode, ..self }
    }

    /// Whether the session's `sql_mode` has `ONLY_FULL_GROUP_BY`.
    pub(super) fn only_full_group_by(&self) -> bool {
        self.sql_mode.only_full_group_by()
    }

    /// A binder for the query of a view stored in `view_db`: its names
    /// resolve in that database, the statement's CTEs are not visible, and
    /// it is one view deeper. It borrows the AS OF catalogs loaded so far;
    /// [`Binder::end_view`] gives them back.
    pub fn for_view<'v>(&'v self, view_db: &'v str) -> Binder<'v> {
        Binder {
            db: self.db,
            catalog: self.catalog,
            cur_db: view_db,
            now: self.now,
            params: self.params,
            view_depth: Cell::new(self.view_depth.get() + 1),
            asof_catalogs: RefCell::new(self.asof_catalogs.take()),
            virtual_rows: self.virtual_rows,
            ctes: RefCell::new(Vec::new()),
            cte_max_depth: self.cte_max_depth,
            query_memory_limit: self.query_memory_limit,
            slots: Cell::new(self.slots.get()),
            info: self.info,
            foreign_key_checks: self.foreign_key_checks,
            diag: self.diag,
            sql_mode: self.sql_mode,
            volatile: self.volatile.clone(),
        }
    }

    /// Takes back the AS OF catalogs a [`Binder::for_view`] binder loaded,
    /// and continues after the execution slots it gave out.
    pub fn end_view(&self, inner: Binder) {
        self.slots.set(inner.slots.get());
        self.asof_catalogs.replace(inner.asof_catalogs.into_inner());
    }

    /// A new execution slot: where an execution keeps what it computes for
    /// one part of the plan (an uncorrelated subquery's result, a recursive
    /// CTE's working table). Numbered per binder, so the plans one binder
    /// builds can share an execution.
    pub(super) fn next_slot(&self) -> usize {
        let n = self.slots.get();
        self.slots.set(n + 1);
        n
    }

    /// Notes that the plan depends on more than the statement's text, the
    /// catalogue and the session's settings (see [`Binder::reusable`]).
    pub(super) fn volatile(&self) {
        self.volatile.set(true);
    }

    /// Whether the plans this binder built may be executed again for a
    /// later execution of the same statement on the same data, catalogue
    /// and settings: nothing was evaluated while binding (every constant
    /// folded, `LIMIT ?`, a clock function, an AS OF time goes through
    /// [`Binder::exec`]), and no variable or information_schema row was
    /// read.
    pub fn reusable(&self) -> bool {
        !self.volatile.get()
    }

    /// The execution context of the statement being bound (an evaluation
    /// while binding makes the plan [`Binder::volatile`]).
    pub fn exec(&self) -> Exec<'a> {
        self.volatile();
        Exec { info: self.info, diag: self.diag, ..Exec::new(self.db, self.now, self.params, self.query_memory_limit) }
    }

    /// Binds a query.
    pub fn query(&self, q: &Query, parent: Option<&Scope>) -> SqlResult<QueryPlan> {
        if q.with.is_empty() {
            return self.query_body(q, parent);
        }
        let depth = self.ctes.borrow().len();
        self.ctes.borrow_mut().extend(q.with.iter().map(|c| CteScope::Def(Rc::new(c.clone()))));
        let plan = self.query_body(q, parent);
        self.ctes.borrow_mut().truncate(depth);
        plan
    }

    /// The value of the system variable `name` (`@@name`), if it is one
    /// ReelDB has (see [`SYSTEM_VARIABLES`]).
    pub fn system_variable(&self, name: &str) -> Option<Value> {
        self.volatile();
        Some(match name.to_ascii_lowercase().as_str() {
            "autocommit" => Value::Int(i64::from(!self.info.is_some_and(|i| i.manual_commit.get()))),
            "backtrack_window" => Value::Int(self.db.status().window_target_secs as i64),
            "cte_max_recursion_depth" => Value::Int(self.cte_max_depth as i64),
            "foreign_key_checks" => Value::Int(i64::from(self.foreign_key_checks)),
            "query_memory_limit" => Value::Int(self.query_memory_limit as i64),
            "sql_mode" => Value::Str(self.sql_mode.to_string()),
            "warning_count" => Value::Int(self.diag.map_or(0, |d| d.warning_count()) as i64),
            // The clock as set (SET TIMESTAMP), even where commits, which
            // keep time moving forward, would be stamped later.
            "timestamp" => Value::Double(self.db.fixed_clock().unwrap_or(self.now).0 as f64 / 1e6),
            "version" => Value::Str(crate::sql::functions::VERSION.into()),
            _ => return None,
        })
    }

    /// Evaluates a time argument (a TIMESTAMP literal, a string or any
    /// constant time expression).
    pub fn time_arg(&self, e: &Expr) -> SqlResult<Timestamp> {
        // what a time reads depends on the clock when it is bound
        self.volatile();
        to_timestamp(&self.const_arg(e)?)
    }

    /// Evaluates a constant argument. A typed time literal (`TIMESTAMP 'x'`,
    /// `DATETIME 'x'`, `DATE 'x'`) stays its text, so that a time argument
    /// reads it with the one time syntax and an invalid one is reported
    /// by its text (a cast would have made it NULL).
    pub fn const_arg(&self, e: &Expr) -> SqlResult<Value> {
        if let Expr::Cast(inner, SqlType::DateTime | SqlType::Date) = e {
            if let Expr::Lit(v @ Value::Str(_)) = &**inner {
                return Ok(v.clone());
            }
        }
        let scope = Scope::new(Vec::new(), None);
        let b = self.expr(e, &scope, None)?;
        eval_const(&self.exec(), &b)
    }
}

/// The information_schema tables that `FOR SYSTEM_TIME AS OF t` reads as of
/// `t` (the catalog then); the virtual-rows function gets `t` as their
/// argument.
pub const CATALOG_AS_OF_TABLES: [&str; 9] = [
    "information_schema.schemata",
    "information_schema.tables",
    "information_schema.columns",
    "information_schema.views",
    "information_schema.statistics",
    "information_schema.key_column_usage",
    "information_schema.table_constraints",
    "information_schema.referential_constraints",
    "information_schema.check_constraints",
];

/// Converts the value of a time argument to a timestamp: a time, a string in
/// the one time syntax ([`Timestamp::parse`]) or whole seconds since the
/// epoch. Anything else is `ER_BAD_TIME` naming the value.
pub fn to_timestamp(v: &Value) -> SqlResult<Timestamp> {
    match v {
        Value::DateTime(t) => Ok(*t),
        Value::Date(d) => Ok(super::value::date_to_ts(*d)),
        Value::Str(s) => Ok(Timestamp::parse_or_err(s)?),
        Value::Int(i) => Ok(Timestamp::from_secs(*i)),
        Value::Null => Err(SqlError::new(Code::BadTime, not_a_time("NULL"))),
        other => Err(SqlError::new(Code::BadTime, not_a_time(&quoted(&other.to_string())))),
    }
}

/// Splits an AND chain into conjuncts.
pub fn split_and(e: &BExpr, out: &mut Vec<BExpr>) {
    if let BExpr::Binary(BinOp::And, a, b) = e {
        split_and(a, out);
        split_and(b, out);
    } else {
        out.push(e.clone());
    }
}
