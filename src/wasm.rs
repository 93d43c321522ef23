//! The WebAssembly bindings: the JavaScript API of the `reeldb` npm package
//! built into `pkg/` by `scripts/build.sh`.
//!
//! Compiled only for `wasm32`. The module's start function installs a panic
//! hook, so a Rust panic reaches the browser console with its message and
//! location instead of a bare "unreachable executed". Engine errors become
//! JavaScript `Error`s with a stable `code` property (see [`error_code`]).
//!
//! Times cross the boundary as text in the engine's format,
//! `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC); inputs also accept ISO 8601 with
//! `Z` or an offset, a `Date` and epoch milliseconds (`time_input`).
//!
//! ```js
//! import init, { ReelDB } from "reeldb";
//! await init();
//! const db = await ReelDB.open("shop");          // IndexedDB; ReelDB.openInMemory() for none
//! await db.exec("CREATE TABLE p (id INT PRIMARY KEY, name VARCHAR(40))");
//! await db.query("INSERT INTO p VALUES (?, ?)", [1, "Laptop"]);  // resolves once durable
//! const t = db.now();
//! await db.exec("DELETE FROM p");
//! db.asOf(t).query("SELECT * FROM p");           // [{ id: 1, name: "Laptop" }]
//! db.diff("p", t, db.now());                     // [{ change: "removed", ... }]
//! await db.backtrack(t);                          // or { restorePoint: "name" }
//! const off = db.subscribe((e) => console.log(e.type)); // commit, backtrack, remote, rollback, closed
//! ```
//!
//! Submodules: `database`, `statement` and `view` (the exported classes),
//! `ops` (the read and write paths they share), `core` (the session, group
//! commit into IndexedDB, the cross-tab writer lock and change broadcast,
//! lazy pages), `idb` (IndexedDB pages), `registry` (the names of the
//! databases this origin created), `pagefile` (page files and images),
//! `sqltext` (parameters and results), `time_input` (times and backtrack
//! targets from JavaScript values), `errors` (coded errors), `dto` (the
//! objects returned), `options` (options objects), `typescript` (the
//! declarations in `types.d.ts`).

use wasm_bindgen::prelude::*;

mod core;
mod database;
mod dto;
mod errors;
mod idb;
mod ops;
mod options;
mod pagefile;
mod registry;
mod sqltext;
mod statement;
mod time_input;
mod typescript;
mod view;

pub use self::database::ReelDb;
pub use self::errors::{error_code, js_error, sql_error};
pub use self::statement::Statement;
pub use self::typescript::{BacktrackTargetInput, ExportOptions, OpenOptions, TimeInput};
pub use self::view::ReelDbView;

/// Runs once when the module is instantiated: installs the panic hook.
#[wasm_bindgen(start)]
pub fn start() {
    install_panic_hook();
}

/// Installs `console_error_panic_hook` (idempotent). Called by [`start`] and
/// again by the constructors, so the hook is in place even when the module
/// was instantiated without running its start function.
pub fn install_panic_hook() {
    console_error_panic_hook::set_once();
}

/// The ReelDB version (the crate version, also the npm package version).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
