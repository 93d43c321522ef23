//! Storage: fixed-size checksummed pages, storage backends, the record log
//! and the persistent copy-on-write B+tree.

pub mod backend;
pub mod btree;
pub mod cache;
pub mod page;
pub mod pager;
