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

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

use super::{obj, Core};
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
            let idb = p.connection();
            let fail = p.fail_next.borrow_mut().take();
            let result = match idb {
                Err(e) => Err(e),
                Ok(db) => match idb::write_pages(&db, &batch, p.strict, fail) {
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
}
