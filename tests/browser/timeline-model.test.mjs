// Model-based test of "the database as of T" in Chromium.
//
// Seeded random histories over two databases (m and n, tables named by
// database: CREATE / INSERT / UPDATE / DELETE / DROP TABLE, ALTER TABLE …
// RENAME TO, ADD COLUMN, DROP COLUMN; CREATE RESTORE POINT, BACKTRACK TO
// TIMESTAMP or TO RESTORE POINT; in a third of them one narrowing of the
// backtrack window), the clock moved by SET TIMESTAMP or by the page with
// `db.setClock` (then `backtrack`, `createRestorePoint`, `setWindow`), run
// against the real package. A model in plain JS records the state that was
// current after every commit (each table's columns and rows; a backtrack is
// a commit whose state is the state as of its target), so the state as of T
// is the last recorded state at or before T, abandoned futures included, and
// the empty database before the first commit; before the earliest reachable
// time (now minus the narrowed window) `asOf` fails with BEFORE_EARLIEST
// (ER_BACKTRACK_WINDOW in SQL).
//
// The split:
// - every history (HISTORIES of them) is checked through the JS API:
//   `db.asOf(T)` at every commit time, one second after each, before the
//   first commit, around the earliest reachable time and at random
//   instants, for the list of tables of both databases, their columns and
//   their rows;
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
const DBS = ["m", "n"];
const NAMES = ["t1", "t2", "t3", "t4"];
const EXTRA = ["c1", "c2", "c3"];
const IDS = 6;

const env = siteAndBrowser();


const pad = (n) => String(n).padStart(2, "0");
/** Unix seconds as engine time text. */
function text(secs) {
  const d = new Date(secs * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

const clone = (state) => new Map([...state].map(([t, { cols, rows }]) => [t, { cols: [...cols], rows: new Map([...rows].map(([id, vals]) => [id, [...vals]])) }]));

/**
 * A random history and its model: `ops` ({at, sql}, {at, backtrack},
 * {at, restorePoint} to create one, {at, backtrackTo} to return to one, or
 * {at, window}), `commits` ({at, state}, one per change of the current
 * state, in time order; a state is Map("db.table" -> {cols, rows}), `cols`
 * the columns after `id` and `rows` Map(id -> values in `cols` order)),
 * `now` and `earliest` (the earliest reachable time at the end, BASE - 60
 * while the window was never narrowed).
 */
function history(seed) {
  const r = rng(seed).next;
  const int = (n) => Math.floor(r() * n);
  const pick = (xs) => xs[int(xs.length)];
  const ops = [
    { at: BASE, sql: "CREATE DATABASE m" },
    { at: BASE + 1, sql: "CREATE DATABASE n" },
  ];
  const commits = [
    { at: BASE, state: new Map() },
    { at: BASE + 1, state: new Map() },
  ];
  let state = new Map();
  let now = BASE + 1;
  const points = [];
  let window = null;
  const stateAt = (secs) => {
    let found = null;
    for (const c of commits) if (c.at <= secs) found = c;
    return found && found.state;
  };
  // The earliest time a backtrack may name now (never before CREATE DATABASE n).
  const reachable = () => Math.max(BASE + 1, window === null ? 0 : now - window);
  // One history in three narrows the backtrack window once, after its third op.
  const windowAt = r() < 0.35 ? 3 + int(6) : -1;
  const n = 8 + int(14);
  for (let i = 0; i < n; i++) {
    now += 2 + int(90);
    const tables = [...state.keys()];
    const free = DBS.flatMap((d) => NAMES.map((t) => `${d}.${t}`)).filter((k) => !state.has(k));
    const p = r();
    let op;
    const next = clone(state);
    if (i === windowAt) {
      // Keeps at least the first 20 s after CREATE DATABASE n out of reach.
      window = 10 + int(now - BASE - 30);
      op = { window };
    } else if (!tables.length || (p < 0.12 && free.length)) {
      const k = pick(free);
      op = { sql: `CREATE TABLE ${k} (id INT PRIMARY KEY, v INT)` };
      next.set(k, { cols: ["v"], rows: new Map() });
    } else if (p < 0.38) {
      const k = pick(tables);
      const { cols, rows } = next.get(k);
      const ids = [...Array(IDS).keys()].map((x) => x + 1).filter((id) => !rows.has(id));
      if (!ids.length) {
        op = { sql: `UPDATE ${k} SET v = v + 1` };
        for (const vals of rows.values()) vals[0] += 1;
      } else {
        const values = [];
        for (let c = 0; c < 1 + int(2) && ids.length; c++) {
          const id = ids.splice(int(ids.length), 1)[0];
          const v = int(100);
          rows.set(id, [v, ...cols.slice(1).map(() => null)]);
          values.push(`(${id}, ${v})`);
        }
        op = { sql: `INSERT INTO ${k} (id, v) VALUES ${values.join(", ")}` };
      }
    } else if (p < 0.5) {
      const k = pick(tables);
      const { cols, rows } = next.get(k);
      const id = 1 + int(IDS);
      const c = pick(cols);
      const v = int(100);
      op = { sql: `UPDATE ${k} SET ${c} = ${v} WHERE id = ${id}` };
      if (rows.has(id)) rows.get(id)[cols.indexOf(c)] = v;
    } else if (p < 0.6) {
      const k = pick(tables);
      const { rows } = next.get(k);
      if (r() < 0.2) {
        op = { sql: `DELETE FROM ${k}` };
        rows.clear();
      } else {
        const id = pick([...rows.keys(), 1 + int(IDS)]);
        op = { sql: `DELETE FROM ${k} WHERE id = ${id}` };
        rows.delete(id);
      }
    } else if (p < 0.65) {
      const k = pick(tables);
      op = { sql: `DROP TABLE ${k}` };
      next.delete(k);
    } else if (p < 0.71) {
      // Renamed within its database (ALTER TABLE … RENAME TO; RENAME TABLE is not supported).
      const k = pick(tables);
      const db = k.split(".")[0];
      const to = free.filter((f) => f.startsWith(`${db}.`));
      if (!to.length) {
        op = { sql: `DELETE FROM ${k}` };
        next.get(k).rows.clear();
      } else {
        const u = pick(to);
        op = { sql: `ALTER TABLE ${k} RENAME TO ${u}` };
        next.set(u, next.get(k));
        next.delete(k);
      }
    } else if (p < 0.79) {
      const k = pick(tables);
      const { cols, rows } = next.get(k);
      const extra = cols.slice(1);
      const absent = EXTRA.filter((c) => !cols.includes(c));
      if (extra.length && (r() < 0.7 || !absent.length)) {
        const c = pick(extra);
        const at = cols.indexOf(c);
        op = { sql: `ALTER TABLE ${k} DROP COLUMN ${c}` };
        cols.splice(at, 1);
        for (const vals of rows.values()) vals.splice(at, 1);
      } else {
        const c = pick(absent);
        op = { sql: `ALTER TABLE ${k} ADD COLUMN ${c} INT` };
        cols.push(c);
        for (const vals of rows.values()) vals.push(null);
      }
    } else if (p < 0.85) {
      // A restore point names the current time; it changes no state.
      const name = `rp${points.length + 1}`;
      points.push({ name, at: now });
      op = { restorePoint: name };
    } else {
      // A backtrack to an earlier reachable instant or to a reachable
      // restore point: the state as of then becomes current again.
      const reach = points.filter((q) => q.at >= reachable());
      let target;
      if (reach.length && r() < 0.5) {
        const q = pick(reach);
        target = q.at;
        op = { backtrackTo: q.name };
      } else {
        target = reachable() + int(now - reachable());
        op = { backtrack: text(target) };
      }
      state = clone(stateAt(target));
      commits.push({ at: now, state });
      ops.push({ at: now, ...op });
      continue;
    }
    ops.push({ at: now, ...op });
    if (op.sql) {
      state = next;
      commits.push({ at: now, state });
    }
  }
  // With a narrowed window, nothing before now - window can be read: the
  // engine keeps the state current at that instant, never less.
  const earliest = window === null ? BASE - 60 : now - window;
  // Instants: before the first commit, at and just after every commit, and
  // random ones; with a window, just before and at the earliest, and before it.
  const instants = new Set([BASE - 1 - int(30)]);
  for (const c of commits) {
    instants.add(c.at);
    if (c.at + 1 < now) instants.add(c.at + 1);
  }
  for (let k = 0; k < 4; k++) instants.add(BASE - 5 + int(now - BASE + 5));
  if (window !== null) {
    instants.add(earliest - 1);
    instants.add(earliest);
    instants.add(BASE + int(earliest - BASE));
  }
  return { seed, ops, commits, now, earliest, stateAt, instants: [...instants].sort((a, b) => a - b), viaClock: r() < 0.5 };
}

/**
 * The model's answer at `secs`: "m.t1(v,c1):1=5/NULL,2=7/3|n.t3(v):" (tables
 * in name order, rows in id order), "" when no table existed, and
 * "BEFORE_EARLIEST" before the earliest reachable time.
 */
function expected(h, secs) {
  if (secs < h.earliest) return "BEFORE_EARLIEST";
  const s = h.stateAt(secs);
  if (!s) return "";
  return [...s.keys()]
    .sort()
    .map((k) => {
      const { cols, rows } = s.get(k);
      const body = [...rows].sort((a, b) => a[0] - b[0]).map(([id, vals]) => `${id}=${vals.map((v) => (v === null ? "NULL" : v)).join("/")}`);
      return `${k}(${cols.join(",")}):${body.join(",")}`;
    })
    .join("|");
}

/** One op as SQL. */
function statement(op) {
  if (op.backtrack) return `BACKTRACK TO TIMESTAMP '${op.backtrack}'`;
  if (op.backtrackTo) return `BACKTRACK TO RESTORE POINT ${op.backtrackTo}`;
  if (op.restorePoint) return `CREATE RESTORE POINT ${op.restorePoint}`;
  if (op.window !== undefined) return `SET GLOBAL backtrack_window = ${op.window}`;
  return op.sql;
}

/** The history as one SQL script (the clock moved by SET TIMESTAMP). */
function script(h) {
  const lines = [];
  for (const op of h.ops) {
    lines.push(`SET TIMESTAMP = ${op.at};`);
    lines.push(`${statement(op)};`);
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
      ops: h.ops.map((op) => ({ ...op, stmt: statement(op) })),
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
            if (h.viaClock) {
              db.setClock(op.at * 1000);
              if (op.backtrack) await db.backtrack(op.backtrack);
              else if (op.backtrackTo) await db.backtrack({ restorePoint: op.backtrackTo });
              else if (op.restorePoint) await db.createRestorePoint(op.restorePoint);
              else if (op.window !== undefined) await db.setWindow(op.window);
              else await db.exec(op.sql);
            } else await db.exec(`SET TIMESTAMP = ${op.at}; ${op.stmt}`);
          }
          const answers = [];
          for (const t of h.instants) {
            let view;
            try {
              view = db.asOf(t);
            } catch (e) {
              answers.push(String(e.code));
              continue;
            }
            const tables = view
              .query("SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN ('m', 'n') AND table_type = 'BASE TABLE'")
              .map((r) => `${r.table_schema}.${r.table_name}`)
              .sort();
            answers.push(
              tables
                .map((k) => {
                  // The columns of then come with the result (information_schema.columns has no AS OF).
                  const [{ columns, values }] = view.exec(`SELECT * FROM ${k} ORDER BY id`);
                  const rows = values.map((row) => `${row[0]}=${row.slice(1).map((v) => (v === null ? "NULL" : v)).join("/")}`);
                  return `${k}(${columns.slice(1).join(",")}):${rows.join(",")}`;
                })
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
  let dragFrames = 0;
  let stepped = 0;
  for (let i = 0; i < histories.length; i += RENDER_EVERY) {
    const h = histories[i];
    const r = rng(h.seed ^ 0x5eed).next;
    await page.evaluate(async (sql) => {
      const pg = window.reeldbPlayground;
      // Straight from the last preview to the next history: a table list
      // of the old history still being read stays out of the new one.
      await pg.openDb({ name: undefined, setup: sql });
    }, script(h));
    // A sample of instants: before the first commit, in an abandoned future
    // or after a drop when the history has one, and random ones.
    const pool = h.instants.filter((s) => s >= h.earliest && s < h.now);
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
      const table = `${DBS[Math.floor(r() * DBS.length)]}.${NAMES[Math.floor(r() * NAMES.length)]}`;
      const shown = await page.evaluate(
        async ({ us, table, nowTables, waitList }) => {
          const pg = window.reeldbPlayground;
          const frames = (n) => new Promise((ok) => {
            const step = () => (n-- <= 0 ? setTimeout(ok, 10) : requestAnimationFrame(step));
            step();
          });
          pg.scrubber.setPos(null, true);
          await frames(2);
          if (nowTables.includes(table)) await pg.selectTable(table);
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
        const m = /^Rows of (\w+\.\w+)(?: as of |, now$)/.exec(shown.label);
        if (/did not exist then/.test(shown.summary)) {
          // The summary names the table without its database: the one
          // selected, else one of that name in either database.
          const gone = /the table (\w+) did not exist then/.exec(shown.summary)?.[1];
          const existed = nowTables.includes(table) ? gone !== table.split(".")[1] || state.has(table) : DBS.every((d) => state.has(`${d}.${gone}`));
          if (!gone || existed) problems.push(`the table ${gone} existed then`);
        } else if (!m) problems.push("no table of then is shown");
        else if (!state.has(m[1])) problems.push(`shows ${m[1]}, which did not exist then`);
        else {
          const want = [...state.get(m[1]).rows].sort((a, b) => a[0] - b[0]).map(([id, vals]) => [String(id), String(vals[0])]);
          const got = shown.rows.map((x) => x.slice(0, 2)).sort((a, b) => a[0] - b[0]);
          if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`rows of ${m[1]}: model ${JSON.stringify(want)}`);
        }
        if (first) {
          listed++;
          const list = shown.options.filter((o) => !/not there then/.test(o)).sort();
          const model = [...state.keys()].sort();
          if (JSON.stringify(list) !== JSON.stringify(model)) problems.push(`table list: model ${JSON.stringify(model)}`);
          const tree = shown.tree.filter((t) => DBS.some((d) => t.startsWith(`${d}.`))).sort();
          if (JSON.stringify(tree) !== JSON.stringify(model)) problems.push(`schema tree: model ${JSON.stringify(model)}`);
        }
      }
      if (problems.length) mismatches.push(`${problems.join("; ")}\n${where}`);
    }

    // 3. A drag from now back to the start and forth again, one frame per
    // instant: while the handle moves, a preview's differences are stepped
    // from the previous frame's (tableview.js `diffTo`); the rows of T on
    // screen must still be the model's, in every frame.
    const nowState = h.stateAt(h.now);
    const dragTable = [...(nowState?.keys() ?? [])].sort()[0];
    if (dragTable) {
      // Up to 10 instants of the history, evenly spaced.
      const all = [...new Set(pool)].sort((a, b) => a - b);
      const path = all.filter((_, i) => i % Math.ceil(all.length / 10) === 0);
      const instants = [...path.slice().reverse(), ...path];
      const seen = await page.evaluate(
        async ({ table, instants }) => {
          const pg = window.reeldbPlayground;
          const frame = () => new Promise((ok) => requestAnimationFrame(() => ok()));
          pg.scrubber.setPos(null, true);
          await frame();
          await pg.selectTable(table);
          pg.scrubber.dragging = true;
          const summary = document.querySelector(".rp-tablepanel .rp-table-summary");
          const out = [];
          for (const us of instants) {
            pg.scrubber.setPos(us, true);
            const want = `As of ${pg.scrubber.track.getAttribute("aria-valuetext").split(";")[0]}`;
            for (let k = 0; k < 40 && !summary.textContent.startsWith(want); k++) await frame();
            await frame();
            out.push({
              us,
              summary: summary.textContent,
              label: document.querySelector(".rp-tablepanel .vt-table").getAttribute("aria-label") ?? "",
              stepped: pg.table.stepped,
              rows: [...document.querySelectorAll(".rp-tablepanel .vt-body .vt-row")]
                .filter((row) => !row.hidden && !row.classList.contains("vt-now"))
                .map((row) => [...row.querySelectorAll(".vt-cell:not(.vt-mark-cell) .vt-value")].map((c) => c.textContent)),
            });
          }
          pg.scrubber.dragging = false;
          pg.scrubber.onRest?.(pg.scrubber.pos);
          return out;
        },
        { table: dragTable, instants: instants.map((x) => x * 1e6) },
      );
      for (const f of seen) {
        const state = h.stateAt(f.us / 1e6);
        const then = state?.get(dragTable);
        // Frames where the table of now is compared with its rows of then.
        if (!then || then.cols.join() !== nowState.get(dragTable).cols.join()) continue;
        // (A time whose state is now's shows the rows of now.)
        if (!f.label.startsWith(`Rows of ${dragTable} as of `) && f.label !== `Rows of ${dragTable}, now`) {
          mismatches.push(`seed ${h.seed} drag frame ${text(f.us / 1e6)}: ${dragTable} not shown (${f.label}; ${f.summary})\n${script(h)}`);
          continue;
        }
        dragFrames++;
        if (f.stepped) stepped++;
        const want = [...then.rows].sort((a, b) => a[0] - b[0]).map(([id, vals]) => [String(id), ...vals.map((v) => (v === null ? "NULL" : String(v)))]);
        const got = f.rows.sort((a, b) => a[0] - b[0]);
        if (JSON.stringify(got) !== JSON.stringify(want)) {
          mismatches.push(`seed ${h.seed} drag frame ${text(f.us / 1e6)} (${dragTable}): got ${JSON.stringify(got)}, model ${JSON.stringify(want)}\n${script(h)}`);
        }
      }
    }
  }
  await context.close();
  const ms = Date.now() - t0;
  const kinds = {};
  for (const h of histories)
    for (const op of h.ops) {
      const kind = op.sql ? /^(UPDATE|\w+ \w+)(?: \S+ (RENAME|ADD|DROP))?/.exec(op.sql).slice(1).filter(Boolean).join(" ") : Object.keys(op).find((k) => k !== "at");
      kinds[kind] = (kinds[kind] ?? 0) + 1;
    }
  const early = histories.reduce((n, h) => n + h.instants.filter((s) => s < h.earliest).length, 0);
  console.log(`# ops: ${JSON.stringify(kinds)}; ${early} asOf checks before the earliest reachable time`);
  console.log(
    `# ${HISTORIES} histories (seed ${SEED}): ${checks} asOf checks in ${apiMs} ms; ${rendered} rendered previews ` +
      `(${listed} with the table list) of ${Math.ceil(HISTORIES / RENDER_EVERY)} histories; ${dragFrames} drag frames ` +
      `(${stepped} stepped from the frame before); ${ms} ms in all; ${mismatches.length} mismatches`,
  );
  assert.deepEqual(errors, []);
  assert.equal(mismatches.length, 0, mismatches.slice(0, 3).join("\n\n"));
  assert.ok(checks >= HISTORIES * 10);
  assert.ok(stepped >= dragFrames / 4, `most drag frames are stepped (${stepped} of ${dragFrames})`);
});
