//! DML: `INSERT` (with `IGNORE`, `REPLACE`, `ON DUPLICATE KEY UPDATE`),
//! `UPDATE` and `DELETE`, and the row, index-entry and unique-key work
//! under them.

use std::cell::Cell;
use std::rc::Rc;

use crate::time::Timestamp;

use super::{Session, StatementResult};
use crate::sql::ast::*;
use crate::sql::bind::{plan_from, split_and, FromPart, Scope, ScopeCol, INSERTED_VALUES};
use crate::sql::catalog::*;
use crate::sql::error::{Code, SqlError, SqlResult};
use crate::sql::exec::{Exec, ExecState};
use crate::sql::functions::statement_time;
use crate::sql::plan::{Access, BExpr, LeafSource, QueryPlan, Row, SelectPlan, Snap};
use crate::sql::value::{SType, SqlType, Value};

/// `ON DUPLICATE KEY UPDATE` bound: the assignments by column, and the
/// execution state they share across the statement's rows.
pub(super) struct Upsert {
    sets: Vec<(usize, BExpr)>,
    state: Rc<ExecState>,
}

/// A table's next row id and next AUTO_INCREMENT value while one statement
/// inserts rows: read at the first row that needs them, advanced by each
/// row inserted, stored once after the last (a statement that fails is
/// undone whole, so no row needs it stored before the next).
#[derive(Default)]
pub(super) struct RowSeq {
    next: Option<(u64, i64)>,
    changed: bool,
}

/// `ON DUPLICATE KEY UPDATE`: its assignments, and the row alias
/// (`AS new(a, b)`) they may name the inserted row by.
pub(super) struct OnDuplicate<'s> {
    pub(super) sets: &'s [(String, Expr)],
    pub(super) row_alias: Option<&'s (String, Vec<String>)>,
}

impl Session {
    /// `INSERT`, `INSERT IGNORE`, `REPLACE`, and `ON DUPLICATE KEY UPDATE`:
    /// the affected rows.
    pub(super) fn insert(
        &mut self,
        table: &ObjName,
        columns: Option<&[String]>,
        source: &InsertSource,
        ignore: bool,
        replace: bool,
        on_duplicate: OnDuplicate<'_>,
    ) -> SqlResult<u64> {
        let cat = self.catalog()?;
        let t = self.table_meta(&cat, table)?;
        let upsert = if on_duplicate.sets.is_empty() {
            None
        } else {
            let sets = self.bind_on_duplicate(&t, on_duplicate.sets, on_duplicate.row_alias)?;
            Some(Upsert { sets, state: Rc::default() })
        };
        let map: Vec<usize> = match columns {
            Some(cols) => cols
                .iter()
                .map(|c| {
                    t.column(c)
                        .ok_or_else(|| SqlError::new(Code::BadField, format!("Unknown column '{c}' in 'field list'")))
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
                            // a literal is its value (what binding and
                            // evaluating it would give, without a binder
                            // per value)
                            Expr::Lit(v) => Some(v.clone()),
                            // a parameter likewise
                            Expr::Param(i) => Some(
                                self.params
                                    .get(*i)
                                    .cloned()
                                    .ok_or_else(|| crate::sql::params::wrong_count(*i + 1, self.params.len()))?,
                            ),
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
        let now = statement_time(&self.db);
        let mut seq = RowSeq::default();
        let mut n = 0;
        self.insert_ids.start();
        for (i, r) in rows.into_iter().enumerate() {
            self.diag.set_row(i as u64 + 1);
            n += self.insert_row_with(&t, &map, r, ignore, replace, upsert.as_ref(), now, &mut seq)?;
        }
        self.store_seq(&t, &seq)?;
        self.insert_ids.finish();
        Ok(n)
    }

    /// `UPDATE [IGNORE]`: the rows changed. With `IGNORE` a row whose new
    /// values would duplicate a key or break a foreign key or CHECK is left
    /// as it was, with the error as a warning.
    pub(super) fn update(
        &mut self,
        table: &ObjName,
        assignments: &[(String, Expr)],
        filter: Option<&Expr>,
        order_by: &[OrderItem],
        limit: Option<&Expr>,
        ignore: bool,
    ) -> SqlResult<u64> {
        let cat = self.catalog()?;
        let t = self.table_meta(&cat, table)?;
        let targets = self.select_rows(&t, filter, order_by, limit)?;
        let sets: Vec<(usize, Expr)> = assignments
            .iter()
            .map(|(c, e)| {
                t.column(c)
                    .ok_or_else(|| SqlError::new(Code::BadField, format!("Unknown column '{c}' in 'field list'")))
                    .and_then(|i| Ok((i, self.assigned(&t, i, e)?)))
            })
            .collect::<SqlResult<_>>()?;
        let bound = self.with_binder(|b| {
            let scope = table_scope(&t);
            sets.iter().map(|(i, e)| Ok((*i, b.expr(e, &scope, None)?))).collect::<SqlResult<Vec<_>>>()
        })?;
        let mut n = 0;
        let now = statement_time(&self.db);
        // one execution of the assignments for all the rows
        let state = Rc::new(ExecState::default());
        for (k, (rowid, old)) in targets.into_iter().enumerate() {
            self.diag.set_row(k as u64 + 1);
            let mut new = old.clone();
            {
                let ex = Exec { state: state.clone(), ..self.exec(now) };
                for (i, e) in &bound {
                    let v = ex.eval(e, &crate::sql::exec::Env { row: &new, parent: None })?;
                    new[*i] = self.coerce(&t, *i, v)?;
                }
            }
            n += u64::from(self.rewrite_row_or_ignore(&t, rowid, &old, &new, ignore)?);
        }
        Ok(n)
    }

    /// Rewrites a row for `UPDATE`; with `ignore` (`UPDATE IGNORE`), a
    /// change that fails a key or a constraint is undone and becomes a
    /// warning. Whether the row changed.
    fn rewrite_row_or_ignore(
        &mut self,
        t: &TableMeta,
        rowid: u64,
        old: &Row,
        new: &Row,
        ignore: bool,
    ) -> SqlResult<bool> {
        if !ignore {
            return self.rewrite_row(t, rowid, old, new);
        }
        let mark = self.db.mark();
        match self.rewrite_row(t, rowid, old, new) {
            Ok(changed) => {
                self.db.release_mark(mark);
                Ok(changed)
            }
            Err(e) if skippable(e.code) => {
                self.db.restore_mark(mark)?;
                self.diag.warn(e.code, e.message);
                Ok(false)
            }
            Err(e) => {
                self.db.release_mark(mark);
                Err(e)
            }
        }
    }

    /// `DELETE`: the rows deleted.
    pub(super) fn delete(
        &mut self,
        table: &ObjName,
        filter: Option<&Expr>,
        order_by: &[OrderItem],
        limit: Option<&Expr>,
    ) -> SqlResult<u64> {
        let cat = self.catalog()?;
        let t = self.table_meta(&cat, table)?;
        let targets = self.select_rows(&t, filter, order_by, limit)?;
        let mut n = 0;
        for (rowid, row) in targets {
            // constraints.rs: foreign keys act on the child rows
            n += u64::from(self.delete_row_checked(&t, rowid, &row)?);
        }
        Ok(n)
    }

    /// Multi-table `DELETE t1 [, t2] FROM <joins> [WHERE ...]`: the rows of
    /// the target tables that take part in a row of the join, each deleted
    /// once; the rows deleted, as MySQL counts them.
    pub(super) fn delete_join(
        &mut self,
        targets: &[String],
        from: &[TableRef],
        filter: Option<&Expr>,
    ) -> SqlResult<u64> {
        let metas = self.join_targets(targets, from)?;
        let items = targets.iter().map(|t| SelectItem::QualifiedWildcard(t.clone())).collect();
        let rows = self.join_rows(items, from, filter)?;
        let mut n = 0;
        let mut at = 0;
        for t in &metas {
            let w = t.columns.len();
            // whether a row joins depends on its values only: the rows to
            // delete are those whose values (exactly) a joined row holds
            let doomed: std::collections::HashSet<String> = rows.iter().map(|r| row_identity(&r[at..at + w])).collect();
            at += w;
            for (rowid, row) in self.all_rows(t)? {
                if doomed.contains(&row_identity(&row)) {
                    // constraints.rs: foreign keys act on the child rows
                    n += u64::from(self.delete_row_checked(t, rowid, &row)?);
                }
            }
        }
        Ok(n)
    }

    /// Multi-table `UPDATE [IGNORE] <joins> SET [t.]c = e, ... [WHERE ...]`:
    /// each row of a table assigned to that takes part in a row of the join
    /// is updated once, with the values of the first such joined row; the
    /// rows changed.
    pub(super) fn update_join(
        &mut self,
        from: &[TableRef],
        assignments: &[(Option<String>, String, Expr)],
        filter: Option<&Expr>,
        ignore: bool,
    ) -> SqlResult<u64> {
        // the table of each assignment: its qualifier, else the one table
        // of the FROM clause that has the column
        let names = from_tables(from);
        let cat = self.catalog()?;
        let mut metas: Vec<(String, Rc<TableMeta>)> = Vec::new();
        for (shown, n) in &names {
            metas.push((shown.clone(), self.table_meta(&cat, n)?));
        }
        let mut targets: Vec<String> = Vec::new();
        let mut sets: Vec<(usize, usize, Expr)> = Vec::new();
        for (q, c, e) in assignments {
            let owners: Vec<usize> = metas
                .iter()
                .enumerate()
                .filter(|(_, (shown, t))| {
                    q.as_deref().is_none_or(|q| q.eq_ignore_ascii_case(shown)) && t.column(c).is_some()
                })
                .map(|(i, _)| i)
                .collect();
            let [owner] = owners[..] else {
                return Err(if owners.is_empty() {
                    SqlError::new(Code::BadField, format!("Unknown column '{c}' in 'field list'"))
                } else {
                    SqlError::new(Code::NonUniq, format!("Column '{c}' in field list is ambiguous"))
                });
            };
            let shown = &metas[owner].0;
            let k = match targets.iter().position(|t| t.eq_ignore_ascii_case(shown)) {
                Some(k) => k,
                None => {
                    targets.push(shown.clone());
                    targets.len() - 1
                }
            };
            let col = metas[owner].1.column(c).unwrap_or_default();
            let assigned = self.assigned(&metas[owner].1, col, e)?;
            sets.push((k, col, assigned));
        }
        let tmetas = self.join_targets(&targets, from)?;
        // SELECT t1.*, t2.*, <the assigned values> FROM ... WHERE ...
        let mut items: Vec<SelectItem> = targets.iter().map(|t| SelectItem::QualifiedWildcard(t.clone())).collect();
        items.extend(sets.iter().map(|(_, _, e)| SelectItem::Expr {
            expr: e.clone(),
            alias: None,
            text: String::new(),
        }));
        let rows = self.join_rows(items, from, filter)?;
        let widths: Vec<usize> = tmetas.iter().map(|t| t.columns.len()).collect();
        let values_at: usize = widths.iter().sum();
        let mut n = 0;
        let mut at = 0;
        for (k, t) in tmetas.iter().enumerate() {
            let w = widths[k];
            // the first joined row of each target row gives its new values
            let mut news: std::collections::HashMap<String, Vec<(usize, Value)>> = std::collections::HashMap::new();
            for r in &rows {
                let vals = sets
                    .iter()
                    .enumerate()
                    .filter(|(_, (sk, _, _))| *sk == k)
                    .map(|(j, (_, col, _))| (*col, r[values_at + j].clone()))
                    .collect();
                news.entry(row_identity(&r[at..at + w])).or_insert(vals);
            }
            at += w;
            for (rowid, old) in self.all_rows(t)? {
                let Some(vals) = news.get(&row_identity(&old)) else { continue };
                let mut new = old.clone();
                for (col, v) in vals {
                    new[*col] = self.coerce(t, *col, v.clone())?;
                }
                if self.rewrite_row_or_ignore(t, rowid, &old, &new, ignore)? {
                    n += 1;
                }
            }
        }
        Ok(n)
    }

    /// The stored tables a multi-table statement changes, by the names or
    /// aliases they have in its FROM clause (`ER_UNKNOWN_TABLE` otherwise).
    fn join_targets(&mut self, targets: &[String], from: &[TableRef]) -> SqlResult<Vec<Rc<TableMeta>>> {
        let names = from_tables(from);
        let cat = self.catalog()?;
        targets
            .iter()
            .map(|t| match names.iter().find(|(shown, _)| shown.eq_ignore_ascii_case(t)) {
                Some((_, n)) => self.table_meta(&cat, n),
                None => Err(SqlError::new(Code::UnknownTable, format!("Unknown table '{t}' in MULTI DELETE"))),
            })
            .collect()
    }

    /// The rows of `SELECT items FROM from WHERE filter`, planned and run
    /// as a query's are.
    fn join_rows(&mut self, items: Vec<SelectItem>, from: &[TableRef], filter: Option<&Expr>) -> SqlResult<Vec<Row>> {
        let select = Select {
            into: Vec::new(),
            distinct: false,
            items,
            from: from.to_vec(),
            filter: filter.cloned(),
            group_by: Vec::new(),
            rollup: false,
            having: None,
            windows: Vec::new(),
        };
        let q = Query {
            with: Vec::new(),
            body: SetExpr::Select(Box::new(select)),
            order_by: Vec::new(),
            limit: None,
            offset: None,
        };
        self.with_binder(|b| {
            let plan = b.query(&q, None)?;
            b.exec().run(&plan, None)
        })
    }

    /// The value `v` as column `i` of `t` stores it. Bad data (too long,
    /// out of range, not a number or time) and NULL in a NOT NULL column
    /// fail as the statement running has it (`diag.rs`: strict
    /// `sql_mode`, `IGNORE`); otherwise the value is adjusted as `CAST`
    /// would (NULL: the type's implicit default) with a warning naming
    /// the column and row.
    pub(in crate::sql) fn coerce(&self, t: &TableMeta, i: usize, v: Value) -> SqlResult<Value> {
        let c = &t.columns[i];
        let assign = self.diag.assign();
        if v.is_null() {
            if c.not_null {
                let e = SqlError::new(Code::BadNull, format!("Column '{}' cannot be null", c.name));
                if assign.null_error {
                    return Err(e);
                }
                self.diag.warn(e.code, e.message);
                return Ok(c.implicit_default());
            }
            return Ok(v);
        }
        let e = match c.convert(&v, true) {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        let row = self.diag.row();
        let col = &c.name;
        let type_word = c.ty.value_word();
        let (code, message) = match e.code {
            Code::DataTooLong if assign.strict => (e.code, format!("Data too long for column '{col}' at row {row}")),
            Code::DataTooLong | Code::WarnDataTruncated | Code::TruncatedWrongValue if !assign.strict => {
                (Code::WarnDataTruncated, format!("Data truncated for column '{col}' at row {row}"))
            }
            Code::WarnDataTruncated => (e.code, format!("Data truncated for column '{col}' at row {row}")),
            Code::WarnDataOutOfRange => (e.code, format!("Out of range value for column '{col}' at row {row}")),
            Code::TruncatedWrongValueForField | Code::TruncatedWrongValue => {
                let shown = v.to_text().unwrap_or_default();
                (e.code, format!("Incorrect {type_word} value: '{shown}' for column '{col}' at row {row}"))
            }
            _ => (e.code, format!("{} for column '{col}'", e.message)),
        };
        if assign.strict {
            return Err(SqlError::new(code, message));
        }
        let adjusted = c.convert(&v, false)?;
        self.diag.warn(code, message);
        Ok(adjusted)
    }

    /// The value a column takes in a row that does not give it (left out of
    /// the column list, or `DEFAULT`): its default (`CURRENT_TIMESTAMP`: the
    /// statement time `now`; `DEFAULT (expr)`: the expression, evaluated
    /// now), else NULL; a NOT NULL column without a default
    /// gets its type's implicit default, as MySQL fills a column left out
    /// (except an AUTO_INCREMENT column: `insert_row` numbers a NULL there).
    pub(super) fn column_default(&mut self, c: &ColumnMeta, now: Timestamp) -> SqlResult<Value> {
        let v = if c.default_now {
            Value::DateTime(Timestamp::from_secs(now.secs()))
        } else if let Some(sql) = &c.default_expr {
            let e = crate::sql::translate::parse_expr(sql)?;
            let v = self.const_expr(&e)?;
            c.convert(&v, true)?
        } else {
            c.default_value()
        };
        Ok(if v.is_null() && c.not_null && !c.auto_increment { c.implicit_default() } else { v })
    }

    /// A NOT NULL column without a default was left without a value (an
    /// INSERT that does not give it, `SET c = DEFAULT`):
    /// `ER_NO_DEFAULT_FOR_FIELD` in strict mode, else a warning (the
    /// column then takes its type's implicit default).
    fn no_default(&self, c: &ColumnMeta) -> SqlResult<()> {
        let e = SqlError::new(Code::NoDefaultForField, format!("Field '{}' doesn't have a default value", c.name));
        if self.diag.assign().strict {
            return Err(e);
        }
        self.diag.warn(e.code, e.message);
        Ok(())
    }

    /// The generated columns of `row` (a row of `t`), computed in column
    /// order from the row's other values and stored as the column's type
    /// stores a value.
    pub(in crate::sql) fn fill_generated(&mut self, t: &TableMeta, row: &mut Row) -> SqlResult<()> {
        for (i, c) in t.columns.iter().enumerate() {
            let Some(sql) = &c.generated else { continue };
            let e = self.generated_expr(t, sql)?;
            row.resize(t.columns.len(), Value::Null);
            let v = self.with_binder(|b| b.exec().eval(&e, &crate::sql::exec::Env { row, parent: None }))?;
            row[i] = self.coerce(t, i, v)?;
        }
        Ok(())
    }

    /// A generated column's expression bound against the columns of `t`.
    pub(in crate::sql) fn generated_expr(&mut self, t: &TableMeta, sql: &str) -> SqlResult<Rc<BExpr>> {
        self.table_expr(t, sql)
    }

    /// An expression of `t`'s definition (a CHECK condition, a generated
    /// column's expression: `sql`) bound against the columns of `t`, bound
    /// once and kept, not bound again for every row written: with the
    /// table name and the columns (names and types) and the settings it was
    /// bound under, for any later statement where binding read nothing of
    /// the moment ([`Binder::reusable`], no warning), else for the
    /// statement only (its data epoch).
    ///
    /// [`Binder::reusable`]: crate::sql::bind::Binder::reusable
    pub(in crate::sql) fn table_expr(&mut self, t: &TableMeta, sql: &str) -> SqlResult<Rc<BExpr>> {
        let key = self.plan_key();
        if let Some(b) = self.bound.iter().find(|b| b.sql == sql && b.fits(t) && b.valid(&key)) {
            return Ok(b.expr.clone());
        }
        let e = crate::sql::translate::parse_expr(sql)?;
        let scope = table_scope(t);
        let warnings = self.diag.warning_count();
        let (expr, reusable) = self.with_binder(|b| Ok((b.expr(&e, &scope, None)?, b.reusable())))?;
        let expr = Rc::new(expr);
        if self.bound.len() == BOUND_EXPRS {
            self.bound.remove(0);
        }
        self.bound.push(BoundExpr {
            any_epoch: reusable && self.diag.warning_count() == warnings,
            key,
            sql: sql.to_string(),
            table: t.name.clone(),
            columns: t.columns.iter().map(|c| (c.name.clone(), c.ty)).collect(),
            expr: expr.clone(),
        });
        Ok(expr)
    }

    /// The value `e` assigns to the column `i` of `t` in `SET c = e`: `DEFAULT` is
    /// the column's default ([`Session::column_default`]), anything else itself; a
    /// generated column takes no value but `DEFAULT`.
    fn assigned(&mut self, t: &TableMeta, i: usize, e: &Expr) -> SqlResult<Expr> {
        let c = &t.columns[i];
        if c.generated.is_some() && !matches!(e, Expr::Default) {
            return Err(generated_given(t, c));
        }
        Ok(match e {
            Expr::Default => {
                if lacks_default(c) {
                    self.no_default(c)?;
                }
                Expr::Lit(self.column_default(c, statement_time(&self.db))?)
            }
            e => e.clone(),
        })
    }

    /// A table's next row id and AUTO_INCREMENT value, read once per
    /// statement into `seq`.
    fn next_seq(&self, t: &TableMeta, seq: &mut RowSeq) -> SqlResult<(u64, i64)> {
        match seq.next {
            Some(next) => Ok(next),
            None => {
                let next = self.read_seq(t.id)?;
                seq.next = Some(next);
                Ok(next)
            }
        }
    }

    /// Stores what the rows a statement inserted advanced `seq` to.
    fn store_seq(&mut self, t: &TableMeta, seq: &RowSeq) -> SqlResult<()> {
        if let (true, Some((rowid, auto))) = (seq.changed, seq.next) {
            self.write_seq(t.id, rowid, auto)?;
        }
        Ok(())
    }

    /// Stores a table's next row id and AUTO_INCREMENT value (what
    /// [`Session::read_seq`] reads).
    fn write_seq(&mut self, table_id: u64, rowid: u64, auto: i64) -> SqlResult<()> {
        let mut b = Vec::with_capacity(16);
        b.extend_from_slice(&rowid.to_be_bytes());
        b.extend_from_slice(&auto.to_be_bytes());
        Ok(self.db.put(&seq_key(table_id), &b)?)
    }

    /// `AUTO_INCREMENT = n` (a table option, `ALTER TABLE`): the next
    /// value the AUTO_INCREMENT column generates is `n`, or the largest
    /// value there plus one if that is more (as InnoDB does).
    pub(super) fn set_auto_increment(&mut self, t: &TableMeta, n: i64) -> SqlResult<()> {
        let (rowid, _) = self.read_seq(t.id)?;
        let largest = match t.columns.iter().position(|c| c.auto_increment) {
            Some(i) => self.all_rows(t)?.iter().filter_map(|(_, r)| r.get(i).and_then(Value::to_i64)).max(),
            None => None,
        };
        let next = largest.map_or(n, |m| n.max(m.saturating_add(1)));
        self.write_seq(t.id, rowid, next)
    }

    fn read_seq(&self, table_id: u64) -> SqlResult<(u64, i64)> {
        let cur = self.db.current();
        Ok(self.db.get(&cur, &seq_key(table_id))?.and_then(|b| decode_seq(&b)).unwrap_or((1, 1)))
    }

    /// Stores `new` in place of the row `old` at `rowid` if they differ
    /// (checking unique keys); whether it did.
    /// A column `ON UPDATE CURRENT_TIMESTAMP` the change leaves as it was
    /// takes the statement time.
    pub(in crate::sql) fn rewrite_row(&mut self, t: &TableMeta, rowid: u64, old: &Row, new: &Row) -> SqlResult<bool> {
        let computed;
        let new = if t.columns.iter().any(|c| c.generated.is_some()) {
            let mut r = new.clone();
            self.fill_generated(t, &mut r)?;
            computed = r;
            &computed
        } else {
            new
        };
        if !old.iter().zip(new).any(|(a, b)| a != b) {
            return Ok(false);
        }
        let stamped;
        let new = if t.columns.iter().any(|c| c.on_update_now) {
            let now = Value::DateTime(Timestamp::from_secs(statement_time(&self.db).secs()));
            let mut r = new.clone();
            for (i, c) in t.columns.iter().enumerate() {
                if c.on_update_now && old.get(i) == new.get(i) && i < r.len() {
                    r[i] = now.clone();
                }
            }
            stamped = r;
            &stamped
        } else {
            new
        };
        for ix in &t.indexes {
            self.db.delete(&index_key_of(t, ix, old, rowid))?;
        }
        self.check_unique(t, new, rowid, None)?;
        self.db.put(&row_key(t.id, rowid), &encode_row(new))?;
        for ix in &t.indexes {
            self.put_index_entry(t, ix, new, rowid)?;
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
            .map(|c| ScopeCol { coll: c.collation(), ..ScopeCol::new(Some(INSERTED_VALUES.into()), c.name.clone()) })
            .collect();
        if let Some((name, names)) = alias {
            if !names.is_empty() && names.len() != t.columns.len() {
                return Err(SqlError::new(Code::WrongValueCount, "Column count doesn't match value count at row 1"));
            }
            for (i, c) in t.columns.iter().enumerate() {
                let col = names.get(i).cloned().unwrap_or_else(|| c.name.clone());
                cols.push(ScopeCol::new(Some(name.to_ascii_lowercase()), col));
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
    pub(super) fn insert_row(
        &mut self,
        t: &Rc<TableMeta>,
        map: &[usize],
        vals: Vec<Option<Value>>,
        ignore: bool,
        replace: bool,
        upsert: Option<&Upsert>,
    ) -> SqlResult<u64> {
        let mut seq = RowSeq::default();
        let now = statement_time(&self.db);
        let n = self.insert_row_with(t, map, vals, ignore, replace, upsert, now, &mut seq)?;
        self.store_seq(t, &seq)?;
        Ok(n)
    }

    /// [`Session::insert_row`] as one of a statement's rows: at statement
    /// time `now`, with the table's row-id sequence in `seq` (the caller
    /// stores it after the last row, [`Session::store_seq`]).
    #[allow(clippy::too_many_arguments)]
    fn insert_row_with(
        &mut self,
        t: &Rc<TableMeta>,
        map: &[usize],
        vals: Vec<Option<Value>>,
        ignore: bool,
        replace: bool,
        upsert: Option<&Upsert>,
        now: Timestamp,
        seq: &mut RowSeq,
    ) -> SqlResult<u64> {
        let mut row: Row = t.columns.iter().map(|c| self.column_default(c, now)).collect::<SqlResult<_>>()?;
        let mut given = vec![false; row.len()];
        for (v, &i) in vals.into_iter().zip(map) {
            if let Some(v) = v {
                row[i] = v;
                given[i] = true;
            }
        }
        // a NOT NULL column without a default must be given: an error in
        // strict mode, else the type's implicit default with a warning
        for (c, _) in t.columns.iter().zip(&given).filter(|(c, g)| !**g && lacks_default(c) && c.generated.is_none()) {
            self.no_default(c)?;
        }
        if let Some((c, _)) = t.columns.iter().zip(&given).find(|(c, g)| **g && c.generated.is_some()) {
            return Err(generated_given(t, c));
        }
        let (rowid, mut auto) = self.next_seq(t, seq)?;
        for (i, cell) in row.iter_mut().enumerate() {
            let c = &t.columns[i];
            if c.auto_increment {
                let is_zero = matches!(cell.numeric(), Value::Int(0));
                if cell.is_null() || is_zero {
                    // past the type's range: out of range, as in MySQL
                    *cell = self.coerce(t, i, Value::Int(auto))?;
                    self.insert_ids.generated(auto);
                    auto += 1;
                    continue;
                }
            }
            let v = std::mem::replace(cell, Value::Null);
            *cell = self.coerce(t, i, v)?;
            if c.auto_increment {
                if let Some(x) = cell.to_i64() {
                    if x >= auto {
                        auto = x + 1;
                    }
                }
            }
        }
        self.fill_generated(t, &mut row)?;
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
                    let Some(upsert) = upsert else { return Err(e) };
                    let ex = Exec { state: upsert.state.clone(), ..self.exec(now) };
                    let outer = crate::sql::exec::Env { row: &inserted, parent: None };
                    for (i, e) in &upsert.sets {
                        let v = ex.eval(e, &crate::sql::exec::Env { row: &new, parent: Some(&outer) })?;
                        new[*i] = self.coerce(t, *i, v)?;
                    }
                }
                return Ok(if self.rewrite_row(t, rid, &old, &new)? { 2 } else { 0 });
            }
            Err(e) if e.code == Code::DupEntry && ignore => {
                self.diag.warn(e.code, e.message);
                return Ok(0);
            }
            Err(e) if e.code == Code::DupEntry && replace => {
                // delete every conflicting row, then insert
                while let Some((rid, old)) = self.find_conflict(t, &row, u64::MAX)? {
                    self.delete_row_checked(t, rid, &old)?; // constraints.rs
                    affected += 1;
                }
            }
            Err(e) => return Err(e),
        }
        seq.next = Some((rowid + 1, auto));
        if !seq.changed {
            // stored at the first row as well: with the sequence key in
            // place before the rows arrive, the leaf holding it splits off
            // early and the rows fill their own nodes (without it a
            // 20,000-row load took 18 % more pages; tests/storage_density.rs)
            seq.changed = true;
            self.store_seq(t, seq)?;
        }
        self.db.put(&row_key(t.id, rowid), &encode_row(&row))?;
        for ix in &t.indexes {
            self.put_index_entry(t, ix, &row, rowid)?;
        }
        self.row_inserted(t, &row)?; // constraints.rs
        Ok(affected)
    }

    pub(in crate::sql) fn put_index_entry(
        &mut self,
        t: &TableMeta,
        ix: &IndexMeta,
        row: &Row,
        rowid: u64,
    ) -> SqlResult<()> {
        self.db.put(&index_key_of(t, ix, row, rowid), &[])?;
        Ok(())
    }

    pub(in crate::sql) fn delete_row(&mut self, t: &TableMeta, rowid: u64, row: &Row) -> SqlResult<()> {
        self.db.delete(&row_key(t.id, rowid))?;
        for ix in &t.indexes {
            self.db.delete(&index_key_of(t, ix, row, rowid))?;
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
                encode_key(&t.columns[c].key_value(&row[c]), &mut prefix);
            }
            let mut rows = RowReader::new(t, None);
            for rid in index_rowids(&self.db, &cur, &prefix)? {
                if rid == own {
                    continue;
                }
                if let Some(other) = rows.read(&self.db, &cur, rid)? {
                    let same = ix.columns.iter().all(|&c| other.get(c).is_some_and(|o| t.columns[c].equal(o, &row[c])));
                    if same {
                        return Ok(Some((rid, other)));
                    }
                }
            }
        }
        Ok(None)
    }

    pub(super) fn check_unique(&self, t: &TableMeta, row: &Row, own: u64, only: Option<usize>) -> SqlResult<()> {
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
                .find(|ix| ix.unique && ix.columns.iter().all(|&c| t.columns[c].equal(&other[c], &row[c])))
                .unwrap_or(&t.indexes[0]);
            let key: Vec<String> = ix.columns.iter().map(|&c| row[c].to_string()).collect();
            return Err(SqlError::new(
                Code::DupEntry,
                format!("Duplicate entry '{}' for key '{}.{}'", key.join("-"), t.name, ix.name),
            ));
        }
        Ok(())
    }

    pub(in crate::sql) fn all_rows(&self, t: &TableMeta) -> SqlResult<Vec<(u64, Row)>> {
        let ex = self.exec(self.db.now());
        ex.table_rows(t, &self.db.current(), &Access::Full, &[], None)
    }

    /// The rows an `UPDATE` or `DELETE` acts on, with their row ids: those
    /// `filter` keeps, in `order` (ties and no order: row-id order), at most
    /// `limit` of them; selected by the planner and executor as a query's
    /// rows are (access path, `ORDER BY … LIMIT` through `TopN`, the memory
    /// budget).
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
                if crate::sql::bind::has_aggregate(e) {
                    return Err(SqlError::new(Code::InvalidGroupFuncUse, "Invalid use of group function"));
                }
            }
            if let Some(f) = filter {
                split_and(&b.expr(f, &scope, None)?, &mut conj);
            }
            let order =
                order.iter().map(|o| Ok((b.expr(&o.expr, &scope, None)?, o.desc))).collect::<SqlResult<Vec<_>>>()?;
            let (limit, _) = b.limits(limit, None)?;
            // SELECT <the columns>, <the row id> FROM t WHERE … ORDER BY …
            // LIMIT …, planned and run as a query is
            let ncols = t2.columns.len();
            let src = LeafSource::Table { meta: t2.clone(), snap: Snap(snap), access: Access::Full, row_id: true };
            let select = SelectPlan {
                from: Some(plan_from(vec![FromPart::Leaf(src)], conj)),
                group: None,
                rollup: false,
                having: None,
                windows: Vec::new(),
                window_base: ncols + 1,
                projection: (0..=ncols).map(BExpr::Col).collect(),
                types: vec![SType::Unknown; ncols + 1],
                order,
                distinct: false,
                limit,
                offset: 0,
            };
            let rows = b.exec().run(&QueryPlan::Select(Box::new(select), Vec::new()), None)?;
            let rows = rows
                .into_iter()
                .map(|mut r| match r.pop() {
                    Some(Value::Int(id)) => Ok((id as u64, r)),
                    _ => Err(SqlError::new(Code::Storage, "a row selected without its row id")),
                })
                .collect::<SqlResult<Vec<_>>>()?;
            Ok(rows)
        })
    }
}

/// The errors `IGNORE` turns into warnings, leaving the row out: a
/// duplicate key, a foreign key without its parent or with children, a
/// false CHECK.
fn skippable(code: Code) -> bool {
    matches!(code, Code::DupEntry | Code::NoReferencedRow2 | Code::RowIsReferenced2 | Code::CheckConstraintViolated)
}

/// A row's values, exactly (a string's spelling, a decimal's scale): the
/// identity by which a multi-table `DELETE`/`UPDATE` finds the rows a join
/// selected.
fn row_identity(row: &[Value]) -> String {
    format!("{row:?}")
}

/// The stored tables of a FROM clause (joins included), by the name they
/// show (alias or name).
fn from_tables(from: &[TableRef]) -> Vec<(String, ObjName)> {
    fn walk(t: &TableRef, out: &mut Vec<(String, ObjName)>) {
        match t {
            TableRef::Table { name, alias, .. } => {
                out.push((alias.clone().unwrap_or_else(|| name.name.clone()), name.clone()))
            }
            TableRef::Join { left, right, .. } => {
                walk(left, out);
                walk(right, out);
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    from.iter().for_each(|t| walk(t, &mut out));
    out
}

/// `ER_NON_DEFAULT_VALUE_FOR_GENERATED_COLUMN` for a value given for the
/// generated column `c` of `t`.
fn generated_given(t: &TableMeta, c: &ColumnMeta) -> SqlError {
    SqlError::new(
        Code::NonDefaultValueForGeneratedColumn,
        format!("The value specified for generated column '{}' in table '{}' is not allowed.", c.name, t.name),
    )
}

/// Whether a column has no default at all: NOT NULL, no `DEFAULT`, not
/// AUTO_INCREMENT (an INSERT must then give it a value).
pub(super) fn lacks_default(c: &ColumnMeta) -> bool {
    c.not_null && !c.auto_increment && !c.default_now && c.default.is_none() && c.default_expr.is_none()
}

pub(in crate::sql) fn table_scope(t: &TableMeta) -> Scope<'static> {
    Scope {
        cols: t.columns.iter().map(|c| ScopeCol::of_column(Some(t.name.to_ascii_lowercase()), c)).collect(),
        parent: None,
        correlated: Cell::new(false),
        touched: Cell::new(false),
    }
}

fn index_key_of(t: &TableMeta, ix: &IndexMeta, row: &Row, rowid: u64) -> Vec<u8> {
    let vals: Vec<std::borrow::Cow<Value>> =
        ix.columns.iter().map(|&c| t.columns[c].key_value(row.get(c).unwrap_or(&Value::Null))).collect();
    let vals: Vec<&Value> = vals.iter().map(|v| &**v).collect();
    index_entry_key(ix.id, &vals, rowid)
}

/// How many bound expressions of table definitions a session keeps
/// ([`Session::table_expr`]).
const BOUND_EXPRS: usize = 32;

/// An expression of a table's definition as [`Session::table_expr`] bound
/// it, with what it was bound against.
pub(super) struct BoundExpr {
    /// The settings (and data epoch) it was bound under.
    key: super::prepared::PlanKey,
    /// Whether it holds in any data epoch (else in its own only).
    any_epoch: bool,
    sql: String,
    table: String,
    columns: Vec<(String, SqlType)>,
    expr: Rc<BExpr>,
}

impl BoundExpr {
    /// Whether it holds under `key`.
    fn valid(&self, key: &super::prepared::PlanKey) -> bool {
        if self.any_epoch {
            self.key.same_settings(key)
        } else {
            self.key == *key
        }
    }

    /// Whether `t` has the name and columns this was bound against.
    fn fits(&self, t: &TableMeta) -> bool {
        self.table == t.name
            && self.columns.len() == t.columns.len()
            && self.columns.iter().zip(&t.columns).all(|((name, ty), c)| *name == c.name && *ty == c.ty)
    }
}
