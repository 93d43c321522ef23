// @ts-check
// <reel-playground>: a ReelDB playground a tutorial author drops into a
// static page. Each element has its own in-memory database.
//
//   <reel-playground read-only time="2020-12-24 15:00:00" height="28rem" table="ProductsData">
//     <script type="text/sql">
//       CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20));
//       INSERT INTO t VALUES (1, 'a');
//     </script>
//   </reel-playground>
//
// Attributes: read-only (only SELECT/SHOW/DESCRIBE; previews but no
// backtrack), time (the timeline starts previewing that time: `YYYY-MM-DD
// HH:MM:SS` UTC or ISO 8601 with `Z` or an offset), height (CSS
// length of the element), table (the table shown first), label (accessible
// name), window (backtrack window in seconds), pkg (URL of reeldb.js).
// The element fires `reel-ready` when its database is set up. Its Share
// button copies a link to the moment shown (share.js); the link names the
// element by its id, and opening it rebuilds that element's database.

import { Playground } from "./playground.js";

export class ReelPlayground extends HTMLElement {
  connectedCallback() {
    if (this.playground) return;
    const setup = [...this.querySelectorAll('script[type="text/sql"]')].map((s) => s.textContent).join("\n");
    const label = this.getAttribute("label") ?? "ReelDB playground";
    this.setAttribute("role", "region");
    this.setAttribute("aria-label", label);
    const root = document.createElement("div");
    this.append(root);
    const win = this.getAttribute("window");
    this.playground = new Playground(root, {
      mode: "embed",
      setupSql: setup.trim() || undefined,
      readOnly: this.hasAttribute("read-only"),
      initialTime: this.getAttribute("time") ?? undefined,
      height: this.getAttribute("height") ?? undefined,
      table: this.getAttribute("table") ?? undefined,
      label,
      windowSecs: win === null ? undefined : Number(win),
      pkgUrl: this.getAttribute("pkg") ?? undefined,
      shareTarget: this.id,
    });
    this.ready = this.playground.start().then(
      () => {
        this.dataset.state = "ready";
      },
      (e) => {
        this.dataset.state = "error";
        throw e;
      },
    );
  }

  disconnectedCallback() {
    this.playground?.close();
  }
}

if (!customElements.get("reel-playground")) customElements.define("reel-playground", ReelPlayground);
