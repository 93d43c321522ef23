//! Durability: group commit into IndexedDB. The engine is synchronous and
//! runs on a `MemBackend`. After an operation that wrote,
//! [`Core::after_write`] moves the image's dirty pages into `pending` and
//! returns a promise of their durability. One flush at a time writes
//! everything pending in one IndexedDB transaction; commits made while it
//! runs are pending for the next one (group commit), each still its own
//! timeline entry. A promise resolves only when the transaction holding its
//! pages completed. When a flush fails, every waiting write is rejected with
//! the coded error and the database is reloaded from IndexedDB, i.e. returns
//! to the last durable commit.

use std::rc::Rc;

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

use super::Core;
use crate::store::page::PageBuf;
use crate::wasm::idb;

impl Core {
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
            // In a microtask: the writes issued in the same turn (many
            // in flight) join this flush.
            let core = self.clone();
            spawn_local(async move { core.flush_next() });
        }
        promise
    }

    /// Writes everything pending in one IndexedDB transaction; [`Core::flushed`]
    /// goes on from its `complete` or `abort` event. With nothing pending,
    /// resolves the waiters left and stops.
    fn flush_next(self: &Rc<Self>) {
        let p = self.persist.as_ref().expect("persistent");
        let batch: Vec<(u64, PageBuf)> = std::mem::take(&mut *p.pending.borrow_mut()).into_iter().collect();
        let waiters = std::mem::take(&mut *p.waiters.borrow_mut());
        if batch.is_empty() {
            for (resolve, _) in waiters {
                let _ = resolve.call0(&JsValue::NULL);
            }
            p.in_flight.set(false);
            self.maybe_release();
            return;
        }
        let fail = p.fail_next.borrow_mut().take();
        match p.connection().and_then(|db| idb::write_pages(&db, &batch, p.strict, fail.is_some())) {
            Ok(tx) => {
                let core = self.clone();
                let on_end: idb::OnEnd =
                    Box::new(move |r| core.flushed(batch, waiters, r.map_err(|e| idb::idb_error("commit", &e))));
                // Replaces (frees) the handlers of the previous flush.
                *p.watching.borrow_mut() = Some(idb::watch(&tx, fail, on_end));
            }
            Err(e) => self.flushed(batch, waiters, Err(e)),
        }
    }

    /// A flush ended: on success its waiters resolve (in the task of the
    /// transaction's `complete` event), other tabs are told, and the next
    /// flush starts; on failure every waiting write is rejected and the
    /// image reloaded.
    fn flushed(
        self: &Rc<Self>,
        batch: Vec<(u64, PageBuf)>,
        waiters: Vec<(Function, Function)>,
        result: Result<(), JsValue>,
    ) {
        let p = self.persist.as_ref().expect("persistent");
        match result {
            Ok(()) => {
                p.flushes.set(p.flushes.get() + 1);
                p.pages_written.set(p.pages_written.get() + batch.len() as u64);
                // Other tabs read just these pages if they hold the state
                // `before` (see `catch_up`). Not announced (nor the
                // superblocks decoded for it) while no other tab said it
                // has the database open: a `postMessage` costs about a
                // fifth of an awaited commit.
                let announce = p.tabs.borrow().as_ref().is_some_and(|t| t.peers.get());
                let before = if announce { p.supers.borrow().seq() } else { None };
                p.supers.borrow_mut().record_written(&batch);
                for (resolve, _) in waiters {
                    let _ = resolve.call0(&JsValue::NULL);
                }
                if let Some(t) = p.tabs.borrow().as_ref().filter(|_| announce) {
                    let after = p.supers.borrow().seq();
                    let seq = |s: Option<u64>| s.map_or(JsValue::NULL, |s| JsValue::from_f64(s as f64));
                    let pages: Array = batch.iter().map(|(n, _)| JsValue::from_f64(*n as f64)).collect();
                    t.post(&[
                        ("type", "commit".into()),
                        ("before", seq(before)),
                        ("after", seq(after)),
                        ("pages", pages.into()),
                    ]);
                }
                self.flush_next();
            }
            Err(e) => {
                let later = std::mem::take(&mut *p.waiters.borrow_mut());
                for (_, reject) in waiters.into_iter().chain(later) {
                    let _ = reject.call1(&JsValue::NULL, &e);
                }
                p.pending.borrow_mut().clear();
                p.in_flight.set(false);
                // Back to the last durable commit.
                let c = self.clone();
                let _ = self.run_gate(async move {
                    if let Err(e) = c.reload().await {
                        web_sys::console::error_2(&"ReelDB: reload after a failed write failed".into(), &e);
                        c.shut_down();
                        return Err(e);
                    }
                    Ok(())
                });
            }
        }
    }
}
