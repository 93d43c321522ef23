//! Column, constraint and type definitions of `CREATE TABLE` and
//! `ALTER TABLE`.

use sqlparser::ast as sp;

use super::expr::expr;
use super::{ident, obj_name, unsupported};
use crate::sql::ast::*;
use crate::sql::error::{SqlError, SqlResult};
use crate::sql::value::SqlType;

pub(super) fn index_column(c: &sp::IndexColumn) -> SqlResult<String> {
    match &c.column.expr {
        sp::Expr::Identifier(i) => Ok(ident(i)),
        sp::Expr::CompoundIdentifier(p) => Ok(p.last().map(ident).unwrap_or_default()),
        other => unsupported(format!("index on expression {other}")),
    }
}

/// The FOREIGN KEY (`REFERENCES`) and CHECK options of a column definition.
pub(super) fn column_constraints(
    c: &sp::ColumnDef,
    fks: &mut Vec<ForeignKeyDef>,
    checks: &mut Vec<CheckDef>,
) -> SqlResult<()> {
    for o in &c.options {
        match &o.option {
            sp::ColumnOption::ForeignKey(fk) => {
                let mut d = foreign_key(fk)?;
                d.name = o.name.as_ref().map(ident).or(d.name);
                if d.columns.is_empty() {
                    d.columns = vec![ident(&c.name)];
                }
                fks.push(d);
            }
            sp::ColumnOption::Check(ck) => {
                let mut d = check(ck);
                d.name = o.name.as_ref().map(ident).or(d.name);
                checks.push(d);
            }
            _ => {}
        }
    }
    Ok(())
}

fn fk_action(a: Option<sp::ReferentialAction>) -> SqlResult<FkAction> {
    Ok(match a {
        None | Some(sp::ReferentialAction::NoAction) => FkAction::NoAction,
        Some(sp::ReferentialAction::Restrict) => FkAction::Restrict,
        Some(sp::ReferentialAction::Cascade) => FkAction::Cascade,
        Some(sp::ReferentialAction::SetNull) => FkAction::SetNull,
        // InnoDB rejects SET DEFAULT
        Some(sp::ReferentialAction::SetDefault) => return unsupported("ON DELETE/UPDATE SET DEFAULT"),
    })
}

pub(super) fn foreign_key(fk: &sp::ForeignKeyConstraint) -> SqlResult<ForeignKeyDef> {
    Ok(ForeignKeyDef {
        name: fk.name.as_ref().map(ident),
        columns: fk.columns.iter().map(ident).collect(),
        parent: obj_name(&fk.foreign_table)?,
        parent_columns: fk.referred_columns.iter().map(ident).collect(),
        on_delete: fk_action(fk.on_delete)?,
        on_update: fk_action(fk.on_update)?,
    })
}

pub(super) fn check(c: &sp::CheckConstraint) -> CheckDef {
    CheckDef { name: c.name.as_ref().map(ident), sql: c.expr.to_string(), not_enforced: c.enforced == Some(false) }
}

pub(super) fn column_def(c: &sp::ColumnDef) -> SqlResult<ColumnDef> {
    let mut d = ColumnDef {
        name: ident(&c.name),
        ty: data_type(&c.data_type)?,
        not_null: false,
        default: None,
        auto_increment: false,
        primary_key: false,
        unique: false,
    };
    for o in &c.options {
        match &o.option {
            sp::ColumnOption::NotNull => d.not_null = true,
            sp::ColumnOption::Null => d.not_null = false,
            sp::ColumnOption::Default(e) => d.default = Some(expr(e.clone())?),
            sp::ColumnOption::PrimaryKey(_) => {
                d.primary_key = true;
                d.not_null = true;
            }
            sp::ColumnOption::Unique(_) => d.unique = true,
            sp::ColumnOption::DialectSpecific(toks)
                if toks.iter().any(|t| t.to_string().eq_ignore_ascii_case("AUTO_INCREMENT")) =>
            {
                d.auto_increment = true
            }
            _ => {}
        }
    }
    Ok(d)
}

pub(super) fn data_type(t: &sp::DataType) -> SqlResult<SqlType> {
    use sp::DataType as D;
    let len = |l: &Option<sp::CharacterLength>| match l {
        Some(sp::CharacterLength::IntegerLength { length, .. }) => Some(*length as u32),
        _ => None,
    };
    let dec = |i: &sp::ExactNumberInfo| match i {
        sp::ExactNumberInfo::None => SqlType::Decimal(10, 0),
        sp::ExactNumberInfo::Precision(p) => SqlType::Decimal((*p as u32).min(65), 0),
        sp::ExactNumberInfo::PrecisionAndScale(p, s) => SqlType::Decimal((*p as u32).min(65), (*s).clamp(0, 30) as u32),
    };
    Ok(match t {
        D::TinyInt(Some(1)) => SqlType::Bool,
        D::TinyInt(_)
        | D::SmallInt(_)
        | D::MediumInt(_)
        | D::Int(_)
        | D::Integer(_)
        | D::BigInt(_)
        | D::Int2(_)
        | D::Int4(_)
        | D::Int8(_)
        | D::Signed
        | D::SignedInteger => SqlType::Int,
        D::TinyIntUnsigned(_)
        | D::SmallIntUnsigned(_)
        | D::MediumIntUnsigned(_)
        | D::IntUnsigned(_)
        | D::IntegerUnsigned(_)
        | D::BigIntUnsigned(_)
        | D::Unsigned
        | D::UnsignedInteger => SqlType::UInt,
        D::Decimal(i) | D::Numeric(i) | D::Dec(i) | D::DecimalUnsigned(i) | D::DecUnsigned(i) => dec(i),
        D::Float(_)
        | D::Double(_)
        | D::DoublePrecision
        | D::Real
        | D::Float4
        | D::Float8
        | D::Float64
        | D::FloatUnsigned(_)
        | D::DoubleUnsigned(_) => SqlType::Double,
        D::Varchar(l) | D::Char(l) | D::Character(l) | D::CharacterVarying(l) | D::CharVarying(l) | D::Nvarchar(l) => {
            SqlType::Text(len(l))
        }
        D::Text | D::TinyText | D::MediumText | D::LongText | D::String(_) => SqlType::Text(None),
        D::Bool | D::Boolean => SqlType::Bool,
        D::Date => SqlType::Date,
        D::Datetime(_) | D::Timestamp(_, _) => SqlType::DateTime,
        D::Custom(n, _) if n.to_string().eq_ignore_ascii_case("SIGNED") => SqlType::Int,
        // MySQL has no user-defined types: an unknown type name is a syntax error
        D::Custom(n, _) => return Err(SqlError::parse(format!("Unknown data type '{n}'"))),
        other => return unsupported(format!("type {other}")),
    })
}
