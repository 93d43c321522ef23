// How soon a commit in one tab is visible in another tab on the same
// database (100,000 rows, 3,000 commits of history): the writer's commit
// time and the delay until the other connection's \`remote\` event, five
// times; also a full open and a raw IndexedDB read of every page for scale.
//
//   node bench/browser/tabs.mjs      (needs pkg/ staged in www/: scripts/build.sh)
import { openTestPage, serveWww, launch } from "../../tests/browser/helpers.mjs";
const server = await serveWww();
const browser = await launch();
const ctx = await browser.newContext();
const page = await openTestPage(ctx, server);
const r = await page.evaluate(async () => {
  const out = {};
  const db = await ReelDB.open("remote", { durability: "relaxed" });
  await db.exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(40))");
  let sql = [];
  for (let i = 0; i < 100000; i++) sql.push(`(${i}, 'value number ${i}')`);
  for (let i = 0; i < 100; i++) await db.exec(`INSERT INTO t VALUES ${sql.slice(i * 1000, i * 1000 + 1000).join(",")}`);
  const ps = [];
  for (let i = 0; i < 3000; i++) ps.push(db.exec(`UPDATE t SET v = 'x${i}' WHERE id = ${i}`));
  await Promise.all(ps);
  let t0 = performance.now();
  const db2 = await ReelDB.open("remote");
  out.openMs = performance.now() - t0;
  // raw getAll
  t0 = performance.now();
  const idb = await new Promise((ok) => { const q = indexedDB.open("reeldb:remote"); q.onsuccess = () => ok(q.result); });
  await new Promise((ok) => { const tx = idb.transaction("pages"); const s = tx.objectStore("pages"); const a = s.getAllKeys(); const b = s.getAll(); tx.oncomplete = ok; });
  out.rawLoadMs = performance.now() - t0;
  idb.close();
  const times = [];
  for (let i = 0; i < 5; i++) {
    const got = new Promise((ok) => { const stop = db2.subscribe((e) => { if (e.type === "remote") { stop(); ok(performance.now()); } }); });
    const t1 = performance.now();
    await db.exec(`UPDATE t SET v = 'y${i}' WHERE id = 5`);
    const t2 = performance.now();
    times.push([t2 - t1, (await got) - t2]);
  }
  out.remote = times;
  out.pages = db.storageInfo();
  await db.close(); await db2.close();
  await ReelDB.deleteDatabase("remote");
  return out;
});
console.log(`open (load every page + decode): ${r.openMs.toFixed(0)} ms; raw IndexedDB read of all ${r.pages.pages} pages: ${r.rawLoadMs.toFixed(0)} ms`);
for (const [commit, seen] of r.remote) console.log(`commit ${commit.toFixed(1)} ms, seen by the other tab ${seen.toFixed(1)} ms later`);
await browser.close(); await server.close();
