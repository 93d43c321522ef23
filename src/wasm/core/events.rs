//! Change events: the listeners of `subscribe` and what they are told.

use js_sys::Function;
use wasm_bindgen::prelude::*;

use super::{obj, to_js, Core};
use crate::wasm::dto::JsTimelineEntry;

impl Core {
    /// The last timeline sequence number.
    pub fn last_seq(&self) -> u64 {
        self.with_session(|s| s.database().last_entry().map_or(0, |e| e.seq)).unwrap_or(0)
    }

    /// Timeline entries after `seq`, as JavaScript objects.
    pub(super) fn entries_after(&self, seq: u64) -> Vec<JsTimelineEntry> {
        self.with_session(|s| s.database().entries_after(seq).map(|v| v.iter().map(Into::into).collect()))
            .ok()
            .and_then(Result::ok)
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
}
