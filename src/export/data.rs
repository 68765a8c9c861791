//! A place as JSON (with its citation) and its tables as CSV.

use super::markdown::one_line;
use super::{CitationStyle, citation_in, cite};
use crate::content::{Block, Library, NodeId, Section, Series, Table};

/// The content model of a place, with its citation in `style`.
pub fn json(lib: &Library, node: NodeId, style: CitationStyle) -> serde_json::Value {
    let citation = citation_in(lib, node, style);
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

/// The blocks of a place and everything under it, in reading order, with
/// the id of the section (or report) each is in and its index there.
pub(super) fn blocks(lib: &Library, node: NodeId) -> Vec<(String, usize, &Block)> {
    fn walk<'a>(s: &'a Section, out: &mut Vec<(String, usize, &'a Block)>) {
        out.extend(s.blocks.iter().enumerate().map(|(i, b)| (s.id.clone(), i, b)));
        s.sections.iter().for_each(|x| walk(x, out));
    }
    let mut out = Vec::new();
    match lib.section(node) {
        Some(s) => walk(s, &mut out),
        None => {
            if let Some(r) = lib.report_of(node) {
                out.extend(r.abstract_blocks.iter().enumerate().map(|(i, b)| (r.id.clone(), i, b)));
                r.chapters.iter().for_each(|x| walk(x, &mut out));
            }
        }
    }
    out
}

/// The tables of a place and everything under it, in reading order, with
/// the id of the section (or report) each is in.
pub fn tables(lib: &Library, node: NodeId) -> Vec<(String, &Table)> {
    blocks(lib, node)
        .into_iter()
        .filter_map(|(id, _, b)| match b {
            Block::Table(t) => Some((id, t)),
            _ => None,
        })
        .collect()
}

/// The chart series of a place and everything under it, in reading order,
/// with the id of the section (or report) each is in.
pub fn series(lib: &Library, node: NodeId) -> Vec<(String, &Series)> {
    blocks(lib, node)
        .into_iter()
        .filter_map(|(id, _, b)| match b {
            Block::Series(s) => Some((id, s)),
            _ => None,
        })
        .collect()
}

/// The header of a series' CSV.
pub const SERIES_CSV_HEADER: [&str; 5] = ["label", "period", "value", "unit", "kind"];

/// A chart series as CSV: one row per point with the series' title
/// (`label`), the point's label (`period`: 2024, 2028E, 一季度), its value as
/// the content holds it (the shortest decimal that reads back to the same
/// number, never an exponent), the unit and `E` (an estimate) or `actual`.
pub fn series_csv(s: &Series) -> String {
    let title = s.title.as_deref().map(one_line).unwrap_or_default();
    let unit = s.unit.clone().unwrap_or_default();
    let mut rows = vec![SERIES_CSV_HEADER.iter().map(|h| h.to_string()).collect::<Vec<_>>()];
    for p in &s.points {
        let kind = if p.is_estimate() { "E" } else { "actual" };
        rows.push(vec![title.clone(), p.label.clone(), p.value.to_string(), unit.clone(), kind.into()]);
    }
    records(&rows)
}

/// Rows as CSV (RFC 4180): fields with a comma, a quote or a line break are
/// quoted.
fn records(rows: &[Vec<String>]) -> String {
    fn field(s: &str) -> String {
        if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
    }
    rows.iter().map(|cells| cells.iter().map(|c| field(c)).collect::<Vec<_>>().join(",") + "\n").collect()
}

/// A table as CSV (RFC 4180): the header row, then the rows; fields with a
/// comma, a quote or a line break are quoted.
pub fn csv(t: &Table) -> String {
    let mut rows = vec![t.columns.clone()];
    rows.extend(t.rows.iter().map(|row| row.iter().map(|c| c.0.clone()).collect()));
    records(&rows)
}

/// A file name from a section id and a table title: characters that file
/// systems or shells mind become `_`, at most 80 characters, `.csv` added.
/// `n` (1-based) numbers an untitled table.
pub fn csv_file_name(section: &str, title: Option<&str>, n: usize) -> String {
    file_name(section, title, &format!("table{n}"))
}

/// [`csv_file_name`] with `untitled` the stem of an untitled block.
fn file_name(section: &str, title: Option<&str>, untitled: &str) -> String {
    let title = title.map(one_line).filter(|t| !t.is_empty()).unwrap_or_else(|| untitled.to_string());
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
    let name = if name.is_empty() { untitled.to_string() } else { name };
    format!("{name}.csv")
}

/// The CSV files of a place: (file name, text), names made unique: its
/// tables, then its chart series (an untitled one is `seriesN`), each in
/// reading order.
pub fn csv_files(lib: &Library, node: NodeId) -> Vec<(String, String)> {
    csv_files_of(&blocks(lib, node))
}

/// [`csv_files`] of a list of blocks (an industry page's).
pub fn csv_files_of(blocks: &[(String, usize, &Block)]) -> Vec<(String, String)> {
    let tables = blocks
        .iter()
        .filter_map(|(id, _, b)| if let Block::Table(t) = b { Some((id, t)) } else { None })
        .enumerate()
        .map(|(i, (sec, t))| (file_name(sec, t.title.as_deref(), &format!("table{}", i + 1)), csv(t)));
    let series = blocks
        .iter()
        .filter_map(|(id, _, b)| if let Block::Series(s) = b { Some((id, s)) } else { None })
        .enumerate()
        .map(|(i, (sec, s))| (file_name(sec, s.title.as_deref(), &format!("series{}", i + 1)), series_csv(s)));
    let mut out: Vec<(String, String)> = Vec::new();
    for (mut name, text) in tables.chain(series) {
        let stem = name.trim_end_matches(".csv").to_string();
        let mut k = 2;
        while out.iter().any(|(n, _)| *n == name) {
            name = format!("{stem}-{k}.csv");
            k += 1;
        }
        out.push((name, text));
    }
    out
}
