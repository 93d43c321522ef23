//! DDL: databases, tables, views, indexes, `ALTER TABLE`, `TRUNCATE`.

use std::rc::Rc;

use super::{Session, StatementResult};
use crate::sql::ast::*;
use crate::sql::catalog::*;
use crate::sql::error::{Code, SqlError, SqlResult};
use crate::sql::functions::statement_time;
use crate::sql::value::{Collation, SqlType, Value};

/// The keys and constraints a `CREATE TABLE` defines besides its columns.
pub(super) struct TableKeys<'s> {
    /// Table-level PRIMARY KEY columns.
    pub primary_key: &'s [String],
    /// Table-level `UNIQUE` and `KEY`/`INDEX` definitions.
    pub indexes: &'s [TableIndex],
    /// FOREIGN KEY constraints (`constraints.rs`).
    pub foreign_keys: &'s [ForeignKeyDef],
    /// CHECK constraints (`constraints.rs`).
    pub checks: &'s [CheckDef],
    /// The table's collation (`[DEFAULT] COLLATE = name`).
    pub collation: Option<Collation>,
}

impl Session {
    pub(in crate::sql) fn next_id(&mut self) -> SqlResult<u64> {
        let cur = self.db.current();
        let n = match self.db.get(&cur, NEXT_ID_KEY)? {
            Some(b) if b.len() == 8 => u64::from_be_bytes(b.try_into().unwrap()),
            _ => 1,
        };
        self.db.put(NEXT_ID_KEY, &(n + 1).to_be_bytes())?;
        Ok(n)
    }

    pub(in crate::sql) fn put_table(&mut self, t: &TableMeta) -> SqlResult<()> {
        self.db.put(&table_key(&t.db, &t.name), &to_json(t))?;
        self.catalog = None;
        Ok(())
    }

    /// `CREATE DATABASE`.
    pub(super) fn create_database(&mut self, name: &str, if_not_exists: bool) -> SqlResult<u64> {
        let cat = self.catalog()?;
        if cat.has_db(name) || name.eq_ignore_ascii_case("information_schema") {
            if if_not_exists {
                return Ok(0);
            }
            return Err(SqlError::new(
                Code::DbCreateExists,
                format!("Can't create database '{name}'; database exists"),
            ));
        }
        self.db.put(&db_key(name), &to_json(&DbMeta { name: name.to_string() }))?;
        self.catalog = None;
        Ok(1)
    }

    /// `DROP DATABASE`: its tables and views go with it.
    pub(super) fn drop_database(&mut self, name: &str, if_exists: bool) -> SqlResult<u64> {
        let cat = self.catalog()?;
        if !cat.has_db(name) || name.eq_ignore_ascii_case(DEFAULT_DB) {
            if if_exists {
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

    /// Whether a table `name` may be created in `db`: not when a table or
    /// view has the name (`ER_TABLE_EXISTS_ERROR`, or false with `IF NOT
    /// EXISTS`).
    fn name_free(cat: &Catalog, db: &str, name: &str, if_not_exists: bool) -> SqlResult<bool> {
        if cat.table(db, name).is_none() && cat.view(db, name).is_none() {
            return Ok(true);
        }
        if if_not_exists {
            return Ok(false);
        }
        Err(SqlError::new(Code::TableExists, format!("Table '{name}' already exists")))
    }

    /// `CREATE TABLE t LIKE u`.
    pub(super) fn create_table_like(&mut self, name: &ObjName, like: &ObjName, if_not_exists: bool) -> SqlResult<u64> {
        let cat = self.catalog()?;
        let db = self.db_of(&cat, name)?;
        if !Session::name_free(&cat, &db, &name.name, if_not_exists)? {
            return Ok(0);
        }
        let src = self.table_meta(&cat, like)?;
        let mut meta = (*src).clone();
        meta.id = self.next_id()?;
        meta.db = db;
        meta.name = name.name.clone();
        for ix in &mut meta.indexes {
            ix.id = self.next_id()?;
        }
        meta.foreign_keys.clear();
        for (n, ck) in meta.checks.iter_mut().enumerate() {
            ck.name = format!("{}_chk_{}", meta.name, n + 1);
        }
        self.put_table(&meta)?;
        Ok(0)
    }

    /// `CREATE TABLE`, with `AS SELECT …`: the rows inserted.
    pub(super) fn create_table(
        &mut self,
        name: &ObjName,
        if_not_exists: bool,
        columns: &[ColumnDef],
        keys: TableKeys,
        as_query: Option<&Query>,
        auto_increment: Option<i64>,
    ) -> SqlResult<u64> {
        let cat = self.catalog()?;
        let db = self.db_of(&cat, name)?;
        if !Session::name_free(&cat, &db, &name.name, if_not_exists)? {
            return Ok(0);
        }
        let mut columns = columns.to_vec();
        let mut source_rows = None;
        if let Some(q) = as_query {
            // a column of a table keeps its type and NOT NULL (MySQL)
            let sources = super::show::query_sources(&cat, &self.cur_db, q);
            let r = self.query(q)?;
            if let StatementResult::Rows { columns: names, rows } = r {
                for (i, n) in names.iter().enumerate() {
                    if columns.iter().any(|c| c.name.eq_ignore_ascii_case(n)) {
                        continue;
                    }
                    let source = sources.as_ref().and_then(|s| s.get(i)).and_then(|c| c.as_ref());
                    if let Some(c) = source {
                        columns.push(ColumnDef {
                            name: n.clone(),
                            ty: c.ty,
                            not_null: c.not_null && rows.iter().all(|r| !r[i].is_null()),
                            default: None,
                            auto_increment: false,
                            primary_key: false,
                            unique: false,
                            members: c.members.clone(),
                            on_update_now: false,
                            generated: None,
                            default_sql: None,
                            collation: c.collation(),
                        });
                        continue;
                    }
                    let ty = match rows.iter().map(|r| &r[i]).find(|v| !v.is_null()) {
                        Some(Value::Int(_)) => SqlType::Int,
                        Some(Value::Double(_)) => SqlType::Double,
                        Some(Value::Decimal(d)) => SqlType::Decimal(65, d.s),
                        Some(Value::Date(_)) => SqlType::Date,
                        Some(Value::DateTime(_)) => SqlType::DateTime,
                        Some(Value::Time(_)) => SqlType::Time,
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
                        members: Vec::new(),
                        on_update_now: false,
                        generated: None,
                        default_sql: None,
                        collation: None,
                    });
                }
                source_rows = Some((names, rows));
            }
        }
        let mut meta = self.build_table(&db, &name.name, &columns, keys.primary_key, keys.indexes, keys.collation)?;
        // a generated column's expression must read the table's columns
        for c in meta.columns.clone().iter().filter_map(|c| c.generated.clone()) {
            self.generated_expr(&meta, &c)?;
        }
        self.add_constraints(&mut meta, keys.foreign_keys, keys.checks)?; // constraints.rs
        self.put_table(&meta)?;
        if let Some(start) = auto_increment {
            self.set_auto_increment(&meta, start)?;
        }
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

    /// `DROP TABLE`.
    pub(super) fn drop_table(&mut self, names: &[ObjName], if_exists: bool) -> SqlResult<u64> {
        let cat = self.catalog()?;
        let dropping: Vec<(String, String)> =
            names.iter().map(|n| Ok((self.db_name(n.db.as_deref())?, n.name.clone()))).collect::<SqlResult<_>>()?;
        for n in names {
            let db = self.db_name(n.db.as_deref())?;
            match cat.table(&db, &n.name) {
                Some(t) => {
                    self.check_drop_parent(&t, &dropping)?; // constraints.rs
                    self.drop_table_data(&t)?
                }
                None if if_exists => {}
                None => {
                    return Err(SqlError::new(Code::BadTable, format!("Unknown table '{}.{}'", db, n.name)));
                }
            }
        }
        self.catalog = None;
        Ok(0)
    }

    /// `CREATE [OR REPLACE] VIEW`: the query is checked now, stored as text.
    pub(super) fn create_view(
        &mut self,
        name: &ObjName,
        or_replace: bool,
        columns: &[String],
        sql: &str,
        query: &Query,
    ) -> SqlResult<u64> {
        let cat = self.catalog()?;
        let db = self.db_of(&cat, name)?;
        if cat.table(&db, &name.name).is_some() || (cat.view(&db, &name.name).is_some() && !or_replace) {
            return Err(SqlError::new(Code::TableExists, format!("Table '{}' already exists", name.name)));
        }
        if !crate::sql::params::placeholders(sql).is_empty() || crate::sql::lex::has_user_variable(sql) {
            return Err(SqlError::new(Code::ViewSelectVariable, "View's SELECT contains a variable or parameter"));
        }
        // validate the query now
        let cols = self.with_binder(|b| Ok(b.query(query, None)?.columns()))?;
        if !columns.is_empty() && columns.len() != cols.len() {
            return Err(SqlError::new(
                Code::ViewWrongList,
                "View's SELECT and view's field list have different column counts",
            ));
        }
        let v = ViewMeta { db: db.clone(), name: name.name.clone(), columns: columns.to_vec(), sql: sql.to_string() };
        self.db.put(&view_key(&db, &name.name), &to_json(&v))?;
        self.catalog = None;
        Ok(0)
    }

    /// `DROP VIEW`.
    pub(super) fn drop_view(&mut self, names: &[ObjName], if_exists: bool) -> SqlResult<u64> {
        let cat = self.catalog()?;
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

    /// `CREATE [UNIQUE] INDEX`: built from the rows there are.
    pub(super) fn create_index(
        &mut self,
        name: &str,
        table: &ObjName,
        columns: &[String],
        unique: bool,
        if_not_exists: bool,
    ) -> SqlResult<u64> {
        let cat = self.catalog()?;
        let t = self.table_meta(&cat, table)?;
        if t.indexes.iter().any(|ix| ix.name.eq_ignore_ascii_case(name)) {
            if if_not_exists {
                return Ok(0);
            }
            return Err(SqlError::new(Code::DupKeyName, format!("Duplicate key name '{name}'")));
        }
        let mut meta = (*t).clone();
        self.add_index(&mut meta, Some(name), columns, unique)?;
        self.put_table(&meta)?;
        Ok(0)
    }

    /// Adds an index over `columns` to `meta` (`name`: None names it after
    /// its first column, as MySQL does) with an entry for every row,
    /// checking uniqueness; `meta` is stored by the caller.
    fn add_index(
        &mut self,
        meta: &mut TableMeta,
        name: Option<&str>,
        columns: &[String],
        unique: bool,
    ) -> SqlResult<()> {
        let cols = columns
            .iter()
            .map(|c| meta.column(c).ok_or_else(|| SqlError::no_key_column(c)))
            .collect::<SqlResult<Vec<_>>>()?;
        let name = index_name(meta, name, cols.first().copied())?;
        let id = self.next_id()?;
        meta.indexes.push(IndexMeta { id, name, columns: cols, unique, primary: false });
        let pos = meta.indexes.len() - 1;
        for (rowid, row) in self.all_rows(meta)? {
            self.check_unique(meta, &row, rowid, Some(pos))?;
            self.put_index_entry(meta, &meta.indexes[pos], &row, rowid)?;
        }
        Ok(())
    }

    /// `DROP INDEX`.
    pub(super) fn drop_index(&mut self, name: &str, table: Option<&ObjName>, if_exists: bool) -> SqlResult<u64> {
        let cat = self.catalog()?;
        let found = match table {
            Some(t) => {
                let m = self.table_meta(&cat, t)?;
                m.indexes.iter().position(|ix| ix.name.eq_ignore_ascii_case(name)).map(|p| (m.clone(), p))
            }
            None => cat.find_index(&self.db_name(None)?, name),
        };
        let Some((t, pos)) = found else {
            if if_exists {
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

    /// `ALTER TABLE ... DROP INDEX name` / `DROP PRIMARY KEY`.
    fn alter_drop_index(&mut self, meta: &mut TableMeta, name: &str) -> SqlResult<()> {
        let Some(pos) = meta.indexes.iter().position(|ix| ix.name.eq_ignore_ascii_case(name)) else {
            return Err(SqlError::new(
                Code::CantDropFieldOrKey,
                format!("Can't DROP '{name}'; check that column/key exists"),
            ));
        };
        let ix = meta.indexes.remove(pos);
        self.delete_prefix(&index_prefix(ix.id))
    }

    /// `ALTER TABLE`: the operations in order.
    pub(super) fn alter_table(&mut self, name: &ObjName, ops: &[AlterOp]) -> SqlResult<u64> {
        let cat = self.catalog()?;
        let t = self.table_meta(&cat, name)?;
        let mut meta = (*t).clone();
        for op in ops {
            self.alter(&mut meta, op)?;
        }
        Ok(0)
    }

    /// `TRUNCATE TABLE`: the rows, index entries and sequence go.
    pub(super) fn truncate(&mut self, n: &ObjName) -> SqlResult<u64> {
        let cat = self.catalog()?;
        let t = self.table_meta(&cat, n)?;
        self.check_truncate(&t)?; // constraints.rs
        self.delete_prefix(&row_prefix(t.id))?;
        for ix in &t.indexes {
            self.delete_prefix(&index_prefix(ix.id))?;
        }
        self.db.delete(&seq_key(t.id))?;
        Ok(0)
    }

    fn build_table(
        &mut self,
        db: &str,
        name: &str,
        columns: &[ColumnDef],
        primary_key: &[String],
        indexes: &[TableIndex],
        collation: Option<Collation>,
    ) -> SqlResult<TableMeta> {
        if columns.is_empty() {
            return Err(SqlError::new(Code::ParseError, "A table must have at least 1 column"));
        }
        let mut cols = Vec::new();
        for c in columns {
            if cols.iter().any(|x: &ColumnMeta| x.name.eq_ignore_ascii_case(&c.name)) {
                return Err(SqlError::new(Code::DupFieldName, format!("Duplicate column name '{}'", c.name)));
            }
            cols.push(self.column_meta(c, collation)?);
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
            collation: collation_name(collation),
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
                let i = meta.column(c).ok_or_else(|| SqlError::no_key_column(c))?;
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
                .map(|c| meta.column(c).ok_or_else(|| SqlError::no_key_column(c)))
                .collect::<SqlResult<_>>()?;
            defs.push((ix.name.as_deref(), cols, ix.unique));
        }
        for (name, cols, unique) in defs {
            let iid = self.next_id()?;
            let nm = index_name(&meta, name, cols.first().copied())?;
            meta.indexes.push(IndexMeta { id: iid, name: nm, columns: cols, unique, primary: false });
        }
        Ok(meta)
    }

    /// The column `c` defines in a table of collation `table` (a string
    /// column that names no collation takes the table's).
    fn column_meta(&mut self, c: &ColumnDef, table: Option<Collation>) -> SqlResult<ColumnMeta> {
        let mut meta = ColumnMeta {
            name: c.name.clone(),
            ty: c.ty,
            not_null: c.not_null || c.primary_key,
            default: None,
            default_now: false,
            auto_increment: c.auto_increment,
            members: c.members.clone(),
            on_update_now: c.on_update_now,
            generated: c.generated.as_ref().map(|g| g.0.clone()),
            stored: c.generated.as_ref().is_some_and(|g| g.1),
            default_expr: None,
            collation: collation_name(c.collation.or(table).filter(|_| c.ty.is_text())),
        };
        if let Some(e) = &c.default {
            // checked once now; an expression default is evaluated per row
            self.set_default(&mut meta, e)?;
            if let Some(sql) = &c.default_sql {
                meta.default = None;
                meta.default_now = false;
                meta.default_expr = Some(sql.clone());
            }
        }
        Ok(meta)
    }

    /// Gives a column the default `e`: `CURRENT_TIMESTAMP` (or `NOW()`),
    /// else a constant the column can hold (`ER_INVALID_DEFAULT`).
    fn set_default(&mut self, col: &mut ColumnMeta, e: &Expr) -> SqlResult<()> {
        let now = match e {
            Expr::Func { name, .. } => matches!(name.as_str(), "now" | "current_timestamp" | "localtimestamp"),
            Expr::Column { name, .. } => name.eq_ignore_ascii_case("current_timestamp"),
            _ => false,
        };
        col.default_now = now;
        col.default = None;
        col.default_expr = None;
        if !now {
            let v = self.const_expr(e)?;
            let v = col.convert(&v, true).map_err(|_| {
                SqlError::new(Code::InvalidDefault, format!("Invalid default value for '{}'", col.name))
            })?;
            if !v.is_null() {
                col.default = Some(encode_row(&[v]));
            }
        }
        Ok(())
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
                let cm = self.column_meta(c, meta.collation())?;
                // The rows there are take the column's default; an
                // AUTO_INCREMENT column is not numbered but takes its
                // type's implicit default too.
                let fill = match self.column_default(&cm, statement_time(&self.db))? {
                    Value::Null if cm.not_null => cm.implicit_default(),
                    v => v,
                };
                let generated = cm.generated.is_some();
                meta.columns.push(cm);
                if generated {
                    self.generated_expr(meta, meta.columns.last().and_then(|c| c.generated.as_deref()).unwrap_or(""))?;
                    for (rowid, mut row) in self.all_rows(meta)? {
                        self.fill_generated(meta, &mut row)?;
                        self.db.put(&row_key(meta.id, rowid), &encode_row(&row))?;
                    }
                } else if !fill.is_null() {
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
            AlterOp::ModifyColumn(def) => self.modify_column(meta, def)?,
            AlterOp::AddPrimaryKey(_) if meta.indexes.iter().any(|ix| ix.primary) => {
                return Err(SqlError::new(Code::MultiplePriKey, "Multiple primary key defined"));
            }
            AlterOp::AddPrimaryKey(columns) => {
                // its columns become NOT NULL (a NULL there fails, as MySQL)
                for c in columns {
                    let Some(i) = meta.column(c) else {
                        return Err(SqlError::no_key_column(c));
                    };
                    if !meta.columns[i].not_null && self.all_rows(meta)?.iter().any(|(_, r)| r[i].is_null()) {
                        return Err(SqlError::new(Code::InvalidUseOfNull, "Invalid use of NULL value"));
                    }
                    meta.columns[i].not_null = true;
                }
                self.add_index(meta, Some("PRIMARY"), columns, true)?;
                if let Some(ix) = meta.indexes.last_mut() {
                    ix.primary = true;
                }
            }
            AlterOp::AddIndex { name, columns, unique } => self.add_index(meta, name.as_deref(), columns, *unique)?,
            AlterOp::DropIndex(name) => self.alter_drop_index(meta, name)?,
            AlterOp::AutoIncrement(n) => self.set_auto_increment(meta, *n)?,
            AlterOp::MoveColumn { name, after } => {
                let bad = |c: &str| SqlError::new(Code::BadField, format!("Unknown column '{c}' in '{}'", meta.name));
                let from = meta.column(name).ok_or_else(|| bad(name))?;
                // the columns in their new order, by old position
                let mut order: Vec<usize> = (0..meta.columns.len()).filter(|&i| i != from).collect();
                let at = match after {
                    None => 0,
                    Some(a) => {
                        let after = meta.column(a).filter(|&i| i != from).ok_or_else(|| bad(a))?;
                        order.iter().position(|&i| i == after).map_or(0, |p| p + 1)
                    }
                };
                order.insert(at, from);
                if order.iter().enumerate().any(|(new, &old)| new != old) {
                    let mut new_pos = vec![0; order.len()];
                    for (new, &old) in order.iter().enumerate() {
                        new_pos[old] = new;
                    }
                    for (rowid, row) in self.all_rows(meta)? {
                        let row: Vec<Value> =
                            order.iter().map(|&i| row.get(i).cloned().unwrap_or(Value::Null)).collect();
                        self.db.put(&row_key(meta.id, rowid), &encode_row(&row))?;
                    }
                    meta.columns = order.iter().map(|&i| meta.columns[i].clone()).collect();
                    for ix in &mut meta.indexes {
                        for c in &mut ix.columns {
                            *c = new_pos[*c];
                        }
                    }
                }
            }
            AlterOp::SetDefault { column, default } => {
                let Some(i) = meta.column(column) else {
                    return Err(SqlError::new(Code::BadField, format!("Unknown column '{column}' in '{}'", meta.name)));
                };
                let mut col = meta.columns[i].clone();
                match default {
                    Some(e) => self.set_default(&mut col, e)?,
                    None => {
                        col.default = None;
                        col.default_now = false;
                        col.default_expr = None;
                    }
                }
                meta.columns[i] = col;
            }
            // done by alter_constraints (constraints.rs)
            AlterOp::AddForeignKey(_)
            | AlterOp::AddCheck(_)
            | AlterOp::DropForeignKey(_)
            | AlterOp::DropConstraint(_) => {}
        }
        self.put_table(meta)?;
        Ok(())
    }

    /// `MODIFY [COLUMN] c def` (and `CHANGE`, after its rename): the column
    /// takes the new definition, every row's value is stored again as an
    /// `INSERT` would store it in the new type (strict mode: a value that
    /// does not fit is an error and nothing changes; otherwise it is
    /// adjusted with a warning), CHECK constraints are checked again, and
    /// the indexes over the column are built again.
    fn modify_column(&mut self, meta: &mut TableMeta, def: &ColumnDef) -> SqlResult<()> {
        let i = meta.column(&def.name).ok_or_else(|| {
            SqlError::new(Code::BadField, format!("Unknown column '{}' in '{}'", def.name, meta.name))
        })?;
        let cm = self.column_meta(def, meta.collation())?;
        if cm.ty != meta.columns[i].ty {
            self.column_retyped(meta, &meta.columns[i].name.clone())?; // constraints.rs
        }
        let rows = self.all_rows(meta)?;
        meta.columns[i] = cm;
        let mut stored = Vec::with_capacity(rows.len());
        for (n, (rowid, mut row)) in rows.into_iter().enumerate() {
            self.diag.set_row(n as u64 + 1);
            row.resize(meta.columns.len(), Value::Null);
            let v = std::mem::replace(&mut row[i], Value::Null);
            row[i] = self.coerce(meta, i, v).map_err(|e| match e.code {
                // MySQL's words in ALTER TABLE: NULLs met by a new NOT NULL,
                // a string longer than the new length
                Code::BadNull => SqlError::new(Code::InvalidUseOfNull, "Invalid use of NULL value"),
                Code::DataTooLong => SqlError::new(
                    Code::WarnDataTruncated,
                    format!("Data truncated for column '{}' at row {}", def.name, n + 1),
                ),
                _ => e,
            })?;
            self.row_inserted(meta, &row)?; // constraints.rs: CHECK
            self.db.put(&row_key(meta.id, rowid), &encode_row(&row))?;
            stored.push((rowid, row));
        }
        for pos in 0..meta.indexes.len() {
            if meta.indexes[pos].columns.contains(&i) {
                self.delete_prefix(&index_prefix(meta.indexes[pos].id))?;
                for (rowid, row) in &stored {
                    self.check_unique(meta, row, *rowid, Some(pos))?;
                    self.put_index_entry(meta, &meta.indexes[pos], row, *rowid)?;
                }
            }
        }
        Ok(())
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

/// The name of a new index of `meta`: `name`, which no index may have yet
/// (`ER_DUP_KEYNAME`), or when there is none the name of its first column
/// `first`, then `col_2`, `col_3`, ... as MySQL names them.
fn index_name(meta: &TableMeta, name: Option<&str>, first: Option<usize>) -> SqlResult<String> {
    let taken = |nm: &str| meta.indexes.iter().any(|ix| ix.name.eq_ignore_ascii_case(nm));
    match name {
        Some(nm) if taken(nm) => Err(SqlError::new(Code::DupKeyName, format!("Duplicate key name '{nm}'"))),
        Some(nm) => Ok(nm.to_string()),
        None => {
            let base = first.and_then(|c| meta.columns.get(c)).map_or("key", |c| c.name.as_str());
            if !taken(base) {
                return Ok(base.to_string());
            }
            Ok((2..).map(|n| format!("{base}_{n}")).find(|nm| !taken(nm)).unwrap_or_default())
        }
    }
}
