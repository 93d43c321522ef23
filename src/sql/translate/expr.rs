//! Expressions, with the nesting limit.

use sqlparser::ast as sp;

use super::ddl::cast_type;
use super::query::{order_items, query};
use super::source::param_at;
use super::{first_words, ident, name, unsupported};

/// MySQL's reserved words that name a function called without parentheses:
/// the parser may give them as names, which are not columns.
const NILADIC: &[&str] = &[
    "current_date",
    "current_time",
    "current_timestamp",
    "current_user",
    "localtime",
    "localtimestamp",
    "utc_date",
    "utc_time",
    "utc_timestamp",
];
use crate::sql::ast::*;
use crate::sql::error::{Code, SqlError, SqlResult};
use crate::sql::value::{ArithOp, Collation, Decimal, Value};

/// How deeply expressions may nest (`a AND b AND …` nests one level per
/// operator). Translating, binding and evaluating recurse once per level,
/// so the limit keeps a statement within the stack on every target (the
/// wasm module has 8 MiB: .cargo/config.toml); past it the statement is
/// an error, not a crash.
const MAX_EXPR_DEPTH: usize = 1000;

/// The error for a statement nested deeper than ReelDB evaluates.
fn too_deep() -> SqlError {
    SqlError::parse(format!(
        "You have an error in your SQL syntax: statement nested too deeply (expressions nest at most {MAX_EXPR_DEPTH} levels)"
    ))
}

thread_local! {
    static EXPR_DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// One level of expression nesting while it is being translated.
struct Nesting;

impl Nesting {
    fn enter() -> SqlResult<Nesting> {
        EXPR_DEPTH.with(|d| {
            if d.get() >= MAX_EXPR_DEPTH {
                return Err(too_deep());
            }
            d.set(d.get() + 1);
            Ok(Nesting)
        })
    }
}

impl Drop for Nesting {
    fn drop(&mut self) {
        EXPR_DEPTH.with(|d| d.set(d.get() - 1));
    }
}

/// Returns (args, distinct, star).
pub(super) fn func_args(a: &sp::FunctionArguments) -> SqlResult<(Vec<Expr>, bool, bool)> {
    match a {
        sp::FunctionArguments::None => Ok((Vec::new(), false, false)),
        sp::FunctionArguments::Subquery(q) => Ok((vec![Expr::Subquery(Box::new(query((**q).clone())?))], false, false)),
        sp::FunctionArguments::List(l) => {
            let distinct = matches!(l.duplicate_treatment, Some(sp::DuplicateTreatment::Distinct));
            let mut out = Vec::new();
            let mut star = false;
            for arg in &l.args {
                match arg {
                    // DATE_ADD(t, INTERVAL n unit): the amount and the unit
                    sp::FunctionArg::Unnamed(sp::FunctionArgExpr::Expr(sp::Expr::Interval(iv))) => {
                        out.extend(interval(iv.clone())?)
                    }
                    sp::FunctionArg::Unnamed(sp::FunctionArgExpr::Expr(e)) => out.push(expr(e.clone())?),
                    sp::FunctionArg::Unnamed(sp::FunctionArgExpr::Wildcard) => star = true,
                    other => return unsupported(other),
                }
            }
            Ok((out, distinct, star))
        }
    }
}

/// The `ORDER BY` and `SEPARATOR` of a `GROUP_CONCAT` call.
fn group_concat_clauses(a: &sp::FunctionArguments) -> SqlResult<(Vec<OrderItem>, String)> {
    let mut order_by = Vec::new();
    let mut separator = ",".to_string();
    if let sp::FunctionArguments::List(l) = a {
        for c in &l.clauses {
            match c {
                sp::FunctionArgumentClause::OrderBy(v) => order_by = order_items(v.clone())?,
                sp::FunctionArgumentClause::Separator(v) => match value(v.value.clone())? {
                    Value::Str(s) => separator = s,
                    _ => return Err(SqlError::parse("You have an error in your SQL syntax near 'SEPARATOR'")),
                },
                other => return unsupported(format!("GROUP_CONCAT(... {other})")),
            }
        }
    }
    Ok((order_by, separator))
}

/// `INTERVAL n unit` as the two arguments of `date_add`: the amount and
/// the unit's name.
fn interval(iv: sp::Interval) -> SqlResult<[Expr; 2]> {
    match (iv.leading_field, iv.last_field) {
        (Some(unit), None) => Ok([expr(*iv.value)?, Expr::Lit(Value::Str(unit.to_string()))]),
        _ => unsupported("INTERVAL without a single unit"),
    }
}

pub(super) fn number(s: &str) -> SqlResult<Value> {
    if let Ok(i) = s.parse::<i64>() {
        return Ok(Value::Int(i));
    }
    if s.contains(['e', 'E']) {
        return s.parse::<f64>().map(Value::Double).map_err(|_| SqlError::parse(format!("bad number {s}")));
    }
    if let Some(d) = Decimal::parse(s) {
        return Ok(Value::Decimal(d));
    }
    s.parse::<f64>().map(Value::Double).map_err(|_| SqlError::parse(format!("bad number {s}")))
}

fn value(v: sp::Value) -> SqlResult<Value> {
    Ok(match v {
        sp::Value::Number(n, _) => number(&n)?,
        sp::Value::SingleQuotedString(s) | sp::Value::DoubleQuotedString(s) => Value::Str(s),
        sp::Value::Boolean(b) => Value::bool(b),
        sp::Value::Null => Value::Null,
        sp::Value::HexStringLiteral(h) => {
            let bytes: Vec<u8> =
                (0..h.len() / 2).filter_map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).ok()).collect();
            Value::Str(String::from_utf8_lossy(&bytes).into_owned())
        }
        other => return unsupported(format!("literal {other}")),
    })
}

fn bx(e: sp::Expr) -> SqlResult<Box<Expr>> {
    Ok(Box::new(expr(e)?))
}

/// Converts an expression.
pub(super) fn expr(e: sp::Expr) -> SqlResult<Expr> {
    use sp::Expr as E;
    let _level = Nesting::enter()?;
    Ok(match e {
        E::Identifier(i) if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default") => Expr::Default,
        // the niladic functions (CURRENT_DATE, ...) arrive as names
        E::Identifier(i) if NILADIC.iter().any(|f| i.value.eq_ignore_ascii_case(f)) => {
            Expr::Column { table: None, name: ident(&i) }
        }
        E::Identifier(i) => Expr::Column { table: None, name: name(&i)? },
        E::CompoundIdentifier(parts) => {
            let n = parts.len();
            if n < 2 {
                return Err(SqlError::parse("bad identifier"));
            }
            // a word after a period is a name, reserved or not (MySQL)
            let table = if n == 2 { name(&parts[0])? } else { ident(&parts[n - 2]) };
            Expr::Column { table: Some(table), name: ident(&parts[n - 1]) }
        }
        E::Value(sp::ValueWithSpan { value: sp::Value::Placeholder(p), span }) if p == "?" => param_at(span.start)?,
        E::Value(v) => Expr::Lit(value(v.value)?),
        E::TypedString(ts) => {
            let v = value(ts.value.value)?;
            let ty = cast_type(&ts.data_type)?;
            Expr::Cast(Box::new(Expr::Lit(v)), ty)
        }
        E::Nested(e) => expr(*e)?,
        E::UnaryOp { op, expr: e } => match op {
            sp::UnaryOperator::Minus => match *e {
                E::Value(sp::ValueWithSpan { value: sp::Value::Number(n, _), .. }) => {
                    let s = format!("-{n}");
                    Expr::Lit(number(&s)?)
                }
                other => Expr::Unary(UnOp::Neg, bx(other)?),
            },
            sp::UnaryOperator::Plus => expr(*e)?,
            sp::UnaryOperator::Not | sp::UnaryOperator::BangNot => Expr::Unary(UnOp::Not, bx(*e)?),
            sp::UnaryOperator::BitwiseNot => {
                Expr::Func { name: "bitnot".into(), args: vec![expr(*e)?], distinct: false, star: false }
            }
            other => return unsupported(format!("operator {other}")),
        },
        E::BinaryOp { left, op, right } => {
            use sp::BinaryOperator as B;
            let op =
                match op {
                    B::Plus => BinOp::Arith(ArithOp::Add),
                    B::Minus => BinOp::Arith(ArithOp::Sub),
                    B::Multiply => BinOp::Arith(ArithOp::Mul),
                    B::Divide => BinOp::Arith(ArithOp::Div),
                    B::Modulo => BinOp::Arith(ArithOp::Mod),
                    B::MyIntegerDivide | B::DuckIntegerDivide => BinOp::Arith(ArithOp::IntDiv),
                    B::Eq => BinOp::Cmp(CmpOp::Eq),
                    B::NotEq => BinOp::Cmp(CmpOp::Ne),
                    B::Lt => BinOp::Cmp(CmpOp::Lt),
                    B::LtEq => BinOp::Cmp(CmpOp::Le),
                    B::Gt => BinOp::Cmp(CmpOp::Gt),
                    B::GtEq => BinOp::Cmp(CmpOp::Ge),
                    B::Spaceship => BinOp::Cmp(CmpOp::NullSafeEq),
                    B::And => BinOp::And,
                    // `||` is `OR` in MySQL's default SQL mode (no PIPES_AS_CONCAT)
                    B::Or | B::StringConcat => BinOp::Or,
                    B::Xor => BinOp::Xor,
                    B::BitwiseOr
                    | B::BitwiseAnd
                    | B::BitwiseXor
                    | B::PGBitwiseXor
                    | B::PGBitwiseShiftLeft
                    | B::PGBitwiseShiftRight => {
                        let name = match op {
                            B::BitwiseOr => "bitor",
                            B::BitwiseAnd => "bitand",
                            B::BitwiseXor | B::PGBitwiseXor => "bitxor",
                            B::PGBitwiseShiftLeft => "shiftleft",
                            _ => "shiftright",
                        };
                        return Ok(Expr::Func {
                            name: name.into(),
                            args: vec![expr(*left)?, expr(*right)?],
                            distinct: false,
                            star: false,
                        });
                    }
                    B::Assignment => return unsupported(
                        "assigning a user variable inside an expression (:=, which MySQL 8 deprecates; SET @v = ... \
                         or SELECT ... INTO @v assign one, ROW_NUMBER() OVER (ORDER BY ...) numbers rows)",
                    ),
                    other => return unsupported(format!("operator {other}")),
                };
            // `t + INTERVAL n unit`, `INTERVAL n unit + t`, `t - INTERVAL n unit`
            let add = op == BinOp::Arith(ArithOp::Add);
            match (*left, *right) {
                (t, E::Interval(iv)) if add || op == BinOp::Arith(ArithOp::Sub) => {
                    let name = if add { "date_add" } else { "date_sub" };
                    let mut args = vec![expr(t)?];
                    args.extend(interval(iv)?);
                    return Ok(Expr::Func { name: name.into(), args, distinct: false, star: false });
                }
                (E::Interval(iv), t) if add => {
                    let mut args = vec![expr(t)?];
                    args.extend(interval(iv)?);
                    return Ok(Expr::Func { name: "date_add".into(), args, distinct: false, star: false });
                }
                (l, r) => Expr::Binary(op, bx(l)?, bx(r)?),
            }
        }
        E::IsNull(e) => Expr::IsNull(bx(*e)?, false),
        E::IsNotNull(e) => Expr::IsNull(bx(*e)?, true),
        E::IsTrue(e) => Expr::IsBool(bx(*e)?, true, false),
        E::IsNotTrue(e) => Expr::IsBool(bx(*e)?, true, true),
        E::IsFalse(e) => Expr::IsBool(bx(*e)?, false, false),
        E::IsNotFalse(e) => Expr::IsBool(bx(*e)?, false, true),
        E::IsUnknown(e) => Expr::IsNull(bx(*e)?, false),
        E::IsNotUnknown(e) => Expr::IsNull(bx(*e)?, true),
        E::IsDistinctFrom(a, b) => {
            Expr::Unary(UnOp::Not, Box::new(Expr::Binary(BinOp::Cmp(CmpOp::NullSafeEq), bx(*a)?, bx(*b)?)))
        }
        E::IsNotDistinctFrom(a, b) => Expr::Binary(BinOp::Cmp(CmpOp::NullSafeEq), bx(*a)?, bx(*b)?),
        E::Between { expr: e, negated, low, high } => {
            Expr::Between { expr: bx(*e)?, low: bx(*low)?, high: bx(*high)?, negated }
        }
        E::In { expr: e, target, negated, .. } => match target {
            sp::InTarget::List(list) => {
                Expr::InList { expr: bx(*e)?, list: list.into_iter().map(expr).collect::<SqlResult<_>>()?, negated }
            }
            sp::InTarget::Subquery(q) => Expr::InSubquery { expr: bx(*e)?, query: Box::new(query(*q)?), negated },
            other => return unsupported(format!("IN {other}")),
        },
        E::AnyOp { left, compare_op, right, .. } => quantified(*left, &compare_op, *right, false)?,
        E::AllOp { left, compare_op, right } => quantified(*left, &compare_op, *right, true)?,
        E::Exists { subquery, negated } => Expr::Exists(Box::new(query(*subquery)?), negated),
        E::Subquery(q) => Expr::Subquery(Box::new(query(*q)?)),
        E::Like { negated, expr: e, pattern, escape_char, any, .. } => {
            if any {
                return unsupported("LIKE ANY");
            }
            let escape = match escape_char {
                None => '\\',
                Some(x) => match expr(*x)? {
                    Expr::Lit(Value::Str(s)) => {
                        let mut cs = s.chars();
                        match (cs.next(), cs.next()) {
                            (Some(c), None) => c,
                            (None, _) => '\\',
                            _ => return Err(SqlError::new(Code::WrongArguments, "Incorrect arguments to ESCAPE")),
                        }
                    }
                    _ => return Err(SqlError::new(Code::WrongArguments, "Incorrect arguments to ESCAPE")),
                },
            };
            Expr::Like { expr: bx(*e)?, pattern: bx(*pattern)?, escape, negated }
        }
        E::RLike { negated, expr: e, pattern, .. } => {
            let f = Expr::Func {
                name: "regexp_like".into(),
                args: vec![expr(*e)?, expr(*pattern)?],
                distinct: false,
                star: false,
            };
            if negated {
                Expr::Unary(UnOp::Not, Box::new(f))
            } else {
                f
            }
        }
        E::Case { operand, conditions, else_result, .. } => Expr::Case {
            operand: operand.map(|o| bx(*o)).transpose()?,
            whens: conditions
                .into_iter()
                .map(|w| Ok((expr(w.condition)?, expr(w.result)?)))
                .collect::<SqlResult<_>>()?,
            else_: else_result.map(|o| bx(*o)).transpose()?,
        },
        E::Cast { expr: e, data_type: t, .. } => Expr::Cast(bx(*e)?, cast_type(&t)?),
        E::Collate { expr: e, collation: c } => Expr::Collate(bx(*e)?, collation(&c.to_string())?),
        E::Convert { expr: e, data_type: Some(t), .. } => Expr::Cast(bx(*e)?, cast_type(&t)?),
        E::Substring { expr: e, substring_from, substring_for, .. } => {
            let mut args = vec![expr(*e)?];
            if let Some(f) = substring_from {
                args.push(expr(*f)?);
            }
            if let Some(f) = substring_for {
                args.push(expr(*f)?);
            }
            Expr::Func { name: "substring".into(), args, distinct: false, star: false }
        }
        E::Trim { trim_where, trim_what, expr: e, trim_characters } => {
            if trim_characters.is_some() {
                return unsupported("TRIM with characters");
            }
            let name = match trim_where {
                Some(sp::TrimWhereField::Leading) => "ltrim_chars",
                Some(sp::TrimWhereField::Trailing) => "rtrim_chars",
                _ => "trim_chars",
            };
            let what = match trim_what {
                Some(w) => expr(*w)?,
                None => Expr::Lit(Value::Str(" ".into())),
            };
            Expr::Func { name: name.into(), args: vec![expr(*e)?, what], distinct: false, star: false }
        }
        E::Ceil { expr: e, .. } => {
            Expr::Func { name: "ceil".into(), args: vec![expr(*e)?], distinct: false, star: false }
        }
        E::Floor { expr: e, .. } => {
            Expr::Func { name: "floor".into(), args: vec![expr(*e)?], distinct: false, star: false }
        }
        E::Position { expr: e, r#in } => {
            Expr::Func { name: "position".into(), args: vec![expr(*e)?, expr(*r#in)?], distinct: false, star: false }
        }
        E::Function(f) => {
            let name = f.name.to_string().to_ascii_lowercase();
            if f.filter.is_some() || !f.within_group.is_empty() {
                return unsupported(format!("filtered function {name}"));
            }
            let (mut args, distinct, star) = func_args(&f.args)?;
            if name == "group_concat" && f.over.is_none() {
                let (order_by, separator) = group_concat_clauses(&f.args)?;
                return Ok(Expr::GroupConcat { args, distinct, order_by, separator });
            }
            if let Some(over) = f.over {
                let spec = match over {
                    sp::WindowType::WindowSpec(ws) => window_spec(ws)?,
                    sp::WindowType::NamedWindow(w) => WindowSpec { base: Some(ident(&w)), ..WindowSpec::default() },
                };
                return Ok(Expr::Window { name, args, distinct, star, spec: Box::new(spec) });
            }
            // TIMESTAMPDIFF(MINUTE, a, b): the unit parses as a column name
            if matches!(name.as_str(), "timestampdiff" | "timestampadd") {
                if let Some(Expr::Column { table: None, name: unit }) = args.first() {
                    args[0] = Expr::Lit(Value::Str(unit.to_ascii_uppercase()));
                }
            }
            Expr::Func { name, args, distinct, star }
        }
        E::Extract { field, expr: e, .. } => {
            let unit = field.to_string();
            // a name that is no unit is a syntax error, as in MySQL
            crate::sql::dates::Unit::parse(&unit)?;
            Expr::Func {
                name: "extract".into(),
                args: vec![Expr::Lit(Value::Str(unit)), expr(*e)?],
                distinct: false,
                star: false,
            }
        }
        E::Tuple(items) => Expr::Row(items.into_iter().map(expr).collect::<SqlResult<_>>()?),
        other => return unsupported(format!("expression {}", first_words(&other.to_string()))),
    })
}

/// `x op ANY|SOME|ALL (subquery)`.
fn quantified(left: sp::Expr, op: &sp::BinaryOperator, right: sp::Expr, all: bool) -> SqlResult<Expr> {
    use sp::BinaryOperator as B;
    let op = match op {
        B::Eq => CmpOp::Eq,
        B::NotEq => CmpOp::Ne,
        B::Lt => CmpOp::Lt,
        B::LtEq => CmpOp::Le,
        B::Gt => CmpOp::Gt,
        B::GtEq => CmpOp::Ge,
        other => return unsupported(format!("{other} with ANY or ALL")),
    };
    match right {
        sp::Expr::Subquery(q) => Ok(Expr::Quantified { expr: bx(left)?, op, query: Box::new(query(*q)?), all }),
        _ => Err(SqlError::parse("You have an error in your SQL syntax: ANY and ALL take a subquery")),
    }
}

/// A window specification (`OVER (...)`, `WINDOW w AS (...)`).
pub(super) fn window_spec(ws: sp::WindowSpec) -> SqlResult<WindowSpec> {
    let offset = |e: sp::Expr| -> SqlResult<Expr> {
        match e {
            sp::Expr::Interval(iv) => {
                let [n, unit] = interval(iv)?;
                let Expr::Lit(Value::Str(unit)) = unit else { return unsupported("INTERVAL without a single unit") };
                Ok(Expr::Interval(Box::new(n), unit))
            }
            e => expr(e),
        }
    };
    let bound = |b: sp::WindowFrameBound| -> SqlResult<FrameBound> {
        Ok(match b {
            sp::WindowFrameBound::CurrentRow => FrameBound::CurrentRow,
            sp::WindowFrameBound::Preceding(None) => FrameBound::UnboundedPreceding,
            sp::WindowFrameBound::Preceding(Some(e)) => FrameBound::Preceding(offset(*e)?),
            sp::WindowFrameBound::Following(None) => FrameBound::UnboundedFollowing,
            sp::WindowFrameBound::Following(Some(e)) => FrameBound::Following(offset(*e)?),
        })
    };
    let frame = match ws.window_frame {
        None => None,
        Some(f) => Some(WindowFrame {
            rows: match f.units {
                sp::WindowFrameUnits::Rows => true,
                sp::WindowFrameUnits::Range => false,
                sp::WindowFrameUnits::Groups => return unsupported("GROUPS frames"),
            },
            start: bound(f.start_bound)?,
            end: match f.end_bound {
                Some(b) => bound(b)?,
                None => FrameBound::CurrentRow,
            },
        }),
    };
    Ok(WindowSpec {
        base: ws.window_name.as_ref().map(ident),
        partition_by: ws.partition_by.into_iter().map(expr).collect::<SqlResult<_>>()?,
        order_by: order_items(ws.order_by)?,
        frame,
    })
}

/// The collation `COLLATE name` names (on an expression, a column or a
/// table; quoted or not), or `ER_UNKNOWN_COLLATION`.
pub(super) fn collation(name: &str) -> SqlResult<Collation> {
    let n = name.trim_matches(|c| matches!(c, '`' | '\'' | '"'));
    Collation::from_name(n).ok_or_else(|| SqlError::new(Code::UnknownCollation, format!("Unknown collation: '{n}'")))
}
