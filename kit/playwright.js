// reeldb/playwright: a Playwright Test fixture for apps that keep their
// data in ReelDB. One page per worker opens the app once (seeding it
// however it likes) and the fixture marks that state as a restore point;
// before each test the database is backtracked to it (O(1), durable),
// instead of a new context and a new seed per test. On failure the
// database with its whole timeline is attached (`reeldb-timeline.reeldb`,
// open it in the playground with "Open file…" and scrub through what the
// test did) together with `reeldb-changes.json` (changesSince).
//
//   import { test, expect } from "reeldb/playwright";
//   test.use({ reeldb: { url: "http://localhost:8080/app.html" } });
//   test("deletes a row", async ({ reeldbPage: page, db }) => {
//     await page.click("text=Delete");
//     expect(await db.changesSince()).toEqual({ "app.items": { added: [], removed: [...], changed: [] } });
//   });
//
// The app exposes its ReelDB object as `globalThis[reeldb.global]`
// ("reeldb" by default) once it is ready.
import { writeFileSync } from "node:fs";
import { test as base, expect } from "@playwright/test";
import { changesSince, checkpoint, reset } from "./testing.js";

export { expect };

/**
 * The ReelDB object `globalThis[global]` of `page`, driven from the test:
 * the same methods as a ReelDB (each returns a Promise), as the functions
 * of reeldb/testing take; `exportImage()` resolves with a Buffer.
 */
export function pageDb(page, global = "reeldb") {
  const call = (method, args) =>
    page.evaluate(
      async ([g, method, args]) => {
        const db = globalThis[g];
        if (!db) throw new Error(`the page has no ReelDB at globalThis.${g}`);
        return db[method](...args);
      },
      [global, method, args],
    );
  return {
    query: (sql, params) => call("query", params === undefined ? [sql] : [sql, params]),
    exec: (sql) => call("exec", [sql]),
    now: () => call("now", []),
    diff: (table, from, to) => call("diff", [table, from, to]),
    loadAll: () => call("loadAll", []),
    timeline: () => call("timeline", []),
    restorePoints: () => call("restorePoints", []),
    createRestorePoint: (name) => call("createRestorePoint", [name]),
    dropRestorePoint: (name) => call("dropRestorePoint", [name]),
    backtrack: (target) => call("backtrack", [target]),
    asOf: (time) => ({
      query: (sql, params) =>
        page.evaluate(async ([g, t, sql, params]) => {
          await globalThis[g].loadAll?.();
          return globalThis[g].asOf(t).query(sql, params ?? undefined);
        }, [
          global,
          time,
          sql,
          params ?? null,
        ]),
    }),
    async exportImage() {
      const b64 = await page.evaluate(async (g) => {
        await globalThis[g].loadAll?.();
        const bytes = globalThis[g].exportImage();
        let s = "";
        for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        return btoa(s);
      }, global);
      return Buffer.from(b64, "base64");
    },
  };
}

/**
 * Attaches `db`'s image (timeline included) and what changed since
 * restore point `name` to the test: called by the fixture on failure.
 */
export async function attachDatabase(db, testInfo, name) {
  const file = testInfo.outputPath("reeldb-timeline.reeldb");
  writeFileSync(file, await db.exportImage());
  await testInfo.attach("reeldb-timeline.reeldb", { path: file, contentType: "application/octet-stream" });
  let changes;
  try {
    changes = await changesSince(db, name);
  } catch (e) {
    changes = { error: String(e?.message ?? e) };
  }
  const json = JSON.stringify(changes, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2);
  await testInfo.attach("reeldb-changes.json", { body: json, contentType: "application/json" });
}

/** The `reeldb` option with its defaults filled in. */
function settings(reeldb) {
  return { global: "reeldb", checkpoint: "reeldb-test-start", ...reeldb };
}

/**
 * The fixtures' types are those of playwright.d.ts (`db` per test;
 * `reeldb` and `reeldbPage` per worker).
 * @type {typeof base.extend<{db: any}, {reeldb: import("./playwright.js").ReelDBOption, reeldbPage: import("@playwright/test").Page}>}
 */
const extend = base.extend.bind(base);

export const test = extend({
  /** Where the app is and how it exposes its database. */
  reeldb: [{ url: undefined, global: "reeldb", checkpoint: "reeldb-test-start" }, { option: true, scope: "worker" }],

  /** The app's page, opened once per worker; its database state at start is the checkpoint. */
  reeldbPage: [
    async ({ browser, reeldb: option }, use) => {
      const reeldb = settings(option);
      if (!reeldb.url) throw new Error("reeldb/playwright: set test.use({ reeldb: { url } }) to the app's page");
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(reeldb.url);
      await page.waitForFunction((g) => globalThis[g] !== undefined, reeldb.global);
      await checkpoint(pageDb(page, reeldb.global), reeldb.checkpoint);
      await use(page);
      await context.close();
    },
    { scope: "worker" },
  ],

  /**
   * The app's database, reset to the checkpoint before every test (an auto
   * fixture: also for tests that only use `reeldbPage`, which then get the
   * attachment on failure too); `changesSince()` what the test changed.
   */
  db: [
    async ({ reeldbPage, reeldb: option }, use, testInfo) => {
      const reeldb = settings(option);
      const db = pageDb(reeldbPage, reeldb.global);
      await reset(db, reeldb.checkpoint);
      db.changesSince = () => changesSince(db, reeldb.checkpoint);
      await use(db);
      if (testInfo.status !== testInfo.expectedStatus) await attachDatabase(db, testInfo, reeldb.checkpoint);
    },
    { auto: true },
  ],
});
