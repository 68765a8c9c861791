//! One block as plain text for the clipboard (the explorer's `y`).

use super::markdown::{Md, block_label, block_markdown, metric_value, one_line, point_label};
use crate::content::{Block, Library};
use std::fmt::Write as _;

/// One block as plain text for the clipboard, and what it is for the status
/// line (`表格 18 行`): a table as TSV, a chart's values as
/// `label<TAB>value unit`, metrics as `label<TAB>value`.
pub fn block_plain(lib: &Library, b: &Block) -> (String, String) {
    let tsv = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    let mut out = String::new();
    let what = match b {
        Block::Text(t) => {
            if let Some(h) = &t.title {
                let _ = writeln!(out, "{}", one_line(h));
            }
            let _ = writeln!(out, "{}", t.text.trim());
            format!("段落 {} 字", t.text.trim().chars().count())
        }
        Block::Table(t) => {
            if let Some(h) = &t.title {
                let _ = writeln!(out, "{}", one_line(h));
            }
            // The table's unit, where known, as a last column `单位` on
            // every row: pasted into a spreadsheet, each value keeps it.
            let unit = t.unit.as_deref().map(one_line).filter(|u| !u.is_empty());
            let with_unit = |mut cells: Vec<String>, u: &str| {
                if unit.is_some() {
                    cells.push(tsv(u));
                }
                cells.join("\t")
            };
            let u = unit.as_deref().unwrap_or_default();
            let _ = writeln!(out, "{}", with_unit(t.columns.iter().map(|c| tsv(c)).collect(), "单位"));
            for row in &t.rows {
                let _ = writeln!(out, "{}", with_unit(row.iter().map(|c| tsv(&c.0)).collect(), u));
            }
            for n in &t.notes {
                let _ = writeln!(out, "{}", one_line(n));
            }
            format!("表格 {} 行", t.rows.len())
        }
        Block::Series(s) => {
            if let Some(h) = &s.title {
                let _ = writeln!(out, "{}", one_line(h));
            }
            let unit = s.unit.as_deref().unwrap_or("");
            for p in &s.points {
                let v = crate::fmt::fmt_num(p.value);
                let _ = writeln!(out, "{}\t{}", tsv(&point_label(p)), format!("{v} {unit}").trim_end());
            }
            if s.points.iter().any(|p| p.is_estimate()) {
                let _ = writeln!(out, "E：预测值");
            }
            if let Some(n) = &s.note {
                let _ = writeln!(out, "{}", one_line(n));
            }
            format!("图表 {} 个数值", s.points.len())
        }
        Block::Metrics(m) => {
            if let Some(h) = &m.title {
                let _ = writeln!(out, "{}", one_line(h));
            }
            for it in &m.items {
                let _ = write!(out, "{}\t{}", tsv(&it.label), metric_value(it));
                if let Some(n) = &it.note {
                    let _ = write!(out, "（{}）", one_line(n));
                }
                out.push('\n');
            }
            format!("指标卡 {} 项", m.items.len())
        }
        Block::Case(c) => {
            let _ = writeln!(out, "案例：{}", one_line(&c.title));
            let mut md = Md { lib, out: String::new() };
            md.case_fields(c);
            out.push_str(md.out.trim_end());
            out.push('\n');
            format!("案例 {}", one_line(&c.title))
        }
        _ => {
            // Lists, insights, maps, examples: their Markdown reads as text.
            out = block_markdown(lib, b, 4);
            block_label(b).to_string()
        }
    };
    (out, what)
}
