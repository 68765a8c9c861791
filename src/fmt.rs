//! Formatting shared by the page layout (`doc`), the search index (`search`)
//! and the renderer: numbers as the sources print them, and where a node is.
//! It depends only on `content`, so `doc` and `search` need not import each other.

use crate::content::{Library, NodeId};

/// Where a node is: its ancestry, report included ("报告 › 第二章 › 2.3 …").
pub fn location(lib: &Library, node: NodeId) -> String {
    lib.ancestry(node).into_iter().map(|n| lib.tree_title(n)).collect::<Vec<_>>().join(" › ")
}

/// Where a section is, short: "2.3 人工智能行业应用层分析 › 大模型潜力市场"
/// (no report; no chapter when a numbered section follows).
pub fn section_path(lib: &Library, n: NodeId) -> String {
    let mut path: Vec<NodeId> = lib.ancestry(n).into_iter().filter(|&a| lib.head_section(a).is_some()).collect();
    if path.len() >= 3 {
        path.remove(0);
    }
    path.iter().map(|&a| lib.tree_title(a)).collect::<Vec<_>>().join(" › ")
}

/// The value of a table cell that is a number with at most a short unit
/// ("24.5亿元" → 24.5, "1,520" → 1520, "17.5%" → 17.5); not dates such as
/// 2024.05, 2023-10-30 or 2024年5月.
pub fn cell_number(s: &str) -> Option<f64> {
    let t = s.trim().replace(',', "");
    let end = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, rest) = t.split_at(end);
    let date = num.len() >= 6
        && num.as_bytes()[4] == b'.'
        && num.get(..4).is_some_and(|h| h.chars().all(|c| c.is_ascii_digit()));
    let unit_ok = rest.chars().count() <= 4
        && !rest.chars().any(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | '年' | '月' | '日' | '(' | '（'));
    if num.is_empty() || date || !unit_ok {
        return None;
    }
    num.parse().ok()
}

/// A number as the sources print it: no trailing zeros, thousands kept plain.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}
