//! A SQL session: the current database, transactions (autocommit, or
//! explicit with statement-level undo), DDL, DML, SHOW, and temporal SQL.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use hashlink::LruCache;

use crate::db::{BacktrackOutcome, BacktrackStatus, BacktrackTarget, Database, EntryKind, RestorePoint};
use crate::time::Timestamp;

use super::ast::*;
use super::bind::{
    plan_from, split_and, to_timestamp, Binder, FromPart, Scope, ScopeCol, CATALOG_AS_OF_TABLES, INSERTED_VALUES,
    SYSTEM_VARIABLES,
};
use super::catalog::*;
use super::constraints::ConstraintState;
use super::error::{Code, SqlError, SqlResult};
use super::exec::{eval_const, like, Exec};
use super::front;
use super::functions::statement_time;
use super::history_import;
use super::insert_id::InsertIds;
use super::plan::{BExpr, LeafSource, Row};
use super::quote;
use super::translate;
use super::value::{cast, order_cmp, sql_cmp, SqlType, Value};

/// The result of one statement.
#[derive(Debug, Clone, PartialEq)]
pub enum StatementResult {
    /// A result set.
    Rows {
        /// Column names.
        columns: Vec<String>,
        /// Rows.
        rows: Vec<Vec<Value>>,
    },
    /// Rows affected (0 for DDL and session statements).
    Affected(u64),
}

/// A SQL session on a database.
pub struct Session {
    pub(super) db: Database,
    cur_db: String,
    explicit_tx: bool,
    tx_summary: Vec<String>,
    tx_rows: u64,
    catalog: Option<Rc<Catalog>>,
    /// `cte_max_recursion_depth`: iterations a recursive CTE may run.
    cte_max_depth: usize,
    /// The parameter values of the statement running (empty outside
    /// [`PreparedStatement::execute`]).
    params: Vec<Value>,
    /// The statements `execute_with_params` prepared recently, by text.
    recent: LruCache<String, PreparedStatement>,
    /// `query_memory_limit`: bytes an intermediate result may hold.
    query_memory_limit: usize,
    /// FOREIGN KEY / CHECK settings (`constraints.rs`).
    pub(super) cons: ConstraintState,
    /// `LAST_INSERT_ID()` (`insert_id.rs`).
    insert_ids: InsertIds,
}

/// How many statements [`Session::execute_with_params`] keeps prepared,
/// and the longest text it keeps (a long script of `INSERT`s is not worth
/// holding on to).
const RECENT_STATEMENTS: usize = 64;
const RECENT_MAX_LEN: usize = 16 * 1024;

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
            return Err(super::params::wrong_count(p.params, params.len()));
        }
        match &p.form {
            Form::Parsed(stmt) => {
                let outer = std::mem::replace(&mut session.params, params.to_vec());
                let r = session.execute_parsed(&p.sql, stmt);
                session.params = outer;
                r
            }
            Form::Text(_) => {
                let sql =
                    super::params::bind_values(&p.sql, params).map_err(|e| SqlError::new(Code::WrongArguments, e.0))?;
                session.execute_one(&sql)
            }
        }
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

const SUMMARY_MAX: usize = 200;

/// The range `SET TIMESTAMP` accepts (µs): 0000-01-01 00:00:00 to
/// 9999-12-31 23:59:59.999999.
const CLOCK_MIN: i64 = -62_167_219_200_000_000;
const CLOCK_MAX: i64 = 253_402_300_799_999_999;

/// MySQL's default `cte_max_recursion_depth`.
const CTE_MAX_RECURSION_DEPTH: usize = 1000;

fn summary_of(sql: &str) -> String {
    let s: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > SUMMARY_MAX {
        s.chars().take(SUMMARY_MAX - 3).collect::<String>() + "..."
    } else {
        s
    }
}

fn no_table(db: &str, t: &str) -> SqlError {
    SqlError::new(Code::NoSuchTable, format!("Table '{db}.{t}' doesn't exist"))
}

fn ts_value(t: Timestamp) -> Value {
    Value::DateTime(t)
}

impl Session {
    /// A session on a new in-memory database.
    pub fn in_memory() -> Session {
        Session::new(Database::in_memory())
    }

    /// A session on a database.
    pub fn new(db: Database) -> Session {
        Session {
            db,
            cur_db: DEFAULT_DB.into(),
            explicit_tx: false,
            tx_summary: Vec::new(),
            tx_rows: 0,
            catalog: None,
            cte_max_depth: CTE_MAX_RECURSION_DEPTH,
            params: Vec::new(),
            recent: LruCache::new(RECENT_STATEMENTS),
            query_memory_limit: super::exec::QUERY_MEMORY_LIMIT,
            cons: ConstraintState::default(),
            insert_ids: InsertIds::default(),
        }
    }

    /// The underlying database.
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// The underlying database, mutably.
    pub fn database_mut(&mut self) -> &mut Database {
        self.catalog = None;
        &mut self.db
    }

    /// The current database name; empty when none is selected (after
    /// `DROP DATABASE` of the current one).
    pub fn current_database(&self) -> &str {
        &self.cur_db
    }

    /// Whether an explicit transaction is open.
    pub fn in_transaction(&self) -> bool {
        self.explicit_tx
    }

    pub(super) fn catalog(&mut self) -> SqlResult<Rc<Catalog>> {
        if let Some(c) = &self.catalog {
            return Ok(c.clone());
        }
        let c = Rc::new(Catalog::load(&self.db, &self.db.current())?);
        self.catalog = Some(c.clone());
        Ok(c)
    }

    /// Executes one or more `;`-separated statements. Stops at the first
    /// error; a failed statement has no effect. A history dump (a script
    /// that sets `system_versioning_insert_history = 1`) is imported as a
    /// whole by [`Session::import_history`]: one result, the row versions
    /// imported.
    pub fn execute(&mut self, sql: &str) -> SqlResult<Vec<StatementResult>> {
        if history_import::is_history_dump(sql) {
            return Ok(vec![StatementResult::Affected(self.import_history(sql)?)]);
        }
        let mut out = Vec::new();
        for piece in front::split(sql)? {
            out.push(self.execute_one(&piece)?);
        }
        Ok(out)
    }

    /// Runs a script as one transaction: one timeline entry, all or
    /// nothing (a statement that fails rolls back every earlier one; a
    /// script that does not parse runs nothing). A script that controls
    /// transactions or time itself (`BEGIN`, `COMMIT`, `ROLLBACK`,
    /// `BACKTRACK`, restore points, `SET TIMESTAMP`, `SET
    /// backtrack_window`) runs statement by statement as
    /// [`Session::execute`] does; inside an open transaction the statements
    /// join it. A history dump is imported as [`Session::execute`] does.
    pub fn execute_atomically(&mut self, sql: &str) -> SqlResult<Vec<StatementResult>> {
        if history_import::is_history_dump(sql) {
            return self.execute(sql);
        }
        let pieces = front::split(sql)?;
        let parsed = pieces.iter().map(|p| Session::parse(p)).collect::<SqlResult<Vec<_>>>()?;
        let controls = parsed.iter().any(|s| s.class() == StmtClass::Control);
        let own_tx = !controls && !self.explicit_tx;
        if own_tx {
            self.execute_parsed("BEGIN", &Stmt::Begin)?;
        }
        let mut out = Vec::with_capacity(parsed.len());
        for (piece, stmt) in pieces.iter().zip(&parsed) {
            match self.execute_parsed(piece, stmt) {
                Ok(r) => out.push(r),
                Err(e) => {
                    if own_tx {
                        self.rollback();
                    }
                    return Err(e);
                }
            }
        }
        if own_tx {
            self.execute_parsed("COMMIT", &Stmt::Commit)?;
        }
        Ok(out)
    }

    /// Rolls back the open transaction, if any (`ROLLBACK`).
    pub fn rollback(&mut self) {
        self.db.rollback();
        self.end_transaction();
    }

    /// Forgets the session's transaction state and cached catalog (the
    /// database's transaction is already closed).
    fn end_transaction(&mut self) {
        self.explicit_tx = false;
        self.tx_summary.clear();
        self.tx_rows = 0;
        self.catalog = None;
    }

    /// Makes the state at `target` current again (`BACKTRACK TO …`); an
    /// open transaction is rolled back. A backtrack that fails changes
    /// nothing (an open transaction stays open).
    pub fn backtrack(&mut self, target: BacktrackTarget, clamp: bool) -> crate::Result<BacktrackOutcome> {
        self.catalog = None;
        let outcome = self.db.backtrack(target, clamp)?;
        self.end_transaction();
        Ok(outcome)
    }

    /// Makes `db` the current database (`USE db`).
    pub fn use_database(&mut self, db: &str) -> SqlResult<()> {
        let cat = self.catalog()?;
        if !cat.has_db(db) && !db.eq_ignore_ascii_case("information_schema") {
            return Err(SqlError::new(Code::BadDb, format!("Unknown database '{db}'")));
        }
        self.cur_db = cat.dbs.get(&db.to_ascii_lowercase()).map(|d| d.name.clone()).unwrap_or(db.to_string());
        Ok(())
    }

    /// Names the current time as a restore point (`CREATE RESTORE POINT`).
    pub fn create_restore_point(&mut self, name: &str) -> crate::Result<RestorePoint> {
        self.db.create_restore_point(name)
    }

    /// Drops a restore point (`DROP RESTORE POINT`).
    pub fn drop_restore_point(&mut self, name: &str) -> crate::Result<()> {
        self.db.drop_restore_point(name)
    }

    /// The rows of `table` (`db.t`, or a table of the current database)
    /// that differ between `from` and `to` (`reeldb_diff`): `change`
    /// ("added" | "removed" | "changed"), the columns at `to`, then the
    /// columns at `from` prefixed `old_`.
    pub fn diff(&self, table: &str, from: Timestamp, to: Timestamp) -> SqlResult<StatementResult> {
        let (columns, rows) = table_diff(&self.db, &self.cur_db, table, from, to)?;
        Ok(StatementResult::Rows { columns, rows })
    }

    /// Runs the script `sql` as [`Session::execute`] does if every
    /// statement in it parses and only reads ([`StmtClass::Read`]);
    /// otherwise runs nothing and returns `None`. Lets a caller that must
    /// do more before writing (take a lock) skip that for reads.
    pub fn execute_if_read_only(&mut self, sql: &str) -> SqlResult<Option<Vec<StatementResult>>> {
        let Ok(pieces) = front::split(sql) else { return Ok(None) };
        let mut parsed = Vec::with_capacity(pieces.len());
        for piece in &pieces {
            match Session::parse(piece) {
                Ok(stmt) if stmt.class() == StmtClass::Read => parsed.push(stmt),
                _ => return Ok(None),
            }
        }
        let mut out = Vec::with_capacity(parsed.len());
        for (piece, stmt) in pieces.iter().zip(&parsed) {
            out.push(self.execute_parsed(piece, stmt)?);
        }
        Ok(Some(out))
    }

    /// Parses one statement.
    pub fn parse(sql: &str) -> SqlResult<Stmt> {
        match front::parse_front(sql)? {
            Some(s) => Ok(s),
            None => translate::parse_statement(&front::rewrite_periods(sql)?),
        }
    }

    /// Prepares one statement with `?` placeholders: parsed once, run by
    /// [`PreparedStatement::execute`] with parameter values.
    pub fn prepare(sql: &str) -> SqlResult<PreparedStatement> {
        let params = super::params::placeholders(sql).len();
        let form = match Session::parse(sql) {
            Ok(stmt) => Form::Parsed(Box::new(stmt)),
            // A statement ReelDB parses itself reads its parameters as
            // literals: it is checked with NULLs in their place.
            Err(e) if params > 0 => {
                let nulls = vec![Value::Null; params];
                match super::params::bind_values(sql, &nulls).ok().and_then(|s| front::parse_front(&s).ok().flatten()) {
                    Some(stmt) => Form::Text(stmt.class()),
                    None => return Err(e),
                }
            }
            Err(e) => return Err(e),
        };
        Ok(PreparedStatement(Rc::new(Prepared { sql: sql.to_string(), params, form })))
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

    /// Runs one statement with `?` parameters (the statement is prepared
    /// once and kept among the recent ones, so running the same text again
    /// skips parsing).
    pub fn execute_with_params(&mut self, sql: &str, params: &[Value]) -> SqlResult<StatementResult> {
        self.prepare_cached(sql)?.execute(self, params)
    }

    /// Executes exactly one statement.
    pub fn execute_one(&mut self, sql: &str) -> SqlResult<StatementResult> {
        let stmt = Session::parse(sql)?;
        self.execute_parsed(sql, &stmt)
    }

    /// Executes a statement already parsed (and possibly rewritten) from
    /// `sql`; `sql` is only used for the commit summary.
    pub fn execute_parsed(&mut self, sql: &str, stmt: &Stmt) -> SqlResult<StatementResult> {
        match stmt {
            Stmt::Begin => {
                if self.explicit_tx {
                    self.commit_tx()?;
                }
                self.db.begin();
                self.explicit_tx = true;
                return Ok(StatementResult::Affected(0));
            }
            Stmt::Commit => {
                self.commit_tx()?;
                return Ok(StatementResult::Affected(0));
            }
            Stmt::Rollback => {
                self.rollback();
                return Ok(StatementResult::Affected(0));
            }
            Stmt::Backtrack { target, clamp } => {
                let target = match target {
                    BacktrackTo::RestorePoint(n) => BacktrackTarget::RestorePoint(n.clone()),
                    BacktrackTo::Time(e) => BacktrackTarget::Time(self.time_expr(e)?),
                };
                self.backtrack(target, *clamp)?;
                return Ok(StatementResult::Affected(0));
            }
            Stmt::SetTimestamp(e) => {
                let t = match e {
                    None => None,
                    Some(e) => {
                        // Seconds since the epoch, as in MySQL, or a time in
                        // the one time syntax.
                        let v = self.with_binder(|b| b.const_arg(e))?;
                        let secs = match v.numeric() {
                            _ if matches!(v, Value::Str(_) | Value::DateTime(_) | Value::Date(_)) => to_timestamp(&v)?,
                            Value::Int(i) => Timestamp::from_secs(i),
                            Value::Decimal(d) => Timestamp((d.to_f64() * 1e6).round() as i64),
                            Value::Double(f) => Timestamp((f * 1e6).round() as i64),
                            _ => {
                                return Err(SqlError::new(
                                    Code::WrongArguments,
                                    "Incorrect argument type to variable 'timestamp'",
                                ))
                            }
                        };
                        // The clock stays within the years 0000-9999 that
                        // times are written in (and NOW() computes in).
                        if !(CLOCK_MIN..=CLOCK_MAX).contains(&secs.0) {
                            return Err(SqlError::new(
                                Code::WrongValueForVar,
                                format!("Variable 'timestamp' can't be set to the value of '{v}'"),
                            ));
                        }
                        Some(secs)
                    }
                };
                self.db.set_clock(t);
                return Ok(StatementResult::Affected(0));
            }
            Stmt::SetVariable { name, value, .. } => {
                if name == "backtrack_window" {
                    let v = self.const_expr(value)?;
                    let n = match v.numeric() {
                        Value::Int(i) if i >= 0 => i as u64,
                        _ => {
                            return Err(SqlError::new(
                                Code::WrongArguments,
                                "Incorrect argument type to variable 'backtrack_window'",
                            ))
                        }
                    };
                    self.db.set_window(n)?;
                    return Ok(StatementResult::Affected(0));
                }
                if name == "foreign_key_checks" {
                    self.set_foreign_key_checks(value)?;
                    return Ok(StatementResult::Affected(0));
                }
                if name == "query_memory_limit" {
                    match self.const_expr(value)?.numeric() {
                        Value::Int(i) if i >= 0 => self.query_memory_limit = usize::try_from(i).unwrap_or(usize::MAX),
                        _ => {
                            return Err(SqlError::new(
                                Code::WrongArguments,
                                "Incorrect argument type to variable 'query_memory_limit'",
                            ))
                        }
                    }
                    return Ok(StatementResult::Affected(0));
                }
                if name == "cte_max_recursion_depth" {
                    match self.const_expr(value)?.numeric() {
                        Value::Int(i) if (0..=u32::MAX as i64).contains(&i) => self.cte_max_depth = i as usize,
                        _ => {
                            return Err(SqlError::new(
                                Code::WrongArguments,
                                "Incorrect argument type to variable 'cte_max_recursion_depth'",
                            ))
                        }
                    }
                    return Ok(StatementResult::Affected(0));
                }
                // other session variables are accepted and ignored
                return Ok(StatementResult::Affected(0));
            }
            Stmt::CreateRestorePoint(n) => {
                self.create_restore_point(n)?;
                return Ok(StatementResult::Affected(0));
            }
            Stmt::DropRestorePoint(n) => {
                self.drop_restore_point(n)?;
                return Ok(StatementResult::Affected(0));
            }
            Stmt::Use(db) => {
                self.use_database(db)?;
                return Ok(StatementResult::Affected(0));
            }
            Stmt::Query(q) => return self.query(q),
            Stmt::Show(s) => return self.show(s),
            _ => {}
        }
        // writing statements
        let summary = summary_of(sql);
        if self.explicit_tx {
            self.db.begin();
            let sp = self.db.savepoint();
            match self.write(stmt) {
                Ok(n) => {
                    // only the first SUMMARY_MAX characters are kept at commit
                    if self.tx_summary.iter().map(|s| s.len() + 2).sum::<usize>() <= SUMMARY_MAX {
                        self.tx_summary.push(summary);
                    }
                    self.tx_rows += n;
                    Ok(StatementResult::Affected(n))
                }
                Err(e) => {
                    if let Some(sp) = sp {
                        self.db.restore_savepoint(sp);
                    }
                    self.catalog = None;
                    Err(e)
                }
            }
        } else {
            self.db.begin();
            match self.write(stmt) {
                Ok(n) => match self.db.commit(&summary, n) {
                    Ok(_) => Ok(StatementResult::Affected(n)),
                    Err(e) => {
                        self.catalog = None;
                        Err(e.into())
                    }
                },
                Err(e) => {
                    self.db.rollback();
                    self.catalog = None;
                    Err(e)
                }
            }
        }
    }

    fn commit_tx(&mut self) -> SqlResult<()> {
        let summary =
            if self.tx_summary.is_empty() { "COMMIT".to_string() } else { summary_of(&self.tx_summary.join("; ")) };
        let rows = self.tx_rows;
        self.explicit_tx = false;
        self.tx_summary.clear();
        self.tx_rows = 0;
        if self.db.in_transaction() {
            if let Err(e) = self.db.commit(&summary, rows) {
                self.catalog = None;
                return Err(e.into());
            }
        }
        Ok(())
    }

    pub(super) fn with_binder<T>(&mut self, f: impl FnOnce(&Binder) -> SqlResult<T>) -> SqlResult<T> {
        let cat = self.catalog()?;
        let db = &self.db;
        let cur_db = self.cur_db.clone();
        let vr = |name: &str, args: &[Value]| virtual_rows(db, &cat, &cur_db, name, args);
        let binder = Binder {
            db,
            catalog: &cat,
            cur_db: &cur_db,
            now: statement_time(db),
            params: &self.params,
            view_depth: Cell::new(0),
            asof_catalogs: RefCell::new(Vec::new()),
            virtual_rows: &vr,
            ctes: RefCell::new(Vec::new()),
            cte_max_depth: self.cte_max_depth,
            query_memory_limit: self.query_memory_limit,
            last_insert_id: Some(&self.insert_ids.last),
            foreign_key_checks: self.cons.fk_checks,
        };
        f(&binder)
    }

    pub(super) fn const_expr(&mut self, e: &Expr) -> SqlResult<Value> {
        self.with_binder(|b| {
            let scope =
                Scope { cols: Vec::new(), parent: None, correlated: Cell::new(false), touched: Cell::new(false) };
            let be = b.expr(e, &scope, None)?;
            eval_const(&b.exec(), &be)
        })
    }

    fn time_expr(&mut self, e: &Expr) -> SqlResult<Timestamp> {
        self.with_binder(|b| b.time_arg(e))
    }

    fn query(&mut self, q: &Query) -> SqlResult<StatementResult> {
        self.with_binder(|b| {
            let plan = b.query(q, None)?;
            let rows = b.exec().run(&plan, None)?;
            Ok(StatementResult::Rows { columns: plan.columns(), rows })
        })
    }

    fn rows(columns: &[&str], rows: Vec<Row>) -> StatementResult {
        StatementResult::Rows { columns: columns.iter().map(|s| s.to_string()).collect(), rows }
    }

    fn show(&mut self, s: &Show) -> SqlResult<StatementResult> {
        let cat = self.catalog()?;
        let like_ok = |name: &str, pat: &Option<String>| pat.as_ref().is_none_or(|p| like(name, p));
        Ok(match s {
            Show::Databases(pat) => {
                let mut names: Vec<String> = cat.dbs.values().map(|d| d.name.clone()).collect();
                names.push("information_schema".into());
                names.sort();
                let rows = names.into_iter().filter(|n| like_ok(n, pat)).map(|n| vec![Value::Str(n)]).collect();
                Session::rows(&["Database"], rows)
            }
            Show::Tables(db, pat) => {
                let db = self.db_name(db.as_deref())?;
                if !cat.has_db(&db) {
                    return Err(SqlError::new(Code::BadDb, format!("Unknown database '{db}'")));
                }
                let dbl = db.to_ascii_lowercase();
                let mut names: Vec<String> = cat
                    .tables
                    .iter()
                    .filter(|((d, _), _)| *d == dbl)
                    .map(|(_, t)| t.name.clone())
                    .chain(cat.views.iter().filter(|((d, _), _)| *d == dbl).map(|(_, v)| v.name.clone()))
                    .collect();
                names.sort();
                let rows = names.into_iter().filter(|n| like_ok(n, pat)).map(|n| vec![Value::Str(n)]).collect();
                StatementResult::Rows { columns: vec![format!("Tables_in_{db}")], rows }
            }
            Show::Columns(n) => {
                let t = self.table_meta(&cat, n)?;
                let rows = t
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let key = t
                            .indexes
                            .iter()
                            .find(|ix| ix.columns.first() == Some(&i))
                            .map(|ix| {
                                if ix.primary {
                                    "PRI"
                                } else if ix.unique {
                                    "UNI"
                                } else {
                                    "MUL"
                                }
                            })
                            .unwrap_or("");
                        vec![
                            Value::Str(c.name.clone()),
                            Value::Str(c.ty.name()),
                            Value::Str(if c.not_null { "NO" } else { "YES" }.into()),
                            Value::Str(key.into()),
                            if c.default_now {
                                Value::Str("CURRENT_TIMESTAMP".into())
                            } else {
                                match c.default_value() {
                                    Value::Null => Value::Null,
                                    v => Value::Str(v.to_string()),
                                }
                            },
                            Value::Str(if c.auto_increment { "auto_increment" } else { "" }.into()),
                        ]
                    })
                    .collect();
                Session::rows(&["Field", "Type", "Null", "Key", "Default", "Extra"], rows)
            }
            Show::CreateTable(n) => {
                let t = self.table_meta(&cat, n)?;
                Session::rows(
                    &["Table", "Create Table"],
                    vec![vec![Value::Str(t.name.clone()), Value::Str(create_table_sql(&t))]],
                )
            }
            Show::CreateView(n) => {
                let db = &self.db_name(n.db.as_deref())?;
                if !cat.has_db(db) {
                    return Err(SqlError::new(Code::BadDb, format!("Unknown database '{db}'")));
                }
                let v = cat.view(db, &n.name).ok_or_else(|| no_table(db, &n.name))?;
                Session::rows(
                    &["View", "Create View", "character_set_client", "collation_connection"],
                    vec![vec![
                        Value::Str(v.name.clone()),
                        Value::Str(create_view_sql(&v)),
                        Value::Str("utf8mb4".into()),
                        Value::Str("utf8mb4_0900_ai_ci".into()),
                    ]],
                )
            }
            Show::Indexes(n) => {
                let t = self.table_meta(&cat, n)?;
                let mut rows = Vec::new();
                for ix in &t.indexes {
                    for (seq, c) in ix.columns.iter().enumerate() {
                        rows.push(vec![
                            Value::Str(t.name.clone()),
                            Value::Int(!ix.unique as i64),
                            Value::Str(ix.name.clone()),
                            Value::Int(seq as i64 + 1),
                            Value::Str(t.columns[*c].name.clone()),
                        ]);
                    }
                }
                Session::rows(&["Table", "Non_unique", "Key_name", "Seq_in_index", "Column_name"], rows)
            }
            Show::Status(pat) => {
                let (_, rows) = global_status(&self.db);
                let rows = rows.into_iter().filter(|r| like_ok(&r[0].to_string(), pat)).collect();
                Session::rows(&["Variable_name", "Value"], rows)
            }
            Show::Variables(pat) => {
                let rows = self.with_binder(|b| {
                    Ok(SYSTEM_VARIABLES
                        .iter()
                        .filter(|n| like_ok(n, pat))
                        .filter_map(|n| {
                            Some(vec![Value::Str(n.to_string()), Value::Str(b.system_variable(n)?.to_string())])
                        })
                        .collect())
                })?;
                Session::rows(&["Variable_name", "Value"], rows)
            }
        })
    }

    fn table_meta(&self, cat: &Catalog, n: &ObjName) -> SqlResult<Rc<TableMeta>> {
        let db = &self.db_name(n.db.as_deref())?;
        if !cat.has_db(db) {
            return Err(SqlError::new(Code::BadDb, format!("Unknown database '{db}'")));
        }
        cat.table(db, &n.name).ok_or_else(|| no_table(db, &n.name))
    }

    pub(super) fn next_id(&mut self) -> SqlResult<u64> {
        let cur = self.db.current();
        let n = match self.db.get(&cur, NEXT_ID_KEY)? {
            Some(b) if b.len() == 8 => u64::from_be_bytes(b.try_into().unwrap()),
            _ => 1,
        };
        self.db.put(NEXT_ID_KEY, &(n + 1).to_be_bytes())?;
        Ok(n)
    }

    pub(super) fn put_table(&mut self, t: &TableMeta) -> SqlResult<()> {
        self.db.put(&table_key(&t.db, &t.name), &to_json(t))?;
        self.catalog = None;
        Ok(())
    }

    /// Executes a writing statement inside the open transaction; returns
    /// the number of affected rows.
    fn write(&mut self, stmt: &Stmt) -> SqlResult<u64> {
        let cat = self.catalog()?;
        match stmt {
            Stmt::CreateDatabase { name, if_not_exists } => {
                if cat.has_db(name) || name.eq_ignore_ascii_case("information_schema") {
                    if *if_not_exists {
                        return Ok(0);
                    }
                    return Err(SqlError::new(
                        Code::DbCreateExists,
                        format!("Can't create database '{name}'; database exists"),
                    ));
                }
                self.db.put(&db_key(name), &to_json(&DbMeta { name: name.clone() }))?;
                self.catalog = None;
                Ok(1)
            }
            Stmt::DropDatabase { name, if_exists } => {
                if !cat.has_db(name) || name.eq_ignore_ascii_case(DEFAULT_DB) {
                    if *if_exists {
                        return Ok(0);
                    }
                    return Err(SqlError::new(
                        Code::DbDropExists,
                        format!("Can't drop database '{name}'; database doesn't exist"),
                    ));
                }
                let lname = name.to_ascii_lowercase();
                for ((d, _), t) in cat.tables.iter() {
                    if *d == lname {
                        self.drop_table_data(t)?;
                    }
                }
                for ((d, _), v) in cat.views.iter() {
                    if *d == lname {
                        self.db.delete(&view_key(&v.db, &v.name))?;
                    }
                }
                self.db.delete(&db_key(name))?;
                if self.cur_db.eq_ignore_ascii_case(name) {
                    // as in MySQL, no database is selected any more
                    self.cur_db.clear();
                }
                self.catalog = None;
                Ok(0)
            }
            Stmt::CreateTable {
                name,
                if_not_exists,
                columns,
                primary_key,
                indexes,
                foreign_keys,
                checks,
                as_query,
            } => {
                let db = self.db_of(&cat, name)?;
                if cat.table(&db, &name.name).is_some() || cat.view(&db, &name.name).is_some() {
                    if *if_not_exists {
                        return Ok(0);
                    }
                    return Err(SqlError::new(Code::TableExists, format!("Table '{}' already exists", name.name)));
                }
                let mut columns = columns.clone();
                let mut source_rows = None;
                if let Some(q) = as_query {
                    let r = self.query(q)?;
                    if let StatementResult::Rows { columns: names, rows } = r {
                        for (i, n) in names.iter().enumerate() {
                            if columns.iter().any(|c| c.name.eq_ignore_ascii_case(n)) {
                                continue;
                            }
                            let ty = match rows.iter().map(|r| &r[i]).find(|v| !v.is_null()) {
                                Some(Value::Int(_)) => SqlType::Int,
                                Some(Value::Double(_)) => SqlType::Double,
                                Some(Value::Decimal(d)) => SqlType::Decimal(65, d.s),
                                Some(Value::Date(_)) => SqlType::Date,
                                Some(Value::DateTime(_)) => SqlType::DateTime,
                                _ => SqlType::Text(None),
                            };
                            columns.push(ColumnDef {
                                name: n.clone(),
                                ty,
                                not_null: false,
                                default: None,
                                auto_increment: false,
                                primary_key: false,
                                unique: false,
                            });
                        }
                        source_rows = Some((names, rows));
                    }
                }
                let mut meta = self.build_table(&db, &name.name, &columns, primary_key, indexes)?;
                self.add_constraints(&mut meta, foreign_keys, checks)?; // constraints.rs
                self.put_table(&meta)?;
                let mut n = 0;
                if let Some((names, rows)) = source_rows {
                    let meta = Rc::new(meta);
                    let map: Vec<usize> = names.iter().map(|n| meta.column(n).unwrap_or(0)).collect();
                    for r in rows {
                        self.insert_row(&meta, &map, r.into_iter().map(Some).collect(), false, false, None)?;
                        n += 1;
                    }
                }
                Ok(n)
            }
            Stmt::DropTable { names, if_exists } => {
                let dropping: Vec<(String, String)> = names
                    .iter()
                    .map(|n| Ok((self.db_name(n.db.as_deref())?, n.name.clone())))
                    .collect::<SqlResult<_>>()?;
                for n in names {
                    let db = self.db_name(n.db.as_deref())?;
                    match cat.table(&db, &n.name) {
                        Some(t) => {
                            self.check_drop_parent(&t, &dropping)?; // constraints.rs
                            self.drop_table_data(&t)?
                        }
                        None if *if_exists => {}
                        None => {
                            return Err(SqlError::new(Code::BadTable, format!("Unknown table '{}.{}'", db, n.name)));
                        }
                    }
                }
                self.catalog = None;
                Ok(0)
            }
            Stmt::CreateView { name, or_replace, columns, sql, query } => {
                let db = self.db_of(&cat, name)?;
                if cat.table(&db, &name.name).is_some() || (cat.view(&db, &name.name).is_some() && !or_replace) {
                    return Err(SqlError::new(Code::TableExists, format!("Table '{}' already exists", name.name)));
                }
                if !super::params::placeholders(sql).is_empty() {
                    return Err(SqlError::new(
                        Code::ViewSelectVariable,
                        "View's SELECT contains a variable or parameter",
                    ));
                }
                // validate the query now
                let cols = self.with_binder(|b| Ok(b.query(query, None)?.columns()))?;
                if !columns.is_empty() && columns.len() != cols.len() {
                    return Err(SqlError::new(
                        Code::ViewWrongList,
                        "View's SELECT and view's field list have different column counts",
                    ));
                }
                let v =
                    ViewMeta { db: db.clone(), name: name.name.clone(), columns: columns.clone(), sql: sql.clone() };
                self.db.put(&view_key(&db, &name.name), &to_json(&v))?;
                self.catalog = None;
                Ok(0)
            }
            Stmt::DropView { names, if_exists } => {
                for n in names {
                    let db = self.db_name(n.db.as_deref())?;
                    if cat.view(&db, &n.name).is_some() {
                        self.db.delete(&view_key(&db, &n.name))?;
                    } else if !if_exists {
                        return Err(SqlError::new(Code::BadTable, format!("Unknown table '{}.{}'", db, n.name)));
                    }
                }
                self.catalog = None;
                Ok(0)
            }
            Stmt::CreateIndex { name, table, columns, unique, if_not_exists } => {
                let t = self.table_meta(&cat, table)?;
                if t.indexes.iter().any(|ix| ix.name.eq_ignore_ascii_case(name)) {
                    if *if_not_exists {
                        return Ok(0);
                    }
                    return Err(SqlError::new(Code::DupKeyName, format!("Duplicate key name '{name}'")));
                }
                let cols = columns
                    .iter()
                    .map(|c| {
                        t.column(c).ok_or_else(|| {
                            SqlError::new(Code::BadField, format!("Key column '{c}' doesn't exist in table"))
                        })
                    })
                    .collect::<SqlResult<Vec<_>>>()?;
                let id = self.next_id()?;
                let ix = IndexMeta { id, name: name.clone(), columns: cols, unique: *unique, primary: false };
                let mut meta = (*t).clone();
                meta.indexes.push(ix);
                let meta = Rc::new(meta);
                let pos = meta.indexes.len() - 1;
                for (rowid, row) in self.all_rows(&meta)? {
                    self.check_unique(&meta, &row, rowid, Some(pos))?;
                    self.put_index_entry(&meta.indexes[pos], &row, rowid)?;
                }
                self.put_table(&meta)?;
                Ok(0)
            }
            Stmt::DropIndex { name, table, if_exists } => {
                let found = match table {
                    Some(t) => {
                        let m = self.table_meta(&cat, t)?;
                        m.indexes.iter().position(|ix| ix.name.eq_ignore_ascii_case(name)).map(|p| (m.clone(), p))
                    }
                    None => cat.find_index(&self.db_name(None)?, name),
                };
                let Some((t, pos)) = found else {
                    if *if_exists {
                        return Ok(0);
                    }
                    return Err(SqlError::new(
                        Code::CantDropFieldOrKey,
                        format!("Can't DROP '{name}'; check that column/key exists"),
                    ));
                };
                let mut meta = (*t).clone();
                let ix = meta.indexes.remove(pos);
                self.delete_prefix(&index_prefix(ix.id))?;
                self.put_table(&meta)?;
                Ok(0)
            }
            Stmt::AlterTable { name, ops } => {
                let t = self.table_meta(&cat, name)?;
                let mut meta = (*t).clone();
                for op in ops {
                    self.alter(&mut meta, op)?;
                }
                Ok(0)
            }
            Stmt::Truncate(n) => {
                let t = self.table_meta(&cat, n)?;
                self.check_truncate(&t)?; // constraints.rs
                self.delete_prefix(&row_prefix(t.id))?;
                for ix in &t.indexes {
                    self.delete_prefix(&index_prefix(ix.id))?;
                }
                self.db.delete(&seq_key(t.id))?;
                Ok(0)
            }
            Stmt::Insert { table, columns, source, ignore, replace, on_duplicate, row_alias } => {
                let t = self.table_meta(&cat, table)?;
                let upsert = if on_duplicate.is_empty() {
                    None
                } else {
                    Some(self.bind_on_duplicate(&t, on_duplicate, row_alias.as_ref())?)
                };
                let map: Vec<usize> = match columns {
                    Some(cols) => cols
                        .iter()
                        .map(|c| {
                            t.column(c).ok_or_else(|| {
                                SqlError::new(Code::BadField, format!("Unknown column '{c}' in 'field list'"))
                            })
                        })
                        .collect::<SqlResult<_>>()?,
                    None => (0..t.columns.len()).collect(),
                };
                let rows: Vec<Vec<Option<Value>>> = match source {
                    InsertSource::Values(rows) => {
                        let mut out = Vec::with_capacity(rows.len());
                        for (i, r) in rows.iter().enumerate() {
                            if r.len() != map.len() {
                                return Err(SqlError::new(
                                    Code::WrongValueCount,
                                    format!("Column count doesn't match value count at row {}", i + 1),
                                ));
                            }
                            let mut vals = Vec::with_capacity(r.len());
                            for e in r {
                                // DEFAULT: as if the column were not given
                                vals.push(match e {
                                    Expr::Default => None,
                                    e => Some(self.const_expr(e)?),
                                });
                            }
                            out.push(vals);
                        }
                        out
                    }
                    InsertSource::Query(q) => match self.query(q)? {
                        StatementResult::Rows { rows, columns } => {
                            if columns.len() != map.len() {
                                return Err(SqlError::new(
                                    Code::WrongValueCount,
                                    "Column count doesn't match value count at row 1",
                                ));
                            }
                            rows.into_iter().map(|r| r.into_iter().map(Some).collect()).collect()
                        }
                        _ => Vec::new(),
                    },
                };
                let mut n = 0;
                self.insert_ids.start();
                for r in rows {
                    n += self.insert_row(&t, &map, r, *ignore, *replace, upsert.as_deref())?;
                }
                self.insert_ids.finish();
                Ok(n)
            }
            Stmt::Update { table, assignments, filter, order_by, limit } => {
                let t = self.table_meta(&cat, table)?;
                let targets = self.select_rows(&t, filter.as_ref(), order_by, limit.as_ref())?;
                let sets: Vec<(usize, Expr)> = assignments
                    .iter()
                    .map(|(c, e)| {
                        t.column(c).map(|i| (i, e.clone())).ok_or_else(|| {
                            SqlError::new(Code::BadField, format!("Unknown column '{c}' in 'field list'"))
                        })
                    })
                    .collect::<SqlResult<_>>()?;
                let bound = self.with_binder(|b| {
                    let scope = table_scope(&t);
                    sets.iter().map(|(i, e)| Ok((*i, b.expr(e, &scope, None)?))).collect::<SqlResult<Vec<_>>>()
                })?;
                let mut n = 0;
                let now = statement_time(&self.db);
                for (rowid, old) in targets {
                    let mut new = old.clone();
                    {
                        let ex = Exec {
                            params: &self.params,
                            last_insert_id: Some(&self.insert_ids.last),
                            ..Exec::new(&self.db, now)
                        };
                        for (i, e) in &bound {
                            let v = ex.eval(e, &super::exec::Env { row: &new, parent: None })?;
                            new[*i] = self.coerce(&t, *i, v)?;
                        }
                    }
                    if self.rewrite_row(&t, rowid, &old, &new)? {
                        n += 1;
                    }
                }
                Ok(n)
            }
            Stmt::Delete { table, filter, order_by, limit } => {
                let t = self.table_meta(&cat, table)?;
                let targets = self.select_rows(&t, filter.as_ref(), order_by, limit.as_ref())?;
                let mut n = 0;
                for (rowid, row) in targets {
                    // constraints.rs: foreign keys act on the child rows
                    n += u64::from(self.delete_row_checked(&t, rowid, &row)?);
                }
                Ok(n)
            }
            other => {
                Err(SqlError::unsupported(format!("{other:?}").split([' ', '(', '{']).next().unwrap_or("statement")))
            }
        }
    }

    /// `db`, or the current database; `ER_NO_DB_ERROR` when there is none
    /// (it was dropped).
    fn db_name(&self, db: Option<&str>) -> SqlResult<String> {
        match db {
            Some(db) => Ok(db.to_string()),
            None if self.cur_db.is_empty() => Err(SqlError::no_database()),
            None => Ok(self.cur_db.clone()),
        }
    }

    fn db_of(&self, cat: &Catalog, name: &ObjName) -> SqlResult<String> {
        let db = self.db_name(name.db.as_deref())?;
        if !cat.has_db(&db) {
            return Err(SqlError::new(Code::BadDb, format!("Unknown database '{db}'")));
        }
        Ok(cat.dbs.get(&db.to_ascii_lowercase()).map(|d| d.name.clone()).unwrap_or(db))
    }

    fn build_table(
        &mut self,
        db: &str,
        name: &str,
        columns: &[ColumnDef],
        primary_key: &[String],
        indexes: &[TableIndex],
    ) -> SqlResult<TableMeta> {
        if columns.is_empty() {
            return Err(SqlError::new(Code::ParseError, "A table must have at least 1 column"));
        }
        let mut cols = Vec::new();
        for c in columns {
            if cols.iter().any(|x: &ColumnMeta| x.name.eq_ignore_ascii_case(&c.name)) {
                return Err(SqlError::new(Code::DupFieldName, format!("Duplicate column name '{}'", c.name)));
            }
            cols.push(self.column_meta(c)?);
        }
        let id = self.next_id()?;
        let mut meta = TableMeta {
            id,
            db: db.into(),
            name: name.into(),
            columns: cols,
            indexes: Vec::new(),
            foreign_keys: Vec::new(),
            checks: Vec::new(),
        };
        let mut pk: Vec<usize> = Vec::new();
        for (i, c) in columns.iter().enumerate() {
            if c.primary_key {
                if !pk.is_empty() {
                    return Err(SqlError::new(Code::MultiplePriKey, "Multiple primary key defined"));
                }
                pk.push(i);
            }
        }
        if !primary_key.is_empty() {
            if !pk.is_empty() {
                return Err(SqlError::new(Code::MultiplePriKey, "Multiple primary key defined"));
            }
            for c in primary_key {
                let i = meta
                    .column(c)
                    .ok_or_else(|| SqlError::new(Code::BadField, format!("Key column '{c}' doesn't exist in table")))?;
                meta.columns[i].not_null = true;
                pk.push(i);
            }
        }
        if !pk.is_empty() {
            let iid = self.next_id()?;
            meta.indexes.push(IndexMeta { id: iid, name: "PRIMARY".into(), columns: pk, unique: true, primary: true });
        }
        // Column-level UNIQUE first, then the table-level definitions in
        // order: (name, columns, unique).
        let mut defs: Vec<(Option<&str>, Vec<usize>, bool)> =
            columns.iter().enumerate().filter(|(_, c)| c.unique).map(|(i, _)| (None, vec![i], true)).collect();
        for ix in indexes {
            let cols = ix
                .columns
                .iter()
                .map(|c| {
                    meta.column(c).ok_or_else(|| {
                        SqlError::new(Code::BadField, format!("Key column '{c}' doesn't exist in table"))
                    })
                })
                .collect::<SqlResult<_>>()?;
            defs.push((ix.name.as_deref(), cols, ix.unique));
        }
        for (name, cols, unique) in defs {
            let iid = self.next_id()?;
            let taken = |nm: &str| meta.indexes.iter().any(|ix| ix.name.eq_ignore_ascii_case(nm));
            let nm = match name {
                Some(nm) if taken(nm) => {
                    return Err(SqlError::new(Code::DupKeyName, format!("Duplicate key name '{nm}'")));
                }
                Some(nm) => nm.to_string(),
                None => {
                    let nm = meta.columns[cols[0]].name.clone();
                    if taken(&nm) {
                        format!("{nm}_{iid}")
                    } else {
                        nm
                    }
                }
            };
            meta.indexes.push(IndexMeta { id: iid, name: nm, columns: cols, unique, primary: false });
        }
        Ok(meta)
    }

    fn column_meta(&mut self, c: &ColumnDef) -> SqlResult<ColumnMeta> {
        let mut default_now = false;
        let default = match &c.default {
            None => None,
            Some(Expr::Func { name, .. })
                if matches!(name.as_str(), "now" | "current_timestamp" | "localtimestamp") =>
            {
                default_now = true;
                None
            }
            Some(Expr::Column { name, .. }) if name.eq_ignore_ascii_case("current_timestamp") => {
                default_now = true;
                None
            }
            Some(e) => {
                let v = self.const_expr(e)?;
                let v = cast(&v, c.ty, true)?;
                if v.is_null() {
                    None
                } else {
                    Some(encode_row(&[v]))
                }
            }
        };
        Ok(ColumnMeta {
            name: c.name.clone(),
            ty: c.ty,
            not_null: c.not_null || c.primary_key,
            default,
            default_now,
            auto_increment: c.auto_increment,
        })
    }

    fn alter(&mut self, meta: &mut TableMeta, op: &AlterOp) -> SqlResult<()> {
        if self.alter_constraints(meta, op)? {
            return Ok(()); // constraints.rs
        }
        match op {
            AlterOp::AddColumn(c) => {
                if meta.column(&c.name).is_some() {
                    return Err(SqlError::new(Code::DupFieldName, format!("Duplicate column name '{}'", c.name)));
                }
                let cm = self.column_meta(c)?;
                let dv = if cm.default_now {
                    Value::DateTime(Timestamp::from_secs(statement_time(&self.db).secs()))
                } else {
                    cm.default_value()
                };
                if cm.not_null && dv.is_null() && !self.all_rows(meta)?.is_empty() && !cm.auto_increment {
                    // MySQL fills the type's implicit default
                }
                let fill = if dv.is_null() && cm.not_null { implicit_default(cm.ty) } else { dv };
                meta.columns.push(cm);
                if !fill.is_null() {
                    for (rowid, mut row) in self.all_rows(meta)? {
                        row.resize(meta.columns.len() - 1, Value::Null);
                        row.push(fill.clone());
                        self.db.put(&row_key(meta.id, rowid), &encode_row(&row))?;
                    }
                }
                if c.primary_key || c.unique {
                    return Err(SqlError::unsupported("ADD COLUMN with a key"));
                }
            }
            AlterOp::DropColumn { name, if_exists } => {
                let Some(i) = meta.column(name) else {
                    if *if_exists {
                        return Ok(());
                    }
                    return Err(SqlError::new(
                        Code::CantDropFieldOrKey,
                        format!("Can't DROP '{name}'; check that column/key exists"),
                    ));
                };
                if meta.columns.len() == 1 {
                    return Err(SqlError::new(
                        Code::CantDropFieldOrKey,
                        "You can't delete all columns with ALTER TABLE; use DROP TABLE instead",
                    ));
                }
                let rows = self.all_rows(meta)?;
                let mut keep = Vec::new();
                for ix in std::mem::take(&mut meta.indexes) {
                    if ix.columns.contains(&i) {
                        self.delete_prefix(&index_prefix(ix.id))?;
                    } else {
                        keep.push(ix);
                    }
                }
                for ix in keep.iter_mut() {
                    for c in ix.columns.iter_mut() {
                        if *c > i {
                            *c -= 1;
                        }
                    }
                }
                meta.indexes = keep;
                meta.columns.remove(i);
                for (rowid, mut row) in rows {
                    if i < row.len() {
                        row.remove(i);
                    }
                    self.db.put(&row_key(meta.id, rowid), &encode_row(&row))?;
                }
            }
            AlterOp::RenameColumn { from, to } => {
                let i = meta.column(from).ok_or_else(|| {
                    SqlError::new(Code::BadField, format!("Unknown column '{from}' in '{}'", meta.name))
                })?;
                if !from.eq_ignore_ascii_case(to) && meta.column(to).is_some() {
                    return Err(SqlError::new(Code::DupFieldName, format!("Duplicate column name '{to}'")));
                }
                meta.columns[i].name = to.clone();
            }
            AlterOp::RenameTable(n) => {
                let cat = self.catalog()?;
                let db = self.db_of(&cat, n)?;
                if cat.table(&db, &n.name).is_some() || cat.view(&db, &n.name).is_some() {
                    return Err(SqlError::new(Code::TableExists, format!("Table '{}' already exists", n.name)));
                }
                self.db.delete(&table_key(&meta.db, &meta.name))?;
                let old = std::mem::replace(&mut meta.db, db);
                let old_name = std::mem::replace(&mut meta.name, n.name.clone());
                self.table_renamed(&old, &old_name, meta)?; // constraints.rs
            }
            AlterOp::AddPrimaryKey if meta.indexes.iter().any(|ix| ix.primary) => {
                return Err(SqlError::new(Code::MultiplePriKey, "Multiple primary key defined"));
            }
            AlterOp::AddPrimaryKey => return Err(SqlError::unsupported("ALTER TABLE ADD PRIMARY KEY")),
            // done by alter_constraints (constraints.rs)
            AlterOp::AddForeignKey(_)
            | AlterOp::AddCheck(_)
            | AlterOp::DropForeignKey(_)
            | AlterOp::DropConstraint(_) => {}
        }
        self.put_table(meta)?;
        Ok(())
    }

    pub(super) fn coerce(&self, t: &TableMeta, i: usize, v: Value) -> SqlResult<Value> {
        let c = &t.columns[i];
        if v.is_null() {
            if c.not_null {
                return Err(SqlError::new(Code::BadNull, format!("Column '{}' cannot be null", c.name)));
            }
            return Ok(v);
        }
        cast(&v, c.ty, true).map_err(|e| SqlError::new(e.code, format!("{} for column '{}'", e.message, c.name)))
    }

    fn read_seq(&self, table_id: u64) -> SqlResult<(u64, i64)> {
        let cur = self.db.current();
        Ok(match self.db.get(&cur, &seq_key(table_id))? {
            Some(b) if b.len() == 16 => {
                (u64::from_be_bytes(b[..8].try_into().unwrap()), i64::from_be_bytes(b[8..].try_into().unwrap()))
            }
            _ => (1, 1),
        })
    }

    /// Stores `new` in place of the row `old` at `rowid` if they differ
    /// (checking unique keys); whether it did.
    pub(super) fn rewrite_row(&mut self, t: &TableMeta, rowid: u64, old: &Row, new: &Row) -> SqlResult<bool> {
        if !old.iter().zip(new).any(|(a, b)| a != b) {
            return Ok(false);
        }
        for ix in &t.indexes {
            self.db.delete(&index_key_of(ix, old, rowid))?;
        }
        self.check_unique(t, new, rowid, None)?;
        self.db.put(&row_key(t.id, rowid), &encode_row(new))?;
        for ix in &t.indexes {
            self.put_index_entry(ix, new, rowid)?;
        }
        self.row_updated(t, old, new)?; // constraints.rs
        Ok(true)
    }

    /// Binds the assignments of `ON DUPLICATE KEY UPDATE`: over the existing
    /// row, with the row that was to be inserted as the enclosing row, named
    /// `values()` (for `VALUES(c)`) and then by the row alias.
    fn bind_on_duplicate(
        &mut self,
        t: &TableMeta,
        sets: &[(String, Expr)],
        alias: Option<&(String, Vec<String>)>,
    ) -> SqlResult<Vec<(usize, BExpr)>> {
        let mut cols: Vec<ScopeCol> = t
            .columns
            .iter()
            .map(|c| ScopeCol { table: Some(INSERTED_VALUES.into()), name: c.name.clone(), hidden: false })
            .collect();
        if let Some((name, names)) = alias {
            if !names.is_empty() && names.len() != t.columns.len() {
                return Err(SqlError::new(Code::WrongValueCount, "Column count doesn't match value count at row 1"));
            }
            for (i, c) in t.columns.iter().enumerate() {
                let col = names.get(i).cloned().unwrap_or_else(|| c.name.clone());
                cols.push(ScopeCol { table: Some(name.to_ascii_lowercase()), name: col, hidden: false });
            }
        }
        let inserted = Scope { cols, parent: None, correlated: Cell::new(false), touched: Cell::new(false) };
        let mut scope = table_scope(t);
        scope.parent = Some(&inserted);
        self.with_binder(|b| {
            sets.iter()
                .map(|(c, e)| {
                    let i = t.column(c).ok_or_else(|| {
                        SqlError::new(Code::BadField, format!("Unknown column '{c}' in 'field list'"))
                    })?;
                    Ok((i, b.expr(e, &scope, None)?))
                })
                .collect()
        })
    }

    /// Inserts a row (`None`: the column's default, as for `DEFAULT`); the
    /// affected-row count as MySQL gives it: 1, 0 for a
    /// duplicate ignored, 1 + the rows a REPLACE deleted, and with `upsert`
    /// (ON DUPLICATE KEY UPDATE) 2 when it updated the conflicting row, 0
    /// when that left it unchanged.
    fn insert_row(
        &mut self,
        t: &Rc<TableMeta>,
        map: &[usize],
        vals: Vec<Option<Value>>,
        ignore: bool,
        replace: bool,
        upsert: Option<&[(usize, BExpr)]>,
    ) -> SqlResult<u64> {
        let now = statement_time(&self.db);
        let mut row: Row = t
            .columns
            .iter()
            .map(|c| if c.default_now { Value::DateTime(Timestamp::from_secs(now.secs())) } else { c.default_value() })
            .collect();
        let mut given = vec![false; row.len()];
        for (v, &i) in vals.into_iter().zip(map) {
            if let Some(v) = v {
                row[i] = v;
                given[i] = true;
            }
        }
        let (rowid, mut auto) = self.read_seq(t.id)?;
        for i in 0..row.len() {
            let c = &t.columns[i];
            if c.auto_increment {
                let is_zero = matches!(row[i].numeric(), Value::Int(0));
                if row[i].is_null() || is_zero {
                    self.insert_ids.generated(auto);
                    row[i] = Value::Int(auto);
                    auto += 1;
                    continue;
                }
            }
            if !given[i] && row[i].is_null() && c.not_null {
                // MySQL (non-strict for missing columns) uses the implicit default
                row[i] = implicit_default(c.ty);
            }
            let v = std::mem::replace(&mut row[i], Value::Null);
            row[i] = self.coerce(t, i, v)?;
            if c.auto_increment {
                if let Some(x) = row[i].to_i64() {
                    if x >= auto {
                        auto = x + 1;
                    }
                }
            }
        }
        if ignore && !self.row_acceptable(t, &row)? {
            return Ok(0); // constraints.rs: INSERT IGNORE skips the row
        }
        let mut affected = 1;
        match self.check_unique(t, &row, u64::MAX, None) {
            Ok(()) => {}
            Err(e) if e.code == Code::DupEntry && upsert.is_some() => {
                let Some((rid, old)) = self.find_conflict(t, &row, u64::MAX)? else { return Err(e) };
                // the assignments see the existing row, and the inserted one
                // (twice: as `values()` and under the row alias)
                let inserted: Row = row.iter().chain(&row).cloned().collect();
                let mut new = old.clone();
                {
                    let ex = Exec {
                        params: &self.params,
                        last_insert_id: Some(&self.insert_ids.last),
                        ..Exec::new(&self.db, now)
                    };
                    let outer = super::exec::Env { row: &inserted, parent: None };
                    for (i, e) in upsert.unwrap_or_default() {
                        let v = ex.eval(e, &super::exec::Env { row: &new, parent: Some(&outer) })?;
                        new[*i] = self.coerce(t, *i, v)?;
                    }
                }
                return Ok(if self.rewrite_row(t, rid, &old, &new)? { 2 } else { 0 });
            }
            Err(e) if e.code == Code::DupEntry && ignore => return Ok(0),
            Err(e) if e.code == Code::DupEntry && replace => {
                // delete every conflicting row, then insert
                while let Some((rid, old)) = self.find_conflict(t, &row, u64::MAX)? {
                    self.delete_row_checked(t, rid, &old)?; // constraints.rs
                    affected += 1;
                }
            }
            Err(e) => return Err(e),
        }
        let mut seq = Vec::with_capacity(16);
        seq.extend_from_slice(&(rowid + 1).to_be_bytes());
        seq.extend_from_slice(&auto.to_be_bytes());
        self.db.put(&seq_key(t.id), &seq)?;
        self.db.put(&row_key(t.id, rowid), &encode_row(&row))?;
        for ix in &t.indexes {
            self.put_index_entry(ix, &row, rowid)?;
        }
        self.row_inserted(t, &row)?; // constraints.rs
        Ok(affected)
    }

    pub(super) fn put_index_entry(&mut self, ix: &IndexMeta, row: &Row, rowid: u64) -> SqlResult<()> {
        self.db.put(&index_key_of(ix, row, rowid), &[])?;
        Ok(())
    }

    pub(super) fn delete_row(&mut self, t: &TableMeta, rowid: u64, row: &Row) -> SqlResult<()> {
        self.db.delete(&row_key(t.id, rowid))?;
        for ix in &t.indexes {
            self.db.delete(&index_key_of(ix, row, rowid))?;
        }
        Ok(())
    }

    fn find_conflict(&self, t: &TableMeta, row: &Row, own: u64) -> SqlResult<Option<(u64, Row)>> {
        let cur = self.db.current();
        for ix in t.indexes.iter().filter(|ix| ix.unique) {
            if ix.columns.iter().any(|&c| row[c].is_null()) {
                continue;
            }
            let mut prefix = index_prefix(ix.id);
            for &c in &ix.columns {
                encode_key(&row[c], &mut prefix);
            }
            let mut cands = Vec::new();
            scan_prefix(&self.db, &cur, &prefix, &mut |k, _| {
                cands.push(index_entry_rowid(k));
                true
            })?;
            for rid in cands {
                if rid == own {
                    continue;
                }
                if let Some(b) = self.db.get(&cur, &row_key(t.id, rid))? {
                    let other = decode_row(&b)?;
                    let same = ix
                        .columns
                        .iter()
                        .all(|&c| other.get(c).is_some_and(|o| sql_cmp(o, &row[c]) == Some(std::cmp::Ordering::Equal)));
                    if same {
                        return Ok(Some((rid, other)));
                    }
                }
            }
        }
        Ok(None)
    }

    fn check_unique(&self, t: &TableMeta, row: &Row, own: u64, only: Option<usize>) -> SqlResult<()> {
        let subset;
        let t = match only {
            Some(p) => {
                let mut m = t.clone();
                m.indexes = vec![t.indexes[p].clone()];
                subset = m;
                &subset
            }
            None => t,
        };
        if let Some((_, other)) = self.find_conflict(t, row, own)? {
            let ix = t
                .indexes
                .iter()
                .find(|ix| {
                    ix.unique
                        && ix.columns.iter().all(|&c| sql_cmp(&other[c], &row[c]) == Some(std::cmp::Ordering::Equal))
                })
                .unwrap_or(&t.indexes[0]);
            let key: Vec<String> = ix.columns.iter().map(|&c| row[c].to_string()).collect();
            return Err(SqlError::new(
                Code::DupEntry,
                format!("Duplicate entry '{}' for key '{}.{}'", key.join("-"), t.name, ix.name),
            ));
        }
        Ok(())
    }

    pub(super) fn all_rows(&self, t: &TableMeta) -> SqlResult<Vec<(u64, Row)>> {
        let ex = Exec { params: &self.params, ..Exec::new(&self.db, self.db.now()) };
        ex.table_rows(t, &self.db.current(), &super::plan::Access::Full, &[], None)
    }

    /// The rows of `t` matching `filter`, with their row ids.
    /// The rows an `UPDATE` or `DELETE` acts on: those `filter` keeps, in
    /// `order` (ties and no order: row-id order), at most `limit` of them.
    fn select_rows(
        &mut self,
        t: &Rc<TableMeta>,
        filter: Option<&Expr>,
        order: &[OrderItem],
        limit: Option<&Expr>,
    ) -> SqlResult<Vec<(u64, Row)>> {
        let snap = self.db.current();
        let t2 = t.clone();
        self.with_binder(move |b| {
            let scope = table_scope(&t2);
            let mut conj = Vec::new();
            for e in filter.into_iter().chain(order.iter().map(|o| &o.expr)) {
                if super::bind::has_aggregate(e) {
                    return Err(SqlError::new(Code::InvalidGroupFuncUse, "Invalid use of group function"));
                }
            }
            if let Some(f) = filter {
                split_and(&b.expr(f, &scope, None)?, &mut conj);
            }
            let order =
                order.iter().map(|o| Ok((b.expr(&o.expr, &scope, None)?, o.desc))).collect::<SqlResult<Vec<_>>>()?;
            let (limit, _) = b.limits(limit, None)?;
            let src = LeafSource::Table {
                meta: t2.clone(),
                snap: super::plan::Snap(snap),
                access: super::plan::Access::Full,
            };
            let fp = plan_from(vec![FromPart::Leaf(src)], conj);
            let ex = b.exec();
            let leaf = &fp.leaves[0];
            let LeafSource::Table { meta, snap, access } = &leaf.source else {
                return Err(SqlError::new(Code::Storage, "unexpected plan"));
            };
            let mut rows = ex.table_rows(meta, snap, access, &leaf.filters, None)?;
            if !fp.post.is_empty() {
                let mut kept = Vec::new();
                for (rid, r) in rows {
                    let env = super::exec::Env { row: &r, parent: None };
                    let mut ok = true;
                    for p in &fp.post {
                        if ex.eval(p, &env)?.truth() != Some(true) {
                            ok = false;
                            break;
                        }
                    }
                    if ok {
                        kept.push((rid, r));
                    }
                }
                rows = kept;
            }
            if !order.is_empty() {
                let mut keyed = Vec::with_capacity(rows.len());
                for (rid, r) in rows {
                    let env = super::exec::Env { row: &r, parent: None };
                    let keys = order.iter().map(|(e, _)| ex.eval(e, &env)).collect::<SqlResult<Vec<_>>>()?;
                    keyed.push((keys, rid, r));
                }
                keyed.sort_by(|a, b| order_cmp(a.0.iter().zip(&b.0).zip(&order).map(|((x, y), (_, d))| (x, y, *d))));
                rows = keyed.into_iter().map(|(_, rid, r)| (rid, r)).collect();
            }
            if let Some(n) = limit {
                rows.truncate(n);
            }
            Ok(rows)
        })
    }

    fn delete_prefix(&mut self, prefix: &[u8]) -> SqlResult<()> {
        let cur = self.db.current();
        let mut keys = Vec::new();
        scan_prefix(&self.db, &cur, prefix, &mut |k, _| {
            keys.push(k.to_vec());
            true
        })?;
        for k in keys {
            self.db.delete(&k)?;
        }
        Ok(())
    }

    fn drop_table_data(&mut self, t: &TableMeta) -> SqlResult<()> {
        self.delete_prefix(&row_prefix(t.id))?;
        for ix in &t.indexes {
            self.delete_prefix(&index_prefix(ix.id))?;
        }
        self.db.delete(&seq_key(t.id))?;
        self.db.delete(&table_key(&t.db, &t.name))?;
        self.catalog = None;
        Ok(())
    }
}

fn implicit_default(ty: SqlType) -> Value {
    match ty {
        SqlType::Int | SqlType::UInt | SqlType::Bool => Value::Int(0),
        SqlType::Double => Value::Double(0.0),
        SqlType::Decimal(_, s) => Value::Decimal(super::value::Decimal { m: 0, s }),
        SqlType::Text(_) => Value::Str(String::new()),
        SqlType::Date => Value::Date(0),
        SqlType::DateTime => Value::DateTime(Timestamp(0)),
    }
}

pub(super) fn table_scope(t: &TableMeta) -> Scope<'static> {
    Scope {
        cols: t
            .columns
            .iter()
            .map(|c| ScopeCol { table: Some(t.name.to_ascii_lowercase()), name: c.name.clone(), hidden: false })
            .collect(),
        parent: None,
        correlated: Cell::new(false),
        touched: Cell::new(false),
    }
}

fn index_key_of(ix: &IndexMeta, row: &Row, rowid: u64) -> Vec<u8> {
    let vals: Vec<&Value> = ix.columns.iter().map(|&c| row.get(c).unwrap_or(&Value::Null)).collect();
    index_entry_key(ix.id, &vals, rowid)
}

/// `SHOW CREATE VIEW` text.
pub fn create_view_sql(v: &ViewMeta) -> String {
    let columns = if v.columns.is_empty() {
        String::new()
    } else {
        format!(" ({})", v.columns.iter().map(|c| quote::ident(c)).collect::<Vec<_>>().join(","))
    };
    format!("CREATE VIEW {}{columns} AS {}", quote::ident(&v.name), v.sql)
}

/// `SHOW CREATE TABLE` text.
pub fn create_table_sql(t: &TableMeta) -> String {
    let mut parts: Vec<String> = t
        .columns
        .iter()
        .map(|c| {
            let mut s = format!("  {} {}", quote::ident(&c.name), c.ty.name());
            if c.not_null {
                s.push_str(" NOT NULL");
            }
            if c.default_now {
                s.push_str(" DEFAULT CURRENT_TIMESTAMP");
            } else if c.default.is_some() {
                s.push_str(&format!(" DEFAULT {}", quote::string(&c.default_value().to_string())));
            }
            if c.auto_increment {
                s.push_str(" AUTO_INCREMENT");
            }
            s
        })
        .collect();
    for ix in &t.indexes {
        let cols: Vec<String> = ix.columns.iter().map(|&c| quote::ident(&t.columns[c].name)).collect();
        parts.push(if ix.primary {
            format!("  PRIMARY KEY ({})", cols.join(","))
        } else if ix.unique {
            format!("  UNIQUE KEY {} ({})", quote::ident(&ix.name), cols.join(","))
        } else {
            format!("  KEY {} ({})", quote::ident(&ix.name), cols.join(","))
        });
    }
    parts.extend(super::constraints::create_table_clauses(t));
    format!("CREATE TABLE {} (\n{}\n)", quote::ident(&t.name), parts.join(",\n"))
}

/// `information_schema.global_status` rows.
pub fn global_status(db: &Database) -> (Vec<String>, Vec<Row>) {
    let st = db.status();
    let rows = vec![
        vec![Value::Str("Backtrack_window_target".into()), Value::Str(st.window_target_secs.to_string())],
        vec![Value::Str("Backtrack_window_actual".into()), Value::Str(st.window_actual_secs.to_string())],
        vec![Value::Str("Backtrack_earliest_time".into()), Value::Str(st.earliest.to_string())],
        vec![Value::Str("Backtrack_history_bytes".into()), Value::Str(st.history_bytes.to_string())],
    ];
    (vec!["variable_name".into(), "variable_value".into()], rows)
}

/// Rows of information_schema tables and of table functions.
fn virtual_rows(
    db: &Database,
    cat: &Catalog,
    cur_db: &str,
    name: &str,
    args: &[Value],
) -> SqlResult<Option<(Vec<String>, Vec<Row>)>> {
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    // `information_schema.tables FOR SYSTEM_TIME AS OF t`: the catalog of t.
    let then;
    let cat = match args {
        [Value::DateTime(t)] if CATALOG_AS_OF_TABLES.contains(&name) => {
            then = Catalog::load(db, &db.as_of(*t)?)?;
            &then
        }
        _ => cat,
    };
    Ok(Some(match name {
        "information_schema.backtracks" => (
            names(&["id", "backtrack_to", "backtracked_from", "status", "reason"]),
            db.backtracks()
                .iter()
                .map(|b| {
                    let (status, reason) = match &b.status {
                        BacktrackStatus::Completed => ("completed", Value::Null),
                        BacktrackStatus::Failed(r) => ("failed", Value::Str(r.clone())),
                    };
                    vec![
                        Value::Int(b.id as i64),
                        ts_value(b.target),
                        ts_value(b.from),
                        Value::Str(status.into()),
                        reason,
                    ]
                })
                .collect(),
        ),
        "information_schema.timeline" => (
            names(&["seq", "time", "kind", "statement", "rows_changed"]),
            db.timeline()
                .iter()
                .map(|e| {
                    vec![
                        Value::Int(e.seq as i64),
                        ts_value(e.time),
                        Value::Str(match e.kind {
                            EntryKind::Commit => "commit".into(),
                            EntryKind::Backtrack => "backtrack".into(),
                        }),
                        Value::Str(e.summary.clone()),
                        Value::Int(e.rows_changed as i64),
                    ]
                })
                .collect(),
        ),
        "information_schema.restore_points" => (
            names(&["name", "time"]),
            db.restore_points().iter().map(|r| vec![Value::Str(r.name.clone()), ts_value(r.time)]).collect(),
        ),
        "information_schema.global_status" => global_status(db),
        "information_schema.schemata" => {
            let mut v: Vec<Row> = cat.dbs.values().map(|d| vec![Value::Str(d.name.clone())]).collect();
            v.sort_by(|a, b| a[0].to_string().cmp(&b[0].to_string()));
            (names(&["schema_name"]), v)
        }
        "information_schema.tables" => {
            let mut v: Vec<Row> = cat
                .tables
                .values()
                .map(|t| vec![Value::Str(t.db.clone()), Value::Str(t.name.clone()), Value::Str("BASE TABLE".into())])
                .chain(
                    cat.views
                        .values()
                        .map(|t| vec![Value::Str(t.db.clone()), Value::Str(t.name.clone()), Value::Str("VIEW".into())]),
                )
                .collect();
            v.sort_by(|a, b| (a[0].to_string(), a[1].to_string()).cmp(&(b[0].to_string(), b[1].to_string())));
            (names(&["table_schema", "table_name", "table_type"]), v)
        }
        "reeldb_diff" => {
            if args.len() != 3 {
                return Err(SqlError::new(
                    Code::WrongParamcount,
                    "reeldb_diff(table, from_time, to_time) takes 3 arguments",
                ));
            }
            let tname = args[0].to_text().unwrap_or_default();
            table_diff(db, cur_db, &tname, to_timestamp(&args[1])?, to_timestamp(&args[2])?)?
        }
        _ => return Ok(None),
    }))
}

/// A row's stored bytes before and after a change (None: absent).
type BeforeAfter = (Option<Vec<u8>>, Option<Vec<u8>>);

/// The column positions of a table's primary key, if it has one.
fn primary_columns(meta: &TableMeta) -> Option<Vec<usize>> {
    meta.indexes.iter().find(|ix| ix.primary).map(|ix| ix.columns.clone())
}

/// A row's primary key as bytes that are equal exactly when the key is
/// (the index encoding, which follows the collation, plus an integer's
/// exact value, which the encoding keeps only as a double).
fn pk_key(columns: &[usize], row: &Row) -> Vec<u8> {
    let mut k = Vec::new();
    for &c in columns {
        let v = row.get(c).unwrap_or(&Value::Null);
        encode_key(v, &mut k);
        if let Value::Int(i) = v {
            k.extend_from_slice(&i.to_be_bytes());
        }
    }
    k
}

/// The row keys in `range` that held two different rows between `from`
/// and `to`: the key was absent for a while in between, so its row id
/// was given to a new row (after TRUNCATE or a backtrack).
fn reused_row_ids(
    db: &Database,
    range: (std::ops::Bound<&[u8]>, std::ops::Bound<&[u8]>),
    from: Timestamp,
    to: Timestamp,
) -> SqlResult<std::collections::HashSet<Vec<u8>>> {
    let versions = db.row_versions(range.0, range.1, from, to)?;
    // Versions come by key, then start: a gap between two of one key's
    // versions means the row was gone in between.
    Ok(versions
        .windows(2)
        .filter(|w| w[0].key == w[1].key && w[0].end != Some(w[1].start))
        .map(|w| w[0].key.clone())
        .collect())
}

/// The rows of `table` (`db.t` or a table of `cur_db`) that differ between
/// `t1` and `t2`: `change` ("added" | "removed" | "changed"), the columns
/// at `t2`, then the columns at `t1` prefixed `old_` (`reeldb_diff`).
fn table_diff(
    db: &Database,
    cur_db: &str,
    tname: &str,
    t1: Timestamp,
    t2: Timestamp,
) -> SqlResult<(Vec<String>, Vec<Row>)> {
    let (tdb, tn) = match tname.split_once('.') {
        Some((a, b)) => (a.to_string(), b.to_string()),
        None => (cur_db.to_string(), tname.to_string()),
    };
    // A time after the clock reads the current state, as AS OF does.
    let s1 = super::as_of::read_as_of(db, t1)?;
    let s2 = super::as_of::read_as_of(db, t2)?;
    let c1 = Catalog::load(db, &s1)?;
    let c2 = Catalog::load(db, &s2)?;
    let m1 = c1.table(&tdb, &tn);
    let m2 = c2.table(&tdb, &tn);
    let meta = m2.clone().or(m1.clone()).ok_or_else(|| no_table(&tdb, &tn))?;
    let ncols = meta.columns.len();
    let mut cols = vec!["change".to_string()];
    cols.extend(meta.columns.iter().map(|c| c.name.clone()));
    cols.extend(meta.columns.iter().map(|c| format!("old_{}", c.name)));
    let mut out = Vec::new();
    let mut push = |kind: &str, before: Option<Row>, after: Option<Row>| {
        let mut r = vec![Value::Str(kind.into())];
        let mut a = after.unwrap_or_default();
        a.resize(ncols, Value::Null);
        let mut b = before.unwrap_or_default();
        b.resize(ncols, Value::Null);
        r.extend(a);
        r.extend(b);
        out.push(r);
    };
    match (&m1, &m2) {
        (Some(a), Some(b)) if a.id == b.id => {
            let prefix = row_prefix(a.id);
            let end = prefix_end(&prefix).unwrap_or_default();
            let range = (std::ops::Bound::Included(&prefix[..]), std::ops::Bound::Excluded(&end[..]));
            let changes = db.diff(&s1, &s2, range.0, range.1)?;
            // Each change as (before, after) row bytes, keyed so that two
            // different rows are never paired: by primary key where the
            // table has one at both times, else by row id, split into a
            // removal and an addition where the row id was reused
            // (after TRUNCATE or a backtrack).
            let mut keyed: std::collections::BTreeMap<Vec<u8>, BeforeAfter> = Default::default();
            match (primary_columns(a), primary_columns(b)) {
                (Some(pa), Some(pb)) => {
                    for d in changes {
                        if let Some(before) = d.before {
                            let key = pk_key(&pa, &decode_row(&before)?);
                            keyed.entry(key).or_default().0 = Some(before);
                        }
                        if let Some(after) = d.after {
                            let key = pk_key(&pb, &decode_row(&after)?);
                            keyed.entry(key).or_default().1 = Some(after);
                        }
                    }
                }
                _ => {
                    let reused = if changes.iter().any(|d| d.before.is_some() && d.after.is_some()) {
                        reused_row_ids(db, range, t1.min(t2), t1.max(t2))?
                    } else {
                        Default::default()
                    };
                    for d in changes {
                        if d.before.is_some() && d.after.is_some() && reused.contains(&d.key) {
                            let mut removed = d.key.clone();
                            removed.push(0);
                            keyed.insert(removed, (d.before, None));
                            let mut added = d.key;
                            added.push(1);
                            keyed.insert(added, (None, d.after));
                        } else {
                            keyed.insert(d.key, (d.before, d.after));
                        }
                    }
                }
            }
            for (before, after) in keyed.into_values() {
                let kind = match (&before, &after) {
                    (Some(b), Some(a)) if a == b => continue,
                    (None, _) => "added",
                    (_, None) => "removed",
                    _ => "changed",
                };
                let before = before.as_deref().map(decode_row).transpose()?;
                let after = after.as_deref().map(decode_row).transpose()?;
                push(kind, before, after);
            }
        }
        _ => {
            let ex = Exec::new(db, db.now());
            if let Some(a) = &m1 {
                for (_, r) in ex.table_rows(a, &s1, &super::plan::Access::Full, &[], None)? {
                    push("removed", Some(r), None);
                }
            }
            if let Some(b) = &m2 {
                for (_, r) in ex.table_rows(b, &s2, &super::plan::Access::Full, &[], None)? {
                    push("added", None, Some(r));
                }
            }
        }
    }
    Ok((cols, out))
}
