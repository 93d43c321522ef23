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
//! In row and index keys, object ids and row ids are written by
//! [`put_key_uint`]: a length byte (1–8) and the big-endian bytes without
//! leading zeros, so that they are short and sort by their value.
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
use super::value::{Collation, Decimal, SqlType, Value};
use crate::store::page::{Reader, Writer};

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
    /// An ENUM's members, in their order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// `ON UPDATE CURRENT_TIMESTAMP`: a change to another column of the
    /// row sets it to the statement time.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub on_update_now: bool,
    /// A generated column: its expression's SQL text, computed from the
    /// row's other columns whenever the row is written (VIRTUAL and
    /// STORED alike are stored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<String>,
    /// `STORED` (else `VIRTUAL`), as it was declared.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stored: bool,
    /// `DEFAULT (expr)`: the expression's SQL text, evaluated for each
    /// row that takes the default (`UUID()`, `CURRENT_DATE`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_expr: Option<String>,
    /// A string column's collation, by name, when it is not the default
    /// (`COLLATE utf8mb4_bin` on the column or the table): comparisons,
    /// grouping, ordering and unique keys of its values follow it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
}

impl ColumnMeta {
    /// The collation its values compare by: None for the default one (and
    /// for columns that hold no strings).
    pub fn collation(&self) -> Option<Collation> {
        stored_collation(&self.collation)
    }

    /// The value its index entries key `v` by: `v`, but a string without
    /// its trailing spaces under a collation that ignores them
    /// (`utf8mb4_bin`), so that its equal values share a key.
    pub fn key_value<'v>(&self, v: &'v Value) -> std::borrow::Cow<'v, Value> {
        match v {
            Value::Str(s) if s.ends_with(' ') && self.collation() == Some(Collation::Bin) => {
                std::borrow::Cow::Owned(Value::Str(s.trim_end_matches(' ').to_string()))
            }
            _ => std::borrow::Cow::Borrowed(v),
        }
    }

    /// Whether two of its values are equal, under its collation: the same
    /// key of a unique index, or a foreign key's match.
    pub fn equal(&self, a: &Value, b: &Value) -> bool {
        super::value::sql_cmp_in(self.collation().unwrap_or_default(), a, b) == Some(std::cmp::Ordering::Equal)
    }

    /// The type as `DESCRIBE` and `SHOW CREATE TABLE` print it
    /// (`enum('s','m')`, `set('a','b')` with the members).
    pub fn type_name(&self) -> String {
        match self.ty {
            SqlType::Enum | SqlType::Set => members_type_name(&self.ty.name(), &self.members),
            ty => ty.name(),
        }
    }

    /// `v` as the column stores it: converted as `CAST` converts
    /// ([`cast`](super::value::cast); `strict`: bad data is an error).
    /// An ENUM holds the member a value names, by its text (under the
    /// collation, trailing spaces ignored) or its position (1 is the
    /// first); a SET the members a comma-separated list names, or a
    /// number's bits name (bit 0 the first), in their declared order. In
    /// either, another value is `WARN_DATA_TRUNCATED`, or when not
    /// `strict` the empty string (an ENUM: MySQL's error value) or the
    /// members named (a SET).
    pub fn convert(&self, v: &Value, strict: bool) -> SqlResult<Value> {
        if !matches!(self.ty, SqlType::Enum | SqlType::Set) || v.is_null() {
            return super::value::cast(v, self.ty, strict);
        }
        let named = |text: &str| {
            let text = text.trim_end_matches(' ');
            self.members.iter().position(|m| super::value::collate_cmp(m, text) == std::cmp::Ordering::Equal)
        };
        let truncated = || SqlError::new(Code::WarnDataTruncated, "Data truncated");
        if self.ty == SqlType::Enum {
            let member = match v {
                Value::Int(n) => usize::try_from(*n).ok().and_then(|n| n.checked_sub(1)),
                v => named(&v.to_text().unwrap_or_default()),
            };
            return match member.and_then(|i| self.members.get(i)) {
                Some(m) => Ok(Value::Str(m.clone())),
                None if strict => Err(truncated()),
                None => Ok(Value::Str(String::new())),
            };
        }
        // a SET: the bits of the members named
        let mut bits = 0u64;
        let mut bad = false;
        match v {
            Value::Int(n) => {
                let all = if self.members.len() >= 64 { u64::MAX } else { (1u64 << self.members.len()) - 1 };
                bits = *n as u64 & all;
                bad = *n < 0 || *n as u64 & !all != 0;
            }
            v => {
                let text = v.to_text().unwrap_or_default();
                for part in text.split(',').filter(|p| !p.is_empty()) {
                    match named(part) {
                        Some(i) => bits |= 1 << i,
                        None => bad = true,
                    }
                }
            }
        }
        if bad && strict {
            return Err(truncated());
        }
        let parts: Vec<&str> =
            self.members.iter().enumerate().filter(|(i, _)| bits >> i & 1 == 1).map(|(_, m)| m.as_str()).collect();
        Ok(Value::Str(parts.join(",")))
    }

    /// The value a NOT NULL column takes when it must have one and none
    /// is given (MySQL's implicit default): an ENUM's first member, else
    /// the type's zero (a SET's: the empty set).
    pub fn implicit_default(&self) -> Value {
        match (self.ty, self.members.first()) {
            (SqlType::Enum, Some(m)) => Value::Str(m.clone()),
            (ty, _) => ty.implicit_default(),
        }
    }

    /// The decoded default value.
    pub fn default_value(&self) -> Value {
        match &self.default {
            Some(b) => decode_row(b).ok().and_then(|r| r.into_iter().next()).unwrap_or(Value::Null),
            None => Value::Null,
        }
    }
}

/// `enum('a','b')`, `set('a','b')`: the type text of an ENUM or a SET,
/// each member a quoted string.
pub fn members_type_name(kind: &str, members: &[String]) -> String {
    let quoted: Vec<String> = members.iter().map(|m| super::quote::string(m)).collect();
    format!("{kind}({})", quoted.join(","))
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
    /// The table's collation (`[DEFAULT] COLLATE = name`), by name, when it
    /// is not the default: the collation of a string column that is
    /// created, added or modified without one of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
}

/// A collation as a column or a table keeps it: its name, None for the
/// default one.
pub fn collation_name(c: Option<Collation>) -> Option<String> {
    c.filter(|c| *c != Collation::Default).map(|c| c.name().to_string())
}

/// The collation a kept name ([`collation_name`]) stands for: None for the
/// default one.
fn stored_collation(name: &Option<String>) -> Option<Collation> {
    name.as_deref().and_then(Collation::from_name).filter(|c| *c != Collation::Default)
}

impl TableMeta {
    /// The table's collation ([`TableMeta::collation`]'s field): None for
    /// the default one.
    pub fn collation(&self) -> Option<Collation> {
        stored_collation(&self.collation)
    }

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

/// A table's counters as stored at [`seq_key`]: the next row id and the
/// next AUTO_INCREMENT value; `None` for anything else.
pub fn decode_seq(b: &[u8]) -> Option<(u64, i64)> {
    let b: &[u8; 16] = b.try_into().ok()?;
    Some((u64::from_be_bytes(b[..8].try_into().unwrap()), i64::from_be_bytes(b[8..].try_into().unwrap())))
}

/// Appends the order-preserving encoding of an unsigned integer in a key:
/// its byte count (1–8), then its big-endian bytes without leading zeros.
/// A longer encoding is a larger number, so keys sort by value.
pub fn put_key_uint(v: u64, out: &mut Vec<u8>) {
    let n = (8 - v.leading_zeros() as usize / 8).max(1);
    out.push(n as u8);
    out.extend_from_slice(&v.to_be_bytes()[8 - n..]);
}

/// Reads a [`put_key_uint`] integer at the start of `b`: the value and the
/// bytes it took.
fn key_uint(b: &[u8]) -> Option<(u64, usize)> {
    let n = *b.first()? as usize;
    if !(1..=8).contains(&n) {
        return None;
    }
    let bytes = b.get(1..1 + n)?;
    Some((bytes.iter().fold(0u64, |v, &x| (v << 8) | u64::from(x)), 1 + n))
}

/// Prefix of a table's rows.
pub fn row_prefix(table_id: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(12);
    k.push(1);
    put_key_uint(table_id, &mut k);
    k
}

/// Key of one row.
pub fn row_key(table_id: u64, rowid: u64) -> Vec<u8> {
    let mut k = row_prefix(table_id);
    put_key_uint(rowid, &mut k);
    k
}

/// Prefix of an index's entries.
pub fn index_prefix(index_id: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(24);
    k.push(2);
    put_key_uint(index_id, &mut k);
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

/// The row ids of an index's entries whose key starts with `prefix` (an
/// index prefix and leading key values).
pub fn index_rowids(db: &Database, snap: &Snapshot, prefix: &[u8]) -> SqlResult<Vec<u64>> {
    let mut ids = Vec::new();
    index_rowids_into(db, snap, prefix, &mut ids)?;
    Ok(ids)
}

/// [`index_rowids`] into `ids` (cleared first), for a caller that looks up
/// many keys with one buffer.
pub fn index_rowids_into(db: &Database, snap: &Snapshot, prefix: &[u8], ids: &mut Vec<u64>) -> SqlResult<()> {
    ids.clear();
    scan_prefix(db, snap, prefix, &mut |k, _| {
        ids.push(index_entry_rowid(k));
        true
    })
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

// A row is its values one after another, each a tag byte and its bytes:
//
//   tag         value
//   00          NULL
//   01+n        INT: n bytes (0–8), little-endian two's complement, sign-extended
//   0A          DOUBLE: 8 bytes little-endian
//   0B          DECIMAL: scale byte, byte count n (0–16), n bytes of the mantissa as for INT
//   0C+n        DATE: days, n bytes as for INT
//   15+n        DATETIME: microseconds, n bytes as for INT
//   1E          string: varint length, UTF-8 bytes
//   20+len      string of len < 224 bytes: UTF-8 bytes
//
// so that small numbers and short strings cost one byte more than their
// significant bytes.
const TAG_INT: u8 = 0x01;
const TAG_DOUBLE: u8 = 0x0A;
const TAG_DECIMAL: u8 = 0x0B;
const TAG_DATE: u8 = 0x0C;
const TAG_DATETIME: u8 = 0x15;
const TAG_LONG_STR: u8 = 0x1E;
/// A TIME: the tag, a byte giving the length, then that many bytes of the
/// microseconds (little-endian, sign-extended).
const TAG_TIME: u8 = 0x1F;
const TAG_SHORT_STR: u8 = 0x20;

/// Bytes of the shortest two's complement form of `v` (0 for zero), at
/// most `max`.
fn int_width(v: i128, max: usize) -> usize {
    if v == 0 {
        return 0;
    }
    (1..max).find(|&n| v >> (8 * n - 1) == 0 || v >> (8 * n - 1) == -1).unwrap_or(max)
}

fn put_int(out: &mut Vec<u8>, base: u8, v: i64) {
    let n = int_width(v as i128, 8);
    out.push(base + n as u8);
    out.extend_from_slice(&v.to_le_bytes()[..n]);
}

fn read_int(b: &[u8]) -> i128 {
    // a byte at a time: most hold one to three, and a copy into a buffer
    // costs a call and a stalled load per value
    debug_assert!(b.len() <= 16, "callers check the width");
    let v = b.iter().rev().fold(0u128, |v, &x| (v << 8) | u128::from(x));
    match 128 - 8 * b.len() as u32 {
        128 => 0,
        shift => ((v << shift) as i128) >> shift,
    }
}

/// Encodes a row of values.
pub fn encode_row(vals: &[Value]) -> Vec<u8> {
    let mut out = Vec::with_capacity(vals.len() * 4);
    for v in vals {
        match v {
            Value::Null => out.push(0),
            Value::Int(i) => put_int(&mut out, TAG_INT, *i),
            Value::Double(f) => {
                out.push(TAG_DOUBLE);
                out.extend_from_slice(&f.to_le_bytes());
            }
            Value::Decimal(d) => {
                out.push(TAG_DECIMAL);
                out.push(d.s as u8);
                let n = int_width(d.m, 16);
                out.push(n as u8);
                out.extend_from_slice(&d.m.to_le_bytes()[..n]);
            }
            Value::Str(s) => {
                if s.len() < usize::from(u8::MAX - TAG_SHORT_STR) + 1 {
                    out.push(TAG_SHORT_STR + s.len() as u8);
                } else {
                    out.push(TAG_LONG_STR);
                    out.put_varint(s.len() as u64);
                }
                out.extend_from_slice(s.as_bytes());
            }
            Value::Date(d) => put_int(&mut out, TAG_DATE, *d),
            Value::DateTime(t) => put_int(&mut out, TAG_DATETIME, t.0),
            Value::Time(t) => {
                out.push(TAG_TIME);
                let n = int_width(*t as i128, 8);
                out.push(n as u8);
                out.extend_from_slice(&t.to_le_bytes()[..n]);
            }
        }
    }
    out
}

/// Decodes a row.
pub fn decode_row(b: &[u8]) -> SqlResult<Vec<Value>> {
    decode_columns(b, None, 4)
}

/// Decodes a row of a table of `width` columns (room for that many is made
/// at once), reading only the strings of the columns `read` marks (the
/// others are NULL: what a query that never looks at them may skip; None
/// reads every column).
pub fn decode_columns(b: &[u8], read: Option<&[bool]>, width: usize) -> SqlResult<Vec<Value>> {
    let mut out = Vec::with_capacity(width);
    decode_columns_into(b, read, &mut out)?;
    Ok(out)
}

/// [`decode_columns`] into `out` (cleared first, its room kept): a scan
/// decodes each row into one buffer. With `read`, decoding stops after
/// the last column it marks (the rest are left out; a caller pads them).
pub fn decode_columns_into(b: &[u8], read: Option<&[bool]>, out: &mut Vec<Value>) -> SqlResult<()> {
    out.clear();
    let stop = read.map_or(usize::MAX, |m| m.iter().rposition(|&x| x).map_or(0, |i| i + 1));
    let mut r = Reader::new(b);
    let bad = |_| corrupt("row");
    // an integer of at most 8 bytes (what every tag but DECIMAL's holds)
    let int = |r: &mut Reader, n: u8| -> SqlResult<i64> {
        let bytes = r.take(usize::from(n)).filter(|b| b.len() <= 8).ok_or_else(|| corrupt("row"))?;
        Ok(read_int(bytes) as i64)
    };
    while r.remaining() > 0 && out.len() < stop {
        let tag = r.take(1).ok_or_else(|| corrupt("row"))?[0];
        out.push(match tag {
            0 => Value::Null,
            TAG_INT..TAG_DOUBLE => Value::Int(int(&mut r, tag - TAG_INT)?),
            TAG_DOUBLE => Value::Double(f64::from_le_bytes(r.bytes(8).map_err(bad)?.try_into().unwrap())),
            TAG_DECIMAL => {
                let s = u32::from(r.u8().map_err(bad)?);
                let n = r.u8().map_err(bad)?;
                if n > 16 {
                    return Err(corrupt("row"));
                }
                Value::Decimal(Decimal { m: read_int(r.bytes(usize::from(n)).map_err(bad)?), s })
            }
            TAG_DATE..TAG_DATETIME => Value::Date(int(&mut r, tag - TAG_DATE)?),
            TAG_DATETIME..TAG_LONG_STR => Value::DateTime(Timestamp(int(&mut r, tag - TAG_DATETIME)?)),
            TAG_TIME => {
                let n = r.u8().map_err(bad)?;
                if n > 8 {
                    return Err(corrupt("row"));
                }
                Value::Time(int(&mut r, n)?)
            }
            TAG_LONG_STR | TAG_SHORT_STR.. => {
                let n = if tag == TAG_LONG_STR { r.varlen().map_err(bad)? } else { usize::from(tag - TAG_SHORT_STR) };
                let s = r.bytes(n).map_err(bad)?;
                if read.is_some_and(|m| !m.get(out.len()).copied().unwrap_or(true)) {
                    Value::Null
                } else {
                    Value::Str(String::from_utf8(s.to_vec()).map_err(|_| corrupt("string"))?)
                }
            }
        });
    }
    Ok(())
}

/// Values a row read from a table has room for beyond its columns: a query
/// often extends the rows it reads (a row id, its window functions'
/// values), which would otherwise move each row once more.
pub const ROW_ROOM: usize = 2;

/// Reads the rows of one table by row id, in place (no copy of the stored
/// bytes), as rows of the table's width: a row written before an `ADD
/// COLUMN` is shorter on disk and gets NULLs. `read` marks the columns
/// whose strings are decoded ([`decode_columns`]). The one way a row is
/// read by its id (index scans, index nested-loop joins, the unique check,
/// the foreign-key checks and actions) or decoded from a version (history
/// scans, the history dump).
pub struct RowReader<'r> {
    key: Vec<u8>,
    at: usize,
    width: usize,
    read: Option<&'r [bool]>,
}

impl<'r> RowReader<'r> {
    pub fn new(table: &TableMeta, read: Option<&'r [bool]>) -> RowReader<'r> {
        let key = row_prefix(table.id);
        RowReader { at: key.len(), key, width: table.columns.len(), read }
    }

    /// The row `rowid` in `snap`, or None when there is none.
    pub fn read(&mut self, db: &Database, snap: &Snapshot, rowid: u64) -> SqlResult<Option<Vec<Value>>> {
        self.key.truncate(self.at);
        put_key_uint(rowid, &mut self.key);
        db.read(snap, &self.key, |b| self.decode(b))?.transpose()
    }

    /// A stored row of the table, decoded.
    pub fn decode(&self, bytes: &[u8]) -> SqlResult<Vec<Value>> {
        let mut r = Vec::with_capacity(self.width + ROW_ROOM);
        self.decode_into(bytes, &mut r)?;
        Ok(r)
    }

    /// [`RowReader::decode`] into `row` (its room kept).
    pub fn decode_into(&self, bytes: &[u8], row: &mut Vec<Value>) -> SqlResult<()> {
        if row.capacity() == 0 {
            row.reserve_exact(self.width + ROW_ROOM);
        }
        decode_columns_into(bytes, self.read, row)?;
        row.resize(self.width, Value::Null);
        Ok(())
    }
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
        Value::Time(_) => 0x40,
    }
}

/// Key class of the values a column of type `ty` holds (and its index keys).
pub fn type_key_class(ty: &SqlType) -> u8 {
    match ty {
        SqlType::Date | SqlType::DateTime => key_class(&Value::Date(0)),
        SqlType::Time => key_class(&Value::Time(0)),
        ty if ty.is_text() => key_class(&Value::Str(String::new())),
        _ => key_class(&Value::Int(0)),
    }
}

/// The value to look up in an index on the column `col` for a comparison
/// of the column with the constant `v`: `v` converted the way
/// [`sql_cmp`](super::value::sql_cmp) converts it against the column's
/// values (a string against a number is its numeric value, against a DATE
/// or DATETIME the time it spells), so the index range holds every row the
/// comparison can accept. None when `v` is NULL or the comparison does not
/// follow the index order (a number or a date against a text column, a
/// number or a string that is no time against a date column): the table is
/// then read whole. A string is then keyed as the column's index entries
/// key its values ([`ColumnMeta::key_value`]).
pub fn index_key_value(col: &ColumnMeta, v: &Value) -> Option<Value> {
    if v.is_null() {
        return None;
    }
    let ty = &col.ty;
    let k = match ty {
        ty if ty.is_text() => match v {
            Value::Str(_) => v.clone(),
            _ => return None,
        },
        SqlType::Date | SqlType::DateTime => match v {
            Value::Date(_) | Value::DateTime(_) => v.clone(),
            Value::Str(s) => Value::DateTime(Timestamp::parse(s)?),
            _ => return None,
        },
        // a string against a TIME is the time it spells; a number compares
        // as `HHMMSS`, which is not the index order of every number
        SqlType::Time => match v {
            Value::Time(_) => v.clone(),
            Value::Str(_) => Value::Time(crate::sql::dates::to_time(v)?),
            _ => return None,
        },
        _ => v.numeric(),
    };
    debug_assert_eq!(key_class(&k), type_key_class(ty));
    Some(match col.key_value(&k) {
        std::borrow::Cow::Owned(trimmed) => trimmed,
        std::borrow::Cow::Borrowed(_) => k,
    })
}

/// Whether the index entries of key [`encode_key`]`(v)` on a column of type
/// `ty` are exactly the rows whose column equals `v`, so that no reader
/// needs to re-check the row: an integer below 2^53 in magnitude (numbers
/// are keyed by their `f64`, exact up to there) against a column that holds
/// only integers. Strings are keyed by their collation key, and other
/// numbers may share a key with an unequal value.
pub fn key_is_exact(ty: SqlType, v: &Value) -> bool {
    const EXACT: u64 = 1 << 53;
    matches!(v, Value::Int(i) if i.unsigned_abs() < EXACT)
        && matches!(ty, SqlType::Int | SqlType::UInt | SqlType::Integer { .. } | SqlType::Bool | SqlType::Year)
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
        Value::Time(t) => out.extend_from_slice(&((*t as u64) ^ (1 << 63)).to_be_bytes()),
    }
}

/// Key of an index entry.
pub fn index_entry_key(index_id: u64, vals: &[&Value], rowid: u64) -> Vec<u8> {
    let mut k = index_prefix(index_id);
    for v in vals {
        encode_key(v, &mut k);
    }
    put_key_uint(rowid, &mut k);
    k
}

/// The row id at the end of an index entry key (0 for a malformed key).
///
/// The key is read from its start: the prefix, then each encoded value
/// (a class byte, 0x00–0x40, and its bytes) up to the row id, whose length
/// byte (1–8) is no class byte.
pub fn index_entry_rowid(key: &[u8]) -> u64 {
    let Some((_, mut at)) = key.get(1..).and_then(key_uint) else { return 0 };
    at += 1;
    loop {
        let Some(&class) = key.get(at) else { return 0 };
        at += match class {
            0x00 => 1,
            0x10 | 0x30 | 0x40 => 9,
            0x20 => {
                // escaped string: 00 FF is a zero byte, 00 00 ends it
                let mut i = at + 1;
                loop {
                    match (key.get(i), key.get(i + 1)) {
                        (Some(0), Some(0)) => break i + 2 - at,
                        (Some(0), Some(_)) => i += 2,
                        (Some(_), _) => i += 1,
                        (None, _) => return 0,
                    }
                }
            }
            _ => return key_uint(&key[at..]).map_or(0, |(v, _)| v),
        };
    }
}

/// The row id of a row key.
pub fn row_key_rowid(key: &[u8]) -> u64 {
    let Some((_, n)) = key.get(1..).and_then(key_uint) else { return 0 };
    key.get(1 + n..).and_then(key_uint).map_or(0, |(v, _)| v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::value::cast;

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
            Value::Time(-3_020_399_000_000),
            Value::Time(0),
            Value::Time(45_296_500_000),
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
        assert!(enc(Value::Time(-1)) < enc(Value::Time(0)));
        let key = index_entry_key(7, &[&Value::Time(-5), &Value::Int(1)], 42);
        assert_eq!(index_entry_rowid(&key), 42);
    }

    #[test]
    fn rows_encode_compactly_at_every_width() {
        let long = "x".repeat(224);
        let mut vals = vec![
            Value::Str(String::new()),
            Value::Str("a".repeat(223)),
            Value::Str(long.clone()),
            Value::Str("z".repeat(70_000)),
            Value::Decimal(Decimal { m: i128::MAX, s: 30 }),
            Value::Decimal(Decimal { m: i128::MIN, s: 0 }),
            Value::Decimal(Decimal { m: -1, s: 2 }),
            Value::Double(-0.0),
            Value::Date(-719_528),
            Value::DateTime(Timestamp(i64::MIN)),
        ];
        for shift in 0..64 {
            let p = 1i64 << shift;
            for v in [p, p.wrapping_sub(1), p.wrapping_neg(), p.wrapping_neg().wrapping_add(1)] {
                vals.push(Value::Int(v));
            }
        }
        vals.push(Value::Int(i64::MAX));
        let enc = encode_row(&vals);
        assert_eq!(decode_row(&enc).unwrap(), vals);
        // one tag byte plus the significant bytes
        assert_eq!(encode_row(&[Value::Int(0)]).len(), 1);
        assert_eq!(encode_row(&[Value::Int(-128)]).len(), 2);
        assert_eq!(encode_row(&[Value::Int(128)]).len(), 3);
        assert_eq!(encode_row(&[Value::Int(99_999)]).len(), 4);
        assert_eq!(encode_row(&[Value::Str("name 99999".into())]).len(), 11);
        assert_eq!(encode_row(&[Value::Str(long)]).len(), 227);
        // truncated or unknown input is an error, never a panic
        for cut in 0..enc.len().min(400) {
            let _ = decode_row(&enc[..cut]);
        }
        assert!(decode_row(&[0x0B, 0, 17]).is_err());
        assert!(decode_row(&[0x1F]).is_err());
        assert!(decode_row(&[0x05, 1]).is_err());
    }

    #[test]
    fn row_ids_in_keys_are_short_ordered_and_read_back() {
        let ids = [0u64, 1, 255, 256, 65_535, 65_536, 1 << 40, u64::MAX];
        for w in ids.windows(2) {
            assert!(row_key(7, w[0]) < row_key(7, w[1]));
            assert!(row_key(7, w[1]) < row_key(8, 0));
        }
        assert_eq!(row_key(300, 99_999).len(), 1 + 3 + 4);
        for &id in &ids {
            assert_eq!(row_key_rowid(&row_key(300, id)), id);
            for t in [0u64, 5, u64::MAX] {
                assert!(row_key(t, id).starts_with(&row_prefix(t)));
            }
            let vals = [
                Value::Null,
                Value::Str("a\0b\0".into()),
                Value::Int(-3),
                Value::Str(String::new()),
                Value::DateTime(Timestamp(5)),
            ];
            let refs: Vec<&Value> = vals.iter().collect();
            for n in 0..=refs.len() {
                assert_eq!(index_entry_rowid(&index_entry_key(12, &refs[..n], id)), id);
            }
        }
        assert_eq!(index_entry_rowid(&[2, 1, 5, 0x20, 0]), 0);
        assert_eq!(row_key_rowid(&[1, 9]), 0);
    }

    #[test]
    fn columns_of_earlier_builds_keep_their_types_and_ranges() {
        // integer columns as earlier builds stored them: shown as before,
        // holding any 64-bit value
        let old: ColumnMeta = serde_json::from_str(
            r#"{"name":"a","ty":"Int","not_null":false,"default":null,"default_now":false,"auto_increment":false}"#,
        )
        .unwrap();
        assert_eq!(old.ty.name(), "int");
        assert_eq!(cast(&Value::Int(1 << 40), old.ty, true).unwrap(), Value::Int(1 << 40));
        let old: ColumnMeta = serde_json::from_str(
            r#"{"name":"b","ty":"UInt","not_null":false,"default":null,"default_now":false,"auto_increment":false}"#,
        )
        .unwrap();
        assert_eq!(old.ty.name(), "int unsigned");
        let old: ColumnMeta = serde_json::from_str(
            r#"{"name":"c","ty":{"Text":3},"not_null":false,"default":null,"default_now":false,"auto_increment":false}"#,
        )
        .unwrap();
        assert_eq!(old.ty.name(), "varchar(3)");
        // the declared types round-trip
        let ty = SqlType::Integer { width: crate::sql::value::IntWidth::Small, unsigned: true };
        let back: SqlType = serde_json::from_str(&serde_json::to_string(&ty).unwrap()).unwrap();
        assert_eq!(back, ty);
        assert_eq!(back.name(), "smallint unsigned");
        assert!(cast(&Value::Int(65536), back, true).is_err());
        assert_eq!(cast(&Value::Int(65536), back, false).unwrap(), Value::Int(65535));
        assert_eq!(cast(&Value::Int(-3), back, false).unwrap(), Value::Int(0));
    }
}
