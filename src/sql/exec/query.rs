//! Running a query plan: SELECT (filter, group, window, project, sort,
//! limit), VALUES, set operations and common table expressions.

use std::cmp::Ordering;

use crate::sql::ast::SetOpKind;
use crate::sql::error::{Code, SqlError, SqlResult};
use crate::sql::plan::*;
use crate::sql::value::{order_cmp, order_cmp_in, Collation, KeyPart, SType, Value};

use super::aggregate::Grouper;
use super::scan::TableScan;
use super::{Env, Exec, KeySet, CHECK_EVERY};

/// The first `keep` items of a stable sort by `cmp` (ties in the order
/// pushed), holding at most about twice `keep` items at a time: when the
/// buffer fills, it is sorted and cut back to `keep`.
struct TopN<T, F: Fn(&T, &T) -> Ordering> {
    keep: usize,
    buf: Vec<T>,
    cmp: F,
}

impl<T, F: Fn(&T, &T) -> Ordering> TopN<T, F> {
    fn new(keep: usize, cmp: F) -> Self {
        TopN { keep, buf: Vec::new(), cmp }
    }

    fn push(&mut self, item: T) {
        if self.keep == 0 {
            return;
        }
        self.buf.push(item);
        if self.buf.len() >= self.keep.saturating_mul(2).max(CHECK_EVERY) {
            self.buf.sort_by(&self.cmp);
            self.buf.truncate(self.keep);
        }
    }

    fn finish(mut self) -> Vec<T> {
        self.buf.sort_by(&self.cmp);
        self.buf.truncate(self.keep);
        self.buf
    }
}

/// Rows a recursive common table expression may produce: a bound on memory
/// (each iteration may multiply the rows), where a server would have a
/// statement time limit.
const CTE_MAX_ROWS: usize = 1_000_000;

impl<'a> Exec<'a> {
    /// Runs a query plan.
    pub fn run(&self, plan: &QueryPlan, parent: Option<&Env>) -> SqlResult<Vec<Row>> {
        match plan {
            QueryPlan::Select(s, _) => self.select(s, parent),
            QueryPlan::Values(rows, _) => {
                let empty = Env { row: &[], parent };
                rows.iter().map(|r| r.iter().map(|e| self.eval(e, &empty)).collect()).collect()
            }
            QueryPlan::SetOp { op, all, left, right } => {
                // each column's values in the type of the column (`1` and
                // `2.5` in one column are `1.0`, `2.5`), before comparing
                let types = plan.types();
                let conform = |rows: Vec<Row>| -> Vec<Row> {
                    if !types.iter().any(|t| matches!(t, SType::Decimal(_))) {
                        return rows;
                    }
                    rows.into_iter()
                        .map(|row| row.into_iter().zip(&types).map(|(v, t)| t.conform(v)).collect())
                        .collect()
                };
                let l = conform(self.run(left, parent)?);
                let r = conform(self.run(right, parent)?);
                // rows are the same under each column's collation
                let colls: Vec<Collation> = plan.collations().into_iter().map(Option::unwrap_or_default).collect();
                let key = |row: &Row| -> Vec<KeyPart> {
                    row.iter()
                        .zip(colls.iter().chain(std::iter::repeat(&Collation::Default)))
                        .map(|(v, c)| v.key_in(*c))
                        .collect()
                };
                Ok(match (op, all) {
                    (SetOpKind::Union, true) => {
                        let mut l = l;
                        l.extend(r);
                        l
                    }
                    (SetOpKind::Union, false) => {
                        let mut seen = KeySet::default();
                        l.into_iter().chain(r).filter(|row| seen.insert(key(row))).collect()
                    }
                    (SetOpKind::Except, _) => {
                        let rs: KeySet<Vec<KeyPart>> = r.iter().map(key).collect();
                        let mut seen = KeySet::default();
                        l.into_iter().filter(|row| !rs.contains(&key(row)) && (*all || seen.insert(key(row)))).collect()
                    }
                    (SetOpKind::Intersect, _) => {
                        let rs: KeySet<Vec<KeyPart>> = r.iter().map(key).collect();
                        let mut seen = KeySet::default();
                        l.into_iter().filter(|row| rs.contains(&key(row)) && (*all || seen.insert(key(row)))).collect()
                    }
                })
            }
            QueryPlan::Recursive { anchor, step, all, working, max_depth, .. } => {
                let key = |row: &Row| -> Vec<KeyPart> { row.iter().map(|v| v.key()).collect() };
                let mut seen = KeySet::default();
                let mut out: Vec<Row> = Vec::new();
                let mut last: Vec<Row> = self.run(anchor, parent)?;
                for iteration in 0.. {
                    if !*all {
                        last.retain(|row| seen.insert(key(row)));
                    }
                    if last.is_empty() {
                        break;
                    }
                    if iteration > *max_depth {
                        return Err(SqlError::new(
                            Code::CteMaxRecursionDepth,
                            format!(
                                "Recursive query aborted after {} iterations. Try increasing \
                                 @@cte_max_recursion_depth to a larger value.",
                                iteration
                            ),
                        ));
                    }
                    if out.len() + last.len() > CTE_MAX_ROWS {
                        return Err(SqlError::new(
                            Code::CteMaxRecursionDepth,
                            format!("Recursive query aborted after producing more than {CTE_MAX_ROWS} rows"),
                        ));
                    }
                    out.extend(last.iter().cloned());
                    self.set_working(*working, std::mem::take(&mut last));
                    last = self.run(step, parent)?;
                }
                self.set_working(*working, Vec::new());
                Ok(out)
            }
            QueryPlan::Sorted { input, order, limit, offset } => {
                let keep = limit.map_or(usize::MAX, |l| l.saturating_add(*offset));
                let mut top = TopN::new(keep, |a: &Row, b: &Row| {
                    order_cmp(order.iter().map(|(i, desc)| (&a[*i], &b[*i], *desc)))
                });
                self.run(input, parent)?.into_iter().for_each(|r| top.push(r));
                Ok(top.finish().into_iter().skip(*offset).collect())
            }
        }
    }

    pub(super) fn select(&self, p: &SelectPlan, parent: Option<&Env>) -> SqlResult<Vec<Row>> {
        let from_rows = || match &p.from {
            Some(f) => self.run_from(f, parent),
            None => Ok(vec![Vec::new()]),
        };
        let mut rows = match &p.group {
            Some((keys, aggs)) => {
                // the group's first row, then the window slots
                let width = p.window_base + p.windows.len();
                if p.rollup {
                    self.group_rollup(from_rows()?, keys, aggs, width, parent)?
                } else {
                    let mut g = Grouper::new(keys, aggs, width);
                    match p.from.as_ref().filter(|f| f.post.is_empty()).and_then(FromPlan::one_table) {
                        // one table's rows go to their groups as the scan reads them
                        Some(OneTable { leaf, meta, snap, access }) => {
                            let scan = TableScan::of_leaf(meta, snap, access, leaf);
                            self.each_row(&scan, parent, &mut |_, row| self.group_row(&mut g, row, parent))?;
                        }
                        None => {
                            for mut row in from_rows()? {
                                self.group_row(&mut g, &mut row, parent)?;
                            }
                        }
                    }
                    g.finish(keys.is_empty())
                }
            }
            None => from_rows()?,
        };
        if let Some(h) = &p.having {
            let mut kept = Vec::with_capacity(rows.len());
            for row in rows {
                if self.truthy(h, &Env { row: &row, parent })? {
                    kept.push(row);
                }
            }
            rows = kept;
        }
        if !p.windows.is_empty() {
            crate::sql::window::compute(self, &mut rows, &p.windows, p.window_base, parent)?;
        }
        // ORDER BY ... LIMIT keeps only the rows it may return
        let keep = p.limit.map_or(usize::MAX, |l| l.saturating_add(p.offset));
        let order: Vec<(bool, Collation)> = p.order.iter().map(|(e, d)| (*d, e.key_collation())).collect();
        let distinct: Vec<Collation> = p.projection.iter().map(BExpr::key_collation).collect();
        let mut top = TopN::new(keep, |a: &(Row, Vec<Value>), b: &(Row, Vec<Value>)| {
            order_cmp_in(a.1.iter().zip(&b.1).zip(&order).map(|((x, y), (d, c))| (x, y, *d, *c)))
        });
        let mut seen = KeySet::default();
        let mut pushed = 0usize;
        let width = p.projection.len() + p.order.len();
        for row in &rows {
            let env = Env { row, parent };
            let proj: Row = p.projection.iter().map(|e| self.eval(e, &env)).collect::<SqlResult<_>>()?;
            if p.distinct && !seen.insert(proj.iter().zip(&distinct).map(|(v, c)| v.key_in(*c)).collect::<Vec<_>>()) {
                continue;
            }
            let keys: Vec<Value> = p.order.iter().map(|(e, _)| self.eval(e, &env)).collect::<SqlResult<_>>()?;
            top.push((proj, keys));
            pushed += 1;
            if pushed % CHECK_EVERY == 0 {
                self.within_limit(top.buf.len() + seen.len(), width)?;
            }
        }
        Ok(top.finish().into_iter().skip(p.offset).map(|(r, _)| r).collect())
    }
}
