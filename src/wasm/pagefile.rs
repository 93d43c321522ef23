//! Databases on storage other than IndexedDB: a synchronous page file that
//! JavaScript provides (the Node.js entry of the package passes one over
//! `node:fs`: `ReelDB.open(path)` in Node), and images (the bytes of a
//! database file, `db.exportImage()` / `ReelDB.openImage(bytes)`).
//!
//! A page file stores page `n` at byte offset `n * 4096`, exactly as the
//! native `FileBackend` does, so a file written in Node opens in the shell
//! and the other way round; an image is the same bytes in memory.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

use super::js_error;
use crate::error::{Error, Result};
use crate::store::backend::{within_file, MemBackend, StorageBackend};
use crate::store::page::PAGE_SIZE;

#[wasm_bindgen]
extern "C" {
    /// `PageFile` of the TypeScript declarations: synchronous byte storage.
    #[wasm_bindgen(typescript_type = "PageFile")]
    pub type PageFile;

    #[wasm_bindgen(method, catch)]
    fn size(this: &PageFile) -> std::result::Result<f64, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn read(this: &PageFile, offset: f64, buf: &mut [u8]) -> std::result::Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn write(this: &PageFile, offset: f64, data: &[u8]) -> std::result::Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn sync(this: &PageFile) -> std::result::Result<(), JsValue>;
    #[wasm_bindgen(method, catch)]
    fn close(this: &PageFile) -> std::result::Result<(), JsValue>;
}

/// The message of a JavaScript exception (an `Error`'s, or its text).
fn io_error(what: &str, e: JsValue) -> Error {
    let message = Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string()).or_else(|| e.as_string());
    Error::Io(format!("{what}: {}", message.unwrap_or_else(|| "unknown error".into())))
}

/// The byte offset of page `page` (exact in an f64 below 2^53 bytes).
fn offset(page: u64) -> Result<f64> {
    page.checked_mul(PAGE_SIZE as u64)
        .filter(|b| *b < (1u64 << 53))
        .map(|b| b as f64)
        .ok_or_else(|| Error::TooLarge(format!("page {page} is past the largest file offset")))
}

/// A [`StorageBackend`] over a JavaScript [`PageFile`]; closes it when dropped.
pub struct JsFileBackend {
    file: PageFile,
    len: u64,
}

impl JsFileBackend {
    /// Wraps `file`. A partial trailing page (left by a crash while the file
    /// grew) is past every committed page and ignored, as natively.
    pub fn new(file: PageFile) -> Result<Self> {
        let bytes = file.size().map_err(|e| io_error("size", e))?;
        if !(bytes >= 0.0 && bytes.fract() == 0.0) {
            return Err(Error::Io(format!("size() returned {bytes}, not a byte count")));
        }
        Ok(JsFileBackend { file, len: bytes as u64 / PAGE_SIZE as u64 })
    }
}

impl StorageBackend for JsFileBackend {
    fn len(&self) -> Result<u64> {
        Ok(self.len)
    }
    fn read(&self, page: u64, buf: &mut [u8; PAGE_SIZE]) -> Result<()> {
        within_file(page, self.len)?;
        self.file.read(offset(page)?, buf).map_err(|e| io_error(&format!("read of page {page}"), e))
    }
    fn write(&mut self, page: u64, data: &[u8; PAGE_SIZE]) -> Result<()> {
        self.file.write(offset(page)?, data).map_err(|e| io_error(&format!("write of page {page}"), e))?;
        self.len = self.len.max(page + 1);
        Ok(())
    }
    fn sync(&mut self) -> Result<()> {
        self.file.sync().map_err(|e| io_error("sync", e))
    }
}

impl Drop for JsFileBackend {
    fn drop(&mut self) {
        let _ = self.file.close();
    }
}

/// An in-memory store holding `image` (whole pages, as `exportImage` writes).
pub fn image_backend(image: &[u8]) -> std::result::Result<MemBackend, JsValue> {
    if image.is_empty() || image.len() % PAGE_SIZE != 0 {
        return Err(js_error(
            "BAD_IMAGE",
            &format!(
                "a database image is a whole number of {PAGE_SIZE}-byte pages (as exportImage() writes); \
                 this one has {} bytes",
                image.len()
            ),
        ));
    }
    let pages = image.chunks_exact(PAGE_SIZE).enumerate().map(|(n, p)| {
        let mut page = Box::new([0u8; PAGE_SIZE]);
        page.copy_from_slice(p);
        (n as u64, page)
    });
    Ok(MemBackend::from_pages(pages))
}
