//! Which of ReelDB's statements a parsed statement is: the small ones
//! here, `CREATE TABLE`/`ALTER TABLE` in `ddl.rs`, DML in `dml.rs`.

use sqlparser::ast as sp;

use super::ddl::{alter_table, create_table, key_column};
use super::dml::{delete, insert, update};
use super::query::query;
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
        S::CreateTable(ct) => create_table(ct)?,
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
            columns: ci.columns.iter().map(|c| key_column(c, !ci.unique)).collect::<SqlResult<_>>()?,
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
        S::AlterTable(at) => alter_table(at)?,
        S::Insert(ins) => insert(ins)?,
        S::Update(up) => update(up)?,
        S::Delete(del) => delete(del)?,
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
