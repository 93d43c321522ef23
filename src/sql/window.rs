//! Window functions: computes each [`WindowCall`] of a SELECT over the rows
//! left after grouping and HAVING, writing its value into the row's slot for
//! it (see [`SelectPlan::window_base`](super::plan::SelectPlan)).
//!
//! Rows are sorted by partition, then by the window's ORDER BY; peers (rows
//! equal on the ORDER BY) share a rank and, in RANGE frames, a frame end.
//! An aggregate whose frame starts at UNBOUNDED PRECEDING is accumulated as
//! the frame grows; other frames are aggregated row by row.

use std::cmp::Ordering;

use super::error::SqlResult;
use super::exec::{AggState, Env, Exec};
use super::plan::{AggCall, AggFunc, BExpr, Frame, FrameEdge, Row, WindowCall, WindowFunc};
use super::value::{order_cmp_in, Collation, Value};

/// Computes every window call into `rows[i][base + k]`.
pub fn compute(ex: &Exec, rows: &mut [Row], calls: &[WindowCall], base: usize, parent: Option<&Env>) -> SqlResult<()> {
    let width = base + calls.len();
    for row in rows.iter_mut() {
        if row.len() < width {
            row.resize(width, Value::Null);
        }
    }
    for (k, call) in calls.iter().enumerate() {
        let values = call_values(ex, rows, call, parent)?;
        for (row, v) in rows.iter_mut().zip(values) {
            row[base + k] = v;
        }
    }
    Ok(())
}

/// The rows of one partition, in window order, with what each function
/// needs of them.
struct Partition<'r> {
    /// Positions in the input, in window order.
    idx: &'r [usize],
    /// ORDER BY values of each input row.
    order: &'r PerRow<Value>,
    /// Argument values of each input row.
    args: &'r PerRow<Value>,
    /// DESC and the collation of each ORDER BY key.
    desc: &'r [(bool, Collation)],
    /// Each input row's bounds of a RANGE frame's start and end with
    /// offsets (empty without).
    bounds: &'r [[Value; 2]],
}

impl Partition<'_> {
    fn len(&self) -> usize {
        self.idx.len()
    }

    fn peers(&self, a: usize, b: usize) -> bool {
        let (x, y) = (self.order.row(self.idx[a]), self.order.row(self.idx[b]));
        order_cmp_in(x.iter().zip(y).zip(self.desc).map(|((x, y), (d, c))| (x, y, *d, *c))) == Ordering::Equal
    }

    /// Argument `j` of the partition's row at position `i`.
    fn arg(&self, i: usize, j: usize) -> Value {
        self.args.row(self.idx[i]).get(j).cloned().unwrap_or(Value::Null)
    }
}

/// Values computed for each input row, `width` per row, in one array (not
/// a vector per row: sorting reads them at random).
struct PerRow<T> {
    vals: Vec<T>,
    width: usize,
}

impl<T> PerRow<T> {
    fn new(rows: usize, width: usize) -> Self {
        PerRow { vals: Vec::with_capacity(rows.saturating_mul(width)), width }
    }

    /// The values of input row `i`.
    fn row(&self, i: usize) -> &[T] {
        &self.vals[i * self.width..(i + 1) * self.width]
    }
}

/// The value of one window call for each row (in input order).
fn call_values(ex: &Exec, rows: &[Row], call: &WindowCall, parent: Option<&Env>) -> SqlResult<Vec<Value>> {
    let n = rows.len();
    let mut part_keys = PerRow::new(n, call.partition.len());
    let mut order = PerRow::new(n, call.order.len());
    let mut args = PerRow::new(n, call.args.len());
    let mut bounds: Vec<[Value; 2]> = Vec::new();
    for row in rows {
        let env = Env { row, parent };
        for e in &call.partition {
            part_keys.vals.push(ex.eval(e, &env)?.key_in(e.key_collation()));
        }
        for (e, _) in &call.order {
            order.vals.push(ex.eval(e, &env)?);
        }
        for e in &call.args {
            args.vals.push(ex.eval(e, &env)?);
        }
        if call.range_bounds.iter().any(Option::is_some) {
            let bound = |b: &Option<BExpr>| b.as_ref().map_or(Ok(Value::Null), |e| ex.eval(e, &env));
            bounds.push([bound(&call.range_bounds[0])?, bound(&call.range_bounds[1])?]);
        }
    }
    let desc: Vec<(bool, Collation)> = call.order.iter().map(|(e, d)| (*d, e.key_collation())).collect();
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| {
        part_keys.row(a).cmp(part_keys.row(b)).then_with(|| {
            order_cmp_in(order.row(a).iter().zip(order.row(b)).zip(&desc).map(|((x, y), (d, c))| (x, y, *d, *c)))
        })
    });
    let mut out = vec![Value::Null; n];
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        while end < n && part_keys.row(idx[end]) == part_keys.row(idx[start]) {
            end += 1;
        }
        let p = Partition { idx: &idx[start..end], order: &order, args: &args, desc: &desc, bounds: &bounds };
        for (i, v) in partition_values(&p, call)?.into_iter().enumerate() {
            out[p.idx[i]] = v;
        }
        start = end;
    }
    Ok(out)
}

/// The values of a call over one partition, in window order.
fn partition_values(p: &Partition, call: &WindowCall) -> SqlResult<Vec<Value>> {
    let n = p.len();
    // [peer_start, peer_end) of each row
    let mut peer_start = vec![0; n];
    let mut peer_end = vec![n; n];
    let mut group_no = vec![1i64; n];
    for i in 1..n {
        if p.peers(i - 1, i) {
            peer_start[i] = peer_start[i - 1];
            group_no[i] = group_no[i - 1];
        } else {
            peer_start[i] = i;
            group_no[i] = group_no[i - 1] + 1;
        }
    }
    for i in (0..n.saturating_sub(1)).rev() {
        peer_end[i] = if peer_start[i + 1] == peer_start[i] { peer_end[i + 1] } else { i + 1 };
    }
    let value_start = value_edges(p, call.frame.start, 0, false);
    let value_end = value_edges(p, call.frame.end, 1, true);
    let frame = |i: usize| {
        let value = (value_start.get(i).copied().unwrap_or(0), value_end.get(i).copied().unwrap_or(0));
        frame_of(&call.frame, i, n, (peer_start[i], peer_end[i]), value)
    };
    Ok(match call.func {
        WindowFunc::RowNumber => (1..=n as i64).map(Value::Int).collect(),
        WindowFunc::Rank => peer_start.iter().map(|s| Value::Int(*s as i64 + 1)).collect(),
        WindowFunc::DenseRank => group_no.into_iter().map(Value::Int).collect(),
        WindowFunc::PercentRank => {
            peer_start.iter().map(|s| Value::Double(if n > 1 { *s as f64 / (n - 1) as f64 } else { 0.0 })).collect()
        }
        WindowFunc::CumeDist => peer_end.iter().map(|e| Value::Double(*e as f64 / n as f64)).collect(),
        WindowFunc::Ntile(buckets) => {
            let buckets = buckets.max(1) as usize;
            let (q, r) = (n / buckets, n % buckets);
            (0..n)
                .map(|i| {
                    let b = if q == 0 || i < r * (q + 1) { i / (q + 1) } else { r + (i - r * (q + 1)) / q };
                    Value::Int(b as i64 + 1)
                })
                .collect()
        }
        WindowFunc::Lag(off) | WindowFunc::Lead(off) => (0..n)
            .map(|i| {
                let j = match call.func {
                    WindowFunc::Lag(_) => i.checked_sub(off),
                    _ => i.checked_add(off).filter(|j| *j < n),
                };
                match j {
                    Some(j) => p.arg(j, 0),
                    None => p.arg(i, 1),
                }
            })
            .collect(),
        WindowFunc::FirstValue | WindowFunc::LastValue | WindowFunc::NthValue(_) => (0..n)
            .map(|i| match frame(i) {
                Some((s, e)) => {
                    let at = match call.func {
                        WindowFunc::FirstValue => Some(s),
                        WindowFunc::LastValue => Some(e),
                        WindowFunc::NthValue(k) => Some(s + k - 1).filter(|j| *j <= e),
                        _ => None,
                    };
                    at.map(|j| p.arg(j, 0)).unwrap_or(Value::Null)
                }
                None => Value::Null,
            })
            .collect(),
        WindowFunc::Agg(func) => {
            let agg = AggCall::plain(func, None);
            let value = |j: usize| if func == AggFunc::CountStar { Value::Int(1) } else { p.arg(j, 0) };
            let mut out = Vec::with_capacity(n);
            if call.frame.start == FrameEdge::UnboundedPreceding {
                // the frame only grows: accumulate
                let mut st = AggState::default();
                let mut upto = 0;
                for i in 0..n {
                    if let Some((_, e)) = frame(i) {
                        while upto <= e {
                            st.add(&agg, value(upto), &[], Vec::new())?;
                            upto += 1;
                        }
                    }
                    out.push(st.clone().finish(&agg));
                }
            } else {
                for i in 0..n {
                    let mut st = AggState::default();
                    if let Some((s, e)) = frame(i) {
                        for j in s..=e {
                            st.add(&agg, value(j), &[], Vec::new())?;
                        }
                    }
                    out.push(st.finish(&agg));
                }
            }
            out
        }
    })
}

/// For a RANGE frame edge with an offset (bound `k` of each row): the
/// position of each row's edge in the partition, the first row whose key is
/// not before the row's start bound (`end` false) or the first one after its
/// end bound (`end` true). The keys are sorted and the bounds move with
/// them, so one pointer walks the partition once. Empty for other edges.
fn value_edges(p: &Partition, edge: FrameEdge, k: usize, end: bool) -> Vec<usize> {
    let (Some(&(desc, coll)), FrameEdge::Value) = (p.desc.first(), edge) else { return Vec::new() };
    let n = p.len();
    let key = |j: usize| p.order.row(p.idx[j]).first().unwrap_or(&Value::Null);
    let mut out = Vec::with_capacity(n);
    let mut j = 0;
    for i in 0..n {
        let b = p.bounds.get(p.idx[i]).map_or(&Value::Null, |b| &b[k]);
        while j < n && {
            let o = order_cmp_in([(key(j), b, desc, coll)]);
            if end {
                o != Ordering::Greater
            } else {
                o == Ordering::Less
            }
        } {
            j += 1;
        }
        out.push(j);
    }
    out
}

/// The frame of row `i` of a partition of `n` rows: first and last position
/// (inclusive), or None when it is empty. `peers` is the row's peer group
/// `[start, end)`, `value` the positions of RANGE edges with offsets
/// ([`value_edges`]: the start, one past the end).
fn frame_of(f: &Frame, i: usize, n: usize, peers: (usize, usize), value: (usize, usize)) -> Option<(usize, usize)> {
    let (peer_start, peer_end) = peers;
    let (i, n) = (i as i128, n as i128);
    let pos = |edge: FrameEdge, is_start: bool| -> i128 {
        match edge {
            FrameEdge::UnboundedPreceding => 0,
            FrameEdge::UnboundedFollowing => n - 1,
            FrameEdge::CurrentRow if !f.rows => {
                if is_start {
                    peer_start as i128
                } else {
                    peer_end as i128 - 1
                }
            }
            FrameEdge::CurrentRow => i,
            FrameEdge::Preceding(k) => i - k as i128,
            FrameEdge::Following(k) => i + k as i128,
            FrameEdge::Value if is_start => value.0 as i128,
            FrameEdge::Value => value.1 as i128 - 1,
        }
    };
    let s = pos(f.start, true).max(0);
    let e = pos(f.end, false).min(n - 1);
    (s <= e).then_some((s as usize, e as usize))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_frame(start: FrameEdge, end: FrameEdge) -> Frame {
        Frame { rows: true, start, end }
    }

    #[test]
    fn rows_frames_clamp_to_the_partition() {
        let f = rows_frame(FrameEdge::Preceding(1), FrameEdge::Following(1));
        assert_eq!(frame_of(&f, 0, 3, (0, 3), (0, 0)), Some((0, 1)));
        assert_eq!(frame_of(&f, 2, 3, (0, 3), (0, 0)), Some((1, 2)));
        let f = rows_frame(FrameEdge::Following(5), FrameEdge::Following(9));
        assert_eq!(frame_of(&f, 0, 3, (0, 3), (0, 0)), None);
        let f = rows_frame(FrameEdge::Preceding(usize::MAX), FrameEdge::Following(usize::MAX));
        assert_eq!(frame_of(&f, 1, 3, (0, 3), (0, 0)), Some((0, 2)));
    }

    #[test]
    fn range_current_row_spans_the_peers() {
        let f = Frame { rows: false, start: FrameEdge::UnboundedPreceding, end: FrameEdge::CurrentRow };
        assert_eq!(frame_of(&f, 1, 4, (1, 3), (0, 0)), Some((0, 2)));
        let f = Frame { rows: false, start: FrameEdge::CurrentRow, end: FrameEdge::UnboundedFollowing };
        assert_eq!(frame_of(&f, 2, 4, (1, 3), (0, 0)), Some((1, 3)));
    }
}
