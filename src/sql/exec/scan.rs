//! Reading a leaf of a FROM clause: table scans through an access path
//! (full, index equality, index range), derived tables and virtual tables.

use std::ops::Bound;

use crate::db::Snapshot;
use crate::time::Timestamp;

use crate::sql::catalog::{self, encode_key, TableMeta};
use crate::sql::error::SqlResult;
use crate::sql::plan::*;
use crate::sql::value::Value;

use super::{Env, Exec};

/// What a table scan reads: a table at a snapshot through an access path,
/// keeping the rows `filters` (bound on the table's columns) pass, reading
/// only the string columns `read` marks (see [`Leaf::read`]); a full scan
/// gives up once it has read more than `budget` rows.
#[derive(Clone, Copy)]
pub(super) struct TableScan<'s> {
    pub meta: &'s TableMeta,
    pub snap: &'s Snapshot,
    pub access: &'s Access,
    pub filters: &'s [BExpr],
    pub budget: usize,
    pub read: Option<&'s [bool]>,
}

impl<'s> TableScan<'s> {
    /// The whole scan of a leaf of a FROM clause: its filters, the columns
    /// it reads, no budget.
    pub fn of_leaf(meta: &'s TableMeta, snap: &'s Snapshot, access: &'s Access, leaf: &'s Leaf) -> Self {
        TableScan { meta, snap, access, filters: &leaf.filters, budget: usize::MAX, read: leaf.read.as_deref() }
    }
}

impl<'a> Exec<'a> {
    pub(super) fn leaf_rows(&self, leaf: &Leaf, parent: Option<&Env>) -> SqlResult<Vec<Row>> {
        let rows = match &leaf.source {
            LeafSource::Table { meta, snap, access, row_id } => {
                let scan = TableScan::of_leaf(meta, snap, access, leaf);
                let rows = self.rows_within(&scan, parent)?;
                let rows = rows.unwrap_or_default().into_iter();
                return Ok(if *row_id {
                    rows.map(|(id, mut r)| {
                        r.push(Value::Int(id as i64));
                        r
                    })
                    .collect()
                } else {
                    rows.map(|(_, r)| r).collect()
                });
            }
            LeafSource::Versions { meta, from, to, inclusive_end } => {
                let prefix = catalog::row_prefix(meta.id);
                let end = catalog::prefix_end(&prefix).unwrap_or_default();
                // A period that ends before it starts (`BETWEEN a AND b`
                // with a > b) or an empty one (`FROM t TO t`) holds no row.
                if *from > *to || (!*inclusive_end && *from == *to) {
                    return Ok(Vec::new());
                }
                let versions = self.db.row_versions(Bound::Included(&prefix), Bound::Excluded(&end), *from, *to)?;
                let rows = catalog::RowReader::new(meta, None);
                let mut out = Vec::new();
                for v in versions {
                    if !inclusive_end && v.start >= *to {
                        continue;
                    }
                    let mut r = rows.decode(&v.value)?;
                    r.push(Value::DateTime(v.start));
                    r.push(match v.end {
                        Some(e) => Value::DateTime(e),
                        None => Value::DateTime(Timestamp::parse("2038-01-19 03:14:07.999999").unwrap_or_default()),
                    });
                    out.push(r);
                }
                out
            }
            LeafSource::Rows(rows, _) => rows.clone(),
            LeafSource::Query(p) => self.run(p, parent)?,
            LeafSource::Working(slot, _) => self.working(*slot),
            LeafSource::Join(f) => self.run_from(f, parent)?,
        };
        self.within_limit(rows.len(), leaf.width)?;
        if leaf.filters.is_empty() {
            return Ok(rows);
        }
        let mut kept = Vec::new();
        for r in rows {
            if self.all_true(&leaf.filters, &Env { row: &r, parent })? {
                kept.push(r);
            }
        }
        Ok(kept)
    }

    /// Reads a table's rows (with row ids) through an access path, keeping
    /// those that pass `filters` (bound on the table's columns).
    pub fn table_rows(
        &self,
        meta: &TableMeta,
        snap: &Snapshot,
        access: &Access,
        filters: &[BExpr],
        parent: Option<&Env>,
    ) -> SqlResult<Vec<(u64, Row)>> {
        let scan = TableScan { meta, snap, access, filters, budget: usize::MAX, read: None };
        Ok(self.rows_within(&scan, parent)?.unwrap_or_default())
    }

    /// [`Exec::table_rows`] of a [`TableScan`]: `None` when a full scan gave
    /// up after its budget of rows.
    pub(super) fn rows_within(&self, scan: &TableScan, parent: Option<&Env>) -> SqlResult<Option<Vec<(u64, Row)>>> {
        let mut out = Vec::new();
        let whole = self.each_row(scan, parent, &mut |id, r| {
            out.push((id, std::mem::take(r)));
            Ok(())
        })?;
        Ok(whole.then_some(out))
    }

    /// Gives `sink` each row of the table (with its row id) that the scan
    /// reaches and keeps; false when a full scan gave up after its budget.
    /// The rows of a full scan are decoded into one buffer: a sink that
    /// keeps a row takes it (`std::mem::take`).
    pub(super) fn each_row(
        &self,
        scan: &TableScan,
        parent: Option<&Env>,
        sink: &mut dyn FnMut(u64, &mut Row) -> SqlResult<()>,
    ) -> SqlResult<bool> {
        let TableScan { meta, snap, access, filters, budget, read } = *scan;
        let mut rows = catalog::RowReader::new(meta, read);
        let mut err = None;
        let mut accept = |rowid: u64, r: &mut Row| -> SqlResult<()> {
            if self.all_true(filters, &Env { row: r, parent })? {
                sink(rowid, r)?;
            }
            Ok(())
        };
        let ranges = self.index_ranges(meta, access, parent)?;
        match ranges {
            None => {
                let prefix = catalog::row_prefix(meta.id);
                let mut read = 0usize;
                let mut buf = Row::new();
                catalog::scan_prefix(self.db, snap, &prefix, &mut |k, v| {
                    read += 1;
                    if read > budget {
                        return false;
                    }
                    if let Err(e) =
                        rows.decode_into(v, &mut buf).and_then(|()| accept(catalog::row_key_rowid(k), &mut buf))
                    {
                        err = Some(e);
                        return false;
                    }
                    true
                })?;
                if let Some(e) = err {
                    return Err(e);
                }
                if read > budget {
                    return Ok(false);
                }
            }
            Some((_, ranges)) => {
                let mut rowids = Vec::new();
                for (lo, hi) in ranges {
                    let hi_b = match &hi {
                        Some(h) => Bound::Excluded(h.as_slice()),
                        None => Bound::Unbounded,
                    };
                    self.db.scan(snap, Bound::Included(lo.as_slice()), hi_b, &mut |k, _| {
                        rowids.push(catalog::index_entry_rowid(k));
                        true
                    })?;
                }
                rowids.sort_unstable();
                rowids.dedup();
                for rid in rowids {
                    if let Some(mut r) = rows.read(self.db, snap, rid)? {
                        accept(rid, &mut r)?;
                    }
                }
            }
        }
        Ok(true)
    }

    /// Key ranges `[lo, hi)` of an index access, or None for a full scan.
    #[allow(clippy::type_complexity)]
    pub(super) fn index_ranges(
        &self,
        meta: &TableMeta,
        access: &Access,
        parent: Option<&Env>,
    ) -> SqlResult<Option<(u64, Vec<(Vec<u8>, Option<Vec<u8>>)>)>> {
        let env = Env { row: &[], parent };
        let (ix, col) = match access {
            Access::Full => return Ok(None),
            Access::IndexEq { index, .. } | Access::IndexRange { index, .. } => {
                let ix = &meta.indexes[*index];
                (ix, ix.columns[0])
            }
        };
        let ty = &meta.columns[col].ty;
        let want_class = catalog::type_key_class(ty);
        let prefix = catalog::index_prefix(ix.id);
        let key_of = |v: &Value| -> Vec<u8> {
            let mut k = prefix.clone();
            encode_key(v, &mut k);
            k
        };
        match access {
            Access::IndexEq { values, .. } => {
                let mut ranges = Vec::new();
                for e in values {
                    let v = self.eval(e, &env)?;
                    if v.is_null() {
                        continue;
                    }
                    let Some(v) = catalog::index_key_value(&meta.columns[col], &v) else {
                        return Ok(None);
                    };
                    let k = key_of(&v);
                    let end = catalog::prefix_end(&k);
                    ranges.push((k, end));
                }
                Ok(Some((ix.id, ranges)))
            }
            Access::IndexRange { lo, hi, .. } => {
                let bound = |e: &Option<BExpr>| -> SqlResult<Result<Option<Value>, bool>> {
                    // Err(true): a NULL bound, no row; Err(false): no index key
                    let Some(e) = e else { return Ok(Ok(None)) };
                    let v = self.eval(e, &env)?;
                    if v.is_null() {
                        return Ok(Err(true));
                    }
                    Ok(catalog::index_key_value(&meta.columns[col], &v).map(Some).ok_or(false))
                };
                let (lo_v, hi_v) = match (bound(lo)?, bound(hi)?) {
                    (Err(true), _) | (_, Err(true)) => return Ok(Some((ix.id, Vec::new()))),
                    (Ok(lo_v), Ok(hi_v)) => (lo_v, hi_v),
                    _ => return Ok(None),
                };
                let start = match &lo_v {
                    Some(v) => key_of(v),
                    None => {
                        let mut k = prefix.clone();
                        k.push(want_class);
                        k
                    }
                };
                let end = match &hi_v {
                    Some(v) => catalog::prefix_end(&key_of(v)),
                    None => catalog::prefix_end(&{
                        let mut k = prefix.clone();
                        k.push(want_class);
                        k
                    }),
                };
                Ok(Some((ix.id, vec![(start, end)])))
            }
            Access::Full => Ok(None),
        }
    }
}
