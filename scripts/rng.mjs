// A small seeded pseudo-random generator (mulberry32) for the generated
// tests and differential runs, so that a failure reproduces from its seed.
// One home for the scripts (scripts/mysql-oracle/gen.mjs,
// scripts/history-roundtrip.mjs) and the browser tests.

/** @param {number} seed */
export function rng(seed) {
  let a = seed >>> 0;
  /** A number in [0, 1). */
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    /** An integer in 0..n-1. @param {number} n */
    int: (n) => Math.floor(next() * n),
    /** @template T @param {T[]} xs @returns {T} */
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    /** @param {number} p */
    chance: (p) => next() < p,
  };
}
