//! The chart overlay (Enter on a chart).

use super::open_frame;
use crate::app::State;
use crate::doc::Role;
use crate::text::{truncate, width};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use crate::doc::bars::is_time_series;

pub(super) fn render_chart(st: &State, c: &crate::app::ChartState, area: Rect, buf: &mut Buffer) {
    let title = format!("图表 {}/{} · j/k 切换 · c 对比 · esc 返回", c.index + 1, c.charts.len());
    let Some((_, frame)) = open_frame(st, title, area, buf) else { return };
    let inner = Rect::new(frame.x + 2, frame.y + 1, frame.width.saturating_sub(4), frame.height.saturating_sub(2));
    let Some(main) = c.charts.get(c.index) else { return };
    match c.compare.and_then(|i| c.charts.get(i)) {
        Some(other) if inner.width >= 40 => {
            let half = inner.width / 2;
            // The same unit: one scale for both, so 52.6亿元 reads shorter than 135.1亿元.
            let shared = c.scale.or_else(|| shared_scale(main, other));
            let label = |i: usize| c.labels.get(i).map_or("", String::as_str);
            draw_chart(st, main, label(c.index), shared, Rect::new(inner.x, inner.y, half - 1, inner.height), buf);
            draw_chart(
                st,
                other,
                c.compare.map_or("", label),
                shared,
                Rect::new(inner.x + half + 1, inner.y, inner.width - half - 1, inner.height),
                buf,
            );
        }
        Some(_) => {
            // No room for two side by side: say so, and draw the first.
            let note = "对照：另一图表放不下（窗口太窄）";
            let lines = crate::text::wrap(note, inner.width.max(1) as usize);
            let n = (lines.len() as u16).min(inner.height);
            for (k, l) in lines.iter().take(n as usize).enumerate() {
                buf.set_stringn(inner.x, inner.y + k as u16, l, inner.width as usize, st.theme.role(Role::Meta));
            }
            let rest = Rect::new(inner.x, inner.y + n, inner.width, inner.height - n);
            draw_chart(st, main, c.labels.get(c.index).map_or("", String::as_str), c.scale, rest, buf);
        }
        None => draw_chart(st, main, c.labels.get(c.index).map_or("", String::as_str), c.scale, inner, buf),
    }
}

/// One chart: its title, a bar per point with the exact value and unit, and
/// for a time series a vertical bar chart below when there is room.
/// The largest value of two charts in the same unit (a shared scale), or
/// `None` when their units differ (each keeps its own).
pub fn shared_scale(a: &crate::content::Series, b: &crate::content::Series) -> Option<f64> {
    let unit = |s: &crate::content::Series| s.unit.as_deref().map(str::trim).unwrap_or("").to_string();
    if unit(a) != unit(b) {
        return None;
    }
    let max = a.points.iter().chain(&b.points).map(|p| p.value).fold(0.0_f64, f64::max);
    (max > 0.0).then_some(max)
}

/// `label` names the chart's report (empty: one report).
fn draw_chart(st: &State, s: &crate::content::Series, label: &str, scale: Option<f64>, area: Rect, buf: &mut Buffer) {
    use ratatui::widgets::{Bar, BarChart, BarGroup};
    if area.width < 4 || area.height < 2 {
        return;
    }
    let w = area.width as usize;
    let unit = s.unit.clone().unwrap_or_default();
    let mut y = area.y;
    let mut title = s.title.clone().unwrap_or_default();
    if !unit.is_empty() {
        title.push_str(&format!("（单位：{unit}）"));
    }
    if !label.is_empty() {
        title.push_str(&format!(" · 《{label}》"));
    }
    for line in crate::text::wrap(&title, w).into_iter().take(2) {
        buf.set_stringn(area.x, y, &line, w, st.theme.role(Role::H3));
        y += 1;
    }
    let values: Vec<String> = s.points.iter().map(|p| format!("{}{unit}", crate::fmt::fmt_num(p.value))).collect();
    // The rows the reader draws too: long labels whole above their bar,
    // negative values left of a zero axis, missing years as empty slots.
    for row in crate::doc::bars::rows(s, w, st.theme.ascii, scale) {
        if y >= area.bottom() {
            return;
        }
        let mut x = area.x;
        for seg in &row {
            let room = area.right().saturating_sub(x) as usize;
            if room == 0 {
                break;
            }
            // Too narrow for the value: cut with an ellipsis, never a digit silently.
            let text = if seg.role == Role::Value { truncate(&seg.text, room) } else { seg.text.clone() };
            buf.set_stringn(x, y, &text, room, st.theme.role(seg.role));
            x += width(&text).min(room) as u16;
        }
        y += 1;
    }
    if s.points.iter().any(|p| p.is_estimate()) && y < area.bottom() {
        let legend = if st.theme.ascii { "E = 预测值" } else { "E = 预测值（另色）" };
        buf.set_stringn(area.x, y, legend, w, st.theme.dim());
        y += 1;
    }
    if let Some(n) = &s.note {
        for line in crate::text::wrap(n, w).into_iter().take(2) {
            if y < area.bottom() {
                buf.set_stringn(area.x, y, &line, w, st.theme.dim());
                y += 1;
            }
        }
    }
    // The vertical chart, for a time series with room to spare.
    let room = area.bottom().saturating_sub(y + 1);
    // (Not with a negative value: the vertical bars cannot go below zero.)
    if is_time_series(s) && room >= 6 && s.points.iter().all(|p| p.value >= 0.0) {
        let decimals = s
            .points
            .iter()
            .map(|p| crate::fmt::fmt_num(p.value).split('.').nth(1).map_or(0, str::len))
            .max()
            .unwrap_or(0)
            .min(3);
        let scale_10 = 10f64.powi(decimals as i32);
        // A missing year keeps its slot, empty, under its year.
        let mut values = values.iter();
        let slots = crate::doc::bars::slots(s);
        let bars: Vec<Bar> = slots
            .iter()
            .map(|(label, p)| match p {
                Some(p) => {
                    let role = if p.is_estimate() { Role::EstimateBar } else { Role::Bar };
                    Bar::default()
                        .value((p.value.max(0.0) * scale_10).round() as u64)
                        .label(label.clone())
                        .text_value(values.next().cloned().unwrap_or_default())
                        .style(st.theme.role(role))
                }
                None => Bar::default().value(0).label(label.clone()).text_value(String::new()),
            })
            .collect();
        let bar_width = (area.width as usize / slots.len().max(1)).saturating_sub(1).clamp(3, 12) as u16;
        let mut chart = BarChart::default().data(BarGroup::default().bars(&bars)).bar_width(bar_width).bar_gap(1);
        if st.theme.ascii {
            // `--ascii`: the columns in `#` (a half cell rounds to `#` or
            // nothing), as the bar rows are; no block elements.
            chart = chart.bar_set(ratatui::symbols::bar::Set {
                full: "#",
                seven_eighths: "#",
                three_quarters: "#",
                five_eighths: "#",
                half: "#",
                three_eighths: " ",
                one_quarter: " ",
                one_eighth: " ",
                empty: " ",
            });
        }
        if let Some(m) = scale {
            chart = chart.max((m.max(0.0) * scale_10).round() as u64);
        }
        chart.render(Rect::new(area.x, y + 1, area.width, room), buf);
    }
}

#[cfg(test)]
mod tests {
    use super::{is_time_series, shared_scale};
    use crate::content::{Point, Series};

    fn series(unit: &str, points: &[(&str, f64)]) -> Series {
        Series {
            title: None,
            industries: Vec::new(),
            unit: Some(unit.to_string()),
            points: points.iter().map(|&(l, v)| Point { label: l.into(), value: v, estimate: false }).collect(),
            note: None,
        }
    }

    #[test]
    fn only_years_in_order_are_a_time_series() {
        assert!(is_time_series(&series("亿元", &[("2023", 15.9), ("2028E", 52.6)])));
        assert!(is_time_series(&series("%", &[("2019年", 1.0), ("2020年", 2.0), ("2025E", 3.0)])));
        // Labels that only start with digits are categories.
        assert!(!is_time_series(&series(
            "个",
            &[("96110劝阻智能体智能线路", 1.0), ("96110劝阻智能体日均完成劝阻", 2.0)]
        )));
        assert!(!is_time_series(&series("亿元", &[("2025年1-5月", 1.0), ("2025H1能源行业大模型中标金额", 2.0)])));
        assert!(!is_time_series(&series("亿元", &[("2024", 1.0), ("2023", 2.0)])), "not in order");
        assert!(!is_time_series(&series("亿元", &[("2024", 1.0)])), "one point");
        assert!(!is_time_series(&series("亿元", &[("客户服务", 1.0), ("营销", 2.0)])));
    }

    #[test]
    fn the_same_unit_shares_a_scale() {
        let fin = series("亿元", &[("2023", 15.9), ("2028E", 52.6)]);
        let gov = series("亿元", &[("2023", 24.3), ("2028E", 135.1)]);
        assert_eq!(shared_scale(&fin, &gov), Some(135.1));
        let pct = series("%", &[("2023", 30.0)]);
        assert_eq!(shared_scale(&fin, &pct), None);
    }
}
