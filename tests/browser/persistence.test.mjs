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
    return { rows: await db.query("SELECT * FROM t ORDER BY id"), timeline: db.timeline().length };
  });
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
