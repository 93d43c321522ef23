//! ReelDB: a SQL database you can rewind and fast-forward.
//!
//! The crate is layered bottom-up (see `ARCHITECTURE.md`): `store` (pages,
//! storage backends, the record log and the persistent B+tree), `db`
//! (commits, the timeline, backtrack, the window and garbage collection),
//! then the SQL layer, the native shell and the WebAssembly bindings.
//!
//! The modules are crate-private; the public surface is what the shell, the
//! tests, the benchmarks and the browser package use: the engine types
//! re-exported here, [`sql`] (a [`sql::Session`] runs SQL text) and, on
//! wasm32, the `wasm` bindings.
#![warn(missing_docs)]

pub(crate) mod db;
pub(crate) mod error;
pub mod sql;
pub(crate) mod store;
pub(crate) mod time;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use db::{
    BacktrackOutcome, BacktrackRecord, BacktrackStatus, BacktrackTarget, Database, DiffEntry, EntryKind, Options,
    RestorePoint, RowVersion, Snapshot, Status, StorageStats, TimelineEntry,
};
pub use error::{Error, Result};
#[cfg(not(target_arch = "wasm32"))]
pub use store::backend::FileBackend;
pub use store::backend::{next_ahead, Fault, FaultyBackend, MemBackend, StorageBackend, PREFETCH_PAGES};
pub use store::page::PAGE_SIZE;
pub use time::Timestamp;

#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
