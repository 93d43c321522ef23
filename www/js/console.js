// @ts-check
// The playground's SQL console: the editor, the Run button, the statement
// history picker and the results. A script runs statement by statement
// (sqlsplit.js), each result shown as a table with its row count and time,
// and stops at the first error, which is shown with its code and marked in
// the editor. Scripts run one after the other: a run waits for the one
// before it.

import { coded } from "./db.js";
import { createEditor } from "./editor.js";
import { VirtualTable } from "./vtable.js";
import { StatementHistory } from "./history.js";
import { splitStatements, firstKeyword, isReadOnlyStatement } from "./sqlsplit.js";
import { parseTime, clockPart } from "./time.js";
import { h, nextFrame } from "./dom.js";

/** @typedef {import("./playground.js").Playground} Playground */
/** @typedef {{sql: string, from: number, to: number}} Stmt a statement and its offsets in the editor */

/** The page's localStorage, or null where the browser refuses it (a sandboxed frame, blocked storage). */
function browserStorage() {
  try {
    return localStorage;
  } catch {
    return null;
  }
}

export class SqlConsole {
  /**
   * @param {Playground} pg the playground the console runs in (its database, timeline and status)
   * @param {HTMLElement} tutorialCard shown above the editor
   */
  constructor(pg, tutorialCard) {
    this.pg = pg;
    this.history = new StatementHistory(browserStorage(), { keep: pg.o.mode === "page" });
    /** @type {Promise<unknown>} the statements running now; the next run waits for them */
    this.busy = Promise.resolve();
    this.editorHost = h("div.rp-editor", {});
    this.runButton = h("button.rp-btn.rp-primary", { type: "button", text: "Run", "aria-keyshortcuts": "Control+Enter Meta+Enter", on: { click: () => this.runEditor() } });
    this.historySelect = h("select.rp-history", { "aria-label": "Statement history", on: { change: () => this.pickHistory() } });
    this.results = h("div.rp-results", { "aria-label": "Results", role: "region", "aria-live": "polite" });
    const bar = h(
      "div.rp-console-bar",
      {},
      this.runButton,
      h("span.rp-hint", { text: "Ctrl/⌘+Enter runs · Ctrl/⌘+↑↓ history" }),
      h("span.rp-grow"),
      this.historySelect,
    );
    this.el = h("section.rp-console", { "aria-label": "SQL console" }, tutorialCard, h("h2.rp-sr", { text: "SQL console" }), this.editorHost, bar, this.results);
    /** @type {any} the CodeMirror editor (editor.js), made by `mountEditor` once the console is in the page */
    this.editor = null;
  }

  /** Creates the editor (the console is in the document by now). */
  mountEditor() {
    this.editor = createEditor(this.editorHost, {
      label: "SQL",
      doc: "",
      placeholder: this.pg.o.readOnly ? "Read-only: SELECT, SHOW, DESCRIBE…" : "SELECT … — Ctrl+Enter to run",
      onRun: () => this.runEditor(),
      onHistory: (/** @type {number} */ dir) => this.history.step(dir),
    });
    this.renderHistory();
  }

  async runEditor() {
    const text = this.editor.value;
    if (!text.trim()) return;
    this.history.push(text);
    this.renderHistory();
    await this.runScript(text, { base: 0, fromEditor: true });
  }

  /**
   * Runs statements one by one, shows each result, stops at the first
   * error; resolves to whether every statement ran.
   * @param {string} text
   * @param {{base?: number, fromEditor?: boolean}} [options] `fromEditor`: errors are marked in the editor, at offset `base`
   * @returns {Promise<boolean>}
   */
  async runScript(text, { base = 0, fromEditor = false } = {}) {
    const pg = this.pg;
    /** @param {Stmt} st */
    const at = (st) => (fromEditor ? { ...st, from: st.from + base, to: st.to + base } : null);
    const run = async () => {
      pg.scrubber.stop();
      if (pg.scrubber.pos !== null) pg.scrubber.setPos(null, true);
      this.editor.markError(null);
      const stmts = splitStatements(text);
      this.results.replaceChildren();
      this.runButton.disabled = true;
      let ok = true;
      let backtracked = null;
      try {
        for (const st of stmts) {
          if (pg.o.readOnly && !isReadOnlyStatement(st.sql)) {
            const e = coded("READ_ONLY", "This playground is read-only: only SELECT, SHOW and DESCRIBE run here.");
            this.showError(e, at(st), st.sql);
            ok = false;
            break;
          }
          const isBacktrack = firstKeyword(st.sql) === "BACKTRACK";
          if (isBacktrack) {
            const st0 = await pg.db.status().catch(() => null);
            pg.setStatus("Backtracking...", "busy", st0 ? clockPart(parseTime(st0.now)) : "");
            await nextFrame();
          }
          const t0 = performance.now();
          let res;
          try {
            res = await pg.db.exec(st.sql);
          } catch (e) {
            const ms = performance.now() - t0;
            this.showError(e, at(st), st.sql, ms);
            if (isBacktrack) pg.setStatus(`Backtrack failed: ${e.message}`, "error");
            ok = false;
            break;
          }
          const ms = performance.now() - t0;
          pg.sessionLog.push(st.sql.endsWith(";") ? st.sql : `${st.sql};`);
          for (const r of res) this.showResult(st.sql, r, ms);
          if (isBacktrack) backtracked = (await pg.db.backtracks()).at(-1);
        }
        await pg.refresh();
        if (backtracked) pg.completedMessage(backtracked);
        else if (ok && pg.statusMsg.dataset.kind === "error") {
          // An earlier failure (e.g. "Backtrack failed") is no longer the news.
          pg.setStatus(`Ran ${stmts.length} statement${stmts.length === 1 ? "" : "s"}.`);
        }
      } finally {
        this.runButton.disabled = false;
      }
      pg.db.emit({ local: true });
      return ok;
    };
    const p = this.busy.then(run, run);
    this.busy = p.catch(() => {});
    return p;
  }

  /**
   * @param {string} sql
   * @param {{columns?: string[], rows?: unknown[][], affected?: number}} r
   * @param {number} ms
   */
  showResult(sql, r, ms) {
    const head = h("div.rp-result-head", {}, h("code.rp-result-sql", { text: sql.length > 160 ? `${sql.slice(0, 157)}…` : sql }));
    const section = h("section.rp-result", { "aria-label": `Result of ${sql.slice(0, 60)}` }, head);
    const time = `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
    if (r.columns) {
      const rows = r.rows ?? [];
      const n = rows.length;
      head.append(h("span.rp-result-meta", { text: `${n} row${n === 1 ? "" : "s"} · ${time}` }));
      const vt = new VirtualTable({ label: `Result: ${sql.slice(0, 80)}`, className: "rp-result-table" });
      vt.el.style.setProperty("--vis-rows", String(Math.min(Math.max(n, 1), 12)));
      section.append(vt.el);
      this.results.append(section);
      vt.setData({ columns: r.columns, count: n, rowAt: (i) => ({ values: rows[i] }), emptyText: "Empty set." });
    } else {
      head.append(h("span.rp-result-meta", { text: `${r.affected} row${r.affected === 1 ? "" : "s"} affected · ${time}` }));
      this.results.append(section);
    }
  }

  /**
   * Shows an error with its code; with `st`, marks where it is in the editor.
   * @param {any} e
   * @param {Stmt | null} st
   * @param {string} [sql]
   * @param {number | null} [ms]
   */
  showError(e, st, sql = "", ms = null) {
    const code = e.code ?? "ERROR";
    let where = "";
    // "at line 3, column 7" (ReelDB's parse errors)
    const m = /\bline:? (\d+), column:? (\d+)/i.exec(e.message ?? "");
    if (st) {
      const doc = this.editor.view.state.doc;
      if (m) {
        const off = this.editor.offsetOf(st.from, +m[1], +m[2]);
        this.editor.markError({ from: off, to: off + 1 });
        where = `line ${doc.lineAt(off).number}, column ${off - doc.lineAt(off).from + 1}`;
      } else {
        this.editor.markError({ from: st.from, to: st.to });
        where = `statement at line ${doc.lineAt(st.from).number}`;
      }
    }
    const box = h(
      "div.rp-error",
      { role: "alert" },
      h("strong.rp-error-code", { text: code }),
      where ? h("span.rp-error-where", { text: ` at ${where}` }) : null,
      h("p.rp-error-msg", { text: e.message ?? String(e) }),
      sql ? h("code.rp-result-sql", { text: sql.length > 200 ? `${sql.slice(0, 197)}…` : sql }) : null,
      ms !== null ? h("span.rp-result-meta", { text: ` · ${ms.toFixed(2)} ms` }) : null,
    );
    this.results.append(box);
  }

  renderHistory() {
    const opts = [h("option", { value: "", text: `History (${this.history.list.length})` })];
    for (const { index, label } of this.history.options()) opts.push(h("option", { value: String(index), text: label }));
    this.historySelect.replaceChildren(...opts);
  }

  pickHistory() {
    const i = Number(this.historySelect.value);
    const text = this.history.list[i];
    if (this.historySelect.value !== "" && text !== undefined) {
      this.editor.value = text;
      this.editor.focus();
    }
    this.historySelect.value = "";
  }
}
