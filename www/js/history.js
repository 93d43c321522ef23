// @ts-check
// The console's statement history: the last 100 scripts run, newest last,
// without repeats; stepped through with Ctrl/⌘+↑↓. Read from the storage
// given (localStorage) and written back when `keep` is set (the playground
// page; an embedded playground keeps its additions in memory). Pure but for
// that storage.

const KEY = "reeldb.history";

export class StatementHistory {
  /**
   * @param {{getItem(key: string): string | null, setItem(key: string, value: string): void} | null} storage
   *   where the history is read from (null: none)
   * @param {{keep?: boolean, max?: number}} [options] `keep`: write additions back to `storage`
   */
  constructor(storage, { keep = false, max = 100 } = {}) {
    this.storage = storage;
    this.keep = keep;
    this.max = max;
    /** @type {string[]} oldest first */
    this.list = this.load();
    /** @type {number | null} the position Ctrl+↑↓ is at (null: past the newest) */
    this.pos = null;
  }

  /** @returns {string[]} */
  load() {
    try {
      const v = JSON.parse(this.storage?.getItem(KEY) ?? "[]");
      return Array.isArray(v) ? v.filter((x) => typeof x === "string").slice(-this.max) : [];
    } catch {
      return [];
    }
  }

  /** Records a script run (trimmed; an earlier copy of it moves to the end). @param {string} text */
  push(text) {
    const t = text.trim();
    this.list = this.list.filter((x) => x !== t);
    this.list.push(t);
    if (this.list.length > this.max) this.list.shift();
    this.pos = null;
    if (!this.keep) return;
    try {
      this.storage?.setItem(KEY, JSON.stringify(this.list));
    } catch {
      /* storage full or blocked: history stays in memory */
    }
  }

  /**
   * Steps back (`dir` -1) or forward (+1): the script there, "" past the
   * newest, null when there is no history.
   * @param {number} dir
   */
  step(dir) {
    if (!this.list.length) return null;
    let p = this.pos ?? this.list.length;
    p = Math.min(this.list.length, Math.max(0, p + dir));
    this.pos = p;
    return p === this.list.length ? "" : this.list[p];
  }

  /** The entries for a picker, newest first: `{index, label}` (one line, at most 70 characters). */
  options() {
    return this.list
      .map((t, index) => {
        const one = t.replace(/\s+/g, " ");
        return { index, label: one.length > 70 ? `${one.slice(0, 67)}…` : one };
      })
      .reverse();
  }
}
