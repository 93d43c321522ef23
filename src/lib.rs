//! ReelDB: a SQL database you can rewind and fast-forward.
//!
//! The crate is layered bottom-up (see `ARCHITECTURE.md`):
//! [`store`] (pages, storage backends, the record log and the persistent
//! B+tree), [`db`] (commits, the timeline, backtrack, the window and garbage
//! collection), then the SQL layer, the native shell and the WebAssembly
//! bindings.
#![warn(missing_docs)]

pub mod db;
pub mod error;
pub mod sql;
pub mod store;
pub mod time;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use db::{
    BacktrackOutcome, BacktrackRecord, BacktrackStatus, BacktrackTarget, Database, DiffEntry, EntryKind, Options,
    RestorePoint, RowVersion, Snapshot, Status, StorageStats, TimelineEntry,
};
pub use error::{Error, Result};
#[cfg(not(target_arch = "wasm32"))]
pub use store::backend::FileBackend;
pub use store::backend::{Fault, FaultyBackend, MemBackend, StorageBackend};
pub use time::Timestamp;

#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
