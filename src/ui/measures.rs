//! The comparison list (`=`): one measure in every report, a group per
//! unit, each row on two lines (the figure and its report; the computed
//! growth and where it is).

use super::open_frame;
use crate::app::{MeasureLine, MeasuresView, State, measure_lines};
use crate::doc::Role;
use crate::figures::{self, Row};
use crate::text::{fit, width};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// The row's first line: period, actual or estimate, value and report.
fn first_line(st: &State, g: &figures::Group, r: &Row) -> String {
    let period = if r.fig.period.is_empty() { "—".to_string() } else { r.fig.period.clone() };
    let kind = if r.fig.estimate { "预测" } else { "实际" };
    let period = format!("{period}{}", " ".repeat(6usize.saturating_sub(width(&period))));
    format!(" {period} {kind}  {}  《{}》", figures::value_with_unit(g, r), figures::report_name(&st.lib, r.fig.report))
}

/// The row's second line: computed growth, publisher, date, page.
fn second_line(st: &State, r: &Row) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(y) = r.yoy {
        parts.push(format!("同比 {}（计算值）", figures::pct(y)));
    }
    if let Some((from, x)) = &r.cagr {
        parts.push(format!("CAGR {}（计算值，{from}起）", figures::pct(*x)));
    }
    if let Some(h) = st.lib.heads().get(r.fig.report) {
        if !h.publisher.is_empty() {
            parts.push(h.publisher.clone());
        }
        if !h.date.is_empty() {
            parts.push(h.date.clone());
        }
    }
    parts.push(r.fig.page.map_or("页码不详".to_string(), |p| format!("第{p}页")));
    format!("        {}", parts.join(" · "))
}

pub(super) fn render_measures(st: &State, v: &MeasuresView, area: Rect, buf: &mut Buffer) {
    let rows = v.cmp.row_count();
    let title = format!("指标对比 · {rows} 行 · enter 打开 · c 图表 · esc 返回");
    let Some((_, frame)) = open_frame(st, title, area, buf) else { return };
    let inner = Rect::new(frame.x + 2, frame.y + 1, frame.width.saturating_sub(4), frame.height.saturating_sub(2));
    if inner.width < 4 || inner.height < 1 {
        return;
    }
    let w = inner.width as usize;
    let reports: std::collections::BTreeSet<usize> =
        v.cmp.groups.iter().flat_map(|g| &g.rows).map(|r| r.fig.report).collect();
    let head = format!("{} · {} 份报告", v.measure, reports.len());
    buf.set_stringn(inner.x, inner.y, fit(&head, w), w, st.theme.role(Role::H2));
    let lines = measure_lines(&v.cmp);
    for (k, line) in lines.iter().skip(v.offset).take(inner.height.saturating_sub(1) as usize).enumerate() {
        let y = inner.y + 1 + k as u16;
        let (text, style) = match line {
            MeasureLine::Head(g) => {
                let Some(grp) = v.cmp.groups.get(*g) else { continue };
                let unit = if grp.unit.is_empty() { "无单位".to_string() } else { grp.unit.clone() };
                (format!("{} · 单位：{unit}", grp.measure), st.theme.role(Role::H3))
            }
            MeasureLine::Row { group, row, flat, second } => {
                let Some(grp) = v.cmp.groups.get(*group) else { continue };
                let Some(r) = grp.rows.get(*row) else { continue };
                let sel = *flat == v.selected;
                let text = if *second { second_line(st, r) } else { first_line(st, grp, r) };
                let style = match (sel, second) {
                    (true, _) => st.theme.selection(),
                    (false, true) => st.theme.dim(),
                    (false, false) => Style::new(),
                };
                (text, style)
            }
            MeasureLine::Note(n) => (n.clone(), st.theme.dim()),
            MeasureLine::Blank => continue,
        };
        buf.set_stringn(inner.x, y, fit(&text, w), w, style);
    }
}
