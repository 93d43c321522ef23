//! Planning a FROM clause: flattening joins, pushing conjuncts down to
//! the leaf or join step where their columns are all available, equi-join
//! keys, index probes, and each table's access path.

use crate::sql::catalog::{self, TableMeta};
use crate::sql::joinorder;

use super::*;

/// A FROM entry before planning.
pub enum FromPart {
    /// A leaf.
    Leaf(LeafSource),
    /// A join of two parts with its ON conjuncts (positions in the combined row).
    Join(Box<FromPart>, Box<FromPart>, JoinKind, Vec<BExpr>),
}

pub(super) fn source_width(s: &LeafSource) -> usize {
    match s {
        LeafSource::Table { meta, row_id, .. } => meta.columns.len() + usize::from(*row_id),
        LeafSource::Versions { meta, .. } => meta.columns.len() + 2,
        LeafSource::Rows(_, w) => *w,
        LeafSource::Query(p) => p.columns().len(),
        LeafSource::Working(_, w) => *w,
        LeafSource::Join(f) => f.width,
    }
}

/// Flattens a left-deep FROM into leaves and join steps and distributes
/// the WHERE conjuncts.
pub fn plan_from(parts: Vec<FromPart>, where_: Vec<BExpr>) -> FromPlan {
    // Flatten: comma entries are inner joins without conditions.
    let mut leaves: Vec<(LeafSource, usize)> = Vec::new();
    let mut kinds: Vec<(JoinKind, Vec<BExpr>)> = Vec::new();
    fn flatten(
        p: FromPart,
        leaves: &mut Vec<(LeafSource, usize)>,
        kinds: &mut Vec<(JoinKind, Vec<BExpr>)>,
        off: &mut usize,
    ) {
        match p {
            FromPart::Leaf(s) => {
                let w = source_width(&s);
                if !leaves.is_empty() {
                    kinds.push((JoinKind::Inner, Vec::new()));
                }
                leaves.push((s, *off));
                *off += w;
            }
            FromPart::Join(l, r, kind, conds) => {
                flatten(*l, leaves, kinds, off);
                match *r {
                    FromPart::Leaf(s) => {
                        let w = source_width(&s);
                        kinds.push((kind, conds));
                        leaves.push((s, *off));
                        *off += w;
                    }
                    // a parenthesized join on the right: planned on its own
                    nested => nest(nested, kind, conds, leaves, kinds, off),
                }
            }
        }
    }
    /// Adds `p` as one leaf (a join planned on its own), joined by `kind`.
    fn nest(
        mut p: FromPart,
        kind: JoinKind,
        conds: Vec<BExpr>,
        leaves: &mut Vec<(LeafSource, usize)>,
        kinds: &mut Vec<(JoinKind, Vec<BExpr>)>,
        off: &mut usize,
    ) {
        let start = *off;
        shift_part(&mut p, start);
        let mut inner_leaves = Vec::new();
        let mut inner_kinds = Vec::new();
        let mut inner_off = 0;
        flatten(p, &mut inner_leaves, &mut inner_kinds, &mut inner_off);
        let inner = plan_leaves(inner_leaves, inner_kinds, Vec::new(), inner_off);
        kinds.push((kind, conds));
        leaves.push((LeafSource::Join(Box::new(inner)), start));
        *off += inner_off;
    }
    fn has_outer_join(p: &FromPart) -> bool {
        match p {
            FromPart::Leaf(_) => false,
            FromPart::Join(l, r, kind, _) => *kind != JoinKind::Inner || has_outer_join(l) || has_outer_join(r),
        }
    }
    let mut off = 0;
    for p in parts {
        // A comma binds less tightly than JOIN: in `a, b RIGHT JOIN c` the
        // outer join is `b RIGHT JOIN c`, joined to `a` as a whole.
        if !leaves.is_empty() && has_outer_join(&p) {
            nest(p, JoinKind::Inner, Vec::new(), &mut leaves, &mut kinds, &mut off);
        } else {
            flatten(p, &mut leaves, &mut kinds, &mut off);
        }
    }
    plan_leaves(leaves, kinds, where_, off)
}

/// Plans flattened leaves (each with its offset in the written row):
/// chooses the join order (see [`joinorder::order`]), lays the columns out
/// in that order, and records how to put the rows back in the written
/// layout.
pub(super) fn plan_leaves(
    leaves: Vec<(LeafSource, usize)>,
    kinds: Vec<(JoinKind, Vec<BExpr>)>,
    where_: Vec<BExpr>,
    width: usize,
) -> FromPlan {
    let widths: Vec<usize> = leaves.iter().map(|(s, _)| source_width(s)).collect();
    let Some(order) = joinorder::order(&leaves, &widths, &kinds, &where_) else {
        return build(leaves, kinds, where_, width);
    };
    let mut new_off = vec![0; leaves.len()];
    let mut at = 0;
    for &l in &order {
        new_off[l] = at;
        at += widths[l];
    }
    let old_off: Vec<usize> = leaves.iter().map(|(_, o)| *o).collect();
    let map = |c: usize| -> usize {
        let l = (0..old_off.len()).rev().find(|&l| old_off[l] <= c && widths[l] > 0).unwrap_or(0);
        c - old_off[l] + new_off[l]
    };
    let perm: Vec<usize> = (0..width).map(map).collect();
    // Conjuncts with correlated subqueries are evaluated on the rows put
    // back in the written layout (`FromPlan::post`); `order` keeps the
    // written order when an ON condition has one.
    let where_ = where_.into_iter().map(|c| if c.columns(&mut |_| {}) { c.remapped(&map) } else { c }).collect();
    let kinds = kinds.into_iter().map(|(k, conds)| (k, conds.iter().map(|c| c.remapped(&map)).collect())).collect();
    let mut slots: Vec<Option<LeafSource>> = leaves.into_iter().map(|(s, _)| Some(s)).collect();
    let leaves = order.iter().filter_map(|&l| slots[l].take().map(|s| (s, new_off[l]))).collect();
    FromPlan { perm: Some(perm), ..build(leaves, kinds, where_, width) }
}

pub(super) fn shift_part(p: &mut FromPart, by: usize) {
    if let FromPart::Join(l, r, _, conds) = p {
        shift_part(l, by);
        shift_part(r, by);
        for c in conds.iter_mut() {
            *c = c.shifted(by);
        }
    }
}

pub(super) fn build(
    leaves: Vec<(LeafSource, usize)>,
    kinds: Vec<(JoinKind, Vec<BExpr>)>,
    where_: Vec<BExpr>,
    width: usize,
) -> FromPlan {
    let n = leaves.len();
    let bounds: Vec<(usize, usize)> = leaves.iter().map(|(s, o)| (*o, *o + source_width(s))).collect();
    let leaf_of = |c: usize| bounds.iter().position(|(a, b)| c >= *a && c < *b).unwrap_or(n.saturating_sub(1));
    // leaves on the nullable side of an outer join (or preserved side of a right join)
    let mut nullable = vec![false; n];
    for (i, (k, _)) in kinds.iter().enumerate() {
        match k {
            JoinKind::Left => nullable[i + 1] = true,
            JoinKind::Right => (0..=i).for_each(|j| nullable[j] = true),
            JoinKind::Inner => {}
        }
    }
    let mut out_leaves: Vec<Leaf> = leaves
        .into_iter()
        .map(|(s, _)| Leaf { width: source_width(&s), source: s, filters: Vec::new(), read: None })
        .collect();
    let mut steps: Vec<Step> = kinds
        .iter()
        .map(|(k, _)| Step { kind: *k, keys: Vec::new(), cond: Vec::new(), post: Vec::new(), probe: None })
        .collect();
    let mut post = Vec::new();

    // analyse a conjunct: (min leaf, max leaf, single leaf?) ; None when it holds correlated subqueries
    let analyse = |e: &BExpr| -> Option<(Option<usize>, usize)> {
        let mut lo = usize::MAX;
        let mut hi = 0usize;
        let mut any = false;
        let ok = e.columns(&mut |c| {
            let l = leaf_of(c);
            lo = lo.min(l);
            hi = hi.max(l);
            any = true;
        });
        if !ok {
            return None;
        }
        if !any {
            return Some((None, 0));
        }
        Some((if lo == hi { Some(lo) } else { None }, hi))
    };

    let lowest_leaf = |e: &BExpr| -> usize {
        let mut lo = usize::MAX;
        e.columns(&mut |c| lo = lo.min(leaf_of(c)));
        lo
    };

    // WHERE conjuncts
    for c in where_ {
        match analyse(&c) {
            None => post.push(c),
            Some((Some(l), _)) if !nullable[l] => {
                out_leaves[l].filters.push(c.shifted(bounds[l].0));
            }
            Some((None, 0)) if n > 0 && !nullable[0] && !c.has_subquery() => out_leaves[0].filters.push(c),
            Some((_, hi)) => {
                if hi == 0 || n == 0 {
                    post.push(c);
                    continue;
                }
                // After an inner join, filtering the joined rows is the
                // join condition (and gives it keys), unless a later RIGHT
                // join may add rows the filter has to see.
                let outer_involved = (0..=hi).any(|j| nullable[j])
                    && (steps[hi - 1].kind != JoinKind::Inner || steps.iter().any(|s| s.kind == JoinKind::Right));
                if outer_involved {
                    // A later RIGHT join pads rows with NULLs for the
                    // leaves before it: a conjunct over any of them must
                    // see those rows, so it runs after that join.
                    let lo = lowest_leaf(&c);
                    let at = (hi - 1..steps.len())
                        .filter(|&i| steps[i].kind == JoinKind::Right && i >= lo)
                        .max()
                        .unwrap_or(hi - 1);
                    steps[at].post.push(c);
                } else {
                    steps[hi - 1].cond.push(c);
                }
            }
        }
    }
    // ON conjuncts
    for (i, (kind, conds)) in kinds.into_iter().enumerate() {
        let right = i + 1;
        if kind == JoinKind::Inner {
            // Within a run of inner joins an ON condition is a filter that
            // applies from the step where its leaves are joined on; the
            // run's first leaf after an outer join is that join's and
            // takes no filter of a later step.
            let start = (0..=right).rev().find(|&s| s == 0 || steps[s - 1].kind != JoinKind::Inner).unwrap_or(0);
            let floor = if start == 0 { 0 } else { start + 1 };
            for c in conds {
                match analyse(&c) {
                    Some((single, hi)) => {
                        let h = hi.max(floor);
                        if single == Some(h) && !c.has_subquery() {
                            out_leaves[h].filters.push(c.shifted(bounds[h].0));
                        } else {
                            steps[h.max(1) - 1].cond.push(c);
                        }
                    }
                    None => steps[i].cond.push(c),
                }
            }
            continue;
        }
        for c in conds {
            match analyse(&c) {
                Some((Some(l), _)) if l == right && kind != JoinKind::Right && !c.has_subquery() => {
                    out_leaves[l].filters.push(c.shifted(bounds[l].0));
                }
                _ => steps[i].cond.push(c),
            }
        }
    }
    // equi-join keys out of step conditions
    for (i, st) in steps.iter_mut().enumerate() {
        let right = i + 1;
        let (ra, _) = bounds[right];
        let mut rest = Vec::new();
        for c in std::mem::take(&mut st.cond) {
            if let Some((a, b, coll)) = c.as_equality() {
                let side = |e: &BExpr| -> Option<bool> {
                    // Some(true): only the right leaf; Some(false): only earlier leaves
                    let mut l = false;
                    let mut r = false;
                    let ok = e.columns(&mut |col| {
                        if col >= ra && col < bounds[right].1 {
                            r = true
                        } else {
                            l = true
                        }
                    });
                    if !ok || e.has_subquery() || (l && r) || (!l && !r) {
                        return None;
                    }
                    Some(r)
                };
                match (side(a), side(b)) {
                    (Some(false), Some(true)) => {
                        st.keys.push((a.clone(), b.shifted(ra), coll));
                        continue;
                    }
                    (Some(true), Some(false)) => {
                        st.keys.push((b.clone(), a.shifted(ra), coll));
                        continue;
                    }
                    _ => {}
                }
            }
            rest.push(c);
        }
        st.cond = rest;
    }
    // access paths for table leaves
    for leaf in out_leaves.iter_mut() {
        if let LeafSource::Table { meta, access, .. } = &mut leaf.source {
            *access = choose_access(meta, &leaf.filters);
        }
    }
    // index lookups for joined tables read in full (a RIGHT join needs
    // every row of its leaf anyway)
    for (i, st) in steps.iter_mut().enumerate() {
        if st.kind == JoinKind::Right {
            continue;
        }
        if let LeafSource::Table { meta, access: Access::Full, .. } = &out_leaves[i + 1].source {
            // a key compared under its column's own collation
            st.probe = st.keys.iter().enumerate().find_map(|(k, (_, re, coll))| {
                let c = re.column_under(*coll)?;
                meta.indexes.iter().position(|ix| ix.columns.first() == Some(&c)).map(|ix| (k, ix))
            });
        }
    }
    FromPlan { leaves: out_leaves, steps, post, width, perm: None }
}

pub(super) fn col_type_matches(meta: &TableMeta, col: usize, e: &BExpr) -> bool {
    // a literal must have an index key for the column; other constants are
    // converted at run time, or the table is read whole
    match e {
        BExpr::Lit(v) => catalog::index_key_value(&meta.columns[col], v).is_some(),
        _ => true,
    }
}

/// The access path of a table leaf given the filters on its own columns.
pub(crate) fn choose_access(meta: &TableMeta, filters: &[BExpr]) -> Access {
    let first_col_index = |c: usize| meta.indexes.iter().position(|ix| ix.columns.first() == Some(&c));
    // equality
    for f in filters {
        if let Some((c, CmpOp::Eq, k)) = f.as_col_cmp() {
            if let Some(ix) = first_col_index(c) {
                if col_type_matches(meta, c, k) {
                    return Access::IndexEq { index: ix, values: vec![k.clone()] };
                }
            }
        }
    }
    // IN list
    for f in filters {
        if let BExpr::InList(a, list, false) = f {
            if let BExpr::Col(c) = **a {
                if let Some(ix) = first_col_index(c) {
                    if list.iter().all(|k| k.is_const() && col_type_matches(meta, c, k)) {
                        return Access::IndexEq { index: ix, values: list.clone() };
                    }
                }
            }
        }
    }
    // ranges
    let mut best: Option<(usize, usize, Option<BExpr>, Option<BExpr>)> = None;
    for f in filters {
        let (c, lo, hi) = match f {
            BExpr::Between(a, l, h, false) => match **a {
                BExpr::Col(c) if l.is_const() && h.is_const() => (c, Some((**l).clone()), Some((**h).clone())),
                _ => continue,
            },
            _ => match f.as_col_cmp() {
                Some((c, CmpOp::Gt | CmpOp::Ge, k)) => (c, Some(k.clone()), None),
                Some((c, CmpOp::Lt | CmpOp::Le, k)) => (c, None, Some(k.clone())),
                _ => continue,
            },
        };
        let Some(ix) = first_col_index(c) else { continue };
        if !lo.iter().chain(hi.iter()).all(|k| col_type_matches(meta, c, k)) {
            continue;
        }
        match &mut best {
            Some((bc, _, blo, bhi)) if *bc == c => {
                if blo.is_none() {
                    *blo = lo;
                }
                if bhi.is_none() {
                    *bhi = hi;
                }
            }
            Some(_) => {}
            None => best = Some((c, ix, lo, hi)),
        }
    }
    match best {
        Some((_, ix, lo, hi)) => Access::IndexRange { index: ix, lo, hi },
        None => Access::Full,
    }
}
