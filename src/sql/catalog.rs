//! Key layout, row and key encodings, and the catalog (databases, tables,
//! indexes, views) stored in the versioned key-value store.
//!
//! Key layout (one global keyspace):
//! - `00 'd' db` -> database record (JSON)
//! - `00 't' db 00 table` -> table definition (JSON)
//! - `00 'v' db 00 view` -> view definition (JSON)
//! - `00 'n'` -> next object id (u64 BE)
//! - `00 's' table_id` -> next row id and next AUTO_INCREMENT value
//! - `01 table_id row_id` -> row (values, see [`encode_row`])
//! - `02 index_id key... row_id` -> empty (key order-preserving, see [`encode_key`])
//!
//! Names are matched case-insensitively; keys hold lower-case names and the
//! records keep the spelling used at creation. Row ids never change, so a row
//! keeps its key across UPDATEs and the diff of a table is keyed by row id.

use std::collections::HashMap;
use std::ops::Bound;
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use crate::db::{Database, Snapshot};
use crate::time::Timestamp;

use super::constraints::{CheckMeta, ForeignKeyMeta};
use super::error::{Code, SqlError, SqlResult};
use super::value::{Decimal, SqlType, Value};

/// Name of the database that always exists and is current at start.
pub const DEFAULT_DB: &str = "main";

/// A column of a table.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ColumnMeta {
    pub name: String,
    /// Type.
    pub ty: SqlType,
    pub not_null: bool,
    /// Default value, encoded as a one-value row; `None`: NULL.
    pub default: Option<Vec<u8>>,
    /// DEFAULT CURRENT_TIMESTAMP / NOW().
    pub default_now: bool,
    pub auto_increment: bool,
}

impl ColumnMeta {
    /// The decoded default value.
    pub fn default_value(&self) -> Value {
        match &self.default {
            Some(b) => decode_row(b).ok().and_then(|r| r.into_iter().next()).unwrap_or(Value::Null),
            None => Value::Null,
        }
    }
}

/// An index (including the primary key and UNIQUE constraints).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexMeta {
    /// Object id (key prefix).
    pub id: u64,
    /// Name (`PRIMARY` for the primary key).
    pub name: String,
    /// Indexed column positions.
    pub columns: Vec<usize>,
    pub unique: bool,
    /// PRIMARY KEY.
    pub primary: bool,
}

/// A table definition.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableMeta {
    /// Object id (key prefix of its rows).
    pub id: u64,
    /// Database.
    pub db: String,
    /// Table name.
    pub name: String,
    pub columns: Vec<ColumnMeta>,
    pub indexes: Vec<IndexMeta>,
    /// FOREIGN KEY constraints of which this table is the child
    /// (see `constraints.rs`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign_keys: Vec<ForeignKeyMeta>,
    /// CHECK constraints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckMeta>,
}

impl TableMeta {
    /// Position of a column by name (case-insensitive).
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name.eq_ignore_ascii_case(name))
    }
}

/// A view definition.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ViewMeta {
    /// Database.
    pub db: String,
    pub name: String,
    /// Column names given at creation (may be empty).
    pub columns: Vec<String>,
    /// The defining query.
    pub sql: String,
}

/// A database record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DbMeta {
    pub name: String,
}

/// The catalog as of one snapshot.
#[derive(Debug, Default, Clone)]
pub struct Catalog {
    /// Databases by lower-case name.
    pub dbs: HashMap<String, DbMeta>,
    /// Tables by (db, table) lower-case.
    pub tables: HashMap<(String, String), Rc<TableMeta>>,
    /// Views by (db, view) lower-case.
    pub views: HashMap<(String, String), Rc<ViewMeta>>,
}

fn lc(s: &str) -> String {
    s.to_ascii_lowercase()
}

/// Key of a database record.
pub fn db_key(db: &str) -> Vec<u8> {
    let mut k = vec![0, b'd'];
    k.extend_from_slice(lc(db).as_bytes());
    k
}

/// Key of a table definition.
pub fn table_key(db: &str, name: &str) -> Vec<u8> {
    let mut k = vec![0, b't'];
    k.extend_from_slice(lc(db).as_bytes());
    k.push(0);
    k.extend_from_slice(lc(name).as_bytes());
    k
}

/// Key of a view definition.
pub fn view_key(db: &str, name: &str) -> Vec<u8> {
    let mut k = vec![0, b'v'];
    k.extend_from_slice(lc(db).as_bytes());
    k.push(0);
    k.extend_from_slice(lc(name).as_bytes());
    k
}

/// Key of the object id counter.
pub const NEXT_ID_KEY: &[u8] = &[0, b'n'];

/// Key of a table's row id / AUTO_INCREMENT counters.
pub fn seq_key(table_id: u64) -> Vec<u8> {
    let mut k = vec![0, b's'];
    k.extend_from_slice(&table_id.to_be_bytes());
    k
}

/// Prefix of a table's rows.
pub fn row_prefix(table_id: u64) -> Vec<u8> {
    let mut k = vec![1];
    k.extend_from_slice(&table_id.to_be_bytes());
    k
}

/// Key of one row.
pub fn row_key(table_id: u64, rowid: u64) -> Vec<u8> {
    let mut k = row_prefix(table_id);
    k.extend_from_slice(&rowid.to_be_bytes());
    k
}

/// Prefix of an index's entries.
pub fn index_prefix(index_id: u64) -> Vec<u8> {
    let mut k = vec![2];
    k.extend_from_slice(&index_id.to_be_bytes());
    k
}

/// The smallest key greater than every key starting with `prefix`.
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut p = prefix.to_vec();
    while let Some(last) = p.pop() {
        if last < 0xFF {
            p.push(last + 1);
            return Some(p);
        }
    }
    None
}

/// Scans all keys with a prefix.
pub fn scan_prefix(
    db: &Database,
    snap: &Snapshot,
    prefix: &[u8],
    f: &mut dyn FnMut(&[u8], &[u8]) -> bool,
) -> SqlResult<()> {
    let end = prefix_end(prefix);
    let end_b = match &end {
        Some(e) => Bound::Excluded(e.as_slice()),
        None => Bound::Unbounded,
    };
    db.scan(snap, Bound::Included(prefix), end_b, f)?;
    Ok(())
}

fn corrupt(what: &str) -> SqlError {
    SqlError::new(Code::Storage, format!("corrupted {what}"))
}

impl Catalog {
    /// Loads the catalog from a snapshot.
    pub fn load(db: &Database, snap: &Snapshot) -> SqlResult<Catalog> {
        let mut cat = Catalog::default();
        let mut err = None;
        scan_prefix(db, snap, &[0], &mut |k, v| {
            let r: Result<(), serde_json::Error> = (|| {
                match k.get(1) {
                    Some(b'd') => {
                        let m: DbMeta = serde_json::from_slice(v)?;
                        cat.dbs.insert(lc(&m.name), m);
                    }
                    Some(b't') => {
                        let m: TableMeta = serde_json::from_slice(v)?;
                        cat.tables.insert((lc(&m.db), lc(&m.name)), Rc::new(m));
                    }
                    Some(b'v') => {
                        let m: ViewMeta = serde_json::from_slice(v)?;
                        cat.views.insert((lc(&m.db), lc(&m.name)), Rc::new(m));
                    }
                    _ => {}
                }
                Ok(())
            })();
            if r.is_err() {
                err = Some(corrupt("catalog record"));
                return false;
            }
            true
        })?;
        if let Some(e) = err {
            return Err(e);
        }
        cat.dbs.insert(DEFAULT_DB.into(), DbMeta { name: DEFAULT_DB.into() });
        Ok(cat)
    }

    /// Whether a database exists.
    pub fn has_db(&self, db: &str) -> bool {
        self.dbs.contains_key(&lc(db))
    }

    /// A table by name.
    pub fn table(&self, db: &str, name: &str) -> Option<Rc<TableMeta>> {
        self.tables.get(&(lc(db), lc(name))).cloned()
    }

    /// A view by name.
    pub fn view(&self, db: &str, name: &str) -> Option<Rc<ViewMeta>> {
        self.views.get(&(lc(db), lc(name))).cloned()
    }

    /// Finds an index by name in a database: (table, index position).
    pub fn find_index(&self, db: &str, name: &str) -> Option<(Rc<TableMeta>, usize)> {
        for ((d, _), t) in &self.tables {
            if *d == lc(db) {
                if let Some(i) = t.indexes.iter().position(|ix| ix.name.eq_ignore_ascii_case(name)) {
                    return Some((t.clone(), i));
                }
            }
        }
        None
    }
}

/// Serializes a catalog record.
pub fn to_json<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

// ---------------------------------------------------------------- rows

/// Encodes a row of values.
pub fn encode_row(vals: &[Value]) -> Vec<u8> {
    let mut out = Vec::with_capacity(vals.len() * 9);
    for v in vals {
        match v {
            Value::Null => out.push(0),
            Value::Int(i) => {
                out.push(1);
                out.extend_from_slice(&i.to_le_bytes());
            }
            Value::Double(f) => {
                out.push(2);
                out.extend_from_slice(&f.to_le_bytes());
            }
            Value::Decimal(d) => {
                out.push(3);
                out.extend_from_slice(&d.m.to_le_bytes());
                out.push(d.s as u8);
            }
            Value::Str(s) => {
                out.push(4);
                out.extend_from_slice(&(s.len() as u32).to_le_bytes());
                out.extend_from_slice(s.as_bytes());
            }
            Value::Date(d) => {
                out.push(5);
                out.extend_from_slice(&d.to_le_bytes());
            }
            Value::DateTime(t) => {
                out.push(6);
                out.extend_from_slice(&t.0.to_le_bytes());
            }
        }
    }
    out
}

/// Decodes a row.
pub fn decode_row(mut b: &[u8]) -> SqlResult<Vec<Value>> {
    let mut out = Vec::new();
    fn take<'a>(b: &mut &'a [u8], n: usize) -> SqlResult<&'a [u8]> {
        if b.len() < n {
            return Err(corrupt("row"));
        }
        let (h, t) = b.split_at(n);
        *b = t;
        Ok(h)
    }
    while let Some((&tag, rest)) = b.split_first() {
        b = rest;
        out.push(match tag {
            0 => Value::Null,
            1 => Value::Int(i64::from_le_bytes(take(&mut b, 8)?.try_into().unwrap())),
            2 => Value::Double(f64::from_le_bytes(take(&mut b, 8)?.try_into().unwrap())),
            3 => {
                let m = i128::from_le_bytes(take(&mut b, 16)?.try_into().unwrap());
                let s = take(&mut b, 1)?[0] as u32;
                Value::Decimal(Decimal { m, s })
            }
            4 => {
                let n = u32::from_le_bytes(take(&mut b, 4)?.try_into().unwrap()) as usize;
                let s = take(&mut b, n)?;
                Value::Str(String::from_utf8(s.to_vec()).map_err(|_| corrupt("string"))?)
            }
            5 => Value::Date(i64::from_le_bytes(take(&mut b, 8)?.try_into().unwrap())),
            6 => Value::DateTime(Timestamp(i64::from_le_bytes(take(&mut b, 8)?.try_into().unwrap()))),
            _ => return Err(corrupt("row")),
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------- index keys

/// Key-encoding class of a value (values of different classes never share
/// an index range).
pub fn key_class(v: &Value) -> u8 {
    match v {
        Value::Null => 0x00,
        Value::Int(_) | Value::Double(_) | Value::Decimal(_) => 0x10,
        Value::Str(_) => 0x20,
        Value::Date(_) | Value::DateTime(_) => 0x30,
    }
}

/// Key class of the values a column of type `ty` holds (and its index keys).
pub fn type_key_class(ty: &SqlType) -> u8 {
    match ty {
        SqlType::Date | SqlType::DateTime => key_class(&Value::Date(0)),
        SqlType::Text(_) => key_class(&Value::Str(String::new())),
        _ => key_class(&Value::Int(0)),
    }
}

/// The value to look up in an index on a column of type `ty` for a
/// comparison of the column with the constant `v`: `v` converted the way
/// [`sql_cmp`](super::value::sql_cmp) converts it against the column's
/// values (a string against a number is its numeric value, against a DATE
/// or DATETIME the time it spells), so the index range holds every row the
/// comparison can accept. None when `v` is NULL or the comparison does not
/// follow the index order (a number or a date against a text column, a
/// number or a string that is no time against a date column): the table is
/// then read whole.
pub fn index_key_value(ty: &SqlType, v: &Value) -> Option<Value> {
    if v.is_null() {
        return None;
    }
    let k = match ty {
        SqlType::Text(_) => match v {
            Value::Str(_) => v.clone(),
            _ => return None,
        },
        SqlType::Date | SqlType::DateTime => match v {
            Value::Date(_) | Value::DateTime(_) => v.clone(),
            Value::Str(s) => Value::DateTime(Timestamp::parse(s)?),
            _ => return None,
        },
        _ => v.numeric(),
    };
    debug_assert_eq!(key_class(&k), type_key_class(ty));
    Some(k)
}

/// Appends the order-preserving encoding of a value. Numbers are encoded by
/// their double value, so equal keys may hold different numbers: readers
/// re-check the predicate on the row.
pub fn encode_key(v: &Value, out: &mut Vec<u8>) {
    out.push(key_class(v));
    match v {
        Value::Null => {}
        Value::Int(_) | Value::Double(_) | Value::Decimal(_) => {
            let f = v.to_f64().unwrap_or(0.0);
            let f = if f == 0.0 { 0.0 } else { f };
            let bits = f.to_bits();
            let ord = if bits >> 63 == 1 { !bits } else { bits | (1 << 63) };
            out.extend_from_slice(&ord.to_be_bytes());
        }
        Value::Str(s) => {
            // by collation key, so that index order and equality follow the
            // collation (readers re-check the predicate on the row)
            let s = super::value::collate_key(s);
            for &b in s.as_bytes() {
                if b == 0 {
                    out.extend_from_slice(&[0, 0xFF]);
                } else {
                    out.push(b);
                }
            }
            out.extend_from_slice(&[0, 0]);
        }
        Value::Date(_) | Value::DateTime(_) => {
            let t = match v {
                Value::Date(d) => super::value::date_to_ts(*d).0,
                Value::DateTime(t) => t.0,
                _ => 0,
            };
            out.extend_from_slice(&((t as u64) ^ (1 << 63)).to_be_bytes());
        }
    }
}

/// Key of an index entry.
pub fn index_entry_key(index_id: u64, vals: &[&Value], rowid: u64) -> Vec<u8> {
    let mut k = index_prefix(index_id);
    for v in vals {
        encode_key(v, &mut k);
    }
    k.extend_from_slice(&rowid.to_be_bytes());
    k
}

/// The row id at the end of an index entry key.
pub fn index_entry_rowid(key: &[u8]) -> u64 {
    let n = key.len();
    if n < 8 {
        return 0;
    }
    u64::from_be_bytes(key[n - 8..].try_into().unwrap())
}

/// The row id of a row key.
pub fn row_key_rowid(key: &[u8]) -> u64 {
    index_entry_rowid(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip_and_keys_order() {
        let row = vec![
            Value::Null,
            Value::Int(-5),
            Value::Double(2.5),
            Value::Decimal(Decimal::parse("-1.25").unwrap()),
            Value::Str("héllo".into()),
            Value::Date(18000),
            Value::DateTime(Timestamp(123)),
        ];
        let back = decode_row(&encode_row(&row)).unwrap();
        assert_eq!(back, row);
        let enc = |v: Value| {
            let mut k = Vec::new();
            encode_key(&v, &mut k);
            k
        };
        assert!(enc(Value::Int(-3)) < enc(Value::Int(2)));
        assert!(enc(Value::Double(-3.5)) < enc(Value::Int(-3)));
        assert!(enc(Value::Null) < enc(Value::Int(i64::MIN)));
        assert!(enc(Value::Str("ab".into())) < enc(Value::Str("abc".into())));
    }
}
