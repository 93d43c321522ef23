//! Expressions: names resolved in scopes, functions through the
//! catalogue, aggregates collected, subqueries as sub-plans.

use std::rc::Rc;

use crate::sql::error::{Code, SqlError, SqlResult};
use crate::sql::exec::eval_const;
use crate::sql::functions::{Ctx, Func, Volatility};
use crate::sql::value::{ArithOp, Collation, SType, Value};

use super::*;

/// Aggregate collection while binding a grouped SELECT.
pub struct Aggs {
    pub(super) width: usize,
    pub(super) calls: Vec<AggCall>,
}

pub(super) fn agg_func(name: &str) -> Option<AggFunc> {
    Some(match name {
        "count" => AggFunc::Count,
        "sum" => AggFunc::Sum,
        "avg" => AggFunc::Avg,
        "min" => AggFunc::Min,
        "max" => AggFunc::Max,
        "bit_and" => AggFunc::BitAnd,
        "bit_or" => AggFunc::BitOr,
        "bit_xor" => AggFunc::BitXor,
        "var_pop" | "variance" => AggFunc::Variance(false),
        "var_samp" => AggFunc::Variance(true),
        "std" | "stddev" | "stddev_pop" => AggFunc::StdDev(false),
        "stddev_samp" => AggFunc::StdDev(true),
        "grouping" => AggFunc::Grouping,
        _ => return None,
    })
}

/// The direct sub-expressions of an expression (not inside subqueries).
pub(super) fn children(e: &Expr) -> Vec<&Expr> {
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
        | Expr::Collate(a, _)
        | Expr::Interval(a, _)
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

/// The collation of an expression and how strongly it binds: its own
/// ([`BExpr::coercible_collation`]), or for a column of strings without a
/// collation of its own the default one, implicitly; None for a literal or
/// a value that is no string.
fn collation_of(e: &BExpr, scope: &Scope) -> Option<(Collation, Coercibility)> {
    e.coercible_collation().or_else(|| {
        let (d, i) = match e {
            BExpr::Col(i) => (0, *i),
            BExpr::Outer(d, i) => (*d, *i),
            _ => return None,
        };
        scope.column(d, i).filter(|c| c.ty == SType::Str).map(|_| (Collation::Default, Coercibility::Implicit))
    })
}

/// MySQL's coercibility rule for the operands of one operation (a
/// comparison, `CONCAT`, ...): an explicit collation (`COLLATE`) decides
/// over a column's (implicit) one, and both over a literal's; of two
/// different explicit ones, or two different implicit ones neither of which
/// is `utf8mb4_bin` (which decides over the others of its character set),
/// the mix is `ER_CANT_AGGREGATE_2COLLATIONS`. None when no operand has one.
fn aggregate_collation(
    operands: impl IntoIterator<Item = Option<(Collation, Coercibility)>>,
    op: &str,
) -> SqlResult<Option<(Collation, Coercibility)>> {
    use Coercibility::*;
    let mut acc: Option<(Collation, Coercibility)> = None;
    for next in operands.into_iter().flatten() {
        acc = Some(match acc {
            None => next,
            Some(cur) if cur.0 == next.0 => (cur.0, if next.1 == Explicit { Explicit } else { cur.1 }),
            Some(cur) => match (cur.1, next.1) {
                (Explicit, Implicit) => cur,
                (Implicit, Explicit) => next,
                (Implicit, Implicit) if cur.0 == Collation::Bin || next.0 == Collation::Bin => {
                    (Collation::Bin, Implicit)
                }
                _ => {
                    let kind = |k| if k == Explicit { "EXPLICIT" } else { "IMPLICIT" };
                    return Err(SqlError::new(
                        Code::CantAggregate2Collations,
                        format!(
                            "Illegal mix of collations ({},{}) and ({},{}) for operation '{op}'",
                            cur.0.name(),
                            kind(cur.1),
                            next.0.name(),
                            kind(next.1)
                        ),
                    ));
                }
            },
        });
    }
    Ok(acc)
}

/// The collation a comparison of `a` and `b` takes ([`aggregate_collation`]),
/// None for the default one.
fn comparison_collation(a: &BExpr, b: &BExpr, scope: &Scope, op: &str) -> SqlResult<Option<Collation>> {
    let coll = aggregate_collation([collation_of(a, scope), collation_of(b, scope)], op)?;
    Ok(coll.map(|(c, _)| c).filter(|c| *c != Collation::Default))
}

/// `e` under the collation `coll` an operation's operands gave it
/// ([`aggregate_collation`]): as it is under the default one (unless
/// `COLLATE` named it).
fn with_collation(e: BExpr, coll: Option<(Collation, Coercibility)>) -> BExpr {
    match coll {
        Some((c, k)) if c != Collation::Default || k == Coercibility::Explicit => BExpr::Collate(Box::new(e), c, k),
        _ => e,
    }
}

/// The comparison `a op b` of bound operands, under the collation
/// [`comparison_collation`] chooses.
pub(super) fn comparison(op: CmpOp, a: Box<BExpr>, b: Box<BExpr>, scope: &Scope) -> SqlResult<BExpr> {
    Ok(match comparison_collation(&a, &b, scope, cmp_symbol(op))? {
        Some(c) => BExpr::CmpIn(op, c, a, b),
        None => BExpr::Binary(BinOp::Cmp(op), a, b),
    })
}

/// A column of `scope` as an expression: `BExpr::Col`, or `BExpr::Outer`
/// `levels` scopes up, under its collation when it has one.
pub(super) fn column(scope: &Scope, levels: usize, pos: usize) -> BExpr {
    let col = if levels == 0 { BExpr::Col(pos) } else { BExpr::Outer(levels, pos) };
    match scope.column(levels, pos).and_then(|c| c.coll) {
        Some(c) => BExpr::Collate(Box::new(col), c, Coercibility::Implicit),
        None => col,
    }
}

/// The left operand of `IN (subquery)` or `op ANY/ALL (subquery)` (or its
/// item `i` of a row), with the collation of the comparisons (by
/// [`comparison_collation`] with the subquery's column `i`) as its own: the
/// executor compares under [`BExpr::key_collation`] of it.
fn under_subquery_collation(a: BExpr, sp: &SubPlan, i: usize, scope: &Scope, op: &str) -> SqlResult<BExpr> {
    let column = match sp.plan.collations().get(i).copied().flatten() {
        Some(c) => BExpr::Collate(Box::new(BExpr::Lit(Value::Null)), c, Coercibility::Implicit),
        None => BExpr::Lit(Value::Null),
    };
    let want = comparison_collation(&a, &column, scope, op)?.unwrap_or_default();
    Ok(if a.key_collation() == want { a } else { BExpr::Collate(Box::new(a), want, Coercibility::Explicit) })
}

fn cmp_symbol(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "=",
        CmpOp::Ne => "<>",
        CmpOp::Lt => "<",
        CmpOp::Le => "<=",
        CmpOp::Gt => ">",
        CmpOp::Ge => ">=",
        CmpOp::NullSafeEq => "<=>",
    }
}

impl BExpr {
    /// The collation an expression names (`x COLLATE name`) or has as a
    /// column of a collated column.
    pub fn collation(&self) -> Option<Collation> {
        self.coercible_collation().map(|(c, _)| c)
    }

    /// [`BExpr::collation`], with how strongly it binds.
    pub fn coercible_collation(&self) -> Option<(Collation, Coercibility)> {
        match self {
            BExpr::Collate(_, c, k) => Some((*c, *k)),
            _ => None,
        }
    }

    /// The collation ORDER BY, GROUP BY and DISTINCT use for this
    /// expression's strings.
    pub fn key_collation(&self) -> Collation {
        self.collation().unwrap_or_default()
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

impl<'a> Binder<'a> {
    /// Whether one of the expressions may have a collation other than the
    /// default (`x COLLATE name`, a column of a collated column, or a string
    /// function or `CASE` whose result takes one of those): `BETWEEN` and
    /// `IN` with it are rewritten into the comparisons that take it.
    fn collated<'e>(&self, es: impl IntoIterator<Item = &'e Expr>, scope: &Scope) -> bool {
        es.into_iter().any(|e| self.may_collate(e, scope))
    }

    /// [`Binder::collated`] of one expression.
    fn may_collate(&self, e: &Expr, scope: &Scope) -> bool {
        match e {
            Expr::Collate(..) => true,
            Expr::Column { table, name } => scope
                .resolve(table.as_deref(), name)
                .ok()
                .flatten()
                .and_then(|(d, i)| scope.column(d, i))
                .is_some_and(|c| c.coll.is_some()),
            Expr::Func { name, args, .. } => Func::resolve(name, args.len())
                .ok()
                .and_then(|f| f.def().collation_args(args.len()))
                .is_some_and(|r| args[r].iter().any(|a| self.may_collate(a, scope))),
            Expr::Case { whens, else_, .. } => {
                whens.iter().map(|(_, then)| then).chain(else_.as_deref()).any(|x| self.may_collate(x, scope))
            }
            _ => false,
        }
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
            // a user variable: its value when the statement starts (NULL
            // when it was never set), as MySQL reads one
            Expr::Column { table: None, name } if name.starts_with('@') => {
                let var = name[1..].to_ascii_lowercase();
                self.volatile();
                BExpr::Lit(self.info.and_then(|i| i.vars.borrow().get(&var).cloned()).unwrap_or(Value::Null))
            }
            Expr::Column { table, name } => {
                let Some((d, i)) = scope.resolve(table.as_deref(), name)? else {
                    return Err(unknown_column(table.as_deref(), name));
                };
                // a collated column's values compare by its collation
                column(scope, d, i)
            }
            Expr::Unary(op, a) => BExpr::Unary(*op, sub!(a)),
            Expr::Binary(BinOp::Cmp(op), a, b) if matches!((&**a, &**b), (Expr::Row(_), _) | (_, Expr::Row(_))) => {
                let e = row_compare(*op, a, b)?;
                self.expr(&e, scope, aggs)?
            }
            Expr::InList { expr, list, negated } if matches!(&**expr, Expr::Row(x) if x.len() > 1) => {
                // (a, b) IN ((1, 2), ...): (a, b) = (1, 2) OR ...
                let e = in_list_as_or(list, *negated, |item| row_compare(CmpOp::Eq, expr, item))?;
                self.expr(&e, scope, aggs)?
            }
            Expr::Binary(op, a, b) => {
                let a = sub!(a);
                let b = sub!(b);
                match op {
                    BinOp::Arith(op) => types::arithmetic(*op, *a, *b, scope, aggs.as_deref()),
                    BinOp::Cmp(op) => comparison(*op, a, b, scope)?,
                    _ => BExpr::Binary(*op, a, b),
                }
            }
            Expr::Interval(..) => return Err(SqlError::parse("You have an error in your SQL syntax near 'INTERVAL'")),
            Expr::Collate(a, c) => {
                let a = sub!(a);
                if !matches!(types::stype(&a, scope, aggs.as_deref()), SType::Str | SType::Unknown | SType::Null) {
                    return Err(SqlError::new(
                        Code::CollationCharsetMismatch,
                        format!("COLLATION '{}' is not valid for CHARACTER SET 'binary'", c.name()),
                    ));
                }
                BExpr::Collate(a, *c, Coercibility::Explicit)
            }
            Expr::IsNull(a, n) => BExpr::IsNull(sub!(a), *n),
            Expr::IsBool(a, v, n) => BExpr::IsBool(sub!(a), *v, *n),
            Expr::Between { expr, low, high, negated } if self.collated([&**expr, low, high], scope) => {
                // under an explicit collation: a >= low AND a <= high
                let cmp = |op, x: &Expr| Expr::Binary(BinOp::Cmp(op), expr.clone(), Box::new(x.clone()));
                let e = Expr::Binary(BinOp::And, Box::new(cmp(CmpOp::Ge, low)), Box::new(cmp(CmpOp::Le, high)));
                let e = if *negated { Expr::Unary(UnOp::Not, Box::new(e)) } else { e };
                self.expr(&e, scope, aggs)?
            }
            Expr::InList { expr, list, negated } if self.collated(std::iter::once(&**expr).chain(list), scope) => {
                // under an explicit collation: a = x OR a = y ...
                let e = in_list_as_or(list, *negated, |item| {
                    Ok(Expr::Binary(BinOp::Cmp(CmpOp::Eq), expr.clone(), Box::new(item.clone())))
                })?;
                self.expr(&e, scope, aggs)?
            }
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
            Expr::InSubquery { expr, query, negated } if matches!(&**expr, Expr::Row(x) if x.len() > 1) => {
                let items = match &**expr {
                    Expr::Row(items) => items,
                    _ => return Err(SqlError::new(Code::OperandColumns, "Operand should contain 1 column(s)")),
                };
                let mut l = Vec::new();
                for x in items {
                    l.push(self.expr(x, scope, aggs.as_deref_mut())?);
                }
                let sp = self.subplan(query, scope)?;
                if sp.plan.columns().len() != l.len() {
                    return Err(SqlError::new(
                        Code::OperandColumns,
                        format!("Operand should contain {} column(s)", l.len()),
                    ));
                }
                let l = l
                    .into_iter()
                    .enumerate()
                    .map(|(i, x)| under_subquery_collation(x, &sp, i, scope, "in"))
                    .collect::<SqlResult<Vec<_>>>()?;
                BExpr::RowInSub(l, sp, *negated)
            }
            Expr::InSubquery { expr, query, negated } => {
                let a = sub!(expr);
                let sp = self.subplan(query, scope)?;
                if sp.plan.columns().len() != 1 {
                    return Err(SqlError::new(Code::OperandColumns, "Operand should contain 1 column(s)"));
                }
                BExpr::InSub(Box::new(under_subquery_collation(*a, &sp, 0, scope, "in")?), sp, *negated)
            }
            Expr::Quantified { expr, op, query, all } => {
                let a = sub!(expr);
                let sp = self.subplan(query, scope)?;
                if sp.plan.columns().len() != 1 {
                    return Err(SqlError::new(Code::OperandColumns, "Operand should contain 1 column(s)"));
                }
                let a = under_subquery_collation(*a, &sp, 0, scope, cmp_symbol(*op))?;
                BExpr::Quantified(Box::new(a), *op, sp, *all)
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
                // a simple CASE compares its operand with each WHEN as `=`
                // does: under another collation, as those comparisons
                let mut collated = false;
                if let Some(o) = &o {
                    for (a, _) in &w {
                        collated |= comparison_collation(o, a, scope, "case")?.is_some();
                    }
                }
                let (o, w) = match o {
                    Some(o) if collated => {
                        let w = w
                            .into_iter()
                            .map(|(a, b)| Ok((comparison(CmpOp::Eq, o.clone(), Box::new(a), scope)?, b)))
                            .collect::<SqlResult<Vec<_>>>()?;
                        (None, w)
                    }
                    o => (o, w),
                };
                // the result takes the collation of its results
                let coll = aggregate_collation(
                    w.iter().map(|(_, then)| then).chain(el.as_deref()).map(|x| collation_of(x, scope)),
                    "case",
                )?;
                with_collation(types::conformed(BExpr::Case(o, w, el), scope, aggs.as_deref()), coll)
            }
            Expr::Cast(a, t @ SqlType::Decimal(..)) => BExpr::Cast(Box::new(types::widened(*sub!(a)).0), *t),
            Expr::Cast(a, t) => BExpr::Cast(sub!(a), *t),
            Expr::Like { expr, pattern, escape, negated } => {
                let a = sub!(expr);
                let b = sub!(pattern);
                let coll = comparison_collation(&a, &b, scope, "like")?.unwrap_or_default();
                BExpr::Like(a, b, *escape, *negated, coll)
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
            Expr::Func { name, args, .. } if name == "mod" && args.len() == 2 => {
                // MOD(a, b) is `a % b`, its result type included (`MOD(7,
                // 2.0)` is a DECIMAL among others, as in MySQL)
                let (a, b) = (sub!(&args[0]), sub!(&args[1]));
                types::arithmetic(ArithOp::Mod, *a, *b, scope, aggs.as_deref())
            }
            Expr::Func { name, args, distinct, star } => {
                if let Some(f) = agg_func(name) {
                    let Some(aggs) = aggs else {
                        return Err(SqlError::new(Code::InvalidGroupFuncUse, "Invalid use of group function"));
                    };
                    if f == AggFunc::Grouping && (*star || *distinct) {
                        return Err(SqlError::parse(format!(
                            "You have an error in your SQL syntax near '{}'",
                            if *star { "*" } else { "DISTINCT" }
                        )));
                    }
                    let func = if *star { AggFunc::CountStar } else { f };
                    let mut call = AggCall::plain(func, None);
                    call.distinct = *distinct;
                    if !*star {
                        // COUNT(DISTINCT a, b, ...) counts the distinct rows of values
                        let many = (f == AggFunc::Count && *distinct || f == AggFunc::Grouping) && !args.is_empty();
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
                // the collation the result takes from its string arguments
                let coll = match f.def().collation_args(a.len()) {
                    Some(r) => aggregate_collation(a[r].iter().map(|x| collation_of(x, scope)), name)?,
                    None => None,
                };
                if f.def().exact_args {
                    a = a.into_iter().map(|x| types::widened(x).0).collect();
                }
                // a function that compares its string arguments does so
                // under their collation, which its first argument carries
                // (`functions::Ctx::collation`)
                if f.def().compares_strings && !a.is_empty() {
                    let want = aggregate_collation(a.iter().map(|x| collation_of(x, scope)), name)?;
                    let want = want.map_or(Collation::Default, |(c, _)| c);
                    if a[0].key_collation() != want {
                        let first = a.remove(0);
                        a.insert(0, BExpr::Collate(Box::new(first), want, Coercibility::Explicit));
                    }
                }
                // One statement sees one clock and one current database.
                let call = if f.def().volatility == Volatility::Statement && a.iter().all(BExpr::is_const) {
                    let ex = self.exec();
                    let v = a.iter().map(|e| eval_const(&ex, e)).collect::<SqlResult<Vec<_>>>()?;
                    BExpr::Lit(f.call(
                        &Ctx {
                            now: self.now,
                            database: Some(self.cur_db).filter(|d| !d.is_empty()),
                            info: self.info,
                            diag: self.diag,
                            collation: a.first().map_or(Collation::Default, BExpr::key_collation),
                        },
                        v,
                    )?)
                } else {
                    let slot = f.keeps_state().then(|| self.next_slot());
                    types::conformed(BExpr::Func(f, a, slot), scope, aggs.as_deref())
                };
                with_collation(call, coll)
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

    pub(super) fn subplan(&self, q: &Query, scope: &Scope) -> SqlResult<Rc<SubPlan>> {
        // The subquery sees `scope` as its parent; correlation is detected by
        // a marker scope between them.
        let marker = Scope::new(scope.cols.clone(), scope.parent);
        let plan = self.query(q, Some(&marker))?;
        let correlated = marker.touched.get();
        Ok(Rc::new(SubPlan { plan, correlated, slot: self.next_slot() }))
    }
}

/// A comparison of row constructors, `(a, b) op (c, d)`, as the comparisons
/// of their columns: `=` and `<=>` all equal, `<>` any different, `<`, `<=`,
/// `>`, `>=` lexicographic. Rows of different widths (or a row against a
/// single value) are `ER_OPERAND_COLUMNS`.
pub(super) fn row_compare(op: CmpOp, a: &Expr, b: &Expr) -> SqlResult<Expr> {
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

/// `x IN (a, b, ...)` as `x = a OR x = b ...` (`NOT` of it when negated),
/// `eq` building each comparison.
fn in_list_as_or(list: &[Expr], negated: bool, mut eq: impl FnMut(&Expr) -> SqlResult<Expr>) -> SqlResult<Expr> {
    let mut any: Option<Expr> = None;
    for item in list {
        let e = eq(item)?;
        any = Some(match any {
            None => e,
            Some(acc) => Expr::Binary(BinOp::Or, Box::new(acc), Box::new(e)),
        });
    }
    let e = any.ok_or_else(|| SqlError::parse("IN () needs a value"))?;
    Ok(if negated { Expr::Unary(UnOp::Not, Box::new(e)) } else { e })
}
