//! Storage: fixed-size checksummed pages, storage backends, the record log
//! the persistent copy-on-write B+tree, and the page-level protocol tabs
//! sharing one stored image use to stay in step.

pub mod backend;
pub mod btree;
pub mod cache;
pub mod page;
pub mod pager;
// Used by the browser runtime only; tested natively.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub mod sync;
