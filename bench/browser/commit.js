// The page side of bench/browser/commit.mjs: raw IndexedDB and one or more
// builds of ReelDB (`?pkg=/pkg/reeldb.js,/target/other/reeldb.js`), each
// module loaded once, so A and B runs interleave in one page.
import { rawIdbCommits, reeldbCommits } from "./commits.js";

const paths = (new URLSearchParams(location.search).get("pkg") ?? "/pkg/reeldb.js").split(",");
const builds = [];
for (const path of paths) {
  const m = await import(path);
  await m.default();
  builds.push(m.ReelDB);
}

window.commit = {
  raw: (ms, durability) => rawIdbCommits(ms, durability),
  reeldb: (i, ms, durability) => reeldbCommits(builds[i], ms, durability),
};
window.commitReady = true;

/**
 * Where an awaited commit's time goes: `IDBDatabase.prototype.transaction`
 * is wrapped to note when each readwrite transaction starts and completes;
 * `run` is a loop of awaited commits calling `mark()` before each one.
 * Returns mean ms per commit: call → transaction start, start → `complete`,
 * `complete` → the awaited Promise resolved, and the total.
 */
async function split(run) {
  const original = IDBDatabase.prototype.transaction;
  const marks = [];
  let current = null;
  IDBDatabase.prototype.transaction = function (...args) {
    const tx = original.apply(this, args);
    if (args[1] === "readwrite" && current && current.start == null) {
      const c = current;
      c.start = performance.now();
      tx.addEventListener("complete", () => (c.complete = performance.now()));
    }
    return tx;
  };
  try {
    await run(() => {
      if (current) current.resolved = performance.now();
      current = { call: performance.now() };
      marks.push(current);
    });
  } finally {
    IDBDatabase.prototype.transaction = original;
  }
  const done = marks.filter((m) => m.start != null && m.complete != null && m.resolved != null);
  const mean = (f) => done.reduce((a, m) => a + f(m), 0) / done.length;
  return {
    commits: done.length,
    beforeTx: mean((m) => m.start - m.call),
    inTx: mean((m) => m.complete - m.start),
    afterTx: mean((m) => m.resolved - m.complete),
    total: mean((m) => m.resolved - m.call),
  };
}

window.commit.split = async (which, n, durability) => {
  if (which === "raw") {
    const db = await new Promise((ok, fail) => {
      const req = indexedDB.open("bench-split", 1);
      req.onupgradeneeded = () => req.result.createObjectStore("pages");
      req.onsuccess = () => ok(req.result);
      req.onerror = () => fail(req.error);
    });
    const page = new Uint8Array(4096);
    const out = await split(async (mark) => {
      for (let i = 0; i <= n; i++) {
        mark();
        await new Promise((ok, fail) => {
          const tx = db.transaction("pages", "readwrite", { durability });
          tx.objectStore("pages").put(page, i % 64);
          tx.oncomplete = ok;
          tx.onabort = () => fail(tx.error);
        });
      }
      mark();
    });
    db.close();
    return out;
  }
  const ReelDB = builds[which];
  await ReelDB.deleteDatabase("bench-split");
  const db = await ReelDB.open("bench-split", { durability });
  await db.exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))");
  const out = await split(async (mark) => {
    for (let i = 0; i <= n; i++) {
      mark();
      await db.query("INSERT INTO t VALUES (?, ?)", [i, "row"]);
    }
    mark();
  });
  await db.delete();
  return out;
};
