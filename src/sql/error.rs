//! Typed SQL errors with stable MySQL-style codes.

use std::fmt;

/// Stable error codes, named after MySQL's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    /// Syntax error.
    ParseError,
    /// Unknown table.
    NoSuchTable,
    /// Unknown table in `DROP TABLE` / `DROP VIEW` or before `.*`.
    BadTable,
    /// A multi-table `DELETE` target that is not a table of its FROM clause.
    UnknownTable,
    /// `SELECT *` without a FROM clause.
    NoTablesUsed,
    /// Table already exists.
    TableExists,
    /// Unknown column.
    BadField,
    /// Ambiguous column reference.
    NonUniq,
    /// A table name or alias used twice (e.g. two CTEs of one name).
    NonUniqTable,
    /// A derived table without an alias (`SELECT * FROM (SELECT 1)`).
    DerivedMustHaveAlias,
    /// Two parts of a statement that do not go together (`ORDER BY` or
    /// `LIMIT` in a multi-table `UPDATE`).
    WrongUsage,
    /// Duplicate key.
    DupEntry,
    /// A column of a grouped query that is neither grouped nor functionally
    /// dependent on the grouped columns (ONLY_FULL_GROUP_BY).
    WrongFieldWithGroup,
    /// A bare column next to an aggregate in a query without GROUP BY.
    MixOfGroupFuncAndFields,
    /// A NOT NULL column without a default left out of an INSERT.
    NoDefaultForField,
    /// Unknown database.
    BadDb,
    /// Database already exists.
    DbCreateExists,
    /// Database to drop does not exist.
    DbDropExists,
    /// No database selected.
    NoDbError,
    /// `COLLATE` with a name that is no collation.
    UnknownCollation,
    /// Two different explicit collations in one comparison.
    CantAggregate2Collations,
    /// `COLLATE` on a value that is not a string.
    CollationCharsetMismatch,
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
    /// Value out of range in an expression.
    DataOutOfRange,
    /// Value out of range for the column it is stored in.
    WarnDataOutOfRange,
    /// Data too long for column.
    DataTooLong,
    /// A column's DEFAULT its type cannot hold.
    InvalidDefault,
    /// Incorrect value for a type (dates and times, conversions).
    TruncatedWrongValue,
    /// A string that is not a number stored in a numeric column.
    TruncatedWrongValueForField,
    /// A string that starts with a number but has more, stored in a
    /// numeric column.
    WarnDataTruncated,
    /// The parts of a set operation have different column counts.
    WrongNumberOfColumnsInSelect,
    /// A view's or CTE's column list does not match its SELECT list.
    ViewWrongList,
    /// A view's SELECT holds a `?` parameter.
    ViewSelectVariable,
    /// Feature not supported.
    NotSupported,
    /// Aggregate used where it is not allowed.
    InvalidGroupFuncUse,
    /// A window function where it is not allowed (WHERE, GROUP BY, HAVING,
    /// inside another window function).
    WindowInvalidUse,
    /// `OVER w` naming no window of the WINDOW clause.
    WindowNoSuchWindow,
    /// A ROWS frame offset that is not a non-negative integer constant.
    WindowFrameIllegal,
    /// A RANGE frame with an offset without exactly one numeric or
    /// temporal ORDER BY key.
    WindowRangeFrameOrderType,
    /// A RANGE frame with a number as offset over a temporal key.
    WindowRangeFrameTemporalType,
    /// A RANGE frame with an INTERVAL offset over a numeric key.
    WindowRangeFrameNumericType,
    /// A frame starting at UNBOUNDED FOLLOWING.
    WindowFrameStartIllegal,
    /// A frame ending at UNBOUNDED PRECEDING.
    WindowFrameEndIllegal,
    /// Unknown function, or unknown savepoint (`ROLLBACK TO`, `RELEASE`).
    SpDoesNotExist,
    /// Wrong number of arguments to a function.
    WrongParamcount,
    /// Unknown system variable.
    UnknownSystemVariable,
    /// A value a system variable cannot take.
    WrongValueForVar,
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
    /// A key names a column the table does not have.
    KeyColumnDoesNotExist,
    /// `SELECT ... INTO` with more than one row.
    TooManyRows,
    /// A value given for a generated column.
    NonDefaultValueForGeneratedColumn,
    /// `SELECT ... INTO` with no row (a warning).
    SpFetchNoData,
    /// A recursive CTE's recursive block reads it more than once.
    CteRecursiveRequiresSingleReference,
    /// An intermediate result of a query outgrew the statement's memory
    /// budget (`query_memory_limit`).
    CapacityExceeded,
    /// A child row whose foreign key has no parent row.
    NoReferencedRow2,
    /// A parent row that child rows still reference (RESTRICT / NO ACTION).
    RowIsReferenced2,
    /// A row for which a CHECK constraint is false.
    CheckConstraintViolated,
    /// A foreign key whose referenced columns have no index.
    FkNoIndexParent,
    /// A foreign key referencing a table that does not exist.
    FkCannotOpenParent,
    /// DROP TABLE of a table another table's foreign key references.
    FkCannotDropParent,
    /// Cascading foreign key actions nested too deep.
    FkDepthExceeded,
    /// A foreign key whose column lists do not match.
    WrongFkDef,
    /// DROP COLUMN or RENAME COLUMN of a column a foreign key needs.
    FkColumnCannotDrop,
    /// Two constraints of one name.
    FkDupName,
    /// TRUNCATE of a table a foreign key references.
    TruncateIllegalFk,
    /// DROP CONSTRAINT of an unknown constraint.
    ConstraintNotFound,
    /// A SET NULL foreign key on a NOT NULL column.
    FkColumnNotNull,
    /// Two CHECK constraints of one name.
    CheckConstraintDupName,
    /// DROP COLUMN of a column another table's foreign key references.
    FkColumnCannotDropChild,
    /// Changing the type of a column a foreign key of its table uses.
    FkColumnCannotChange,
    /// Changing the type of a column another table's foreign key references.
    FkColumnCannotChangeChild,
    /// A NULL where a column being made NOT NULL (`MODIFY`) holds one.
    InvalidUseOfNull,
    /// DROP or RENAME COLUMN of a column a CHECK constraint uses.
    DependentByCheckConstraint,
    /// A `GROUPING()` argument that is not a `GROUP BY` column.
    FieldInGroupingNotGroupBy,
    /// Division by zero in a strict `INSERT` or `UPDATE`
    /// (`ERROR_FOR_DIVISION_BY_ZERO`; elsewhere a warning).
    DivisionByZero,
    /// Storage engine failure.
    Storage,
}

impl Code {
    /// The stable name of the code, as MySQL spells it.
    pub fn name(self) -> &'static str {
        self.info().0
    }

    /// MySQL's error number for the code; `None` for codes of ReelDB's own
    /// (time travel, restore points, storage).
    pub fn number(self) -> Option<u16> {
        match self.info().1 {
            0 => None,
            n => Some(n),
        }
    }

    /// The SQLSTATE MySQL 8 reports with the code (`HY000` for ReelDB's own).
    pub fn sqlstate(self) -> &'static str {
        self.info().2
    }

    /// Name, MySQL error number (0 for ReelDB's own codes) and SQLSTATE.
    fn info(self) -> (&'static str, u16, &'static str) {
        match self {
            Code::ParseError => ("ER_PARSE_ERROR", 1064, "42000"),
            Code::NoSuchTable => ("ER_NO_SUCH_TABLE", 1146, "42S02"),
            Code::BadTable => ("ER_BAD_TABLE_ERROR", 1051, "42S02"),
            Code::UnknownTable => ("ER_UNKNOWN_TABLE", 1109, "42S02"),
            Code::NoTablesUsed => ("ER_NO_TABLES_USED", 1096, "HY000"),
            Code::TableExists => ("ER_TABLE_EXISTS_ERROR", 1050, "42S01"),
            Code::BadField => ("ER_BAD_FIELD_ERROR", 1054, "42S22"),
            Code::NonUniq => ("ER_NON_UNIQ_ERROR", 1052, "23000"),
            Code::NonUniqTable => ("ER_NONUNIQ_TABLE", 1066, "42000"),
            Code::DerivedMustHaveAlias => ("ER_DERIVED_MUST_HAVE_ALIAS", 1248, "42000"),
            Code::WrongUsage => ("ER_WRONG_USAGE", 1221, "HY000"),
            Code::CteMaxRecursionDepth => ("ER_CTE_MAX_RECURSION_DEPTH", 3636, "HY000"),
            // (MySQL's own spelling)
            Code::KeyColumnDoesNotExist => ("ER_KEY_COLUMN_DOES_NOT_EXITS", 1072, "42000"),
            Code::TooManyRows => ("ER_TOO_MANY_ROWS", 1172, "42000"),
            Code::NonDefaultValueForGeneratedColumn => ("ER_NON_DEFAULT_VALUE_FOR_GENERATED_COLUMN", 3105, "HY000"),
            Code::SpFetchNoData => ("ER_SP_FETCH_NO_DATA", 1329, "02000"),
            Code::CteRecursiveRequiresSingleReference => ("ER_CTE_RECURSIVE_REQUIRES_SINGLE_REFERENCE", 3577, "HY000"),
            Code::CapacityExceeded => ("ER_CAPACITY_EXCEEDED", 3170, "HY000"),
            Code::DupEntry => ("ER_DUP_ENTRY", 1062, "23000"),
            Code::NoDefaultForField => ("ER_NO_DEFAULT_FOR_FIELD", 1364, "HY000"),
            Code::WrongFieldWithGroup => ("ER_WRONG_FIELD_WITH_GROUP", 1055, "42000"),
            Code::MixOfGroupFuncAndFields => ("ER_MIX_OF_GROUP_FUNC_AND_FIELDS", 1140, "42000"),
            Code::BadDb => ("ER_BAD_DB_ERROR", 1049, "42000"),
            Code::DbCreateExists => ("ER_DB_CREATE_EXISTS", 1007, "HY000"),
            Code::DbDropExists => ("ER_DB_DROP_EXISTS", 1008, "HY000"),
            Code::NoDbError => ("ER_NO_DB_ERROR", 1046, "3D000"),
            Code::UnknownCollation => ("ER_UNKNOWN_COLLATION", 1273, "HY000"),
            Code::CantAggregate2Collations => ("ER_CANT_AGGREGATE_2COLLATIONS", 1267, "HY000"),
            Code::CollationCharsetMismatch => ("ER_COLLATION_CHARSET_MISMATCH", 1253, "42000"),
            Code::WrongValueCount => ("ER_WRONG_VALUE_COUNT_ON_ROW", 1136, "21S01"),
            Code::BadNull => ("ER_BAD_NULL_ERROR", 1048, "23000"),
            Code::DupFieldName => ("ER_DUP_FIELDNAME", 1060, "42S21"),
            Code::DupKeyName => ("ER_DUP_KEYNAME", 1061, "42000"),
            Code::CantDropFieldOrKey => ("ER_CANT_DROP_FIELD_OR_KEY", 1091, "42000"),
            Code::SubqueryNoOneRow => ("ER_SUBQUERY_NO_1_ROW", 1242, "21000"),
            Code::OperandColumns => ("ER_OPERAND_COLUMNS", 1241, "21000"),
            Code::DataOutOfRange => ("ER_DATA_OUT_OF_RANGE", 1690, "22003"),
            Code::WarnDataOutOfRange => ("ER_WARN_DATA_OUT_OF_RANGE", 1264, "22003"),
            Code::DataTooLong => ("ER_DATA_TOO_LONG", 1406, "22001"),
            Code::InvalidDefault => ("ER_INVALID_DEFAULT", 1067, "42000"),
            Code::TruncatedWrongValue => ("ER_TRUNCATED_WRONG_VALUE", 1292, "22007"),
            Code::TruncatedWrongValueForField => ("ER_TRUNCATED_WRONG_VALUE_FOR_FIELD", 1366, "HY000"),
            Code::WarnDataTruncated => ("WARN_DATA_TRUNCATED", 1265, "01000"),
            Code::WrongNumberOfColumnsInSelect => ("ER_WRONG_NUMBER_OF_COLUMNS_IN_SELECT", 1222, "21000"),
            Code::ViewWrongList => ("ER_VIEW_WRONG_LIST", 1353, "HY000"),
            Code::ViewSelectVariable => ("ER_VIEW_SELECT_VARIABLE", 1351, "HY000"),
            Code::NotSupported => ("ER_NOT_SUPPORTED_YET", 1235, "42000"),
            Code::InvalidGroupFuncUse => ("ER_INVALID_GROUP_FUNC_USE", 1111, "HY000"),
            Code::WindowInvalidUse => ("ER_WINDOW_INVALID_WINDOW_FUNC_USE", 3593, "HY000"),
            Code::WindowNoSuchWindow => ("ER_WINDOW_NO_SUCH_WINDOW", 3579, "HY000"),
            Code::WindowFrameIllegal => ("ER_WINDOW_FRAME_ILLEGAL", 3586, "HY000"),
            Code::WindowRangeFrameOrderType => ("ER_WINDOW_RANGE_FRAME_ORDER_TYPE", 3587, "HY000"),
            Code::WindowRangeFrameTemporalType => ("ER_WINDOW_RANGE_FRAME_TEMPORAL_TYPE", 3588, "HY000"),
            Code::WindowRangeFrameNumericType => ("ER_WINDOW_RANGE_FRAME_NUMERIC_TYPE", 3589, "HY000"),
            Code::WindowFrameStartIllegal => ("ER_WINDOW_FRAME_START_ILLEGAL", 3584, "HY000"),
            Code::WindowFrameEndIllegal => ("ER_WINDOW_FRAME_END_ILLEGAL", 3585, "HY000"),
            Code::SpDoesNotExist => ("ER_SP_DOES_NOT_EXIST", 1305, "42000"),
            Code::WrongParamcount => ("ER_WRONG_PARAMCOUNT_TO_NATIVE_FCT", 1582, "42000"),
            Code::UnknownSystemVariable => ("ER_UNKNOWN_SYSTEM_VARIABLE", 1193, "HY000"),
            Code::WrongValueForVar => ("ER_WRONG_VALUE_FOR_VAR", 1231, "42000"),
            Code::WrongArguments => ("ER_WRONG_ARGUMENTS", 1210, "HY000"),
            Code::RegexpError => ("ER_REGEXP_ERROR", 1139, "42000"),
            Code::MultiplePriKey => ("ER_MULTIPLE_PRI_KEY", 1068, "42000"),
            Code::BacktrackWindow => ("ER_BACKTRACK_WINDOW", 0, "HY000"),
            Code::BadTime => ("ER_BAD_TIME", 0, "HY000"),
            Code::NoSuchRestorePoint => ("ER_NO_SUCH_RESTORE_POINT", 0, "HY000"),
            Code::RestorePointExists => ("ER_RESTORE_POINT_EXISTS", 0, "HY000"),
            Code::NoReferencedRow2 => ("ER_NO_REFERENCED_ROW_2", 1452, "23000"),
            Code::RowIsReferenced2 => ("ER_ROW_IS_REFERENCED_2", 1451, "23000"),
            Code::CheckConstraintViolated => ("ER_CHECK_CONSTRAINT_VIOLATED", 3819, "HY000"),
            Code::FkNoIndexParent => ("ER_FK_NO_INDEX_PARENT", 1822, "HY000"),
            Code::FkCannotOpenParent => ("ER_FK_CANNOT_OPEN_PARENT", 1824, "HY000"),
            Code::FkCannotDropParent => ("ER_FK_CANNOT_DROP_PARENT", 3730, "HY000"),
            Code::FkDepthExceeded => ("ER_FK_DEPTH_EXCEEDED", 3008, "HY000"),
            Code::WrongFkDef => ("ER_WRONG_FK_DEF", 1239, "42000"),
            Code::FkColumnCannotDrop => ("ER_FK_COLUMN_CANNOT_DROP", 1828, "HY000"),
            Code::FkDupName => ("ER_FK_DUP_NAME", 1826, "HY000"),
            Code::TruncateIllegalFk => ("ER_TRUNCATE_ILLEGAL_FK", 1701, "42000"),
            Code::ConstraintNotFound => ("ER_CONSTRAINT_NOT_FOUND", 3940, "HY000"),
            Code::FkColumnNotNull => ("ER_FK_COLUMN_NOT_NULL", 1830, "HY000"),
            Code::CheckConstraintDupName => ("ER_CHECK_CONSTRAINT_DUP_NAME", 3822, "HY000"),
            Code::FkColumnCannotDropChild => ("ER_FK_COLUMN_CANNOT_DROP_CHILD", 1829, "HY000"),
            Code::FkColumnCannotChange => ("ER_FK_COLUMN_CANNOT_CHANGE", 1832, "HY000"),
            Code::FkColumnCannotChangeChild => ("ER_FK_COLUMN_CANNOT_CHANGE_CHILD", 1833, "HY000"),
            Code::InvalidUseOfNull => ("ER_INVALID_USE_OF_NULL", 1138, "22004"),
            Code::DependentByCheckConstraint => ("ER_DEPENDENT_BY_CHECK_CONSTRAINT", 3959, "HY000"),
            Code::FieldInGroupingNotGroupBy => ("ER_FIELD_IN_GROUPING_NOT_GROUP_BY", 3580, "HY000"),
            Code::DivisionByZero => ("ER_DIVISION_BY_ZERO", 1365, "22012"),
            Code::Storage => ("ER_STORAGE", 0, "HY000"),
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

    /// A key (an index, a primary, unique or foreign key) over a column
    /// `c` the table does not have.
    pub fn no_key_column(c: &str) -> SqlError {
        SqlError::new(Code::KeyColumnDoesNotExist, format!("Key column '{c}' doesn't exist in table"))
    }

    /// No current database (it was dropped) for an unqualified name.
    pub fn no_database() -> SqlError {
        SqlError::new(Code::NoDbError, "No database selected")
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
