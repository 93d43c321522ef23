// Fails on purpose (run with REELDB_SHOW_FAILURE=1): the fixture attaches
// the database with its timeline (reeldb-timeline.reeldb) and what the test
// changed (reeldb-changes.json). Open the .reeldb file in the playground
// (Open file…) and scrub through what the test did.
import { test, expect } from "reeldb/playwright";

test.use({ reeldb: { url: process.env.REELDB_EXAMPLE_URL } });

test("clearing keeps the laptop (wrong: it is sold out by then)", async ({ reeldbPage: page }) => {
  await page.click("#sell");
  await page.click("#sell");
  await page.click("#clear");
  // Once the list has settled (the keyboard alone is left), the wrong
  // expectation fails whatever the timing: before that, "Laptop: 0" may
  // still be shown from the second sale.
  await expect(page.locator("#items li")).toHaveText(["Keyboard: 7"]);
  await expect(page.locator("#items li").first()).toHaveText("Laptop: 0", { timeout: 500 });
});
