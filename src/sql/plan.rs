//! Bound plans: expressions with resolved column positions, FROM trees with
//! pushed-down filters and index access paths, and query plans.

use std::rc::Rc;

use crate::db::Snapshot;
use crate::time::Timestamp;

use super::ast::{BinOp, CmpOp, JoinKind, SetOpKind, UnOp};
use super::catalog::TableMeta;
use super::functions::{Func, Volatility};
use super::value::{Collation, KeyPart, SType, SqlType, Value};

/// A row of values.
pub type Row = Vec<Value>;

/// Aggregate functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggFunc {
    /// COUNT(*).
    CountStar,
    /// COUNT(x).
    Count,
    /// SUM.
    Sum,
    /// AVG.
    Avg,
    /// MIN.
    Min,
    /// MAX.
    Max,
    /// GROUP_CONCAT.
    GroupConcat,
    /// BIT_AND, BIT_OR, BIT_XOR (on 64-bit unsigned integers).
    BitAnd,
    /// BIT_OR.
    BitOr,
    /// BIT_XOR.
    BitXor,
    /// Population or sample (`true`) variance: VAR_POP/VARIANCE, VAR_SAMP.
    Variance(bool),
    /// Population or sample (`true`) standard deviation:
    /// STD/STDDEV/STDDEV_POP, STDDEV_SAMP.
    StdDev(bool),
    /// `GROUPING(a, …)` with `WITH ROLLUP`: a bit per argument, the first
    /// the highest, set where the row sums up that column (0 outside the
    /// super-aggregate rows).
    Grouping,
}

/// One aggregate call of a grouped SELECT.
#[derive(Debug, Clone)]
pub struct AggCall {
    /// Function.
    pub func: AggFunc,
    /// Argument (bound on the FROM row).
    pub arg: Option<BExpr>,
    /// The further arguments of `COUNT(DISTINCT a, b, ...)`.
    pub more: Vec<BExpr>,
    /// DISTINCT.
    pub distinct: bool,
    /// GROUP_CONCAT's ORDER BY: (expression, DESC).
    pub order: Vec<(BExpr, bool)>,
    /// GROUP_CONCAT's SEPARATOR.
    pub separator: String,
}

impl AggCall {
    /// A call of `func` on `arg` (no DISTINCT, ORDER BY or SEPARATOR).
    pub fn plain(func: AggFunc, arg: Option<BExpr>) -> AggCall {
        AggCall { func, arg, more: Vec::new(), distinct: false, order: Vec::new(), separator: ",".into() }
    }
}

/// The result of an uncorrelated subquery, computed once per statement.
#[derive(Debug)]
pub struct SubResult {
    /// Rows.
    pub rows: Vec<Row>,
    /// Keys of the first column (for IN).
    pub keys: crate::sql::exec::KeySet<KeyPart>,
    /// Whether the first column holds a NULL.
    pub has_null: bool,
    /// Whether the first column holds strings / non-strings.
    pub has_str: bool,
    /// Whether the first column holds non-strings.
    pub has_other: bool,
}

/// A subquery inside an expression.
#[derive(Debug)]
pub struct SubPlan {
    /// The plan.
    pub plan: QueryPlan,
    /// Whether it references enclosing rows (then it is run per row).
    pub correlated: bool,
    /// The execution slot that keeps its result when uncorrelated (see
    /// [`super::exec::ExecState`]).
    pub slot: usize,
}

/// How strongly an expression's collation binds in a comparison (MySQL's
/// coercibility, of the two kinds ReelDB tells apart): a `COLLATE` clause
/// overrides a column's collation, and literals take either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coercibility {
    /// `expr COLLATE name`.
    Explicit,
    /// A column's own collation.
    Implicit,
}

/// A bound expression.
#[derive(Debug, Clone)]
pub enum BExpr {
    /// A constant.
    Lit(Value),
    /// The `i`-th parameter of the execution (constant within it).
    Param(usize),
    /// A column of the current row.
    Col(usize),
    /// A column of an enclosing query's row: (levels up, position).
    Outer(usize, usize),
    /// Unary operation.
    Unary(UnOp, Box<BExpr>),
    /// Binary operation.
    Binary(BinOp, Box<BExpr>, Box<BExpr>),
    /// IS [NOT] NULL.
    IsNull(Box<BExpr>, bool),
    /// IS [NOT] TRUE/FALSE.
    IsBool(Box<BExpr>, bool, bool),
    /// [NOT] BETWEEN.
    Between(Box<BExpr>, Box<BExpr>, Box<BExpr>, bool),
    /// [NOT] IN (list).
    InList(Box<BExpr>, Vec<BExpr>, bool),
    /// [NOT] IN (subquery).
    InSub(Box<BExpr>, Rc<SubPlan>, bool),
    /// `(a, b, ...) [NOT] IN (subquery)`: the row's values, the subquery
    /// (of as many columns), NOT.
    RowInSub(Vec<BExpr>, Rc<SubPlan>, bool),
    /// `x op ANY|ALL (subquery)`: value, operator, subquery, ALL.
    Quantified(Box<BExpr>, CmpOp, Rc<SubPlan>, bool),
    /// [NOT] EXISTS.
    Exists(Rc<SubPlan>, bool),
    /// Scalar subquery.
    Scalar(Rc<SubPlan>),
    /// CASE.
    Case(Option<Box<BExpr>>, Vec<(BExpr, BExpr)>, Option<Box<BExpr>>),
    /// CAST.
    Cast(Box<BExpr>, SqlType),
    /// The value of an expression that chooses among values of several
    /// types (`CASE`, `COALESCE`, ...) in its static type
    /// ([`SType::conform`]: `IF(1, 2, 3.0)` is `2.0`).
    Conform(Box<BExpr>, SType),
    /// Scalar function (see [`Func`]), with the execution slot of a
    /// function that keeps state across its calls (`RAND(n)`'s sequence).
    Func(Func, Vec<BExpr>, Option<usize>),
    /// [NOT] LIKE: value, pattern, escape character, NOT, collation.
    Like(Box<BExpr>, Box<BExpr>, char, bool, Collation),
    /// `expr COLLATE name` ([`Coercibility::Explicit`]), or a column of a
    /// string column with a collation other than the default
    /// ([`Coercibility::Implicit`]): the value, whose comparisons, grouping
    /// and ordering (chosen by the binder) use the collation.
    Collate(Box<BExpr>, Collation, Coercibility),
    /// A comparison of strings under a collation other than the default
    /// (named by `COLLATE` or a column's).
    CmpIn(CmpOp, Collation, Box<BExpr>, Box<BExpr>),
}

impl BExpr {
    /// The column this expression is, as a comparison under `coll` reads
    /// it: a column without a collation of its own under the default one,
    /// or a column under its own (`BExpr::Collate`, implicit). Its index
    /// then holds every row an equality can accept (invariant "One index
    /// collation").
    pub fn column_under(&self, coll: Collation) -> Option<usize> {
        match self {
            BExpr::Col(c) if coll == Collation::Default => Some(*c),
            BExpr::Collate(e, cc, Coercibility::Implicit) if *cc == coll => match **e {
                BExpr::Col(c) => Some(c),
                _ => None,
            },
            _ => None,
        }
    }

    /// The operands of an `=` comparison and the collation it compares
    /// strings under (an equi-join key, a connection between two tables).
    pub fn as_equality(&self) -> Option<(&BExpr, &BExpr, Collation)> {
        match self {
            BExpr::Binary(BinOp::Cmp(CmpOp::Eq), a, b) => Some((a, b, Collation::Default)),
            BExpr::CmpIn(CmpOp::Eq, c, a, b) => Some((a, b, *c)),
            _ => None,
        }
    }
}

impl BExpr {
    /// Calls `f` on every column position referenced at this level (not
    /// inside subqueries); returns false if the expression holds a
    /// correlated subquery.
    pub fn columns(&self, f: &mut dyn FnMut(usize)) -> bool {
        let mut ok = true;
        self.walk(&mut |e| match e {
            BExpr::Col(i) => f(*i),
            BExpr::InSub(_, s, _)
            | BExpr::RowInSub(_, s, _)
            | BExpr::Quantified(_, _, s, _)
            | BExpr::Exists(s, _)
            | BExpr::Scalar(s)
                if s.correlated =>
            {
                ok = false
            }
            _ => {}
        });
        ok
    }

    /// Visits this node and its children (not into subqueries).
    pub fn walk(&self, f: &mut dyn FnMut(&BExpr)) {
        self.visit(&mut |e| {
            f(e);
            true
        })
    }

    /// Visits this node, and its children (not into subqueries) when `f`
    /// returns true for it.
    pub fn visit(&self, f: &mut dyn FnMut(&BExpr) -> bool) {
        if !f(self) {
            return;
        }
        match self {
            BExpr::Lit(_)
            | BExpr::Param(_)
            | BExpr::Col(_)
            | BExpr::Outer(..)
            | BExpr::Exists(..)
            | BExpr::Scalar(_) => {}
            BExpr::Unary(_, a)
            | BExpr::IsNull(a, _)
            | BExpr::IsBool(a, _, _)
            | BExpr::Cast(a, _)
            | BExpr::Conform(a, _)
            | BExpr::Collate(a, ..)
            | BExpr::InSub(a, _, _)
            | BExpr::Quantified(a, ..) => a.visit(f),
            BExpr::Binary(_, a, b) | BExpr::Like(a, b, ..) | BExpr::CmpIn(_, _, a, b) => {
                a.visit(f);
                b.visit(f);
            }
            BExpr::Between(a, b, c, _) => {
                a.visit(f);
                b.visit(f);
                c.visit(f);
            }
            BExpr::InList(a, l, _) => {
                a.visit(f);
                l.iter().for_each(|x| x.visit(f));
            }
            BExpr::RowInSub(l, ..) => l.iter().for_each(|x| x.visit(f)),
            BExpr::Case(o, w, e) => {
                if let Some(o) = o {
                    o.visit(f);
                }
                for (a, b) in w {
                    a.visit(f);
                    b.visit(f);
                }
                if let Some(e) = e {
                    e.visit(f);
                }
            }
            BExpr::Func(_, a, _) => a.iter().for_each(|x| x.visit(f)),
        }
    }

    /// Whether the expression holds a subquery.
    pub fn has_subquery(&self) -> bool {
        let mut found = false;
        self.walk(&mut |e| {
            if matches!(
                e,
                BExpr::InSub(..) | BExpr::RowInSub(..) | BExpr::Quantified(..) | BExpr::Exists(..) | BExpr::Scalar(_)
            ) {
                found = true;
            }
        });
        found
    }

    /// Shifts column positions by `-by` (for pushing a filter into one input).
    pub fn shifted(&self, by: usize) -> BExpr {
        self.remapped(&|c| c - by)
    }

    /// Moves every column position `c` (at this level) to `f(c)`.
    pub fn remapped(&self, f: &dyn Fn(usize) -> usize) -> BExpr {
        let mut e = self.clone();
        e.remap_mut(f);
        e
    }

    fn remap_mut(&mut self, by: &dyn Fn(usize) -> usize) {
        match self {
            BExpr::Col(i) => *i = by(*i),
            e => e.children_mut().into_iter().for_each(|x| x.remap_mut(by)),
        }
    }

    /// Replaces, top-down, each subexpression for which `f` gives a
    /// replacement (not looking inside the replacement, nor inside
    /// subqueries).
    pub fn substitute(&mut self, f: &dyn Fn(&BExpr) -> Option<BExpr>) {
        match f(self) {
            Some(r) => *self = r,
            None => self.children_mut().into_iter().for_each(|x| x.substitute(f)),
        }
    }

    /// The direct children (not into subqueries).
    fn children_mut(&mut self) -> Vec<&mut BExpr> {
        match self {
            BExpr::Col(_)
            | BExpr::Lit(_)
            | BExpr::Param(_)
            | BExpr::Outer(..)
            | BExpr::Exists(..)
            | BExpr::Scalar(_) => Vec::new(),
            BExpr::Unary(_, a)
            | BExpr::IsNull(a, _)
            | BExpr::IsBool(a, _, _)
            | BExpr::Cast(a, _)
            | BExpr::Conform(a, _)
            | BExpr::Collate(a, ..)
            | BExpr::InSub(a, _, _)
            | BExpr::Quantified(a, ..) => vec![&mut **a],
            BExpr::Binary(_, a, b) | BExpr::Like(a, b, ..) | BExpr::CmpIn(_, _, a, b) => vec![&mut **a, &mut **b],
            BExpr::Between(a, b, c, _) => vec![&mut **a, &mut **b, &mut **c],
            BExpr::InList(a, l, _) => std::iter::once(&mut **a).chain(l.iter_mut()).collect(),
            BExpr::RowInSub(l, ..) | BExpr::Func(_, l, _) => l.iter_mut().collect(),
            BExpr::Case(o, w, e) => {
                let mut v: Vec<&mut BExpr> = Vec::new();
                if let Some(o) = o {
                    v.push(&mut **o);
                }
                for (a, b) in w {
                    v.push(a);
                    v.push(b);
                }
                if let Some(e) = e {
                    v.push(&mut **e);
                }
                v
            }
        }
    }

    /// Whether two bound expressions are the same (bound expressions are
    /// plain data: equal ones print alike).
    pub fn same_as(&self, other: &BExpr) -> bool {
        format!("{self:?}") == format!("{other:?}")
    }

    /// Whether the expression refers to no column of the current row and
    /// holds no subquery (its value is fixed for one execution).
    pub fn is_const(&self) -> bool {
        let mut c = true;
        self.walk(&mut |e| {
            if matches!(
                e,
                BExpr::Col(_)
                    | BExpr::InSub(..)
                    | BExpr::RowInSub(..)
                    | BExpr::Quantified(..)
                    | BExpr::Exists(..)
                    | BExpr::Scalar(_)
            ) {
                c = false;
            }
            if let BExpr::Func(f, _, _) = e {
                if f.def().volatility == Volatility::Volatile {
                    c = false;
                }
            }
        });
        c
    }

    /// `a op b` where `a` is a column and `b` a constant: (column, op,
    /// other side). A column of a collation of its own matches in an
    /// equality under that collation only: its index holds every row such
    /// an equality can accept, but in the default collation's order
    /// (invariant "One index collation").
    pub fn as_col_cmp(&self) -> Option<(usize, CmpOp, &BExpr)> {
        if let BExpr::CmpIn(CmpOp::Eq, coll, a, b) = self {
            return match (a.column_under(*coll), b.column_under(*coll)) {
                (Some(c), _) if b.is_const() => Some((c, CmpOp::Eq, b)),
                (_, Some(c)) if a.is_const() => Some((c, CmpOp::Eq, a)),
                _ => None,
            };
        }
        if let BExpr::Binary(BinOp::Cmp(op), a, b) = self {
            if *op == CmpOp::NullSafeEq || *op == CmpOp::Ne {
                return None;
            }
            if let BExpr::Col(c) = **a {
                if b.is_const() {
                    return Some((c, *op, b));
                }
            }
            if let BExpr::Col(c) = **b {
                if a.is_const() {
                    return Some((c, op.flip(), a));
                }
            }
        }
        None
    }
}

/// A snapshot held by a plan.
#[derive(Clone)]
pub struct Snap(pub Snapshot);

impl std::fmt::Debug for Snap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Snapshot")
    }
}

impl std::ops::Deref for Snap {
    type Target = Snapshot;
    fn deref(&self) -> &Snapshot {
        &self.0
    }
}

/// How a table leaf is read.
#[derive(Debug, Clone)]
pub enum Access {
    /// Every row.
    Full,
    /// Equality on the first column of an index (several values for IN).
    IndexEq {
        /// Index position in the table's index list.
        index: usize,
        /// Values.
        values: Vec<BExpr>,
    },
    /// A range on the first column of an index.
    IndexRange {
        /// Index position.
        index: usize,
        /// Low bound.
        lo: Option<BExpr>,
        /// High bound.
        hi: Option<BExpr>,
    },
}

/// Where a leaf's rows come from.
#[derive(Debug)]
pub enum LeafSource {
    /// A stored table at one snapshot.
    Table {
        /// Definition.
        meta: Rc<TableMeta>,
        /// Snapshot read.
        snap: Snap,
        /// Access path.
        access: Access,
        /// Whether each row ends with its row id, as an integer (how
        /// `UPDATE` and `DELETE` select their rows through the planner).
        row_id: bool,
    },
    /// Every version of a table's rows over a period (with ROW_START,
    /// ROW_END appended).
    Versions {
        /// Definition.
        meta: Rc<TableMeta>,
        /// Period start.
        from: Timestamp,
        /// Period end.
        to: Timestamp,
        /// Whether a version starting exactly at `to` is included.
        inclusive_end: bool,
    },
    /// Rows computed at planning time (information_schema, table
    /// functions), with their width.
    Rows(Vec<Row>, usize),
    /// A derived table, view or nested join.
    Query(Box<QueryPlan>),
    /// The rows a recursive CTE produced in its last iteration (its
    /// reference inside its own recursive part): the execution slot that
    /// holds them, and their width.
    Working(usize, usize),
    /// A nested join.
    Join(Box<FromPlan>),
}

/// One FROM input with the filters pushed into it.
#[derive(Debug)]
pub struct Leaf {
    /// Source.
    pub source: LeafSource,
    /// Width of its rows.
    pub width: usize,
    /// Filters on its own columns.
    pub filters: Vec<BExpr>,
    /// For a stored table: which of its columns the query reads, where
    /// that is known (see [`SelectPlan::narrow_reads`]); the strings of
    /// the others are not decoded. None: every column.
    pub read: Option<Vec<bool>>,
}

/// A join step: the accumulated rows joined with one more leaf.
#[derive(Debug)]
pub struct Step {
    /// Kind.
    pub kind: JoinKind,
    /// Equi-join keys: (expression on the accumulated row, expression on
    /// the leaf row, the collation strings compare under).
    pub keys: Vec<(BExpr, BExpr, Collation)>,
    /// Join condition on the combined row (ON for outer joins, WHERE parts for inner).
    pub cond: Vec<BExpr>,
    /// Filters applied after the join (WHERE parts over an outer join).
    pub post: Vec<BExpr>,
    /// `(key, index)`: the leaf is a table whose index `index` starts with
    /// the leaf column of equi-join key `key`, so its rows may be fetched
    /// by looking up the accumulated rows' key values instead of a scan.
    pub probe: Option<(usize, usize)>,
}

/// A FROM clause: leaves joined left to right (in join order).
#[derive(Debug)]
pub struct FromPlan {
    /// Leaves in order.
    pub leaves: Vec<Leaf>,
    /// Steps; `steps[i]` joins leaf `i + 1`.
    pub steps: Vec<Step>,
    /// Filters applied to the complete rows (in the written layout).
    pub post: Vec<BExpr>,
    /// Total width.
    pub width: usize,
    /// When the leaves are joined in another order than written (see
    /// `joinorder`): the rows are built with the leaves' columns in join
    /// order, and column `j` of the written row is column `perm[j]` of
    /// the joined row. Applied before `post`.
    pub perm: Option<Vec<usize>>,
}

/// A FROM clause that is one stored table (see [`FromPlan::one_table`]).
pub struct OneTable<'p> {
    /// The leaf (its filters and the columns read).
    pub leaf: &'p Leaf,
    /// The table.
    pub meta: &'p Rc<TableMeta>,
    /// The snapshot read.
    pub snap: &'p Snap,
    /// The access path.
    pub access: &'p Access,
}

impl FromPlan {
    /// The FROM clause as one stored table, where it is one (read for its
    /// rows, not the row ids of an UPDATE or DELETE).
    pub fn one_table(&self) -> Option<OneTable<'_>> {
        match self.leaves.as_slice() {
            [leaf @ Leaf { source: LeafSource::Table { meta, snap, access, row_id: false }, .. }] => {
                Some(OneTable { leaf, meta, snap, access })
            }
            _ => None,
        }
    }
}

/// Window functions (see `window.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowFunc {
    RowNumber,
    Rank,
    DenseRank,
    PercentRank,
    CumeDist,
    /// NTILE(n): the number of buckets.
    Ntile(i64),
    /// LAG(x, offset, default): the offset.
    Lag(usize),
    /// LEAD(x, offset, default): the offset.
    Lead(usize),
    FirstValue,
    LastValue,
    /// NTH_VALUE(x, n): n (from 1).
    NthValue(usize),
    /// An aggregate over the frame.
    Agg(AggFunc),
}

/// One end of a bound window frame (offsets are row counts for ROWS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameEdge {
    UnboundedPreceding,
    Preceding(usize),
    CurrentRow,
    Following(usize),
    UnboundedFollowing,
    /// RANGE `n PRECEDING`/`n FOLLOWING`: the edge is where the ORDER BY
    /// key reaches the row's bound ([`WindowCall::range_bounds`]).
    Value,
}

/// A window frame: ROWS between two edges, or RANGE (peers of the current
/// row count as one) between two edges, whose offsets are values of the
/// ORDER BY key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    /// ROWS (else RANGE).
    pub rows: bool,
    pub start: FrameEdge,
    pub end: FrameEdge,
}

/// One window function call of a SELECT; its value goes into the row at
/// [`SelectPlan::window_base`] plus its index.
#[derive(Debug, Clone)]
pub struct WindowCall {
    pub func: WindowFunc,
    /// Arguments (bound on the row after grouping): the value, then for
    /// LAG/LEAD the default.
    pub args: Vec<BExpr>,
    /// PARTITION BY.
    pub partition: Vec<BExpr>,
    /// ORDER BY (expression, DESC).
    pub order: Vec<(BExpr, bool)>,
    pub frame: Frame,
    /// For a RANGE frame's [`FrameEdge::Value`] start and end: the bound
    /// of the row's frame (its ORDER BY key minus or plus the offset).
    pub range_bounds: [Option<BExpr>; 2],
}

/// A SELECT block.
#[derive(Debug)]
pub struct SelectPlan {
    /// FROM (None: one empty row).
    pub from: Option<FromPlan>,
    /// Grouping: (keys, aggregates); the grouped row is the group's first
    /// row, then a slot for each window value, then the aggregate values.
    pub group: Option<(Vec<BExpr>, Vec<AggCall>)>,
    /// `WITH ROLLUP`: after the groups, a super-aggregate row for each
    /// prefix of the keys; the grouped row then ends with a slot for each
    /// key's value (NULL where rolled up), which the binder substitutes
    /// for the keys' occurrences in the select list, HAVING, ORDER BY and
    /// the window calls.
    pub rollup: bool,
    /// HAVING.
    pub having: Option<BExpr>,
    /// Window function calls, computed after grouping and HAVING.
    pub windows: Vec<WindowCall>,
    /// Where the window values go in the row (the FROM row's width; the
    /// aggregate values of a grouped row follow them).
    pub window_base: usize,
    /// Output expressions.
    pub projection: Vec<BExpr>,
    /// Their static types.
    pub types: Vec<SType>,
    /// Sort keys.
    pub order: Vec<(BExpr, bool)>,
    /// DISTINCT.
    pub distinct: bool,
    /// LIMIT.
    pub limit: Option<usize>,
    /// OFFSET.
    pub offset: usize,
}

impl SelectPlan {
    /// When the SELECT reads one stored table, marks the table's columns
    /// that its expressions read ([`Leaf::read`]), so a scan skips the
    /// strings of the others. Every expression of the plan counts, before
    /// and after grouping (a grouped row starts with the table's columns,
    /// so a slot index there only marks more); a subquery (which may read
    /// the row through an outer reference) or a window call leaves every
    /// column read.
    pub fn narrow_reads(&mut self) {
        let Some(from) = &self.from else { return };
        let Some(OneTable { leaf, meta, .. }) = from.one_table() else { return };
        if !self.windows.is_empty() {
            return;
        }
        let mut exprs: Vec<&BExpr> = Vec::new();
        exprs.extend(&leaf.filters);
        exprs.extend(&from.post);
        if let Some((keys, aggs)) = &self.group {
            exprs.extend(keys);
            for a in aggs {
                exprs.extend(a.arg.iter().chain(&a.more).chain(a.order.iter().map(|(e, _)| e)));
            }
        }
        exprs.extend(&self.having);
        exprs.extend(&self.projection);
        exprs.extend(self.order.iter().map(|(e, _)| e));
        let mut read = vec![false; meta.columns.len()];
        let mut all = false;
        for e in exprs {
            e.walk(&mut |x| match x {
                BExpr::Col(i) => {
                    if let Some(r) = read.get_mut(*i) {
                        *r = true;
                    }
                }
                BExpr::InSub(..)
                | BExpr::RowInSub(..)
                | BExpr::Quantified(..)
                | BExpr::Exists(..)
                | BExpr::Scalar(_) => all = true,
                _ => {}
            });
        }
        if !all && read.contains(&false) {
            if let Some(f) = &mut self.from {
                f.leaves[0].read = Some(read);
            }
        }
    }
}

/// A query plan.
#[derive(Debug)]
pub enum QueryPlan {
    /// A SELECT.
    Select(Box<SelectPlan>, Vec<String>),
    /// VALUES rows.
    Values(Vec<Vec<BExpr>>, Vec<String>),
    /// A set operation.
    SetOp {
        /// Kind.
        op: SetOpKind,
        /// ALL.
        all: bool,
        /// Left input.
        left: Box<QueryPlan>,
        /// Right input.
        right: Box<QueryPlan>,
    },
    /// A recursive common table expression: `anchor`'s rows, then `step`
    /// run again and again over the rows of the iteration before (in
    /// the execution slot `working`) until it yields no new rows.
    Recursive {
        /// The non-recursive part.
        anchor: Box<QueryPlan>,
        /// The recursive part (reads `working`).
        step: Box<QueryPlan>,
        /// UNION ALL (else duplicates are dropped, which also ends cycles).
        all: bool,
        /// The execution slot of the previous iteration's rows.
        working: usize,
        /// Output column names.
        columns: Vec<String>,
        /// Iterations allowed (`cte_max_recursion_depth`).
        max_depth: usize,
    },
    /// ORDER BY / LIMIT over another plan's output.
    Sorted {
        /// Input.
        input: Box<QueryPlan>,
        /// (output column, DESC).
        order: Vec<(usize, bool)>,
        /// LIMIT.
        limit: Option<usize>,
        /// OFFSET.
        offset: usize,
    },
}

impl QueryPlan {
    /// Output column names.
    pub fn columns(&self) -> Vec<String> {
        match self {
            QueryPlan::Select(_, c) | QueryPlan::Values(_, c) => c.clone(),
            QueryPlan::SetOp { left, .. } => left.columns(),
            QueryPlan::Sorted { input, .. } => input.columns(),
            QueryPlan::Recursive { columns, .. } => columns.clone(),
        }
    }

    /// The static types of the output columns (a set operation's are the
    /// aggregation of its sides', [`SType::merge`]).
    /// Its columns' collations other than the default (a derived table's
    /// column keeps the collation of its expression; a set operation's
    /// column, the one both sides agree on).
    pub fn collations(&self) -> Vec<Option<Collation>> {
        match self {
            QueryPlan::Select(s, _) => {
                s.projection.iter().map(|e| e.collation().filter(|c| *c != Collation::Default)).collect()
            }
            QueryPlan::Values(_, c) => vec![None; c.len()],
            QueryPlan::SetOp { left, right, .. } => {
                left.collations().into_iter().zip(right.collations()).map(|(a, b)| a.filter(|_| a == b)).collect()
            }
            QueryPlan::Sorted { input, .. } => input.collations(),
            QueryPlan::Recursive { anchor, .. } => anchor.collations(),
        }
    }

    pub fn types(&self) -> Vec<SType> {
        match self {
            QueryPlan::Select(s, _) => s.types.clone(),
            QueryPlan::Values(_, c) => vec![SType::Unknown; c.len()],
            QueryPlan::SetOp { left, right, .. } => {
                left.types().into_iter().zip(right.types()).map(|(a, b)| a.merge(b)).collect()
            }
            QueryPlan::Sorted { input, .. } => input.types(),
            QueryPlan::Recursive { anchor, .. } => anchor.types(),
        }
    }
}
