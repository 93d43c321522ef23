// The test kit in Vitest's browser mode: one database seeded once, reset to
// its checkpoint before each test (a backtrack, not a re-seed), and
// changesSince to assert what a test changed.
import { beforeAll, beforeEach, expect, test } from "vitest";
import init, { ReelDB } from "reeldb";
import { changesSince, checkpoint, reset } from "reeldb/testing";

let db;

beforeAll(async () => {
  await init();
  db = ReelDB.openInMemory();
  await db.exec(`CREATE DATABASE inventory; USE inventory;
    CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, qty INT NOT NULL);
    INSERT INTO items VALUES (1, 'Laptop', 2), (2, 'Monitor', 0), (3, 'Keyboard', 7)`);
  await checkpoint(db, "seeded");
});

beforeEach(() => reset(db, "seeded"));

/** The code under test: sells one unit of `name` if in stock. */
async function sell(name) {
  const [r] = await db.exec(`UPDATE items SET qty = qty - 1 WHERE name = '${name}' AND qty > 0`);
  return r.rowsAffected === 1;
}

test("selling changes exactly one row", async () => {
  expect(await sell("Laptop")).toBe(true);
  expect(await changesSince(db, "seeded")).toEqual({
    "inventory.items": {
      added: [],
      removed: [],
      changed: [{ before: { id: 1, name: "Laptop", qty: 2 }, after: { id: 1, name: "Laptop", qty: 1 } }],
    },
  });
});

test("nothing is sold out of stock, and nothing changes", async () => {
  expect(await sell("Monitor")).toBe(false);
  expect(await changesSince(db, "seeded")).toEqual({});
});

test("each test starts from the seeded rows", async () => {
  expect(await db.query("SELECT name, qty FROM items ORDER BY id")).toEqual([
    { name: "Laptop", qty: 2 },
    { name: "Monitor", qty: 0 },
    { name: "Keyboard", qty: 7 },
  ]);
  await db.exec("DELETE FROM items");
});
