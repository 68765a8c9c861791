//! A place's tables and chart series as an Excel workbook (`yanbao export
//! --format xlsx`): one sheet per table and per series, in reading order.
//! The sheets are made here as plain data ([`sheets`]), then written with
//! rust_xlsxwriter ([`xlsx`]).
//!
//! Every sheet starts with the block's citation (row 1) and its title (row
//! 2); then a table's header and rows, with a `单位` column where the
//! table's unit is known, or a series' points (`period`, `value`, `unit`,
//! `kind`: `E` or `actual`), the values as numbers. Notes follow after an
//! empty row. Text passes the one sanitiser of everything yanbao writes
//! out ([`crate::text::safe_out`]).

use super::data::blocks;
use super::{CitationStyle, block_citation};
use crate::content::{Block, Library, NodeId, Series, Table};

/// A cell of a sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum XCell {
    Text(String),
    Number(f64),
    Empty,
}

/// One sheet: its name (valid for Excel, unique in the workbook) and rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Vec<XCell>>,
}

/// The header of a series sheet (the CSV's, less the series title, which
/// is the sheet's second row).
pub const SERIES_SHEET_HEADER: [&str; 4] = ["period", "value", "unit", "kind"];

/// The longest sheet name Excel takes, in UTF-16 code units.
pub const MAX_SHEET_NAME: usize = 31;

fn text(s: &str) -> XCell {
    XCell::Text(crate::text::safe_out(s).into_owned())
}

/// A sheet name from a prefix (`表3`) and a title: without the characters
/// Excel refuses (`[]:*?/\`), control characters or line breaks, not
/// starting or ending with `'`, at most [`MAX_SHEET_NAME`] UTF-16 units.
pub fn sheet_name(prefix: &str, title: Option<&str>) -> String {
    let raw = match title.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => format!("{prefix} {t}"),
        None => prefix.to_string(),
    };
    let cleaned: String = raw
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) || c.is_whitespace() || crate::text::is_unsafe_out(c) { ' ' } else { c })
        .collect();
    let mut name = String::new();
    let mut units = 0;
    'words: for w in cleaned.split_whitespace() {
        for c in (!name.is_empty()).then_some(' ').into_iter().chain(w.chars()) {
            if units + c.len_utf16() > MAX_SHEET_NAME {
                break 'words;
            }
            units += c.len_utf16();
            name.push(c);
        }
    }
    let name = name.trim().trim_matches('\'').trim().to_string();
    if name.is_empty() { prefix.to_string() } else { name }
}

/// The rows of a table's sheet (see the module's doc).
pub fn xlsx_table_rows(t: &Table, citation: &str) -> Vec<Vec<XCell>> {
    let unit = t.unit.as_deref().map(str::trim).filter(|u| !u.is_empty());
    let mut rows = vec![vec![text(citation)], vec![t.title.as_deref().map_or(XCell::Empty, text)]];
    let mut header: Vec<XCell> = t.columns.iter().map(|c| text(c)).collect();
    if unit.is_some() {
        header.push(text("单位"));
    }
    rows.push(header);
    for r in &t.rows {
        let mut row: Vec<XCell> = r.iter().map(|c| text(&c.0)).collect();
        if let Some(u) = unit {
            row.push(text(u));
        }
        rows.push(row);
    }
    if !t.notes.is_empty() {
        rows.push(vec![]);
        rows.extend(t.notes.iter().map(|n| vec![text(n)]));
    }
    rows
}

/// The rows of a series' sheet (see the module's doc).
pub fn xlsx_series_rows(s: &Series, citation: &str) -> Vec<Vec<XCell>> {
    let unit = s.unit.as_deref().unwrap_or("");
    let mut rows = vec![vec![text(citation)], vec![s.title.as_deref().map_or(XCell::Empty, text)]];
    rows.push(SERIES_SHEET_HEADER.iter().map(|h| text(h)).collect());
    for p in &s.points {
        let kind = if p.is_estimate() { "E" } else { "actual" };
        rows.push(vec![text(&p.label), XCell::Number(p.value), text(unit), text(kind)]);
    }
    if let Some(n) = &s.note {
        rows.push(vec![]);
        rows.push(vec![text(n)]);
    }
    rows
}

/// The sheets of a place: its tables (`表1 …`), then its chart series
/// (`图1 …`), each in reading order, each cited in `style` with its own
/// page where the content gives one.
pub fn sheets(lib: &Library, node: NodeId, style: CitationStyle) -> Vec<Sheet> {
    sheets_of(lib, &blocks(lib, node), style)
}

/// [`sheets`] of a list of blocks (an industry page's), each with the id
/// of its section (or report) and its index there.
pub fn sheets_of(lib: &Library, blocks: &[(String, usize, &Block)], style: CitationStyle) -> Vec<Sheet> {
    let mut tables = Vec::new();
    let mut series = Vec::new();
    for &(ref id, index, b) in blocks {
        let cite = || lib.node_by_id(id).map(|n| block_citation(lib, n, index, style)).unwrap_or_default();
        match b {
            Block::Table(t) => {
                let name = sheet_name(&format!("表{}", tables.len() + 1), t.title.as_deref());
                tables.push(Sheet { name, rows: xlsx_table_rows(t, &cite()) });
            }
            Block::Series(s) => {
                let name = sheet_name(&format!("图{}", series.len() + 1), s.title.as_deref());
                series.push(Sheet { name, rows: xlsx_series_rows(s, &cite()) });
            }
            _ => {}
        }
    }
    let mut out: Vec<Sheet> = Vec::new();
    for mut sh in tables.into_iter().chain(series) {
        // The numbered prefixes keep names apart; this is a guard (Excel
        // compares names without case).
        let base = sh.name.clone();
        let mut k = 2;
        while out.iter().any(|o| o.name.to_lowercase() == sh.name.to_lowercase()) {
            let tail = format!("~{k}");
            let keep: String = base.chars().take(MAX_SHEET_NAME - tail.len()).collect();
            sh.name = format!("{keep}{tail}");
            k += 1;
        }
        out.push(sh);
    }
    out
}

/// The workbook of [`sheets`], as the bytes of an `.xlsx` file.
pub fn xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, String> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
    for sh in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&sh.name).map_err(err)?;
        for (r, row) in sh.rows.iter().enumerate() {
            let r = u32::try_from(r).map_err(|_| "too many rows for a sheet".to_string())?;
            for (c, cell) in row.iter().enumerate() {
                let c = u16::try_from(c).map_err(|_| "too many columns for a sheet".to_string())?;
                match cell {
                    XCell::Text(t) => ws.write_string(r, c, t).map(|_| ()),
                    XCell::Number(n) => ws.write_number(r, c, *n).map(|_| ()),
                    XCell::Empty => Ok(()),
                }
                .map_err(err)?;
            }
        }
    }
    wb.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_for_excel() {
        assert_eq!(sheet_name("表1", Some("市场/规模: [2024] *E?")), "表1 市场 规模 2024 E");
        assert_eq!(sheet_name("表2", None), "表2");
        assert_eq!(sheet_name("表3", Some("  ")), "表3");
        assert_eq!(sheet_name("图1", Some("a\u{1b}[31mb\nc")), "图1 a 31mb c");
        let long = sheet_name("图12", Some(&"长".repeat(100)));
        assert_eq!(long.encode_utf16().count(), 31);
        assert!(long.starts_with("图12 长"));
        // Astral characters count twice.
        let emoji = sheet_name("表1", Some(&"😀".repeat(40)));
        assert!(emoji.encode_utf16().count() <= 31);
        assert!(!sheet_name("表1", Some("'x'")).ends_with('\''));
    }
}
