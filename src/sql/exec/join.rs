//! Joining the leaves of a FROM clause: hash joins on equi-keys,
//! nested loops otherwise, and index probes into a joined table.

use std::cmp::Ordering;

use crate::db::Snapshot;
use crate::sql::ast::JoinKind;
use crate::sql::catalog;
use crate::sql::catalog::TableMeta;
use crate::sql::error::SqlResult;
use crate::sql::plan::*;
use crate::sql::value::{sql_cmp_in, Collation, KeyPart, Value};

use super::scan::TableScan;
use super::{Env, Exec, KeyMap, KeySet};

impl<'a> Exec<'a> {
    /// Produces the rows of a FROM clause.
    pub fn run_from(&self, f: &FromPlan, parent: Option<&Env>) -> SqlResult<Vec<Row>> {
        let mut rows: Vec<Row> = vec![Vec::new()];
        for (i, leaf) in f.leaves.iter().enumerate() {
            if i == 0 {
                rows = self.leaf_rows(leaf, parent)?;
                continue;
            }
            let st = &f.steps[i - 1];
            // the accumulated rows' width comes from the plan: they may be none
            let lwidth = f.leaves[..i].iter().map(|l| l.width).sum();
            rows = match self.probe_rows(&rows, leaf, st, parent)? {
                Probe::Lookups(keys) => self.lookup_join(&rows, keys, leaf, st, lwidth, parent)?,
                Probe::Rows(right) => self.join(rows, right, st, lwidth, leaf.width, parent)?,
                Probe::No => {
                    let right = self.leaf_rows(leaf, parent)?;
                    self.join(rows, right, st, lwidth, leaf.width, parent)?
                }
            };
            if !st.post.is_empty() {
                let mut kept = Vec::with_capacity(rows.len());
                for r in rows {
                    if self.all_true(&st.post, &Env { row: &r, parent })? {
                        kept.push(r);
                    }
                }
                rows = kept;
            }
        }
        if let Some(perm) = &f.perm {
            for r in rows.iter_mut() {
                let joined = std::mem::take(r);
                *r = perm.iter().map(|&i| joined[i].clone()).collect();
            }
        }
        if !f.post.is_empty() {
            let mut kept = Vec::with_capacity(rows.len());
            for r in rows {
                if self.all_true(&f.post, &Env { row: &r, parent })? {
                    kept.push(r);
                }
            }
            rows = kept;
        }
        Ok(rows)
    }

    pub(super) fn join(
        &self,
        left: Vec<Row>,
        right: Vec<Row>,
        st: &Step,
        lwidth: usize,
        rwidth: usize,
        parent: Option<&Env>,
    ) -> SqlResult<Vec<Row>> {
        let mut out = Vec::new();
        let combine = |l: &Row, r: &Row| -> Row {
            let mut c = Vec::with_capacity(l.len() + r.len());
            c.extend_from_slice(l);
            c.extend_from_slice(r);
            c
        };
        let mut right_matched = vec![false; if st.kind == JoinKind::Right { right.len() } else { 0 }];
        let null_right: Row = vec![Value::Null; rwidth];
        let nkeys = st.keys.len();
        // The equi-join key values of each row, `nkeys` per row in one
        // array, and whether a row has a NULL key (it matches nothing).
        let key_values = |rows: &[Row], left_side: bool| -> SqlResult<(Vec<Value>, Vec<bool>)> {
            let mut vals = Vec::with_capacity(rows.len().saturating_mul(nkeys));
            let mut null = Vec::with_capacity(rows.len());
            for r in rows {
                let env = Env { row: r, parent };
                let mut any_null = false;
                for (le, re, _) in &st.keys {
                    // after a NULL the row matches nothing: its other keys
                    // are not evaluated
                    let v = if any_null { Value::Null } else { self.eval(if left_side { le } else { re }, &env)? };
                    any_null |= v.is_null();
                    vals.push(v);
                }
                null.push(any_null);
            }
            Ok((vals, null))
        };
        let (lkeys, lnull) = key_values(&left, true)?;
        let (rkeys, rnull) = key_values(&right, false)?;
        let lkey = |i: usize| &lkeys[i * nkeys..(i + 1) * nkeys];
        let rkey = |i: usize| &rkeys[i * nkeys..(i + 1) * nkeys];
        // Hashing finds what `=` matches only when each key's values are of
        // one key class on both sides (a string equals a number or a date
        // by converting it); otherwise every pair is compared.
        let hashed = (0..nkeys).all(|j| {
            let mut first = None;
            for (keys, null) in [(&lkeys, &lnull), (&rkeys, &rnull)] {
                for i in (0..null.len()).filter(|&i| !null[i]) {
                    let c = catalog::key_class(&keys[i * nkeys + j]);
                    if *first.get_or_insert(c) != c {
                        return false;
                    }
                }
            }
            true
        });
        // The right rows by hashed key (none when not hashed: one bucket),
        // chained through `next` in row order.
        // (each key's strings under its collation)
        let part = |keys: &[Value]| -> Vec<KeyPart> {
            keys.iter().zip(st.keys.iter().map(|k| k.2).cycle()).map(|(v, c)| v.key_in(c)).collect()
        };
        let rparts: Vec<KeyPart> = if hashed { part(&rkeys) } else { Vec::new() };
        let rpart = |i: usize| if hashed { &rparts[i * nkeys..(i + 1) * nkeys] } else { &[][..] };
        const END: usize = usize::MAX;
        let mut next = vec![END; right.len()];
        let mut table: KeyMap<&[KeyPart], (usize, usize)> = KeyMap::default();
        for (ri, _) in rnull.iter().enumerate().filter(|(_, null)| !**null) {
            match table.entry(rpart(ri)) {
                std::collections::hash_map::Entry::Occupied(mut e) => {
                    let (_, last) = e.get_mut();
                    next[*last] = ri;
                    *last = ri;
                }
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert((ri, ri));
                }
            }
        }
        let mut probe: Vec<KeyPart> = Vec::with_capacity(nkeys);
        for (li, l) in left.iter().enumerate() {
            let mut matched = false;
            if !lnull[li] {
                let lk = lkey(li);
                probe.clear();
                if hashed {
                    probe.extend(lk.iter().zip(&st.keys).map(|(v, k)| v.key_in(k.2)));
                }
                let mut at = table.get(&probe[..]).map_or(END, |&(first, _)| first);
                while at != END {
                    let ri = at;
                    at = next[ri];
                    if !hashed && !lk.iter().zip(rkey(ri)).zip(&st.keys).all(|((a, b), k)| key_eq(a, b, k.2)) {
                        continue;
                    }
                    let c = combine(l, &right[ri]);
                    if self.all_true(&st.cond, &Env { row: &c, parent })? {
                        matched = true;
                        if st.kind == JoinKind::Right {
                            right_matched[ri] = true;
                        }
                        out.push(c);
                        self.growing(out.len(), lwidth + rwidth)?;
                    }
                }
            }
            if !matched && st.kind == JoinKind::Left {
                out.push(combine(l, &null_right));
                self.growing(out.len(), lwidth + rwidth)?;
            }
        }
        if st.kind == JoinKind::Right {
            for (ri, m) in right_matched.iter().enumerate() {
                if !m {
                    let mut c = vec![Value::Null; lwidth];
                    c.extend_from_slice(&right[ri]);
                    out.push(c);
                    self.growing(out.len(), lwidth + rwidth)?;
                }
            }
        }
        Ok(out)
    }

    /// How a joined table's rows are found (see [`Step::probe`]): the
    /// table is read whole if that is cheap (it has no more rows than a few
    /// per distinct key value: a lookup costs a few row reads), otherwise
    /// the accumulated rows look up their key values in the index.
    ///
    /// A lookup (index range plus row fetch) costs about as much as reading
    /// 8 rows in a scan. Reading at most 4 rows per distinct key before
    /// switching to lookups keeps either choice within about 1.6x of the
    /// better one without knowing the table's size. A table whose next row
    /// id says it has held more than twice that many rows goes to lookups at
    /// once (the rows it may have lost since cost at most the lookups a
    /// nested loop makes): each accumulated row then looks up its own key
    /// ([`Exec::lookup_join`]), as a nested loop over the index does; the
    /// others look up each distinct key once and hash-join what they found.
    pub(super) fn probe_rows<'l>(
        &self,
        left: &[Row],
        leaf: &'l Leaf,
        st: &Step,
        parent: Option<&Env>,
    ) -> SqlResult<Probe<'l>> {
        let (Some((key, index)), LeafSource::Table { meta, snap, row_id, .. }) = (st.probe, &leaf.source) else {
            return Ok(Probe::No);
        };
        const ROWS_PER_LOOKUP: usize = 4;
        let budget_of = |keys: usize| keys.saturating_mul(ROWS_PER_LOOKUP).max(64);
        let held = self.db.get(snap, &catalog::seq_key(meta.id))?.and_then(|b| catalog::decode_seq(&b)).map(|s| s.0);
        let many = |budget: usize| held.is_some_and(|next| next > (budget as u64).saturating_mul(2));
        let col = &meta.columns[meta.indexes[index].columns[0]];
        // each accumulated row's index key (None: a NULL key, no match)
        let mut keys = Vec::with_capacity(left.len());
        for l in left {
            let v = self.eval(&st.keys[key].0, &Env { row: l, parent })?;
            if v.is_null() {
                keys.push(None);
                continue;
            }
            // a key value that is not in the index's order: read the table
            let Some(v) = catalog::index_key_value(col, &v) else {
                return Ok(Probe::No);
            };
            keys.push(Some(v));
        }
        // distinct keys are at most one per row: more rows than lookups
        // by that count already
        if many(budget_of(left.len())) {
            return Ok(Probe::Lookups(LookupKeys { meta, snap, row_id: *row_id, index, keys }));
        }
        let mut seen = KeySet::default();
        let mut values = Vec::new();
        for v in keys.into_iter().flatten() {
            if seen.insert(v.key()) {
                values.push(BExpr::Lit(v));
            }
        }
        let budget = budget_of(values.len());
        let scan = TableScan { meta, snap, access: &Access::Full, filters: &leaf.filters, budget, read: None };
        let scanned = if many(budget) { None } else { self.rows_within(&scan, parent)? };
        let rows = match scanned {
            Some(rows) => rows,
            None => self.table_rows(meta, snap, &Access::IndexEq { index, values }, &leaf.filters, parent)?,
        };
        Ok(Probe::Rows(rows.into_iter().map(|(_, r)| r).collect()))
    }

    /// An index nested-loop join: each row of `left` looks up its key (see
    /// [`Probe::Lookups`]) in the leaf table's index and is combined with
    /// the rows found that pass the leaf's filters, match every equi-join
    /// key (the index finds a key's candidates; `=` decides) and the
    /// step's condition; under a LEFT join a row that matches none is
    /// combined with NULLs.
    fn lookup_join(
        &self,
        left: &[Row],
        lookup: LookupKeys<'_>,
        leaf: &Leaf,
        st: &Step,
        lwidth: usize,
        parent: Option<&Env>,
    ) -> SqlResult<Vec<Row>> {
        let LookupKeys { meta, snap, row_id, index, keys } = lookup;
        let width = lwidth + leaf.width;
        let mut out = Vec::new();
        let mut key = catalog::index_prefix(meta.indexes[index].id);
        let key_at = key.len();
        let mut rows = catalog::RowReader::new(meta, leaf.read.as_deref());
        let mut rowids = Vec::new();
        for (l, k) in left.iter().zip(&keys) {
            let mut matched = false;
            if let Some(k) = k {
                key.truncate(key_at);
                catalog::encode_key(k, &mut key);
                catalog::index_rowids_into(self.db, snap, &key, &mut rowids)?;
                for &rid in &rowids {
                    let Some(mut r) = rows.read(self.db, snap, rid)? else {
                        continue;
                    };
                    if !self.all_true(&leaf.filters, &Env { row: &r, parent })?
                        || !self.keys_equal(st, l, &r, parent)?
                    {
                        continue;
                    }
                    if row_id {
                        r.push(Value::Int(rid as i64));
                    }
                    let mut c = Vec::with_capacity(width);
                    c.extend_from_slice(l);
                    c.extend(r);
                    if self.all_true(&st.cond, &Env { row: &c, parent })? {
                        matched = true;
                        out.push(c);
                        self.growing(out.len(), width)?;
                    }
                }
            }
            if !matched && st.kind == JoinKind::Left {
                let mut c = Vec::with_capacity(width);
                c.extend_from_slice(l);
                c.resize(width, Value::Null);
                out.push(c);
                self.growing(out.len(), width)?;
            }
        }
        Ok(out)
    }

    /// Whether the accumulated row `l` and the leaf row `r` match on every
    /// equi-join key of `st` (`=`: NULL matches nothing).
    fn keys_equal(&self, st: &Step, l: &Row, r: &Row, parent: Option<&Env>) -> SqlResult<bool> {
        for (le, re, coll) in &st.keys {
            let a = self.eval(le, &Env { row: l, parent })?;
            let b = self.eval(re, &Env { row: r, parent })?;
            if !key_eq(&a, &b, *coll) {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// `=` of two equi-join key values, compared as they are (NULL matches
/// nothing): how a join decides a match where hashing cannot.
fn key_eq(a: &Value, b: &Value, coll: Collation) -> bool {
    sql_cmp_in(coll, a, b) == Some(Ordering::Equal)
}

/// How [`Exec::probe_rows`] finds a joined table's rows.
pub(super) enum Probe<'l> {
    /// Read the leaf as usual.
    No,
    /// The rows that can match (the join then matches them).
    Rows(Vec<Row>),
    /// Each accumulated row looks up its key: [`Exec::lookup_join`].
    Lookups(LookupKeys<'l>),
}

/// The table and index an index nested-loop join looks up and each
/// accumulated row's key value in it (None: a NULL key, which matches
/// nothing).
pub(super) struct LookupKeys<'l> {
    meta: &'l TableMeta,
    snap: &'l Snapshot,
    /// Whether the leaf's rows end with their row id.
    row_id: bool,
    index: usize,
    keys: Vec<Option<Value>>,
}
