//! A SQL session: the current database, transactions (autocommit, or
//! explicit with statement-level undo), `SET`, prepared statements, and the
//! dispatch of each statement to its module: `ddl`, `dml`, `show`, and
//! `system` (restore points, `information_schema`, `reeldb_diff`).

use std::cell::Cell;
use std::rc::Rc;

use hashlink::LruCache;

use crate::db::{BacktrackOutcome, BacktrackTarget, Database};
use crate::time::Timestamp;

mod ddl;
mod dml;
mod explain;
mod info_schema;
mod prepared;
mod show;
mod system;

use ddl::TableKeys;
use dml::OnDuplicate;
pub use prepared::PreparedStatement;
use prepared::RECENT_STATEMENTS;
use system::virtual_rows;

use super::ast::*;
use super::bind::{to_timestamp, Binder, Scope};
use super::catalog::*;
use super::constraints::ConstraintState;
use super::diag::{Assign, Diagnostics, DivZero, SqlMode};
use super::error::{Code, SqlError, SqlResult};
use super::exec::{eval_const, Exec};
use super::front;
use super::history_import;
use super::insert_id::SessionInfo;
use super::translate;
use super::value::Value;

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
    insert_ids: SessionInfo,
    /// `sql_mode` (`diag.rs`).
    sql_mode: SqlMode,
    /// The warnings of the statements (`SHOW WARNINGS`) and how the one
    /// running treats bad data (`diag.rs`).
    pub(super) diag: Diagnostics,
    /// The open transaction's savepoints (`SAVEPOINT`), oldest first.
    savepoints: Vec<TxSavepoint>,
    /// This session's number among the sessions of the process (a kept
    /// plan is for its own session: see `prepared.rs`).
    uid: u64,
    /// The data epoch: a new one starts with every statement that may
    /// change data, schema or the transaction, and every change made to
    /// the database from outside SQL ([`Session::database_mut`]).
    epoch: u64,
    /// The prepared statement running, if any (its query may reuse the
    /// plan of its last execution).
    running: Option<PreparedStatement>,
    /// Expressions of table definitions as bound, kept for later rows and
    /// statements (`dml.rs`, [`Session::table_expr`]).
    bound: Vec<dml::BoundExpr>,
}

/// The next session's [`Session::uid`].
static SESSIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A savepoint of the open transaction: the transaction's state then, and
/// its commit summary and row count then.
struct TxSavepoint {
    name: String,
    snapshot: Option<crate::db::Snapshot>,
    summary_len: usize,
    rows: u64,
}

const SUMMARY_MAX: usize = 200;

/// The range `SET TIMESTAMP` accepts (µs): 0000-01-01 00:00:00 to
/// 9999-12-31 23:59:59.999999.
const CLOCK_MIN: i64 = -62_167_219_200_000_000;
const CLOCK_MAX: i64 = 253_402_300_799_999_999;

/// MySQL's default `cte_max_recursion_depth`.
const CTE_MAX_RECURSION_DEPTH: usize = 1000;

fn summary_of(sql: &str) -> String {
    // the words up to the limit, one space apart (a long INSERT is not
    // joined whole to keep its first 200 characters)
    let mut s = String::new();
    let mut chars = 0;
    for w in sql.split_whitespace() {
        if !s.is_empty() {
            s.push(' ');
            chars += 1;
        }
        s.push_str(w);
        chars += w.chars().count();
        if chars > SUMMARY_MAX {
            return s.chars().take(SUMMARY_MAX - 3).collect::<String>() + "...";
        }
    }
    s
}

fn no_table(db: &str, t: &str) -> SqlError {
    SqlError::new(Code::NoSuchTable, format!("Table '{db}.{t}' doesn't exist"))
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
            insert_ids: SessionInfo::default(),
            sql_mode: SqlMode::default(),
            diag: Diagnostics::default(),
            savepoints: Vec::new(),
            uid: SESSIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            epoch: 0,
            running: None,
            bound: Vec::new(),
        }
    }

    /// The session `old` on another database (the browser runtime opens
    /// a new image of the store when another tab committed): its settings
    /// carry over — the current database where it still exists,
    /// `sql_mode`, `foreign_key_checks`, `cte_max_recursion_depth`,
    /// `query_memory_limit`, `LAST_INSERT_ID()`, the user variables, the clock `SET TIMESTAMP`
    /// fixed and the statements prepared recently. An open transaction and
    /// its savepoints do not (the caller reports the transaction lost), nor
    /// the last statement's warnings.
    pub fn reopened(old: Session, mut db: Database) -> Session {
        db.set_clock(old.db.fixed_clock());
        let mut s = Session::new(db);
        s.cte_max_depth = old.cte_max_depth;
        s.query_memory_limit = old.query_memory_limit;
        s.cons.fk_checks = old.cons.fk_checks;
        s.insert_ids.last.set(old.insert_ids.last.get());
        s.insert_ids.vars.replace(old.insert_ids.vars.take());
        s.insert_ids.manual_commit.set(old.insert_ids.manual_commit.get());
        s.sql_mode = old.sql_mode;
        s.recent = old.recent;
        if old.cur_db != s.cur_db {
            // The database may be gone in the new image: then the session
            // stays on its default one.
            let _ = s.use_database(&old.cur_db);
        }
        s
    }

    /// The underlying database.
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// The underlying database, mutably.
    pub fn database_mut(&mut self) -> &mut Database {
        self.catalog = None;
        self.epoch += 1;
        &mut self.db
    }

    /// What a plan kept for a later execution was bound under, beside the
    /// data and the catalogue (see `prepared.rs`).
    fn plan_key(&self) -> prepared::PlanKey {
        prepared::PlanKey {
            session: self.uid,
            epoch: self.epoch,
            cur_db: self.cur_db.clone(),
            sql_mode: self.sql_mode,
            fk_checks: self.cons.fk_checks,
            memory: self.query_memory_limit,
            cte_depth: self.cte_max_depth,
        }
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
        // (the script's own transaction leaves the statements' warnings)
        if own_tx {
            self.run_parsed("BEGIN", &Stmt::Begin)?;
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
            self.run_parsed("COMMIT", &Stmt::Commit)?;
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
        self.epoch += 1;
        self.explicit_tx = false;
        self.tx_summary.clear();
        self.tx_rows = 0;
        self.savepoints.clear();
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

    /// Runs the script `sql` as [`Session::execute`] does if every
    /// statement in it parses and only reads ([`StmtClass::Read`]);
    /// otherwise runs nothing and returns `None`. Lets a caller that must
    /// do more before writing (take a lock) skip that for reads.
    pub fn execute_if_read_only(&mut self, sql: &str) -> SqlResult<Option<Vec<StatementResult>>> {
        /// A statement of the script, as it will run.
        enum Piece {
            /// With its literals lifted ([`Session::prepare_lifted`]).
            Lifted(PreparedStatement, Vec<Value>),
            Parsed(Box<Stmt>),
        }
        let Ok(pieces) = front::split(sql) else { return Ok(None) };
        let mut parsed = Vec::with_capacity(pieces.len());
        for piece in &pieces {
            if let Some((p, values)) = self.prepare_lifted(piece) {
                if p.class() != StmtClass::Read {
                    return Ok(None);
                }
                parsed.push(Piece::Lifted(p, values));
                continue;
            }
            match Session::parse(piece) {
                Ok(stmt) if stmt.class() == StmtClass::Read => parsed.push(Piece::Parsed(Box::new(stmt))),
                _ => return Ok(None),
            }
        }
        let mut out = Vec::with_capacity(parsed.len());
        for (piece, stmt) in pieces.iter().zip(parsed) {
            out.push(match stmt {
                Piece::Lifted(p, values) => p.execute_lifted(self, values, piece)?,
                Piece::Parsed(stmt) => self.execute_parsed(piece, &stmt)?,
            });
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

    /// Executes exactly one statement.
    pub fn execute_one(&mut self, sql: &str) -> SqlResult<StatementResult> {
        if let Some(r) = self.execute_lifted(sql) {
            return r;
        }
        let stmt = match Session::parse(sql) {
            Ok(stmt) => stmt,
            Err(e) => {
                // a statement that does not parse leaves its error as the
                // statement's diagnostics, as one that fails does
                self.diag.start(Assign::STRICT, DivZero::Null);
                self.diag.finish(Some(&e));
                return Err(e);
            }
        };
        self.execute_parsed(sql, &stmt)
    }

    /// Executes a statement already parsed (and possibly rewritten) from
    /// `sql`; `sql` is only used for the commit summary. Its warnings
    /// replace the last statement's (`SHOW WARNINGS`, which leaves them).
    pub fn execute_parsed(&mut self, sql: &str, stmt: &Stmt) -> SqlResult<StatementResult> {
        if let Stmt::Show(show @ (Show::Warnings(_) | Show::WarningCount)) = stmt {
            return Ok(self.show_warnings(show));
        }
        let (assign, div_zero) = self.statement_mode(stmt);
        self.diag.start(assign, div_zero);
        let r = self.run_parsed(sql, stmt);
        self.diag.finish(r.as_ref().err());
        // what ROW_COUNT() gives in the next statement, as MySQL counts it
        self.insert_ids.row_count.set(match &r {
            Ok(StatementResult::Affected(n)) => i64::try_from(*n).unwrap_or(i64::MAX),
            Ok(StatementResult::Rows { .. }) | Err(_) => -1,
        });
        r
    }

    /// How a statement treats bad data in a column and division by zero,
    /// by `sql_mode`: strict writes (`INSERT`, `UPDATE`, `CREATE TABLE ...
    /// AS SELECT`) fail where the others adjust the value with a warning;
    /// `INSERT IGNORE` / `UPDATE IGNORE` adjust (and skip rows that
    /// duplicate a key or fail a constraint) with warnings; a single-row
    /// `INSERT` of NULL into a NOT NULL column fails unless strictness is
    /// off for it by `IGNORE`; division by zero warns, or fails in strict
    /// writes, under `ERROR_FOR_DIVISION_BY_ZERO`.
    fn statement_mode(&self, stmt: &Stmt) -> (Assign, DivZero) {
        let strict = self.sql_mode.strict();
        let (writes, ignore, single_row) = match stmt {
            Stmt::Insert { ignore, source, .. } => {
                (true, *ignore, matches!(source, InsertSource::Values(rows) if rows.len() == 1))
            }
            Stmt::Update { ignore, .. } => (true, *ignore, false),
            Stmt::UpdateJoin { .. } | Stmt::CreateTable { as_query: Some(_), .. } | Stmt::AlterTable { .. } => {
                (true, false, false)
            }
            _ => (false, false, false),
        };
        let assign = if ignore {
            Assign { strict: false, null_error: false }
        } else if strict || !writes {
            Assign::STRICT
        } else {
            Assign { strict: false, null_error: single_row }
        };
        let div_zero = if !self.sql_mode.error_for_division_by_zero() {
            DivZero::Null
        } else if writes && strict && !ignore {
            DivZero::Error
        } else {
            DivZero::Warn
        };
        (assign, div_zero)
    }

    fn run_parsed(&mut self, sql: &str, stmt: &Stmt) -> SqlResult<StatementResult> {
        if !matches!(stmt, Stmt::Query(_) | Stmt::Show(_) | Stmt::Explain(_)) {
            self.epoch += 1;
        }
        // `autocommit` off: a statement that writes starts a transaction,
        // which stays open until COMMIT or ROLLBACK (MySQL)
        if self.insert_ids.manual_commit.get()
            && !self.explicit_tx
            && stmt.class() == StmtClass::Write
            && !matches!(stmt, Stmt::SetVariable { .. })
        {
            self.db.begin();
            self.explicit_tx = true;
        }
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
            Stmt::Savepoint(name) => {
                self.savepoint(name);
                return Ok(StatementResult::Affected(0));
            }
            Stmt::RollbackToSavepoint(name) => {
                self.rollback_to_savepoint(name)?;
                return Ok(StatementResult::Affected(0));
            }
            Stmt::ReleaseSavepoint(name) => {
                self.release_savepoint(name)?;
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
                self.set_timestamp(e.as_ref())?;
                return Ok(StatementResult::Affected(0));
            }
            Stmt::SetVariable { name, value, .. } => {
                self.set_variable(name, value)?;
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
            Stmt::Query(q) => match &q.body {
                SetExpr::Select(s) if !s.into.is_empty() => return self.select_into(q, &s.into),
                _ => return self.query(q),
            },
            Stmt::Show(s) => return self.show(s),
            Stmt::Explain(q) => return self.explain(q),
            _ => {}
        }
        // writing statements
        if self.explicit_tx {
            let mark = self.db.mark();
            match self.write(stmt) {
                Ok(n) => {
                    self.db.release_mark(mark);
                    // only the first SUMMARY_MAX characters are kept at commit
                    if self.tx_summary.iter().map(|s| s.len() + 2).sum::<usize>() <= SUMMARY_MAX {
                        self.tx_summary.push(summary_of(sql));
                    }
                    self.tx_rows += n;
                    Ok(StatementResult::Affected(n))
                }
                Err(e) => {
                    self.catalog = None;
                    if let Err(lost) = self.db.restore_mark(mark) {
                        // the statement cannot be undone alone: the
                        // transaction is rolled back whole
                        self.rollback();
                        return Err(lost.into());
                    }
                    Err(e)
                }
            }
        } else {
            self.db.begin();
            match self.write(stmt) {
                Ok(n) => match self.db.commit(&summary_of(sql), n) {
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

    /// `SAVEPOINT name`: marks the open transaction's state (one of the
    /// same name is replaced); outside a transaction there is nothing to
    /// mark, and it is forgotten, as in MySQL's autocommit mode.
    fn savepoint(&mut self, name: &str) {
        if !self.explicit_tx {
            return;
        }
        self.savepoints.retain(|s| !s.name.eq_ignore_ascii_case(name));
        self.db.begin();
        self.savepoints.push(TxSavepoint {
            name: name.to_string(),
            snapshot: self.db.savepoint(),
            summary_len: self.tx_summary.len(),
            rows: self.tx_rows,
        });
    }

    /// The position of savepoint `name`, else `ER_SP_DOES_NOT_EXIST`.
    fn savepoint_at(&self, name: &str) -> SqlResult<usize> {
        self.savepoints
            .iter()
            .rposition(|s| s.name.eq_ignore_ascii_case(name))
            .ok_or_else(|| SqlError::new(Code::SpDoesNotExist, format!("SAVEPOINT {name} does not exist")))
    }

    /// `ROLLBACK TO [SAVEPOINT] name`: the transaction's data, schema,
    /// commit summary and row count return to the savepoint, which stays;
    /// later savepoints are dropped.
    fn rollback_to_savepoint(&mut self, name: &str) -> SqlResult<()> {
        let at = self.savepoint_at(name)?;
        self.savepoints.truncate(at + 1);
        let sp = &self.savepoints[at];
        if let Some(snap) = sp.snapshot.clone() {
            self.db.restore_savepoint(snap);
        }
        self.tx_summary.truncate(sp.summary_len);
        self.tx_rows = sp.rows;
        self.catalog = None;
        Ok(())
    }

    /// `RELEASE SAVEPOINT name`: drops it and the later ones.
    fn release_savepoint(&mut self, name: &str) -> SqlResult<()> {
        let at = self.savepoint_at(name)?;
        self.savepoints.truncate(at);
        Ok(())
    }

    /// `SET TIMESTAMP = …` (`None`: `DEFAULT`, the real clock again).
    fn set_timestamp(&mut self, e: Option<&Expr>) -> SqlResult<()> {
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
        Ok(())
    }

    /// `SET name = value`: the session variables ReelDB implements; others
    /// are accepted and ignored.
    /// The value of an on/off system variable `name` set to `value`: `ON`
    /// or `OFF` (bare or quoted, any case), 1 or 0; anything else is
    /// `ER_WRONG_VALUE_FOR_VAR`.
    pub(super) fn switch_value(&mut self, name: &str, value: &Expr) -> SqlResult<bool> {
        let v = match value {
            // a bare ON / OFF, as MySQL takes it
            Expr::Column { name, table: None } => Value::Str(name.clone()),
            e => self.const_expr(e)?,
        };
        match &v {
            Value::Str(s) if s.eq_ignore_ascii_case("on") => Ok(true),
            Value::Str(s) if s.eq_ignore_ascii_case("off") => Ok(false),
            v => match v.numeric() {
                Value::Int(0) => Ok(false),
                Value::Int(1) => Ok(true),
                _ => Err(SqlError::new(
                    Code::WrongValueForVar,
                    format!("Variable '{name}' can't be set to the value of '{v}'"),
                )),
            },
        }
    }

    /// `SELECT ... INTO @a, @b`: the one row's values into the user
    /// variables (none: a warning, the variables unchanged; more than
    /// one: `ER_TOO_MANY_ROWS`).
    fn select_into(&mut self, q: &Query, into: &[String]) -> SqlResult<StatementResult> {
        let mut q = q.clone();
        if let SetExpr::Select(s) = &mut q.body {
            s.into.clear();
        }
        let StatementResult::Rows { columns, rows } = self.query(&q)? else {
            return Ok(StatementResult::Affected(0));
        };
        if columns.len() != into.len() {
            return Err(SqlError::new(
                Code::WrongNumberOfColumnsInSelect,
                "The used SELECT statements have a different number of columns",
            ));
        }
        match rows.as_slice() {
            [] => {
                self.diag.warn(Code::SpFetchNoData, "No data - zero rows fetched, selected, or processed");
                Ok(StatementResult::Affected(0))
            }
            [row] => {
                let mut vars = self.insert_ids.vars.borrow_mut();
                for (name, v) in into.iter().zip(row) {
                    vars.insert(name.clone(), v.clone());
                }
                Ok(StatementResult::Affected(1))
            }
            _ => Err(SqlError::new(Code::TooManyRows, "Result consisted of more than one row")),
        }
    }

    fn set_variable(&mut self, name: &str, value: &Expr) -> SqlResult<()> {
        // a user variable: `SET @a = expr`
        if let Some(var) = name.strip_prefix('@') {
            let v = self.const_expr(value)?;
            self.insert_ids.vars.borrow_mut().insert(var.to_string(), v);
            return Ok(());
        }
        // `= DEFAULT`: the variables other than sql_mode read it as NULL
        let value = match value {
            Expr::Default if name != "sql_mode" => &Expr::Lit(Value::Null),
            v => v,
        };
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
            return Ok(());
        }
        if name == "sql_mode" {
            // DEFAULT is MySQL 8's default; NULL is not a mode
            if matches!(value, Expr::Default) {
                self.sql_mode = SqlMode::default();
                return Ok(());
            }
            self.sql_mode = match self.const_expr(value)? {
                Value::Int(n) => SqlMode::from_bits(n)?,
                Value::Null => {
                    return Err(SqlError::new(
                        Code::WrongValueForVar,
                        "Variable 'sql_mode' can't be set to the value of 'NULL'",
                    ))
                }
                v => SqlMode::parse(&v.to_string())?,
            };
            return Ok(());
        }
        if name == "foreign_key_checks" {
            self.set_foreign_key_checks(value)?; // constraints.rs
            return Ok(());
        }
        if name == "autocommit" {
            // on again: the open transaction commits (MySQL)
            let on = self.switch_value(name, value)?;
            if on && self.insert_ids.manual_commit.get() && self.explicit_tx {
                self.commit_tx()?;
            }
            self.insert_ids.manual_commit.set(!on);
            return Ok(());
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
            return Ok(());
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
            return Ok(());
        }
        // other session variables are accepted and ignored
        Ok(())
    }

    fn commit_tx(&mut self) -> SqlResult<()> {
        let summary =
            if self.tx_summary.is_empty() { "COMMIT".to_string() } else { summary_of(&self.tx_summary.join("; ")) };
        let rows = self.tx_rows;
        self.explicit_tx = false;
        self.tx_summary.clear();
        self.tx_rows = 0;
        self.savepoints.clear();
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
        let limit = self.query_memory_limit;
        let vr = |name: &str, args: &[Value]| virtual_rows(db, &cat, &cur_db, name, args, limit);
        let binder = Binder::new(db, &cat, &cur_db, &self.params, &vr, self.cte_max_depth, self.query_memory_limit)
            .with_session(&self.insert_ids, self.cons.fk_checks)
            .with_diagnostics(&self.diag, self.sql_mode);
        f(&binder)
    }

    /// An execution at statement time `now` with the statement's parameters
    /// and the session's `query_memory_limit`.
    fn exec(&self, now: Timestamp) -> Exec<'_> {
        Exec {
            info: Some(&self.insert_ids),
            diag: Some(&self.diag),
            ..Exec::new(&self.db, now, &self.params, self.query_memory_limit)
        }
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
        if let Some(p) = self.running.clone().filter(|p| p.is_query(q)) {
            return self.query_prepared(&p, q);
        }
        self.with_binder(|b| {
            let plan = b.query(q, None)?;
            let rows = b.exec().run(&plan, None)?;
            Ok(StatementResult::Rows { columns: plan.columns(), rows })
        })
    }

    pub(super) fn table_meta(&self, cat: &Catalog, n: &ObjName) -> SqlResult<Rc<TableMeta>> {
        let db = &self.db_name(n.db.as_deref())?;
        if !cat.has_db(db) {
            return Err(SqlError::new(Code::BadDb, format!("Unknown database '{db}'")));
        }
        cat.table(db, &n.name).ok_or_else(|| no_table(db, &n.name))
    }

    /// Executes a writing statement inside the open transaction; returns
    /// the number of affected rows.
    fn write(&mut self, stmt: &Stmt) -> SqlResult<u64> {
        match stmt {
            Stmt::CreateDatabase { name, if_not_exists } => self.create_database(name, *if_not_exists),
            Stmt::DropDatabase { name, if_exists } => self.drop_database(name, *if_exists),
            Stmt::CreateTable {
                name,
                if_not_exists,
                columns,
                primary_key,
                indexes,
                foreign_keys,
                checks,
                as_query,
                auto_increment,
                collation,
            } => self.create_table(
                name,
                *if_not_exists,
                columns,
                TableKeys { primary_key, indexes, foreign_keys, checks, collation: *collation },
                as_query.as_deref(),
                *auto_increment,
            ),
            Stmt::CreateTableLike { name, like, if_not_exists } => self.create_table_like(name, like, *if_not_exists),
            Stmt::DropTable { names, if_exists } => self.drop_table(names, *if_exists),
            Stmt::CreateView { name, or_replace, columns, sql, query } => {
                self.create_view(name, *or_replace, columns, sql, query)
            }
            Stmt::DropView { names, if_exists } => self.drop_view(names, *if_exists),
            Stmt::CreateIndex { name, table, columns, unique, if_not_exists } => {
                self.create_index(name, table, columns, *unique, *if_not_exists)
            }
            Stmt::DropIndex { name, table, if_exists } => self.drop_index(name, table.as_ref(), *if_exists),
            Stmt::AlterTable { name, ops } => self.alter_table(name, ops),
            Stmt::Truncate(n) => self.truncate(n),
            Stmt::Insert { table, columns, source, ignore, replace, on_duplicate, row_alias } => self.insert(
                table,
                columns.as_deref(),
                source,
                *ignore,
                *replace,
                OnDuplicate { sets: on_duplicate, row_alias: row_alias.as_ref() },
            ),
            Stmt::Update { table, assignments, filter, order_by, limit, ignore } => {
                self.update(table, assignments, filter.as_ref(), order_by, limit.as_ref(), *ignore)
            }
            Stmt::Delete { table, filter, order_by, limit } => {
                self.delete(table, filter.as_ref(), order_by, limit.as_ref())
            }
            Stmt::DeleteJoin { targets, from, filter } => self.delete_join(targets, from, filter.as_ref()),
            Stmt::UpdateJoin { from, assignments, filter, ignore } => {
                self.update_join(from, assignments, filter.as_ref(), *ignore)
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
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::sql::plan::Row;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn text(rows: &[Row]) -> Vec<String> {
        rows.iter().map(|r| r.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(",")).collect()
    }

    #[test]
    fn a_kept_check_is_bound_again_when_its_columns_change() {
        let mut s = Session::in_memory();
        s.execute("CREATE TABLE t (a VARCHAR(10) CHECK (a < '5'))").unwrap();
        // '10' < '5' as strings
        s.execute("INSERT INTO t VALUES ('10'); INSERT INTO t VALUES ('2')").unwrap();
        assert_eq!(s.execute("INSERT INTO t VALUES ('7')").unwrap_err().code, Code::CheckConstraintViolated);
        // 10 < 5 as numbers
        let e = s.execute("ALTER TABLE t MODIFY a INT").unwrap_err();
        assert_eq!(e.code, Code::CheckConstraintViolated, "{e}");
        s.execute("DELETE FROM t WHERE a = '10'; ALTER TABLE t MODIFY a INT").unwrap();
        assert_eq!(s.execute("INSERT INTO t VALUES (10)").unwrap_err().code, Code::CheckConstraintViolated);
        // the same name and condition on another table
        s.execute("DROP TABLE t; CREATE TABLE t (b INT, a VARCHAR(10) CHECK (a < '5'))").unwrap();
        s.execute("INSERT INTO t VALUES (9, '10')").unwrap();
        match s.execute_one("SELECT a FROM t").unwrap() {
            StatementResult::Rows { rows, .. } => assert_eq!(text(&rows), ["10"]),
            other => panic!("{other:?}"),
        }
    }

    /// A bound plan is plain data: executed again with another parameter, or
    /// by two executions in turn, each execution gets its own answer (the
    /// recursive CTE's working table and the uncorrelated subquery's result
    /// belong to the execution, not to the plan).
    #[test]
    fn one_bound_plan_executes_again_with_other_parameters() {
        let mut s = Session::in_memory();
        s.execute("CREATE TABLE t (k INT PRIMARY KEY, v INT); INSERT INTO t VALUES (1, 10), (2, 20), (3, 30), (4, 40)")
            .unwrap();
        let Stmt::Query(q) = Session::parse(
            "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < ?) \
             SELECT n, (SELECT v FROM t WHERE t.k = r.n) AS v, \
             (SELECT COUNT(*) FROM r AS s WHERE s.n <= r.n) AS upto, \
             (SELECT SUM(n) FROM r) AS total \
             FROM r ORDER BY n",
        )
        .unwrap() else {
            panic!("a query")
        };
        let (first, second, again, a1, b1, a2) = s
            .with_binder(|b| {
                let plan = b.query(&q, None)?;
                let (two, three) = ([Value::Int(2)], [Value::Int(3)]);
                // executed three times, one after the other
                let first = Exec { params: &two, ..b.exec() }.run(&plan, None)?;
                let second = Exec { params: &three, ..b.exec() }.run(&plan, None)?;
                let again = Exec { params: &two, ..b.exec() }.run(&plan, None)?;
                // two executions alive at once, each run in turn
                let a = Exec { params: &two, ..b.exec() };
                let bx = Exec { params: &three, ..b.exec() };
                let a1 = a.run(&plan, None)?;
                let b1 = bx.run(&plan, None)?;
                let a2 = a.run(&plan, None)?;
                Ok((first, second, again, a1, b1, a2))
            })
            .unwrap();
        let upto_two = vec!["1,10,1,3", "2,20,2,3"];
        let upto_three = vec!["1,10,1,6", "2,20,2,6", "3,30,3,6"];
        assert_eq!(text(&first), upto_two);
        assert_eq!(text(&second), upto_three);
        assert_eq!(text(&again), upto_two);
        assert_eq!(text(&a1), upto_two);
        assert_eq!(text(&b1), upto_three);
        assert_eq!(text(&a2), upto_two);
    }

    /// A commit's summary: the statement's words one space apart, cut at
    /// 200 characters with "..." (counted in characters, not bytes).
    #[test]
    fn summaries_join_words_and_cut_long_statements() {
        assert_eq!(summary_of("  INSERT INTO\n t\tVALUES (1)  "), "INSERT INTO t VALUES (1)");
        let exact = "é".repeat(SUMMARY_MAX);
        assert_eq!(summary_of(&exact), exact);
        let long = format!("INSERT INTO t VALUES {}", vec!["(1, 'ü')"; 100].join(",\n  "));
        let joined = long.split_whitespace().collect::<Vec<_>>().join(" ");
        let want = joined.chars().take(SUMMARY_MAX - 3).collect::<String>() + "...";
        assert_eq!(summary_of(&long), want);
        assert_eq!(want.chars().count(), SUMMARY_MAX);
    }

    /// A rollback to a savepoint takes back the statements after it from
    /// the commit's summary and row count, and the schema from the
    /// catalogue cache.
    #[test]
    fn rollback_to_savepoint_rolls_back_summary_rows_and_schema() {
        let mut s = Session::in_memory();
        s.execute("CREATE TABLE t (a INT)").unwrap();
        s.execute(
            "BEGIN; INSERT INTO t VALUES (1); SAVEPOINT p; INSERT INTO t VALUES (2), (3); \
             CREATE TABLE u (b INT); ROLLBACK TO SAVEPOINT p; INSERT INTO t VALUES (4); COMMIT",
        )
        .unwrap();
        let last = s.database().last_entry().cloned().unwrap();
        assert_eq!(last.summary, "INSERT INTO t VALUES (1); INSERT INTO t VALUES (4)");
        assert_eq!(last.rows_changed, 2);
        assert_eq!(s.execute_one("SELECT * FROM u").unwrap_err().code, Code::NoSuchTable);
        let StatementResult::Rows { rows, .. } = s.execute_one("SELECT a FROM t ORDER BY a").unwrap() else {
            panic!("rows")
        };
        assert_eq!(text(&rows), vec!["1", "4"]);
    }

    fn cell(s: &mut Session, sql: &str) -> String {
        match s.execute_one(sql).unwrap() {
            StatementResult::Rows { rows, .. } => text(&rows).join(";"),
            StatementResult::Affected(n) => format!("affected {n}"),
        }
    }

    /// A script run as one transaction leaves its statements' warnings
    /// for the next call (its own BEGIN and COMMIT do not clear them), and
    /// `sql_mode` survives ROLLBACK and BACKTRACK as the session does.
    #[test]
    fn warnings_outlive_the_scripts_own_transaction_and_sql_mode_survives_rollback() {
        let mut s = Session::in_memory();
        s.execute("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(2))").unwrap();
        s.execute_atomically("INSERT INTO t VALUES (1, 'a'); INSERT IGNORE INTO t VALUES (1, 'b'), (2, 'long')")
            .unwrap();
        assert_eq!(
            cell(&mut s, "SHOW WARNINGS"),
            "Warning,1062,Duplicate entry '1' for key 't.PRIMARY';Warning,1265,Data truncated for column 'v' at row 2"
        );
        assert_eq!(cell(&mut s, "SELECT @@warning_count"), "2");
        assert_eq!(cell(&mut s, "SHOW COUNT(*) WARNINGS"), "2");
        s.execute("SET sql_mode = 'ansi_quotes'; BEGIN; INSERT INTO t VALUES (3, 'x'); ROLLBACK").unwrap();
        s.execute("BACKTRACK TO TIMESTAMP '2000-01-01 00:00:00' OR EARLIEST").unwrap();
        assert_eq!(cell(&mut s, "SELECT @@sql_mode"), "ANSI_QUOTES");
        assert_eq!(cell(&mut s, "SHOW WARNINGS"), "");
    }
}
