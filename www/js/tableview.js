// @ts-check
// The table panel and the preview's data path: one table's rows now, or,
// while the timeline previews a time T, the database as of T: the tables
// that existed at T (the selector lists them; a table of T alone, dropped
// since or only in a future a backtrack abandoned, is shown from T), the
// selected table's rows of then merged with those of now and marked
// (rowmerge.js), a table that did not exist then said so, and an empty
// database before the first commit. Every read of a preview is at the time
// it shows (`readTime`, timeline.js), and a past state is cached per
// timeline entry in the caches of the database open now (`pg.opened`).

import { ident, literal } from "./db.js";
import { VirtualTable } from "./vtable.js";
import { mergeRows, diffMap, stepDiff, diffRows } from "./rowmerge.js";
import { readTime, percentiles } from "./timeline.js";
import { formatTime, parseTime } from "./time.js";
import { h } from "./dom.js";

/**
 * @typedef {import("./playground.js").Playground} Playground
 * @typedef {import("./playground.js").Opened} Opened
 * @typedef {import("./timeline.js").Entry} Entry
 * @typedef {import("./schematree.js").TableRef} TableRef
 * @typedef {import("./schematree.js").SchemaDb} SchemaDb
 * @typedef {{seq: number, columns: string[], rows: unknown[][], index: Map<string, number | number[]> | null, error?: any}} Current
 *   the selected table's rows now
 * @typedef {{table: string, back?: number, gone?: number, changed?: number, created?: boolean, dropped?: boolean}} Effect
 *   what backtracking to the previewed time does to the table on screen
 * @typedef {{key: number, table: TableRef | null, parts?: string, effect?: Effect | null}} Preview
 *   the preview on screen: the entry shown (`key`: its seq, -1 before the first), the table, its summary
 * @typedef {{key: string, at: string, map: import("./rowmerge.js").DiffMap}} DiffBase
 *   the differences between now and the time `at` last previewed, in a table (`key`: table, latest entry, time of now, columns now)
 * @typedef {import("./rowmerge.js").DiffRow[] & {columns?: string[]}} Diff
 */

/**
 * Whether a result's columns (absent: none reported) are `cols`, by name and order.
 * @param {string[] | undefined} columns
 * @param {string[]} cols
 */
function sameColumns(columns, cols) {
  return !!columns && columns.length === cols.length && columns.every((c, i) => c === cols[i]);
}

export class TableView {
  /** @param {Playground} pg */
  constructor(pg) {
    this.pg = pg;
    /** @type {TableRef | null} */
    this.selected = null;
    /** @type {{columns: any[], pk: number[]} | null} the selected table's columns and primary key */
    this.tableInfo = null;
    /** @type {Current | null} */
    this.current = null;
    /** @type {Preview | null} */
    this.preview = null;
    /** @type {number[]} preview frame times (ms) */
    this.frameTimes = [];
    /** whether the preview on screen was stepped from the one before (`diffTo`) */
    this.stepped = false;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.schemaTimer = undefined;

    this.select = h("select.rp-table-select", { "aria-label": "Table to show", on: { change: () => this.selectTable(this.select.value) } });
    this.title = h("h2", { text: "Table" });
    this.summary = h("p.rp-table-summary", { "aria-live": "polite" });
    this.legend = h(
      "p.rp-legend",
      { hidden: true },
      h("span.rp-legend-item.vt-then", {}, h("b", { text: "◂" }), " only then (gone now)"),
      h("span.rp-legend-item.vt-now", {}, h("b", { text: "▸" }), " only now (not there then)"),
      h("span.rp-legend-item.vt-changed", {}, h("b", { text: "~" }), " changed since"),
    );
    this.vt = new VirtualTable({ label: "Table rows", className: "rp-table-rows" });
    this.title.id = `${pg.id}-tt`;
    this.el = h(
      "section.rp-tablepanel",
      { "aria-labelledby": `${pg.id}-tt` },
      h("div.rp-table-head", {}, this.title, this.select),
      this.summary,
      this.legend,
      this.vt.el,
    );
  }

  /** Forgets the table shown (another database was opened). */
  reset() {
    this.current = null;
    this.selected = null;
    this.preview = null;
    clearTimeout(this.schemaTimer);
  }

  // ------------------------------------------------------------- now --

  /** @param {TableRef} sel */
  tableExists(sel) {
    return this.pg.schemaInfo.some((d) => d.name === sel.db && d.tables.some((t) => t.name === sel.table));
  }

  /** The table shown first: the preferred one, else the first base table, the database in use first. */
  defaultTable() {
    const pg = this.pg;
    const pref = pg.o.table;
    const dbs = pg.schemaInfo;
    const order = [...dbs.filter((d) => d.name === pg.curDb), ...dbs.filter((d) => d.name !== pg.curDb)];
    if (pref) {
      for (const d of order) for (const t of d.tables) if (t.name.toLowerCase() === pref.toLowerCase()) return { db: d.name, table: t.name };
    }
    for (const d of order) for (const t of d.tables) if (t.type === "BASE TABLE") return { db: d.name, table: t.name };
    return null;
  }

  /**
   * After the database changed: a table that is gone gives way to the
   * default one; the rows are read again when `changed`.
   * @param {boolean} changed
   */
  async refresh(changed) {
    if (!this.selected || !this.tableExists(this.selected)) {
      this.selected = this.defaultTable();
      this.tableInfo = null;
      this.current = null;
    }
    this.renderSelect();
    if (changed || !this.current) await this.loadCurrent();
    const pos = this.pg.scrubber.pos;
    if (pos !== null) await this.previewAt(pos);
    else this.showCurrent();
  }

  /**
   * Fills the table selector: the tables now, or those of the previewed time (`then`).
   * @param {TableRef[] | null} [then]
   */
  renderSelect(then = null) {
    const list = then ?? this.pg.schemaInfo.flatMap((d) => d.tables.map((t) => ({ db: d.name, table: t.name })));
    const sel = this.selected;
    const opts = list.map(({ db, table }) => {
      const v = `${db}.${table}`;
      return h("option", { value: v, text: v, selected: sel && sel.db === db && sel.table === table });
    });
    if (then && sel && !then.some((x) => x.db === sel.db && x.table === sel.table)) {
      // The table on screen exists now but not then: say so rather than show another name.
      const v = `${sel.db}.${sel.table}`;
      opts.unshift(h("option", { value: v, text: `${v} (not there then)`, selected: true }));
    }
    if (!opts.length) opts.push(h("option", { value: "", text: then ? "no tables then" : "no tables yet" }));
    this.select.replaceChildren(...opts);
    this.select.disabled = !this.selected;
    this.title.textContent = this.selected ? this.selected.table : "No table";
  }

  /** @param {string} value "db.table" */
  async selectTable(value) {
    if (!value) return;
    const i = value.indexOf(".");
    this.selected = { db: value.slice(0, i), table: value.slice(i + 1) };
    this.current = null;
    this.tableInfo = null;
    if (!this.pg.schema.shownAt) this.pg.renderSchema();
    this.renderSelect();
    await this.loadCurrent();
    const pos = this.pg.scrubber.pos;
    if (pos !== null) await this.previewAt(pos, true);
    else this.showCurrent();
  }

  /** Loads the selected table's current rows (kept in memory for previews). */
  async loadCurrent() {
    const sel = this.selected;
    const pg = this.pg;
    if (!sel) {
      this.current = null;
      return;
    }
    try {
      if (!this.tableInfo) this.tableInfo = await pg.db.describe(sel.db, sel.table);
      const r = await pg.db.tableRows(sel.db, sel.table);
      if (this.selected !== sel) return;
      this.current = { seq: pg.latestSeq, columns: r.columns, rows: r.rows, index: null };
    } catch (e) {
      this.current = { seq: pg.latestSeq, columns: [], rows: [], index: null, error: e };
    }
    this.preview = null;
  }

  showCurrent() {
    this.legend.hidden = true;
    this.vt.el.classList.remove("vt-previewing");
    const c = this.current;
    if (!this.selected || !c) {
      this.vt.setData({ columns: [], count: 0, rowAt: () => null });
      this.summary.textContent = "Create a table to see its rows here.";
      return;
    }
    if (c.error) {
      this.summary.textContent = `Cannot read ${this.selected.table}: ${c.error.message}`;
      this.vt.setData({ columns: [], count: 0, rowAt: () => null });
      return;
    }
    this.vt.setLabel(`Rows of ${this.selected.db}.${this.selected.table}, now`);
    this.vt.setData({ columns: c.columns, count: c.rows.length, rowAt: (i) => ({ values: c.rows[i] }), emptyText: "The table is empty." });
    this.summary.textContent = `${c.rows.length} row${c.rows.length === 1 ? "" : "s"} now`;
  }

  // --------------------------------------------------------- preview --

  /**
   * The time a preview of `us` shows and reads (timeline.js `readTime`,
   * with the entry current at `us` and the earliest reachable time).
   * @param {number} us
   */
  readTime(us) {
    const pg = this.pg;
    return readTime(us, pg.scrubber.entryAt(us), parseTime(pg.statusInfo?.earliest ?? ""));
  }

  /**
   * Shows the selected table as of `us` (null: now), read-only, with the differences from now marked.
   * @param {number | null} us
   * @param {boolean} [force] read again even when the same entry and table are shown
   */
  async previewAt(us, force = false) {
    const t0 = performance.now();
    const pg = this.pg;
    const previewing = us !== null;
    pg.showPreviewing(previewing);
    if (us === null) {
      if (pg.schema.shownAt) pg.renderSchema();
      if (this.preview) {
        this.preview = null;
        if (this.selected && !this.tableExists(this.selected)) {
          // A table picked while previewing that does not exist now.
          this.selected = this.defaultTable();
          this.tableInfo = null;
          await this.loadCurrent();
        }
        this.renderSelect();
        this.showCurrent();
      }
      return;
    }
    const entry = pg.scrubber.entryAt(us);
    const latest = pg.entries.at(-1);
    // Every read of the preview is at the time it shows.
    const shownUs = this.readTime(us);
    const at = formatTime(shownUs);
    this.showSchemaAt(entry, latest, at);
    pg.previewLabel.textContent = `Preview as of ${at} (read-only)`;
    const key = entry ? entry.seq : -1;
    if (!force && this.preview && this.preview.key === key && this.preview.table === this.selected) {
      if (this.preview.parts) this.summary.textContent = `As of ${at}: ${this.preview.parts}`;
      return;
    }
    /** @type {Preview} */
    let preview = { key, table: this.selected };
    this.preview = preview;
    // The table selector lists the tables of T while previewing. With a
    // table that exists now, the list is read once the handle rests on T
    // (a drag does not pay for it); without one, a table of T is picked and
    // shown from T alone (dropped since, or only in a future a backtrack
    // abandoned).
    /** @type {TableRef[]} */
    let then = [];
    if (entry && this.selected && this.current && !this.current.error) {
      setTimeout(async () => {
        if (this.preview !== preview) return;
        const list = await this.tablesAt(entry, at);
        if (this.preview === preview) this.renderSelect(list);
      }, 200);
    } else if (entry) {
      then = await this.tablesAt(entry, at);
      if (this.preview !== preview || preview.table !== this.selected) return;
      /** @param {TableRef | null} s */
      const has = (s) => s && then.some((x) => x.db === s.db && x.table === s.table);
      if (!has(this.selected)) {
        const pick = this.pickTable(then);
        if (pick) {
          this.selected = pick;
          preview.table = pick;
          this.tableInfo = null;
          this.current = null;
        }
      }
      this.renderSelect(then);
      if (this.selected && has(this.selected) && !this.tableExists(this.selected)) {
        await this.previewThenOnly(shownUs, t0);
        return;
      }
      if (has(this.selected) && !this.current) {
        // A table of then that exists now too: compare as usual.
        await this.loadCurrent();
        if (pg.scrubber.pos === null || this.preview !== null) return; // another preview since
        preview = { key, table: this.selected };
        this.preview = preview;
      }
    } else {
      this.renderSelect([]);
    }
    if (!entry) {
      // Before the first commit nothing existed: the database was empty.
      this.legend.hidden = true;
      this.vt.el.classList.add("vt-previewing");
      this.vt.setLabel(`Database as of ${at}`);
      this.vt.setData({ columns: [], count: 0, rowAt: () => null, emptyText: "The database was empty then." });
      this.title.textContent = "No tables then";
      preview.parts = "before the first commit, the database was empty.";
      this.summary.textContent = `As of ${at}: ${preview.parts}`;
      this.recordFrame(t0);
      return;
    }
    const sel = this.selected;
    const current = this.current;
    if (!sel || !current || current.error || !latest) {
      this.legend.hidden = true;
      if (!then.length) this.title.textContent = "No tables then";
      this.summary.textContent = then.length ? "No table selected." : `As of ${at}: no tables existed then.`;
      if (!then.length) this.vt.setData({ columns: [], count: 0, rowAt: () => null, emptyText: "No tables then." });
      return;
    }
    if (entry === latest || entry.us === latest.us) {
      // Same state as now.
      this.showCurrent();
      this.legend.hidden = false;
      preview.parts = "same as now.";
      this.summary.textContent = `As of ${at}: same as now.`;
      this.recordFrame(t0);
      return;
    }
    let diff;
    try {
      diff = await this.diffTo(sel, latest, at, pg.scrubber.dragging || pg.scrubber.playing !== null);
    } catch (e) {
      this.notReadable(at, e, current.columns);
      return;
    }
    if (this.preview !== preview || this.selected !== preview.table) return;
    const cols = current.columns;
    if (diff.columns && !sameColumns(diff.columns, cols)) {
      // The columns changed since T: rows of then and now do not line up,
      // so the table is shown as it was, with its columns of then.
      await this.previewThenOnly(shownUs, t0, false);
      return;
    }
    this.showMerged(preview, sel, current, diff, shownUs);
    this.recordFrame(t0);
  }

  /**
   * The differences between now and `at` in `sel` (reeldb_diff from now to
   * `at`). While the handle moves (a drag or playback: `moving`), on a table
   * with a primary key, they are stepped from those of the previous preview
   * (rowmerge.js `stepDiff`): each frame then costs what changed between the
   * two times, not everything that changed since `at`. A stepped preview
   * pairs rows by their key's values; reeldb_diff also tells a table dropped
   * and created again from the same table, and pairs keys as the collation
   * compares them. So the preview the handle comes to rest on is read whole
   * (`settle`), and is exactly reeldb_diff's.
   * @param {TableRef} sel
   * @param {Entry} latest
   * @param {string} at
   * @param {boolean} moving
   * @returns {Promise<Diff>}
   */
  async diffTo(sel, latest, at, moving) {
    const opened = this.pg.opened;
    const pk = this.tableInfo?.pk ?? [];
    const cols = this.current?.columns ?? [];
    const now = formatTime(this.readTime(latest.us));
    const key = JSON.stringify([sel.db, sel.table, latest.seq, now, cols]);
    const base = opened.diffBase;
    if (moving && pk.length && base && base.key === key) {
      const step = await opened.db.diff(sel.db, sel.table, base.at, at);
      if (sameColumns(step.columns, cols)) {
        const map = stepDiff(base.map, step, pk);
        opened.diffBase = { key, at, map };
        /** @type {Diff} */
        const rows = diffRows(map);
        rows.columns = cols;
        this.stepped = true;
        return rows;
      }
    }
    const diff = await opened.db.diff(sel.db, sel.table, now, at);
    opened.diffBase = pk.length && sameColumns(diff.columns, cols) ? { key, at, map: diffMap(diff, pk) } : null;
    this.stepped = false;
    return diff;
  }

  /**
   * The handle came to rest at `us` (a drag or playback ended): a stepped
   * preview is read again whole (`diffTo`).
   * @param {number | null} us
   */
  settle(us) {
    if (us !== null && this.stepped && this.preview) this.previewAt(us, true);
  }

  /**
   * The base tables of `entry`'s state, read at `at` (engine text, a time
   * whose state is `entry`'s); cached per entry, since a past state never
   * changes; [] when unreadable (not cached).
   * @param {Entry} entry
   * @param {string} at
   * @param {Opened} [opened] the database to read (the one open now)
   * @returns {Promise<TableRef[]>}
   */
  async tablesAt(entry, at, opened = this.pg.opened) {
    let list = opened.tables.get(entry.seq);
    if (!list) {
      list = await opened.db.tablesAt(at).catch(() => null);
      if (!list) return [];
      opened.tables.set(entry.seq, list);
    }
    return list;
  }

  /**
   * The schema tree while previewing: the databases and tables of `entry`'s
   * state (empty before the first commit), now's when it is the latest
   * state. Read once the handle rests (a drag does not pay for it), and
   * cached per entry (a past state never changes).
   * @param {Entry | null} entry
   * @param {Entry | undefined} latest
   * @param {string} at the time shown (engine text)
   */
  showSchemaAt(entry, latest, at) {
    const pg = this.pg;
    const tree = pg.schema;
    if (!tree.el.isConnected) return;
    clearTimeout(this.schemaTimer);
    if (entry && latest && entry.us >= latest.us) {
      if (tree.shownAt) pg.renderSchema();
      return;
    }
    const opened = pg.opened;
    const cached = entry ? opened.schemas.get(entry.seq) : [];
    if (cached) {
      // A drag over one state (or back to one) does not rebuild the tree.
      const key = `${entry?.seq}|${this.selected?.db}.${this.selected?.table}`;
      if (tree.shownAt && tree.key === key) return;
      pg.renderSchema(cached, at);
      tree.key = key;
      return;
    }
    if (!entry) return;
    this.schemaTimer = setTimeout(async () => {
      const info = await this.schemaAt(entry, at, opened).catch(() => null);
      if (!info) return;
      opened.schemas.set(entry.seq, info);
      if (opened === pg.opened && pg.scrubber.pos !== null && pg.scrubber.entryAt(pg.scrubber.pos) === entry) pg.renderSchema(info, at);
    }, 150);
  }

  /**
   * The databases and tables of `entry`'s state, read at `time` (tables of then, columns by name).
   * @param {Entry} entry
   * @param {string} time
   * @param {Opened} opened
   * @returns {Promise<SchemaDb[]>}
   */
  async schemaAt(entry, time, opened) {
    const at = literal(time);
    const dbs = await opened.db.query(`SELECT schema_name FROM information_schema.schemata FOR SYSTEM_TIME AS OF TIMESTAMP ${at}`);
    /** @type {SchemaDb[]} */
    const out = dbs.rows
      .map(([name]) => String(name))
      .filter((name) => name.toLowerCase() !== "information_schema")
      .sort()
      .map((name) => ({ name, tables: [] }));
    for (const { db, table } of await this.tablesAt(entry, time, opened)) {
      const d = out.find((x) => x.name === db);
      if (!d) continue;
      const r = await opened.db.query(`SELECT * FROM ${ident(db)}.${ident(table)} FOR SYSTEM_TIME AS OF TIMESTAMP ${at} LIMIT 0`);
      d.tables.push({ name: table, type: "BASE TABLE", columns: r.columns.map((name) => ({ name, type: "", key: "" })) });
    }
    for (const d of out) d.tables.sort((a, b) => (a.name < b.name ? -1 : 1));
    return out;
  }

  /**
   * The table to preview among `list`: the preferred one, else one in the database in use, else the first.
   * @param {TableRef[]} list
   */
  pickTable(list) {
    const pref = this.pg.o.table?.toLowerCase();
    return (pref && list.find((x) => x.table.toLowerCase() === pref)) ?? list.find((x) => x.db === this.pg.curDb) ?? list[0] ?? null;
  }

  /**
   * Says that the state at `at` cannot be read, and why. A time that has
   * fallen out of the backtrack window since the axis was drawn (the
   * earliest reachable time moves with the clock) refreshes the axis, so
   * its left edge is the earliest reachable time again.
   * @param {string} at
   * @param {any} e
   * @param {string[]} columns
   */
  notReadable(at, e, columns) {
    this.summary.textContent = `As of ${at}: ${e.message}`;
    this.vt.setData({ columns, count: 0, rowAt: () => null, marks: columns.length > 0, emptyText: "Not readable at this time." });
    if (e.code === "BEFORE_EARLIEST" || e.code === "ER_BACKTRACK_WINDOW") {
      this.pg.refresh().catch(() => {});
    }
  }

  /**
   * Shows the selected table as it was at `shownUs`, with its columns of
   * then: when it does not exist now (`gone`: every row "only then"), or
   * when its columns changed since (no row marks: rows of then and now do
   * not line up).
   * @param {number} shownUs
   * @param {number} t0 when the preview started (performance.now())
   * @param {boolean} [gone]
   */
  async previewThenOnly(shownUs, t0, gone = true) {
    const sel = /** @type {TableRef} */ (this.selected);
    const preview = /** @type {Preview} */ (this.preview);
    const at = formatTime(shownUs);
    let r;
    try {
      r = await this.pg.db.tableRows(sel.db, sel.table, at);
    } catch (e) {
      this.notReadable(at, e, []);
      return;
    }
    if (this.preview !== preview || this.selected !== sel) return;
    const n = r.rows.length;
    const rows = `${n} row${n === 1 ? "" : "s"}`;
    this.legend.hidden = !gone;
    this.vt.el.classList.add("vt-previewing");
    this.vt.setLabel(`Rows of ${sel.db}.${sel.table} as of ${at}${gone ? ", compared with now" : ""}`);
    this.vt.setData({ columns: r.columns, count: n, rowAt: (i) => ({ values: r.rows[i], mark: gone ? "then" : "" }), marks: gone, emptyText: "No rows at this time." });
    if (gone) preview.effect = { table: sel.table, back: n, gone: 0, changed: 0, created: true };
    preview.parts = gone
      ? `${rows}, all only then: the table ${sel.table} does not exist now.`
      : `${rows}, with the columns of then (${r.columns.join(", ")}): they changed since, so rows are not compared with now.`;
    this.summary.textContent = `As of ${at}: ${preview.parts}`;
    this.recordFrame(t0);
  }

  /**
   * Shows the rows of now merged with the differences to the previewed time.
   * @param {Preview} preview
   * @param {TableRef} sel
   * @param {Current} current
   * @param {import("./rowmerge.js").DiffRow[]} diff
   * @param {number} shownUs
   */
  showMerged(preview, sel, current, diff, shownUs) {
    const at = formatTime(shownUs);
    const m = mergeRows(current, this.tableInfo?.pk ?? [], diff);
    this.legend.hidden = false;
    this.vt.el.classList.add("vt-previewing");
    this.vt.setLabel(`Rows of ${sel.db}.${sel.table} as of ${at}, compared with now`);
    this.vt.setData({ columns: current.columns, count: m.count, rowAt: m.rowAt, marks: true, emptyText: "No rows at this time." });
    const parts = `${m.then} only then, ${m.now} only now, ${m.changed} changed`;
    const shown = m.count - m.now;
    preview.parts = `${shown} row${shown === 1 ? "" : "s"} (${parts}).`;
    preview.effect = { table: sel.table, back: m.then, gone: m.now, changed: m.changed };
    this.summary.textContent = `As of ${at}: ${preview.parts}`;
    if (m.now === current.rows.length && m.then === 0) this.checkExisted(shownUs);
  }

  /**
   * Says so when the selected table did not exist at the previewed time.
   * @param {number} us
   */
  async checkExisted(us) {
    const preview = this.preview;
    const sel = this.selected;
    if (!preview || !sel) return;
    const at = formatTime(us);
    try {
      await this.pg.db.query(`SELECT * FROM ${ident(sel.db)}.${ident(sel.table)} FOR SYSTEM_TIME AS OF TIMESTAMP ${literal(at)} LIMIT 0`);
    } catch (e) {
      if (this.preview !== preview) return;
      const absent = e.code === "ER_NO_SUCH_TABLE" || e.code === "ER_BAD_DB_ERROR";
      preview.parts = absent ? `the table ${sel.table} did not exist then.` : `${e.message} (${e.code}).`;
      preview.effect = absent ? { table: sel.table, dropped: true } : null;
      this.summary.textContent = `As of ${at}: ${preview.parts}`;
      this.legend.hidden = true;
      this.vt.setData({ columns: [], count: 0, rowAt: () => null, emptyText: absent ? `${sel.table} did not exist at ${at}.` : "Not readable at this time." });
    }
  }

  /** @param {number} t0 */
  recordFrame(t0) {
    // Measured up to the next paint: query, merge and DOM update.
    requestAnimationFrame(() => {
      this.frameTimes.push(performance.now() - t0);
      if (this.frameTimes.length > 5000) this.frameTimes.shift();
    });
  }

  /** p50/p95 of preview frames so far (ms). */
  frameStats() {
    return percentiles(this.frameTimes);
  }
}
