//! Join ordering: the order in which the leaves of a FROM clause are
//! joined.
//!
//! Within each maximal run of inner (or comma) joins the leaves are
//! joined along the join predicates: greedily, starting from the leaf with
//! the smallest estimated row count, then always the smallest leaf that an
//! equality predicate connects to the leaves joined so far (else any
//! predicate; only when no predicate connects a leaf, a cross product).
//! Outer joins keep their place: a run that follows a LEFT or RIGHT join
//! keeps its first leaf (the join's right side) first, and no leaf moves
//! across an outer join.
//!
//! The planner joins the leaves in this order with the columns laid out in
//! that order, and puts the rows back in the written layout at the end
//! (see [`super::plan::FromPlan::perm`]).

use super::ast::JoinKind;
use super::bind::choose_access;
use super::plan::{Access, BExpr, LeafSource};

/// Rows assumed for a leaf whose size is not known at planning time.
const UNKNOWN_ROWS: u64 = 1000;

/// The leaves each side of a conjunct reads, by leaf number.
struct Conjunct {
    /// All leaves read (sorted, deduplicated).
    all: Vec<usize>,
    /// For `a = b` with each side reading its own leaves: (a's, b's).
    eq: Option<(Vec<usize>, Vec<usize>)>,
}

/// The order in which to join `leaves` (each with its offset in the
/// written row), given the join kinds (`kinds[i]` joins leaf `i + 1`,
/// with its ON conjuncts) and the WHERE conjuncts; `None` when the written
/// order stands. Conjuncts are bound on the written row.
pub fn order(
    leaves: &[(LeafSource, usize)],
    widths: &[usize],
    kinds: &[(JoinKind, Vec<BExpr>)],
    where_: &[BExpr],
) -> Option<Vec<usize>> {
    let n = leaves.len();
    if n < 2 {
        return None;
    }
    let leaf_of = |c: usize| (0..n).find(|&i| c >= leaves[i].1 && c < leaves[i].1 + widths[i]);
    let read = |e: &BExpr| -> Option<Vec<usize>> {
        let mut ls = Vec::new();
        if !e.columns(&mut |c| ls.extend(leaf_of(c))) {
            return None;
        }
        ls.sort_unstable();
        ls.dedup();
        Some(ls)
    };
    // A correlated subquery in an ON condition is evaluated on the row as
    // written, in the middle of the joins: keep the written order.
    let mut conjuncts = Vec::new();
    for (kind, conds) in kinds {
        for c in conds {
            let all = read(c)?;
            if *kind == JoinKind::Inner {
                conjuncts.push(analyse(c, all, &read));
            }
        }
    }
    for c in where_ {
        if let Some(all) = read(c) {
            conjuncts.push(analyse(c, all, &read));
        }
    }
    // estimated rows of each leaf, after its own filters
    let est: Vec<u64> = leaves
        .iter()
        .enumerate()
        .map(|(i, (s, off))| {
            let own: Vec<BExpr> = where_
                .iter()
                .filter(|c| read(c).is_some_and(|ls| ls == [i]) && !c.has_subquery())
                .map(|c| c.shifted(*off))
                .collect();
            estimate(s, &own)
        })
        .collect();

    let mut order: Vec<usize> = Vec::with_capacity(n);
    let mut joined = vec![false; n];
    let mut start = 0;
    while start < n {
        // the run: `start` and the leaves after it joined by inner joins
        let mut end = start + 1;
        while end < n && kinds[end - 1].0 == JoinKind::Inner {
            end += 1;
        }
        let mut pending: Vec<usize> = (start..end).collect();
        if start > 0 {
            // the right side of an outer join stays where it is
            pending.remove(0);
            order.push(start);
            joined[start] = true;
        }
        while !pending.is_empty() {
            let pick = best(&pending, &est, |x| connected(x, &joined, &conjuncts, true))
                .or_else(|| best(&pending, &est, |x| connected(x, &joined, &conjuncts, false)))
                .or_else(|| best(&pending, &est, |_| true))
                .unwrap_or(0);
            let leaf = pending.remove(pick);
            order.push(leaf);
            joined[leaf] = true;
        }
        start = end;
    }
    if order.iter().enumerate().all(|(i, l)| i == *l) {
        None
    } else {
        Some(order)
    }
}

fn analyse(c: &BExpr, all: Vec<usize>, read: &dyn Fn(&BExpr) -> Option<Vec<usize>>) -> Conjunct {
    let eq = match c {
        _ if c.has_subquery() => None,
        _ => match c.as_equality().and_then(|(a, b, _)| Some((read(a)?, read(b)?))) {
            Some((la, lb)) if !la.is_empty() && !lb.is_empty() && la.iter().all(|l| !lb.contains(l)) => Some((la, lb)),
            _ => None,
        },
    };
    Conjunct { all, eq }
}

/// Whether a conjunct joins leaf `x` to the joined leaves: an equality
/// with `x` alone on one side and joined leaves on the other (`equality`),
/// or any conjunct over `x` and joined leaves.
fn connected(x: usize, joined: &[bool], conjuncts: &[Conjunct], equality: bool) -> bool {
    conjuncts.iter().any(|c| {
        if equality {
            let Some((a, b)) = &c.eq else { return false };
            let only_x = |s: &[usize]| s == [x];
            let done = |s: &[usize]| s.iter().all(|l| joined[*l]);
            (only_x(a) && done(b)) || (only_x(b) && done(a))
        } else {
            c.all.contains(&x) && c.all.len() > 1 && c.all.iter().all(|l| *l == x || joined[*l])
        }
    })
}

/// The position in `pending` of the leaf with the smallest estimate among
/// those that pass `ok` (the first written on a tie).
fn best(pending: &[usize], est: &[u64], ok: impl Fn(usize) -> bool) -> Option<usize> {
    pending.iter().enumerate().filter(|(_, l)| ok(**l)).min_by_key(|(i, l)| (est[**l], *i)).map(|(i, _)| i)
}

/// Estimated rows of a leaf given the filters on its own columns (bound
/// on the leaf's row). Stored tables keep no row counts, so a table's
/// size is a guess refined by its access path and filters.
fn estimate(s: &LeafSource, filters: &[BExpr]) -> u64 {
    let base = match s {
        LeafSource::Rows(rows, _) => return rows.len() as u64,
        LeafSource::Table { meta, .. } => match choose_access(meta, filters) {
            Access::IndexEq { values, .. } => return 2 * values.len() as u64,
            Access::IndexRange { .. } => UNKNOWN_ROWS / 4,
            Access::Full => UNKNOWN_ROWS,
        },
        _ => UNKNOWN_ROWS,
    };
    // each further filter keeps about a quarter of the rows
    filters.iter().fold(base, |n, _| (n / 4).max(1))
}
