// @ts-check
// The playground's only contact with the `reeldb` package (www/pkg/).
//
// Every call the page makes goes through `PlaygroundDb`, so a rename in the
// package's JS API is a change to this file alone. Each method is the
// package's own method where it has one (timeline, restore points, status,
// export, import), else SQL through `exec`: information_schema.backtracks,
// SHOW DATABASES, information_schema.tables, DESCRIBE, reeldb_diff(),
// FOR SYSTEM_TIME AS OF, BACKTRACK TO.
//
// Results are normalised to:
//   rows:     { columns: string[], rows: unknown[][] }
//   affected: { affected: number }
// Errors are `Error`s with a `code` (the package's or the SQL layer's).

import { parseTime } from "./time.js";

/** @typedef {import("../pkg/reeldb.js").ReelDB} ReelDB */
/** @typedef {typeof import("../pkg/reeldb.js")} ReelDBModule */

/** @type {Promise<ReelDBModule> | undefined} */
let loaded;

/**
 * Loads and initialises the package once per page (`pkgUrl` overrides where it lives).
 * @param {string} [pkgUrl]
 * @returns {Promise<ReelDBModule>}
 */
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

/** Quotes an identifier with backquotes. @param {string} name */
export function ident(name) {
  return "`" + String(name).replaceAll("`", "``") + "`";
}

/** Quotes a string literal. @param {string} text */
export function literal(text) {
  return "'" + String(text).replaceAll("\\", "\\\\").replaceAll("'", "''") + "'";
}

/**
 * An Error named ReelDBError with a stable `code` (as the wasm module's errors).
 * @param {string} code
 * @param {string} message
 */
export function coded(code, message) {
  return Object.assign(new Error(message), { name: "ReelDBError", code });
}

/**
 * A statement's result: its rows, or (a write, `{columns: [], values: [],
 * rowsAffected: n}`) the number of rows it changed.
 * @param {import("../pkg/reeldb.js").QueryResult} r
 * @returns {{columns: string[], rows: unknown[][], affected?: undefined} | {affected: number, columns?: undefined, rows?: undefined}}
 */
function normaliseResult(r) {
  if (r.columns.length > 0) return { columns: r.columns.map(String), rows: r.values };
  return { affected: Number(r.rowsAffected) };
}

/** @param {any} e */
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
      raw = Cls.openImage(image, opts);
    } else if (name) {
      raw = await Cls.open(name, opts);
      persistent = true;
    } else {
      raw = Cls.openInMemory(opts);
    }
    return new PlaygroundDb(raw, { persistent, name, mod });
  }

  /** Deletes the stored database `name` (to start over after STORAGE_LOST). */
  /** @param {{name?: string, pkgUrl?: string}} [opts] */
  static async deleteDatabase({ name, pkgUrl } = {}) {
    const mod = await loadPackage(pkgUrl);
    await mod.ReelDB.deleteDatabase(name);
  }

  /**
   * @param {any} raw the package's `ReelDB` object, or one with the same
   *   methods, asynchronous (exercise.js's database in a worker)
   * @param {{persistent: boolean, name?: string, mod: ReelDBModule | null}} opts
   *   `mod`: the package (null in a worker's stead: no version, no time parsing)
   */
  constructor(raw, { persistent, name, mod }) {
    this.raw = raw;
    this.persistent = persistent;
    this.name = name;
    this.mod = mod;
    /** @type {Set<(event: any) => void>} */
    this.listeners = new Set();
    /** @type {() => void} */
    this.unsubscribe = raw.subscribe((/** @type {any} */ event) => this.emit({ external: true, event }));
  }

  /** The package's version. */
  get version() {
    return /** @type {ReelDBModule} */ (this.mod).version();
  }

  /**
   * A time as the user may write it (`YYYY-MM-DD HH:MM:SS[.ffffff]` UTC, or
   * ISO 8601 with `Z` or an offset), as engine text; throws `BAD_TIME`.
   * @param {string} input
   */
  timeText(input) {
    return /** @type {ReelDBModule} */ (this.mod).normalizeTime(input);
  }

  /**
   * Calls `fn` after any change (ours, or another tab's when the package reports it).
   * @param {(event: any) => void} fn
   */
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** @param {any} event */
  emit(event) {
    for (const fn of this.listeners) fn(event);
  }

  // ------------------------------------------------------------------ SQL --

  /** Runs a script; every statement's result, normalised. @param {string} sql */
  async exec(sql) {
    try {
      const out = await this.raw.exec(sql);
      return (Array.isArray(out) ? out : [out]).map(normaliseResult);
    } catch (e) {
      throw toError(e);
    }
  }

  /**
   * The last result set of a script (empty when it has none).
   * @param {string} sql
   * @returns {Promise<{columns: string[], rows: any[][]}>}
   */
  async query(sql) {
    const results = await this.exec(sql);
    for (let i = results.length - 1; i >= 0; i--) {
      const r = results[i];
      if (r.columns) return /** @type {{columns: string[], rows: any[][]}} */ (r);
    }
    return { columns: [], rows: [] };
  }

  // ------------------------------------------------------------- timeline --

  /**
   * `[{seq, time, us, kind, summary, rowsChanged}]`, oldest first.
   * @returns {Promise<import("./timeline.js").Entry[]>}
   */
  async timeline() {
    // A lazily opened database reads its timeline in the background; until
    // it has, the synchronous timeline() fails with NOT_LOADED, and a query
    // of the timeline (asynchronous) reads just its pages.
    if (this.persistent && !this.raw.storageInfo().fullyLoaded) {
      await this.raw.query("SELECT COUNT(*) FROM information_schema.timeline");
    }
    /** @type {import("../pkg/reeldb.js").TimelineEntry[]} */
    const entries = await this.raw.timeline();
    return entries.map((e) => ({ ...e, us: parseTime(e.time) }));
  }

  /**
   * The backtrack log: `[{id, target, from, status, reason}]`.
   * @returns {Promise<import("./dialogs.js").BacktrackRecord[]>}
   */
  async backtracks() {
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

  /** `[{name, time}]`. @returns {Promise<import("../pkg/reeldb.js").RestorePoint[]>} */
  async restorePoints() {
    return this.raw.restorePoints();
  }

  /** `{windowTargetSecs, windowActualSecs, earliest, historyBytes, now, lastBacktrack, inTransaction}`. @returns {Promise<import("../pkg/reeldb.js").Status>} */
  async status() {
    return this.raw.status();
  }

  /**
   * Backtracks the whole database to a time (engine text) or
   * `{restorePoint: name}`; returns the backtrack log record.
   * @param {string | {restorePoint: string}} target
   */
  async backtrack(target) {
    const sql =
      typeof target === "object"
        ? `BACKTRACK TO RESTORE POINT ${ident(target.restorePoint)}`
        : `BACKTRACK TO TIMESTAMP ${literal(target)}`;
    await this.exec(sql);
    const log = await this.backtracks();
    this.emit({ backtrack: true });
    return log.at(-1);
  }

  /** Creates a restore point at the current time. @param {string} name */
  async createRestorePoint(name) {
    await this.exec(`CREATE RESTORE POINT ${ident(name)}`);
    this.emit({ restorePoint: true });
  }

  // --------------------------------------------------------------- schema --

  /**
   * `[{name, tables: [{name, type, columns: [{name, type, key}]}]}]` (information_schema left out).
   * @returns {Promise<import("./schematree.js").SchemaDb[]>}
   */
  async schema() {
    const dbs = await this.query("SHOW DATABASES");
    const tables = await this.query(
      "SELECT table_schema, table_name, table_type FROM information_schema.tables ORDER BY table_schema, table_name",
    );
    /** @type {import("./schematree.js").SchemaDb[]} */
    const out = [];
    for (const [dbName] of dbs.rows) {
      if (String(dbName).toLowerCase() === "information_schema") continue;
      out.push({ name: String(dbName), tables: [] });
    }
    for (const [schema, name, type] of tables.rows) {
      const d = out.find((x) => x.name === schema);
      if (!d) continue;
      /** @type {import("./schematree.js").SchemaColumn[]} */
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

  /**
   * Columns of a table and its primary key column indexes.
   * @param {string} db
   * @param {string} table
   */
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

  /**
   * Rows of a table, now or as of a time (engine text).
   * @param {string} db
   * @param {string} table
   * @param {string} [asOf]
   */
  async tableRows(db, table, asOf) {
    const temporal = asOf ? ` FOR SYSTEM_TIME AS OF TIMESTAMP ${literal(asOf)}` : "";
    return this.query(`SELECT * FROM ${ident(db)}.${ident(table)}${temporal}`);
  }

  /**
   * `[{db, table}]`: the base tables that existed at `time` (engine text), dropped since or not.
   * @param {string} time
   * @returns {Promise<import("./schematree.js").TableRef[]>}
   */
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
   * @param {string} db
   * @param {string} table
   * @param {string} from
   * @param {string} to
   * @returns {Promise<import("./rowmerge.js").DiffRow[] & {columns?: string[]}>}
   */
  async diff(db, table, from, to) {
    // reeldb_diff() gives the change kind and both rows positionally.
    const r = await this.query(
      `SELECT * FROM reeldb_diff(${literal(`${db}.${table}`)}, ${literal(from)}, ${literal(to)})`,
    );
    const n = (r.columns.length - 1) / 2;
    /** @type {import("./rowmerge.js").DiffRow[] & {columns?: string[]}} */
    const out = r.rows.map((v) => ({
      change: v[0],
      row: v[0] === "removed" ? null : v.slice(1, 1 + n),
      old: v[0] === "added" ? null : v.slice(1 + n),
    }));
    out.columns = r.columns.slice(1, 1 + n);
    return out;
  }

  // ---------------------------------------------------- export and import --

  /** A SQL dump of the current state (databases, tables, rows). @returns {Promise<string>} */
  async exportSql() {
    // Synchronous in the engine: a lazily opened database loads every page first.
    await this.raw.loadAll();
    return this.raw.exportSql();
  }

  /** Runs a dump (or any script) made by `exportSql`. @param {string} text */
  async importSql(text) {
    try {
      await this.raw.importSql(text);
    } catch (e) {
      throw toError(e);
    }
    this.emit({ imported: true });
  }

  /** Closes the database; with `remove`, deletes its stored copy too. */
  async close({ remove = false } = {}) {
    this.unsubscribe();
    this.listeners.clear();
    if (remove) await this.raw.delete();
    else await this.raw.close();
  }
}
