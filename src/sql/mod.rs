//! The SQL layer: parsing (a front parser plus `sqlparser` with ReelDB's
//! dialect), translation into ReelDB's own AST, binding and planning,
//! execution on the versioned key-value store, and temporal SQL.
//!
//! Layers: [`front`] (statement splitting, ReelDB-only statements) ->
//! [`translate`] (the only module that knows `sqlparser`'s AST) -> [`ast`]
//! -> [`bind`] (names, pushdown, access paths) -> [`plan`] -> [`exec`];
//! [`session`] runs statements, transactions and DDL/DML; [`catalog`] owns
//! the key layout and encodings.

pub mod ast;
pub mod bind;
pub mod catalog;
pub mod dates;
pub mod dialect;
pub mod error;
pub mod exec;
pub mod front;
pub mod functions;
pub mod md5;
pub mod plan;
pub mod session;
pub mod slt;
pub mod translate;
pub mod value;

pub use error::{Code, SqlError, SqlResult};
pub use session::{Session, StatementResult};
pub use value::Value;
