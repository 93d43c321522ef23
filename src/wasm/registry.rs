//! The databases this origin has created, remembered outside IndexedDB (in
//! `localStorage`, key `reeldb:db:<name>`, value: the creation time).
//!
//! Why: a browser may discard an origin's whole IndexedDB without telling
//! the page. Chromium does so when it finds its LevelDB store corrupt at
//! start-up, which can follow a killed browser process (a torn record at
//! the tail of LevelDB's write-ahead log, which the next session reuses and
//! appends to, fails its checksum on the session after). Opening such a
//! database would otherwise create a new, empty one and present it as if
//! nothing had happened. With the registry, `open` rejects with
//! `STORAGE_LOST` instead; `ReelDB.deleteDatabase(name)` forgets the name
//! and lets the next `open` start over.
//!
//! `localStorage` is a separate store from IndexedDB in every browser, so a
//! loss of one does not take the other with it. Where it is unavailable (a
//! worker, an opaque origin, storage disabled) the registry is silently
//! inactive and `open` behaves as before.

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

fn key(name: &str) -> String {
    format!("reeldb:db:{name}")
}

/// `localStorage`, when this context has one (reading the property itself
/// may throw a SecurityError).
fn storage() -> Option<JsValue> {
    let s = Reflect::get(&js_sys::global(), &"localStorage".into()).ok()?;
    (!s.is_undefined() && !s.is_null()).then_some(s)
}

fn call(method: &str, args: &[&JsValue]) -> Option<JsValue> {
    let s = storage()?;
    let f: Function = Reflect::get(&s, &method.into()).ok()?.dyn_into().ok()?;
    let args: js_sys::Array = args.iter().copied().collect();
    f.apply(&s, &args).ok()
}

/// When the database `name` was created, if this origin remembers creating it.
pub fn created(name: &str) -> Option<String> {
    call("getItem", &[&key(name).into()]).and_then(|v| v.as_string())
}

/// Remembers that the database `name` exists (kept if already remembered).
pub fn remember(name: &str) {
    if created(name).is_none() {
        let now = js_sys::Date::new_0().to_iso_string();
        // A full or disabled localStorage only disables the check.
        let _ = call("setItem", &[&key(name).into(), &now.into()]);
    }
}

/// Forgets the database `name` (after it was deleted on purpose).
pub fn forget(name: &str) {
    let _ = call("removeItem", &[&key(name).into()]);
}
