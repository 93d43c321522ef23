//! Queries: `SELECT`, set operations, CTEs, `FROM` clauses.

use sqlparser::ast as sp;
use sqlparser::parser::Parser;

use super::expr::{expr, func_args, window_spec};
use super::source::item_texts;
use super::{first_words, ident, name, obj_name, simple_name, unsupported};
use crate::sql::ast::*;
use crate::sql::dialect::ReelDialect;
use crate::sql::error::{Code, SqlError, SqlResult};

pub(super) fn query(q: sp::Query) -> SqlResult<Query> {
    let mut with = Vec::new();
    if let Some(w) = q.with {
        for c in w.cte_tables {
            if c.from.is_some() {
                return unsupported("WITH ... FROM");
            }
            let name = ident(&c.alias.name);
            if with.iter().any(|e: &Cte| e.name.eq_ignore_ascii_case(&name)) {
                return Err(SqlError::new(Code::NonUniqTable, format!("Not unique table/alias: '{name}'")));
            }
            let columns = c.alias.columns.iter().map(|col| ident(&col.name)).collect();
            with.push(Cte { name, columns, query: Box::new(query(*c.query)?), recursive: w.recursive });
        }
    }
    let body = set_expr(*q.body)?;
    let order_by = match q.order_by {
        None => Vec::new(),
        Some(ob) => match ob.kind {
            sp::OrderByKind::Expressions(v) => order_items(v)?,
            sp::OrderByKind::All(_) => return unsupported("ORDER BY ALL"),
        },
    };
    let (limit, offset) = match q.limit_clause {
        None => (None, None),
        Some(sp::LimitClause::LimitOffset { limit, offset, .. }) => {
            (limit.map(expr).transpose()?, offset.map(|o| expr(o.value)).transpose()?)
        }
        Some(sp::LimitClause::OffsetCommaLimit { offset, limit }) => (Some(expr(limit)?), Some(expr(offset)?)),
    };
    Ok(Query { with, body, order_by, limit, offset })
}

fn set_expr(s: sp::SetExpr) -> SqlResult<SetExpr> {
    Ok(match s {
        sp::SetExpr::Select(sel) => SetExpr::Select(Box::new(select(*sel)?)),
        sp::SetExpr::Query(q) => SetExpr::Query(Box::new(query(*q)?)),
        sp::SetExpr::SetOperation { left, op, set_quantifier, right } => SetExpr::SetOp {
            op: match op {
                sp::SetOperator::Union => SetOpKind::Union,
                sp::SetOperator::Except | sp::SetOperator::Minus => SetOpKind::Except,
                sp::SetOperator::Intersect => SetOpKind::Intersect,
            },
            all: matches!(set_quantifier, sp::SetQuantifier::All),
            left: Box::new(set_expr(*left)?),
            right: Box::new(set_expr(*right)?),
        },
        sp::SetExpr::Values(v) => SetExpr::Values(
            v.rows
                .into_iter()
                .map(|r| r.content.into_iter().map(expr).collect::<SqlResult<Vec<_>>>())
                .collect::<SqlResult<_>>()?,
        ),
        other => return unsupported(first_words(&other.to_string())),
    })
}

fn select(s: sp::Select) -> SqlResult<Select> {
    let distinct = match s.distinct {
        None | Some(sp::Distinct::All) => false,
        Some(sp::Distinct::Distinct) => true,
        Some(sp::Distinct::On(_)) => return unsupported("DISTINCT ON"),
    };
    let mut items = Vec::new();
    let mut texts: Option<Vec<String>> = None;
    let n_items = s.projection.len();
    for (i, it) in s.projection.into_iter().enumerate() {
        items.push(match it {
            sp::SelectItem::UnnamedExpr(e) => {
                let text = match &e {
                    sp::Expr::Identifier(i) => ident(i),
                    sp::Expr::CompoundIdentifier(p) => p.last().map(ident).unwrap_or_default(),
                    sp::Expr::Value(sp::ValueWithSpan {
                        value: sp::Value::SingleQuotedString(v) | sp::Value::DoubleQuotedString(v),
                        ..
                    }) => v.clone(),
                    other => {
                        let texts = texts.get_or_insert_with(|| item_texts(s.select_token.0.span.start, n_items));
                        texts.get(i).filter(|t| !t.is_empty()).cloned().unwrap_or_else(|| other.to_string())
                    }
                };
                SelectItem::Expr { expr: expr(e)?, alias: None, text }
            }
            sp::SelectItem::ExprWithAlias { expr: e, alias } => {
                SelectItem::Expr { text: ident(&alias), expr: expr(e)?, alias: Some(name(&alias)?) }
            }
            sp::SelectItem::Wildcard(_) => SelectItem::Wildcard,
            sp::SelectItem::QualifiedWildcard(k, _) => match k {
                sp::SelectItemQualifiedWildcardKind::ObjectName(n) => SelectItem::QualifiedWildcard(obj_name(&n)?.name),
                other => return unsupported(other),
            },
            other => return unsupported(other),
        });
    }
    let from = from_items(s.from)?;
    let (group_by, rollup) = match s.group_by {
        sp::GroupByExpr::Expressions(v, m) => {
            let rollup = match m[..] {
                [] => false,
                [sp::GroupByWithModifier::Rollup] => true,
                _ => return unsupported("GROUP BY modifiers other than WITH ROLLUP"),
            };
            (v.into_iter().map(expr).collect::<SqlResult<_>>()?, rollup)
        }
        sp::GroupByExpr::All(_) => return unsupported("GROUP BY ALL"),
    };
    let mut windows = Vec::new();
    for sp::NamedWindowDefinition(name, def) in s.named_window {
        let spec = match def {
            sp::NamedWindowExpr::NamedWindow(base) => WindowSpec { base: Some(ident(&base)), ..WindowSpec::default() },
            sp::NamedWindowExpr::WindowSpec(ws) => window_spec(ws)?,
        };
        windows.push((ident(&name), spec));
    }
    let mut into = Vec::new();
    for t in s.into.map(|i| i.targets).unwrap_or_default() {
        match t {
            sp::Expr::Identifier(i) if i.value.starts_with('@') && !i.value.starts_with("@@") => {
                into.push(i.value[1..].to_ascii_lowercase())
            }
            _ => return unsupported("SELECT ... INTO other than user variables (@name)"),
        }
    }
    Ok(Select {
        into,
        windows,
        distinct,
        items,
        from,
        filter: s.selection.map(expr).transpose()?,
        group_by,
        rollup,
        having: s.having.map(expr).transpose()?,
    })
}

/// A FROM clause's tables and joins.
pub(super) fn from_items(items: Vec<sp::TableWithJoins>) -> SqlResult<Vec<TableRef>> {
    let mut from = Vec::new();
    for twj in items {
        let mut acc = table_factor(twj.relation)?;
        for j in twj.joins {
            let right = table_factor(j.relation)?;
            use sp::JoinOperator as J;
            let (kind, cons) = match j.join_operator {
                J::Join(c) | J::Inner(c) => (JoinKind::Inner, Some(c)),
                J::CrossJoin(c) => (JoinKind::Inner, Some(c)),
                J::Left(c) | J::LeftOuter(c) => (JoinKind::Left, Some(c)),
                J::Right(c) | J::RightOuter(c) => (JoinKind::Right, Some(c)),
                J::StraightJoin(c) => (JoinKind::Inner, Some(c)),
                J::FullOuter(_) => return unsupported("FULL OUTER JOIN"),
                J::Semi(_) | J::LeftSemi(_) | J::RightSemi(_) => return unsupported("SEMI JOIN"),
                J::Anti(_) | J::LeftAnti(_) | J::RightAnti(_) => return unsupported("ANTI JOIN"),
                J::CrossApply | J::OuterApply => return unsupported("APPLY"),
                J::AsOf { .. } => return unsupported("ASOF JOIN"),
                J::ArrayJoin | J::LeftArrayJoin | J::InnerArrayJoin => return unsupported("ARRAY JOIN"),
            };
            let (on, using, natural) = match cons {
                Some(sp::JoinConstraint::On(e)) => (Some(expr(e)?), Vec::new(), false),
                Some(sp::JoinConstraint::Using(cols)) => {
                    (None, cols.iter().map(simple_name).collect::<SqlResult<_>>()?, false)
                }
                Some(sp::JoinConstraint::None) | None => (None, Vec::new(), false),
                Some(sp::JoinConstraint::Natural) => (None, Vec::new(), true),
                Some(sp::JoinConstraint::UsingAlias(..)) => return unsupported("USING … AS"),
            };
            acc = TableRef::Join { left: Box::new(acc), right: Box::new(right), kind, on, using, natural };
        }
        from.push(acc);
    }
    Ok(from)
}

fn alias(a: Option<sp::TableAlias>) -> SqlResult<Option<String>> {
    a.map(|a| name(&a.name)).transpose()
}

fn table_factor(t: sp::TableFactor) -> SqlResult<TableRef> {
    Ok(match t {
        sp::TableFactor::Table { name, alias: a, args, version, .. } => {
            if let Some(args) = args {
                let n = obj_name(&name)?.name.to_ascii_lowercase();
                let mut out = Vec::new();
                for arg in args.args {
                    match arg {
                        sp::FunctionArg::Unnamed(sp::FunctionArgExpr::Expr(e)) => out.push(expr(e)?),
                        other => return unsupported(other),
                    }
                }
                return Ok(TableRef::Function { name: n, args: out, alias: alias(a)? });
            }
            let temporal = match version {
                None => None,
                Some(sp::TableVersion::ForSystemTimeAsOf(e)) => Some(temporal(e)?),
                Some(other) => return unsupported(other),
            };
            TableRef::Table { name: obj_name(&name)?, alias: alias(a)?, temporal }
        }
        sp::TableFactor::Derived { subquery, alias: a, .. } => {
            TableRef::Derived { query: Box::new(query(*subquery)?), alias: alias(a)? }
        }
        sp::TableFactor::NestedJoin { table_with_joins, alias: a } => {
            if a.is_some() {
                return unsupported("alias on a nested join");
            }
            let twj = *table_with_joins;
            let sel = sp::Select { from: vec![twj], ..empty_select() };
            let s = select(sel)?;
            s.from.into_iter().next().ok_or_else(|| SqlError::parse("empty join"))?
        }
        other => return unsupported(other),
    })
}

fn empty_select() -> sp::Select {
    let dialect = ReelDialect;
    let q =
        Parser::new(&dialect).try_with_sql("SELECT 1").and_then(|mut p| p.parse_query()).expect("static query parses");
    match *q.body {
        sp::SetExpr::Select(s) => sp::Select { projection: Vec::new(), ..*s },
        _ => unreachable!("SELECT 1 is a select"),
    }
}

fn temporal(e: sp::Expr) -> SqlResult<Temporal> {
    if let sp::Expr::Function(f) = &e {
        let name = f.name.to_string().to_ascii_lowercase();
        if name.starts_with("reeldb_period_") {
            let args = func_args(&f.args)?.0;
            return match (name.as_str(), args.len()) {
                ("reeldb_period_all", 0) => Ok(Temporal::All),
                ("reeldb_period_between", 2) => {
                    let mut it = args.into_iter();
                    Ok(Temporal::Between(it.next().unwrap(), it.next().unwrap()))
                }
                ("reeldb_period_from_to", 2) => {
                    let mut it = args.into_iter();
                    Ok(Temporal::FromTo(it.next().unwrap(), it.next().unwrap()))
                }
                _ => Err(SqlError::parse("bad FOR SYSTEM_TIME clause")),
            };
        }
    }
    Ok(Temporal::AsOf(expr(e)?))
}

/// `ORDER BY` items of a query, an `UPDATE` or a `DELETE`.
pub(super) fn order_items(v: Vec<sp::OrderByExpr>) -> SqlResult<Vec<OrderItem>> {
    v.into_iter()
        .map(|o| Ok(OrderItem { desc: matches!(o.options.sort, Some(sp::OrderBySort::Desc)), expr: expr(o.expr)? }))
        .collect()
}
