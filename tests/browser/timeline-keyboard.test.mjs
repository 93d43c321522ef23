// The reference scenario (../shared/scenario/backtrack.test, as the browser
// tests type it: helpers.mjs SCENARIO) run with the keyboard alone: Tab
// into the editor, run, Esc then Tab out (the editor's visible hint says
// so), reach the timeline slider, arrow and PageUp/PageDown to a time,
// Enter and confirm to backtrack, and back to the editor. No mouse event
// is sent; every focus change is a key press.
//
// Screenshot: target/screenshots/keyboard-abandoned-future.png.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { ROOT, SCENARIO, siteAndBrowser } from "./helpers.mjs";

const SHOTS = new URL("target/screenshots/", ROOT);
const env = siteAndBrowser(async () => mkdirSync(SHOTS, { recursive: true }));

test("keyboard only: the reference scenario, a backtrack to before the table, a preview of the abandoned future, and forward again", async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(new URL("index.html", env.server.url).href);
  await page.locator("[data-state=ready]").first().waitFor({ timeout: 20_000 });
  // Mouse events would break the premise: count them.
  await page.evaluate(() => {
    window.__mouse = 0;
    for (const t of ["mousedown", "pointerdown", "click"]) {
      document.addEventListener(t, (e) => e.isTrusted && e.detail > 0 && window.__mouse++, true);
    }
  });

  const inEditor = () => page.evaluate(() => document.activeElement?.classList.contains("rp-editor") ?? false);
  const onSlider = () => page.evaluate(() => document.activeElement?.getAttribute("role") === "slider");
  /** Presses `key` until `reached()` (at most `limit` times); fails otherwise. */
  async function pressUntil(key, reached, what, limit = 60) {
    for (let i = 0; i < limit; i++) {
      if (await reached()) return i;
      await page.keyboard.press(key);
    }
    assert.fail(`${what}: not reached after ${limit} presses of ${key}`);
  }
  const idle = () => page.waitForFunction(() => !document.querySelector(".rp-console .rp-primary")?.disabled);
  /** In the editor: replaces its text with `sql` and runs it (Ctrl+Enter). */
  async function run(sql) {
    assert.ok(await inEditor(), "the editor has the focus");
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText(sql);
    await page.keyboard.press("Control+Enter");
    await idle();
    await page.waitForTimeout(50);
  }
  const summary = () => page.locator(".rp-table-summary").textContent();
  const status = () => page.locator(".rp-status-msg").textContent();
  /** Editor -> slider: Esc, then Shift+Tab back through the page to the timeline. */
  async function toSlider() {
    await page.keyboard.press("Escape");
    await page.keyboard.press("Shift+Tab");
    assert.equal(await inEditor(), false, "Esc then Shift+Tab leaves the editor");
    await pressUntil("Shift+Tab", onSlider, "the timeline slider");
  }
  /** Enter on the slider, Tab to "Backtrack" in the dialog, Enter; waits for the status. */
  async function backtrackHere(target) {
    await page.keyboard.press("Enter");
    await page.locator("dialog[open]").waitFor();
    assert.match(await page.locator("dialog[open] p").first().textContent(), new RegExp(`Rewind the whole database to ${target}\\?`));
    await pressUntil("Tab", () => page.evaluate(() => document.activeElement?.textContent === "Backtrack" && !!document.activeElement.closest("dialog")), "the dialog's Backtrack button", 4);
    await page.keyboard.press("Enter");
    await page.waitForFunction((t) => document.querySelector(".rp-status-msg").textContent.includes(`rewound to ${t}`), target);
    assert.ok(await onSlider(), "the slider has the focus again after the backtrack");
  }

  /** On the slider: End, then ArrowLeft change by change until the preview is of `time`. */
  async function arrowBackTo(time) {
    await page.keyboard.press("End");
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press("ArrowLeft");
      if ((await page.getByRole("slider", { name: "Timeline" }).getAttribute("aria-valuetext")).startsWith(`${time};`)) break;
    }
    await page.waitForFunction((t) => document.querySelector(".rp-table-summary").textContent.startsWith(`As of ${t}: 2 rows`), time);
  }

  // Tab from the top of the page into the editor; its hint says how to leave.
  await pressUntil("Tab", inEditor, "the editor");
  const hint = await page.evaluate(() => {
    const host = document.activeElement;
    const content = host.shadowRoot?.activeElement ?? host;
    const id = content.getAttribute("aria-describedby");
    const h = id ? content.getRootNode().getElementById(id) : null;
    return h && { text: h.textContent, visible: h.getBoundingClientRect().height > 0 };
  });
  assert.deepEqual(hint, { text: "Tab indents · Esc then Tab leaves the editor", visible: true });

  // The scenario: a table, two rows, the accident; the clock at 15:05.
  await run(SCENARIO);
  assert.match(await summary(), /^0 rows now/);

  // To the slider; one change back is 14:58, both rows (only then).
  await toSlider();
  await page.keyboard.press("ArrowLeft");
  await page.waitForFunction(() => document.querySelector(".rp-table-summary").textContent.startsWith("As of 2020-12-24 14:58:00: 2 rows"));
  // PageDown: ten changes back is the earliest time, before the first commit.
  await page.keyboard.press("PageDown");
  await page.waitForFunction(() => /the database was empty/.test(document.querySelector(".rp-table-summary").textContent));
  // Up to the database without the table (14:45, CREATE DATABASE): arrows forward.
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction(() => document.querySelector(".rp-table-summary").textContent.startsWith("As of 2020-12-24 14:45:00"));
  await backtrackHere("2020-12-24 14:45:00");
  assert.match(await status(), /Backtrack completed/);

  // The table is gone now; the clock moves to 15:06 (in the editor, reached by Tab).
  await pressUntil("Tab", inEditor, "the editor");
  await run("SET TIMESTAMP = 1608822360; SHOW TABLES;");
  assert.equal(await page.locator(".rp-result").last().locator(".rp-result-meta").textContent().then((t) => t.split(" · ")[0]), "0 rows");

  // The abandoned future: 14:58 shows its two rows, though the table does not exist now.
  await toSlider();
  await arrowBackTo("2020-12-24 14:58:00");
  await page.waitForFunction(() => document.querySelector(".rp-table-summary").textContent.startsWith("As of 2020-12-24 14:58:00: 2 rows"));
  const rows = await page.locator(".rp-tablepanel .vt-body .vt-row:not([hidden])").allTextContents();
  assert.equal(rows.length, 2);
  assert.match(rows.join("\n"), /Laptop/);
  assert.match(rows.join("\n"), /Monitor/);
  // The schema tree shows the schema of then: products and its columns, in shop.
  await page.waitForFunction(() => /Schema as of 2020-12-24 14:58:00/.test(document.querySelector(".rp-schema h2").textContent));
  const tree = await page.locator(".rp-schema .rp-tree").textContent();
  assert.match(tree, /shop.*products.*id.*name.*qty/s);
  await page.screenshot({ path: new URL("keyboard-abandoned-future.png", SHOTS).pathname });
  // Back to now (Escape): the table is gone from the tree.
  await page.keyboard.press("Escape");
  await page.waitForFunction(() => document.querySelector(".rp-schema h2").textContent === "Schema");
  assert.doesNotMatch(await page.locator(".rp-schema .rp-tree").textContent(), /products/);
  await arrowBackTo("2020-12-24 14:58:00");

  // Forward again: Enter, confirm; both rows are back.
  await backtrackHere("2020-12-24 14:58:00");
  await pressUntil("Tab", inEditor, "the editor");
  await run("SELECT name FROM products ORDER BY id;");
  const result = page.locator(".rp-result").last();
  assert.match(await result.locator(".rp-result-meta").textContent(), /^2 rows/);
  assert.deepEqual(await result.locator(".vt-body .vt-row:not([hidden]) .vt-value").allTextContents(), ["Laptop", "Monitor"]);

  assert.equal(await page.evaluate(() => window.__mouse), 0, "no mouse event");
  await context.close();
  assert.deepEqual(errors, []);
});
