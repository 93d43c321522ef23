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
        if let (true, SetExpr::SetOp { op: SetOpKind::Union, all, left, right }) = (cte.recursive, &cte.query.body) {
            let anchor = self.set_expr(left, None)?;
            let columns = names(&anchor)?;
            let working = self.next_slot();
            self.ctes.borrow_mut().push(CteScope::Working {
                name: cte.name.clone(),
                slot: working,
                columns: columns.clone(),
                used: Cell::new(0),
            });
            let step = self.set_expr(right, None);
            let used = match self.ctes.borrow_mut().pop() {
                Some(CteScope::Working { used, .. }) => used.get(),
                _ => 0,
            };
            let step = step?;
            if used > 1 {
                return Err(SqlError::new(
                    Code::NotSupported,
                    format!(
                        "In recursive query block of Recursive Common Table Expression '{}', the recursive table \
                         must be referenced only once",
                        cte.name
                    ),
                ));
            }
            if used == 1 {
                if step.columns().len() != columns.len() {
                    return Err(SqlError::new(
                        Code::WrongNumberOfColumnsInSelect,
                        "The used SELECT statements have a different number of columns",
                    ));
                }
                if !cte.query.order_by.is_empty() || cte.query.limit.is_some() || cte.query.offset.is_some() {
                    return Err(SqlError::unsupported("ORDER BY or LIMIT in a recursive common table expression"));
                }
                let plan = QueryPlan::Recursive {
                    anchor: Box::new(anchor),
                    step: Box::new(step),
                    all: *all,
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
