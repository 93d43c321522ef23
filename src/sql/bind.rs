//! The binder/planner: resolves names against the catalog, builds FROM
//! trees with pushed-down filters, equi-join keys and index access paths,
//! and collects aggregates.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::db::Database;
use crate::time::{not_a_time, quoted, Timestamp};

use super::ast::*;
use super::catalog::{self, Catalog, TableMeta};
use super::error::{Code, SqlError, SqlResult};
use super::exec::{eval_const, Exec};
use super::functions::{Ctx, Func, Volatility};
use super::joinorder;
use super::plan::*;
use super::value::{SqlType, Value};

/// A column visible in a scope.
#[derive(Debug, Clone)]
pub struct ScopeCol {
    /// Table name or alias (lower case).
    pub table: Option<String>,
    /// Column name.
    pub name: String,
    /// Hidden from `*` (ROW_START / ROW_END).
    pub hidden: bool,
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
    fn new(cols: Vec<ScopeCol>, parent: Option<&'p Scope<'p>>) -> Scope<'p> {
        Scope { cols, parent, correlated: Cell::new(false), touched: Cell::new(false) }
    }

    fn find_local(&self, table: Option<&str>, name: &str) -> SqlResult<Option<usize>> {
        let mut found = None;
        for (i, c) in self.cols.iter().enumerate() {
            if !c.name.eq_ignore_ascii_case(name) {
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

    /// Resolves a column: (levels up, position).
    fn resolve(&self, table: Option<&str>, name: &str) -> SqlResult<Option<(usize, usize)>> {
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

fn unknown_column(table: Option<&str>, name: &str) -> SqlError {
    let full = match table {
        Some(t) => format!("{t}.{name}"),
        None => name.to_string(),
    };
    SqlError::new(Code::BadField, format!("Unknown column '{full}' in 'field list'"))
}

/// Aggregate collection while binding a grouped SELECT.
pub struct Aggs {
    width: usize,
    calls: Vec<AggCall>,
}

fn agg_func(name: &str) -> Option<AggFunc> {
    Some(match name {
        "count" => AggFunc::Count,
        "sum" => AggFunc::Sum,
        "avg" => AggFunc::Avg,
        "min" => AggFunc::Min,
        "max" => AggFunc::Max,
        _ => return None,
    })
}

/// The direct sub-expressions of an expression (not inside subqueries).
fn children(e: &Expr) -> Vec<&Expr> {
    match e {
        Expr::Lit(_)
        | Expr::Column { .. }
        | Expr::Exists(..)
        | Expr::Subquery(_)
        | Expr::Param(_)
        | Expr::WindowRef(_)
        | Expr::Default => Vec::new(),
        Expr::Unary(_, a)
        | Expr::IsNull(a, _)
        | Expr::IsBool(a, _, _)
        | Expr::Cast(a, _)
        | Expr::InSubquery { expr: a, .. }
        | Expr::Quantified { expr: a, .. } => vec![a],
        Expr::Binary(_, a, b) | Expr::Like { expr: a, pattern: b, .. } => vec![a, b],
        Expr::Between { expr, low, high, .. } => vec![expr, low, high],
        Expr::InList { expr, list, .. } => std::iter::once(&**expr).chain(list).collect(),
        Expr::Case { operand, whens, else_ } => operand
            .as_deref()
            .into_iter()
            .chain(whens.iter().flat_map(|(a, b)| [a, b]))
            .chain(else_.as_deref())
            .collect(),
        Expr::Func { args, .. } | Expr::Row(args) => args.iter().collect(),
        Expr::GroupConcat { args, order_by, .. } => args.iter().chain(order_by.iter().map(|o| &o.expr)).collect(),
        Expr::Window { args, spec, .. } => {
            let frame = spec.frame.iter().flat_map(|f| [&f.start, &f.end]).filter_map(|b| match b {
                FrameBound::Preceding(x) | FrameBound::Following(x) => Some(x),
                _ => None,
            });
            args.iter().chain(&spec.partition_by).chain(spec.order_by.iter().map(|o| &o.expr)).chain(frame).collect()
        }
    }
}

/// Whether an expression holds an aggregate call (outside subqueries; an
/// aggregate used as a window function is not one, its arguments may hold
/// one).
pub fn has_aggregate(e: &Expr) -> bool {
    matches!(e, Expr::Func { name, .. } if agg_func(name).is_some())
        || matches!(e, Expr::GroupConcat { .. })
        || children(e).into_iter().any(has_aggregate)
}

/// Whether an expression holds a window function call or the value of one
/// (outside subqueries).
fn has_window(e: &Expr) -> bool {
    matches!(e, Expr::Window { .. } | Expr::WindowRef(_)) || children(e).into_iter().any(has_window)
}

fn window_misuse(e: &Expr) -> SqlError {
    let name = first_window_name(e).unwrap_or_default();
    SqlError::new(Code::WindowInvalidUse, format!("You cannot use the window function '{name}' in this context.'"))
}

fn first_window_name(e: &Expr) -> Option<String> {
    match e {
        Expr::Window { name, .. } => Some(name.clone()),
        _ => children(e).into_iter().find_map(first_window_name),
    }
}

/// Replaces each window function call in `e` by an [`Expr::WindowRef`] to
/// its slot (from `base`), adding the calls not seen before to `calls`.
fn extract_windows(e: &mut Expr, base: usize, calls: &mut Vec<Expr>) {
    if let Expr::Window { .. } = e {
        let k = match calls.iter().position(|c| c == e) {
            Some(k) => k,
            None => {
                calls.push(e.clone());
                calls.len() - 1
            }
        };
        *e = Expr::WindowRef(base + k);
        return;
    }
    match e {
        Expr::Unary(_, a)
        | Expr::IsNull(a, _)
        | Expr::IsBool(a, _, _)
        | Expr::Cast(a, _)
        | Expr::InSubquery { expr: a, .. }
        | Expr::Quantified { expr: a, .. } => extract_windows(a, base, calls),
        Expr::Binary(_, a, b) | Expr::Like { expr: a, pattern: b, .. } => {
            extract_windows(a, base, calls);
            extract_windows(b, base, calls);
        }
        Expr::Between { expr, low, high, .. } => {
            for x in [expr, low, high] {
                extract_windows(x, base, calls);
            }
        }
        Expr::InList { expr, list, .. } => {
            extract_windows(expr, base, calls);
            list.iter_mut().for_each(|x| extract_windows(x, base, calls));
        }
        Expr::Case { operand, whens, else_ } => {
            for x in operand.iter_mut().chain(else_.iter_mut()) {
                extract_windows(x, base, calls);
            }
            for (a, b) in whens {
                extract_windows(a, base, calls);
                extract_windows(b, base, calls);
            }
        }
        Expr::Func { args, .. } | Expr::Row(args) | Expr::GroupConcat { args, .. } => {
            args.iter_mut().for_each(|x| extract_windows(x, base, calls))
        }
        Expr::Lit(_)
        | Expr::Param(_)
        | Expr::Column { .. }
        | Expr::Exists(..)
        | Expr::Subquery(_)
        | Expr::Window { .. }
        | Expr::WindowRef(_)
        | Expr::Default => {}
    }
}

/// Rows of information_schema tables and table functions: (columns, rows),
/// or None for an unknown name.
pub type VirtualRows<'a> = dyn Fn(&str, &[Value]) -> SqlResult<Option<(Vec<String>, Vec<Row>)>> + 'a;

/// The qualifier under which `INSERT ... ON DUPLICATE KEY UPDATE` sees the
/// values it would have inserted (`VALUES(c)` reads `values().c`).
pub const INSERTED_VALUES: &str = "values()";

/// Provider of the things the binder needs from the session.
pub struct Binder<'a> {
    /// The database.
    pub db: &'a Database,
    /// The catalog of the session's current state.
    pub catalog: &'a Catalog,
    /// The current database.
    pub cur_db: &'a str,
    /// Statement time (NOW()).
    pub now: Timestamp,
    /// The values of the statement's `?` parameters (for constants the
    /// binder evaluates, such as `LIMIT ?`; elsewhere a parameter stays a
    /// [`BExpr::Param`] of the plan).
    pub params: &'a [Value],
    /// Nesting depth of views (guards recursion).
    pub view_depth: Cell<usize>,
    /// Catalogs loaded for AS OF reads, by time.
    pub asof_catalogs: RefCell<Vec<(Timestamp, Rc<Catalog>)>>,
    /// Rows of information_schema tables and table functions.
    pub virtual_rows: &'a VirtualRows<'a>,
    /// The common table expressions in scope, innermost last.
    pub ctes: RefCell<Vec<CteScope>>,
    /// Iterations a recursive CTE may run (`cte_max_recursion_depth`).
    pub cte_max_depth: usize,
    /// Bytes an intermediate result may hold (`query_memory_limit`).
    pub query_memory_limit: usize,
    /// The session's `LAST_INSERT_ID()` (`insert_id.rs`).
    pub last_insert_id: Option<&'a Cell<i64>>,
    /// The session's `foreign_key_checks` (`constraints.rs`).
    pub foreign_key_checks: bool,
}

/// The system variables ReelDB has: readable as `@@name` (also
/// `@@session.name`, `@@global.name`) and listed by `SHOW VARIABLES`.
pub const SYSTEM_VARIABLES: &[&str] = &[
    "backtrack_window",
    "cte_max_recursion_depth",
    "foreign_key_checks",
    "query_memory_limit",
    "timestamp",
    "version",
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
        /// The rows, filled in by the executor at each iteration.
        rows: Rc<RefCell<Vec<Row>>>,
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
    /// The execution context of the statement being bound.
    pub fn exec(&self) -> Exec<'a> {
        Exec {
            db: self.db,
            now: self.now,
            params: self.params,
            mem_limit: self.query_memory_limit,
            last_insert_id: self.last_insert_id,
        }
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
        Some(match name.to_ascii_lowercase().as_str() {
            "backtrack_window" => Value::Int(self.db.status().window_target_secs as i64),
            "cte_max_recursion_depth" => Value::Int(self.cte_max_depth as i64),
            "foreign_key_checks" => Value::Int(i64::from(self.foreign_key_checks)),
            "query_memory_limit" => Value::Int(self.query_memory_limit as i64),
            // The clock as set (SET TIMESTAMP), even where commits, which
            // keep time moving forward, would be stamped later.
            "timestamp" => Value::Double(self.db.fixed_clock().unwrap_or(self.now).0 as f64 / 1e6),
            "version" => Value::Str(super::functions::VERSION.into()),
            _ => return None,
        })
    }

    /// Binds a reference to the common table expression at `at` in the
    /// scope: its query sees only the CTEs defined before it (and, if
    /// recursive, itself in its recursive part).
    fn cte(&self, at: usize) -> SqlResult<(QueryPlan, Vec<String>)> {
        let hidden = self.ctes.borrow_mut().split_off(at);
        let result = match &hidden[0] {
            CteScope::Def(cte) => self.cte_plan(cte),
            CteScope::Working { .. } => Err(SqlError::new(Code::Storage, "a CTE's rows bound as its definition")),
        };
        self.ctes.borrow_mut().extend(hidden);
        result
    }

    fn cte_plan(&self, cte: &Cte) -> SqlResult<(QueryPlan, Vec<String>)> {
        let names = |plan: &QueryPlan| -> SqlResult<Vec<String>> {
            let names = plan.columns();
            if cte.columns.is_empty() {
                return Ok(names);
            }
            if cte.columns.len() != names.len() {
                return Err(SqlError::new(
                    Code::ViewWrongList,
                    format!(
                        "In definition of common table expression '{}', SELECT list and column names list have \
                         different column counts",
                        cte.name
                    ),
                ));
            }
            Ok(cte.columns.clone())
        };
        if let (true, SetExpr::SetOp { op: SetOpKind::Union, all, left, right }) = (cte.recursive, &cte.query.body) {
            let anchor = self.set_expr(left, None)?;
            let columns = names(&anchor)?;
            let working = Rc::new(RefCell::new(Vec::new()));
            self.ctes.borrow_mut().push(CteScope::Working {
                name: cte.name.clone(),
                rows: working.clone(),
                columns: columns.clone(),
                used: Cell::new(0),
            });
            let step = self.set_expr(right, None);
            let used = match self.ctes.borrow_mut().pop() {
                Some(CteScope::Working { used, .. }) => used.get(),
                _ => 0,
            };
            let step = step?;
            if used > 1 {
                return Err(SqlError::new(
                    Code::NotSupported,
                    format!(
                        "In recursive query block of Recursive Common Table Expression '{}', the recursive table \
                         must be referenced only once",
                        cte.name
                    ),
                ));
            }
            if used == 1 {
                if step.columns().len() != columns.len() {
                    return Err(SqlError::new(
                        Code::WrongNumberOfColumnsInSelect,
                        "The used SELECT statements have a different number of columns",
                    ));
                }
                if !cte.query.order_by.is_empty() || cte.query.limit.is_some() || cte.query.offset.is_some() {
                    return Err(SqlError::unsupported("ORDER BY or LIMIT in a recursive common table expression"));
                }
                let plan = QueryPlan::Recursive {
                    anchor: Box::new(anchor),
                    step: Box::new(step),
                    all: *all,
                    working,
                    columns: columns.clone(),
                    max_depth: self.cte_max_depth,
                };
                return Ok((plan, columns));
            }
            // The recursive part does not refer to the CTE: an ordinary one.
        }
        let plan = self.query(&cte.query, None)?;
        let columns = names(&plan)?;
        Ok((plan, columns))
    }

    fn query_body(&self, q: &Query, parent: Option<&Scope>) -> SqlResult<QueryPlan> {
        match &q.body {
            SetExpr::Select(s) => {
                let (plan, cols) = self.select(s, &q.order_by, q.limit.as_ref(), q.offset.as_ref(), parent)?;
                Ok(QueryPlan::Select(Box::new(plan), cols))
            }
            body => {
                let inner = self.set_expr(body, parent)?;
                if q.order_by.is_empty() && q.limit.is_none() && q.offset.is_none() {
                    return Ok(inner);
                }
                let cols = inner.columns();
                let mut order = Vec::new();
                for o in &q.order_by {
                    let idx = match &o.expr {
                        Expr::Lit(Value::Int(n)) if *n >= 1 && (*n as usize) <= cols.len() => *n as usize - 1,
                        Expr::Column { name, .. } => cols
                            .iter()
                            .position(|c| c.eq_ignore_ascii_case(name))
                            .ok_or_else(|| unknown_column(None, name))?,
                        _ => return Err(SqlError::unsupported("ORDER BY expression on a set operation")),
                    };
                    order.push((idx, o.desc));
                }
                let (limit, offset) = self.limits(q.limit.as_ref(), q.offset.as_ref())?;
                Ok(QueryPlan::Sorted { input: Box::new(inner), order, limit, offset })
            }
        }
    }

    fn set_expr(&self, s: &SetExpr, parent: Option<&Scope>) -> SqlResult<QueryPlan> {
        match s {
            SetExpr::Select(sel) => {
                let (plan, cols) = self.select(sel, &[], None, None, parent)?;
                Ok(QueryPlan::Select(Box::new(plan), cols))
            }
            SetExpr::Query(q) => self.query(q, parent),
            SetExpr::Values(rows) => {
                let scope = Scope::new(Vec::new(), parent);
                let mut out = Vec::new();
                let width = rows.first().map(|r| r.len()).unwrap_or(0);
                for r in rows {
                    if r.len() != width {
                        return Err(SqlError::new(
                            Code::WrongValueCount,
                            "Column count doesn't match value count at row 2",
                        ));
                    }
                    out.push(r.iter().map(|e| self.expr(e, &scope, None)).collect::<SqlResult<_>>()?);
                }
                Ok(QueryPlan::Values(out, (0..width).map(|i| format!("column_{i}")).collect()))
            }
            SetExpr::SetOp { op, all, left, right } => {
                let l = self.set_expr(left, parent)?;
                let r = self.set_expr(right, parent)?;
                if l.columns().len() != r.columns().len() {
                    return Err(SqlError::new(
                        Code::WrongNumberOfColumnsInSelect,
                        "The used SELECT statements have a different number of columns",
                    ));
                }
                Ok(QueryPlan::SetOp { op: *op, all: *all, left: Box::new(l), right: Box::new(r) })
            }
        }
    }

    /// The values of `LIMIT` and `OFFSET` (constants, non-negative).
    pub(crate) fn limits(&self, limit: Option<&Expr>, offset: Option<&Expr>) -> SqlResult<(Option<usize>, usize)> {
        let scope = Scope::new(Vec::new(), None);
        let num = |e: &Expr| -> SqlResult<usize> {
            let b = self.expr(e, &scope, None)?;
            let v = eval_const(&self.exec(), &b)?;
            match v {
                Value::Int(i) if i >= 0 => Ok(i as usize),
                _ => Err(SqlError::parse("Incorrect arguments to LIMIT")),
            }
        };
        Ok((limit.map(num).transpose()?, offset.map(num).transpose()?.unwrap_or(0)))
    }

    fn select(
        &self,
        s: &Select,
        order_by: &[OrderItem],
        limit: Option<&Expr>,
        offset: Option<&Expr>,
        parent: Option<&Scope>,
    ) -> SqlResult<(SelectPlan, Vec<String>)> {
        // FROM
        let mut cols = Vec::new();
        let mut from_parts = Vec::new();
        for t in &s.from {
            from_parts.push(self.bind_from_item(t, &mut cols, parent)?);
        }
        let scope = Scope::new(cols, parent);

        // WHERE
        let mut conjuncts = Vec::new();
        if let Some(w) = &s.filter {
            if has_aggregate(w) {
                return Err(SqlError::new(Code::InvalidGroupFuncUse, "Invalid use of group function"));
            }
            split_and(&self.expr(w, &scope, None)?, &mut conjuncts);
        }

        // projection list
        let mut items: Vec<(Expr, Option<String>, String)> = Vec::new();
        for it in &s.items {
            match it {
                SelectItem::Wildcard | SelectItem::QualifiedWildcard(_) => {
                    let q = match it {
                        SelectItem::QualifiedWildcard(t) => Some(t.as_str()),
                        _ => None,
                    };
                    let mut any = false;
                    for c in &scope.cols {
                        if c.hidden {
                            continue;
                        }
                        if let Some(t) = q {
                            if c.table.as_deref().map(|x| x.eq_ignore_ascii_case(t)) != Some(true) {
                                continue;
                            }
                        }
                        any = true;
                        items.push((
                            Expr::Column { table: c.table.clone(), name: c.name.clone() },
                            None,
                            c.name.clone(),
                        ));
                    }
                    if !any {
                        if let Some(t) = q {
                            return Err(SqlError::new(Code::BadTable, format!("Unknown table '{t}'")));
                        }
                        if s.from.is_empty() {
                            return Err(SqlError::new(Code::NoTablesUsed, "No tables used"));
                        }
                    }
                }
                SelectItem::Expr { expr, alias, text } => items.push((expr.clone(), alias.clone(), text.clone())),
            }
        }
        let names: Vec<String> = items.iter().map(|(_, _, t)| t.clone()).collect();

        let grouped = !s.group_by.is_empty()
            || items.iter().any(|(e, _, _)| has_aggregate(e))
            || s.having.as_ref().is_some_and(has_aggregate)
            || order_by.iter().any(|o| has_aggregate(&o.expr));

        // Window calls of the select list and ORDER BY get a slot each in
        // the row after the FROM columns.
        let window_base = scope.cols.len();
        let mut window_calls = Vec::new();
        for (e, _, _) in items.iter_mut() {
            extract_windows(e, window_base, &mut window_calls);
        }

        let alias_of = |name: &str| -> Option<Expr> {
            items
                .iter()
                .find(|(_, a, _)| a.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(name)))
                .map(|(e, _, _)| e.clone())
        };

        // ORDER BY: a position in the select list, or an expression.
        let mut order_src: Vec<(Result<usize, Expr>, bool)> = Vec::new();
        for o in order_by {
            let src = match &o.expr {
                Expr::Lit(Value::Int(n)) => {
                    if *n < 1 || *n as usize > items.len() {
                        return Err(SqlError::new(Code::BadField, format!("Unknown column '{n}' in 'order clause'")));
                    }
                    Ok(*n as usize - 1)
                }
                Expr::Column { table: None, name } => Err(alias_of(name).unwrap_or_else(|| o.expr.clone())),
                other => {
                    let mut e = other.clone();
                    extract_windows(&mut e, window_base, &mut window_calls);
                    Err(e)
                }
            };
            order_src.push((src, o.desc));
        }

        let mut aggs = Aggs { width: window_base + window_calls.len(), calls: Vec::new() };
        let mut group_keys = Vec::new();
        for g in &s.group_by {
            let e = match g {
                Expr::Lit(Value::Int(n)) if *n >= 1 && (*n as usize) <= items.len() => items[*n as usize - 1].0.clone(),
                Expr::Column { table: None, name } if scope.find_local(None, name)?.is_none() => {
                    alias_of(name).unwrap_or_else(|| g.clone())
                }
                _ => g.clone(),
            };
            if has_aggregate(&e) {
                return Err(SqlError::new(Code::InvalidGroupFuncUse, "Can't group on an aggregate"));
            }
            if has_window(&e) {
                return Err(window_misuse(g));
            }
            group_keys.push(self.expr(&e, &scope, None)?);
        }

        let mut projection = Vec::new();
        for (e, _, _) in &items {
            projection.push(self.expr(e, &scope, if grouped { Some(&mut aggs) } else { None })?);
        }
        let having = match &s.having {
            Some(h) => {
                let h = substitute_aliases(h, &scope, &alias_of)?;
                if has_window(&h) {
                    return Err(window_misuse(&h));
                }
                Some(self.expr(&h, &scope, if grouped { Some(&mut aggs) } else { None })?)
            }
            None => None,
        };
        let mut order = Vec::new();
        for (src, desc) in order_src {
            match src {
                Ok(i) => order.push((projection[i].clone(), desc)),
                Err(e) => order.push((self.expr(&e, &scope, if grouped { Some(&mut aggs) } else { None })?, desc)),
            }
        }
        let mut windows = Vec::new();
        for call in &window_calls {
            windows.push(self.window_call(call, &s.windows, &scope, if grouped { Some(&mut aggs) } else { None })?);
        }
        let (limit, offset) = self.limits(limit, offset)?;

        let from = if from_parts.is_empty() {
            if !conjuncts.is_empty() {
                // SELECT ... WHERE without FROM: filter the single empty row.
                None.or_else(|| {
                    Some(FromPlan {
                        leaves: Vec::new(),
                        steps: Vec::new(),
                        post: conjuncts.clone(),
                        width: 0,
                        perm: None,
                    })
                })
            } else {
                None
            }
        } else {
            Some(plan_from(from_parts, conjuncts))
        };
        let plan = SelectPlan {
            from,
            group: if grouped { Some((group_keys, aggs.calls)) } else { None },
            having,
            windows,
            window_base,
            projection,
            order,
            distinct: s.distinct,
            limit,
            offset,
        };
        Ok((plan, names))
    }

    /// Binds one comma-separated FROM entry, appending its columns.
    fn bind_from_item(&self, t: &TableRef, cols: &mut Vec<ScopeCol>, parent: Option<&Scope>) -> SqlResult<FromPart> {
        match t {
            TableRef::Join { left, right, kind, on, using } => {
                // USING names columns of this join's two operands only
                // (in `d, c JOIN a USING (id)`, `c.id`, not `d.id`)
                let start_left = cols.len();
                let l = self.bind_from_item(left, cols, parent)?;
                let start_right = cols.len();
                let r = self.bind_from_item(right, cols, parent)?;
                let scope = Scope::new(cols.clone(), parent);
                let mut conds = Vec::new();
                if let Some(on) = on {
                    split_and(&self.expr(on, &scope, None)?, &mut conds);
                }
                for u in using {
                    let li = scope.cols[start_left..start_right]
                        .iter()
                        .position(|c| c.name.eq_ignore_ascii_case(u))
                        .ok_or_else(|| unknown_column(None, u))?
                        + start_left;
                    let ri = scope.cols[start_right..]
                        .iter()
                        .position(|c| c.name.eq_ignore_ascii_case(u))
                        .ok_or_else(|| unknown_column(None, u))?
                        + start_right;
                    conds.push(BExpr::Binary(
                        BinOp::Cmp(CmpOp::Eq),
                        Box::new(BExpr::Col(li)),
                        Box::new(BExpr::Col(ri)),
                    ));
                }
                for u in using {
                    // hide the right-hand duplicate from `*`
                    if let Some(c) = cols[start_right..].iter_mut().find(|c| c.name.eq_ignore_ascii_case(u)) {
                        c.hidden = true;
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
                for c in lcols.iter_mut() {
                    c.table = Some(table.clone());
                }
                cols.extend(lcols);
                Ok(FromPart::Leaf(leaf))
            }
        }
    }

    /// Binds a table, view, derived table or table function.
    fn leaf(&self, t: &TableRef, parent: Option<&Scope>) -> SqlResult<(LeafSource, Vec<ScopeCol>, String)> {
        let plain = |names: Vec<String>| -> Vec<ScopeCol> {
            names.into_iter().map(|n| ScopeCol { table: None, name: n, hidden: false }).collect()
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
                    if let CteScope::Working { rows, columns, used, .. } = &self.ctes.borrow()[at] {
                        used.set(used.get() + 1);
                        return Ok((LeafSource::Working(rows.clone(), columns.len()), plain(columns.clone()), shown));
                    }
                    let (plan, names) = self.cte(at)?;
                    return Ok((LeafSource::Query(Box::new(plan)), plain(names), shown));
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
                    Some(Temporal::AsOf(e)) => super::as_of::past_time(self.db, self.time_arg(e)?),
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
                    let cols: Vec<ScopeCol> = meta
                        .columns
                        .iter()
                        .map(|c| ScopeCol { table: None, name: c.name.clone(), hidden: false })
                        .collect();
                    match temporal {
                        None | Some(Temporal::AsOf(_)) => {
                            Ok((LeafSource::Table { meta, snap: Snap(snap), access: Access::Full }, cols, shown))
                        }
                        Some(period) => {
                            let (from, to, inclusive_end) = match period {
                                Temporal::All => (Timestamp(i64::MIN), self.db.now(), true),
                                Temporal::Between(a, b) => (self.time_arg(a)?, self.time_arg(b)?, true),
                                Temporal::FromTo(a, b) => (self.time_arg(a)?, self.time_arg(b)?, false),
                                Temporal::AsOf(_) => unreachable!("handled above"),
                            };
                            let mut cols = cols;
                            cols.push(ScopeCol { table: None, name: "ROW_START".into(), hidden: true });
                            cols.push(ScopeCol { table: None, name: "ROW_END".into(), hidden: true });
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
                    let q = match super::translate::parse_statement(&view.sql)? {
                        Stmt::Query(q) => q,
                        _ => return Err(SqlError::new(Code::Storage, "corrupted view")),
                    };
                    // The view's names resolve in the view's database.
                    let inner = Binder {
                        db: self.db,
                        catalog: self.catalog,
                        cur_db: &view.db,
                        now: self.now,
                        params: self.params,
                        view_depth: Cell::new(self.view_depth.get() + 1),
                        asof_catalogs: RefCell::new(self.asof_catalogs.take()),
                        virtual_rows: self.virtual_rows,
                        // The query's CTEs are not visible inside a view.
                        ctes: RefCell::new(Vec::new()),
                        cte_max_depth: self.cte_max_depth,
                        query_memory_limit: self.query_memory_limit,
                        last_insert_id: self.last_insert_id,
                        foreign_key_checks: self.foreign_key_checks,
                    };
                    let plan = inner.query(&q, None);
                    self.asof_catalogs.replace(inner.asof_catalogs.into_inner());
                    let plan = plan?;
                    let mut names = plan.columns();
                    if !view.columns.is_empty() {
                        names = view.columns.clone();
                    }
                    Ok((LeafSource::Query(Box::new(plan)), plain(names), shown))
                } else {
                    Err(SqlError::new(Code::NoSuchTable, format!("Table '{}.{}' doesn't exist", db, name.name)))
                }
            }
            TableRef::Derived { query, alias } => {
                let plan = self.query(query, parent)?;
                let names = plan.columns();
                Ok((LeafSource::Query(Box::new(plan)), plain(names), alias.clone().unwrap_or_default()))
            }
            TableRef::Function { name, args, alias } => {
                let vals = args.iter().map(|a| self.const_arg(a)).collect::<SqlResult<Vec<_>>>()?;
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

    fn catalog_at(&self, ts: Timestamp, snap: &crate::db::Snapshot) -> SqlResult<Rc<Catalog>> {
        if let Some((_, c)) = self.asof_catalogs.borrow().iter().find(|(t, _)| *t == ts) {
            return Ok(c.clone());
        }
        let c = Rc::new(Catalog::load(self.db, snap)?);
        self.asof_catalogs.borrow_mut().push((ts, c.clone()));
        Ok(c)
    }

    /// Evaluates a time argument (a TIMESTAMP literal, a string or any
    /// constant time expression).
    pub fn time_arg(&self, e: &Expr) -> SqlResult<Timestamp> {
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

    /// Binds an expression. With `aggs`, aggregate calls are collected and
    /// replaced by positions in the grouped row.
    pub fn expr(&self, e: &Expr, scope: &Scope, mut aggs: Option<&mut Aggs>) -> SqlResult<BExpr> {
        macro_rules! sub {
            ($x:expr) => {
                Box::new(self.expr($x, scope, aggs.as_deref_mut())?)
            };
        }
        Ok(match e {
            Expr::Lit(v) => BExpr::Lit(v.clone()),
            Expr::Param(i) => BExpr::Param(*i),
            Expr::Column { table, name } if name.starts_with("@@") || table.as_deref().is_some_and(is_scope_prefix) => {
                let var = name.trim_start_matches("@@");
                let value = self.system_variable(var).ok_or_else(|| {
                    SqlError::new(Code::UnknownSystemVariable, format!("Unknown system variable '{var}'"))
                })?;
                BExpr::Lit(value)
            }
            Expr::Column { table, name } => match scope.resolve(table.as_deref(), name)? {
                Some((0, i)) => BExpr::Col(i),
                Some((d, i)) => BExpr::Outer(d, i),
                None => return Err(unknown_column(table.as_deref(), name)),
            },
            Expr::Unary(op, a) => BExpr::Unary(*op, sub!(a)),
            Expr::Binary(BinOp::Cmp(op), a, b) if matches!((&**a, &**b), (Expr::Row(_), _) | (_, Expr::Row(_))) => {
                let e = row_compare(*op, a, b)?;
                self.expr(&e, scope, aggs)?
            }
            Expr::InList { expr, list, negated } if matches!(&**expr, Expr::Row(x) if x.len() > 1) => {
                // (a, b) IN ((1, 2), ...): (a, b) = (1, 2) OR ...
                let mut any: Option<Expr> = None;
                for item in list {
                    let eq = row_compare(CmpOp::Eq, expr, item)?;
                    any = Some(match any {
                        None => eq,
                        Some(acc) => Expr::Binary(BinOp::Or, Box::new(acc), Box::new(eq)),
                    });
                }
                let e = any.ok_or_else(|| SqlError::parse("IN () needs a value"))?;
                let e = if *negated { Expr::Unary(UnOp::Not, Box::new(e)) } else { e };
                self.expr(&e, scope, aggs)?
            }
            Expr::Binary(op, a, b) => {
                let a = sub!(a);
                let b = sub!(b);
                BExpr::Binary(*op, a, b)
            }
            Expr::IsNull(a, n) => BExpr::IsNull(sub!(a), *n),
            Expr::IsBool(a, v, n) => BExpr::IsBool(sub!(a), *v, *n),
            Expr::Between { expr, low, high, negated } => {
                let a = sub!(expr);
                let b = sub!(low);
                let c = sub!(high);
                BExpr::Between(a, b, c, *negated)
            }
            Expr::InList { expr, list, negated } => {
                let a = sub!(expr);
                let mut l = Vec::new();
                for x in list {
                    l.push(self.expr(x, scope, aggs.as_deref_mut())?);
                }
                BExpr::InList(a, l, *negated)
            }
            Expr::InSubquery { expr, query, negated } => {
                let a = sub!(expr);
                let sp = self.subplan(query, scope)?;
                if sp.plan.columns().len() != 1 {
                    return Err(SqlError::new(Code::OperandColumns, "Operand should contain 1 column(s)"));
                }
                BExpr::InSub(a, sp, *negated)
            }
            Expr::Quantified { expr, op, query, all } => {
                let a = sub!(expr);
                let sp = self.subplan(query, scope)?;
                if sp.plan.columns().len() != 1 {
                    return Err(SqlError::new(Code::OperandColumns, "Operand should contain 1 column(s)"));
                }
                BExpr::Quantified(a, *op, sp, *all)
            }
            Expr::Exists(q, n) => BExpr::Exists(self.subplan(q, scope)?, *n),
            Expr::Subquery(q) => {
                let sp = self.subplan(q, scope)?;
                if sp.plan.columns().len() != 1 {
                    return Err(SqlError::new(Code::OperandColumns, "Operand should contain 1 column(s)"));
                }
                BExpr::Scalar(sp)
            }
            Expr::Case { operand, whens, else_ } => {
                let o = match operand {
                    Some(o) => Some(sub!(o)),
                    None => None,
                };
                let mut w = Vec::new();
                for (a, b) in whens {
                    let a = self.expr(a, scope, aggs.as_deref_mut())?;
                    let b = self.expr(b, scope, aggs.as_deref_mut())?;
                    w.push((a, b));
                }
                let el = match else_ {
                    Some(x) => Some(sub!(x)),
                    None => None,
                };
                BExpr::Case(o, w, el)
            }
            Expr::Cast(a, t) => BExpr::Cast(sub!(a), *t),
            Expr::Like { expr, pattern, escape, negated } => {
                let a = sub!(expr);
                let b = sub!(pattern);
                BExpr::Like(a, b, *escape, *negated)
            }
            Expr::Func { name, args, .. }
                if name == "values" && matches!(args[..], [Expr::Column { table: None, .. }]) =>
            {
                // VALUES(c): the value INSERT ... ON DUPLICATE KEY UPDATE would
                // have inserted; NULL elsewhere, as in MySQL
                let Expr::Column { name: col, .. } = &args[0] else { return Err(unknown_column(None, name)) };
                match scope.resolve(Some(INSERTED_VALUES), col)? {
                    Some((0, i)) => BExpr::Col(i),
                    Some((d, i)) => BExpr::Outer(d, i),
                    None => BExpr::Lit(Value::Null),
                }
            }
            Expr::Func { name, args, distinct, star } => {
                if let Some(f) = agg_func(name) {
                    let Some(aggs) = aggs else {
                        return Err(SqlError::new(Code::InvalidGroupFuncUse, "Invalid use of group function"));
                    };
                    let func = if *star { AggFunc::CountStar } else { f };
                    let mut call = AggCall::plain(func, None);
                    call.distinct = *distinct;
                    if !*star {
                        // COUNT(DISTINCT a, b, ...) counts the distinct rows of values
                        let many = f == AggFunc::Count && *distinct && !args.is_empty();
                        if args.len() != 1 && !many {
                            // the aggregates are grammar in MySQL
                            return Err(SqlError::parse(format!(
                                "You have an error in your SQL syntax: {} takes one argument",
                                name.to_uppercase()
                            )));
                        }
                        if args.iter().any(has_aggregate) {
                            return Err(SqlError::new(Code::InvalidGroupFuncUse, "Invalid use of group function"));
                        }
                        call.arg = Some(self.expr(&args[0], scope, None)?);
                        for a in &args[1..] {
                            call.more.push(self.expr(a, scope, None)?);
                        }
                    }
                    aggs.calls.push(call);
                    return Ok(BExpr::Col(aggs.width + aggs.calls.len() - 1));
                }
                if *star {
                    return Err(SqlError::parse(format!("You have an error in your SQL syntax near '{name}(*)'")));
                }
                let mut a = Vec::new();
                for x in args {
                    a.push(self.expr(x, scope, aggs.as_deref_mut())?);
                }
                let f = Func::resolve(name, a.len())?;
                // One statement sees one clock and one current database.
                if f.def().volatility == Volatility::Statement && a.iter().all(BExpr::is_const) {
                    let ex = self.exec();
                    let v = a.iter().map(|e| eval_const(&ex, e)).collect::<SqlResult<Vec<_>>>()?;
                    BExpr::Lit(f.call(
                        &Ctx {
                            now: self.now,
                            database: Some(self.cur_db).filter(|d| !d.is_empty()),
                            last_insert_id: self.last_insert_id,
                        },
                        v,
                    )?)
                } else {
                    BExpr::Func(f, a)
                }
            }
            Expr::GroupConcat { args, distinct, order_by, separator } => {
                let Some(aggs) = aggs else {
                    return Err(SqlError::new(Code::InvalidGroupFuncUse, "Invalid use of group function"));
                };
                if children(e).into_iter().any(has_aggregate) {
                    return Err(SqlError::new(Code::InvalidGroupFuncUse, "Invalid use of group function"));
                }
                let arg = match args.len() {
                    1 => args[0].clone(),
                    _ => Expr::Func { name: "concat".into(), args: args.clone(), distinct: false, star: false },
                };
                let mut call = AggCall::plain(AggFunc::GroupConcat, Some(self.expr(&arg, scope, None)?));
                call.distinct = *distinct;
                call.separator = separator.clone();
                for o in order_by {
                    let key = match &o.expr {
                        // a position in the argument list
                        Expr::Lit(Value::Int(n)) if *n >= 1 && (*n as usize) <= args.len() => &args[*n as usize - 1],
                        other => other,
                    };
                    call.order.push((self.expr(key, scope, None)?, o.desc));
                }
                aggs.calls.push(call);
                BExpr::Col(aggs.width + aggs.calls.len() - 1)
            }
            Expr::Window { .. } => return Err(window_misuse(e)),
            Expr::Default => {
                return Err(SqlError::parse(
                    "You have an error in your SQL syntax near 'DEFAULT': only an INSERT value",
                ))
            }
            Expr::WindowRef(pos) => BExpr::Col(*pos),
            Expr::Row(v) if v.len() == 1 => self.expr(&v[0], scope, aggs)?,
            Expr::Row(_) => return Err(SqlError::new(Code::OperandColumns, "Operand should contain 1 column(s)")),
        })
    }

    /// Binds a window function call (an [`Expr::Window`]) of a SELECT whose
    /// WINDOW clause is `defs`.
    fn window_call(
        &self,
        call: &Expr,
        defs: &[(String, WindowSpec)],
        scope: &Scope,
        mut aggs: Option<&mut Aggs>,
    ) -> SqlResult<WindowCall> {
        let Expr::Window { name, args, distinct, star, spec } = call else {
            return Err(SqlError::new(Code::Storage, "a window call expected"));
        };
        if args.iter().any(has_window) {
            return Err(window_misuse(call));
        }
        let spec = resolve_window(spec, defs)?;
        if spec.partition_by.iter().chain(spec.order_by.iter().map(|o| &o.expr)).any(has_window) {
            return Err(window_misuse(call));
        }
        let count = |n: std::ops::RangeInclusive<usize>| -> SqlResult<()> {
            if *star || !n.contains(&args.len()) {
                return Err(SqlError::new(
                    Code::WrongParamcount,
                    format!("Incorrect parameter count in the call to native function '{name}'"),
                ));
            }
            Ok(())
        };
        // A constant positive (or, with `zero`, non-negative) integer argument.
        let int_arg = |e: &Expr, zero: bool| -> SqlResult<usize> {
            match self.const_arg(e)? {
                Value::Int(n) if n > 0 || (zero && n == 0) => Ok(n as usize),
                _ => Err(SqlError::new(Code::WrongArguments, format!("Incorrect arguments to {name}"))),
            }
        };
        let mut bound_args = Vec::new();
        let func = match name.as_str() {
            "row_number" | "rank" | "dense_rank" | "percent_rank" | "cume_dist" => {
                count(0..=0)?;
                match name.as_str() {
                    "row_number" => WindowFunc::RowNumber,
                    "rank" => WindowFunc::Rank,
                    "dense_rank" => WindowFunc::DenseRank,
                    "percent_rank" => WindowFunc::PercentRank,
                    _ => WindowFunc::CumeDist,
                }
            }
            "ntile" => {
                count(1..=1)?;
                WindowFunc::Ntile(int_arg(&args[0], false)? as i64)
            }
            "lag" | "lead" => {
                count(1..=3)?;
                let offset = match args.get(1) {
                    Some(e) => int_arg(e, true)?,
                    None => 1,
                };
                bound_args.push(self.expr(&args[0], scope, aggs.as_deref_mut())?);
                if let Some(d) = args.get(2) {
                    bound_args.push(self.expr(d, scope, aggs.as_deref_mut())?);
                }
                if name == "lag" {
                    WindowFunc::Lag(offset)
                } else {
                    WindowFunc::Lead(offset)
                }
            }
            "first_value" | "last_value" => {
                count(1..=1)?;
                bound_args.push(self.expr(&args[0], scope, aggs.as_deref_mut())?);
                if name == "first_value" {
                    WindowFunc::FirstValue
                } else {
                    WindowFunc::LastValue
                }
            }
            "nth_value" => {
                count(2..=2)?;
                bound_args.push(self.expr(&args[0], scope, aggs.as_deref_mut())?);
                WindowFunc::NthValue(int_arg(&args[1], false)?)
            }
            "count" | "sum" | "avg" | "min" | "max" => {
                if *distinct {
                    return Err(SqlError::unsupported(format!(
                        "{}(DISTINCT) as a window function",
                        name.to_uppercase()
                    )));
                }
                let f = match agg_func(name) {
                    Some(AggFunc::Count) if *star => AggFunc::CountStar,
                    Some(f) => f,
                    None => return Err(SqlError::new(Code::Storage, "an aggregate expected")),
                };
                if f != AggFunc::CountStar {
                    count(1..=1)?;
                    bound_args.push(self.expr(&args[0], scope, aggs.as_deref_mut())?);
                }
                WindowFunc::Agg(f)
            }
            _ => {
                return Err(SqlError::parse(format!(
                    "You have an error in your SQL syntax; {name}() is not a window function (near 'OVER')"
                )))
            }
        };
        let mut partition = Vec::new();
        for p in &spec.partition_by {
            partition.push(self.expr(p, scope, aggs.as_deref_mut())?);
        }
        let mut order = Vec::new();
        for o in &spec.order_by {
            order.push((self.expr(&o.expr, scope, aggs.as_deref_mut())?, o.desc));
        }
        let frame = match &spec.frame {
            None if spec.order_by.is_empty() => {
                Frame { rows: false, start: FrameEdge::UnboundedPreceding, end: FrameEdge::UnboundedFollowing }
            }
            None => Frame { rows: false, start: FrameEdge::UnboundedPreceding, end: FrameEdge::CurrentRow },
            Some(f) => {
                let edge = |b: &FrameBound| -> SqlResult<FrameEdge> {
                    let offset = |e: &Expr| -> SqlResult<usize> {
                        if !f.rows {
                            return Err(SqlError::unsupported("RANGE frames with an offset"));
                        }
                        match self.const_arg(e) {
                            Ok(Value::Int(n)) if n >= 0 => Ok(n as usize),
                            // MySQL's grammar has no sign there
                            Ok(Value::Int(_)) => Err(SqlError::parse(
                                "You have an error in your SQL syntax near '-': a frame offset is an unsigned number",
                            )),
                            _ => Err(SqlError::new(
                                Code::WindowFrameIllegal,
                                "Window '<unnamed window>': frame start or end is negative, NULL or of non-integral \
                                 type",
                            )),
                        }
                    };
                    Ok(match b {
                        FrameBound::UnboundedPreceding => FrameEdge::UnboundedPreceding,
                        FrameBound::Preceding(e) => FrameEdge::Preceding(offset(e)?),
                        FrameBound::CurrentRow => FrameEdge::CurrentRow,
                        FrameBound::Following(e) => FrameEdge::Following(offset(e)?),
                        FrameBound::UnboundedFollowing => FrameEdge::UnboundedFollowing,
                    })
                };
                if f.start == FrameBound::UnboundedFollowing {
                    return Err(SqlError::new(
                        Code::WindowFrameStartIllegal,
                        "Window '<unnamed window>': frame start cannot be UNBOUNDED FOLLOWING.",
                    ));
                }
                if f.end == FrameBound::UnboundedPreceding {
                    return Err(SqlError::new(
                        Code::WindowFrameEndIllegal,
                        "Window '<unnamed window>': frame end cannot be UNBOUNDED PRECEDING.",
                    ));
                }
                Frame { rows: f.rows, start: edge(&f.start)?, end: edge(&f.end)? }
            }
        };
        Ok(WindowCall { func, args: bound_args, partition, order, frame })
    }

    fn subplan(&self, q: &Query, scope: &Scope) -> SqlResult<Rc<SubPlan>> {
        // The subquery sees `scope` as its parent; correlation is detected by
        // a marker scope between them.
        let marker = Scope::new(scope.cols.clone(), scope.parent);
        let plan = self.query(q, Some(&marker))?;
        let correlated = marker.touched.get();
        Ok(Rc::new(SubPlan { plan, correlated, cache: RefCell::new(None) }))
    }
}

/// A comparison of row constructors, `(a, b) op (c, d)`, as the comparisons
/// of their columns: `=` and `<=>` all equal, `<>` any different, `<`, `<=`,
/// `>`, `>=` lexicographic. Rows of different widths (or a row against a
/// single value) are `ER_OPERAND_COLUMNS`.
fn row_compare(op: CmpOp, a: &Expr, b: &Expr) -> SqlResult<Expr> {
    let items = |e: &Expr| -> Vec<Expr> {
        match e {
            Expr::Row(v) => v.clone(),
            other => vec![other.clone()],
        }
    };
    let (xs, ys) = (items(a), items(b));
    if xs.is_empty() {
        return Err(SqlError::parse("You have an error in your SQL syntax near '()'"));
    }
    if xs.len() != ys.len() {
        return Err(SqlError::new(Code::OperandColumns, format!("Operand should contain {} column(s)", xs.len())));
    }
    let cmp = |op: CmpOp, x: &Expr, y: &Expr| Expr::Binary(BinOp::Cmp(op), Box::new(x.clone()), Box::new(y.clone()));
    let fold = |join: BinOp, parts: Vec<Expr>| {
        parts
            .into_iter()
            .reduce(|acc, p| Expr::Binary(join, Box::new(acc), Box::new(p)))
            .unwrap_or(Expr::Lit(Value::Null))
    };
    let pairs = xs.iter().zip(&ys);
    Ok(match op {
        CmpOp::Eq | CmpOp::NullSafeEq => fold(BinOp::And, pairs.map(|(x, y)| cmp(op, x, y)).collect()),
        CmpOp::Ne => fold(BinOp::Or, pairs.map(|(x, y)| cmp(op, x, y)).collect()),
        CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge => {
            // x1 < y1 OR (x1 = y1 AND (rest)), the last column with `op` itself
            let strict = match op {
                CmpOp::Lt | CmpOp::Le => CmpOp::Lt,
                _ => CmpOp::Gt,
            };
            let n = xs.len();
            let mut acc = cmp(op, &xs[n - 1], &ys[n - 1]);
            for i in (0..n - 1).rev() {
                let tie = Expr::Binary(BinOp::And, Box::new(cmp(CmpOp::Eq, &xs[i], &ys[i])), Box::new(acc));
                acc = Expr::Binary(BinOp::Or, Box::new(cmp(strict, &xs[i], &ys[i])), Box::new(tie));
            }
            acc
        }
    })
}

/// A window specification with the named windows it refines (`OVER w`,
/// `OVER (w ORDER BY ...)`, `WINDOW w2 AS (w ...)`) merged in.
fn resolve_window(spec: &WindowSpec, defs: &[(String, WindowSpec)]) -> SqlResult<WindowSpec> {
    let mut out = spec.clone();
    let mut base = out.base.take();
    let mut hops = 0;
    while let Some(name) = base {
        hops += 1;
        let def = defs
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(&name))
            .filter(|_| hops <= defs.len())
            .map(|(_, d)| d)
            .ok_or_else(|| SqlError::new(Code::WindowNoSuchWindow, format!("Window name '{name}' is not defined.")))?;
        if out.partition_by.is_empty() {
            out.partition_by = def.partition_by.clone();
        }
        if out.order_by.is_empty() {
            out.order_by = def.order_by.clone();
        }
        if out.frame.is_none() {
            out.frame = def.frame.clone();
        }
        base = def.base.clone();
    }
    Ok(out)
}

/// Replaces bare names in HAVING that are not columns by the aliased
/// select expressions.
fn substitute_aliases(e: &Expr, scope: &Scope, alias_of: &dyn Fn(&str) -> Option<Expr>) -> SqlResult<Expr> {
    Ok(match e {
        Expr::Column { table: None, name } if scope.find_local(None, name)?.is_none() => match alias_of(name) {
            Some(x) => x,
            None => e.clone(),
        },
        Expr::Binary(op, a, b) => Expr::Binary(
            *op,
            Box::new(substitute_aliases(a, scope, alias_of)?),
            Box::new(substitute_aliases(b, scope, alias_of)?),
        ),
        Expr::Unary(op, a) => Expr::Unary(*op, Box::new(substitute_aliases(a, scope, alias_of)?)),
        Expr::IsNull(a, n) => Expr::IsNull(Box::new(substitute_aliases(a, scope, alias_of)?), *n),
        other => other.clone(),
    })
}

/// The information_schema tables that `FOR SYSTEM_TIME AS OF t` reads as of
/// `t` (the catalog then); the virtual-rows function gets `t` as their
/// argument.
pub const CATALOG_AS_OF_TABLES: [&str; 2] = ["information_schema.schemata", "information_schema.tables"];

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

/// A FROM entry before planning.
pub enum FromPart {
    /// A leaf.
    Leaf(LeafSource),
    /// A join of two parts with its ON conjuncts (positions in the combined row).
    Join(Box<FromPart>, Box<FromPart>, JoinKind, Vec<BExpr>),
}

fn source_width(s: &LeafSource) -> usize {
    match s {
        LeafSource::Table { meta, .. } => meta.columns.len(),
        LeafSource::Versions { meta, .. } => meta.columns.len() + 2,
        LeafSource::Rows(_, w) => *w,
        LeafSource::Query(p) => p.columns().len(),
        LeafSource::Working(_, w) => *w,
        LeafSource::Join(f) => f.width,
    }
}

/// Flattens a left-deep FROM into leaves and join steps and distributes
/// the WHERE conjuncts.
pub fn plan_from(parts: Vec<FromPart>, where_: Vec<BExpr>) -> FromPlan {
    // Flatten: comma entries are inner joins without conditions.
    let mut leaves: Vec<(LeafSource, usize)> = Vec::new();
    let mut kinds: Vec<(JoinKind, Vec<BExpr>)> = Vec::new();
    fn flatten(
        p: FromPart,
        leaves: &mut Vec<(LeafSource, usize)>,
        kinds: &mut Vec<(JoinKind, Vec<BExpr>)>,
        off: &mut usize,
    ) {
        match p {
            FromPart::Leaf(s) => {
                let w = source_width(&s);
                if !leaves.is_empty() {
                    kinds.push((JoinKind::Inner, Vec::new()));
                }
                leaves.push((s, *off));
                *off += w;
            }
            FromPart::Join(l, r, kind, conds) => {
                flatten(*l, leaves, kinds, off);
                match *r {
                    FromPart::Leaf(s) => {
                        let w = source_width(&s);
                        kinds.push((kind, conds));
                        leaves.push((s, *off));
                        *off += w;
                    }
                    // a parenthesized join on the right: planned on its own
                    nested => nest(nested, kind, conds, leaves, kinds, off),
                }
            }
        }
    }
    /// Adds `p` as one leaf (a join planned on its own), joined by `kind`.
    fn nest(
        mut p: FromPart,
        kind: JoinKind,
        conds: Vec<BExpr>,
        leaves: &mut Vec<(LeafSource, usize)>,
        kinds: &mut Vec<(JoinKind, Vec<BExpr>)>,
        off: &mut usize,
    ) {
        let start = *off;
        shift_part(&mut p, start);
        let mut inner_leaves = Vec::new();
        let mut inner_kinds = Vec::new();
        let mut inner_off = 0;
        flatten(p, &mut inner_leaves, &mut inner_kinds, &mut inner_off);
        let inner = plan_leaves(inner_leaves, inner_kinds, Vec::new(), inner_off);
        kinds.push((kind, conds));
        leaves.push((LeafSource::Join(Box::new(inner)), start));
        *off += inner_off;
    }
    fn has_outer_join(p: &FromPart) -> bool {
        match p {
            FromPart::Leaf(_) => false,
            FromPart::Join(l, r, kind, _) => *kind != JoinKind::Inner || has_outer_join(l) || has_outer_join(r),
        }
    }
    let mut off = 0;
    for p in parts {
        // A comma binds less tightly than JOIN: in `a, b RIGHT JOIN c` the
        // outer join is `b RIGHT JOIN c`, joined to `a` as a whole.
        if !leaves.is_empty() && has_outer_join(&p) {
            nest(p, JoinKind::Inner, Vec::new(), &mut leaves, &mut kinds, &mut off);
        } else {
            flatten(p, &mut leaves, &mut kinds, &mut off);
        }
    }
    plan_leaves(leaves, kinds, where_, off)
}

/// Plans flattened leaves (each with its offset in the written row):
/// chooses the join order (see [`joinorder::order`]), lays the columns out
/// in that order, and records how to put the rows back in the written
/// layout.
fn plan_leaves(
    leaves: Vec<(LeafSource, usize)>,
    kinds: Vec<(JoinKind, Vec<BExpr>)>,
    where_: Vec<BExpr>,
    width: usize,
) -> FromPlan {
    let widths: Vec<usize> = leaves.iter().map(|(s, _)| source_width(s)).collect();
    let Some(order) = joinorder::order(&leaves, &widths, &kinds, &where_) else {
        return build(leaves, kinds, where_, width);
    };
    let mut new_off = vec![0; leaves.len()];
    let mut at = 0;
    for &l in &order {
        new_off[l] = at;
        at += widths[l];
    }
    let old_off: Vec<usize> = leaves.iter().map(|(_, o)| *o).collect();
    let map = |c: usize| -> usize {
        let l = (0..old_off.len()).rev().find(|&l| old_off[l] <= c && widths[l] > 0).unwrap_or(0);
        c - old_off[l] + new_off[l]
    };
    let perm: Vec<usize> = (0..width).map(map).collect();
    // Conjuncts with correlated subqueries are evaluated on the rows put
    // back in the written layout (`FromPlan::post`); `order` keeps the
    // written order when an ON condition has one.
    let where_ = where_.into_iter().map(|c| if c.columns(&mut |_| {}) { c.remapped(&map) } else { c }).collect();
    let kinds = kinds.into_iter().map(|(k, conds)| (k, conds.iter().map(|c| c.remapped(&map)).collect())).collect();
    let mut slots: Vec<Option<LeafSource>> = leaves.into_iter().map(|(s, _)| Some(s)).collect();
    let leaves = order.iter().filter_map(|&l| slots[l].take().map(|s| (s, new_off[l]))).collect();
    FromPlan { perm: Some(perm), ..build(leaves, kinds, where_, width) }
}

fn shift_part(p: &mut FromPart, by: usize) {
    if let FromPart::Join(l, r, _, conds) = p {
        shift_part(l, by);
        shift_part(r, by);
        for c in conds.iter_mut() {
            *c = c.shifted(by);
        }
    }
}

fn build(
    leaves: Vec<(LeafSource, usize)>,
    kinds: Vec<(JoinKind, Vec<BExpr>)>,
    where_: Vec<BExpr>,
    width: usize,
) -> FromPlan {
    let n = leaves.len();
    let bounds: Vec<(usize, usize)> = leaves.iter().map(|(s, o)| (*o, *o + source_width(s))).collect();
    let leaf_of = |c: usize| bounds.iter().position(|(a, b)| c >= *a && c < *b).unwrap_or(n.saturating_sub(1));
    // leaves on the nullable side of an outer join (or preserved side of a right join)
    let mut nullable = vec![false; n];
    for (i, (k, _)) in kinds.iter().enumerate() {
        match k {
            JoinKind::Left => nullable[i + 1] = true,
            JoinKind::Right => (0..=i).for_each(|j| nullable[j] = true),
            JoinKind::Inner => {}
        }
    }
    let mut out_leaves: Vec<Leaf> =
        leaves.into_iter().map(|(s, _)| Leaf { width: source_width(&s), source: s, filters: Vec::new() }).collect();
    let mut steps: Vec<Step> = kinds
        .iter()
        .map(|(k, _)| Step { kind: *k, keys: Vec::new(), cond: Vec::new(), post: Vec::new(), probe: None })
        .collect();
    let mut post = Vec::new();

    // analyse a conjunct: (min leaf, max leaf, single leaf?) ; None when it holds correlated subqueries
    let analyse = |e: &BExpr| -> Option<(Option<usize>, usize)> {
        let mut lo = usize::MAX;
        let mut hi = 0usize;
        let mut any = false;
        let ok = e.columns(&mut |c| {
            let l = leaf_of(c);
            lo = lo.min(l);
            hi = hi.max(l);
            any = true;
        });
        if !ok {
            return None;
        }
        if !any {
            return Some((None, 0));
        }
        Some((if lo == hi { Some(lo) } else { None }, hi))
    };

    let lowest_leaf = |e: &BExpr| -> usize {
        let mut lo = usize::MAX;
        e.columns(&mut |c| lo = lo.min(leaf_of(c)));
        lo
    };

    // WHERE conjuncts
    for c in where_ {
        match analyse(&c) {
            None => post.push(c),
            Some((Some(l), _)) if !nullable[l] => {
                out_leaves[l].filters.push(c.shifted(bounds[l].0));
            }
            Some((None, 0)) if n > 0 && !nullable[0] && !c.has_subquery() => out_leaves[0].filters.push(c),
            Some((_, hi)) => {
                if hi == 0 || n == 0 {
                    post.push(c);
                    continue;
                }
                // After an inner join, filtering the joined rows is the
                // join condition (and gives it keys), unless a later RIGHT
                // join may add rows the filter has to see.
                let outer_involved = (0..=hi).any(|j| nullable[j])
                    && (steps[hi - 1].kind != JoinKind::Inner || steps.iter().any(|s| s.kind == JoinKind::Right));
                if outer_involved {
                    // A later RIGHT join pads rows with NULLs for the
                    // leaves before it: a conjunct over any of them must
                    // see those rows, so it runs after that join.
                    let lo = lowest_leaf(&c);
                    let at = (hi - 1..steps.len())
                        .filter(|&i| steps[i].kind == JoinKind::Right && i >= lo)
                        .max()
                        .unwrap_or(hi - 1);
                    steps[at].post.push(c);
                } else {
                    steps[hi - 1].cond.push(c);
                }
            }
        }
    }
    // ON conjuncts
    for (i, (kind, conds)) in kinds.into_iter().enumerate() {
        let right = i + 1;
        if kind == JoinKind::Inner {
            // Within a run of inner joins an ON condition is a filter that
            // applies from the step where its leaves are joined on; the
            // run's first leaf after an outer join is that join's and
            // takes no filter of a later step.
            let start = (0..=right).rev().find(|&s| s == 0 || steps[s - 1].kind != JoinKind::Inner).unwrap_or(0);
            let floor = if start == 0 { 0 } else { start + 1 };
            for c in conds {
                match analyse(&c) {
                    Some((single, hi)) => {
                        let h = hi.max(floor);
                        if single == Some(h) && !c.has_subquery() {
                            out_leaves[h].filters.push(c.shifted(bounds[h].0));
                        } else {
                            steps[h.max(1) - 1].cond.push(c);
                        }
                    }
                    None => steps[i].cond.push(c),
                }
            }
            continue;
        }
        for c in conds {
            match analyse(&c) {
                Some((Some(l), _)) if l == right && kind != JoinKind::Right && !c.has_subquery() => {
                    out_leaves[l].filters.push(c.shifted(bounds[l].0));
                }
                _ => steps[i].cond.push(c),
            }
        }
    }
    // equi-join keys out of step conditions
    for (i, st) in steps.iter_mut().enumerate() {
        let right = i + 1;
        let (ra, _) = bounds[right];
        let mut rest = Vec::new();
        for c in std::mem::take(&mut st.cond) {
            if let BExpr::Binary(BinOp::Cmp(CmpOp::Eq), a, b) = &c {
                let side = |e: &BExpr| -> Option<bool> {
                    // Some(true): only the right leaf; Some(false): only earlier leaves
                    let mut l = false;
                    let mut r = false;
                    let ok = e.columns(&mut |col| {
                        if col >= ra && col < bounds[right].1 {
                            r = true
                        } else {
                            l = true
                        }
                    });
                    if !ok || e.has_subquery() || (l && r) || (!l && !r) {
                        return None;
                    }
                    Some(r)
                };
                match (side(a), side(b)) {
                    (Some(false), Some(true)) => {
                        st.keys.push(((**a).clone(), b.shifted(ra)));
                        continue;
                    }
                    (Some(true), Some(false)) => {
                        st.keys.push(((**b).clone(), a.shifted(ra)));
                        continue;
                    }
                    _ => {}
                }
            }
            rest.push(c);
        }
        st.cond = rest;
    }
    // access paths for table leaves
    for leaf in out_leaves.iter_mut() {
        if let LeafSource::Table { meta, access, .. } = &mut leaf.source {
            *access = choose_access(meta, &leaf.filters);
        }
    }
    // index lookups for joined tables read in full (a RIGHT join needs
    // every row of its leaf anyway)
    for (i, st) in steps.iter_mut().enumerate() {
        if st.kind == JoinKind::Right {
            continue;
        }
        if let LeafSource::Table { meta, access: Access::Full, .. } = &out_leaves[i + 1].source {
            st.probe = st.keys.iter().enumerate().find_map(|(k, (_, re))| match re {
                BExpr::Col(c) => meta.indexes.iter().position(|ix| ix.columns.first() == Some(c)).map(|ix| (k, ix)),
                _ => None,
            });
        }
    }
    FromPlan { leaves: out_leaves, steps, post, width, perm: None }
}

fn col_type_matches(meta: &TableMeta, col: usize, e: &BExpr) -> bool {
    // a literal must have an index key for the column; other constants are
    // converted at run time, or the table is read whole
    match e {
        BExpr::Lit(v) => catalog::index_key_value(&meta.columns[col].ty, v).is_some(),
        _ => true,
    }
}

/// The access path of a table leaf given the filters on its own columns.
pub(crate) fn choose_access(meta: &TableMeta, filters: &[BExpr]) -> Access {
    let first_col_index = |c: usize| meta.indexes.iter().position(|ix| ix.columns.first() == Some(&c));
    // equality
    for f in filters {
        if let Some((c, CmpOp::Eq, k)) = f.as_col_cmp() {
            if let Some(ix) = first_col_index(c) {
                if col_type_matches(meta, c, k) {
                    return Access::IndexEq { index: ix, values: vec![k.clone()] };
                }
            }
        }
    }
    // IN list
    for f in filters {
        if let BExpr::InList(a, list, false) = f {
            if let BExpr::Col(c) = **a {
                if let Some(ix) = first_col_index(c) {
                    if list.iter().all(|k| k.is_const() && col_type_matches(meta, c, k)) {
                        return Access::IndexEq { index: ix, values: list.clone() };
                    }
                }
            }
        }
    }
    // ranges
    let mut best: Option<(usize, usize, Option<BExpr>, Option<BExpr>)> = None;
    for f in filters {
        let (c, lo, hi) = match f {
            BExpr::Between(a, l, h, false) => match **a {
                BExpr::Col(c) if l.is_const() && h.is_const() => (c, Some((**l).clone()), Some((**h).clone())),
                _ => continue,
            },
            _ => match f.as_col_cmp() {
                Some((c, CmpOp::Gt | CmpOp::Ge, k)) => (c, Some(k.clone()), None),
                Some((c, CmpOp::Lt | CmpOp::Le, k)) => (c, None, Some(k.clone())),
                _ => continue,
            },
        };
        let Some(ix) = first_col_index(c) else { continue };
        if !lo.iter().chain(hi.iter()).all(|k| col_type_matches(meta, c, k)) {
            continue;
        }
        match &mut best {
            Some((bc, _, blo, bhi)) if *bc == c => {
                if blo.is_none() {
                    *blo = lo;
                }
                if bhi.is_none() {
                    *bhi = hi;
                }
            }
            Some(_) => {}
            None => best = Some((c, ix, lo, hi)),
        }
    }
    match best {
        Some((_, ix, lo, hi)) => Access::IndexRange { index: ix, lo, hi },
        None => Access::Full,
    }
}
