// reeldb/testing in Node: checkpoint, reset and changesSince on an
// in-memory database and on a file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ReelDB } from "reeldb";
import { changesSince, checkpoint, reset } from "reeldb/testing";

async function seeded(db) {
  await db.exec(
    "CREATE DATABASE shop; USE shop; CREATE TABLE p (id INT PRIMARY KEY, name VARCHAR(20), qty INT);" +
      "INSERT INTO p VALUES (1, 'a', 1), (2, 'b', 2), (3, 'c', 3); CREATE TABLE keep (k INT)",
  );
  return db;
}

for (const [storage, open] of [
  ["memory", async () => ReelDB.openInMemory()],
  ["file", async () => ReelDB.open(join(mkdtempSync(join(tmpdir(), "reeldb-kit-")), "t.reeldb"))],
]) {
  test(`${storage}: changesSince lists added, removed and changed rows per table`, async () => {
    const db = await seeded(await open());
    const cp = await checkpoint(db, "start");
    assert.equal(cp.name, "start");
    await db.exec(
      "DELETE FROM p WHERE id = 1; UPDATE p SET qty = 20 WHERE id = 2; INSERT INTO p VALUES (4, 'd', 4);" +
        "CREATE TABLE fresh (x INT); INSERT INTO fresh VALUES (9)",
    );
    const changes = await changesSince(db, "start");
    assert.deepEqual(Object.keys(changes), ["shop.fresh", "shop.p"]);
    assert.deepEqual(changes["shop.p"], {
      added: [{ id: 4, name: "d", qty: 4 }],
      removed: [{ id: 1, name: "a", qty: 1 }],
      changed: [{ before: { id: 2, name: "b", qty: 2 }, after: { id: 2, name: "b", qty: 20 } }],
    });
    assert.deepEqual(changes["shop.fresh"], { added: [{ x: 9 }], removed: [], changed: [] });
    await db.close();
  });

  test(`${storage}: reset returns to the checkpoint, again and again`, async () => {
    const db = await seeded(await open());
    await checkpoint(db, "start");
    for (let round = 0; round < 3; round++) {
      await reset(db, "start");
      assert.deepEqual(await changesSince(db, "start"), {}, "nothing changed right after a reset");
      assert.deepEqual(await db.query("SELECT id FROM p ORDER BY id"), [{ id: 1 }, { id: 2 }, { id: 3 }]);
      await db.exec(`DELETE FROM p WHERE id = ${round + 1}; DROP TABLE keep`);
      assert.equal((await db.query("SELECT COUNT(*) AS n FROM p"))[0].n, 2);
      const changes = await changesSince(db, "start");
      assert.equal(changes["shop.p"].removed.length, 1);
      assert.deepEqual(changes["shop.keep"], undefined, "an empty dropped table changed no rows");
    }
    // A new checkpoint of the same name replaces the old one.
    await checkpoint(db, "start");
    await reset(db, "start");
    assert.equal((await db.query("SELECT COUNT(*) AS n FROM p"))[0].n, 2);
    await assert.rejects(changesSince(db, "nope"), { code: "UNKNOWN_RESTORE_POINT" });
    await db.close();
  });
}
