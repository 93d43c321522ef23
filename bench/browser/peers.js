// ReelDB beside the SQL engines people run in a browser, on the same page:
// sql.js, wa-sqlite (its synchronous build for `:memory:`, its asynchronous
// build with the IDBBatchAtomicVFS example VFS for IndexedDB) and PGlite
// (`memory://`, `idb://`). Driven by bench/browser/run.mjs; every function
// does one run of one engine and returns plain numbers, plus a digest of the
// answers that run.mjs compares across engines.
import "./bench.js"; // initialises ReelDB's wasm once, for both modules
import { ReelDB } from "/pkg/reeldb.js";
import SQLiteSyncFactory from "/node_modules/@journeyapps/wa-sqlite/dist/wa-sqlite.mjs";
import SQLiteAsyncFactory from "/node_modules/@journeyapps/wa-sqlite/dist/wa-sqlite-async.mjs";
import * as SQLite from "/node_modules/@journeyapps/wa-sqlite/src/sqlite-api.js";
import { IDBBatchAtomicVFS } from "/node_modules/@journeyapps/wa-sqlite/src/examples/IDBBatchAtomicVFS.js";
import { PGlite } from "/node_modules/@electric-sql/pglite/dist/index.js";

const SQL = await window.initSqlJs({ locateFile: (f) => `/node_modules/sql.js/dist/${f}` });
const waSync = SQLite.Factory(await SQLiteSyncFactory());
const waAsyncModule = await SQLiteAsyncFactory();
const waAsync = SQLite.Factory(waAsyncModule);

const now = () => performance.now();
const SCHEMA = "CREATE TABLE t (k INT PRIMARY KEY, v INT, name VARCHAR(40))";
const LOOKUP = "SELECT name FROM t WHERE k = ?";
const SCAN = "SELECT k % 100, COUNT(*), SUM(v) FROM t GROUP BY k % 100";
const CHECK = "SELECT COUNT(*), SUM(v) FROM t";
const COMMIT_SCHEMA = "CREATE TABLE c (id INT PRIMARY KEY, v VARCHAR(20))";

/** The bulk-load script: 1,000-row INSERTs in one transaction. */
function bulkScript(rows) {
  const parts = ["BEGIN"];
  for (let i = 0; i < rows; i += 1000) {
    const values = [];
    for (let j = i; j < Math.min(i + 1000, rows); j++) values.push(`(${j}, ${(j * 7919) % 1000}, 'name ${j}')`);
    parts.push(`INSERT INTO t VALUES ${values.join(",")}`);
  }
  parts.push("COMMIT");
  return parts.join(";\n");
}

const lookupKey = (i, rows) => (i * 7907) % rows;
/** The point lookup as a tutorial or a test writes it: the key in the text, no parameter. */
const literalLookup = (k) => `SELECT name FROM t WHERE k = ${Number(k)}`;

/** A digest of an answer, engine-neutral: numbers as numbers (BigInt, DECIMAL text), rows sorted. */
function digest(rows) {
  return JSON.stringify(rows.map((r) => r.map((x) => (x === null ? null : typeof x === "string" && !/^-?\d+(\.\d+)?$/.test(x) ? x : Number(x)))).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))));
}

/** Runs the in-memory workload on an engine adapter; returns times and answer digests. */
async function memoryWorkload(e, rows, lookups, scans) {
  await e.exec(SCHEMA);
  const script = bulkScript(rows);
  let t0 = now();
  await e.exec(script);
  const bulkMs = now() - t0;
  const check = digest(await e.all(CHECK));
  // An engine may offer more than one way to run a bound lookup: the fastest counts.
  let lookupUs = Infinity;
  let lookupHow;
  let names;
  for (const lookup of await e.lookups()) {
    const got = new Array(lookups);
    t0 = now();
    for (let i = 0; i < lookups; i++) got[i] = await lookup.get(lookupKey(i, rows));
    const us = ((now() - t0) * 1000) / lookups;
    await lookup.done?.();
    if (names && JSON.stringify(got) !== JSON.stringify(names)) throw new Error(`${lookup.how} answered differently`);
    names = got;
    if (us < lookupUs) [lookupUs, lookupHow] = [us, lookup.how];
  }
  // The same keys as text: each engine's way to run a statement with no parameter.
  const literal = new Array(lookups);
  t0 = now();
  for (let i = 0; i < lookups; i++) literal[i] = await e.literal(lookupKey(i, rows));
  const literalUs = ((now() - t0) * 1000) / lookups;
  if (JSON.stringify(literal) !== JSON.stringify(names)) throw new Error("the lookups by a literal key answered differently");
  let scan;
  t0 = now();
  for (let i = 0; i < scans; i++) scan = await e.all(SCAN);
  const scanMs = (now() - t0) / scans;
  await e.close();
  return { bulkMs, lookupUs, lookupHow, literalUs, scanMs, check, lookups: JSON.stringify(names), scan: digest(scan) };
}

const rowsOf = (result) => result.values;

function reeldbMemory() {
  const db = ReelDB.openInMemory();
  return {
    exec: (sql) => db.exec(sql),
    all: async (sql) => rowsOf((await db.exec(sql))[0]),
    literal: async (k) => (await db.query(literalLookup(k)))[0]?.name,
    lookups: async () => {
      if (typeof db.prepare === "function") {
        const st = db.prepare(LOOKUP);
        return [{ how: "prepare", get: async (k) => (await st.get([k]))?.name, done: () => st.finalize() }];
      }
      return [{ how: "query, no prepare", get: async (k) => (await db.query(LOOKUP, [k]))[0]?.name }];
    },
    close: () => db.close(),
  };
}

function sqljsMemory() {
  const db = new SQL.Database();
  return {
    exec: (sql) => db.exec(sql),
    all: (sql) => db.exec(sql)[0].values,
    literal: (k) => db.exec(literalLookup(k))[0]?.values[0][0],
    lookups: () => {
      const st = db.prepare(LOOKUP);
      return [{
        how: "prepared",
        get: (k) => {
          st.bind([k]);
          const name = st.step() ? st.get()[0] : undefined;
          st.reset();
          return name;
        },
        done: () => st.free(),
      }];
    },
    close: () => db.close(),
  };
}

/** wa-sqlite adapter over one connection (either build). */
function waAdapter(sqlite3, db) {
  return {
    exec: (sql) => sqlite3.exec(db, sql),
    all: async (sql) => {
      const out = [];
      await sqlite3.exec(db, sql, (row) => out.push(row));
      return out;
    },
    literal: async (k) => {
      let name;
      await sqlite3.exec(db, literalLookup(k), (row) => (name = row[0]));
      return name;
    },
    lookups: async () => {
      const it = sqlite3.statements(db, LOOKUP, { unscoped: true });
      const st = (await it.next()).value;
      await it.return();
      return [{
        how: "prepared",
        get: async (k) => {
          await sqlite3.reset(st);
          sqlite3.bind_collection(st, [k]);
          return (await sqlite3.step(st)) === SQLite.SQLITE_ROW ? sqlite3.column(st, 0) : undefined;
        },
        done: () => sqlite3.finalize(st),
      }];
    },
    close: () => sqlite3.close(db),
  };
}

async function waMemory() {
  return waAdapter(waSync, await waSync.open_v2(":memory:"));
}

/**
 * PGlite adapter. Its bound lookups: `query` with a parameter (parsed each
 * time), and a named prepared statement; EXECUTE takes no bind parameters, so
 * that one has the key as an integer literal.
 */
function pgAdapter(pg) {
  return {
    exec: (sql) => pg.exec(sql),
    all: async (sql) => (await pg.query(sql, [], { rowMode: "array" })).rows,
    literal: async (k) => (await pg.query(literalLookup(k), [], { rowMode: "array" })).rows[0]?.[0],
    lookups: async () => {
      await pg.exec("PREPARE lookup (int) AS SELECT name FROM t WHERE k = $1");
      return [
        { how: "query with $1", get: async (k) => (await pg.query("SELECT name FROM t WHERE k = $1", [k], { rowMode: "array" })).rows[0]?.[0] },
        {
          how: "PREPARE/EXECUTE",
          get: async (k) => (await pg.query(`EXECUTE lookup (${Number(k)})`, [], { rowMode: "array" })).rows[0]?.[0],
          done: () => pg.exec("DEALLOCATE lookup"),
        },
      ];
    },
    close: () => pg.close(),
  };
}

async function pgMemory() {
  return pgAdapter(await PGlite.create("memory://"));
}

const MEMORY = { reeldb: reeldbMemory, sqljs: sqljsMemory, wasqlite: waMemory, pglite: pgMemory };

/** One run of the in-memory workload on one engine. */
async function peerMemory(engine, rows, lookups, scans) {
  return memoryWorkload(await MEMORY[engine](), rows, lookups, scans);
}

// ---- storage ---------------------------------------------------------------

function idbDeleteMatching(part) {
  return indexedDB.databases().then((dbs) =>
    Promise.all(
      dbs
        .filter((d) => d.name.includes(part))
        .map(
          (d) =>
            new Promise((ok) => {
              const req = indexedDB.deleteDatabase(d.name);
              req.onsuccess = req.onerror = req.onblocked = () => ok();
            }),
        ),
    ),
  );
}

const vfsCache = new Map();
/** One IDBBatchAtomicVFS per IndexedDB database name, registered once per page. */
async function waVfs(name) {
  if (!vfsCache.has(name)) {
    const vfs = await IDBBatchAtomicVFS.create(name, waAsyncModule);
    waAsync.vfs_register(vfs, false);
    vfsCache.set(name, vfs);
  }
  return vfsCache.get(name);
}

async function waOpen(vfsName, file, synchronous) {
  await waVfs(vfsName);
  const db = await waAsync.open_v2(file, SQLite.SQLITE_OPEN_CREATE | SQLite.SQLITE_OPEN_READWRITE, vfsName);
  await waAsync.exec(db, `PRAGMA synchronous=${synchronous}`);
  return db;
}

/** Durable single-row commits awaited one by one for `ms`; returns commits per second. */
async function peerCommits(engine, ms, durability, run) {
  let insert, close;
  if (engine === "wasqlite") {
    const db = await waOpen("bench-wa-commit", `commit-${durability}-${run}.db`, durability === "strict" ? "full" : "normal");
    await waAsync.exec(db, COMMIT_SCHEMA);
    const it = waAsync.statements(db, "INSERT INTO c VALUES (?, ?)", { unscoped: true });
    const st = (await it.next()).value;
    await it.return();
    insert = async (n) => {
      await waAsync.reset(st);
      waAsync.bind_collection(st, [n, "row"]);
      await waAsync.step(st);
    };
    close = async () => {
      await waAsync.finalize(st);
      await waAsync.close(db);
    };
  } else if (engine === "pglite") {
    const dir = `bench-pg-commit-${durability}-${run}`;
    await idbDeleteMatching(dir);
    const pg = await PGlite.create(`idb://${dir}`, { relaxedDurability: durability === "relaxed" });
    await pg.exec(COMMIT_SCHEMA);
    insert = (n) => pg.query("INSERT INTO c VALUES ($1, $2)", [n, "row"]);
    close = async () => {
      await pg.syncToFs(); // relaxed durability leaves the last write in flight
      await pg.close();
      await idbDeleteMatching(dir);
    };
  } else throw new Error(`no storage adapter for ${engine}`);
  let n = 0;
  const t0 = now();
  while (now() - t0 < ms) await insert(n++);
  const perSec = n / ((now() - t0) / 1000);
  await close();
  return perSec;
}

/** Builds the persisted database of `rows` rows; returns its time and size. */
async function peerBuild(engine, rows) {
  const script = bulkScript(rows);
  const t0 = now();
  let out;
  if (engine === "reeldb") {
    await ReelDB.deleteDatabase("bench-peer-open");
    const db = await ReelDB.open("bench-peer-open");
    await db.exec(SCHEMA);
    await db.exec(script);
    const ms = now() - t0;
    const info = db.storageInfo();
    out = { ms, pages: info.pages, bytes: info.bytes ?? null };
    await db.close();
  } else if (engine === "wasqlite") {
    const db = await waOpen("bench-wa-open", "open.db", "full");
    await waAsync.exec(db, SCHEMA);
    await waAsync.exec(db, script);
    const ms = now() - t0;
    const pages = [];
    await waAsync.exec(db, "PRAGMA page_count", (r) => pages.push(Number(r[0])));
    const size = [];
    await waAsync.exec(db, "PRAGMA page_size", (r) => size.push(Number(r[0])));
    out = { ms, pages: pages[0], bytes: pages[0] * size[0] };
    await waAsync.close(db);
  } else if (engine === "pglite") {
    const pg = await PGlite.create("idb://bench-pg-open");
    await pg.exec(SCHEMA);
    await pg.exec(script);
    const ms = now() - t0;
    const size = (await pg.query("SELECT pg_database_size(current_database())", [], { rowMode: "array" })).rows[0][0];
    out = { ms, pages: null, bytes: Number(size) };
    await pg.syncToFs();
    await pg.close();
  } else throw new Error(`no storage adapter for ${engine}`);
  return out;
}

/** Removes an engine's persisted databases: those of the open measure, or ("wasqlite-commits") wa-sqlite's commit measure. */
async function peerDrop(engine) {
  if (engine === "reeldb") await ReelDB.deleteDatabase("bench-peer-open");
  else if (engine === "wasqlite") {
    vfsCache.get("bench-wa-open")?.close();
    vfsCache.delete("bench-wa-open");
    await idbDeleteMatching("bench-wa-open");
  } else if (engine === "pglite") await idbDeleteMatching("bench-pg-open");
  else if (engine === "wasqlite-commits") {
    vfsCache.get("bench-wa-commit")?.close();
    vfsCache.delete("bench-wa-commit");
    await idbDeleteMatching("bench-wa-commit");
  }
}

/** Opens the persisted database (in a freshly loaded page) and answers one point query. */
async function peerOpen(engine, rows) {
  const k = lookupKey(12345, rows);
  const t0 = now();
  let name;
  if (engine === "reeldb") {
    const db = await ReelDB.open("bench-peer-open");
    name = (await db.query(LOOKUP, [k]))[0]?.name;
    const ms = now() - t0;
    await db.close();
    return { ms, name };
  }
  if (engine === "wasqlite") {
    const db = await waOpen("bench-wa-open", "open.db", "full");
    const it = waAsync.statements(db, LOOKUP, { unscoped: true });
    const st = (await it.next()).value;
    await it.return();
    waAsync.bind_collection(st, [k]);
    if ((await waAsync.step(st)) === SQLite.SQLITE_ROW) name = waAsync.column(st, 0);
    const ms = now() - t0;
    await waAsync.finalize(st);
    await waAsync.close(db);
    return { ms, name };
  }
  if (engine === "pglite") {
    const pg = await PGlite.create("idb://bench-pg-open");
    name = (await pg.query("SELECT name FROM t WHERE k = $1", [k], { rowMode: "array" })).rows[0]?.[0];
    const ms = now() - t0;
    await pg.syncToFs();
    await pg.close();
    return { ms, name };
  }
  throw new Error(`no storage adapter for ${engine}`);
}

window.peers = { peerMemory, peerCommits, peerBuild, peerDrop, peerOpen };
window.peersReady = true;
