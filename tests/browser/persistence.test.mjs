// ReelDB on IndexedDB in real pages: data survives a reload; two pages on
// one database see each other's writes and backtracks, and a backtrack in one
// rolls back an open transaction in the other.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openTestPage, siteAndBrowser } from "./helpers.mjs";

const env = siteAndBrowser();

test("a reload keeps committed data and the timeline", async () => {
  const context = await env.browser.newContext();
  const page = await openTestPage(context, env.server);
  const before = await page.evaluate(async () => {
    const db = await ReelDB.open("reload");
    await db.exec("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20))");
    await db.query("INSERT INTO t VALUES (?, ?)", [1, "Laptop"]);
    await db.query("INSERT INTO t VALUES (?, ?)", [2, "O'Reilly"]);
    return db.timeline().length;
  });
  await page.reload();
  await page.evaluate(async () => {
    const mod = await import("/pkg/reeldb.js");
    await mod.default();
    window.ReelDB = mod.ReelDB;
  });
  const after = await page.evaluate(async () => {
    const db = await ReelDB.open("reload");
    // A store of a few pages is read whole at open by default.
    const info = db.storageInfo();
    return { rows: await db.query("SELECT * FROM t ORDER BY id"), timeline: db.timeline().length, info };
  });
  assert.equal(after.info.lazy, false);
  assert.equal(after.info.fullyLoaded, true);
  assert.deepEqual(after.rows, [
    { id: 1, name: "Laptop" },
    { id: 2, name: "O'Reilly" },
  ]);
  assert.equal(after.timeline, before);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test("two pages on one database see each other's writes and a backtrack", async () => {
  const context = await env.browser.newContext();
  const a = await openTestPage(context, env.server);
  const b = await openTestPage(context, env.server);
  for (const p of [a, b]) {
    await p.evaluate(async () => {
      window.db = await ReelDB.open("shared");
      window.events = [];
      db.subscribe((e) => events.push(e));
    });
  }
  await a.evaluate(() => db.exec("CREATE TABLE t (id INT PRIMARY KEY)"));
  await b.evaluate(() => db.exec("INSERT INTO t VALUES (1)"));
  await a.waitForFunction(() => events.some((e) => e.type === "remote"));
  assert.deepEqual(await a.evaluate(() => db.query("SELECT id FROM t")), [{ id: 1 }]);
  const mark = await a.evaluate(async () => {
    const t = db.now();
    await new Promise((r) => setTimeout(r, 5));
    await db.exec("INSERT INTO t VALUES (2)");
    return t;
  });
  await b.waitForFunction(() => events.some((e) => e.type === "remote"));
  assert.deepEqual(await b.evaluate(() => db.query("SELECT id FROM t ORDER BY id")), [{ id: 1 }, { id: 2 }]);

  // A opens a transaction; B backtracks: A's transaction is rolled back and
  // A sees the backtrack.
  await a.evaluate(() => db.exec("BEGIN; INSERT INTO t VALUES (3)"));
  assert.equal(await a.evaluate(() => db.inTransaction), true);
  const outcome = await b.evaluate((t) => db.backtrack(t), mark);
  assert.equal(outcome.record.status, "completed");
  await a.waitForFunction(() => events.some((e) => e.type === "rollback") && !db.inTransaction);
  await a.waitForFunction(() => db.timeline().at(-1).kind === "backtrack");
  assert.deepEqual(await a.evaluate(() => db.query("SELECT id FROM t")), [{ id: 1 }]);
  assert.equal(await a.evaluate(() => db.status().lastBacktrack.target), mark);
  assert.deepEqual([...a.problems, ...b.problems], []);
  await context.close();
});

test("a lazily opened database reads what it needs, writes, collects garbage and survives a reload", async () => {
  const context = await env.browser.newContext();
  const page = await openTestPage(context, env.server);
  const reload = async () => {
    await page.reload();
    await page.evaluate(async () => {
      const mod = await import("/pkg/reeldb.js");
      await mod.default();
      window.ReelDB = mod.ReelDB;
    });
  };
  await page.evaluate(async () => {
    const db = await ReelDB.open("lazy", { durability: "relaxed" });
    // rows of ~130 bytes: a store of some 700 pages, of which open and a
    // point query need a few
    await db.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT, name VARCHAR(200))");
    const parts = [];
    for (let i = 0; i < 20000; i += 1000) {
      const values = [];
      for (let j = i; j < i + 1000; j++) values.push(`(${j}, ${j % 97}, 'name ${j}${"-".repeat(100)}')`);
      parts.push(`INSERT INTO t VALUES ${values.join(",")}`);
    }
    await db.exec(["BEGIN", ...parts, "COMMIT"].join(";\n"));
    for (let i = 0; i < 30; i++) await db.query("UPDATE t SET v = v + 1 WHERE id = ?", [i * 613]);
    await db.close();
  });
  await reload();
  const got = await page.evaluate(async () => {
    const db = (window.db = await ReelDB.open("lazy", { lazy: true }));
    const out = { timeline: db.timeline().length };
    out.point = await db.query("SELECT name FROM t WHERE id = ?", [12345]);
    out.afterPoint = db.storageInfo();
    // A synchronous read cannot wait for IndexedDB.
    try {
      db.asOf(db.now()).query("SELECT COUNT(*) AS n FROM t");
      out.syncRead = "ran";
    } catch (e) {
      out.syncRead = e.code;
    }
    // Writes: autocommit, and an explicit transaction statement by statement.
    await db.query("UPDATE t SET name = ? WHERE id = ?", ["changed", 777]);
    await db.exec("BEGIN");
    await db.query("INSERT INTO t VALUES (?, ?, ?)", [20000, 1, "new"]);
    await db.query("UPDATE t SET v = v + 100 WHERE id = ?", [19999]);
    await db.exec("COMMIT");
    out.count = await db.query("SELECT COUNT(*) AS n, SUM(v) AS s FROM t");
    // Enough writing for a garbage collection (half the live bytes), which
    // loads every page.
    for (let i = 0; i < 8; i++) {
      const values = [];
      for (let j = 0; j < 1000; j++) values.push(`(${30000 + i * 1000 + j}, 5, '${"w".repeat(150)}')`);
      await db.query(`INSERT INTO t VALUES ${values.join(",")}`);
    }
    out.afterWrites = db.storageInfo();
    await db.loadAll();
    out.asOf = db.asOf(db.now()).query("SELECT COUNT(*) AS n FROM t");
    out.timelineAfter = db.timeline().length;
    await db.close();
    return out;
  });
  assert.deepEqual(got.point, [{ name: `name 12345${"-".repeat(100)}` }]);
  assert.equal(got.afterPoint.lazy, true);
  assert.equal(got.afterPoint.fullyLoaded, false);
  assert.ok(
    got.afterPoint.pagesRead * 3 < got.afterPoint.pages,
    `open + a point query read ${got.afterPoint.pagesRead} of ${got.afterPoint.pages} pages`,
  );
  assert.equal(got.syncRead, "NOT_LOADED");
  assert.equal(got.count[0].n, 20001);
  assert.equal(got.afterWrites.fullyLoaded, true, "the deferred garbage collection loaded every page");
  assert.deepEqual(got.asOf, [{ n: 28001 }]);
  assert.equal(got.timelineAfter, got.timeline + 2 + 8);

  await reload();
  const again = await page.evaluate(async () => {
    // By default a store this size is opened lazily and the pages no
    // operation read are read in the background, between operations.
    const db = await ReelDB.open("lazy");
    const atOpen = db.storageInfo();
    const rows = await db.query("SELECT id, v, name FROM t WHERE id IN (777, 19999, 20000, 37999) ORDER BY id");
    // Open reads the timeline's two ends only; a query of it reads the rest
    // on demand, and the synchronous timeline() then has it in memory.
    const [{ n: sqlTimeline }] = await db.query("SELECT COUNT(*) AS n FROM information_schema.timeline");
    const out = { atOpen, rows, sqlTimeline, timeline: db.timeline().length };
    const deadline = Date.now() + 30_000;
    while (!db.storageInfo().fullyLoaded && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    out.loaded = db.storageInfo();
    // Every page in memory: a synchronous read runs.
    out.asOf = db.asOf(db.now()).query("SELECT COUNT(*) AS n FROM t");
    out.count = await db.query("SELECT COUNT(*) AS n FROM t");
    await db.delete();
    return out;
  });
  assert.equal(again.sqlTimeline, got.timelineAfter);
  assert.equal(again.timeline, got.timelineAfter);
  assert.equal(again.atOpen.lazy, true);
  assert.equal(again.atOpen.fullyLoaded, false);
  assert.ok(again.atOpen.pagesRead * 3 < again.atOpen.pages, `open read ${again.atOpen.pagesRead} of ${again.atOpen.pages} pages`);
  assert.equal(again.loaded.fullyLoaded, true, "the background reading completed the image");
  assert.deepEqual(again.asOf, [{ n: 28001 }]);
  assert.deepEqual(again.rows, [
    { id: 777, v: 777 % 97, name: "changed" },
    { id: 19999, v: (19999 % 97) + 100, name: `name 19999${"-".repeat(100)}` },
    { id: 20000, v: 1, name: "new" },
    { id: 37999, v: 5, name: "w".repeat(150) },
  ]);
  assert.equal(again.timeline, got.timelineAfter);
  assert.deepEqual(again.count, [{ n: 28001 }]);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test("a lazily opened reader tab fetches pages of the state it holds while another tab writes", async () => {
  const context = await env.browser.newContext();
  const a = await openTestPage(context, env.server);
  const b = await openTestPage(context, env.server);
  await a.evaluate(async () => {
    window.db = await ReelDB.open("lazy-tabs", { durability: "relaxed" });
    await db.exec("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(40))");
    const values = [];
    for (let j = 0; j < 5000; j++) values.push(`(${j}, 'name ${j}')`);
    await db.query(`INSERT INTO t VALUES ${values.join(",")}`);
  });
  await b.evaluate(async () => {
    window.db = await ReelDB.open("lazy-tabs", { lazy: true });
  });
  // A keeps writing (and collecting garbage) while B reads lazily.
  const reads = await Promise.all([
    a.evaluate(async () => {
      for (let i = 0; i < 40; i++) {
        const values = [];
        for (let j = 0; j < 200; j++) values.push(`(${10000 + i * 200 + j}, '${"x".repeat(30)}')`);
        await db.query(`INSERT INTO t VALUES ${values.join(",")}`);
        await db.query("DELETE FROM t WHERE id = ?", [i * 100]);
      }
    }),
    b.evaluate(async () => {
      const out = [];
      for (let i = 0; i < 40; i++) {
        const [row] = await db.query("SELECT name FROM t WHERE id = ?", [i * 100 + 1]);
        out.push(row?.name);
      }
      return out;
    }),
  ]);
  assert.deepEqual(
    reads[1],
    Array.from({ length: 40 }, (_, i) => `name ${i * 100 + 1}`),
  );
  const final = await b.evaluate(async () => db.query("SELECT COUNT(*) AS n FROM t"));
  assert.deepEqual(final, [{ n: 5000 + 40 * 200 - 40 }]);
  assert.deepEqual([...a.problems, ...b.problems], []);
  await a.evaluate(() => db.delete());
  await context.close();
});
