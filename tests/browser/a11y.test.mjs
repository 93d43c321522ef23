// Accessibility of the playground (www/index.html) and of the embedding page
// (www/embed.html): axe-core (npm) runs over every state a user meets —
// idle, previewing a past time, the backtrack confirmation, the tutorial, the
// embed — in light and dark colour schemes, wide and narrow (375 px). Each
// state must have 0 critical and 0 serious violations; on failure the test
// prints every such violation (rule, impact, target nodes). No state may make
// the page scroll sideways (reflow).
//
// axe is evaluated over the DevTools protocol, which the page's CSP does not
// govern, so the pages are audited with their real Content-Security-Policy.
//
// Also checked by keyboard: the editor says how to leave it (Esc then Tab),
// and doing so moves focus out; the timeline is a slider whose value text
// names the time and the change there.
//
// Screenshots: target/screenshots/a11y-*.png.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { ROOT, SCENARIO, runSql, siteAndBrowser } from "./helpers.mjs";

const SHOTS = new URL("target/screenshots/", ROOT);
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const env = siteAndBrowser(() => mkdirSync(SHOTS, { recursive: true }));

// The reference scenario, with a comment (the editor's comment colour is part of the audit).
const COMMENTED_SCENARIO = `-- The accident: a DELETE without WHERE.\n${SCENARIO}`;

const VARIANTS = [
  { name: "light", viewport: { width: 1400, height: 950 }, colorScheme: "light" },
  { name: "dark", viewport: { width: 1400, height: 950 }, colorScheme: "dark" },
  { name: "narrow", viewport: { width: 375, height: 800 }, colorScheme: "light" },
  { name: "narrow-dark", viewport: { width: 375, height: 800 }, colorScheme: "dark" },
];

async function open(path, { viewport, colorScheme }) {
  const context = await env.browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  await page.goto(new URL(path, env.server.url).href);
  await page.locator("[data-state=ready]").first().waitFor({ timeout: 20_000 });
  page.errors = errors;
  return { page, context };
}

/**
 * Runs axe over the whole page (open shadow roots included) and returns its
 * critical and serious violations as readable lines.
 */
async function audit(page, state) {
  // Let transitions settle so colours are measured as the user sees them.
  await page.waitForTimeout(350);
  const violations = await page.evaluate(async (source) => {
    if (!window.axe) (0, eval)(source);
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.flat().join(" > "), summary: n.failureSummary })),
    }));
  }, AXE);
  await page.screenshot({ path: new URL(`a11y-${state}.png`, SHOTS).pathname, fullPage: true });
  // Reflow (WCAG 1.4.10): nothing makes the page scroll sideways, at 375 px either.
  const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  const reflow = over > 0 ? [`${state}: the page scrolls sideways by ${over}px`] : [];
  return violations
    .filter((v) => v.impact === "critical" || v.impact === "serious")
    .map(
      (v) =>
        `${state}: ${v.id} (${v.impact}): ${v.help}\n` +
        v.nodes.map((n) => `    ${n.target}\n      ${(n.summary ?? "").replace(/\n/g, "\n      ")}`).join("\n"),
    )
    .concat(reflow);
}

function assertNone(found) {
  assert.equal(found.length, 0, `axe found critical or serious violations:\n${found.join("\n")}`);
}

for (const variant of VARIANTS) {
  test(`playground (${variant.name}): idle, previewing, confirm dialog and tutorial have no critical or serious axe violations`, async () => {
    const { page, context } = await open("", variant);
    const found = [];
    const v = variant.name;
    // Idle on a fresh page: no table yet (an empty table view).
    found.push(...(await audit(page, `${v}-fresh`)));
    // Idle with the scenario run: a table with a primary key, an empty result, a comment in the editor.
    await runSql(page, COMMENTED_SCENARIO);
    await page.getByRole("table", { name: /^Rows of shop\.products, now/ }).waitFor();
    // The comment on the active line: its colour against the line highlight.
    await page.getByRole("textbox", { name: "SQL" }).first().focus();
    await page.keyboard.press("Control+Home");
    found.push(...(await audit(page, `${v}-idle`)));
    // Previewing: the scrubber moved back one commit, before the accident.
    const slider = page.getByRole("slider", { name: "Timeline" });
    await slider.focus();
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowLeft");
    await page.getByRole("table", { name: /^Rows of shop\.products as of/ }).waitFor();
    found.push(...(await audit(page, `${v}-previewing`)));
    // The backtrack confirmation.
    await page.getByRole("button", { name: "Backtrack", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Backtrack the database?" });
    await dialog.waitFor();
    found.push(...(await audit(page, `${v}-confirm`)));
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("button", { name: "Back to now" }).click();
    // The tutorial, one step run.
    await page.getByRole("button", { name: "Rewind the accident" }).click();
    const card = page.getByRole("region", { name: "Rewind the accident tutorial" });
    await card.waitFor();
    await card.getByRole("button", { name: "Run step" }).click();
    await card.getByRole("button", { name: "Run again" }).waitFor();
    found.push(...(await audit(page, `${v}-tutorial`)));
    await context.close();
    assert.deepEqual(page.errors, []);
    assertNone(found);
  });
}

for (const variant of [VARIANTS[0], VARIANTS[1], VARIANTS[2]]) {
  test(`embed page (${variant.name}): <reel-playground> elements have no critical or serious axe violations`, async () => {
    const { page, context } = await open("embed.html", variant);
    await page.waitForFunction(() => [...document.querySelectorAll("reel-playground")].every((e) => e.dataset.state === "ready"));
    const found = await audit(page, `embed-${variant.name}`);
    await context.close();
    assert.deepEqual(page.errors, []);
    assertNone(found);
  });
}

test("keyboard: the editor says how to leave it, and Esc then Tab leaves it; the timeline slider reads the time and the change", async () => {
  const { page, context } = await open("", VARIANTS[0]);
  await runSql(page, COMMENTED_SCENARIO);
  const editor = page.getByRole("textbox", { name: "SQL" }).first();
  // The hint is visible and describes the editor.
  const hint = await editor.evaluate((content) => {
    const id = content.getAttribute("aria-describedby");
    const el = id ? content.getRootNode().getElementById(id) : null;
    return el && { text: el.textContent, visible: el.getBoundingClientRect().height > 0 };
  });
  assert.deepEqual(hint, { text: "Tab indents · Esc then Tab leaves the editor", visible: true });
  const inEditor = () => page.evaluate(() => document.activeElement?.classList.contains("rp-editor") ?? false);
  // Tab alone indents and stays.
  await editor.click();
  await page.keyboard.press("Tab");
  assert.equal(await inEditor(), true, "Tab stays in the editor");
  // Esc then Tab moves focus on.
  await page.keyboard.press("Escape");
  await page.keyboard.press("Tab");
  assert.equal(await inEditor(), false, "Esc then Tab leaves the editor");
  // The slider: its value text has the time and what changed there.
  const slider = page.getByRole("slider", { name: "Timeline" });
  await slider.focus();
  await page.keyboard.press("ArrowLeft");
  assert.match(await slider.getAttribute("aria-valuetext"), /^2020-12-24 14:58:00; last change commit at 2020-12-24 14:58:00: INSERT INTO products VALUES \(2, 'Monitor', 12\)/);
  assert.equal(await slider.getAttribute("aria-valuenow"), "1608821880");
  await page.keyboard.press("End");
  assert.match(await slider.getAttribute("aria-valuetext"), /^now, 2020-12-24 15:05:00; last change commit at 2020-12-24 15:01:00: DELETE FROM products/);
  await context.close();
  assert.deepEqual(page.errors, []);
});
