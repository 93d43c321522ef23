// @ts-check
// "Rewind the accident": the reference scenario (shared/scenario/backtrack.test)
// replayed step by step. The clock is set with SET TIMESTAMP so every commit
// lands at the scenario's wall-clock time (24 December 2020, UTC). `TUTORIAL`
// is the story; `Tutorial` walks a playground through it in a fresh
// in-memory database, with a card above the editor.

import { h } from "./dom.js";

/** @typedef {import("./playground.js").Playground} Playground */

/** @type {{title: string, text: string, sql: string | null}[]} */
export const TUTORIAL = [
  {
    title: "A database at 14:45",
    text:
      "Every commit in ReelDB is stamped with the time it happened. The tutorial fixes the clock " +
      "with SET TIMESTAMP (Unix seconds, like MySQL) so the story happens on 24 December 2020. " +
      "First, create the shop's database and switch to it.",
    sql: "SET TIMESTAMP = 1608821100;  -- 2020-12-24 14:45:00 UTC\nCREATE DATABASE SQLShackDemo;\nUSE SQLShackDemo;",
  },
  {
    title: "14:52 — a table",
    text: "Create the products table. Each commit becomes a tick on the timeline above.",
    sql:
      "SET TIMESTAMP = 1608821520;  -- 14:52\n" +
      "CREATE TABLE ProductsData (ID INT PRIMARY KEY, ProductName VARCHAR(50) NOT NULL, Quantity INT);",
  },
  {
    title: "14:55 and 14:58 — two products",
    text: "Two inserts, three minutes apart. Watch them appear in the table on the right.",
    sql:
      "SET TIMESTAMP = 1608821700;  -- 14:55\nINSERT INTO ProductsData VALUES (1, 'Laptop', 5);\n" +
      "SET TIMESTAMP = 1608821880;  -- 14:58\nINSERT INTO ProductsData VALUES (2, 'Monitor', 12);",
  },
  {
    title: "15:01 — the accident",
    text:
      "Someone runs a DELETE without a WHERE clause. Every product is gone: the count is 0. " +
      "In a normal database this is where you reach for last night's backup.",
    sql: "SET TIMESTAMP = 1608822060;  -- 15:01\nDELETE FROM ProductsData;\nSELECT COUNT(*) FROM ProductsData;",
  },
  {
    title: "Look into the past, read-only",
    text:
      "FOR SYSTEM_TIME AS OF reads the table as it was at 15:00, before the accident. Reading the " +
      "past changes nothing: the current table still has 0 rows. Dragging the timeline does the same.",
    sql:
      "SELECT ID, ProductName FROM ProductsData FOR SYSTEM_TIME AS OF TIMESTAMP '2020-12-24 15:00:00';\n" +
      "SELECT COUNT(*) FROM ProductsData;",
  },
  {
    title: "15:05 — rewind too far",
    text:
      "BACKTRACK rewinds the whole database, every table at once, like Aurora's Backtrack. Going back to " +
      "14:50 overshoots: the database exists but the table was only created at 14:52.",
    sql: "SET TIMESTAMP = 1608822300;  -- 15:05\nBACKTRACK TO TIMESTAMP '2020-12-24 14:50:00';\nSHOW TABLES;",
  },
  {
    title: "15:06 — forward again",
    text:
      "Nothing was lost by rewinding: the backtrack is itself recorded, so you can move forward to 15:00, " +
      "just before the accident. Both products are back.",
    sql: "SET TIMESTAMP = 1608822360;  -- 15:06\nBACKTRACK TO TIMESTAMP '2020-12-24 15:00:00';\nSELECT * FROM ProductsData;",
  },
  {
    title: "15:08 — life goes on",
    text: "New writes build on the rewound state. A keyboard arrives in stock.",
    sql: "SET TIMESTAMP = 1608822480;  -- 15:08\nINSERT INTO ProductsData VALUES (3, 'Keyboard', 40);",
  },
  {
    title: "15:10 — every state is still reachable",
    text:
      "Back to just after the accident (15:02, the table is empty), then forward to 15:08:30: all three products. " +
      "The arcs above the timeline show each jump.",
    sql:
      "SET TIMESTAMP = 1608822600;  -- 15:10\nBACKTRACK TO TIMESTAMP '2020-12-24 15:02:00';\n" +
      "SELECT COUNT(*) FROM ProductsData;\nBACKTRACK TO TIMESTAMP '2020-12-24 15:08:30';\n" +
      "SELECT ID, ProductName FROM ProductsData;",
  },
  {
    title: "The backtrack log",
    text: "Every backtrack is logged with the time it went to, the time it happened, and its status.",
    sql: "SELECT id, backtrack_to, backtracked_from, status FROM information_schema.backtracks ORDER BY id;",
  },
  {
    title: "15:20 — the backtrack window",
    text:
      "History is kept for a window (here 30 minutes). The earliest reachable time moves to 14:50, the " +
      "left edge of the timeline; going further back fails.",
    sql:
      "SET TIMESTAMP = 1608823200;  -- 15:20\nSET GLOBAL backtrack_window = 1800;\n" +
      "SELECT variable_value FROM information_schema.global_status WHERE variable_name = 'Backtrack_earliest_time';",
  },
  {
    title: "Your turn",
    text:
      "Drag the timeline handle back and watch rows appear and vanish (◂ only then, ▸ only now, ~ changed). " +
      "Nothing is written while you look: letting go keeps the preview. Press Backtrack (or Enter) to rewind the " +
      "database there, Escape or Back to now to return; use the arrow keys to step commit by commit, and Play to " +
      "replay the whole story.",
    sql: null,
  },
];

export class Tutorial {
  /** @param {Playground} pg */
  constructor(pg) {
    this.pg = pg;
    this.card = h("section.rp-tutorial", { "aria-label": "Rewind the accident tutorial", hidden: true });
    /** @type {number | null} the step shown (null: no tutorial) */
    this.step = null;
    /** @type {Set<number>} steps run */
    this.ran = new Set();
    /** @type {number | null} the database holds exactly steps [0, applied) (null: not known) */
    this.applied = 0;
  }

  async start() {
    this.step = 0;
    this.ran = new Set();
    this.applied = 0;
    await this.pg.openDb({ name: undefined });
    this.pg.setStatus("Tutorial: a fresh in-memory database. Your own database is untouched.", "info");
    this.render();
  }

  render() {
    const i = this.step;
    if (i === null) {
      this.card.hidden = true;
      return;
    }
    const step = TUTORIAL[i];
    const ran = this.ran.has(i);
    if (step.sql && !ran) this.pg.console.editor.value = step.sql;
    const runBtn = step.sql
      ? h("button.rp-btn.rp-primary", { type: "button", text: ran ? "Run again" : "Run step", on: { click: () => this.runStep() } })
      : null;
    const next =
      i < TUTORIAL.length - 1
        ? h("button.rp-btn" + (ran || !step.sql ? ".rp-accent" : ""), { type: "button", text: "Next step", on: { click: () => this.goto(i + 1) } })
        : null;
    const back = i > 0 ? h("button.rp-btn", { type: "button", text: "Previous step", on: { click: () => this.goto(i - 1) } }) : null;
    const exit = h("button.rp-btn", { type: "button", text: "Leave tutorial", on: { click: () => this.end() } });
    const progress = h("progress", { max: TUTORIAL.length, value: i + 1, "aria-label": "Tutorial progress" });
    this.card.replaceChildren(
      h("p.rp-tutorial-kicker", { text: `Rewind the accident · step ${i + 1} of ${TUTORIAL.length}` }),
      progress,
      h("h3", { text: step.title }),
      h("p", { text: step.text }),
      h("div.rp-tutorial-buttons", {}, back, runBtn, next, h("span.rp-grow"), exit),
    );
    this.card.hidden = false;
  }

  /** @param {number} i */
  async goto(i) {
    this.step = i;
    this.render();
    this.card.querySelector("h3")?.focus?.();
  }

  async runStep() {
    const i = this.step;
    if (i === null) return;
    const step = TUTORIAL[i];
    if (!step?.sql) return;
    const pg = this.pg;
    if (this.applied !== i) {
      // The database is not the story up to step i (a step run again, an
      // earlier step revisited, or one skipped): replay steps 1..i in a
      // fresh database, so no step meets its own rows (ER_DUP_ENTRY) and
      // the clock only moves forward.
      const before = TUTORIAL.slice(0, i).map((s) => s.sql).filter(Boolean).join("\n");
      await pg.openDb({ name: undefined, setup: before || undefined });
      if (i > 0) pg.setStatus(`Replayed steps 1 to ${i} in a fresh database.`, "info");
    }
    pg.console.editor.value = step.sql;
    const ok = await pg.console.runScript(step.sql, { base: 0, fromEditor: true });
    this.applied = ok ? i + 1 : null;
    if (ok) this.ran.add(i);
    this.render();
  }

  async end() {
    this.step = null;
    this.render();
    const pg = this.pg;
    await pg.openDb({ name: pg.o.dbName });
    pg.setStatus(pg.db.persistent ? "Back to your database (kept in this browser)." : "Back to your database.");
  }
}
