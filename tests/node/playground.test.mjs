// Unit tests of the playground's pure modules (www/js/), in Node.js: the
// preview's row merge, the timeline model, time formatting, SQL splitting,
// the scrubber's tick and label layout and stepping, the statement history
// and the export/share helpers. The page itself is tested in Chromium
// (tests/browser/). Run: node --test tests/node/
import { test } from "node:test";
import assert from "node:assert/strict";
import { keyOf, cmpValue, mergeRows, diffMap, stepDiff, diffRows } from "../../www/js/rowmerge.js";
import { entryAt, readTime, axisSpan, percentiles } from "../../www/js/timeline.js";
import { parseTime, formatTime, clockPart, formatSpan, formatBytes } from "../../www/js/time.js";
import { splitStatements, firstKeyword, isReadOnlyStatement } from "../../www/js/sqlsplit.js";
import { placeRows, tickMarks, stepTarget } from "../../www/js/scrubber.js";
import { StatementHistory } from "../../www/js/history.js";
import { exportFileName, sharedScriptFromHash } from "../../www/js/share.js";

/** All rows of a merge, as [mark, ...values] (mark "" when unmarked). */
const shown = (m) => Array.from({ length: m.count }, (_, i) => {
  const r = m.rowAt(i);
  return [r.mark ?? "", ...r.values];
});

// ------------------------------------------------------------ row merge --

test("row merge: rows only then are placed among the rows of now in key order; removed and changed rows are marked", () => {
  const current = { rows: [[1, "a"], [3, "c"], [5, "e"]], index: null };
  const diff = [
    { change: "added", row: [2, "b"], old: null }, // only then
    { change: "added", row: [6, "f"], old: null },
    { change: "added", row: [0, "z"], old: null },
    { change: "removed", row: null, old: [3, "c"] }, // only now
    { change: "changed", row: [5, "E"], old: [5, "e"] },
  ];
  const m = mergeRows(current, [0], diff);
  assert.deepEqual({ then: m.then, now: m.now, changed: m.changed, count: m.count }, { then: 3, now: 1, changed: 1, count: 6 });
  assert.deepEqual(shown(m), [
    ["then", 0, "z"],
    ["", 1, "a"],
    ["then", 2, "b"],
    ["now", 3, "c"],
    ["changed", 5, "E"],
    ["then", 6, "f"],
  ]);
  assert.deepEqual(m.rowAt(4).old, [5, "e"]);
  // The index is built once and kept for the next preview of the same rows.
  assert.ok(current.index instanceof Map);
  const again = mergeRows(current, [0], []);
  assert.deepEqual(shown(again), [["", 1, "a"], ["", 3, "c"], ["", 5, "e"]]);
});

test("row merge: differences stepped from a neighbouring time equal those read directly (random histories)", () => {
  // A model of reeldb_diff over a keyed table's states: rows by key.
  /** @param {Map<number, unknown[]>} from @param {Map<number, unknown[]>} to */
  const modelDiff = (from, to) => {
    const out = [];
    for (const [k, row] of to) {
      const old = from.get(k);
      if (!old) out.push({ change: "added", row, old: null });
      else if (JSON.stringify(old) !== JSON.stringify(row)) out.push({ change: "changed", row, old });
    }
    for (const [k, old] of from) if (!to.has(k)) out.push({ change: "removed", row: null, old });
    return out;
  };
  const canon = (rows) => rows.map((d) => JSON.stringify(d)).sort();
  let seed = 7;
  const rnd = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  let steps = 0;
  for (let history = 0; history < 40; history++) {
    // States 0..n-1 of a table (id, text, number or NULL), each one change or a few from the last.
    const states = [new Map()];
    for (let t = 1; t < 30; t++) {
      const s = new Map(states[t - 1]);
      for (let c = 0, n = 1 + rnd(3); c < n; c++) {
        const k = rnd(12);
        if (rnd(4) === 0) s.delete(k);
        else s.set(k, [k, `v${rnd(3)}`, rnd(5) === 0 ? null : rnd(4)]);
      }
      states.push(s);
    }
    const now = states[states.length - 1];
    let at = rnd(states.length);
    let map = diffMap(modelDiff(now, states[at]), [0]);
    for (let move = 0; move < 25; move++) {
      const next = Math.max(0, Math.min(states.length - 1, at + rnd(7) - 3));
      map = stepDiff(map, modelDiff(states[at], states[next]), [0]);
      at = next;
      assert.deepEqual(canon(diffRows(map)), canon(modelDiff(now, states[at])), `history ${history}, move ${move}`);
      steps++;
    }
  }
  assert.equal(steps, 1000);
});

test("row merge: without a primary key rows are keyed by all their values, duplicates one by one", () => {
  const current = { rows: [["x", 1], ["x", 1], ["y", 2]], index: null };
  const diff = [
    { change: "removed", row: null, old: ["x", 1] },
    { change: "removed", row: null, old: ["x", 1] },
    { change: "added", row: ["w", 0], old: null },
  ];
  const m = mergeRows(current, [], diff);
  // Both copies are marked (not the same one twice); rows of then go last.
  assert.deepEqual(shown(m), [["now", "x", 1], ["now", "x", 1], ["", "y", 2], ["then", "w", 0]]);
});

test("row merge: a changed row whose key is not there now is shown as a row of then; composite keys", () => {
  const current = { rows: [[1, 1, "a"], [1, 2, "b"], [2, 1, "c"]], index: null };
  const m = mergeRows(current, [0, 1], [
    { change: "changed", row: [1, 3, "new"], old: [9, 9, "?"] },
    { change: "added", row: [1, 1, "dup?"], old: null },
  ]);
  assert.equal(m.changed, 1);
  assert.deepEqual(shown(m), [
    ["then", 1, 1, "dup?"],
    ["", 1, 1, "a"],
    ["", 1, 2, "b"],
    ["then", 1, 3, "new"],
    ["", 2, 1, "c"],
  ]);
});

test("row merge: keys and order of values (numbers by value, NULL first, text by text)", () => {
  assert.notEqual(keyOf([1], [0]), keyOf(["1"], [0]));
  assert.equal(keyOf([7, "x"], [0]), keyOf([7, "y"], [0]));
  assert.equal(cmpValue(null, 0), -1);
  assert.equal(cmpValue(2, 10), -1);
  assert.equal(cmpValue("10", "2"), -1);
  assert.equal(cmpValue("b", "b"), 0);
  // 10k rows, 100 differences: rowAt answers for every position.
  const rows = Array.from({ length: 10_000 }, (_, i) => [i * 2, `r${i}`]);
  const diff = Array.from({ length: 100 }, (_, i) => ({ change: "added", row: [i * 200 + 1, `t${i}`], old: null }));
  const m = mergeRows({ rows, index: null }, [0], diff);
  const ids = Array.from({ length: m.count }, (_, i) => m.rowAt(i).values[0]);
  assert.equal(ids.length, 10_100);
  assert.ok(ids.every((v, i) => i === 0 || ids[i - 1] < v), "ids ascend");
});

// --------------------------------------------------------------- timeline --

const E = (us, seq = us) => ({ us, seq });

test("timeline: the entry as of a time is the last at or before it", () => {
  const entries = [E(10), E(20), E(20, 21), E(30)];
  assert.equal(entryAt(entries, 5), null);
  assert.equal(entryAt(entries, 10).seq, 10);
  assert.equal(entryAt(entries, 25).seq, 21);
  assert.equal(entryAt(entries, 99).seq, 30);
  assert.equal(entryAt([], 1), null);
});

test("timeline: a preview reads in whole seconds, never before its commit nor before the earliest reachable time", () => {
  const s = (x) => x * 1e6;
  // Whole seconds when no commit lies in between.
  assert.equal(readTime(s(100) + 500_000, { us: s(90) }, NaN), s(100));
  // The commit's time when it is in the same second.
  assert.equal(readTime(s(100) + 500_000, { us: s(100) + 250_000 }, NaN), s(100) + 250_000);
  // After a narrowed window the commit current at T may be older than the
  // earliest reachable time: the state is read at the earliest time instead.
  assert.equal(readTime(s(100), { us: s(40) }, s(60)), s(100));
  assert.equal(readTime(s(60) + 300_000, { us: s(40) }, s(60) + 200_000), s(60) + 200_000);
  // Before the first commit.
  assert.equal(readTime(s(5) + 1, null, NaN), s(5));
});

test("timeline: the axis starts at the earliest time when history was trimmed, else a little before the first commit", () => {
  const s = (x) => x * 1e6;
  assert.deepEqual(axisSpan([E(s(50)), E(s(80))], s(100), s(60)), { left: s(60), right: s(100) });
  // 4 % of the span before the first commit, at least a second, in whole seconds.
  assert.deepEqual(axisSpan([E(s(1000)), E(s(2000))], s(3000), s(0)), { left: s(920), right: s(3000) });
  assert.deepEqual(axisSpan([E(s(1000))], s(1000), s(0)), { left: s(999), right: s(1000) });
  // Not before the earliest reachable time.
  assert.deepEqual(axisSpan([E(s(1000))], s(3000), s(990)), { left: s(990), right: s(3000) });
  // No entries: a minute before now.
  assert.deepEqual(axisSpan([], s(100), NaN), { left: s(40), right: s(100) });
});

test("timeline: frame percentiles", () => {
  const p = percentiles([5, 1, 4, 2, 3, 10, 9, 8, 7, 6]);
  assert.deepEqual(p, { count: 10, p50: 6, p95: 10, max: 10 });
  assert.ok(Number.isNaN(percentiles([]).p50));
});

// -------------------------------------------------------------------- time --

test("time: engine text round-trips through microseconds; clock part, spans and sizes", () => {
  for (const t of ["2020-12-24 14:45:00", "2020-12-24 14:45:00.000001", "1970-01-01 00:00:00", "2038-01-19 03:14:08.5"]) {
    const us = parseTime(t);
    assert.ok(Number.isFinite(us), t);
    assert.equal(formatTime(us), t.replace(/\.5$/, ".500000"));
  }
  assert.equal(parseTime("2020-12-24T14:45:00"), parseTime("2020-12-24 14:45:00"));
  assert.ok(Number.isNaN(parseTime("2020-12-24 25:00")));
  assert.ok(Number.isNaN(parseTime("yesterday")));
  assert.equal(clockPart(parseTime("2020-12-24 14:45:59.999999")), "14:45:59");
  assert.deepEqual([formatSpan(30), formatSpan(600), formatSpan(3 * 3600), formatSpan(5 * 86400)], ["30 s", "10 min", "3 h", "5 d"]);
  assert.deepEqual([formatBytes(512), formatBytes(3.5 * 1024), formatBytes(1.25 * 1024 * 1024)], ["512 B", "3.5 KiB", "1.3 MiB"]);
});

// -------------------------------------------------------------- SQL split --

test("SQL splitting: statements with their offsets; quotes, backquotes and comments do not split", () => {
  const text = "SELECT 'a;b', `c;d`, \"e;f\";  -- x;y\nINSERT INTO t VALUES ('it''s;', 'back\\';slash');\n/* c; */ SELECT 1 # z;\n;;";
  const st = splitStatements(text);
  assert.deepEqual(
    st.map((s) => s.sql),
    ["SELECT 'a;b', `c;d`, \"e;f\"", "INSERT INTO t VALUES ('it''s;', 'back\\';slash')", "SELECT 1 # z;"],
  );
  for (const s of st) assert.equal(text.slice(s.from, s.to), s.sql);
  assert.deepEqual(splitStatements("  ;  -- only a comment\n"), []);
  assert.deepEqual(splitStatements("SELECT 1"), [{ sql: "SELECT 1", from: 0, to: 8 }]);
});

test("SQL splitting: the first keyword decides what a read-only playground runs", () => {
  assert.equal(firstKeyword("  /* hi */ -- x\n select 1"), "SELECT");
  assert.equal(firstKeyword("(SELECT 1)"), "");
  for (const sql of ["SELECT 1", "show tables", "DESCRIBE t", "WITH x AS (SELECT 1) SELECT * FROM x", "USE d"]) assert.ok(isReadOnlyStatement(sql), sql);
  for (const sql of ["DELETE FROM t", "BACKTRACK TO TIMESTAMP '2020-12-24 14:50:00'", "SET TIMESTAMP = 1", "-- SELECT\nDROP TABLE t"]) assert.ok(!isReadOnlyStatement(sql), sql);
});

// ---------------------------------------------------------------- scrubber --

test("scrubber layout: labels never overlap nor leave the lane; what fits in no row is left out", () => {
  const items = [
    { x: 0, w: 40, align: "start" },
    { x: 30, w: 40, align: "center" },
    { x: 35, w: 40, align: "center" },
    { x: 200, w: 40, align: "end" },
    { x: 36, w: 40, align: "center" },
    { x: 100, w: 500, align: "center" }, // wider than the lane
  ];
  placeRows(items, 200, 2, 6);
  assert.deepEqual(items.map((it) => it.row), [0, 1, -1, 0, -1, -1]);
  for (const it of items.filter((it) => it.row >= 0)) {
    assert.ok(it.left >= 0 && it.left + it.w <= 200, "inside the lane");
  }
  const placed = items.filter((it) => it.row >= 0);
  for (const a of placed)
    for (const b of placed) {
      if (a === b || a.row !== b.row) continue;
      assert.ok(a.left + a.w + 6 <= b.left || b.left + b.w + 6 <= a.left, "no overlap in a row");
    }
  assert.equal(items[3].left, 160); // "end": its right edge at x
});

test("scrubber ticks: one per kind per pixel column, none before the left edge", () => {
  const entries = [
    { us: 5, kind: "commit" },
    { us: 10, kind: "commit" },
    { us: 10.4, kind: "commit" },
    { us: 10.4, kind: "backtrack" },
    { us: 60, kind: "commit" },
  ];
  const frac = (us) => (us - 10) / 100;
  assert.deepEqual(tickMarks(entries, 10, frac, 100), [
    { x: 0, kind: "commit" },
    { x: frac(10.4), kind: "backtrack" },
    { x: 0.5, kind: "commit" },
  ]);
  // 10k commits on 800 px: at most 801 ticks.
  const many = Array.from({ length: 10_000 }, (_, i) => ({ us: i, kind: "commit" }));
  assert.ok(tickMarks(many, 0, (us) => us / 10_000, 800).length <= 801);
});

test("scrubber stepping: the left edge, each change after it, then now (null)", () => {
  const times = [100, 200, 300, 400]; // 400 is the last change: now
  assert.equal(stepTarget(times, 150, null, -1), 300);
  assert.equal(stepTarget(times, 150, 300, -1), 200);
  assert.equal(stepTarget(times, 150, 250, -1), 200); // between changes: back to the one before
  assert.equal(stepTarget(times, 150, 200, -1), 150); // the earliest time
  assert.equal(stepTarget(times, 150, 150, -1), 150); // stays there
  assert.equal(stepTarget(times, 150, 150, 1), 200);
  assert.equal(stepTarget(times, 150, 300, 1), null); // now
  assert.equal(stepTarget(times, 150, null, -1, 10), 150); // PageDown: ten back, at most to the edge
  assert.equal(stepTarget(times, 150, 150, 1, 10), null);
});

// ----------------------------------------------------------------- history --

test("statement history: no repeats, newest last, at most 100; Ctrl+↑↓ steps; kept only when asked", () => {
  const store = new Map();
  const storage = { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, v) };
  const hist = new StatementHistory(storage, { keep: true });
  hist.push("SELECT 1");
  hist.push(" SELECT 2 \n");
  hist.push("SELECT 1");
  assert.deepEqual(hist.list, ["SELECT 2", "SELECT 1"]);
  assert.equal(hist.step(-1), "SELECT 1");
  assert.equal(hist.step(-1), "SELECT 2");
  assert.equal(hist.step(-1), "SELECT 2");
  assert.equal(hist.step(1), "SELECT 1");
  assert.equal(hist.step(1), "");
  assert.deepEqual(new StatementHistory(storage).list, ["SELECT 2", "SELECT 1"]);
  for (let i = 0; i < 150; i++) hist.push(`SELECT ${i} + 0`);
  assert.equal(hist.list.length, 100);
  assert.equal(hist.list.at(-1), "SELECT 149 + 0");
  assert.equal(hist.options()[0].label, "SELECT 149 + 0");
  // Not kept: read from storage, additions in memory only.
  const before = store.get("reeldb.history");
  const embed = new StatementHistory(storage, { keep: false });
  embed.push("SELECT 'embed'");
  assert.equal(store.get("reeldb.history"), before);
  // Damaged storage reads as empty; one line of at most 70 characters per option.
  assert.deepEqual(new StatementHistory({ getItem: () => "{nope", setItem() {} }).list, []);
  const long = new StatementHistory(null);
  long.push(`SELECT\n${"x, ".repeat(40)}1`);
  assert.equal(long.options()[0].label.length, 68);
  assert.ok(!long.options()[0].label.includes("\n"));
  assert.equal(new StatementHistory(null).step(-1), null);
});

// ------------------------------------------------------------------ share --

test("export file name has whole seconds; an older #sql= link gives its script", () => {
  assert.equal(exportFileName(Date.UTC(2020, 11, 24, 14, 45, 7, 999)), "reeldb-2020-12-24-14-45-07.sql");
  const b64 = Buffer.from("SELECT 'é';").toString("base64url");
  assert.equal(sharedScriptFromHash(`#sql=${b64}`), "SELECT 'é';");
  assert.equal(sharedScriptFromHash("#sql=***"), null);
  assert.equal(sharedScriptFromHash("#reel=abc"), null);
  assert.equal(sharedScriptFromHash(""), null);
});
