//! The WebAssembly bindings: the JavaScript API of the `reeldb` npm package
//! built into `pkg/` by `scripts/build.sh`.
//!
//! Compiled only for `wasm32`. Every exported entry point runs after
//! [`start`], which installs a panic hook so that a Rust panic reaches the
//! browser console with its message and location instead of a bare
//! "unreachable executed".

use wasm_bindgen::prelude::*;

/// Runs once when the module is instantiated: installs the panic hook.
#[wasm_bindgen(start)]
pub fn start() {
    install_panic_hook();
}

/// Installs `console_error_panic_hook` (idempotent). Called by [`start`]; the
/// API's constructors call it again so the hook is in place even when the
/// module was instantiated without running its start function.
pub fn install_panic_hook() {
    console_error_panic_hook::set_once();
}

/// The ReelDB version (the crate version, also the npm package version).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
