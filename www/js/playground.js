// @ts-check
// The playground: a status bar, the timeline scrubber with live read-only
// previews and backtrack with confirmation, the SQL console, the schema
// tree and the table panel. One instance per page (mode "page") or per
// <reel-playground> element (mode "embed"), each with its own database.
//
// This file puts the parts together and keeps what they share: the
// database open now (db.js) and what was read from it, the timeline and
// the status. The parts, by concern:
//   scrubber.js    the timeline slider (ticks, arcs, flags, keyboard)
//   timeline.js    the timeline model (the entry as of T, the time a preview reads, the axis span)
//   tableview.js   the table panel and the preview's data path ("the database as of T")
//   rowmerge.js    the rows of then merged with those of now
//   schematree.js  the schema panel
//   console.js     the SQL console (editor, runs, results); history.js its history
//   tutorial.js    "Rewind the accident", step by step
//   dialogs.js     confirm, storage lost, backtrack log, share link
//   share.js       share links, export, import, .reeldb files
//
// Everything the database says is written with textContent; the page never
// builds HTML from strings.

import { PlaygroundDb } from "./db.js";
import { Scrubber } from "./scrubber.js";
import { Tutorial } from "./tutorial.js";
import { SqlConsole } from "./console.js";
import { SchemaTree } from "./schematree.js";
import { TableView } from "./tableview.js";
import { Dialogs } from "./dialogs.js";
import { axisSpan } from "./timeline.js";
import { readMoment, openMoment, sharedScriptFromHash, exportFile, importFile, openImageFile, shareMoment } from "./share.js";
import { splitStatements } from "./sqlsplit.js";
import { parseTime, formatTime, clockPart, formatSpan, formatBytes } from "./time.js";
import { h, nextFrame } from "./dom.js";

let instances = 0;

/**
 * The database open now and what was read from it (the tables and the
 * schema of past states, by entry). A new object per open: a read that
 * started on a database opened before lands in that one's caches, never in
 * these.
 * @typedef {{db: PlaygroundDb, tables: Map<number, import("./schematree.js").TableRef[]>, schemas: Map<number, import("./schematree.js").SchemaDb[]>,
 *   diffBase?: import("./tableview.js").DiffBase | null}} Opened
 */

/**
 * @typedef {{mode?: "page"|"embed", dbName?: string, setupSql?: string, readOnly?: boolean,
 *   initialTime?: string, table?: string, label?: string, pkgUrl?: string, windowSecs?: number,
 *   height?: string, shareTarget?: string}} Options
 */

export class Playground {
  /**
   * @param {HTMLElement} root
   * @param {Options} options
   */
  constructor(root, options = {}) {
    this.root = root;
    /** @type {Options & {mode: "page"|"embed"}} */
    this.o = { mode: "page", ...options };
    this.id = `pg${++instances}`;
    /** @type {PlaygroundDb} the database open now (set by `start`) */
    this.db = /** @type {any} */ (null);
    /** @type {Opened} */
    this.opened = /** @type {any} */ (null);
    /** @type {import("./timeline.js").Entry[]} */
    this.entries = [];
    /** @type {import("./dialogs.js").BacktrackRecord[]} */
    this.backtrackLog = [];
    /** @type {{name: string, time: string}[]} */
    this.restorePoints = [];
    /** @type {any} the status (db.js `status()`) as of the last refresh */
    this.statusInfo = null;
    this.latestSeq = -1;
    /** @type {import("./schematree.js").SchemaDb[]} the databases and tables now */
    this.schemaInfo = [];
    /** @type {string | null} the session's database */
    this.curDb = null;
    /** @type {string[]} the statements run in this database, for share links */
    this.sessionLog = [];
    /** @type {string | undefined} the setup a share link rebuilt this database from */
    this.sharedSetup = undefined;
    this.openedWithHistory = false;
    this.build();
  }

  // ------------------------------------------------------------- layout --

  build() {
    const page = this.o.mode === "page";
    this.root.classList.add("rp", page ? "rp-page" : "rp-embed");
    if (this.o.readOnly) this.root.classList.add("rp-readonly");
    this.dialogs = new Dialogs(this.id);
    this.tutorial = new Tutorial(this);
    this.console = new SqlConsole(this, this.tutorial.card);
    this.table = new TableView(this);
    this.schema = new SchemaTree((value) => this.table.selectTable(value));

    // Status bar (top).
    this.statusMsg = h("p.rp-status-msg", { role: "status", "aria-live": "polite", "aria-atomic": "true" });
    this.statusTime = h("time.rp-status-time");
    this.statusText = h("span.rp-status-text", { text: "Loading ReelDB…" });
    this.statusMsg.append(this.statusTime, this.statusText);
    this.stats = h("dl.rp-stats", { "aria-label": "Backtrack window" });
    /** @type {HTMLElement | null} where the database is kept (page only) */
    this.storage = null;
    /** @type {HTMLElement | null} the package's version (page only) */
    this.version = null;
    const logButton = h("button.rp-btn", { type: "button", text: "Backtrack log", on: { click: () => this.dialogs.showLog(this.backtrackLog) } });
    const tools = h("div.rp-tools");
    if (page) {
      this.storage = h("span.rp-storage");
      const version = h("span.rp-version", { "data-state": "loading", text: "loading…" });
      this.version = version;
      // The first playground on a page names its version output (ids are unique).
      if (!document.getElementById("version")) version.id = "version";
      const brand = h("div.rp-brand", {}, h("img.rp-logo", { src: "favicon.svg", alt: "", width: "22", height: "22" }), h("h1", { text: "ReelDB" }), version);
      /** @type {HTMLInputElement} */
      const fileInput = h("input.rp-file", {
        type: "file",
        accept: ".sql,text/plain",
        "aria-label": "Import a SQL file",
        on: { change: () => this.takeFile(fileInput, (file) => importFile(this, file)) },
      });
      /** @type {HTMLInputElement} */
      const imageInput = h("input.rp-file", {
        type: "file",
        accept: ".reeldb",
        "aria-label": "Open a .reeldb file",
        on: { change: () => this.takeFile(imageInput, (file) => openImageFile(this, file)) },
      });
      tools.append(
        h("button.rp-btn.rp-accent", { type: "button", text: "Rewind the accident", on: { click: () => this.tutorial.start() } }),
        h("button.rp-btn", { type: "button", text: "Export", on: { click: () => exportFile(this) } }),
        h("button.rp-btn", { type: "button", text: "Import", on: { click: () => fileInput.click() } }),
        fileInput,
        h("button.rp-btn", { type: "button", text: "Open file…", on: { click: () => imageInput.click() } }),
        imageInput,
        h("button.rp-btn", { type: "button", text: "Share link", on: { click: () => shareMoment(this) } }),
        logButton,
      );
      this.statusBar = h("header.rp-statusbar", {}, brand, this.statusMsg, this.stats, this.storage, tools);
    } else {
      tools.append(
        h("button.rp-btn", { type: "button", text: "Reset", on: { click: () => this.reset() } }),
        h("button.rp-btn", { type: "button", text: "Export", on: { click: () => exportFile(this) } }),
        h("button.rp-btn", { type: "button", text: "Share", on: { click: () => shareMoment(this) } }),
        logButton,
      );
      this.statusBar = h("div.rp-statusbar", {}, this.statusMsg, this.stats, tools);
    }

    // Timeline.
    this.scrubber = new Scrubber({
      label: "Timeline",
      onPreview: (/** @type {number | null} */ us) => this.table.previewAt(us),
      onRest: (/** @type {number | null} */ us) => this.table.settle(us),
      onCommit: (/** @type {number} */ us) => this.askBacktrack(us),
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
          keydown: (/** @type {KeyboardEvent} */ e) => {
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

    const work = h("div.rp-work", {}, page ? this.schema.el : null, this.console.el, this.table.el);
    this.root.replaceChildren(this.statusBar, timeline, work, ...this.dialogs.all);
    if (this.o.height) this.root.style.setProperty("--rp-height", this.o.height);
    this.console.mountEditor();
  }

  /**
   * Hands the file picked in `input` to `use`, and clears the input (the same file can be picked again).
   * @param {HTMLInputElement} input
   * @param {(file: File) => Promise<void>} use
   */
  async takeFile(input, use) {
    const file = input.files?.[0];
    input.value = "";
    if (file) await use(file);
  }

  // -------------------------------------------------------------- start --

  async start() {
    try {
      const shared = this.o.mode === "page" ? sharedScriptFromHash(location.hash) : null;
      const spec = { name: shared ? undefined : this.o.dbName, setup: shared ?? this.o.setupSql };
      // A share link to a moment (share.js): rebuilt in memory; a link that
      // is malformed or fails leaves the usual database as it was.
      /** @type {{payload?: any, error?: any} | null} */
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
        // The browser discarded the stored pages (STORAGE_LOST), or an
        // older ReelDB wrote them in a format this one cannot read
        // (UNKNOWN_FORMAT): say so, and start over only if asked.
        if (e?.code !== "STORAGE_LOST" && e?.code !== "UNKNOWN_FORMAT") throw e;
        this.setStatus(e.code === "STORAGE_LOST" ? "This database's stored pages are gone." : "This database was saved in a format this version of ReelDB cannot read.", "error");
        if (!(await this.dialogs.askStartOver(e))) throw e;
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
        this.console.editor.value = shared;
        this.setStatus(`Loaded a shared script (${splitStatements(shared).length} statements) into an in-memory database.`);
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
    const db = next;
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
    if (this.storage) this.storage.textContent = db.persistent ? "Saved in this browser" : "In memory";
    this.latestSeq = -1;
    this.table.reset();
    this.schema.shownAt = null;
    this.sessionLog = [];
    this.sharedSetup = undefined;
    this.openedWithHistory = (await db.timeline()).length > 0;
    this.console.results.replaceChildren();
    if (setup) {
      try {
        await db.exec(setup);
        this.sessionLog.push(setup.trim());
      } catch (e) {
        this.console.showError(e, null);
      }
    }
    this.scrubber.pos = null;
    await this.refresh();
  }

  // ------------------------------------------------------------- status --

  /**
   * @param {string} text
   * @param {"info"|"ok"|"busy"|"error"} [kind]
   * @param {string | null} [time] the clock time the message is about
   */
  setStatus(text, kind = "info", time = null) {
    this.statusMsg.dataset.kind = kind;
    this.statusTime.textContent = time ?? "";
    this.statusTime.hidden = !time;
    this.statusText.textContent = text;
  }

  renderStats() {
    const s = this.statusInfo;
    if (!s) return;
    /** @param {string} term @param {string} value @param {string} [title] */
    const item = (term, value, title) => [h("dt", { text: term }), h("dd", { text: value, title })];
    this.stats.replaceChildren(
      ...item("Window", `${formatSpan(s.windowTargetSecs)} target · ${formatSpan(s.windowActualSecs)} actual`),
      ...item("Earliest", s.earliest.replace(/\.\d+$/, ""), s.earliest),
      ...item("History", formatBytes(s.historyBytes)),
    );
  }

  /**
   * The page while previewing (or not): the buttons that act on the
   * previewed time, and the label.
   * @param {boolean} previewing
   */
  showPreviewing(previewing) {
    this.backtrackButton.disabled = !previewing || this.o.readOnly || !this.entries.length;
    this.nowButton.disabled = !previewing;
    this.root.classList.toggle("rp-previewing", previewing);
    if (!previewing) this.previewLabel.textContent = "Now";
  }

  // ------------------------------------------------------------ refresh --

  /** Reloads timeline, status, schema and the selected table (when data changed). */
  async refresh() {
    const db = this.db;
    const [entries, backtracks, rps, status] = [await db.timeline(), await db.backtracks(), await db.restorePoints(), await db.status()];
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
    const { left, right } = axisSpan(entries, nowUs, earliestUs);
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
    await this.table.refresh(changed);
  }

  /**
   * Fills the schema tree: the databases and tables now, or, with `at`
   * (the previewed time, engine text), those of `info` as they were then
   * (their columns by name: the types of then are not kept).
   * @param {import("./schematree.js").SchemaDb[]} [info]
   * @param {string | null} [at]
   */
  renderSchema(info = this.schemaInfo, at = null) {
    this.schema.render(info, { at, selected: this.table.selected, curDb: this.curDb });
  }

  /** @param {string} value "db.table" */
  selectTable(value) {
    return this.table.selectTable(value);
  }

  /** The selected table's rows now (`{columns, rows}`), null when none. */
  get current() {
    return this.table.current;
  }

  /** Preview frame times so far (ms). */
  get frameTimes() {
    return this.table.frameTimes;
  }

  /** p50/p95 of preview frames so far (ms). */
  frameStats() {
    return this.table.frameStats();
  }

  // ---------------------------------------------------------- backtrack --

  /** @param {number} us */
  async askBacktrack(us) {
    if (this.o.readOnly) {
      this.setStatus("This playground is read-only: previews only, no backtrack.", "info");
      return;
    }
    const target = formatTime(this.table.readTime(us));
    // What the backtrack does to the table on screen, in the words of the
    // action: rows that will come back, disappear, or change back.
    const fx = this.table.preview?.effect;
    /** @param {number | undefined} n */
    const rows = (n = 0) => `${n} row${n === 1 ? "" : "s"}`;
    const effect = !fx
      ? ""
      : fx.dropped
        ? ` The table ${fx.table} will disappear: it did not exist then.`
        : fx.created
          ? ` The table ${fx.table} will come back with ${rows(fx.back)}.`
          : ` In ${fx.table}: ${rows(fx.back)} will come back, ${rows(fx.gone)} will disappear, ${rows(fx.changed)} will change back.`;
    if (await this.dialogs.askBacktrack(`Rewind the whole database to ${target}?${effect}`)) await this.doBacktrack(target);
    else this.scrubber.track.focus();
  }

  /** @param {string} target engine time text */
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
    await this.table.previewAt(null);
    if (rec) this.completedMessage(rec);
    this.scrubber.track.focus({ preventScroll: true });
    // The drag's tooltip described a moment that is now the present.
    this.scrubber.hideTip();
  }

  /** @param {import("./dialogs.js").BacktrackRecord | undefined} rec */
  completedMessage(rec) {
    if (!rec) return;
    const at = clockPart(parseTime(rec.from));
    if (rec.status === "completed") {
      this.setStatus(`Backtrack completed: database rewound to ${rec.target} at ${at}`, "ok", at);
    } else {
      this.setStatus(`Backtrack failed: ${rec.reason ?? "unknown reason"} (to ${rec.target} at ${at})`, "error", at);
    }
  }

  togglePlay() {
    if (this.scrubber.playing) {
      this.scrubber.stop();
      return;
    }
    this.scrubber.play(700, (/** @type {boolean} */ on) => {
      this.playButton.setAttribute("aria-pressed", String(on));
      this.playButton.textContent = on ? "Pause" : "Play";
    });
  }

  // ------------------------------------------------------------- embed --

  async reset() {
    await this.openDb({ name: undefined, setup: this.o.setupSql });
    this.setStatus("Reset to the setup script.");
  }

  async close() {
    this.scrubber.stop();
    await this.db?.close();
    this.db = /** @type {any} */ (null);
  }
}
