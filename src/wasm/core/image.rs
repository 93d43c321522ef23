//! Replacing the session by one on a new image of the store: a reload from
//! IndexedDB, or pages read at open.

use wasm_bindgen::prelude::*;

use super::Core;
use crate::db::Database;
use crate::sql::Session;
use crate::store::backend::MemBackend;
use crate::store::page::PageBuf;
use crate::store::sync::Superblocks;
use crate::wasm::idb;

impl Core {
    /// Reloads every page from IndexedDB (a lazy image: the superblocks
    /// and what open reads).
    pub async fn reload(&self) -> Result<bool, JsValue> {
        let p = self.persist.as_ref().expect("persistent");
        let db = p.connection()?;
        if p.lazy {
            let supers = Superblocks(idb::superblocks(&db).await?);
            p.read(2);
            return self.install_lazy(supers).await;
        }
        let pages = idb::load(&db).await?;
        p.read(pages.len() as u64);
        self.install(pages)
    }

    /// Replaces the session by one on `pages`; returns whether an open
    /// transaction was dropped.
    pub(super) fn install(&self, pages: Vec<(u64, PageBuf)>) -> Result<bool, JsValue> {
        let supers = Superblocks::of_pages(&pages);
        self.install_image(MemBackend::from_pages(pages), supers)
    }

    /// Replaces the session by one on the image `mem`, whose superblocks
    /// are `supers`; returns whether an open transaction was dropped.
    fn install_image(&self, mem: MemBackend, supers: Superblocks) -> Result<bool, JsValue> {
        let db = Database::open(Box::new(mem.clone()), self.options.clone())?;
        self.install_db(db, mem, supers)
    }

    /// Replaces the session by one on `db`, opened on the image `mem` whose
    /// superblocks are `supers`; returns whether an open transaction was
    /// dropped.
    pub(super) fn install_db(&self, db: Database, mem: MemBackend, supers: Superblocks) -> Result<bool, JsValue> {
        let p = self.persist.as_ref().expect("persistent");
        let old = self.session.borrow_mut().take();
        let in_tx = old.as_ref().is_some_and(|s| s.in_transaction());
        let session = match old {
            Some(old) => Session::reopened(old, db),
            None => Session::new(db),
        };
        *p.mem.borrow_mut() = mem;
        *p.supers.borrow_mut() = supers;
        p.pending.borrow_mut().clear();
        *self.session.borrow_mut() = Some(session);
        Ok(in_tx)
    }
}
