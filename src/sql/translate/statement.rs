//! Statements: DDL, DML and transaction control.

use sqlparser::ast as sp;

use super::ddl::{check, column_constraints, column_def, foreign_key, index_column};
use super::expr::expr;
use super::query::{from_items, order_items, query};
use super::{first_words, ident, obj_name, simple_name, unsupported};
use crate::sql::ast::*;
use crate::sql::error::{SqlError, SqlResult};

pub(super) fn statement(s: sp::Statement) -> SqlResult<Stmt> {
    use sp::Statement as S;
    Ok(match s {
        S::Query(q) => Stmt::Query(Box::new(query(*q)?)),
        S::CreateDatabase { db_name, if_not_exists, .. } => {
            Stmt::CreateDatabase { name: simple_name(&db_name)?, if_not_exists }
        }
        S::CreateSchema { schema_name, if_not_exists, .. } => match schema_name {
            sp::SchemaName::Simple(n) => Stmt::CreateDatabase { name: simple_name(&n)?, if_not_exists },
            other => return unsupported(other),
        },
        S::CreateTable(ct) => {
            let mut columns = Vec::new();
            let mut primary_key = Vec::new();
            let mut indexes = Vec::new();
            let mut foreign_keys = Vec::new();
            let mut checks = Vec::new();
            for c in &ct.columns {
                columns.push(column_def(c)?);
                column_constraints(c, &mut foreign_keys, &mut checks)?;
            }
            for tc in &ct.constraints {
                match tc {
                    sp::TableConstraint::ForeignKey(fk) => foreign_keys.push(foreign_key(fk)?),
                    sp::TableConstraint::Check(c) => checks.push(check(c)),
                    sp::TableConstraint::PrimaryKey(pk) => {
                        primary_key = pk.columns.iter().map(index_column).collect::<SqlResult<_>>()?
                    }
                    sp::TableConstraint::Unique(u) => indexes.push(TableIndex {
                        name: u.index_name.as_ref().or(u.name.as_ref()).map(ident),
                        columns: u.columns.iter().map(index_column).collect::<SqlResult<_>>()?,
                        unique: true,
                    }),
                    sp::TableConstraint::Index(ix) => indexes.push(TableIndex {
                        name: ix.name.as_ref().map(ident),
                        columns: ix.columns.iter().map(index_column).collect::<SqlResult<_>>()?,
                        unique: false,
                    }),
                    _ => {}
                }
            }
            Stmt::CreateTable {
                name: obj_name(&ct.name)?,
                if_not_exists: ct.if_not_exists,
                columns,
                primary_key,
                indexes,
                foreign_keys,
                checks,
                as_query: match ct.query {
                    Some(q) => Some(Box::new(query(*q)?)),
                    None => None,
                },
            }
        }
        S::Drop { object_type, if_exists, names, table, .. } => match object_type {
            sp::ObjectType::Table => {
                Stmt::DropTable { names: names.iter().map(obj_name).collect::<SqlResult<_>>()?, if_exists }
            }
            sp::ObjectType::View => {
                Stmt::DropView { names: names.iter().map(obj_name).collect::<SqlResult<_>>()?, if_exists }
            }
            sp::ObjectType::Database | sp::ObjectType::Schema => Stmt::DropDatabase {
                name: simple_name(names.first().ok_or_else(|| SqlError::parse("name expected"))?)?,
                if_exists,
            },
            sp::ObjectType::Index => Stmt::DropIndex {
                name: simple_name(names.first().ok_or_else(|| SqlError::parse("name expected"))?)?,
                table: match table {
                    Some(t) => Some(obj_name(&t)?),
                    None => None,
                },
                if_exists,
            },
            other => return unsupported(format!("DROP {other}")),
        },
        S::CreateIndex(ci) => Stmt::CreateIndex {
            name: match &ci.name {
                Some(n) => simple_name(n)?,
                None => return Err(SqlError::parse("index name expected")),
            },
            table: obj_name(&ci.table_name)?,
            columns: ci.columns.iter().map(index_column).collect::<SqlResult<_>>()?,
            unique: ci.unique,
            if_not_exists: ci.if_not_exists,
        },
        S::CreateView(cv) => Stmt::CreateView {
            name: obj_name(&cv.name)?,
            or_replace: cv.or_replace,
            columns: cv.columns.iter().map(|c| ident(&c.name)).collect(),
            sql: cv.query.to_string(),
            query: Box::new(query(*cv.query)?),
        },
        S::AlterTable(at) => {
            let name = obj_name(&at.name)?;
            let mut ops = Vec::new();
            for op in at.operations {
                use sp::AlterTableOperation as A;
                let one = match op {
                    A::AddColumn { column_def: c, .. } => {
                        // the column's REFERENCES and CHECK follow it
                        let (mut fks, mut checks) = (Vec::new(), Vec::new());
                        column_constraints(&c, &mut fks, &mut checks)?;
                        ops.push(AlterOp::AddColumn(column_def(&c)?));
                        ops.extend(fks.into_iter().map(AlterOp::AddForeignKey));
                        ops.extend(checks.into_iter().map(AlterOp::AddCheck));
                        continue;
                    }
                    A::DropColumn { column_names, if_exists, .. } => {
                        for c in column_names.iter().skip(1) {
                            ops.push(AlterOp::DropColumn { name: ident(c), if_exists });
                        }
                        AlterOp::DropColumn {
                            name: column_names.first().map(ident).ok_or_else(|| SqlError::parse("column expected"))?,
                            if_exists,
                        }
                    }
                    A::RenameColumn { old_column_name, new_column_name } => {
                        AlterOp::RenameColumn { from: ident(&old_column_name), to: ident(&new_column_name) }
                    }
                    A::ChangeColumn { old_name, new_name, .. } => {
                        AlterOp::RenameColumn { from: ident(&old_name), to: ident(&new_name) }
                    }
                    A::RenameTable { table_name } => match table_name {
                        sp::RenameTableNameKind::As(n) | sp::RenameTableNameKind::To(n) => {
                            AlterOp::RenameTable(obj_name(&n)?)
                        }
                    },
                    A::AddConstraint { constraint: sp::TableConstraint::PrimaryKey(_), .. } => AlterOp::AddPrimaryKey,
                    A::AddConstraint { constraint: sp::TableConstraint::ForeignKey(fk), .. } => {
                        AlterOp::AddForeignKey(foreign_key(&fk)?)
                    }
                    A::AddConstraint { constraint: sp::TableConstraint::Check(c), .. } => AlterOp::AddCheck(check(&c)),
                    A::DropForeignKey { name, .. } => AlterOp::DropForeignKey(ident(&name)),
                    A::DropConstraint { name, .. } => AlterOp::DropConstraint(ident(&name)),
                    other => return unsupported(format!("ALTER TABLE {other}")),
                };
                ops.push(one);
            }
            Stmt::AlterTable { name, ops }
        }
        S::Insert(ins) => {
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
            Stmt::Insert {
                table,
                columns,
                source,
                ignore: ins.ignore,
                replace: ins.replace_into,
                on_duplicate,
                row_alias,
            }
        }
        S::Update(up) if !up.table.joins.is_empty() || up.from.is_some() => {
            if up.returning.is_some() || !up.order_by.is_empty() || up.limit.is_some() {
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
            Stmt::UpdateJoin { from: from_items(items)?, assignments, filter: up.selection.map(expr).transpose()? }
        }
        S::Update(up) => {
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
            Stmt::Update {
                table,
                assignments,
                filter: up.selection.map(expr).transpose()?,
                order_by: order_items(up.order_by)?,
                limit: up.limit.map(expr).transpose()?,
            }
        }
        S::Delete(del) if !del.tables.is_empty() => {
            if del.using.is_some() || !del.order_by.is_empty() || del.limit.is_some() || del.returning.is_some() {
                return unsupported("this form of multi-table DELETE");
            }
            let targets = del.tables.iter().map(|n| obj_name(n).map(|o| o.name)).collect::<SqlResult<_>>()?;
            let (sp::FromTable::WithFromKeyword(items) | sp::FromTable::WithoutKeyword(items)) = del.from;
            Stmt::DeleteJoin { targets, from: from_items(items)?, filter: del.selection.map(expr).transpose()? }
        }
        S::Delete(del) => {
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
            Stmt::Delete {
                table,
                filter: del.selection.map(expr).transpose()?,
                order_by: order_items(del.order_by)?,
                limit: del.limit.map(expr).transpose()?,
            }
        }
        S::Truncate(t) => {
            let first = t.table_names.first().ok_or_else(|| SqlError::parse("table expected"))?;
            Stmt::Truncate(obj_name(&first.name)?)
        }
        S::StartTransaction { .. } => Stmt::Begin,
        S::Commit { .. } => Stmt::Commit,
        S::Rollback { .. } => Stmt::Rollback,
        other => return unsupported(first_words(&other.to_string())),
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
