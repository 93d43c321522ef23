// Model-based test of "the database as of T" in Chromium.
//
// Seeded random histories (CREATE / INSERT / UPDATE / DELETE / DROP TABLE
// and BACKTRACK, the clock moved by SET TIMESTAMP or by the page with
// `db.setClock`) run against the real package. A model in plain JS records
// the state that was current after every commit (a backtrack is a commit
// whose state is the state as of its target), so the state as of T is the
// last recorded state at or before T, abandoned futures included, and the
// empty database before the first commit.
//
// The split:
// - every history (HISTORIES of them) is checked through the JS API:
//   `db.asOf(T)` at every commit time, one second after each, before the
//   first commit and at random instants, for the list of tables and every
//   table's rows;
// - every RENDER_EVERY-th history is also loaded into the playground page,
//   and its preview is read from the DOM (the rows of then, the table
//   shown, the summary, and once per history the table selector's list and
//   the schema tree) at a sample of those instants.
//
// SEED=n picks other histories; a mismatch prints the seed, the script and
// the instant.
import { test } from "node:test";
import assert from "node:assert/strict";
import { siteAndBrowser } from "./helpers.mjs";
import { rng } from "../../scripts/rng.mjs";

const HISTORIES = Number(process.env.HISTORIES ?? 200);
const RENDER_EVERY = Number(process.env.RENDER_EVERY ?? 4);
const SEED = Number(process.env.SEED ?? 20201224);
const BASE = 1608820000; // 2020-12-24 14:26:40 UTC: CREATE DATABASE m
const NAMES = ["t1", "t2", "t3", "t4"];
const IDS = 6;

const env = siteAndBrowser();


const pad = (n) => String(n).padStart(2, "0");
/** Unix seconds as engine time text. */
function text(secs) {
  const d = new Date(secs * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

const clone = (state) => new Map([...state].map(([t, rows]) => [t, new Map(rows)]));

/**
 * A random history and its model: `ops` ({at, sql} or {at, backtrack}),
 * `commits` ({at, state}, one per change of the current state, in time
 * order; a state is Map(table -> Map(id -> v))), and `now`.
 */
function history(seed) {
  const r = rng(seed).next;
  const int = (n) => Math.floor(r() * n);
  const pick = (xs) => xs[int(xs.length)];
  const ops = [{ at: BASE, sql: "CREATE DATABASE m" }];
  const commits = [{ at: BASE, state: new Map() }];
  let state = new Map();
  let now = BASE;
  const stateAt = (secs) => {
    let found = null;
    for (const c of commits) if (c.at <= secs) found = c;
    return found && found.state;
  };
  const n = 8 + int(14);
  for (let i = 0; i < n; i++) {
    now += 2 + int(90);
    const tables = [...state.keys()];
    const free = NAMES.filter((t) => !state.has(t));
    const p = r();
    let op;
    const next = clone(state);
    if (!tables.length || (p < 0.14 && free.length)) {
      const t = pick(free);
      op = { sql: `CREATE TABLE m.${t} (id INT PRIMARY KEY, v INT)` };
      next.set(t, new Map());
    } else if (p < 0.45) {
      const t = pick(tables);
      const rows = next.get(t);
      const ids = [...Array(IDS).keys()].map((x) => x + 1).filter((id) => !rows.has(id));
      if (!ids.length) {
        op = { sql: `UPDATE m.${t} SET v = v + 1` };
        for (const [id, v] of rows) rows.set(id, v + 1);
      } else {
        const values = [];
        for (let k = 0; k < 1 + int(2) && ids.length; k++) {
          const id = ids.splice(int(ids.length), 1)[0];
          const v = int(100);
          rows.set(id, v);
          values.push(`(${id}, ${v})`);
        }
        op = { sql: `INSERT INTO m.${t} VALUES ${values.join(", ")}` };
      }
    } else if (p < 0.6) {
      const t = pick(tables);
      const rows = next.get(t);
      const id = 1 + int(IDS);
      const v = int(100);
      op = { sql: `UPDATE m.${t} SET v = ${v} WHERE id = ${id}` };
      if (rows.has(id)) rows.set(id, v);
    } else if (p < 0.72) {
      const t = pick(tables);
      const rows = next.get(t);
      if (r() < 0.2) {
        op = { sql: `DELETE FROM m.${t}` };
        rows.clear();
      } else {
        const id = pick([...rows.keys(), 1 + int(IDS)]);
        op = { sql: `DELETE FROM m.${t} WHERE id = ${id}` };
        rows.delete(id);
      }
    } else if (p < 0.8) {
      const t = pick(tables);
      op = { sql: `DROP TABLE m.${t}` };
      next.delete(t);
    } else {
      // A backtrack to any earlier instant (after CREATE DATABASE): the
      // state as of then becomes current again.
      const target = BASE + int(now - BASE);
      op = { backtrack: text(target) };
      state = clone(stateAt(target));
      commits.push({ at: now, state });
      ops.push({ at: now, ...op });
      continue;
    }
    state = next;
    commits.push({ at: now, state });
    ops.push({ at: now, ...op });
  }
  // Instants: before the first commit, at and just after every commit, and random ones.
  const instants = new Set([BASE - 1 - int(30)]);
  for (const c of commits) {
    instants.add(c.at);
    if (c.at + 1 < now) instants.add(c.at + 1);
  }
  for (let k = 0; k < 4; k++) instants.add(BASE - 5 + int(now - BASE + 5));
  return { seed, ops, commits, now, stateAt, instants: [...instants].sort((a, b) => a - b), viaClock: r() < 0.5 };
}

/** The model's answer at `secs`: "t1:1=5,2=7|t3:" (tables in name order, rows in id order), "" when no table existed. */
function expected(h, secs) {
  const s = h.stateAt(secs);
  if (!s) return "";
  return [...s.keys()]
    .sort()
    .map((t) => `${t}:${[...s.get(t)].sort((a, b) => a[0] - b[0]).map(([id, v]) => `${id}=${v}`).join(",")}`)
    .join("|");
}

/** The history as one SQL script (the clock moved by SET TIMESTAMP). */
function script(h) {
  const lines = [];
  for (const op of h.ops) {
    lines.push(`SET TIMESTAMP = ${op.at};`);
    lines.push(op.backtrack ? `BACKTRACK TO TIMESTAMP '${op.backtrack}';` : `${op.sql};`);
    if (op.at === BASE) lines.push("USE m;");
  }
  return lines.join("\n");
}

test(`${HISTORIES} random histories: asOf(T) is the model's state as of T, and the playground's preview shows it`, { timeout: 240_000 }, async () => {
  const t0 = Date.now();
  const histories = Array.from({ length: HISTORIES }, (_, i) => history(SEED + i));
  const context = await env.browser.newContext({ viewport: { width: 1400, height: 950 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(new URL("index.html", env.server.url).href);
  await page.locator("[data-state=ready]").first().waitFor({ timeout: 20_000 });

  // 1. The JS API, every history, in batches of 25 per page call.
  let checks = 0;
  const mismatches = [];
  for (let b = 0; b < histories.length; b += 25) {
    const batch = histories.slice(b, b + 25).map((h) => ({
      seed: h.seed,
      viaClock: h.viaClock,
      ops: h.ops,
      base: BASE,
      instants: h.instants.map(text),
    }));
    const seen = await page.evaluate(async (batch) => {
      const mod = await import("/pkg/reeldb.js");
      await mod.default();
      const out = [];
      for (const h of batch) {
        const db = mod.ReelDB.openInMemory();
        try {
          for (const op of h.ops) {
            if (h.viaClock) db.setClock(op.at * 1000);
            const clock = h.viaClock ? "" : `SET TIMESTAMP = ${op.at}; `;
            if (op.backtrack) {
              if (h.viaClock) await db.backtrack(op.backtrack);
              else await db.exec(`${clock}BACKTRACK TO TIMESTAMP '${op.backtrack}'`);
            } else await db.exec(`${clock}${op.sql}`);
          }
          const answers = [];
          for (const t of h.instants) {
            const view = db.asOf(t);
            const tables = view
              .query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'm' AND table_type = 'BASE TABLE'")
              .map((r) => r.table_name)
              .sort();
            answers.push(
              tables
                .map((name) => `${name}:${view.query(`SELECT id, v FROM m.${name} ORDER BY id`).map((r) => `${r.id}=${r.v}`).join(",")}`)
                .join("|"),
            );
            view.free();
          }
          out.push({ seed: h.seed, answers });
        } catch (e) {
          out.push({ seed: h.seed, error: `${e.code ?? ""} ${e.message ?? e}` });
        } finally {
          await db.close();
        }
      }
      return out;
    }, batch);
    for (const s of seen) {
      const h = histories.find((x) => x.seed === s.seed);
      if (s.error) {
        mismatches.push(`seed ${s.seed}: ${s.error}\n${script(h)}`);
        continue;
      }
      h.instants.forEach((secs, i) => {
        checks++;
        const want = expected(h, secs);
        if (s.answers[i] !== want) mismatches.push(`seed ${s.seed} asOf ${text(secs)}: got "${s.answers[i]}", model "${want}"\n${script(h)}`);
      });
    }
  }
  const apiMs = Date.now() - t0;

  // 2. The rendered preview, every RENDER_EVERY-th history.
  let rendered = 0;
  let listed = 0;
  for (let i = 0; i < histories.length; i += RENDER_EVERY) {
    const h = histories[i];
    const r = rng(h.seed ^ 0x5eed).next;
    await page.evaluate(async (sql) => {
      const pg = window.reeldbPlayground;
      await pg.openDb({ name: undefined, setup: sql });
    }, script(h));
    // A sample of instants: before the first commit, in an abandoned future
    // or after a drop when the history has one, and random ones.
    const pool = h.instants.filter((s) => s < h.now);
    const sample = new Set([pool[0]]);
    while (sample.size < Math.min(5, pool.length)) sample.add(pool[Math.floor(r() * pool.length)]);
    let listedHere = false;
    for (const secs of sample) {
      const state = h.stateAt(secs);
      // Once per history, wait for the table selector's list of then (it is read once the handle rests).
      const first = !listedHere && Boolean(state?.size);
      listedHere ||= first;
      // Look at a table of now, of then, or one that never existed at T.
      const nowTables = [...(h.stateAt(h.now)?.keys() ?? [])];
      const table = NAMES[Math.floor(r() * NAMES.length)];
      const shown = await page.evaluate(
        async ({ us, table, nowTables, waitList }) => {
          const pg = window.reeldbPlayground;
          const frames = (n) => new Promise((ok) => {
            const step = () => (n-- <= 0 ? setTimeout(ok, 10) : requestAnimationFrame(step));
            step();
          });
          pg.scrubber.setPos(null, true);
          await frames(2);
          if (nowTables.includes(table)) await pg.selectTable(`m.${table}`);
          pg.scrubber.setPos(us, true);
          const summary = document.querySelector(".rp-tablepanel .rp-table-summary");
          const want = `As of ${pg.scrubber.track.getAttribute("aria-valuetext").split(";")[0]}`;
          for (let k = 0; k < 200 && !summary.textContent.startsWith(want); k++) await frames(1);
          await frames(3);
          if (waitList) await new Promise((ok) => setTimeout(ok, 260));
          const rows = [...document.querySelectorAll(".rp-tablepanel .vt-body .vt-row")]
            .filter((row) => !row.hidden && !row.classList.contains("vt-now"))
            .map((row) => [...row.querySelectorAll(".vt-cell:not(.vt-mark-cell) .vt-value")].map((c) => c.textContent));
          return {
            summary: summary.textContent,
            want,
            label: document.querySelector(".rp-tablepanel .vt-table").getAttribute("aria-label") ?? "",
            title: document.querySelector(".rp-tablepanel h2").textContent,
            rows,
            options: [...document.querySelectorAll(".rp-tablepanel .rp-table-select option")].map((o) => o.textContent),
            tree: [...document.querySelectorAll(".rp-schema .rp-tree-table")].map((b) => b.getAttribute("aria-label").replace(/^Show table /, "")),
          };
        },
        { us: secs * 1e6, table, nowTables, waitList: first },
      );
      rendered++;
      const where = `seed ${h.seed} preview ${text(secs)} (looking at ${table}): ${JSON.stringify(shown)}\n${script(h)}`;
      const problems = [];
      if (!shown.summary.startsWith(shown.want)) problems.push("the summary is not about T");
      if (!state) {
        if (!/the database was empty/.test(shown.summary)) problems.push("expected: the database was empty");
      } else if (!state.size) {
        if (!/no tables existed then|did not exist then/.test(shown.summary)) problems.push("expected: no tables then");
      } else {
        const m = /^Rows of m\.(\w+)(?: as of |, now$)/.exec(shown.label);
        if (/did not exist then/.test(shown.summary)) {
          const gone = /the table (\w+) did not exist then/.exec(shown.summary)?.[1];
          if (!gone || state.has(gone)) problems.push(`the table ${gone} existed then`);
        } else if (!m) problems.push("no table of then is shown");
        else if (!state.has(m[1])) problems.push(`shows ${m[1]}, which did not exist then`);
        else {
          const want = [...state.get(m[1])].sort((a, b) => a[0] - b[0]).map(([id, v]) => [String(id), String(v)]);
          const got = shown.rows.map((x) => x.slice(0, 2)).sort((a, b) => a[0] - b[0]);
          if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`rows of ${m[1]}: model ${JSON.stringify(want)}`);
        }
        if (first) {
          listed++;
          const list = shown.options.filter((o) => !/not there then/.test(o)).sort();
          const model = [...state.keys()].sort().map((t) => `m.${t}`);
          if (JSON.stringify(list) !== JSON.stringify(model)) problems.push(`table list: model ${JSON.stringify(model)}`);
          const tree = shown.tree.filter((t) => t.startsWith("m.")).sort();
          if (JSON.stringify(tree) !== JSON.stringify(model)) problems.push(`schema tree: model ${JSON.stringify(model)}`);
        }
      }
      if (problems.length) mismatches.push(`${problems.join("; ")}\n${where}`);
    }
  }
  await context.close();
  const ms = Date.now() - t0;
  console.log(
    `# ${HISTORIES} histories (seed ${SEED}): ${checks} asOf checks in ${apiMs} ms; ${rendered} rendered previews ` +
      `(${listed} with the table list) of ${Math.ceil(HISTORIES / RENDER_EVERY)} histories; ${ms} ms in all; ${mismatches.length} mismatches`,
  );
  assert.deepEqual(errors, []);
  assert.equal(mismatches.length, 0, mismatches.slice(0, 3).join("\n\n"));
  assert.ok(checks >= HISTORIES * 10);
});
