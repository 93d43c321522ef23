//! DML: `INSERT`/`REPLACE`, `UPDATE` and `DELETE`, single- and
//! multi-table.

use sqlparser::ast as sp;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::expr::expr;
use super::query::{from_items, order_items, query};
use super::{ident, obj_name, simple_name, unsupported};
use crate::sql::ast::*;
use crate::sql::error::{Code, SqlError, SqlResult};

pub(super) fn insert(ins: sp::Insert) -> SqlResult<Stmt> {
    let table = match &ins.table {
        sp::TableObject::TableName(n) => obj_name(n)?,
        other => return unsupported(other),
    };
    let columns = if ins.columns.is_empty() {
        None
    } else {
        Some(ins.columns.iter().map(simple_name).collect::<SqlResult<_>>()?)
    };
    let on_duplicate = match ins.on {
        None => Vec::new(),
        Some(sp::OnInsert::DuplicateKeyUpdate(assignments)) => assignments
            .into_iter()
            .map(|a| Ok((assign_target(&a.target)?, expr(a.value)?)))
            .collect::<SqlResult<_>>()?,
        Some(other) => return unsupported(format!("INSERT ... {other}")),
    };
    let row_alias = match &ins.insert_alias {
        None => None,
        Some(a) => Some((simple_name(&a.row_alias)?, a.col_aliases.iter().flatten().map(ident).collect())),
    };
    let source = match ins.source {
        Some(q) => match *q.body {
            sp::SetExpr::Values(v) if q.order_by.is_none() && q.limit_clause.is_none() => InsertSource::Values(
                v.rows
                    .into_iter()
                    .map(|r| r.content.into_iter().map(expr).collect::<SqlResult<Vec<_>>>())
                    .collect::<SqlResult<_>>()?,
            ),
            _ => InsertSource::Query(Box::new(query(*q)?)),
        },
        None if !ins.assignments.is_empty() => {
            let mut cols = Vec::new();
            let mut vals = Vec::new();
            for a in ins.assignments {
                cols.push(assign_target(&a.target)?);
                vals.push(expr(a.value)?);
            }
            return Ok(Stmt::Insert {
                table,
                columns: Some(cols),
                source: InsertSource::Values(vec![vals]),
                ignore: ins.ignore,
                replace: ins.replace_into,
                on_duplicate,
                row_alias,
            });
        }
        None => return Err(SqlError::parse("INSERT without values")),
    };
    Ok(Stmt::Insert { table, columns, source, ignore: ins.ignore, replace: ins.replace_into, on_duplicate, row_alias })
}

/// Parses an `UPDATE` after its first word (and `IGNORE`). MySQL's comma
/// form of multi-table UPDATE, `UPDATE t1, t2 [JOIN ...] SET ... [WHERE
/// ...] [ORDER BY ...] [LIMIT n]`, which sqlparser's `parse_update` stops
/// at, is read here: each table after a comma is cross-joined to those
/// before it (a nested join when it has joins of its own), as MySQL reads
/// the comma; any other UPDATE is sqlparser's.
pub(super) fn parse_update(p: &mut Parser, first: TokenWithSpan) -> Result<sp::Statement, ParserError> {
    // look ahead (always rewound): a table reference, then a comma?
    let mut comma = false;
    p.maybe_parse(|p| {
        p.parse_table_and_joins()?;
        comma = p.peek_token_ref().token == Token::Comma;
        Err::<(), _>(ParserError::ParserError(String::new()))
    })?;
    if !comma {
        return p.parse_update(first);
    }
    let mut table = p.parse_table_and_joins()?;
    while p.consume_token(&Token::Comma) {
        let t = p.parse_table_and_joins()?;
        let relation = if t.joins.is_empty() {
            t.relation
        } else {
            sp::TableFactor::NestedJoin { table_with_joins: Box::new(t), alias: None }
        };
        table.joins.push(sp::Join {
            relation,
            global: false,
            join_operator: sp::JoinOperator::CrossJoin(sp::JoinConstraint::None),
        });
    }
    p.expect_keyword_is(Keyword::SET)?;
    let assignments = p.parse_comma_separated(Parser::parse_assignment)?;
    let selection = if p.parse_keyword(Keyword::WHERE) { Some(p.parse_expr()?) } else { None };
    let order_by = if p.parse_keywords(&[Keyword::ORDER, Keyword::BY]) {
        p.parse_comma_separated(Parser::parse_order_by_expr)?
    } else {
        Vec::new()
    };
    let limit = if p.parse_keyword(Keyword::LIMIT) { Some(p.parse_expr()?) } else { None };
    Ok(sp::Statement::Update(sp::Update {
        update_token: first.into(),
        optimizer_hints: Vec::new(),
        table,
        on_cluster: None,
        assignments,
        from: None,
        selection,
        returning: None,
        output: None,
        or: None,
        order_by,
        limit,
        settings: None,
    }))
}

/// `ORDER BY` or `LIMIT` in a multi-table UPDATE: `ER_WRONG_USAGE`, as in
/// MySQL 8 (ORDER BY named first).
fn multi_table_order_limit(stmt: &str, order_by: bool, limit: bool) -> SqlResult<()> {
    let clause = if order_by {
        "ORDER BY"
    } else if limit {
        "LIMIT"
    } else {
        return Ok(());
    };
    Err(SqlError::new(Code::WrongUsage, format!("Incorrect usage of {stmt} and {clause}")))
}

pub(super) fn update(up: sp::Update) -> SqlResult<Stmt> {
    if !up.table.joins.is_empty() || up.from.is_some() {
        multi_table_order_limit("UPDATE", !up.order_by.is_empty(), up.limit.is_some())?;
        if up.returning.is_some() {
            return unsupported("this form of multi-table UPDATE");
        }
        let mut items = vec![up.table];
        if let Some(sp::UpdateTableFromKind::BeforeSet(v) | sp::UpdateTableFromKind::AfterSet(v)) = up.from {
            items.extend(v);
        }
        let assignments = up
            .assignments
            .into_iter()
            .map(|a| {
                let sp::AssignmentTarget::ColumnName(n) = &a.target else { return unsupported(&a.target) };
                let o = obj_name(n)?;
                Ok((o.db, o.name, expr(a.value)?))
            })
            .collect::<SqlResult<_>>()?;
        return Ok(Stmt::UpdateJoin {
            from: from_items(items)?,
            assignments,
            filter: up.selection.map(expr).transpose()?,
            ignore: false,
        });
    }
    let table = match &up.table.relation {
        sp::TableFactor::Table { name, .. } => obj_name(name)?,
        other => return unsupported(other),
    };
    let assignments = up
        .assignments
        .into_iter()
        .map(|a| Ok((assign_target(&a.target)?, expr(a.value)?)))
        .collect::<SqlResult<_>>()?;
    if up.returning.is_some() || up.output.is_some() || up.or.is_some() || up.settings.is_some() {
        return unsupported("this form of UPDATE");
    }
    Ok(Stmt::Update {
        table,
        assignments,
        filter: up.selection.map(expr).transpose()?,
        order_by: order_items(up.order_by)?,
        limit: up.limit.map(expr).transpose()?,
        ignore: false,
    })
}

pub(super) fn delete(del: sp::Delete) -> SqlResult<Stmt> {
    if !del.tables.is_empty() {
        // MySQL's grammar has no ORDER BY / LIMIT in a multi-table DELETE
        // (MySQL 8 and MariaDB: a syntax error there)
        if let Some(clause) =
            (!del.order_by.is_empty()).then_some("ORDER BY").or(del.limit.is_some().then_some("LIMIT"))
        {
            return Err(SqlError::parse(format!(
                "You have an error in your SQL syntax: {clause} is not allowed in a multi-table DELETE"
            )));
        }
        if del.using.is_some() || del.returning.is_some() {
            return unsupported("this form of multi-table DELETE");
        }
        let targets = del.tables.iter().map(|n| obj_name(n).map(|o| o.name)).collect::<SqlResult<_>>()?;
        let (sp::FromTable::WithFromKeyword(items) | sp::FromTable::WithoutKeyword(items)) = del.from;
        return Ok(Stmt::DeleteJoin {
            targets,
            from: from_items(items)?,
            filter: del.selection.map(expr).transpose()?,
        });
    }
    let tables = match &del.from {
        sp::FromTable::WithFromKeyword(t) | sp::FromTable::WithoutKeyword(t) => t,
    };
    if tables.len() != 1 || !tables[0].joins.is_empty() || !del.tables.is_empty() || del.using.is_some() {
        return unsupported("multi-table DELETE");
    }
    let table = match &tables[0].relation {
        sp::TableFactor::Table { name, .. } => obj_name(name)?,
        other => return unsupported(other),
    };
    if del.returning.is_some() || del.output.is_some() || del.settings.is_some() {
        return unsupported("this form of DELETE");
    }
    Ok(Stmt::Delete {
        table,
        filter: del.selection.map(expr).transpose()?,
        order_by: order_items(del.order_by)?,
        limit: del.limit.map(expr).transpose()?,
    })
}

fn assign_target(t: &sp::AssignmentTarget) -> SqlResult<String> {
    match t {
        sp::AssignmentTarget::ColumnName(n) => {
            let o = obj_name(n)?;
            Ok(o.name)
        }
        other => unsupported(other),
    }
}
