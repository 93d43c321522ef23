//! `CREATE TABLE` and `ALTER TABLE`: their columns, constraints and types.

use sqlparser::ast as sp;

use super::expr::{collation, expr};
use super::query::query;
use super::{ident, name, obj_name, unsupported};
use crate::sql::ast::*;
use crate::sql::error::{SqlError, SqlResult};
use crate::sql::value::{IntWidth, SqlType};

pub(super) fn create_table(ct: sp::CreateTable) -> SqlResult<Stmt> {
    if let Some(sp::CreateTableLikeKind::Plain(l) | sp::CreateTableLikeKind::Parenthesized(l)) = &ct.like {
        return Ok(Stmt::CreateTableLike {
            name: obj_name(&ct.name)?,
            like: obj_name(&l.name)?,
            if_not_exists: ct.if_not_exists,
        });
    }
    let mut columns = Vec::new();
    let mut primary_key = Vec::new();
    let mut indexes = Vec::new();
    let mut foreign_keys = Vec::new();
    let mut checks = Vec::new();
    for c in &ct.columns {
        columns.push(column_def(c)?);
        column_constraints(c, &mut foreign_keys, &mut checks)?;
    }
    // the table's `[DEFAULT] COLLATE = name`
    let mut table_collation = None;
    if let sp::CreateTableOptions::Plain(opts) = &ct.table_options {
        for o in opts {
            if let sp::SqlOption::KeyValue { key, value } = o {
                let key = key.to_string();
                if key.eq_ignore_ascii_case("COLLATE") || key.eq_ignore_ascii_case("DEFAULT COLLATE") {
                    table_collation = Some(collation(&value.to_string())?);
                }
            }
        }
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
                columns: ix.columns.iter().map(|c| key_column(c, true)).collect::<SqlResult<_>>()?,
                unique: false,
            }),
            _ => {}
        }
    }
    Ok(Stmt::CreateTable {
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
        auto_increment: match &ct.table_options {
            sp::CreateTableOptions::Plain(opts) => opts
                .iter()
                .find_map(|o| match o {
                    sp::SqlOption::KeyValue { key, value }
                        if key.to_string().eq_ignore_ascii_case("AUTO_INCREMENT") =>
                    {
                        Some(auto_increment_value(&value.to_string()))
                    }
                    _ => None,
                })
                .transpose()?,
            _ => None,
        },
        collation: table_collation,
    })
}

pub(super) fn alter_table(at: sp::AlterTable) -> SqlResult<Stmt> {
    let name = obj_name(&at.name)?;
    let mut ops = Vec::new();
    for op in at.operations {
        use sp::AlterTableOperation as A;
        let one = match op {
            A::AddColumn { column_def: c, column_position, .. } => {
                // the column's REFERENCES and CHECK follow it
                let (mut fks, mut checks) = (Vec::new(), Vec::new());
                column_constraints(&c, &mut fks, &mut checks)?;
                let def = column_def(&c)?;
                let name = def.name.clone();
                ops.push(AlterOp::AddColumn(def));
                ops.extend(moved(name, column_position));
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
            A::ModifyColumn { col_name, data_type, options, column_position } => {
                let name = ident(&col_name);
                ops.push(modified_column(col_name, data_type, options)?);
                ops.extend(moved(name, column_position));
                continue;
            }
            A::ChangeColumn { old_name, new_name, data_type, options, column_position } => {
                let (from, to) = (ident(&old_name), ident(&new_name));
                if !from.eq_ignore_ascii_case(&to) {
                    ops.push(AlterOp::RenameColumn { from, to: to.clone() });
                }
                ops.push(modified_column(new_name, data_type, options)?);
                ops.extend(moved(to, column_position));
                continue;
            }
            A::RenameTable { table_name } => match table_name {
                sp::RenameTableNameKind::As(n) | sp::RenameTableNameKind::To(n) => AlterOp::RenameTable(obj_name(&n)?),
            },
            A::AddConstraint { constraint: sp::TableConstraint::PrimaryKey(pk), .. } => {
                AlterOp::AddPrimaryKey(pk.columns.iter().map(index_column).collect::<SqlResult<_>>()?)
            }
            A::AddConstraint { constraint: sp::TableConstraint::Unique(u), .. } => AlterOp::AddIndex {
                name: u.index_name.as_ref().or(u.name.as_ref()).map(ident),
                columns: u.columns.iter().map(index_column).collect::<SqlResult<_>>()?,
                unique: true,
            },
            A::AddConstraint { constraint: sp::TableConstraint::Index(ix), .. } => AlterOp::AddIndex {
                name: ix.name.as_ref().map(ident),
                columns: ix.columns.iter().map(|c| key_column(c, true)).collect::<SqlResult<_>>()?,
                unique: false,
            },
            A::DropIndex { name } => AlterOp::DropIndex(ident(&name)),
            A::AutoIncrement { value, .. } => AlterOp::AutoIncrement(auto_increment_value(&value.value.to_string())?),
            A::AlterColumn { column_name, op: sp::AlterColumnOperation::SetDefault { value } } => {
                AlterOp::SetDefault { column: ident(&column_name), default: Some(expr(value)?) }
            }
            A::AlterColumn { column_name, op: sp::AlterColumnOperation::DropDefault } => {
                AlterOp::SetDefault { column: ident(&column_name), default: None }
            }
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
    Ok(Stmt::AlterTable { name, ops })
}

/// The value of the table option `AUTO_INCREMENT = n` (a positive integer).
fn auto_increment_value(text: &str) -> SqlResult<i64> {
    text.trim_matches('\'').parse::<i64>().ok().filter(|n| *n >= 0).map(|n| n.max(1)).ok_or_else(|| {
        SqlError::parse(format!("You have an error in your SQL syntax near '{text}': AUTO_INCREMENT takes a number"))
    })
}

/// The move a `FIRST` / `AFTER c` asks of the column `name`, if any.
fn moved(name: String, position: Option<sp::MySQLColumnPosition>) -> Option<AlterOp> {
    position.map(|p| AlterOp::MoveColumn {
        name,
        after: match p {
            sp::MySQLColumnPosition::First => None,
            sp::MySQLColumnPosition::After(c) => Some(ident(&c)),
        },
    })
}

/// The new definition of `MODIFY` / `CHANGE`: a column definition as in
/// `CREATE TABLE`, without keys, constraints or a position.
fn modified_column(name: sp::Ident, data_type: sp::DataType, options: Vec<sp::ColumnOption>) -> SqlResult<AlterOp> {
    let c = sp::ColumnDef {
        name,
        data_type,
        options: options.into_iter().map(|option| sp::ColumnOptionDef { name: None, option }).collect(),
    };
    let (mut fks, mut checks) = (Vec::new(), Vec::new());
    column_constraints(&c, &mut fks, &mut checks)?;
    let def = column_def(&c)?;
    if def.primary_key || def.unique || !fks.is_empty() || !checks.is_empty() {
        return unsupported("a key or a constraint in MODIFY / CHANGE COLUMN");
    }
    Ok(AlterOp::ModifyColumn(def))
}

pub(super) fn index_column(c: &sp::IndexColumn) -> SqlResult<String> {
    key_column(c, false)
}

/// The column of a key part. `prefix_ok`: a prefix length (`name(10)`,
/// MySQL's prefix index) is taken and the whole value indexed, which
/// finds the same rows; in a unique or primary key, where the prefix
/// would be what must be unique, it is not supported.
pub(super) fn key_column(c: &sp::IndexColumn, prefix_ok: bool) -> SqlResult<String> {
    match &c.column.expr {
        sp::Expr::Identifier(i) => Ok(ident(i)),
        sp::Expr::CompoundIdentifier(p) => Ok(p.last().map(ident).unwrap_or_default()),
        other => {
            let text = other.to_string();
            let prefix = text
                .strip_suffix(')')
                .and_then(|t| t.split_once('('))
                .filter(|(n, len)| !n.is_empty() && !len.is_empty() && len.bytes().all(|b| b.is_ascii_digit()));
            match prefix {
                Some((name, _)) if prefix_ok => Ok(name.trim_matches('`').to_string()),
                Some(_) => unsupported("a prefix length in a UNIQUE or PRIMARY KEY"),
                None => unsupported(format!("index on expression {other}")),
            }
        }
    }
}

/// The FOREIGN KEY (`REFERENCES`) and CHECK options of a column definition.
fn column_constraints(c: &sp::ColumnDef, fks: &mut Vec<ForeignKeyDef>, checks: &mut Vec<CheckDef>) -> SqlResult<()> {
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

fn foreign_key(fk: &sp::ForeignKeyConstraint) -> SqlResult<ForeignKeyDef> {
    Ok(ForeignKeyDef {
        name: fk.name.as_ref().map(ident),
        columns: fk.columns.iter().map(ident).collect(),
        parent: obj_name(&fk.foreign_table)?,
        parent_columns: fk.referred_columns.iter().map(ident).collect(),
        on_delete: fk_action(fk.on_delete)?,
        on_update: fk_action(fk.on_update)?,
    })
}

fn check(c: &sp::CheckConstraint) -> CheckDef {
    CheckDef { name: c.name.as_ref().map(ident), sql: c.expr.to_string(), not_enforced: c.enforced == Some(false) }
}

fn column_def(c: &sp::ColumnDef) -> SqlResult<ColumnDef> {
    let mut d = ColumnDef {
        name: name(&c.name)?,
        ty: data_type(&c.data_type)?,
        not_null: false,
        default: None,
        auto_increment: false,
        primary_key: false,
        unique: false,
        members: match &c.data_type {
            sp::DataType::Enum(members, _) => members
                .iter()
                .map(|m| match m {
                    sp::EnumMember::Name(n) | sp::EnumMember::NamedValue(n, _) => n.clone(),
                })
                .collect(),
            sp::DataType::Set(members) => members.clone(),
            _ => Vec::new(),
        },
        on_update_now: false,
        generated: None,
        default_sql: None,
        collation: None,
    };
    if matches!(&c.data_type, sp::DataType::Custom(n, _) if n.to_string().eq_ignore_ascii_case("SERIAL")) {
        d.not_null = true;
        d.auto_increment = true;
        d.unique = true;
    }
    for o in &c.options {
        match &o.option {
            sp::ColumnOption::NotNull => d.not_null = true,
            sp::ColumnOption::Null => d.not_null = false,
            sp::ColumnOption::Default(e) => {
                if let sp::Expr::Nested(inner) = e {
                    d.default_sql = Some(inner.to_string());
                }
                d.default = Some(expr(e.clone())?)
            }
            sp::ColumnOption::PrimaryKey(_) => {
                d.primary_key = true;
                d.not_null = true;
            }
            sp::ColumnOption::Unique(_) => d.unique = true,
            sp::ColumnOption::Generated { generation_expr: Some(e), generation_expr_mode, .. } => {
                expr(e.clone())?; // a generated column's expression must be one ReelDB reads
                d.generated =
                    Some((e.to_string(), matches!(generation_expr_mode, Some(sp::GeneratedExpressionMode::Stored))));
            }
            sp::ColumnOption::OnUpdate(e) => match expr(e.clone())? {
                Expr::Func { name, .. } if matches!(name.as_str(), "now" | "current_timestamp" | "localtimestamp") => {
                    d.on_update_now = true
                }
                Expr::Column { name, .. } if name.eq_ignore_ascii_case("current_timestamp") => d.on_update_now = true,
                _ => return unsupported("ON UPDATE other than CURRENT_TIMESTAMP"),
            },
            sp::ColumnOption::Collation(n) => d.collation = Some(collation(&n.to_string())?),
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

/// The type `CAST(x AS t)` (and a typed literal) converts to: casts to an
/// integer type are to SIGNED or UNSIGNED, to CHAR [(n)] to a string.
pub(super) fn cast_type(t: &sp::DataType) -> SqlResult<SqlType> {
    Ok(match data_type(t)? {
        SqlType::Integer { unsigned: false, .. } => SqlType::Int,
        SqlType::Integer { unsigned: true, .. } => SqlType::UInt,
        SqlType::Enum | SqlType::Set => return unsupported("CAST to ENUM or SET"),
        SqlType::Char(_) => match t {
            sp::DataType::Char(Some(sp::CharacterLength::IntegerLength { length, .. }))
            | sp::DataType::Character(Some(sp::CharacterLength::IntegerLength { length, .. })) => {
                SqlType::Text(Some(*length as u32))
            }
            _ => SqlType::Text(None),
        },
        ty => ty,
    })
}

/// The type of a column declared as `t`.
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
    let int = |width, unsigned| SqlType::Integer { width, unsigned };
    Ok(match t {
        // BOOL is TINYINT(1), and so is what MySQL declares as TINYINT(1)
        D::TinyInt(Some(1)) => SqlType::Bool,
        D::TinyInt(_) => int(IntWidth::Tiny, false),
        D::SmallInt(_) | D::Int2(_) => int(IntWidth::Small, false),
        D::MediumInt(_) => int(IntWidth::Medium, false),
        D::Int(_) | D::Integer(_) | D::Int4(_) => int(IntWidth::Int, false),
        D::BigInt(_) | D::Int8(_) => int(IntWidth::Big, false),
        D::TinyIntUnsigned(_) => int(IntWidth::Tiny, true),
        D::SmallIntUnsigned(_) | D::Int2Unsigned(_) => int(IntWidth::Small, true),
        D::MediumIntUnsigned(_) => int(IntWidth::Medium, true),
        D::IntUnsigned(_) | D::IntegerUnsigned(_) | D::Int4Unsigned(_) => int(IntWidth::Int, true),
        D::BigIntUnsigned(_) | D::Int8Unsigned(_) => int(IntWidth::Big, true),
        // ZEROFILL makes an integer type UNSIGNED (the zero padding of its
        // display is not kept: MySQL 8 deprecates it)
        D::Zerofill(inner) => match data_type(inner)? {
            SqlType::Integer { width, .. } => int(width, true),
            SqlType::Bool => int(IntWidth::Tiny, true),
            other => other,
        },
        D::Signed | D::SignedInteger => SqlType::Int,
        D::Unsigned | D::UnsignedInteger => SqlType::UInt,
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
        // CHAR without a length is CHAR(1)
        D::Char(l) | D::Character(l) => SqlType::Char(len(l).unwrap_or(1)),
        D::Varchar(l) | D::CharacterVarying(l) | D::CharVarying(l) | D::Nvarchar(l) => SqlType::Text(len(l)),
        D::Text | D::TinyText | D::MediumText | D::LongText | D::String(_) => SqlType::Text(None),
        D::Bool | D::Boolean => SqlType::Bool,
        D::Date => SqlType::Date,
        D::Datetime(_) | D::Timestamp(_, _) => SqlType::DateTime,
        D::Time(_, _) => SqlType::Time,
        D::Enum(members, _) if !members.is_empty() => SqlType::Enum,
        D::Set(members) if !members.is_empty() && members.len() <= 64 => SqlType::Set,
        D::Custom(n, _) if n.to_string().eq_ignore_ascii_case("SIGNED") => SqlType::Int,
        D::Custom(n, _) if n.to_string().eq_ignore_ascii_case("YEAR") => SqlType::Year,
        // SERIAL: BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE (column_def adds the rest)
        D::Custom(n, _) if n.to_string().eq_ignore_ascii_case("SERIAL") => int(IntWidth::Big, true),
        // MySQL has no user-defined types: an unknown type name is a syntax error
        D::Custom(n, _) => return Err(SqlError::parse(format!("Unknown data type '{n}'"))),
        other => return unsupported(format!("type {other}")),
    })
}
