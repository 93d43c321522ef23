//! Queries: set operations, `LIMIT`/`OFFSET`, and a SELECT's clauses
//! (FROM, WHERE, GROUP BY, HAVING, windows, the select list, ORDER BY).

use crate::sql::error::{Code, SqlError, SqlResult};
use crate::sql::exec::eval_const;
use crate::sql::value::Value;

use super::*;

impl<'a> Binder<'a> {
    pub(super) fn query_body(&self, q: &Query, parent: Option<&Scope>) -> SqlResult<QueryPlan> {
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

    pub(super) fn set_expr(&self, s: &SetExpr, parent: Option<&Scope>) -> SqlResult<QueryPlan> {
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

    pub(super) fn select(
        &self,
        s: &Select,
        order_by: &[OrderItem],
        limit: Option<&Expr>,
        offset: Option<&Expr>,
        parent: Option<&Scope>,
    ) -> SqlResult<(SelectPlan, Vec<String>)> {
        if !s.into.is_empty() {
            return Err(SqlError::parse(
                "Misplaced INTO clause, INTO is not allowed inside subqueries, and must be placed at end of UNION \
                 clauses",
            ));
        }
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
                    // `*` in the order of the FROM clause (a join's USING
                    // columns first); `t.*` in the table's own order
                    let mut order: Vec<&ScopeCol> = scope.cols.iter().collect();
                    if q.is_none() {
                        order.sort_by_key(|c| c.star);
                    }
                    for c in order {
                        if c.hidden || c.merged && q.is_none() {
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
        let mut having = match &s.having {
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
        grouping_args(&aggs.calls, &group_keys, s.rollup)?;
        if grouped && self.only_full_group_by() {
            let dependent = dependent_columns(&from_parts, &group_keys, window_base);
            let ex = self.exec();
            let konst = |e: &BExpr| if e.is_const() { eval_const(&ex, e).ok() } else { None };
            let check = FullGroupBy {
                keys: &group_keys,
                dependent: &dependent,
                cols: &scope.cols,
                by: !s.group_by.is_empty(),
                konst: &konst,
            };
            check.clause("SELECT list", &projection)?;
            // (HAVING is not checked: MySQL resolves its names to the FROM
            // columns before the select list's aliases, and the MySQL
            // results of the sqllogictest corpus rely on it reading them)
            check.clause("ORDER BY clause", &order.iter().map(|(e, _)| e.clone()).collect::<Vec<_>>())?;
        }

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
        let types = projection.iter().map(|e| types::stype(e, &scope, grouped.then_some(&aggs))).collect();
        if s.rollup {
            let first = aggs.width + aggs.calls.len();
            rollup_slots(&group_keys, first, &mut projection, &mut having, &mut order, &mut windows);
        }
        let mut plan = SelectPlan {
            from,
            group: if grouped { Some((group_keys, aggs.calls)) } else { None },
            rollup: s.rollup,
            having,
            windows,
            window_base,
            projection,
            types,
            order,
            distinct: s.distinct,
            limit,
            offset,
        };
        plan.narrow_reads();
        Ok((plan, names))
    }
}

/// `WITH ROLLUP`: the grouped row ends with a slot per key, from
/// `first` on, holding the key's value (NULL in the rows that roll it
/// up); each occurrence of a key in the select list, HAVING, ORDER BY and
/// the window calls reads its slot (aggregates are already slots). A
/// constant key is read from its slot only where it is a whole select
/// item, ORDER BY or HAVING expression (`GROUP BY 1` on `SELECT 'x'`),
/// not inside other expressions.
fn rollup_slots(
    keys: &[BExpr],
    first: usize,
    projection: &mut [BExpr],
    having: &mut Option<BExpr>,
    order: &mut [(BExpr, bool)],
    windows: &mut [WindowCall],
) {
    let slot = |e: &BExpr, top: bool| {
        keys.iter().position(|k| (top || !k.is_const()) && k.same_as(e)).map(|i| BExpr::Col(first + i))
    };
    let rewrite = |e: &mut BExpr| match slot(e, true) {
        Some(r) => *e = r,
        None => e.substitute(&|x| slot(x, false)),
    };
    projection.iter_mut().for_each(rewrite);
    having.iter_mut().for_each(rewrite);
    order.iter_mut().for_each(|(e, _)| rewrite(e));
    for w in windows {
        w.args.iter_mut().chain(&mut w.partition).chain(w.order.iter_mut().map(|(e, _)| e)).for_each(rewrite);
    }
}

/// Replaces bare names in HAVING that are not columns by the aliased
/// select expressions.
pub(super) fn substitute_aliases(e: &Expr, scope: &Scope, alias_of: &dyn Fn(&str) -> Option<Expr>) -> SqlResult<Expr> {
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

/// MySQL's ONLY_FULL_GROUP_BY (on by default in MySQL 8): in a grouped
/// query, a column outside an aggregate must be grouped, be part of a
/// grouped expression, or be functionally dependent on the grouped
/// columns (a table whose primary key, or a unique key of NOT NULL
/// columns, is grouped); `ANY_VALUE(c)` opts out.
/// `GROUPING(…)` is only for `WITH ROLLUP` (else `ER_INVALID_GROUP_FUNC_USE`),
/// on the grouped columns (else `ER_FIELD_IN_GROUPING_NOT_GROUP_BY`).
fn grouping_args(calls: &[AggCall], keys: &[BExpr], rollup: bool) -> SqlResult<()> {
    for c in calls.iter().filter(|c| c.func == AggFunc::Grouping) {
        if !rollup {
            return Err(SqlError::new(Code::InvalidGroupFuncUse, "Invalid use of group function"));
        }
        for (i, a) in c.arg.iter().chain(&c.more).enumerate() {
            if !keys.iter().any(|k| k.same_as(a)) {
                return Err(SqlError::new(
                    Code::FieldInGroupingNotGroupBy,
                    format!("Argument #{} of GROUPING function is not in GROUP BY", i + 1),
                ));
            }
        }
    }
    Ok(())
}

struct FullGroupBy<'x> {
    keys: &'x [BExpr],
    /// Per FROM column: functionally dependent on the grouped columns.
    dependent: &'x [bool],
    cols: &'x [ScopeCol],
    /// The query has a GROUP BY (else it is aggregated as one group).
    by: bool,
    /// The value of a constant expression (None: not constant).
    konst: &'x dyn Fn(&BExpr) -> Option<Value>,
}

impl FullGroupBy<'_> {
    fn clause(&self, clause: &str, exprs: &[BExpr]) -> SqlResult<()> {
        // Bound expressions are plain data: equal ones print alike.
        let keys: Vec<String> = self.keys.iter().map(|k| format!("{k:?}")).collect();
        for (n, e) in exprs.iter().enumerate() {
            if let Some(i) = self.unsound(e, &keys) {
                let c = &self.cols[i];
                let name = match &c.table {
                    Some(t) => format!("{t}.{}", c.name),
                    None => c.name.clone(),
                };
                return Err(if self.by {
                    SqlError::new(
                        Code::WrongFieldWithGroup,
                        format!(
                            "Expression #{} of {clause} is not in GROUP BY clause and contains nonaggregated column \
                             '{name}' which is not functionally dependent on columns in GROUP BY clause; this is \
                             incompatible with sql_mode=only_full_group_by",
                            n + 1
                        ),
                    )
                } else {
                    SqlError::new(
                        Code::MixOfGroupFuncAndFields,
                        format!(
                            "In aggregated query without GROUP BY, expression #{} of {clause} contains \
                             nonaggregated column '{name}'; this is incompatible with sql_mode=only_full_group_by",
                            n + 1
                        ),
                    )
                });
            }
        }
        Ok(())
    }

    /// Whether `e` is known not to be NULL before any row is read: a
    /// constant that is not NULL, or a `COALESCE` / `IFNULL` with such an
    /// argument.
    fn never_null(&self, e: &BExpr) -> bool {
        match e {
            BExpr::Func(f, args, _) if matches!(f.def().name, "coalesce" | "ifnull") => {
                args.iter().any(|a| self.never_null(a))
            }
            _ => (self.konst)(e).is_some_and(|v| !v.is_null()),
        }
    }

    /// The first FROM column `e` reads that is neither grouped nor
    /// dependent. A branch the expression can never take because of its
    /// constants is not read (`COALESCE(1, c)`, `CASE 1 WHEN 2 THEN c END`,
    /// `IF(0, c, 1)`).
    fn unsound(&self, e: &BExpr, keys: &[String]) -> Option<usize> {
        let mut bad = None;
        e.visit(&mut |x| {
            if bad.is_some() || keys.contains(&format!("{x:?}")) {
                return false;
            }
            let reached = match x {
                BExpr::Col(i) => {
                    if *i < self.dependent.len() && !self.dependent[*i] {
                        bad = Some(*i);
                    }
                    return false;
                }
                BExpr::Func(f, args, _) => match f.def().name {
                    "any_value" => return false,
                    "coalesce" | "ifnull" => {
                        // the arguments up to the first constant that is not NULL
                        let end = args.iter().position(|a| self.never_null(a));
                        args[..end.map_or(args.len(), |k| k + 1)].iter().collect::<Vec<_>>()
                    }
                    "if" => match (self.konst)(&args[0]).map(|v| v.truth() == Some(true)) {
                        Some(true) => vec![&args[1]],
                        Some(false) => vec![&args[2]],
                        None => return true,
                    },
                    _ => return true,
                },
                BExpr::Case(op, whens, els) => {
                    let mut reached: Vec<&BExpr> = op.iter().map(|o| &**o).collect();
                    let op_value = op.as_deref().and_then(|o| (self.konst)(o));
                    let mut settled = false;
                    for (w, r) in whens {
                        reached.push(w);
                        // true, false, or not known before the row
                        let taken = match (&op_value, (self.konst)(w)) {
                            (Some(a), Some(b)) if op.is_some() => {
                                Some(crate::sql::value::sql_cmp(a, &b) == Some(std::cmp::Ordering::Equal))
                            }
                            (_, Some(b)) if op.is_none() => Some(b.truth() == Some(true)),
                            _ => None,
                        };
                        if taken != Some(false) {
                            reached.push(r);
                        }
                        if taken == Some(true) {
                            settled = true;
                            break;
                        }
                    }
                    if !settled {
                        reached.extend(els.as_deref());
                    }
                    reached
                }
                _ => return true,
            };
            bad = reached.into_iter().find_map(|r| self.unsound(r, keys));
            false
        });
        bad
    }
}

/// Per FROM column (the first `width` positions): whether it is grouped,
/// or belongs to a table whose primary key or a unique key of NOT NULL
/// columns is grouped.
fn dependent_columns(parts: &[FromPart], keys: &[BExpr], width: usize) -> Vec<bool> {
    let mut dep = vec![false; width];
    for k in keys {
        if let BExpr::Col(i) = k {
            if *i < width {
                dep[*i] = true;
            }
        }
    }
    fn leaves<'x>(p: &'x FromPart, out: &mut Vec<&'x LeafSource>) {
        match p {
            FromPart::Leaf(l) => out.push(l),
            FromPart::Join(l, r, ..) => {
                leaves(l, out);
                leaves(r, out);
            }
        }
    }
    let mut all = Vec::new();
    parts.iter().for_each(|p| leaves(p, &mut all));
    let mut start = 0;
    for leaf in all {
        let n = from_plan::source_width(leaf);
        if let LeafSource::Table { meta, .. } | LeafSource::Versions { meta, .. } = leaf {
            let determined = meta.indexes.iter().any(|ix| {
                (ix.primary || ix.unique && ix.columns.iter().all(|&c| meta.columns[c].not_null))
                    && ix.columns.iter().all(|&c| dep.get(start + c).copied().unwrap_or(false))
            });
            if determined {
                dep[start..(start + n).min(width)].iter_mut().for_each(|d| *d = true);
            }
        }
        start += n;
    }
    dep
}
