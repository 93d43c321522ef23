//! The `information_schema` tables that describe the catalogue, with MySQL
//! 8's column names and values: `SCHEMATA`, `TABLES`, `COLUMNS`, `VIEWS`,
//! `STATISTICS`, `KEY_COLUMN_USAGE`, `TABLE_CONSTRAINTS`,
//! `REFERENTIAL_CONSTRAINTS` and `CHECK_CONSTRAINTS`. Each reads a
//! [`Catalog`], so `FOR SYSTEM_TIME AS OF t` gives the catalogue of `t`
//! (the list: [`CATALOG_AS_OF_TABLES`](crate::sql::bind::CATALOG_AS_OF_TABLES)).

use super::show::{column_extra, column_key, shown_default};
use crate::sql::catalog::{Catalog, ColumnMeta, TableMeta};
use crate::sql::plan::Row;
use crate::sql::value::{Collation, IntWidth, SqlType, Value};

const CHARSET: &str = "utf8mb4";

fn s(v: &str) -> Value {
    Value::Str(v.to_string())
}

fn int(v: u64) -> Value {
    Value::Int(v as i64)
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The catalogue's tables in `(schema, name)` order.
fn tables(cat: &Catalog) -> Vec<&TableMeta> {
    let mut v: Vec<&TableMeta> = cat.tables.values().map(|t| &**t).collect();
    v.sort_by(|a, b| (&a.db, &a.name).cmp(&(&b.db, &b.name)));
    v
}

/// `DATA_TYPE`: the type's name without its size or sign.
fn data_type(ty: &SqlType) -> String {
    match ty {
        SqlType::Int | SqlType::UInt => "int".into(),
        SqlType::Integer { width, .. } => width.name().into(),
        SqlType::Bool => "tinyint".into(),
        SqlType::Char(_) => "char".into(),
        SqlType::Text(Some(_)) => "varchar".into(),
        SqlType::Text(None) => "text".into(),
        SqlType::Decimal(..) => "decimal".into(),
        other => other.name(),
    }
}

/// `CHARACTER_MAXIMUM_LENGTH`, `NUMERIC_PRECISION`, `NUMERIC_SCALE` and
/// `DATETIME_PRECISION` of a type, as MySQL 8 gives them.
fn type_sizes(c: &ColumnMeta) -> [Value; 4] {
    let n = |v: Option<u64>| v.map_or(Value::Null, int);
    let (chars, precision, scale, dt) = match &c.ty {
        SqlType::Enum => {
            let longest = c.members.iter().map(|m| m.chars().count() as u64).max();
            (longest, None, None, None)
        }
        SqlType::Set => {
            let all = c.members.iter().map(|m| m.chars().count() as u64 + 1).sum::<u64>();
            (Some(all.saturating_sub(1)), None, None, None)
        }
        SqlType::Char(l) | SqlType::Text(Some(l)) => (Some(u64::from(*l)), None, None, None),
        SqlType::Text(None) => (Some(65_535), None, None, None),
        SqlType::Integer { width, unsigned } => {
            let p = match (width, unsigned) {
                (IntWidth::Tiny, _) => 3,
                (IntWidth::Small, _) => 5,
                (IntWidth::Medium, false) => 7,
                (IntWidth::Medium, true) => 8,
                (IntWidth::Int, _) => 10,
                (IntWidth::Big, false) => 19,
                (IntWidth::Big, true) => 20,
            };
            (None, Some(p), Some(0), None)
        }
        SqlType::Int | SqlType::UInt => (None, Some(19), Some(0), None),
        SqlType::Bool => (None, Some(3), Some(0), None),
        SqlType::Decimal(p, sc) => (None, Some(u64::from(*p)), Some(u64::from(*sc)), None),
        SqlType::Double => (None, Some(22), None, None),
        SqlType::Date | SqlType::Year => (None, None, None, None),
        SqlType::DateTime | SqlType::Time => (None, None, None, Some(0)),
    };
    [n(chars), n(precision), n(scale), n(dt)]
}

/// The rows of the catalogue table `name` (lower case), None for another
/// name.
pub(super) fn catalog_rows(cat: &Catalog, name: &str) -> Option<(Vec<String>, Vec<Row>)> {
    let collation = Collation::Default.name();
    Some(match name {
        "information_schema.schemata" => {
            let mut v: Vec<&str> = cat.dbs.values().map(|d| d.name.as_str()).collect();
            v.sort_unstable();
            (
                names(&["CATALOG_NAME", "SCHEMA_NAME", "DEFAULT_CHARACTER_SET_NAME", "DEFAULT_COLLATION_NAME"]),
                v.into_iter().map(|d| vec![s("def"), s(d), s(CHARSET), s(collation)]).collect(),
            )
        }
        "information_schema.tables" => {
            let mut v: Vec<Row> = cat
                .tables
                .values()
                .map(|t| (&t.db, &t.name, "BASE TABLE", t.collation().unwrap_or_default().name()))
                .chain(cat.views.values().map(|v| (&v.db, &v.name, "VIEW", collation)))
                .map(|(db, name, kind, collation)| {
                    let view = kind == "VIEW";
                    vec![
                        s("def"),
                        s(db),
                        s(name),
                        s(kind),
                        if view { Value::Null } else { s("ReelDB") },
                        if view { Value::Null } else { s(collation) },
                        s(if view { "VIEW" } else { "" }),
                    ]
                })
                .collect();
            v.sort_by(|a, b| (a[1].to_string(), a[2].to_string()).cmp(&(b[1].to_string(), b[2].to_string())));
            (
                names(&[
                    "TABLE_CATALOG",
                    "TABLE_SCHEMA",
                    "TABLE_NAME",
                    "TABLE_TYPE",
                    "ENGINE",
                    "TABLE_COLLATION",
                    "TABLE_COMMENT",
                ]),
                v,
            )
        }
        "information_schema.columns" => {
            let mut rows = Vec::new();
            for t in tables(cat) {
                for (i, c) in t.columns.iter().enumerate() {
                    let text = c.ty.is_text();
                    let mut r = vec![s("def"), s(&t.db), s(&t.name), s(&c.name), int(i as u64 + 1)];
                    r.push(shown_default(c));
                    r.push(s(if c.not_null { "NO" } else { "YES" }));
                    r.push(Value::Str(data_type(&c.ty)));
                    r.extend(type_sizes(c));
                    r.push(if text { s(CHARSET) } else { Value::Null });
                    r.push(if text { s(c.collation().unwrap_or_default().name()) } else { Value::Null });
                    r.push(Value::Str(c.type_name()));
                    r.push(s(column_key(t, i)));
                    r.push(s(column_extra(c)));
                    r.push(s(""));
                    rows.push(r);
                }
            }
            (
                names(&[
                    "TABLE_CATALOG",
                    "TABLE_SCHEMA",
                    "TABLE_NAME",
                    "COLUMN_NAME",
                    "ORDINAL_POSITION",
                    "COLUMN_DEFAULT",
                    "IS_NULLABLE",
                    "DATA_TYPE",
                    "CHARACTER_MAXIMUM_LENGTH",
                    "NUMERIC_PRECISION",
                    "NUMERIC_SCALE",
                    "DATETIME_PRECISION",
                    "CHARACTER_SET_NAME",
                    "COLLATION_NAME",
                    "COLUMN_TYPE",
                    "COLUMN_KEY",
                    "EXTRA",
                    "COLUMN_COMMENT",
                ]),
                rows,
            )
        }
        "information_schema.views" => {
            let mut v: Vec<_> = cat.views.values().collect();
            v.sort_by(|a, b| (&a.db, &a.name).cmp(&(&b.db, &b.name)));
            (
                names(&[
                    "TABLE_CATALOG",
                    "TABLE_SCHEMA",
                    "TABLE_NAME",
                    "VIEW_DEFINITION",
                    "CHECK_OPTION",
                    "IS_UPDATABLE",
                    "SECURITY_TYPE",
                    "CHARACTER_SET_CLIENT",
                    "COLLATION_CONNECTION",
                ]),
                v.into_iter()
                    .map(|v| {
                        vec![
                            s("def"),
                            s(&v.db),
                            s(&v.name),
                            s(&v.sql),
                            s("NONE"),
                            s("NO"),
                            s("DEFINER"),
                            s(CHARSET),
                            s(collation),
                        ]
                    })
                    .collect(),
            )
        }
        "information_schema.statistics" => {
            let mut rows = Vec::new();
            for t in tables(cat) {
                for ix in &t.indexes {
                    for (seq, &c) in ix.columns.iter().enumerate() {
                        let col = &t.columns[c];
                        rows.push(vec![
                            s("def"),
                            s(&t.db),
                            s(&t.name),
                            int(u64::from(!ix.unique)),
                            s(&t.db),
                            s(&ix.name),
                            int(seq as u64 + 1),
                            s(&col.name),
                            s("A"),
                            s(if col.not_null { "" } else { "YES" }),
                            s("BTREE"),
                            s("YES"),
                        ]);
                    }
                }
            }
            (
                names(&[
                    "TABLE_CATALOG",
                    "TABLE_SCHEMA",
                    "TABLE_NAME",
                    "NON_UNIQUE",
                    "INDEX_SCHEMA",
                    "INDEX_NAME",
                    "SEQ_IN_INDEX",
                    "COLUMN_NAME",
                    "COLLATION",
                    "NULLABLE",
                    "INDEX_TYPE",
                    "IS_VISIBLE",
                ]),
                rows,
            )
        }
        "information_schema.key_column_usage" => {
            let mut rows = Vec::new();
            for t in tables(cat) {
                for ix in t.indexes.iter().filter(|ix| ix.unique) {
                    for (seq, &c) in ix.columns.iter().enumerate() {
                        rows.push(vec![
                            s("def"),
                            s(&t.db),
                            s(&ix.name),
                            s("def"),
                            s(&t.db),
                            s(&t.name),
                            s(&t.columns[c].name),
                            int(seq as u64 + 1),
                            Value::Null,
                            Value::Null,
                            Value::Null,
                            Value::Null,
                        ]);
                    }
                }
                for fk in &t.foreign_keys {
                    for (seq, (c, p)) in fk.columns.iter().zip(&fk.parent_columns).enumerate() {
                        rows.push(vec![
                            s("def"),
                            s(&t.db),
                            s(&fk.name),
                            s("def"),
                            s(&t.db),
                            s(&t.name),
                            s(c),
                            int(seq as u64 + 1),
                            int(seq as u64 + 1),
                            s(&fk.parent_db),
                            s(&fk.parent_table),
                            s(p),
                        ]);
                    }
                }
            }
            (
                names(&[
                    "CONSTRAINT_CATALOG",
                    "CONSTRAINT_SCHEMA",
                    "CONSTRAINT_NAME",
                    "TABLE_CATALOG",
                    "TABLE_SCHEMA",
                    "TABLE_NAME",
                    "COLUMN_NAME",
                    "ORDINAL_POSITION",
                    "POSITION_IN_UNIQUE_CONSTRAINT",
                    "REFERENCED_TABLE_SCHEMA",
                    "REFERENCED_TABLE_NAME",
                    "REFERENCED_COLUMN_NAME",
                ]),
                rows,
            )
        }
        "information_schema.table_constraints" => {
            let mut rows = Vec::new();
            for t in tables(cat) {
                let mut push = |name: &str, kind: &str, enforced: bool| {
                    rows.push(vec![
                        s("def"),
                        s(&t.db),
                        s(name),
                        s(&t.db),
                        s(&t.name),
                        s(kind),
                        s(if enforced { "YES" } else { "NO" }),
                    ])
                };
                for ix in t.indexes.iter().filter(|ix| ix.unique) {
                    push(&ix.name, if ix.primary { "PRIMARY KEY" } else { "UNIQUE" }, true);
                }
                for fk in &t.foreign_keys {
                    push(&fk.name, "FOREIGN KEY", true);
                }
                for ck in &t.checks {
                    push(&ck.name, "CHECK", !ck.not_enforced);
                }
            }
            (
                names(&[
                    "CONSTRAINT_CATALOG",
                    "CONSTRAINT_SCHEMA",
                    "CONSTRAINT_NAME",
                    "TABLE_SCHEMA",
                    "TABLE_NAME",
                    "CONSTRAINT_TYPE",
                    "ENFORCED",
                ]),
                rows,
            )
        }
        "information_schema.referential_constraints" => {
            let mut rows = Vec::new();
            for t in tables(cat) {
                for fk in &t.foreign_keys {
                    // the parent's unique index over the referenced columns
                    let unique = cat.table(&fk.parent_db, &fk.parent_table).and_then(|p| {
                        p.indexes
                            .iter()
                            .find(|ix| {
                                ix.unique
                                    && ix.columns.len() == fk.parent_columns.len()
                                    && ix
                                        .columns
                                        .iter()
                                        .zip(&fk.parent_columns)
                                        .all(|(&c, n)| p.columns[c].name.eq_ignore_ascii_case(n))
                            })
                            .map(|ix| ix.name.clone())
                    });
                    rows.push(vec![
                        s("def"),
                        s(&t.db),
                        s(&fk.name),
                        s("def"),
                        s(&fk.parent_db),
                        unique.map_or(Value::Null, Value::Str),
                        s("NONE"),
                        s(fk.on_update.sql()),
                        s(fk.on_delete.sql()),
                        s(&t.name),
                        s(&fk.parent_table),
                    ]);
                }
            }
            (
                names(&[
                    "CONSTRAINT_CATALOG",
                    "CONSTRAINT_SCHEMA",
                    "CONSTRAINT_NAME",
                    "UNIQUE_CONSTRAINT_CATALOG",
                    "UNIQUE_CONSTRAINT_SCHEMA",
                    "UNIQUE_CONSTRAINT_NAME",
                    "MATCH_OPTION",
                    "UPDATE_RULE",
                    "DELETE_RULE",
                    "TABLE_NAME",
                    "REFERENCED_TABLE_NAME",
                ]),
                rows,
            )
        }
        "information_schema.check_constraints" => {
            let mut rows = Vec::new();
            for t in tables(cat) {
                for ck in &t.checks {
                    rows.push(vec![s("def"), s(&t.db), s(&ck.name), s(&format!("({})", ck.sql))]);
                }
            }
            (names(&["CONSTRAINT_CATALOG", "CONSTRAINT_SCHEMA", "CONSTRAINT_NAME", "CHECK_CLAUSE"]), rows)
        }
        _ => return None,
    })
}
