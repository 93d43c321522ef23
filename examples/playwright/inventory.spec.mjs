// The test kit's Playwright fixture: the app is opened and seeded once per
// worker; before each test its database is backtracked to that state, and
// `db.changesSince()` says what the test changed.
import { test, expect } from "reeldb/playwright";

test.use({ reeldb: { url: process.env.REELDB_EXAMPLE_URL } });

test("selling a laptop changes one row", async ({ reeldbPage: page, db }) => {
  await page.click("#sell");
  await expect(page.locator("#items li").first()).toHaveText("Laptop: 1");
  expect(await db.changesSince()).toEqual({
    "inventory.items": {
      added: [],
      removed: [],
      changed: [{ before: { id: 1, name: "Laptop", qty: 2 }, after: { id: 1, name: "Laptop", qty: 1 } }],
    },
  });
});

test("each test starts from the seeded state", async ({ reeldbPage: page, db }) => {
  await expect(page.locator("#items li").first()).toHaveText("Laptop: 2");
  expect(await db.changesSince()).toEqual({});
  await page.click("#sell");
  await page.click("#sell");
  await page.click("#clear");
  await expect(page.locator("#items li")).toHaveText(["Keyboard: 7"]);
  const changes = await db.changesSince();
  expect(changes["inventory.items"].removed.map((r) => r.name)).toEqual(["Laptop", "Monitor"]);
});

test("and again, whatever the previous test did", async ({ reeldbPage: page, db }) => {
  await expect(page.locator("#items li")).toHaveText(["Laptop: 2", "Monitor: 0", "Keyboard: 7"]);
  expect(await db.query("SELECT COUNT(*) AS n FROM items")).toEqual([{ n: 3 }]);
});
