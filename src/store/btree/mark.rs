//! What garbage collection needs from the tree: marking the records a root
//! reaches, and copying the present out of mostly dead pages.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::codec::{patch_base, read_val, skip_key};
use super::node::{Node, NodeRef, Val};
use super::{Store, TAG_INTERNAL, TAG_LEAF, TAG_PATCH};
use crate::error::{Error, Result};
use crate::store::page::Reader;
use crate::store::pager::{page_of, Addr};

impl Store {
    /// Adds every record reachable from the node at `addr` to `live` and
    /// returns the bytes newly marked. Records are parsed, not decoded: a
    /// patch reaches its base plus the children it sets, which is exactly
    /// what the patched node reaches given that its base is live.
    pub fn mark(&self, addr: Addr, live: &mut HashMap<Addr, u32>) -> Result<u64> {
        let mut bytes = 0;
        let mut stack = vec![addr];
        while let Some(a) = stack.pop() {
            if a == 0 || live.contains_key(&a) {
                continue;
            }
            let rec = self.pager.read(a)?;
            live.insert(a, 4 + rec.len() as u32);
            bytes += 4 + rec.len() as u64;
            let mut r = Reader::new(&rec);
            let tag = r.u8()?;
            let level = r.u8()?;
            let patch = tag == TAG_PATCH;
            if patch {
                r.u8()?;
                stack.push(r.varint()?);
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
                    stack.push(r.varint()?);
                } else if let Val::Chunked { head, .. } = read_val(&mut r)? {
                    let mut at = head;
                    while at != 0 && !live.contains_key(&at) {
                        let rec = self.pager.read(at)?;
                        live.insert(at, 4 + rec.len() as u32);
                        bytes += 4 + rec.len() as u64;
                        at = Reader::new(rec.get(1..).unwrap_or_default()).u64()?;
                    }
                }
            }
        }
        Ok(bytes)
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
            if rec.first() != Some(&TAG_PATCH) {
                break;
            }
            at = patch_base(&rec)?;
        }
        Ok(false)
    }

    /// Copies out of `pages` every node of the tree (and every long value)
    /// that depends on them: such nodes are rewritten in full, their
    /// ancestors as patches. Returns the new in-memory root, or `None` when
    /// nothing depends on those pages. Older versions keep the old copies
    /// until they leave the window; then the pages become free.
    pub fn relocate(&self, r: &NodeRef, pages: &HashSet<u64>) -> Result<Option<NodeRef>> {
        let NodeRef::Stored(a) = *r else { return Ok(None) };
        if a == 0 {
            return Ok(None);
        }
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
            for (i, kid) in node.kids.iter().enumerate() {
                if let Some(k) = self.relocate(kid, pages)? {
                    copy.get_or_insert_with(|| (*node).clone()).kids[i] = k;
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
