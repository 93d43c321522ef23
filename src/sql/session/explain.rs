//! `EXPLAIN SELECT ...`: the plan the binder made, one row per table read,
//! in MySQL 8's traditional format (`id`, `select_type`, `table`, `type`,
//! `possible_keys`, `key`, `Extra`, ...). `type` says how a table is read:
//! `const` (one row by its primary or a unique key), `eq_ref` / `ref` (by
//! an index, for each row of the tables before it in a join), `range` (an
//! index range, or several keys), `ALL` (every row). ReelDB keeps no row
//! counts, so `rows` and `filtered` are NULL.

use super::{Session, StatementResult};
use crate::sql::ast::Query;
use crate::sql::error::SqlResult;
use crate::sql::plan::{Access, FromPlan, LeafSource, QueryPlan, Row};
use crate::sql::value::Value;

const COLUMNS: [&str; 12] = [
    "id",
    "select_type",
    "table",
    "partitions",
    "type",
    "possible_keys",
    "key",
    "key_len",
    "ref",
    "rows",
    "filtered",
    "Extra",
];

impl Session {
    /// `EXPLAIN q`.
    pub(super) fn explain(&mut self, q: &Query) -> SqlResult<StatementResult> {
        let plan = self.with_binder(|b| b.query(q, None))?;
        let mut out = Explain { rows: Vec::new(), next_id: 1 };
        out.plan(&plan, "SIMPLE");
        Ok(StatementResult::Rows { columns: COLUMNS.iter().map(|c| c.to_string()).collect(), rows: out.rows })
    }
}

struct Explain {
    rows: Vec<Row>,
    next_id: i64,
}

fn text(s: &str) -> Value {
    Value::Str(s.to_string())
}

fn opt(s: Option<String>) -> Value {
    s.map_or(Value::Null, Value::Str)
}

impl Explain {
    fn plan(&mut self, p: &QueryPlan, select_type: &str) {
        match p {
            QueryPlan::Select(s, _) => {
                let id = self.next_id;
                self.next_id += 1;
                let mut extra = Vec::new();
                if s.group.is_some() || s.distinct {
                    extra.push("Using temporary");
                }
                if !s.order.is_empty() {
                    extra.push("Using filesort");
                }
                match &s.from {
                    Some(f) => self.from(f, id, select_type, &extra),
                    None => self.row(id, select_type, None, None, None, &["No tables used"]),
                }
            }
            QueryPlan::Values(..) => {
                let id = self.next_id;
                self.next_id += 1;
                self.row(id, select_type, None, None, None, &["No tables used"]);
            }
            QueryPlan::SetOp { left, right, .. } => {
                self.plan(left, if select_type == "SIMPLE" { "PRIMARY" } else { select_type });
                self.plan(right, "UNION");
            }
            QueryPlan::Recursive { anchor, step, .. } => {
                self.plan(anchor, if select_type == "SIMPLE" { "PRIMARY" } else { select_type });
                self.plan(step, "RECURSIVE UNION");
            }
            QueryPlan::Sorted { input, .. } => self.plan(input, select_type),
        }
    }

    fn from(&mut self, f: &FromPlan, id: i64, select_type: &str, extra: &[&str]) {
        for (i, leaf) in f.leaves.iter().enumerate() {
            let mut notes: Vec<&str> = if i == 0 { extra.to_vec() } else { Vec::new() };
            let step = i.checked_sub(1).and_then(|s| f.steps.get(s));
            if !leaf.filters.is_empty() || step.is_some_and(|s| !s.cond.is_empty() || !s.post.is_empty()) {
                notes.push("Using where");
            }
            match &leaf.source {
                LeafSource::Table { meta, access, .. } => {
                    let index = |k: usize| meta.indexes.get(k);
                    let (kind, key) = match (step.and_then(|s| s.probe), access) {
                        (Some((_, k)), _) => {
                            let ix = index(k);
                            (if ix.is_some_and(|ix| ix.unique && ix.columns.len() == 1) { "eq_ref" } else { "ref" }, ix)
                        }
                        (None, Access::IndexEq { index: k, values }) => {
                            let ix = index(*k);
                            let one_row = ix.is_some_and(|ix| ix.unique && ix.columns.len() == 1);
                            (
                                match (values.len(), one_row) {
                                    (1, true) => "const",
                                    (1, false) => "ref",
                                    _ => "range",
                                },
                                ix,
                            )
                        }
                        (None, Access::IndexRange { index: k, .. }) => ("range", index(*k)),
                        (None, Access::Full) => ("ALL", None),
                    };
                    let key = key.map(|ix| ix.name.clone());
                    self.row(id, select_type, Some(meta.name.clone()), Some(kind), key, &notes);
                }
                LeafSource::Versions { meta, .. } => {
                    self.row(id, select_type, Some(meta.name.clone()), Some("ALL"), None, &notes)
                }
                LeafSource::Rows(..) => self.row(id, select_type, None, Some("ALL"), None, &notes),
                LeafSource::Working(..) => {
                    self.row(id, select_type, Some("<recursive>".into()), Some("ALL"), None, &notes)
                }
                LeafSource::Join(inner) => self.from(inner, id, select_type, &notes),
                LeafSource::Query(inner) => {
                    let derived = self.next_id;
                    self.row(id, select_type, Some(format!("<derived{derived}>")), Some("ALL"), None, &notes);
                    self.plan(inner, "DERIVED");
                }
            }
        }
    }

    fn row(
        &mut self,
        id: i64,
        select_type: &str,
        table: Option<String>,
        kind: Option<&str>,
        key: Option<String>,
        extra: &[&str],
    ) {
        self.rows.push(vec![
            Value::Int(id),
            text(select_type),
            opt(table),
            Value::Null,
            opt(kind.map(str::to_string)),
            opt(key.clone()),
            opt(key),
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            if extra.is_empty() { Value::Null } else { text(&extra.join("; ")) },
        ]);
    }
}
