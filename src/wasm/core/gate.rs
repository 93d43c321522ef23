//! The gates every operation waits for: reloads and lock hand-overs run in
//! order, and an operation starts once the chain before it has settled.

use std::future::Future;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use super::{closed, Core};

impl Core {
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
            return Err(closed());
        }
        Ok(self.persist.as_ref().is_some_and(|p| p.tabs.borrow().as_ref().is_some_and(|t| !t.held.get())))
    }

    /// Runs `fut` as the gate every operation waits for.
    pub(super) fn run_gate(self: &Rc<Self>, fut: impl Future<Output = Result<(), JsValue>> + 'static) -> Promise {
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
}
