//! The corpus: statements of sqllogictest files.

use std::path::{Path, PathBuf};

/// Statements of the sqllogictest files under `p` (at most `cap`).
pub(crate) fn load_corpus(p: &Path, cap: usize, out: &mut Vec<String>) {
    if out.len() >= cap {
        return;
    }
    if p.is_dir() {
        let mut entries: Vec<PathBuf> =
            std::fs::read_dir(p).map(|r| r.filter_map(|e| e.ok()).map(|e| e.path()).collect()).unwrap_or_default();
        entries.sort();
        for e in entries {
            load_corpus(&e, cap, out);
        }
        return;
    }
    if p.extension().is_none_or(|e| e != "test") {
        return;
    }
    let Ok(text) = std::fs::read_to_string(p) else { return };
    let mut lines = text.lines();
    while let Some(l) = lines.next() {
        if !(l.starts_with("statement") || l.starts_with("query")) {
            continue;
        }
        let mut sql = Vec::new();
        for l in lines.by_ref() {
            if l.is_empty() || l == "----" {
                break;
            }
            sql.push(l);
        }
        let sql = sql.join("\n");
        // keep long generated statements out: they only slow the loop down
        if !sql.is_empty() && sql.len() < 600 && out.len() < cap {
            out.push(sql);
        }
    }
}
