//! Common table expressions: bound where they are referenced, recursive
//! ones as an anchor, a recursive part and a working table.

use std::cell::Cell;

use crate::sql::error::{Code, SqlError, SqlResult};

use super::*;

impl<'a> Binder<'a> {
    /// Binds a reference to the common table expression at `at` in the
    /// scope: its query sees only the CTEs defined before it (and, if
    /// recursive, itself in its recursive part).
    pub(super) fn cte(&self, at: usize) -> SqlResult<(QueryPlan, Vec<String>)> {
        let hidden = self.ctes.borrow_mut().split_off(at);
        let result = match &hidden[0] {
            CteScope::Def(cte) => self.cte_plan(cte),
            CteScope::Working { .. } => Err(SqlError::new(Code::Storage, "a CTE's rows bound as its definition")),
        };
        self.ctes.borrow_mut().extend(hidden);
        result
    }

    pub(super) fn cte_plan(&self, cte: &Cte) -> SqlResult<(QueryPlan, Vec<String>)> {
        let names = |plan: &QueryPlan| -> SqlResult<Vec<String>> {
            let names = plan.columns();
            if cte.columns.is_empty() {
                return Ok(names);
            }
            if cte.columns.len() != names.len() {
                return Err(SqlError::new(
                    Code::ViewWrongList,
                    format!(
                        "In definition of common table expression '{}', SELECT list and column names list have \
                         different column counts",
                        cte.name
                    ),
                ));
            }
            Ok(cte.columns.clone())
        };
        if let (true, SetExpr::SetOp { op: SetOpKind::Union, .. }) = (cte.recursive, &cte.query.body) {
            // `A UNION B UNION C ...`: the blocks that do not read the CTE
            // are its anchor, the others its recursive part, each block
            // of which runs over the rows of the iteration before (MySQL)
            let mut blocks = Vec::new();
            let mut all = true;
            union_blocks(&cte.query.body, &mut blocks, &mut all);
            let anchor = self.set_expr(blocks[0], None)?;
            let columns = names(&anchor)?;
            let working = self.next_slot();
            let (mut anchors, mut steps) = (vec![anchor], Vec::new());
            for block in &blocks[1..] {
                self.ctes.borrow_mut().push(CteScope::Working {
                    name: cte.name.clone(),
                    slot: working,
                    columns: columns.clone(),
                    used: Cell::new(0),
                });
                let plan = self.set_expr(block, None);
                let used = match self.ctes.borrow_mut().pop() {
                    Some(CteScope::Working { used, .. }) => used.get(),
                    _ => 0,
                };
                let plan = plan?;
                if used > 1 {
                    return Err(SqlError::new(
                        Code::CteRecursiveRequiresSingleReference,
                        format!(
                            "In recursive query block of Recursive Common Table Expression '{}', the recursive \
                             table must be referenced only once, and not in any subquery",
                            cte.name
                        ),
                    ));
                }
                if plan.columns().len() != columns.len() {
                    return Err(SqlError::new(
                        Code::WrongNumberOfColumnsInSelect,
                        "The used SELECT statements have a different number of columns",
                    ));
                }
                if used == 1 {
                    steps.push(plan);
                } else {
                    anchors.push(plan);
                }
            }
            if !steps.is_empty() {
                if !cte.query.order_by.is_empty() || cte.query.limit.is_some() || cte.query.offset.is_some() {
                    return Err(SqlError::unsupported("ORDER BY or LIMIT in a recursive common table expression"));
                }
                let union = |plans: Vec<QueryPlan>| {
                    plans
                        .into_iter()
                        .reduce(|l, r| QueryPlan::SetOp {
                            op: SetOpKind::Union,
                            all,
                            left: Box::new(l),
                            right: Box::new(r),
                        })
                        .expect("at least one block")
                };
                let plan = QueryPlan::Recursive {
                    anchor: Box::new(union(anchors)),
                    step: Box::new(union(steps)),
                    all,
                    working,
                    columns: columns.clone(),
                    max_depth: self.cte_max_depth,
                };
                return Ok((plan, columns));
            }
            // The recursive part does not refer to the CTE: an ordinary one.
        }
        let plan = self.query(&cte.query, None)?;
        let columns = names(&plan)?;
        Ok((plan, columns))
    }
}

/// The query blocks of a chain of `UNION`s, left to right; `all` is false
/// when one of the unions is `UNION DISTINCT`.
fn union_blocks<'q>(s: &'q SetExpr, out: &mut Vec<&'q SetExpr>, all: &mut bool) {
    match s {
        SetExpr::SetOp { op: SetOpKind::Union, all: a, left, right } => {
            *all &= *a;
            union_blocks(left, out, all);
            union_blocks(right, out, all);
        }
        other => out.push(other),
    }
}
