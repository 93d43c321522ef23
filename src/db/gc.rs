//! Garbage collection: marking what the retained states and the system
//! tree reach, the free list, and copying the present out of sparse pages.

use std::collections::{HashMap, HashSet};

use crate::error::Result;
use crate::store::btree::NodeRef;
use crate::store::page::{Reader, Writer};
use crate::store::pager::{page_of, FIRST_LOG_PAGE, RECORD_MAX};

use super::system::{bad_sys, sys_key, SYS_ENTRY};
use super::Database;

#[derive(Clone, Copy, Default)]
pub(super) struct GcStats {
    pub(super) live_bytes: u64,
    pub(super) history_bytes: u64,
    pub(super) appended_at_gc: u64,
    pub(super) free_len: usize,
}

/// A page whose live records total less than this is copied out of.
const SPARSE_BYTES: usize = 1024;
const FREE_PER_RECORD: usize = (RECORD_MAX - 16) / 8;

impl Database {
    /// Whether enough was written since the last collection for the next
    /// durable operation to collect garbage. A lazily loaded image defers
    /// the collection (marking reads every live record) until every page is
    /// loaded: the browser runtime then loads them and calls
    /// [`Database::gc`].
    pub fn gc_due(&self) -> bool {
        let since = self.store.pager.appended() - self.gc.appended_at_gc;
        since >= self.gc_min_bytes.max(self.gc.live_bytes / 2)
    }

    pub(super) fn maybe_gc(&mut self) {
        // Never on a partly loaded image: a durable operation must not need
        // a page it did not already read (it could not be run again).
        if self.gc_due() && self.store.pager.fully_loaded() {
            // A failed collection leaves the database at its last durable
            // state; the next write reports the storage error.
            let _ = self.gc();
        }
    }

    /// Reclaims every page that no retained state, nor the system tree,
    /// reaches, and records the live and history byte counts. Runs
    /// automatically once enough has been written since the last run.
    pub fn gc(&mut self) -> Result<()> {
        if self.txn.is_some() {
            // The open transaction's copied nodes name stored bases; keep
            // everything until it ends.
            return Ok(());
        }
        let saved = self.save();
        let (first, gc) = (self.first, self.gc);
        let old_free = self.store.pager.free().to_vec();
        let result = self.collect();
        self.gc.appended_at_gc = self.store.pager.appended();
        if let Err(e) = result {
            self.restore(saved, first, gc);
            self.store.pager.set_free(old_free);
            self.gc.appended_at_gc = self.store.pager.appended();
            return Err(e);
        }
        Ok(())
    }

    fn collect(&mut self) -> Result<()> {
        self.relocate_sparse()?;
        let mut live = HashMap::new();
        let head = self.head.addr().unwrap_or(0);
        let current = self.store.mark(head, &mut live)?;
        let mut total = current;
        for &(_, root) in &self.roots[self.first..] {
            total += self.store.mark(root, &mut live)?;
        }
        total += self.store.mark(self.sys.addr().unwrap_or(0), &mut live)?;
        let mut at = self.free_head;
        while at != 0 && !live.contains_key(&at) {
            let rec = self.store.pager.read(at)?;
            live.insert(at, 4 + rec.len() as u32);
            at = Reader::new(&rec).u64()?;
        }
        let mut used: HashMap<u64, u32> = HashMap::new();
        for (&a, &len) in &live {
            *used.entry(page_of(a)).or_default() += len;
        }
        let tail = self.store.pager.tail_page();
        // Pages mostly dead are emptied by the next collection: what the
        // present still needs from them is copied out.
        self.sparse =
            used.iter().filter(|&(&p, &b)| p != tail && (b as usize) < SPARSE_BYTES).map(|(&p, _)| p).collect();
        used.insert(tail, 0);
        let (next_page, _) = self.store.pager.page_counts();
        let mut free: Vec<u64> = (FIRST_LOG_PAGE..next_page).rev().filter(|p| !used.contains_key(p)).collect();
        // The new list is written into free pages that it does not list, so
        // none of the pages it lists is overwritten before it is durable.
        // Reserved pages left over are reused first and found free again by
        // the next collection if the database is reopened before that.
        // The reserve comes from pages that were already free before this
        // collection: pages freed just now may still be reachable from the
        // durable superblock, which survives if this commit is torn.
        let reserve_len = free.len() / FREE_PER_RECORD + 2;
        let previously_free: HashSet<u64> = self.store.pager.free().iter().copied().collect();
        let mut reserve = Vec::with_capacity(reserve_len);
        free.retain(|p| {
            let take = reserve.len() < reserve_len && previously_free.contains(p);
            if take {
                reserve.push(*p);
            }
            !take
        });
        self.store.pager.set_free(reserve);
        let mut next = 0;
        for chunk in free.chunks(FREE_PER_RECORD) {
            let mut rec = Vec::with_capacity(12 + chunk.len() * 8);
            rec.put_u64(next);
            rec.put_u32(chunk.len() as u32);
            for &p in chunk {
                rec.put_u64(p);
            }
            next = self.store.pager.append(&rec)?;
        }
        self.free_head = next;
        self.gc.free_len = free.len();
        free.extend_from_slice(self.store.pager.free());
        self.store.pager.set_free(free);
        self.gc.live_bytes = total;
        self.gc.history_bytes = total - current;
        // Decoded nodes of freed pages must not outlive their pages.
        self.store.clear_cache();
        self.write_superblock()
    }

    /// Rewrites the parts of the current data tree and of the system tree
    /// that depend on pages found mostly dead by the previous collection.
    /// The current entry keeps its state; only its root address changes.
    fn relocate_sparse(&mut self) -> Result<()> {
        let sparse = std::mem::take(&mut self.sparse);
        if sparse.is_empty() {
            return Ok(());
        }
        if let (Some(moved), Some(last)) = (self.store.relocate(&self.head, &sparse)?, self.entries.last()) {
            let addr = self.store.persist(&moved)?;
            let key = sys_key(SYS_ENTRY, last.seq);
            let mut rec = self.store.get(&self.sys, &key)?.ok_or_else(|| bad_sys("current entry missing"))?;
            rec.get_mut(9..17).ok_or_else(|| bad_sys("short timeline entry"))?.copy_from_slice(&addr.to_le_bytes());
            self.store.put(&mut self.sys, &key, &rec)?;
            self.roots.last_mut().expect("an entry exists").1 = addr;
            self.head = NodeRef::Stored(addr);
        }
        if let Some(moved) = self.store.relocate(&self.sys, &sparse)? {
            self.sys = moved;
        }
        let sys = self.store.persist(&self.sys)?;
        self.sys = NodeRef::Stored(sys);
        Ok(())
    }
}
