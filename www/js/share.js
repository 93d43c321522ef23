// @ts-check
// Share links to a moment: a URL whose fragment carries a database's setup
// (inline SQL, or the URL of a SQL dump / ReelDB export), the statements run
// after it, the commit time of every timeline entry, and the moment on the
// timeline to open.
//
//   #reel=<base64url(deflate-raw(JSON))>
//
// JSON: {v: 1, target?, setup?, setupUrl?, statements: [sql], clocks: {from, times}, time}
//
// `clocks` makes the replay exact: before each statement the engine's clock
// is set to the time the next timeline entry had when the link was made, so
// the rebuilt timeline has the same times and `time` names the same moment.
//
// Also the playground's other ways out and in (the rest of this file's
// "playground hooks"): a SQL export, a SQL import, a `.reeldb` file, and the
// older `#sql=` links to a script.
//
// Decoding never touches a database: a link that is too long, not base64url,
// not deflate-raw, too large once inflated, or not this JSON fails with a
// `ShareLinkError` (code `BAD_SHARE_LINK` or `SHARE_LINK_TOO_LONG`) naming
// what is wrong, before anything runs.

import { splitStatements } from "./sqlsplit.js";
import { parseTime, formatTime } from "./time.js";

/** @typedef {import("./playground.js").Playground} Playground */

/** The longest fragment a link may have (characters after `#reel=`). */
export const MAX_LINK_CHARS = 32 * 1024;
/** The most a fragment may inflate to (bytes of JSON). */
export const MAX_INFLATED_BYTES = 1024 * 1024;

const PREFIX = "#reel=";

export class ShareLinkError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "ShareLinkError";
    this.code = code;
  }
}

function toBase64Url(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new ShareLinkError("BAD_SHARE_LINK", "The share link is damaged: it has characters that base64url does not use.");
  try {
    const s = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    return Uint8Array.from(s, (c) => c.charCodeAt(0));
  } catch {
    throw new ShareLinkError("BAD_SHARE_LINK", "The share link is damaged: it is not valid base64url.");
  }
}

async function pipeBytes(bytes, stream, limit) {
  const reader = new Blob([bytes]).stream().pipeThrough(stream).getReader();
  const chunks = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The fragment (`#reel=…`) for a share payload; throws `SHARE_LINK_TOO_LONG` past {@link MAX_LINK_CHARS}. */
export async function encodeShare(payload) {
  const json = new TextEncoder().encode(JSON.stringify({ v: 1, ...payload }));
  const packed = await pipeBytes(json, new CompressionStream("deflate-raw"), Infinity);
  const text = toBase64Url(packed);
  if (text.length > MAX_LINK_CHARS) {
    throw new ShareLinkError(
      "SHARE_LINK_TOO_LONG",
      `This moment is too large for a link (${Math.ceil(text.length / 1024)} KB compressed, the limit is ${MAX_LINK_CHARS / 1024} KB): use Export to save a file instead.`,
    );
  }
  return PREFIX + text;
}

/** Whether `hash` is a share link's fragment (well formed or not). */
export function isShareHash(hash) {
  return typeof hash === "string" && hash.startsWith(PREFIX);
}

const isText = (x) => typeof x === "string";

/** The payload of a `#reel=` fragment; throws a `ShareLinkError` naming what is wrong. */
export async function decodeShare(hash) {
  const text = hash.slice(PREFIX.length);
  if (text.length > MAX_LINK_CHARS) {
    throw new ShareLinkError("SHARE_LINK_TOO_LONG", `The share link is too long (${Math.ceil(text.length / 1024)} KB; the limit is ${MAX_LINK_CHARS / 1024} KB).`);
  }
  if (!text) throw new ShareLinkError("BAD_SHARE_LINK", "The share link is empty.");
  const bytes = fromBase64Url(text);
  let json;
  try {
    json = await pipeBytes(bytes, new DecompressionStream("deflate-raw"), MAX_INFLATED_BYTES);
  } catch {
    throw new ShareLinkError("BAD_SHARE_LINK", "The share link is damaged: its data does not decompress (it may have been cut short).");
  }
  if (json === null) {
    throw new ShareLinkError("BAD_SHARE_LINK", `The share link unpacks to more than ${MAX_INFLATED_BYTES / 1024 / 1024} MB.`);
  }
  let p;
  try {
    p = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(json));
  } catch {
    throw new ShareLinkError("BAD_SHARE_LINK", "The share link is damaged: its data is not JSON.");
  }
  const bad = (what) => new ShareLinkError("BAD_SHARE_LINK", `The share link is not a ReelDB moment: ${what}.`);
  if (!p || typeof p !== "object" || Array.isArray(p)) throw bad("no payload object");
  if (p.v !== 1) throw bad(`unknown version ${JSON.stringify(p.v)}`);
  if (p.setup !== undefined && !isText(p.setup)) throw bad("setup is not text");
  if (p.setupUrl !== undefined && !isText(p.setupUrl)) throw bad("setupUrl is not text");
  if (p.target !== undefined && !isText(p.target)) throw bad("target is not text");
  if (!Array.isArray(p.statements) || !p.statements.every(isText)) throw bad("statements is not a list of SQL texts");
  const c = p.clocks ?? { from: 0, times: [] };
  if (!Number.isInteger(c.from) || c.from < 0 || !Array.isArray(c.times) || !c.times.every((t) => isText(t) && !Number.isNaN(parseTime(t)))) {
    throw bad("clocks is not a list of times");
  }
  if (p.time !== undefined && p.time !== null && (!isText(p.time) || Number.isNaN(parseTime(p.time)))) throw bad(`time ${JSON.stringify(p.time)} is not a time`);
  return { target: p.target, setup: p.setup, setupUrl: p.setupUrl, statements: p.statements, clocks: c, time: p.time ?? null };
}

/**
 * The share payload of a database: `setup` (or `setupUrl`) and the
 * statements run after it, with the times of its timeline entries and the
 * moment `time` (engine text).
 * @param {import("./db.js").PlaygroundDb} db
 * @param {{setup?: string, setupUrl?: string, statements: string[], time: string | null, target?: string}} what
 */
export async function sharePayload(db, { setup, setupUrl, statements, time, target }) {
  const entries = await db.timeline();
  const from = entries.length ? entries[0].seq : 0;
  const times = entries.map((e) => e.time);
  return { target, setup: setupUrl ? undefined : setup, setupUrl, statements, clocks: { from, times }, time };
}

/** Fetches a setup script (a SQL dump or a ReelDB export) from `url`; errors name the URL. */
export async function fetchSetup(url, { maxBytes = 16 * 1024 * 1024 } = {}) {
  let res;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new ShareLinkError("BAD_SETUP_URL", `Could not load the dataset ${url}: ${e.message ?? e}`);
  }
  if (!res.ok) throw new ShareLinkError("BAD_SETUP_URL", `Could not load the dataset ${url}: HTTP ${res.status}`);
  const len = Number(res.headers.get("content-length") ?? 0);
  if (len > maxBytes) throw new ShareLinkError("BAD_SETUP_URL", `The dataset ${url} is larger than ${maxBytes / 1024 / 1024} MB.`);
  const text = await res.text();
  if (text.length > maxBytes) throw new ShareLinkError("BAD_SETUP_URL", `The dataset ${url} is larger than ${maxBytes / 1024 / 1024} MB.`);
  return text;
}

/**
 * Replays a decoded payload into `db` (a fresh database): the setup, then
 * each statement, each with the clock its timeline entry had. Returns the
 * setup text (fetched when the link names a URL). The clock is given back
 * to the system at the end, unless the replayed timeline ends more than an
 * hour before the system's time (a story told with SET TIMESTAMP): then it
 * stays at that end, as it was, so the window does not trim the story.
 */
export async function replayShare(db, payload) {
  const setup = payload.setupUrl ? await fetchSetup(payload.setupUrl) : payload.setup ?? "";
  const { from, times } = payload.clocks;
  const raw = db.raw;
  /** @param {string} sql */
  const runOne = async (sql) => {
    const entries = await db.timeline();
    const next = entries.length ? entries[entries.length - 1].seq + 1 : 0;
    const t = times[next - from];
    if (t) raw.setClock(t);
    await db.exec(sql);
  };
  try {
    for (const st of splitStatements(setup)) await runOne(st.sql);
    for (const sql of payload.statements) for (const st of splitStatements(sql)) await runOne(st.sql);
  } finally {
    const last = times.at(-1);
    if (!last || Date.now() * 1000 - parseTime(last) < 3600e6) raw.setClock(null);
  }
  return setup;
}

// ------------------------------------------------- playground hooks --
// The playground (playground.js) calls these; they use its database
// (`pg.db`), its session log of statements run, its scrubber and status.

/**
 * The export's file name at epoch milliseconds `ms`: `reeldb-YYYY-MM-DD-HH-MM-SS.sql` (UTC, whole seconds).
 * @param {number} ms
 */
export function exportFileName(ms) {
  return `reeldb-${formatTime(Math.floor(ms / 1000) * 1e6).replace(/[: ]/g, "-")}.sql`;
}

/**
 * The SQL of an older `#sql=` share link (a script, no moment), or null; links to a moment are `#reel=`.
 * @param {string} hash
 */
export function sharedScriptFromHash(hash) {
  const m = /^#sql=([A-Za-z0-9_-]+)$/.exec(hash);
  if (!m) return null;
  try {
    return new TextDecoder().decode(fromBase64Url(m[1]));
  } catch {
    return null;
  }
}

/**
 * Downloads the current state of `pg`'s database as a SQL file.
 * @param {Playground} pg
 */
export async function exportFile(pg) {
  try {
    const text = await pg.db.exportSql();
    const blob = new Blob([text], { type: "text/plain" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = exportFileName(Date.now());
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 5000);
    pg.setStatus("Exported the current state as a SQL file.", "ok");
  } catch (e) {
    pg.setStatus(`Export failed: ${e.message}`, "error");
  }
}

/**
 * Runs a SQL file (an export, or any script) in `pg`'s database.
 * @param {Playground} pg
 * @param {File} file
 */
export async function importFile(pg, file) {
  const text = await file.text();
  try {
    await pg.db.importSql(text);
    pg.sessionLog.push(text.trim());
    pg.setStatus(`Imported ${file.name}.`, "ok");
  } catch (e) {
    pg.console.showError(e, null, `-- ${file.name}`);
    pg.setStatus(`Import of ${file.name} failed: ${e.message}`, "error");
  }
  await pg.refresh();
}

/**
 * Opens a `.reeldb` file (a database with its timeline: `exportImage()`,
 * a file written in Node or by the shell, a failed test's attachment) as
 * an in-memory copy in `pg`, ready to scrub; the database open before is
 * left as it is (in IndexedDB) and comes back on reload.
 * @param {Playground} pg
 * @param {File} file
 */
export async function openImageFile(pg, file) {
  try {
    await pg.openDb({ image: new Uint8Array(await file.arrayBuffer()) });
    if (pg.storage) pg.storage.textContent = `${file.name} (in memory)`;
    pg.setStatus(`Opened ${file.name}: ${pg.entries.length} timeline entries. Drag the timeline to scrub through them.`, "ok");
  } catch (e) {
    pg.setStatus(`Could not open ${file.name}: ${e.message ?? e}`, "error");
  }
}

/**
 * Shows (and copies) the link to `pg`'s moment: setup, statements and the previewed time.
 * @param {Playground} pg
 */
export async function shareMoment(pg) {
  let url = "";
  let note;
  try {
    ({ url, note } = await momentLink(pg));
    try {
      await navigator.clipboard.writeText(url);
      note = `${note} Copied to the clipboard.`;
    } catch {
      // No clipboard permission: the link is selected in the dialog to copy by hand.
    }
  } catch (e) {
    note = e.message ?? String(e);
    url = "";
  }
  pg.dialogs.showShare(url, note);
}

/**
 * The link to playground `pg`'s moment: its setup, the statements run since,
 * and the time the scrubber shows (now when not previewing). A full page
 * whose database already had history when it opened carries that
 * database's current state (an export) instead, as of now.
 * Returns `{url, note}`; throws a `ShareLinkError` when too long.
 */
export async function momentLink(pg) {
  const page = pg.o.mode === "page";
  const entries = await pg.db.timeline();
  const previewing = pg.scrubber.pos !== null;
  let payload;
  let note;
  if (page && pg.openedWithHistory) {
    payload = { setup: await pg.db.exportSql(), statements: [], clocks: { from: 0, times: [] }, time: null };
    note = "Your database had history before this visit: the link rebuilds its current state (not its timeline).";
  } else {
    const setup = pg.sharedSetup ?? pg.o.setupSql ?? "";
    const statements = pg.sessionLog.slice(setup.trim() ? 1 : 0);
    const time = previewing ? formatTime(pg.table.readTime(pg.scrubber.pos)) : entries.at(-1)?.time ?? null;
    payload = await sharePayload(pg.db, { setup, statements, time, target: page ? undefined : pg.o.shareTarget || undefined });
    note = previewing
      ? `The link rebuilds this database and opens the timeline at ${payload.time}, in preview.`
      : "The link rebuilds this database as it is now.";
  }
  const url = new URL(location.href);
  url.hash = (await encodeShare(payload)).slice(1);
  return { url: url.href, note };
}

/**
 * The share link in `hash` for the playground whose target is `target` ("" for
 * the full page): null when there is none for it, `{payload}`, or `{error}`
 * (a malformed link is everybody's error).
 */
export async function readMoment(hash, target) {
  if (!isShareHash(hash)) return null;
  try {
    const payload = await decodeShare(hash);
    return (payload.target ?? "") === target ? { payload } : null;
  } catch (error) {
    return { error };
  }
}

/** Rebuilds a moment in a fresh in-memory database of `pg` and previews its time. */
export async function openMoment(pg, payload) {
  await pg.openDb({ name: undefined });
  const setup = await replayShare(pg.db, payload);
  pg.sharedSetup = setup;
  pg.sessionLog = [setup.trim(), ...payload.statements].filter(Boolean);
  await pg.refresh();
  if (payload.time) pg.scrubber.setPos(parseTime(payload.time), true);
  if (pg.o.mode !== "page") pg.root.scrollIntoView({ block: "start" });
}
