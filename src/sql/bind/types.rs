//! Static types of bound expressions ([`SType`]): what MySQL knows of an
//! expression's values before it runs. The binder conforms the value of
//! an expression that takes it from one of several (the branches of
//! `CASE`, the arguments the catalogue marks as [`Res::Args`]: `COALESCE`,
//! `IF`, ...) to their aggregated type, so `IFNULL(bonus, 0)` over a
//! `DECIMAL(8,2)` column is `0.00`; a `UNION` conforms its columns the same
//! way when it runs ([`QueryPlan::types`]).

use crate::sql::ast::{BinOp, UnOp};
use crate::sql::functions::Res;
use crate::sql::value::{ArithOp, SType, Value};

use super::*;

/// The static type of `e`, bound in `scope` (with the aggregates of a
/// grouped SELECT, whose values are the row's positions from
/// `aggs.width` on).
pub(super) fn stype(e: &BExpr, scope: &Scope, aggs: Option<&Aggs>) -> SType {
    match e {
        BExpr::Lit(v) => SType::of_value(v),
        BExpr::Param(_) => SType::Unknown,
        BExpr::Col(i) => match scope.cols.get(*i) {
            Some(c) => c.ty,
            None => match aggs {
                Some(a) if *i >= a.width => a.calls.get(*i - a.width).map_or(SType::Unknown, |c| agg_type(c, scope)),
                _ => SType::Unknown,
            },
        },
        BExpr::Outer(d, i) => {
            let mut s = Some(scope);
            for _ in 0..*d {
                s = s.and_then(|x| x.parent);
            }
            s.and_then(|s| s.cols.get(*i)).map_or(SType::Unknown, |c| c.ty)
        }
        BExpr::Unary(UnOp::Neg, a) => match stype(a, scope, aggs) {
            SType::Str => SType::Double,
            // minus an unsigned value is signed (MySQL)
            SType::UInt => SType::Int,
            SType::Time => SType::Unknown,
            t => t,
        },
        BExpr::Binary(BinOp::Arith(op), a, b) => SType::arith(*op, stype(a, scope, aggs), stype(b, scope, aggs)),
        BExpr::Unary(UnOp::Not, _)
        | BExpr::Binary(..)
        | BExpr::IsNull(..)
        | BExpr::IsBool(..)
        | BExpr::Between(..)
        | BExpr::InList(..)
        | BExpr::InSub(..)
        | BExpr::RowInSub(..)
        | BExpr::Quantified(..)
        | BExpr::Exists(..)
        | BExpr::CmpIn(..)
        | BExpr::Like(..) => SType::Int,
        BExpr::Collate(a, ..) => stype(a, scope, aggs),
        BExpr::Scalar(sp) => sp.plan.types().first().copied().unwrap_or(SType::Unknown),
        BExpr::Cast(_, t) => SType::of_sql(*t),
        BExpr::Conform(_, t) => *t,
        BExpr::Func(f, ..) if f.def().result == Res::Int => SType::Int,
        BExpr::Func(f, args, _) if f.def().result == Res::Scaled => {
            match (args.first().map(|a| stype(a, scope, aggs)), args.get(1)) {
                (Some(SType::Int), _) => SType::Int,
                (Some(SType::Decimal(_)), None) => SType::Decimal(0),
                (Some(SType::Decimal(_)), Some(BExpr::Lit(Value::Int(d)))) => SType::Decimal((*d).clamp(0, 30) as u32),
                _ => SType::Unknown,
            }
        }
        BExpr::Case(..) | BExpr::Func(..) => match choices(e) {
            Some(c) => merged(&c, scope, aggs).0,
            None => SType::Unknown,
        },
    }
}

/// The expressions a `CASE` or a function takes its value from (a
/// missing `ELSE` is NULL), if `e` is one that does.
fn choices(e: &BExpr) -> Option<Vec<&BExpr>> {
    const NULL: &BExpr = &BExpr::Lit(Value::Null);
    match e {
        BExpr::Case(_, whens, else_) => {
            Some(whens.iter().map(|(_, v)| v).chain([else_.as_deref().unwrap_or(NULL)]).collect())
        }
        BExpr::Func(f, args, _) => match f.def().result {
            Res::Args(from, to) => Some(args.iter().take(to).skip(from).collect()),
            Res::Unknown | Res::Int | Res::Scaled => None,
        },
        _ => None,
    }
}

/// The aggregated type of the expressions a value is chosen from, and
/// whether they all have it.
fn merged(es: &[&BExpr], scope: &Scope, aggs: Option<&Aggs>) -> (SType, bool) {
    let types: Vec<SType> = es.iter().map(|e| stype(e, scope, aggs)).collect();
    let t = types.iter().fold(SType::Null, |t, x| t.merge(*x));
    (t, types.iter().all(|x| *x == t || *x == SType::Null))
}

/// The type of an aggregate's value, as MySQL types it.
fn agg_type(c: &AggCall, scope: &Scope) -> SType {
    let arg = || c.arg.as_ref().map_or(SType::Unknown, |a| stype(a, scope, None));
    match c.func {
        AggFunc::CountStar
        | AggFunc::Count
        | AggFunc::BitAnd
        | AggFunc::BitOr
        | AggFunc::BitXor
        | AggFunc::Grouping => SType::Int,
        AggFunc::GroupConcat => SType::Str,
        AggFunc::Variance(_) | AggFunc::StdDev(_) => SType::Double,
        AggFunc::Min | AggFunc::Max => arg(),
        AggFunc::Sum => match arg() {
            t @ (SType::Int | SType::Decimal(_) | SType::Unknown | SType::Null) => t,
            SType::UInt => SType::Int,
            _ => SType::Double,
        },
        AggFunc::Avg => match arg() {
            SType::Int | SType::UInt | SType::Decimal(_) => SType::arith(ArithOp::Div, arg(), SType::Int),
            t @ (SType::Unknown | SType::Null) => t,
            _ => SType::Double,
        },
    }
}

/// `e` in the type its value is chosen to have: a `CASE` or a function
/// that takes its value from some of its arguments, whose aggregated type
/// is a decimal, gets each value in that type (`IF(1, 2, 3.0)` is `2.0`).
pub(super) fn conformed(e: BExpr, scope: &Scope, aggs: Option<&Aggs>) -> BExpr {
    let Some(c) = choices(&e) else { return e };
    match merged(&c, scope, aggs) {
        (t @ SType::Decimal(_), false) => BExpr::Conform(Box::new(e), t),
        _ => e,
    }
}

/// `a op b` for arithmetic. As in MySQL, a division that is an operand of
/// further arithmetic keeps more digits than it shows
/// ([`ArithOp::WideDiv`]), and the outermost arithmetic over one shows its
/// static scale: `2/3*3` is `2.0000`, `1/3 + 1/3` is `0.6667`.
pub(super) fn arithmetic(op: ArithOp, a: BExpr, b: BExpr, scope: &Scope, aggs: Option<&Aggs>) -> BExpr {
    let e = BExpr::Binary(BinOp::Arith(op), Box::new(a), Box::new(b));
    let t = stype(&e, scope, aggs);
    // unsigned arithmetic: its result is checked (below 0 is an error)
    if t == SType::UInt {
        return BExpr::Conform(Box::new(e), t);
    }
    // only where the result's scale is known, to round the digits to
    let SType::Decimal(_) = t else { return e };
    let BExpr::Binary(_, a, b) = e else { return e };
    let (a, wide_a) = widened(*a);
    let (b, wide_b) = widened(*b);
    let e = BExpr::Binary(BinOp::Arith(op), Box::new(a), Box::new(b));
    if wide_a || wide_b {
        BExpr::Conform(Box::new(e), t)
    } else {
        e
    }
}

/// An operand of arithmetic (or of a `CAST` to `DECIMAL`) with the digits
/// MySQL keeps: a division becomes [`ArithOp::WideDiv`], and arithmetic
/// over one is taken without the rounding to its scale; true if it was
/// such.
pub(super) fn widened(e: BExpr) -> (BExpr, bool) {
    match e {
        BExpr::Binary(BinOp::Arith(ArithOp::Div), a, b) => (BExpr::Binary(BinOp::Arith(ArithOp::WideDiv), a, b), true),
        BExpr::Unary(UnOp::Neg, a) => {
            let (a, wide) = widened(*a);
            (BExpr::Unary(UnOp::Neg, Box::new(a)), wide)
        }
        BExpr::Conform(inner, t @ SType::Decimal(_)) => match *inner {
            inner @ BExpr::Binary(BinOp::Arith(_), ..) => (inner, true),
            inner => (BExpr::Conform(Box::new(inner), t), false),
        },
        e => (e, false),
    }
}
