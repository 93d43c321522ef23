//! Garbage collection, incremental: a collection fixes its root set, marks
//! in bounded slices between durable operations, and sweeps in a final
//! slice; plus copying the present out of sparse pages.

use std::collections::HashSet;
use std::rc::Rc;

use crate::error::Result;
use crate::store::btree::{Marker, NodeRef};
use crate::store::page::{Reader, Writer};
use crate::store::pager::{Addr, FIRST_LOG_PAGE, RECORD_MAX};

use super::system::{bad_sys, sys_key, SYS_ENTRY};
use super::Database;

#[derive(Clone, Copy, Default)]
pub(super) struct GcStats {
    pub(super) live_bytes: u64,
    pub(super) history_bytes: u64,
    /// Record bytes appended when the last collection fixed its root set:
    /// what was appended since is not known to be garbage yet.
    pub(super) appended_at_gc: u64,
    pub(super) free_len: usize,
    /// Records the last collection found live (sizes the next one's set).
    pub(super) live_records: usize,
}

/// A page whose live records total less than this is copied out of.
const SPARSE_BYTES: usize = 1024;
const FREE_PER_RECORD: usize = (RECORD_MAX - 16) / 8;

/// A collection in progress, kept between durable operations.
///
/// Its root set is fixed when it starts: the current state, the retained
/// states, the system tree. Committed records are never modified and a
/// page is reused only after a sweep, so everything reachable from those
/// roots stays readable until this collection sweeps; and every record
/// written later is either on a page allocated after the start (live by
/// definition) or reachable from a root of the set (a new tree shares
/// only subtrees of the trees it was made from). Trims and backtracks
/// during the collection only make garbage that the next one reclaims.
pub(super) struct Collection {
    marker: Marker,
    /// Roots marked once the current state's records are counted.
    rest: Vec<Addr>,
    /// Record bytes the current state reaches (`None` until counted).
    current: Option<u64>,
    /// The page high-water mark at the start: pages from it on are new.
    next_page: u64,
    /// The tail page at the start (it receives the records written since).
    tail_page: u64,
    /// Free pages at the start: those no longer free were allocated since.
    free: HashSet<u64>,
}

/// Copying the present out of the pages the last collection found sparse,
/// in slices (each a durable update) before the next collection fixes its
/// root set: the current data tree, then the system tree, each from the
/// first key the previous slice did not visit.
pub(super) struct Relocation {
    pages: HashSet<u64>,
    /// Whether the data tree is done and the system tree is being copied.
    system: bool,
    /// Where the next slice resumes in the tree being copied.
    from: Option<Rc<[u8]>>,
}

/// Nodes a relocation slice visits per record of a marking slice's budget:
/// a node copied out is decoded, compared with the sparse pages and
/// rewritten in full, several times the work of marking one record.
const RELOCATE_PER_MARK: usize = 8;

impl Database {
    /// Whether the next durable operation should collect garbage: a
    /// collection or a relocation is under way, or enough was written since
    /// the last one.
    /// A lazily loaded image defers the collection (marking reads every
    /// live record) until every page is loaded: the browser runtime then
    /// loads them and calls [`Database::gc_continue`].
    pub fn gc_due(&self) -> bool {
        let since = self.store.pager.appended() - self.gc.appended_at_gc;
        self.collection.is_some() || self.relocation.is_some() || since >= self.gc_min_bytes.max(self.gc.live_bytes / 2)
    }

    pub(super) fn maybe_gc(&mut self) {
        // Never on a partly loaded image: a durable operation must not need
        // a page it did not already read (it could not be run again).
        if self.gc_due() && self.store.pager.fully_loaded() {
            // A failed slice leaves the database at its last durable state
            // (and abandons the collection); the next write reports the
            // storage error.
            let _ = self.gc_step(self.gc_slice);
        }
    }

    /// One slice of the collection that is due, as a durable operation runs
    /// it (`Options::gc_slice` records); nothing when none is due. Returns
    /// whether the slice finished a collection. Once a lazily loaded image
    /// is whole, the browser runtime calls it for the collection deferred
    /// until then; the durable operations that follow run the rest.
    pub fn gc_continue(&mut self) -> Result<bool> {
        if !self.gc_due() {
            return Ok(false);
        }
        self.gc_step(self.gc_slice)
    }

    /// Reclaims every page that no retained state, nor the system tree,
    /// reaches, and records the live and history byte counts, in one go: a
    /// collection under way is abandoned for one whose root set is the
    /// database now. Durable operations collect by themselves, one slice at
    /// a time (see [`Database::gc_step`]).
    pub fn gc(&mut self) -> Result<()> {
        if self.txn.is_some() {
            // The open transaction's copied nodes name stored bases; keep
            // everything until it ends.
            return Ok(());
        }
        self.collection = None;
        while !self.gc_step(usize::MAX)? {}
        Ok(())
    }

    /// One slice of garbage collection, visiting at most about `budget`
    /// records: when no collection is under way, copies the present out of
    /// the pages the last one found sparse (about `budget / 8` nodes a
    /// slice, each slice a durable update) and then starts a collection;
    /// else marks, else sweeps (writes the free list, a durable update).
    /// Returns whether this slice finished a collection. Does nothing while
    /// a transaction is open. On an error the database is at its last
    /// durable state and the collection (or relocation) is abandoned.
    pub fn gc_step(&mut self, budget: usize) -> Result<bool> {
        if self.txn.is_some() {
            return Ok(false);
        }
        let relocating = self.collection.is_none() && (self.relocation.is_some() || !self.sparse.is_empty());
        let result = match &mut self.collection {
            None if relocating => self.relocate_step((budget / RELOCATE_PER_MARK).max(1)).map(|()| false),
            None => self.start_collection().map(|()| false),
            Some(c) => match self.store.mark_step(&mut c.marker, budget.max(1)) {
                Ok(false) => Ok(false),
                Ok(true) if c.current.is_none() => {
                    c.current = Some(c.marker.bytes());
                    for &root in &c.rest {
                        c.marker.push_root(root);
                    }
                    c.rest = Vec::new();
                    Ok(false)
                }
                Ok(true) => {
                    let c = self.collection.take().expect("under way");
                    self.sweep(*c).map(|()| true)
                }
                Err(e) => Err(e),
            },
        };
        if result.is_err() {
            self.collection = None;
            self.relocation = None;
            // Not retried before as much is written again.
            self.gc.appended_at_gc = self.store.pager.appended();
        }
        result
    }

    /// Starts a collection: fixes the root set.
    fn start_collection(&mut self) -> Result<()> {
        let mut marker = Marker::with_capacity(self.gc.live_records + self.gc.live_records / 8);
        marker.push_root(self.head.addr().unwrap_or(0));
        let mut rest: Vec<Addr> = self.all_entries()?.live_roots().iter().map(|r| r.1).collect();
        rest.push(self.sys.addr().unwrap_or(0));
        self.collection = Some(Box::new(Collection {
            marker,
            rest,
            current: None,
            next_page: self.store.pager.page_counts().0,
            tail_page: self.store.pager.tail_page(),
            free: self.store.pager.free().iter().copied().collect(),
        }));
        self.gc.appended_at_gc = self.store.pager.appended();
        Ok(())
    }

    /// The final slice: frees every page that holds no marked record and
    /// was not allocated during the collection, and makes the new free list
    /// durable.
    fn sweep(&mut self, c: Collection) -> Result<()> {
        let saved = self.save();
        let gc = self.gc;
        let old_free = self.store.pager.free().to_vec();
        let result = self.write_free_list(c);
        if let Err(e) = result {
            self.restore(saved, gc);
            self.store.pager.set_free(old_free);
            return Err(e);
        }
        Ok(())
    }

    fn write_free_list(&mut self, c: Collection) -> Result<()> {
        let Collection {
            mut marker, current, next_page: start_next_page, tail_page: start_tail, free: start_free, ..
        } = c;
        let total = marker.bytes();
        let current = current.unwrap_or(total);
        // The free-list records (only a sweep replaces them) are live.
        let mut at = self.free_head;
        while at != 0 && !marker.is_live(at) {
            let rec = self.store.pager.read(at)?;
            marker.mark_record(at, 4 + rec.len() as u32);
            at = Reader::new(&rec).u64()?;
        }
        let tail = self.store.pager.tail_page();
        let previously_free: HashSet<u64> = self.store.pager.free().iter().copied().collect();
        // Pages allocated since the start hold records written since: live.
        // (The start's tail page also holds the system tree root it marked.)
        let fresh = |p: u64| {
            p >= start_next_page
                || p == start_tail
                || p == tail
                || (start_free.contains(&p) && !previously_free.contains(&p))
        };
        let used = marker.page_bytes();
        // Pages mostly dead are emptied by the next collection: what the
        // present still needs from them is copied out.
        self.sparse =
            used.iter().filter(|&(&p, &b)| !fresh(p) && (b as usize) < SPARSE_BYTES).map(|(&p, _)| p).collect();
        let (next_page, _) = self.store.pager.page_counts();
        let mut free: Vec<u64> =
            (FIRST_LOG_PAGE..next_page).rev().filter(|&p| !used.contains_key(&p) && !fresh(p)).collect();
        let freed: HashSet<u64> = free.iter().copied().filter(|p| !previously_free.contains(p)).collect();
        self.gc.live_records = marker.records();
        drop(marker);
        // The new list is written into free pages that it does not list, so
        // none of the pages it lists is overwritten before it is durable.
        // Reserved pages left over are reused first and found free again by
        // the next collection if the database is reopened before that.
        // The reserve comes from pages that were already free before this
        // sweep: pages freed just now may still be reachable from the
        // durable superblock, which survives if this commit is torn.
        let reserve_len = free.len() / FREE_PER_RECORD + 2;
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
        self.store.forget_pages(&freed);
        self.write_superblock()
    }

    /// One slice of copying the present out of sparse pages, visiting at
    /// most about `budget` nodes, made durable; starts the relocation of
    /// the pages the last collection found sparse when none is under way.
    fn relocate_step(&mut self, budget: usize) -> Result<()> {
        let mut r = match self.relocation.take() {
            Some(r) => r,
            None => Box::new(Relocation { pages: std::mem::take(&mut self.sparse), system: false, from: None }),
        };
        let saved = self.save();
        let gc = self.gc;
        let slice = self.relocate_slice(&mut r, budget);
        // A slice that moved nothing has nothing to make durable.
        let moved = !self.head.same(&saved.head) || !self.sys.same(&saved.sys);
        match slice.and_then(|done| if moved { self.write_superblock().map(|()| done) } else { Ok(done) }) {
            Ok(done) => {
                if !done {
                    self.relocation = Some(r);
                }
                Ok(())
            }
            Err(e) => {
                self.restore(saved, gc);
                Err(e)
            }
        }
    }

    /// Rewrites the parts of the current data tree, then of the system
    /// tree, that depend on the relocation's pages, from where the last
    /// slice stopped. The current entry keeps its state; only its root
    /// address changes. Returns whether both trees are done.
    fn relocate_slice(&mut self, r: &mut Relocation, budget: usize) -> Result<bool> {
        let mut budget = budget;
        if !r.system {
            let (moved, resume) = self.store.relocate(&self.head, &r.pages, r.from.as_deref(), &mut budget)?;
            if let (Some(moved), Some(last)) = (moved, self.entries.last().map(|e| e.seq)) {
                let addr = self.store.persist(&moved)?;
                let key = sys_key(SYS_ENTRY, last);
                let mut rec = self.store.get(&self.sys, &key)?.ok_or_else(|| bad_sys("current entry missing"))?;
                rec.get_mut(9..17).ok_or_else(|| bad_sys("short timeline entry"))?.copy_from_slice(&addr.to_le_bytes());
                self.store.put(&mut self.sys, &key, &rec)?;
                self.entries.set_last_root(addr);
                self.head = NodeRef::Stored(addr);
            }
            if resume.is_some() {
                r.from = resume;
                return Ok(false);
            }
            r.system = true;
            r.from = None;
            if budget == 0 {
                return Ok(false);
            }
        }
        let (moved, resume) = self.store.relocate(&self.sys, &r.pages, r.from.as_deref(), &mut budget)?;
        if let Some(moved) = moved {
            self.sys = moved;
        }
        r.from = resume;
        Ok(r.from.is_none())
    }
}
