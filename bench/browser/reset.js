// Per-test reset in one Chromium page: a 10,000-row table, then per round
// the "test" (100 deletes + 100 updates) and the reset back to the seeded
// state, timed; after every reset the answer is checked (row count and
// checksum equal the seed's). Each engine resets the way its users do:
//   ReelDB   restore point + backtrack (IndexedDB, durable)
//   sql.js   new Database(bytes of the seeded database) (memory only)
//   wa-sqlite IDBBatchAtomicVFS: the seeded rows copied back from a seed
//            table in one transaction (IndexedDB, durable)
//   PGlite   clone() of the seeded database (memory)
import init, { ReelDB } from "/pkg/reeldb.js";
import { PGlite } from "/node_modules/@electric-sql/pglite/dist/index.js";
import SQLiteESMFactory from "/node_modules/@journeyapps/wa-sqlite/dist/wa-sqlite-async.mjs";
import * as SQLite from "/node_modules/@journeyapps/wa-sqlite/src/sqlite-api.js";
import { IDBBatchAtomicVFS } from "/node_modules/@journeyapps/wa-sqlite/src/examples/IDBBatchAtomicVFS.js";

await init();
const SQL = await window.initSqlJs({ locateFile: (f) => `/node_modules/sql.js/dist/${f}` });
const now = () => performance.now();
const ROWS = 10_000;
const CHECK = "SELECT COUNT(*) AS n, SUM(qty * id) AS s FROM items";

/** The seed: id 1..ROWS, a name and a quantity. */
function seedValues(from, to) {
  const v = [];
  for (let i = from; i < to; i++) v.push(`(${i + 1}, 'item ${i + 1}', ${(i * 7) % 100})`);
  return v.join(",");
}
const SEED = [];
for (let i = 0; i < ROWS; i += 1000) SEED.push(`INSERT INTO items VALUES ${seedValues(i, Math.min(ROWS, i + 1000))}`);
const EXPECT = (() => {
  let s = 0;
  for (let i = 0; i < ROWS; i++) s += (i + 1) * ((i * 7) % 100);
  return { n: ROWS, s };
})();

/** The test of round `r`: 100 deletes and 100 updates, one statement each. */
function testStatements(r) {
  const out = [];
  for (let k = 0; k < 100; k++) {
    const id = 1 + ((r * 997 + k * 89) % ROWS);
    out.push(`DELETE FROM items WHERE id = ${id}`);
    out.push(`UPDATE items SET qty = qty + 1 WHERE id = ${1 + ((id + 5000) % ROWS)}`);
  }
  return out;
}

function checked(name, got) {
  const n = Number(got.n);
  const s = Number(got.s);
  if (n !== EXPECT.n || s !== EXPECT.s) throw new Error(`${name}: after reset ${n} rows / checksum ${s}, expected ${EXPECT.n} / ${EXPECT.s}`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function idbDelete(name) {
  return new Promise((ok) => {
    const r = indexedDB.deleteDatabase(name);
    r.onsuccess = r.onerror = r.onblocked = () => ok();
  });
}

async function reeldb(rounds) {
  await ReelDB.deleteDatabase("reset-bench").catch(() => {});
  const db = await ReelDB.open("reset-bench");
  await db.exec("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(40), qty INT)");
  await db.exec(`BEGIN; ${SEED.join("; ")}; COMMIT`);
  await db.createRestorePoint("seeded");
  const times = [];
  for (let r = 0; r < rounds; r++) {
    await db.exec(testStatements(r).join("; "));
    const t0 = now();
    await db.backtrack({ restorePoint: "seeded" });
    times.push(now() - t0);
    checked("ReelDB", (await db.query(CHECK))[0]);
  }
  await db.delete();
  return { ms: median(times), rounds };
}

async function sqljs(rounds) {
  let db = new SQL.Database();
  db.run("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, qty INT)");
  db.run(`BEGIN; ${SEED.join("; ")}; COMMIT`);
  const bytes = db.export();
  const times = [];
  for (let r = 0; r < rounds; r++) {
    db.run(testStatements(r).join("; "));
    const t0 = now();
    db.close();
    db = new SQL.Database(bytes);
    times.push(now() - t0);
    const res = db.exec(CHECK)[0].values[0];
    checked("sql.js", { n: res[0], s: res[1] });
  }
  db.close();
  return { ms: median(times), rounds };
}

async function waSqlite(rounds) {
  await idbDelete("reset-bench-wa");
  const module = await SQLiteESMFactory({ locateFile: (f) => `/node_modules/@journeyapps/wa-sqlite/dist/${f}` });
  const sqlite3 = SQLite.Factory(module);
  const vfs = await IDBBatchAtomicVFS.create("reset-bench-wa", module);
  sqlite3.vfs_register(vfs, true);
  const db = await sqlite3.open_v2("bench.db");
  const exec = (sql) => sqlite3.exec(db, sql);
  const one = async (sql) => {
    let row;
    await sqlite3.exec(db, sql, (r, cols) => (row ??= Object.fromEntries(cols.map((c, i) => [c, r[i]]))));
    return row;
  };
  await exec("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, qty INT)");
  await exec("CREATE TABLE items_seed (id INTEGER PRIMARY KEY, name TEXT, qty INT)");
  await exec(`BEGIN; ${SEED.join("; ")}; INSERT INTO items_seed SELECT * FROM items; COMMIT`);
  const times = [];
  for (let r = 0; r < rounds; r++) {
    for (const s of testStatements(r)) await exec(s);
    const t0 = now();
    await exec("BEGIN; DELETE FROM items; INSERT INTO items SELECT * FROM items_seed; COMMIT");
    times.push(now() - t0);
    checked("wa-sqlite", await one(CHECK));
  }
  await sqlite3.close(db);
  await vfs.close?.();
  await idbDelete("reset-bench-wa");
  return { ms: median(times), rounds };
}

async function pglite(rounds) {
  const base = new PGlite();
  await base.exec("CREATE TABLE items (id INT PRIMARY KEY, name TEXT, qty INT)");
  await base.exec(`BEGIN; ${SEED.join("; ")}; COMMIT`);
  let db = await base.clone();
  const times = [];
  for (let r = 0; r < rounds; r++) {
    await db.exec(testStatements(r).join("; "));
    const t0 = now();
    await db.close();
    db = await base.clone();
    times.push(now() - t0);
    checked("PGlite", (await db.query(CHECK.replace("SUM(qty * id)", "SUM(qty * id)::bigint"))).rows[0]);
  }
  await db.close();
  await base.close();
  return { ms: median(times), rounds };
}

window.resetBench = { reeldb, sqljs, waSqlite, pglite };
window.resetBenchReady = true;
