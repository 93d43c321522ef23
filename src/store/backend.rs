//! Synchronous page storage backends.

use crate::error::Result;

/// Placeholder (being written).
pub trait StorageBackend {}
/// Placeholder.
pub struct MemBackend;
/// Placeholder.
pub struct FaultyBackend;
/// Placeholder.
#[cfg(not(target_arch = "wasm32"))]
pub struct FileBackend;
#[allow(dead_code)]
fn _unused() -> Result<()> {
    Ok(())
}
