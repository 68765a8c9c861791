//! A comparison written out: plain lines, Markdown, CSV and JSON, all from
//! one table ([`super::Comparison::tables`]); a spreadsheet writer takes
//! the same tables (one sheet each). Nothing here sanitises: the caller
//! passes the text through `text::safe_out` / `safe_json` as it leaves.

use super::{Comparison, Group, Row};
use crate::content::{Cell, Library, Table};
use crate::fmt::fmt_num;

/// The columns of a comparison's table.
pub const COLUMNS: [&str; 15] = [
    "指标",
    "期间",
    "实际/预测",
    "数值",
    "单位",
    "统一单位数值",
    "统一单位",
    "同比（计算值）",
    "年复合增长率（计算值）",
    "报告",
    "发布方",
    "日期",
    "页码",
    "出处",
    "换算",
];

/// What the computed columns are, said wherever they appear.
pub const COMPUTED: &str = "同比、年复合增长率为计算值：由同一图表所列数值算出，不是报告原文所给。";

/// A share as a signed percentage: `+39.5%`.
pub fn pct(x: f64) -> String {
    format!("{:+.1}%", x * 100.0)
}

/// A report as rows name it: its short name and year (several reports),
/// else its title.
pub fn report_name(lib: &Library, i: usize) -> String {
    lib.report_label(i).or_else(|| lib.heads().get(i).map(|h| h.title.clone())).unwrap_or_default()
}

/// Where a row's block is: its section's id (or the report's, for the abstract).
pub fn place(lib: &Library, r: &Row) -> String {
    match lib.head_section(r.fig.at.node) {
        Some(s) => s.id.clone(),
        None => lib.heads().get(r.fig.report).map(|h| h.id.clone()).unwrap_or_default(),
    }
}

fn kind(r: &Row) -> &'static str {
    if r.fig.estimate { "预测" } else { "实际" }
}

fn row_cells(lib: &Library, g: &Group, r: &Row) -> Vec<String> {
    let head = lib.heads().get(r.fig.report);
    vec![
        r.fig.measure.clone(),
        r.fig.period.clone(),
        kind(r).to_string(),
        r.fig.value_text.clone(),
        r.fig.unit.text.clone(),
        fmt_num((r.norm * 10_000.0).round() / 10_000.0),
        g.unit.clone(),
        r.yoy.map(pct).unwrap_or_default(),
        r.cagr.as_ref().map(|(from, x)| format!("{}（{from}起）", pct(*x))).unwrap_or_default(),
        report_name(lib, r.fig.report),
        head.map(|h| h.publisher.clone()).unwrap_or_default(),
        head.map(|h| h.date.clone()).unwrap_or_default(),
        r.fig.page.map(|p| p.to_string()).unwrap_or_default(),
        place(lib, r),
        r.rate_note.clone().unwrap_or_default(),
    ]
}

impl Comparison {
    /// One table per group (a measure in one unit): the columns of
    /// [`COLUMNS`], a row per figure; the notes say what is computed and
    /// why groups are apart.
    pub fn tables(&self, lib: &Library) -> Vec<Table> {
        self.groups
            .iter()
            .map(|g| {
                let mut notes = vec![COMPUTED.to_string()];
                notes.extend(self.apart.iter().filter(|a| a.starts_with(&format!("{}：", g.measure))).cloned());
                Table {
                    title: Some(g.measure.clone()),
                    industries: Vec::new(),
                    unit: (!g.unit.is_empty()).then(|| g.unit.clone()),
                    columns: COLUMNS.iter().map(|c| c.to_string()).collect(),
                    rows: g.rows.iter().map(|r| row_cells(lib, g, r).into_iter().map(Cell).collect()).collect(),
                    notes,
                }
            })
            .collect()
    }
}

/// Plain lines for a terminal: a head per group, a line per row.
pub fn to_text(lib: &Library, c: &Comparison) -> String {
    let mut out = String::new();
    for g in &c.groups {
        let unit = if g.unit.is_empty() { "无单位".to_string() } else { g.unit.clone() };
        out.push_str(&format!("{} · {unit} · {} 行\n", g.measure, g.rows.len()));
        for r in &g.rows {
            out.push_str("  ");
            out.push_str(&row_line(lib, g, r));
            out.push('\n');
        }
        out.push('\n');
    }
    for a in &c.apart {
        out.push_str(&format!("注：{a}\n"));
    }
    if c.groups.iter().any(|g| g.rows.iter().any(|r| r.yoy.is_some() || r.cagr.is_some())) {
        out.push_str(&format!("注：{COMPUTED}\n"));
    }
    out
}

/// One row on one line: period, value, computed growth, report, publisher, date, page.
pub fn row_line(lib: &Library, g: &Group, r: &Row) -> String {
    let mut parts =
        vec![format!("{} {}", if r.fig.period.is_empty() { "—".to_string() } else { r.fig.period.clone() }, kind(r))];
    parts.push(value_with_unit(g, r));
    if let Some(y) = r.yoy {
        parts.push(format!("同比 {}（计算值）", pct(y)));
    }
    if let Some((from, x)) = &r.cagr {
        parts.push(format!("CAGR {}（计算值，{from}起）", pct(*x)));
    }
    let head = lib.heads().get(r.fig.report);
    parts.push(format!("《{}》", report_name(lib, r.fig.report)));
    if let Some(h) = head {
        if !h.publisher.is_empty() {
            parts.push(h.publisher.clone());
        }
        if !h.date.is_empty() {
            parts.push(h.date.clone());
        }
    }
    parts.push(r.fig.page.map_or("页码不详".to_string(), |p| format!("第{p}页")));
    parts.join(" · ")
}

/// The value as printed with its unit, and on the group's scale when that differs.
pub fn value_with_unit(g: &Group, r: &Row) -> String {
    let printed = format!("{}{}", r.fig.value_text, r.fig.unit.text);
    if r.fig.unit.text == g.unit && r.rate_note.is_none() {
        printed
    } else {
        let conv = fmt_num((r.norm * 10_000.0).round() / 10_000.0);
        match &r.rate_note {
            Some(n) => format!("{printed}（≈{conv}{}，按{n}换算）", g.unit),
            None => format!("{printed}（={conv}{}）", g.unit),
        }
    }
}

/// Markdown: a pipe table per group with its notes.
pub fn to_markdown(lib: &Library, c: &Comparison) -> String {
    let mut out = String::new();
    for t in c.tables(lib) {
        out.push_str(&crate::export::block_markdown(lib, &crate::content::Block::Table(t), 2));
    }
    for a in &c.apart {
        out.push_str(&format!("> 注：{a}\n\n"));
    }
    out
}

/// CSV (RFC 4180): the header once, then every group's rows.
pub fn to_csv(lib: &Library, c: &Comparison) -> String {
    let all = Table {
        title: None,
        industries: Vec::new(),
        unit: None,
        columns: COLUMNS.iter().map(|c| c.to_string()).collect(),
        rows: c.tables(lib).into_iter().flat_map(|t| t.rows).collect(),
        notes: Vec::new(),
    };
    crate::export::csv(&all)
}

/// JSON: the groups with their rows, the reasons rows are apart, and what
/// is computed.
pub fn to_json(lib: &Library, c: &Comparison) -> serde_json::Value {
    use serde_json::json;
    let groups: Vec<serde_json::Value> = c
        .groups
        .iter()
        .map(|g| {
            let rows: Vec<serde_json::Value> = g
                .rows
                .iter()
                .map(|r| {
                    let head = lib.heads().get(r.fig.report);
                    json!({
                        "measure": r.fig.measure,
                        "period": r.fig.period,
                        "year": r.fig.year,
                        "estimate": r.fig.estimate,
                        "value": r.fig.value,
                        "value_text": r.fig.value_text,
                        "unit": r.fig.unit.text,
                        "normalised": {"value": r.norm, "unit": g.unit},
                        "converted_at": r.rate_note,
                        "computed": {
                            "yoy": r.yoy,
                            "cagr": r.cagr.as_ref().map(|c| c.1),
                            "cagr_from": r.cagr.as_ref().map(|c| c.0.clone()),
                        },
                        "report": {
                            "id": head.map(|h| h.id.clone()),
                            "label": report_name(lib, r.fig.report),
                            "publisher": head.map(|h| h.publisher.clone()),
                            "date": head.map(|h| h.date.clone()),
                        },
                        "page": r.fig.page,
                        "section": place(lib, r),
                    })
                })
                .collect();
            json!({"measure": g.measure, "key": g.key, "unit": g.unit, "rows": rows})
        })
        .collect();
    json!({"groups": groups, "apart": c.apart, "computed": COMPUTED})
}

/// The citations of the reports a group's rows come from, in a style, in
/// the order they first appear, joined by `；`.
pub fn group_citation(lib: &Library, g: &Group, style: crate::export::CitationStyle) -> String {
    let mut reports: Vec<usize> = Vec::new();
    for r in &g.rows {
        if !reports.contains(&r.fig.report) {
            reports.push(r.fig.report);
        }
    }
    reports
        .iter()
        .filter_map(|&r| crate::content::numbering::report_node(lib, r))
        .filter_map(|n| crate::export::cite(lib, n))
        .map(|c| c.styled(style))
        .collect::<Vec<_>>()
        .join("；")
}

/// A comparison as the sheets of a workbook: one per group (`表1 指标`),
/// row 1 the citations of the reports its rows come from, row 2 the
/// measure, then the header ([`COLUMNS`]) and a row per figure, as
/// [`Comparison::tables`] gives them, with `统一单位数值` as a number;
/// the notes (what is computed, why rows are apart) after an empty row.
pub fn to_sheets(lib: &Library, c: &Comparison, style: crate::export::CitationStyle) -> Vec<crate::export::Sheet> {
    use crate::export::{Sheet, XCell, sheet_name, xlsx_table_rows};
    let norm_col = COLUMNS.iter().position(|c| *c == "统一单位数值").unwrap_or(5);
    c.tables(lib)
        .iter()
        .zip(&c.groups)
        .enumerate()
        .map(|(k, (t, g))| {
            // Every row carries its units (数值's and 统一单位): no `单位` column added.
            let t = Table { unit: None, ..t.clone() };
            let mut rows = xlsx_table_rows(&t, &group_citation(lib, g, style));
            for (i, r) in g.rows.iter().enumerate() {
                if let Some(cell) = rows.get_mut(3 + i).and_then(|row| row.get_mut(norm_col)) {
                    *cell = XCell::Number((r.norm * 10_000.0).round() / 10_000.0);
                }
            }
            Sheet { name: sheet_name(&format!("表{}", k + 1), Some(&g.measure)), rows }
        })
        .collect()
}
