// Playwright tests of the playground (www/index.html) and of the embedding
// page (www/embed.html), served by scripts/static-server.mjs and driven in
// Debian's /usr/bin/chromium by accessible roles and names.
//
// The playground needs the package's SQL entry point (`ReelDB.exec`) and,
// for reload persistence, `ReelDB.open` (IndexedDB): a pkg/ without them
// fails the tests that drive them, naming what is missing (never a skip).
//
// Screenshots: target/screenshots/playground-*.png.
// Preview frame time on a 100k-row table is printed (p50/p95).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { ROOT, SCENARIO, runSql, siteAndBrowser } from "./helpers.mjs";

const SHOTS = new URL("target/screenshots/", ROOT);

let api = { exec: false, open: false };
const env = siteAndBrowser(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const page = await env.browser.newPage();
  await page.goto(new URL("embed.html", env.server.url).href);
  api = await page.evaluate(async () => {
    const mod = await import("./pkg/reeldb.js");
    await mod.default();
    return { exec: typeof mod.ReelDB.prototype.exec === "function", open: typeof mod.ReelDB.open === "function" };
  });
  await page.close();
});

/** Fails the running test when the package lacks the API it drives (never a skip). */
function requireApi({ open = false } = {}) {
  assert.ok(api.exec, "the reeldb package has no ReelDB.prototype.exec (SQL entry point)");
  if (open) assert.ok(api.open, "the reeldb package has no ReelDB.open (IndexedDB)");
}

/** A fresh page on the playground with problem collection (page errors, console errors, CSP violations). */
async function openPlayground(path = "", { viewport = { width: 1400, height: 950 }, colorScheme = "light" } = {}) {
  const context = await env.browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`);
  });
  page.on("dialog", (d) => {
    problems.push(`unexpected browser dialog: ${d.message()}`);
    d.dismiss();
  });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(new URL(path, env.server.url).href);
  await page.locator("[data-state=ready]").first().waitFor({ timeout: 20_000 });
  return { page, context, problems };
}

async function finish({ page, context, problems }) {
  const csp = await page.evaluate(() => window.__csp);
  await context.close();
  assert.deepEqual(csp, [], "no Content-Security-Policy violations");
  assert.deepEqual(problems, []);
}

const shot = (page, name) => page.screenshot({ path: new URL(`playground-${name}.png`, SHOTS).pathname, fullPage: true });

async function sliderX(page, time) {
  const slider = page.getByRole("slider", { name: "Timeline" }).first();
  const box = await slider.boundingBox();
  const min = Number(await slider.getAttribute("aria-valuemin"));
  const max = Number(await slider.getAttribute("aria-valuemax"));
  const t = Date.parse(`${time.replace(" ", "T")}Z`) / 1000;
  return { x: box.x + ((t - min) / (max - min)) * box.width, y: box.y + box.height / 2, box };
}

test("running SQL shows results as tables with row counts and timings, and errors with code and position", async () => {
  requireApi();
  const ctx = await openPlayground();
  const { page } = ctx;
  await runSql(page, "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20));\nINSERT INTO t VALUES (1, 'one'), (2, 'two');\nSELECT * FROM t ORDER BY id;");
  const result = page.getByRole("table", { name: /Result: SELECT \* FROM t/ });
  await result.waitFor();
  assert.match(await page.locator(".rp-result-meta").last().textContent(), /^2 rows · [\d.]+ ms$/);
  assert.match(await page.locator(".rp-result-meta").nth(1).textContent(), /^2 rows affected/);
  assert.equal(await result.getByRole("cell", { name: "two" }).count(), 1);
  // The table panel updated live.
  assert.equal(await page.getByRole("table", { name: /Rows of main\.t, now/ }).getByRole("row").count(), 3);
  assert.equal(await page.getByRole("button", { name: "Show table main.t" }).count(), 1);

  await runSql(page, "SELECT 1;\nSELEC * FROM t;");
  const alert = page.getByRole("alert");
  await alert.waitFor();
  const text = await alert.textContent();
  assert.match(text, /ER_PARSE_ERROR at line 2, column 1/);
  assert.equal(await page.locator(".cm-error-mark").count(), 1);

  // History: Ctrl+Up recalls the previous script.
  await page.getByRole("textbox", { name: "SQL" }).click();
  await page.keyboard.press("Control+ArrowUp");
  await page.keyboard.press("Control+ArrowUp");
  assert.match(await page.getByRole("textbox", { name: "SQL" }).textContent(), /CREATE TABLE t/);
  await shot(page, "console");
  await finish(ctx);
});

test("a value holding HTML is shown as text and runs nothing", async () => {
  requireApi();
  const ctx = await openPlayground();
  const { page } = ctx;
  await page.evaluate(() => {
    window.__xss = 0;
    window.alert = () => window.__xss++;
  });
  const payload = "<img src=x onerror=alert(1)>";
  await runSql(page, `CREATE TABLE x (id INT PRIMARY KEY, v VARCHAR(80));\nINSERT INTO x VALUES (1, '${payload}');\nSELECT v FROM x;`);
  const cell = page.getByRole("table", { name: /Result: SELECT v FROM x/ }).getByRole("cell", { name: payload });
  await cell.waitFor();
  assert.equal(await cell.textContent(), payload);
  assert.equal(await page.locator(".rp img[src=x]").count(), 0);
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => window.__xss), 0);
  await finish(ctx);
});

test("guided scenario: Rewind the accident, step by step", async () => {
  requireApi();
  const ctx = await openPlayground();
  const { page } = ctx;
  await page.getByRole("button", { name: "Rewind the accident" }).click();
  const card = page.getByRole("region", { name: "Rewind the accident tutorial" });
  await card.waitFor();
  for (let step = 1; ; step++) {
    assert.match(await card.textContent(), new RegExp(`step ${step} of`));
    const run = card.getByRole("button", { name: "Run step" });
    if (await run.count()) {
      await run.click();
      await card.getByRole("button", { name: "Run again" }).waitFor();
      assert.equal(await page.getByRole("alert").count(), 0, `step ${step} ran without error`);
    }
    if (step === 4) {
      assert.match(await page.locator(".rp-table-summary").textContent(), /^0 rows now/);
      await shot(page, "tutorial-accident");
    }
    if (step === 6) {
      assert.match(await page.getByRole("status").first().textContent(), /Backtrack completed: database rewound to 2020-12-24 14:50:00 at 15:05:00/);
    }
    const next = card.getByRole("button", { name: "Next step" });
    if (!(await next.count())) break;
    await next.click();
  }
  assert.match(await card.textContent(), /Your turn/);
  assert.match(await page.locator(".rp-stats").textContent(), /Earliest\s*2020-12-24 14:50:00/);
  // The axis starts at the earliest reachable time, and says so; Home reaches it.
  // (Both edges are on one day: the axis shows the clock, its title the whole time.)
  assert.equal(await page.locator(".scrub-axis-left").textContent(), "earliest 14:50:00");
  assert.equal(await page.locator(".scrub-axis-left").getAttribute("title"), "2020-12-24 14:50:00");
  const axis = page.getByRole("slider", { name: "Timeline" });
  assert.equal(await axis.getAttribute("aria-valuemin"), "1608821400");
  await axis.focus();
  await page.keyboard.press("Home");
  assert.match(await axis.getAttribute("aria-valuetext"), /^2020-12-24 14:50:00; /);
  await page.keyboard.press("Escape");
  assert.equal(await page.getByRole("table", { name: /Rows of SQLShackDemo\.ProductsData, now/ }).getByRole("row").count(), 4);
  await page.getByRole("button", { name: "Backtrack log" }).click();
  const log = page.getByRole("dialog", { name: "Backtrack log" });
  assert.equal(await log.getByRole("row").count(), 5);
  assert.equal(await log.getByRole("cell", { name: "completed" }).count(), 4);
  await shot(page, "backtrack-log");
  await log.getByRole("button", { name: "Close" }).click();
  await shot(page, "tutorial-done");
  await finish(ctx);
});

test("tutorial: a step revisited runs again without ER_DUP_ENTRY and the clock only moves forward; long lines wrap; export name has whole seconds", async () => {
  requireApi();
  const ctx = await openPlayground();
  const { page } = ctx;
  await page.getByRole("button", { name: "Rewind the accident" }).click();
  const card = page.getByRole("region", { name: "Rewind the accident tutorial" });
  await card.waitFor();
  const runStep = async () => {
    await card.getByRole("button", { name: /^Run (step|again)$/ }).click();
    await card.getByRole("button", { name: "Run again" }).waitFor();
    assert.equal(await page.getByRole("alert").count(), 0, await page.locator(".rp-results").textContent());
  };
  for (let step = 1; step <= 4; step++) {
    await runStep();
    await card.getByRole("button", { name: "Next step" }).click();
  }
  // Back to step 3 (the two inserts) and run it again, twice.
  await card.getByRole("button", { name: "Previous step" }).click();
  await card.getByRole("button", { name: "Previous step" }).click();
  assert.match(await card.textContent(), /step 3 of/);
  for (let i = 0; i < 2; i++) {
    await runStep();
    assert.match(await page.locator(".rp-status-msg").textContent(), /Replayed steps 1 to 2 in a fresh database/);
    assert.match(await page.locator(".rp-table-summary").textContent(), /^2 rows now/);
    const times = await page.evaluate(() => window.reeldbPlayground.entries.map((e) => e.us));
    assert.deepEqual(times, [...times].sort((a, b) => a - b), "timeline times never go backwards");
    assert.equal(await page.evaluate(() => window.reeldbPlayground.entries.at(-1).time), "2020-12-24 14:58:00");
  }
  // Skipping ahead to step 5 (the AS OF read) replays step 4 first: the AS OF query shows two rows, now none.
  await card.getByRole("button", { name: "Next step" }).click();
  await card.getByRole("button", { name: "Next step" }).click();
  assert.match(await card.textContent(), /step 5 of/);
  // The long AS OF line wraps inside the editor instead of being cut off.
  const wrap = await page.evaluate(() => {
    const root = document.querySelector(".rp-editor").shadowRoot;
    const scroller = root.querySelector(".cm-scroller");
    const content = root.querySelector(".cm-content");
    return { wraps: content.classList.contains("cm-lineWrapping"), over: scroller.scrollWidth - scroller.clientWidth };
  });
  assert.equal(wrap.wraps, true);
  assert.ok(wrap.over <= 1, `no horizontal overflow (${wrap.over}px)`);
  await runStep();
  await shot(page, "tutorial-wrapped");
  // Export: the file name carries whole seconds only.
  await card.getByRole("button", { name: "Leave tutorial" }).click();
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export" }).click()]);
  assert.match(download.suggestedFilename(), /^reeldb-\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d\.sql$/);
  await finish(ctx);
});

test("dragging the timeline previews the past without changing data; Backtrack rewinds; forward again", async () => {
  requireApi();
  const ctx = await openPlayground();
  const { page } = ctx;
  await runSql(page, SCENARIO);
  const rows = () => page.getByRole("table", { name: /^Rows of shop\.products/ }).getByRole("row");
  assert.equal(await rows().count(), 1, "empty now: header row only");
  // The window (a day) reaches before the first commit (14:45:00): the axis starts just before it.
  assert.match(await page.locator(".scrub-axis-left").textContent(), /^14:4[34]:\d\d · before the first change$/);

  // Drag to 15:00, before the accident: both rows come back in the preview, marked "only then".
  const start = await sliderX(page, "2020-12-24 15:04:00");
  const target = await sliderX(page, "2020-12-24 15:00:00.5");
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(target.x, target.y, { steps: 8 });
  const preview = page.getByRole("table", { name: /as of 2020-12-24 (14:59|15:00):\d\d, compared with now/ });
  await preview.waitFor();
  assert.equal(await preview.getByRole("row").count(), 3);
  assert.equal(await preview.getByRole("cell", { name: "only then" }).count(), 2);
  assert.match(await page.locator(".rp-table-summary").textContent(), /2 rows \(2 only then, 0 only now, 0 changed\)/);
  await shot(page, "scrub-preview");

  // Releasing the handle keeps the preview and asks nothing.
  await page.mouse.up();
  await page.mouse.move(start.x, start.y + 200);
  await page.waitForTimeout(300);
  const dialog = page.getByRole("dialog", { name: "Backtrack the database?" });
  assert.equal(await dialog.count(), 0, "no confirmation on release");
  assert.equal(await preview.getByRole("row").count(), 3, "the preview stays after release");
  await shot(page, "released");
  // Backtrack (the button) asks for confirmation; Cancel writes nothing and keeps the preview.
  await page.getByRole("button", { name: "Backtrack", exact: true }).click();
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /Rewind the whole database to 2020-12-24 (14:59|15:00):\d\d\? In products: 2 rows will come back, 0 rows will disappear, 0 rows will change back\./);
  await shot(page, "confirm");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  assert.equal(await preview.getByRole("row").count(), 3, "the preview stays after Cancel");
  // Escape returns to now.
  await page.keyboard.press("Escape");
  await page.getByRole("table", { name: /^Rows of shop\.products, now/ }).waitFor();
  assert.equal(await page.getByRole("button", { name: "Back to now" }).isDisabled(), true);
  const timelineBefore = await page.evaluate(() => window.reeldbPlayground.entries.length);
  await runSql(page, "SELECT COUNT(*) FROM shop.products;");
  assert.equal(await page.getByRole("table", { name: /Result: SELECT COUNT/ }).getByRole("cell", { name: "0" }).count(), 1);
  assert.equal(await page.evaluate(() => window.reeldbPlayground.entries.length), timelineBefore, "no commit from previewing");

  // Keyboard: step back commit by commit, then the Backtrack button.
  const slider = page.getByRole("slider", { name: "Timeline" });
  await slider.focus();
  await page.keyboard.press("ArrowLeft");
  assert.match(await slider.getAttribute("aria-valuetext"), /^2020-12-24 14:58:00; last change commit at 2020-12-24 14:58:00: INSERT INTO products VALUES \(2, 'Monitor', 12\)/);
  await page.getByRole("button", { name: "Backtrack", exact: true }).click();
  await dialog.waitFor();
  await dialog.getByRole("button", { name: "Backtrack" }).click();
  const status = page.getByRole("status").first();
  await page.waitForFunction(() => /Backtrack completed/.test(document.querySelector(".rp-status-msg").textContent));
  assert.match(await status.textContent(), /^15:05:00Backtrack completed: database rewound to 2020-12-24 14:58:00 at 15:05:00$/);
  assert.equal(await rows().count(), 3, "both rows are back");
  assert.equal(await page.locator(".scrub-tip").isVisible(), false, "no stale tooltip after the backtrack");
  await shot(page, "backtracked");

  // A failed backtrack's banner goes once later statements succeed.
  await runSql(page, "BACKTRACK TO TIMESTAMP '2030-01-01 00:00:00';");
  assert.match(await status.textContent(), /Backtrack failed/);
  await runSql(page, "SELECT 1;");
  assert.doesNotMatch(await status.textContent(), /Backtrack failed/);
  assert.match(await status.textContent(), /Ran 1 statement\./);

  // Forward again: to 14:55 first (one row), then forward to 14:58:30 (two rows).
  await runSql(page, "SET TIMESTAMP = 1608822360;");
  await slider.focus();
  await page.keyboard.press("Home");
  for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
  assert.match(await slider.getAttribute("aria-valuetext"), /^2020-12-24 14:55:00/);
  await page.keyboard.press("Enter");
  await dialog.getByRole("button", { name: "Backtrack" }).click();
  await page.waitForFunction(() => /rewound to 2020-12-24 14:55:00/.test(document.querySelector(".rp-status-msg").textContent));
  assert.equal(await rows().count(), 2);
  await runSql(page, "SET TIMESTAMP = 1608822420;\nBACKTRACK TO TIMESTAMP '2020-12-24 14:58:30';");
  assert.match(await status.textContent(), /Backtrack completed: database rewound to 2020-12-24 14:58:30 at 15:07:00/);
  assert.equal(await rows().count(), 3);
  // Three completed backtracks and the failed one (into the future), drawn as its own arc.
  assert.equal(await page.locator(".scrub-jump").count(), 4);
  assert.equal(await page.locator(".scrub-jump-failed").count(), 1);
  await shot(page, "forward-again");

  // Play replays history and returns to now.
  await page.getByRole("button", { name: "Play" }).click();
  await page.waitForTimeout(900);
  assert.equal(await page.getByRole("button", { name: "Pause" }).getAttribute("aria-pressed"), "true");
  await page.getByRole("button", { name: "Pause" }).click();
  await page.getByRole("button", { name: "Back to now" }).click();
  await finish(ctx);
});

test("the preview shows the database as of T: a table only in an abandoned future, an empty database before the first commit, a table not created yet", async () => {
  requireApi();
  const ctx = await openPlayground();
  const { page } = ctx;
  // The reference scenario up to the backtrack to 14:50 (the table did not exist yet).
  await runSql(
    page,
    `SET TIMESTAMP = 1608821100;
CREATE DATABASE SQLShackDemo;
USE SQLShackDemo;
SET TIMESTAMP = 1608821520;
CREATE TABLE ProductsData (ID INT PRIMARY KEY, ProductName VARCHAR(50) NOT NULL, Quantity INT);
SET TIMESTAMP = 1608821700;
INSERT INTO ProductsData VALUES (1, 'Laptop', 5);
SET TIMESTAMP = 1608821880;
INSERT INTO ProductsData VALUES (2, 'Monitor', 12);
SET TIMESTAMP = 1608822060;
DELETE FROM ProductsData;
SET TIMESTAMP = 1608822300;
BACKTRACK TO TIMESTAMP '2020-12-24 14:50:00';`,
  );
  const summary = page.locator(".rp-table-summary");
  const select = page.getByRole("combobox", { name: "Table to show" });
  assert.equal(await select.inputValue(), "", "no table now");

  // 14:58:30, in the future the backtrack abandoned: the two rows of then.
  const at = await sliderX(page, "2020-12-24 14:58:30");
  await page.mouse.click(at.x, at.y);
  const then = page.getByRole("table", { name: /^Rows of SQLShackDemo\.ProductsData as of 2020-12-24 14:58:\d\d, compared with now$/ });
  await then.waitFor();
  assert.equal(await then.getByRole("row").count(), 3);
  assert.equal(await then.getByRole("cell", { name: "only then" }).count(), 2);
  assert.equal(await then.getByRole("cell", { name: "Monitor" }).count(), 1);
  assert.match(await summary.textContent(), /As of 2020-12-24 14:58:\d\d: 2 rows, all only then: the table ProductsData does not exist now\./);
  assert.equal(await select.inputValue(), "SQLShackDemo.ProductsData", "the selector lists the tables of then");
  await shot(page, "preview-abandoned-future");

  // Home: the earliest time, before the first commit: an empty database.
  const slider = page.getByRole("slider", { name: "Timeline" });
  await slider.focus();
  await page.keyboard.press("Home");
  await page.waitForFunction(() => /the database was empty/.test(document.querySelector(".rp-table-summary").textContent));
  assert.match(await summary.textContent(), /before the first commit, the database was empty\./);
  assert.equal(await page.getByRole("cell", { name: "Laptop" }).count(), 0);
  await shot(page, "preview-before-first-commit");

  // Escape: back to now, where there is no table.
  await page.keyboard.press("Escape");
  await page.waitForFunction(() => /Create a table/.test(document.querySelector(".rp-table-summary").textContent));
  assert.equal(await select.inputValue(), "");

  // Forward to just after the accident: the table exists now, empty. At 14:50:30 it did not exist yet.
  await runSql(page, "SET TIMESTAMP = 1608822360;\nBACKTRACK TO TIMESTAMP '2020-12-24 15:02:00';");
  assert.match(await summary.textContent(), /^0 rows now/);
  const before = await sliderX(page, "2020-12-24 14:50:30");
  await page.mouse.click(before.x, before.y);
  await page.waitForFunction(() => /did not exist then/.test(document.querySelector(".rp-table-summary").textContent));
  assert.match(await summary.textContent(), /As of 2020-12-24 14:5\d:\d\d: the table ProductsData did not exist then\./);
  await page.waitForFunction(() => /not there then/.test(document.querySelector(".rp-table-select").selectedOptions[0]?.textContent));
  await shot(page, "preview-not-created-yet");
  // The confirmation says what a backtrack there would do to the table on screen.
  await page.getByRole("button", { name: "Backtrack", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Backtrack the database?" });
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /The table ProductsData will disappear: it did not exist then\./);
  await dialog.getByRole("button", { name: "Cancel" }).click();
  // And in the abandoned future: the table comes back with its two rows.
  await page.getByRole("slider", { name: "Timeline" }).focus();
  await page.keyboard.press("End");
  await page.keyboard.press("Escape");
  const ahead = await sliderX(page, "2020-12-24 14:58:30");
  await page.mouse.click(ahead.x, ahead.y);
  await page.waitForFunction(() => /2 only then/.test(document.querySelector(".rp-table-summary").textContent));
  await finish(ctx);
});

test("a table whose columns changed since T is previewed with its columns of then", async () => {
  requireApi();
  const ctx = await openPlayground();
  const { page } = ctx;
  await runSql(
    page,
    `SET TIMESTAMP = 1608821100;
CREATE TABLE s (id INT PRIMARY KEY, a INT);
INSERT INTO s VALUES (1, 10), (2, 20);
SET TIMESTAMP = 1608821400;
ALTER TABLE s ADD COLUMN b INT;
UPDATE s SET b = 1;
SET TIMESTAMP = 1608821700;`,
  );
  const at = await sliderX(page, "2020-12-24 14:47:00");
  await page.mouse.click(at.x, at.y);
  const then = page.getByRole("table", { name: /^Rows of main\.s as of 2020-12-24 14:4\d:\d\d$/ });
  await then.waitFor();
  assert.deepEqual(await then.getByRole("columnheader").allTextContents(), ["id", "a"]);
  assert.equal(await then.getByRole("row").count(), 3);
  assert.equal(await then.getByRole("cell", { name: "20" }).count(), 1);
  assert.match(await page.locator(".rp-table-summary").textContent(), /2 rows, with the columns of then \(id, a\)/);
  await shot(page, "preview-columns-changed");
  await page.keyboard.press("Escape");
  await page.getByRole("table", { name: /^Rows of main\.s, now$/ }).waitFor();
  await finish(ctx);
});

test("switching databases while the table list of a preview is still being read keeps that read out of the new database", async () => {
  requireApi();
  const ctx = await openPlayground();
  const { page } = ctx;
  // Two histories of the same shape (same entry numbers), different tables.
  const history = (db, a, b) =>
    `SET TIMESTAMP = 1600000000; CREATE DATABASE ${db}; USE ${db};
SET TIMESTAMP = 1600000010; CREATE TABLE ${a} (id INT PRIMARY KEY);
SET TIMESTAMP = 1600000020; CREATE TABLE ${b} (id INT PRIMARY KEY);
SET TIMESTAMP = 1600000030; INSERT INTO ${a} VALUES (1);
SET TIMESTAMP = 1600000040;`;
  const got = await page.evaluate(
    async ({ first, second }) => {
      const pg = window.reeldbPlayground;
      const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
      const options = () => [...document.querySelectorAll(".rp-tablepanel .rp-table-select option")].map((o) => o.textContent).sort();
      await pg.openDb({ name: undefined, setup: first });
      await pg.selectTable("x.a1");
      // The first database answers the list of tables slowly, so that its
      // read is still under way when the switch starts.
      const old = pg.db;
      const read = old.tablesAt.bind(old);
      old.tablesAt = async (time) => {
        const list = await read(time);
        await sleep(500);
        return list;
      };
      pg.scrubber.setPos(1600000025e6, true); // after CREATE TABLE a2: the list is read once the handle rests
      await sleep(260);
      // Switch right away, and preview the same entry of the new history.
      await pg.openDb({ name: undefined, setup: second });
      await pg.selectTable("y.b1");
      pg.scrubber.setPos(1600000025e6, true);
      await sleep(900); // both reads are done
      const listed = options();
      // Again from the cache.
      pg.scrubber.setPos(null, true);
      await sleep(50);
      pg.scrubber.setPos(1600000025e6, true);
      await sleep(400);
      return { listed, again: options(), summary: document.querySelector(".rp-tablepanel .rp-table-summary").textContent };
    },
    { first: history("x", "a1", "a2"), second: history("y", "b1", "b2") },
  );
  assert.deepEqual(got.listed, ["y.b1", "y.b2"], JSON.stringify(got));
  assert.deepEqual(got.again, ["y.b1", "y.b2"], JSON.stringify(got));
  assert.match(got.summary, /^As of 2020-09-13 12:27:05: /);
  await finish(ctx);
});

test("reload keeps everything (IndexedDB)", async () => {
  requireApi({ open: true });
  const ctx = await openPlayground();
  const { page } = ctx;
  await runSql(page, "CREATE TABLE kept (id INT PRIMARY KEY, v VARCHAR(10));\nINSERT INTO kept VALUES (1, 'stays');");
  await page.reload();
  await page.locator("[data-state=ready]").first().waitFor();
  assert.equal(await page.getByRole("button", { name: "Show table main.kept" }).count(), 1);
  await runSql(page, "SELECT v FROM kept;");
  const result = page.getByRole("table", { name: /Result: SELECT v FROM kept/ });
  await result.waitFor();
  assert.equal(await result.getByRole("cell", { name: "stays" }).count(), 1);
  // The table panel shows the reloaded row too.
  assert.equal(await page.getByRole("table", { name: /Rows of main\.kept, now/ }).getByRole("cell", { name: "stays" }).count(), 1);
  await finish(ctx);
});

test("storage the browser discarded is reported, and starting over is offered, not an empty database", async () => {
  requireApi({ open: true });
  const ctx = await openPlayground();
  const { page } = ctx;
  await runSql(page, "CREATE TABLE doomed (id INT PRIMARY KEY);");
  // What Chromium does when it finds its IndexedDB store corrupt: the
  // origin's IndexedDB vanishes under the page.
  await page.evaluate(
    () =>
      new Promise((ok, fail) => {
        const req = indexedDB.deleteDatabase("reeldb:playground");
        req.onsuccess = ok;
        req.onerror = () => fail(req.error);
      }),
  );
  await page.reload();
  const dialog = page.getByRole("dialog", { name: "This database's storage is gone" });
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /deleteDatabase\('playground'\)/);
  await shot(page, "storage-lost");
  await dialog.getByRole("button", { name: "Start a new database" }).click();
  await page.locator("[data-state=ready]").first().waitFor();
  assert.equal(await page.getByRole("button", { name: "Show table main.doomed" }).count(), 0);
  await runSql(page, "CREATE TABLE fresh (id INT PRIMARY KEY);");
  await page.reload();
  await page.locator("[data-state=ready]").first().waitFor();
  assert.equal(await page.getByRole("button", { name: "Show table main.fresh" }).count(), 1);
  await finish(ctx);
});

test("the embed page: two <reel-playground> elements, each with its own database; read-only refuses writes", async () => {
  requireApi();
  const ctx = await openPlayground("embed.html");
  const { page } = ctx;
  await page.waitForFunction(() => document.querySelectorAll("reel-playground[data-state=ready]").length === 2);
  const accident = page.getByRole("region", { name: "Accident recovery playground" });
  const prices = page.getByRole("region", { name: "Price history playground" });
  // The first starts previewing 15:00 (before its accident).
  await accident.getByRole("table", { name: /as of 2020-12-24 15:00:00/ }).waitFor();
  assert.equal(await accident.getByRole("cell", { name: "only then" }).count(), 2);
  assert.equal(await prices.getByRole("table", { name: /Rows of main\.prices, now/ }).getByRole("row").count(), 4);
  // Backtrack from the accident playground's preview (the initial time).
  await accident.getByRole("button", { name: "Backtrack", exact: true }).click();
  await accident.getByRole("dialog").getByRole("button", { name: "Backtrack" }).click();
  await page.waitForFunction(() => /Backtrack completed/.test(document.querySelector("#accident .rp-status-msg").textContent));
  assert.equal(await accident.getByRole("table", { name: /Rows of main\.ProductsData, now/ }).getByRole("row").count(), 3);
  // Separate databases: the accident playground has no prices table.
  await accident.getByRole("textbox", { name: "SQL" }).click();
  await page.keyboard.insertText("SHOW TABLES;");
  await page.keyboard.press("Control+Enter");
  await accident.getByRole("table", { name: /Result: SHOW TABLES/ }).waitFor();
  assert.equal(await accident.getByRole("cell", { name: "prices" }).count(), 0);
  // Read-only.
  await prices.getByRole("textbox", { name: "SQL" }).click();
  await page.keyboard.insertText("DELETE FROM prices;");
  await page.keyboard.press("Control+Enter");
  await prices.getByRole("alert").waitFor();
  assert.match(await prices.getByRole("alert").textContent(), /READ_ONLY/);
  assert.equal(await prices.getByRole("table", { name: /Rows of main\.prices, now/ }).getByRole("row").count(), 4);
  await shot(page, "embed");
  await finish(ctx);
});

test("the time attribute reads the one time syntax (ISO 8601 with an offset); an invalid time is reported, not guessed", async () => {
  requireApi();
  const ctx = await openPlayground("embed.html");
  const { page } = ctx;
  await page.waitForFunction(() => document.querySelectorAll("reel-playground[data-state=ready]").length === 2);
  // The accident playground's attribute is ISO 8601 (time="2020-12-24T15:00:00Z").
  assert.equal(await page.locator("#accident").getAttribute("time"), "2020-12-24T15:00:00Z");
  await page.evaluate(() => {
    for (const [id, time] of [["offset", "2020-12-24T16:00:00+01:00"], ["badtime", "2020-12-24 25:00:00"]]) {
      const el = document.createElement("reel-playground");
      el.id = id;
      el.setAttribute("label", `Playground ${id}`);
      el.setAttribute("time", time);
      el.setAttribute("table", "p");
      const sql = document.createElement("script");
      sql.type = "text/sql";
      sql.textContent = `SET TIMESTAMP = 1608821700; CREATE TABLE p (id INT PRIMARY KEY);
        SET TIMESTAMP = 1608821880; INSERT INTO p VALUES (1), (2);
        SET TIMESTAMP = 1608822060; DELETE FROM p;`;
      el.append(sql);
      document.body.append(el);
    }
  });
  await page.waitForFunction(() => document.querySelectorAll("reel-playground[data-state=ready]").length === 4);
  const offset = page.getByRole("region", { name: "Playground offset" });
  await offset.getByRole("table", { name: /as of 2020-12-24 15:00:00/ }).waitFor();
  const bad = page.getByRole("region", { name: "Playground badtime" });
  const msg = await bad.locator(".rp-status-msg").textContent();
  assert.match(msg, /'2020-12-24 25:00:00' is not a time/);
  // Nothing is previewed: the table shows now.
  await bad.getByRole("table", { name: /Rows of main\.p, now/ }).waitFor();
  await page.locator("#offset").scrollIntoViewIfNeeded();
  await shot(page, "time-attribute");
  await finish(ctx);
});

test("dark mode and a narrow screen", async () => {
  requireApi();
  const ctx = await openPlayground("", { colorScheme: "dark", viewport: { width: 420, height: 900 } });
  const { page } = ctx;
  await runSql(page, SCENARIO);
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, "rgb(15, 18, 22)");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `no horizontal page scroll on a narrow screen (${overflow}px)`);
  await shot(page, "dark-narrow");
  await finish(ctx);
});

test("preview frames on a 100k-row table render only the visible rows (frame times reported)", { timeout: 600_000 }, async () => {
  requireApi();
  const ctx = await openPlayground("", { viewport: { width: 1400, height: 950 } });
  const { page } = ctx;
  // 100k rows in 10 commits (single-row INSERTs in transactions: multi-row
  // INSERT ... VALUES is slow for thousands of rows), then 300 small commits
  // (update, insert, delete), one second apart.
  const built = await page.evaluate(async () => {
    const pg = window.reeldbPlayground;
    const t0 = performance.now();
    let ts = 1700000000;
    await pg.db.exec(`SET TIMESTAMP = ${ts}; CREATE TABLE big (id INT PRIMARY KEY, name VARCHAR(40), qty INT)`);
    for (let b = 0; b < 10; b++) {
      const script = [`SET TIMESTAMP = ${++ts}`, "BEGIN"];
      for (let i = 0; i < 10000; i++) {
        const id = b * 10000 + i + 1;
        script.push(`INSERT INTO big VALUES (${id}, 'item ${id}', ${id % 97})`);
      }
      script.push("COMMIT");
      await pg.db.exec(script.join(";\n"));
    }
    for (let k = 0; k < 300; k++) {
      const id = 1 + ((k * 7919) % 100000);
      const sql =
        k % 3 === 0 ? `UPDATE big SET qty = qty + 1000 WHERE id = ${id}` :
        k % 3 === 1 ? `INSERT INTO big VALUES (${200000 + k}, 'new ${k}', ${k})` :
        `DELETE FROM big WHERE id = ${id}`;
      await pg.db.exec(`SET TIMESTAMP = ${++ts}; ${sql}`);
    }
    await pg.refresh();
    await pg.selectTable("main.big");
    return { ms: performance.now() - t0, rows: pg.current.rows.length, entries: pg.entries.length };
  });
  assert.ok(built.rows >= 100_000, `100k rows (${built.rows})`);
  // Drag across the 300 small commits, one mouse move per frame.
  const from = await sliderX(page, "2023-11-14 22:18:29"); // the last small commit is at 22:18:30
  const to = await sliderX(page, "2023-11-14 22:13:32"); // the first is at 22:13:31, after the bulk load
  await page.evaluate(() => {
    window.reeldbPlayground.frameTimes.length = 0;
  });
  await page.mouse.move(from.x - 2, from.y);
  await page.mouse.down();
  const steps = 240;
  for (let i = 1; i <= steps; i++) {
    await page.mouse.move(from.x + ((to.x - from.x) * i) / steps, from.y);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  }
  await page.waitForTimeout(100);
  const stats = await page.evaluate(() => window.reeldbPlayground.frameStats());
  const rendered = await page.locator(".rp-tablepanel .vt-body > .vt-row:not([hidden])").count();
  await shot(page, "preview-100k");
  await page.keyboard.press("Escape");
  await page.mouse.up();
  const dialog = page.getByRole("dialog", { name: "Backtrack the database?" });
  if (await dialog.isVisible()) await dialog.getByRole("button", { name: "Cancel" }).click();
  console.log(
    `# preview frame time on a ${built.rows}-row table (${built.entries} commits, ${stats.count} preview frames, ` +
      `${rendered} rows in the DOM): p50 ${stats.p50.toFixed(2)} ms, p95 ${stats.p95.toFixed(2)} ms, max ${stats.max.toFixed(2)} ms ` +
      `(setup ${(built.ms / 1000).toFixed(1)} s)`,
  );
  assert.ok(stats.count >= 50, `enough preview frames measured (${stats.count})`);
  assert.ok(rendered < 80, `only visible rows are rendered (${rendered})`);
  // The frame times are reported above, not asserted: speed is measured by
  // the benchmark (BENCHMARKS.md), never by a pass/fail threshold in a test.
  await finish(ctx);
});

test("a database stored in an older page format is reported, and starting over is offered", async () => {
  requireApi({ open: true });
  const ctx = await openPlayground();
  const { page } = ctx;
  await runSql(page, "CREATE TABLE newer (id INT PRIMARY KEY);");
  // The playground's IndexedDB database replaced by one an older ReelDB
  // wrote: the pages of tests/fixtures/portable-v1.pages (format 1).
  const image = readFileSync(new URL("tests/fixtures/portable-v1.pages", ROOT)).toString("base64");
  await page.evaluate(
    (b64) =>
      new Promise((ok, fail) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const del = indexedDB.deleteDatabase("reeldb:playground");
        del.onerror = () => fail(del.error);
        del.onsuccess = () => {
          const req = indexedDB.open("reeldb:playground", 1);
          req.onupgradeneeded = () => req.result.createObjectStore("pages");
          req.onerror = () => fail(req.error);
          req.onsuccess = () => {
            const db = req.result;
            const tx = db.transaction("pages", "readwrite");
            for (let n = 0; n * 4096 < bytes.length; n++) tx.objectStore("pages").put(bytes.slice(n * 4096, (n + 1) * 4096), n);
            tx.oncomplete = () => {
              db.close();
              ok(undefined);
            };
            tx.onerror = () => fail(tx.error);
          };
        };
      }),
    image,
  );
  await page.reload();
  const dialog = page.getByRole("dialog", { name: "This database was saved in another format" });
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /format version 1/);
  await shot(page, "older-format");
  await dialog.getByRole("button", { name: "Start a new database" }).click();
  await page.locator("[data-state=ready]").first().waitFor();
  assert.equal(await page.getByRole("button", { name: "Show table main.newer" }).count(), 0);
  await runSql(page, "CREATE TABLE fresh (id INT PRIMARY KEY);");
  assert.equal(await page.getByRole("button", { name: "Show table main.fresh" }).count(), 1);
  await finish(ctx);
});
