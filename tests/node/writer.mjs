// Child process of api.test.mjs: commits one row at a time to the file
// argv[2], printing each id once its commit resolved (is durable), until
// it is killed.
import { ReelDB } from "reeldb";

const db = await ReelDB.open(process.argv[2]);
await db.exec("CREATE TABLE t (id INT PRIMARY KEY, pad VARCHAR(200))");
for (let id = 1; id < 100000; id++) {
  await db.query("INSERT INTO t VALUES (?, ?)", [id, "x".repeat(200)]);
  process.stdout.write(`${id}\n`);
}
