//! The scalar-function catalogue: one [`Def`] per SQL function name, with
//! its arity, volatility, NULL handling, argument coercion and
//! implementation. The binder checks names and argument counts against it
//! ([`Func::resolve`]) and folds statement-constant functions (`NOW()`);
//! the executor calls [`Func::eval`]. Adding a function is one entry in
//! [`FUNCS`] (plus its test in `tests/slt/functions.test`); an
//! implementation longer than a closure goes in the submodule of its family
//! (`strings`, `regexp`, `math`, `bits`, `datetime`, `control`, `info`,
//! `rand`).

mod bits;
mod control;
mod datetime;
mod info;
mod math;
mod rand;
mod regexp;
mod strings;

use crate::sql::value::Collation;
use std::cmp::Ordering;

use crate::db::Database;
use crate::time::{days_from_civil, days_in_month, Timestamp};

use super::dates;
use super::error::{Code, SqlError, SqlResult};
use super::exec::{Env, Exec};
use super::plan::BExpr;
use super::value::{self, cast, sql_cmp, ArithOp, SqlType, Value};
pub(crate) use bits::{bits, from_u64};
use bits::{conv_text, export_set, hex, make_set, shift};
use control::{coalesce, greatest, if_, ifnull, least, nullif};
use datetime::{adddate, curdate, curtime, now, on_date, on_time, unix_timestamp};
use info::{account, charset_of, database, last_insert_id, row_count};
use math::{abs, double_or_null, floor_ceil, log, log_of, out_of_range_check, pow, round};
use rand::rand;
pub(crate) use rand::MysqlRand;
use regexp::{regexp_instr, regexp_like, regexp_replace, regexp_substr};
use strings::{
    char_, char_length, concat, concat_ws, elt, field, find_in_set, format, insert, left, length, locate, ord, pad,
    quote, repeat, replace, right, soundex, substring, substring_index, trim_chars,
};

/// The longest string a function builds (MySQL's default max_allowed_packet);
/// longer results are NULL, as in MySQL.
pub const MAX_STRING: usize = 64 << 20;

/// What `VERSION()` and `@@version` say: the MySQL version ReelDB's SQL
/// follows.
pub const VERSION: &str = "8.0.0-reeldb";

/// The time `NOW()` and its family report for a statement: the clock set by
/// `SET TIMESTAMP` as set (even where commits, which keep time moving
/// forward, are stamped later), else the engine's clock.
pub fn statement_time(db: &Database) -> Timestamp {
    db.fixed_clock().unwrap_or_else(|| db.now())
}

/// When a function's value can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Volatility {
    /// Depends on its arguments only.
    Pure,
    /// Constant within a statement (the clock, the current database): the
    /// binder folds it to a literal when its arguments are constant.
    Statement,
    /// May differ at each call (`RAND()`): never folded or hoisted.
    Volatile,
}

/// How an argument is converted before the implementation sees it (NULL
/// stays NULL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg {
    /// As evaluated.
    Any,
    /// A string ([`Value::Str`]).
    Str,
    /// An integer ([`Value::Int`]), rounded as MySQL does.
    Int,
    /// A number (int, decimal or double); strings by their numeric prefix.
    Num,
    /// A date ([`Value::Date`]) or date-time ([`Value::DateTime`]); NULL
    /// when the value is not a valid date.
    Time,
}

/// What a NULL argument does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nulls {
    /// Any NULL argument makes the result NULL without calling the
    /// implementation.
    Propagate,
    /// The implementation sees NULLs.
    Handle,
}

/// The static type of a function's result ([`super::value::SType`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Res {
    /// Not declared.
    Unknown,
    /// The aggregation of the types of the arguments `from..to` (the
    /// ones the value is taken from: all of `COALESCE`'s, `IF`'s second
    /// and third), to which the value is conformed.
    Args(usize, usize),
    /// An integer.
    Int,
    /// The first argument's type, a decimal with the scale of the
    /// constant second argument (`ROUND(x, 1)`).
    Scaled,
}

/// The statement context of a function call.
pub struct Ctx<'a> {
    /// The statement time ([`statement_time`]).
    pub now: Timestamp,
    /// The current database, where the caller knows it (the binder).
    pub database: Option<&'a str>,
    /// The session's `LAST_INSERT_ID()`, where the caller has a session.
    pub info: Option<&'a super::insert_id::SessionInfo>,
    /// The session's diagnostics (warnings), where the caller has a session.
    pub diag: Option<&'a crate::sql::diag::Diagnostics>,
    /// The collation a function that compares strings (`STRCMP`,
    /// `FIND_IN_SET`, `FIELD`, `LOCATE`, `GREATEST`, ...) compares them
    /// under: its first
    /// argument's ([`BExpr::key_collation`]), where the binder puts the
    /// collation of its arguments.
    pub collation: Collation,
}

type EagerFn = fn(&Ctx, &[Value]) -> SqlResult<Value>;
type LazyFn = fn(&Exec, &[BExpr], &Env) -> SqlResult<Value>;
type StatefulFn = fn(&Exec, &[BExpr], &Env, usize) -> SqlResult<Value>;

/// A function's implementation.
#[derive(Clone, Copy)]
pub enum Imp {
    /// Called with the evaluated, coerced arguments.
    Eager(EagerFn),
    /// Evaluates its own arguments (`IF`, `COALESCE`: only those needed).
    Lazy(LazyFn),
    /// Evaluates its own arguments and keeps state across the calls of one
    /// execution, in the execution slot the binder gave the call (`RAND`).
    Stateful(StatefulFn),
}

/// One catalogue entry.
pub struct Def {
    /// Lower-case SQL name.
    pub name: &'static str,
    /// Fewest arguments.
    pub min: usize,
    /// Most arguments.
    pub max: usize,
    /// When the value can change.
    pub volatility: Volatility,
    /// What a NULL argument does.
    pub nulls: Nulls,
    /// Argument coercions by position; the last one repeats (none: `Any`).
    pub args: &'static [Arg],
    /// How the function is written in SQL when not as `name(...)` (the
    /// syntax the translator maps to it), for documentation and tests.
    #[cfg_attr(not(test), expect(dead_code, reason = "read by the test that every function is tested"))]
    pub spelled: Option<&'static str>,
    /// The static type of the result.
    pub result: Res,
    /// Whether a quotient among the arguments keeps the digits MySQL keeps
    /// for a further operation (`FLOOR(2/3*3)` is 1, `ROUND(2/3, 8)`
    /// 0.66666667: functions whose result has a scale of its own).
    pub exact_args: bool,
    /// The arguments `from..to` a string result takes its collation from
    /// (`CONCAT(code, '-')` compares as `code` does); besides these, a
    /// function valued by some of its arguments ([`Res::Args`]) takes
    /// theirs.
    pub collated_by: Option<(usize, usize)>,
    /// Whether it compares its string arguments, under their collation
    /// (`STRCMP`, `FIND_IN_SET`): the binder gives it to the first one
    /// ([`Ctx::collation`]).
    pub compares_strings: bool,
    /// The implementation.
    pub imp: Imp,
}

const MANY: usize = usize::MAX;

const fn f(name: &'static str, min: usize, max: usize, args: &'static [Arg], imp: EagerFn) -> Def {
    Def {
        name,
        min,
        max,
        volatility: Volatility::Pure,
        nulls: Nulls::Propagate,
        args,
        spelled: None,
        result: Res::Unknown,
        exact_args: false,
        collated_by: None,
        compares_strings: false,
        imp: Imp::Eager(imp),
    }
}

const fn lazy(name: &'static str, min: usize, max: usize, imp: LazyFn) -> Def {
    Def {
        name,
        min,
        max,
        volatility: Volatility::Pure,
        nulls: Nulls::Handle,
        args: &[],
        spelled: None,
        result: Res::Unknown,
        exact_args: false,
        collated_by: None,
        compares_strings: false,
        imp: Imp::Lazy(imp),
    }
}

/// A [`Imp::Stateful`] function: never folded, a slot per call.
const fn stateful(name: &'static str, min: usize, max: usize, imp: StatefulFn) -> Def {
    Def {
        name,
        min,
        max,
        volatility: Volatility::Volatile,
        nulls: Nulls::Handle,
        args: &[],
        spelled: None,
        result: Res::Unknown,
        exact_args: false,
        collated_by: None,
        compares_strings: false,
        imp: Imp::Stateful(imp),
    }
}

impl Def {
    const fn nulls_ok(self) -> Def {
        Def { nulls: Nulls::Handle, ..self }
    }
    const fn statement(self) -> Def {
        Def { volatility: Volatility::Statement, ..self }
    }
    const fn volatile(self) -> Def {
        Def { volatility: Volatility::Volatile, ..self }
    }
    const fn spelled(self, s: &'static str) -> Def {
        Def { spelled: Some(s), ..self }
    }
    /// The result is an integer.
    const fn int(self) -> Def {
        Def { result: Res::Int, ..self }
    }
    const fn exact(self) -> Def {
        Def { exact_args: true, ..self }
    }
    /// The result has the first argument's type, a decimal the scale the
    /// second one asks for.
    const fn scaled(self) -> Def {
        Def { result: Res::Scaled, ..self }
    }
    /// The result takes its value from the arguments `from..to`: its type
    /// is theirs, aggregated (and its collation, [`Def::collation_args`]).
    const fn valued_by(self, from: usize, to: usize) -> Def {
        Def { result: Res::Args(from, to), ..self }
    }
    /// A string result takes its collation from the arguments `from..to`.
    const fn collated_by(self, from: usize, to: usize) -> Def {
        Def { collated_by: Some((from, to)), ..self }
    }
    /// It compares its string arguments under their collation.
    const fn compares_strings(self) -> Def {
        Def { compares_strings: true, ..self }
    }

    /// The arguments of a call with `n` of them whose collations the
    /// result takes ([`Def::collated_by`], or those it is valued by).
    pub fn collation_args(&self, n: usize) -> Option<std::ops::Range<usize>> {
        let (from, to) = match (self.collated_by, self.result) {
            (Some(r), _) => r,
            (None, Res::Args(from, to)) => (from, to),
            _ => return None,
        };
        Some(from.min(n)..to.min(n))
    }

    fn coercion(&self, i: usize) -> Arg {
        match self.args.len() {
            0 => Any,
            n => self.args[i.min(n - 1)],
        }
    }
}

use Arg::{Any, Int, Num, Str, Time};

/// Every scalar function ReelDB has.
pub static FUNCS: &[Def] = &[
    // ----- control flow and NULLs -----
    lazy("coalesce", 1, MANY, coalesce).valued_by(0, MANY),
    lazy("ifnull", 2, 2, ifnull).valued_by(0, 2),
    lazy("if", 3, 3, if_).valued_by(1, 3),
    f("nullif", 2, 2, &[Any], nullif).nulls_ok().valued_by(0, 1),
    f("isnull", 1, 1, &[Any], |_, v| Ok(Value::bool(v[0].is_null()))).nulls_ok(),
    f("greatest", 2, MANY, &[Any], greatest).valued_by(0, MANY).compares_strings(),
    // a column's value in a grouped query, exempt from ONLY_FULL_GROUP_BY
    f("any_value", 1, 1, &[Any], |_, v| Ok(v[0].clone())).nulls_ok().valued_by(0, 1),
    f("least", 2, MANY, &[Any], least).valued_by(0, MANY).compares_strings(),
    // ----- strings -----
    f("concat", 1, MANY, &[Str], concat).collated_by(0, MANY),
    f("concat_ws", 2, MANY, &[Str], concat_ws).nulls_ok().collated_by(0, MANY),
    f("length", 1, 1, &[Str], length).int(),
    f("octet_length", 1, 1, &[Str], length).int(),
    f("char_length", 1, 1, &[Str], char_length).int(),
    f("character_length", 1, 1, &[Str], char_length).int(),
    f("upper", 1, 1, &[Str], |_, v| Ok(Value::Str(s(&v[0]).to_uppercase()))).collated_by(0, MANY),
    f("ucase", 1, 1, &[Str], |_, v| Ok(Value::Str(s(&v[0]).to_uppercase()))).collated_by(0, MANY),
    f("lower", 1, 1, &[Str], |_, v| Ok(Value::Str(s(&v[0]).to_lowercase()))).collated_by(0, MANY),
    f("lcase", 1, 1, &[Str], |_, v| Ok(Value::Str(s(&v[0]).to_lowercase()))).collated_by(0, MANY),
    f("substring", 2, 3, &[Str, Int], substring).collated_by(0, MANY),
    f("substr", 2, 3, &[Str, Int], substring).collated_by(0, MANY),
    f("mid", 3, 3, &[Str, Int], substring).collated_by(0, MANY),
    f("substring_index", 3, 3, &[Str, Str, Int], substring_index).collated_by(0, MANY),
    f("left", 2, 2, &[Str, Int], left).collated_by(0, MANY),
    f("right", 2, 2, &[Str, Int], right).collated_by(0, MANY),
    f("trim", 1, 1, &[Str], |_, v| Ok(Value::Str(s(&v[0]).trim_matches(' ').to_string()))).collated_by(0, MANY),
    f("ltrim", 1, 1, &[Str], |_, v| Ok(Value::Str(s(&v[0]).trim_start_matches(' ').to_string()))).collated_by(0, MANY),
    f("rtrim", 1, 1, &[Str], |_, v| Ok(Value::Str(s(&v[0]).trim_end_matches(' ').to_string()))).collated_by(0, MANY),
    f("trim_chars", 2, 2, &[Str], |_, v| Ok(trim_chars(&v[0], &v[1], true, true)))
        .spelled("TRIM(BOTH ")
        .collated_by(0, MANY),
    f("ltrim_chars", 2, 2, &[Str], |_, v| Ok(trim_chars(&v[0], &v[1], true, false)))
        .spelled("TRIM(LEADING ")
        .collated_by(0, MANY),
    f("rtrim_chars", 2, 2, &[Str], |_, v| Ok(trim_chars(&v[0], &v[1], false, true)))
        .spelled("TRIM(TRAILING ")
        .collated_by(0, MANY),
    f("replace", 3, 3, &[Str], replace).collated_by(0, MANY),
    f("reverse", 1, 1, &[Str], |_, v| Ok(Value::Str(s(&v[0]).chars().rev().collect()))).collated_by(0, MANY),
    f("repeat", 2, 2, &[Str, Int], repeat).collated_by(0, MANY),
    f("space", 1, 1, &[Int], |_, v| Ok(Value::Str(" ".repeat(int(&v[0]).clamp(0, 1 << 20) as usize)))),
    f("locate", 2, 3, &[Str, Str, Int], |c, v| Ok(locate(c.collation, &v[0], &v[1], v.get(2))))
        .int()
        .compares_strings(),
    f("position", 2, 2, &[Str], |c, v| Ok(locate(c.collation, &v[0], &v[1], None))).int().compares_strings(),
    f("instr", 2, 2, &[Str], |c, v| Ok(locate(c.collation, &v[1], &v[0], None))).int().compares_strings(),
    f("lpad", 3, 3, &[Str, Int, Str], |_, v| Ok(pad(v, true))).collated_by(0, MANY),
    f("rpad", 3, 3, &[Str, Int, Str], |_, v| Ok(pad(v, false))).collated_by(0, MANY),
    f("ascii", 1, 1, &[Str], |_, v| Ok(Value::Int(s(&v[0]).bytes().next().map(|b| b as i64).unwrap_or(0)))).int(),
    f("ord", 1, 1, &[Str], ord).int(),
    f("char", 1, MANY, &[Int], char_).nulls_ok(),
    f("md5", 1, 1, &[Str], |_, v| Ok(Value::Str(super::md5::hex(s(&v[0]).as_bytes())))),
    f("strcmp", 2, 2, &[Str], |c, v| Ok(Value::Int(ord_int(c.collation.cmp(s(&v[0]), s(&v[1]))))))
        .int()
        .compares_strings(),
    f("field", 1, MANY, &[Any], field).nulls_ok().int().compares_strings(),
    f("elt", 1, MANY, &[Int, Str], elt).nulls_ok().collated_by(1, MANY),
    f("format", 2, 2, &[Num, Int], format),
    f("regexp_like", 2, 3, &[Str], regexp_like),
    f("regexp_replace", 3, 6, &[Str, Str, Str, Int, Int, Str], regexp_replace),
    f("regexp_substr", 2, 5, &[Str, Str, Int, Int, Str], regexp_substr),
    f("regexp_instr", 2, 6, &[Str, Str, Int, Int, Int, Str], regexp_instr),
    f("insert", 4, 4, &[Str, Int, Int, Str], insert).collated_by(0, MANY),
    f("find_in_set", 2, 2, &[Str], find_in_set).int().compares_strings(),
    f("make_set", 2, MANY, &[Int, Str], make_set).nulls_ok().collated_by(1, MANY),
    f("export_set", 3, 5, &[Int, Str, Str, Str, Int], export_set).collated_by(1, 4),
    f("bit_length", 1, 1, &[Str], |_, v| Ok(Value::Int(8 * s(&v[0]).len() as i64))).int(),
    f("hex", 1, 1, &[Any], hex),
    f("bin", 1, 1, &[Str], |_, v| Ok(conv_text(s(&v[0]), 10, 2))),
    f("oct", 1, 1, &[Str], |_, v| Ok(conv_text(s(&v[0]), 10, 8))),
    f("conv", 3, 3, &[Str, Int, Int], |_, v| Ok(conv_text(s(&v[0]), int(&v[1]), int(&v[2])))),
    f("crc32", 1, 1, &[Str], |_, v| Ok(Value::Int(crc32fast::hash(s(&v[0]).as_bytes()) as i64))).int(),
    f("quote", 1, 1, &[Str], |_, v| Ok(quote(&v[0]))).nulls_ok().collated_by(0, MANY),
    f("soundex", 1, 1, &[Str], |_, v| Ok(Value::Str(soundex(s(&v[0]))))).collated_by(0, MANY),
    // ----- numbers -----
    f("abs", 1, 1, &[Num], abs).valued_by(0, 1),
    f("round", 1, 2, &[Num, Int], |_, v| Ok(round(v, false))).exact().scaled(),
    f("truncate", 2, 2, &[Num, Int], |_, v| Ok(round(v, true))).exact().scaled(),
    f("floor", 1, 1, &[Num], |_, v| Ok(floor_ceil(&v[0], true))).exact().scaled(),
    f("ceil", 1, 1, &[Num], |_, v| Ok(floor_ceil(&v[0], false))).exact().scaled(),
    f("ceiling", 1, 1, &[Num], |_, v| Ok(floor_ceil(&v[0], false))).exact().scaled(),
    f("mod", 2, 2, &[Num], |c, v| crate::sql::diag::arith_checked(c.diag, ArithOp::Mod, &v[0], &v[1])),
    f("sign", 1, 1, &[Num], |_, v| Ok(Value::Int(ord_int(sql_cmp(&v[0], &Value::Int(0)).unwrap_or(Ordering::Equal)))))
        .int(),
    f("sqrt", 1, 1, &[Num], |_, v| Ok(double_or_null(fl(&v[0]).sqrt()))),
    f("pow", 2, 2, &[Num], |_, v| pow(v)),
    f("power", 2, 2, &[Num], |_, v| pow(v)),
    f("exp", 1, 1, &[Num], |_, v| out_of_range_check("exp", fl(&v[0]).exp())),
    f("ln", 1, 1, &[Num], |_, v| Ok(log_of(fl(&v[0]), f64::ln))),
    f("log", 1, 2, &[Num], log),
    f("log10", 1, 1, &[Num], |_, v| Ok(log_of(fl(&v[0]), f64::log10))),
    f("log2", 1, 1, &[Num], |_, v| Ok(log_of(fl(&v[0]), f64::log2))),
    f("pi", 0, 0, &[], |_, _| Ok(Value::Double(std::f64::consts::PI))),
    f("sin", 1, 1, &[Num], |_, v| Ok(double_or_null(fl(&v[0]).sin()))),
    f("cos", 1, 1, &[Num], |_, v| Ok(double_or_null(fl(&v[0]).cos()))),
    f("tan", 1, 1, &[Num], |_, v| Ok(double_or_null(fl(&v[0]).tan()))),
    f("cot", 1, 1, &[Num], |_, v| out_of_range_check(&format!("cot({})", v[0]), 1.0 / fl(&v[0]).tan())),
    f("asin", 1, 1, &[Num], |_, v| Ok(double_or_null(fl(&v[0]).asin()))),
    f("acos", 1, 1, &[Num], |_, v| Ok(double_or_null(fl(&v[0]).acos()))),
    f("atan", 1, 2, &[Num], |_, v| {
        Ok(double_or_null(match v.get(1) {
            Some(x) => fl(&v[0]).atan2(fl(x)),
            None => fl(&v[0]).atan(),
        }))
    }),
    f("atan2", 2, 2, &[Num], |_, v| Ok(double_or_null(fl(&v[0]).atan2(fl(&v[1]))))),
    f("degrees", 1, 1, &[Num], |_, v| Ok(double_or_null(fl(&v[0]).to_degrees()))),
    f("radians", 1, 1, &[Num], |_, v| Ok(double_or_null(fl(&v[0]).to_radians()))),
    f("bit_count", 1, 1, &[Num], |_, v| Ok(Value::Int(bits(&v[0]).count_ones() as i64))).int(),
    // the bitwise operators, on 64-bit unsigned integers
    f("bitor", 2, 2, &[Num], |_, v| Ok(from_u64(bits(&v[0]) | bits(&v[1])))).spelled("|"),
    f("bitand", 2, 2, &[Num], |_, v| Ok(from_u64(bits(&v[0]) & bits(&v[1])))).spelled("&"),
    f("bitxor", 2, 2, &[Num], |_, v| Ok(from_u64(bits(&v[0]) ^ bits(&v[1])))).spelled("^"),
    f("shiftleft", 2, 2, &[Num], |_, v| Ok(from_u64(shift(bits(&v[0]), bits(&v[1]), true)))).spelled("<<"),
    f("shiftright", 2, 2, &[Num], |_, v| Ok(from_u64(shift(bits(&v[0]), bits(&v[1]), false)))).spelled(">>"),
    f("bitnot", 1, 1, &[Num], |_, v| Ok(from_u64(!bits(&v[0])))).spelled("~"),
    stateful("rand", 0, 1, rand),
    // ----- information -----
    f("database", 0, 0, &[], database).statement(),
    f("schema", 0, 0, &[], database).statement(),
    f("version", 0, 0, &[], |_, _| Ok(Value::Str(VERSION.into()))),
    f("user", 0, 0, &[], account),
    f("current_user", 0, 0, &[], account),
    f("session_user", 0, 0, &[], account),
    f("system_user", 0, 0, &[], account),
    f("connection_id", 0, 0, &[], |_, _| Ok(Value::Int(1))),
    f("uuid", 0, 0, &[], |_, _| Ok(Value::Str(rand::uuid()))).volatile(),
    f("charset", 1, 1, &[Any], |_, v| Ok(Value::Str(charset_of(&v[0]).0.into()))).nulls_ok(),
    f("collation", 1, 1, &[Any], |_, v| Ok(Value::Str(charset_of(&v[0]).1.into()))).nulls_ok(),
    f("last_insert_id", 0, 1, &[Int], last_insert_id).statement(),
    f("row_count", 0, 0, &[], row_count).statement(),
    // ----- the clock -----
    f("now", 0, 1, &[Int], now).statement(),
    f("current_timestamp", 0, 1, &[Int], now).statement(),
    f("sysdate", 0, 1, &[Int], now).statement(),
    f("localtime", 0, 1, &[Int], now).statement(),
    f("localtimestamp", 0, 1, &[Int], now).statement(),
    f("utc_timestamp", 0, 1, &[Int], now).statement(),
    f("curdate", 0, 0, &[], curdate).statement(),
    f("current_date", 0, 0, &[], curdate).statement(),
    f("utc_date", 0, 0, &[], curdate).statement(),
    f("curtime", 0, 1, &[Int], curtime).statement(),
    f("current_time", 0, 1, &[Int], curtime).statement(),
    f("utc_time", 0, 1, &[Int], curtime).statement(),
    f("unix_timestamp", 0, 1, &[Time], unix_timestamp).statement(),
    f("from_unixtime", 1, 1, &[Int], |_, v| Ok(Value::DateTime(Timestamp::from_secs(int(&v[0]))))),
    // ----- dates and times -----
    f("date_add", 3, 3, &[Any, Any, Str], |_, v| dates::add_interval(&v[0], &v[1], &v[2], 1)),
    f("date_sub", 3, 3, &[Any, Any, Str], |_, v| dates::add_interval(&v[0], &v[1], &v[2], -1)),
    f("adddate", 2, 3, &[Any, Any, Str], |_, v| adddate(v, 1)),
    f("subdate", 2, 3, &[Any, Any, Str], |_, v| adddate(v, -1)),
    f("timestampadd", 3, 3, &[Str, Any, Any], |_, v| dates::add_interval(&v[2], &v[1], &v[0], 1)),
    f("timestampdiff", 3, 3, &[Str, Time], |_, v| dates::timestampdiff(&v[0], &v[1], &v[2])).int(),
    f("datediff", 2, 2, &[Time], |_, v| Ok(dates::datediff(&v[0], &v[1]))).int(),
    f("extract", 2, 2, &[Str, Any], |_, v| dates::extract(&v[0], &v[1])).int(),
    f("date", 1, 1, &[Time], |_, v| cast(&v[0], SqlType::Date, false)),
    f("time", 1, 1, &[Any], |_, v| Ok(dates::to_time(&v[0]).map_or(Value::Null, Value::Time))),
    f("year", 1, 1, &[Time], |_, v| Ok(on_date(&v[0], |c| Value::Int(c.y)))).int(),
    f("quarter", 1, 1, &[Time], |_, v| Ok(on_date(&v[0], |c| Value::Int((c.m as i64 + 2) / 3)))).int(),
    f("month", 1, 1, &[Time], |_, v| Ok(on_date(&v[0], |c| Value::Int(c.m as i64)))).int(),
    f("monthname", 1, 1, &[Time], |_, v| Ok(on_date(&v[0], |c| Value::Str(dates::month_name(c.m).into())))),
    f("day", 1, 1, &[Time], |_, v| Ok(on_date(&v[0], |c| Value::Int(c.d as i64)))).int(),
    f("dayofmonth", 1, 1, &[Time], |_, v| Ok(on_date(&v[0], |c| Value::Int(c.d as i64)))).int(),
    f("dayname", 1, 1, &[Time], |_, v| Ok(on_date(&v[0], |c| Value::Str(dates::day_name(c.days()).into())))),
    f("dayofweek", 1, 1, &[Time], |_, v| Ok(on_date(&v[0], |c| Value::Int((c.days() + 4).rem_euclid(7) + 1)))).int(),
    f("weekday", 1, 1, &[Time], |_, v| Ok(on_date(&v[0], |c| Value::Int(dates::weekday(c.days()))))).int(),
    f("dayofyear", 1, 1, &[Time], |_, v| Ok(on_date(&v[0], |c| Value::Int(c.days() - days_from_civil(c.y, 1, 1) + 1))))
        .int(),
    f("week", 1, 2, &[Time, Int], |_, v| {
        let mode = v.get(1).map(int).unwrap_or(0);
        Ok(on_date(&v[0], |c| Value::Int(dates::week(&c, mode).0)))
    })
    .int(),
    f("weekofyear", 1, 1, &[Time], |_, v| Ok(on_date(&v[0], |c| Value::Int(dates::week(&c, 3).0)))).int(),
    f("yearweek", 1, 2, &[Time, Int], |_, v| {
        // YEARWEEK counts weeks within their own year (the WEEK_YEAR bit)
        let mode = v.get(1).map(int).unwrap_or(0) | 2;
        Ok(on_date(&v[0], |c| {
            let (w, y) = dates::week(&c, mode);
            Value::Int(y * 100 + w)
        }))
    })
    .int(),
    f("last_day", 1, 1, &[Time], |_, v| {
        Ok(on_date(&v[0], |c| Value::Date(days_from_civil(c.y, c.m, days_in_month(c.y, c.m)))))
    }),
    f("makedate", 2, 2, &[Int], |_, v| Ok(dates::makedate(int(&v[0]), int(&v[1])))),
    f("to_days", 1, 1, &[Time], |_, v| Ok(on_date(&v[0], |c| Value::Int(c.days() + dates::DAY_ZERO)))).int(),
    f("from_days", 1, 1, &[Int], |_, v| Ok(dates::from_days(int(&v[0])))),
    f("period_add", 2, 2, &[Int], |_, v| Ok(dates::period_add(int(&v[0]), int(&v[1])))),
    f("period_diff", 2, 2, &[Int], |_, v| Ok(dates::period_diff(int(&v[0]), int(&v[1])))).int(),
    f("maketime", 3, 3, &[Int, Int, Num], |_, v| Ok(dates::maketime(int(&v[0]), int(&v[1]), fl(&v[2])))),
    f("timediff", 2, 2, &[Any], |_, v| Ok(dates::timediff(&v[0], &v[1]))),
    f("addtime", 2, 2, &[Any], |_, v| Ok(dates::addtime(&v[0], &v[1], 1))),
    f("subtime", 2, 2, &[Any], |_, v| Ok(dates::addtime(&v[0], &v[1], -1))),
    // TIMESTAMP(t): t as a DATETIME; TIMESTAMP(d, t): the date-time d moved by the TIME t
    f("timestamp", 1, 2, &[Any], |_, v| {
        let at = cast(&value::temporal(&v[0]), SqlType::DateTime, false)?;
        Ok(match v.get(1) {
            Some(t) => dates::addtime(&at, t, 1),
            None => at,
        })
    }),
    f("time_format", 2, 2, &[Any, Str], |_, v| Ok(dates::time_format(&v[0], s(&v[1])))),
    f("hour", 1, 1, &[Any], |_, v| Ok(on_time(&v[0], |t| (t / 3_600_000_000).abs()))).int(),
    f("minute", 1, 1, &[Any], |_, v| Ok(on_time(&v[0], |t| (t / 60_000_000 % 60).abs()))).int(),
    f("second", 1, 1, &[Any], |_, v| Ok(on_time(&v[0], |t| (t / 1_000_000 % 60).abs()))).int(),
    f("microsecond", 1, 1, &[Any], |_, v| Ok(on_time(&v[0], |t| (t % 1_000_000).abs()))).int(),
    f("time_to_sec", 1, 1, &[Any], |_, v| Ok(on_time(&v[0], |t| t.div_euclid(1_000_000)))).int(),
    f("sec_to_time", 1, 1, &[Int], |_, v| {
        let secs = int(&v[0]).clamp(-3_020_399, 3_020_399);
        Ok(Value::Time(secs * 1_000_000))
    }),
    f("date_format", 2, 2, &[Time, Str], |_, v| {
        // a specifier of 2 bytes gives at most 9: bound the output first
        let fmt = s(&v[1]);
        if fmt.len() > MAX_STRING / 5 {
            return Ok(Value::Null);
        }
        Ok(on_date(&v[0], |c| bounded(dates::date_format(&c, fmt))))
    }),
    f("str_to_date", 2, 2, &[Str], |_, v| Ok(dates::str_to_date(s(&v[0]), s(&v[1])))),
];

fn s(v: &Value) -> &str {
    match v {
        Value::Str(x) => x,
        _ => "",
    }
}

fn int(v: &Value) -> i64 {
    v.to_i64().unwrap_or(0)
}

fn fl(v: &Value) -> f64 {
    v.to_f64().unwrap_or(0.0)
}

fn ord_int(o: Ordering) -> i64 {
    match o {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    }
}

/// A string result, or NULL when longer than [`MAX_STRING`].
fn bounded(x: String) -> Value {
    if x.len() > MAX_STRING {
        Value::Null
    } else {
        Value::Str(x)
    }
}

/// A function handle: an index into [`FUNCS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Func(u16);

impl Func {
    /// The function called `name` taking `n` arguments:
    /// `ER_SP_DOES_NOT_EXIST` for an unknown name,
    /// `ER_WRONG_PARAMCOUNT_TO_NATIVE_FCT` for a wrong count.
    pub fn resolve(name: &str, n: usize) -> SqlResult<Func> {
        let Some(i) = FUNCS.iter().position(|d| d.name == name) else {
            return Err(SqlError::new(Code::SpDoesNotExist, format!("FUNCTION {name} does not exist")));
        };
        let d = &FUNCS[i];
        if n < d.min || n > d.max {
            return Err(SqlError::new(
                Code::WrongParamcount,
                format!("Incorrect parameter count in the call to native function '{name}'"),
            ));
        }
        Ok(Func(i as u16))
    }

    /// The catalogue entry.
    pub fn def(self) -> &'static Def {
        &FUNCS[self.0 as usize]
    }

    /// Whether a call keeps state across its calls in an execution slot.
    pub fn keeps_state(self) -> bool {
        matches!(self.def().imp, Imp::Stateful(_))
    }

    /// Calls the function on evaluated arguments (not for lazy functions,
    /// which see their argument expressions: those return an error).
    pub fn call(self, ctx: &Ctx, mut args: Vec<Value>) -> SqlResult<Value> {
        let d = self.def();
        let Imp::Eager(imp) = d.imp else {
            return Err(SqlError::new(Code::Storage, format!("{} evaluates its own arguments", d.name)));
        };
        if d.nulls == Nulls::Propagate && args.iter().any(Value::is_null) {
            return Ok(Value::Null);
        }
        for (i, a) in args.iter_mut().enumerate() {
            let c = d.coercion(i);
            if c != Any && !a.is_null() {
                *a = coerce(c, std::mem::replace(a, Value::Null));
            }
        }
        if d.nulls == Nulls::Propagate && args.iter().any(Value::is_null) {
            return Ok(Value::Null);
        }
        imp(ctx, &args)
    }

    /// Evaluates a call in the executor (`slot`: the call's execution slot,
    /// for a function that keeps state).
    pub fn eval(self, ex: &Exec, args: &[BExpr], env: &Env, slot: Option<usize>) -> SqlResult<Value> {
        match (self.def().imp, slot) {
            (Imp::Lazy(imp), _) => return imp(ex, args, env),
            (Imp::Stateful(imp), Some(slot)) => return imp(ex, args, env, slot),
            (Imp::Stateful(_), None) => {
                return Err(SqlError::new(Code::Storage, format!("{} was bound without a slot", self.def().name)))
            }
            (Imp::Eager(_), _) => {}
        }
        let v = args.iter().map(|a| ex.eval(a, env)).collect::<SqlResult<Vec<_>>>()?;
        let collation = args.first().map_or(Collation::Default, BExpr::key_collation);
        self.call(&Ctx { now: ex.now, database: None, info: ex.info, diag: ex.diag, collation }, v)
    }
}

fn coerce(c: Arg, v: Value) -> Value {
    match c {
        Any => v,
        Str => match v {
            Value::Str(_) => v,
            o => Value::Str(o.to_string()),
        },
        Int => match v.to_i64() {
            Some(i) => Value::Int(i),
            None => Value::Null,
        },
        Num => v.numeric(),
        Time => value::temporal(&v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every function in the catalogue is called in
    /// `tests/slt/functions.test` (by name, or as the syntax it is spelled
    /// with), and every name is unique.
    #[test]
    fn every_function_has_a_test() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/slt/functions.test");
        let text = std::fs::read_to_string(path).expect("tests/slt/functions.test").to_ascii_lowercase();
        let mut missing = Vec::new();
        for d in FUNCS {
            let needle = match d.spelled {
                Some(sp) => sp.to_ascii_lowercase(),
                None => format!("{}(", d.name),
            };
            let called = text.match_indices(&needle).any(|(i, _)| {
                // not the tail of a longer name (`ltrim(` inside `rtrim(`)
                i == 0 || !text.as_bytes()[i - 1].is_ascii_alphanumeric() && text.as_bytes()[i - 1] != b'_'
            });
            if !called {
                missing.push(d.name);
            }
        }
        assert!(missing.is_empty(), "functions without a test in tests/slt/functions.test: {missing:?}");
        let mut names: Vec<&str> = FUNCS.iter().map(|d| d.name).collect();
        names.sort_unstable();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n, "a function name appears twice in FUNCS");
    }

    #[test]
    fn resolves_names_and_counts() {
        assert_eq!(Func::resolve("nosuch", 0).unwrap_err().code, Code::SpDoesNotExist);
        assert_eq!(Func::resolve("abs", 2).unwrap_err().code, Code::WrongParamcount);
        assert_eq!(Func::resolve("concat", 7).unwrap().def().name, "concat");
    }
}
