//! Scopes: the columns a name can refer to, innermost first.

use std::cell::Cell;

use crate::sql::catalog::ColumnMeta;
use crate::sql::error::{Code, SqlError, SqlResult};
use crate::sql::value::{Collation, SType};

/// A column visible in a scope.
#[derive(Debug, Clone)]
pub struct ScopeCol {
    /// Table name or alias (lower case).
    pub table: Option<String>,
    /// Column name.
    pub name: String,
    /// Hidden from `*` and `t.*` (ROW_START / ROW_END).
    pub hidden: bool,
    /// The twin of a column a `USING` or `NATURAL` join coalesced it with:
    /// left out of `*` and of unqualified names (`t.c` and `t.*` still
    /// see it).
    pub merged: bool,
    /// Its place in `SELECT *` (a join `USING` columns puts them first).
    pub star: usize,
    /// The static type of its values.
    pub ty: SType,
    /// Its collation, when it is not the default one: a table's string
    /// column declared with one, or a derived table's column of such an
    /// expression.
    pub coll: Option<Collation>,
}

impl ScopeCol {
    /// A column of `table` (None: set by the FROM item it belongs to).
    pub fn new(table: Option<String>, name: impl Into<String>) -> ScopeCol {
        ScopeCol {
            table,
            name: name.into(),
            hidden: false,
            merged: false,
            star: usize::MAX,
            ty: SType::Unknown,
            coll: None,
        }
    }

    /// A table's column, with its type and collation.
    pub fn of_column(table: Option<String>, c: &ColumnMeta) -> ScopeCol {
        ScopeCol { ty: SType::of_sql(c.ty), coll: c.collation(), ..ScopeCol::new(table, c.name.clone()) }
    }

    /// The same column with a static type.
    pub fn typed(self, ty: SType) -> ScopeCol {
        ScopeCol { ty, ..self }
    }
}

/// Name-resolution scope of one query level.
pub struct Scope<'p> {
    /// Columns of the current row.
    pub cols: Vec<ScopeCol>,
    /// The enclosing query's scope.
    pub parent: Option<&'p Scope<'p>>,
    /// Set when a name resolved to an enclosing scope.
    pub correlated: Cell<bool>,
    /// Set when a nested scope resolved a name in or through this scope.
    pub touched: Cell<bool>,
}

impl<'p> Scope<'p> {
    pub(super) fn new(cols: Vec<ScopeCol>, parent: Option<&'p Scope<'p>>) -> Scope<'p> {
        Scope { cols, parent, correlated: Cell::new(false), touched: Cell::new(false) }
    }

    pub(super) fn find_local(&self, table: Option<&str>, name: &str) -> SqlResult<Option<usize>> {
        let mut found = None;
        for (i, c) in self.cols.iter().enumerate() {
            if !c.name.eq_ignore_ascii_case(name) || c.merged && table.is_none() {
                continue;
            }
            if let Some(t) = table {
                if c.table.as_deref().map(|ct| ct.eq_ignore_ascii_case(t)) != Some(true) {
                    continue;
                }
            }
            if found.is_some() {
                return Err(SqlError::new(Code::NonUniq, format!("Column '{name}' in field list is ambiguous")));
            }
            found = Some(i);
        }
        Ok(found)
    }

    /// The column `levels` scopes up at `pos` (as [`Scope::resolve`] gives
    /// them).
    pub(super) fn column(&self, levels: usize, pos: usize) -> Option<&ScopeCol> {
        match levels {
            0 => self.cols.get(pos),
            _ => self.parent?.column(levels - 1, pos),
        }
    }

    /// Resolves a column: (levels up, position).
    pub(super) fn resolve(&self, table: Option<&str>, name: &str) -> SqlResult<Option<(usize, usize)>> {
        if let Some(i) = self.find_local(table, name)? {
            return Ok(Some((0, i)));
        }
        if let Some(p) = self.parent {
            if let Some((d, i)) = p.resolve(table, name)? {
                p.touched.set(true);
                self.correlated.set(true);
                return Ok(Some((d + 1, i)));
            }
        }
        Ok(None)
    }
}

pub(super) fn unknown_column(table: Option<&str>, name: &str) -> SqlError {
    let full = match table {
        Some(t) => format!("{t}.{name}"),
        None => name.to_string(),
    };
    SqlError::new(Code::BadField, format!("Unknown column '{full}' in 'field list'"))
}
