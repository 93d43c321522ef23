// Shared set-up of the browser tests: the static server over www/, Debian's
// Chromium through playwright-core, and a raw Chromium process (for tests
// that kill the browser) driven over the DevTools protocol.
import { spawn } from "node:child_process";
import { before, after } from "node:test";
import { chromium } from "playwright-core";
import { serve } from "../../scripts/static-server.mjs";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const ROOT = new URL("../../", import.meta.url);
/** The reference scenario as the browser tests type it: a table, two rows, the accident (a DELETE without WHERE), and the clock moved on. */
export const SCENARIO = `SET TIMESTAMP = 1608821100;
CREATE DATABASE shop;
USE shop;
SET TIMESTAMP = 1608821520;
CREATE TABLE products (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL, qty INT);
SET TIMESTAMP = 1608821700;
INSERT INTO products VALUES (1, 'Laptop', 5);
SET TIMESTAMP = 1608821880;
INSERT INTO products VALUES (2, 'Monitor', 12);
SET TIMESTAMP = 1608822060;
DELETE FROM products;
SET TIMESTAMP = 1608822300;`;

export const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export function serveWww() {
  return serve(new URL("www/", ROOT).pathname, 0);
}

export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/**
 * Registers hooks that start the static server over www/ and a browser
 * before the file's tests (then run `setup(env)`, if given) and stop both
 * after them. Returns an object whose `server` and `browser` are set once
 * the tests run.
 */
export function siteAndBrowser(setup) {
  const env = { server: null, browser: null };
  before(async () => {
    env.server = await serveWww();
    env.browser = await launch();
    await setup?.(env);
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}

/** Loads the package into a page of the site (www/test/). */
export async function openTestPage(context, server) {
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await page.goto(new URL("test/", server.url).href);
  await page.evaluate(async () => {
    const mod = await import("/pkg/reeldb.js");
    await mod.default();
    window.ReelDB = mod.ReelDB;
  });
  page.problems = problems;
  return page;
}

/**
 * Starts Chromium as a process of its own (headless, with `userDataDir`,
 * logging to stderr, which `log()` returns) and connects over CDP, so that
 * the test can SIGKILL the whole process group as a crash would.
 */
export async function startChromium(userDataDir) {
  const child = spawn(
    CHROMIUM,
    [
      ...ARGS,
      "--headless",
      "--enable-logging=stderr",
      `--user-data-dir=${userDataDir}`,
      "--remote-debugging-port=0",
      "about:blank",
    ],
    { detached: true, stdio: ["ignore", "ignore", "pipe"] },
  );
  let text = "";
  child.stderr.on("data", (d) => (text += d));
  const ws = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`chromium did not start: ${text}`)), 20_000);
    const listening = () => {
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        child.stderr.off("data", listening);
        ok(m[1]);
      }
    };
    child.stderr.on("data", listening);
    child.on("exit", (code) => fail(new Error(`chromium exited (${code}): ${text}`)));
  });
  const browser = await chromium.connectOverCDP(ws);
  return {
    browser,
    context: browser.contexts()[0],
    /** What Chromium has logged so far (its stderr). */
    log: () => text,
    kill() {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
      return new Promise((ok) => (child.exitCode !== null || child.signalCode ? ok() : child.on("exit", ok)));
    },
    async close() {
      await browser.close().catch(() => {});
      return this.kill();
    },
  };
}

/** Types a script into the playground's editor and runs it with Ctrl+Enter; resolves when the console is idle again. */
export async function runSql(page, sql) {
  const editor = page.getByRole("textbox", { name: "SQL" }).first();
  await editor.click();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(sql);
  await page.keyboard.press("Control+Enter");
  await page.getByRole("button", { name: "Run", exact: true }).first().waitFor();
  await page.waitForFunction(() => !document.querySelector(".rp-console .rp-primary")?.disabled);
  await page.waitForTimeout(50);
}
