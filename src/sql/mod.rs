//! The SQL layer: parsing (a front parser plus `sqlparser` with ReelDB's
//! dialect), translation into ReelDB's own AST, binding and planning,
//! execution on the versioned key-value store, and temporal SQL.
//!
//! Layers: `front` (statement splitting, ReelDB-only statements) ->
//! `translate` (the only module that knows `sqlparser`'s AST) -> `ast`
//! -> `bind` (names, pushdown, access paths) -> `plan` -> `exec`;
//! `session` runs statements, transactions and DDL/DML; `catalog` owns
//! the key layout and encodings.
//!
//! The modules are crate-private; the public surface is [`Session`] (runs
//! SQL text), its results, [`Value`], the typed errors and the
//! sqllogictest runner.

pub(crate) mod as_of;
pub(crate) mod ast;
pub(crate) mod bind;
pub(crate) mod catalog;
pub(crate) mod constraints;
pub(crate) mod dates;
pub(crate) mod diag;
pub(crate) mod dialect;
pub(crate) mod dump;
pub(crate) mod error;
pub(crate) mod exec;
pub(crate) mod front;
pub(crate) mod functions;
pub(crate) mod history_import;
pub(crate) mod insert_id;
pub(crate) mod joinorder;
pub(crate) mod lex;
pub(crate) mod md5;
pub(crate) mod params;
pub(crate) mod plan;
pub(crate) mod quote;
pub(crate) mod session;
pub(crate) mod slt;
pub(crate) mod translate;
pub(crate) mod value;
pub(crate) mod window;

pub use as_of::AsOfError;
pub use error::{Code, SqlError, SqlResult};
pub use lex::ends_statement;
pub use params::{bind_params, Param, ParamError};
pub use session::{PreparedStatement, Session, StatementResult};
pub use slt::run_script;
pub use value::Value;
