//! The state behind a `ReelDB` object: the SQL session on the in-memory page
//! image, durability (group commit into IndexedDB), tab coordination and
//! change events.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use gloo::events::EventListener;
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::IdbDatabase;

use super::{dto, idb, js_error, registry};
use crate::db::{Database, Options};
use crate::sql::Session;
use crate::store::backend::{MemBackend, StorageBackend};
use crate::store::page::PageBuf;
use crate::store::pager::high_water;
use crate::store::sync::{RemoteFlush, Superblocks};

mod events;
mod flush;
mod gate;
mod image;
mod lazy;
mod tabs;

use self::tabs::Tabs;

/// By default (no `lazy` option) a store of at most this many pages (1 MiB)
/// is read whole at open, a larger one lazily: on this size a lazy open and
/// its first query make about as many IndexedDB transactions as there are
/// milliseconds in reading the store whole (`bench/browser/open.mjs`:
/// 88 pages 30 ms whole, 57 ms lazily; 912 pages 219 ms whole, 56 ms
/// lazily).
pub const EAGER_MAX_PAGES: u64 = 256;

/// IndexedDB persistence of one database.
pub struct Persist {
    pub name: String,
    idb: RefCell<Option<IdbDatabase>>,
    mem: RefCell<MemBackend>,
    /// Pages are fetched on demand (ARCHITECTURE.md, "Lazy pages") instead
    /// of all at open: `lazy: true`, or by default a store larger than
    /// [`EAGER_MAX_PAGES`].
    pub lazy: bool,
    /// The pages no operation fetched are read in the background, between
    /// operations, until the image is complete (the default; `lazy: true`
    /// reads only what operations need).
    background: bool,
    /// The background reading is under way (`Core::keep_loading`).
    loading: Cell<bool>,
    strict: bool,
    pending: RefCell<BTreeMap<u64, PageBuf>>,
    waiters: RefCell<Vec<(Function, Function)>>,
    in_flight: Cell<bool>,
    /// The handlers of the last flush's IndexedDB transaction.
    watching: RefCell<Option<idb::Pending>>,
    supers: RefCell<Superblocks>,
    /// Test hook: the next flush aborts, reporting a DOMException of this name.
    pub fail_next: RefCell<Option<String>>,
    tabs: RefCell<Option<Tabs>>,
    /// IndexedDB transactions that committed pages.
    pub flushes: Cell<u64>,
    /// Pages those transactions wrote.
    pub pages_written: Cell<u64>,
    /// Pages read from IndexedDB (whole loads and other tabs' deltas).
    pub pages_read: Cell<u64>,
    /// Readonly IndexedDB transactions that read pages ([`Persist::read`]).
    reads: Cell<u64>,
    /// Flushes other tabs announced and this tab has not applied yet.
    remote: RefCell<Vec<RemoteFlush>>,
    _versionchange: RefCell<Option<EventListener>>,
}

/// One database as the JavaScript API sees it.
pub struct Core {
    /// The storage, as `storageInfo().backend` names it.
    kind: &'static str,
    session: RefCell<Option<Session>>,
    options: Options,
    pub persist: Option<Persist>,
    listeners: RefCell<Vec<(u32, Function)>>,
    next_listener: Cell<u32>,
    gate: RefCell<Option<Promise>>,
    /// Number of the last gate started (see `run_gate`).
    gate_id: Cell<u64>,
    ops: Cell<u32>,
}

/// Counts a running operation; when the last one ends, the tab lock may be
/// handed over.
pub struct OpGuard(Rc<Core>);

impl Drop for OpGuard {
    fn drop(&mut self) {
        self.0.ops.set(self.0.ops.get() - 1);
        self.0.maybe_release();
    }
}

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &(*k).into(), v);
    }
    o.into()
}

fn to_js<T: serde::Serialize>(v: &T) -> JsValue {
    dto::to_js(v).unwrap_or(JsValue::NULL)
}

/// The error of a call on a closed database.
fn closed() -> JsValue {
    js_error("CLOSED", "the database is closed")
}

impl Persist {
    /// Counts one readonly IndexedDB transaction that read `pages` pages.
    fn read(&self, pages: u64) {
        self.reads.set(self.reads.get() + 1);
        self.pages_read.set(self.pages_read.get() + pages);
    }

    /// The IndexedDB connection (error `CLOSED` once closed).
    fn connection(&self) -> Result<IdbDatabase, JsValue> {
        self.idb.borrow().clone().ok_or_else(closed)
    }
}

impl Core {
    /// A database in memory.
    pub fn in_memory(options: Options) -> Result<Rc<Core>, JsValue> {
        Core::on_backend(Box::new(MemBackend::new()), "memory", options)
    }

    /// A database on a synchronous `backend` (memory, an image, a page file
    /// JavaScript provides): every commit is durable when it returns, so
    /// there is nothing to flush. `kind` names it in `storageInfo()`.
    pub fn on_backend(
        backend: Box<dyn StorageBackend>,
        kind: &'static str,
        options: Options,
    ) -> Result<Rc<Core>, JsValue> {
        let db = Database::open(backend, options.clone())?;
        let mut core = Core::new(Some(Session::new(db)), options, None);
        core.kind = kind;
        Ok(Rc::new(core))
    }

    fn new(session: Option<Session>, options: Options, persist: Option<Persist>) -> Core {
        Core {
            kind: "indexeddb",
            session: RefCell::new(session),
            options,
            persist,
            listeners: RefCell::new(Vec::new()),
            next_listener: Cell::new(1),
            gate: RefCell::new(None),
            gate_id: Cell::new(0),
            ops: Cell::new(0),
        }
    }

    /// Opens (creating when missing) the database `name` in IndexedDB.
    /// `lock_timeout_ms` (0: none) bounds the wait for the writer lock.
    pub async fn open(
        name: &str,
        options: Options,
        strict: bool,
        multi_tab: bool,
        lock_timeout_ms: u32,
        lazy: Option<bool>,
    ) -> Result<Rc<Core>, JsValue> {
        let db = idb::open(name).await?;
        // The superblocks, then (in `install_lazy`) what `Database::open`
        // reads. An empty store is read whole below (creating needs the
        // lock), and so, by default, is a small one: reading it whole costs
        // about what the few fetches of a lazy open do, and the synchronous
        // calls that read rows never wait for a page.
        let mut lazy_supers = None;
        if lazy != Some(false) {
            let supers = Superblocks(idb::superblocks(&db).await?);
            let stored = high_water(&supers.0).unwrap_or(0);
            if supers.0.iter().any(Option::is_some) && (lazy == Some(true) || stored > EAGER_MAX_PAGES) {
                lazy_supers = Some(supers);
            }
        }
        let persist = Persist {
            name: name.to_string(),
            idb: RefCell::new(Some(db.clone())),
            mem: RefCell::new(MemBackend::new()),
            lazy: lazy == Some(true) || lazy_supers.is_some(),
            background: lazy.is_none(),
            loading: Cell::new(false),
            strict,
            pending: RefCell::new(BTreeMap::new()),
            waiters: RefCell::new(Vec::new()),
            in_flight: Cell::new(false),
            watching: RefCell::new(None),
            supers: RefCell::new(Superblocks::default()),
            fail_next: RefCell::new(None),
            tabs: RefCell::new(None),
            flushes: Cell::new(0),
            pages_written: Cell::new(0),
            pages_read: Cell::new(0),
            reads: Cell::new(0),
            remote: RefCell::new(Vec::new()),
            _versionchange: RefCell::new(None),
        };
        let core = Rc::new(Core::new(None, options, Some(persist)));
        let p = core.persist.as_ref().expect("persistent");
        // Another connection deleting or upgrading the database: let it.
        let weak = Rc::downgrade(&core);
        *p._versionchange.borrow_mut() = Some(EventListener::new(&db, "versionchange", move |_| {
            if let Some(core) = weak.upgrade() {
                core.shut_down();
                core.emit(obj(&[("type", "closed".into())]));
            }
        }));
        if multi_tab {
            *p.tabs.borrow_mut() = Tabs::new(name, Rc::downgrade(&core), lock_timeout_ms)?;
        }
        let _op = core.begin_op();
        if let Some(supers) = lazy_supers {
            p.read(2);
            core.install_lazy(supers).await?;
            core.opened();
            registry::remember_soon(name);
            core.keep_loading();
            return Ok(core);
        }
        if lazy != Some(false) {
            // The superblocks read above.
            p.read(2);
        }
        // Reading needs no lock (a readonly transaction is a consistent
        // image); creating the database does.
        let mut pages = idb::load(&db).await?;
        if pages.is_empty() {
            core.acquire_lock(false).await?;
            pages = idb::load(&db).await?;
            if pages.is_empty() {
                if let Some(created) = registry::created(name).await {
                    core.shut_down();
                    return Err(js_error(
                        "STORAGE_LOST",
                        &format!(
                            "the database '{name}' (created {created}) has no pages left in IndexedDB: the browser \
                             discarded this site's IndexedDB (Chromium does so when it finds its store corrupt \
                             after the browser was killed) or it was cleared outside ReelDB; \
                             ReelDB.deleteDatabase('{name}') starts over with an empty database"
                        ),
                    ));
                }
            }
        }
        let creating = pages.is_empty();
        p.read(pages.len() as u64);
        core.install(pages)?;
        if let Some(durable) = core.after_write() {
            JsFuture::from(durable).await?;
        }
        core.opened();
        if creating {
            // Recorded before the first commit can be acknowledged.
            registry::remember(name).await;
        } else {
            registry::remember_soon(name);
        }
        Ok(core)
    }

    /// Whether this is an open in-memory database with no operation
    /// queued or under way (each takes its guard, [`Core::begin_op`], when
    /// it is called, before it is queued) and no gate: a read may run at
    /// once without overtaking anything.
    pub fn idle_in_memory(&self) -> bool {
        self.persist.is_none() && self.ops.get() == 0 && self.gate.borrow().is_none() && self.is_open()
    }

    /// Marks an operation as queued or running, from when it is called
    /// until it settles (see [`OpGuard`]).
    pub fn begin_op(self: &Rc<Self>) -> OpGuard {
        self.ops.set(self.ops.get() + 1);
        OpGuard(self.clone())
    }

    /// Runs `f` on the session (error `CLOSED` once closed).
    pub fn with_session<T>(&self, f: impl FnOnce(&mut Session) -> T) -> Result<T, JsValue> {
        let mut s = self.session.borrow_mut();
        match s.as_mut() {
            Some(s) => Ok(f(s)),
            None => Err(closed()),
        }
    }

    /// Whether the database is still open.
    pub fn is_open(&self) -> bool {
        self.session.borrow().is_some()
    }

    /// Stops using IndexedDB and the session (close, or deletion by another
    /// connection).
    pub fn shut_down(&self) {
        *self.session.borrow_mut() = None;
        if let Some(p) = self.persist.as_ref() {
            if let Some(t) = p.tabs.borrow_mut().take() {
                if let Some(release) = t.release.borrow_mut().take() {
                    let _ = release.call0(&JsValue::NULL);
                }
                t.channel.close();
            }
            if let Some(db) = p.idb.borrow_mut().take() {
                db.close();
            }
        }
    }

    /// Closes: waits for pending writes, then lets go of everything.
    pub async fn close(self: &Rc<Self>) -> Result<(), JsValue> {
        let gate = self.gate.borrow().clone();
        if let Some(g) = gate {
            let _ = JsFuture::from(g).await;
        }
        if let Some(b) = self.durable_barrier() {
            JsFuture::from(b).await?;
        }
        self.shut_down();
        Ok(())
    }

    /// Pages in the image and IndexedDB transactions so far.
    pub fn storage_info(&self) -> JsValue {
        match &self.persist {
            None => obj(&[("backend", self.kind.into())]),
            Some(p) => obj(&[
                ("backend", "indexeddb".into()),
                ("name", p.name.clone().into()),
                ("durability", (if p.strict { "strict" } else { "relaxed" }).into()),
                ("pages", JsValue::from_f64(p.mem.borrow().len_pages() as f64)),
                ("idbTransactions", JsValue::from_f64(p.flushes.get() as f64)),
                ("pagesWritten", JsValue::from_f64(p.pages_written.get() as f64)),
                ("pagesRead", JsValue::from_f64(p.pages_read.get() as f64)),
                ("idbReads", JsValue::from_f64(p.reads.get() as f64)),
                ("lazy", JsValue::from_bool(p.lazy)),
                ("fullyLoaded", JsValue::from_bool(p.mem.borrow().fully_loaded())),
                (
                    "multiTab",
                    p.tabs.borrow().as_ref().map_or(JsValue::FALSE, |t| JsValue::from_bool(!t.tab_id.is_empty())),
                ),
            ]),
        }
    }
}

trait PageCount {
    fn len_pages(&self) -> u64;
}

impl PageCount for MemBackend {
    fn len_pages(&self) -> u64 {
        self.len().unwrap_or(0)
    }
}
