//! IndexedDB page storage: one IndexedDB database per ReelDB database, named
//! `reeldb:<name>`, with one object store, `pages` (key: page number, value:
//! the 4096 bytes of the page as a `Uint8Array`), created once at version 1.
//! DDL never changes the IndexedDB schema.
//!
//! The engine runs on a `MemBackend` image: [`load`] fills it at open (or
//! [`read_pages`] page by page for a lazy image), and
//! [`write_pages`] writes the pages changed since the last flush (superblock
//! pages included) in one readwrite transaction with no await inside it, so
//! a flush is atomic: after a crash IndexedDB holds either every page of the
//! flush or none.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DomException, Event, IdbDatabase, IdbFactory, IdbKeyRange, IdbOpenDbRequest, IdbRequest, IdbTransaction,
};

use super::js_error;
use crate::store::page::{PageBuf, PAGE_SIZE};

/// The object store of pages.
pub const STORE: &str = "pages";
const VERSION: u32 = 1;

/// The IndexedDB database name of the ReelDB database `name`.
pub fn idb_name(name: &str) -> String {
    format!("reeldb:{name}")
}

fn factory() -> Result<IdbFactory, JsValue> {
    let f = Reflect::get(&js_sys::global(), &"indexedDB".into())?;
    if f.is_undefined() || f.is_null() {
        return Err(js_error("NO_INDEXEDDB", "IndexedDB is not available in this context"));
    }
    Ok(f.unchecked_into())
}

/// Turns a DOMException (or anything IndexedDB rejected with) into a coded
/// ReelDB error: `QUOTA_EXCEEDED`, `IDB_ABORTED` or `IDB_ERROR`.
pub fn idb_error(what: &str, e: &JsValue) -> JsValue {
    if Reflect::has(e, &"code".into()).unwrap_or(false)
        && Reflect::get(e, &"name".into()).ok().and_then(|n| n.as_string()).as_deref() == Some("ReelDBError")
    {
        return e.clone();
    }
    let (name, message) = match e.dyn_ref::<DomException>() {
        Some(d) => (d.name(), d.message()),
        None => ("Error".to_string(), e.as_string().unwrap_or_else(|| format!("{e:?}"))),
    };
    let code = match name.as_str() {
        "QuotaExceededError" => "QUOTA_EXCEEDED",
        "AbortError" => "IDB_ABORTED",
        _ => "IDB_ERROR",
    };
    js_error(code, &format!("IndexedDB {what} failed ({name}): {message}"))
}

/// An event handler kept alive while it may fire.
type Handler = Closure<dyn FnMut(Event)>;

/// A promise and its two settle functions.
fn deferred() -> (Promise, Function, Function) {
    let mut slots: Option<(Function, Function)> = None;
    let promise = Promise::new(&mut |resolve, reject| slots = Some((resolve, reject)));
    let (resolve, reject) = slots.expect("the Promise executor runs synchronously");
    (promise, resolve, reject)
}

/// A request whose success (its result) or error is being waited for; the
/// handlers are attached at once, so several requests can be started before
/// any is awaited.
struct Waiting {
    req: IdbRequest,
    promise: Promise,
    handlers: [Handler; 2],
}

impl Waiting {
    fn new(req: &IdbRequest) -> Waiting {
        let (promise, resolve, reject) = deferred();
        let r = req.clone();
        let ok = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            let _ = resolve.call1(&JsValue::NULL, &r.result().unwrap_or(JsValue::UNDEFINED));
        });
        let r = req.clone();
        let err = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            let e = r.error().ok().flatten().map(JsValue::from).unwrap_or(JsValue::NULL);
            let _ = reject.call1(&JsValue::NULL, &e);
        });
        req.set_onsuccess(Some(ok.as_ref().unchecked_ref()));
        req.set_onerror(Some(err.as_ref().unchecked_ref()));
        Waiting { req: req.clone(), promise, handlers: [ok, err] }
    }

    /// The request's result; the handlers are removed and freed after.
    async fn done(self) -> Result<JsValue, JsValue> {
        let out = JsFuture::from(self.promise).await;
        self.req.set_onsuccess(None);
        self.req.set_onerror(None);
        drop(self.handlers);
        out
    }
}

async fn request(req: &IdbRequest) -> Result<JsValue, JsValue> {
    Waiting::new(req).done().await
}

/// Told how a watched transaction ended: `Ok` once it completed, else its
/// error (or an `AbortError`).
pub type OnEnd = Box<dyn FnOnce(Result<(), JsValue>)>;

/// A readwrite transaction being watched (see [`watch`]): keeps its event
/// handlers alive; dropping it removes them (dropping it from inside one of
/// them is safe: wasm-bindgen frees a closure after its call returns).
pub struct Pending {
    tx: IdbTransaction,
    _handlers: [Handler; 2],
}

impl Drop for Pending {
    fn drop(&mut self) {
        self.tx.set_oncomplete(None);
        self.tx.set_onabort(None);
    }
}

/// Watches `tx`: `on_end` is called from its `complete` or `abort` event,
/// once, with no await in between (the next flush can start in the same
/// task). `forced` replaces the error of an abort (the test hook that fails
/// a flush on purpose). Keep the returned handle until the transaction ended.
pub fn watch(tx: &IdbTransaction, forced: Option<String>, on_end: OnEnd) -> Pending {
    let slot = Rc::new(RefCell::new(Some(on_end)));
    let end = move |r: Result<(), JsValue>| {
        let f = slot.borrow_mut().take();
        if let Some(f) = f {
            f(r);
        }
    };
    let end = Rc::new(end);
    let e2 = end.clone();
    let ok = Closure::<dyn FnMut(Event)>::new(move |_: Event| e2(Ok(())));
    let t = tx.clone();
    let abort = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
        let e = match &forced {
            Some(name) => DomException::new_with_message_and_name("the flush was failed on purpose", name)
                .map(JsValue::from)
                .unwrap_or(JsValue::NULL),
            None => t.error().map(JsValue::from).unwrap_or(JsValue::NULL),
        };
        let e = if e.is_null() {
            DomException::new_with_message_and_name("the transaction was aborted", "AbortError")
                .map(JsValue::from)
                .unwrap_or(JsValue::NULL)
        } else {
            e
        };
        end(Err(e));
    });
    tx.set_oncomplete(Some(ok.as_ref().unchecked_ref()));
    tx.set_onabort(Some(abort.as_ref().unchecked_ref()));
    Pending { tx: tx.clone(), _handlers: [ok, abort] }
}

/// Opens (creating at version 1 when missing) the IndexedDB database of `name`.
pub async fn open(name: &str) -> Result<IdbDatabase, JsValue> {
    let req: IdbOpenDbRequest =
        factory()?.open_with_u32(&idb_name(name), VERSION).map_err(|e| idb_error("open", &e))?;
    let r = req.clone();
    let upgrade = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
        if let Ok(db) = r.result() {
            let db: IdbDatabase = db.unchecked_into();
            if !db.object_store_names().contains(STORE) {
                let _ = db.create_object_store(STORE);
            }
        }
    });
    req.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let db = request(&req).await.map_err(|e| idb_error("open", &e));
    req.set_onupgradeneeded(None);
    drop(upgrade);
    Ok(db?.unchecked_into())
}

/// Deletes the IndexedDB database of `name` (resolves once deleted; other
/// connections are asked to close through their `versionchange` event).
pub async fn delete(name: &str) -> Result<(), JsValue> {
    let req = factory()?.delete_database(&idb_name(name)).map_err(|e| idb_error("delete", &e))?;
    request(&req).await.map_err(|e| idb_error("delete", &e))?;
    Ok(())
}

fn page_of(value: &JsValue, n: u64) -> Result<PageBuf, JsValue> {
    let bytes = Uint8Array::new(value);
    if bytes.length() as usize != PAGE_SIZE {
        return Err(js_error(
            "CORRUPT",
            &format!("page {n} in IndexedDB holds {} bytes, not {PAGE_SIZE}", bytes.length()),
        ));
    }
    let mut page: PageBuf = Box::new([0u8; PAGE_SIZE]);
    bytes.copy_to(&mut page[..]);
    Ok(page)
}

/// A key of the page store as a page number.
fn page_number(key: &JsValue) -> Result<u64, JsValue> {
    Ok(key
        .as_f64()
        .filter(|n| *n >= 0.0 && n.fract() == 0.0)
        .ok_or_else(|| js_error("CORRUPT", "a key of the IndexedDB page store is not a page number"))? as u64)
}

/// Every page stored, in page order, read in one readonly transaction (a
/// consistent image even while another tab writes).
pub async fn load(db: &IdbDatabase) -> Result<Vec<(u64, PageBuf)>, JsValue> {
    let tx = db.transaction_with_str(STORE).map_err(|e| idb_error("read", &e))?;
    let store = tx.object_store(STORE).map_err(|e| idb_error("read", &e))?;
    let keys = Waiting::new(&store.get_all_keys().map_err(|e| idb_error("read", &e))?);
    let values = Waiting::new(&store.get_all().map_err(|e| idb_error("read", &e))?);
    let keys: Array = keys.done().await.map_err(|e| idb_error("read", &e))?.unchecked_into();
    let values: Array = values.done().await.map_err(|e| idb_error("read", &e))?.unchecked_into();
    if keys.length() != values.length() {
        return Err(js_error("CORRUPT", "IndexedDB returned different numbers of keys and pages"));
    }
    let mut pages = Vec::with_capacity(keys.length() as usize);
    for i in 0..keys.length() {
        let n = page_number(&keys.get(i))?;
        pages.push((n, page_of(&values.get(i), n)?));
    }
    Ok(pages)
}

/// The superblock pages and the pages numbered `wanted` (in page order,
/// none of them 0 or 1), read in one readonly transaction (a consistent
/// image). A page missing from the store is left out. A run of consecutive
/// page numbers is one `getAll` over its key range (with its `getAllKeys`),
/// a page alone one `get`: a plan is mostly a few runs, the levels of a
/// tree are scattered pages.
pub async fn read_pages(
    db: &IdbDatabase,
    wanted: &[u64],
) -> Result<([Option<PageBuf>; 2], Vec<(u64, PageBuf)>), JsValue> {
    /// The requests of one run of pages.
    enum Read {
        One(u64, Waiting),
        Run(Waiting, Waiting),
    }
    let tx = db.transaction_with_str(STORE).map_err(|e| idb_error("read", &e))?;
    let store = tx.object_store(STORE).map_err(|e| idb_error("read", &e))?;
    let read = |first: u64, last: u64| -> Result<Read, JsValue> {
        let key = |n: u64| JsValue::from_f64(n as f64);
        if first == last {
            return Ok(Read::One(first, Waiting::new(&store.get(&key(first)).map_err(|e| idb_error("read", &e))?)));
        }
        let range = IdbKeyRange::bound(&key(first), &key(last)).map_err(|e| idb_error("read", &e))?;
        let keys = store.get_all_keys_with_key(&range).map_err(|e| idb_error("read", &e))?;
        let values = store.get_all_with_key(&range).map_err(|e| idb_error("read", &e))?;
        Ok(Read::Run(Waiting::new(&keys), Waiting::new(&values)))
    };
    let mut reads = vec![read(0, 1)?];
    let mut i = 0;
    while i < wanted.len() {
        let mut j = i;
        while j + 1 < wanted.len() && wanted[j + 1] == wanted[j] + 1 {
            j += 1;
        }
        reads.push(read(wanted[i], wanted[j])?);
        i = j + 1;
    }
    let mut supers = [None, None];
    let mut pages = Vec::with_capacity(wanted.len());
    for (k, r) in reads.into_iter().enumerate() {
        let mut got = Vec::new();
        match r {
            Read::One(n, w) => {
                let v = w.done().await.map_err(|e| idb_error("read", &e))?;
                if !v.is_undefined() {
                    got.push((n, page_of(&v, n)?));
                }
            }
            Read::Run(keys, values) => {
                let keys: Array = keys.done().await.map_err(|e| idb_error("read", &e))?.unchecked_into();
                let values: Array = values.done().await.map_err(|e| idb_error("read", &e))?.unchecked_into();
                if keys.length() != values.length() {
                    return Err(js_error("CORRUPT", "IndexedDB returned different numbers of keys and pages"));
                }
                for i in 0..keys.length() {
                    let n = page_number(&keys.get(i))?;
                    got.push((n, page_of(&values.get(i), n)?));
                }
            }
        }
        if k == 0 {
            for (n, page) in got {
                supers[(n & 1) as usize] = Some(page);
            }
        } else {
            pages.extend(got);
        }
    }
    Ok((supers, pages))
}

/// The two superblock pages as stored (None: missing).
pub async fn superblocks(db: &IdbDatabase) -> Result<[Option<PageBuf>; 2], JsValue> {
    Ok(read_pages(db, &[]).await?.0)
}

/// Starts one readwrite transaction putting every page of `pages` and
/// returns it to [`watch`] (in the same task, before its events can fire).
/// All puts are issued synchronously, with no await in between, so the
/// transaction is atomic. `strict` asks for `durability: "strict"`
/// (complete only once flushed to disk). `fail` aborts the transaction
/// after the puts (a test hook). On an error the transaction is aborted.
pub fn write_pages(
    db: &IdbDatabase,
    pages: &[(u64, PageBuf)],
    strict: bool,
    fail: bool,
) -> Result<IdbTransaction, JsValue> {
    let opts = Object::new();
    Reflect::set(&opts, &"durability".into(), &(if strict { "strict" } else { "relaxed" }).into())?;
    let transaction: Function = Reflect::get(db, &"transaction".into())?.unchecked_into();
    let tx: IdbTransaction = transaction
        .call3(db, &STORE.into(), &"readwrite".into(), &opts)
        .map_err(|e| idb_error("write", &e))?
        .unchecked_into();
    let store = tx.object_store(STORE).map_err(|e| idb_error("write", &e))?;
    for (n, page) in pages {
        let bytes = Uint8Array::new_with_length(PAGE_SIZE as u32);
        bytes.copy_from(&page[..]);
        if let Err(e) = store.put_with_key(&bytes, &JsValue::from_f64(*n as f64)) {
            let _ = tx.abort();
            return Err(idb_error("write", &e));
        }
    }
    if fail {
        tx.abort().map_err(|e| idb_error("write", &e))?;
    }
    Ok(tx)
}
