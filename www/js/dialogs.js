// @ts-check
// The playground's dialogs: confirm a backtrack, start over after the
// browser discarded the stored pages, the backtrack log, and the share
// link. Native <dialog> elements (focus trapped and restored by the
// browser), named by their headings.

import { h } from "./dom.js";

/**
 * @typedef {{id: number, target: string, from: string, status: string, reason?: string}} BacktrackRecord
 */

export class Dialogs {
  /** @param {string} id the playground's id (prefix of the headings' ids) */
  constructor(id) {
    // A dialog asking to confirm: a title, a variable text, a note, and
    // cancel / ok buttons (returnValue "ok" when confirmed).
    /**
     * @param {string} key
     * @param {string} title
     * @param {HTMLElement} text
     * @param {string} note
     * @param {string} cancel
     * @param {string} ok
     */
    const confirmDialog = (key, title, text, note, cancel, ok) =>
      h(
        "dialog.rp-dialog",
        { "aria-labelledby": `${id}-${key}` },
        h("h2", { id: `${id}-${key}`, text: title }),
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
    /** @type {HTMLDialogElement} */
    this.confirm = confirmDialog(
      "cd",
      "Backtrack the database?",
      this.confirmText,
      "Every table of every database returns to that time. Nothing is lost: the backtrack is recorded, and you can move forward again while it is inside the window.",
      "Cancel",
      "Backtrack",
    );
    this.lostText = h("p");
    /** @type {HTMLDialogElement} */
    this.lost = confirmDialog(
      "lost",
      "This database's storage is gone",
      this.lostText,
      "The browser no longer has its pages, so its tables and its history cannot be shown. Starting over deletes what is left and opens a new, empty database under the same name.",
      "Leave it",
      "Start a new database",
    );
    this.oldText = h("p");
    /** @type {HTMLDialogElement} */
    this.old = confirmDialog(
      "old",
      "This database was saved in another format",
      this.oldText,
      "This version of ReelDB stores its pages in a newer format and cannot read this database. Starting over deletes it and opens a new, empty database under the same name.",
      "Leave it",
      "Start a new database",
    );
    this.logBody = h("div.rp-log");
    /** @type {HTMLDialogElement} */
    this.log = h(
      "dialog.rp-dialog.rp-wide",
      { "aria-labelledby": `${id}-ld` },
      h("h2", { id: `${id}-ld`, text: "Backtrack log" }),
      this.logBody,
      h("form.rp-dialog-buttons", { method: "dialog" }, h("button.rp-btn", { value: "close", text: "Close" })),
    );
    this.shareOut = h("input.rp-share-url", { type: "text", readOnly: true, "aria-label": "Link to this moment" });
    this.shareNote = h("p.rp-muted");
    /** @type {HTMLDialogElement} */
    this.share = h(
      "dialog.rp-dialog.rp-wide",
      { "aria-labelledby": `${id}-sd` },
      h("h2", { id: `${id}-sd`, text: "Share link" }),
      this.shareNote,
      this.shareOut,
      h("form.rp-dialog-buttons", { method: "dialog" }, h("button.rp-btn", { value: "close", text: "Close" })),
    );
    this.all = [this.confirm, this.lost, this.old, this.log, this.share];
  }

  /**
   * Asks to confirm a backtrack described by `text`; resolves true for "Backtrack".
   * @param {string} text
   * @returns {Promise<boolean>}
   */
  askBacktrack(text) {
    this.confirmText.textContent = text;
    return ask(this.confirm);
  }

  /**
   * Shows the STORAGE_LOST or UNKNOWN_FORMAT dialog; resolves true for
   * "Start a new database".
   * @param {{message: string, code?: string}} error
   */
  askStartOver(error) {
    const old = error.code === "UNKNOWN_FORMAT";
    (old ? this.oldText : this.lostText).textContent = error.message;
    return ask(old ? this.old : this.lost);
  }

  /** @param {BacktrackRecord[]} log every backtrack, oldest first */
  showLog(log) {
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
    this.log.showModal();
  }

  /**
   * Shows a share link (selected, to copy by hand) or why there is none.
   * @param {string} url "" when there is no link
   * @param {string} note
   */
  showShare(url, note) {
    this.shareNote.textContent = note;
    this.shareOut.value = url;
    this.share.showModal();
    this.shareOut.select();
  }
}

/**
 * Opens a confirm dialog; resolves true when it closes with "ok".
 * @param {HTMLDialogElement} dialog
 * @returns {Promise<boolean>}
 */
function ask(dialog) {
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    dialog.showModal();
  });
}
