// The `reeldb` package in Node.js: `import { ReelDB } from "reeldb"`
// resolves through package.json's "node" condition to pkg/node.js; the
// browser API in memory and on a file (durable, reopened with its
// timeline), images, and bad input. Run: node --test tests/node/
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, existsSync, writeFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ReelDB, version } from "reeldb";

const tmp = mkdtempSync(join(tmpdir(), "reeldb-node-"));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test("'reeldb' resolves to the Node entry through the package's exports", () => {
  const url = import.meta.resolve("reeldb");
  assert.match(url, /\/node\.js$/);
  assert.match(version(), /^\d+\.\d+\.\d+/);
});

/** The scenario both storages run: a table, a delete, AS OF, diff, backtrack. */
async function timeTravel(db) {
  await db.exec("CREATE TABLE p (id INT PRIMARY KEY, name VARCHAR(40))");
  await db.query("INSERT INTO p VALUES (?, ?), (?, ?)", [1, "Laptop", 2, "Phone"]);
  const before = db.now();
  await sleep(2);
  await db.exec("DELETE FROM p WHERE id = 1");
  assert.deepEqual(await db.query("SELECT * FROM p"), [{ id: 2, name: "Phone" }]);
  assert.deepEqual(db.asOf(before).query("SELECT * FROM p ORDER BY id"), [
    { id: 1, name: "Laptop" },
    { id: 2, name: "Phone" },
  ]);
  assert.deepEqual(await db.query(`SELECT id FROM p FOR SYSTEM_TIME AS OF '${before}'`), [{ id: 1 }, { id: 2 }]);
  const diff = db.diff("p", before, db.now());
  assert.equal(diff.length, 1);
  assert.equal(diff[0].change, "removed");
  assert.equal(diff[0].old_id, 1);
  return before;
}

test("in memory: the browser API, time travel and backtrack", async () => {
  const db = ReelDB.openInMemory();
  assert.equal(db.storageInfo().backend, "memory");
  const before = await timeTravel(db);
  const out = await db.backtrack(before);
  assert.equal(out.record.status, "completed");
  assert.deepEqual(await db.query("SELECT COUNT(*) AS n FROM p"), [{ n: 2 }]);
  await db.close();
});

test("on a file: commits survive close and reopen, with the timeline", async () => {
  const path = join(tmp, "shop.reeldb");
  let db = await ReelDB.open(path);
  assert.equal(db.storageInfo().backend, "file");
  const before = await timeTravel(db);
  await db.createRestorePoint("after_delete");
  const entries = db.timeline().length;
  await db.close();
  assert.ok(statSync(path).size > 0 && statSync(path).size % 4096 === 0);

  db = await ReelDB.open(path);
  assert.deepEqual(await db.query("SELECT * FROM p"), [{ id: 2, name: "Phone" }]);
  assert.equal(db.timeline().length, entries);
  assert.deepEqual(db.restorePoints().map((p) => p.name), ["after_delete"]);
  assert.deepEqual(db.asOf(before).query("SELECT id FROM p ORDER BY id"), [{ id: 1 }, { id: 2 }]);
  await db.backtrack(before);
  await db.close();

  db = await ReelDB.open(path);
  assert.deepEqual(await db.query("SELECT id FROM p ORDER BY id"), [{ id: 1 }, { id: 2 }], "the backtrack is durable");
  await db.backtrack({ restorePoint: "after_delete" });
  assert.deepEqual(await db.query("SELECT id FROM p"), [{ id: 2 }]);
  await db.delete();
  assert.equal(existsSync(path), false, "delete() removes the file");
});

test("on a file: every acknowledged commit survives a killed process", async () => {
  const path = join(tmp, "killed.reeldb");
  const child = spawn(process.execPath, [fileURLToPath(new URL("./writer.mjs", import.meta.url)), path], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let acked = 0;
  let buf = "";
  await new Promise((resolve) => {
    child.stdout.on("data", (d) => {
      buf += d;
      const lines = buf.split("\n");
      buf = lines.pop();
      for (const l of lines) acked = Math.max(acked, Number(l));
      if (acked >= 40 && !child.killed) child.kill("SIGKILL");
    });
    child.on("exit", resolve);
  });
  assert.ok(acked >= 40, `the writer acknowledged ${acked} commits`);
  const db = await ReelDB.open(path);
  const [{ n }] = await db.query("SELECT COUNT(*) AS n FROM t");
  assert.ok(n >= acked, `${n} rows after the kill, ${acked} acknowledged`);
  assert.deepEqual(await db.query("SELECT COUNT(*) AS n FROM t WHERE id > " + n), [{ n: 0 }]);
  await db.close();
});

test("exportImage / openImage carry the whole timeline; a file's bytes are an image", async () => {
  const db = ReelDB.openInMemory();
  const before = await timeTravel(db);
  const image = db.exportImage();
  assert.ok(image instanceof Uint8Array && image.length % 4096 === 0);
  const copy = ReelDB.openImage(image);
  assert.deepEqual(copy.timeline(), db.timeline());
  assert.deepEqual(copy.asOf(before).query("SELECT id FROM p ORDER BY id"), [{ id: 1 }, { id: 2 }]);
  await copy.exec("DELETE FROM p");
  assert.deepEqual(await db.query("SELECT id FROM p"), [{ id: 2 }], "the copy is independent");

  const path = join(tmp, "from-image.reeldb");
  writeFileSync(path, image);
  const onFile = await ReelDB.open(path);
  assert.deepEqual(onFile.timeline(), db.timeline());
  await onFile.close();
  assert.deepEqual(new Uint8Array(readFileSync(path)).length >= image.length, true);
});

test("bad images and files get coded errors, never a crash", async () => {
  for (const [bytes, code] of [
    [new Uint8Array(0), "BAD_IMAGE"],
    [new Uint8Array(100), "BAD_IMAGE"],
    [new Uint8Array(8192).fill(7), null],
  ]) {
    try {
      ReelDB.openImage(bytes);
      assert.fail("opened a bad image");
    } catch (e) {
      assert.equal(e.name, "ReelDBError");
      if (code) assert.equal(e.code, code);
      else assert.match(e.code, /^(CHECKSUM|UNKNOWN_FORMAT|CORRUPT|TRUNCATED)$/);
    }
  }
  const path = join(tmp, "garbage.reeldb");
  writeFileSync(path, Buffer.alloc(3 * 4096, 0x41));
  const fds = readdirSync("/proc/self/fd").length;
  await assert.rejects(ReelDB.open(path), (e) => e.name === "ReelDBError" && typeof e.code === "string");
  await assert.rejects(ReelDB.open(join(tmp, "opts.reeldb"), { windowSecs: -1 }), { code: "BAD_OPTION" });
  await ReelDB.deleteDatabase(join(tmp, "opts.reeldb"));
  assert.equal(readdirSync("/proc/self/fd").length, fds, "a failed open closes its file");
  await assert.rejects(ReelDB.open(""), { code: "BAD_OPTION" });
  await assert.rejects(ReelDB.open(join(tmp, "no-such-dir", "x.reeldb")), /ENOENT/);
});

test("a file open in this process cannot be opened again until closed", async () => {
  const path = join(tmp, "once.reeldb");
  const db = await ReelDB.open(path);
  await db.exec("CREATE TABLE t (a INT); INSERT INTO t VALUES (1)");
  await assert.rejects(ReelDB.open(path), { code: "ALREADY_OPEN" });
  await assert.rejects(ReelDB.open(join(tmp, ".", "once.reeldb")), { code: "ALREADY_OPEN" });
  await db.close();
  const again = await ReelDB.open(path);
  assert.deepEqual(await again.query("SELECT a FROM t"), [{ a: 1 }]);
  await again.close();
});

test("ReelDB.deleteDatabase(path) removes the file", async () => {
  const path = join(tmp, "gone.reeldb");
  const db = await ReelDB.open(path);
  await db.exec("CREATE TABLE t (a INT)");
  await db.close();
  await ReelDB.deleteDatabase(path);
  assert.equal(existsSync(path), false);
  await ReelDB.deleteDatabase(path); // already gone: fine
});
