// The `reeldb` package in Node.js (>= 20), chosen by package.json's
// `exports` ("node" condition): the same module and API as in the browser,
// initialised synchronously from the wasm file next to it, with files
// instead of IndexedDB:
//
//   import { ReelDB } from "reeldb";
//   const db = await ReelDB.open("shop.reeldb");  // a file; ReelDB.openInMemory() keeps nothing
//
// A file holds page n at byte n * 4096, the format of the native shell
// (`reeldb shop.reeldb` opens it). Every commit is written and fsynced
// before its Promise resolves. One process at a time may open a file (a
// second open in the same process is refused: ALREADY_OPEN).
import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeSync,
} from "node:fs";
import { dirname, resolve } from "node:path";
import { ReelDB, initSync } from "./reeldb.js";
import { coded } from "./errors.js";

initSync({ module: readFileSync(new URL("./reeldb_bg.wasm", import.meta.url)) });

export * from "./reeldb.js";

/** Nothing to do in Node (the module is initialised on import); kept so browser code runs unchanged. */
export default async function init() {}

/** Makes a new directory entry durable: fsync of the directory holding `path`. */
function syncDir(path) {
  const fd = openSync(dirname(resolve(path)), "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Absolute paths of the files this process has open as databases. */
const openPaths = new Set();

/**
 * A `PageFile` (see reeldb.d.ts) over the file at `path`, created when
 * missing. A file already open in this process is refused (two engines
 * writing one file would corrupt it); other processes are not checked.
 */
export function nodePageFile(path) {
  const key = resolve(path);
  if (openPaths.has(key)) {
    throw coded("ALREADY_OPEN", `${path} is already open in this process: close() it first`);
  }
  let fd;
  try {
    fd = openSync(path, "r+");
  } catch (e) {
    if (e.code !== "ENOENT") throw e;
    fd = openSync(path, "wx+");
    syncDir(path);
  }
  openPaths.add(key);
  return {
    size: () => fstatSync(fd).size,
    read(offset, into) {
      for (let done = 0; done < into.length; ) {
        const n = readSync(fd, into, done, into.length - done, offset + done);
        if (n === 0) throw new Error(`${path}: unexpected end of file at byte ${offset + done}`);
        done += n;
      }
    },
    write(offset, data) {
      for (let done = 0; done < data.length; ) {
        done += writeSync(fd, data, done, data.length - done, offset + done);
      }
    },
    sync: () => fdatasyncSync(fd),
    close() {
      if (fd === undefined) return;
      closeSync(fd);
      fd = undefined;
      openPaths.delete(key);
    },
  };
}

function badOption(message) {
  return coded("BAD_OPTION", message);
}

// In Node a database's name is a file path.
Object.defineProperty(ReelDB, "open", {
  configurable: true,
  writable: true,
  value: async function open(path, options) {
    if (typeof path !== "string" || path === "") throw badOption("a database is opened by a non-empty file path");
    const file = nodePageFile(path);
    let db;
    try {
      db = ReelDB.openPageFile(file, options);
    } catch (e) {
      file.close(); // a file that is not a database, or bad options: let go of it
      throw e;
    }
    // delete() removes the file (the browser build deletes IndexedDB).
    Object.defineProperty(db, "delete", {
      configurable: true,
      value: async () => {
        await db.close();
        rmSync(path, { force: true });
      },
    });
    return db;
  },
});

Object.defineProperty(ReelDB, "deleteDatabase", {
  configurable: true,
  writable: true,
  value: async function deleteDatabase(path) {
    if (typeof path !== "string" || path === "") throw badOption("a database is named by a non-empty file path");
    rmSync(path, { force: true });
  },
});
