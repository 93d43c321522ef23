// @ts-check
// <reel-exercise>: a SQL exercise that grades itself and rewinds, in a static
// page. Each element has its own in-memory ReelDB database.
//
//   <reel-exercise id="laptops" label="Exercise 1: the laptops">
//     <p>List the name and quantity of every product with more than 3 in stock.</p>
//     <script type="text/sql" data-part="setup">CREATE TABLE …; INSERT …;</script>
//     <script type="text/sql" data-part="solution">SELECT name, qty FROM products WHERE qty > 3</script>
//     <script type="text/sql" data-part="variant">INSERT INTO products VALUES (9, 'Cable', 80);</script>
//   </reel-exercise>
//
// Parts (`<script type="text/sql" data-part=…>`, which browsers never run or
// show): `setup` (also a script without data-part), `solution` (hidden),
// `variant` (any number: extra data a hard-coded answer fails on), `starter`
// (the editor's first text).
// Attributes: label, src (URL of a SQL dump or ReelDB export run before the
// inline setup), change (the answer is a change: graded by its diff from the
// setup point), ordered (row order counts), names (column names count),
// depends-on (ids of earlier exercises whose setup — and solution, for a
// change exercise — run first, each once), time-limit (seconds), pkg (URL
// of reeldb.js).
//
// The timeline does the work: the setup ends at a restore point; Reset is a
// backtrack to it (the learner's history stays reachable); Check runs the
// learner's SQL and the solution from that point, and for each variant from
// the state the variant makes there, then backtracks to where the learner
// was. Every commit the element makes gets its own clock tick, one second
// after the newest entry, so "as of" a point never sees a later commit.
//
// The database runs in a worker (exercise-worker.js): learner SQL past the
// time limit (`time-limit`, seconds, default 5), or that makes the engine
// trap, ends the worker and the exercise sets up a new database, while the
// page stays responsive.
//
// Progress (solved, and the last SQL) is kept in localStorage per page and
// exercise id. The element fires `reel-ready` when set up,
// `reel-checked` ({detail: {pass, kind}}) after each check, and `reel-done`
// after each action (Run, Check, Reset).

import { PlaygroundDb, coded } from "./db.js";
import { createEditor } from "./editor.js";
import { cellText } from "./vtable.js";
import { formatTime, parseTime } from "./time.js";
import { fetchSetup } from "./share.js";
import { h } from "./dom.js";

/** The longest learner script an exercise runs (characters). */
export const MAX_SQL_CHARS = 20_000;
/** How long learner SQL may run before its worker is stopped (seconds; the `time-limit` attribute). */
export const DEFAULT_TIME_LIMIT_S = 5;
/** Rows of a result shown under the editor (all rows are compared). */
const SHOWN_ROWS = 50;
const SETUP_POINT = "exercise_setup";

let instances = 0;


/** Codes of SQL that stopped the exercise's database (its worker is gone). */
const STOPPED = new Set(["STOPPED_TIME_LIMIT", "ENGINE_STOPPED"]);

/**
 * The `raw` database PlaygroundDb drives, in a worker (exercise-worker.js):
 * the same methods, all asynchronous. `call` with a time limit terminates
 * the worker when it is exceeded.
 */
class WorkerDb {
  static async open(pkgUrl) {
    const w = new WorkerDb(new Worker(new URL("../js/exercise-worker.js", import.meta.url), { type: "module" }));
    await w.call("open", [pkgUrl ?? new URL("../pkg/reeldb.js", import.meta.url).href]);
    return w;
  }

  constructor(worker) {
    this.worker = worker;
    this.pending = new Map();
    this.next = 0;
    this.dead = null;
    worker.onmessage = ({ data }) => {
      const p = this.pending.get(data.id);
      if (!p) return;
      this.pending.delete(data.id);
      clearTimeout(p.timer);
      if (data.ok) p.ok(data.value);
      else if (data.error.code === "ENGINE_STOPPED") this.kill(coded("ENGINE_STOPPED", "The database engine stopped on this SQL (it ran out of memory)."), p);
      else p.fail(coded(data.error.code, data.error.message));
    };
    worker.onerror = (ev) => {
      ev.preventDefault();
      this.kill(coded("ENGINE_STOPPED", "The database engine stopped on this SQL (it ran out of memory)."));
    };
  }

  kill(error, first = null) {
    this.dead = error;
    this.worker.terminate();
    first?.fail(error);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.fail(error);
    }
    this.pending.clear();
  }

  call(op, args = [], limitMs = Infinity) {
    if (this.dead) return Promise.reject(this.dead);
    const id = ++this.next;
    return new Promise((ok, fail) => {
      const timer =
        limitMs === Infinity
          ? null
          : setTimeout(() => this.kill(coded("STOPPED_TIME_LIMIT", `Stopped after ${limitMs / 1000} s: your SQL ran too long (a join of large tables, or a loop?).`)), limitMs);
      this.pending.set(id, { ok, fail, timer });
      this.worker.postMessage({ id, op, args });
    });
  }

  /** Runs a script; under `this.limitMs` when set (for one call: it is cleared). */
  exec(sql) {
    const limit = this.limitMs ?? Infinity;
    this.limitMs = null;
    return this.call("exec", [sql], limit);
  }
  timeline() {
    return this.call("timeline");
  }
  restorePoints() {
    return this.call("restorePoints");
  }
  setClock(time) {
    return this.call("setClock", [time]);
  }
  /** No change events: nothing else writes to a worker's database. */
  subscribe() {
    return () => {};
  }
  close() {
    this.worker.terminate();
  }
}

// ---------------------------------------------------------------- grading --

const NUMBER = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/**
 * A value as the checker compares it: numbers (and numeric text) by value,
 * so 2, 2.0, "2" and "2.00" are one value; NULL apart from every text.
 */
export function normValue(v) {
  if (v === null || v === undefined) return "z";
  if (typeof v === "bigint") return `n${v}`;
  if (typeof v === "boolean") return v ? "n1" : "n0";
  if (typeof v === "number") return `n${canonNumber(v)}`;
  const s = String(v);
  if (NUMBER.test(s)) {
    const n = Number(s);
    // Integers past 2^53 keep their digits (DECIMAL and BIGINT text).
    if (Number.isSafeInteger(n) || !/^\s*[+-]?\d+(\.0*)?\s*$/.test(s)) return `n${canonNumber(n)}`;
    return `n${s.trim().replace(/^\+/, "").replace(/\.0*$/, "")}`;
  }
  return `s${s}`;
}

function canonNumber(n) {
  if (Object.is(n, -0)) return "0";
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toPrecision(12)));
}

const rowKey = (row) => JSON.stringify(row.map(normValue));
const showRow = (row) => `(${row.map(cellText).join(", ")})`;

function counts(rows) {
  const m = new Map();
  for (const r of rows) {
    const k = rowKey(r);
    const e = m.get(k);
    if (e) e.n++;
    else m.set(k, { n: 1, row: r });
  }
  return m;
}

/** Rows of `a` not matched in `b` (as a multiset). */
function minus(a, b) {
  const out = [];
  for (const [k, e] of a) {
    const left = e.n - (b.get(k)?.n ?? 0);
    for (let i = 0; i < left; i++) out.push(e.row);
  }
  return out;
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * Compares a learner's result set with the solution's: `{pass: true}` or
 * `{pass: false, kind, message}` with kind `no-result`, `columns`, `names`,
 * `rows`, `missing-row`, `extra-row`, `wrong-row` or `order`. Messages
 * describe the learner's result and sizes, and show at most one row.
 * @param {{columns?: string[], rows?: unknown[][]}|null} got
 * @param {{columns?: string[], rows?: unknown[][]}} want
 */
export function compareResults(got, want, { ordered = false, names = false } = {}) {
  if (!got || !got.columns) {
    return { pass: false, kind: "no-result", message: "Your SQL returned no result set: end it with a SELECT." };
  }
  if (got.columns.length !== want.columns.length) {
    return {
      pass: false,
      kind: "columns",
      message: `Wrong number of columns: your result has ${plural(got.columns.length, "column")}, the answer has ${want.columns.length}.`,
    };
  }
  if (names) {
    const a = got.columns.map((c) => c.toLowerCase());
    const b = want.columns.map((c) => c.toLowerCase());
    if (a.some((c, i) => c !== b[i])) {
      return { pass: false, kind: "names", message: `The columns must be named ${want.columns.join(", ")} (yours: ${got.columns.join(", ")}).` };
    }
  }
  const g = counts(got.rows);
  const w = counts(want.rows);
  const missing = minus(w, g);
  const extra = minus(g, w);
  const sizes = `your result has ${plural(got.rows.length, "row")}, the answer has ${want.rows.length}`;
  if (!missing.length && !extra.length) {
    if (ordered && got.rows.some((r, i) => rowKey(r) !== rowKey(want.rows[i]))) {
      return { pass: false, kind: "order", message: "The right rows, in the wrong order: this exercise asks for an order." };
    }
    return { pass: true };
  }
  if (!extra.length) {
    return { pass: false, kind: "missing-row", message: `A row is missing (${sizes}), for example ${showRow(missing[0])}.`, row: missing[0] };
  }
  if (!missing.length) {
    return { pass: false, kind: "extra-row", message: `Your result has a row too many (${sizes}): ${showRow(extra[0])}.`, row: extra[0] };
  }
  if (got.rows.length !== want.rows.length) {
    return { pass: false, kind: "rows", message: `Wrong number of rows: ${sizes}.` };
  }
  return { pass: false, kind: "wrong-row", message: `Right number of rows, but this one is not in the answer: ${showRow(extra[0])}.`, row: extra[0] };
}

/**
 * Compares two changes (`[{table, change, row, old}]`, as {@link ReelExercise}
 * collects them from the timeline): `{pass: true}` or `{pass: false, kind:
 * "change", message}`.
 */
export function compareChanges(got, want) {
  const key = (c) => `${c.table}\u0000${c.change}\u0000${rowKey(c.row ?? [])}\u0000${rowKey(c.old ?? [])}`;
  const tally = (list) => {
    const m = new Map();
    for (const c of list) m.set(key(c), (m.get(key(c)) ?? 0) + 1);
    return m;
  };
  const g = tally(got);
  const w = tally(want);
  const same = g.size === w.size && [...g].every(([k, n]) => w.get(k) === n);
  if (same) return { pass: true };
  if (!got.length) return { pass: false, kind: "change", message: "Your SQL changed nothing: this exercise asks for a change to the data." };
  const summary = (list) => {
    const per = new Map();
    for (const c of list) {
      const t = per.get(c.table) ?? { added: 0, removed: 0, changed: 0 };
      t[c.change]++;
      per.set(c.table, t);
    }
    return per;
  };
  const gs = summary(got);
  const ws = summary(want);
  for (const table of new Set([...gs.keys(), ...ws.keys()])) {
    const a = gs.get(table) ?? { added: 0, removed: 0, changed: 0 };
    const b = ws.get(table) ?? { added: 0, removed: 0, changed: 0 };
    if (a.added !== b.added || a.removed !== b.removed || a.changed !== b.changed) {
      const says = (x) => `${plural(x.added, "row")} added, ${x.removed} removed, ${x.changed} changed`;
      return { pass: false, kind: "change", message: `Your change to ${table}: ${says(a)}; the expected change: ${says(b)}.` };
    }
  }
  const wrong = got.find((c) => !w.has(key(c)));
  const what = wrong ? ` Your ${wrong.change} row ${showRow(wrong.row ?? wrong.old)} in ${wrong.table} is not part of it.` : "";
  return { pass: false, kind: "change", message: `Your change touches as many rows as the expected one, but not the same rows or values.${what}` };
}

// ---------------------------------------------------------------- storage --

function progressKey(id) {
  return `reeldb-exercise:${location.pathname}#${id}`;
}

function loadProgress(id) {
  try {
    const p = JSON.parse(localStorage.getItem(progressKey(id)) ?? "null");
    return p && typeof p === "object" ? p : {};
  } catch {
    return {};
  }
}

function saveProgress(id, p) {
  try {
    localStorage.setItem(progressKey(id), JSON.stringify(p));
  } catch {
    // Storage full or disabled: progress is kept for this page view only.
  }
}

// ---------------------------------------------------------------- element --

const partText = (el, part) =>
  [...el.querySelectorAll(`:scope > script[type="text/sql"]${part === "setup" ? ":not([data-part]), :scope > script[type=\"text/sql\"][data-part=setup]" : `[data-part=${part}]`}`)]
    .map((s) => s.textContent.trim())
    .filter(Boolean);

export class ReelExercise extends HTMLElement {
  connectedCallback() {
    if (this.built) return;
    this.built = true;
    this.key = this.id || `exercise-${++instances}`;
    this.progress = loadProgress(this.key);
    this.busy = Promise.resolve();
    const label = this.getAttribute("label") ?? "SQL exercise";
    this.setAttribute("role", "region");
    this.setAttribute("aria-label", label);
    this.build(label);
    this.ready = this.start().then(
      () => {
        this.dataset.state = "ready";
        this.dispatchEvent(new CustomEvent("reel-ready", { bubbles: true }));
      },
      (e) => {
        this.dataset.state = "error";
        this.say("error", `This exercise could not be set up: ${e.message ?? e}`);
      },
    );
  }

  disconnectedCallback() {
    // Kept open: moving the element in the page must not lose the learner's work.
  }

  get isChange() {
    return this.hasAttribute("change");
  }

  build(label) {
    const uid = `rx${++instances}`;
    this.badge = h("span", { class: "rx-badge" });
    const head = h("div", { class: "rx-head" }, h("span", { class: "rx-label", text: label }), this.badge);
    const host = h("div", { class: "rx-editor" });
    this.runBtn = h("button", { type: "button", class: "rp-btn", text: "Run", on: { click: () => this.act(() => this.run()) } });
    this.checkBtn = h("button", { type: "button", class: "rp-btn rp-primary", text: "Check", on: { click: () => this.act(() => this.check()) } });
    this.resetBtn = h("button", { type: "button", class: "rp-btn", text: "Reset", on: { click: () => this.act(() => this.reset()) } });
    const buttons = h("div", { class: "rx-buttons" }, this.runBtn, this.checkBtn, this.resetBtn);
    this.feedback = h("div", { class: "rx-feedback", role: "status", "aria-live": "polite", id: `${uid}-fb` });
    this.result = h("div", { class: "rx-result" });
    this.ui = h("div", { class: "rx" }, host, buttons, this.feedback, this.result);
    this.prepend(this.ui);
    // The prompt (the author's own markup) stays above the editor.
    for (const p of [...this.children].filter((c) => c !== this.ui && c.tagName !== "SCRIPT")) this.ui.before(p);
    this.prepend(head);
    this.editor = createEditor(host, {
      label: "SQL",
      doc: this.progress.sql ?? partText(this, "starter").join("\n"),
      placeholder: this.isChange ? "UPDATE …, DELETE …, INSERT … — Ctrl+Enter to run" : "SELECT … — Ctrl+Enter to run",
      onRun: () => this.act(() => this.run()),
      onHistory: () => null,
    });
    this.renderBadge();
    this.setBusy(true);
  }

  renderBadge() {
    const solved = !!this.progress.solved;
    this.badge.textContent = solved ? "✓ Solved" : "Not solved yet";
    this.badge.dataset.solved = String(solved);
    this.dataset.solved = String(solved);
  }

  setBusy(flag) {
    for (const b of [this.runBtn, this.checkBtn, this.resetBtn]) b.disabled = flag;
    this.ui.setAttribute("aria-busy", String(flag));
  }

  say(kind, text) {
    this.feedback.dataset.kind = kind;
    this.feedback.textContent = text;
  }

  /** Runs one action at a time, with the buttons disabled meanwhile. */
  act(fn) {
    const go = async () => {
      this.setBusy(true);
      try {
        await this.ready;
        if (this.dataset.state !== "ready") return;
        await fn();
      } catch (e) {
        if (STOPPED.has(e.code)) {
          // The worker is gone: a new database from the setup, the page never froze.
          await this.openDb();
          this.result.replaceChildren();
          this.say("error", `${e.message} The exercise's database was set up again.`);
        } else {
          this.say("error", e.message ?? String(e));
        }
      } finally {
        this.setBusy(false);
        this.dispatchEvent(new CustomEvent("reel-done", { bubbles: true }));
      }
    };
    this.busy = this.busy.then(go, go);
    return this.busy;
  }

  // ---------------------------------------------------------- database --

  /** Setup scripts: each dependency's (once, in order), then this one's. */
  async setupScripts(seen = new Set(), path = []) {
    if (path.includes(this.key)) throw coded("BAD_EXERCISE", `depends-on makes a cycle: ${[...path, this.key].join(" → ")}`);
    const out = [];
    for (const id of (this.getAttribute("depends-on") ?? "").split(/\s+/).filter(Boolean)) {
      if (seen.has(id)) continue;
      const dep = document.getElementById(id);
      if (!(dep instanceof ReelExercise)) throw coded("BAD_EXERCISE", `depends-on="${id}": no <reel-exercise id="${id}"> on this page`);
      out.push(...(await dep.setupScripts(seen, [...path, this.key])));
      if (dep.isChange) out.push(...partText(dep, "solution"));
      seen.add(id);
    }
    const src = this.getAttribute("src");
    if (src) out.push(await fetchSetup(new URL(src, document.baseURI).href));
    out.push(...partText(this, "setup"));
    return out;
  }

  async start() {
    this.solution = partText(this, "solution").join("\n");
    this.variants = partText(this, "variant");
    if (!this.solution) throw coded("BAD_EXERCISE", "it has no solution (<script type=\"text/sql\" data-part=\"solution\">)");
    this.scripts = await this.setupScripts();
    await this.openDb();
    this.setBusy(false);
    this.say("info", this.progress.solved ? "Solved earlier: your last answer is in the editor." : "Write your SQL, Run it to see the result, and Check it.");
  }

  /** A new database in a new worker, set up, ending at the setup's restore point. */
  async openDb() {
    this.db?.raw.close();
    const pkg = this.getAttribute("pkg");
    const raw = await WorkerDb.open(pkg ? new URL(pkg, document.baseURI).href : undefined);
    this.db = new PlaygroundDb(raw, { persistent: false, mod: null });
    for (const sql of this.scripts) await this.db.exec(sql);
    await this.db.createRestorePoint(SETUP_POINT);
    const rp = (await this.db.restorePoints()).find((r) => r.name === SETUP_POINT);
    this.floorUs = rp ? parseTime(rp.time) || 0 : 0;
  }

  /** Moves the clock one second past the newest entry (and the setup point). */
  async tick() {
    const last = (await this.db.timeline()).at(-1);
    const us = Math.max(last ? last.us : 0, this.floorUs);
    await this.db.raw.setClock(formatTime(us + 1e6));
  }

  async newestTime() {
    const last = (await this.db.timeline()).at(-1);
    return last ? last.time : null;
  }

  async backtrackTo(target) {
    await this.tick();
    await this.db.backtrack(target);
  }

  /**
   * Runs SQL from the current state: every result, or a coded error. The
   * learner's SQL runs under the time limit; past it, or when the engine
   * traps, the worker is gone (a `STOPPED` code).
   */
  async exec(sql, { learner = false } = {}) {
    await this.tick();
    if (learner) {
      const secs = Number(this.getAttribute("time-limit") ?? DEFAULT_TIME_LIMIT_S);
      this.db.raw.limitMs = (secs > 0 ? secs : DEFAULT_TIME_LIMIT_S) * 1000;
    }
    return this.db.exec(sql);
  }

  learnerSql() {
    const sql = this.editor.value;
    if (!sql.trim()) throw coded("EMPTY", "Write some SQL first.");
    if (sql.length > MAX_SQL_CHARS) {
      throw coded("SQL_TOO_LONG", `Your SQL is ${Math.ceil(sql.length / 1024)} KB: an exercise runs at most ${MAX_SQL_CHARS / 1000} KB. Nothing was run.`);
    }
    this.progress = { ...this.progress, sql };
    saveProgress(this.key, this.progress);
    return sql;
  }

  describeError(e) {
    if (e.code === "ER_CTE_MAX_RECURSION_DEPTH") {
      return `Stopped: your recursive query ran more than @@cte_max_recursion_depth iterations (does it ever end?). ${e.message}`;
    }
    return `${e.code && e.code !== "ERROR" ? `${e.code}: ` : ""}${e.message ?? e}`;
  }

  // ----------------------------------------------------------- actions --

  async run() {
    const sql = this.learnerSql();
    let res;
    try {
      res = await this.exec(sql, { learner: true });
    } catch (e) {
      if (STOPPED.has(e.code)) throw e;
      this.result.replaceChildren();
      this.say("error", this.describeError(e));
      return;
    }
    const last = [...res].reverse().find((r) => r.columns);
    if (last) {
      this.showTable(last);
      this.say("info", `Ran. ${plural(last.rows.length, "row")}.`);
    } else {
      const n = res.reduce((s, r) => s + (r.affected ?? 0), 0);
      this.result.replaceChildren();
      this.say("info", `Ran. ${plural(n, "row")} affected.`);
    }
  }

  async reset() {
    await this.backtrackTo({ restorePoint: SETUP_POINT });
    this.result.replaceChildren();
    this.say("info", "Reset: the database is back at the start of the exercise. What you did is still on its timeline.");
  }

  /** Runs `sql` from the current state: `{result}` / `{changes}`, or `{error}`. */
  async attempt(sql, from, learner = false) {
    try {
      const res = await this.exec(sql, { learner });
      if (!this.isChange) return { result: [...res].reverse().find((r) => r.columns) ?? null };
      return { changes: await this.changesSince(from) };
    } catch (e) {
      if (STOPPED.has(e.code)) throw e;
      return { error: e };
    }
  }

  /** `[{table, change, row, old}]`: every row that differs between `from` and now, in every table. */
  async changesSince(from) {
    const to = await this.newestTime();
    const tables = new Map();
    for (const t of [...(await this.db.tablesAt(from)), ...(await this.db.tablesAt(to))]) tables.set(`${t.db}.${t.table}`, t);
    const out = [];
    for (const [name, t] of tables) {
      for (const d of await this.db.diff(t.db, t.table, from, to)) out.push({ table: name, change: d.change, row: d.row, old: d.old });
    }
    return out;
  }

  async check() {
    const sql = this.learnerSql();
    const back = await this.newestTime();
    let verdict = { pass: true };
    try {
      for (let i = 0; i <= this.variants.length && verdict.pass; i++) {
        await this.backtrackTo({ restorePoint: SETUP_POINT });
        if (i > 0) await this.exec(this.variants[i - 1]);
        const from = await this.newestTime();
        const got = await this.attempt(sql, from, true);
        await this.backtrackTo(from);
        const want = await this.attempt(this.solution, from);
        if (want.error) throw coded("BAD_EXERCISE", `the exercise's solution fails: ${want.error.message}`);
        if (got.error) {
          verdict = { pass: false, kind: "error", message: `Your SQL failed: ${this.describeError(got.error)}` };
        } else {
          verdict = this.isChange ? compareChanges(got.changes, want.changes) : compareResults(got.result, want.result, { ordered: this.hasAttribute("ordered"), names: this.hasAttribute("names") });
        }
        if (!verdict.pass && i > 0 && verdict.kind !== "error") {
          verdict = { pass: false, kind: "variant", message: "Passes here but not on other data: your SQL must not depend on these particular rows." };
        } else if (!verdict.pass && i > 0) {
          verdict.message = `On other data, ${verdict.message.charAt(0).toLowerCase()}${verdict.message.slice(1)}`;
        }
      }
    } finally {
      // Back to where the learner was (their state, not the checker's).
      if (!this.db.raw.dead && back) await this.backtrackTo(back);
    }
    if (verdict.pass) {
      this.progress = { ...this.progress, solved: true };
      saveProgress(this.key, this.progress);
      this.renderBadge();
      const on = this.variants.length ? ` (and on ${plural(this.variants.length, "other data set")})` : "";
      this.say("pass", `✓ Correct${on}.`);
    } else {
      this.say(verdict.kind, verdict.message);
    }
    this.dispatchEvent(new CustomEvent("reel-checked", { bubbles: true, detail: { pass: verdict.pass, kind: verdict.kind ?? "pass" } }));
  }

  showTable(r) {
    const shown = r.rows.slice(0, SHOWN_ROWS);
    const table = h(
      "table",
      {},
      h("caption", { text: r.rows.length > SHOWN_ROWS ? `First ${SHOWN_ROWS} of ${r.rows.length} rows` : `${plural(r.rows.length, "row")}` }),
      h("thead", {}, h("tr", {}, ...r.columns.map((c) => h("th", { scope: "col", text: c })))),
      h("tbody", {}, ...shown.map((row) => h("tr", {}, ...row.map((v) => h("td", { text: cellText(v), class: v === null ? "rx-null" : null }))))),
    );
    this.result.replaceChildren(h("div", { class: "rx-scroll", tabindex: "0", role: "region", "aria-label": "Result" }, table));
  }
}

if (!customElements.get("reel-exercise")) customElements.define("reel-exercise", ReelExercise);
