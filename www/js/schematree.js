// @ts-check
// The schema panel (full page only): a tree of databases, their tables and
// columns, now, or while previewing as they were at the time shown (tables
// of then, columns by name). A table's button selects it for the table
// panel.

import { h } from "./dom.js";

/**
 * @typedef {{name: string, type?: string, key?: string}} SchemaColumn
 * @typedef {{name: string, type?: string, columns: SchemaColumn[]}} SchemaTable
 * @typedef {{name: string, tables: SchemaTable[]}} SchemaDb
 * @typedef {{db: string, table: string}} TableRef
 */

export class SchemaTree {
  /** @param {(value: string) => void} onSelect called with "db.table" when a table's button is pressed */
  constructor(onSelect) {
    this.onSelect = onSelect;
    this.tree = h("ul.rp-tree", { role: "tree", "aria-label": "Databases and tables" });
    this.title = h("h2", { text: "Schema" });
    this.el = h("aside.rp-schema", { "aria-label": "Schema" }, this.title, this.tree);
    /** @type {string | null} the time shown (engine text), null: now */
    this.shownAt = null;
    /** @type {string | null} what the tree shows while previewing (entry and table), to skip rebuilding it */
    this.key = null;
  }

  /**
   * Fills the tree: the databases and tables now, or, with `at` (the
   * previewed time, engine text), those of `info` as they were then.
   * @param {SchemaDb[]} info
   * @param {{at?: string | null, selected?: TableRef | null, curDb?: string | null}} [options]
   */
  render(info, { at = null, selected = null, curDb = null } = {}) {
    this.shownAt = at;
    this.title.textContent = at ? `Schema as of ${at}` : "Schema";
    this.el.classList.toggle("rp-schema-then", Boolean(at));
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
        const isSel = selected && selected.db === d.name && selected.table === t.name;
        const button = h("button.rp-tree-table", {
          type: "button",
          text: t.name,
          "aria-current": isSel ? "true" : null,
          "aria-label": `Show table ${d.name}.${t.name}`,
          on: { click: () => this.onSelect(`${d.name}.${t.name}`) },
        });
        tables.append(h("li", { role: "treeitem", "aria-expanded": "true" }, button, cols));
      }
      if (!d.tables.length) tables.append(h("li.rp-muted", { role: "treeitem", text: at ? "no tables then" : "no tables" }));
      items.push(
        h(
          "li",
          { role: "treeitem", "aria-expanded": "true" },
          h("span.rp-tree-db", { text: d.name }, !at && d.name === curDb ? h("span.rp-badge", { text: "in use" }) : null),
          tables,
        ),
      );
    }
    this.tree.replaceChildren(...items);
  }
}
