//! The SQL layer: parsing (a front parser plus `sqlparser` with ReelDB's
//! dialect), translation into ReelDB's own AST, planning and execution on the
//! versioned key-value store, and temporal SQL.

pub mod ast;
pub mod dialect;
pub mod error;
pub mod front;
pub mod translate;
pub mod value;

pub use error::{Code, SqlError, SqlResult};
pub use value::Value;
