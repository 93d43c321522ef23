// The durable-commit loops of the browser benchmarks, shared by bench.js
// (run.mjs, peers.mjs) and commit.js (commit.mjs: A/B runs and profiles of
// the commit path). Each returns commits per second.

const now = () => performance.now();

function rawIdbOpen(name) {
  return new Promise((ok, fail) => {
    const req = indexedDB.open(name, 1);
    req.onupgradeneeded = () => req.result.createObjectStore("pages");
    req.onsuccess = () => ok(req.result);
    req.onerror = () => fail(req.error);
  });
}

function idbDelete(name) {
  return new Promise((ok) => {
    const req = indexedDB.deleteDatabase(name);
    req.onsuccess = req.onerror = req.onblocked = () => ok();
  });
}

/** A raw IndexedDB loop: one readwrite transaction putting one 4 KiB page, awaited, per iteration. */
export async function rawIdbCommits(ms, durability) {
  await idbDelete("bench-raw");
  const db = await rawIdbOpen("bench-raw");
  const page = new Uint8Array(4096);
  let n = 0;
  const t0 = now();
  while (now() - t0 < ms) {
    await new Promise((ok, fail) => {
      const tx = db.transaction("pages", "readwrite", { durability });
      page[0] = n & 255;
      tx.objectStore("pages").put(page, n % 64);
      tx.oncomplete = ok;
      tx.onabort = () => fail(tx.error);
    });
    n++;
  }
  const secs = (now() - t0) / 1000;
  db.close();
  await idbDelete("bench-raw");
  return n / secs;
}

/** Durable single-row commits of `ReelDB` (a module's class), one at a time (each awaited). */
export async function reeldbCommits(ReelDB, ms, durability) {
  await ReelDB.deleteDatabase("bench-commit");
  const db = await ReelDB.open("bench-commit", { durability });
  await db.exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))");
  let n = 0;
  const t0 = now();
  while (now() - t0 < ms) {
    await db.query("INSERT INTO t VALUES (?, ?)", [n, "row"]);
    n++;
  }
  const secs = (now() - t0) / 1000;
  const info = db.storageInfo();
  await db.delete();
  return { perSec: n / secs, pagesPerCommit: info.pagesWritten / info.idbTransactions };
}
