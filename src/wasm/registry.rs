//! The databases this origin has created, remembered outside IndexedDB: one
//! empty file per database in the origin private file system (OPFS),
//! directory `reeldb-registry`, file name the database name percent-encoded;
//! the file's modification time is the creation time.
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
//! Why OPFS: it is a separate store from IndexedDB, it exists in windows and
//! workers alike, and a file it has created survives a killed browser at
//! once. `localStorage` does not: Chromium commits it to disk in batches
//! seconds apart, so a database created and used for less than that before
//! a kill would be forgotten (measured: a `setItem` 3 s before a kill was
//! gone after it, an OPFS file created 0.3 s before was kept). Where OPFS is
//! unavailable `localStorage` is the fallback, and where neither is, the
//! registry is inactive and `open` behaves as before.
//!
//! The record is written before `open` resolves when open creates the
//! database, so before its first commit; an open of a database that has
//! pages writes it again without waiting (`remember_soon`). `forget` first
//! waits for such writes of the name, then runs before the storage is
//! deleted, so a deletion cut short leaves a database that is remembered
//! again at its next open, never a remembered name without pages.

use std::cell::{Cell, RefCell};

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::{
    FileSystemDirectoryHandle, FileSystemFileHandle, FileSystemGetDirectoryOptions, FileSystemGetFileOptions,
};

const DIR: &str = "reeldb-registry";

/// The OPFS file name for database `name`: bytes outside `[A-Za-z0-9_-]`
/// percent-encoded (so `/`, `.` and `..` never reach the file system).
fn file_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The registry directory, created if `create`; `None` where there is no
/// OPFS (or, without `create`, no directory yet).
async fn directory(create: bool) -> Option<FileSystemDirectoryHandle> {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let storage = Reflect::get(&navigator, &"storage".into()).ok()?;
    if storage.is_undefined() || storage.is_null() {
        return None;
    }
    let get: Function = Reflect::get(&storage, &"getDirectory".into()).ok()?.dyn_into().ok()?;
    let root = get.call0(&storage).ok()?.dyn_into::<Promise>().ok()?;
    let root: FileSystemDirectoryHandle = JsFuture::from(root).await.ok()?.dyn_into().ok()?;
    let options = FileSystemGetDirectoryOptions::new();
    options.set_create(create);
    JsFuture::from(root.get_directory_handle_with_options(DIR, &options)).await.ok()?.dyn_into().ok()
}

fn local_key(name: &str) -> String {
    format!("reeldb:db:{name}")
}

/// Calls `localStorage[method](...args)`, when this context has one
/// (reading the property itself may throw a SecurityError).
fn local(method: &str, args: &[&JsValue]) -> Option<JsValue> {
    let s = Reflect::get(&js_sys::global(), &"localStorage".into()).ok()?;
    if s.is_undefined() || s.is_null() {
        return None;
    }
    let f: Function = Reflect::get(&s, &method.into()).ok()?.dyn_into().ok()?;
    let args: js_sys::Array = args.iter().copied().collect();
    f.apply(&s, &args).ok()
}

/// When the database `name` was created, if this origin remembers creating it.
pub async fn created(name: &str) -> Option<String> {
    if let Some(dir) = directory(false).await {
        let found = JsFuture::from(dir.get_file_handle(&file_name(name))).await;
        if let Ok(handle) = found {
            let handle: FileSystemFileHandle = handle.unchecked_into();
            let when = match JsFuture::from(handle.get_file()).await {
                Ok(file) => {
                    let file: web_sys::File = file.unchecked_into();
                    js_sys::Date::new(&file.last_modified().into()).to_iso_string().into()
                }
                Err(_) => "at an unknown time".to_string(),
            };
            return Some(when);
        }
    }
    local("getItem", &[&local_key(name).into()]).and_then(|v| v.as_string())
}

thread_local! {
    /// The `remember_soon` writes under way: (number, name, the write).
    static PENDING: RefCell<Vec<(u64, String, Promise)>> = const { RefCell::new(Vec::new()) };
    static NEXT: Cell<u64> = const { Cell::new(0) };
}

/// [`remember`] without waiting for it, when a database that has pages is
/// opened (it was remembered when it was created): open does not wait for
/// the file system (a few to tens of milliseconds after a reload).
/// [`forget`] waits for it.
pub fn remember_soon(name: &str) {
    let id = NEXT.with(|n| n.replace(n.get() + 1));
    let owned = name.to_string();
    let write = future_to_promise(async move {
        remember(&owned).await;
        PENDING.with(|p| p.borrow_mut().retain(|(i, _, _)| *i != id));
        Ok(JsValue::UNDEFINED)
    });
    PENDING.with(|p| p.borrow_mut().push((id, name.to_string(), write)));
}

/// Remembers that the database `name` exists (kept if already remembered);
/// resolves once the record is stored.
pub async fn remember(name: &str) {
    if let Some(dir) = directory(true).await {
        let options = FileSystemGetFileOptions::new();
        options.set_create(true);
        if JsFuture::from(dir.get_file_handle_with_options(&file_name(name), &options)).await.is_ok() {
            return;
        }
    }
    if local("getItem", &[&local_key(name).into()]).and_then(|v| v.as_string()).is_none() {
        let now = js_sys::Date::new_0().to_iso_string();
        // A full or disabled localStorage only disables the check.
        let _ = local("setItem", &[&local_key(name).into(), &now.into()]);
    }
}

/// Forgets the database `name` (before it is deleted on purpose).
pub async fn forget(name: &str) {
    let writes: Vec<Promise> =
        PENDING.with(|p| p.borrow().iter().filter(|(_, n, _)| n == name).map(|(_, _, w)| w.clone()).collect());
    for w in writes {
        let _ = JsFuture::from(w).await;
    }
    if let Some(dir) = directory(false).await {
        // Absent already: nothing to forget.
        let _ = JsFuture::from(dir.remove_entry(&file_name(name))).await;
    }
    let _ = local("removeItem", &[&local_key(name).into()]);
}
