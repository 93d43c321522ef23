//! Synchronous page storage backends.
//!
//! A backend stores numbered [`PAGE_SIZE`] pages and nothing else: the
//! engine decides what goes where. The trait is deliberately small (in the
//! spirit of redb's `StorageBackend`) so that every medium fits it: memory,
//! a native file, and in the browser an in-memory image that the wasm layer
//! loads from IndexedDB at open and flushes after each commit.

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::rc::Rc;

use crate::error::{Error, Result};
use crate::store::page::{PageBuf, PAGE_SIZE};

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
}

#[derive(Default, Clone)]
struct MemPages {
    pages: Vec<Option<PageBuf>>,
    dirty: BTreeSet<u64>,
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

    /// Stores `pages` as they are elsewhere (not marked dirty): brings the
    /// image up to date with pages another writer made durable.
    pub fn put_pages(&self, pages: impl IntoIterator<Item = (u64, PageBuf)>) {
        let mut m = self.inner.borrow_mut();
        for (n, p) in pages {
            let n = n as usize;
            if m.pages.len() <= n {
                m.pages.resize(n + 1, None);
            }
            m.pages[n] = Some(p);
        }
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
        Ok(self.inner.borrow().pages.len() as u64)
    }
    fn read(&self, page: u64, buf: &mut [u8; PAGE_SIZE]) -> Result<()> {
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
        if m.pages.len() <= n {
            m.pages.resize(n + 1, None);
        }
        m.pages[n] = Some(Box::new(*data));
        m.dirty.insert(page);
        Ok(())
    }
    fn sync(&mut self) -> Result<()> {
        Ok(())
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

#[cfg(not(target_arch = "wasm32"))]
impl StorageBackend for FileBackend {
    fn len(&self) -> Result<u64> {
        Ok(self.len)
    }
    fn read(&self, page: u64, buf: &mut [u8; PAGE_SIZE]) -> Result<()> {
        use std::os::unix::fs::FileExt;
        if page >= self.len {
            return Err(Error::Truncated(format!("page {page} is past the end of the file ({} pages)", self.len)));
        }
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
