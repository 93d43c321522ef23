//! Prepared statements: parsed once, run many times with `?` parameters,
//! and the session's cache of the statements it prepared recently.

use std::cell::RefCell;
use std::rc::Rc;

use super::{front, Session, StatementResult};
use crate::db::Snapshot;
use crate::sql::ast::*;
use crate::sql::catalog::Catalog;
use crate::sql::diag::SqlMode;
use crate::sql::error::{Code, SqlError, SqlResult};
use crate::sql::functions::statement_time;
use crate::sql::plan::QueryPlan;
use crate::sql::translate;
use crate::sql::value::Value;

/// How many statements [`Session::execute_with_params`] keeps prepared,
/// and the longest text it keeps (a long script of `INSERT`s is not worth
/// holding on to).
pub(super) const RECENT_STATEMENTS: usize = 64;
pub(super) const RECENT_MAX_LEN: usize = 16 * 1024;

/// The longest statement whose literals [`Session::execute_lifted`] tries
/// to lift (beyond it the lifted text is unlikely to be short enough to
/// keep).
const LIFT_MAX_LEN: usize = 256 * 1024;

/// A statement parsed once and run many times with `?` parameters
/// ([`Session::prepare`]). Parsing does not depend on the schema, so a
/// prepared statement stays valid across DDL and backtracks: each
/// execution binds it against the catalog of the moment. Cloning is cheap.
#[derive(Debug, Clone)]
pub struct PreparedStatement(Rc<Prepared>);

#[derive(Debug)]
struct Prepared {
    sql: String,
    /// Number of `?` placeholders.
    params: usize,
    form: Form,
    /// A query's plan from its last execution, for the next one (see
    /// [`Session::query_prepared`]).
    plan: RefCell<Option<CachedPlan>>,
}

/// A query's plan kept for the next execution of its statement, with what
/// it was bound against: the next execution reuses it only on the same
/// session, data version, catalogue and settings.
struct CachedPlan {
    key: PlanKey,
    /// The catalogue bound against (held, so that a new one is never
    /// mistaken for it).
    catalog: Rc<Catalog>,
    /// The data read (held likewise: an uncommitted version a snapshot
    /// holds is copied, not changed, by a later write).
    snap: Snapshot,
    plan: QueryPlan,
}

impl std::fmt::Debug for CachedPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CachedPlan")
    }
}

/// The session state a plan was bound under, beside the data and the
/// catalogue: which session, its data epoch (every statement that may
/// change data, schema or the transaction, and every change made to the
/// database from outside SQL, starts a new one), the current database and
/// the settings binding reads.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct PlanKey {
    pub(super) session: u64,
    pub(super) epoch: u64,
    pub(super) cur_db: String,
    pub(super) sql_mode: SqlMode,
    pub(super) fk_checks: bool,
    pub(super) memory: usize,
    pub(super) cte_depth: usize,
}

impl PlanKey {
    /// Whether `other` is the same but for the data epoch.
    pub(super) fn same_settings(&self, other: &PlanKey) -> bool {
        PlanKey { epoch: other.epoch, ..self.clone() } == *other
    }
}

#[derive(Debug)]
enum Form {
    /// Parsed; placeholders are [`Expr::Param`]s.
    Parsed(Box<Stmt>),
    /// A statement ReelDB parses itself (`BACKTRACK TO ?`, `SET TIMESTAMP
    /// = ?`): its parameters are bound into its text as literals at each
    /// execution.
    Text(StmtClass),
}

impl PreparedStatement {
    /// The statement's text.
    pub fn sql(&self) -> &str {
        &self.0.sql
    }

    /// How many `?` parameters an execution takes.
    pub fn param_count(&self) -> usize {
        self.0.params
    }

    /// Whether the statement reads, writes, or controls transactions or time.
    pub fn class(&self) -> StmtClass {
        match &self.0.form {
            Form::Parsed(s) => s.class(),
            Form::Text(c) => *c,
        }
    }

    /// Runs the statement with `params` (one per `?`, in order); a wrong
    /// count fails with `ER_WRONG_ARGUMENTS`.
    pub fn execute(&self, session: &mut Session, params: &[Value]) -> SqlResult<StatementResult> {
        let p = &*self.0;
        if params.len() != p.params {
            return Err(crate::sql::params::wrong_count(p.params, params.len()));
        }
        match &p.form {
            Form::Parsed(stmt) => self.execute_parsed(session, stmt, params.to_vec(), &p.sql),
            Form::Text(_) => {
                let sql = crate::sql::params::bind_values(&p.sql, params)
                    .map_err(|e| SqlError::new(Code::WrongArguments, e.0))?;
                session.execute_one(&sql)
            }
        }
    }

    /// Runs the statement of a text's lifted literals
    /// ([`Session::prepare_lifted`]) with their `values`, `sql` (the text as
    /// written) standing for it in the commit summary.
    pub fn execute_lifted(&self, session: &mut Session, values: Vec<Value>, sql: &str) -> SqlResult<StatementResult> {
        match &self.0.form {
            Form::Parsed(stmt) => self.execute_parsed(session, stmt, values, sql),
            Form::Text(_) => self.execute(session, &values),
        }
    }

    /// Runs the parsed statement with `params`, `sql` standing for it in
    /// the commit summary.
    fn execute_parsed(
        &self,
        session: &mut Session,
        stmt: &Stmt,
        params: Vec<Value>,
        sql: &str,
    ) -> SqlResult<StatementResult> {
        let outer = std::mem::replace(&mut session.params, params);
        let outer_running = session.running.replace(self.clone());
        let r = session.execute_parsed(sql, stmt);
        session.params = outer;
        session.running = outer_running;
        r
    }

    /// Whether the plan of the last execution is kept for the next one (a
    /// query whose binding evaluated nothing; see
    /// [`Session::query_prepared`]). Whether the next execution may use it
    /// depends on what changed meanwhile.
    pub fn has_plan(&self) -> bool {
        self.0.plan.borrow().is_some()
    }

    /// Whether `q` is this statement's query itself (not a query inside
    /// another statement).
    pub(super) fn is_query(&self, q: &Query) -> bool {
        matches!(&self.0.form, Form::Parsed(s) if matches!(&**s, Stmt::Query(own) if std::ptr::eq(&**own, q)))
    }

    /// The names of the columns the statement returns in the current
    /// schema (empty for a statement that returns no rows).
    pub fn columns(&self, session: &mut Session) -> SqlResult<Vec<String>> {
        let Form::Parsed(stmt) = &self.0.form else { return Ok(Vec::new()) };
        let Stmt::Query(q) = &**stmt else { return Ok(Vec::new()) };
        let outer = std::mem::replace(&mut session.params, vec![Value::Null; self.0.params]);
        let r = session.with_binder(|b| Ok(b.query(q, None)?.columns()));
        session.params = outer;
        r
    }
}

impl Session {
    /// Prepares one statement with `?` placeholders: parsed once, run by
    /// [`PreparedStatement::execute`] with parameter values.
    pub fn prepare(sql: &str) -> SqlResult<PreparedStatement> {
        let params = crate::sql::params::placeholders(sql).len();
        let form = match Session::parse(sql) {
            Ok(stmt) => Form::Parsed(Box::new(stmt)),
            // A statement ReelDB parses itself reads its parameters as
            // literals: it is checked with NULLs in their place.
            Err(e) if params > 0 => {
                let nulls = vec![Value::Null; params];
                match crate::sql::params::bind_values(sql, &nulls)
                    .ok()
                    .and_then(|s| front::parse_front(&s).ok().flatten())
                {
                    Some(stmt) => Form::Text(stmt.class()),
                    None => return Err(e),
                }
            }
            Err(e) => return Err(e),
        };
        Ok(PreparedStatement(Rc::new(Prepared { sql: sql.to_string(), params, form, plan: RefCell::new(None) })))
    }

    /// [`Session::prepare`] through a cache of the statements prepared
    /// recently (by text; the 64 used last, each of at most 16 KiB).
    pub fn prepare_cached(&mut self, sql: &str) -> SqlResult<PreparedStatement> {
        if let Some(p) = self.recent.get(sql) {
            return Ok(p.clone());
        }
        let p = Session::prepare(sql)?;
        if sql.len() <= RECENT_MAX_LEN {
            self.recent.insert(sql.to_string(), p.clone());
        }
        Ok(p)
    }

    /// Runs `sql` as the text of its lifted literals
    /// ([`translate::lift_literals`]) with their values as parameters,
    /// prepared through the cache of recent statements: an `INSERT` that
    /// differs from a recent one only in its values is not parsed again.
    /// `None` (nothing run) where no literal is lifted, the text is too long
    /// to keep or does not parse (the statement as written then reports its
    /// own error).
    pub(super) fn execute_lifted(&mut self, sql: &str) -> Option<SqlResult<StatementResult>> {
        let (p, values) = self.prepare_lifted(sql)?;
        Some(p.execute_lifted(self, values, sql))
    }

    /// The statement of `sql`'s lifted literals, prepared through the cache
    /// of recent statements, and the literals' values: what
    /// [`Session::execute_lifted`] runs. `None` where it runs nothing.
    pub fn prepare_lifted(&mut self, sql: &str) -> Option<(PreparedStatement, Vec<Value>)> {
        if sql.len() > LIFT_MAX_LEN {
            return None;
        }
        let (text, values) = translate::lift_literals(sql)?;
        if text.len() > RECENT_MAX_LEN {
            return None;
        }
        let p = self.prepare_cached(&text).ok()?;
        (matches!(p.0.form, Form::Parsed(_)) && p.0.params == values.len()).then_some((p, values))
    }

    /// Runs one statement with `?` parameters (the statement is prepared
    /// once and kept among the recent ones, so running the same text again
    /// skips parsing).
    pub fn execute_with_params(&mut self, sql: &str, params: &[Value]) -> SqlResult<StatementResult> {
        self.prepare_cached(sql)?.execute(self, params)
    }

    /// Runs the query of the prepared statement running (`p`), with the
    /// plan of its last execution where that is still valid: the same
    /// session, data epoch and settings ([`PlanKey`]), the same catalogue
    /// and the same data version. A plan is kept only when binding
    /// evaluated nothing and read no variable ([`Binder::reusable`]) and
    /// gave no warning, so an execution with the kept plan returns what
    /// binding anew would.
    ///
    /// [`Binder::reusable`]: crate::sql::bind::Binder::reusable
    pub(super) fn query_prepared(&mut self, p: &PreparedStatement, q: &Query) -> SqlResult<StatementResult> {
        let key = self.plan_key();
        let catalog = self.catalog()?;
        let snap = self.db.current();
        {
            let cached = p.0.plan.borrow();
            let valid = |c: &&CachedPlan| c.key == key && Rc::ptr_eq(&c.catalog, &catalog) && c.snap.same(&snap);
            if let Some(c) = cached.as_ref().filter(valid) {
                let rows = self.exec(statement_time(&self.db)).run(&c.plan, None)?;
                return Ok(StatementResult::Rows { columns: c.plan.columns(), rows });
            }
        }
        let warnings = self.diag.warning_count();
        let (plan, reusable) = self.with_binder(|b| Ok((b.query(q, None)?, b.reusable())))?;
        let reusable = reusable && self.diag.warning_count() == warnings;
        let rows = self.exec(statement_time(&self.db)).run(&plan, None)?;
        let columns = plan.columns();
        *p.0.plan.borrow_mut() = reusable.then_some(CachedPlan { key, catalog, snap, plan });
        Ok(StatementResult::Rows { columns, rows })
    }
}
