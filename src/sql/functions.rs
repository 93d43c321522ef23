//! The scalar-function catalogue: one [`Def`] per SQL function name, with
//! its arity, volatility, NULL handling, argument coercion and
//! implementation. The binder checks names and argument counts against it
//! ([`Func::resolve`]) and folds statement-constant functions (`NOW()`);
//! the executor calls [`Func::eval`]. Adding a function is one entry in
//! [`FUNCS`] (plus its test in `tests/slt/functions.test`).

use std::cmp::Ordering;

use crate::db::Database;
use crate::time::{days_from_civil, days_in_month, Timestamp};

use super::dates;
use super::error::{Code, SqlError, SqlResult};
use super::exec::{Env, Exec};
use super::plan::BExpr;
use super::value::{self, arith, cast, sql_cmp, ArithOp, Decimal, SqlType, Value};

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
    pub last_insert_id: Option<&'a std::cell::Cell<i64>>,
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
    /// is theirs, aggregated.
    const fn valued_by(self, from: usize, to: usize) -> Def {
        Def { result: Res::Args(from, to), ..self }
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
    f("greatest", 2, MANY, &[Any], greatest).valued_by(0, MANY),
    // a column's value in a grouped query, exempt from ONLY_FULL_GROUP_BY
    f("any_value", 1, 1, &[Any], |_, v| Ok(v[0].clone())).nulls_ok().valued_by(0, 1),
    f("least", 2, MANY, &[Any], least).valued_by(0, MANY),
    // ----- strings -----
    f("concat", 1, MANY, &[Str], concat),
    f("concat_ws", 2, MANY, &[Str], concat_ws).nulls_ok(),
    f("length", 1, 1, &[Str], length).int(),
    f("octet_length", 1, 1, &[Str], length).int(),
    f("char_length", 1, 1, &[Str], char_length).int(),
    f("character_length", 1, 1, &[Str], char_length).int(),
    f("upper", 1, 1, &[Str], |_, v| Ok(Value::Str(s(&v[0]).to_uppercase()))),
    f("ucase", 1, 1, &[Str], |_, v| Ok(Value::Str(s(&v[0]).to_uppercase()))),
    f("lower", 1, 1, &[Str], |_, v| Ok(Value::Str(s(&v[0]).to_lowercase()))),
    f("lcase", 1, 1, &[Str], |_, v| Ok(Value::Str(s(&v[0]).to_lowercase()))),
    f("substring", 2, 3, &[Str, Int], substring),
    f("substr", 2, 3, &[Str, Int], substring),
    f("mid", 3, 3, &[Str, Int], substring),
    f("substring_index", 3, 3, &[Str, Str, Int], substring_index),
    f("left", 2, 2, &[Str, Int], left),
    f("right", 2, 2, &[Str, Int], right),
    f("trim", 1, 1, &[Str], |_, v| Ok(Value::Str(s(&v[0]).trim_matches(' ').to_string()))),
    f("ltrim", 1, 1, &[Str], |_, v| Ok(Value::Str(s(&v[0]).trim_start_matches(' ').to_string()))),
    f("rtrim", 1, 1, &[Str], |_, v| Ok(Value::Str(s(&v[0]).trim_end_matches(' ').to_string()))),
    f("trim_chars", 2, 2, &[Str], |_, v| Ok(trim_chars(&v[0], &v[1], true, true))).spelled("TRIM(BOTH "),
    f("ltrim_chars", 2, 2, &[Str], |_, v| Ok(trim_chars(&v[0], &v[1], true, false))).spelled("TRIM(LEADING "),
    f("rtrim_chars", 2, 2, &[Str], |_, v| Ok(trim_chars(&v[0], &v[1], false, true))).spelled("TRIM(TRAILING "),
    f("replace", 3, 3, &[Str], replace),
    f("reverse", 1, 1, &[Str], |_, v| Ok(Value::Str(s(&v[0]).chars().rev().collect()))),
    f("repeat", 2, 2, &[Str, Int], repeat),
    f("space", 1, 1, &[Int], |_, v| Ok(Value::Str(" ".repeat(int(&v[0]).clamp(0, 1 << 20) as usize)))),
    f("locate", 2, 3, &[Str, Str, Int], |_, v| Ok(locate(&v[0], &v[1], v.get(2)))).int(),
    f("position", 2, 2, &[Str], |_, v| Ok(locate(&v[0], &v[1], None))).int(),
    f("instr", 2, 2, &[Str], |_, v| Ok(locate(&v[1], &v[0], None))).int(),
    f("lpad", 3, 3, &[Str, Int, Str], |_, v| Ok(pad(v, true))),
    f("rpad", 3, 3, &[Str, Int, Str], |_, v| Ok(pad(v, false))),
    f("ascii", 1, 1, &[Str], |_, v| Ok(Value::Int(s(&v[0]).bytes().next().map(|b| b as i64).unwrap_or(0)))).int(),
    f("ord", 1, 1, &[Str], ord).int(),
    f("char", 1, MANY, &[Int], char_).nulls_ok(),
    f("md5", 1, 1, &[Str], |_, v| Ok(Value::Str(super::md5::hex(s(&v[0]).as_bytes())))),
    f("strcmp", 2, 2, &[Str], |_, v| Ok(Value::Int(ord_int(value::collate_cmp(s(&v[0]), s(&v[1])))))).int(),
    f("field", 1, MANY, &[Any], field).nulls_ok().int(),
    f("elt", 1, MANY, &[Int, Str], elt).nulls_ok(),
    f("format", 2, 2, &[Num, Int], format),
    f("regexp_like", 2, 3, &[Str], regexp_like),
    f("regexp_replace", 3, 6, &[Str, Str, Str, Int, Int, Str], regexp_replace),
    f("regexp_substr", 2, 5, &[Str, Str, Int, Int, Str], regexp_substr),
    f("regexp_instr", 2, 6, &[Str, Str, Int, Int, Int, Str], regexp_instr),
    f("insert", 4, 4, &[Str, Int, Int, Str], insert),
    f("find_in_set", 2, 2, &[Str], find_in_set).int(),
    f("make_set", 2, MANY, &[Int, Str], make_set).nulls_ok(),
    f("export_set", 3, 5, &[Int, Str, Str, Str, Int], export_set),
    f("bit_length", 1, 1, &[Str], |_, v| Ok(Value::Int(8 * s(&v[0]).len() as i64))).int(),
    f("hex", 1, 1, &[Any], hex),
    f("bin", 1, 1, &[Str], |_, v| Ok(conv_text(s(&v[0]), 10, 2))),
    f("oct", 1, 1, &[Str], |_, v| Ok(conv_text(s(&v[0]), 10, 8))),
    f("conv", 3, 3, &[Str, Int, Int], |_, v| Ok(conv_text(s(&v[0]), int(&v[1]), int(&v[2])))),
    f("crc32", 1, 1, &[Str], |_, v| Ok(Value::Int(crc32fast::hash(s(&v[0]).as_bytes()) as i64))).int(),
    f("quote", 1, 1, &[Str], |_, v| Ok(quote(&v[0]))).nulls_ok(),
    f("soundex", 1, 1, &[Str], |_, v| Ok(Value::Str(soundex(s(&v[0]))))),
    // ----- numbers -----
    f("abs", 1, 1, &[Num], abs).valued_by(0, 1),
    f("round", 1, 2, &[Num, Int], |_, v| Ok(round(v, false))).exact().scaled(),
    f("truncate", 2, 2, &[Num, Int], |_, v| Ok(round(v, true))).exact().scaled(),
    f("floor", 1, 1, &[Num], |_, v| Ok(floor_ceil(&v[0], true))).exact(),
    f("ceil", 1, 1, &[Num], |_, v| Ok(floor_ceil(&v[0], false))).exact(),
    f("ceiling", 1, 1, &[Num], |_, v| Ok(floor_ceil(&v[0], false))).exact(),
    f("mod", 2, 2, &[Num], |_, v| arith(ArithOp::Mod, &v[0], &v[1])),
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
    f("last_insert_id", 0, 1, &[Int], last_insert_id).statement(),
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
    f("extract", 2, 2, &[Str, Any], |_, v| dates::extract(&v[0], &v[1])),
    f("date", 1, 1, &[Time], |_, v| cast(&v[0], SqlType::Date, false)),
    f("time", 1, 1, &[Any], |_, v| Ok(on_time(&v[0], dates::time_text))),
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
    f("time_format", 2, 2, &[Any, Str], |_, v| Ok(dates::time_format(&v[0], s(&v[1])))),
    f("hour", 1, 1, &[Any], |_, v| Ok(on_time(&v[0], |t| (t / 3_600_000_000).abs()))).int(),
    f("minute", 1, 1, &[Any], |_, v| Ok(on_time(&v[0], |t| (t / 60_000_000 % 60).abs()))).int(),
    f("second", 1, 1, &[Any], |_, v| Ok(on_time(&v[0], |t| (t / 1_000_000 % 60).abs()))).int(),
    f("microsecond", 1, 1, &[Any], |_, v| Ok(on_time(&v[0], |t| (t % 1_000_000).abs()))).int(),
    f("time_to_sec", 1, 1, &[Any], |_, v| Ok(on_time(&v[0], |t| t.div_euclid(1_000_000)))).int(),
    f("sec_to_time", 1, 1, &[Int], |_, v| {
        let secs = int(&v[0]).clamp(-3_020_399, 3_020_399);
        Ok(Value::Str(dates::time_text(secs * 1_000_000)))
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

/// `f` of the civil parts of a date value (NULL when it is not one).
fn on_date(v: &Value, f: impl FnOnce(dates::Civil) -> Value) -> Value {
    dates::Civil::of(v).map(f).unwrap_or(Value::Null)
}

/// `f` of the time of day (or TIME string) of a value, NULL when it has
/// none.
fn on_time<T: Into<TimeResult>>(v: &Value, f: impl FnOnce(i64) -> T) -> Value {
    match dates::time_of_day(v) {
        Some(t) => f(t).into().0,
        None => Value::Null,
    }
}

/// A function result computed from a time of day.
struct TimeResult(Value);

impl From<i64> for TimeResult {
    fn from(i: i64) -> TimeResult {
        TimeResult(Value::Int(i))
    }
}

impl From<String> for TimeResult {
    fn from(s: String) -> TimeResult {
        TimeResult(Value::Str(s))
    }
}

/// `ADDDATE(t, days)` / `ADDDATE(t, INTERVAL n unit)`.
fn adddate(v: &[Value], sign: i64) -> SqlResult<Value> {
    let unit = v.get(2).cloned().unwrap_or(Value::Str("DAY".into()));
    dates::add_interval(&v[0], &v[1], &unit, sign)
}

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

/// The characters of `v` case-folded (one character each), as `LOCATE`
/// compares them: case-insensitive but accent-sensitive, as in MariaDB.
fn folded(v: &str) -> Vec<char> {
    v.chars().map(|c| c.to_lowercase().next().unwrap_or(c)).collect()
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
        self.call(&Ctx { now: ex.now, database: None, last_insert_id: ex.last_insert_id }, v)
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

// ----- control flow -----

fn coalesce(ex: &Exec, args: &[BExpr], env: &Env) -> SqlResult<Value> {
    for a in args {
        let v = ex.eval(a, env)?;
        if !v.is_null() {
            return Ok(v);
        }
    }
    Ok(Value::Null)
}

fn ifnull(ex: &Exec, args: &[BExpr], env: &Env) -> SqlResult<Value> {
    let v = ex.eval(&args[0], env)?;
    if v.is_null() {
        ex.eval(&args[1], env)
    } else {
        Ok(v)
    }
}

fn if_(ex: &Exec, args: &[BExpr], env: &Env) -> SqlResult<Value> {
    let c = ex.eval(&args[0], env)?.truth();
    ex.eval(&args[if c == Some(true) { 1 } else { 2 }], env)
}

fn nullif(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    Ok(if sql_cmp(&v[0], &v[1]) == Some(Ordering::Equal) { Value::Null } else { v[0].clone() })
}

fn extreme(v: &[Value], want: Ordering) -> Value {
    let mut best = &v[0];
    for x in &v[1..] {
        if sql_cmp(x, best) == Some(want) {
            best = x;
        }
    }
    best.clone()
}

fn greatest(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    Ok(extreme(v, Ordering::Greater))
}

fn least(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    Ok(extreme(v, Ordering::Less))
}

// ----- strings -----

fn concat(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let total: usize = v.iter().map(|x| s(x).len()).sum();
    if total > MAX_STRING {
        return Ok(Value::Null);
    }
    Ok(Value::Str(v.iter().map(s).collect()))
}

fn concat_ws(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    if v[0].is_null() {
        return Ok(Value::Null);
    }
    let parts: Vec<&str> = v[1..].iter().filter(|x| !x.is_null()).map(s).collect();
    let total = parts.iter().map(|p| p.len()).sum::<usize>() + s(&v[0]).len() * parts.len();
    if total > MAX_STRING {
        return Ok(Value::Null);
    }
    Ok(Value::Str(parts.join(s(&v[0]))))
}

fn length(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    Ok(Value::Int(s(&v[0]).len() as i64))
}

fn char_length(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    Ok(Value::Int(s(&v[0]).chars().count() as i64))
}

fn substring(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let chars: Vec<char> = s(&v[0]).chars().collect();
    let n = chars.len() as i64;
    let pos = int(&v[1]);
    let start = match pos.cmp(&0) {
        Ordering::Greater => pos - 1,
        Ordering::Less => n + pos,
        Ordering::Equal => return Ok(Value::Str(String::new())),
    };
    if start < 0 || start >= n {
        return Ok(Value::Str(String::new()));
    }
    let len = if v.len() > 2 { int(&v[2]).max(0) } else { n };
    let end = start.saturating_add(len).min(n);
    Ok(Value::Str(chars[start as usize..end as usize].iter().collect()))
}

/// `SUBSTRING_INDEX(s, delim, n)`: the part of `s` before the `n`th
/// occurrence of `delim` (from the right when `n` is negative; the match
/// is case-sensitive, as in MySQL).
fn substring_index(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let (x, delim, n) = (s(&v[0]), s(&v[1]), int(&v[2]));
    if delim.is_empty() || n == 0 {
        return Ok(Value::Str(String::new()));
    }
    let hits: Vec<usize> = x.match_indices(delim).map(|(i, _)| i).collect();
    let k = n.unsigned_abs() as usize;
    if k > hits.len() {
        return Ok(Value::Str(x.to_string()));
    }
    Ok(Value::Str(if n > 0 {
        x[..hits[k - 1]].to_string()
    } else {
        x[hits[hits.len() - k] + delim.len()..].to_string()
    }))
}

fn left(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    Ok(Value::Str(s(&v[0]).chars().take(int(&v[1]).max(0) as usize).collect()))
}

fn right(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let c: Vec<char> = s(&v[0]).chars().collect();
    let k = (int(&v[1]).max(0) as usize).min(c.len());
    Ok(Value::Str(c[c.len() - k..].iter().collect()))
}

fn trim_chars(x: &Value, pat: &Value, leading: bool, trailing: bool) -> Value {
    let (mut x, pat) = (s(x), s(pat));
    if !pat.is_empty() {
        if leading {
            while let Some(r) = x.strip_prefix(pat) {
                x = r;
            }
        }
        if trailing {
            while let Some(r) = x.strip_suffix(pat) {
                x = r;
            }
        }
    }
    Value::Str(x.to_string())
}

fn replace(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let (x, from, to) = (s(&v[0]), s(&v[1]), s(&v[2]));
    if from.is_empty() {
        return Ok(Value::Str(x.to_string()));
    }
    let hits = x.matches(from).count();
    if (x.len() - hits * from.len()).saturating_add(hits.saturating_mul(to.len())) > MAX_STRING {
        return Ok(Value::Null);
    }
    Ok(Value::Str(x.replace(from, to)))
}

fn repeat(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let (x, n) = (s(&v[0]), int(&v[1]).max(0) as u64);
    if (x.len() as u64).saturating_mul(n) > MAX_STRING as u64 {
        return Ok(Value::Null);
    }
    Ok(Value::Str(x.repeat(n as usize)))
}

/// The 1-based position of `needle` in `hay` at or after `from` (0 when
/// absent), compared as [`folded`].
fn locate(needle: &Value, hay: &Value, from: Option<&Value>) -> Value {
    let start = match from {
        Some(f) => match int(f) {
            i if i < 1 => return Value::Int(0),
            i => i as usize - 1,
        },
        None => 0,
    };
    let (hc, nc) = (folded(s(hay)), folded(s(needle)));
    if start > hc.len() || nc.len() > hc.len() {
        return Value::Int(0);
    }
    let pos = (start..=hc.len() - nc.len()).find(|&i| hc[i..i + nc.len()] == nc[..]);
    Value::Int(pos.map(|p| p as i64 + 1).unwrap_or(0))
}

fn pad(v: &[Value], left: bool) -> Value {
    let x: Vec<char> = s(&v[0]).chars().collect();
    let n = int(&v[1]);
    if n < 0 {
        return Value::Null;
    }
    let n = n.min(1 << 24) as usize;
    if x.len() >= n {
        return Value::Str(x[..n].iter().collect());
    }
    let fill: Vec<char> = s(&v[2]).chars().collect();
    if fill.is_empty() {
        return Value::Null;
    }
    let fill: String = fill.iter().cycle().take(n - x.len()).collect();
    let xs: String = x.iter().collect();
    bounded(if left { fill + &xs } else { xs + &fill })
}

/// `ORD(s)`: the code of the first character's UTF-8 bytes read as a
/// big-endian number (as MySQL does for a multibyte character).
fn ord(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let Some(c) = s(&v[0]).chars().next() else {
        return Ok(Value::Int(0));
    };
    let mut buf = [0u8; 4];
    Ok(Value::Int(c.encode_utf8(&mut buf).bytes().fold(0i64, |acc, b| acc * 256 + b as i64)))
}

/// `CHAR(n, ...)`: the characters of the codes (NULLs skipped).
fn char_(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    Ok(Value::Str(v.iter().filter_map(Value::to_i64).filter_map(|i| char::from_u32(i as u32)).collect()))
}

/// `FIELD(x, a, b, ...)`: the 1-based index of the first argument equal to
/// `x`, 0 when none is (or `x` is NULL).
fn field(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    if v[0].is_null() {
        return Ok(Value::Int(0));
    }
    let all_str = v.iter().all(|x| matches!(x, Value::Str(_) | Value::Null));
    let found = v[1..].iter().position(|x| {
        if x.is_null() {
            return false;
        }
        if all_str {
            sql_cmp(&v[0], x) == Some(Ordering::Equal)
        } else {
            value::cmp_numeric(&v[0].numeric(), &x.numeric()) == Ordering::Equal
        }
    });
    Ok(Value::Int(found.map(|p| p as i64 + 1).unwrap_or(0)))
}

/// `ELT(n, a, b, ...)`: the `n`th string, NULL when there is none.
fn elt(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let n = match &v[0] {
        Value::Int(n) => *n,
        _ => return Ok(Value::Null),
    };
    if n < 1 || n as usize >= v.len() {
        return Ok(Value::Null);
    }
    Ok(v[n as usize].clone())
}

/// `FORMAT(x, d)`: `x` rounded to `d` decimals with `,` between thousands.
fn format(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let d = int(&v[1]).clamp(0, 30) as u32;
    let dec = match &v[0] {
        Value::Int(i) => Decimal::from_i64(*i),
        Value::Decimal(x) => *x,
        other => match Decimal::from_f64(round_double(fl(other), d as i64, false), d) {
            Some(x) => x,
            None => return Ok(Value::Str(value::format_double(fl(other)))),
        },
    };
    let text = dec.rescale(d).to_string();
    let (sign, body) = match text.strip_prefix('-') {
        Some(b) => ("-", b),
        None => ("", text.as_str()),
    };
    let (ip, fp) = match body.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (body, None),
    };
    let mut grouped = String::new();
    for (i, c) in ip.chars().enumerate() {
        if i > 0 && (ip.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    Ok(Value::Str(match fp {
        Some(fp) => format!("{sign}{grouped}.{fp}"),
        None => format!("{sign}{grouped}"),
    }))
}

// ----- regular expressions -----

/// The longest compiled program a pattern may have (bytes): a bound on
/// memory for patterns from user input.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

thread_local! {
    /// The last pattern compiled (a query applies one pattern to many rows).
    static LAST_REGEX: std::cell::RefCell<Option<(String, String, regex::Regex)>> =
        const { std::cell::RefCell::new(None) };
}

/// Compiles `pat` with MySQL's match-type flags (`c` case-sensitive, `i`
/// case-insensitive, the default under the collation; `m` multi-line; `n`
/// `.` matches newlines; `u` accepted).
fn regex_of(pat: &str, flags: &str) -> SqlResult<regex::Regex> {
    if let Some(r) =
        LAST_REGEX.with(|c| c.borrow().as_ref().filter(|(p, f, _)| p == pat && f == flags).map(|(_, _, r)| r.clone()))
    {
        return Ok(r);
    }
    let mut b = regex::RegexBuilder::new(pat);
    b.case_insensitive(true).size_limit(REGEX_SIZE_LIMIT).dfa_size_limit(REGEX_SIZE_LIMIT);
    for c in flags.chars() {
        match c {
            'c' => b.case_insensitive(false),
            'i' => b.case_insensitive(true),
            'm' => b.multi_line(true),
            'n' => b.dot_matches_new_line(true),
            'u' => &mut b,
            _ => return Err(SqlError::new(Code::WrongArguments, "Incorrect arguments to regular expression")),
        };
    }
    let r = b.build().map_err(|e| {
        let msg = e.to_string();
        let first = msg.lines().last().unwrap_or("invalid pattern").trim().to_string();
        SqlError::new(Code::RegexpError, format!("Got error '{first}' from regexp"))
    })?;
    LAST_REGEX.with(|c| *c.borrow_mut() = Some((pat.to_string(), flags.to_string(), r.clone())));
    Ok(r)
}

/// The byte offset of the 1-based character position `pos` in `s` (None
/// past the end, as MySQL's "Index out of bounds").
fn char_offset(s: &str, pos: i64) -> SqlResult<usize> {
    if pos < 1 {
        return Err(SqlError::new(Code::WrongArguments, "Index out of bounds in regular expression search"));
    }
    let n = pos as usize - 1;
    match s.char_indices().nth(n) {
        Some((i, _)) => Ok(i),
        None if n == s.chars().count() => Ok(s.len()),
        None => Err(SqlError::new(Code::WrongArguments, "Index out of bounds in regular expression search")),
    }
}

/// The byte range of the `occurrence`th match (1-based) of `pat` in `s`
/// at or after character `pos`.
fn nth_match(s: &str, pat: &str, pos: i64, occurrence: i64, flags: &str) -> SqlResult<Option<(usize, usize)>> {
    let re = regex_of(pat, flags)?;
    let from = char_offset(s, pos)?;
    let k = occurrence.max(1) as usize;
    let m = re.find_iter(&s[from..]).nth(k - 1).map(|m| (from + m.start(), from + m.end()));
    Ok(m)
}

fn regexp_like(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let re = regex_of(s(&v[1]), v.get(2).map(s).unwrap_or(""))?;
    Ok(Value::bool(re.is_match(s(&v[0]))))
}

/// `REGEXP_REPLACE(s, pat, repl[, pos[, occurrence[, flags]]])`: `$1`
/// refers to a group, as in MySQL 8; occurrence 0 replaces every match.
fn regexp_replace(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let (x, repl) = (s(&v[0]), s(&v[2]));
    let re = regex_of(s(&v[1]), v.get(5).map(s).unwrap_or(""))?;
    let from = char_offset(x, v.get(3).map(int).unwrap_or(1))?;
    let occurrence = v.get(4).map(int).unwrap_or(0).max(0) as usize;
    // `$n` expands to part of a match: at most the match's length each
    let dollars = repl.bytes().filter(|&b| b == b'$').count();
    let mut out = String::with_capacity(x.len());
    out.push_str(&x[..from]);
    let mut last = from;
    for (n, caps) in re.captures_iter(&x[from..]).enumerate() {
        let Some(m) = caps.get(0) else {
            continue;
        };
        let (start, end) = (from + m.start(), from + m.end());
        out.push_str(&x[last..start]);
        if occurrence == 0 || n + 1 == occurrence {
            let most = repl.len().saturating_add(dollars.saturating_mul(m.len()));
            if out.len().saturating_add(most) > MAX_STRING {
                return Ok(Value::Null);
            }
            caps.expand(repl, &mut out);
        } else {
            out.push_str(m.as_str());
        }
        last = end;
        if occurrence != 0 && n + 1 >= occurrence {
            break;
        }
    }
    out.push_str(&x[last..]);
    Ok(bounded(out))
}

fn regexp_substr(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let x = s(&v[0]);
    let m = nth_match(
        x,
        s(&v[1]),
        v.get(2).map(int).unwrap_or(1),
        v.get(3).map(int).unwrap_or(1),
        v.get(4).map(s).unwrap_or(""),
    )?;
    Ok(m.map(|(a, b)| Value::Str(x[a..b].to_string())).unwrap_or(Value::Null))
}

fn regexp_instr(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let x = s(&v[0]);
    let m = nth_match(
        x,
        s(&v[1]),
        v.get(2).map(int).unwrap_or(1),
        v.get(3).map(int).unwrap_or(1),
        v.get(5).map(s).unwrap_or(""),
    )?;
    let after = v.get(4).map(int).unwrap_or(0) == 1;
    Ok(Value::Int(match m {
        None => 0,
        Some((a, b)) => x[..if after { b } else { a }].chars().count() as i64 + 1,
    }))
}

// ----- numbers -----

fn abs(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    Ok(match &v[0] {
        Value::Int(i) => match i.checked_abs() {
            Some(a) => Value::Int(a),
            None => Value::Decimal(Decimal { m: (*i as i128).abs(), s: 0 }),
        },
        Value::Decimal(d) => Value::Decimal(Decimal { m: d.m.abs(), s: d.s }),
        Value::Double(x) => Value::Double(x.abs()),
        o => o.clone(),
    })
}

/// `ROUND(x, d)` / `TRUNCATE(x, d)`: `d` may be negative (`ROUND(1250, -2)`
/// is 1300); exact values round half away from zero.
fn round(v: &[Value], trunc: bool) -> Value {
    let digits = v.get(1).map(int).unwrap_or(0);
    let exact = match &v[0] {
        Value::Int(i) => Some(Decimal::from_i64(*i)),
        Value::Decimal(d) => Some(*d),
        _ => None,
    };
    if let Some(d) = exact {
        if digits >= d.s as i64 {
            // a decimal shows the digits asked for (ROUND(1.5, 3) is 1.500)
            return match v[0] {
                Value::Decimal(_) => Value::Decimal(d.rescale(digits.min(30) as u32)),
                _ => v[0].clone(),
            };
        }
        // Drop `drop` digits: to scale `digits` (negative: tens, hundreds...).
        let drop = (d.s as i64).saturating_sub(digits).min(40) as u32;
        let Some(p) = 10i128.checked_pow(drop) else {
            return if matches!(v[0], Value::Int(_)) { Value::Int(0) } else { Value::Decimal(Decimal { m: 0, s: 0 }) };
        };
        let (q, r) = (d.m / p, d.m % p);
        let q = if !trunc && r.abs() * 2 >= p { q + d.m.signum() } else { q };
        let scale = digits.max(0) as u32;
        let m = if digits < 0 { q.checked_mul(10i128.pow(digits.saturating_neg().min(38) as u32)) } else { Some(q) };
        return match (m, &v[0]) {
            (Some(m), Value::Int(_)) => i64::try_from(m).map(Value::Int).unwrap_or(Value::Decimal(Decimal { m, s: 0 })),
            (Some(m), _) => Value::Decimal(Decimal { m, s: scale }),
            (None, _) => Value::Null,
        };
    }
    Value::Double(round_double(fl(&v[0]), digits, trunc))
}

/// A double rounded (half to even, as MySQL's `rint`) or truncated to
/// `digits` decimals.
fn round_double(x: f64, digits: i64, trunc: bool) -> f64 {
    let p = 10f64.powi(digits.clamp(-300, 300) as i32);
    let r = if trunc { (x * p).trunc() / p } else { (x * p).round_ties_even() / p };
    if r.is_finite() {
        r
    } else {
        x
    }
}

fn floor_ceil(v: &Value, floor: bool) -> Value {
    match v {
        Value::Decimal(d) => {
            let t = d.trunc_i128();
            let frac = d.m != t * 10i128.pow(d.s);
            let r = match (floor, frac) {
                (true, true) if d.m < 0 => t - 1,
                (false, true) if d.m > 0 => t + 1,
                _ => t,
            };
            i64::try_from(r).map(Value::Int).unwrap_or(Value::Decimal(Decimal { m: r, s: 0 }))
        }
        Value::Double(x) => Value::Double(if floor { x.floor() } else { x.ceil() }),
        o => o.clone(),
    }
}

fn double_or_null(x: f64) -> Value {
    if x.is_finite() {
        Value::Double(x)
    } else {
        Value::Null
    }
}

fn out_of_range_check(what: &str, x: f64) -> SqlResult<Value> {
    if x.is_finite() {
        Ok(Value::Double(x))
    } else {
        Err(SqlError::new(Code::DataOutOfRange, format!("DOUBLE value is out of range in '{what}'")))
    }
}

fn pow(v: &[Value]) -> SqlResult<Value> {
    out_of_range_check("pow", fl(&v[0]).powf(fl(&v[1])))
}

fn log_of(x: f64, f: fn(f64) -> f64) -> Value {
    if x <= 0.0 {
        Value::Null
    } else {
        double_or_null(f(x))
    }
}

fn log(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    if v.len() == 1 {
        return Ok(log_of(fl(&v[0]), f64::ln));
    }
    let (b, x) = (fl(&v[0]), fl(&v[1]));
    if b <= 0.0 || b == 1.0 || x <= 0.0 {
        return Ok(Value::Null);
    }
    Ok(double_or_null(x.ln() / b.ln()))
}

// ----- information -----

fn database(c: &Ctx, _: &[Value]) -> SqlResult<Value> {
    Ok(c.database.map(|d| Value::Str(d.to_string())).unwrap_or(Value::Null))
}

/// `LAST_INSERT_ID()`, and `LAST_INSERT_ID(n)`, which sets it to `n`
/// (`insert_id.rs`).
fn last_insert_id(c: &Ctx, v: &[Value]) -> SqlResult<Value> {
    match (v.first(), c.last_insert_id) {
        (Some(n), Some(cell)) => {
            cell.set(int(n));
            Ok(Value::Int(int(n)))
        }
        (Some(n), None) => Ok(Value::Int(int(n))),
        (None, cell) => Ok(Value::Int(cell.map(|c| c.get()).unwrap_or(0))),
    }
}

// ----- the clock -----

/// The statement time truncated to `fsp` fractional digits (0-6).
fn now_at(c: &Ctx, v: &[Value]) -> SqlResult<Timestamp> {
    let fsp = v.first().map(int).unwrap_or(0);
    if !(0..=6).contains(&fsp) {
        return Err(SqlError::new(Code::WrongArguments, format!("Too-big precision {fsp} specified. Maximum is 6.")));
    }
    let unit = 10i64.pow(6 - fsp as u32);
    Ok(Timestamp(c.now.0 - c.now.0.rem_euclid(unit)))
}

fn now(c: &Ctx, v: &[Value]) -> SqlResult<Value> {
    Ok(Value::DateTime(now_at(c, v)?))
}

fn curdate(c: &Ctx, _: &[Value]) -> SqlResult<Value> {
    Ok(Value::Date(c.now.secs().div_euclid(86_400)))
}

fn curtime(c: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let t = now_at(c, v)?;
    Ok(Value::Str(dates::time_text(t.0.rem_euclid(86_400_000_000))))
}

fn unix_timestamp(c: &Ctx, v: &[Value]) -> SqlResult<Value> {
    Ok(match v.first() {
        None => Value::Int(c.now.secs()),
        Some(x) => match cast(x, SqlType::DateTime, false)? {
            Value::DateTime(t) if t.subsec_micros() == 0 => Value::Int(t.secs()),
            Value::DateTime(t) => Value::Decimal(Decimal { m: t.0 as i128, s: 6 }),
            _ => Value::Null,
        },
    })
}

/// A number as the 64-bit unsigned integer the bitwise operators work on:
/// rounded to an integer, a negative one as its two's complement, beyond
/// the range saturated.
pub(crate) fn bits(v: &Value) -> u64 {
    match v {
        Value::Int(i) => *i as u64,
        Value::Decimal(d) => {
            let r = d.round_i128();
            if r < 0 {
                i64::try_from(r).unwrap_or(i64::MIN) as u64
            } else {
                u64::try_from(r).unwrap_or(u64::MAX)
            }
        }
        Value::Double(x) => {
            let r = x.round();
            if r < 0.0 {
                (r.max(i64::MIN as f64) as i64) as u64
            } else {
                r as u64
            }
        }
        other => other.to_i64().unwrap_or(0) as u64,
    }
}

/// A 64-bit unsigned result: an integer, or a decimal above `i64::MAX`.
pub(crate) fn from_u64(u: u64) -> Value {
    match i64::try_from(u) {
        Ok(i) => Value::Int(i),
        Err(_) => Value::Decimal(Decimal { m: u as i128, s: 0 }),
    }
}

/// `x << n` / `x >> n`: 0 once every bit is shifted out.
fn shift(x: u64, n: u64, left: bool) -> u64 {
    match u32::try_from(n).ok().filter(|n| *n < 64) {
        Some(n) if left => x << n,
        Some(n) => x >> n,
        None => 0,
    }
}

/// `INSERT(str, pos, len, newstr)`: `len` characters of `str` from `pos`
/// replaced by `newstr`; `str` itself when `pos` is outside it.
fn insert(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let text: Vec<char> = s(&v[0]).chars().collect();
    let (pos, len) = (int(&v[1]), int(&v[2]));
    if pos < 1 || pos > text.len() as i64 {
        return Ok(v[0].clone());
    }
    let start = (pos - 1) as usize;
    let end = if len < 0 { text.len() } else { start.saturating_add(len as usize).min(text.len()) };
    let mut out: String = text[..start].iter().collect();
    out.push_str(s(&v[3]));
    out.extend(&text[end..]);
    Ok(bounded(out))
}

/// `FIND_IN_SET(str, list)`: the 1-based position of `str` among the
/// comma-separated items of `list` under the collation, 0 when absent.
fn find_in_set(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let (needle, list) = (s(&v[0]), s(&v[1]));
    if needle.contains(',') || list.is_empty() {
        return Ok(Value::Int(0));
    }
    let at = list.split(',').position(|item| value::collate_cmp(item, needle) == Ordering::Equal);
    Ok(Value::Int(at.map_or(0, |i| i as i64 + 1)))
}

/// `MAKE_SET(bits, str1, …)`: the strings whose bit is set, comma-separated
/// (NULL strings left out).
fn make_set(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    if v[0].is_null() {
        return Ok(Value::Null);
    }
    let bits = int(&v[0]) as u64;
    let parts: Vec<&str> = v[1..]
        .iter()
        .enumerate()
        .filter(|(i, x)| *i < 64 && bits >> i & 1 == 1 && !x.is_null())
        .map(|(_, x)| s(x))
        .collect();
    Ok(bounded(parts.join(",")))
}

/// `EXPORT_SET(bits, on, off[, separator[, number_of_bits]])`.
fn export_set(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    let bits = int(&v[0]) as u64;
    let sep = v.get(3).map_or(",", s);
    let n = v.get(4).map_or(64, |n| if (0..=64).contains(&int(n)) { int(n) } else { 64 }) as usize;
    let parts: Vec<&str> = (0..n).map(|i| if bits >> i & 1 == 1 { s(&v[1]) } else { s(&v[2]) }).collect();
    Ok(bounded(parts.join(sep)))
}

/// `HEX(x)`: a string's bytes, or a number (rounded to an integer, as a
/// 64-bit two's complement), in upper-case hexadecimal.
fn hex(_: &Ctx, v: &[Value]) -> SqlResult<Value> {
    Ok(match &v[0] {
        Value::Int(i) => Value::Str(format!("{:X}", *i as u64)),
        Value::Double(_) | Value::Decimal(_) => match cast(&v[0], SqlType::Int, false)? {
            Value::Int(i) => Value::Str(format!("{:X}", i as u64)),
            _ => Value::Null,
        },
        other => match other.to_text() {
            Some(t) if t.len() <= MAX_STRING / 2 => Value::Str(t.bytes().map(|b| format!("{b:02X}")).collect()),
            _ => Value::Null,
        },
    })
}

/// `CONV(n, from_base, to_base)` on the text of `n`: its leading digits in
/// base |from_base| (signed when from_base is negative, else unsigned with
/// a minus sign wrapping around 2^64, overflow saturating), written in base
/// |to_base| (as a signed number when to_base is negative). NULL for a
/// base outside 2..=36.
fn conv_text(n: &str, from: i64, to: i64) -> Value {
    let (fb, tb) = (from.unsigned_abs(), to.unsigned_abs());
    if !(2..=36).contains(&fb) || !(2..=36).contains(&tb) {
        return Value::Null;
    }
    let t = n.trim_start();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut mag: u64 = 0;
    let mut overflow = false;
    for c in digits.chars() {
        let Some(d) = c.to_digit(36).filter(|d| (*d as u64) < fb) else { break };
        match mag.checked_mul(fb).and_then(|m| m.checked_add(d as u64)) {
            Some(m) => mag = m,
            None => {
                overflow = true;
                break;
            }
        }
    }
    let bits: u64 = if from < 0 {
        let signed = if overflow || mag > i64::MAX as u64 + u64::from(neg) {
            if neg {
                i64::MIN
            } else {
                i64::MAX
            }
        } else if neg {
            (mag as i64).wrapping_neg()
        } else {
            mag as i64
        };
        signed as u64
    } else if overflow {
        u64::MAX
    } else if neg {
        mag.wrapping_neg()
    } else {
        mag
    };
    let (minus, mut rest) =
        if to < 0 && (bits as i64) < 0 { (true, (bits as i64).unsigned_abs()) } else { (false, bits) };
    let mut out = Vec::new();
    loop {
        let d = (rest % tb) as u32;
        out.push(std::char::from_digit(d, 36).unwrap_or('0').to_ascii_uppercase());
        rest /= tb;
        if rest == 0 {
            break;
        }
    }
    if minus {
        out.push('-');
    }
    Value::Str(out.iter().rev().collect())
}

/// `QUOTE(str)`: a string literal that reads back as `str`; the word NULL
/// for NULL.
fn quote(v: &Value) -> Value {
    match v {
        Value::Str(text) => bounded(super::quote::quote_function(text)),
        _ => Value::Str("NULL".into()),
    }
}

/// `SOUNDEX(str)` as MySQL computes it: the first letter, then the codes of
/// the following letters (vowels left out, and a code equal to the last
/// one written, even across vowels), padded to at least four characters; non-letters are ignored.
fn soundex(text: &str) -> String {
    fn code(c: char) -> char {
        match c.to_ascii_uppercase() {
            'B' | 'F' | 'P' | 'V' => '1',
            'C' | 'G' | 'J' | 'K' | 'Q' | 'S' | 'X' | 'Z' => '2',
            'D' | 'T' => '3',
            'L' => '4',
            'M' | 'N' => '5',
            'R' => '6',
            _ => '0',
        }
    }
    let mut letters = text.chars().filter(|c| c.is_alphabetic());
    let Some(first) = letters.next() else { return String::new() };
    // MariaDB upper-cases only an ASCII first letter (`ábc` gives `á120`)
    let mut out = String::from(first.to_ascii_uppercase());
    let mut last = code(first);
    for c in letters {
        let k = code(c);
        if k != '0' && k != last {
            out.push(k);
            last = k;
        }
    }
    while out.chars().count() < 4 {
        out.push('0');
    }
    out
}

/// MySQL's random number generator (`my_rnd`), so that `RAND(n)` gives
/// MySQL's sequence for a seed.
#[derive(Debug, Clone, Copy)]
pub struct MysqlRand {
    s1: u64,
    s2: u64,
}

impl MysqlRand {
    const MAX: u64 = 0x3FFF_FFFF;

    /// The generator `RAND(seed)` starts (the seed taken as 32 bits, as MySQL does).
    pub fn seeded(seed: i64) -> MysqlRand {
        let t = seed as u32 as u64;
        MysqlRand::new(
            t.wrapping_mul(0x10001).wrapping_add(55_555_555) as u32 as u64,
            t.wrapping_mul(0x1000_0001) as u32 as u64,
        )
    }

    /// A generator seeded from the clock and a counter (`RAND()`).
    fn unseeded() -> MysqlRand {
        thread_local!(static CALLS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) });
        let n = CALLS.with(|c| {
            c.set(c.get().wrapping_add(1));
            c.get()
        });
        let mix = |mut z: u64| {
            // splitmix64
            z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        let t = Timestamp::system_now().0 as u64;
        MysqlRand::new(mix(t ^ n), mix(t.rotate_left(17) ^ !n))
    }

    fn new(s1: u64, s2: u64) -> MysqlRand {
        MysqlRand { s1: s1 % Self::MAX, s2: s2 % Self::MAX }
    }

    /// The next number, in [0, 1).
    pub fn next(&mut self) -> f64 {
        self.s1 = (self.s1 * 3 + self.s2) % Self::MAX;
        self.s2 = (self.s1 + self.s2 + 33) % Self::MAX;
        self.s1 as f64 / Self::MAX as f64
    }
}

/// `RAND()`: a new sequence per execution; `RAND(n)` with a constant `n`:
/// MySQL's sequence for seed `n`, one number per call; with a `n` that
/// changes per row: the first number of the sequence for that row's `n`.
fn rand(ex: &Exec, args: &[BExpr], env: &Env, slot: usize) -> SqlResult<Value> {
    let x = match args.first() {
        None => ex.state.next_random(slot, || Ok(MysqlRand::unseeded()))?,
        Some(a) if a.is_const() => ex.state.next_random(slot, || Ok(MysqlRand::seeded(int(&ex.eval(a, env)?))))?,
        Some(a) => MysqlRand::seeded(int(&ex.eval(a, env)?)).next(),
    };
    Ok(Value::Double(x))
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
