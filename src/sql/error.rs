//! Typed SQL errors with stable MySQL-style codes.

use std::fmt;

/// Stable error codes, named after MySQL's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    /// Syntax error.
    ParseError,
    /// Unknown table.
    NoSuchTable,
    /// Table already exists.
    TableExists,
    /// Unknown column.
    BadField,
    /// Ambiguous column reference.
    NonUniq,
    /// A table name or alias used twice (e.g. two CTEs of one name).
    NonUniqTable,
    /// Duplicate key.
    DupEntry,
    /// Unknown database.
    BadDb,
    /// Database already exists.
    DbCreateExists,
    /// No database selected.
    NoDbError,
    /// Column count does not match value count.
    WrongValueCount,
    /// NOT NULL column received NULL.
    BadNull,
    /// Duplicate column name.
    DupFieldName,
    /// Duplicate index name.
    DupKeyName,
    /// Unknown index.
    CantDropFieldOrKey,
    /// Subquery returned more than one row.
    SubqueryNoOneRow,
    /// Operand should contain 1 column(s).
    OperandColumns,
    /// Value out of range.
    DataOutOfRange,
    /// Data too long for column.
    DataTooLong,
    /// Incorrect value for a type.
    TruncatedWrongValue,
    /// Feature not supported.
    NotSupported,
    /// Aggregate used where it is not allowed.
    InvalidGroupFuncUse,
    /// Unknown function.
    SpDoesNotExist,
    /// Wrong number of arguments to a function.
    WrongParamcount,
    /// Unknown system variable.
    UnknownSystemVariable,
    /// Wrong argument (e.g. to a table function).
    WrongArguments,
    /// A regular expression that does not compile (or is too big).
    RegexpError,
    /// The requested time is outside the backtrack window.
    BacktrackWindow,
    /// A value that is not a time where a time is expected (time travel,
    /// `SET TIMESTAMP`).
    BadTime,
    /// Unknown restore point.
    NoSuchRestorePoint,
    /// Restore point already exists.
    RestorePointExists,
    /// Multiple primary keys defined.
    MultiplePriKey,
    /// A recursive common table expression ran too many iterations.
    CteMaxRecursionDepth,
    /// Storage engine failure.
    Storage,
}

impl Code {
    /// The stable name of the code, as MySQL spells it.
    pub fn name(self) -> &'static str {
        match self {
            Code::ParseError => "ER_PARSE_ERROR",
            Code::NoSuchTable => "ER_NO_SUCH_TABLE",
            Code::TableExists => "ER_TABLE_EXISTS_ERROR",
            Code::BadField => "ER_BAD_FIELD_ERROR",
            Code::NonUniq => "ER_NON_UNIQ_ERROR",
            Code::NonUniqTable => "ER_NONUNIQ_TABLE",
            Code::CteMaxRecursionDepth => "ER_CTE_MAX_RECURSION_DEPTH",
            Code::DupEntry => "ER_DUP_ENTRY",
            Code::BadDb => "ER_BAD_DB_ERROR",
            Code::DbCreateExists => "ER_DB_CREATE_EXISTS",
            Code::NoDbError => "ER_NO_DB_ERROR",
            Code::WrongValueCount => "ER_WRONG_VALUE_COUNT_ON_ROW",
            Code::BadNull => "ER_BAD_NULL_ERROR",
            Code::DupFieldName => "ER_DUP_FIELDNAME",
            Code::DupKeyName => "ER_DUP_KEYNAME",
            Code::CantDropFieldOrKey => "ER_CANT_DROP_FIELD_OR_KEY",
            Code::SubqueryNoOneRow => "ER_SUBQUERY_NO_1_ROW",
            Code::OperandColumns => "ER_OPERAND_COLUMNS",
            Code::DataOutOfRange => "ER_DATA_OUT_OF_RANGE",
            Code::DataTooLong => "ER_DATA_TOO_LONG",
            Code::TruncatedWrongValue => "ER_TRUNCATED_WRONG_VALUE",
            Code::NotSupported => "ER_NOT_SUPPORTED_YET",
            Code::InvalidGroupFuncUse => "ER_INVALID_GROUP_FUNC_USE",
            Code::SpDoesNotExist => "ER_SP_DOES_NOT_EXIST",
            Code::WrongParamcount => "ER_WRONG_PARAMCOUNT_TO_NATIVE_FCT",
            Code::UnknownSystemVariable => "ER_UNKNOWN_SYSTEM_VARIABLE",
            Code::WrongArguments => "ER_WRONG_ARGUMENTS",
            Code::RegexpError => "ER_REGEXP_ERROR",
            Code::BacktrackWindow => "ER_BACKTRACK_WINDOW",
            Code::BadTime => "ER_BAD_TIME",
            Code::NoSuchRestorePoint => "ER_NO_SUCH_RESTORE_POINT",
            Code::RestorePointExists => "ER_RESTORE_POINT_EXISTS",
            Code::MultiplePriKey => "ER_MULTIPLE_PRI_KEY",
            Code::Storage => "ER_STORAGE",
        }
    }
}

/// A SQL error: a stable code and a human-readable message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlError {
    /// Stable code.
    pub code: Code,
    /// Message.
    pub message: String,
}

impl SqlError {
    /// Builds an error.
    pub fn new(code: Code, message: impl Into<String>) -> SqlError {
        SqlError { code, message: message.into() }
    }

    /// A syntax error.
    pub fn parse(message: impl Into<String>) -> SqlError {
        SqlError::new(Code::ParseError, message)
    }

    /// An unsupported feature.
    pub fn unsupported(what: impl fmt::Display) -> SqlError {
        SqlError::new(Code::NotSupported, format!("This version of ReelDB doesn't yet support '{what}'"))
    }
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.name(), self.message)
    }
}

impl std::error::Error for SqlError {}

impl From<crate::Error> for SqlError {
    fn from(e: crate::Error) -> Self {
        use crate::Error as E;
        let code = match &e {
            E::BeforeEarliest { .. } | E::InFuture { .. } => Code::BacktrackWindow,
            E::BadTime(_) => Code::BadTime,
            E::UnknownRestorePoint(_) => Code::NoSuchRestorePoint,
            E::DuplicateRestorePoint(_) => Code::RestorePointExists,
            E::BadRestorePointName(_) => Code::WrongArguments,
            _ => Code::Storage,
        };
        SqlError::new(code, e.to_string())
    }
}

/// Result alias of the SQL layer.
pub type SqlResult<T> = Result<T, SqlError>;
