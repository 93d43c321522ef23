//! Joining the leaves of a FROM clause: hash joins on equi-keys,
//! nested loops otherwise, and index probes into a joined table.

use std::cmp::Ordering;

use crate::sql::ast::JoinKind;
use crate::sql::catalog::{self};
use crate::sql::error::SqlResult;
use crate::sql::plan::*;
use crate::sql::value::{sql_cmp, KeyPart, Value};

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
            let right = match self.probe_rows(&rows, leaf, st, parent)? {
                Some(right) => right,
                None => self.leaf_rows(leaf, parent)?,
            };
            // the accumulated rows' width comes from the plan: they may be none
            let lwidth = f.leaves[..i].iter().map(|l| l.width).sum();
            rows = self.join(rows, right, st, lwidth, leaf.width, parent)?;
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
        // the equi-join key values of each row; None: a NULL key, no match
        let key_values = |rows: &[Row], left_side: bool| -> SqlResult<Vec<Option<Vec<Value>>>> {
            let mut out = Vec::with_capacity(rows.len());
            'rows: for r in rows {
                let env = Env { row: r, parent };
                let mut k = Vec::with_capacity(st.keys.len());
                for (le, re) in &st.keys {
                    let v = self.eval(if left_side { le } else { re }, &env)?;
                    if v.is_null() {
                        out.push(None);
                        continue 'rows;
                    }
                    k.push(v);
                }
                out.push(Some(k));
            }
            Ok(out)
        };
        let lkeys = key_values(&left, true)?;
        let rkeys = key_values(&right, false)?;
        // Hashing finds what `=` matches only when each key's values are of
        // one key class on both sides (a string equals a number or a date
        // by converting it); otherwise every pair is compared.
        let hashed = (0..st.keys.len()).all(|j| {
            let mut classes = lkeys.iter().chain(&rkeys).flatten().map(|k| catalog::key_class(&k[j]));
            let first = classes.next();
            classes.all(|c| Some(c) == first)
        });
        let hash = |k: &[Value]| -> Vec<KeyPart> {
            if hashed {
                k.iter().map(Value::key).collect()
            } else {
                Vec::new()
            }
        };
        let mut table: KeyMap<Vec<KeyPart>, Vec<usize>> = KeyMap::default();
        for (ri, k) in rkeys.iter().enumerate() {
            if let Some(k) = k {
                table.entry(hash(k)).or_default().push(ri);
            }
        }
        for (l, lk) in left.iter().zip(&lkeys) {
            let mut matched = false;
            if let Some(lk) = lk {
                for &ri in table.get(&hash(lk)).map_or(&[][..], |v| v) {
                    if !hashed {
                        let rk = rkeys[ri].as_deref().unwrap_or_default();
                        if !lk.iter().zip(rk).all(|(a, b)| sql_cmp(a, b) == Some(Ordering::Equal)) {
                            continue;
                        }
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

    /// The rows of a joined table that can match `left` on the step's
    /// probe key (see [`Step::probe`]), or `None` to read the leaf as
    /// usual. The table is read whole if that is cheap (it has no more rows
    /// than a few per distinct key value: a lookup costs a few row reads);
    /// otherwise each distinct key value is looked up in the index. Either
    /// way the join itself then matches rows as it always does.
    pub(super) fn probe_rows(
        &self,
        left: &[Row],
        leaf: &Leaf,
        st: &Step,
        parent: Option<&Env>,
    ) -> SqlResult<Option<Vec<Row>>> {
        let (Some((key, index)), LeafSource::Table { meta, snap, .. }) = (st.probe, &leaf.source) else {
            return Ok(None);
        };
        let ty = &meta.columns[meta.indexes[index].columns[0]].ty;
        let mut seen = KeySet::default();
        let mut values = Vec::new();
        for l in left {
            let v = self.eval(&st.keys[key].0, &Env { row: l, parent })?;
            if v.is_null() {
                continue;
            }
            let Some(v) = catalog::index_key_value(ty, &v) else {
                return Ok(None);
            };
            if seen.insert(v.key()) {
                values.push(BExpr::Lit(v));
            }
        }
        // A lookup (index range plus row fetch) costs about as much as
        // reading 8 rows in a scan. Reading at most 4 rows per key before
        // switching to lookups keeps either choice within about 1.6x of
        // the better one without knowing the table's size. A table whose
        // next row id says it has held more than twice that many rows goes
        // to lookups at once (the rows it may have lost since cost at most
        // the lookups a nested loop makes).
        const ROWS_PER_LOOKUP: usize = 4;
        let budget = values.len().saturating_mul(ROWS_PER_LOOKUP).max(64);
        let held = self.db.get(snap, &catalog::seq_key(meta.id))?.and_then(|b| catalog::decode_seq(&b)).map(|s| s.0);
        let scan = TableScan { meta, snap, access: &Access::Full, filters: &leaf.filters, budget, read: None };
        let scanned = match held {
            Some(next) if next > (budget as u64).saturating_mul(2) => None,
            _ => self.rows_within(&scan, parent)?,
        };
        let rows = match scanned {
            Some(rows) => rows,
            None => self.table_rows(meta, snap, &Access::IndexEq { index, values }, &leaf.filters, parent)?,
        };
        Ok(Some(rows.into_iter().map(|(_, r)| r).collect()))
    }
}
