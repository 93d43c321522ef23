//! FOREIGN KEY and CHECK constraints, enforced as MySQL 8 (InnoDB) does:
//! their catalog records (kept in [`TableMeta`], so a reading `AS OF` a
//! time sees the constraints of then), their validation at `CREATE TABLE`
//! and `ALTER TABLE`, the checks on every written row, and the actions on
//! child rows (`RESTRICT` / `NO ACTION`, `CASCADE`, `SET NULL`), applied
//! within the statement, so that a failing statement, a `ROLLBACK` or a
//! backtrack undoes them like any change.
//!
//! The session calls in at a few points only: after a row is inserted
//! ([`Session::row_inserted`]), after a row is rewritten
//! ([`Session::row_updated`]), to delete a row ([`Session::delete_row_checked`]),
//! before a table is dropped or truncated, and for the DDL of constraints.

use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::ast::{AlterOp, CheckDef, Expr, FkAction, ForeignKeyDef};
use super::catalog::{
    encode_key, index_entry_rowid, index_prefix, index_rowids, key_is_exact, scan_prefix, IndexMeta, RowReader,
    TableMeta,
};
use super::error::{Code, SqlError, SqlResult};
use super::exec::Env;
use super::plan::Row;
use super::quote;
use super::session::Session;
use super::value::{cast, Value};

/// The deepest nesting of cascading actions (InnoDB's limit).
const MAX_CASCADE_DEPTH: usize = 15;

/// A FOREIGN KEY of a (child) table. Columns are kept by name.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ForeignKeyMeta {
    pub name: String,
    /// The child columns.
    pub columns: Vec<String>,
    /// The referenced (parent) table's database.
    pub parent_db: String,
    /// The referenced table.
    pub parent_table: String,
    /// The referenced columns.
    pub parent_columns: Vec<String>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
}

/// A CHECK constraint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckMeta {
    pub name: String,
    /// The condition's SQL text.
    pub sql: String,
    /// `NOT ENFORCED`: kept and shown, never checked.
    #[serde(default)]
    pub not_enforced: bool,
}

/// A session's constraint settings.
#[derive(Debug)]
pub struct ConstraintState {
    /// `foreign_key_checks` (1 by default).
    pub fk_checks: bool,
    /// The nesting of the cascading action running.
    depth: usize,
}

impl Default for ConstraintState {
    fn default() -> Self {
        ConstraintState { fk_checks: true, depth: 0 }
    }
}

fn idents(names: &[String]) -> String {
    names.iter().map(|c| quote::ident(c)).collect::<Vec<_>>().join(", ")
}

impl ForeignKeyMeta {
    /// Whether the key references table `t`.
    fn references(&self, t: &TableMeta) -> bool {
        self.parent_db.eq_ignore_ascii_case(&t.db) && self.parent_table.eq_ignore_ascii_case(&t.name)
    }

    /// The definition as `SHOW CREATE TABLE` and the errors print it.
    pub fn definition(&self, child_db: &str) -> String {
        let parent = if self.parent_db.eq_ignore_ascii_case(child_db) {
            quote::ident(&self.parent_table)
        } else {
            format!("{}.{}", quote::ident(&self.parent_db), quote::ident(&self.parent_table))
        };
        let mut s = format!(
            "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({})",
            quote::ident(&self.name),
            idents(&self.columns),
            parent,
            idents(&self.parent_columns)
        );
        for (when, a) in [("DELETE", self.on_delete), ("UPDATE", self.on_update)] {
            if a != FkAction::NoAction {
                s.push_str(&format!(" ON {when} {}", a.sql()));
            }
        }
        s
    }

    /// ER_NO_REFERENCED_ROW_2 / ER_ROW_IS_REFERENCED_2 with MySQL's text.
    fn error(&self, child: &TableMeta, code: Code) -> SqlError {
        let what = if code == Code::RowIsReferenced2 {
            "Cannot delete or update a parent row"
        } else {
            "Cannot add or update a child row"
        };
        SqlError::new(
            code,
            format!(
                "{what}: a foreign key constraint fails ({}.{}, {})",
                quote::ident(&child.db),
                quote::ident(&child.name),
                self.definition(&child.db)
            ),
        )
    }
}

/// Column positions of `names` in `t`.
fn positions(t: &TableMeta, names: &[String]) -> Option<Vec<usize>> {
    names.iter().map(|n| t.column(n)).collect()
}

/// Whether `t` has an index whose first columns are `cols`, in order.
fn has_leading_index(t: &TableMeta, cols: &[usize]) -> bool {
    t.indexes.iter().any(|ix| ix.columns.len() >= cols.len() && ix.columns[..cols.len()] == *cols)
}

/// The next free `<table><infix><n>` name.
fn auto_name<'a>(table: &str, infix: &str, taken: impl Iterator<Item = &'a str>) -> String {
    let prefix = format!("{table}{infix}").to_ascii_lowercase();
    let n = taken
        .filter_map(|n| n.to_ascii_lowercase().strip_prefix(&prefix).and_then(|d| d.parse::<u64>().ok()))
        .max()
        .unwrap_or(0);
    format!("{table}{infix}{}", n + 1)
}

/// `SHOW CREATE TABLE`'s lines for the constraints of `t`: foreign keys,
/// then checks.
pub fn create_table_clauses(t: &TableMeta) -> Vec<String> {
    let mut out: Vec<String> = t.foreign_keys.iter().map(|fk| format!("  {}", fk.definition(&t.db))).collect();
    for ck in &t.checks {
        let enforced = if ck.not_enforced { " /*!80016 NOT ENFORCED */" } else { "" };
        out.push(format!("  CONSTRAINT {} CHECK ({}){enforced}", quote::ident(&ck.name), ck.sql));
    }
    out
}

impl Session {
    /// `SET foreign_key_checks = 0 | 1 | ON | OFF`.
    pub(super) fn set_foreign_key_checks(&mut self, value: &Expr) -> SqlResult<()> {
        self.cons.fk_checks = self.switch_value("foreign_key_checks", value)?;
        Ok(())
    }

    /// Adds FOREIGN KEY and CHECK definitions to `meta` (CREATE TABLE,
    /// ALTER TABLE ADD): names the unnamed ones as MySQL does
    /// (`t_ibfk_1`, `t_chk_1`), checks that the columns exist and the
    /// referenced columns have an index (with `foreign_key_checks` on),
    /// creates the index a foreign key needs on the child columns, and
    /// checks the rows already in the table.
    pub(super) fn add_constraints(
        &mut self,
        meta: &mut TableMeta,
        fks: &[ForeignKeyDef],
        checks: &[CheckDef],
    ) -> SqlResult<()> {
        let cat = self.catalog()?;
        for def in fks {
            let name = match &def.name {
                Some(n) => n.clone(),
                None => auto_name(&meta.name, "_ibfk_", meta.foreign_keys.iter().map(|f| f.name.as_str())),
            };
            let taken = cat
                .tables
                .values()
                .filter(|t| t.db.eq_ignore_ascii_case(&meta.db) && !t.name.eq_ignore_ascii_case(&meta.name))
                .flat_map(|t| t.foreign_keys.iter())
                .chain(meta.foreign_keys.iter())
                .any(|f| f.name.eq_ignore_ascii_case(&name));
            if taken {
                return Err(SqlError::new(Code::FkDupName, format!("Duplicate foreign key constraint name '{name}'")));
            }
            let cols = positions(meta, &def.columns).ok_or_else(|| {
                let c = def.columns.iter().find(|c| meta.column(c).is_none()).cloned().unwrap_or_default();
                SqlError::no_key_column(&c)
            })?;
            if def.parent_columns.len() != def.columns.len() {
                return Err(SqlError::new(
                    Code::WrongFkDef,
                    format!(
                        "Incorrect foreign key definition for '{name}': Key reference and table reference don't match"
                    ),
                ));
            }
            let parent_db = def.parent.db.clone().unwrap_or_else(|| meta.db.clone());
            let self_ref = parent_db.eq_ignore_ascii_case(&meta.db) && def.parent.name.eq_ignore_ascii_case(&meta.name);
            let parent = if self_ref { Some(Rc::new(meta.clone())) } else { cat.table(&parent_db, &def.parent.name) };
            let parent_name = parent.as_ref().map(|p| p.name.clone()).unwrap_or_else(|| def.parent.name.clone());
            match &parent {
                None if self.cons.fk_checks => {
                    return Err(SqlError::new(
                        Code::FkCannotOpenParent,
                        format!("Failed to open the referenced table '{}'", def.parent.name),
                    ));
                }
                None => {}
                Some(p) => {
                    let pcols = match positions(p, &def.parent_columns) {
                        Some(c) => c,
                        None => {
                            let c = def.parent_columns.iter().find(|c| p.column(c).is_none()).cloned();
                            return Err(SqlError::new(
                                Code::FkNoIndexParent,
                                format!(
                                    "Failed to add the foreign key constraint. Missing column '{}' for constraint '{name}' in the referenced table '{}'",
                                    c.unwrap_or_default(),
                                    p.name
                                ),
                            ));
                        }
                    };
                    if !has_leading_index(p, &pcols) {
                        return Err(SqlError::new(
                            Code::FkNoIndexParent,
                            format!(
                                "Failed to add the foreign key constraint. Missing index for constraint '{name}' in the referenced table '{}'",
                                p.name
                            ),
                        ));
                    }
                }
            }
            for a in [def.on_delete, def.on_update] {
                if a == FkAction::SetNull {
                    if let Some(&i) = cols.iter().find(|&&i| meta.columns[i].not_null) {
                        return Err(SqlError::new(
                            Code::FkColumnNotNull,
                            format!(
                                "Column '{}' cannot be NOT NULL: needed in a foreign key constraint '{name}' SET NULL",
                                meta.columns[i].name
                            ),
                        ));
                    }
                }
            }
            if !has_leading_index(meta, &cols) {
                // InnoDB creates the index the child side needs, named
                // after the constraint (or its first column)
                let base = def.name.clone().unwrap_or_else(|| meta.columns[cols[0]].name.clone());
                let mut nm = base.clone();
                let mut k = 2;
                while meta.indexes.iter().any(|ix| ix.name.eq_ignore_ascii_case(&nm)) {
                    nm = format!("{base}_{k}");
                    k += 1;
                }
                let id = self.next_id()?;
                let ix = IndexMeta { id, name: nm, columns: cols.clone(), unique: false, primary: false };
                for (rowid, row) in self.all_rows(meta)? {
                    self.put_index_entry(meta, &ix, &row, rowid)?;
                }
                meta.indexes.push(ix);
            }
            meta.foreign_keys.push(ForeignKeyMeta {
                name,
                columns: cols.iter().map(|&i| meta.columns[i].name.clone()).collect(),
                parent_db: parent.as_ref().map(|p| p.db.clone()).unwrap_or(parent_db),
                parent_table: parent_name,
                parent_columns: def.parent_columns.clone(),
                on_delete: def.on_delete,
                on_update: def.on_update,
            });
        }
        for def in checks {
            let name = match &def.name {
                Some(n) => n.clone(),
                None => auto_name(&meta.name, "_chk_", meta.checks.iter().map(|c| c.name.as_str())),
            };
            if meta.checks.iter().any(|c| c.name.eq_ignore_ascii_case(&name)) {
                return Err(SqlError::new(
                    Code::CheckConstraintDupName,
                    format!("Duplicate check constraint name '{name}'."),
                ));
            }
            let ck = CheckMeta { name, sql: def.sql.clone(), not_enforced: def.not_enforced };
            // the condition must bind against the table's columns
            self.check_expr(meta, &ck)?;
            meta.checks.push(ck);
        }
        // the rows already there must satisfy the new constraints
        if !fks.is_empty() || !checks.is_empty() {
            for (_, row) in self.all_rows(meta)? {
                self.check_row(meta, &row, None)?;
            }
        }
        Ok(())
    }

    /// ALTER TABLE operations on constraints, and what other operations
    /// mean for them (a column a foreign key needs cannot be dropped; a
    /// renamed column or table is renamed in the keys). Returns whether it
    /// handled `op` itself.
    pub(super) fn alter_constraints(&mut self, meta: &mut TableMeta, op: &AlterOp) -> SqlResult<bool> {
        match op {
            AlterOp::AddForeignKey(fk) => self.add_constraints(meta, std::slice::from_ref(fk), &[])?,
            AlterOp::AddCheck(ck) => self.add_constraints(meta, &[], std::slice::from_ref(ck))?,
            AlterOp::DropForeignKey(name) => {
                let Some(p) = meta.foreign_keys.iter().position(|f| f.name.eq_ignore_ascii_case(name)) else {
                    return Err(SqlError::new(
                        Code::CantDropFieldOrKey,
                        format!("Can't DROP '{name}'; check that column/key exists"),
                    ));
                };
                meta.foreign_keys.remove(p);
            }
            AlterOp::DropConstraint(name) => {
                if let Some(p) = meta.foreign_keys.iter().position(|f| f.name.eq_ignore_ascii_case(name)) {
                    meta.foreign_keys.remove(p);
                } else if let Some(p) = meta.checks.iter().position(|c| c.name.eq_ignore_ascii_case(name)) {
                    meta.checks.remove(p);
                } else {
                    return Err(SqlError::new(
                        Code::ConstraintNotFound,
                        format!("Constraint '{name}' does not exist."),
                    ));
                }
            }
            AlterOp::DropColumn { name, .. } | AlterOp::RenameColumn { from: name, .. } => {
                let to = match op {
                    AlterOp::RenameColumn { to, .. } => Some(to),
                    _ => None,
                };
                self.column_changing(meta, name, to)?;
                return Ok(false);
            }
            _ => return Ok(false),
        }
        self.put_table(meta)?;
        Ok(true)
    }

    /// Before `column` of `meta` takes another type (`MODIFY` / `CHANGE`):
    /// a column a foreign key pairs with another keeps its type (MySQL
    /// checks that the two still match; ReelDB does not change keys' types).
    pub(super) fn column_retyped(&mut self, meta: &TableMeta, column: &str) -> SqlResult<()> {
        let named = |cols: &[String]| cols.iter().any(|c| c.eq_ignore_ascii_case(column));
        if let Some(fk) = meta.foreign_keys.iter().find(|fk| named(&fk.columns)) {
            return Err(SqlError::new(
                Code::FkColumnCannotChange,
                format!("Cannot change column '{column}': used in a foreign key constraint '{}'", fk.name),
            ));
        }
        if let Some((t, fk)) = self.referencing(meta)?.into_iter().find(|(_, fk)| named(&fk.parent_columns)) {
            return Err(SqlError::new(
                Code::FkColumnCannotChangeChild,
                format!(
                    "Cannot change column '{column}': used in a foreign key constraint '{}' of table '{}.{}'",
                    fk.name, t.db, t.name
                ),
            ));
        }
        Ok(())
    }

    /// Before `column` of `meta` is dropped or renamed to `to`.
    fn column_changing(&mut self, meta: &mut TableMeta, column: &str, to: Option<&String>) -> SqlResult<()> {
        let cat = self.catalog()?;
        for t in cat.tables.values() {
            if t.id == meta.id {
                continue;
            }
            for fk in t.foreign_keys.iter().filter(|f| f.references(meta)) {
                if fk.parent_columns.iter().any(|c| c.eq_ignore_ascii_case(column)) {
                    return Err(SqlError::new(
                        Code::FkColumnCannotDropChild,
                        format!(
                            "Cannot drop column '{column}': needed in a foreign key constraint '{}' of table '{}'",
                            fk.name, t.name
                        ),
                    ));
                }
            }
        }
        let self_name = (meta.db.clone(), meta.name.clone());
        for fk in meta.foreign_keys.iter_mut() {
            let self_ref = fk.parent_db.eq_ignore_ascii_case(&self_name.0)
                && fk.parent_table.eq_ignore_ascii_case(&self_name.1)
                && fk.parent_columns.iter().any(|c| c.eq_ignore_ascii_case(column));
            let child = fk.columns.iter().any(|c| c.eq_ignore_ascii_case(column));
            if !child && !self_ref {
                continue;
            }
            let Some(to) = to else {
                return Err(SqlError::new(
                    Code::FkColumnCannotDrop,
                    format!("Cannot drop column '{column}': needed in a foreign key constraint '{}'", fk.name),
                ));
            };
            for c in fk.columns.iter_mut().chain(if self_ref { fk.parent_columns.iter_mut() } else { [].iter_mut() }) {
                if c.eq_ignore_ascii_case(column) {
                    *c = to.clone();
                }
            }
        }
        // a condition that no longer binds with the column gone uses it
        let mut without = meta.clone();
        if let Some(i) = without.column(column) {
            without.columns[i].name = String::new();
        }
        for ck in &meta.checks {
            if self.check_expr(&without, ck).is_err() {
                return Err(SqlError::new(
                    Code::DependentByCheckConstraint,
                    format!(
                        "Check constraint '{}' uses column '{column}', hence column cannot be dropped or renamed.",
                        ck.name
                    ),
                ));
            }
        }
        Ok(())
    }

    /// After table `old_db`.`old_name` was renamed to `meta`'s name: the
    /// foreign keys that reference it follow.
    pub(super) fn table_renamed(&mut self, old_db: &str, old_name: &str, meta: &mut TableMeta) -> SqlResult<()> {
        let cat = self.catalog()?;
        let is_old = |f: &ForeignKeyMeta| {
            f.parent_db.eq_ignore_ascii_case(old_db) && f.parent_table.eq_ignore_ascii_case(old_name)
        };
        for fk in meta.foreign_keys.iter_mut().filter(|f| is_old(f)) {
            fk.parent_db = meta.db.clone();
            fk.parent_table = meta.name.clone();
        }
        for t in cat.tables.values() {
            if t.id == meta.id || !t.foreign_keys.iter().any(is_old) {
                continue;
            }
            let mut child = (**t).clone();
            for fk in child.foreign_keys.iter_mut().filter(|f| is_old(f)) {
                fk.parent_db = meta.db.clone();
                fk.parent_table = meta.name.clone();
            }
            self.put_table(&child)?;
        }
        Ok(())
    }

    /// Before `DROP TABLE t` (of all of `dropping`): with
    /// `foreign_key_checks` on, no other table may reference it.
    pub(super) fn check_drop_parent(&mut self, t: &TableMeta, dropping: &[(String, String)]) -> SqlResult<()> {
        if !self.cons.fk_checks {
            return Ok(());
        }
        for (child, fk) in self.referencing(t)? {
            let dropped =
                dropping.iter().any(|(d, n)| d.eq_ignore_ascii_case(&child.db) && n.eq_ignore_ascii_case(&child.name));
            if child.id != t.id && !dropped {
                return Err(SqlError::new(
                    Code::FkCannotDropParent,
                    format!(
                        "Cannot drop table '{}' referenced by a foreign key constraint '{}' on table '{}'.",
                        t.name, fk.name, child.name
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Before `TRUNCATE t`: with `foreign_key_checks` on, no other table
    /// may reference it.
    pub(super) fn check_truncate(&mut self, t: &TableMeta) -> SqlResult<()> {
        if !self.cons.fk_checks {
            return Ok(());
        }
        if let Some((child, fk)) = self.referencing(t)?.into_iter().find(|(c, _)| c.id != t.id) {
            return Err(SqlError::new(
                Code::TruncateIllegalFk,
                format!(
                    "Cannot truncate a table referenced in a foreign key constraint ({}.{}, {})",
                    quote::ident(&child.db),
                    quote::ident(&child.name),
                    fk.definition(&child.db)
                ),
            ));
        }
        Ok(())
    }

    /// The foreign keys (with their tables) that reference `t`.
    fn referencing(&mut self, t: &TableMeta) -> SqlResult<Vec<(Rc<TableMeta>, ForeignKeyMeta)>> {
        let cat = self.catalog()?;
        let mut out = Vec::new();
        for c in cat.tables.values() {
            for fk in c.foreign_keys.iter().filter(|f| f.references(t)) {
                out.push((c.clone(), fk.clone()));
            }
        }
        Ok(out)
    }

    /// A CHECK condition bound against the columns of `t`.
    fn check_expr(&mut self, t: &TableMeta, ck: &CheckMeta) -> SqlResult<Rc<super::plan::BExpr>> {
        self.table_expr(t, &ck.sql)
    }

    /// The checks of a row being written: CHECK constraints, and (with
    /// `foreign_key_checks` on) that each foreign key whose columns are all
    /// non-NULL, and changed from `old`, has a parent row.
    fn check_row(&mut self, t: &TableMeta, row: &Row, old: Option<&Row>) -> SqlResult<()> {
        for ck in t.checks.iter().filter(|c| !c.not_enforced) {
            let e = self.check_expr(t, ck)?;
            let v = self.with_binder(|b| b.exec().eval(&e, &Env { row, parent: None }))?;
            if v.truth() == Some(false) {
                return Err(SqlError::new(
                    Code::CheckConstraintViolated,
                    format!("Check constraint '{}' is violated.", ck.name),
                ));
            }
        }
        if !self.cons.fk_checks {
            return Ok(());
        }
        for fk in &t.foreign_keys {
            let Some(cols) = positions(t, &fk.columns) else { continue };
            if cols.iter().any(|&c| row.get(c).is_none_or(Value::is_null)) {
                continue;
            }
            if let Some(old) = old {
                if cols.iter().all(|&c| old.get(c) == row.get(c)) {
                    continue;
                }
            }
            let cat = self.catalog()?;
            let Some(parent) = cat.table(&fk.parent_db, &fk.parent_table) else {
                return Err(fk.error(t, Code::NoReferencedRow2));
            };
            let Some(pcols) = positions(&parent, &fk.parent_columns) else {
                return Err(fk.error(t, Code::NoReferencedRow2));
            };
            let mut vals = Vec::with_capacity(cols.len());
            for (&c, &p) in cols.iter().zip(&pcols) {
                match cast(&row[c], parent.columns[p].ty, true) {
                    Ok(v) => vals.push(v),
                    Err(_) => return Err(fk.error(t, Code::NoReferencedRow2)),
                }
            }
            if self.matching_rows(&parent, &pcols, &vals, true)?.is_empty() {
                return Err(fk.error(t, Code::NoReferencedRow2));
            }
        }
        Ok(())
    }

    /// The row ids of the rows of `t` whose columns `cols` equal `vals`
    /// (through an index that starts with them when there is one); `first`:
    /// at most one.
    fn matching_rows(&self, t: &TableMeta, cols: &[usize], vals: &[Value], first: bool) -> SqlResult<Vec<u64>> {
        let same = |r: &Row| cols.iter().zip(vals).all(|(&c, v)| r.get(c).is_some_and(|x| t.columns[c].equal(x, v)));
        let mut out = Vec::new();
        let cur = self.db.current();
        match t.indexes.iter().find(|ix| ix.columns.len() >= cols.len() && ix.columns[..cols.len()] == *cols) {
            Some(ix) => {
                let mut prefix = index_prefix(ix.id);
                for (&c, v) in cols.iter().zip(vals) {
                    encode_key(&t.columns[c].key_value(v), &mut prefix);
                }
                if cols.iter().zip(vals).all(|(&c, v)| key_is_exact(t.columns[c].ty, v)) {
                    // the index entries are the matching rows
                    scan_prefix(&self.db, &cur, &prefix, &mut |k, _| {
                        out.push(index_entry_rowid(k));
                        !first
                    })?;
                    return Ok(out);
                }
                // only the compared columns' strings are decoded
                let mut read = vec![false; t.columns.len()];
                for &c in cols {
                    read[c] = true;
                }
                let mut rows = RowReader::new(t, Some(&read));
                for rid in index_rowids(&self.db, &cur, &prefix)? {
                    if rows.read(&self.db, &cur, rid)?.is_some_and(|r| same(&r)) {
                        out.push(rid);
                        if first {
                            break;
                        }
                    }
                }
            }
            None => {
                for (rid, r) in self.all_rows(t)? {
                    if same(&r) {
                        out.push(rid);
                        if first {
                            break;
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    /// For `INSERT IGNORE`, before the row is written: whether it satisfies
    /// the constraints (a row that does not is skipped, as MySQL turns the
    /// error into a warning).
    pub(super) fn row_acceptable(&mut self, t: &TableMeta, row: &Row) -> SqlResult<bool> {
        if t.checks.is_empty() && t.foreign_keys.is_empty() {
            return Ok(true);
        }
        match self.check_row(t, row, None) {
            Ok(()) => Ok(true),
            Err(e) if matches!(e.code, Code::NoReferencedRow2 | Code::CheckConstraintViolated) => {
                self.diag.warn(e.code, e.message);
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// After a row was inserted into `t`: its constraints hold.
    pub(super) fn row_inserted(&mut self, t: &TableMeta, row: &Row) -> SqlResult<()> {
        if t.checks.is_empty() && t.foreign_keys.is_empty() {
            return Ok(());
        }
        self.check_row(t, row, None)
    }

    /// After a row of `t` was rewritten from `old` to `new`: its
    /// constraints hold, and the foreign keys that reference the columns
    /// that changed act on the child rows.
    pub(super) fn row_updated(&mut self, t: &TableMeta, old: &Row, new: &Row) -> SqlResult<()> {
        if !t.checks.is_empty() || !t.foreign_keys.is_empty() {
            self.check_row(t, new, Some(old))?;
        }
        if !self.cons.fk_checks {
            return Ok(());
        }
        let refs = self.referencing(t)?;
        self.cascade(|s| {
            for (child, fk) in &refs {
                s.parent_changed(child, fk, t, old, Some(new))?;
            }
            Ok(())
        })
    }

    /// Deletes a row of `t` (unless a cascading action of the same
    /// statement already did) and applies the foreign keys that reference
    /// `t` to its child rows; whether it deleted the row.
    pub(super) fn delete_row_checked(&mut self, t: &TableMeta, rowid: u64, row: &Row) -> SqlResult<bool> {
        let refs = if self.cons.fk_checks { self.referencing(t)? } else { Vec::new() };
        if refs.is_empty() {
            self.delete_row(t, rowid, row)?;
            return Ok(true);
        }
        // the row as it is now: an action of this statement may have
        // changed it (SET NULL) or deleted it (CASCADE) already
        let Some(row) = RowReader::new(t, None).read(&self.db, &self.db.current(), rowid)? else {
            return Ok(false);
        };
        self.delete_row(t, rowid, &row)?;
        self.cascade(|s| {
            for (child, fk) in &refs {
                s.parent_changed(child, fk, t, &row, None)?;
            }
            Ok(())
        })?;
        Ok(true)
    }

    /// Runs `f` one cascade level deeper (ER_FK_DEPTH_EXCEEDED past
    /// InnoDB's limit).
    fn cascade(&mut self, f: impl FnOnce(&mut Session) -> SqlResult<()>) -> SqlResult<()> {
        if self.cons.depth >= MAX_CASCADE_DEPTH {
            return Err(SqlError::new(
                Code::FkDepthExceeded,
                format!("Foreign key cascade delete/update exceeds max depth of {MAX_CASCADE_DEPTH}."),
            ));
        }
        self.cons.depth += 1;
        let r = f(self);
        self.cons.depth -= 1;
        r
    }

    /// A row of `parent` was deleted (`new` None) or updated to `new`:
    /// what foreign key `fk` of `child` does to the rows that referenced it.
    fn parent_changed(
        &mut self,
        child: &TableMeta,
        fk: &ForeignKeyMeta,
        parent: &TableMeta,
        old: &Row,
        new: Option<&Row>,
    ) -> SqlResult<()> {
        let (Some(pcols), Some(ccols)) = (positions(parent, &fk.parent_columns), positions(child, &fk.columns)) else {
            return Ok(());
        };
        if pcols.iter().any(|&c| old.get(c).is_none_or(Value::is_null)) {
            return Ok(());
        }
        if let Some(new) = new {
            if pcols.iter().all(|&c| new.get(c) == Some(&old[c])) {
                return Ok(());
            }
        }
        let mut vals = Vec::with_capacity(ccols.len());
        for (&c, &p) in ccols.iter().zip(&pcols) {
            match cast(&old[p], child.columns[c].ty, true) {
                Ok(v) => vals.push(v),
                Err(_) => return Ok(()),
            }
        }
        let action = match new {
            Some(_) => fk.on_update,
            None => fk.on_delete,
        };
        // An update that would cascade into the table it updates acts like
        // RESTRICT, as in InnoDB.
        let restrict =
            matches!(action, FkAction::Restrict | FkAction::NoAction) || (new.is_some() && child.id == parent.id);
        let kids = self.matching_rows(child, &ccols, &vals, restrict)?;
        if kids.is_empty() {
            return Ok(());
        }
        if restrict {
            return Err(fk.error(child, Code::RowIsReferenced2));
        }
        let mut rows = RowReader::new(child, None);
        for rid in kids {
            // the row as it is now: an earlier action may have changed it
            let Some(krow) = rows.read(&self.db, &self.db.current(), rid)? else { continue };
            match (action, new) {
                (FkAction::Cascade, None) => {
                    self.delete_row_checked(child, rid, &krow)?;
                }
                (FkAction::Cascade, Some(new)) => {
                    let mut k2 = krow.clone();
                    for (&c, &p) in ccols.iter().zip(&pcols) {
                        k2[c] = self.coerce(child, c, new.get(p).cloned().unwrap_or(Value::Null))?;
                    }
                    self.rewrite_row(child, rid, &krow, &k2)?;
                }
                _ => {
                    let mut k2 = krow.clone();
                    for &c in &ccols {
                        k2[c] = self.coerce(child, c, Value::Null)?;
                    }
                    self.rewrite_row(child, rid, &krow, &k2)?;
                }
            }
        }
        Ok(())
    }
}
