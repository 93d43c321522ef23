// @ts-check
// The preview's row merge: the rows of now and the differences between now
// and a past time T (reeldb_diff) become one list to show, in which every
// row is marked "then" (only at T), "now" (only now), "changed" (its value
// at T, with the one of now), or not at all (the same at both). Rows of T
// are placed among the rows of now in primary-key order. Pure: no DOM, no
// database; the result's `rowAt` answers in O(log n), so a 100k-row table
// costs only its differences per preview.

/** @typedef {unknown[]} Values a row, column by column */
/** @typedef {{values: Values, mark?: "then" | "now" | "changed" | "", old?: Values}} ShownRow */
/** @typedef {{change: "added" | "removed" | "changed", row: Values | null, old: Values | null}} DiffRow a difference from now (`old`) to T (`row`) */
/**
 * The rows of now, with an index from key to row number built on first use
 * (kept for the next preview of the same rows).
 * @typedef {{rows: Values[], index?: Map<string, number | number[]> | null}} CurrentRows
 */

/**
 * The key of a row: its primary-key values (`pk`: column numbers), or the
 * whole row when the table has no primary key.
 * @param {Values} values
 * @param {number[]} pk
 */
export function keyOf(values, pk) {
  if (!pk.length) return JSON.stringify(values);
  if (pk.length === 1) {
    const v = values[pk[0]];
    return typeof v === "number" ? `n${v}` : `s${v}`;
  }
  return JSON.stringify(pk.map((i) => values[i]));
}

/**
 * Orders two values as the table is ordered: NULL first, numbers by value,
 * anything else by its text.
 * @param {unknown} a
 * @param {unknown} b
 */
export function cmpValue(a, b) {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : 1;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Orders two rows by their primary-key columns.
 * @param {Values} a
 * @param {Values} b
 * @param {number[]} pk
 */
export function cmpPk(a, b, pk) {
  for (const i of pk) {
    const c = cmpValue(a[i], b[i]);
    if (c) return c;
  }
  return 0;
}

/**
 * @param {CurrentRows} current
 * @param {number[]} pk
 */
function indexOf(current, pk) {
  if (!current.index) {
    /** @type {Map<string, number | number[]>} */
    const index = new Map();
    for (let i = 0; i < current.rows.length; i++) {
      const k = keyOf(current.rows[i], pk);
      const prev = index.get(k);
      if (prev === undefined) index.set(k, i);
      else if (Array.isArray(prev)) prev.push(i);
      else index.set(k, [prev, i]);
    }
    current.index = index;
  }
  return current.index;
}

/**
 * Merges the rows of now with the differences to T.
 * @param {CurrentRows} current the rows of now (in key order when `pk` is not empty)
 * @param {number[]} pk primary-key column numbers ([]: rows are keyed by all their values)
 * @param {DiffRow[]} diff
 * @returns {{count: number, rowAt: (i: number) => ShownRow, then: number, now: number, changed: number}}
 *   `count` rows to show (`rowAt(0 .. count - 1)`), and how many are only then, only now, changed
 */
export function mergeRows(current, pk, diff) {
  const index = indexOf(current, pk);
  const rows = current.rows;
  /** @param {string} k @param {Set<number>} used */
  const take = (k, used) => {
    const v = index.get(k);
    if (v === undefined) return -1;
    if (!Array.isArray(v)) return used.has(v) ? -1 : v;
    for (const i of v) if (!used.has(i)) return i;
    return -1;
  };
  /** @type {Map<number, ShownRow>} */
  const marks = new Map();
  const used = new Set();
  /** @type {Values[]} */
  const added = [];
  let nThen = 0;
  let nNow = 0;
  let nChanged = 0;
  for (const d of diff) {
    if (d.change === "added") {
      added.push(/** @type {Values} */ (d.row));
      nThen++;
    } else if (d.change === "removed") {
      const i = take(keyOf(/** @type {Values} */ (d.old), pk), used);
      nNow++;
      if (i >= 0) {
        used.add(i);
        marks.set(i, { values: rows[i], mark: "now" });
      }
    } else {
      const i = take(keyOf(/** @type {Values} */ (d.old), pk), used);
      nChanged++;
      if (i >= 0) {
        used.add(i);
        marks.set(i, { values: /** @type {Values} */ (d.row), old: rows[i], mark: "changed" });
      } else {
        added.push(/** @type {Values} */ (d.row));
      }
    }
  }
  // Rows that exist only at T go among the rows of now, in key order.
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
  // Where each inserted row ends up in the merged list.
  const disp = ins.map((x, j) => x.at + j);
  /** @param {number} d */
  const rowAt = (d) => {
    let lo = 0;
    let hi = disp.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (disp[mid] < d) lo = mid + 1;
      else hi = mid;
    }
    if (lo < disp.length && disp[lo] === d) return { values: ins[lo].row, mark: /** @type {const} */ ("then") };
    const ci = d - lo;
    return marks.get(ci) ?? { values: rows[ci] };
  };
  return { count: rows.length + ins.length, rowAt, then: nThen, now: nNow, changed: nChanged };
}

// --------------------------------------------------------------------------
// Differences to a neighbouring time. While the handle moves from T' to a
// nearby T, the differences between now and T follow from those between now
// and T' and the few between T' and T: a step costs what changed between the
// two times, not what changed since T. Only for tables with a primary key
// (rows of a keyless table have no identity to follow).

/**
 * The differences between now and a time T, by row key: the row's values now
 * and at T (null: absent then), for the keys where the two differ.
 * @typedef {Map<string, {now: Values | null, then: Values | null}>} DiffMap
 */

/**
 * Whether two rows (or absences) have the same values.
 * @param {Values | null} a
 * @param {Values | null} b
 */
export function sameRow(a, b) {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (typeof x !== "object" || typeof y !== "object" || x === null || y === null) return false;
    if (JSON.stringify(x) !== JSON.stringify(y)) return false;
  }
  return true;
}

/**
 * The differences between now and T (reeldb_diff from now to T) by key.
 * @param {DiffRow[]} diff
 * @param {number[]} pk primary-key column numbers (not empty)
 * @returns {DiffMap}
 */
export function diffMap(diff, pk) {
  /** @type {DiffMap} */
  const map = new Map();
  for (const d of diff) {
    const values = /** @type {Values} */ (d.row ?? d.old);
    map.set(keyOf(values, pk), { now: d.old, then: d.row });
  }
  return map;
}

/**
 * The differences between now and T, from those between now and T'
 * (`base`) and those between T' and T (`step`: reeldb_diff from T' to T).
 * `base` is not changed.
 * @param {DiffMap} base
 * @param {DiffRow[]} step
 * @param {number[]} pk primary-key column numbers (not empty)
 * @returns {DiffMap}
 */
export function stepDiff(base, step, pk) {
  const map = new Map(base);
  for (const d of step) {
    const values = /** @type {Values} */ (d.row ?? d.old);
    const k = keyOf(values, pk);
    // A key that was the same now and at T' has at T' its value of now.
    const known = map.get(k);
    const now = known ? known.now : d.old;
    if (sameRow(now, d.row)) map.delete(k);
    else map.set(k, { now, then: d.row });
  }
  return map;
}

/**
 * The differences of a DiffMap as reeldb_diff rows (from now to T).
 * @param {DiffMap} map
 * @returns {DiffRow[]}
 */
export function diffRows(map) {
  /** @type {DiffRow[]} */
  const out = [];
  for (const { now, then } of map.values()) {
    out.push({ change: now === null ? "added" : then === null ? "removed" : "changed", row: then, old: now });
  }
  return out;
}
