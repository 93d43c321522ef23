// @ts-check
// Splits a script into statements with their offsets, respecting quotes,
// backquoted names and comments, so the console can run them one by one,
// report each result, and place an error at its position in the editor.

/** @returns {{sql: string, from: number, to: number}[]} non-empty statements */
export function splitStatements(text) {
  const out = [];
  let start = 0;
  let i = 0;
  const n = text.length;
  const push = (end) => {
    const raw = text.slice(start, end);
    // Leading whitespace and comments (e.g. the rest of the previous line) are not part of the statement.
    const lead = /^(\s|--[^\n]*|#[^\n]*|\/\*[\s\S]*?\*\/)*/.exec(raw)[0].length;
    const sql = raw.slice(lead).trimEnd();
    if (sql && !isOnlyComments(sql)) out.push({ sql, from: start + lead, to: start + lead + sql.length });
  };
  while (i < n) {
    const c = text[i];
    if (c === "'" || c === '"' || c === "`") {
      i++;
      while (i < n) {
        if (text[i] === "\\" && c !== "`") i += 2;
        else if (text[i] === c && text[i + 1] === c) i += 2;
        else if (text[i] === c) break;
        else i++;
      }
      i++;
    } else if ((c === "-" && text[i + 1] === "-") || c === "#") {
      while (i < n && text[i] !== "\n") i++;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === ";") {
      push(i);
      i++;
      start = i;
    } else i++;
  }
  push(n);
  return out;
}

function isOnlyComments(sql) {
  return sql.replace(/--[^\n]*|#[^\n]*|\/\*[\s\S]*?(\*\/|$)/g, "").trim() === "";
}

/** The first keyword of a statement, upper-case ("" if none). */
export function firstKeyword(sql) {
  const s = sql.replace(/^(\s|--[^\n]*|#[^\n]*|\/\*[\s\S]*?\*\/)+/, "");
  const m = /^[A-Za-z_]+/.exec(s);
  return m ? m[0].toUpperCase() : "";
}

const READS = new Set(["SELECT", "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "WITH", "VALUES", "TABLE", "USE"]);

/** Whether a statement only reads (allowed in a read-only playground). */
export function isReadOnlyStatement(sql) {
  return READS.has(firstKeyword(sql));
}
