//! Synchronous page storage backends.
//!
//! A backend stores numbered [`PAGE_SIZE`] pages and nothing else: the
//! engine decides what goes where. The trait is deliberately small (in the
//! spirit of redb's `StorageBackend`) so that every medium fits it: memory,
//! a native file, and in the browser an in-memory image that the wasm layer
//! fills from IndexedDB (every page at open, or lazily: see
//! [`MemBackend::lazy`]) and flushes after each commit.

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::rc::Rc;

use crate::error::{Error, Result};
use crate::store::page::{PageBuf, PAGE_SIZE};
use crate::store::pager::high_water;

/// Page storage. All methods are synchronous.
pub trait StorageBackend {
    /// Number of pages the storage holds (one past the highest page written).
    fn len(&self) -> Result<u64>;
    /// Whether the storage holds no page at all.
    fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }
    /// Reads page `page` into `buf`. Reading past the end is
    /// [`Error::Truncated`].
    fn read(&self, page: u64, buf: &mut [u8; PAGE_SIZE]) -> Result<()>;
    /// Writes page `page`, growing the storage when needed. The write need not
    /// be durable before [`StorageBackend::sync`] returns.
    fn write(&mut self, page: u64, data: &[u8; PAGE_SIZE]) -> Result<()>;
    /// Makes every write issued so far durable.
    fn sync(&mut self) -> Result<()>;
    /// Whether every stored page can be read without waiting (false for a
    /// lazily loaded image that still misses pages). Work that must see
    /// everything (garbage collection) waits until it is true.
    fn fully_loaded(&self) -> bool {
        true
    }
}

/// How many pages on each side of a missing one the browser runtime asks for
/// with it ([`MemBackend::fetch_plan`]): records are appended in order, so the nodes written together
/// (a bulk load's leaves, a subtree persisted by one commit) sit on
/// neighbouring pages.
pub const PREFETCH_PAGES: u64 = 15;
/// At most this many pages are asked for in one fetch.
pub const FETCH_MAX: usize = 1024;

/// How far ahead the next fetch of one operation reads, after a fetch that
/// read `ahead` pages from `from` (its first missing page) when the next
/// attempt misses `missing`: an operation that misses a page just past what
/// it fetched is scanning in page order, so it reads twice as far each time
/// (up to [`FETCH_MAX`] pages a transaction: a scan of `n` pages costs
/// O(log n) fetches); a miss elsewhere (the next level of a B+tree descent)
/// goes back to [`PREFETCH_PAGES`].
pub fn next_ahead(ahead: u64, from: u64, missing: &[u64]) -> u64 {
    let reach = from.saturating_add(ahead.saturating_mul(2)).saturating_add(1);
    match missing.first() {
        Some(&m) if m >= from && m <= reach => ahead.saturating_mul(2).saturating_add(1).min(FETCH_MAX as u64),
        _ => PREFETCH_PAGES,
    }
}

#[derive(Default, Clone)]
struct MemPages {
    pages: Vec<Option<PageBuf>>,
    dirty: BTreeSet<u64>,
    /// A lazily loaded image: what is still to be fetched.
    lazy: Option<Lazy>,
}

#[derive(Default, Clone)]
struct Lazy {
    /// Pages `0..stored` may exist in the storage; an empty slot below it is
    /// not loaded yet (above it, an empty slot is a page never written).
    stored: u64,
    /// Empty slots below `stored`.
    unloaded: u64,
    /// Pages a read wanted and did not find, since the last `take_missing`.
    missing: BTreeSet<u64>,
}

impl MemPages {
    fn unloaded(&self, n: usize) -> bool {
        self.lazy.as_ref().is_some_and(|l| (n as u64) < l.stored) && self.pages.get(n).is_none_or(|p| p.is_none())
    }

    /// Stores `page` at `n`, keeping the count of unloaded slots.
    fn set(&mut self, n: usize, page: PageBuf) {
        if self.unloaded(n) {
            if let Some(l) = self.lazy.as_mut() {
                l.unloaded -= 1;
            }
        }
        if self.pages.len() <= n {
            self.pages.resize(n + 1, None);
        }
        self.pages[n] = Some(page);
    }
}

/// Pages in memory. Clones share the same pages (a handle), so a test or the
/// browser layer can keep one handle while the engine owns another.
#[derive(Default, Clone)]
pub struct MemBackend {
    inner: Rc<RefCell<MemPages>>,
}

impl MemBackend {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// A store holding `pages` (page number, bytes), as loaded from elsewhere.
    pub fn from_pages(pages: impl IntoIterator<Item = (u64, PageBuf)>) -> Self {
        let b = MemBackend::new();
        b.put_pages(pages);
        b
    }

    /// A lazily loaded image of a storage whose superblock pages (slots 0
    /// and 1) are `supers`: every other page is fetched on demand. Pages
    /// numbered from the newest valid superblock's high-water mark on are
    /// known not to exist. Reading a page not fetched yet fails with
    /// [`Error::PagesMissing`] and records the page (see
    /// [`MemBackend::take_missing`]); [`MemBackend::fill`] supplies it.
    /// With no superblock at all the storage is empty (an empty image).
    pub fn lazy(supers: [Option<PageBuf>; 2]) -> Self {
        if supers.iter().all(Option::is_none) {
            return MemBackend::new();
        }
        // Invalid superblocks stay readable so that open reports them.
        let stored = high_water(&supers).unwrap_or(0).max(2);
        // Slots grow as pages arrive: `stored` comes from the storage and
        // allocates nothing.
        let mut m = MemPages {
            pages: Vec::new(),
            dirty: BTreeSet::new(),
            lazy: Some(Lazy { stored, unloaded: stored, missing: BTreeSet::new() }),
        };
        for (n, p) in supers.into_iter().enumerate() {
            // A slot never written is known to be empty.
            m.set(n, p.unwrap_or_else(|| Box::new([0u8; PAGE_SIZE])));
        }
        MemBackend { inner: Rc::new(RefCell::new(m)) }
    }

    /// Stores `pages` as they are elsewhere (not marked dirty): brings the
    /// image up to date with pages another writer made durable.
    pub fn put_pages(&self, pages: impl IntoIterator<Item = (u64, PageBuf)>) {
        let mut m = self.inner.borrow_mut();
        for (n, p) in pages {
            m.set(n as usize, p);
        }
    }

    /// Supplies fetched pages to a lazy image: each fills its slot only if
    /// that page is not loaded yet (what the image holds, such as a page
    /// this tab wrote, is never replaced). `None`: the storage has no such
    /// page (it reads as zeros, as a page never written does).
    pub fn fill(&self, pages: impl IntoIterator<Item = (u64, Option<PageBuf>)>) {
        let mut m = self.inner.borrow_mut();
        for (n, p) in pages {
            let Ok(n) = usize::try_from(n) else { continue };
            if m.unloaded(n) {
                m.set(n, p.unwrap_or_else(|| Box::new([0u8; PAGE_SIZE])));
            }
        }
    }

    /// Up to `limit` pages not loaded yet, from page `from` on, in page
    /// order (the browser runtime completes an image with them).
    pub fn unloaded_pages(&self, from: u64, limit: usize) -> Vec<u64> {
        let m = self.inner.borrow();
        let Some(l) = m.lazy.as_ref().filter(|l| l.unloaded > 0) else { return Vec::new() };
        (from..l.stored).filter(|&n| usize::try_from(n).is_ok_and(|n| m.unloaded(n))).take(limit).collect()
    }

    /// The pages reads wanted and did not find since the last call, in
    /// page order (empty for an image that is fully loaded).
    pub fn take_missing(&self) -> Vec<u64> {
        let mut m = self.inner.borrow_mut();
        m.lazy.as_mut().map(|l| std::mem::take(&mut l.missing).into_iter().collect()).unwrap_or_default()
    }

    /// The pages to fetch for the `missing` ones: each, and, when one page
    /// is missing, the unloaded pages up to `ahead` before and after it
    /// (the browser runtime: [`PREFETCH_PAGES`], see [`next_ahead`]), at
    /// most [`FETCH_MAX`] in all, in page order. Only pages not loaded yet
    /// are named. Before as well as after: a patch chain leads to older
    /// records, usually on lower pages. Several pages missed by one attempt
    /// are a whole level of a tree ([`crate::store::btree::Store::load_levels`]):
    /// exactly what is needed, so they are fetched without neighbours.
    pub fn fetch_plan(&self, missing: &[u64], ahead: u64) -> Vec<u64> {
        let m = self.inner.borrow();
        let ahead = if missing.len() > 1 { 0 } else { ahead };
        let mut plan = BTreeSet::new();
        for &p in missing {
            for n in p.saturating_sub(ahead)..p.saturating_add(ahead.saturating_add(1)) {
                if plan.len() >= FETCH_MAX {
                    break;
                }
                if usize::try_from(n).is_ok_and(|n| m.unloaded(n)) {
                    plan.insert(n);
                }
            }
        }
        plan.into_iter().collect()
    }

    /// An independent deep copy of the current pages.
    pub fn deep_copy(&self) -> Self {
        let m = self.inner.borrow().clone();
        MemBackend { inner: Rc::new(RefCell::new(m)) }
    }

    /// Pages written since the last call, with their bytes, in page order.
    pub fn take_dirty(&self) -> Vec<(u64, PageBuf)> {
        let mut m = self.inner.borrow_mut();
        let dirty = std::mem::take(&mut m.dirty);
        dirty.into_iter().filter_map(|n| m.pages.get(n as usize).and_then(|p| p.clone()).map(|p| (n, p))).collect()
    }

    /// Mutable access to one stored page (tests use it to corrupt pages).
    pub fn with_page<R>(&self, page: u64, f: impl FnOnce(Option<&mut PageBuf>) -> R) -> R {
        let mut m = self.inner.borrow_mut();
        f(m.pages.get_mut(page as usize).and_then(|p| p.as_mut()))
    }

    /// Drops every page from `len` on (tests use it to truncate).
    pub fn truncate(&self, len: u64) {
        self.inner.borrow_mut().pages.truncate(len as usize);
    }
}

impl StorageBackend for MemBackend {
    fn len(&self) -> Result<u64> {
        let m = self.inner.borrow();
        Ok((m.pages.len() as u64).max(m.lazy.as_ref().map_or(0, |l| l.stored)))
    }
    fn read(&self, page: u64, buf: &mut [u8; PAGE_SIZE]) -> Result<()> {
        if usize::try_from(page).is_ok_and(|n| self.inner.borrow().unloaded(n)) {
            let mut m = self.inner.borrow_mut();
            if let Some(l) = m.lazy.as_mut() {
                l.missing.insert(page);
            }
            return Err(Error::PagesMissing(vec![page]));
        }
        let m = self.inner.borrow();
        match usize::try_from(page).ok().and_then(|n| m.pages.get(n)) {
            Some(Some(p)) => {
                buf.copy_from_slice(&p[..]);
                Ok(())
            }
            Some(None) => {
                buf.fill(0);
                Ok(())
            }
            None => {
                Err(Error::Truncated(format!("page {page} is past the end of the storage ({} pages)", m.pages.len())))
            }
        }
    }
    fn write(&mut self, page: u64, data: &[u8; PAGE_SIZE]) -> Result<()> {
        let mut m = self.inner.borrow_mut();
        // A page number past the address space (wasm32) cannot be stored.
        let n = usize::try_from(page).map_err(|_| Error::TooLarge(format!("page {page} exceeds memory")))?;
        m.set(n, Box::new(*data));
        m.dirty.insert(page);
        Ok(())
    }
    fn sync(&mut self) -> Result<()> {
        Ok(())
    }
    fn fully_loaded(&self) -> bool {
        self.inner.borrow().lazy.as_ref().is_none_or(|l| l.unloaded == 0)
    }
}

/// How a [`FaultyBackend`] fails once its budget of writes is spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The failing write does not happen at all and returns an error.
    Lost,
    /// The failing write is torn: the first half of the page is new, the
    /// second half old; the write returns an error.
    Torn,
}

/// A backend that simulates a crash: the first `budget` writes reach the
/// inner store; the next one is lost or torn and every later write and sync
/// fails. The inner store then holds exactly what a crashed machine would
/// find on disk.
pub struct FaultyBackend {
    inner: MemBackend,
    budget: u64,
    fault: Fault,
    crashed: bool,
    writes: Rc<Cell<u64>>,
}

impl FaultyBackend {
    /// Wraps `inner`, allowing `budget` successful writes.
    pub fn new(inner: MemBackend, budget: u64, fault: Fault) -> Self {
        FaultyBackend { inner, budget, fault, crashed: false, writes: Rc::new(Cell::new(0)) }
    }
    /// A shared counter of the writes that succeeded.
    pub fn write_counter(&self) -> Rc<Cell<u64>> {
        self.writes.clone()
    }
}

impl StorageBackend for FaultyBackend {
    fn len(&self) -> Result<u64> {
        self.inner.len()
    }
    fn read(&self, page: u64, buf: &mut [u8; PAGE_SIZE]) -> Result<()> {
        self.inner.read(page, buf)
    }
    fn write(&mut self, page: u64, data: &[u8; PAGE_SIZE]) -> Result<()> {
        if self.crashed {
            return Err(Error::Io("simulated crash: storage is gone".into()));
        }
        if self.budget == 0 {
            self.crashed = true;
            if self.fault == Fault::Torn {
                let mut torn = [0u8; PAGE_SIZE];
                let _ = self.inner.read(page, &mut torn);
                torn[..PAGE_SIZE / 2].copy_from_slice(&data[..PAGE_SIZE / 2]);
                self.inner.write(page, &torn)?;
            }
            return Err(Error::Io(format!("simulated crash while writing page {page}")));
        }
        self.budget -= 1;
        self.writes.set(self.writes.get() + 1);
        self.inner.write(page, data)
    }
    fn sync(&mut self) -> Result<()> {
        if self.crashed {
            return Err(Error::Io("simulated crash: storage is gone".into()));
        }
        Ok(())
    }
}

/// A native file of pages.
#[cfg(not(target_arch = "wasm32"))]
pub struct FileBackend {
    file: std::fs::File,
    len: u64,
}

#[cfg(not(target_arch = "wasm32"))]
impl FileBackend {
    /// Opens (creating when missing) the file at `path`.
    pub fn open(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let file = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path)?;
        let bytes = file.metadata()?.len();
        // A partial trailing page is left by a crash during growth; it is
        // beyond every committed page and is ignored.
        Ok(FileBackend { file, len: bytes / PAGE_SIZE as u64 })
    }
}

/// A read of page `page` of a file of `len` pages: past the end is
/// [`Error::Truncated`] (the native file and the browser's `File`).
pub(crate) fn within_file(page: u64, len: u64) -> Result<()> {
    if page >= len {
        return Err(Error::Truncated(format!("page {page} is past the end of the file ({len} pages)")));
    }
    Ok(())
}

#[cfg(not(target_arch = "wasm32"))]
impl StorageBackend for FileBackend {
    fn len(&self) -> Result<u64> {
        Ok(self.len)
    }
    fn read(&self, page: u64, buf: &mut [u8; PAGE_SIZE]) -> Result<()> {
        use std::os::unix::fs::FileExt;
        within_file(page, self.len)?;
        self.file.read_exact_at(buf, page * PAGE_SIZE as u64)?;
        Ok(())
    }
    fn write(&mut self, page: u64, data: &[u8; PAGE_SIZE]) -> Result<()> {
        use std::os::unix::fs::FileExt;
        self.file.write_all_at(data, page * PAGE_SIZE as u64)?;
        self.len = self.len.max(page + 1);
        Ok(())
    }
    fn sync(&mut self) -> Result<()> {
        self.file.sync_data()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn a_lazy_image_reports_missing_pages_and_fills_only_what_it_lacks() {
        // A store of a dozen pages, written through a pager.
        let full = MemBackend::new();
        let (mut pager, _) = crate::store::pager::Pager::open(Box::new(full.clone())).unwrap();
        for _ in 0..30 {
            pager.append(&[1u8; 1000]).unwrap();
        }
        pager.commit(b"m").unwrap();
        let page = |n: u64| {
            let mut b = [0u8; PAGE_SIZE];
            full.read(n, &mut b).ok().map(|_| Box::new(b))
        };
        let lazy = MemBackend::lazy([page(0), page(1)]);
        // The high-water mark counts the tail's page, reserved, not written.
        let stored = lazy.len().unwrap();
        assert_eq!(stored, full.len().unwrap() + 1);
        assert!(!lazy.fully_loaded());
        let mut buf = [0u8; PAGE_SIZE];
        assert_eq!(lazy.read(4, &mut buf), Err(Error::PagesMissing(vec![4])));
        assert_eq!(lazy.read(3, &mut buf), Err(Error::PagesMissing(vec![3])));
        assert_eq!(lazy.take_missing(), vec![3, 4]);
        assert_eq!(lazy.fetch_plan(&[4], 0), vec![4]);
        assert_eq!(lazy.fetch_plan(&[4], 100), (2..stored).collect::<Vec<_>>(), "only stored pages not loaded");
        lazy.fill([(4, page(4))]);
        assert!(lazy.read(4, &mut buf).is_ok());
        assert_eq!(lazy.fetch_plan(&[3], 2), vec![2, 3, 5], "loaded pages are not fetched again");
        assert_eq!(lazy.fetch_plan(&[7, 3, 9], 2), vec![3, 7, 9], "several misses: exactly those");
        assert_eq!(next_ahead(15, 40, &[50]), 31, "a miss just past the last fetch: a scan");
        assert_eq!(next_ahead(1023, 40, &[50]), FETCH_MAX as u64);
        assert_eq!(next_ahead(63, 40, &[900]), PREFETCH_PAGES, "a miss elsewhere");
        // A page this image wrote is never replaced by a fetched one.
        let mut w = lazy.clone();
        w.write(3, &[9u8; PAGE_SIZE]).unwrap();
        lazy.fill([(3, page(3))]);
        lazy.read(3, &mut buf).unwrap();
        assert_eq!(buf, [9u8; PAGE_SIZE]);
        // The background reading's slices: unloaded pages in order.
        assert_eq!(lazy.unloaded_pages(0, 3), vec![2, 5, 6]);
        assert_eq!(lazy.unloaded_pages(6, 2), vec![6, 7]);
        assert_eq!(lazy.unloaded_pages(stored, 2), Vec::<u64>::new());
        lazy.fill((0..stored).map(|n| (n, page(n))));
        assert!(lazy.fully_loaded());
        assert!(lazy.take_missing().is_empty());
        assert!(lazy.unloaded_pages(0, 10).is_empty());
    }
}
