// The playground's only contact with the `reeldb` package (www/pkg/).
//
// Every call the page makes goes through `PlaygroundDb`, so a rename in the
// package's JS API is a change to this file alone. Each method uses the
// package's own method when the loaded `ReelDB` class has it, and otherwise
// the same thing through SQL (`exec`): information_schema.timeline,
// information_schema.backtracks, information_schema.restore_points,
// information_schema.global_status, reeldb_diff(), FOR SYSTEM_TIME AS OF,
// BACKTRACK TO.
//
// Results are normalised to:
//   rows:     { columns: string[], rows: unknown[][] }
//   affected: { affected: number }
// Errors are `Error`s with a `code` (the package's or the SQL layer's).

import { parseTime, formatTime } from "./time.js";

let loaded;

/** Loads and initialises the package once per page (`pkgUrl` overrides where it lives). */
export function loadPackage(pkgUrl) {
  if (!loaded) {
    const url = pkgUrl ?? new URL("../pkg/reeldb.js", import.meta.url).href;
    loaded = import(/* @vite-ignore */ url).then(async (mod) => {
      await mod.default();
      return mod;
    });
  }
  return loaded;
}

/** Quotes an identifier with backquotes. */
export function ident(name) {
  return "`" + String(name).replaceAll("`", "``") + "`";
}

/** Quotes a string literal. */
export function literal(text) {
  return "'" + String(text).replaceAll("\\", "\\\\").replaceAll("'", "''") + "'";
}

function sqlValue(v) {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  if (typeof v === "boolean") return v ? "1" : "0";
  return literal(v);
}

/** An Error named ReelDBError with a stable `code` (as the wasm module's errors). */
export function coded(code, message) {
  return Object.assign(new Error(message), { name: "ReelDBError", code });
}

function normaliseResult(r) {
  // A write comes back as {columns: [], values: [], rowsAffected: n}.
  if (r && Array.isArray(r.columns) && (r.columns.length > 0 || r.rowsAffected === undefined)) {
    return { columns: r.columns.map(String), rows: r.values ?? r.rows ?? [] };
  }
  if (typeof r === "number" || typeof r === "bigint") return { affected: Number(r) };
  const n = r?.affected ?? r?.rowsAffected ?? r?.changes ?? 0;
  return { affected: Number(n) };
}

function toError(e) {
  if (e instanceof Error) return e;
  return coded(e?.code ?? "ERROR", e?.message ?? String(e));
}

/** A database of the playground: one per page or per `<reel-playground>`. */
export class PlaygroundDb {
  /**
   * Opens a database. `image` (the bytes of a `.reeldb` file, timeline
   * included): a copy in memory; `name` set and the package able to:
   * IndexedDB (persistent); otherwise in memory.
   * @param {{name?: string, image?: Uint8Array, windowSecs?: number, pkgUrl?: string}} options
   */
  static async open({ name, image, windowSecs, pkgUrl } = {}) {
    const mod = await loadPackage(pkgUrl);
    const Cls = mod.ReelDB;
    const opts = windowSecs === undefined ? undefined : { windowSecs };
    let raw;
    let persistent = false;
    if (image) {
      if (typeof Cls.openImage !== "function") throw coded("NOT_SUPPORTED", "this build of the reeldb package cannot open .reeldb files");
      raw = Cls.openImage(image, opts);
    } else if (name && typeof Cls.open === "function") {
      raw = await Cls.open(name, opts);
      persistent = true;
    } else {
      raw = Cls.openInMemory(opts);
    }
    const db = new PlaygroundDb(raw, { persistent, name, mod });
    if (typeof raw.exec !== "function") {
      db.sqlAvailable = false;
    }
    return db;
  }

  /** Deletes the stored database `name` (to start over after STORAGE_LOST). */
  /** @param {{name?: string, pkgUrl?: string}} [opts] */
  static async deleteDatabase({ name, pkgUrl } = {}) {
    const mod = await loadPackage(pkgUrl);
    await mod.ReelDB.deleteDatabase(name);
  }

  /**
   * @param {any} raw the package's ReelDB object
   * @param {{persistent: boolean, name?: string, mod?: any}} opts
   */
  constructor(raw, { persistent, name, mod }) {
    this.raw = raw;
    this.persistent = persistent;
    this.name = name;
    this.version = typeof mod?.version === "function" ? mod.version() : "";
    this.normalizeTime = typeof mod?.normalizeTime === "function" ? mod.normalizeTime : null;
    this.sqlAvailable = true;
    this.listeners = new Set();
    this.unsubscribe = null;
    if (typeof raw.subscribe === "function") {
      try {
        this.unsubscribe = raw.subscribe((event) => this.emit({ external: true, event }));
      } catch {
        this.unsubscribe = null;
      }
    }
  }

  /**
   * A time as the user may write it (`YYYY-MM-DD HH:MM:SS[.ffffff]` UTC, or
   * ISO 8601 with `Z` or an offset), as engine text; throws `BAD_TIME`.
   */
  timeText(input) {
    if (this.normalizeTime) return this.normalizeTime(input);
    const us = parseTime(input);
    if (Number.isNaN(us)) throw coded("BAD_TIME", `'${input}' is not a time`);
    return formatTime(us);
  }

  /** Calls `fn` after any change (ours, or another tab's when the package reports it). */
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit(event) {
    for (const fn of this.listeners) fn(event);
  }

  // ------------------------------------------------------------------ SQL --

  /** Runs a script; every statement's result, normalised. */
  async exec(sql) {
    if (!this.sqlAvailable) {
      throw coded(
        "NO_SQL",
        "This build of the reeldb package has no SQL entry point (ReelDB.exec) yet.",
      );
    }
    try {
      const out = await this.raw.exec(sql);
      return (Array.isArray(out) ? out : [out]).map(normaliseResult);
    } catch (e) {
      throw toError(e);
    }
  }

  /** The last result set of a script (empty when it has none). */
  async query(sql) {
    const results = await this.exec(sql);
    for (let i = results.length - 1; i >= 0; i--) {
      if (results[i].columns) return results[i];
    }
    return { columns: [], rows: [] };
  }

  // ------------------------------------------------------------- timeline --

  /** `[{seq, time, us, kind, summary, rowsChanged}]`, oldest first. */
  async timeline() {
    let entries;
    if (typeof this.raw.timeline === "function") {
      entries = await this.raw.timeline();
    } else {
      const r = await this.query(
        "SELECT seq, time, kind, statement, rows_changed FROM information_schema.timeline ORDER BY seq",
      );
      entries = r.rows.map(([seq, time, kind, summary, rowsChanged]) => ({
        seq: Number(seq),
        time: String(time),
        kind: String(kind),
        summary: String(summary ?? ""),
        rowsChanged: Number(rowsChanged ?? 0),
      }));
    }
    return entries.map((e) => ({ ...e, us: parseTime(e.time) }));
  }

  /** The backtrack log: `[{id, target, from, status, reason}]`. */
  async backtracks() {
    if (typeof this.raw.backtracks === "function") return await this.raw.backtracks();
    const r = await this.query(
      "SELECT id, backtrack_to, backtracked_from, status, reason FROM information_schema.backtracks ORDER BY id",
    );
    return r.rows.map(([id, target, from, status, reason]) => ({
      id: Number(id),
      target: String(target),
      from: String(from),
      status: String(status),
      reason: reason ?? undefined,
    }));
  }

  /** `[{name, time}]`. */
  async restorePoints() {
    if (typeof this.raw.restorePoints === "function") return await this.raw.restorePoints();
    const r = await this.query("SELECT name, time FROM information_schema.restore_points ORDER BY time");
    return r.rows.map(([name, time]) => ({ name: String(name), time: String(time) }));
  }

  /** `{windowTargetSecs, windowActualSecs, earliest, historyBytes, now, lastBacktrack?}`. */
  async status() {
    if (typeof this.raw.status === "function" && typeof this.raw.exec === "function") {
      const s = await this.raw.status();
      return { ...s };
    }
    const r = await this.exec(
      "SELECT variable_name, variable_value FROM information_schema.global_status; SELECT NOW()",
    );
    const vars = Object.fromEntries(r[0].rows.map(([k, v]) => [String(k), String(v)]));
    return {
      windowTargetSecs: Number(vars.Backtrack_window_target ?? 0),
      windowActualSecs: Number(vars.Backtrack_window_actual ?? 0),
      earliest: vars.Backtrack_earliest_time ?? "",
      historyBytes: Number(vars.Backtrack_history_bytes ?? 0),
      now: String(r[1].rows[0]?.[0] ?? ""),
    };
  }

  /**
   * Backtracks the whole database to a time (engine text) or
   * `{restorePoint: name}`; returns the backtrack log record.
   */
  async backtrack(target) {
    const sql =
      typeof target === "object" && target?.restorePoint
        ? `BACKTRACK TO RESTORE POINT ${ident(target.restorePoint)}`
        : `BACKTRACK TO TIMESTAMP ${literal(target)}`;
    await this.exec(sql);
    const log = await this.backtracks();
    this.emit({ backtrack: true });
    return log.at(-1);
  }

  /** Creates a restore point at the current time. */
  async createRestorePoint(name) {
    await this.exec(`CREATE RESTORE POINT ${ident(name)}`);
    this.emit({ restorePoint: true });
  }

  // --------------------------------------------------------------- schema --

  /** `[{name, tables: [{name, columns: [{name, type, key}]}]}]` (information_schema left out). */
  async schema() {
    const dbs = await this.query("SHOW DATABASES");
    const tables = await this.query(
      "SELECT table_schema, table_name, table_type FROM information_schema.tables ORDER BY table_schema, table_name",
    );
    const out = [];
    for (const [dbName] of dbs.rows) {
      if (String(dbName).toLowerCase() === "information_schema") continue;
      out.push({ name: String(dbName), tables: [] });
    }
    for (const [schema, name, type] of tables.rows) {
      const d = out.find((x) => x.name === schema);
      if (!d) continue;
      let columns = [];
      try {
        columns = (await this.describe(schema, name)).columns;
      } catch {
        columns = [];
      }
      d.tables.push({ name: String(name), type: String(type), columns });
    }
    return out;
  }

  /** Columns of a table and its primary key column indexes. */
  async describe(db, table) {
    const r = await this.query(`DESCRIBE ${ident(db)}.${ident(table)}`);
    const columns = r.rows.map(([name, type, nullable, key]) => ({
      name: String(name),
      type: String(type),
      nullable: nullable === "YES",
      key: String(key ?? ""),
    }));
    const pk = columns.flatMap((c, i) => (c.key === "PRI" ? [i] : []));
    return { columns, pk };
  }

  /** The current database of the session. */
  async currentDatabase() {
    const r = await this.query("SELECT DATABASE()");
    return r.rows[0]?.[0] ?? null;
  }

  /** Rows of a table, now or as of a time (engine text). */
  async tableRows(db, table, asOf) {
    const temporal = asOf ? ` FOR SYSTEM_TIME AS OF TIMESTAMP ${literal(asOf)}` : "";
    return this.query(`SELECT * FROM ${ident(db)}.${ident(table)}${temporal}`);
  }

  /** `[{db, table}]`: the base tables that existed at `time` (engine text), dropped since or not. */
  async tablesAt(time) {
    const r = await this.query(
      "SELECT table_schema, table_name FROM information_schema.tables " +
        `FOR SYSTEM_TIME AS OF TIMESTAMP ${literal(time)} WHERE table_type = 'BASE TABLE'`,
    );
    return r.rows.map(([db, table]) => ({ db: String(db), table: String(table) }));
  }

  /**
   * Rows that differ in `table` between two times: `[{change, row, old}]`
   * with `change` "added" (only at `to`), "removed" (only at `from`) or
   * "changed"; `row` is the row at `to`, `old` the row at `from`. The
   * array's `columns` are the table's columns at `to` (at `from` when it
   * did not exist then).
   */
  async diff(db, table, from, to) {
    // reeldb_diff() gives the change kind and both rows positionally.
    const r = await this.query(
      `SELECT * FROM reeldb_diff(${literal(`${db}.${table}`)}, ${literal(from)}, ${literal(to)})`,
    );
    const n = (r.columns.length - 1) / 2;
    const out = r.rows.map((v) => ({
      change: v[0],
      row: v[0] === "removed" ? null : v.slice(1, 1 + n),
      old: v[0] === "added" ? null : v.slice(1 + n),
    }));
    out.columns = r.columns.slice(1, 1 + n);
    return out;
  }

  // ---------------------------------------------------- export and import --

  /** A SQL dump of the current state (databases, tables, rows). */
  async exportSql() {
    if (typeof this.raw.exportSql === "function") return await this.raw.exportSql();
    const lines = [`-- ReelDB dump of the current state, ${formatTime(Date.now() * 1000)} UTC`];
    const cur = await this.currentDatabase();
    for (const d of await this.schema()) {
      lines.push("", `CREATE DATABASE IF NOT EXISTS ${ident(d.name)};`, `USE ${ident(d.name)};`);
      for (const t of d.tables) {
        if (t.type !== "BASE TABLE") continue;
        const create = await this.query(`SHOW CREATE TABLE ${ident(d.name)}.${ident(t.name)}`);
        lines.push(`${create.rows[0][1]};`);
        const rows = await this.tableRows(d.name, t.name);
        for (let i = 0; i < rows.rows.length; i += 500) {
          const chunk = rows.rows.slice(i, i + 500).map((r) => `(${r.map(sqlValue).join(", ")})`);
          lines.push(`INSERT INTO ${ident(t.name)} VALUES\n  ${chunk.join(",\n  ")};`);
        }
      }
    }
    if (cur) lines.push("", `USE ${ident(cur)};`);
    return lines.join("\n") + "\n";
  }

  /** Runs a dump (or any script) made by `exportSql`. */
  async importSql(text) {
    if (typeof this.raw.importSql === "function") {
      await this.raw.importSql(text);
    } else {
      await this.exec(text);
    }
    this.emit({ imported: true });
  }

  /** Closes the database; with `remove`, deletes its stored copy too. */
  async close({ remove = false } = {}) {
    this.unsubscribe?.();
    this.listeners.clear();
    if (remove && typeof this.raw.delete === "function") {
      await this.raw.delete();
    } else if (typeof this.raw.close === "function") {
      await this.raw.close();
    }
  }
}
