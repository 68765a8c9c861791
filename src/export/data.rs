//! A place as JSON (with its citation) and its tables as CSV.

use super::markdown::one_line;
use super::{citation, cite};
use crate::content::{Block, Library, NodeId, Section, Table};

/// The content model of a place, with its citation.
pub fn json(lib: &Library, node: NodeId) -> serde_json::Value {
    let citation = citation(lib, node);
    let c = cite(lib, node);
    match lib.section(node) {
        Some(s) => serde_json::json!({
            "citation": citation,
            "cite": c,
            "report": lib.report_of(node).map(|r| &r.id),
            "section": s,
        }),
        None => serde_json::json!({
            "citation": citation,
            "cite": c,
            "report": lib.report_of(node),
        }),
    }
}

/// The tables of a place and everything under it, in reading order, with
/// the id of the section (or report) each is in.
pub fn tables(lib: &Library, node: NodeId) -> Vec<(String, &Table)> {
    fn walk<'a>(s: &'a Section, out: &mut Vec<(String, &'a Table)>) {
        for b in &s.blocks {
            if let Block::Table(t) = b {
                out.push((s.id.clone(), t));
            }
        }
        s.sections.iter().for_each(|x| walk(x, out));
    }
    let mut out = Vec::new();
    match lib.section(node) {
        Some(s) => walk(s, &mut out),
        None => {
            if let Some(r) = lib.report_of(node) {
                for b in &r.abstract_blocks {
                    if let Block::Table(t) = b {
                        out.push((r.id.clone(), t));
                    }
                }
                r.chapters.iter().for_each(|x| walk(x, &mut out));
            }
        }
    }
    out
}

/// A table as CSV (RFC 4180): the header row, then the rows; fields with a
/// comma, a quote or a line break are quoted.
pub fn csv(t: &Table) -> String {
    fn field(s: &str) -> String {
        if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
    }
    let mut out = String::new();
    let line = |cells: Vec<String>| cells.iter().map(|c| field(c)).collect::<Vec<_>>().join(",") + "\n";
    out.push_str(&line(t.columns.clone()));
    for row in &t.rows {
        out.push_str(&line(row.iter().map(|c| c.0.clone()).collect()));
    }
    out
}

/// A file name from a section id and a table title: characters that file
/// systems or shells mind become `_`, at most 80 characters, `.csv` added.
/// `n` (1-based) numbers an untitled table.
pub fn csv_file_name(section: &str, title: Option<&str>, n: usize) -> String {
    let title = title.map(one_line).filter(|t| !t.is_empty()).unwrap_or_else(|| format!("table{n}"));
    let raw = format!("{section}_{title}");
    let mut name: String = raw
        .chars()
        .map(|c| {
            if crate::text::is_unsafe_out(c) || c.is_whitespace() || "/\\:*?\"<>|'`$&;#%{}[]!".contains(c) {
                '_'
            } else {
                c
            }
        })
        .take(80)
        .collect();
    while name.contains("__") {
        name = name.replace("__", "_");
    }
    let name = name.trim_matches(|c| c == '_' || c == '.').to_string();
    let name = if name.is_empty() { format!("table{n}") } else { name };
    format!("{name}.csv")
}

/// The CSV files of a place: (file name, text), names made unique.
pub fn csv_files(lib: &Library, node: NodeId) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (i, (sec, t)) in tables(lib, node).into_iter().enumerate() {
        let mut name = csv_file_name(&sec, t.title.as_deref(), i + 1);
        let stem = name.trim_end_matches(".csv").to_string();
        let mut k = 2;
        while out.iter().any(|(n, _)| *n == name) {
            name = format!("{stem}-{k}.csv");
            k += 1;
        }
        out.push((name, csv(t)));
    }
    out
}
