//! ReelDB's own statement and expression types. The executor works on these
//! only; `translate` is the one place that knows the parser's AST.

use super::value::{ArithOp, Collation, SqlType, Value};

/// A possibly database-qualified name.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjName {
    /// Database (schema) part.
    pub db: Option<String>,
    /// Object name.
    pub name: String,
}

/// A column definition of CREATE TABLE / ALTER TABLE ADD COLUMN.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnDef {
    /// Column name.
    pub name: String,
    /// Declared type.
    pub ty: SqlType,
    pub not_null: bool,
    /// DEFAULT expression.
    pub default: Option<Expr>,
    pub auto_increment: bool,
    /// Inline PRIMARY KEY.
    pub primary_key: bool,
    /// Inline UNIQUE.
    pub unique: bool,
    /// An ENUM's members.
    pub members: Vec<String>,
    /// `ON UPDATE CURRENT_TIMESTAMP`.
    pub on_update_now: bool,
    /// `[GENERATED ALWAYS] AS (expr) [VIRTUAL | STORED]`: the
    /// expression's SQL text, and whether STORED.
    pub generated: Option<(String, bool)>,
    /// `DEFAULT (expr)`: the expression's SQL text (evaluated for each
    /// row, as MySQL does; `default` holds it parsed).
    pub default_sql: Option<String>,
    /// `COLLATE name` on the column, or the table's `COLLATE =` for a
    /// string column without one.
    pub collation: Option<Collation>,
}

/// ALTER TABLE operations.
#[derive(Debug, Clone, PartialEq)]
pub enum AlterOp {
    AddColumn(ColumnDef),
    DropColumn {
        /// Column.
        name: String,
        if_exists: bool,
    },
    /// RENAME COLUMN a TO b (and the rename of CHANGE a b type).
    RenameColumn {
        /// Old name.
        from: String,
        /// New name.
        to: String,
    },
    /// MODIFY [COLUMN] c def (and the new definition of CHANGE a b def):
    /// the column named by the definition takes it.
    ModifyColumn(ColumnDef),
    /// RENAME TO.
    RenameTable(ObjName),
    /// ADD PRIMARY KEY (c, ...): its columns become NOT NULL.
    AddPrimaryKey(Vec<String>),
    /// ADD {INDEX | KEY | UNIQUE [KEY]} [name] (c, ...).
    AddIndex {
        /// None: named after its first column.
        name: Option<String>,
        columns: Vec<String>,
        unique: bool,
    },
    /// DROP {INDEX | KEY} name.
    DropIndex(String),
    /// The `FIRST` / `AFTER c` of ADD COLUMN, MODIFY and CHANGE: the
    /// column moves there (`after` None: first).
    MoveColumn {
        name: String,
        after: Option<String>,
    },
    /// AUTO_INCREMENT = n: the next value the AUTO_INCREMENT column
    /// generates (at least the largest there plus one).
    AutoIncrement(i64),
    /// ALTER [COLUMN] c SET DEFAULT e (Some) / DROP DEFAULT (None).
    SetDefault {
        column: String,
        default: Option<Expr>,
    },
    /// ADD [CONSTRAINT name] FOREIGN KEY.
    AddForeignKey(ForeignKeyDef),
    /// ADD [CONSTRAINT name] CHECK.
    AddCheck(CheckDef),
    /// DROP FOREIGN KEY name.
    DropForeignKey(String),
    /// DROP CONSTRAINT name / DROP CHECK name (a CHECK or a foreign key).
    DropConstraint(String),
}

/// What a foreign key does to the child rows of a parent row deleted or
/// updated (`ON DELETE` / `ON UPDATE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum FkAction {
    /// RESTRICT.
    Restrict,
    /// CASCADE.
    Cascade,
    /// SET NULL.
    SetNull,
    /// NO ACTION (the default; the same as RESTRICT, as in InnoDB).
    #[default]
    NoAction,
}

impl FkAction {
    /// The action's SQL words.
    pub fn sql(self) -> &'static str {
        match self {
            FkAction::Restrict => "RESTRICT",
            FkAction::Cascade => "CASCADE",
            FkAction::SetNull => "SET NULL",
            FkAction::NoAction => "NO ACTION",
        }
    }
}

/// A `FOREIGN KEY` definition (a table constraint, a column's
/// `REFERENCES`, or `ALTER TABLE ... ADD`).
#[derive(Debug, Clone, PartialEq)]
pub struct ForeignKeyDef {
    /// The constraint name (`None`: `<table>_ibfk_<n>`).
    pub name: Option<String>,
    /// The child columns.
    pub columns: Vec<String>,
    /// The referenced (parent) table.
    pub parent: ObjName,
    /// The referenced columns.
    pub parent_columns: Vec<String>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
}

/// A `CHECK` constraint definition.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckDef {
    /// The constraint name (`None`: `<table>_chk_<n>`).
    pub name: Option<String>,
    /// The condition's SQL text (kept in the catalog and re-parsed).
    pub sql: String,
    /// `NOT ENFORCED`.
    pub not_enforced: bool,
}

/// Source rows of an INSERT.
#[derive(Debug, Clone, PartialEq)]
pub enum InsertSource {
    /// VALUES rows.
    Values(Vec<Vec<Expr>>),
    /// INSERT ... SELECT.
    Query(Box<Query>),
}

/// Target of a BACKTRACK.
#[derive(Debug, Clone, PartialEq)]
pub enum BacktrackTo {
    /// A time expression.
    Time(Expr),
    /// A restore point.
    RestorePoint(String),
}

/// What a SHOW statement lists.
#[derive(Debug, Clone, PartialEq)]
pub enum Show {
    /// SHOW DATABASES [LIKE].
    Databases(Option<String>),
    /// SHOW [FULL] TABLES [FROM db] [LIKE] (FULL: with `Table_type`).
    Tables(Option<String>, Option<String>, bool),
    /// SHOW COLUMNS FROM t [LIKE] / DESCRIBE t [column | pattern]: of a
    /// table or a view.
    Columns(ObjName, Option<String>),
    /// SHOW CREATE TABLE t.
    CreateTable(ObjName),
    /// SHOW CREATE VIEW v.
    CreateView(ObjName),
    /// SHOW INDEX FROM t.
    Indexes(ObjName),
    /// SHOW STATUS [LIKE].
    Status(Option<String>),
    /// SHOW VARIABLES [LIKE].
    Variables(Option<String>),
    /// SHOW WARNINGS [LIMIT [offset,] n]: the last statement's warnings.
    Warnings(Option<(u64, u64)>),
    /// SHOW COUNT(*) WARNINGS.
    WarningCount,
}

/// A statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Stmt {
    CreateDatabase {
        name: String,
        if_not_exists: bool,
    },
    DropDatabase {
        name: String,
        if_exists: bool,
    },
    /// USE db.
    Use(String),
    /// SAVEPOINT name.
    Savepoint(String),
    /// ROLLBACK [WORK] TO [SAVEPOINT] name.
    RollbackToSavepoint(String),
    /// RELEASE SAVEPOINT name.
    ReleaseSavepoint(String),
    /// SHOW ... / DESCRIBE.
    Show(Show),
    /// EXPLAIN SELECT ... (also DESCRIBE / DESC SELECT ...).
    Explain(Box<Query>),
    /// CREATE TABLE [IF NOT EXISTS] t LIKE u: u's columns, keys and
    /// checks (not its rows or foreign keys), as MySQL copies them.
    CreateTableLike {
        name: ObjName,
        like: ObjName,
        if_not_exists: bool,
    },
    CreateTable {
        name: ObjName,
        if_not_exists: bool,
        columns: Vec<ColumnDef>,
        /// Table-level PRIMARY KEY columns.
        primary_key: Vec<String>,
        /// Table-level `UNIQUE` and `KEY`/`INDEX` definitions.
        indexes: Vec<TableIndex>,
        /// FOREIGN KEY constraints (table-level and column `REFERENCES`).
        foreign_keys: Vec<ForeignKeyDef>,
        /// CHECK constraints (table-level and column).
        checks: Vec<CheckDef>,
        /// CREATE TABLE ... AS SELECT.
        as_query: Option<Box<Query>>,
        /// The table option `AUTO_INCREMENT = n`: the first value the
        /// AUTO_INCREMENT column generates.
        auto_increment: Option<i64>,
        /// The table option `[DEFAULT] COLLATE = name`: the collation of its
        /// string columns that name none.
        collation: Option<Collation>,
    },
    DropTable {
        /// Tables.
        names: Vec<ObjName>,
        if_exists: bool,
    },
    AlterTable {
        /// Table.
        name: ObjName,
        /// Operations.
        ops: Vec<AlterOp>,
    },
    CreateIndex {
        /// Index name.
        name: String,
        table: ObjName,
        columns: Vec<String>,
        unique: bool,
        if_not_exists: bool,
    },
    DropIndex {
        /// Index name.
        name: String,
        /// Table (ON t).
        table: Option<ObjName>,
        if_exists: bool,
    },
    /// INSERT / REPLACE.
    Insert {
        table: ObjName,
        /// Column list.
        columns: Option<Vec<String>>,
        /// Rows.
        source: InsertSource,
        /// INSERT IGNORE.
        ignore: bool,
        /// REPLACE INTO.
        replace: bool,
        /// ON DUPLICATE KEY UPDATE assignments.
        on_duplicate: Vec<(String, Expr)>,
        /// The row alias `AS new [(c, ...)]` of the inserted values.
        row_alias: Option<(String, Vec<String>)>,
    },
    Update {
        table: ObjName,
        /// SET assignments.
        assignments: Vec<(String, Expr)>,
        /// WHERE.
        filter: Option<Expr>,
        /// ORDER BY: the order in which rows are updated (with `limit`).
        order_by: Vec<OrderItem>,
        /// LIMIT: at most this many rows are updated.
        limit: Option<Expr>,
        /// `UPDATE IGNORE`: bad data adjusted with warnings, rows that would
        /// duplicate a key or break a constraint left as they are.
        ignore: bool,
    },
    Delete {
        table: ObjName,
        /// WHERE.
        filter: Option<Expr>,
        /// ORDER BY: the order in which rows are deleted (with `limit`).
        order_by: Vec<OrderItem>,
        /// LIMIT: at most this many rows are deleted.
        limit: Option<Expr>,
    },
    /// Multi-table `DELETE t1 [, t2] FROM <tables and joins> [WHERE ...]`.
    DeleteJoin {
        /// The tables (names or aliases of `from`) whose rows are deleted.
        targets: Vec<String>,
        from: Vec<TableRef>,
        filter: Option<Expr>,
    },
    /// Multi-table `UPDATE [IGNORE] <tables and joins> SET [t.]c = e, ... [WHERE ...]`.
    UpdateJoin {
        from: Vec<TableRef>,
        /// (table qualifier, column, value).
        assignments: Vec<(Option<String>, String, Expr)>,
        filter: Option<Expr>,
        /// IGNORE: a row whose change fails a key or constraint is left
        /// as it was, with a warning.
        ignore: bool,
    },
    /// TRUNCATE TABLE.
    Truncate(ObjName),
    /// BEGIN / START TRANSACTION.
    Begin,
    Commit,
    Rollback,
    /// SET TIMESTAMP = n | DEFAULT.
    SetTimestamp(Option<Expr>),
    /// SET [GLOBAL|SESSION] name = value.
    SetVariable {
        /// Variable name (lower case).
        name: String,
        value: Expr,
        global: bool,
    },
    CreateView {
        name: ObjName,
        or_replace: bool,
        /// Column names.
        columns: Vec<String>,
        /// Defining query text.
        sql: String,
        /// Defining query.
        query: Box<Query>,
    },
    DropView {
        /// Views.
        names: Vec<ObjName>,
        if_exists: bool,
    },
    /// A query.
    Query(Box<Query>),
    /// BACKTRACK TO.
    Backtrack {
        target: BacktrackTo,
        /// Clamp to the earliest time (`OR EARLIEST`).
        clamp: bool,
    },
    CreateRestorePoint(String),
    DropRestorePoint(String),
}

/// An index defined in `CREATE TABLE` (`UNIQUE [KEY] [name] (…)`,
/// `KEY|INDEX [name] (…)`).
#[derive(Debug, Clone, PartialEq)]
pub struct TableIndex {
    /// The index name (`None`: named after its first column).
    pub name: Option<String>,
    /// The indexed columns.
    pub columns: Vec<String>,
    pub unique: bool,
}

/// What a statement does, for the callers that must know before running it
/// (the browser runtime takes its write lock only for writes; a script run
/// atomically runs statement by statement when it controls transactions or
/// time itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StmtClass {
    /// Only reads: a query, `SHOW`/`DESCRIBE`, or `USE` (which changes the
    /// session's current database, not the stored data).
    Read,
    /// Changes stored data or the schema, or sets a session variable.
    Write,
    /// Controls transactions or time: `BEGIN`, `COMMIT`, `ROLLBACK`,
    /// savepoints,
    /// `BACKTRACK`, restore points, `SET TIMESTAMP`, `SET backtrack_window`.
    Control,
}

impl Stmt {
    /// The statement's [`StmtClass`].
    pub fn class(&self) -> StmtClass {
        match self {
            Stmt::Query(_) | Stmt::Show(_) | Stmt::Explain(_) | Stmt::Use(_) => StmtClass::Read,
            Stmt::Begin
            | Stmt::Commit
            | Stmt::Rollback
            | Stmt::Savepoint(_)
            | Stmt::RollbackToSavepoint(_)
            | Stmt::ReleaseSavepoint(_)
            | Stmt::Backtrack { .. }
            | Stmt::CreateRestorePoint(_)
            | Stmt::DropRestorePoint(_)
            | Stmt::SetTimestamp(_) => StmtClass::Control,
            Stmt::SetVariable { name, .. } if name == "backtrack_window" => StmtClass::Control,
            _ => StmtClass::Write,
        }
    }
}

/// A query expression with ORDER BY / LIMIT.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// `WITH` common table expressions, in order (each sees the earlier ones).
    pub with: Vec<Cte>,
    /// The body.
    pub body: SetExpr,
    pub order_by: Vec<OrderItem>,
    pub limit: Option<Expr>,
    pub offset: Option<Expr>,
}

/// A common table expression: `name [(columns)] AS (query)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Cte {
    pub name: String,
    /// Column names (empty: the query's own).
    pub columns: Vec<String>,
    /// Defining query.
    pub query: Box<Query>,
    /// Defined under `WITH RECURSIVE`: the query may refer to the CTE
    /// itself (in the last part of a `UNION`).
    pub recursive: bool,
}

/// An ORDER BY item.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderItem {
    /// Sort expression.
    pub expr: Expr,
    pub desc: bool,
}

/// Set operation kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOpKind {
    Union,
    Except,
    Intersect,
}

/// A query body.
#[derive(Debug, Clone, PartialEq)]
pub enum SetExpr {
    Select(Box<Select>),
    /// VALUES rows.
    Values(Vec<Vec<Expr>>),
    /// A set operation.
    SetOp {
        /// Kind.
        op: SetOpKind,
        all: bool,
        /// Left input.
        left: Box<SetExpr>,
        /// Right input.
        right: Box<SetExpr>,
    },
    /// A parenthesized query.
    Query(Box<Query>),
}

/// A SELECT block.
#[derive(Debug, Clone, PartialEq)]
pub struct Select {
    pub distinct: bool,
    /// Projection.
    pub items: Vec<SelectItem>,
    /// FROM (comma-separated entries).
    pub from: Vec<TableRef>,
    /// WHERE.
    pub filter: Option<Expr>,
    pub group_by: Vec<Expr>,
    /// `GROUP BY ... WITH ROLLUP`.
    pub rollup: bool,
    pub having: Option<Expr>,
    /// `WINDOW name AS (spec)` definitions.
    pub windows: Vec<(String, WindowSpec)>,
    /// `INTO @a, @b`: the user variables the one row goes into (names
    /// without `@`, lower case).
    pub into: Vec<String>,
}

/// A window specification: `OVER (...)` or `WINDOW w AS (...)`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WindowSpec {
    /// The named window this one refines (`OVER w`, `OVER (w ORDER BY ...)`).
    pub base: Option<String>,
    pub partition_by: Vec<Expr>,
    pub order_by: Vec<OrderItem>,
    /// ROWS / RANGE frame (None: the default frame).
    pub frame: Option<WindowFrame>,
}

/// A window frame: `ROWS|RANGE BETWEEN start AND end`.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowFrame {
    /// ROWS (else RANGE).
    pub rows: bool,
    pub start: FrameBound,
    pub end: FrameBound,
}

/// One end of a window frame.
#[derive(Debug, Clone, PartialEq)]
pub enum FrameBound {
    UnboundedPreceding,
    /// `n PRECEDING`.
    Preceding(Expr),
    CurrentRow,
    /// `n FOLLOWING`.
    Following(Expr),
    UnboundedFollowing,
}

/// A projection item.
#[derive(Debug, Clone, PartialEq)]
pub enum SelectItem {
    /// `*`.
    Wildcard,
    /// `t.*`.
    QualifiedWildcard(String),
    /// An expression with optional alias.
    Expr {
        /// Expression.
        expr: Expr,
        alias: Option<String>,
        /// The expression as written (the column name without an alias).
        text: String,
    },
}

/// Which versions of a table a reference reads.
#[derive(Debug, Clone, PartialEq)]
pub enum Temporal {
    /// FOR SYSTEM_TIME AS OF t.
    AsOf(Expr),
    /// FOR SYSTEM_TIME ALL.
    All,
    /// FOR SYSTEM_TIME BETWEEN a AND b (inclusive end).
    Between(Expr, Expr),
    /// FOR SYSTEM_TIME FROM a TO b (exclusive end).
    FromTo(Expr, Expr),
}

/// Join kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinKind {
    /// INNER / CROSS.
    Inner,
    /// LEFT [OUTER].
    Left,
    /// RIGHT [OUTER].
    Right,
}

/// A FROM entry.
#[derive(Debug, Clone, PartialEq)]
pub enum TableRef {
    /// A named table or view.
    Table {
        name: ObjName,
        alias: Option<String>,
        /// FOR SYSTEM_TIME.
        temporal: Option<Temporal>,
    },
    /// A derived table.
    Derived { query: Box<Query>, alias: Option<String> },
    /// A table function, e.g. `reeldb_diff('t', a, b)`.
    Function {
        /// Function name (lower case).
        name: String,
        /// Arguments.
        args: Vec<Expr>,
        alias: Option<String>,
    },
    /// A join.
    Join {
        /// Left input.
        left: Box<TableRef>,
        /// Right input.
        right: Box<TableRef>,
        kind: JoinKind,
        /// ON condition.
        on: Option<Expr>,
        /// USING columns.
        using: Vec<String>,
        /// NATURAL: USING the columns both sides have.
        natural: bool,
    },
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// =
    Eq,
    /// <> / !=
    Ne,
    /// <
    Lt,
    /// <=
    Le,
    /// >
    Gt,
    /// >=
    Ge,
    /// <=> (NULL-safe equality)
    NullSafeEq,
}

impl CmpOp {
    /// The operator with its operands swapped.
    pub fn flip(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            o => o,
        }
    }
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// Arithmetic.
    Arith(ArithOp),
    /// Comparison.
    Cmp(CmpOp),
    /// AND.
    And,
    /// OR.
    Or,
    /// XOR.
    Xor,
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    /// -x.
    Neg,
    /// NOT x / !x.
    Not,
}

/// An expression (names unresolved).
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A literal.
    Lit(Value),
    /// The `i`-th (0-based) `?` placeholder of the statement: a parameter
    /// given at each execution.
    Param(usize),
    /// A column reference.
    Column {
        /// Table qualifier.
        table: Option<String>,
        /// Column name.
        name: String,
    },
    /// Unary operation.
    Unary(UnOp, Box<Expr>),
    /// Binary operation.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// IS [NOT] NULL.
    IsNull(Box<Expr>, bool),
    /// IS [NOT] TRUE / FALSE: (expr, value tested, negated).
    IsBool(Box<Expr>, bool, bool),
    /// [NOT] BETWEEN.
    Between {
        /// Tested value.
        expr: Box<Expr>,
        /// Low bound.
        low: Box<Expr>,
        /// High bound.
        high: Box<Expr>,
        /// NOT.
        negated: bool,
    },
    /// [NOT] IN (list).
    InList {
        /// Tested value.
        expr: Box<Expr>,
        /// List.
        list: Vec<Expr>,
        /// NOT.
        negated: bool,
    },
    /// [NOT] IN (subquery).
    InSubquery {
        /// Tested value.
        expr: Box<Expr>,
        /// Subquery.
        query: Box<Query>,
        /// NOT.
        negated: bool,
    },
    /// `x op ANY|SOME|ALL (subquery)`.
    Quantified {
        /// Compared value.
        expr: Box<Expr>,
        op: CmpOp,
        /// Subquery.
        query: Box<Query>,
        /// ALL (else ANY / SOME).
        all: bool,
    },
    /// [NOT] EXISTS.
    Exists(Box<Query>, bool),
    /// Scalar subquery.
    Subquery(Box<Query>),
    /// CASE.
    Case {
        /// CASE operand.
        operand: Option<Box<Expr>>,
        /// WHEN/THEN pairs.
        whens: Vec<(Expr, Expr)>,
        /// ELSE.
        else_: Option<Box<Expr>>,
    },
    /// CAST.
    Cast(Box<Expr>, SqlType),
    /// `expr COLLATE name`.
    Collate(Box<Expr>, Collation),
    /// `INTERVAL n unit` (amount, unit name), only as a RANGE frame's
    /// offset.
    Interval(Box<Expr>, String),
    /// Function call or aggregate.
    Func {
        /// Lower-case name.
        name: String,
        /// Arguments.
        args: Vec<Expr>,
        /// DISTINCT inside an aggregate.
        distinct: bool,
        /// `f(*)`.
        star: bool,
    },
    /// [NOT] LIKE.
    Like {
        /// Tested value.
        expr: Box<Expr>,
        /// Pattern.
        pattern: Box<Expr>,
        /// The ESCAPE character (default `\\`).
        escape: char,
        /// NOT.
        negated: bool,
    },
    /// A row constructor `(a, b, ...)`.
    Row(Vec<Expr>),
    /// A window function call `f(args) OVER (spec)`.
    Window {
        /// Lower-case name.
        name: String,
        /// Arguments.
        args: Vec<Expr>,
        /// DISTINCT inside the call (rejected: MySQL has no DISTINCT windows).
        distinct: bool,
        /// `f(*)`.
        star: bool,
        /// The window.
        spec: Box<WindowSpec>,
    },
    /// `GROUP_CONCAT([DISTINCT] args [ORDER BY ...] [SEPARATOR 's'])`.
    GroupConcat {
        /// The values, concatenated per row (a row with a NULL one is skipped).
        args: Vec<Expr>,
        distinct: bool,
        /// The order of the parts.
        order_by: Vec<OrderItem>,
        /// Between the parts (default `,`).
        separator: String,
    },
    /// `DEFAULT` in an INSERT's VALUES row: the column's default.
    Default,
    /// The value of a window function call already computed into the row
    /// at this position (the binder replaces [`Expr::Window`] by it).
    WindowRef(usize),
}
