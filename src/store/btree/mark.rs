//! What garbage collection needs from the tree: marking the records a root
//! reaches, and copying the present out of mostly dead pages.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::codec::{patch_base, read_val, skip_key, skip_links};
use super::node::{Node, NodeRef, Val};
use super::{is_patch, Store, TAG_CHUNK, TAG_INTERNAL, TAG_LEAF};
use crate::error::{Error, Result};
use crate::store::page::Reader;
use crate::store::pager::{page_of, Addr};

/// What a relocation slice did: the tree's new in-memory root (`None`:
/// nothing it visited moved) and the first key it did not visit (`None`: it
/// reached the end).
pub type Relocated = (Option<NodeRef>, Option<Rc<[u8]>>);

/// Marking in bounded steps: the records found live so far, the live
/// bytes per page, and the records still to visit. Committed records never
/// change, so a marker can be stepped between commits: what it finds live
/// stays live for the roots it was given.
#[derive(Default)]
pub struct Marker {
    stack: Vec<(Addr, bool)>,
    live: HashSet<Addr>,
    used: HashMap<u64, u32>,
    bytes: u64,
}

impl Marker {
    /// A marker with room for about `records` live records.
    pub fn with_capacity(records: usize) -> Marker {
        Marker { live: HashSet::with_capacity(records), ..Marker::default() }
    }

    /// Adds the tree rooted at `addr` (0: the empty tree) to what is marked.
    pub fn push_root(&mut self, addr: Addr) {
        self.stack.push((addr, false));
    }

    /// Adds the record at `addr` alone (a free-list record), returning
    /// whether it was not marked yet.
    pub fn mark_record(&mut self, addr: Addr, len: u32) -> bool {
        if !self.live.insert(addr) {
            return false;
        }
        *self.used.entry(page_of(addr)).or_default() += len;
        true
    }

    /// Whether the record at `addr` is marked.
    pub fn is_live(&self, addr: Addr) -> bool {
        self.live.contains(&addr)
    }

    /// Bytes of the records marked by [`Store::mark_step`].
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Records marked.
    pub fn records(&self) -> usize {
        self.live.len()
    }

    /// Live record bytes per page.
    pub fn page_bytes(&self) -> &HashMap<u64, u32> {
        &self.used
    }
}

impl Store {
    /// Visits up to `budget` records of `m`'s pending set, adding each to
    /// its live set and pushing what it reaches; returns whether nothing is
    /// left to visit. Records are parsed, not decoded: a patch reaches its
    /// base plus the children it sets, which is exactly what the patched
    /// node reaches given that its base is live.
    pub fn mark_step(&self, m: &mut Marker, budget: usize) -> Result<bool> {
        let mut visited = 0;
        while visited < budget {
            let Some((a, chunk)) = m.stack.pop() else { break };
            if a == 0 || m.live.contains(&a) {
                continue;
            }
            visited += 1;
            let rec = self.pager.read(a)?;
            m.live.insert(a);
            let len = 4 + rec.len() as u32;
            *m.used.entry(page_of(a)).or_default() += len;
            m.bytes += u64::from(len);
            let mut r = Reader::new(&rec);
            let tag = r.u8()?;
            if chunk {
                if tag != TAG_CHUNK {
                    return Err(Error::Corrupt(format!("value chunk at {a:#x} has the wrong tag")));
                }
                m.stack.push((r.u64()?, true));
                continue;
            }
            let level = r.u8()?;
            let patch = is_patch(&rec);
            if patch {
                let depth = r.u8()?;
                m.stack.push((r.varint()?, false));
                skip_links(&mut r, tag, a, depth)?;
            } else if !matches!(tag, TAG_LEAF | TAG_INTERNAL) {
                return Err(Error::Corrupt(format!("record at {a:#x} is not a node")));
            }
            let n = r.varint()?;
            for _ in 0..n {
                skip_key(&mut r)?;
                if patch && r.u8()? == 0 {
                    continue;
                }
                if level > 0 {
                    m.stack.push((r.varint()?, false));
                } else if let Val::Chunked { head, .. } = read_val(&mut r)? {
                    m.stack.push((head, true));
                }
            }
        }
        Ok(m.stack.is_empty())
    }

    /// Whether the record at `addr`, or a record it depends on (its patch
    /// chain, its value chunks), lies on one of the `pages`.
    fn depends_on(&self, addr: Addr, pages: &HashSet<u64>) -> Result<bool> {
        let mut at = addr;
        while at != 0 {
            if pages.contains(&page_of(at)) {
                return Ok(true);
            }
            let rec = self.pager.read(at)?;
            if !is_patch(&rec) {
                break;
            }
            at = patch_base(&rec)?;
        }
        Ok(false)
    }

    /// Copies out of `pages` every node of the tree (and every long value)
    /// that depends on them, visiting about `budget` nodes (at least the
    /// path to one leaf; `budget` is left with what remains): such nodes
    /// are rewritten in full, their ancestors as patches. The walk starts at the subtree holding `from` (the whole
    /// tree when `None`). Returns the new in-memory root (`None` when nothing
    /// it visited depends on those pages) and the first key it did not
    /// visit (`None`: it reached the end), where the next slice resumes.
    /// Older versions keep the old copies until they leave the window; then
    /// the pages become free. A relocation cut short, or resumed on a tree
    /// changed in between, is still correct: a node it misses keeps its
    /// pages live, and a node written since lies on a page not in `pages`.
    pub fn relocate(
        &self,
        r: &NodeRef,
        pages: &HashSet<u64>,
        from: Option<&[u8]>,
        budget: &mut usize,
    ) -> Result<Relocated> {
        let mut resume = None;
        let moved = self.relocate_in(r, pages, from, budget, &mut resume)?;
        Ok((moved, resume))
    }

    fn relocate_in(
        &self,
        r: &NodeRef,
        pages: &HashSet<u64>,
        from: Option<&[u8]>,
        left: &mut usize,
        resume: &mut Option<Rc<[u8]>>,
    ) -> Result<Option<NodeRef>> {
        let NodeRef::Stored(a) = *r else { return Ok(None) };
        if a == 0 {
            return Ok(None);
        }
        *left = left.saturating_sub(1);
        let node = self.load(a)?;
        let moved = self.depends_on(a, pages)?;
        let mut copy: Option<Node> = None;
        if node.is_leaf() {
            for (i, v) in node.vals.iter().enumerate() {
                if let Val::Chunked { head, .. } = v {
                    let mut at = *head;
                    let mut touches = false;
                    while at != 0 && !touches {
                        touches = pages.contains(&page_of(at));
                        at = Reader::new(self.pager.read(at)?.get(1..).unwrap_or_default()).u64()?;
                    }
                    if touches {
                        let bytes: Rc<[u8]> = self.value(v)?.into();
                        copy.get_or_insert_with(|| (*node).clone()).vals[i] = Val::Big(bytes);
                    }
                }
            }
        } else {
            let start = from.map_or(0, |k| node.child_index(k));
            for (i, kid) in node.kids.iter().enumerate().skip(start) {
                // The first subtree is always walked: a slice reaches at
                // least one leaf past where the last one stopped, so a
                // budget smaller than the tree's depth still progresses.
                if *left == 0 && i > start {
                    *resume = Some(node.keys[i].clone());
                    break;
                }
                let from = if i == start { from } else { None };
                if let Some(k) = self.relocate_in(kid, pages, from, left, resume)? {
                    copy.get_or_insert_with(|| (*node).clone()).kids[i] = k;
                }
                if resume.is_some() {
                    break;
                }
            }
        }
        if !moved && copy.is_none() {
            return Ok(None);
        }
        let mut n = copy.unwrap_or_else(|| (*node).clone());
        n.origin = if moved { None } else { Some((a, node.depth)) };
        Ok(Some(NodeRef::Mem(Rc::new(n))))
    }
}
