//! The items of a FROM clause: tables (as of a time, too), views,
//! derived tables, CTE references, virtual tables, joins.

use std::rc::Rc;

use crate::time::Timestamp;

use crate::sql::catalog::Catalog;
use crate::sql::error::{Code, SqlError, SqlResult};
use crate::sql::value::Value;

use super::*;

impl<'a> Binder<'a> {
    /// Binds one comma-separated FROM entry, appending its columns.
    pub(super) fn bind_from_item(
        &self,
        t: &TableRef,
        cols: &mut Vec<ScopeCol>,
        parent: Option<&Scope>,
    ) -> SqlResult<FromPart> {
        match t {
            TableRef::Join { left, right, kind, on, using, natural } => {
                // USING names columns of this join's two operands only
                // (in `d, c JOIN a USING (id)`, `c.id`, not `d.id`)
                let start_left = cols.len();
                let l = self.bind_from_item(left, cols, parent)?;
                let start_right = cols.len();
                let r = self.bind_from_item(right, cols, parent)?;
                // ON sees the columns of this join's operands only (not those
                // of the FROM entries before it, as in MySQL): the others
                // keep their places but cannot be named
                let mut visible = cols.clone();
                visible[..start_left].iter_mut().for_each(|c| c.name.clear());
                let scope = Scope::new(visible, parent);
                let mut conds = Vec::new();
                if let Some(on) = on {
                    split_and(&self.expr(on, &scope, None)?, &mut conds);
                }
                let names: Vec<String> = if *natural {
                    (start_left..start_right)
                        .filter(|&i| {
                            !cols[i].hidden
                                && !cols[i].merged
                                && side(cols, start_right..cols.len(), &cols[i].name).is_some()
                        })
                        .map(|i| cols[i].name.clone())
                        .collect()
                } else {
                    using.clone()
                };
                // USING (c): the two c are equal and show as one column, the
                // left one (the right one for a RIGHT JOIN, whose right row
                // always exists), first in `*`, as in MySQL.
                let mut shown = Vec::new();
                for u in &names {
                    let li = side(cols, start_left..start_right, u).ok_or_else(|| unknown_column(None, u))?;
                    let ri = side(cols, start_right..cols.len(), u).ok_or_else(|| unknown_column(None, u))?;
                    let scope = Scope::new(cols.clone(), None);
                    let (a, b) = (expr::column(&scope, 0, li), expr::column(&scope, 0, ri));
                    conds.push(expr::comparison(CmpOp::Eq, Box::new(a), Box::new(b), &scope)?);
                    let (keep, twin) = if *kind == JoinKind::Right { (ri, li) } else { (li, ri) };
                    cols[twin].merged = true;
                    shown.push(keep);
                }
                if !shown.is_empty() {
                    // then the other columns, a RIGHT JOIN's right side first
                    let mut rest: Vec<usize> = (start_left..cols.len()).filter(|i| !shown.contains(i)).collect();
                    let right_first = *kind == JoinKind::Right;
                    rest.sort_by_key(|&i| ((i >= start_right) != right_first, cols[i].star));
                    for (rank, i) in shown.into_iter().chain(rest).enumerate() {
                        cols[i].star = start_left + rank;
                    }
                }
                Ok(FromPart::Join(Box::new(l), Box::new(r), *kind, conds))
            }
            _ => {
                let (leaf, mut lcols, name) = self.leaf(t, parent)?;
                let table = name.to_ascii_lowercase();
                if cols.iter().any(|c| c.table.as_deref() == Some(table.as_str())) {
                    return Err(SqlError::new(Code::NonUniqTable, format!("Not unique table/alias: '{name}'")));
                }
                for (i, c) in lcols.iter_mut().enumerate() {
                    c.table = Some(table.clone());
                    c.star = cols.len() + i;
                }
                cols.extend(lcols);
                Ok(FromPart::Leaf(leaf))
            }
        }
    }

    /// Binds a table, view, derived table or table function.
    pub(super) fn leaf(&self, t: &TableRef, parent: Option<&Scope>) -> SqlResult<(LeafSource, Vec<ScopeCol>, String)> {
        let plain =
            |names: Vec<String>| -> Vec<ScopeCol> { names.into_iter().map(|n| ScopeCol::new(None, n)).collect() };
        // a query's columns, with the static types of its output
        let of_plan = |plan: &QueryPlan, names: Vec<String>| -> Vec<ScopeCol> {
            let colls = plan.collations();
            names
                .into_iter()
                .zip(plan.types())
                .enumerate()
                .map(|(i, (n, t))| ScopeCol {
                    coll: colls.get(i).copied().flatten(),
                    ..ScopeCol::new(None, n).typed(t)
                })
                .collect()
        };
        match t {
            TableRef::Table { name, alias, temporal } => {
                let shown = alias.clone().unwrap_or_else(|| name.name.clone());
                let cte = if name.db.is_none() {
                    self.ctes.borrow().iter().rposition(|c| c.name().eq_ignore_ascii_case(&name.name))
                } else {
                    None
                };
                if let Some(at) = cte {
                    if temporal.is_some() {
                        return Err(SqlError::unsupported("FOR SYSTEM_TIME on a common table expression"));
                    }
                    if let CteScope::Working { slot, columns, used, .. } = &self.ctes.borrow()[at] {
                        used.set(used.get() + 1);
                        return Ok((LeafSource::Working(*slot, columns.len()), plain(columns.clone()), shown));
                    }
                    let (plan, names) = self.cte(at)?;
                    let cols = of_plan(&plan, names);
                    return Ok((LeafSource::Query(Box::new(plan)), cols, shown));
                }
                let db = name.db.as_deref().unwrap_or(self.cur_db);
                if db.is_empty() {
                    return Err(SqlError::no_database());
                }
                if db.eq_ignore_ascii_case("information_schema") {
                    let key = format!("information_schema.{}", name.name.to_ascii_lowercase());
                    // The catalog tables read the catalog of an AS OF time
                    // (passed as their one argument); the others have no past.
                    let args = match temporal {
                        None => Vec::new(),
                        Some(Temporal::AsOf(e)) if CATALOG_AS_OF_TABLES.contains(&key.as_str()) => {
                            // After the engine's clock: the current catalog.
                            let ts = self.time_arg(e)?;
                            if ts <= self.db.now() {
                                vec![Value::DateTime(ts)]
                            } else {
                                Vec::new()
                            }
                        }
                        Some(_) => return Err(SqlError::unsupported(format!("FOR SYSTEM_TIME on {key}"))),
                    };
                    self.volatile();
                    return match (self.virtual_rows)(&key, &args)? {
                        Some((cols, rows)) => Ok((LeafSource::Rows(rows, cols.len()), plain(cols), shown)),
                        None => Err(SqlError::new(
                            Code::NoSuchTable,
                            format!("Unknown table '{}' in information_schema", name.name),
                        )),
                    };
                }
                // `AS OF` a time after the engine's clock reads the current
                // state, as MariaDB does.
                let past = match temporal {
                    Some(Temporal::AsOf(e)) => crate::sql::as_of::past_time(self.db, self.time_arg(e)?),
                    _ => None,
                };
                let (catalog, snap) = match past {
                    Some(ts) => {
                        let snap = self.db.as_of(ts)?;
                        (self.catalog_at(ts, &snap)?, snap)
                    }
                    None => (Rc::new(Catalog::default()), self.db.current()),
                };
                let catalog: &Catalog = if past.is_some() { &catalog } else { self.catalog };
                if !catalog.has_db(db) {
                    // MySQL reports the table, not the database, as missing
                    return Err(SqlError::new(Code::NoSuchTable, format!("Table '{db}.{}' doesn't exist", name.name)));
                }
                if let Some(meta) = catalog.table(db, &name.name) {
                    let cols: Vec<ScopeCol> = meta.columns.iter().map(|c| ScopeCol::of_column(None, c)).collect();
                    match temporal {
                        None | Some(Temporal::AsOf(_)) => Ok((
                            LeafSource::Table { meta, snap: Snap(snap), access: Access::Full, row_id: false },
                            cols,
                            shown,
                        )),
                        Some(period) => {
                            let (from, to, inclusive_end) = match period {
                                Temporal::All => {
                                    self.volatile();
                                    (Timestamp(i64::MIN), self.db.now(), true)
                                }
                                Temporal::Between(a, b) => (self.time_arg(a)?, self.time_arg(b)?, true),
                                Temporal::FromTo(a, b) => (self.time_arg(a)?, self.time_arg(b)?, false),
                                Temporal::AsOf(_) => unreachable!("handled above"),
                            };
                            let mut cols = cols;
                            for name in ["ROW_START", "ROW_END"] {
                                cols.push(ScopeCol { hidden: true, ..ScopeCol::new(None, name) });
                            }
                            Ok((LeafSource::Versions { meta, from, to, inclusive_end }, cols, shown))
                        }
                    }
                } else if let Some(view) = catalog.view(db, &name.name) {
                    if temporal.is_some() {
                        return Err(SqlError::unsupported("FOR SYSTEM_TIME on a view"));
                    }
                    if self.view_depth.get() > 16 {
                        return Err(SqlError::new(Code::NotSupported, "views nested too deeply"));
                    }
                    let q = match crate::sql::translate::parse_statement(&view.sql)? {
                        Stmt::Query(q) => q,
                        _ => return Err(SqlError::new(Code::Storage, "corrupted view")),
                    };
                    // The view's names resolve in the view's database.
                    let inner = self.for_view(&view.db);
                    let plan = inner.query(&q, None);
                    self.end_view(inner);
                    let plan = plan?;
                    let mut names = plan.columns();
                    if !view.columns.is_empty() {
                        names = view.columns.clone();
                    }
                    let cols = of_plan(&plan, names);
                    Ok((LeafSource::Query(Box::new(plan)), cols, shown))
                } else {
                    Err(SqlError::new(Code::NoSuchTable, format!("Table '{}.{}' doesn't exist", db, name.name)))
                }
            }
            TableRef::Derived { query, alias } => {
                // (before the subquery's own errors: MySQL's parser says it)
                let alias = alias.clone().ok_or_else(|| {
                    SqlError::new(Code::DerivedMustHaveAlias, "Every derived table must have its own alias")
                })?;
                let plan = self.query(query, parent)?;
                let cols = of_plan(&plan, plan.columns());
                Ok((LeafSource::Query(Box::new(plan)), cols, alias))
            }
            TableRef::Function { name, args, alias } => {
                let vals = args.iter().map(|a| self.const_arg(a)).collect::<SqlResult<Vec<_>>>()?;
                self.volatile();
                match (self.virtual_rows)(name, &vals)? {
                    Some((cols, rows)) => Ok((
                        LeafSource::Rows(rows, cols.len()),
                        plain(cols),
                        alias.clone().unwrap_or_else(|| name.clone()),
                    )),
                    None => Err(SqlError::new(Code::SpDoesNotExist, format!("FUNCTION {name} does not exist"))),
                }
            }
            TableRef::Join { .. } => {
                let mut cols = Vec::new();
                let part = self.bind_from_item(t, &mut cols, parent)?;
                let fp = plan_from(vec![part], Vec::new());
                // keep the inner qualifiers: they stay visible in the outer scope
                Ok((LeafSource::Join(Box::new(fp)), cols, String::new()))
            }
        }
    }

    pub(super) fn catalog_at(&self, ts: Timestamp, snap: &crate::db::Snapshot) -> SqlResult<Rc<Catalog>> {
        if let Some((_, c)) = self.asof_catalogs.borrow().iter().find(|(t, _)| *t == ts) {
            return Ok(c.clone());
        }
        let c = Rc::new(Catalog::load(self.db, snap)?);
        self.asof_catalogs.borrow_mut().push((ts, c.clone()));
        Ok(c)
    }
}

/// The column a join's side (`range` of `cols`) shows under `name`: not a
/// hidden one, nor a twin a join inside it already coalesced.
fn side(cols: &[ScopeCol], range: std::ops::Range<usize>, name: &str) -> Option<usize> {
    range.into_iter().find(|&i| {
        let c = &cols[i];
        !c.hidden && !c.merged && c.name.eq_ignore_ascii_case(name)
    })
}
