// The playground: SQL console, schema and table panel, timeline scrubber with
// live read-only previews, backtrack with confirmation, status bar, backtrack
// log, guided tutorial, export/import/share. One instance per page
// (mode "page") or per <reel-playground> element (mode "embed"), each with
// its own database.
//
// Everything the database says is written with textContent; the page never
// builds HTML from strings.

import { PlaygroundDb, coded, ident, literal } from "./db.js";
import { createEditor } from "./editor.js";
import { VirtualTable, cellText } from "./vtable.js";
import { Scrubber } from "./scrubber.js";
import { TUTORIAL } from "./tutorial.js";
import { momentLink, readMoment, openMoment } from "./share.js";
import { splitStatements, firstKeyword, isReadOnlyStatement } from "./sqlsplit.js";
import { parseTime, formatTime, clockPart, formatSpan, formatBytes } from "./time.js";

let instances = 0;

/** Creates an element: h("button.primary", {type: "button"}, "Run"). */
function h(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split(".");
  const e = document.createElement(tag || "div");
  if (classes.length) e.className = classes.join(" ");
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "on") for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
    else if (k === "text") e.textContent = v;
    else if (k in e && typeof v !== "string") e[k] = v;
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

const nextFrame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));

function keyOf(values, pk) {
  if (!pk.length) return JSON.stringify(values);
  if (pk.length === 1) {
    const v = values[pk[0]];
    return typeof v === "number" ? `n${v}` : `s${v}`;
  }
  return JSON.stringify(pk.map((i) => values[i]));
}

function cmpValue(a, b) {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : 1;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function cmpPk(a, b, pk) {
  for (const i of pk) {
    const c = cmpValue(a[i], b[i]);
    if (c) return c;
  }
  return 0;
}

function fromBase64Url(b64) {
  const s = atob(b64.replaceAll("-", "+").replaceAll("_", "/"));
  return new TextDecoder().decode(Uint8Array.from(s, (c) => c.charCodeAt(0)));
}

/** The export's file name at epoch milliseconds `ms`: `reeldb-YYYY-MM-DD-HH-MM-SS.sql` (UTC, whole seconds). */
export function exportFileName(ms) {
  return `reeldb-${formatTime(Math.floor(ms / 1000) * 1e6).replace(/[: ]/g, "-")}.sql`;
}

/** The SQL of an older `#sql=` share link (a script, no moment), or null; links to a moment are share.js's `#reel=`. */
export function sharedScriptFromHash(hash = location.hash) {
  const m = /^#sql=([A-Za-z0-9_-]+)$/.exec(hash);
  if (!m) return null;
  try {
    return fromBase64Url(m[1]);
  } catch {
    return null;
  }
}

export class Playground {
  /**
   * @param {HTMLElement} root
   * @param {{mode?: "page"|"embed", dbName?: string, setupSql?: string, readOnly?: boolean,
   *   initialTime?: string, table?: string, label?: string, pkgUrl?: string, windowSecs?: number,
   *   height?: string, shareTarget?: string}} options
   */
  constructor(root, options = {}) {
    this.root = root;
    this.o = { mode: "page", ...options };
    this.id = `pg${++instances}`;
    this.db = null;
    /**
     * The database open now and what was read from it (the tables and the
     * schema of past states, by entry). A new object per open: a read that
     * started on a database opened before lands in that one's caches, never
     * in these.
     * @type {{db: PlaygroundDb, tables: Map<number, {db: string, table: string}[]>, schemas: Map<number, any[]>} | null}
     */
    this.opened = null;
    this.entries = [];
    this.backtrackLog = [];
    this.restorePoints = [];
    this.statusInfo = null;
    this.latestSeq = -1;
    this.schemaInfo = [];
    this.selected = null; // {db, table}
    this.tableInfo = null; // {columns, pk}
    this.current = null; // {seq, columns, rows, index: Map|null}
    this.preview = null; // {us, seq, ...}
    this.sessionLog = [];
    this.history = this.loadHistory();
    this.historyPos = null;
    this.tutorialStep = null;
    this.frameTimes = [];
    /** @type {Promise<unknown>} the statements running now; the next run waits for them */
    this.busy = Promise.resolve();
    this.build();
  }

  // ------------------------------------------------------------- layout --

  build() {
    const page = this.o.mode === "page";
    const label = this.o.label ?? "ReelDB playground";
    this.root.classList.add("rp", page ? "rp-page" : "rp-embed");
    if (this.o.readOnly) this.root.classList.add("rp-readonly");

    // Status bar (top).
    this.statusMsg = h("p.rp-status-msg", { role: "status", "aria-live": "polite", "aria-atomic": "true" });
    this.statusTime = h("time.rp-status-time");
    this.statusText = h("span.rp-status-text", { text: "Loading ReelDB…" });
    this.statusMsg.append(this.statusTime, this.statusText);
    this.stats = h("dl.rp-stats", { "aria-label": "Backtrack window" });
    this.storage = h("span.rp-storage");
    const logButton = h("button.rp-btn", { type: "button", text: "Backtrack log", on: { click: () => this.showLog() } });
    const tools = h("div.rp-tools");
    if (page) {
      this.version = h("span.rp-version", { "data-state": "loading", text: "loading…" });
      // The first playground on a page names its version output (ids are unique).
      if (!document.getElementById("version")) this.version.id = "version";
      const brand = h("div.rp-brand", {}, h("img.rp-logo", { src: "favicon.svg", alt: "", width: "22", height: "22" }), h("h1", { text: "ReelDB" }), this.version);
      this.tutorialButton = h("button.rp-btn.rp-accent", { type: "button", text: "Rewind the accident", on: { click: () => this.startTutorial() } });
      this.fileInput = h("input.rp-file", { type: "file", accept: ".sql,text/plain", "aria-label": "Import a SQL file", on: { change: () => this.importFile() } });
      this.imageInput = h("input.rp-file", { type: "file", accept: ".reeldb", "aria-label": "Open a .reeldb file", on: { change: () => this.openImageFile() } });
      tools.append(
        this.tutorialButton,
        h("button.rp-btn", { type: "button", text: "Export", on: { click: () => this.exportFile() } }),
        h("button.rp-btn", { type: "button", text: "Import", on: { click: () => this.fileInput.click() } }),
        this.fileInput,
        h("button.rp-btn", { type: "button", text: "Open file…", on: { click: () => this.imageInput.click() } }),
        this.imageInput,
        h("button.rp-btn", { type: "button", text: "Share link", on: { click: () => this.share() } }),
        logButton,
      );
      this.statusBar = h("header.rp-statusbar", {}, brand, this.statusMsg, this.stats, this.storage, tools);
    } else {
      tools.append(
        h("button.rp-btn", { type: "button", text: "Reset", on: { click: () => this.reset() } }),
        h("button.rp-btn", { type: "button", text: "Export", on: { click: () => this.exportFile() } }),
        h("button.rp-btn", { type: "button", text: "Share", on: { click: () => this.share() } }),
        logButton,
      );
      this.statusBar = h("div.rp-statusbar", {}, this.statusMsg, this.stats, tools);
    }

    // Timeline.
    this.scrubber = new Scrubber({
      label: "Timeline",
      onPreview: (us) => this.previewAt(us),
      onCommit: (us) => this.askBacktrack(us),
    });
    this.playButton = h("button.rp-btn", { type: "button", "aria-pressed": "false", text: "Play", on: { click: () => this.togglePlay() } });
    this.backtrackButton = h("button.rp-btn.rp-danger", { type: "button", text: "Backtrack", disabled: true, on: { click: () => this.scrubber.pos !== null && this.askBacktrack(this.scrubber.pos) } });
    this.nowButton = h("button.rp-btn", { type: "button", text: "Back to now", disabled: true, on: { click: () => this.scrubber.setPos(null, true) } });
    this.previewLabel = h("output.rp-preview-label", { text: "Now" });
    const timeline = h(
      "section.rp-timeline",
      {
        "aria-label": "Timeline",
        on: {
          // Escape anywhere in the timeline (the slider handles its own) returns to now.
          keydown: (e) => {
            if (e.key !== "Escape" || e.defaultPrevented || this.scrubber.pos === null) return;
            e.preventDefault();
            this.scrubber.setPos(null, true);
          },
        },
      },
      h(
        "div.rp-timeline-bar",
        {},
        h("h2", { text: "Timeline" }),
        h("button.rp-btn.rp-icon", { type: "button", "aria-label": "Step back one commit", text: "◀", on: { click: () => this.scrubber.step(-1) } }),
        this.playButton,
        h("button.rp-btn.rp-icon", { type: "button", "aria-label": "Step forward one commit", text: "▶", on: { click: () => this.scrubber.step(1) } }),
        this.scrubber.modeButton,
        this.previewLabel,
        h("span.rp-grow"),
        this.nowButton,
        this.backtrackButton,
      ),
      this.scrubber.el,
    );

    // Console.
    this.editorHost = h("div.rp-editor", {});
    this.runButton = h("button.rp-btn.rp-primary", { type: "button", text: "Run", "aria-keyshortcuts": "Control+Enter Meta+Enter", on: { click: () => this.runEditor() } });
    this.historySelect = h("select.rp-history", { "aria-label": "Statement history", on: { change: () => this.pickHistory() } });
    this.results = h("div.rp-results", { "aria-label": "Results", role: "region", "aria-live": "polite" });
    this.tutorialCard = h("section.rp-tutorial", { "aria-label": "Rewind the accident tutorial", hidden: true });
    const consoleBar = h(
      "div.rp-console-bar",
      {},
      this.runButton,
      h("span.rp-hint", { text: "Ctrl/⌘+Enter runs · Ctrl/⌘+↑↓ history" }),
      h("span.rp-grow"),
      this.historySelect,
    );
    this.console = h("section.rp-console", { "aria-label": "SQL console" }, this.tutorialCard, h("h2.rp-sr", { text: "SQL console" }), this.editorHost, consoleBar, this.results);

    // Table panel.
    this.tableSelect = h("select.rp-table-select", { "aria-label": "Table to show", on: { change: () => this.selectTable(this.tableSelect.value) } });
    this.tableTitle = h("h2", { text: "Table" });
    this.tableSummary = h("p.rp-table-summary", { "aria-live": "polite" });
    this.legend = h(
      "p.rp-legend",
      { hidden: true },
      h("span.rp-legend-item.vt-then", {}, h("b", { text: "◂" }), " only then (gone now)"),
      h("span.rp-legend-item.vt-now", {}, h("b", { text: "▸" }), " only now (not there then)"),
      h("span.rp-legend-item.vt-changed", {}, h("b", { text: "~" }), " changed since"),
    );
    this.vt = new VirtualTable({ label: "Table rows", className: "rp-table-rows" });
    this.tablePanel = h(
      "section.rp-tablepanel",
      { "aria-labelledby": `${this.id}-tt` },
      h("div.rp-table-head", {}, this.tableTitle, this.tableSelect),
      this.tableSummary,
      this.legend,
      this.vt.el,
    );
    this.tableTitle.id = `${this.id}-tt`;

    // Schema panel (page mode).
    this.schemaTree = h("ul.rp-tree", { role: "tree", "aria-label": "Databases and tables" });
    this.schemaTitle = h("h2", { text: "Schema" });
    this.schemaPanel = h("aside.rp-schema", { "aria-label": "Schema" }, this.schemaTitle, this.schemaTree);

    // Dialogs.
    // A dialog asking to confirm: a title, a variable text, a note, and
    // cancel / ok buttons (returnValue "ok" when confirmed).
    const confirmDialog = (key, title, text, note, cancel, ok) =>
      h(
        "dialog.rp-dialog",
        { "aria-labelledby": `${this.id}-${key}` },
        h("h2", { id: `${this.id}-${key}`, text: title }),
        text,
        h("p.rp-muted", { text: note }),
        h(
          "form.rp-dialog-buttons",
          { method: "dialog" },
          h("button.rp-btn", { value: "cancel", text: cancel }),
          h("button.rp-btn.rp-danger", { value: "ok", text: ok }),
        ),
      );
    this.confirmText = h("p");
    this.confirmDialog = confirmDialog(
      "cd",
      "Backtrack the database?",
      this.confirmText,
      "Every table of every database returns to that time. Nothing is lost: the backtrack is recorded, and you can move forward again while it is inside the window.",
      "Cancel",
      "Backtrack",
    );
    this.lostText = h("p");
    this.lostDialog = confirmDialog(
      "lost",
      "This database's storage is gone",
      this.lostText,
      "The browser no longer has its pages, so its tables and its history cannot be shown. Starting over deletes what is left and opens a new, empty database under the same name.",
      "Leave it",
      "Start a new database",
    );
    this.logBody = h("div.rp-log");
    this.logDialog = h(
      "dialog.rp-dialog.rp-wide",
      { "aria-labelledby": `${this.id}-ld` },
      h("h2", { id: `${this.id}-ld`, text: "Backtrack log" }),
      this.logBody,
      h("form.rp-dialog-buttons", { method: "dialog" }, h("button.rp-btn", { value: "close", text: "Close" })),
    );
    this.shareOut = h("input.rp-share-url", { type: "text", readOnly: true, "aria-label": "Link to this moment" });
    this.shareNote = h("p.rp-muted");
    this.shareDialog = h(
      "dialog.rp-dialog.rp-wide",
      { "aria-labelledby": `${this.id}-sd` },
      h("h2", { id: `${this.id}-sd`, text: "Share link" }),
      this.shareNote,
      this.shareOut,
      h("form.rp-dialog-buttons", { method: "dialog" }, h("button.rp-btn", { value: "close", text: "Close" })),
    );

    const work = h("div.rp-work", {}, page ? this.schemaPanel : null, this.console, this.tablePanel);
    this.root.replaceChildren(this.statusBar, timeline, work, this.confirmDialog, this.lostDialog, this.logDialog, this.shareDialog);
    if (this.o.height) this.root.style.setProperty("--rp-height", this.o.height);

    this.editor = createEditor(this.editorHost, {
      label: "SQL",
      doc: "",
      placeholder: this.o.readOnly ? "Read-only: SELECT, SHOW, DESCRIBE…" : "SELECT … — Ctrl+Enter to run",
      onRun: () => this.runEditor(),
      onHistory: (dir) => this.historyStep(dir),
    });
    this.renderHistory();
  }

  // -------------------------------------------------------------- start --

  async start() {
    try {
      const shared = this.o.mode === "page" ? sharedScriptFromHash() : null;
      const spec = { name: shared ? undefined : this.o.dbName, setup: shared ?? this.o.setupSql };
      // A share link to a moment (share.js): rebuilt in memory; a link that
      // is malformed or fails leaves the usual database as it was.
      let moment = await readMoment(location.hash, this.o.mode === "page" ? "" : this.o.shareTarget ?? "");
      if (moment?.payload) {
        try {
          await openMoment(this, moment.payload);
        } catch (error) {
          moment = { error };
        }
      }
      try {
        if (!moment?.payload || moment.error) await this.openDb(spec);
      } catch (e) {
        // The browser discarded the stored pages (STORAGE_LOST): say so,
        // and start over only if asked.
        if (e?.code !== "STORAGE_LOST") throw e;
        this.setStatus("This database's stored pages are gone.", "error");
        if (!(await this.askStartOver(e))) throw e;
        await PlaygroundDb.deleteDatabase({ name: spec.name, pkgUrl: this.o.pkgUrl });
        await this.openDb(spec);
      }
      if (this.version) {
        this.version.textContent = this.db.version;
        this.version.dataset.state = "ready";
      }
      if (moment?.error) {
        this.setStatus(`The share link was not opened: ${moment.error.message ?? moment.error} Your database is untouched.`, "error");
      } else if (moment) {
        const n = moment.payload.statements.length;
        this.setStatus(`Opened a shared moment (its setup and ${n} script${n === 1 ? "" : "s"} run after it) in an in-memory database.`);
      } else if (shared) {
        this.editor.value = shared;
        this.setStatus(`Loaded a shared script (${splitStatements(shared).length} statements) into an in-memory database.`);
      } else if (!this.db.sqlAvailable) {
        this.setStatus("This build of the reeldb package has no SQL entry point yet: the console is disabled.", "error");
      } else {
        this.setStatus(this.db.persistent ? "Ready. Your database is kept in this browser (IndexedDB)." : "Ready.");
      }
      if (this.o.initialTime && this.entries.length && !moment?.payload) {
        try {
          this.scrubber.setPos(parseTime(this.db.timeText(this.o.initialTime)), true);
        } catch (e) {
          this.setStatus(`time="${this.o.initialTime}": ${e.message ?? e}`, "error");
        }
      }
      this.root.dataset.state = "ready";
      this.root.dispatchEvent(new CustomEvent("reel-ready", { bubbles: true }));
    } catch (e) {
      this.root.dataset.state = "error";
      if (this.version) {
        this.version.textContent = "unavailable";
        this.version.dataset.state = "error";
      }
      this.setStatus(`Could not start ReelDB: ${e.message ?? e}`, "error");
      throw e;
    }
  }

  /** @param {{name?: string, setup?: string, image?: Uint8Array}} spec */
  async openDb({ name, setup, image }) {
    // A bad image fails here, before the current database is closed.
    const next = await PlaygroundDb.open({ name, image, windowSecs: this.o.windowSecs, pkgUrl: this.o.pkgUrl });
    if (this.db) await this.db.close();
    this.db = next;
    const db = this.db;
    this.opened = { db, tables: new Map(), schemas: new Map() };
    db.subscribe((ev) => {
      if (!ev.external || db !== this.db) return;
      if (ev.event?.type === "closed") {
        // Another tab deleted the database (or asked for it to close).
        this.root.dataset.state = "closed";
        this.setStatus("This database was closed: it was deleted in another tab or window. Reload the page to open it again.", "error");
        return;
      }
      this.refresh().catch((e) => this.setStatus(`Could not refresh: ${e.message ?? e}`, "error"));
    });
    this.storage && (this.storage.textContent = this.db.persistent ? "Saved in this browser" : "In memory");
    this.latestSeq = -1;
    this.current = null;
    this.selected = null;
    this.preview = null;
    this.schemaShown = null;
    clearTimeout(this.schemaTimer);
    this.sessionLog = [];
    this.sharedSetup = undefined;
    this.openedWithHistory = (await db.timeline()).length > 0;
    this.results.replaceChildren();
    if (setup && this.db.sqlAvailable) {
      try {
        await this.db.exec(setup);
        this.sessionLog.push(setup.trim());
      } catch (e) {
        this.showError(e, null);
      }
    }
    this.scrubber.pos = null;
    await this.refresh();
  }

  // ------------------------------------------------------------- status --

  setStatus(text, kind = "info", time = null) {
    this.statusMsg.dataset.kind = kind;
    this.statusTime.textContent = time ?? "";
    this.statusTime.hidden = !time;
    this.statusText.textContent = text;
  }

  renderStats() {
    const s = this.statusInfo;
    if (!s) return;
    const item = (term, value, title) => [h("dt", { text: term }), h("dd", { text: value, title })];
    this.stats.replaceChildren(
      ...item("Window", `${formatSpan(s.windowTargetSecs)} target · ${formatSpan(s.windowActualSecs)} actual`),
      ...item("Earliest", s.earliest.replace(/\.\d+$/, ""), s.earliest),
      ...item("History", formatBytes(s.historyBytes)),
    );
  }

  // ------------------------------------------------------------ refresh --

  /** Reloads timeline, status, schema and the selected table (when data changed). */
  async refresh() {
    if (!this.db?.sqlAvailable) {
      this.scrubber.setData({ entries: [], backtracks: [], restorePoints: [], left: 0, right: 1 });
      return;
    }
    const db = this.db;
    const [entries, backtracks, rps, status] = [
      await db.timeline(),
      await db.backtracks(),
      await db.restorePoints(),
      await db.status(),
    ];
    if (db !== this.db) return;
    this.entries = entries;
    this.backtrackLog = backtracks;
    this.restorePoints = rps;
    this.statusInfo = status;
    this.renderStats();
    const latest = entries.at(-1);
    const seq = latest ? latest.seq : 0;
    const changed = seq !== this.latestSeq;
    this.latestSeq = seq;

    const nowUs = Math.max(parseTime(status.now) || 0, latest?.us ?? 0);
    const earliestUs = parseTime(status.earliest);
    let left;
    if (entries.length && entries[0].us < earliestUs) {
      // History was trimmed to the window: the earliest time is readable
      // (its state is the last entry before it) and is the left edge.
      left = earliestUs;
    } else if (entries.length) {
      // The window reaches before the first commit: the axis starts a
      // little before it (the empty database), not a day earlier.
      const first = entries[0];
      const span = Math.max(nowUs - first.us, 1e6);
      // Whole seconds, as every time the page shows.
      left = Math.max(earliestUs || 0, Math.floor((first.us - Math.max(1e6, span * 0.04)) / 1e6) * 1e6);
    } else {
      left = nowUs - 60e6;
    }
    const right = Math.max(nowUs, left + 1e6);
    this.scrubber.setData({
      entries,
      backtracks: backtracks.map((b) => ({ ...b, targetUs: parseTime(b.target), fromUs: parseTime(b.from) })),
      restorePoints: rps.map((r) => ({ ...r, us: parseTime(r.time) })),
      left,
      right,
      earliest: earliestUs,
    });

    if (changed || !this.schemaInfo.length) {
      this.schemaInfo = await db.schema();
      this.curDb = await db.currentDatabase();
      this.renderSchema();
    }
    if (!this.selected || !this.tableExists(this.selected)) {
      this.selected = this.defaultTable();
      this.tableInfo = null;
      this.current = null;
    }
    this.renderTableSelect();
    if (changed || !this.current) await this.loadCurrent();
    if (this.scrubber.pos !== null) await this.previewAt(this.scrubber.pos);
    else this.showCurrent();
  }

  tableExists(sel) {
    return this.schemaInfo.some((d) => d.name === sel.db && d.tables.some((t) => t.name === sel.table));
  }

  defaultTable() {
    const pref = this.o.table;
    const dbs = this.schemaInfo;
    const order = [...dbs.filter((d) => d.name === this.curDb), ...dbs.filter((d) => d.name !== this.curDb)];
    if (pref) {
      for (const d of order) for (const t of d.tables) if (t.name.toLowerCase() === pref.toLowerCase()) return { db: d.name, table: t.name };
    }
    for (const d of order) for (const t of d.tables) if (t.type === "BASE TABLE") return { db: d.name, table: t.name };
    return null;
  }

  /**
   * Fills the schema tree: the databases and tables now, or, with `at`
   * (the previewed time, engine text), those of `info` as they were then
   * (their columns by name: the types of then are not kept).
   */
  renderSchema(info = this.schemaInfo, at = null) {
    this.schemaShown = at;
    this.schemaTitle.textContent = at ? `Schema as of ${at}` : "Schema";
    this.schemaPanel.classList.toggle("rp-schema-then", Boolean(at));
    const items = [];
    if (at && !info.length) items.push(h("li.rp-muted", { role: "treeitem", text: "no databases then" }));
    for (const d of info) {
      const tables = h("ul", { role: "group" });
      for (const t of d.tables) {
        const cols = h("ul.rp-cols", { role: "group" });
        for (const c of t.columns) {
          cols.append(
            // Named by its text, "id int PK primary key": the visible words
            // (the spaces are collapsed by the flex layout) and "PK" spelled out.
            h(
              "li",
              { role: "treeitem" },
              h("span.rp-col-name", { text: c.name }),
              ...(c.type ? [" ", h("span.rp-col-type", { text: c.type })] : []),
              ...(c.key === "PRI" ? [" ", h("span.rp-col-key", { text: "PK", title: "primary key" }), h("span.rp-sr", { text: " primary key" })] : []),
            ),
          );
        }
        const isSel = this.selected && this.selected.db === d.name && this.selected.table === t.name;
        const button = h("button.rp-tree-table", {
          type: "button",
          text: t.name,
          "aria-current": isSel ? "true" : null,
          "aria-label": `Show table ${d.name}.${t.name}`,
          on: { click: () => this.selectTable(`${d.name}.${t.name}`) },
        });
        tables.append(h("li", { role: "treeitem", "aria-expanded": "true" }, button, cols));
      }
      if (!d.tables.length) tables.append(h("li.rp-muted", { role: "treeitem", text: at ? "no tables then" : "no tables" }));
      items.push(
        h(
          "li",
          { role: "treeitem", "aria-expanded": "true" },
          h("span.rp-tree-db", { text: d.name }, !at && d.name === this.curDb ? h("span.rp-badge", { text: "in use" }) : null),
          tables,
        ),
      );
    }
    this.schemaTree.replaceChildren(...items);
  }

  /** Fills the table selector: the tables now, or those of the previewed time (`then`). */
  renderTableSelect(then = null) {
    const list = then ?? this.schemaInfo.flatMap((d) => d.tables.map((t) => ({ db: d.name, table: t.name })));
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
    this.tableSelect.replaceChildren(...opts);
    this.tableSelect.disabled = !this.selected;
    this.tableTitle.textContent = this.selected ? this.selected.table : "No table";
  }

  async selectTable(value) {
    if (!value) return;
    const i = value.indexOf(".");
    this.selected = { db: value.slice(0, i), table: value.slice(i + 1) };
    this.current = null;
    this.tableInfo = null;
    if (!this.schemaShown) this.renderSchema();
    this.renderTableSelect();
    await this.loadCurrent();
    if (this.scrubber.pos !== null) await this.previewAt(this.scrubber.pos, true);
    else this.showCurrent();
  }

  /** Loads the selected table's current rows (kept in memory for previews). */
  async loadCurrent() {
    const sel = this.selected;
    if (!sel) {
      this.current = null;
      return;
    }
    try {
      if (!this.tableInfo) this.tableInfo = await this.db.describe(sel.db, sel.table);
      const r = await this.db.tableRows(sel.db, sel.table);
      if (this.selected !== sel) return;
      this.current = { seq: this.latestSeq, columns: r.columns, rows: r.rows, index: null };
    } catch (e) {
      this.current = { seq: this.latestSeq, columns: [], rows: [], index: null, error: e };
    }
    this.preview = null;
  }

  showCurrent() {
    this.legend.hidden = true;
    this.vt.el.classList.remove("vt-previewing");
    const c = this.current;
    if (!this.selected || !c) {
      this.vt.setData({ columns: [], count: 0, rowAt: () => null });
      this.tableSummary.textContent = "Create a table to see its rows here.";
      return;
    }
    if (c.error) {
      this.tableSummary.textContent = `Cannot read ${this.selected.table}: ${c.error.message}`;
      this.vt.setData({ columns: [], count: 0, rowAt: () => null });
      return;
    }
    this.vt.setLabel(`Rows of ${this.selected.db}.${this.selected.table}, now`);
    this.vt.setData({ columns: c.columns, count: c.rows.length, rowAt: (i) => ({ values: c.rows[i] }), emptyText: "The table is empty." });
    this.tableSummary.textContent = `${c.rows.length} row${c.rows.length === 1 ? "" : "s"} now`;
  }

  // ------------------------------------------------------------ preview --

  /** Shows the selected table as of `us` (null: now), read-only, with the differences from now marked. */
  async previewAt(us, force = false) {
    const t0 = performance.now();
    const sc = this.scrubber;
    const previewing = us !== null;
    this.backtrackButton.disabled = !previewing || this.o.readOnly || !this.entries.length;
    this.nowButton.disabled = !previewing;
    this.root.classList.toggle("rp-previewing", previewing);
    if (!previewing) {
      this.previewLabel.textContent = "Now";
      if (this.schemaShown) this.renderSchema();
      if (this.preview) {
        this.preview = null;
        if (this.selected && !this.tableExists(this.selected)) {
          // A table picked while previewing that does not exist now.
          this.selected = this.defaultTable();
          this.tableInfo = null;
          await this.loadCurrent();
        }
        this.renderTableSelect();
        this.showCurrent();
      }
      return;
    }
    const entry = sc.entryAt(us);
    const latest = this.entries.at(-1);
    // Every read of the preview is at the time it shows (see snapTime).
    const shownUs = this.snapTime(us);
    const at = formatTime(shownUs);
    this.showSchemaAt(entry, latest, at);
    this.previewLabel.textContent = `Preview as of ${formatTime(shownUs)} (read-only)`;
    const key = entry ? entry.seq : -1;
    if (!force && this.preview && this.preview.key === key && this.preview.table === this.selected) {
      if (this.preview.parts) this.tableSummary.textContent = `As of ${formatTime(shownUs)}: ${this.preview.parts}`;
      return;
    }
    let preview = { key, table: this.selected };
    this.preview = preview;
    // The table selector lists the tables of T while previewing. With a
    // table that exists now, the list is read once the handle rests on T
    // (a drag does not pay for it); without one, a table of T is picked and
    // shown from T alone (dropped since, or only in a future a backtrack
    // abandoned).
    let then = [];
    if (entry && this.selected && this.current && !this.current.error) {
      setTimeout(async () => {
        if (this.preview !== preview) return;
        const list = await this.tablesAt(entry, at);
        if (this.preview === preview) this.renderTableSelect(list);
      }, 200);
    } else if (entry) {
      then = await this.tablesAt(entry, at);
      if (this.preview !== preview || preview.table !== this.selected) return;
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
      this.renderTableSelect(then);
      if (has(this.selected) && !this.tableExists(this.selected)) {
        await this.previewThenOnly(shownUs, t0);
        return;
      }
      if (has(this.selected) && !this.current) {
        // A table of then that exists now too: compare as usual.
        await this.loadCurrent();
        if (this.scrubber.pos === null || this.preview !== null) return; // another preview since
        preview = { key, table: this.selected };
        this.preview = preview;
      }
    } else {
      this.renderTableSelect([]);
    }
    if (!entry) {
      // Before the first commit nothing existed: the database was empty.
      this.legend.hidden = true;
      this.vt.el.classList.add("vt-previewing");
      this.vt.setLabel(`Database as of ${formatTime(shownUs)}`);
      this.vt.setData({ columns: [], count: 0, rowAt: () => null, emptyText: "The database was empty then." });
      this.tableTitle.textContent = "No tables then";
      preview.parts = "before the first commit, the database was empty.";
      this.tableSummary.textContent = `As of ${formatTime(shownUs)}: ${preview.parts}`;
      this.recordFrame(t0);
      return;
    }
    if (!this.selected || !this.current || this.current.error) {
      this.legend.hidden = true;
      if (!then.length) this.tableTitle.textContent = "No tables then";
      this.tableSummary.textContent = then.length ? "No table selected." : `As of ${formatTime(shownUs)}: no tables existed then.`;
      if (!then.length) this.vt.setData({ columns: [], count: 0, rowAt: () => null, emptyText: "No tables then." });
      return;
    }
    if (entry === latest || (latest && entry.us === latest.us)) {
      // Same state as now.
      this.showCurrent();
      this.legend.hidden = false;
      preview.parts = "same as now.";
      this.tableSummary.textContent = `As of ${formatTime(shownUs)}: same as now.`;
      this.recordFrame(t0);
      return;
    }
    let diff;
    try {
      diff = await this.db.diff(this.selected.db, this.selected.table, formatTime(this.snapTime(latest.us)), at);
    } catch (e) {
      this.tableSummary.textContent = `As of ${formatTime(shownUs)}: ${e.message}`;
      this.vt.setData({ columns: this.current.columns, count: 0, rowAt: () => null, marks: true, emptyText: "Not readable at this time." });
      return;
    }
    if (this.preview !== preview || this.selected !== preview.table) return;
    const cols = this.current.columns;
    if (diff.columns && (diff.columns.length !== cols.length || diff.columns.some((c, i) => c !== cols[i]))) {
      // The columns changed since T: rows of then and now do not line up,
      // so the table is shown as it was, with its columns of then.
      await this.previewThenOnly(shownUs, t0, false);
      return;
    }
    this.renderPreview(diff, shownUs);
    this.recordFrame(t0);
  }

  /**
   * The base tables of `entry`'s state, read at `at` (engine text, a time
   * whose state is `entry`'s); cached per entry, since a past state never
   * changes; [] when unreadable (not cached).
   */
  async tablesAt(entry, at, opened = this.opened) {
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
   * time (empty before the first commit), now's when it is the latest
   * state. Read once the handle rests (a drag does not pay for it), and
   * cached per entry (a past state never changes).
   */
  showSchemaAt(entry, latest, at) {
    if (!this.schemaPanel.isConnected) return;
    clearTimeout(this.schemaTimer);
    if (entry && latest && entry.us >= latest.us) {
      if (this.schemaShown) this.renderSchema();
      return;
    }
    const opened = this.opened;
    const cached = entry ? opened.schemas.get(entry.seq) : [];
    if (cached) {
      // A drag over one state (or back to one) does not rebuild the tree.
      const key = `${entry?.seq}|${this.selected?.db}.${this.selected?.table}`;
      if (this.schemaShown && this.schemaKey === key) return;
      this.renderSchema(cached, at);
      this.schemaKey = key;
      return;
    }
    this.schemaTimer = setTimeout(async () => {
      const info = await this.schemaAt(entry, at, opened).catch(() => null);
      if (!info) return;
      opened.schemas.set(entry.seq, info);
      if (opened === this.opened && this.scrubber.pos !== null && this.scrubber.entryAt(this.scrubber.pos) === entry) this.renderSchema(info, at);
    }, 150);
  }

  /** `[{name, tables: [{name, type, columns: [{name}]}]}]` of `entry`'s state, read at `time` (tables of then, columns by name). */
  async schemaAt(entry, time, opened = this.opened) {
    const at = literal(time);
    const dbs = await opened.db.query(`SELECT schema_name FROM information_schema.schemata FOR SYSTEM_TIME AS OF TIMESTAMP ${at}`);
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

  /** The table to preview among `list`: the preferred one, else one in the database in use, else the first. */
  pickTable(list) {
    const pref = this.o.table?.toLowerCase();
    return (
      (pref && list.find((x) => x.table.toLowerCase() === pref)) ??
      list.find((x) => x.db === this.curDb) ??
      list[0] ??
      null
    );
  }

  /**
   * Shows the selected table as it was at `shownUs`, with its columns of
   * then: when it does not exist now (`gone`: every row "only then"), or
   * when its columns changed since (no row marks: rows of then and now do
   * not line up).
   */
  async previewThenOnly(shownUs, t0, gone = true) {
    const sel = this.selected;
    const preview = this.preview;
    let r;
    try {
      r = await this.db.tableRows(sel.db, sel.table, formatTime(shownUs));
    } catch (e) {
      this.tableSummary.textContent = `As of ${formatTime(shownUs)}: ${e.message}`;
      this.vt.setData({ columns: [], count: 0, rowAt: () => null, emptyText: "Not readable at this time." });
      return;
    }
    if (this.preview !== preview || this.selected !== sel) return;
    const n = r.rows.length;
    const rows = `${n} row${n === 1 ? "" : "s"}`;
    this.legend.hidden = !gone;
    this.vt.el.classList.add("vt-previewing");
    this.vt.setLabel(`Rows of ${sel.db}.${sel.table} as of ${formatTime(shownUs)}${gone ? ", compared with now" : ""}`);
    this.vt.setData({ columns: r.columns, count: n, rowAt: (i) => ({ values: r.rows[i], mark: gone ? "then" : "" }), marks: gone, emptyText: "No rows at this time." });
    if (gone) preview.effect = { table: sel.table, back: n, gone: 0, changed: 0, created: true };
    preview.parts = gone
      ? `${rows}, all only then: the table ${sel.table} does not exist now.`
      : `${rows}, with the columns of then (${r.columns.join(", ")}): they changed since, so rows are not compared with now.`;
    this.tableSummary.textContent = `As of ${formatTime(shownUs)}: ${preview.parts}`;
    this.recordFrame(t0);
  }

  /**
   * The time a preview of `us` shows and reads: a readable time whose state
   * is the same as `us`'s. Whole seconds, unless a commit lies in between
   * (then the commit's time) or the earliest reachable time does (then that
   * time: with a narrowed window, the commit current at `us` may be older
   * than anything the engine can still read, though its state is not).
   */
  snapTime(us) {
    const entry = this.scrubber.entryAt(us);
    const earliest = parseTime(this.statusInfo?.earliest ?? "");
    let t = Math.floor(us / 1e6) * 1e6;
    if (entry) t = Math.max(t, entry.us);
    if (!Number.isNaN(earliest)) t = Math.max(t, earliest);
    return t;
  }

  recordFrame(t0) {
    // Measured up to the next paint: query, merge and DOM update.
    requestAnimationFrame(() => {
      this.frameTimes.push(performance.now() - t0);
      if (this.frameTimes.length > 5000) this.frameTimes.shift();
    });
  }

  renderPreview(diff, shownUs) {
    const c = this.current;
    const pk = this.tableInfo?.pk ?? [];
    if (!c.index) {
      const index = new Map();
      for (let i = 0; i < c.rows.length; i++) {
        const k = keyOf(c.rows[i], pk);
        const prev = index.get(k);
        if (prev === undefined) index.set(k, i);
        else if (Array.isArray(prev)) prev.push(i);
        else index.set(k, [prev, i]);
      }
      c.index = index;
    }
    const take = (k, used) => {
      const v = c.index.get(k);
      if (v === undefined) return -1;
      if (!Array.isArray(v)) return used.has(v) ? -1 : v;
      for (const i of v) if (!used.has(i)) return i;
      return -1;
    };
    const marks = new Map();
    const used = new Set();
    const added = [];
    let nAdd = 0;
    let nRem = 0;
    let nChg = 0;
    for (const d of diff) {
      if (d.change === "added") {
        added.push(d.row);
        nAdd++;
      } else if (d.change === "removed") {
        const i = take(keyOf(d.old, pk), used);
        nRem++;
        if (i >= 0) {
          used.add(i);
          marks.set(i, { values: c.rows[i], mark: "now" });
        }
      } else {
        const i = take(keyOf(d.old, pk), used);
        nChg++;
        if (i >= 0) {
          used.add(i);
          marks.set(i, { values: d.row, old: c.rows[i], mark: "changed" });
        } else {
          added.push(d.row);
        }
      }
    }
    // Place rows that exist only in the past among the current rows, in key order.
    const rows = c.rows;
    const ins = added.map((row) => {
      if (!pk.length) return { row, at: rows.length };
      let lo = 0;
      let hi = rows.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cmpPk(rows[mid], row, pk) < 0) lo = mid + 1;
        else hi = mid;
      }
      return { row, at: lo };
    });
    ins.sort((a, b) => a.at - b.at || (pk.length ? cmpPk(a.row, b.row, pk) : 0));
    const disp = ins.map((x, j) => x.at + j);
    const count = rows.length + ins.length;
    const rowAt = (d) => {
      let lo = 0;
      let hi = disp.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (disp[mid] < d) lo = mid + 1;
        else hi = mid;
      }
      if (lo < disp.length && disp[lo] === d) return { values: ins[lo].row, mark: "then" };
      const ci = d - lo;
      return marks.get(ci) ?? { values: rows[ci] };
    };
    this.legend.hidden = false;
    this.vt.el.classList.add("vt-previewing");
    this.vt.setLabel(`Rows of ${this.selected.db}.${this.selected.table} as of ${formatTime(shownUs)}, compared with now`);
    this.vt.setData({ columns: c.columns, count, rowAt, marks: true, emptyText: "No rows at this time." });
    const parts = `${nAdd} only then, ${nRem} only now, ${nChg} changed`;
    this.preview.parts = `${count - nRem} row${count - nRem === 1 ? "" : "s"} (${parts}).`;
    this.preview.effect = { table: this.selected.table, back: nAdd, gone: nRem, changed: nChg };
    this.tableSummary.textContent = `As of ${formatTime(shownUs)}: ${this.preview.parts}`;
    if (nRem === rows.length && nAdd === 0) this.checkExisted(shownUs);
  }

  /** Says so when the selected table did not exist at the previewed time. */
  async checkExisted(us) {
    const preview = this.preview;
    try {
      await this.db.query(
        `SELECT * FROM ${ident(this.selected.db)}.${ident(this.selected.table)} FOR SYSTEM_TIME AS OF TIMESTAMP ${literal(formatTime(us))} LIMIT 0`,
      );
    } catch (e) {
      if (this.preview !== preview) return;
      const absent = e.code === "ER_NO_SUCH_TABLE" || e.code === "ER_BAD_DB_ERROR";
      this.preview.parts = absent ? `the table ${this.selected.table} did not exist then.` : `${e.message} (${e.code}).`;
      this.preview.effect = absent ? { table: this.selected.table, dropped: true } : null;
      this.tableSummary.textContent = `As of ${formatTime(us)}: ${this.preview.parts}`;
      this.legend.hidden = true;
      this.vt.setData({ columns: [], count: 0, rowAt: () => null, emptyText: absent ? `${this.selected.table} did not exist at ${formatTime(us)}.` : "Not readable at this time." });
    }
  }

  /** p50/p95 of preview frames so far (ms). */
  frameStats() {
    const s = [...this.frameTimes].sort((a, b) => a - b);
    const q = (p) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN);
    return { count: s.length, p50: q(0.5), p95: q(0.95), max: s.at(-1) ?? NaN };
  }

  /** Shows the STORAGE_LOST dialog; resolves true for "Start a new database". */
  askStartOver(error) {
    this.lostText.textContent = error.message;
    this.lostDialog.returnValue = "";
    return new Promise((resolve) => {
      this.lostDialog.addEventListener("close", () => resolve(this.lostDialog.returnValue === "ok"), { once: true });
      this.lostDialog.showModal();
    });
  }

  // ---------------------------------------------------------- backtrack --

  askBacktrack(us) {
    if (this.o.readOnly) {
      this.setStatus("This playground is read-only: previews only, no backtrack.", "info");
      return;
    }
    const target = formatTime(this.snapTime(us));
    // What the backtrack does to the table on screen, in the words of the
    // action: rows that will come back, disappear, or change back.
    const fx = this.preview?.effect;
    const rows = (n) => `${n} row${n === 1 ? "" : "s"}`;
    const effect = !fx
      ? ""
      : fx.dropped
        ? ` The table ${fx.table} will disappear: it did not exist then.`
        : fx.created
        ? ` The table ${fx.table} will come back with ${rows(fx.back)}.`
        : ` In ${fx.table}: ${rows(fx.back)} will come back, ${rows(fx.gone)} will disappear, ${rows(fx.changed)} will change back.`;
    this.confirmText.textContent = `Rewind the whole database to ${target}?${effect}`;
    this.confirmDialog.returnValue = "";
    const onClose = async () => {
      this.confirmDialog.removeEventListener("close", onClose);
      if (this.confirmDialog.returnValue === "ok") await this.doBacktrack(target);
      else this.scrubber.track.focus();
    };
    this.confirmDialog.addEventListener("close", onClose);
    this.confirmDialog.showModal();
  }

  async doBacktrack(target) {
    this.scrubber.stop();
    const now = this.statusInfo ? clockPart(parseTime(this.statusInfo.now)) : "";
    this.setStatus("Backtracking...", "busy", now);
    await nextFrame();
    let rec = null;
    try {
      rec = await this.db.backtrack(target);
      this.sessionLog.push(`BACKTRACK TO TIMESTAMP '${target}';`);
    } catch (e) {
      this.setStatus(`Backtrack failed: ${e.message}`, "error", now);
    }
    this.scrubber.pos = null;
    await this.refresh();
    await this.previewAt(null);
    if (rec) this.completedMessage(rec);
    this.scrubber.track.focus({ preventScroll: true });
    // The drag's tooltip described a moment that is now the present.
    this.scrubber.hideTip();
  }

  completedMessage(rec) {
    if (!rec) return;
    const at = clockPart(parseTime(rec.from));
    if (rec.status === "completed") {
      this.setStatus(`Backtrack completed: database rewound to ${rec.target} at ${at}`, "ok", at);
    } else {
      this.setStatus(`Backtrack failed: ${rec.reason ?? "unknown reason"} (to ${rec.target} at ${at})`, "error", at);
    }
  }

  showLog() {
    const log = this.backtrackLog;
    if (!log.length) {
      this.logBody.replaceChildren(h("p.rp-muted", { text: "No backtrack yet." }));
    } else {
      const head = h("tr", {}, ...["#", "Rewound to", "At", "Status"].map((t) => h("th", { scope: "col", text: t })));
      const body = log.map((b) =>
        h(
          "tr",
          {},
          h("td", { text: String(b.id) }),
          h("td", { text: b.target }),
          h("td", { text: b.from }),
          h("td", {}, h(`span.rp-pill.rp-${b.status}`, { text: b.status }), b.reason ? h("span.rp-muted", { text: ` ${b.reason}` }) : null),
        ),
      );
      this.logBody.replaceChildren(h("table.rp-log-table", {}, h("caption.rp-sr", { text: "Every backtrack, oldest first" }), h("thead", {}, head), h("tbody", {}, ...body)));
    }
    this.logDialog.showModal();
  }

  togglePlay() {
    if (this.scrubber.playing) {
      this.scrubber.stop();
      return;
    }
    this.scrubber.play(700, (on) => {
      this.playButton.setAttribute("aria-pressed", String(on));
      this.playButton.textContent = on ? "Pause" : "Play";
    });
  }

  // ------------------------------------------------------------ console --

  async runEditor() {
    const text = this.editor.value;
    if (!text.trim()) return;
    this.pushHistory(text);
    await this.runScript(text, { base: 0, fromEditor: true });
  }

  /** Runs statements one by one, shows each result, stops at the first error. */
  async runScript(text, { base = 0, fromEditor = false } = {}) {
    const run = async () => {
      this.scrubber.stop();
      if (this.scrubber.pos !== null) this.scrubber.setPos(null, true);
      this.editor.markError(null);
      const stmts = splitStatements(text);
      this.results.replaceChildren();
      this.runButton.disabled = true;
      let ok = true;
      let backtracked = null;
      try {
        for (const st of stmts) {
          if (this.o.readOnly && !isReadOnlyStatement(st.sql)) {
            const e = coded("READ_ONLY", "This playground is read-only: only SELECT, SHOW and DESCRIBE run here.");
            this.showError(e, fromEditor ? { ...st, from: st.from + base, to: st.to + base } : null, st.sql);
            ok = false;
            break;
          }
          const isBacktrack = firstKeyword(st.sql) === "BACKTRACK";
          if (isBacktrack) {
            const st0 = await this.db.status().catch(() => null);
            this.setStatus("Backtracking...", "busy", st0 ? clockPart(parseTime(st0.now)) : "");
            await nextFrame();
          }
          const t0 = performance.now();
          let res;
          try {
            res = await this.db.exec(st.sql);
          } catch (e) {
            const ms = performance.now() - t0;
            this.showError(e, fromEditor ? { ...st, from: st.from + base, to: st.to + base } : null, st.sql, ms);
            if (isBacktrack) this.setStatus(`Backtrack failed: ${e.message}`, "error");
            ok = false;
            break;
          }
          const ms = performance.now() - t0;
          this.sessionLog.push(st.sql.endsWith(";") ? st.sql : `${st.sql};`);
          for (const r of res) this.showResult(st.sql, r, ms);
          if (isBacktrack) backtracked = (await this.db.backtracks()).at(-1);
        }
        await this.refresh();
        if (backtracked) this.completedMessage(backtracked);
        else if (ok && this.statusMsg.dataset.kind === "error") {
          // An earlier failure (e.g. "Backtrack failed") is no longer the news.
          this.setStatus(`Ran ${stmts.length} statement${stmts.length === 1 ? "" : "s"}.`);
        }
      } finally {
        this.runButton.disabled = false;
      }
      this.db.emit({ local: true });
      return ok;
    };
    const p = this.busy.then(run, run);
    this.busy = p.catch(() => {});
    return p;
  }

  showResult(sql, r, ms) {
    const head = h("div.rp-result-head", {}, h("code.rp-result-sql", { text: sql.length > 160 ? `${sql.slice(0, 157)}…` : sql }));
    const section = h("section.rp-result", { "aria-label": `Result of ${sql.slice(0, 60)}` }, head);
    const time = `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
    if (r.columns) {
      const n = r.rows.length;
      head.append(h("span.rp-result-meta", { text: `${n} row${n === 1 ? "" : "s"} · ${time}` }));
      const vt = new VirtualTable({ label: `Result: ${sql.slice(0, 80)}`, className: "rp-result-table" });
      vt.el.style.setProperty("--vis-rows", String(Math.min(Math.max(n, 1), 12)));
      section.append(vt.el);
      this.results.append(section);
      vt.setData({ columns: r.columns, count: n, rowAt: (i) => ({ values: r.rows[i] }), emptyText: "Empty set." });
    } else {
      head.append(h("span.rp-result-meta", { text: `${r.affected} row${r.affected === 1 ? "" : "s"} affected · ${time}` }));
      this.results.append(section);
    }
  }

  showError(e, st, sql = "", ms = null) {
    const code = e.code ?? "ERROR";
    let where = "";
    const m = /Line: (\d+), Column: (\d+)/.exec(e.message ?? "");
    if (st) {
      if (m) {
        const off = this.editor.offsetOf(st.from, +m[1], +m[2]);
        this.editor.markError({ from: off, to: off + 1 });
        where = `line ${this.editor.view.state.doc.lineAt(off).number}, column ${off - this.editor.view.state.doc.lineAt(off).from + 1}`;
      } else {
        this.editor.markError({ from: st.from, to: st.to });
        const line = this.editor.view.state.doc.lineAt(st.from).number;
        where = `statement at line ${line}`;
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

  // ------------------------------------------------------------ history --

  loadHistory() {
    try {
      const v = JSON.parse(localStorage.getItem("reeldb.history") ?? "[]");
      return Array.isArray(v) ? v.filter((x) => typeof x === "string").slice(-100) : [];
    } catch {
      return [];
    }
  }

  pushHistory(text) {
    const t = text.trim();
    this.history = this.history.filter((x) => x !== t);
    this.history.push(t);
    if (this.history.length > 100) this.history.shift();
    this.historyPos = null;
    if (this.o.mode === "page") {
      try {
        localStorage.setItem("reeldb.history", JSON.stringify(this.history));
      } catch {
        /* storage full or blocked: history stays in memory */
      }
    }
    this.renderHistory();
  }

  renderHistory() {
    const opts = [h("option", { value: "", text: `History (${this.history.length})` })];
    this.history
      .slice()
      .reverse()
      .forEach((t, i) => {
        const one = t.replace(/\s+/g, " ");
        opts.push(h("option", { value: String(this.history.length - 1 - i), text: one.length > 70 ? `${one.slice(0, 67)}…` : one }));
      });
    this.historySelect.replaceChildren(...opts);
  }

  pickHistory() {
    const i = Number(this.historySelect.value);
    if (this.historySelect.value !== "" && this.history[i] !== undefined) {
      this.editor.value = this.history[i];
      this.editor.focus();
    }
    this.historySelect.value = "";
  }

  historyStep(dir) {
    if (!this.history.length) return null;
    let p = this.historyPos ?? this.history.length;
    p = Math.min(this.history.length, Math.max(0, p + dir));
    this.historyPos = p;
    return p === this.history.length ? "" : this.history[p];
  }

  // ----------------------------------------------------------- tutorial --

  async startTutorial() {
    this.tutorialStep = 0;
    this.tutorialRan = new Set();
    this.tutorialApplied = 0; // the database holds exactly steps [0, tutorialApplied)
    await this.openDb({ name: undefined });
    this.setStatus("Tutorial: a fresh in-memory database. Your own database is untouched.", "info");
    this.renderTutorial();
  }

  renderTutorial() {
    const i = this.tutorialStep;
    if (i === null) {
      this.tutorialCard.hidden = true;
      return;
    }
    const step = TUTORIAL[i];
    const ran = this.tutorialRan.has(i);
    if (step.sql && !ran) this.editor.value = step.sql;
    const runBtn = step.sql
      ? h("button.rp-btn.rp-primary", { type: "button", text: ran ? "Run again" : "Run step", on: { click: () => this.runTutorialStep() } })
      : null;
    const next =
      i < TUTORIAL.length - 1
        ? h("button.rp-btn" + (ran || !step.sql ? ".rp-accent" : ""), { type: "button", text: "Next step", on: { click: () => this.gotoStep(i + 1) } })
        : null;
    const back = i > 0 ? h("button.rp-btn", { type: "button", text: "Previous step", on: { click: () => this.gotoStep(i - 1) } }) : null;
    const exit = h("button.rp-btn", { type: "button", text: "Leave tutorial", on: { click: () => this.endTutorial() } });
    const progress = h("progress", { max: TUTORIAL.length, value: i + 1, "aria-label": "Tutorial progress" });
    this.tutorialCard.replaceChildren(
      h("p.rp-tutorial-kicker", { text: `Rewind the accident · step ${i + 1} of ${TUTORIAL.length}` }),
      progress,
      h("h3", { text: step.title }),
      h("p", { text: step.text }),
      h("div.rp-tutorial-buttons", {}, back, runBtn, next, h("span.rp-grow"), exit),
    );
    this.tutorialCard.hidden = false;
  }

  async gotoStep(i) {
    this.tutorialStep = i;
    this.renderTutorial();
    this.tutorialCard.querySelector("h3")?.focus?.();
  }

  async runTutorialStep() {
    const i = this.tutorialStep;
    const step = TUTORIAL[i];
    if (!step?.sql) return;
    if (this.tutorialApplied !== i) {
      // The database is not the story up to step i (a step run again, an
      // earlier step revisited, or one skipped): replay steps 1..i in a
      // fresh database, so no step meets its own rows (ER_DUP_ENTRY) and
      // the clock only moves forward.
      const before = TUTORIAL.slice(0, i).map((s) => s.sql).filter(Boolean).join("\n");
      await this.openDb({ name: undefined, setup: before || undefined });
      if (i > 0) this.setStatus(`Replayed steps 1 to ${i} in a fresh database.`, "info");
    }
    this.editor.value = step.sql;
    const ok = await this.runScript(step.sql, { base: 0, fromEditor: true });
    this.tutorialApplied = ok ? i + 1 : null;
    if (ok) this.tutorialRan.add(i);
    this.renderTutorial();
  }

  async endTutorial() {
    this.tutorialStep = null;
    this.renderTutorial();
    await this.openDb({ name: this.o.dbName });
    this.setStatus(this.db.persistent ? "Back to your database (kept in this browser)." : "Back to your database.");
  }

  // ----------------------------------------------------- share, files --

  async reset() {
    await this.openDb({ name: undefined, setup: this.o.setupSql });
    this.setStatus("Reset to the setup script.");
  }

  async exportFile() {
    try {
      const text = await this.db.exportSql();
      const blob = new Blob([text], { type: "text/plain" });
      const a = h("a", { href: URL.createObjectURL(blob), download: exportFileName(Date.now()) });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 5000);
      this.setStatus("Exported the current state as a SQL file.", "ok");
    } catch (e) {
      this.setStatus(`Export failed: ${e.message}`, "error");
    }
  }

  async importFile() {
    const file = this.fileInput.files?.[0];
    this.fileInput.value = "";
    if (!file) return;
    const text = await file.text();
    try {
      await this.db.importSql(text);
      this.sessionLog.push(text.trim());
      this.setStatus(`Imported ${file.name}.`, "ok");
    } catch (e) {
      this.showError(e, null, `-- ${file.name}`);
      this.setStatus(`Import of ${file.name} failed: ${e.message}`, "error");
    }
    await this.refresh();
  }

  /**
   * Opens a `.reeldb` file (a database with its timeline: `exportImage()`,
   * a file written in Node or by the shell, a failed test's attachment) as
   * an in-memory copy, ready to scrub; the current database is left as it
   * is (in IndexedDB) and comes back on reload.
   */
  async openImageFile() {
    const file = this.imageInput.files?.[0];
    this.imageInput.value = "";
    if (!file) return;
    try {
      await this.openDb({ image: new Uint8Array(await file.arrayBuffer()) });
      this.storage && (this.storage.textContent = `${file.name} (in memory)`);
      this.setStatus(`Opened ${file.name}: ${this.entries.length} timeline entries. Drag the timeline to scrub through them.`, "ok");
    } catch (e) {
      this.setStatus(`Could not open ${file.name}: ${e.message ?? e}`, "error");
    }
  }

  /** Shows (and copies) the link to this moment: setup, statements and the previewed time (share.js). */
  async share() {
    try {
      const { url, note } = await momentLink(this);
      this.shareNote.textContent = note;
      this.shareOut.value = url;
      try {
        await navigator.clipboard.writeText(url);
        this.shareNote.textContent = `${note} Copied to the clipboard.`;
      } catch {
        // No clipboard permission: the link is selected in the dialog to copy by hand.
      }
    } catch (e) {
      this.shareNote.textContent = e.message ?? String(e);
      this.shareOut.value = "";
    }
    this.shareDialog.showModal();
    this.shareOut.select();
  }

  async close() {
    this.scrubber.stop();
    await this.db?.close();
    this.db = null;
  }
}
