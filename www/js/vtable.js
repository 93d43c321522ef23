// @ts-check
// A virtualised table: only the rows in view (plus a few) exist in the DOM,
// so a 100k-row result or preview costs the same per frame as a 30-row one.
// Values are written with textContent only; nothing is parsed as HTML.
//
// ARIA: role=table with aria-rowcount, rows carry aria-rowindex, so a screen
// reader announces the position in the whole table, not in the DOM window.

/**
 * A rendered row: its mark cell's parts and its value cells, kept on the
 * element so that scrolling reuses rows without querying the DOM.
 * @typedef {HTMLDivElement & {markIcon?: HTMLSpanElement, markText?: HTMLSpanElement, cells_?: VCell[]}} VRow
 * @typedef {HTMLDivElement & {valueEl?: HTMLSpanElement, oldEl?: HTMLSpanElement}} VCell
 */

// Marks of a preview of time T, relative to now: a row there only then (at
// T, gone now), only now (not there at T), or changed between the two.
const MARKS = {
  then: { icon: "◂", text: "only then" },
  now: { icon: "▸", text: "only now" },
  changed: { icon: "~", text: "changed" },
};

export function cellText(v) {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

let uid = 0;

export class VirtualTable {
  /**
   * @param {{label: string, rowHeight?: number, overscan?: number, className?: string}} o
   */
  constructor({ label, rowHeight = 28, overscan = 6, className = "" }) {
    this.rowHeight = rowHeight;
    this.overscan = overscan;
    this.columns = [];
    this.count = 0;
    /** @type {(i: number) => ({values: unknown[], mark?: string, old?: unknown[]}|null)} */
    this.rowAt = () => null;
    this.marks = false;
    this.pool = [];
    this.id = `vt${++uid}`;

    this.el = document.createElement("div");
    this.el.className = `vt ${className}`.trim();
    this.scroller = document.createElement("div");
    this.scroller.className = "vt-scroll";
    this.scroller.tabIndex = 0;
    this.table = document.createElement("div");
    this.table.className = "vt-table";
    this.table.setAttribute("role", "table");
    this.table.setAttribute("aria-label", label);
    this.head = document.createElement("div");
    this.head.className = "vt-head";
    this.head.setAttribute("role", "rowgroup");
    this.headRow = document.createElement("div");
    this.headRow.className = "vt-row vt-header-row";
    this.headRow.setAttribute("role", "row");
    this.headRow.setAttribute("aria-rowindex", "1");
    this.head.append(this.headRow);
    this.spacer = document.createElement("div");
    this.spacer.className = "vt-spacer";
    this.body = document.createElement("div");
    this.body.className = "vt-body";
    this.body.setAttribute("role", "rowgroup");
    this.spacer.append(this.body);
    this.table.append(this.head, this.spacer);
    this.scroller.append(this.table);
    this.empty = document.createElement("p");
    this.empty.className = "vt-empty";
    this.empty.hidden = true;
    this.el.append(this.scroller, this.empty);
    this.el.style.setProperty("--row-h", `${rowHeight}px`);

    this.scroller.addEventListener("scroll", () => this.render(), { passive: true });
    if (typeof ResizeObserver === "function") {
      new ResizeObserver(() => this.render()).observe(this.scroller);
    }
  }

  /** Sets the label read by assistive technology. */
  setLabel(label) {
    this.table.setAttribute("aria-label", label);
  }

  /**
   * @param {{columns: string[], count: number, rowAt: (i: number) => ({values: unknown[], mark?: string, old?: unknown[]}|null), marks?: boolean, emptyText?: string}} data
   */
  setData({ columns, count, rowAt, marks = false, emptyText = "No rows." }) {
    const headChanged =
      marks !== this.marks ||
      columns.length !== this.columns.length ||
      columns.some((c, i) => c !== this.columns[i]);
    this.columns = columns;
    this.count = count;
    this.rowAt = rowAt;
    this.marks = marks;
    const n = columns.length + (marks ? 1 : 0);
    this.table.setAttribute("aria-rowcount", String(count + 1));
    this.table.setAttribute("aria-colcount", String(n));
    this.el.style.setProperty("--cols", String(columns.length));
    this.el.classList.toggle("vt-with-marks", marks);
    this.spacer.style.setProperty("--rows", String(count));
    if (headChanged) {
      this.headRow.replaceChildren();
      if (marks) this.headRow.append(this.headerCell("Change", "vt-mark-cell"));
      for (const c of columns) this.headRow.append(this.headerCell(c));
      for (const r of this.pool) r.remove();
      this.pool = [];
    }
    // Without columns there is no table to speak of: a header row without
    // cells is not a valid ARIA table (aria-required-children), so it goes.
    this.scroller.hidden = columns.length === 0;
    this.empty.textContent = emptyText;
    this.empty.hidden = count > 0 || columns.length === 0;
    this.render();
  }

  headerCell(text, cls = "") {
    const c = document.createElement("div");
    c.className = `vt-cell ${cls}`.trim();
    c.setAttribute("role", "columnheader");
    c.textContent = text;
    return c;
  }

  /** @returns {VRow} */
  makeRow() {
    const row = /** @type {VRow} */ (document.createElement("div"));
    row.className = "vt-row";
    row.setAttribute("role", "row");
    const cells = [];
    if (this.marks) {
      const m = document.createElement("div");
      m.className = "vt-cell vt-mark-cell";
      m.setAttribute("role", "cell");
      const icon = document.createElement("span");
      icon.className = "vt-mark-icon";
      icon.setAttribute("aria-hidden", "true");
      const text = document.createElement("span");
      text.className = "vt-mark-text";
      m.append(icon, text);
      row.append(m);
      row.markIcon = icon;
      row.markText = text;
    }
    for (let i = 0; i < this.columns.length; i++) {
      const c = /** @type {VCell} */ (document.createElement("div"));
      c.className = "vt-cell";
      c.setAttribute("role", "cell");
      const v = document.createElement("span");
      v.className = "vt-value";
      const old = document.createElement("span");
      old.className = "vt-old";
      c.append(v, old);
      c.valueEl = v;
      c.oldEl = old;
      cells.push(c);
      row.append(c);
    }
    row.cells_ = cells;
    return row;
  }

  /** Re-renders the rows in view (call after the data behind rowAt changed). */
  render() {
    const h = this.rowHeight;
    const viewH = this.scroller.clientHeight || 400;
    const top = this.scroller.scrollTop;
    const first = Math.max(0, Math.floor(top / h) - this.overscan);
    const last = Math.min(this.count, Math.ceil((top + viewH) / h) + this.overscan);
    const needed = Math.max(0, last - first);
    while (this.pool.length < needed) {
      const r = this.makeRow();
      this.pool.push(r);
      this.body.append(r);
    }
    this.body.style.setProperty("--offset", `${first * h}px`);
    for (let k = 0; k < this.pool.length; k++) {
      const row = this.pool[k];
      if (k >= needed) {
        row.hidden = true;
        continue;
      }
      const i = first + k;
      const data = this.rowAt(i);
      row.hidden = !data;
      if (!data) continue;
      row.setAttribute("aria-rowindex", String(i + 2));
      const mark = data.mark ?? "";
      if (row.mark_ !== mark) {
        if (row.mark_) row.classList.remove(`vt-${row.mark_}`);
        if (mark) row.classList.add(`vt-${mark}`);
        row.mark_ = mark;
        if (row.markIcon) {
          row.markIcon.textContent = MARKS[mark]?.icon ?? "";
          row.markText.textContent = MARKS[mark]?.text ?? "";
        }
      }
      const values = data.values;
      const old = data.old;
      for (let c = 0; c < row.cells_.length; c++) {
        const cell = row.cells_[c];
        const text = cellText(values[c]);
        if (cell.valueEl.textContent !== text) cell.valueEl.textContent = text;
        const oldText =
          mark === "changed" && old && cellText(old[c]) !== text ? cellText(old[c]) : "";
        if (cell.oldEl.textContent !== oldText) {
          cell.oldEl.textContent = oldText;
          cell.classList.toggle("vt-cell-changed", oldText !== "");
          if (oldText) cell.setAttribute("title", `now: ${oldText}`);
          else cell.removeAttribute("title");
        }
        cell.classList.toggle("vt-null", values[c] === null || values[c] === undefined);
      }
    }
  }
}
