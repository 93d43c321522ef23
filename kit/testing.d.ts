// Types of reeldb/testing (testing.js).
import type { RestorePoint, Row, BacktrackOutcome } from "./reeldb.js";

/** What the kit's functions need of a database: a ReelDB, or pageDb(page) (every result may be a Promise). */
export interface KitDb {
  restorePoints(): RestorePoint[] | Promise<RestorePoint[]>;
  createRestorePoint(name: string): Promise<RestorePoint>;
  dropRestorePoint(name: string): Promise<void>;
  backtrack(target: { restorePoint: string }): Promise<BacktrackOutcome>;
  now(): string | Promise<string>;
  query(sql: string, params?: unknown[]): Promise<Row[]>;
  asOf(time: string): { query(sql: string, params?: unknown[]): Row[] | Promise<Row[]> };
  diff(table: string, from: string, to: string): Row[] | Promise<Row[]>;
  /** Every page in memory (a lazily opened database), before the synchronous `asOf`/`diff` reads. */
  loadAll?(): Promise<void>;
}

/** One table's changes: rows by primary key. */
export interface TableChanges {
  added: Row[];
  removed: Row[];
  changed: { before: Row; after: Row }[];
}

/** Marks the current state as restore point `name` (replacing an older one of that name). */
export function checkpoint(db: KitDb, name: string): Promise<RestorePoint>;
/** Backtracks to restore point `name` (O(1), durable). */
export function reset(db: KitDb, name: string): Promise<BacktrackOutcome>;
/** What changed since restore point `name`, keyed `schema.table` (tables with changes only). */
export function changesSince(db: KitDb, name: string): Promise<Record<string, TableChanges>>;
