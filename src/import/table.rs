//! Tables: HTML tables (scraper, spans expanded into a rectangular grid),
//! grids made rectangular, series read from numeric tables.

use regex::Regex;
use scraper::{ElementRef, Html, Selector};
use std::sync::LazyLock;

/// The largest span honoured (a `colspan="100000"` is not a grid).
const MAX_SPAN: usize = 64;
/// The largest grid kept, in cells.
const MAX_CELLS: usize = 200_000;

/// Pad every row to the longest one; drop rows that are entirely empty.
pub fn rectangular(rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = rows.into_iter().filter(|r| r.iter().any(|c| !c.trim().is_empty())).collect();
    // Trailing columns empty in every row are layout, not data.
    let width =
        rows.iter().map(|r| r.iter().rposition(|c| !c.trim().is_empty()).map_or(0, |k| k + 1)).max().unwrap_or(0);
    for r in &mut rows {
        r.resize(width, String::new());
    }
    rows
}

fn cell_text(e: ElementRef) -> String {
    let mut s = String::new();
    for t in e.text() {
        super::parse::join_wrapped(&mut s, t);
    }
    s.trim().to_string()
}

/// Every top-level `<table>` of an HTML fragment, as a rectangular grid.
/// A cell spanning rows or columns is copied into each place it covers, so
/// that every row reads alone. Broken markup is repaired as a browser does.
pub fn html_tables(html: &str) -> Vec<Vec<Vec<String>>> {
    static TABLE: LazyLock<Selector> = LazyLock::new(|| Selector::parse("table").expect("selector"));
    static TR: LazyLock<Selector> = LazyLock::new(|| Selector::parse("tr").expect("selector"));
    let doc = Html::parse_fragment(html);
    let mut out = Vec::new();
    for table in doc.select(&TABLE) {
        // Nested tables are read as their outer cell's text.
        if table.ancestors().filter_map(ElementRef::wrap).any(|a| a.value().name() == "table") {
            continue;
        }
        let mut grid: Vec<Vec<Option<String>>> = Vec::new();
        let mut cells = 0usize;
        for (r, tr) in table.select(&TR).enumerate() {
            if tr.ancestors().filter_map(ElementRef::wrap).find(|a| a.value().name() == "table") != Some(table) {
                continue;
            }
            if grid.len() <= r {
                grid.resize(r + 1, Vec::new());
            }
            let mut c = 0;
            for td in tr.children().filter_map(ElementRef::wrap).filter(|e| matches!(e.value().name(), "td" | "th")) {
                let span = |name: &str| {
                    td.value().attr(name).and_then(|v| v.trim().parse::<usize>().ok()).unwrap_or(1).clamp(1, MAX_SPAN)
                };
                let (rs, cs) = (span("rowspan"), span("colspan"));
                let text = cell_text(td);
                while grid[r].get(c).is_some_and(Option::is_some) {
                    c += 1;
                }
                for dr in 0..rs {
                    let row = r + dr;
                    if grid.len() <= row {
                        grid.resize(row + 1, Vec::new());
                    }
                    for dc in 0..cs {
                        let col = c + dc;
                        if grid[row].len() <= col {
                            grid[row].resize(col + 1, None);
                        }
                        cells += 1;
                        grid[row][col] = Some(text.clone());
                    }
                }
                c += cs;
                if cells > MAX_CELLS {
                    break;
                }
            }
            if cells > MAX_CELLS {
                break;
            }
        }
        let rows: Vec<Vec<String>> =
            grid.into_iter().map(|r| r.into_iter().map(Option::unwrap_or_default).collect()).collect();
        let rows = rectangular(rows);
        if !rows.is_empty() {
            out.push(rows);
        }
    }
    out
}

static PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:19|20)\d{2}(?:\s*年)?(?:[EAFP]|[-/.]\d{1,2}(?:[-/.]\d{1,2})?|H[12]|Q[1-4]|年?[1-4]季度|年?\d{1,2}月)?E?$",
    )
    .expect("regex")
});
static NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[-+−]?\d[\d,]*(?:\.\d+)?(%?)$").expect("regex"));
static UNIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[（(](?:单位[:：]\s*)?([^（）()]{0,12}(?:元|美元|%|亿|万|千|吨|户|家|个|人|次|倍|辆|台|件|GW|MW|TWh|bp|BP)[^（）()]{0,6})[）)]")
        .expect("regex")
});
static STATEMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"利润表|资产负债表|现金流量表|财务报表|主要财务|财务预测|估值表|Income|Balance").expect("regex")
});

/// One series read from a table: its title suffix, unit, points (label, value text).
pub struct SeriesOut {
    pub title: String,
    pub unit: String,
    pub points: Vec<(String, f64)>,
}

/// The series of a numeric table: a year or period on one axis, numbers
/// with a unit in the other cells. Values are the cells' own numbers.
/// None from financial statements or from tables without a unit.
pub fn series_of(title: Option<&str>, rows: &[Vec<String>]) -> Vec<SeriesOut> {
    let title = title.unwrap_or("");
    if rows.len() < 2
        || rows[0].len() < 2
        || STATEMENT.is_match(title)
        || rows.iter().any(|r| STATEMENT.is_match(&r[0]))
    {
        return Vec::new();
    }
    if rows.len() > 16 {
        return Vec::new();
    }
    let num = |s: &str| -> Option<(f64, bool)> {
        let t = s.trim();
        let c = NUMBER.captures(t)?;
        let v: f64 = t.trim_end_matches('%').replace([',', '−'], "").replace('−', "-").parse().ok()?;
        v.is_finite().then_some((v, !c[1].is_empty()))
    };
    let unit_of = |s: &str| UNIT.captures(s).map(|c| c[1].trim().to_string());
    let header = &rows[0];
    let mut out = Vec::new();
    // Periods across the header row: one series per numeric row.
    if header[1..].iter().all(|h| PERIOD.is_match(h.trim())) {
        for r in &rows[1..] {
            let vals: Option<Vec<(f64, bool)>> = r[1..].iter().map(|c| num(c)).collect();
            let Some(vals) = vals else { continue };
            let pct = vals.iter().all(|v| v.1);
            let unit = if pct { Some("%".to_string()) } else { unit_of(&r[0]).or_else(|| unit_of(title)) };
            let Some(unit) = unit else { continue };
            let points = header[1..].iter().zip(vals).map(|(h, v)| (h.trim().to_string(), v.0)).collect();
            out.push(SeriesOut { title: r[0].trim().to_string(), unit, points });
        }
    } else if rows[1..].iter().all(|r| PERIOD.is_match(r[0].trim())) {
        // Periods down the first column: one series per numeric column.
        for (c, h) in header.iter().enumerate().skip(1) {
            let vals: Option<Vec<(f64, bool)>> = rows[1..].iter().map(|r| num(&r[c])).collect();
            let Some(vals) = vals else { continue };
            let pct = vals.iter().all(|v| v.1);
            let unit = if pct { Some("%".to_string()) } else { unit_of(h).or_else(|| unit_of(title)) };
            let Some(unit) = unit else { continue };
            let points = rows[1..].iter().zip(vals).map(|(r, v)| (r[0].trim().to_string(), v.0)).collect();
            out.push(SeriesOut { title: h.trim().to_string(), unit, points });
        }
    }
    out.truncate(6);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_expand_into_a_rectangle() {
        let t = html_tables(
            "<table><tr><td rowspan=2>A</td><td colspan=2>B</td></tr><tr><td>c</td><td>d</td></tr></table>",
        );
        assert_eq!(t, vec![vec![vec!["A", "B", "B"], vec!["A", "c", "d"]]]);
    }

    #[test]
    fn a_malformed_table_is_repaired() {
        let t = html_tables("<table><tr><td>1<td>2<tr><td>3</table>");
        assert_eq!(t, vec![vec![vec!["1", "2"], vec!["3", ""]]]);
    }

    #[test]
    fn series_need_periods_and_a_unit() {
        let rows =
            |v: &[&[&str]]| v.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect::<Vec<Vec<String>>>();
        let t = rows(&[&["", "2023", "2024E"], &["市场规模（亿元）", "1,200", "1500.5"]]);
        let s = series_of(None, &t);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].unit, "亿元");
        assert_eq!(s[0].points, vec![("2023".to_string(), 1200.0), ("2024E".to_string(), 1500.5)]);
        let t = rows(&[&["", "2023", "2024"], &["规模", "1", "2"]]);
        assert!(series_of(None, &t).is_empty(), "no unit, no series");
        assert!(series_of(Some("利润表（百万元）"), &rows(&[&["", "2023"], &["收入（亿元）", "1"]])).is_empty());
    }
}
