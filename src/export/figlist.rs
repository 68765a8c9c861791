//! The figure list (图表目录, `F` in the explorer) as an export target:
//! `yanbao export figures` (every report of the library) or
//! `figures:fs` (one report), as Markdown, CSV or an xlsx workbook. One
//! row per numbered chart, table, metric group and figure caption, in
//! reading order ([`crate::content::numbering`]): its number, kind, title,
//! report, place, page and the block's own citation, exactly as `y` on the
//! block cites it.

use super::{CitationStyle, Sheet, block_citation, cite, cite_block, sheet_name, xlsx_table_rows};
use crate::content::numbering::{Numbered, number_report, report_node};
use crate::content::{Block, Cell, Library, Table};

/// The target that names the figure list (`figures`, `figures:ID`).
pub const FIGURES_TARGET: &str = "figures";

/// The columns of a figure list.
pub const FIGLIST_COLUMNS: [&str; 7] = ["编号", "类型", "标题", "报告", "位置", "页码", "出处"];

/// The reports a figure-list target names: `figures` every report,
/// `figures:ID` that one. `None`: not a figure-list target; `Err`: no such
/// report (the message names the reports there are).
pub fn resolve_figures(lib: &Library, target: &str) -> Option<Result<Vec<usize>, String>> {
    let t = target.trim();
    if t == FIGURES_TARGET {
        return Some(Ok((0..lib.report_count()).collect()));
    }
    let id = t.strip_prefix(FIGURES_TARGET)?.strip_prefix(':')?.trim();
    Some(match lib.heads().iter().position(|h| h.id == id) {
        Some(r) => Ok(vec![r]),
        None => {
            let ids: Vec<&str> = lib.heads().iter().map(|h| h.id.as_str()).collect();
            Err(format!("no report `{id}` for a figure list; the reports are {}", ids.join(", ")))
        }
    })
}

/// A report as a row names it: its short name and year (several reports), else its title.
fn report_name(lib: &Library, r: usize) -> String {
    lib.report_label(r).or_else(|| lib.heads().get(r).map(|h| h.title.clone())).unwrap_or_default()
}

/// The page cell: the block's own page (`47`), the first page of its place
/// (`47起`), or `页码不详`. No page is guessed.
fn page_cell(lib: &Library, x: &Numbered) -> String {
    match cite_block(lib, x.node, x.block) {
        Some(c) => match (c.page, c.from_page) {
            (Some(p), _) => p.to_string(),
            (None, Some(p)) => format!("{p}起"),
            (None, None) => "页码不详".into(),
        },
        None => String::new(),
    }
}

/// One item's row (see [`FIGLIST_COLUMNS`]).
fn row(lib: &Library, x: &Numbered, style: CitationStyle) -> Vec<String> {
    let mut parts: Vec<String> = lib.ancestry(x.node).into_iter().skip(1).map(|n| lib.tree_title(n)).collect();
    if parts.is_empty() {
        parts.push("摘要".into());
    }
    let kind =
        if x.title_from_labels { format!("{}（原无标题）", x.kind.name()) } else { x.kind.name().to_string() };
    vec![
        x.label.clone(),
        kind,
        x.title.clone(),
        report_name(lib, x.report),
        parts.join(" › "),
        page_cell(lib, x),
        block_citation(lib, x.node, x.block, style),
    ]
}

/// A report's figure list as a table: titled `《书名》图表目录`, a row per item.
pub fn figure_table(lib: &Library, r: usize, style: CitationStyle) -> Table {
    let title = lib.heads().get(r).map(|h| format!("《{}》图表目录", h.title)).unwrap_or_default();
    let mut notes = Vec::new();
    let items = number_report(lib, r);
    if items.iter().any(|x| x.title_from_labels) {
        notes.push("原无标题：原文未给该组指标标题，以其前几项指标名列出。".to_string());
    }
    Table {
        title: Some(title),
        industries: Vec::new(),
        unit: None,
        columns: FIGLIST_COLUMNS.iter().map(|c| c.to_string()).collect(),
        rows: items.iter().map(|x| row(lib, x, style).into_iter().map(Cell).collect()).collect(),
        notes,
    }
}

/// The citation of a whole report, in a style.
fn report_citation(lib: &Library, r: usize, style: CitationStyle) -> String {
    report_node(lib, r).and_then(|n| cite(lib, n)).map(|c| c.styled(style)).unwrap_or_default()
}

/// The figure lists of `reports` as Markdown: per report a heading
/// (`## 《书名》图表目录`), its citation, then a pipe table of its items.
pub fn figures_markdown(lib: &Library, reports: &[usize], style: CitationStyle) -> String {
    let mut out = String::from("# 图表目录\n\n");
    for &r in reports {
        let mut t = figure_table(lib, r, style);
        out.push_str(&format!("## {}\n\n{}\n\n", t.title.take().unwrap_or_default(), report_citation(lib, r, style)));
        out.push_str(super::block_markdown(lib, &Block::Table(t), 3).trim_end());
        out.push_str("\n\n");
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// The figure lists of `reports` as one CSV (RFC 4180): the header once,
/// then every report's rows (each row carries its citation).
pub fn figures_csv(lib: &Library, reports: &[usize], style: CitationStyle) -> String {
    let all = Table {
        title: None,
        industries: Vec::new(),
        unit: None,
        columns: FIGLIST_COLUMNS.iter().map(|c| c.to_string()).collect(),
        rows: reports.iter().flat_map(|&r| figure_table(lib, r, style).rows).collect(),
        notes: Vec::new(),
    };
    super::csv(&all)
}

/// The CSV file name of a figure list: `figures_<report id>.csv`, or
/// `figures.csv` for the whole library.
pub fn figures_csv_name(lib: &Library, reports: &[usize]) -> String {
    match reports {
        [r] if lib.report_count() > 1 => format!("figures_{}.csv", lib.heads().get(*r).map_or("", |h| h.id.as_str())),
        _ => "figures.csv".into(),
    }
}

/// The figure lists of `reports` as sheets: one per report (`图表目录 …`),
/// row 1 the report's citation, row 2 the list's title, then the header and
/// a row per item.
pub fn figures_sheets(lib: &Library, reports: &[usize], style: CitationStyle) -> Vec<Sheet> {
    let mut out: Vec<Sheet> = Vec::new();
    for &r in reports {
        let t = figure_table(lib, r, style);
        let short = lib.heads().get(r).map(|h| h.id.clone()).unwrap_or_default();
        let mut name = sheet_name(&format!("图表目录{}", out.len() + 1), Some(&short));
        if reports.len() == 1 {
            name = sheet_name("图表目录", Some(&short));
        }
        out.push(Sheet { name, rows: xlsx_table_rows(&t, &report_citation(lib, r, style)) });
    }
    out
}
