// reeldb/testing: rewind a database between tests and see what a test
// changed, over restore points, backtrack and the timeline's diff.
//
// The functions take any object with the ReelDB API (a `ReelDB` in Node or
// in a page, or `pageDb(page)` from reeldb/playwright, whose methods
// return Promises): every call is awaited. Nothing here is in the core
// wasm; import it only where tests use it.

import { coded } from "./errors.js";

/**
 * Marks the current state as restore point `name` (replacing an older one
 * of that name) and returns `{ name, time }`. Resolves once the
 * database's clock has moved past the restore point's time (the clock
 * ticks in milliseconds), so that every later commit has a later time:
 * reading as of a time takes every entry up to it, and `changesSince`
 * would otherwise count a commit made in the same tick as the starting
 * state. (With a fixed clock, `setClock`, it gives up after 50 ms.)
 */
export async function checkpoint(db, name) {
  const points = await db.restorePoints();
  if (points.some((p) => p.name === name)) await db.dropRestorePoint(name);
  const point = await db.createRestorePoint(name);
  // Engine times are text of one fixed layout: they compare as strings.
  const deadline = Date.now() + 50;
  while ((await db.now()) <= point.time && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1));
  }
  return point;
}

/**
 * Returns the database to restore point `name`: one backtrack (O(1),
 * durable); what happened since stays on the timeline.
 */
export async function reset(db, name) {
  return db.backtrack({ restorePoint: name });
}

/** The time of restore point `name`, or an error naming the known ones. */
async function pointTime(db, name) {
  const points = await db.restorePoints();
  const point = points.find((p) => p.name === name);
  if (!point) {
    const known = points.map((p) => p.name).join(", ") || "none";
    throw coded("UNKNOWN_RESTORE_POINT", `no restore point named '${name}' (known: ${known}); call checkpoint(db, '${name}') first`);
  }
  return point.time;
}

const TABLES =
  "SELECT table_schema, table_name FROM information_schema.tables " +
  "WHERE table_type = 'BASE TABLE' AND table_schema <> 'information_schema'";

/** `schema.table` names of the base tables in `rows`. */
function tableNames(rows) {
  return rows.map((r) => `${r.table_schema}.${r.table_name}`);
}

/** Splits a `diff` row into the table's columns now and before (`old_`). */
function split(row) {
  const after = {};
  const before = {};
  for (const [k, v] of Object.entries(row)) {
    if (k === "change") continue;
    if (k.startsWith("old_")) before[k.slice(4)] = v;
    else after[k] = v;
  }
  return { before, after };
}

/**
 * What changed since restore point `name`, per table (keys `schema.table`;
 * only tables with changes): `{ added: Row[], removed: Row[], changed:
 * [{ before, after }] }`, rows matched by primary key. From the timeline
 * (`db.diff`), so it is the same whatever the test did in between
 * (including backtracks), and it reads only the tables' changed subtrees.
 */
export async function changesSince(db, name) {
  // `asOf` views and `diff` read synchronously: a database opened lazily
  // (a large store) must have every page first.
  if (typeof db.loadAll === "function") await db.loadAll();
  const from = await pointTime(db, name);
  const to = await db.now();
  const names = new Set([
    ...tableNames(await db.query(TABLES)),
    ...tableNames(await db.asOf(from).query(TABLES)),
  ]);
  const out = {};
  for (const table of [...names].sort()) {
    const rows = await db.diff(table, from, to);
    if (rows.length === 0) continue;
    const t = { added: [], removed: [], changed: [] };
    for (const row of rows) {
      const { before, after } = split(row);
      if (row.change === "added") t.added.push(after);
      else if (row.change === "removed") t.removed.push(before);
      else t.changed.push({ before, after });
    }
    out[table] = t;
  }
  return out;
}
