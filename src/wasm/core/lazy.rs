//! Lazy pages (`lazy: true`; ARCHITECTURE.md, "Lazy pages"): the image starts
//! from the superblocks, and an operation that stops at a page not loaded
//! runs again once the pages it missed are fetched.

use std::collections::BTreeMap;
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};

use super::{Core, Persist};
use crate::db::Database;
use crate::sql::Session;
use crate::store::backend::{next_ahead, MemBackend, StorageBackend, PREFETCH_PAGES};
use crate::store::page::PageBuf;
use crate::store::sync::Superblocks;
use crate::wasm::{idb, js_error};

/// Fetches one operation makes before it reads every page instead (see
/// `Core::fetch_some`): a point query on a cold image needs one per B+tree
/// level and a few for the catalogue (7 on a 1,000,000-row table), and one
/// per link of a patch chain it follows (up to `MAX_CHAIN`, each link of a
/// node patched by commits far apart on its own page: 15 fetches after
/// 10,000 single-row commits). A fetch of a few dozen pages costs far less
/// than reading a store of thousands; the quarter-of-the-store rule still
/// bounds what an operation reads this way.
const FETCHES_BEFORE_ALL: u32 = 40;

/// The same for open, which reads a few paths of the system tree (the
/// timeline's ends), the links of their patch chains and the free list;
/// past this, or past a quarter of the store, every page is read instead.
const OPEN_FETCHES_BEFORE_ALL: u32 = 16;

/// Pages one background read takes (1 MiB): a slice costs the page about
/// what a fetch of an operation does, so operations are not held up.
const BACKGROUND_SLICE: usize = 256;

/// The pause before each background read, and while an operation runs (ms).
const BACKGROUND_PAUSE_MS: i32 = 4;

/// A Promise resolved after `ms` milliseconds (`setTimeout`, in a page or a
/// worker).
fn sleep(ms: i32) -> JsFuture {
    JsFuture::from(Promise::new(&mut |resolve, _| {
        let set_timeout =
            Reflect::get(&js_sys::global(), &"setTimeout".into()).ok().and_then(|f| f.dyn_into::<Function>().ok());
        match set_timeout {
            Some(f) => {
                let _ = f.call2(&JsValue::NULL, &resolve, &ms.into());
            }
            None => {
                let _ = resolve.call0(&JsValue::NULL);
            }
        }
    }))
}

/// Open's first fetch also reads the store's last pages (256 KiB): the
/// last commits wrote there the paths that lead to what they changed (the
/// system tree's, the catalogue's, the tables'), where open and the first
/// query descend.
const OPEN_TAIL_PAGES: u64 = 64;

/// What one operation has fetched so far (see `Core::fetch_some`).
struct Fetches {
    /// Pages read ahead of a missing one (`next_ahead`).
    ahead: u64,
    /// The first page the last attempt missed.
    last: Option<u64>,
    /// Pages fetched.
    pages: u64,
    /// Fetches made.
    count: u32,
    /// Fetches before every page is read instead.
    limit: u32,
    /// The first fetch also reads the store's last `tail` pages.
    tail: u64,
}

impl Fetches {
    fn new(limit: u32) -> Fetches {
        Fetches { ahead: PREFETCH_PAGES, last: None, pages: 0, count: 0, limit, tail: 0 }
    }
}

/// Whether pages read together with the stored superblocks `stored` belong
/// to the image's state: the superblocks are `expected`, or (by default)
/// this tab is the writer (no other tab changes the store) or they are the
/// ones its image is at.
fn consistent(p: &Persist, stored: &Superblocks, expected: Option<&Superblocks>) -> bool {
    match expected {
        Some(e) => stored == e,
        None => p.tabs.borrow().as_ref().is_none_or(|t| t.held.get()) || *stored == *p.supers.borrow(),
    }
}

/// Fills the pages `numbers` of the image `mem` from `pages` (a number
/// missing there: a page never written) and counts the pages read.
fn fill(p: &Persist, mem: &MemBackend, numbers: impl Iterator<Item = u64>, pages: Vec<(u64, PageBuf)>) {
    p.read(pages.len() as u64);
    let mut found: BTreeMap<u64, PageBuf> = pages.into_iter().collect();
    mem.fill(numbers.map(|n| (n, found.remove(&n))).collect::<Vec<_>>());
}

impl Core {
    /// Replaces the session by one on a new lazy image of the store whose
    /// superblocks are `supers` (read from IndexedDB just before), opened
    /// through [`Core::open_lazily`]; when the store moved on meanwhile,
    /// starts again from its new superblocks.
    pub(super) async fn install_lazy(&self, mut supers: Superblocks) -> Result<bool, JsValue> {
        let p = self.persist.as_ref().expect("persistent");
        loop {
            let mem = MemBackend::lazy(supers.0.clone());
            if let Some(db) = self.open_lazily(&mem, &supers).await? {
                return self.install_db(db, mem, supers);
            }
            let db = p.connection()?;
            supers = Superblocks(idb::superblocks(&db).await?);
        }
    }

    /// Opens the database on the image `mem` of the state `supers`,
    /// fetching the pages open reads. `None`: the store is no longer at
    /// that state (another tab committed), so the image cannot be completed.
    pub(super) async fn open_lazily(
        &self,
        mem: &MemBackend,
        supers: &Superblocks,
    ) -> Result<Option<Database>, JsValue> {
        let mut fetches = Fetches { tail: OPEN_TAIL_PAGES, ..Fetches::new(OPEN_FETCHES_BEFORE_ALL) };
        loop {
            let r = Database::open(Box::new(mem.clone()), self.options.clone());
            let missing = mem.take_missing();
            if missing.is_empty() {
                return Ok(Some(r?));
            }
            if !self.fetch_some(mem, &missing, &mut fetches, Some(supers)).await? {
                return Ok(None);
            }
        }
    }

    /// Reads the pages `plan` (and the superblocks) in one readonly
    /// IndexedDB transaction into `mem`, if they belong to the image's
    /// state ([`consistent`]); otherwise nothing is filled and the answer
    /// is `false`: the caller catches up.
    async fn fetch(&self, mem: &MemBackend, plan: Vec<u64>, expected: Option<&Superblocks>) -> Result<bool, JsValue> {
        let p = self.persist.as_ref().expect("persistent");
        let db = p.connection()?;
        let (supers, pages) = idb::read_pages(&db, &plan).await?;
        if !consistent(p, &Superblocks(supers), expected) {
            return Ok(false);
        }
        fill(p, mem, plan.into_iter(), pages);
        Ok(true)
    }

    /// Runs `op` on the session until it no longer stops at a page a lazy
    /// image has not loaded, fetching the pages between attempts (an
    /// attempt that missed a page had no effect: ARCHITECTURE.md, "Lazy
    /// pages"). When another tab changed the store meanwhile, this tab
    /// catches up first.
    pub async fn lazily<T>(self: &Rc<Self>, mut op: impl FnMut(&mut Session) -> T) -> Result<T, JsValue> {
        let mut fetches = Fetches::new(FETCHES_BEFORE_ALL);
        loop {
            let r = self.with_session(&mut op)?;
            let Some(p) = self.persist.as_ref().filter(|p| p.lazy) else { return Ok(r) };
            let mem = p.mem.borrow().clone();
            let missing = mem.take_missing();
            if missing.is_empty() {
                self.keep_loading();
                return Ok(r);
            }
            if !self.fetch_some(&mem, &missing, &mut fetches, None).await? {
                self.ready_to_read().await?;
            }
        }
    }

    /// Runs a synchronous call (`asOf` views, `diff`, exports): on a lazy
    /// image that misses a page it needs, fails with `NOT_LOADED` (it
    /// cannot wait for IndexedDB; `loadAll()` loads every page).
    pub fn loaded_only<T>(&self, f: impl FnOnce(&mut Session) -> Result<T, JsValue>) -> Result<T, JsValue> {
        let r = self.with_session(f)?;
        if let Some(p) = self.persist.as_ref().filter(|p| p.lazy) {
            let missing = p.mem.borrow().take_missing();
            if !missing.is_empty() {
                return Err(js_error(
                    "NOT_LOADED",
                    &format!(
                        "this call needs pages not loaded yet ({} and more): await db.loadAll() first, or use the \
                         asynchronous query()",
                        missing[0]
                    ),
                ));
            }
        }
        r
    }

    /// Whether every page is in memory.
    pub fn fully_loaded(&self) -> bool {
        self.persist.as_ref().is_none_or(|p| p.mem.borrow().fully_loaded())
    }

    /// Loads every page of a lazy image (one readonly transaction), as of
    /// the state it is at; then collects garbage if a collection waited for
    /// the pages.
    pub async fn load_all(self: &Rc<Self>) -> Result<(), JsValue> {
        let Some(p) = self.persist.as_ref().filter(|p| p.lazy) else { return Ok(()) };
        loop {
            let mem = p.mem.borrow().clone();
            if mem.fully_loaded() || self.fetch_all(&mem, None).await? {
                return Ok(());
            }
            self.ready_to_read().await?;
        }
    }

    /// Reads every stored page (one readonly transaction, `getAll`) into
    /// the image `mem`, under the same rule as [`Core::fetch`]: `false`
    /// (nothing filled) when the pages are not of the image's state.
    async fn fetch_all(&self, mem: &MemBackend, expected: Option<&Superblocks>) -> Result<bool, JsValue> {
        let p = self.persist.as_ref().expect("persistent");
        let db = p.connection()?;
        let pages = idb::load(&db).await?;
        if !consistent(p, &Superblocks::of_pages(&pages), expected) {
            return Ok(false);
        }
        let len = mem.len().unwrap_or(0);
        fill(p, mem, 0..len, pages);
        Ok(true)
    }

    /// Fetches what an attempt of one operation missed: the pages
    /// `fetch_plan` names, or, once the operation has needed `limit`
    /// fetches or a quarter of the store (it reads most of it: a full
    /// scan, the whole timeline of a long history),
    /// every page in one `getAll`, which costs about what a few large
    /// fetches do. `fetches` is what the operation fetched so far.
    async fn fetch_some(
        &self,
        mem: &MemBackend,
        missing: &[u64],
        fetches: &mut Fetches,
        expected: Option<&Superblocks>,
    ) -> Result<bool, JsValue> {
        if let Some(from) = fetches.last {
            fetches.ahead = next_ahead(fetches.ahead, from, missing);
        }
        fetches.last = missing.first().copied();
        let stored = mem.len().unwrap_or(0);
        let mut plan = mem.fetch_plan(missing, fetches.ahead);
        if fetches.count == 0 && fetches.tail > 0 {
            plan.extend(mem.unloaded_pages(stored.saturating_sub(fetches.tail), fetches.tail as usize));
            plan.sort_unstable();
            plan.dedup();
        }
        fetches.count += 1;
        if fetches.count > fetches.limit || (fetches.pages + plan.len() as u64).saturating_mul(4) > stored {
            return self.fetch_all(mem, expected).await;
        }
        fetches.pages += plan.len() as u64;
        self.fetch(mem, plan, expected).await
    }

    /// By default (no `lazy` option) a lazily opened image is completed in
    /// the background: the timeline's pages first, then slices of [`BACKGROUND_SLICE`] pages not loaded yet,
    /// each one readonly transaction under the rule of [`Core::fetch`],
    /// read while no operation is queued or running, until every page is
    /// in memory (then the synchronous calls that read rows work). Started
    /// at open and, after a reload made a new lazy image, by the next
    /// operation; it stops when the image is complete or the database
    /// closed. An IndexedDB error stops it: the pages are then read by the
    /// operations that need them, which report the error.
    pub(super) fn keep_loading(self: &Rc<Self>) {
        let Some(p) = self.persist.as_ref().filter(|p| p.lazy && p.background) else { return };
        if p.loading.get() || p.mem.borrow().fully_loaded() {
            return;
        }
        p.loading.set(true);
        let weak = Rc::downgrade(self);
        spawn_local(async move {
            // Where the next slice starts: pages are read in page order.
            let mut from = 0;
            // The timeline is read first (a few fetches, one per level of
            // the system tree), so that the synchronous `timeline()` works
            // long before the image is complete.
            let mut timeline_read = false;
            loop {
                let _ = sleep(BACKGROUND_PAUSE_MS).await;
                let Some(core) = weak.upgrade() else { return };
                let p = core.persist.as_ref().expect("persistent");
                if !core.is_open() || p.mem.borrow().fully_loaded() {
                    p.loading.set(false);
                    return;
                }
                if core.ops.get() > 0 || core.gate.borrow().is_some() {
                    continue;
                }
                let mem = p.mem.borrow().clone();
                if !timeline_read {
                    let _ = core.with_session(|s| s.database().timeline().map(|_| ()));
                    let missing = mem.take_missing();
                    if missing.is_empty() {
                        timeline_read = true;
                    } else if !matches!(core.fetch(&mem, mem.fetch_plan(&missing, 0), None).await, Ok(true)) {
                        p.loading.set(false);
                        return;
                    }
                    continue;
                }
                let mut slice = mem.unloaded_pages(from, BACKGROUND_SLICE);
                if slice.is_empty() {
                    slice = mem.unloaded_pages(0, BACKGROUND_SLICE);
                }
                from = slice.last().map_or(0, |n| n + 1);
                // Not of the image's state (another tab committed): the next
                // operation catches up to a new image and starts reading
                // again there.
                if !matches!(core.fetch(&mem, slice, None).await, Ok(true)) {
                    p.loading.set(false);
                    return;
                }
            }
        });
    }

    /// After a write on a lazy image: a garbage collection the engine
    /// deferred until every page is loaded starts now, with one slice (the
    /// caller holds the writer path; the writes that follow run the other
    /// slices, as on any whole image). Its pages join the next flush.
    pub async fn collect_if_due(self: &Rc<Self>) -> Result<(), JsValue> {
        if self.fully_loaded() || !self.with_session(|s| s.database().gc_due())? {
            return Ok(());
        }
        self.load_all().await?;
        self.with_session(|s| s.database_mut().gc_continue())??;
        if let Some(durable) = self.after_write() {
            JsFuture::from(durable).await?;
        }
        Ok(())
    }
}
