
/**
 * A time: text `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC) or ISO 8601 with `T` and
 * `Z` or an offset (`2020-12-24T14:55:00Z`, `2020-12-24T16:55:00+02:00`), a
 * `Date`, or epoch milliseconds. Anything else fails with code `BAD_TIME`.
 */
export type TimeInput = string | Date | number;

/**
 * A backtrack target: a time, `{ time }`, or `{ restorePoint }`. A string is
 * always a time; a restore point is only ever named with `{ restorePoint }`.
 */
export type BacktrackTargetInput = TimeInput | { time: TimeInput } | { restorePoint: string };

/** Options of `ReelDB.open` and `ReelDB.openInMemory`. */
export interface OpenOptions {
  /** Backtrack window target in seconds for a new database (default 86400; 0 keeps no history). */
  windowSecs?: number;
  /** IndexedDB transaction durability (default "strict": a write resolves once on disk). */
  durability?: "strict" | "relaxed";
  /** Coordinate writers across tabs with Web Locks and BroadcastChannel (default true). */
  multiTab?: boolean;
  /** Longest wait in ms for the write lock another tab holds, then LOCK_TIMEOUT (default 30000; 0: no limit). */
  lockTimeoutMs?: number;
  /** How pages are read from IndexedDB. By default a store of at most 256 pages (1 MiB) is read whole at
   * open; a larger one lazily: open and the first queries read only the pages they touch, and the other
   * pages are read in the background between operations. `true`: only the pages operations touch
   * (no background reading); `false`: every page at open. While pages are missing, the synchronous calls
   * that read rows (`asOf` views, `diff`, `exportSql`, `exportImage`, a statement's `columns()`) and
   * `timeline()` (open reads only its two ends; the background reading reads it first) fail with
   * NOT_LOADED if they need one: `await db.loadAll()` first (`storageInfo().fullyLoaded` tells). */
  lazy?: boolean;
}

/**
 * Synchronous byte storage for `ReelDB.openPageFile` (the Node.js entry
 * implements it over `node:fs`). Offsets and sizes are in bytes; a method
 * reports failure by throwing.
 */
export interface PageFile {
  size(): number;
  read(offset: number, into: Uint8Array): void;
  write(offset: number, data: Uint8Array): void;
  sync(): void;
  close(): void;
}

/** Options of `exportSql`. */
export interface ExportOptions {
  /** Every row version, as MariaDB 10.11 system-versioned tables (default false: the current rows). */
  history?: boolean;
}

/** A SQL value as returned: numbers (BigInt beyond 2^53), text, null; DECIMAL as exact text; dates as text. */
export type SqlValue = number | bigint | string | null;

/** A SQL parameter of `query`. */
export type SqlParam = number | bigint | string | boolean | Date | null | undefined;

/** One statement's result (sql.js's shape plus the rows a write changed). */
export interface QueryResult {
  columns: string[];
  values: SqlValue[][];
  rowsAffected: number;
}

/** A row keyed by column name. */
export type Row = Record<string, SqlValue>;

/** One entry of the append-only timeline. */
export interface TimelineEntry {
  seq: number;
  /** `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC). */
  time: string;
  kind: "commit" | "backtrack";
  summary: string;
  rowsChanged: number;
}

/** One entry of the backtrack log. */
export interface BacktrackRecord {
  id: number;
  target: string;
  from: string;
  status: "completed" | "failed";
  reason?: string;
}

/** What a successful backtrack did. */
export interface BacktrackOutcome {
  record: BacktrackRecord;
  entry: TimelineEntry;
  rolledBackTransaction: boolean;
}

/** The last backtrack: its target and when it ran. */
export interface LastBacktrack {
  id: number;
  target: string;
  at: string;
  status: "completed" | "failed";
  reason?: string;
}

/** Window and history figures. */
export interface Status {
  windowTargetSecs: number;
  windowActualSecs: number;
  earliest: string;
  historyBytes: number;
  now: string;
  lastBacktrack: LastBacktrack | null;
  inTransaction: boolean;
}

/** A named restore point. */
export interface RestorePoint {
  name: string;
  time: string;
}

/** Storage figures. */
export interface StorageInfo {
  /** "file": a page file (`ReelDB.open(path)` in Node.js, `openPageFile`). */
  backend: "memory" | "indexeddb" | "file";
  name?: string;
  durability?: "strict" | "relaxed";
  pages?: number;
  idbTransactions?: number;
  pagesWritten?: number;
  /** Pages read from IndexedDB: the load at open, reloads, and the pages
   * other tabs' commits changed. */
  pagesRead?: number;
  /** Readonly IndexedDB transactions that read pages (open, a lazy image's fetches, reloads). */
  idbReads?: number;
  multiTab?: boolean;
  /** Pages are read on demand (`lazy: true`, or by default a store of more than 256 pages). */
  lazy?: boolean;
  /** Every page is in memory (always, unless lazy). */
  fullyLoaded?: boolean;
}

/** A change event passed to `subscribe` listeners. */
export type ChangeEvent =
  | { type: "commit" | "backtrack"; source: "local"; entry: TimelineEntry }
  | { type: "remote"; entries: TimelineEntry[] }
  | { type: "rollback"; reason: string }
  | { type: "closed" };

/** The errors ReelDB throws: an `Error` with a stable `code`. */
export interface ReelDBError extends Error {
  code: string;
}
