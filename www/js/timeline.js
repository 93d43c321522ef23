// @ts-check
// The timeline model: which commit is the state as of a time, the time at
// which a preview reads that state, and the span the scrubber's axis
// covers. Pure: times are microseconds since the epoch (see time.js).

/**
 * A timeline entry (a commit or a backtrack) as the page keeps it.
 * @typedef {{seq: number, us: number, time: string, kind: string, summary: string, rowsChanged: number}} Entry
 */

/**
 * The entry that is the state as of `us`: the last one at or before it
 * (null before the first).
 * @template {{us: number}} E
 * @param {E[]} entries in time order
 * @param {number} us
 * @returns {E | null}
 */
export function entryAt(entries, us) {
  let lo = 0;
  let hi = entries.length - 1;
  let found = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid].us <= us) {
      found = entries[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * The time a preview of `us` shows and reads: a readable time whose state
 * is the same as `us`'s. Whole seconds, unless a commit lies in between
 * (then the commit's time, `entry`) or the earliest reachable time does
 * (then that time: with a narrowed window, the commit current at `us` may
 * be older than anything the engine can still read, though its state is not).
 * @param {number} us
 * @param {{us: number} | null} entry the entry current at `us` (entryAt)
 * @param {number} earliestUs the earliest reachable time (NaN: unknown)
 */
export function readTime(us, entry, earliestUs) {
  let t = Math.floor(us / 1e6) * 1e6;
  if (entry) t = Math.max(t, entry.us);
  if (!Number.isNaN(earliestUs)) t = Math.max(t, earliestUs);
  return t;
}

/**
 * The span of the scrubber's axis. The right edge is now. The left edge is
 * the earliest reachable time when history was trimmed to the window (its
 * state is the last entry before it); when the window reaches before the
 * first commit, a little before that commit (the empty database), in whole
 * seconds, not a day earlier; with no entries, a minute before now.
 * @param {{us: number}[]} entries in time order
 * @param {number} nowUs
 * @param {number} earliestUs NaN when unknown
 * @returns {{left: number, right: number}}
 */
export function axisSpan(entries, nowUs, earliestUs) {
  let left;
  if (entries.length && entries[0].us < earliestUs) {
    left = earliestUs;
  } else if (entries.length) {
    const first = entries[0];
    const span = Math.max(nowUs - first.us, 1e6);
    left = Math.max(earliestUs || 0, Math.floor((first.us - Math.max(1e6, span * 0.04)) / 1e6) * 1e6);
  } else {
    left = nowUs - 60e6;
  }
  return { left, right: Math.max(nowUs, left + 1e6) };
}

/**
 * p50, p95 and the largest of a list of durations (ms); NaN when empty.
 * @param {number[]} times
 */
export function percentiles(times) {
  const s = [...times].sort((a, b) => a - b);
  /** @param {number} p */
  const q = (p) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN);
  return { count: s.length, p50: q(0.5), p95: q(0.95), max: s.at(-1) ?? NaN };
}
