//! The difference between two trees, skipping the subtrees they share.

use std::collections::VecDeque;
use std::ops::Bound;

use super::node::{NodeRef, Val};
use super::{in_end, in_start, Key, Store};
use crate::error::Result;

/// One difference between two trees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The key.
    pub key: Vec<u8>,
    /// Value in the first tree.
    pub before: Option<Vec<u8>>,
    /// Value in the second tree.
    pub after: Option<Vec<u8>>,
}

enum Item {
    Sub { node: NodeRef, lo: Option<Key>, hi: Option<Key>, level: u8 },
    Ent { key: Key, val: Val },
}

impl Item {
    fn low(&self) -> Option<&[u8]> {
        match self {
            Item::Sub { lo, .. } => lo.as_deref(),
            Item::Ent { key, .. } => Some(key),
        }
    }
}

impl Store {
    /// Every key whose value differs between the trees `a` and `b` within
    /// `[start, end]`, in key order. Subtrees the two trees share are
    /// skipped, so the cost follows the size of the change.
    pub fn diff(&self, a: &NodeRef, b: &NodeRef, start: Bound<&[u8]>, end: Bound<&[u8]>) -> Result<Vec<Change>> {
        let mut out = Vec::new();
        let root_item = |r: &NodeRef| -> Result<Item> {
            Ok(Item::Sub { node: r.clone(), lo: None, hi: None, level: self.node(r)?.level })
        };
        let mut qa = VecDeque::from([root_item(a)?]);
        let mut qb = VecDeque::from([root_item(b)?]);
        // Each step either skips a shared subtree, expands one subtree, or
        // emits the entry with the lowest key (a key only one side has).
        enum Step {
            SkipBoth,
            Expand { a: bool, both: bool },
            OnlyA,
            OnlyB,
            Compare,
        }
        loop {
            let step = match (qa.front(), qb.front()) {
                (None, None) => break,
                (Some(Item::Sub { node: x, .. }), Some(Item::Sub { node: y, .. })) if x.same(y) => Step::SkipBoth,
                (Some(Item::Ent { .. }), None) => Step::OnlyA,
                (None, Some(Item::Ent { .. })) => Step::OnlyB,
                (Some(Item::Sub { .. }), None) => Step::Expand { a: true, both: false },
                (None, Some(Item::Sub { .. })) => Step::Expand { a: false, both: false },
                (Some(x), Some(y)) => {
                    let (lx, ly) = (x.low(), y.low());
                    match (x, y) {
                        (Item::Ent { .. }, Item::Ent { .. }) => Step::Compare,
                        (Item::Sub { level: la, .. }, Item::Sub { level: lb, .. }) => match (lx.cmp(&ly), la.cmp(lb)) {
                            (std::cmp::Ordering::Equal, std::cmp::Ordering::Equal) => {
                                Step::Expand { a: true, both: true }
                            }
                            (std::cmp::Ordering::Equal, levels) => Step::Expand { a: levels.is_gt(), both: false },
                            (lows, _) => Step::Expand { a: lows.is_lt(), both: false },
                        },
                        (Item::Sub { .. }, Item::Ent { .. }) if lx <= ly => Step::Expand { a: true, both: false },
                        (Item::Sub { .. }, Item::Ent { .. }) => Step::OnlyB,
                        (Item::Ent { .. }, Item::Sub { .. }) if ly <= lx => Step::Expand { a: false, both: false },
                        (Item::Ent { .. }, Item::Sub { .. }) => Step::OnlyA,
                    }
                }
            };
            match step {
                Step::SkipBoth => {
                    qa.pop_front();
                    qb.pop_front();
                }
                Step::Expand { a, both } => {
                    if both || !a {
                        let item = qb.pop_front().expect("front exists");
                        self.expand(item, &mut qb, start, end)?;
                    }
                    if both || a {
                        let item = qa.pop_front().expect("front exists");
                        self.expand(item, &mut qa, start, end)?;
                    }
                }
                Step::OnlyA => {
                    let (key, val) = self.pop_entry(&mut qa)?;
                    out.push(Change { key, before: Some(val), after: None });
                }
                Step::OnlyB => {
                    let (key, val) = self.pop_entry(&mut qb)?;
                    out.push(Change { key, before: None, after: Some(val) });
                }
                Step::Compare => {
                    let ord = qa.front().and_then(Item::low).cmp(&qb.front().and_then(Item::low));
                    let va = if ord.is_le() { Some(self.pop_entry(&mut qa)?) } else { None };
                    let vb = if ord.is_ge() { Some(self.pop_entry(&mut qb)?) } else { None };
                    let key = va.as_ref().or(vb.as_ref()).map(|(k, _)| k.clone()).unwrap_or_default();
                    let (before, after) = (va.map(|(_, v)| v), vb.map(|(_, v)| v));
                    if before != after {
                        out.push(Change { key, before, after });
                    }
                }
            }
        }
        Ok(out)
    }

    /// Removes the entry at the front of `q` and reads its value.
    fn pop_entry(&self, q: &mut VecDeque<Item>) -> Result<(Vec<u8>, Vec<u8>)> {
        match q.pop_front() {
            Some(Item::Ent { key, val }) => Ok((key.to_vec(), self.value(&val)?)),
            _ => unreachable!("the front is an entry"),
        }
    }

    fn expand(&self, item: Item, q: &mut VecDeque<Item>, start: Bound<&[u8]>, end: Bound<&[u8]>) -> Result<()> {
        let Item::Sub { node, lo, hi, .. } = item else { unreachable!("only subtrees are expanded") };
        let n = self.node(&node)?;
        let mut items = Vec::with_capacity(n.keys.len());
        if n.is_leaf() {
            for (k, v) in n.keys.iter().zip(&n.vals) {
                if in_start(k, start) && in_end(k, end) {
                    items.push(Item::Ent { key: k.clone(), val: v.clone() });
                }
            }
        } else {
            for i in 0..n.kids.len() {
                let clo = if i == 0 { lo.clone() } else { Some(n.keys[i].clone()) };
                let chi = if i + 1 < n.kids.len() { Some(n.keys[i + 1].clone()) } else { hi.clone() };
                let before_start = match (&chi, start) {
                    (Some(h), Bound::Included(s) | Bound::Excluded(s)) => &h[..] <= s,
                    _ => false,
                };
                let after_end = match (&clo, end) {
                    (Some(l), Bound::Included(e)) => &l[..] > e,
                    (Some(l), Bound::Excluded(e)) => &l[..] >= e,
                    _ => false,
                };
                if !before_start && !after_end {
                    items.push(Item::Sub { node: n.kids[i].clone(), lo: clo, hi: chi, level: n.level - 1 });
                }
            }
        }
        for it in items.into_iter().rev() {
            q.push_front(it);
        }
        Ok(())
    }
}
