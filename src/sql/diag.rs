//! A session's `sql_mode` and the diagnostics of its statements: the
//! warnings `SHOW WARNINGS` lists, and how a statement treats bad data
//! (strict: an error; otherwise the value is adjusted with a warning) and
//! division by zero.

use std::cell::{Cell, RefCell};

use super::error::{Code, SqlError, SqlResult};
use super::value::{arith, ArithOp, Value};

/// The modes MySQL 8 knows, in the order of their bits (`SET sql_mode = n`
/// sets them by number; `@@sql_mode` lists them in this order). The
/// `NOT_USED` bits are those of modes MySQL 8 removed.
const MODE_NAMES: [&str; 33] = [
    "REAL_AS_FLOAT",
    "PIPES_AS_CONCAT",
    "ANSI_QUOTES",
    "IGNORE_SPACE",
    "",
    "ONLY_FULL_GROUP_BY",
    "NO_UNSIGNED_SUBTRACTION",
    "NO_DIR_IN_CREATE",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "ANSI",
    "NO_AUTO_VALUE_ON_ZERO",
    "NO_BACKSLASH_ESCAPES",
    "STRICT_TRANS_TABLES",
    "STRICT_ALL_TABLES",
    "NO_ZERO_IN_DATE",
    "NO_ZERO_DATE",
    "ALLOW_INVALID_DATES",
    "ERROR_FOR_DIVISION_BY_ZERO",
    "TRADITIONAL",
    "",
    "HIGH_NOT_PRECEDENCE",
    "NO_ENGINE_SUBSTITUTION",
    "PAD_CHAR_TO_FULL_LENGTH",
    "TIME_TRUNCATE_FRACTIONAL",
];

const fn bit(name: &str) -> u64 {
    let mut i = 0;
    while i < MODE_NAMES.len() {
        if const_eq(MODE_NAMES[i], name) {
            return 1 << i;
        }
        i += 1;
    }
    panic!("not a mode name")
}

const fn const_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const ONLY_FULL_GROUP_BY: u64 = bit("ONLY_FULL_GROUP_BY");
const STRICT_TRANS_TABLES: u64 = bit("STRICT_TRANS_TABLES");
const STRICT_ALL_TABLES: u64 = bit("STRICT_ALL_TABLES");
const ERROR_FOR_DIVISION_BY_ZERO: u64 = bit("ERROR_FOR_DIVISION_BY_ZERO");

/// The modes `ANSI` and `TRADITIONAL` stand for (as MySQL 8 expands them).
const ANSI: u64 = bit("ANSI")
    | bit("REAL_AS_FLOAT")
    | bit("PIPES_AS_CONCAT")
    | bit("ANSI_QUOTES")
    | bit("IGNORE_SPACE")
    | ONLY_FULL_GROUP_BY;
const TRADITIONAL: u64 = bit("TRADITIONAL")
    | STRICT_TRANS_TABLES
    | STRICT_ALL_TABLES
    | bit("NO_ZERO_IN_DATE")
    | bit("NO_ZERO_DATE")
    | ERROR_FOR_DIVISION_BY_ZERO
    | bit("NO_ENGINE_SUBSTITUTION");

/// The bits that name a mode.
const VALID: u64 = {
    let mut m = 0;
    let mut i = 0;
    while i < MODE_NAMES.len() {
        if !MODE_NAMES[i].is_empty() {
            m |= 1 << i;
        }
        i += 1;
    }
    m
};

/// A session's `sql_mode`: a set of MySQL's modes. Those with an effect
/// in ReelDB: `STRICT_TRANS_TABLES` / `STRICT_ALL_TABLES`,
/// `ONLY_FULL_GROUP_BY`, `ERROR_FOR_DIVISION_BY_ZERO`; the others are
/// kept and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqlMode(u64);

impl Default for SqlMode {
    /// MySQL 8's default.
    fn default() -> SqlMode {
        SqlMode(
            ONLY_FULL_GROUP_BY
                | STRICT_TRANS_TABLES
                | bit("NO_ZERO_IN_DATE")
                | bit("NO_ZERO_DATE")
                | ERROR_FOR_DIVISION_BY_ZERO
                | bit("NO_ENGINE_SUBSTITUTION"),
        )
    }
}

impl SqlMode {
    /// Reads a comma-separated list of mode names (any case; empty items
    /// are skipped; `ANSI` and `TRADITIONAL` add the modes they stand
    /// for). An unknown name is `ER_WRONG_VALUE_FOR_VAR` naming it.
    pub fn parse(text: &str) -> SqlResult<SqlMode> {
        let mut m = 0;
        for item in text.split(',').filter(|s| !s.is_empty()) {
            let up = item.to_ascii_uppercase();
            m |= match up.as_str() {
                "ANSI" => ANSI,
                "TRADITIONAL" => TRADITIONAL,
                _ => match MODE_NAMES.iter().position(|n| !n.is_empty() && *n == up) {
                    Some(i) => 1 << i,
                    None => return Err(wrong_value(item)),
                },
            };
        }
        Ok(SqlMode(m))
    }

    /// The modes of a number (their bits); `ER_WRONG_VALUE_FOR_VAR` when
    /// it has a bit that names no mode.
    pub fn from_bits(n: i64) -> SqlResult<SqlMode> {
        match u64::try_from(n) {
            Ok(b) if b & !VALID == 0 => Ok(SqlMode(b)),
            _ => Err(wrong_value(&n.to_string())),
        }
    }

    /// Bad data in a column is an error (else adjusted with a warning).
    pub fn strict(self) -> bool {
        self.0 & (STRICT_TRANS_TABLES | STRICT_ALL_TABLES) != 0
    }

    /// A grouped query may only show grouped or dependent columns.
    pub fn only_full_group_by(self) -> bool {
        self.0 & ONLY_FULL_GROUP_BY != 0
    }

    /// Division by zero warns (in a query) or fails (in strict writes).
    pub fn error_for_division_by_zero(self) -> bool {
        self.0 & ERROR_FOR_DIVISION_BY_ZERO != 0
    }
}

impl std::fmt::Display for SqlMode {
    /// The mode names, upper case, comma separated, in MySQL's order.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = MODE_NAMES
            .iter()
            .enumerate()
            .filter(|(i, n)| !n.is_empty() && self.0 & (1 << i) != 0)
            .map(|(_, n)| *n)
            .collect();
        f.write_str(&names.join(","))
    }
}

fn wrong_value(v: &str) -> SqlError {
    SqlError::new(Code::WrongValueForVar, format!("Variable 'sql_mode' can't be set to the value of '{v}'"))
}

/// MySQL's `max_error_count`: the warnings a statement keeps (it counts
/// them all).
pub const MAX_ERROR_COUNT: usize = 64;

/// One diagnostic of a statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    /// `Warning` or `Error`.
    pub level: &'static str,
    /// The code (its MySQL number is what `SHOW WARNINGS` shows).
    pub code: Code,
    /// The message.
    pub message: String,
}

/// What division by zero does in the statement running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DivZero {
    /// NULL, silently (`ERROR_FOR_DIVISION_BY_ZERO` not set).
    Null,
    /// NULL with warning 1365.
    Warn,
    /// `ER_DIVISION_BY_ZERO` (a strict INSERT or UPDATE).
    Error,
}

/// How the statement running assigns values to columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assign {
    /// Bad data is an error (else adjusted with a warning).
    pub strict: bool,
    /// NULL into a NOT NULL column is an error (else the type's implicit
    /// default with a warning).
    pub null_error: bool,
}

impl Assign {
    /// Errors for both (outside DML, and in strict DML without IGNORE).
    pub const STRICT: Assign = Assign { strict: true, null_error: true };
}

/// A session's diagnostics: the warnings of the last statement that
/// raised or cleared them, those of the statement running, and how the
/// statement running treats bad data. Interior mutability: the executor
/// and the binder add warnings through a shared reference.
pub struct Diagnostics {
    /// The warnings `SHOW WARNINGS` lists (at most [`MAX_ERROR_COUNT`]).
    last: RefCell<Vec<Warning>>,
    /// How many the last statement raised (`@@warning_count`).
    last_count: Cell<usize>,
    cur: RefCell<Vec<Warning>>,
    cur_count: Cell<usize>,
    /// The statement read `@@warning_count`.
    read_count: Cell<bool>,
    /// The row (1-based) a column warning names (`at row N`).
    row: Cell<u64>,
    assign: Cell<Assign>,
    div_zero: Cell<DivZero>,
}

impl Default for Diagnostics {
    fn default() -> Diagnostics {
        Diagnostics {
            last: RefCell::default(),
            last_count: Cell::new(0),
            cur: RefCell::default(),
            cur_count: Cell::new(0),
            read_count: Cell::new(false),
            row: Cell::new(1),
            assign: Cell::new(Assign::STRICT),
            div_zero: Cell::new(DivZero::Null),
        }
    }
}

impl Diagnostics {
    /// A statement starts: no warnings yet, row 1, and its treatment of
    /// bad data and division by zero.
    pub fn start(&self, assign: Assign, div_zero: DivZero) {
        self.cur.borrow_mut().clear();
        self.cur_count.set(0);
        self.read_count.set(false);
        self.row.set(1);
        self.assign.set(assign);
        self.div_zero.set(div_zero);
    }

    /// The statement ended (`error`: how it failed): its warnings become
    /// the list `SHOW WARNINGS` shows, unless it raised none and only
    /// read `@@warning_count`.
    pub fn finish(&self, error: Option<&SqlError>) {
        if let Some(e) = error {
            self.push("Error", e.code, e.message.clone());
        }
        self.assign.set(Assign::STRICT);
        self.div_zero.set(DivZero::Null);
        if self.cur_count.get() == 0 && self.read_count.get() {
            return;
        }
        self.last.replace(std::mem::take(&mut *self.cur.borrow_mut()));
        self.last_count.set(self.cur_count.get());
    }

    fn push(&self, level: &'static str, code: Code, message: String) {
        self.cur_count.set(self.cur_count.get() + 1);
        let mut cur = self.cur.borrow_mut();
        if cur.len() < MAX_ERROR_COUNT {
            cur.push(Warning { level, code, message });
        }
    }

    /// Adds a warning to the statement running.
    pub fn warn(&self, code: Code, message: impl Into<String>) {
        self.push("Warning", code, message.into());
    }

    /// The last statement's warnings (`SHOW WARNINGS`).
    pub fn warnings(&self) -> Vec<Warning> {
        self.last.borrow().clone()
    }

    /// How many warnings the last statement raised (`@@warning_count`,
    /// `SHOW COUNT(*) WARNINGS`); reading it keeps the list.
    pub fn warning_count(&self) -> usize {
        self.read_count.set(true);
        self.last_count.get()
    }

    /// The row a column warning names.
    pub fn row(&self) -> u64 {
        self.row.get()
    }

    /// Column warnings now name row `n` (1-based).
    pub fn set_row(&self, n: u64) {
        self.row.set(n);
    }

    /// How the statement running assigns values to columns.
    pub fn assign(&self) -> Assign {
        self.assign.get()
    }

    /// A division by zero: NULL, with a warning or none, or an error, as
    /// the statement running has it.
    pub fn division_by_zero(&self) -> SqlResult<()> {
        match self.div_zero.get() {
            DivZero::Null => Ok(()),
            DivZero::Warn => {
                self.warn(Code::DivisionByZero, "Division by 0");
                Ok(())
            }
            DivZero::Error => Err(SqlError::new(Code::DivisionByZero, "Division by 0")),
        }
    }
}

/// `a op b` ([`arith`]); a division (`/`, `DIV`, `%`/`MOD`) by zero is
/// NULL, and with `diag` a warning or an error as the statement running
/// has it ([`Diagnostics::division_by_zero`]).
pub fn arith_checked(diag: Option<&Diagnostics>, op: ArithOp, a: &Value, b: &Value) -> SqlResult<Value> {
    let r = arith(op, a, b)?;
    let division = matches!(op, ArithOp::Div | ArithOp::WideDiv | ArithOp::IntDiv | ArithOp::Mod);
    if division && r.is_null() && !a.is_null() && b.numeric().to_f64() == Some(0.0) {
        if let Some(d) = diag {
            d.division_by_zero()?;
        }
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_read_and_print_as_mysql_does() {
        assert_eq!(
            SqlMode::default().to_string(),
            "ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"
        );
        assert_eq!(
            SqlMode::parse("no_zero_date,strict_all_tables,,").unwrap().to_string(),
            "STRICT_ALL_TABLES,NO_ZERO_DATE"
        );
        assert_eq!(SqlMode::parse("").unwrap().to_string(), "");
        assert_eq!(
            SqlMode::parse("ansi").unwrap().to_string(),
            "REAL_AS_FLOAT,PIPES_AS_CONCAT,ANSI_QUOTES,IGNORE_SPACE,ONLY_FULL_GROUP_BY,ANSI"
        );
        assert_eq!(SqlMode::from_bits(3).unwrap().to_string(), "REAL_AS_FLOAT,PIPES_AS_CONCAT");
        assert_eq!(SqlMode::parse(" STRICT_TRANS_TABLES").unwrap_err().code, Code::WrongValueForVar);
        assert_eq!(SqlMode::parse("bogus").unwrap_err().code, Code::WrongValueForVar);
        assert_eq!(SqlMode::from_bits(1 << 4).unwrap_err().code, Code::WrongValueForVar);
        assert!(!SqlMode::parse("").unwrap().strict());
    }

    #[test]
    fn warnings_are_bounded_and_counted() {
        let d = Diagnostics::default();
        d.start(Assign::STRICT, DivZero::Warn);
        for _ in 0..100 {
            d.division_by_zero().unwrap();
        }
        d.finish(None);
        assert_eq!(d.warnings().len(), MAX_ERROR_COUNT);
        assert_eq!(d.warning_count(), 100);
        // a statement that only reads the count keeps the list
        d.start(Assign::STRICT, DivZero::Null);
        d.warning_count();
        d.finish(None);
        assert_eq!(d.warnings().len(), MAX_ERROR_COUNT);
        d.start(Assign::STRICT, DivZero::Null);
        d.finish(None);
        assert!(d.warnings().is_empty());
    }
}
