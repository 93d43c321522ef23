//! Tab coordination. Writers are serialised across tabs by a Web Lock named
//! after the database. A tab keeps the lock once it has it (so a single tab
//! pays nothing per operation) until another tab asks for it on the
//! BroadcastChannel; it then gives it up as soon as it is idle: no operation
//! running, no flush pending, no open transaction — unless the asker is
//! backtracking, in which case the open transaction is rolled back, as a
//! backtrack closes open transactions. A tab that takes the lock first
//! reloads if the stored superblocks differ from the last ones it knows. A
//! tab that flushed posts `commit` on the channel with the pages it wrote;
//! the others read just those pages (or, after a missed notice, every page)
//! and fire a `remote` event. A tab posts `commit` only once it knows
//! another tab has the database open: an opening tab posts `hello` before
//! it reads the store; a tab hearing it announces its flushes from then on
//! and answers `here`; on `here` the opening tab checks the stored
//! superblocks (once its image is loaded) for flushes made before its
//! `hello` was heard. Reads need no lock: a tab that does not hold it
//! brings its image up to the last durable commit (one readonly IndexedDB
//! transaction) and reads, so a reader never waits on another tab's open
//! transaction and never sees its uncommitted rows.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use gloo::events::EventListener;
use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{BroadcastChannel, MessageEvent};

use super::{obj, to_js, Core};
use crate::sql::Session;
use crate::store::sync::{CatchUp, RemoteFlush, Superblocks};
use crate::wasm::{idb, js_error};

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

pub(super) struct Tabs {
    lock_name: String,
    pub(super) tab_id: String,
    pub(super) channel: BroadcastChannel,
    _listener: EventListener,
    pub(super) held: Cell<bool>,
    pub(super) release: Rc<RefCell<Option<Function>>>,
    wanted: Cell<bool>,
    preempt: Cell<bool>,
    lock_timeout_ms: u32,
    /// Whether another tab has the database open (it said so on the
    /// channel); until then flushes are not announced.
    pub(super) peers: Cell<bool>,
    /// A tab answered `hello` before this one's open finished: check the
    /// store once open (see [`Core::opened`]).
    recheck: Cell<bool>,
}

impl Core {
    pub(super) async fn acquire_lock(&self, preempt: bool) -> Result<(), JsValue> {
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

    /// Brings the image up to date with the flushes other tabs announced:
    /// when they form a chain from the state this tab holds, reads only the
    /// pages they wrote (and the superblocks, in the same readonly
    /// transaction) and checks that the store is at the last one's state.
    /// If the store is already further on, the notices of the newer flushes
    /// are on their way: unless `must` (an operation waits for the current
    /// state), keep the chain and wait for them. Otherwise (a missed notice)
    /// reload everything if the store changed. Returns whether the image
    /// changed.
    pub(super) async fn catch_up(&self, must: bool) -> Result<bool, JsValue> {
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
                p.read(pages.len() as u64 + 2);
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

    /// Runs `f` on the tab coordination, if there is one.
    pub(super) fn with_tabs<T>(&self, f: impl FnOnce(&Tabs) -> T) -> Option<T> {
        self.persist.as_ref().and_then(|p| p.tabs.borrow().as_ref().map(f))
    }

    /// Called once the open loaded this tab's image: if a tab answered its
    /// `hello` before that, checks the store for flushes that tab made
    /// unannounced.
    pub(super) fn opened(self: &Rc<Self>) {
        if self.with_tabs(|t| t.recheck.replace(false)) == Some(true) {
            self.on_remote_commit();
        }
    }

    /// Hands the writer lock to a tab that asked for it, if this tab is idle.
    pub(super) fn maybe_release(&self) {
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
}

impl Tabs {
    /// Web Locks plus a BroadcastChannel, when the context has both.
    pub(super) fn new(name: &str, core: Weak<Core>, lock_timeout_ms: u32) -> Result<Option<Tabs>, JsValue> {
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
            core.with_tabs(|t| t.peers.set(true));
            match field("type").and_then(|t| t.as_string()).as_deref() {
                Some("hello") => {
                    core.with_tabs(|t| t.post(&[("type", "here".into())]));
                }
                Some("here") => {
                    // The tab answering did not announce the flushes it made
                    // before it heard this tab's `hello`: check the store
                    // (once this tab's image is loaded).
                    if core.is_open() {
                        core.on_remote_commit();
                    } else {
                        core.with_tabs(|t| t.recheck.set(true));
                    }
                }
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
        let tabs = Tabs {
            lock_name: format!("reeldb:{name}"),
            tab_id,
            channel,
            _listener: listener,
            held: Cell::new(false),
            release: Rc::new(RefCell::new(None)),
            wanted: Cell::new(false),
            preempt: Cell::new(false),
            lock_timeout_ms,
            peers: Cell::new(false),
            recheck: Cell::new(false),
        };
        // Before this tab reads the store: tabs that hear it announce their
        // flushes from then on and answer `here` (see `opened`).
        tabs.post(&[("type", "hello".into())]);
        Ok(Some(tabs))
    }

    /// Posts a message of `fields` and this tab's id on the channel.
    pub(super) fn post(&self, fields: &[(&str, JsValue)]) {
        let mut all = fields.to_vec();
        all.push(("from", self.tab_id.clone().into()));
        let _ = self.channel.post_message(&obj(&all));
    }

    /// Asks for the writer lock: tells the holder, then queues a request.
    /// The promise resolves once the lock is granted; the lock is held until
    /// `release` is called.
    fn acquire(&self, preempt: bool) -> Option<Promise> {
        self.post(&[("type", "want".into()), ("preempt", preempt.into())]);
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
