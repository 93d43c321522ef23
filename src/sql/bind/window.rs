//! Window functions: calls taken out of the select list into row slots,
//! named windows merged into the calls that use them.

use crate::sql::error::{Code, SqlError, SqlResult};
use crate::sql::value::{sql_cmp, ArithOp, SType, Value};

use super::*;

/// Whether an expression holds a window function call or the value of one
/// (outside subqueries).
pub(super) fn has_window(e: &Expr) -> bool {
    matches!(e, Expr::Window { .. } | Expr::WindowRef(_)) || children(e).into_iter().any(has_window)
}

pub(super) fn window_misuse(e: &Expr) -> SqlError {
    let name = first_window_name(e).unwrap_or_default();
    SqlError::new(Code::WindowInvalidUse, format!("You cannot use the window function '{name}' in this context.'"))
}

pub(super) fn first_window_name(e: &Expr) -> Option<String> {
    match e {
        Expr::Window { name, .. } => Some(name.clone()),
        _ => children(e).into_iter().find_map(first_window_name),
    }
}

/// Replaces each window function call in `e` by an [`Expr::WindowRef`] to
/// its slot (from `base`), adding the calls not seen before to `calls`.
pub(super) fn extract_windows(e: &mut Expr, base: usize, calls: &mut Vec<Expr>) {
    if let Expr::Window { .. } = e {
        let k = match calls.iter().position(|c| c == e) {
            Some(k) => k,
            None => {
                calls.push(e.clone());
                calls.len() - 1
            }
        };
        *e = Expr::WindowRef(base + k);
        return;
    }
    match e {
        Expr::Unary(_, a)
        | Expr::IsNull(a, _)
        | Expr::IsBool(a, _, _)
        | Expr::Cast(a, _)
        | Expr::Collate(a, _)
        | Expr::Interval(a, _)
        | Expr::InSubquery { expr: a, .. }
        | Expr::Quantified { expr: a, .. } => extract_windows(a, base, calls),
        Expr::Binary(_, a, b) | Expr::Like { expr: a, pattern: b, .. } => {
            extract_windows(a, base, calls);
            extract_windows(b, base, calls);
        }
        Expr::Between { expr, low, high, .. } => {
            for x in [expr, low, high] {
                extract_windows(x, base, calls);
            }
        }
        Expr::InList { expr, list, .. } => {
            extract_windows(expr, base, calls);
            list.iter_mut().for_each(|x| extract_windows(x, base, calls));
        }
        Expr::Case { operand, whens, else_ } => {
            for x in operand.iter_mut().chain(else_.iter_mut()) {
                extract_windows(x, base, calls);
            }
            for (a, b) in whens {
                extract_windows(a, base, calls);
                extract_windows(b, base, calls);
            }
        }
        Expr::Func { args, .. } | Expr::Row(args) | Expr::GroupConcat { args, .. } => {
            args.iter_mut().for_each(|x| extract_windows(x, base, calls))
        }
        Expr::Lit(_)
        | Expr::Param(_)
        | Expr::Column { .. }
        | Expr::Exists(..)
        | Expr::Subquery(_)
        | Expr::Window { .. }
        | Expr::WindowRef(_)
        | Expr::Default => {}
    }
}

impl<'a> Binder<'a> {
    /// Binds a window function call (an [`Expr::Window`]) of a SELECT whose
    /// WINDOW clause is `defs`.
    pub(super) fn window_call(
        &self,
        call: &Expr,
        defs: &[(String, WindowSpec)],
        scope: &Scope,
        mut aggs: Option<&mut Aggs>,
    ) -> SqlResult<WindowCall> {
        let Expr::Window { name, args, distinct, star, spec } = call else {
            return Err(SqlError::new(Code::Storage, "a window call expected"));
        };
        if args.iter().any(has_window) {
            return Err(window_misuse(call));
        }
        let spec = resolve_window(spec, defs)?;
        if spec.partition_by.iter().chain(spec.order_by.iter().map(|o| &o.expr)).any(has_window) {
            return Err(window_misuse(call));
        }
        let count = |n: std::ops::RangeInclusive<usize>| -> SqlResult<()> {
            if *star || !n.contains(&args.len()) {
                return Err(SqlError::new(
                    Code::WrongParamcount,
                    format!("Incorrect parameter count in the call to native function '{name}'"),
                ));
            }
            Ok(())
        };
        // A constant positive (or, with `zero`, non-negative) integer argument.
        let int_arg = |e: &Expr, zero: bool| -> SqlResult<usize> {
            match self.const_arg(e)? {
                Value::Int(n) if n > 0 || (zero && n == 0) => Ok(n as usize),
                _ => Err(SqlError::new(Code::WrongArguments, format!("Incorrect arguments to {name}"))),
            }
        };
        let mut bound_args = Vec::new();
        let func = match name.as_str() {
            "row_number" | "rank" | "dense_rank" | "percent_rank" | "cume_dist" => {
                count(0..=0)?;
                match name.as_str() {
                    "row_number" => WindowFunc::RowNumber,
                    "rank" => WindowFunc::Rank,
                    "dense_rank" => WindowFunc::DenseRank,
                    "percent_rank" => WindowFunc::PercentRank,
                    _ => WindowFunc::CumeDist,
                }
            }
            "ntile" => {
                count(1..=1)?;
                WindowFunc::Ntile(int_arg(&args[0], false)? as i64)
            }
            "lag" | "lead" => {
                count(1..=3)?;
                let offset = match args.get(1) {
                    Some(e) => int_arg(e, true)?,
                    None => 1,
                };
                bound_args.push(self.expr(&args[0], scope, aggs.as_deref_mut())?);
                if let Some(d) = args.get(2) {
                    bound_args.push(self.expr(d, scope, aggs.as_deref_mut())?);
                }
                if name == "lag" {
                    WindowFunc::Lag(offset)
                } else {
                    WindowFunc::Lead(offset)
                }
            }
            "first_value" | "last_value" => {
                count(1..=1)?;
                bound_args.push(self.expr(&args[0], scope, aggs.as_deref_mut())?);
                if name == "first_value" {
                    WindowFunc::FirstValue
                } else {
                    WindowFunc::LastValue
                }
            }
            "nth_value" => {
                count(2..=2)?;
                bound_args.push(self.expr(&args[0], scope, aggs.as_deref_mut())?);
                WindowFunc::NthValue(int_arg(&args[1], false)?)
            }
            _ if agg_func(name).is_some_and(|f| f != AggFunc::Grouping) => {
                if *distinct {
                    return Err(SqlError::unsupported(format!(
                        "{}(DISTINCT) as a window function",
                        name.to_uppercase()
                    )));
                }
                let f = match agg_func(name) {
                    Some(AggFunc::Count) if *star => AggFunc::CountStar,
                    Some(f) => f,
                    None => return Err(SqlError::new(Code::Storage, "an aggregate expected")),
                };
                if f != AggFunc::CountStar {
                    count(1..=1)?;
                    bound_args.push(self.expr(&args[0], scope, aggs.as_deref_mut())?);
                }
                WindowFunc::Agg(f)
            }
            _ => {
                return Err(SqlError::parse(format!(
                    "You have an error in your SQL syntax; {name}() is not a window function (near 'OVER')"
                )))
            }
        };
        let mut partition = Vec::new();
        for p in &spec.partition_by {
            partition.push(self.expr(p, scope, aggs.as_deref_mut())?);
        }
        let mut order = Vec::new();
        for o in &spec.order_by {
            order.push((self.expr(&o.expr, scope, aggs.as_deref_mut())?, o.desc));
        }
        let mut range_bounds = [None, None];
        let frame = match &spec.frame {
            None if spec.order_by.is_empty() => {
                Frame { rows: false, start: FrameEdge::UnboundedPreceding, end: FrameEdge::UnboundedFollowing }
            }
            None => Frame { rows: false, start: FrameEdge::UnboundedPreceding, end: FrameEdge::CurrentRow },
            Some(f) => {
                let edge = |b: &FrameBound| -> SqlResult<FrameEdge> {
                    let offset = |e: &Expr| -> SqlResult<usize> {
                        match self.const_arg(e) {
                            Ok(Value::Int(n)) if n >= 0 => Ok(n as usize),
                            // MySQL's grammar has no sign there
                            Ok(Value::Int(_)) => Err(SqlError::parse(
                                "You have an error in your SQL syntax near '-': a frame offset is an unsigned number",
                            )),
                            _ => Err(SqlError::new(
                                Code::WindowFrameIllegal,
                                "Window '<unnamed window>': frame start or end is negative, NULL or of non-integral \
                                 type",
                            )),
                        }
                    };
                    Ok(match b {
                        FrameBound::UnboundedPreceding => FrameEdge::UnboundedPreceding,
                        FrameBound::Preceding(e) => FrameEdge::Preceding(offset(e)?),
                        FrameBound::CurrentRow => FrameEdge::CurrentRow,
                        FrameBound::Following(e) => FrameEdge::Following(offset(e)?),
                        FrameBound::UnboundedFollowing => FrameEdge::UnboundedFollowing,
                    })
                };
                if f.start == FrameBound::UnboundedFollowing {
                    return Err(SqlError::new(
                        Code::WindowFrameStartIllegal,
                        "Window '<unnamed window>': frame start cannot be UNBOUNDED FOLLOWING.",
                    ));
                }
                if f.end == FrameBound::UnboundedPreceding {
                    return Err(SqlError::new(
                        Code::WindowFrameEndIllegal,
                        "Window '<unnamed window>': frame end cannot be UNBOUNDED PRECEDING.",
                    ));
                }
                let mut edges = [FrameEdge::CurrentRow; 2];
                for (k, b) in [&f.start, &f.end].into_iter().enumerate() {
                    edges[k] = match b {
                        FrameBound::Preceding(e) | FrameBound::Following(e) if !f.rows => {
                            let following = matches!(b, FrameBound::Following(_));
                            range_bounds[k] =
                                Some(self.range_bound(&spec, &order, following, e, scope, aggs.as_deref_mut())?);
                            FrameEdge::Value
                        }
                        _ => edge(b)?,
                    };
                }
                Frame { rows: f.rows, start: edges[0], end: edges[1] }
            }
        };
        Ok(WindowCall { func, args: bound_args, partition, order, frame, range_bounds })
    }

    /// The bound of a RANGE frame edge `e PRECEDING|FOLLOWING` for the
    /// current row: its ORDER BY key minus or plus the offset (`INTERVAL n
    /// unit` over a temporal key), as MySQL 8 allows it.
    fn range_bound(
        &self,
        spec: &WindowSpec,
        order: &[(BExpr, bool)],
        following: bool,
        e: &Expr,
        scope: &Scope,
        aggs: Option<&mut Aggs>,
    ) -> SqlResult<BExpr> {
        let ([key], [(bound_key, _)]) = (&spec.order_by[..], order) else {
            return Err(range_order_type());
        };
        let (amount, unit) = match e {
            Expr::Interval(n, unit) => (&**n, Some(unit)),
            e => (e, None),
        };
        match (types::stype(bound_key, scope, aggs.as_deref()), unit) {
            (SType::Str, _) => return Err(range_order_type()),
            (SType::Time, None) => {
                return Err(SqlError::new(
                    Code::WindowRangeFrameTemporalType,
                    "Window '<unnamed window>' with RANGE frame has ORDER BY expression of datetime type. Only \
                     INTERVAL bound value allowed.",
                ))
            }
            (SType::Int | SType::UInt | SType::Decimal(_) | SType::Double, Some(_)) => {
                return Err(SqlError::new(
                    Code::WindowRangeFrameNumericType,
                    "Window '<unnamed window>' with RANGE frame has ORDER BY expression of numeric type, INTERVAL \
                     bound value not allowed.",
                ))
            }
            _ => {}
        }
        let n = match self.const_arg(amount) {
            Ok(v @ (Value::Int(_) | Value::Decimal(_) | Value::Double(_)))
                if sql_cmp(&v, &Value::Int(0)) != Some(std::cmp::Ordering::Less) =>
            {
                v
            }
            Ok(Value::Int(_) | Value::Decimal(_) | Value::Double(_)) => {
                return Err(SqlError::parse(
                    "You have an error in your SQL syntax near '-': a frame offset is an unsigned number",
                ))
            }
            _ => {
                return Err(SqlError::new(
                    Code::WindowFrameIllegal,
                    "Window '<unnamed window>': frame start or end is negative, NULL or of non-integral type",
                ))
            }
        };
        // toward the start of the window order: minus when ascending
        let minus = following == key.desc;
        let bound = match unit {
            Some(unit) => Expr::Func {
                name: if minus { "date_sub" } else { "date_add" }.into(),
                args: vec![key.expr.clone(), Expr::Lit(n), Expr::Lit(Value::Str(unit.clone()))],
                distinct: false,
                star: false,
            },
            None => Expr::Binary(
                BinOp::Arith(if minus { ArithOp::Sub } else { ArithOp::Add }),
                Box::new(key.expr.clone()),
                Box::new(Expr::Lit(n)),
            ),
        };
        self.expr(&bound, scope, aggs)
    }
}

/// A window specification with the named windows it refines (`OVER w`,
/// `OVER (w ORDER BY ...)`, `WINDOW w2 AS (w ...)`) merged in.
pub(super) fn resolve_window(spec: &WindowSpec, defs: &[(String, WindowSpec)]) -> SqlResult<WindowSpec> {
    let mut out = spec.clone();
    let mut base = out.base.take();
    let mut hops = 0;
    while let Some(name) = base {
        hops += 1;
        let def = defs
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(&name))
            .filter(|_| hops <= defs.len())
            .map(|(_, d)| d)
            .ok_or_else(|| SqlError::new(Code::WindowNoSuchWindow, format!("Window name '{name}' is not defined.")))?;
        if out.partition_by.is_empty() {
            out.partition_by = def.partition_by.clone();
        }
        if out.order_by.is_empty() {
            out.order_by = def.order_by.clone();
        }
        if out.frame.is_none() {
            out.frame = def.frame.clone();
        }
        base = def.base.clone();
    }
    Ok(out)
}

fn range_order_type() -> SqlError {
    SqlError::new(
        Code::WindowRangeFrameOrderType,
        "Window '<unnamed window>' with RANGE N PRECEDING/FOLLOWING frame requires exactly one ORDER BY expression, \
         of numeric or temporal type",
    )
}
