//! The database's own history as SQL sees it: restore points, the
//! `information_schema` tables and the `reeldb_diff` table function.

use crate::db::{BacktrackStatus, Database, EntryKind, RestorePoint};
use crate::time::Timestamp;

use super::{no_table, Session, StatementResult};
use crate::sql::bind::{to_timestamp, CATALOG_AS_OF_TABLES};
use crate::sql::catalog::*;
use crate::sql::error::{Code, SqlError, SqlResult};
use crate::sql::exec::Exec;
use crate::sql::plan::Row;
use crate::sql::value::Value;

impl Session {
    /// Names the current time as a restore point (`CREATE RESTORE POINT`).
    pub fn create_restore_point(&mut self, name: &str) -> crate::Result<RestorePoint> {
        self.db.create_restore_point(name)
    }

    /// Drops a restore point (`DROP RESTORE POINT`).
    pub fn drop_restore_point(&mut self, name: &str) -> crate::Result<()> {
        self.db.drop_restore_point(name)
    }

    /// The rows of `table` (`db.t`, or a table of the current database)
    /// that differ between `from` and `to` (`reeldb_diff`): `change`
    /// ("added" | "removed" | "changed"), the columns at `to`, then the
    /// columns at `from` prefixed `old_`.
    pub fn diff(&self, table: &str, from: Timestamp, to: Timestamp) -> SqlResult<StatementResult> {
        let (columns, rows) = table_diff(&self.db, &self.cur_db, table, (from, to), self.query_memory_limit)?;
        Ok(StatementResult::Rows { columns, rows })
    }
}

fn ts_value(t: Timestamp) -> Value {
    Value::DateTime(t)
}

/// `information_schema.global_status` rows.
pub(crate) fn global_status(db: &Database) -> (Vec<String>, Vec<Row>) {
    let st = db.status();
    let rows = vec![
        vec![Value::Str("Backtrack_window_target".into()), Value::Str(st.window_target_secs.to_string())],
        vec![Value::Str("Backtrack_window_actual".into()), Value::Str(st.window_actual_secs.to_string())],
        vec![Value::Str("Backtrack_earliest_time".into()), Value::Str(st.earliest.to_string())],
        vec![Value::Str("Backtrack_history_bytes".into()), Value::Str(st.history_bytes.to_string())],
    ];
    (vec!["variable_name".into(), "variable_value".into()], rows)
}

/// Rows of information_schema tables and of table functions (`mem_limit`:
/// the session's `query_memory_limit`).
pub(super) fn virtual_rows(
    db: &Database,
    cat: &Catalog,
    cur_db: &str,
    name: &str,
    args: &[Value],
    mem_limit: usize,
) -> SqlResult<Option<(Vec<String>, Vec<Row>)>> {
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    // `information_schema.tables FOR SYSTEM_TIME AS OF t`: the catalog of t.
    let then;
    let cat = match args {
        [Value::DateTime(t)] if CATALOG_AS_OF_TABLES.contains(&name) => {
            then = Catalog::load(db, &db.as_of(*t)?)?;
            &then
        }
        _ => cat,
    };
    if let Some(r) = super::info_schema::catalog_rows(cat, name) {
        return Ok(Some(r));
    }
    Ok(Some(match name {
        "information_schema.backtracks" => (
            names(&["id", "backtrack_to", "backtracked_from", "status", "reason"]),
            db.backtracks()
                .iter()
                .map(|b| {
                    let (status, reason) = match &b.status {
                        BacktrackStatus::Completed => ("completed", Value::Null),
                        BacktrackStatus::Failed(r) => ("failed", Value::Str(r.clone())),
                    };
                    vec![
                        Value::Int(b.id as i64),
                        ts_value(b.target),
                        ts_value(b.from),
                        Value::Str(status.into()),
                        reason,
                    ]
                })
                .collect(),
        ),
        "information_schema.timeline" => (
            names(&["seq", "time", "kind", "statement", "rows_changed"]),
            db.timeline()?
                .iter()
                .map(|e| {
                    vec![
                        Value::Int(e.seq as i64),
                        ts_value(e.time),
                        Value::Str(match e.kind {
                            EntryKind::Commit => "commit".into(),
                            EntryKind::Backtrack => "backtrack".into(),
                        }),
                        Value::Str(e.summary.clone()),
                        Value::Int(e.rows_changed as i64),
                    ]
                })
                .collect(),
        ),
        "information_schema.restore_points" => (
            names(&["name", "time"]),
            db.restore_points().iter().map(|r| vec![Value::Str(r.name.clone()), ts_value(r.time)]).collect(),
        ),
        "information_schema.global_status" => global_status(db),
        "reeldb_diff" => {
            if args.len() != 3 {
                return Err(SqlError::new(
                    Code::WrongParamcount,
                    "reeldb_diff(table, from_time, to_time) takes 3 arguments",
                ));
            }
            let tname = args[0].to_text().unwrap_or_default();
            table_diff(db, cur_db, &tname, (to_timestamp(&args[1])?, to_timestamp(&args[2])?), mem_limit)?
        }
        _ => return Ok(None),
    }))
}

/// A row's stored bytes before and after a change (None: absent).
type BeforeAfter = (Option<Vec<u8>>, Option<Vec<u8>>);

/// The column positions of a table's primary key, if it has one.
fn primary_columns(meta: &TableMeta) -> Option<Vec<usize>> {
    meta.indexes.iter().find(|ix| ix.primary).map(|ix| ix.columns.clone())
}

/// A row's primary key as bytes that are equal exactly when the key is
/// (the index encoding, which follows the default collation, plus an
/// integer's exact value, which the encoding keeps only as a double, and a
/// string's key under its column's own collation).
fn pk_key(meta: &TableMeta, columns: &[usize], row: &Row) -> Vec<u8> {
    let mut k = Vec::new();
    for &c in columns {
        let v = row.get(c).unwrap_or(&Value::Null);
        encode_key(v, &mut k);
        match (v, meta.columns.get(c).and_then(|c| c.collation())) {
            (Value::Int(i), _) => k.extend_from_slice(&i.to_be_bytes()),
            (Value::Str(s), Some(coll)) => {
                let key = coll.key(s);
                k.extend_from_slice(&(key.len() as u64).to_be_bytes());
                k.extend_from_slice(key.as_bytes());
            }
            _ => {}
        }
    }
    k
}

/// The row keys in `range` that held two different rows between `from`
/// and `to`: the key was absent for a while in between, so its row id
/// was given to a new row (after TRUNCATE or a backtrack).
fn reused_row_ids(
    db: &Database,
    range: (std::ops::Bound<&[u8]>, std::ops::Bound<&[u8]>),
    from: Timestamp,
    to: Timestamp,
) -> SqlResult<std::collections::HashSet<Vec<u8>>> {
    let versions = db.row_versions(range.0, range.1, from, to)?;
    // Versions come by key, then start: a gap between two of one key's
    // versions means the row was gone in between.
    Ok(versions
        .windows(2)
        .filter(|w| w[0].key == w[1].key && w[0].end != Some(w[1].start))
        .map(|w| w[0].key.clone())
        .collect())
}

/// The rows of `table` (`db.t` or a table of `cur_db`) that differ between
/// `t1` and `t2`: `change` ("added" | "removed" | "changed"), the columns
/// at `t2`, then the columns at `t1` prefixed `old_` (`reeldb_diff`;
/// `mem_limit`: the session's `query_memory_limit`).
fn table_diff(
    db: &Database,
    cur_db: &str,
    tname: &str,
    (t1, t2): (Timestamp, Timestamp),
    mem_limit: usize,
) -> SqlResult<(Vec<String>, Vec<Row>)> {
    let (tdb, tn) = match tname.split_once('.') {
        Some((a, b)) => (a.to_string(), b.to_string()),
        None => (cur_db.to_string(), tname.to_string()),
    };
    // A time after the clock reads the current state, as AS OF does.
    let s1 = crate::sql::as_of::read_as_of(db, t1)?;
    let s2 = crate::sql::as_of::read_as_of(db, t2)?;
    let c1 = Catalog::load(db, &s1)?;
    let c2 = Catalog::load(db, &s2)?;
    let m1 = c1.table(&tdb, &tn);
    let m2 = c2.table(&tdb, &tn);
    let meta = m2.clone().or(m1.clone()).ok_or_else(|| no_table(&tdb, &tn))?;
    let ncols = meta.columns.len();
    let mut cols = vec!["change".to_string()];
    cols.extend(meta.columns.iter().map(|c| c.name.clone()));
    cols.extend(meta.columns.iter().map(|c| format!("old_{}", c.name)));
    let mut out = Vec::new();
    let mut push = |kind: &str, before: Option<Row>, after: Option<Row>| {
        let mut r = vec![Value::Str(kind.into())];
        let mut a = after.unwrap_or_default();
        a.resize(ncols, Value::Null);
        let mut b = before.unwrap_or_default();
        b.resize(ncols, Value::Null);
        r.extend(a);
        r.extend(b);
        out.push(r);
    };
    match (&m1, &m2) {
        (Some(a), Some(b)) if a.id == b.id => {
            let prefix = row_prefix(a.id);
            let end = prefix_end(&prefix).unwrap_or_default();
            let range = (std::ops::Bound::Included(&prefix[..]), std::ops::Bound::Excluded(&end[..]));
            let changes = db.diff(&s1, &s2, range.0, range.1)?;
            // Each change as (before, after) row bytes, keyed so that two
            // different rows are never paired: by primary key where the
            // table has one at both times, else by row id, split into a
            // removal and an addition where the row id was reused
            // (after TRUNCATE or a backtrack).
            let mut keyed: std::collections::BTreeMap<Vec<u8>, BeforeAfter> = Default::default();
            match (primary_columns(a), primary_columns(b)) {
                (Some(pa), Some(pb)) => {
                    for d in changes {
                        if let Some(before) = d.before {
                            let key = pk_key(a, &pa, &decode_row(&before)?);
                            keyed.entry(key).or_default().0 = Some(before);
                        }
                        if let Some(after) = d.after {
                            let key = pk_key(b, &pb, &decode_row(&after)?);
                            keyed.entry(key).or_default().1 = Some(after);
                        }
                    }
                }
                _ => {
                    let reused = if changes.iter().any(|d| d.before.is_some() && d.after.is_some()) {
                        reused_row_ids(db, range, t1.min(t2), t1.max(t2))?
                    } else {
                        Default::default()
                    };
                    for d in changes {
                        if d.before.is_some() && d.after.is_some() && reused.contains(&d.key) {
                            let mut removed = d.key.clone();
                            removed.push(0);
                            keyed.insert(removed, (d.before, None));
                            let mut added = d.key;
                            added.push(1);
                            keyed.insert(added, (None, d.after));
                        } else {
                            keyed.insert(d.key, (d.before, d.after));
                        }
                    }
                }
            }
            for (before, after) in keyed.into_values() {
                let kind = match (&before, &after) {
                    (Some(b), Some(a)) if a == b => continue,
                    (None, _) => "added",
                    (_, None) => "removed",
                    _ => "changed",
                };
                let before = before.as_deref().map(decode_row).transpose()?;
                let after = after.as_deref().map(decode_row).transpose()?;
                push(kind, before, after);
            }
        }
        _ => {
            let ex = Exec::new(db, db.now(), &[], mem_limit);
            if let Some(a) = &m1 {
                for (_, r) in ex.table_rows(a, &s1, &crate::sql::plan::Access::Full, &[], None)? {
                    push("removed", Some(r), None);
                }
            }
            if let Some(b) = &m2 {
                for (_, r) in ex.table_rows(b, &s2, &crate::sql::plan::Access::Full, &[], None)? {
                    push("added", None, Some(r));
                }
            }
        }
    }
    Ok((cols, out))
}
