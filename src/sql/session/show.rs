//! `SHOW …` and the `SHOW CREATE` texts.

use super::system::global_status;
use super::{no_table, Session, StatementResult};
use crate::sql::ast::*;
use crate::sql::bind::SYSTEM_VARIABLES;
use crate::sql::catalog::*;
use crate::sql::error::{Code, SqlError, SqlResult};
use crate::sql::exec::like;
use crate::sql::plan::Row;
use crate::sql::quote;
use crate::sql::value::Value;

impl Session {
    fn rows(columns: &[&str], rows: Vec<Row>) -> StatementResult {
        StatementResult::Rows { columns: columns.iter().map(|s| s.to_string()).collect(), rows }
    }

    /// `SHOW WARNINGS [LIMIT …]` and `SHOW COUNT(*) WARNINGS`: the last
    /// statement's warnings, which they leave in place.
    pub(super) fn show_warnings(&self, s: &Show) -> StatementResult {
        match s {
            Show::WarningCount => {
                Session::rows(&["@@session.warning_count"], vec![vec![Value::Int(self.diag.warning_count() as i64)]])
            }
            _ => {
                let (skip, take) = match s {
                    Show::Warnings(Some((offset, n))) => (*offset, *n),
                    _ => (0, u64::MAX),
                };
                let skip = usize::try_from(skip).unwrap_or(usize::MAX);
                let take = usize::try_from(take).unwrap_or(usize::MAX);
                let rows = self
                    .diag
                    .warnings()
                    .into_iter()
                    .skip(skip)
                    .take(take)
                    .map(|w| {
                        vec![
                            Value::Str(w.level.into()),
                            Value::Int(i64::from(w.code.number().unwrap_or(0))),
                            Value::Str(w.message),
                        ]
                    })
                    .collect();
                Session::rows(&["Level", "Code", "Message"], rows)
            }
        }
    }

    pub(super) fn show(&mut self, s: &Show) -> SqlResult<StatementResult> {
        if matches!(s, Show::Warnings(_) | Show::WarningCount) {
            return Ok(self.show_warnings(s));
        }
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
            Show::Tables(db, pat, full) => {
                let db = self.db_name(db.as_deref())?;
                if !cat.has_db(&db) {
                    return Err(SqlError::new(Code::BadDb, format!("Unknown database '{db}'")));
                }
                let dbl = db.to_ascii_lowercase();
                let mut names: Vec<(String, &str)> = cat
                    .tables
                    .iter()
                    .filter(|((d, _), _)| *d == dbl)
                    .map(|(_, t)| (t.name.clone(), "BASE TABLE"))
                    .chain(cat.views.iter().filter(|((d, _), _)| *d == dbl).map(|(_, v)| (v.name.clone(), "VIEW")))
                    .collect();
                names.sort();
                let rows = names
                    .into_iter()
                    .filter(|(n, _)| like_ok(n, pat))
                    .map(|(n, kind)| {
                        let mut r = vec![Value::Str(n)];
                        if *full {
                            r.push(Value::Str(kind.into()));
                        }
                        r
                    })
                    .collect();
                let mut columns = vec![format!("Tables_in_{db}")];
                if *full {
                    columns.push("Table_type".into());
                }
                StatementResult::Rows { columns, rows }
            }
            Show::Columns(n, pat) => {
                let db = self.db_name(n.db.as_deref())?;
                let rows = match cat.view(&db, &n.name) {
                    Some(v) if cat.has_db(&db) => self.view_columns(&cat, &v)?,
                    _ => {
                        let t = self.table_meta(&cat, n)?;
                        t.columns
                            .iter()
                            .enumerate()
                            .map(|(i, c)| {
                                vec![
                                    Value::Str(c.name.clone()),
                                    Value::Str(c.type_name()),
                                    Value::Str(if c.not_null { "NO" } else { "YES" }.into()),
                                    Value::Str(column_key(&t, i).into()),
                                    shown_default(c),
                                    Value::Str(column_extra(c).into()),
                                ]
                            })
                            .collect()
                    }
                };
                let rows = rows.into_iter().filter(|r| like_ok(&r[0].to_string(), pat)).collect();
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
                    for (seq, &c) in ix.columns.iter().enumerate() {
                        let col = &t.columns[c];
                        rows.push(vec![
                            Value::Str(t.name.clone()),
                            Value::Int(!ix.unique as i64),
                            Value::Str(ix.name.clone()),
                            Value::Int(seq as i64 + 1),
                            Value::Str(col.name.clone()),
                            Value::Str("A".into()),
                            Value::Null,
                            Value::Null,
                            Value::Null,
                            Value::Str(if col.not_null { "" } else { "YES" }.into()),
                            Value::Str("BTREE".into()),
                            Value::Str(String::new()),
                            Value::Str(String::new()),
                            Value::Str("YES".into()),
                            Value::Null,
                        ]);
                    }
                }
                Session::rows(
                    &[
                        "Table",
                        "Non_unique",
                        "Key_name",
                        "Seq_in_index",
                        "Column_name",
                        "Collation",
                        "Cardinality",
                        "Sub_part",
                        "Packed",
                        "Null",
                        "Index_type",
                        "Comment",
                        "Index_comment",
                        "Visible",
                        "Expression",
                    ],
                    rows,
                )
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
            Show::Warnings(_) | Show::WarningCount => self.show_warnings(s),
        })
    }
}

impl Session {
    /// The `SHOW COLUMNS` rows of a view: its columns bound as a query
    /// reads them; a column that is a column of a table has that column's
    /// type and nullability, a computed one the type of its values
    /// ([`stype_name`]) and `YES`.
    fn view_columns(&mut self, cat: &Catalog, v: &ViewMeta) -> SqlResult<Vec<Row>> {
        let q = match crate::sql::translate::parse_statement(&v.sql)? {
            Stmt::Query(q) => q,
            _ => return Err(SqlError::new(Code::Storage, "corrupted view")),
        };
        let (names, types) = self.with_binder(|b| {
            let inner = b.for_view(&v.db);
            let plan = inner.query(&q, None);
            b.end_view(inner);
            let plan = plan?;
            Ok((plan.columns(), plan.types()))
        })?;
        let names = if v.columns.is_empty() { names } else { v.columns.clone() };
        let sources = query_sources(cat, &v.db, &q);
        Ok(names
            .into_iter()
            .zip(types)
            .enumerate()
            .map(|(i, (name, ty))| {
                let (ty, null) = match sources.as_ref().and_then(|s| s.get(i)).and_then(|c| c.as_ref()) {
                    Some(c) => (c.type_name(), !c.not_null),
                    None => (stype_name(ty).to_string(), true),
                };
                vec![
                    Value::Str(name),
                    Value::Str(ty),
                    Value::Str(if null { "YES" } else { "NO" }.into()),
                    Value::Str(String::new()),
                    Value::Null,
                    Value::Str(String::new()),
                ]
            })
            .collect())
    }
}

/// The table column each output column of a query is (a view's, or the
/// `SELECT` of `CREATE TABLE ... AS`), where the query is one `SELECT`
/// over tables: None for another query, a `None` entry for a computed
/// column. A column of the inner side of an outer join may be NULL.
pub(super) fn query_sources(cat: &Catalog, db: &str, q: &Query) -> Option<Vec<Option<ColumnMeta>>> {
    let SetExpr::Select(sel) = &q.body else { return None };
    // the FROM tables by the name the query gives them, and whether an
    // outer join may give their columns NULL
    type Named = (String, std::rc::Rc<TableMeta>, bool);
    fn walk(t: &TableRef, cat: &Catalog, db: &str, outer: bool, out: &mut Vec<Named>) -> bool {
        match t {
            TableRef::Table { name, alias, .. } => {
                let Some(meta) = cat.table(name.db.as_deref().unwrap_or(db), &name.name) else { return false };
                out.push((alias.clone().unwrap_or_else(|| name.name.clone()), meta, outer));
                true
            }
            TableRef::Join { left, right, kind, using, natural, .. } => {
                using.is_empty()
                    && !natural
                    && walk(left, cat, db, outer || *kind == JoinKind::Right, out)
                    && walk(right, cat, db, outer || *kind == JoinKind::Left, out)
            }
            _ => false,
        }
    }
    let mut tables: Vec<Named> = Vec::new();
    for t in &sel.from {
        if !walk(t, cat, db, false, &mut tables) {
            return None;
        }
    }
    let column = |t: &TableMeta, i: usize, outer: bool| {
        let mut c = t.columns[i].clone();
        c.not_null &= !outer;
        Some(c)
    };
    let mut out = Vec::new();
    for item in &sel.items {
        match item {
            SelectItem::Wildcard => {
                for (_, t, outer) in &tables {
                    out.extend((0..t.columns.len()).map(|i| column(t, i, *outer)));
                }
            }
            SelectItem::QualifiedWildcard(q) => {
                let (_, t, outer) = tables.iter().find(|(n, _, _)| n.eq_ignore_ascii_case(q))?;
                out.extend((0..t.columns.len()).map(|i| column(t, i, *outer)));
            }
            SelectItem::Expr { expr: Expr::Column { table, name }, .. } => {
                let mut found =
                    tables.iter().filter(|(n, _, _)| table.as_ref().is_none_or(|q| n.eq_ignore_ascii_case(q)));
                out.push(found.find_map(|(_, t, outer)| t.column(name).and_then(|i| column(t, i, *outer))));
            }
            SelectItem::Expr { .. } => out.push(None),
        }
    }
    Some(out)
}

/// The MySQL type a computed column of a view shows for the type of its
/// values.
fn stype_name(t: crate::sql::value::SType) -> String {
    use crate::sql::value::SType;
    match t {
        SType::Int => "bigint".into(),
        SType::UInt => "bigint unsigned".into(),
        SType::Decimal(s) => format!("decimal(65,{s})"),
        SType::Double => "double".into(),
        SType::Time => "datetime".into(),
        SType::Null => "binary(0)".into(),
        SType::Str | SType::Unknown => "text".into(),
    }
}

/// A column's `Key` in `SHOW COLUMNS` (`COLUMN_KEY` in
/// `information_schema.columns`): `PRI`, `UNI` or `MUL` when it is the
/// first column of the primary key, a unique index or another index.
pub(crate) fn column_key(t: &TableMeta, i: usize) -> &'static str {
    t.indexes
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
        .unwrap_or("")
}

/// A column's default as `SHOW COLUMNS` and `information_schema.columns`
/// show it: its text, `CURRENT_TIMESTAMP`, or NULL.
pub(crate) fn shown_default(c: &ColumnMeta) -> Value {
    if c.default_now {
        return Value::Str("CURRENT_TIMESTAMP".into());
    }
    if let Some(e) = &c.default_expr {
        return Value::Str(e.clone());
    }
    match c.default_value() {
        Value::Null => Value::Null,
        v => Value::Str(v.to_string()),
    }
}

/// A column's `Extra` in `SHOW COLUMNS` and `information_schema.columns`.
pub(crate) fn column_extra(c: &ColumnMeta) -> &'static str {
    if c.auto_increment {
        "auto_increment"
    } else if c.on_update_now {
        "on update CURRENT_TIMESTAMP"
    } else if c.default_expr.is_some() {
        "DEFAULT_GENERATED"
    } else if c.generated.is_some() {
        if c.stored {
            "STORED GENERATED"
        } else {
            "VIRTUAL GENERATED"
        }
    } else {
        ""
    }
}

/// `SHOW CREATE VIEW` text.
pub(crate) fn create_view_sql(v: &ViewMeta) -> String {
    let columns = if v.columns.is_empty() {
        String::new()
    } else {
        format!(" ({})", v.columns.iter().map(|c| quote::ident(c)).collect::<Vec<_>>().join(","))
    };
    format!("CREATE VIEW {}{columns} AS {}", quote::ident(&v.name), v.sql)
}

/// `SHOW CREATE TABLE` text.
pub(crate) fn create_table_sql(t: &TableMeta) -> String {
    let mut parts: Vec<String> = t
        .columns
        .iter()
        .map(|c| {
            let mut s = format!("  {} {}", quote::ident(&c.name), c.type_name());
            // a string column's collation where it is not the table's
            if c.ty.is_text() && c.collation() != t.collation() {
                s.push_str(&format!(" CHARACTER SET utf8mb4 COLLATE {}", c.collation().unwrap_or_default().name()));
            }
            if c.not_null {
                s.push_str(" NOT NULL");
            }
            if c.default_now {
                s.push_str(" DEFAULT CURRENT_TIMESTAMP");
            } else if let Some(e) = &c.default_expr {
                s.push_str(&format!(" DEFAULT ({e})"));
            } else if c.default.is_some() {
                s.push_str(&format!(" DEFAULT {}", quote::string(&c.default_value().to_string())));
            }
            if c.on_update_now {
                s.push_str(" ON UPDATE CURRENT_TIMESTAMP");
            }
            if let Some(g) = &c.generated {
                s.push_str(&format!(" GENERATED ALWAYS AS ({g}) {}", if c.stored { "STORED" } else { "VIRTUAL" }));
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
    parts.extend(crate::sql::constraints::create_table_clauses(t)); // constraints.rs
    let options = match t.collation() {
        Some(c) => format!(" DEFAULT CHARSET=utf8mb4 COLLATE={}", c.name()),
        None => String::new(),
    };
    format!("CREATE TABLE {} (\n{}\n){options}", quote::ident(&t.name), parts.join(",\n"))
}
