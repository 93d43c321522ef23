// @ts-check
// The database of one <reel-exercise>, in a worker: learner SQL that runs
// long never freezes the page, a time limit can stop it (the page
// terminates the worker), and an engine that traps takes only this worker
// with it. Not bundled: exercise.js starts it from www/js/ and passes the
// URL of reeldb.js.
//
// Messages: {id, op, args} → {id, ok, value} | {id, ok: false, error: {code, message}}.
// op "open" [pkgUrl] opens an in-memory database; any other op is a method
// of ReelDB (exec, timeline, restorePoints, setClock, close).

let db = null;

self.onmessage = async ({ data: { id, op, args } }) => {
  try {
    let value;
    if (op === "open") {
      const mod = await import(args[0]);
      await mod.default();
      db = mod.ReelDB.openInMemory();
      value = true;
    } else if (["exec", "timeline", "restorePoints", "setClock", "close"].includes(op)) {
      value = await db[op](...args);
    } else {
      throw Object.assign(new Error(`unknown operation ${op}`), { code: "BAD_OPERATION" });
    }
    self.postMessage({ id, ok: true, value: value ?? null });
  } catch (e) {
    // A trap (a panic, memory exhausted) leaves the engine unusable: the page ends this worker.
    const code = e instanceof WebAssembly.RuntimeError ? "ENGINE_STOPPED" : e?.code ?? "ERROR";
    self.postMessage({ id, ok: false, error: { code, message: e?.message ?? String(e) } });
  }
};
