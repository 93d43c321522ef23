//! Grouping and aggregate functions.

use std::cmp::Ordering;

use crate::sql::error::SqlResult;
use crate::sql::plan::*;
use crate::sql::value::{arith, order_cmp_in, sql_cmp_in, ArithOp, Collation, Decimal, KeyPart, Value};

use super::{num_or_null, text, Env, Exec, KeyMap, KeySet};
use crate::sql::functions::{bits, from_u64};

/// The groups of a GROUP BY as rows come in (one at a time, so a scan
/// can feed them without holding its rows; see [`Exec::group_row`]).
pub(super) struct Grouper<'p> {
    keys: &'p [BExpr],
    aggs: &'p [AggCall],
    /// The grouped row's width before the aggregate values.
    width: usize,
    index: KeyMap<Vec<KeyPart>, usize>,
    /// With one key: the groups whose key is an integer of 64 bits (the
    /// common `GROUP BY` of an integer column or expression), by that
    /// integer; [`Value::key_in`] maps every value numerically equal to
    /// one to `KeyPart::Int` of it, and those come here too.
    by_int: KeyMap<i64, usize>,
    /// Each group's first row and its aggregates' states.
    groups: Vec<(Row, Vec<AggState>)>,
    /// The row's key, in a buffer kept across rows (copied for a new group).
    key: Vec<KeyPart>,
}

impl<'p> Grouper<'p> {
    pub(super) fn new(keys: &'p [BExpr], aggs: &'p [AggCall], width: usize) -> Grouper<'p> {
        Grouper {
            keys,
            aggs,
            width,
            index: KeyMap::default(),
            by_int: KeyMap::default(),
            groups: Vec::new(),
            key: Vec::with_capacity(keys.len()),
        }
    }

    /// The group of the row whose key is in `self.key` (or, with one key,
    /// is `int`), and whether it is new.
    fn group_of(&mut self, int: Option<i64>) -> (usize, bool) {
        let next = self.groups.len();
        let int = int.or(match self.key.as_slice() {
            [KeyPart::Int(i)] => i64::try_from(*i).ok(),
            _ => None,
        });
        match int {
            Some(i) => match self.by_int.entry(i) {
                std::collections::hash_map::Entry::Occupied(e) => (*e.get(), false),
                std::collections::hash_map::Entry::Vacant(e) => (*e.insert(next), true),
            },
            None => match self.index.get(self.key.as_slice()) {
                Some(&gi) => (gi, false),
                None => {
                    self.index.insert(self.key.clone(), next);
                    (next, true)
                }
            },
        }
    }

    /// The grouped rows: each group's first row (padded to the width),
    /// then its aggregate values; with no row and `scalar` (no GROUP BY),
    /// one row of the aggregates over nothing.
    pub(super) fn finish(self, scalar: bool) -> Vec<Row> {
        let Grouper { aggs, width, mut groups, .. } = self;
        if groups.is_empty() && scalar {
            groups.push((Vec::new(), aggs.iter().map(|_| AggState::default()).collect()));
        }
        groups
            .into_iter()
            .map(|(mut first, states)| {
                first.resize(width, Value::Null);
                for (a, st) in aggs.iter().zip(states) {
                    first.push(st.finish(a));
                }
                first
            })
            .collect()
    }
}

impl<'a> Exec<'a> {
    pub(super) fn group(
        &self,
        rows: Vec<Row>,
        keys: &[BExpr],
        aggs: &[AggCall],
        scalar: bool,
        width: usize,
        parent: Option<&Env>,
    ) -> SqlResult<Vec<Row>> {
        let mut g = Grouper::new(keys, aggs, width);
        for mut row in rows {
            self.group_row(&mut g, &mut row, parent)?;
        }
        Ok(g.finish(scalar))
    }

    /// Adds one row to its group (taking the row when it starts a group).
    pub(super) fn group_row(&self, g: &mut Grouper, row: &mut Row, parent: Option<&Env>) -> SqlResult<()> {
        let env = Env { row, parent };
        g.key.clear();
        let mut int = None;
        match g.keys {
            // one key of an integer: no key parts to make
            [e] => match self.eval(e, &env)? {
                Value::Int(i) => int = Some(i),
                v => g.key.push(v.key_in(e.key_collation())),
            },
            keys => {
                for e in keys {
                    g.key.push(self.eval(e, &env)?.key_in(e.key_collation()));
                }
            }
        }
        let (gi, new) = g.group_of(int);
        if new {
            g.groups.push((Vec::new(), g.aggs.iter().map(|_| AggState::default()).collect()));
            self.growing(g.groups.len(), g.width + g.keys.len() + g.aggs.len())?;
        }
        for (a, st) in g.aggs.iter().zip(g.groups[gi].1.iter_mut()) {
            let v = match &a.arg {
                Some(e) => self.eval(e, &env)?,
                None => Value::Int(1),
            };
            if a.more.is_empty() && a.order.is_empty() {
                st.add(a, v, &[], Vec::new())?;
                continue;
            }
            let more = a.more.iter().map(|e| self.eval(e, &env)).collect::<SqlResult<Vec<_>>>()?;
            let order = a.order.iter().map(|(e, _)| self.eval(e, &env)).collect::<SqlResult<Vec<_>>>()?;
            st.add(a, v, &more, order)?;
        }
        if new {
            g.groups[gi].0 = std::mem::take(row);
        }
        Ok(())
    }
}

impl<'a> Exec<'a> {
    /// `GROUP BY ... WITH ROLLUP`: the groups of all the keys, then those of
    /// each shorter prefix of them down to none (the grand total); each
    /// row ends with the keys' values, NULL for those left out of the
    /// prefix (the binder reads the keys from there), and a key that is a
    /// column is NULL in the row too. In the order of the keys
    /// (ascending), each super-aggregate row after the groups it sums up,
    /// as MySQL returns them.
    pub(super) fn group_rollup(
        &self,
        mut rows: Vec<Row>,
        keys: &[BExpr],
        aggs: &[AggCall],
        width: usize,
        parent: Option<&Env>,
    ) -> SqlResult<Vec<Row>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let first = width + aggs.len();
        // (the prefix's length, the row)
        let mut out: Vec<(usize, Row)> = Vec::new();
        for level in (0..=keys.len()).rev() {
            // the last pass (the grand total) takes the rows
            let input = if level == 0 { std::mem::take(&mut rows) } else { rows.clone() };
            for mut g in self.group(input, &keys[..level], aggs, false, width, parent)? {
                for k in &keys[..level] {
                    let v = self.eval(k, &Env { row: &g, parent })?;
                    g.push(v);
                }
                g.resize(first + keys.len(), Value::Null);
                for k in &keys[level..] {
                    if let BExpr::Col(c) = k {
                        g[*c] = Value::Null;
                    }
                }
                // a key rolled up unless it is also among the prefix's
                let rolled = |e: &BExpr| keys.iter().position(|k| k.same_as(e)).is_some_and(|i| i >= level);
                for (j, a) in aggs.iter().enumerate().filter(|(_, a)| a.func == AggFunc::Grouping) {
                    let mask = a.arg.iter().chain(&a.more).fold(0i64, |m, e| (m << 1) | i64::from(rolled(e)));
                    g[width + j] = Value::Int(mask);
                }
                out.push((level, g));
                self.growing(out.len(), first + keys.len())?;
            }
        }
        out.sort_by(|(la, a), (lb, b)| {
            for i in 0..keys.len() {
                match (i < *la, i < *lb) {
                    (true, true) => {
                        match order_cmp_in([(&a[first + i], &b[first + i], false, keys[i].key_collation())]) {
                            Ordering::Equal => continue,
                            o => return o,
                        }
                    }
                    (false, false) => return Ordering::Equal,
                    // the super-aggregate row after the groups it sums up
                    (false, true) => return Ordering::Greater,
                    (true, false) => return Ordering::Less,
                }
            }
            Ordering::Equal
        });
        Ok(out.into_iter().map(|(_, row)| row).collect())
    }
}

/// Running state of one aggregate.
#[derive(Default, Clone)]
pub struct AggState {
    count: i64,
    acc: Option<Value>,
    seen: Option<KeySet<Vec<KeyPart>>>,
    /// GROUP_CONCAT's parts with their ORDER BY values.
    parts: Vec<(String, Vec<Value>)>,
    /// The BIT_ aggregates' bits so far.
    bits: Option<u64>,
    /// The variance's running mean and sum of squared deviations
    /// (Welford's method).
    mean: f64,
    m2: f64,
}

impl AggState {
    /// Adds a row's value `v` (with the further values of `COUNT(DISTINCT
    /// a, b, ...)` in `more`, and GROUP_CONCAT's ORDER BY values).
    pub(crate) fn add(&mut self, a: &AggCall, v: Value, more: &[Value], order: Vec<Value>) -> SqlResult<()> {
        if a.func == AggFunc::CountStar {
            self.count += 1;
            return Ok(());
        }
        if v.is_null() || more.iter().any(Value::is_null) {
            return Ok(());
        }
        if a.distinct {
            // distinct by each argument's collation
            let colls = a.arg.iter().chain(&a.more).map(BExpr::key_collation);
            let key = std::iter::once(&v).chain(more).zip(colls).map(|(v, c)| v.key_in(c)).collect();
            if !self.seen.get_or_insert_with(KeySet::default).insert(key) {
                return Ok(());
            }
        }
        self.count += 1;
        match a.func {
            AggFunc::Count | AggFunc::CountStar | AggFunc::Grouping => {}
            AggFunc::Sum | AggFunc::Avg => {
                // the common case, an integer into an integral sum: the
                // exact addition `arith` makes, without its conversions
                if let (Value::Int(i), Some(Value::Decimal(d))) = (&v, &mut self.acc) {
                    if let (0, Some(m)) = (d.s, d.m.checked_add(i128::from(*i))) {
                        d.m = m;
                        return Ok(());
                    }
                }
                let v = match num_or_null(v) {
                    Value::Int(i) => Value::Decimal(Decimal::from_i64(i)),
                    o => o,
                };
                self.acc = Some(match self.acc.take() {
                    None => v,
                    Some(acc) => arith(ArithOp::Add, &acc, &v)?,
                });
            }
            AggFunc::Min | AggFunc::Max => {
                let replace = match &self.acc {
                    None => true,
                    Some(cur) => {
                        let coll = a.arg.as_ref().map_or(Collation::Default, BExpr::key_collation);
                        let o = sql_cmp_in(coll, &v, cur).unwrap_or(Ordering::Equal);
                        (a.func == AggFunc::Min && o == Ordering::Less)
                            || (a.func == AggFunc::Max && o == Ordering::Greater)
                    }
                };
                if replace {
                    self.acc = Some(v);
                }
            }
            AggFunc::GroupConcat => self.parts.push((text(&v), order)),
            AggFunc::BitAnd | AggFunc::BitOr | AggFunc::BitXor => {
                let x = bits(&num_or_null(v));
                self.bits = Some(match (self.bits, a.func) {
                    (None, _) => x,
                    (Some(b), AggFunc::BitAnd) => b & x,
                    (Some(b), AggFunc::BitOr) => b | x,
                    (Some(b), _) => b ^ x,
                });
            }
            AggFunc::Variance(_) | AggFunc::StdDev(_) => {
                let x = num_or_null(v).to_f64().unwrap_or(0.0);
                let d = x - self.mean;
                self.mean += d / self.count as f64;
                self.m2 += d * (x - self.mean);
            }
        }
        Ok(())
    }

    pub(crate) fn finish(self, a: &AggCall) -> Value {
        match a.func {
            AggFunc::Count | AggFunc::CountStar => Value::Int(self.count),
            // the rows of the groups themselves; `group_rollup` sets the
            // bits of the super-aggregate rows
            AggFunc::Grouping => Value::Int(0),
            AggFunc::Sum => self.acc.unwrap_or(Value::Null),
            AggFunc::Avg => match self.acc {
                None => Value::Null,
                Some(Value::Decimal(d)) => match Decimal::checked_div(d, Decimal::from_i64(self.count)) {
                    Some(q) => Value::Decimal(q),
                    None => Value::Double(d.to_f64() / self.count as f64),
                },
                Some(other) => Value::Double(other.to_f64().unwrap_or(0.0) / self.count as f64),
            },
            AggFunc::Min | AggFunc::Max => self.acc.unwrap_or(Value::Null),
            // over no rows: all bits set for AND, none for OR and XOR
            AggFunc::BitAnd => from_u64(self.bits.unwrap_or(u64::MAX)),
            AggFunc::BitOr | AggFunc::BitXor => from_u64(self.bits.unwrap_or(0)),
            AggFunc::Variance(sample) | AggFunc::StdDev(sample) => {
                let n = self.count - i64::from(sample);
                if n <= 0 {
                    return Value::Null;
                }
                let var = self.m2 / n as f64;
                Value::Double(if matches!(a.func, AggFunc::StdDev(_)) { var.sqrt() } else { var })
            }
            AggFunc::GroupConcat => {
                if self.count == 0 {
                    return Value::Null;
                }
                let mut parts = self.parts;
                if !a.order.is_empty() {
                    // each key under its collation, as ORDER BY sorts
                    parts.sort_by(|x, y| {
                        order_cmp_in(
                            x.1.iter().zip(&y.1).zip(&a.order).map(|((p, q), (e, d))| (p, q, *d, e.key_collation())),
                        )
                    });
                }
                Value::Str(parts.into_iter().map(|(s, _)| s).collect::<Vec<_>>().join(&a.separator))
            }
        }
    }
}
