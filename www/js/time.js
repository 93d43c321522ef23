// @ts-check
// Times as the engine prints them: UTC text `YYYY-MM-DD HH:MM:SS[.ffffff]`.
// The playground works in microseconds since the epoch (exact in a double
// for any date the engine accepts).

const RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/** Parses engine time text into microseconds since the epoch (NaN if not a time). */
export function parseTime(text) {
  const m = RE.exec(String(text).trim());
  if (!m) return NaN;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  const frac = m[7] ? Number(m[7].padEnd(6, "0")) : 0;
  return ms * 1000 + frac;
}

const pad = (n, w = 2) => String(n).padStart(w, "0");

/** Formats microseconds as engine time text; the fraction only when not zero. */
export function formatTime(us) {
  const ms = Math.floor(us / 1000);
  const micro = us - ms * 1000;
  const d = new Date(ms);
  const base =
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const frac = (d.getUTCMilliseconds() * 1000 + micro) | 0;
  return frac ? `${base}.${pad(frac, 6)}` : base;
}

/** The time-of-day part, `HH:MM:SS`. */
export function clockPart(us) {
  return formatTime(Math.floor(us / 1e6) * 1e6).slice(11, 19);
}

/** "12 s", "5 min", "3 h", "2 d" for a number of seconds. */
export function formatSpan(secs) {
  if (secs < 120) return `${Math.round(secs)} s`;
  if (secs < 7200) return `${Math.round(secs / 60)} min`;
  if (secs < 172800) return `${Math.round(secs / 3600)} h`;
  return `${Math.round(secs / 86400)} d`;
}

/** "512 B", "3.4 KiB", "1.2 MiB". */
export function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
