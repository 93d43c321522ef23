//! The state behind a `ReelDB` object: the SQL session on the in-memory page
//! image, durability (group commit into IndexedDB), tab coordination and
//! change events.
//!
//! **Durability.** The engine is synchronous and runs on a `MemBackend`.
//! After an operation that wrote, [`Core::after_write`] moves the image's
//! dirty pages into `pending` and returns a promise of their durability. One
//! flush at a time writes everything pending in one IndexedDB transaction;
//! commits made while it runs are pending for the next one (group commit),
//! each still its own timeline entry. A promise resolves only when the
//! transaction holding its pages completed. When a flush fails, every
//! waiting write is rejected with the coded error and the database is
//! reloaded from IndexedDB, i.e. returns to the last durable commit.
//!
//! **Tabs.** Writers are serialised across tabs by a Web Lock named after the
//! database. A tab keeps the lock once it has it (so a single tab pays
//! nothing per operation) until another tab asks for it on the
//! BroadcastChannel; it then gives it up as soon as it is idle: no operation
//! running, no flush pending, no open transaction — unless the asker is
//! backtracking, in which case the open transaction is rolled back, as a
//! backtrack closes open transactions. A tab that takes the lock first
//! reloads if the stored superblocks differ from the last ones it knows. A
//! tab that flushed posts `commit` on the channel with the pages it wrote;
//! the others read just those pages (or, after a missed notice, every page)
//! and fire a `remote` event. Reads need no lock: a tab that does not hold
//! it brings its image up to the last durable commit (one readonly
//! IndexedDB transaction) and reads, so a reader never waits on another
//! tab's open transaction and never sees its uncommitted rows.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::future::Future;
use std::rc::{Rc, Weak};

use gloo::events::EventListener;
use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, spawn_local, JsFuture};
use web_sys::{BroadcastChannel, IdbDatabase, MessageEvent};

use super::dto::JsTimelineEntry;
use super::{idb, js_error, registry};
use crate::db::{Database, Options};
use crate::sql::Session;
use crate::store::backend::{next_ahead, MemBackend, StorageBackend, PREFETCH_PAGES};
use crate::store::page::PageBuf;
use crate::store::sync::{CatchUp, RemoteFlush, Superblocks};

/// IndexedDB persistence of one database.
pub struct Persist {
    pub name: String,
    idb: RefCell<Option<IdbDatabase>>,
    mem: RefCell<MemBackend>,
    /// Pages are fetched on demand (`lazy: true`; ARCHITECTURE.md, "Lazy
    /// pages") instead of all at open.
    pub lazy: bool,
    strict: bool,
    pending: RefCell<BTreeMap<u64, PageBuf>>,
    waiters: RefCell<Vec<(Function, Function)>>,
    in_flight: Cell<bool>,
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
    /// Flushes other tabs announced and this tab has not applied yet.
    remote: RefCell<Vec<RemoteFlush>>,
    _versionchange: RefCell<Option<EventListener>>,
}

/// The flush another tab announced in a `commit` message.
fn remote_flush(data: &JsValue) -> Option<RemoteFlush> {
    let num = |k: &str| Reflect::get(data, &k.into()).ok().and_then(|v| v.as_f64()).map(|n| n as u64);
    let pages = Reflect::get(data, &"pages".into()).ok()?.dyn_into::<Array>().ok()?;
    Some(RemoteFlush {
        before: num("before"),
        after: num("after")?,
        pages: pages.iter().filter_map(|n| n.as_f64()).map(|n| n as u64).collect(),
    })
}

struct Tabs {
    lock_name: String,
    tab_id: String,
    channel: BroadcastChannel,
    _listener: EventListener,
    held: Cell<bool>,
    release: Rc<RefCell<Option<Function>>>,
    wanted: Cell<bool>,
    preempt: Cell<bool>,
    lock_timeout_ms: u32,
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
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::NULL)
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
        lazy: bool,
    ) -> Result<Rc<Core>, JsValue> {
        let db = idb::open(name).await?;
        let persist = Persist {
            name: name.to_string(),
            idb: RefCell::new(Some(db.clone())),
            mem: RefCell::new(MemBackend::new()),
            lazy,
            strict,
            pending: RefCell::new(BTreeMap::new()),
            waiters: RefCell::new(Vec::new()),
            in_flight: Cell::new(false),
            supers: RefCell::new(Superblocks::default()),
            fail_next: RefCell::new(None),
            tabs: RefCell::new(None),
            flushes: Cell::new(0),
            pages_written: Cell::new(0),
            pages_read: Cell::new(0),
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
        if lazy {
            // The superblocks, then what `Database::open` reads; an empty
            // store takes the path below (creating needs the lock).
            let supers = Superblocks(idb::superblocks(&db).await?);
            if supers.0.iter().any(Option::is_some) {
                p.pages_read.set(2);
                core.install_lazy(supers).await?;
                registry::remember(name).await;
                return Ok(core);
            }
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
        p.pages_read.set(pages.len() as u64);
        core.install(pages)?;
        if let Some(durable) = core.after_write() {
            JsFuture::from(durable).await?;
        }
        registry::remember(name).await;
        Ok(core)
    }

    async fn acquire_lock(&self, preempt: bool) -> Result<(), JsValue> {
        let acquire =
            match self.persist.as_ref().and_then(|p| {
                p.tabs.borrow().as_ref().and_then(|t| if t.held.get() { None } else { t.acquire(preempt) })
            }) {
                Some(p) => p,
                None => return Ok(()),
            };
        JsFuture::from(acquire).await.map_err(|e| {
            let name = Reflect::get(&e, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_default();
            if name == "TimeoutError" {
                js_error(
                    "LOCK_TIMEOUT",
                    "timed out waiting for the write lock: another tab is writing or holds an open transaction",
                )
            } else {
                e
            }
        })?;
        if let Some(p) = self.persist.as_ref() {
            if let Some(t) = p.tabs.borrow().as_ref() {
                t.held.set(true);
            }
        }
        Ok(())
    }

    /// Marks an operation as running (see [`OpGuard`]).
    pub fn begin_op(self: &Rc<Self>) -> OpGuard {
        self.ops.set(self.ops.get() + 1);
        OpGuard(self.clone())
    }

    /// Runs `f` on the session (error `CLOSED` once closed).
    pub fn with_session<T>(&self, f: impl FnOnce(&mut Session) -> T) -> Result<T, JsValue> {
        let mut s = self.session.borrow_mut();
        match s.as_mut() {
            Some(s) => Ok(f(s)),
            None => Err(js_error("CLOSED", "the database is closed")),
        }
    }

    /// Whether the database is still open.
    pub fn is_open(&self) -> bool {
        self.session.borrow().is_some()
    }

    /// Waits until the database may be used by this tab: no reload running,
    /// and (with other tabs) this tab holds the writer lock and has loaded
    /// what other tabs committed.
    /// `preempt` (a backtrack) asks a tab holding the lock in an open
    /// transaction to roll it back.
    pub async fn ready(self: &Rc<Self>, preempt: bool) -> Result<(), JsValue> {
        while self.settle().await? {
            let core = self.clone();
            let gate = self.run_gate(async move {
                core.acquire_lock(preempt).await?;
                core.catch_up(true).await?;
                Ok(())
            });
            JsFuture::from(gate).await?;
        }
        Ok(())
    }

    /// Prepares a read that needs no writer lock: in a tab that shares the
    /// database with others and does not hold the lock, waits for the gates
    /// and brings the image up to the last commit any tab made durable (the
    /// superblocks, and the pages other tabs announced, in one readonly
    /// transaction), so that the read sees every commit acknowledged before
    /// it was issued and never waits on another tab's open transaction.
    /// Returns `false` where reads take the usual path ([`Core::ready`]):
    /// no other tabs to coordinate with, or this tab holds the lock (its
    /// image is then the current state).
    pub async fn ready_to_read(self: &Rc<Self>) -> Result<bool, JsValue> {
        if !self.settle().await? {
            return Ok(false);
        }
        let core = self.clone();
        JsFuture::from(self.run_gate(async move { core.catch_up(true).await.map(|_| ()) })).await?;
        Ok(true)
    }

    /// Waits until no gate is queued; then whether this tab shares the
    /// database with other tabs without holding the writer lock (error
    /// `CLOSED` once closed).
    async fn settle(&self) -> Result<bool, JsValue> {
        loop {
            let gate = self.gate.borrow().clone();
            match gate {
                Some(g) => {
                    JsFuture::from(g).await?;
                }
                None => break,
            }
        }
        if !self.is_open() {
            return Err(js_error("CLOSED", "the database is closed"));
        }
        Ok(self.persist.as_ref().is_some_and(|p| p.tabs.borrow().as_ref().is_some_and(|t| !t.held.get())))
    }

    /// Runs `fut` as the gate every operation waits for.
    fn run_gate(self: &Rc<Self>, fut: impl Future<Output = Result<(), JsValue>> + 'static) -> Promise {
        let previous = self.gate.borrow().clone();
        let core = self.clone();
        let id = self.gate_id.get() + 1;
        self.gate_id.set(id);
        let promise = future_to_promise(async move {
            if let Some(p) = previous {
                let _ = JsFuture::from(p).await;
            }
            let r = fut.await;
            // Only the last gate clears it: an earlier one finishing must
            // not let later operations skip the gates queued after it.
            if core.gate_id.get() == id {
                *core.gate.borrow_mut() = None;
            }
            r.map(|_| JsValue::UNDEFINED)
        });
        *self.gate.borrow_mut() = Some(promise.clone());
        promise
    }

    /// The last timeline sequence number.
    pub fn last_seq(&self) -> u64 {
        self.with_session(|s| s.database().timeline().last().map_or(0, |e| e.seq)).unwrap_or(0)
    }

    /// Timeline entries after `seq`, as JavaScript objects.
    fn entries_after(&self, seq: u64) -> Vec<JsTimelineEntry> {
        self.with_session(|s| {
            let timeline = s.database().timeline();
            let new = timeline.iter().rev().take_while(|e| e.seq > seq).count();
            timeline[timeline.len() - new..].iter().map(Into::into).collect()
        })
        .unwrap_or_default()
    }

    /// Fires `commit` / `backtrack` events for the entries after `seq`.
    pub fn emit_local(&self, seq: u64) {
        if self.listeners.borrow().is_empty() {
            return;
        }
        for e in self.entries_after(seq) {
            let kind = e.kind;
            self.emit(obj(&[("type", kind.into()), ("source", "local".into()), ("entry", to_js(&e))]));
        }
    }

    /// Calls every listener with `event`; a listener that throws is reported
    /// on the console and does not stop the others.
    pub fn emit(&self, event: JsValue) {
        let listeners: Vec<Function> = self.listeners.borrow().iter().map(|(_, f)| f.clone()).collect();
        for f in listeners {
            if let Err(e) = f.call1(&JsValue::NULL, &event) {
                web_sys::console::error_2(&"ReelDB: a subscribe() listener threw".into(), &e);
            }
        }
    }

    /// Adds a listener; returns its id.
    pub fn subscribe(&self, f: Function) -> u32 {
        let id = self.next_listener.get();
        self.next_listener.set(id + 1);
        self.listeners.borrow_mut().push((id, f));
        id
    }

    /// Removes a listener.
    pub fn unsubscribe(&self, id: u32) {
        self.listeners.borrow_mut().retain(|(i, _)| *i != id);
    }

    /// After an operation: queues the pages it wrote for the next flush and
    /// returns a promise of their durability (None: nothing was written or
    /// the database lives in memory).
    pub fn after_write(self: &Rc<Self>) -> Option<Promise> {
        let p = self.persist.as_ref()?;
        let dirty = p.mem.borrow().take_dirty();
        if dirty.is_empty() {
            return None;
        }
        p.pending.borrow_mut().extend(dirty);
        Some(self.flush_waiter())
    }

    /// A promise resolved once everything written so far is durable.
    pub fn durable_barrier(self: &Rc<Self>) -> Option<Promise> {
        let p = self.persist.as_ref()?;
        if !p.in_flight.get() && p.pending.borrow().is_empty() {
            return None;
        }
        Some(self.flush_waiter())
    }

    fn flush_waiter(self: &Rc<Self>) -> Promise {
        let p = self.persist.as_ref().expect("persistent");
        let promise = Promise::new(&mut |resolve, reject| p.waiters.borrow_mut().push((resolve, reject)));
        if !p.in_flight.get() {
            p.in_flight.set(true);
            spawn_local(Core::flush_loop(self.clone()));
        }
        promise
    }

    async fn flush_loop(core: Rc<Core>) {
        let p = core.persist.as_ref().expect("persistent");
        loop {
            let batch: Vec<(u64, PageBuf)> = std::mem::take(&mut *p.pending.borrow_mut()).into_iter().collect();
            let waiters = std::mem::take(&mut *p.waiters.borrow_mut());
            if batch.is_empty() {
                for (resolve, _) in waiters {
                    let _ = resolve.call0(&JsValue::NULL);
                }
                break;
            }
            let idb = p.idb.borrow().clone();
            let fail = p.fail_next.borrow_mut().take();
            let result = match idb {
                None => Err(js_error("CLOSED", "the database is closed")),
                Some(db) => match idb::write_pages(&db, &batch, p.strict, fail) {
                    Ok(pending) => pending.done().await.map_err(|e| idb::idb_error("commit", &e)),
                    Err(e) => Err(e),
                },
            };
            match result {
                Ok(()) => {
                    p.flushes.set(p.flushes.get() + 1);
                    p.pages_written.set(p.pages_written.get() + batch.len() as u64);
                    let before = p.supers.borrow().seq();
                    p.supers.borrow_mut().record_written(&batch);
                    for (resolve, _) in waiters {
                        let _ = resolve.call0(&JsValue::NULL);
                    }
                    if let Some(t) = p.tabs.borrow().as_ref() {
                        // Other tabs read just these pages if they hold the
                        // state `before` (see `catch_up`).
                        let after = p.supers.borrow().seq();
                        let seq = |s: Option<u64>| s.map_or(JsValue::NULL, |s| JsValue::from_f64(s as f64));
                        let pages: Array = batch.iter().map(|(n, _)| JsValue::from_f64(*n as f64)).collect();
                        let _ = t.channel.post_message(&obj(&[
                            ("type", "commit".into()),
                            ("from", t.tab_id.clone().into()),
                            ("before", seq(before)),
                            ("after", seq(after)),
                            ("pages", pages.into()),
                        ]));
                    }
                }
                Err(e) => {
                    let later = std::mem::take(&mut *p.waiters.borrow_mut());
                    for (_, reject) in waiters.into_iter().chain(later) {
                        let _ = reject.call1(&JsValue::NULL, &e);
                    }
                    p.pending.borrow_mut().clear();
                    p.in_flight.set(false);
                    // Back to the last durable commit.
                    let c = core.clone();
                    let _ = core.run_gate(async move {
                        if let Err(e) = c.reload().await {
                            web_sys::console::error_2(&"ReelDB: reload after a failed write failed".into(), &e);
                            c.shut_down();
                            return Err(e);
                        }
                        Ok(())
                    });
                    return;
                }
            }
        }
        p.in_flight.set(false);
        core.maybe_release();
    }

    /// Reloads every page from IndexedDB (a lazy image: the superblocks
    /// and what open reads).
    pub async fn reload(&self) -> Result<bool, JsValue> {
        let p = self.persist.as_ref().expect("persistent");
        let db = p.idb.borrow().clone().ok_or_else(|| js_error("CLOSED", "the database is closed"))?;
        if p.lazy {
            let supers = Superblocks(idb::superblocks(&db).await?);
            p.pages_read.set(p.pages_read.get() + 2);
            return self.install_lazy(supers).await;
        }
        let pages = idb::load(&db).await?;
        p.pages_read.set(p.pages_read.get() + pages.len() as u64);
        self.install(pages)
    }

    /// Brings the image up to date with the flushes other tabs announced:
    /// when they form a chain from the state this tab holds, reads only the
    /// pages they wrote (and the superblocks, in the same readonly
    /// transaction) and checks that the store is at the last one's state.
    /// If the store is already further on, the notices of the newer flushes
    /// are on their way: unless `must` (an operation waits for the current
    /// state), keep the chain and wait for them. Otherwise (a missed notice)
    /// reload everything if the store changed. Returns whether the image
    /// changed.
    async fn catch_up(&self, must: bool) -> Result<bool, JsValue> {
        let Some(p) = self.persist.as_ref() else { return Ok(false) };
        let Some(db) = p.idb.borrow().clone() else { return Ok(false) };
        let mine = p.supers.borrow().seq();
        let queue = std::mem::take(&mut *p.remote.borrow_mut());
        if let CatchUp::Chain { flushes, pages: wanted, target } = CatchUp::plan(mine, queue) {
            // The superblocks (pages 0 and 1) are read anyway.
            let (supers, pages) = idb::read_pages(&db, &wanted).await?;
            let supers = Superblocks(supers);
            let stored = supers.seq();
            if !must && stored > Some(target) {
                let mut remote = p.remote.borrow_mut();
                let newer = std::mem::take(&mut *remote);
                *remote = flushes.into_iter().chain(newer).collect();
                return Ok(false);
            }
            if stored == Some(target) && pages.len() == wanted.len() {
                p.pages_read.set(p.pages_read.get() + pages.len() as u64 + 2);
                let mem = p.mem.borrow().clone();
                mem.put_pages(pages);
                mem.put_pages(supers.pages());
                let opened = match self.open_lazily(&mem, &supers).await {
                    Ok(Some(db)) => self.install_db(db, mem, supers),
                    Ok(None) => Err(JsValue::NULL),
                    Err(e) => Err(e),
                };
                if opened.is_ok() {
                    return Ok(true);
                }
            }
        }
        self.refresh_if_stale().await
    }

    /// Reloads when the stored superblocks differ from the last ones this
    /// tab wrote or read. Returns whether it reloaded.
    async fn refresh_if_stale(&self) -> Result<bool, JsValue> {
        let Some(p) = self.persist.as_ref() else { return Ok(false) };
        let Some(db) = p.idb.borrow().clone() else { return Ok(false) };
        let stored = Superblocks(idb::superblocks(&db).await?);
        if stored == *p.supers.borrow() {
            return Ok(false);
        }
        self.reload().await?;
        Ok(true)
    }

    /// Replaces the session by one on `pages`; returns whether an open
    /// transaction was dropped.
    fn install(&self, pages: Vec<(u64, PageBuf)>) -> Result<bool, JsValue> {
        let supers = Superblocks::of_pages(&pages);
        self.install_image(MemBackend::from_pages(pages), supers)
    }

    /// Replaces the session by one on the image `mem`, whose superblocks
    /// are `supers`; returns whether an open transaction was dropped.
    fn install_image(&self, mem: MemBackend, supers: Superblocks) -> Result<bool, JsValue> {
        let db = Database::open(Box::new(mem.clone()), self.options.clone())?;
        self.install_db(db, mem, supers)
    }

    /// Replaces the session by one on a new lazy image of the store whose
    /// superblocks are `supers` (read from IndexedDB just before), opened
    /// through [`Core::open_lazily`]; when the store moved on meanwhile,
    /// starts again from its new superblocks.
    async fn install_lazy(&self, mut supers: Superblocks) -> Result<bool, JsValue> {
        let p = self.persist.as_ref().expect("persistent");
        loop {
            let mem = MemBackend::lazy(supers.0.clone());
            if let Some(db) = self.open_lazily(&mem, &supers).await? {
                return self.install_db(db, mem, supers);
            }
            let db = p.idb.borrow().clone().ok_or_else(|| js_error("CLOSED", "the database is closed"))?;
            supers = Superblocks(idb::superblocks(&db).await?);
        }
    }

    /// Opens the database on the image `mem` of the state `supers`,
    /// fetching the pages open reads. `None`: the store is no longer at
    /// that state (another tab committed), so the image cannot be completed.
    async fn open_lazily(&self, mem: &MemBackend, supers: &Superblocks) -> Result<Option<Database>, JsValue> {
        let (mut ahead, mut last, mut fetched) = (PREFETCH_PAGES, None, (0, 0));
        loop {
            let r = Database::open(Box::new(mem.clone()), self.options.clone());
            let missing = mem.take_missing();
            if missing.is_empty() {
                return Ok(Some(r?));
            }
            if let Some(from) = last {
                ahead = next_ahead(ahead, from, &missing);
            }
            if !self.fetch_some(mem, &missing, ahead, &mut fetched, OPEN_FETCHES_BEFORE_ALL, Some(supers)).await? {
                return Ok(None);
            }
            last = missing.first().copied();
        }
    }

    /// Reads the pages `fetch_plan` names for `missing` (and the
    /// superblocks) in one readonly IndexedDB transaction into `mem`.
    /// They belong to the image's state when this tab is the writer (no
    /// other tab changes the store), or when the stored superblocks are
    /// `expected` (default: the ones this tab's image is at); otherwise
    /// nothing is filled and the answer is `false`: the caller catches up.
    async fn fetch(
        &self,
        mem: &MemBackend,
        missing: &[u64],
        ahead: u64,
        expected: Option<&Superblocks>,
    ) -> Result<bool, JsValue> {
        let p = self.persist.as_ref().expect("persistent");
        let db = p.idb.borrow().clone().ok_or_else(|| js_error("CLOSED", "the database is closed"))?;
        let plan = mem.fetch_plan(missing, ahead);
        let (supers, pages) = idb::read_pages(&db, &plan).await?;
        let writer = p.tabs.borrow().as_ref().is_none_or(|t| t.held.get());
        let consistent = match expected {
            Some(e) => Superblocks(supers) == *e,
            None => writer || Superblocks(supers) == *p.supers.borrow(),
        };
        if !consistent {
            return Ok(false);
        }
        p.pages_read.set(p.pages_read.get() + pages.len() as u64);
        let mut found: BTreeMap<u64, PageBuf> = pages.into_iter().collect();
        mem.fill(plan.into_iter().map(|n| (n, found.remove(&n))).collect::<Vec<_>>());
        Ok(true)
    }

    /// Runs `op` on the session until it no longer stops at a page a lazy
    /// image has not loaded, fetching the pages between attempts (an
    /// attempt that missed a page had no effect: ARCHITECTURE.md, "Lazy
    /// pages"). When another tab changed the store meanwhile, this tab
    /// catches up first.
    pub async fn lazily<T>(self: &Rc<Self>, mut op: impl FnMut(&mut Session) -> T) -> Result<T, JsValue> {
        let (mut ahead, mut last, mut fetched) = (PREFETCH_PAGES, None, (0, 0));
        loop {
            let r = self.with_session(&mut op)?;
            let Some(p) = self.persist.as_ref().filter(|p| p.lazy) else { return Ok(r) };
            let mem = p.mem.borrow().clone();
            let missing = mem.take_missing();
            if missing.is_empty() {
                return Ok(r);
            }
            if let Some(from) = last {
                ahead = next_ahead(ahead, from, &missing);
            }
            if !self.fetch_some(&mem, &missing, ahead, &mut fetched, FETCHES_BEFORE_ALL, None).await? {
                self.ready_to_read().await?;
            }
            last = missing.first().copied();
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
        let db = p.idb.borrow().clone().ok_or_else(|| js_error("CLOSED", "the database is closed"))?;
        let pages = idb::load(&db).await?;
        let stored = Superblocks::of_pages(&pages);
        let consistent = match expected {
            Some(e) => stored == *e,
            None => p.tabs.borrow().as_ref().is_none_or(|t| t.held.get()) || stored == *p.supers.borrow(),
        };
        if !consistent {
            return Ok(false);
        }
        p.pages_read.set(p.pages_read.get() + pages.len() as u64);
        let len = mem.len().unwrap_or(0);
        let mut found: BTreeMap<u64, PageBuf> = pages.into_iter().collect();
        mem.fill((0..len).map(|n| (n, found.remove(&n))).collect::<Vec<_>>());
        Ok(true)
    }

    /// Fetches what an attempt of one operation missed: the pages
    /// `fetch_plan` names, or, once the operation has needed `limit`
    /// fetches or a quarter of the store (it reads most
    /// of it: the system tree of a long history at open, a full scan),
    /// every page in one `getAll`, which costs about what a few large
    /// fetches do. `fetched` counts the pages and fetches so far.
    async fn fetch_some(
        &self,
        mem: &MemBackend,
        missing: &[u64],
        ahead: u64,
        fetched: &mut (u64, u32),
        limit: u32,
        expected: Option<&Superblocks>,
    ) -> Result<bool, JsValue> {
        let stored = mem.len().unwrap_or(0);
        let plan = mem.fetch_plan(missing, ahead).len() as u64;
        fetched.1 += 1;
        if fetched.1 > limit || (fetched.0 + plan).saturating_mul(4) > stored {
            return self.fetch_all(mem, expected).await;
        }
        fetched.0 += plan;
        self.fetch(mem, missing, ahead, expected).await
    }

    /// After a write on a lazy image: a garbage collection the engine
    /// deferred until every page is loaded runs now (the caller holds the
    /// writer path). Its pages join the next flush.
    pub async fn collect_if_due(self: &Rc<Self>) -> Result<(), JsValue> {
        if self.fully_loaded() || !self.with_session(|s| s.database().gc_due())? {
            return Ok(());
        }
        self.load_all().await?;
        self.with_session(|s| s.database_mut().gc())??;
        if let Some(durable) = self.after_write() {
            JsFuture::from(durable).await?;
        }
        Ok(())
    }

    /// Replaces the session by one on `db`, opened on the image `mem` whose
    /// superblocks are `supers`; returns whether an open transaction was
    /// dropped.
    fn install_db(&self, mut db: Database, mem: MemBackend, supers: Superblocks) -> Result<bool, JsValue> {
        let p = self.persist.as_ref().expect("persistent");
        let old = self.session.borrow_mut().take();
        let (clock, cur_db, in_tx) = match &old {
            Some(s) => (s.database().fixed_clock(), s.current_database().to_string(), s.in_transaction()),
            None => (None, String::new(), false),
        };
        db.set_clock(clock);
        let mut session = Session::new(db);
        if !cur_db.is_empty() && cur_db != session.current_database() {
            // The database may be gone in the new image: then the session
            // stays on its default one.
            let _ = session.use_database(&cur_db);
        }
        *p.mem.borrow_mut() = mem;
        *p.supers.borrow_mut() = supers;
        p.pending.borrow_mut().clear();
        *self.session.borrow_mut() = Some(session);
        Ok(in_tx)
    }

    /// Another tab committed: reload and tell the listeners.
    fn on_remote_commit(self: &Rc<Self>) {
        let core = self.clone();
        let _ = self.run_gate(async move {
            let held = core.persist.as_ref().is_some_and(|p| p.tabs.borrow().as_ref().is_some_and(|t| t.held.get()));
            if held {
                // This tab is the writer: its state is the newest.
                if let Some(p) = core.persist.as_ref() {
                    p.remote.borrow_mut().clear();
                }
                return Ok(());
            }
            let before = core.last_seq();
            let in_tx = core.with_session(|s| s.in_transaction()).unwrap_or(false);
            if core.catch_up(false).await.unwrap_or(false) {
                let entries: Array = core.entries_after(before).iter().map(to_js).collect();
                if in_tx {
                    core.emit(obj(&[("type", "rollback".into()), ("reason", "remote change".into())]));
                }
                core.emit(obj(&[("type", "remote".into()), ("entries", entries.into())]));
            }
            Ok(())
        });
    }

    /// Hands the writer lock to a tab that asked for it, if this tab is idle.
    fn maybe_release(&self) {
        let Some(p) = self.persist.as_ref() else { return };
        let tabs = p.tabs.borrow();
        let Some(t) = tabs.as_ref() else { return };
        if !t.held.get() || !t.wanted.get() || self.ops.get() > 0 || p.in_flight.get() || !p.pending.borrow().is_empty()
        {
            return;
        }
        if self.gate.borrow().is_some() {
            return;
        }
        let in_tx = self.with_session(|s| s.in_transaction()).unwrap_or(false);
        if in_tx {
            if !t.preempt.get() {
                return;
            }
            let _ = self.with_session(Session::rollback);
            self.emit(obj(&[("type", "rollback".into()), ("reason", "backtrack in another tab".into())]));
        }
        t.held.set(false);
        t.wanted.set(false);
        t.preempt.set(false);
        let release = t.release.borrow_mut().take();
        if let Some(release) = release {
            let _ = release.call0(&JsValue::NULL);
        }
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

/// Fetches one operation makes before it reads every page instead (see
/// `Core::fetch_some`): a point query on a cold image needs one per B+tree
/// level and a few for the catalogue (7 on a 1,000,000-row table).
const FETCHES_BEFORE_ALL: u32 = 12;
/// The same for open, which reads the system tree: one or two fetches
/// unless the history is long, and then most of the store.
const OPEN_FETCHES_BEFORE_ALL: u32 = 4;

trait PageCount {
    fn len_pages(&self) -> u64;
}

impl PageCount for MemBackend {
    fn len_pages(&self) -> u64 {
        self.len().unwrap_or(0)
    }
}

impl Tabs {
    /// Web Locks plus a BroadcastChannel, when the context has both.
    fn new(name: &str, core: Weak<Core>, lock_timeout_ms: u32) -> Result<Option<Tabs>, JsValue> {
        let global = js_sys::global();
        let navigator = Reflect::get(&global, &"navigator".into())?;
        let has_locks = !navigator.is_undefined()
            && Reflect::get(&navigator, &"locks".into()).is_ok_and(|l| !l.is_undefined() && !l.is_null());
        let has_channel = Reflect::get(&global, &"BroadcastChannel".into()).is_ok_and(|c| !c.is_undefined());
        if !has_locks || !has_channel {
            return Ok(None);
        }
        let channel = BroadcastChannel::new(&format!("reeldb:{name}"))?;
        let tab_id = format!("{:x}", (js_sys::Math::random() * 9.0e15) as u64);
        let me = tab_id.clone();
        let listener = EventListener::new(&channel, "message", move |e| {
            let Some(core) = core.upgrade() else { return };
            let Some(e) = e.dyn_ref::<MessageEvent>() else { return };
            let data = e.data();
            let field = |k: &str| Reflect::get(&data, &k.into()).ok();
            if field("from").and_then(|f| f.as_string()).as_deref() == Some(me.as_str()) {
                return;
            }
            match field("type").and_then(|t| t.as_string()).as_deref() {
                Some("want") => {
                    if let Some(p) = core.persist.as_ref() {
                        if let Some(t) = p.tabs.borrow().as_ref() {
                            t.wanted.set(true);
                            if field("preempt").and_then(|p| p.as_bool()) == Some(true) {
                                t.preempt.set(true);
                            }
                        }
                    }
                    core.maybe_release();
                }
                Some("commit") => {
                    if let (Some(p), Some(f)) = (core.persist.as_ref(), remote_flush(&data)) {
                        p.remote.borrow_mut().push(f);
                    }
                    core.on_remote_commit()
                }
                _ => {}
            }
        });
        Ok(Some(Tabs {
            lock_name: format!("reeldb:{name}"),
            tab_id,
            channel,
            _listener: listener,
            held: Cell::new(false),
            release: Rc::new(RefCell::new(None)),
            wanted: Cell::new(false),
            preempt: Cell::new(false),
            lock_timeout_ms,
        }))
    }

    /// Asks for the writer lock: tells the holder, then queues a request.
    /// The promise resolves once the lock is granted; the lock is held until
    /// `release` is called.
    fn acquire(&self, preempt: bool) -> Option<Promise> {
        let _ = self.channel.post_message(&obj(&[
            ("type", "want".into()),
            ("from", self.tab_id.clone().into()),
            ("preempt", preempt.into()),
        ]));
        let release = self.release.clone();
        let name = self.lock_name.clone();
        let options = Object::new();
        if self.lock_timeout_ms > 0 {
            let timeout = Reflect::get(&js_sys::global(), &"AbortSignal".into())
                .and_then(|a| Reflect::get(&a, &"timeout".into()).map(|t| (a, t)));
            if let Ok((signal_class, timeout)) = timeout {
                if let Ok(timeout) = timeout.dyn_into::<Function>() {
                    if let Ok(signal) = timeout.call1(&signal_class, &JsValue::from(self.lock_timeout_ms)) {
                        let _ = Reflect::set(&options, &"signal".into(), &signal);
                    }
                }
            }
        }
        Some(Promise::new(&mut |resolve, reject| {
            let release = release.clone();
            let granted = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
                let hold = Promise::new(&mut |res, _| *release.borrow_mut() = Some(res));
                let _ = resolve.call0(&JsValue::NULL);
                hold.into()
            });
            let locks = Reflect::get(&js_sys::global(), &"navigator".into())
                .and_then(|n| Reflect::get(&n, &"locks".into()))
                .unwrap_or(JsValue::UNDEFINED);
            let request = Reflect::get(&locks, &"request".into()).ok().and_then(|r| r.dyn_into::<Function>().ok());
            match request {
                Some(request) => match request.call3(&locks, &name.clone().into(), &options, &granted) {
                    Ok(p) => {
                        let reject = reject.clone();
                        spawn_local(async move {
                            if let Err(e) = JsFuture::from(p.unchecked_into::<Promise>()).await {
                                let _ = reject.call1(&JsValue::NULL, &e);
                            }
                        });
                    }
                    Err(e) => {
                        let _ = reject.call1(&JsValue::NULL, &e);
                    }
                },
                None => {
                    let _ = reject.call1(&JsValue::NULL, &js_error("NO_LOCKS", "navigator.locks is not available"));
                }
            }
        }))
    }
}
